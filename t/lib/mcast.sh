# SPDX-License-Identifier: GPL-3.0-or-later
# A multicast segment of network namespaces (one emitter, N receivers on a bridge) for running udpcast's udp-sender/udp-receiver as plain processes, and tearing it all down.
#
# Source from POSIX sh (set -e safe), already inside the namespace of t/lib/netns.sh
# (netns_enter), after setting MCAST_DIR (a scratch directory).  The
# bridge lives in that namespace; each host is one more namespace, held
# by a process that ends on its own when the caller's shell is gone, so
# that no namespace outlives the test even without the trap.
#
#	mcast_up N		bridge mcbr0 (mcast_snooping 0, no IGMP
#				querier: a plain switch that floods), host 0
#				the emitter at 10.0.3.10, hosts 1..N the
#				receivers at 10.0.3.(10+i), each on its eth0
#	mcast_in I CMD...	run CMD in host I's namespace
#	mcast_start I LOG CMD...
#				start CMD in host I's namespace in the
#				background, stdout and stderr to LOG; its pid
#				in $mcast_pid (killing it kills CMD itself)
#	mcast_sender LOG ARG...	udp-sender --nokbd --interface eth0 ARG...
#				on host 0 (mcast_start)
#	mcast_receiver I LOG ARG...
#				udp-receiver --nokbd --interface eth0 ARG...
#				on host I (mcast_start)
#	mcast_wait PID SECONDS	wait at most SECONDS for PID; its exit status,
#				or 124 after killing it (SIGKILL) at the bound
#	mcast_now		milliseconds since the epoch
#	mcast_size FILE		FILE's size in bytes, 0 when it is missing
#	mcast_grown FILE BYTES SECONDS
#				wait at most SECONDS until FILE holds BYTES
#				or more (status 1 at the bound)
#	mcast_worker_module	a worker module of the test's in $T/modules
#				(restore with the session's options, save),
#				$T/images made
#	MCAST_SENDER_FLAGS, MCAST_RECEIVER_FLAGS
#				udpcast's flags chosen for a session
#	mcast_down		kill what was started, remove the namespaces
#				and the bridge (idempotent: use it in the trap)
#	mcast_frame SESSION STOREDIR IMAGE
#				the whole stream of a session of IMAGE (its
#				manifest and parts in STOREDIR) on stdout: the
#				sender's framing, in shell, for the tests
#	mcast_header SESSION K NAME BYTES SHA256
#				one header of that stream (512 bytes)
#
# Every address is in 10.0.3.0/24 with its broadcast, the namespaces have
# no route anywhere else and the bridge has no uplink: nothing is ever sent
# outside them.

# The flags chosen for a session (measured in t/69-multicast.t and
# bench/multicast; BENCHMARKS.md): a dead receiver is dropped after about
# 11 s instead of minutes (udpcast's 200 retries), a joining receiver is
# seen within a second, a receiver's socket buffer absorbs the bursts,
# and a receiver gives up 10 s after its emitter went silent.
# shellcheck disable=SC2034 # used by the scripts that source this file
MCAST_SENDER_FLAGS="--retries-until-drop 20 --rexmit-hello-interval 500"
# shellcheck disable=SC2034
MCAST_RECEIVER_FLAGS="--rcvbuf 4194304 --receive-timeout 10"

mcast_pids=
mcast_holders=

mcast_now() {
	date +%s%3N
}

# mcast_ns I: the network namespace file of host I.
mcast_ns() {
	echo "/proc/$(cat "$MCAST_DIR/host$1.pid")/ns/net"
}

mcast_up() {
	_mc_n=$1
	mkdir -p "$MCAST_DIR" || return 1
	ip link set lo up || return 1
	ip link add mcbr0 type bridge mcast_snooping 0 mcast_querier 0 ||
	    return 1
	ip link set mcbr0 up || return 1
	_mc_i=0
	while [ "$_mc_i" -le "$_mc_n" ]; do
		# The holder polls the shell that made it: when that shell
		# is gone (trap or not), the holder ends and its namespace
		# with it.
		# shellcheck disable=SC2016 # expanded by the holder's shell
		unshare -n sh -c 'while kill -0 "$1" 2> /dev/null; do
			sleep 1; done' holder $$ &
		_mc_h=$!
		mcast_holders="$mcast_holders $_mc_h"
		echo "$_mc_h" > "$MCAST_DIR/host$_mc_i.pid"
		# unshare has made the namespace once its net link differs
		# from ours.
		_mc_t=0
		while [ "$(readlink "/proc/$_mc_h/ns/net" 2> /dev/null)" = \
		    "$(readlink /proc/self/ns/net)" ] ||
		    [ ! -e "/proc/$_mc_h/ns/net" ]; do
			_mc_t=$((_mc_t + 1))
			[ "$_mc_t" -lt 100 ] || return 1
			sleep 0.05
		done
		ip link add "mcv$_mc_i" type veth peer name eth0 \
		    netns "/proc/$_mc_h/ns/net" || return 1
		ip link set "mcv$_mc_i" master mcbr0 up || return 1
		mcast_in "$_mc_i" ip link set lo up || return 1
		mcast_in "$_mc_i" ip addr add "10.0.3.$((10 + _mc_i))/24" \
		    broadcast 10.0.3.255 dev eth0 || return 1
		mcast_in "$_mc_i" ip link set eth0 up || return 1
		_mc_i=$((_mc_i + 1))
	done
	# A veth pair is not ready the moment it is up: wait (bounded) until
	# every host's link is up and every bridge port forwards.
	_mc_i=0
	while [ "$_mc_i" -le "$_mc_n" ]; do
		_mc_t=0
		until mcast_in "$_mc_i" ip -o link show dev eth0 |
		    grep -q 'state UP' &&
		    bridge link show dev "mcv$_mc_i" | grep -q 'state forwarding'
		do
			_mc_t=$((_mc_t + 1))
			[ "$_mc_t" -lt 100 ] || return 1
			sleep 0.05
		done
		_mc_i=$((_mc_i + 1))
	done
	return 0
}

mcast_in() {
	_mc_host=$1
	shift
	nsenter --net="$(mcast_ns "$_mc_host")" -- "$@"
}

mcast_start() {
	_mc_host=$1 _mc_log=$2
	shift 2
	# nsenter execs CMD in its own process: $! is CMD.
	nsenter --net="$(mcast_ns "$_mc_host")" -- "$@" \
	    < /dev/null > "$_mc_log" 2>&1 &
	mcast_pid=$!
	mcast_pids="$mcast_pids $mcast_pid"
}

mcast_sender() {
	_mc_log=$1
	shift
	mcast_start 0 "$_mc_log" udp-sender --nokbd --interface eth0 "$@"
}

mcast_receiver() {
	_mc_host=$1 _mc_log=$2
	shift 2
	mcast_start "$_mc_host" "$_mc_log" \
	    udp-receiver --nokbd --interface eth0 "$@"
}

mcast_wait() {
	_mc_deadline=$(($(mcast_now) + $2 * 1000))
	while kill -0 "$1" 2> /dev/null; do
		if [ "$(mcast_now)" -ge "$_mc_deadline" ]; then
			kill -9 "$1" 2> /dev/null || :
			wait "$1" 2> /dev/null || :
			return 124
		fi
		sleep 0.05
	done
	wait "$1"
}

mcast_size() {
	stat -c %s "$1" 2> /dev/null || echo 0
}

mcast_grown() {
	_mc_deadline=$(($(mcast_now) + $3 * 1000))
	until [ "$(mcast_size "$1")" -ge "$2" ]; do
		[ "$(mcast_now)" -lt "$_mc_deadline" ] || return 1
		sleep 0.02
	done
}

mcast_down() {
	for _mc_p in $mcast_pids; do
		kill -9 "$_mc_p" 2> /dev/null || :
	done
	for _mc_p in $mcast_pids; do
		wait "$_mc_p" 2> /dev/null || :
	done
	for _mc_p in $mcast_holders; do
		kill "$_mc_p" 2> /dev/null || :
	done
	for _mc_p in $mcast_holders; do
		wait "$_mc_p" 2> /dev/null || :
	done
	mcast_pids=''
	mcast_holders=''
	ip link del mcbr0 2> /dev/null || :
}

# The stream of a session (the contract restore.sh reads, lib/mcast.c
# writes): for each part record of the manifest that stores something, in
# its order, K from 1, a 512-byte header "se3-ipxe-mcast 1 SESSION K NAME
# BYTES SHA256" + "\n" padded with NULs, then the stored part's BYTES bytes;
# after the last, the trailer "se3-ipxe-mcast 1 SESSION 0 end 0 -".
mcast_header() {
	_mh_line="se3-ipxe-mcast 1 $1 $2 $3 $4 $5"
	printf '%s\n' "$_mh_line"
	head -c $((511 - ${#_mh_line})) /dev/zero
}

mcast_frame() {
	_mf_k=0
	# shellcheck disable=SC2034 # the record's fields, some unused
	while read -r _mf_kind _mf_src _mf_n _mf_fs _mf_tool _mf_comp _mf_part \
	    _mf_size _mf_sha _mf_raw; do
		[ "$_mf_kind" = part ] && [ "$_mf_tool" != mkswap ] || continue
		_mf_k=$((_mf_k + 1))
		_mf_bytes=$(stat -c %s "$2/$_mf_part") || return 1
		mcast_header "$1" "$_mf_k" "$_mf_part" "$_mf_bytes" "$_mf_sha"
		cat "$2/$_mf_part" || return 1
	done < "$2/$3"
	mcast_header "$1" 0 end 0 -
}

# A worker module of the test's: restore with the session's options, and save.
mcast_worker_module() {
	mkdir -p "$T/modules/worker" "$T/images"
	cat > "$T/modules/worker/module.ini" <<'EOM'
[module]
name = worker
description = The test's worker: restore with the session's options
version = 1

[capability restore]
description = Restore an image
template = restore.ipxe
completion = report
max_boots = 3
expires = 1d
destructive = yes

[option restore.image]
type = name
pattern = [A-Za-z0-9][A-Za-z0-9_-]{0,63}
exists = image
description = The image

[option restore.disk]
type = name
pattern = auto|[a-z][a-z0-9]{1,15}
default = auto
description = The disk

[option restore.session]
type = integer
min = 0
max = 2147483647
default = 0
description = The session

[option restore.port]
type = integer
min = 1024
max = 65534
default = 9000
description = The port

[option restore.wait]
type = integer
min = 10
max = 3600
default = 300
description = The wait

[capability save]
description = Save a disk to the image store
template = save.ipxe
completion = report
max_boots = 3
expires = 1d
destructive = no

[option save.name]
type = name
pattern = auto|[A-Za-z0-9][A-Za-z0-9_-]{0,63}
default = auto
description = The image's name

[option save.compression]
type = enum
values = zstd lzop none
default = zstd
description = The compression
EOM
	printf '#!ipxe\necho restore {{image}} session {{session}} port {{port}} wait {{wait}}\nexit\n' \
	    > "$T/modules/worker/restore.ipxe"
	printf '#!ipxe\necho save {{name}} {{compression}}\nexit\n' > "$T/modules/worker/save.ipxe"
}
