# SPDX-License-Identifier: GPL-3.0-or-later
# se3-ipxe: the helpers that every SystemRescue and Clonezilla job sources (reports, the end of the job, the SMB share).
# Each job fetches it with its token (modules/clonezilla/job-lib.sh is a link to this file), having set
# ACTION, HTTP (curl or wget: the tool its system has), AFTER, DELAY, MNT (where the image store is
# mounted) and RC (the file where a Clonezilla phase leaves its status; empty for SystemRescue).
REPORT_URL='{{report_url}}'
FILE_URL='{{file_url}}'
TOKEN='{{token}}'
MAC='{{mac}}'

# http_get URL [FILE]: fetch URL into FILE (default: nowhere), retrying for a while.
http_get() {
	if [ "$HTTP" = curl ]; then
		curl -fsS -o "${2:-/dev/null}" --max-time 30 --retry 5 --retry-delay 5 "$1"
	else
		wget -q -O "${2:-/dev/null}" -T 30 -t 5 "$1"
	fi
}
# urlencode TEXT: what a message may hold that a query cannot (the values' own bytes are ._-:/,+=@%~).
urlencode() {
	printf '%s' "$1" | sed 's/%/%25/g; s/ /%20/g; s/+/%2B/g; s/=/%3D/g; s/&/%26/g; s/#/%23/g; s/?/%3F/g; s/;/%3B/g'
}
# report STATUS PROGRESS MSG: tell ipxe.cgi; a report that cannot be sent must not stop the job.
report() {
	http_get "$REPORT_URL?token=$TOKEN&status=$1&progress=$2&msg=$(urlencode "$3")" ||
	    echo "se3-ipxe: could not report $1 to $REPORT_URL" >&2
}
# finish: reboot, halt or stay, as the action says.
finish() {
	case $AFTER in
	reboot) echo "se3-ipxe: rebooting in $DELAY s"; sleep "$DELAY"; reboot ;;
	halt) echo "se3-ipxe: halting in $DELAY s"; sleep "$DELAY"; poweroff ;;
	*) echo "se3-ipxe: staying up" ;;
	esac
}
# fail MSG: report the failure with the token, leave the store, finish.
fail() {
	echo "se3-ipxe: $ACTION failed: $1" >&2
	[ -z "$RC" ] || echo 1 > "$RC"
	report failed 100 "$ACTION: $1"
	umount "$MNT" 2>/dev/null
	finish
	exit 1
}
# parts FSTYPE-ERE [MIN-MB]: partitions whose file system matches, at least MIN-MB large.
parts() {
	lsblk -lnpbo NAME,TYPE,FSTYPE,SIZE | awk -v fs="^($1)\$" -v min="${2:-0}" \
	    '$2 == "part" && $3 ~ fs && $4 >= min * 1048576 { print $1 }'
}
LINUXFS='ext2|ext3|ext4|xfs|btrfs'
# mount_share //SERVER/SHARE/DIR [OPTIONS]: mount the share on $MNT, as guest unless the action names a
# secret.  smb.cred, mount.cifs's credentials file, is served once per boot with the token: fetched into
# a file only root reads, named to mount.cifs (the password is on no command line) and removed at once.
mount_share() {
	cred=${SE3_IPXE_ROOT-}/tmp/se3-ipxe-smb.cred
	rm -f "$cred"
	(umask 077 && http_get "$FILE_URL/smb.cred?token=$TOKEN" "$cred") ||
	    { rm -f "$cred"; fail "cannot fetch the credentials of $1"; }
	auth=guest
	grep -q '^password=.' "$cred" && auth=credentials=$cred
	mount -t cifs "$1" "$MNT" -o "$auth,vers=3.0${2:+,$2}"
	rc=$?
	rm -f "$cred"
	[ "$rc" = 0 ] || fail "cannot mount $1"
}

# Clonezilla: target sets disk and what, the disk and its partitions as ocs-sr names them (sda, sda1).
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

# ocs_phase prerun|run|postrun: one of the three runs of a Clonezilla job; the job's ocs_args sets
# VERB and OPTS of ocs-sr (and IMAGE when auto) once target has run.
ocs_phase() {
	case $1 in
	prerun)
		# The image repository on /home/partimag, before ocs-sr looks at it.
		rm -f "$RC"
		report running 5 "$ACTION: Clonezilla started"
		mkdir -p "$MNT"
		case $REPO in
		//*) mount_share "$REPO" ;;
		*) mount "/dev/$REPO" "$MNT" || fail "cannot mount /dev/$REPO" ;;
		esac ;;
	run)
		[ -f "$RC" ] && exit 1	# the pre-run failed and said so
		target
		ocs_args
		report running 20 "$ACTION: ocs-sr $VERB $IMAGE $what"
		# ocs-sr powers nothing off (-p true): the post-run reports first, then reboots or halts.
		# shellcheck disable=SC2086 # OPTS and what are lists of words
		ocs-sr -b -q2 -j2 $OPTS -p true "$VERB" "$IMAGE" $what
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
}
