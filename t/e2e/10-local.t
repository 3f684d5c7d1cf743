#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end case 1: an unknown machine boots its local disk (BIOS: sanboot; UEFI: exit 1 to the next boot entry), on e1000 and virtio-net.
. "$(dirname "$0")/lib.sh"
e2e_init

check_local() {	# check_local ID FW MAC
	e2e_vm_wait "$1"
	t "$1: the local disk booted (LOCALDISK-BOOTED, exit 33), no iPXE error" \
	    e2e_booted_local "$1" "$2" || e2e_explain "$1"
	is "$(e2e_count "$1" '/cgi-bin/ipxe\.cgi\?mac=[^ ]*')" 1 "$1: one boot request to ipxe.cgi"
	t "$1: it was answered 200" e2e_fetched "$1" '/cgi-bin/ipxe\.cgi\?[^ ]*' 200
	if [ "$2" = pcbios ]; then
		t "$1: by sanboot" e2e_seen "$1" 'Booting from SAN device'
	else
		t "$1: by exit 1, then the firmware's next entry" \
		    e2e_seen "$1" 'Error 0x00000001'
	fi
	is "$(e2e_state "$3")" none "$1: the machine has no action"
}

n=0
for fw in pcbios efi; do
	for nic in e1000 virtio; do
		n=$((n + 1))
		E2E_TIMEOUT=60 e2e_vm_start "$fw-$nic" "$fw" "$nic" "52:54:00:e2:10:0$n"
	done
	n2=$((n - 1))
	check_local "$fw-e1000" "$fw" "52:54:00:e2:10:0$n2"
	check_local "$fw-virtio" "$fw" "52:54:00:e2:10:0$n"
done

# The query of ipxe.cgi(8)'s example (too long for the BOOTP file field,
# so a static script chains it): the SMBIOS strings arrive intact.
mac=52:54:00:e2:10:09
E2E_BOOTFILE=http://$E2E_HOST/e2e/full.ipxe E2E_TIMEOUT=60 \
    e2e_vm_start full pcbios virtio "$mac"
check_local full pcbios "$mac"
status=$(e2e_cli status --json)
for kv in "serial=SN-full" "manufacturer=SE3-E2E+Lab" "product=Test PC (e2e)" \
    "uuid=$E2E_UUID" "platform=pcbios" "buildarch=i386" "ip=10.0.2.15"; do
	is "$(printf '%s' "$status" | python3 "$E2E_TOP/t/e2e/tool.py" machine "$mac" "${kv%%=*}")" \
	    "${kv#*=}" "full query: the machine's ${kv%%=*} is recorded as sent"
done
e2e_done
