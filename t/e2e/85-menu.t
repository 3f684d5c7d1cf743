#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end case 85: menu:maintenance typed on the real iPXE's serial console (wrong password, right one, an entry; the timeout boots the disk), and ltsp:boot and iscsi:boot up to their final boot command.
. "$(dirname "$0")/lib.sh"
e2e_init

# "tech pass", yescrypt.
printf '[menu]\npassword_hash = %s\n' \
    '$y$j9T$F5Jx5fExrKuPp53xLKQ..1$dEtaojwO.bxYCi1WgD7PW/SrN5UaS216msM2coRgEJ7' >>"$E/se3-ipxe.conf"
# ltsp's boot tree, as modules/ltsp/setup copies it: the fake kernel as vmlinuz.
mkdir -p "$E/ltsp-tftp/x86_64"
cp "$E/fix/fakekernel.bin" "$E/ltsp-tftp/x86_64/vmlinuz"
head -c 4096 /dev/zero >"$E/ltsp-tftp/x86_64/initrd.img"
head -c 2048 /dev/zero >"$E/ltsp-tftp/ltsp.img"
LTSP_TFTP_DIR=$E/ltsp-tftp BOOT_ROOT=$E/www/se3-ipxe sh "$E2E_DATA/modules/ltsp/setup" >"$E/ltsp-setup.log" 2>&1
ok $? "ltsp setup copies the image from the LTSP tree"
chmod -R a+rX "$E/www"

menu_mac=52:54:00:e2:85:01 idle_mac=52:54:00:e2:85:02
e2e_cli set-action "$menu_mac" menu:maintenance timeout=120 >/dev/null
e2e_cli set-action "$idle_mac" menu:maintenance timeout=3 >/dev/null

# --- the technician: a wrong password, the right one, memtest --------------------
E2E_SERIAL_IN=1 E2E_UNTIL='log:/se3-ipxe/memtest/memtest86\+x64\.bin' E2E_TIMEOUT=300 \
    e2e_vm_start menu-pcbios pcbios virtio "$menu_mac"
# --- nobody at the machine: the timeout boots the disk ------------------------------
E2E_TIMEOUT=90 e2e_vm_start idle-pcbios pcbios e1000 "$idle_mac"

ITEM='Maintenance \(technician password\)'
t "menu: the first menu shows" e2e_type menu-pcbios "$ITEM" m
t "menu: the login form shows" e2e_type menu-pcbios 'Password' 'tech\r'
e2e_type menu-pcbios 'Password' 'wrong\r'
t "menu: back to the first menu after the wrong password" e2e_type menu-pcbios "$ITEM" m 3
t "menu: the login form again" e2e_type menu-pcbios 'Password' 'tech\r' 2
e2e_type menu-pcbios 'Password' 'tech pass\r' 2
t "menu: the tools menu shows" e2e_type menu-pcbios 'Memory test \(memtest86\+\)' 1
e2e_vm_wait menu-pcbios
is "$VM_OUTCOME" until "menu-pcbios: memtest86+ fetched after the menu" || e2e_explain menu-pcbios
# "exit1": the wrong password's script exits 1 back to the menu script.
is "$(e2e_errors menu-pcbios exit1)" "" "menu-pcbios: no iPXE error on the console"
t "menu-pcbios: the wrong password was said" e2e_seen menu-pcbios 'se3-ipxe: wrong password'
t "menu-pcbios: SystemRescue said not set up" e2e_seen menu-pcbios 'SystemRescue: not set up'
t "menu-pcbios: GET /menu answered 200 (wrong, right, tool)" \
    test "$(e2e_count menu-pcbios '/cgi-bin/ipxe.cgi/menu\?token=[0-9a-f]+&password=.*')" -ge 3
is "$(sqlite3 "$E/db/se3-ipxe.db" "SELECT group_concat(event || ':' || coalesce(detail, ''), ' ') FROM history WHERE mac='$menu_mac' AND event LIKE 'menu%'")" \
    "menu-try: menu-refused:wrong password menu-try: menu:menu menu-try: menu:memtest:run" \
    "menu-pcbios: history: wrong, right, memtest"
n=$(cat "$E/db/se3-ipxe.db"* 2>/dev/null | grep -ac 'tech pass\|tech%20pass')
is "${n:-0}" 0 "the password is not in the database files"

e2e_vm_wait idle-pcbios
t "idle-pcbios: the menu's timeout boots the local disk" e2e_booted_local idle-pcbios pcbios || e2e_explain idle-pcbios
is "$(e2e_count idle-pcbios '/cgi-bin/ipxe.cgi/menu.*')" 0 "idle-pcbios: no menu request"

# --- ltsp:boot and iscsi:boot in the real iPXE, BIOS and UEFI ---------------------------
n=5
for fw in pcbios efi; do
	ltsp_mac=52:54:00:e2:85:0$n iscsi_mac=52:54:00:e2:85:0$((n + 1))
	n=$((n + 2))
	# UEFI: the same path serves the EFI fake (one image, two firmwares).
	if [ $fw = efi ]; then
		cp "$E/fix/fakekernel.efi" "$E/www/se3-ipxe/ltsp/x86_64/vmlinuz"
	else
		cp "$E/fix/fakekernel.bin" "$E/www/se3-ipxe/ltsp/x86_64/vmlinuz"
	fi
	e2e_cli set-action "$ltsp_mac" ltsp:boot server=10.0.2.2 >/dev/null
	e2e_cli set-action "$iscsi_mac" iscsi:boot target=iscsi:10.0.2.100::::iqn.2026-11.fr.se3:e2e >/dev/null
	E2E_TIMEOUT=90 e2e_vm_start ltsp-$fw $fw virtio "$ltsp_mac"
	E2E_TIMEOUT=120 e2e_vm_start iscsi-$fw $fw e1000 "$iscsi_mac"
	e2e_vm_wait ltsp-$fw
	for f in x86_64/vmlinuz ltsp.img x86_64/initrd.img; do
		t "ltsp-$fw: GET /se3-ipxe/ltsp/$f 200" e2e_fetched ltsp-$fw "/se3-ipxe/ltsp/$f" 200 || e2e_explain ltsp-$fw
	done
	t "ltsp-$fw: the kernel booted (the fake one)" e2e_seen ltsp-$fw FAKE-KERNEL-BOOTED
	t "ltsp-$fw: the LTSP image and server said" e2e_seen ltsp-$fw 'LTSP image x86_64 from 10\.0\.2\.2'
	is "$(e2e_errors ltsp-$fw)" "" "ltsp-$fw: no iPXE error on the console"
	is "$(e2e_state "$ltsp_mac")" "booting 1" "ltsp-$fw: ltsp:boot stays active after its boot"
	e2e_vm_wait iscsi-$fw
	t "iscsi-$fw: the target said" e2e_seen iscsi-$fw 'iSCSI boot from iscsi:10\.0\.2\.100::::iqn\.2026-11\.fr\.se3:e2e'
	t "iscsi-$fw: iPXE tried the SAN boot" e2e_seen iscsi-$fw 'SAN|san|iscsi|iSCSI.*(failed|Could not)'
	# iPXE's own line on the failed sanboot is one of E2E_ERRORS: expected here.
	t "iscsi-$fw: then the local disk" test "$VM_OUTCOME" = 33 -a -n "$(grep LOCALDISK-BOOTED "$E/vm/iscsi-$fw/console.txt")" ||
	    e2e_explain iscsi-$fw
	is "$(e2e_state "$iscsi_mac")" "booting 1" "iscsi-$fw: iscsi:boot stays active after its boot"
done
e2e_done
