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

static int		 canonical_mac(const char *);
static enum sip_rc	 active_read(const char *, char *, size_t,
			    const char *, int *, char **, size_t *,
			    struct sip_err *);

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

/*
 * Read DB-active into *text and check it whole (listed as for
 * sip_active_parse); path receives its name, which every error names.
 */
static enum sip_rc
active_read(const char *db_path, char *path, size_t sz, const char *mac,
    int *listed, char **text, size_t *len, struct sip_err *err)
{
	char inner[SIP_ERR_MAX];
	enum sip_rc rc;

	*text = NULL;
	*listed = 0;
	if ((rc = sip_db_sibling(db_path, SIP_ACTIVE_SUFFIX, path, sz,
	    err)) != SIP_OK ||
	    (rc = sip_file_read(path, SIP_ACTIVE_MAX, text, len, err)) !=
	    SIP_OK)
		return rc;
	if ((rc = sip_active_parse(*text, *len, mac, listed, err)) != SIP_OK) {
		/* Name the file: the parser only knows the text. */
		snprintf(inner, sizeof(inner), "%s", err != NULL ? err->msg : "");
		(void)sip_errf(err, rc, "%s: %s", path, inner);
		free(*text);
		*text = NULL;
	}
	return rc;
}

enum sip_rc
sip_active_lookup(const char *db_path, const char *mac, int *listed,
    struct sip_err *err)
{
	char path[PATH_MAX], *text;
	size_t len;
	enum sip_rc rc;

	rc = active_read(db_path, path, sizeof(path), mac, listed, &text, &len,
	    err);
	free(text);
	return rc;
}

enum sip_rc
sip_active_missing(const char *db_path, const char (*macs)[SIP_MAC_STRLEN],
    size_t n, size_t *nmissing, struct sip_err *err)
{
	char path[PATH_MAX], line[SIP_MAC_STRLEN + 1], *text;
	size_t len, i, missing = 0, first = 0;
	enum sip_rc rc;
	int listed;

	*nmissing = 0;
	rc = active_read(db_path, path, sizeof(path), NULL, &listed, &text,
	    &len, err);
	if (rc == SIP_ENOTFOUND)
		return sip_errf(err, SIP_EDB, "%s: missing: run se3-ipxe "
		    "cleanup", path);
	if (rc != SIP_OK)
		return rc;
	/* The list is whole: each of its lines, LF before and after, is a MAC. */
	for (i = 0; i < n; i++) {
		line[0] = '\n';
		memcpy(line + 1, macs[i], SIP_MAC_STRLEN - 1);
		line[SIP_MAC_STRLEN] = '\n';
		if (memmem(text, len, line, sizeof(line)) == NULL &&
		    missing++ == 0)
			first = i;
	}
	free(text);
	*nmissing = missing;
	if (missing > 0)
		return sip_errf(err, SIP_EDB, "%s: %zu MAC(s) with an active "
		    "action missing, %s first: run se3-ipxe cleanup", path,
		    missing, macs[first]);
	return SIP_OK;
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
	size_t i;
	int fd;

	if ((rc = sip_db_sibling(db_path, SIP_ACTIVE_SUFFIX, path,
	    sizeof(path), err)) != SIP_OK ||
	    (rc = sip_db_sibling(db_path, SIP_ACTIVE_SUFFIX ".new", tmp,
	    sizeof(tmp), err)) != SIP_OK)
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
	return rc;
}
