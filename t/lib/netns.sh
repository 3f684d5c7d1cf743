# SPDX-License-Identifier: GPL-3.0-or-later
# Run a test again inside a user and network namespace of its own (`unshare -rn`), so that no packet it sends can leave it.

# netns_own PID: PID is a process of this test's own network namespace
# (one unshare made), never the host's or another test's: a pid kept
# past its process's end may be any process's by the time it is killed.
# SIP_OUTER_NETNS is the namespace the test was started in (netns_enter
# sets it; /proc/1's may not be readable, in a container).
netns_own() {
	_ns_own=$(readlink "/proc/$1/ns/net" 2> /dev/null) || return 1
	[ -n "$_ns_own" ] && [ -n "${SIP_OUTER_NETNS-}" ] &&
	    [ "$_ns_own" != "$SIP_OUTER_NETNS" ] &&
	    [ "$_ns_own" = "$(readlink /proc/$$/ns/net)" ]
}

# netns_enter TOOL... -- ARG...: return at once inside the namespace; else
# skip the whole test when a TOOL (or unshare, ip) is missing or no
# namespace may be made, and otherwise exec this test again inside one.
netns_enter() {
	[ "${SIP_IN_NETNS-}" = 1 ] && return 0
	_ns_tools="unshare ip"
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		_ns_tools="$_ns_tools $1"
		shift
	done
	[ $# -gt 0 ] && shift
	for _ns_t in $_ns_tools; do
		if ! command -v "$_ns_t" > /dev/null; then
			echo "1..0 # SKIP $_ns_t not installed"
			exit 0
		fi
	done
	if ! unshare -rn true 2> /dev/null; then
		echo "1..0 # SKIP no network namespace (unshare -rn refused)"
		exit 0
	fi
	SIP_IN_NETNS=1 SIP_OUTER_NETNS=$(readlink /proc/$$/ns/net) \
	    exec unshare -rn sh "$0" "$@"
}
