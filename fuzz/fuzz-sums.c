/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the sums list parser; a digest it returns is 64 lower-case hex digits, a failure one line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "kernel", "netboot/linux",
	    "main/installer-amd64/current/images/SHA256SUMS" };
	char hex[SIP_SHA256_HEX + 1];
	struct sip_err err;
	int64_t sz;
	size_t i;
	enum sip_rc rc;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		err.msg[0] = '\0';
		rc = sip_sums_find((const char *)data, size, names[i], hex, &sz,
		    &err);
		if (rc != SIP_OK) {
			if ((rc != SIP_ENOTFOUND && rc != SIP_EINVAL) ||
			    err.msg[0] == '\0' || strchr(err.msg, '\n') != NULL)
				abort();
			continue;
		}
		if (strlen(hex) != SIP_SHA256_HEX ||
		    strspn(hex, "0123456789abcdef") != SIP_SHA256_HEX ||
		    sz < -1)
			abort();
	}
	return 0;
}
