#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The seen journal when writes fall short (an LD_PRELOAD shim, then a full tmpfs): every boot is answered, the journal keeps whole lines only, and what it recorded is folded once.

# As root, a mount namespace of its own, so that the tmpfs is nobody else's business.
if [ "$(id -u)" -eq 0 ] && [ -z "${SEEN_FULL_NS-}" ] &&
    unshare -m --propagation private true 2> /dev/null; then
	SEEN_FULL_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi

. t/lib/tap.sh
. t/lib/cgi.sh

write_config "$T/se3-ipxe.conf"
DB=$T/db/se3-ipxe.db
db_create

# --- a write cut short by the shim: the repair path alone ---------------------
# The shim is preloaded: under the sanitizers ASan must not insist on coming first.
[ -n "${SIP_SANITIZE-}" ] && export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
SHIM="LD_PRELOAD=$TOP/build/t/shortwrite.so"
CGI_BIN=$TOP/build/t/ipxe-dynamic.cgi boot "mac=02:00:00:00:ff:01&platform=efi"
lines=$(cat "$DB-seen")
CGI_ENV="$SHIM SHORTWRITE_AT=1" CGI_BIN=$TOP/build/t/ipxe-dynamic.cgi \
    boot "mac=02:00:00:00:ff:02&platform=efi&serial=cut%20in%20half"
is "$status" 200 "shim: a short write still answers 200"
ok "$(is_local_script; echo $?)" "shim: a whole local-boot script"
grep -q 'short write, boot not recorded' "$T/err"; ok $? "shim: the log says so: $(cat "$T/err")"
is "$(cat "$DB-seen")" "$lines" "shim: the half line is taken back, the journal as before"
CGI_BIN=$TOP/build/t/ipxe-dynamic.cgi boot "mac=02:00:00:00:ff:03&platform=efi"
is "$(cut -f 2 "$DB-seen" | tr '\n' ' ')" "02:00:00:00:ff:01 02:00:00:00:ff:03 " \
    "shim: the next boot is a whole line of its own"
rm -f "$DB-seen"

# --- a full tmpfs --------------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
	skip "a full disk: needs root to mount a tmpfs"
	done_testing
	exit
fi
if ! mount -t tmpfs -o size=512k,mode=755 se3-ipxe-test "$T/db" 2> "$T/mount.err"; then
	skip "a full disk: cannot mount a tmpfs: $(head -n 1 "$T/mount.err")"
	done_testing
	exit
fi
trap 'umount "$T/db" 2> /dev/null; rm -rf "$T"' EXIT

# A database and an active list, then a filler that leaves 8 KiB.
se3ipxe set-action 52:54:00:00:00:10 memtest:run > /dev/null 2>&1
ok $? "a database on the tmpfs"
avail=$(df -B1 --output=avail "$T/db" | tail -n 1 | tr -d ' ')
dd if=/dev/zero of="$T/db/filler" bs=4096 count=$(( (avail - 8192) / 4096 )) 2> /dev/null
start=$(date +%s)

mac_of() { printf '02:00:00:00:%02x:%02x' $(( $1 / 256 )) $(( $1 % 256 )); }

# Boot new MACs until 20 boots in a row are not recorded.
i=0 recorded=0 refused=0 bad_answer=0 short=0 first_full=
: > "$T/recorded"
while [ $i -lt 2000 ] && [ $refused -lt 20 ]; do
	i=$((i + 1))
	mac=$(mac_of $i)
	boot "mac=$mac&platform=efi&buildarch=x86_64&serial=SN-$i&product=Standard%20PC%20($i)&ip=10.0.$((i / 256)).$((i % 256))"
	if [ "$status" != 200 ] || ! is_local_script; then
		bad_answer=$((bad_answer + 1))
	fi
	if [ -s "$T/err" ]; then
		refused=$((refused + 1))
		[ -n "$first_full" ] || first_full=$i
		grep -q 'short write' "$T/err" && short=$((short + 1))
	else
		[ -z "$first_full" ] || refused=0	# recorded again: not full yet
		recorded=$((recorded + 1))
		echo "$mac" >> "$T/recorded"
	fi
done
echo "# $i requests: the disk was full at request $first_full; $recorded recorded, $short short write(s)"
is "$bad_answer" 0 "every request answered 200 with a whole local-boot script"
ok "$([ -n "$first_full" ]; echo $?)" "the disk filled up"
ok "$([ "$short" -ge 1 ]; echo $?)" "at least one write was cut short ($short)"
grep -q "boot not recorded" "$T/err"; ok $? "the log says the boot was not recorded"

# The journal: whole lines only, each of 9 fields, one per recorded boot.
is "$(tail -c 1 "$DB-seen" | od -An -c | tr -d ' ')" '\n' "the journal ends with a newline"
is "$(awk -F '\t' 'NF != 9' "$DB-seen" | wc -l)" 0 "every line has 9 TAB-separated fields"
is "$(wc -l < "$DB-seen")" "$recorded" "one line per recorded boot"
cut -f 2 "$DB-seen" > "$T/journal-macs"
cmp -s "$T/journal-macs" "$T/recorded"; ok $? "the lines are the recorded MACs, in order"

# Free the space: the next boots are recorded, and everything is folded once.
rm -f "$T/db/filler"
after=0
for j in 1 2 3; do
	mac=$(mac_of $((i + j)))
	boot "mac=$mac&platform=pcbios"
	[ "$status" = 200 ] && [ ! -s "$T/err" ] && after=$((after + 1)) &&
	    echo "$mac" >> "$T/recorded"
done
is "$after" 3 "after freeing space, boots are recorded again"
se3ipxe cleanup > "$T/cleanup.out" 2> "$T/cleanup.err"
ok $? "cleanup folds the journal"
ok "$([ ! -s "$T/cleanup.err" ]; echo $?)" "no malformed line dropped: $(head -n 1 "$T/cleanup.err")"
is "$(cat "$DB-seen" 2> /dev/null | wc -c | tr -d ' ')" 0 "the journal is empty after the fold"
is "$(ls "$DB-seen".* 2> /dev/null)" "" "and no generation file is left"
now=$(date +%s)
sqlite3 "$DB" "SELECT mac FROM machines WHERE mac LIKE '02:%' ORDER BY mac" > "$T/folded"
sort "$T/recorded" > "$T/recorded.sorted"
is "$(wc -l < "$T/folded")" "$((recorded + 3))" "lines appended = lines folded ($recorded before the disk filled, 3 after)"
cmp -s "$T/folded" "$T/recorded.sorted"; ok $? "the folded MACs are exactly the recorded ones"
is "$(sqlite3 "$DB" "SELECT count(*) FROM machines WHERE mac LIKE '02:%' AND (boots != 1 OR first_seen < $start OR last_seen > $now)")" 0 \
    "each folded once, seen between the start of the test and now (none in the future)"
se3ipxe status > "$T/status" 2>&1
ok "$(! grep -q ' [0-9]\{5,\}-' "$T/status"; echo $?)" "status shows no date past the year 9999"

done_testing
