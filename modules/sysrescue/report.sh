#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# se3-ipxe sysrescue:report for {{mac}} (action {{action_id}}): say what the machine holds, report with the token.
# SystemRescue's autorun fetches it once (report.yaml).
set -u
# Every value passed its option's type: none holds a quote, a blank or a newline.
# SE3_IPXE_ROOT: the sandbox of the tests (t/74-rescue-jobs.t); empty on a real machine.
ACTION=report AFTER='{{after}}' DELAY='{{delay}}' MNT=${SE3_IPXE_ROOT-}/mnt/se3-ipxe-report HTTP=curl RC=
# The helpers (report, finish, fail, parts, mount_share) and REPORT_URL, FILE_URL, TOKEN, MAC.
LIB=${SE3_IPXE_ROOT-}/tmp/se3-ipxe-job-lib.sh
curl -fsS -o "$LIB" --max-time 30 --retry 5 --retry-delay 5 '{{file_url}}/job-lib.sh?token={{token}}' &&
    . "$LIB" || { echo "se3-ipxe: cannot fetch job-lib.sh" >&2; exit 1; }

report running 5 "report: SystemRescue started"
# The old rapport's content, in one line of at most 256 bytes: disks, partitions, drivers, images.
disks=$(lsblk -dnbo NAME,TYPE,SIZE | awk '$2 == "disk" { printf "%s%s:%dG", s, $1, $3 / 1e9; s = "," }')
parts=$(lsblk -lnbo NAME,TYPE,FSTYPE,SIZE | awk '$2 == "part" { printf "%s%s:%s:%dG", s, $1, ($3 == "" ? "-" : $3), $4 / 1e9; s = "," }')
drivers=$(lspci -k 2>/dev/null | awk '/^[^\t]/ { c = ($0 ~ /(Ethernet|Network|SATA|RAID|SCSI|IDE|Non-Volatile)/) } c && /Kernel driver in use:/ { printf "%s%s", s, $NF; s = "," }')
images=0
mkdir -p "$MNT"
for p in $(lsblk -lnpo NAME,TYPE | awk '$2 == "part" { print $1 }'); do
	mount -o ro "$p" "$MNT" 2>/dev/null || continue
	n=$(ls "$MNT"/se3-ipxe/*.se3 2>/dev/null | wc -l)
	images=$((images + n))
	umount "$MNT"
done
msg="disks $disks; parts $parts; drivers ${drivers:--}; images $images"
echo "se3-ipxe: $msg"
report done 100 "$(printf '%.256s' "$msg")"
finish
