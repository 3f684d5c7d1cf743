/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The machines verb: SE3's machines from LDAP joined with what the database saw of them, and the MACs that booted but are in no LDAP entry. */

#include <err.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "cli.h"

enum mcol {
	MC_NAME, MC_MAC, MC_IP, MC_PARCS, MC_SEEN, MC_PLATFORM, MC_SMBIOS,
	MC_ACTION, MC__MAX
};

static const char *const mcol_names[MC__MAX] = {
	"NAME", "MAC", "IP", "PARCS", "LAST SEEN", "PLATFORM", "SMBIOS",
	"ACTION",
};

/* One line of the listing: an LDAP machine and, if it has a MAC, its row. */
struct mrow {
	const struct sip_ldap_machine	*lm;	/* NULL: --unknown */
	const struct sip_status_row	*sr;	/* NULL: no MAC, or no database */
};

static int
mrow_cmp(const void *a, const void *b)
{
	const struct mrow *x = a, *y = b;

	return strcmp(x->lm->name, y->lm->name);
}

/* "manufacturer product", what SMBIOS says the machine is, or "-". */
static char *
smbios(const struct sip_machine *m)
{
	if (m == NULL || (m->manufacturer == NULL && m->product == NULL))
		return xasprintf("-");
	return xasprintf("%s%s%s", m->manufacturer != NULL ?
	    m->manufacturer : "", m->manufacturer != NULL &&
	    m->product != NULL ? " " : "", m->product != NULL ?
	    m->product : "");
}

static char *
parcs_cell(const struct sip_ldap_machine *lm)
{
	struct sip_buf b;
	size_t i;
	char *s;

	if (lm == NULL || lm->nparcs == 0)
		return xasprintf("-");
	sip_buf_init(&b);
	for (i = 0; i < lm->nparcs; i++)
		sip_buf_printf(&b, "%s%s", i > 0 ? "," : "", lm->parcs[i]);
	if (b.failed)
		errx(1, "out of memory");
	s = xasprintf("%s", b.data);
	sip_buf_free(&b);
	return s;
}

static void
machines_table(const struct mrow *r, size_t n)
{
	const struct sip_machine *m;
	const struct sip_action *a;
	char **cell, tbuf[32], sbuf[32];
	size_t *w, i, j, k;

	cell = xcalloc((n + 1) * MC__MAX, sizeof(*cell));
	w = xcalloc((n + 1) * MC__MAX, sizeof(*w));
	for (j = 0; j < MC__MAX; j++)
		cell[j] = xasprintf("%s", mcol_names[j]);
	for (i = 0; i < n; i++) {
		m = r[i].sr != NULL ? r[i].sr->machine : NULL;
		a = r[i].sr != NULL ? r[i].sr->action : NULL;
		k = (i + 1) * MC__MAX;
		/* Names and parcs are printable already (lib/ldap.c). */
		cell[k + MC_NAME] = xasprintf("%s", r[i].lm != NULL ?
		    r[i].lm->name : "-");
		cell[k + MC_MAC] = xasprintf("%s", r[i].lm != NULL ?
		    (r[i].lm->mac[0] != '\0' ? r[i].lm->mac : "-") :
		    m != NULL ? m->mac : "-");
		cell[k + MC_IP] = safe_dup(r[i].lm != NULL ?
		    (r[i].lm->ip[0] != '\0' ? r[i].lm->ip : "-") :
		    m != NULL && m->ip != NULL ? m->ip : "-", NULL);
		cell[k + MC_PARCS] = parcs_cell(r[i].lm);
		if (m != NULL)
			fmt_time(tbuf, sizeof(tbuf), m->last_seen, 0);
		else
			snprintf(tbuf, sizeof(tbuf), "never");
		cell[k + MC_SEEN] = xasprintf("%s", tbuf);
		cell[k + MC_PLATFORM] = safe_dup(m != NULL &&
		    m->platform != NULL ? m->platform : "-", NULL);
		cell[k + MC_SMBIOS] = smbios(m);
		cell[k + MC_ACTION] = a != NULL ? xasprintf("%s %s", a->name,
		    sip_action_state_text(a, sbuf, sizeof(sbuf))) :
		    xasprintf("-");
	}
	/* Every cell through safe_dup: what the database holds is untrusted. */
	for (i = 0; i < (n + 1) * MC__MAX; i++) {
		char *s = safe_dup(cell[i], &w[i]);

		free(cell[i]);
		cell[i] = s;
	}
	table_print(cell, w, n + 1, MC__MAX);
}

static void
kstr_or_null(struct sip_buf *b, const char *key, const char *v)
{
	if (v != NULL && *v != '\0')
		sip_json_kstr(b, key, v);
	else
		sip_json_knull(b, key);
}

/* The MAC of a line, "" if it has none. */
static const char *
mrow_mac(const struct mrow *r)
{
	if (r->lm != NULL)
		return r->lm->mac;
	if (r->sr != NULL && r->sr->machine != NULL)
		return r->sr->machine->mac;
	return "";
}

static void
machines_json(struct sip_buf *b, const struct mrow *r, size_t n,
    const struct sip_inventory *inv)
{
	const struct sip_machine *m;
	const struct sip_action *a;
	size_t i;

	sip_buf_puts(b, "[");
	for (i = 0; i < n; i++) {
		m = r[i].sr != NULL ? r[i].sr->machine : NULL;
		a = r[i].sr != NULL ? r[i].sr->action : NULL;
		sip_buf_puts(b, i > 0 ? ",\n{\"name\":" : "\n{\"name\":");
		sip_json_str(b, r[i].lm != NULL ? r[i].lm->name : NULL);
		kstr_or_null(b, "mac", r[i].lm != NULL ? r[i].lm->mac :
		    m != NULL ? m->mac : NULL);
		kstr_or_null(b, "ip", r[i].lm != NULL ? r[i].lm->ip :
		    m != NULL ? m->ip : NULL);
		sip_buf_puts(b, ",\"parcs\":");
		sip_json_strings(b, r[i].lm != NULL ?
		    (const char *const *)r[i].lm->parcs : NULL,
		    r[i].lm != NULL ? r[i].lm->nparcs : 0);
		if (m != NULL)
			sip_json_kint(b, "last_seen", m->last_seen);
		else
			sip_json_knull(b, "last_seen");
		kstr_or_null(b, "platform", m != NULL ? m->platform : NULL);
		kstr_or_null(b, "manufacturer", m != NULL ? m->manufacturer :
		    NULL);
		kstr_or_null(b, "product", m != NULL ? m->product : NULL);
		kstr_or_null(b, "serial", m != NULL ? m->serial : NULL);
		kstr_or_null(b, "uuid", m != NULL ? m->uuid : NULL);
		if (a != NULL) {
			sip_buf_puts(b, ",\"action\":{\"name\":");
			sip_json_str(b, a->name);
			sip_json_kstr(b, "state", sip_state_name(a->state));
			sip_json_kstr(b, "completion",
			    sip_completion_name(a->completion));
			sip_json_kint(b, "id", a->id);
			sip_buf_puts(b, "}");
		} else
			sip_json_knull(b, "action");
		sip_buf_puts(b, ",\"inventory\":");
		json_inventory(b, inv != NULL ? &inv[i] : NULL);
		sip_buf_puts(b, "}");
	}
	sip_buf_puts(b, n > 0 ? "\n]\n" : "]\n");
	if (b->failed)
		errx(1, "out of memory");
}

/* The machines the arguments name, each once, in the order named. */
static int
machines_pick(const char *verb, struct sip_ldap *l, char *argv[], int argc,
    const struct sip_ldap_machine ***out, size_t *nout)
{
	struct sip_err e = { "" };
	const struct sip_ldap_machine **v = NULL, **pv, *m;
	size_t n = 0, cap = 0, np, i, j;
	enum sip_rc rc;
	int k;

	for (k = 0; k < argc; k++) {
		pv = NULL;
		np = 0;
		if (strncmp(argv[k], "parc:", 5) == 0) {
			rc = sip_ldap_parc(l, argv[k] + 5, &pv, &np, &e);
			if (rc == SIP_ENOTFOUND) {
				warnx("%s: '%s': no such parc in LDAP", verb,
				    argv[k]);
				goto fail;
			}
		} else {
			rc = sip_ldap_find_name(l, argv[k], &m, &e);
			if (rc == SIP_ENOTFOUND) {
				warnx("%s: '%s': no machine of this name in "
				    "LDAP", verb, argv[k]);
				goto fail;
			}
			if (rc == SIP_OK) {
				pv = xcalloc(1, sizeof(*pv));
				pv[0] = m;
				np = 1;
			}
		}
		if (rc != SIP_OK) {
			warn_lib(verb, &e, rc);
			goto fail;
		}
		for (i = 0; i < np; i++) {
			for (j = 0; j < n; j++)
				if (v[j] == pv[i])
					break;
			if (j < n)
				continue;
			if (n == cap) {
				cap = cap == 0 ? 64 : cap * 2;
				if ((v = reallocarray(v, cap, sizeof(*v))) ==
				    NULL)
					err(1, NULL);
			}
			v[n++] = pv[i];
		}
		free(pv);
	}
	*out = v;
	*nout = n;
	return 0;
 fail:
	free(v);
	return -1;
}

int
cmd_machines(const struct command *c, struct ctx *ctx, int argc,
    char *argv[])
{
	struct sip_err e = { "" };
	struct sip_ldap *l = NULL;
	struct sip_store *st = NULL;
	struct sip_ldap_machine *const *all = NULL;
	const struct sip_ldap_machine **pick = NULL;
	struct sip_status_row *rows = NULL;
	struct mrow *r = NULL;
	struct sip_buf b;
	const char **macs = NULL, **imacs = NULL;
	struct sip_inventory *inv = NULL;
	size_t nall = 0, npick = 0, nrows = 0, nmacs = 0, nr = 0, i, j;
	enum sip_rc rc;
	int json = 0, unknown = 0, rv = 1;
	const struct verb_option vo[] = {
		{ "json",	&json,		NULL },
		{ "unknown",	&unknown,	NULL },
	};

	sip_buf_init(&b);
	if (verb_options(c, argc, argv, vo, nitems(vo), &rv) == -1)
		return rv;
	argc -= optind;
	argv += optind;
	if (unknown && argc > 0) {
		warnx("%s: --unknown takes no TARGET", c->name);
		return verb_usage(c, EXIT_USAGE);
	}
	if (ctx_setup(c, ctx) == -1)
		goto out;
	if ((l = ldap_connect(c->name, ctx, "no machines to list")) == NULL)
		goto out;
	if ((rc = sip_ldap_machines(l, &all, &nall, &e)) != SIP_OK) {
		warn_lib(c->name, &e, rc);
		goto out;
	}
	if (argc > 0) {
		if (machines_pick(c->name, l, argv, argc, &pick, &npick) == -1)
			goto out;
	} else {
		pick = xcalloc(nall + 1, sizeof(*pick));
		for (i = 0; i < nall; i++)
			pick[i] = all[i];
		npick = nall;
	}

	if (store_open(c->name, ctx, CMD_STORE_RO, &st) == -1)
		goto out;
	if (st != NULL)
		(void)seen_fold(c->name, ctx, NULL);

	if (unknown) {
		/* Every machine the database saw, less those LDAP knows. */
		if (st != NULL && (rc = sip_store_status(st, NULL, 0, &rows,
		    &nrows, &e)) != SIP_OK) {
			rows = NULL;
			warn_lib(c->name, &e, rc);
			goto out;
		}
		r = xcalloc(nrows + 1, sizeof(*r));
		for (i = 0; i < nrows; i++) {
			if (rows[i].machine == NULL)
				continue;	/* an action, never booted */
			for (j = 0; j < nall; j++)
				if (strcmp(all[j]->mac, rows[i].machine->mac)
				    == 0)
					break;
			if (j < nall)
				continue;
			r[nr].lm = NULL;
			r[nr++].sr = &rows[i];
		}
	} else {
		macs = xcalloc(npick + 1, sizeof(*macs));
		for (i = 0; i < npick; i++)
			if (pick[i]->mac[0] != '\0')
				macs[nmacs++] = pick[i]->mac;
		if (st != NULL && nmacs > 0 && (rc = sip_store_status(st, macs,
		    nmacs, &rows, &nrows, &e)) != SIP_OK) {
			rows = NULL;
			nrows = 0;
			warn_lib(c->name, &e, rc);
			goto out;
		}
		r = xcalloc(npick + 1, sizeof(*r));
		for (i = 0, j = 0; i < npick; i++) {
			r[nr].lm = pick[i];
			r[nr].sr = pick[i]->mac[0] != '\0' && j < nrows ?
			    &rows[j++] : NULL;
			nr++;
		}
		if (argc == 0)
			qsort(r, nr, sizeof(*r), mrow_cmp);
	}
	if (json) {
		/* Not known is said, as for the rows, and shown as null. */
		if (st != NULL && nr > 0) {
			imacs = xcalloc(nr + 1, sizeof(*imacs));
			for (i = 0; i < nr; i++)
				imacs[i] = mrow_mac(&r[i]);
			if ((rc = sip_store_inventories(st, imacs, nr, &inv,
			    &e)) != SIP_OK) {
				warn_lib(c->name, &e, rc);
				inv = NULL;
			}
		}
		machines_json(&b, r, nr, inv);
		buf_print(&b);
	} else
		machines_table(r, nr);
	rv = 0;
 out:
	sip_buf_free(&b);
	sip_inventories_free(inv, nr);
	free(imacs);
	free(r);
	free(macs);
	if (rows != NULL)
		sip_status_free(rows, nrows);
	if (st != NULL)
		sip_store_close(st);
	free(pick);
	sip_ldap_close(l);
	return rv;
}
