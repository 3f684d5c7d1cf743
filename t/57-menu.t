#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# menu:maintenance through ipxe.cgi/menu: the password right, wrong, missing and hostile, tries bounded (in parallel too), and the password in no log, history or script.
. t/lib/tap.sh
. t/lib/cgi.sh

# "tech pass" hashed by yescrypt (Debian's default) and by SHA-512.
HASH_Y='$y$j9T$F5Jx5fExrKuPp53xLKQ..1$dEtaojwO.bxYCi1WgD7PW/SrN5UaS216msM2coRgEJ7'
HASH_6='$6$FDeyHzaJaqkMebEd$EXfaXslB3y4iJ39UsT/q9kceDL95HuVXI3ljjS..c.ZozJGS8vrjXkcIwZfzOrmSKqpewOyih..9pCpUkv6lo1'
PW='tech%20pass'
DB=$T/db/se3-ipxe.db
M=52:54:00:00:bb:01
M2=52:54:00:00:bb:02

write_config "$T/se3-ipxe.conf" "[menu]" "password_hash = $HASH_Y"
db_create

token_of() { sqlite3 "$DB" "SELECT token FROM actions WHERE mac='$1' ORDER BY id DESC LIMIT 1"; }
events_of() { sqlite3 "$DB" "SELECT group_concat(event, ' ') FROM history WHERE mac='$1' AND event LIKE 'menu%' AND action_id=(SELECT max(id) FROM actions WHERE mac='$1')"; }
menu() { cgi GET /menu "$1"; cat "$T/err" >> "$T/all.err"; cat "$T/body" >> "$T/all.body"; }
# fresh MAC [OPTION...]: a new menu action, booted once (the address is pinned).
fresh() {
	_m=$1
	shift
	se3ipxe cancel $_m > /dev/null 2>&1
	se3ipxe set-action $_m menu:maintenance "$@" > /dev/null || return 1
	boot "mac=$_m&platform=pcbios"
	cat "$T/body" >> "$T/all.body"
	TOK=$(token_of $_m)
}

# --- the capability's script: golden, for each timeout --------------------------
for to in default 3 600; do
	if [ $to = default ]; then fresh $M; else fresh $M timeout=$to; fi
	sed "s/$TOK/@TOKEN@/; s/(action [0-9]*,/(action N,/" "$T/body" > "$T/render"
	[ -z "${GOLDEN_WRITE-}" ] || cp "$T/render" "$TOP/t/golden/modules/menu-timeout-$to.ipxe"
	cmp -s "$TOP/t/golden/modules/menu-timeout-$to.ipxe" "$T/render"
	ok $? "menu:maintenance timeout=$to: the golden script"
done
for kv in timeout=2 timeout=601 timeout=x timeout=10%0A; do
	se3ipxe set-action $M2 menu:maintenance $kv > /dev/null 2> "$T/set.err"
	is $? 1 "menu:maintenance $kv refused at set-action"
done

# --- right password: the tools menu -------------------------------------------
fresh $M
menu "token=$TOK&password=$PW"
is "$status" 200 "right password: 200"
is "$(head -n 1 "$T/body")" "#!ipxe" "right password: a script"
grep -qx 'item --key 1 tool_memtest Memory test (memtest86+)' "$T/body"; ok $? "memtest installed: an entry"
grep -qx 'item --gap SystemRescue: not set up: se3-ipxe setup' "$T/body"; ok $? "sysrescue not set up: said so"
grep -qx 'item --gap Clonezilla: save the disk: not set up: se3-ipxe setup' "$T/body"; ok $? "clonezilla not set up: said so"
grep -qx 'item --key s shell iPXE shell' "$T/body"; ok $? "an iPXE shell entry"
grep -qx 'choose --timeout 10000 --default local se3_item || goto local' "$T/body"; ok $? "timeout to the local disk"
grep -qx "chain http://127.0.0.1:8080/cgi-bin/ipxe.cgi/menu?token=$TOK&password=\${password:uristring}&tool=memtest:run || goto menu" "$T/body"
ok $? "the memtest entry chains back to ipxe.cgi/menu with the token"
is "$(cat "$T/err")" "" "right password: nothing logged"
is "$(events_of $M)" "menu-try menu" "history: one try, granted"

# --- a tool -----------------------------------------------------------------------
menu "token=$TOK&password=$PW&tool=memtest:run"
grep -q '^kernel http://127.0.0.1:8080/se3-ipxe/memtest/${memtest_bin} || goto failed$' "$T/body"
ok $? "tool memtest:run: memtest's own script, for this machine"
for tool in sysrescue:rescue wipe:disk "local:boot" "memtest:run%0Aexit" "../x"; do
	menu "token=$TOK&password=$PW&tool=$tool"
	is "$status" 200 "tool $tool: 200"
	if grep -q 'kernel\|^chain' "$T/body"; then ok 1 "tool $tool: nothing started"; else ok 0 "tool $tool: nothing started"; fi
done
is "$(sqlite3 "$DB" "SELECT state FROM actions WHERE mac='$M' ORDER BY id DESC LIMIT 1")" booting \
    "the menu action stays active after tools"

# --- wrong passwords: counted, then locked -------------------------------------------
fresh $M
menu "token=$TOK&password=wrong"
is "$status" 200 "wrong password: 200"
grep -qx 'echo se3-ipxe: wrong password' "$T/body"; ok $? "wrong password: said"
grep -qx 'echo se3-ipxe: 2 more tries' "$T/body"; ok $? "wrong password: 2 more tries"
grep -qx 'exit 1' "$T/body"; ok $? "wrong password: back to the menu script (exit 1)"
grep -q 'se3_menu locked' "$T/body"; is $? 1 "wrong password: not locked yet"
is "$(wc -l < "$T/err")" 1 "wrong password: one log line"
grep -q 'wrong password (2 more tries)' "$T/err"; ok $? "the log line says why"
menu "token=$TOK&password=wrong2"
grep -qx 'echo se3-ipxe: 1 more try' "$T/body"; ok $? "second wrong password: 1 more try"
menu "token=$TOK&password=wrong3"
grep -qx 'set se3_menu locked' "$T/body"; ok $? "third wrong password: locked, local disk"
menu "token=$TOK&password=$PW"
grep -qx 'set se3_menu locked' "$T/body"; ok $? "locked: even the right password is refused"
grep -q 'too many wrong passwords' "$T/err"; ok $? "locked: the log line says so"
is "$(events_of $M)" "menu-try menu-refused menu-try menu-refused menu-try menu-refused menu-refused" \
    "history: three tries refused, then locked without a try"
# A right one starts the count again.
fresh $M
menu "token=$TOK&password=bad"
menu "token=$TOK&password=$PW"
menu "token=$TOK&password=bad"
menu "token=$TOK&password=bad"
grep -qx 'echo se3-ipxe: 1 more try' "$T/body"; ok $? "a right password starts the count again"

# --- tries bounded in parallel ---------------------------------------------------------
fresh $M
for i in 1 2 3 4 5 6 7 8; do
	( CONFIG=$T/se3-ipxe.conf; T2=$T/p$i; mkdir -p $T2; T=$T2; cgi GET /menu "token=$TOK&password=guess$i" ) &
done
wait
n=$(sqlite3 "$DB" "SELECT count(*) FROM history WHERE mac='$M' AND event='menu-try' AND action_id=(SELECT max(id) FROM actions WHERE mac='$M')")
# A guess that found the database busy is refused uncounted: at most 3.
[ "$n" -ge 1 ] && [ "$n" -le 3 ]
ok $? "8 guesses at once: $n checked, at most [menu] tries (3), the others refused"
granted=$(cat $T/p*/body | grep -c '^item ')
is "$granted" 0 "8 guesses at once: no menu"

# --- missing, malformed and hostile queries ---------------------------------------------
fresh $M
before=$(events_of $M)
for q in "token=$TOK" "token=$TOK&password=" "password=$PW" "token=00&password=$PW" \
    "token=$TOK&password=a%0Ab" "token=$TOK&password=%1b%5b2J" "token=$TOK&password=a%00b" \
    "token=$TOK&password=$(printf 'x%.0s' $(seq 129))"; do
	menu "$q"
	is "$status" 200 "'$(echo "$q" | cut -c1-60)': 200"
	ok "$(is_local_script; echo $?)" "'$(echo "$q" | cut -c1-60)': the local-boot script"
	is "$(wc -l < "$T/err")" 1 "'$(echo "$q" | cut -c1-60)': one log line"
done
is "$(events_of $M)" "$before" "malformed queries: no try counted"
cgi HEAD /menu "token=$TOK&password=$PW"
is "$status" 405 "HEAD: 405 (a try changes the history)"
# Printable hostile passwords are passwords: checked, wrong, never echoed.
for pw in '%24%7Bx%7D' '%22%3B+reboot' 'a%25%25s%25n' '%E2%82%AC' ; do
	fresh $M
	menu "token=$TOK&password=$pw"
	grep -qx 'echo se3-ipxe: wrong password' "$T/body"; ok $? "password '$pw': checked, wrong"
done

# --- another action's token, an unknown token ------------------------------------------
se3ipxe set-action $M2 memtest:run > /dev/null
T2=$(token_of $M2)
menu "token=$T2&password=$PW"
grep -qx 'set se3_menu locked' "$T/body"; ok $? "memtest's token opens no menu"
grep -q 'is memtest:run, not menu:maintenance' "$T/err"; ok $? "the log line says why"
menu "token=$(echo $TOK | tr 0-9a-f 1-9a-f0)&password=$PW"
grep -qx 'set se3_menu locked' "$T/body"; ok $? "an unknown token: refused"

# --- no password configured, a bad hash ---------------------------------------------------
write_config "$T/nohash.conf"
CONFIG=$T/nohash.conf menu "token=$TOK&password=$PW"
grep -qx 'echo se3-ipxe: no maintenance password is set on the server' "$T/body"; ok $? "no [menu] password_hash: said"
grep -q 'no \[menu\] password_hash' "$T/err"; ok $? "no [menu] password_hash: logged"
write_config "$T/bad.conf" "[menu]" 'password_hash = tech pass'
CONFIG=$T/bad.conf se3ipxe check > "$T/out" 2>&1
grep -q 'password_hash: not a crypt(3) hash' "$T/out"; ok $? "a clear password as password_hash: refused"
grep -q 'tech pass' "$T/out"; is $? 1 "...without quoting it"
write_config "$T/six.conf" "[menu]" "password_hash = $HASH_6" "tries = 5"
fresh $M
CONFIG=$T/six.conf menu "token=$TOK&password=$PW"
grep -q '^item --key 1 tool_memtest' "$T/body"; ok $? "a SHA-512 hash works too"
CONFIG=$T/six.conf menu "token=$TOK&password=no"
grep -qx 'echo se3-ipxe: 4 more tries' "$T/body"; ok $? "[menu] tries = 5: 4 more tries"

# --- the password is nowhere ---------------------------------------------------------------
grep -c 'tech pass\|tech%20pass' "$T/all.err" > "$T/n" ; is "$(cat "$T/n")" 0 "the password is in no log line ($(wc -l < "$T/all.err") lines)"
grep -c 'tech pass\|tech%20pass\|\$y\$\|\$6\$' "$T/all.body" > "$T/n"; is "$(cat "$T/n")" 0 "nor its hash in any script served ($(wc -c < "$T/all.body") bytes)"
sqlite3 "$DB" .dump | grep -c 'tech pass\|tech%20pass\|guess[0-9]\|wrong[23]\|=wrong' > "$T/n"; is "$(cat "$T/n")" 0 "the passwords sent are in no database row"
se3ipxe history $M > "$T/hist"
grep -q 'menu-refused' "$T/hist"; ok $? "history shows the refusals"

done_testing
