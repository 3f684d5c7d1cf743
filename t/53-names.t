#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The machine's name in SE3's directory becomes the installed system's: set-action records it as a host name label, ipxe.cgi renders it into the preseed, the user-data, the meta-data and Windows' answer file; a hostile name is refused with a warning and the MAC's name used.
. t/lib/tap.sh
. t/lib/cli.sh
. t/lib/slapd.sh

if slapd_missing; then
	echo "1..0 # SKIP slapd, slapadd or ldapsearch not installed (slapd, ldap-utils)"
	exit 0
fi

unset SE3_IPXE_CONFIG SUDO_USER LDAPURI LDAPBASE LDAPBINDDN
LDAPNOINIT=1
export LDAPNOINIT
trap 'slapd_stop; rm -rf "$T"' EXIT

slapd_start "$T/slapd" 8 2
ok $? "a private slapd answers on $SLAPD_URI"
# Names an admin may have typed into SE3: upper case, longer than
# NetBIOS' 15, digits only, a dot (a name, not a label), 64 bytes.
long64=$(printf 'a%.0s' $(seq 64))
for e in "Salle-Info-Poste-12 10.9.0.1 02:00:00:00:fd:01" \
    "123456789012345678 10.9.0.2 02:00:00:00:fd:02" \
    "pc.salle 10.9.0.3 02:00:00:00:fd:03" \
    "$long64 10.9.0.4 02:00:00:00:fd:04"; do
	set -- $e
	printf 'dn: cn=%s,ou=Computers,%s\nobjectClass: ipHost\nobjectClass: ieee802Device\nobjectClass: organizationalRole\ncn: %s\nipHostNumber: %s\nmacAddress: %s\n\n' \
	    "$1" "$LDAP_BASE" "$1" "$2" "$3"
done > "$T/more.ldif"
ldapadd -x -H "$SLAPD_URI" -D "$LDAP_ROOTDN" -w "$LDAP_ROOTPW" -f "$T/more.ldif" > "$T/ldapadd.out" 2>&1
ok $? "four more machines added: $(grep -c '^adding' "$T/ldapadd.out")"

CONF=$T/se3-ipxe.conf
cli_config "$CONF" "$TOP/modules"
slapd_conf >> "$CONF"
printf '[secrets]\nfile = %s\n' "$T/secrets" >> "$CONF"
H6='$6$se3salt0123$gEokPe5cLAdVoiRF2/Pq.vPnIMH4vAt0zKXkHUXDMD4IGAJsEZjctI1GikY1ydvwy/0s8yS8ZuRmMcxAjZe9V1'
printf 'adminse3 = share\nwindows_admin = admin\nlinux_password = %s\nlinux_root = %s\n' "$H6" "$H6" > "$T/secrets"
chmod 600 "$T/secrets"
se3ipxe init > /dev/null

host_of() {	# host_of MAC: the name recorded in the MAC's latest action
	sqlite3 "$DB" "SELECT coalesce(host, 'NULL') FROM actions WHERE mac = '$1' ORDER BY id DESC LIMIT 1"
}

# files MAC: boot it, then fetch the linux:install files into $T/f.*
files() {
	token=$(token_of "$1")
	cgi_boot "mac=$1&platform=efi"
	cp "$T/body" "$T/f.ipxe"
	for f in preseed.cfg user-data meta-data; do
		CONFIG=$CONF cgi GET "/file/$f" "token=$token"
		cp "$T/body" "$T/f.$f"
	done
}

# --- a machine by its name: its cn is the host name ------------------------
M4=$(slapd_mac 4)
run set-action --yes pc-0004 linux:install
is "$rc" 0 "set-action --yes pc-0004 linux:install: exit 0"
! grep -q 'host name' "$T/err"
ok $? "pc-0004: no warning about its name"
is "$(host_of "$M4")" pc-0004 "pc-0004: actions.host recorded"
files "$M4"
grep -q ' hostname=pc-0004 ' "$T/f.ipxe"
ok $? "pc-0004: the installer's kernel line has hostname=pc-0004"
grep -qx 'd-i netcfg/get_hostname string pc-0004' "$T/f.preseed.cfg" &&
    grep -qx 'd-i netcfg/hostname string pc-0004' "$T/f.preseed.cfg"
ok $? "pc-0004: the preseed names it pc-0004"
grep -qx '    hostname: "pc-0004"' "$T/f.user-data"
ok $? "pc-0004: the user-data names it pc-0004"
grep -qx 'local-hostname: "pc-0004"' "$T/f.meta-data"
ok $? "pc-0004: the meta-data names it pc-0004"
run status --json "$M4"
grep -q '"host":"pc-0004"' "$T/out"
ok $? "status --json: the action's host"

# --- by its MAC: no name, the MAC's (today's behaviour) ------------------------
M5=$(slapd_mac 5)
run set-action --yes "$M5" linux:install
is "$(host_of "$M5")" NULL "a MAC target: no host recorded"
files "$M5"
grep -qx 'd-i netcfg/hostname string pc-020000000005' "$T/f.preseed.cfg"
ok $? "a MAC target: the preseed names it pc-020000000005"
run status --json "$M5"
grep -q '"host":null' "$T/out"
ok $? "status --json: host null"

# --- by its parc: each machine's own name ----------------------------------
run set-action --yes parc:salle-01 linux:install
is "$rc" 0 "set-action parc:salle-01: exit 0"
is "$(sqlite3 "$DB" "SELECT group_concat(host, ' ') FROM (SELECT host FROM actions WHERE state = 'pending' AND host LIKE 'pc-%' ORDER BY host)")" \
    "pc-0000 pc-0002 pc-0004 pc-0006" "parc:salle-01: each machine's cn recorded"

# --- upper case is lowered; Windows gets 15 bytes ---------------------------
run set-action --yes Salle-Info-Poste-12 linux:install
is "$(host_of 02:00:00:00:fd:01)" salle-info-poste-12 "Salle-Info-Poste-12: recorded lowercased"
files 02:00:00:00:fd:01
grep -qx 'd-i netcfg/hostname string salle-info-poste-12' "$T/f.preseed.cfg"
ok $? "Salle-Info-Poste-12: the preseed names it salle-info-poste-12"

# windows_xml MAC: boot windows:install, the answer file in $T/f.xml
windows_xml() {
	token=$(token_of "$1")
	cgi_boot "mac=$1&platform=pcbios"
	CONFIG=$CONF cgi GET /file/unattend-join-no.xml "token=$token"
	cp "$T/body" "$T/f.xml"
}
run set-action --yes Salle-Info-Poste-12 windows:install
is "$rc" 0 "set-action Salle-Info-Poste-12 windows:install: exit 0"
windows_xml 02:00:00:00:fd:01
grep -q '<ComputerName>salle-info-pose</ComputerName>' "$T/f.xml" ||
    grep -q '<ComputerName>salle-info-post</ComputerName>' "$T/f.xml"
ok $? "windows: ComputerName cut to 15 bytes: $(grep -o '<ComputerName>.*</ComputerName>' "$T/f.xml")"
xmllint --noout "$T/f.xml" 2> "$T/xmllint.err"
ok $? "windows: the answer file is well-formed XML"
run set-action --yes 123456789012345678 windows:install
windows_xml 02:00:00:00:fd:02
grep -q '<ComputerName>pc-02000000fd02</ComputerName>' "$T/f.xml"
ok $? "windows: a name of digits only once cut: the MAC's ($(grep -o '<ComputerName>.*</ComputerName>' "$T/f.xml"))"
run set-action --yes "$M5" windows:install
windows_xml "$M5"
grep -q '<ComputerName>pc-020000000005</ComputerName>' "$T/f.xml"
ok $? "windows: no name recorded: the MAC's"

# --- hostile names: refused, one warning line each, the MAC's name used ----
for t in "pc.salle:02:00:00:00:fd:03" "$long64:02:00:00:00:fd:04"; do
	name=${t%%:*} mac=${t#*:}
	run set-action --yes "$name" linux:install
	is "$rc" 0 "'$(printf %.12s "$name")...': set-action still sets the action"
	is "$(grep -c "$mac: machine name .* is no host name" "$T/err")" 1 \
	    "'$(printf %.12s "$name")...': one warning naming the machine: $(grep 'no host name' "$T/err" | cut -c1-100)"
	is "$(host_of "$mac")" NULL "'$(printf %.12s "$name")...': nothing recorded"
done
# By their IP addresses: parc:hostile also holds a machine without a MAC.
run set-action --yes 10.200.0.1 10.200.0.2 linux:install
is "$rc" 0 "hostile names: set-action exit 0"
is "$(grep -c 'machine name .* is no host name' "$T/err")" 2 \
    "hostile names: a warning for each of the two machines"
grep -q '02:00:00:00:fe:01: machine name .evil\\x0areboot. is no host name' "$T/err"
ok $? "hostile names: the newline shown escaped, on one line"
is "$(sqlite3 "$DB" "SELECT count(*) FROM actions WHERE mac IN ('02:00:00:00:fe:01', '02:00:00:00:fe:02') AND host IS NOT NULL")" 0 \
    "hostile names: no host recorded"
files 02:00:00:00:fe:02
grep -qx 'd-i netcfg/hostname string pc-02000000fe02' "$T/f.preseed.cfg"
ok $? "hostile names: dollar \${boot} is named pc-02000000fe02"
! grep -q 'dollar\|evil\|\${boot}' "$T/f.ipxe" "$T/f.preseed.cfg" "$T/f.user-data" "$T/f.meta-data"
ok $? "hostile names: no trace of the hostile names in the script and files"

# --- a host changed in the database behind our back: the boot survives ------
sqlite3 "$DB" "UPDATE actions SET host = 'a b;reboot' WHERE mac = '$M4' AND state IN ('pending','booting','running')"
cgi_boot "mac=$M4&platform=efi"
is "$status" 200 "a bad host in the database: 200"
is_local_script
ok $? "a bad host in the database: the local-boot script"
done_testing
