#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end: the worker's live flavour (live-boot, a squashfs of Debian packages with all the drivers) built by setup worker --flavour live (cached), booted by the real iPXE, saves a disk and restores it to a blank one, checked without mounting.
. "$(dirname "$0")/lib.sh"
e2e_need "e2fsprogs, util-linux, squashfs-tools: the live flavour's build and checks" \
    mkfs.ext4 debugfs e2fsck sfdisk mksquashfs unsquashfs
e2e_init

# The build is shared by the tests of one run (and kept between runs on a developer's machine).
export SE3_IPXE_WORKER_CACHE=${SE3_IPXE_WORKER_CACHE:-$E2E_TOP/build/worker-cache}
W=$E/www/se3-ipxe
IMG=$E/images

# The live build takes minutes and the mirror the first time: a run without
# E2E_REQUIRE (a developer's prove) takes it from the cache only, unless
# E2E_LIVE_BUILD=1, and is skipped, saying why, when it is not there or fails.
only=
[ -n "${E2E_REQUIRE:-}${E2E_LIVE_BUILD:-}" ] || only=1
t0=$(e2e_now)
if ! SE3_IPXE_WORKER_CACHED_ONLY=$only e2e_cli setup --flavour live worker >"$E/setup1.log" 2>&1; then
	[ -z "${E2E_REQUIRE:-}" ] || { sed 's/^/# /' "$E/setup1.log" | tail -n 20; bail "se3-ipxe setup --flavour live worker failed"; }
	if grep -q 'SE3_IPXE_WORKER_CACHED_ONLY=1: not built' "$E/setup1.log"; then
		echo "1..0 # SKIP the live flavour is not built in $SE3_IPXE_WORKER_CACHE (E2E_LIVE_BUILD=1 or E2E_REQUIRE=1 builds it: minutes, and the mirror)"
	else
		sed 's/^/# /' "$E/setup1.log" | tail -n 20
		echo "1..0 # SKIP the live flavour could not be built (se3-ipxe setup --flavour live worker failed, above)"
	fi
	exit 0
fi
diag "setup --flavour live worker (cold or from the cache $SE3_IPXE_WORKER_CACHE): $(e2e_ms "$t0") ms" \
    "$(grep -E 'mmdebstrap --mode|mode\) ready|built in|kernel modules|installed from|up to date' "$E/setup1.log")"
for f in vmlinuz initrd.img filesystem.squashfs packages.lock key; do
	t "setup made worker/live/$f" test -s "$W/worker/live/$f"
done
t "setup kept the live flavour alone" eval '[ "$(cat "$W/worker/flavours")" = live ]'
# Built cold, from a cached root, or taken from the cache: each says how the root was made.
t "setup said which mmdebstrap mode made the root" grep -qE 'mmdebstrap --mode=(unshare as [a-z_-]+ \(unprivileged|root: no unprivileged build \()|live: root .* \((unshare|root) mode\) ready|installed from the cache .*\(its root made by mmdebstrap --mode=(unshare|root)\)' "$E/setup1.log"
sq=$(stat -c %s "$W/worker/live/filesystem.squashfs")
t "the squashfs is 60 to 160 MB ($sq bytes)" test "$sq" -gt 60000000 -a "$sq" -lt 160000000
unsquashfs -l "$W/worker/live/filesystem.squashfs" >"$E/squashfs.list" 2>/dev/null
nko=$(grep -c '\.ko\(\.[a-z]*\)\?$' "$E/squashfs.list")
t "it holds the kernel's drivers: $nko modules (> 1500)" test "$nko" -gt 1500
for ko in e1000e r8169 tg3 igc igb bnx2 atlantic r8152 ahci nvme vmd mmc_block usb-storage uas megaraid_sas hid-generic usbhid; do
	t "... $ko among them" grep -qE "/$ko\.ko(\.[a-z]+)?$" "$E/squashfs.list"
done
for ko in snd-hda-intel amdgpu iwlwifi btusb; do
	t "... not $ko (sound, graphics, radio: trimmed)" eval '! grep -qE "/$ko\.ko(\.[a-z]+)?$" "$E/squashfs.list"'
done
t "... with the worker's unit, enabled" grep -q 'etc/systemd/system/multi-user.target.wants/se3-worker.service$' "$E/squashfs.list"
t "... no kernel or initrd inside (they are served beside it)" eval '! grep -qE "/boot/(vmlinuz|initrd.img)-" "$E/squashfs.list"'
diag "live: squashfs $sq bytes, initrd.img $(stat -c %s "$W/worker/live/initrd.img") bytes, vmlinuz $(stat -c %s "$W/worker/live/vmlinuz") bytes, $nko kernel modules, $(wc -l <"$W/worker/live/packages.lock") packages"

e2e_setup_again live
chmod -R a+rX "$W"

# The disk: an MBR table, an ext4 filesystem made from a directory, an empty partition.
D=$E/disk
mkdir -p "$D/tree/etc" "$D/tree/data"
echo "se3-ipxe e2e live worker" >"$D/tree/etc/motd"
head -c 2097152 /dev/urandom >"$D/tree/data/random.bin"
seq 1 10000 >"$D/tree/data/numbers.txt"
truncate -s 64M "$D/disk.img"
printf 'label: dos\nstart=2048, size=65536, type=83\nstart=67584, size=32768, type=83\n' |
    sfdisk -q "$D/disk.img" >/dev/null || bail "sfdisk failed"
mkfs.ext4 -q -F -d "$D/tree" "$D/part1.img" 32M || bail "mkfs.ext4 -d failed"
dd if="$D/part1.img" of="$D/disk.img" bs=1M seek=1 conv=notrunc status=none
chmod a+r "$D/disk.img"
done_msg() {	# done_msg MAC: the state and message of its action
	e2e_action "$1" | python3 -c 'import json, sys
a = json.load(sys.stdin)
print(a.get("state", ""), a.get("message", a.get("msg", "")))'
}
# seen_at ID ERE T0: seconds from T0 (ns) until ERE is on the guest's serial
# console, polled as it boots; empty if the guest ended first.
seen_at() {
	while [ -s "$E/vm/$1/watch.pid" ] && kill -0 "$(cat "$E/vm/$1/watch.pid")" 2>/dev/null; do
		if grep -aqE -- "$2" "$E/vm/$1/serial.raw" 2>/dev/null; then
			e2e_secs "$3"
			return 0
		fi
		sleep 0.5
	done
}
vm() {	# vm ID MAC DISK [rw]: a guest of 1 GiB (the squashfs lives in its memory)
	E2E_DISK=$3 E2E_DISK_RW=${4:-} E2E_MEM=1024 E2E_TIMEOUT=480 e2e_vm_start "$1" pcbios virtio "$2"
}

# 1. Save, by the live worker.
mac=52:54:00:e2:93:01
e2e_cli set-action "$mac" worker:save name=live1 flavour=live >/dev/null || ok 1 "set-action $mac worker:save flavour=live"
v0=$(e2e_now)
vm save "$mac" "$D/disk.img"
# Where the boot's time goes: iPXE's fetch of the kernel and initrd, live-boot's of the squashfs, systemd.
sq_save=$(seen_at save 'filesystem.squashfs.* saved' "$v0")
up_save=$(seen_at save 'se3-ipxe worker: started' "$v0")
job_save=$(seen_at save 'se3-ipxe worker: job fetched' "$v0")
e2e_vm_wait save
s_save=$VM_SECS
m=$(done_msg "$mac")
t "save: the action is done: $m" eval 'case "$m" in "done saved: image live1,"*) true ;; *) false ;; esac' ||
    e2e_explain save
t "save: iPXE fetched the live kernel and initrd" \
    eval 'e2e_fetched save /se3-ipxe/worker/live/vmlinuz 200 && e2e_fetched save /se3-ipxe/worker/live/initrd.img 200'
t "save: live-boot fetched the squashfs" eval 'e2e_vm_log_any save | grep -qE "^[0-9.]+ 200 .*\"GET /se3-ipxe/worker/live/filesystem.squashfs HTTP"' ||
    e2e_vm_log_any save | sed 's/token=[0-9a-f]*/token=.../; s/^/# /'
t "save: the worker ran as the systemd unit, on the serial console" e2e_seen save 'se3-ipxe worker: started'
t "save: no getty took the console" eval '! e2e_seen save "login:"'
t "save: the worker ended by rebooting (qemu exit 0)" test "$VM_OUTCOME" = 0
t "save: the manifest names the table and the ext4 stream" eval '
	grep -qE "^part sda1 1 ext4 partclone.ext4 zstd live1.sda1 33554432 [0-9a-f]{64} [0-9a-f]{64}$" "$IMG/live1" &&
	tail -n 1 "$IMG/live1" | grep -qx end' || sed 's/^/# /' "$IMG/live1"

# 2. Restore to a blank disk, by the live worker, verified.
truncate -s 64M "$D/blank.img"
mac=52:54:00:e2:93:02
e2e_cli set-action --yes "$mac" worker:restore image=live1 flavour=live >/dev/null 2>&1 ||
    ok 1 "set-action $mac worker:restore flavour=live"
v0=$(e2e_now)
vm restore "$mac" "$D/blank.img" rw
job_restore=$(seen_at restore 'se3-ipxe worker: job fetched' "$v0")
e2e_vm_wait restore
s_restore=$VM_SECS
m=$(done_msg "$mac")
t "restore: verified: $m" eval 'case "$m" in "done verified: image live1 to /dev/sda, "*) true ;; *) false ;; esac' ||
    e2e_explain restore
t "restore: the partition table is the saved one" eval '[ "$(e2e_table "$D/blank.img")" = "$(e2e_table "$D/disk.img")" ]'
dd if="$D/blank.img" of="$D/restored-p1.img" bs=512 skip=2048 count=65536 status=none
t "restore: ext4 is clean (e2fsck -fn)" eval 'e2fsck -fn "$D/restored-p1.img" >/dev/null 2>&1'
mkdir -p "$D/out"
debugfs -R "rdump / $D/out" "$D/restored-p1.img" >/dev/null 2>&1
rm -rf "$D/out/lost+found"
t "restore: every file as saved (sha256)" eval '[ "$(e2e_files_sha "$D/out")" = "$(e2e_files_sha "$D/tree")" ]'
diag "live worker, save: qemu start to the squashfs fetched ${sq_save:-?} s, to the worker's unit started ${up_save:-?} s, to the job fetched ${job_save:-?} s, to the worker's reboot $s_save s" \
    "live worker, restore: qemu start to the job fetched ${job_restore:-?} s, to the worker's reboot $s_restore s"
e2e_done
