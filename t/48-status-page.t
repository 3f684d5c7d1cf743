#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# status.cgi behind the private Apache with mod_authnz_ldap against the private slapd, and its page in headless Chromium: login, rows, a live refresh, CSP.
cd "$(dirname "$0")/.."
. t/lib/apache.sh
. t/lib/slapd.sh

for f in cgi/status.cgi cli/se3-ipxe; do
	[ -x "$f" ] || { echo "1..0 # SKIP $f is not built"; exit 0; }
done
APACHE_MODULES="$APACHE_MODULES $APACHE_LDAP_MODULES"
apache_available || { echo "1..0 # SKIP apache2 with mod_cgid and mod_authnz_ldap, or curl, is not installed"; exit 0; }
if slapd_missing; then
	echo "1..0 # SKIP slapd, slapadd or ldapsearch not installed (slapd, ldap-utils)"
	exit 0
fi

. t/lib/tap.sh
unset SE3_IPXE_CONFIG LDAPURI LDAPBASE LDAPBINDDN
LDAPNOINIT=1
export LDAPNOINIT

cleanup() {
	apache_stop "$T/apache" || :
	slapd_stop
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# 60 machines in 2 parcs: salle-01 holds 30.
slapd_start "$T/slapd" 60 2
ok $? "a private slapd on $SLAPD_URI"
# Passwords for the people, and a person who holds no right.
ldapmodify -x -H "$SLAPD_URI" -D "$LDAP_ROOTDN" -w "$LDAP_ROOTPW" > "$T/ldapmodify.log" 2>&1 <<-EOL
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
ok $? "userPassword for admin and prof1, and eleve1 without a right"

mkdir -p "$T/apache" "$T/cgi-bin" "$T/doc" "$T/db"
cp "$TOP/cgi/status.cgi" "$T/cgi-bin/status.cgi"
conf=$T/se3-ipxe.conf
cat > "$conf" <<-EOF
[database]
path = $T/db/se3-ipxe.db
[modules]
path = $TOP/modules
templates = $TOP/templates
[ldap]
uri = $SLAPD_URI
base = $LDAP_BASE
network_timeout = 2
timeout = 2
[status]
refresh = 1
# The machines' 10.x addresses are nobody's: never probed from here.
probe = no
EOF
se3() {
	"$TOP/cli/se3-ipxe" -c "$conf" "$@" && { [ "$(id -u)" != 0 ] ||
	    chown -R "$APACHE_USER:$APACHE_GROUP" "$T/db"; }
}
se3 init > /dev/null
chmod -R a+rX "$T"

set -- "SE3_IPXE_CONFIG=$conf"
for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
	eval "val=\${$v:-}"
	[ -z "$val" ] || set -- "$@" "$v=$val"
done
APACHE_EXTRA_CONF=$(apache_status_conf "$SLAPD_URI" "$LDAP_BASE")
if ! apache_start "$T/apache" "$T/cgi-bin" "$T/doc" "$@"; then
	echo "Bail out! cannot start apache"
	exit 1
fi
PAGE=$APACHE_URL/cgi-bin/status.cgi

code() {	# code [CURL ARGS...] URL: the HTTP status
	curl -sS --max-time 20 -o "$T/body" -w '%{http_code}' "$@" || echo curl-failed
}
is "$(code "$PAGE")" 401 "no login: 401"
is "$(code -u admin:wrong "$PAGE")" 401 "admin with a wrong password: 401"
is "$(code -u eleve1:eleve1-pw "$PAGE")" 401 "a login in neither right: 401"
is "$(code -u admin:admin-pw "$PAGE")" 200 "admin (system_is_admin): 200"
grep -q '<section data-parc="salle-01">' "$T/body"; ok $? "admin sees salle-01"
is "$(code -u prof1:prof1-pw "$PAGE/status.json")" 403 "prof1 (parc_can_clone) with no parc delegated yet: 403"
se3 delegate prof1 parc:salle-02 > /dev/null
is "$(code -u prof1:prof1-pw "$PAGE/status.json")" 200 "prof1 with salle-02 delegated: 200"
python3 -c 'import json, sys
print(" ".join(p["parc"] for p in json.load(open(sys.argv[1]))["parcs"]))' "$T/body" > "$T/parcs" 2>&1
is "$(cat "$T/parcs")" "salle-02" "prof1 sees its delegated parc alone, through Apache"
is "$(code -u admin:admin-pw "$PAGE/status.css")" 200 "the stylesheet through Apache"

# Debian's python3-selenium is in Debian's python3, whatever PATH finds first.
PY=/usr/bin/python3
if ! "$PY" -c 'import selenium' 2>/dev/null || [ ! -x /usr/bin/chromium ] ||
    [ ! -x /usr/bin/chromedriver ]; then
	skip "chromium, chromium-driver or python3-selenium not installed: no browser"
	done_testing
	exit
fi
MAC=$(slapd_mac 4)	# pc-0004, in salle-01
mkdir -p "$TOP/build/t"
SHOT=$TOP/build/t/status-page.png
rm -f "$SHOT"
browse() {
	timeout 120 "$PY" t/lib/status_page.py "$PAGE" admin admin-pw salle-01 "$MAC" "$SHOT" 1 \
	    "$TOP/cli/se3-ipxe" -c "$conf" set-action "$MAC" memtest:run > "$T/browser" 2> "$T/browser.err"
}
browse
rc=$?
# Chromium that fails to start on a loaded machine (before any page) gets one more try.
if [ "$rc" -ne 0 ] && ! grep -q '^rows=' "$T/browser"; then
	echo "# Chromium did not start, once:"
	sed 's/^/# /' "$T/browser.err" | tail -5
	browse
	rc=$?
fi
ok $rc "Chromium drove the page"
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/browser.err" | tail -20
[ "$(id -u)" != 0 ] || chown -R "$APACHE_USER:$APACHE_GROUP" "$T/db"
val() { sed -n "s/^$1=//p" "$T/browser"; }
is "$(val rows)" 30 "a 30-machine parc renders 30 rows"
is "$(val before)" st-none "pc-0004 without an action"
is "$(val refreshed)" 1 "the script refreshed the table"
is "$(val after)" st-pending "after set-action its row is pending"
ms=$(val change_ms)
echo "# the change showed after ${ms:-?} ms (refresh = 1 s)"
[ -n "$ms" ] && [ "$ms" -le 6000 ]; ok $? "within one refresh (1 s, and 5 s of slack for a loaded machine)"
is "$(val rows_after)" 30 "still 30 rows after the refresh"
is "$(val foreign)" none "no resource from anywhere but the server"
is "$(val csp)" none "no CSP violation in the browser log"
is "$(val severe)" none "no error in the browser log"
[ -s "$SHOT" ]; ok $? "a screenshot kept in build/t/status-page.png"
done_testing
