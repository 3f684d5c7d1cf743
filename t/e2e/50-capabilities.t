#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end case 6: every capability of every shipped module runs in the real iPXE without a script error up to its final boot command, BIOS and UEFI, e1000 and virtio-net.
. "$(dirname "$0")/lib.sh"
e2e_init

caps=$(e2e_cli actions --json | python3 "$E2E_TOP/t/e2e/tool.py" actions)
ok $? "se3-ipxe actions --json lists the shipped capabilities: $(echo $caps)"

# What each capability's final boot command leads to.  A capability
# without an entry here fails: add its expectation with the module.
until_of() {	# until_of ACTION: E2E_UNTIL for it
	case $1 in
	memtest:run) echo memtest ;;
	*) echo "" ;;
	esac
}
check() {	# check ACTION ID FW MAC
	e2e_vm_wait "$2"
	t "$2: ipxe.cgi answered 200" e2e_fetched "$2" '/cgi-bin/ipxe\.cgi\?[^ ]*' 200
	case $1 in
	memtest:run)
		is "$VM_OUTCOME" until "$2: memtest86+ was fetched and shows on screen" ||
		    e2e_explain "$2"
		is "$(e2e_errors "$2")" "" "$2: no iPXE error on the console" ;;
	local:boot)
		t "$2: the local disk booted, no iPXE error before it" \
		    e2e_booted_local "$2" "$3" || e2e_explain "$2" ;;
	*)
		ok 1 "$2: no end-to-end expectation for $1 in $(basename "$0")" ;;
	esac
	is "$(e2e_state "$4")" "done 1" "$2: $1 is done (oneshot, one boot)"
}

m=0
for cap in $caps; do
	# The systems have files of their own, with the fixtures they boot:
	# 30-linux (linux), 82-windows (windows), 84-rescue (sysrescue,
	# clonezilla), 85-menu (menu, ltsp, iscsi), 86-tools (gparted, hdt),
	# 90-worker (worker).
	case $cap in
	linux:*|windows:*|sysrescue:*|clonezilla:*|menu:*|ltsp:*|iscsi:*) continue ;;
	gparted:*|hdt:*|worker:*) continue ;;
	esac
	for fw in pcbios efi; do
		ids=
		for nic in e1000 virtio; do	# the two NICs run together
			m=$((m + 1))
			mac=52:54:00:e2:50:$(printf '%02x' "$m")
			e2e_cli set-action "$mac" "$cap" >/dev/null || ok 1 "set-action $mac $cap"
			id=${cap/:/-}-$fw-$nic
			E2E_UNTIL=$(until_of "$cap") E2E_TIMEOUT=90 e2e_vm_start "$id" "$fw" "$nic" "$mac"
			ids="$ids $id=$mac"
		done
		for im in $ids; do
			check "$cap" "${im%=*}" "$fw" "${im#*=}"
		done
	done
done
e2e_done
