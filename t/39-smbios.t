#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Destructive actions bound to the machine's SMBIOS identity: right, wrong and absent UUID and serial through ipxe.cgi, and set-action's confirmation.
. t/lib/tap.sh
. t/lib/cgi.sh
. t/lib/fakeinstall.sh

write_config "$T/se3-ipxe.conf"
make_fakeinstall
db_create
DB=$T/db/se3-ipxe.db
U1=4c4c4544-0031-3510-8052-b4c04f4d4e31
U2=4c4c4544-0031-3510-8052-b4c04f4d4e32
M1=52:54:00:00:39:01
M2=52:54:00:00:39:02
M3=52:54:00:00:39:03
M4=52:54:00:00:39:04

# local_is MAC: the body is the golden local answer for MAC, byte for byte.
local_is() {
	sed "s/52:54:00:12:34:56/$1/" "$TOP/t/golden/local.ipxe" > "$T/want"
	cmp -s "$T/want" "$T/body"
}
# events MAC: the action's history events after "set", with their details.
events() {
	sqlite3 "$DB" "SELECT event || coalesce(' ' || old_state || '>' || new_state, '') || coalesce(': ' || detail, '') FROM history WHERE mac = '$1' AND event <> 'set' ORDER BY id" | tr '\n' ';'
}
installer() {
	grep -q "^kernel http://127.0.0.1:8080/se3-ipxe/fakeinstall/vmlinuz" "$T/body"
}

# --- known from a previous boot: the right UUID is served, a wrong one not ----
boot "mac=$M1&platform=pcbios&uuid=$U1&serial=SN-0001"
fold_seen
se3ipxe set-action --yes $M1 fakeinstall:install > /dev/null 2>&1
ok $? "set-action --yes on a machine seen with a UUID"
is "$(sqlite3 "$DB" "SELECT bind_identity, bound_uuid, bound_serial FROM actions WHERE mac = '$M1'")" \
    "1|$U1|SN-0001" "bound to the identity of its last boot"
sqlite3 "$DB" "SELECT detail FROM history WHERE mac = '$M1' AND event = 'set'" | grep -q "bound to uuid $U1 serial SN-0001"
ok $? "the set row says what it is bound to"
boot "mac=$M1&platform=pcbios&uuid=$U2&serial=SN-0001"
is "$status" 200 "wrong UUID: 200"
local_is $M1; ok $? "wrong UUID: the golden local answer"
grep -q "boot refused: action [0-9]* for $M1: another machine (SMBIOS UUID): uuid $U1 -> $U2" "$T/err"
ok $? "wrong UUID: one log line naming old -> new"
is "$(wc -l < "$T/err")" 1 "wrong UUID: one log line"
is "$(state_of $M1)" "pending 0" "wrong UUID: not counted, still pending"
is "$(events $M1)" "identity-refused: uuid $U1 -> $U2;" "wrong UUID: history row identity-refused, old -> new"
boot "mac=$M1&platform=pcbios&uuid=$(echo $U1 | tr a-f A-F)&serial=SN-0001"
installer; ok $? "right UUID (upper case): the installer"
is "$(state_of $M1)" "booting 1" "right UUID: counted"
boot "mac=$M1&platform=pcbios&uuid=$U1&serial=SN-0002"
local_is $M1; ok $? "right UUID, wrong serial: local"
boot "mac=$M1&platform=pcbios&serial=SN-0001"
installer; ok $? "serial alone, right: the installer"
boot "mac=$M1&platform=pcbios"
local_is $M1; ok $? "no identity at all: local"
grep -q "no SMBIOS identity in the request: uuid $U1 -> none" "$T/err"; ok $? "no identity: logged"
boot "mac=$M1&platform=pcbios&uuid=00000000-0000-0000-0000-000000000000&serial=To+Be+Filled+By+O.E.M."
local_is $M1; ok $? "placeholder UUID and serial count as none: local"
is "$(state_of $M1)" "booting 2" "refused boots never counted: no loop toward max_boots"
is "$(sqlite3 "$DB" "SELECT count(*) FROM history WHERE mac = '$M1' AND event = 'identity-refused'")" 4 \
    "each refused boot recorded"

# --- unknown at set-action: the first boot served binds it ---------------------
se3ipxe set-action --yes $M2 fakeinstall:install > /dev/null 2>&1
is "$(sqlite3 "$DB" "SELECT bind_identity || '|' || coalesce(bound_uuid, '-') FROM actions WHERE mac = '$M2'")" "1|-" \
    "never seen: bound to nothing yet"
boot "mac=$M2&platform=efi&uuid=$U2"
installer; ok $? "first boot: served"
is "$(sqlite3 "$DB" "SELECT bound_uuid FROM actions WHERE mac = '$M2'")" "$U2" "first boot served pins its UUID"
boot "mac=$M2&platform=efi&uuid=$U1"
local_is $M2; ok $? "then another UUID: local"
boot "mac=$M2&platform=efi&uuid=$U2"
installer; ok $? "the pinned UUID again: served"

# --- given on the command line -------------------------------------------------
boot "mac=$M3&uuid=$U1"
fold_seen
se3ipxe set-action --yes --serial SN-0003 $M3 fakeinstall:install > /dev/null 2>&1
is "$(sqlite3 "$DB" "SELECT bound_uuid || '|' || bound_serial FROM actions WHERE mac = '$M3'")" "$U1|SN-0003" \
    "--serial given, UUID from the last boot"
se3ipxe set-action --yes --uuid $U2 $M3 fakeinstall:install > /dev/null 2>&1
is "$(sqlite3 "$DB" "SELECT bound_uuid || '|' || coalesce(bound_serial, '-') FROM actions WHERE mac = '$M3' ORDER BY id DESC LIMIT 1")" "$U2|-" \
    "--uuid replaces the UUID seen"
boot "mac=$M3&uuid=$U1"
local_is $M3; ok $? "--uuid: the UUID it last booted with is refused"
boot "mac=$M3&uuid=$U2"
installer; ok $? "--uuid: the UUID given is served"

# --- preview shows the binding --------------------------------------------------
se3ipxe preview $M1 > "$T/pv" 2>&1
grep -q "smbios: bound to uuid $U1 serial SN-0001" "$T/pv"; ok $? "preview: the binding in the trace"

# --- not destructive: not bound -------------------------------------------------
boot "mac=$M4&uuid=$U1"
fold_seen
se3ipxe set-action $M4 memtest:run > /dev/null 2>&1
ok $? "not destructive: no --yes needed without a terminal"
boot "mac=$M4&uuid=$U2"
grep -q memtest "$T/body"; ok $? "not destructive: another UUID is served"

# --- local boot per model: the first [model] matching manufacturer and product --
cp "$T/se3-ipxe.conf" "$T/model.conf"
cat >> "$T/model.conf" <<'EOC'
[model optiplex]
manufacturer = Dell*
product = OptiPlex 70[0-9]0
local_efi = sanboot
[model hp]
manufacturer = HP
local_pcbios = exit
local_efi = chain
efi_loader = \EFI\Microsoft\Boot\bootmgfw.efi
EOC
M5=52:54:00:00:39:05
# golden_with PCBIOS EFI LOADER: the golden local answer for M5 with those choices.
golden_with() {
	sed "s/52:54:00:12:34:56/$M5/; s/goto local_efi_exit || goto local_pcbios_sanboot/goto local_efi_$2 || goto local_pcbios_$1/; s/--filename .*bootx64.efi/--filename $3/" \
	    "$TOP/t/golden/local.ipxe" > "$T/want"
}
CONFIG=$T/model.conf boot "mac=$M5&platform=efi&manufacturer=HP&product=EliteDesk+800+G4"
golden_with exit chain '\\EFI\\Microsoft\\Boot\\bootmgfw.efi'
cmp -s "$T/want" "$T/body"; ok $? "model hp: exit, chain to its efi_loader (golden)"
grep -qx 'sanboot --no-describe --drive 0x80 --filename \\EFI\\Microsoft\\Boot\\bootmgfw.efi || goto local_efi_exit' "$T/body"
ok $? "model hp: the loader written as configured"
CONFIG=$T/model.conf boot "mac=$M5&platform=efi&manufacturer=Dell%20Inc.&product=OptiPlex%207050"
golden_with sanboot sanboot '\\EFI\\Boot\\bootx64.efi'
cmp -s "$T/want" "$T/body"; ok $? "model optiplex: sanboot on UEFI (golden)"
CONFIG=$T/model.conf boot "mac=$M5&platform=efi&manufacturer=Dell%20Inc.&product=OptiPlex%203050"
local_is $M5; ok $? "no model matches: [boot]'s (golden)"
CONFIG=$T/model.conf boot "mac=$M5&platform=efi"
local_is $M5; ok $? "no SMBIOS strings: [boot]'s"
CONFIG=$T/model.conf boot "mac=$M5&platform=efi&manufacturer=HP&product=%24%7Bx%7D"
grep -q -- '--filename \\EFI\\Microsoft' "$T/body" && ! grep -q '\${x}' "$T/body"
ok $? "a hostile product chooses a model, and is never written"
fold_seen
CONFIG=$T/model.conf se3ipxe preview $M5 > "$T/pv" 2>&1
grep -q "model hp (line [0-9]*) matched manufacturer 'HP' product '.*': local_pcbios exit, local_efi chain \\\\EFI\\\\Microsoft\\\\Boot\\\\bootmgfw.efi" "$T/pv"
ok $? "preview: which model matched, from the last boot"
CONFIG=$T/model.conf se3ipxe preview $M4 > "$T/pv" 2>&1
grep -q "model: none of 2 matched" "$T/pv"; ok $? "preview: no model matched, said"

# --- confirmation ------------------------------------------------------------------
before=$(sqlite3 "$DB" .dump | md5sum)
se3ipxe set-action $M1 $M2 $M3 fakeinstall:install < /dev/null > "$T/out" 2> "$T/err"
is "$?" 1 "no terminal, no --yes: exit 1"
is "$(cat "$T/err")" "se3-ipxe: set-action: fakeinstall:install is destructive: it would erase the disks of 3 machines; nothing done without --yes (no terminal to ask)" \
    "no terminal: one line saying how many and what to do"
is "$(sqlite3 "$DB" .dump | md5sum)" "$before" "no terminal: nothing written"
se3ipxe set-action --yes --uuid $U1 $M1 $M2 fakeinstall:install > /dev/null 2> "$T/err"
is "$?" 1 "--uuid with two machines: exit 1"
grep -q "only for a destructive action on one machine" "$T/err"; ok $? "--uuid with two machines: said"
se3ipxe set-action --yes --uuid 00000000-0000-0000-0000-000000000000 $M1 fakeinstall:install > /dev/null 2> "$T/err"
is "$?" 1 "--uuid placeholder: exit 1"
grep -q "not an SMBIOS UUID that names one machine" "$T/err"; ok $? "--uuid placeholder: said"
se3ipxe set-action --uuid $U1 $M4 memtest:run > /dev/null 2> "$T/err"
is "$?" 1 "--uuid on a capability that is not destructive: exit 1"
is "$(sqlite3 "$DB" .dump | md5sum)" "$before" "refused options: nothing written"

# On a terminal (script(1) gives one): "yes" goes on, anything else does not.
if command -v script > /dev/null 2>&1; then
	CMD="$TOP/cli/se3-ipxe -c $T/se3-ipxe.conf set-action $M1 $M2 fakeinstall:install"
	printf 'no\n' | script -qec "$CMD" /dev/null > "$T/tty" 2>&1
	grep -q "This will ERASE the disks of 2 machines ($M1, $M2) with fakeinstall:install. Type yes:" "$T/tty"
	ok $? "terminal: asks, naming how many and which"
	grep -q "not confirmed: nothing done" "$T/tty"; ok $? "terminal, 'no': not confirmed"
	is "$(sqlite3 "$DB" .dump | md5sum)" "$before" "terminal, 'no': nothing written"
	printf 'yes\n' | script -qec "$CMD" /dev/null > "$T/tty" 2>&1
	grep -q "$M2 fakeinstall:install pending" "$T/tty"; ok $? "terminal, 'yes': set"
	is "$(sqlite3 "$DB" "SELECT count(*) FROM actions WHERE name = 'fakeinstall:install' AND state = 'pending'")" 2 \
	    "terminal, 'yes': both machines"
else
	for i in 1 2 3 4 5; do skip "no script(1)"; done
fi

done_testing
