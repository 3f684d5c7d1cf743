# SPDX-License-Identifier: GPL-3.0-or-later
# A private slapd on a loopback port, loaded with a generated SE3-shaped directory, for the LDAP tests.

SLAPD=$(command -v slapd || ls /usr/sbin/slapd 2>/dev/null)
SLAPADD=$(command -v slapadd || ls /usr/sbin/slapadd 2>/dev/null)
LDAP_BASE=dc=se3,dc=test
LDAP_ROOTDN=cn=admin,$LDAP_BASE
LDAP_ROOTPW=secret

# slapd_missing: 0 (true) when the tests cannot have their slapd.
slapd_missing() {
	[ -z "$SLAPD" ] || [ -z "$SLAPADD" ] || ! command -v ldapsearch >/dev/null ||
	    [ ! -f /etc/ldap/schema/nis.schema ]
}

# free_port: a TCP port nobody listens on at 127.0.0.1, now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The MAC of machine I, 02:00:00:00:HH:LL, canonical.
slapd_mac() {
	printf '02:00:00:00:%02x:%02x' $(($1 / 256)) $(($1 % 256))
}

# slapd_tree FILE NMACHINES NPARCS: the directory, in LDIF.  Machine
# pc-NNNN is in parc salle-MM with MM = NNNN % NPARCS + 1, and in "profs"
# too when NNNN % 10 = 0; its MAC in one of SE3's four spellings by
# NNNN % 4.  Each parc has a printer and a member that does not exist.
# Parc "hostile" holds machines with hostile values.  People: admin (in
# both rights), prof1 (parc_can_clone), prof2 (no right).
slapd_tree() {
	awk -v n="$2" -v np="$3" -v base="$LDAP_BASE" '
	function mac(i, form,   h, l) {
		h = int(i / 256); l = i % 256
		if (form == 0) return sprintf("02:00:00:00:%02X:%02X", h, l)
		if (form == 1) return sprintf("02-00-00-00-%02x-%02x", h, l)
		if (form == 2) return sprintf("02000000%02X%02x", h, l)
		return sprintf("2:0:0:0:%x:%x", h, l)
	}
	BEGIN {
		printf "dn: %s\nobjectClass: dcObject\nobjectClass: organization\no: se3\ndc: se3\n\n", base
		split("Computers Parcs rights People Printers", ou, " ")
		for (k = 1; k <= 5; k++)
			printf "dn: ou=%s,%s\nobjectClass: organizationalUnit\nou: %s\n\n", ou[k], base, ou[k]
		printf "dn: uid=admin,ou=People,%s\nobjectClass: inetOrgPerson\nuid: admin\ncn: admin\nsn: admin\n\n", base
		printf "dn: uid=prof1,ou=People,%s\nobjectClass: inetOrgPerson\nuid: prof1\ncn: prof1\nsn: prof1\n\n", base
		# prof2 holds no right: delegations give it nothing.
		printf "dn: uid=prof2,ou=People,%s\nobjectClass: inetOrgPerson\nuid: prof2\ncn: prof2\nsn: prof2\n\n", base
		printf "dn: cn=parc_can_clone,ou=rights,%s\nobjectClass: groupOfNames\ncn: parc_can_clone\nmember: uid=admin,ou=People,%s\nmember: uid=prof1,ou=People,%s\n\n", base, base, base
		printf "dn: cn=system_is_admin,ou=rights,%s\nobjectClass: groupOfNames\ncn: system_is_admin\nmember: uid=admin,ou=People,%s\n\n", base, base
		for (i = 0; i < n; i++) {
			printf "dn: cn=pc-%04d,ou=Computers,%s\nobjectClass: top\nobjectClass: ipHost\nobjectClass: ieee802Device\nobjectClass: organizationalRole\ncn: pc-%04d\nipHostNumber: 10.%d.%d.%d\nmacAddress: %s\n\n", i, base, i, int(i / 65536) + 1, int(i / 256) % 256, i % 256, mac(i, i % 4)
			# SE3 puts the Samba machine account next to it.
			printf "dn: uid=pc-%04d$,ou=Computers,%s\nobjectClass: account\nobjectClass: posixAccount\nuid: pc-%04d$\ncn: pc-%04d$\nuidNumber: %d\ngidNumber: 515\nhomeDirectory: /dev/null\n\n", i, base, i, i, 10000 + i
		}
		for (p = 1; p <= np; p++) {
			printf "dn: cn=imp-%02d,ou=Printers,%s\nobjectClass: device\ncn: imp-%02d\n\n", p, base, p
			printf "dn: cn=salle-%02d,ou=Parcs,%s\nobjectClass: groupOfNames\ncn: salle-%02d\n", p, base, p
			for (i = p - 1; i < n; i += np)
				printf "member: cn=pc-%04d,ou=Computers,%s\n", i, base
			printf "member: cn=imp-%02d,ou=Printers,%s\nmember: cn=ghost-%02d,ou=Computers,%s\n\n", p, base, p, base
		}
		printf "dn: cn=profs,ou=Parcs,%s\nobjectClass: groupOfNames\ncn: profs\n", base
		for (i = 0; i < n; i += 10)
			printf "member: cn=pc-%04d,ou=Computers,%s\n", i, base
		printf "\n"
		printf "dn: cn=printers-only,ou=Parcs,%s\nobjectClass: groupOfNames\ncn: printers-only\nmember: cn=imp-01,ou=Printers,%s\n\n", base, base
	}'
	slapd_hostile
	cat <<-EOH
	dn: cn=hostile,ou=Parcs,$LDAP_BASE
	objectClass: groupOfNames
	cn: hostile
	member: cn=evil\\0Areboot,ou=Computers,$LDAP_BASE
	member: cn=dollar \${boot},ou=Computers,$LDAP_BASE
	member: cn=nomac-1,ou=Computers,$LDAP_BASE

	dn: cn=badmacs,ou=Parcs,$LDAP_BASE
	objectClass: groupOfNames
	cn: badmacs
	member: cn=macnl,ou=Computers,$LDAP_BASE
	member: cn=macdollar,ou=Computers,$LDAP_BASE
	member: cn=macspaces,ou=Computers,$LDAP_BASE
	member: cn=macbig,ou=Computers,$LDAP_BASE

	EOH
}

# The machines with hostile values: a newline and ${...} in names, MACs
# that are a newline and a command, ${...}, spaces, 10 kB.
slapd_hostile() {
	b64() { printf '%s' "$1" | base64 -w0; }
	big=$(head -c 10240 /dev/zero | tr '\0' 'A')
	cat <<-EOH
	dn: cn=evil\\0Areboot,ou=Computers,$LDAP_BASE
	objectClass: ipHost
	objectClass: ieee802Device
	objectClass: organizationalRole
	cn:: $(b64 "evil
reboot")
	ipHostNumber: 10.200.0.1
	macAddress: 02:00:00:00:fe:01

	dn: cn=dollar \${boot},ou=Computers,$LDAP_BASE
	objectClass: ipHost
	objectClass: ieee802Device
	objectClass: organizationalRole
	cn: dollar \${boot}
	ipHostNumber: 10.200.0.2
	macAddress: 02:00:00:00:fe:02
	description: $big

	dn: cn=nomac-1,ou=Computers,$LDAP_BASE
	objectClass: ipHost
	objectClass: organizationalRole
	cn: nomac-1
	ipHostNumber: 10.200.0.3

	dn: cn=macnl,ou=Computers,$LDAP_BASE
	objectClass: ipHost
	objectClass: ieee802Device
	objectClass: organizationalRole
	cn: macnl
	ipHostNumber: 10.200.0.4
	macAddress:: $(b64 "02:00:00:00:fe:04
shell")

	dn: cn=macdollar,ou=Computers,$LDAP_BASE
	objectClass: ipHost
	objectClass: ieee802Device
	objectClass: organizationalRole
	cn: macdollar
	ipHostNumber: 10.200.0.5
	macAddress: \${net0/mac}

	dn: cn=macspaces,ou=Computers,$LDAP_BASE
	objectClass: ipHost
	objectClass: ieee802Device
	objectClass: organizationalRole
	cn: macspaces
	ipHostNumber: 10.200.0.6
	macAddress: 02 00 00 00 fe 06

	dn: cn=macbig,ou=Computers,$LDAP_BASE
	objectClass: ipHost
	objectClass: ieee802Device
	objectClass: organizationalRole
	cn: macbig
	ipHostNumber: 10.200.0.7
	macAddress: $big

	EOH
}

# slapd_start DIR NMACHINES NPARCS: slapd with its own config, database
# and tree under DIR, on a free loopback port; sets SLAPD_URI, SLAPD_PID.
slapd_start() {
	d=$1
	mkdir -p "$d/db"
	cat > "$d/slapd.conf" <<-EOC
	include /etc/ldap/schema/core.schema
	include /etc/ldap/schema/cosine.schema
	include /etc/ldap/schema/nis.schema
	include /etc/ldap/schema/inetorgperson.schema
	pidfile $d/slapd.pid
	argsfile $d/slapd.args
	modulepath /usr/lib/ldap
	moduleload back_mdb
	# SE3 lets its own clients read every machine in one search.
	sizelimit unlimited
	database mdb
	maxsize 268435456
	suffix "$LDAP_BASE"
	rootdn "$LDAP_ROOTDN"
	rootpw $LDAP_ROOTPW
	directory $d/db
	EOC
	slapd_tree "$d/tree.ldif" "$2" "$3" > "$d/tree.ldif"
	"$SLAPADD" -q -f "$d/slapd.conf" -l "$d/tree.ldif" > "$d/slapadd.log" 2>&1 ||
	    { cat "$d/slapadd.log" >&2; return 1; }
	SLAPD_PORT=$(free_port)
	SLAPD_URI=ldap://127.0.0.1:$SLAPD_PORT/
	"$SLAPD" -f "$d/slapd.conf" -h "$SLAPD_URI" -n sip-test-slapd \
	    > "$d/slapd.log" 2>&1 || { cat "$d/slapd.log" >&2; return 1; }
	SLAPD_DIR=$d
	for _ in $(seq 100); do
		if [ -s "$d/slapd.pid" ] && ldapsearch -x -H "$SLAPD_URI" -b "$LDAP_BASE" \
		    -s base '(objectClass=*)' dn > /dev/null 2>&1; then
			SLAPD_PID=$(cat "$d/slapd.pid")
			return 0
		fi
		sleep 0.1
	done
	echo "slapd did not answer on $SLAPD_URI" >&2
	return 1
}

# slapd_stop: kill our slapd (by its pid file) and wait until it is gone.
slapd_stop() {
	[ -n "${SLAPD_PID-}" ] || return 0
	# Each may find it gone already: no failure under set -e (bench/).
	kill -CONT "$SLAPD_PID" 2>/dev/null || :
	kill "$SLAPD_PID" 2>/dev/null || :
	for _ in $(seq 100); do
		kill -0 "$SLAPD_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$SLAPD_PID" 2>/dev/null || :
	SLAPD_PID=
}

# slapd_conf: the [ldap] section of a configuration for our slapd, with
# short timeouts so that a test of a server down does not wait long.
slapd_conf() {
	cat <<-EOC
	[ldap]
	uri = $SLAPD_URI
	base = $LDAP_BASE
	network_timeout = 2
	timeout = 2
	EOC
}
