#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end: the imaging worker built from Debian packages (cached), booted by the real iPXE, reports a disk the test made; a worker refused its job fails loudly and bounded.
. "$(dirname "$0")/lib.sh"
e2e_init

# The build is shared by the tests of one run (and kept between runs on a developer's machine).
export SE3_IPXE_WORKER_CACHE=${SE3_IPXE_WORKER_CACHE:-$E2E_TOP/build/worker-cache}
W=$E/www/se3-ipxe

e2e_setup_worker
for f in vmlinuz initrd.img packages.lock key; do
	t "setup made worker/$f" test -s "$W/worker/$f"
done
zstd -dc "$W/worker/initrd.img" | cpio -t 2>/dev/null >"$E/initrd.list"
for ko in e1000e r8169 tg3 igc r8152 ahci nvme vmd mmc_block usb-storage; do
	t "the initramfs holds $ko.ko (the cards and disks of school PCs)" grep -q "/$ko\.ko" "$E/initrd.list"
done
diag "initrd.img $(stat -c %s "$W/worker/initrd.img") bytes, vmlinuz $(stat -c %s "$W/worker/vmlinuz") bytes, $(wc -l <"$W/worker/packages.lock") packages"
e2e_setup_again

# The disk: an MBR table, an ext4 filesystem made from a directory, an empty partition.
D=$E/disk
mkdir -p "$D/tree/etc"
echo "se3-ipxe e2e worker" >"$D/tree/etc/motd"
head -c 1048576 /dev/urandom >"$D/tree/random.bin"
truncate -s 64M "$D/disk.img"
printf 'label: dos\nstart=2048, size=65536, type=83\nstart=67584, size=32768, type=83\n' |
    sfdisk -q "$D/disk.img" >/dev/null || bail "sfdisk failed"
mkfs.ext4 -q -F -d "$D/tree" "$D/part1.img" 32M || bail "mkfs.ext4 -d failed"
dd if="$D/part1.img" of="$D/disk.img" bs=1M seek=1 conv=notrunc status=none
chmod a+r "$D/disk.img"

mac=52:54:00:e2:90:01
e2e_cli set-action "$mac" worker:report >/dev/null 2>&1 || ok 1 "set-action $mac worker:report"
vm0=$(date +%s)
E2E_DISK=$D/disk.img E2E_MEM=512 E2E_TIMEOUT=300 e2e_vm_start report pcbios virtio "$mac"
e2e_vm_wait report
t "report: the worker's kernel and initramfs fetched" \
    eval 'e2e_fetched report /se3-ipxe/worker/vmlinuz 200 && e2e_fetched report /se3-ipxe/worker/initrd.img 200'
t "report: the worker started" e2e_seen report 'se3-ipxe worker: started' || e2e_explain report
t "report: the worker ended by rebooting (qemu exit 0)" test "$VM_OUTCOME" = 0
a=$(e2e_action "$mac")
t "report: the action is done" eval 'printf "%s" "$a" | grep -q "\"state\": \"done\""' ||
    diag "$a"
want='sda:64M:dos(sda1:ext4:32M,sda2:-:16M)'
t "report: the report matches the disk's table ($want)" eval 'printf "%s" "$a" | grep -qF "$want"' ||
    { diag "$a"; grep -a 'se3-ipxe' "$E/vm/report/console.txt" | sed 's/^/# /'; }
t "report: with the SMBIOS the machine gave" eval 'printf "%s" "$a" | grep -qF "SE3-E2E_Lab/Test_PC__e2e_/SN-report"'
t "report: with the NIC's driver" eval 'printf "%s" "$a" | grep -qE "net 1af4:1000=virtio-pci"'
t "report: the full table on the console" e2e_seen report 'se3-ipxe report: table: .*sda1 : start= *2048, size= *65536'
# The inventory, stored for the machine: status --json shows it.
e2e_cli status --json "$mac" >"$E/status.json"
inv=$(python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))[0]["inventory"]
print("" if v is None else v["action"] + " " + str(v["at"]) + "\n" + v["text"])' "$E/status.json")
t "report: the machine's inventory stored, sent by worker:report" \
    eval 'printf "%s\n" "$inv" | head -n 1 | grep -q "^worker:report [0-9]"' || diag "$inv"
t "report: ... its disks line: $want" eval 'printf "%s\n" "$inv" | grep -qxF "disks: $want"'
t "report: ... each disk's exact size in bytes" eval 'printf "%s\n" "$inv" | grep -qx "size: sda 67108864"'
t "report: ... the MBR table as sfdisk dumps it" eval 'printf "%s\n" "$inv" | grep -qx "table: label: dos"'
t "report: ... partition 1 where the test put it" \
    eval 'printf "%s\n" "$inv" | grep -qE "^table: /dev/sda1 : start= *2048, size= *65536, type=83$"'
t "report: ... partition 2 too" \
    eval 'printf "%s\n" "$inv" | grep -qE "^table: /dev/sda2 : start= *67584, size= *32768, type=83$"'
t "report: ... the memory qemu gave" eval 'printf "%s\n" "$inv" | grep -qE "^memory: [3-5][0-9][0-9]M$"'
done_at=$(printf "%s\n" "$inv" | sed -n '1s/^worker:report \([0-9]*\)$/\1/p')
diag "report: qemu start to the done report with the inventory: $(( ${done_at:-0} - vm0 )) s; to qemu exit $VM_SECS s; inventory $(printf "%s" "$inv" | tail -n +2 | wc -c) bytes"

# A worker whose job is refused (the action cancelled once the kernel is fetched):
# it retries with backoff, then says so on its console and reboots.
mac=52:54:00:e2:90:02
e2e_cli set-action "$mac" worker:report >/dev/null 2>&1 || ok 1 "set-action $mac worker:report"
n0=$(wc -l <"$E/apache/e2e.log")
E2E_DISK=$D/disk.img E2E_MEM=512 E2E_TIMEOUT=300 e2e_vm_start refused pcbios virtio "$mac"
i=0
until tail -n +$((n0 + 1)) "$E/apache/e2e.log" | grep -q 'GET /se3-ipxe/worker/initrd.img' ||
    [ $i -ge 1200 ]; do
	i=$((i + 1)); sleep 0.1
done
e2e_cli cancel "$mac" >/dev/null 2>&1 || ok 1 "cancel $mac"
e2e_vm_wait refused
t "refused: the worker failed loudly" e2e_seen refused 'se3-ipxe worker: FAILED: cannot fetch the job' ||
    e2e_explain refused
t "refused: it tried 6 times first" e2e_seen refused 'try 6: cannot fetch the job'
t "refused: then it rebooted (qemu exit 0), bounded ($VM_SECS s)" test "$VM_OUTCOME" = 0
t "refused: the token is not on the console" eval '! grep -qE "token=[0-9a-f]{8}" "$E/vm/refused/console.txt"'
e2e_done
