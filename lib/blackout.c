/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Blackout windows ([blackout] windows): the weekday hours when destructive actions must not start. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "se3ipxe.h"
#include "extern.h"

static const char *const day_names[7] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat"
};

static int
day_scan(const char **pp)
{
	const char *p = *pp;
	int i;

	for (i = 0; i < 7; i++)
		if (strncasecmp(p, day_names[i], 3) == 0 &&
		    !isalpha((unsigned char)p[3])) {
			*pp = p + 3;
			return i;
		}
	return -1;
}

/* HH:MM, 00:00 to 24:00, as minutes since midnight; -1 if not one. */
static int
hhmm_scan(const char **pp)
{
	const char *p = *pp;
	int h, m;

	if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) ||
	    p[2] != ':' || !isdigit((unsigned char)p[3]) ||
	    !isdigit((unsigned char)p[4]) || isdigit((unsigned char)p[5]))
		return -1;
	h = (p[0] - '0') * 10 + (p[1] - '0');
	m = (p[3] - '0') * 10 + (p[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return -1;
	*pp = p + 5;
	return h * 60 + m;
}

static void
blanks(const char **pp)
{
	while (**pp == ' ' || **pp == '\t')
		(*pp)++;
}

enum sip_rc
sip_blackout_parse(const char *s, struct sip_blackout *w, size_t max,
    size_t *np, char *why, size_t whysz)
{
	const char *p = s, *at;
	int d1, d2, d, start, end;
	unsigned int days;
	size_t n = 0;

	*np = 0;
	blanks(&p);
	while (*p != '\0') {
		days = 0;
		/* Days: mon, mon-fri, sat,sun; a range may wrap (fri-mon). */
		for (;;) {
			at = p;
			if ((d1 = day_scan(&p)) == -1) {
				snprintf(why, whysz, "'%.16s': not a day "
				    "(mon tue wed thu fri sat sun)", at);
				return SIP_EINVAL;
			}
			d2 = d1;
			if (*p == '-') {
				p++;
				at = p;
				if ((d2 = day_scan(&p)) == -1) {
					snprintf(why, whysz, "'%.16s': not a "
					    "day", at);
					return SIP_EINVAL;
				}
			}
			for (d = d1;; d = (d + 1) % 7) {
				days |= 1u << d;
				if (d == d2)
					break;
			}
			if (*p != ',')
				break;
			p++;
			blanks(&p);
		}
		if (*p != ' ' && *p != '\t') {
			snprintf(why, whysz, "'%.16s': days, then a blank, "
			    "then HH:MM-HH:MM", p);
			return SIP_EINVAL;
		}
		blanks(&p);
		at = p;
		if ((start = hhmm_scan(&p)) == -1 || *p++ != '-' ||
		    (end = hhmm_scan(&p)) == -1) {
			snprintf(why, whysz, "'%.16s': not HH:MM-HH:MM "
			    "(00:00 to 24:00)", at);
			return SIP_EINVAL;
		}
		if (start >= end) {
			snprintf(why, whysz, "'%.11s': ends before it starts "
			    "(a window that spans midnight is two)", at);
			return SIP_EINVAL;
		}
		if (n == max) {
			snprintf(why, whysz, "more than %zu windows", max);
			return SIP_EINVAL;
		}
		w[n].days = days;
		w[n].start = start;
		w[n].end = end;
		n++;
		blanks(&p);
		if (*p == '\0')
			break;
		if (*p != ',') {
			snprintf(why, whysz, "'%.16s': a comma between two "
			    "windows", p);
			return SIP_EINVAL;
		}
		p++;
		blanks(&p);
		if (*p == '\0') {
			snprintf(why, whysz, "a comma with no window after it");
			return SIP_EINVAL;
		}
	}
	*np = n;
	return SIP_OK;
}

/* The window holding local time tm, or NULL. */
static const struct sip_blackout *
window_at(const struct sip_blackout *w, size_t n, const struct tm *tm)
{
	int minute = tm->tm_hour * 60 + tm->tm_min;
	size_t i;

	for (i = 0; i < n; i++)
		if ((w[i].days & 1u << tm->tm_wday) && minute >= w[i].start &&
		    minute < w[i].end)
			return &w[i];
	return NULL;
}

/*
 * The first time after `after` that reads as minute m of tm's day:
 * mktime guesses the DST of an hour the autumn change repeats, and may
 * guess the earlier one.
 */
static time_t
day_minute(const struct tm *day, int m, time_t after)
{
	struct tm tm;
	time_t e;
	int isdst;

	for (isdst = -1; isdst <= 1; isdst++) {
		tm = *day;
		tm.tm_hour = m / 60;
		tm.tm_min = m % 60;
		tm.tm_sec = 0;
		tm.tm_isdst = isdst;
		if ((e = mktime(&tm)) != (time_t)-1 && e > after)
			return e;
	}
	return (time_t)-1;
}

/*
 * Local time, through mktime: a day with a DST change is 23 or 25 hours
 * long, so that 12:00 is never midnight + 12 h there.  Windows that meet
 * (08:00-10:00, 10:00-12:00) are one blackout; a week of windows that
 * never ends gives an end a week or more ahead, itself in a window.
 */
int
sip_blackout_end(const struct sip_blackout *w, size_t n, time_t t,
    time_t *end)
{
	const struct sip_blackout *b;
	struct tm tm;
	time_t e = t, next;
	int in = 0, guard;

	for (guard = 0; guard < 8 * (int)n + 8; guard++) {
		if (localtime_r(&e, &tm) == NULL ||
		    (b = window_at(w, n, &tm)) == NULL)
			break;
		if ((next = day_minute(&tm, b->end, e)) == (time_t)-1)
			break;
		in = 1;
		e = next;
	}
	if (in && end != NULL)
		*end = e;
	return in;
}
