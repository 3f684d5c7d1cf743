/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Waking and rebooting machines: the wol and reboot verbs, and what set-action --wol and --reboot ask for. */

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
 * Each target's IPv4 as the power verbs reach it: LDAP's ipHostNumber,
 * else the address it last booted from (the journal folded first, not
 * fatal); "" when neither.  -1 when the database cannot be read.
 */
static int
target_ips(const char *verb, const struct ctx *ctx, struct sip_store *st,
    const struct sip_targets *t, char (*ip)[16], int *claimed)
{
	struct sip_err e = { "" };
	struct sip_status_row *rows = NULL;
	size_t i, nrows = 0;
	enum sip_rc rc;

	if (st != NULL) {
		(void)seen_fold(verb, ctx, st);
		if ((rc = sip_store_status(st, t->p, t->n, &rows, &nrows,
		    &e)) != SIP_OK) {
			warn_lib(verb, &e, rc);
			return -1;
		}
	}
	for (i = 0; i < t->n; i++) {
		if (t->ip != NULL && t->ip[i][0] != '\0')
			memcpy(ip[i], t->ip[i], sizeof(ip[i]));
		else if (i < nrows && rows[i].machine != NULL &&
		    rows[i].machine->ip != NULL) {
			snprintf(ip[i], sizeof(ip[i]), "%s",
			    rows[i].machine->ip);
			if (claimed != NULL)
				claimed[i] = 1;
		}
	}
	if (rows != NULL)
		sip_status_free(rows, nrows);
	return 0;
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
	struct wake *w;
	size_t i;
	uint32_t ip, b;
	char dest[64];
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
	if (target_ips(verb, ctx, st, t, w->ip, NULL) == -1)
		goto out;
	for (i = 0; i < t->n; i++) {
		w->m[i].mac = t->p[i];
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

/*
 * A reboot of each target at due, for the tick (lib/tick.c): the IP is
 * LDAP's now, else the machine's last boot's when it is done.
 */
int
reboot_schedule(const char *verb, const struct ctx *ctx, struct sip_store *st,
    const struct sip_targets *t, enum sip_reboot_policy policy, time_t due,
    const int64_t *action_ids)
{
	struct sip_err e = { "" };
	struct sip_new_power_job *nj;
	char tbuf[32];
	size_t i;
	enum sip_rc rc;

	nj = xcalloc(t->n + 1, sizeof(*nj));
	for (i = 0; i < t->n; i++) {
		nj[i].mac = t->p[i];
		nj[i].kind = SIP_POWER_REBOOT;
		nj[i].policy = policy;
		nj[i].due_at = due;
		nj[i].ip = t->ip != NULL && t->ip[i][0] != '\0' ? t->ip[i] :
		    NULL;
		nj[i].action_id = action_ids != NULL ? action_ids[i] : 0;
	}
	rc = sip_store_power_add(st, nj, t->n, ctx->who, ctx->now, NULL, &e);
	free(nj);
	if (rc != SIP_OK) {
		warn_lib(verb, &e, rc);
		return -1;
	}
	fmt_time(tbuf, sizeof(tbuf), due, 0);
	for (i = 0; i < t->n; i++)
		printf("%s reboot scheduled %s, policy %s\n", t->p[i], tbuf,
		    sip_reboot_policy_name(policy));
	return 0;
}

int
cmd_wol(const struct command *c, struct ctx *ctx, int argc, char *argv[])
{
	struct sip_targets t = { NULL, NULL, 0, 0, NULL, NULL };
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
	if (cli_authorize(c->name, ctx, st, &t) == -1)
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

/* ------------------------------------------------------------- reboot */

/*
 * Reboot the targets by policy: each machine's IP (LDAP's, else the one
 * it last booted from), sip_reboot, a history row and a line on stdout
 * per machine.  -1 when nothing could be run, or when a command failed.
 */
int
reboot_targets(const char *verb, const struct ctx *ctx, struct sip_store *st,
    const struct sip_targets *t, enum sip_reboot_policy policy)
{
	struct sip_err e = { "" };
	struct sip_reboot_machine *m;
	char (*ip)[16];
	int *claimed = NULL;
	size_t i;
	enum sip_rc rc;
	int rv = -1;

	m = xcalloc(t->n + 1, sizeof(*m));
	ip = xcalloc(t->n + 1, sizeof(*ip));
	claimed = xcalloc(t->n + 1, sizeof(*claimed));
	if (target_ips(verb, ctx, st, t, ip, claimed) == -1)
		goto out;
	for (i = 0; i < t->n; i++) {
		m[i].mac = t->p[i];
		m[i].ip = ip[i];
		m[i].claimed = claimed[i];
	}
	if ((rc = sip_reboot(&ctx->cfg, policy, m, t->n, &e)) != SIP_OK) {
		warn_lib(verb, &e, rc);
		goto out;
	}
	rv = 0;
	if (st != NULL && (rc = sip_store_reboot_events(st, m, t->n,
	    ctx->who, ctx->now, &e)) != SIP_OK) {
		warn_lib(verb, &e, rc);
		rv = -1;
	}
	for (i = 0; i < t->n; i++) {
		printf("%s %s ", m[i].mac, sip_reboot_event_name(m[i].outcome));
		put_safe(stdout, m[i].detail, "");
		putchar('\n');
		if (m[i].outcome == SIP_REBOOT_FAILED)
			rv = -1;
	}
 out:
	free(claimed);
	free(ip);
	free(m);
	return rv;
}

/* The argument of --policy (reboot) or --reboot (set-action). */
int
reboot_policy(const char *verb, const char *opt, const char *arg,
    enum sip_reboot_policy *p)
{
	if (sip_reboot_policy_parse(arg, p) == SIP_OK)
		return 0;
	warnx("%s: %s: '%s': not a policy (wait, idle or force)", verb, opt,
	    arg);
	return -1;
}

int
cmd_reboot(const struct command *c, struct ctx *ctx, int argc, char *argv[])
{
	struct sip_targets t = { NULL, NULL, 0, 0, NULL, NULL };
	struct sip_store *st = NULL;
	struct sip_err e = { "" };
	enum sip_reboot_policy policy = SIP_REBOOT_IDLE;
	const char *at = NULL, *pol = NULL;
	time_t due = 0;
	int rv = 1;
	const struct verb_option vo[] = {
		{ "at",		NULL,	&at },
		{ "policy",	NULL,	&pol },
	};

	if (verb_targets(c, &argc, &argv, vo, nitems(vo), &rv) == -1)
		return rv;
	if (pol != NULL && reboot_policy(c->name, "--policy", pol,
	    &policy) == -1)
		return EXIT_USAGE;
	if (machines_open(c, ctx, argc, argv, &t, &st) == -1)
		goto out;
	if (cli_authorize(c->name, ctx, st, &t) == -1)
		goto out;
	/* The bounds of set-action's --at: a typo is not a reboot next year. */
	if (at != NULL && sip_at_parse(at, ctx->now, &due, &e) != SIP_OK) {
		warnx("%s: --at: %s", c->name, e.msg);
		goto out;
	}
	if (due > ctx->now) {
		if (st == NULL) {
			warnx("%s: --at: no database at %s (se3-ipxe init "
			    "creates it): nowhere to keep the reboot until then",
			    c->name, ctx->cfg.db_path);
			goto out;
		}
		if (reboot_schedule(c->name, ctx, st, &t, policy, due,
		    NULL) == -1)
			goto out;
	} else if (reboot_targets(c->name, ctx, st, &t, policy) == -1)
		goto out;
	rv = 0;
 out:
	machines_close(&t, st);
	return rv;
}
