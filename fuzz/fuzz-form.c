/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: console.cgi's untrusted input, the POST body's form parser, Accept-Language, the CSRF token and the Origin check, from the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "se3ipxe.h"
#include "extern.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[SIP_CSRF_KEY_LEN] = "0123456789abcdef0123456789abcde";
	struct sip_form f;
	struct sip_err err;
	struct sip_buf b;
	uint32_t cp;
	const unsigned char *p;
	char *s;
	size_t i, n;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	err.msg[0] = '\0';
	/* The whole input as a body (it may hold NULs: the length is the truth). */
	if (sip_form_parse(s, size, &f, &err) == SIP_OK) {
		for (i = 0; i < f.n; i++) {
			n = strlen(f.name[i]);
			if (n == 0 || n > 64 || strspn(f.name[i],
			    "abcdefghijklmnopqrstuvwxyz0123456789_.-") != n)
				abort();
			/* A value is text: UTF-8, no control but \t \n \r. */
			for (p = (const unsigned char *)f.value[i]; *p != '\0';
			    p += n) {
				if ((n = sip_utf8_decode(p, &cp)) == 0 ||
				    (cp < 0x20 && cp != '\t' && cp != '\n' &&
				    cp != '\r') || cp == 0x7f)
					abort();
			}
			/* Escaped, it can never open markup. */
			sip_buf_init(&b);
			sip_html_escape(&b, f.value[i]);
			if (b.data != NULL && strpbrk(b.data, "<>\"'") != NULL)
				abort();
			sip_buf_free(&b);
		}
		(void)sip_csrf_check(key, sizeof(key), "admin",
		    sip_form_get(&f, "token"), 1000, &err);
		sip_form_free(&f);
	} else if (err.msg[0] == '\0' || strchr(err.msg, '\n') != NULL)
		abort();
	/* The same bytes, up to a NUL, as the headers. */
	n = sip_lang_choose(NULL, s);
	if (n != SIP_LANG_FR && n != SIP_LANG_EN)
		abort();
	if (sip_origin_check(s, NULL, "127.0.0.1:8080", 0, &err) == SIP_OK &&
	    strcasecmp(s, "http://127.0.0.1:8080") != 0)
		abort();
	if (sip_csrf_check(key, sizeof(key), "admin", s, 1000, &err) == SIP_OK)
		abort();	/* a forged token would have to break HMAC */
	free(s);
	return 0;
}
