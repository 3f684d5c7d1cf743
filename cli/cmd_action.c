/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The verbs that change actions: set-action and cancel. */

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "cli.h"

/*
 * What is wrong with TARGET... ACTION, the n arguments before the first
 * KEY=VALUE, or NULL.  The last one is the ACTION: a MAC there, or an
 * ACTION alone, means an operand is missing, not that it is malformed.
 */
static const char *
operands_missing(char *const *argv, int n)
{
	struct sip_mac mac;
	char module[SIP_NAME_MAX], capname[SIP_NAME_MAX];

	if (n == 0)
		return "missing TARGET and ACTION";
	if (sip_mac_parse(argv[n - 1], &mac) == SIP_OK) {
		if (sip_action_name_split(argv[0], module, capname) == SIP_OK)
			return "ACTION must come after the TARGETs";
		return "missing ACTION after the TARGETs";
	}
	if (n == 1)
		return "missing TARGET before the ACTION";
	return NULL;
}

/* How many machines a confirmation names before "and N more". */
#define CONFIRM_LIST_MAX	10

/*
 * A destructive action is written only once the admin said so: "yes"
 * typed at the terminal, or --yes without one.  Returns 0 to go on.
 */
static int
confirm_destructive(const char *verb, const char *action,
    const struct sip_targets *t, int yes)
{
	char answer[16];
	size_t i;

	if (yes)
		return 0;
	if (!isatty(STDIN_FILENO)) {
		warnx("%s: %s is destructive: it would erase the disks of %zu "
		    "machine%s; nothing done without --yes (no terminal to "
		    "ask)", verb, action, t->n, t->n == 1 ? "" : "s");
		return -1;
	}
	fprintf(stderr, "This will ERASE the disks of %zu machine%s (", t->n,
	    t->n == 1 ? "" : "s");
	for (i = 0; i < t->n && i < CONFIRM_LIST_MAX; i++)
		fprintf(stderr, "%s%s", i > 0 ? ", " : "", t->p[i]);
	if (t->n > CONFIRM_LIST_MAX)
		fprintf(stderr, " and %zu more", t->n - CONFIRM_LIST_MAX);
	fprintf(stderr, ") with %s. Type yes: ", action);
	fflush(stderr);
	if (fgets(answer, sizeof(answer), stdin) == NULL ||
	    strcmp(answer, "yes\n") != 0) {
		warnx("%s: not confirmed: nothing done", verb);
		return -1;
	}
	return 0;
}

/*
 * After set-action's checks, before anything is written (clone shares it):
 * what the admin should know, where each wake packet goes, and the
 * confirmation of a destructive action.  0 to go on.
 */
int
setaction_confirm(const char *verb, const struct ctx *ctx,
    struct sip_store *st, const struct sip_setaction *sa,
    const struct sip_targets *t, int wol, int yes, struct wake **w)
{
	size_t i;

	*w = NULL;
	if (sa->unchecked > 0)
		warnx("%s: %zu machine%s without an inventory of disk sizes "
		    "(worker:report): the image's fit is checked by the worker "
		    "before it writes", verb, sa->unchecked,
		    sa->unchecked == 1 ? "" : "s");
	/* Where each packet goes is known before the actions are written. */
	if (wol && wake_prepare(verb, ctx, st, t, w) == -1)
		return -1;
	if (sa->cap->destructive && confirm_destructive(verb, sa->action, t,
	    yes) == -1)
		return -1;
	for (i = 0; i < t->n; i++)
		if (sa->badhost[i])
			warnx("%s: %s: machine name '%s' is no host name "
			    "(1 to 63 of a-z 0-9 -): not recorded, the "
			    "system is named after its MAC", verb, t->p[i],
			    t->name[i]);
	return 0;
}

/*
 * Once the actions are written (clone shares it): one line per machine,
 * then the wake and the reboot, now or (by the tick) when they start.
 * 0, or 1 when a wake or a reboot failed.
 */
int
setaction_done(const char *verb, const struct ctx *ctx, struct sip_store *st,
    const struct sip_setaction *sa, const struct sip_targets *t,
    const int64_t *ids, const struct wake *w, const char *reboot,
    enum sip_reboot_policy policy)
{
	char tbuf[32], sbuf[32];
	int64_t start = sa->start;
	size_t i;
	int rv = 0;

	fmt_time(tbuf, sizeof(tbuf), sa->expires_at, 0);
	fmt_time(sbuf, sizeof(sbuf), start, 0);
	if (sa->cap->destructive)
		warnx("%s: warning: %s is destructive: it may erase the disks "
		    "of %zu machine%s", verb, sa->action, t->n,
		    t->n == 1 ? "" : "s");
	if (sa->bend != 0)
		warnx("%s: %s is destructive and %s is in a [blackout] window: "
		    "it waits for the window's end, %s", verb, sa->action,
		    sa->at != NULL ? "its start" : "now", sbuf);
	for (i = 0; i < t->n; i++) {
		if (sa->old[i] != NULL) {
			fprintf(stderr, "se3-ipxe: %s: %s: replaces ", verb,
			    t->p[i]);
			put_safe(stderr, sa->old[i]->name, "?");
			fprintf(stderr, " (%s)\n",
			    sip_state_name(sa->old[i]->state));
		}
		printf("%s %s %s (", t->p[i], sa->action,
		    sip_state_name(start > ctx->now ? SIP_ST_SCHEDULED :
		    SIP_ST_PENDING));
		if (start > ctx->now)
			printf("starts %s, ", sbuf);
		printf("max %d boot%s, expires %s)\n", sa->max_boots,
		    sa->max_boots == 1 ? "" : "s", tbuf);
	}
	/* A wake later goes with the actions' start: the tick sends it. */
	if (w != NULL && (start > ctx->now ? wake_schedule(verb, ctx, st, w,
	    (time_t)start, ids) : wake_send(verb, ctx, st, w)) == -1)
		rv = 1;
	/*
	 * After the actions are written: the reboot boots into them, now or
	 * (by the tick) when they start.
	 */
	if (reboot != NULL && (start > ctx->now ? reboot_schedule(verb,
	    ctx, st, t, policy, (time_t)start, ids) : reboot_targets(verb,
	    ctx, st, t, policy)) == -1)
		rv = 1;
	return rv;
}

int
cmd_set_action(const struct command *c, struct ctx *ctx, int argc,
    char *argv[])
{
	struct sip_err e = { "" };
	struct sip_targets t = { NULL, NULL, 0, 0, NULL, NULL };
	struct sip_setaction sa;
	struct sip_store *st = NULL;
	struct wake *w = NULL;
	const char *what;
	int64_t *ids = NULL;
	const char *reboot = NULL;
	enum sip_reboot_policy policy = SIP_REBOOT_WAIT;
	enum sip_rc rc;
	int k, rv = 1, wol = 0, yes = 0;
	const struct verb_option vo[] = {
		{ "at",		NULL,	&sa.at },
		{ "expires",	NULL,	&sa.expires_arg },
		{ "max-boots",	NULL,	&sa.max_boots_arg },
		{ "wol",	&wol,	NULL },
		{ "reboot",	NULL,	&reboot },
		{ "yes",	&yes,	NULL },
		{ "uuid",	NULL,	&sa.uuid },
		{ "serial",	NULL,	&sa.serial },
	};

	memset(&sa, 0, sizeof(sa));
	if (verb_options(c, argc, argv, vo, nitems(vo), &rv) == -1)
		return rv;
	argc -= optind;
	argv += optind;

	/*
	 * TARGET... ACTION [KEY=VALUE...]: the options are the arguments from
	 * the first one with a '=' on; the action is the argument before them
	 * (neither a MAC nor an action has a '='), the targets are the rest.
	 */
	for (k = 0; k < argc; k++)
		if (strchr(argv[k], '=') != NULL)
			break;
	if ((what = operands_missing(argv, k)) != NULL) {
		warnx("%s: %s", c->name, what);
		return verb_usage(c, EXIT_USAGE);
	}
	sa.action = argv[k - 1];
	sa.assignments = argv + k;
	sa.nassignments = (size_t)(argc - k);
	if (reboot != NULL && reboot_policy(c->name, "--reboot", reboot,
	    &policy) == -1)
		return EXIT_USAGE;
	if (ctx_setup(c, ctx) == -1)
		goto out;
	sa.who = ctx->who;

	/* Validate everything before anything is written (lib/setaction.c). */
	if (sip_setaction_name(&sa, &e) != SIP_OK) {
		warnx("%s: %s", c->name, e.msg);
		goto out;
	}
	if (targets_parse(c->name, ctx, argv, k - 1, &t) == -1)
		goto out;
	if ((rc = sip_setaction_prepare(&ctx->cfg, &sa, &t, ctx->now, &e)) !=
	    SIP_OK) {
		if (rc == SIP_ENOMEM)
			errx(1, "out of memory");
		warn_lib(c->name, &e, rc);
		goto out;
	}
	if (store_open(c->name, ctx, c->flags & CMD_STORE, &st) == -1)
		goto out;
	if (cli_authorize(c->name, ctx, st, &t) == -1)
		goto out;
	if ((rc = sip_setaction_check(&ctx->cfg, st, &sa, &t, &e)) !=
	    SIP_OK) {
		warn_lib(c->name, &e, rc);
		goto out;
	}
	if (setaction_confirm(c->name, ctx, st, &sa, &t, wol, yes, &w) == -1)
		goto out;
	ids = xcalloc(t.n, sizeof(*ids));
	if ((rc = sip_setaction_write(st, &sa, &t, ctx->now, ids, &e)) !=
	    SIP_OK) {
		warn_lib(c->name, &e, rc);
		goto out;
	}
	rv = setaction_done(c->name, ctx, st, &sa, &t, ids, w, reboot, policy);
 out:
	wake_free(w);
	free(ids);
	if (st != NULL)
		sip_store_close(st);
	sip_setaction_free(&sa);
	sip_targets_free(&t);
	return rv;
}

/* ------------------------------------------------------------- cancel */

int
cmd_cancel(const struct command *c, struct ctx *ctx, int argc, char *argv[])
{
	struct sip_err e = { "" };
	struct sip_targets t = { NULL, NULL, 0, 0, NULL, NULL };
	struct sip_store *st = NULL;
	struct sip_action *act;
	size_t i, n;
	enum sip_rc rc;
	int rv = 1;

	if (verb_targets(c, &argc, &argv, NULL, 0, &rv) == -1)
		return rv;
	if (machines_open(c, ctx, argc, argv, &t, &st) == -1)
		goto out;
	if (st == NULL) {	/* and none is created for nothing */
		warnx("%s: no database at %s: nothing to cancel", c->name,
		    ctx->cfg.db_path);
		goto out;
	}
	if (cli_authorize(c->name, ctx, st, &t) == -1)
		goto out;
	rv = 0;
	for (i = 0; i < t.n; i++) {
		if (active_action(c->name, st, t.p[i], &act) == -1) {
			rv = 1;
			continue;
		}
		n = 0;
		rc = sip_store_cancel(st, &t.p[i], 1, ctx->who, ctx->now, &n,
		    &e);
		if (rc != SIP_OK) {
			warn_lib(c->name, &e, rc);
			rv = 1;
		} else if (n == 0) {
			warnx("%s: %s: no active action", c->name, t.p[i]);
			rv = 1;
		} else {
			printf("%s ", t.p[i]);
			put_safe(stdout, act != NULL ? act->name : NULL,
			    "action");
			printf(" cancelled\n");
		}
		if (act != NULL)
			sip_action_free(act);
	}
 out:
	machines_close(&t, st);
	return rv;
}

