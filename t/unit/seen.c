/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the seen journal, the fast path's record of boots: check, parse, append, generations, concurrent writers against a fold's renames (the active list: t/unit/active.c). */
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"
#define TFILE_TEMPLATE	"/tmp/se3ipxe-seen.XXXXXX"
#include "tfile.h"

/* Write len bytes of s at the end of the file at path. */
#define put(...)	tfile_write(O_APPEND, __VA_ARGS__)

/* A literal and its length, NUL bytes included. */
#define L(s)		s, sizeof(s) - 1
/* One journal line from its nine fields. */
#define LINE(t, m, pf, ba, uu, se, ma, pr, ip) \
	t "\t" m "\t" pf "\t" ba "\t" uu "\t" se "\t" ma "\t" pr "\t" ip

#define T	"1700000000"
/* The clock of the appends, and the times of their lines. */
#define NOW	((time_t)1700001000)
/* The first and the last second a line may carry: 2020 to 2099. */
#define TMIN	1577836800LL
#define TLAST	4102444799LL
#define M	"52:54:00:12:34:56"
#define M2	"52:54:00:12:34:57"
#define M3	"52:54:00:ab:cd:ef"
#define UUID	"0f2a6c1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
#define PROD	"Standard PC (i440FX + PIIX, 1996)"
#define X16	"xxxxxxxxxxxxxxxx"
#define X64	X16 X16 X16 X16
#define W64	"wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww"

#define NCHILD	8
#define NLINES	500

static void		 test_smbios(void);
static void		 test_parse_good(void);
static void		 test_parse_bad(void);
static void		 test_parse_glued(void);
static void		 test_journal(void);
static void		 test_journal_limits(void);
static void		 test_journal_paths(void);
static void		 test_short_write(void);
static void		 append_capped(const char *, off_t, enum sip_rc,
			    const char *, const char *);
static void		 test_concurrent(void);

/* ---------------------------------------------------------------- vectors */

static const struct {
	const char	*in;
	size_t		 len;
	enum sip_rc	 rc;
} smbios[] = {
	{ L(""), SIP_EINVAL },
	{ L("a"), SIP_OK },
	{ L(" "), SIP_OK },				/* space is printable */
	{ L("QEMU"), SIP_OK },
	{ L(PROD), SIP_OK },
	{ L("~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}"), SIP_OK },
	{ L("${net0/mac}"), SIP_OK },			/* stored only, never scripted */
	{ L(X64), SIP_OK },				/* 64 bytes */
	{ L(X64 "x"), SIP_EINVAL },			/* 65 bytes */
	{ L(X64 X64), SIP_EINVAL },
	{ L("QEMU\x01"), SIP_EINVAL },
	{ L("\x1f"), SIP_EINVAL },
	{ L("a\tb"), SIP_EINVAL },
	{ L("a\nb"), SIP_EINVAL },
	{ L("a\r"), SIP_EINVAL },
	{ L("\x1b[31m"), SIP_EINVAL },
	{ L("\x7f"), SIP_EINVAL },			/* DEL */
	{ L("abc\x7f"), SIP_EINVAL },
	{ L("\x80"), SIP_EINVAL },
	{ L("caf\xc3\xa9"), SIP_EINVAL },		/* UTF-8 */
	{ L("\xff"), SIP_EINVAL },
};

static const struct {
	const char	*line;
	int64_t		 at;
	/* mac platform buildarch uuid serial manufacturer product ip */
	const char	*f[8];
} seen_good[] = {
	{ LINE(T, M, "efi", "x86_64", UUID, "SER-001", "QEMU", PROD,
	    "192.168.1.10"), 1700000000, { M, "efi", "x86_64", UUID, "SER-001",
	    "QEMU", PROD, "192.168.1.10" } },
	{ LINE("1577836800", M, "", "", "", "", "", "", ""), 1577836800,
	    { M, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
	{ LINE("1700000001", M3, "pcbios", "", "", "", "", "", ""), 1700000001,
	    { M3, "pcbios", NULL, NULL, NULL, NULL, NULL, NULL } },
	{ LINE("1700000002", M, "", "i386", "", "", "", "", ""), 1700000002,
	    { M, NULL, "i386", NULL, NULL, NULL, NULL, NULL } },
	{ LINE("1700000003", M, "", "", "", "", "", "", "10.0.0.1"), 1700000003,
	    { M, NULL, NULL, NULL, NULL, NULL, NULL, "10.0.0.1" } },
	{ LINE("1700000004", M, "", "", "", " ", "", "", ""), 1700000004,
	    { M, NULL, NULL, NULL, " ", NULL, NULL, NULL } },
	{ LINE("1700000005", M, "", "", "", "", "Dell Inc.", "", ""),
	    1700000005,
	    { M, NULL, NULL, NULL, NULL, "Dell Inc.", NULL, NULL } },
	{ LINE("4102444799", M, "", "", "", "", "", "", ""), 4102444799,
	    { M, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
	{ LINE(T, "00:00:00:00:00:00", W64, W64, X64, X64, X64, X64,
	    "255.255.255.255"), 1700000000, { "00:00:00:00:00:00", W64, W64,
	    X64, X64, X64, X64, "255.255.255.255" } },
	{ LINE(T, "ff:ff:ff:ff:ff:ff", "a.b-c_d", "arm64", "", "", "", "",
	    "0.0.0.0"), 1700000000, { "ff:ff:ff:ff:ff:ff", "a.b-c_d", "arm64",
	    NULL, NULL, NULL, NULL, "0.0.0.0" } },
	{ LINE(T, M, "", "", "${x}", "a;b", "&&", "#", ""), 1700000000,
	    { M, NULL, NULL, "${x}", "a;b", "&&", "#", NULL } },
};

static const struct {
	const char	*line;
	size_t		 len;
	const char	*why;
} seen_bad[] = {
	/* field counts */
	{ L(""), "empty line" },
	{ L(T), "1 field" },
	{ L(T "\t" M), "2 fields" },
	{ L("\t\t\t\t\t\t\t"), "8 empty fields" },
	{ L(T "\t" M "\tefi\tx86_64\t" UUID "\tS\tQEMU\t" PROD), "8 fields" },
	{ L(LINE(T, M, "", "", "", "", "", "", "") "\t"), "10 fields, last empty" },
	{ L(LINE(T, M, "efi", "x86_64", UUID, "S", "QEMU", PROD, "10.0.0.1")
	    "\t10.0.0.2"), "10 fields" },
	{ L(LINE(T, M, "", "", "", "", "", "", "") "\t\t\t"), "12 fields" },
	{ L("\t\t\t\t\t\t\t\t"), "9 empty fields" },
	{ L(T " " M " efi x86_64 a b c d 10.0.0.1"), "spaces, not TABs" },
	{ L(LINE(T, M, "", "", "", "", "", "", "10.0.0.1") "\n"), "with its LF" },
	{ L(LINE(T, M, "", "", "", "", "", "", "10.0.0.1") "\r"), "with a CR" },
	{ L(LINE(T, M, "", "", "", "", "", "", "") "\r"), "a CR as the IP" },
	/* time */
	{ L(LINE("", M, "", "", "", "", "", "", "")), "time empty" },
	{ L(LINE("abc", M, "", "", "", "", "", "", "")), "time letters" },
	{ L(LINE("17e9", M, "", "", "", "", "", "", "")), "time 17e9" },
	{ L(LINE("0x10", M, "", "", "", "", "", "", "")), "time hex" },
	{ L(LINE("-1", M, "", "", "", "", "", "", "")), "time negative" },
	{ L(LINE("+1", M, "", "", "", "", "", "", "")), "time with a plus" },
	{ L(LINE(" 1", M, "", "", "", "", "", "", "")), "time leading space" },
	{ L(LINE("1 ", M, "", "", "", "", "", "", "")), "time trailing space" },
	{ L(LINE("1.5", M, "", "", "", "", "", "", "")), "time fraction" },
	{ L(LINE("0", M, "", "", "", "", "", "", "")), "time 0" },
	{ L(LINE("1", M, "", "", "", "", "", "", "")), "time 1" },
	{ L(LINE("007", M, "", "", "", "", "", "", "")), "time 007" },
	{ L(LINE("170000000", M, "", "", "", "", "", "", "")),
	    "time of 9 digits, 1975" },
	{ L(LINE("0000000000", M, "", "", "", "", "", "", "")),
	    "time of 10 zeros" },
	{ L(LINE("01700000000", M, "", "", "", "", "", "", "")),
	    "time in range behind a leading zero" },
	{ L(LINE("1577836799", M, "", "", "", "", "", "", "")),
	    "time 2019-12-31 23:59:59" },
	{ L(LINE("4102444800", M, "", "", "", "", "", "", "")),
	    "time 2100-01-01 00:00:00" },
	{ L(LINE("9999999999", M, "", "", "", "", "", "", "")),
	    "time 9999999999, 2286" },
	{ L(LINE("170001700000000", M, "", "", "", "", "", "", "")),
	    "time of 15 digits: a cut time glued to a whole one" },
	{ L(LINE("179611796149992", M, "", "", "", "", "", "", "")),
	    "time in the year 5693641" },
	{ L(LINE("999999999999999999", M, "", "", "", "", "", "", "")),
	    "time of 18 digits" },
	{ L(LINE("1000000000000000000", M, "", "", "", "", "", "", "")),
	    "time 19 digits" },
	{ L(LINE("9223372036854775807", M, "", "", "", "", "", "", "")),
	    "time INT64_MAX, 19 digits" },
	{ L(LINE("99999999999999999999", M, "", "", "", "", "", "", "")),
	    "time 20 digits" },
	/* mac */
	{ L(LINE(T, "", "", "", "", "", "", "", "")), "mac empty" },
	{ L(LINE(T, "52:54:00:AB:CD:EF", "", "", "", "", "", "", "")),
	    "mac upper case" },
	{ L(LINE(T, "52:54:00:Ab:cd:ef", "", "", "", "", "", "", "")),
	    "mac mixed case" },
	{ L(LINE(T, "52-54-00-ab-cd-ef", "", "", "", "", "", "", "")),
	    "mac with dashes" },
	{ L(LINE(T, "525400abcdef", "", "", "", "", "", "", "")),
	    "mac 12 hex digits" },
	{ L(LINE(T, "52:54:00:12:34", "", "", "", "", "", "", "")), "mac short" },
	{ L(LINE(T, "52:54:00:12:34:5", "", "", "", "", "", "", "")),
	    "mac 16 bytes" },
	{ L(LINE(T, "52:54:00:12:34:56:", "", "", "", "", "", "", "")),
	    "mac 18 bytes" },
	{ L(LINE(T, "52:54:00:12:34:5g", "", "", "", "", "", "", "")),
	    "mac not hex" },
	{ L(LINE(T, "52:54:00:12:34-56", "", "", "", "", "", "", "")),
	    "mac mixed separators" },
	{ L(LINE(T, "52.54.00.12.34.56", "", "", "", "", "", "", "")),
	    "mac with dots" },
	/* platform, buildarch: words */
	{ L(LINE(T, M, "e fi", "", "", "", "", "", "")), "platform with a space" },
	{ L(LINE(T, M, "efi;", "", "", "", "", "", "")), "platform with ;" },
	{ L(LINE(T, M, "${x}", "", "", "", "", "", "")), "platform ${x}" },
	{ L(LINE(T, M, "a:b", "", "", "", "", "", "")), "platform with :" },
	{ L(LINE(T, M, W64 "w", "", "", "", "", "", "")), "platform 65 bytes" },
	{ L(LINE(T, M, "", "x86/64", "", "", "", "", "")), "buildarch with /" },
	{ L(LINE(T, M, "", "x86 64", "", "", "", "", "")), "buildarch with a space" },
	{ L(LINE(T, M, "", "\x7f", "", "", "", "", "")), "buildarch DEL" },
	{ L(LINE(T, M, "", W64 "w", "", "", "", "", "")), "buildarch 65 bytes" },
	/* SMBIOS strings */
	{ L(LINE(T, M, "", "", "\x01", "", "", "", "")), "uuid control byte" },
	{ L(LINE(T, M, "", "", X64 "x", "", "", "", "")), "uuid 65 bytes" },
	{ L(LINE(T, M, "", "", "", "S\x1b[0m", "", "", "")), "serial escape" },
	{ L(LINE(T, M, "", "", "", X64 "x", "", "", "")), "serial 65 bytes" },
	{ L(LINE(T, M, "", "", "", "", "\x7f", "", "")), "manufacturer DEL" },
	{ L(LINE(T, M, "", "", "", "", "a\rb", "", "")), "manufacturer CR" },
	{ L(LINE(T, M, "", "", "", "", "", "caf\xc3\xa9", "")), "product UTF-8" },
	{ L(LINE(T, M, "", "", "", "", "", X64 "x", "")), "product 65 bytes" },
	{ L(LINE(T, M, "", "", "", "", "", "\x80", "")), "product 0x80" },
	/* ip */
	{ L(LINE(T, M, "", "", "", "", "", "", "256.1.1.1")), "ip 256" },
	{ L(LINE(T, M, "", "", "", "", "", "", "1.2.3")), "ip 3 parts" },
	{ L(LINE(T, M, "", "", "", "", "", "", "1.2.3.4.5")), "ip 5 parts" },
	{ L(LINE(T, M, "", "", "", "", "", "", "01.2.3.4")), "ip leading zero" },
	{ L(LINE(T, M, "", "", "", "", "", "", "::1")), "ip IPv6" },
	{ L(LINE(T, M, "", "", "", "", "", "", "boot.example")), "ip a name" },
	{ L(LINE(T, M, "", "", "", "", "", "", "1.2.3.4 ")), "ip trailing space" },
	{ L(LINE(T, M, "", "", "", "", "", "", "1.2.3.4:80")), "ip with a port" },
	{ L(LINE(T, M, "", "", "", "", "", "", "1..3.4")), "ip empty part" },
	/* NUL bytes inside the length */
	{ L(LINE("17\0" "00", M, "", "", "", "", "", "", "")), "NUL in time" },
	{ L(LINE(T, "52:54:00:12:34:5\0", "", "", "", "", "", "", "")),
	    "NUL in mac" },
	{ L(LINE(T, M, "", "", "", "", "", "QE\0MU", "")), "NUL in product" },
	{ L(LINE(T, M, "", "", "", "", "", "", "10.0.0.1") "\0"),
	    "NUL at the end" },
	{ L("\0" LINE(T, M, "", "", "", "", "", "", "")), "NUL first" },
};

/* ---------------------------------------------------------------- helpers */

/* ------------------------------------------------------------ the journal */

static void
test_smbios(void)
{
	size_t i;

	for (i = 0; i < sizeof(smbios) / sizeof(smbios[0]); i++)
		is_int(sip_smbios_check(smbios[i].in), smbios[i].rc,
		    "smbios '%s' (%zu bytes) -> %s", smbios[i].in, smbios[i].len,
		    sip_strerror(smbios[i].rc));
}

static void
test_parse_good(void)
{
	struct sip_request req;
	struct sip_err err;
	char buf[2048];
	const char *got[8];
	int64_t at;
	size_t i, j, len;

	for (i = 0; i < sizeof(seen_good) / sizeof(seen_good[0]); i++) {
		len = strlen(seen_good[i].line);
		memcpy(buf, seen_good[i].line, len + 1);
		err.msg[0] = '\0';
		if (!is_int(sip_seen_parse(buf, len, &req, &at, &err), SIP_OK,
		    "parse good line %zu", i)) {
			printf("# %s\n", err.msg);
			continue;
		}
		is_int(at, seen_good[i].at, "line %zu: time", i);
		got[0] = req.mac;
		got[1] = req.platform;
		got[2] = req.buildarch;
		got[3] = req.uuid;
		got[4] = req.serial;
		got[5] = req.manufacturer;
		got[6] = req.product;
		got[7] = req.ip;
		for (j = 0; j < 8; j++)
			is_str(got[j], seen_good[i].f[j], "line %zu: field %zu",
			    i, j + 1);
		ok(req.host == NULL && req.script_name == NULL,
		    "line %zu: host and script_name NULL", i);
	}

	/* The fold parses with no err. */
	len = strlen(seen_good[0].line);
	memcpy(buf, seen_good[0].line, len + 1);
	is_int(sip_seen_parse(buf, len, &req, &at, NULL), SIP_OK,
	    "parse with err NULL");
}

static void
test_parse_bad(void)
{
	struct sip_request req;
	struct sip_err err;
	char buf[2048];
	int64_t at;
	size_t i, len;

	for (i = 0; i < sizeof(seen_bad) / sizeof(seen_bad[0]); i++) {
		len = seen_bad[i].len;
		memcpy(buf, seen_bad[i].line, len);
		buf[len] = '\0';
		err.msg[0] = '\0';
		is_int(sip_seen_parse(buf, len, &req, &at, &err), SIP_EINVAL,
		    "refuse %s", seen_bad[i].why);
		ok(one_line(&err), "%s: one-line message: %s", seen_bad[i].why,
		    err.msg);
	}
	ok(i >= 40, "%zu bad lines", i);

	/* The line must be NUL-terminated at len. */
	len = strlen(seen_good[0].line);
	memcpy(buf, seen_good[0].line, len);
	memcpy(buf + len, "X", 2);
	is_int(sip_seen_parse(buf, len, &req, &at, &err), SIP_EINVAL,
	    "refuse a line not terminated at len");
	ok(one_line(&err), "one-line message: %s", err.msg);
	memcpy(buf, seen_bad[0].line, seen_bad[0].len + 1);
	is_int(sip_seen_parse(buf, seen_bad[0].len, &req, &at, NULL),
	    SIP_EINVAL, "refuse with err NULL");
}

/*
 * A crash mid-write leaves a partial line; the next append glues its
 * whole line onto it.  Every line of the table cut at every byte (its
 * LF lost), followed by every whole line: the parser refuses them all,
 * so a crash loses the glued line and never invents a time or a MAC.
 */
static void
test_parse_glued(void)
{
	const size_t ngood = sizeof(seen_good) / sizeof(seen_good[0]);
	struct sip_request req;
	char buf[2 * SIP_SEEN_LINE_MAX + 1];
	int64_t at;
	size_t a, b, cut, la, lb, tried, accepted;

	for (a = 0; a < ngood; a++) {
		la = strlen(seen_good[a].line);
		tried = accepted = 0;
		for (b = 0; b < ngood; b++) {
			lb = strlen(seen_good[b].line);
			for (cut = 1; cut <= la; cut++) {
				memcpy(buf, seen_good[a].line, cut);
				memcpy(buf + cut, seen_good[b].line, lb + 1);
				tried++;
				if (sip_seen_parse(buf, cut + lb, &req, &at,
				    NULL) == SIP_EINVAL)
					continue;
				if (accepted++ == 0)
					printf("# accepted: line %zu cut at %zu, "
					    "then line %zu: time %lld\n", a, cut,
					    b, (long long)at);
			}
		}
		is_int(accepted, 0, "line %zu cut at each of its %zu bytes, then "
		    "each whole line: %zu glued lines refused", a, la, tried);
	}
}

/* The requests of the round trip and the lines append must write for them. */
static const struct sip_request rt_req[] = {
	{ .mac = M, .platform = "efi", .buildarch = "x86_64",
	    .ip = "10.0.0.1" },
	{ .mac = M2 },
	{ .mac = M3, .platform = "pcbios", .buildarch = "i386", .uuid = UUID,
	    .serial = "SER 1", .manufacturer = "QEMU", .product = PROD,
	    .ip = "192.168.1.10", .host = "boot.example",
	    .script_name = "/cgi-bin/ipxe.cgi" },
};
static const char rt_lines[] =
	LINE("1700001000", M, "efi", "x86_64", "", "", "", "", "10.0.0.1") "\n"
	LINE("1700001001", M2, "", "", "", "", "", "", "") "\n"
	LINE("1700001002", M3, "pcbios", "i386", UUID, "SER 1", "QEMU", PROD,
	    "192.168.1.10") "\n";

/* Requests append must refuse, each for one field. */
static const struct {
	struct sip_request	 req;
	const char		*why;
} bad_req[] = {
	{ { .mac = "" }, "mac empty" },
	{ { .mac = "52:54:00:AB:CD:EF" }, "mac upper case" },
	{ { .mac = "52-54-00-ab-cd-ef" }, "mac with dashes" },
	{ { .mac = "525400abcdef" }, "mac 12 hex digits" },
	{ { .mac = "52:54:00:12:34" }, "mac short" },
	{ { .mac = M, .platform = "" }, "platform empty" },
	{ { .mac = M, .platform = "e fi" }, "platform with a space" },
	{ { .mac = M, .platform = "efi\n" }, "platform with a LF" },
	{ { .mac = M, .buildarch = "x86/64" }, "buildarch with /" },
	{ { .mac = M, .buildarch = "a\tb" }, "buildarch with a TAB" },
	{ { .mac = M, .uuid = "" }, "uuid empty" },
	{ { .mac = M, .uuid = "a\tb" }, "uuid with a TAB" },
	{ { .mac = M, .serial = X64 "x" }, "serial 65 bytes" },
	{ { .mac = M, .manufacturer = "QEMU\n0\tinjected" },
	    "manufacturer with a LF" },
	{ { .mac = M, .product = "\x7f" }, "product DEL" },
	{ { .mac = M, .product = "caf\xc3\xa9" }, "product UTF-8" },
	{ { .mac = M, .ip = "1.2.3" }, "ip 3 parts" },
	{ { .mac = M, .ip = "" }, "ip empty" },
	{ { .mac = M, .ip = "10.0.0.1\n" }, "ip with a LF" },
};

/*
 * What a fold does with the files, without the store: rename the journal
 * to the next generation, read that, unlink it.
 */
static int64_t take_gen;

static enum sip_rc
take(const char *db, char **buf, size_t *len, struct sip_err *err)
{
	enum sip_rc rc;
	int rotated;

	*buf = NULL;
	*len = 0;
	if ((rc = sip_seen_rotate(db, ++take_gen, &rotated, err)) != SIP_OK ||
	    !rotated)
		return rc;
	if ((rc = sip_seen_read_gen(db, take_gen, buf, len, err)) != SIP_OK)
		return rc;
	return sip_seen_unlink_gen(db, take_gen, err);
}

static void
test_journal(void)
{
	char db[PATH_MAX], jn[PATH_MAX];
	struct sip_request req;
	struct sip_err err;
	struct stat sb;
	char *buf, line[SIP_SEEN_LINE_MAX + 1], *p, *nl;
	int64_t at;
	size_t i, len, n;

	/* Copies: path_in's buffers are reused by the generations below. */
	snprintf(db, sizeof(db), "%s", path_in("x.db"));
	snprintf(jn, sizeof(jn), "%s", path_in("x.db-seen"));

	/* Absent: nothing to take, and nothing is created. */
	buf = UNCONST("x");
	len = 99;
	is_int(take(db, &buf, &len, &err), SIP_OK, "take absent journal");
	ok(buf == NULL && len == 0, "absent journal: buf NULL, len 0");
	is_int(fsize(jn), -1, "take does not create the journal");

	/* A bad field: refused before the file is touched. */
	for (i = 0; i < sizeof(bad_req) / sizeof(bad_req[0]); i++) {
		err.msg[0] = '\0';
		is_int(sip_seen_append(db, &bad_req[i].req, NOW, &err),
		    SIP_EINVAL, "append refuses %s", bad_req[i].why);
		ok(one_line(&err), "%s: one-line message: %s", bad_req[i].why,
		    err.msg);
	}
	is_int(fsize(jn), -1, "refused appends wrote nothing");

	/* One line. */
	is_int(sip_seen_append(db, &rt_req[0], NOW, &err), SIP_OK,
	    "append one request");
	ok(lstat(jn, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (sb.st_mode & 0777) == 0640, "journal is a regular file, mode 0640");
	is_int(take(db, &buf, &len, &err), SIP_OK, "take one line");
	n = strlen(LINE("1700001000", M, "efi", "x86_64", "", "", "", "",
	    "10.0.0.1") "\n");
	ok(buf != NULL && len == n && memcmp(buf, rt_lines, n) == 0 &&
	    buf[len] == '\0', "taken: the line, NUL-terminated");
	free(buf);
	is_int(fsize(jn), -1, "take leaves no journal (renamed, unlinked)");
	put(jn, "", 0);
	buf = UNCONST("x");
	is_int(take(db, &buf, &len, &err), SIP_OK, "take empty journal");
	ok(buf == NULL && len == 0, "empty journal: buf NULL, len 0");
	is_int(fsize(jn), 0, "an empty journal is not renamed");

	/* Refused appends leave an existing journal alone too. */
	for (i = 0; i < sizeof(bad_req) / sizeof(bad_req[0]); i++)
		(void)sip_seen_append(db, &bad_req[i].req, NOW, &err);
	is_int(fsize(jn), 0, "refused appends leave the journal empty");

	/* Three lines: exactly what the format says, and they parse back. */
	for (i = 0; i < 3; i++)
		is_int(sip_seen_append(db, &rt_req[i], NOW + (time_t)i, &err),
		    SIP_OK, "append request %zu", i);
	is_int(take(db, &buf, &len, &err), SIP_OK, "take three lines");
	ok(buf != NULL && len == sizeof(rt_lines) - 1 &&
	    memcmp(buf, rt_lines, len) == 0, "taken: the three lines");
	for (i = 0, p = buf; buf != NULL && p < buf + len; p = nl + 1, i++) {
		nl = memchr(p, '\n', (size_t)(buf + len - p));
		if (nl == NULL || i >= 3 || (size_t)(nl - p) > SIP_SEEN_LINE_MAX)
			break;
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = '\0';
		if (!is_int(sip_seen_parse(line, (size_t)(nl - p), &req, &at,
		    &err), SIP_OK, "line %zu parses back", i))
			continue;
		is_int(at, (int64_t)NOW + (int64_t)i, "line %zu: time", i);
		is_str(req.mac, rt_req[i].mac, "line %zu: mac", i);
		is_str(req.platform, rt_req[i].platform, "line %zu: platform", i);
		is_str(req.buildarch, rt_req[i].buildarch, "line %zu: buildarch",
		    i);
		is_str(req.uuid, rt_req[i].uuid, "line %zu: uuid", i);
		is_str(req.serial, rt_req[i].serial, "line %zu: serial", i);
		is_str(req.manufacturer, rt_req[i].manufacturer,
		    "line %zu: manufacturer", i);
		is_str(req.product, rt_req[i].product, "line %zu: product", i);
		is_str(req.ip, rt_req[i].ip, "line %zu: ip", i);
		ok(req.host == NULL && req.script_name == NULL,
		    "line %zu: host and script_name are not journalled", i);
	}
	is_int(i, 3, "three lines parsed");

	free(buf);

	/* Generations: only DB-seen.N, N as rotate writes it, ascending. */
	{
		static const char *const names[] = { "x.db-seen.12",
		    "x.db-seen.3", "x.db-seen.0", "x.db-seen.012",
		    "x.db-seen.3x", "x.db-seen.", "x.db-seenx.4",
		    "y.db-seen.5", "x.db-seen.1234567890123456789" };
		int64_t *gens;
		size_t ngens;
		int rotated;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			put(path_in(names[i]), "", 0);
		is_int(sip_seen_generations(db, &gens, &ngens, &err), SIP_OK,
		    "list generations");
		ok(ngens == 2 && gens[0] == 3 && gens[1] == 12,
		    "generations 3 and 12, nothing else (%zu)", ngens);
		free(gens);
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			unlink(path_in(names[i]));
		is_int(sip_seen_generations(path_in("nodir/x.db"), &gens,
		    &ngens, &err), SIP_OK, "generations: no directory");
		ok(gens == NULL && ngens == 0, "none");

		/* A generation file is never replaced. */
		put(path_in("x.db-seen.7"), "old\n", 4);
		is_int(sip_seen_append(db, &rt_req[1], NOW + 1, &err), SIP_OK,
		    "append a line");
		err.msg[0] = '\0';
		is_int(sip_seen_rotate(db, 7, &rotated, &err), SIP_EIO,
		    "rotate onto an existing generation fails");
		ok(one_line(&err) && !rotated, "message: %s", err.msg);
		is_int(fsize(path_in("x.db-seen.7")), 4, "generation 7 kept");
		is_int(fsize(jn), (long long)strlen(LINE("1700001001", M2, "",
		    "", "", "", "", "", "") "\n"), "the journal kept");
		is_int(sip_seen_unlink_gen(db, 7, &err), SIP_OK, "unlink 7");
		is_int(sip_seen_unlink_gen(db, 7, &err), SIP_OK,
		    "unlink an absent generation");
		is_int(sip_seen_read_gen(db, 7, &buf, &len, &err), SIP_EIO,
		    "read an absent generation fails");
		is_int(take(db, &buf, &len, &err), SIP_OK, "take it");
		free(buf);
	}

	/* A line that is all-NULL but the MAC, at the first time allowed. */
	req = (struct sip_request){ .mac = M };
	is_int(sip_seen_append(db, &req, TMIN, &err), SIP_OK,
	    "append bare request");
	is_int(take(db, &buf, &len, &err), SIP_OK, "take it");
	ok(buf != NULL && strcmp(buf, "1577836800\t" M "\t\t\t\t\t\t\t\n") == 0,
	    "bare request: empty fields");
	free(buf);
}

static void
test_journal_limits(void)
{
	const char *db = path_in("x.db"), *jn = path_in("x.db-seen");
	static const long long bad_clock[] = { -1, 0, 1000, TMIN - 1,
	    TLAST + 1, 99999999999LL, 999999999999999999LL,
	    1000000000000000000LL };
	struct sip_err err;
	char *buf, gen_name[64];
	size_t i, len, n;
	int fd;

	n = strlen(LINE("1700001000", M, "efi", "x86_64", "", "", "", "",
	    "10.0.0.1") "\n");
	if ((fd = open(jn, O_RDWR | O_CREAT | O_TRUNC, 0640)) == -1) {
		ok(0, "open %s: %s", jn, strerror(errno));
		return;
	}
	/* A clock outside 2020 .. 2099: no line the parser would refuse. */
	for (i = 0; i < sizeof(bad_clock) / sizeof(bad_clock[0]); i++) {
		err.msg[0] = '\0';
		is_int(sip_seen_append(db, &rt_req[0], (time_t)bad_clock[i],
		    &err), SIP_ETIME, "append at %lld fails", bad_clock[i]);
		ok(one_line(&err) && strstr(err.msg, "not recorded") != NULL,
		    "message: %s", err.msg);
	}
	is_int(fsize(jn), 0, "bad clocks: nothing written");
	is_int(sip_seen_append(db, &rt_req[0], TMIN, &err), SIP_OK,
	    "append at 2020-01-01 00:00:00");
	is_int(sip_seen_append(db, &rt_req[0], TLAST, &err), SIP_OK,
	    "append at 2099-12-31 23:59:59");
	buf = slurp(jn);
	ok(buf != NULL && strcmp(buf,
	    LINE("1577836800", M, "efi", "x86_64", "", "", "", "", "10.0.0.1")
	    "\n"
	    LINE("4102444799", M, "efi", "x86_64", "", "", "", "", "10.0.0.1")
	    "\n") == 0, "the two lines at the bounds");
	free(buf);
	ok(ftruncate(fd, 0) == 0, "emptied");
	/* Full: nothing more is written. */
	ok(ftruncate(fd, (off_t)SIP_SEEN_MAX) == 0, "journal of SIP_SEEN_MAX bytes");
	err.msg[0] = '\0';
	is_int(sip_seen_append(db, &rt_req[0], NOW, &err), SIP_EIO,
	    "append to a full journal fails");
	ok(one_line(&err) && strstr(err.msg, "full") != NULL,
	    "message says full: %s", err.msg);
	is_int(fsize(jn), (long long)SIP_SEEN_MAX, "full journal: nothing written");
	ok(ftruncate(fd, (off_t)SIP_SEEN_MAX + 1) == 0,
	    "journal of SIP_SEEN_MAX + 1 bytes");
	is_int(sip_seen_append(db, &rt_req[0], NOW, &err), SIP_EIO,
	    "append to an overfull journal fails");
	is_int(fsize(jn), (long long)SIP_SEEN_MAX + 1,
	    "overfull journal: nothing written");
	/* One byte short of full: one more line. */
	ok(ftruncate(fd, (off_t)SIP_SEEN_MAX - 1) == 0,
	    "journal of SIP_SEEN_MAX - 1 bytes");
	is_int(sip_seen_append(db, &rt_req[0], NOW, &err), SIP_OK,
	    "append to an almost full journal");
	is_int(fsize(jn), (long long)SIP_SEEN_MAX - 1 + (long long)n,
	    "one line appended");
	/* A fold takes even that. */
	is_int(take(db, &buf, &len, &err), SIP_OK,
	    "take a journal past SIP_SEEN_MAX");
	ok(buf != NULL && len == SIP_SEEN_MAX - 1 + n &&
	    memcmp(buf + len - n, rt_lines, n) == 0, "taken whole");
	free(buf);
	is_int(fsize(jn), -1, "and emptied");
	close(fd);
	if ((fd = open(jn, O_RDWR | O_CREAT | O_TRUNC, 0640)) == -1) {
		ok(0, "open %s: %s", jn, strerror(errno));
		return;
	}
	/* Past what a journal can hold: refused whole, left in place. */
	ok(ftruncate(fd, (off_t)SIP_SEEN_MAX + (1 << 20) + 1) == 0,
	    "journal of SIP_SEEN_MAX + 1 MiB + 1 bytes");
	buf = UNCONST("x");
	err.msg[0] = '\0';
	is_int(take(db, &buf, &len, &err), SIP_EIO,
	    "take refuses an oversized journal");
	snprintf(gen_name, sizeof(gen_name), "x.db-seen.%lld",
	    (long long)take_gen);
	ok(buf == NULL && len == 0 && one_line(&err),
	    "oversized: buf NULL, message: %s", err.msg);
	is_int(fsize(path_in(gen_name)), (long long)SIP_SEEN_MAX +
	    (1 << 20) + 1, "oversized journal left alone as %s", gen_name);
	is_int(fsize(jn), -1, "and nothing at the journal path");
	close(fd);
	unlink(path_in(gen_name));
}

static void
test_journal_paths(void)
{
	const char *db = path_in("x.db"), *jn = path_in("x.db-seen");
	const char *target = path_in("target");
	struct sip_err err;
	char *buf, *t, *longp;
	size_t len;
	int rotated;
	FILE *f;

	/* A symlink at the journal path, to an existing file. */
	if ((f = fopen(target, "w")) != NULL) {
		fputs("secret\n", f);
		fclose(f);
	}
	ok(symlink(target, jn) == 0, "symlink at the journal path");
	err.msg[0] = '\0';
	is_int(sip_seen_append(db, &rt_req[0], NOW, &err), SIP_EIO,
	    "append refuses a symlink");
	ok(one_line(&err), "one-line message: %s", err.msg);
	buf = UNCONST("x");
	is_int(take(db, &buf, &len, &err), SIP_EIO,
	    "take refuses a symlink");
	ok(buf == NULL && len == 0, "symlink: buf NULL, len 0");
	ok(symlink(target, path_in("x.db-seen.99")) == 0,
	    "symlink at a generation path");
	is_int(sip_seen_read_gen(db, 99, &buf, &len, &err), SIP_EIO,
	    "read_gen refuses a symlink");
	unlink(path_in("x.db-seen.99"));
	t = slurp(target);
	ok(t != NULL && strcmp(t, "secret\n") == 0,
	    "the symlink's target is untouched");
	free(t);
	unlink(jn);
	unlink(target);
	/* A dangling symlink: nothing is created at its target. */
	ok(symlink(target, jn) == 0, "dangling symlink at the journal path");
	is_int(sip_seen_append(db, &rt_req[0], NOW, &err), SIP_EIO,
	    "append refuses a dangling symlink");
	is_int(fsize(target), -1, "nothing created through it");
	unlink(jn);

	/* A directory at the journal path. */
	ok(mkdir(jn, 0750) == 0, "directory at the journal path");
	is_int(sip_seen_append(db, &rt_req[0], NOW, &err), SIP_EIO,
	    "append fails on a directory");
	is_int(take(db, &buf, &len, &err), SIP_EIO,
	    "take fails on a directory");
	rmdir(jn);

	/* A FIFO: not a regular file. */
	if (mkfifo(jn, 0640) == 0) {
		is_int(take(db, &buf, &len, &err), SIP_EIO,
		    "take refuses a FIFO");
		unlink(jn);
	}

	/* No database path, or one too long. */
	is_int(sip_seen_append(NULL, &rt_req[0], NOW, &err), SIP_EINVAL,
	    "append: no db path");
	is_int(sip_seen_append("", &rt_req[0], NOW, &err), SIP_EINVAL,
	    "append: empty db path");
	is_int(take(NULL, &buf, &len, &err), SIP_EINVAL,
	    "take: no db path");
	is_int(sip_seen_rotate("", 1, &rotated, &err), SIP_EINVAL,
	    "rotate: empty db path");
	if ((longp = malloc(PATH_MAX)) != NULL) {
		memset(longp, 'a', PATH_MAX - 3);
		longp[0] = '/';
		longp[PATH_MAX - 3] = '\0';
		is_int(sip_seen_append(longp, &rt_req[0], NOW, &err),
		    SIP_EINVAL, "append: db path too long");
		ok(one_line(&err), "one-line message");
		is_int(take(longp, &buf, &len, &err), SIP_EINVAL,
		    "take: db path too long");
		free(longp);
	}
	/* A missing directory. */
	is_int(sip_seen_append(path_in("nodir/x.db"), &rt_req[0], NOW, &err),
	    SIP_EIO, "append: no such directory");
	is_int(take(path_in("nodir/x.db"), &buf, &len, &err), SIP_OK,
	    "take: no such directory is an absent journal");
}


/*
 * Append one line (60 bytes) to db's journal with the file size capped
 * at cap bytes: a write past the cap is cut short there, or fails with
 * EFBIG at the cap, as on a full disk.  The append must give rc, and its
 * message must hold msg.
 */
static void
append_capped(const char *db, off_t cap, enum sip_rc rc, const char *msg,
    const char *what)
{
	struct rlimit old, capped;
	struct sip_err err;
	void (*oldsig)(int);
	enum sip_rc got;

	if (getrlimit(RLIMIT_FSIZE, &old) == -1) {
		ok(0, "%s: getrlimit: %s", what, strerror(errno));
		return;
	}
	capped = old;
	capped.rlim_cur = (rlim_t)cap;
	oldsig = signal(SIGXFSZ, SIG_IGN);
	err.msg[0] = '\0';
	if (setrlimit(RLIMIT_FSIZE, &capped) == -1) {
		ok(0, "%s: setrlimit: %s", what, strerror(errno));
		signal(SIGXFSZ, oldsig);
		return;
	}
	got = sip_seen_append(db, &rt_req[0], NOW, &err);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, oldsig);
	is_int(got, rc, "%s: %s", what, sip_strerror(rc));
	if (msg != NULL)
		ok(one_line(&err) && strstr(err.msg, msg) != NULL,
		    "%s: message says '%s': %s", what, msg, err.msg);
}

/*
 * A write cut short leaves no partial line: the writer cuts the journal
 * back to its last line end, its own bytes and a crash's debris alike.
 */
static void
test_short_write(void)
{
	const char *db = path_in("w.db"), *jn = path_in("w.db-seen");
	static const char two[] =
		LINE("1700000000", M, "", "", "", "", "", "", "") "\n"
		LINE("1700000001", M2, "efi", "", "", "", "", "", "") "\n";
	static const char debris[] = "1700000002\t52:54:00:ab:c";
	const off_t base = (off_t)sizeof(two) - 1;
	char *t, x[2000], line[SIP_SEEN_LINE_MAX + 1], *p, *nl;
	struct sip_request req;
	size_t good, bad;
	int64_t at;

	put(jn, two, sizeof(two) - 1);
	append_capped(db, base + 20, SIP_EIO, "short write",
	    "a write cut short after 20 bytes");
	t = slurp(jn);
	ok(t != NULL && strcmp(t, two) == 0, "its 20 bytes are cut: the "
	    "journal holds its two whole lines");
	free(t);

	append_capped(db, base, SIP_EIO, strerror(EFBIG),
	    "a write that fails whole (EFBIG)");
	is_int(fsize(jn), (long long)base, "nothing left behind");

	/* A crash left half a line: a short write cuts it too. */
	put(jn, debris, sizeof(debris) - 1);
	append_capped(db, base + (off_t)sizeof(debris) - 1 + 20, SIP_EIO,
	    "short write", "a short write after a crash's partial line");
	t = slurp(jn);
	ok(t != NULL && strcmp(t, two) == 0, "both partial lines are cut");
	free(t);
	put(jn, debris, sizeof(debris) - 1);
	append_capped(db, base + (off_t)sizeof(debris) - 1, SIP_EIO,
	    strerror(EFBIG), "a failed write after a crash's partial line");
	t = slurp(jn);
	ok(t != NULL && strcmp(t, two) == 0, "the partial line is cut");
	free(t);

	/* A journal that is one partial line, no line end at all. */
	unlink(jn);
	put(jn, debris, sizeof(debris) - 1);
	append_capped(db, (off_t)sizeof(debris) - 1 + 5, SIP_EIO,
	    "short write", "a short write on a journal of one partial line");
	is_int(fsize(jn), 0, "cut to nothing");

	/* No line end within a line's length: left to the parser, and said. */
	unlink(jn);
	put(jn, two, sizeof(two) - 1);
	memset(x, 'x', sizeof(x));
	put(jn, x, sizeof(x));
	append_capped(db, base + (off_t)sizeof(x) + 10, SIP_EIO,
	    "could not be cut", "a short write after 2000 bytes with no "
	    "line end");
	is_int(fsize(jn), (long long)base + (long long)sizeof(x) + 10,
	    "the tail is left as it was");

	/*
	 * A crash's partial line with room to write: the next line glues
	 * onto it (a read before every append would cost every boot), and
	 * the parser refuses the pair.
	 */
	unlink(jn);
	put(jn, two, sizeof(two) - 1);
	put(jn, debris, sizeof(debris) - 1);
	is_int(sip_seen_append(db, &rt_req[0], NOW, &(struct sip_err){ "" }),
	    SIP_OK, "an append after a crash's partial line");
	t = slurp(jn);
	good = bad = 0;
	for (p = t; t != NULL && *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL ||
		    (size_t)(nl - p) > SIP_SEEN_LINE_MAX)
			break;
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = '\0';
		if (sip_seen_parse(line, (size_t)(nl - p), &req, &at, NULL) ==
		    SIP_OK)
			good++;
		else
			bad++;
	}
	free(t);
	ok(good == 2 && bad == 1, "the whole lines parse, the glued one is "
	    "refused (%zu good, %zu refused)", good, bad);
	unlink(jn);
}

/*
 * NCHILD writers append NLINES lines each while the parent takes the
 * journal again and again: every line must come out once, whole.
 */
static void
test_concurrent(void)
{
	const char *db = path_in("c.db");
	static unsigned char seen[NCHILD][NLINES];
	struct sip_request req;
	struct sip_err err;
	char *buf, line[SIP_SEEN_LINE_MAX + 1], *p, *nl, mac[SIP_MAC_STRLEN];
	char serial[64];
	pid_t pid;
	size_t len, total = 0, bad = 0, torn = 0, dup = 0, missing = 0;
	size_t takes = 0, nonempty = 0;
	int64_t at;
	int c, i, status, running = 0, failed = 0, go[2];
	char byte = 'g';

	if (pipe(go) == -1) {
		ok(0, "pipe: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	for (c = 0; c < NCHILD; c++) {
		if ((pid = fork()) == -1) {
			ok(0, "fork: %s", strerror(errno));
			break;
		}
		if (pid == 0) {
			close(go[1]);
			if (read(go[0], &byte, 1) != 0)
				_exit(2);
			for (i = 0; i < NLINES; i++) {
				snprintf(serial, sizeof(serial), "child %d line %d",
				    c, i);
				req = (struct sip_request){ .platform = "efi",
				    .buildarch = "x86_64", .uuid = UUID,
				    .serial = serial, .manufacturer = X64,
				    .product = PROD, .ip = "10.0.0.1" };
				snprintf(req.mac, sizeof(req.mac),
				    "02:00:00:00:00:%02x", (unsigned)c & 0xffu);
				if (sip_seen_append(db, &req,
				    NOW + (time_t)(c * 100000 + i), &err) != SIP_OK)
					_exit(1);
				if (i % 4 == 3)
					usleep(100);	/* spread over many takes */
			}
			_exit(0);
		}
		running++;
	}
	close(go[0]);
	close(go[1]);	/* EOF: all children start at once */

	for (;;) {
		int last = running == 0;

		while (running > 0 && (pid = waitpid(-1, &status, WNOHANG)) > 0) {
			running--;
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				failed++;
		}
		if (take(db, &buf, &len, &err) != SIP_OK) {
			ok(0, "take: %s", err.msg);
			break;
		}
		takes++;
		if (buf != NULL) {
			nonempty++;
			if (buf[len - 1] != '\n')
				torn++;
			for (p = buf; p < buf + len; p = nl + 1) {
				if ((nl = memchr(p, '\n', (size_t)(buf + len - p))) ==
				    NULL)
					nl = buf + len;
				if ((size_t)(nl - p) > SIP_SEEN_LINE_MAX) {
					bad++;
					continue;
				}
				memcpy(line, p, (size_t)(nl - p));
				line[nl - p] = '\0';
				if (sip_seen_parse(line, (size_t)(nl - p), &req,
				    &at, &err) != SIP_OK) {
					bad++;
					continue;
				}
				c = (int)((at - NOW) / 100000);
				i = (int)((at - NOW) % 100000);
				snprintf(mac, sizeof(mac), "02:00:00:00:00:%02x",
				    (unsigned)c & 0xffu);
				snprintf(serial, sizeof(serial),
				    "child %d line %d", c, i);
				if (c < 0 || c >= NCHILD || i < 0 || i >= NLINES ||
				    strcmp(req.mac, mac) != 0 || req.serial == NULL ||
				    strcmp(req.serial, serial) != 0) {
					bad++;
					continue;
				}
				total++;
				if (seen[c][i]++ != 0)
					dup++;
			}
			free(buf);
		}
		if (last)
			break;
	}
	while (running > 0 && waitpid(-1, &status, 0) > 0)
		running--;
	for (c = 0; c < NCHILD; c++)
		for (i = 0; i < NLINES; i++)
			missing += seen[c][i] == 0;
	printf("# %zu takes, %zu non-empty\n", takes, nonempty);
	is_int(failed, 0, "%d writers all appended", NCHILD);
	is_int(total, NCHILD * NLINES, "%d complete lines taken", NCHILD * NLINES);
	is_int(bad, 0, "no malformed line");
	is_int(torn, 0, "every take ends with a whole line");
	is_int(dup, 0, "no line taken twice");
	is_int(missing, 0, "no line lost");
	ok(fsize(path_in("c.db-seen")) <= 0, "journal empty at the end");
	unlink(path_in("c.db-seen"));
}

int
main(void)
{
	if (tfile_setup() == -1)
		return 1;
	test_smbios();
	test_parse_good();
	test_parse_bad();
	test_parse_glued();
	test_journal();
	test_journal_limits();
	test_journal_paths();
	test_short_write();
	test_concurrent();
	tap_rmtree(tmpdir);
	return done_testing();
}
