#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end: every sysrescue and clonezilla capability in the real iPXE, BIOS and UEFI, up to its final boot command: fixture kernel, initrd and squashfs fetched, the kernel line whole, the job's files then served with the token.
. "$(dirname "$0")/lib.sh"
e2e_init

W=$E/www/se3-ipxe
# fixtures FW: the fake kernel of that firmware where each module's kernel is.
fixtures() {
	_k=$E/fix/fakekernel.bin
	[ "$1" = efi ] && _k=$E/fix/fakekernel.efi
	mkdir -p "$W/sysrescue/sysresccd/boot/x86_64" "$W/sysrescue/sysresccd/x86_64" "$W/clonezilla/live"
	cp "$_k" "$W/sysrescue/sysresccd/boot/x86_64/vmlinuz"
	cp "$_k" "$W/clonezilla/live/vmlinuz"
	head -c 4096 /dev/zero > "$W/sysrescue/sysresccd/boot/x86_64/sysresccd.img"
	head -c 4096 /dev/zero > "$W/clonezilla/live/initrd.img"
	head -c 8192 /dev/zero > "$W/sysrescue/sysresccd/x86_64/airootfs.sfs"
	head -c 8192 /dev/zero > "$W/clonezilla/live/filesystem.squashfs"
	chmod -R a+rX "$W"
}

# What each capability sets, what its kernel and initrd are, what its line must hold.
opts_of() {
	case $1 in
	clonezilla:*) echo "repo=//se3.lan/partimag/e2e image=e2e" ;;
	*) echo "" ;;
	esac
}
files_of() {
	case $1 in
	sysrescue:rescue) echo "" ;;
	sysrescue:*) echo "${1#*:}.yaml ${1#*:}.sh job-lib.sh" ;;
	clonezilla:*) echo "${1#*:}.sh job-lib.sh" ;;
	esac
}
kernel_of() {
	case $1 in
	sysrescue:*) echo /se3-ipxe/sysrescue/sysresccd/boot/x86_64/vmlinuz ;;
	clonezilla:*) echo /se3-ipxe/clonezilla/live/vmlinuz ;;
	esac
}
initrd_of() {
	case $1 in
	sysrescue:*) echo /se3-ipxe/sysrescue/sysresccd/boot/x86_64/sysresccd.img ;;
	clonezilla:*) echo /se3-ipxe/clonezilla/live/initrd.img ;;
	esac
}
# An ERE the console (iPXE's imgstat) shows: the line reached the kernel whole.
line_of() {
	case $1 in
	sysrescue:rescue) echo 'archisobasedir=sysresccd archiso_http_srv=http://10\.0\.2\.100/se3-ipxe/sysrescue/ ip=dhcp copytoram=n checksum=n setkmap=fr ar_disable' ;;
	sysrescue:*) echo "copytoram=n checksum=n setkmap=fr sysrescuecfg=http://10\.0\.2\.100/cgi-bin/ipxe\.cgi/file/${1#*:}\.yaml\?token=[0-9a-f]+" ;;
	clonezilla:*) echo "ocs_prerun=\"wget -q -O /tmp/se3-ipxe-job http://10\.0\.2\.100/cgi-bin/ipxe\.cgi/file/${1#*:}\.sh\?token=[0-9a-f]+\" ocs_prerun1=\"sh /tmp/se3-ipxe-job prerun\" ocs_live_run=\"sh /tmp/se3-ipxe-job run\" ocs_postrun=\"sh /tmp/se3-ipxe-job postrun\"" ;;
	esac
}

check() {	# check ACTION ID MAC
	e2e_vm_wait "$2"
	t "$2: ipxe.cgi answered 200" e2e_fetched "$2" '/cgi-bin/ipxe\.cgi\?[^ ]*' 200
	id=$2
	t "$id: the fixture kernel ran" \
	    eval '[ "$VM_OUTCOME" = 33 ] && e2e_seen "$id" FAKE-KERNEL-BOOTED' || e2e_explain "$id"
	t "$2: GET $(kernel_of "$1") 200" e2e_fetched "$2" "$(kernel_of "$1")" 200
	t "$2: GET $(initrd_of "$1") 200" e2e_fetched "$2" "$(initrd_of "$1")" 200
	t "$2: the kernel line reached the kernel whole (imgstat)" e2e_seen "$2" "$(line_of "$1")" ||
	    grep -a 'vmlinuz' "$E/vm/$2/console.txt" | cut -c1-400 | sed 's/^/# /'
	is "$(e2e_errors "$2")" "" "$2: no iPXE error on the console"
	_tok=$(sqlite3 "$E/db/se3-ipxe.db" "SELECT token FROM actions WHERE mac = '$3' ORDER BY id DESC LIMIT 1")
	for _f in $(files_of "$1"); do
		_st=$(curl -s -o "$E/got-$_f" -w '%{http_code}' "$APACHE_URL/cgi-bin/ipxe.cgi/file/$_f?token=$_tok")
		is "$_st" 200 "$2: then $_f is served with the token"
	done
	case $1 in
	sysrescue:rescue) is "$(e2e_state "$3")" "done 1" "$2: $1 is done once served" ;;
	*) is "$(e2e_state "$3")" "booting 1" "$2: $1 waits for its report" ;;
	esac
}

# E2E_CAPS: some of them only, E2E_FW: one firmware only (for a post-mortem).
caps=${E2E_CAPS:-"sysrescue:rescue sysrescue:backup sysrescue:restore sysrescue:report clonezilla:save clonezilla:restore"}
m=0
for fw in ${E2E_FW:-pcbios efi}; do
	fixtures "$fw"
	set -- $caps
	while [ $# -gt 0 ]; do
		ids=
		for cap in "$1" "${2-}"; do	# two guests at a time
			[ -n "$cap" ] || continue
			m=$((m + 1))
			mac=52:54:00:e2:84:$(printf '%02x' "$m")
			e2e_cli set-action --yes "$mac" "$cap" $(opts_of "$cap") >/dev/null 2>&1 ||
			    ok 1 "set-action $mac $cap"
			id=${cap/:/-}-$fw
			E2E_TIMEOUT=300 e2e_vm_start "$id" "$fw" virtio "$mac"
			ids="$ids $cap=$id=$mac"
		done
		for x in $ids; do
			cap=${x%%=*} rest=${x#*=}
			check "$cap" "${rest%%=*}" "${rest#*=}"
		done
		shift; [ $# -gt 0 ] && shift
	done
done
e2e_done
