/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The seen journal: ipxe.cgi appends one line per boot request instead of writing the database, and se3-ipxe folds the lines into the machines table. */
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
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
/* Folds are rare: a writer that loses this many races in a row has a problem. */
#define SEEN_REOPEN_MAX	100
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
 * Writers share the lock and a fold takes it alone on the file it renamed,
 * so that the fold reads only after the writers that had the file before
 * the rename are done; a writer that gets the lock later sees the rename
 * and opens the journal again.  One write(2)
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
	struct stat sb, now_sb;
	enum sip_rc rc;
	ssize_t w;
	int fd, n, werr, cut, tries;

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
	for (tries = 0;; tries++) {
		/* Read access too: a short write's repair reads the tail back. */
		if ((fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW |
		    O_NOCTTY | O_CLOEXEC, 0640)) == -1)
			return sip_errf(err, SIP_EIO, "%s: %s", path,
			    strerror(errno));
		if (flock(fd, LOCK_SH) == -1 || fstat(fd, &sb) == -1) {
			rc = sip_errf(err, SIP_EIO, "%s: %s", path,
			    strerror(errno));
			goto close;
		}
		/*
		 * A fold may have renamed the file between the open and the
		 * lock: a line written there now would come after its read.
		 * Under the lock the file at the path is the one a fold will
		 * take next, so write only to that one.
		 */
		if (stat(path, &now_sb) == 0) {
			if (now_sb.st_dev == sb.st_dev &&
			    now_sb.st_ino == sb.st_ino)
				break;
		} else if (errno != ENOENT) {
			rc = sip_errf(err, SIP_EIO, "%s: %s", path,
			    strerror(errno));
			goto close;
		}
		close(fd);
		if (tries == SEEN_REOPEN_MAX)
			return sip_errf(err, SIP_EIO, "%s: renamed under this "
			    "writer %d times, boot not recorded", path,
			    SEEN_REOPEN_MAX + 1);
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
 * A fold never empties the journal in place: it renames it to a
 * generation file, DB-seen.N, folds that, records N as folded in the
 * same transaction, and only then unlinks it.  A fold killed or failing
 * anywhere leaves each line either in a generation file not recorded
 * (folded next time) or recorded (unlinked next time, never folded
 * twice).  The functions below are the file half; the store keeps N.
 */

/* The path of generation gen of the journal. */
static enum sip_rc
seen_gen_path(const char *db_path, int64_t gen, char *buf, size_t sz,
    struct sip_err *err)
{
	char suffix[sizeof(SIP_SEEN_SUFFIX) + 24];

	snprintf(suffix, sizeof(suffix), "%s.%lld", SIP_SEEN_SUFFIX,
	    (long long)gen);
	return sip_db_sibling(db_path, suffix, buf, sz, err);
}

static int
gen_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Whether name is base's generation file; *gen its number. */
static int
seen_gen_name(const char *name, const char *base, size_t blen, int64_t *gen)
{
	const char *p;
	long long v = 0;

	if (strncmp(name, base, blen) != 0 || name[blen] != '.')
		return 0;
	p = name + blen + 1;
	/* Decimal without leading zero, as seen_gen_path writes it. */
	if (*p < '1' || *p > '9' || strlen(p) > 18)
		return 0;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (*p - '0');
	}
	*gen = (int64_t)v;
	return 1;
}

enum sip_rc
sip_seen_generations(const char *db_path, int64_t **gens, size_t *n,
    struct sip_err *err)
{
	char path[PATH_MAX], dir[PATH_MAX], *slash;
	const char *base;
	struct dirent *de;
	int64_t *v = NULL, *nv, g;
	size_t cap = 0, blen;
	enum sip_rc rc;
	DIR *d;

	*gens = NULL;
	*n = 0;
	if ((rc = sip_db_sibling(db_path, SIP_SEEN_SUFFIX, path,
	    sizeof(path), err)) != SIP_OK)
		return rc;
	memcpy(dir, path, sizeof(dir));
	if ((slash = strrchr(dir, '/')) == NULL) {
		base = path;
		memcpy(dir, ".", 2);
	} else {
		base = path + (slash - dir) + 1;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	blen = strlen(base);
	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return SIP_OK;
		return sip_errf(err, SIP_EIO, "%s: %s", dir, strerror(errno));
	}
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (!seen_gen_name(de->d_name, base, blen, &g))
			continue;
		if (*n == cap) {
			cap = cap == 0 ? 4 : cap * 2;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL) {
				rc = sip_errf(err, SIP_ENOMEM, "%s: out of "
				    "memory", dir);
				goto fail;
			}
			v = nv;
		}
		v[(*n)++] = g;
		errno = 0;
	}
	if (errno != 0) {
		rc = sip_errf(err, SIP_EIO, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), gen_cmp);
	*gens = v;
	return SIP_OK;
 fail:
	closedir(d);
	free(v);
	*n = 0;
	return rc;
}

/*
 * RENAME_NOREPLACE: a generation file is never replaced, whatever a
 * confused caller asks.  Appenders that opened the journal before the
 * rename see, once they hold their lock, that the path is another file.
 */
enum sip_rc
sip_seen_rotate(const char *db_path, int64_t gen, int *rotated,
    struct sip_err *err)
{
	char path[PATH_MAX], to[PATH_MAX];
	struct stat sb;
	enum sip_rc rc;

	*rotated = 0;
	if ((rc = sip_db_sibling(db_path, SIP_SEEN_SUFFIX, path,
	    sizeof(path), err)) != SIP_OK ||
	    (rc = seen_gen_path(db_path, gen, to, sizeof(to), err)) != SIP_OK)
		return rc;
	if (lstat(path, &sb) == -1) {
		if (errno == ENOENT)
			return SIP_OK;
		return sip_errf(err, SIP_EIO, "%s: %s", path, strerror(errno));
	}
	if (!S_ISREG(sb.st_mode))
		return sip_errf(err, SIP_EIO, "%s: not a regular file", path);
	/* Empty: nothing to fold, and a rename per status is no use. */
	if (sb.st_size == 0)
		return SIP_OK;
	if (renameat2(AT_FDCWD, path, AT_FDCWD, to, RENAME_NOREPLACE) == -1) {
		if (errno == ENOENT)
			return SIP_OK;
		return sip_errf(err, SIP_EIO, "%s -> %s: %s", path, to,
		    strerror(errno));
	}
	*rotated = 1;
	return SIP_OK;
}

/*
 * The exclusive lock waits for the appenders that held theirs on this
 * file before the rename: their lines are in by the read.
 */
enum sip_rc
sip_seen_read_gen(const char *db_path, int64_t gen, char **buf, size_t *len,
    struct sip_err *err)
{
	char path[PATH_MAX];
	struct stat sb;
	enum sip_rc rc;
	int fd;

	*buf = NULL;
	*len = 0;
	if ((rc = seen_gen_path(db_path, gen, path, sizeof(path), err)) !=
	    SIP_OK)
		return rc;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC)) ==
	    -1)
		return sip_errf(err, SIP_EIO, "%s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX) == -1 || fstat(fd, &sb) == -1) {
		rc = sip_errf(err, SIP_EIO, "%s: %s", path, strerror(errno));
		goto close;
	}
	if (!S_ISREG(sb.st_mode)) {
		rc = sip_errf(err, SIP_EIO, "%s: not a regular file", path);
		goto close;
	}
	if ((rc = sip_fd_read(fd, path, SEEN_READ_MAX, buf, len, err)) !=
	    SIP_OK)
		goto close;
	if (*len == 0) {
		free(*buf);
		*buf = NULL;
	}
 close:
	close(fd);
	return rc;
}

enum sip_rc
sip_seen_unlink_gen(const char *db_path, int64_t gen, struct sip_err *err)
{
	char path[PATH_MAX];
	enum sip_rc rc;

	if ((rc = seen_gen_path(db_path, gen, path, sizeof(path), err)) !=
	    SIP_OK)
		return rc;
	if (unlink(path) == -1 && errno != ENOENT)
		return sip_errf(err, SIP_EIO, "%s: %s", path, strerror(errno));
	return SIP_OK;
}
