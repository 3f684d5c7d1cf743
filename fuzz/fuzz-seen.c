/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the seen journal's line parser; what it accepts must be clean, one-field-per-TAB and typed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	 check_field(const char *, const char *, const char *);

/* NULL, or a non-empty run of printable ASCII inside the line. */
static void
check_field(const char *f, const char *line, const char *end)
{
	const unsigned char *p;

	if (f == NULL)
		return;
	if (f < line || f >= end || *f == '\0')
		abort();
	for (p = (const unsigned char *)f; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e || *p == '\t' || *p == '\n')
			abort();
	if ((const char *)p > end)
		abort();		/* ran past the line */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_request req;
	struct sip_err err;
	char *q, *p, *end, *nl;
	int64_t at;

	if ((q = malloc(size + 1)) == NULL)
		return 0;
	memcpy(q, data, size);
	q[size] = '\0';
	end = q + size;
	for (p = q; p <= end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		*nl = '\0';
		err.msg[0] = '\0';
		if (sip_seen_parse(p, (size_t)(nl - p), &req, &at, &err) ==
		    SIP_OK) {
			if (strlen(req.mac) != SIP_MAC_STRLEN - 1 ||
			    sip_value_check(SIP_T_MAC, req.mac) != SIP_OK)
				abort();
			check_field(req.platform, p, nl);
			check_field(req.buildarch, p, nl);
			check_field(req.uuid, p, nl);
			check_field(req.serial, p, nl);
			check_field(req.manufacturer, p, nl);
			check_field(req.product, p, nl);
			check_field(req.ip, p, nl);
			if ((req.platform != NULL && sip_value_check(SIP_T_WORD,
			    req.platform) != SIP_OK) || (req.ip != NULL &&
			    sip_value_check(SIP_T_IPV4, req.ip) != SIP_OK))
				abort();
			if (at < 0 || at > INT64_C(999999999999999999) ||
			    req.host != NULL || req.script_name != NULL)
				abort();
		} else if (err.msg[0] == '\0' || strchr(err.msg, '\n') != NULL)
			abort();
		if (nl == end)
			break;
	}
	free(q);
	return 0;
}
