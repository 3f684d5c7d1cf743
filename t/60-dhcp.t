#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# se3-ipxe dhcp-config: both formats from the real command, accepted by dhcpd -t and dnsmasq --test, the iPXE URL being ipxe.cgi(8)'s.
#
# Only syntax checks: no DHCP server is started, none listens anywhere.
. t/lib/tap.sh
. t/lib/cli.sh

unset SE3_IPXE_CONFIG SUDO_USER
PATH=$PATH:/usr/sbin:/sbin
export PATH
DHCPD=${DHCPD:-$(command -v dhcpd || :)}
DNSMASQ=${DNSMASQ:-$(command -v dnsmasq || :)}

CGI=http://10.0.2.2:909/cgi-bin/ipxe.cgi
# The query of the boot answer: the line of ipxe.cgi(8), checked below.
QUERY='?mac=${mac}&platform=${platform}&buildarch=${buildarch}&uuid=${uuid}&serial=${serial:uristring}&manufacturer=${manufacturer:uristring}&product=${product:uristring}&ip=${ip}'
CONF=$T/se3-ipxe.conf
mkdir -p "$T/db"
cat > "$CONF" <<EOF
[database]
path = $DB
[server]
cgi_url = $CGI
[dhcp]
tftp_server = 10.0.2.2
EOF
# The same without tftp_server.
CONF_NT=$T/no-tftp.conf
printf '[server]\ncgi_url = %s\n' "$CGI" > "$CONF_NT"

# gen NAME CONF ARGS...: dhcp-config into $T/NAME, stderr in $T/NAME.err,
# the exit status in $rc.
gen() {
	name=$1 conf=$2
	shift 2
	"$SIP" -c "$conf" dhcp-config "$@" < /dev/null > "$T/$name" \
	    2> "$T/$name.err"
	rc=$?
}

# comment FILE: FILE as TAP comments, to see what a daemon said.
comment() {
	sed 's/^/#   /' "$1"
}

# isc_full SNIPPET OUT: a minimal complete dhcpd.conf around the snippet.
isc_full() {
	{
		cat "$1"
		echo 'subnet 10.0.2.0 netmask 255.255.255.0 {'
		echo '}'
	} > "$2"
}

# dhcpd_test FILE DESCRIPTION: dhcpd -t -cf FILE exits 0.
dhcpd_test() {
	if [ -z "$DHCPD" ]; then
		skip "dhcpd not installed (apt-get install isc-dhcp-server): $2"
		return
	fi
	"$DHCPD" -t -cf "$1" < /dev/null > "$T/dhcpd.out" 2>&1
	st=$?
	echo "# dhcpd -t -cf $(basename "$1"): exit $st"
	comment "$T/dhcpd.out"
	is "$st" 0 "$2"
}

# dnsmasq_test FILE DESCRIPTION: dnsmasq --test says the syntax is OK.
dnsmasq_test() {
	if [ -z "$DNSMASQ" ]; then
		skip "dnsmasq not installed (apt-get install dnsmasq-base): $2"
		return
	fi
	"$DNSMASQ" --test --conf-file="$1" < /dev/null > "$T/dnsmasq.out" 2>&1
	st=$?
	echo "# dnsmasq --test --conf-file=$(basename "$1"): exit $st"
	comment "$T/dnsmasq.out"
	[ "$st" -eq 0 ] && grep -q 'syntax check OK' "$T/dnsmasq.out"
	ok $? "$2"
}

# --- usage -----------------------------------------------------------------
want=$(man_synopsis | grep '^se3-ipxe dhcp-config')
is "$("$SIP" dhcp-config --help | sed '1!d; s/^usage://' | normalise)" "$want" \
    "dhcp-config --help is its line of the SYNOPSIS of se3-ipxe.8"
is "$want" "se3-ipxe dhcp-config [--format isc|dnsmasq] [--legacy]" \
    "... which is [--format isc|dnsmasq] [--legacy]"

# --- ISC dhcpd ---------------------------------------------------------------
gen isc "$CONF"
is "$rc" 0 "isc: exit 0"
is "$(cat "$T/isc.err")" "" "isc: nothing on stderr"
grep -q '^option arch code 93 = unsigned integer 16;$' "$T/isc"
ok $? "isc: defines option arch, code 93"
is "$(grep -c '^next-server 10\.0\.2\.2;$' "$T/isc")" 1 "isc: next-server"
grep -q '^	filename "undionly\.kpxe";$' "$T/isc" &&
    grep -q '^	filename "ipxe\.efi";$' "$T/isc" &&
    ! grep -q pxelinux "$T/isc"
ok $? "isc: undionly.kpxe and ipxe.efi, no pxelinux.0"
line=$(grep '^	option bootfile-name "' "$T/isc")
is "$line" "	option bootfile-name \"$CGI$QUERY\";" \
    "isc: the iPXE branch gets cgi_url and exactly the boot query"
is "$(sed -n '/^if exists user-class/,/^} elsif/p' "$T/isc" |
    grep -c '^[[:space:]]*filename')" 0 \
    "isc: no filename statement in the iPXE branch (iPXE would prefer it)"
isc_full "$T/isc" "$T/dhcpd.conf"
dhcpd_test "$T/dhcpd.conf" "isc: dhcpd -t accepts it in a complete dhcpd.conf"

gen isc-legacy "$CONF" --legacy
is "$rc" 0 "isc --legacy: exit 0"
grep -q '^	filename "pxelinux\.0";$' "$T/isc-legacy" &&
    grep -q '^	filename "ipxe\.efi";$' "$T/isc-legacy" &&
    ! grep -q undionly "$T/isc-legacy"
ok $? "isc --legacy: pxelinux.0 for BIOS, ipxe.efi for UEFI"
is "$(grep '^	option bootfile-name "' "$T/isc-legacy")" "$line" \
    "isc --legacy: the same iPXE branch"
isc_full "$T/isc-legacy" "$T/dhcpd-legacy.conf"
dhcpd_test "$T/dhcpd-legacy.conf" "isc --legacy: dhcpd -t accepts it"

gen isc-nt "$CONF_NT" --format isc
is "$rc" 0 "isc without tftp_server: exit 0"
! grep -q '^next-server' "$T/isc-nt"
ok $? "isc without tftp_server: no next-server"
isc_full "$T/isc-nt" "$T/dhcpd-nt.conf"
dhcpd_test "$T/dhcpd-nt.conf" "isc without tftp_server: dhcpd -t accepts it"

# Included at the top level of a dhcpd.conf as se3-dhcp's makedhcpdconf
# writes it (dhcp_extra_option), after its own next-server.
cat > "$T/dhcpd-se3.conf" <<EOF
allow booting;
allow bootp;
authoritative;
option domain-name "se3.lan";
next-server  10.0.2.2;
include "$T/isc-legacy";
option routers 10.0.2.1;

subnet 10.0.2.0 netmask 255.255.255.0 {
range 10.0.2.100 10.0.2.200;
}

host poste1
{
	hardware ethernet 52:54:00:12:34:56 ;
	fixed-address 10.0.2.15 ;
}
EOF
dhcpd_test "$T/dhcpd-se3.conf" \
    "isc --legacy: dhcpd -t accepts it included in an se3-dhcp dhcpd.conf"

# The check above can fail: a snippet with an undefined option does.
if [ -n "$DHCPD" ]; then
	sed 's/option arch = 00:07/option client-arch = 00:07/' "$T/dhcpd.conf" \
	    > "$T/dhcpd-bad.conf"
	"$DHCPD" -t -cf "$T/dhcpd-bad.conf" < /dev/null > "$T/dhcpd.out" 2>&1
	st=$?
	[ "$st" -ne 0 ] && grep -q 'no option named client-arch' "$T/dhcpd.out"
	ok $? "control: dhcpd -t refuses an undefined option (exit $st)"
else
	skip "dhcpd not installed: control"
fi

# --- dnsmasq -----------------------------------------------------------------
gen dnsmasq "$CONF" --format dnsmasq
is "$rc" 0 "dnsmasq: exit 0"
is "$(cat "$T/dnsmasq.err")" "" "dnsmasq: nothing on stderr"
grep -q '^dhcp-match=set:se3-ipxe,175$' "$T/dnsmasq" &&
    grep -q '^dhcp-userclass=set:se3-ipxe,iPXE$' "$T/dnsmasq" &&
    grep -q '^dhcp-match=set:se3-efi64,option:client-arch,7$' "$T/dnsmasq" &&
    grep -q '^dhcp-match=set:se3-efi64,option:client-arch,9$' "$T/dnsmasq"
ok $? "dnsmasq: tags for iPXE (175, user class) and UEFI x86-64 (7, 9)"
line=$(grep '^dhcp-boot=tag:se3-ipxe,' "$T/dnsmasq")
is "$line" "dhcp-boot=tag:se3-ipxe,$CGI$QUERY" \
    "dnsmasq: the iPXE line gets cgi_url and exactly the boot query"
grep -q '^dhcp-boot=tag:!se3-ipxe,tag:se3-efi64,ipxe\.efi,,10\.0\.2\.2$' \
    "$T/dnsmasq" &&
    grep -q '^dhcp-boot=tag:!se3-ipxe,tag:!se3-efi64,undionly\.kpxe,,10\.0\.2\.2$' \
    "$T/dnsmasq"
ok $? "dnsmasq: ipxe.efi and undionly.kpxe from the TFTP server"
is "$(grep -c '^dhcp-boot=' "$T/dnsmasq")" 3 "dnsmasq: three dhcp-boot lines"
dnsmasq_test "$T/dnsmasq" "dnsmasq: dnsmasq --test says syntax check OK"

gen dnsmasq-legacy "$CONF_NT" --legacy --format dnsmasq
is "$rc" 0 "dnsmasq --legacy without tftp_server: exit 0"
grep -q '^dhcp-boot=tag:!se3-ipxe,tag:!se3-efi64,pxelinux\.0$' \
    "$T/dnsmasq-legacy" && ! grep -q undionly "$T/dnsmasq-legacy"
ok $? "dnsmasq --legacy: pxelinux.0, no server address"
dnsmasq_test "$T/dnsmasq-legacy" \
    "dnsmasq --legacy without tftp_server: dnsmasq --test says syntax check OK"

if [ -n "$DNSMASQ" ]; then
	sed 's/^dhcp-match=/dhcp-macth=/' "$T/dnsmasq" > "$T/dnsmasq-bad"
	"$DNSMASQ" --test --conf-file="$T/dnsmasq-bad" < /dev/null \
	    > "$T/dnsmasq.out" 2>&1
	st=$?
	[ "$st" -ne 0 ]
	ok $? "control: dnsmasq --test refuses a misspelt option (exit $st)"
else
	skip "dnsmasq not installed: control"
fi

# --- the URL is the one of ipxe.cgi(8) ---------------------------------------
manq=$(sed -n 's/^chain http:[^?]*\(?.*\)$/\1/p' "$TOP/man/ipxe.cgi.8")
is "$manq" "$QUERY" "the boot query is the chain line of ipxe.cgi(8)"
manb=$(sed -n 's/^ *option bootfile-name "http:[^?]*\(?[^"]*\)";$/\1/p' \
    "$TOP/man/ipxe.cgi.8")
is "$manb" "$QUERY" "... and the bootfile-name of its dhcpd.conf example"

# --- errors ------------------------------------------------------------------
printf '[dhcp]\ntftp_server = 10.0.2.2\n' > "$T/no-cgi.conf"
gen err "$T/no-cgi.conf"
is "$rc" 1 "no cgi_url: exit 1"
is "$(wc -c < "$T/err" | tr -d ' ')" 0 "no cgi_url: nothing on stdout"
is "$(cat "$T/err.err")" "se3-ipxe: dhcp-config: [server] cgi_url is empty: set it to the absolute http:// URL of ipxe.cgi (a DHCP server cannot derive it from a request)" \
    "no cgi_url: one line saying to set it"
gen err "$CONF" --format dhcpd
is "$rc" 1 "--format dhcpd: exit 1"
is "$(cat "$T/err.err")" "se3-ipxe: dhcp-config: --format: 'dhcpd': not isc or dnsmasq" \
    "--format dhcpd: named"
gen err "$CONF" --format
is "$rc" 2 "--format without a value: exit 2"
gen err "$CONF" --frobnicate
is "$rc" 2 "unknown option: exit 2"
gen err "$CONF" isc
is "$rc" 2 "an argument: exit 2"
printf '[server]\ncgi_url = %s\n[dhcp]\nbios_file = ../undionly.kpxe\n' \
    "$CGI" > "$T/bad.conf"
gen err "$T/bad.conf"
is "$rc" 1 "bios_file ../undionly.kpxe: exit 1"
[ "$(wc -l < "$T/err.err")" -eq 1 ] &&
    grep -q "bad.conf:4: \[dhcp\] bios_file: '\.\./undionly\.kpxe' is not a boot file name" \
    "$T/err.err"
ok $? "bios_file ../undionly.kpxe: one line with file, line and key"
printf '[server]\ncgi_url = %s\n[dhcp]\ntftp_server = se3.lan\n' \
    "$CGI" > "$T/bad.conf"
gen err "$T/bad.conf"
is "$rc" 1 "tftp_server se3.lan: exit 1"
grep -q "bad.conf:4: \[dhcp\] tftp_server: 'se3.lan' is not an IPv4 address" \
    "$T/err.err"
ok $? "tftp_server se3.lan: named"
printf '[server]\ncgi_url = http://se3/cgi-bin/ipxe.cgi,x\n' > "$T/bad.conf"
gen err "$T/bad.conf" --format dnsmasq
is "$rc" 1 "dnsmasq, a comma in cgi_url: exit 1"
grep -q "has a comma, which a dnsmasq dhcp-boot line cannot hold" "$T/err.err"
ok $? "dnsmasq, a comma in cgi_url: named"
[ ! -e "$DB" ]
ok $? "dhcp-config never creates the database"

done_testing
