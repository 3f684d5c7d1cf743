#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# se3-ipxe clonezilla:save for {{mac}} (action {{action_id}}): ocs_prerun fetches it with the token, then runs it three times.
# prerun mounts the repository, run runs ocs-sr, postrun reports with the token and reboots or halts.
set -u
# Every value passed its option's type: none holds a quote, a blank or a newline.
# SE3_IPXE_ROOT: the sandbox of the tests (t/74-rescue-jobs.t); empty on a real machine.
ACTION=save MODE='{{mode}}' DISK='{{disk}}' PARTS='{{parts}}' REPO='{{repo}}' IMAGE='{{image}}'
COMPRESS='{{compress}}' CHECK='{{check}}' AFTER='{{after}}' DELAY='{{delay}}'
MNT=${SE3_IPXE_ROOT-}/home/partimag HTTP=wget RC=${SE3_IPXE_ROOT-}/tmp/se3-ipxe-ocs-rc
# The helpers (report, finish, fail, mount_share, target, ocs_phase) and REPORT_URL, FILE_URL,
# TOKEN, MAC: each phase fetches job-lib.sh with the token, as ocs_prerun fetched this file.
LIB=${SE3_IPXE_ROOT-}/tmp/se3-ipxe-job-lib.sh
wget -q -O "$LIB" -T 30 -t 5 '{{file_url}}/job-lib.sh?token={{token}}' &&
    . "$LIB" || { echo "se3-ipxe: cannot fetch job-lib.sh" >&2; exit 1; }

# ocs_args: ocs-sr's verb and options to save.
ocs_args() {
	[ "$IMAGE" = auto ] && IMAGE=$(echo "$MAC" | tr : -)-$(date +%Y%m%d-%H%M)
	VERB=save$MODE
	OPTS="-$COMPRESS -sfsck -senc"
	[ "$CHECK" = no ] && OPTS="$OPTS -scs"
}
ocs_phase "${1-}"
