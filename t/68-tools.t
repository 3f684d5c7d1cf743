#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# gparted:run and hdt:run through the real ipxe.cgi: their life cycle (served once; hdt.cfg with the token until lpxelinux's INCLUDE reports), hdt on UEFI, and the man page's example.
. t/lib/tap.sh
. t/lib/cgi.sh

write_config "$T/se3-ipxe.conf"
db_create
MAN=$TOP/man/se3-ipxe-modules.5

# gparted:run: one boot serves it and ends it; the next boot is local.
mac=52:54:00:64:00:01
se3ipxe set-action "$mac" gparted:run > "$T/set.out" 2>&1
ok $? "set-action gparted:run"
boot "mac=$mac&platform=efi"
is "$status" 200 "gparted: the boot answered 200"
grep -q '^kernel http://127.0.0.1:8080/se3-ipxe/gparted/live/vmlinuz initrd=initrd.img boot=live .* locales=fr_FR.UTF-8 keyboard-layouts=fr .*fetch=http://127.0.0.1:8080/se3-ipxe/gparted/live/filesystem.squashfs || goto failed$' "$T/body"
ok $? "gparted: the live system with fr defaults, fetch= from the boot tree"
is "$(state_of "$mac")" "done 1" "gparted: done once served (oneshot)"
boot "mac=$mac&platform=efi"
is_local_script; ok $? "gparted: the next boot is the local disk"
se3ipxe set-action "$mac" gparted:run keymap=gb locale=en_GB.UTF-8 graphics=safe > /dev/null 2>&1
boot "mac=$mac&platform=pcbios"
grep -qx 'iseq safe safe && set se3_gfx nomodeset || set se3_gfx quiet' "$T/body" &&
    grep -q '^kernel .* noeject ${se3_gfx} locales=' "$T/body"
ok $? "gparted graphics=safe: nomodeset on the line"
grep -q 'locales=en_GB.UTF-8 keyboard-layouts=gb ' "$T/body"; ok $? "gparted: keymap and locale as given"

# hdt:run on a BIOS: the script, then hdt.cfg with the token, then the
# report its INCLUDE line makes.
mac=52:54:00:64:00:02
se3ipxe set-action "$mac" hdt:run mode=cli > /dev/null 2>&1; ok $? "set-action hdt:run mode=cli"
boot "mac=$mac&platform=pcbios"
token=$(token_of "$mac")
grep -qx "set 209:string http://127.0.0.1:8080/cgi-bin/ipxe.cgi/file/hdt.cfg?token=$token" "$T/body" &&
    grep -qx 'set 210:string http://127.0.0.1:8080/se3-ipxe/hdt/' "$T/body" &&
    grep -qx 'chain http://127.0.0.1:8080/se3-ipxe/hdt/lpxelinux.0 || goto failed' "$T/body"
ok $? "hdt: options 209 (hdt.cfg with the token) and 210 set, lpxelinux.0 chained"
is "$(state_of "$mac")" "booting 1" "hdt: served, waiting for lpxelinux"
cgi GET /file/hdt.cfg "token=$token"
is "$status" 200 "hdt: hdt.cfg served with the token"
grep -qx 'DEFAULT hdt-cli-text' "$T/body"; ok $? "hdt.cfg: mode=cli chooses its label"
inc=$(sed -n 's/^INCLUDE //p' "$T/body")
case $inc in
"http://127.0.0.1:8080/cgi-bin/ipxe.cgi/report?token=$token&"*) ok 0 "hdt.cfg: its INCLUDE is the report URL with the token" ;;
*) ok 1 "hdt.cfg: its INCLUDE is the report URL with the token: '$inc'" ;;
esac
cgi GET /report "${inc#*\?}"
is "$status:$(cat "$T/body")" "200:ok" "hdt: lpxelinux's INCLUDE reports (the answer, ok, is no pxelinux directive)"
is "$(state_of "$mac")" "done 1" "hdt: done"
cgi GET /file/hdt.cfg "token=$token"
is "$status" 403 "hdt: hdt.cfg refused once the action is done"
boot "mac=$mac&platform=pcbios"
is_local_script; ok $? "hdt: the next boot is the local disk"

# hdt:run on UEFI: said, the local disk, the action left for a BIOS boot.
mac=52:54:00:64:00:03
se3ipxe set-action "$mac" hdt:run > /dev/null 2>&1
boot "mac=$mac&platform=efi"
grep -qx 'iseq ${platform} pcbios || goto bios_only' "$T/body" &&
    grep -q '^echo se3-ipxe: HDT is BIOS-only' "$T/body"
ok $? "hdt on UEFI: the script goes to bios_only and says so"
is "$(state_of "$mac")" "booting 1" "hdt on UEFI: the action waits for a BIOS boot (max 2 boots)"

# Hostile values are refused with the option's name, nothing stored.
bad=
for kv in keymap=fr_CH 'keymap=fr us' locale=fr_FR 'locale=fr_FR.UTF-8 init=/bin/sh' \
    'locale=${x}' graphics=nomodeset; do
	se3ipxe set-action 52:54:00:64:00:ff gparted:run "$kv" > "$T/h.out" 2>&1 && bad="$bad [$kv accepted]"
	grep -q "${kv%%=*}" "$T/h.out" || bad="$bad [$kv: $(head -n 1 "$T/h.out")]"
done
for kv in mode=auto 'mode=menu
DEFAULT x' display=vga; do
	se3ipxe set-action 52:54:00:64:00:ff hdt:run "$kv" > "$T/h.out" 2>&1 && bad="$bad [$kv accepted]"
	grep -q "${kv%%=*}" "$T/h.out" || bad="$bad [$kv: $(head -n 1 "$T/h.out")]"
done
is "$bad" "" "out-of-type values refused, naming the option"
is "$(sqlite3 "$T/db/se3-ipxe.db" "SELECT count(*) FROM actions WHERE mac = '52:54:00:64:00:ff'")" 0 \
    "and none stored"

# The man page's example: the set-action lines of its block run as written.
awk '/^GParted Live for a technician/ { s = 1 } s == 1 && /^\.Bd -literal/ { s = 2; next }
    s == 2 && /^\.Ed/ { exit } s == 2 { print }' "$MAN" |
    sed -e ':a' -e '/\\e$/ { N; s/\\e\n *//; ba' -e '}' > "$T/example"
n=0
while IFS= read -r line; do
	case $line in
	'# se3-ipxe set-action '*)
		n=$((n + 1))
		# shellcheck disable=SC2086 # the command's words, as the page writes them
		se3ipxe ${line#'# se3-ipxe '} > "$T/ex.out" 2>&1
		ok $? "the man page's example runs: ${line#'# '}" ;;
	esac
done < "$T/example"
is "$n" 3 "the man page's example: three set-action lines"
is "$(sqlite3 "$T/db/se3-ipxe.db" "SELECT name FROM actions WHERE mac IN ('52:54:00:12:34:56', '52:54:00:12:34:57', '52:54:00:12:34:58') AND state = 'pending' ORDER BY mac" | tr '\n' ' ')" \
    "gparted:run gparted:run hdt:run " "and sets what it says"
done_testing
