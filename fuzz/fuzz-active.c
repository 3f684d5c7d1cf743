/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the active list parser; a list it accepts lists exactly the MACs on its lines. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAC	"52:54:00:12:34:56"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char hdr[] = "se3-ipxe active 1\n", trailer[] = "end\n";
	const char *text = (const char *)data;
	struct sip_err err;
	enum sip_rc rc;
	int listed;

	err.msg[0] = '\0';
	listed = -1;
	rc = sip_active_parse(text, size, FUZZ_MAC, &listed, &err);
	if (rc == SIP_OK) {
		/* Header, whole 18-byte lines, trailer. */
		if (size < sizeof(hdr) - 1 + sizeof(trailer) - 1 ||
		    (size - (sizeof(hdr) - 1) - (sizeof(trailer) - 1)) %
		    SIP_MAC_STRLEN != 0 ||
		    memcmp(text + size - (sizeof(trailer) - 1), trailer,
		    sizeof(trailer) - 1) != 0)
			abort();
		/* Every line ends with a LF: "\nMAC\n" is found on a line only. */
		if (listed != (memmem(text, size, "\n" FUZZ_MAC "\n",
		    sizeof(FUZZ_MAC) + 1) != NULL))
			abort();
	} else if (rc != SIP_EINVAL || err.msg[0] == '\0' ||
	    strchr(err.msg, '\n') != NULL)
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
