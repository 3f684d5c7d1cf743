#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# se3-ipxe sysrescue:report for {{mac}} (action {{action_id}}): say what the machine holds, report with the token.
# SystemRescue's autorun fetches it once (report.yaml); every value below passed its option's type.
set -u
REPORT_URL='{{report_url}}'
TOKEN='{{token}}'
AFTER='{{after}}'
DELAY='{{delay}}'
# SE3_IPXE_ROOT: the sandbox of the tests (t/74-rescue-jobs.t); empty on a real machine.
MNT=${SE3_IPXE_ROOT-}/mnt/se3-ipxe-report

# report STATUS PROGRESS MSG: tell ipxe.cgi; a report that cannot be sent must not stop the job.
report() {
	curl -fsS -G -o /dev/null --max-time 30 --retry 5 --retry-delay 5 \
	    --data "token=$TOKEN" --data "status=$1" --data "progress=$2" \
	    --data-urlencode "msg=$3" "$REPORT_URL" ||
	    echo "se3-ipxe: could not report $1 to $REPORT_URL" >&2
}
finish() {
	case $AFTER in
	reboot) echo "se3-ipxe: rebooting in $DELAY s"; sleep "$DELAY"; reboot ;;
	halt) echo "se3-ipxe: halting in $DELAY s"; sleep "$DELAY"; poweroff ;;
	*) echo "se3-ipxe: staying up" ;;
	esac
}

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
