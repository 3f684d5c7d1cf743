#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The tick: cleanup's work under its new name, wakes sent when due and once, retried until the machine boots or given up, and blackout windows that hold destructive actions.
#
# Wake-on-LAN packets are sent only inside a network namespace of the
# test's own (`unshare -rn`, a veth pair 10.99.0.1/24), as t/42-wol.t does.
. t/lib/netns.sh
netns_enter python3 -- "$@"

. t/lib/tap.sh
. t/lib/cli.sh

unset SE3_IPXE_CONFIG SUDO_USER
TZ=UTC
export TZ

ip link set lo up &&
    ip link add wol0 type veth peer name wol1 2> /dev/null &&
    ip addr add 10.99.0.1/24 dev wol0 &&
    ip link set wol0 up && ip link set wol1 up
if [ $? -ne 0 ]; then
	ip addr add 10.99.0.1/24 dev lo || {
		echo "1..0 # SKIP cannot give the namespace an address"
		exit 0
	}
fi
ip route show | grep -q default && { echo "Bail out! a default route in the namespace"; exit 1; }

PORT=40019
CONF=$T/se3-ipxe.conf
cli_config "$CONF" "$TOP/modules:$T/modules"
cli_test_module "$T/modules"
cat >> "$CONF" <<EOC
[network]
subnets = 10.99.0.0/24
[wol]
port = $PORT
EOC
se3ipxe init > /dev/null || { echo "Bail out! init"; exit 1; }

# --- tick, and cleanup its old name ---------------------------------------------
run tick
is "$rc:$(cat "$T/err")" "0:" "tick on an idle database: exit 0, no warning"
grep -q '^tick: folded 0 boots, started 0, held 0 for blackout, expired 0' "$T/out"
ok $? "tick prints one summary line: $(cat "$T/out")"
is "$(wc -l < "$T/out")" 1 "tick: one line"
run tick -q
is "$rc:$(cat "$T/out" "$T/err")" "0:" "tick -q: nothing printed"
run tick --quiet
is "$rc:$(cat "$T/out" "$T/err")" "0:" "tick --quiet: nothing printed"
run cleanup
is "$rc:$(cat "$T/out" "$T/err")" "0:" "cleanup, the old name: quiet with nothing to do, as before"
run tick extra
is "$rc" 2 "tick with an argument: usage error"
grep -q '^\* \* \* \* \* root .*se3-ipxe tick -q$' "$TOP/debian/se3-ipxe.cron.d"
ok $? "the shipped cron file runs tick -q every minute"

# --- the clock -----------------------------------------------------------------
# The CLI and the dynamic CGI run under libfaketime at BASE + OFFSET
# seconds: the tests drive time, production code has no hook for it.
if ! command -v faketime > /dev/null 2>&1; then
	skip "faketime not installed: the timed part"
	done_testing
	exit 0
fi
[ -n "${SIP_SANITIZE-}" ] && export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
BASE=$(( $(date +%s) / 60 * 60 + 60 ))
# at OFFSET ARGS...: se3-ipxe ARGS at BASE + OFFSET (as run does).
at() {
	off=$1
	shift
	faketime "@$((BASE + off))" "$SIP" -c "$CONF" "$@" < /dev/null > "$T/out" 2> "$T/err"
	rc=$?
}
# boot_at OFFSET QUERY: a boot request through the real CGI at BASE + OFFSET.
boot_at() {
	CGI_BIN=$TOP/build/t/ipxe-dynamic.cgi CGI_WRAP="faketime @$(($BASE + $1))" \
	    CONFIG=$CONF boot "$2"
}

cat > "$T/recv.py" <<'EOP'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.IPPROTO_IP, 8, 1)		# IP_PKTINFO: the destination
s.bind(("0.0.0.0", int(sys.argv[1])))
s.settimeout(1)
out = open(sys.argv[2], "w")
open(sys.argv[3], "w").close()			# ready
try:
	while True:
		d, anc, fl, a = s.recvmsg(4096, 256)
		dst = "?"
		for lvl, typ, data in anc:
			if lvl == socket.IPPROTO_IP and typ == 8:
				dst = socket.inet_ntoa(data[8:12])
		out.write("%s %s\n" % (dst, d.hex()))
		out.flush()
except socket.timeout:
	pass
EOP
recv_start() {
	rm -f "$T/ready" "$T/got"
	python3 "$T/recv.py" "$PORT" "$T/got" "$T/ready" &
	recv_pid=$!
	i=0
	while [ ! -e "$T/ready" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}
recv_wait() {
	wait "$recv_pid"
}
magic() {
	m=$(printf '%s' "$1" | tr -d ':')
	printf 'ffffffffffff'
	i=0
	while [ $i -lt 16 ]; do printf '%s' "$m"; i=$((i + 1)); done
}
# packets MAC: how many packets for MAC the receiver got.
packets() {
	grep -c " $(magic "$1")\$" "$T/got"
}
wol_rows() {	# wol_rows MAC: its history events about waking, in order
	sqlite3 "$DB" "SELECT group_concat(event || '/' || who, ' ') FROM (SELECT event, who FROM history WHERE mac = '$1' AND event IN ('wol-sent','woken','wol-gave-up','wol-failed') ORDER BY id)"
}

M1=52:54:00:99:00:01
M2=52:54:00:99:00:02
M3=52:54:00:99:00:03
M4=52:54:00:99:00:04
MX=52:54:00:77:00:01
for pair in "$M1 10.99.0.11" "$M2 10.99.0.12" "$M3 10.99.0.13" "$M4 10.99.0.14" "$MX 192.0.2.7"; do
	set -- $pair
	boot_at -86400 "mac=$1&platform=pcbios&ip=$2"
done
at -86400 tick -q

# --- wol --at: its bounds, and only due jobs are sent ---------------------------
at 0 wol --at "@$((BASE - 3600))" "$M1"
is "$rc" 1 "wol --at an hour ago: exit 1"
one_line_naming "@$((BASE - 3600))"; ok $? "wol --at in the past: one line naming it: $(cat "$T/err")"
at 0 wol --at +400d "$M1"
is "$rc" 1 "wol --at beyond a year: exit 1 (set-action's bounds)"
at 0 wol --at +10m "$MX"
is "$rc" 1 "wol --at for a machine outside the subnets: refused now, not at the tick"
is "$(nrows power_jobs)" 0 "refused wol --at: no job written"
recv_start
at 0 wol --at +10m "$M1"
is "$rc" 0 "wol --at +10m: exit 0"
grep -q "^$M1 wol scheduled .*, to 10.99.0.255:$PORT\$" "$T/out"; ok $? "wol --at: says when and where: $(cat "$T/out")"
at 60 tick -q
is "$rc:$(cat "$T/err")" "0:" "a tick before it is due: exit 0"
at 560 tick -q
recv_wait
is "$(cat "$T/got")" "" "nothing sent before the job is due"
is "$(wol_rows "$M1")" "" "no wol-sent row before it is due"
recv_start
# Ten seconds past the due time: each run under faketime starts a little
# later than its offset (slower still under ASan), the --at that set it too.
at 610 tick
recv_wait
is "$(cat "$T/got")" "10.99.0.255 $(magic "$M1")
10.99.0.255 $(magic "$M1")" "the due wake goes at the tick, twice, to the subnet's broadcast"
grep -q "woke 1 (0 again)" "$T/out"; ok $? "the tick counts it: $(cat "$T/out")"
is "$(wol_rows "$M1")" "wol-sent/tick" "a wol-sent row, by the tick"
recv_start
at 660 tick -q
recv_wait
is "$(cat "$T/got")" "" "sent once: the next tick sends nothing"

# --- two ticks at once: each due job is claimed by one -------------------------
at 0 wol --at +20m "$M2" "$M3" "$M4"
recv_start
(at 1210 tick -q; echo "$rc" > "$T/rc1") &
p1=$!
(faketime "@$((BASE + 1210))" "$SIP" -c "$CONF" tick -q > "$T/out2" 2> "$T/err2"; echo $? > "$T/rc2") &
p2=$!
wait "$p1" "$p2"
recv_wait
is "$(cat "$T/rc1"):$(cat "$T/rc2")" "0:0" "two ticks at once: both exit 0"
is "$(packets "$M2"):$(packets "$M3"):$(packets "$M4")" "2:2:2" \
    "two ticks at once: each machine's packet went twice (one send), not four times"
is "$(wol_rows "$M2")" "wol-sent/tick" "two ticks at once: one wol-sent row"

# --- set-action --at --wol: the wake goes with the action's start -------------
recv_start
at 0 set-action --at +30m --wol "$M4" memtest:run
is "$rc" 0 "set-action --at --wol: exit 0 $(cat "$T/err")"
recv_wait
is "$(cat "$T/got")" "" "set-action --at --wol: nothing sent now"
is "$(sqlite3 "$DB" "SELECT j.due_at - a.start_at, j.action_id = a.id FROM power_jobs j JOIN actions a ON a.mac = j.mac WHERE j.mac = '$M4' AND j.state = 'pending'")" "0|1" \
    "set-action --at --wol: one wake job, due at the action's start, tied to it"
# M2 boots after its wake (through the real CGI), M3 does not.
boot_at 1300 "mac=$M2&platform=pcbios&ip=10.99.0.12"
recv_start
at 1810 tick
recv_wait
is "$(packets "$M4")" 2 "set-action --at --wol: sent by the tick at the start"
is "$(packets "$M2"):$(wol_rows "$M2")" "0:wol-sent/tick woken/tick" \
    "a machine that booted after its wake is woken, and not woken again"
is "$(packets "$M3")" 2 "a machine that did not boot within wake_timeout gets the packet again"
grep -q "woken 1," "$T/out"; ok $? "the tick counts the woken: $(cat "$T/out")"
# woken_of OFFSET MAC: the WOKEN column of status at BASE + OFFSET, and --json's.
woken_of() {
	at "$1" status "$2"
	t=$(sed -n 's/.*  \(woken\|waking\|not woken\|gave up\)  .*/\1/p' "$T/out")
	at "$1" status --json "$2"
	j=$(python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["woken"])' < "$T/out")
	echo "$t/$j"
}
is "$(woken_of 1810 "$M2")" "woken/woken" "status: WOKEN is woken for the machine that booted"
is "$(woken_of 1810 "$M3")" "waking/waking" "status: waking for the one sent again just now"
is "$(woken_of 2200 "$M3")" "not woken/not woken" "status: not woken once wake_timeout is over"
at 1810 status "$MX"
is "$(sed -n 2p "$T/out" | grep -c woken)" 0 "status: no wake status for a machine never woken"
at 1810 status --json "$MX"
is "$(python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["woken"])' < "$T/out")" None \
    "status --json: woken is null when no wake was sent"
is "$(sqlite3 "$DB" "SELECT a.name || ' ' || a.state FROM history h JOIN actions a ON a.id = h.action_id WHERE h.mac = '$M4' AND h.event = 'wol-sent' ORDER BY h.id DESC LIMIT 1")" \
    "memtest:run pending" "the tick's wol-sent row belongs to the action it started"

# --- retries, then give up -------------------------------------------------------
recv_start
at 3600 wol "$M1"
is "$rc" 0 "wol now: exit 0"
at 3840 tick -q
recv_wait
is "$(packets "$M1")" 2 "wol now: sent once, not again before wake_timeout (5m)"
for n in 1 2; do
	recv_start
	at $((3600 + 330 * n)) tick -q
	recv_wait
	is "$(packets "$M1")" 2 "not woken after wake_timeout: sent again ($n of retries = 2)"
done
recv_start
at $((3600 + 330 * 3)) tick
recv_wait
is "$(packets "$M1")" 0 "retries spent: nothing sent"
grep -q "gave up [1-9]" "$T/out"; ok $? "the tick counts it: $(cat "$T/out")"
grep -q "^se3-ipxe: tick: $M1: not woken after 3 wakes (\[wol\] retries = 2): given up\$" "$T/err"
ok $? "... and says it, one line naming the machine: $(grep "$M1" "$T/err")"
is "$(wol_rows "$M1" | awk '{ print $(NF - 2), $(NF - 1), $NF }')" \
    "wol-sent/tick wol-sent/tick wol-gave-up/tick" "history: two re-sends by the tick, then wol-gave-up"
recv_start
at 6000 tick -q
recv_wait
is "$(packets "$M1")" 0 "given up: never sent again"
is "$(woken_of 6000 "$M1")" "gave up/gave up" "status: gave up"

# --- a send that fails: one line naming the machine, the job failed ---------------
sqlite3 "$DB" "INSERT INTO power_jobs (mac, kind, state, due_at, tries, ip, who, created_at, updated_at) VALUES ('$MX', 'wake', 'pending', $((BASE + 6000)), 0, '192.0.2.7', 'test', $BASE, $BASE)"
at 6060 tick -q
is "$rc" 0 "a wake that cannot be sent fails its job, not the tick"
one_line_naming "$MX"; ok $? "one line naming the machine: $(cat "$T/err")"
is "$(sqlite3 "$DB" "SELECT state FROM power_jobs WHERE mac = '$MX'")" failed "the job is failed"
is "$(wol_rows "$MX")" "wol-failed/tick" "history: wol-failed"

# --- reboot jobs: run by lib/reboot.c (t/44-reboot.t runs them with stand-ins) ----
sqlite3 "$DB" "INSERT INTO power_jobs (mac, kind, policy, state, due_at, tries, who, created_at, updated_at) VALUES ('$M3', 'reboot', 'idle', 'pending', $((BASE + 6000)), 0, 'test', $BASE, $BASE)"
at 6120 tick -q
is "$rc" 0 "a due reboot of a machine without an address: the tick goes on"
is "$(sqlite3 "$DB" "SELECT state || ' ' || tries FROM power_jobs WHERE kind = 'reboot'")" "done 1" "the reboot job ran once"
is "$(sqlite3 "$DB" "SELECT event || '/' || who FROM history WHERE mac = '$M3' AND event LIKE 'reboot-%'")" "reboot-skipped/tick" \
    "history: reboot-skipped by the tick (no address to reach it at)"

# --- blackout windows ------------------------------------------------------------
BO=$T/blackout.conf
cp "$CONF" "$BO"
printf '[blackout]\nwindows = mon-fri 08:00-12:00, mon-fri 13:30-17:30\n' >> "$BO"
# on DATE CONF ARGS...: se3-ipxe -c CONF ARGS at local DATE (as run does).
on() {
	d=$1 c=$2
	shift 2
	faketime "$d" "$SIP" -c "$c" "$@" < /dev/null > "$T/out" 2> "$T/err"
	rc=$?
}
epoch() {
	date -d "$1" +%s
}
B1=52:54:00:88:00:01
B2=52:54:00:88:00:02
B3=52:54:00:88:00:03
B4=52:54:00:88:00:04
start_of() {
	sqlite3 "$DB" "SELECT state || ' ' || start_at FROM actions WHERE mac = '$1' ORDER BY id DESC LIMIT 1"
}
# 2026-12-14 is a Monday.
on "2026-12-14 09:00:00" "$BO" set-action --yes "$B1" wipe:disk label=abc
is "$rc" 0 "set-action of a destructive action in a window: exit 0"
grep -q "wipe:disk is destructive and now is in a \[blackout\] window: it waits for the window's end, 2026-12-14 12:00" "$T/err"
ok $? "... and says it waits for the window's end: $(grep blackout "$T/err")"
is "$(start_of "$B1")" "scheduled $(epoch "2026-12-14 12:00")" "... scheduled for 12:00, the window's end"
grep -q "^$B1 wipe:disk scheduled (starts 2026-12-14 12:00" "$T/out"; ok $? "... its line says scheduled: $(cat "$T/out")"
on "2026-12-14 09:01:00" "$BO" status "$B1"
grep -q "scheduled, waits for blackout end 12:00" "$T/out"; ok $? "status: waits for blackout end 12:00"
on "2026-12-14 09:01:00" "$BO" status --json "$B1"
is "$(python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["action"]["blackout_end"])' < "$T/out")" \
    "$(epoch "2026-12-14 12:00")" "status --json: blackout_end"
on "2026-12-14 09:00:00" "$BO" set-action "$B2" memtest:run
is "$rc:$(start_of "$B2" | cut -d' ' -f1)" "0:pending" "a non-destructive action in a window starts now"
grep -q blackout "$T/err"; is "$?" 1 "... and says nothing of the blackout"
on "2026-12-14 09:00:00" "$BO" set-action --yes --at "2026-12-14 14:00" "$B3" wipe:disk label=abc
is "$(start_of "$B3")" "scheduled $(epoch "2026-12-14 17:30")" "set-action --at inside the afternoon window: held to 17:30"

# An action scheduled before the windows were configured: the tick holds it.
on "2026-12-14 07:00:00" "$CONF" set-action --yes --at "2026-12-14 10:00" "$B4" wipe:disk label=abc
is "$(start_of "$B4")" "scheduled $(epoch "2026-12-14 10:00")" "without windows: scheduled for 10:00"
on "2026-12-14 09:30:00" "$BO" tick
grep -q "held 1 for blackout" "$T/out"; ok $? "the tick holds it: $(cat "$T/out")"
is "$(start_of "$B4")" "scheduled $(epoch "2026-12-14 12:00")" "... to the window's end, 12:00"
is "$(sqlite3 "$DB" "SELECT event || ' ' || who || ' ' || detail FROM history WHERE mac = '$B4' AND event = 'blackout-held'")" \
    "blackout-held tick waits for blackout end 2026-12-14 12:00" "... with a blackout-held history row"
on "2026-12-14 10:05:00" "$BO" tick -q
is "$(start_of "$B4" | cut -d' ' -f1)" scheduled "past its first start, inside the window: still scheduled"
CGI_BIN=$TOP/build/t/ipxe-dynamic.cgi CGI_WRAP="faketime @$(epoch "2026-12-14 10:30")" CONFIG=$BO \
    boot "mac=$B4&platform=pcbios"
ok "$(is_local_script; echo $?)" "a boot inside the window gets the local disk, not the destructive action"
is "$(start_of "$B4" | cut -d" " -f1)" scheduled "... and leaves it scheduled"
on "2026-12-14 12:01:00" "$BO" tick -q
is "$(start_of "$B4" | cut -d' ' -f1)" pending "after the window: started"
is "$(start_of "$B1" | cut -d' ' -f1)" pending "... and the one set in the window too"

# The end of a window across a DST change: local time, through mktime.
printf '[blackout]\nwindows = sun 00:00-12:00\n' > "$T/dst.tail"
cat "$CONF" "$T/dst.tail" > "$T/dst.conf"
TZ=Europe/Paris faketime "2026-03-29 01:00:00" "$SIP" -c "$T/dst.conf" \
    set-action --yes 52:54:00:88:00:05 wipe:disk label=abc > "$T/out" 2> "$T/err"
is "$(start_of 52:54:00:88:00:05)" "scheduled $(epoch "2026-03-29 10:00 UTC")" \
    "Europe/Paris, the night summer time starts: held from 01:00 CET to 12:00 CEST (10:00 UTC, 10 h later)"

done_testing
