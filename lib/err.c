/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Error codes, their names, one-line error messages and small string helpers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

static const char *const rc_names[SIP_RC__MAX] = {
	"success",				/* SIP_OK */
	"invalid value",			/* SIP_EINVAL */
	"out of memory",			/* SIP_ENOMEM */
	"input/output error",			/* SIP_EIO */
	"database error",			/* SIP_EDB */
	"database busy",			/* SIP_EBUSY */
	"not found",				/* SIP_ENOTFOUND */
	"refused",				/* SIP_EDENIED */
	"invalid configuration",		/* SIP_ECONFIG */
	"invalid module",			/* SIP_EMODULE */
	"unusable clock",			/* SIP_ETIME */
};

const char *
sip_strerror(enum sip_rc rc)
{
	if ((unsigned)rc >= SIP_RC__MAX)
		return "unknown error";
	return rc_names[rc];
}

enum sip_rc
sip_errf(struct sip_err *err, enum sip_rc rc, const char *fmt, ...)
{
	va_list ap;
	char *nl;

	if (err == NULL)
		return rc;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* One line, always: a value quoted in a message must not add lines. */
	for (nl = err->msg; *nl != '\0'; nl++)
		if (*nl == '\n' || *nl == '\r')
			*nl = ' ';
	return rc;
}

char *
sip_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	if ((p = malloc(n)) != NULL)
		memcpy(p, s, n);
	return p;
}

int
sip_ct_equal(const char *a, const char *b, size_t n)
{
	unsigned char diff = 0;
	size_t i;

	for (i = 0; i < n; i++)
		diff |= (unsigned char)a[i] ^ (unsigned char)b[i];
	return diff == 0;
}

/* Append src to the string in dst of size sz, cutting if needed. */
void
sip_append(char *dst, size_t sz, const char *src)
{
	size_t n = strlen(dst);

	if (n + 1 < sz)
		snprintf(dst + n, sz - n, "%s", src);
}

