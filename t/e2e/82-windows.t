#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end: windows:install and windows:winpe in the real iPXE, BIOS and UEFI, up to wimboot's start: every file fetched (generated ones with the token), then WinPE's reports as startnet.cmd makes them, and the next boot is local.
. "$(dirname "$0")/lib.sh"
e2e_init
# The passwords the generated files get, from a secrets file the CGI's
# user may read and nobody else.
printf 'adminse3 = e2e share pw\nwindows_admin = e2e admin pw\n' >"$E/secrets"
if [ "$(id -u)" = 0 ]; then
	chown "root:$APACHE_GROUP" "$E/secrets" && chmod 640 "$E/secrets"
else
	chmod 600 "$E/secrets"
fi
printf '[secrets]\nfile = %s\n' "$E/secrets" >>"$E/se3-ipxe.conf"

# The boot tree as se3-ipxe-modules(5) lays it out, with fixtures: wimboot
# is the fake kernel of the firmware under test (it prints its marker and
# leaves through isa-debug-exit), the WinPE files are random bytes of
# about their real sizes.
W=$E/www/se3-ipxe/windows
mkdir -p "$W/win10/boot" "$W/win10/sources" "$W/pe-x64/boot" "$W/pe-x64/sources"
for media in win10 pe-x64; do
	head -c 16384 /dev/urandom >"$W/$media/boot/bcd"
	head -c 3170304 /dev/urandom >"$W/$media/boot/boot.sdi"
	head -c 8388608 /dev/urandom >"$W/$media/sources/boot.wim"
done
head -c 4096 /dev/urandom >"$W/curl.exe"
chmod -R a+rX "$W"

# fetched_size ID PATH: a GET of PATH answered 200 with all its bytes.
fetched_size() {
	e2e_fetched "$1" "$2" "200 $(wc -c <"$E/www$2")"
}

n=0
for fw in pcbios efi; do
	[ "$fw" = pcbios ] && cp "$E/fix/fakekernel.bin" "$W/wimboot" ||
	    cp "$E/fix/fakekernel.efi" "$W/wimboot"
	chmod a+r "$W/wimboot"
	n=$((n + 1))
	install_mac=52:54:00:e2:82:1$n winpe_mac=52:54:00:e2:82:2$n
	e2e_cli set-action --yes "$install_mac" windows:install domain_join=yes >/dev/null
	e2e_cli set-action "$winpe_mac" windows:winpe media=pe-x64 >/dev/null
	[ "$fw" = pcbios ] && nic=e1000 || nic=virtio
	E2E_TIMEOUT=90 e2e_vm_start "install-$fw" "$fw" "$nic" "$install_mac"
	E2E_TIMEOUT=90 e2e_vm_start "winpe-$fw" "$fw" "$nic" "$winpe_mac"
	for cap in install winpe; do
		id=$cap-$fw
		[ "$cap" = install ] && media=win10 || media=pe-x64
		e2e_vm_wait "$id"
		t "$id: iPXE ran the script to its boot: wimboot (a fake) started" \
		    eval '[ "$VM_OUTCOME" = 33 ] && e2e_seen "$id" FAKE-KERNEL-BOOTED' ||
		    e2e_explain "$id"
		is "$(e2e_errors "$id")" "" "$id: no iPXE error on the console"
		for f in wimboot curl.exe $media/boot/bcd $media/boot/boot.sdi $media/sources/boot.wim; do
			t "$id: GET /se3-ipxe/windows/$f 200, all its bytes" \
			    fetched_size "$id" "/se3-ipxe/windows/$f"
		done
		[ "$cap" = install ] && files='winpeshl.ini startnet.cmd unattend-join-yes.xml' ||
		    files='winpeshl.ini winpe-startnet.cmd'
		for f in $files; do
			t "$id: GET ipxe.cgi/file/$f?token=... 200" \
			    e2e_fetched "$id" "/cgi-bin/ipxe\.cgi/file/$f\?token=[0-9a-f]{48}" 200
		done
		is "$(e2e_count "$id" '/cgi-bin/ipxe\.cgi/file/unattend-join-no\.xml.*')" 0 \
		    "$id: the answer file without the join is not fetched"
		diag "$id: $(e2e_vm_log "$id" | wc -l) requests in $VM_SECS s"
	done
	is "$(e2e_state "$install_mac")" "booting 1" "$fw: install: served once, waiting for WinPE's report"
	is "$(e2e_state "$winpe_mac")" "booting 1" "$fw: winpe: served once, waiting for WinPE's report"
done

# WinPE's reports, as startnet.cmd makes them with curl.exe (from the host
# here), with the token iPXE fetched the generated files with.
token_of() {	# token_of ID: from the guest's access log
	e2e_vm_log "$1" | grep -m 1 -oE 'file/winpeshl\.ini\?token=[0-9a-f]{48}' | sed 's/.*token=//'
}
report() {	# report TOKEN QUERY: the HTTP status
	curl -sS --max-time 20 -o /dev/null -w '%{http_code}' \
	    "http://127.0.0.1:$APACHE_PORT/cgi-bin/ipxe.cgi/report?token=$1&$2" || echo curl-failed
}
n=0
for fw in pcbios efi; do
	n=$((n + 1))
	install_mac=52:54:00:e2:82:1$n winpe_mac=52:54:00:e2:82:2$n
	tok=$(token_of "install-$fw")
	for q in status=running\&progress=5\&msg=winpe-started status=running\&progress=20\&msg=disk-ready \
	    status=running\&progress=30\&msg=setup-started; do
		is "$(report "$tok" "$q")" 200 "install-$fw: report $q: 200"
	done
	is "$(e2e_state "$install_mac")" "running 1" "install-$fw: running"
	is "$(report "$tok" 'status=done&progress=100&msg=setup-copied-windows')" 200 \
	    "install-$fw: report done before setup's reboot: 200"
	is "$(e2e_state "$install_mac")" "done 1" "install-$fw: done"
	tok=$(token_of "winpe-$fw")
	is "$(report "$tok" 'status=done&progress=100&msg=winpe-shell')" 200 "winpe-$fw: the shell reports done: 200"
	is "$(e2e_state "$winpe_mac")" "done 1" "winpe-$fw: done"
done

# Setup's reboot: the next boot of the installed machine is its disk,
# never a second install.
E2E_TIMEOUT=60 e2e_vm_start next-pcbios pcbios e1000 52:54:00:e2:82:11
E2E_TIMEOUT=60 e2e_vm_start next-efi efi virtio 52:54:00:e2:82:12
for fw in pcbios efi; do
	id=next-$fw
	e2e_vm_wait "$id"
	t "$id: after done the next boot is local" e2e_booted_local "$id" "$fw" || e2e_explain "$id"
	is "$(e2e_count "$id" '/se3-ipxe/windows/.*')" 0 "$id: nothing of WinPE is fetched again"
done
e2e_done
