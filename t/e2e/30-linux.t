#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end cases 3 and 4: the shipped linux:install (Debian 12) starts the real Debian installer, which fetches its per-machine preseed from ipxe.cgi and reports with the token; a report done makes the next boot local, a wrong token changes nothing.
. "$(dirname "$0")/lib.sh"
e2e_init
# The accounts' crypt(3) hashes (password "e2e"), from a secrets file the
# CGI's user may read and nobody else: set-action needs them, passwd.cfg
# and user-data get them.
printf 'linux_password = %s\nlinux_root = %s\n' \
    '$6$e2esalt$AX./6U/.Oo0l.5S8Zk.GyeGkK1XrkPlACSiAwLUtmy5.5hIDQoU5S7p04uT4AugzYW9GUwhYXtws9fVmrzHuE0' \
    '$6$e2esalt$AX./6U/.Oo0l.5S8Zk.GyeGkK1XrkPlACSiAwLUtmy5.5hIDQoU5S7p04uT4AugzYW9GUwhYXtws9fVmrzHuE0' >"$E/secrets"
if [ "$(id -u)" = 0 ]; then
	chown "root:$APACHE_GROUP" "$E/secrets" && chmod 640 "$E/secrets"
else
	chmod 600 "$E/secrets"
fi
printf '[secrets]\nfile = %s\n' "$E/secrets" >>"$E/se3-ipxe.conf"
# The installed module's setup puts Debian 12's installer in the boot tree,
# from the debian-installer-12-netboot-amd64 package as an admin's would.
BOOT_ROOT=$E/www/se3-ipxe DI_ROOT=${DI_DIR%/amd64/text/debian-installer/amd64} \
    sh "$E2E_DATA/modules/linux/setup" >"$E/linux-setup.log" 2>&1 ||
    bail "linux setup: $(cat "$E/linux-setup.log")"
DI=/se3-ipxe/linux/debian12/amd64

# Ubuntu's casper kernel and initrd are not packaged by Debian: Debian's
# stand in for them, enough to see the command line reach the kernel.
mkdir -p "$E/www/se3-ipxe/linux/ubuntu2404/amd64"
cp "$DI_DIR/linux" "$E/www/se3-ipxe/linux/ubuntu2404/amd64/vmlinuz"
cp "$DI_DIR/initrd.gz" "$E/www/se3-ipxe/linux/ubuntu2404/amd64/initrd"
UB=/se3-ipxe/linux/ubuntu2404/amd64
# A destructive capability needs --yes without a tty once set-action asks
# for confirmation (issue 9); before that there is no such option.
YES=$(e2e_cli help set-action 2>&1 | grep -q -- '--yes' && echo --yes)

bios_mac=52:54:00:e2:30:01 efi_mac=52:54:00:e2:30:02
ub_bios_mac=52:54:00:e2:30:03 ub_efi_mac=52:54:00:e2:30:04
# console=ttyS0: the harness reads the kernel's messages on the serial console.
e2e_cli set-action $YES "$bios_mac" linux:install distribution=debian12 console=ttyS0 nameserver=10.0.2.3 >/dev/null 2>&1
e2e_cli set-action $YES "$efi_mac" linux:install distribution=debian12 console=ttyS0 >/dev/null 2>&1
e2e_cli set-action $YES "$ub_bios_mac" "$ub_efi_mac" linux:install distribution=ubuntu2404 console=ttyS0 >/dev/null 2>&1
linux_size=$(wc -c <"$E/www$DI/linux")
initrd_size=$(wc -c <"$E/www$DI/initrd.gz")

# preseed_fetched_by_installer ID: the installer's own GET of its preseed.
preseed_fetched_by_installer() {
	e2e_vm_log_any "$1" | grep -qE \
	    '^[0-9]+ 200 .*"GET /cgi-bin/ipxe\.cgi/file/preseed\.cfg\?token=[0-9a-f]{48} HTTP/1\.1" "debian-installer"'
}

# report URL QUERY: what an installer does with the URL on its command
# line (host 10.0.2.100, reached here on 127.0.0.1); the HTTP status.
report() {
	curl -sS --max-time 20 --connect-to "$E2E_HOST:80:127.0.0.1:$APACHE_PORT" \
	    -o "$E/report.body" -w '%{http_code}' "$1&$2" || echo curl-failed
}

# Case 3: the kernel and initrd are fetched and the kernel starts with the
# preseed and report URLs, with the token, on its command line.  On BIOS
# the installer then runs on: it fetches the preseed from that URL itself
# and its early_command reports running with the token.  slirp with
# restrict=on gives no name server, so the action names one
# (nameserver=10.0.2.3): without it netcfg stops to ask.  On UEFI the
# guest, with the default nameserver=dhcp, stops at the command line and
# the host fetches the preseed.
cmdline="Command line: .*url=http://$E2E_HOST/cgi-bin/ipxe\\.cgi/file/preseed\\.cfg\\?token=[0-9a-f]{48} se3_report=http://$E2E_HOST/cgi-bin/ipxe\\.cgi/report\\?token=[0-9a-f]{48}"
E2E_UNTIL="log:/report\\?token=[0-9a-f]{48}&status=running&progress=5&msg=preseed .*Wget" E2E_MEM=1024 E2E_TIMEOUT=1200 \
    e2e_vm_start linux-pcbios pcbios e1000 "$bios_mac"
E2E_UNTIL="serial:$cmdline" E2E_MEM=1024 E2E_TIMEOUT=300 \
    e2e_vm_start linux-efi efi virtio "$efi_mac"
for fw in pcbios efi; do
	id=linux-$fw
	e2e_vm_wait "$id"
	if [ "$fw" = pcbios ]; then
		is "$VM_OUTCOME" until "$id: the installer reported running with the token, from its own early_command (${VM_SECS} s)" || e2e_explain "$id"
		t "$id: the installer fetched its preseed itself, with the token" \
		    preseed_fetched_by_installer "$id"
		t "$id: the kernel got the preseed and report URLs with the token" e2e_seen "$id" "$cmdline"
		t "$id: and the name server" e2e_seen "$id" "Command line: .*netcfg/get_nameservers=10\\.0\\.2\\.3 "
	else
		is "$VM_OUTCOME" until "$id: the kernel got the preseed and report URLs with the token" || e2e_explain "$id"
		t "$id: nameserver=dhcp (the default) adds nothing to the command line" \
		    sh -c '! grep -q "get_nameservers" "$1"' - "$E/vm/$id/console.txt"
	fi
	t "$id: the kernel's banner is on the serial console" e2e_seen "$id" 'Linux version'
	diag "$id: $(grep -m 1 -o 'Linux version [^ ]*' "$E/vm/$id/console.txt")"
	t "$id: GET $DI/linux 200, all $linux_size bytes" \
	    e2e_fetched "$id" "$DI/linux" "200 $linux_size"
	t "$id: GET $DI/initrd.gz 200, all $initrd_size bytes" \
	    e2e_fetched "$id" "$DI/initrd\\.gz" "200 $initrd_size"
	# The installer's own messages follow the kernel's banner.
	is "$(e2e_console "$id" | sed '/Linux version/,$d' | grep -E -- "$E2E_ERRORS")" "" \
	    "$id: no iPXE error on the console"
	t "$id: the serial console at 115200 baud (9600 crawls)" \
	    e2e_seen "$id" "Command line: .*console=ttyS0,115200n8"
	purl=$(grep -m 1 -o "url=http://[^ ]*preseed.cfg?token=[0-9a-f]*" "$E/vm/$id/console.txt" | sed 's/^url=//')
	code=$(curl -sS --max-time 20 --connect-to "$E2E_HOST:80:127.0.0.1:$APACHE_PORT" \
	    -o "$E/preseed.$fw" -w '%{http_code}' "$purl" || echo curl-failed)
	is "$code" 200 "$id: the preseed at the command line's URL: 200"
	t "$id: ... with its early_command reporting running with the token" \
	    grep -qE 'report\?token=[0-9a-f]{48}&status=running&progress=5&msg=preseed' "$E/preseed.$fw"
done
is "$(e2e_state "$bios_mac")" "running 1" "BIOS: the action is running (the installer said so), 1 boot counted"
is "$(e2e_state "$efi_mac")" "booting 1" "UEFI: the action is booting, 1 boot counted"

# Case 4: reports from the host, with the URL each kernel was given.
for fw in pcbios efi; do
	id=linux-$fw
	[ "$fw" = pcbios ] && mac=$bios_mac || mac=$efi_mac
	url=$(grep -m 1 -o "se3_report=[^ ]*" "$E/vm/$id/console.txt" | sed 's/^se3_report=//')
	token=${url##*token=}
	last=${token#"${token%?}"}
	[ "$last" = 0 ] && other=1 || other=0
	wrong=${url%?}$other
	before=$(e2e_action "$mac")
	is "$(report "$wrong" status=done)" 403 "$id: a report with a wrong token is refused (403)"
	is "$(e2e_action "$mac")" "$before" "$id: and nothing changed"
	is "$(report "$url" 'status=running&progress=50')" 200 "$id: report running 50% with the token: 200"
	is "$(e2e_state "$mac")" "running 1" "$id: the action is running"
	is "$(report "$url" 'status=done&progress=100')" 200 "$id: report done with the token: 200"
	is "$(e2e_state "$mac")" "done 1" "$id: the action is done"
	is "$(report "$url" status=done)" 403 "$id: the token dies with its action (403)"
done

# Ubuntu 24.04: iPXE passes the autoinstall command line whole, the ";"
# of ds=nocloud-net;s= and the %s cloud-init fills in included.
cmdline="Command line: .*url=http://$E2E_HOST$UB/live-server\\.iso cloud-config-url=/dev/null autoinstall ds=nocloud-net;s=http://$E2E_HOST/cgi-bin/ipxe\\.cgi/file/%s\\?token=[0-9a-f]{48} se3_report="
E2E_UNTIL="serial:$cmdline" E2E_MEM=1024 E2E_TIMEOUT=300 \
    e2e_vm_start ubuntu-pcbios pcbios e1000 "$ub_bios_mac"
E2E_UNTIL="serial:$cmdline" E2E_MEM=1024 E2E_TIMEOUT=300 \
    e2e_vm_start ubuntu-efi efi virtio "$ub_efi_mac"
for fw in pcbios efi; do
	id=ubuntu-$fw
	e2e_vm_wait "$id"
	is "$VM_OUTCOME" until "$id: the kernel got the autoinstall command line, ds=nocloud-net;s=...%s?token=... whole" ||
	    e2e_explain "$id"
	diag "$id: $(grep -m 1 -o 'ds=nocloud-net[^ ]*' "$E/vm/$id/console.txt" | sed 's/token=[0-9a-f]*/token=.../')"
	t "$id: GET $UB/vmlinuz 200" e2e_fetched "$id" "$UB/vmlinuz" 200
	t "$id: GET $UB/initrd 200" e2e_fetched "$id" "$UB/initrd" 200
	is "$(e2e_console "$id" | sed '/Linux version/,$d' | grep -E -- "$E2E_ERRORS")" "" \
	    "$id: no iPXE error on the console"
done

E2E_TIMEOUT=60 e2e_vm_start next-pcbios pcbios e1000 "$bios_mac"
E2E_TIMEOUT=60 e2e_vm_start next-efi efi virtio "$efi_mac"
for fw in pcbios efi; do
	id=next-$fw
	e2e_vm_wait "$id"
	t "$id: after the report the next boot is local" e2e_booted_local "$id" "$fw" ||
	    e2e_explain "$id"
	is "$(e2e_count "$id" '/se3-ipxe/linux/.*')" 0 "$id: the installer is not fetched again"
done
e2e_done
