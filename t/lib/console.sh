# SPDX-License-Identifier: GPL-3.0-or-later
# What the console's tests through Apache share: a private slapd with passwords, a database, delegations, console.cgi and ipxe.cgi behind a private Apache with mod_authnz_ldap.
#
# Source after t/lib/apache.sh, t/lib/slapd.sh and t/lib/fakeinstall.sh,
# with $T and $TOP set.  console_up starts everything (0 on success) and
# sets CONSOLE (the console's URL), BOOT (ipxe.cgi's), CONF, DB; the
# people are admin (admin-pw), prof1 (prof1-pw: salle-02 managed,
# salle-03 viewed) and eleve1 (eleve1-pw, no right).  Machine pc-NNNN is
# in salle-(NNNN % 4 + 1).  console_down stops them.

console_up() {
	slapd_start "$T/slapd" 40 4 || return 1
	ldapmodify -x -H "$SLAPD_URI" -D "$LDAP_ROOTDN" -w "$LDAP_ROOTPW" > "$T/ldapmodify.log" 2>&1 <<-EOL || return 1
	dn: uid=admin,ou=People,$LDAP_BASE
	changetype: modify
	add: userPassword
	userPassword: admin-pw

	dn: uid=prof1,ou=People,$LDAP_BASE
	changetype: modify
	add: userPassword
	userPassword: prof1-pw

	dn: uid=eleve1,ou=People,$LDAP_BASE
	changetype: add
	objectClass: inetOrgPerson
	uid: eleve1
	cn: eleve1
	sn: eleve1
	userPassword: eleve1-pw
	EOL
	mkdir -p "$T/apache" "$T/cgi-bin" "$T/doc" "$T/db" "$T/www" "$T/modules"
	make_fakeinstall
	cp "$TOP/cgi/console.cgi" "$TOP/cgi/ipxe.cgi" "$T/cgi-bin/"
	CONF=$T/se3-ipxe.conf
	DB=$T/db/se3-ipxe.db
	cat > "$CONF" <<-EOF
	[database]
	path = $DB
	[server]
	boot_url = http://127.0.0.1/se3-ipxe
	cgi_url = http://127.0.0.1/cgi-bin/ipxe.cgi
	boot_root = $T/www
	[modules]
	path = $TOP/modules:$T/modules
	templates = $TOP/templates
	[ldap]
	uri = $SLAPD_URI
	base = $LDAP_BASE
	network_timeout = 2
	timeout = 2
	[network]
	subnets = 10.0.0.0/8
	[status]
	refresh = 1
	# The machines' 10.x addresses are nobody's: never probed from here.
	probe = no
	EOF
	console_cli init > /dev/null || return 1
	console_cli delegate prof1 parc:salle-02 > /dev/null &&
	    console_cli delegate --level view prof1 parc:salle-03 > /dev/null || return 1
	chmod -R a+rX "$T"
	set -- "SE3_IPXE_CONFIG=$CONF"
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		eval "val=\${$v:-}"
		[ -z "$val" ] || set -- "$@" "$v=$val"
	done
	APACHE_MODULES="$APACHE_MODULES $APACHE_LDAP_MODULES"
	APACHE_EXTRA_CONF=$(apache_ldap_conf /cgi-bin/console.cgi "$SLAPD_URI" "$LDAP_BASE")
	apache_start "$T/apache" "$T/cgi-bin" "$T/doc" "$@" || return 1
	CONSOLE=$APACHE_URL/cgi-bin/console.cgi
	BOOT=$APACHE_URL/cgi-bin/ipxe.cgi
	return 0
}

# console_cli ARGS...: se3-ipxe as root, the database left to the web server.
console_cli() {
	"$TOP/cli/se3-ipxe" -c "$CONF" "$@"
	_cc_rc=$?
	[ "$(id -u)" != 0 ] || chown -R "$APACHE_USER:$APACHE_GROUP" "$T/db"
	return $_cc_rc
}

console_down() {
	apache_stop "$T/apache" || :
	slapd_stop
}
