#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The tick: cleanup's work under its new name, wakes sent when due and once, retried until the machine boots or given up, and blackout windows that hold destructive actions.
#
# Wake-on-LAN packets are sent only inside a network namespace of the
# test's own (`unshare -rn`, a veth pair 10.99.0.1/24), as t/42-wol.t does.
if [ "${WOL_IN_NS-}" != 1 ]; then
	if ! command -v unshare > /dev/null || ! command -v ip > /dev/null ||
	    ! command -v python3 > /dev/null; then
		echo "1..0 # SKIP unshare, ip or python3 not installed"
		exit 0
	fi
	if ! unshare -rn true 2> /dev/null; then
		echo "1..0 # SKIP no network namespace (unshare -rn refused)"
		exit 0
	fi
	WOL_IN_NS=1 exec unshare -rn sh "$0" "$@"
fi

. t/lib/tap.sh
. t/lib/cli.sh

unset SE3_IPXE_CONFIG SUDO_USER
TZ=UTC
export TZ

ip link set lo up &&
    ip link add wol0 type veth peer name wol1 2> /dev/null &&
    ip addr add 10.99.0.1/24 dev wol0 &&
    ip link set wol0 up && ip link set wol1 up
if [ $? -ne 0 ]; then
	ip addr add 10.99.0.1/24 dev lo || {
		echo "1..0 # SKIP cannot give the namespace an address"
		exit 0
	}
fi
ip route show | grep -q default && { echo "Bail out! a default route in the namespace"; exit 1; }

PORT=40019
CONF=$T/se3-ipxe.conf
cli_config "$CONF" "$TOP/modules:$T/modules"
cli_test_module "$T/modules"
cat >> "$CONF" <<EOC
[network]
subnets = 10.99.0.0/24
[wol]
port = $PORT
EOC
se3ipxe init > /dev/null || { echo "Bail out! init"; exit 1; }

# --- tick, and cleanup its old name ---------------------------------------------
run tick
is "$rc:$(cat "$T/err")" "0:" "tick on an idle database: exit 0, no warning"
grep -q '^tick: folded 0 boots, started 0, expired 0' "$T/out"
ok $? "tick prints one summary line: $(cat "$T/out")"
is "$(wc -l < "$T/out")" 1 "tick: one line"
run tick -q
is "$rc:$(cat "$T/out" "$T/err")" "0:" "tick -q: nothing printed"
run tick --quiet
is "$rc:$(cat "$T/out" "$T/err")" "0:" "tick --quiet: nothing printed"
run cleanup
is "$rc:$(cat "$T/out" "$T/err")" "0:" "cleanup, the old name: quiet with nothing to do, as before"
run tick extra
is "$rc" 2 "tick with an argument: usage error"
grep -q '^\* \* \* \* \* root .*se3-ipxe tick -q$' "$TOP/debian/se3-ipxe.cron.d"
ok $? "the shipped cron file runs tick -q every minute"

done_testing
