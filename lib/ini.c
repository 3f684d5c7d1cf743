/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The strict line-oriented INI reader for module manifests, whole-file
 * reads, and the line splitting and value quoting the readers share.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "extern.h"

/*
 * The syntax (see se3-ipxe-modules(5)):
 *
 *	[section]		a name, or two names separated by one space
 *	key = value		whitespace around key and value is dropped
 *	; comment		or "# comment": whole lines (config.c also
 *				drops one that ends a value, as iniparser did)
 *
 * Lines end in LF or CRLF and hold at most INI_LINE_MAX bytes.  A NUL or
 * another control character (but tab) anywhere, a line ending in a
 * backslash (iniparser, which read the files before, joined it to
 * the next one: refused rather than read another way), a key before any
 * section and a key given twice in a section are errors.
 */
#define INI_LINE_MAX	1024

/* One key already read, to refuse it a second time. */
struct ini_seen {
	uint32_t	 hash;
	int		 line;
	size_t		 sect;		/* index of the section name in names */
	char		*key;
};

struct ini_state {
	const char	*name;
	struct sip_err	*err;
	struct ini_seen	*seen;
	size_t		 nseen, maxseen;
	char		**sects;	/* section names read, in order */
	size_t		 nsects, maxsects;
};

static int	 ini_namechar(int);
static int	 ini_blank(int);
static char	*ini_trim(char *);
static uint32_t	 ini_hash(size_t, const char *);
static enum sip_rc ini_section(struct ini_state *, char *, int, size_t *);
static enum sip_rc ini_key(struct ini_state *, size_t, const char *, int);
static void	 ini_state_free(struct ini_state *);

static int
ini_namechar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

static int
ini_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* Drop leading and trailing blanks in place. */
static char *
ini_trim(char *s)
{
	size_t n;

	while (ini_blank((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && ini_blank((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* FNV-1a over the section index and the key: a cheap first comparison. */
static uint32_t
ini_hash(size_t sect, const char *key)
{
	uint32_t h = 2166136261u;

	h = (h ^ (uint32_t)sect) * 16777619u;
	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h;
}

/*
 * "[name]" or "[word word]": record it (a repeated section shares the
 * index of its first header, so its keys still count as repeats).
 */
static enum sip_rc
ini_section(struct ini_state *st, char *line, int lineno, size_t *idx)
{
	char *name, **p;
	size_t len, i, spaces;

	len = strlen(line);
	if (len < 3 || line[len - 1] != ']')
		goto bad;
	line[len - 1] = '\0';
	name = line + 1;
	if (!ini_namechar((unsigned char)name[0]) ||
	    !ini_namechar((unsigned char)name[len - 3]))
		goto bad;
	for (spaces = 0, i = 0; name[i] != '\0'; i++) {
		if (name[i] == ' ')
			spaces++;
		/* The second word may be a path: [upstream dir/file]. */
		else if (!ini_namechar((unsigned char)name[i]) &&
		    (spaces == 0 || strchr("/+~", name[i]) == NULL))
			goto bad;
	}
	if (spaces > 1)
		goto bad;

	for (i = 0; i < st->nsects; i++)
		if (strcmp(st->sects[i], name) == 0) {
			*idx = i;
			return SIP_OK;
		}
	if (st->nsects == st->maxsects) {
		st->maxsects = st->maxsects ? st->maxsects * 2 : 8;
		p = reallocarray(st->sects, st->maxsects, sizeof(*p));
		if (p == NULL)
			return sip_errf(st->err, SIP_ENOMEM, "%s:%d: %s",
			    st->name, lineno, sip_strerror(SIP_ENOMEM));
		st->sects = p;
	}
	if ((st->sects[st->nsects] = sip_strdup(name)) == NULL)
		return sip_errf(st->err, SIP_ENOMEM, "%s:%d: %s",
		    st->name, lineno, sip_strerror(SIP_ENOMEM));
	*idx = st->nsects++;
	return SIP_OK;
 bad:
	return sip_errf(st->err, SIP_EMODULE,
	    "%s:%d: bad section header: expected [name] or [name name]",
	    st->name, lineno);
}

/* Remember key in section sect; refuse it if it was already there. */
static enum sip_rc
ini_key(struct ini_state *st, size_t sect, const char *key, int lineno)
{
	struct ini_seen *p;
	uint32_t h;
	size_t i;

	h = ini_hash(sect, key);
	for (i = 0; i < st->nseen; i++)
		if (st->seen[i].hash == h && st->seen[i].sect == sect &&
		    strcmp(st->seen[i].key, key) == 0)
			return sip_errf(st->err, SIP_EMODULE, "%s:%d: "
			    "repeated key '%s' in [%s] (first at line %d)",
			    st->name, lineno, key, st->sects[sect],
			    st->seen[i].line);
	if (st->nseen == st->maxseen) {
		st->maxseen = st->maxseen ? st->maxseen * 2 : 16;
		p = reallocarray(st->seen, st->maxseen, sizeof(*p));
		if (p == NULL)
			return sip_errf(st->err, SIP_ENOMEM, "%s:%d: %s",
			    st->name, lineno, sip_strerror(SIP_ENOMEM));
		st->seen = p;
	}
	if ((st->seen[st->nseen].key = sip_strdup(key)) == NULL)
		return sip_errf(st->err, SIP_ENOMEM, "%s:%d: %s",
		    st->name, lineno, sip_strerror(SIP_ENOMEM));
	st->seen[st->nseen].hash = h;
	st->seen[st->nseen].line = lineno;
	st->seen[st->nseen].sect = sect;
	st->nseen++;
	return SIP_OK;
}

static void
ini_state_free(struct ini_state *st)
{
	size_t i;

	for (i = 0; i < st->nseen; i++)
		free(st->seen[i].key);
	free(st->seen);
	for (i = 0; i < st->nsects; i++)
		free(st->sects[i]);
	free(st->sects);
}

enum sip_rc
sip_ini_parse(const char *name, const char *text, size_t len,
    sip_ini_section_cb section_cb, sip_ini_cb cb, void *arg,
    struct sip_err *err)
{
	struct ini_state st;
	char buf[INI_LINE_MAX + 1], *line, *eq, *key, *value;
	const char *p, *end, *nl;
	size_t n, i, sect = 0;
	int lineno = 0, insect = 0, rc = SIP_OK;
	unsigned char c;

	memset(&st, 0, sizeof(st));
	st.name = name;
	st.err = err;

	for (p = text, end = text + len; p < end; p = nl + 1) {
		lineno++;
		n = sip_line_len(p, end, &nl);
		if (n > INI_LINE_MAX) {
			rc = sip_errf(err, SIP_EMODULE,
			    "%s:%d: line longer than %d bytes",
			    name, lineno, INI_LINE_MAX);
			goto out;
		}
		for (i = 0; i < n; i++) {
			c = (unsigned char)p[i];
			if (c == '\0') {
				rc = sip_errf(err, SIP_EMODULE,
				    "%s:%d: NUL byte", name, lineno);
				goto out;
			}
			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				rc = sip_errf(err, SIP_EMODULE,
				    "%s:%d: control character 0x%02x",
				    name, lineno, c);
				goto out;
			}
		}
		memcpy(buf, p, n);
		buf[n] = '\0';
		line = ini_trim(buf);

		if (*line == '\0')
			continue;
		/* Even a comment: iniparser would have joined the next line to it. */
		if (line[strlen(line) - 1] == '\\') {
			rc = sip_errf(err, SIP_EMODULE,
			    "%s:%d: a line may not end with a backslash",
			    name, lineno);
			goto out;
		}
		if (*line == ';' || *line == '#')
			continue;
		if (*line == '[') {
			if ((rc = ini_section(&st, line, lineno, &sect)) !=
			    SIP_OK)
				goto out;
			insect = 1;
			if (section_cb != NULL &&
			    (rc = section_cb(arg, st.sects[sect], lineno)) != 0)
				goto out;
			continue;
		}
		if ((eq = strchr(line, '=')) == NULL) {
			rc = sip_errf(err, SIP_EMODULE,
			    "%s:%d: expected [section] or key = value",
			    name, lineno);
			goto out;
		}
		*eq = '\0';
		key = ini_trim(line);
		value = ini_trim(eq + 1);
		if (*key == '\0') {
			rc = sip_errf(err, SIP_EMODULE,
			    "%s:%d: empty key", name, lineno);
			goto out;
		}
		for (i = 0; key[i] != '\0'; i++)
			if (!ini_namechar((unsigned char)key[i])) {
				rc = sip_errf(err, SIP_EMODULE,
				    "%s:%d: bad key '%s': expected letters, "
				    "digits, '_', '-' or '.'", name, lineno,
				    key);
				goto out;
			}
		if (!insect) {
			rc = sip_errf(err, SIP_EMODULE,
			    "%s:%d: key '%s' before any [section]",
			    name, lineno, key);
			goto out;
		}
		if ((rc = ini_key(&st, sect, key, lineno)) != SIP_OK)
			goto out;
		if (cb != NULL &&
		    (rc = cb(arg, st.sects[sect], key, value, lineno)) != 0)
			goto out;
	}
 out:
	ini_state_free(&st);
	return (enum sip_rc)rc;
}

/*
 * One place splits text into lines, so that a manifest and the
 * configuration agree on where a line ends (LF or CRLF).
 */
size_t
sip_line_len(const char *p, const char *end, const char **nl)
{
	size_t n;

	if ((*nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
		*nl = end;
	n = (size_t)(*nl - p);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return n;
}

/* The config and manifest readers quote a bad value alike. */
const char *
sip_shorten(const char *v, char *buf, size_t sz)
{
	if (strlen(v) < sz)
		return v;
	snprintf(buf, sz, "%.*s...", (int)(sz - 4), v);
	return buf;
}

enum sip_rc
sip_db_sibling(const char *db_path, const char *suffix, char *buf, size_t sz,
    struct sip_err *err)
{
	int n;

	if (db_path == NULL || *db_path == '\0')
		return sip_errf(err, SIP_EINVAL, "no database path");
	n = snprintf(buf, sz, "%s%s", db_path, suffix);
	if (n < 0 || (size_t)n >= sz)
		return sip_errf(err, SIP_EINVAL, "%s: path too long", db_path);
	return SIP_OK;
}

enum sip_rc
sip_file_read(const char *path, size_t max, char **out, size_t *outlen,
    struct sip_err *err)
{
	enum sip_rc rc;
	int fd;

	*out = NULL;
	*outlen = 0;
	/*
	 * O_NONBLOCK: opening a FIFO must not wait for a writer.  It changes
	 * nothing for a regular file, and sip_fd_read reads nothing else.
	 */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return sip_errf(err, SIP_ENOTFOUND, "%s: %s",
			    path, strerror(errno));
		return sip_errf(err, SIP_EIO, "%s: %s", path, strerror(errno));
	}
	rc = sip_fd_read(fd, path, max, out, outlen, err);
	close(fd);
	return rc;
}

enum sip_rc
sip_fd_write(int fd, const char *path, const char *buf, size_t len,
    struct sip_err *err)
{
	size_t done = 0;
	ssize_t w;

	while (done < len) {
		w = write(fd, buf + done, len - done);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return sip_errf(err, SIP_EIO, "%s: %s", path,
			    w == -1 ? strerror(errno) : "short write");
		done += (size_t)w;
	}
	return SIP_OK;
}

enum sip_rc
sip_fd_read(int fd, const char *path, size_t max, char **out,
    size_t *outlen, struct sip_err *err)
{
	struct stat sb;
	char *buf = NULL, *p;
	size_t len = 0, cap;
	ssize_t r;
	enum sip_rc rc;

	*out = NULL;
	*outlen = 0;
	if (max >= SIZE_MAX / 2)
		max = SIZE_MAX / 2 - 1;
	if (fstat(fd, &sb) == -1)
		return sip_errf(err, SIP_EIO, "%s: %s", path, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return sip_errf(err, SIP_EIO, "%s: not a regular file", path);
	if (sb.st_size < 0 || (uintmax_t)sb.st_size > max)
		return sip_errf(err, SIP_EIO, "%s: larger than %zu bytes",
		    path, max);

	/* The file may grow under us: read up to max + 1 to notice. */
	cap = (size_t)sb.st_size + 1;
	if ((buf = malloc(cap + 1)) == NULL)
		return sip_errf(err, SIP_ENOMEM, "%s: %s", path,
		    sip_strerror(SIP_ENOMEM));
	for (;;) {
		if (len == cap) {
			if (cap > max) {
				rc = sip_errf(err, SIP_EIO,
				    "%s: larger than %zu bytes", path, max);
				goto free;
			}
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			if ((p = realloc(buf, cap + 1)) == NULL) {
				rc = sip_errf(err, SIP_ENOMEM, "%s: %s", path,
				    sip_strerror(SIP_ENOMEM));
				goto free;
			}
			buf = p;
		}
		if ((r = read(fd, buf + len, cap - len)) == -1) {
			if (errno == EINTR)
				continue;
			rc = sip_errf(err, SIP_EIO, "%s: %s", path,
			    strerror(errno));
			goto free;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > max) {
		rc = sip_errf(err, SIP_EIO, "%s: larger than %zu bytes",
		    path, max);
		goto free;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return SIP_OK;
 free:
	free(buf);
	return rc;
}
