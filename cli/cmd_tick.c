/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tick verb (and cleanup, its old name): the periodic work cron runs every minute. */

#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "se3ipxe.h"
#include "cli.h"

/* cleanup kept its own line: scripts written for it may read it. */
static void
cleanup_summary(const struct sip_tick_result *res)
{
	if (res->expired > 0 || res->purged_actions > 0 ||
	    res->purged_history > 0)
		printf("expired %zu action%s, purged %zu finished action%s "
		    "and %zu history row%s\n",
		    res->expired, res->expired == 1 ? "" : "s",
		    res->purged_actions, res->purged_actions == 1 ? "" : "s",
		    res->purged_history, res->purged_history == 1 ? "" : "s");
}

static void
tick_summary(const struct sip_tick_result *res,
    const struct sip_tick_power *pw)
{
	printf("tick: folded %zu boot%s, started %zu, held %zu for blackout, "
	    "expired %zu, woke %zu (%zu again), woken %zu, gave up %zu, "
	    "failed %zu, purged %zu action%s and %zu history row%s\n",
	    res->folded, res->folded == 1 ? "" : "s", res->started,
	    res->held, res->expired, pw->sent, pw->retried, pw->woken, pw->gave_up,
	    pw->failed, res->purged_actions,
	    res->purged_actions == 1 ? "" : "s", res->purged_history,
	    res->purged_history == 1 ? "" : "s");
	/* A line of its own, only when there were any: the one above stays. */
	if (res->reaped > 0)
		printf("tick: removed %zu dead upload%s of the image store\n",
		    res->reaped, res->reaped == 1 ? "" : "s");
	if (res->orphans > 0)
		printf("tick: removed %zu orphan part%s of the image store "
		    "(no manifest)\n", res->orphans,
		    res->orphans == 1 ? "" : "s");
	if (res->sessions_failed > 0)
		printf("tick: %zu multicast session%s failed: no runner\n",
		    res->sessions_failed, res->sessions_failed == 1 ? "" : "s");
	if (res->sessions_purged > 0)
		printf("tick: purged %zu ended multicast session%s with their "
		    "logs\n", res->sessions_purged,
		    res->sessions_purged == 1 ? "" : "s");
}

/* One line per failure, for cron's mail or the journal. */
static void
tick_failed(void *arg, const char *mac, const struct sip_err *e)
{
	const char *verb = arg;

	warnx("%s: %s: %s", verb, mac, e->msg);
}

int
cmd_tick(const struct command *c, struct ctx *ctx, int argc, char *argv[])
{
	static char quiet_long[] = "--quiet";
	struct sip_err e = { "" };
	struct sip_store *st = NULL;
	struct sip_tick_result res;
	struct sip_tick_power pw;
	enum sip_rc rc;
	int i, quiet = 0, rv = 1;
	const struct verb_option vo[] = {
		{ "quiet",	&quiet,	NULL },
	};

	/* -q is what a crontab line is written with; getopt here is long only. */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "-q") == 0)
			argv[i] = quiet_long;
	if (verb_noargs(c, argc, argv, vo, nitems(vo), &rv) == -1)
		return rv;
	if (ctx_setup(c, ctx) == -1)
		goto out;
	if (store_open(c->name, ctx, c->flags & CMD_STORE, &st) == -1)
		goto out;
	/* No database yet: nothing to do, and cron must stay quiet. */
	if (st == NULL) {
		rv = 0;
		goto out;
	}
	rc = sip_tick(st, &ctx->cfg, ctx->now, &res, &e);
	seen_warn_bad(c->name, ctx, res.bad);
	if (rc != SIP_OK) {
		warn_lib(c->name, &e, rc);
		goto out;
	}
	if ((rc = sip_tick_power(st, &ctx->cfg, ctx->now, &pw, tick_failed,
	    (void *)(uintptr_t)c->name, &e)) != SIP_OK) {
		warn_lib(c->name, &e, rc);
		goto out;
	}
	if (strcmp(c->name, "cleanup") == 0) {
		if (!quiet)
			cleanup_summary(&res);
	} else if (!quiet)
		tick_summary(&res, &pw);
	rv = 0;
 out:
	if (st != NULL)
		sip_store_close(st);
	return rv;
}
