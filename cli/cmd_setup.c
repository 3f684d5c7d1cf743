/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The setup verb: a module's upstream files put in the boot tree and verified, then its own setup script run. */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "cli.h"

#define STALL_DEFAULT	60		/* s without data: a dead mirror */
#define STALL_MAX	3600

/* Its upstream files, one line each: 0, or -1 once the failure is said. */
static int
setup_upstreams(const char *verb, const struct ctx *ctx, struct sip_module *m,
    const char *mirror, int stall)
{
	static const char *const what[] = { "kept", "fetched", "extracted",
	    "copied" };
	struct sip_err e = { "" };
	enum sip_setup_how how;
	enum sip_rc rc;
	size_t i;

	for (i = 0; i < m->nups; i++) {
		if ((rc = sip_upstream_setup(ctx->cfg.boot_root, m, i, mirror,
		    stall, &how, &e)) != SIP_OK) {
			warn_lib(verb, &e, rc);
			return -1;
		}
		if (m->ups[i].from != NULL)
			printf("%s %s/%s (the same as %s)\n", what[how],
			    m->name, m->ups[i].name, m->ups[i].from);
		else if (m->ups[i].sums != NULL)
			printf("%s %s/%s (%" PRId64 " bytes, sha256 verified "
			    "against the signed %s)\n", what[how], m->name,
			    m->ups[i].name, m->ups[i].size, m->ups[i].sums);
		else if (m->ups[i].unpinned)
			printf("%s %s/%s (%" PRId64 " bytes, from the verified "
			    "ISO)\n", what[how], m->name, m->ups[i].name,
			    m->ups[i].size);
		else
			printf("%s %s/%s (%" PRId64 " bytes, sha256 "
			    "verified)\n", what[how], m->name,
			    m->ups[i].name, m->ups[i].size);
	}
	return 0;
}

/* The module's own setup script, if it has one, and what it said. */
static int
setup_script(const char *verb, const struct ctx *ctx,
    const struct sip_module *m, const char *mirror, const char *flavour)
{
	struct sip_err e = { "" };
	char *out = NULL, *line, *nl;
	enum sip_rc rc;
	int ran;

	rc = sip_module_setup_script(ctx->cfg.boot_root, m, mirror, flavour,
	    &out, &ran, &e);
	/* Line by line, with no control byte of its own. */
	for (line = out; line != NULL && *line != '\0'; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		put_safe(stdout, line, "");
		putchar('\n');
	}
	free(out);
	if (rc != SIP_OK) {
		warn_lib(verb, &e, rc);
		return -1;
	}
	if (ran)
		printf("ran %s/setup\n", m->name);
	else if (flavour != NULL) {
		warnx("%s: --flavour: module %s has no setup script to build "
		    "flavours", verb, m->name);
		return -1;
	}
	return 0;
}

int
cmd_setup(const struct command *c, struct ctx *ctx, int argc, char *argv[])
{
	struct sip_err e = { "" };
	struct sip_module *m = NULL;
	const char *mirror = NULL, *stall_arg = NULL, *flavour = NULL;
	long long stall = STALL_DEFAULT;
	enum sip_rc rc;
	int rv = 1;
	const struct verb_option vo[] = {
		{ "mirror",	NULL,	&mirror },
		{ "timeout",	NULL,	&stall_arg },
		{ "flavour",	NULL,	&flavour },
	};

	if (verb_options(c, argc, argv, vo, nitems(vo), &rv) == -1)
		return rv;
	if (argc - optind != 1) {
		if (argc == optind)
			warnx("%s: missing MODULE", c->name);
		else
			warnx("%s: only one MODULE", c->name);
		return verb_usage(c, EXIT_USAGE);
	}
	if (mirror != NULL && sip_mirror_check(mirror) != SIP_OK) {
		warnx("%s: --mirror: '%s' is not an http:// or https:// URL",
		    c->name, mirror);
		return verb_usage(c, EXIT_USAGE);
	}
	if (stall_arg != NULL && parse_int(stall_arg, 1, STALL_MAX, &stall) ==
	    -1) {
		warnx("%s: --timeout: '%s' is not a number of seconds in "
		    "1..%d", c->name, stall_arg, STALL_MAX);
		return verb_usage(c, EXIT_USAGE);
	}
	if (flavour != NULL && sip_flavour_check(flavour) != SIP_OK) {
		warnx("%s: --flavour: '%s' is not a flavour name (a-z, 0-9 "
		    "and -, a letter first, 16 at most)", c->name, flavour);
		return verb_usage(c, EXIT_USAGE);
	}
	if (ctx_setup(c, ctx) == -1)
		return 1;
	if ((rc = sip_module_find(ctx->cfg.module_path, argv[optind], &m,
	    &e)) != SIP_OK) {
		warn_lib(c->name, &e, rc);
		return 1;
	}
	if (mirror == NULL)
		mirror = m->mirror;
	/*
	 * The script runs even when an upstream file failed: it installs
	 * what the module takes from Debian's packages (linux: Debian 12),
	 * which must not wait on another host's file.
	 */
	rv = 0;
	if (setup_upstreams(c->name, ctx, m, mirror, (int)stall) == -1)
		rv = 1;
	if (setup_script(c->name, ctx, m, mirror, flavour) == -1)
		rv = 1;
	sip_module_free(m);
	return rv;
}
