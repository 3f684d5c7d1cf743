/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The upkeep verbs: init and dhcp-config. */

#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

