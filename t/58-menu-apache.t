#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# menu:maintenance behind Apache with the shipped log lines: the technician's password reaches no access or error log.
set -eu

cd "$(dirname "$0")/.."
. t/lib/apache.sh
# The shipped configuration marks menu requests with mod_setenvif.
APACHE_MODULES="$APACHE_MODULES setenvif"

for f in cgi/ipxe.cgi cli/se3-ipxe; do
	[ -x "$f" ] || { echo "1..0 # SKIP $f is not built"; exit 0; }
done
apache_available || { echo "1..0 # SKIP apache2 with mod_cgid and mod_setenvif, or curl, is not installed"; exit 0; }
command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP sqlite3 is not installed"; exit 0; }

. t/lib/tap.sh

cleanup() {
	apache_stop "$T/apache" || :
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mkdir -p "$T/apache" "$T/cgi-bin" "$T/doc" "$T/db"
cp "$TOP/cgi/ipxe.cgi" "$T/cgi-bin/ipxe.cgi"
chmod -R a+rX "$T"
[ "$(id -u)" != 0 ] || chown "$APACHE_USER:$APACHE_GROUP" "$T/db"
conf=$T/se3-ipxe.conf
db=$T/db/se3-ipxe.db

# The lines debian/se3-ipxe.apache2.conf ships, logging into $T/apache; the
# site's own log with the condition the shipped comment asks for.
APACHE_EXTRA_CONF=$(sed -n '/^# BEGIN menu$/,/^# END menu$/p' "$TOP/debian/se3-ipxe.apache2.conf" |
    sed "s|\${APACHE_LOG_DIR}|$T/apache|")
APACHE_LOG_ENV='env=!se3_ipxe_menu'
export APACHE_EXTRA_CONF APACHE_LOG_ENV
case $APACHE_EXTRA_CONF in
*GlobalLog*) ok 0 "the shipped configuration has the menu's log lines" ;;
*) ok 1 "the shipped configuration has the menu's log lines" ;;
esac
set -- "SE3_IPXE_CONFIG=$conf"
for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
	eval "val=\${$v:-}"
	[ -z "$val" ] || set -- "$@" "$v=$val"
done
apache_start "$T/apache" "$T/cgi-bin" "$T/doc" "$@" || { echo "Bail out! cannot start apache"; exit 1; }

cat > "$conf" <<EOC
[database]
path = $db
[modules]
path = $TOP/modules
templates = $TOP/templates
[server]
boot_url = $APACHE_URL/boot
cgi_url = $APACHE_URL/cgi-bin/ipxe.cgi
[menu]
password_hash = \$y\$j9T\$F5Jx5fExrKuPp53xLKQ..1\$dEtaojwO.bxYCi1WgD7PW/SrN5UaS216msM2coRgEJ7
EOC
chmod a+r "$conf"
"$TOP/cli/se3-ipxe" -c "$conf" init > /dev/null
[ "$(id -u)" != 0 ] || chown -R "$APACHE_USER:$APACHE_GROUP" "$T/db"
M=52:54:00:00:cc:01
"$TOP/cli/se3-ipxe" -c "$conf" set-action $M menu:maintenance > /dev/null

get() { curl -sS --max-time 20 -o "$T/body" -w '%{http_code}' "$APACHE_URL$1" || echo curl-failed; }

is "$(get "/cgi-bin/ipxe.cgi?mac=$M&platform=pcbios")" 200 "boot: 200"
grep -q 'login' "$T/body"; ok $? "boot: the menu script"
TOK=$(sqlite3 "$db" "SELECT token FROM actions WHERE mac='$M'")
is "$(get "/cgi-bin/ipxe.cgi/menu?token=$TOK&password=hunter2-wrong")" 200 "wrong password: 200"
grep -qx 'echo se3-ipxe: wrong password' "$T/body"; ok $? "wrong password: refused"
is "$(get "/cgi-bin/ipxe.cgi/menu?token=$TOK&password=tech%20pass")" 200 "right password: 200"
grep -q '^item --key 1 tool_memtest' "$T/body"; ok $? "right password: the tools menu"
is "$(get "/cgi-bin/ipxe.cgi/menu?token=$TOK&password=tech%20pass&tool=memtest:run")" 200 "a tool: 200"

# Apache writes its logs after the answer: wait (bounded) for the last line.
n=0
while [ $n -lt 50 ] && [ "$(grep -c . "$T/apache/se3-ipxe-menu.log" 2>/dev/null || echo 0)" -lt 3 ]; do
	sleep 0.1
	n=$((n + 1))
done
is "$(grep -c . "$T/apache/se3-ipxe-menu.log")" 3 "the menu log has the 3 menu requests"
grep -q 'GET /cgi-bin/ipxe.cgi/menu HTTP/1.1" 200' "$T/apache/se3-ipxe-menu.log"; ok $? "...without their query"
grep -c 'ipxe.cgi?mac=' "$T/apache/access.log" > "$T/n" || :
is "$(cat "$T/n")" 1 "the access log has the boot"
grep -c 'ipxe.cgi/menu' "$T/apache/access.log" > "$T/n" || :
is "$(cat "$T/n")" 0 "the access log has no menu request"
cat "$T/apache/"*.log > "$T/all.log"
grep -c 'hunter2\|tech%20pass\|tech pass' "$T/all.log" > "$T/n" || :
is "$(cat "$T/n")" 0 "no password in any Apache log ($(wc -l < "$T/all.log") lines)"
grep -q 'menu: refused: action' "$T/apache/error.log"; ok $? "the refusal is in the error log, without the password"

done_testing
