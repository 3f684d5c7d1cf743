#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end case 5: an installer that never reports gets max_boots boots, then its action is failed and the machine boots local.
. "$(dirname "$0")/lib.sh"
e2e_init e2efake

bios_mac=52:54:00:e2:40:01 efi_mac=52:54:00:e2:40:02
e2e_cli set-action "$bios_mac" "$efi_mac" e2efake:install >/dev/null	# max_boots = 2

for boot in 1 2; do
	E2E_TIMEOUT=60 e2e_vm_start "boot$boot-pcbios" pcbios virtio "$bios_mac"
	E2E_TIMEOUT=60 e2e_vm_start "boot$boot-efi" efi e1000 "$efi_mac"
	for fw in pcbios efi; do
		id=boot$boot-$fw
		e2e_vm_wait "$id"
		t "$id: the installer's (fake) kernel ran" \
		    eval '[ "$VM_OUTCOME" = 33 ] && e2e_seen "$id" FAKE-KERNEL-BOOTED' ||
		    e2e_explain "$id"
		t "$id: GET /se3-ipxe/e2efake/fakekernel-$fw 200" \
		    e2e_fetched "$id" "/se3-ipxe/e2efake/fakekernel-$fw" 200
		is "$(e2e_errors "$id")" "" "$id: no iPXE error on the console"
	done
	is "$(e2e_state "$bios_mac")" "booting $boot" "BIOS: no report, $boot boot(s) counted"
	is "$(e2e_state "$efi_mac")" "booting $boot" "UEFI: no report, $boot boot(s) counted"
done

E2E_TIMEOUT=60 e2e_vm_start boot3-pcbios pcbios virtio "$bios_mac"
E2E_TIMEOUT=60 e2e_vm_start boot3-efi efi e1000 "$efi_mac"
for fw in pcbios efi; do
	id=boot3-$fw
	e2e_vm_wait "$id"
	t "$id: past max_boots the machine boots local" e2e_booted_local "$id" "$fw" ||
	    e2e_explain "$id"
	is "$(e2e_count "$id" '/se3-ipxe/e2efake/.*')" 0 "$id: the installer is not fetched"
done
is "$(e2e_state "$bios_mac" | cut -d' ' -f1)" failed "BIOS: the action is failed"
is "$(e2e_state "$efi_mac" | cut -d' ' -f1)" failed "UEFI: the action is failed"
diag "BIOS: $(e2e_cli history "$bios_mac" 2>&1 | tail -n 1)"
e2e_done
