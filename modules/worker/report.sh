#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# se3-ipxe worker:report for {{mac}} (action {{action_id}}): say what the machine is and holds, report it with the token.
# Run by the worker's /init; every value below passed its type.  The report's one line (at most
# 256 bytes) and the whole inventory (lines, at most 4096 bytes, stored as the machine's and shown
# by `status --json`) go to ipxe.cgi; the inventory is printed on the console too.
set -u

. /lib/se3-worker.sh
mib() { echo $(( $1 / 2048 ))M; }	# 512-byte sectors to MiB
dmi() { tr -d '\n' <"/sys/class/dmi/id/$1" 2>/dev/null | tr -c '[:alnum:]._:-' '_'; }

report running 10 "report: worker started"
# Disks: NAME:SIZE:TABLE(PART:FS:SIZE,...), from sysfs and blkid -p (no udev here).
disks=
for b in /sys/block/*; do
	d=${b##*/}
	case $d in loop*|ram*|sr*|fd*|zram*) continue ;; esac
	pt=$(blkid -p -o value -s PTTYPE "/dev/$d" 2>/dev/null)
	parts=
	for p in "$b/$d"*; do
		[ -f "$p/partition" ] || continue
		n=${p##*/}
		fs=$(blkid -p -o value -s TYPE "/dev/$n" 2>/dev/null)
		parts="$parts${parts:+,}$n:${fs:--}:$(mib "$(cat "$p/size")")"
	done
	disks="$disks${disks:+ }$d:$(mib "$(cat "$b/size")"):${pt:-none}($parts)"
done
cpus=$(grep -c '^processor' /proc/cpuinfo)
model=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal:/ { printf "%dM", $2 / 1024 }' /proc/meminfo)
# PCI network (class 02) and storage (class 01) devices, with the driver bound to each.
nics= storage=
for p in /sys/bus/pci/devices/*; do
	[ -f "$p/class" ] || continue
	c=$(cat "$p/class")
	drv=-
	[ -e "$p/driver" ] && drv=$(basename "$(readlink "$p/driver")")
	id=$(cut -c3- "$p/vendor"):$(cut -c3- "$p/device")
	case $c in
	0x02*) nics="$nics${nics:+,}$id=$drv" ;;
	0x01*) storage="$storage${storage:+,}$id=$drv" ;;
	esac
done
smbios="$(dmi sys_vendor)/$(dmi product_name)/$(dmi product_serial)"

{
	echo "disks: $disks"
	echo "size:$(for d in $(disks); do printf ' %s %s' "$d" "$(bytes "$d")"; done)"
	for b in /sys/block/*; do
		case ${b##*/} in loop*|ram*|sr*|fd*|zram*) continue ;; esac
		sfdisk -d "/dev/${b##*/}" 2>/dev/null | sed 's/^/table: /'
	done
	echo "smbios: $smbios uuid $(dmi product_uuid)"
	echo "cpu: ${cpus}x $model"
	echo "memory: $mem"
	echo "pci network: ${nics:--}"
	echo "pci storage: ${storage:--}"
} | tr -cd '\n -~' | head -c 4096 >/tmp/inventory
sed 's/^/se3-ipxe report: /' /tmp/inventory
msg="disks $disks; smbios $smbios; cpu ${cpus}x; mem $mem; net ${nics:--}; storage ${storage:--}"
# The end, with the inventory: a form in the body (a URL would be too long),
# every byte percent-encoded (curl's --data-urlencode sends a space as '+').
{
	printf 'inventory='
	od -An -v -tx1 /tmp/inventory | tr -d ' \n' | sed 's/../%&/g'
} >/tmp/inventory.form
curl -fsS -o /dev/null --max-time 20 --retry 5 --retry-delay 2 \
    --data "token=$SE3_TOKEN" --data status=done --data progress=100 \
    --data "msg=$(msgenc "$msg")" --data-binary @/tmp/inventory.form \
    "$SE3_REPORT_URL" || { echo "se3-ipxe: could not report done" >&2; exit 1; }
