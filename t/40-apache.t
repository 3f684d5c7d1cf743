#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The whole life of actions through a private Apache on 127.0.0.1: oneshot, report mode with tokens, max_boots.
set -eu

cd "$(dirname "$0")/.."
. t/lib/apache.sh

for f in cgi/ipxe.cgi cli/se3-ipxe; do
	[ -x "$f" ] || { echo "1..0 # SKIP $f is not built"; exit 0; }
done
apache_available || { echo "1..0 # SKIP apache2 with mod_cgid, or curl, is not installed"; exit 0; }
for c in python3 sqlite3; do
	command -v "$c" >/dev/null 2>&1 || { echo "1..0 # SKIP $c is not installed"; exit 0; }
done

. t/lib/tap.sh		# ok, is, done_testing; $T, $TOP
. t/lib/fakeinstall.sh	# make_fakeinstall

t() {	# t NAME COMMAND...: ok when the command succeeds
	_t_name=$1
	shift
	if "$@"; then ok 0 "$_t_name"; else ok 1 "$_t_name"; fi
}
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
bail() { echo "Bail out! $*"; exit 1; }

cleanup() {
	apache_stop "$T/apache" || :
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---------------------------------------------------------------- set-up
# Everything Apache's user reads lives in $T: the CGI, modules, templates,
# the config; the database directory belongs to that user, as in production.
mkdir -p "$T/apache" "$T/cgi-bin" "$T/doc/boot" "$T/db" "$T/modules" "$T/templates"
cp "$TOP/cgi/ipxe.cgi" "$T/cgi-bin/ipxe.cgi"
cp -R "$TOP/modules/." "$T/modules/"
cp -R "$TOP/templates/." "$T/templates/"
# The report-mode module: completion report, max_boots 3, and a script
# that shows its token in the report URL, so the test can play the installer.
make_fakeinstall

chmod -R a+rX "$T"
if [ "$(id -u)" = 0 ]; then
	chown "$APACHE_USER:$APACHE_GROUP" "$T/db"
fi

conf=$T/se3-ipxe.conf
db=$T/db/se3-ipxe.db
# Sanitizer settings reach a CGI under Apache only through SetEnv.
set -- "SE3_IPXE_CONFIG=$conf"
for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
	eval "val=\${$v:-}"
	[ -z "$val" ] || set -- "$@" "$v=$val"
done
apache_start "$T/apache" "$T/cgi-bin" "$T/doc" "$@" ||
    bail "cannot start apache"

cat >"$conf" <<EOF
[database]
path = $db

[modules]
path = $T/modules
templates = $T/templates

[server]
boot_url = $APACHE_URL/boot
cgi_url = $APACHE_URL/cgi-bin/ipxe.cgi
boot_root = $T/doc/boot
EOF
chmod a+r "$conf"

# ---------------------------------------------------------------- helpers
se3() {
	"$TOP/cli/se3-ipxe" -c "$conf" "$@"
}

# get PATH?QUERY: the HTTP status on stdout; headers and body in $T/hdr, $T/body.
get() {
	curl -sS --max-time 20 -D "$T/hdr" -o "$T/body" -w '%{http_code}' \
	    "$APACHE_URL$1" || echo "curl-failed"
}

# head_req PATH?QUERY: a HEAD request (curl -I); the status on stdout, headers in $T/hdr.
head_req() {
	curl -sS -I --max-time 20 -D "$T/hdr" -o /dev/null -w '%{http_code}' \
	    "$APACHE_URL$1" || echo "curl-failed"
}

boot() {	# boot MAC: one boot request like iPXE's
	get "/cgi-bin/ipxe.cgi?mac=$1&platform=pcbios&buildarch=i386"
}

report() {	# report QUERY
	get "/cgi-bin/ipxe.cgi/report?$1"
}

body_first() { head -n 1 "$T/body" | tr -d '\r'; }
content_type() {
	sed -n 's/^[Cc]ontent-[Tt]ype: *\([^;[:space:]]*\).*/\1/p' "$T/hdr" | tr -d '\r'
}
body_has() { grep -q -e "$1" "$T/body"; }
logged() {	# logged COMMAND...: run it quietly; its output is shown if it fails
	if "$@" >"$T/out" 2>&1; then
		return 0
	fi
	diag "$*:" "$(cat "$T/out")"
	return 1
}
is_local() {	# the body is the local-boot answer, not an action
	body_has 'sanboot\|^exit' && ! body_has 'memtest\|fakeinstall'
}

# field MAC PATH: a value from `status --json MAC`, PATH being dotted
# (action.state, machine.boots); "null" for JSON null, MISSING if absent.
field() {
	se3 status --json "$1" >"$T/status.json" 2>"$T/status.err" || {
		echo "status-failed: $(cat "$T/status.err")"
		return 0
	}
	python3 - "$T/status.json" "$1" "$2" <<'EOF'
import json, sys
path, mac, key = sys.argv[1:4]
with open(path) as f:
    doc = json.load(f)
v = next((e for e in doc if e.get("mac") == mac), None)
for k in key.split("."):
    v = v.get(k, "MISSING") if isinstance(v, dict) else "MISSING"
print("null" if v is None else v)
EOF
}


# ---------------------------------------------------------------- oneshot
m1=52:54:00:12:34:56
t "set-action $m1 memtest:run" logged se3 set-action "$m1" memtest:run

# HEAD (curl -I) answers the headers of the boot and changes nothing.
code=$(head_req "/cgi-bin/ipxe.cgi?mac=$m1&platform=pcbios&buildarch=i386")
is "$code" 200 "HEAD boot of $m1: HTTP 200"
t "HEAD boot: text/plain" grep -qi '^Content-Type: text/plain' "$T/hdr"
is "$(field "$m1" action.state)" pending "HEAD boot: the action stays pending"
is "$(field "$m1" action.boots)" 0 "HEAD boot: no boot counted"
code=$(head_req "/cgi-bin/ipxe.cgi/report?token=0123456789abcdef0123456789abcdef&status=done")
is "$code" 405 "HEAD report: HTTP 405"
t "HEAD report: Allow: GET, POST" grep -qi '^Allow: GET, POST' "$T/hdr"

code=$(boot "$m1")
is "$code" 200 "boot 1 of $m1: HTTP 200"
is "$(content_type)" text/plain "boot 1: Content-Type text/plain"
is "$(body_first)" '#!ipxe' "boot 1: the body starts with #!ipxe"
t "boot 1: the script runs memtest" body_has memtest
is "$(field "$m1" action.state)" "done" "a oneshot action is done once served"

code=$(boot "$m1")
is "$code" 200 "boot 2 of $m1: HTTP 200"
is "$(body_first)" '#!ipxe' "boot 2: the body starts with #!ipxe"
t "boot 2: local boot (sanboot or exit, no memtest)" is_local
is "$(field "$m1" machine.boots)" 2 "machines.boots counts both boots of $m1"

# ---------------------------------------------------------------- report
m2=52:54:00:00:00:02
t "set-action --yes $m2 fakeinstall:install (test module)" logged se3 set-action --yes "$m2" fakeinstall:install
is "$(field "$m2" action.state)" pending "the new action is pending"

code=$(boot "$m2")
is "$code" 200 "report life, boot 1: HTTP 200"
t "boot 1: the fakeinstall script" body_has 'fakeinstall for'
token=$(sed -n 's/.*[?&]token=\([0-9a-f]*\).*/\1/p' "$T/body" | head -n 1)
t "boot 1: the script carries a token" [ -n "$token" ]
t "boot 1: report_url is the CGI's /report" body_has "report=$APACHE_URL/cgi-bin/ipxe.cgi/report?token=$token"
t "boot 1: boots and max_boots rendered (1 of 3)" body_has 'boot 1/3'
is "$(field "$m2" action.state)" booting "served, no report yet: booting"
is "$(field "$m2" action.boots)" 1 "action boots = 1"

code=$(boot "$m2")
is "$code" 200 "boot 2: HTTP 200"
t "boot 2: the script again, counted (2 of 3)" body_has 'boot 2/3'
is "$(field "$m2" action.boots)" 2 "action boots = 2"

code=$(report "token=$token&status=running&progress=40&msg=partitioning")
is "$code" 200 "report running progress=40: HTTP 200"
is "$(field "$m2" action.state)" running "state running"
is "$(field "$m2" action.progress)" 40 "progress 40"

bad=$(printf '%s' "$token" | tr '0-9a-f' '1-9a-f0')
code=$(report "token=$bad&status=done")
is "$code" 403 "report with a wrong token: HTTP 403"
is "$(field "$m2" action.state)" running "after the wrong token: still running"
is "$(field "$m2" action.progress)" 40 "after the wrong token: progress still 40"

code=$(report "token=$token&status=finished")
is "$code" 400 "report with a bad status: HTTP 400"
code=$(report "token=$token&status=running&progress=101")
is "$code" 400 "report with progress 101: HTTP 400"

code=$(report "token=$token&status=done&progress=100")
is "$code" 200 "report done: HTTP 200"
is "$(field "$m2" action.state)" "done" "state done"

code=$(boot "$m2")
is "$code" 200 "boot after done: HTTP 200"
t "boot after done: local boot" is_local
is "$(field "$m2" action.boots)" 2 "the local boot did not count as an action boot"

code=$(report "token=$token&status=done")
is "$code" 403 "the replayed done report: HTTP 403"
is "$(field "$m2" action.state)" "done" "after the replay: still done"
is "$(field "$m2" machine.boots)" 3 "machines.boots counts all 3 boots of $m2"

# ---------------------------------------------------------------- max_boots
m3=52:54:00:00:00:03
t "set-action --yes $m3 fakeinstall:install" logged se3 set-action --yes "$m3" fakeinstall:install
for i in 1 2 3; do
	code=$(boot "$m3")
	is "$code" 200 "max_boots life, boot $i: HTTP 200"
	t "boot $i: the fakeinstall script ($i of 3)" body_has "boot $i/3"
done
is "$(field "$m3" action.state)" booting "3 boots, no report: still booting"
code=$(boot "$m3")
is "$code" 200 "boot 4: HTTP 200"
t "boot 4: past max_boots without a report: local boot" is_local
is "$(field "$m3" action.state)" failed "past max_boots without a report: failed"
is "$(field "$m3" action.boots)" 3 "action boots stays at max_boots (3)"
code=$(boot "$m3")
t "boot 5: still local" is_local

# ---------------------------------------------------------------- server side
t "the access log records the status and %D microseconds" \
    grep -q '"GET /cgi-bin/ipxe.cgi?mac=52:54:00:00:00:03&[^"]*" 200 [0-9-]* [0-9][0-9]* ' \
    "$T/apache/access.log"
if grep -E 'AH0[0-9]+: (.*(segfault|exit signal)|.*Premature end of script headers)' \
    "$T/apache/error.log" >"$T/crashes"; then
	ok 1 "no CGI crash in Apache's error log"
	diag "$(cat "$T/crashes")"
else
	ok 0 "no CGI crash in Apache's error log"
fi
is "$(sqlite3 "$db" 'PRAGMA integrity_check;' 2>&1)" ok "PRAGMA integrity_check"

if [ "$tap_failed" -gt 0 ]; then
	diag "Apache error log:" "$(tail -n 30 "$T/apache/error.log" 2>/dev/null)"
fi
done_testing
