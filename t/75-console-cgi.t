#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# console.cgi run as Apache runs it: set, cancel and confirm by POST with the CSRF token and Origin, every refusal writing nothing, typed forms, French and English, escaping, then SE3's rights against a private slapd.
. t/lib/tap.sh
. t/lib/cgi.sh
. t/lib/fakeinstall.sh
. t/lib/slapd.sh

unset SE3_IPXE_CONFIG LDAPURI LDAPBASE LDAPBINDDN
LDAPNOINIT=1
export LDAPNOINIT
trap 'slapd_stop; rm -rf "$T"' EXIT

write_config "$T/se3-ipxe.conf" "[status]" "refresh = 2" "probe = no" "[network]" "subnets = 10.0.0.0/8"
make_fakeinstall
db_create
M1=52:54:00:00:00:01
M2=52:54:00:00:00:02
M3=52:54:00:00:00:03
DB=$T/db/se3-ipxe.db
HOST=127.0.0.1:8080

# ccgi METHOD PATH_INFO QUERY LOGIN [BODY]: run console.cgi; headers in
# $T/chead, body in $T/cbody, stderr in $T/cerr, the status in $status.
# ORIGIN, REFERER, ACCEPT_LANGUAGE and CTYPE set those headers.
ccgi() {
	body=${5-}
	printf '%s' "$body" | env -i PATH="$PATH" ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
	    SE3_IPXE_CONFIG="${CONFIG:-$T/se3-ipxe.conf}" \
	    GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 \
	    REQUEST_METHOD="$1" PATH_INFO="$2" QUERY_STRING="$3" \
	    SCRIPT_NAME=/cgi-bin/console.cgi HTTP_HOST=$HOST REMOTE_ADDR=127.0.0.1 \
	    ${4:+"REMOTE_USER=$4"} \
	    ${ORIGIN:+"HTTP_ORIGIN=$ORIGIN"} ${REFERER:+"HTTP_REFERER=$REFERER"} \
	    ${ACCEPT_LANGUAGE:+"HTTP_ACCEPT_LANGUAGE=$ACCEPT_LANGUAGE"} \
	    CONTENT_TYPE="${CTYPE:-application/x-www-form-urlencoded}" CONTENT_LENGTH=${#body} ${CGI_EXTRA-} \
	    "$TOP/cgi/console.cgi" > "$T/cout" 2> "$T/cerr"
	status=$(sed -n '1s/^Status: \([0-9]*\) .*/\1/p' "$T/cout")
	sed -n '1,/^\r$/p' "$T/cout" > "$T/chead"
	sed '1,/^\r$/d' "$T/cout" > "$T/cbody"
}
# post LOGIN BODY: a POST from this server's page.
post() {
	ORIGIN=${ORIGIN-http://$HOST} ccgi POST "" "" "$1" "$2"
}
# token_for LOGIN [PARC]: the CSRF token the page gives that login.
token_for() {
	ccgi GET "" "parc=${2:--}" "$1"
	sed -n 's/.*name="token" value="\([^"]*\)".*/\1/p' "$T/cbody" | head -n 1
}
count() {
	echo "$(sqlite3 "$DB" 'SELECT count(*) FROM actions')/$(sqlite3 "$DB" 'SELECT count(*) FROM history')/$(sqlite3 "$DB" 'SELECT count(*) FROM power_jobs')"
}
parses() {
	python3 -c 'import html.parser, sys
html.parser.HTMLParser().feed(open(sys.argv[1]).read())' "$T/cbody"
}

se3ipxe set-action $M1 memtest:run > /dev/null 2>&1
boot "mac=$M2&platform=efi&ip=10.0.0.2"
boot "mac=$M3&platform=pcbios&ip=10.0.0.3"
fold_seen

# --- the page: without [ldap], one group of every machine -------------------
ccgi GET "" "parc=-" admin
is "$status" 200 "the page: 200"
grep -q '^Content-Security-Policy: default-src '"'self'"'; frame-ancestors '"'none'"'; form-action '"'self'"'' "$T/chead"
ok $? "CSP: default-src 'self', no frame, forms to itself"
grep -q '<html lang="fr">' "$T/cbody"; ok $? "French by default"
is "$(grep -o 'type="checkbox" name="m" value="[^"]*"' "$T/cbody" | wc -l)" 3 "a box per machine"
grep -q 'name="token" value="[0-9]*\.[0-9a-f]\{64\}"' "$T/cbody"; ok $? "the form carries a CSRF token"
is "$(grep -c '<script' "$T/cbody")" 1 "one script element, external"
grep -Eq ' style=|<style| on[a-z]+=|https?://' "$T/cbody"; ok $((! $?)) "no inline style, handler or external URL"
parses; ok $? "the page parses as HTML"
ACCEPT_LANGUAGE="en-GB,en;q=0.9" ccgi GET "" "parc=-" admin
grep -q '<html lang="en">' "$T/cbody" && grep -q 'Set the action\|Cancel the current action' "$T/cbody"
ok $? "Accept-Language en: English"
ACCEPT_LANGUAGE=en ccgi GET "" "parc=-&lang=fr" admin
grep -q '<html lang="fr">' "$T/cbody"; ok $? "?lang=fr wins over the header"
for p in /console.css /console.js; do
	ccgi GET "$p" ""
	is "$status" 200 "$p: 200"
done
grep -q 'innerHTML\|eval(' "$TOP/web/console.js"; ok $((! $?)) "the script never uses innerHTML or eval"
ccgi GET "" "" ""
is "$status" 403 "no REMOTE_USER: 403"
ccgi GET "" "parc=%3Cb%3E" admin
is "$status" 400 "parc not a word: 400"

# --- typed forms from the capability's options ------------------------------
ccgi GET "" "parc=-&cap=fakeinstall:install" admin
grep -q '<select name="o.disk"><option value="sda" selected>sda</option><option value="sdb">sdb</option>' "$T/cbody"
ok $? "enum: a select, its default selected"
grep -q 'class="warn"' "$T/cbody"; ok $? "destructive: said before the button"
ccgi GET "" "parc=-&cap=worker:restore" admin
grep -q '<input type="checkbox" name="o.verify" value="yes" checked>' "$T/cbody"; ok $? "boolean: a checkbox, default yes ticked"
grep -q '<input type="checkbox" name="o.grow" value="yes">' "$T/cbody"; ok $? "boolean: default no unticked"
grep -q '<input type="number" name="o.session" min="0" max="999999999" step="1" value="0">' "$T/cbody"
ok $? "integer: a number with its range and default"
grep -q '<input type="text" name="o.disk" autocomplete="off" value="auto" pattern="auto|\[a-z\]\[a-z0-9\]{1,15}">' "$T/cbody"
ok $? "name: text with its pattern and default"
grep -q '<input type="text" name="o.share_password" autocomplete="off" pattern="\[a-z\]\[a-z0-9_\]{0,31}" placeholder="nom d&#39;un secret" value="">' "$T/cbody"
ok $? "secret: the name of a secret, no value"
grep -q '<select name="o.image" required>' "$T/cbody"; ok $? "image: a choice from the catalogue"
grep -q '<select name="reboot"><option value="" selected>non</option><option value="wait">' "$T/cbody"
ok $? "reboot policy: none, wait, idle, force"
grep -q 'name="at"' "$T/cbody" && grep -q 'name="expires"' "$T/cbody" && grep -q 'name="max_boots"' "$T/cbody"
ok $? "--at, --expires, --max-boots"

# --- set by POST: the token, the Origin, then the library's calls ------------
TOK=$(token_for admin)
before=$(count)
post admin "parc=-&op=set&cap=memtest:run&m=$M2&m=$M3"
is "$status:$(count)" "403:$before" "no token: 403, nothing written"
grep -q 'refused: no CSRF token' "$T/cerr"; ok $? "the log says why"
post admin "token=1000.$(printf '%064d' 0)&parc=-&op=set&cap=memtest:run&m=$M2"
is "$status:$(count)" "403:$before" "a forged token: 403, nothing written"
post prof1 "token=$TOK&parc=-&op=set&cap=memtest:run&m=$M2"
is "$status:$(count)" "403:$before" "admin's token sent by another login: 403, nothing written"
ORIGIN=http://evil.example ccgi POST "" "" admin "token=$TOK&parc=-&op=set&cap=memtest:run&m=$M2"
is "$status:$(count)" "403:$before" "a foreign Origin: 403, nothing written"
ORIGIN= REFERER= ccgi POST "" "" admin "token=$TOK&parc=-&op=set&cap=memtest:run&m=$M2"
is "$status:$(count)" "403:$before" "neither Origin nor Referer: 403, nothing written"
ORIGIN= REFERER=http://evil.example/cgi-bin/console.cgi/ ccgi POST "" "" admin "token=$TOK&parc=-&op=set&cap=memtest:run&m=$M2"
is "$status:$(count)" "403:$before" "a foreign Referer: 403, nothing written"
ccgi GET "" "token=$TOK&parc=-&op=set&cap=memtest:run&m=$M2" admin
is "$status:$(count)" "200:$before" "the same as a GET: the page, nothing written"
CTYPE=text/plain post admin "token=$TOK&parc=-&op=set&cap=memtest:run&m=$M2"
is "$status:$(count)" "415:$before" "not a form: 415"
post admin "token=$TOK&parc=-&op=set&cap=memtest:run&m=52:54:00:00:00:99"
is "$status:$(count)" "403:$before" "a MAC not in the parc: 403, nothing written"
post admin "token=$TOK&parc=-&op=set&cap=memtest:run"
is "$status:$(count)" "400:$before" "nothing ticked: 400"
post admin "token=$TOK&parc=-&op=set&cap=memtest:nope&m=$M2"
is "$status:$(count)" "400:$before" "no such capability: 400"
post admin "token=$TOK&parc=-&op=set&cap=memtest:run&m=$M2&max_boots=1000"
is "$status:$(count)" "400:$before" "--max-boots out of range: 400, nothing written"
grep -q 'max-boots: &#39;1000&#39;: not a number from 1 to 100' "$T/cbody"; ok $? "the CLI's message, escaped"

REFERER=http://$HOST/cgi-bin/console.cgi/?parc=- ORIGIN= ccgi POST "" "" admin \
    "token=$TOK&parc=-&lang=fr&op=set&cap=memtest:run&m=$M2&m=$M3&reboot=idle&wol=yes&expires=2h"
is "$status" 303 "set: 303 (a same-server Referer is enough without Origin)"
grep -q '^Location: /cgi-bin/console.cgi/?parc=-&lang=fr&done=set&n=2' "$T/chead"; ok $? "to the parc's page, saying 2 set"
is "$(sqlite3 "$DB" "SELECT mac, name, state, created_by, expires_at - created_at FROM actions WHERE mac IN ('$M2', '$M3') ORDER BY mac")" \
    "$M2|memtest:run|pending|admin|7200
$M3|memtest:run|pending|admin|7200" "two actions, created by the login, --expires 2h"
is "$(sqlite3 "$DB" "SELECT who FROM history WHERE mac = '$M2' ORDER BY id DESC LIMIT 1")" admin "history: who is the login"
is "$(sqlite3 "$DB" "SELECT mac, kind, coalesce(policy, '-'), ip, who, state FROM power_jobs ORDER BY mac, kind")" \
    "$M2|reboot|idle|10.0.0.2|admin|pending
$M2|wake|-|10.0.0.2|admin|pending
$M3|reboot|idle|10.0.0.3|admin|pending
$M3|wake|-|10.0.0.3|admin|pending" "wake and reboot (idle) for the tick, by the login"
ccgi GET "" "parc=-&done=set&n=2" admin
grep -q '<p class="notice ok" role="status" id="notice">Machines dont l&#39;action est posée : 2</p>' "$T/cbody"; ok $? "the page says what was done"
grep -q "<tr class=\"st-pending\" data-mac=\"$M2\">" "$T/cbody"; ok $? "and shows it pending"
# The CLI's state words in the page's language; the class and the JSON keep them in English.
grep -q "<tr class=\"st-pending\" data-mac=\"$M2\"><td><input type=\"checkbox\" name=\"m\" value=\"$M2\"></td><td>[^<]*</td><td>$M2</td><td>10.0.0.2</td><td>memtest:run</td><td>en attente</td>" "$T/cbody"
ok $? "the French page says en attente, not pending"
grep -q 'data-words="{&#34;scheduled&#34;:&#34;programmée&#34;,&#34;pending&#34;:&#34;en attente&#34;,' "$T/cbody"
ok $? "the script's words, as JSON in an attribute, escaped"
ccgi GET "" "parc=-&lang=en" admin
grep -q "<td>memtest:run</td><td>pending</td>" "$T/cbody"; ok $? "the English page says pending"
grep -q 'data-words="{}"' "$T/cbody"; ok $? "and gives the script no words to change"
boot "mac=$M2&platform=efi&ip=10.0.0.2"
ccgi GET /console.json "parc=-" admin
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([m["state"] for m in d["parcs"][0]["machines"] if m["mac"]==sys.argv[2]])' "$T/cbody" "$M2")" \
    "['done']" "console.json: memtest:run (one-shot) done once served"

# --- --at: scheduled, its reboot due with it -----------------------------------------
post admin "token=$TOK&parc=-&op=set&cap=memtest:run&m=$M3&at=%2B2h&reboot=force"
is "$status" 303 "set with --at +2h: 303"
is "$(sqlite3 "$DB" "SELECT a.state, a.start_at = p.due_at, a.start_at - a.created_at BETWEEN 7190 AND 7210 FROM actions a JOIN power_jobs p ON p.action_id = a.id WHERE a.mac = '$M3' AND a.state = 'scheduled' AND p.kind = 'reboot' AND p.policy = 'force' AND p.state = 'pending'")" \
    "scheduled|1|1" "scheduled in two hours, the reboot (force) due then"
post admin "token=$TOK&parc=-&op=set&cap=memtest:run&m=$M3&at=2020-01-01+08:00"
is "$status" 400 "--at in the past: 400"
grep -q 'at: ' "$T/cbody"; ok $? "the CLI's message: $(grep -o 'id="notice">[^<]*' "$T/cbody" | head -c 120)"

# --- a destructive action: confirmed by its count, or nothing -------------------
before=$(count)
post admin "token=$TOK&parc=-&op=set&cap=fakeinstall:install&o.disk=sdb&m=$M2&m=$M3"
is "$status:$(count)" "200:$before" "destructive: a confirmation page, nothing written"
grep -q 'Machines dont les disques seront EFFACÉS : 2' "$T/cbody"; ok $? "it names how many machines"
grep -q '<input type="hidden" name="confirm" value="2">' "$T/cbody"; ok $? "and asks a second POST with confirm=2"
grep -q '<input type="hidden" name="o.disk" value="sdb">' "$T/cbody"; ok $? "the options kept"
parses; ok $? "the confirmation parses as HTML"
post admin "token=$TOK&parc=-&op=set&cap=fakeinstall:install&o.disk=sdb&m=$M2&m=$M3&confirm=1"
is "$status:$(count)" "409:$before" "confirm=1 for 2 machines: 409, nothing written"
post admin "token=$TOK&parc=-&op=set&cap=fakeinstall:install&o.disk=sdz&m=$M2&m=$M3&confirm=2"
is "$status:$(count)" "400:$before" "a value not in the enum: 400, nothing written"
post admin "token=$TOK&parc=-&op=set&cap=fakeinstall:install&o.disk=sdb&m=$M2&m=$M3&confirm=2"
is "$status" 303 "confirmed: 303"
is "$(sqlite3 "$DB" "SELECT a.name, o.value FROM actions a JOIN action_options o ON o.action_id = a.id WHERE a.mac = '$M3' AND a.state = 'pending' AND o.key = 'disk'")" \
    "fakeinstall:install|sdb" "the option written"

# --- cancel ------------------------------------------------------------------
post admin "token=$TOK&parc=-&op=cancel&m=$M2&m=$M3"
is "$status" 303 "cancel: 303"
grep -q 'done=cancel&n=2' "$T/chead"; ok $? "two cancelled"
is "$(sqlite3 "$DB" "SELECT count(*) FROM actions WHERE mac IN ('$M2', '$M3') AND state NOT IN ('cancelled', 'expired', 'done', 'failed')")" 0 "none active"
is "$(sqlite3 "$DB" "SELECT who FROM history WHERE mac = '$M3' ORDER BY id DESC LIMIT 1")" admin "cancelled by the login"

# --- a machine's history (the CLI's history) --------------------------------------
ccgi GET "" "parc=-&history=$M3" admin
grep -q "<section id=\"history\">.*" "$T/cbody" && grep -q "<option value=\"$M3\" selected>" "$T/cbody"
ok $? "history: the machine chosen among the parc's"
grep -q "<td>memtest:run</td><td>[^<]*</td><td>[^<]* → annulée</td><td>admin</td>" "$T/cbody"
ok $? "history: its rows, the change in French, by the login ($(grep -o '<td>memtest:run</td>.*annul[^<]*' "$T/cbody" | head -n 1))"
se3ipxe history $M3 > "$T/hist.cli"
is "$(grep -c '^<tr><td>[0-9]' "$T/cbody")" "$(wc -l < "$T/hist.cli" | tr -d ' ')" "history: as many rows as the CLI's"
ccgi GET "" "parc=-&history=52:54:00:99:99:99" admin
! grep -q '<div class="scroll"><table>$' "$T/cbody" && ! grep -q '<option value="52:54:00:99:99:99"' "$T/cbody"
ok $? "history of a machine not in the parc: none shown"
ccgi GET "" "parc=-&history=%3Cscript%3E" admin
is "$status" 200 "history=<script>: the page, nothing else"

# --- wake and reboot without an action (the CLI's wol and reboot) ---------------
ccgi GET "" "parc=-" admin
grep -q '<fieldset id="power">' "$T/cbody"; ok $? "power: a fieldset to wake or reboot"
jobs() { sqlite3 "$DB" "SELECT count(*) FROM power_jobs"; }
j0=$(jobs)
post admin "token=$TOK&parc=-&op=power&m=$M2&m=$M3"
is "$status:$(jobs)" "400:$j0" "power with neither a wake nor a reboot: 400, nothing queued"
post admin "token=$TOK&parc=-&op=power&m=$M2&power_wol=yes&power_at=yesterday"
is "$status:$(jobs)" "400:$j0" "power with a bad --at: 400, nothing queued"
post admin "token=$TOK&parc=-&op=power&m=$M2&power_reboot=sometimes"
is "$status:$(jobs)" "400:$j0" "power with a bad policy: 400, nothing queued"
post admin "token=$TOK&parc=-&op=power&m=$M2&m=$M3&power_wol=yes&power_reboot=idle"
is "$status" 303 "power: wake and reboot (idle) two machines: 303"
grep -q 'done=power&n=2' "$T/chead"; ok $? "... the page says two"
is "$(sqlite3 "$DB" "SELECT group_concat(mac || ' ' || kind || ' ' || coalesce(policy, '-') || ' ' || coalesce(action_id, 0) || ' ' || who, ', ') FROM (SELECT * FROM power_jobs WHERE state = 'pending' ORDER BY mac, kind)")" \
    "$M2 reboot idle 0 admin, $M2 wake - 0 admin, $M3 reboot idle 0 admin, $M3 wake - 0 admin" \
    "... four jobs of no action for the tick, by the login"

# --- multicast: clone's session, its members' restores, its runner -------------
# The runner is a stand-in that records how it was run: nothing is sent here.
mkdir -p "$T/images"
write_config "$T/mc.conf" "[status]" "probe = no" "[images]" "dir = $T/images"
catalogue_image img1 "$M1"
printf '#!/bin/sh\necho "$@" > %s/runner.args\n' "$T" > "$T/fake-se3-ipxe"
chmod +x "$T/fake-se3-ipxe"
CONFIG=$T/mc.conf ccgi GET "" "parc=-" admin
grep -q '<select name="image"><option value="img1">img1</option></select>' "$T/cbody"; ok $? "clone: the image from the catalogue"
grep -q 'name="c.session"\|name="c.port"\|name="c.image"' "$T/cbody"; ok $((! $?)) "clone: not the options the session sets"
before=$(count)
CONFIG=$T/mc.conf post admin "token=$TOK&parc=-&op=clone&image=img1&c.disk=auto&c.verify=yes&max_wait=120&m=$M2&m=$M3"
# The default route's interface must be one udp-sender can use (clone's preflight).
if [ "$status" = 200 ] || ! grep -q 'interface\|default route' "$T/cbody"; then
	is "$status:$(count):$(sqlite3 "$DB" 'SELECT count(*) FROM mcast_sessions')" "200:$before:0" \
	    "clone: a confirmation first, nothing written, no session"
	grep -q '<input type="hidden" name="confirm" value="2">' "$T/cbody"; ok $? "clone: confirm=2"
	CONFIG=$T/mc.conf post admin "token=$TOK&parc=-&op=clone&image=img1&c.disk=%2Fdev%2Fsda&max_wait=120&m=$M2&m=$M3&confirm=2"
	is "$status:$(count):$(sqlite3 "$DB" 'SELECT count(*) FROM mcast_sessions')" "400:$before:0" \
	    "clone with a bad option: 400, nothing left behind"
	CONFIG=$T/mc.conf post admin "token=$TOK&parc=-&op=clone&image=img1&max_wait=120&m=$M2&m=$M3&confirm=2&clone_at=yesterday"
	is "$status:$(count):$(sqlite3 "$DB" 'SELECT count(*) FROM mcast_sessions')" "400:$before:0" \
	    "clone with a bad --at: 400, nothing made"
	CONFIG=$T/mc.conf CGI_EXTRA="SE3_IPXE_BIN=$T/fake-se3-ipxe" post admin \
	    "token=$TOK&parc=-&op=clone&image=img1&c.disk=auto&c.verify=yes&max_wait=120&m=$M2&m=$M3&confirm=2&clone_reboot=force&clone_wol=yes"
	is "$status" 303 "clone confirmed: 303"
	sid=$(sqlite3 "$DB" 'SELECT id FROM mcast_sessions')
	grep -q "done=clone&n=$sid" "$T/chead"; ok $? "the page names session $sid"
	is "$(sqlite3 "$DB" "SELECT image, created_by, max_wait FROM mcast_sessions")" "img1|admin|120" "the session, by the login"
	is "$(sqlite3 "$DB" "SELECT count(*) FROM mcast_members WHERE session = $sid")" 2 "two members"
	is "$(sqlite3 "$DB" "SELECT p.kind || ':' || coalesce(p.policy, '-') FROM power_jobs p JOIN mcast_members m ON m.action_id = p.action_id WHERE m.session = $sid AND m.mac = '$M2' ORDER BY p.kind")" \
	    "reboot:force
wake:-" "their wake and reboot (force) for the tick"
	is "$(sqlite3 "$DB" "SELECT group_concat(o.key || '=' || o.value, ' ') FROM actions a JOIN action_options o ON o.action_id = a.id WHERE a.mac = '$M3' AND a.state = 'pending' AND o.key IN ('image', 'session', 'wait')")" \
	    "image=img1 session=$sid wait=180" "the members' worker:restore, the session's options"
	for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$T/runner.args" ] && break; sleep 0.1; done
	is "$(cat "$T/runner.args" 2>/dev/null)" "session run $sid" "its runner started: se3-ipxe session run $sid"
	CONFIG=$T/mc.conf ccgi GET "" "parc=-" admin
	grep -q "<tr data-session=\"$sid\"><td>$sid</td><td>img1</td><td>en formation</td><td>admin</td><td>$M2 en démarrage<br>$M3 en démarrage</td>" "$T/cbody"
	ok $? "the page shows the open session and its members: $(grep -o '<tr data-session=.*' "$T/cbody" | head -c 200)"
	grep -q 'value="session-cancel"' "$T/cbody"; ok $? "with its cancel button"
	CONFIG=$T/mc.conf post admin "token=$TOK&parc=-&op=session-cancel"
	is "$status" 400 "session-cancel without a session: 400"
	CONFIG=$T/mc.conf post admin "token=$TOK&parc=-&op=session-cancel&session=$sid"
	is "$status" 303 "session-cancel: 303"
	is "$(sqlite3 "$DB" "SELECT state FROM mcast_sessions WHERE id = $sid")" cancelled "the session cancelled"
	is "$(sqlite3 "$DB" "SELECT count(*) FROM actions WHERE name = 'worker:restore' AND state = 'pending'")" 0 "its members' restores with it"
	CONFIG=$T/mc.conf post admin "token=$TOK&parc=-&op=session-fallback&session=$sid"
	is "$status:$(sed -n 's/^Location: .*done=\(.*\)\r$/\1/p' "$T/chead")" "303:session-fallback&n=2" \
	    "session-fallback: the two members given a unicast restore"
	is "$(sqlite3 "$DB" "SELECT count(*) FROM actions a JOIN action_options o ON o.action_id = a.id WHERE a.name = 'worker:restore' AND a.state = 'pending' AND a.created_by = 'admin' AND o.key = 'session' AND o.value = '0'")" 2 \
	    "... worker:restore session=0, by the login"

	# clone --from: a machine of the parc saved first, as a new image.
	CONFIG=$T/mc.conf ccgi GET "" "parc=-" admin
	grep -q "<select name=\"from\"><option value=\"\">non : une image du catalogue</option>.*<option value=\"$M1\">" "$T/cbody"
	ok $? "clone: a master to save first, among the parc's machines"
	nsess=$(sqlite3 "$DB" 'SELECT count(*) FROM mcast_sessions')
	for bad in "from=$M1&new_image=img1" "from=$M2&new_image=master-2" "from=52:54:00:99:99:99&new_image=master-2" \
	    "from=$M1&new_image=..%2Fx" "from=$M1"; do
		CONFIG=$T/mc.conf post admin "token=$TOK&parc=-&op=clone&$bad&max_wait=120&m=$M2&m=$M3&confirm=2"
		is "$status:$(sqlite3 "$DB" 'SELECT count(*) FROM mcast_sessions')" "$( [ "${bad#*99:99}" != "$bad" ] && echo 403 || echo 400):$nsess" \
		    "clone $bad: refused, nothing made ($(grep -o 'id="notice">[^<]*' "$T/cbody" | cut -c14-100))"
	done
	CONFIG=$T/mc.conf CGI_EXTRA="SE3_IPXE_BIN=$T/fake-se3-ipxe" post admin \
	    "token=$TOK&parc=-&op=clone&from=$M1&new_image=master-2&c.disk=auto&max_wait=120&m=$M2&m=$M3&confirm=2&clone_wol=yes"
	is "$status" 303 "clone from a master: 303"
	sid=$(sqlite3 "$DB" 'SELECT max(id) FROM mcast_sessions')
	is "$(sqlite3 "$DB" "SELECT state, image, source_mac FROM mcast_sessions WHERE id = $sid")" "saving|master-2|$M1" \
	    "the session is saving its master first"
	is "$(sqlite3 "$DB" "SELECT a.name || ' ' || a.state || ' ' || o.value FROM actions a JOIN action_options o ON o.action_id = a.id AND o.key = 'name' WHERE a.mac = '$M1' AND a.state = 'pending'")" \
	    "worker:save pending master-2" "the master: a worker:save named after the new image"
	is "$(sqlite3 "$DB" "SELECT group_concat(state, ' ') FROM actions WHERE mac IN ('$M2', '$M3') AND name = 'worker:restore' AND state IN ('scheduled', 'pending')")" \
	    "scheduled scheduled" "the members' restores held until it is saved"
	is "$(sqlite3 "$DB" "SELECT count(*) FROM power_jobs WHERE mac = '$M1' AND kind = 'wake' AND due_at <= strftime('%s', 'now')")" 1 \
	    "the master woken now, the members later"
	CONFIG=$T/mc.conf post admin "token=$TOK&parc=-&op=session-cancel&session=$sid"
	is "$(sqlite3 "$DB" "SELECT state FROM mcast_sessions WHERE id = $sid") $(sqlite3 "$DB" "SELECT count(*) FROM actions WHERE state IN ('scheduled', 'pending') AND mac IN ('$M1', '$M2', '$M3')")" \
	    "cancelled 0" "cancelled while saving: the save and the restores with it"

	# clone --from --sysprep: the master's Windows prepared first (t/80 runs it against smbd).
	CONFIG=$T/mc.conf ccgi GET "" "parc=-" admin
	grep -q '<input type="checkbox" name="sysprep" value="yes"> Windows : le préparer d&#39;abord (sysprep)' "$T/cbody"
	ok $? "clone: a box to run sysprep on the master first"
	nsess=$(sqlite3 "$DB" 'SELECT count(*) FROM mcast_sessions')
	CONFIG=$T/mc.conf post admin "token=$TOK&parc=-&op=clone&from=$M1&new_image=master-3&sysprep=yes&max_wait=120&m=$M2&m=$M3&confirm=2"
	is "$status:$(sqlite3 "$DB" 'SELECT count(*) FROM mcast_sessions')" "503:$nsess" \
	    "sysprep without [reboot] net_auth_file: refused, nothing made ($(grep -o 'id="notice">[^<]*' "$T/cbody" | cut -c14-120))"
	printf 'username = adminse3\npassword = x\n' > "$T/net.auth"
	chmod 600 "$T/net.auth"
	cp "$T/mc.conf" "$T/mcp.conf"
	printf '[reboot]\nnet_auth_file = %s\n' "$T/net.auth" >> "$T/mcp.conf"
	sqlite3 "$DB" "INSERT INTO machines (mac, first_seen, last_seen, ip) VALUES ('$M1', 1, 1, '127.0.0.1') ON CONFLICT (mac) DO UPDATE SET ip = '127.0.0.1'"
	CONFIG=$T/mcp.conf CGI_EXTRA="SE3_IPXE_BIN=$T/fake-se3-ipxe" post admin \
	    "token=$TOK&parc=-&op=clone&from=$M1&new_image=master-3&sysprep=yes&max_wait=120&m=$M2&m=$M3&confirm=2&clone_wol=yes"
	is "$status" 303 "clone from a master with sysprep: 303 ($(grep -o 'id="notice">[^<]*' "$T/cbody" | cut -c14-120))"
	sid=$(sqlite3 "$DB" 'SELECT max(id) FROM mcast_sessions')
	is "$(sqlite3 "$DB" "SELECT state, source_mac, prep_addr, length(prep_token) FROM mcast_sessions WHERE id = $sid")" "preparing|$M1|127.0.0.1|48" \
	    "the session is preparing its master, at its address, with a token for its report"
	is "$(sqlite3 "$DB" "SELECT state FROM actions WHERE mac = '$M1' AND name = 'worker:save' ORDER BY id DESC LIMIT 1") $(sqlite3 "$DB" "SELECT count(*) FROM power_jobs WHERE mac = '$M1' AND action_id = (SELECT max(id) FROM actions WHERE mac = '$M1')")" \
	    "scheduled 0" "the master's save held, and the master neither woken nor rebooted (it runs Windows)"
	CONFIG=$T/mc.conf post admin "token=$TOK&parc=-&op=session-cancel&session=$sid"
else
	is "$(count):$(sqlite3 "$DB" 'SELECT count(*) FROM mcast_sessions')" "$before:0" \
	    "no interface to multicast on here: refused, nothing made ($(grep -o 'id="notice">[^<]*' "$T/cbody" | cut -c14-120))"
fi

# --- hostile values render inert -----------------------------------------------
se3ipxe set-action --yes $M2 fakeinstall:install disk=sda > /dev/null 2>&1
boot "mac=$M2&platform=efi&ip=10.0.0.2"
ccgi GET /console.json "parc=-" admin
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([m["state"] for m in d["parcs"][0]["machines"] if m["mac"]==sys.argv[2]])' "$T/cbody" "$M2")" \
    "['booting']" "console.json: an install booting after a boot request"
cgi GET /report "token=$(token_of $M2)&status=running&progress=40&msg=%3Cscript%3Ealert(1)%3C/script%3E%20%22q%22%20%27a%27%20%26amp;"
fold_seen
ccgi GET "" "parc=-" admin
grep -q '&#60;script&#62;alert(1)&#60;/script&#62; &#34;q&#34; &#39;a&#39; &#38;amp;' "$T/cbody"; ok $? "a hostile message escaped"
grep -qi '<script>alert' "$T/cbody"; ok $((! $?)) "no raw hostile markup"
printf 'smbpass = S3cretValue\n' > "$T/secrets"
chmod 600 "$T/secrets"
write_config "$T/sec.conf" "[status]" "probe = no" "[secrets]" "file = $T/secrets"
CONFIG=$T/sec.conf ccgi GET "" "parc=-&cap=worker:restore" admin
grep -q S3cretValue "$T/cbody"; ok $((! $?)) "no secret's value in the page"

# --- the key beside the database ------------------------------------------------
is "$(stat -c %a "$T/db/console.key")" 600 "the CSRF key: beside the database, 0600"
mv "$T/db/console.key" "$T/old.key"
post admin "token=$TOK&parc=-&op=cancel&m=$M2"
is "$status" 403 "a new key: the old tokens refused"

# --- SE3's directory: rights as the CLI's --------------------------------------
if slapd_missing; then
	skip "slapd not installed: the rights"
	done_testing
	exit
fi
slapd_start "$T/slapd" 40 4
ok $? "a private slapd with 40 machines in 4 parcs"
write_config "$T/ldap.conf" "[ldap]" "uri = $SLAPD_URI" "base = $LDAP_BASE" \
    "network_timeout = 2" "timeout = 2" "[status]" "probe = no"
CONFIG=$T/ldap.conf
export CONFIG
se3ipxe delegate prof1 parc:salle-02 > /dev/null 2>&1 &&
    se3ipxe delegate --level view prof1 parc:salle-03 > /dev/null 2>&1
ok $? "root delegates salle-02 (manage) and salle-03 (view) to prof1"
ccgi GET "" "" admin
is "$(grep -o '<option value="[^"]*"' "$T/cbody" | tr '\n' ' ')" \
    '<option value="badmacs" <option value="hostile" <option value="profs" <option value="salle-01" <option value="salle-02" <option value="salle-03" <option value="salle-04" ' \
    "admin: every parc"
ccgi GET "" "" prof1
is "$(grep -o '<option value="[^"]*"' "$T/cbody" | tr '\n' ' ')" '<option value="salle-02" <option value="salle-03" ' \
    "prof1: its two delegated parcs only"
ccgi GET "" "parc=salle-03" prof1
grep -q 'name="token"\|type="checkbox"' "$T/cbody"; ok $((! $?)) "salle-03 (view): no form, no box"
grep -q 'lecture seule' "$T/cbody"; ok $? "it says read only"
ccgi GET "" "parc=salle-01" prof1
grep -q '<section id="parc"' "$T/cbody"; ok $((! $?)) "salle-01 (not delegated): not shown"
PTOK=$(token_for prof1 salle-02)
before=$(count)
# pc-0001 is in salle-02 (1 % 4 + 1), pc-0000 in salle-01, pc-0002 in salle-03.
post prof1 "token=$PTOK&parc=salle-01&op=set&cap=memtest:run&m=$(slapd_mac 0)"
is "$status:$(count)" "403:$before" "prof1's forged POST on salle-01: 403, nothing written"
post prof1 "token=$PTOK&parc=salle-03&op=set&cap=memtest:run&m=$(slapd_mac 2)"
is "$status:$(count)" "403:$before" "prof1 on salle-03 (view only): 403, nothing written"
post prof1 "token=$PTOK&parc=salle-02&op=set&cap=memtest:run&m=$(slapd_mac 1)&m=$(slapd_mac 0)"
is "$status:$(count)" "403:$before" "a machine of salle-01 slipped into salle-02's form: 403, nothing written"
post prof1 "token=$PTOK&parc=salle-02&op=set&cap=memtest:run&m=$(slapd_mac 1)&m=$(slapd_mac 5)"
is "$status" 303 "prof1 on salle-02: 303"
is "$(sqlite3 "$DB" "SELECT host, created_by FROM actions WHERE mac = '$(slapd_mac 5)' AND state = 'pending'")" "pc-0005|prof1" \
    "set by prof1, the machine's name from LDAP"
ccgi GET "" "" prof2
is "$status" 403 "prof2 (no right): 403"
ATOK=$(token_for admin hostile)
ccgi GET "" "parc=hostile" admin
parses; ok $? "parc hostile: the page parses"
python3 -c 'import sys
b = open(sys.argv[1], "rb").read()
sys.exit(1 if b"${" in b or b"\x0areboot" in b else 0)' "$T/cbody"; ok $? "no \${ nor raw newline from LDAP"
slapd_stop
done_testing
