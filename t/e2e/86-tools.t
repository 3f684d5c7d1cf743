#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end: the live tools in the real iPXE: gparted:run (BIOS and UEFI) up to its kernel with the whole line, hdt:run on a BIOS through lpxelinux to hdt.c32 (its files copied from Debian's packages by se3-ipxe setup hdt), and on UEFI to the local disk.
. "$(dirname "$0")/lib.sh"
e2e_init

W=$E/www/se3-ipxe
gparted_fixtures() {	# gparted_fixtures FW: the fake kernel of that firmware as GParted Live's
	_k=$E/fix/fakekernel.bin
	[ "$1" = efi ] && _k=$E/fix/fakekernel.efi
	mkdir -p "$W/gparted/live"
	cp "$_k" "$W/gparted/live/vmlinuz"
	head -c 4096 /dev/zero > "$W/gparted/live/initrd.img"
	head -c 8192 /dev/zero > "$W/gparted/live/filesystem.squashfs"
	chmod -R a+rX "$W"
}

# --- gparted:run, BIOS and UEFI at once ------------------------------------
LINE='boot=live union=overlay username=user config components noswap noeject quiet locales=fr_FR\.UTF-8 keyboard-layouts=fr net\.ifnames=0 ip= fetch=http://10\.0\.2\.100/se3-ipxe/gparted/live/filesystem\.squashfs'
for fw in pcbios efi; do
	gparted_fixtures "$fw"
	mac=52:54:00:e2:86:0$([ "$fw" = pcbios ] && echo 1 || echo 2)
	e2e_cli set-action "$mac" gparted:run >/dev/null 2>&1 || ok 1 "set-action $mac gparted:run"
	id=gparted-$fw
	E2E_TIMEOUT=300 e2e_vm_start "$id" "$fw" virtio "$mac"
	e2e_vm_wait "$id"
	t "$id: ipxe.cgi answered 200" e2e_fetched "$id" '/cgi-bin/ipxe\.cgi\?[^ ]*' 200
	t "$id: the fixture kernel ran" \
	    eval '[ "$VM_OUTCOME" = 33 ] && e2e_seen "$id" FAKE-KERNEL-BOOTED' || e2e_explain "$id"
	t "$id: GET /se3-ipxe/gparted/live/vmlinuz 200" e2e_fetched "$id" /se3-ipxe/gparted/live/vmlinuz 200
	t "$id: GET /se3-ipxe/gparted/live/initrd.img 200" e2e_fetched "$id" /se3-ipxe/gparted/live/initrd.img 200
	t "$id: the kernel line reached the kernel whole (imgstat)" e2e_seen "$id" "$LINE" ||
	    grep -a 'vmlinuz' "$E/vm/$id/console.txt" | cut -c1-400 | sed 's/^/# /'
	is "$(e2e_errors "$id")" "" "$id: no iPXE error on the console"
	is "$(e2e_state "$mac")" "done 1" "$id: gparted:run is done once served"
done

# --- hdt:run: its files from Debian's packages ------------------------------
if e2e_cli setup hdt > "$E/hdt-setup.out" 2>&1; then
	ok 0 "se3-ipxe setup hdt: the files copied from pxelinux, syslinux-common and pci.ids"
else
	[ -z "${E2E_REQUIRE:-}" ] || bail "se3-ipxe setup hdt: $(tail -n 1 "$E/hdt-setup.out")"
	echo "# SKIP hdt: $(tail -n 1 "$E/hdt-setup.out")"
	e2e_done
	exit 0
fi
is "$(cd "$W/hdt" && ls | tr '\n' ' ')" "hdt.c32 ldlinux.c32 libcom32.c32 libgpl.c32 libmenu.c32 libutil.c32 lpxelinux.0 pci.ids " \
    "setup hdt: the eight files in the boot tree"
chmod -R a+rX "$W"

# BIOS: stopped once the last library hdt.c32 needs is fetched (HDT then
# runs, and waits at its menu).  lpxelinux fetches with its own HTTP client
# (User-Agent Syslinux/): the judgments read every line of the guest.
fetched_any() {	# fetched_any ID PATH-ERE STATUS
	e2e_vm_log_any "$1" | grep -qE -- "^[0-9]+ $3 .*\"GET $2 HTTP"
}
# Its banner reaches the serial console through SeaBIOS's copy of the
# screen, which a redraw can split; its own GET of ldlinux.c32 (User-Agent
# Syslinux) shows it ran either way.
lpxelinux_started() {	# lpxelinux_started ID
	e2e_seen "$1" 'PXELINUX 6\.[0-9]+ lwIP' ||
	    e2e_vm_log_any "$1" | grep -qE '"GET /se3-ipxe/hdt/ldlinux\.c32 HTTP/1\.0" "Syslinux/6'
}
mac=52:54:00:e2:86:03 id=hdt-pcbios
e2e_cli set-action "$mac" hdt:run >/dev/null 2>&1 || ok 1 "set-action $mac hdt:run"
E2E_UNTIL='log:"GET /se3-ipxe/hdt/libgpl\.c32 HTTP' E2E_TIMEOUT=300 e2e_vm_start "$id" pcbios virtio "$mac"
e2e_vm_wait "$id"
t "$id: hdt.c32 and its libraries fetched, then stopped" [ "$VM_OUTCOME" = until ] || e2e_explain "$id"
t "$id: ipxe.cgi answered 200" e2e_fetched "$id" '/cgi-bin/ipxe\.cgi\?[^ ]*' 200
t "$id: iPXE chained /se3-ipxe/hdt/lpxelinux.0 (200)" e2e_fetched "$id" /se3-ipxe/hdt/lpxelinux.0 200
t "$id: lpxelinux started (its banner, or its own GET of ldlinux.c32)" lpxelinux_started "$id"
t "$id: GET /se3-ipxe/hdt/ldlinux.c32 200" fetched_any "$id" /se3-ipxe/hdt/ldlinux\.c32 200
t "$id: lpxelinux read hdt.cfg, option 209, with the token" \
    fetched_any "$id" '/cgi-bin/ipxe\.cgi/file/hdt\.cfg\?token=[0-9a-f]+' 200
# Its SAY line reaches the serial console only if qemu has flushed it
# before it is stopped: shown, not judged.
e2e_seen "$id" 'se3-ipxe: HDT \(menu, text\)' && diag "$id: hdt.cfg's SAY line is on the console"
t "$id: and fetched its INCLUDE, the report" \
    fetched_any "$id" '/cgi-bin/ipxe\.cgi/report\?token=[0-9a-f]+&status=done&msg=hdt-started' 200
for f in hdt.c32 libmenu.c32 libcom32.c32 libutil.c32 libgpl.c32; do
	t "$id: GET /se3-ipxe/hdt/$f 200 (option 210's directory)" fetched_any "$id" "/se3-ipxe/hdt/${f//./\\.}" 200
done
is "$(e2e_errors "$id")" "" "$id: no iPXE error on the console"
is "$(e2e_state "$mac")" "done 1" "$id: hdt:run is done: lpxelinux reported it"
e2e_vm_log_any "$id" | sed 's/token=[0-9a-f]*/token=.../; s/^/# /' | cut -c1-140

# UEFI: said, then the fallback to the local disk (that path is every
# template's, booted to the end by t/e2e/10-local.t): stopped once said.
mac=52:54:00:e2:86:04 id=hdt-efi
e2e_cli set-action "$mac" hdt:run >/dev/null 2>&1 || ok 1 "set-action $mac hdt:run"
E2E_UNTIL='serial:HDT is BIOS-only' E2E_TIMEOUT=300 e2e_vm_start "$id" efi virtio "$mac"
e2e_vm_wait "$id"
t "$id: the script says HDT is BIOS-only" eval '[ "$VM_OUTCOME" = until ] && e2e_seen "$id" "HDT is BIOS-only: this machine boots through efi: booting the local disk"' ||
    e2e_explain "$id"
is "$(e2e_count "$id" '/se3-ipxe/hdt/[^ ]*')" 0 "$id: nothing of HDT fetched"
is "$(e2e_state "$mac")" "booting 1" "$id: hdt:run still waits (a BIOS boot of that machine would run it)"
e2e_done
