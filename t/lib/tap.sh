# SPDX-License-Identifier: GPL-3.0-or-later
# TAP helpers for the shell tests: ok, is, skip, done_testing, and a scratch directory removed on exit.

tap_n=0
tap_failed=0

ok() {	# ok STATUS DESCRIPTION: STATUS 0 passes
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

is() {	# is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#        got: %s\n#   expected: %s\n' "$1" "$2"
	fi
}

skip() {	# skip DESCRIPTION
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # skip $1"
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# A scratch directory per test file, readable by the web server user;
# a harness with its own scratch and traps sets TAP_NO_SCRATCH.
if [ -z "${TAP_NO_SCRATCH-}" ]; then
	T=$(mktemp -d /tmp/se3-ipxe-test.XXXXXX)
	chmod 755 "$T"
	trap 'rm -rf "$T"' EXIT
	TOP=$(pwd)
fi
