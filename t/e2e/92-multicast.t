#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end: a master saved and multicast in one command (se3-ipxe clone --from), then the saved image multicast by more sessions to worker:restore guests on one bridge (lib.sh's bridge mode): two receivers verified and byte-identical, a receiver killed mid-transfer dropped while the other is verified, a machine that never boots finished by `session fallback` over unicast, the runner and udp-sender killed mid-transfer failing every receiver and the session; and a bare udpcast check of the segment.
#
# One small disk (MBR: ext4, swap, 12 MiB of raw bytes; 40 MiB) is saved
# once by a guest; every case restores that image onto blank disks of the
# same size, three or four guests at a time.  One multicast disk is
# checked on the host without mounting (the table, e2fsck and every
# file's sha256, the swap's UUID, the raw partition byte for byte) and
# every other restored disk, the unicast fallback's included, is compared
# with it byte for byte.  Timings are TAP comments.  Needs root (the
# namespace, the taps).
E2E_NET=bridge E2E_MAXVM=4
. "$(dirname "$0")/lib.sh"
e2e_need "e2fsprogs, util-linux, udpcast" mkfs.ext4 debugfs e2fsck mkswap blkid sfdisk udp-sender udp-receiver nsenter
export SE3_IPXE_WORKER_CACHE=${SE3_IPXE_WORKER_CACHE:-$E2E_TOP/build/worker-cache}
# The namespace has no way out to the mirror: the worker is built (or found
# in the cache) before e2e_init enters it, from the same module files that
# make install copies, so that `setup worker` inside finds it cached.
if [ "${E2E_IN_NETNS:-}" != $$ ]; then
	e2e_require
	t0=$(e2e_now)
	pre=$(mktemp -d /tmp/se3-ipxe-e2e-worker.XXXXXX) || bail "mktemp"
	if ! BOOT_ROOT=$pre MODULE_DIR=$E2E_TOP/modules/worker sh "$E2E_TOP/modules/worker/setup" \
	    >"$pre.log" 2>&1; then
		tail -n 20 "$pre.log" | sed 's/^/# /'
		rm -rf "$pre" "$pre.log"
		bail "worker setup (before the namespace) failed"
	fi
	echo "# before the namespace: $(grep -E 'built in|installed from|up to date' "$pre.log") ($(e2e_secs "$t0") s)"
	rm -rf "$pre" "$pre.log"
fi
e2e_init

e2e_setup_worker
IMG=$E/images
D=$E/disks
mkdir -p "$D/tree/etc" "$D/tree/data"
echo "se3-ipxe e2e multicast" >"$D/tree/etc/motd"
head -c 2097152 /dev/urandom >"$D/tree/data/random.bin"
seq 1 20000 >"$D/tree/data/numbers.txt"
SWAPUUID=5e3e2e00-92aa-4bbb-8ccc-000000000092

# The disk: ext4 20 MiB (files), swap 4 MiB (made, not stored), 12 MiB of
# random bytes (no filesystem: partclone.dd, the stream's biggest part).
put() { dd if="$4" of="$1" bs=512 seek="$2" count="$3" conv=notrunc status=none; }
extract() {	# extract DISK N OUT: partition N of a disk image, by its table
	set -- "$1" "$2" "$3" $(sfdisk -d "$1" | grep '^/' | sed -n "$2"'s/.*start= *\([0-9]*\), *size= *\([0-9]*\).*/\1 \2/p')
	[ -n "${4:-}" ] || return 1
	dd if="$1" of="$3" bs=512 skip="$4" count="$5" status=none
}
SIZE=40M
truncate -s $SIZE "$D/master.img"
printf 'label: dos\nstart=2048, size=40960, type=83\nstart=43008, size=8192, type=82\nstart=51200, size=24576, type=83\n' |
    sfdisk -q "$D/master.img" >/dev/null || bail "sfdisk"
mkfs.ext4 -q -F -d "$D/tree" "$D/p1.img" 20M >/dev/null || bail "mkfs.ext4"
put "$D/master.img" 2048 40960 "$D/p1.img"
truncate -s 4M "$D/p2.img"
mkswap -q -U "$SWAPUUID" "$D/p2.img" >/dev/null 2>&1 || mkswap -U "$SWAPUUID" "$D/p2.img" >/dev/null || bail "mkswap"
put "$D/master.img" 43008 8192 "$D/p2.img"
head -c $((24576 * 512)) /dev/urandom >"$D/raw.img"
put "$D/master.img" 51200 24576 "$D/raw.img"
chmod a+r "$D"/*.img

# vm ID MAC DISK [rw]: a guest of the worker on DISK (-no-reboot: the worker's reboot ends it).
vm() {
	E2E_DISK=$3 E2E_DISK_RW=${4:-} E2E_MEM=512 E2E_TIMEOUT=${VM_TIMEOUT:-300} \
	    e2e_vm_start "$1" pcbios virtio "$2"
}
blank() { rm -f "$D/$1.img"; truncate -s $SIZE "$D/$1.img"; }
msg() {	# msg MAC: "STATE MESSAGE" of its latest action
	e2e_action "$1" | python3 -c 'import json, sys
a = json.load(sys.stdin)
print(a.get("state", ""), a.get("message", a.get("msg", "")))'
}
# check_disk NAME: the restored disk D/NAME.img holds what was saved.
check_disk() {
	_n=$1 _c=$D/$1.img
	t "$1: the partition table is the saved one" eval '[ "$(e2e_table "$_c")" = "$(e2e_table "$D/master.img")" ]' ||
	    diff <(e2e_table "$D/master.img") <(e2e_table "$_c") | sed 's/^/# /'
	extract "$_c" 1 "$D/$1-p1" && extract "$_c" 2 "$D/$1-p2" && extract "$_c" 3 "$D/$1-p3" ||
	    ok 1 "$1: extract"
	rm -rf "$D/out-$1"
	mkdir -p "$D/out-$1"
	debugfs -R "rdump / $D/out-$1" "$D/$1-p1" >/dev/null 2>&1
	rm -rf "$D/out-$1/lost+found"
	t "$1: ext4 clean (e2fsck -fn), every file as saved (sha256)" eval \
	    'e2fsck -fn "$D/$_n-p1" >/dev/null 2>&1 && [ "$(e2e_files_sha "$D/out-$_n")" = "$(e2e_files_sha "$D/tree")" ]'
	t "$1: the swap has its UUID, the raw partition byte for byte" eval \
	    '[ "$(blkid -p -o value -s UUID "$D/$_n-p2")" = "$SWAPUUID" ] && cmp -s "$D/$_n-p3" "$D/raw.img"'
	rm -rf "$D/out-$1" "$D/$1-p1" "$D/$1-p2" "$D/$1-p3"
}

# sess ID PYEXPR: PYEXPR of `session show --json ID` (s the session, m its
# machines by MAC); sess_wait ID PYEXPR SECONDS: until it is true (bounded).
sess() {
	e2e_cli session show --json "$1" 2>/dev/null | python3 -c 'import json, sys
s = json.load(sys.stdin)
m = {x["mac"]: x for x in s.get("machines", [])}
print(eval(sys.argv[1]))' "$2" 2>/dev/null
}
sess_wait() {
	_end=$(( $(date +%s) + $3 ))
	until [ "$(sess "$1" "$2")" = True ]; do
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 1
	done
}
clone() {	# clone ARG...: the session's id, from what clone prints
	e2e_cli clone --yes --interface "$E2E_BR_IF" "$@" >"$E/clone.out" 2>&1 ||
	    { sed 's/^/# /' "$E/clone.out" >&2; return 1; }
	sed -n 's/^session \([0-9][0-9]*\): .*/\1/p' "$E/clone.out"
}
# 1. `clone --from`: the save of the master disk first (session 1 is
# saving, its members held), and meanwhile a bare udpcast check of the
# segment: the host's udp-sender on the bridge to a udp-receiver in a
# namespace of its own behind a veth on the same bridge (as a guest is).
MA=52:54:00:e2:92:01
MA1=52:54:00:e2:92:21 MA2=52:54:00:e2:92:22
S1=$(clone --from $MA --min-receivers 2 --max-wait 60 m1 $MA1 $MA2 save.compression=zstd)
t "clone --from: session $S1 saving, its two machines held: $(sess "$S1" 's["state"]')" eval \
    '[ "$(sess "$S1" "s[\"state\"] + str(len(m))")" = saving2 ]'
vm save $MA "$D/master.img"

unshare -n sh -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done' holder $$ &
HOLDER=$!
trap 'kill $HOLDER 2>/dev/null; e2e_cleanup' EXIT
i=0
until [ -e /proc/$HOLDER/ns/net ] && [ "$(readlink /proc/$HOLDER/ns/net)" != "$(readlink /proc/$$/ns/net)" ]; do
	i=$((i + 1)); [ $i -lt 100 ] || bail "veth namespace"; sleep 0.05
done
NSR="nsenter --net=/proc/$HOLDER/ns/net --"
ip link add e2eveth0 type veth peer name eth0 netns /proc/$HOLDER/ns/net &&
    ip link set e2eveth0 master "$E2E_BR_IF" up &&
    $NSR ip link set lo up &&
    $NSR ip addr add 10.0.4.99/24 broadcast 10.0.4.255 dev eth0 &&
    $NSR ip link set eth0 up || bail "veth on $E2E_BR_IF"
i=0
until bridge link show dev e2eveth0 | grep -q 'state forwarding'; do
	i=$((i + 1)); [ $i -lt 100 ] || bail "veth not forwarding"; sleep 0.05
done
head -c 8388608 /dev/urandom >"$E/bare.bin"
t0=$(e2e_now)
$NSR udp-receiver --nokbd --interface eth0 --portbase 9100 --start-timeout 20 \
    --receive-timeout 10 --rcvbuf 4194304 </dev/null >"$E/bare.out" 2>"$E/bare-recv.log" &
rpid=$!
udp-sender --nokbd --interface "$E2E_BR_IF" --portbase 9100 --min-receivers 1 --max-wait 20 \
    --start-timeout 20 --retries-until-drop 20 --rexmit-hello-interval 500 \
    <"$E/bare.bin" >"$E/bare-send.log" 2>&1
wait $rpid
t "udpcast on the bridge: 8 MiB from the host's udp-sender to a receiver on a veth, byte for byte" \
    cmp -s "$E/bare.bin" "$E/bare.out" || tail -n 3 "$E/bare-send.log" "$E/bare-recv.log" | sed 's/^/# /'
diag "bare udpcast, 1 receiver, 8 MiB: $(e2e_secs "$t0") s"
t "udpcast: the sender saw the receiver join" grep -q 'New connection from 10.0.4.99' "$E/bare-send.log"
ip link del e2eveth0 2>/dev/null
kill $HOLDER 2>/dev/null
rm -f "$E/bare.bin" "$E/bare.out"

e2e_vm_wait save
s_save=$VM_SECS
m=$(msg $MA)
t "save m1: done: $m" eval 'case "$m" in "done saved: image m1,"*) true ;; *) false ;; esac' || e2e_explain save
t "save m1: ext4 and raw stored, the swap made: the manifest says so" eval '
	grep -qE "^part sda1 1 ext4 partclone.ext4 zstd m1.sda1 20971520 " "$IMG/m1" &&
	grep -qx "part sda2 2 swap mkswap none - 4194304 - -" "$IMG/m1" &&
	grep -qE "^part sda3 3 - partclone.dd zstd m1.sda3 12582912 [0-9a-f]{64} $(sha256sum <"$D/raw.img" | cut -d" " -f1)$" "$IMG/m1"' ||
    sed 's/^/# /' "$IMG/m1"
diag "save: $s_save s from qemu start to the worker's reboot"
[ -s "$IMG/m1" ] || bail "no image to restore"
sess_wait "$S1" 's["state"] == "forming"' 20
t "clone --from: the master saved, session $S1 forming: $(sess "$S1" 's["state"]')" eval \
    '[ "$(sess "$S1" "s[\"state\"]")" = forming ]'

verified() {	# verified MAC: its action's message says it was verified (and by which session)
	m=$(msg "$1")
	case "$m" in "done verified: image m1 to /dev/sda, 2 of 3 partitions read back identical"*) ;; *) return 1 ;; esac
}
parts_fetched() {	# parts_fetched ID: how many GETs of a stored part the guest made
	e2e_vm_log_any "$1" | grep -cE '"GET /cgi-bin/images.cgi/m1\.sda[0-9]'
}

# 2. At once: session 1 multicasts m1, just saved, to two guests (done), and session 2
# to three machines: c2 never boots, c3 is killed (its qemu) as soon as
# the stream flows, c1 goes on alone once udp-sender has dropped c3
# (partial; c2's fallback is in 3).
MC1=52:54:00:e2:92:31 MC2=52:54:00:e2:92:32 MC3=52:54:00:e2:92:33
for d in a1 a2 c1 c2 c3; do blank $d; done
S2=$(clone --min-receivers 2 --max-wait 60 m1 $MC1 $MC2 $MC3)
t "sessions 1 and 2: clone made them ($S1, $S2), the members' actions set, a port each" eval \
    '[ -n "$S1" ] && [ -n "$S2" ] && [ "$(sess "$S1" "len(m)")$(sess "$S2" "len(m)")" = 23 ] &&
     [ "$(sess "$S1" "s[\"port\"]")" != "$(sess "$S2" "s[\"port\"]")" ]'
t0=$(e2e_now)
vm a1 $MA1 "$D/a1.img" rw
vm a2 $MA2 "$D/a2.img" rw
vm c1 $MC1 "$D/c1.img" rw
vm c3 $MC3 "$D/c3.img" rw
st_json=$(e2e_cli status --json)
t "status --json: a1 in its open session ($(printf '%s' "$st_json" | python3 -c 'import json, sys
print(next((json.dumps(x["session"]) for x in json.load(sys.stdin) if x["mac"] == sys.argv[1]), "none"))' $MA1))" \
    eval 'printf "%s" "$st_json" | python3 -c "import json, sys
x = next(x for x in json.load(sys.stdin) if x[\"mac\"] == sys.argv[1])
sys.exit(0 if x[\"session\"][\"id\"] == int(sys.argv[2]) else 1)" $MA1 "$S1"'
t "status: one line for each open session" eval \
    'e2e_cli status >"$E/status.txt" 2>&1 && grep -q "^session $S1: " "$E/status.txt" && grep -q "^session $S2: " "$E/status.txt"' ||
    sed 's/^/# /' "$E/status.txt"
# c3 killed once udp-sender has said "Starting transfer" (started_at).
if sess_wait "$S2" 's["started_at"] != 0' 200; then
	t_c3=$(e2e_now)
	e2e_vm_kill c3
	e_c3=$(date +%s)
	diag "session 2: c3's qemu killed $(e2e_secs "$t0") s after the guests started; the members then: $(sess "$S2" '", ".join(x["state"] + " " + str(x["progress"]) + "%" for x in s["machines"])')"
else
	ok 1 "session 2: the stream never started: $(sess "$S2" 's["state"] + " " + s["reason"]')"
	t_c3=$(e2e_now) e_c3=$(date +%s)
fi
e2e_vm_wait a1
s_a1=$VM_SECS
e2e_vm_wait a2
s_a2=$VM_SECS
sess_wait "$S1" 's["state"] == "done"' 20
t "session 1: done: $(sess "$S1" 's["state"] + " " + s["reason"]')" eval '[ "$(sess "$S1" "s[\"state\"]")" = done ]'
for a in a1 a2; do
	mac=$([ $a = a1 ] && echo $MA1 || echo $MA2)
	t "session 1 $a: verified, from the multicast session: $(msg $mac)" eval \
	    'verified $mac && msg $mac | grep -q "multicast session $S1"' || e2e_explain $a
	t "session 1 $a: its member row says verified" eval '[ "$(sess "$S1" "m[\"$mac\"][\"state\"]")" = verified ]'
	t "session 1 $a: no part fetched from images.cgi (only the manifest and the table)" \
	    eval '[ "$(parts_fetched $a)" = 0 ]'
done
check_disk a1
t "session 1: the two disks byte for byte the same" cmp -s "$D/a1.img" "$D/a2.img"
e2e_vm_wait c3
e2e_vm_wait c1
s_c1=$VM_SECS
s_c1kill=$(e2e_secs "$t_c3")
t "session 2 c1: verified, c3 killed beside it: $(msg $MC1)" eval 'verified $MC1 && msg $MC1 | grep -q "multicast session $S2"' || e2e_explain c1
t "session 2 c1: the disk byte for byte session 1's" cmp -s "$D/c1.img" "$D/a1.img"
sess_wait "$S2" 's["state"] == "partial"' 20
t "session 2: partial: $(sess "$S2" 's["state"] + " " + s["reason"]')" eval '[ "$(sess "$S2" "s[\"state\"]")" = partial ]'
t "session 2: the machine that never booted is reported: $(sess "$S2" "m[\"$MC2\"][\"state\"]")" eval \
    '[ "$(sess "$S2" "m[\"$MC2\"][\"state\"]")" = missed ]'
t "session 2: the machine killed mid-transfer is reported dropped: $(sess "$S2" "m[\"$MC3\"][\"state\"]")" eval \
    '[ "$(sess "$S2" "m[\"$MC3\"][\"state\"] + str(m[\"$MC3\"][\"dropped_at\"] != 0)")" = droppedTrue ]'
drop=$(( $(sess "$S2" "m[\"$MC3\"][\"dropped_at\"]") - e_c3 ))
t "session 2: c3 dropped by udp-sender within 30 s of its death ($drop s), c1 done within 90 s ($s_c1kill s)" \
    eval '[ "$drop" -ge 0 ] && [ "$drop" -lt 30 ] && awk -v s="$s_c1kill" "BEGIN { exit !(s < 90) }"'
diag "sessions 1 and 2 at once, four guests: a1 $s_a1 s, a2 $s_a2 s, c1 $s_c1 s (c3 killed, dropped $drop s later, c1 done $s_c1kill s after the kill) ($(e2e_secs "$t0") s)"
rm -f "$D/a2.img" "$D/c1.img" "$D/c3.img"

# 3. At once: `session fallback` finishes session 2's missing machine by
# unicast (session 0, today's path), and session 3's runner and udp-sender
# are killed as soon as its stream flows: every receiver fails, the
# session fails, nothing is done.
ME1=52:54:00:e2:92:41 ME2=52:54:00:e2:92:42
for d in e1 e2; do blank $d; done
e2e_cli session fallback "$S2" $MC2 >"$E/fallback.out" 2>&1
t "session 2: fallback of c2 alone: $(head -n 1 "$E/fallback.out")" eval \
    '[ "$(sess "$S2" "m[\"$MC2\"][\"state\"] + m[\"$MC1\"][\"state\"] + m[\"$MC3\"][\"state\"]")" = fallbackverifieddropped ]'
t "session 2: c2's action is a unicast worker:restore of m1" eval \
    'e2e_action $MC2 | grep -q "\"image=m1\|\"image\": *\"m1\"" && ! e2e_action $MC2 | grep -q "session=[1-9]"'
S3=$(clone --min-receivers 2 --max-wait 60 m1 $ME1 $ME2)
t "session 3: made ($S3)" test -n "$S3"
t0=$(e2e_now)
vm c2 $MC2 "$D/c2.img" rw
vm e1 $ME1 "$D/e1.img" rw
vm e2 $ME2 "$D/e2.img" rw
# Killed once udp-sender has said "Starting transfer" (the session's started_at).
if sess_wait "$S3" 's["started_at"] != 0' 150; then
	t_kill=$(e2e_now)
	port3=$(sess "$S3" 's["port"]')
	pids=$(e2e_ns_pids "session run $S3( |\$)"; e2e_ns_pids "udp-sender .*--portbase $port3( |\$)")
	kill -KILL $pids 2>/dev/null
	diag "session 3: its runner and udp-sender (pids $(echo $pids)) killed $(e2e_secs "$t0") s after the guests started; the receivers then: $(sess "$S3" '", ".join(x["state"] + " " + str(x["progress"]) + "%" for x in s["machines"])')"
	t "session 3: the runner and udp-sender were found and killed" eval '[ $(echo $pids | wc -w) -ge 2 ]'
else
	ok 1 "session 3: the stream never started: $(sess "$S3" 's["state"] + " " + s["reason"]')"
	t_kill=$(e2e_now)
fi
e2e_vm_wait e1
e2e_vm_wait e2
s_fail=$(e2e_secs "$t_kill")
for e in e1 e2; do
	mac=$([ $e = e1 ] && echo $ME1 || echo $ME2)
	m=$(msg $mac)
	t "session 3 $e: failed, not done: $(echo "$m" | cut -c1-200)" eval \
	    'case "$m" in done*) false ;; *) true ;; esac && e2e_seen $e "se3-ipxe worker: FAILED"' ||
	    e2e_explain $e
done
t "session 3: both receivers ended within 60 s of the kill ($s_fail s)" \
    awk -v s="$s_fail" 'BEGIN { exit !(s < 60) }'
# The tick finds the runner gone (once the session is a minute old: a
# runner just spawned may not hold its lock yet).
i=0
until [ "$(sess "$S3" 's["state"]')" = failed ] || [ $i -ge 40 ]; do
	e2e_cli tick >"$E/tick.log" 2>&1
	i=$((i + 1))
	sleep 2
done
t "session 3: failed after a tick, none verified: $(sess "$S3" 's["state"] + " " + s["reason"]')" eval \
    '[ "$(sess "$S3" "s[\"state\"] + str(s[\"verified\"])")" = failed0 ]'
e2e_vm_wait c2
s_c2=$VM_SECS
t "session 2 c2 (fallback): verified by unicast: $(msg $MC2)" eval 'verified $MC2 && ! msg $MC2 | grep -q "multicast session"' || e2e_explain c2
t "session 2 c2 (fallback): its parts from images.cgi, the disk byte for byte the multicast ones" eval \
    '[ "$(parts_fetched c2)" -ge 2 ] && cmp -s "$D/c2.img" "$D/a1.img"'
diag "session 3 killed beside the fallback, three guests: receivers failed $s_fail s after the kill, c2 by unicast $s_c2 s ($(e2e_secs "$t0") s)"
e2e_cli session list >"$E/sessions.txt" 2>&1
sed 's/^/# /' "$E/sessions.txt"
t "sessions: 1 done, 2 partial, 3 failed, none left open" eval '[ "$(e2e_cli session list --json | python3 -c "import json, sys
print(\" \".join(str(s[\"id\"]) + s[\"state\"] for s in sorted(json.load(sys.stdin), key=lambda s: s[\"id\"])))")" = "${S1}done ${S2}partial ${S3}failed" ]'

e2e_done
