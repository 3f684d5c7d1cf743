#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The image store behind the private Apache with the shipped lines: uploads (declared, chunked then committed), downloads, refusals, cuts, a full disk, hostile names, and the images verb.
set -u

cd "$(dirname "$0")/.."
. t/lib/apache.sh

for f in cgi/ipxe.cgi cgi/images.cgi cli/se3-ipxe; do
	[ -x "$f" ] || { echo "1..0 # SKIP $f is not built"; exit 0; }
done
apache_available || { echo "1..0 # SKIP apache2 with mod_cgid, or curl, is not installed"; exit 0; }
for c in sqlite3 python3 sha256sum; do
	command -v $c >/dev/null 2>&1 || { echo "1..0 # SKIP $c is not installed"; exit 0; }
done

. t/lib/tap.sh
. t/lib/cgi.sh

mounted=
[ -z "${KEEP:-}" ] || echo "# scratch: $T"
cleanup() {
	apache_stop "$T/apache" || :
	[ -z "$mounted" ] || umount "$T/images" 2>/dev/null || :
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mkdir -p "$T/apache" "$T/cgi-bin" "$T/doc" "$T/db" "$T/images" "$T/data"
# A small file system of its own when root: the disk-full case is real.
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=16m,mode=0755 se3-ipxe-test "$T/images" 2>/dev/null; then
	mounted=yes
fi
cp "$TOP/cgi/ipxe.cgi" "$TOP/cgi/images.cgi" "$T/cgi-bin/"
conf=$T/se3-ipxe.conf
CONFIG=$conf
DB=$T/db/se3-ipxe.db
db=$DB

mkdir -p "$T/modules/fakeimage"
cat > "$T/modules/fakeimage/module.ini" <<'EOM'
[module]
name = fakeimage
description = A pretend imaging worker
version = 1

[capability save]
description = Save the disks
template = job.ipxe
completion = report
max_boots = 5
destructive = no

[capability restore]
description = Restore the disks
template = job.ipxe
completion = report
max_boots = 5
destructive = no

[option restore.image]
type = name
pattern = [a-z0-9_.-]+
description = The image to restore

[capability restore_any]
description = Restore any image
template = job.ipxe
completion = report
max_boots = 5
destructive = no

[capability save_keep]
description = Save the disks, keeping some older images
template = job.ipxe
completion = report
max_boots = 5
destructive = no

[option save_keep.keep]
type = name
pattern = all|[0-9]|[1-9][0-9]|100
default = all
description = How many older images of the machine are kept (the worker's option)

[capability restore_img]
description = Restore a whole image of the catalogue
template = job.ipxe
completion = report
max_boots = 5
destructive = no

[option restore_img.image]
type = name
pattern = [A-Za-z0-9][A-Za-z0-9_.-]*
exists = image
exists_unless = share
description = The image to restore

[option restore_img.disk]
type = name
pattern = [a-z][a-z0-9]*
default = auto
description = The disk written

[option restore_img.share]
type = name
pattern = none|//[a-z0-9./]*
default = none
description = An SMB share holding the image instead of the catalogue

[capability restore_src]
description = Restore an image named by another option than share
template = job.ipxe
completion = report
max_boots = 5
destructive = no

[option restore_src.image]
type = name
pattern = [A-Za-z0-9][A-Za-z0-9_.-]*
exists = image
exists_unless = source
description = The image to restore

[option restore_src.source]
type = name
pattern = catalogue|//[a-z0-9./]*
default = catalogue
description = Where the image is: the catalogue, or an SMB share

[option restore_src.share]
type = name
pattern = none|//[a-z0-9./]*
default = none
description = A share the image check does not depend on

[capability inventory]
description = Report the machine's disks
template = job.ipxe
completion = report
max_boots = 5
destructive = no

[capability other]
description = Something that is no imaging
template = job.ipxe
completion = report
max_boots = 5
destructive = no
EOM
printf '#!ipxe\necho token {{token}}\n' > "$T/modules/fakeimage/job.ipxe"

APACHE_EXTRA_CONF=$(sed -n '/^# BEGIN images$/,/^# END images$/p' "$TOP/debian/se3-ipxe.apache2.conf")
export APACHE_EXTRA_CONF
case $APACHE_EXTRA_CONF in
*"LimitRequestBody 0"*) ok 0 "the shipped configuration lifts Apache's body limit for images.cgi" ;;
*) ok 1 "the shipped configuration lifts Apache's body limit for images.cgi" ;;
esac
set -- "SE3_IPXE_CONFIG=$conf"
for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
	eval "val=\${$v:-}"
	[ -z "$val" ] || set -- "$@" "$v=$val"
done
chmod -R a+rX "$T"
apache_start "$T/apache" "$T/cgi-bin" "$T/doc" "$@" || { echo "Bail out! cannot start apache"; exit 1; }

cat > "$conf" <<EOC
[database]
path = $db
busy_timeout = 2000
[modules]
path = $T/modules
templates = $TOP/templates
[server]
boot_url = $APACHE_URL/boot
cgi_url = $APACHE_URL/cgi-bin/ipxe.cgi
[images]
dir = $T/images
limit = 4
reserve = 0
timeout = 5
EOC
chmod a+r "$conf"
se3ipxe init > /dev/null
if [ "$(id -u)" = 0 ]; then
	chown -R "$APACHE_USER:$APACHE_GROUP" "$T/db" "$T/images"
else
	chmod a+rwX "$T/db" "$T/images"
fi

U=$APACHE_URL/cgi-bin/images.cgi
# The parts a worker would send: random bytes, of known hashes.
head -c 1500000 /dev/urandom > "$T/data/p1"
head -c 3000000 /dev/urandom > "$T/data/p2"
head -c 6000000 /dev/urandom > "$T/data/big"
sum() { sha256sum "$1" | cut -d' ' -f1; }
S1=$(sum "$T/data/p1")
S2=$(sum "$T/data/p2")

# put SOURCE NAME QUERY FILE: a PUT with a length; the status.
put() {
	curl -sS --max-time 60 --interface "$1" -o "$T/body" -w '%{http_code}' \
	    -T "$4" "$U/$2?$3" 2>"$T/curl-err" || echo curl-failed
}
# putc SOURCE NAME QUERY FILE: the same, chunked from a pipe (curl -T -).
putc() {
	cat "$4" | curl -sS --max-time 60 --interface "$1" -o "$T/body" \
	    -w '%{http_code}' -T - "$U/$2?$3" 2>"$T/curl-err" || echo curl-failed
}
post() {
	curl -sS --max-time 60 --interface "$1" -o "$T/body" -w '%{http_code}' \
	    -X POST "$U/$2?$3" 2>"$T/curl-err" || echo curl-failed
}
get() {	# get SOURCE NAME QUERY: the body in $T/got
	curl -sS --max-time 60 --interface "$1" -o "$T/got" -w '%{http_code}' \
	    "$U/$2?$3" 2>"$T/curl-err" || echo curl-failed
}
boot() {
	curl -sS --max-time 20 --interface "$1" -o /dev/null -w '%{http_code}' \
	    "$APACHE_URL/cgi-bin/ipxe.cgi?mac=$2&platform=pcbios" || echo curl-failed
}
listed() { sqlite3 "$db" "SELECT count(*) FROM images WHERE complete = 1"; }
rows() { sqlite3 "$db" "SELECT count(*) FROM images"; }
files() { ls -A "$T/images" | grep -v '^lost+found$' | wc -l | tr -d ' '; }

# A client on 127.0.0.2 is "another address" (loopback is all local).
other=yes
curl -s --max-time 5 --interface 127.0.0.2 -o /dev/null "$APACHE_URL/" || other=no

MS=52:54:00:00:65:01	# saves
MR=52:54:00:00:65:02	# restores
MO=52:54:00:00:65:03	# does something else
se3ipxe set-action $MS fakeimage:save > /dev/null
se3ipxe set-action $MO fakeimage:other > /dev/null
TS=$(token_of $MS)
TO=$(token_of $MO)

# --- refused before the boot pinned an address, and with wrong tokens --------
is "$(put 127.0.0.1 p1.img "token=$TS&sha256=$S1" "$T/data/p1")" 403 \
    "a PUT before the action's boot pinned its address: 403"
is "$(boot 127.0.0.1 $MS)" 200 "the saving machine boots from 127.0.0.1"
is "$(boot 127.0.0.1 $MO)" 200 "the other machine boots from 127.0.0.1"
WRONG=$(printf '%s' "$TS" | tr '0-9a-f' '1-9a0-f')
is "$(put 127.0.0.1 p1.img "token=$WRONG" "$T/data/p1")" 403 "a wrong token: 403"
grep -q "^refused: unknown token" "$T/body"; ok $? "... saying no more than refused"
is "$(put 127.0.0.1 p1.img "" "$T/data/p1")" 403 "no token: 403"
is "$(put 127.0.0.1 p1.img "token=$TO" "$T/data/p1")" 403 \
    "the token of an action that is no imaging: 403"
if [ $other = yes ]; then
	is "$(put 127.0.0.2 p1.img "token=$TS&sha256=$S1" "$T/data/p1")" 403 \
	    "the right token from another address: 403"
else
	skip "no client on 127.0.0.2"
fi
is "$(put 127.0.0.1 p1.img "token=$TS&colour=red" "$T/data/p1")" 400 "an unknown field: 400"
is "$(put 127.0.0.1 p1.img "token=$TS&compression=rar" "$T/data/p1")" 400 "a compression not known: 400"
is "$(put 127.0.0.1 p1.img "token=$TS&sha256=$S2" "$T/data/p1")" 400 \
    "a body that is not the declared sha256: 400"
is "$(rows)/$(files)" 0/0 "every refusal left no row and no file"

# --- a good upload, declared, and a chunked one committed after -------------
is "$(put 127.0.0.1 p1.img "token=$TS&sha256=$S1&part=sda1&tool=partclone.ext4&compression=zstd" "$T/data/p1")" 201 \
    "a PUT with its sha256: 201"
is "$(cat "$T/body")" "stored p1.img 1500000 $S1" "... answers what it stored"
is "$(sum "$T/images/p1.img")" "$S1" "... the stored file is the body"
is "$(sqlite3 "$db" "SELECT name, mac, part, tool, compression, size, sha256 FROM images WHERE complete = 1")" \
    "p1.img|$MS|sda1|partclone.ext4|zstd|1500000|$S1" "... listed with what the worker said"
is "$(put 127.0.0.1 p1.img "token=$TS&sha256=$S1" "$T/data/p1")" 409 "the same name again: 409"
is "$(putc 127.0.0.1 p2.img "token=$TS&part=sda2" "$T/data/p2")" 202 \
    "a chunked PUT declaring nothing: 202"
is "$(cat "$T/body")" "received p2.img 3000000 $S2" "... answers its size and sha256"
grep -q "Transfer-Encoding: chunked" "$T/apache/access.log" 2>/dev/null || :
is "$(listed)" 1 "... and is not listed yet"
is "$(post 127.0.0.1 p2.img "token=$TS&size=3000000&sha256=$S1")" 400 \
    "a commit with another sha256: 400"
is "$(rows)" 1 "... drops the upload"
is "$(files)" 1 "... and its file"
is "$(putc 127.0.0.1 p2.img "token=$TS&part=sda2" "$T/data/p2")" 202 "chunked again: 202"
is "$(post 127.0.0.1 p2.img "token=$TS&size=3000000&sha256=$S2")" 201 \
    "the commit with the received size and sha256: 201"
is "$(sum "$T/images/p2.img")" "$S2" "... the stored file is the body"
is "$(listed)" 2 "... now listed"

# --- limits: larger than [images] limit (4 MiB), before and while writing ----
is "$(put 127.0.0.1 big.img "token=$TS" "$T/data/big")" 413 \
    "a Content-Length over the limit: 413"
is "$(put 127.0.0.1 big.img "token=$TS&size=6000000" "$T/data/p1")" 400 \
    "a size that is not the Content-Length: 400"
is "$(putc 127.0.0.1 big.img "token=$TS&size=6000000" "$T/data/big")" 413 \
    "a declared size over the limit: 413"
is "$(putc 127.0.0.1 big.img "token=$TS" "$T/data/big")" 413 \
    "a chunked body that grows past the limit: 413"
is "$(rows)/$(files)" 2/2 "nothing of them is left"

# --- cut uploads: a short body, a client killed ----------------------------
python3 - "$APACHE_PORT" "$TS" > "$T/cut-status" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(("PUT /cgi-bin/images.cgi/cut.img?token=%s HTTP/1.1\r\n"
    "Host: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n" % sys.argv[2]).encode())
s.sendall(b"x" * 400000)
s.shutdown(socket.SHUT_WR)
s.settimeout(30)
try:
    print(s.recv(100).decode().split()[1])
except Exception:
    print("none")
EOF
# Apache may answer the CGI's 400 or just close: either way nothing stays.
case $(cat "$T/cut-status") in
400|none) ok 0 "a body cut short of its Content-Length: $(cat "$T/cut-status")" ;;
*) ok 1 "a body cut short of its Content-Length: $(cat "$T/cut-status")" ;;
esac
n=0
while [ $n -lt 100 ] && [ "$(files)" != 2 ]; do
	n=$((n + 1)); sleep 0.1
done
is "$(rows)/$(files)" 2/2 "... no row left, its temporary file removed"
# A producer that stalls, as a worker whose disk hangs; curl killed in the middle.
mkfifo "$T/fifo"
curl -sS --max-time 60 -o /dev/null -T - "$U/killed.img?token=$TS&size=3000000" \
    < "$T/fifo" 2>/dev/null &
cpid=$!
(head -c 1000000 /dev/urandom; exec sleep 60) > "$T/fifo" &
ppid=$!
n=0
while [ $n -lt 100 ] && ! ls -A "$T/images" | grep -q '^\.upload-'; do
	n=$((n + 1)); sleep 0.1
done
ls -A "$T/images" | grep -q '^\.upload-'; ok $? "a stalled upload writes a temporary file"
is "$(listed)" 2 "... that is not listed"
sleep 0.5
kill -KILL $cpid
wait $cpid 2>/dev/null
kill $ppid 2>/dev/null
wait $ppid 2>/dev/null
# The CGI sees the end of its body or Apache's SIGTERM: it removes its file.
n=0
while [ $n -lt 150 ] && [ "$(files)" != 2 ]; do
	n=$((n + 1)); sleep 0.1
done
is "$(files)" 2 "the killed upload's temporary file is removed ($n tenths of a second)"
is "$(rows)" 2 "... and its row"
grep -q "killed.img\|cut.img" "$T/apache/error.log"; ok $? "the cuts are logged"
! grep -q "$TS" "$T/apache/error.log"; ok $? "the logs never hold a token"

# The tick reaps what a killed CGI could not remove: a stale temporary file and its row.
sqlite3 "$db" "INSERT INTO images (id, name, mac, created_at) VALUES (900, 'ghost.img', '$MS', 1000)"
: > "$T/images/.upload-900"
touch -d '2000-01-01' "$T/images/.upload-900"
sqlite3 "$db" "INSERT INTO images (id, name, mac, created_at) VALUES (901, 'young.img', '$MS', strftime('%s','now'))"
: > "$T/images/.upload-901"
se3ipxe tick > "$T/o" 2>&1
ok $? "tick runs"
is "$(sed -n 2p "$T/o")" "tick: removed 1 dead upload of the image store" "... and says what it reaped"
[ ! -e "$T/images/.upload-900" ]; ok $? "tick removed the stale temporary file"
is "$(sqlite3 "$db" "SELECT group_concat(id) FROM images WHERE complete = 0")" 901 \
    "... and its row; an upload still written is left alone"
rm -f "$T/images/.upload-901"
sqlite3 "$db" "DELETE FROM images WHERE id = 901"

# --- the disk full during an upload -------------------------------------------
if [ -n "$mounted" ]; then
	# Fill all but about 1 MiB.
	free=$(df -B1 --output=avail "$T/images" | tail -1)
	head -c $((free - 1000000)) /dev/zero > "$T/images/filler" 2>/dev/null
	is "$(put 127.0.0.1 p3.img "token=$TS" "$T/data/p2")" 507 \
	    "a Content-Length larger than the free space: 507 before writing"
	is "$(putc 127.0.0.1 p3.img "token=$TS" "$T/data/p2")" 507 \
	    "a chunked upload that meets the full disk: 507"
	ls -A "$T/images" | grep -q '^\.upload-'; ok $(( ! $? )) "... its temporary file is removed"
	is "$(listed)" 2 "... nothing is listed"
	rm -f "$T/images/filler"
else
	skip "not root: no tmpfs for the disk-full case"
fi

# --- hostile names -----------------------------------------------------------
bad=
for n in ..%2F..%2Fetc%2Fpasswd .. a..b .hidden -rf 'a%20b' 'a%2Fb' '%24%7Bx%7D' 'a%00b' \
    'x%0Ashell' "$(printf 'a%.0s' $(seq 1 130))"; do
	st=$(put 127.0.0.1 "$n" "token=$TS" "$T/data/p1")
	case $st in 400|403|404) ;; *) bad="$bad $n:$st" ;; esac
done
is "$bad" "" "hostile names are refused (400 or 404)"
is "$(rows)/$(files)" 2/2 "... and write nothing"
[ ! -e "$T/passwd" ] && [ ! -e "$T/etc" ]; ok $? "... nothing outside the store"

# --- downloads with a restore action's token ----------------------------------
se3ipxe set-action $MR fakeimage:restore image=p1.img > /dev/null
TR=$(token_of $MR)
is "$(boot 127.0.0.1 $MR)" 200 "the restoring machine boots"
is "$(get 127.0.0.1 p1.img "token=$TR")" 200 "a GET of the image with the restore token: 200"
is "$(sum "$T/got")" "$S1" "... the body's sha256 is the uploaded one"
is "$(get 127.0.0.1 p2.img "token=$TR")" 403 "a GET of another image than the action's: 403"
is "$(get 127.0.0.1 p1.img "token=$TS")" 403 "a GET with the save token: 403"
is "$(put 127.0.0.1 p9.img "token=$TR" "$T/data/p1")" 403 "a PUT with the restore token: 403"
if [ $other = yes ]; then
	is "$(get 127.0.0.2 p1.img "token=$TR")" 403 "a GET from another address: 403"
else
	skip "no client on 127.0.0.2"
fi
se3ipxe cancel $MR > /dev/null
se3ipxe set-action $MR fakeimage:restore_any > /dev/null
TR=$(token_of $MR)
boot 127.0.0.1 $MR > /dev/null
is "$(get 127.0.0.1 p2.img "token=$TR")" 200 "a restore without image option reads any image"
is "$(sum "$T/got")" "$S2" "... the chunked upload round-trips"
is "$(get 127.0.0.1 nosuch.img "token=$TR")" 404 "an image not stored: 404"
is "$(curl -sS -o /dev/null -w '%{http_code}' -X DELETE "$U/p1.img?token=$TR")" 405 "DELETE: 405"

is "$(curl -sS -o "$T/got" -w '%{http_code}' -H "X-SE3-IPXE-Token: $TR" "$U/p2.img")" 200 \
    "the token in an X-SE3-IPXE-Token header: 200"
is "$(sum "$T/got")" "$S2" "... the same body"
! tail -1 "$T/apache/access.log" | grep -q "$TR"; ok $? "... and the access log never saw the token"

# --- the images verb: parts ----------------------------------------------------
se3ipxe images --parts > "$T/list"
ok $? "images --parts lists"
grep -q "^p1.img  *$MS  *sda1  *partclone.ext4  *zstd  *1500000  *$S1 .* orphan\$" "$T/list"; ok $? "... p1.img with its columns, an orphan (no manifest)"
is "$(se3ipxe images --parts --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d), d[1]["name"], d[1]["size"], d[1]["sha256"] == sys.argv[1], d[1]["image"])' "$S2")" \
    "2 p2.img 3000000 True None" "images --parts --json"
is "$(se3ipxe images --json)" "[]" "images --json: no whole image yet"
se3ipxe --user bob images > "$T/o" 2>&1
ok $(( $? == 0 )) "images as a login that is no admin is refused"
se3ipxe images delete ../p1.img > "$T/o" 2>&1
ok $(( $? == 0 )) "images delete of a hostile name fails"
grep -q "not an image name" "$T/o"; ok $? "... saying so"
se3ipxe images delete nosuch.img > "$T/o" 2>&1
ok $(( $? == 0 )) "images delete of an unknown name fails"
se3ipxe images prune > "$T/o" 2>&1
is "$?" 2 "images prune without --keep or --before: usage"
se3ipxe images --parts delete p1.img > "$T/o" 2>&1
is "$?" 2 "images --parts delete: usage"
se3ipxe images delete p1.img > "$T/o"
ok $? "images delete p1.img (a bare part)"
[ ! -e "$T/images/p1.img" ] && [ "$(listed)" = 1 ]; ok $? "... its file and row are gone"
se3ipxe images delete p2.img > /dev/null
is "$(listed)/$(files)" 0/0 "the store is empty"

# --- whole images: parts, then the manifest as the commit point --------------
# save_image SOURCE TOKEN NAME MAC: upload NAME.table, NAME.sda1, NAME.sda2 and the manifest of them.
save_image() {
	head -c 700 /dev/urandom > "$T/data/$3.table"
	head -c 200000 /dev/urandom > "$T/data/$3.sda1"
	head -c 100000 /dev/urandom > "$T/data/$3.sda2"
	for p in table sda1 sda2; do
		st=$(put "$1" "$3.$p" "token=$2&sha256=$(sum "$T/data/$3.$p")&part=$p&tool=partclone.ext4&compression=zstd" "$T/data/$3.$p")
		[ "$st" = 201 ] || { echo "# $3.$p: $st $(cat "$T/body")"; return 1; }
	done
	{
		echo "se3-ipxe-image 1"
		echo "mac $4"
		echo "disk sda 67108864 512"
		echo "table ${GPT:-gpt} $3.table $(sum "$T/data/$3.table") ${NEED:-66043392}"
		echo "part sda1 1 ext4 partclone.ext4 zstd $3.sda1 33554432 $(sum "$T/data/$3.sda1") $(sum "$T/data/$3.sda1")"
		echo "part sda2 2 ntfs partclone.ntfs lzop $3.sda2 16777216 $(sum "$T/data/$3.sda2") $(sum "$T/data/$3.sda2")"
		echo "end"
	} > "$T/data/$3"
	if [ -n "${MANIFEST_LATER:-}" ]; then
		# The two steps: sent chunked without size or sha256, then committed.
		echo "$(putc "$1" "$3" "token=$2&part=manifest&tool=manifest&compression=none" "$T/data/$3")" \
		    "$(post "$1" "$3" "token=$2&size=$(wc -c < "$T/data/$3")&sha256=$(sum "$T/data/$3")")"
		return
	fi
	put "$1" "$3" "token=$2&sha256=$(sum "$T/data/$3")&part=manifest&tool=manifest&compression=none" "$T/data/$3"
}
is "$(save_image 127.0.0.1 "$TS" img1 $MS)" 201 "a whole image: three parts, then its manifest: 201"
se3ipxe images > "$T/list"
ok $? "images lists whole images"
is "$(sed -n 1p "$T/list" | tr -s ' ')" "NAME MACHINE DISK PARTS TOOLS COMPRESSION SIZE SHA256 CREATED STATE" \
    "... with the columns of a whole image"
is "$(sed -n 2p "$T/list" | awk '{print $1, $2, $3, $4, $5, $6, $7, $8 == s, $NF}' s="$(sum "$T/data/img1")")" \
    "img1 $MS sda:67108864 sda1:ext4,sda2:ntfs partclone.ext4,partclone.ntfs zstd,lzop $((700 + 200000 + 100000 + $(wc -c < "$T/data/img1"))) 1 whole" \
    "... one row: disk, parts, tools, compressions, the sum of its stored parts, the manifest's sha256"
is "$(wc -l < "$T/list")" 2 "... one row per image, not per part"
is "$(se3ipxe images --json | python3 -c 'import json,sys; d=json.load(sys.stdin)[0]; print(d["name"], d["disk"]["name"], d["disk"]["bytes"], d["label"], d["need_bytes"], [p["dev"] + ":" + p["stored"] for p in d["parts"]], d["error"])')" \
    "img1 sda 67108864 gpt 66043392 ['sda1:img1.sda1', 'sda2:img1.sda2'] None" "images --json: the parts inside"
se3ipxe images --parts > "$T/list"
is "$(awk 'NR > 1 {print $1 "=" $NF}' "$T/list" | tr '\n' ' ')" "img1.table=img1 img1.sda1=img1 img1.sda2=img1 img1=img1 " \
    "images --parts: every part names its image"

# A part without its manifest is not an image; a manifest that says nonsense is listed with its error.
is "$(put 127.0.0.1 broken.table "token=$TS&sha256=$S1&part=table" "$T/data/p1")" 201 "a part of a save that will die"
printf 'se3-ipxe-image 1\nmac %s\ndisk sda 67108864 512\ntable gpt other.table %s 1\nend\n' $MS "$S1" > "$T/data/bad"
is "$(put 127.0.0.1 bad "token=$TS&sha256=$(sum "$T/data/bad")&part=manifest&tool=manifest&compression=none" "$T/data/bad")" 201 \
    "a manifest that is invalid is stored (the store does not read it)"
se3ipxe images > "$T/list" 2> "$T/err"
ok $? "images lists with a bad manifest"
grep -q "^bad  *$MS  *-  *-  *-  *-  *[0-9]* .* broken\$" "$T/list"; ok $? "... the bad image listed, broken"
is "$(cat "$T/err")" "se3-ipxe: images: manifest of bad: line 4: table stored: not NAME.table of this image" \
    "... with its error, on one line"
is "$(se3ipxe images --json | python3 -c 'import json,sys; print([(d["name"], d["error"] is not None) for d in json.load(sys.stdin)])')" \
    "[('img1', False), ('bad', True)]" "images --json: the error in the image's object"
se3ipxe images --parts | grep -q "^broken.table .* orphan\$"; ok $? "images --parts: the dead save's part is an orphan"

# --- delete of a whole image ---------------------------------------------------
is "$(save_image 127.0.0.1 "$TS" img1.x $MS)" 201 "an image whose name starts with another's"
se3ipxe images delete img1 > "$T/o"
ok $? "images delete img1"
is "$(sqlite3 "$db" "SELECT group_concat(name, ' ') FROM (SELECT name FROM images ORDER BY name)")" \
    "bad broken.table img1.x img1.x.sda1 img1.x.sda2 img1.x.table" "... its manifest and all its parts are gone, img1.x's are not"
[ ! -e "$T/images/img1" ] && [ ! -e "$T/images/img1.sda1" ] && [ ! -e "$T/images/img1.table" ] && [ -e "$T/images/img1.x.sda1" ]
ok $? "... and their files"
se3ipxe images delete img1.x > /dev/null
se3ipxe images delete bad > /dev/null
is "$(sqlite3 "$db" "SELECT group_concat(name) FROM images")" "broken.table" "a whole image deleted in one step each"

# --- the orphans of a dead save are reaped by the tick --------------------------
sqlite3 "$db" "UPDATE images SET created_at = created_at - 3600 WHERE name = 'broken.table'"
se3ipxe tick > "$T/o" 2>&1
is "$(listed)" 1 "tick leaves an orphan part while its machine's save action is active"
se3ipxe cancel $MS > /dev/null
se3ipxe tick > "$T/o" 2>&1
ok $? "tick runs"
grep -q "^tick: removed 1 orphan part of the image store (no manifest)\$" "$T/o"; ok $? "... and says it removed 1 orphan part"
is "$(listed)/$(files)" 0/0 "... its row and its file are gone"

# --- prune of whole images, and keep at the manifest's commit ------------------
se3ipxe set-action $MS fakeimage:save > /dev/null
TS=$(token_of $MS)
boot 127.0.0.1 $MS > /dev/null
MT=52:54:00:00:65:04
se3ipxe set-action $MT fakeimage:save > /dev/null
TT=$(token_of $MT)
is "$(boot 127.0.0.1 $MT)" 200 "a second saving machine boots"
for i in 1 2 3; do
	save_image 127.0.0.1 "$TS" "a$i" $MS > /dev/null
	save_image 127.0.0.1 "$TT" "b$i" $MT > /dev/null
	sqlite3 "$db" "UPDATE images SET created_at = 1000000 + $i WHERE name LIKE 'a$i%' OR name LIKE 'b$i%'"
done
is "$(se3ipxe images | awk 'NR > 1 {print $1}' | tr '\n' ' ')" "a1 b1 a2 b2 a3 b3 " "six whole images of two machines"
se3ipxe images prune --keep 2 > "$T/o"
is "$(cat "$T/o")" "pruned 2 images" "prune --keep 2: the oldest whole image of each machine"
is "$(se3ipxe images | awk 'NR > 1 {print $1}' | tr '\n' ' ')" "a2 b2 a3 b3 " "... the two newest of each kept"
is "$(sqlite3 "$db" "SELECT count(*) FROM images WHERE name LIKE 'a1%' OR name LIKE 'b1%'")/$(files)" "0/16" \
    "... no part of them left: 4 images of 4 files"
se3ipxe images prune --before @1000003 > "$T/o"
is "$(cat "$T/o")" "pruned 2 images" "prune --before: the whole images older"
is "$(se3ipxe images | awk 'NR > 1 {print $1}' | tr '\n' ' ')" "a3 b3 " "... the newer kept"
se3ipxe cancel $MS > /dev/null
se3ipxe set-action $MS fakeimage:save_keep keep=1 > /dev/null
TK=$(token_of $MS)
boot 127.0.0.1 $MS > /dev/null
save_image 127.0.0.1 "$TK" a4 $MS > /dev/null
save_image 127.0.0.1 "$TK" a5 $MS > /dev/null
is "$(se3ipxe images | awk 'NR > 1 {print $1}' | tr '\n' ' ')" "b3 a4 a5 " \
    "keep=1 at each commit: the new image and one older of that machine; the other machine's untouched"
grep -q "stored a5: .*; keep removed 1 older image" "$T/apache/error.log"; ok $? "... the commit's log line says what keep removed"
is "$(files)" 12 "... no part of the removed left: 3 images of 4 files"

# --- set-action: an option with exists = image, and the fit on the disk --------
MI=52:54:00:00:65:05
se3ipxe set-action $MI fakeimage:restore_img image=nosuch > /dev/null 2> "$T/err"
ok $(( $? == 0 )) "set-action with an image not in the catalogue fails"
is "$(cat "$T/err")" "se3-ipxe: set-action: option image: no image 'nosuch' in the catalogue" "... saying so"
se3ipxe set-action $MI fakeimage:restore_img image=a5.sda1 > /dev/null 2> "$T/err"
ok $(( $? == 0 )) "set-action with a part's name, not a whole image, fails"
grep -q "no image 'a5.sda1' in the catalogue" "$T/err"; ok $? "... saying so"
is "$(sqlite3 "$db" "SELECT count(*) FROM actions WHERE mac = '$MI'")" 0 "... no action written"
se3ipxe set-action $MI fakeimage:restore_img image=a5 > /dev/null 2> "$T/err"
ok $? "set-action with a whole image, on a machine without inventory: allowed"
grep -q "1 machine without an inventory of disk sizes" "$T/err"; ok $? "... with a warning"
se3ipxe cancel $MI > /dev/null
# inventory MAC SIZE-LINE: a report of the machine's disks, as the worker sends it.
inventory() {
	se3ipxe set-action "$1" fakeimage:inventory > /dev/null
	boot 127.0.0.1 "$1" > /dev/null
	# Percent-encoded: a '+' is kept as sent.
	inv=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote("disks: sda:64M\n" + sys.argv[1], safe=""))' "$2")
	curl -sS --max-time 20 -o /dev/null -w '%{http_code}' \
	    -d "token=$(token_of "$1")&status=done&inventory=$inv" \
	    "$APACHE_URL/cgi-bin/ipxe.cgi/report" || echo curl-failed
}
is "$(inventory $MI "size: sda 60000000 sdb 67108864")" 200 "an inventory with disk sizes reported"
se3ipxe set-action $MI fakeimage:restore_img image=a5 > /dev/null 2> "$T/err"
ok $(( $? == 0 )) "set-action of an image larger than the first disk fails"
is "$(cat "$T/err")" "se3-ipxe: set-action: image a5 needs 66043392 bytes, disk sda of $MI has 60000000" "... saying what and where"
se3ipxe set-action $MI fakeimage:restore_img image=a5 disk=sdb > /dev/null 2> "$T/err"
ok $? "set-action on the disk it fits (disk=sdb)"
is "$(cat "$T/err")" "" "... without a warning"
se3ipxe cancel $MI > /dev/null
se3ipxe set-action $MI fakeimage:restore_img image=a5 disk=sdz > /dev/null 2> "$T/err"
ok $(( $? == 0 )) "set-action on a disk the inventory does not have fails"
is "$(cat "$T/err")" "se3-ipxe: set-action: option disk: $MI has no disk sdz in its inventory" "... saying so"
se3ipxe set-action $MI fakeimage:restore_img image=a5 disk=auto > /dev/null 2> "$T/err"
ok $(( $? == 0 )) "disk=auto is the first disk of the inventory: refused"
se3ipxe set-action $MI $MR fakeimage:restore_img image=a5 disk=sdb > /dev/null 2> "$T/err"
ok $? "two machines, one without inventory: allowed"
grep -q "1 machine without an inventory" "$T/err"; ok $? "... the warning counts it"
se3ipxe images delete a4.sda2 > /dev/null
se3ipxe images 2> "$T/err" | grep -q "^a4 .* broken\$"; ok $? "an image with a part deleted is listed broken"
is "$(cat "$T/err")" "se3-ipxe: images: part a4.sda2 is not in the store" "... saying which part"
se3ipxe set-action $MI fakeimage:restore_img image=a4 disk=sdb > /dev/null 2> "$T/err"
ok $(( $? == 0 )) "set-action of an image with a part missing fails"
is "$(cat "$T/err")" "se3-ipxe: set-action: option image: image 'a4' is not whole: part a4.sda2 is not in the store" "... saying why"
se3ipxe cancel $MI $MR > /dev/null
se3ipxe set-action $MI fakeimage:restore_img image=elsewhere share=//se3/images/s218 disk=sdz > /dev/null 2> "$T/err"
ok $? "an image on an SMB share (share=//...): not the catalogue's, the worker checks it"
is "$(cat "$T/err")" "" "... without a word"
se3ipxe cancel $MI > /dev/null
se3ipxe set-action $MI fakeimage:restore_img image=elsewhere share=none > /dev/null 2> "$T/err"
ok $(( $? == 0 )) "share=none: the catalogue's again, refused"
# exists_unless names the option, whatever its name: share means nothing else.
se3ipxe set-action $MI fakeimage:restore_src image=elsewhere source=//se3/images/s218 > /dev/null 2> "$T/err"
ok $? "exists_unless = source: an image elsewhere (source=//...) is not checked"
se3ipxe cancel $MI > /dev/null
se3ipxe set-action $MI fakeimage:restore_src image=elsewhere share=//se3/images/s218 > /dev/null 2> "$T/err"
ok $(( $? == 0 )) "... an option share, not named by exists_unless: checked, refused"
is "$(cat "$T/err")" "se3-ipxe: set-action: option image: no image 'elsewhere' in the catalogue" "... saying so"
se3ipxe set-action $MI fakeimage:restore_src image=elsewhere source=catalogue > /dev/null 2> "$T/err"
ok $(( $? == 0 )) "... source=catalogue, its default: checked, refused"
se3ipxe cancel $MS > /dev/null
se3ipxe set-action $MS fakeimage:save_keep > /dev/null
TK=$(token_of $MS)
boot 127.0.0.1 $MS > /dev/null
save_image 127.0.0.1 "$TK" a6 $MS > /dev/null
is "$(se3ipxe images 2> /dev/null | awk 'NR > 1 {print $1}' | tr '\n' ' ')" "b3 a4 a5 a6 " \
    "keep=all (the default) at a commit: nothing removed"
grep "stored a6: " "$T/apache/error.log" | grep -q "keep"; ok $(( $? == 0 )) "... and the log line says nothing of keep"
# keep=N when the manifest is committed by its POST (the store the commit opened does it).
se3ipxe cancel $MS > /dev/null
se3ipxe set-action $MS fakeimage:save_keep keep=1 > /dev/null
TK=$(token_of $MS)
boot 127.0.0.1 $MS > /dev/null
is "$(MANIFEST_LATER=1 save_image 127.0.0.1 "$TK" a7 $MS)" "202 201" "keep=1, the manifest sent without sha256 (202), then committed (201)"
is "$(se3ipxe images 2> /dev/null | awk 'NR > 1 {print $1}' | tr '\n' ' ')" "b3 a6 a7 " \
    "... at the commit: the new image and one older of that machine; the other machine's untouched"
grep -q "stored a7: .*; keep removed 2 older images" "$T/apache/error.log"; ok $? "... the commit's log line says what keep removed"
is "$(files)" 12 "... no part of the removed left: 3 images of 4 files"

apache_stop "$T/apache"
done_testing
