#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Delegation as in SE3 against a private slapd: admins act on everything, a delegated login on its parcs' machines only, anyone else on nothing; hostile logins, the directory down.
. t/lib/tap.sh
. t/lib/cli.sh
. t/lib/slapd.sh

if slapd_missing; then
	echo "1..0 # SKIP slapd, slapadd or ldapsearch not installed (slapd, ldap-utils)"
	exit 0
fi

unset SE3_IPXE_CONFIG SUDO_USER LDAPURI LDAPBASE LDAPBINDDN
TZ=UTC
LDAPNOINIT=1
export TZ LDAPNOINIT
trap 'slapd_stop; rm -rf "$T"' EXIT

# pc-NNNN is in salle-(NNNN % 20 + 1), and in profs when NNNN % 10 = 0.
NM=200
NP=20
slapd_start "$T/slapd" $NM $NP
ok $? "a private slapd with $NM machines in $NP parcs"

CONF=$T/se3-ipxe.conf
cli_config "$CONF" "$TOP/modules"
cat >> "$CONF" <<-EOC
[ldap]
uri = $SLAPD_URI
base = $LDAP_BASE
network_timeout = 2
timeout = 2
[network]
subnets = 10.0.0.0/8
EOC
se3ipxe init > /dev/null

# count: the rows of actions and history, the evidence nothing was written.
count() {
	echo "$(nrows actions)/$(nrows history)"
}
# refused WHAT WORDS...: exit 1, one line on stderr holding each word, and
# not a row more than before.
refused() {
	what=$1
	shift
	is "$rc" 1 "$what: exit 1"
	good=1
	[ "$(wc -l < "$T/err")" -eq 1 ] || good=0
	for w in "$@"; do
		grep -qF -- "$w" "$T/err" || good=0
	done
	ok "$([ $good = 1 ]; echo $?)" "$what: one line naming $*: $(head -c 300 "$T/err")"
	is "$(count)" "$before" "$what: nothing written"
}

# --- usage: the lines of --help, what each verb does ---------------------------
bad=
for verb in delegate undelegate delegations; do
	want=$("$SIP" --help | sed '/^$/,$d; s/^usage://' | normalise | grep "^se3-ipxe $verb ")
	a=$("$SIP" "$verb" --help | sed '1!d; s/^usage://' | normalise)
	[ -n "$want" ] && [ "$a" = "$want" ] && "$SIP" --help | grep -q "^  $verb  *[a-z]" || bad="$bad $verb"
done
is "$bad" "" "delegate, undelegate, delegations: usage and summary in --help and VERB --help"
run delegate prof1
is "$rc" 2 "delegate with one operand: a usage error"

# --- delegate, undelegate, delegations: the admin's ---------------------------
run delegate prof1 parc:salle-03
is "$rc" 0 "root delegates salle-03 to prof1"
is "$(cat "$T/out")" "prof1 manage parc:salle-03" "... and says so"
run --user admin delegate --level view prof1 parc:salle-05
is "$rc" 0 "admin (system_is_admin in LDAP) delegates salle-05 to prof1, view only: $(cat "$T/err")"
run --user prof1 delegate prof1 parc:salle-04
is "$rc" 1 "prof1 may not delegate"
grep -q "prof1 may not: delegations are the admin's" "$T/err"
ok $? "... and is told why: $(cat "$T/err")"
run delegate prof1 parc:no-such-parc
is "$rc" 1 "a parc that is not in LDAP: refused"
grep -q "'parc:no-such-parc': no such parc in LDAP" "$T/err"
ok $? "... naming it"
run delegate 'a)(uid=*' parc:salle-03
is "$rc" 1 "a hostile LOGIN to delegate: refused"
run delegate prof1 salle-03
is "$rc" 1 "a parc without parc:: refused"
run delegate --level own prof1 parc:salle-03
is "$rc" 2 "--level own: a usage error"
is "$(sqlite3 "$DB" "SELECT login || ' ' || parc || ' ' || level || ' ' || set_by FROM delegations ORDER BY parc")" \
    "prof1 salle-03 manage root
prof1 salle-05 view admin" "two delegations stored, with who set them"
run delegations
is "$rc" 0 "delegations: exit 0"
is "$(sed -n 1p "$T/out" | normalise)" "LOGIN PARC LEVEL SET BY SET AT" "delegations: a header"
is "$(sed 1d "$T/out" | awk '{ print $1, $2, $3, $4 }' | tr '\n' ';')" \
    "prof1 salle-03 manage root;prof1 salle-05 view admin;" "delegations: one line each"
run delegations --json
valid_json "$T/out"
ok $? "delegations --json: valid JSON"
grep -q '"login":"prof1","parc":"salle-05","level":"view","set_by":"admin","set_at":[0-9]*' "$T/out"
ok $? "delegations --json: login, parc, level, set_by, set_at"
run --user prof1 delegations prof1
is "$rc" 0 "prof1 may list its own delegations"
run --user prof1 delegations
is "$rc" 1 "prof1 may not list everyone's"

# --- the admin acts on everything --------------------------------------------
before=$(count)
run --user admin set-action parc:salle-04 memtest:run
is "$rc" 0 "admin: set-action on parc:salle-04"
is "$(sqlite3 "$DB" "SELECT count(*) FROM actions WHERE created_by = 'admin'")" $((NM / NP)) \
    "admin: $((NM / NP)) actions, created by admin"
run cancel parc:salle-04
is "$rc" 0 "root: cancel them"

# --- prof1 on its parc salle-03: by parc, name, MAC, IP ------------------------
run --user prof1 set-action parc:salle-03 memtest:run
is "$rc" 0 "prof1: set-action parc:salle-03: $(cat "$T/err")"
is "$(sqlite3 "$DB" "SELECT count(*) FROM actions WHERE created_by = 'prof1' AND state = 'pending'")" $((NM / NP)) \
    "prof1: the $((NM / NP)) machines of salle-03, created by prof1"
run --user prof1 set-action pc-0022 memtest:run
is "$rc" 0 "prof1: by name (pc-0022 of salle-03)"
run --user prof1 set-action "$(slapd_mac 42)" memtest:run
is "$rc" 0 "prof1: by MAC (pc-0042 of salle-03)"
run --user prof1 set-action 10.1.0.62 memtest:run
is "$rc" 0 "prof1: by IP (pc-0062 of salle-03)"
run --user prof1 cancel pc-0022
is "$rc" 0 "prof1: cancel on its parc"

# --- refused, nothing written -------------------------------------------------
before=$(count)
run --user prof1 set-action pc-0003 memtest:run
refused "prof1 on pc-0003 of salle-04" prof1 pc-0003 "$(slapd_mac 3)" "no manage delegation" salle-04
run --user prof1 set-action pc-0002 pc-0003 memtest:run
refused "prof1 on one of its machines and one of salle-04" prof1 pc-0003 "1 of 2 machines refused"
run --user prof1 set-action parc:salle-04 memtest:run
refused "prof1 on parc:salle-04" prof1 "10 of 10 machines refused"
run --user prof1 set-action pc-0004 memtest:run
refused "prof1 with view only on salle-05" prof1 pc-0004 "may only view" "needs a manage delegation"
run --user prof1 cancel pc-0003
refused "prof1: cancel on salle-04" prof1 pc-0003
run --user prof1 wol pc-0003
refused "prof1: wol on salle-04" prof1 pc-0003
run --user prof1 reboot --policy force pc-0003
refused "prof1: reboot on salle-04" prof1 pc-0003
run --user prof1 set-action 02:00:00:00:ff:ff memtest:run
refused "prof1 on a MAC that no machine of LDAP has" prof1 02:00:00:00:ff:ff "no machine of LDAP has this MAC"
run delegate prof2 parc:salle-03
is "$rc" 0 "root delegates salle-03 to prof2 too"
before=$(count)
run --user prof2 set-action pc-0002 memtest:run
refused "prof2 (not in parc_can_clone) even with a delegation" prof2 pc-0002 "member of neither right system_is_admin nor parc_can_clone"
run --user nobody set-action "$(slapd_mac 2)" memtest:run
refused "a login unknown to LDAP" nobody "member of neither right"
run --user root set-action "$(slapd_mac 2)" memtest:run
refused "--user root: a login like any other, checked in LDAP" "root may not act" "member of neither right"

# --- SUDO_USER is the login when --user is not given ----------------------------
SUDO_USER=prof1 "$SIP" -c "$CONF" set-action pc-0003 memtest:run < /dev/null > "$T/out" 2> "$T/err"
rc=$?
refused "SUDO_USER=prof1 on salle-04" prof1 pc-0003
SUDO_USER=root "$SIP" -c "$CONF" set-action pc-0003 memtest:run < /dev/null > "$T/out" 2> "$T/err"
is "$?" 0 "SUDO_USER=root is root"
before=$(count)
SUDO_USER='a)(uid=*' "$SIP" -c "$CONF" set-action pc-0003 memtest:run < /dev/null > "$T/out" 2> "$T/err"
rc=$?
refused "a hostile SUDO_USER" "SUDO_USER is not an SE3 login"

# --- a machine in two parcs: either delegation is enough ------------------------
# pc-0020 is in salle-01 and profs.
run --user prof1 set-action pc-0020 memtest:run
is "$rc" 1 "prof1 on pc-0020 without salle-01 or profs: refused"
run delegate prof1 parc:salle-01
run --user prof1 set-action pc-0020 memtest:run
is "$rc" 0 "prof1 on pc-0020 through salle-01"
run undelegate prof1 parc:salle-01
is "$rc" 0 "undelegate salle-01"
run delegate prof1 parc:profs
run --user prof1 set-action pc-0020 memtest:run
is "$rc" 0 "prof1 on pc-0020 through profs"
run undelegate prof1 parc:profs
run --user prof1 set-action pc-0020 memtest:run
is "$rc" 1 "prof1 on pc-0020 after both are taken back: refused"
run undelegate prof1 parc:profs
is "$rc" 1 "undelegate what is not there: exit 1"
grep -q "prof1 has no delegation on parc profs" "$T/err"
ok $? "... naming both"

# --- hostile logins: the whitelist refuses them before anything ------------------
before=$(count)
big=$(head -c 300 /dev/zero | tr '\0' 'a')
for login in 'a)(uid=*' 'x,ou=People' "$(printf 'prof1\nadmin')" "$big" '-x' '*'; do
	run --user "$login" set-action "$(slapd_mac 2)" memtest:run
	is "$rc" 2 "--user '$(printf '%s' "$login" | head -c 20)': a usage error"
	grep -q "^se3-ipxe: --user '.*': not an SE3 login" "$T/err"
	ok $? "... said on one line: $(head -n 1 "$T/err" | head -c 80)"
done
is "$(count)" "$before" "hostile logins: nothing written"

# --- who set it -------------------------------------------------------------------
run history pc-0062
grep -q "memtest:run set (prof1)" "$T/out"
ok $? "history: set by prof1"
run status --json pc-0062
grep -q '"created_by":"prof1"' "$T/out"
ok $? "status --json: created_by prof1"

# --- the directory down ------------------------------------------------------------
slapd_stop
before=$(count)
start=$(date +%s)
run --user prof1 set-action "$(slapd_mac 2)" memtest:run
refused "prof1 with slapd stopped" "the rights of prof1 cannot be checked" "$SLAPD_URI"
run --user admin cancel "$(slapd_mac 2)"
refused "admin with slapd stopped" "the rights of admin cannot be checked"
is "$(( $(date +%s) - start < 20 ))" 1 "both refusals within the timeouts"
run set-action "$(slapd_mac 2)" memtest:run
is "$rc" 0 "root with a MAC target works without LDAP: $(cat "$T/err")"
run undelegate prof2 parc:salle-03
is "$rc" 0 "root undelegates without LDAP"

done_testing
