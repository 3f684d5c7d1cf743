#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A worker's inventory: sent with its report's done (token-bound, checked), stored per machine, shown by status --json, replaced by the next; the worker's job sends it.
. t/lib/tap.sh
. t/lib/cli.sh

CONF=$T/se3-ipxe.conf
cli_config "$CONF" "$TOP/modules"
db_create
M=52:54:00:00:67:01
N=52:54:00:00:67:02
db=$T/db/se3-ipxe.db
rows() { sqlite3 "$db" "SELECT count(*) FROM inventories"; }
# inventory_of MAC: status --json's inventory of MAC as a Python value.
inventory_of() {
	run status --json "$1"
	python3 -c 'import json, sys
v = json.load(sys.stdin)[0]["inventory"]
print(ascii(v if v is None else (v["action"], v["at"] > 0, v["text"])))' < "$T/out"
}

run set-action "$M" worker:report
cgi_boot "mac=$M&platform=pcbios"
tok=$(token_of "$M")
is "$(inventory_of "$M")" "None" "status --json: inventory null before any report"

# Refused, and nothing stored nor changed.
CONFIG=$CONF cgi POST /report "" "token=$tok&status=running&progress=10&inventory=disks%3A%20sda"
is "$status" 400 "an inventory with status running: 400"
grep -q "inventory comes only with status done" "$T/err"
ok $? "... saying so"
CONFIG=$CONF cgi POST /report "" "token=$tok&status=done&inventory=a%1Bb"
is "$status" 400 "an inventory with an escape character: 400"
grep -q "inventory: contains a control character (U+001B at byte 2)" "$T/err"
ok $? "... naming the character and where"
CONFIG=$CONF cgi POST /report "" "token=$tok&status=done&inventory=a%FFb"
is "$status" 400 "an inventory not UTF-8: 400"
big=$(head -c 4097 /dev/zero | tr '\0' x)
CONFIG=$CONF cgi POST /report "" "token=$tok&status=done&inventory=$big"
is "$status" 400 "an inventory of 4097 bytes: 400"
grep -q "inventory: value too long" "$T/err"
ok $? "... saying it is too long"
CONFIG=$CONF cgi POST /report "" "token=0123456789abcdef0123456789abcdef0123456789abcdef&status=done&inventory=x"
is "$status" 403 "an inventory with an unknown token: 403"
is "$(rows)" 0 "... none stored"
is "$(state_of "$M")" "booting 1" "... the action unchanged"

# Lines, UTF-8, '+' kept: stored as sent, with the action that sent it.
inv='disks%3A%20sda%3A64M%3Ados(sda1%3Aext4%3A32M)%0Atable%3A%20%2Fdev%2Fsda1%20%3A%20start%3D2048%0Acpu%3A%201x%20%C3%A9t%C3%A9+1'
CONFIG=$CONF cgi POST /report "" "token=$tok&status=done&progress=100&msg=ok&inventory=$inv"
is "$status" 200 "done with an inventory: 200"
is "$(state_of "$M")" "done 1" "... the action done"
is "$(inventory_of "$M")" "('worker:report', True, 'disks: sda:64M:dos(sda1:ext4:32M)\\ntable: /dev/sda1 : start=2048\\ncpu: 1x \\xe9t\\xe9+1')" \
    "status --json: the inventory as sent, by worker:report"
is "$(inventory_of "$N")" "None" "status --json: another machine has none"

# The largest a form takes: 4096 bytes, each percent-encoded.
run set-action "$M" worker:report
cgi_boot "mac=$M&platform=pcbios"
tok=$(token_of "$M")
big=$(head -c 4096 /dev/zero | tr '\0' ' ' | sed 's/ /%20/g')
CONFIG=$CONF cgi POST /report "" "token=$tok&status=done&inventory=$big"
is "$status" 200 "an inventory of 4096 bytes, 12 KiB encoded: 200"
is "$(rows)" 1 "... one row a machine"
is "$(sqlite3 "$db" "SELECT length(inventory) || ' ' || action_id FROM inventories WHERE mac = '$M'")" \
    "4096 2" "... replaced by the newer action's"

# The job the worker fetches sends it, in a form (a URL would be too long).
run set-action "$M" worker:report
cgi_boot "mac=$M&platform=pcbios"
tok=$(token_of "$M")
CONFIG=$CONF cgi GET /file/report.sh "token=$tok"
is "$status" 200 "the worker's job report.sh served with the token"
sh -n "$T/body"
ok $? "... a valid shell script"
grep -q -- '--data-binary @/tmp/inventory.form' "$T/body"
ok $? "... which posts its inventory"
# Its encoding, as the worker's busybox runs it: every byte, '+' and blanks kept.
printf 'disks: a+b c\ttable: x=1\n' > "$T/inv"
enc=$(sed -n "/^	od -An -v -tx1/s|/tmp/inventory|$T/inv|p" "$T/body")
is "$(eval "$enc")" "%64%69%73%6b%73%3a%20%61%2b%62%20%63%09%74%61%62%6c%65%3a%20%78%3d%31%0a" \
    "... each byte percent-encoded"
done_testing
