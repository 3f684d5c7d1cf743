/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the active list's whole check and binary search; a list accepted lists exactly the MACs on its lines, and the search agrees. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAC	"52:54:00:12:34:56"
#define REC		SIP_MAC_STRLEN

/* Whether FUZZ_MAC is on one of the n lines after the header. */
static int
on_a_line(const char *text, size_t n)
{
	size_t i;

	for (i = 1; i <= n; i++)
		if (memcmp(text + i * REC, FUZZ_MAC, REC - 1) == 0)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char hdr[] = "se3-ipxe active 2\n", trailer[] = "end\n";
	const size_t hlen = sizeof(hdr) - 1, tlen = sizeof(trailer) - 1;
	const char *text = (const char *)data;
	struct sip_err err;
	enum sip_rc rc, src;
	size_t n = 0, i;
	int listed, slisted;

	err.msg[0] = '\0';
	listed = -1;
	rc = sip_active_parse(text, size, FUZZ_MAC, &listed, &err);
	if (rc == SIP_OK) {
		/* Header, whole 18-byte lines, trailer. */
		if (size < hlen + tlen || (size - hlen - tlen) % REC != 0 ||
		    memcmp(text, hdr, hlen) != 0 ||
		    memcmp(text + size - tlen, trailer, tlen) != 0)
			abort();
		n = (size - hlen - tlen) / REC;
		/* Each line after the one before it: sorted, none twice. */
		for (i = 2; i <= n; i++)
			if (memcmp(text + (i - 1) * REC, text + i * REC,
			    REC - 1) >= 0 || text[i * REC - 1] != '\n')
				abort();
		if (listed != on_a_line(text, n))
			abort();
	} else if (rc != SIP_EINVAL || err.msg[0] == '\0' ||
	    strchr(err.msg, '\n') != NULL || listed != 0)
		abort();

	/* The search reads a few lines: on a whole list it says the same. */
	err.msg[0] = '\0';
	slisted = -1;
	src = sip_active_search(text, size, FUZZ_MAC, &slisted, &err);
	if (rc == SIP_OK && (src != SIP_OK || slisted != listed))
		abort();
	if (src == SIP_OK) {
		/* What it finds is on a line, whatever the rest holds. */
		if (size < hlen + tlen || (size - hlen - tlen) % REC != 0)
			abort();
		if (slisted && !on_a_line(text, (size - hlen - tlen) / REC))
			abort();
	} else if (src != SIP_EINVAL || err.msg[0] == '\0' ||
	    strchr(err.msg, '\n') != NULL || slisted != 0)
		abort();

	err.msg[0] = '\0';
	listed = -1;
	if (sip_active_parse(text, size, NULL, &listed, &err) != rc)
		abort();		/* the MAC asked does not change the verdict */
	if (rc == SIP_OK && listed != 0)
		abort();
	if (rc != SIP_OK && (err.msg[0] == '\0' || strchr(err.msg, '\n') !=
	    NULL))
		abort();
	return 0;
}
