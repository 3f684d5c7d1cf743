#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# udpcast's udp-sender and udp-receiver as processes on a bridge of network namespaces, 64 MiB of random data: byte-identical copies, and every fault bounded in time and caught by the sha256 check (a receiver that never starts, one killed, the emitter killed, a corrupted stream, the start after the last join).
#
# The test runs itself again inside `unshare -rn` (t/lib/netns.sh); the
# emitter and the receivers are namespaces of their own inside that one,
# on a bridge without uplink (t/lib/mcast.sh): nothing leaves them.  The
# flags are the session's (MCAST_SENDER_FLAGS, MCAST_RECEIVER_FLAGS); the
# figures are printed as comments and bounded with room for a loaded
# 2-core machine.  E2E_REQUIRE=1 turns a skip into a failure.
need="udp-sender udp-receiver nsenter sha256sum bridge"
# Under the sanitizers (make check-sanitize) there is no code of ours here
# to check: udpcast and the shell only; the minute goes to the rest.
if [ -n "${SIP_SANITIZE:-}" ]; then
	echo "1..0 # SKIP udpcast's protocol: nothing of ours to sanitize"
	exit 0
fi
if [ -n "${E2E_REQUIRE:-}" ] && [ "${SIP_IN_NETNS-}" != 1 ]; then
	for tool in unshare ip $need; do
		command -v "$tool" > /dev/null ||
		    { echo "Bail out! $tool not installed (apt-get install udpcast iproute2 util-linux)"; exit 1; }
	done
	unshare -rn true 2> /dev/null ||
	    { echo "Bail out! no network namespace (unshare -rn refused)"; exit 1; }
fi
. t/lib/netns.sh
# shellcheck disable=SC2086 # one word per tool
netns_enter $need -- "$@"

. t/lib/tap.sh
MCAST_DIR=$T/mc
. t/lib/mcast.sh
trap 'mcast_down; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM HUP

FLIP=$TOP/build/t/mcastflip.so
if ! mcast_up 3; then
	mcast_down
	if [ -n "${E2E_REQUIRE:-}" ]; then
		echo "Bail out! cannot make the bridge and its namespaces"
		exit 1
	fi
	echo "1..0 # SKIP cannot make a bridge and namespaces here"
	exit 0
fi

SIZE=$((64 * 1024 * 1024))
SRC=$T/src
head -c "$SIZE" /dev/urandom > "$SRC"
SUM=$(sha256sum < "$SRC" | cut -d ' ' -f 1)
KILL_AT=$((16 * 1024 * 1024))	# "mid-transfer": a quarter received

# hash FILE: its sha256 (that of nothing when FILE is missing).
hash() {
	if [ -e "$1" ]; then
		sha256sum < "$1" | cut -d ' ' -f 1
	else
		echo missing
	fi
}

# log NAME: a log as TAP comments, progress lines dropped.
log() {
	tr '\r' '\n' < "$1" | grep -v -e '^bytes=' -e '^$' | sed 's/^/#   /'
}

# receive I PORT ARG...: udp-receiver on host I into $T/outI with the
# session's flags; its pid in $mcast_pid, its log in $T/outI.log.
receive() {
	_i=$1 _port=$2
	shift 2
	rm -f "$T/out$_i"
	# shellcheck disable=SC2086 # flags are words
	mcast_receiver "$_i" "$T/out$_i.log" --file "$T/out$_i" \
	    --portbase "$_port" $MCAST_RECEIVER_FLAGS "$@"
}

# send PORT ARG...: udp-sender of $SRC on host 0 with the session's
# flags; its pid in $sp, the time it started in $t0 (ms).
send() {
	_port=$1
	shift
	t0=$(mcast_now)
	# shellcheck disable=SC2086 # flags are words
	mcast_sender "$T/send.log" --file "$SRC" --portbase "$_port" \
	    $MCAST_SENDER_FLAGS "$@"
	sp=$mcast_pid
}

# elapsed: milliseconds since $t0.
elapsed() {
	echo $(($(mcast_now) - t0))
}

echo "# 64 MiB, sha256 $SUM"
echo "# udp-sender $MCAST_SENDER_FLAGS; udp-receiver $MCAST_RECEIVER_FLAGS"

# session PORT: receivers 1 and 2 (r1, r2), then the emitter waiting for both (sp).
session() {
	receive 1 "$1" --start-timeout 30
	r1=$mcast_pid
	receive 2 "$1" --start-timeout 30
	r2=$mcast_pid
	send "$1" --min-receivers 2 --start-timeout 30
}

# --- 1 emitter + 2 receivers: byte-identical copies -------------------------
session 9100
mcast_wait "$sp" 90
st=$?
base=$(elapsed)
mcast_wait "$r1" 20
st1=$?
mcast_wait "$r2" 20
st2=$?
echo "# 1 + 2: udp-sender exit $st after $base ms, receivers exit $st1 $st2"
is "$st" 0 "1 + 2: udp-sender ends, status 0"
is "$(hash "$T/out1")" "$SUM" "1 + 2: receiver 1's copy is byte-identical (sha256)"
is "$(hash "$T/out2")" "$SUM" "1 + 2: receiver 2's copy is byte-identical (sha256)"

# --- --min-receivers 2, the second receiver never starts ---------------------
# udpcast's exit statuses cannot tell this failure: the test shows what
# they say, and that the hash check is what refuses the result.
receive 1 9110 --start-timeout 10
r1=$mcast_pid
send 9110 --min-receivers 2 --start-timeout 10
mcast_wait "$sp" 40
st=$?
gave_up=$(elapsed)
mcast_wait "$r1" 40
st1=$?
r1_ms=$(elapsed)
echo "# never started: udp-sender exit $st after $gave_up ms (--start-timeout 10); the started receiver exit $st1 after $r1_ms ms with $(mcast_size "$T/out1") bytes"
log "$T/send.log"
[ "$gave_up" -ge 9000 ] && [ "$gave_up" -le 15000 ]
ok $? "never started: udp-sender gives up after its start timeout ($gave_up ms, 10 s timeout, bound 15 s)"
! grep -q 'Starting transfer' "$T/send.log"
ok $? "never started: no transfer started"
# It ends once the sender is gone for its --receive-timeout: about 20 s.
[ "$st1" -ne 124 ] && [ "$r1_ms" -le 30000 ]
ok $? "never started: the started receiver ends too ($r1_ms ms: start + receive timeouts, bound 30 s)"
[ "$st1" -ne 0 ] || [ "$(mcast_size "$T/out1")" -eq 0 ]
ok $? "never started: the started receiver fails or writes nothing (exit $st1, $(mcast_size "$T/out1") bytes)"
[ "$(hash "$T/out1")" != "$SUM" ]
ok $? "never started: the hash check refuses its output: nothing claims success"

# --- a receiver killed (SIGKILL) mid-transfer --------------------------------
session 9120
mcast_grown "$T/out2" "$KILL_AT" 60
ok $? "receiver killed: receiver 2 got 16 MiB first"
kill -9 "$r2"
killed=$(elapsed)
mcast_wait "$sp" 120
st=$?
took=$(elapsed)
mcast_wait "$r1" 20
st1=$?
cost=$((took - base))
echo "# receiver killed at $killed ms: udp-sender exit $st after $took ms, $base ms without the fault: it cost $cost ms"
is "$st" 0 "receiver killed: udp-sender finishes with the others"
is "$(hash "$T/out1")" "$SUM" "receiver killed: the other's copy is byte-identical (exit $st1)"
[ "$cost" -le 60000 ]
ok $? "receiver killed: it cost the others $cost ms (promise: <= 60 s)"
# The sender's log is how a session learns who was dropped.
dropped=$(tr '\r' '\n' < "$T/send.log" |
    sed -n 's/^Dropping client #\([0-9]*\) because of timeout$/\1/p')
who=$(tr '\r' '\n' < "$T/send.log" |
    sed -n "s/^New connection from \([0-9.]*\) *(#$dropped) .*/\1/p")
is "${dropped:+$who}" 10.0.3.12 "receiver killed: udp-sender's log names the dropped receiver (#$dropped, $who)"
[ "$(hash "$T/out2")" != "$SUM" ]
ok $? "receiver killed: its partial copy ($(mcast_size "$T/out2") bytes) fails the hash check"

# --- the emitter killed mid-transfer -----------------------------------------
session 9130
mcast_grown "$T/out1" "$KILL_AT" 60
ok $? "emitter killed: receiver 1 got 16 MiB first"
kill -9 "$sp"
t0=$(mcast_now)
mcast_wait "$r1" 40
st1=$?
end1=$(elapsed)
mcast_wait "$r2" 40
st2=$?
end2=$(elapsed)
echo "# emitter killed: the receivers exit $st1 after $end1 ms and $st2 after $end2 ms (--receive-timeout 10), with $(mcast_size "$T/out1") and $(mcast_size "$T/out2") bytes"
[ "$st1" -ne 124 ] && [ "$st2" -ne 124 ] && [ "$end2" -le 25000 ]
ok $? "emitter killed: every receiver exits within 25 s ($end1 ms, $end2 ms)"
[ "$st1" -ne 0 ] && [ "$st2" -ne 0 ]
ok $? "emitter killed: both receivers fail (exit $st1, $st2)"
[ "$(hash "$T/out1")" != "$SUM" ] && [ "$(hash "$T/out2")" != "$SUM" ]
ok $? "emitter killed: neither short copy passes the hash check"

# --- a corrupted stream ------------------------------------------------------
# One byte flipped in every 1000th data datagram receiver 2 reads, past
# the UDP checksum (build/t/mcastflip.so): the protocol has no checksum
# of its own, only the session's hash can see it.
if [ -r "$FLIP" ]; then
	receive 1 9140 --start-timeout 30
	rm -f "$T/out2"
	# shellcheck disable=SC2086 # flags are words
	mcast_start 2 "$T/out2.log" env LD_PRELOAD="$FLIP" MCASTFLIP_EVERY=1000 \
	    udp-receiver --nokbd --interface eth0 --file "$T/out2" \
	    --portbase 9140 $MCAST_RECEIVER_FLAGS --start-timeout 30
	r2=$mcast_pid
	send 9140 --min-receivers 2 --start-timeout 30
	mcast_wait "$sp" 90
	st=$?
	mcast_wait "$r1" 20
	st1=$?
	mcast_wait "$r2" 20
	st2=$?
	differ=$(cmp -l "$SRC" "$T/out2" 2> /dev/null | wc -l)
	echo "# corrupted: udp-sender exit $st, receivers exit $st1 $st2; $differ bytes differ in a copy of $(mcast_size "$T/out2") bytes"
	is "$(hash "$T/out1")" "$SUM" "corrupted: the healthy receiver's copy is byte-identical"
	[ "$differ" -gt 0 ] && [ "$(mcast_size "$T/out2")" -eq "$SIZE" ]
	ok $? "corrupted: the copy has the right size and wrong bytes ($differ): udpcast did not notice (exit $st2)"
	[ "$(hash "$T/out2")" != "$SUM" ]
	ok $? "corrupted: the hash check catches it"
else
	skip "corrupted: $FLIP not built (make tests)"
	skip "corrupted: $FLIP not built (make tests)"
	skip "corrupted: $FLIP not built (make tests)"
fi

# --- transmission starts soon after the last expected receiver joins ---------
send 9150 --min-receivers 2 --start-timeout 60
receive 1 9150 --start-timeout 60
r1=$mcast_pid
sleep 3
receive 2 9150 --start-timeout 60
r2=$mcast_pid
joined=$(mcast_now)
deadline=$((joined + 30000))
until grep -q 'Starting transfer' "$T/send.log" ||
    ! kill -0 "$sp" 2> /dev/null || [ "$(mcast_now)" -ge "$deadline" ]; do
	sleep 0.02
done
started=$(($(mcast_now) - joined))
mcast_wait "$sp" 90
st=$?
mcast_wait "$r1" 20
mcast_wait "$r2" 20
echo "# late join: the transfer started $started ms after the last receiver was started"
[ "$started" -le 10000 ]
ok $? "late join: transmission starts <= 10 s after the last receiver joins ($started ms)"
[ "$(hash "$T/out1")" = "$SUM" ] && [ "$(hash "$T/out2")" = "$SUM" ]
ok $? "late join: both copies byte-identical (udp-sender exit $st)"

done_testing
