/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Action tokens: unguessable random strings a client must present to report. */
#include <sys/random.h>

#include <errno.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

enum sip_rc
sip_token_new(char out[SIP_TOKEN_STRLEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[SIP_TOKEN_BYTES];
	size_t got = 0, i;
	ssize_t n;

	out[0] = '\0';
	/*
	 * Flags 0: block until the kernel pool is seeded rather than hand out
	 * a guessable token early in boot.  A signal may interrupt the wait.
	 */
	while (got < sizeof(b)) {
		n = getrandom(b + got, sizeof(b) - got, 0);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			explicit_bzero(b, sizeof(b));
			return SIP_EIO;
		}
		got += (size_t)n;
	}
	for (i = 0; i < sizeof(b); i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 0x0f];
	}
	out[2 * sizeof(b)] = '\0';
	explicit_bzero(b, sizeof(b));
	return SIP_OK;
}

enum sip_rc
sip_token_check(const char *token)
{
	if (token == NULL || strlen(token) != SIP_TOKEN_STRLEN - 1 ||
	    sip_value_check(SIP_T_HEX, token) != SIP_OK)
		return SIP_EINVAL;
	return SIP_OK;
}
