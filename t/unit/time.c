/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for the duration and time grammar: one vector per form and per rule. */
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "se3ipxe.h"
#include "tap.h"

struct dvec {
	const char	*s;
	int64_t		 min, max;
	enum sip_rc	 rc;
	int64_t		 want;
};

static const struct dvec dvecs[] = {
	{ "90", 0, INT64_MAX, SIP_OK, 90 },
	{ "0", 0, INT64_MAX, SIP_OK, 0 },
	{ "30s", 0, INT64_MAX, SIP_OK, 30 },
	{ "15m", 0, INT64_MAX, SIP_OK, 900 },
	{ "4h", 0, INT64_MAX, SIP_OK, 14400 },
	{ "2d", 0, INT64_MAX, SIP_OK, 172800 },
	{ "1w", 0, INT64_MAX, SIP_OK, 604800 },
	{ "007m", 0, INT64_MAX, SIP_OK, 420 },
	{ "9223372036854775807", 0, INT64_MAX, SIP_OK, INT64_MAX },
	{ "9223372036854775807s", 0, INT64_MAX, SIP_OK, INT64_MAX },
	{ "60", 60, 60, SIP_OK, 60 },
	{ "9223372036854775808", 0, INT64_MAX, SIP_EINVAL, 0 },
	{ "153722867280912931m", 0, INT64_MAX, SIP_EINVAL, 0 },
	{ "15250284452472w", 0, INT64_MAX, SIP_EINVAL, 0 },
	{ "15250284452471w", 0, INT64_MAX, SIP_OK,
	  INT64_C(15250284452471) * 604800 },
	{ "59", 60, 120, SIP_EINVAL, 0 },
	{ "121", 60, 120, SIP_EINVAL, 0 },
	{ "", 0, INT64_MAX, SIP_EINVAL, 0 },
	{ "s", 0, INT64_MAX, SIP_EINVAL, 0 },
	{ "-1", INT64_MIN, INT64_MAX, SIP_EINVAL, 0 },
	{ "+1", 0, INT64_MAX, SIP_EINVAL, 0 },
	{ " 1", 0, INT64_MAX, SIP_EINVAL, 0 },
	{ "1 ", 0, INT64_MAX, SIP_EINVAL, 0 },
	{ "1x", 0, INT64_MAX, SIP_EINVAL, 0 },
	{ "1hh", 0, INT64_MAX, SIP_EINVAL, 0 },
	{ "1h1", 0, INT64_MAX, SIP_EINVAL, 0 },
	{ "1H", 0, INT64_MAX, SIP_EINVAL, 0 },
	{ "1.5h", 0, INT64_MAX, SIP_EINVAL, 0 },
	{ "0x10", 0, INT64_MAX, SIP_EINVAL, 0 },
};

struct tvec {
	const char	*s;
	enum sip_rc	 rc;
	int64_t		 want;
};

#define NOW	INT64_C(1800000000)

/* Calendar forms are read in TZ=UTC here. */
static const struct tvec tvecs[] = {
	{ "now", SIP_OK, NOW },
	{ "+2h", SIP_OK, NOW + 7200 },
	{ "+0", SIP_OK, NOW },
	{ "+90", SIP_OK, NOW + 90 },
	{ "+1w", SIP_OK, NOW + 604800 },
	{ "@0", SIP_OK, 0 },
	{ "@1795602600", SIP_OK, 1795602600 },
	{ "2026-11-25 10:30", SIP_OK, 1795602600 },
	{ "2026-11-25T10:30", SIP_OK, 1795602600 },
	{ "2026-11-25 10:30:45", SIP_OK, 1795602645 },
	{ "2026-11-25T10:30:45", SIP_OK, 1795602645 },
	{ "2024-02-29 00:00", SIP_OK, 1709164800 },
	{ "1970-01-01 00:00:00", SIP_OK, 0 },
	{ "", SIP_EINVAL, 0 },
	{ "Now", SIP_EINVAL, 0 },
	{ "now ", SIP_EINVAL, 0 },
	{ "+", SIP_EINVAL, 0 },
	{ "+-1h", SIP_EINVAL, 0 },
	{ "-2h", SIP_EINVAL, 0 },
	{ "+2x", SIP_EINVAL, 0 },
	{ "+9223372036854775807", SIP_EINVAL, 0 },
	{ "@", SIP_EINVAL, 0 },
	{ "@-1", SIP_EINVAL, 0 },
	{ "@12x", SIP_EINVAL, 0 },
	{ "@99999999999999999999", SIP_EINVAL, 0 },
	{ "2026-11-25", SIP_EINVAL, 0 },
	{ "2026-11-25 10", SIP_EINVAL, 0 },
	{ "2026-11-25 10:30 ", SIP_EINVAL, 0 },
	{ "2026-11-25 10:30:00Z", SIP_EINVAL, 0 },
	{ "2026-11-25 10:30:4", SIP_EINVAL, 0 },
	{ "2026-11-25  10:30", SIP_EINVAL, 0 },
	{ "2026-11-25t10:30", SIP_EINVAL, 0 },
	{ "26-11-25 10:30", SIP_EINVAL, 0 },
	{ "2026-1-25 10:30", SIP_EINVAL, 0 },
	{ "2026-13-01 00:00", SIP_EINVAL, 0 },
	{ "2026-00-01 00:00", SIP_EINVAL, 0 },
	{ "2026-11-00 00:00", SIP_EINVAL, 0 },
	{ "2026-11-31 00:00", SIP_EINVAL, 0 },
	{ "2026-02-29 00:00", SIP_EINVAL, 0 },
	{ "2100-02-29 00:00", SIP_EINVAL, 0 },
	{ "2026-11-25 24:00", SIP_EINVAL, 0 },
	{ "2026-11-25 10:60", SIP_EINVAL, 0 },
	{ "2026-11-25 10:30:60", SIP_EINVAL, 0 },
	{ "1969-12-31 23:59", SIP_EINVAL, 0 },
	{ "-2026-11-25 10:30", SIP_EINVAL, 0 },
};

/* A start time (--at) within now - 1m ... now + 366 d, else refused. */
static const struct tvec atvecs[] = {
	{ "now", SIP_OK, NOW },
	{ "+1w", SIP_OK, NOW + 604800 },
	{ "+366d", SIP_OK, NOW + 366 * 86400 },
	{ "+31622400", SIP_OK, NOW + 31622400 },
	{ "+31622401", SIP_EINVAL, 0 },
	{ "+367d", SIP_EINVAL, 0 },
	{ "+53w", SIP_EINVAL, 0 },
	{ "+9223372036854775807", SIP_EINVAL, 0 },
	{ "+9223372036854775807s", SIP_EINVAL, 0 },
	{ "@1799999940", SIP_OK, NOW - 60 },
	{ "@1799999939", SIP_EINVAL, 0 },
	{ "@1831622400", SIP_OK, NOW + 366 * 86400 },
	{ "@1831622401", SIP_EINVAL, 0 },
	{ "@0", SIP_EINVAL, 0 },
	{ "@9223372036854775000", SIP_EINVAL, 0 },
	{ "@9223372036854775807", SIP_EINVAL, 0 },
	{ "2027-01-15 08:00", SIP_OK, NOW },
	{ "2027-01-15 07:59", SIP_OK, NOW - 60 },
	{ "2027-01-15 07:58:59", SIP_EINVAL, 0 },
	{ "2028-01-16 08:00", SIP_OK, NOW + 366 * 86400 },
	{ "2028-01-16 08:00:01", SIP_EINVAL, 0 },
	{ "9999-12-31 23:59", SIP_EINVAL, 0 },
	{ "2001-01-01 00:00", SIP_EINVAL, 0 },
	{ "soon", SIP_EINVAL, 0 },
	{ "", SIP_EINVAL, 0 },
};

/* The checked sum: exact or refused, never wrapped. */
struct avec {
	int64_t		 a, b;
	enum sip_rc	 rc;
	int64_t		 want;
};

static const struct avec avecs[] = {
	{ 0, 0, SIP_OK, 0 },
	{ NOW, 14400, SIP_OK, NOW + 14400 },
	{ NOW, -60, SIP_OK, NOW - 60 },
	{ INT64_MAX - 1, 1, SIP_OK, INT64_MAX },
	{ INT64_MAX, 1, SIP_EINVAL, 0 },
	{ INT64_C(9223372036854775000), 30 * 86400, SIP_EINVAL, 0 },
	{ INT64_C(9223372036854775000), 807, SIP_OK, INT64_MAX },
	{ INT64_C(9223372036854775000), 808, SIP_EINVAL, 0 },
	{ INT64_MIN + 1, -1, SIP_OK, INT64_MIN },
	{ INT64_MIN, -1, SIP_EINVAL, 0 },
	{ INT64_MAX, INT64_MIN, SIP_OK, -1 },
};

/* What sip_duration_format prints, and sip_duration_parse reads back. */
struct fvec {
	int64_t		 secs;
	const char	*want;
};

static const struct fvec fvecs[] = {
	{ 0, "0s" },
	{ 1, "1s" },
	{ 90, "90s" },
	{ 60, "1m" },
	{ 900, "15m" },
	{ 3600, "1h" },
	{ 14400, "4h" },
	{ 86400, "1d" },
	{ 30 * 86400, "30d" },
	{ 604800, "1w" },
	{ 1209600, "2w" },
	{ 3650 * INT64_C(86400), "3650d" },
	{ INT64_MAX, "9223372036854775807s" },
};

static void	 test_durations(void);
static void	 test_adds(void);
static void	 test_formats(void);
static void	 test_times(void);

static void
test_durations(void)
{
	size_t i;
	int64_t v;

	for (i = 0; i < sizeof(dvecs) / sizeof(dvecs[0]); i++) {
		v = -42;
		is_int(sip_duration_parse(dvecs[i].s, dvecs[i].min,
		    dvecs[i].max, &v), dvecs[i].rc, "duration '%s': rc",
		    dvecs[i].s);
		is_int(v, dvecs[i].rc == SIP_OK ? dvecs[i].want : -42,
		    "duration '%s': value", dvecs[i].s);
	}
}

static void
test_times(void)
{
	struct sip_err err;
	struct stat sb;
	size_t i;
	time_t t;

	setenv("TZ", "UTC", 1);
	tzset();
	for (i = 0; i < sizeof(tvecs) / sizeof(tvecs[0]); i++) {
		t = 42;
		is_int(sip_time_parse(tvecs[i].s, (time_t)NOW, &t), tvecs[i].rc,
		    "time '%s': rc", tvecs[i].s);
		is_int(t, tvecs[i].rc == SIP_OK ? tvecs[i].want : 42,
		    "time '%s': value", tvecs[i].s);
	}

	for (i = 0; i < sizeof(atvecs) / sizeof(atvecs[0]); i++) {
		t = 42;
		err.msg[0] = '\0';
		is_int(sip_at_parse(atvecs[i].s, (time_t)NOW, &t, &err),
		    atvecs[i].rc, "at '%s': rc", atvecs[i].s);
		is_int(t, atvecs[i].rc == SIP_OK ? atvecs[i].want : 42,
		    "at '%s': value", atvecs[i].s);
		if (atvecs[i].rc != SIP_OK)
			ok(strstr(err.msg, atvecs[i].s) != NULL &&
			    strchr(err.msg, '\n') == NULL, "at '%s': one "
			    "line naming it: %s", atvecs[i].s, err.msg);
	}
	sip_at_parse("@0", (time_t)NOW, &t, &err);
	is_str(err.msg, "'@0': out of range: from a minute ago to 366 days "
	    "ahead (2027-01-15 07:59 to 2028-01-16 08:00)",
	    "at: the range is in the message, in local time");
	sip_at_parse("soon", (time_t)NOW, &t, &err);
	is_str(err.msg, "'soon': not a time (now, +DURATION, "
	    "YYYY-MM-DD HH:MM, @EPOCH)", "at: a syntax error says the forms");
	is_int(sip_at_parse("now", (time_t)INT64_MAX, &t, &err), SIP_EINVAL,
	    "at: a clock at the end of time is refused, not wrapped");

	if (stat("/usr/share/zoneinfo/Europe/Paris", &sb) == 0) {
		setenv("TZ", "Europe/Paris", 1);
		tzset();
		is_int(sip_time_parse("2026-11-25 10:30", (time_t)NOW, &t),
		    SIP_OK, "local time: Europe/Paris");
		is_int(t, 1795602600 - 3600, "local time: CET is UTC+1");
		is_int(sip_time_parse("2026-07-01 12:00", (time_t)NOW, &t),
		    SIP_OK, "local time: summer");
		is_int(t, INT64_C(1782907200) - 7200,
		    "local time: CEST is UTC+2");
		is_int(sip_time_parse("2026-03-29 02:30", (time_t)NOW, &t),
		    SIP_EINVAL, "local time: a time skipped by DST is refused");
	} else
		ok(1, "# SKIP no tzdata for Europe/Paris");
	setenv("TZ", "UTC", 1);
	tzset();
}

static void
test_adds(void)
{
	size_t i;
	int64_t v;

	for (i = 0; i < sizeof(avecs) / sizeof(avecs[0]); i++) {
		v = 42;
		is_int(sip_time_add(avecs[i].a, avecs[i].b, &v), avecs[i].rc,
		    "add %lld + %lld: rc", (long long)avecs[i].a,
		    (long long)avecs[i].b);
		is_int(v, avecs[i].rc == SIP_OK ? avecs[i].want : 42,
		    "add %lld + %lld: value", (long long)avecs[i].a,
		    (long long)avecs[i].b);
	}
}

static void
test_formats(void)
{
	char buf[32];
	size_t i;
	int64_t v;

	for (i = 0; i < sizeof(fvecs) / sizeof(fvecs[0]); i++) {
		sip_duration_format(fvecs[i].secs, buf, sizeof(buf));
		is_str(buf, fvecs[i].want, "format %lld",
		    (long long)fvecs[i].secs);
		v = -1;
		is_int(sip_duration_parse(buf, 0, INT64_MAX, &v), SIP_OK,
		    "format %lld: reads back", (long long)fvecs[i].secs);
		is_int(v, fvecs[i].secs, "format %lld: same seconds",
		    (long long)fvecs[i].secs);
	}
}

/* What sip_elapsed_format prints between two steps of an action. */
static const struct fvec evecs[] = {
	{ 0, "0s" },
	{ 59, "59s" },
	{ 60, "1m00s" },
	{ 312, "5m12s" },
	{ 3599, "59m59s" },
	{ 3600, "1h00m" },
	{ 11100, "3h05m" },
	{ 86399, "23h59m" },
	{ 86400, "1d00h" },
	{ 187200, "2d04h" },
	{ -3600, "-1h00m" },
	{ -1, "-1s" },
	{ INT64_MAX, "106751991167300d15h" },
	{ INT64_MIN, "-106751991167300d15h" },
};

static void
test_elapsed(void)
{
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(evecs) / sizeof(evecs[0]); i++) {
		sip_elapsed_format(evecs[i].secs, buf, sizeof(buf));
		is_str(buf, evecs[i].want, "elapsed %lld",
		    (long long)evecs[i].secs);
	}
}

int
main(void)
{
	test_durations();
	test_formats();
	test_elapsed();
	test_times();
	test_adds();
	return done_testing();
}
