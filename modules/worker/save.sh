#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# se3-ipxe worker:save for {{mac}} (action {{action_id}}): save the disk's table and partitions to the image store, the manifest last.
# Run by the worker's /init.  Each partition is streamed (partclone for the
# filesystems it knows, dd otherwise, then compressed) to images.cgi, hashed on
# the way; the manifest (se3-ipxe-images(7)) that names every part with its
# SHA-256 is stored last: until it is, the catalogue has no such image.
set -u
# busybox sh has it; a shell without (the tests' dash) runs the checks only.
(set -o pipefail) 2>/dev/null && set -o pipefail
. "${SE3_WORKER_LIB:-/lib/se3-worker.sh}"
SE3_IMAGES='{{images_url}}'
DISK='{{disk}}' PARTS='{{partitions}}' NAME='{{name}}' COMP='{{compression}}'
TOOL='{{tool}}' MAC='{{mac}}' HOST='{{hostname}}'
SHARE='{{share}}' SE3_FILE_URL='{{file_url}}'
[ -n "$SE3_IMAGES" ] || [ "$SHARE" != none ] || fail "no image store URL (images.cgi beside ipxe.cgi)"

report running 5 "save: worker started"
[ "$SHARE" = none ] || share_open "$SHARE"
DISK=$(disk_resolve "$DISK") || exit 1
SECTOR=$(sector_size "$DISK")
blkid -p -o value -s PTTYPE "/dev/$DISK" >/tmp/label 2>/dev/null
LABEL=$(cat /tmp/label)
case $LABEL in dos|gpt) ;; *) fail "/dev/$DISK has no MBR or GPT partition table (${LABEL:-none})" ;; esac
sfdisk -d "/dev/$DISK" >/tmp/table || fail "sfdisk cannot read the table of /dev/$DISK"

# The bytes a disk needs to take this table: the end of its last partition,
# plus the backup GPT (33 sectors) at the end of a GPT disk.
last=$(sed -n 's/.*start= *\([0-9]*\), *size= *\([0-9]*\).*/\1 \2/p' /tmp/table |
    awk '{ e = $1 + $2; if (e > m) m = e } END { print m + 0 }')
[ "$LABEL" = gpt ] && last=$((last + 33))
NEED=$((last * SECTOR))

# Which partitions: every one but an extended container (2 sectors in sysfs), or those named.
if [ "$PARTS" = auto ]; then
	PARTS=
	for p in "/sys/block/$DISK/$DISK"*; do
		[ -f "$p/partition" ] || continue
		[ "$(cat "$p/size")" -le 2 ] && continue
		PARTS="$PARTS${PARTS:+,}$(cat "$p/partition")"
	done
fi
[ -n "$PARTS" ] || fail "/dev/$DISK has no partition to save"
for n in $(echo "$PARTS" | tr ',' ' '); do
	[ -b "/dev/$(partdev "$DISK" "$n")" ] || fail "/dev/$DISK has no partition $n"
done
nparts=$(echo "$PARTS" | tr ',' '\n' | wc -l)

case $COMP in
zstd) compress() { zstd -q -T0 -3 -c; } ;;
lzop) compress() { lzop -1 -c; } ;;
gzip) compress() { pigz -c; } ;;
*) compress() { cat; } ;;
esac

# The name: the one asked, else the machine's and the date; taken: -2, -3...
if [ "$NAME" = auto ]; then
	base=${HOST}_$(date +%Y%m%d)
else
	base=$NAME
fi
i=1
while :; do
	[ $i = 1 ] && NAME=$base || NAME=$base-$i
	store_put "$NAME.table" table sfdisk none </tmp/table
	rc=$?
	put_result
	[ $rc = 0 ] && break
	[ "$PUT_CODE" = 409 ] && [ "$i" -lt 20 ] || fail "cannot store $NAME.table: HTTP $PUT_CODE $(store_answer)"
	i=$((i + 1))
done
[ "$NAME" = "$base" ] || echo "se3-ipxe: $base is taken: the image is $NAME"
echo "se3-ipxe: image $NAME: /dev/$DISK ($LABEL, $(bytes "$DISK") bytes), partitions $PARTS, $COMP"
{
	echo "se3-ipxe-image 1"
	echo "mac $MAC"
	echo "disk $DISK $(bytes "$DISK") $SECTOR"
	echo "table $LABEL $NAME.table $PUT_SHA $NEED"
} >/tmp/manifest

k=0
for n in $(echo "$PARTS" | tr ',' ' '); do
	dev=$(partdev "$DISK" "$n")
	fs=$(blkid -p -o value -s TYPE "/dev/$dev" 2>/dev/null)
	size=$(bytes "$dev")
	from=$((10 + 85 * k / nparts)) span=$((85 / nparts))
	k=$((k + 1))
	t=partclone.dd
	if [ "$TOOL" = auto ]; then
		case $fs in
		ext2|ext3|ext4) t=partclone.ext4 ;;
		ntfs) t=partclone.ntfs ;;
		vfat) t=partclone.fat ;;
		swap) t=mkswap ;;
		esac
	fi
	report running "$from" "save: $dev ($k/$nparts, ${fs:-no filesystem}) with $t"
	if [ "$t" = mkswap ]; then
		# A swap holds nothing to keep but its UUID, which fstab may name.
		echo "part $dev $n swap mkswap none - $size - -" >>/tmp/manifest
		uuid=$(blkid -p -o value -s UUID "/dev/$dev" 2>/dev/null)
		[ -n "$uuid" ] && echo "uuid $dev $uuid" >>/tmp/manifest
		continue
	fi
	rm -f /tmp/tool.log
	hash_fifo /tmp/raw
	h=$HASH_PID
	progress_watch /tmp/tool.log "$from" "$span" "save: $dev" &
	w=$!
	if [ "$t" = partclone.dd ]; then
		dd if="/dev/$dev" bs=1M 2>/tmp/tool.log
	else
		partclone "$t" -c -s "/dev/$dev" -o - 2>/tmp/tool.log
	fi | tee /tmp/raw.f | compress | store_put "$NAME.$dev" "$dev" "$t" "$COMP"
	rc=$?
	put_result
	kill $w 2>/dev/null
	wait $h
	if [ $rc -ne 0 ]; then
		tool_tail
		fail "cannot save /dev/$dev with $t: HTTP $PUT_CODE $(store_answer)"
	fi
	echo "part $dev $n ${fs:--} $t $COMP $NAME.$dev $size $PUT_SHA $(cat /tmp/raw.sha)" >>/tmp/manifest
	echo "se3-ipxe: $NAME.$dev: $t, $PUT_SIZE bytes stored for $size"
done
echo end >>/tmp/manifest
sed 's/^/se3-ipxe manifest: /' /tmp/manifest
store_put "$NAME" manifest manifest none </tmp/manifest || { put_result; false; } ||
    fail "cannot store the manifest $NAME: HTTP $PUT_CODE $(store_answer)"
total=$(awk '$1 == "part" && $8 != "-" { n++ } END { print n + 0 }' /tmp/manifest)
where=store
[ "$SHARE" = none ] || where=$SHARE
sync
report done 100 "saved: image $NAME, /dev/$DISK $LABEL, partitions $PARTS, $total streams, $COMP, to the $where"
