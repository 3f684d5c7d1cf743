/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the active list: the whole check, the binary search in memory and on the file, the writer, the missing-MAC check. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"
#define TFILE_TEMPLATE	"/tmp/se3ipxe-active.XXXXXX"
#include "tfile.h"

/* A literal and its length, NUL bytes included. */
#define L(s)		s, sizeof(s) - 1

/* In the list's order: M0 < M < M2 < MX < M3 < M4. */
#define M0	"02:00:00:00:00:01"
#define M	"52:54:00:12:34:56"
#define M2	"52:54:00:12:34:57"
#define MX	"52:54:00:12:34:58"
#define M3	"52:54:00:ab:cd:ef"
#define M4	"fe:ff:ff:ff:ff:ff"
#define MLOW	"52:54:00:12:34:55"

#define HDR	"se3-ipxe active 2\n"
#define HDR1	"se3-ipxe active 1\n"
#define END	"end\n"
#define NL	"\n"
#define ABC	HDR M NL M2 NL M3 NL END

/* Whatever parse says, the search answers the same. */
#define SAME	-2

static void		 test_vectors(void);
static void		 test_big(void);
static void		 test_flat(void);
static void		 test_files(void);

/* ---------------------------------------------------------------- vectors */

/*
 * The text, the MAC asked; the whole check's answer (rc, listed); the
 * search's, in memory and on the file (srch, slisted; SAME: as parse).
 * The search reads only the lines on its path: a fault elsewhere is the
 * whole check's to find.
 */
static const struct {
	const char	*text;
	size_t		 len;
	const char	*mac;
	enum sip_rc	 rc;
	int		 listed;
	int		 srch;
	int		 slisted;
	const char	*why;		/* in the message of an error */
} active[] = {
	/* the empty list */
	{ L(HDR END), M, SIP_OK, 0, SAME, 0, NULL },
	{ L(HDR END), NULL, SIP_OK, 0, SAME, 0, NULL },
	/* one record */
	{ L(HDR M NL END), M, SIP_OK, 1, SAME, 0, NULL },
	{ L(HDR M NL END), M0, SIP_OK, 0, SAME, 0, NULL },
	{ L(HDR M NL END), M2, SIP_OK, 0, SAME, 0, NULL },
	{ L(HDR M NL END), NULL, SIP_OK, 0, SAME, 0, NULL },
	/* first, middle, last, absent before, between and after */
	{ L(ABC), M, SIP_OK, 1, SAME, 0, NULL },
	{ L(ABC), M2, SIP_OK, 1, SAME, 0, NULL },
	{ L(ABC), M3, SIP_OK, 1, SAME, 0, NULL },
	{ L(ABC), M0, SIP_OK, 0, SAME, 0, NULL },
	{ L(ABC), MX, SIP_OK, 0, SAME, 0, NULL },
	{ L(ABC), M4, SIP_OK, 0, SAME, 0, NULL },
	{ L(ABC), NULL, SIP_OK, 0, SAME, 0, NULL },
	{ L(HDR M3 NL END), "52:54:00:AB:CD:EF", SIP_OK, 0, SAME, 0, NULL },
	/* duplicates: found next to the MAC asked */
	{ L(HDR M NL M NL END), M, SIP_EINVAL, 0, SAME, 0, "same MAC" },
	{ L(HDR M NL M2 NL M2 NL END), M2, SIP_EINVAL, 0, SAME, 0,
	    "same MAC" },
	{ L(HDR M NL M NL M2 NL END), M, SIP_EINVAL, 0, SAME, 0, "same MAC" },
	/* ... elsewhere, the search does not read them */
	{ L(HDR M NL M NL END), M2, SIP_EINVAL, 0, SIP_OK, 0, "same MAC" },
	/* unsorted: found out of order on the search's path */
	{ L(HDR M3 NL M NL END), MLOW, SIP_EINVAL, 0, SAME, 0, "not sorted" },
	{ L(HDR M NL M3 NL M2 NL END), M4, SIP_EINVAL, 0, SAME, 0,
	    "not sorted" },
	/* ... off its path: the search answers, the whole check refuses */
	{ L(HDR M3 NL M NL END), M, SIP_EINVAL, 0, SIP_OK, 1, "not sorted" },
	{ L(HDR M3 NL M NL END), M4, SIP_EINVAL, 0, SIP_OK, 0, "not sorted" },
	{ L(HDR M NL M3 NL M2 NL END), M3, SIP_EINVAL, 0, SIP_OK, 1,
	    "not sorted" },
	/* a bad line off the search's path */
	{ L(HDR M NL M2 NL "52:54:00:12:34:5g\n" END), M, SIP_EINVAL, 0,
	    SIP_OK, 1, "line 4: not a MAC" },
	/* header */
	{ L(""), M, SIP_EINVAL, 0, SAME, 0, "no header" },
	{ L(END), M, SIP_EINVAL, 0, SAME, 0, "no header" },
	{ L(M NL END), M, SIP_EINVAL, 0, SAME, 0, "no header" },
	{ L(M NL M2 NL END), M, SIP_EINVAL, 0, SAME, 0, "no header" },
	{ L("se3-ipxe active 2"), M, SIP_EINVAL, 0, SAME, 0, "no header" },
	{ L("se3-ipxe active 3\n" END), M, SIP_EINVAL, 0, SAME, 0,
	    "no header" },
	{ L("se3-ipxe active 0\n" END), M, SIP_EINVAL, 0, SAME, 0,
	    "no header" },
	{ L("se3-ipxe active 20\n" END), M, SIP_EINVAL, 0, SAME, 0,
	    "no header" },
	{ L("se3-ipxe active\n" END), M, SIP_EINVAL, 0, SAME, 0, "no header" },
	{ L("SE3-IPXE ACTIVE 2\n" END), M, SIP_EINVAL, 0, SAME, 0,
	    "no header" },
	{ L(" se3-ipxe active 2\n" END), M, SIP_EINVAL, 0, SAME, 0,
	    "no header" },
	{ L("\xef\xbb\xbf" HDR END), M, SIP_EINVAL, 0, SAME, 0, "no header" },
	{ L("se3-ipxe active 2\r\n" END), M, SIP_EINVAL, 0, SAME, 0,
	    "no header" },
	/* version 1: no list, whatever it says */
	{ L(HDR1 END), M, SIP_EINVAL, 0, SAME, 0, "version 1" },
	{ L(HDR1 M NL END), M, SIP_EINVAL, 0, SAME, 0, "version 1" },
	{ L(HDR1 M2 NL M NL END), M2, SIP_EINVAL, 0, SAME, 0, "version 1" },
	/* cut short, or not a whole number of lines */
	{ L(HDR), M, SIP_EINVAL, 0, SAME, 0, "cut short" },
	{ L(HDR M NL), M, SIP_EINVAL, 0, SAME, 0, "cut short" },
	{ L(HDR M NL M2 NL), M, SIP_EINVAL, 0, SAME, 0, "cut short" },
	{ L(HDR "end"), M, SIP_EINVAL, 0, SAME, 0, "cut short" },
	{ L(HDR M NL "end"), M, SIP_EINVAL, 0, SAME, 0, "cut short" },
	{ L(HDR "52:54:00:12:3"), M, SIP_EINVAL, 0, SAME, 0, "cut short" },
	{ L(HDR M), M, SIP_EINVAL, 0, SAME, 0, "cut short" },
	{ L(HDR "52:54:00:12:34:5" END), M, SIP_EINVAL, 0, SAME, 0,
	    "cut short" },
	{ L(HDR "52:54:00:12:34\n" END), M, SIP_EINVAL, 0, SAME, 0,
	    "cut short" },
	{ L(HDR M END), M, SIP_EINVAL, 0, SAME, 0, "cut short" },
	{ L(HDR M NL "x" END), M, SIP_EINVAL, 0, SAME, 0, "cut short" },
	{ L(HDR M NL M2 NL M3 NL "e" END), M2, SIP_EINVAL, 0, SAME, 0,
	    "cut short" },
	{ L(HDR "\n" END), M, SIP_EINVAL, 0, SAME, 0, "cut short" },
	{ L(HDR M "\r\n" END), M, SIP_EINVAL, 0, SAME, 0, "cut short" },
	{ L(HDR M " \n" END), M, SIP_EINVAL, 0, SAME, 0, "cut short" },
	{ L(HDR " 52:54:00:12:34:56\n" END), M, SIP_EINVAL, 0, SAME, 0,
	    "cut short" },
	{ L(HDR "525400123456\n" END), M, SIP_EINVAL, 0, SAME, 0,
	    "cut short" },
	/* trailer */
	{ L(HDR "END\n"), M, SIP_EINVAL, 0, SAME, 0, "trailer" },
	{ L(HDR "end \n"), M, SIP_EINVAL, 0, SAME, 0, "cut short" },
	{ L(HDR "end\r\n"), M, SIP_EINVAL, 0, SAME, 0, "cut short" },
	{ L(HDR END "x"), M, SIP_EINVAL, 0, SAME, 0, "cut short" },
	{ L(HDR END "\n"), M, SIP_EINVAL, 0, SAME, 0, "cut short" },
	{ L(HDR END "\0"), M, SIP_EINVAL, 0, SAME, 0, "cut short" },
	{ L(HDR END END), M, SIP_EINVAL, 0, SAME, 0, "cut short" },
	{ L(HDR END M NL), M, SIP_EINVAL, 0, SAME, 0, "trailer" },
	{ L(HDR END M NL END), M, SIP_EINVAL, 0, SAME, 0, "cut short" },
	{ L(HDR M NL "\0\0\0\0"), M, SIP_EINVAL, 0, SAME, 0, "trailer" },
	/* lines of the right width that are not MACs */
	{ L(HDR "end\nxxxxxxxxxxxxx\n" END), M, SIP_EINVAL, 0, SAME, 0,
	    "line 2: not a MAC" },
	{ L(HDR "52:54:00:AB:CD:EF\n" END), M, SIP_EINVAL, 0, SAME, 0,
	    "line 2: not a MAC" },
	{ L(HDR "52-54-00-12-34-56\n" END), M, SIP_EINVAL, 0, SAME, 0,
	    "not a MAC" },
	{ L(HDR M " " END), M, SIP_EINVAL, 0, SAME, 0, "not a MAC" },
	{ L(HDR M "\0" END), M, SIP_EINVAL, 0, SAME, 0, "not a MAC" },
	{ L(HDR "#52:54:00:12:34:5\n" END), M, SIP_EINVAL, 0, SAME, 0,
	    "not a MAC" },
	{ L(HDR "\n52:54:00:12:34:56" END), M, SIP_EINVAL, 0, SAME, 0,
	    "not a MAC" },
	{ L(HDR "se3-ipxe active 2\n" END), M, SIP_EINVAL, 0, SAME, 0,
	    "not a MAC" },
	{ L(HDR "end\nend\nend\nend\nen" END), M, SIP_EINVAL, 0, SAME, 0,
	    "not a MAC" },
};

/* ---------------------------------------------------------------- helpers */

/* Replace path with len bytes of s (not by a rename: no reader here). */
#define put(...)	tfile_write(O_TRUNC, __VA_ARGS__)

/* ------------------------------------------------------------------ tests */

static void
test_vectors(void)
{
	const char *db = path_in("v.db"), *al = path_in("v.db-active");
	struct sip_err err;
	enum sip_rc rc, want;
	size_t i;
	int listed, wlisted;

	for (i = 0; i < sizeof(active) / sizeof(active[0]); i++) {
		const char *mac = active[i].mac != NULL ? active[i].mac :
		    "NULL";

		err.msg[0] = '\0';
		listed = -1;
		rc = sip_active_parse(active[i].text, active[i].len,
		    active[i].mac, &listed, &err);
		is_int(rc, active[i].rc, "%zu parse '%.*s' (%s) -> %s", i,
		    (int)active[i].len, active[i].text, mac,
		    sip_strerror(active[i].rc));
		if (rc == SIP_OK)
			is_int(listed, active[i].listed, "%zu: listed %d", i,
			    active[i].listed);
		else {
			ok(one_line(&err) && listed == 0, "%zu: not listed, "
			    "one-line message: %s", i, err.msg);
			ok(active[i].why == NULL ||
			    strstr(err.msg, active[i].why) != NULL,
			    "%zu: says '%s'", i, active[i].why);
		}

		want = active[i].srch == SAME ? active[i].rc :
		    (enum sip_rc)active[i].srch;
		wlisted = active[i].srch == SAME ? active[i].listed :
		    active[i].slisted;
		listed = -1;
		err.msg[0] = '\0';
		rc = sip_active_search(active[i].text, active[i].len,
		    active[i].mac, &listed, &err);
		is_int(rc, want, "%zu search (%s) -> %s", i, mac,
		    sip_strerror(want));
		if (rc == SIP_OK)
			is_int(listed, wlisted, "%zu: search: listed %d", i,
			    wlisted);
		else
			ok(one_line(&err) && listed == 0, "%zu: search: not "
			    "listed, one-line message: %s", i, err.msg);

		/* The file, read by a few reads, says what the search says. */
		put(al, active[i].text, active[i].len);
		listed = -1;
		err.msg[0] = '\0';
		rc = sip_active_lookup(db, active[i].mac, &listed, &err);
		is_int(rc, want, "%zu lookup (%s) -> %s", i, mac,
		    sip_strerror(want));
		if (rc == SIP_OK)
			is_int(listed, wlisted, "%zu: lookup: listed %d", i,
			    wlisted);
		else
			ok(one_line(&err) && listed == 0 &&
			    strstr(err.msg, al) != NULL, "%zu: lookup: not "
			    "listed, the message names the file: %s", i,
			    err.msg);
	}
	unlink(al);

	is_int(sip_active_parse(L(HDR "x"), M, &listed, NULL), SIP_EINVAL,
	    "parse with err NULL");
	is_int(sip_active_search(L(HDR "x"), M, &listed, NULL), SIP_EINVAL,
	    "search with err NULL");
	is_int(sip_active_parse(L(HDR END), "52:54:00", &listed, &err),
	    SIP_EINVAL, "a MAC shorter than 17 bytes is refused, not over-read");
	is_int(sip_active_search(L(HDR END), "52:54:00", &listed, &err),
	    SIP_EINVAL, "search: a MAC shorter than 17 bytes is refused");
	is_int(sip_active_lookup(db, "52:54:00", &listed, &err), SIP_EINVAL,
	    "lookup: a MAC shorter than 17 bytes is refused");
}

/* A list of the n MACs 02:00:00:xx:yy:zz of step * i, in b. */
static void
build(struct sip_buf *b, int n, int step)
{
	int i;

	sip_buf_init(b);
	sip_buf_puts(b, HDR);
	for (i = 0; i < n; i++)
		sip_buf_printf(b, "02:00:00:%02x:%02x:%02x\n",
		    (step * i >> 16) & 0xff, (step * i >> 8) & 0xff,
		    step * i & 0xff);
	sip_buf_puts(b, END);
}

/* A long list, past the lookup's first read: every MAC is found. */
static void
test_big(void)
{
	const char *db = path_in("b.db"), *al = path_in("b.db-active");
	struct sip_buf b;
	struct sip_err err;
	char mac[SIP_MAC_STRLEN];
	int i, listed, on, parsed = 1, searched = 1, looked = 1;

	build(&b, 1000, 2);
	if (!ok(!b.failed, "1000-MAC list built"))
		return;
	put(al, b.data, b.len);
	/* The even ones up to 1998 are on it; the odd ones, -1 and 2000 not. */
	for (i = -1; i <= 2000; i++) {
		if (i < 0)
			snprintf(mac, sizeof(mac), "01:ff:ff:ff:ff:ff");
		else
			snprintf(mac, sizeof(mac), "02:00:00:%02x:%02x:%02x",
			    (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
		on = i >= 0 && i < 2000 && i % 2 == 0;
		if (i % 37 == 0 && (sip_active_parse(b.data, b.len, mac,
		    &listed, &err) != SIP_OK || listed != on))
			parsed = 0;
		if (sip_active_search(b.data, b.len, mac, &listed, &err) !=
		    SIP_OK || listed != on)
			searched = 0;
		if (sip_active_lookup(db, mac, &listed, &err) != SIP_OK ||
		    listed != on)
			looked = 0;
	}
	ok(parsed, "1000-MAC list: the whole check, every 37th MAC asked");
	ok(searched, "1000-MAC list: the search finds each of the 1000, and "
	    "none of the 1002 others");
	ok(looked, "1000-MAC list: the lookup on the file, the same");
	/* Break line 502 (the 501st MAC), the first the search reads. */
	b.data[strlen(HDR) + 500 * 18 + 4] = 'X';
	put(al, b.data, b.len);
	is_int(sip_active_parse(b.data, b.len, NULL, &listed, &err), SIP_EINVAL,
	    "1000-MAC list with a bad line");
	ok(strstr(err.msg, "line 502") != NULL, "names line 502: %s", err.msg);
	is_int(sip_active_lookup(db, "02:00:00:00:00:06", &listed, &err),
	    SIP_EINVAL, "the lookup reads line 502 first");
	ok(strstr(err.msg, "line 502") != NULL, "names line 502: %s", err.msg);
	b.data[strlen(HDR) + 500 * 18 + 4] = '0';
	/* Cut the trailer. */
	put(al, b.data, b.len - 1);
	is_int(sip_active_parse(b.data, b.len - 1, NULL, &listed, &err),
	    SIP_EINVAL, "1000-MAC list cut by one byte");
	is_int(sip_active_lookup(db, "02:00:00:00:00:06", &listed, &err),
	    SIP_EINVAL, "lookup: 1000-MAC list cut by one byte");
	ok(strstr(err.msg, "cut short") != NULL, "says cut short: %s", err.msg);
	/* Two lines swapped next to the one found. */
	memcpy(b.data + strlen(HDR) + 2 * 18, "02:00:00:00:00:06", 17);
	memcpy(b.data + strlen(HDR) + 3 * 18, "02:00:00:00:00:04", 17);
	put(al, b.data, b.len);
	is_int(sip_active_parse(b.data, b.len, NULL, &listed, &err), SIP_EINVAL,
	    "1000-MAC list with two lines swapped");
	ok(strstr(err.msg, "line 5: before line 4") != NULL,
	    "says which: %s", err.msg);
	unlink(al);
	sip_buf_free(&b);
}

/*
 * The cost of a lookup does not grow with the list: in a list of 100,000
 * MACs, every line the search does not read is spoiled, and the lookup
 * still answers from the few it reads.
 */
static void
test_flat(void)
{
	const char *db = path_in("f.db"), *al = path_in("f.db-active");
	struct sip_buf b;
	struct sip_err err;
	const int n = 100000, want = 77777;
	char mac[SIP_MAC_STRLEN];
	size_t lo = 1, hi = (size_t)n + 1, mid, i;
	char *keep;
	int listed, probes = 0;

	build(&b, n, 1);
	keep = calloc((size_t)n + 2, 1);
	if (!ok(!b.failed && keep != NULL, "100,000-MAC list built")) {
		free(keep);
		return;
	}
	snprintf(mac, sizeof(mac), "02:00:00:%02x:%02x:%02x",
	    (want >> 16) & 0xff, (want >> 8) & 0xff, want & 0xff);
	/* The lines a binary search for line want + 1 reads. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		keep[mid] = 1;
		probes++;
		if (mid - 1 < (size_t)want)
			lo = mid + 1;
		else if (mid - 1 > (size_t)want)
			hi = mid;
		else
			break;
	}
	keep[mid - 1] = keep[mid + 1] = 1;
	for (i = 1; i <= (size_t)n; i++)
		if (!keep[i])
			memset(b.data + i * 18, '#', 17);
	put(al, b.data, b.len);
	ok(probes <= 17, "the search reads %d lines of 100,000", probes);
	is_int(sip_active_parse(b.data, b.len, mac, &listed, &err), SIP_EINVAL,
	    "the whole check refuses the spoiled list");
	listed = -1;
	is_int(sip_active_lookup(db, mac, &listed, &err), SIP_OK,
	    "the lookup reads only its %d lines", probes + 2);
	is_int(listed, 1, "... and finds the MAC");
	unlink(al);
	free(keep);
	sip_buf_free(&b);
}

static void
test_files(void)
{
	const char *db = path_in("a.db"), *al = path_in("a.db-active");
	const char *tmp = path_in("a.db-active.new"), *old = path_in("old");
	const char *target = path_in("target");
	static const char *const two[] = { M, M2 };
	static const char *const shuffled[] = { M3, M, M2, M, M3 };
	static const char *const bad_macs[][2] = {
		{ "52:54:00:AB:CD:EF", NULL },
		{ "52-54-00-ab-cd-ef", NULL },
		{ "525400abcdef", NULL },
		{ "", NULL },
		{ M "\n", NULL },
		{ M " ", NULL },
		{ "52:54:00:12:34", NULL },
		{ M3, "52:54:00:12:34:5g" },	/* a good one then a bad one */
	};
	struct sip_err err;
	struct stat sb;
	char *t;
	size_t i;
	int listed, untouched = 1, none_left = 1;
	FILE *f;

	/* Absent: SIP_ENOTFOUND, the database decides. */
	listed = -1;
	err.msg[0] = '\0';
	is_int(sip_active_lookup(db, M, &listed, &err), SIP_ENOTFOUND,
	    "lookup of an absent list");
	ok(listed == 0 && one_line(&err), "absent: not listed, message: %s",
	    err.msg);

	/* Round trip. */
	is_int(sip_active_write(db, two, 2, &err), SIP_OK, "write two MACs");
	t = slurp(al);
	ok(t != NULL && strcmp(t, HDR M NL M2 NL END) == 0,
	    "the list as the format says");
	free(t);
	ok(lstat(al, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (sb.st_mode & 0777) == 0640, "list is a regular file, mode 0640");
	is_int(fsize(tmp), -1, "no -active.new left behind");
	is_int(sip_active_lookup(db, M, &listed, &err), SIP_OK, "lookup " M);
	is_int(listed, 1, M " is listed");
	is_int(sip_active_lookup(db, M2, &listed, &err), SIP_OK, "lookup " M2);
	is_int(listed, 1, M2 " is listed");
	is_int(sip_active_lookup(db, M3, &listed, &err), SIP_OK, "lookup " M3);
	is_int(listed, 0, M3 " is not listed");
	is_int(sip_active_lookup(db, NULL, &listed, &err), SIP_OK,
	    "lookup with mac NULL");
	is_int(listed, 0, "mac NULL: not listed");
	{
		static const char want[][SIP_MAC_STRLEN] = { M2, M, M3, M3 };
		size_t nmissing = 99;

		is_int(sip_active_missing(db, want, 2, &nmissing, &err), SIP_OK,
		    "missing: none of two listed MACs");
		is_int(nmissing, 0, "missing: 0");
		is_int(sip_active_missing(db, want, 0, &nmissing, &err), SIP_OK,
		    "missing: of nothing");
		is_int(sip_active_missing(db, want, 4, &nmissing, &err), SIP_EDB,
		    "missing: one MAC twice");
		is_int(nmissing, 2, "missing: counted twice");
		ok(one_line(&err) && strstr(err.msg, "a.db-active: 2 MAC(s) with "
		    "an active action missing, " M3 " first: run se3-ipxe "
		    "cleanup") != NULL, "missing: message: %s", err.msg);
	}

	/* In any order, each once: the writer sorts. */
	is_int(sip_active_write(db, shuffled, 5, &err), SIP_OK,
	    "write five MACs out of order, two of them twice");
	t = slurp(al);
	ok(t != NULL && strcmp(t, HDR M NL M2 NL M3 NL END) == 0,
	    "written sorted, each once");
	free(t);
	is_int(sip_active_write(db, two, 2, &err), SIP_OK, "write two MACs");

	/* Refused MACs: the old list stays, no temporary file is left. */
	for (i = 0; i < sizeof(bad_macs) / sizeof(bad_macs[0]); i++) {
		size_t n = bad_macs[i][1] == NULL ? 1 : 2;

		err.msg[0] = '\0';
		is_int(sip_active_write(db, bad_macs[i], n, &err), SIP_EINVAL,
		    "write refuses '%s'", bad_macs[i][n - 1]);
		ok(one_line(&err), "one-line message: %s", err.msg);
		t = slurp(al);
		if (t == NULL || strcmp(t, HDR M NL M2 NL END) != 0)
			untouched = 0;
		free(t);
		if (fsize(tmp) != -1)
			none_left = 0;
	}
	ok(untouched, "refused writes leave the old list untouched");
	ok(none_left, "refused writes leave no -active.new");

	/* Replaced by a rename: a hard link to the old file keeps the old list. */
	ok(link(al, old) == 0, "hard link to the list");
	is_int(sip_active_write(db, NULL, 0, &err), SIP_OK, "write the empty list");
	t = slurp(al);
	ok(t != NULL && strcmp(t, HDR END) == 0, "the empty list");
	free(t);
	t = slurp(old);
	ok(t != NULL && strcmp(t, HDR M NL M2 NL END) == 0,
	    "the old file was not rewritten in place");
	free(t);
	unlink(old);
	is_int(fsize(tmp), -1, "no -active.new left behind");
	is_int(sip_active_lookup(db, M, &listed, &err), SIP_OK,
	    "lookup in the empty list");
	is_int(listed, 0, "nothing is listed in the empty list");

	/* A stale -active.new from a crash is overwritten and renamed. */
	if ((f = fopen(tmp, "w")) != NULL) {
		fputs("stale\n", f);
		fclose(f);
	}
	is_int(sip_active_write(db, two, 1, &err), SIP_OK,
	    "write over a stale -active.new");
	t = slurp(al);
	ok(t != NULL && strcmp(t, HDR M NL END) == 0, "the new list");
	free(t);
	is_int(fsize(tmp), -1, "the stale -active.new is gone");

	/* A symlink at -active.new is not followed. */
	ok(symlink(target, tmp) == 0, "symlink at -active.new");
	is_int(sip_active_write(db, two, 2, &err), SIP_EIO,
	    "write refuses a symlink at -active.new");
	is_int(fsize(target), -1, "nothing created through it");
	t = slurp(al);
	ok(t != NULL && strcmp(t, HDR M NL END) == 0, "the old list stays");
	free(t);
	unlink(tmp);

	/* A damaged list: the error names the file. */
	put(al, L(HDR M NL));
	listed = -1;
	err.msg[0] = '\0';
	is_int(sip_active_lookup(db, M, &listed, &err), SIP_EINVAL,
	    "lookup in a list without its trailer");
	ok(one_line(&err) && strstr(err.msg, al) != NULL &&
	    strstr(err.msg, "cut short") != NULL, "message names the file: %s",
	    err.msg);
	{
		static const char want[][SIP_MAC_STRLEN] = { M };
		size_t nmissing = 99;

		/* The check reads every line: an unsorted list is refused. */
		put(al, L(HDR M2 NL M NL END));
		is_int(sip_active_missing(db, want, 1, &nmissing, &err),
		    SIP_EINVAL, "missing: an unsorted list is refused");
		ok(one_line(&err) && strstr(err.msg, al) != NULL &&
		    strstr(err.msg, "line 3: before line 2") != NULL,
		    "missing: says where: %s", err.msg);
		put(al, L(HDR1 M NL END));
		is_int(sip_active_missing(db, want, 1, &nmissing, &err),
		    SIP_EINVAL, "missing: a version 1 list is refused");
		ok(strstr(err.msg, "se3-ipxe cleanup rewrites it") != NULL,
		    "missing: says how to mend it: %s", err.msg);
	}
	unlink(al);

	/* Not a regular file. */
	ok(mkdir(al, 0750) == 0, "directory at the list path");
	is_int(sip_active_lookup(db, M, &listed, &err), SIP_EIO,
	    "lookup fails on a directory");
	is_int(sip_active_write(db, two, 2, &err), SIP_EIO,
	    "write cannot rename over a directory");
	is_int(fsize(tmp), -1, "no -active.new left behind");
	rmdir(al);
	ok(mkfifo(al, 0640) == 0, "FIFO at the list path");
	is_int(sip_active_lookup(db, M, &listed, &err), SIP_EIO,
	    "lookup fails on a FIFO without waiting for a writer");
	unlink(al);

	/* Larger than any list the lookup reads. */
	if ((f = fopen(al, "w")) != NULL) {
		fputs(HDR, f);
		fclose(f);
	}
	ok(truncate(al, (off_t)SIP_ACTIVE_MAX + 1) == 0, "a huge list");
	is_int(sip_active_lookup(db, M, &listed, &err), SIP_EINVAL,
	    "lookup refuses a list past SIP_ACTIVE_MAX");
	unlink(al);

	/* No database path. */
	is_int(sip_active_lookup(NULL, M, &listed, &err), SIP_EINVAL,
	    "lookup: no db path");
	is_int(sip_active_write("", two, 2, &err), SIP_EINVAL,
	    "write: empty db path");
}

int
main(void)
{
	if (tfile_setup() == -1)
		return 1;
	test_vectors();
	test_big();
	test_flat();
	test_files();
	tap_rmtree(tmpdir);
	return done_testing();
}
