#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The whole life of actions through a private Apache on 127.0.0.1: oneshot, report mode with tokens, max_boots.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/t/lib/apache.sh"

# ---------------------------------------------------------------- TAP
n=0 failed=0
ok() {	# ok CONDITION-STATUS NAME
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}
is() {	# is GOT EXPECTED NAME
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		echo "#   got:      '$1'"
		echo "#   expected: '$2'"
	fi
}
t() {	# t NAME COMMAND...: ok when the command succeeds
	_t_name=$1
	shift
	if "$@"; then ok 0 "$_t_name"; else ok 1 "$_t_name"; fi
}
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
bail() { echo "Bail out! $*"; exit 1; }

cgi=$top/cgi/ipxe.cgi
cli=$top/cli/se3-ipxe
for f in "$cgi" "$cli"; do
	[ -x "$f" ] || { echo "1..0 # SKIP $f is not built"; exit 0; }
done
apache_available || { echo "1..0 # SKIP apache2 with mod_cgid, or curl, is not installed"; exit 0; }
for c in python3 sqlite3; do
	command -v "$c" >/dev/null 2>&1 || { echo "1..0 # SKIP $c is not installed"; exit 0; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/se3-ipxe-40.XXXXXX")
cleanup() {
	apache_stop "$tmp/apache" || :
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---------------------------------------------------------------- set-up
# Everything Apache's user reads lives in $tmp: the CGI, modules, templates,
# the config; the database directory belongs to that user, as in production.
mkdir -p "$tmp/apache" "$tmp/cgi-bin" "$tmp/doc/boot" "$tmp/db" \
    "$tmp/modules" "$tmp/templates" "$tmp/testmodules/fakeinstall"
cp "$cgi" "$tmp/cgi-bin/ipxe.cgi"
cp -R "$top/modules/." "$tmp/modules/"
cp -R "$top/templates/." "$tmp/templates/"

# A test module: report completion, at most 3 boots, and a template that
# shows the token in a URL so the test can play the installer.
cat >"$tmp/testmodules/fakeinstall/module.ini" <<'EOF'
[module]
name = fakeinstall
description = A pretend installer for t/40-apache.t
version = 1.0

[capability install]
description = pretend to install, then report
template = install.ipxe
completion = report
max_boots = 3
destructive = no
EOF
cat >"$tmp/testmodules/fakeinstall/install.ipxe" <<'EOF'
#!ipxe
# fakeinstall for {{mac}}: boot {{boots}} of {{max_boots}} ({{action}})
imgfetch {{report_url}}?token={{token}}&status=running ||
exit 1
EOF

chmod -R a+rX "$tmp"
if [ "$(id -u)" = 0 ]; then
	chown "$APACHE_USER:$APACHE_GROUP" "$tmp/db"
fi

conf=$tmp/se3-ipxe.conf
db=$tmp/db/se3-ipxe.db
# Sanitizer settings reach a CGI under Apache only through SetEnv.
set -- "SE3_IPXE_CONFIG=$conf"
for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
	eval "val=\${$v:-}"
	[ -z "$val" ] || set -- "$@" "$v=$val"
done
apache_start "$tmp/apache" "$tmp/cgi-bin" "$tmp/doc" "$@" ||
    bail "cannot start apache"

cat >"$conf" <<EOF
[database]
path = $db

[modules]
path = $tmp/modules:$tmp/testmodules
templates = $tmp/templates

[server]
boot_url = $APACHE_URL/boot
cgi_url = $APACHE_URL/cgi-bin/ipxe.cgi
boot_root = $tmp/doc/boot
EOF
chmod a+r "$conf"

# ---------------------------------------------------------------- helpers
se3() {
	"$cli" -c "$conf" "$@"
}

# get PATH?QUERY: the HTTP status on stdout; headers and body in $tmp/hdr, $tmp/body.
get() {
	curl -sS --max-time 20 -D "$tmp/hdr" -o "$tmp/body" -w '%{http_code}' \
	    "$APACHE_URL$1" || echo "curl-failed"
}

boot() {	# boot MAC: one boot request like iPXE's
	get "/cgi-bin/ipxe.cgi?mac=$1&platform=pcbios&buildarch=i386"
}

report() {	# report QUERY
	get "/cgi-bin/ipxe.cgi/report?$1"
}

body_first() { head -n 1 "$tmp/body" | tr -d '\r'; }
content_type() {
	sed -n 's/^[Cc]ontent-[Tt]ype: *\([^;[:space:]]*\).*/\1/p' "$tmp/hdr" | tr -d '\r'
}
body_has() { grep -q -e "$1" "$tmp/body"; }
logged() {	# logged COMMAND...: run it quietly; its output is shown if it fails
	if "$@" >"$tmp/out" 2>&1; then
		return 0
	fi
	diag "$*:" "$(cat "$tmp/out")"
	return 1
}
is_local() {	# the body is the local-boot answer, not an action
	body_has 'sanboot\|^exit' && ! body_has 'memtest\|fakeinstall'
}

# field MAC PATH: a value from `status --json MAC`, PATH being dotted
# (action.state, machine.boots); "null" for JSON null, MISSING if absent.
field() {
	se3 status --json "$1" >"$tmp/status.json" 2>"$tmp/status.err" || {
		echo "status-failed: $(cat "$tmp/status.err")"
		return 0
	}
	python3 - "$tmp/status.json" "$1" "$2" <<'EOF'
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

code=$(boot "$m1")
is "$code" 200 "boot 1 of $m1: HTTP 200"
is "$(content_type)" text/plain "boot 1: Content-Type text/plain"
is "$(body_first)" '#!ipxe' "boot 1: the body starts with #!ipxe"
t "boot 1: the script runs memtest" body_has memtest
is "$(field "$m1" action.state)" done "a oneshot action is done once served"

code=$(boot "$m1")
is "$code" 200 "boot 2 of $m1: HTTP 200"
is "$(body_first)" '#!ipxe' "boot 2: the body starts with #!ipxe"
t "boot 2: local boot (sanboot or exit, no memtest)" is_local
is "$(field "$m1" machine.boots)" 2 "machines.boots counts both boots of $m1"

# ---------------------------------------------------------------- report
m2=52:54:00:00:00:02
t "set-action $m2 fakeinstall:install (test module)" logged se3 set-action "$m2" fakeinstall:install
is "$(field "$m2" action.state)" pending "the new action is pending"

code=$(boot "$m2")
is "$code" 200 "report life, boot 1: HTTP 200"
t "boot 1: the fakeinstall script" body_has 'fakeinstall for'
token=$(sed -n 's/.*[?&]token=\([0-9a-f]*\).*/\1/p' "$tmp/body" | head -n 1)
t "boot 1: the script carries a token" [ -n "$token" ]
t "boot 1: report_url is the CGI's /report" body_has "report?token=$token&status=running"
t "boot 1: boots and max_boots rendered (1 of 3)" body_has 'boot 1 of 3'
is "$(field "$m2" action.state)" booting "served, no report yet: booting"
is "$(field "$m2" action.boots)" 1 "action boots = 1"

code=$(boot "$m2")
is "$code" 200 "boot 2: HTTP 200"
t "boot 2: the script again, counted (2 of 3)" body_has 'boot 2 of 3'
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
is "$(field "$m2" action.state)" done "state done"

code=$(boot "$m2")
is "$code" 200 "boot after done: HTTP 200"
t "boot after done: local boot" is_local
is "$(field "$m2" action.boots)" 2 "the local boot did not count as an action boot"

code=$(report "token=$token&status=done")
is "$code" 403 "the replayed done report: HTTP 403"
is "$(field "$m2" action.state)" done "after the replay: still done"
is "$(field "$m2" machine.boots)" 3 "machines.boots counts all 3 boots of $m2"

# ---------------------------------------------------------------- max_boots
m3=52:54:00:00:00:03
t "set-action $m3 fakeinstall:install" logged se3 set-action "$m3" fakeinstall:install
for i in 1 2 3; do
	code=$(boot "$m3")
	is "$code" 200 "max_boots life, boot $i: HTTP 200"
	t "boot $i: the fakeinstall script ($i of 3)" body_has "boot $i of 3"
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
    "$tmp/apache/access.log"
if grep -E 'AH0[0-9]+: (.*(segfault|exit signal)|.*Premature end of script headers)' \
    "$tmp/apache/error.log" >"$tmp/crashes"; then
	ok 1 "no CGI crash in Apache's error log"
	diag "$(cat "$tmp/crashes")"
else
	ok 0 "no CGI crash in Apache's error log"
fi
is "$(sqlite3 "$db" 'PRAGMA integrity_check;' 2>&1)" ok "PRAGMA integrity_check"

echo "1..$n"
if [ "$failed" -gt 0 ]; then
	diag "Apache error log:" "$(tail -n 30 "$tmp/apache/error.log" 2>/dev/null)"
fi
[ "$failed" = 0 ]
