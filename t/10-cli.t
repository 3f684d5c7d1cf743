#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The se3-ipxe command: usage and man page agree, bad input changes nothing, every verb against a scratch database.
. t/lib/tap.sh
. t/lib/cli.sh

unset SE3_IPXE_CONFIG SUDO_USER
TZ=UTC
export TZ
CONF=$T/se3-ipxe.conf
cli_test_module "$T/modules"
cli_config "$CONF" "$TOP/modules:$T/modules"

# --- global options, usage and the man page --------------------------------
version=$(sed -n 's/^#define SIP_VERSION "\(.*\)"$/\1/p' "$TOP/lib/se3ipxe.h")
is "$("$SIP" --version)" "se3-ipxe $version" "--version"
is "$("$SIP" -V)" "se3-ipxe $version" "-V"
help_usage > "$T/help"
man_synopsis > "$T/synopsis"
diff -u "$T/synopsis" "$T/help" > "$T/diff"
ok $? "--help usage lines are the SYNOPSIS of se3-ipxe.8"
[ "$(wc -l < "$T/help")" -eq 24 ]
ok $? "--help: one line per verb and the global line"
bad=
for verb in set-action cancel status machines history preview actions tick cleanup check setup dhcp-config help; do
	want=$(grep "^se3-ipxe $verb\( \|\$\)" "$T/help")
	a=$("$SIP" help "$verb" | sed '1!d; s/^usage://' | normalise)
	b=$("$SIP" "$verb" --help | sed '1!d; s/^usage://' | normalise)
	[ -n "$want" ] && [ "$a" = "$want" ] && [ "$b" = "$want" ] || bad="$bad $verb"
done
is "$bad" "" "help VERB and VERB --help print the verb's line of --help"
# Usage lines alone do not say what a verb does (issue 6, defect 6).
"$SIP" --help > "$T/help.full"
bad=
for verb in set-action cancel status machines history preview actions tick cleanup check setup dhcp-config help; do
	summary=$(sed -n "s/^  $verb  *\([a-z].*\)/\1/p" "$T/help.full")
	[ -n "$summary" ] && [ "$("$SIP" "$verb" --help | sed -n 3p)" = "$summary" ] &&
	    [ "$("$SIP" help "$verb" | sed -n 3p)" = "$summary" ] || bad="$bad $verb"
done
is "$bad" "" "--help says what each verb does, and VERB --help says it too"
bad=
for word in TARGET ACTION DURATION TIME; do
	grep -q "^  $word  *[a-zA-Z+]" "$T/help.full" || bad="$bad $word"
done
is "$bad" "" "--help says what TARGET, ACTION, DURATION and TIME look like"
"$SIP" set-action --help | grep -q '^  TIME  *now, +DURATION'
ok $? "set-action --help says what its TIME looks like"
"$SIP" set-action --frobnicate > /dev/null 2> "$T/err"
is "$(wc -l < "$T/err")" 2 "a usage error stays short: the error and the usage line"
mandoc -Tlint -Wwarning "$TOP/man/se3-ipxe.8" > "$T/lint" 2>&1
ok $? "se3-ipxe.8 is clean under mandoc -Tlint -Wwarning"

# --- init: the one verb, with set-action, that creates the database -----------
IDIR=$T/init
mkdir -p "$IDIR/db"
printf '[database]\npath = %s/db/se3-ipxe.db\n[modules]\npath = %s/modules\n' \
    "$IDIR" "$TOP" > "$IDIR/conf"
"$SIP" -c "$IDIR/conf" init > "$T/out" 2> "$T/err"
is "$?" 0 "init: exit 0"
grep -q "^created $IDIR/db/se3-ipxe.db (schema [0-9]*)\$" "$T/out"
ok $? "init: says it created the database: $(cat "$T/out")"
test -s "$IDIR/db/se3-ipxe.db-active"
ok $? "init: the active list is written, the fast path is ready"
"$SIP" -c "$IDIR/conf" init > "$T/out" 2> "$T/err"
is "$?" 0 "init again: exit 0"
grep -q "^up to date: $IDIR/db/se3-ipxe.db" "$T/out"
ok $? "init again: nothing to do, and says so"
is "$(sqlite3 "$IDIR/db/se3-ipxe.db" 'SELECT count(*) FROM actions')" 0 \
    "init again: nothing written"
rm -rf "$IDIR/db"
"$SIP" -c "$IDIR/conf" init > "$T/out" 2> "$T/err"
is "$?" 1 "init without its directory: exit 1"
grep -q "database directory $IDIR/db does not exist" "$T/err"
ok $? "init without its directory: names it"
test ! -e "$IDIR/db"
ok $? "init without its directory: creates nothing"

"$SIP" -c "$CONF" frobnicate > "$T/out" 2> "$T/err"
is "$?" 2 "unknown verb: exit 2"
grep -q "'frobnicate': unknown command" "$T/err"
ok $? "unknown verb: named"
"$SIP" -c "$CONF" set > /dev/null 2>&1
is "$?" 2 "no prefix guessing: 'set' is unknown"
"$SIP" > /dev/null 2>&1
is "$?" 2 "no verb: exit 2"
"$SIP" --frobnicate status > /dev/null 2>&1
is "$?" 2 "unknown global option: exit 2"
"$SIP" help frobnicate > /dev/null 2>&1
is "$?" 2 "help of an unknown verb: exit 2"
run set-action --frobnicate 52:54:00:00:00:01 memtest:run
is "$rc" 2 "unknown verb option: exit 2"
grep -q "^usage: se3-ipxe set-action " "$T/err"
ok $? "unknown verb option: the verb's usage on stderr"
run set-action 52:54:00:00:00:01
is "$rc" 2 "set-action without ACTION: exit 2"
# Which operand is missing is named (issue 6, defect 4).
run set-action memtest:run
is "$rc" 2 "set-action ACTION without TARGET: exit 2"
grep -q "set-action: missing TARGET" "$T/err" && ! grep -q "missing ACTION" "$T/err"
ok $? "set-action ACTION alone: says missing TARGET"
run set-action 52:54:00:00:00:01
grep -q "set-action: missing ACTION" "$T/err"
ok $? "set-action TARGET alone: says missing ACTION"
run set-action memtest:run 52:54:00:00:00:01
is "$rc" 2 "set-action ACTION TARGET (reversed): exit 2"
grep -q "set-action: ACTION must come after the TARGETs" "$T/err"
ok $? "set-action reversed: says the order"
run set-action
grep -q "set-action: missing TARGET and ACTION" "$T/err"
ok $? "set-action alone: says missing TARGET and ACTION"
run set-action label=abc
grep -q "set-action: missing TARGET and ACTION" "$T/err"
ok $? "set-action KEY=VALUE alone: says missing TARGET and ACTION"

# Long options are exact, like the verbs: no GNU abbreviation (defect 5).
while read -r what name args; do
	before=$(dbdump)
	# shellcheck disable=SC2086
	"$SIP" $args < /dev/null > "$T/out" 2> "$T/err"
	is "$?" 2 "$what: exit 2"
	grep -q "unknown option '$name'" "$T/err"
	ok $? "$what: names '$name'"
	is "$(dbdump)" "$before" "$what: database unchanged"
done <<EOF2
set-action---ex --ex -c $CONF set-action 52:54:00:00:00:01 memtest:run --ex 5m
set-action---max --max -c $CONF set-action --max 2 52:54:00:00:00:01 memtest:run
set-action---at= --a -c $CONF set-action 52:54:00:00:00:01 memtest:run --a=now
status---js --js -c $CONF status --js
actions---j --j -c $CONF actions --j
preview---plat --plat -c $CONF preview --plat efi 52:54:00:00:00:01
dhcp-config---leg --leg -c $CONF dhcp-config --leg
verb---he --he -c $CONF status --he
global---conf --conf --conf $CONF status
global---vers --vers --vers
global---h --h --h
EOF2
run set-action 52:54:00:00:00:01 memtest:run --at --expires 5m
is "$rc:$(nrows actions)" "1:0" "an option's argument is not taken for an option"
run set-action 52:54:00:00:00:01 memtest:run --max-boots
is "$rc" 2 "option without its argument: exit 2"
run history
is "$rc" 2 "history without TARGET: exit 2"
run cleanup extra
is "$rc" 2 "cleanup with an argument: exit 2"

# --- set-action: bad input is refused and changes nothing ------------------
M1=52:54:00:00:00:01
CONFIG=$CONF db_create
cgi_boot "mac=$M1&platform=pcbios"
CONFIG=$CONF fold_seen
is "$(nrows machines):$(nrows actions)" "1:0" "a machine booted: a database without actions"
while read -r what name args; do
	before=$(dbdump)
	# shellcheck disable=SC2086
	run set-action $args
	is "$rc" 1 "$what: exit 1"
	one_line_naming "$name"
	ok $? "$what: one line naming '$name'"
	is "$(dbdump)" "$before" "$what: database unchanged"
done <<EOF
bad-MAC zz:zz zz:zz memtest:run
one-bad-MAC-of-three 52:54:00:00:00:0g $M1 52:54:00:00:00:0g 525400000003 memtest:run
unknown-module nope nope:run $M1 nope:run
unknown-capability memtest:nope $M1 memtest:nope
not-an-action stray $M1 stray
unknown-option bogus $M1 memtest:run bogus=1
integer-out-of-range 9 $M1 wipe:disk label=abc passes=9
enum-value slow $M1 wipe:disk label=abc mode=slow
name-pattern ABC $M1 wipe:disk label=ABC
required-option label $M1 wipe:disk
repeated-option mode $M1 wipe:disk label=abc mode=fast mode=full
max-boots-0 0 $M1 memtest:run --max-boots 0
max-boots-101 101 $M1 memtest:run --max-boots 101
max-boots-word two --max-boots two $M1 memtest:run
expires-99y 99y $M1 memtest:run --expires 99y
expires-30s 30s $M1 --expires 30s memtest:run
expires-31d 31d $M1 memtest:run --expires 31d
at-garbage soon $M1 memtest:run --at soon
at-past 2001-01-01 $M1 memtest:run --at 2001-01-01T00:00
at-end-of-time @9223372036854775000 $M1 memtest:run --at @9223372036854775000
at-int64-max @9223372036854775807 $M1 memtest:run --at @9223372036854775807
at-year-9999 9999-12-31T23:59 $M1 memtest:run --at 9999-12-31T23:59
at-367d +367d $M1 memtest:run --at +367d
at-huge-duration +9223372036854775807s $M1 memtest:run --at +9223372036854775807s
EOF
is "$(nrows actions)" 0 "no action rows after bad input"
# The reported cases, word for word: refused with the range, not scheduled forever.
for at in @9223372036854775000 '9999-12-31 23:59'; do
	run set-action $M1 memtest:run --at "$at"
	is "$rc" 1 "--at '$at': exit 1"
	grep -q "^se3-ipxe: set-action: --at: '$at': out of range: from a minute ago to 366 days ahead ([0-9-]* [0-9:]* to [0-9-]* [0-9:]*)\$" "$T/err" &&
	    [ "$(wc -l < "$T/err")" -eq 1 ]
	ok $? "--at '$at': one line naming the value and the range"
	is "$(nrows actions)" 0 "--at '$at': nothing stored"
done

# --- set-action: two MACs in two forms, options anywhere -------------------
run set-action aa-bb-cc-dd-ee-01 AABBCCDDEE02 memtest:run
is "$rc" 0 "set-action on two MACs"
line='memtest:run pending (max 1 boot, expires [0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9])$'
sed -n 1p "$T/out" | grep -q "^aa:bb:cc:dd:ee:01 $line" && sed -n 2p "$T/out" | grep -q "^aa:bb:cc:dd:ee:02 $line" &&
    [ "$(wc -l < "$T/out")" -eq 2 ]
ok $? "one canonical line per machine"
is "$(cat "$T/err")" "" "nothing on stderr"
is "$(nrows actions)" 2 "two action rows"
run status
grep -q '^aa:bb:cc:dd:ee:01  *memtest:run  *pending  *0/1 ' "$T/out" &&
    grep -q '^aa:bb:cc:dd:ee:02  *memtest:run  *pending  *0/1 ' "$T/out"
ok $? "status shows both, canonicalised"
head -1 "$T/out" | grep -q '^MAC  *ACTION  *STATE  *BOOTS  *PROGRESS  *LAST EVENT  *LAST SEEN  *WOKEN  *PLATFORM  *ADDRESS  *MESSAGE$'
ok $? "status: column headings"
run status --json
grep -q "machines:" "$T/out"
is "$?" 1 "status --json: no summary line in the JSON"
run status aabbccddee02
is "$(sed '1d; $d' "$T/out" | awk '{ print $1, $2 }')" "aa:bb:cc:dd:ee:02 memtest:run" "status TARGET: that one only"
is "$(tail -n 1 "$T/out")" "1 machine: 1 pending" "status: a summary line, the count in each state"
run set-action aa:bb:cc:dd:ee:03 memtest:run --max-boots 2 --expires 2h
is "$rc" 0 "options after the arguments"
grep -q "(max 2 boots, expires " "$T/out"
ok $? "--max-boots given after the action is used"
run set-action 52:54:00:00:00:09 52-54-00-00-00-09 local:boot
is "$(wc -l < "$T/out")" 1 "the same MAC twice is one machine"

run set-action $M1 memtest:run
cgi_boot "mac=$M1&platform=pcbios"
grep -q memtest "$T/body"
ok $? "ipxe.cgi serves the action set-action stored"
run status $M1
grep -q "^$M1  *memtest:run  *done  *1/1  *-  *served [0-9]*s ago  *[0-9-]* [0-9:]*  *pcbios  *127.0.0.1\$" "$T/out"
ok $? "status: done, boots, the last event and its age, last seen, platform, the address its boot pinned"
run status --json $M1
python3 -c 'import json, sys
d = json.load(sys.stdin)[0]
sys.exit(not (d["last_event"]["event"] == "served" and d["name"] is None and d["parcs"] is None))' < "$T/out"
ok $? "status --json: last_event; name and parcs null without [ldap]"

# --- status --watch ---------------------------------------------------------
MW=52:54:00:00:00:7e
run set-action $MW memtest:run
rm -f "$T/watch.rc"
( "$SIP" -c "$CONF" status --watch $MW > "$T/watch" 2> "$T/watch.err"; echo $? > "$T/watch.rc" ) &
for _ in $(seq 100); do grep -q "^$MW" "$T/watch" 2> /dev/null && break; sleep 0.1; done
grep -q "^$MW  *memtest:run  *pending " "$T/watch"
ok $? "status --watch, not a terminal: the table first"
cgi_boot "mac=$MW&platform=pcbios"
for _ in $(seq 150); do [ -s "$T/watch.rc" ] && break; sleep 0.1; done
is "$(cat "$T/watch.rc" 2> /dev/null)" 0 "status --watch: exits 0 once the action is finished"
grep -q "^[0-9-]* [0-9:]* $MW memtest:run done 1/1\$" "$T/watch"
ok $? "status --watch: a line for the change to done"
is "$(tail -n 1 "$T/watch")" "every action listed is finished" "status --watch: says why it stopped"
if command -v script > /dev/null 2>&1; then
	script -qec "$SIP -c $CONF status --watch $MW" /dev/null > "$T/tty" 2>&1
	grep -q "$(printf '\033')\[H$(printf '\033')\[2J" "$T/tty" && grep -q "se3-ipxe status, every 2s" "$T/tty" &&
	    grep -q "^$MW  *memtest:run  *done " "$T/tty"
	ok $? "status --watch on a terminal: redrawn in place, stops when all is finished"
else
	skip "status --watch on a terminal: script(1) not installed"
fi
run status --watch --json $MW
is "$rc" 2 "status --watch --json: a usage error"

# --- replacing, destructive ------------------------------------------------
run set-action aa:bb:cc:dd:ee:01 local:boot
is "$rc" 0 "replace an active action"
grep -q "aa:bb:cc:dd:ee:01: replaces memtest:run (pending)" "$T/err"
ok $? "replacing warns, naming the old action"
SUDO_USER=alice "$SIP" -c "$CONF" set-action --yes aa:bb:cc:dd:ee:04 wipe:disk label=abc passes=3 \
    > "$T/out" 2> "$T/err"
is "$?" 0 "set-action with options"
grep -q "wipe:disk is destructive" "$T/err"
ok $? "a destructive action is named as such on stderr"
is "$(sqlite3 "$DB" "SELECT group_concat(key || '=' || value, ' ') FROM (SELECT key, value FROM action_options JOIN actions ON id = action_id WHERE mac = 'aa:bb:cc:dd:ee:04' ORDER BY key)")" \
    "label=abc mode=fast passes=3" "options stored, defaults filled in"
run set-action aa:bb:cc:dd:ee:05 memtest:run --at +1h
grep -q "memtest:run scheduled (starts " "$T/out"
ok $? "--at in the future: scheduled"

# --- preview ----------------------------------------------------------------
run status --json
cp "$T/out" "$T/status.before"
machines=$(nrows machines)
run preview aa-bb-cc-dd-ee-02
is "$rc" 0 "preview: exit 0"
is "$(head -1 "$T/out")" "#!ipxe" "preview prints a script"
grep -q "memtest" "$T/out"
ok $? "preview: the action's script"
grep -q "^se3-ipxe: preview: " "$T/err"
ok $? "preview: the reason on stderr"
run status --json
cmp -s "$T/status.before" "$T/out"
ok $? "preview changes no action (status before = after)"
is "$(nrows machines)" "$machines" "preview records no machine"
run preview --platform efi 02:00:00:00:00:99
is "$rc" 0 "preview of an unknown machine"
is "$(head -1 "$T/out")" "#!ipxe" "preview of an unknown machine: a script"
grep -q "no active action" "$T/err"
ok $? "preview of an unknown machine: answered from the active list, as ipxe.cgi would"
seen_size() { if [ -f "$DB-seen" ]; then wc -c < "$DB-seen"; else echo 0; fi; }
seen_before=$(seen_size)
run preview 02:00:00:00:00:98
is "$(seen_size)" "$seen_before" "preview writes nothing to the seen journal"
# Preview serves what ipxe.cgi would, URLs included (issue 6, defects 2 and 3).
cli_config "$T/derive.conf" "$TOP/modules:$T/modules"
sed -i '/^boot_url = /d; /^cgi_url = /d' "$T/derive.conf"
M9=52:54:00:00:00:99
"$SIP" -c "$T/derive.conf" set-action $M9 memtest:run > /dev/null 2>&1
"$SIP" -c "$T/derive.conf" preview --host 127.0.0.1:8080 $M9 > "$T/preview" 2> "$T/trace"
is "$?" 0 "preview with the URLs left to the request: exit 0"
grep -q "assuming a request to Host 127.0.0.1:8080, SCRIPT_NAME /cgi-bin/ipxe.cgi" "$T/trace"
ok $? "preview says which request it assumed"
grep -q "cgi_url http://127.0.0.1:8080/cgi-bin/ipxe.cgi (not configured" "$T/trace"
ok $? "preview says which cgi_url that gave"
CONFIG=$T/derive.conf boot "mac=$M9&platform=pcbios"
cmp -s "$T/preview" "$T/body"
ok $? "preview prints exactly what ipxe.cgi then serves"
grep -q 'kernel /\|chain ?' "$T/preview"
is "$?" 1 "preview: no URL without its host"
for step in "journal: a boot would append $M9" "active list .*: $M9 is on it" \
    "action [0-9]* memtest:run: pending, boot 0/1" "expires " "smbios: not bound (the capability is not destructive)" \
    "step: pending -> done (boot)" "template .*/memtest/" "key token = [0-9a-f]"; do
	grep -q "^se3-ipxe: preview: $step" "$T/trace" || echo "missing: $step"
done > "$T/missing"
is "$(cat "$T/missing")" "" "preview traces the journal, the active list, the action, the step, the template and its keys"
"$SIP" -c "$T/derive.conf" preview --host 'bad host' $M9 > /dev/null 2>&1
is "$?" 1 "preview --host with a bad host: exit 1"
"$SIP" -c "$T/derive.conf" preview $M9 > /dev/null 2> "$T/trace"
grep -q "assuming a request to Host [^ ]*, SCRIPT_NAME" "$T/trace"
ok $? "preview without --host assumes this host"
run preview 02:00:00:00:00:97
grep -q "02:00:00:00:00:97 is not on it" "$T/err" && grep -q "template .*local.ipxe (the default answer)" "$T/err" &&
    ! grep -q "assuming" "$T/err"
ok $? "preview of an unknown machine: traced; configured URLs assume nothing"
run preview --platform bios $M1
is "$rc" 1 "preview --platform bios: exit 1"
one_line_naming bios
ok $? "preview --platform bios: named"

# --- history ----------------------------------------------------------------
run history aa:bb:cc:dd:ee:01
grep -q '^[0-9-]* [0-9:]* memtest:run set (' "$T/out"
ok $? "history shows set"
grep -q '^[0-9-]* [0-9:]* +[0-9]*s memtest:run pending -> cancelled (replaced' "$T/out"
ok $? "history shows the replacement, and how long after the set"
cut -c1-19 "$T/out" | sort -c
ok $? "history: oldest first"
run history aa:bb:cc:dd:ee:04
grep -q 'wipe:disk set (alice) .*label=abc' "$T/out"
ok $? "history: who is \$SUDO_USER, the options are the detail"
run history --json aa:bb:cc:dd:ee:01
valid_json "$T/out"
ok $? "history --json is valid JSON"
# The clock steps back an hour between two boots: history keeps the order in
# which things happened (the row id), not the order of the clock.
if command -v faketime > /dev/null 2>&1; then
	[ -n "${SIP_SANITIZE-}" ] && export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	run set-action --yes aa:bb:cc:dd:ee:09 wipe:disk label=abc --max-boots 3
	cgi_boot "mac=aa:bb:cc:dd:ee:09&platform=pcbios"
	CGI_BIN=$TOP/build/t/ipxe-dynamic.cgi CGI_WRAP="faketime @$(($(date +%s) - 3600))" \
	    cgi_boot "mac=aa:bb:cc:dd:ee:09&platform=pcbios"
	grep -q wipe "$T/body"; ok $? "clock stepped back: the second boot is served"
	run history aa:bb:cc:dd:ee:09
	is "$(sed 's/^[0-9-]* [0-9:]* //; s/^[-+][0-9a-z]* //; s/ (.*) / /' "$T/out")" "wipe:disk set mode=fast passes=1 label=abc
wipe:disk pending -> booting from 127.0.0.1
wipe:disk served boot 1/3 from 127.0.0.1
wipe:disk served boot 2/3 from 127.0.0.1" "clock stepped back: set, boot 1, boot 2, in that order"
	! cut -c1-19 "$T/out" | sort -c 2> /dev/null
	ok $? "clock stepped back: the times are not in order (the test steps the clock)"
	tail -n 1 "$T/out" | cut -d' ' -f3 | grep -Eq '^-(1h00m|59m5[0-9]s)$'
	ok $? "clock stepped back: boot 2 shows an hour before boot 1 ($(tail -n 1 "$T/out" | cut -d' ' -f3))"
	run history --json aa:bb:cc:dd:ee:09
	is "$(python3 -c 'import json, sys; print(" ".join(h["event"] for h in json.load(sys.stdin)))' < "$T/out")" \
	    "set boot served served" "history --json: in the same order"
	python3 -c 'import json, sys
s = [h["since_previous"] for h in json.load(sys.stdin)]
sys.exit(not (s[0] is None and 0 <= s[1] <= 30 and 0 <= s[2] <= 30 and -3600 <= s[3] <= -3570))' < "$T/out"
	ok $? "history --json: since_previous in seconds: null for the set, an hour back for boot 2"
	run cancel aa:bb:cc:dd:ee:09
else
	skip "faketime not installed"
fi

# --- cancel -----------------------------------------------------------------
run cancel aabbccddee02
is "$rc" 0 "cancel"
run status aa:bb:cc:dd:ee:02
grep -q 'memtest:run  *cancelled' "$T/out"
ok $? "status shows the action cancelled"
run cancel aa:bb:cc:dd:ee:02 aa:bb:cc:dd:ee:03
is "$rc" 1 "cancel of a MAC without action: exit 1"
one_line_naming aa:bb:cc:dd:ee:02
ok $? "cancel: the MAC without action is named"
is "$(sqlite3 "$DB" "SELECT state FROM actions WHERE mac = 'aa:bb:cc:dd:ee:03'")" cancelled \
    "cancel: the other MAC is cancelled all the same"
run cancel zz
is "$rc" 1 "cancel of a bad MAC: exit 1"

# --- actions ----------------------------------------------------------------
run actions
is "$rc" 0 "actions"
grep -q '^memtest:run' "$T/out" && grep -q '^local:boot' "$T/out"
ok $? "actions lists memtest:run and local:boot"
grep -q 'passes=integer 1\.\.5 (default 1)' "$T/out" && grep -q 'label=name .*(required)' "$T/out"
ok $? "actions shows option types, ranges, defaults, required"
run actions --json
valid_json "$T/out"
ok $? "actions --json is valid JSON"
python3 -c 'import json, sys
a = {c["name"]: c for c in json.load(open(sys.argv[1]))}
o = {x["name"]: x for x in a["wipe:disk"]["options"]}
assert "memtest:run" in a and "local:boot" in a
assert a["wipe:disk"]["destructive"] is True
assert o["passes"]["min"] == 1 and o["passes"]["max"] == 5
assert o["mode"]["values"] == ["fast", "full"] and o["label"]["required"] is True
' "$T/out"
ok $? "actions --json: capabilities and options"

# --- status: stored strings are untrusted ------------------------------------
esc=$(printf '\033')
sqlite3 "$DB" "UPDATE actions SET message = 'a' || char(27) || '[2J \"quoted\" back\\slash' || char(10) || 'line', progress = 42 WHERE mac = 'aa:bb:cc:dd:ee:01' AND state = 'pending'"
sqlite3 "$DB" "INSERT INTO machines (mac, first_seen, last_seen, boots, platform, product) VALUES ('aa:bb:cc:dd:ee:01', 1, 1, 1, 'efi', 'x' || char(27) || ']0;pwned' || char(7))"
run status
is "$rc" 0 "status with hostile stored strings"
grep -q "$esc" "$T/out"
is "$?" 1 "status: no raw escape byte reaches the terminal"
grep -qF 'a\x1b[2J "quoted" back\slash\x0aline' "$T/out"
ok $? "status: control bytes shown as \\xHH"
grep -q '^aa:bb:cc:dd:ee:01 .* 42% ' "$T/out"
ok $? "status: progress"
run status --json
valid_json "$T/out"
ok $? "status --json is valid JSON"
python3 -c 'import json, sys
rows = {r["mac"]: r for r in json.load(open(sys.argv[1]))}
r = rows["aa:bb:cc:dd:ee:01"]
assert r["action"]["message"] == "a\x1b[2J \"quoted\" back\\slash\nline", r["action"]["message"]
assert r["machine"]["product"] == "x\x1b]0;pwned\x07"
assert r["machine"]["platform"] == "efi"
assert r["action"]["progress"] == 42
assert rows["aa:bb:cc:dd:ee:04"]["action"]["options"]["label"] == "abc"
' "$T/out"
ok $? "status --json: escapes, quote and backslash survive JSON"
grep -q "$esc" "$T/out"
is "$?" 1 "status --json: no raw escape byte"

# --- no database yet ----------------------------------------------------------
cli_config "$T/empty.conf" "$TOP/modules"
sed -i "s|^path = $DB|path = $T/nodb/se3-ipxe.db|" "$T/empty.conf"
# Each verb says what it saw (issue 6, defect 7).
nodb() { "$SIP" -c "$T/empty.conf" "$@" < /dev/null > "$T/out" 2> "$T/err"; rc=$?; }
nodb status
is "$rc" 0 "status without a database: exit 0"
head -1 "$T/out" | grep -q '^MAC  *ACTION  *STATE '
ok $? "status without a database: the column headings all the same"
is "$(cat "$T/err")" "se3-ipxe: status: no database at $T/nodb/se3-ipxe.db (se3-ipxe init creates it): no machine recorded yet" \
    "status without a database: says so on stderr"
nodb status --json
is "$rc:$(cat "$T/out")" "0:[]" "status --json without a database: []"
grep -q "no database at $T/nodb/se3-ipxe.db" "$T/err"
ok $? "status --json without a database: says so on stderr"
nodb history $M1
is "$rc:$(cat "$T/out")" "0:" "history without a database: exit 0, nothing on stdout"
is "$(cat "$T/err")" "se3-ipxe: history: no history for $M1" "history without a database: no history for MAC"
nodb cancel $M1
is "$rc" 1 "cancel without a database: exit 1"
is "$(cat "$T/err")" "se3-ipxe: cancel: no database at $T/nodb/se3-ipxe.db: nothing to cancel" \
    "cancel without a database: nothing to cancel"
mkdir -p "$T/nodb"
nodb cancel $M1
is "$rc:$(cat "$T/err")" "1:se3-ipxe: cancel: no database at $T/nodb/se3-ipxe.db: nothing to cancel" \
    "cancel without a database, its directory there: nothing to cancel"
[ ! -e "$T/nodb/se3-ipxe.db" ]
ok $? "cancel creates no database"
rmdir "$T/nodb"
mkdir -p "$T/nomodules"
cli_config "$T/nomod.conf" "$T/nomodules"
"$SIP" -c "$T/nomod.conf" actions > "$T/out" 2> "$T/err"
is "$?:$(cat "$T/out")" "0:" "actions without modules: exit 0, nothing listed"
is "$(cat "$T/err")" "se3-ipxe: actions: no modules found on $T/nomodules" "actions without modules: says where it looked"
"$SIP" -c "$T/nomod.conf" actions --json > "$T/out" 2> "$T/err"
is "$(cat "$T/out")" "[]" "actions --json without modules: []"
"$SIP" -c "$T/nomod.conf" check > "$T/out" 2> "$T/err"
is "$?" 1 "check without modules: exit 1"
grep -q "^se3-ipxe: check: no modules found on $T/nomodules\$" "$T/err"
ok $? "check without modules: no modules found"
run history 02:00:00:00:00:77
is "$rc:$(cat "$T/out")" "0:" "history of an unknown MAC: exit 0, nothing on stdout"
is "$(cat "$T/err")" "se3-ipxe: history: no history for 02:00:00:00:00:77" "history of an unknown MAC: says so"
run history --json 02:00:00:00:00:77
is "$(cat "$T/out")" "[]" "history --json of an unknown MAC: []"
"$SIP" -c "$T/empty.conf" preview $M1 > "$T/out" 2> /dev/null
is "$?:$(head -1 "$T/out")" "0:#!ipxe" "preview without a database: a script"
[ ! -e "$T/nodb/se3-ipxe.db" ]
ok $? "read-only verbs create no database"
# A missing database directory is named, with what it needs (defect 11).
nodb set-action $M1 memtest:run
is "$rc" 1 "set-action without the database directory: exit 1"
is "$(cat "$T/err")" "se3-ipxe: set-action: database directory $T/nodb does not exist (create it owned by the user ipxe.cgi runs as, www-data on Debian, mode 0750)" \
    "set-action without the database directory: names it and the owner it needs"

# --- cleanup ----------------------------------------------------------------
now=$(date +%s)
run set-action 02:00:00:00:00:01 memtest:run --at "@$((now - 59))" --expires 1m
is "$rc" 0 "an action that starts a minute ago and expires in a second"
sleep 2
run cleanup
is "$rc" 0 "cleanup"
is "$(cat "$T/out")" "expired 1 action, purged 0 finished actions and 0 history rows" "cleanup says what it did"
is "$(sqlite3 "$DB" "SELECT state FROM actions WHERE mac = '02:00:00:00:00:01'")" expired "the action expired"
run cleanup
is "$rc:$(cat "$T/out" "$T/err")" "0:" "cleanup with nothing to do is quiet"
# The edges: a year ahead (366 days) is taken, the second after is not.
run set-action 02:00:00:00:00:02 memtest:run --expires 30d --at "@$((now + 366 * 86400 - 5))"
is "$rc" 0 "--at 366 days ahead (less 5 s): scheduled"
is "$(sqlite3 "$DB" "SELECT state, expires_at - start_at FROM actions WHERE mac = '02:00:00:00:00:02'")" "scheduled|2592000" \
    "--at 366 days ahead: expires 30d after its start"
run cancel 02:00:00:00:00:02
run set-action 02:00:00:00:00:02 memtest:run --at "@$((now + 366 * 86400 + 60))"
is "$rc" 1 "--at 366 days and a minute ahead: refused"
# A row written before times were bounded: start @9223372036854775000 and
# start + 4h wrapped negative.  It expires at the next cleanup, not never.
run set-action 02:00:00:00:00:03 memtest:run
sqlite3 "$DB" "UPDATE actions SET state = 'scheduled', start_at = 9223372036854775000,
    expires_at = -9223372036854761417 WHERE mac = '02:00:00:00:00:03'"
run cleanup
is "$rc:$(cat "$T/out")" "0:expired 1 action, purged 0 finished actions and 0 history rows" \
    "a wrapped expiry left by an older version expires at the next cleanup"
is "$(sqlite3 "$DB" "SELECT state FROM actions WHERE mac = '02:00:00:00:00:03'")" expired \
    "... and stays expired"

# --- check ------------------------------------------------------------------
# memtest:run actions wait, memtest's copies are not made (no setup here):
# those machines would not boot, and check says which.
run check
is "$rc" 1 "check fails while memtest:run actions wait for memtest's copies"
grep -q "^se3-ipxe: check: module memtest: upstream memtest86+x64.efi missing, needed by [0-9a-f:]*'s memtest:run ([a-z]*): run se3-ipxe setup memtest\$" "$T/err"
ok $? "check: ... naming the machine"
for mac in $(sqlite3 "$DB" "SELECT DISTINCT mac FROM actions WHERE state IN ('scheduled', 'pending', 'booting', 'running')"); do
	"$SIP" -c "$CONF" cancel "$mac" > /dev/null
done
run check
is "$rc" 0 "check passes on the shipped modules"
grep -v '^unset module \|^unverifiable module \|^not fetched upstream \|^not copied upstream ' "$T/out" | grep -vq '^ok '
is "$?" 1 "check: every line is ok"
grep -q '^ok module memtest ' "$T/out" && grep -q '^ok template .*/local.ipxe$' "$T/out" &&
    grep -q "^ok database $DB\$" "$T/out"
ok $? "check: modules, templates, database"
mkdir -p "$T/broken/bad"
printf '[module]\nname = bad\nthis is not ini\n' > "$T/broken/bad/module.ini"
cli_config "$T/broken.conf" "$T/broken"
"$SIP" -c "$T/broken.conf" check > "$T/out" 2> "$T/err"
is "$?" 1 "check fails on a broken module"
grep -q "$T/broken/bad/module.ini:3: " "$T/err"
ok $? "check: the error names file:line"
"$SIP" -c "$T/nonexistent.conf" check > /dev/null 2> "$T/err"
is "$?" 1 "check with a missing config file: exit 1"
grep -q "nonexistent.conf" "$T/err"
ok $? "check: the config error names the file"

# --- root becomes the owner of the database directory ------------------------
if [ "$(id -u)" -eq 0 ] && id nobody > /dev/null 2>&1; then
	mkdir -p "$T/wwwdb"
	chown nobody "$T/wwwdb"
	cli_config "$T/www.conf" "$TOP/modules"
	sed -i "s|^path = $DB|path = $T/wwwdb/se3-ipxe.db|" "$T/www.conf"
	"$SIP" -c "$T/www.conf" set-action $M1 local:boot > /dev/null 2>&1
	is "$?:$(stat -c %U "$T/wwwdb/se3-ipxe.db" 2>/dev/null)" "0:nobody" \
	    "run as root: the database is created by the directory's owner"
	"$SIP" -c "$T/www.conf" history $M1 > "$T/out" 2>&1
	grep -q "local:boot set (root)" "$T/out"
	ok $? "run as root: the history still says who ran it"
else
	skip "run as root: the database is created by the directory's owner (not root)"
	skip "run as root: the history still says who ran it (not root)"
fi

# --- stdout is checked ------------------------------------------------------
"$SIP" --version > /dev/full 2> /dev/null
is "$?" 1 "a write error on stdout is exit 1"
"$SIP" -c "$CONF" status > /dev/full 2> /dev/null
is "$?" 1 "status to a full disk: exit 1"

done_testing
