/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The duration and time grammar shared by the configuration and the CLI's --expires and --at. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "se3ipxe.h"
#include "extern.h"

#define MINUTE	INT64_C(60)
#define HOUR	(60 * MINUTE)
#define DAY	(24 * HOUR)
#define WEEK	(7 * DAY)

static enum sip_rc parse_digits(const char **, int, int64_t *);
static int	 days_in_month(int64_t, int64_t);
static void	 format_local(int64_t, char *, size_t);

/*
 * Exactly ndigits digits (ndigits 0: one or more, up to overflow) at *sp;
 * advances *sp.
 */
static enum sip_rc
parse_digits(const char **sp, int ndigits, int64_t *out)
{
	const char *s = *sp;
	int64_t v = 0;
	int n = 0;

	while (*s >= '0' && *s <= '9' && (ndigits == 0 || n < ndigits)) {
		if (v > (INT64_MAX - (*s - '0')) / 10)
			return SIP_EINVAL;
		v = v * 10 + (*s - '0');
		s++;
		n++;
	}
	if (n == 0 || (ndigits != 0 && n != ndigits))
		return SIP_EINVAL;
	*sp = s;
	*out = v;
	return SIP_OK;
}

/*
 * Digits and an optional unit; *overflow tells a number too large for
 * int64_t seconds from a syntax error.
 */
enum sip_rc
sip_duration_scan(const char *s, int64_t *out, int *overflow)
{
	int64_t v, unit;

	*overflow = 0;
	if (s == NULL || *s < '0' || *s > '9')
		return SIP_EINVAL;
	for (v = 0; *s >= '0' && *s <= '9'; s++) {
		if (v > (INT64_MAX - (*s - '0')) / 10)
			*overflow = 1;
		else
			v = v * 10 + (*s - '0');
	}
	switch (*s) {
	case '\0':
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = MINUTE;
		break;
	case 'h':
		unit = HOUR;
		break;
	case 'd':
		unit = DAY;
		break;
	case 'w':
		unit = WEEK;
		break;
	default:
		*overflow = 0;
		return SIP_EINVAL;
	}
	if (*s != '\0' && s[1] != '\0') {
		*overflow = 0;
		return SIP_EINVAL;
	}
	if (*overflow || v > INT64_MAX / unit) {
		*overflow = 1;
		return SIP_EINVAL;
	}
	*out = v * unit;
	return SIP_OK;
}

enum sip_rc
sip_duration_parse(const char *s, int64_t min, int64_t max, int64_t *out)
{
	int64_t v;
	int overflow;

	if (sip_duration_scan(s, &v, &overflow) != SIP_OK || v < min || v > max)
		return SIP_EINVAL;
	*out = v;
	return SIP_OK;
}

static int
days_in_month(int64_t year, int64_t month)
{
	static const int days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (month == 2 && ((year % 4 == 0 && year % 100 != 0) ||
	    year % 400 == 0))
		return 29;
	return days[month - 1];
}

enum sip_rc
sip_time_parse(const char *s, time_t now, time_t *out)
{
	struct tm tm;
	int64_t v, year, mon, mday, hour, min, sec = 0;
	time_t t;

	if (s == NULL)
		return SIP_EINVAL;
	if (strcmp(s, "now") == 0) {
		*out = now;
		return SIP_OK;
	}
	if (s[0] == '+') {
		if (sip_duration_parse(s + 1, 0, INT64_MAX, &v) != SIP_OK)
			return SIP_EINVAL;
		if (now < 0 || sip_time_add((int64_t)now, v, &v) != SIP_OK ||
		    (int64_t)(time_t)v != v)
			return SIP_EINVAL;
		*out = (time_t)v;
		return SIP_OK;
	}
	if (s[0] == '@') {
		s++;
		if (parse_digits(&s, 0, &v) != SIP_OK || *s != '\0' ||
		    (int64_t)(time_t)v != v)
			return SIP_EINVAL;
		*out = (time_t)v;
		return SIP_OK;
	}

	/* YYYY-MM-DD[ T]HH:MM[:SS], local time. */
	if (parse_digits(&s, 4, &year) != SIP_OK || *s++ != '-' ||
	    parse_digits(&s, 2, &mon) != SIP_OK || *s++ != '-' ||
	    parse_digits(&s, 2, &mday) != SIP_OK)
		return SIP_EINVAL;
	if (*s != ' ' && *s != 'T')
		return SIP_EINVAL;
	s++;
	if (parse_digits(&s, 2, &hour) != SIP_OK || *s++ != ':' ||
	    parse_digits(&s, 2, &min) != SIP_OK)
		return SIP_EINVAL;
	if (*s == ':') {
		s++;
		if (parse_digits(&s, 2, &sec) != SIP_OK)
			return SIP_EINVAL;
	}
	if (*s != '\0')
		return SIP_EINVAL;
	if (year < 1970 || mon < 1 || mon > 12 || mday < 1 ||
	    mday > days_in_month(year, mon) || hour > 23 || min > 59 ||
	    sec > 59)
		return SIP_EINVAL;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)(year - 1900);
	tm.tm_mon = (int)(mon - 1);
	tm.tm_mday = (int)mday;
	tm.tm_hour = (int)hour;
	tm.tm_min = (int)min;
	tm.tm_sec = (int)sec;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1)
		return SIP_EINVAL;
	/* A local time skipped by a DST change does not exist. */
	if (tm.tm_year != year - 1900 || tm.tm_mon != mon - 1 ||
	    tm.tm_mday != mday || tm.tm_hour != hour || tm.tm_min != min ||
	    tm.tm_sec != sec)
		return SIP_EINVAL;
	*out = t;
	return SIP_OK;
}

enum sip_rc
sip_time_add(int64_t a, int64_t b, int64_t *sum)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return SIP_EINVAL;
	*sum = r;
	return SIP_OK;
}

/* Local time as the CLI prints it, for the range in an error message. */
static void
format_local(int64_t t, char *buf, size_t sz)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if ((int64_t)tt != t || localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sz, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, sz, "@%" PRId64, t);
}

enum sip_rc
sip_at_parse(const char *s, time_t now, time_t *out, struct sip_err *err)
{
	char from[32], to[32];
	int64_t lo, hi;
	time_t t;

	if (sip_time_parse(s, now, &t) != SIP_OK)
		return sip_errf(err, SIP_EINVAL, "'%s': not a time (now, "
		    "+DURATION, YYYY-MM-DD HH:MM, @EPOCH)", s != NULL ? s : "");
	if (sip_time_add((int64_t)now, -SIP_AT_PAST, &lo) != SIP_OK ||
	    sip_time_add((int64_t)now, SIP_AT_AHEAD, &hi) != SIP_OK)
		return sip_errf(err, SIP_EINVAL, "'%s': the clock (@%lld) is "
		    "out of range", s, (long long)now);
	if ((int64_t)t < lo || (int64_t)t > hi) {
		format_local(lo, from, sizeof(from));
		format_local(hi, to, sizeof(to));
		return sip_errf(err, SIP_EINVAL, "'%s': out of range: from a "
		    "minute ago to 366 days ahead (%s to %s)", s, from, to);
	}
	*out = t;
	return SIP_OK;
}

/*
 * Seconds back into the largest exact unit sip_duration_parse reads, so
 * that what is printed can be typed again: "90s", "15m", "4h", "2w".
 */
void
sip_duration_format(int64_t s, char *buf, size_t sz)
{
	static const struct {
		int64_t	 secs;
		char	 unit;
	} units[] = {
		{ WEEK, 'w' }, { DAY, 'd' }, { HOUR, 'h' }, { MINUTE, 'm' }
	};
	size_t i;

	for (i = 0; i < SIP_ARRAY_SIZE(units); i++)
		if (s > 0 && s % units[i].secs == 0) {
			snprintf(buf, sz, "%" PRId64 "%c", s / units[i].secs,
			    units[i].unit);
			return;
		}
	snprintf(buf, sz, "%" PRId64 "s", s);
}

/*
 * A span as people read it, two units at most: "42s", "5m12s", "3h05m",
 * "2d04h"; a clock that stepped back gives a negative one, "-1h00m".
 */
void
sip_elapsed_format(int64_t s, char *buf, size_t sz)
{
	const uint64_t m = MINUTE, h = HOUR, d = DAY;
	const char *sign = "";
	uint64_t u;

	u = (uint64_t)s;
	if (s < 0) {
		sign = "-";
		u = -u;
	}
	if (u < m)
		snprintf(buf, sz, "%s%" PRIu64 "s", sign, u);
	else if (u < h)
		snprintf(buf, sz, "%s%" PRIu64 "m%02" PRIu64 "s", sign,
		    u / m, u % m);
	else if (u < d)
		snprintf(buf, sz, "%s%" PRIu64 "h%02" PRIu64 "m", sign,
		    u / h, u % h / m);
	else
		snprintf(buf, sz, "%s%" PRIu64 "d%02" PRIu64 "h", sign,
		    u / d, u % d / h);
}
