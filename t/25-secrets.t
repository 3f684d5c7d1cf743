#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Secrets: options of type secret name an entry of [secrets] file, whose value only a file declared :secret gets, once per boot, to the boot's address.
. t/lib/tap.sh
. t/lib/cgi.sh

DB=$T/db/se3-ipxe.db
M=52:54:00:00:00:51
# Blanks, a dollar, UTF-8: what a password holds (and an ini file takes).
VALUE='S3cr3t p@ss wörd $1$xyz'
NEEDLE='S3cr3t p@ss'

write_config "$T/se3-ipxe.conf" "[secrets]" "file = $T/secrets"
printf '# test secrets\nsmb_password = %s\nother = x\nquoted = S3cr3t p@ss "q"\n' "$VALUE" > "$T/secrets"
chmod 600 "$T/secrets"

mkdir -p "$T/modules/fakesecret"
cat > "$T/modules/fakesecret/module.ini" <<'EOM'
[module]
name = fakesecret
description = A pretend installer that needs a password
version = 1

[capability install]
description = Install nothing, with a share password
template = install.ipxe
completion = report
max_boots = 10
destructive = no
files = preseed.cfg answer.txt:ini:secret

[option install.password]
type = secret
description = The secret holding the share's password
EOM
cat > "$T/modules/fakesecret/install.ipxe" <<'EOT'
#!ipxe
kernel {{module_url}}/vmlinuz url={{file_url}}/answer.txt?token={{token}}
boot
EOT
cat > "$T/modules/fakesecret/preseed.cfg" <<'EOT'
# preseed for {{mac}}
d-i preseed/late_command string true
EOT
cat > "$T/modules/fakesecret/answer.txt" <<'EOT'
mac={{mac}}
password={{password}}
EOT
db_create
# Every stderr of the CGI and every body served, to grep at the end.
: > "$T/all-err"
: > "$T/all-body"
keep() {
	cat "$T/err" >> "$T/all-err"
	cat "$T/body" >> "$T/all-body"
}

# --- set-action: a secret is a name of the file ---------------------------
se3ipxe set-action $M fakesecret:install password=nosuch > "$T/o" 2>&1
ok $(( $? == 0 )) "set-action with a secret not in the file fails"
grep -q "option password: no secret 'nosuch' in $T/secrets" "$T/o"
ok $? "the error names the option, the secret and the file: $(cat "$T/o")"
se3ipxe set-action $M fakesecret:install 'password=Bad Name' > "$T/o" 2>&1
ok $(( $? == 0 )) "set-action with a value that is no secret name fails"
grep -q "option password: .*expected the name of a secret" "$T/o"
ok $? "the error says a secret's name was expected"
se3ipxe set-action $M fakesecret:install password=quoted > "$T/o" 2>&1
ok $(( $? == 0 )) "set-action with a secret the file's kind cannot hold fails"
grep -q "option password: the value of secret 'quoted' cannot be written in answer.txt, a file of kind ini" "$T/o"
ok $? "the error names option, secret, file and kind: $(cat "$T/o")"
cat "$T/o" >> "$T/all-err"
is "$(sqlite3 "$DB" "SELECT count(*) FROM actions")" 0 "nothing written"

chmod 644 "$T/secrets"
se3ipxe set-action $M fakesecret:install password=smb_password > "$T/o" 2>&1
ok $(( $? == 0 )) "set-action refused with a world-readable secrets file"
grep -q "mode 0644" "$T/o"; ok $? "the error names the mode: $(cat "$T/o")"
chmod 600 "$T/secrets"

se3ipxe set-action $M fakesecret:install password=smb_password > "$T/o" 2>&1
ok $? "set-action password=smb_password"
cat "$T/o" >> "$T/all-err"
TOKEN=$(token_of $M)
is "$(sqlite3 "$DB" "SELECT value FROM action_options WHERE key = 'password'")" \
    smb_password "the database holds the secret's name"

# --- before any boot -------------------------------------------------------
cgi GET /file/answer.txt "token=$TOKEN"; keep
is "$status" 403 "secret file before any boot: 403"

# --- boot 1 ------------------------------------------------------------------
boot "mac=$M&platform=efi"; keep
is "$status" 200 "boot 1 served"
grep -q "answer.txt?token=$TOKEN" "$T/body"; ok $? "the script names the secret file"
cgi HEAD /file/answer.txt "token=$TOKEN"; keep
is "$status" 200 "HEAD of the secret file: 200"
is "$(sqlite3 "$DB" "SELECT count(*) FROM history WHERE event LIKE 'secret-%'")" 0 \
    "HEAD records nothing and spends nothing"
cgi GET /file/answer.txt "token=$TOKEN"
is "$status" 200 "first fetch in boot 1: 200"
grep -qxF "password=$VALUE" "$T/body"; ok $? "the file holds the secret's value"
grep -q "^Cache-Control: no-store" "$T/out"; ok $? "Cache-Control: no-store"
is "$(sqlite3 "$DB" "SELECT event, detail, addr FROM history WHERE event LIKE 'secret-%'")" \
    "secret-served|answer.txt: boot 1|127.0.0.1" "recorded: served in boot 1, to 127.0.0.1"
cat "$T/err" >> "$T/all-err"
cgi GET /file/answer.txt "token=$TOKEN"; keep
is "$status" 403 "second fetch in boot 1: 403"
is "$(sqlite3 "$DB" "SELECT event, detail, addr FROM history WHERE event = 'secret-refused'")" \
    "secret-refused|answer.txt: already served in boot 1|127.0.0.1" "the refusal is recorded"
cgi GET /file/preseed.cfg "token=$TOKEN"; keep
is "$status" 200 "a file not declared secret: 200"
cgi GET /file/preseed.cfg "token=$TOKEN"; keep
is "$status" 200 "... as often as asked"
CGI_WRAP="env REMOTE_ADDR=127.0.0.2" cgi GET /file/answer.txt "token=$TOKEN"; keep
is "$status" 403 "another address ([security] bind = address): 403"

# --- boot 2: served again ------------------------------------------------------
boot "mac=$M&platform=efi"; keep
cgi GET /file/answer.txt "token=$TOKEN"
is "$status" 200 "first fetch in boot 2: 200"
grep -qxF "password=$VALUE" "$T/body"; ok $? "boot 2: the value"
cat "$T/err" >> "$T/all-err"
cgi GET /file/answer.txt "token=$TOKEN"; keep
is "$status" 403 "second fetch in boot 2: 403"

# --- [security] bind = none: the secret's own address rule --------------------
write_config "$T/none.conf" "[secrets]" "file = $T/secrets" "[security]" "bind = none"
CONFIG=$T/none.conf boot "mac=$M&platform=efi"; keep
CONFIG=$T/none.conf CGI_WRAP="env REMOTE_ADDR=127.0.0.3" cgi GET /file/answer.txt "token=$TOKEN"; keep
is "$status" 403 "bind = none, another address than boot 3's: 403"
is "$(sqlite3 "$DB" "SELECT detail, addr FROM history WHERE event = 'secret-refused' ORDER BY id DESC LIMIT 1")" \
    "answer.txt: boot 3 came from 127.0.0.1|127.0.0.3" "recorded with the address that asked"
CGI_WRAP="env REMOTE_ADDR=127.0.0.3" CONFIG=$T/none.conf boot "mac=$M&platform=efi"; keep
CONFIG=$T/none.conf CGI_WRAP="env REMOTE_ADDR=127.0.0.3" cgi GET /file/answer.txt "token=$TOKEN"
is "$status" 200 "bind = none: boot 4 came from 127.0.0.3, which gets it"
cat "$T/err" >> "$T/all-err"
CONFIG=$T/none.conf cgi GET /file/answer.txt "token=$TOKEN"; keep
is "$status" 403 "... and 127.0.0.1 does not"

# --- a secrets file others may read, or gone: no value, a named error ---------
boot "mac=$M&platform=efi"; keep

chmod 604 "$T/secrets"
cgi GET /file/answer.txt "token=$TOKEN"; keep
[ "$status" != 200 ] && grep -q "mode 0604" "$T/err"
ok $? "a world-readable secrets file: refused, the log names the mode"
chmod 600 "$T/secrets"
cgi GET /file/answer.txt "token=$TOKEN"
is "$status" 200 "once fixed, the boot's fetch is still there to take"
cat "$T/err" >> "$T/all-err"

# --- what shows the name and never the value ----------------------------------
se3ipxe preview $M > "$T/preview" 2>&1
grep -q "key password = <secret smb_password>" "$T/preview"; ok $? "preview shows <secret NAME>"
se3ipxe history $M > "$T/history" 2>&1
se3ipxe history --json $M >> "$T/history" 2>&1
se3ipxe status --json $M > "$T/status" 2>&1
grep -q "secret-refused" "$T/history"; ok $? "history shows the refusals"
for f in "$T/preview" "$T/history" "$T/status" "$T/all-err" "$T/all-body"; do
	! grep -qaF "$NEEDLE" "$f"; ok $? "no secret value in $(basename "$f")"
done
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
! cat "$DB"* | grep -qaF "$NEEDLE"; ok $? "no secret value in the database files"
is "$(sqlite3 "$DB" "SELECT count(*) FROM history WHERE detail LIKE '%S3cr3t%' OR addr LIKE '%S3cr3t%'")" 0 \
    "no secret value in any history row"

# --- a module that would put a secret elsewhere does not load -----------------
cp -r "$T/modules/fakesecret" "$T/modules/leaky"
sed -i 's/^name = fakesecret/name = leaky/' "$T/modules/leaky/module.ini"
printf '#!ipxe\necho {{password}}\n' > "$T/modules/leaky/install.ipxe"
se3ipxe set-action 52:54:00:00:00:52 leaky:install password=smb_password > "$T/o" 2>&1
ok $(( $? == 0 )) "a script using a secret: the module does not load"
grep -q "install.ipxe: uses the secret option 'password'" "$T/o"; ok $? "named: $(cat "$T/o")"
cp "$T/modules/fakesecret/install.ipxe" "$T/modules/leaky/install.ipxe"
sed -i 's/answer.txt:ini:secret/answer.txt:ini/' "$T/modules/leaky/module.ini"
se3ipxe set-action 52:54:00:00:00:52 leaky:install password=smb_password > "$T/o" 2>&1
ok $(( $? == 0 )) "a file not declared secret using a secret: the module does not load"
grep -q "answer.txt: uses the secret option 'password'" "$T/o"; ok $? "named: $(cat "$T/o")"

done_testing
