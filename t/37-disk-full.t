#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Every writer on a full disk (a tmpfs filled to 0, 4, 8 ... KiB free): the journal append, the CGI's boot transaction, set-action, cancel and the fold either do all their work or none of it and say so in one line; nothing folded is lost.

# As root, a mount namespace of its own, so that the tmpfs is nobody else's business.
if [ "$(id -u)" -eq 0 ] && [ -z "${DISK_FULL_NS-}" ] &&
    unshare -m --propagation private true 2> /dev/null; then
	DISK_FULL_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi

. t/lib/tap.sh
. t/lib/cgi.sh

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root to mount a tmpfs"
	exit 0
fi
write_config "$T/se3-ipxe.conf"
DB=$T/db/se3-ipxe.db
if ! mount -t tmpfs -o size=2m,mode=755 se3-ipxe-full "$T/db" 2> "$T/mount.err"; then
	echo "1..0 # SKIP cannot mount a tmpfs: $(head -n 1 "$T/mount.err")"
	exit 0
fi
trap 'umount "$T/db" 2> /dev/null; rm -rf "$T"' EXIT

# The starting point of every run: a database with actions on A and B,
# and a journal of 20 boots of MACs 02:..:00:01 to 02:..:00:14, then
# whole lines of 02:..:01:01 on to the end of its page.
A=52:54:00:00:00:0a B=52:54:00:00:00:0b C=52:54:00:00:00:0c D=52:54:00:00:00:0d
db_create
se3ipxe set-action $A $B memtest:run > /dev/null || echo "Bail out! set-action"
i=0
while [ $i -lt 20 ]; do
	i=$((i + 1))
	boot "mac=$(printf '02:00:00:00:00:%02x' $i)&platform=efi&serial=SN-$i"
done
# Whole lines up to the end of a page, so that at 0 KiB free the next
# append finds no room at all (t/35 covers a line cut at the boundary).
line() {	# line N LEN: a journal line of MAC 02:..:01:N, LEN bytes long
	printf '1700000000\t02:00:00:00:01:%02x\t\t\t\t%s\t\t\t\n' "$1" \
	    "$(printf "%$(($2 - 36))s" | tr ' ' x)"
}
size=$(wc -c < "$DB-seen")
j=0
while [ $((4096 - size)) -gt 200 ]; do
	j=$((j + 1))
	line $j 100 >> "$DB-seen"
	size=$((size + 100))
done
r=$((4096 - size))
if [ $r -gt 137 ]; then l1=100; else l1=$((r - 50)); fi
line $((j + 1)) $l1 >> "$DB-seen"
line $((j + 2)) $((r - l1)) >> "$DB-seen"
JOURNAL=$(wc -l < "$DB-seen" | tr -d ' ')
is "$(wc -c < "$DB-seen" | tr -d ' ') $(awk -F '\t' 'NF != 9' "$DB-seen" | wc -l)" "4096 0" \
    "the starting journal: $JOURNAL whole lines, one page"
mkdir -p "$T/tpl"
cp -a "$T/db/." "$T/tpl/"

q() { sqlite3 "$DB" "$1"; }
# The state a writer may change, as one text to compare.
state() {
	q "SELECT mac, state, boots FROM actions ORDER BY id;
	   SELECT count(*) FROM history;
	   SELECT mac, boots FROM machines ORDER BY mac;"
	# The boot of a MAC with an action is journalled whatever its
	# transaction does (lib/answer.c): that line is the append's business.
	[ "$writer" = boot ] || cat "$DB-seen" "$DB"-seen.* 2> /dev/null | sort
}

# fill KIB: a fresh copy of the starting point, then a filler that leaves
# KIB KiB free.
fill() {
	rm -rf "$T/db/"* 2> /dev/null
	cp -a "$T/tpl/." "$T/db/"
	avail=$(df -B1 --output=avail "$T/db" | tail -n 1 | tr -d ' ')
	blocks=$(( (avail - $1 * 1024) / 4096 ))
	[ $blocks -gt 0 ] && dd if=/dev/zero of="$T/db/filler" bs=4096 \
	    count=$blocks 2> /dev/null
}

# run WRITER: one write, its one-line log in $T/err, 0 when it did its work.
run() {
	case $1 in
	append)	boot "mac=02:00:00:00:02:01&platform=efi"
		[ "$status" = 200 ] && is_local_script && [ ! -s "$T/err" ] ;;
	boot)	boot "mac=$A&platform=pcbios"
		[ "$status" = 200 ] && [ ! -s "$T/err" ] ;;
	set-action)
		se3ipxe set-action $C $D memtest:run > /dev/null 2> "$T/err" ;;
	cancel)	se3ipxe cancel $A > /dev/null 2> "$T/err" ;;
	fold)	se3ipxe cleanup > /dev/null 2> "$T/err" ;;
	esac
}

# done WRITER: the state after the writer did its work, from the state before.
expect_done() {
	case $1 in
	append)	[ "$(tail -n 1 "$DB-seen" | cut -f 2)" = 02:00:00:00:02:01 ] &&
		    [ "$(wc -l < "$DB-seen")" = $((JOURNAL + 1)) ] ;;
	boot)	[ "$(q "SELECT state || boots FROM actions WHERE mac = '$A'")" = done1 ] ;;
	set-action)
		[ "$(q "SELECT count(*) FROM actions WHERE mac IN ('$C', '$D') AND state = 'pending'")" = 2 ] ;;
	cancel)	[ "$(q "SELECT state FROM actions WHERE mac = '$A'")" = cancelled ] ;;
	fold)	[ "$(q "SELECT count(*) || ' ' || sum(boots) FROM machines WHERE mac LIKE '02:%'")" = "$JOURNAL $JOURNAL" ] ;;
	esac
}

for writer in append boot set-action cancel fold; do
	fill 4096	# plenty: the state before, and after
	state > "$T/before"
	run $writer; ok $? "$writer: with room, it works"
	state > "$T/after"
	fails=0 bad= kib=0
	while [ $kib -le 400 ]; do
		fill $kib
		run $writer; rc=$?
		msg=$(cat "$T/err")
		lines=$(wc -l < "$T/err" | tr -d ' ')
		rm -f "$T/db/filler"
		if [ $rc -eq 0 ]; then
			expect_done $writer || bad="$bad $kib KiB: said done but is not;"
		else
			fails=$((fails + 1))
			[ "$lines" = 1 ] || bad="$bad $kib KiB: $lines log lines ($msg);"
			[ "$writer" = append ] || [ "$writer" = boot ] ||
			    [ "$status" = 200 ] ||
			    bad="$bad $kib KiB: no 200 answer;"
			case $writer in append|boot)
				{ [ "$status" = 200 ] && is_local_script; } ||
				    bad="$bad $kib KiB: not a local-boot answer;" ;;
			esac
			# Nothing half-done: exactly the state before.
			state > "$T/now"
			cmp -s "$T/before" "$T/now" ||
			    bad="$bad $kib KiB: failed but changed ($(diff "$T/before" "$T/now" | sed -n 2p));"
			[ -n "${first_msg-}" ] || first_msg=$msg
		fi
		[ "$(q 'PRAGMA integrity_check')" = ok ] || bad="$bad $kib KiB: integrity;"
		# What the journal and its generations hold is folded once.
		se3ipxe cleanup > /dev/null 2> "$T/cleanup.err" ||
		    bad="$bad $kib KiB: cleanup after: $(cat "$T/cleanup.err");"
		[ -s "$T/cleanup.err" ] && bad="$bad $kib KiB: $(cat "$T/cleanup.err");"
		got=$(q "SELECT sum(boots) FROM machines WHERE mac LIKE '02:%'")
		want=$JOURNAL
		[ $writer = append ] && [ $rc -eq 0 ] && want=$((JOURNAL + 1))
		[ "$got" = "$want" ] || bad="$bad $kib KiB: $got boots folded, not $want;"
		[ $rc -eq 0 ] && break
		kib=$((kib + 4))
	done
	echo "# $writer: refused $fails times, worked at $kib KiB free; first message: ${first_msg-none}"
	unset first_msg
	ok "$([ $fails -gt 0 ]; echo $?)" "$writer: a full disk refused it ($fails times)"
	ok "$([ $rc -eq 0 ]; echo $?)" "$writer: worked again with room ($kib KiB)"
	is "$bad" "" "$writer: all or nothing, one log line, nothing lost"
done

done_testing
