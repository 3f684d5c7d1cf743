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

/*
 * Groups of one or two hex digits after one separator, ':' or '-'
 * throughout (the strict forms are this with two digits), or three
 * groups of four after '.', or what sip_mac_parse takes.
 */
enum sip_rc
sip_mac_parse_any(const char *s, struct sip_mac *mac)
{
	struct sip_mac m;
	const char *p;
	char sep;
	int i, d, v, n;

	if (s == NULL)
		return SIP_EINVAL;
	if (sip_mac_parse(s, mac) == SIP_OK)
		return SIP_OK;
	if (strlen(s) == 14 && s[4] == '.' && s[9] == '.') {
		for (i = 0, p = s; i < 6; i++) {
			if (i == 2 || i == 4)
				p++;	/* the dot */
			if ((d = sip_hexval(p[0])) < 0 ||
			    (v = sip_hexval(p[1])) < 0)
				return SIP_EINVAL;
			m.b[i] = (uint8_t)(d << 4 | v);
			p += 2;
		}
		*mac = m;
		return SIP_OK;
	}
	sep = s[strspn(s, "0123456789abcdefABCDEF")];
	if (sep != ':' && sep != '-')
		return SIP_EINVAL;
	for (i = 0, p = s; i < 6; i++) {
		for (v = 0, n = 0; n < 3 && (d = sip_hexval(*p)) >= 0; n++, p++)
			v = v << 4 | d;
		if (n < 1 || n > 2)
			return SIP_EINVAL;
		m.b[i] = (uint8_t)v;
		if (i < 5 && *p++ != sep)
			return SIP_EINVAL;
	}
	if (*p != '\0')
		return SIP_EINVAL;
	*mac = m;
	return SIP_OK;
}
