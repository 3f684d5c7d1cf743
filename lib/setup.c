/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Setting modules up: their upstream files fetched with curl (or taken from an ISO with xorriso), verified by size and SHA-256, installed by rename. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "extern.h"

#define SETUP_PATH_MAX		4096
#define SETUP_URL_MAX		2048
#define SETUP_TRIES		3	/* a download cut short is resumed */
#define SETUP_JOB_MS		(24 * 3600 * 1000)	/* stalls end sooner */
#define SETUP_OUT_MAX		(64 * 1024)
#define SCRIPT_MS		(2 * 3600 * 1000)
#define SCRIPT_OUT_MAX		(1024 * 1024)

extern char **environ;

#ifndef SIP_CURL
#define SIP_CURL	"/usr/bin/curl"
#endif
#ifndef SIP_XORRISO
#define SIP_XORRISO	"/usr/bin/xorriso"
#endif
#ifndef SIP_GPGV
#define SIP_GPGV	"/usr/bin/gpgv"
#endif

/* A sums list or its signature: far smaller than this (a Release: 200 kB). */
#define SUMS_MAX		(16 * 1024 * 1024)
/* A file a sums list gives no size of: bounded all the same. */
#define UNPINNED_MAX		(INT64_C(64) * 1024 * 1024 * 1024)
#define SUMS_MS			(10 * 60 * 1000)
#define CLEARSIGNED		"-----BEGIN PGP SIGNED MESSAGE-----"

/* curl's exit statuses that setup acts on (curl(1), EXIT CODES). */
#define CURL_PARTIAL		18	/* the transfer ended early */
#define CURL_HTTP		22	/* --fail: an HTTP error status */
#define CURL_TOO_SLOW		28	/* --speed-time, --connect-timeout */
#define CURL_RANGE		33	/* the server does not do ranges */
#define CURL_RESUME		36	/* the .part cannot be resumed */

/* BOOT_ROOT/MODULE/NAME (with suffix): 0 if it has no room. */
static int
up_path(char *buf, size_t sz, const char *boot_root,
    const struct sip_module *m, const struct sip_upstream *u,
    const char *suffix)
{
	int n;

	n = snprintf(buf, sz, "%s/%s/%s%s", boot_root, m->name, u->name,
	    suffix);
	return n >= 0 && (size_t)n < sz;
}

/*
 * Is the file at path upstream u?  SIP_OK, SIP_EINVAL with why (another
 * size or SHA-256), SIP_ENOTFOUND, or SIP_EIO.  The size first: a
 * download cut short is not hashed.
 */
static enum sip_rc
up_verify(const char *path, const struct sip_upstream *u, char *why,
    size_t whysz, struct sip_err *err)
{
	char hex[SIP_SHA256_HEX + 1];
	struct stat sb;
	int64_t size;
	enum sip_rc rc;

	if (stat(path, &sb) == -1)
		return sip_errf(err, errno == ENOENT || errno == ENOTDIR ?
		    SIP_ENOTFOUND : SIP_EIO, "%s: %s", path, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return sip_errf(err, SIP_EIO, "%s: not a regular file", path);
	if (u->size >= 0 && (int64_t)sb.st_size != u->size) {
		if (u->from != NULL)
			snprintf(why, whysz, "%" PRId64 " bytes, %s has %"
			    PRId64, (int64_t)sb.st_size, u->from, u->size);
		else
			snprintf(why, whysz, "%" PRId64 " bytes, the manifest "
			    "says %" PRId64, (int64_t)sb.st_size, u->size);
		return SIP_EINVAL;
	}
	if ((rc = sip_sha256_file(path, hex, &size, err)) != SIP_OK)
		return rc;
	if ((u->size >= 0 && size != u->size) || strcmp(hex, u->sha256) != 0) {
		if (u->from != NULL)
			snprintf(why, whysz, "sha256 %s, not that of %s", hex,
			    u->from);
		else if (u->unpinned)
			snprintf(why, whysz, "sha256 %s, not the %s %s", hex,
			    u->sums != NULL ? "signed list's" : "recorded",
			    u->sha256);
		else
			snprintf(why, whysz, "sha256 %s, not the manifest's %s",
			    hex, u->sha256);
		return SIP_EINVAL;
	}
	return SIP_OK;
}

/*
 * What a [copy] must be: its package's file as it is now, whose digest
 * and size fill *want.  SIP_ENOTFOUND, said, if that file is not there.
 */
static enum sip_rc
copy_want(const struct sip_module *m, const struct sip_upstream *u,
    struct sip_upstream *want, struct sip_err *err)
{
	enum sip_rc rc;

	*want = *u;
	rc = sip_sha256_file(u->from, want->sha256, &want->size, err);
	if (rc == SIP_ENOTFOUND)
		return sip_errf(err, SIP_ENOTFOUND, "%s: copy %s: %s is "
		    "missing: install the %s package", m->name, u->name,
		    u->from, u->package != NULL ? u->package : "module's");
	return rc;
}

/*
 * BOOT_ROOT/MODULE/DIR/.BASE.sha256: what setup verified a file the
 * manifest has no sha256 of to be, for check (offline) and the next
 * setup.  Hidden: no upstream name can be it.  0 if it has no room.
 */
static int
up_record_path(char *buf, size_t sz, const char *boot_root,
    const struct sip_module *m, const struct sip_upstream *u)
{
	const char *base = strrchr(u->name, '/');
	int n;

	if (base == NULL)
		n = snprintf(buf, sz, "%s/%s/.%s.sha256", boot_root, m->name,
		    u->name);
	else
		n = snprintf(buf, sz, "%s/%s/%.*s/.%s.sha256", boot_root,
		    m->name, (int)(base - u->name), u->name, base + 1);
	return n >= 0 && (size_t)n < sz;
}

/*
 * The record, "HEX SIZE [ISOHEX]": into want's sha256 and size, and the
 * ISO's digest the member was extracted from ("" if none).  0, or -1 if
 * there is none that reads right.
 */
static int
up_record_read(const char *path, struct sip_upstream *want,
    char isohex[SIP_SHA256_HEX + 1])
{
	char buf[256], hex[SIP_SHA256_HEX + 1], ihex[SIP_SHA256_HEX + 1];
	long long size;
	FILE *f;
	int n;

	isohex[0] = '\0';
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) == NULL) {
		fclose(f);
		return -1;
	}
	fclose(f);
	n = sscanf(buf, "%64[0-9a-f] %lld %64[0-9a-f]", hex, &size, ihex);
	if (n < 2 || strlen(hex) != SIP_SHA256_HEX || size < 0)
		return -1;
	memcpy(want->sha256, hex, sizeof(hex));
	want->size = (int64_t)size;
	if (n == 3 && strlen(ihex) == SIP_SHA256_HEX)
		memcpy(isohex, ihex, sizeof(ihex));
	return 0;
}

/* The record of u as verified now (isohex: the ISO's, or NULL), durably. */
static enum sip_rc
up_record_write(const char *path, const struct sip_upstream *u,
    const char *isohex, struct sip_err *err)
{
	char tmp[SETUP_PATH_MAX];
	FILE *f;
	int bad;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return sip_errf(err, SIP_EINVAL, "%s: path too long", path);
	if ((f = fopen(tmp, "we")) == NULL)
		return sip_errf(err, SIP_EIO, "%s: %s", tmp, strerror(errno));
	fprintf(f, "%s %" PRId64 "%s%s\n", u->sha256, u->size,
	    isohex != NULL ? " " : "", isohex != NULL ? isohex : "");
	bad = fflush(f) == EOF || fsync(fileno(f)) == -1;
	if (fclose(f) == EOF || bad) {
		(void)sip_errf(err, SIP_EIO, "%s: %s", tmp, strerror(errno));
		(void)unlink(tmp);
		return SIP_EIO;
	}
	if (rename(tmp, path) == -1) {
		(void)sip_errf(err, SIP_EIO, "%s: %s", path, strerror(errno));
		(void)unlink(tmp);
		return SIP_EIO;
	}
	return SIP_OK;
}

enum sip_rc
sip_upstream_state(const char *boot_root, const struct sip_module *m,
    size_t i, enum sip_up_state *state, char *why, size_t whysz,
    struct sip_err *err)
{
	char path[SETUP_PATH_MAX];
	enum sip_rc rc;

	struct sip_upstream want = m->ups[i];

	*state = SIP_UP_MISSING;
	why[0] = '\0';
	if (!up_path(path, sizeof(path), boot_root, m, &m->ups[i], ""))
		return sip_errf(err, SIP_EINVAL, "%s/%s/%s: path too long",
		    boot_root, m->name, m->ups[i].name);
	char record[SETUP_PATH_MAX], isohex[SIP_SHA256_HEX + 1];
	struct stat sb;

	if (want.from != NULL &&
	    (rc = copy_want(m, &m->ups[i], &want, err)) != SIP_OK)
		return rc;
	/* What setup verified it to be, against the signed list or the ISO. */
	if (want.unpinned) {
		if (!up_record_path(record, sizeof(record), boot_root, m,
		    &want))
			return sip_errf(err, SIP_EINVAL, "%s: path too long",
			    path);
		if (up_record_read(record, &want, isohex) == -1) {
			if (stat(path, &sb) == 0) {
				*state = SIP_UP_STALE;
				snprintf(why, whysz, "no record of its "
				    "verification (%s)", record);
			}
			return SIP_OK;
		}
	}
	switch ((rc = up_verify(path, &want, why, whysz, err))) {
	case SIP_OK:
		*state = SIP_UP_OK;
		return SIP_OK;
	case SIP_EINVAL:
		*state = SIP_UP_STALE;
		return SIP_OK;
	case SIP_ENOTFOUND:
		return SIP_OK;
	default:
		return rc;
	}
}

/* The directories above BOOT_ROOT/MODULE/NAME, made as needed. */
static enum sip_rc
up_mkdirs(const char *boot_root, const char *path, struct sip_err *err)
{
	char dir[SETUP_PATH_MAX];
	struct stat sb;
	char *p;

	if (stat(boot_root, &sb) == -1 || !S_ISDIR(sb.st_mode))
		return sip_errf(err, SIP_EIO, "%s: no such directory (the "
		    "[server] boot_root)", boot_root);
	snprintf(dir, sizeof(dir), "%s", path);
	for (p = dir + strlen(boot_root) + 1; (p = strchr(p, '/')) != NULL;
	    p++) {
		*p = '\0';
		if (mkdir(dir, 0755) == -1 && errno != EEXIST)
			return sip_errf(err, SIP_EIO, "%s: %s", dir,
			    strerror(errno));
		*p = '/';
	}
	return SIP_OK;
}

/* The last line a command wrote, cut to printable ASCII, for a message. */
static void
last_line(const struct sip_job *j, char *buf, size_t sz)
{
	const char *s, *e;
	size_t n = 0;

	buf[0] = '\0';
	if (j->out == NULL)
		return;
	for (e = j->out + j->outlen; e > j->out && (e[-1] == '\n' ||
	    e[-1] == '\r'); e--)
		continue;
	for (s = e; s > j->out && s[-1] != '\n'; s--)
		continue;
	for (; s < e && n + 1 < sz; s++)
		buf[n++] = *s >= ' ' && *s < 0x7f ? *s : '?';
	buf[n] = '\0';
}

/* One curl run: 0 with *status its exit status, or -1 with err set. */
static int
up_curl(const char *url, const char *part, int64_t size, int resume,
    int stall_s, int *status, char *msg, size_t msgsz, struct sip_err *err)
{
	char stall[16], maxsize[24];
	char *argv[34];
	struct sip_job j;
	size_t n = 0;
	enum sip_rc rc;

	snprintf(stall, sizeof(stall), "%d", stall_s);
	snprintf(maxsize, sizeof(maxsize), "%" PRId64, size);
	argv[n++] = (char *)(uintptr_t)SIP_CURL;
	argv[n++] = (char *)(uintptr_t)"-q";	/* no ~/.curlrc */
	argv[n++] = (char *)(uintptr_t)"--fail";
	argv[n++] = (char *)(uintptr_t)"--silent";
	argv[n++] = (char *)(uintptr_t)"--show-error";
	argv[n++] = (char *)(uintptr_t)"--globoff";
	argv[n++] = (char *)(uintptr_t)"--location";
	argv[n++] = (char *)(uintptr_t)"--max-redirs";
	argv[n++] = (char *)(uintptr_t)"5";
	argv[n++] = (char *)(uintptr_t)"--proto";
	argv[n++] = (char *)(uintptr_t)"=http,https";
	argv[n++] = (char *)(uintptr_t)"--proto-redir";
	argv[n++] = (char *)(uintptr_t)"=http,https";
	/* More than the manifest's size is not the file: not fetched. */
	argv[n++] = (char *)(uintptr_t)"--max-filesize";
	argv[n++] = maxsize;
	argv[n++] = (char *)(uintptr_t)"--connect-timeout";
	argv[n++] = stall;
	/* A server that stops sending: given up after stall_s seconds. */
	argv[n++] = (char *)(uintptr_t)"--speed-limit";
	argv[n++] = (char *)(uintptr_t)"1";
	argv[n++] = (char *)(uintptr_t)"--speed-time";
	argv[n++] = stall;
	if (resume) {
		argv[n++] = (char *)(uintptr_t)"--continue-at";
		argv[n++] = (char *)(uintptr_t)"-";
	}
	argv[n++] = (char *)(uintptr_t)"--output";
	argv[n++] = (char *)(uintptr_t)part;
	argv[n++] = (char *)(uintptr_t)"--";
	argv[n++] = (char *)(uintptr_t)url;
	argv[n] = NULL;

	memset(&j, 0, sizeof(j));
	j.argv = argv;
	j.merge_stderr = 1;
	if ((rc = sip_run_jobs(&j, 1, 1, SETUP_JOB_MS, SETUP_OUT_MAX, err)) !=
	    SIP_OK)
		return -1;
	last_line(&j, msg, msgsz);
	*status = j.status;
	sip_jobs_free(&j, 1);
	if (j.start_errno != 0) {
		(void)sip_errf(err, SIP_EIO, "%s: %s (install Debian's curl)",
		    SIP_CURL, strerror(j.start_errno));
		return -1;
	}
	if (j.timed_out || j.signal != 0) {
		(void)sip_errf(err, SIP_EIO, "%s: curl %s", url, j.timed_out ?
		    "ran past its deadline" : "was killed");
		return -1;
	}
	return 0;
}

/* Download url into part, resuming what is there: 0, or -1 with err. */
static int
up_download(const char *url, const char *part, const struct sip_upstream *u,
    int stall_s, struct sip_err *err)
{
	char msg[SIP_ERR_MAX / 2];
	struct stat sb;
	int resume = 1, status, tries;

	char hex[SIP_SHA256_HEX + 1];
	int64_t size;
	struct sip_err ignored;

	/* More than the file: not a beginning of it. */
	if (u->size >= 0 && stat(part, &sb) == 0 &&
	    (int64_t)sb.st_size > u->size)
		(void)unlink(part);
	if (u->size >= 0 && stat(part, &sb) == 0 &&
	    (int64_t)sb.st_size == u->size)
		return 0;	/* complete already: verified next */
	/* Of unknown size, a whole .part is told by its digest alone. */
	if (u->size < 0 && sip_sha256_file(part, hex, &size, &ignored) ==
	    SIP_OK && strcmp(hex, u->sha256) == 0)
		return 0;
	for (tries = 0; tries < SETUP_TRIES; tries++) {
		if (up_curl(url, part, u->size >= 0 ? u->size : UNPINNED_MAX,
		    resume, stall_s, &status, msg, sizeof(msg), err) == -1)
			return -1;
		if (status == 0)
			return 0;
		if (status == CURL_RANGE || status == CURL_RESUME) {
			/* The server cannot resume: start again. */
			(void)unlink(part);
			resume = 0;
			continue;
		}
		if (status == CURL_PARTIAL)
			continue;
		if (status == CURL_HTTP && resume && u->size < 0) {
			/* A whole .part of another file: 416. */
			(void)unlink(part);
			resume = 0;
			continue;
		}
		break;
	}
	if (stat(part, &sb) == 0 && sb.st_size == 0)
		(void)unlink(part);
	if (status == CURL_TOO_SLOW)
		(void)sip_errf(err, SIP_EIO, "%s: nothing received for %d s, "
		    "given up (%s)", url, stall_s, msg);
	else
		(void)sip_errf(err, SIP_EIO, "%s: %s", url, msg[0] != '\0' ?
		    msg : "curl failed");
	return -1;
}

/* The mirror's URL of rel (or rel itself, an http(s) URL): 0, or -1 with err. */
static int
mirror_url(const struct sip_module *m, const struct sip_upstream *u,
    const char *mirror, const char *rel, char *url, size_t sz,
    struct sip_err *err)
{
	size_t n;

	if (strncmp(rel, "http://", 7) == 0 || strncmp(rel, "https://", 8) == 0)
		n = (size_t)snprintf(url, sz, "%s", rel);
	else if ((mirror = mirror != NULL ? mirror : m->mirror) == NULL) {
		(void)sip_errf(err, SIP_EINVAL, "%s: upstream %s: no mirror to "
		    "fetch %s from (give --mirror URL, or [module] mirror)",
		    m->name, u->name, rel);
		return -1;
	} else
		n = (size_t)snprintf(url, sz, "%.*s/%s",
		    (int)(strlen(mirror) - (mirror[strlen(mirror) - 1] == '/')),
		    mirror, rel);
	if (n >= sz) {
		(void)sip_errf(err, SIP_EINVAL, "%s: upstream %s: URL too long",
		    m->name, u->name);
		return -1;
	}
	return 0;
}

/* A small file (a sums list, a signature) fetched whole: 0, or -1 with err. */
static int
sums_fetch(const char *url, const char *path, int stall_s,
    struct sip_err *err)
{
	char msg[SIP_ERR_MAX / 2];
	int status;

	if (up_curl(url, path, SUMS_MAX, 0, stall_s, &status, msg, sizeof(msg),
	    err) == -1)
		return -1;
	if (status != 0) {
		(void)sip_errf(err, SIP_EIO, "%s: %s", url, msg[0] != '\0' ?
		    msg : "curl failed");
		return -1;
	}
	return 0;
}

/* The whole of a small file, NUL-terminated: 0, or -1 with err. */
static int
read_small(const char *path, char **buf, size_t *len, struct sip_err *err)
{
	struct stat sb;
	ssize_t r;
	size_t n = 0;
	int fd;

	*buf = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1) {
		(void)sip_errf(err, SIP_EIO, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (sb.st_size > SUMS_MAX) {
		(void)sip_errf(err, SIP_EINVAL, "%s: larger than %d bytes",
		    path, SUMS_MAX);
		goto fail;
	}
	if ((*buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		(void)sip_errf(err, SIP_ENOMEM, "%s: %s", path,
		    sip_strerror(SIP_ENOMEM));
		goto fail;
	}
	while (n < (size_t)sb.st_size) {
		if ((r = read(fd, *buf + n, (size_t)sb.st_size - n)) == -1 &&
		    errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	(*buf)[n] = '\0';
	*len = n;
	close(fd);
	return 0;
 fail:
	free(*buf);
	*buf = NULL;
	if (fd != -1)
		close(fd);
	return -1;
}

/*
 * gpgv: sig, a detached signature of data, or clearsigned (data NULL,
 * its signed text into out), by a key of keyring.  0, or -1 with err
 * saying why, after what (the file's URL).
 */
static int
sums_gpgv(const char *keyring, const char *sig, const char *data,
    const char *out, const char *what, struct sip_err *err)
{
	char msg[SIP_ERR_MAX / 2];
	char *argv[12];
	struct sip_job j;
	struct stat sb;
	size_t n = 0;
	int good;

	if (stat(keyring, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		(void)sip_errf(err, SIP_EIO, "%s: keyring %s: %s (install the "
		    "package that ships it)", what, keyring, errno != 0 ?
		    strerror(errno) : "not a file");
		return -1;
	}
	argv[n++] = (char *)(uintptr_t)SIP_GPGV;
	argv[n++] = (char *)(uintptr_t)"--status-fd";
	argv[n++] = (char *)(uintptr_t)"1";
	argv[n++] = (char *)(uintptr_t)"--keyring";
	argv[n++] = (char *)(uintptr_t)keyring;
	if (data == NULL) {
		argv[n++] = (char *)(uintptr_t)"--output";
		argv[n++] = (char *)(uintptr_t)out;
	}
	argv[n++] = (char *)(uintptr_t)"--";
	argv[n++] = (char *)(uintptr_t)sig;
	if (data != NULL)
		argv[n++] = (char *)(uintptr_t)data;
	argv[n] = NULL;
	memset(&j, 0, sizeof(j));
	j.argv = argv;
	j.merge_stderr = 1;
	if (sip_run_jobs(&j, 1, 1, SUMS_MS, SETUP_OUT_MAX, err) != SIP_OK) {
		sip_jobs_free(&j, 1);
		return -1;
	}
	last_line(&j, msg, sizeof(msg));
	good = j.start_errno == 0 && !j.timed_out && j.signal == 0 &&
	    j.status == 0 && j.out != NULL &&
	    strstr(j.out, "[GNUPG:] GOODSIG ") != NULL &&
	    strstr(j.out, "[GNUPG:] VALIDSIG ") != NULL &&
	    strstr(j.out, "[GNUPG:] BADSIG ") == NULL;
	if (good) {
		sip_jobs_free(&j, 1);
		return 0;
	}
	if (j.start_errno != 0)
		(void)sip_errf(err, SIP_EIO, "%s: %s (install Debian's gpgv)",
		    SIP_GPGV, strerror(j.start_errno));
	else if (j.out != NULL && strstr(j.out, "[GNUPG:] BADSIG ") != NULL)
		(void)sip_errf(err, SIP_EINVAL, "%s: bad signature", what);
	else if (j.out != NULL && strstr(j.out, "[GNUPG:] NO_PUBKEY ") != NULL)
		(void)sip_errf(err, SIP_EINVAL, "%s: signed by a key that is "
		    "not in %s", what, keyring);
	else if (j.out != NULL && strstr(j.out, "[GNUPG:] NODATA ") != NULL)
		(void)sip_errf(err, SIP_EINVAL, "%s: no signature in it",
		    what);
	else
		(void)sip_errf(err, SIP_EINVAL, "%s: not verified (gpgv: %s)",
		    what, msg[0] != '\0' ? msg : "failed");
	sip_jobs_free(&j, 1);
	return -1;
}

/* Where rel is under the directory of list ("a/b/SUMS": past "a/b/"), or NULL. */
static const char *
under_dir_of(const char *rel, const char *list)
{
	const char *slash = strrchr(list, '/');
	size_t n = slash == NULL ? 0 : (size_t)(slash - list) + 1;

	return strncmp(rel, list, n) == 0 ? rel + n : NULL;
}

/*
 * The SHA-256 of u from its signed sums list into want: the signature
 * (detached, or a clearsigned list, or a clearsigned Release that lists
 * the list) checked by gpgv, in a directory of its own under
 * BOOT_ROOT/MODULE removed afterwards.
 */
static enum sip_rc
sums_want(const char *boot_root, const struct sip_module *m,
    const struct sip_upstream *u, const char *mirror, int stall_s,
    struct sip_upstream *want, struct sip_err *err)
{
	char tmp[SETUP_PATH_MAX - 16];	/* room for the names below */
	char sigp[SETUP_PATH_MAX], listp[SETUP_PATH_MAX];
	char signedp[SETUP_PATH_MAX], url[SETUP_URL_MAX], sigurl[SETUP_URL_MAX];
	char hex[SIP_SHA256_HEX + 1], got[SIP_SHA256_HEX + 1];
	char *sig = NULL, *list = NULL;
	const char *rel, *listpath;
	size_t siglen, listlen;
	int64_t size, gotsize;
	enum sip_rc rc = SIP_EIO;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/%s/.sums.XXXXXX",
	    boot_root, m->name) >= sizeof(tmp))
		return sip_errf(err, SIP_EINVAL, "%s/%s: path too long",
		    boot_root, m->name);
	if (mirror_url(m, u, mirror, u->sums_sig, sigurl, sizeof(sigurl),
	    err) == -1 || mirror_url(m, u, mirror, u->sums, url, sizeof(url),
	    err) == -1)
		return SIP_EINVAL;
	/* BOOT_ROOT/MODULE alone: a file refused leaves no directory of its own. */
	if ((rc = up_mkdirs(boot_root, tmp, err)) != SIP_OK)
		return rc;
	rc = SIP_EIO;
	if (mkdtemp(tmp) == NULL)
		return sip_errf(err, SIP_EIO, "%s: %s", tmp, strerror(errno));
	snprintf(sigp, sizeof(sigp), "%s/sig", tmp);
	snprintf(listp, sizeof(listp), "%s/list", tmp);
	snprintf(signedp, sizeof(signedp), "%s/signed", tmp);

	if (sums_fetch(sigurl, sigp, stall_s, err) == -1 ||
	    read_small(sigp, &sig, &siglen, err) == -1)
		goto out;
	if (siglen >= strlen(CLEARSIGNED) &&
	    memcmp(sig, CLEARSIGNED, strlen(CLEARSIGNED)) == 0) {
		if (sums_gpgv(u->keyring, sigp, NULL, signedp, sigurl, err) ==
		    -1)
			goto refused;
		listpath = signedp;
		if (strcmp(u->sums, u->sums_sig) != 0) {
			/* A Release: the list is one of the files it lists. */
			free(sig);
			if (read_small(signedp, &sig, &siglen, err) == -1)
				goto out;
			if ((rel = under_dir_of(u->sums, u->sums_sig)) ==
			    NULL) {
				(void)sip_errf(err, SIP_EINVAL, "%s is not "
				    "under the directory of %s", u->sums,
				    u->sums_sig);
				goto refused;
			}
			if (sip_sums_find(sig, siglen, rel, hex, &size, err) !=
			    SIP_OK) {
				(void)sip_errf(err, SIP_EINVAL, "%s does not "
				    "list %s", sigurl, rel);
				goto refused;
			}
			if (sums_fetch(url, listp, stall_s, err) == -1)
				goto out;
			if (sip_sha256_file(listp, got, &gotsize, err) !=
			    SIP_OK)
				goto out;
			if (strcmp(got, hex) != 0 || (size >= 0 &&
			    size != gotsize)) {
				(void)sip_errf(err, SIP_EINVAL, "%s: not the "
				    "list %s lists (another sha256)", u->sums,
				    u->sums_sig);
				goto refused;
			}
			listpath = listp;
		}
	} else {
		if (strcmp(u->sums, u->sums_sig) == 0) {
			(void)sip_errf(err, SIP_EINVAL, "%s: not a clearsigned "
			    "list (sums_sig names the list itself)", sigurl);
			goto refused;
		}
		if (sums_fetch(url, listp, stall_s, err) == -1)
			goto out;
		if (sums_gpgv(u->keyring, sigp, listp, NULL, url, err) == -1)
			goto refused;
		listpath = listp;
	}
	if (read_small(listpath, &list, &listlen, err) == -1)
		goto out;
	/* Checked at load: the file is under its list's directory. */
	rel = under_dir_of(u->url, u->sums);
	if (rel == NULL || sip_sums_find(list, listlen, rel, hex, &size,
	    err) != SIP_OK) {
		(void)sip_errf(err, SIP_EINVAL, "%s does not list %s", url,
		    rel != NULL ? rel : u->url);
		goto refused;
	}
	memcpy(want->sha256, hex, sizeof(hex));
	want->size = size;
	rc = SIP_OK;
	goto out;
 refused:
	/* One line: the module, the file, why, and that nothing changed. */
	{
		char why[SIP_ERR_MAX];

		snprintf(why, sizeof(why), "%s", err->msg);
		(void)sip_errf(err, SIP_EINVAL, "%s: upstream %s: %s: "
		    "refused, nothing installed", m->name, u->name, why);
	}
	rc = SIP_EINVAL;
 out:
	free(list);
	free(sig);
	(void)unlink(signedp);
	(void)unlink(listp);
	(void)unlink(sigp);
	(void)rmdir(tmp);
	return rc;
}

/* Member u->member of the ISO at iso into part: 0, or -1 with err. */
static int
up_extract(const char *iso, const struct sip_upstream *u, const char *part,
    struct sip_err *err)
{
	char member[SETUP_PATH_MAX], msg[SIP_ERR_MAX / 2];
	char *argv[12];
	struct sip_job j;
	struct stat sb;
	size_t n = 0;

	snprintf(member, sizeof(member), "/%s", u->member);
	(void)unlink(part);
	argv[n++] = (char *)(uintptr_t)SIP_XORRISO;
	argv[n++] = (char *)(uintptr_t)"-osirrox";
	argv[n++] = (char *)(uintptr_t)"on";
	argv[n++] = (char *)(uintptr_t)"-indev";
	argv[n++] = (char *)(uintptr_t)iso;
	argv[n++] = (char *)(uintptr_t)"-extract";
	argv[n++] = member;
	argv[n++] = (char *)(uintptr_t)part;
	argv[n] = NULL;
	memset(&j, 0, sizeof(j));
	j.argv = argv;
	j.merge_stderr = 1;
	if (sip_run_jobs(&j, 1, 1, SETUP_JOB_MS, SETUP_OUT_MAX, err) !=
	    SIP_OK)
		return -1;
	last_line(&j, msg, sizeof(msg));
	sip_jobs_free(&j, 1);
	if (j.start_errno != 0) {
		(void)sip_errf(err, SIP_EIO, "%s: %s (install Debian's "
		    "xorriso)", SIP_XORRISO, strerror(j.start_errno));
		return -1;
	}
	if (j.status != 0 || stat(part, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		(void)unlink(part);
		(void)sip_errf(err, SIP_EIO, "%s: no file %s in it (xorriso: "
		    "%s)", iso, member, msg);
		return -1;
	}
	return 0;
}

/* The package's file from into part: 0, or -1 with err. */
static int
up_copy(const char *from, const char *part, struct sip_err *err)
{
	char buf[65536];
	ssize_t n, w, off;
	int in, out = -1;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) == -1 ||
	    (out = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1) {
		(void)sip_errf(err, SIP_EIO, "%s: %s", in == -1 ? from : part,
		    strerror(errno));
		goto fail;
	}
	for (;;) {
		if ((n = read(in, buf, sizeof(buf))) == -1) {
			if (errno == EINTR)
				continue;
			(void)sip_errf(err, SIP_EIO, "%s: %s", from,
			    strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		for (off = 0; off < n; off += w)
			if ((w = write(out, buf + off, (size_t)(n - off))) ==
			    -1) {
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				(void)sip_errf(err, SIP_EIO, "%s: %s", part,
				    strerror(errno));
				goto fail;
			}
	}
	close(in);
	if (close(out) == -1) {
		(void)sip_errf(err, SIP_EIO, "%s: %s", part, strerror(errno));
		(void)unlink(part);
		return -1;
	}
	return 0;
 fail:
	if (out != -1) {
		close(out);
		(void)unlink(part);
	}
	if (in != -1)
		close(in);
	return -1;
}

/* Verified part becomes path, readable by the web server, durably. */
static enum sip_rc
up_install(const char *part, const char *path, struct sip_err *err)
{
	int fd;

	if ((fd = open(part, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fchmod(fd, 0644) == -1 || fsync(fd) == -1) {
		(void)sip_errf(err, SIP_EIO, "%s: %s", part, strerror(errno));
		if (fd != -1)
			close(fd);
		return SIP_EIO;
	}
	close(fd);
	if (rename(part, path) == -1)
		return sip_errf(err, SIP_EIO, "%s: %s", path, strerror(errno));
	return SIP_OK;
}

/* u is verified as want: its digest and size kept in u, recorded if unpinned. */
static enum sip_rc
up_verified(const char *boot_root, const struct sip_module *m,
    struct sip_upstream *u, const struct sip_upstream *want,
    const char *path, const char *isohex, struct sip_err *err)
{
	char record[SETUP_PATH_MAX];
	struct stat sb;
	enum sip_rc rc;

	if (u->unpinned) {
		if (stat(path, &sb) == -1)
			return sip_errf(err, SIP_EIO, "%s: %s", path,
			    strerror(errno));
		memcpy(u->sha256, want->sha256, sizeof(u->sha256));
		u->size = (int64_t)sb.st_size;
		if (!up_record_path(record, sizeof(record), boot_root, m, u))
			return sip_errf(err, SIP_EINVAL, "%s: path too long",
			    path);
		if ((rc = up_record_write(record, u, isohex, err)) != SIP_OK)
			return rc;
	}
	u->verified = 1;
	return SIP_OK;
}

/*
 * A member of an ISO checked against a sums list, with no sha256 of its
 * own: what the verified ISO holds.  Kept while the record says it was
 * extracted from this very ISO and it is still what was extracted.
 */
static enum sip_rc
member_setup(const char *boot_root, struct sip_module *m,
    struct sip_upstream *u, const char *path, const char *part,
    const char *mirror, int stall_s, enum sip_setup_how *how,
    struct sip_err *err)
{
	struct sip_upstream want = *u;
	const struct sip_upstream *iso = &m->ups[u->iso];
	char isopath[SETUP_PATH_MAX], record[SETUP_PATH_MAX];
	char isohex[SIP_SHA256_HEX + 1], why[SIP_ERR_MAX];
	enum sip_setup_how isohow;
	enum sip_rc rc;

	if ((rc = sip_upstream_setup(boot_root, m, (size_t)u->iso, mirror,
	    stall_s, &isohow, err)) != SIP_OK)
		return rc;
	if (!up_record_path(record, sizeof(record), boot_root, m, u))
		return sip_errf(err, SIP_EINVAL, "%s: path too long", path);
	if (up_record_read(record, &want, isohex) == 0 &&
	    strcmp(isohex, iso->sha256) == 0 &&
	    up_verify(path, &want, why, sizeof(why), err) == SIP_OK)
		return up_verified(boot_root, m, u, &want, path, iso->sha256,
		    err);
	if ((rc = up_mkdirs(boot_root, path, err)) != SIP_OK)
		return rc;
	up_path(isopath, sizeof(isopath), boot_root, m, iso, "");
	if (up_extract(isopath, u, part, err) == -1)
		return SIP_EIO;
	if ((rc = sip_sha256_file(part, want.sha256, &want.size, err)) !=
	    SIP_OK) {
		(void)unlink(part);
		return rc;
	}
	if ((rc = up_install(part, path, err)) != SIP_OK)
		return rc;
	*how = SIP_SETUP_EXTRACTED;
	return up_verified(boot_root, m, u, &want, path, iso->sha256, err);
}

enum sip_rc
sip_upstream_setup(const char *boot_root, struct sip_module *m, size_t i,
    const char *mirror, int stall_s, enum sip_setup_how *how,
    struct sip_err *err)
{
	struct sip_upstream *u = &m->ups[i], want = m->ups[i];
	char path[SETUP_PATH_MAX], part[SETUP_PATH_MAX];
	char isopath[SETUP_PATH_MAX], url[SETUP_URL_MAX];
	char why[SIP_ERR_MAX];
	enum sip_setup_how isohow;
	enum sip_rc rc;

	*how = SIP_SETUP_KEPT;
	if (!up_path(path, sizeof(path), boot_root, m, u, "") ||
	    !up_path(part, sizeof(part), boot_root, m, u, ".part"))
		return sip_errf(err, SIP_EINVAL, "%s/%s/%s: path too long",
		    boot_root, m->name, u->name);
	if (u->verified)
		return SIP_OK;
	/* A manifest shipped before its release's figures were known. */
	if (!u->unpinned && strspn(u->sha256, "0") == SIP_SHA256_HEX)
		return sip_errf(err, SIP_EINVAL, "%s: upstream %s: the "
		    "manifest's sha256 is a placeholder (all zeros): set the "
		    "release's sha256 and size in %s/module.ini", m->name,
		    u->name, m->dir);
	if (u->unpinned && u->iso >= 0)
		return member_setup(boot_root, m, u, path, part, mirror,
		    stall_s, how, err);
	if (u->from != NULL && (rc = copy_want(m, u, &want, err)) != SIP_OK)
		return rc;
	/* The signed list, read anew each time: it says what is current. */
	if (u->sums != NULL && (rc = sums_want(boot_root, m, u, mirror,
	    stall_s, &want, err)) != SIP_OK)
		return rc;
	rc = up_verify(path, &want, why, sizeof(why), err);
	if (rc == SIP_OK)
		return up_verified(boot_root, m, u, &want, path, NULL, err);
	if (rc != SIP_EINVAL && rc != SIP_ENOTFOUND)
		return rc;
	if ((rc = up_mkdirs(boot_root, path, err)) != SIP_OK)
		return rc;

	if (u->from != NULL) {
		if (up_copy(u->from, part, err) == -1)
			return SIP_EIO;
		*how = SIP_SETUP_COPIED;
	} else if (u->iso >= 0) {
		/* The ISO first, itself verified: fetched once for all. */
		if ((rc = sip_upstream_setup(boot_root, m, (size_t)u->iso,
		    mirror, stall_s, &isohow, err)) != SIP_OK)
			return rc;
		up_path(isopath, sizeof(isopath), boot_root, m,
		    &m->ups[u->iso], "");
		if (up_extract(isopath, u, part, err) == -1)
			return SIP_EIO;
		*how = SIP_SETUP_EXTRACTED;
	} else {
		if (mirror_url(m, u, mirror, u->url, url, sizeof(url), err) ==
		    -1)
			return SIP_EINVAL;
		if (up_download(url, part, &want, stall_s, err) == -1)
			return SIP_EIO;
		*how = SIP_SETUP_FETCHED;
	}

	/* Never installed unless it is the file the manifest names. */
	if ((rc = up_verify(part, &want, why, sizeof(why), err)) != SIP_OK) {
		(void)unlink(part);
		if (rc == SIP_EINVAL)
			return sip_errf(err, SIP_EINVAL, "%s: upstream %s: %s: "
			    "refused: deleted, nothing installed", m->name,
			    u->name, why);
		return rc;
	}
	if ((rc = up_install(part, path, err)) != SIP_OK)
		return rc;
	return up_verified(boot_root, m, u, &want, path, NULL, err);
}

/* NAME=value, or NULL for want of memory. */
static char *
env_pair(const char *name, const char *value)
{
	char *p;

	if (asprintf(&p, "%s=%s", name, value) == -1)
		return NULL;
	return p;
}

/*
 * Run MODULE_DIR/file (setup or check) if it is there (*ran 1); *status
 * gets its exit status when it ran to its end (-1 otherwise), which only
 * check_status (the check script's 0, 1 and 2) does not make an error.
 */
static enum sip_rc
module_script(const char *boot_root, const struct sip_module *m,
    const char *file, const char *mirror, const char *flavour,
    int check_status, char **out, int *ran, int *status, struct sip_err *err)
{
	static const char *const ours[] = { "BOOT_ROOT=", "MODULE_DIR=",
	    "MIRROR=", "UPSTREAM=", "FLAVOUR=" };
	struct sip_job j;
	struct stat sb;
	char script[SETUP_PATH_MAX], *argv[2], **envp = NULL, *ups = NULL;
	size_t i, k = 0, n, len = 1;
	enum sip_rc rc;

	*out = NULL;
	*ran = 0;
	*status = -1;
	if ((size_t)snprintf(script, sizeof(script), "%s/%s", m->dir, file) >=
	    sizeof(script))
		return sip_errf(err, SIP_EINVAL, "%s/%s: path too long",
		    m->dir, file);
	if (stat(script, &sb) == -1 && errno == ENOENT)
		return SIP_OK;
	for (i = 0; i < m->nups; i++)
		len += strlen(m->ups[i].name) + 1;
	for (n = 0; environ[n] != NULL; n++)
		continue;
	if ((ups = calloc(1, len)) == NULL ||
	    (envp = calloc(n + 6, sizeof(*envp))) == NULL)
		goto enomem;
	for (i = 0; i < m->nups; i++) {
		if (i > 0)
			strcat(ups, " ");
		strcat(ups, m->ups[i].name);
	}
	/* Ours, then the rest of the environment but for ours. */
	k = 0;
	if ((envp[k++] = env_pair("BOOT_ROOT", boot_root)) == NULL ||
	    (envp[k++] = env_pair("MODULE_DIR", m->dir)) == NULL ||
	    (envp[k++] = env_pair("UPSTREAM", ups)) == NULL ||
	    (mirror != NULL && (envp[k++] = env_pair("MIRROR", mirror)) ==
	    NULL) ||
	    (flavour != NULL && (envp[k++] = env_pair("FLAVOUR", flavour)) ==
	    NULL))
		goto enomem;
	for (n = k, i = 0; environ[i] != NULL; i++) {
		for (len = 0; len < sizeof(ours) / sizeof(ours[0]); len++)
			if (strncmp(environ[i], ours[len],
			    strlen(ours[len])) == 0)
				break;
		if (len == sizeof(ours) / sizeof(ours[0]))
			envp[n++] = environ[i];
	}
	argv[0] = script;
	argv[1] = NULL;
	memset(&j, 0, sizeof(j));
	j.argv = argv;
	j.envp = envp;
	j.merge_stderr = 1;
	if ((rc = sip_run_jobs(&j, 1, 1, SCRIPT_MS, SCRIPT_OUT_MAX, err)) !=
	    SIP_OK)
		goto out;
	*ran = 1;
	*out = j.out;
	j.out = NULL;
	if (j.start_errno != 0)
		rc = sip_errf(err, SIP_EIO, "%s: %s", script,
		    strerror(j.start_errno));
	else if (j.timed_out)
		rc = sip_errf(err, SIP_EIO, "%s: still running after %d s: "
		    "killed", script, SCRIPT_MS / 1000);
	else if (j.signal != 0)
		rc = sip_errf(err, SIP_EIO, "%s: killed by signal %d", script,
		    j.signal);
	else if ((*status = j.status) != 0 && !(check_status &&
	    j.status <= 2))
		rc = sip_errf(err, SIP_EIO, "%s: exit status %d", script,
		    j.status);
	goto out;
 enomem:
	rc = sip_errf(err, SIP_ENOMEM, "%s: %s", script,
	    sip_strerror(SIP_ENOMEM));
 out:
	if (envp != NULL)
		for (i = 0; i < k; i++)
			free(envp[i]);
	free(envp);
	free(ups);
	return rc;
}

enum sip_rc
sip_module_setup_script(const char *boot_root, const struct sip_module *m,
    const char *mirror, const char *flavour, char **out, int *ran,
    struct sip_err *err)
{
	int status;

	return module_script(boot_root, m, "setup", mirror, flavour, 0, out,
	    ran, &status, err);
}

enum sip_rc
sip_flavour_check(const char *s)
{
	size_t i;

	if (s == NULL || s[0] < 'a' || s[0] > 'z' || strlen(s) > 16)
		return SIP_EINVAL;
	for (i = 1; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return SIP_EINVAL;
	return SIP_OK;
}

enum sip_rc
sip_module_check_script(const char *boot_root, const struct sip_module *m,
    char **out, int *ran, enum sip_up_state *state, struct sip_err *err)
{
	static const enum sip_up_state states[] = { SIP_UP_OK,
	    SIP_UP_MISSING, SIP_UP_STALE };
	enum sip_rc rc;
	int status;

	*state = SIP_UP_OK;
	if ((rc = module_script(boot_root, m, "check", NULL, NULL, 1, out, ran,
	    &status, err)) == SIP_OK && *ran)
		*state = states[status];
	return rc;
}
