/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Table vectors for TARGET resolution without LDAP: MAC spellings, duplicates, the first bad one named. */
#include <stdio.h>
#include <string.h>

#include "se3ipxe.h"
#include "tap.h"

#define MAXARGS	4

static const struct {
	const char	*args[MAXARGS];	/* up to the first NULL */
	const char	*want;		/* the MACs, space-separated; NULL: refused */
	const char	*msg;		/* what the refusal says */
} vectors[] = {
	{ { NULL }, "", NULL },
	{ { "52:54:00:12:34:56" }, "52:54:00:12:34:56", NULL },
	{ { "52-54-00-AB-CD-EF" }, "52:54:00:ab:cd:ef", NULL },
	{ { "525400ABCDEF" }, "52:54:00:ab:cd:ef", NULL },
	{ { "52:54:00:00:00:02", "52:54:00:00:00:01" },
	    "52:54:00:00:00:02 52:54:00:00:00:01", NULL },	/* order kept */
	{ { "52:54:00:00:00:01", "52-54-00-00-00-01", "525400000001" },
	    "52:54:00:00:00:01", NULL },			/* one machine */
	{ { "52:54:00:00:00:01", "52:54:00:00:00:02", "52:54:00:00:00:01" },
	    "52:54:00:00:00:01 52:54:00:00:00:02", NULL },
	{ { "zz:zz" }, NULL, "'zz:zz': not a MAC address" },
	{ { "52:54:00:00:00:01", "pc-101" }, NULL, "'pc-101': not a MAC address" },
	{ { "", "52:54:00:00:00:01" }, NULL, "'': not a MAC address" },
	{ { "parc:salle1" }, NULL, "'parc:salle1': not a MAC address" },
	{ { "10.0.0.1" }, NULL, "'10.0.0.1': not a MAC address" },
	{ { "52:54:00:00:00:0g", "also-bad" }, NULL,
	    "'52:54:00:00:00:0g': not a MAC address" },		/* the first */
	/* SE3's looser spellings are for LDAP values, not for the command line. */
	{ { "5254.0000.0001" }, NULL, "'5254.0000.0001': not a MAC address" },
};

int
main(void)
{
	struct sip_targets t;
	struct sip_err e;
	char got[256];
	size_t i, j, n;
	enum sip_rc rc;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		for (n = 0; n < MAXARGS && vectors[i].args[n] != NULL; n++)
			;
		e.msg[0] = '\0';
		/* No configuration: MACs only, and nothing to connect to. */
		rc = sip_targets_resolve(NULL, NULL, vectors[i].args, n, &t,
		    &e);
		if (vectors[i].want == NULL) {
			is_int(rc, SIP_EINVAL, "vector %zu: refused", i);
			snprintf(got, sizeof(got), "%s (and no [ldap] uri to "
			    "look it up in)", vectors[i].msg);
			is_str(e.msg, got, "vector %zu: named", i);
			is_int(t.n, 0, "vector %zu: empty after a refusal", i);
		} else {
			is_int(rc, SIP_OK, "vector %zu: resolved", i);
			got[0] = '\0';
			for (j = 0; j < t.n; j++) {
				ok(t.p[j] == t.mac[j], "vector %zu: p[%zu]", i, j);
				snprintf(got + strlen(got), sizeof(got) - strlen(got),
				    "%s%s", j > 0 ? " " : "", t.mac[j]);
			}
			is_str(got, vectors[i].want, "vector %zu: MACs", i);
		}
		sip_targets_free(&t);
		sip_targets_free(&t);	/* twice is harmless */
	}
	return done_testing();
}
