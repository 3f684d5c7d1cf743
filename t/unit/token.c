/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for lib/token.c and the address compare: token forms, the public part, a compare whose time does not follow the digits. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

#define NEW48	"0123456789abcdef0123456789abcdef0123456789abcdef"
#define OLD32	"0123456789abcdef0123456789abcdef"

static const struct {
	const char	*token;
	enum sip_rc	 rc;
} forms[] = {
	{ NEW48, SIP_OK },
	{ OLD32, SIP_OK },			/* made before schema 2 */
	{ NEW48 "0", SIP_EINVAL },		/* 49 */
	{ NEW48 + 1, SIP_EINVAL },		/* 47 */
	{ OLD32 + 1, SIP_EINVAL },		/* 31 */
	{ OLD32 "0", SIP_EINVAL },		/* 33 */
	{ "0123456789ABCDEF0123456789abcdef", SIP_EINVAL },	/* upper */
	{ "0123456789abcdef.0123456789abcde", SIP_EINVAL },	/* a dot */
	{ "0123456789abcdef0123456789abcde%", SIP_EINVAL },	/* LIKE */
	{ "0123456789abcdef 123456789abcdef", SIP_EINVAL },
	{ "", SIP_EINVAL },
	{ NULL, SIP_EINVAL },
};

static void
test_forms(void)
{
	char t[SIP_TOKEN_STRLEN], u[SIP_TOKEN_STRLEN], pub[SIP_TOKEN_PUBLIC + 1];
	size_t i;

	for (i = 0; i < SIP_ARRAY_SIZE(forms); i++)
		is_int(sip_token_check(forms[i].token), forms[i].rc,
		    "check '%s'", forms[i].token != NULL ? forms[i].token :
		    "(null)");
	ok(sip_token_new(t) == SIP_OK && sip_token_check(t) == SIP_OK &&
	    strlen(t) == 48, "a new token: 48 digits that pass the check");
	/* Whitelist-safe: the value goes into an iPXE script as SIP_T_HEX. */
	is_int(sip_value_check(SIP_T_HEX, t), SIP_OK, "a new token is SIP_T_HEX");
	ok(sip_token_new(u) == SIP_OK && strcmp(t, u) != 0 &&
	    memcmp(t, u, SIP_TOKEN_PUBLIC) != 0, "two new tokens differ, "
	    "public parts too");
	sip_token_public(NEW48, pub);
	is_str(pub, "0123456789abcdef", "public part: the first 16 digits");
	sip_token_public(OLD32, pub);
	is_str(pub, "0123456789abcdef", "public part of an old token");
}

static void
test_equal(void)
{
	char t[SIP_TOKEN_STRLEN], u[SIP_TOKEN_STRLEN];
	size_t i;
	int all = 1;

	ok(sip_token_equal(NEW48, NEW48), "equal to itself");
	ok(sip_token_equal(OLD32, OLD32), "an old token equal to itself");
	ok(!sip_token_equal(NEW48, OLD32), "a prefix is not equal");
	ok(!sip_token_equal(OLD32, NEW48), "nor a longer token");
	ok(!sip_token_equal(NEW48, NULL) && !sip_token_equal(NULL, NEW48) &&
	    !sip_token_equal(NULL, NULL), "NULL matches nothing");
	ok(!sip_token_equal("", NEW48) && !sip_token_equal(NEW48, ""),
	    "empty matches nothing");
	/* Each single digit off, first to last, is seen. */
	strcpy(t, NEW48);
	for (i = 0; i < strlen(NEW48); i++) {
		strcpy(u, t);
		u[i] = u[i] == '0' ? '1' : '0';
		if (sip_token_equal(t, u))
			all = 0;
	}
	ok(all, "one digit off anywhere: not equal (%zu places)", i);
}

static double
elapsed_ms(const char *a, const char *b, int n)
{
	struct timespec t0, t1;
	volatile int sink = 0;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++)
		sink += sip_token_equal(a, b);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	(void)sink;
	return (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
}

/*
 * The compare reads every digit whatever the first difference: a
 * difference in the first digit costs what one in the last does.  Timing
 * on a loaded machine is noisy: the best of several runs each, bounded
 * generously (a memcmp-like early exit differs by a factor of 10 or more).
 */
static void
test_constant_time(void)
{
	char first[SIP_TOKEN_STRLEN], last[SIP_TOKEN_STRLEN];
	double f = 1e9, l = 1e9, x;
	int r;

	if (getenv("SIP_SANITIZE") != NULL && *getenv("SIP_SANITIZE") != '\0') {
		ok(1, "# SKIP timing under sanitizers");
		return;
	}
	strcpy(first, NEW48);
	first[0] = 'f';
	strcpy(last, NEW48);
	last[47] = '0';
	for (r = 0; r < 7; r++) {
		if ((x = elapsed_ms(NEW48, first, 200000)) < f)
			f = x;
		if ((x = elapsed_ms(NEW48, last, 200000)) < l)
			l = x;
	}
	ok(f * 3 > l && l * 3 > f, "first digit off %.2f ms, last digit off "
	    "%.2f ms (200,000 compares each): within a factor 3", f, l);
}

static const struct {
	const char	*a, *b;
	int		 eq;
} addrs[] = {
	{ "192.0.2.1", "192.0.2.1", 1 },
	{ "192.0.2.1", "192.0.2.2", 0 },
	{ "127.0.0.1", "127.0.0.2", 0 },
	{ "::1", "0:0:0:0:0:0:0:1", 1 },
	{ "2001:db8::7", "2001:DB8:0::7", 1 },
	{ "2001:db8::7", "2001:db8::8", 0 },
	{ "::ffff:192.0.2.1", "192.0.2.1", 0 },	/* not the same literal family */
	{ "192.0.2.1", "::ffff:192.0.2.1", 0 },
	{ "192.0.2.1", "-", 0 },
	{ "-", "-", 0 },
	{ "192.0.2.1", NULL, 0 },
	{ NULL, NULL, 0 },
	{ "192.0.2.01", "192.0.2.1", 0 },	/* not a literal inet_pton takes */
};

static void
test_addr(void)
{
	size_t i;

	for (i = 0; i < SIP_ARRAY_SIZE(addrs); i++)
		is_int(sip_addr_equal(addrs[i].a, addrs[i].b), addrs[i].eq,
		    "address '%s' vs '%s'", addrs[i].a ? addrs[i].a : "(null)",
		    addrs[i].b ? addrs[i].b : "(null)");
}

int
main(void)
{
	test_forms();
	test_equal();
	test_constant_time();
	test_addr();
	return done_testing();
}
