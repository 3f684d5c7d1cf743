/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Table vectors for the host name label a machine's directory name must be, and Windows' computer name made from it. */
#include <stdio.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"
#include "hostile.h"

static const struct {
	const char	*in;
	const char	*label;		/* NULL: must be refused */
} labels[] = {
	{ "pc-0004", "pc-0004" },
	{ "PC-0004", "pc-0004" },
	{ "Salle12-Poste3", "salle12-poste3" },
	{ "a", "a" },
	{ "0", "0" },
	{ "42", "42" },
	{ "3com", "3com" },
	{ "a-b--c", "a-b--c" },
	{ "xn--bcher-kva", "xn--bcher-kva" },
	/* 63 bytes, the most a label has */
	{ "abcdefghij0123456789abcdefghij0123456789abcdefghij0123456789abc",
	  "abcdefghij0123456789abcdefghij0123456789abcdefghij0123456789abc" },
	{ "abcdefghij0123456789abcdefghij0123456789abcdefghij0123456789abcd", NULL },
	{ "", NULL },
	{ "-pc", NULL },
	{ "pc-", NULL },
	{ "-", NULL },
	{ "pc.salle", NULL },		/* a name, not a label */
	{ "pc_0004", NULL },
	{ "pc 0004", NULL },
	{ "pc-0004$", NULL },		/* the Samba account's uid */
	{ "pc\\x0a", NULL },		/* sip_ldap_printable's escape */
	{ "\xc3\xa9t\xc3\xa9", NULL },
	{ "pc\xc4\xb1", NULL },		/* dotless i: no case folding to 'i' */
	{ "\xef\xbc\xa1", NULL },		/* fullwidth A */
};

static const struct {
	const char	*host, *fallback;
	const char	*name;
} computernames[] = {
	{ "pc-0004", NULL, "pc-0004" },
	{ "PC-0004", NULL, "pc-0004" },
	{ "pc-020000000004", NULL, "pc-020000000004" },	/* 15 */
	{ "salle-informatique-3", NULL, "salle-informati" },
	{ "salle-techno-----3", NULL, "salle-techno" },	/* cut, then no trailing '-' */
	{ "1234567890123456789", "pc-020000000004", "pc-020000000004" },
	{ "123", "pc-020000000004", "pc-020000000004" },
	{ "123", NULL, "" },
	{ "bad name", "pc-020000000004", "pc-020000000004" },
	{ NULL, "pc-020000000004", "pc-020000000004" },
	{ "", NULL, "" },
	{ "123456789012345a", NULL, "" },		/* digits once cut to 15 */
};

int
main(void)
{
	char out[SIP_HOSTNAME_STRLEN], cn[SIP_COMPUTERNAME_STRLEN], v[512];
	size_t i, j, nhostile = 0, passed = 0;
	enum sip_rc rc;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		memset(out, 'x', sizeof(out));
		rc = sip_hostname_label(labels[i].in, out);
		if (labels[i].label == NULL) {
			is_int(rc, SIP_EINVAL, "label: refuse '%s'", labels[i].in);
			is_str(out, "", "label: nothing kept of '%s'", labels[i].in);
			continue;
		}
		is_int(rc, SIP_OK, "label: accept '%s'", labels[i].in);
		is_str(out, labels[i].label, "label: '%s' as '%s'", labels[i].in,
		    labels[i].label);
	}
	is_int(sip_hostname_label(NULL, out), SIP_EINVAL, "label: refuse NULL");

	/* Every hostile value, in every wrapper, is no label. */
	for (i = 0; i < sizeof(hostile_cores) / sizeof(hostile_cores[0]); i++)
		for (j = 0; j < sizeof(hostile_wrappers) / sizeof(hostile_wrappers[0]); j++) {
			snprintf(v, sizeof(v), "%s%s%s", hostile_wrappers[j][0],
			    hostile_cores[i], hostile_wrappers[j][1]);
			nhostile++;
			if (sip_hostname_label(v, out) == SIP_OK || out[0] != '\0')
				passed++;
		}
	is_int(passed, 0, "label: none of the %zu hostile values passes", nhostile);

	for (i = 0; i < sizeof(computernames) / sizeof(computernames[0]); i++) {
		memset(cn, 'x', sizeof(cn));
		sip_computername(computernames[i].host, computernames[i].fallback, cn);
		is_str(cn, computernames[i].name, "computername of '%s' (fallback %s)",
		    computernames[i].host != NULL ? computernames[i].host : "(null)",
		    computernames[i].fallback != NULL ? computernames[i].fallback : "none");
		ok(strlen(cn) <= 15, "computername of '%s': at most 15 bytes",
		    computernames[i].host != NULL ? computernames[i].host : "(null)");
	}
	return done_testing();
}
