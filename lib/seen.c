/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The seen journal: ipxe.cgi appends one line per boot request instead of writing the database, and se3-ipxe folds the lines into the machines table. */
#include <sys/file.h>
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

/*
 * One line: time, MAC, platform, buildarch, uuid, serial, manufacturer,
 * product, IP, separated by TABs; an absent field is empty.  Every field
 * has passed its type, and none of the types admits a TAB or a newline,
 * so a line is always exactly SEEN_FIELDS fields.
 */
#define SEEN_FIELDS	9
#define SEEN_LINE_MAX	SIP_SEEN_LINE_MAX	/* 10 + 17 + 64 * 6 + 15 + 8 TABs + LF */
/*
 * The times a line may carry, [MIN, END): a boot before 2020 or from 2100
 * on is a clock gone wrong, and last_seen = max(...) would keep a time
 * from the future forever.  The range also makes every time exactly ten
 * digits, which is what lets the parser refuse a glued line.
 */
#define SEEN_TIME_MIN	1577836800LL	/* 2020-01-01T00:00:00Z */
#define SEEN_TIME_END	4102444800LL	/* 2100-01-01T00:00:00Z */
#define SEEN_TIME_DIGITS 10
/* A journal past this is refused whole by a fold: someone else wrote it. */
#define SEEN_READ_MAX	(SIP_SEEN_MAX + (1u << 20))

static enum sip_rc	 seen_check(const struct sip_request *,
			    struct sip_err *);
static int		 seen_cut_partial(int);
static const char	*nz(const char *);

enum sip_rc
sip_smbios_check(const char *v)
{
	const unsigned char *p;

	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			return SIP_EINVAL;
	if (p == (const unsigned char *)v || p - (const unsigned char *)v >
	    SIP_SMBIOS_MAX)
		return SIP_EINVAL;
	return SIP_OK;
}

static const char *
nz(const char *s)
{
	return s == NULL ? "" : s;
}

/* The fields of a request, each by the type the journal promises. */
static enum sip_rc
seen_check(const struct sip_request *req, struct sip_err *err)
{
	const char *smbios[4] = { req->uuid, req->serial, req->manufacturer,
	    req->product };
	static const char *const smbios_names[4] = { "uuid", "serial",
	    "manufacturer", "product" };
	struct sip_mac m;
	char canon[SIP_MAC_STRLEN];
	size_t i;

	if (sip_mac_parse(req->mac, &m) != SIP_OK)
		return sip_errf(err, SIP_EINVAL, "seen: mac: not a MAC address");
	sip_mac_format(&m, canon);
	if (strcmp(canon, req->mac) != 0)
		return sip_errf(err, SIP_EINVAL, "seen: mac: not in canonical form");
	if (req->platform != NULL && sip_value_check(SIP_T_WORD,
	    req->platform) != SIP_OK)
		return sip_errf(err, SIP_EINVAL, "seen: platform: not a word");
	if (req->buildarch != NULL && sip_value_check(SIP_T_WORD,
	    req->buildarch) != SIP_OK)
		return sip_errf(err, SIP_EINVAL, "seen: buildarch: not a word");
	for (i = 0; i < 4; i++)
		if (smbios[i] != NULL && sip_smbios_check(smbios[i]) != SIP_OK)
			return sip_errf(err, SIP_EINVAL, "seen: %s: not printable "
			    "ASCII of 1 to %d bytes", smbios_names[i],
			    SIP_SMBIOS_MAX);
	if (req->ip != NULL && sip_value_check(SIP_T_IPV4, req->ip) != SIP_OK)
		return sip_errf(err, SIP_EINVAL, "seen: ip: not an IPv4 address");
	return SIP_OK;
}

/*
 * Cut the journal back to just after its last newline.  Under the
 * exclusive lock no writer is between its write and its unlock, so what
 * follows the last newline is a line nobody will finish: this writer's
 * short write, or the debris of a crash.  A line is at most SEEN_LINE_MAX
 * bytes, so a line end must be within that many bytes of the end; a tail
 * without one is no line at all, and is left for the parser to refuse.
 * 0 when done, else an errno, or -1 for that tail.
 */
static int
seen_cut_partial(int fd)
{
	char tail[SEEN_LINE_MAX], *nl;
	struct stat sb;
	off_t from, keep;
	ssize_t r;

	/* flock(2) converts a lock by dropping it first: say so by doing it. */
	if (flock(fd, LOCK_UN) == -1 || flock(fd, LOCK_EX) == -1 ||
	    fstat(fd, &sb) == -1)
		return errno;
	from = sb.st_size > (off_t)sizeof(tail) ?
	    sb.st_size - (off_t)sizeof(tail) : 0;
	if ((r = pread(fd, tail, (size_t)(sb.st_size - from), from)) == -1)
		return errno;
	if ((off_t)r != sb.st_size - from)
		return EIO;	/* a file that shrank under the exclusive lock */
	if ((nl = memrchr(tail, '\n', (size_t)r)) != NULL)
		keep = from + (nl - tail) + 1;
	else if (from == 0)
		keep = 0;
	else
		return -1;
	if (keep < sb.st_size && ftruncate(fd, keep) == -1)
		return errno;
	return 0;
}

/*
 * Writers share the lock and a fold takes it alone, so that a fold never
 * empties the file between a writer's line and its own read.  One write(2)
 * on an O_APPEND descriptor: lines of concurrent writers never mix.
 *
 * A write cut short (full disk, file size limit, I/O error) is taken back
 * at once, so that the next line does not glue onto it.  A writer killed
 * between its short write and the cut still leaves a partial line: the
 * next line glues onto it, and sip_seen_parse refuses the pair, which
 * loses that one boot (the machine's next boot records it again) and
 * never invents a time.  Checking the last byte before every append would
 * save that line at the cost of a read(2) on every boot of every machine,
 * against debris only a crash leaves (a kill inside or right after a write
 * cut short, a power loss): the boot path is measured in instructions and
 * system calls, so the parser guards it instead.
 */
enum sip_rc
sip_seen_append(const char *db_path, const struct sip_request *req,
    time_t now, struct sip_err *err)
{
	char path[PATH_MAX], line[SEEN_LINE_MAX];
	struct stat sb;
	enum sip_rc rc;
	ssize_t w;
	int fd, n, werr, cut;

	if ((rc = sip_db_sibling(db_path, SIP_SEEN_SUFFIX, path,
	    sizeof(path), err)) != SIP_OK ||
	    (rc = seen_check(req, err)) != SIP_OK)
		return rc;
	/* What sip_seen_parse takes back. */
	if ((long long)now < SEEN_TIME_MIN || (long long)now >= SEEN_TIME_END)
		return sip_errf(err, SIP_ETIME, "%s: the clock says %lld, not "
		    "a time from 2020 to 2099: boot not recorded", path,
		    (long long)now);
	n = snprintf(line, sizeof(line), "%lld\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
	    (long long)now, req->mac, nz(req->platform), nz(req->buildarch),
	    nz(req->uuid), nz(req->serial), nz(req->manufacturer),
	    nz(req->product), nz(req->ip));
	if (n < 0 || (size_t)n >= sizeof(line))
		return sip_errf(err, SIP_EINVAL, "%s: line too long", path);
	/* Read access too: a short write's repair reads the tail back. */
	if ((fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW |
	    O_NOCTTY | O_CLOEXEC, 0640)) == -1)
		return sip_errf(err, SIP_EIO, "%s: %s", path, strerror(errno));
	if (flock(fd, LOCK_SH) == -1 || fstat(fd, &sb) == -1) {
		rc = sip_errf(err, SIP_EIO, "%s: %s", path, strerror(errno));
		goto close;
	}
	if (!S_ISREG(sb.st_mode)) {
		rc = sip_errf(err, SIP_EIO, "%s: not a regular file", path);
		goto close;
	}
	if (sb.st_size >= (off_t)SIP_SEEN_MAX) {
		rc = sip_errf(err, SIP_EIO, "%s: full (%lld bytes), boot not "
		    "recorded: run se3-ipxe cleanup", path,
		    (long long)sb.st_size);
		goto close;
	}
	if ((w = write(fd, line, (size_t)n)) != n) {
		werr = w == -1 ? errno : 0;
		if ((cut = seen_cut_partial(fd)) == 0)
			rc = sip_errf(err, SIP_EIO, "%s: %s, boot not recorded",
			    path, werr != 0 ? strerror(werr) : "short write");
		else
			rc = sip_errf(err, SIP_EIO, "%s: %s, boot not recorded, "
			    "and the partial line after the last one could not "
			    "be cut: %s", path, werr != 0 ? strerror(werr) :
			    "short write", cut == -1 ? "no line end near the "
			    "end" : strerror(cut));
		goto close;
	}
	rc = SIP_OK;
 close:
	close(fd);
	return rc;
}

enum sip_rc
sip_seen_parse(char *line, size_t len, struct sip_request *req,
    int64_t *at, struct sip_err *err)
{
	char *field[SEEN_FIELDS], *p, *end = line + len;
	long long t;
	size_t i;

	memset(req, 0, sizeof(*req));
	*at = 0;
	if (memchr(line, '\0', len) != NULL)
		return sip_errf(err, SIP_EINVAL, "seen: a NUL byte");
	for (i = 0, p = line; i < SEEN_FIELDS; i++) {
		field[i] = p;
		while (p < end && *p != '\t')
			p++;
		if (i + 1 < SEEN_FIELDS && p == end)
			return sip_errf(err, SIP_EINVAL, "seen: %zu fields, "
			    "expected %d", i + 1, SEEN_FIELDS);
		if (i + 1 == SEEN_FIELDS && p != end)
			return sip_errf(err, SIP_EINVAL, "seen: more than %d "
			    "fields", SEEN_FIELDS);
		if (p < end)
			*p++ = '\0';
	}
	/* The last field ends the line: it was NUL-terminated by the caller. */
	if (*end != '\0')
		return sip_errf(err, SIP_EINVAL, "seen: line not terminated");
	/*
	 * Ten digits exactly, in range.  A partial line glued onto a whole
	 * one is refused here whatever byte it was cut at: cut in the time,
	 * its digits run into the next line's ten (eleven or more); cut
	 * past its first TAB, the pair has at least SEEN_FIELDS TABs.
	 */
	if (strspn(field[0], "0123456789") != strlen(field[0]) ||
	    strlen(field[0]) != SEEN_TIME_DIGITS)
		return sip_errf(err, SIP_EINVAL, "seen: time: not a number of "
		    "%d digits", SEEN_TIME_DIGITS);
	t = strtoll(field[0], NULL, 10);
	if (t < SEEN_TIME_MIN || t >= SEEN_TIME_END)
		return sip_errf(err, SIP_EINVAL, "seen: time: %lld is not "
		    "from 2020 to 2099", t);
	if (strlen(field[1]) != SIP_MAC_STRLEN - 1)
		return sip_errf(err, SIP_EINVAL, "seen: mac: not a MAC address");
	memcpy(req->mac, field[1], SIP_MAC_STRLEN);
	req->platform = *field[2] != '\0' ? field[2] : NULL;
	req->buildarch = *field[3] != '\0' ? field[3] : NULL;
	req->uuid = *field[4] != '\0' ? field[4] : NULL;
	req->serial = *field[5] != '\0' ? field[5] : NULL;
	req->manufacturer = *field[6] != '\0' ? field[6] : NULL;
	req->product = *field[7] != '\0' ? field[7] : NULL;
	req->ip = *field[8] != '\0' ? field[8] : NULL;
	*at = (int64_t)t;
	return seen_check(req, err);
}

/*
 * Empty the journal into memory for a fold.  The exclusive lock waits
 * for the writers of the moment (each holds its lock for one write), and
 * no line can arrive between the read and the truncation.
 */
enum sip_rc
sip_seen_take(const char *db_path, char **buf, size_t *len,
    struct sip_err *err)
{
	char path[PATH_MAX];
	enum sip_rc rc;
	int fd;

	*buf = NULL;
	*len = 0;
	if ((rc = sip_db_sibling(db_path, SIP_SEEN_SUFFIX, path,
	    sizeof(path), err)) != SIP_OK)
		return rc;
	if ((fd = open(path, O_RDWR | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC)) ==
	    -1) {
		if (errno == ENOENT)
			return SIP_OK;
		return sip_errf(err, SIP_EIO, "%s: %s", path, strerror(errno));
	}
	if (flock(fd, LOCK_EX) == -1) {
		rc = sip_errf(err, SIP_EIO, "%s: %s", path, strerror(errno));
		goto close;
	}
	if ((rc = sip_fd_read(fd, path, SEEN_READ_MAX, buf, len, err)) !=
	    SIP_OK)
		goto close;
	if (ftruncate(fd, 0) == -1) {
		rc = sip_errf(err, SIP_EIO, "%s: %s", path, strerror(errno));
		free(*buf);
		*buf = NULL;
		*len = 0;
		goto close;
	}
	if (*len == 0) {
		free(*buf);
		*buf = NULL;
	}
 close:
	close(fd);
	return rc;
}

/* A fold that could not commit gives its lines back, after any newer ones. */
enum sip_rc
sip_seen_putback(const char *db_path, const char *buf, size_t len,
    struct sip_err *err)
{
	char path[PATH_MAX];
	enum sip_rc rc;
	int fd;

	if ((rc = sip_db_sibling(db_path, SIP_SEEN_SUFFIX, path,
	    sizeof(path), err)) != SIP_OK)
		return rc;
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
	    O_NOCTTY | O_CLOEXEC, 0640)) == -1)
		return sip_errf(err, SIP_EIO, "%s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX) == -1) {
		rc = sip_errf(err, SIP_EIO, "%s: %s", path, strerror(errno));
		goto close;
	}
	rc = sip_fd_write(fd, path, buf, len, err);
 close:
	close(fd);
	return rc;
}
