#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Multicast sessions through the CLI on a bridge of network namespaces: clone sets the members' restores and starts its runner, the runner's udp-sender sends the framed stream real udp-receivers get byte for byte, joins seen, verdicts done/partial/failed, fallback by unicast, cancel, a killed runner failed by the tick, and bad input refused.
#
# The receivers here are plain udp-receiver processes (the worker's side,
# restore.sh, is t/72-mcast-receive.t; the whole chain under qemu is
# t/e2e/92-multicast.t); their reports are made through ipxe.cgi with
# the actions' tokens, as the worker makes them.
need="udp-sender udp-receiver nsenter sqlite3 python3 bridge"
if [ -n "${SIP_SANITIZE:-}" ]; then
	: # the runner and the verbs are ours: run, sanitized
fi
if [ -n "${E2E_REQUIRE:-}" ] && [ "${SIP_IN_NETNS-}" != 1 ]; then
	for tool in unshare ip $need; do
		command -v "$tool" > /dev/null ||
		    { echo "Bail out! $tool not installed"; exit 1; }
	done
fi
cd "$(dirname "$0")/.."
. t/lib/netns.sh
# shellcheck disable=SC2086 # one word per tool
netns_enter $need -- "$@"

for f in cgi/ipxe.cgi cli/se3-ipxe; do
	[ -x "$f" ] || { echo "1..0 # SKIP $f is not built"; exit 0; }
done
. t/lib/tap.sh
. t/lib/cgi.sh
MCAST_DIR=$T/mc
. t/lib/mcast.sh
# A runner's recorded pid is killed only while it is still that runner
# (its command line names this test's configuration): it may be reused.
trap 'mcast_down; for p in $(runners); do tr "\0" " " < "/proc/$p/cmdline" 2> /dev/null | grep -qF -- "-c $T/se3-ipxe.conf session run " && kill -9 "$p" 2> /dev/null; done; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM HUP

if ! mcast_up 3; then
	mcast_down
	echo "1..0 # SKIP cannot make a bridge and namespaces here"
	exit 0
fi

# A worker module of the test's: restore with the session's options.
mcast_worker_module
MODULE_PATH=$T/modules write_config "$T/se3-ipxe.conf" "[images]" "dir = $T/images" \
    "[security]" "bind = none"
db_create

M1=52:54:00:73:00:01 M2=52:54:00:73:00:02 M3=52:54:00:73:00:03
sum() { sha256sum < "$1" | cut -d' ' -f1; }
q() { sqlite3 -cmd '.timeout 5000' "$T/db/se3-ipxe.db" "$1"; }

# An image of the catalogue, its rows as a finished save leaves them.
catalogue_image img1 $M1
se3ipxe images > "$T/o" 2>&1
grep -q '^img1 .* whole$' "$T/o"; ok $? "the test's image is whole in the catalogue"

# The stream the contract says, built here in shell: what a receiver must get.
header() {	# header SESSION K NAME BYTES SHA
	_h=$(printf 'se3-ipxe-mcast 1 %s %s %s %s %s' "$@")
	printf '%s\n' "$_h"
	head -c $((512 - ${#_h} - 1)) /dev/zero
}
expected() {	# expected SESSION [IMAGE] > FILE
	_i=${2:-img1}
	header "$1" 1 $_i.sda1 3000000 "$(sum "$T/images/$_i.sda1")"
	cat "$T/images/$_i.sda1"
	header "$1" 2 $_i.sda2 1000001 "$(sum "$T/images/$_i.sda2")"
	cat "$T/images/$_i.sda2"
	header "$1" 0 end 0 -
}
runners() { q "SELECT runner_pid FROM mcast_sessions WHERE runner_pid > 0" 2> /dev/null; }
field() {	# field SESSION PYTHON-EXPR (d is the session's JSON)
	se3ipxe session show --json "$1" 2> /dev/null |
	    python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"
}
state() { field "$1" 'd["state"]'; }
members() { field "$1" '" ".join(m["mac"][-2:] + "=" + m["state"] for m in d["machines"])'; }
# wait_state SESSION SECONDS STATE...: until the session is in one of them.
wait_state() {
	_s=$1 _end=$(($(mcast_now) + $2 * 1000))
	shift 2
	while :; do
		_got=$(state "$_s")
		for _w in "$@"; do [ "$_got" = "$_w" ] && return 0; done
		[ "$(mcast_now)" -lt "$_end" ] || return 1
		sleep 0.2
	done
}
# pin MAC ADDR: it boots (ipxe.cgi serves its restore), at the address
# its worker has on the bridge (bind = none: reports come from anywhere).
pin() {
	boot "mac=$1"
	grep -q "^echo restore img[0-9] session" "$T/body" || echo "# $1 not served its restore: $(cat "$T/body")"
	q "UPDATE actions SET bound_addr = '$2' WHERE mac = '$1' AND state IN ('pending','booting','running')"
}
# report MAC STATUS MSG: as the worker reports, with its action's token.
report() { cgi GET /report "token=$(token_of "$1")&status=$2&progress=100&msg=$3"; }
# receive_both: udp-receiver on hosts 1 and 2 (port 9000) into $T/r1 and $T/r2, until they end.
receive_both() {
	for _i in 1 2; do
		# shellcheck disable=SC2086 # flags are words
		mcast_receiver $_i "$T/r$_i.log" --file "$T/r$_i" --portbase 9000 \
		    --start-timeout 30 $MCAST_RECEIVER_FLAGS
		eval "r$_i=\$mcast_pid"
	done
	mcast_wait "$r1" 60
	mcast_wait "$r2" 60
}
clone() { mcast_in 0 "$TOP/cli/se3-ipxe" -c "$T/se3-ipxe.conf" clone --interface eth0 "$@"; }

# --- bad input: nothing made -------------------------------------------------
for bad in "../img1 $M1" "img1" "nosuch $M1" "img1 $M1 session=5" "img1 $M1 port=9100" "img1 zz:zz"; do
	# shellcheck disable=SC2086 # words
	clone --yes $bad > "$T/o" 2> "$T/e"
	rc=$?
	ok $(( rc == 0 )) "clone $bad: refused (status $rc): $(head -n 1 "$T/e")"
done
clone --yes --port 9001 img1 $M1 > "$T/o" 2> "$T/e"
ok $(( $? == 0 )) "clone --port 9001 (odd): refused: $(cat "$T/e")"
clone --yes --interface 'eth0;x' img1 $M1 > "$T/o" 2> "$T/e"
ok $(( $? == 0 )) "clone --interface 'eth0;x': refused: $(cat "$T/e")"
mcast_in 0 "$TOP/cli/se3-ipxe" -c "$T/se3-ipxe.conf" clone --yes --interface nosuch0 img1 $M1 > "$T/o" 2> "$T/e"
ok $(( $? == 0 )) "clone on an interface the server does not have: refused: $(cat "$T/e")"
mcast_in 0 "$TOP/cli/se3-ipxe" -c "$T/se3-ipxe.conf" clone --yes --interface lo img1 $M1 > "$T/o" 2> "$T/e"
ok $(( $? == 0 )) "clone on the loopback: refused: $(cat "$T/e")"
mcast_in 0 ip link set eth0 down
clone --yes img1 $M1 > "$T/o" 2> "$T/e"
ok $(( $? == 0 )) "clone on an interface that is down: refused: $(cat "$T/e")"
mcast_in 0 ip link set eth0 up
is "$(q 'SELECT count(*) FROM mcast_sessions') $(q "SELECT count(*) FROM actions")" "0 0" \
    "... no session, no action left behind"
se3ipxe session show 99 > "$T/o" 2> "$T/e"
ok $(( $? == 0 )) "session show 99: no such session: $(cat "$T/e")"
se3ipxe session frob > "$T/o" 2> "$T/e"
is "$?" 2 "session frob: usage"

# --- 1 server emitter + 2 receivers: done ------------------------------------
clone --yes --max-wait 10 --start-timeout 60 img1 $M1 $M2 > "$T/o" 2> "$T/e"
is "$?" 0 "clone img1 to two machines"
is "$(tail -n 1 "$T/o")" "session 1: image img1 to 2 machines, port 9000 on eth0" "... says its session, port and interface"
is "$(q "SELECT group_concat(key || '=' || value, ' ') FROM (SELECT key, value FROM action_options WHERE action_id = (SELECT id FROM actions WHERE mac = '$M1') ORDER BY key)")" \
    "disk=auto image=img1 port=9000 session=1 wait=70" "... each member a worker:restore with the session's options"
is "$(state 1)/$(members 1)" "forming/01=booting 02=booting" "... forming, both members booting"
se3ipxe status > "$T/o" 2> "$T/e"
is "$(grep '^session' "$T/o")" "session 1: forming, image img1, 2 machines: 2 booting, 0% (the slowest) (se3-ipxe session show 1)" \
    "status: the open session as one row with its machines"
is "$(se3ipxe status --json $M1 | python3 -c 'import json,sys; s=json.load(sys.stdin)[0]["session"]; print(s["id"], s["state"], s["member"])')" \
    "1 forming booting" "status --json: each machine's session, its state and the machine's"
scgi GET "" "" admin
grep -q '<tr><td>1</td><td>forming</td><td>img1</td><td>2: 2 booting</td>' "$T/sbody"
ok $? "the status page: the session as one row, its machines counted by state"
scgi GET /status.json "" admin
is "$(json '" ".join(str(s[k]) for s in d["sessions"] for k in ("id", "state", "image", "machines")) + " " + str(d["sessions"][0]["members"]["booting"])')" \
    "1 forming img1 2 2" "... and in its JSON"
sleep 1
[ -n "$(runners)" ] && kill -0 "$(runners)" 2> /dev/null; ok $? "... its runner runs (pid $(runners))"
pin $M1 10.0.3.11
pin $M2 10.0.3.12
t0=$(mcast_now)
receive_both
echo "# 2 receivers: the stream received in $(($(mcast_now) - t0)) ms"
expected 1 > "$T/want1"
mcast_frame 1 "$T/images" img1 > "$T/frame1"
is "$(sum "$T/frame1")" "$(sum "$T/want1")" "the C runner's stream and t/lib/mcast.sh's mcast_frame (restore.sh's tests) are one format"
is "$(sum "$T/r1")" "$(sum "$T/want1")" "receiver 1 got the framed stream byte for byte (headers, parts, trailer)"
is "$(sum "$T/r2")" "$(sum "$T/want1")" "receiver 2 too"
is "$(state 1)" transferring "... the session is transferring: the members have not ended"
is "$(q "SELECT count(*) FROM mcast_members WHERE session = 1 AND joined_at > 0 AND num >= 0")" 2 \
    "... both joins seen in udp-sender's log, by the address each booted from"
is "$(members 1)" "01=receiving 02=receiving" "... both receiving"
report $M1 running "restore:%20verifying%20/dev/sda1"
is "$(members 1)" "01=verifying 02=receiving" "a member reading back is verifying"
report $M1 done "verified:%20image%20img1%20to%20/dev/sda"
report $M2 done "verified:%20image%20img1%20to%20/dev/sda"
wait_state 1 20 done; ok $? "both verified: the session is done"
is "$(field 1 'd["reason"]')/$(members 1)" "2 of 2 verified/01=verified 02=verified" "... 2 of 2 verified"
q "SELECT detail FROM history WHERE event = 'session' AND mac = '$M1' ORDER BY id" > "$T/h"
is "$(tr '\n' '|' < "$T/h")" "session 1: forming -> transferring (start)|session 1: transferring -> done (verdict): 2 of 2 verified|" \
    "each change of state is in the members' history: old -> new (event)"
sleep 1
is "$(runners)" "" "... and its runner is gone"
se3ipxe session list > "$T/o"
grep -q '^1  *done  *img1  *2  *2 ' "$T/o"; ok $? "session list: one row with its members and verified count"

# --- 3 members, one never joins, one fails: partial, then unicast ------------
clone --yes --fallback --max-wait 3 --start-timeout 60 img1 $M1 $M2 $M3 > "$T/o" 2> "$T/e"
is "$?" 0 "clone --fallback to three machines"
pin $M1 10.0.3.11
pin $M2 10.0.3.12
pin $M3 10.0.3.13
t0=$(mcast_now)
receive_both
el=$(($(mcast_now) - t0))
echo "# 2 of 3 receivers: the stream started after --max-wait 3 and was received in $el ms"
expected 2 > "$T/want2"
is "$(sum "$T/r1") $(sum "$T/r2")" "$(sum "$T/want2") $(sum "$T/want2")" \
    "the two that joined got session 2's stream"
is "$(members 2)" "01=receiving 02=receiving 03=missed" "... the third missed it"
report $M1 done "verified:%20image%20img1%20to%20/dev/sda"
report $M2 failed "multicast:%20part%202%20differs"
wait_state 2 20 partial; ok $? "one verified, one failed, one missed: partial"
is "$(field 2 'd["reason"]')" "1 of 3 verified" "... 1 of 3 verified"
is "$(members 2)" "01=verified 02=fallback 03=fallback" "... --fallback: the two others given a unicast restore"
is "$(q "SELECT value FROM action_options WHERE key = 'session' AND action_id = (SELECT max(id) FROM actions WHERE mac = '$M3')") $(q "SELECT state FROM actions WHERE mac = '$M3' ORDER BY id DESC LIMIT 1") $(q "SELECT value FROM action_options WHERE key = 'image' AND action_id = (SELECT max(id) FROM actions WHERE mac = '$M3')")" \
    "0 pending img1" "... a pending worker:restore of img1 with session=0"

# --- no receiver at all: failed within the start timeout ----------------------
q "UPDATE actions SET state = 'cancelled' WHERE state IN ('pending','booting','running')"
t0=$(mcast_now)
clone --yes --max-wait 1 --start-timeout 10 img1 $M1 > "$T/o" 2> "$T/e"
is "$?" 0 "clone to one machine that never boots"
wait_state 3 30 failed; ok $? "... failed"
el=$(($(mcast_now) - t0))
echo "# no receiver: failed after $el ms (--start-timeout 10 + --max-wait 1)"
[ "$el" -le 20000 ]; ok $? "... within the start timeout and a margin ($el ms)"
field 3 'd["reason"]' | grep -q '^no receiver joined within 10 s'; ok $? "... saying no receiver joined: $(field 3 'd["reason"]')"
is "$(state_of $M1 | cut -d' ' -f1)" cancelled "... its member's restore is cancelled: it would wait for nothing"

# --- cancel -------------------------------------------------------------------
clone --yes --start-timeout 60 img1 $M1 $M2 > "$T/o" 2> "$T/e"
sleep 1
pid=$(runners)
se3ipxe session cancel 4 > "$T/o" 2> "$T/e"
is "$?/$(cat "$T/o")" "0/session 4 cancelled" "session cancel"
sleep 2
is "$(state 4)" cancelled "... cancelled"
kill -0 "$pid" 2> /dev/null; ok $(( $? == 0 )) "... its runner stopped"
is "$(state_of $M1 | cut -d' ' -f1) $(state_of $M2 | cut -d' ' -f1)" "cancelled cancelled" "... and its members' restores"
se3ipxe session cancel 4 > "$T/o" 2> "$T/e"
ok $(( $? == 0 )) "cancelling it again: refused: $(cat "$T/e")"

# --- the runner killed: the tick fails the session -----------------------------
clone --yes --start-timeout 60 img1 $M1 > "$T/o" 2> "$T/e"
sleep 1
pid=$(runners)
kill -9 "$pid"
sleep 1
q "UPDATE mcast_sessions SET runner_pid = 0 WHERE id = 5"
se3ipxe tick > "$T/o" 2>&1
is "$(state 5)" forming "a session whose runner has not said its pid yet: the tick leaves it a minute"
q "UPDATE mcast_sessions SET runner_pid = $pid WHERE id = 5"
se3ipxe tick > "$T/o" 2>&1
grep -q '^tick: 1 multicast session failed: no runner$' "$T/o"; ok $? "the tick: 1 session failed, no runner"
is "$(state 5)" failed "... failed"
field 5 'd["reason"]' | grep -q 'runner is gone'; ok $? "... its reason says the runner is gone"
is "$(state_of $M1 | cut -d' ' -f1)" cancelled "... its member's restore cancelled"

# --- clone --from: the master saved first, then sent ---------------------------
M4=52:54:00:73:00:04
q "UPDATE actions SET state = 'cancelled' WHERE state IN ('scheduled','pending','booting','running')"
clone --yes --from $M4 img1 $M1 > "$T/o" 2> "$T/e"
ok $(( $? == 0 )) "clone --from of an image that exists: refused: $(cat "$T/e")"
clone --yes --from $M1 img2 $M1 $M2 > "$T/o" 2> "$T/e"
ok $(( $? == 0 )) "clone --from a master that is a target too: refused: $(cat "$T/e")"
clone --yes --from $M4 img2 $M1 save.name=x > "$T/o" 2> "$T/e"
ok $(( $? == 0 )) "clone --from with save.name: refused: $(cat "$T/e")"
clone --yes img1 $M1 save.compression=lzop > "$T/o" 2> "$T/e"
ok $(( $? == 0 )) "a save. option without --from: refused: $(cat "$T/e")"
clone --yes --from $M4 img2 $M1 save.compression=zip > "$T/o" 2> "$T/e"
ok $(( $? == 0 )) "a save option of the wrong value: refused: $(cat "$T/e")"
is "$(q "SELECT count(*) FROM mcast_sessions WHERE id > 5") $(q "SELECT count(*) FROM actions WHERE state IN ('scheduled','pending')")" "0 0" \
    "... no session, no action left behind"
clone --yes --from $M4 --max-wait 10 --start-timeout 60 img2 $M1 $M2 save.compression=lzop > "$T/o" 2> "$T/e"
is "$?" 0 "clone --from a master: one command"
is "$(tail -n 1 "$T/o")" "session 6: $M4 saved as img2 first, then sent to 2 machines (they start once it is saved), port 9000 on eth0" \
    "... says the master, the image and the machines"
is "$(state 6)/$(members 6)" "saving/01=booting 02=booting" "... saving, its machines waiting"
is "$(q "SELECT a.name || ' ' || a.state || ' ' || group_concat(o.key || '=' || o.value, ' ') FROM actions a JOIN action_options o ON o.action_id = a.id WHERE a.mac = '$M4' AND a.state = 'pending' GROUP BY a.id")" \
    "worker:save pending compression=lzop name=img2" "... the master: a worker:save named after the image, with its save. options"
is "$(state_of $M1 | cut -d' ' -f1) $(state_of $M2 | cut -d' ' -f1)" "scheduled scheduled" "... the members' restores held, scheduled"
boot "mac=$M1"
! grep -q restore "$T/body"; ok $? "... a member that boots now is not served its restore (it boots its disk)"
boot "mac=$M4"
grep -q "^echo save img2 lzop" "$T/body"; ok $? "... the master boots into its save"
sleep 3
is "$(state 6)" saving "... the session waits while the save runs"
catalogue_image img2 $M4
report $M4 done "saved%20img2"
wait_state 6 20 forming; ok $? "the save done, the image whole: saving -> forming"
is "$(q "SELECT count(*) FROM actions WHERE mac IN ('$M1', '$M2') AND state = 'scheduled' AND start_at <= strftime('%s', 'now')")" 2 \
    "... the members' restores start now"
se3ipxe tick > /dev/null 2>&1
is "$(state_of $M1 | cut -d' ' -f1) $(state_of $M2 | cut -d' ' -f1)" "pending pending" "... pending at the tick (or their boot)"
pin $M1 10.0.3.11
pin $M2 10.0.3.12
receive_both
expected 6 img2 > "$T/want6"
is "$(sum "$T/r1") $(sum "$T/r2")" "$(sum "$T/want6") $(sum "$T/want6")" "... both received the master's image, framed"
report $M1 done "verified:%20image%20img2%20to%20/dev/sda"
report $M2 done "verified:%20image%20img2%20to%20/dev/sda"
wait_state 6 20 done; ok $? "... both verified: done"
q "SELECT detail FROM history WHERE event = 'session' AND mac = '$M1' AND detail LIKE 'session 6:%' ORDER BY id" > "$T/h"
is "$(head -n 1 "$T/h")" "session 6: saving -> forming (saved): $M4 saved as img2: the machines boot to receive it" \
    "... the members' history: saving -> forming (saved)"

clone --yes --from $M4 --start-timeout 60 img3 $M1 > "$T/o" 2> "$T/e"
is "$?" 0 "clone --from a master whose save fails"
boot "mac=$M4"
report $M4 failed "save:%20no%20disk"
wait_state 7 20 failed; ok $? "... the session fails"
field 7 'd["reason"]' | grep -q "^the save of $M4 is failed"; ok $? "... saying why: $(field 7 'd["reason"]')"
is "$(state_of $M1 | cut -d' ' -f1)" cancelled "... its member's held restore is cancelled"

clone --yes --from $M4 --start-timeout 60 img3 $M1 > "$T/o" 2> "$T/e"
is "$?" 0 "clone --from, then cancelled while saving"
se3ipxe session cancel 8 > "$T/o" 2> "$T/e"
sleep 2
is "$(state 8) $(state_of $M4 | cut -d' ' -f1) $(state_of $M1 | cut -d' ' -f1)" "cancelled cancelled cancelled" \
    "... the session, the master's save and the member's restore are cancelled"

# The release and saving -> forming are one transaction: a step that fails
# (a trigger refuses forming, as a crash between would) releases nothing.
q "CREATE TRIGGER t73_no_forming BEFORE UPDATE OF state ON mcast_sessions WHEN NEW.state = 'forming' BEGIN SELECT RAISE(ABORT, 't73: no forming'); END"
clone --yes --from $M4 --start-timeout 60 img4 $M1 > "$T/o" 2> "$T/e"
is "$?" 0 "clone --from, its saving -> forming step made to fail"
held() { q "SELECT a.state || ' ' || a.start_at FROM actions a JOIN mcast_members m ON m.action_id = a.id WHERE m.session = 9"; }
held_at=$(held)
boot "mac=$M4"
catalogue_image img4 $M4
report $M4 done "saved%20img4"
i=0
while [ $i -lt 40 ] && ! grep -q "t73: no forming" "$T/db/mcast-9.log" 2> /dev/null; do
	i=$((i + 1))
	sleep 0.5
done
grep -q "t73: no forming" "$T/db/mcast-9.log"; ok $? "... the runner's step failed: $(grep -o 't73: no forming' "$T/db/mcast-9.log" | head -n 1)"
sleep 1
is "$(state 9)" saving "... the session still saving"
is "$(held)" "$held_at" "... and its member still held, not released ($held_at)"
q "DROP TRIGGER t73_no_forming"
se3ipxe tick > /dev/null 2>&1
is "$(state 9) $(state_of $M1 | cut -d' ' -f1)" "failed cancelled" "... its runner gone, the tick fails it and cancels the member"

# The runners are detached: what they said is in their logs, beside the database.
cat "$T"/db/mcast-*.log > "$T/runners.log" 2> /dev/null

# --- the tick purges ended sessions with their runners' logs, as old history -----
q "UPDATE mcast_sessions SET ended_at = 1000 WHERE id = 1"
q "UPDATE mcast_sessions SET created_at = 1000, ended_at = 0 WHERE id = 2"
[ -f "$T/db/mcast-1.log" ] && [ -f "$T/db/mcast-1.lock" ]; ok $? "session 1's runner left its log and lock"
"$TOP/cli/se3-ipxe" -c "$T/se3-ipxe.conf" tick > "$T/o" 2>&1
grep -q '^tick: purged 2 ended multicast sessions with their logs$' "$T/o"; ok $? "the tick: 2 sessions older than the history kept purged ($(grep purged "$T/o" | tail -n 1))"
is "$(q "SELECT count(*) FROM mcast_sessions WHERE id IN (1, 2)") $(q "SELECT count(*) FROM mcast_members WHERE session IN (1, 2)")" "0 0" "... their rows and members gone"
[ ! -e "$T/db/mcast-1.log" ] && [ ! -e "$T/db/mcast-1.lock" ] && [ -e "$T/db/mcast-3.log" ]
ok $? "... with their runners' log and lock; a newer session's log stays"
! grep -q 'Sanitizer\|runtime error' "$T/runners.log"
ok $? "no sanitizer report in the runners' logs ($(ls "$T"/db/mcast-*.log | wc -l) logs)"
grep -v '^se3-ipxe: session: session [0-9]*: \|^$' "$T/runners.log" | sed 's/^/# runner: /' | head -n 20

done_testing
