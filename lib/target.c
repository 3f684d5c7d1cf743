/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a TARGET on the command line names: the canonical MACs of the machines it means, from SE3's directory when it is not a MAC. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

#define PARC_PREFIX	"parc:"

/* What one resolution needs: the directory is opened at most once, late. */
struct resolve {
	const struct sip_config	*cfg;
	const char		*password;
	struct sip_ldap		*ldap;
};

void
sip_targets_free(struct sip_targets *t)
{
	free(t->mac);
	free(t->p);
	free(t->ip);
	free(t->name);
	memset(t, 0, sizeof(*t));
}

/* Room for n more MACs; p[] is rebuilt since mac[] may have moved. */
static enum sip_rc
targets_grow(struct sip_targets *t, size_t n, struct sip_err *err)
{
	char (*mac)[SIP_MAC_STRLEN];
	const char **p;
	char (*ip)[16];
	char (*name)[SIP_LDAP_NAME_MAX];
	size_t cap, i;

	if (t->n + n <= t->cap)
		return SIP_OK;
	cap = t->cap * 2 > t->n + n ? t->cap * 2 : t->n + n;
	if ((mac = realloc(t->mac, (cap + 1) * sizeof(*mac))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	t->mac = mac;
	if ((p = realloc(t->p, (cap + 1) * sizeof(*p))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	t->p = p;
	if ((ip = realloc(t->ip, (cap + 1) * sizeof(*ip))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	t->ip = ip;
	if ((name = realloc(t->name, (cap + 1) * sizeof(*name))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	t->name = name;
	for (i = 0; i < t->n; i++)
		t->p[i] = t->mac[i];
	t->p[t->n] = NULL;
	t->cap = cap;
	return SIP_OK;
}

/* Add mac unless it is there already: naming a machine twice is once. */
static void
targets_add(struct sip_targets *t, const char *mac, const char *ip,
    const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->mac[i], mac) == 0) {
			/* The MAC named first, then its machine: keep the IP. */
			if (t->ip[i][0] == '\0')
				snprintf(t->ip[i], sizeof(t->ip[i]), "%s", ip);
			if (t->name[i][0] == '\0')
				snprintf(t->name[i], sizeof(t->name[i]), "%s",
				    name);
			return;
		}
	memcpy(t->mac[t->n], mac, SIP_MAC_STRLEN);
	snprintf(t->ip[t->n], sizeof(t->ip[t->n]), "%s", ip);
	snprintf(t->name[t->n], sizeof(t->name[t->n]), "%s", name);
	t->p[t->n] = t->mac[t->n];
	t->n++;
	t->p[t->n] = NULL;
}

static enum sip_rc
resolve_ldap(struct resolve *r, const char *arg, const char *shown,
    struct sip_err *err)
{
	if (r->ldap != NULL)
		return SIP_OK;
	if (r->cfg == NULL || r->cfg->ldap_uri[0] == '\0')
		return sip_errf(err, SIP_EINVAL, "'%s': not a MAC address "
		    "(and no [ldap] uri to look it up in)", shown);
	(void)arg;
	return sip_ldap_open(r->cfg, r->password, &r->ldap, err);
}

/* A machine found: its MAC, or an error naming it and what named it. */
static enum sip_rc
add_machine(struct sip_targets *t, const struct sip_ldap_machine *m,
    const char *shown, struct sip_err *err)
{
	enum sip_rc rc;

	if (m->mac[0] == '\0')
		return sip_errf(err, SIP_ENOTFOUND, "'%s': machine %s has no "
		    "MAC address in LDAP", shown, m->name);
	if ((rc = targets_grow(t, 1, err)) != SIP_OK)
		return rc;
	targets_add(t, m->mac, m->ip, m->name);
	return SIP_OK;
}

/*
 * One TARGET into its MACs.  A MAC first, so that MAC targets never
 * need the directory; then parc:NAME, an IPv4 address, a name.  A name
 * spelt like a MAC (twelve hex digits) is taken as the MAC.
 */
static enum sip_rc
target_resolve(struct resolve *r, const char *arg, struct sip_targets *t,
    struct sip_err *err)
{
	const struct sip_ldap_machine **v = NULL, *m;
	struct sip_mac mac;
	char canon[SIP_MAC_STRLEN], buf[64];
	const char *shown;
	size_t i, n;
	enum sip_rc rc;

	if (sip_mac_parse(arg, &mac) == SIP_OK) {
		sip_mac_format(&mac, canon);
		if ((rc = targets_grow(t, 1, err)) != SIP_OK)
			return rc;
		targets_add(t, canon, "", "");
		return SIP_OK;
	}
	shown = sip_shorten(arg, buf, sizeof(buf));
	if ((rc = resolve_ldap(r, arg, shown, err)) != SIP_OK)
		return rc;
	if (strncmp(arg, PARC_PREFIX, strlen(PARC_PREFIX)) == 0) {
		rc = sip_ldap_parc(r->ldap, arg + strlen(PARC_PREFIX), &v, &n,
		    err);
		if (rc == SIP_ENOTFOUND)
			return sip_errf(err, SIP_ENOTFOUND, "'%s': no such "
			    "parc in LDAP", shown);
		if (rc != SIP_OK)
			return rc;
		if (n == 0)
			rc = sip_errf(err, SIP_ENOTFOUND, "'%s': no machine "
			    "in this parc", shown);
		for (i = 0; i < n && rc == SIP_OK; i++)
			rc = add_machine(t, v[i], shown, err);
		free(v);
		return rc;
	}
	if (sip_value_check(SIP_T_IPV4, arg) == SIP_OK) {
		rc = sip_ldap_find_ip(r->ldap, arg, &m, err);
		if (rc == SIP_ENOTFOUND)
			return sip_errf(err, SIP_ENOTFOUND, "'%s': no machine "
			    "with this IP address in LDAP", shown);
	} else {
		rc = sip_ldap_find_name(r->ldap, arg, &m, err);
		if (rc == SIP_ENOTFOUND)
			return sip_errf(err, SIP_ENOTFOUND, "'%s': not a MAC "
			    "address, and no machine of this name in LDAP",
			    shown);
	}
	if (rc != SIP_OK)
		return rc;
	return add_machine(t, m, shown, err);
}

enum sip_rc
sip_targets_resolve(const struct sip_config *cfg, const char *password,
    const char *const *args, size_t nargs, struct sip_targets *t,
    struct sip_err *err)
{
	struct resolve r = { cfg, password, NULL };
	enum sip_rc rc;
	size_t i;

	memset(t, 0, sizeof(*t));
	if ((rc = targets_grow(t, nargs > 0 ? nargs : 1, err)) != SIP_OK)
		goto fail;
	for (i = 0; i < nargs; i++)
		if ((rc = target_resolve(&r, args[i], t, err)) != SIP_OK)
			goto fail;
	sip_ldap_close(r.ldap);
	return SIP_OK;
 fail:
	sip_ldap_close(r.ldap);
	sip_targets_free(t);
	return rc;
}
