/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the query-string decoder, with the boot fields' validators applied to what it yields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_kv *kv;
	struct sip_err err;
	struct sip_mac mac;
	char *q, canon[SIP_MAC_STRLEN];
	size_t n, i;
	int t;

	if ((q = malloc(size + 1)) == NULL)
		return 0;
	memcpy(q, data, size);
	q[size] = '\0';
	if (sip_query_parse(q, &kv, &n, &err) == SIP_OK) {
		for (i = 0; i < n; i++) {
			if (sip_mac_parse(kv[i].value, &mac) == SIP_OK)
				sip_mac_format(&mac, canon);
			for (t = 0; t < SIP_T__MAX; t++)
				if (sip_value_check((enum sip_type)t, kv[i].value) == SIP_OK &&
				    strspn(kv[i].value, SIP_SAFE_CHARS) != strlen(kv[i].value))
					abort();	/* a whitelist let an unsafe byte through */
		}
		sip_kv_free(kv, n);
	} else if (err.msg[0] == '\0' || strchr(err.msg, '\n') != NULL)
		abort();
	free(q);
	return 0;
}
