# SPDX-License-Identifier: GPL-3.0-or-later
# se3-ipxe worker's shell library (/lib/se3-worker.sh in its initramfs): reports, disks, image store transfers, sourced by /init and by every job.
#
# Needs SE3_TOKEN and SE3_REPORT_URL (exported by /init from the kernel
# command line).  Every value a job passes here passed its option's type.

# The report's message: printable ASCII, at most 256 bytes, every byte
# percent-encoded (ipxe.cgi takes '+' as itself, as iPXE sends it).
msgenc() {
	printf '%s' "$1" | tr '\n\t' '  ' | tr -d '\000-\037\177-\377' | head -c 256 |
	    od -An -v -tx1 | tr -d ' \n' | sed 's/../%&/g'
}

# report STATUS PROGRESS MSG: retried a little; a report that cannot be sent
# never stops a job (the next one, or the end, says it again).
report() {
	[ -n "${SE3_REPORT_URL-}" ] || return 1
	curl -fsS -G -o /dev/null --max-time 20 --retry 3 --retry-delay 2 \
	    --data "token=$SE3_TOKEN" --data "status=$1" --data "progress=$2" \
	    --data "msg=$(msgenc "$3")" "$SE3_REPORT_URL" ||
	    { echo "se3-ipxe: could not report $1" >&2; return 1; }
}

# The job's end on error: the reason on the console; /init reports it
# (status failed, with the last lines of the job's output) and reboots.
fail() {
	echo "se3-ipxe: FAILED: $*" >&2
	exit 1
}

# busybox's sh runs its own applets before any file of PATH: these are
# util-linux's, which know the options the jobs use (mkswap -U, blkid -p).
blkid() { /bin/blkid "$@"; }
mkswap() { /bin/mkswap "$@"; }

# The machine's disks, in the kernel's order: not loops, RAM, CD or floppy drives.
disks() {
	for b in /sys/block/*; do
		case ${b##*/} in loop*|ram*|sr*|fd*|zram*) continue ;; esac
		[ "$(cat "$b/size")" -gt 0 ] && echo "${b##*/}"
	done
}
# disk_resolve NAME: NAME, or the first disk for auto; fails unless a disk.
disk_resolve() {
	d=$1
	[ "$d" = auto ] && d=$(disks | head -n 1)
	[ -n "$d" ] || fail "no disk on this machine"
	[ -e "/sys/block/$d" ] || fail "no disk $d on this machine (it has: $(disks | tr '\n' ' '))"
	echo "$d"
}
# partdev DISK N: the device of partition N (sda 1: sda1; nvme0n1 1: nvme0n1p1).
partdev() {
	case $1 in *[0-9]) echo "$1p$2" ;; *) echo "$1$2" ;; esac
}
# bytes DEV: a block device's size in bytes (sysfs counts 512-byte sectors).
bytes() {
	if [ -e "/sys/class/block/$1/size" ]; then
		echo $(( $(cat "/sys/class/block/$1/size") * 512 ))
	else
		echo 0
	fi
}
sector_size() { cat "/sys/block/$1/queue/logical_block_size"; }
# le64 FILE OFFSET: the little-endian 64-bit number at OFFSET of FILE.
le64() {
	set -- $(od -An -v -tx1 -j "$2" -N 8 "$1")
	echo $(( 0x$8$7$6$5$4$3$2$1 ))
}

# share_open //SERVER/SHARE/DIR: the SMB share mounted (as guest unless the
# action names a secret) and the image store's parts read and written there.
# smb.cred, mount.cifs's credentials file, is served once per boot with the
# token: fetched into a file only root reads, named to mount.cifs (the
# password is on no command line) and removed at once.
share_open() {
	cred=/tmp/smb.cred
	rm -f "$cred"
	(umask 077 && curl -fsS -G -o "$cred" --max-time 30 --retry 3 --retry-delay 2 \
	    --data "token=$SE3_TOKEN" "$SE3_FILE_URL/smb.cred") ||
	    { rm -f "$cred"; fail "cannot fetch the credentials of $1"; }
	auth=guest
	grep -q '^password=.' "$cred" && auth=credentials=$cred
	# cifs asks for its ciphers by name (cmac(aes)...) when it negotiates: loaded first.
	for m in cifs cifs_arc4 cifs_md4 md4 cmac ccm gcm ghash_generic ctr ecb sha512_generic des_generic; do
		modprobe -q "$m" 2>/dev/null
	done
	mkdir -p /mnt/share
	/bin/mount.cifs "$1" /mnt/share -o "$auth,vers=3.0"
	rc=$?
	rm -f "$cred"
	[ "$rc" = 0 ] || fail "cannot mount $1"
	SE3_SHARE_DIR=/mnt/share
}

# The image store: every request carries the token in a header, never in
# the URL (the access log); on a share, files renamed once complete.
# store_get NAME: the stored part on stdout.
store_get() {
	if [ -n "${SE3_SHARE_DIR-}" ]; then
		cat "$SE3_SHARE_DIR/$1"
		return
	fi
	curl -fsS --connect-timeout 10 --speed-limit 1 --speed-time 120 \
	    -H "X-SE3-IPXE-Token: $SE3_TOKEN" "$SE3_IMAGES/$1"
}
# hash_fifo PREFIX: a FIFO PREFIX.f whose reader writes the SHA-256 of all
# that goes through it to PREFIX.sha (a tee's second way out); HASH_PID is
# the reader, to wait for.
hash_fifo() {
	rm -f "$1.f" "$1.sha"
	mkfifo "$1.f"
	sha256sum <"$1.f" | cut -d' ' -f1 >"$1.sha" &
	HASH_PID=$!
}
# tool_tail: the last lines a failed tool said (/tmp/tool.log), without partclone's progress lines.
tool_tail() {
	tr '\r' '\n' </tmp/tool.log | grep -v -e '^ *$' -e 'Elapsed:' -e 'current block:' | tail -n 3
}

# store_put NAME PART TOOL COMPRESSION: stdin uploaded as one part, hashed on
# the way, then committed with its size and SHA-256 (the store checks them:
# nothing half-sent is ever listed).  Often the end of a pipeline, so a
# subshell: put_result reads what it found into PUT_SIZE, PUT_SHA and
# PUT_CODE (409: the name is taken).
store_put() {
	rm -f /tmp/put.*
	if [ -n "${SE3_SHARE_DIR-}" ] && [ -e "$SE3_SHARE_DIR/$1" ]; then
		echo 409 >/tmp/put.code
		echo "$1 exists on the share" >/tmp/put.answer
		cat >/dev/null
		return 1
	fi
	hash_fifo /tmp/put
	h1=$HASH_PID
	mkfifo /tmp/put.n
	wc -c </tmp/put.n | tr -d ' ' >/tmp/put.size &
	h2=$!
	if [ -n "${SE3_SHARE_DIR-}" ]; then
		share_put "$1"
		rc=$?
		wait $h1 $h2
		return $rc
	fi
	tee /tmp/put.f /tmp/put.n | curl -sS -T - -o /tmp/put.answer \
	    -w '%{http_code}' --connect-timeout 10 --speed-limit 1 --speed-time 120 \
	    -H "X-SE3-IPXE-Token: $SE3_TOKEN" \
	    "$SE3_IMAGES/$1?part=$2&tool=$3&compression=$4" >/tmp/put.code
	wait $h1 $h2
	[ "$(cat /tmp/put.code)" = 202 ] || return 1
	curl -sS -X POST -d '' -o /tmp/put.answer -w '%{http_code}' \
	    --max-time 60 -H "X-SE3-IPXE-Token: $SE3_TOKEN" \
	    "$SE3_IMAGES/$1?size=$(cat /tmp/put.size)&sha256=$(cat /tmp/put.sha)" >/tmp/put.code
	[ "$(cat /tmp/put.code)" = 201 ]
}
# share_put NAME: stdin to NAME on the share, through a temporary name.
share_put() {
	if tee /tmp/put.f /tmp/put.n >"$SE3_SHARE_DIR/.$1.part" && sync &&
	    mv "$SE3_SHARE_DIR/.$1.part" "$SE3_SHARE_DIR/$1"; then
		echo 201 >/tmp/put.code
		return 0
	fi
	rm -f "$SE3_SHARE_DIR/.$1.part"
	echo 507 >/tmp/put.code
	echo "cannot write $1 on the share" >/tmp/put.answer
	return 1
}
put_result() {
	PUT_SHA=$(cat /tmp/put.sha 2>/dev/null) PUT_SIZE=$(cat /tmp/put.size 2>/dev/null)
	PUT_CODE=$(cat /tmp/put.code 2>/dev/null)
}
# What the store answered last, for an error message.
store_answer() {
	head -c 200 /tmp/put.answer 2>/dev/null | tr -cd ' -~'
}

# partclone TOOL ARGS...: partclone with its log in /tmp (it exits 0 when it
# cannot open /var/log/partclone.log, having done nothing: seen in bookworm's
# 0.3.23), its messages on stderr; fails unless it said it succeeded.
partclone() {
	t=$1
	shift
	rm -f /tmp/partclone.log
	"$t" -L /tmp/partclone.log "$@" || return 1
	grep -q 'successfully' /tmp/partclone.log
}

# progress_watch LOG FROM SPAN WHAT: while a partclone runs, every 10 s,
# report its percentage (from LOG) scaled into FROM..FROM+SPAN.
progress_watch() {
	while sleep 10; do
		p=$(tr '\r' '\n' <"$1" 2>/dev/null | sed -n 's/.*Completed: *\([0-9]*\).*/\1/p' | tail -n 1)
		[ -n "$p" ] || continue
		report running $(( $2 + $3 * p / 100 )) "$4 $p%" >/dev/null 2>&1
	done
}
