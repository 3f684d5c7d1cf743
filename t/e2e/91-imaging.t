#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end: disks saved to the image store and restored by the worker under the real iPXE, checked without mounting (ext4, NTFS, FAT, swap, raw; GPT and MBR; same size, larger and grown, too small, a corrupted part), and through an SMB share of a private smbd.
. "$(dirname "$0")/lib.sh"
e2e_need "e2fsprogs, ntfs-3g, util-linux, mtools, dosfstools, samba" \
    mkfs.ext4 debugfs e2fsck mkntfs ntfscp ntfscat ntfsfix mkswap blkid sfdisk mcopy fsck.vfat smbd
e2e_init

export SE3_IPXE_WORKER_CACHE=${SE3_IPXE_WORKER_CACHE:-$E2E_TOP/build/worker-cache}
IMG=$E/images
e2e_setup_worker

D=$E/disks
mkdir -p "$D/tree/etc" "$D/tree/data" "$D/win"
echo "se3-ipxe e2e imaging" >"$D/tree/etc/motd"
head -c 3145728 /dev/urandom >"$D/tree/data/random.bin"
seq 1 20000 >"$D/tree/data/numbers.txt"
head -c 2097152 /dev/urandom >"$D/win/random.bin"
echo "C:\\ restored" >"$D/win/readme.txt"
SWAPUUID=5e3e2e00-91aa-4bbb-8ccc-000000000091

# part DISK START SIZE IMAGE: write a filesystem image into a partition (sectors).
put() { dd if="$4" of="$1" bs=512 seek="$2" count="$3" conv=notrunc status=none; }
# extract DISK N OUT: partition N of a disk image, by its table.
extract() {
	set -- "$1" "$2" "$3" $(sfdisk -d "$1" | grep '^/' | sed -n "$2"'s/.*start= *\([0-9]*\), *size= *\([0-9]*\).*/\1 \2/p')
	[ -n "${4:-}" ] || return 1
	dd if="$1" of="$3" bs=512 skip="$4" count="$5" status=none
}

# The GPT disk: ext4 (files), swap (a known UUID), NTFS last (files), 64 MiB.
truncate -s 64M "$D/gpt.img"
printf 'label: gpt\nstart=2048, size=40960, type=L\nstart=43008, size=8192, type=S\nstart=51200, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7\n' |
    sfdisk -q "$D/gpt.img" >/dev/null || bail "sfdisk gpt"
mkfs.ext4 -q -F -d "$D/tree" "$D/p1.img" 20M || bail "mkfs.ext4"
put "$D/gpt.img" 2048 40960 "$D/p1.img"
truncate -s 4M "$D/p2.img"
mkswap -q -U "$SWAPUUID" "$D/p2.img" >/dev/null 2>&1 || mkswap -U "$SWAPUUID" "$D/p2.img" >/dev/null || bail "mkswap"
put "$D/gpt.img" 43008 8192 "$D/p2.img"
p3=$(sfdisk -d "$D/gpt.img" | sed -n 's/.*start= *51200, *size= *\([0-9]*\).*/\1/p')
truncate -s $((p3 * 512)) "$D/p3.img"
mkntfs -q -F -Q -s 512 -p 51200 -L E2EWIN "$D/p3.img" >/dev/null 2>&1 || bail "mkntfs"
for f in random.bin readme.txt; do
	ntfscp -q "$D/p3.img" "$D/win/$f" "$f" >/dev/null 2>&1 || bail "ntfscp $f"
done
put "$D/gpt.img" 51200 "$p3" "$D/p3.img"
# What a disk needs to take this table: the last partition's end and the backup GPT.
NEED=$(( (51200 + p3 + 33) * 512 ))

# The MBR disk: FAT (files) and a partition of raw bytes (no filesystem: dd).
truncate -s 48M "$D/mbr.img"
printf 'label: dos\nstart=2048, size=32768, type=c\nstart=34816, size=16384, type=83\n' |
    sfdisk -q "$D/mbr.img" >/dev/null || bail "sfdisk dos"
mkfs.vfat -C -n E2EFAT "$D/f1.img" 16384 >/dev/null || bail "mkfs.vfat"
mcopy -i "$D/f1.img" "$D/tree/data/random.bin" "$D/tree/etc/motd" ::/ || bail "mcopy"
put "$D/mbr.img" 2048 32768 "$D/f1.img"
head -c $((16384 * 512)) /dev/urandom >"$D/raw.img"
put "$D/mbr.img" 34816 16384 "$D/raw.img"
chmod a+r "$D"/*.img

# vm ID MAC DISK [rw [FW]]: boot one guest on DISK (qemu -no-reboot: the worker's reboot ends it).
vm() {
	E2E_DISK=$3 E2E_DISK_RW=${4:-} E2E_MEM=512 E2E_TIMEOUT=420 e2e_vm_start "$1" "${5:-pcbios}" virtio "$2"
}
done_msg() {	# done_msg MAC: the message of its action, if it is done
	e2e_action "$1" | python3 -c 'import json, sys
a = json.load(sys.stdin)
print(a.get("state", ""), a.get("message", a.get("msg", "")))'
}

# 1. Saves: the GPT disk (zstd, the default; BIOS) and the MBR disk (lzop; UEFI), two guests at once.
e2e_cli set-action 52:54:00:e2:91:01 worker:save name=gpt1 >/dev/null || ok 1 "set-action save gpt1"
e2e_cli set-action 52:54:00:e2:91:02 worker:save name=mbr1 compression=lzop >/dev/null ||
    ok 1 "set-action save mbr1"
vm save-gpt 52:54:00:e2:91:01 "$D/gpt.img"
# The MBR disk's machine boots with UEFI (OVMF): the worker is the same.
vm save-mbr 52:54:00:e2:91:02 "$D/mbr.img" "" efi
e2e_vm_wait save-gpt
s_gpt=$VM_SECS
e2e_vm_wait save-mbr
s_mbr=$VM_SECS
for id in gpt mbr; do
	mac=52:54:00:e2:91:0$([ $id = gpt ] && echo 1 || echo 2)
	m=$(done_msg "$mac")
	t "save $id: the action is done: $m" eval 'case "$m" in "done saved: image ${id}1,"*", to the store") true ;; *) false ;; esac' ||
	    e2e_explain save-$id
done
diag "saves: GPT (BIOS) $s_gpt s, MBR (UEFI) $s_mbr s from qemu start to the worker's reboot"
t "save mbr: under UEFI, the worker was booted by iPXE's EFI build" eval 'grep -q "^efi " "$E/vm/save-mbr/meta" && e2e_fetched save-mbr /se3-ipxe/worker/vmlinuz 200'
t "save gpt: the manifest is stored" test -s "$IMG/gpt1"
t "save gpt: it names the table, ext4 and NTFS streams and the swap's UUID" eval '
	grep -qx "table gpt gpt1.table [0-9a-f]\{64\} $NEED" "$IMG/gpt1" &&
	grep -qE "^part sda1 1 ext4 partclone.ext4 zstd gpt1.sda1 20971520 [0-9a-f]{64} [0-9a-f]{64}$" "$IMG/gpt1" &&
	grep -qx "part sda2 2 swap mkswap none - 4194304 - -" "$IMG/gpt1" &&
	grep -qx "uuid sda2 $SWAPUUID" "$IMG/gpt1" &&
	grep -qE "^part sda3 3 ntfs partclone.ntfs zstd gpt1.sda3 [0-9]+ [0-9a-f]{64} [0-9a-f]{64}$" "$IMG/gpt1" &&
	tail -n 1 "$IMG/gpt1" | grep -qx end' || sed 's/^/# /' "$IMG/gpt1"
t "save mbr: FAT by partclone.fat, the raw partition by dd, lzop" eval '
	grep -qE "^part sda1 1 vfat partclone.fat lzop mbr1.sda1 16777216 " "$IMG/mbr1" &&
	grep -qE "^part sda2 2 - partclone.dd lzop mbr1.sda2 8388608 " "$IMG/mbr1" &&
	grep -qx "part sda2 2 - partclone.dd lzop mbr1.sda2 8388608 [0-9a-f]\{64\} $(sha256sum <"$D/raw.img" | cut -d" " -f1)" "$IMG/mbr1"' ||
    sed 's/^/# /' "$IMG/mbr1"
for f in gpt1 gpt1.table gpt1.sda1 gpt1.sda3 mbr1 mbr1.table mbr1.sda1 mbr1.sda2; do
	t "save: $f is in the catalogue with the sha256 of its file" eval '
	    e2e_cli images --parts --json | python3 -c "import json, sys
v = {i[\"name\"]: i for i in json.load(sys.stdin)}
sys.exit(0 if v[sys.argv[1]][\"sha256\"] == sys.argv[2] else 1)" "$f" "$(sha256sum <"$IMG/$f" | cut -d" " -f1)"'
done
e2e_cli images >"$E/images.txt" 2>&1
t "save: the catalogue lists gpt1 and mbr1 whole, with their partitions" eval '
	grep -qE "^gpt1 +52:54:00:e2:91:01 +sda:67108864 +sda1:ext4,sda2:swap,sda3:ntfs .* whole$" "$E/images.txt" &&
	grep -qE "^mbr1 +52:54:00:e2:91:02 +sda:50331648 +sda1:vfat,sda2:- .* whole$" "$E/images.txt"' ||
    sed 's/^/# /' "$E/images.txt"
t "save: no swap stream stored, no upload left over" eval '! ls -A "$IMG" | grep -qE "gpt1.sda2|^\.upload"'
t "save: the token never in the access log" eval '! grep -qE "images.cgi.*token=" "$E/apache/e2e.log"'
t "save: the worker's PUTs and commits answered 202 and 201" eval '
	grep -qE "^[0-9]+ 202 .*\"PUT /cgi-bin/images.cgi/gpt1.sda1" "$E/apache/e2e.log" &&
	grep -qE "^[0-9]+ 201 .*\"POST /cgi-bin/images.cgi/gpt1.sda1\?size=" "$E/apache/e2e.log"'

# 2. Restores of gpt1: to a blank disk of the same size, and grown on a larger one.
truncate -s 64M "$D/same.img"
truncate -s 96M "$D/large.img"
e2e_cli set-action --yes 52:54:00:e2:91:03 worker:restore image=gpt1 >/dev/null 2>&1 || ok 1 "set-action restore same"
e2e_cli set-action --yes 52:54:00:e2:91:04 worker:restore image=gpt1 grow=yes >/dev/null 2>&1 ||
    ok 1 "set-action restore large"
vm rest-same 52:54:00:e2:91:03 "$D/same.img" rw
vm rest-large 52:54:00:e2:91:04 "$D/large.img" rw
e2e_vm_wait rest-same
s_same=$VM_SECS
e2e_vm_wait rest-large
s_large=$VM_SECS
m=$(done_msg 52:54:00:e2:91:03)
t "restore same: verified, 2 of 3 partitions read back (the swap is made): $m" \
    eval 'case "$m" in "done verified: image gpt1 to /dev/sda, 2 of 3 partitions read back identical") true ;; *) false ;; esac' ||
    e2e_explain rest-same
m=$(done_msg 52:54:00:e2:91:04)
t "restore large: verified and grown: $m" \
    eval 'case "$m" in "done verified: image gpt1 to /dev/sda, 2 of 3 partitions read back identical, /dev/sda3 grown from "*) true ;; *) false ;; esac' ||
    e2e_explain rest-large
diag "restores: same size $s_same s, larger and grown $s_large s from qemu start to the worker's reboot"
t "restore same: the partition table is the saved one" eval '[ "$(e2e_table "$D/same.img")" = "$(e2e_table "$D/gpt.img")" ]' ||
    diff <(e2e_table "$D/gpt.img") <(e2e_table "$D/same.img") | sed 's/^/# /'
for disk in same large; do
	extract "$D/$disk.img" 1 "$D/$disk-p1.img" && extract "$D/$disk.img" 2 "$D/$disk-p2.img" &&
	    extract "$D/$disk.img" 3 "$D/$disk-p3.img" || ok 1 "extract $disk"
	t "restore $disk: ext4 is clean (e2fsck -fn)" eval 'e2fsck -fn "$D/$disk-p1.img" >/dev/null 2>&1'
	rm -rf "$D/out-$disk"
	mkdir -p "$D/out-$disk"
	debugfs -R "rdump / $D/out-$disk" "$D/$disk-p1.img" >/dev/null 2>&1
	rm -rf "$D/out-$disk/lost+found"
	t "restore $disk: every ext4 file as saved (sha256)" eval '[ "$(e2e_files_sha "$D/out-$disk")" = "$(e2e_files_sha "$D/tree")" ]'
	t "restore $disk: the swap has its UUID back" eval '[ "$(blkid -p -o value -s UUID "$D/$disk-p2.img")" = "$SWAPUUID" ]'
	t "restore $disk: NTFS is consistent (ntfsfix -n, the backup boot sector too)" eval \
	    'ntfsfix -n "$D/$disk-p3.img" 2>&1 | grep -q "processed successfully"' ||
	    ntfsfix -n "$D/$disk-p3.img" 2>&1 | sed 's/^/# /'
	for f in random.bin readme.txt; do
		t "restore $disk: NTFS $f as saved" eval '[ "$(ntfscat -f "$D/$disk-p3.img" "$f" 2>/dev/null | sha256sum)" = "$(sha256sum <"$D/win/$f")" ]'
	done
done
t "restore same: NTFS byte for byte the saved partition" cmp -s "$D/same-p3.img" "$D/p3.img"
t "restore large: the last partition reaches the end of the 96 MiB disk" eval \
    '[ $(( $(stat -c %s "$D/large-p3.img") / 1048576 )) -ge 70 ]'
t "restore large: the NTFS volume grew with it" eval \
    'ntfsinfo -m "$D/large-p3.img" 2>/dev/null | awk "/Volume Size in Clusters/ { exit !(\$NF * 4096 > 60000000) }"' ||
    ntfsinfo -m "$D/large-p3.img" 2>&1 | grep -i size | sed 's/^/# /'

# 3. The MBR image (FAT, raw) to a blank disk; gpt1 to a disk too small: refused before any write.
truncate -s 48M "$D/mbr-same.img"
truncate -s 32M "$D/small.img"
e2e_cli set-action --yes 52:54:00:e2:91:05 worker:restore image=mbr1 >/dev/null 2>&1 || ok 1 "set-action restore mbr"
e2e_cli set-action --yes 52:54:00:e2:91:06 worker:restore image=gpt1 >/dev/null 2>&1 || ok 1 "set-action restore small"
vm rest-mbr 52:54:00:e2:91:05 "$D/mbr-same.img" rw
vm rest-small 52:54:00:e2:91:06 "$D/small.img" rw
e2e_vm_wait rest-mbr
e2e_vm_wait rest-small
m=$(done_msg 52:54:00:e2:91:05)
t "restore mbr: verified: $m" eval 'case "$m" in "done verified: image mbr1 to /dev/sda, 2 of 2 "*) true ;; *) false ;; esac' ||
    e2e_explain rest-mbr
t "restore mbr: the table is the saved one" eval '[ "$(e2e_table "$D/mbr-same.img")" = "$(e2e_table "$D/mbr.img")" ]'
extract "$D/mbr-same.img" 1 "$D/mbr-p1.img" && extract "$D/mbr-same.img" 2 "$D/mbr-p2.img" || ok 1 "extract mbr"
t "restore mbr: FAT is clean (fsck.vfat -n)" eval 'fsck.vfat -n "$D/mbr-p1.img" >/dev/null 2>&1'
t "restore mbr: its files as saved" eval '[ "$(mcopy -n -i "$D/mbr-p1.img" ::/random.bin - | sha256sum)" = "$(sha256sum <"$D/tree/data/random.bin")" ]'
t "restore mbr: the raw partition byte for byte" cmp -s "$D/mbr-p2.img" "$D/raw.img"
m=$(done_msg 52:54:00:e2:91:06)
t "restore small: failed, naming the sizes: $m" \
    eval 'case "$m" in "failed "*"needs $NEED bytes, /dev/sda has 33554432: nothing written"*) true ;; *) false ;; esac' ||
    e2e_explain rest-small
t "restore small: the disk is still blank" eval '[ "$(tr -d "\\0" <"$D/small.img" | head -c 1 | wc -c)" = 0 ]'

# 5 (started here, beside 4). A private smbd on 127.0.0.1, the share the guests reach as
# //10.0.2.100/images (slirp forwards 445 to it); the share's password from the secrets file.
S=$E/smb
mkdir -p "$S/private" "$S/lock" "$S/state" "$S/cache" "$S/pid" "$S/ncalrpc" "$S/images/room12"
SMBPORT=$(apache_free_port) || bail "no free port"
cat >"$S/smb.conf" <<EOF
[global]
	smb ports = $SMBPORT
	interfaces = 127.0.0.1
	bind interfaces only = yes
	disable netbios = yes
	private dir = $S/private
	lock directory = $S/lock
	state directory = $S/state
	cache directory = $S/cache
	pid directory = $S/pid
	ncalrpc dir = $S/ncalrpc
	log file = $S/log.%m
	log level = 2
	passdb backend = tdbsam:$S/private/passdb.tdb
	server role = standalone server
	map to guest = Bad User
	load printers = no
	disable spoolss = yes
	server min protocol = SMB2
[images]
	path = $S/images
	read only = no
	guest ok = yes
	force user = root
EOF
# Its own session: smbd ends by signalling its process group, which must not be this test's.
setsid smbd --foreground --no-process-group -s "$S/smb.conf" --debug-stdout </dev/null >"$S/smbd.out" 2>&1 &
SMBPID=$!
trap 'kill -TERM -- -$SMBPID 2>/dev/null; e2e_cleanup' EXIT
i=0
until (exec 3<>"/dev/tcp/127.0.0.1/$SMBPORT") 2>/dev/null || [ $i -ge 100 ]; do i=$((i + 1)); sleep 0.1; done
t "smb: the private smbd listens on 127.0.0.1:$SMBPORT" kill -0 "$SMBPID"
printf 'room12_share = e2e share pw\n' >"$E/secrets"
if [ "$(id -u)" = 0 ]; then chown "root:$APACHE_GROUP" "$E/secrets" && chmod 640 "$E/secrets"; fi
printf '[secrets]\nfile = %s\n' "$E/secrets" >>"$E/se3-ipxe.conf"
SHARE=//10.0.2.100/images/room12
smbvm() {
	E2E_GUESTFWD="tcp:10.0.2.100:445-cmd:socat STDIO TCP:127.0.0.1:$SMBPORT" vm "$@"
}
e2e_cli set-action 52:54:00:e2:91:08 worker:save name=smb1 compression=zstd share=$SHARE \
    share_password=room12_share >/dev/null || ok 1 "set-action save smb1"
smbvm save-smb 52:54:00:e2:91:08 "$D/mbr.img"

# 4. A stored part corrupted on the server: the restore fails, never reports done.
cp "$IMG/gpt1.sda1" "$D/sda1.saved"
printf 'X' | dd of="$IMG/gpt1.sda1" bs=1 seek=$(( $(stat -c %s "$IMG/gpt1.sda1") / 2 )) conv=notrunc status=none
truncate -s 64M "$D/corrupt.img"
e2e_cli set-action --yes 52:54:00:e2:91:07 worker:restore image=gpt1 >/dev/null 2>&1 || ok 1 "set-action restore corrupt"
vm rest-bad 52:54:00:e2:91:07 "$D/corrupt.img" rw
e2e_vm_wait rest-bad
m=$(done_msg 52:54:00:e2:91:07)
t "restore of a corrupted part: failed, never done: $m" eval 'case "$m" in "failed "*) true ;; *) false ;; esac' ||
    e2e_explain rest-bad
t "... the worker said so on its console" e2e_seen rest-bad 'se3-ipxe worker: FAILED'
cp "$D/sda1.saved" "$IMG/gpt1.sda1"

e2e_vm_wait save-smb
m=$(done_msg 52:54:00:e2:91:08)
t "smb: saved to the share: $m" eval 'case "$m" in "done saved: image smb1, /dev/sda dos, partitions 1,2, 2 streams, zstd, to the $SHARE") true ;; *) false ;; esac' ||
    e2e_explain save-smb
t "smb: the image's four files on the share, nothing half-written" \
    eval '[ "$(ls -A "$S/images/room12" | sort | tr "\n" " ")" = "smb1 smb1.sda1 smb1.sda2 smb1.table " ]' ||
    ls -lA "$S/images/room12" | sed 's/^/# /'
t "smb: ... the raw partition's stream as saved" eval 'grep -qx "part sda2 2 - partclone.dd zstd smb1.sda2 8388608 $(sha256sum <"$S/images/room12/smb1.sda2" | cut -d" " -f1) $(sha256sum <"$D/raw.img" | cut -d" " -f1)" "$S/images/room12/smb1"'
t "smb: ... and not in the server's catalogue" eval '! e2e_cli images --json | grep -q "\"smb1"'
t "smb: the credentials fetched once, with the token" eval '[ "$(grep -c "\"GET /cgi-bin/ipxe.cgi/file/smb.cred?token=" "$E/apache/e2e.log")" = 1 ]'
t "smb: the share's password on no console" eval '! grep -q "e2e share pw" "$E/vm/save-smb/console.txt"'
truncate -s 48M "$D/smb-same.img"
e2e_cli set-action --yes 52:54:00:e2:91:09 worker:restore image=smb1 share=$SHARE \
    share_password=room12_share >/dev/null 2>&1 || ok 1 "set-action restore smb1"
smbvm rest-smb 52:54:00:e2:91:09 "$D/smb-same.img" rw
e2e_vm_wait rest-smb
m=$(done_msg 52:54:00:e2:91:09)
t "smb: restored from the share, verified: $m" eval 'case "$m" in "done verified: image smb1 to /dev/sda, 2 of 2 "*) true ;; *) false ;; esac' ||
    e2e_explain rest-smb
extract "$D/smb-same.img" 2 "$D/smb-p2.img" || ok 1 "extract smb"
t "smb: the raw partition byte for byte" cmp -s "$D/smb-p2.img" "$D/raw.img"
t "smb: the guests logged on as adminse3 (mapped to the guest account)" grep -rqs "adminse3" "$S"/log.* "$S/smbd.out"
e2e_done
