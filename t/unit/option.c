/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for lib/option.c: the pattern guard, compiling a pattern, and checking a value against each option type. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

/* A pattern, and what the guard and regcomp make of it ("" : accepted). */
static const struct {
	const char	*pattern;
	const char	*why;
} pvecs[] = {
	{ "[a-z][a-z0-9-]*", "" },
	{ "(ab|cd)+", "" },
	{ "x{1,8}", "" },
	{ "[)]", "" },
	{ "\\)", "" },
	{ "x)|(y", "unmatched ')': write \\) or [)] for a literal parenthesis" },
	{ "(x", "unmatched '('" },
	{ "(a)\\1", "back-references are not allowed" },
	{ "a\\", "trailing backslash" },
	{ "[a-z", "unterminated bracket expression" },
	{ "a{5000}", "repetition too large" },
	{ "a{2,x}", "malformed repetition" },
	{ "(a{2,4})+++++++++++++", "too complex (repetitions of repetitions)" },
	{ "((((((((((((((((((a))))))))))))))))))", "groups nested too deep" },
	{ "caf\xc3\xa9", "not printable ASCII" },
	/* Compile time exponential in glibc: found by fuzz-module. */
	{ "a**", "a repetition of what can match nothing (like a** or (a*)*)" },
	{ "(a*)*", "a repetition of what can match nothing (like a** or (a*)*)" },
	{ "(a|)+", "a repetition of what can match nothing (like a** or (a*)*)" },
	{ "(a?b?){2}", "a repetition of what can match nothing (like a** or (a*)*)" },
	{ "((a*))*", "a repetition of what can match nothing (like a** or (a*)*)" },
	{ "x{0,3}?", "a repetition of what can match nothing (like a** or (a*)*)" },
	{ "(ab*)*", "" },
	{ "(a|b*c)+", "" },
	{ "([0-9]{1,3}\\.){3}[0-9]{1,3}", "" },
	{ "a*b*c?", "" },
	{ "(-[a-z]+)*", "" },
};

/* A value against a NAME option of pattern [a-z]+ and maxlen 4. */
static const struct {
	const char	*value;
	enum sip_rc	 rc;
} nvecs[] = {
	{ "abcd", SIP_OK },
	{ "a", SIP_OK },
	{ "abcde", SIP_EINVAL },	/* longer than maxlen */
	{ "ab1", SIP_EINVAL },		/* anchored at the end */
	{ "1ab", SIP_EINVAL },		/* and at the start */
	{ "", SIP_EINVAL },
	{ "a b", SIP_EINVAL },
};

int
main(void)
{
	struct sip_option o;
	char why[SIP_ERR_MAX], *values[] = { UNCONST("fast"), UNCONST("full"), NULL };
	size_t i;
	enum sip_rc rc;

	for (i = 0; i < sizeof(pvecs) / sizeof(pvecs[0]); i++) {
		memset(&o, 0, sizeof(o));
		o.type = SIP_OPT_NAME;
		o.pattern = sip_strdup(pvecs[i].pattern);
		why[0] = '\0';
		rc = sip_option_pattern(&o, why, sizeof(why));
		is_int(rc, pvecs[i].why[0] == '\0' ? SIP_OK : SIP_EINVAL,
		    "pattern '%s': rc", pvecs[i].pattern);
		is_str(why, pvecs[i].why, "pattern '%s': why",
		    pvecs[i].pattern);
		ok((o.regex != NULL) == (rc == SIP_OK),
		    "pattern '%s': compiled only when accepted",
		    pvecs[i].pattern);
		sip_option_free(&o);
	}

	memset(&o, 0, sizeof(o));
	o.type = SIP_OPT_NAME;
	o.max = 4;
	o.pattern = sip_strdup("[a-z]+");
	is_int(sip_option_pattern(&o, why, sizeof(why)), SIP_OK,
	    "name option: compiles");
	for (i = 0; i < sizeof(nvecs) / sizeof(nvecs[0]); i++)
		is_int(sip_option_check(&o, nvecs[i].value, why, sizeof(why)),
		    nvecs[i].rc, "name '%s'", nvecs[i].value);
	is_str(why, "expected a name of at most 4 bytes matching [a-z]+",
	    "name: says what it expected");
	sip_option_free(&o);

	memset(&o, 0, sizeof(o));
	o.type = SIP_OPT_INTEGER;
	o.min = 1;
	o.max = 8;
	is_int(sip_option_check(&o, "1", why, sizeof(why)), SIP_OK, "int 1");
	is_int(sip_option_check(&o, "8", why, sizeof(why)), SIP_OK, "int 8");
	is_int(sip_option_check(&o, "9", why, sizeof(why)), SIP_EINVAL,
	    "int 9");
	is_int(sip_option_check(&o, "0", why, sizeof(why)), SIP_EINVAL,
	    "int 0");
	is_int(sip_option_check(&o, "-1", why, sizeof(why)), SIP_EINVAL,
	    "int -1");
	is_int(sip_option_check(&o, "+2", why, sizeof(why)), SIP_EINVAL,
	    "int +2");
	is_int(sip_option_check(&o, "2x", why, sizeof(why)), SIP_EINVAL,
	    "int 2x");
	is_str(why, "expected an integer in 1..8", "int: says the range");

	memset(&o, 0, sizeof(o));
	o.type = SIP_OPT_BOOLEAN;
	is_int(sip_option_check(&o, "yes", why, sizeof(why)), SIP_OK, "yes");
	is_int(sip_option_check(&o, "no", why, sizeof(why)), SIP_OK, "no");
	is_int(sip_option_check(&o, "true", why, sizeof(why)), SIP_EINVAL,
	    "true");
	is_int(sip_option_check(&o, "YES", why, sizeof(why)), SIP_EINVAL,
	    "YES");

	memset(&o, 0, sizeof(o));
	o.type = SIP_OPT_ENUM;
	o.values = values;
	is_int(sip_option_check(&o, "fast", why, sizeof(why)), SIP_OK,
	    "enum fast");
	is_int(sip_option_check(&o, "fas", why, sizeof(why)), SIP_EINVAL,
	    "enum fas");
	is_str(why, "expected one of: fast full", "enum: lists the values");

	is_int(sip_opt_value_type(SIP_OPT_ENUM), SIP_T_WORD, "enum: a word");
	is_int(sip_opt_value_type(SIP_OPT_INTEGER), SIP_T_INT,
	    "integer: an int");
	is_int(sip_opt_value_type(SIP_OPT_BOOLEAN), SIP_T_BOOL,
	    "boolean: a bool");
	is_int(sip_opt_value_type(SIP_OPT_NAME), SIP_T_TEXT, "name: text");
	return done_testing();
}
