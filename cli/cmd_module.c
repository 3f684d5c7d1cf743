/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The verbs about modules and what they serve: preview, actions and check. */

#include <sys/stat.h>

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


/* Where ipxe.cgi is installed (se3-ipxe(8), README). */
#define PREVIEW_SCRIPT_NAME	"/cgi-bin/ipxe.cgi"

/* One line of untrusted text on stderr, escaped for the terminal. */
static void
line_warn(const char *verb, const char *text)
{
	char *p;

	p = safe_dup(text, NULL);
	warnx("%s: %s", verb, p);
	free(p);
}

int
cmd_preview(const struct command *c, struct ctx *ctx, int argc,
    char *argv[])
{
	struct sip_err e = { "" };
	struct sip_targets t = { NULL, NULL, 0, 0, NULL, NULL };
	struct sip_request req;
	struct sip_reason reason;
	struct sip_buf out;
	struct sip_buf trace = { NULL, 0, 0, 0 };
	struct sip_store *st = NULL;
	struct sip_status_row *rows = NULL;
	size_t nrows = 0;
	const char *platform = NULL, *host = NULL, *line, *nl;
	enum sip_platform plat;
	char *p, hostname[256];
	enum sip_rc rc = SIP_OK;
	int rv = 1;
	const struct verb_option vo[] = {
		{ "host",	NULL,	&host },
		{ "platform",	NULL,	&platform },
	};

	if (verb_one_target(c, &argc, &argv, vo, nitems(vo), &rv) == -1)
		return rv;
	sip_buf_init(&out);
	if (ctx_setup(c, ctx) == -1)
		goto out;
	if (platform != NULL && sip_platform_parse(platform, &plat) != SIP_OK) {
		warnx("%s: --platform: '%s': not pcbios or efi", c->name,
		    platform);
		goto out;
	}
	if (targets_parse(c->name, ctx, argv, argc, &t) == -1)
		goto out;

	/*
	 * ipxe.cgi builds the URLs the configuration leaves empty from the
	 * request: preview assumes a request to this host, as ipxe.cgi is
	 * installed (the trace says which URLs that gave).
	 */
	if (host == NULL) {
		host = "127.0.0.1";
		if (gethostname(hostname, sizeof(hostname)) == 0 &&
		    hostname[sizeof(hostname) - 1] == '\0' &&
		    sip_value_check(SIP_T_HOST, hostname) == SIP_OK)
			host = hostname;
	} else if (sip_value_check(SIP_T_HOST, host) != SIP_OK) {
		p = safe_dup(host, NULL);
		warnx("%s: --host: '%s': not a host name or IPv4 address "
		    "(with an optional :PORT)", c->name, p);
		free(p);
		goto out;
	}
	memset(&req, 0, sizeof(req));
	memcpy(req.mac, t.mac[0], sizeof(req.mac));
	req.platform = platform;
	req.host = host;
	req.script_name = PREVIEW_SCRIPT_NAME;
	/*
	 * The machine as it last booted (as of the last fold): its SMBIOS
	 * identity and model decide its answer too.  No database, no boot.
	 */
	if (sip_store_open(ctx->cfg.db_path, SIP_STORE_RO,
	    ctx->cfg.busy_timeout_ms, &st, NULL) == SIP_OK &&
	    sip_store_status(st, &t.p[0], 1, &rows, &nrows, NULL) == SIP_OK &&
	    nrows == 1 && rows[0].machine != NULL) {
		req.uuid = rows[0].machine->uuid;
		req.serial = rows[0].machine->serial;
		req.manufacturer = rows[0].machine->manufacturer;
		req.product = rows[0].machine->product;
	}
	if (ctx->cfg.cgi_url == NULL || ctx->cfg.cgi_url[0] == '\0' ||
	    ctx->cfg.boot_url == NULL || ctx->cfg.boot_url[0] == '\0')
		warnx("%s: assuming a request to Host %s, SCRIPT_NAME %s "
		    "(--host)", c->name, host, PREVIEW_SCRIPT_NAME);
	memset(&reason, 0, sizeof(reason));
	sip_answer_preview(&ctx->cfg, &req, ctx->now, &out, &trace, &reason,
	    &rc, &e);
	if (out.failed || trace.failed) {
		warnx("%s: out of memory", c->name);
		goto out;
	}
	for (line = trace.data; line != NULL && *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			break;
		p = xasprintf("%.*s", (int)(nl - line), line);
		line_warn(c->name, p);
		free(p);
	}
	if (out.len > 0)
		fwrite(out.data, 1, out.len, stdout);
	p = safe_dup(reason.text, NULL);
	warnx("%s: %s", c->name, p);
	free(p);
	if (rc != SIP_OK)
		warn_lib(c->name, &e, rc);
	rv = 0;
 out:
	sip_buf_free(&out);
	sip_buf_free(&trace);
	sip_status_free(rows, nrows);
	if (st != NULL)
		sip_store_close(st);
	sip_targets_free(&t);
	return rv;
}

/* ------------------------------------------------------------ actions */

static int64_t
cap_expires(const struct ctx *ctx, const struct sip_capability *cap)
{
	return cap->expires > 0 ? cap->expires : ctx->cfg.expires;
}

static int
cap_max_boots(const struct ctx *ctx, const struct sip_capability *cap)
{
	return cap->max_boots > 0 ? cap->max_boots : ctx->cfg.max_boots;
}

/* passes=integer 1..10 (default 1): the number of passes */
static void
option_text(const struct sip_option *o)
{
	size_t i;

	printf("\t%s=%s", o->name, sip_opt_type_name(o->type));
	switch (o->type) {
	case SIP_OPT_ENUM:
		for (i = 0; o->values != NULL && o->values[i] != NULL; i++) {
			putchar(i == 0 ? ' ' : '|');
			put_safe(stdout, o->values[i], "");
		}
		break;
	case SIP_OPT_INTEGER:
		printf(" %lld..%lld", (long long)o->min, (long long)o->max);
		break;
	case SIP_OPT_BOOLEAN:
		fputs(" yes|no", stdout);
		break;
	case SIP_OPT_NAME:
		if (o->pattern != NULL) {
			fputs(" /", stdout);
			put_safe(stdout, o->pattern, "");
			putchar('/');
		}
		/* What shell completion offers: the catalogue's images. */
		if (o->exists_image)
			fputs(" of the catalogue", stdout);
		break;
	case SIP_OPT_TEXT:
		printf(" of at most %lld bytes", (long long)o->max);
		break;
	default:
		break;
	}
	if (o->def != NULL) {
		fputs(" (default ", stdout);
		put_safe(stdout, o->def[0] != '\0' ? o->def : "empty", "");
		putchar(')');
	} else
		fputs(" (required)", stdout);
	if (o->description != NULL) {
		fputs(": ", stdout);
		put_safe(stdout, o->description, "");
	}
	putchar('\n');
}

static void
capability_text(const struct ctx *ctx, const struct sip_module *m,
    const struct sip_capability *cap)
{
	char dbuf[32];
	size_t i;
	int maxb;

	printf("%s:%s", m->name, cap->name);
	if (cap->description != NULL) {
		fputs(" - ", stdout);
		put_safe(stdout, cap->description, "");
	}
	maxb = cap_max_boots(ctx, cap);
	sip_duration_format(cap_expires(ctx, cap), dbuf, sizeof(dbuf));
	printf("\n\tcompletion %s, max %d boot%s, expires %s%s\n",
	    sip_completion_name(cap->completion), maxb, maxb == 1 ? "" : "s",
	    dbuf, cap->destructive ? ", destructive" : "");
	/* File names are [A-Za-z0-9._-]: nothing to escape. */
	if (cap->nfiles > 0) {
		fputs("\tfiles", stdout);
		for (i = 0; i < cap->nfiles; i++)
			printf(" %s:%s%s", cap->files[i],
			    sip_template_kind_name(cap->file_kinds[i]),
			    cap->file_secret[i] ? ":secret" : "");
		putchar('\n');
	}
	for (i = 0; i < cap->noptions; i++)
		option_text(&cap->options[i]);
}

static void
option_json(struct sip_buf *b, const struct sip_option *o)
{
	sip_buf_puts(b, "{\"name\":");
	sip_json_str(b, o->name);
	sip_json_kstr(b, "type", sip_opt_type_name(o->type));
	sip_json_kstr(b, "description", o->description);
	sip_json_kstr(b, "default", o->def);
	sip_json_kbool(b, "required", o->def == NULL);
	if (o->exists_image)
		sip_json_kstr(b, "exists", "image");
	switch (o->type) {
	case SIP_OPT_ENUM:
		sip_buf_puts(b, ",\"values\":");
		sip_json_strings(b, (const char *const *)o->values, SIZE_MAX);
		break;
	case SIP_OPT_INTEGER:
		sip_json_kint(b, "min", o->min);
		sip_json_kint(b, "max", o->max);
		break;
	case SIP_OPT_BOOLEAN:
		sip_buf_puts(b, ",\"values\":[\"yes\",\"no\"]");
		break;
	case SIP_OPT_NAME:
		sip_json_kstr(b, "pattern", o->pattern);
		break;
	case SIP_OPT_TEXT:
		sip_json_kint(b, "maxlen", o->max);
		break;
	default:
		break;
	}
	sip_buf_puts(b, "}");
}

static void
capability_json(struct sip_buf *b, const struct ctx *ctx,
    const struct sip_module *m, const struct sip_capability *cap)
{
	size_t i;

	sip_buf_puts(b, "{\"name\":\"");
	/* Module and capability names are [a-z][a-z0-9_-]*. */
	sip_buf_printf(b, "%s:%s\"", m->name, cap->name);
	sip_json_kstr(b, "module", m->name);
	sip_json_kstr(b, "capability", cap->name);
	sip_json_kstr(b, "description", cap->description);
	sip_json_kstr(b, "completion", sip_completion_name(cap->completion));
	sip_json_kint(b, "max_boots", cap_max_boots(ctx, cap));
	sip_json_kint(b, "expires", cap_expires(ctx, cap));
	sip_json_kbool(b, "destructive", cap->destructive);
	sip_buf_puts(b, ",\"files\":");
	sip_json_strings(b, (const char *const *)cap->files, cap->nfiles);
	sip_buf_puts(b, ",\"file_kinds\":[");
	for (i = 0; i < cap->nfiles; i++) {
		sip_buf_puts(b, i ? "," : "");
		sip_json_str(b, sip_template_kind_name(cap->file_kinds[i]));
	}
	sip_buf_puts(b, "]");
	sip_buf_puts(b, ",\"options\":[");
	for (i = 0; i < cap->noptions; i++) {
		if (i > 0)
			sip_buf_puts(b, ",");
		option_json(b, &cap->options[i]);
	}
	sip_buf_puts(b, "]}");
}

int
cmd_actions(const struct command *c, struct ctx *ctx, int argc,
    char *argv[])
{
	struct sip_err e = { "" };
	struct sip_module **mods = NULL;
	struct sip_buf b = { NULL, 0, 0, 0 };
	size_t nmods = 0, i, j, n = 0;
	enum sip_rc rc;
	int json = 0, rv = 1;
	const struct verb_option vo[] = {
		{ "json",	&json,	NULL },
	};

	if (verb_noargs(c, argc, argv, vo, nitems(vo), &rv) == -1)
		return rv;
	if (ctx_setup(c, ctx) == -1)
		goto out;
	if ((rc = sip_module_scan(ctx->cfg.module_path, &mods, &nmods, &e)) !=
	    SIP_OK) {
		mods = NULL;
		nmods = 0;
		warn_lib(c->name, &e, rc);
		goto out;
	}
	/* An empty list is an answer, but most likely a wrong path. */
	if (nmods == 0)
		warnx("%s: no modules found on %s", c->name,
		    ctx->cfg.module_path);
	if (json)
		sip_buf_puts(&b, "[");
	for (i = 0; i < nmods; i++)
		for (j = 0; j < mods[i]->ncaps; j++, n++) {
			if (json) {
				sip_buf_puts(&b, n > 0 ? ",\n" : "\n");
				capability_json(&b, ctx, mods[i],
				    &mods[i]->caps[j]);
			} else
				capability_text(ctx, mods[i],
				    &mods[i]->caps[j]);
		}
	if (json) {
		sip_buf_puts(&b, n > 0 ? "\n]\n" : "]\n");
		buf_print(&b);
	}
	rv = 0;
 out:
	sip_buf_free(&b);
	if (mods != NULL)
		sip_modules_free(mods, nmods);
	return rv;
}

/* -------------------------------------------------------------- check */

static int
check_template(const struct ctx *ctx, const char *name)
{
	struct sip_err e = { "" };
	struct sip_template *tmpl = NULL;
	enum sip_rc rc;
	char *path;

	path = xasprintf("%s/%s", ctx->cfg.template_dir, name);
	rc = sip_template_load(path, SIP_TEMPLATE_IPXE, sip_builtin_keys, sip_builtin_nkeys,
	    &tmpl, &e);
	if (rc != SIP_OK)
		warn_lib("check", &e, rc);
	else {
		fputs("ok template ", stdout);
		put_safe(stdout, path, "");
		putchar('\n');
	}
	if (rc == SIP_OK && tmpl != NULL)
		sip_template_free(tmpl);
	free(path);
	return rc == SIP_OK ? 0 : -1;
}

/* The active actions, which check_upstreams asks of each module. */
struct check_actions {
	struct sip_status_row	*rows;
	size_t			 nrows;
};

/*
 * How many active actions boot with upstream i of m (with any file of m
 * if i is SIZE_MAX); *first gets the first one's row (NULL if none).
 */
static size_t
upstream_needers(const struct check_actions *ca, const struct sip_module *m,
    size_t i, const struct sip_status_row **first)
{
	char mod[SIP_NAME_MAX], cap[SIP_NAME_MAX];
	const struct sip_action *a;
	size_t j, n = 0;

	*first = NULL;
	for (j = 0; j < ca->nrows; j++) {
		if ((a = ca->rows[j].action) == NULL ||
		    !sip_state_active(a->state) ||
		    sip_action_name_split(a->name, mod, cap) != SIP_OK ||
		    strcmp(mod, m->name) != 0 || (i != SIZE_MAX &&
		    !sip_upstream_needed(m, i, cap, a->options, a->noptions)))
			continue;
		if (n++ == 0)
			*first = &ca->rows[j];
	}
	return n;
}

/*
 * What needs a file that is not there: "MAC's module:capability (state)",
 * and how many more, into buf.
 */
static void
needers_text(char *buf, size_t sz, const struct sip_status_row *r, size_t n)
{
	char st[64];

	snprintf(buf, sz, "%s's %s (%s)", r->action->mac, r->action->name,
	    sip_action_state_text(r->action, st, sizeof(st)));
	if (n > 1)
		snprintf(buf + strlen(buf), sz - strlen(buf), " and %zu more "
		    "action%s", n - 1, n == 2 ? "" : "s");
}

/*
 * The upstream files of m in the boot tree: -1 if one is stale, or is
 * missing (or unverifiable) while an active action boots with it: that
 * machine would fail to boot.  One that no action needs yet is only
 * said: a site installs every module and sets up those it uses.
 */
static int
check_upstreams(const struct ctx *ctx, const struct sip_module *m,
    const struct check_actions *ca)
{
	static const char *const what[] = { "ok", "missing", "stale" };
	const struct sip_status_row *first;
	struct sip_err e = { "" };
	enum sip_up_state state;
	struct stat sb;
	char why[SIP_ERR_MAX], who[SIP_ERR_MAX];
	char *dir;
	enum sip_rc rc;
	size_t i, n, p, needed = 0;
	int rv = 0;

	if (m->nups == 0)
		return 0;
	for (i = 0; i < m->nups; i++)
		if (upstream_needers(ca, m, i, &first) > 0)
			needed++;
	/* Shipped before its release's figures were known: setup refuses it. */
	for (p = 0; p < m->nups; p++)
		if (!m->ups[p].unpinned && m->ups[p].from == NULL &&
		    strspn(m->ups[p].sha256, "0") == SIP_SHA256_HEX)
			break;
	if (p < m->nups) {
		for (i = 0; i < m->nups; i++) {
			if ((n = upstream_needers(ca, m, i, &first)) == 0)
				continue;
			needers_text(who, sizeof(who), first, n);
			warnx("check: module %s: upstream %s cannot be set up "
			    "(a placeholder sha256 in its module.ini), needed "
			    "by %s", m->name, m->ups[i].name, who);
			rv = -1;
		}
		if (rv == -1)
			return rv;
		printf("unverifiable module %s: upstream %s has a placeholder "
		    "sha256 (all zeros): set the release's sha256 and size, "
		    "or a signed sums list, in ", m->name, m->ups[p].name);
		put_safe(stdout, m->dir, "");
		printf("/module.ini\n");
		return 0;
	}
	dir = xasprintf("%s/%s", ctx->cfg.boot_root, m->name);
	if (needed == 0 && stat(dir, &sb) == -1 && errno == ENOENT) {
		printf("unset module %s: %zu upstream file%s, none in ",
		    m->name, m->nups, m->nups == 1 ? "" : "s");
		put_safe(stdout, dir, "");
		printf(" (se3-ipxe setup %s)\n", m->name);
		free(dir);
		return 0;
	}
	free(dir);
	for (i = 0; i < m->nups; i++) {
		if ((rc = sip_upstream_state(ctx->cfg.boot_root, m, i, &state,
		    why, sizeof(why), &e)) != SIP_OK) {
			warn_lib("check", &e, rc);
			rv = -1;
			continue;
		}
		if (state == SIP_UP_OK) {
			printf("ok upstream %s/%s\n", m->name, m->ups[i].name);
			continue;
		}
		n = state == SIP_UP_MISSING ? upstream_needers(ca, m, i,
		    &first) : 0;
		if (state == SIP_UP_MISSING && n == 0) {
			printf("not %s upstream %s/%s (run se3-ipxe setup %s)\n",
			    m->ups[i].from != NULL ? "copied" : "fetched",
			    m->name, m->ups[i].name, m->name);
			continue;
		}
		if (n > 0) {
			needers_text(who, sizeof(who), first, n);
			warnx("check: module %s: upstream %s missing, needed by "
			    "%s: run se3-ipxe setup %s", m->name,
			    m->ups[i].name, who, m->name);
		} else
			warnx("check: module %s: upstream %s %s%s%s: run "
			    "se3-ipxe setup %s", m->name, m->ups[i].name,
			    what[state], why[0] != '\0' ? ", " : "", why,
			    m->name);
		rv = -1;
	}
	return rv;
}

/*
 * A module whose files its setup script builds (the worker) says with its
 * own check script whether they are there and built from its inputs.
 */
static int
check_script(const struct ctx *ctx, const struct sip_module *m,
    const struct check_actions *ca)
{
	static const char *const what[] = { "ok", "missing", "stale" };
	const struct sip_status_row *first;
	struct sip_err e = { "" };
	enum sip_up_state state;
	struct stat sb;
	char *out = NULL, *line, *nl, *dir, who[SIP_ERR_MAX];
	enum sip_rc rc;
	size_t n;
	int ran, unset;

	rc = sip_module_check_script(ctx->cfg.boot_root, m, &out, &ran,
	    &state, &e);
	if (rc == SIP_OK && (!ran || state == SIP_UP_OK)) {
		free(out);
		if (ran)
			printf("ok built %s\n", m->name);
		return 0;
	}
	/*
	 * As for upstream files: a module never set up is only said, until
	 * an active action of it waits.
	 */
	dir = xasprintf("%s/%s", ctx->cfg.boot_root, m->name);
	unset = rc == SIP_OK && state == SIP_UP_MISSING &&
	    stat(dir, &sb) == -1 && errno == ENOENT;
	free(dir);
	if (unset && (n = upstream_needers(ca, m, SIZE_MAX, &first)) > 0) {
		free(out);
		needers_text(who, sizeof(who), first, n);
		warnx("check: module %s: not built, needed by %s: run se3-ipxe "
		    "setup %s", m->name, who, m->name);
		return -1;
	}
	if (unset) {
		free(out);
		printf("unset module %s: not built (se3-ipxe setup %s)\n",
		    m->name, m->name);
		return 0;
	}
	/* What the script said, line by line, with no control byte. */
	for (line = out; line != NULL && *line != '\0'; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		fputs("  ", stdout);
		put_safe(stdout, line, "");
		putchar('\n');
	}
	free(out);
	if (rc != SIP_OK) {
		warn_lib("check", &e, rc);
		return -1;
	}
	warnx("check: module %s: its build is %s: run se3-ipxe setup %s",
	    m->name, what[state], m->name);
	return -1;
}

int
cmd_check(const struct command *c, struct ctx *ctx, int argc, char *argv[])
{
	struct sip_err e = { "" };
	struct sip_module **mods = NULL;
	struct sip_store *st = NULL;
	struct check_actions ca = { NULL, 0 };
	size_t nmods = 0, nmissing, i;
	enum sip_rc rc;
	int rv = 1, dbfail = 0;

	if (verb_noargs(c, argc, argv, NULL, 0, &rv) == -1)
		return rv;
	if (ctx_setup(c, ctx) == -1)
		goto out;
	rv = 0;
	fputs("ok config ", stdout);
	put_safe(stdout, ctx->cfg.path, "(defaults)");
	putchar('\n');

	/*
	 * The database first: its active actions say which upstream files
	 * a machine waits for.  What is wrong with it is said at the end.
	 */
	if (store_open(c->name, ctx, c->flags & CMD_STORE, &st) == -1)
		dbfail = 1;
	else if (st != NULL && (rc = sip_store_status(st, NULL, 0, &ca.rows,
	    &ca.nrows, &e)) != SIP_OK) {
		warn_lib(c->name, &e, rc);
		ca.rows = NULL;
		ca.nrows = 0;
		rv = 1;
	}

	/* Every module, with every template it names (sip_module_load). */
	if ((rc = sip_module_scan(ctx->cfg.module_path, &mods, &nmods, &e)) !=
	    SIP_OK) {
		mods = NULL;
		nmods = 0;
		warn_lib(c->name, &e, rc);
		rv = 1;
	} else if (nmods == 0) {
		/* Only the default answers could be served: a wrong path. */
		warnx("%s: no modules found on %s", c->name,
		    ctx->cfg.module_path);
		rv = 1;
	}
	for (i = 0; i < nmods; i++) {
		printf("ok module %s (%zu capabilit%s) ", mods[i]->name,
		    mods[i]->ncaps, mods[i]->ncaps == 1 ? "y" : "ies");
		put_safe(stdout, mods[i]->dir, "");
		putchar('\n');
		if (check_upstreams(ctx, mods[i], &ca) == -1)
			rv = 1;
		if (check_script(ctx, mods[i], &ca) == -1)
			rv = 1;
	}

	/* The templates of the default answers. */
	if (check_template(ctx, "local.ipxe") == -1)
		rv = 1;
	if (check_template(ctx, "iscsi.ipxe") == -1)
		rv = 1;

	/* The database, if it exists already. */
	if (dbfail)
		rv = 1;
	else if (st == NULL) {
		fputs("ok database ", stdout);
		put_safe(stdout, ctx->cfg.db_path, "");
		fputs(" (not created yet)\n", stdout);
	} else if ((rc = sip_store_integrity(st, &e)) != SIP_OK ||
	    (rc = sip_store_active_verify(st, &nmissing, &e)) != SIP_OK) {
		warn_lib(c->name, &e, rc);
		rv = 1;
	} else {
		fputs("ok database ", stdout);
		put_safe(stdout, ctx->cfg.db_path, "");
		putchar('\n');
	}
 out:
	sip_status_free(ca.rows, ca.nrows);
	if (st != NULL)
		sip_store_close(st);
	if (mods != NULL)
		sip_modules_free(mods, nmods);
	return rv;
}
