#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The EXAMPLES of se3-ipxe-modules(5) run as written: its module loads, and its commands print what the page shows.
. t/lib/tap.sh
. t/lib/cgi.sh

MAN=$TOP/man/se3-ipxe-modules.5
write_config "$T/se3-ipxe.conf"

# block AFTER: the literal block (.Bd -literal ... .Ed) that follows the
# first line matching AFTER, with the roff escape of the backslash undone.
block() {
	awk -v after="$1" '
		!seen && $0 ~ after { seen = 1; next }
		seen == 1 && /^\.Bd -literal/ { seen = 2; next }
		seen == 2 && /^\.Ed/ { exit }
		seen == 2 { gsub(/\\e/, "\\"); print }
	' "$MAN"
}

mkdir -p "$T/modules/clone"
block '^A module with every kind of option' > "$T/modules/clone/module.ini"
block '^\.Pa restore\.ipxe :' > "$T/modules/clone/restore.ipxe"
grep -q '^\[capability restore\]$' "$T/modules/clone/module.ini"; ok $? "the example module.ini is found"
grep -q '^#!ipxe$' "$T/modules/clone/restore.ipxe"; ok $? "the example restore.ipxe is found"
se3ipxe check > "$T/out" 2>&1
ok $? "the example module passes check"

# The session: "$ se3-ipxe ..." lines (a trailing \ continues one) are
# run, the lines up to the next command are what they print.  Dates
# differ from the page's: they are compared as DATE.
block '^Scheduling it' > "$T/session"
grep -q '^\$ se3-ipxe ' "$T/session"; ok $? "the example session is found"
n=0
cmd= want=
flush() {
	[ -n "$cmd" ] || return 0
	n=$((n + 1))
	# shellcheck disable=SC2086 # the command's words, as the page writes them
	set -- $cmd
	shift	# se3-ipxe
	se3ipxe "$@" > "$T/got" 2>&1
	got=$(sed 's/expires [0-9-]* [0-9:]*)/expires DATE)/' "$T/got" | sort)
	exp=$(printf '%s' "$want" | sed 's/expires [0-9-]* [0-9:]*)/expires DATE)/' | sort)
	is "$got" "$exp" "example command $n prints what the page shows: $cmd"
	cmd= want=
}
cont=0
while IFS= read -r line; do
	if [ "$cont" = 1 ]; then
		line=${line%\\}
		cmd="$cmd ${line#"${line%%[! ]*}"}"
		case $line in *\\) ;; *) cont=0 ;; esac
		continue
	fi
	case $line in
	'$ '*)
		flush
		cmd=${line#\$ }
		case $cmd in *\\) cmd=${cmd%\\}; cont=1 ;; esac
		;;
	*)
		want="$want$line
"
		;;
	esac
done < "$T/session"
flush
[ "$n" -ge 2 ]; ok $? "the example session has its commands ($n)"

done_testing
