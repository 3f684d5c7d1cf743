#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# se3-ipxe sysrescue:backup for {{mac}} (action {{action_id}}): save a partition as an image, report with the token.
# SystemRescue's autorun fetches it once (backup.yaml).
set -u
# Every value passed its option's type: none holds a quote, a blank or a newline.
# SE3_IPXE_ROOT: the sandbox of the tests (t/74-rescue-jobs.t); empty on a real machine.
ACTION=backup SOURCE='{{source}}' DEST='{{dest}}' IMAGE='{{image}}' TOOL='{{tool}}'
DELETE_OLDER='{{delete_older}}' AFTER='{{after}}' DELAY='{{delay}}'
MNT=${SE3_IPXE_ROOT-}/mnt/se3-ipxe-dest HTTP=curl RC=
# The helpers (report, finish, fail, parts, mount_share) and REPORT_URL, FILE_URL, TOKEN, MAC.
LIB=${SE3_IPXE_ROOT-}/tmp/se3-ipxe-job-lib.sh
curl -fsS -o "$LIB" --max-time 30 --retry 5 --retry-delay 5 '{{file_url}}/job-lib.sh?token={{token}}' &&
    . "$LIB" || { echo "se3-ipxe: cannot fetch job-lib.sh" >&2; exit 1; }

report running 5 "backup: SystemRescue started"
# The source: the old module's rule, the first Windows partition of 3000 MB, else the first Linux one.
if [ "$SOURCE" = auto ]; then
	src=$(parts ntfs 3000 | head -n 1)
	[ -n "$src" ] || src=$(parts "$LINUXFS" 0 | head -n 1)
	[ -n "$src" ] || fail "no partition to save (source=auto)"
else
	src=/dev/$SOURCE
fi
lsblk -dn "$src" > /dev/null 2>&1 || fail "$src is not a block device"
name=${src##*/}

mkdir -p "$MNT" || fail "cannot create $MNT"
case $DEST in
//*)
	mount_share "$DEST"
	dir=$MNT/$(echo "$MAC" | tr : -) ;;
auto)
	dst=$(parts "$LINUXFS" 0 | grep -vx "$src" | head -n 1)
	[ -n "$dst" ] || fail "no other Linux partition to write to (dest=auto)"
	mount "$dst" "$MNT" || fail "cannot mount $dst"
	dir=$MNT/se3-ipxe ;;
*)
	[ "/dev/$DEST" != "$src" ] || fail "dest $DEST is the source"
	mount "/dev/$DEST" "$MNT" || fail "cannot mount /dev/$DEST"
	dir=$MNT/se3-ipxe ;;
esac
mkdir -p "$dir" || fail "cannot create $dir"

[ "$IMAGE" = auto ] && IMAGE=image_${name}_$(date +%Y%m%d)
case $DELETE_OLDER in
no) ;;
all) find "$dir" -maxdepth 1 -name "*_${name}_*" -type f -delete ;;
*) find "$dir" -maxdepth 1 -name "*_${name}_*" -type f -mtime +$((DELETE_OLDER * 30)) -delete ;;
esac

report running 20 "backup: $src to $IMAGE with $TOOL"
case $TOOL in
fsarchiver) fsarchiver savefs -o -j2 "$dir/$IMAGE.fsa" "$src" ;;
ntfsclone) ntfsclone --save-image --force -o "$dir/$IMAGE.ntfsclone" "$src" ;;
partimage) partimage -b -d -o -z1 -V650 save "$src" "$dir/$IMAGE.partimg.gz" ;;
esac || fail "$TOOL could not save $src"
printf 'image=%s\ntool=%s\nsource=%s\ndate=%s\n' "$IMAGE" "$TOOL" "$name" \
    "$(date +%Y-%m-%dT%H:%M:%S)" > "$dir/$IMAGE.se3" || fail "cannot write $dir/$IMAGE.se3"
size=$(du -sm "$dir" | cut -f 1)
sync
umount "$MNT"
report done 100 "backup: $src saved as $IMAGE ($TOOL, ${size} MB in the directory)"
finish
