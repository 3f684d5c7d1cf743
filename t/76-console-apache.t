#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# console.cgi behind the private Apache with mod_authnz_ldap against the private slapd, driven by curl without JavaScript: every action the page offers (set with options, a destructive one confirmed, cancel), the refusals, a delegated teacher's limits.
cd "$(dirname "$0")/.."
. t/lib/apache.sh
. t/lib/slapd.sh
. t/lib/fakeinstall.sh
. t/lib/console.sh

for f in cgi/console.cgi cgi/ipxe.cgi cli/se3-ipxe; do
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
trap 'console_down; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM HUP

if ! console_up; then
	echo "Bail out! cannot start slapd and apache: $(tail -n 3 "$T/apache/error.log" 2>/dev/null)"
	exit 1
fi
ORIGIN=$APACHE_URL

# req LOGIN:PW [CURL ARGS...] URL: the status in $code, the body in $T/body, the headers in $T/head.
req() {
	_u=$1
	shift
	code=$(curl -sS --max-time 20 -u "$_u" -D "$T/head" -o "$T/body" -w '%{http_code}' "$@") || code=curl-failed
}
# form LOGIN:PW FIELDS...: a POST from the console's page, as a browser sends it.
form() {
	_u=$1
	shift
	_a=
	for _f in "$@"; do _a="$_a --data-urlencode $_f"; done
	# shellcheck disable=SC2086 # one word per field
	req "$_u" -H "Origin: $ORIGIN" $_a "$CONSOLE/"
}
count() {
	echo "$(sqlite3 "$DB" 'SELECT count(*) FROM actions')/$(sqlite3 "$DB" 'SELECT count(*) FROM history')"
}
token() {
	sed -n 's/.*name="token" value="\([^"]*\)".*/\1/p' "$T/body" | head -n 1
}
mac() { slapd_mac "$1"; }

# --- logins, through Apache and the directory -----------------------------------
req x:y "$CONSOLE/"
is "$code" 401 "no login: 401"
req admin:wrong "$CONSOLE/"
is "$code" 401 "a wrong password: 401"
req eleve1:eleve1-pw "$CONSOLE/"
is "$code" 401 "a login in neither right: 401 (Apache)"
req admin:admin-pw "$CONSOLE/"
is "$code" 200 "admin: 200"
is "$(grep -o '<option value="salle-0[0-9]"' "$T/body" | wc -l)" 4 "admin: four salles to choose from"

# --- set, with options, without JavaScript ----------------------------------------
req admin:admin-pw "$CONSOLE/?parc=salle-01&cap=memtest:run"
is "$code" 200 "the parc and the capability chosen by GET"
TOK=$(token)
[ -n "$TOK" ]; ok $? "the page's token"
is "$(grep -o 'name="m" value="[^"]*"' "$T/body" | wc -l)" 10 "a box for each of salle-01's 10 machines"
before=$(count)
form admin:admin-pw "token=$TOK" parc=salle-01 op=set cap=memtest:run "m=$(mac 0)" "m=$(mac 4)" "m=$(mac 8)" max_boots=2 expires=3h
is "$code" 303 "set memtest:run on three machines with --max-boots 2 --expires 3h: 303"
loc=$(sed -n 's/^Location: //p' "$T/head" | tr -d '\r')
req admin:admin-pw "$ORIGIN$loc"
is "$code" 200 "the page it points at"
grep -q 'Machines dont l&#39;action est posée : 3' "$T/body"; ok $? "it says three were set"
is "$(grep -c '<tr class="st-pending"' "$T/body")" 3 "three pending rows"
is "$(sqlite3 "$DB" "SELECT count(*) FROM actions WHERE name = 'memtest:run' AND state = 'pending' AND created_by = 'admin' AND max_boots = 2 AND expires_at - created_at = 10800")" 3 \
    "three actions as the CLI writes them, by admin"
is "$(sqlite3 "$DB" "SELECT group_concat(host) FROM actions WHERE state = 'pending' ORDER BY mac")" "pc-0000,pc-0004,pc-0008" \
    "the machines' names from the directory"

# A boot request through Apache: the one-shot memtest is served, then done.
code=$(curl -sS -o "$T/script" -w '%{http_code}' "$BOOT?mac=$(mac 4)&platform=efi&ip=10.0.0.4")
is "$code" 200 "pc-0004 boots through ipxe.cgi"
grep -q memtest "$T/script"; ok $? "and is served memtest"
req admin:admin-pw "$CONSOLE/console.json?parc=salle-01"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([m["state"] for m in d["parcs"][0]["machines"] if m["name"] == "pc-0004"])' "$T/body")" \
    "['done']" "console.json: pc-0004 done"

# --- a destructive action: the confirmation, then the count -----------------------
before=$(count)
form admin:admin-pw "token=$TOK" parc=salle-01 op=set cap=fakeinstall:install o.disk=sdb "m=$(mac 12)" "m=$(mac 16)"
is "$code:$(count)" "200:$before" "fakeinstall:install: a confirmation page, nothing written"
grep -q 'name="confirm" value="2"' "$T/body"; ok $? "naming two machines"
form admin:admin-pw "token=$TOK" parc=salle-01 op=set cap=fakeinstall:install o.disk=sdb "m=$(mac 12)" "m=$(mac 16)" confirm=2
is "$code" 303 "confirmed: 303"
code=$(curl -sS -o "$T/script" -w '%{http_code}' "$BOOT?mac=$(mac 12)&platform=efi&ip=10.0.0.12")
req admin:admin-pw "$CONSOLE/console.json?parc=salle-01"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([(m["action"], m["state"]) for m in d["parcs"][0]["machines"] if m["name"] == "pc-0012"])' "$T/body")" \
    "[('fakeinstall:install', 'booting')]" "pc-0012 booting its install after a boot request"

# --- cancel ------------------------------------------------------------------------
form admin:admin-pw "token=$TOK" parc=salle-01 op=cancel "m=$(mac 12)" "m=$(mac 16)"
is "$code" 303 "cancel: 303"
is "$(sqlite3 "$DB" "SELECT group_concat(state) FROM actions WHERE name = 'fakeinstall:install'")" "cancelled,cancelled" "both cancelled"

# --- refusals: nothing written ---------------------------------------------------------
before=$(count)
req admin:admin-pw -H "Origin: $ORIGIN" --data-urlencode parc=salle-01 --data-urlencode op=set \
    --data-urlencode cap=memtest:run --data-urlencode "m=$(mac 20)" "$CONSOLE/"
is "$code:$(count)" "403:$before" "no token: 403, nothing written"
req admin:admin-pw -H "Origin: http://evil.example" --data-urlencode "token=$TOK" --data-urlencode parc=salle-01 \
    --data-urlencode op=set --data-urlencode cap=memtest:run --data-urlencode "m=$(mac 20)" "$CONSOLE/"
is "$code:$(count)" "403:$before" "a foreign Origin: 403, nothing written"
req admin:admin-pw "$CONSOLE/?token=$TOK&parc=salle-01&op=set&cap=memtest:run&m=$(mac 20)"
is "$code:$(count)" "200:$before" "the change as a GET: nothing written"

# --- a delegated teacher ---------------------------------------------------------------
req prof1:prof1-pw "$CONSOLE/"
is "$(grep -o '<option value="[^"]*"' "$T/body" | tr '\n' ' ')" '<option value="salle-02" <option value="salle-03" ' \
    "prof1: salle-02 and salle-03 only"
req prof1:prof1-pw "$CONSOLE/?parc=salle-02&cap=memtest:run"
PTOK=$(token)
form prof1:prof1-pw "token=$PTOK" parc=salle-01 op=set cap=memtest:run "m=$(mac 20)"
is "$code:$(count)" "403:$before" "prof1's forged POST on salle-01: 403, nothing written"
form prof1:prof1-pw "token=$PTOK" parc=salle-03 op=cancel "m=$(mac 2)"
is "$code:$(count)" "403:$before" "prof1 cancelling on salle-03 (view only): 403"
form prof1:prof1-pw "token=$TOK" parc=salle-02 op=set cap=memtest:run "m=$(mac 1)"
is "$code:$(count)" "403:$before" "prof1 with admin's token: 403"
form prof1:prof1-pw "token=$PTOK" parc=salle-02 op=set cap=memtest:run all=yes
is "$code" 303 "prof1 on the whole of salle-02: 303"
is "$(sqlite3 "$DB" "SELECT count(*) FROM actions WHERE created_by = 'prof1' AND state = 'pending'")" 10 \
    "ten actions, by prof1"
done_testing
