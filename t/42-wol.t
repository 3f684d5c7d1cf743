#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Wake-on-LAN in a network namespace of its own: every packet captured and checked byte by byte, twice per machine, to its subnet's broadcast and port; all or nothing.
#
# The test runs itself again inside `unshare -rn` (a user and network
# namespace of its own, with a veth pair 10.99.0.1/24): no packet it
# sends can leave that namespace.
. t/lib/netns.sh
netns_enter python3 -- "$@"

. t/lib/tap.sh
. t/lib/cli.sh

unset SE3_IPXE_CONFIG SUDO_USER
TZ=UTC
export TZ

# --- the namespace: lo, and a veth pair with the test subnet -------------------
IF=wol0
ip link set lo up &&
    ip link add wol0 type veth peer name wol1 2> /dev/null &&
    ip addr add 10.99.0.1/24 dev wol0 &&
    ip link set wol0 up && ip link set wol1 up
if [ $? -ne 0 ]; then
	# No veth: the subnet on lo, where its broadcast is delivered alike.
	IF=lo
	ip addr add 10.99.0.1/24 dev lo || {
		echo "1..0 # SKIP cannot give the namespace an address"
		exit 0
	}
fi
# The namespace has no route to anywhere else: a packet for outside fails.
ip route show | grep -q default && { echo "Bail out! a default route in the namespace"; exit 1; }

PORT=40009
CONF=$T/se3-ipxe.conf
cli_config "$CONF" "$TOP/modules"
cat >> "$CONF" <<EOC
[network]
subnets = 10.99.0.0/24 10.98.0.0/30
[wol]
port = $PORT
EOC
se3ipxe init > /dev/null || { echo "Bail out! init"; exit 1; }

# recv OUT: a receiver on 0.0.0.0:PORT, one line per datagram:
# "DESTINATION HEX"; it stops after a second without one.
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
# magic MAC: the 102 bytes, in hex, as they must be.
magic() {
	m=$(printf '%s' "$1" | tr -d ':')
	printf 'ffffffffffff'
	i=0
	while [ $i -lt 16 ]; do printf '%s' "$m"; i=$((i + 1)); done
}

M1=52:54:00:99:00:17
M2=52:54:00:99:00:2a
M3=52:54:00:98:00:02
MX=52:54:00:77:00:01
MN=52:54:00:55:00:01
# Their IPs, as the machines table learns them: from a boot.
for pair in "$M1 10.99.0.23" "$M2 10.99.0.42" "$M3 10.98.0.2" "$MX 192.0.2.7"; do
	set -- $pair
	CONFIG=$CONF boot "mac=$1&platform=pcbios&ip=$2"
done

# --- two machines in 10.99.0.0/24 ----------------------------------------------
recv_start
run wol "$M1" 52-54-00-99-00-2A
is "$rc" 0 "wol: exit 0"
recv_wait
{ echo "10.99.0.255 $(magic $M1)"; echo "10.99.0.255 $(magic $M1)"
  echo "10.99.0.255 $(magic $M2)"; echo "10.99.0.255 $(magic $M2)"; } > "$T/want"
is "$(cat "$T/got")" "$(cat "$T/want")" \
    "wol: two machines, each packet twice, to 10.99.0.255:$PORT, 6 x ff + 16 x the MAC"
n=$(awk '{ print length($2) / 2 }' "$T/got" | sort -u)
is "$n" 102 "wol: every packet is 102 bytes"
is "$(cat "$T/out")" "$M1 wol-sent to 10.99.0.255:$PORT
$M2 wol-sent to 10.99.0.255:$PORT" "wol: one line per machine, where it went"
is "$(sqlite3 "$DB" "SELECT mac || ' ' || event || ' ' || detail FROM history WHERE event = 'wol-sent' ORDER BY id")" \
    "$M1 wol-sent to 10.99.0.255:$PORT
$M2 wol-sent to 10.99.0.255:$PORT" "wol: a wol-sent history row per machine"

# --- a /30 elsewhere: its own broadcast ----------------------------------------
# 10.98.0.0/30 has no address in the namespace: its broadcast has no
# route and the send fails, so the packet cannot go anywhere; the error
# says so and names the machine.
recv_start
run wol "$M3"
is "$rc" 1 "wol to a subnet the namespace has no route to: exit 1"
grep -q "$M3: sending the magic packet" "$T/err"; ok $? "wol: the failed send names the machine"
recv_wait
is "$(cat "$T/got")" "" "wol: nothing received from a failed send"
ip addr add 10.98.0.1/30 dev lo
recv_start
run wol "$M3"
is "$rc" 0 "wol in a /30 the namespace holds: exit 0"
recv_wait
is "$(cat "$T/got")" "10.98.0.3 $(magic $M3)
10.98.0.3 $(magic $M3)" "wol in 10.98.0.0/30: twice to 10.98.0.3"

# --- all or nothing ------------------------------------------------------------
before=$(nrows history)
for bad in "$MX" "$MN"; do
	recv_start
	run wol "$M1" "$bad" "$M2"
	is "$rc" 1 "wol with $bad: exit 1"
	one_line_naming "$bad"; ok $? "wol with $bad: one line naming it: $(cat "$T/err")"
	recv_wait
	is "$(cat "$T/got")" "" "wol with $bad: nothing sent, not even to the good ones"
done
run wol "$MX"
grep -q "192.0.2.7 is in none of the \[network\] subnets: nothing sent" "$T/err"
ok $? "a machine outside the subnets: the message says so"
is "$(nrows history)" "$before" "all or nothing: no history row written"

# --- broadcast_all ---------------------------------------------------------------
# 255.255.255.255 needs a route: the test's interface, inside the namespace.
ip route add 255.255.255.255/32 dev "$IF"
cp "$CONF" "$T/all.conf"
printf 'broadcast_all = yes\n' >> "$T/all.conf"
recv_start
"$SIP" -c "$T/all.conf" wol "$M1" > "$T/out" 2> "$T/err"
is "$?" 0 "broadcast_all: exit 0"
recv_wait
is "$(cat "$T/got")" "10.99.0.255 $(magic $M1)
10.99.0.255 $(magic $M1)
255.255.255.255 $(magic $M1)
255.255.255.255 $(magic $M1)" "broadcast_all: twice to the subnet, twice to 255.255.255.255"

# --- set-action --wol ----------------------------------------------------------
recv_start
run set-action --wol "$M1" "$M2" memtest:run
is "$rc" 0 "set-action --wol: exit 0"
recv_wait
is "$(wc -l < "$T/got")" 4 "set-action --wol: two packets per machine"
is "$(grep -c ' wol-sent ' "$T/out")" 2 "set-action --wol: says it woke both"
is "$(sqlite3 "$DB" "SELECT count(*) FROM history h JOIN actions a ON a.id = h.action_id WHERE h.event = 'wol-sent' AND a.name = 'memtest:run'")" 2 \
    "set-action --wol: the wol-sent rows belong to the new actions"
before=$(nrows actions)
recv_start
run set-action --wol "$M1" "$MX" memtest:run
is "$rc" 1 "set-action --wol with a machine outside the subnets: exit 1"
recv_wait
is "$(nrows actions)" "$before" "set-action --wol: no action set when one cannot be woken"
is "$(cat "$T/got")" "" "set-action --wol: nothing sent"

# --- refusals ----------------------------------------------------------------------
recv_start
run wol --at +1h "$M1"
is "$rc" 0 "wol --at +1h: taken (t/46-tick.t sends it)"
recv_wait
is "$(cat "$T/got")" "" "wol --at +1h: nothing sent now"
run wol
is "$rc" 2 "wol without TARGET: usage error"
sed '/^\[network\]/,$d' "$CONF" > "$T/nonet.conf"
"$SIP" -c "$T/nonet.conf" wol "$M1" > "$T/out" 2> "$T/err"
is "$?" 1 "wol without [network] subnets: exit 1"
grep -q "no \[network\] subnets" "$T/err"; ok $? "wol without subnets: says so"

# --- TARGETs from SE3's directory: the IP is LDAP's ipHostNumber ----------------
# A private slapd on the namespace's own loopback; pc-000N is 10.1.0.N.
. t/lib/slapd.sh
if slapd_missing; then
	skip "wol parc:NAME: slapd not installed"
else
	LDAPNOINIT=1
	export LDAPNOINIT
	trap 'slapd_stop; rm -rf "$T"' EXIT
	if slapd_start "$T/slapd" 8 2; then
		ip addr add 10.1.0.254/16 dev "$IF"
		cat > "$T/ldap.conf" <<-EOC
		$(sed '/^\[network\]/,$d' "$CONF")
		[network]
		subnets = 10.99.0.0/24 10.1.0.0/16
		[wol]
		port = $PORT
		$(slapd_conf)
		EOC
		recv_start
		"$SIP" -c "$T/ldap.conf" wol parc:salle-01 > "$T/out" 2> "$T/err"
		is "$?" 0 "wol parc:salle-01: exit 0 $(cat "$T/err")"
		recv_wait
		: > "$T/want"
		for i in 0 2 4 6; do
			echo "10.1.255.255 $(magic "$(slapd_mac $i)")" >> "$T/want"
			echo "10.1.255.255 $(magic "$(slapd_mac $i)")" >> "$T/want"
		done
		is "$(sort "$T/got")" "$(sort "$T/want")" \
		    "wol parc:salle-01: its 4 machines, twice each, to 10.1.255.255 (their ipHostNumber's subnet)"
	else
		ok 1 "a private slapd in the namespace"
	fi
fi

done_testing
