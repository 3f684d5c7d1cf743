/* SPDX-License-Identifier: GPL-3.0-or-later */
/* iPXE script templates: {{key}} placeholders from a closed set of typed keys, checked on load and on render. */
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

#define TEMPLATE_MAX	(64 * 1024)
#define KEYS_MAX	128

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
	{ "efi_loader",		SIP_T_EFIPATH },
};
const size_t sip_builtin_nkeys = SIP_ARRAY_SIZE(sip_builtin_keys);

struct piece {
	const char	*text;		/* literal: points into tmpl->text */
	size_t		 len;
	int		 key;		/* -1 for a literal, else index in keys */
};

struct template_key {
	char		*name;
	enum sip_type	 type;
};

struct sip_template {
	char			*name;
	char			*text;
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
 * Split the text into literal and key pieces.  A placeholder must close on
 * its own line, name a known key, and must not be the first thing on a line:
 * a value there could make the line an iPXE label.
 */
static enum sip_rc
split_pieces(struct sip_template *t, struct sip_err *err)
{
	const char *p = t->text, *lit = t->text, *end, *k;
	int line = 1, line_start_blank = 1, key;

	while (*p != '\0') {
		if (*p == '\n') {
			line++;
			line_start_blank = 1;
			p++;
			continue;
		}
		if (p[0] != '{' || p[1] != '{') {
			if (*p != ' ' && *p != '\t')
				line_start_blank = 0;
			p++;
			continue;
		}
		if (line_start_blank)
			return sip_errf(err, SIP_EMODULE,
			    "%s:%d: a placeholder may not start a line", t->name, line);
		k = p + 2;
		for (end = k; key_char(*end, end == k); end++)
			continue;
		if (end == k || end[0] != '}' || end[1] != '}')
			return sip_errf(err, SIP_EMODULE,
			    "%s:%d: malformed placeholder (want {{key}}, key [a-z][a-z0-9_]*)",
			    t->name, line);
		if ((key = find_key(t, k, (size_t)(end - k))) < 0)
			return sip_errf(err, SIP_EMODULE, "%s:%d: unknown key '%.*s'",
			    t->name, line, (int)(end - k), k);
		if (add_piece(t, lit, (size_t)(p - lit), -1) == -1 ||
		    add_piece(t, NULL, 0, key) == -1)
			return sip_errf(err, SIP_ENOMEM, "%s: out of memory", t->name);
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
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "%s: out of memory", name);
	if ((t->name = sip_strdup(name)) == NULL ||
	    (t->text = malloc(len + 1)) == NULL) {
		rc = sip_errf(err, SIP_ENOMEM, "%s: out of memory", name);
		goto fail;
	}
	memcpy(t->text, text, len);
	t->text[len] = '\0';
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

enum sip_rc
sip_template_render(const struct sip_template *t, const struct sip_kv *values,
    size_t nvalues, struct sip_buf *out, struct sip_err *err)
{
	const struct template_key *k;
	const char *v;
	size_t i, start = out->len;
	enum sip_rc rc;

	/* Check every value first: nothing is written unless all pass. */
	for (i = 0; i < t->npieces; i++) {
		if (t->pieces[i].key < 0)
			continue;
		k = &t->keys[t->pieces[i].key];
		v = value_of(values, nvalues, k->name);
		if (v != NULL && *v != '\0' && sip_value_check(k->type, v) != SIP_OK)
			return sip_errf(err, SIP_EINVAL,
			    "%s: value for '%s' is not a valid %s", t->name,
			    k->name, sip_type_name(k->type));
	}
	for (i = 0; i < t->npieces; i++) {
		if (t->pieces[i].key < 0) {
			sip_buf_append(out, t->pieces[i].text, t->pieces[i].len);
			continue;
		}
		v = value_of(values, nvalues, t->keys[t->pieces[i].key].name);
		if (v != NULL)
			sip_buf_puts(out, v);
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
