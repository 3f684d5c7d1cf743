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
	is "$(sqlite3 "$T/db/se3-ipxe.db" "SELECT state, completion, boots, max_boots, expires_at - created_at FROM actions WHERE mac='$M' ORDER BY id DESC LIMIT 1")" \
	    "booting|persistent|5|1000|31536000" "${a%% *}: persistent, still active, bounded by 1000 boots and 365 days"
	se3ipxe cancel $M > /dev/null 2>&1
	boot "mac=$M&platform=pcbios"
	ok "$(is_local_script; echo $?)" "${a%% *}: cancelled, the next boot is local"
done

# --- persistent: reports, bounds, expiry, and what an admin sees ------------
se3ipxe cancel $M > /dev/null 2>&1
se3ipxe set-action $M ltsp:boot > /dev/null 2>&1
boot "mac=$M&platform=pcbios"
TOKEN=$(token_of $M)
cgi GET /report "token=$TOKEN&status=running&progress=50"
is "$status" 200 "persistent: running accepted"
is "$(state_of $M)" "running 1" "persistent: running"
se3ipxe status $M > "$T/status.out"
grep -q "running, persistent" "$T/status.out"; ok $? "status: the state says persistent"
se3ipxe status --json $M > "$T/status.json"
grep -q '"completion":"persistent"' "$T/status.json"; ok $? "status --json: completion persistent"
cgi GET /report "token=$TOKEN&status=done&msg=session%20ended"
is "$status" 200 "persistent: done accepted"
is "$(state_of $M)" "booting 1" "persistent: done ends the session, not the action (booting)"
is "$(sqlite3 "$T/db/se3-ipxe.db" "SELECT group_concat(event || ':' || ifnull(new_state, '-') || ':' || ifnull(detail, '-'), ' ') FROM history WHERE mac = '$M' AND action_id = (SELECT max(id) FROM actions WHERE mac = '$M') AND event IN ('done', 'report')")" \
    "report:-:running 50% done:booting:- report:-:done: session ended" "persistent: the done report is in the history"
boot "mac=$M&platform=pcbios"
grep -q "se3-ipxe ltsp:boot for" "$T/body"; ok $? "persistent: served again after done"
is "$(state_of $M)" "booting 2" "persistent: its boots counted"
cgi GET /report "token=$TOKEN&status=failed&msg=no+nfs"
is "$(state_of $M)" "failed 2" "persistent: failed ends it"
boot "mac=$M&platform=pcbios"
ok "$(is_local_script; echo $?)" "persistent: failed, the next boot is local"

# Its last boot ends it as expired (a bound, no fault), the next is local.
se3ipxe set-action --max-boots 2 $M ltsp:boot > /dev/null 2>&1
for i in 1 2 3; do
	boot "mac=$M&platform=pcbios"
	grep -q "se3-ipxe ltsp:boot for" "$T/body" && echo served
done > "$T/served"
is "$(wc -l < "$T/served")" 2 "persistent --max-boots 2: served twice"
ok "$(is_local_script; echo $?)" "persistent --max-boots 2: the third boot is local"
is "$(state_of $M)" "expired 2" "persistent --max-boots 2: expired at its bound"

# Past its expiry: local, and expired.
se3ipxe set-action $M ltsp:boot > /dev/null 2>&1
boot "mac=$M&platform=pcbios"
sqlite3 "$T/db/se3-ipxe.db" "UPDATE actions SET expires_at = strftime('%s','now') - 1 WHERE mac='$M' AND state='booting'"
boot "mac=$M&platform=pcbios"
ok "$(is_local_script; echo $?)" "persistent: past its expiry, the boot is local"
is "$(state_of $M)" "expired 1" "persistent: expired"

# The tick ends it at its expiry too, with no boot.
se3ipxe set-action $M ltsp:boot > /dev/null 2>&1
boot "mac=$M&platform=pcbios"
sqlite3 "$T/db/se3-ipxe.db" "UPDATE actions SET expires_at = strftime('%s','now') - 1 WHERE mac='$M' AND state='booting'"
se3ipxe tick > "$T/tick.out" 2>&1
grep -q "expired 1," "$T/tick.out"; ok $? "persistent: the tick expires it"
is "$(state_of $M)" "expired 1" "persistent: expired by the tick"

# The admin's bounds: up to 1000 boots and 365 days, never more.
se3ipxe set-action --max-boots 1000 --expires 365d $M ltsp:boot > /dev/null 2> "$T/set.err"
ok $? "persistent: --max-boots 1000 --expires 365d accepted"
se3ipxe set-action --max-boots 1001 $M ltsp:boot > /dev/null 2> "$T/set.err"
is $? 1 "persistent: --max-boots 1001 refused"
grep -q "not a number from 1 to 1000" "$T/set.err"; ok $? "... saying the range"
se3ipxe set-action --expires 366d $M ltsp:boot > /dev/null 2> "$T/set.err"
is $? 1 "persistent: --expires 366d refused"
grep -q "not a duration from 1m to 365d" "$T/set.err"; ok $? "... saying the range"
se3ipxe cancel $M > /dev/null 2>&1

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
