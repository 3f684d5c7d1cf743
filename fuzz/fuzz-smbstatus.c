/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the smbstatus -b parser; every session it returns has a safe login and an empty or valid IPv4 address. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_session *s = NULL;
	struct sip_err err;
	uint32_t ip;
	size_t n = 0, i, j;

	if (sip_smbstatus_parse((const char *)data, size, &s, &n, &err) !=
	    SIP_OK) {
		if (s != NULL || n != 0 || strchr(err.msg, '\n') != NULL)
			abort();
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (memchr(s[i].login, '\0', sizeof(s[i].login)) == NULL ||
		    memchr(s[i].ip, '\0', sizeof(s[i].ip)) == NULL)
			abort();
		if (s[i].login[0] == '\0')
			abort();
		for (j = 0; s[i].login[j] != '\0'; j++)
			if ((unsigned char)s[i].login[j] <= ' ' ||
			    (unsigned char)s[i].login[j] >= 0x7f ||
			    strchr("'\"`;&|<>{}", s[i].login[j]) != NULL)
				abort();
		if (s[i].ip[0] != '\0' && sip_ipv4_parse(s[i].ip, &ip) != SIP_OK)
			abort();
	}
	sip_sessions_free(s);
	return 0;
}
