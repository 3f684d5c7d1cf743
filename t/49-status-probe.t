#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# status.cgi's probe ([status] probe) in a network namespace of its own: a machine that answers, one with no route, one without an address, and the probe turned off.
#
# The test runs itself again inside `unshare -rn`: the probes (and the
# listener that answers one) stay in that namespace.
. t/lib/netns.sh
netns_enter python3 -- "$@"

. t/lib/tap.sh
. t/lib/cgi.sh

unset SE3_IPXE_CONFIG
[ -x "$TOP/cgi/status.cgi" ] || { echo "1..0 # SKIP cgi/status.cgi is not built"; exit 0; }
ip link set lo up
ip route show | grep -q default && { echo "Bail out! a default route in the namespace"; exit 1; }

# A machine that answers: a listener on 127.0.0.5, the probe's only port.
PORT=40445
python3 -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.5", int(sys.argv[1])))
s.listen(64)
open(sys.argv[2], "w").close()
while True:
	c, a = s.accept()
	c.close()' "$PORT" "$T/ready" &
lpid=$!
trap 'kill $lpid 2> /dev/null; rm -rf "$T"' EXIT
for _ in $(seq 50); do [ -e "$T/ready" ] && break; sleep 0.1; done

write_config "$T/se3-ipxe.conf" "[probe]" "ports = $PORT" "timeout = 300" \
    "[status]" "probe = yes"
db_create
M1=52:54:00:00:49:01
M2=52:54:00:00:49:02
M3=52:54:00:00:49:03
boot "mac=$M1&platform=pcbios&ip=127.0.0.5"
boot "mac=$M2&platform=pcbios&ip=10.77.0.1"
boot "mac=$M3&platform=pcbios"
fold_seen

t0=$(date +%s%3N)
scgi GET /status.json "" admin
t1=$(date +%s%3N)
is "$status" 200 "status.json with the probe: 200 $(cat "$T/serr")"
is "$(json '[(m["mac"], m["ip"], m["reachable"]) for m in d["parcs"][0]["machines"]]')" \
    "[('$M1', '127.0.0.5', True), ('$M2', '10.77.0.1', False), ('$M3', None, None)]" \
    "reachable: the listener's machine yes, the one with no route no, the one without an address unknown"
[ $((t1 - t0)) -lt 5000 ]; ok $? "within the CGI's deadline ($((t1 - t0)) ms, probe timeout 300 ms)"
scgi GET "" "" admin
grep -q "<td>$M1</td><td>127.0.0.5</td>.*<td>yes</td>" "$T/sbody" &&
    grep -q "<td>$M2</td><td>10.77.0.1</td>.*<td>no</td>" "$T/sbody"
ok $? "the page: Reachable yes and no"

write_config "$T/off.conf" "[probe]" "ports = $PORT" "[status]" "probe = no"
CONFIG=$T/off.conf scgi GET /status.json "" admin
is "$(json '[m["reachable"] for m in d["parcs"][0]["machines"]]')" "[None, None, None]" \
    "[status] probe = no: nothing probed, reachable unknown"

done_testing
