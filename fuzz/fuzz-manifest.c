/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: an image's manifest, untrusted text from a worker; what parses is typed, what does not says why on one printable line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < ' ' || *s > '~')
			return 0;
	return 1;
}

static int
hex_lower(const char *s)
{
	if (strlen(s) != SIP_SHA256_HEX)
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

/* Input: the manifest text of image "img1". */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sip_manifest m;
	struct sip_err err;
	size_t i;

	if (size > SIP_MANIFEST_MAX + 16)
		return 0;
	err.msg[0] = '\0';
	if (sip_manifest_parse("img1", (const char *)data, size, &m, &err) !=
	    SIP_OK) {
		if (err.msg[0] == '\0' || !printable(err.msg))
			abort();
		return 0;
	}
	if (m.nparts > SIP_MANIFEST_PARTS || m.need_bytes < 1 ||
	    m.need_bytes > m.disk_bytes || strcmp(m.table, "img1.table") != 0 ||
	    !hex_lower(m.table_sha256) || (strcmp(m.label, "dos") != 0 &&
	    strcmp(m.label, "gpt") != 0) || sip_image_name_check(m.disk) != SIP_OK)
		abort();
	for (i = 0; i < m.nparts; i++) {
		const struct sip_manifest_part *p = &m.parts[i];

		if (p->number < 1 || p->number > 128 || p->bytes < 1 ||
		    p->bytes > m.disk_bytes)
			abort();
		if (strcmp(p->tool, "mkswap") != 0 && (strncmp(p->stored,
		    "img1.", 5) != 0 || strcmp(p->stored + 5, p->dev) != 0 ||
		    !hex_lower(p->sha256) || !hex_lower(p->raw_sha256)))
			abort();
	}
	return 0;
}
