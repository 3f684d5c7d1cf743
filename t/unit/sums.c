/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for the sums lists setup trusts once signed: SHA256SUMS and Release forms, one vector per rule. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

#define A64	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define B64	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define UP64	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

struct svec {
	const char	*text;
	const char	*name;
	enum sip_rc	 rc;
	const char	*hex;		/* expected, when SIP_OK */
	int64_t		 size;
	const char	*why;
};

static const struct svec svecs[] = {
	{ A64 "  kernel\n", "kernel", SIP_OK, A64, -1, "text mode" },
	{ A64 " *kernel\n", "kernel", SIP_OK, A64, -1, "binary mode (Ubuntu)" },
	{ A64 "  ./netboot/linux\n", "netboot/linux", SIP_OK, A64, -1,
	  "./ before the path (Debian's installer images)" },
	{ UP64 "  kernel\n", "kernel", SIP_OK, A64, -1, "upper-case digits" },
	{ A64 "  kernel", "kernel", SIP_OK, A64, -1, "no final newline" },
	{ A64 "  kernel\r\n", "kernel", SIP_OK, A64, -1, "CRLF" },
	{ B64 "  other\n" A64 "  kernel\n", "kernel", SIP_OK, A64, -1,
	  "the second line" },
	{ A64 "  kernel.old\n", "kernel", SIP_ENOTFOUND, NULL, -1,
	  "a longer name is another file" },
	{ A64 "  kernel\n", "kerne", SIP_ENOTFOUND, NULL, -1,
	  "a shorter name is another file" },
	{ A64 "  sub/kernel\n", "kernel", SIP_ENOTFOUND, NULL, -1,
	  "another directory" },
	{ A64 "   kernel\n", "kernel", SIP_ENOTFOUND, NULL, -1,
	  "a third space is part of the name" },
	{ A64 " kernel\n", "kernel", SIP_ENOTFOUND, NULL, -1,
	  "one space: not sha256sum's" },
	{ "aaaa  kernel\n", "kernel", SIP_ENOTFOUND, NULL, -1, "short digest" },
	{ A64 "a  kernel\n", "kernel", SIP_ENOTFOUND, NULL, -1,
	  "65 digits (another algorithm's)" },
	{ "g" A64 " kernel\n", "kernel", SIP_ENOTFOUND, NULL, -1, "not hex" },
	{ A64 "  kernel\n" A64 "  kernel\n", "kernel", SIP_OK, A64, -1,
	  "listed twice, the same" },
	{ A64 "  kernel\n" B64 "  kernel\n", "kernel", SIP_EINVAL, NULL, -1,
	  "listed twice, different" },
	{ "", "kernel", SIP_ENOTFOUND, NULL, -1, "empty" },
	{ "Origin: Debian\nSHA256:\n " A64 "    78509 main/i/SHA256SUMS\n",
	  "main/i/SHA256SUMS", SIP_OK, A64, 78509, "a Release's SHA256 field" },
	{ "SHA256:\n " B64 " 1 main/x\n " A64 " 12 main/i/SHA256SUMS\nAcquire-By-Hash: yes\n",
	  "main/i/SHA256SUMS", SIP_OK, A64, 12, "its second line" },
	{ "MD5Sum:\n aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 12 main/i/SHA256SUMS\n",
	  "main/i/SHA256SUMS", SIP_ENOTFOUND, NULL, -1, "MD5Sum: not read" },
	{ "SHA1:\n " A64 " 12 main/i/SHA256SUMS\n", "main/i/SHA256SUMS",
	  SIP_ENOTFOUND, NULL, -1, "another field's lines are not SHA256's" },
	{ "SHA256:\n " A64 " 12 main/x\nSHA512:\n " B64 " 12 main/i/S\n",
	  "main/i/S", SIP_ENOTFOUND, NULL, -1, "a field ends SHA256's" },
	{ "SHA256:\n " A64 " x main/i/S\n", "main/i/S", SIP_ENOTFOUND, NULL, -1,
	  "a size that is no number" },
	{ "SHA256:\n " A64 " 99999999999999999999999 main/i/S\n", "main/i/S",
	  SIP_ENOTFOUND, NULL, -1, "a size past int64" },
	{ "SHA256:\n " A64 " 12 main/i/S\n " B64 " 12 main/i/S\n", "main/i/S",
	  SIP_EINVAL, NULL, -1, "Release: twice, different" },
	{ " " A64 " 12 main/i/S\n", "main/i/S", SIP_ENOTFOUND, NULL, -1,
	  "an indented line out of a SHA256 field" },
};

int
main(void)
{
	char hex[SIP_SHA256_HEX + 1], with_nul[200];
	struct sip_err e;
	int64_t size;
	enum sip_rc rc;
	size_t i, n;

	for (i = 0; i < sizeof(svecs) / sizeof(svecs[0]); i++) {
		e.msg[0] = '\0';
		rc = sip_sums_find(svecs[i].text, strlen(svecs[i].text),
		    svecs[i].name, hex, &size, &e);
		is_int(rc, svecs[i].rc, "%s: rc", svecs[i].why);
		if (svecs[i].rc == SIP_OK) {
			is_str(hex, svecs[i].hex, "%s: sha256", svecs[i].why);
			is_int(size, svecs[i].size, "%s: size", svecs[i].why);
		} else
			ok(e.msg[0] != '\0' && strchr(e.msg, '\n') == NULL,
			    "%s: one line said (%s)", svecs[i].why, e.msg);
	}
	/* A NUL inside the text ends nothing: the length does. */
	n = (size_t)snprintf(with_nul, sizeof(with_nul), "x%c\n%s  kernel\n",
	    '\0', A64);
	is_int(sip_sums_find(with_nul, n, "kernel", hex, &size, &e), SIP_OK,
	    "a NUL on an earlier line");
	is_int(sip_sums_find(A64 "  kernel\n", 20, "kernel", hex, &size, &e),
	    SIP_ENOTFOUND, "the length bounds the text");
	return done_testing();
}
