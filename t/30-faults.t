#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Fault injection on the boot path: whatever breaks, ipxe.cgi answers 200 with a whole local-boot script and logs one line.
. t/lib/tap.sh
. t/lib/cgi.sh
. t/lib/fakeinstall.sh

M=52:54:00:00:00:10
write_config "$T/se3-ipxe.conf"
DB=$T/db/se3-ipxe.db

# fault_ok NAME [MAX_LOG_LINES]: the last answer was a local boot and logged.
fault_ok() {
	is "$status" 200 "$1: 200"
	ok "$(is_local_script; echo $?)" "$1: a whole local-boot script"
	is "$(wc -l < "$T/err")" "${2:-1}" "$1: ${2:-1} log line"
}

# oom_answer_ok: a whole script (the action's or a local boot), at most one log line.
oom_answer_ok() {
	[ "$status" = 200 ] && [ "$cgi_rc" -eq 0 ] &&
	    [ "$(head -n 1 "$T/body")" = "#!ipxe" ] &&
	    { is_local_script || grep -q '^boot$' "$T/body"; } &&
	    [ "$(wc -l < "$T/err")" -le 1 ]
}

# As root, run the CGI as nobody so that file modes mean something.
if [ "$(id -u)" -eq 0 ]; then
	AS_NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
else
	AS_NOBODY=""
fi

# --- database -----------------------------------------------------------
se3ipxe set-action $M memtest:run > /dev/null 2>&1
ok $? "an action to protect"

CONFIG=$T/missing-dir.conf
write_config "$CONFIG"
sed -i "s|^path = $T/db/se3-ipxe.db|path = $T/no/such/dir/se3-ipxe.db|" "$CONFIG"
boot "mac=$M"
fault_ok "database directory missing"
grep -q "$T/no/such/dir/se3-ipxe.db" "$T/err"; ok $? "the log names the database"
# Issue 6, defect 11: not SQLite's "unable to open database file".
grep -q "the directory $T/no/such/dir does not exist; it must exist and be writable by the web server's user" "$T/err"
ok $? "the log names the directory and what it needs"
CONFIG=

# Issue 6, defect 8: only the CLI creates the database.  A deleted database
# file is answered with a local boot and one log line, never recreated.
# What the database holds may still be in its WAL: keep both.
cp "$DB" "$T/kept.db"
cp "$DB-wal" "$T/kept.db-wal"
cp "$DB-active" "$T/kept.db-active"
rm -f "$DB" "$DB-wal" "$DB-shm"
boot "mac=$M"
fault_ok "database file deleted, the MAC on the active list"
grep -q "$DB: no such database: run se3-ipxe to create it" "$T/err"; ok $? "the log names the file and the remedy"
test ! -e "$DB"; ok $? "the database file was not recreated"
rm -f "$DB-active"
boot "mac=$M"
fault_ok "database file and active list deleted"
test ! -e "$DB"; ok $? "the database file was not recreated"
cgi GET /report "token=0123456789abcdef0123456789abcdef&status=done"
is "$status" 503 "report without a database: 503"
test ! -e "$DB"; ok $? "the report did not create it either"
: > "$DB"
boot "mac=$M"
fault_ok "database file empty (no schema)"
is "$(stat -c %s "$DB")" 0 "the empty file was left empty"
cp "$T/kept.db" "$DB"
cp "$T/kept.db-wal" "$DB-wal"
cp "$T/kept.db-active" "$DB-active"

# Locked past busy_timeout: another writer holds the lock for 3 s.
( echo "BEGIN IMMEDIATE; UPDATE machines SET boots = boots;"; sleep 3; echo "COMMIT;" ) | sqlite3 -cmd ".timeout 2000" "$DB" &
locker=$!
i=0
while sqlite3 -cmd ".timeout 0" "$DB" "BEGIN IMMEDIATE; COMMIT;" > /dev/null 2>&1 && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
boot "mac=$M"
fault_ok "database locked past busy_timeout"
grep -q 'busy' "$T/err"; ok $? "the log says busy"
wait $locker
is "$(state_of $M)" "pending 0" "the locked boot changed nothing"

cp "$DB" "$T/good.db"
dd if=/dev/urandom of="$DB" bs=1024 count=8 2> /dev/null
rm -f "$DB-wal" "$DB-shm"
boot "mac=$M"
fault_ok "database is random bytes"
cp "$T/good.db" "$DB"
dd if=/dev/urandom of="$DB" bs=1024 seek=2 count=6 conv=notrunc 2> /dev/null
boot "mac=$M"
fault_ok "database pages corrupt"
: > "$DB"
boot "mac=$M"
is "$status" 200 "empty database file: 200 (recreated or refused, never a failure)"
ok "$(is_local_script; echo $?)" "empty database file: local boot"

cp "$T/good.db" "$DB"
chmod 444 "$DB"
chmod 555 "$T/db"
CGI_WRAP=$AS_NOBODY boot "mac=$M"
fault_ok "database read-only"
chmod 755 "$T/db"
chmod 644 "$DB"

rm -f "$DB" "$DB-wal" "$DB-shm"
mkfifo "$DB"
CONFIG=$T/deadline.conf
write_config "$CONFIG"
sed -i 's/^deadline = 5/deadline = 1/' "$CONFIG"
start=$(date +%s)
boot "mac=$M"
took=$(( $(date +%s) - start ))
fault_ok "database is a FIFO (hangs): deadline"
ok $((took > 3)) "deadline answered within 3 s (took ${took}s)"
CONFIG=
rm -f "$DB"
cp "$T/good.db" "$DB"

# --- configuration ----------------------------------------------------------
CONFIG=$T/none.conf boot "mac=$M"
fault_ok "config file missing"
CONFIG=$T boot "mac=$M"
fault_ok "config is a directory"
printf '[database\npath = x\n' > "$T/bad.conf"
CONFIG=$T/bad.conf boot "mac=$M"
fault_ok "config syntax error"
write_config "$T/typo.conf" "[actions]" "max_bots = 3"
CONFIG=$T/typo.conf boot "mac=$M"
fault_ok "config unknown key"
write_config "$T/range.conf" "[actions]" "max_boots = 0"
CONFIG=$T/range.conf boot "mac=$M"
fault_ok "config value out of range"
CONFIG=relative.conf boot "mac=$M"
fault_ok "config path relative"
cp "$T/se3-ipxe.conf" "$T/secret.conf"
chmod 000 "$T/secret.conf"
if [ -n "$AS_NOBODY" ] || [ "$(id -u)" -ne 0 ]; then
	CONFIG=$T/secret.conf CGI_WRAP=$AS_NOBODY boot "mac=$M"
	fault_ok "config unreadable"
else
	skip "config unreadable"
fi

# --- templates ----------------------------------------------------------------
mkdir -p "$T/empty"
write_config "$T/notmpl.conf"
sed -i "s|^templates = .*|templates = $T/empty|" "$T/notmpl.conf"
CONFIG=$T/notmpl.conf boot "mac=52:54:00:00:00:11"
fault_ok "default template missing"
grep -q 'fallback' "$T/body"; ok $? "compiled-in fallback served"
mkdir -p "$T/badtmpl"
printf 'sanboot --drive 0x80\n' > "$T/badtmpl/local.ipxe"
sed "s|^templates = .*|templates = $T/badtmpl|" "$T/notmpl.conf" > "$T/badtmpl.conf"
CONFIG=$T/badtmpl.conf boot "mac=52:54:00:00:00:11"
fault_ok "default template without #!ipxe"
printf '#!ipxe\nsanboot {{nosuchkey}}\n' > "$T/badtmpl/local.ipxe"
CONFIG=$T/badtmpl.conf boot "mac=52:54:00:00:00:11"
fault_ok "default template with an unknown key"
printf '#!ipxe\necho x\n@include local-fallback\n' > "$T/badtmpl/local.ipxe"
CONFIG=$T/badtmpl.conf boot "mac=52:54:00:00:00:11"
fault_ok "default template with a missing fragment"
grep -q "local.ipxe:3: @include local-fallback: $T/badtmpl/fragments/local-fallback.ipxe: No such file or directory" "$T/err"
ok $? "... its log line names the template and the fragment"

make_fakeinstall
se3ipxe set-action --yes 52:54:00:00:00:12 fakeinstall:install > /dev/null 2>&1
ok $? "an action whose template will vanish"
rm "$T/modules/fakeinstall/install.ipxe"
boot "mac=52:54:00:00:00:12"
fault_ok "action template missing"
make_fakeinstall
printf '#!ipxe\nkernel {{module_url}}/x {{nosuchkey}}\n' > "$T/modules/fakeinstall/install.ipxe"
boot "mac=52:54:00:00:00:12"
fault_ok "action template invalid"
make_fakeinstall
se3ipxe set-action --yes 52:54:00:00:00:13 fakeinstall:install > /dev/null 2>&1
ok $? "an action whose template will include a missing fragment"
printf '#!ipxe\nkernel {{module_url}}/x\n@include nosuch\n' > "$T/modules/fakeinstall/install.ipxe"
boot "mac=52:54:00:00:00:13"
fault_ok "action template with a missing fragment"
printf '#!ipxe\nkernel {{module_url}}/x {{nosuchkey}}\n' > "$T/modules/fakeinstall/install.ipxe"
rm -rf "$T/modules/fakeinstall"
boot "mac=52:54:00:00:00:12"
fault_ok "action module removed"

# --- memory -------------------------------------------------------------------
if [ -n "${SIP_SANITIZE-}" ]; then
	skip "out of memory (LD_PRELOAD cannot replace malloc under ASan)"
else
	# ipxe.cgi is static: the preloaded allocator needs the dynamic twin.
	CGI_BIN=$TOP/build/t/ipxe-dynamic.cgi
	CGI_ENV="LD_PRELOAD=$TOP/build/t/failmalloc.so FAILMALLOC_AFTER=0" boot "mac=$M"
	grep -q 'out of memory' "$T/err"; ok $? "the allocator really fails (preload works)"
	make_fakeinstall
	se3ipxe set-action --yes 52:54:00:00:00:15 fakeinstall:install --max-boots 100 > /dev/null 2>&1
	bad=0
	n=0
	while [ $n -le 3000 ]; do
		CGI_ENV="LD_PRELOAD=$TOP/build/t/failmalloc.so FAILMALLOC_AFTER=$n" \
		    boot "mac=52:54:00:00:00:15"
		if ! oom_answer_ok; then
			bad=$((bad + 1))
			echo "# FAILMALLOC_AFTER=$n: status '$status' rc $cgi_rc, $(wc -l < "$T/err") log lines"
		fi
		if [ $n -lt 100 ]; then n=$((n + 1)); else n=$((n + 37)); fi
	done
	is "$bad" 0 "out of memory at every point from the 1st to the 3000th allocation: a whole script each time"
	CGI_BIN=
fi

# --- the seen journal and the active list ---------------------------------------
# A MAC without an action is answered from the list and recorded in the
# journal; only a MAC on the list opens the database.
MF=52:54:00:00:00:20	# no action
MA=52:54:00:00:00:21	# memtest:run
MS=52:54:00:00:00:22	# an action written behind se3-ipxe's back
se3ipxe set-action $MA memtest:run > /dev/null 2>&1
ok $? "an action for the list"
grep -qx "$MA" "$DB-active"; ok $? "set-action put its MAC on the active list"
grep -qx "$MF" "$DB-active"; ok $((! $?)) "a MAC without an action is not on it"

cp "$DB" "$T/good2.db"
rm -f "$DB"
mkfifo "$DB"
CONFIG=$T/deadline.conf
start=$(date +%s%N)
boot "mac=$MF"
took=$(( ($(date +%s%N) - start) / 1000000 ))
is "$status" 200 "database a FIFO, MAC not on the list: 200"
ok "$(is_local_script; echo $?)" "database a FIFO, MAC not on the list: local boot"
is "$(wc -l < "$T/err")" 0 "database a FIFO, MAC not on the list: nothing logged"
# Whole seconds would fail whenever the answer straddles a second boundary:
# the bound is the 1 s deadline the database would have cost, in ms.
ok $((took >= 1000)) "database a FIFO, MAC not on the list: answered before the deadline (${took} ms)"
tail -n 1 "$DB-seen" | grep -q "	$MF	"; ok $? "the boot is in the seen journal"
boot "mac=$MA"
fault_ok "database a FIFO, MAC on the list: deadline"
CONFIG=
rm -f "$DB"
cp "$T/good2.db" "$DB"

mv "$DB-seen" "$T/seen.saved"
mkdir "$DB-seen"
boot "mac=$MF"
fault_ok "seen journal is a directory"
grep -q -- "-seen" "$T/err"; ok $? "the log names the journal"
rmdir "$DB-seen"
truncate -s 16M "$DB-seen"
boot "mac=$MF"
fault_ok "seen journal full"
grep -q "full" "$T/err"; ok $? "the log says full"
is "$(wc -c < "$DB-seen" | tr -d ' ')" 16777216 "nothing written past the limit"
mv "$T/seen.saved" "$DB-seen"

printf 'se3-ipxe active 2\n%s\n' "$MF" > "$DB-active"	# no trailer: cut short
boot "mac=$MA"
is "$status" 200 "active list cut short: 200"
grep -q memtest "$T/body"; ok $? "active list cut short: the database still serves the action"
is "$(wc -l < "$T/err")" 0 "active list cut short: nothing logged"
tail -n 1 "$DB-active" | grep -qx end; ok $? "the boot rewrote the list whole"
rm -f "$DB-active"
se3ipxe set-action $MA memtest:run > /dev/null 2>&1
rm -f "$DB-active"
boot "mac=$MA"
grep -q memtest "$T/body"; ok $? "active list missing: the database serves the action"
grep -qx "$MA" "$DB-active"; ok $((! $?)) "the oneshot is done: its MAC left the rewritten list"
# Issue 7: the list of version 1 (read whole, in any order) is no list:
# the database answers and the boot rewrites it sorted, in version 2.
se3ipxe set-action $MA memtest:run > /dev/null 2>&1
printf 'se3-ipxe active 1\n%s\nend\n' "$MF" > "$DB-active"
boot "mac=$MA"
grep -q memtest "$T/body"; ok $? "active list of version 1: the database serves the action"
is "$(wc -l < "$T/err")" 0 "active list of version 1: nothing logged"
head -n 1 "$DB-active" | grep -qx "se3-ipxe active 2"; ok $? "the boot rewrote it in version 2"
printf 'se3-ipxe active 1\nend\n' > "$DB-active"
se3ipxe init > /dev/null 2>&1
head -n 1 "$DB-active" | grep -qx "se3-ipxe active 2"; ok $? "init rewrites a list of version 1"
# Out of order: check reads every line and says so; cleanup mends it.
se3ipxe set-action $MF $MA memtest:run > /dev/null 2>&1
printf 'se3-ipxe active 2\n%s\n%s\nend\n' "$MA" "$MF" > "$DB-active"
se3ipxe check > "$T/check.out" 2>&1
is "$?" 1 "check: an unsorted list is an error"
grep -q -- "-active: line 3: before line 2: the list is not sorted" "$T/check.out"; ok $? "check says where"
se3ipxe cleanup > /dev/null 2>&1
sed '1d;$d' "$DB-active" | LC_ALL=C sort -c -u && grep -qx "$MF" "$DB-active" &&
    grep -qx "$MA" "$DB-active"; ok $? "cleanup wrote it sorted, each MAC once"
se3ipxe cancel $MF $MA > /dev/null 2>&1

# An action inserted by hand: the list does not know it until cleanup.  Of
# a module without upstream files: memtest:run would fail check while
# memtest's copies are not made (t/77).
mkdir -p "$T/modules/held"
printf '[module]\nname = held\ndescription = test\nversion = 1\n\n[capability run]\ndescription = test\ntemplate = run.ipxe\ncompletion = report\ndestructive = no\n' \
    > "$T/modules/held/module.ini"
printf '#!ipxe\necho held {{mac}}\n' > "$T/modules/held/run.ipxe"
for mac in $(sqlite3 "$DB" "SELECT DISTINCT mac FROM actions WHERE state IN ('scheduled', 'pending', 'booting', 'running')"); do
	se3ipxe cancel "$mac" > /dev/null
done
se3ipxe set-action $MA held:run > /dev/null 2>&1
sqlite3 "$DB" "INSERT INTO actions (mac, name, state, completion, token, boots,
    max_boots, created_at, start_at, expires_at, updated_at, created_by)
    SELECT '$MS', name, state, completion, lower(hex(randomblob(16))), 0, max_boots,
    created_at, start_at, expires_at, updated_at, 'sqlite3' FROM actions
    WHERE mac = '$MA' ORDER BY id DESC LIMIT 1;
    INSERT INTO action_options SELECT (SELECT max(id) FROM actions), key, value
    FROM action_options WHERE action_id = (SELECT max(id) FROM actions
    WHERE mac = '$MA');"
se3ipxe check > "$T/check.out" 2>&1
is "$?" 1 "check: an active action missing from the list is an error"
grep -q "$MS first: run se3-ipxe cleanup" "$T/check.out"; ok $? "check names it and the remedy"
boot "mac=$MS"
ok "$(is_local_script; echo $?)" "until then the machine boots local"
se3ipxe cleanup > "$T/check.out" 2>&1
se3ipxe check >> "$T/check.out" 2>&1
is "$?" 0 "cleanup rewrote the list: check passes"
boot "mac=$MS"
grep -q held "$T/body"; ok $? "and the machine gets its action"
rm -f "$DB-active"
se3ipxe check > "$T/check.out" 2>&1
is "$?" 1 "check: no active list is an error"
grep -q -- "-active: missing: run se3-ipxe cleanup" "$T/check.out"; ok $? "check says what to run"

# --- time -----------------------------------------------------------------------
# libfaketime is preloaded: ASan must not insist on coming first.
[ -n "${SIP_SANITIZE-}" ] && export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
if command -v faketime > /dev/null 2>&1; then
	CGI_BIN=$TOP/build/t/ipxe-dynamic.cgi	# libfaketime is preloaded
	se3ipxe set-action 52:54:00:00:00:13 memtest:run > /dev/null 2>&1
	CGI_WRAP="faketime 2100-01-01" boot "mac=52:54:00:00:00:13"
	is "$status" 200 "clock far ahead: 200"
	ok "$(is_local_script; echo $?)" "clock far ahead: the action has expired, local boot"
	is "$(state_of 52:54:00:00:00:13)" "expired 0" "clock far ahead: expired"
	se3ipxe set-action 52:54:00:00:00:14 memtest:run > /dev/null 2>&1
	CGI_WRAP="faketime 1970-01-02" boot "mac=52:54:00:00:00:14"
	is "$status" 200 "clock far behind: 200"
	head -n 1 "$T/body" | grep -qx '#!ipxe'; ok $? "clock far behind: a whole script"
	CGI_BIN=
else
	skip "faketime not installed"
fi

done_testing
