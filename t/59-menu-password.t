#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# se3-ipxe menu-password: the new password's hash in the secrets file (its other lines, owner, group and mode kept), then the menu through ipxe.cgi takes it and refuses the old one; bad input changes nothing, and the password is in no output.
. t/lib/tap.sh
. t/lib/cgi.sh

# "tech pass" hashed by yescrypt: [menu] password_hash, until the verb sets the secret.
HASH_Y='$y$j9T$F5Jx5fExrKuPp53xLKQ..1$dEtaojwO.bxYCi1WgD7PW/SrN5UaS216msM2coRgEJ7'
DB=$T/db/se3-ipxe.db
M=52:54:00:00:bc:01
S=$T/secrets

write_config "$T/se3-ipxe.conf" "[menu]" "password_hash = $HASH_Y" "[secrets]" "file = $S"
db_create
printf '# the secrets of se3-ipxe\nsmb_password = p@ss w0rd \r\n\n  other=x\nlast = no newline' > "$S"
chmod 0640 "$S"
cp "$S" "$T/secrets.orig"
if [ "$(id -u)" -eq 0 ]; then chgrp 65534 "$S"; fi
before=$(stat -c '%u:%g:%a' "$S")

token_of() { sqlite3 "$DB" "SELECT token FROM actions WHERE mac='$1' ORDER BY id DESC LIMIT 1"; }
menu() { cgi GET /menu "$1"; cat "$T/err" >> "$T/all.err"; cat "$T/body" >> "$T/all.body"; }
fresh() {
	se3ipxe cancel $M > /dev/null 2>&1
	se3ipxe set-action $M menu:maintenance > /dev/null || return 1
	boot "mac=$M&platform=pcbios"
	TOK=$(token_of $M)
}
granted() { grep -q '^item --key 1 tool_memtest' "$T/body"; }
setpw() { printf '%s\n' "$1" | se3ipxe menu-password --stdin > "$T/out" 2> "$T/cerr"; }

# --- the config key alone ------------------------------------------------------
fresh
menu "token=$TOK&password=tech%20pass"
granted; ok $? "before: [menu] password_hash's password opens the menu"

# --- the verb --------------------------------------------------------------------
setpw 'new pass 2'
is $? 0 "menu-password --stdin: done"
is "$(cat "$T/cerr")" "" "... nothing on stderr"
grep -q '\$y\$\|new pass' "$T/out"; is $? 1 "... neither the password nor the hash on stdout"
is "$(stat -c '%u:%g:%a' "$S")" "$before" "the secrets file keeps its owner, group and mode ($before)"
grep -v '^menu_password_hash = ' "$S" > "$T/rest"
printf '%s\n' "$(cat "$T/secrets.orig")" > "$T/orig.nl"
cmp -s "$T/orig.nl" "$T/rest"; ok $? "its other lines unchanged, byte for byte"
is "$(grep -c '^menu_password_hash = \$y\$' "$S")" 1 "one menu_password_hash line, a yescrypt hash"
ls "$T" | grep -qx 'secrets\.[A-Za-z0-9]\{6\}'; is $? 1 "no temporary file left beside it"

fresh
menu "token=$TOK&password=new%20pass%202"
granted; ok $? "the new password opens the menu (the secret wins over the config key)"
fresh
menu "token=$TOK&password=tech%20pass"
grep -qx 'echo se3-ipxe: wrong password' "$T/body"; ok $? "the old password is refused"
granted; is $? 1 "... no menu"

# --- again: the line is replaced where it is ---------------------------------------
lines=$(wc -l < "$S")
setpw 'third'
is $? 0 "a second change: done"
is "$(wc -l < "$S")" "$lines" "... the line replaced, none added"
grep -v '^menu_password_hash = ' "$S" > "$T/rest"
cmp -s "$T/orig.nl" "$T/rest"; ok $? "... the other lines still unchanged"
fresh
menu "token=$TOK&password=third"
granted; ok $? "... and the newest password opens the menu"

# --- bad input changes nothing -------------------------------------------------------
cp "$S" "$T/secrets.before"
printf '\n' | se3ipxe menu-password --stdin > /dev/null 2> "$T/cerr"
is $? 1 "an empty password: refused"
grep -q 'menu-password: the password must be' "$T/cerr"; ok $? "... said so"
printf 'a\tb\n' | se3ipxe menu-password --stdin > /dev/null 2>&1
is $? 1 "a control character: refused"
head -c 200 /dev/zero | tr '\0' x | se3ipxe menu-password --stdin > /dev/null 2>&1
is $? 1 "200 bytes: refused"
: | se3ipxe menu-password --stdin > /dev/null 2>&1
is $? 1 "nothing on stdin: refused"
echo x | se3ipxe menu-password > /dev/null 2> "$T/cerr"
is $? 1 "without --stdin, stdin not a terminal: refused"
grep -q 'give --stdin' "$T/cerr"; ok $? "... said so"
echo x | se3ipxe menu-password --stdin extra > /dev/null 2>&1
is $? 2 "an operand: usage"
chmod 0644 "$S"
echo x | se3ipxe menu-password --stdin > /dev/null 2> "$T/cerr"
is $? 1 "a secrets file others may read: refused"
grep -q 'mode 0644' "$T/cerr"; ok $? "... naming its mode"
chmod 0640 "$S"
cmp -s "$T/secrets.before" "$S"; ok $? "the secrets file unchanged by all that"

# --- a missing secrets file is created, 0640 ---------------------------------------------
write_config "$T/new.conf" "[secrets]" "file = $T/new-secrets"
printf 'pw\n' | CONFIG=$T/new.conf se3ipxe menu-password --stdin > /dev/null
is $? 0 "no secrets file yet: created"
is "$(stat -c '%a' "$T/new-secrets")" 640 "... mode 0640"
is "$(grep -c '^menu_password_hash = \$' "$T/new-secrets")" 1 "... with the one line"

# --- the password in no log ------------------------------------------------------------
grep -q 'new pass\|third\|\$y\$' "$T/all.err" "$T/all.body"; is $? 1 "no password or hash in ipxe.cgi's logs or scripts"

done_testing
