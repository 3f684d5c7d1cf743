#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# se3-ipxe clonezilla:save for {{mac}} (action {{action_id}}): ocs_prerun fetches it with the token, then runs it three times.
# prerun mounts the repository, run runs ocs-sr, postrun reports with the token and reboots or halts.
# Every value below passed its option's type: none holds a quote, a blank or a newline.
set -u
ACTION=save
REPORT_URL='{{report_url}}'
TOKEN='{{token}}'
MAC='{{mac}}'
MODE='{{mode}}'
DISK='{{disk}}'
PARTS='{{parts}}'
REPO='{{repo}}'
IMAGE='{{image}}'
COMPRESS='{{compress}}'
CHECK='{{check}}'
AFTER='{{after}}'
DELAY='{{delay}}'
# SE3_IPXE_ROOT: the sandbox of the tests (t/74-rescue-jobs.t); empty on a real machine.
MNT=${SE3_IPXE_ROOT-}/home/partimag
RC=${SE3_IPXE_ROOT-}/tmp/se3-ipxe-ocs-rc

# report STATUS PROGRESS MSG: tell ipxe.cgi; a report that cannot be sent must not stop the job.
report() {
	wget -q -O /dev/null -T 30 -t 5 \
	    "$REPORT_URL?token=$TOKEN&status=$1&progress=$2&msg=$(urlencode "$3")" ||
	    echo "se3-ipxe: could not report $1 to $REPORT_URL" >&2
}
# urlencode TEXT: the messages below hold letters, digits, blanks, the values' own ._-:/,+=@%~ and ().
urlencode() {
	printf '%s' "$1" | sed 's/%/%25/g; s/ /%20/g; s/+/%2B/g; s/=/%3D/g; s/&/%26/g; s/#/%23/g; s/?/%3F/g'
}
finish() {
	case $AFTER in
	reboot) echo "se3-ipxe: rebooting in $DELAY s"; sleep "$DELAY"; reboot ;;
	halt) echo "se3-ipxe: halting in $DELAY s"; sleep "$DELAY"; poweroff ;;
	*) echo "se3-ipxe: staying up" ;;
	esac
}
fail() {
	echo "se3-ipxe: $ACTION failed: $1" >&2
	echo 1 > "$RC"
	report failed 100 "$ACTION: $1"
	finish
	exit 1
}
# The disk and its partitions, as ocs-sr names them (sda, sda1).
target() {
	disk=$DISK
	[ "$disk" = auto ] && disk=$(lsblk -dno NAME,TYPE | awk '$2 == "disk" { print $1; exit }')
	[ -n "$disk" ] || fail "no disk found (disk=auto)"
	if [ "$MODE" = disk ]; then
		what=$disk
	elif [ "$PARTS" = all ]; then
		what=$(lsblk -lno NAME,TYPE "/dev/$disk" | awk '$2 == "part" { printf "%s%s", s, $1; s = " " }')
	else
		what=$(echo "$PARTS" | tr , ' ')
	fi
	[ -n "$what" ] || fail "nothing to $ACTION on $disk"
}

case ${1-} in
prerun)
	# The image repository on /home/partimag, before ocs-sr looks at it.
	rm -f "$RC"
	report running 5 "$ACTION: Clonezilla started"
	mkdir -p "$MNT"
	case $REPO in
	//*) mount -t cifs "$REPO" "$MNT" -o guest,vers=3.0 || fail "cannot mount $REPO" ;;
	*) mount "/dev/$REPO" "$MNT" || fail "cannot mount /dev/$REPO" ;;
	esac ;;
run)
	[ -f "$RC" ] && exit 1	# the pre-run failed and said so
	target
	[ "$IMAGE" = auto ] && IMAGE=$(echo "$MAC" | tr : -)-$(date +%Y%m%d-%H%M)
	VERB=save$MODE
	OPTS="-$COMPRESS -sfsck -senc"
	[ "$CHECK" = no ] && OPTS="$OPTS -scs"
	report running 20 "$ACTION: ocs-sr $VERB $IMAGE $what"
	# ocs-sr powers nothing off (-p true): the post-run reports first, then reboots or halts.
	ocs-sr -b -q2 -j2 $OPTS -p true $VERB "$IMAGE" $what
	echo $? > "$RC" ;;
postrun)
	rc=$(cat "$RC" 2>/dev/null || echo 1)
	case $rc in
	0) report done 100 "$ACTION: image $IMAGE done" ;;
	*) report failed 100 "$ACTION: ocs-sr failed (exit $rc)" ;;
	esac
	umount "$MNT" 2>/dev/null
	finish ;;
*)
	echo "usage: $0 prerun|run|postrun" >&2
	exit 2 ;;
esac
