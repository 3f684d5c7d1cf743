#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end case 2: memtest:run fetches memtest86+ from boot_url, iPXE hands over and memtest86+ runs; the next boot is local.
. "$(dirname "$0")/lib.sh"
e2e_init

bios_mac=52:54:00:e2:20:01 efi_mac=52:54:00:e2:20:02
e2e_cli set-action "$bios_mac" "$efi_mac" memtest:run >/dev/null
is "$(e2e_state "$bios_mac")" "pending 0" "memtest:run is pending"

E2E_UNTIL=memtest E2E_TIMEOUT=90 e2e_vm_start memtest-pcbios pcbios virtio "$bios_mac"
E2E_UNTIL=memtest E2E_TIMEOUT=90 e2e_vm_start memtest-efi efi e1000 "$efi_mac"
for fw in pcbios efi; do
	id=memtest-$fw
	e2e_vm_wait "$id"
	is "$VM_OUTCOME" until "$id: memtest86+ shows on the guest's screen" || e2e_explain "$id"
	if [ "$fw" = pcbios ]; then
		bin=memtest86+x64.bin	# qemu's CPU has long mode
		diag "$id screen: $(grep -m 1 'Memtest86+' "$E/vm/$id/screen.txt" 2>/dev/null | tr -s ' ')"
	else
		bin=memtest86+x64.efi
	fi
	size=$(wc -c <"$E/www/se3-ipxe/memtest/$bin")
	t "$id: GET /se3-ipxe/memtest/$bin 200, all $size bytes" \
	    e2e_fetched "$id" "/se3-ipxe/memtest/${bin//+/\\+}" "200 $size"
	t "$id: the console shows the handover" \
	    e2e_seen "$id" "^http://$E2E_HOST/se3-ipxe/memtest/${bin//+/\\+}\.\.\. ok?"	# BIOS: the last character may be lost
	is "$(e2e_errors "$id")" "" "$id: no iPXE error on the console"
done
is "$(e2e_state "$bios_mac")" "done 1" "BIOS: memtest:run is done after one boot"
is "$(e2e_state "$efi_mac")" "done 1" "UEFI: memtest:run is done after one boot"

E2E_TIMEOUT=60 e2e_vm_start next-pcbios pcbios virtio "$bios_mac"
E2E_TIMEOUT=60 e2e_vm_start next-efi efi e1000 "$efi_mac"
for fw in pcbios efi; do
	id=next-$fw
	e2e_vm_wait "$id"
	t "$id: the next boot is local" e2e_booted_local "$id" "$fw" || e2e_explain "$id"
	is "$(e2e_count "$id" '/se3-ipxe/memtest/.*')" 0 "$id: memtest86+ is not fetched again"
done
is "$(e2e_state "$bios_mac")" "done 1" "BIOS: memtest:run stays done"
is "$(e2e_state "$efi_mac")" "done 1" "UEFI: memtest:run stays done"
e2e_done
