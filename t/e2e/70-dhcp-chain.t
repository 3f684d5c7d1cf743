#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end DHCP chain: ISC dhcpd running the snippet of `se3-ipxe dhcp-config`, tftpd-hpa and ipxe.cgi in a private network namespace; a BIOS guest on a tap device there boots its local disk.
#
# Everything is inside two network namespaces made here: "srv" holds a
# bridge (10.55.0.1/24) with dhcpd, in.tftpd and a socat that passes
# 10.55.0.1:80 through a Unix socket to the harness's Apache on the host's
# 127.0.0.1; the guest's tap device is on that bridge.  "cli" holds the far
# end of a veth pair on the same bridge, for the DHCP and TFTP client checks.
# Nothing is routed, and no real interface is touched.
#
# The guest's firmware is SeaBIOS with Debian's iPXE NIC ROM, so its very
# first DHCP request already carries the user class "iPXE": the guest takes
# the iPXE branch of the snippet (option 67, the ipxe.cgi URL).  The other
# branch, a BIOS PXE ROM that is not iPXE, is checked by a DHCPDISCOVER
# without user class and with client architecture 0, then a TFTP fetch of
# the boot file it was given.
. "$(dirname "$0")/lib.sh"

CHAIN_NET=10.55.0
CHAIN_SRV=$CHAIN_NET.1
CHAIN_CLI=$CHAIN_NET.200
UNDI=${UNDI:-/usr/lib/ipxe/undionly.kpxe}

# What this file needs beyond the harness: skipped, never bailed out, as
# the packages are not all in .ci/packages-e2e.
chain_require() {
	_m=
	for _c in ip dhcpd in.tftpd tftp; do
		command -v "$_c" >/dev/null 2>&1 || _m="$_m $_c"
	done
	[ -r "$UNDI" ] || _m="$_m $UNDI (package ipxe)"
	[ -c /dev/net/tun ] || _m="$_m /dev/net/tun"
	if [ -n "$_m" ]; then
		echo "1..0 # SKIP missing:$_m"
		exit 0
	fi
	_p=se3e2e-probe-$$
	if ! ip netns add "$_p" 2>/dev/null; then
		echo "1..0 # SKIP cannot create a network namespace (ip netns add: not permitted)"
		exit 0
	fi
	ip netns del "$_p"
}
chain_require

# shellcheck disable=SC2034 # read by e2e_init: boot_url and cgi_url
E2E_HOST=$CHAIN_SRV
e2e_init

NS=se3e2e-srv-$$
NSC=se3e2e-cli-$$
chain_pids=
chain_cleanup() {
	e2e_cleanup
	for _p in $chain_pids; do
		kill -TERM "$_p" 2>/dev/null
	done
	sleep 0.2
	for _n in "$NS" "$NSC"; do
		# whatever was left in the namespaces made here
		for _p in $(ip netns pids "$_n" 2>/dev/null); do
			kill -KILL "$_p" 2>/dev/null
		done
		ip netns del "$_n" 2>/dev/null
	done
	for _p in $chain_pids; do
		kill -KILL "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
}
trap chain_cleanup EXIT
trap 'exit 130' INT TERM HUP
nsx() { ip netns exec "$NS" "$@"; }
nscx() { ip netns exec "$NSC" "$@"; }

# ------------------------------------------------------------- network
ip netns add "$NS" || bail "ip netns add $NS"
ip netns add "$NSC" || bail "ip netns add $NSC"
if ! { nsx ip link set lo up &&
    nsx ip link add br0 type bridge &&
    nsx ip addr add "$CHAIN_SRV/24" dev br0 &&
    nsx ip link set br0 up &&
    nsx ip tuntap add dev tap0 mode tap &&
    nsx ip link set tap0 master br0 up &&
    nsx ip link add vb0 type veth peer name vc0 &&
    nsx ip link set vb0 master br0 up &&
    nsx ip link set vc0 netns "$NSC" &&
    nscx ip link set lo up &&
    nscx ip link set vc0 address 52:54:00:e2:70:fe up; }; then
	bail "cannot build the namespace network"
fi
# The bridge forwards at once (no STP learning delay).
nsx ip link set br0 type bridge stp_state 0 forward_delay 0 2>/dev/null

# ---------------------------------------------------------- HTTP, TFTP
# 10.55.0.1:80 in the namespace -> Unix socket -> Apache on 127.0.0.1.
socat "UNIX-LISTEN:$E/http.sock,fork,mode=600" "TCP:127.0.0.1:$E2E_PORT1" \
    </dev/null 2>"$E/socat-host.err" &
chain_pids="$chain_pids $!"
nsx socat "TCP-LISTEN:80,bind=$CHAIN_SRV,reuseaddr,fork" "UNIX-CONNECT:$E/http.sock" \
    </dev/null 2>"$E/socat-ns.err" &
chain_pids="$chain_pids $!"

mkdir -p "$E/tftp"
cp "$UNDI" "$E/tftp/undionly.kpxe"
chmod -R a+rX "$E/tftp"
nsx in.tftpd -L -4 -v -a "$CHAIN_SRV:69" -s "$E/tftp" \
    </dev/null >"$E/tftpd.log" 2>&1 &
chain_pids="$chain_pids $!"

# ---------------------------------------------------------------- dhcpd
printf '[dhcp]\ntftp_server = %s\n' "$CHAIN_SRV" >>"$E/se3-ipxe.conf"
e2e_cli dhcp-config --format isc >"$E/snippet.conf" 2>"$E/snippet.err"
is "$?" 0 "se3-ipxe dhcp-config --format isc, cgi_url http://$CHAIN_SRV/cgi-bin/ipxe.cgi"
{
	echo 'ddns-update-style none;'
	echo 'authoritative;'
	echo 'default-lease-time 600;'
	echo 'max-lease-time 600;'
	cat "$E/snippet.conf"
	# Only observation: which branch answered, in dhcpd's log.
	echo 'log(info, concat("E2E-BRANCH ", binary-to-ascii(16, 8, ":", substring(hardware, 1, 6)),'
	echo '    " user-class=", pick-first-value(option user-class, "-"),'
	echo '    " bootfile-name=", pick-first-value(config-option bootfile-name, "-")));'
	echo "subnet $CHAIN_NET.0 netmask 255.255.255.0 {"
	echo "	range $CHAIN_NET.100 $CHAIN_NET.150;"
	echo '}'
} >"$E/dhcpd.conf"
: >"$E/dhcpd.leases"
dhcpd -t -cf "$E/dhcpd.conf" >"$E/dhcpd-t.log" 2>&1
t "dhcpd -t accepts the snippet inside a dhcpd.conf" test "$?" -eq 0 ||
    sed 's/^/# /' "$E/dhcpd-t.log"
nsx dhcpd -4 -f -d -cf "$E/dhcpd.conf" -lf "$E/dhcpd.leases" -pf "$E/dhcpd.pid" br0 \
    </dev/null >"$E/dhcpd.log" 2>&1 &
chain_pids="$chain_pids $!"
_i=0
while [ "$_i" -lt 50 ] && ! grep -q '^Sending on .*br0' "$E/dhcpd.log"; do
	_i=$((_i + 1))
	sleep 0.1
done
t "dhcpd serves br0 in the namespace" grep -q '^Sending on .*br0' "$E/dhcpd.log" ||
    tail -n 20 "$E/dhcpd.log" | sed 's/^/# /'

# ------------------------------------------- the non-iPXE branch, by hand
DISC=$E2E_TOP/t/e2e/chain/dhcpdiscover.py
offer() {	# offer OUT ARCH [USER-CLASS]
	_o=$1
	shift
	nscx timeout 8 python3 "$DISC" vc0 52:54:00:e2:70:fe "$@" >"$_o" 2>&1
}
field() { sed -n "s/^$2=//p" "$1"; }

offer "$E/offer-bios" 0
is "$(field "$E/offer-bios" file)" undionly.kpxe "BIOS PXE (arch 0, no user class): file undionly.kpxe" ||
    sed 's/^/# /' "$E/offer-bios"
is "$(field "$E/offer-bios" siaddr)" "$CHAIN_SRV" "BIOS PXE: next-server is tftp_server"
is "$(field "$E/offer-bios" opt67)" "" "BIOS PXE: no ipxe.cgi URL in option 67"

offer "$E/offer-efi" 7
is "$(field "$E/offer-efi" file)" ipxe.efi "UEFI x86-64 (arch 7, no user class): file ipxe.efi"

offer "$E/offer-ipxe" 0 iPXE
url=$(field "$E/offer-ipxe" opt67)
case $url in
"http://$CHAIN_SRV/cgi-bin/ipxe.cgi?mac=\${mac}&platform=\${platform}"*) _r=0 ;;
*) _r=1 ;;
esac
ok "$_r" "user class iPXE: option 67 is the ipxe.cgi URL"
[ "$_r" -eq 0 ] || sed 's/^/# /' "$E/offer-ipxe"

# The boot file of the BIOS branch, by TFTP from next-server.
nscx ip addr add "$CHAIN_CLI/24" dev vc0
bf=$(field "$E/offer-bios" file)
(cd "$E" && nscx timeout 10 tftp -m binary "$(field "$E/offer-bios" siaddr)" \
    -c get "${bf:-undionly.kpxe}" "$E/got.kpxe") >"$E/tftp.out" 2>&1
t "TFTP: $bf fetched from next-server is /usr/lib/ipxe/undionly.kpxe" \
    cmp -s "$E/got.kpxe" "$UNDI" || sed 's/^/# /' "$E/tftp.out"
nscx ip addr del "$CHAIN_CLI/24" dev vc0

# ---------------------------------------------- the guest, on the tap
mac=52:54:00:e2:70:01
id=pcbios-tap
d=$E/vm/$id
mkdir -p "$d"
echo "$id" >"$E/slot1"
echo "pcbios e1000 $mac" >"$d/meta"
echo "$E2E_PORT1" >"$d/port"
wc -l <"$E/apache/e2e.log" >"$d/logstart"
lines0=$(wc -l <"$E/dhcpd.log")
# e2e_vm_watch runs "$QEMU" ARGS: here ip netns exec, which execs qemu.
chain_qemu=$QEMU
QEMU=ip e2e_vm_watch "$d" pcbios "" 45 netns exec "$NS" "$chain_qemu" \
    -nodefaults -nographic -device VGA \
    -monitor "unix:$d/mon.sock,server=on,wait=off" \
    -serial "file:$d/serial.raw" -m 256 \
    -no-reboot -boot reboot-timeout=0 -uuid "$E2E_UUID" \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
    -device "e1000,netdev=n0,mac=$mac,bootindex=1" \
    -drive "if=none,id=disk0,format=raw,file=$E/fix/bios-disk.img,snapshot=on" \
    -device ide-hd,drive=disk0,bootindex=2 &
echo "$!" >"$d/watch.pid"
e2e_vm_wait "$id"
t "$id: the local disk booted (LOCALDISK-BOOTED, exit 33), no iPXE error" \
    e2e_booted_local "$id" pcbios || e2e_explain "$id"
t "$id: dhcpd offered and acknowledged a lease on br0" \
    grep -qE "^DHCPACK on $CHAIN_NET\.[0-9]+ to $mac .*via br0" "$E/dhcpd.log"
t "$id: dhcpd took the iPXE branch (user class iPXE, option 67 the ipxe.cgi URL)" \
    grep -qF "E2E-BRANCH $(echo "$mac" | sed 's/:0/:/g; s/^0//') user-class=iPXE bootfile-name=http://$CHAIN_SRV/cgi-bin/ipxe.cgi?mac=" "$E/dhcpd.log"
is "$(e2e_count "$id" '/cgi-bin/ipxe\.cgi\?mac=[^ ]*')" 1 "$id: one boot request to ipxe.cgi"
t "$id: it was answered 200" e2e_fetched "$id" '/cgi-bin/ipxe\.cgi\?mac=[^ ]*' 200
t "$id: by sanboot" e2e_seen "$id" 'Booting from SAN device'
ip_seen=$(e2e_cli status --json | python3 "$E2E_TOP/t/e2e/tool.py" machine "$mac" ip)
case $ip_seen in
"$CHAIN_NET".1[0-4][0-9]|"$CHAIN_NET".150) _r=0 ;;
*) _r=1 ;;
esac
ok "$_r" "$id: ipxe.cgi recorded the address dhcpd leased ($ip_seen)"
diag "dhcpd, during the guest's boot:"
tail -n +"$((lines0 + 1))" "$E/dhcpd.log" | grep -E 'DHCP|E2E-BRANCH' | sed 's/^/# /'
e2e_done
