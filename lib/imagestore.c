/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The image store: streaming uploads of disk image parts into [images] dir, their downloads, and the catalogue. */
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "se3ipxe.h"
#include "extern.h"
#include "store.h"

#define CHUNK		(64 * 1024)
#define TEMP_PREFIX	".upload-"
#define PATH_MAX_IMG	4096

/* The capabilities whose actions upload parts, and those that read them back. */
static const char *const upload_caps[] = { "save", "backup" };
static const char *const download_caps[] = { "restore" };
static const char *const compressions[] = { "none", "lzop", "zstd", "gzip" };
static const char *const query_keys[] = {
	"token", "size", "sha256", "part", "tool", "compression"
};

#define IMAGE_COLUMNS \
	"id, name, mac, part, tool, compression, size, sha256, created_at"

/* A cut request: mod_cgid sends SIGTERM when its client goes away. */
static volatile sig_atomic_t aborted;

static void
on_abort(int sig)
{
	(void)sig;
	aborted = 1;
}

enum sip_rc
sip_image_name_check(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n >= SIP_IMAGE_NAME_MAX)
		return SIP_EINVAL;
	/* A letter or digit first: never ".", "..", a dot file or an option. */
	if (!((name[0] >= 'a' && name[0] <= 'z') ||
	    (name[0] >= 'A' && name[0] <= 'Z') ||
	    (name[0] >= '0' && name[0] <= '9')))
		return SIP_EINVAL;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-'))
			return SIP_EINVAL;
	}
	if (strstr(name, "..") != NULL)
		return SIP_EINVAL;
	return SIP_OK;
}

/* part and tool: a word of letters, digits, '.', '_', '-', a letter or digit first. */
static int
word_ok(const char *w)
{
	return w[0] != '\0' && strlen(w) < SIP_IMAGE_WORD_MAX &&
	    sip_image_name_check(w) == SIP_OK;
}

/* Percent-decode [p, p + n) into dst (sz bytes); -1 if bad or too long. */
static int
pct_decode(const char *p, size_t n, char *dst, size_t sz)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		char c = p[i];

		if (c == '%') {
			if (i + 2 >= n)
				return -1;
			if ((hi = sip_hexval(p[i + 1])) < 0 ||
			    (lo = sip_hexval(p[i + 2])) < 0)
				return -1;
			c = (char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+')
			c = ' ';
		if (c == '\0' || o + 1 >= sz)
			return -1;
		dst[o++] = c;
	}
	dst[o] = '\0';
	return 0;
}

enum sip_rc
sip_image_query_parse(const char *qs, struct sip_image_query *q,
    struct sip_err *err)
{
	char key[16], val[SIP_IMAGE_NAME_MAX];
	const char *p = qs, *amp, *eq;
	char *end;
	size_t i;
	int ok;

	memset(q, 0, sizeof(*q));
	q->size = -1;
	while (*p != '\0') {
		amp = strchr(p, '&');
		if (amp == NULL)
			amp = p + strlen(p);
		if (amp == p) {
			p++;
			continue;
		}
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL || pct_decode(p, (size_t)(eq - p), key,
		    sizeof(key)) == -1)
			return sip_errf(err, SIP_EINVAL, "query: a field is "
			    "not KEY=VALUE");
		/* Only a known key is named: never a hostile byte in a log. */
		for (i = 0; i < sizeof(query_keys) / sizeof(query_keys[0]); i++)
			if (strcmp(key, query_keys[i]) == 0)
				break;
		if (i == sizeof(query_keys) / sizeof(query_keys[0]))
			return sip_errf(err, SIP_EINVAL, "query: unknown "
			    "field");
		if (pct_decode(eq + 1, (size_t)(amp - eq - 1), val,
		    sizeof(val)) == -1)
			return sip_errf(err, SIP_EINVAL, "query: %s: bad or "
			    "too long value", key);
		if (strcmp(key, "token") == 0) {
			if (sip_token_check(val) != SIP_OK)
				return sip_errf(err, SIP_EINVAL,
				    "query: token: not a token");
			memcpy(q->token, val, strlen(val) + 1);
		} else if (strcmp(key, "size") == 0) {
			errno = 0;
			if (val[0] < '0' || val[0] > '9')
				return sip_errf(err, SIP_EINVAL,
				    "query: size: not a number of bytes");
			q->size = strtoll(val, &end, 10);
			if (*end != '\0' || errno != 0 || q->size < 0)
				return sip_errf(err, SIP_EINVAL,
				    "query: size: not a number of bytes");
		} else if (strcmp(key, "sha256") == 0) {
			ok = strlen(val) == SIP_SHA256_HEX;
			for (i = 0; ok && i < SIP_SHA256_HEX; i++)
				ok = sip_hexval(val[i]) >= 0;
			if (!ok)
				return sip_errf(err, SIP_EINVAL, "query: "
				    "sha256: not 64 hexadecimal digits");
			for (i = 0; i < SIP_SHA256_HEX; i++)
				q->sha256[i] = (char)(val[i] >= 'A' &&
				    val[i] <= 'F' ? val[i] - 'A' + 'a' : val[i]);
			q->sha256[SIP_SHA256_HEX] = '\0';
		} else if (strcmp(key, "part") == 0 || strcmp(key, "tool") == 0) {
			if (!word_ok(val))
				return sip_errf(err, SIP_EINVAL, "query: %s: "
				    "not a word (letters, digits, '.', '_', "
				    "'-', at most %d)", key,
				    SIP_IMAGE_WORD_MAX - 1);
			memcpy(key[0] == 'p' ? q->part : q->tool, val,
			    strlen(val) + 1);
		} else if (strcmp(key, "compression") == 0) {
			for (i = 0; i < sizeof(compressions) /
			    sizeof(compressions[0]); i++)
				if (strcmp(val, compressions[i]) == 0)
					break;
			if (i == sizeof(compressions) / sizeof(compressions[0]))
				return sip_errf(err, SIP_EINVAL, "query: "
				    "compression: not none, lzop, zstd or gzip");
			memcpy(q->compression, val, strlen(val) + 1);
		} else
			return sip_errf(err, SIP_EINVAL, "query: unknown "
			    "field");
		p = *amp == '&' ? amp + 1 : amp;
	}
	return SIP_OK;
}

enum sip_rc
sip_image_token_set(struct sip_image_query *q, const char *token)
{
	if (strlen(token) >= sizeof(q->token) || sip_token_check(token) !=
	    SIP_OK)
		return SIP_EINVAL;
	memcpy(q->token, token, strlen(token) + 1);
	return SIP_OK;
}

/* The capability of an action "module:capability" is one of caps, or of their families. */
static int
cap_in(const char *action, const char *const *caps, size_t n)
{
	const char *cap = strrchr(action, ':');
	size_t i;

	cap = cap != NULL ? cap + 1 : action;
	/* restore, or restore_disk, restore-parts: a family of its own. */
	for (i = 0; i < n; i++) {
		size_t len = strlen(caps[i]);

		if (strncmp(cap, caps[i], len) == 0 && (cap[len] == '\0' ||
		    cap[len] == '_' || cap[len] == '-'))
			return 1;
	}
	return 0;
}

int
sip_image_upload_action(const char *action)
{
	return cap_in(action, upload_caps, sizeof(upload_caps) /
	    sizeof(upload_caps[0]));
}

static void
image_path(const struct sip_config *cfg, const char *name, char *dst,
    size_t sz)
{
	snprintf(dst, sz, "%s/%s", cfg->images_dir, name);
}

static void
temp_path(const struct sip_config *cfg, int64_t id, char *dst, size_t sz)
{
	snprintf(dst, sz, "%s/" TEMP_PREFIX "%" PRId64, cfg->images_dir, id);
}

static void
image_row(sqlite3_stmt *s, struct sip_image *img)
{
	memset(img, 0, sizeof(*img));
	img->id = sqlite3_column_int64(s, 0);
	col_copy(s, 1, img->name, sizeof(img->name));
	col_copy(s, 2, img->mac, sizeof(img->mac));
	col_copy(s, 3, img->part, sizeof(img->part));
	col_copy(s, 4, img->tool, sizeof(img->tool));
	col_copy(s, 5, img->compression, sizeof(img->compression));
	img->size = sqlite3_column_int64(s, 6);
	col_copy(s, 7, img->sha256, sizeof(img->sha256));
	img->created_at = sqlite3_column_int64(s, 8);
}

/* The complete image called name into *img; SIP_ENOTFOUND if none. */
static enum sip_rc
image_find(struct sip_store *st, const char *name, struct sip_image *img,
    struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	enum sip_rc ret = SIP_OK;
	int rc;

	if ((rc = sqlite3_prepare_v2(st->db, "SELECT " IMAGE_COLUMNS
	    " FROM images WHERE name = ?1 AND complete = 1", -1, &s,
	    NULL)) != SQLITE_OK || (rc = bind_text(s, 1, name)) != SQLITE_OK) {
		ret = db_err(st, rc, err, "find image %s", name);
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		image_row(s, img);
	else if (rc == SQLITE_DONE)
		ret = sip_errf(err, SIP_ENOTFOUND, "image %s: no such image",
		    name);
	else
		ret = db_err(st, rc, err, "find image %s", name);
 out:
	sqlite3_finalize(s);
	return ret;
}

/* The action of token, of one of caps, bound to addr; *act freed by the caller. */
static enum sip_rc
image_action(const struct sip_config *cfg, struct sip_store *st,
    const char *addr, const char *token, const char *const *caps, size_t n,
    time_t now, struct sip_action **act, struct sip_err *err)
{
	struct sip_client client = { addr, cfg->bind, NULL, NULL };
	const char *why;
	enum sip_rc rc;

	*act = NULL;
	if (token == NULL || token[0] == '\0')
		return sip_errf(err, SIP_EDENIED, "no token");
	if ((rc = sip_store_token_action(st, token, now, act, err)) != SIP_OK)
		return rc;
	if (!cap_in((*act)->name, caps, n))
		why = "not an action of an imaging capability";
	else
		why = sip_action_refusal(*act, &client, 0);
	if (why != NULL) {
		rc = sip_errf(err, SIP_EDENIED, "action %" PRId64 " of %s "
		    "(%s): %s", (*act)->id, (*act)->mac, (*act)->name, why);
		sip_action_free(*act);
		*act = NULL;
	}
	return rc;
}

/* fsync the directory, so that a rename survives a crash. */
static int
dir_sync(const char *dir)
{
	int fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/*
 * Rename the received temporary file of row id into the catalogue under
 * name, in one transaction with its row: complete, or nothing moved.
 */
static enum sip_rc
image_finish(const struct sip_config *cfg, struct sip_store *st, int64_t id,
    const char *name, int64_t size, const char *sha256,
    enum sip_image_fault *fault, struct sip_err *err)
{
	char tmp[PATH_MAX_IMG], final[PATH_MAX_IMG];
	struct sip_image other;
	sqlite3_stmt *s = NULL;
	enum sip_rc ret;
	int rc;

	temp_path(cfg, id, tmp, sizeof(tmp));
	image_path(cfg, name, final, sizeof(final));
	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	ret = image_find(st, name, &other, err);
	if (ret == SIP_OK) {
		*fault = SIP_IMAGE_FAULT_EXISTS;
		ret = sip_errf(err, SIP_EINVAL, "image %s: already stored "
		    "(delete it first)", name);
		goto fail;
	}
	if (ret != SIP_ENOTFOUND)
		goto fail;
	if ((rc = sqlite3_prepare_v2(st->db, "UPDATE images SET complete = 1,"
	    " received = 1, size = ?2, sha256 = ?3 WHERE id = ?1", -1, &s,
	    NULL)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 1, id)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, size)) != SQLITE_OK ||
	    (rc = bind_text(s, 3, sha256)) != SQLITE_OK ||
	    (rc = sqlite3_step(s)) != SQLITE_DONE) {
		ret = db_err(st, rc, err, "complete image %s", name);
		goto fail;
	}
	sqlite3_finalize(s);
	s = NULL;
	/* A file under the name is either ours or a stale leftover. */
	if (rename(tmp, final) == -1) {
		ret = sip_errf(err, SIP_EIO, "%s: %s", final, strerror(errno));
		goto fail;
	}
	if ((ret = tx_commit(st, err)) != SIP_OK) {
		if (rename(final, tmp) == -1)
			unlink(final);
		return ret;
	}
	dir_sync(cfg->images_dir);
	return SIP_OK;
 fail:
	sqlite3_finalize(s);
	tx_rollback(st);
	return ret;
}

/* Remove an upload that did not make it: its file, then its row. */
static void
upload_drop(const struct sip_config *cfg, struct sip_store *st, int64_t id)
{
	char tmp[PATH_MAX_IMG];
	struct sip_err ignored;

	temp_path(cfg, id, tmp, sizeof(tmp));
	unlink(tmp);
	exec_id(st, "DELETE FROM images WHERE id = ?1 AND complete = 0", id,
	    "drop image row", &ignored);
}

static enum sip_rc
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return SIP_EIO;
		}
		p += w;
		n -= (size_t)w;
	}
	return SIP_OK;
}

/* Read fd into out until EOF (or length bytes), hashing; the fault says why it stopped early. */
static enum sip_rc
receive(const struct sip_config *cfg, int in, int out, int64_t length,
    int64_t declared, int64_t *total, char sha[SIP_SHA256_HEX + 1],
    enum sip_image_fault *fault, struct sip_err *err)
{
	struct sip_sha256 ctx;
	struct pollfd pfd;
	char *buf;
	ssize_t n;
	size_t want;
	enum sip_rc ret = SIP_OK;
	int pr;

	if ((buf = malloc(CHUNK)) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	sip_sha256_init(&ctx);
	*total = 0;
	for (;;) {
		if (aborted) {
			*fault = SIP_IMAGE_FAULT_CUT;
			ret = sip_errf(err, SIP_EINVAL, "upload aborted "
			    "after %" PRId64 " bytes", *total);
			break;
		}
		if (length >= 0 && *total >= length)
			break;
		pfd.fd = in;
		pfd.events = POLLIN;
		pr = poll(&pfd, 1, cfg->images_timeout * 1000);
		if (pr == -1 && errno == EINTR)
			continue;
		if (pr == 0) {
			*fault = SIP_IMAGE_FAULT_CUT;
			ret = sip_errf(err, SIP_EINVAL, "no data for %d s "
			    "after %" PRId64 " bytes", cfg->images_timeout,
			    *total);
			break;
		}
		want = CHUNK;
		if (length >= 0 && (int64_t)want > length - *total)
			want = (size_t)(length - *total);
		if ((n = read(in, buf, want)) == -1) {
			if (errno == EINTR)
				continue;
			*fault = SIP_IMAGE_FAULT_CUT;
			ret = sip_errf(err, SIP_EIO, "reading the body: %s",
			    strerror(errno));
			break;
		}
		if (n == 0)
			break;
		*total += n;
		if (*total > cfg->images_limit) {
			*fault = SIP_IMAGE_FAULT_TOO_LARGE;
			ret = sip_errf(err, SIP_EINVAL, "larger than the limit"
			    " of %" PRId64 " MiB ([images] limit)",
			    cfg->images_limit / (1024 * 1024));
			break;
		}
		if (declared >= 0 && *total > declared) {
			*fault = SIP_IMAGE_FAULT_MISMATCH;
			ret = sip_errf(err, SIP_EINVAL, "more than the "
			    "declared %" PRId64 " bytes", declared);
			break;
		}
		sip_sha256_update(&ctx, buf, (size_t)n);
		if (write_all(out, buf, (size_t)n) != SIP_OK) {
			if (errno == ENOSPC || errno == EDQUOT)
				*fault = SIP_IMAGE_FAULT_NO_SPACE;
			ret = sip_errf(err, SIP_EIO, "writing after %" PRId64
			    " bytes: %s", *total - n, strerror(errno));
			break;
		}
	}
	if (ret == SIP_OK && length >= 0 && *total < length) {
		*fault = SIP_IMAGE_FAULT_CUT;
		ret = sip_errf(err, SIP_EINVAL, "body cut after %" PRId64
		    " of %" PRId64 " bytes", *total, length);
	}
	if (ret == SIP_OK && fsync(out) == -1) {
		if (errno == ENOSPC || errno == EDQUOT)
			*fault = SIP_IMAGE_FAULT_NO_SPACE;
		ret = sip_errf(err, SIP_EIO, "fsync: %s", strerror(errno));
	}
	sip_sha256_final(&ctx, sha);
	free(buf);
	return ret;
}

/* The saving action's keep=N, in the store that made img whole. */
static void
image_keep(const struct sip_config *cfg, struct sip_store *st,
    const struct sip_action *act, const struct sip_image *img,
    struct sip_image_keep *keep)
{
	struct sip_err e = { "" };

	keep->rc = sip_images_keep_after(cfg, st, act, img, &keep->removed,
	    &e);
	snprintf(keep->msg, sizeof(keep->msg), "%s", e.msg);
}

enum sip_rc
sip_image_put(const struct sip_config *cfg, const char *addr,
    const char *name, const struct sip_image_query *q, int in, int64_t length,
    time_t now, struct sip_image *img, int *stored,
    struct sip_image_keep *keep, enum sip_image_fault *fault,
    struct sip_err *err)
{
	struct sip_store *st = NULL;
	struct sip_action *act = NULL;
	struct sip_image other;
	struct statvfs vfs;
	struct sigaction sa;
	sqlite3_stmt *s = NULL;
	char tmp[PATH_MAX_IMG], sha[SIP_SHA256_HEX + 1];
	int64_t declared = q->size, id = -1, total = 0, avail;
	enum sip_rc ret;
	int fd = -1, rc;

	*stored = 0;
	*fault = SIP_IMAGE_FAULT_NONE;
	memset(img, 0, sizeof(*img));
	memset(keep, 0, sizeof(*keep));
	if (sip_image_name_check(name) != SIP_OK)
		return sip_errf(err, SIP_EINVAL, "not an image name (letters, "
		    "digits, '.', '_', '-', a letter or digit first, no '..',"
		    " at most %d)", SIP_IMAGE_NAME_MAX - 1);
	if (length >= 0 && declared >= 0 && length != declared)
		return sip_errf(err, SIP_EINVAL, "size %" PRId64 " is not the "
		    "Content-Length %" PRId64, declared, length);
	if (declared < 0)
		declared = length;
	if ((ret = sip_store_open(cfg->db_path, SIP_STORE_RW_EXISTING,
	    cfg->busy_timeout_ms, &st, err)) != SIP_OK)
		return ret;
	if ((ret = image_action(cfg, st, addr, q->token, upload_caps,
	    sizeof(upload_caps) / sizeof(upload_caps[0]), now, &act, err)) !=
	    SIP_OK)
		goto out;
	/* Everything refusable is refused before the first byte is written. */
	if (declared > cfg->images_limit) {
		*fault = SIP_IMAGE_FAULT_TOO_LARGE;
		ret = sip_errf(err, SIP_EINVAL, "%" PRId64 " bytes: larger "
		    "than the limit of %" PRId64 " MiB ([images] limit)",
		    declared, cfg->images_limit / (1024 * 1024));
		goto out;
	}
	if (statvfs(cfg->images_dir, &vfs) == -1) {
		ret = sip_errf(err, SIP_EIO, "%s: %s", cfg->images_dir,
		    strerror(errno));
		goto out;
	}
	avail = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
	if (avail < cfg->images_reserve + (declared > 0 ? declared : 0)) {
		*fault = SIP_IMAGE_FAULT_NO_SPACE;
		ret = sip_errf(err, SIP_EIO, "%s: %" PRId64 " MiB free, "
		    "%" PRId64 " needed with [images] reserve", cfg->images_dir,
		    avail / (1024 * 1024), ((declared > 0 ? declared : 0) +
		    cfg->images_reserve) / (1024 * 1024));
		goto out;
	}
	if ((ret = image_find(st, name, &other, err)) == SIP_OK) {
		*fault = SIP_IMAGE_FAULT_EXISTS;
		ret = sip_errf(err, SIP_EINVAL, "image %s: already stored "
		    "(delete it first)", name);
		goto out;
	}
	if (ret != SIP_ENOTFOUND)
		goto out;
	if ((rc = sqlite3_prepare_v2(st->db, "INSERT INTO images (name, mac,"
	    " action_id, part, tool, compression, created_at) VALUES (?1, ?2,"
	    " ?3, ?4, ?5, ?6, ?7)", -1, &s, NULL)) != SQLITE_OK ||
	    (rc = bind_text(s, 1, name)) != SQLITE_OK ||
	    (rc = bind_text(s, 2, act->mac)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 3, act->id)) != SQLITE_OK ||
	    (rc = bind_text(s, 4, q->part)) != SQLITE_OK ||
	    (rc = bind_text(s, 5, q->tool)) != SQLITE_OK ||
	    (rc = bind_text(s, 6, q->compression)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 7, (int64_t)now)) != SQLITE_OK ||
	    (rc = sqlite3_step(s)) != SQLITE_DONE) {
		ret = db_err(st, rc, err, "record the upload of %s", name);
		goto out;
	}
	id = sqlite3_last_insert_rowid(st->db);
	temp_path(cfg, id, tmp, sizeof(tmp));
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0640)) == -1) {
		ret = sip_errf(err, SIP_EIO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_abort;	/* no SA_RESTART: a read returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	if ((ret = receive(cfg, in, fd, length, declared, &total, sha, fault,
	    err)) != SIP_OK)
		goto out;
	if (close(fd) == -1) {
		fd = -1;
		ret = sip_errf(err, SIP_EIO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (declared >= 0 && total != declared) {
		*fault = SIP_IMAGE_FAULT_MISMATCH;
		ret = sip_errf(err, SIP_EINVAL, "received %" PRId64 " bytes, "
		    "not the declared %" PRId64, total, declared);
		goto out;
	}
	if (q->sha256[0] != '\0' && strcmp(q->sha256, sha) != 0) {
		*fault = SIP_IMAGE_FAULT_MISMATCH;
		ret = sip_errf(err, SIP_EINVAL, "received sha256 %s, not the "
		    "declared %s", sha, q->sha256);
		goto out;
	}
	if (declared >= 0 || q->sha256[0] != '\0') {
		if ((ret = image_finish(cfg, st, id, name, total, sha, fault,
		    err)) != SIP_OK)
			goto out;
		*stored = 1;
	} else {
		sqlite3_finalize(s);
		s = NULL;
		if ((rc = sqlite3_prepare_v2(st->db, "UPDATE images SET "
		    "received = 1, size = ?2, sha256 = ?3 WHERE id = ?1", -1,
		    &s, NULL)) != SQLITE_OK ||
		    (rc = sqlite3_bind_int64(s, 1, id)) != SQLITE_OK ||
		    (rc = sqlite3_bind_int64(s, 2, total)) != SQLITE_OK ||
		    (rc = bind_text(s, 3, sha)) != SQLITE_OK ||
		    (rc = sqlite3_step(s)) != SQLITE_DONE) {
			ret = db_err(st, rc, err, "record the upload of %s",
			    name);
			goto out;
		}
	}
	img->id = id;
	snprintf(img->name, sizeof(img->name), "%s", name);
	memcpy(img->mac, act->mac, sizeof(img->mac));
	memcpy(img->part, q->part, sizeof(img->part));
	memcpy(img->tool, q->tool, sizeof(img->tool));
	memcpy(img->compression, q->compression, sizeof(img->compression));
	img->size = total;
	memcpy(img->sha256, sha, sizeof(img->sha256));
	img->created_at = now;
	if (*stored)
		image_keep(cfg, st, act, img, keep);
 out:
	sqlite3_finalize(s);
	if (fd != -1)
		close(fd);
	if (ret != SIP_OK && id != -1)
		upload_drop(cfg, st, id);
	sip_action_free(act);
	sip_store_close(st);
	return ret;
}

enum sip_rc
sip_image_commit(const struct sip_config *cfg, const char *addr,
    const char *name, const struct sip_image_query *q, time_t now,
    struct sip_image *img, struct sip_image_keep *keep,
    enum sip_image_fault *fault, struct sip_err *err)
{
	struct sip_store *st = NULL;
	struct sip_action *act = NULL;
	sqlite3_stmt *s = NULL;
	enum sip_rc ret;
	int64_t id = -1;
	int rc;

	*fault = SIP_IMAGE_FAULT_NONE;
	memset(img, 0, sizeof(*img));
	memset(keep, 0, sizeof(*keep));
	if (sip_image_name_check(name) != SIP_OK)
		return sip_errf(err, SIP_EINVAL, "not an image name");
	if (q->size < 0 || q->sha256[0] == '\0')
		return sip_errf(err, SIP_EINVAL, "a commit needs size and "
		    "sha256");
	if ((ret = sip_store_open(cfg->db_path, SIP_STORE_RW_EXISTING,
	    cfg->busy_timeout_ms, &st, err)) != SIP_OK)
		return ret;
	if ((ret = image_action(cfg, st, addr, q->token, upload_caps,
	    sizeof(upload_caps) / sizeof(upload_caps[0]), now, &act, err)) !=
	    SIP_OK)
		goto out;
	if ((rc = sqlite3_prepare_v2(st->db, "SELECT " IMAGE_COLUMNS
	    " FROM images WHERE name = ?1 AND action_id = ?2 AND received = 1"
	    " AND complete = 0 ORDER BY id DESC LIMIT 1", -1, &s, NULL)) !=
	    SQLITE_OK || (rc = bind_text(s, 1, name)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, act->id)) != SQLITE_OK) {
		ret = db_err(st, rc, err, "find the upload of %s", name);
		goto out;
	}
	if ((rc = sqlite3_step(s)) == SQLITE_DONE) {
		ret = sip_errf(err, SIP_ENOTFOUND, "%s: no upload of this "
		    "action waits for a commit", name);
		goto out;
	}
	if (rc != SQLITE_ROW) {
		ret = db_err(st, rc, err, "find the upload of %s", name);
		goto out;
	}
	image_row(s, img);
	sqlite3_finalize(s);
	s = NULL;
	id = img->id;
	if (img->size != q->size || strcmp(img->sha256, q->sha256) != 0) {
		*fault = SIP_IMAGE_FAULT_MISMATCH;
		ret = sip_errf(err, SIP_EINVAL, "received %" PRId64 " bytes "
		    "of sha256 %s, not the declared %" PRId64 " bytes of %s",
		    img->size, img->sha256, q->size, q->sha256);
		goto out;
	}
	if ((ret = image_finish(cfg, st, id, name, img->size, img->sha256,
	    fault, err)) == SIP_OK)
		image_keep(cfg, st, act, img, keep);
 out:
	sqlite3_finalize(s);
	/* What does not match is dropped: the worker uploads it again. */
	if (ret != SIP_OK && id != -1)
		upload_drop(cfg, st, id);
	sip_action_free(act);
	sip_store_close(st);
	return ret;
}

/* An action with an option image reads that image's parts alone. */
static int
image_allowed(const struct sip_action *act, const char *name)
{
	size_t i, n;

	for (i = 0; i < act->noptions; i++) {
		if (strcmp(act->options[i].key, "image") != 0)
			continue;
		n = strlen(act->options[i].value);
		return strcmp(name, act->options[i].value) == 0 ||
		    (strncmp(name, act->options[i].value, n) == 0 &&
		    name[n] == '.');
	}
	return 1;
}

enum sip_rc
sip_image_open(const struct sip_config *cfg, const char *addr,
    const char *name, const char *token, time_t now, int *fd,
    struct sip_image *img, struct sip_err *err)
{
	struct sip_store *st = NULL;
	struct sip_action *act = NULL;
	char path[PATH_MAX_IMG];
	struct stat sb;
	enum sip_rc ret;

	*fd = -1;
	memset(img, 0, sizeof(*img));
	if (sip_image_name_check(name) != SIP_OK)
		return sip_errf(err, SIP_ENOTFOUND, "not an image name");
	if ((ret = sip_store_open(cfg->db_path, SIP_STORE_RO,
	    cfg->busy_timeout_ms, &st, err)) != SIP_OK)
		return ret;
	if ((ret = image_action(cfg, st, addr, token, download_caps,
	    sizeof(download_caps) / sizeof(download_caps[0]), now, &act,
	    err)) != SIP_OK)
		goto out;
	if (!image_allowed(act, name)) {
		ret = sip_errf(err, SIP_EDENIED, "action %" PRId64 " restores "
		    "another image", act->id);
		goto out;
	}
	if ((ret = image_find(st, name, img, err)) != SIP_OK)
		goto out;
	image_path(cfg, name, path, sizeof(path));
	if ((*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		ret = sip_errf(err, SIP_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(*fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sb.st_size != img->size) {
		ret = sip_errf(err, SIP_EIO, "%s: not the %" PRId64 " bytes "
		    "the catalogue says", path, img->size);
		close(*fd);
		*fd = -1;
	}
 out:
	sip_action_free(act);
	sip_store_close(st);
	return ret;
}

enum sip_rc
sip_images_list(struct sip_store *st, struct sip_image **v, size_t *n,
    struct sip_err *err)
{
	struct sip_image *a = NULL, *na;
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	enum sip_rc ret = SIP_OK;
	int rc;

	*v = NULL;
	*n = 0;
	if ((rc = sqlite3_prepare_v2(st->db, "SELECT " IMAGE_COLUMNS
	    " FROM images WHERE complete = 1 ORDER BY created_at, id", -1, &s,
	    NULL)) != SQLITE_OK)
		return db_err(st, rc, err, "list the images");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if ((na = realloc(a, cap * sizeof(*a))) == NULL) {
				ret = nomem(st, err);
				goto out;
			}
			a = na;
		}
		image_row(s, &a[(*n)++]);
	}
	if (rc != SQLITE_DONE)
		ret = db_err(st, rc, err, "list the images");
 out:
	sqlite3_finalize(s);
	if (ret != SIP_OK) {
		free(a);
		a = NULL;
		*n = 0;
	}
	*v = a;
	return ret;
}

/* Its file, once its row is gone for good: nothing is listed without its file. */
static enum sip_rc
image_unlink(const struct sip_config *cfg, const char *name,
    struct sip_err *err)
{
	char path[PATH_MAX_IMG];

	image_path(cfg, name, path, sizeof(path));
	if (unlink(path) == -1 && errno != ENOENT)
		return sip_errf(err, SIP_EIO, "%s: %s (no longer listed)",
		    path, strerror(errno));
	return SIP_OK;
}

enum sip_rc
sip_image_delete(const struct sip_config *cfg, struct sip_store *st,
    const char *name, struct sip_err *err)
{
	struct sip_image img;
	size_t removed;
	enum sip_rc ret;

	if (sip_image_name_check(name) != SIP_OK)
		return sip_errf(err, SIP_EINVAL, "not an image name (letters, "
		    "digits, '.', '_', '-', a letter or digit first, no '..')");
	/* A manifest is a whole image: it goes with all its parts. */
	if ((ret = image_find(st, name, &img, err)) != SIP_OK)
		return ret;
	if (sip_image_is_manifest(&img)) {
		if ((ret = sip_image_delete_whole(cfg, st, name, &removed,
		    err)) == SIP_OK && removed == 0)
			ret = sip_errf(err, SIP_ENOTFOUND, "image %s: no such "
			    "image", name);
		return ret;
	}
	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	if ((ret = image_find(st, name, &img, err)) != SIP_OK ||
	    (ret = exec_id(st, "DELETE FROM images WHERE id = ?1", img.id,
	    "delete image row", err)) != SIP_OK) {
		tx_rollback(st);
		return ret;
	}
	if ((ret = tx_commit(st, err)) != SIP_OK)
		return ret;
	return image_unlink(cfg, img.name, err);
}

enum sip_rc
sip_images_reap(const struct sip_config *cfg, struct sip_store *st,
    time_t now, size_t *reaped, struct sip_err *err)
{
	char path[PATH_MAX_IMG];
	struct dirent *de;
	struct stat sb;
	sqlite3_stmt *s = NULL;
	DIR *d;
	char *end;
	int64_t id, stale = 2 * (int64_t)cfg->images_timeout;
	enum sip_rc ret = SIP_OK;
	int rc;

	*reaped = 0;
	/* A configuration without a store (zeroed by a caller) has nothing to reap. */
	if (cfg->images_dir == NULL || cfg->images_dir[0] == '\0')
		return SIP_OK;
	if ((d = opendir(cfg->images_dir)) == NULL)
		return errno == ENOENT ? SIP_OK : sip_errf(err, SIP_EIO,
		    "%s: %s", cfg->images_dir, strerror(errno));
	/* A temporary file no byte reached for that long is a dead upload. */
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, TEMP_PREFIX, strlen(TEMP_PREFIX)) != 0)
			continue;
		id = strtoll(de->d_name + strlen(TEMP_PREFIX), &end, 10);
		if (*end != '\0' || id <= 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", cfg->images_dir,
		    de->d_name);
		if (lstat(path, &sb) == -1 || (int64_t)now - sb.st_mtime <
		    stale)
			continue;
		if (unlink(path) == 0)
			(*reaped)++;
		if ((ret = exec_id(st, "DELETE FROM images WHERE id = ?1 AND "
		    "complete = 0", id, "reap image row", err)) != SIP_OK)
			goto out;
	}
	/* Rows of uploads whose file is gone (removed above, or never made). */
	if ((rc = sqlite3_prepare_v2(st->db, "SELECT id FROM images WHERE "
	    "complete = 0 AND created_at < ?1", -1, &s, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 1, (int64_t)now - stale)) !=
	    SQLITE_OK) {
		ret = db_err(st, rc, err, "reap the uploads");
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		temp_path(cfg, id, path, sizeof(path));
		if (lstat(path, &sb) == 0)
			continue;	/* still written: its mtime says */
		if ((ret = exec_id(st, "DELETE FROM images WHERE id = ?1 AND "
		    "complete = 0", id, "reap image row", err)) != SIP_OK)
			goto out;
	}
	if (rc != SQLITE_DONE && ret == SIP_OK)
		ret = db_err(st, rc, err, "reap the uploads");
 out:
	sqlite3_finalize(s);
	closedir(d);
	return ret;
}
