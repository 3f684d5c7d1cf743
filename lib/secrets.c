/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The secrets file ([secrets] file): NAME = VALUE lines that only files declared secret may render. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "extern.h"

struct secret {
	char	 name[SIP_SECRET_NAME_MAX + 1];
	char	*value;
};

struct sip_secrets {
	struct secret	*s;
	size_t		 n;
};

int
sip_secret_name_ok(const char *s)
{
	size_t i;

	if (s == NULL || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (i = 1; s[i] != '\0'; i++) {
		if (i >= SIP_SECRET_NAME_MAX)
			return 0;
		if ((s[i] < 'a' || s[i] > 'z') && (s[i] < '0' || s[i] > '9') &&
		    s[i] != '_')
			return 0;
	}
	return 1;
}

/*
 * Printable UTF-8 (a password, a crypt hash): no control character, C0,
 * DEL or C1, so that a value stays one line of whatever file it reaches.
 */
int
sip_secret_value_ok(const char *s, size_t len)
{
	uint32_t cp;
	size_t i, n;

	if (len == 0 || len > SIP_SECRET_VALUE_MAX)
		return 0;
	for (i = 0; i < len; i += n) {
		if ((n = sip_utf8_decode((const unsigned char *)s + i, &cp)) ==
		    0 || i + n > len)
			return 0;
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			return 0;
	}
	return 1;
}

void
sip_secrets_free(struct sip_secrets *sec)
{
	size_t i;

	if (sec == NULL)
		return;
	for (i = 0; i < sec->n; i++) {
		if (sec->s[i].value != NULL) {
			explicit_bzero(sec->s[i].value,
			    strlen(sec->s[i].value));
			free(sec->s[i].value);
		}
	}
	free(sec->s);
	free(sec);
}

size_t
sip_secrets_count(const struct sip_secrets *sec)
{
	return sec != NULL ? sec->n : 0;
}

const char *
sip_secrets_get(const struct sip_secrets *sec, const char *name)
{
	size_t i;

	if (sec == NULL || name == NULL)
		return NULL;
	for (i = 0; i < sec->n; i++)
		if (strcmp(sec->s[i].name, name) == 0)
			return sec->s[i].value;
	return NULL;
}

/*
 * Messages name the file, the line and the NAME, never a value: the
 * error may well reach a log.
 */
enum sip_rc
sip_secrets_parse(const char *file, const char *text, size_t len,
    struct sip_secrets **out, struct sip_err *err)
{
	struct sip_secrets *sec;
	struct secret *p;
	const char *line, *end, *nl, *eq, *k, *ke, *v, *ve;
	size_t i, cap = 0, n;
	int lineno = 0;
	enum sip_rc rc;

	*out = NULL;
	if (len > SIP_SECRETS_FILE_MAX)
		return sip_errf(err, SIP_ECONFIG, "%s: larger than %d bytes",
		    file, SIP_SECRETS_FILE_MAX);
	if (memchr(text, '\0', len) != NULL)
		return sip_errf(err, SIP_ECONFIG, "%s: contains a NUL byte",
		    file);
	if ((sec = calloc(1, sizeof(*sec))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "%s: %s", file,
		    sip_strerror(SIP_ENOMEM));
	end = text + len;
	for (line = text; line < end; line = nl + 1) {
		lineno++;
		n = sip_line_len(line, end, &nl);
		for (k = line; k < line + n && (*k == ' ' || *k == '\t'); k++)
			continue;
		if (k == line + n || *k == '#')
			goto next;
		if ((eq = memchr(k, '=', (size_t)(line + n - k))) == NULL) {
			rc = sip_errf(err, SIP_ECONFIG, "%s:%d: expected "
			    "NAME = VALUE", file, lineno);
			goto fail;
		}
		for (ke = eq; ke > k && (ke[-1] == ' ' || ke[-1] == '\t'); ke--)
			continue;
		for (v = eq + 1; v < line + n && (*v == ' ' || *v == '\t'); v++)
			continue;
		for (ve = line + n; ve > v && (ve[-1] == ' ' ||
		    ve[-1] == '\t'); ve--)
			continue;
		if (sec->n == cap) {
			cap = cap ? cap * 2 : 16;
			if (cap > SIP_SECRETS_MAX)
				cap = SIP_SECRETS_MAX;
			if (sec->n == cap) {
				rc = sip_errf(err, SIP_ECONFIG, "%s:%d: more "
				    "than %d secrets", file, lineno,
				    SIP_SECRETS_MAX);
				goto fail;
			}
			if ((p = reallocarray(sec->s, cap, sizeof(*p))) ==
			    NULL)
				goto enomem;
			sec->s = p;
		}
		p = &sec->s[sec->n];
		memset(p, 0, sizeof(*p));
		if ((size_t)(ke - k) > SIP_SECRET_NAME_MAX) {
			rc = sip_errf(err, SIP_ECONFIG, "%s:%d: bad secret name "
			    "'%.*s...': expected [a-z][a-z0-9_]{0,%d}", file,
			    lineno, 16, k, SIP_SECRET_NAME_MAX - 1);
			goto fail;
		}
		memcpy(p->name, k, (size_t)(ke - k));
		p->name[ke - k] = '\0';
		if (!sip_secret_name_ok(p->name)) {
			rc = sip_errf(err, SIP_ECONFIG, "%s:%d: bad secret name "
			    "'%.*s': expected [a-z][a-z0-9_]{0,%d}", file,
			    lineno, (int)(ke - k), k, SIP_SECRET_NAME_MAX - 1);
			goto fail;
		}
		for (i = 0; i < sec->n; i++)
			if (strcmp(sec->s[i].name, p->name) == 0) {
				rc = sip_errf(err, SIP_ECONFIG, "%s:%d: secret "
				    "'%s' is given twice", file, lineno,
				    p->name);
				goto fail;
			}
		if (!sip_secret_value_ok(v, (size_t)(ve - v))) {
			rc = sip_errf(err, SIP_ECONFIG, "%s:%d: secret '%s': "
			    "the value must be 1 to %d bytes of printable "
			    "UTF-8", file, lineno, p->name,
			    SIP_SECRET_VALUE_MAX);
			goto fail;
		}
		if ((p->value = strndup(v, (size_t)(ve - v))) == NULL)
			goto enomem;
		sec->n++;
 next:
		if (nl >= end)
			break;
	}
	*out = sec;
	return SIP_OK;
 enomem:
	rc = sip_errf(err, SIP_ENOMEM, "%s: %s", file,
	    sip_strerror(SIP_ENOMEM));
 fail:
	sip_secrets_free(sec);
	return rc;
}

/*
 * Root writes it, the CGI's group reads it (0640 root:www-data), nobody
 * else: a file others may read, or group write, is no secret.  Owned by
 * root or by the reader itself (a test, a private instance).
 */
enum sip_rc
sip_secrets_mode_check(const char *path, const struct stat *sb, uid_t euid,
    struct sip_err *err)
{
	if (!S_ISREG(sb->st_mode))
		return sip_errf(err, SIP_ECONFIG, "[secrets] file %s: not a "
		    "regular file", path);
	if (sb->st_mode & (S_IRWXO | S_IWGRP | S_IXGRP | S_ISUID | S_ISGID |
	    S_IXUSR))
		return sip_errf(err, SIP_ECONFIG, "[secrets] file %s: mode "
		    "%04o: others may use it or group may write it (chmod "
		    "640 it, owner root, group the CGI's user)", path,
		    (unsigned)(sb->st_mode & 07777));
	if (sb->st_uid != 0 && sb->st_uid != euid)
		return sip_errf(err, SIP_ECONFIG, "[secrets] file %s: owned by "
		    "uid %lu, not root", path, (unsigned long)sb->st_uid);
	return SIP_OK;
}

enum sip_rc
sip_secrets_load(const char *path, struct sip_secrets **out,
    struct sip_err *err)
{
	struct stat sb;
	char *text = NULL;
	size_t len = 0;
	int fd;
	enum sip_rc rc;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return sip_errf(err, SIP_ECONFIG, "[secrets] file: not set");
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return sip_errf(err, errno == ENOENT ? SIP_ENOTFOUND : SIP_EIO,
		    "[secrets] file %s: %s", path, strerror(errno));
	if (fstat(fd, &sb) == -1) {
		rc = sip_errf(err, SIP_EIO, "[secrets] file %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if ((rc = sip_secrets_mode_check(path, &sb, geteuid(), err)) !=
	    SIP_OK)
		goto out;
	if ((rc = sip_fd_read(fd, path, SIP_SECRETS_FILE_MAX, &text, &len,
	    err)) != SIP_OK)
		goto out;
	rc = sip_secrets_parse(path, text, len, out, err);
 out:
	if (text != NULL) {
		explicit_bzero(text, len);
		free(text);
	}
	close(fd);
	return rc;
}

/* The NAME of a "NAME = VALUE" line of n bytes, in name; 0 if none. */
static int
line_name(const char *line, size_t n, char name[SIP_SECRET_NAME_MAX + 1])
{
	const char *k, *ke, *eq;

	for (k = line; k < line + n && (*k == ' ' || *k == '\t'); k++)
		continue;
	if (k == line + n || *k == '#' ||
	    (eq = memchr(k, '=', (size_t)(line + n - k))) == NULL)
		return 0;
	for (ke = eq; ke > k && (ke[-1] == ' ' || ke[-1] == '\t'); ke--)
		continue;
	if ((size_t)(ke - k) > SIP_SECRET_NAME_MAX)
		return 0;
	memcpy(name, k, (size_t)(ke - k));
	name[ke - k] = '\0';
	return 1;
}

/* text (len) with name's line, or a new last line, saying value. */
static enum sip_rc
secrets_with(const char *path, const char *text, size_t len,
    const char *name, const char *value, struct sip_buf *out,
    struct sip_err *err)
{
	char lname[SIP_SECRET_NAME_MAX + 1];
	const char *line, *end = text + len, *nl;
	size_t n;
	int done = 0;

	for (line = text; line < end; line = nl + 1) {
		n = sip_line_len(line, end, &nl);
		if (!done && line_name(line, n, lname) &&
		    strcmp(lname, name) == 0) {
			sip_buf_printf(out, "%s = %s", name, value);
			/* The line's own ending, "\r\n" included. */
			sip_buf_append(out, line + n, (size_t)((nl < end ?
			    nl + 1 : end) - (line + n)));
			done = 1;
		} else
			sip_buf_append(out, line, (size_t)((nl < end ? nl + 1 :
			    end) - line));
		if (nl >= end)
			break;
	}
	if (!done) {
		if (len > 0 && text[len - 1] != '\n')
			sip_buf_puts(out, "\n");
		sip_buf_printf(out, "%s = %s\n", name, value);
	}
	if (out->failed)
		return sip_errf(err, SIP_ENOMEM, "[secrets] file %s: %s", path,
		    sip_strerror(SIP_ENOMEM));
	return SIP_OK;
}

/* The directory of path, synced so that a rename in it lasts. */
static void
sync_dir_of(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	int fd;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if ((size_t)snprintf(dir, sizeof(dir), "%.*s",
	    slash == path ? 1 : (int)(slash - path), path) >= sizeof(dir))
		return;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(fd);
		close(fd);
	}
}

enum sip_rc
sip_secrets_set(const char *path, const char *name, const char *value,
    struct sip_err *err)
{
	struct sip_secrets *sec = NULL;
	struct sip_buf out;
	struct stat sb;
	char *text = NULL, *tmp = NULL;
	size_t len = 0;
	int fd = -1, tfd = -1, existed = 1;
	enum sip_rc rc;

	sip_buf_init(&out);
	if (path == NULL || *path == '\0')
		return sip_errf(err, SIP_ECONFIG, "[secrets] file: not set");
	if (!sip_secret_name_ok(name))
		return sip_errf(err, SIP_EINVAL, "bad secret name '%s'", name);
	if (!sip_secret_value_ok(value, strlen(value)))
		return sip_errf(err, SIP_EINVAL, "secret '%s': the value must "
		    "be 1 to %d bytes of printable UTF-8", name,
		    SIP_SECRET_VALUE_MAX);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		if (errno != ENOENT)
			return sip_errf(err, SIP_EIO, "[secrets] file %s: %s",
			    path, strerror(errno));
		existed = 0;
	} else {
		if (fstat(fd, &sb) == -1) {
			rc = sip_errf(err, SIP_EIO, "[secrets] file %s: %s",
			    path, strerror(errno));
			goto out;
		}
		if ((rc = sip_secrets_mode_check(path, &sb, geteuid(), err)) !=
		    SIP_OK ||
		    (rc = sip_fd_read(fd, path, SIP_SECRETS_FILE_MAX, &text,
		    &len, err)) != SIP_OK)
			goto out;
		/* A file it cannot read is not rewritten: it would lose lines. */
		if ((rc = sip_secrets_parse(path, text, len, &sec, err)) !=
		    SIP_OK)
			goto out;
	}
	if ((rc = secrets_with(path, text != NULL ? text : "", len, name,
	    value, &out, err)) != SIP_OK)
		goto out;
	if (out.len > SIP_SECRETS_FILE_MAX) {
		rc = sip_errf(err, SIP_ECONFIG, "[secrets] file %s: would be "
		    "larger than %d bytes", path, SIP_SECRETS_FILE_MAX);
		goto out;
	}
	if (asprintf(&tmp, "%s.XXXXXX", path) == -1) {
		tmp = NULL;
		rc = sip_errf(err, SIP_ENOMEM, "[secrets] file %s: %s", path,
		    sip_strerror(SIP_ENOMEM));
		goto out;
	}
	if ((tfd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		rc = sip_errf(err, SIP_EIO, "[secrets] file %s: %s: %s", path,
		    tmp, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	/* Root writes it, the CGI's group reads it: as it was. */
	if ((existed && fchown(tfd, sb.st_uid, sb.st_gid) == -1) ||
	    fchmod(tfd, 0640) == -1) {
		rc = sip_errf(err, SIP_EIO, "[secrets] file %s: %s: %s", path,
		    tmp, strerror(errno));
		goto out;
	}
	if ((rc = sip_fd_write(tfd, tmp, out.data, out.len, err)) != SIP_OK)
		goto out;
	if (fsync(tfd) == -1 || close(tfd) == -1) {
		tfd = -1;
		rc = sip_errf(err, SIP_EIO, "[secrets] file %s: %s: %s", path,
		    tmp, strerror(errno));
		goto out;
	}
	tfd = -1;
	if (rename(tmp, path) == -1) {
		rc = sip_errf(err, SIP_EIO, "[secrets] file %s: %s", path,
		    strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	sync_dir_of(path);
	rc = SIP_OK;
 out:
	if (tfd != -1)
		close(tfd);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	if (out.data != NULL)
		explicit_bzero(out.data, out.cap);
	sip_buf_free(&out);
	if (text != NULL) {
		explicit_bzero(text, len);
		free(text);
	}
	sip_secrets_free(sec);
	if (fd != -1)
		close(fd);
	return rc;
}
