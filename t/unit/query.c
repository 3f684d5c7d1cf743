/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Table vectors for the query-string decoder ipxe.cgi uses on every request. */
#include "se3ipxe.h"
#include "tap.h"

static const struct {
	const char	*in;
	enum sip_rc	 rc;
	size_t		 n;
	const char	*key, *value;	/* one pair to look up */
} vectors[] = {
	{ "mac=52:54:00:12:34:56", SIP_OK, 1, "mac", "52:54:00:12:34:56" },
	{ "mac=52%3A54%3A00%3A12%3A34%3A56", SIP_OK, 1, "mac", "52:54:00:12:34:56" },
	{ "mac=a&platform=efi", SIP_OK, 2, "platform", "efi" },
	{ "product=Standard+PC+(i440FX+%2B+PIIX,+1996)", SIP_OK, 1, "product",
	    "Standard+PC+(i440FX+++PIIX,+1996)" },
	{ "product=Standard%20PC", SIP_OK, 1, "product", "Standard PC" },
	{ "", SIP_OK, 0, "mac", NULL },
	{ "&&&", SIP_OK, 0, "mac", NULL },
	{ "mac", SIP_OK, 1, "mac", "" },
	{ "mac=", SIP_OK, 1, "mac", "" },
	{ "a=1&&b=2", SIP_OK, 2, "b", "2" },
	{ "msg=a=b", SIP_OK, 1, "msg", "a=b" },
	{ "mac=%", SIP_EINVAL, 0, NULL, NULL },
	{ "mac=%4", SIP_EINVAL, 0, NULL, NULL },
	{ "mac=%zz", SIP_EINVAL, 0, NULL, NULL },
	{ "mac=%00", SIP_EINVAL, 0, NULL, NULL },
	{ "mac=a%00b", SIP_EINVAL, 0, NULL, NULL },
	{ "mac=1&mac=2", SIP_EINVAL, 0, NULL, NULL },
	{ "MAC=1", SIP_EINVAL, 0, NULL, NULL },
	{ "=1", SIP_EINVAL, 0, NULL, NULL },
	{ "m-c=1", SIP_EINVAL, 0, NULL, NULL },
	{ "%6dac=1", SIP_OK, 1, "mac", "1" },
	{ "%00=1", SIP_EINVAL, 0, NULL, NULL },
	{ "abcdefghijabcdefghijabcdefghijabc=1", SIP_EINVAL, 0, NULL, NULL },
	{ "msg=%0a", SIP_OK, 1, "msg", "\n" },	/* decoded; fields judge it */
};

int
main(void)
{
	struct sip_kv *kv;
	struct sip_err err;
	char big[8192];
	size_t i, n;
	enum sip_rc rc;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		err.msg[0] = '\0';
		rc = sip_query_parse(vectors[i].in, &kv, &n, &err);
		is_int(rc, vectors[i].rc, "'%s' -> %s", vectors[i].in,
		    sip_strerror(vectors[i].rc));
		if (rc != SIP_OK) {
			ok(err.msg[0] != '\0' && strchr(err.msg, '\n') == NULL,
			    "one-line message: %s", err.msg);
			continue;
		}
		is_int(n, vectors[i].n, "'%s' has %zu pairs", vectors[i].in,
		    vectors[i].n);
		is_str(sip_kv_get(kv, n, vectors[i].key), vectors[i].value,
		    "'%s': %s", vectors[i].in, vectors[i].key);
		sip_kv_free(kv, n);
	}

	/* 33 parameters: one too many. */
	big[0] = '\0';
	for (i = 0; i < 33; i++)
		snprintf(big + strlen(big), sizeof(big) - strlen(big), "k%zu=1&", i);
	is_int(sip_query_parse(big, &kv, &n, &err), SIP_EINVAL, "33 parameters refused");
	/* 1025-byte value: too long. */
	memcpy(big, "msg=", 4);
	memset(big + 4, 'a', 1025);
	big[4 + 1025] = '\0';
	is_int(sip_query_parse(big, &kv, &n, &err), SIP_EINVAL, "1025-byte value refused");
	big[4 + 1024] = '\0';
	is_int(sip_query_parse(big, &kv, &n, &err), SIP_OK, "1024-byte value accepted");
	sip_kv_free(kv, n);
	return done_testing();
}
