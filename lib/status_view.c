/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The status page's model: SE3's machines by parc, joined with their status rows and last events. */
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

static int
item_cmp(const void *a, const void *b)
{
	const struct sip_status_item *x = a, *y = b;
	int c;

	/* Named machines first, by name; the others by MAC. */
	if ((x->name == NULL) != (y->name == NULL))
		return x->name == NULL ? 1 : -1;
	if (x->name != NULL && (c = strcmp(x->name, y->name)) != 0)
		return c;
	return strcmp(x->mac, y->mac);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The index of mac among the view's MACs, or (size_t)-1. */
static size_t
mac_index(const struct sip_status_view *v, const char *mac)
{
	size_t lo = 0, hi = v->nrows, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(mac, v->macs[mid])) == 0)
			return mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (size_t)-1;
}

static void
item_fill(const struct sip_status_view *v, struct sip_status_item *it)
{
	const struct sip_machine *m;
	size_t i;

	it->woken = SIP_WAKE_NONE;
	it->reachable = -1;
	if (it->mac[0] == '\0' || (i = mac_index(v, it->mac)) == (size_t)-1)
		return;
	it->row = &v->rows[i];
	if (v->wake != NULL)
		it->woken = v->wake[i];
	it->last = v->last != NULL && v->last[i].id != 0 ? &v->last[i] : NULL;
	m = v->rows[i].machine;
	if ((it->ip == NULL || *it->ip == '\0') && m != NULL)
		it->ip = m->ip;
	if (it->ip != NULL && *it->ip == '\0')
		it->ip = NULL;
}

/* Each row's latest wake (lib/store_machine.c), as `status` shows it. */
static enum sip_rc
view_wake(struct sip_status_view *v, struct sip_store *st,
    const char *const *macs, size_t n, int64_t wake_timeout,
    struct sip_err *err)
{
	if (n == 0)
		return SIP_OK;
	if ((v->wake = calloc(n, sizeof(*v->wake))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "status: out of memory");
	return sip_store_wake_status(st, macs, n, v->now, wake_timeout,
	    v->wake, err);
}

/* Every MAC's row and last event, read once, in MAC order (the index). */
static enum sip_rc
rows_load(struct sip_status_view *v, struct sip_store *st,
    const char **macs, size_t n, int64_t wake_timeout, struct sip_err *err)
{
	size_t i, u;
	enum sip_rc rc;

	qsort(macs, n, sizeof(*macs), str_cmp);
	for (i = 0, u = 0; i < n; i++)
		if (u == 0 || strcmp(macs[i], macs[u - 1]) != 0)
			macs[u++] = macs[i];
	if (u > 0 && (v->macs = calloc(u, sizeof(*v->macs))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "status: out of memory");
	for (i = 0; i < u; i++) {
		memcpy(v->macs[i], macs[i], SIP_MAC_STRLEN);
		macs[i] = v->macs[i];
	}
	if (u == 0)
		return SIP_OK;
	if ((rc = sip_store_status(st, macs, u, &v->rows, &v->nrows, err)) !=
	    SIP_OK)
		return rc;
	if ((rc = view_wake(v, st, macs, u, wake_timeout, err)) != SIP_OK)
		return rc;
	return sip_store_last_events(st, macs, u, &v->last, err);
}

/* Without LDAP: one group, every machine the database knows. */
static enum sip_rc
view_all(struct sip_status_view *v, struct sip_store *st, const char *parc,
    sip_parc_visible_fn visible, void *arg, int64_t wake_timeout,
    struct sip_err *err)
{
	struct sip_status_group *g;
	const char **macs = NULL;
	const struct sip_status_row *r;
	size_t i;
	enum sip_rc rc;

	if (parc != NULL)
		return sip_errf(err, SIP_ENOTFOUND, "parc %s: no [ldap] uri "
		    "configured, so no parcs", parc);
	if (!visible(arg, NULL))
		return sip_errf(err, SIP_ENOTFOUND, "all machines: not "
		    "visible to this login");
	/* Sorted by MAC already: the order mac_index searches. */
	if ((rc = sip_store_status(st, NULL, 0, &v->rows, &v->nrows, err)) !=
	    SIP_OK)
		return rc;
	if ((v->groups = calloc(1, sizeof(*v->groups))) == NULL ||
	    (v->nrows > 0 && ((macs = calloc(v->nrows, sizeof(*macs))) ==
	    NULL || (v->macs = calloc(v->nrows, sizeof(*v->macs))) == NULL ||
	    (v->groups[0].items = calloc(v->nrows,
	    sizeof(*v->groups[0].items))) == NULL))) {
		rc = sip_errf(err, SIP_ENOMEM, "status: out of memory");
		goto out;
	}
	v->ngroups = 1;
	for (i = 0; i < v->nrows; i++) {
		r = &v->rows[i];
		memcpy(v->macs[i], r->machine != NULL ? r->machine->mac :
		    r->action->mac, SIP_MAC_STRLEN);
		macs[i] = v->macs[i];
	}
	if ((rc = sip_store_last_events(st, macs, v->nrows, &v->last, err)) !=
	    SIP_OK ||
	    (rc = view_wake(v, st, macs, v->nrows, wake_timeout, err)) !=
	    SIP_OK)
		goto out;
	g = &v->groups[0];
	for (i = 0; i < v->nrows; i++) {
		g->items[i].mac = v->macs[i];
		item_fill(v, &g->items[i]);
	}
	g->n = v->nrows;
 out:
	free(macs);
	return rc;
}

static int
has_parc(const struct sip_ldap_machine *m, const char *parc)
{
	size_t i;

	for (i = 0; i < m->nparcs; i++)
		if (strcmp(m->parcs[i], parc) == 0)
			return 1;
	return 0;
}

/* The visible parcs' names, sorted, each once (pointers into the handle). */
static enum sip_rc
parcs_list(struct sip_ldap_machine *const *m, size_t nm, const char *parc,
    sip_parc_visible_fn visible, void *arg, const char ***out, size_t *nout,
    struct sip_err *err)
{
	const char **p = NULL, **np;
	size_t n = 0, cap = 0, i, j, u;

	*out = NULL;
	*nout = 0;
	for (i = 0; i < nm; i++)
		for (j = 0; j < m[i]->nparcs; j++) {
			if (parc != NULL && strcmp(parc, m[i]->parcs[j]) != 0)
				continue;
			if (n == cap) {
				cap = cap == 0 ? 64 : cap * 2;
				if ((np = reallocarray(p, cap, sizeof(*p))) ==
				    NULL) {
					free(p);
					return sip_errf(err, SIP_ENOMEM,
					    "status: out of memory");
				}
				p = np;
			}
			p[n++] = m[i]->parcs[j];
		}
	if (n > 0)
		qsort(p, n, sizeof(*p), str_cmp);
	for (i = 0, u = 0; i < n; i++)
		if ((u == 0 || strcmp(p[i], p[u - 1]) != 0) &&
		    visible(arg, p[i]))
			p[u++] = p[i];
	if (parc != NULL && u == 0) {
		free(p);
		/* The same for a parc hidden and a parc absent: no oracle. */
		return sip_errf(err, SIP_ENOTFOUND, "parc %s: no such parc "
		    "visible to this login", parc);
	}
	*out = p;
	*nout = u;
	return SIP_OK;
}

/* With LDAP: one group per visible parc. */
static enum sip_rc
view_parcs(struct sip_status_view *v, const struct sip_config *cfg,
    const char *password, struct sip_store *st, const char *parc,
    sip_parc_visible_fn visible, void *arg, struct sip_err *err)
{
	struct sip_ldap_machine *const *m = NULL;
	struct sip_status_group *g;
	const char **parcs = NULL, **macs = NULL;
	size_t nm = 0, np = 0, nmacs = 0, i, k;
	enum sip_rc rc;

	if ((rc = sip_ldap_open(cfg, password, &v->ldap, err)) != SIP_OK ||
	    (rc = sip_ldap_machines(v->ldap, &m, &nm, err)) != SIP_OK ||
	    (rc = parcs_list(m, nm, parc, visible, arg, &parcs, &np, err)) !=
	    SIP_OK)
		goto out;
	if ((np > 0 && (v->groups = calloc(np, sizeof(*v->groups))) == NULL) ||
	    (nm > 0 && (macs = calloc(nm, sizeof(*macs))) == NULL)) {
		rc = sip_errf(err, SIP_ENOMEM, "status: out of memory");
		goto out;
	}
	/* The machines of the visible parcs, each MAC once. */
	for (i = 0; i < nm; i++) {
		if (m[i]->mac[0] == '\0')
			continue;
		for (k = 0; k < np; k++)
			if (has_parc(m[i], parcs[k]))
				break;
		if (k < np)
			macs[nmacs++] = m[i]->mac;
	}
	if ((rc = rows_load(v, st, macs, nmacs, cfg->wol_wake_timeout,
	    err)) != SIP_OK)
		goto out;
	for (k = 0; k < np; k++) {
		g = &v->groups[v->ngroups++];
		g->parc = parcs[k];
		for (i = 0; i < nm; i++)
			if (has_parc(m[i], parcs[k]))
				g->n++;
		if (g->n > 0 && (g->items = calloc(g->n, sizeof(*g->items)))
		    == NULL) {
			g->n = 0;
			rc = sip_errf(err, SIP_ENOMEM, "status: out of memory");
			goto out;
		}
		g->n = 0;
		for (i = 0; i < nm; i++) {
			if (!has_parc(m[i], parcs[k]))
				continue;
			g->items[g->n].name = m[i]->name;
			g->items[g->n].mac = m[i]->mac;
			g->items[g->n].ip = m[i]->ip;
			item_fill(v, &g->items[g->n++]);
		}
		qsort(g->items, g->n, sizeof(*g->items), item_cmp);
	}
 out:
	free(macs);
	free(parcs);
	return rc;
}

struct probe_slot {
	uint32_t		 ip;
	struct sip_status_item	*it;
};

static int
slot_cmp(const void *a, const void *b)
{
	const struct probe_slot *x = a, *y = b;

	return x->ip < y->ip ? -1 : x->ip > y->ip;
}

/*
 * Every item with an IPv4 probed at once ([probe] ports and timeout), each
 * address once however many parcs hold it: reachable 1 when the machine
 * answered (a port open or refusing), 0 when not, -1 without an address.
 * A probe that cannot run leaves them all -1: the page is still worth it.
 */
static enum sip_rc
view_probe(struct sip_status_view *v, const struct sip_config *cfg,
    struct sip_err *err)
{
	struct probe_slot *slot = NULL;
	struct in_addr *addr = NULL;
	struct sip_probe_result *res = NULL;
	struct sip_err perr = { "" };
	size_t n = 0, cap = 0, i, j, u = 0;
	uint32_t ip;

	for (i = 0; i < v->ngroups; i++)
		cap += v->groups[i].n;
	if (cap == 0)
		return SIP_OK;
	if ((slot = calloc(cap, sizeof(*slot))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "status: out of memory");
	for (i = 0; i < v->ngroups; i++)
		for (j = 0; j < v->groups[i].n; j++) {
			if (v->groups[i].items[j].ip == NULL ||
			    sip_ipv4_parse(v->groups[i].items[j].ip, &ip) !=
			    SIP_OK)
				continue;
			slot[n].ip = ip;
			slot[n++].it = &v->groups[i].items[j];
		}
	qsort(slot, n, sizeof(*slot), slot_cmp);
	if (n > 0 && ((addr = calloc(n, sizeof(*addr))) == NULL ||
	    (res = calloc(n, sizeof(*res))) == NULL)) {
		free(addr);
		free(slot);
		return sip_errf(err, SIP_ENOMEM, "status: out of memory");
	}
	for (i = 0; i < n; i++)
		if (i == 0 || slot[i].ip != slot[i - 1].ip)
			addr[u++].s_addr = htonl(slot[i].ip);
	if (u > 0 && sip_probe(cfg, addr, u, res, &perr) == SIP_OK)
		for (i = 0, j = 0; i < n; i++) {
			if (i > 0 && slot[i].ip != slot[i - 1].ip)
				j++;
			slot[i].it->reachable = res[j].up ? 1 : 0;
		}
	free(res);
	free(addr);
	free(slot);
	return SIP_OK;
}

/*
 * The open multicast sessions with a machine the page shows, counted by
 * state over those machines only.  A database older than the sessions
 * (read-only: not migrated) has none to show.
 */
static enum sip_rc
view_sessions(struct sip_status_view *v, struct sip_store *st,
    struct sip_err *err)
{
	struct sip_mcast *l = NULL;
	struct sip_mcast_member *m = NULL;
	struct sip_status_session *ss;
	size_t n = 0, nm = 0, i, j;
	enum sip_rc rc;

	if (v->nrows == 0 || sip_mcast_list(st, 1, &l, &n, NULL) != SIP_OK)
		return SIP_OK;
	if (n > 0 && (v->sessions = calloc(n, sizeof(*v->sessions))) ==
	    NULL) {
		free(l);
		return sip_errf(err, SIP_ENOMEM, "status: out of memory");
	}
	rc = SIP_OK;
	for (i = 0; i < n && rc == SIP_OK; i++) {
		if (sip_mcast_get(st, l[i].id, &l[i], &m, &nm, NULL) != SIP_OK)
			continue;
		ss = &v->sessions[v->nsessions];
		memset(ss, 0, sizeof(*ss));
		ss->slowest = -1;
		for (j = 0; j < nm; j++) {
			if (mac_index(v, m[j].mac) == (size_t)-1)
				continue;
			ss->n++;
			ss->count[m[j].mstate]++;
			sip_mcast_slowest(&ss->slowest, &m[j]);
		}
		if (ss->n > 0) {
			ss->id = l[i].id;
			ss->state = l[i].state;
			if ((ss->image = strdup(l[i].image)) == NULL)
				rc = sip_errf(err, SIP_ENOMEM, "status: out of "
				    "memory");
			v->nsessions++;
		}
		sip_mcast_members_free(m, nm);
		m = NULL;
		nm = 0;
	}
	free(l);
	return rc;
}

enum sip_rc
sip_status_view_load(const struct sip_config *cfg, const char *password,
    const char *parc, sip_parc_visible_fn visible, void *arg, time_t now,
    struct sip_status_view *v, struct sip_err *err)
{
	struct sip_store *st = NULL;
	enum sip_rc rc;

	memset(v, 0, sizeof(*v));
	v->now = now;
	if ((rc = sip_store_open(cfg->db_path, SIP_STORE_RO,
	    cfg->busy_timeout_ms, &st, err)) != SIP_OK)
		return rc;
	if (cfg->ldap_uri[0] == '\0')
		rc = view_all(v, st, parc, visible, arg,
		    cfg->wol_wake_timeout, err);
	else
		rc = view_parcs(v, cfg, password, st, parc, visible, arg, err);
	if (rc == SIP_OK)
		rc = view_sessions(v, st, err);
	sip_store_close(st);
	if (rc == SIP_OK && cfg->status_probe)
		rc = view_probe(v, cfg, err);
	return rc;
}

void
sip_status_view_free(struct sip_status_view *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->ngroups; i++)
		free(v->groups[i].items);
	free(v->groups);
	sip_status_free(v->rows, v->nrows);
	sip_history_free(v->last, v->nrows);
	free(v->wake);
	free(v->macs);
	for (i = 0; i < v->nsessions; i++)
		free(v->sessions[i].image);
	free(v->sessions);
	sip_ldap_close(v->ldap);
	memset(v, 0, sizeof(*v));
}
