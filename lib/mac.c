/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Parse the MAC address forms iPXE and SE3 write, and print the one canonical form. */
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

int
sip_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Three forms only: six pairs separated by ':' or by '-' (one separator
 * throughout), or twelve bare hex digits.  Anything else, including
 * single-digit groups and mixed separators, is refused: a MAC is a key.
 */
enum sip_rc
sip_mac_parse(const char *s, struct sip_mac *mac)
{
	size_t len, i, step;
	char sep = '\0';
	int hi, lo;

	if (s == NULL)
		return SIP_EINVAL;
	len = strlen(s);
	if (len == 17) {
		sep = s[2];
		if (sep != ':' && sep != '-')
			return SIP_EINVAL;
		step = 3;
	} else if (len == 12)
		step = 2;
	else
		return SIP_EINVAL;
	for (i = 0; i < 6; i++) {
		const char *p = s + i * step;

		if ((hi = sip_hexval(p[0])) < 0 || (lo = sip_hexval(p[1])) < 0)
			return SIP_EINVAL;
		if (sep != '\0' && i < 5 && p[2] != sep)
			return SIP_EINVAL;
		mac->b[i] = (uint8_t)(hi << 4 | lo);
	}
	return SIP_OK;
}

void
sip_mac_format(const struct sip_mac *mac, char out[SIP_MAC_STRLEN])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < 6; i++) {
		out[i * 3] = hex[mac->b[i] >> 4];
		out[i * 3 + 1] = hex[mac->b[i] & 0xf];
		out[i * 3 + 2] = i < 5 ? ':' : '\0';
	}
}
