/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a TARGET on the command line names: the canonical MACs of the machines it means. */
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

void
sip_targets_free(struct sip_targets *t)
{
	free(t->mac);
	free(t->p);
	memset(t, 0, sizeof(*t));
}

/* Add mac unless it is there already: naming a machine twice is once. */
static void
targets_add(struct sip_targets *t, const char *mac)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->mac[i], mac) == 0)
			return;
	memcpy(t->mac[t->n], mac, SIP_MAC_STRLEN);
	t->p[t->n] = t->mac[t->n];
	t->n++;
}

/*
 * One TARGET into its MACs.  Today only a MAC (any spelling
 * sip_mac_parse reads) names a machine; host names, IP addresses and
 * parc:NAME (through LDAP, in the CLI only) come here as more cases,
 * each adding its MACs with targets_add.  Room is made for one MAC per
 * TARGET: a case that finds more grows the arrays first.
 */
static enum sip_rc
target_resolve(const char *arg, struct sip_targets *t, struct sip_err *err)
{
	struct sip_mac m;
	char canon[SIP_MAC_STRLEN], shown[64];

	if (sip_mac_parse(arg, &m) != SIP_OK)
		return sip_errf(err, SIP_EINVAL, "'%s': not a MAC address",
		    sip_shorten(arg, shown, sizeof(shown)));
	sip_mac_format(&m, canon);
	targets_add(t, canon);
	return SIP_OK;
}

enum sip_rc
sip_targets_resolve(const char *const *args, size_t nargs,
    struct sip_targets *t, struct sip_err *err)
{
	enum sip_rc rc;
	size_t i;

	memset(t, 0, sizeof(*t));
	if ((t->mac = calloc(nargs + 1, sizeof(*t->mac))) == NULL ||
	    (t->p = calloc(nargs + 1, sizeof(*t->p))) == NULL) {
		rc = sip_errf(err, SIP_ENOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < nargs; i++)
		if ((rc = target_resolve(args[i], t, err)) != SIP_OK)
			goto fail;
	return SIP_OK;
 fail:
	sip_targets_free(t);
	return rc;
}
