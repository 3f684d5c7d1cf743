/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: images.cgi's request, its PATH_INFO name and its query; what parses holds only whitelisted values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
hex_lower(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

/* The message is logged: printable ASCII only. */
static int
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < ' ' || *s > '~')
			return 0;
	return 1;
}

/* Input: NAME, a NUL byte, then the query string. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_image_query q;
	struct sip_err err;
	const char *nul;
	char *name, *qs;
	size_t nlen;

	if (size > 4096)
		return 0;
	nul = memchr(data, '\0', size);
	nlen = nul != NULL ? (size_t)(nul - (const char *)data) : size;
	if ((name = malloc(nlen + 1)) == NULL)
		return 0;
	memcpy(name, data, nlen);
	name[nlen] = '\0';
	qs = malloc(size - nlen + 1);
	if (qs == NULL) {
		free(name);
		return 0;
	}
	if (nul != NULL)
		memcpy(qs, nul + 1, size - nlen - 1);
	qs[nul != NULL ? size - nlen - 1 : 0] = '\0';

	if (sip_image_name_check(name) == SIP_OK &&
	    (name[0] == '.' || strchr(name, '/') != NULL ||
	    strstr(name, "..") != NULL || strlen(name) >= SIP_IMAGE_NAME_MAX))
		abort();
	err.msg[0] = '\0';
	if (sip_image_query_parse(qs, &q, &err) == SIP_OK) {
		if (q.size < -1)
			abort();
		if (q.sha256[0] != '\0' && (strlen(q.sha256) != 64 ||
		    !hex_lower(q.sha256)))
			abort();
		if (q.part[0] != '\0' && sip_image_name_check(q.part) != SIP_OK)
			abort();
		if (q.tool[0] != '\0' && sip_image_name_check(q.tool) != SIP_OK)
			abort();
		if (q.token[0] != '\0' && !hex_lower(q.token))
			abort();
	} else if (err.msg[0] == '\0' || !printable(err.msg))
		abort();
	free(qs);
	free(name);
	return 0;
}
