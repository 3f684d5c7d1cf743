/* SPDX-License-Identifier: GPL-3.0-or-later */
/* IPv4 addresses and CIDR subnets read into numbers, for [network] subnets and Wake-on-LAN's directed broadcasts. */
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

enum sip_rc
sip_ipv4_parse(const char *s, uint32_t *out)
{
	uint32_t v = 0, part;
	const char *p;
	int i;

	/* The whitelist first: it refuses leading zeros, signs and spaces. */
	if (sip_value_check(SIP_T_IPV4, s) != SIP_OK)
		return SIP_EINVAL;
	for (p = s, i = 0; i < 4; i++, p++) {
		for (part = 0; *p >= '0' && *p <= '9'; p++)
			part = part * 10 + (uint32_t)(*p - '0');
		v = v << 8 | part;
	}
	*out = v;
	return SIP_OK;
}

enum sip_rc
sip_cidr_parse(const char *s, struct sip_subnet *out)
{
	char addr[16];
	const char *slash, *p;
	uint32_t a, mask;
	size_t n;
	int prefix = 0;

	if ((slash = strchr(s, '/')) == NULL || (n = (size_t)(slash - s)) >=
	    sizeof(addr))
		return SIP_EINVAL;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (sip_ipv4_parse(addr, &a) != SIP_OK)
		return SIP_EINVAL;
	p = slash + 1;
	if (*p == '\0' || strlen(p) > 2 || (p[0] == '0' && p[1] != '\0'))
		return SIP_EINVAL;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return SIP_EINVAL;
		prefix = prefix * 10 + (*p - '0');
	}
	if (prefix > 32)
		return SIP_EINVAL;
	/* A shift by 32 is undefined: /0 is spelt out. */
	mask = prefix == 0 ? 0 : UINT32_MAX << (32 - prefix);
	if ((a & ~mask) != 0)
		return SIP_EINVAL;
	out->addr = a;
	out->mask = mask;
	out->prefix = prefix;
	return SIP_OK;
}
