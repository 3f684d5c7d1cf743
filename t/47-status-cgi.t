#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# status.cgi run as Apache runs it: the page and its JSON with and without SE3's directory, escaping, methods, logins, a broken database.
. t/lib/tap.sh
. t/lib/cgi.sh
. t/lib/fakeinstall.sh
. t/lib/slapd.sh

unset SE3_IPXE_CONFIG LDAPURI LDAPBASE LDAPBINDDN
LDAPNOINIT=1
export LDAPNOINIT
trap 'slapd_stop; rm -rf "$T"' EXIT

# No probe: the machines' addresses here are nobody's (t/49 probes, in a namespace).
write_config "$T/se3-ipxe.conf" "[status]" "refresh = 2" "probe = no"
make_fakeinstall
db_create
M1=52:54:00:00:00:01
M2=52:54:00:00:00:02
M3=52:54:00:00:00:03

# --- no machine yet: one empty section ------------------------------------
scgi GET /status.json "" admin
is "$status" 200 "empty database: 200"
is "$(json 'len(d["parcs"]), d["parcs"][0]["parc"], len(d["parcs"][0]["machines"]), d["refresh"]')" \
    "(1, None, 0, 2)" "no [ldap]: one group, all machines, none yet; refresh from [status]"

# --- three machines: an action, a running install with a hostile message --
se3ipxe set-action $M1 memtest:run > /dev/null 2>&1
se3ipxe set-action --yes $M2 fakeinstall:install disk=sda > /dev/null 2>&1
boot "mac=$M2&platform=efi&ip=10.0.0.2"
cgi GET /report "token=$(token_of $M2)&status=running&progress=40&msg=%3Cscript%3Ealert(1)%3C/script%3E%20%22q%22%20%27a%27%20%26amp;"
is "$status" 200 "a report with a hostile message taken"
boot "mac=$M3&platform=pcbios&ip=10.0.0.3"
fold_seen

scgi GET /status.json "" admin
is "$status" 200 "status.json: 200"
grep -q '^Content-Type: application/json' "$T/shead"; ok $? "status.json: application/json"
grep -q "^Content-Security-Policy: default-src 'self'" "$T/shead"; ok $? "status.json: CSP default-src 'self'"
is "$(json '[m["mac"] for m in d["parcs"][0]["machines"]]')" "['$M1', '$M2', '$M3']" \
    "three machines, sorted by MAC"
is "$(json 'sorted(d["parcs"][0]["machines"][0].keys())')" \
    "['action', 'age', 'boots', 'completion', 'ip', 'last_event', 'last_event_at', 'last_state', 'mac', 'max_boots', 'message', 'name', 'progress', 'reachable', 'set_by', 'state', 'woken']" \
    "a machine's keys"
is "$(json '[(m["action"], m["state"], m["boots"], m["max_boots"], m["progress"]) for m in d["parcs"][0]["machines"]]')" \
    "[('memtest:run', 'pending', 0, 1, None), ('fakeinstall:install', 'running', 1, 3, 40), (None, 'none', None, None, None)]" \
    "action, state, boots/max and progress per machine"
is "$(json 'd["parcs"][0]["machines"][1]["message"]')" "<script>alert(1)</script> \"q\" 'a' &amp;" \
    "the hostile message whole in JSON"
is "$(json '[(m["last_event"], m["last_state"], m["set_by"] is not None, m["woken"], m["reachable"]) for m in d["parcs"][0]["machines"]]')" \
    "[('set', 'pending', True, None, None), ('report', None, True, None, None), ('seen', None, False, None, None)]" \
    "last event, the state it led to, set by; woken and reachable not known"
is "$(json '[m["ip"] for m in d["parcs"][0]["machines"]]')" "[None, '10.0.0.2', '10.0.0.3']" \
    "IP from the last boot without LDAP"
is "$(json 'all(0 <= m["age"] < 120 and m["last_event_at"] <= d["now"] for m in d["parcs"][0]["machines"])')" "True" \
    "ages from the server's now"

scgi GET "" "" admin
is "$status" 200 "the page: 200"
grep -q '^Content-Type: text/html; charset=utf-8' "$T/shead"; ok $? "the page: text/html"
is "$(grep -c '^<tr class="st-' "$T/sbody")" 3 "the page: three rows"
grep -q '<tr class="st-running" data-mac="52:54:00:00:00:02">' "$T/sbody"; ok $? "a running row coloured by its state"
grep -q '<progress max="100" value="40">40%</progress>' "$T/sbody"; ok $? "a progress bar at 40%"
grep -q '&#60;script&#62;alert(1)&#60;/script&#62; &#34;q&#34; &#39;a&#39; &#38;amp;' "$T/sbody"
ok $? "the hostile message escaped in HTML"
grep -qi '<script>alert' "$T/sbody"; ok $((! $?)) "no raw hostile markup in the page"
is "$(grep -c '<script' "$T/sbody")" 1 "one script element, external"
grep -q '<script src="/cgi-bin/status.cgi/status.js" defer></script>' "$T/sbody"; ok $? "the script from the CGI itself"
grep -q 'data-json="/cgi-bin/status.cgi/status.json" data-refresh="2"' "$T/sbody"; ok $? "JSON path and refresh for the script"
grep -Eq ' style=|<style| on[a-z]+=|https?://' "$T/sbody"; ok $((! $?)) "no inline style, handler or external URL"
python3 -c 'import html.parser, sys
class P(html.parser.HTMLParser):
    pass
P().feed(open(sys.argv[1]).read())' "$T/sbody"; ok $? "the page parses as HTML"

for p in /status.css /status.js; do
	scgi GET "$p" ""
	is "$status" 200 "$p: 200 (static, no login needed by the CGI)"
	[ -s "$T/sbody" ]; ok $? "$p: not empty"
done
grep -q 'innerHTML' "$TOP/web/status.js"; ok $((! $?)) "the script never uses innerHTML"
grep -q 'textContent' "$T/sbody"; ok $? "the script builds text with textContent"

# --- HEAD, methods, paths, queries, logins ---------------------------------
scgi GET /status.json "" admin
cp "$T/shead" "$T/gethead"
scgi HEAD /status.json "" admin
is "$status" 200 "HEAD: 200"
is "$(wc -c < "$T/sbody")" 0 "HEAD: no body"
is "$(grep -v '^Content-Length' "$T/shead")" "$(grep -v '^Content-Length' "$T/gethead")" "HEAD: the headers of GET"
for m in POST PUT DELETE; do
	scgi $m "" "" admin
	is "$status" 405 "$m: 405"
	grep -q '^Allow: GET, HEAD' "$T/shead"; ok $? "$m: Allow: GET, HEAD"
done
scgi GET /nowhere "" admin
is "$status" 404 "unknown path: 404"
scgi GET /status.json "" ""
is "$status" 403 "no REMOTE_USER: 403"
is "$(wc -l < "$T/serr")" 1 "no REMOTE_USER: one log line"
grep -q '^status.cgi: 127.0.0.1 json: no REMOTE_USER' "$T/serr"; ok $? "the log line names the address and endpoint"
scgi GET "" "" 'a b<c>'
is "$status" 403 "a REMOTE_USER that is no word: 403"
scgi GET "" "" -admin
is "$status" 403 "a REMOTE_USER that is no SE3 uid (a leading '-'): 403"
scgi GET /status.json "parc=%3Cb%3E" admin
is "$status" 400 "parc not a word: 400"
is "$(wc -l < "$T/serr")" 1 "bad parc: one log line"
scgi GET /status.json "parc=salle-01" admin
is "$status" 404 "a parc without [ldap]: 404"

# --- a broken database: a short page, one log line, no SQLite text -------
cp "$T/db/se3-ipxe.db" "$T/good.db"
head -c 4096 /dev/urandom > "$T/db/se3-ipxe.db"
rm -f "$T/db/se3-ipxe.db-wal" "$T/db/se3-ipxe.db-shm"
scgi GET "" "" admin
is "$status" 503 "broken database: 503"
is "$(wc -l < "$T/serr")" 1 "broken database: one log line"
grep -qi 'sqlite\|database disk\|not a database\|file is' "$T/sbody"; ok $((! $?)) "no SQLite text to the browser"
grep -q '^<!DOCTYPE html>' "$T/sbody"; ok $? "a short HTML error page"
cp "$T/good.db" "$T/db/se3-ipxe.db"
CONFIG=$T/none.conf scgi GET "" "" admin
is "$status" 503 "missing config: 503"
is "$(wc -l < "$T/serr")" 1 "missing config: one log line"

# --- SE3's directory: one section per parc, hostile LDAP values ------------
if slapd_missing; then
	skip "slapd not installed: the parcs"
	done_testing
	exit
fi
slapd_start "$T/slapd" 40 4
ok $? "a private slapd with 40 machines in 4 parcs"
write_config "$T/ldap.conf" "[ldap]" "uri = $SLAPD_URI" "base = $LDAP_BASE" \
    "network_timeout = 2" "timeout = 2" "[status]" "probe = no"
CONFIG=$T/ldap.conf
export CONFIG
se3ipxe set-action "$(slapd_mac 1)" memtest:run > /dev/null 2>&1
ok $? "set-action on pc-0001 by its MAC"
scgi GET /status.json "" admin
is "$status" 200 "with LDAP: 200"
is "$(json 'sorted(p["parc"] for p in d["parcs"])')" \
    "['badmacs', 'hostile', 'profs', 'salle-01', 'salle-02', 'salle-03', 'salle-04']" "one group per parc"
is "$(json '[len(p["machines"]) for p in d["parcs"] if p["parc"].startswith("salle-")]')" "[10, 10, 10, 10]" \
    "10 machines in each salle (printers and dangling members skipped)"
is "$(json '[(m["name"], m["state"], m["action"]) for p in d["parcs"] for m in p["machines"] if m["mac"] == "'"$(slapd_mac 1)"'"]')" \
    "[('pc-0001', 'pending', 'memtest:run')]" "pc-0001's row: name from LDAP, its action"
is "$(json '[m["name"] for p in d["parcs"] if p["parc"] == "profs" for m in p["machines"]][:2]')" "['pc-0000', 'pc-0010']" \
    "a machine in two parcs is in both"
json '[m for p in d["parcs"] if p["parc"] == "hostile" for m in p["machines"]]' > "$T/hostile"
grep -q 'evil\\\\x0areboot' "$T/hostile"; ok $? "hostile name: the newline as \\x0a in JSON"
scgi GET "" "" admin
is "$(grep -c '^<section' "$T/sbody")" 7 "the page: seven sections"
grep -q '<td>evil\\x0areboot</td>' "$T/sbody"; ok $? "hostile name shown as \\x0A in HTML"
grep -q 'dollar\\x20\\x24\\x7bboot\\x7d' "$T/sbody"; ok $? "\${boot} and a space shown as \\xHH"
python3 -c 'import sys
b = open(sys.argv[1], "rb").read()
sys.exit(1 if b"${" in b or b"\x0a reboot" in b else 0)' "$T/sbody"; ok $? "no \${ nor raw newline from LDAP in the page"
scgi GET /status.json "parc=salle-02" admin
is "$(json '[p["parc"] for p in d["parcs"]], len(d["parcs"][0]["machines"])')" "(['salle-02'], 10)" "?parc=salle-02: that parc alone"
scgi GET /status.json "parc=salle-99" admin
is "$status" 404 "an unknown parc: 404"
is "$(wc -l < "$T/serr")" 1 "unknown parc: one log line"

# --- what each login sees: SE3's rights and the delegations ------------------
se3ipxe delegate prof1 parc:salle-02 > /dev/null 2>&1 &&
    se3ipxe delegate --level view prof1 parc:salle-03 > /dev/null 2>&1
ok $? "root delegates salle-02 (manage) and salle-03 (view) to prof1"
scgi GET /status.json "" prof1
is "$status:$(json 'sorted(p["parc"] for p in d["parcs"])')" "200:['salle-02', 'salle-03']" \
    "prof1 sees its two delegated parcs, and only them"
scgi GET "" "" prof1
is "$(grep -c '^<section' "$T/sbody")" 2 "prof1's page: two sections"
scgi GET /status.json "parc=salle-01" prof1
is "$status" 404 "prof1 asking for salle-01, not delegated: 404, as a parc that is not there"
scgi GET /status.json "" prof2
is "$status:$(wc -l < "$T/serr")" "403:1" "prof2 (no right, though it could log in): 403, one log line"
grep -q "prof2 may see no parc" "$T/serr"; ok $? "the log line names the login"
scgi GET /status.json "" root
is "$status" 403 "a login named root is no one special: 403"
slapd_stop
scgi GET "" "" admin
is "$status" 503 "slapd stopped: 503"
is "$(wc -l < "$T/serr")" 1 "slapd stopped: one log line"
grep -q "$SLAPD_URI" "$T/serr"; ok $? "the log line names the directory"
done_testing
