#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# worker:restore with session=N, the receiving side of a multicast session: the real restore.sh (rendered by ipxe.cgi) in receiver namespaces reads the stream t/lib/mcast.sh's mcast_frame makes and a real udp-sender sends; two copies byte-identical and verified, and every wrong stream (parts swapped, another session, the sender killed, corrupted, no sender) fails, naming why, and writes nothing more.
#
# The disk is a stand-in (no partition table support needed: a file per
# partition, sfdisk and mkswap recorded), the rest is real: udp-receiver,
# dd, zstd, sha256sum, the shell library; busybox's sh and applets when
# busybox is installed (the worker's), else sh and coreutils.  Each
# receiver runs in a mount namespace of its own whose /tmp is its own
# (restore.sh keeps its files there).  The test runs itself again inside
# `unshare -rn` (t/lib/netns.sh) on the bridge of t/lib/mcast.sh: nothing
# leaves it.  E2E_REQUIRE=1 turns a skip into a failure.
need="udp-sender udp-receiver nsenter sha256sum bridge zstd mount"
if [ -n "${SIP_SANITIZE:-}" ]; then
	echo "1..0 # SKIP udpcast and the worker's shell: nothing of ours to sanitize"
	exit 0
fi
if [ -n "${E2E_REQUIRE:-}" ] && [ "${SIP_IN_NETNS-}" != 1 ]; then
	for tool in unshare ip $need; do
		command -v "$tool" > /dev/null ||
		    { echo "Bail out! $tool not installed (apt-get install udpcast zstd iproute2 util-linux)"; exit 1; }
	done
	unshare -rn true 2> /dev/null ||
	    { echo "Bail out! no network namespace (unshare -rn refused)"; exit 1; }
fi
. t/lib/netns.sh
# shellcheck disable=SC2086 # one word per tool
netns_enter $need -- "$@"

. t/lib/tap.sh
. t/lib/cgi.sh
MCAST_DIR=$T/mc
. t/lib/mcast.sh
trap 'mcast_down; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM HUP

FLIP=$TOP/build/t/mcastflip.so
# A private /tmp per receiver needs a mount namespace in this user namespace.
if ! unshare -m sh -c 'mount --bind "$1" /mnt' x "$T" 2> /dev/null; then
	echo "1..0 # SKIP no mount namespace here (unshare -m, mount --bind)"
	exit 0
fi
if ! mcast_up 7; then
	mcast_down
	if [ -n "${E2E_REQUIRE:-}" ]; then
		echo "Bail out! cannot make the bridge and its namespaces"
		exit 1
	fi
	echo "1..0 # SKIP cannot make a bridge and namespaces here"
	exit 0
fi
JOBSH=sh
command -v busybox > /dev/null && JOBSH="busybox sh"
echo "# jobs run by: $JOBSH"

# --- the options, and restore.sh rendered --------------------------------
write_config "$T/se3-ipxe.conf"
db_create
se3ipxe set-action --yes 52:54:00:72:00:09 worker:restore image=pc-1_20261207 \
    share=//se3/images/pc-1 session=7 port=9201 > "$T/set.out" 2>&1
ok $((! $?)) "set-action refuses an odd port (udpcast takes the port and the next one)"
se3ipxe set-action --yes 52:54:00:72:00:09 worker:restore image=pc-1_20261207 \
    share=//se3/images/pc-1 session=7 port=1022 > "$T/set.out" 2>&1
ok $((! $?)) "set-action refuses a port below 1024"
se3ipxe set-action --yes 52:54:00:72:00:09 worker:restore image=pc-1_20261207 \
    share=//se3/images/pc-1 session=7 wait=5 > "$T/set.out" 2>&1
ok $((! $?)) "set-action refuses a wait below 10 s"

# job NAME MAC PORT WAIT: restore.sh of session 7 on PORT, served by
# ipxe.cgi for MAC's action, in $T/restore-NAME.sh.
job() {
	se3ipxe set-action --yes "$2" worker:restore image=pc-1_20261207 \
	    share=//se3/images/pc-1 session=7 port="$3" wait="$4" > "$T/set.out" 2>&1 ||
	    { sed 's/^/# /' "$T/set.out"; return 1; }
	TOKEN=$(token_of "$2")
	boot "mac=$2&platform=pcbios"
	cgi GET /file/restore.sh "token=$TOKEN"
	[ "$status" = 200 ] && cp "$T/body" "$T/restore-$1.sh" &&
	    grep -qx "SESSION='7' PORT='$3' WAIT='$4'" "$T/restore-$1.sh"
}
rendered=0
job good 52:54:00:72:00:01 9200 30 || rendered=1
job swapped 52:54:00:72:00:03 9210 30 || rendered=1
job other 52:54:00:72:00:04 9220 30 || rendered=1
job killed 52:54:00:72:00:05 9230 30 || rendered=1
job flip 52:54:00:72:00:06 9240 30 || rendered=1
job none 52:54:00:72:00:07 9250 10 || rendered=1
ok $rendered "restore.sh served with session, port and wait as set, for six actions"
$JOBSH -n "$T/restore-good.sh" && $JOBSH -n "$TOP/modules/worker/lib.sh"
ok $? "restore.sh and lib.sh parse ($JOBSH -n)"

# --- an image: three stored parts and a swap ------------------------------
IMG=pc-1_20261207
S=$T/store
mkdir -p "$S"
{ head -c 1048576 /dev/urandom; head -c 3145728 /dev/zero; } > "$T/raw1"
head -c 2097152 /dev/urandom > "$T/raw3"
head -c 16777216 /dev/urandom > "$T/raw4"
zstd -q -c "$T/raw1" > "$S/$IMG.sda1"
cp "$T/raw3" "$S/$IMG.sda3"
zstd -q -1 -c "$T/raw4" > "$S/$IMG.sda4"
printf 'label: dos\nunit: sectors\n\n/dev/sda1 : start=2048, size=8192, type=83\n' > "$S/$IMG.table"
sha() { sha256sum < "$1" | cut -d ' ' -f 1; }
ZERO=$(head -c 16777216 /dev/zero | sha256sum | cut -d ' ' -f 1)
manifest() {
	cat <<EOF
se3-ipxe-image 1
mac 52:54:00:72:00:01
disk sda 67108864 512
table dos $IMG.table $(sha "$S/$IMG.table") 67108864
part sda1 1 ext4 partclone.dd zstd $IMG.sda1 4194304 $(sha "$S/$IMG.sda1") $(sha "$T/raw1")
part sda2 2 swap mkswap none - 1048576 - -
uuid sda2 5e3e2e00-91aa-4bbb-8ccc-000000000072
part sda3 3 vfat partclone.dd none $IMG.sda3 2097152 $(sha "$S/$IMG.sda3") $(sha "$T/raw3")
part sda4 4 ext4 partclone.dd zstd $IMG.sda4 16777216 $(sha "$S/$IMG.sda4") $(sha "$T/raw4")
end
EOF
}
manifest > "$S/$IMG"
# The same parts, the third and fourth in the other order: what a sender
# that mixed them up would send.
sed '/^part sda3 /{h;d;}; /^part sda4 /G' "$S/$IMG" > "$S/swapped"
mcast_frame 7 "$S" "$IMG" > "$T/stream.good"
mcast_frame 7 "$S" swapped > "$T/stream.swapped"
mcast_frame 8 "$S" "$IMG" > "$T/stream.other"
want=$((512 * 4 + $(stat -c %s "$S/$IMG.sda1") + 2097152 + $(stat -c %s "$S/$IMG.sda4")))
is "$(mcast_size "$T/stream.good")" "$want" "mcast_frame: three headers, the three stored parts and the trailer"
head -c 512 "$T/stream.good" | tr -d '\000' > "$T/h1"
printf 'se3-ipxe-mcast 1 7 1 %s %s %s\n' "$IMG.sda1" "$(stat -c %s "$S/$IMG.sda1")" "$(sha "$S/$IMG.sda1")" > "$T/h1.want"
cmp -s "$T/h1" "$T/h1.want"
ok $? "mcast_frame: the first header is the contract's line, NUL-padded"
tail -c 512 "$T/stream.good" | tr -d '\000' > "$T/trailer"
printf 'se3-ipxe-mcast 1 7 0 end 0 -\n' | cmp -s - "$T/trailer"
ok $? "mcast_frame: the trailer"

# The library the job sources: the worker's own, with a stand-in disk
# (one file per partition under the receiver's dev/, its sysfs under sys/)
# and the store read from $S (the manifest and table only, here).
# Inside, /tmp is the receiver's own: what it runs is copied under $T
# (its /mnt), since the tree itself may be under /tmp (a CI clone).
cp "$TOP/modules/worker/lib.sh" "$T/worker-lib.sh"
cat > "$T/lib.sh" <<'EOS'
. "$WORKER_LIB"
SE3_DEV=$R/dev SE3_SYS=$R/sys
report() { echo "report $1 $2 $3" >> "$R/calls"; }
disk_resolve() { echo sda; }
bytes() { if [ -f "$SE3_DEV/$1" ]; then wc -c < "$SE3_DEV/$1" | tr -d ' '; else echo 67108864; fi; }
sector_size() { echo 512; }
isblock() { [ -f "$1" ]; }
sfdisk() { echo "sfdisk $*" >> "$R/calls"; cat > /dev/null; }
blockdev() { :; }
mkswap() { echo "mkswap $*" >> "$R/calls"; }
share_open() { :; }
store_get() { echo "get $1" >> "$R/calls"; cat "$STORE/$1"; }
EOS

# disk I: receiver I's stand-in disk, every partition zeros.
disk() {
	_r=$T/r$1
	rm -rf "$_r"
	mkdir -p "$_r/tmp" "$_r/dev"
	: > "$_r/calls"
	for _p in 1:4194304:2048 2:1048576:10240 3:2097152:12288 4:16777216:16384; do
		_n=${_p%%:*} _rest=${_p#*:}
		head -c "${_rest%%:*}" /dev/zero > "$_r/dev/sda$_n"
		mkdir -p "$_r/sys/class/block/sda$_n"
		echo "${_rest#*:}" > "$_r/sys/class/block/sda$_n/start"
		echo "$_n" > "$_r/sys/class/block/sda$_n/partition"
	done
}

# restore I NAME [ENV...]: restore-NAME.sh on host I, in a mount namespace
# whose /mnt is $T and /tmp receiver I's own; its pid in $mcast_pid, its
# output in $T/rI/out.
restore() {
	_i=$1 _name=$2
	shift 2
	disk "$_i"
	# shellcheck disable=SC2016 # expanded by the receiver's shell
	mcast_start "$_i" "$T/r$_i/out" unshare -m sh -c '
		mount --bind "$1" /mnt && mount --bind "/mnt/r$2/tmp" /tmp || exit 99
		i=$2 name=$3 jobsh=$4
		shift 4
		exec env R="/mnt/r$i" STORE=/mnt/store SE3_WORKER_LIB=/mnt/lib.sh \
		    WORKER_LIB="$0" "$@" $jobsh "/mnt/restore-$name.sh"
	' /mnt/worker-lib.sh "$T" "$_i" "$_name" "$JOBSH" "$@"
}

# send LOG STREAM PORT MIN: udp-sender of STREAM on host 0; its pid in $sp.
send() {
	# shellcheck disable=SC2086 # flags are words
	mcast_sender "$1" --file "$2" --portbase "$3" $MCAST_SENDER_FLAGS \
	    --min-receivers "$4" --start-timeout 30
	sp=$mcast_pid
}

# said I: receiver I's failure line (FAILED: ...), or its last line.
said() {
	grep 'FAILED' "$T/r$1/out" | tail -n 1 | grep . || tail -n 1 "$T/r$1/out"
}
done_report() { grep -c '^report done ' "$T/r$1/calls"; }
wrote() { grep -c '^sfdisk' "$T/r$1/calls"; }
hashes() { echo "$(sha "$T/r$1/dev/sda1") $(sha "$T/r$1/dev/sda3") $(sha "$T/r$1/dev/sda4")"; }
WANT="$(sha "$T/raw1") $(sha "$T/raw3") $(sha "$T/raw4")"

# --- two receivers, one stream: byte-identical and verified ---------------
t0=$(mcast_now)
restore 1 good
g1=$mcast_pid
restore 2 good
g2=$mcast_pid
send "$T/send.good" "$T/stream.good" 9200 2
mcast_wait "$g1" 60
st1=$?
mcast_wait "$g2" 60
st2=$?
echo "# two receivers: exit $st1 and $st2 after $(($(mcast_now) - t0)) ms"
for i in 1 2; do
	tr '\r' '\n' < "$T/r$i/tmp/mcast.log" 2> /dev/null | grep -v -e '^bytes=' -e '^$' | sed "s/^/#   r$i udp-receiver: /"
done
is "$st1 $st2" "0 0" "two receivers: both jobs end well"
is "$(hashes 1)" "$WANT" "receiver 1: every partition byte-identical to the image's"
is "$(hashes 2)" "$WANT" "receiver 2: every partition byte-identical to the image's"
for i in 1 2; do
	grep -qx "report done 100 verified: image $IMG to /dev/sda, 3 of 4 partitions read back identical (multicast session 7)" "$T/r$i/calls"
	ok $? "receiver $i: reports verified, the session named" || sed 's/^/# /' "$T/r$i/calls" "$T/r$i/out"
done
grep -qx "report running 10 multicast: waiting for session 7 on port 9200" "$T/r1/calls"
ok $? "receiver 1: reported that it waits for the session"
! grep -q "^get $IMG\.sda" "$T/r1/calls" && grep -qx "get $IMG.table" "$T/r1/calls"
ok $? "receiver 1: the manifest and table from the store, no part"
grep -qx "mkswap -U 5e3e2e00-91aa-4bbb-8ccc-000000000072 $T/r1/dev/sda2" "$T/r1/calls" ||
    grep -qx "mkswap -U 5e3e2e00-91aa-4bbb-8ccc-000000000072 /mnt/r1/dev/sda2" "$T/r1/calls"
ok $? "receiver 1: the swap made with its UUID"
sed -n 's/^report running 10 multicast: joined session 7 as \(#[0-9]*\)$/# receiver 1 joined as \1/p' "$T/r1/calls"

# --- the failures, side by side ---------------------------------------------
t0=$(mcast_now)
restore 3 swapped
f3=$mcast_pid
send "$T/send.swapped" "$T/stream.swapped" 9210 1
restore 4 other
f4=$mcast_pid
send "$T/send.other" "$T/stream.other" 9220 1
restore 5 killed
f5=$mcast_pid
# The stream cut in the fourth partition's part, the sender then silent
# until it is killed.
head -c $((512 * 3 + $(stat -c %s "$S/$IMG.sda1") + 2097152 + 4194304)) "$T/stream.good" > "$T/stream.cut"
mkfifo "$T/feed"
(cat "$T/stream.cut"; exec sleep 60) > "$T/feed" &
feeder=$!
send "$T/send.killed" "$T/feed" 9230 1
killed_sp=$sp
if [ -r "$FLIP" ]; then
	cp "$FLIP" "$T/mcastflip.so"
	restore 6 flip LD_PRELOAD=/mnt/mcastflip.so MCASTFLIP_EVERY=200
	f6=$mcast_pid
	send "$T/send.flip" "$T/stream.good" 9240 1
fi
restore 7 none
f7=$mcast_pid

# The sender killed once receiver 5 writes its last partition.
deadline=$(($(mcast_now) + 40000))
until grep -q "restore: sda4 to /dev/sda4" "$T/r5/calls" || [ "$(mcast_now)" -ge "$deadline" ]; do
	sleep 0.1
done
sleep 1
kill -9 "$killed_sp" "$feeder" 2> /dev/null
tk=$(mcast_now)

mcast_wait "$f3" 60
st3=$?
mcast_wait "$f4" 60
st4=$?
mcast_wait "$f5" 60
st5=$?
e5=$(($(mcast_now) - tk))
mcast_wait "$f7" 60
st7=$?
e7=$(($(mcast_now) - t0))
echo "# failures: exits $st3 $st4 $st5 $st7; the killed sender's receiver ended $e5 ms after the kill, the lonely one $e7 ms after its start"

[ "$st3" != 0 ] && [ "$(done_report 3)" = 0 ]
ok $? "parts swapped: the job fails, no done"
said 3 | grep -qF "multicast: part 2 expected $IMG.sda3, got $IMG.sda4 (part 2): nothing more written"
ok $? "parts swapped: it says which part it expected and got ($(said 3))"
[ "$(sha "$T/r3/dev/sda1")" = "$(sha "$T/raw1")" ] &&
    [ "$(sha "$T/r3/dev/sda3")" = "$(head -c 2097152 /dev/zero | sha256sum | cut -d ' ' -f 1)" ] &&
    [ "$(sha "$T/r3/dev/sda4")" = "$ZERO" ]
ok $? "parts swapped: the first partition written, nothing after it"

[ "$st4" != 0 ] && [ "$(done_report 4)" = 0 ] && [ "$(wrote 4)" = 0 ]
ok $? "another session's stream: the job fails before the table is written"
said 4 | grep -qF "multicast: expected session 7, got a stream of session 8: nothing written"
ok $? "another session's stream: it says so ($(said 4))"

[ "$st5" != 0 ] && [ "$(done_report 5)" = 0 ]
ok $? "sender killed mid-part: the job fails, no done"
said 5 | grep -qF "multicast: the stream of session 7 ended in part 3 ($IMG.sda4)"
ok $? "sender killed mid-part: it says where the stream ended ($(said 5))"
[ "$e5" -le 25000 ]
ok $? "sender killed mid-part: failed $e5 ms after the kill (udp-receiver's 10 s receive timeout; bound 25 s)"

if [ -r "$FLIP" ]; then
	mcast_wait "$f6" 60
	st6=$?
	echo "# corrupted: exit $st6: $(said 6)"
	[ "$st6" != 0 ] && [ "$(done_report 6)" = 0 ] && ! grep -q 'verified' "$T/r6/calls"
	ok $? "corrupted stream: the job fails, never verified ($(said 6))"
else
	skip "corrupted stream: $FLIP not built (make tests)"
fi

[ "$st7" != 0 ] && [ "$(done_report 7)" = 0 ] && [ "$(wrote 7)" = 0 ]
ok $? "no sender: the job fails and writes nothing"
said 7 | grep -qF "multicast: no stream from session 7 on port 9250 within 10 s"
ok $? "no sender: it says so ($(said 7))"
[ "$e7" -le 25000 ]
ok $? "no sender: failed after its wait ($e7 ms, wait 10 s, bound 25 s)"

# No udp-receiver outlives its job.
sleep 0.5
left=$(ps -eo args | grep -c '^udp-receiver .*--portbase 92[0-5]0')
is "$left" 0 "no udp-receiver left running after the jobs ended"
done_testing
