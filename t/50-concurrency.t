#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Concurrency: 32 processes run ipxe.cgi 50 times each while the CLI keeps writing; no answer lost, every counter exact.
#
# 16 workers share 4 MACs (4 workers, 200 requests per MAC): two with a
# report-mode action limited to --max-boots 100, one with a oneshot
# action, one with none.  16 workers ask for 50 MACs each, never seen
# before.  Meanwhile a CLI loop sets and cancels actions on other MACs.
# Afterwards: every answer is a whole script, nothing was written to
# stderr, machines.boots (from the seen journal, folded by status during
# and after the load) is the number of requests per MAC, the action
# counters are min(requests, max_boots) and the database is intact.
set -eu

cd "$(dirname "$0")/.."
for f in cgi/ipxe.cgi cli/se3-ipxe; do
	[ -x "$f" ] || { echo "1..0 # SKIP $f is not built"; exit 0; }
done
for c in sqlite3 python3 timeout; do
	command -v "$c" >/dev/null 2>&1 || { echo "1..0 # SKIP $c is not installed"; exit 0; }
done
if [ "$(id -u)" = 0 ] && ! command -v setpriv >/dev/null 2>&1; then
	echo "1..0 # SKIP setpriv is not installed"
	exit 0
fi

. t/lib/tap.sh		# ok, is, done_testing; $T, $TOP
. t/lib/fakeinstall.sh	# make_fakeinstall
. t/lib/concurrent.sh	# concurrent_setup: conf, db, cgi, asuser; kills $pids on exit

diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
bail() { echo "Bail out! $*"; exit 1; }

WORKERS=32		# processes
REQUESTS=50		# requests per process
MAX_BOOTS=100		# of the report-mode actions on shared MACs
CGI_TIMEOUT=30		# seconds, per request: far above the CGI's own deadline


# ---------------------------------------------------------------- set-up
mkdir -p "$T/db" "$T/modules" "$T/templates" "$T/boot" "$T/out"
cp -R "$TOP/modules/." "$T/modules/"
cp -R "$TOP/templates/." "$T/templates/"
make_fakeinstall	# report mode, max_boots 3 (raised here with --max-boots)
concurrent_setup "$T/modules" "$T/templates"

se3() {
	"$TOP/cli/se3-ipxe" -c "$conf" "$@"
}

s1=52:54:00:aa:00:01	# report mode, --max-boots 100
s2=52:54:00:aa:00:02	# report mode, --max-boots 100
s3=52:54:00:aa:00:03	# oneshot
s4=52:54:00:aa:00:04	# no action

if se3 set-action --yes "$s1" "$s2" fakeinstall:install --max-boots "$MAX_BOOTS" \
    >"$T/set.out" 2>&1 && se3 set-action "$s3" memtest:run >>"$T/set.out" 2>&1; then
	ok 0 "set-action on the shared MACs"
else
	ok 1 "set-action on the shared MACs"
	diag "$(cat "$T/set.out")"
	bail "cannot set the actions"
fi

# ---------------------------------------------------------------- load
# The CGI environment Apache would give; QUERY_STRING is set per request.
export SE3_IPXE_CONFIG="$conf" GATEWAY_INTERFACE=CGI/1.1 \
    SERVER_PROTOCOL=HTTP/1.1 REQUEST_METHOD=GET \
    SCRIPT_NAME=/cgi-bin/ipxe.cgi HTTP_HOST=127.0.0.1 \
    SERVER_NAME=127.0.0.1 SERVER_PORT=80 REMOTE_ADDR=127.0.0.1
unset PATH_INFO CONTENT_LENGTH CONTENT_TYPE 2>/dev/null || :

mac_of() {	# mac_of WORKER REQUEST
	if [ "$1" -le $((WORKERS / 2)) ]; then
		case $(( ($1 - 1) % 4 )) in
		0) echo "$s1" ;; 1) echo "$s2" ;; 2) echo "$s3" ;; 3) echo "$s4" ;;
		esac
	else
		printf '02:00:00:00:%02x:%02x\n' "$1" "$2"
	fi
}

worker() {	# worker W: REQUESTS requests, answers in $T/out/W.I
	_w=$1 _i=1
	while [ "$_i" -le "$REQUESTS" ]; do
		_rc=0
		# shellcheck disable=SC2086 # $asuser is a command prefix or nothing
		QUERY_STRING="mac=$(mac_of "$_w" "$_i")&platform=pcbios&buildarch=i386" \
		    timeout -k 5 "$CGI_TIMEOUT" $asuser "$cgi" >"$T/out/$_w.$_i" \
		    2>>"$T/out/$_w.err" || _rc=$?
		echo "$_i $_rc" >>"$T/out/$_w.rc"
		_i=$((_i + 1))
	done
}

# The admin at work: set and cancel actions on 8 other MACs, and look at
# the status, until the workers are done (bounded: at most 2000 rounds).
cli_loop() {
	_r=0 _bad=0
	while [ ! -e "$T/stop" ] && [ "$_r" -lt 2000 ]; do
		_r=$((_r + 1))
		_m=$(printf '52:54:00:cc:00:%02x' $((_r % 8)))
		# status folds the seen journal while the workers append to it
		for _cmd in "set-action --yes $_m fakeinstall:install" "cancel $_m" \
		    "status"; do
			# shellcheck disable=SC2086
			if ! se3 $_cmd >"$T/cli.out" 2>&1; then
				_bad=$((_bad + 1))
				echo "round $_r: $_cmd: $(cat "$T/cli.out")" >>"$T/cli.log"
			fi
		done
	done
	echo "$_r $_bad" >"$T/cli.result"
}

start=$(date +%s)
cli_loop &
clipid=$!
pids=$clipid
wpids=
w=1
while [ "$w" -le "$WORKERS" ]; do
	worker "$w" &
	wpids="$wpids $!"
	w=$((w + 1))
done
pids="$pids $wpids"
# Each worker is a bounded loop of bounded requests: these waits end.
wfail=0
for p in $wpids; do
	wait "$p" || wfail=$((wfail + 1))
done
touch "$T/stop"
wait "$clipid" || :
pids=
elapsed=$(( $(date +%s) - start ))
diag "$((WORKERS * REQUESTS)) requests in ${elapsed} s"
is "$wfail" 0 "every worker finished"

# ---------------------------------------------------------------- answers
cat >"$T/check.py" <<'EOF'
import os, re, sys
out, workers, requests, half = sys.argv[1], *map(int, sys.argv[2:5])
shared = sys.argv[5:9]
problems = []
scripts = {m: {"action": 0, "local": 0} for m in shared}
complete = 0
for w in range(1, workers + 1):
    rcs = {}
    with open(os.path.join(out, "%d.rc" % w)) as f:
        for line in f:
            i, rc = line.split()
            rcs[int(i)] = int(rc)
    for i in range(1, requests + 1):
        name = "%d.%d" % (w, i)
        if rcs.get(i) != 0:
            problems.append("%s: exit status %s" % (name, rcs.get(i)))
        with open(os.path.join(out, name), "rb") as f:
            raw = f.read()
        m = re.match(rb"((?:[^\r\n]*\r?\n)*?)\r?\n", raw)
        if m is None:
            problems.append("%s: no end of headers" % name)
            continue
        headers = m.group(1).decode("ascii", "replace").splitlines()
        body = raw[m.end():]
        hdr = {}
        for h in headers:
            k, _, v = h.partition(":")
            hdr[k.strip().lower()] = v.strip()
        if not hdr.get("content-type", "").startswith("text/plain"):
            problems.append("%s: Content-Type %r" % (name, hdr.get("content-type")))
        if not hdr.get("status", "200").startswith("200"):
            problems.append("%s: Status %r" % (name, hdr.get("status")))
        if "content-length" in hdr and hdr["content-length"] != str(len(body)):
            problems.append("%s: Content-Length %s but %d bytes" %
                            (name, hdr["content-length"], len(body)))
        if not body.startswith(b"#!ipxe\n") or not body.endswith(b"\n"):
            problems.append("%s: not a whole script: %r" % (name, body[:80]))
            continue
        complete += 1
        if w <= half:
            mac = shared[(w - 1) % 4]
            action = b"fakeinstall for" in body or b"memtest" in body
            scripts[mac]["action" if action else "local"] += 1
print("complete %d" % complete)
for mac in shared:
    print("scripts %s %d %d" % (mac, scripts[mac]["action"], scripts[mac]["local"]))
for p in problems[:20]:
    print("problem " + p)
print("problems %d" % len(problems))
EOF
python3 "$T/check.py" "$T/out" "$WORKERS" "$REQUESTS" $((WORKERS / 2)) \
    "$s1" "$s2" "$s3" "$s4" >"$T/check.out" 2>&1 || :
is "$(sed -n 's/^complete //p' "$T/check.out")" $((WORKERS * REQUESTS)) \
    "every answer is a whole script: headers, then #!ipxe ... newline"
is "$(sed -n 's/^problems //p' "$T/check.out")" 0 "no bad exit status, header or body"
grep '^problem \|Traceback\|Error' "$T/check.out" >"$T/problems" &&
    diag "$(cat "$T/problems")"

per_mac=$(( (WORKERS / 2 / 4) * REQUESTS ))	# requests per shared MAC
min() { if [ "$1" -lt "$2" ]; then echo "$1"; else echo "$2"; fi; }
is "$(sed -n "s/^scripts $s1 //p" "$T/check.out")" "$(min $per_mac $MAX_BOOTS) $((per_mac - $(min $per_mac $MAX_BOOTS)))" \
    "$s1: the action script exactly max_boots times, then local"
is "$(sed -n "s/^scripts $s2 //p" "$T/check.out")" "$(min $per_mac $MAX_BOOTS) $((per_mac - $(min $per_mac $MAX_BOOTS)))" \
    "$s2: the action script exactly max_boots times, then local"
is "$(sed -n "s/^scripts $s3 //p" "$T/check.out")" "1 $((per_mac - 1))" \
    "$s3: the oneshot script exactly once, then local"
is "$(sed -n "s/^scripts $s4 //p" "$T/check.out")" "0 $per_mac" \
    "$s4: local every time"

cat "$T"/out/*.err >"$T/stderr" 2>/dev/null || :
is "$(wc -l <"$T/stderr" | tr -d ' ')" 0 "ipxe.cgi wrote nothing to stderr (no busy, no failure)"
[ -s "$T/stderr" ] && diag "$(sort "$T/stderr" | uniq -c | sort -rn | head -n 10)"

# ---------------------------------------------------------------- the CLI
read -r rounds clibad <"$T/cli.result" || { rounds=0 clibad='?'; }
diag "CLI: $rounds rounds of set-action + cancel during the load"
t_rounds=1
[ "$rounds" -gt 0 ] && t_rounds=0
ok "$t_rounds" "the CLI loop ran during the load"
is "$clibad" 0 "no set-action or cancel failed (no busy database)"
[ "$clibad" = 0 ] || diag "$(head -n 10 "$T/cli.log")"

# ---------------------------------------------------------------- the store
q() { sqlite3 "$db" "$1" 2>&1; }
# What the last fold during the load left in the journal.
se3 status >/dev/null 2>"$T/fold.err"
is "$(cat "$T/fold.err")" "" "the last fold: no malformed journal line"
is "$(cat "$db-seen" 2>/dev/null | wc -c | tr -d ' ')" 0 "the seen journal is empty after it"
for m in "$s1" "$s2" "$s3" "$s4"; do
	is "$(q "SELECT boots FROM machines WHERE mac = '$m';")" "$per_mac" \
	    "machines.boots of $m = $per_mac requests"
done
distinct=$(( (WORKERS - WORKERS / 2) * REQUESTS ))
is "$(q "SELECT count(*) FROM machines WHERE mac LIKE '02:00:00:00:%' AND boots = 1;")" \
    "$distinct" "$distinct distinct MACs, each seen once with boots = 1"
is "$(q "SELECT count(*) FROM machines;")" $((distinct + 4)) \
    "no other machine rows (the CLI's MACs never booted)"
is "$(q "SELECT boots || ' ' || state FROM actions WHERE mac = '$s1' ORDER BY id DESC LIMIT 1;")" \
    "$(min $per_mac $MAX_BOOTS) failed" "$s1: action boots = min(requests, max_boots), then failed"
is "$(q "SELECT boots || ' ' || state FROM actions WHERE mac = '$s2' ORDER BY id DESC LIMIT 1;")" \
    "$(min $per_mac $MAX_BOOTS) failed" "$s2: action boots = min(requests, max_boots), then failed"
is "$(q "SELECT boots || ' ' || state FROM actions WHERE mac = '$s3' ORDER BY id DESC LIMIT 1;")" \
    "1 done" "$s3: the oneshot action boots = 1, done"
is "$(q 'PRAGMA integrity_check;')" ok "PRAGMA integrity_check"

done_testing
