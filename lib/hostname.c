/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A machine's name from SE3's directory as the installed system's host name and Windows' computer name; the shape of the password hashes an installer takes. */
#include <ctype.h>
#include <string.h>

#include "se3ipxe.h"

enum sip_rc
sip_hostname_label(const char *in, char out[SIP_HOSTNAME_STRLEN])
{
	size_t n, i;

	out[0] = '\0';
	if (in == NULL || (n = strlen(in)) == 0 || n > SIP_HOSTNAME_STRLEN - 1)
		return SIP_EINVAL;
	/* RFC 1123 allows digits first; a hyphen at either end is no label. */
	if (in[0] == '-' || in[n - 1] == '-')
		return SIP_EINVAL;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (unsigned char)(ch - 'A' + 'a');
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ch == '-')) {
			out[0] = '\0';
			return SIP_EINVAL;
		}
		out[i] = (char)ch;
	}
	out[n] = '\0';
	return SIP_OK;
}

void
sip_computername(const char *hostname, const char *fallback,
    char out[SIP_COMPUTERNAME_STRLEN])
{
	char label[SIP_HOSTNAME_STRLEN];
	size_t n, i;
	int digits = 1;

	out[0] = '\0';
	if (sip_hostname_label(hostname, label) == SIP_OK) {
		/* NetBIOS names are 15 bytes: the rest is cut, then its hyphens. */
		n = strlen(label);
		if (n > SIP_COMPUTERNAME_STRLEN - 1)
			n = SIP_COMPUTERNAME_STRLEN - 1;
		while (n > 0 && label[n - 1] == '-')
			n--;
		for (i = 0; i < n; i++)
			if (!isdigit((unsigned char)label[i]))
				digits = 0;
		/* Windows refuses a computer name made of digits only. */
		if (n > 0 && !digits) {
			memcpy(out, label, n);
			out[n] = '\0';
			return;
		}
	}
	if (fallback != NULL && fallback != hostname)
		sip_computername(fallback, NULL, out);
}

#define B64	"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/* n (min..max) bytes of crypt's base-64 alphabet at s, up to the next '$' or the end. */
static const char *
b64_run(const char *s, size_t min, size_t max, int last)
{
	size_t n = strspn(s, B64);

	if (n < min || n > max)
		return NULL;
	if (last ? s[n] != '\0' : s[n] != '$')
		return NULL;
	return s + n + (last ? 0 : 1);
}

enum sip_rc
sip_crypt_shape_check(const char *s)
{
	const char *p;

	if (s == NULL || strlen(s) > 200)
		return SIP_EINVAL;
	if (strncmp(s, "$6$", 3) == 0 || strncmp(s, "$5$", 3) == 0) {
		/* SHA-crypt: a salt of 1..16, a hash of 86 (SHA-512) or 43. */
		if ((p = b64_run(s + 3, 1, 16, 0)) == NULL ||
		    b64_run(p, s[1] == '6' ? 86 : 43, s[1] == '6' ? 86 : 43,
		    1) == NULL)
			return SIP_EINVAL;
		return SIP_OK;
	}
	if (strncmp(s, "$y$", 3) == 0) {
		/* yescrypt: parameters, a salt, a hash of 43. */
		if ((p = b64_run(s + 3, 1, 32, 0)) == NULL ||
		    (p = b64_run(p, 1, 86, 0)) == NULL ||
		    b64_run(p, 43, 43, 1) == NULL)
			return SIP_EINVAL;
		return SIP_OK;
	}
	if (strncmp(s, "$2b$", 4) == 0) {
		/* bcrypt: a cost of two digits 04..31, salt and hash in 53. */
		if (!isdigit((unsigned char)s[4]) ||
		    !isdigit((unsigned char)s[5]) || s[6] != '$' ||
		    (s[4] - '0') * 10 + (s[5] - '0') < 4 ||
		    (s[4] - '0') * 10 + (s[5] - '0') > 31 ||
		    b64_run(s + 7, 53, 53, 1) == NULL)
			return SIP_EINVAL;
		return SIP_OK;
	}
	return SIP_EINVAL;
}
