#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# TARGETs from SE3's directory: a private slapd with an SE3-shaped tree, parcs, names, IPs, hostile values, a server down or mute.
. t/lib/tap.sh
. t/lib/cli.sh
. t/lib/slapd.sh

if slapd_missing; then
	echo "1..0 # SKIP slapd, slapadd or ldapsearch not installed (slapd, ldap-utils)"
	exit 0
fi

unset SE3_IPXE_CONFIG SUDO_USER LDAPURI LDAPBASE LDAPBINDDN
TZ=UTC
# No /etc/ldap/ldap.conf nor ~/.ldaprc: the test's settings only.
LDAPNOINIT=1
export TZ LDAPNOINIT
trap 'slapd_stop; rm -rf "$T"' EXIT

NM=1040		# machines pc-0000..pc-1039
NP=32		# parcs salle-01..salle-32
slapd_start "$T/slapd" $NM $NP
ok $? "a private slapd with $NM machines in $NP parcs answers on $SLAPD_URI"

CONF=$T/se3-ipxe.conf
cli_config "$CONF" "$TOP/modules"
slapd_conf >> "$CONF"
MACONLY=$T/maconly.conf
cli_config "$MACONLY" "$TOP/modules"
se3ipxe init > /dev/null

# ms: milliseconds since the epoch.
ms() {
	date +%s%3N
}

# actions: the MACs with an action, sorted.
actions() {
	sqlite3 "$DB" "SELECT mac FROM actions ORDER BY mac"
}

# --- a parc, exactly its machines ------------------------------------------
p=5
for i in $(seq $((p - 1)) $NP $((NM - 1))); do
	slapd_mac "$i"
	echo
done | sort > "$T/want"
run set-action parc:salle-05 memtest:run
is "$rc" 0 "set-action parc:salle-05: exit 0"
actions > "$T/got"
is "$(wc -l < "$T/got")" "$(wc -l < "$T/want")" \
    "set-action parc:salle-05: $(wc -l < "$T/want") machines, the printer and the member that does not exist skipped"
cmp -s "$T/got" "$T/want"
ok $? "set-action parc:salle-05: exactly that parc's machines"
is "$(wc -l < "$T/out")" "$(wc -l < "$T/want")" "set-action parc:salle-05: one line per machine"
run status parc:salle-05
head -n 1 "$T/out" | grep -q '^MAC  *NAME  *IP  *PARCS  *ACTION  *STATE '
ok $? "status with [ldap]: NAME, IP and PARCS columns"
grep -q "^$(slapd_mac 4)  *pc-0004  *10\.1\.0\.4  *salle-05  *memtest:run  *pending  *0/1  *-  *set [0-9]*s ago " "$T/out"
ok $? "status parc:salle-05: pc-0004, its IP and parc from LDAP, the last event set"
run status --json "$(slapd_mac 40)"
python3 -c 'import json, sys
d = json.load(sys.stdin)[0]
sys.exit(not (d["name"] == "pc-0040" and sorted(d["parcs"]) == ["profs", "salle-09"] and d["ip"] == "10.1.0.40"))' < "$T/out"
ok $? "status --json: name, both parcs of pc-0040 and its IP from LDAP"
run cancel parc:salle-05
is "$rc" 0 "cancel parc:salle-05: exit 0"
is "$(sqlite3 "$DB" "SELECT count(*) FROM actions WHERE state = 'cancelled'")" \
    "$(wc -l < "$T/want")" "cancel parc:salle-05: every one of them cancelled"

# --- names, IPs, MACs, several at once, each machine once ------------------
sqlite3 "$DB" "DELETE FROM history; DELETE FROM action_options; DELETE FROM actions" 2>/dev/null ||
    sqlite3 "$DB" "DELETE FROM history; DELETE FROM actions"
run set-action pc-0001 10.1.0.2 02:00:00:00:00:03 pc-0003 parc:profs memtest:run
is "$rc" 0 "set-action NAME IP MAC NAME parc: exit 0"
{
	slapd_mac 1; echo
	slapd_mac 2; echo
	slapd_mac 3; echo
	for i in $(seq 0 10 $((NM - 1))); do slapd_mac "$i"; echo; done
} | sort -u > "$T/want"
actions > "$T/got"
cmp -s "$T/got" "$T/want"
ok $? "a name, an IP, a MAC, the same machine by name, a parc: each machine once ($(wc -l < "$T/want"))"

# --- all or nothing ----------------------------------------------------------
before=$(nrows actions)
run set-action pc-0007 no-such-pc 10.1.0.8 memtest:run
is "$rc" 1 "an unknown name: exit 1"
one_line_naming "'no-such-pc'"
ok $? "an unknown name: one line naming it: $(cat "$T/err")"
is "$(nrows actions)" "$before" "an unknown name: nothing set, not even the others"
run set-action pc-0007 parc:no-such-parc memtest:run
one_line_naming "'parc:no-such-parc': no such parc"
ok $? "an unknown parc: one line naming it"
run set-action 10.9.9.9 memtest:run
one_line_naming "'10.9.9.9': no machine with this IP address"
ok $? "an unknown IP address: one line naming it"
run set-action 'pc-0001$' memtest:run
is "$rc" 1 "a Samba machine account (uid=pc-0001\$) is not a machine"
run set-action parc:hostile memtest:run
is "$rc" 1 "a parc with a machine without a MAC: exit 1"
one_line_naming "machine nomac-1 has no MAC address in LDAP"
ok $? "a machine without a MAC: named: $(cat "$T/err")"
run set-action nomac-1 memtest:run
one_line_naming "'nomac-1': machine nomac-1 has no MAC address"
ok $? "a machine without a MAC, by name: named"
run set-action parc:badmacs memtest:run
is "$rc" 1 "MACs that are a newline and a command, \${...}, spaces, 10 kB: no MAC"
is "$(wc -l < "$T/err")" 1 "... and the error is one line"
is "$(nrows actions)" "$before" "after every refusal, nothing set"
run set-action '*' memtest:run
is "$rc" 1 "a filter metacharacter in a name is a name, escaped: no machine"
run set-action 'pc-000*' memtest:run
is "$rc" 1 "pc-000* matches nothing (RFC 4515 escaping)"
run cancel 'x)(cn=*'
is "$rc" 1 "an injected filter matches nothing"

# --- SE3's MAC spellings ------------------------------------------------------
run machines --json pc-0000 pc-0001 pc-0002 pc-0003
is "$rc" 0 "machines --json: exit 0"
valid_json "$T/out"
ok $? "machines --json: valid JSON"
is "$(grep -o '"mac":"[^"]*"' "$T/out" | tr '\n' ' ')" \
    '"mac":"02:00:00:00:00:00" "mac":"02:00:00:00:00:01" "mac":"02:00:00:00:00:02" "mac":"02:00:00:00:00:03" ' \
    "MACs written 02:00:00:00:00:00, 02-00-..., 02000000..., 2:0:0:0:0:3: all read"

# --- machines ------------------------------------------------------------------
run machines
is "$rc" 0 "machines: exit 0"
is "$(($(wc -l < "$T/out") - 1))" "$((NM + 7))" "machines: every machine ($NM + 7 hostile), no Samba account, no printer"
run machines pc-0010
grep -q '^pc-0010  *02:00:00:00:00:0a  *10\.1\.0\.10  *profs,salle-11 ' "$T/out"
ok $? "machines pc-0010: name, MAC, IP, its two parcs"
# A persistent action never finishes by itself: machines says why.
run set-action pc-0010 ltsp:boot
run machines pc-0010
grep -q ' ltsp:boot pending, persistent$' "$T/out"
ok $? "machines: a persistent action says so"
run machines --json pc-0010
grep -q '"action":{"name":"ltsp:boot","state":"pending","completion":"persistent",' "$T/out"
ok $? "machines --json: its completion"
run cancel pc-0010
sqlite3 "$DB" "INSERT INTO inventories VALUES ('02:00:00:00:00:0a', 7, 3, 'worker:report', 'disks: sda:64M')"
run machines --json pc-0010 pc-0011
is "$(grep -o '"inventory":[^}]*}*' "$T/out" | tr '\n' ' ')" \
    '"inventory":{"action":"worker:report","action_id":3,"at":7,"text":"disks: sda:64M"}} "inventory":null} ' \
    "machines --json: the inventory a worker sent, or null"
run machines parc:salle-01
is "$(($(wc -l < "$T/out") - 1))" 33 "machines parc:salle-01: its 33 machines"
run machines no-such-pc
is "$rc" 1 "machines NAME unknown: exit 1"
one_line_naming "'no-such-pc'"
ok $? "machines NAME unknown: named"

# A boot seen, and a boot of a MAC SE3 does not know.
cgi_boot "mac=$(slapd_mac 10)&platform=efi"
cgi_boot "mac=0e:00:00:00:00:01&platform=pcbios"
fold_seen
run machines pc-0010
grep -q '^pc-0010 .* efi ' "$T/out"
ok $? "machines: the platform seen at its boot"
run machines --unknown
is "$rc" 0 "machines --unknown: exit 0"
is "$(tail -n +2 "$T/out" | awk '{ print $2 }')" "0e:00:00:00:00:01" \
    "machines --unknown: the MAC that booted and is in no LDAP entry, alone"

# --- hostile values -----------------------------------------------------------
run machines parc:hostile
is "$rc" 0 "machines parc:hostile: exit 0"
grep -q '^evil\\x0areboot ' "$T/out"
ok $? "a newline in a name is shown as \\x0a"
grep -q '^dollar\\x20\\x24\\x7bboot\\x7d ' "$T/out"
ok $? "\${...} and spaces in a name are shown escaped"
! grep -q '^reboot\|\${' "$T/out"
ok $? "nothing hostile printed raw"
run machines --json parc:hostile parc:badmacs
valid_json "$T/out"
ok $? "machines --json with hostile values: valid JSON"
! grep -q '\${\|AAAAAAAAAA' "$T/out"
ok $? "machines --json: no \${...}, no 10 kB value"
run machines parc:badmacs
awk 'length > 200 { bad = 1 } END { exit bad }' "$T/out"
ok $? "a 10 kB value is not printed"
run set-action 10.200.0.1 10.200.0.2 memtest:run
is "$rc" 0 "the machines with hostile names, by IP: set"
for a in 10.200.0.1 10.200.0.2; do
	run preview "$a"
	! grep -q 'reboot\|boot}\|evil\|dollar' "$T/out"
	ok $? "preview $a: the served script holds nothing of its LDAP entry"
done

# --- a bind DN with its password file -------------------------------------------
printf '%s\n' "$LDAP_ROOTPW" > "$T/pw"
chmod 644 "$T/pw"
cp "$CONF" "$T/bind.conf"
cat >> "$T/bind.conf" <<-EOC
bind_dn = $LDAP_ROOTDN
bind_password_file = $T/pw
EOC
"$SIP" -c "$T/bind.conf" set-action pc-0100 memtest:run > "$T/out" 2> "$T/err"
is "$?" 1 "a password file others may read: refused"
one_line_naming "$T/pw: mode 0644"
ok $? "... naming it: $(cat "$T/err")"
"$SIP" -c "$T/bind.conf" set-action 02:00:00:00:01:00 memtest:run > "$T/out" 2> "$T/err"
is "$?" 0 "... MAC targets do not need it"
chmod 600 "$T/pw"
"$SIP" -c "$T/bind.conf" set-action pc-0101 memtest:run > "$T/out" 2> "$T/err"
is "$?" 0 "bind as $LDAP_ROOTDN with a mode 0600 password file"
printf 'wrong\n' > "$T/pw"
"$SIP" -c "$T/bind.conf" set-action pc-0102 memtest:run > "$T/out" 2> "$T/err"
is "$?" 1 "a wrong password: exit 1"
one_line_naming "$SLAPD_URI: bind: Invalid credentials"
ok $? "a wrong password: one line naming the server: $(cat "$T/err")"

# --- StartTLS asked of a server that has no TLS ---------------------------------
sed 's/^timeout = 2$/timeout = 2\nstarttls = yes/' "$CONF" > "$T/tls.conf"
"$SIP" -c "$T/tls.conf" set-action pc-0100 memtest:run > "$T/out" 2> "$T/err"
is "$?" 1 "starttls = yes, and the server cannot: exit 1, never in clear text"
one_line_naming "LDAP $SLAPD_URI: StartTLS: "
ok $? "... one line naming the server: $(cat "$T/err")"

# --- no LDAP configured: MACs only ---------------------------------------------------
"$SIP" -c "$MACONLY" set-action pc-0001 memtest:run > "$T/out" 2> "$T/err"
is "$?" 1 "without [ldap]: a name is an error"
one_line_naming "'pc-0001': not a MAC address (and no [ldap] uri"
ok $? "without [ldap]: says so"

# --- a slapd that accepts and never answers ---------------------------------------------
kill -STOP "$SLAPD_PID"
t0=$(ms)
run set-action pc-0200 memtest:run
t1=$(ms)
is "$rc" 1 "slapd stopped (SIGSTOP): exit 1"
one_line_naming "LDAP $SLAPD_URI: "
ok $? "slapd stopped: one line naming the URI: $(cat "$T/err")"
el=$((t1 - t0))
[ "$el" -ge 1500 ] && [ "$el" -le 6000 ]
ok $? "slapd stopped: the error within the 2 s timeout (${el} ms, 1500..6000 allowed)"
t0=$(ms)
run set-action 02:00:00:00:02:01 memtest:run
t1=$(ms)
is "$rc" 0 "slapd stopped: a MAC target still works"
[ $((t1 - t0)) -lt 1500 ]
ok $? "slapd stopped: a MAC target never waits for it ($((t1 - t0)) ms)"
kill -CONT "$SLAPD_PID"

# --- slapd gone ---------------------------------------------------------------------------
slapd_stop
t0=$(ms)
run set-action pc-0300 memtest:run
t1=$(ms)
is "$rc" 1 "slapd gone: exit 1"
one_line_naming "LDAP $SLAPD_URI: anonymous bind: Can't contact LDAP server"
ok $? "slapd gone: one line naming the URI: $(cat "$T/err")"
[ $((t1 - t0)) -le 3000 ]
ok $? "slapd gone: said at once ($((t1 - t0)) ms)"
run machines
is "$rc" 1 "slapd gone: machines fails, one line"
run set-action 02:00:00:00:03:01 memtest:run
is "$rc" 0 "slapd gone: a MAC target still works"

done_testing
