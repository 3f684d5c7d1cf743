#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end: a destructive action bound to the SMBIOS UUID, through the real iPXE under qemu (-uuid): another UUID boots the local disk, the bound one the installer.
. "$(dirname "$0")/lib.sh"
e2e_init e2efake e2ewipe

bios_mac=52:54:00:e2:80:01 efi_mac=52:54:00:e2:80:02
right=5e3e2e00-0000-4000-8000-0000000000aa
wrong=5e3e2e00-0000-4000-8000-0000000000bb
for mac in "$bios_mac" "$efi_mac"; do
	e2e_cli set-action --yes --uuid "$right" "$mac" e2ewipe:install >/dev/null 2>&1
	t "set-action --yes --uuid $mac: bound" [ $? = 0 ]
done
# Without a terminal and without --yes, nothing is set.
e2e_cli set-action "$bios_mac" e2ewipe:install </dev/null >/dev/null 2>&1
t "set-action without --yes and without a terminal: refused" [ $? = 1 ]

# Another machine behind the same MACs (a dock moved): the local disk.
E2E_UUID=$wrong E2E_TIMEOUT=60 e2e_vm_start wrong-pcbios pcbios virtio "$bios_mac"
E2E_UUID=$wrong E2E_TIMEOUT=60 e2e_vm_start wrong-efi efi e1000 "$efi_mac"
for fw in pcbios efi; do
	id=wrong-$fw
	e2e_vm_wait "$id"
	t "$id: another UUID boots the local disk" e2e_booted_local "$id" "$fw" ||
	    e2e_explain "$id"
	is "$(e2e_count "$id" '/se3-ipxe/e2efake/.*')" 0 "$id: the installer is not fetched"
done
for mac in "$bios_mac" "$efi_mac"; do
	is "$(e2e_state "$mac")" "pending 0" "$mac: the refused boot is not counted"
	e2e_cli history "$mac" >"$E/hist" 2>&1
	grep -q "identity-refused.*uuid $right -> $wrong" "$E/hist"
	t "$mac: history says identity-refused, uuid old -> new" [ $? = 0 ] || diag "$(cat "$E/hist")"
done

# The machine the action is bound to: the installer's (fake) kernel.
E2E_UUID=$right E2E_TIMEOUT=60 e2e_vm_start right-pcbios pcbios virtio "$bios_mac"
E2E_UUID=$right E2E_TIMEOUT=60 e2e_vm_start right-efi efi e1000 "$efi_mac"
for fw in pcbios efi; do
	id=right-$fw
	e2e_vm_wait "$id"
	t "$id: the bound UUID gets the installer's kernel" \
	    eval '[ "$VM_OUTCOME" = 33 ] && e2e_seen "$id" FAKE-KERNEL-BOOTED' ||
	    e2e_explain "$id"
	t "$id: GET /se3-ipxe/e2efake/fakekernel-$fw 200" \
	    e2e_fetched "$id" "/se3-ipxe/e2efake/fakekernel-$fw" 200
	is "$(e2e_errors "$id")" "" "$id: no iPXE error on the console"
done
is "$(e2e_state "$bios_mac")" "booting 1" "BIOS: the bound boot counted"
is "$(e2e_state "$efi_mac")" "booting 1" "UEFI: the bound boot counted"
e2e_done
