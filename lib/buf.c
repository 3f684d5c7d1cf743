/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A growable byte buffer that remembers an allocation failure instead of crashing. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

void
sip_buf_init(struct sip_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
sip_buf_free(struct sip_buf *b)
{
	free(b->data);
	sip_buf_init(b);
}

static int
buf_reserve(struct sip_buf *b, size_t more)
{
	size_t want, cap;
	char *p;

	if (b->failed)
		return -1;
	if (more > SIZE_MAX - b->len - 1)
		goto fail;
	want = b->len + more + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	if ((p = realloc(b->data, cap)) == NULL)
		goto fail;
	b->data = p;
	b->cap = cap;
	return 0;
 fail:
	b->failed = 1;
	return -1;
}

int
sip_buf_append(struct sip_buf *b, const char *s, size_t n)
{
	if (buf_reserve(b, n) == -1)
		return -1;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
sip_buf_puts(struct sip_buf *b, const char *s)
{
	return sip_buf_append(b, s, strlen(s));
}

int
sip_buf_printf(struct sip_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n) == -1) {
		b->failed = 1;
		return -1;
	}
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}
