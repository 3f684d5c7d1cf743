/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: template loading and rendering, scripts and files of every kind, "@include NAME" of fuzz/fragments/; a script must start with #!ipxe, and no value may add a line or leave its quotes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static size_t
count_lines(const char *s, size_t n)
{
	size_t i, lines = 0;

	for (i = 0; i < n; i++)
		lines += s[i] == '\n';
	return lines;
}

/* How many bytes of s are in set. */
static size_t
count_of(const char *s, size_t n, const char *set)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += strchr(set, s[i]) != NULL && s[i] != '\0';
	return c;
}

/* Double quotes not escaped by a backslash. */
static size_t
bare_quotes(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			c++;
	}
	return c;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sip_keydef keys[] = {
		{ "mac", SIP_T_MAC }, { "url", SIP_T_URL }, { "word", SIP_T_WORD },
		{ "text", SIP_T_TEXT }, { "line", SIP_T_LINE },
	};
	struct sip_template *t;
	struct sip_err err;
	struct sip_buf out, bare;
	struct sip_kv kv[5], none[5];
	const uint8_t *split;
	char *value;
	size_t tlen, vlen, i;
	enum sip_template_kind kind;

	/* Input: template bytes, then a 0xff byte, then one value for every key. */
	split = memchr(data, 0xff, size);
	tlen = split ? (size_t)(split - data) : size;
	/*
	 * A script when it starts like one, else a file whose kind is the
	 * first byte's remainder: every kind gets fuzzed.
	 */
	kind = tlen >= 6 && memcmp(data, "#!ipxe", 6) == 0 ?
	    SIP_TEMPLATE_IPXE : tlen > 0 ? (enum sip_template_kind)
	    (1 + data[0] % (SIP_TEMPLATE__MAX - 1)) : SIP_TEMPLATE_FILE;
	/* Run from the top of the tree, as make fuzz and the replay do. */
	sip_template_fragments_set("fuzz");
	if (sip_template_parse("fuzz.ipxe", kind, (const char *)data, tlen,
	    keys, 5, &t, &err) != SIP_OK)
		return 0;
	vlen = split ? size - tlen - 1 : 0;
	if ((value = malloc(vlen + 1)) == NULL) {
		sip_template_free(t);
		return 0;
	}
	if (vlen > 0)
		memcpy(value, split + 1, vlen);
	value[vlen] = '\0';
	for (i = 0; i < 5; i++) {
		kv[i].key = none[i].key = (char *)(uintptr_t)keys[i].name;
		kv[i].value = value;
		none[i].value = (char *)(uintptr_t)"";
	}
	/*
	 * The template rendered without values is its text, fragments in:
	 * what the values may not change the lines or the markup of.
	 */
	sip_buf_init(&bare);
	sip_buf_init(&out);
	if (sip_template_render(t, none, 5, &bare, &err) != SIP_OK)
		abort();		/* nothing to check, nothing to refuse */
	if (sip_template_render(t, kv, 5, &out, &err) == SIP_OK) {
		if (kind == SIP_TEMPLATE_IPXE &&
		    (out.len < 7 || memcmp(out.data, "#!ipxe", 6) != 0))
			abort();
		if (count_lines(out.data, out.len) != count_lines(bare.data, bare.len))
			abort();	/* a value added a line: injection */
		if (kind == SIP_TEMPLATE_XML &&
		    count_of(out.data, out.len, "<>\"'") !=
		    count_of(bare.data, bare.len, "<>\"'"))
			abort();	/* a value made markup */
		if (kind == SIP_TEMPLATE_YAML &&
		    bare_quotes(out.data, out.len) !=
		    bare_quotes(bare.data, bare.len))
			abort();	/* a value closed its quotes */
	} else if (out.len != 0)
		abort();		/* a refused render wrote something */
	sip_buf_free(&bare);
	sip_buf_free(&out);
	free(value);
	sip_template_free(t);
	return 0;
}
