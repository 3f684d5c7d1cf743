/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Delegation as in SE3: the rights check every verb that changes machines makes, and the delegate, undelegate and delegations verbs. */

#include <err.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "se3ipxe.h"
#include "cli.h"

#define PARC_PREFIX	"parc:"

/*
 * The rights of the acting login.  Without [ldap] uri there is no
 * directory to hold rights: $SUDO_USER is then a record only, as before
 * SE3 delegation, but a --user that asks to be checked is refused.
 */
static int
rights_load(const char *verb, const struct ctx *ctx, struct sip_store *st,
    struct sip_rights *r)
{
	struct sip_err e = { "" };
	const char *login = ctx->login[0] != '\0' ? ctx->login : NULL;
	const char *pw = NULL;
	enum sip_rc rc;

	memset(r, 0, sizeof(*r));
	if (ctx->login_bad) {
		warnx("%s: $SUDO_USER is not an SE3 login (1 to %d letters, "
		    "digits, '.', '_' or '-'): refused", verb, SIP_LOGIN_MAX);
		return -1;
	}
	if (login != NULL && ctx->user == NULL && ctx->cfg.ldap_uri[0] == '\0')
		login = NULL;
	if (login != NULL && ctx->cfg.ldap_uri[0] != '\0' &&
	    ldap_password(verb, ctx, &pw) == -1)
		return -1;
	rc = sip_rights_load(&ctx->cfg, pw, st, login, r, &e);
	if (rc == SIP_ENOMEM)
		errx(1, "out of memory");
	if (rc != SIP_OK) {
		warn_lib(verb, &e, rc);
		return -1;
	}
	return 0;
}

int
cli_authorize(const char *verb, const struct ctx *ctx, struct sip_store *st,
    const struct sip_targets *t)
{
	struct sip_err e = { "" };
	struct sip_rights r;
	enum sip_rc rc;

	if (rights_load(verb, ctx, st, &r) == -1)
		return -1;
	rc = sip_rights_check(&r, t, &e);
	sip_rights_free(&r);
	if (rc != SIP_OK) {
		warn_lib(verb, &e, rc);
		return -1;
	}
	return 0;
}

/*
 * The verbs on delegations are the admin's (root or [ldap] admin_right);
 * self, when not NULL, is a login whose own delegations anyone may read.
 */
static int
admin_only(const char *verb, const struct ctx *ctx, struct sip_store *st,
    const char *self)
{
	struct sip_rights r;
	int all;

	if (rights_load(verb, ctx, st, &r) == -1)
		return -1;
	all = r.all || (self != NULL && strcasecmp(self, r.login) == 0);
	if (!all)
		warnx("%s: %s may not: delegations are the admin's (root or "
		    "a member of the right %s)", verb, r.login,
		    ctx->cfg.ldap_admin_right);
	sip_rights_free(&r);
	return all ? 0 : -1;
}

/* LOGIN parc:NAME, checked: the parc's name, or NULL once said. */
static const char *
login_parc(const struct command *c, char *argv[])
{
	char *shown;
	const char *parc;

	if (sip_login_check(argv[0]) != SIP_OK) {
		shown = safe_dup(argv[0], NULL);
		warnx("%s: '%s': not an SE3 login (1 to %d letters, digits, "
		    "'.', '_' or '-')", c->name, shown, SIP_LOGIN_MAX);
		free(shown);
		return NULL;
	}
	if (strncmp(argv[1], PARC_PREFIX, strlen(PARC_PREFIX)) != 0 ||
	    sip_value_check(SIP_T_WORD, argv[1] + strlen(PARC_PREFIX)) !=
	    SIP_OK) {
		shown = safe_dup(argv[1], NULL);
		warnx("%s: '%s': not parc:NAME (NAME 1 to 64 letters, digits, "
		    "'.', '_' or '-')", c->name, shown);
		free(shown);
		return NULL;
	}
	parc = argv[1] + strlen(PARC_PREFIX);
	return parc;
}

/* Two operands, LOGIN and parc:NAME, after the options. */
static int
two_operands(const struct command *c, int *argc, char ***argv,
    const struct verb_option *vo, size_t n, int *status)
{
	if (verb_options(c, *argc, *argv, vo, n, status) == -1)
		return -1;
	*argc -= optind;
	*argv += optind;
	if (*argc != 2) {
		warnx("%s: %s", c->name, *argc < 2 ?
		    "missing LOGIN or parc:NAME" : "only one LOGIN and one "
		    "parc:NAME");
		*status = verb_usage(c, EXIT_USAGE);
		return -1;
	}
	return 0;
}

/* The parc must be in the directory: a typo would delegate nothing. */
static int
parc_exists(const char *verb, const struct ctx *ctx, const char *parc)
{
	struct sip_err e = { "" };
	const struct sip_ldap_machine **v = NULL;
	struct sip_ldap *l;
	size_t n = 0;
	enum sip_rc rc;
	int rv = -1;

	if ((l = ldap_connect(verb, ctx, "delegation needs SE3's directory")) ==
	    NULL)
		return -1;
	rc = sip_ldap_parc(l, parc, &v, &n, &e);
	if (rc == SIP_ENOTFOUND)
		warnx("%s: 'parc:%s': no such parc in LDAP", verb, parc);
	else if (rc != SIP_OK)
		warn_lib(verb, &e, rc);
	else
		rv = 0;
	free(v);
	sip_ldap_close(l);
	return rv;
}

int
cmd_delegate(const struct command *c, struct ctx *ctx, int argc,
    char *argv[])
{
	struct sip_err e = { "" };
	struct sip_store *st = NULL;
	const char *level_arg = NULL, *parc;
	enum sip_level level = SIP_LEVEL_MANAGE, had;
	enum sip_rc rc;
	int rv = 1;
	const struct verb_option vo[] = {
		{ "level",	NULL,	&level_arg },
	};

	if (two_operands(c, &argc, &argv, vo, nitems(vo), &rv) == -1)
		return rv;
	if (level_arg != NULL && sip_level_parse(level_arg, &level) !=
	    SIP_OK) {
		warnx("%s: --level: '%s': not manage or view", c->name,
		    level_arg);
		return verb_usage(c, EXIT_USAGE);
	}
	if ((parc = login_parc(c, argv)) == NULL)
		return 1;
	if (ctx_setup(c, ctx) == -1)
		goto out;
	if (store_open(c->name, ctx, c->flags & CMD_STORE, &st) == -1)
		goto out;
	if (admin_only(c->name, ctx, st, NULL) == -1)
		goto out;
	if (parc_exists(c->name, ctx, parc) == -1)
		goto out;
	if ((rc = sip_store_delegate(st, argv[0], parc, level, ctx->who,
	    ctx->now, &had, &e)) != SIP_OK) {
		warn_lib(c->name, &e, rc);
		goto out;
	}
	printf("%s %s parc:%s", argv[0], sip_level_name(level), parc);
	if (had != SIP_LEVEL__MAX && had != level)
		printf(" (was %s)", sip_level_name(had));
	printf("\n");
	rv = 0;
 out:
	if (st != NULL)
		sip_store_close(st);
	return rv;
}

int
cmd_undelegate(const struct command *c, struct ctx *ctx, int argc,
    char *argv[])
{
	struct sip_err e = { "" };
	struct sip_store *st = NULL;
	const char *parc;
	enum sip_rc rc;
	int rv = 1;

	if (two_operands(c, &argc, &argv, NULL, 0, &rv) == -1)
		return rv;
	if ((parc = login_parc(c, argv)) == NULL)
		return 1;
	if (ctx_setup(c, ctx) == -1)
		goto out;
	if (store_open(c->name, ctx, c->flags & CMD_STORE, &st) == -1)
		goto out;
	if (admin_only(c->name, ctx, st, NULL) == -1)
		goto out;
	if (st == NULL) {
		warnx("%s: no database at %s: %s has no delegation on parc %s",
		    c->name, ctx->cfg.db_path, argv[0], parc);
		goto out;
	}
	/* A parc gone from the directory can still be taken back. */
	if ((rc = sip_store_undelegate(st, argv[0], parc, &e)) != SIP_OK) {
		warn_lib(c->name, &e, rc);
		goto out;
	}
	printf("%s parc:%s undelegated\n", argv[0], parc);
	rv = 0;
 out:
	if (st != NULL)
		sip_store_close(st);
	return rv;
}

static void
delegations_json(const struct sip_delegation *d, size_t n)
{
	struct sip_buf b;
	size_t i;

	sip_buf_init(&b);
	sip_buf_puts(&b, "[");
	for (i = 0; i < n; i++) {
		sip_buf_puts(&b, i > 0 ? ",{\"login\":" : "{\"login\":");
		sip_json_str(&b, d[i].login);
		sip_json_kstr(&b, "parc", d[i].parc);
		sip_json_kstr(&b, "level", sip_level_name(d[i].level));
		sip_json_kstr(&b, "set_by", d[i].set_by);
		sip_json_kint(&b, "set_at", d[i].set_at);
		sip_buf_puts(&b, "}");
	}
	sip_buf_puts(&b, "]\n");
	buf_print(&b);
	sip_buf_free(&b);
}

static void
delegations_table(const struct sip_delegation *d, size_t n)
{
	static const char *const head[] = {
		"LOGIN", "PARC", "LEVEL", "SET BY", "SET AT"
	};
	const size_t cols = nitems(head);
	char **cell = table_new(head, cols, n), tbuf[32];
	size_t i, k;

	for (i = 0; i < n; i++) {
		k = (i + 1) * cols;
		fmt_time(tbuf, sizeof(tbuf), d[i].set_at, 0);
		/* Stored strings are shown, never trusted on a terminal. */
		cell[k] = safe_dup(d[i].login, NULL);
		cell[k + 1] = safe_dup(d[i].parc, NULL);
		cell[k + 2] = xasprintf("%s", sip_level_name(d[i].level));
		cell[k + 3] = safe_dup(d[i].set_by != NULL ? d[i].set_by :
		    "-", NULL);
		cell[k + 4] = xasprintf("%s", tbuf);
	}
	table_print_plain(cell, n + 1, cols);
}

int
cmd_delegations(const struct command *c, struct ctx *ctx, int argc,
    char *argv[])
{
	struct sip_err e = { "" };
	struct sip_store *st = NULL;
	struct sip_delegation *d = NULL;
	const char *login = NULL;
	size_t n = 0;
	enum sip_rc rc;
	int rv = 1, json = 0;
	const struct verb_option vo[] = {
		{ "json",	&json,	NULL },
	};

	if (verb_options(c, argc, argv, vo, nitems(vo), &rv) == -1)
		return rv;
	argc -= optind;
	argv += optind;
	if (argc > 1) {
		warnx("%s: only one LOGIN", c->name);
		return verb_usage(c, EXIT_USAGE);
	}
	if (argc == 1) {
		if (sip_login_check(argv[0]) != SIP_OK) {
			char *shown = safe_dup(argv[0], NULL);

			warnx("%s: '%s': not an SE3 login (1 to %d letters, "
			    "digits, '.', '_' or '-')", c->name, shown,
			    SIP_LOGIN_MAX);
			free(shown);
			return 1;
		}
		login = argv[0];
	}
	if (ctx_setup(c, ctx) == -1)
		goto out;
	if (store_open(c->name, ctx, c->flags & CMD_STORE, &st) == -1)
		goto out;
	if (admin_only(c->name, ctx, st, login) == -1)
		goto out;
	if (st != NULL && (rc = sip_store_delegations(st, login, &d, &n,
	    &e)) != SIP_OK) {
		d = NULL;
		n = 0;
		warn_lib(c->name, &e, rc);
		goto out;
	}
	if (json)
		delegations_json(d, n);
	else if (n > 0)
		delegations_table(d, n);
	rv = 0;
 out:
	sip_delegations_free(d, n);
	if (st != NULL)
		sip_store_close(st);
	return rv;
}

/* The verbs on what is no machine's alone (the image store) are the admin's. */
int
cli_admin(const char *verb, const struct ctx *ctx, struct sip_store *st,
    const char *what)
{
	struct sip_rights r;
	int all;

	if (rights_load(verb, ctx, st, &r) == -1)
		return -1;
	all = r.all;
	if (!all)
		warnx("%s: %s may not: %s are the admin's (root or a member "
		    "of the right %s)", verb, r.login, what,
		    ctx->cfg.ldap_admin_right);
	sip_rights_free(&r);
	return all ? 0 : -1;
}
