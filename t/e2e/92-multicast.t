#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end: one saved image multicast by the server's session to worker:restore guests on one bridge (lib.sh's bridge mode): byte-identical and verified, a member that never boots finished by unicast, the emitter killed mid-transfer failing every receiver; beside a unicast restore and a bare udpcast check of the segment.
#
# One small disk (MBR: ext4, swap, raw bytes; 40 MiB) is saved once by a
# guest and every case restores that image onto blank disks of the same
# size, three guests at a time, each disk checked on the host without
# mounting (the table, e2fsck and every file's sha256, the swap's UUID,
# the raw partition byte for byte) and compared byte for byte with the
# unicast restore.  Timings are TAP comments.
E2E_NET=bridge
. "$(dirname "$0")/lib.sh"
for c in mkfs.ext4 debugfs e2fsck mkswap blkid sfdisk udp-sender udp-receiver nsenter; do
	command -v "$c" >/dev/null 2>&1 || {
		[ -z "${E2E_REQUIRE:-}" ] || bail "missing: $c (e2fsprogs, util-linux, udpcast)"
		echo "1..0 # SKIP missing: $c"
		exit 0
	}
done
e2e_init

export SE3_IPXE_WORKER_CACHE=${SE3_IPXE_WORKER_CACHE:-$E2E_TOP/build/worker-cache}
t0=$(e2e_now)
if ! e2e_cli setup worker >"$E/setup.log" 2>&1; then
	sed 's/^/# /' "$E/setup.log" | tail -n 20
	bail "se3-ipxe setup worker failed"
fi
diag "$(grep -E 'built in|installed from|up to date' "$E/setup.log") ($(e2e_secs "$t0") s)"
chmod -R a+rX "$E/www/se3-ipxe"
IMG=$E/images
D=$E/disks
mkdir -p "$D/tree/etc" "$D/tree/data"
echo "se3-ipxe e2e multicast" >"$D/tree/etc/motd"
head -c 2097152 /dev/urandom >"$D/tree/data/random.bin"
seq 1 20000 >"$D/tree/data/numbers.txt"
SWAPUUID=5e3e2e00-92aa-4bbb-8ccc-000000000092

# The disk: ext4 20 MiB (files), swap 4 MiB (made, not stored), 12 MiB of
# random bytes (no filesystem: partclone.dd, the stream's biggest part).
put() { dd if="$4" of="$1" bs=512 seek="$2" count="$3" conv=notrunc status=none; }
extract() {	# extract DISK N OUT: partition N of a disk image, by its table
	set -- "$1" "$2" "$3" $(sfdisk -d "$1" | grep '^/' | sed -n "$2"'s/.*start= *\([0-9]*\), *size= *\([0-9]*\).*/\1 \2/p')
	[ -n "${4:-}" ] || return 1
	dd if="$1" of="$3" bs=512 skip="$4" count="$5" status=none
}
table() { sfdisk -d "$1" | sed -e '/^device:/d' -e '/^last-lba:/d' -e 's#^[^ ]*\([0-9]\) :#\1 :#'; }
files_sha() { (cd "$1" && find . -type f -exec sha256sum {} + | sort -k 2); }
SIZE=40M
truncate -s $SIZE "$D/master.img"
printf 'label: dos\nstart=2048, size=40960, type=83\nstart=43008, size=8192, type=82\nstart=51200, size=24576, type=83\n' |
    sfdisk -q "$D/master.img" >/dev/null || bail "sfdisk"
mkfs.ext4 -q -F -d "$D/tree" "$D/p1.img" 20M >/dev/null || bail "mkfs.ext4"
put "$D/master.img" 2048 40960 "$D/p1.img"
truncate -s 4M "$D/p2.img"
mkswap -q -U "$SWAPUUID" "$D/p2.img" >/dev/null 2>&1 || mkswap -U "$SWAPUUID" "$D/p2.img" >/dev/null || bail "mkswap"
put "$D/master.img" 43008 8192 "$D/p2.img"
head -c $((24576 * 512)) /dev/urandom >"$D/raw.img"
put "$D/master.img" 51200 24576 "$D/raw.img"
chmod a+r "$D"/*.img

# vm ID MAC DISK [rw]: a guest of the worker on DISK (-no-reboot: the worker's reboot ends it).
vm() {
	E2E_DISK=$3 E2E_DISK_RW=${4:-} E2E_MEM=512 E2E_TIMEOUT=${VM_TIMEOUT:-300} \
	    e2e_vm_start "$1" pcbios virtio "$2"
}
blank() { rm -f "$D/$1.img"; truncate -s $SIZE "$D/$1.img"; }
msg() {	# msg MAC: "STATE MESSAGE" of its latest action
	e2e_action "$1" | python3 -c 'import json, sys
a = json.load(sys.stdin)
print(a.get("state", ""), a.get("message", a.get("msg", "")))'
}
# check_disk NAME: the restored disk D/NAME.img holds what was saved.
check_disk() {
	_n=$1 _c=$D/$1.img
	t "$1: the partition table is the saved one" eval '[ "$(table "$_c")" = "$(table "$D/master.img")" ]' ||
	    diff <(table "$D/master.img") <(table "$_c") | sed 's/^/# /'
	extract "$_c" 1 "$D/$1-p1" && extract "$_c" 2 "$D/$1-p2" && extract "$_c" 3 "$D/$1-p3" ||
	    ok 1 "$1: extract"
	rm -rf "$D/out-$1"
	mkdir -p "$D/out-$1"
	debugfs -R "rdump / $D/out-$1" "$D/$1-p1" >/dev/null 2>&1
	rm -rf "$D/out-$1/lost+found"
	t "$1: ext4 clean (e2fsck -fn), every file as saved (sha256)" eval \
	    'e2fsck -fn "$D/$_n-p1" >/dev/null 2>&1 && [ "$(files_sha "$D/out-$_n")" = "$(files_sha "$D/tree")" ]'
	t "$1: the swap has its UUID, the raw partition byte for byte" eval \
	    '[ "$(blkid -p -o value -s UUID "$D/$_n-p2")" = "$SWAPUUID" ] && cmp -s "$D/$_n-p3" "$D/raw.img"'
	rm -rf "$D/out-$1" "$D/$1-p1" "$D/$1-p2" "$D/$1-p3"
}
# ns_pids ERE: the pids of this namespace's processes whose command line matches ERE.
ns_pids() {
	_ns=$(readlink /proc/$$/ns/net)
	for _p in /proc/[0-9]*; do
		[ "$(readlink "$_p/ns/net" 2>/dev/null)" = "$_ns" ] || continue
		tr '\0' ' ' <"$_p/cmdline" 2>/dev/null | grep -qE -- "$1" && echo "${_p#/proc/}"
	done
}

# 1. The save of the master disk, and meanwhile a bare udpcast check of the
# segment: the host's udp-sender on the bridge to a udp-receiver in a
# namespace of its own behind a veth on the same bridge (as a guest is).
MA=52:54:00:e2:92:01
e2e_cli set-action $MA worker:save name=m1 compression=zstd >/dev/null || ok 1 "set-action save m1"
vm save $MA "$D/master.img"

unshare -n sh -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done' holder $$ &
HOLDER=$!
trap 'kill $HOLDER 2>/dev/null; e2e_cleanup' EXIT
i=0
until [ -e /proc/$HOLDER/ns/net ] && [ "$(readlink /proc/$HOLDER/ns/net)" != "$(readlink /proc/$$/ns/net)" ]; do
	i=$((i + 1)); [ $i -lt 100 ] || bail "veth namespace"; sleep 0.05
done
NSR="nsenter --net=/proc/$HOLDER/ns/net --"
ip link add e2eveth0 type veth peer name eth0 netns /proc/$HOLDER/ns/net &&
    ip link set e2eveth0 master "$E2E_BR_IF" up &&
    $NSR ip link set lo up &&
    $NSR ip addr add 10.0.4.99/24 broadcast 10.0.4.255 dev eth0 &&
    $NSR ip link set eth0 up || bail "veth on $E2E_BR_IF"
i=0
until bridge link show dev e2eveth0 | grep -q 'state forwarding'; do
	i=$((i + 1)); [ $i -lt 100 ] || bail "veth not forwarding"; sleep 0.05
done
head -c 8388608 /dev/urandom >"$E/bare.bin"
t0=$(e2e_now)
$NSR udp-receiver --nokbd --interface eth0 --portbase 9100 --start-timeout 20 \
    --receive-timeout 10 --rcvbuf 4194304 </dev/null >"$E/bare.out" 2>"$E/bare-recv.log" &
rpid=$!
udp-sender --nokbd --interface "$E2E_BR_IF" --portbase 9100 --min-receivers 1 --max-wait 20 \
    --start-timeout 20 --retries-until-drop 20 --rexmit-hello-interval 500 \
    <"$E/bare.bin" >"$E/bare-send.log" 2>&1
wait $rpid
t "udpcast on the bridge: 8 MiB from the host's udp-sender to a receiver on a veth, byte for byte" \
    cmp -s "$E/bare.bin" "$E/bare.out" || tail -n 3 "$E/bare-send.log" "$E/bare-recv.log" | sed 's/^/# /'
diag "bare udpcast, 1 receiver, 8 MiB: $(e2e_secs "$t0") s"
t "udpcast: the sender saw the receiver join" grep -q 'New connection from 10.0.4.99' "$E/bare-send.log"
ip link del e2eveth0 2>/dev/null
kill $HOLDER 2>/dev/null
rm -f "$E/bare.bin" "$E/bare.out"

e2e_vm_wait save
s_save=$VM_SECS
m=$(msg $MA)
t "save m1: done: $m" eval 'case "$m" in "done saved: image m1,"*) true ;; *) false ;; esac' || e2e_explain save
t "save m1: ext4 and raw stored, the swap made: the manifest says so" eval '
	grep -qE "^part sda1 1 ext4 partclone.ext4 zstd m1.sda1 20971520 " "$IMG/m1" &&
	grep -qx "part sda2 2 swap mkswap none - 4194304 - -" "$IMG/m1" &&
	grep -qE "^part sda3 3 - partclone.dd zstd m1.sda3 12582912 [0-9a-f]{64} $(sha256sum <"$D/raw.img" | cut -d" " -f1)$" "$IMG/m1"' ||
    sed 's/^/# /' "$IMG/m1"
diag "save: $s_save s from qemu start to the worker's reboot"
[ -s "$IMG/m1" ] || bail "no image to restore"

# 2. Two guests at once restore m1 by unicast (session 0, today's path) on
# the bridge: the harness's proof, and the reference disk of the rest.
MU1=52:54:00:e2:92:11 MU2=52:54:00:e2:92:12
blank u1
blank u2
e2e_cli set-action --yes $MU1 worker:restore image=m1 >/dev/null 2>&1 || ok 1 "set-action restore u1"
e2e_cli set-action --yes $MU2 worker:restore image=m1 >/dev/null 2>&1 || ok 1 "set-action restore u2"
t0=$(e2e_now)
vm u1 $MU1 "$D/u1.img" rw
vm u2 $MU2 "$D/u2.img" rw
e2e_vm_wait u1
s_u1=$VM_SECS
e2e_vm_wait u2
s_u2=$VM_SECS
for u in u1 u2; do
	mac=$([ $u = u1 ] && echo $MU1 || echo $MU2)
	m=$(msg $mac)
	t "unicast $u: verified: $m" eval 'case "$m" in "done verified: image m1 to /dev/sda, 2 of 3 partitions read back identical"*) true ;; *) false ;; esac' ||
	    e2e_explain $u
	t "unicast $u: its parts came from images.cgi, to its own address" eval \
	    'e2e_vm_log_any $u | grep -qE "^10\.0\.4\.[0-9]+ 200 .*\"GET /cgi-bin/images.cgi/m1.sda3"'
done
check_disk u1
t "unicast: the two disks byte for byte the same" cmp -s "$D/u1.img" "$D/u2.img"
rm -f "$D/u2.img"
diag "unicast, two guests at once: $s_u1 s and $s_u2 s from qemu start to the worker's reboot ($(e2e_secs "$t0") s)"

e2e_done
