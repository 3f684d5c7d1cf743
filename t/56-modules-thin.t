#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# ltsp:boot and iscsi:boot: every option value renders its golden script, hostile values are refused at set-action, and both are served at every boot within their bounds.
. t/lib/tap.sh
. t/lib/cgi.sh

write_config "$T/se3-ipxe.conf"
db_create
G=$TOP/t/golden/modules
M=52:54:00:00:aa:01
TGT=iscsi:10.0.0.1::::iqn.2026-11.fr.se3:pc01

# render PLATFORM ACTION [KEY=VALUE...]: set the action, boot once, cancel.
render() {
	platform=$1
	shift
	se3ipxe cancel $M > /dev/null 2>&1
	se3ipxe set-action $M "$@" > /dev/null 2> "$T/set.err" || return 1
	boot "mac=$M&platform=$platform"
	# The action id and the expiry change from run to run.
	sed 's/(action [0-9]*,/(action N,/' "$T/body" > "$T/render"
}

# golden NAME PLATFORM ACTION [KEY=VALUE...]
golden() {
	name=$1
	shift
	render "$@"
	if [ -n "${GOLDEN_WRITE-}" ]; then
		cp "$T/render" "$G/$name"
	fi
	cmp -s "$G/$name" "$T/render"
	ok $? "$name: $* renders its golden script"
}

golden ltsp-default.ipxe pcbios ltsp:boot
golden ltsp-roots-efi.ipxe efi ltsp:boot method=roots
golden ltsp-server-quiet-no.ipxe pcbios ltsp:boot image=bookworm-xfce server=10.0.0.5 quiet=no
golden ltsp-server-name.ipxe efi ltsp:boot server=ltsp.se3.lan quiet=yes method=images
golden iscsi-default.ipxe pcbios iscsi:boot target=$TGT
golden iscsi-keep-efi.ipxe efi iscsi:boot target=iscsi:san.se3.lan:6:3260:1:iqn.2026-11.fr.se3:parc-b keep=yes
golden iscsi-initiator.ipxe pcbios iscsi:boot target=$TGT initiator=iqn.2026-11.fr.se3:pc01-client keep=no

# --- hostile values: refused at set-action, naming the option ---------------
for kv in "image=../x" "image=x86_64%0Aexit" 'image=${x}' "image=X86" "method=nbd" \
    "server=10.0.0.5:2049" "server=a;b" "server=" "quiet=maybe"; do
	se3ipxe cancel $M > /dev/null 2>&1
	se3ipxe set-action $M ltsp:boot "$kv" > /dev/null 2> "$T/set.err"
	is $? 1 "ltsp:boot $kv refused"
	grep -q "option ${kv%%=*}" "$T/set.err"; ok $? "ltsp:boot $kv: the error names the option"
done
for kv in "target=iscsi:10.0.0.1::::iqn.2026-11.fr.se3:pc01\$x" "target=iscsi:10.0.0.1::::" \
    "target=http://10.0.0.1/x" "target=iscsi:10.0.0.1:7:::iqn.2026-11.fr.se3:a" \
    "initiator=iqn.bad" "initiator=\${x}" "keep=1"; do
	se3ipxe cancel $M > /dev/null 2>&1
	case $kv in
	target=*) set -- "$kv" ;;
	*) set -- target=$TGT "$kv" ;;
	esac
	se3ipxe set-action $M iscsi:boot "$@" > /dev/null 2> "$T/set.err"
	is $? 1 "iscsi:boot $kv refused"
	grep -q "option ${kv%%=*}" "$T/set.err"; ok $? "iscsi:boot $kv: the error names the option"
done
se3ipxe cancel $M > /dev/null 2>&1
se3ipxe set-action $M iscsi:boot > /dev/null 2> "$T/set.err"
is $? 1 "iscsi:boot without target refused"
grep -q "option 'target' is required" "$T/set.err"; ok $? "the error says target is required"

# --- persistent: served at every boot, until cancelled ------------------------
for a in "ltsp:boot" "iscsi:boot target=$TGT"; do
	se3ipxe cancel $M > /dev/null 2>&1
	se3ipxe set-action $M $a > /dev/null 2>&1
	served=0
	for i in 1 2 3 4 5; do
		boot "mac=$M&platform=pcbios"
		grep -q "se3-ipxe ${a%% *} for" "$T/body" && served=$((served + 1))
	done
	is $served 5 "${a%% *}: served at each of 5 boots"
	is "$(sqlite3 "$T/db/se3-ipxe.db" "SELECT state, boots, max_boots, expires_at - created_at FROM actions WHERE mac='$M' ORDER BY id DESC LIMIT 1")" \
	    "booting|5|100|2592000" "${a%% *}: still active, bounded by 100 boots and 30 days"
	se3ipxe cancel $M > /dev/null 2>&1
	boot "mac=$M&platform=pcbios"
	ok "$(is_local_script; echo $?)" "${a%% *}: cancelled, the next boot is local"
done

# --- the examples of se3-ipxe-modules(5) run as written (on a MAC) ------------
sed -n '/^\.It Cm ltsp$/,/^\.El$/p' "$TOP/man/se3-ipxe-modules.5" |
    awk '/^\.Bd -literal/ { on = 1; next } /^\.Ed/ { on = 0 } on' |
    sed -e ':a' -e '/\\e$/{N;s/\\e\n *//;ba' -e '}' | grep '^se3-ipxe set-action ' > "$T/examples"
is "$(wc -l < "$T/examples")" 4 "se3-ipxe-modules(5): 4 set-action examples for ltsp, iscsi and menu"
while read -r _ _ target action rest; do
	se3ipxe cancel $M > /dev/null 2>&1
	# shellcheck disable=SC2086 # the example's words
	se3ipxe set-action $M $action $rest > /dev/null 2> "$T/set.err"
	ok $? "example for $target: set-action $action $rest"
done < "$T/examples"

done_testing
