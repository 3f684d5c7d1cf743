#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end case 7: fail-safe seen from the client: with the database unreadable or corrupt, a machine (even one with an action) still boots its local disk.
. "$(dirname "$0")/lib.sh"
e2e_init

db=$E/db/se3-ipxe.db
n=0
for fault in unreadable corrupt; do
	macs=
	for fw in pcbios efi; do
		n=$((n + 1))
		macs="$macs 52:54:00:e2:60:0$n"
	done
	e2e_cli set-action $macs memtest:run >/dev/null
	ok $? "$fault: the machines get memtest:run"
	case $fault in
	unreadable)
		chmod 000 "$db" ;;
	corrupt)
		rm -f "$db-wal" "$db-shm" "$db-journal"
		head -c 8192 /dev/urandom >"$db" ;;
	esac
	errors_before=$(grep -c '^ipxe\.cgi: ' "$E/apache/error.log")
	set -- $macs
	E2E_TIMEOUT=60 e2e_vm_start "$fault-pcbios" pcbios e1000 "$1"
	E2E_TIMEOUT=60 e2e_vm_start "$fault-efi" efi virtio "$2"
	for fw in pcbios efi; do
		id=$fault-$fw
		e2e_vm_wait "$id"
		t "$id: ipxe.cgi still answers 200" e2e_fetched "$id" '/cgi-bin/ipxe\.cgi\?[^ ]*' 200
		t "$id: the machine boots its local disk" e2e_booted_local "$id" "$fw" ||
		    e2e_explain "$id"
		is "$(e2e_count "$id" '/se3-ipxe/memtest/.*')" 0 "$id: memtest86+ is not fetched"
	done
	errors=$(grep '^ipxe\.cgi: ' "$E/apache/error.log" | tail -n +$((errors_before + 1)) | grep -F -e "$1" -e "$2")
	is "$(printf '%s\n' "$errors" | grep -c .)" 2 "$fault: ipxe.cgi logged one line per boot"
	diag "$fault: $(printf '%s\n' "$errors" | head -n 1)"
	rm -f "$db" "$db-wal" "$db-shm" "$db-journal"	# the next round starts afresh
done
e2e_done
