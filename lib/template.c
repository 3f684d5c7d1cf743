/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Templates of scripts and files: {{key}} placeholders from a closed set of typed keys, checked on load and on render, written as each kind needs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

#define TEMPLATE_MAX	(64 * 1024)
#define KEYS_MAX	128
/* A fragment may include another, this deep: a loop stops there. */
#define INCLUDE_DEPTH	4
/* @include lines one template may resolve, nested ones counted. */
#define INCLUDES_MAX	64
#define INCLUDE_NAME_MAX 64
#define FRAGMENT_DIR_MAX 4096

const struct sip_keydef sip_builtin_keys[] = {
	{ "mac",		SIP_T_MAC },
	{ "platform",		SIP_T_WORD },
	{ "buildarch",		SIP_T_WORD },
	{ "cgi_url",		SIP_T_URL },
	{ "boot_url",		SIP_T_URL },
	{ "module_url",		SIP_T_URL },
	{ "report_url",		SIP_T_URL },
	{ "file_url",		SIP_T_URL },
	{ "token",		SIP_T_HEX },
	{ "action",		SIP_T_TEXT },
	{ "action_id",		SIP_T_INT },
	{ "boots",		SIP_T_INT },
	{ "max_boots",		SIP_T_INT },
	{ "local_pcbios",	SIP_T_WORD },
	{ "local_efi",		SIP_T_WORD },
	{ "iscsi_target",	SIP_T_ISCSI },
	{ "hostname",		SIP_T_WORD },
	{ "efi_loader",		SIP_T_EFIPATH },
	{ "computername",	SIP_T_WORD },
	{ "images_url",		SIP_T_URL },
};
const size_t sip_builtin_nkeys = SIP_ARRAY_SIZE(sip_builtin_keys);

struct piece {
	const char	*text;		/* literal: points into tmpl->text */
	size_t		 len;
	int		 key;		/* -1 for a literal, else index in keys */
	/* preseed: the whole value of a "OWNER QUESTION password" line. */
	int		 debconf_password;
};

struct template_key {
	char		*name;
	enum sip_type	 type;
};

/* From byte off of the text on, the text is file's from its line line. */
struct segment {
	size_t		 off;
	const char	*file;		/* the template's name, or one of files */
	int		 line;
};

struct sip_template {
	char			*name;
	enum sip_template_kind	 kind;
	char			*text;		/* with its fragments in */
	struct segment		*segs;
	size_t			 nsegs;
	char			**files;	/* the fragments read */
	size_t			 nfiles;
	struct piece		*pieces;
	size_t			 npieces;
	struct template_key	*keys;
	size_t			 nkeys;
};

static int
key_char(char c, int first)
{
	if (c >= 'a' && c <= 'z')
		return 1;
	return !first && ((c >= '0' && c <= '9') || c == '_');
}

/*
 * Bytes a kind refuses in a value, beyond its type: what would end the
 * value, start another command or be expanded where the kind's reader
 * puts it.  Kinds with SAFE_ONLY take SIP_SAFE_CHARS and nothing else.
 */
#define SAFE_ONLY	NULL
static const char *const kind_refused[SIP_TEMPLATE__MAX] = {
	SAFE_ONLY,				/* ipxe: no quoting at all */
	SAFE_ONLY,				/* text: nobody knows its reader */
	SAFE_ONLY,				/* cmdline: blanks split, quotes group */
	"\"'`$\\;&|<>(){}[]*?#!",		/* preseed: its commands are shell */
	"\"'`$\\;&|<>(){}[]*?#!",		/* sh */
	"",					/* yaml: escaped */
	"",					/* xml: escaped */
	";#[]\"%",				/* ini */
	"&|<>^%!\"()",				/* cmd */
};

enum sip_rc
sip_template_kind_check(enum sip_template_kind kind, const char *value,
    char *why, size_t sz)
{
	const char *refused;
	size_t n, bad;

	if ((unsigned)kind >= SIP_TEMPLATE__MAX) {
		snprintf(why, sz, "unknown template kind");
		return SIP_EINVAL;
	}
	n = strlen(value);
	if ((refused = kind_refused[kind]) == SAFE_ONLY) {
		if ((bad = strspn(value, SIP_SAFE_CHARS)) == n)
			return SIP_OK;
		if ((unsigned char)value[bad] > 0x20 &&
		    (unsigned char)value[bad] < 0x7f)
			snprintf(why, sz, "'%c' cannot be written in %s %s: it "
			    "takes only letters, digits and ._-:/,+=@%%~",
			    value[bad], kind == SIP_TEMPLATE_IPXE ? "an" : "a",
			    sip_template_kind_name(kind));
		else
			snprintf(why, sz, "%s cannot be written in %s %s: it "
			    "takes only letters, digits and ._-:/,+=@%%~",
			    value[bad] == ' ' ? "a blank" : "a byte above 0x7e",
			    kind == SIP_TEMPLATE_IPXE ? "an" : "a",
			    sip_template_kind_name(kind));
		return SIP_EINVAL;
	}
	if ((bad = strcspn(value, refused)) < n) {
		snprintf(why, sz, "'%c' cannot be written in %s %s file",
		    value[bad], kind == SIP_TEMPLATE_INI ? "an" : "a",
		    sip_template_kind_name(kind));
		return SIP_EINVAL;
	}
	/* A word that starts with '-' is an option to the command it reaches. */
	if ((kind == SIP_TEMPLATE_PRESEED || kind == SIP_TEMPLATE_SH) &&
	    value[0] == '-') {
		snprintf(why, sz, "a value starting with '-' cannot be written "
		    "in a %s file", sip_template_kind_name(kind));
		return SIP_EINVAL;
	}
	return SIP_OK;
}

int
sip_template_kind_escapes(enum sip_template_kind kind)
{
	return (unsigned)kind < SIP_TEMPLATE__MAX &&
	    kind_refused[kind] != SAFE_ONLY;
}

/* Append v escaped as the kind needs (it passed sip_template_kind_check). */
static void
kind_write(struct sip_buf *out, enum sip_template_kind kind, const char *v)
{
	const char *run;

	if (kind != SIP_TEMPLATE_YAML && kind != SIP_TEMPLATE_XML) {
		sip_buf_puts(out, v);
		return;
	}
	for (run = v; *v != '\0'; v++) {
		if (kind == SIP_TEMPLATE_YAML && *v != '"' && *v != '\\')
			continue;
		if (kind == SIP_TEMPLATE_XML && strchr("&<>\"'", *v) == NULL)
			continue;
		sip_buf_append(out, run, (size_t)(v - run));
		run = v + 1;
		switch (*v) {
		case '"':
			sip_buf_puts(out, kind == SIP_TEMPLATE_YAML ? "\\\"" :
			    "&quot;");
			break;
		case '\\':
			sip_buf_puts(out, "\\\\");
			break;
		case '&':
			sip_buf_puts(out, "&amp;");
			break;
		case '<':
			sip_buf_puts(out, "&lt;");
			break;
		case '>':
			sip_buf_puts(out, "&gt;");
			break;
		default:
			sip_buf_puts(out, "&apos;");
			break;
		}
	}
	sip_buf_append(out, run, (size_t)(v - run));
}

static int
find_key(const struct sip_template *t, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < t->nkeys; i++)
		if (strlen(t->keys[i].name) == len &&
		    memcmp(t->keys[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

static int
add_piece(struct sip_template *t, const char *text, size_t len, int key)
{
	struct piece *p;

	if (key < 0 && len == 0)
		return 0;
	p = realloc(t->pieces, (t->npieces + 1) * sizeof(*p));
	if (p == NULL)
		return -1;
	t->pieces = p;
	p[t->npieces].text = text;
	p[t->npieces].len = len;
	p[t->npieces].key = key;
	p[t->npieces].debconf_password = 0;
	t->npieces++;
	return 0;
}

static enum sip_rc
copy_keys(struct sip_template *t, const char *name, const struct sip_keydef *keys,
    size_t nkeys, struct sip_err *err)
{
	size_t i;

	if (nkeys > KEYS_MAX)
		return sip_errf(err, SIP_EMODULE, "%s: too many keys (%zu)", name, nkeys);
	if ((t->keys = calloc(nkeys ? nkeys : 1, sizeof(*t->keys))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "%s: out of memory", name);
	for (i = 0; i < nkeys; i++) {
		if (find_key(t, keys[i].name, strlen(keys[i].name)) >= 0)
			return sip_errf(err, SIP_EMODULE,
			    "%s: key '%s' defined twice", name, keys[i].name);
		if ((t->keys[i].name = sip_strdup(keys[i].name)) == NULL)
			return sip_errf(err, SIP_ENOMEM, "%s: out of memory", name);
		t->keys[i].type = keys[i].type;
		t->nkeys++;
	}
	return SIP_OK;
}

/*
 * Where a placeholder may stand in a YAML or XML template: only there is
 * its escaping right.  YAML: inside a double-quoted scalar of one line.
 * XML: in text or in a quoted attribute value, not in a tag, a comment or
 * a CDATA section (where entities are not read).
 */
struct context {
	int		 yaml_dq, yaml_sq, yaml_escape;
	int		 xml_tag;
	char		 xml_quote;
	const char	*xml_skip_to;	/* "-->" or "]]>" */
	size_t		 skip;		/* bytes of a "<!--" or "<![CDATA[" still to pass */
};

/* Take the character at p into account. */
static void
context_step(enum sip_template_kind kind, struct context *c, const char *p)
{
	if (kind == SIP_TEMPLATE_YAML) {
		if (*p == '\n')
			c->yaml_dq = c->yaml_sq = c->yaml_escape = 0;
		else if (c->yaml_escape)
			c->yaml_escape = 0;
		else if (c->yaml_dq && *p == '\\')
			c->yaml_escape = 1;
		else if (*p == '"' && !c->yaml_sq)
			c->yaml_dq = !c->yaml_dq;
		else if (*p == '\'' && !c->yaml_dq)
			c->yaml_sq = !c->yaml_sq;
		return;
	}
	if (kind != SIP_TEMPLATE_XML)
		return;
	if (c->skip > 0) {
		c->skip--;
		return;
	}
	if (c->xml_skip_to != NULL) {
		if (strncmp(p, c->xml_skip_to, 3) == 0) {
			c->xml_skip_to = NULL;
			c->skip = 2;
		}
		return;
	}
	if (c->xml_tag) {
		if (c->xml_quote != '\0') {
			if (*p == c->xml_quote)
				c->xml_quote = '\0';
		} else if (*p == '"' || *p == '\'')
			c->xml_quote = *p;
		else if (*p == '>')
			c->xml_tag = 0;
		return;
	}
	if (strncmp(p, "<!--", 4) == 0) {
		c->xml_skip_to = "-->";
		c->skip = 3;
	} else if (strncmp(p, "<![CDATA[", 9) == 0) {
		c->xml_skip_to = "]]>";
		c->skip = 8;
	} else if (*p == '<')
		c->xml_tag = 1;
}

/* Why a placeholder may not stand here, or NULL. */
static const char *
context_refusal(enum sip_template_kind kind, const struct context *c)
{
	if (kind == SIP_TEMPLATE_YAML && !c->yaml_dq)
		return "a placeholder in a yaml template must be inside "
		    "\"...\" on one line";
	if (kind == SIP_TEMPLATE_YAML && c->yaml_escape)
		return "a placeholder in a yaml template may not follow a "
		    "backslash";
	if (kind == SIP_TEMPLATE_XML && (c->xml_skip_to != NULL || c->skip > 0))
		return "a placeholder in an xml template may not be in a "
		    "comment or a CDATA section";
	if (kind == SIP_TEMPLATE_XML && c->xml_tag && c->xml_quote == '\0')
		return "a placeholder in an xml tag must be inside a quoted "
		    "attribute value";
	return NULL;
}

/*
 * Where fragments are: FRAGMENT_SUBDIR of the templates directory, for
 * the default templates and the modules' alike (sip_config_load sets it
 * from [modules] templates).
 */
#define FRAGMENT_SUBDIR	"fragments"
static char fragment_base[FRAGMENT_DIR_MAX] = SIP_DATADIR "/templates";
static int fragment_base_long;

void
sip_template_fragments_set(const char *template_dir)
{
	fragment_base_long = snprintf(fragment_base, sizeof(fragment_base),
	    "%s", template_dir) >= (int)sizeof(fragment_base);
}

/* "FILE:LINE" in at, with the template that included a fragment. */
static void
location(const struct sip_template *t, const char *file, int line, char *at,
    size_t sz)
{
	if (file == t->name)
		snprintf(at, sz, "%s:%d", file, line);
	else
		snprintf(at, sz, "%s:%d (included in %s)", file, line, t->name);
}

/* location() of byte off of the text, once its fragments are in. */
static void
location_of(const struct sip_template *t, size_t off, char *at, size_t sz)
{
	const struct segment *s = &t->segs[0];
	size_t i;
	int line;

	for (i = 1; i < t->nsegs && t->segs[i].off <= off; i++)
		s = &t->segs[i];
	line = s->line;
	for (i = s->off; i < off; i++)
		line += t->text[i] == '\n';
	location(t, s->file, line, at, sz);
}

static enum sip_rc
add_segment(struct sip_template *t, size_t off, const char *file, int line,
    struct sip_err *err)
{
	struct segment *s;

	/* A fragment without a byte: what follows it starts here too. */
	if (t->nsegs > 0 && t->segs[t->nsegs - 1].off == off)
		t->nsegs--;
	if ((s = realloc(t->segs, (t->nsegs + 1) * sizeof(*s))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "%s: out of memory", t->name);
	t->segs = s;
	s[t->nsegs].off = off;
	s[t->nsegs].file = file;
	s[t->nsegs].line = line;
	t->nsegs++;
	return SIP_OK;
}

static int
include_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/*
 * The NAME of the line from p to eol (its newline excluded) if it is
 * "@include NAME", NULL if it is no include line ("@includes" is text);
 * *bad if it is one, but its NAME is missing or not a plain file name.
 */
static const char *
include_line(const char *p, const char *eol, size_t *n, int *bad)
{
	const char *name, *q;

	*bad = 0;
	*n = 0;
	if ((size_t)(eol - p) < 8 || memcmp(p, "@include", 8) != 0)
		return NULL;
	q = p + 8;
	if (q < eol && *q != ' ' && *q != '\t' && *q != '\r')
		return NULL;
	while (q < eol && (*q == ' ' || *q == '\t'))
		q++;
	for (name = q; q < eol && include_name_char(*q); q++)
		continue;
	*n = (size_t)(q - name);
	while (q < eol && (*q == ' ' || *q == '\t'))
		q++;
	if (q + 1 == eol && *q == '\r')
		q++;
	if (q != eol || *n == 0 || *n > INCLUDE_NAME_MAX || name[0] == '.' ||
	    memmem(name, *n, "..", 2) != NULL)
		*bad = 1;
	return name;
}

struct expansion {
	struct sip_template	*t;
	struct sip_buf		 text;
	size_t			 includes;
};

static enum sip_rc	expand(struct expansion *, const char *file,
			    const char *text, size_t len, int depth,
			    struct sip_err *);

/* Put fragment name (n bytes) of the line at in place of that line. */
static enum sip_rc
include(struct expansion *x, const char *at, const char *name, size_t n,
    int depth, struct sip_err *err)
{
	struct sip_template *t = x->t;
	struct sip_err ferr;
	char path[FRAGMENT_DIR_MAX + INCLUDE_NAME_MAX + 32], **files;
	char *text = NULL;
	size_t len;
	enum sip_rc rc;

	if (depth >= INCLUDE_DEPTH)
		return sip_errf(err, SIP_EMODULE, "%s: @include %.*s: "
		    "fragments nested deeper than %d", at, (int)n, name,
		    INCLUDE_DEPTH);
	if (++x->includes > INCLUDES_MAX)
		return sip_errf(err, SIP_EMODULE, "%s: @include %.*s: more "
		    "than %d fragments in %s", at, (int)n, name, INCLUDES_MAX,
		    t->name);
	if (fragment_base_long || (size_t)snprintf(path, sizeof(path),
	    "%s/%s/%.*s.%s", fragment_base, FRAGMENT_SUBDIR, (int)n, name,
	    sip_template_kind_name(t->kind)) >= sizeof(path))
		return sip_errf(err, SIP_EMODULE, "%s: @include %.*s: the "
		    "templates directory's path is too long", at, (int)n, name);
	ferr.msg[0] = '\0';
	if ((rc = sip_file_read(path, TEMPLATE_MAX, &text, &len, &ferr)) !=
	    SIP_OK)
		return sip_errf(err, rc == SIP_ENOMEM ? rc : SIP_EMODULE,
		    "%s: @include %.*s: %s", at, (int)n, name, ferr.msg);
	if (memchr(text, '\0', len) != NULL) {
		rc = sip_errf(err, SIP_EMODULE, "%s: @include %.*s: %s "
		    "contains a NUL byte", at, (int)n, name, path);
		goto out;
	}
	/* Its last line would run into the line after the @include. */
	if (len > 0 && text[len - 1] != '\n') {
		rc = sip_errf(err, SIP_EMODULE, "%s: @include %.*s: %s does "
		    "not end with a newline", at, (int)n, name, path);
		goto out;
	}
	if ((files = realloc(t->files, (t->nfiles + 1) * sizeof(*files))) ==
	    NULL) {
		rc = sip_errf(err, SIP_ENOMEM, "%s: out of memory", t->name);
		goto out;
	}
	t->files = files;
	if ((files[t->nfiles] = sip_strdup(path)) == NULL) {
		rc = sip_errf(err, SIP_ENOMEM, "%s: out of memory", t->name);
		goto out;
	}
	rc = expand(x, files[t->nfiles++], text, len, depth + 1, err);
 out:
	free(text);
	return rc;
}

/*
 * Append text (file's) to x's, each "@include NAME" line replaced by
 * the fragment NAME.KIND of the templates directory's fragments/: the
 * fragment is then checked with the template's keys and rules, as if it
 * had been written there.
 */
static enum sip_rc
expand(struct expansion *x, const char *file, const char *text, size_t len,
    int depth, struct sip_err *err)
{
	struct sip_template *t = x->t;
	const char *p, *end = text + len, *nl, *eol, *name;
	char at[2 * SIP_ERR_MAX / 3];
	size_t n;
	int line, bad;
	enum sip_rc rc;

	if ((rc = add_segment(t, x->text.len, file, 1, err)) != SIP_OK)
		return rc;
	for (p = text, line = 1; p < end; p = nl == NULL ? end : nl + 1,
	    line++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		eol = nl == NULL ? end : nl;
		if ((name = include_line(p, eol, &n, &bad)) == NULL) {
			sip_buf_append(&x->text, p,
			    (size_t)((nl == NULL ? end : nl + 1) - p));
			if (x->text.failed)
				return sip_errf(err, SIP_ENOMEM, "%s: out of "
				    "memory", t->name);
			if (x->text.len > TEMPLATE_MAX)
				return sip_errf(err, SIP_EMODULE, "%s: larger "
				    "than %d bytes with its fragments",
				    t->name, TEMPLATE_MAX);
			continue;
		}
		location(t, file, line, at, sizeof(at));
		if (bad)
			return sip_errf(err, SIP_EMODULE, "%s: malformed "
			    "@include (want @include NAME, NAME of letters, "
			    "digits and ._- without '..')", at);
		if ((rc = include(x, at, name, n, depth, err)) != SIP_OK)
			return rc;
		if ((rc = add_segment(t, x->text.len, file, line + 1, err)) !=
		    SIP_OK)
			return rc;
	}
	return SIP_OK;
}

/*
 * Whether the placeholder from p to after is the whole value of a debconf
 * line of type password, "OWNER QUESTION password {{key}}", on a line of
 * its own (not the continuation of a command's line): there debconf-set-
 * selections reads the rest of the line as the value, and no shell does.
 */
static int
debconf_password_line(const char *text, const char *p, const char *after)
{
	const char *b = p, *w;
	size_t n;

	if (*after != '\n' && *after != '\0')
		return 0;
	while (b > text && b[-1] != '\n')
		b--;
	/* The line before must not end in '\\': this one would continue it. */
	if (b > text + 1 && b[-2] == '\\')
		return 0;
	for (w = b, n = 0; n < 2; n++) {	/* OWNER and QUESTION */
		size_t len = strspn(w, "abcdefghijklmnopqrstuvwxyz0123456789-_/.");

		if (len == 0 || w[len] != ' ')
			return 0;
		w += len + 1;
	}
	return strncmp(w, "password ", 9) == 0 && w + 9 == p;
}

/*
 * Split the text into literal and key pieces.  A placeholder must close on
 * its own line, name a known key, and must not be the first thing on a line:
 * a value there could make the line an iPXE label or a new directive.
 */
static enum sip_rc
split_pieces(struct sip_template *t, struct sip_err *err)
{
	const char *p = t->text, *lit = t->text, *end, *k, *why;
	char at[2 * SIP_ERR_MAX / 3];
	struct context ctx;
	int line_start_blank = 1, key;

	memset(&ctx, 0, sizeof(ctx));
	while (*p != '\0') {
		if (p[0] != '{' || p[1] != '{') {
			if (*p == '\n')
				line_start_blank = 1;
			else if (*p != ' ' && *p != '\t')
				line_start_blank = 0;
			context_step(t->kind, &ctx, p);
			p++;
			continue;
		}
		location_of(t, (size_t)(p - t->text), at, sizeof(at));
		if (line_start_blank)
			return sip_errf(err, SIP_EMODULE,
			    "%s: a placeholder may not start a line", at);
		if ((why = context_refusal(t->kind, &ctx)) != NULL)
			return sip_errf(err, SIP_EMODULE, "%s: %s", at, why);
		k = p + 2;
		for (end = k; key_char(*end, end == k); end++)
			continue;
		if (end == k || end[0] != '}' || end[1] != '}')
			return sip_errf(err, SIP_EMODULE,
			    "%s: malformed placeholder (want {{key}}, key [a-z][a-z0-9_]*)",
			    at);
		if ((key = find_key(t, k, (size_t)(end - k))) < 0)
			return sip_errf(err, SIP_EMODULE, "%s: unknown key '%.*s'",
			    at, (int)(end - k), k);
		if (add_piece(t, lit, (size_t)(p - lit), -1) == -1 ||
		    add_piece(t, NULL, 0, key) == -1)
			return sip_errf(err, SIP_ENOMEM, "%s: out of memory", t->name);
		t->pieces[t->npieces - 1].debconf_password =
		    t->kind == SIP_TEMPLATE_PRESEED &&
		    debconf_password_line(t->text, p, end + 2);
		p = lit = end + 2;
	}
	if (add_piece(t, lit, (size_t)(p - lit), -1) == -1)
		return sip_errf(err, SIP_ENOMEM, "%s: out of memory", t->name);
	return SIP_OK;
}

enum sip_rc
sip_template_parse(const char *name, enum sip_template_kind kind,
    const char *text, size_t len, const struct sip_keydef *keys, size_t nkeys,
    struct sip_template **out, struct sip_err *err)
{
	struct sip_template *t;
	struct expansion x;
	enum sip_rc rc;

	*out = NULL;
	if (len > TEMPLATE_MAX)
		return sip_errf(err, SIP_EMODULE, "%s: larger than %d bytes", name,
		    TEMPLATE_MAX);
	if (memchr(text, '\0', len) != NULL)
		return sip_errf(err, SIP_EMODULE, "%s: contains a NUL byte", name);
	/* Without "#!ipxe" first, BIOS iPXE runs the body as machine code. */
	if (kind == SIP_TEMPLATE_IPXE && (len < 7 || memcmp(text, "#!ipxe", 6) != 0 ||
	    (text[6] != '\n' && text[6] != ' ' && text[6] != '\t' && text[6] != '\r')))
		return sip_errf(err, SIP_EMODULE,
		    "%s:1: the first line must be #!ipxe", name);
	if ((unsigned)kind >= SIP_TEMPLATE__MAX)
		return sip_errf(err, SIP_EMODULE, "%s: unknown template kind",
		    name);
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "%s: out of memory", name);
	t->kind = kind;
	if ((t->name = sip_strdup(name)) == NULL) {
		rc = sip_errf(err, SIP_ENOMEM, "%s: out of memory", name);
		goto fail;
	}
	x.t = t;
	x.includes = 0;
	sip_buf_init(&x.text);
	rc = expand(&x, t->name, text, len, 0, err);
	if (rc == SIP_OK && x.text.data == NULL && (x.text.data =
	    sip_strdup("")) == NULL)
		rc = sip_errf(err, SIP_ENOMEM, "%s: out of memory", name);
	if (rc != SIP_OK) {
		sip_buf_free(&x.text);
		goto fail;
	}
	t->text = x.text.data;
	if ((rc = copy_keys(t, name, keys, nkeys, err)) != SIP_OK)
		goto fail;
	if ((rc = split_pieces(t, err)) != SIP_OK)
		goto fail;
	*out = t;
	return SIP_OK;
 fail:
	sip_template_free(t);
	return rc;
}

enum sip_rc
sip_template_load(const char *file, enum sip_template_kind kind,
    const struct sip_keydef *keys, size_t nkeys, struct sip_template **out,
    struct sip_err *err)
{
	char *text;
	size_t len;
	enum sip_rc rc;

	*out = NULL;
	if ((rc = sip_file_read(file, TEMPLATE_MAX, &text, &len, err)) != SIP_OK)
		return rc;
	rc = sip_template_parse(file, kind, text, len, keys, nkeys, out, err);
	free(text);
	return rc;
}

void
sip_template_free(struct sip_template *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nkeys; i++)
		free(t->keys[i].name);
	free(t->keys);
	free(t->pieces);
	free(t->segs);
	for (i = 0; i < t->nfiles; i++)
		free(t->files[i]);
	free(t->files);
	free(t->text);
	free(t->name);
	free(t);
}

static const char *
value_of(const struct sip_kv *values, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (values[i].key != NULL && strcmp(values[i].key, key) == 0)
			return values[i].value;
	return NULL;
}

int
sip_template_uses(const struct sip_template *t, const char *key)
{
	size_t i;

	for (i = 0; i < t->npieces; i++)
		if (t->pieces[i].key >= 0 &&
		    strcmp(t->keys[t->pieces[i].key].name, key) == 0)
			return 1;
	return 0;
}

enum sip_template_kind
sip_template_kind_of(const struct sip_template *t)
{
	return t->kind;
}

/* A key's value: a secret's from secrets (NULL: none may render). */
static const char *
key_value(const struct template_key *k, const struct sip_kv *values,
    size_t nvalues, const struct sip_kv *secrets, size_t nsecrets)
{
	if (k->type == SIP_T_SECRET)
		return secrets != NULL ?
		    value_of(secrets, nsecrets, k->name) : NULL;
	return value_of(values, nvalues, k->name);
}

/*
 * A secret value where piece stands: as its kind takes it, or a crypt(3)
 * hash as the whole value of a debconf password line (its '$' would be
 * expanded by a shell, but no shell reads that line).
 */
static int
secret_piece_ok(const struct sip_template *t, const struct piece *pc,
    const char *v)
{
	char why[SIP_ERR_MAX / 2];

	if (pc->debconf_password && sip_crypt_shape_check(v) == SIP_OK)
		return 1;
	return sip_template_kind_check(t->kind, v, why, sizeof(why)) == SIP_OK;
}

int
sip_template_secret_ok(const struct sip_template *t, const char *key,
    const char *v)
{
	size_t i;

	for (i = 0; i < t->npieces; i++)
		if (t->pieces[i].key >= 0 &&
		    strcmp(t->keys[t->pieces[i].key].name, key) == 0 &&
		    !secret_piece_ok(t, &t->pieces[i], v))
			return 0;
	return 1;
}

static enum sip_rc
render(const struct sip_template *t, const struct sip_kv *values,
    size_t nvalues, const struct sip_kv *secrets, size_t nsecrets,
    struct sip_buf *out, struct sip_err *err)
{
	const struct template_key *k;
	const char *v;
	char why[SIP_ERR_MAX / 2];
	size_t i, start = out->len;
	enum sip_rc rc;

	/* Check every value first: nothing is written unless all pass. */
	for (i = 0; i < t->npieces; i++) {
		if (t->pieces[i].key < 0)
			continue;
		k = &t->keys[t->pieces[i].key];
		if (k->type == SIP_T_SECRET) {
			/*
			 * Named, never quoted; empty only when given so (an
			 * optional secret left empty), never for want of one.
			 */
			v = key_value(k, values, nvalues, secrets, nsecrets);
			if (v != NULL && v[0] == '\0')
				continue;
			if (v == NULL || !sip_secret_value_ok(v, strlen(v)))
				return sip_errf(err, SIP_EINVAL, "%s: no valid "
				    "secret value for '%s'", t->name, k->name);
			if (!secret_piece_ok(t, &t->pieces[i], v))
				return sip_errf(err, SIP_EINVAL, "%s: the "
				    "secret value for '%s' cannot be written "
				    "in a file of kind %s", t->name, k->name,
				    sip_template_kind_name(t->kind));
			continue;
		}
		v = value_of(values, nvalues, k->name);
		if (v == NULL || *v == '\0')
			continue;
		if (sip_value_check(k->type, v) != SIP_OK)
			return sip_errf(err, SIP_EINVAL,
			    "%s: value for '%s' is not a valid %s", t->name,
			    k->name, sip_type_name(k->type));
		/* An EFI path's '\\' is iPXE's own: its type is that whitelist. */
		if (!(k->type == SIP_T_EFIPATH && t->kind == SIP_TEMPLATE_IPXE) &&
		    sip_template_kind_check(t->kind, v, why, sizeof(why)) !=
		    SIP_OK)
			return sip_errf(err, SIP_EINVAL, "%s: value for '%s': "
			    "%s", t->name, k->name, why);
	}
	for (i = 0; i < t->npieces; i++) {
		if (t->pieces[i].key < 0) {
			sip_buf_append(out, t->pieces[i].text, t->pieces[i].len);
			continue;
		}
		v = key_value(&t->keys[t->pieces[i].key], values, nvalues,
		    secrets, nsecrets);
		if (v != NULL)
			kind_write(out, t->kind, v);
	}
	if (out->failed) {
		rc = sip_errf(err, SIP_ENOMEM, "%s: out of memory", t->name);
		goto undo;
	}
	return SIP_OK;
 undo:
	out->len = start;
	if (out->data != NULL)
		out->data[start] = '\0';
	return rc;
}

enum sip_rc
sip_template_render(const struct sip_template *t, const struct sip_kv *values,
    size_t nvalues, struct sip_buf *out, struct sip_err *err)
{
	return render(t, values, nvalues, NULL, 0, out, err);
}

enum sip_rc
sip_template_render_secret(const struct sip_template *t,
    const struct sip_kv *values, size_t nvalues, const struct sip_kv *secrets,
    size_t nsecrets, struct sip_buf *out, struct sip_err *err)
{
	return render(t, values, nvalues, secrets, nsecrets, out, err);
}

const char *
sip_template_uses_type(const struct sip_template *t, enum sip_type type)
{
	size_t i;

	for (i = 0; i < t->npieces; i++)
		if (t->pieces[i].key >= 0 &&
		    t->keys[t->pieces[i].key].type == type)
			return t->keys[t->pieces[i].key].name;
	return NULL;
}
