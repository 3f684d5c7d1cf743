/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the acting login may do, as SE3 decides it: its rights in LDAP and the parcs delegated to it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "se3ipxe.h"
#include "extern.h"

#define ROOT_LOGIN	"root"

/* A machine of the directory as the check needs it: its MAC, name and parcs. */
struct rights_machine {
	char	 mac[SIP_MAC_STRLEN];
	char	*name;
	char	*parcs;		/* ", "-separated, for messages and the check */
};

struct sip_rights_dir {
	struct rights_machine	*m;
	size_t			 n;
	char			*delegate_right;
	char			*admin_right;
};

/*
 * RFC 4514 2.4: '"', '+', ',', ';', '<', '>', '\\' and NUL, a leading '#'
 * or blank, a trailing blank; '=' too (2.4 allows it) and every byte
 * outside printable ASCII as \XX, so that an attribute value can never
 * end the RDN or start another.
 */
static int
dn_must(const char *s, size_t i, size_t len)
{
	unsigned char c = (unsigned char)s[i];

	return strchr("\"+,;<>\\=", c) != NULL || c < 0x20 || c >= 0x7f ||
	    (i == 0 && (c == '#' || c == ' ')) || (i == len - 1 && c == ' ');
}

size_t
sip_rights_dn_escape(const char *s, char *out, size_t sz)
{
	return sip_ldap_hex_escape(s, dn_must, out, sz);
}

static void
dir_free(struct sip_rights_dir *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->m[i].name);
		free(d->m[i].parcs);
	}
	free(d->m);
	free(d->delegate_right);
	free(d->admin_right);
	free(d);
}

static void
list_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
sip_rights_free(struct sip_rights *r)
{
	if (r == NULL)
		return;
	free(r->login);
	list_free(r->manage, r->nmanage);
	list_free(r->view, r->nview);
	dir_free(r->dir);
	memset(r, 0, sizeof(*r));
}

static int
list_has(char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(v[i], s) == 0)
			return 1;
	return 0;
}

static enum sip_rc
list_add(char ***v, size_t *n, const char *s, struct sip_err *err)
{
	char **nv;

	if (list_has(*v, *n, s))
		return SIP_OK;
	if ((nv = reallocarray(*v, *n + 1, sizeof(*nv))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	*v = nv;
	if ((nv[*n] = sip_strdup(s)) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	(*n)++;
	return SIP_OK;
}

int
sip_rights_may_see_parc(const struct sip_rights *r, const char *parc)
{
	return r->all || list_has(r->view, r->nview, parc);
}

/* Is the login a member of the right cn=right under [ldap] rights? */
static enum sip_rc
right_member(const struct sip_config *cfg, struct sip_ldap *l,
    const char *login, const char *right, int *has, struct sip_err *err)
{
	char *ou = NULL, *member = NULL, *uid = NULL;
	size_t n;
	enum sip_rc rc;

	*has = 0;
	if (right[0] == '\0')
		return SIP_OK;
	n = sip_rights_dn_escape(login, NULL, 0) + 1;
	if ((uid = malloc(n)) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	sip_rights_dn_escape(login, uid, n);
	if (asprintf(&ou, "%s,%s", cfg->ldap_rights, cfg->ldap_base) == -1)
		ou = NULL;
	if (asprintf(&member, "uid=%s,%s,%s", uid, cfg->ldap_people,
	    cfg->ldap_base) == -1)
		member = NULL;
	if (ou == NULL || member == NULL)
		rc = sip_errf(err, SIP_ENOMEM, "out of memory");
	else
		rc = sip_ldap_group_has(l, ou, right, member, has, err);
	free(member);
	free(ou);
	free(uid);
	return rc;
}

/* Every machine of the directory with a MAC, and its parcs. */
static enum sip_rc
dir_load(struct sip_ldap *l, struct sip_rights_dir *d, struct sip_err *err)
{
	struct sip_ldap_machine *const *m;
	struct sip_buf b;
	size_t i, j, n;
	enum sip_rc rc;

	if ((rc = sip_ldap_machines(l, &m, &n, err)) != SIP_OK)
		return rc;
	if ((d->m = calloc(n + 1, sizeof(*d->m))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		if (m[i]->mac[0] == '\0')
			continue;
		sip_buf_init(&b);
		for (j = 0; j < m[i]->nparcs; j++)
			sip_buf_printf(&b, "%s%s", j > 0 ? ", " : "",
			    m[i]->parcs[j]);
		memcpy(d->m[d->n].mac, m[i]->mac, SIP_MAC_STRLEN);
		d->m[d->n].parcs = b.data;
		d->n++;	/* counted first: what was copied is freed */
		if (b.failed ||
		    (d->m[d->n - 1].name = sip_strdup(m[i]->name)) == NULL)
			return sip_errf(err, SIP_ENOMEM, "out of memory");
	}
	return SIP_OK;
}

/* The login in a message: it passed sip_login_check, or it is shown safely. */
static const char *
login_shown(const char *login, char *buf, size_t sz)
{
	if (sip_login_check(login) == SIP_OK)
		return login;
	sip_ldap_printable(login, strlen(login), buf, sz);
	return buf;
}

enum sip_rc
sip_rights_load(const struct sip_config *cfg, const char *password,
    struct sip_store *st, const char *login, struct sip_rights *r,
    struct sip_err *err)
{
	struct sip_ldap *l = NULL;
	struct sip_delegation *d = NULL;
	struct sip_err e = { "" };
	size_t nd = 0, i;
	char shown[80];
	int admin = 0, delegated = 0;
	enum sip_rc rc;

	memset(r, 0, sizeof(*r));
	/*
	 * Only NULL is root: a login named "root" that a web server
	 * authenticated against the directory is checked like any other.
	 */
	if (login == NULL) {
		if ((r->login = sip_strdup(ROOT_LOGIN)) == NULL)
			return sip_errf(err, SIP_ENOMEM, "out of memory");
		r->all = 1;
		return SIP_OK;
	}
	/* Before anything else: it goes into a DN, a filter, SQL and messages. */
	if (sip_login_check(login) != SIP_OK)
		return sip_errf(err, SIP_EINVAL, "login '%s': not an SE3 login "
		    "(1 to %d letters, digits, '.', '_' or '-')",
		    login_shown(login, shown, sizeof(shown)), SIP_LOGIN_MAX);
	if ((r->login = sip_strdup(login)) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	if (cfg == NULL || cfg->ldap_uri[0] == '\0') {
		rc = sip_errf(err, SIP_ECONFIG, "the rights of %s cannot be "
		    "checked: no [ldap] uri in %s", login, cfg != NULL &&
		    cfg->path != NULL ? cfg->path : SIP_CONFIG_PATH);
		goto fail;
	}
	if ((rc = sip_ldap_open(cfg, password, &l, &e)) != SIP_OK)
		goto ldap_fail;
	if ((rc = right_member(cfg, l, login, cfg->ldap_admin_right, &admin,
	    &e)) != SIP_OK)
		goto ldap_fail;
	if (admin) {
		r->all = 1;
		sip_ldap_close(l);
		return SIP_OK;
	}
	if ((rc = right_member(cfg, l, login, cfg->ldap_delegate_right,
	    &delegated, &e)) != SIP_OK)
		goto ldap_fail;
	if ((r->dir = calloc(1, sizeof(*r->dir))) == NULL ||
	    (r->dir->delegate_right = sip_strdup(
	    cfg->ldap_delegate_right)) == NULL ||
	    (r->dir->admin_right = sip_strdup(cfg->ldap_admin_right)) ==
	    NULL) {
		rc = sip_errf(err, SIP_ENOMEM, "out of memory");
		goto fail;
	}
	r->delegated = delegated;
	/* SE3: without the right, delegations give nothing. */
	if (delegated && st != NULL) {
		if ((rc = sip_store_delegations(st, login, &d, &nd, err)) !=
		    SIP_OK)
			goto fail;
		for (i = 0; i < nd && rc == SIP_OK; i++) {
			if (d[i].level == SIP_LEVEL_MANAGE)
				rc = list_add(&r->manage, &r->nmanage,
				    d[i].parc, err);
			if (rc == SIP_OK)
				rc = list_add(&r->view, &r->nview, d[i].parc,
				    err);
		}
		if (rc != SIP_OK)
			goto fail;
	}
	if ((rc = dir_load(l, r->dir, &e)) != SIP_OK)
		goto ldap_fail;
	sip_delegations_free(d, nd);
	sip_ldap_close(l);
	return SIP_OK;
 ldap_fail:
	rc = sip_errf(err, rc, "the rights of %s cannot be checked: %s",
	    login, e.msg[0] != '\0' ? e.msg : sip_strerror(rc));
 fail:
	sip_delegations_free(d, nd);
	sip_ldap_close(l);
	sip_rights_free(r);
	return rc;
}

/* May the login act on this machine?  NULL, or the reason it may not. */
static const char *
machine_refusal(const struct sip_rights *r, const char *mac,
    const struct rights_machine **found, char *why, size_t sz)
{
	const struct sip_rights_dir *d = r->dir;
	const struct rights_machine *m;
	char parc[SIP_LDAP_NAME_MAX];
	const char *p;
	size_t i, n;
	int any = 0, viewed = 0;

	*found = NULL;
	for (i = 0; d != NULL && i < d->n; i++) {
		m = &d->m[i];
		if (strcmp(m->mac, mac) != 0)
			continue;
		*found = m;
		any = 1;
		for (p = m->parcs; p != NULL && *p != '\0'; p += n) {
			n = strcspn(p, ",");
			snprintf(parc, sizeof(parc), "%.*s", (int)n, p);
			if (list_has(r->manage, r->nmanage, parc))
				return NULL;
			if (list_has(r->view, r->nview, parc))
				viewed = 1;
			while (p[n] == ',' || p[n] == ' ')
				n++;
		}
	}
	if (!r->delegated)
		snprintf(why, sz, "%s is a member of neither right %s nor %s",
		    r->login, d != NULL ? d->admin_right : "?",
		    d != NULL ? d->delegate_right : "?");
	else if (!any)
		snprintf(why, sz, "no machine of LDAP has this MAC: it is in "
		    "no parc delegated to %s", r->login);
	else if ((*found)->parcs == NULL || (*found)->parcs[0] == '\0')
		snprintf(why, sz, "it is in no parc");
	else if (viewed)
		snprintf(why, sz, "%s may only view its parcs (%s): acting "
		    "needs a manage delegation", r->login, (*found)->parcs);
	else
		snprintf(why, sz, "no manage delegation to %s on its parcs "
		    "(%s)", r->login, (*found)->parcs);
	return why;
}

enum sip_rc
sip_rights_check(const struct sip_rights *r, const struct sip_targets *t,
    struct sip_err *err)
{
	const struct rights_machine *m, *first_m = NULL;
	char why[SIP_ERR_MAX], first_why[SIP_ERR_MAX];
	const char *first = NULL;
	size_t i, nrefused = 0;

	if (r->all)
		return SIP_OK;
	/* All or nothing: every machine is checked, the first refusal named. */
	for (i = 0; i < t->n; i++) {
		if (machine_refusal(r, t->p[i], &m, why, sizeof(why)) == NULL)
			continue;
		if (nrefused++ == 0) {
			first = t->p[i];
			first_m = m;
			snprintf(first_why, sizeof(first_why), "%s", why);
		}
	}
	if (nrefused == 0)
		return SIP_OK;
	if (t->n == 1)
		return sip_errf(err, SIP_EDENIED, "%s may not act on %s%s%s%s: "
		    "%s", r->login, first_m != NULL ? first_m->name : first,
		    first_m != NULL ? " (" : "", first_m != NULL ? first : "",
		    first_m != NULL ? ")" : "", first_why);
	return sip_errf(err, SIP_EDENIED, "%s may not act on %s%s%s%s: %s "
	    "(%zu of %zu machines refused, nothing done)", r->login,
	    first_m != NULL ? first_m->name : first,
	    first_m != NULL ? " (" : "", first_m != NULL ? first : "",
	    first_m != NULL ? ")" : "", first_why, nrefused, t->n);
}
