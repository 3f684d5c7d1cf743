/* SPDX-License-Identifier: GPL-3.0-or-later */
/* JSON text (RFC 8259) written into a buffer, safe whatever bytes the strings hold: the CLI's --json and, later, status.cgi. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

size_t
sip_utf8_decode(const unsigned char *s, uint32_t *cp)
{
	uint32_t c, min;
	size_t i, n;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at NUL */
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/*
 * Stored strings come from booting machines and installers: whatever
 * they hold, the output stays valid JSON and holds no raw control byte
 * (C1 and DEL too, so that a terminal showing it is safe), and a byte
 * that is not valid UTF-8 becomes U+FFFD.
 */
int
sip_json_str(struct sip_buf *b, const char *in)
{
	const unsigned char *s = (const unsigned char *)in, *run;
	uint32_t cp;
	size_t n;

	if (in == NULL)
		return sip_buf_puts(b, "null");
	sip_buf_append(b, "\"", 1);
	for (run = s; *s != '\0'; s += n) {
		n = sip_utf8_decode(s, &cp);
		if (n > 0 && cp != '"' && cp != '\\' && cp >= 0x20 &&
		    !(cp >= 0x7f && cp < 0xa0))
			continue;
		sip_buf_append(b, (const char *)run, (size_t)(s - run));
		if (n == 0) {
			sip_buf_puts(b, "\\ufffd");
			n = 1;
		} else if (cp == '"' || cp == '\\') {
			sip_buf_append(b, "\\", 1);
			sip_buf_append(b, (const char *)s, 1);
		} else
			sip_buf_printf(b, "\\u%04x", (unsigned)cp);
		run = s + n;
	}
	sip_buf_append(b, (const char *)run, (size_t)(s - run));
	return sip_buf_append(b, "\"", 1);
}

/* The key of a member after the first: ,"key": */
static int
json_key(struct sip_buf *b, const char *key)
{
	sip_buf_append(b, ",", 1);
	sip_json_str(b, key);
	return sip_buf_append(b, ":", 1);
}

int
sip_json_kstr(struct sip_buf *b, const char *key, const char *value)
{
	json_key(b, key);
	return sip_json_str(b, value);
}

int
sip_json_kint(struct sip_buf *b, const char *key, long long value)
{
	json_key(b, key);
	return sip_buf_printf(b, "%lld", value);
}

int
sip_json_kbool(struct sip_buf *b, const char *key, int value)
{
	json_key(b, key);
	return sip_buf_puts(b, value ? "true" : "false");
}

int
sip_json_knull(struct sip_buf *b, const char *key)
{
	json_key(b, key);
	return sip_buf_puts(b, "null");
}

/* [ "a", "b" ] from a NULL-terminated list, or n strings when list ends early. */
int
sip_json_strings(struct sip_buf *b, const char *const *v, size_t n)
{
	size_t i;

	sip_buf_append(b, "[", 1);
	for (i = 0; i < n && v != NULL && v[i] != NULL; i++) {
		if (i > 0)
			sip_buf_append(b, ",", 1);
		sip_json_str(b, v[i]);
	}
	return sip_buf_append(b, "]", 1);
}
