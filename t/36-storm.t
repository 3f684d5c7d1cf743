#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A kill -9 storm: boots, set-action, cancel and cleanup run at once, most of them killed at random; afterwards every boot appended is folded exactly once and every action batch is all or nothing.
#
# Two booters ask for 64 MACs that never have an action and are never
# killed: each answer 200 with nothing on stderr is one journal line, so
# their machines.boots must match exactly.  A third booter asks for 12
# other MACs (with actions, some of the time) and is killed at random,
# as are set-action (3 MACs at a time, tagged with a batch number),
# cancel and cleanup, whose fold is what the storm aims at.  Bash for
# $RANDOM: one process less per kill.
set -u

cd "$(dirname "$0")/.."
for f in cgi/ipxe.cgi cli/se3-ipxe; do
	[ -x "$f" ] || { echo "1..0 # SKIP $f is not built"; exit 0; }
done
for c in sqlite3 timeout; do
	command -v "$c" >/dev/null 2>&1 || { echo "1..0 # SKIP $c is not installed"; exit 0; }
done
if [ "$(id -u)" = 0 ] && ! command -v setpriv >/dev/null 2>&1; then
	echo "1..0 # SKIP setpriv is not installed"
	exit 0
fi

. t/lib/tap.sh
. t/lib/concurrent.sh	# concurrent_setup; kills $pids and removes $T on exit

diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

SECONDS_STORM=${SIP_STORM_SECONDS:-12}


# ---------------------------------------------------------------- set-up
mkdir -p "$T/db" "$T/modules/storm" "$T/boot" "$T/out"
cp -R "$TOP/modules/." "$T/modules/"
cat > "$T/modules/storm/module.ini" <<'EOM'
[module]
name = storm
description = An action that stays booting, tagged with its batch
version = 1

[capability run]
description = Boot the storm script
template = run.ipxe
completion = report
max_boots = 100
expires = 4h
destructive = no

[option run.batch]
type = integer
description = The set-action that made it
default = 0
EOM
printf '#!ipxe\n# storm {{mac}} batch {{batch}}\nexit 1\n' > "$T/modules/storm/run.ipxe"
concurrent_setup "$T/modules" "$TOP/templates"
se3() { "$TOP/cli/se3-ipxe" -c "$conf" "$@"; }
se3 init > /dev/null || { echo "Bail out! se3-ipxe init failed"; exit 1; }

export SE3_IPXE_CONFIG="$conf" GATEWAY_INTERFACE=CGI/1.1 \
    SERVER_PROTOCOL=HTTP/1.1 REQUEST_METHOD=GET \
    SCRIPT_NAME=/cgi-bin/ipxe.cgi HTTP_HOST=127.0.0.1 \
    SERVER_NAME=127.0.0.1 SERVER_PORT=80 REMOTE_ADDR=127.0.0.1
unset PATH_INFO CONTENT_LENGTH CONTENT_TYPE 2>/dev/null || :

bmac() { printf '52:54:00:bb:00:%02x' $(($1 % 12)); }
# A kill after 5 to 5 + $1 ms (timeout --foreground says 124, not 137): process start-up included, so that some
# land before the work, some in it, and some after.
delay() { printf '0.%03d' $((5 + RANDOM % $1)); }

# ---------------------------------------------------------------- the storm
# Never killed: every 200 without a log line is a journal line.
booter_a() {	# booter_a W
	local i=0 m rc
	while [ ! -e "$T/stop" ]; do
		i=$((i + 1))
		m=$(printf '02:00:00:00:a%x:%02x' "$1" $((RANDOM % 32)))
		rc=0
		QUERY_STRING="mac=$m&platform=efi&serial=SN-$i" $asuser "$cgi" \
		    > "$T/out/a$1" 2> "$T/out/a$1.err" || rc=$?
		if [ $rc = 0 ] && [ ! -s "$T/out/a$1.err" ] &&
		    head -n 1 "$T/out/a$1" | grep -q '^Status: 200 ' &&
		    grep -qx '#!ipxe' "$T/out/a$1"; then
			echo "$m" >> "$T/out/a$1.ok"
		else
			echo "$m rc $rc: $(head -n 1 "$T/out/a$1.err")" >> "$T/out/a$1.bad"
		fi
	done
}

booter_b() {
	local n=0 kills=0 rc
	while [ ! -e "$T/stop" ]; do
		n=$((n + 1))
		rc=0
		QUERY_STRING="mac=$(bmac $RANDOM)&platform=pcbios" \
		    timeout --foreground -s KILL "$(delay 100)" $asuser "$cgi" \
		    > /dev/null 2>> "$T/out/b.err" || rc=$?
		case $rc in 124|137) ;; *) false ;; esac && kills=$((kills + 1))
	done
	echo "$n $kills" > "$T/out/b.result"
}

admin() {
	local batch=0 k rc kset=0 kcancel=0 ncancel=0
	while [ ! -e "$T/stop" ]; do
		batch=$((batch + 1))
		k=$RANDOM
		rc=0
		timeout --foreground -s KILL "$(delay 150)" "$TOP/cli/se3-ipxe" -c "$conf" \
		    set-action "$(bmac $k)" "$(bmac $((k + 1)))" \
		    "$(bmac $((k + 2)))" storm:run batch=$batch \
		    > /dev/null 2>> "$T/out/set.err" || rc=$?
		echo "$batch $rc" >> "$T/out/batches"
		case $rc in 124|137) ;; *) false ;; esac && kset=$((kset + 1))
		rc=0
		ncancel=$((ncancel + 1))
		timeout --foreground -s KILL "$(delay 150)" "$TOP/cli/se3-ipxe" -c "$conf" \
		    cancel "$(bmac $RANDOM)" > /dev/null 2>> "$T/out/cancel.err" ||
		    rc=$?
		case $rc in 124|137) ;; *) false ;; esac && kcancel=$((kcancel + 1))
	done
	echo "$batch $kset $ncancel $kcancel" > "$T/out/admin.result"
}

cleaner() {
	local n=0 kills=0 rc
	while [ ! -e "$T/stop" ]; do
		n=$((n + 1))
		rc=0
		timeout --foreground -s KILL "$(delay 200)" "$TOP/cli/se3-ipxe" -c "$conf" \
		    cleanup > /dev/null 2>> "$T/out/cleanup.err" || rc=$?
		case $rc in 124|137) ;; *) false ;; esac && kills=$((kills + 1))
	done
	echo "$n $kills" > "$T/out/cleanup.result"
}

start=$(date +%s%N)
booter_a 1 & pids="$pids $!"
booter_a 2 & pids="$pids $!"
booter_b & pids="$pids $!"
admin & pids="$pids $!"
cleaner & pids="$pids $!"
sleep "$SECONDS_STORM"
touch "$T/stop"
# Each loop ends after its current, bounded step.
for p in $pids; do wait "$p"; done
pids=
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))

read -r bn bkills < "$T/out/b.result"
read -r batches skills ncancel ckills < "$T/out/admin.result"
read -r cn cleankills < "$T/out/cleanup.result"
cat "$T"/out/a*.ok > "$T/appended" 2> /dev/null
appended=$(wc -l < "$T/appended" | tr -d ' ')
diag "${elapsed} ms: $appended boots appended by the booters never killed," \
    "$bn boots of MACs with actions ($bkills killed)," \
    "$batches set-action ($skills killed), $ncancel cancel ($ckills killed)," \
    "$cn cleanup ($cleankills killed)," \
    "$(sqlite3 "$db" 'SELECT generation FROM seen_fold') generations folded"
is "$(cat "$T"/out/a*.bad 2> /dev/null | head -n 5)" "" \
    "every boot of the booters never killed answered 200, nothing logged"
ok "$([ "$appended" -gt 0 ] && [ "$cn" -gt 0 ] && [ "$batches" -gt 0 ]; echo $?)" \
    "the storm ran: boots, set-actions and cleanups"

# ---------------------------------------------------------------- afterwards
se3 cleanup > /dev/null 2> "$T/final.err"
ok $? "a final cleanup"
is "$(cat "$T/final.err")" "" "it refused no journal line"
is "$(ls "$db"-seen.* 2> /dev/null)" "" "no generation file left"
is "$(cat "$db-seen" 2> /dev/null | wc -c | tr -d ' ')" 0 "the journal is empty"
is "$(sqlite3 "$db" "SELECT coalesce(sum(boots), 0) FROM machines WHERE mac LIKE '02:%'")" \
    "$appended" "boots appended = boots folded ($appended)"
sort "$T/appended" | uniq -c | awk '{ print $2 "|" $1 }' > "$T/want"
sqlite3 "$db" "SELECT mac, boots FROM machines WHERE mac LIKE '02:%' ORDER BY mac" > "$T/got"
cmp -s "$T/want" "$T/got"; ok $? "and per MAC"
[ -s "$T/got" ] && ! cmp -s "$T/want" "$T/got" && diag "$(diff "$T/want" "$T/got" | head -n 10)"
bboots=$(sqlite3 "$db" "SELECT coalesce(sum(boots), 0) FROM machines WHERE mac LIKE '52:54:00:bb:%'")
ok "$([ "$bboots" -le "$bn" ]; echo $?)" \
    "the killed booter's MACs: $bboots boots folded, no more than its $bn requests"
se3 check > "$T/check.out" 2>&1
ok $? "se3-ipxe check: $(grep -v '^ok' "$T/check.out" | head -n 1)"
is "$(sqlite3 "$db" 'PRAGMA integrity_check')" ok "PRAGMA integrity_check"

# Every batch all or nothing; one that said so is there, one that failed is not.
sqlite3 "$db" "SELECT value, count(*) FROM action_options WHERE key = 'batch' GROUP BY value" > "$T/batches.db"
is "$(awk -F '|' '$2 != 3' "$T/batches.db")" "" "every batch has its 3 actions or none"
awk '$2 == 0 { print $1 }' "$T/out/batches" | sort > "$T/said.ok"
awk -F '|' '{ print $1 }' "$T/batches.db" | sort > "$T/in.db"
is "$(comm -23 "$T/said.ok" "$T/in.db" | head -n 5)" "" \
    "every set-action that exited 0 is in the database ($(wc -l < "$T/said.ok") of $batches)"
awk '$2 != 0 && $2 != 124 && $2 != 137 { print $1 }' "$T/out/batches" | sort > "$T/said.failed"
is "$(comm -12 "$T/said.failed" "$T/in.db" | head -n 5)" "" \
    "no set-action that failed left an action ($(wc -l < "$T/said.failed") failed)"
[ -s "$T/said.failed" ] && diag "set-action: $(awk '$2 != 0 && $2 != 124 && $2 != 137' "$T/out/batches" | head -n 3 | tr '\n' ' ')" \
    "$(sort "$T/out/set.err" | uniq -c | sort -rn | head -n 3)"
is "$(sqlite3 "$db" "SELECT count(*) FROM actions a WHERE NOT EXISTS (SELECT 1 FROM history h WHERE h.action_id = a.id AND h.event = 'set')")" 0 \
    "every action has its 'set' history row"
is "$(sqlite3 "$db" "SELECT mac FROM actions WHERE state IN ('scheduled','pending','booting','running') GROUP BY mac HAVING count(*) > 1")" "" \
    "no MAC with two active actions"

done_testing
