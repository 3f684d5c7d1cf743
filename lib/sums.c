/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sums lists: the SHA-256 that a SHA256SUMS file or a Debian Release file gives one file, found by its path, for setup to trust once the list's signature is verified. */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

/* 64 hexadecimal digits at s (of n bytes), lower-cased into hex. */
static int
hex64(const char *s, size_t n, char hex[SIP_SHA256_HEX + 1])
{
	size_t i;
	char c;

	if (n < SIP_SHA256_HEX)
		return 0;
	for (i = 0; i < SIP_SHA256_HEX; i++) {
		c = s[i];
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		else if ((c < '0' || c > '9') && (c < 'a' || c > 'f'))
			return 0;
		hex[i] = c;
	}
	hex[SIP_SHA256_HEX] = '\0';
	return 1;
}

/* Does the entry's path (n bytes at s) name name?  "./" before it is not part of it. */
static int
same_path(const char *s, size_t n, const char *name)
{
	if (n >= 2 && s[0] == '.' && s[1] == '/') {
		s += 2;
		n -= 2;
	}
	return n == strlen(name) && n > 0 && memcmp(s, name, n) == 0;
}

enum sip_rc
sip_sums_find(const char *text, size_t len, const char *name,
    char hex[SIP_SHA256_HEX + 1], int64_t *size, struct sip_err *err)
{
	char cand[SIP_SHA256_HEX + 1];
	const char *line, *end, *nl, *p;
	int64_t csize, found_size = -1;
	int release_sha256 = 0, found = 0;
	size_t n;

	hex[0] = '\0';
	*size = -1;
	for (line = text, end = text + len; line < end;
	    line = nl < end ? nl + 1 : end) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		n = (size_t)(nl - line);
		if (n > 0 && line[n - 1] == '\r')
			n--;
		csize = -1;
		if (n == 7 && memcmp(line, "SHA256:", 7) == 0) {
			/* Release: " HEX SIZE PATH" lines follow. */
			release_sha256 = 1;
			continue;
		}
		if (n > 0 && line[0] == ' ' && release_sha256) {
			for (p = line; p < line + n && *p == ' '; p++)
				continue;
			if (!hex64(p, (size_t)(line + n - p), cand) ||
			    p + SIP_SHA256_HEX >= line + n ||
			    p[SIP_SHA256_HEX] != ' ')
				continue;
			for (p += SIP_SHA256_HEX; p < line + n && *p == ' '; p++)
				continue;
			for (csize = 0; p < line + n && *p >= '0' && *p <= '9';
			    p++) {
				if (csize > (INT64_MAX - 9) / 10)
					break;
				csize = csize * 10 + (*p - '0');
			}
			if (p >= line + n || *p != ' ')
				continue;
			while (p < line + n && *p == ' ')
				p++;
		} else {
			if (n > 0 && line[0] != ' ')
				release_sha256 = 0;
			/* sha256sum: "HEX  PATH" or "HEX *PATH" (binary). */
			if (!hex64(line, n, cand) || n < SIP_SHA256_HEX + 3 ||
			    line[SIP_SHA256_HEX] != ' ' ||
			    (line[SIP_SHA256_HEX + 1] != ' ' &&
			    line[SIP_SHA256_HEX + 1] != '*'))
				continue;
			p = line + SIP_SHA256_HEX + 2;
		}
		if (!same_path(p, (size_t)(line + n - p), name))
			continue;
		if (found && (strcmp(cand, hex) != 0 || (csize != -1 &&
		    found_size != -1 && csize != found_size)))
			return sip_errf(err, SIP_EINVAL, "%s is listed twice, "
			    "with different sums", name);
		if (!found)
			memcpy(hex, cand, sizeof(cand));
		if (csize != -1)
			found_size = csize;
		found = 1;
	}
	if (!found)
		return sip_errf(err, SIP_ENOTFOUND, "%s is not in the list",
		    name);
	*size = found_size;
	return SIP_OK;
}
