#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# clone --from --sysprep against real smbds: the script lands in ADMIN$ byte for byte (CRLF, no secret), the service steps with credentials by file, Samba's refusal to create a service, a wrong password, a read-only ADMIN$, a closed port and a guarded address each fail the session naming it, and the script's report moves it (done: its save released; failed; a wrong token; no report in time).
#
# smbd switches groups (setgroups), which a user namespace refuses: the
# test needs root, and runs itself again inside a network namespace of
# its own (`unshare -n`): every smbd, push and report stays on its lo.
cd "$(dirname "$0")/.."
need="unshare ip smbd smbclient sqlite3 python3"
if [ "${SIP_IN_NETNS-}" != 1 ]; then
	for tool in $need; do
		if ! command -v "$tool" > /dev/null; then
			[ -n "${E2E_REQUIRE:-}" ] && { echo "Bail out! $tool not installed"; exit 1; }
			echo "1..0 # SKIP $tool not installed"
			exit 0
		fi
	done
	if [ "$(id -u)" != 0 ] || ! unshare -n true 2> /dev/null; then
		echo "1..0 # SKIP smbd needs root and a network namespace (unshare -n)"
		exit 0
	fi
	SIP_IN_NETNS=1 exec unshare -n sh "$0" "$@"
fi
for f in cgi/ipxe.cgi cli/se3-ipxe; do
	[ -x "$f" ] || { echo "1..0 # SKIP $f is not built"; exit 0; }
done
. t/lib/tap.sh
. t/lib/cli.sh
MCAST_DIR=$T/mc
. t/lib/mcast.sh
SMBPIDS=""
runners() { sqlite3 "$T/db/se3-ipxe.db" "SELECT runner_pid FROM mcast_sessions WHERE runner_pid > 0" 2> /dev/null; }
# smbd starts samba-dcerpcd and its rpcd_* for net rpc: found by this test's own directory.
trap 'for p in $SMBPIDS $(runners); do kill -TERM -- -"$p" 2> /dev/null; kill -9 "$p" 2> /dev/null; done
for p in $(pgrep -f -- "--configfile=$T/smb-"); do kill -9 "$p" 2> /dev/null; done; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM HUP
ip link set lo up
ip addr add 127.0.0.3/8 dev lo
# The members' segment: udp-sender's interface must exist, up and multicast.
ip link add sp0 type veth peer name sp1 && ip link set sp1 up &&
    ip link set sp0 multicast on up && ip addr add 10.80.0.1/24 dev sp0 ||
    { echo "Bail out! no veth pair"; exit 1; }

PORT=40445
SECRET='Adm1n-S3cr3t-n0t-in-the-script'
listening() {	# listening ADDR: a TCP connect to ADDR:$PORT succeeds
	python3 -c 'import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 1).close()' "$1" "$PORT" 2> /dev/null
}
# smbd_start NAME ADDR [SHARE OPTION...]: a private smbd on ADDR:$PORT
# with an ADMIN$ share (C:\Windows) root may log on to with $SECRET.
smbd_start() {
	_s=$T/smb-$1 _a=$2
	shift 2
	mkdir -p "$_s/private" "$_s/lock" "$_s/state" "$_s/cache" "$_s/pid" "$_s/ncalrpc" "$_s/win/Temp"
	{
		printf '[global]\n\tsmb ports = %s\n\tinterfaces = %s\n' "$PORT" "$_a"
		printf '\tbind interfaces only = yes\n\tdisable netbios = yes\n'
		for d in private lock state cache pid ncalrpc; do printf '\t%s directory = %s/%s\n' "$d" "$_s" "$d"; done |
		    sed 's/ncalrpc directory/ncalrpc dir/; s/private directory/private dir/'
		printf '\tlog file = %s/log.%%m\n\tpassdb backend = tdbsam:%s/private/passdb.tdb\n' "$_s" "$_s"
		printf '\tserver role = standalone server\n\tload printers = no\n\tdisable spoolss = yes\n'
		printf '\tserver min protocol = SMB2\n'
		printf '[ADMIN$]\n\tpath = %s/win\n\tvalid users = root\n' "$_s"
		for o in "$@"; do printf '\t%s\n' "$o"; done
	} > "$_s/smb.conf"
	printf '%s\n%s\n' "$SECRET" "$SECRET" | smbpasswd -c "$_s/smb.conf" -s -a root > /dev/null
	setsid smbd --foreground --no-process-group -s "$_s/smb.conf" --debug-stdout < /dev/null > "$_s/smbd.out" 2>&1 &
	SMBPIDS="$SMBPIDS $!"
	_i=0
	until listening "$_a" || [ $_i -ge 100 ]; do _i=$((_i + 1)); sleep 0.1; done
}
smbd_start rw 127.0.0.1 "read only = no"
smbd_start ro 127.0.0.3 "read only = yes"
listening 127.0.0.1 && listening 127.0.0.3
ok $? "two private smbds listen (ADMIN\$ writable on 127.0.0.1, read-only on 127.0.0.3)"

# A stand-in net: its argv, one argument a line, and that -A's file is
# the private one; `net rpc service create` answered as Windows does.
mkdir -p "$T/bin" "$T/calls"
cat > "$T/bin/net" <<EOS
#!/bin/sh
f=\$(mktemp "$T/calls/net.XXXXXX")
for a in "\$@"; do printf '%s\n' "\$a"; done > "\$f"
case "\$3" in
start) echo "Start service request failed.  [WERR_SERVICE_REQUEST_TIMEOUT]"; exit 255 ;;
*) echo "Successfully \$3 service" ;;
esac
EOS
chmod 755 "$T/bin/net"
printf 'username = root\npassword = %s\n' "$SECRET" > "$T/auth"
printf 'username = root\npassword = wrong-one\n' > "$T/auth-bad"
chmod 600 "$T/auth" "$T/auth-bad"

# t/73's worker module: save and restore.
mcast_worker_module
conf() {	# conf FILE NET AUTH: the test's config with that net and credential
	MODULE_PATH=$T/modules write_config "$1" "[images]" "dir = $T/images" \
	    "[reboot]" "net = $2" "net_auth_file = $3" "smbclient = $(command -v smbclient)" \
	    "windows_port = $PORT" "timeout = 20" "[network]" "subnets = 127.0.0.0/8"
}
conf "$T/se3-ipxe.conf" "$T/bin/net" "$T/auth"
conf "$T/real-net.conf" "$(command -v net)" "$T/auth"
conf "$T/bad-auth.conf" "$T/bin/net" "$T/auth-bad"
"$SIP" -c "$T/se3-ipxe.conf" init > /dev/null || { echo "Bail out! init"; exit 1; }

q() { sqlite3 -cmd '.timeout 5000' "$T/db/se3-ipxe.db" "$1"; }
field() {	# field SESSION PYTHON-EXPR (d is the session's JSON)
	"$SIP" -c "$T/se3-ipxe.conf" session show --json "$1" 2> /dev/null |
	    python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"
}
state() { field "$1" 'd["state"]'; }
reason() { field "$1" 'd["reason"]'; }
wait_state() {	# wait_state SESSION SECONDS STATE
	_n=0
	while [ "$(state "$1")" != "$3" ] && [ $_n -lt $(($2 * 5)) ]; do _n=$((_n + 1)); sleep 0.2; done
	[ "$(state "$1")" = "$3" ]
}
astate() { q "SELECT state FROM actions WHERE mac = '$1' ORDER BY id DESC LIMIT 1"; }
clone() {	# clone CONF ARGS...
	_c=$1
	shift
	"$SIP" -c "$_c" clone --yes --interface sp0 "$@"
}
token() { q "SELECT prep_token FROM mcast_sessions WHERE id = $1"; }
report() { cgi GET /report "token=$1&status=$2&msg=$3"; }

M0=52:54:00:80:00:10 M1=52:54:00:80:00:01 MRO=52:54:00:80:00:13
MOFF=52:54:00:80:00:14 MOUT=52:54:00:80:00:15
# The masters' addresses, as their last boots left them.
for m in $M0 $MRO $MOFF $MOUT; do boot "mac=$m"; done
"$SIP" -c "$T/se3-ipxe.conf" tick > /dev/null 2>&1
q "UPDATE machines SET ip = '127.0.0.1' WHERE mac = '$M0'"
q "UPDATE machines SET ip = '127.0.0.3' WHERE mac = '$MRO'"
q "UPDATE machines SET ip = '127.0.0.4' WHERE mac = '$MOFF'"
q "UPDATE machines SET ip = '10.99.0.5' WHERE mac = '$MOUT'"

# --- refused before anything is written ---------------------------------------
clone "$T/se3-ipxe.conf" --sysprep img1 $M1 > "$T/o" 2> "$T/e"
is "$?" 2 "--sysprep without --from: usage ($(cat "$T/e"))"
clone "$T/se3-ipxe.conf" --from $M0 --sysprep-timeout 5 img1 $M1 > "$T/o" 2> "$T/e"
is "$?" 2 "--sysprep-timeout 5: usage ($(cat "$T/e"))"
MODULE_PATH=$T/modules write_config "$T/no-auth.conf" "[images]" "dir = $T/images"
clone "$T/no-auth.conf" --from $M0 --sysprep img1 $M1 > "$T/o" 2> "$T/e"
ok $(( $? == 0 )) "no [reboot] net_auth_file: refused ($(cat "$T/e"))"
clone "$T/se3-ipxe.conf" --from 52:54:00:80:00:99 --sysprep img1 $M1 > "$T/o" 2> "$T/e"
ok $(( $? == 0 )) "a master never seen: no address, refused ($(cat "$T/e"))"
is "$(q 'SELECT count(*) FROM mcast_sessions') $(q 'SELECT count(*) FROM actions')" "0 0" "... no session, no action left behind"

# --- pushed and started: the script in ADMIN$, the service steps ----------------
clone "$T/se3-ipxe.conf" --from $M0 --sysprep img1 $M1 > "$T/o" 2> "$T/e"
is "$?" 0 "clone --from --sysprep: one command ($(cat "$T/e"))"
is "$(tail -n 1 "$T/o")" "session 1: sysprep on $M0 (127.0.0.1), then saved as img1, then sent to 1 machine (they start once it is saved), port 9000 on sp0" \
    "... says the sysprep, the address, the save and the machines"
is "$(state 1)" preparing "... the session is preparing"
is "$(field 1 'd["master"], d["sysprep_addr"], d["sysprep_until"] - d["start_at"], "prep_token" in d')" "$M0 127.0.0.1 2400 False" \
    "... session show --json: its master, the address and the deadline (40 min), not the token"
is "$(astate $M0) $(astate $M1)" "scheduled scheduled" "... the master's save and the member's restore are held, scheduled"
boot "mac=$M0"
! grep -q "^echo save" "$T/body"; ok $? "... a master that boots now is not served its save"
PUSHED=$T/smb-rw/win/Temp/se3-ipxe/prep-1.cmd
_n=0
while [ "$(ls "$T/calls" | wc -l)" -lt 3 ] && [ $_n -lt 100 ]; do _n=$((_n + 1)); sleep 0.2; done
[ -f "$PUSHED" ]; ok $? "the script is in ADMIN\$: C:\\Windows\\Temp\\se3-ipxe\\prep-1.cmd"
TOK=$(token 1)
sed "s/$TOK/TOKEN/" "$PUSHED" > "$T/pushed"
cmp -s "$T/pushed" t/golden/sysprep/prep-1.cmd; ok $? "... byte for byte the golden script (the token aside)"
is "$(tr -cd '\r' < "$PUSHED" | wc -c)" "$(wc -l < "$PUSHED" | tr -d ' ')" "... every line ends CRLF"
! grep -q "$SECRET" "$PUSHED" && grep -q "T=token=$TOK\"" "$PUSHED"
ok $? "... no secret in it, the session's token for its report"
grep -q 'sysprep.exe" /generalize /oobe /quit' "$PUSHED"; ok $? "... it runs sysprep /generalize /oobe /quit"
for f in "$T"/calls/net.*; do tr '\n' ' ' < "$f"; echo; done | sort -t' ' -k3 > "$T/netcalls"
is "$(cut -d' ' -f1-3 "$T/netcalls" | sort | tr '\n' ',')" "rpc service create,rpc service delete,rpc service start," \
    "net rpc service create, start, delete"
grep -q "^rpc service create se3ipxe-sysprep-1 se3-ipxe sysprep 1 cmd.exe /c start \"se3-ipxe\" /b %SystemRoot%\\\\Temp\\\\se3-ipxe\\\\prep-1.cmd -I 127.0.0.1 -A $T/auth -p $PORT $" "$T/netcalls"
ok $? "... create: the service runs the script by cmd.exe, credentials by -A file ($(head -n 1 "$T/netcalls"))"
! grep -rq "$SECRET" "$T/calls" "$T/o" "$T/e" "$T"/db/mcast-1.log; ok $? "no secret in any argv, output or the runner's log"
sleep 1
is "$(state 1)" preparing "Windows' 'did not respond' to the start is the script started: still preparing"

report 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef done ""
ok $(( status == 200 )) "a report with a wrong token: refused (status $status)"
is "$(state 1)" preparing "... the session still preparing"
q "UPDATE mcast_sessions SET prep_addr = '127.0.0.9' WHERE id = 1"
report "$TOK" done "prepared"
ok $(( status == 200 )) "the right token from another address than the master's: refused (status $status)"
is "$(state 1)" preparing "... the session still preparing"
q "UPDATE mcast_sessions SET prep_addr = '127.0.0.1' WHERE id = 1"
report "$TOK" done "prepared"
is "$status" 200 "the script's done report with the session's token: taken"
wait_state 1 10 saving; ok $? "... preparing -> saving"
is "$(q "SELECT detail FROM history WHERE mac = '$M1' AND event = 'session' ORDER BY id DESC LIMIT 1")" \
    "session 1: preparing -> saving (prepared): $M0 prepared by sysprep: it reboots to be saved as img1" \
    "... in the members' history: preparing -> saving (prepared)"
"$SIP" -c "$T/se3-ipxe.conf" tick > /dev/null 2>&1
is "$(astate $M0) $(astate $M1)" "pending scheduled" "... the master's save released (pending), the member still held"
boot "mac=$M0"
grep -q "^echo save img1 zstd" "$T/body"; ok $? "... the master reboots into its save"
report "$TOK" done "again"
ok $(( status == 200 )) "the token is spent once the session is saving (status $status)"
"$SIP" -c "$T/se3-ipxe.conf" session cancel 1 > /dev/null 2>&1

# --- the script's failure -------------------------------------------------------
rm -f "$T"/calls/*
clone "$T/se3-ipxe.conf" --from $M0 --sysprep img1 $M1 > "$T/o" 2> "$T/e"
is "$?" 0 "clone --from --sysprep (session 2)"
_n=0
while [ "$(ls "$T/calls" | wc -l)" -lt 3 ] && [ $_n -lt 100 ]; do _n=$((_n + 1)); sleep 0.2; done
report "$(token 2)" failed "sysprep.exe%20exit%20code%2031"
wait_state 2 10 failed; ok $? "a failed report: preparing -> failed"
is "$(reason 2)" "sysprep on $M0 failed: sysprep.exe exit code 31" "... naming it"
is "$(astate $M0) $(astate $M1)" "cancelled cancelled" "... the master's save and the member's restore cancelled"

# --- no report in time ------------------------------------------------------------
rm -f "$T"/calls/*
clone "$T/se3-ipxe.conf" --from $M0 --sysprep --sysprep-timeout 60 img1 $M1 > "$T/o" 2> "$T/e"
is "$?" 0 "clone --from --sysprep --sysprep-timeout 60 (session 3)"
_n=0
while [ "$(ls "$T/calls" | wc -l)" -lt 3 ] && [ $_n -lt 100 ]; do _n=$((_n + 1)); sleep 0.2; done
is "$(q 'SELECT prep_until - start_at FROM mcast_sessions WHERE id = 3')" 60 "... its deadline 60 s after its start"
q "UPDATE mcast_sessions SET prep_until = strftime('%s', 'now') WHERE id = 3"
wait_state 3 10 failed; ok $? "no report by the deadline: failed"
reason 3 | grep -q "^no report from $M0's sysprep within"; ok $? "... naming it: $(reason 3)"
is "$(astate $M0) $(astate $M1)" "cancelled cancelled" "... the master's save and the member's restore cancelled"

# --- cancelled while preparing ---------------------------------------------------
clone "$T/se3-ipxe.conf" --from $M0 --sysprep img1 $M1 > "$T/o" 2> "$T/e"
is "$?" 0 "clone --from --sysprep (session 4)"
"$SIP" -c "$T/se3-ipxe.conf" session cancel 4 > /dev/null 2>&1
sleep 2
is "$(state 4) $(astate $M0) $(astate $M1)" "cancelled cancelled cancelled" "cancelled while preparing: the session, the save and the restore"

# --- its runner killed while preparing: the tick fails it -----------------------
clone "$T/se3-ipxe.conf" --from $M0 --sysprep img1 $M1 > "$T/o" 2> "$T/e"
is "$?" 0 "clone --from --sysprep (session 5)"
_n=0
while [ -z "$(q 'SELECT runner_pid FROM mcast_sessions WHERE id = 5 AND runner_pid > 0')" ] && [ $_n -lt 50 ]; do _n=$((_n + 1)); sleep 0.2; done
kill -9 "$(q 'SELECT runner_pid FROM mcast_sessions WHERE id = 5')"
sleep 0.5
"$SIP" -c "$T/se3-ipxe.conf" tick > "$T/o" 2>&1
is "$(state 5) $(astate $M0) $(astate $M1)" "failed cancelled cancelled" \
    "its runner killed while preparing: the tick fails it, and cancels the held save and restore"

# --- each failure of the push, named -------------------------------------------
# fails CONF MASTER SESSION PATTERN DESCRIPTION
fails() {
	clone "$1" --from "$2" --sysprep img1 $M1 > "$T/o" 2> "$T/e" || echo "# clone: $(cat "$T/e")"
	wait_state "$3" 40 failed
	ok $? "$5: failed"
	_r=$(reason "$3")
	case "$_r" in *$4*) ok 0 "... naming it: $_r" ;; *) ok 1 "... naming it ($4): $_r" ;; esac
	is "$(astate "$2") $(astate $M1)" "cancelled cancelled" "... its save and restore cancelled"
}
fails "$T/bad-auth.conf" $M0 6 "auth: logon failure" "a wrong password"
fails "$T/se3-ipxe.conf" $MRO 7 "access denied (ADMIN\$ not writable" "a read-only ADMIN\$"
fails "$T/se3-ipxe.conf" $MOFF 8 "connection refused" "no SMB server at the address"
fails "$T/se3-ipxe.conf" $MOUT 9 "none of the ?network? subnets" "an address the guard refuses"
rm -f "$T/smb-rw/win/Temp/se3-ipxe/prep-10.cmd"
fails "$T/real-net.conf" $M0 10 "service create at 127.0.0.1: the server has no Windows service manager" "Samba's net against Samba (no service manager)"
[ -f "$T/smb-rw/win/Temp/se3-ipxe/prep-10.cmd" ]; ok $? "... after the script was pushed"
! grep -rq "$SECRET" "$T"/db/mcast-*.log "$T/db/se3-ipxe.db"; ok $? "no secret in the runners' logs or the database"
n=$(ls "$T/db" | grep -c sysprep)
ok $(( n > 1 )) "the scripts' local copies (beside the database) removed, but perhaps the killed runner's ($n left)"
! grep -q 'Sanitizer\|runtime error' "$T"/db/mcast-*.log; ok $? "no sanitizer report in the runners' logs"

done_testing
