/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Waking machines: the wol verb, and the wake that set-action --wol asks for. */

#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "cli.h"

struct wake {
	struct sip_wol_machine	*m;
	char			(*ip)[16];	/* the IPs m[] points at */
	char			**detail;	/* "to A.B.C.D:PORT", per machine */
	size_t			 n;
};

void
wake_free(struct wake *w)
{
	size_t i;

	if (w == NULL)
		return;
	if (w->detail != NULL)
		for (i = 0; i < w->n; i++)
			free(w->detail[i]);
	free(w->detail);
	free(w->ip);
	free(w->m);
	free(w);
}

/*
 * Where each machine's packet goes, before anything is written or sent:
 * its IP from LDAP, else the last one it booted from; a machine with
 * neither, or in none of [network] subnets, is an error naming it.
 */
int
wake_prepare(const char *verb, const struct ctx *ctx, struct sip_store *st,
    const struct sip_targets *t, struct wake **out)
{
	struct sip_err e = { "" };
	struct sip_status_row *rows = NULL;
	struct wake *w;
	size_t i, nrows = 0;
	uint32_t ip, b;
	char dest[64];
	enum sip_rc rc;
	int rv = -1;

	*out = NULL;
	w = xcalloc(1, sizeof(*w));
	w->n = t->n;
	w->m = xcalloc(t->n + 1, sizeof(*w->m));
	w->ip = xcalloc(t->n + 1, sizeof(*w->ip));
	w->detail = xcalloc(t->n + 1, sizeof(*w->detail));
	if (ctx->cfg.nsubnets == 0) {
		warnx("%s: no [network] subnets in %s: no broadcast address "
		    "to wake a machine at", verb, ctx->cfg.path != NULL ?
		    ctx->cfg.path : "the configuration");
		goto out;
	}
	if (st != NULL) {
		/* Not fatal: the machines table is then as of the last fold. */
		(void)seen_fold(verb, ctx, st);
		if ((rc = sip_store_status(st, t->p, t->n, &rows, &nrows,
		    &e)) != SIP_OK) {
			rows = NULL;
			nrows = 0;
			warn_lib(verb, &e, rc);
			goto out;
		}
	}
	for (i = 0; i < t->n; i++) {
		w->m[i].mac = t->p[i];
		if (t->ip != NULL && t->ip[i][0] != '\0')
			memcpy(w->ip[i], t->ip[i], sizeof(w->ip[i]));
		else if (i < nrows && rows[i].machine != NULL &&
		    rows[i].machine->ip != NULL)
			snprintf(w->ip[i], sizeof(w->ip[i]), "%s",
			    rows[i].machine->ip);
		w->m[i].ip = w->ip[i];
		if (w->ip[i][0] == '\0') {
			warnx("%s: %s: no IP address known (neither in LDAP "
			    "nor from a boot): nothing sent", verb, t->p[i]);
			goto out;
		}
		if (sip_ipv4_parse(w->ip[i], &ip) != SIP_OK ||
		    sip_wol_broadcast(ctx->cfg.subnets, ctx->cfg.nsubnets, ip,
		    &b) != SIP_OK) {
			warnx("%s: %s: %s is in none of the [network] subnets: "
			    "nothing sent", verb, t->p[i], w->ip[i]);
			goto out;
		}
		sip_wol_destination(&ctx->cfg, w->ip[i], dest, sizeof(dest));
		w->detail[i] = xasprintf("%s", dest);
	}
	*out = w;
	w = NULL;
	rv = 0;
 out:
	if (rows != NULL)
		sip_status_free(rows, nrows);
	wake_free(w);
	return rv;
}

/*
 * Send, then record a wol-sent row per machine, and the wake for the tick
 * to check and retry; one line each on stdout.
 */
int
wake_send(const char *verb, const struct ctx *ctx, struct sip_store *st,
    const struct wake *w)
{
	struct sip_err e = { "" };
	struct sip_wake_sent *ws;
	size_t i, nsent = 0;
	enum sip_rc rc;
	int rv = 0;

	if ((rc = sip_wol_send(&ctx->cfg, w->m, w->n, &nsent, &e)) !=
	    SIP_OK) {
		warn_lib(verb, &e, rc);
		/*
		 * Which ones went is not known: none is recorded as woken,
		 * so that a retry is not taken for a wake that happened.
		 */
		warnx("%s: %zu of %zu machine%s sent to; none recorded", verb,
		    nsent, w->n, w->n == 1 ? "" : "s");
		return -1;
	}
	if (st != NULL) {
		ws = xcalloc(w->n + 1, sizeof(*ws));
		for (i = 0; i < w->n; i++) {
			ws[i].mac = w->m[i].mac;
			ws[i].ip = w->ip[i];
			ws[i].detail = w->detail[i];
		}
		rc = sip_store_wake_sent(st, ws, w->n, ctx->who, ctx->now, &e);
		free(ws);
		if (rc != SIP_OK) {
			warn_lib(verb, &e, rc);
			rv = -1;
		}
	}
	for (i = 0; i < w->n; i++)
		printf("%s wol-sent %s\n", w->m[i].mac, w->detail[i]);
	return rv;
}

/*
 * Wakes for the tick to send at due (set-action --at --wol: with the
 * actions' start, action_ids[i] each); one line each on stdout.
 */
int
wake_schedule(const char *verb, const struct ctx *ctx, struct sip_store *st,
    const struct wake *w, time_t due, const int64_t *action_ids)
{
	struct sip_err e = { "" };
	struct sip_new_power_job *nj;
	char tbuf[32];
	size_t i;
	enum sip_rc rc;

	nj = xcalloc(w->n + 1, sizeof(*nj));
	for (i = 0; i < w->n; i++) {
		nj[i].mac = w->m[i].mac;
		nj[i].kind = SIP_POWER_WAKE;
		nj[i].policy = SIP_REBOOT_NONE;
		nj[i].due_at = due;
		nj[i].ip = w->ip[i];
		nj[i].action_id = action_ids != NULL ? action_ids[i] : 0;
	}
	rc = sip_store_power_add(st, nj, w->n, ctx->who, ctx->now, NULL, &e);
	free(nj);
	if (rc != SIP_OK) {
		warn_lib(verb, &e, rc);
		return -1;
	}
	fmt_time(tbuf, sizeof(tbuf), due, 0);
	for (i = 0; i < w->n; i++)
		printf("%s wol scheduled %s, %s\n", w->m[i].mac, tbuf,
		    w->detail[i]);
	return 0;
}

int
cmd_wol(const struct command *c, struct ctx *ctx, int argc, char *argv[])
{
	struct sip_targets t = { NULL, NULL, 0, 0, NULL };
	struct sip_store *st = NULL;
	struct sip_err e = { "" };
	struct wake *w = NULL;
	const char *at = NULL;
	time_t due = 0;
	int rv = 1;
	const struct verb_option vo[] = {
		{ "at",		NULL,	&at },
	};

	if (verb_targets(c, &argc, &argv, vo, nitems(vo), &rv) == -1)
		return rv;
	if (machines_open(c, ctx, argc, argv, &t, &st) == -1)
		goto out;
	/* The bounds of set-action's --at: a typo is not a wake next year. */
	if (at != NULL && sip_at_parse(at, ctx->now, &due, &e) != SIP_OK) {
		warnx("%s: --at: %s", c->name, e.msg);
		goto out;
	}
	if (wake_prepare(c->name, ctx, st, &t, &w) == -1)
		goto out;
	if (due > ctx->now) {
		if (wake_schedule(c->name, ctx, st, w, due, NULL) == -1)
			goto out;
	} else if (wake_send(c->name, ctx, st, w) == -1)
		goto out;
	rv = 0;
 out:
	wake_free(w);
	machines_close(&t, st);
	return rv;
}
