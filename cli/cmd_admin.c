/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The upkeep verbs: cleanup and dhcp-config. */

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


int
cmd_cleanup(const struct command *c, struct ctx *ctx, int argc,
    char *argv[])
{
	struct sip_err e = { "" };
	struct sip_store *st = NULL;
	size_t nexpired = 0, npurged = 0;
	enum sip_rc rc;
	int rv = 1;

	if (verb_noargs(c, argc, argv, NULL, 0, &rv) == -1)
		return rv;
	if (ctx_setup(c, ctx) == -1)
		goto out;
	if (store_open(c->name, ctx, c->flags & CMD_STORE, &st) == -1)
		goto out;
	/* No database yet: nothing to clean, and cron must stay quiet. */
	if (st == NULL) {
		rv = 0;
		goto out;
	}
	if (seen_fold(c->name, ctx, st) == -1)
		goto out;
	if ((rc = sip_store_cleanup(st, ctx->now, ctx->cfg.history_keep,
	    &nexpired, &npurged, &e)) != SIP_OK) {
		warn_lib(c->name, &e, rc);
		goto out;
	}
	if (nexpired > 0 || npurged > 0)
		printf("expired %zu action%s, purged %zu history row%s\n",
		    nexpired, nexpired == 1 ? "" : "s",
		    npurged, npurged == 1 ? "" : "s");
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

