/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The multicast verbs: clone (a session: one image to many machines) and session (list, show, cancel, fallback, run). */

#include <sys/file.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "cli.h"


/* A session id operand: a positive integer. */
static int
session_id(const char *verb, const char *arg, int64_t *id)
{
	long long v;

	if (parse_int(arg, 1, INT64_MAX, &v) == -1) {
		warnx("%s: '%s': not a session id (a number `se3-ipxe session "
		    "list` shows)", verb, arg);
		return -1;
	}
	*id = (int64_t)v;
	return 0;
}

/*
 * The runner, detached from this command (lib/mcast_spawn.c): this very
 * program, `se3-ipxe [-c FILE] session run ID`.
 */
static int
runner_spawn(const char *verb, const struct ctx *ctx, int64_t id)
{
	struct sip_err e = { "" };
	char self[4096];
	ssize_t n;
	enum sip_rc rc;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) == -1) {
		warn("%s: /proc/self/exe", verb);
		return -1;
	}
	self[n] = '\0';
	if ((rc = sip_mcast_runner_spawn(&ctx->cfg, self, ctx->cfg_file, id,
	    &e)) != SIP_OK) {
		warn_lib(verb, &e, rc);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------- clone */

int
cmd_clone(const struct command *c, struct ctx *ctx, int argc, char *argv[])
{
	struct sip_err e = { "" };
	struct sip_targets t = { NULL, NULL, 0, 0, NULL, NULL };
	struct sip_store *st = NULL;
	struct sip_targets tm = { NULL, NULL, 0, 0, NULL, NULL };
	struct sip_clone cl;
	struct wake *w = NULL, *wm = NULL;
	const char *port_arg = NULL, *iface = NULL, *minr_arg = NULL;
	const char *maxw_arg = NULL, *start_arg = NULL, *reboot = NULL;
	const char *from = NULL, *prep_arg = NULL;
	char *fromv[1] = { NULL };
	enum sip_reboot_policy policy = SIP_REBOOT_WAIT;
	int64_t *ids = NULL;
	long long v;
	enum sip_rc rc;
	int k, rv = 1, fallback = 0, wol = 0, yes = 0, sysprep = 0;
	const struct verb_option vo[] = {
		{ "port",		NULL,		&port_arg },
		{ "interface",		NULL,		&iface },
		{ "min-receivers",	NULL,		&minr_arg },
		{ "max-wait",		NULL,		&maxw_arg },
		{ "start-timeout",	NULL,		&start_arg },
		{ "fallback",		&fallback,	NULL },
		{ "at",			NULL,		&cl.at },
		{ "wol",		&wol,		NULL },
		{ "reboot",		NULL,		&reboot },
		{ "yes",		&yes,		NULL },
		{ "from",		NULL,		&from },
		{ "sysprep",		&sysprep,	NULL },
		{ "sysprep-timeout",	NULL,		&prep_arg },
	};

	sip_clone_init(&cl);
	if (verb_options(c, argc, argv, vo, nitems(vo), &rv) == -1)
		return rv;
	argc -= optind;
	argv += optind;
	for (k = 0; k < argc; k++)
		if (strchr(argv[k], '=') != NULL)
			break;
	if (k < 2) {
		warnx("%s: %s", c->name, k == 0 ? "missing IMAGE and TARGET" :
		    "missing TARGET after the IMAGE");
		return verb_usage(c, EXIT_USAGE);
	}
	if (sip_image_name_check(argv[0]) != SIP_OK ||
	    strlen(argv[0]) >= sizeof(cl.s.image)) {
		warnx("%s: '%.64s': not an image name", c->name, argv[0]);
		return EXIT_USAGE;
	}
	snprintf(cl.s.image, sizeof(cl.s.image), "%s", argv[0]);
	cl.assignments = argv + k;
	cl.nassignments = (size_t)(argc - k);
	if (port_arg != NULL && (parse_int(port_arg, SIP_MCAST_PORT_MIN,
	    SIP_MCAST_PORT_MAX, &v) == -1 || v % 2 != 0)) {
		warnx("%s: --port: '%s': not an even number from %d to %d "
		    "(udp-sender uses it and the next)", c->name, port_arg,
		    SIP_MCAST_PORT_MIN, SIP_MCAST_PORT_MAX);
		return EXIT_USAGE;
	}
	cl.s.port = port_arg != NULL ? (int)v : 0;
	if (minr_arg != NULL) {
		if (parse_int(minr_arg, 1, SIP_MCAST_MEMBERS_MAX, &v) == -1) {
			warnx("%s: --min-receivers: '%s': not a number from 1 "
			    "to %d", c->name, minr_arg, SIP_MCAST_MEMBERS_MAX);
			return EXIT_USAGE;
		}
		cl.s.min_receivers = (int)v;
	}
	if (maxw_arg != NULL) {
		if (parse_int(maxw_arg, 1, SIP_CLONE_WAIT_MAX - 60, &v) == -1) {
			warnx("%s: --max-wait: '%s': not a number of seconds "
			    "from 1 to %d", c->name, maxw_arg,
			    SIP_CLONE_WAIT_MAX - 60);
			return EXIT_USAGE;
		}
		cl.s.max_wait = (int)v;
	}
	if (start_arg != NULL) {
		if (parse_int(start_arg, 10, 86400, &v) == -1) {
			warnx("%s: --start-timeout: '%s': not a number of "
			    "seconds from 10 to 86400", c->name, start_arg);
			return EXIT_USAGE;
		}
		cl.s.start_timeout = (int)v;
	}
	if (iface != NULL) {
		if (!sip_ifname_ok(iface)) {
			warnx("%s: --interface: '%.32s': not an interface name "
			    "(1 to 15 of A-Z a-z 0-9 . _ -)", c->name, iface);
			return EXIT_USAGE;
		}
		snprintf(cl.s.interface, sizeof(cl.s.interface), "%s", iface);
	}
	if (reboot != NULL && reboot_policy(c->name, "--reboot", reboot,
	    &policy) == -1)
		return EXIT_USAGE;
	if (prep_arg != NULL) {
		if (parse_int(prep_arg, 60, SIP_SYSPREP_TIMEOUT_MAX, &v) ==
		    -1) {
			warnx("%s: --sysprep-timeout: '%s': not a number of "
			    "seconds from 60 to %d", c->name, prep_arg,
			    SIP_SYSPREP_TIMEOUT_MAX);
			return EXIT_USAGE;
		}
		cl.sysprep_timeout = (int)v;
	}
	if ((sysprep || prep_arg != NULL) && from == NULL) {
		warnx("%s: --sysprep prepares the master: it needs --from",
		    c->name);
		return EXIT_USAGE;
	}
	cl.sysprep = sysprep || prep_arg != NULL;
	cl.s.fallback = fallback;
	if (ctx_setup(c, ctx) == -1)
		goto out;
	cl.who = ctx->who;

	/* Validate everything before anything is written (lib/clone.c). */
	if (targets_parse(c->name, ctx, argv + 1, k - 1, &t) == -1)
		goto out;
	if (from != NULL) {
		fromv[0] = xasprintf("%s", from);
		if (targets_parse(c->name, ctx, fromv, 1, &tm) == -1)
			goto out;
		cl.master = &tm;
	}
	if ((rc = sip_clone_prepare(&ctx->cfg, &cl, &t, ctx->now, &e)) !=
	    SIP_OK) {
		if (rc == SIP_ENOMEM)
			errx(1, "out of memory");
		warn_lib(c->name, &e, rc);
		goto out;
	}
	if (store_open(c->name, ctx, CMD_STORE_EXISTING, &st) == -1)
		goto out;
	if (st == NULL) {
		warnx("%s: no database at %s: no catalogue to send from",
		    c->name, ctx->cfg.db_path);
		goto out;
	}
	if (cli_authorize(c->name, ctx, st, &t) == -1 ||
	    (from != NULL && cli_authorize(c->name, ctx, st, &tm) == -1))
		goto out;
	/* --sysprep: the master's address may be its last boot's. */
	if (cl.sysprep)
		(void)seen_fold(c->name, ctx, st);
	if ((rc = sip_clone_check(&ctx->cfg, st, &cl, &t, &e)) != SIP_OK) {
		warn_lib(c->name, &e, rc);
		goto out;
	}
	/* A master to prepare runs Windows: woken or rebooted, it would leave it. */
	if (setaction_confirm(c->name, ctx, st, &cl.sa, &t, wol, yes, &w) ==
	    -1 || (from != NULL && setaction_confirm(c->name, ctx, st,
	    &cl.save, &tm, wol && !cl.sysprep, yes, &wm) == -1))
		goto out;
	ids = xcalloc(t.n, sizeof(*ids));
	if ((rc = sip_clone_write(st, &cl, &t, ctx->now, ids, &e)) !=
	    SIP_OK) {
		warn_lib(c->name, &e, rc);
		goto out;
	}
	/*
	 * The session is whole from here: a failed wake or reboot is said,
	 * not undone.  The master boots now; the members' wake and reboot
	 * wait with them for its save.
	 */
	rv = 0;
	if (from != NULL && setaction_done(c->name, ctx, st, &cl.save, &tm,
	    &cl.save_id, wm, cl.sysprep ? NULL : reboot, cl.sysprep ?
	    SIP_REBOOT_WAIT : policy) != 0)
		rv = 1;
	if (setaction_done(c->name, ctx, st, &cl.sa, &t, ids, w, reboot,
	    policy) != 0)
		rv = 1;
	if (cl.sysprep)
		printf("session %" PRId64 ": sysprep on %s (%s), then saved as "
		    "%s, then sent to %zu machine%s (they start once it is "
		    "saved), port %d on %s\n", cl.s.id, tm.p[0], cl.s.prep_addr,
		    cl.s.image, t.n, t.n == 1 ? "" : "s", cl.s.port,
		    cl.s.interface);
	else if (from != NULL)
		printf("session %" PRId64 ": %s saved as %s first, then sent to "
		    "%zu machine%s (they start once it is saved), port %d on "
		    "%s\n", cl.s.id, tm.p[0], cl.s.image, t.n, t.n == 1 ? "" :
		    "s", cl.s.port, cl.s.interface);
	else
		printf("session %" PRId64 ": image %s to %zu machine%s, port %d "
		    "on %s\n", cl.s.id, cl.s.image, t.n, t.n == 1 ? "" : "s",
		    cl.s.port, cl.s.interface);
	if (runner_spawn(c->name, ctx, cl.s.id) == -1)
		rv = 1;
 out:
	wake_free(w);
	wake_free(wm);
	free(ids);
	if (st != NULL)
		sip_store_close(st);
	sip_clone_free(&cl);
	sip_targets_free(&tm);
	sip_targets_free(&t);
	free(fromv[0]);
	return rv;
}

/* ------------------------------------------------------------- session */

static void
session_json(struct sip_buf *b, const struct sip_mcast *s,
    const struct sip_mcast_member *m, size_t nm, int members)
{
	size_t i, ok = 0;

	for (i = 0; i < nm; i++)
		ok += sip_member_ok(m[i].mstate);
	sip_buf_puts(b, "{\"id\":");
	sip_buf_printf(b, "%" PRId64, s->id);
	sip_json_kstr(b, "image", s->image);
	sip_json_kstr(b, "state", sip_mcast_state_name(s->state));
	sip_json_kint(b, "port", s->port);
	sip_json_kstr(b, "interface", s->interface);
	sip_json_kint(b, "min_receivers", s->min_receivers);
	sip_json_kint(b, "max_wait", s->max_wait);
	sip_json_kint(b, "start_timeout", s->start_timeout);
	sip_json_kbool(b, "fallback", s->fallback);
	sip_json_kint(b, "created_at", s->created_at);
	sip_json_kstr(b, "created_by", s->created_by);
	sip_json_kint(b, "start_at", s->start_at);
	sip_json_kint(b, "started_at", s->started_at);
	sip_json_kint(b, "ended_at", s->ended_at);
	sip_json_kstr(b, "reason", s->reason);
	/* clone --from's master, and --sysprep's address and deadline (never its token). */
	if (s->source_mac[0] != '\0')
		sip_json_kstr(b, "master", s->source_mac);
	else
		sip_json_knull(b, "master");
	if (s->prep_token[0] != '\0') {
		sip_json_kstr(b, "sysprep_addr", s->prep_addr);
		sip_json_kint(b, "sysprep_until", s->prep_until);
	} else {
		sip_json_knull(b, "sysprep_addr");
		sip_json_knull(b, "sysprep_until");
	}
	sip_json_kint(b, "members", (long long)nm);
	sip_json_kint(b, "verified", (long long)ok);
	if (members) {
		sip_buf_puts(b, ",\"machines\":[");
		for (i = 0; i < nm; i++) {
			sip_buf_puts(b, i > 0 ? ",{\"mac\":" : "{\"mac\":");
			sip_json_str(b, m[i].mac);
			sip_json_kstr(b, "state",
			    sip_member_state_name(m[i].mstate));
			sip_json_kint(b, "action_id", m[i].action_id);
			sip_json_kint(b, "progress", m[i].progress);
			if (m[i].message != NULL)
				sip_json_kstr(b, "message", m[i].message);
			else
				sip_json_knull(b, "message");
			sip_json_kint(b, "joined_at", m[i].joined_at);
			sip_json_kint(b, "dropped_at", m[i].dropped_at);
			sip_json_kint(b, "fallback_id", m[i].fallback_id);
			sip_buf_puts(b, "}");
		}
		sip_buf_puts(b, "]");
	}
	sip_buf_puts(b, "}");
}

/* The session's progress (sip_mcast_slowest), -1 if no machine is on its way. */
static int
slowest(const struct sip_mcast_member *m, size_t nm)
{
	size_t i;
	int p = -1;

	for (i = 0; i < nm; i++)
		sip_mcast_slowest(&p, &m[i]);
	return p;
}

static int
session_list(const char *verb, struct sip_store *st, int json)
{
	struct sip_err e = { "" };
	struct sip_mcast *v = NULL;
	struct sip_mcast_member *m = NULL;
	static const char *const head[] = {
		"ID", "STATE", "IMAGE", "MACHINES", "VERIFIED", "PROGRESS",
		"PORT", "CREATED", "REASON"
	};
	const size_t cols = nitems(head);
	char **cell = NULL, tbuf[32];
	struct sip_buf b;
	size_t n = 0, nm = 0, i, j, ok, k;
	enum sip_rc rc;
	int p;

	if (st != NULL && (rc = sip_mcast_list(st, 0, &v, &n, &e)) != SIP_OK) {
		warn_lib(verb, &e, rc);
		return 1;
	}
	sip_buf_init(&b);
	if (json)
		sip_buf_puts(&b, "[");
	else
		cell = table_new(head, cols, n);
	for (i = 0; i < n; i++) {
		if ((rc = sip_mcast_get(st, v[i].id, &v[i], &m, &nm, &e)) !=
		    SIP_OK) {
			warn_lib(verb, &e, rc);
			continue;
		}
		if (json) {
			if (i > 0)
				sip_buf_puts(&b, ",");
			session_json(&b, &v[i], m, nm, 0);
		} else {
			for (ok = 0, j = 0; j < nm; j++)
				ok += sip_member_ok(m[j].mstate);
			k = (i + 1) * cols;
			fmt_time(tbuf, sizeof(tbuf), v[i].created_at, 0);
			p = slowest(m, nm);
			cell[k] = xasprintf("%" PRId64, v[i].id);
			cell[k + 1] = xasprintf("%s",
			    sip_mcast_state_name(v[i].state));
			cell[k + 2] = safe_dup(v[i].image, NULL);
			cell[k + 3] = xasprintf("%zu", nm);
			cell[k + 4] = xasprintf("%zu", ok);
			cell[k + 5] = p < 0 ? xasprintf("-") :
			    xasprintf("%d%%", p);
			cell[k + 6] = xasprintf("%d", v[i].port);
			cell[k + 7] = xasprintf("%s", tbuf);
			cell[k + 8] = safe_dup(v[i].reason[0] != '\0' ?
			    v[i].reason : "-", NULL);
		}
		sip_mcast_members_free(m, nm);
		m = NULL;
		nm = 0;
	}
	if (json) {
		sip_buf_puts(&b, "]\n");
		buf_print(&b);
	} else
		table_print_plain(cell, n + 1, cols);
	sip_buf_free(&b);
	free(v);
	return 0;
}

static int
session_show(const char *verb, struct sip_store *st, int64_t id, int json)
{
	struct sip_err e = { "" };
	struct sip_mcast s;
	struct sip_mcast_member *m = NULL;
	static const char *const head[] = {
		"MACHINE", "STATE", "PROGRESS", "ACTION", "MESSAGE"
	};
	const size_t cols = nitems(head);
	char **cell, tbuf[32];
	struct sip_buf b;
	size_t nm = 0, i, k;
	enum sip_rc rc;
	int p;

	if (st == NULL) {
		warnx("%s: no multicast session %" PRId64, verb, id);
		return 1;
	}
	if ((rc = sip_mcast_get(st, id, &s, &m, &nm, &e)) != SIP_OK) {
		warn_lib(verb, &e, rc);
		return 1;
	}
	if (json) {
		sip_buf_init(&b);
		session_json(&b, &s, m, nm, 1);
		sip_buf_puts(&b, "\n");
		buf_print(&b);
		sip_buf_free(&b);
		sip_mcast_members_free(m, nm);
		return 0;
	}
	fmt_time(tbuf, sizeof(tbuf), s.created_at, 0);
	p = slowest(m, nm);
	printf("session %" PRId64 ": %s, image ", id,
	    sip_mcast_state_name(s.state));
	put_safe(stdout, s.image, "-");
	printf(", port %d on %s, created %s by %s", s.port, s.interface, tbuf,
	    s.created_by[0] != '\0' ? s.created_by : "-");
	if (p >= 0 && !sip_mcast_final(s.state))
		printf(", %d%% (its slowest machine)", p);
	printf("\n");
	if (s.reason[0] != '\0') {
		printf("reason: ");
		put_safe(stdout, s.reason, "-");
		printf("\n");
	}
	cell = table_new(head, cols, nm);
	for (i = 0; i < nm; i++) {
		k = (i + 1) * cols;
		cell[k] = xasprintf("%s", m[i].mac);
		cell[k + 1] = xasprintf("%s",
		    sip_member_state_name(m[i].mstate));
		cell[k + 2] = m[i].progress < 0 ? xasprintf("-") :
		    xasprintf("%d%%", m[i].progress);
		cell[k + 3] = m[i].fallback_id != 0 ? xasprintf("%" PRId64
		    " -> %" PRId64, m[i].action_id, m[i].fallback_id) :
		    xasprintf("%" PRId64 " %s", m[i].action_id,
		    m[i].astate < SIP_ST__MAX ? sip_state_name(m[i].astate) :
		    "gone");
		cell[k + 4] = safe_dup(m[i].message != NULL ? m[i].message :
		    "-", NULL);
	}
	table_print_plain(cell, nm + 1, cols);
	sip_mcast_members_free(m, nm);
	return 0;
}

/* The members as set-action's targets, for the rights check. */
static int
members_authorize(const char *verb, const struct ctx *ctx,
    struct sip_store *st, int64_t id)
{
	struct sip_err e = { "" };
	struct sip_targets t = { NULL, NULL, 0, 0, NULL, NULL };
	struct sip_mcast s;
	struct sip_mcast_member *m = NULL;
	char **p = NULL;
	size_t nm = 0, i;
	enum sip_rc rc;
	int rv = -1;

	if ((rc = sip_mcast_get(st, id, &s, &m, &nm, &e)) != SIP_OK) {
		warn_lib(verb, &e, rc);
		return -1;
	}
	p = xcalloc(nm + 1, sizeof(*p));
	for (i = 0; i < nm; i++)
		p[i] = m[i].mac;
	if (targets_parse(verb, ctx, p, (int)nm, &t) == -1)
		goto out;
	rv = cli_authorize(verb, ctx, st, &t);
 out:
	sip_targets_free(&t);
	free(p);
	sip_mcast_members_free(m, nm);
	return rv;
}

int
cmd_session(const struct command *c, struct ctx *ctx, int argc, char *argv[])
{
	struct sip_err e = { "" };
	struct sip_targets t = { NULL, NULL, 0, 0, NULL, NULL };
	struct sip_store *st = NULL;
	const char *sub;
	size_t nset = 0;
	int64_t id = 0;
	enum sip_rc rc;
	int rv = 1, json = 0, need;
	const struct verb_option vo[] = {
		{ "json",	&json,	NULL },
	};

	if (verb_options(c, argc, argv, vo, nitems(vo), &rv) == -1)
		return rv;
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		warnx("%s: missing list, show, cancel, fallback or run",
		    c->name);
		return verb_usage(c, EXIT_USAGE);
	}
	sub = argv[0];
	if (strcmp(sub, "list") == 0) {
		if (argc != 1) {
			warnx("%s: list: unexpected argument '%s'", c->name,
			    argv[1]);
			return verb_usage(c, EXIT_USAGE);
		}
	} else if (strcmp(sub, "show") == 0 || strcmp(sub, "cancel") == 0 ||
	    strcmp(sub, "run") == 0 || strcmp(sub, "fallback") == 0) {
		if (argc < 2 || (argc > 2 && strcmp(sub, "fallback") != 0)) {
			warnx("%s: %s: %s", c->name, sub, argc < 2 ?
			    "missing ID" : "one ID only");
			return verb_usage(c, EXIT_USAGE);
		}
		if (session_id(c->name, argv[1], &id) == -1)
			return EXIT_USAGE;
		if (json && strcmp(sub, "show") != 0) {
			warnx("%s: --json: for list and show", c->name);
			return verb_usage(c, EXIT_USAGE);
		}
	} else {
		warnx("%s: '%s': not list, show, cancel, fallback or run",
		    c->name, sub);
		return verb_usage(c, EXIT_USAGE);
	}
	if (ctx_setup(c, ctx) == -1)
		goto out;
	need = strcmp(sub, "list") == 0 || strcmp(sub, "show") == 0 ?
	    CMD_STORE_RO : CMD_STORE_EXISTING;
	if (strcmp(sub, "run") == 0) {
		/* What clone authorised, run as the database's owner. */
		if ((rc = sip_mcast_run(&ctx->cfg, id, "udp-sender", &e)) !=
		    SIP_OK) {
			warn_lib(c->name, &e, rc);
			goto out;
		}
		rv = 0;
		goto out;
	}
	if (store_open(c->name, ctx, need, &st) == -1)
		goto out;
	if (strcmp(sub, "list") == 0) {
		rv = session_list(c->name, st, json);
		goto out;
	}
	if (strcmp(sub, "show") == 0) {
		rv = session_show(c->name, st, id, json);
		goto out;
	}
	if (st == NULL) {
		warnx("%s: no multicast session %" PRId64, c->name, id);
		goto out;
	}
	if (members_authorize(c->name, ctx, st, id) == -1)
		goto out;
	if (strcmp(sub, "cancel") == 0) {
		if ((rc = sip_mcast_cancel_stop(&ctx->cfg, st, id, ctx->who,
		    ctx->now, &e)) != SIP_OK) {
			warn_lib(c->name, &e, rc);
			goto out;
		}
		printf("session %" PRId64 " cancelled\n", id);
		rv = 0;
		goto out;
	}
	/* fallback ID [MACHINE...] */
	if (argc > 2 && targets_parse(c->name, ctx, argv + 2, argc - 2, &t) ==
	    -1)
		goto out;
	if ((rc = sip_mcast_fallback(&ctx->cfg, st, id,
	    (const char *const *)t.p, t.n, ctx->who, ctx->now, &nset, &e)) !=
	    SIP_OK) {
		warn_lib(c->name, &e, rc);
		goto out;
	}
	printf("session %" PRId64 ": %zu machine%s given a unicast "
	    "worker:restore\n", id, nset, nset == 1 ? "" : "s");
	rv = 0;
 out:
	if (st != NULL)
		sip_store_close(st);
	sip_targets_free(&t);
	return rv;
}
