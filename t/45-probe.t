#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# status --probe in a network namespace of its own: 1,000 machines, 900 of which never answer, all answered within 2 x the probe timeout; open, refused, silent and blackholed told apart.
#
# The test runs itself again inside `unshare -rn` (a user and network
# namespace of its own): no packet it sends can leave that namespace.
# The 900 silent machines are in 10.96.0.0/22, routed through a veth pair
# to a neighbour that drops everything (its address is not the
# namespace's and it forwards nothing): their SYNs go out and nothing
# ever comes back, as with machines switched off.  A blackhole route
# (10.98.0.0/24) is refused by the kernel at once, which the probe takes
# for down too.
. t/lib/netns.sh
netns_enter python3 sqlite3 -- "$@"

. t/lib/tap.sh
. t/lib/cli.sh

unset SE3_IPXE_CONFIG SUDO_USER
TZ=UTC
export TZ

ip link set lo up
if ! ip link add pr0 type veth peer name pr1 2> /dev/null ||
    ! ip addr add 10.95.0.1/24 dev pr0 || ! ip link set pr0 up ||
    ! ip link set pr1 up; then
	echo "1..0 # SKIP no veth pair in the namespace"
	exit 0
fi
ip route add 10.96.0.0/22 via 10.95.0.2 &&
    ip neigh replace 10.95.0.2 lladdr 02:00:00:00:95:02 dev pr0 nud permanent &&
    ip route add blackhole 10.98.0.0/24 || {
	echo "Bail out! routes in the namespace"; exit 1; }
ip route show | grep -q default && { echo "Bail out! a default route in the namespace"; exit 1; }

P1=40445
P2=40022
TIMEOUT=1500
CONF=$T/se3-ipxe.conf
cli_config "$CONF" "$TOP/modules"
cat >> "$CONF" <<EOC
[probe]
ports = $P1 $P2
timeout = $TIMEOUT
EOC
se3ipxe init > /dev/null || { echo "Bail out! init"; exit 1; }

# A listener on P2 at each of the 100 "Linux" machines
# (P1 refused, P2 open), and P1 on 127.0.0.9 alone (a "Windows" one).
cat > "$T/listen.py" <<'EOP'
import socket, sys, time
ls = []
hosts = [("127.1.0.%d" % i, int(sys.argv[1])) for i in range(1, 101)]
for host, port in hosts + [("127.0.0.9", int(sys.argv[2]))]:
	s = socket.socket()
	s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	s.bind((host, port))
	s.listen(1024)
	ls.append(s)
open(sys.argv[3], "w").close()
time.sleep(60)
EOP
python3 "$T/listen.py" "$P2" "$P1" "$T/ready" &
lpid=$!
trap 'kill $lpid 2> /dev/null; rm -rf "$T"' EXIT
i=0
while [ ! -e "$T/ready" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done

# The machines, as boots would have recorded them: MAC and IP.
{
	echo "BEGIN;"
	awk -v q="'" 'BEGIN {
		for (i = 0; i < 1000; i++) {
			if (i < 100)
				ip = sprintf("127.1.0.%d", i + 1)
			else
				ip = sprintf("10.96.%d.%d", int((i - 100) / 250), (i - 100) % 250 + 1)
			printf "INSERT INTO machines (mac, first_seen, last_seen, ip) VALUES (" q "%s" q ", 1, 1, " q "%s" q ");\n", sprintf("52:54:00:00:%02x:%02x", int(i / 256), i % 256), ip
		}
	}'
	echo "INSERT INTO machines (mac, first_seen, last_seen, ip) VALUES ('52:54:00:99:00:09', 1, 1, '127.0.0.9');"
	echo "INSERT INTO machines (mac, first_seen, last_seen, ip) VALUES ('52:54:00:99:00:98', 1, 1, '10.98.0.7');"
	echo "INSERT INTO machines (mac, first_seen, last_seen, ip) VALUES ('52:54:00:99:00:97', 1, 1, '127.0.0.97');"
	echo "INSERT INTO machines (mac, first_seen, last_seen) VALUES ('52:54:00:99:00:00', 1, 1);"
	echo "COMMIT;"
} | sqlite3 "$DB" || { echo "Bail out! machines"; exit 1; }

ms() { date +%s%3N; }

# --- a few of each kind, in a table -------------------------------------------
run status --probe 52:54:00:99:00:09 52:54:00:00:00:00 52:54:00:99:00:97 \
    52:54:00:99:00:98 52:54:00:00:00:64 52:54:00:99:00:00
is "$rc" 0 "status --probe: exit 0 $(cat "$T/err")"
is "$(awk 'NR > 1 && /^[0-9a-f][0-9a-f]:/ { print $1, $NF }' "$T/out")" "52:54:00:99:00:09 $P1
52:54:00:00:00:00 $P2
52:54:00:99:00:97 up
52:54:00:99:00:98 down
52:54:00:00:00:64 down
52:54:00:99:00:00 IP" \
    "REACHABLE: the first port open, the second, all refused (up), blackholed, silent, no IP"
head -1 "$T/out" | grep -q 'REACHABLE$'; ok $? "the REACHABLE column, last"
run status 52:54:00:99:00:09
head -1 "$T/out" | grep -q REACHABLE; ok $((! $?)) "without --probe, no REACHABLE column"

# --- 1,000 at once -------------------------------------------------------------
t0=$(ms)
run status --probe --json
t1=$(ms)
is "$rc" 0 "status --probe --json over 1,004 machines: exit 0 $(cat "$T/err")"
valid_json "$T/out"; ok $? "valid JSON"
python3 - "$T/out" "$P1" "$P2" > "$T/counts" <<'EOP'
import json, sys
rows = json.load(open(sys.argv[1]))
c = {"p1": 0, "p2": 0, "up": 0, "down": 0, "noip": 0}
for r in rows:
	re = r["reachable"]
	if re is None:
		c["noip"] += 1
	elif re["port"] == int(sys.argv[2]):
		c["p1"] += 1
	elif re["port"] == int(sys.argv[3]):
		c["p2"] += 1
	elif re["up"]:
		c["up"] += 1
	else:
		c["down"] += 1
print(len(rows), c["p1"], c["p2"], c["up"], c["down"], c["noip"])
EOP
is "$(cat "$T/counts")" "1004 1 100 1 901 1" \
    "1,004 rows: 1 on the first port, 100 on the second, 1 up, 901 down (900 silent, 1 blackholed), 1 without IP"
el=$((t1 - t0))
ok $((! (el >= TIMEOUT && el < 2 * TIMEOUT))) \
    "1,000 probed in $el ms: at least the timeout ($TIMEOUT ms), within twice it"

# --- bounded: one socket at a time is one timeout per silent machine -----------
cp "$CONF" "$T/one.conf"
printf 'parallel = 1\ntimeout = 100\n' >> "$T/one.conf"
sed -i '/^timeout = '"$TIMEOUT"'$/d' "$T/one.conf"
t0=$(ms)
"$SIP" -c "$T/one.conf" status --probe 52:54:00:00:00:64 52:54:00:00:00:65 \
    52:54:00:00:00:66 52:54:00:00:00:67 > "$T/out" 2> "$T/err"
t1=$(ms)
el=$((t1 - t0))
is "$(awk 'NR > 1 && /^[0-9a-f][0-9a-f]:/ { print $NF }' "$T/out" | sort -u)" "down" "parallel = 1: 4 silent machines down"
ok $((! (el >= 400))) "parallel = 1: one after the other, $el ms >= 4 x 100"

done_testing
