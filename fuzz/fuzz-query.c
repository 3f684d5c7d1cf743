/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the query-string decoder, and every endpoint's typed fields read from the same input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
one_line(const char *msg)
{
	return msg[0] != '\0' && strchr(msg, '\n') == NULL;
}

/* What an endpoint's fields let through is what their checks promise. */
static void
read_endpoint(enum sip_endpoint ep, const char *q)
{
	struct sip_query sq;
	struct sip_err err;
	struct sip_mac mac;
	char canon[SIP_MAC_STRLEN];
	const char *smbios[4];
	size_t i;

	err.msg[0] = '\0';
	if (sip_query_read(ep, q, &sq, &err) != SIP_OK) {
		if (!one_line(err.msg))
			abort();
		sip_query_free(&sq);
		return;
	}
	if (ep == SIP_EP_BOOT) {
		if (sip_mac_parse(sq.req.mac, &mac) != SIP_OK)
			abort();
		sip_mac_format(&mac, canon);
		if (strcmp(canon, sq.req.mac) != 0)
			abort();
	} else if (sq.req.mac[0] != '\0')
		abort();
	if ((sq.req.platform != NULL && sip_value_check(SIP_T_WORD, sq.req.platform) != SIP_OK) ||
	    (sq.req.buildarch != NULL && sip_value_check(SIP_T_WORD, sq.req.buildarch) != SIP_OK) ||
	    (sq.req.ip != NULL && sip_value_check(SIP_T_IPV4, sq.req.ip) != SIP_OK))
		abort();
	smbios[0] = sq.req.uuid;
	smbios[1] = sq.req.serial;
	smbios[2] = sq.req.manufacturer;
	smbios[3] = sq.req.product;
	for (i = 0; i < 4; i++)
		if (smbios[i] != NULL && sip_smbios_check(smbios[i]) != SIP_OK)
			abort();
	/* Only a report and a file take a token; only status a parc. */
	if ((ep == SIP_EP_BOOT || ep == SIP_EP_STATUS) != (sq.token == NULL) ||
	    (sq.parc != NULL && (ep != SIP_EP_STATUS ||
	    sip_value_check(SIP_T_WORD, sq.parc) != SIP_OK)) ||
	    (sq.token != NULL && sip_token_check(sq.token) != SIP_OK) ||
	    (sq.msg != NULL && sip_report_msg_check(sq.msg, &err) != SIP_OK) ||
	    sq.progress < -1 || sq.progress > 100)
		abort();
	if (sq.ndropped > SIP_QUERY_DROPPED_MAX)
		abort();
	for (i = 0; i < sq.ndropped; i++)
		if (!one_line(sq.dropped[i].msg))
			abort();
	sip_query_free(&sq);
}

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
			/* A line's safety is its template kind's, not its type's. */
			for (t = 0; t < SIP_T__MAX; t++)
				if (t != SIP_T_LINE && sip_value_check((enum sip_type)t, kv[i].value) == SIP_OK &&
				    strspn(kv[i].value, SIP_SAFE_CHARS) != strlen(kv[i].value))
					abort();	/* a whitelist let an unsafe byte through */
		}
		sip_kv_free(kv, n);
	} else if (err.msg[0] == '\0' || strchr(err.msg, '\n') != NULL)
		abort();
	for (t = 0; t < SIP_EP__MAX; t++)
		read_endpoint((enum sip_endpoint)t, q);
	free(q);
	return 0;
}
