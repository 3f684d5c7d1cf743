#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The seen journal's fold killed at each of its steps (the crash-point build): after a normal cleanup, every boot appended is folded exactly once.

. t/lib/tap.sh
. t/lib/cgi.sh

CRASH=$TOP/build/t/se3-ipxe-crash
if [ ! -x "$CRASH" ]; then
	echo "1..0 # SKIP $CRASH is not built (make tests)"
	exit 0
fi

write_config "$T/se3-ipxe.conf"
DB=$T/db/se3-ipxe.db
db_create
: > "$T/appended"

# boots N: N boots of MACs never seen before, each of which must be recorded.
n=0
boots() {
	j=0
	while [ $j -lt "$1" ]; do
		j=$((j + 1)) n=$((n + 1))
		mac=$(printf '02:00:00:00:%02x:%02x' $((n / 256)) $((n % 256)))
		boot "mac=$mac&platform=efi&serial=SN-$n"
		if [ "$status" = 200 ] && [ ! -s "$T/err" ]; then
			echo "$mac" >> "$T/appended"
		else
			echo "# boot $mac not recorded: $(head -n 1 "$T/err")"
		fi
	done
}

# crash POINT: a cleanup that dies at POINT; its exit status in $rc.
crash() {
	SIP_CRASH_AT=$1 "$CRASH" -c "$T/se3-ipxe.conf" cleanup > /dev/null \
	    2> "$T/crash.err"
	rc=$?
}

# The steps of sip_store_fold_seen, in order (lib/store_machine.c).
points="fold-begun fold-read fold-leftover fold-renamed fold-folded fold-recorded fold-committed fold-unlinked"
for point in $points; do
	# Once on the journal alone, then once more after a fold that died
	# before its commit, so that the fold finds leftovers (fold-leftover
	# and fold-unlinked only happen then).
	boots 3
	crash "$point"; rc1=$rc
	boots 2
	crash fold-folded; rc0=$rc
	boots 2
	crash "$point"; rc2=$rc
	boots 1
	ok "$( { [ $rc1 = 9 ] || [ $rc1 = 0 ]; } && [ $rc0 = 9 ] && [ $rc2 = 9 ];
	    echo $?)" "$point: the fold died there (exit $rc1; $rc0 then $rc2)"
	left=$(cd "$T/db" && ls se3-ipxe.db-seen* 2> /dev/null | tr '\n' ' ')
	echo "# $point: left behind: ${left:-nothing}"
	se3ipxe cleanup > /dev/null 2> "$T/cleanup.err"
	ok $? "$point: a normal cleanup after it"
	is "$(cat "$T/cleanup.err")" "" "$point: no line refused"
	is "$(cd "$T/db" && ls se3-ipxe.db-seen.* 2> /dev/null)" "" \
	    "$point: no generation file left"
	is "$(sqlite3 "$DB" 'SELECT coalesce(sum(boots), 0) FROM machines')" \
	    "$(wc -l < "$T/appended" | tr -d ' ')" \
	    "$point: boots folded = boots appended ($n so far)"
	sqlite3 "$DB" 'SELECT mac FROM machines WHERE boots = 1 ORDER BY mac' > "$T/folded"
	sort "$T/appended" | cmp -s - "$T/folded"
	ok $? "$point: each appended MAC folded exactly once"
done
is "$(sqlite3 "$DB" 'SELECT generation > 0 FROM seen_fold')" 1 \
    "the generation is recorded in the database"
se3ipxe check > "$T/check.out" 2>&1
ok $? "integrity: $(head -n 1 "$T/check.out")"

done_testing
