# SPDX-License-Identifier: GPL-3.0-or-later
# Helpers for the se3-ipxe command tests: a config and a module in $T, a runner, the man SYNOPSIS, database dumps.

. "$TOP/t/lib/cgi.sh"

# SE3_IPXE_CLI runs another build (or a wrapper script) instead.
SIP=${SE3_IPXE_CLI:-$TOP/cli/se3-ipxe}
DB=$T/db/se3-ipxe.db

# cli_config FILE MODULE_PATH: a config whose database lives in $T.
cli_config() {
	MODULE_PATH=$2
	write_config "$1"
	unset MODULE_PATH
}

# cli_test_module DIR: module "wipe", capability "disk", destructive, with
# an option of each checked type (enum, integer, name).
cli_test_module() {
	mkdir -p "$1/wipe"
	cat > "$1/wipe/module.ini" <<-'EOM'
	[module]
	name = wipe
	description = Test module: one option of each type
	version = 1

	[capability disk]
	description = Erase the disk (a test)
	template = disk.ipxe
	completion = report
	max_boots = 2
	expires = 2h
	destructive = yes

	[option disk.mode]
	type = enum
	description = how thoroughly
	values = fast full
	default = fast

	[option disk.passes]
	type = integer
	description = how many passes
	min = 1
	max = 5
	default = 1

	[option disk.label]
	type = name
	description = a label
	pattern = [a-z]+
	EOM
	cat > "$1/wipe/disk.ipxe" <<-'EOT'
	#!ipxe
	echo wipe {{mac}} mode {{mode}} passes {{passes}} label {{label}}
	chain {{report_url}}?token={{token}}&status=done
	EOT
}

# run ARGS...: se3-ipxe -c $CONF ARGS; stdout in $T/out, stderr in $T/err,
# the exit status in $rc.
run() {
	"$SIP" -c "$CONF" "$@" < /dev/null > "$T/out" 2> "$T/err"
	rc=$?
}

# cgi_boot QUERY: a boot request to the real ipxe.cgi, as Apache would run
# it; the script it answered is in $T/body.
cgi_boot() {
	CONFIG=$CONF boot "$1"
}

# Collapse blanks, so a rendered man page and a usage line compare.
normalise() {
	sed 's/[[:space:]][[:space:]]*/ /g; s/^ //; s/ $//'
}

# The SYNOPSIS of man/se3-ipxe.8 as rendered, one line per se3-ipxe form.
man_synopsis() {
	mandoc -Tascii "$TOP/man/se3-ipxe.8" | col -bx | awk '
		/^SYNOPSIS/ { on = 1; next }
		on && /^[^ ]/ { exit }
		on && NF == 0 { next }
		on {
			sub(/^ +/, "")
			if ($1 == "se3-ipxe") {
				if (line != "")
					print line
				line = $0
			} else
				line = line " " $0
		}
		END { if (line != "") print line }' | normalise
}

# The usage lines of se3-ipxe --help (up to its first blank line), without
# the "usage:".
help_usage() {
	"$SIP" --help | sed '/^$/,$d; s/^usage://' | normalise
}

# Everything in the database, or nothing if it does not exist.
dbdump() {
	if [ -f "$DB" ]; then
		sqlite3 "$DB" .dump
	fi
}

# nrows TABLE: its row count, 0 without a database.
nrows() {
	if [ -f "$DB" ]; then
		sqlite3 "$DB" "SELECT count(*) FROM $1"
	else
		echo 0
	fi
}

# one_line_naming WORD: $T/err is one line that contains WORD.
one_line_naming() {
	[ "$(wc -l < "$T/err")" -eq 1 ] && grep -qF -- "$1" "$T/err"
}

# valid_json FILE
valid_json() {
	python3 -m json.tool "$1" > /dev/null 2>&1
}
