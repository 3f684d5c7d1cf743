/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The active list: the MACs that may have an active action, so that ipxe.cgi answers every other machine without opening the database. */
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
 * The header line, one canonical MAC per line, and the trailer line.  The
 * trailer proves the file whole: a list cut short is no list at all, and
 * the machine is then asked about in the database.
 */
#define ACTIVE_HEADER	"se3-ipxe active 1\n"
#define ACTIVE_TRAILER	"end\n"

static enum sip_rc	 active_path(const char *, const char *, char *,
			    size_t, struct sip_err *);
static int		 canonical_mac(const char *);

static enum sip_rc
active_path(const char *db_path, const char *suffix, char *buf, size_t sz,
    struct sip_err *err)
{
	int n;

	if (db_path == NULL || *db_path == '\0')
		return sip_errf(err, SIP_EINVAL, "no database path");
	n = snprintf(buf, sz, "%s%s%s", db_path, SIP_ACTIVE_SUFFIX, suffix);
	if (n < 0 || (size_t)n >= sz)
		return sip_errf(err, SIP_EINVAL, "%s: path too long", db_path);
	return SIP_OK;
}

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

enum sip_rc
sip_active_parse(const char *text, size_t len, const char *mac, int *listed,
    struct sip_err *err)
{
	const size_t hlen = sizeof(ACTIVE_HEADER) - 1;
	const size_t tlen = sizeof(ACTIVE_TRAILER) - 1;
	const size_t rec = SIP_MAC_STRLEN;	/* 17 bytes and LF */
	const char *p, *end;
	size_t line = 1;

	*listed = 0;
	if (mac != NULL && strnlen(mac, rec) != rec - 1)
		return sip_errf(err, SIP_EINVAL, "active list: '%s' is not a "
		    "canonical MAC", mac);
	if (len < hlen || memcmp(text, ACTIVE_HEADER, hlen) != 0)
		return sip_errf(err, SIP_EINVAL, "active list: no header line");
	p = text + hlen;
	end = text + len;
	for (;;) {
		line++;
		if ((size_t)(end - p) == tlen && memcmp(p, ACTIVE_TRAILER,
		    tlen) == 0)
			return SIP_OK;
		/* Whatever came before, a list that is not whole says nothing. */
		if ((size_t)(end - p) < rec) {
			*listed = 0;
			return sip_errf(err, SIP_EINVAL, "active list: line "
			    "%zu: cut short", line);
		}
		if (!canonical_mac(p) || p[rec - 1] != '\n') {
			*listed = 0;
			return sip_errf(err, SIP_EINVAL, "active list: line "
			    "%zu: not a MAC address", line);
		}
		if (mac != NULL && memcmp(p, mac, rec - 1) == 0)
			*listed = 1;
		p += rec;
	}
}

enum sip_rc
sip_active_lookup(const char *db_path, const char *mac, int *listed,
    struct sip_err *err)
{
	char path[PATH_MAX], *text;
	size_t len;
	enum sip_rc rc;

	*listed = 0;
	if ((rc = active_path(db_path, "", path, sizeof(path), err)) !=
	    SIP_OK)
		return rc;
	if ((rc = sip_file_read(path, SIP_ACTIVE_MAX, &text, &len, err)) !=
	    SIP_OK)
		return rc;
	if ((rc = sip_active_parse(text, len, mac, listed, err)) != SIP_OK) {
		/* Name the file: the parser only knows the text. */
		char inner[SIP_ERR_MAX];

		snprintf(inner, sizeof(inner), "%s", err != NULL ? err->msg : "");
		(void)sip_errf(err, rc, "%s: %s", path, inner);
	}
	free(text);
	return rc;
}

/*
 * Replace the list: a new file renamed over the old one, so that a reader
 * sees the old list or the new one, never a mix.  The caller holds the
 * database's write lock, which keeps two writers from crossing.
 */
enum sip_rc
sip_active_write(const char *db_path, const char *const *macs, size_t n,
    struct sip_err *err)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	struct sip_buf b;
	enum sip_rc rc;
	size_t i, done = 0;
	ssize_t w;
	int fd;

	if ((rc = active_path(db_path, "", path, sizeof(path), err)) !=
	    SIP_OK ||
	    (rc = active_path(db_path, ".new", tmp, sizeof(tmp), err)) !=
	    SIP_OK)
		return rc;
	sip_buf_init(&b);
	sip_buf_puts(&b, ACTIVE_HEADER);
	for (i = 0; i < n; i++) {
		if (strlen(macs[i]) != SIP_MAC_STRLEN - 1 ||
		    !canonical_mac(macs[i])) {
			sip_buf_free(&b);
			return sip_errf(err, SIP_EINVAL, "active list: '%s' is "
			    "not a canonical MAC", macs[i]);
		}
		sip_buf_puts(&b, macs[i]);
		sip_buf_puts(&b, "\n");
	}
	sip_buf_puts(&b, ACTIVE_TRAILER);
	if (b.failed) {
		sip_buf_free(&b);
		return sip_errf(err, SIP_ENOMEM, "%s: %s", path,
		    sip_strerror(SIP_ENOMEM));
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_NOCTTY | O_CLOEXEC, 0640)) == -1) {
		rc = sip_errf(err, SIP_EIO, "%s: %s", tmp, strerror(errno));
		goto free;
	}
	while (done < b.len) {
		w = write(fd, b.data + done, b.len - done);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = sip_errf(err, SIP_EIO, "%s: %s", tmp,
			    w == -1 ? strerror(errno) : "short write");
			close(fd);
			goto unlink;
		}
		done += (size_t)w;
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
	return rc;
}
