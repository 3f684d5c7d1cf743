/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The typed whitelists every value passes before it may be written into a script or a file. */
#include <stdint.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_lowerhex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f');
}

static int
all_in(const char *s, size_t n, const char *set)
{
	return strspn(s, set) == n;
}

/* A decimal number in [lo, hi] made of exactly n digits (n >= 1). */
static int
number_in(const char *s, size_t n, long lo, long hi)
{
	long v = 0;
	size_t i;

	if (n == 0 || n > 5)
		return 0;
	for (i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	/* "007" is not a port and not an address byte. */
	if (n > 1 && s[0] == '0')
		return 0;
	return v >= lo && v <= hi;
}

static int
check_ipv4(const char *s, size_t n)
{
	size_t i, start = 0, parts = 0;

	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (!number_in(s + start, i - start, 0, 255))
			return 0;
		parts++;
		start = i + 1;
	}
	return parts == 4;
}

/* RFC 1123 host name: labels of [A-Za-z0-9-], not starting or ending with '-'. */
static int
check_hostname(const char *s, size_t n)
{
	size_t i, label = 0;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!is_alnum(s[i]) && s[i] != '-')
			return 0;
		if (s[i] == '-' && label == 0)
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0 && s[n - 1] != '-';
}

/* host[:port] */
static int
check_host(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t hn = colon ? (size_t)(colon - s) : n;

	if (colon != NULL && !number_in(colon + 1, n - hn - 1, 1, 65535))
		return 0;
	return check_ipv4(s, hn) || check_hostname(s, hn);
}

static int
check_url(const char *s, size_t n)
{
	static const char path_chars[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	    "._~/%+,=-";
	const char *host, *slash;
	size_t i, hn;

	if (n < 8 || strncmp(s, "http://", 7) != 0)
		return 0;
	host = s + 7;
	slash = memchr(host, '/', n - 7);
	hn = slash ? (size_t)(slash - host) : n - 7;
	if (!check_host(host, hn))
		return 0;
	if (slash == NULL)
		return 1;
	if (!all_in(slash, n - (size_t)(slash - s), path_chars))
		return 0;
	for (i = (size_t)(slash - s); i < n; i++)
		if (s[i] == '%' && (i + 2 >= n ||
		    !is_lowerhex((char)(s[i + 1] | 0x20)) ||
		    !is_lowerhex((char)(s[i + 2] | 0x20))))
			return 0;
	return 1;
}

static int
check_mac(const char *s, size_t n)
{
	struct sip_mac mac;
	char canon[SIP_MAC_STRLEN];

	if (n != SIP_MAC_STRLEN - 1 || sip_mac_parse(s, &mac) != SIP_OK)
		return 0;
	sip_mac_format(&mac, canon);
	return strcmp(canon, s) == 0;
}

/* iscsi:<server>:[protocol]:[port]:[lun]:<iqn...>, as iPXE's sanboot takes it. */
static int
check_iscsi(const char *s, size_t n)
{
	static const char chars[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	    ".:_-";
	size_t colons = 0, i;

	if (n < 7 || strncmp(s, "iscsi:", 6) != 0 || !all_in(s, n, chars))
		return 0;
	for (i = 0; i < n; i++)
		colons += s[i] == ':';
	return colons >= 5 && s[6] != ':' && s[n - 1] != ':';
}

/*
 * One line of printable UTF-8: no control, DEL or C1 byte, none of the
 * code points some parsers take for a line break (U+2028, U+2029) or
 * drop (U+FEFF), no blank at either end (parsers of every file kind trim
 * them, so the value read back would differ).
 */
static int
check_line(const char *v, size_t n)
{
	const unsigned char *p = (const unsigned char *)v;
	uint32_t cp;
	size_t k;

	if (v[0] == ' ' || v[n - 1] == ' ')
		return 0;
	while (*p != '\0') {
		if ((k = sip_utf8_decode(p, &cp)) == 0)
			return 0;
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 ||
		    cp == 0x2029 || cp == 0xfeff)
			return 0;
		p += k;
	}
	return 1;
}

enum sip_rc
sip_value_check(enum sip_type type, const char *v)
{
	static const char word_chars[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
	size_t n;
	int good;

	if (v == NULL)
		return SIP_EINVAL;
	n = strlen(v);
	if (type == SIP_T_LINE)
		return n > 0 && n <= SIP_VALUE_MAX && check_line(v, n) ?
		    SIP_OK : SIP_EINVAL;
	/* Whatever the other type: bounded, and only bytes iPXE takes literally. */
	if (n == 0 || n > SIP_VALUE_MAX || !all_in(v, n, SIP_SAFE_CHARS))
		return SIP_EINVAL;
	switch (type) {
	case SIP_T_WORD:
		good = n <= 64 && all_in(v, n, word_chars);
		break;
	case SIP_T_INT:
		good = n <= 18 && all_in(v, n, "0123456789");
		break;
	case SIP_T_BOOL:
		good = strcmp(v, "yes") == 0 || strcmp(v, "no") == 0;
		break;
	case SIP_T_MAC:
		good = check_mac(v, n);
		break;
	case SIP_T_HEX:
		good = n <= 128 && all_in(v, n, "0123456789abcdef");
		break;
	case SIP_T_URL:
		good = check_url(v, n);
		break;
	case SIP_T_HOST:
		good = check_host(v, n);
		break;
	case SIP_T_IPV4:
		good = check_ipv4(v, n);
		break;
	case SIP_T_ISCSI:
		good = check_iscsi(v, n);
		break;
	case SIP_T_TEXT:
		good = 1;
		break;
	case SIP_T_SECRET:
		/* Never in a script: sip_template_render_secret alone takes it. */
		good = 0;
		break;
	default:
		good = 0;
		break;
	}
	return good ? SIP_OK : SIP_EINVAL;
}
