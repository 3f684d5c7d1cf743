/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The upkeep verbs: init, dhcp-config and menu-password. */

#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "cli.h"

/*
 * Only the CLI creates the database (ipxe.cgi answers a missing one with
 * the local disk): the package's postinst, and an admin, run this first.
 * The active list is written too, so that the first boots take the fast
 * path instead of asking the database for it.
 */
int
cmd_init(const struct command *c, struct ctx *ctx, int argc, char *argv[])
{
	struct sip_err e = { "" };
	struct sip_store *st = NULL;
	struct stat sb;
	enum sip_rc rc;
	int existed, rv = 1;

	if (verb_noargs(c, argc, argv, NULL, 0, &rv) == -1)
		return rv;
	if (ctx_setup(c, ctx) == -1)
		goto out;
	existed = stat(ctx->cfg.db_path, &sb) == 0;
	if (store_open(c->name, ctx, c->flags & CMD_STORE, &st) == -1)
		goto out;
	if ((rc = sip_store_active_sync(st, &e)) != SIP_OK) {
		warn_lib(c->name, &e, rc);
		goto out;
	}
	printf("%s %s (schema %d)\n", existed ? "up to date:" : "created",
	    ctx->cfg.db_path, sip_store_schema_version());
	rv = 0;
 out:
	if (st != NULL)
		sip_store_close(st);
	return rv;
}

int
cmd_dhcp_config(const struct command *c, struct ctx *ctx, int argc,
    char *argv[])
{
	struct sip_err e = { "" };
	struct sip_buf out;
	enum sip_dhcp_format fmt = SIP_DHCP_ISC;
	const char *format = NULL;
	char *p;
	enum sip_rc rc;
	int legacy = 0, rv = 1;
	const struct verb_option vo[] = {
		{ "format",	NULL,		&format },
		{ "legacy",	&legacy,	NULL },
	};

	if (verb_noargs(c, argc, argv, vo, nitems(vo), &rv) == -1)
		return rv;
	sip_buf_init(&out);
	if (format != NULL && sip_dhcp_format_parse(format, &fmt) != SIP_OK) {
		p = safe_dup(format, NULL);
		warnx("%s: --format: '%s': not isc or dnsmasq", c->name, p);
		free(p);
		goto out;
	}
	if (ctx_setup(c, ctx) == -1)
		goto out;
	if ((rc = sip_dhcp_config(&ctx->cfg, fmt, legacy, &out, &e)) !=
	    SIP_OK) {
		warn_lib(c->name, &e, rc);
		goto out;
	}
	fwrite(out.data, 1, out.len, stdout);
	rv = 0;
 out:
	sip_buf_free(&out);
	return rv;
}


/*
 * One line of stdin into buf, without its newline (echo off when it is a
 * terminal, prompt on stderr): -1 on end of file, a line too long (it is
 * read to its end) or a read error.
 */
static int
read_password(const char *prompt, int tty, char *buf, size_t sz)
{
	struct termios old, quiet;
	size_t n = 0;
	int ch, toolong = 0, restore = 0;

	if (tty) {
		fputs(prompt, stderr);
		fflush(stderr);
		if (tcgetattr(STDIN_FILENO, &old) == 0) {
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
			restore = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
		}
	}
	while ((ch = getchar()) != EOF && ch != '\n') {
		if (n + 1 < sz)
			buf[n++] = (char)ch;
		else
			toolong = 1;
	}
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	if (restore)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	if (tty)
		fputc('\n', stderr);
	return (ch == EOF && n == 0) || toolong ? -1 : 0;
}

/*
 * The old module's boot-loader password change: the maintenance menu's
 * password, hashed, into the secrets file that ipxe.cgi reads.
 */
int
cmd_menu_password(const struct command *c, struct ctx *ctx, int argc,
    char *argv[])
{
	struct sip_err e = { "" };
	char pw[SIP_MENU_PASSWORD_MAX + 2], again[SIP_MENU_PASSWORD_MAX + 2];
	char *hash = NULL;
	int use_stdin = 0, tty, rv = 1;
	enum sip_rc rc;
	const struct verb_option vo[] = {
		{ "stdin",	&use_stdin,	NULL },
	};

	pw[0] = again[0] = '\0';
	if (verb_noargs(c, argc, argv, vo, sizeof(vo) / sizeof(vo[0]), &rv) == -1)
		return rv;
	if (ctx_setup(c, ctx) == -1)
		goto out;
	if (ctx->login[0] != '\0') {
		warnx("%s: only root sets the maintenance menu's password, not "
		    "%s", c->name, ctx->login);
		goto out;
	}
	tty = !use_stdin && isatty(STDIN_FILENO);
	if (!use_stdin && !tty) {
		warnx("%s: stdin is not a terminal: give --stdin to read the "
		    "password from it", c->name);
		goto out;
	}
	if (read_password("New maintenance menu password: ", tty, pw,
	    sizeof(pw)) == -1 || sip_menu_password_check(pw) != SIP_OK) {
		warnx("%s: the password must be one line of 1 to %d bytes "
		    "without control characters", c->name,
		    SIP_MENU_PASSWORD_MAX);
		goto out;
	}
	if (tty && (read_password("Again: ", tty, again, sizeof(again)) ==
	    -1 || strcmp(pw, again) != 0)) {
		warnx("%s: the two passwords differ: nothing changed", c->name);
		goto out;
	}
	if ((rc = sip_menu_password_hash(pw, &hash, &e)) != SIP_OK ||
	    (rc = sip_secrets_set(ctx->cfg.secrets_file, SIP_MENU_SECRET,
	    hash, &e)) != SIP_OK) {
		warn_lib(c->name, &e, rc);
		goto out;
	}
	printf("the maintenance menu's password is set (secret %s of ",
	    SIP_MENU_SECRET);
	put_safe(stdout, ctx->cfg.secrets_file, "");
	puts(")");
	rv = 0;
 out:
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(again, sizeof(again));
	if (hash != NULL) {
		explicit_bzero(hash, strlen(hash));
		free(hash);
	}
	return rv;
}
