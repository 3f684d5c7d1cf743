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

/* "memtest has: run, quick" for an unknown capability. */
static char *
capability_list(const struct sip_module *mod)
{
	struct sip_buf b;
	size_t i;

	sip_buf_init(&b);
	for (i = 0; i < mod->ncaps; i++)
		sip_buf_printf(&b, "%s%s", i > 0 ? ", " : "",
		    mod->caps[i].name);
	if (b.failed)
		err(1, NULL);
	return b.data != NULL ? b.data : xasprintf("%s", "none");
}

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

int
cmd_set_action(const struct command *c, struct ctx *ctx, int argc,
    char *argv[])
{
	struct sip_err e = { "" };
	struct sip_targets t = { NULL, NULL, 0, 0, NULL, NULL };
	struct sip_module *mod = NULL;
	const struct sip_capability *cap;
	struct sip_kv *opts = NULL;
	struct sip_store *st = NULL;
	struct sip_new_action *na = NULL;
	struct sip_action **old = NULL;
	struct wake *w = NULL;
	char (*hosts)[SIP_HOSTNAME_STRLEN] = NULL;
	const char *what;
	int64_t *ids = NULL, expires, start, expires_at;
	const char *at = NULL, *exp_arg = NULL, *max_arg = NULL, *action;
	const char *reboot = NULL, *uuid = NULL, *serial = NULL;
	enum sip_reboot_policy policy = SIP_REBOOT_WAIT;
	char modname[SIP_NAME_MAX], capname[SIP_NAME_MAX];
	char tbuf[32], sbuf[32], *list;
	size_t nopts = 0, i, unchecked = 0;
	long long maxb;
	time_t tat, bend = 0;
	enum sip_rc rc;
	int k, rv = 1, wol = 0, yes = 0, persistent;
	const struct verb_option vo[] = {
		{ "at",		NULL,	&at },
		{ "expires",	NULL,	&exp_arg },
		{ "max-boots",	NULL,	&max_arg },
		{ "wol",	&wol,	NULL },
		{ "reboot",	NULL,	&reboot },
		{ "yes",	&yes,	NULL },
		{ "uuid",	NULL,	&uuid },
		{ "serial",	NULL,	&serial },
	};

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
	action = argv[k - 1];
	if (reboot != NULL && reboot_policy(c->name, "--reboot", reboot,
	    &policy) == -1)
		return EXIT_USAGE;
	if (ctx_setup(c, ctx) == -1)
		goto out;

	/* Validate everything before anything is written. */
	if (sip_action_name_split(action, modname, capname) != SIP_OK) {
		warnx("%s: '%s': not an action (MODULE:CAPABILITY)", c->name,
		    action);
		goto out;
	}
	if (targets_parse(c->name, ctx, argv, k - 1, &t) == -1)
		goto out;
	if ((rc = sip_module_find(ctx->cfg.module_path, modname, &mod, &e)) !=
	    SIP_OK) {
		mod = NULL;
		if (rc == SIP_ENOTFOUND && e.msg[0] == '\0')
			warnx("%s: '%s': no such module", c->name, modname);
		else
			warn_lib(c->name, &e, rc);
		goto out;
	}
	if ((cap = sip_module_capability(mod, capname)) == NULL) {
		list = capability_list(mod);
		warnx("%s: '%s': no such capability (%s has: %s)", c->name,
		    action, modname, list);
		free(list);
		goto out;
	}
	if ((rc = sip_options_resolve(cap, argv + k, (size_t)(argc - k),
	    &opts, &nopts, &e)) != SIP_OK) {
		opts = NULL;
		nopts = 0;
		warn_lib(c->name, &e, rc);
		goto out;
	}
	/* A secret is named here and read when its file is served. */
	if ((rc = sip_options_secrets_check(&ctx->cfg, cap, opts, nopts,
	    &e)) != SIP_OK) {
		warn_lib(c->name, &e, rc);
		goto out;
	}
	/* An identity names one machine, and binds destructive actions only. */
	if ((uuid != NULL || serial != NULL) && (!cap->destructive ||
	    t.n != 1)) {
		warnx("%s: --%s: only for a destructive action on one machine "
		    "(%s is %sdestructive, %zu machine%s)", c->name,
		    uuid != NULL ? "uuid" : "serial", action,
		    cap->destructive ? "" : "not ", t.n, t.n == 1 ? "" : "s");
		goto out;
	}
	if (uuid != NULL && !sip_smbios_identifying(0, uuid)) {
		warnx("%s: --uuid: '%s': not an SMBIOS UUID that names one "
		    "machine", c->name, uuid);
		goto out;
	}
	if (serial != NULL && !sip_smbios_identifying(1, serial)) {
		warnx("%s: --serial: '%s': not an SMBIOS serial that names one "
		    "machine", c->name, serial);
		goto out;
	}
	/* A persistent action may run longer, never unbounded. */
	persistent = cap->completion == SIP_COMPLETE_PERSISTENT;
	if (max_arg != NULL) {
		if (parse_int(max_arg, MAX_BOOTS_MIN, persistent ?
		    SIP_PERSISTENT_MAX_BOOTS : MAX_BOOTS_MAX, &maxb) == -1) {
			warnx("%s: --max-boots: '%s': not a number from %d to "
			    "%d", c->name, max_arg, MAX_BOOTS_MIN, persistent ?
			    SIP_PERSISTENT_MAX_BOOTS : MAX_BOOTS_MAX);
			goto out;
		}
	} else
		maxb = cap->max_boots > 0 ? cap->max_boots :
		    ctx->cfg.max_boots;
	if (exp_arg != NULL) {
		if (sip_duration_parse(exp_arg, EXPIRES_MIN, persistent ?
		    SIP_PERSISTENT_EXPIRES : EXPIRES_MAX, &expires) !=
		    SIP_OK) {
			warnx("%s: --expires: '%s': not a duration from 1m "
			    "to %s", c->name, exp_arg, persistent ? "365d" :
			    "30d");
			goto out;
		}
	} else
		expires = cap->expires > 0 ? cap->expires : ctx->cfg.expires;
	start = ctx->now;
	if (at != NULL) {
		if (sip_at_parse(at, ctx->now, &tat, &e) != SIP_OK) {
			warnx("%s: --at: %s", c->name, e.msg);
			goto out;
		}
		start = tat;
	}
	/*
	 * A destructive action does not start in a [blackout] window: it is
	 * scheduled for the window's end (and its wake with it).
	 */
	if (cap->destructive && sip_blackout_end(ctx->cfg.blackout,
	    ctx->cfg.nblackout, (time_t)start, &bend))
		start = bend;
	/* Both are bounded, but a sum that wrapped would never expire. */
	if (sip_time_add(start, expires, &expires_at) != SIP_OK) {
		warnx("%s: --at: '%s' plus %lld s overflows", c->name,
		    at != NULL ? at : "now", (long long)expires);
		goto out;
	}

	if (store_open(c->name, ctx, c->flags & CMD_STORE, &st) == -1)
		goto out;
	if (cli_authorize(c->name, ctx, st, &t) == -1)
		goto out;
	/* An image option names a whole image of the catalogue, that fits. */
	if ((rc = sip_options_exists_check(&ctx->cfg, st, cap, opts, nopts,
	    (const char *const *)t.p, t.n, &unchecked, &e)) != SIP_OK) {
		warn_lib(c->name, &e, rc);
		goto out;
	}
	if (unchecked > 0)
		warnx("%s: %zu machine%s without an inventory of disk sizes "
		    "(worker:report): the image's fit is checked by the worker "
		    "before it writes", c->name, unchecked,
		    unchecked == 1 ? "" : "s");
	old = xcalloc(t.n, sizeof(*old));
	for (i = 0; i < t.n; i++)
		if (active_action(c->name, st, t.p[i], &old[i]) == -1)
			goto out;
	/* Where each packet goes is known before the actions are written. */
	if (wol && wake_prepare(c->name, ctx, st, &t, &w) == -1)
		goto out;
	if (cap->destructive && confirm_destructive(c->name, action, &t,
	    yes) == -1)
		goto out;
	na = xcalloc(t.n, sizeof(*na));
	ids = xcalloc(t.n, sizeof(*ids));
	hosts = xcalloc(t.n, sizeof(*hosts));
	for (i = 0; i < t.n; i++) {
		/* The directory's name is untrusted: a label or nothing. */
		if (t.name[i][0] != '\0' && sip_hostname_label(t.name[i],
		    hosts[i]) != SIP_OK)
			warnx("%s: %s: machine name '%s' is no host name "
			    "(1 to 63 of a-z 0-9 -): not recorded, the "
			    "system is named after its MAC", c->name, t.p[i],
			    t.name[i]);
		na[i].host = hosts[i][0] != '\0' ? hosts[i] : NULL;
		na[i].mac = t.p[i];
		na[i].name = action;
		na[i].completion = cap->completion;
		na[i].max_boots = (int)maxb;
		na[i].start_at = at != NULL || bend != 0 ? start : 0;
		na[i].expires_at = expires_at;
		na[i].who = ctx->who;
		na[i].options = opts;
		na[i].noptions = nopts;
		na[i].bind_identity = cap->destructive;
		na[i].uuid = uuid;
		na[i].serial = serial;
	}
	if ((rc = sip_store_set_actions(st, na, t.n, ctx->now, ids, &e)) !=
	    SIP_OK) {
		warn_lib(c->name, &e, rc);
		goto out;
	}

	fmt_time(tbuf, sizeof(tbuf), expires_at, 0);
	fmt_time(sbuf, sizeof(sbuf), start, 0);
	for (i = 0; bend != 0 && i < t.n; i++)
		if ((rc = sip_store_blackout_hold(st, ids[i], t.p[i], bend,
		    ctx->who, ctx->now, &e)) != SIP_OK) {
			warn_lib(c->name, &e, rc);
			goto out;
		}
	if (cap->destructive)
		warnx("%s: warning: %s is destructive: it may erase the disks "
		    "of %zu machine%s", c->name, action, t.n,
		    t.n == 1 ? "" : "s");
	if (bend != 0)
		warnx("%s: %s is destructive and %s is in a [blackout] window: "
		    "it waits for the window's end, %s", c->name, action,
		    at != NULL ? "its start" : "now", sbuf);
	for (i = 0; i < t.n; i++) {
		if (old[i] != NULL) {
			fprintf(stderr, "se3-ipxe: %s: %s: replaces ", c->name,
			    t.p[i]);
			put_safe(stderr, old[i]->name, "?");
			fprintf(stderr, " (%s)\n",
			    sip_state_name(old[i]->state));
		}
		printf("%s %s %s (", t.p[i], action,
		    sip_state_name(start > ctx->now ? SIP_ST_SCHEDULED :
		    SIP_ST_PENDING));
		if (start > ctx->now)
			printf("starts %s, ", sbuf);
		printf("max %lld boot%s, expires %s)\n", maxb,
		    maxb == 1 ? "" : "s", tbuf);
	}
	rv = 0;
	/* A wake later goes with the actions' start: the tick sends it. */
	if (w != NULL && (start > ctx->now ? wake_schedule(c->name, ctx, st, w,
	    (time_t)start, ids) : wake_send(c->name, ctx, st, w)) == -1)
		rv = 1;
	/*
	 * After the actions are written: the reboot boots into them, now or
	 * (by the tick) when they start.
	 */
	if (reboot != NULL && (start > ctx->now ? reboot_schedule(c->name,
	    ctx, st, &t, policy, (time_t)start, ids) : reboot_targets(c->name,
	    ctx, st, &t, policy)) == -1)
		rv = 1;
 out:
	if (old != NULL)
		for (i = 0; i < t.n; i++)
			if (old[i] != NULL)
				sip_action_free(old[i]);
	free(old);
	wake_free(w);
	free(ids);
	free(hosts);
	free(na);
	if (st != NULL)
		sip_store_close(st);
	if (opts != NULL)
		sip_kv_free(opts, nopts);
	if (mod != NULL)
		sip_module_free(mod);
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

