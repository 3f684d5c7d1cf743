#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# se3-ipxe worker:restore for {{mac}} (action {{action_id}}): restore an image of the catalogue to the disk, verify every partition by reading it back, grow the last where asked.
# Run by the worker's /init.  Nothing is written before the manifest is read
# whole and checked, and the disk is known to be large enough; each stream is
# checked against the manifest's SHA-256 as it is written, then (verify=yes)
# each partition is read back and must give the stream it was written from.
# With session=N the parts come from multicast session N (udp-receiver, one
# stream of headed parts: lib.sh's mcast_*), the manifest and table still from
# the store; each part's header is checked before a byte of it is read.
set -u
# busybox sh has it; a shell without (the tests' dash) runs the checks only.
(set -o pipefail) 2>/dev/null && set -o pipefail
. "${SE3_WORKER_LIB:-/lib/se3-worker.sh}"
SE3_IMAGES='{{images_url}}'
IMAGE='{{image}}' DISK='{{disk}}' GROW='{{grow}}' VERIFY='{{verify}}'
SHARE='{{share}}' SE3_FILE_URL='{{file_url}}'
SESSION='{{session}}' PORT='{{port}}' WAIT='{{wait}}'
# An action set before these options existed renders them empty: unicast.
SESSION=${SESSION:-0} PORT=${PORT:-9000} WAIT=${WAIT:-300}
DEV=${SE3_DEV:-/dev} SYS=${SE3_SYS:-/sys}
[ -n "$SE3_IMAGES" ] || [ "$SHARE" != none ] || fail "no image store URL (images.cgi beside ipxe.cgi)"

report running 5 "restore: worker started"
[ "$SHARE" = none ] || share_open "$SHARE"
DISK=$(disk_resolve "$DISK") || exit 1
store_get "$IMAGE" >/tmp/manifest || fail "cannot read the manifest of image $IMAGE"

# The manifest, every field checked before anything is written.
HEX='[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'
HEX=$HEX$HEX$HEX$HEX$HEX$HEX$HEX$HEX
isnum() { case $1 in ''|*[!0-9]*) return 1 ;; esac; [ ${#1} -le 15 ]; }
isword() { case $1 in ''|*[!A-Za-z0-9._:-]*) return 1 ;; esac; }
issha() { case $1 in $HEX) return 0 ;; esac; return 1; }
LABEL= TPART= TSHA= NEED= SECTOR= SRC= ended= nparts=0
: >/tmp/parts
: >/tmp/uuids
lineno=0
set -f	# a hostile line's * or ? stays itself
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	set -- $line
	kind=${1-} nf=$(($# - 1))
	[ $# -gt 0 ] && shift
	bad() { fail "manifest of $IMAGE, line $lineno: $*"; }
	[ -z "$ended" ] || bad "text after end"
	[ $lineno != 1 ] || [ "$kind" = se3-ipxe-image ] || bad "not a version 1 manifest"
	case $kind in
	se3-ipxe-image) want=1 ;; mac) want=1 ;; disk) want=3 ;; table) want=4 ;;
	part) want=9 ;; uuid) want=2 ;; end) want=0 ;;
	*) bad "unknown record '$(printf '%.20s' "$kind" | tr -cd 'A-Za-z0-9._:-')'" ;;
	esac
	[ "$nf" = "$want" ] || bad "$kind has $nf fields, not $want"
	case $kind in
	se3-ipxe-image) [ $lineno = 1 ] && [ "$1" = 1 ] || bad "not a version 1 manifest" ;;
	mac) case $1 in [0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]) ;;
	     *) bad "mac" ;; esac ;;
	disk) isword "$1" && isnum "$2" && isnum "$3" || bad "disk record"
	      SRC=$1 SECTOR=$3 ;;
	table) case $1 in dos|gpt) ;; *) bad "table label" ;; esac
	       [ "$2" = "$IMAGE.table" ] && issha "$3" && isnum "$4" || bad "table record"
	       LABEL=$1 TPART=$2 TSHA=$3 NEED=$4 ;;
	part) isword "$1" && isnum "$2" && isword "$3" && isnum "$7" || bad "part record"
	      case $4 in
	      partclone.ext4|partclone.ntfs|partclone.fat|partclone.dd)
		[ "$6" = "$IMAGE.$1" ] && issha "$8" && issha "$9" || bad "part $1: stored name or hashes" ;;
	      mkswap) [ "$6$8$9" = --- ] || bad "part $1: a swap stores nothing" ;;
	      *) bad "part $1: tool" ;;
	      esac
	      case $5 in zstd|lzop|gzip|none) ;; *) bad "part $1: compression" ;; esac
	      [ "$2" -ge 1 ] && [ "$2" -le 999 ] || bad "partition number $2"
	      grep -q "^[^ ]* $2 " /tmp/parts && bad "partition $2 twice"
	      echo "$*" >>/tmp/parts
	      nparts=$((nparts + 1)) ;;
	uuid) isword "$1" && isword "$2" || bad "uuid record"
	      echo "$1 $2" >>/tmp/uuids ;;
	end) ended=1 ;;
	esac
done </tmp/manifest
set +f
[ -n "$ended" ] || fail "manifest of $IMAGE is cut (no end)"
[ -n "$LABEL" ] && [ -n "$SECTOR" ] && [ $nparts -gt 0 ] || fail "manifest of $IMAGE has no table, disk or part"

# The disk: large enough and of the same sector size, before any write.
HAVE=$(bytes "$DISK")
[ "$NEED" -le "$HAVE" ] ||
    fail "image $IMAGE needs $NEED bytes, /dev/$DISK has $HAVE: nothing written"
[ "$(sector_size "$DISK")" = "$SECTOR" ] ||
    fail "image $IMAGE has $SECTOR-byte sectors, /dev/$DISK $(sector_size "$DISK"): nothing written"
store_get "$TPART" >/tmp/table || fail "cannot read $TPART"
[ "$(sha256 </tmp/table)" = "$TSHA" ] ||
    fail "$TPART differs from its manifest (sha256): nothing written"
echo "se3-ipxe: image $IMAGE ($LABEL, $nparts partitions, from $SRC) to /dev/$DISK ($HAVE bytes)"

# Multicast: joined now, and the first part's header read before the table
# is written, so that no stream, or another session's, writes nothing.  The
# parts are then read in the stream's pace: anything slow (sync, verifying)
# waits for its end, as a receiver that stops reading is dropped.
via=
if [ "$SESSION" != 0 ]; then
	report running 10 "multicast: waiting for session $SESSION on port $PORT"
	mcast_join "$SESSION" "$PORT" "$WAIT"
	set -- $(awk '$4 != "mkswap" { print $6, $8; exit }' /tmp/parts)
	if [ $# = 2 ]; then
		mcast_head 1 "$1" "$2" "nothing written"
	else	# swap only: the stream is its trailer
		mcast_head 0 end - "nothing written"
	fi
	echo "se3-ipxe: multicast session $SESSION started"
	via=" (multicast session $SESSION)"
fi

# The table, its devices renamed to this disk's; a GPT without its last
# usable sector, which sfdisk then takes from this disk (a larger one too).
awk -v disk="$DISK" '
	/^\/dev\// {
		dev = $1; sub(/^\/dev\//, "", dev)
		n = dev; sub(/^.*[^0-9]/, "", n)
		p = (disk ~ /[0-9]$/) ? disk "p" n : disk n
		sub(/^[^ ]*/, "/dev/" p)
	}
	/^(last-lba|device):/ { next }
	{ print }' /tmp/table >/tmp/table.new
report running 10 "restore: table ($LABEL) to /dev/$DISK"
sfdisk -q --wipe always --wipe-partitions always "/dev/$DISK" </tmp/table.new ||
    fail "sfdisk could not write the table to /dev/$DISK"
blockdev --rereadpt "/dev/$DISK" 2>/dev/null
for n in $(cut -d' ' -f2 /tmp/parts); do
	i=0
	while ! isblock "$DEV/$(partdev "$DISK" "$n")" && [ $i -lt 50 ]; do
		i=$((i + 1)); sleep 0.2
	done
	isblock "$DEV/$(partdev "$DISK" "$n")" || fail "/dev/$(partdev "$DISK" "$n") did not appear after the table"
done

# finish DEV TOOL PART RAW SIZE FROM SPAN: a written partition synced, an
# NTFS one's backup boot sector put back, then (verify=yes) read back.
finish() {
	sync
	# partclone writes an NTFS volume's clusters, not its backup boot sector
	# (past them, at the sector the boot sector counts): copied back, as Windows' chkdsk wants.
	if [ "$2" = partclone.ntfs ]; then
		ns=$(le64 "$DEV/$1" 40)
		[ "$ns" -gt 0 ] && [ $(( (ns + 1) * 512 )) -le "$5" ] &&
		    dd if="$DEV/$1" of="$DEV/$1" bs=512 count=1 seek="$ns" conv=notrunc 2>/dev/null
	fi
	if [ "$VERIFY" = yes ]; then
		report running $(($6 + $7 - 1)) "restore: verifying /dev/$1"
		if [ "$2" = partclone.dd ]; then
			got=$(head -c "$5" "$DEV/$1" | sha256)
		else
			got=$(partclone "$2" -c -s "$DEV/$1" -o - 2>/tmp/tool.log | sha256)
		fi
		[ "$got" = "$4" ] || fail "/dev/$1 read back differs from $3: NOT verified"
		verified=$((verified + 1))
		echo "se3-ipxe: /dev/$1 verified ($2, sha256 $4)"
	fi
}
# write_part M DEV TOOL COMP FROM SPAN: stdin, stored part M, decompressed
# and written to /dev/DEV by TOOL, its percentage reported; TOOL's words in
# /tmp/tool.M.log.  Only the stored stream is hashed on the way: the
# decompressors are deterministic and check their own frames, and what was
# written is proved by reading it back (verify=yes), so a second hash of the
# decompressed stream proved nothing and cost a core's share (BENCHMARKS.md).
write_part() {
	rm -f "/tmp/tool.$1.log"
	progress_watch "/tmp/tool.$1.log" "$5" "$6" "restore: /dev/$2" &
	_w=$!
	case $4 in
	zstd) zstd -q -d -c ;;
	lzop) lzop -d -c ;;
	gzip) pigz -d -c ;;
	*) cat ;;
	esac |
	if [ "$3" = partclone.dd ]; then
		dd of="$DEV/$2" bs=1M 2>"/tmp/tool.$1.log"
	else
		PARTCLONE_LOG=/tmp/partclone.$1.log partclone "$3" -r -s - -o "$DEV/$2" 2>"/tmp/tool.$1.log"
	fi
	_rc=$?
	kill $_w 2>/dev/null
	return $_rc
}
# part_failed M PART DEV TOOL: why writing part M failed, and the end.
part_failed() {
	tool_tail "/tmp/tool.$1.log"
	fail "cannot restore $2 to /dev/$3 with $4"
}

k=0 m=0 verified=0 lastdev= lastfs= laststart=-1 MCAST_WRITERS=
: >/tmp/finish
while read -r src n fs tool comp part size sha raw <&3; do
	dev=$(partdev "$DISK" "$n")
	from=$((15 + 80 * k / nparts)) span=$((80 / nparts))
	k=$((k + 1))
	start=$(cat "$SYS/class/block/$dev/start")
	[ "$start" -gt "$laststart" ] && { laststart=$start lastdev=$dev lastfs=$fs; }
	[ "$(bytes "$dev")" = "$size" ] || fail "/dev/$dev has $(bytes "$dev") bytes, the image's $src $size"
	if [ "$tool" = mkswap ]; then
		u=$(awk -v d="$src" '$1 == d { print $2 }' /tmp/uuids)
		mkswap ${u:+-U "$u"} "$DEV/$dev" >/dev/null || fail "mkswap /dev/$dev failed"
		continue
	fi
	m=$((m + 1))
	hash_fifo /tmp/s	# the stream as stored
	h1=$HASH_PID
	if [ "$SESSION" = 0 ]; then
		report running "$from" "restore: $src to /dev/$dev ($k/$nparts) with $tool"
		store_get "$part" | tee /tmp/s.f | write_part "$m" "$dev" "$tool" "$comp" "$from" "$span"
		rc=$?
		wait $h1
		[ $rc = 0 ] || part_failed "$m" "$part" "$dev" "$tool"
		[ "$(cat /tmp/s.sha)" = "$sha" ] || fail "$part as received differs from the catalogue's sha256"
		finish "$dev" "$tool" "$part" "$raw" "$size" "$from" "$span"
		continue
	fi
	echo "$m $dev $tool $part $raw $size $from $span" >>/tmp/finish
	# Multicast: the stream is read without a pause.  Each part's writer
	# runs on its own, fed through a FIFO, and the next header is read as
	# soon as this part's last byte is in it; a writer still syncing or
	# ending (partclone waits for its progress thread) while the next
	# part arrives costs the stream nothing.  A receiver that stops
	# reading is dropped by the sender within seconds.
	[ $m = 1 ] || mcast_head "$m" "$part" "$sha" "nothing more written"
	report running "$from" "restore: $src to /dev/$dev ($k/$nparts) with $tool$via" &
	rm -f "/tmp/p.$m.f" "/tmp/p.$m.rc"
	mkfifo "/tmp/p.$m.f"
	( write_part "$m" "$dev" "$tool" "$comp" "$from" "$span" <"/tmp/p.$m.f"
	  echo $? >"/tmp/p.$m.rc" ) &
	MCAST_WRITERS="$MCAST_WRITERS $!"
	mcast_copy "$MCAST_BYTES" /tmp/s.f >"/tmp/p.$m.f"
	rc=$?
	wait $h1
	# A stream that ended (the sender gone, udp-receiver's timeout) is
	# said as such, not as the tool's failure it caused; a short count
	# with udp-receiver still there is the tool's (it stopped reading).
	if [ "$(cat /tmp/mcast.got 2>/dev/null)" != "$MCAST_BYTES" ] &&
	    { [ $rc = 0 ] || ! kill -0 "$MCAST_PID" 2>/dev/null; }; then
		fail "multicast: the stream of session $SESSION ended in part $m ($part), $(cat /tmp/mcast.got 2>/dev/null) of $MCAST_BYTES bytes (udp-receiver: $(mcast_said)): /dev/$dev is incomplete, nothing more written"
	fi
	if [ $rc != 0 ]; then
		mcast_writers_wait
		part_failed "$m" "$part" "$dev" "$tool"
	fi
	[ "$(cat /tmp/s.sha)" = "$sha" ] || fail "$part as received differs from the catalogue's sha256"
done 3</tmp/parts
if [ "$SESSION" != 0 ]; then
	[ $m = 0 ] || mcast_head 0 end - "every part written"
	mcast_end
	echo "se3-ipxe: multicast session $SESSION: $m parts received, the trailer read"
	mcast_writers_wait
	while read -r m dev tool part raw size from span; do
		[ "$(cat "/tmp/p.$m.rc" 2>/dev/null)" = 0 ] || part_failed "$m" "$part" "$dev" "$tool"
	done </tmp/finish
	while read -r m dev tool part raw size from span; do
		finish "$dev" "$tool" "$part" "$raw" "$size" "$from" "$span"
	done </tmp/finish
fi

# Grown last: the proof above is of the partition as it was saved.
grown=
if [ "$GROW" = yes ] && [ -n "$lastdev" ]; then
	n=$(cat "$SYS/class/block/$lastdev/partition")
	before=$(bytes "$lastdev")
	echo ', +' | sfdisk -q -N "$n" --no-reread "/dev/$DISK" >/dev/null 2>&1 ||
	    fail "sfdisk could not grow partition $n of /dev/$DISK"
	blockdev --rereadpt "/dev/$DISK" 2>/dev/null
	sleep 1
	case $lastfs in
	ext2|ext3|ext4) e2fsck -fy "/dev/$lastdev" >/dev/null 2>&1; resize2fs "/dev/$lastdev" >/tmp/grow.log 2>&1 ;;
	ntfs) ntfsresize -f -P "/dev/$lastdev" </dev/null >/tmp/grow.log 2>&1 ;;
	*) echo "se3-ipxe: the filesystem of /dev/$lastdev (${lastfs}) is not grown" >/tmp/grow.log ;;
	esac || { tail -n 3 /tmp/grow.log; fail "cannot grow the filesystem of /dev/$lastdev"; }
	grown=", /dev/$lastdev grown from $before to $(bytes "$lastdev") bytes"
fi
sync
if [ "$VERIFY" = yes ]; then
	report done 100 "verified: image $IMAGE to /dev/$DISK, $verified of $nparts partitions read back identical$grown$via"
else
	report done 100 "restored: image $IMAGE to /dev/$DISK, $nparts partitions, streams checked, not read back$grown$via"
fi
