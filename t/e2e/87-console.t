#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end case 87: the web console in headless Chromium through the private Apache and slapd: an admin sets memtest:run with options on three machines by clicks and sees them pending, a destructive action confirmed, boots seen live, a wake without an action, a machine's history; a delegated teacher sees its parcs only and a forged POST is refused; no token or a foreign origin refused with nothing set; hostile values inert; screenshots in build/t/console-shots/.
cd "$(dirname "$0")/../.."
TOP=$PWD
start=$(date +%s)
. t/lib/apache.sh
. t/lib/slapd.sh
. t/lib/fakeinstall.sh
. t/lib/console.sh

missing=
for f in cgi/console.cgi cgi/ipxe.cgi cli/se3-ipxe; do
	[ -x "$f" ] || missing="$missing $f"
done
APACHE_MODULES="$APACHE_MODULES $APACHE_LDAP_MODULES"
apache_available || missing="$missing apache2/mod_authnz_ldap/curl"
slapd_missing && missing="$missing slapd/ldap-utils"
PY=/usr/bin/python3
"$PY" -c 'import selenium' 2>/dev/null || missing="$missing python3-selenium"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -x /usr/bin/chromedriver ] || missing="$missing chromium-driver"
if [ -n "$missing" ]; then
	[ -z "${E2E_REQUIRE:-}" ] || { echo "Bail out! missing:$missing"; exit 1; }
	echo "1..0 # SKIP missing:$missing"
	exit 0
fi

. t/lib/tap.sh
unset SE3_IPXE_CONFIG LDAPURI LDAPBASE LDAPBINDDN
LDAPNOINIT=1
export LDAPNOINIT
cleanup() {
	[ -z "${ATTACK_PID-}" ] || kill "$ATTACK_PID" 2>/dev/null
	console_down
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if ! console_up; then
	echo "Bail out! cannot start slapd and apache: $(tail -n 3 "$T/apache/error.log" 2>/dev/null)"
	exit 1
fi
mac() { slapd_mac "$1"; }
count() {
	echo "$(sqlite3 "$DB" 'SELECT count(*) FROM actions')/$(sqlite3 "$DB" 'SELECT count(*) FROM history')"
}

# No tick runs here: the reboots the page asks for stay jobs in the database,
# nothing is sent.  A hostile report message on pc-0016 (salle-01).
console_cli set-action --yes "$(mac 16)" fakeinstall:install > /dev/null 2>&1
curl -sS -o /dev/null "$BOOT?mac=$(mac 16)&platform=efi&ip=10.0.0.16"
tok16=$(sqlite3 "$DB" "SELECT token FROM actions WHERE mac = '$(mac 16)' ORDER BY id DESC LIMIT 1")
curl -sS -o /dev/null "$BOOT/report?token=$tok16&status=running&progress=10&msg=%3Cimg%20src%3Dx%20onerror%3D%22window.pwned%3D1%22%3E%3Cscript%3Ewindow.pwned%3D1%3C%2Fscript%3E"
is "$(sqlite3 "$DB" "SELECT message FROM actions WHERE mac = '$(mac 16)' ORDER BY id DESC LIMIT 1")" \
    '<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>' "a hostile message stored as sent"

# Another site: its page posts a form to the console as soon as it loads,
# with a real token of admin's (as if leaked): the Origin alone refuses it.
mkdir -p "$T/attacker"
curl -sS -u admin:admin-pw -o "$T/page" "$CONSOLE/?parc=salle-01"
ATOK=$(sed -n 's/.*name="token" value="\([^"]*\)".*/\1/p' "$T/page" | head -n 1)
cat > "$T/attacker/index.html" <<-EOH
<!DOCTYPE html><html><body>
<form id="f" method="post"><input name="token" value="$ATOK"><input name="parc" value="salle-01">
<input name="op" value="set"><input name="cap" value="memtest:run"><input name="m" value="$(mac 20)"></form>
<script>var f = document.getElementById("f"); f.action = new URLSearchParams(location.search).get("target"); f.submit();</script>
</body></html>
EOH
APORT=$(free_port)
"$PY" -m http.server --bind 127.0.0.1 --directory "$T/attacker" "$APORT" > "$T/attacker.log" 2>&1 &
ATTACK_PID=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$APORT/" && break; sleep 0.1; done

SHOTS=$TOP/build/t/console-shots
rm -rf "$SHOTS"
mkdir -p "$SHOTS"
MACS=$("$PY" -c 'import json, sys
print(json.dumps({"pc-%04d" % i: "02:00:00:00:%02x:%02x" % (i // 256, i % 256) for i in range(40)}))')
browse() {
	timeout 150 "$PY" t/e2e/console.py "$CONSOLE" "http://127.0.0.1:$APORT/" "$SHOTS" "$MACS" \
	    sh -c 'curl -sS -o /dev/null "$0?mac=$1&platform=efi&ip=10.0.0.99"' "$BOOT" \
	    > "$T/browser" 2> "$T/browser.err"
}
browse
rc=$?
ok $rc "Chromium drove the console"
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/browser.err" | tail -20
val() { sed -n "s/^$1=//p" "$T/browser"; }
is "$(val lang)" fr "French by default"
is "$(val capform)" "parc=salle-01&lang=fr&cap=memtest%3Arun" "choosing memtest:run reloads its form (script)"
is "$(val notice)" "Machines dont l'action est posée : 3" "the page says three were set"
is "$(val pending)" "st-pending,st-pending,st-pending" "the three rows pending"
is "$(sqlite3 "$DB" "SELECT count(*) FROM actions WHERE name = 'memtest:run' AND created_by = 'admin' AND max_boots = 2 AND expires_at - created_at = 10800")" 3 \
    "three memtest:run by admin, --max-boots 2, --expires 3h"
is "$(sqlite3 "$DB" "SELECT count(*) FROM power_jobs WHERE kind = 'reboot' AND policy = 'idle' AND who = 'admin'")" 3 "reboot idle for the tick"
is "$(val checkall)" 10 "check-all ticks the parc's ten machines"
is "$(val confirm)" "Machines dont les disques seront EFFACÉS : 1" "a destructive action asks to confirm, naming the count"
is "$(val install)" st-pending "confirmed: pending"
is "$(val booted_memtest)" st-done "pc-0004 (memtest, one-shot) done once booted"
is "$(val booted_install)" st-booting "pc-0012 (an install) booting after a boot request"
is "$(val reloaded)" 0 "seen by the page's refresh, without a reload"
is "$(val booted_state_text)" "en démarrage" "the script shows the state in French (console.json keeps booting)"
case "$(val booted_event_text)" in *boot*|*served*|"") false ;; *) true ;; esac
ok $? "and the last event in French too: $(val booted_event_text)"
echo "# the boots showed after $(val live_ms) ms (refresh = 1 s)"
is "$(val power_notice)" "Machines à réveiller ou redémarrer (par la tâche de fond, dans la minute) : 1" "a wake without an action, for the tick"
is "$(sqlite3 "$DB" "SELECT count(*) FROM power_jobs WHERE kind = 'wake' AND action_id IS NULL AND who = 'admin'")" 1 "... one wake job of no action, by admin"
[ "$(val history_rows)" -ge 2 ] 2>/dev/null; ok $? "pc-0012's history: $(val history_rows) rows"
case " $(val history_who) " in *" admin "*) true ;; *) false ;; esac; ok $? "... admin's change among them ($(val history_who))"
is "$(val hostile_img)" 0 "a hostile report message: no img element"
is "$(val hostile_text)" 1 "it is shown as text"
[ "$(val hostile_parc_rows)" -ge 1 ] 2>/dev/null; ok $? "parc hostile (LDAP names with a newline, \${boot}) renders"
is "$(val pwned)" 0 "no hostile script ran"
is "$(val no_token)" 403 "a POST without the token: 403"
is "$(val foreign_origin)" Forbidden "another site's form with a valid token: refused by its Origin"
is "$(val prof1_parcs)" "salle-02 salle-03" "prof1 sees salle-02 and salle-03 only"
is "$(val prof1_view_boxes)" 0 "salle-03 (view): no box to tick"
is "$(val prof1_forged)" 403 "prof1's forged POST on salle-01: 403"
is "$(val prof1_own)" 0 "prof1's POST on its salle-02: followed (303, opaque to fetch)"
is "$(sqlite3 "$DB" "SELECT count(*) FROM actions WHERE mac = '$(mac 20)'")" 0 "nothing set on pc-0020 by any refused POST"
is "$(sqlite3 "$DB" "SELECT created_by FROM actions WHERE mac = '$(mac 1)'")" prof1 "pc-0001 set by prof1"
is "$(val foreign)" none "no resource from anywhere but the server"
is "$(val csp)" none "no CSP violation in the browser's console"
is "$(val severe)" none "no error in the browser's console"
n=$(ls "$SHOTS"/*.png 2>/dev/null | wc -l)
is "$n" 8 "eight screenshots in build/t/console-shots/"
echo "# t/e2e/87-console.t: $(( $(date +%s) - start )) s"
done_testing
