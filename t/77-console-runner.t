#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# console.cgi as the web server's user starts the real runner: in a network namespace of the test's, a clone made by www-data runs `se3-ipxe session run` as www-data, its udp-sender on the namespace's link, its lock and log beside the database; the console's session-cancel stops both.
#
# The namespace is made by real root without a user namespace (`unshare
# -n`), since only then does www-data exist inside it; its one link is a
# veth pair of its own with the default route, and no receiver ever
# joins: nothing leaves the namespace.
cd "$(dirname "$0")/.." || exit 1
if [ "${SIP_IN_NETNS77-}" != 1 ]; then
	[ "$(id -u)" = 0 ] ||
	    { echo "1..0 # SKIP needs root: www-data in a network namespace"; exit 0; }
	for tool in unshare ip setpriv flock pgrep udp-sender sqlite3; do
		command -v "$tool" > /dev/null ||
		    { echo "1..0 # SKIP $tool is not installed"; exit 0; }
	done
	id -u www-data > /dev/null 2>&1 ||
	    { echo "1..0 # SKIP no www-data user"; exit 0; }
	SIP_IN_NETNS77=1 SIP_OUTER_NETNS=$(readlink /proc/$$/ns/net) \
	    exec unshare -n "$0" "$@"
fi
for f in cgi/console.cgi cgi/ipxe.cgi cli/se3-ipxe; do
	[ -x "$f" ] || { echo "1..0 # SKIP $f is not built"; exit 0; }
done
if ! ip link set lo up || ! ip link add cr0 type veth peer name cr1 ||
    ! ip link set cr0 up || ! ip link set cr1 up ||
    ! ip addr add 10.77.0.1/24 dev cr0 ||
    ! ip route add default via 10.77.0.2 dev cr0; then
	echo "1..0 # SKIP cannot make the namespace's link"
	exit 0
fi
. t/lib/tap.sh
. t/lib/cgi.sh

unset SE3_IPXE_CONFIG
# Only this test's runner and sender, by their ids, and only while they are
# in this test's namespace: others run on the host, and an ended one's pid
# may have been reused.
. t/lib/netns.sh
pid=
sender=
trap 'for p in $pid $sender; do netns_own "$p" && kill -9 "$p" 2> /dev/null; done; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM HUP

write_config "$T/se3-ipxe.conf" "[status]" "probe = no" "[images]" "dir = $T/images" \
    "[network]" "subnets = 10.77.0.0/24"
db_create
M1=52:54:00:77:00:01
M2=52:54:00:77:00:02
M3=52:54:00:77:00:03
DB=$T/db/se3-ipxe.db
boot "mac=$M2&platform=efi&ip=10.77.0.12"
boot "mac=$M3&platform=pcbios&ip=10.77.0.13"
fold_seen

# One image in the catalogue (t/lib/cgi.sh).
catalogue_image img1 "$M1"
# The database's directory is the web server's, as the package makes it.
chown -R www-data:www-data "$T/db"

# wcgi METHOD QUERY [BODY]: console.cgi as www-data, admin logged in by
# the web server, the runner the built se3-ipxe.
wcgi() {
	body=${3-}
	printf '%s' "$body" | setpriv --reuid=www-data --regid=www-data --clear-groups \
	    env -i PATH="$PATH" ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
	    ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} \
	    SE3_IPXE_CONFIG="$T/se3-ipxe.conf" SE3_IPXE_BIN="$TOP/cli/se3-ipxe" \
	    GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD="$1" PATH_INFO="" QUERY_STRING="$2" \
	    SCRIPT_NAME=/cgi-bin/console.cgi HTTP_HOST=127.0.0.1:8080 REMOTE_ADDR=127.0.0.1 \
	    REMOTE_USER=admin HTTP_ORIGIN=http://127.0.0.1:8080 \
	    CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=${#body} \
	    "$TOP/cgi/console.cgi" > "$T/cout" 2> "$T/cerr"
	status=$(sed -n '1s/^Status: \([0-9]*\) .*/\1/p' "$T/cout")
}

wcgi GET "parc=-"
is "$status" 200 "the page as www-data: 200 $(cat "$T/cerr")"
TOK=$(sed -n 's/.*name="token" value="\([^"]*\)".*/\1/p' "$T/cout" | head -n 1)
[ -n "$TOK" ]; ok $? "a token for the forms"
wcgi POST "" "token=$TOK&parc=-&op=clone&image=img1&c.disk=auto&c.verify=yes&max_wait=600&m=$M2&m=$M3&confirm=2"
is "$status" 303 "clone as www-data: 303 $(cat "$T/cerr")"
sid=$(sqlite3 "$DB" 'SELECT id FROM mcast_sessions')
is "$(sqlite3 "$DB" "SELECT state || ' ' || interface || ' ' || created_by FROM mcast_sessions WHERE id = '$sid'")" \
    "forming cr0 admin" "session $sid forming on the namespace's link, by the login"

# The runner: started detached by the CGI, the one that records its pid.
pid=
i=0
while [ $i -lt 100 ]; do
	pid=$(sqlite3 "$DB" "SELECT runner_pid FROM mcast_sessions WHERE id = '$sid' AND runner_pid > 0" 2> /dev/null)
	[ -n "$pid" ] && break
	sleep 0.1
	i=$((i + 1))
done
[ -n "$pid" ]; ok $? "the runner recorded its pid ($pid) within $((i / 10)) s"
is "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status" 2> /dev/null)" "$(id -u www-data)" "the runner runs as www-data"
tr '\0' ' ' < "/proc/$pid/cmdline" 2> /dev/null | grep -q "^$TOP/cli/se3-ipxe session run $sid \$"
ok $? "its argv: se3-ipxe session run $sid ($(tr '\0' ' ' < "/proc/$pid/cmdline" 2> /dev/null))"
lock=$T/db/mcast-$sid.lock
flock -n -s "$lock" true 2> /dev/null; ok $((! $?)) "it holds the session's lock"
is "$(stat -c %U "$lock" 2> /dev/null)" www-data "the lock is www-data's"
log=$T/db/mcast-$sid.log
[ -f "$log" ] && [ "$(stat -c %U "$log")" = www-data ]; ok $? "its log beside the database, www-data's"
sender=
i=0
while [ $i -lt 100 ]; do
	sender=$(pgrep -u www-data -P "$pid" udp-sender)
	[ -n "$sender" ] && break
	sleep 0.1
	i=$((i + 1))
done
[ -n "$sender" ]; ok $? "its udp-sender started, as www-data, under the runner"
tr '\0' ' ' < "/proc/$sender/cmdline" 2> /dev/null | grep -q -- "--interface cr0"
ok $? "udp-sender on cr0: $(tr '\0' ' ' < "/proc/$sender/cmdline" 2> /dev/null | head -c 160)"

# The console's session-cancel: the runner, whose lock is held, is signalled.
wcgi POST "" "token=$TOK&parc=-&op=session-cancel&session=$sid"
is "$status" 303 "session-cancel as www-data: 303 $(cat "$T/cerr")"
i=0
while [ $i -lt 100 ] && kill -0 "$pid" 2> /dev/null; do sleep 0.1; i=$((i + 1)); done
kill -0 "$pid" 2> /dev/null; ok $((! $?)) "the runner ended within $((i / 10)) s"
kill -0 "$sender" 2> /dev/null; ok $((! $?)) "and its udp-sender"
is "$(sqlite3 "$DB" "SELECT state FROM mcast_sessions WHERE id = '$sid'")" cancelled "the session cancelled"
flock -n "$lock" true; ok $? "its lock free"

done_testing
