/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for [blackout] windows: one vector per form and per rule, and their ends in local time across a DST change. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "se3ipxe.h"
#include "tap.h"

struct pvec {
	const char	*s;
	enum sip_rc	 rc;
	const char	*want;	/* "DAYS START END;" per window, or why */
};

#define MON_FRI	"62"	/* bits 1 to 5 */

static const struct pvec pvecs[] = {
	{ "", SIP_OK, "" },
	{ "   ", SIP_OK, "" },
	{ "mon-fri 08:00-12:00", SIP_OK, MON_FRI " 480 720;" },
	{ "mon-fri 08:00-12:00, mon-fri 13:30-17:30", SIP_OK,
	  MON_FRI " 480 720;" MON_FRI " 810 1050;" },
	{ "mon,wed,fri 08:00-10:00", SIP_OK, "42 480 600;" },
	{ "MON-Fri 08:00-10:00", SIP_OK, MON_FRI " 480 600;" },
	{ "sat,sun 00:00-24:00", SIP_OK, "65 0 1440;" },
	{ "fri-mon 18:00-19:00", SIP_OK, "99 1080 1140;" },
	{ "sun-sat 00:00-00:01", SIP_OK, "127 0 1;" },
	{ "mon 08:00-09:00,tue 10:00-11:00", SIP_OK,
	  "2 480 540;4 600 660;" },
	{ "mon\t08:00-09:00", SIP_OK, "2 480 540;" },
	{ "mon, tue 08:00-09:00", SIP_OK, "6 480 540;" },
	{ "mon 08:00-09:00,", SIP_EINVAL, "a comma with no window after it" },
	{ "monday 08:00-09:00", SIP_EINVAL,
	  "'monday 08:00-09:': not a day (mon tue wed thu fri sat sun)" },
	{ "08:00-09:00", SIP_EINVAL,
	  "'08:00-09:00': not a day (mon tue wed thu fri sat sun)" },
	{ "mon", SIP_EINVAL, "'': days, then a blank, then HH:MM-HH:MM" },
	{ "mon 8:00-9:00", SIP_EINVAL,
	  "'8:00-9:00': not HH:MM-HH:MM (00:00 to 24:00)" },
	{ "mon 08:00-24:01", SIP_EINVAL,
	  "'08:00-24:01': not HH:MM-HH:MM (00:00 to 24:00)" },
	{ "mon 08:60-09:00", SIP_EINVAL,
	  "'08:60-09:00': not HH:MM-HH:MM (00:00 to 24:00)" },
	{ "mon 12:00-08:00", SIP_EINVAL,
	  "'12:00-08:00': ends before it starts (a window that spans "
	  "midnight is two)" },
	{ "mon 08:00-08:00", SIP_EINVAL,
	  "'08:00-08:00': ends before it starts (a window that spans "
	  "midnight is two)" },
	{ "mon 08:00-09:00 tue 10:00-11:00", SIP_EINVAL,
	  "'tue 10:00-11:00': a comma between two windows" },
	{ "mon-xyz 08:00-09:00", SIP_EINVAL, "'xyz 08:00-09:00': not a day" },
	{ "mon 08:00-09:000", SIP_EINVAL,
	  "'08:00-09:000': not HH:MM-HH:MM (00:00 to 24:00)" },
};

static void
test_parse(void)
{
	struct sip_blackout w[SIP_BLACKOUT_MAX];
	char got[512], why[128];
	size_t n, i, k;
	enum sip_rc rc;

	for (i = 0; i < sizeof(pvecs) / sizeof(pvecs[0]); i++) {
		why[0] = '\0';
		rc = sip_blackout_parse(pvecs[i].s, w, SIP_BLACKOUT_MAX, &n,
		    why, sizeof(why));
		got[0] = '\0';
		if (rc == SIP_OK)
			for (k = 0; k < n; k++)
				snprintf(got + strlen(got), sizeof(got) -
				    strlen(got), "%u %d %d;", w[k].days,
				    w[k].start, w[k].end);
		else
			snprintf(got, sizeof(got), "%s", why);
		is_int(rc, pvecs[i].rc, "parse '%s': rc", pvecs[i].s);
		is_str(got, pvecs[i].want, "parse '%s'", pvecs[i].s);
	}
}

static void
test_max(void)
{
	struct sip_blackout w[SIP_BLACKOUT_MAX];
	char s[2048], why[128];
	size_t n, i;

	s[0] = '\0';
	for (i = 0; i <= SIP_BLACKOUT_MAX; i++)
		snprintf(s + strlen(s), sizeof(s) - strlen(s), "%smon "
		    "08:00-09:00", i > 0 ? ", " : "");
	is_int(sip_blackout_parse(s, w, SIP_BLACKOUT_MAX, &n, why,
	    sizeof(why)), SIP_EINVAL, "one window more than the maximum");
	is_str(why, "more than 32 windows", "says the maximum");
}

/* Local time in TZ, as mktime reads it with isdst (-1: its guess). */
static time_t
local_dst(int y, int mo, int d, int h, int mi, int isdst)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_isdst = isdst;
	return mktime(&tm);
}

static time_t
local(int y, int mo, int d, int h, int mi)
{
	return local_dst(y, mo, d, h, mi, -1);
}

struct evec {
	const char	*windows;
	int		 at[5];		/* y m d h min, local */
	int		 in;
	int		 end[5];	/* local */
	const char	*what;
};

static const struct evec evecs[] = {
	/* 2026-12-07 is a Monday. */
	{ "mon-fri 08:00-12:00", { 2026, 12, 7, 9, 0 }, 1,
	  { 2026, 12, 7, 12, 0 }, "inside: ends at 12:00" },
	{ "mon-fri 08:00-12:00", { 2026, 12, 7, 8, 0 }, 1,
	  { 2026, 12, 7, 12, 0 }, "its first minute is inside" },
	{ "mon-fri 08:00-12:00", { 2026, 12, 7, 12, 0 }, 0,
	  { 0, 0, 0, 0, 0 }, "its end is outside" },
	{ "mon-fri 08:00-12:00", { 2026, 12, 7, 7, 59 }, 0,
	  { 0, 0, 0, 0, 0 }, "before it is outside" },
	{ "mon-fri 08:00-12:00", { 2026, 12, 6, 9, 0 }, 0,
	  { 0, 0, 0, 0, 0 }, "another day is outside" },
	{ "mon-fri 08:00-12:00, mon-fri 12:00-13:30", { 2026, 12, 7, 9, 0 },
	  1, { 2026, 12, 7, 13, 30 }, "windows that meet are one" },
	{ "mon 22:00-24:00, tue 00:00-06:00", { 2026, 12, 7, 23, 0 }, 1,
	  { 2026, 12, 8, 6, 0 }, "over midnight, as two windows" },
	/* 2026-03-29: Europe/Paris goes from 02:00 CET to 03:00 CEST. */
	{ "sun 00:00-12:00", { 2026, 3, 29, 1, 0 }, 1,
	  { 2026, 3, 29, 12, 0 }, "DST starts: 12:00 is 10 h after 01:00" },
	{ "sun 08:00-12:00", { 2026, 3, 29, 9, 0 }, 1,
	  { 2026, 3, 29, 12, 0 }, "DST starts: 12:00 CEST, not CET" },
	/* 2026-10-25: from 03:00 CEST back to 02:00 CET. */
	{ "sun 00:00-12:00", { 2026, 10, 25, 1, 0 }, 1,
	  { 2026, 10, 25, 12, 0 }, "DST ends: 12:00 is 12 h after 01:00" },
};

static void
test_end(void)
{
	struct sip_blackout w[SIP_BLACKOUT_MAX];
	const struct evec *v;
	char why[128];
	time_t t, end, want;
	size_t n, i;
	int in;

	setenv("TZ", "Europe/Paris", 1);
	tzset();
	for (i = 0; i < sizeof(evecs) / sizeof(evecs[0]); i++) {
		v = &evecs[i];
		if (sip_blackout_parse(v->windows, w, SIP_BLACKOUT_MAX, &n,
		    why, sizeof(why)) != SIP_OK) {
			ok(0, "%s: parse: %s", v->what, why);
			continue;
		}
		t = local(v->at[0], v->at[1], v->at[2], v->at[3], v->at[4]);
		end = 0;
		in = sip_blackout_end(w, n, t, &end);
		is_int(in, v->in, "%s: in a window", v->what);
		if (v->in) {
			want = local(v->end[0], v->end[1], v->end[2],
			    v->end[3], v->end[4]);
			is_int((long long)(end - t), (long long)(want - t),
			    "%s: ends %lld s later", v->what,
			    (long long)(want - t));
		}
	}
	/* The DST vectors measured in seconds, not by mktime again. */
	t = local(2026, 3, 29, 1, 0);
	sip_blackout_parse("sun 00:00-12:00", w, SIP_BLACKOUT_MAX, &n, why,
	    sizeof(why));
	sip_blackout_end(w, n, t, &end);
	is_int((long long)(end - t), 10 * 3600,
	    "Europe/Paris, 2026-03-29 01:00 to 12:00: 10 hours (23-hour day)");
	t = local(2026, 10, 25, 1, 0);
	sip_blackout_end(w, n, t, &end);
	is_int((long long)(end - t), 12 * 3600,
	    "Europe/Paris, 2026-10-25 01:00 to 12:00: 12 hours (25-hour day)");
	is_int(sip_blackout_end(w, 0, t, &end), 0, "no window: never in one");
	/* The second 02:10 (CET, isdst 0), an hour after the first (CEST). */
	t = local_dst(2026, 10, 25, 2, 10, 0);
	is_int((long long)(t - local_dst(2026, 10, 25, 2, 10, 1)), 3600,
	    "Europe/Paris, 2026-10-25: 02:10 happens twice, an hour apart");
	sip_blackout_parse("sun 02:00-02:30", w, SIP_BLACKOUT_MAX, &n, why,
	    sizeof(why));
	is_int(sip_blackout_end(w, n, t, &end), 1,
	    "Europe/Paris, 2026-10-25, the second 02:10: in the window");
	is_int((long long)(end - t), 20 * 60, "... which ends 20 min later");
	/* Windows over the whole week never end: the end is a week on. */
	sip_blackout_parse("sun-sat 00:00-24:00", w, SIP_BLACKOUT_MAX, &n,
	    why, sizeof(why));
	ok(sip_blackout_end(w, n, t, &end) == 1 && end - t >= 7 * 86400,
	    "a blackout all week: ends a week or more ahead");
}

int
main(void)
{
	test_parse();
	test_max();
	test_end();
	return done_testing();
}
