/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Modules: read and check module.ini manifests and find modules on the path. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

#define MODULE_FILE_MAX		(64 * 1024)
#define MODULE_NAME_MAX		32	/* [a-z][a-z0-9_-]{0,31} */
#define MODULE_TEXT_MAX		255	/* descriptions */
#define MODULE_PATH_MAX		4096
#define MODULE_CAPS_MAX		64
#define MODULE_OPTS_MAX		64	/* per capability */
#define MODULE_UPS_MAX		64	/* [upstream] sections */
#define UPSTREAM_PATH_MAX	160	/* NAME, url, iso, member */
#define UPSTREAM_URL_MAX	1024

#define MINUTE	INT64_C(60)
#define DAY	(24 * 60 * MINUTE)

enum skind {
	SK_MODULE,
	SK_CAPABILITY,
	SK_OPTION,
	SK_UPSTREAM,
	SK_COPY,
	SK__MAX
};

/* The keys of each kind of section, in one table per kind. */
enum mkey { MK_NAME, MK_DESCRIPTION, MK_VERSION, MK_MIRROR, MK__MAX };
enum ckey { CK_DESCRIPTION, CK_TEMPLATE, CK_COMPLETION, CK_MAX_BOOTS,
	CK_EXPIRES, CK_DESTRUCTIVE, CK_FILES, CK__MAX };
enum okey { OK_TYPE, OK_DESCRIPTION, OK_DEFAULT, OK_MIN, OK_MAX, OK_VALUES,
	OK_PATTERN, OK_MAXLEN, OK_FORMAT, OK_EXISTS, OK_EXISTS_UNLESS, OK__MAX };
enum ukey { UK_URL, UK_SHA256, UK_SIZE, UK_ISO, UK_MEMBER, UK_SUMS, UK_SUMS_SIG,
	UK_KEYRING, UK_USED_BY, UK__MAX };
enum pkey { PK_FROM, PK_PACKAGE, PK_USED_BY, PK__MAX };
#define RAW_MAX		OK__MAX

static const char *const skeys[SK__MAX][RAW_MAX + 1] = {
	{ "name", "description", "version", "mirror", NULL }, /* SK_MODULE */
	{ "description", "template", "completion", "max_boots", "expires",
	  "destructive", "files", NULL },		/* SK_CAPABILITY */
	{ "type", "description", "default", "min", "max", "values",
	  "pattern", "maxlen", "format", "exists", "exists_unless", NULL },
							/* SK_OPTION */
	{ "url", "sha256", "size", "iso", "member", "sums", "sums_sig",
	  "keyring", "used_by", NULL },			/* SK_UPSTREAM */
	{ "from", "package", "used_by", NULL },		/* SK_COPY */
};

/* One "key = value" as read, kept until the whole file is known. */
struct raw {
	char	*value;		/* NULL: not given */
	int	 line;
};

/* One section as read. */
struct rsect {
	enum skind	 kind;
	int		 line;
	char		 header[UPSTREAM_PATH_MAX + 16];	/* for messages */
	char		 cap[SIP_NAME_MAX];	/* capability, option */
	char		 opt[SIP_NAME_MAX];	/* option */
	char		 up[UPSTREAM_PATH_MAX + 1];	/* upstream */
	struct raw	 k[RAW_MAX];
};

struct mparse {
	const char	*file;		/* the manifest, for messages */
	struct sip_err	*err;
	struct rsect	*s;
	size_t		 ns, maxs;
};

static int	 copy(char *, size_t, const char *);
static int	 name_ok(const char *, int);
static int	 module_name_ok(const char *);
static int	 builtin_key(const char *);
static int	 upstream_path_ok(const char *, int);
static enum sip_rc build_upstreams(struct mparse *, struct sip_module *);
static enum sip_rc build_used_by(struct mparse *, const struct rsect *,
		    const struct sip_module *, struct sip_upstream *);
static int	 section_cb(void *, const char *, int);
static int	 key_cb(void *, const char *, const char *, const char *, int);
static void	 mparse_free(struct mparse *);
static enum sip_rc word_of(const struct mparse *, const struct rsect *,
		    size_t, const char *const *, size_t, int *);
static enum sip_rc int_of(const struct mparse *, const struct rsect *,
		    size_t, int64_t, int64_t, int64_t *);
static enum sip_rc text_of(const struct mparse *, const struct rsect *,
		    size_t, char **);
static enum sip_rc missing(const struct mparse *, const struct rsect *,
		    size_t);
static enum sip_rc build_module(struct mparse *, const char *,
		    struct sip_module *);
static enum sip_rc build_capability(struct mparse *, const struct rsect *,
		    struct sip_capability *);
static enum sip_rc build_option(struct mparse *, const struct rsect *,
		    struct sip_option *);
static enum sip_rc check_exists_unless(const struct mparse *,
		    const struct sip_module *);
static enum sip_rc load_templates(struct sip_module *, struct sip_err *);
static int	 manifest_path(const char *, char *, size_t *);
static int	 module_cmp(const void *, const void *);
static enum sip_rc manifest_exists(const char *, const char *, size_t,
		    char *, size_t, int *, struct sip_err *);

/* Copy src into dst of size sz; 0 if it had to be cut. */
static int
copy(char *dst, size_t sz, const char *src)
{
	int n;

	n = snprintf(dst, sz, "%s", src);
	return n >= 0 && (size_t)n < sz;
}

/* [a-z][a-z0-9_]{0,31}, with '-' too if dash. */
static int
name_ok(const char *s, int dash)
{
	size_t i;

	if (s[0] < 'a' || s[0] > 'z')
		return 0;
	for (i = 1; s[i] != '\0'; i++) {
		if (i >= MODULE_NAME_MAX)
			return 0;
		if ((s[i] < 'a' || s[i] > 'z') && (s[i] < '0' || s[i] > '9') &&
		    s[i] != '_' && (!dash || s[i] != '-'))
			return 0;
	}
	return 1;
}

static int
module_name_ok(const char *s)
{
	return name_ok(s, 1);
}

static int
builtin_key(const char *s)
{
	size_t i;

	for (i = 0; i < sip_builtin_nkeys; i++)
		if (strcmp(sip_builtin_keys[i].name, s) == 0)
			return 1;
	return 0;
}

/*
 * A relative path under a directory: '/'-separated components of
 * [A-Za-z0-9._+~-], none empty, "." or ".."; with name (a file setup
 * writes), none hidden and no ".part" at the end, setup's own suffix.
 */
static int
upstream_path_ok(const char *s, int name)
{
	const char *c;
	size_t n, len = strlen(s);

	if (len == 0 || len > UPSTREAM_PATH_MAX)
		return 0;
	if (name && len >= 5 && strcmp(s + len - 5, ".part") == 0)
		return 0;
	for (c = s; ; c += n + 1) {
		n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.') ||
		    (name && c[0] == '.') || c[0] == '-')
			return 0;
		if (strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789._+~-") != n)
			return 0;
		if (c[n] == '\0')
			return 1;
	}
}

enum sip_rc
sip_mirror_check(const char *s)
{
	const unsigned char *p;
	size_t n;

	if (strncmp(s, "http://", 7) == 0)
		n = 7;
	else if (strncmp(s, "https://", 8) == 0)
		n = 8;
	else
		return SIP_EINVAL;
	if (s[n] == '\0' || s[n] == '/' || strlen(s) > UPSTREAM_URL_MAX)
		return SIP_EINVAL;
	/* No space, quote, backslash or control: one argv word for curl. */
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '"' || *p == '\'' ||
		    *p == '\\' || *p == '<' || *p == '>' || *p == '`')
			return SIP_EINVAL;
	return SIP_OK;
}

/* ------------------------------------------------------------ reading */

static int
section_cb(void *arg, const char *section, int line)
{
	struct mparse *mp = arg;
	struct rsect rs, *p;
	const char *sp, *dot;
	size_t i, n;

	memset(&rs, 0, sizeof(rs));
	rs.line = line;
	snprintf(rs.header, sizeof(rs.header), "[%s]", section);
	sp = strchr(section, ' ');

	if (strcmp(section, "module") == 0)
		rs.kind = SK_MODULE;
	else if (sp != NULL && (size_t)(sp - section) == 10 &&
	    strncmp(section, "capability", 10) == 0) {
		rs.kind = SK_CAPABILITY;
		if (strlen(sp + 1) >= sizeof(rs.cap) || !name_ok(sp + 1, 1))
			return sip_errf(mp->err, SIP_EMODULE,
			    "%s:%d: bad capability name '%s': expected "
			    "[a-z][a-z0-9_-]{0,31}", mp->file, line, sp + 1);
		copy(rs.cap, sizeof(rs.cap), sp + 1);
	} else if (sp != NULL && (size_t)(sp - section) == 6 &&
	    strncmp(section, "option", 6) == 0) {
		rs.kind = SK_OPTION;
		if ((dot = strchr(sp + 1, '.')) == NULL)
			return sip_errf(mp->err, SIP_EMODULE,
			    "%s:%d: bad option section [%s]: expected "
			    "[option CAPABILITY.OPTION]", mp->file, line,
			    section);
		n = (size_t)(dot - (sp + 1));
		if (n >= sizeof(rs.cap))
			n = sizeof(rs.cap) - 1;
		memcpy(rs.cap, sp + 1, n);
		rs.cap[n] = '\0';
		if (!name_ok(rs.cap, 1) || n != (size_t)(dot - (sp + 1)))
			return sip_errf(mp->err, SIP_EMODULE,
			    "%s:%d: bad capability name '%.*s' in [%s]: "
			    "expected [a-z][a-z0-9_-]{0,31}", mp->file, line,
			    (int)(dot - (sp + 1)), sp + 1, section);
		if (strlen(dot + 1) >= sizeof(rs.opt) || !name_ok(dot + 1, 0))
			return sip_errf(mp->err, SIP_EMODULE,
			    "%s:%d: bad option name '%s' in [%s]: expected "
			    "[a-z][a-z0-9_]{0,31}", mp->file, line, dot + 1,
			    section);
		copy(rs.opt, sizeof(rs.opt), dot + 1);
		if (builtin_key(rs.opt))
			return sip_errf(mp->err, SIP_EMODULE,
			    "%s:%d: option name '%s' in [%s] is a builtin "
			    "template key", mp->file, line, rs.opt, section);
	} else if (sp != NULL && (size_t)(sp - section) == 8 &&
	    strncmp(section, "upstream", 8) == 0) {
		rs.kind = SK_UPSTREAM;
		if (!upstream_path_ok(sp + 1, 1))
			return sip_errf(mp->err, SIP_EMODULE,
			    "%s:%d: bad upstream name '%s': expected a relative "
			    "path of [A-Za-z0-9._+~-] components, none empty, "
			    "'.', '..' or hidden, at most %d bytes", mp->file,
			    line, sp + 1, UPSTREAM_PATH_MAX);
		copy(rs.up, sizeof(rs.up), sp + 1);
	} else if (sp != NULL && (size_t)(sp - section) == 4 &&
	    strncmp(section, "copy", 4) == 0) {
		rs.kind = SK_COPY;
		if (!upstream_path_ok(sp + 1, 1))
			return sip_errf(mp->err, SIP_EMODULE,
			    "%s:%d: bad copy name '%s': expected a relative "
			    "path of [A-Za-z0-9._+~-] components, none empty, "
			    "'.', '..' or hidden, at most %d bytes", mp->file,
			    line, sp + 1, UPSTREAM_PATH_MAX);
		copy(rs.up, sizeof(rs.up), sp + 1);
	} else
		return sip_errf(mp->err, SIP_EMODULE,
		    "%s:%d: unknown section [%s]", mp->file, line, section);

	for (i = 0; i < mp->ns; i++)
		if (strcmp(mp->s[i].header, rs.header) == 0)
			return sip_errf(mp->err, SIP_EMODULE,
			    "%s:%d: repeated section %s (first at line %d)",
			    mp->file, line, rs.header, mp->s[i].line);
	/* Bounded, so that a manifest cannot ask for unbounded work. */
	if (rs.kind == SK_UPSTREAM || rs.kind == SK_COPY) {
		for (n = 0, i = 0; i < mp->ns; i++)
			n += mp->s[i].kind == SK_UPSTREAM ||
			    mp->s[i].kind == SK_COPY;
		if (n >= MODULE_UPS_MAX)
			return sip_errf(mp->err, SIP_EMODULE,
			    "%s:%d: more than %d [upstream] and [copy] "
			    "sections", mp->file, line, MODULE_UPS_MAX);
	}
	if (rs.kind == SK_CAPABILITY || rs.kind == SK_OPTION) {
		for (n = 0, i = 0; i < mp->ns; i++)
			if (mp->s[i].kind == rs.kind &&
			    (rs.kind == SK_CAPABILITY ||
			    strcmp(mp->s[i].cap, rs.cap) == 0))
				n++;
		if (rs.kind == SK_CAPABILITY && n >= MODULE_CAPS_MAX)
			return sip_errf(mp->err, SIP_EMODULE,
			    "%s:%d: more than %d [capability] sections",
			    mp->file, line, MODULE_CAPS_MAX);
		if (rs.kind == SK_OPTION && n >= MODULE_OPTS_MAX)
			return sip_errf(mp->err, SIP_EMODULE,
			    "%s:%d: more than %d options for capability %s",
			    mp->file, line, MODULE_OPTS_MAX, rs.cap);
	}
	if (mp->ns == mp->maxs) {
		n = mp->maxs ? mp->maxs * 2 : 8;
		if ((p = reallocarray(mp->s, n, sizeof(*p))) == NULL)
			return sip_errf(mp->err, SIP_ENOMEM, "%s:%d: %s",
			    mp->file, line, sip_strerror(SIP_ENOMEM));
		mp->s = p;
		mp->maxs = n;
	}
	mp->s[mp->ns++] = rs;
	return 0;
}

static int
key_cb(void *arg, const char *section, const char *key, const char *value,
    int line)
{
	struct mparse *mp = arg;
	struct rsect *rs = &mp->s[mp->ns - 1];
	size_t i;

	for (i = 0; skeys[rs->kind][i] != NULL; i++)
		if (strcmp(skeys[rs->kind][i], key) == 0)
			break;
	if (skeys[rs->kind][i] == NULL)
		return sip_errf(mp->err, SIP_EMODULE,
		    "%s:%d: unknown key '%s' in %s", mp->file, line, key,
		    rs->header);
	if ((rs->k[i].value = sip_strdup(value)) == NULL)
		return sip_errf(mp->err, SIP_ENOMEM, "%s:%d: %s", mp->file,
		    line, sip_strerror(SIP_ENOMEM));
	rs->k[i].line = line;
	return 0;
}

static void
mparse_free(struct mparse *mp)
{
	size_t i, j;

	for (i = 0; i < mp->ns; i++)
		for (j = 0; j < RAW_MAX; j++)
			free(mp->s[i].k[j].value);
	free(mp->s);
}

/* ----------------------------------------------------------- checking */

static enum sip_rc
missing(const struct mparse *mp, const struct rsect *rs, size_t k)
{
	return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s: missing key '%s'",
	    mp->file, rs->line, rs->header, skeys[rs->kind][k]);
}

/* Key k of rs is one of words[0..n-1]: *out gets its index. */
static enum sip_rc
word_of(const struct mparse *mp, const struct rsect *rs, size_t k,
    const char *const *words, size_t n, int *out)
{
	const struct raw *r = &rs->k[k];
	char list[128], sbuf[64];
	size_t i;

	if (r->value == NULL)
		return missing(mp, rs, k);
	for (i = 0; i < n; i++)
		if (strcmp(words[i], r->value) == 0) {
			*out = (int)i;
			return SIP_OK;
		}
	list[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			sip_append(list, sizeof(list), i + 1 == n ? " or " : ", ");
		sip_append(list, sizeof(list), words[i]);
	}
	return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s %s: '%s' is not %s",
	    mp->file, r->line, rs->header, skeys[rs->kind][k],
	    sip_shorten(r->value, sbuf, sizeof(sbuf)), list);
}

/* Key k of rs, if given, is an integer in min..max. */
static enum sip_rc
int_of(const struct mparse *mp, const struct rsect *rs, size_t k,
    int64_t min, int64_t max, int64_t *out)
{
	const struct raw *r = &rs->k[k];
	char sbuf[64];

	if (!sip_parse_uint(r->value, out) || *out < min || *out > max)
		return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s %s: '%s' is "
		    "not an integer in %" PRId64 "..%" PRId64, mp->file,
		    r->line, rs->header, skeys[rs->kind][k],
		    sip_shorten(r->value, sbuf, sizeof(sbuf)), min,
		    max);
	return SIP_OK;
}

/* Required free text (descriptions): 1..MODULE_TEXT_MAX bytes. */
static enum sip_rc
text_of(const struct mparse *mp, const struct rsect *rs, size_t k,
    char **out)
{
	const struct raw *r = &rs->k[k];

	if (r->value == NULL)
		return missing(mp, rs, k);
	if (r->value[0] == '\0' || strlen(r->value) > MODULE_TEXT_MAX)
		return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s %s: expected "
		    "1 to %d bytes of text", mp->file, r->line, rs->header,
		    skeys[rs->kind][k], MODULE_TEXT_MAX);
	if ((*out = sip_strdup(r->value)) == NULL)
		return sip_errf(mp->err, SIP_ENOMEM, "%s: %s", mp->file,
		    sip_strerror(SIP_ENOMEM));
	return SIP_OK;
}

static enum sip_rc
build_option(struct mparse *mp, const struct rsect *rs, struct sip_option *o)
{
	static const int allowed[SIP_OPT__MAX][RAW_MAX] = {
		/* type desc default min max values pattern maxlen format exists
		 * exists_unless */
		{ 1, 1, 1, 0, 0, 1, 0, 0 },	/* SIP_OPT_ENUM */
		{ 1, 1, 1, 1, 1, 0, 0, 0 },	/* SIP_OPT_INTEGER */
		{ 1, 1, 1, 0, 0, 0, 0, 0 },	/* SIP_OPT_BOOLEAN */
		{ 1, 1, 1, 0, 0, 0, 1, 1, 0, 1, 1 }, /* SIP_OPT_NAME */
		{ 1, 1, 1, 0, 0, 0, 0, 1 },	/* SIP_OPT_TEXT */
		{ 1, 1, 1, 0, 0, 0, 0, 0, 1 },	/* SIP_OPT_SECRET */
	};
	const struct raw *r;
	char why[SIP_ERR_MAX], sbuf[64], *buf = NULL, *w;
	char *save;
	size_t i, n;
	int type;
	enum sip_rc rc;

	copy(o->name, sizeof(o->name), rs->opt);
	if ((rc = word_of(mp, rs, OK_TYPE, sip_opt_type_names, SIP_OPT__MAX,
	    &type)) != SIP_OK)
		return rc;
	o->type = (enum sip_opt_type)type;
	for (i = 0; i < RAW_MAX; i++)
		if (rs->k[i].value != NULL && !allowed[type][i])
			return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s: key "
			    "'%s' does not apply to an option of type %s",
			    mp->file, rs->k[i].line, rs->header,
			    skeys[SK_OPTION][i], sip_opt_type_name(type));
	if ((rc = text_of(mp, rs, OK_DESCRIPTION, &o->description)) != SIP_OK)
		return rc;

	switch (o->type) {
	case SIP_OPT_INTEGER:
		o->min = 0;
		o->max = INT64_MAX;
		if (rs->k[OK_MIN].value != NULL &&
		    (rc = int_of(mp, rs, OK_MIN, 0, INT64_MAX, &o->min)) !=
		    SIP_OK)
			return rc;
		if (rs->k[OK_MAX].value != NULL &&
		    (rc = int_of(mp, rs, OK_MAX, o->min, INT64_MAX,
		    &o->max)) != SIP_OK)
			return rc;
		break;
	case SIP_OPT_ENUM:
		if ((r = &rs->k[OK_VALUES])->value == NULL)
			return missing(mp, rs, OK_VALUES);
		if ((buf = sip_strdup(r->value)) == NULL)
			goto enomem;
		n = 0;
		for (w = strtok_r(buf, " \t", &save); w != NULL;
		    w = strtok_r(NULL, " \t", &save))
			n++;
		if (n == 0) {
			rc = sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s values: "
			    "expected at least one word", mp->file, r->line,
			    rs->header);
			goto out;
		}
		if ((o->values = calloc(n + 1, sizeof(*o->values))) == NULL)
			goto enomem;
		memcpy(buf, r->value, strlen(r->value) + 1);
		n = 0;
		for (w = strtok_r(buf, " \t", &save); w != NULL;
		    w = strtok_r(NULL, " \t", &save)) {
			if (sip_value_check(SIP_T_WORD, w) != SIP_OK) {
				rc = sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s "
				    "values: '%s' is not a word "
				    "([A-Za-z0-9._-]{1,64})", mp->file,
				    r->line, rs->header, w);
				goto out;
			}
			for (i = 0; i < n; i++)
				if (strcmp(o->values[i], w) == 0) {
					rc = sip_errf(mp->err, SIP_EMODULE,
					    "%s:%d: %s values: '%s' is given "
					    "twice", mp->file, r->line,
					    rs->header, w);
					goto out;
				}
			if ((o->values[n++] = sip_strdup(w)) == NULL)
				goto enomem;
		}
		break;
	case SIP_OPT_NAME:
		if ((r = &rs->k[OK_PATTERN])->value == NULL)
			return missing(mp, rs, OK_PATTERN);
		o->min = 1;
		o->max = SIP_VALUE_MAX;
		if (rs->k[OK_MAXLEN].value != NULL &&
		    (rc = int_of(mp, rs, OK_MAXLEN, 1, SIP_VALUE_MAX,
		    &o->max)) != SIP_OK)
			return rc;
		if (r->value[0] == '\0')
			return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s "
			    "pattern: empty", mp->file, r->line, rs->header);
		if ((o->pattern = sip_strdup(r->value)) == NULL)
			goto enomem;
		if ((rc = sip_option_pattern(o, why, sizeof(why))) ==
		    SIP_ENOMEM)
			goto enomem;
		if (rc != SIP_OK) {
			rc = sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s "
			    "pattern: '%s': %s", mp->file, r->line, rs->header,
			    sip_shorten(r->value, sbuf, sizeof(sbuf)), why);
			goto out;
		}
		/* What the value must name, checked at set-action (lib/catalogue.c). */
		if ((r = &rs->k[OK_EXISTS])->value != NULL) {
			if (strcmp(r->value, "image") != 0)
				return sip_errf(mp->err, SIP_EMODULE, "%s:%d: "
				    "%s exists: '%s': only 'image' is known",
				    mp->file, r->line, rs->header,
				    sip_shorten(r->value, sbuf, sizeof(sbuf)));
			o->exists_image = 1;
		}
		/* Its option is checked in build_module, once all are read. */
		if ((r = &rs->k[OK_EXISTS_UNLESS])->value != NULL) {
			if (!o->exists_image)
				return sip_errf(mp->err, SIP_EMODULE, "%s:%d: "
				    "%s exists_unless: without exists",
				    mp->file, r->line, rs->header);
			if (!name_ok(r->value, 0) ||
			    !copy(o->exists_unless, sizeof(o->exists_unless),
			    r->value))
				return sip_errf(mp->err, SIP_EMODULE, "%s:%d: "
				    "%s exists_unless: '%s' is not an option "
				    "name", mp->file, r->line, rs->header,
				    sip_shorten(r->value, sbuf, sizeof(sbuf)));
			if (strcmp(o->exists_unless, o->name) == 0)
				return sip_errf(mp->err, SIP_EMODULE, "%s:%d: "
				    "%s exists_unless: the option itself",
				    mp->file, r->line, rs->header);
		}
		break;
	case SIP_OPT_TEXT:
		o->min = 1;
		o->max = SIP_VALUE_MAX;
		if (rs->k[OK_MAXLEN].value != NULL &&
		    (rc = int_of(mp, rs, OK_MAXLEN, 1, SIP_VALUE_MAX,
		    &o->max)) != SIP_OK)
			return rc;
		break;
	case SIP_OPT_SECRET:
		/* format = crypt: the secret must be a crypt(3) hash. */
		if ((r = &rs->k[OK_FORMAT])->value != NULL) {
			if (strcmp(r->value, "crypt") != 0)
				return sip_errf(mp->err, SIP_EMODULE, "%s:%d: "
				    "%s format: '%s': only 'crypt' is known",
				    mp->file, r->line, rs->header,
				    sip_shorten(r->value, sbuf, sizeof(sbuf)));
			o->crypt = 1;
		}
		break;
	case SIP_OPT_BOOLEAN:
	case SIP_OPT__MAX:
		break;
	}

	if ((r = &rs->k[OK_DEFAULT])->value != NULL) {
		/* A secret whose default is empty is optional: none unless set. */
		if (o->type == SIP_OPT_SECRET && r->value[0] == '\0')
			rc = SIP_OK;
		else if ((rc = sip_option_check(o, r->value, why,
		    sizeof(why))) == SIP_ENOMEM)
			goto enomem;
		if (rc != SIP_OK) {
			rc = sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s "
			    "default: '%s' is not valid: %s", mp->file, r->line,
			    rs->header,
			    sip_shorten(r->value, sbuf, sizeof(sbuf)), why);
			goto out;
		}
		if ((o->def = sip_strdup(r->value)) == NULL)
			goto enomem;
	}
	rc = SIP_OK;
	goto out;
 enomem:
	rc = sip_errf(mp->err, SIP_ENOMEM, "%s: %s", mp->file,
	    sip_strerror(SIP_ENOMEM));
 out:
	free(buf);
	return rc;
}

enum sip_rc
sip_file_name_check(const char *name)
{
	if (sip_value_check(SIP_T_WORD, name) != SIP_OK || name[0] == '.')
		return SIP_EINVAL;
	return SIP_OK;
}

/*
 * "files = NAME[:KIND][:secret]...": the files the booted system may
 * fetch, and the kind of each (text when not said), which decides how
 * values are written into it; those marked secret alone may render
 * secret values.
 */
static enum sip_rc
files_of(struct mparse *mp, const struct rsect *rs, struct sip_capability *c)
{
	const struct raw *r = &rs->k[CK_FILES];
	char name[SIP_FILE_NAME_MAX + 1], kname[16], sbuf[64];
	enum sip_template_kind kind;
	const char *p, *end, *colon;
	size_t n, i, namelen;
	int secret;

	if (r->value == NULL)
		return SIP_OK;
	for (p = r->value; *p != '\0'; p = end) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		n = strcspn(p, " \t");
		end = p + n;
		secret = n > 7 && memcmp(p + n - 7, ":secret", 7) == 0;
		if (secret)
			n -= 7;
		kind = SIP_TEMPLATE_FILE;
		if ((colon = memchr(p, ':', n)) != NULL) {
			i = (size_t)(p + n - colon - 1);
			snprintf(kname, sizeof(kname), "%.*s",
			    (int)(i < sizeof(kname) ? i : sizeof(kname) - 1),
			    colon + 1);
			if (i >= sizeof(kname) ||
			    sip_template_kind_parse(kname, &kind) != SIP_OK ||
			    kind == SIP_TEMPLATE_IPXE)
				return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s "
				    "files: '%.*s': unknown kind '%s' (text, "
				    "cmdline, preseed, sh, yaml, xml, ini, cmd)",
				    mp->file, r->line, rs->header, (int)(n < 64 ?
				    n : 64), p, sip_shorten(kname, sbuf,
				    sizeof(sbuf)));
			n = (size_t)(colon - p);
		}
		namelen = n;
		if (n > SIP_FILE_NAME_MAX)
			n = SIP_FILE_NAME_MAX;
		memcpy(name, p, n);
		name[n] = '\0';
		if (namelen > SIP_FILE_NAME_MAX ||
		    sip_file_name_check(name) != SIP_OK)
			return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s files: "
			    "'%s' is not a file name in the module directory "
			    "([A-Za-z0-9_-][A-Za-z0-9._-]*, at most %d bytes)",
			    mp->file, r->line, rs->header,
			    sip_shorten(name, sbuf, sizeof(sbuf)),
			    SIP_FILE_NAME_MAX);
		if (strcmp(name, c->template_file) == 0 ||
		    strcmp(name, "module.ini") == 0)
			return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s files: "
			    "'%s' is the %s", mp->file, r->line, rs->header,
			    name, strcmp(name, "module.ini") == 0 ?
			    "manifest" : "iPXE template");
		for (i = 0; i < c->nfiles; i++)
			if (strcmp(c->files[i], name) == 0)
				return sip_errf(mp->err, SIP_EMODULE, "%s:%d: "
				    "%s files: '%s' is named twice", mp->file,
				    r->line, rs->header, name);
		if (c->nfiles == SIP_FILES_MAX)
			return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s files: "
			    "more than %d", mp->file, r->line, rs->header,
			    SIP_FILES_MAX);
		if ((c->files[c->nfiles] = sip_strdup(name)) == NULL)
			return sip_errf(mp->err, SIP_ENOMEM, "%s: %s", mp->file,
			    sip_strerror(SIP_ENOMEM));
		c->file_kinds[c->nfiles] = kind;
		c->file_secret[c->nfiles] = secret;
		c->nfiles++;
	}
	if (c->nfiles == 0)
		return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s files: empty",
		    mp->file, r->line, rs->header);
	return SIP_OK;
}

static enum sip_rc
build_capability(struct mparse *mp, const struct rsect *rs,
    struct sip_capability *c)
{
	static const char *const yesno[2] = { "yes", "no" };
	const struct raw *r;
	char sbuf[64];
	int64_t v;
	int w, persistent;
	enum sip_rc rc;

	copy(c->name, sizeof(c->name), rs->cap);
	if ((rc = text_of(mp, rs, CK_DESCRIPTION, &c->description)) != SIP_OK)
		return rc;

	if ((r = &rs->k[CK_TEMPLATE])->value == NULL)
		return missing(mp, rs, CK_TEMPLATE);
	if (sip_file_name_check(r->value) != SIP_OK)
		return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s template: "
		    "'%s' is not a file name in the module directory "
		    "([A-Za-z0-9_-][A-Za-z0-9._-]*)", mp->file, r->line,
		    rs->header, sip_shorten(r->value, sbuf, sizeof(sbuf)));
	if ((c->template_file = sip_strdup(r->value)) == NULL)
		return sip_errf(mp->err, SIP_ENOMEM, "%s: %s", mp->file,
		    sip_strerror(SIP_ENOMEM));
	if ((rc = files_of(mp, rs, c)) != SIP_OK)
		return rc;

	if ((rc = word_of(mp, rs, CK_COMPLETION, sip_completion_names,
	    SIP_COMPLETE__MAX, &w)) != SIP_OK)
		return rc;
	c->completion = (enum sip_completion)w;
	/* Done once served: nothing could fetch its files afterwards. */
	if (c->nfiles > 0 && c->completion == SIP_COMPLETE_ONESHOT)
		return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s files: a "
		    "oneshot action is done once served, its files could never "
		    "be fetched: use completion = report", mp->file,
		    rs->k[CK_FILES].line, rs->header);

	persistent = c->completion == SIP_COMPLETE_PERSISTENT;
	if (rs->k[CK_MAX_BOOTS].value != NULL) {
		if ((rc = int_of(mp, rs, CK_MAX_BOOTS, 1, persistent ?
		    SIP_PERSISTENT_MAX_BOOTS : 100, &v)) != SIP_OK)
			return rc;
		c->max_boots = (int)v;
	} else if (persistent)
		c->max_boots = SIP_PERSISTENT_MAX_BOOTS;
	if ((r = &rs->k[CK_EXPIRES])->value != NULL &&
	    sip_duration_parse(r->value, MINUTE, persistent ?
	    SIP_PERSISTENT_EXPIRES : 30 * DAY, &c->expires) != SIP_OK)
		return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s expires: '%s' "
		    "is not a duration in 1m..%s", mp->file, r->line,
		    rs->header, sip_shorten(r->value, sbuf, sizeof(sbuf)),
		    persistent ? "365d" : "30d");
	if (r->value == NULL && persistent)
		c->expires = SIP_PERSISTENT_EXPIRES;

	if ((rc = word_of(mp, rs, CK_DESTRUCTIVE, yesno, 2, &w)) != SIP_OK)
		return rc;
	c->destructive = w == 0;
	/* Served at every boot, a destructive action would erase at every boot. */
	if (c->destructive && persistent)
		return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s: a persistent "
		    "action is served at every boot: it cannot be destructive",
		    mp->file, rs->k[CK_DESTRUCTIVE].line, rs->header);
	return SIP_OK;
}

/*
 * A file whose SHA-256 a signed sums list gives: url, sums and sums_sig
 * relative to the mirror or URLs, the file under the list's directory, no sha256
 * or size of its own (the list is the authority, the download the size).
 */
static enum sip_rc
build_signed(struct mparse *mp, const struct rsect *rs, struct sip_upstream *u)
{
	static const enum ukey rel[] = { UK_URL, UK_SUMS, UK_SUMS_SIG };
	const struct raw *r;
	const char *slash;
	char sbuf[64];
	size_t i, dirlen;

	u->unpinned = 1;
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		if ((r = &rs->k[rel[i]])->value == NULL)
			return missing(mp, rs, rel[i]);
		/* One host for the three, the mirror's or an http(s) URL. */
		if (!upstream_path_ok(r->value, 0) &&
		    ((strncmp(r->value, "http://", 7) != 0 &&
		    strncmp(r->value, "https://", 8) != 0) ||
		    sip_mirror_check(r->value) != SIP_OK))
			return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s %s: "
			    "'%s' is neither a relative path under the mirror "
			    "nor an http(s) URL", mp->file,
			    r->line, rs->header, skeys[SK_UPSTREAM][rel[i]],
			    sip_shorten(r->value, sbuf, sizeof(sbuf)));
	}
	if ((r = &rs->k[UK_KEYRING])->value == NULL)
		return missing(mp, rs, UK_KEYRING);
	if (r->value[0] != '/' || !upstream_path_ok(r->value + 1, 0))
		return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s keyring: '%s' "
		    "is not an absolute path of [A-Za-z0-9._+~-] components",
		    mp->file, r->line, rs->header,
		    sip_shorten(r->value, sbuf, sizeof(sbuf)));
	for (i = UK_SHA256; i <= UK_MEMBER; i++)
		if (i != UK_URL && (r = &rs->k[i])->value != NULL)
			return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s: no "
			    "%s with sums (the signed list gives the sha256, "
			    "the download the size)", mp->file, r->line,
			    rs->header, skeys[SK_UPSTREAM][i]);
	/* The list names its files by their path under its directory. */
	slash = strrchr(rs->k[UK_SUMS].value, '/');
	dirlen = slash == NULL ? 0 : (size_t)(slash - rs->k[UK_SUMS].value) + 1;
	if (strncmp(rs->k[UK_URL].value, rs->k[UK_SUMS].value, dirlen) != 0)
		return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s url: '%s' is "
		    "not under the directory of its sums list %s", mp->file,
		    rs->k[UK_URL].line, rs->header,
		    sip_shorten(rs->k[UK_URL].value, sbuf, sizeof(sbuf)),
		    rs->k[UK_SUMS].value);
	if ((u->url = sip_strdup(rs->k[UK_URL].value)) == NULL ||
	    (u->sums = sip_strdup(rs->k[UK_SUMS].value)) == NULL ||
	    (u->sums_sig = sip_strdup(rs->k[UK_SUMS_SIG].value)) == NULL ||
	    (u->keyring = sip_strdup(rs->k[UK_KEYRING].value)) == NULL)
		return sip_errf(mp->err, SIP_ENOMEM, "%s: %s", mp->file,
		    sip_strerror(SIP_ENOMEM));
	return SIP_OK;
}

/* A file setup fetches, or takes from an ISO another one fetches. */
static enum sip_rc
build_upstream(struct mparse *mp, const struct rsect *rs,
    struct sip_upstream *u)
{
	const struct raw *r;
	char sbuf[64];
	size_t i;
	enum sip_rc rc;

	u->iso = -1;
	if ((u->name = sip_strdup(rs->up)) == NULL)
		goto enomem;
	if (rs->k[UK_SUMS].value != NULL || rs->k[UK_SUMS_SIG].value != NULL ||
	    rs->k[UK_KEYRING].value != NULL)
		return build_signed(mp, rs, u);
	/* A member of an ISO that has sums may leave them to it. */
	r = &rs->k[UK_SHA256];
	if (r->value == NULL && rs->k[UK_SIZE].value == NULL &&
	    rs->k[UK_ISO].value != NULL)
		u->unpinned = 1;
	else if (r->value == NULL)
		return missing(mp, rs, UK_SHA256);
	if (u->unpinned)
		goto where;
	if (strlen(r->value) != SIP_SHA256_HEX ||
	    strspn(r->value, "0123456789abcdefABCDEF") != SIP_SHA256_HEX)
		return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s sha256: '%s' "
		    "is not 64 hexadecimal digits", mp->file, r->line,
		    rs->header, sip_shorten(r->value, sbuf, sizeof(sbuf)));
	for (i = 0; i < SIP_SHA256_HEX; i++)
		u->sha256[i] = (char)(r->value[i] >= 'A' && r->value[i] <= 'F' ?
		    r->value[i] - 'A' + 'a' : r->value[i]);
	if (rs->k[UK_SIZE].value == NULL)
		return missing(mp, rs, UK_SIZE);
	if ((rc = int_of(mp, rs, UK_SIZE, 1, INT64_MAX, &u->size)) != SIP_OK)
		return rc;

 where:
	/* Either a url, or an iso and a member: never both, never half. */
	if ((rs->k[UK_ISO].value == NULL) != (rs->k[UK_MEMBER].value == NULL))
		return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s: 'iso' and "
		    "'member' go together", mp->file, rs->line, rs->header);
	if (rs->k[UK_ISO].value != NULL) {
		if (rs->k[UK_URL].value != NULL)
			return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s: a "
			    "member of an ISO has no url of its own (the "
			    "ISO's [upstream] has)", mp->file,
			    rs->k[UK_URL].line, rs->header);
		r = &rs->k[UK_MEMBER];
		if (!upstream_path_ok(r->value, 0))
			return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s "
			    "member: '%s' is not a relative path in the ISO",
			    mp->file, r->line, rs->header,
			    sip_shorten(r->value, sbuf, sizeof(sbuf)));
		if ((u->member = sip_strdup(r->value)) == NULL)
			goto enomem;
		return SIP_OK;
	}
	if ((r = &rs->k[UK_URL])->value == NULL)
		return missing(mp, rs, UK_URL);
	if (strncmp(r->value, "http://", 7) == 0 ||
	    strncmp(r->value, "https://", 8) == 0) {
		if (sip_mirror_check(r->value) != SIP_OK ||
		    strlen(r->value) > UPSTREAM_URL_MAX)
			return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s url: "
			    "'%s' is not an http(s) URL", mp->file, r->line,
			    rs->header, sip_shorten(r->value, sbuf,
			    sizeof(sbuf)));
	} else if (!upstream_path_ok(r->value, 0))
		return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s url: '%s' is "
		    "neither a relative path under the mirror nor an http(s) "
		    "URL", mp->file, r->line, rs->header,
		    sip_shorten(r->value, sbuf, sizeof(sbuf)));
	if ((u->url = sip_strdup(r->value)) == NULL)
		goto enomem;
	return SIP_OK;
 enomem:
	return sip_errf(mp->err, SIP_ENOMEM, "%s: %s", mp->file,
	    sip_strerror(SIP_ENOMEM));
}

/* A file of an installed package: an absolute path, compared with it. */
static enum sip_rc
build_copy(struct mparse *mp, const struct rsect *rs, struct sip_upstream *u)
{
	const struct raw *r;
	char sbuf[64];

	u->iso = -1;
	if ((u->name = sip_strdup(rs->up)) == NULL)
		goto enomem;
	if ((r = &rs->k[PK_FROM])->value == NULL)
		return missing(mp, rs, PK_FROM);
	if (r->value[0] != '/' || !upstream_path_ok(r->value + 1, 0))
		return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s from: '%s' is "
		    "not an absolute path of [A-Za-z0-9._+~-] components",
		    mp->file, r->line, rs->header,
		    sip_shorten(r->value, sbuf, sizeof(sbuf)));
	if ((u->from = sip_strdup(r->value)) == NULL)
		goto enomem;
	if ((r = &rs->k[PK_PACKAGE])->value != NULL) {
		/* Debian policy 5.6.1: [a-z0-9][a-z0-9+.-]+ */
		if (strlen(r->value) < 2 || strlen(r->value) > 64 ||
		    strchr("abcdefghijklmnopqrstuvwxyz0123456789",
		    r->value[0]) == NULL || strspn(r->value,
		    "abcdefghijklmnopqrstuvwxyz0123456789+.-") !=
		    strlen(r->value))
			return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s "
			    "package: '%s' is not a Debian package name",
			    mp->file, r->line, rs->header,
			    sip_shorten(r->value, sbuf, sizeof(sbuf)));
		if ((u->package = sip_strdup(r->value)) == NULL)
			goto enomem;
	}
	return SIP_OK;
 enomem:
	return sip_errf(mp->err, SIP_ENOMEM, "%s: %s", mp->file,
	    sip_strerror(SIP_ENOMEM));
}

/* The [upstream] sections, each member tied to the ISO it is taken from. */
static enum sip_rc
build_upstreams(struct mparse *mp, struct sip_module *m)
{
	const struct rsect *rs;
	size_t i, j, n = 0;
	enum sip_rc rc;

	for (i = 0; i < mp->ns; i++)
		n += mp->s[i].kind == SK_UPSTREAM || mp->s[i].kind == SK_COPY;
	if (n == 0)
		return SIP_OK;
	if ((m->ups = calloc(n, sizeof(*m->ups))) == NULL)
		return sip_errf(mp->err, SIP_ENOMEM, "%s: %s", mp->file,
		    sip_strerror(SIP_ENOMEM));
	for (i = 0; i < mp->ns; i++) {
		if (mp->s[i].kind == SK_UPSTREAM)
			rc = build_upstream(mp, &mp->s[i], &m->ups[m->nups++]);
		else if (mp->s[i].kind == SK_COPY)
			rc = build_copy(mp, &mp->s[i], &m->ups[m->nups++]);
		else
			continue;
		if (rc != SIP_OK)
			return rc;
	}
	for (i = 0; i < m->nups; i++)
		for (j = 0; j < i; j++)
			if (strcmp(m->ups[i].name, m->ups[j].name) == 0)
				return sip_errf(mp->err, SIP_EMODULE, "%s: '%s' "
				    "is both an [upstream] and a [copy]",
				    mp->file, m->ups[i].name);
	for (i = 0, n = 0; i < mp->ns; i++) {
		if ((rs = &mp->s[i])->kind != SK_UPSTREAM &&
		    rs->kind != SK_COPY)
			continue;
		n++;
		if (rs->kind == SK_COPY || rs->k[UK_ISO].value == NULL)
			continue;
		for (j = 0; j < m->nups; j++)
			if (m->ups[j].url != NULL &&
			    strcmp(m->ups[j].url, rs->k[UK_ISO].value) == 0)
				break;
		if (j == m->nups)
			return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s iso: "
			    "no [upstream] of this file has url = %s", mp->file,
			    rs->k[UK_ISO].line, rs->header,
			    rs->k[UK_ISO].value);
		m->ups[n - 1].iso = (int)j;
		if (m->ups[n - 1].unpinned && m->ups[j].sums == NULL)
			return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s: "
			    "missing sha256 and size (only a member of an ISO "
			    "checked against a sums list may leave them out)",
			    mp->file, rs->line, rs->header);
	}
	return SIP_OK;
}

/*
 * used_by = CAPABILITY [OPTION=VALUE ...]: the capability of m that boots
 * with the file, and the values its options must have for it to.  The
 * check tells a file that no action needs yet from one a machine waits
 * for; without used_by, every capability of m needs it.
 */
static enum sip_rc
build_used_by(struct mparse *mp, const struct rsect *rs,
    const struct sip_module *m, struct sip_upstream *u)
{
	const struct raw *r;
	const struct sip_capability *c = NULL;
	const struct sip_option *o;
	char *words = NULL, *w, *next, *eq, why[SIP_ERR_MAX / 2], sbuf[64];
	size_t i, n;
	enum sip_rc rc = SIP_OK;

	r = &rs->k[rs->kind == SK_COPY ? PK_USED_BY : UK_USED_BY];
	if (r->value == NULL)
		return SIP_OK;
	if ((words = sip_strdup(r->value)) == NULL)
		goto enomem;
	for (n = 0, w = words; *w != '\0'; w = next) {
		w += strspn(w, " \t");
		if (*w == '\0')
			break;
		next = w + strcspn(w, " \t");
		if (*next != '\0')
			*next++ = '\0';
		if (n++ == 0) {
			for (i = 0; i < m->ncaps; i++)
				if (strcmp(m->caps[i].name, w) == 0)
					c = &m->caps[i];
			if (c == NULL) {
				rc = sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s "
				    "used_by: no [capability %s] in this file",
				    mp->file, r->line, rs->header,
				    sip_shorten(w, sbuf, sizeof(sbuf)));
				goto out;
			}
			if ((u->used_cap = sip_strdup(w)) == NULL)
				goto enomem;
			continue;
		}
		o = NULL;
		if ((eq = strchr(w, '=')) != NULL) {
			*eq = '\0';
			for (i = 0; i < c->noptions; i++)
				if (strcmp(c->options[i].name, w) == 0)
					o = &c->options[i];
		}
		if (o == NULL) {
			rc = sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s used_by: "
			    "'%s' is not OPTION=VALUE of an option of "
			    "capability %s", mp->file, r->line, rs->header,
			    sip_shorten(w, sbuf, sizeof(sbuf)), c->name);
			goto out;
		}
		for (i = 0; i < u->nused_opts; i++)
			if (strcmp(u->used_opts[i].key, w) == 0) {
				rc = sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s "
				    "used_by: option %s given twice", mp->file,
				    r->line, rs->header, w);
				goto out;
			}
		if ((rc = sip_option_check(o, eq + 1, why, sizeof(why))) ==
		    SIP_ENOMEM)
			goto enomem;
		if (rc != SIP_OK) {
			rc = sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s used_by: "
			    "%s: '%s' is not a valid %s: %s", mp->file, r->line,
			    rs->header, o->name, sip_shorten(eq + 1, sbuf,
			    sizeof(sbuf)), sip_opt_type_name(o->type), why);
			goto out;
		}
		/* At most one per option: bounded by the capability's. */
		if (u->used_opts == NULL && (u->used_opts = calloc(c->noptions,
		    sizeof(*u->used_opts))) == NULL)
			goto enomem;
		if ((u->used_opts[u->nused_opts].key = sip_strdup(w)) == NULL ||
		    (u->used_opts[u->nused_opts].value = sip_strdup(eq + 1)) ==
		    NULL) {
			free(u->used_opts[u->nused_opts].key);
			goto enomem;
		}
		u->nused_opts++;
	}
	if (n == 0)
		rc = sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s used_by: empty "
		    "(expected CAPABILITY [OPTION=VALUE ...])", mp->file,
		    r->line, rs->header);
	goto out;
 enomem:
	rc = sip_errf(mp->err, SIP_ENOMEM, "%s: %s", mp->file,
	    sip_strerror(SIP_ENOMEM));
 out:
	free(words);
	return rc;
}

int
sip_upstream_needed(const struct sip_module *m, size_t i, const char *cap,
    const struct sip_kv *opts, size_t nopts)
{
	const struct sip_upstream *u = &m->ups[i];
	const struct sip_capability *c;
	const char *v;
	size_t j, k;

	if ((c = sip_module_capability(m, cap)) == NULL)
		return 0;
	if (u->used_cap == NULL)
		return 1;
	if (strcmp(u->used_cap, cap) != 0)
		return 0;
	for (j = 0; j < u->nused_opts; j++) {
		v = NULL;
		for (k = 0; k < nopts && v == NULL; k++)
			if (strcmp(opts[k].key, u->used_opts[j].key) == 0)
				v = opts[k].value;
		/* An action set before the option was: it has the default. */
		for (k = 0; k < c->noptions && v == NULL; k++)
			if (strcmp(c->options[k].name, u->used_opts[j].key) ==
			    0)
				v = c->options[k].def;
		if (v == NULL || strcmp(v, u->used_opts[j].value) != 0)
			return 0;
	}
	return 1;
}

/* Turn the sections read into m: every rule but the templates. */
static enum sip_rc
build_module(struct mparse *mp, const char *dirname, struct sip_module *m)
{
	const struct rsect *mod = NULL, *rs;
	struct sip_capability *c;
	const struct raw *r;
	char sbuf[64];
	size_t i, j, k, n, ncaps = 0;
	enum sip_rc rc;

	for (i = 0; i < mp->ns; i++) {
		if (mp->s[i].kind == SK_MODULE)
			mod = &mp->s[i];
		else if (mp->s[i].kind == SK_CAPABILITY)
			ncaps++;
	}
	if (mod == NULL)
		return sip_errf(mp->err, SIP_EMODULE, "%s: no [module] section",
		    mp->file);

	if ((r = &mod->k[MK_NAME])->value == NULL)
		return missing(mp, mod, MK_NAME);
	if (!module_name_ok(r->value))
		return sip_errf(mp->err, SIP_EMODULE, "%s:%d: [module] name: "
		    "'%s' is not a module name ([a-z][a-z0-9_-]{0,31})",
		    mp->file, r->line,
		    sip_shorten(r->value, sbuf, sizeof(sbuf)));
	if (strcmp(r->value, dirname) != 0)
		return sip_errf(mp->err, SIP_EMODULE, "%s:%d: [module] name: "
		    "'%s' is not the name of the directory ('%s')", mp->file,
		    r->line, sip_shorten(r->value, sbuf, sizeof(sbuf)),
		    dirname);
	copy(m->name, sizeof(m->name), r->value);
	if ((rc = text_of(mp, mod, MK_DESCRIPTION, &m->description)) !=
	    SIP_OK)
		return rc;
	if ((r = &mod->k[MK_VERSION])->value == NULL)
		return missing(mp, mod, MK_VERSION);
	if (sip_value_check(SIP_T_WORD, r->value) != SIP_OK)
		return sip_errf(mp->err, SIP_EMODULE, "%s:%d: [module] "
		    "version: '%s' is not a word ([A-Za-z0-9._-]{1,64})",
		    mp->file, r->line,
		    sip_shorten(r->value, sbuf, sizeof(sbuf)));
	if ((m->version = sip_strdup(r->value)) == NULL)
		return sip_errf(mp->err, SIP_ENOMEM, "%s: %s", mp->file,
		    sip_strerror(SIP_ENOMEM));

	if ((r = &mod->k[MK_MIRROR])->value != NULL) {
		if (sip_mirror_check(r->value) != SIP_OK)
			return sip_errf(mp->err, SIP_EMODULE, "%s:%d: [module] "
			    "mirror: '%s' is not an http:// or https:// URL",
			    mp->file, r->line,
			    sip_shorten(r->value, sbuf, sizeof(sbuf)));
		if ((m->mirror = sip_strdup(r->value)) == NULL)
			return sip_errf(mp->err, SIP_ENOMEM, "%s: %s", mp->file,
			    sip_strerror(SIP_ENOMEM));
	}
	if ((rc = build_upstreams(mp, m)) != SIP_OK)
		return rc;

	/* A module of files alone (its capabilities elsewhere) is one. */
	if (ncaps == 0 && m->nups == 0)
		return sip_errf(mp->err, SIP_EMODULE, "%s: no "
		    "[capability NAME] section", mp->file);
	if (ncaps > 0 && (m->caps = calloc(ncaps, sizeof(*m->caps))) == NULL)
		return sip_errf(mp->err, SIP_ENOMEM, "%s: %s", mp->file,
		    sip_strerror(SIP_ENOMEM));
	for (i = 0; i < mp->ns; i++) {
		if (mp->s[i].kind != SK_CAPABILITY)
			continue;
		if ((rc = build_capability(mp, &mp->s[i],
		    &m->caps[m->ncaps++])) != SIP_OK)
			return rc;
	}

	/* Options, in manifest order, each under its capability. */
	for (i = 0; i < mp->ns; i++) {
		rs = &mp->s[i];
		if (rs->kind != SK_OPTION)
			continue;
		for (c = NULL, j = 0; j < m->ncaps; j++)
			if (strcmp(m->caps[j].name, rs->cap) == 0)
				c = &m->caps[j];
		if (c == NULL)
			return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s: no "
			    "[capability %s] in this file", mp->file, rs->line,
			    rs->header, rs->cap);
		if (c->options == NULL) {
			for (n = 0, k = i; k < mp->ns; k++)
				if (mp->s[k].kind == SK_OPTION &&
				    strcmp(mp->s[k].cap, rs->cap) == 0)
					n++;
			if ((c->options = calloc(n, sizeof(*c->options))) ==
			    NULL)
				return sip_errf(mp->err, SIP_ENOMEM, "%s: %s",
				    mp->file, sip_strerror(SIP_ENOMEM));
		}
		if ((rc = build_option(mp, rs, &c->options[c->noptions++])) !=
		    SIP_OK)
			return rc;
	}

	if ((rc = check_exists_unless(mp, m)) != SIP_OK)
		return rc;

	/* used_by names capabilities and options: read once both are. */
	for (i = 0, n = 0; i < mp->ns; i++) {
		rs = &mp->s[i];
		if (rs->kind != SK_UPSTREAM && rs->kind != SK_COPY)
			continue;
		if ((rc = build_used_by(mp, rs, m, &m->ups[n++])) != SIP_OK)
			return rc;
	}
	return SIP_OK;
}

/*
 * exists_unless names another option of the same capability, one with a
 * default: given a value other than that default, it says the image is
 * not the catalogue's (an SMB share's), so set-action checks nothing.
 */
static enum sip_rc
check_exists_unless(const struct mparse *mp, const struct sip_module *m)
{
	const struct rsect *rs;
	const struct sip_capability *c;
	const struct sip_option *o;
	const char *v;
	size_t i, j, k;

	for (i = 0; i < mp->ns; i++) {
		rs = &mp->s[i];
		if (rs->kind != SK_OPTION ||
		    (v = rs->k[OK_EXISTS_UNLESS].value) == NULL)
			continue;
		for (c = NULL, j = 0; j < m->ncaps; j++)
			if (strcmp(m->caps[j].name, rs->cap) == 0)
				c = &m->caps[j];
		for (o = NULL, k = 0; c != NULL && k < c->noptions; k++)
			if (strcmp(c->options[k].name, v) == 0)
				o = &c->options[k];
		if (o == NULL)
			return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s "
			    "exists_unless: no option '%s' in [capability %s]",
			    mp->file, rs->k[OK_EXISTS_UNLESS].line, rs->header,
			    v, rs->cap);
		if (o->def == NULL)
			return sip_errf(mp->err, SIP_EMODULE, "%s:%d: %s "
			    "exists_unless: option '%s' has no default",
			    mp->file, rs->k[OK_EXISTS_UNLESS].line, rs->header,
			    v);
	}
	return SIP_OK;
}

/*
 * A secret's value goes only to files declared NAME:secret: never to a
 * script (whose every line iPXE may echo or log), nor to a file served
 * to anyone holding the token.
 */
static enum sip_rc
no_secret_in(const struct sip_template *t, const char *path,
    struct sip_err *err)
{
	const char *key;

	if ((key = sip_template_uses_type(t, SIP_T_SECRET)) == NULL)
		return SIP_OK;
	return sip_errf(err, SIP_EMODULE, "%s: uses the secret option '%s': "
	    "only a file declared NAME:secret in files may", path, key);
}

/* Each capability's template, with the builtin keys and its options. */
/*
 * Every option can be written where its key stands: a text option (blanks
 * and any printable UTF-8) only in a kind that escapes or refuses what it
 * must, and each default in every kind it reaches.
 */
static enum sip_rc
options_writable(const struct sip_module *m, const struct sip_capability *c,
    struct sip_err *err)
{
	const struct sip_template *t;
	const struct sip_option *o;
	const char *file;
	char why[SIP_ERR_MAX / 2];
	size_t i, j;

	for (i = 0; i < c->noptions; i++) {
		o = &c->options[i];
		for (j = 0; j <= c->nfiles; j++) {
			t = j == 0 ? c->tmpl : c->file_tmpls[j - 1];
			file = j == 0 ? c->template_file : c->files[j - 1];
			if (!sip_template_uses(t, o->name))
				continue;
			if (o->type == SIP_OPT_TEXT &&
			    !sip_template_kind_escapes(sip_template_kind_of(t)))
				return sip_errf(err, SIP_EMODULE, "%s/%s: option "
				    "'%s' is text, which %s %s template cannot "
				    "hold: declare the file with a kind that "
				    "can (preseed, sh, yaml, xml, ini, cmd)",
				    m->dir, file, o->name, j == 0 ? "an" : "a",
				    sip_template_kind_name(
				    sip_template_kind_of(t)));
			if (o->def != NULL && o->def[0] != '\0' &&
			    sip_template_kind_check(sip_template_kind_of(t),
			    o->def, why, sizeof(why)) != SIP_OK)
				return sip_errf(err, SIP_EMODULE, "%s/%s: option "
				    "'%s': its default: %s", m->dir, file,
				    o->name, why);
		}
	}
	return SIP_OK;
}

static enum sip_rc
load_templates(struct sip_module *m, struct sip_err *err)
{
	struct sip_keydef *keys;
	struct sip_capability *c;
	char path[MODULE_PATH_MAX];
	size_t i, j;
	enum sip_rc rc;

	for (i = 0; i < m->ncaps; i++) {
		c = &m->caps[i];
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", m->dir,
		    c->template_file) >= sizeof(path))
			return sip_errf(err, SIP_EMODULE, "%s/%s: path too "
			    "long", m->dir, c->template_file);
		keys = calloc(sip_builtin_nkeys + c->noptions, sizeof(*keys));
		if (keys == NULL)
			return sip_errf(err, SIP_ENOMEM, "%s: %s", path,
			    sip_strerror(SIP_ENOMEM));
		for (j = 0; j < sip_builtin_nkeys; j++)
			keys[j] = sip_builtin_keys[j];
		for (j = 0; j < c->noptions; j++) {
			keys[sip_builtin_nkeys + j].name = c->options[j].name;
			keys[sip_builtin_nkeys + j].type =
			    sip_opt_value_type(c->options[j].type);
		}
		rc = sip_template_load(path, SIP_TEMPLATE_IPXE, keys,
		    sip_builtin_nkeys + c->noptions, &c->tmpl, err);
		if (rc == SIP_OK)
			rc = no_secret_in(c->tmpl, path, err);
		for (j = 0; rc == SIP_OK && j < c->nfiles; j++) {
			if ((size_t)snprintf(path, sizeof(path), "%s/%s",
			    m->dir, c->files[j]) >= sizeof(path))
				rc = sip_errf(err, SIP_EMODULE, "%s/%s: path "
				    "too long", m->dir, c->files[j]);
			else
				rc = sip_template_load(path, c->file_kinds[j],
				    keys, sip_builtin_nkeys + c->noptions,
				    &c->file_tmpls[j], err);
			if (rc == SIP_OK && !c->file_secret[j])
				rc = no_secret_in(c->file_tmpls[j], path, err);
		}
		free(keys);
		if (rc == SIP_OK)
			rc = options_writable(m, c, err);
		if (rc != SIP_OK) {
			/* A missing template: a broken module, not a miss. */
			return rc == SIP_ENOTFOUND ? SIP_EMODULE : rc;
		}
	}
	return SIP_OK;
}

/*
 * The directory without its trailing slashes in *n, and its manifest's
 * path in file: 0 when it has no room there.
 */
static int
manifest_path(const char *dir, char *file, size_t *n)
{
	*n = strlen(dir);
	while (*n > 1 && dir[*n - 1] == '/')
		(*n)--;
	if (*n == 0 || *n + sizeof("/module.ini") > MODULE_PATH_MAX)
		return 0;
	snprintf(file, MODULE_PATH_MAX, "%.*s/module.ini", (int)*n, dir);
	return 1;
}

enum sip_rc
sip_module_load(const char *dir, struct sip_module **out,
    struct sip_err *err)
{
	char file[MODULE_PATH_MAX];
	char *text = NULL;
	size_t len, n;
	enum sip_rc rc;

	*out = NULL;
	if (!manifest_path(dir, file, &n))
		return sip_errf(err, SIP_EMODULE, "'%s': bad module directory",
		    dir);
	if ((rc = sip_file_read(file, MODULE_FILE_MAX, &text, &len, err)) !=
	    SIP_OK)
		return rc;
	rc = sip_module_parse(dir, text, len, out, err);
	free(text);
	return rc;
}

enum sip_rc
sip_module_parse(const char *dir, const char *text, size_t len,
    struct sip_module **out, struct sip_err *err)
{
	struct sip_module *m;
	struct mparse mp;
	char file[MODULE_PATH_MAX], dirname[SIP_NAME_MAX];
	const char *base;
	size_t n;
	enum sip_rc rc;

	*out = NULL;
	memset(&mp, 0, sizeof(mp));
	if (!manifest_path(dir, file, &n))
		return sip_errf(err, SIP_EMODULE, "'%s': bad module directory",
		    dir);
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "%s: %s", dir,
		    sip_strerror(SIP_ENOMEM));
	if ((m->dir = strndup(dir, n)) == NULL) {
		rc = sip_errf(err, SIP_ENOMEM, "%s: %s", dir,
		    sip_strerror(SIP_ENOMEM));
		goto fail;
	}
	base = (base = strrchr(m->dir, '/')) == NULL ? m->dir : base + 1;
	if (!copy(dirname, sizeof(dirname), base))
		dirname[0] = '\0';	/* too long: will not match the name */

	mp.file = file;
	mp.err = err;
	if ((rc = sip_ini_parse(file, text, len, section_cb, key_cb, &mp,
	    err)) != SIP_OK)
		goto fail;
	if ((rc = build_module(&mp, dirname, m)) != SIP_OK)
		goto fail;
	if ((rc = load_templates(m, err)) != SIP_OK)
		goto fail;
	mparse_free(&mp);
	*out = m;
	return SIP_OK;
 fail:
	mparse_free(&mp);
	sip_module_free(m);
	return rc;
}

void
sip_module_free(struct sip_module *m)
{
	struct sip_capability *c;
	size_t i, j;

	if (m == NULL)
		return;
	for (i = 0; i < m->ncaps; i++) {
		c = &m->caps[i];
		free(c->description);
		free(c->template_file);
		for (j = 0; j < c->noptions; j++)
			sip_option_free(&c->options[j]);
		free(c->options);
		sip_template_free(c->tmpl);
		for (j = 0; j < c->nfiles; j++) {
			free(c->files[j]);
			sip_template_free(c->file_tmpls[j]);
		}
	}
	free(m->caps);
	for (i = 0; i < m->nups; i++) {
		free(m->ups[i].name);
		free(m->ups[i].url);
		free(m->ups[i].member);
		free(m->ups[i].from);
		free(m->ups[i].package);
		free(m->ups[i].sums);
		free(m->ups[i].sums_sig);
		free(m->ups[i].keyring);
		free(m->ups[i].used_cap);
		sip_kv_free(m->ups[i].used_opts, m->ups[i].nused_opts);
	}
	free(m->ups);
	free(m->mirror);
	free(m->dir);
	free(m->description);
	free(m->version);
	free(m);
}

void
sip_modules_free(struct sip_module **ms, size_t n)
{
	size_t i;

	if (ms == NULL)
		return;
	for (i = 0; i < n; i++)
		sip_module_free(ms[i]);
	free(ms);
}

/* ------------------------------------------------------- path lookups */

/*
 * Is there <dir>/<name>/module.ini?  *found says; dirbuf gets
 * "<dir>/<name>".  Absence (ENOENT, ENOTDIR) is not an error.
 */
static enum sip_rc
manifest_exists(const char *dir, const char *name, size_t dirlen,
    char *dirbuf, size_t sz, int *found, struct sip_err *err)
{
	char file[MODULE_PATH_MAX];
	struct stat sb;
	int n;

	*found = 0;
	n = snprintf(dirbuf, sz, "%.*s/%s", (int)dirlen, dir, name);
	if (n < 0 || (size_t)n >= sz ||
	    (size_t)n + sizeof("/module.ini") > sizeof(file))
		return sip_errf(err, SIP_EMODULE, "%.*s/%s: path too long",
		    (int)dirlen, dir, name);
	snprintf(file, sizeof(file), "%s/module.ini", dirbuf);
	if (stat(file, &sb) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			return SIP_OK;
		return sip_errf(err, SIP_EIO, "%s: %s", file, strerror(errno));
	}
	*found = 1;
	return SIP_OK;
}

enum sip_rc
sip_module_find(const char *path, const char *name, struct sip_module **out,
    struct sip_err *err)
{
	char dir[MODULE_PATH_MAX];
	const char *p, *q;
	int found;
	enum sip_rc rc;

	*out = NULL;
	if (!module_name_ok(name))
		return sip_errf(err, SIP_EINVAL, "'%s' is not a module name "
		    "([a-z][a-z0-9_-]{0,31})", name);
	for (p = path; ; p = q + 1) {
		if ((q = strchr(p, ':')) == NULL)
			q = p + strlen(p);
		if (q > p) {
			if ((rc = manifest_exists(p, name, (size_t)(q - p), dir,
			    sizeof(dir), &found, err)) != SIP_OK)
				return rc;
			if (found)
				return sip_module_load(dir, out, err);
		}
		if (*q == '\0')
			break;
	}
	return sip_errf(err, SIP_ENOTFOUND, "module '%s' not found in %s",
	    name, path);
}

static int
module_cmp(const void *a, const void *b)
{
	const struct sip_module *const *ma = a, *const *mb = b;

	return strcmp((*ma)->name, (*mb)->name);
}

enum sip_rc
sip_module_scan(const char *path, struct sip_module ***out, size_t *nout,
    struct sip_err *err)
{
	struct sip_module **ms = NULL, **p, *m;
	struct dirent *de;
	DIR *d = NULL;
	char dir[MODULE_PATH_MAX], sub[MODULE_PATH_MAX];
	const char *s, *q;
	size_t n = 0, max = 0, i;
	int found;
	enum sip_rc rc;

	*out = NULL;
	*nout = 0;
	for (s = path; ; s = q + 1) {
		if ((q = strchr(s, ':')) == NULL)
			q = s + strlen(s);
		if (q == s)
			goto next;
		if ((size_t)(q - s) >= sizeof(dir)) {
			rc = sip_errf(err, SIP_EMODULE, "%.*s: path too long",
			    (int)(q - s), s);
			goto fail;
		}
		memcpy(dir, s, (size_t)(q - s));
		dir[q - s] = '\0';
		if ((d = opendir(dir)) == NULL) {
			/* A directory of the path may well not exist. */
			if (errno == ENOENT)
				goto next;
			rc = sip_errf(err, errno == ENOMEM ? SIP_ENOMEM :
			    SIP_EIO, "%s: %s", dir, strerror(errno));
			goto fail;
		}
		for (;;) {
			errno = 0;
			if ((de = readdir(d)) == NULL) {
				if (errno == 0)
					break;
				rc = sip_errf(err, SIP_EIO, "%s: %s", dir,
				    strerror(errno));
				goto fail;
			}
			if (de->d_name[0] == '.')
				continue;
			/* Earlier directories win. */
			for (i = 0; i < n; i++)
				if (strcmp(ms[i]->name, de->d_name) == 0)
					break;
			if (i < n)
				continue;
			if ((rc = manifest_exists(dir, de->d_name, strlen(dir),
			    sub, sizeof(sub), &found, err)) != SIP_OK)
				goto fail;
			if (!found)
				continue;
			if ((rc = sip_module_load(sub, &m, err)) != SIP_OK)
				goto fail;
			if (n == max) {
				max = max ? max * 2 : 16;
				if ((p = reallocarray(ms, max, sizeof(*p))) ==
				    NULL) {
					sip_module_free(m);
					rc = sip_errf(err, SIP_ENOMEM, "%s: %s",
					    dir, sip_strerror(SIP_ENOMEM));
					goto fail;
				}
				ms = p;
			}
			ms[n++] = m;
		}
		closedir(d);
		d = NULL;
 next:
		if (*q == '\0')
			break;
	}
	if (n > 0)
		qsort(ms, n, sizeof(*ms), module_cmp);
	*out = ms;
	*nout = n;
	return SIP_OK;
 fail:
	if (d != NULL)
		closedir(d);
	sip_modules_free(ms, n);
	return rc;
}

/* ----------------------------------------------------- names, options */

const struct sip_capability *
sip_module_capability(const struct sip_module *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->ncaps; i++)
		if (strcmp(m->caps[i].name, name) == 0)
			return &m->caps[i];
	return NULL;
}

enum sip_rc
sip_action_name_split(const char *s, char mod[SIP_NAME_MAX],
    char cap[SIP_NAME_MAX])
{
	const char *colon;
	size_t n;

	if ((colon = strchr(s, ':')) == NULL)
		return SIP_EINVAL;
	n = (size_t)(colon - s);
	if (n == 0 || n > MODULE_NAME_MAX || strlen(colon + 1) >
	    MODULE_NAME_MAX)
		return SIP_EINVAL;
	memcpy(mod, s, n);
	mod[n] = '\0';
	copy(cap, SIP_NAME_MAX, colon + 1);
	if (!module_name_ok(mod) || !name_ok(cap, 1)) {
		mod[0] = cap[0] = '\0';
		return SIP_EINVAL;
	}
	return SIP_OK;
}

