/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The active list: the MACs that may have an active action, so that ipxe.cgi answers every other machine without opening the database. */
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
 * The header line, one canonical MAC per line in strictly ascending byte
 * order, and the trailer line.  Every line but the trailer is 18 bytes
 * wide, so that record i is at offset 18 * i and a boot request finds its
 * MAC by a binary search of a few reads, whatever the size of the fleet.
 * The trailer proves the file whole: a list cut short is no list at all,
 * and the machine is then asked about in the database.  Version 1 (lines
 * in any order, read whole) is no list either: the first boot that asks
 * the database, or se3-ipxe init or cleanup, rewrites it.
 */
#define ACTIVE_HEADER		"se3-ipxe active 2\n"
#define ACTIVE_HEADER_V1	"se3-ipxe active 1\n"
#define ACTIVE_TRAILER		"end\n"
#define REC			SIP_MAC_STRLEN	/* 17 bytes and LF */
#define TLEN			(sizeof(ACTIVE_TRAILER) - 1)
/* A lookup's first read: a list of up to 225 MACs is read whole by it. */
#define ACTIVE_BLOCK		4096
/*
 * Each later read takes a page around the line wanted: a system call
 * costs more than copying a page, and the search's last probes fall near
 * each other, so 100,000 MACs take 9 reads instead of 18.
 */
#define ACTIVE_WINDOW		4096

_Static_assert(sizeof(ACTIVE_HEADER) - 1 == REC,
    "the header is one record wide");
_Static_assert(sizeof(ACTIVE_HEADER_V1) - 1 == REC,
    "the old header is as wide as the new one");

/*
 * A list being read: its first ntext bytes in text, the rest (if any)
 * read from fd on demand, a window of it at a time into win (woff, nwin).
 * name starts every error message.
 */
struct active_src {
	const char	*name;
	const char	*text;
	size_t		 ntext;
	int		 fd;
	size_t		 len;
	char		*win;
	size_t		 woff;
	size_t		 nwin;
};

static int		 canonical_mac(const char *);
static int		 mac_cmp(const void *, const void *);
static enum sip_rc	 active_get(struct active_src *, size_t, size_t,
			    char *, struct sip_err *);
static enum sip_rc	 active_frame(struct active_src *, size_t *,
			    struct sip_err *);
static enum sip_rc	 active_check(struct active_src *, size_t,
			    struct sip_err *);
static enum sip_rc	 active_search(struct active_src *, size_t,
			    const char *, int *, struct sip_err *);
static enum sip_rc	 active_mac_arg(const char *, struct sip_err *);

/* Exactly 17 bytes of lower-case hex pairs and colons. */
static int
canonical_mac(const char *p)
{
	int i;

	for (i = 0; i < SIP_MAC_STRLEN - 1; i++) {
		if (i % 3 == 2) {
			if (p[i] != ':')
				return 0;
		} else if (!((p[i] >= '0' && p[i] <= '9') ||
		    (p[i] >= 'a' && p[i] <= 'f')))
			return 0;
	}
	return 1;
}

/* qsort over an array of MAC pointers: the order of the list's lines. */
static int
mac_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* n bytes at off into out: from the text when it holds them, else read. */
static enum sip_rc
active_get(struct active_src *src, size_t off, size_t n, char *out,
    struct sip_err *err)
{
	size_t done = 0, want;
	ssize_t r;

	if (off + n <= src->ntext) {
		memcpy(out, src->text + off, n);
		return SIP_OK;
	}
	if (src->nwin > 0 && off >= src->woff &&
	    off + n <= src->woff + src->nwin) {
		memcpy(out, src->win + (off - src->woff), n);
		return SIP_OK;
	}
	/* The window around what is wanted, within the file. */
	want = src->len < ACTIVE_WINDOW ? src->len : ACTIVE_WINDOW;
	src->woff = off + n / 2 > want / 2 ? off + n / 2 - want / 2 : 0;
	if (src->woff > src->len - want)
		src->woff = src->len - want;
	src->nwin = 0;
	while (done < want) {
		r = pread(src->fd, src->win + done, want - done,
		    (off_t)(src->woff + done));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return sip_errf(err, SIP_EIO, "%s: %s", src->name,
			    strerror(errno));
		/* Shorter than it was at fstat: cut in place under us. */
		if (r == 0)
			return sip_errf(err, SIP_EINVAL, "%s: cut short while "
			    "read", src->name);
		done += (size_t)r;
	}
	src->nwin = want;
	memcpy(out, src->win + (off - src->woff), n);
	return SIP_OK;
}

/*
 * The header, the size and the trailer: *n receives the number of MACs.
 * Nothing else is read, so that a lookup costs the same for any size.
 */
static enum sip_rc
active_frame(struct active_src *src, size_t *n, struct sip_err *err)
{
	char head[REC], tail[TLEN];
	enum sip_rc rc;

	*n = 0;
	if (src->len < REC)
		return sip_errf(err, SIP_EINVAL, "%s: no header line",
		    src->name);
	if ((rc = active_get(src, 0, REC, head, err)) != SIP_OK)
		return rc;
	if (memcmp(head, ACTIVE_HEADER_V1, REC) == 0)
		return sip_errf(err, SIP_EINVAL, "%s: version 1, an older "
		    "format: se3-ipxe cleanup rewrites it", src->name);
	if (memcmp(head, ACTIVE_HEADER, REC) != 0)
		return sip_errf(err, SIP_EINVAL, "%s: no header line",
		    src->name);
	if (src->len < REC + TLEN || (src->len - REC - TLEN) % REC != 0)
		return sip_errf(err, SIP_EINVAL, "%s: cut short: %zu bytes are "
		    "not a header, whole lines of %d bytes and a trailer",
		    src->name, src->len, REC);
	if ((rc = active_get(src, src->len - TLEN, TLEN, tail, err)) !=
	    SIP_OK)
		return rc;
	if (memcmp(tail, ACTIVE_TRAILER, TLEN) != 0)
		return sip_errf(err, SIP_EINVAL, "%s: cut short: no trailer "
		    "line", src->name);
	*n = (src->len - REC - TLEN) / REC;
	return SIP_OK;
}

/* Every one of the n lines: a MAC, each after the one before it. */
static enum sip_rc
active_check(struct active_src *src, size_t n, struct sip_err *err)
{
	char rec[REC], prev[REC];
	size_t i;
	enum sip_rc rc;

	for (i = 1; i <= n; i++) {
		if ((rc = active_get(src, i * REC, REC, rec, err)) != SIP_OK)
			return rc;
		if (!canonical_mac(rec) || rec[REC - 1] != '\n')
			return sip_errf(err, SIP_EINVAL, "%s: line %zu: not a "
			    "MAC address", src->name, i + 1);
		if (i > 1 && memcmp(prev, rec, REC - 1) >= 0)
			return sip_errf(err, SIP_EINVAL, "%s: line %zu: %s "
			    "line %zu: the list is not sorted", src->name,
			    i + 1, memcmp(prev, rec, REC - 1) == 0 ?
			    "the same MAC as" : "before", i);
		memcpy(prev, rec, REC);
	}
	return SIP_OK;
}

/*
 * A binary search of the n lines for mac (NULL: none is listed).  Each
 * line read must be a MAC between the lines read before it on either
 * side, and the lines next to a MAC found must differ from it: a list
 * that the search finds out of order or doubled is no list.  Lines it
 * does not read are not checked: the writer alone makes the list, whole,
 * and active_check checks all of it for se3-ipxe check.
 */
static enum sip_rc
active_search(struct active_src *src, size_t n, const char *mac,
    int *listed, struct sip_err *err)
{
	char rec[REC], below[REC], above[REC];
	size_t lo = 1, hi = n + 1, mid = 0, side;
	int has_below = 0, has_above = 0, c;
	enum sip_rc rc;

	*listed = 0;
	if (mac == NULL)
		return SIP_OK;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((rc = active_get(src, mid * REC, REC, rec, err)) != SIP_OK)
			return rc;
		if (!canonical_mac(rec) || rec[REC - 1] != '\n')
			return sip_errf(err, SIP_EINVAL, "%s: line %zu: not a "
			    "MAC address", src->name, mid + 1);
		if ((has_below && memcmp(below, rec, REC - 1) >= 0) ||
		    (has_above && memcmp(rec, above, REC - 1) >= 0))
			return sip_errf(err, SIP_EINVAL, "%s: line %zu: out of "
			    "order: the list is not sorted", src->name,
			    mid + 1);
		c = memcmp(rec, mac, REC - 1);
		if (c < 0) {
			memcpy(below, rec, REC);
			has_below = 1;
			lo = mid + 1;
		} else if (c > 0) {
			memcpy(above, rec, REC);
			has_above = 1;
			hi = mid;
		} else
			break;
	}
	if (lo >= hi)
		return SIP_OK;
	for (side = mid - 1; side <= mid + 1; side += 2) {
		if (side < 1 || side > n)
			continue;
		if ((rc = active_get(src, side * REC, REC, rec, err)) != SIP_OK)
			return rc;
		if (memcmp(rec, mac, REC - 1) == 0)
			return sip_errf(err, SIP_EINVAL, "%s: line %zu: the "
			    "same MAC as line %zu: the list is not sorted",
			    src->name, mid > side ? mid + 1 : side + 1,
			    mid > side ? side + 1 : mid + 1);
	}
	*listed = 1;
	return SIP_OK;
}

/* The MAC asked: 17 bytes, never read past (NULL asks for none). */
static enum sip_rc
active_mac_arg(const char *mac, struct sip_err *err)
{
	if (mac != NULL && strnlen(mac, REC) != REC - 1)
		return sip_errf(err, SIP_EINVAL, "active list: '%s' is not a "
		    "canonical MAC", mac);
	return SIP_OK;
}

enum sip_rc
sip_active_parse(const char *text, size_t len, const char *mac, int *listed,
    struct sip_err *err)
{
	struct active_src src = { "active list", text, len, -1, len, NULL,
	    0, 0 };
	enum sip_rc rc;
	size_t n;

	*listed = 0;
	if ((rc = active_mac_arg(mac, err)) != SIP_OK ||
	    (rc = active_frame(&src, &n, err)) != SIP_OK ||
	    (rc = active_check(&src, n, err)) != SIP_OK)
		return rc;
	return active_search(&src, n, mac, listed, err);
}

enum sip_rc
sip_active_search(const char *text, size_t len, const char *mac,
    int *listed, struct sip_err *err)
{
	struct active_src src = { "active list", text, len, -1, len, NULL,
	    0, 0 };
	enum sip_rc rc;
	size_t n;

	*listed = 0;
	if ((rc = active_mac_arg(mac, err)) != SIP_OK ||
	    (rc = active_frame(&src, &n, err)) != SIP_OK)
		return rc;
	return active_search(&src, n, mac, listed, err);
}

enum sip_rc
sip_active_lookup(const char *db_path, const char *mac, int *listed,
    struct sip_err *err)
{
	char path[PATH_MAX], block[ACTIVE_BLOCK], win[ACTIVE_WINDOW];
	struct active_src src = { NULL, block, 0, -1, 0, win, 0, 0 };
	struct stat sb;
	enum sip_rc rc;
	ssize_t r;
	size_t n;

	*listed = 0;
	if ((rc = active_mac_arg(mac, err)) != SIP_OK ||
	    (rc = sip_db_sibling(db_path, SIP_ACTIVE_SUFFIX, path,
	    sizeof(path), err)) != SIP_OK)
		return rc;
	src.name = path;
	/* O_NONBLOCK: a FIFO put there must not hold the boot. */
	if ((src.fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC)) == -1)
		return sip_errf(err, errno == ENOENT ? SIP_ENOTFOUND : SIP_EIO,
		    "%s: %s", path, strerror(errno));
	if (fstat(src.fd, &sb) == -1) {
		rc = sip_errf(err, SIP_EIO, "%s: %s", path, strerror(errno));
		goto close;
	}
	if (!S_ISREG(sb.st_mode)) {
		rc = sip_errf(err, SIP_EIO, "%s: not a regular file", path);
		goto close;
	}
	if (sb.st_size > (off_t)SIP_ACTIVE_MAX) {
		rc = sip_errf(err, SIP_EINVAL, "%s: larger than %u bytes",
		    path, SIP_ACTIVE_MAX);
		goto close;
	}
	src.len = (size_t)sb.st_size;
	/* One read holds the header, and the whole of a small list. */
	do
		r = pread(src.fd, block, src.len < sizeof(block) ? src.len :
		    sizeof(block), 0);
	while (r == -1 && errno == EINTR);
	if (r == -1) {
		rc = sip_errf(err, SIP_EIO, "%s: %s", path, strerror(errno));
		goto close;
	}
	src.ntext = (size_t)r;
	if ((rc = active_frame(&src, &n, err)) == SIP_OK)
		rc = active_search(&src, n, mac, listed, err);
 close:
	close(src.fd);
	return rc;
}

enum sip_rc
sip_active_missing(const char *db_path, const char (*macs)[SIP_MAC_STRLEN],
    size_t n, size_t *nmissing, struct sip_err *err)
{
	char path[PATH_MAX], *text = NULL;
	struct active_src src = { NULL, NULL, 0, -1, 0, NULL, 0, 0 };
	size_t len, i, nlist, missing = 0, first = 0;
	enum sip_rc rc;
	int listed;

	*nmissing = 0;
	if ((rc = sip_db_sibling(db_path, SIP_ACTIVE_SUFFIX, path,
	    sizeof(path), err)) != SIP_OK)
		return rc;
	rc = sip_file_read(path, SIP_ACTIVE_MAX, &text, &len, err);
	if (rc == SIP_ENOTFOUND)
		return sip_errf(err, SIP_EDB, "%s: missing: run se3-ipxe "
		    "cleanup", path);
	if (rc != SIP_OK)
		return rc;
	src.name = path;
	src.text = text;
	src.ntext = src.len = len;
	/* The whole list is checked once, then each MAC is searched for. */
	if ((rc = active_frame(&src, &nlist, err)) != SIP_OK ||
	    (rc = active_check(&src, nlist, err)) != SIP_OK)
		goto out;
	for (i = 0; i < n; i++) {
		if ((rc = active_search(&src, nlist, macs[i], &listed, err)) !=
		    SIP_OK)
			goto out;
		if (!listed && missing++ == 0)
			first = i;
	}
	*nmissing = missing;
	if (missing > 0)
		rc = sip_errf(err, SIP_EDB, "%s: %zu MAC(s) with an active "
		    "action missing, %s first: run se3-ipxe cleanup", path,
		    missing, macs[first]);
 out:
	free(text);
	return rc;
}

/*
 * Replace the list: a new file renamed over the old one, so that a reader
 * sees the old list or the new one, never a mix.  The caller holds the
 * database's write lock, which keeps two writers from crossing.  The MACs
 * are sorted here and written once each, whatever order they come in.
 */
enum sip_rc
sip_active_write(const char *db_path, const char *const *macs, size_t n,
    struct sip_err *err)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	const char **sorted = NULL;
	struct sip_buf b;
	enum sip_rc rc;
	size_t i;
	int fd;

	if ((rc = sip_db_sibling(db_path, SIP_ACTIVE_SUFFIX, path,
	    sizeof(path), err)) != SIP_OK ||
	    (rc = sip_db_sibling(db_path, SIP_ACTIVE_SUFFIX ".new", tmp,
	    sizeof(tmp), err)) != SIP_OK)
		return rc;
	for (i = 0; i < n; i++)
		if (strlen(macs[i]) != SIP_MAC_STRLEN - 1 ||
		    !canonical_mac(macs[i]))
			return sip_errf(err, SIP_EINVAL, "active list: '%s' is "
			    "not a canonical MAC", macs[i]);
	if (n > 0) {
		if ((sorted = malloc(n * sizeof(*sorted))) == NULL)
			return sip_errf(err, SIP_ENOMEM, "%s: %s", path,
			    sip_strerror(SIP_ENOMEM));
		memcpy(sorted, macs, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), mac_cmp);
	}
	sip_buf_init(&b);
	sip_buf_puts(&b, ACTIVE_HEADER);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(sorted[i - 1], sorted[i]) == 0)
			continue;
		sip_buf_puts(&b, sorted[i]);
		sip_buf_puts(&b, "\n");
	}
	sip_buf_puts(&b, ACTIVE_TRAILER);
	if (b.failed) {
		rc = sip_errf(err, SIP_ENOMEM, "%s: %s", path,
		    sip_strerror(SIP_ENOMEM));
		goto free;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_NOCTTY | O_CLOEXEC, 0640)) == -1) {
		rc = sip_errf(err, SIP_EIO, "%s: %s", tmp, strerror(errno));
		goto free;
	}
	if ((rc = sip_fd_write(fd, tmp, b.data, b.len, err)) != SIP_OK) {
		close(fd);
		goto unlink;
	}
	if (close(fd) == -1) {
		rc = sip_errf(err, SIP_EIO, "%s: %s", tmp, strerror(errno));
		goto unlink;
	}
	if (rename(tmp, path) == -1) {
		rc = sip_errf(err, SIP_EIO, "%s: %s", path, strerror(errno));
		goto unlink;
	}
	rc = SIP_OK;
	goto free;
 unlink:
	(void)unlink(tmp);
 free:
	sip_buf_free(&b);
	free(sorted);
	return rc;
}
