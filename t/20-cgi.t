#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# ipxe.cgi run as Apache runs it: every answer path, bad queries, and report tokens right, wrong, replayed and finished.
. t/lib/tap.sh
. t/lib/cgi.sh
. t/lib/fakeinstall.sh

write_config "$T/se3-ipxe.conf"
make_fakeinstall
db_create
M1=52:54:00:00:00:01
M2=52:54:00:00:00:02

# --- unknown machine: recorded, local boot --------------------------------
boot "mac=$M1&platform=pcbios&buildarch=i386&uuid=11111111-2222-3333-4444-555555555555&serial=SN-42&manufacturer=E2E&product=Standard+PC+(i440FX+%2B+PIIX,+1996)&ip=10.0.2.15"
is "$status" 200 "unknown MAC: 200"
ok "$(is_local_script; echo $?)" "unknown MAC: a local-boot script"
grep -q '^Content-Type: text/plain' "$T/out"; ok $? "text/plain"
grep -q 'goto local_pcbios_sanboot' "$T/body"; ok $? "BIOS local boot is sanboot by default"
is "$(cat "$T/err")" "" "nothing logged"
fold_seen
is "$(sqlite3 "$T/db/se3-ipxe.db" "SELECT boots, platform, buildarch, serial, product, ip FROM machines WHERE mac='$M1'")" \
    "1|pcbios|i386|SN-42|Standard+PC+(i440FX+++PIIX,+1996)|10.0.2.15" "machine seen with its SMBIOS fields"
boot "mac=52-54-00-00-00-01"
fold_seen
is "$(sqlite3 "$T/db/se3-ipxe.db" "SELECT boots, platform FROM machines WHERE mac='$M1'")" "2|pcbios" \
    "second boot counted, fields kept, MAC canonicalised"
boot "mac=525400000001&platform=efi"
fold_seen
is "$(sqlite3 "$T/db/se3-ipxe.db" "SELECT count(*) FROM machines")" 1 "three MAC forms, one machine"

# --- bad boot queries: still a local boot, one log line -------------------
for q in "" "mac=" "mac=zz:zz:zz:zz:zz:zz" "mac=52:54:00:00:00:01&mac=52:54:00:00:00:02" \
    "mac=%" "mac=52%3A54%00" "mac=52:54:00:00:00:01%0Aexit" "MAC=52:54:00:00:00:01"; do
	boot "$q"
	is "$status" 200 "bad query '$q': 200"
	ok "$(is_local_script; echo $?)" "bad query '$q': local boot"
	is "$(wc -l < "$T/err")" 1 "bad query '$q': one log line"
done
boot "mac=$M2&platform=\${x}&buildarch=x86_64%0Aexit&serial=%1b%5b2J&ip=1.2.3.999"
ok "$(is_local_script; echo $?)" "hostile optional fields: still local boot"
fold_seen
is "$(sqlite3 "$T/db/se3-ipxe.db" "SELECT coalesce(platform,'-') || coalesce(buildarch,'-') || coalesce(serial,'-') || coalesce(ip,'-') FROM machines WHERE mac='$M2'")" \
    "----" "hostile optional fields not stored"
cgi POST "" "mac=$M1"
is "$status" 405 "POST boot: 405"
cgi GET /nowhere "mac=$M1"
is "$status" 404 "unknown PATH_INFO: 404"

# --- a oneshot action: served once, then local -----------------------------
se3ipxe set-action $M1 memtest:run > /dev/null 2>&1
ok $? "set-action memtest:run"
boot "mac=$M1&platform=pcbios"
is "$status" 200 "memtest boot: 200"
grep -q 'memtest86+' "$T/body"; ok $? "memtest script served"
grep -q 'http://127.0.0.1:8080/se3-ipxe/memtest' "$T/body"; ok $? "module_url from boot_url"
is "$(head -n 1 "$T/body")" "#!ipxe" "first line #!ipxe"
is "$(state_of $M1)" "done 1" "oneshot: done after one boot"
boot "mac=$M1&platform=pcbios"
ok "$(is_local_script; echo $?)" "after memtest: local"

# --- a report action: counted boots, tokens --------------------------------
se3ipxe set-action --yes $M2 fakeinstall:install disk=nvme0n1 > /dev/null 2>&1
ok $? "set-action --yes fakeinstall:install"
TOKEN=$(token_of $M2)
is "${#TOKEN}" 48 "a token of 48 digits: 16 public, 32 secret (128 bits)"
cgi GET /report "token=$TOKEN&status=running"
is "$status" 403 "report before any boot: 403"
boot "mac=$M2&platform=efi"
grep -q "disk=nvme0n1 report=http://127.0.0.1:8080/cgi-bin/ipxe.cgi/report?token=$TOKEN" "$T/body"
ok $? "install script with option and report URL"
is "$(state_of $M2)" "booting 1" "booting, 1 boot"
boot "mac=$M2&platform=efi"
is "$(state_of $M2)" "booting 2" "second boot counted"
cgi GET /report "token=$TOKEN&status=running&progress=40&msg=partitioning+sda"
is "$status" 200 "report running: 200"
is "$(sqlite3 "$T/db/se3-ipxe.db" "SELECT state, progress, message FROM actions WHERE token='$TOKEN'")" \
    "running|40|partitioning+sda" "running 40% with its message"
WRONG=$(printf '%s' "$TOKEN" | tr '0-9a-f' 'f0-9a-e')
before=$(sqlite3 "$T/db/se3-ipxe.db" "SELECT * FROM actions; SELECT count(*) FROM history")
for q in "token=$WRONG&status=done" "token=&status=done" "status=done" \
    "token=${TOKEN}0&status=done" "token=$(echo "$TOKEN" | tr a-f A-F)&status=done"; do
	cgi GET /report "$q"
	is "$status" 403 "wrong token '$q': 403"
done
is "$(sqlite3 "$T/db/se3-ipxe.db" "SELECT * FROM actions; SELECT count(*) FROM history")" "$before" \
    "wrong tokens changed nothing"
! grep -q "$TOKEN" "$T/err"; ok $? "the token is never logged"
for q in "token=$TOKEN&status=finished" "token=$TOKEN&status=done&progress=101" \
    "token=$TOKEN&status=done&progress=-1" "token=$TOKEN&status=done&msg=a%0Ab" \
    "token=$TOKEN&status=done&progress=4x"; do
	cgi GET /report "$q"
	is "$status" 400 "bad report '$q': 400"
	is "$(wc -l < "$T/err")" 1 "bad report '$q': one log line"
done
is "$(sqlite3 "$T/db/se3-ipxe.db" "SELECT * FROM actions; SELECT count(*) FROM history")" "$before" \
    "bad reports changed nothing"
# msg: UTF-8 without controls, at most 256 bytes; else 400 naming msg and why.
long=$(head -c 257 /dev/zero | tr '\0' a)
while read -r q why; do
	cgi GET /report "token=$TOKEN&status=done&msg=$q"
	is "$status" 400 "msg '$q': 400"
	[ "$(wc -l < "$T/err")" -eq 1 ] && grep -q "report: msg: $why" "$T/err"
	ok $? "msg '$q': one log line naming msg and why"
	grep -q "^bad request: msg: $why\$" "$T/body"
	ok $? "msg '$q': the answer says why"
done <<EOF
caf%E9 not UTF-8 at byte 4 (0xe9)
%FF not UTF-8 at byte 1 (0xff)
%C0%AF not UTF-8 at byte 1 (0xc0)
%E0%80%AF not UTF-8 at byte 1 (0xe0)
%ED%A0%80 not UTF-8 at byte 1 (0xed)
%F4%90%80%80 not UTF-8 at byte 1 (0xf4)
ok%E2%82 not UTF-8 at byte 3 (0xe2)
%1B[2J contains a control character (U+001B at byte 1)
x%C2%9B2J contains a control character (U+009B at byte 2)
$long longer than 256 bytes
EOF
cgi POST /report "" "token=$TOKEN&status=done&msg=caf%E9"
is "$status" 400 "msg not UTF-8 by POST: 400"
is "$(sqlite3 "$T/db/se3-ipxe.db" "SELECT * FROM actions; SELECT count(*) FROM history")" "$before" \
    "bad msgs stored nothing"
cgi POST /report "" "token=$TOKEN&status=done&progress=100&msg=installed"
is "$status" 200 "report done by POST: 200"
is "$(state_of $M2)" "done 2" "done"
cgi GET /report "token=$TOKEN&status=done"
is "$status" 403 "replayed done: 403"
cgi GET /report "token=$TOKEN&status=running"
is "$status" 403 "report on a finished action: 403"
boot "mac=$M2&platform=efi"
ok "$(is_local_script; echo $?)" "finished: local boot"
grep -q 'goto local_efi_exit' "$T/body"; ok $? "UEFI local boot is exit by default"

# --- files: what the booted system fetches with the token ---------------------
M3=52:54:00:00:00:03
se3ipxe set-action --yes $M3 fakeinstall:install disk=sdb > /dev/null 2>&1
T3=$(token_of $M3)
ID3=$(sqlite3 "$T/db/se3-ipxe.db" "SELECT id FROM actions WHERE token = '$T3'")
cgi GET /file/preseed.cfg "token=$T3"
is "$status" 403 "file of a pending action: 403 (no boot has pinned its address)"
boot "mac=$M3"
nofile="SELECT * FROM actions; SELECT count(*) FROM history WHERE event <> 'file'"
files="SELECT count(*), group_concat(DISTINCT addr) FROM history WHERE event = 'file'"
before=$(sqlite3 "$T/db/se3-ipxe.db" "$nofile")
cgi GET /file/preseed.cfg "token=$T3"
is "$status" 200 "file of a served action: 200"
grep -q '^Content-Type: text/plain' "$T/out"; ok $? "file: text/plain"
sed "s/@MAC@/$M3/; s/@ID@/$ID3/; s/@TOKEN@/$T3/" "$TOP/t/golden/fakeinstall-preseed.cfg" > "$T/want"
cmp -s "$T/want" "$T/body"; ok $? "file: the golden preseed, with the action's values"
cgi HEAD /file/preseed.cfg "token=$T3"
is "$status" 200 "file by HEAD: 200"
for q in "token=$WRONG" "token=" "" "token=${T3}0" "token=$(echo "$T3" | tr a-f A-F)"; do
	cgi GET /file/preseed.cfg "$q"
	is "$status" 403 "file with a wrong token '$q': 403"
done
for p in /file/nosuch.cfg /file/install.ipxe /file/ /file/..%2Fpreseed.cfg /file/.preseed.cfg /file/sub/preseed.cfg; do
	cgi GET "$p" "token=$T3"
	is "$status" 404 "file '$p': 404"
done
cgi POST /file/preseed.cfg "" "token=$T3"
is "$status" 405 "file by POST: 405"
cgi GET /file/preseed.cfg "token=$T3&token=$T3"
is "$status" 400 "file with a repeated token: 400"
CONFIG=$T/none.conf cgi GET /file/preseed.cfg "token=$T3"
is "$status" 503 "file without a configuration: 503"
is "$(sqlite3 "$T/db/se3-ipxe.db" "$nofile")" "$before" \
    "files changed nothing but the history of files served"
is "$(sqlite3 "$T/db/se3-ipxe.db" "$files")" "1|127.0.0.1" \
    "one file served by GET, in the history with its address (HEAD records nothing)"
cgi GET /file/preseed.cfg "token=$WRONG"
! grep -q "$T3" "$T/err"; ok $? "no token in the log"
cgi GET /report "token=$T3&status=done"
cgi GET /file/preseed.cfg "token=$T3"
is "$status" 403 "file of a finished action: 403"

# --- max boots without a report: failed, then local --------------------------
se3ipxe set-action --yes $M2 fakeinstall:install --max-boots 2 > /dev/null 2>&1
boot "mac=$M2"; boot "mac=$M2"
is "$(state_of $M2)" "booting 2" "two boots served"
boot "mac=$M2"
ok "$(is_local_script; echo $?)" "third boot: local"
is "$(state_of $M2)" "failed 2" "max boots reached: failed"
boot "mac=$M2"
ok "$(is_local_script; echo $?)" "and local again"

# --- expiry: an action past its time gives local -----------------------------
se3ipxe set-action --yes $M2 fakeinstall:install > /dev/null 2>&1
sqlite3 "$T/db/se3-ipxe.db" "UPDATE actions SET expires_at = strftime('%s','now') - 1 WHERE mac='$M2' AND state='pending'"
boot "mac=$M2"
ok "$(is_local_script; echo $?)" "expired: local"
is "$(state_of $M2)" "expired 0" "expired on boot"

# Expiry counts from the start (--at), not from when the action is set, as the pages say.
se3ipxe set-action --yes $M2 fakeinstall:install --at +1h --expires 1m > /dev/null 2>&1
is "$(sqlite3 "$T/db/se3-ipxe.db" "SELECT state, expires_at - start_at FROM actions WHERE mac='$M2' ORDER BY id DESC LIMIT 1")" \
    "scheduled|60" "--at +1h --expires 1m: expires 1m after its start"
se3ipxe cancel $M2 > /dev/null 2>&1

# --- nothing secret or unvalidated in any script served --------------------
grep -rqi 'password\|passwd' "$T"/body; ok $((! $?)) "no password in scripts"

# --- HEAD: the headers of GET, and nothing changes ---------------------------
cgi HEAD "" "mac=$M1"
is "$status" 200 "HEAD: 200"
M4=52:54:00:00:00:04
se3ipxe set-action $M4 memtest:run > /dev/null 2>&1
fold_seen
journal=$T/db/se3-ipxe.db-seen
seen_before=$(cat "$journal" 2> /dev/null | wc -l)
history_before=$(sqlite3 "$T/db/se3-ipxe.db" "SELECT count(*) FROM history")
cgi HEAD "" "mac=$M4&platform=pcbios"
is "$status" 200 "HEAD on a boot with a pending action: 200"
is "$(wc -c < "$T/body")" 0 "HEAD: no body"
length=$(sed -n 's/^Content-Length: \([0-9]*\)\r$/\1/p' "$T/out")
is "$(state_of $M4)" "pending 0" "HEAD: the action stays pending, no boot counted"
is "$(cat "$journal" 2> /dev/null | wc -l)" "$seen_before" "HEAD: no seen-journal line"
is "$(sqlite3 "$T/db/se3-ipxe.db" "SELECT count(*) FROM history")" "$history_before" "HEAD: no history"
boot "mac=$M4&platform=pcbios"
is "$length" "$(wc -c < "$T/body" | tr -d ' ')" "HEAD: the Content-Length of the GET that follows"
is "$(state_of $M4)" "done 1" "the GET after it boots memtest"
se3ipxe set-action --yes $M3 fakeinstall:install > /dev/null 2>&1
T4=$(token_of $M3)
boot "mac=$M3"
before=$(sqlite3 "$T/db/se3-ipxe.db" "$nofile")
cgi HEAD /report "token=$T4&status=done"
is "$status" 405 "HEAD on report: 405"
tr -d '\r' < "$T/out" | grep -qx 'Allow: GET, POST'; ok $? "HEAD on report: Allow: GET, POST"
is "$(wc -c < "$T/body")" 0 "HEAD on report: no body"
is "$(sqlite3 "$T/db/se3-ipxe.db" "$nofile")" "$before" \
    "HEAD on report: no history, the action unchanged"
cgi HEAD /file/preseed.cgf "token=$T4"
is "$status" 404 "HEAD on a missing file: 404"
cgi HEAD /file/preseed.cfg "token=$T4"
is "$(wc -c < "$T/body")" 0 "HEAD on a file: no body"
length=$(sed -n 's/^Content-Length: \([0-9]*\)\r$/\1/p' "$T/out")
cgi GET /file/preseed.cfg "token=$T4"
is "$length" "$(wc -c < "$T/body" | tr -d ' ')" "HEAD on a file: the Content-Length of its GET"
is "$(sqlite3 "$T/db/se3-ipxe.db" "$nofile")" "$before" \
    "HEAD and GET on a file changed nothing but the history of files served"
is "$(sqlite3 "$T/db/se3-ipxe.db" "$files")" "2|127.0.0.1" \
    "... which the GET adds to"
for m in PUT DELETE OPTIONS; do
	cgi $m "" "mac=$M4"
	is "$status" 405 "$m on boot: 405"
done
tr -d '\r' < "$T/out" | grep -qx 'Allow: GET, HEAD'; ok $? "405 on boot: Allow: GET, HEAD"

# --- the log: one line, client address, endpoint and MAC first ----------------
boot "mac=$M1&ip=1.2.3.999"
is "$(cat "$T/err")" "ipxe.cgi: 127.0.0.1 boot $M1: ip: not a valid ipv4, ignored" \
    "log: address, endpoint and MAC"
boot "mac=zz"
is "$(cat "$T/err")" "ipxe.cgi: 127.0.0.1 boot: mac: not a MAC address: answered local boot" \
    "log: no MAC when there is none"
CGI_WRAP="env REMOTE_ADDR=2001:db8::7" boot "mac=$M1&platform=bios"
is "$(cat "$T/err")" "ipxe.cgi: 2001:db8::7 boot $M1: platform: not pcbios or efi, ignored" \
    "log: an IPv6 client"
for addr in "" "10.0.0.1%0a" "10.0.0.1;x" "example.org" "1.2.3.4.5" "fe80::1%eth0"; do
	CGI_WRAP="env REMOTE_ADDR=$addr" boot "mac=$M1&ip=x"
	is "$(cat "$T/err")" "ipxe.cgi: - boot $M1: ip: not a valid ipv4, ignored" \
	    "log: REMOTE_ADDR '$addr' is not an address: -"
done
CGI_WRAP="env -u REMOTE_ADDR" boot "mac=$M1&ip=x"
is "$(cut -d ' ' -f 1-3 "$T/err")" "ipxe.cgi: - boot" "log: no REMOTE_ADDR: -"
cgi GET /report "token=$T4&status=finished"
is "$(cat "$T/err")" "ipxe.cgi: 127.0.0.1 report: status: not running, done or failed" \
    "log: a report"
cgi GET /report "token=$WRONG&status=done"
is "$(cut -d ' ' -f 1-3 "$T/err")" "ipxe.cgi: 127.0.0.1 report:" "log: a refused report"
! grep -q "$WRONG" "$T/err"; ok $? "log: not the token either"
cgi GET /file/nosuch.cfg "token=$T4"
is "$(cut -d ' ' -f 1-3 "$T/err")" "ipxe.cgi: 127.0.0.1 file:" "log: a file"
! grep -q "$T4" "$T/err"; ok $? "log: no token"
CONFIG=$T/none.conf cgi GET /report "token=$T4&status=done"
is "$(wc -l < "$T/err")" 1 "log: a report without a configuration, one line"
is "$(cut -d ' ' -f 1-3 "$T/err")" "ipxe.cgi: 127.0.0.1 report:" "log: ... with its prefix"

# --- a POST body shorter than its Content-Length ----------------------------
# Closed early, it is a 400 at once; held open by the client, the read
# waits until the deadline ([server] deadline = 1 here) and the report is
# answered 503 then: bounded, never held longer.
write_config "$T/deadline.conf"
sed -i 's/^deadline = 5/deadline = 1/' "$T/deadline.conf"
short="token=$WRONG&status=running"
post_short() {	# post_short CONTENT_LENGTH: the body $short on stdin
	env -i PATH="$PATH" ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
	    SE3_IPXE_CONFIG="$T/deadline.conf" GATEWAY_INTERFACE=CGI/1.1 \
	    SERVER_PROTOCOL=HTTP/1.1 REQUEST_METHOD=POST PATH_INFO=/report \
	    QUERY_STRING= CONTENT_TYPE=application/x-www-form-urlencoded \
	    CONTENT_LENGTH="$1" SCRIPT_NAME=/cgi-bin/ipxe.cgi \
	    HTTP_HOST=127.0.0.1:8080 REMOTE_ADDR=127.0.0.1 \
	    "$TOP/cgi/ipxe.cgi" > "$T/out" 2> "$T/err"
	status=$(sed -n '1s/^Status: \([0-9]*\) .*/\1/p' "$T/out")
}
printf '%s' "$short" > "$T/short.body"
start=$(date +%s%N)
post_short $((${#short} + 100)) < "$T/short.body"
took=$(( ($(date +%s%N) - start) / 1000000 ))
is "$status" 400 "Content-Length past a closed body: 400"
is "$(cat "$T/err")" "ipxe.cgi: 127.0.0.1 report: body shorter than Content-Length" \
    "Content-Length past a closed body: one line saying so"
# ok takes an exit status: 0 passes.
ok $((took >= 1000)) "Content-Length past a closed body: at once, not at the deadline (${took} ms)"
mkfifo "$T/body.fifo"
exec 7<> "$T/body.fifo"		# a client that sends part and keeps the connection
printf '%s' "$short" >&7
start=$(date +%s%N)
post_short $((${#short} + 100)) < "$T/body.fifo"
took=$(( ($(date +%s%N) - start) / 1000000 ))
exec 7>&-
is "$status" 503 "Content-Length past a body held open: 503 at the deadline"
grep -qx 'unavailable: deadline' "$T/out"; ok $? "... saying so"
is "$(cat "$T/err")" "ipxe.cgi: 127.0.0.1 report: deadline reached, answered 503" \
    "... one log line"
# The deadline is 1 s: not before it, and not much after (a loaded machine).
ok $((took < 950 || took >= 4000)) "... answered after the 1 s deadline, within 4 s (${took} ms)"

done_testing
