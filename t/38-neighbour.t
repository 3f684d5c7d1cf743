#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A neighbour who knows a MAC with an action, from another address: no token, no boots burnt, no report, no file; all recorded. Then the same through Apache.
for c in sqlite3 python3; do
	command -v "$c" > /dev/null 2>&1 || { echo "1..0 # SKIP $c is not installed"; exit 0; }
done
. t/lib/tap.sh
. t/lib/cgi.sh
. t/lib/fakeinstall.sh
. t/lib/apache.sh

write_config "$T/se3-ipxe.conf"
make_fakeinstall
db_create
db=$T/db/se3-ipxe.db
M=52:54:00:00:38:01
A=192.0.2.10		# the real machine
B=192.0.2.66		# the neighbour

from() {	# from ADDR METHOD PATH QUERY [BODY]: the request from that address
	_addr=$1
	shift
	CGI_WRAP="env REMOTE_ADDR=$_addr" cgi "$@"
}
action_row() { sqlite3 "$db" "SELECT * FROM actions WHERE mac = '$1' ORDER BY id DESC LIMIT 1"; }
count() { sqlite3 "$db" "SELECT count(*) FROM history WHERE $1"; }

# --- the real machine boots first: it pins its address ----------------------
se3ipxe set-action --yes $M fakeinstall:install disk=sdb > /dev/null 2>&1
TOKEN=$(token_of $M)
ID=$(sqlite3 "$db" "SELECT id FROM actions WHERE mac = '$M'")
from $A GET "" "mac=$M&platform=pcbios"
is "$status" 200 "A boots: 200"
grep -q "report=.*token=$TOKEN" "$T/body"; ok $? "A boots: its script, with the token"
is "$(sqlite3 "$db" "SELECT bound_addr, boots, state FROM actions WHERE id = $ID")" "$A|1|booting" \
    "A's boot pinned A, boot 1/3"

# --- the neighbour at B, with the MAC --------------------------------------
before=$(action_row $M)
start=$(date +%s)
bad=0
i=0
while [ $i -lt 50 ]; do
	from $B GET "" "mac=$M&platform=pcbios"
	if [ "$status" != 200 ] || ! is_local_script || grep -q "$TOKEN" "$T/body"; then
		bad=$((bad + 1))
	fi
	from $B HEAD "" "mac=$M&platform=pcbios"
	[ "$status" = 200 ] && [ ! -s "$T/body" ] || bad=$((bad + 1))
	i=$((i + 1))
done
is "$bad" 0 "B: 50 GET and 50 HEAD boots, each 200 and a local-boot script (no token)"
diag_s=$(( $(date +%s) - start ))
echo "# 100 boots from B in ${diag_s} s"
is "$(action_row $M)" "$before" "B's 100 boots burnt nothing: boots, state, everything unchanged"
is "$(count "event = 'boot-refused' AND addr = '$B'")" 50 \
    "each GET from B is a boot-refused row with address B (a HEAD records nothing)"
from $B GET "" "mac=$M"
grep -q "ipxe.cgi: $B boot $M: .*boot refused: action $ID for $M: not from the action's address" "$T/err"
ok $? "one log line names B, the MAC and why: $(cat "$T/err")"
! grep -q "$TOKEN" "$T/err"; ok $? "... and no token"

from $B GET /report "token=$TOKEN&status=done&progress=100&msg=pwned"
is "$status" 403 "B reports done with the right token: 403"
is "$(wc -l < "$T/body" | tr -d ' ')" 1 "... a one-line reason"
is "$(cat "$T/body")" "refused: unknown token, finished action or not the machine's address" \
    "... which confirms no token"
! grep -q "$TOKEN" "$T/err"; ok $? "... no token in the log: $(cat "$T/err")"
from $B POST /report "" "token=$TOKEN&status=failed&msg=pwned"
is "$status" 403 "B reports failed by POST: 403"
from $B GET /file/preseed.cfg "token=$TOKEN"
is "$status" 403 "B fetches the preseed: 403"
! grep -q "preseed" "$T/body"; ok $? "... and gets none of it"
from $B HEAD /file/preseed.cfg "token=$TOKEN"
is "$status" 403 "B HEADs the preseed: 403"
is "$(action_row $M)" "$before" "after B's reports and fetches: the action unchanged (state, message, boots)"
is "$(count "event = 'report-refused' AND addr = '$B'"):$(count "event = 'file-refused' AND addr = '$B'")" "2:1" \
    "B's two reports and one GET of a file: refused rows with address B"
is "$(count "event LIKE '%-refused' AND addr IS NOT '$B'")" 0 "every refusal has address B"
refused=$(count "event LIKE '%-refused'")
is "$refused" 54 "54 refusals recorded (51 boots, 2 reports, 1 file)"

se3ipxe status $M > "$T/out" 2> "$T/serr"
grep -q "^$M .* $A" "$T/out"; ok $? "status: the pinned address A"
is "$(cat "$T/serr")" "se3-ipxe: status: warning: $M: action $ID, bound to $A, refused 54 requests by [security] bind, the last from $B" \
    "status: warns, with the count and the last address"
se3ipxe status --json $M > "$T/json" 2> /dev/null
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))[0]
print(d["action"]["bound_addr"], d["refused"], d["refused_last_addr"])' "$T/json" > "$T/fields" 2>&1
is "$(cat "$T/fields")" "$A 54 $B" "status --json: bound_addr, refused, refused_last_addr"
se3ipxe history $M > "$T/out" 2>&1
grep -q "boot-refused (client) bound to $A from $B\$" "$T/out" &&
    grep -q "report-refused (client) done: bound to $A from $B\$" "$T/out" &&
    grep -q "file-refused (client) preseed.cfg: bound to $A from $B\$" "$T/out"
ok $? "history: refused boot, report and file, with the action's address and theirs"
grep -q "served (client) boot 1/3 from $A\$" "$T/out"; ok $? "history: the boot served, with its address"
se3ipxe history --json $M > "$T/json" 2> /dev/null
python3 -c 'import json, sys
print(sum(1 for e in json.load(open(sys.argv[1])) if e["addr"] == sys.argv[2]))' "$T/json" "$B" > "$T/fields" 2>&1
is "$(cat "$T/fields")" 54 "history --json: addr on every row of B"

# --- the real machine at A completes normally -------------------------------
from $A GET "" "mac=$M&platform=pcbios"
grep -q "token=$TOKEN" "$T/body"; ok $? "A boots again: its action"
is "$(sqlite3 "$db" "SELECT boots FROM actions WHERE id = $ID")" 2 "A's second boot: 2/3 (B burnt none)"
from $A GET /file/preseed.cfg "token=$TOKEN"
is "$status" 200 "A fetches its preseed: 200"
from $A GET /report "token=$TOKEN&status=running&progress=50&msg=copying"
is "$status" 200 "A reports running: 200"
from $A POST /report "" "token=$TOKEN&status=done&msg=installed"
is "$status" 200 "A reports done: 200"
is "$(sqlite3 "$db" "SELECT state, message FROM actions WHERE id = $ID")" "done|installed" \
    "the action is done, with A's message"
is "$(count "action_id = $ID AND who = 'client' AND event NOT LIKE '%-refused' AND addr IS NOT '$A'")" 0 \
    "every row of A's requests has address A"

# --- bind = none: B is taken, and recorded ----------------------------------
write_config "$T/none.conf" "[security]" "bind = none"
M2=52:54:00:00:38:02
CONFIG=$T/none.conf se3ipxe set-action --yes $M2 fakeinstall:install > /dev/null 2>&1
T2=$(token_of $M2)
CONFIG=$T/none.conf from $A GET "" "mac=$M2"
CONFIG=$T/none.conf from $B GET "" "mac=$M2"
grep -q "token=$T2" "$T/body"; ok $? "bind = none: B's boot is served"
CONFIG=$T/none.conf from $B GET /file/preseed.cfg "token=$T2"
is "$status" 200 "bind = none: B's file: 200"
CONFIG=$T/none.conf from $B GET /report "token=$T2&status=done"
is "$status" 200 "bind = none: B's report: 200"
is "$(sqlite3 "$db" "SELECT bound_addr, boots, state FROM actions WHERE mac = '$M2'")" "$A|2|done" \
    "bind = none: the first boot pinned A all the same, B's boot counted"
is "$(count "mac = '$M2' AND addr = '$B'")" 4 \
    "bind = none: B's requests recorded with B (served, boot, file, report)"
is "$(count "mac = '$M2' AND event LIKE '%-refused'")" 0 "bind = none: nothing refused"

# --- through Apache: REMOTE_ADDR is Apache's, 127.0.0.1 against 127.0.0.2 ----
apache_ok=1
for f in "$TOP/cgi/ipxe.cgi"; do [ -x "$f" ] || apache_ok=0; done
apache_available || apache_ok=0
# The loopback network is local: a client can bind 127.0.0.2 if the kernel lets it.
if [ $apache_ok = 1 ]; then
	curl_rc=0
	curl -s --max-time 5 --interface 127.0.0.2 -o /dev/null \
	    "http://127.0.0.1:$(apache_free_port)/" || curl_rc=$?
	[ $curl_rc = 7 ] || apache_ok=0	# 7: refused, so the bind itself worked
fi
if [ $apache_ok = 0 ]; then
	skip "Apache, curl or a client on 127.0.0.2 is not available"
	done_testing
	exit
fi
trap 'apache_stop "$T/apache" || :; rm -rf "$T"' EXIT
mkdir -p "$T/apache" "$T/cgi-bin" "$T/doc"
cp "$TOP/cgi/ipxe.cgi" "$T/cgi-bin/ipxe.cgi"
chmod -R a+rX "$T"
chmod a+rwX "$T/db"
[ "$(id -u)" != 0 ] || chown -R "$APACHE_USER:$APACHE_GROUP" "$T/db"
set -- "SE3_IPXE_CONFIG=$T/se3-ipxe.conf"
for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
	eval "val=\${$v:-}"
	[ -z "$val" ] || set -- "$@" "$v=$val"
done
if ! apache_start "$T/apache" "$T/cgi-bin" "$T/doc" "$@"; then
	ok 1 "apache starts"
	done_testing
	exit
fi
get() {	# get SOURCE PATH?QUERY: the status from that source address
	curl -sS --max-time 20 --interface "$1" -o "$T/body" -w '%{http_code}' \
	    "$APACHE_URL/cgi-bin/ipxe.cgi$2" || echo "curl-failed"
}
M3=52:54:00:00:38:03
se3ipxe set-action --yes $M3 fakeinstall:install > /dev/null 2>&1
T3=$(token_of $M3)
ID3=$(sqlite3 "$db" "SELECT id FROM actions WHERE mac = '$M3'")
is "$(get 127.0.0.1 "?mac=$M3&platform=pcbios")" 200 "Apache: the machine boots from 127.0.0.1"
grep -q "token=$T3" "$T/body"; ok $? "Apache: ... its script"
is "$(sqlite3 "$db" "SELECT bound_addr FROM actions WHERE id = $ID3")" 127.0.0.1 \
    "Apache: REMOTE_ADDR 127.0.0.1 pinned"
before=$(action_row $M3)
is "$(get 127.0.0.2 "?mac=$M3&platform=pcbios")" 200 "Apache: a boot from 127.0.0.2: 200"
! grep -q "$T3" "$T/body" && grep -q '^#!ipxe' "$T/body"; ok $? "Apache: ... a script without the token"
is "$(get 127.0.0.2 "/report?token=$T3&status=done&msg=pwned")" 403 "Apache: a report from 127.0.0.2: 403"
is "$(get 127.0.0.2 "/file/preseed.cfg?token=$T3")" 403 "Apache: a file from 127.0.0.2: 403"
is "$(action_row $M3)" "$before" "Apache: 127.0.0.2 changed nothing"
is "$(count "action_id = $ID3 AND event LIKE '%-refused' AND addr = '127.0.0.2'")" 3 \
    "Apache: three refusals recorded with 127.0.0.2"
is "$(get 127.0.0.1 "/report?token=$T3&status=done")" 200 "Apache: the report from 127.0.0.1: 200"
is "$(sqlite3 "$db" "SELECT state FROM actions WHERE id = $ID3")" done "Apache: done"
apache_stop "$T/apache"
done_testing
