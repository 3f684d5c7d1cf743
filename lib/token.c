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
	size_t n;

	if (token == NULL)
		return SIP_EINVAL;
	n = strlen(token);
	if (n != SIP_TOKEN_STRLEN - 1 && n != SIP_TOKEN_OLD_LEN)
		return SIP_EINVAL;
	return sip_value_check(SIP_T_HEX, token);
}

int
sip_token_equal(const char *stored, const char *given)
{
	size_t n;

	if (stored == NULL || given == NULL)
		return 0;
	/* The two lengths a token may have are public; its digits are not. */
	n = strlen(stored);
	if (strlen(given) != n)
		return 0;
	return sip_ct_equal(stored, given, n);
}

void
sip_token_public(const char *token, char out[SIP_TOKEN_PUBLIC + 1])
{
	memcpy(out, token, SIP_TOKEN_PUBLIC);
	out[SIP_TOKEN_PUBLIC] = '\0';
}
