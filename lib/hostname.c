/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A machine's name from SE3's directory as the installed system's host name, and as Windows' NetBIOS computer name. */
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
