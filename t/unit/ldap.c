/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Table vectors for what lib/ldap.c does without a server: RFC 4515 escaping, printable names, SE3's MAC spellings, the password file's mode. */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

static const struct {
	const char	*in;
	const char	*out;
} escapes[] = {
	{ "", "" },
	{ "pc-101", "pc-101" },
	{ "salle 12", "salle 12" },
	{ "*", "\\2a" },
	{ "a*)(cn=*", "a\\2a\\29\\28cn=\\2a" },	/* RFC 4515 section 4 */
	{ "(", "\\28" },
	{ ")", "\\29" },
	{ "\\", "\\5c" },
	{ "C:\\MyFile", "C:\\5cMyFile" },
	{ "*)(|(objectClass=*)", "\\2a\\29\\28|\\28objectClass=\\2a\\29" },
	{ "a\nb", "a\\0ab" },
	{ "${x}", "${x}" },			/* nothing special to LDAP */
	{ "\xc3\xa9t\xc3\xa9", "\\c3\\a9t\\c3\\a9" },
	{ "\x7f", "\\7f" },
};

static const struct {
	const char	*in;
	const char	*out;
} printables[] = {
	{ "pc-101", "pc-101" },
	{ "PC_12.lan", "PC_12.lan" },
	{ "a b", "a\\x20b" },
	{ "evil\nreboot", "evil\\x0areboot" },
	{ "${boot}", "\\x24\\x7bboot\\x7d" },
	{ "\x1b[31m", "\\x1b\\x5b31m" },
	{ "", "" },
};

static const struct {
	const char	*in;
	const char	*canon;		/* NULL: refused */
} macs[] = {
	{ "00:1B:21:0A:0B:0C", "00:1b:21:0a:0b:0c" },	/* format_mac */
	{ "00-1b-21-0a-0b-0c", "00:1b:21:0a:0b:0c" },	/* getmac, PXE files */
	{ "001B210A0B0C", "00:1b:21:0a:0b:0c" },	/* unattended */
	{ "0:1b:21:a:b:c", "00:1b:21:0a:0b:0c" },	/* before zero-padding */
	{ "0-1B-21-A-B-C", "00:1b:21:0a:0b:0c" },
	{ "001b.210a.0b0c", "00:1b:21:0a:0b:0c" },	/* Cisco */
	{ "0:1b:21:a:b", NULL },
	{ "0:1b-21:a:b:c", NULL },
	{ "000:1b:21:a:b:c", NULL },
	{ "0:1b:21:a:b:c:", NULL },
	{ "0:1b:21:a:b:c\n", NULL },
	{ "0::1b:21:a:b:c", NULL },
	{ "001b.210a.0b0", NULL },
	{ "001b:210a:0b0c", NULL },
	{ "00 1b 21 0a 0b 0c", NULL },
	{ "${net0/mac}", NULL },
	{ "", NULL },
};

static void
test_password(void)
{
	char dir[] = "/tmp/sip-ldap-XXXXXX", path[64], want[160], *pw;
	struct sip_err e;
	FILE *f;

	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp\n");
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/pw", dir);
	if ((f = fopen(path, "w")) == NULL) {
		printf("Bail out! %s\n", path);
		exit(1);
	}
	fputs("s3cret\nsecond line\n", f);
	fclose(f);
	chmod(path, 0600);
	is_int(sip_ldap_password_read(path, &pw, &e), SIP_OK,
	    "password: mode 0600 read");
	is_str(pw != NULL ? pw : "(null)", "s3cret", "password: first line");
	free(pw);
	chmod(path, 0640);
	is_int(sip_ldap_password_read(path, &pw, &e), SIP_ECONFIG,
	    "password: mode 0640 refused");
	snprintf(want, sizeof(want), "[ldap] bind_password_file %s: mode 0640 "
	    "lets group or others at it (chmod 600 it)", path);
	is_str(e.msg, want, "password: the refusal names the file");
	ok(pw == NULL, "password: none after a refusal");
	chmod(path, 0604);
	is_int(sip_ldap_password_read(path, &pw, &e), SIP_ECONFIG,
	    "password: mode 0604 refused");
	unlink(path);
	is_int(sip_ldap_password_read(path, &pw, &e), SIP_EIO,
	    "password: a missing file is an error");
	rmdir(dir);
}

int
main(void)
{
	struct sip_mac m;
	char buf[256], canon[SIP_MAC_STRLEN];
	size_t i, n;

	for (i = 0; i < SIP_ARRAY_SIZE(escapes); i++) {
		n = sip_ldap_escape(escapes[i].in, buf, sizeof(buf));
		is_str(buf, escapes[i].out, "escape vector %zu", i);
		is_int(n, strlen(escapes[i].out), "escape vector %zu: length",
		    i);
	}
	/* Cut short, still terminated, and the length it needs returned. */
	n = sip_ldap_escape("((((", buf, 7);
	is_str(buf, "\\28\\28", "escape: cut at a whole escape");
	is_int(n, 12, "escape: the length needed");

	for (i = 0; i < SIP_ARRAY_SIZE(printables); i++) {
		sip_ldap_printable(printables[i].in, strlen(printables[i].in),
		    buf, sizeof(buf));
		is_str(buf, printables[i].out, "printable vector %zu", i);
	}
	/* 10 kB of a name: cut, marked, and nothing past the buffer. */
	{
		static char big[10240];

		memset(big, 'x', sizeof(big) - 1);
		sip_ldap_printable(big, sizeof(big) - 1, buf, 32);
		ok(strlen(buf) < 32 && strcmp(buf + strlen(buf) - 3, "...") ==
		    0, "printable: 10 kB cut to the buffer, marked");
	}

	for (i = 0; i < SIP_ARRAY_SIZE(macs); i++) {
		if (macs[i].canon == NULL) {
			is_int(sip_mac_parse_any(macs[i].in, &m), SIP_EINVAL,
			    "mac vector %zu: refused", i);
			continue;
		}
		is_int(sip_mac_parse_any(macs[i].in, &m), SIP_OK,
		    "mac vector %zu: read", i);
		sip_mac_format(&m, canon);
		is_str(canon, macs[i].canon, "mac vector %zu: canonical", i);
	}
	test_password();
	return done_testing();
}
