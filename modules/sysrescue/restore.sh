#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# se3-ipxe sysrescue:restore for {{mac}} (action {{action_id}}): restore an image onto a partition, report with the token.
# SystemRescue's autorun fetches it once (restore.yaml).
set -u
# Every value passed its option's type: none holds a quote, a blank or a newline.
# SE3_IPXE_ROOT: the sandbox of the tests (t/74-rescue-jobs.t); empty on a real machine.
ACTION=restore SOURCE='{{source}}' DEST='{{dest}}' IMAGE='{{image}}' AFTER='{{after}}' DELAY='{{delay}}'
MNT=${SE3_IPXE_ROOT-}/mnt/se3-ipxe-source HTTP=curl RC=
# The helpers (report, finish, fail, parts, mount_share) and REPORT_URL, FILE_URL, TOKEN, MAC.
LIB=${SE3_IPXE_ROOT-}/tmp/se3-ipxe-job-lib.sh
curl -fsS -o "$LIB" --max-time 30 --retry 5 --retry-delay 5 '{{file_url}}/job-lib.sh?token={{token}}' &&
    . "$LIB" || { echo "se3-ipxe: cannot fetch job-lib.sh" >&2; exit 1; }

report running 5 "restore: SystemRescue started"
mkdir -p "$MNT" || fail "cannot create $MNT"
case $SOURCE in
//*)
	mount_share "$SOURCE" ro
	dir=$MNT/$(echo "$MAC" | tr : -) ;;
auto)
	dir=
	for p in $(parts "$LINUXFS"); do
		mount -o ro "$p" "$MNT" || continue
		if ls "$MNT"/se3-ipxe/*.se3 > /dev/null 2>&1; then
			dir=$MNT/se3-ipxe
			break
		fi
		umount "$MNT"
	done
	[ -n "$dir" ] || fail "no partition holds se3-ipxe images (source=auto)" ;;
*)
	mount -o ro "/dev/$SOURCE" "$MNT" || fail "cannot mount /dev/$SOURCE"
	dir=$MNT/se3-ipxe ;;
esac

# An image is described by its IMAGE.se3, written when it was saved.
if [ "$IMAGE" = auto ]; then
	info=$(ls -t "$dir"/*.se3 2>/dev/null | head -n 1)
	[ -n "$info" ] || fail "no image in $dir (image=auto)"
	IMAGE=$(basename "$info" .se3)
fi
info=$dir/$IMAGE.se3
[ -f "$info" ] || fail "no image $IMAGE in $dir"
tool=$(sed -n 's/^tool=//p' "$info")
saved_from=$(sed -n 's/^source=//p' "$info")
[ "$DEST" = auto ] && DEST=$saved_from
case $DEST in
'' | *[!a-z0-9]*) fail "image $IMAGE names no partition to restore to" ;;
esac
dst=/dev/$DEST
lsblk -dn "$dst" > /dev/null 2>&1 || fail "$dst is not a block device"

report running 20 "restore: $IMAGE to $dst with $tool"
case $tool in
fsarchiver) fsarchiver restfs -j2 "$dir/$IMAGE.fsa" "id=0,dest=$dst" ;;
ntfsclone) ntfsclone --restore-image --overwrite "$dst" "$dir/$IMAGE.ntfsclone" ;;
partimage) partimage -b restore "$dst" "$dir/$IMAGE.partimg.gz.000" ;;
*) false ;;
esac || fail "${tool:-no tool} could not restore $IMAGE to $dst"
sync
umount "$MNT"
report done 100 "restore: $IMAGE restored to $dst ($tool)"
finish
