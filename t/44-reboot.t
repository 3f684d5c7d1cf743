#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# reboot and set-action --reboot with recording stand-ins for net, ssh and smbstatus on 127.0.0.x machines with listeners on the probe ports: argv exactly, no secret anywhere, each policy, a hang killed, a failure recorded, all or nothing.
#
# The test runs itself again inside `unshare -rn` (a user and network
# namespace of its own): the whole of 127.0.0.0/8 is its own, nothing
# it sends can leave it.
. t/lib/netns.sh
netns_enter python3 sqlite3 -- "$@"

. t/lib/tap.sh
. t/lib/cli.sh

unset SE3_IPXE_CONFIG SUDO_USER
TZ=UTC
export TZ
ip link set lo up

PW=40445	# "Windows": SMB
PL=40022	# "Linux": ssh
SECRET='S3cr3t-PW-n0t-in-argv'

# --- stand-ins: each writes its argv, one argument a line, to a file of its own
mkdir -p "$T/bin" "$T/calls"
for prog in net ssh smbstatus; do
	cat > "$T/bin/$prog" <<EOS
#!/bin/sh
f=\$(mktemp "$T/calls/$prog.XXXXXX")
for a in "\$0" "\$@"; do printf '%s\n' "\$a"; done > "\$f"
EOS
done
cp "$T/bin/smbstatus" "$T/bin/smbstatus-fails"
printf 'echo "smbstatus only works as root!"; exit 1\n' >> "$T/bin/smbstatus-fails"
cat >> "$T/bin/smbstatus" <<'EOS'
cat <<'E'

Samba version 4.17.12-Debian
PID     Username     Group        Machine                                   Protocol Version  Encryption           Signing              
----------------------------------------------------------------------------------------------------------------------------------------
12345   prof1        profs        pc-w2 (ipv4:127.0.0.12:49712)             SMB3_11           -                    partial(AES-128-CMAC)
12399   eleve7       eleves       10.9.9.9 (ipv4:10.9.9.9:50112)            SMB3_11           -                    -

E
EOS
cp "$T/bin/net" "$T/bin/net-fails"
printf 'echo "Shutdown of remote machine failed"; echo "result was: WERR_ACCESS_DENIED"; exit 1\n' >> "$T/bin/net-fails"
cp "$T/bin/net" "$T/bin/net-hangs"
printf 'sleep 30 &\nsleep 30\n' >> "$T/bin/net-hangs"
chmod 755 "$T/bin/"*
printf 'username = adminse3\npassword = %s\ndomain = SAMBAEDU3\n' "$SECRET" > "$T/auth"
printf -- '-----BEGIN OPENSSH PRIVATE KEY-----\n%s\n-----END OPENSSH PRIVATE KEY-----\n' "$SECRET" > "$T/key"
chmod 600 "$T/auth" "$T/key"

CONF=$T/se3-ipxe.conf
cli_config "$CONF" "$TOP/modules"
cat >> "$CONF" <<EOC
[probe]
ports = $PW $PL
timeout = 300
[sessions]
smbstatus = $T/bin/smbstatus
timeout = 5
[reboot]
net = $T/bin/net
net_auth_file = $T/auth
ssh = $T/bin/ssh
ssh_key = $T/key
windows_port = $PW
linux_port = $PL
timeout = 2
[network]
# The school's subnets: an address a machine reports at a boot is trusted
# with credentials only inside them.
subnets = 127.0.0.0/8
EOC
se3ipxe init > /dev/null || { echo "Bail out! init"; exit 1; }

# The machines: two "Windows" (PW open), one "Linux" (PW refused, PL
# open), one that refuses both, one that never answers (a full backlog),
# one never booted (no address).
cat > "$T/listen.py" <<'EOP'
import socket, sys, time
pw, pl = int(sys.argv[1]), int(sys.argv[2])
ls = []
for host, port, backlog in (("127.0.0.11", pw, 16), ("127.0.0.12", pw, 16),
    ("127.0.0.21", pl, 16), ("127.0.0.41", pw, 0)):
	s = socket.socket()
	s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	s.bind((host, port))
	s.listen(backlog)
	ls.append(s)
# Fill the last one's queue: its next SYNs are dropped, as by a machine off.
fill = [socket.create_connection(("127.0.0.41", pw)) for i in range(2)]
open(sys.argv[3], "w").close()
time.sleep(120)
EOP
python3 "$T/listen.py" "$PW" "$PL" "$T/ready" &
lpid=$!
trap 'kill $lpid 2> /dev/null; rm -rf "$T"' EXIT
i=0
while [ ! -e "$T/ready" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done

W1=52:54:00:44:00:11
W2=52:54:00:44:00:12
LX=52:54:00:44:00:21
RF=52:54:00:44:00:31
DN=52:54:00:44:00:41
NI=52:54:00:44:00:99
for pair in "$W1 127.0.0.11" "$W2 127.0.0.12" "$LX 127.0.0.21" "$RF 127.0.0.31" "$DN 127.0.0.41"; do
	set -- $pair
	CONFIG=$CONF boot "mac=$1&platform=pcbios&ip=$2"
done

# calls PROG: every recorded call of PROG, one argv per paragraph, sorted.
calls() {
	for f in "$T/calls/$1".*; do
		[ -e "$f" ] || continue
		cat "$f"
		echo
	done | awk 'BEGIN { RS = ""; ORS = "\n\n" } { print }' | sort_paragraphs
}
sort_paragraphs() {
	python3 -c 'import sys; p = [x for x in sys.stdin.read().split("\n\n") if x]; sys.stdout.write("".join(x + "\n\n" for x in sorted(p)))'
}
ncalls() { ls "$T/calls" | grep -c "^$1\." ; }
net_argv() {	# IP: what net must receive
	printf '%s\n' "$T/bin/net" rpc shutdown -r -f -t 10 -C "se3-ipxe: reboot" -I "$1" -A "$T/auth" -p "$PW"
	echo
}
ssh_argv() {	# IP
	printf '%s\n' "$T/bin/ssh" -i "$T/key" -p "$PL" -o BatchMode=yes -o ConnectTimeout=2 \
	    -o StrictHostKeyChecking=accept-new "root@$1" reboot
	echo
}
ALL="$W1 $W2 $LX $RF $DN $NI"

# --- force: every machine that answers ---------------------------------------
run reboot --policy force $ALL
is "$rc" 0 "reboot --policy force: exit 0 $(cat "$T/err")"
is "$(calls net)" "$( { net_argv 127.0.0.11; net_argv 127.0.0.12; } | sort_paragraphs)" \
    "force: net rpc shutdown for each Windows machine, argv exactly (the message one argument)"
is "$(calls ssh)" "$(ssh_argv 127.0.0.21 | sort_paragraphs)" "force: ssh for the Linux machine, argv exactly"
is "$(ncalls smbstatus)" 0 "force: no session lookup"
is "$(awk '{ print $1, $2 }' "$T/out")" "$W1 reboot-sent
$W2 reboot-sent
$LX reboot-sent
$RF reboot-skipped
$DN reboot-skipped
$NI reboot-skipped" "force: one line per machine, in the order named"
grep -q "^$W1 reboot-sent windows at 127.0.0.11 (net rpc shutdown)$" "$T/out"; ok $? "sent: says how"
grep -q "^$RF reboot-skipped up at 127.0.0.31, but no \[probe\] port open" "$T/out"; ok $? "refused everywhere: up, skipped, says why"
grep -q "^$DN reboot-skipped down: no answer at 127.0.0.41 (wake it with wol)$" "$T/out"; ok $? "no answer: down, skipped"
grep -q "^$NI reboot-skipped no IPv4 address known" "$T/out"; ok $? "never booted: no address, skipped"
is "$(sqlite3 "$DB" "SELECT mac || ' ' || event FROM history WHERE event LIKE 'reboot-%' ORDER BY id")" \
    "$(awk '{ print $1, $2 }' "$T/out")" "force: a history row per machine, the same events"

# --- idle: the machine with a session is left alone ----------------------------
rm -f "$T/calls/"*
run reboot --policy idle $W1 $W2 $LX
is "$rc" 0 "reboot --policy idle: exit 0 $(cat "$T/err")"
is "$(calls smbstatus)" "$T/bin/smbstatus
-b" "idle: smbstatus -b, argv exactly"
is "$(calls net)" "$(net_argv 127.0.0.11 | sort_paragraphs)" "idle: net for the idle Windows machine only"
is "$(ncalls ssh)" 1 "idle: ssh for the Linux machine"
grep -q "^$W2 reboot-skipped policy idle: session of prof1 at 127.0.0.12$" "$T/out"
ok $? "idle: the machine in smbstatus's list is skipped, naming the login"
run reboot $W2
grep -q "^$W2 reboot-skipped policy idle: session of prof1" "$T/out"; ok $? "idle is the default policy"

# --- idle, and the session lookup fails: nobody is rebooted -------------------
rm -f "$T/calls/"*
sed "s|^smbstatus = .*|smbstatus = $T/bin/smbstatus-fails|" "$CONF" > "$T/nosess.conf"
"$SIP" -c "$T/nosess.conf" reboot --policy idle $W1 $LX > "$T/out" 2> "$T/err"
is "$?" 0 "idle, smbstatus fails: exit 0 (nothing failed, nothing done)"
is "$(ncalls net)$(ncalls ssh)" "00" "idle, smbstatus fails: neither net nor ssh run"
is "$(grep -c 'reboot-skipped policy idle: no session list, so taken as in use: .*exit status 1: smbstatus only works as root!' "$T/out")" 2 \
    "idle, smbstatus fails: each machine skipped, saying why"

# --- wait: nothing now ---------------------------------------------------------
rm -f "$T/calls/"*
run reboot --policy wait $W1 $LX
is "$rc" 0 "reboot --policy wait: exit 0"
is "$(ls "$T/calls" | wc -l)" 0 "wait: nothing run, nothing probed"
is "$(grep -c 'reboot-skipped policy wait: left to its next boot' "$T/out")" 2 "wait: said per machine"

# --- failures: exit status, a hang -------------------------------------------
sed "s|^net = .*|net = $T/bin/net-fails|" "$CONF" > "$T/fails.conf"
"$SIP" -c "$T/fails.conf" reboot --policy force $W1 $LX > "$T/out" 2> "$T/err"
is "$?" 1 "a net that exits 1: exit 1"
grep -q "^$W1 reboot-failed $T/bin/net-fails at 127.0.0.11: exit status 1: Shutdown of remote machine failed$" "$T/out"
ok $? "reboot-failed with the exit status and net's first line"
grep -q "^$LX reboot-sent" "$T/out"; ok $? "the others are rebooted all the same"
is "$(sqlite3 "$DB" "SELECT count(*) FROM history WHERE event = 'reboot-failed' AND mac = '$W1'")" 1 "a reboot-failed history row"

sed "s|^net = .*|net = $T/bin/net-hangs|" "$CONF" > "$T/hangs.conf"
t0=$(date +%s%3N)
"$SIP" -c "$T/hangs.conf" reboot --policy force $W1 $W2 $LX > "$T/out" 2> "$T/err"
st=$?
el=$(($(date +%s%3N) - t0))
is "$st" 1 "a net that hangs: exit 1"
is "$(grep -c "reboot-failed $T/bin/net-hangs at 127.0.0.1[12]: no answer within \[reboot\] timeout (2 s): killed" "$T/out")" 2 \
    "each hanging net killed at the timeout, reboot-failed"
ok $((! (el >= 2000 && el < 8000))) "killed at 2 s, side by side: $el ms"
sleep 0.2
pgrep -f "$T/bin/net-hangs" > /dev/null; ok $((! $?)) "nothing of the hanging stand-in is left running"

# --- credentials: never on a command line, and private or refused -----------
grep -rl -- "$SECRET" "$T/calls" "$T/out" "$T/err" > /dev/null; ok $((! $?)) "the secret is in no argv, no output"
sqlite3 "$DB" .dump | grep -q -- "$SECRET"; ok $((! $?)) "the secret is not in the database"
grep -rq -- "$SECRET" "$T/calls"; ok $((! $?)) "no stand-in ever saw it"
rm -f "$T/calls/"*
before=$(nrows history)
chmod 644 "$T/auth"
run reboot --policy force $W1 $LX
is "$rc" 1 "an auth file others may read: exit 1"
one_line_naming "[reboot] net_auth_file $T/auth: must be owned by uid"; ok $? "one line naming it: $(cat "$T/err")"
is "$(ls "$T/calls" | wc -l)" 0 "nothing run, not even ssh"
is "$(nrows history)" "$before" "nothing recorded"
chmod 600 "$T/auth"
sed '/^net_auth_file/d' "$CONF" > "$T/noauth.conf"
"$SIP" -c "$T/noauth.conf" reboot --policy force $W1 > "$T/out" 2> "$T/err"
is "$?" 1 "no net_auth_file: exit 1"
grep -q "\[reboot\] net_auth_file is not set" "$T/err"; ok $? "no net_auth_file: says so"

# --- a claimed address outside the school's subnets gets no credentials ---------
OUT=52:54:00:44:00:66
CONFIG=$CONF boot "mac=$OUT&platform=pcbios&ip=10.66.0.1"
rm -f "$T/calls/"*
run reboot --policy force $OUT
grep -q "^$OUT reboot-skipped 10.66.0.1, reported by the machine at a boot, is in none of the \[network\] subnets: not trusted with credentials\$" "$T/out"
ok $? "an address claimed at a boot outside [network] subnets: skipped, said why"
is "$(ls "$T/calls" | wc -l)" 0 "... and nothing run, nothing probed"

# --- all or nothing on targets; refusals -----------------------------------------
rm -f "$T/calls/"*
run reboot --policy force $W1 not-a-mac
is "$rc" 1 "a bad target: exit 1"
is "$(ls "$T/calls" | wc -l)" 0 "a bad target: nothing run"
rm -f "$T/calls/"*
run reboot --policy force --at +1h $W1
is "$rc" 0 "reboot --at +1h: exit 0 $(cat "$T/err")"
grep -q "^$W1 reboot scheduled .*, policy force\$" "$T/out"; ok $? "reboot --at: says it is scheduled"
is "$(ls "$T/calls" | wc -l)" 0 "reboot --at: nothing run now"
is "$(sqlite3 "$DB" "SELECT kind || ' ' || policy || ' ' || state FROM power_jobs WHERE mac = '$W1'")" "reboot force pending" \
    "reboot --at: one pending reboot job"
# Due now: the next tick probes and reboots as the verb does.
sqlite3 "$DB" "UPDATE power_jobs SET due_at = strftime('%s', 'now') - 1 WHERE mac = '$W1'"
run tick -q
is "$rc" 0 "tick: exit 0 $(cat "$T/err")"
is "$(calls net)" "$(net_argv 127.0.0.11 | sort_paragraphs)" "tick: the due reboot runs net, argv exactly"
is "$(sqlite3 "$DB" "SELECT state FROM power_jobs WHERE mac = '$W1'")" done "tick: the job is done"
is "$(sqlite3 "$DB" "SELECT event || '/' || who FROM history WHERE mac = '$W1' ORDER BY id DESC LIMIT 1")" "reboot-sent/tick" \
    "tick: history reboot-sent, by the tick"
run tick -q
is "$(ncalls net)" 1 "a second tick runs nothing again"

# --- a directory's address is probed only inside [network] subnets or loopback -----
# The console's jobs carry the directory's address (not claimed): a test
# directory's 10.1.0.x must never be probed by the default route.
now=$(date +%s)
sqlite3 "$DB" "INSERT INTO power_jobs (mac, kind, policy, state, due_at, ip, who, created_at, updated_at) VALUES
    ('$W2', 'reboot', 'force', 'pending', $now - 1, '10.1.0.4', 'admin', $now, $now),
    ('$LX', 'reboot', 'force', 'pending', $now - 1, '127.0.0.21', 'admin', $now, $now)"
rm -f "$T/calls/"*
run tick -q
is "$rc" 0 "tick with a directory address outside the subnets: exit 0 $(cat "$T/err")"
is "$(sqlite3 "$DB" "SELECT event || ': ' || detail FROM history WHERE mac = '$W2' ORDER BY id DESC LIMIT 1")" \
    "reboot-skipped: 10.1.0.4 is in none of the [network] subnets: not probed" "10.1.0.4 (the directory's): skipped, not probed, said why"
is "$(ncalls net)" 0 "... nothing run for it"
is "$(calls ssh)" "$(ssh_argv 127.0.0.21 | sort_paragraphs)" "a directory's loopback address: probed, rebooted"
sed 's|^subnets = .*|subnets =|' "$CONF" > "$T/nosubnets.conf"
"$SIP" -c "$T/nosubnets.conf" reboot --policy force $W1 $LX > "$T/out" 2> "$T/err"
is "$?" 0 "no [network] subnets: loopback only, exit 0 $(cat "$T/err")"
grep -q "^$W1 reboot-skipped 127.0.0.11, reported by the machine at a boot, is in none of the \[network\] subnets" "$T/out"
ok $? "no subnets: a claimed address still gets no credentials"
run reboot --policy sometimes $W1
is "$rc" 2 "an unknown policy: usage error"
grep -q "'sometimes': not a policy (wait, idle or force)" "$T/err"; ok $? "an unknown policy: named"
run reboot
is "$rc" 2 "reboot without TARGET: usage error"

# --- set-action --reboot -------------------------------------------------------
rm -f "$T/calls/"*
run set-action --reboot force "$W1" "$LX" memtest:run
is "$rc" 0 "set-action --reboot force: exit 0 $(cat "$T/err")"
is "$(ncalls net)$(ncalls ssh)" "11" "set-action --reboot force: net and ssh run once each"
is "$(sqlite3 "$DB" "SELECT count(*) FROM history h JOIN actions a ON a.id = h.action_id WHERE h.event = 'reboot-sent' AND a.name = 'memtest:run' AND a.state = 'pending'")" 2 \
    "set-action --reboot: the reboot-sent rows belong to the new actions"
run set-action --reboot never "$W1" memtest:run
is "$rc" 2 "set-action --reboot with a bad policy: usage error"
rm -f "$T/calls/"*
run set-action --reboot force --at +1h "$W1" memtest:run
is "$rc" 0 "set-action --reboot with --at: exit 0 $(cat "$T/err")"
is "$(ls "$T/calls" | wc -l)" 0 "set-action --reboot --at: nothing run now"
is "$(sqlite3 "$DB" "SELECT j.policy || ' ' || a.name || ' ' || a.state FROM power_jobs j JOIN actions a ON a.id = j.action_id WHERE j.mac = '$W1' AND j.state = 'pending'")" \
    "force memtest:run scheduled" "set-action --reboot --at: the reboot goes with the scheduled action"

done_testing
