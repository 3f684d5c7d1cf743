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
# Where the jobs find devices and their sysfs entries (a test's stand-ins put
# its files there), and whether a partition's device is there yet.
SE3_DEV=/dev SE3_SYS=/sys
isblock() { [ -b "$1" ]; }
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
# sha256: the SHA-256 of stdin, in hex.  openssl's uses the CPU's SHA
# extensions (4.7 times coreutils' speed here, more than busybox's applet):
# every byte saved is hashed twice (raw and stored), every byte restored once (BENCHMARKS.md).
sha256() {
	if command -v openssl >/dev/null 2>&1; then
		openssl dgst -sha256 -r | cut -d' ' -f1
	else
		sha256sum | cut -d' ' -f1
	fi
}
# hash_fifo PREFIX: a FIFO PREFIX.f whose reader writes the SHA-256 of all
# that goes through it to PREFIX.sha (a tee's second way out); HASH_PID is
# the reader, to wait for.
hash_fifo() {
	rm -f "$1.f" "$1.sha"
	mkfifo "$1.f"
	sha256 <"$1.f" >"$1.sha" &
	HASH_PID=$!
}
# tool_tail [LOG]: the last lines a failed tool said (LOG, /tmp/tool.log),
# without partclone's progress lines.
tool_tail() {
	tr '\r' '\n' <"${1:-/tmp/tool.log}" | grep -v -e '^ *$' -e 'Elapsed:' -e 'current block:' | tail -n 3
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
# 0.3.23), or in PARTCLONE_LOG where two run at once; its messages on
# stderr; fails unless it said it succeeded.  -f 1: partclone's progress
# thread sleeps that many seconds between lines and is waited for at the
# end, so each run ended on its next 2-second tick (its default): up to 2 s
# per partition, and a multicast stream not read meanwhile.
partclone() {
	t=$1 l=${PARTCLONE_LOG:-/tmp/partclone.log}
	shift
	rm -f "$l"
	"$t" -f 1 -L "$l" "$@" || return 1
	grep -q 'successfully' "$l"
}

# progress_watch LOG FROM SPAN WHAT: while a partclone runs, every 10 s,
# report its percentage (from LOG) scaled into FROM..FROM+SPAN, with its
# rate as partclone says it ("Completed:  43.00%,   1.23GB/min,"): the
# rate of each machine, which status and session show.
progress_watch() {
	while sleep 10; do
		l=$(tr '\r' '\n' <"$1" 2>/dev/null | grep 'Completed:' | tail -n 1)
		p=$(echo "$l" | sed -n 's/.*Completed: *\([0-9]*\).*/\1/p')
		[ -n "$p" ] || continue
		r=$(echo "$l" | sed -n 's/.*Completed: *[0-9.]*%, *\([0-9.]*[A-Za-z]*\/min\).*/ \1/p')
		report running $(( $2 + $3 * p / 100 )) "$4 $p%$r" >/dev/null 2>&1
	done
}

# Multicast (restore.session): one udpcast stream per session, each stored
# part behind a 512-byte header "se3-ipxe-mcast 1 SESSION K NAME BYTES SHA256"
# (NUL-padded), a trailer "se3-ipxe-mcast 1 SESSION 0 end 0 -" last.  The
# stream is read from fd 4, a FIFO udp-receiver writes; every header is
# checked before a byte of its part is read, and udpcast's exit status is
# never believed (it exits 0 on many failures): the headers and hashes are.

# mcast_iface: the interface of the default route, else the first one with
# any route (/proc is this network namespace's; /sys may not be).
mcast_iface() {
	awk 'NR > 1 && $2 == "00000000" && $8 == "00000000" { print $1; f = 1; exit }
	    END { if (!f) exit 1 }' /proc/net/route 2>/dev/null ||
	    awk 'NR > 1 && $1 != "lo" { print $1; f = 1; exit } END { if (!f) exit 1 }' /proc/net/route
}

# mcast_join SESSION PORT WAIT: udp-receiver started on PORT (its log in
# /tmp/mcast.log), its stream on fd 4; the trap ends it on every way out.
# A background watcher reports the receiver's number once udpcast says it.
mcast_join() {
	MCAST_S=$1 MCAST_P=$2 MCAST_W=$3
	MCAST_IF=$(mcast_iface) || fail "multicast: no network interface with a route"
	rm -f /tmp/mcast.f /tmp/mcast.log
	mkfifo /tmp/mcast.f || fail "multicast: cannot make /tmp/mcast.f"
	: >/tmp/mcast.log
	trap mcast_leave EXIT
	trap 'exit 1' INT TERM HUP
	udp-receiver --nokbd --interface "$MCAST_IF" --portbase "$MCAST_P" \
	    --start-timeout "$MCAST_W" --receive-timeout 10 --rcvbuf 4194304 \
	    </dev/null >/tmp/mcast.f 2>/tmp/mcast.log &
	MCAST_PID=$!
	exec 4</tmp/mcast.f
	(
		i=0
		while [ $i -le "$MCAST_W" ]; do
			n=$(tr '\r' '\n' </tmp/mcast.log | sed -n 's/^Connected as #\([0-9]*\) to.*/\1/p' | head -n 1)
			if [ -n "$n" ]; then
				report running 10 "multicast: joined session $MCAST_S as #$n" >/dev/null 2>&1
				exit 0
			fi
			sleep 1
			i=$((i + 1))
		done
	) &
	MCAST_WATCH=$!
}

# mcast_leave: udp-receiver and the watcher ended, the stream closed (the EXIT trap).
mcast_leave() {
	[ -n "${MCAST_WATCH-}" ] && kill "$MCAST_WATCH" 2>/dev/null
	[ -n "${MCAST_PID-}" ] && kill "$MCAST_PID" 2>/dev/null
	MCAST_WATCH= MCAST_PID=
	exec 4<&-
	mcast_writers_wait
}

# mcast_writers_wait: the parts' writers (MCAST_WRITERS, started by
# restore.sh, one per part) ended: on a failure too, so that what the
# disk holds is settled when the job says what it wrote.
mcast_writers_wait() {
	[ -z "${MCAST_WRITERS-}" ] || wait $MCAST_WRITERS 2>/dev/null
	MCAST_WRITERS=
}

# mcast_said: udp-receiver's last words, for a failure's reason.
mcast_said() {
	tr '\r' '\n' </tmp/mcast.log 2>/dev/null | grep -v -e '^bytes=' -e '^ *$' | tail -n 1 | tr -cd ' -~' | head -c 100
}

# mcast_head K NAME SHA WROTE: the next header read and checked (K 0, NAME
# end, SHA -: the trailer); its BYTES in MCAST_BYTES.  Anything else fails
# the job, expected and got named, WROTE saying what the disk holds.
mcast_head() {
	rm -f /tmp/mcast.h /tmp/mcast.want
	dd bs=512 count=1 iflag=fullblock <&4 >/tmp/mcast.h 2>/dev/null
	got=$(wc -c </tmp/mcast.h | tr -d ' ')
	what="part $1 ($2)"
	[ "$1" = 0 ] && what="the end of the stream"
	if [ "$got" = 0 ] && [ "$1" = 1 ]; then
		fail "multicast: no stream from session $MCAST_S on port $MCAST_P within $MCAST_W s (udp-receiver: $(mcast_said)): $4"
	fi
	[ "$got" = 512 ] ||
	    fail "multicast: the stream of session $MCAST_S ended before $what (udp-receiver: $(mcast_said)): $4"
	line=$(head -n 1 /tmp/mcast.h | tr -d '\000\n' | tr -c ' -~' '?' | head -c 200)
	set -f
	# shellcheck disable=SC2086 # the header's words
	set -- "$1" "$2" "$3" "$4" $line
	set +f
	[ $# = 11 ] && [ "$5" = se3-ipxe-mcast ] && [ "$6" = 1 ] ||
	    fail "multicast: $what: not a se3-ipxe-mcast 1 header ('$(printf '%.60s' "$line")'): $4"
	[ "$7" = "$MCAST_S" ] ||
	    fail "multicast: expected session $MCAST_S, got a stream of session $(printf '%.20s' "$7"): $4"
	[ "$8" = "$1" ] && [ "$9" = "$2" ] ||
	    fail "multicast: part $1 expected $2, got $(printf '%.80s' "$9") (part $(printf '%.10s' "$8")): $4"
	[ "${11}" = "$3" ] ||
	    fail "multicast: $what expected sha256 $3, got $(printf '%.64s' "${11}"): $4"
	b=${10}
	case $b in ''|*[!0-9]*) fail "multicast: $what: size '$(printf '%.20s' "$b")' is not a number: $4" ;; esac
	[ ${#b} -le 15 ] || fail "multicast: $what: size $b too large: $4"
	[ "$1" != 0 ] || [ "$b" = 0 ] || fail "multicast: the trailer has size $b, not 0: $4"
	# The header byte for byte as the contract writes it (one space, one
	# newline, NULs to 512): nothing hidden after the line.
	h="se3-ipxe-mcast 1 $MCAST_S $1 $2 $b $3"
	{ printf '%s\n' "$h"; head -c $((511 - ${#h})) /dev/zero; } >/tmp/mcast.want
	cmp -s /tmp/mcast.h /tmp/mcast.want ||
	    fail "multicast: $what: the header is not in the contract's form: $4"
	MCAST_BYTES=$b
}

# mcast_copy BYTES [FILE...]: exactly BYTES bytes of the stream to stdout
# (and to each FILE, as tee), not one more (the next header stays in the
# FIFO: dd counts bytes and fills its blocks, where busybox's head reads
# ahead); the count in /tmp/mcast.got.
mcast_copy() {
	rm -f /tmp/mcast.n /tmp/mcast.got
	mkfifo /tmp/mcast.n
	wc -c </tmp/mcast.n | tr -d ' ' >/tmp/mcast.got &
	c=$!
	n=$1
	shift
	dd bs=1M iflag=fullblock,count_bytes count="$n" <&4 2>/dev/null | tee /tmp/mcast.n "$@"
	r=$?
	wait $c
	return $r
}

# mcast_end: after the trailer, udp-receiver left to finish its goodbye with
# the sender (killed, it would be counted as dropped), at most 30 s.
mcast_end() {
	i=0
	while kill -0 "$MCAST_PID" 2>/dev/null && [ $i -lt 150 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	mcast_leave
}
