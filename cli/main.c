/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The se3-ipxe command: its verbs, what each one opens, and the dispatch. */

#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "se3ipxe.h"
#include "cli.h"

static command_fn	 cmd_help;

static const struct command commands[] = {
	{ "set-action",	cmd_set_action,
	    "[--max-boots N] [--expires DURATION] [--at TIME] [--wol] "
	    "[--reboot POLICY] [--yes] [--uuid UUID] [--serial SERIAL] "
	    "TARGET... ACTION [KEY=VALUE...]",	CMD_CONFIG | CMD_STORE_RW,
	    "give each TARGET the ACTION for its next network boots" },
	{ "cancel",	cmd_cancel,
	    "TARGET...",			CMD_CONFIG | CMD_STORE_EXISTING,
	    "cancel the active action of each TARGET" },
	{ "status",	cmd_status,
	    "[--json | --watch] [--probe] [TARGET...]", CMD_CONFIG | CMD_STORE_RO,
	    "show the machines, their last action and last boot" },
	{ "machines",	cmd_machines,
	    "[--json] [--unknown] [MACHINE...]", CMD_CONFIG | CMD_STORE_RO,
	    "list SE3's machines from LDAP with what was seen of them" },
	{ "wol",	cmd_wol,
	    "[--at TIME] TARGET...",		CMD_CONFIG | CMD_STORE_RW,
	    "wake each TARGET with the Wake-on-LAN magic packet" },
	{ "reboot",	cmd_reboot,
	    "[--policy wait|idle|force] [--at TIME] TARGET...",
	    CMD_CONFIG | CMD_STORE_RW,
	    "reboot each TARGET that answers: Windows by net, Linux by ssh" },
	{ "delegate",	cmd_delegate,
	    "[--level manage|view] LOGIN parc:NAME", CMD_CONFIG | CMD_STORE_RW,
	    "let LOGIN act on (manage) or only see (view) the machines of a parc" },
	{ "undelegate",	cmd_undelegate,
	    "LOGIN parc:NAME",			CMD_CONFIG | CMD_STORE_EXISTING,
	    "take back what delegate gave LOGIN on a parc" },
	{ "delegations", cmd_delegations,
	    "[--json] [LOGIN]",			CMD_CONFIG | CMD_STORE_RO,
	    "list the parcs delegated to each login, or to LOGIN" },
	{ "history",	cmd_history,
	    "[--json] TARGET",			CMD_CONFIG | CMD_STORE_RO,
	    "show what happened to the actions of TARGET, oldest first" },
	{ "preview",	cmd_preview,
	    "[--platform pcbios|efi] [--host HOST] TARGET", CMD_CONFIG | CMD_STORE_RO,
	    "print the script ipxe.cgi would serve TARGET now, and why" },
	{ "actions",	cmd_actions,
	    "[--json]",				CMD_CONFIG,
	    "list the actions the installed modules offer, and their options" },
	{ "init",	cmd_init,
	    "",					CMD_CONFIG | CMD_STORE_RW,
	    "create the database, or bring its schema up to date (at install)" },
	{ "tick",	cmd_tick,
	    "[-q]",				CMD_CONFIG | CMD_STORE_EXISTING,
	    "start and expire actions, wake machines, purge (cron, each minute)" },
	{ "cleanup",	cmd_tick,
	    "[-q]",				CMD_CONFIG | CMD_STORE_EXISTING,
	    "the old name of tick, kept for old crontabs" },
	{ "check",	cmd_check,
	    "",					CMD_CONFIG | CMD_STORE_RO,
	    "check the configuration, modules, templates and database" },
	{ "setup",	cmd_setup,
	    "[--mirror URL] [--timeout SECONDS] [--flavour NAME] MODULE",
	    CMD_CONFIG,
	    "fetch and verify the upstream files of MODULE, run its setup" },
	{ "images",	cmd_images,
	    "[--parts] [--json] | delete NAME | prune --keep COUNT | prune --before TIME",
	    CMD_CONFIG | CMD_STORE_EXISTING,
	    "list the image store's catalogue, delete or prune its images" },
	{ "clone",	cmd_clone,
	    "[--from MACHINE [--sysprep] [--sysprep-timeout SECONDS]] "
	    "[--port PORT] [--interface IFACE] "
	    "[--min-receivers N] [--max-wait SECONDS] [--start-timeout SECONDS] "
	    "[--fallback] [--at TIME] [--wol] [--reboot POLICY] [--yes] "
	    "IMAGE TARGET... [KEY=VALUE...]", CMD_CONFIG | CMD_STORE_EXISTING,
	    "restore IMAGE to every TARGET at once: one multicast session "
	    "(--from: save MACHINE as IMAGE first; --sysprep: run Windows' "
	    "sysprep on it before)" },
	{ "session",	cmd_session,
	    "list [--json] | show [--json] ID | cancel ID | "
	    "fallback ID [TARGET...] | run ID", CMD_CONFIG | CMD_STORE_EXISTING,
	    "list, follow, cancel or finish by unicast the multicast sessions" },
	{ "dhcp-config", cmd_dhcp_config,
	    "[--format isc|dnsmasq] [--legacy]", CMD_CONFIG,
	    "print the DHCP server lines that chain iPXE to ipxe.cgi" },
	{ "menu-password", cmd_menu_password,
	    "[--stdin]",			CMD_CONFIG,
	    "set the maintenance menu's password (asked twice, or one line of stdin)" },
	{ "help",	cmd_help,
	    "[COMMAND]",			0,
	    "print the usage of every command, or of COMMAND" },
};

/* What the operands of the usage lines look like, for --help. */
static const struct {
	const char	*word;
	const char	*text;
} operands[] = {
	{ "TARGET",	"a MAC address: 52:54:00:12:34:56, 52-54-00-12-34-56 "
			"or 525400123456; with [ldap], also a machine name, "
			"an IP address or parc:NAME" },
	{ "MACHINE",	"a machine name or parc:NAME, as SE3's directory "
			"has them: pc-101, parc:salle-12" },
	{ "ACTION",	"MODULE:CAPABILITY, as `se3-ipxe actions` lists them: "
			"memtest:run" },
	{ "KEY=VALUE",	"an option of the ACTION, as `se3-ipxe actions` "
			"lists them: passes=2" },
	{ "N",		"a number of boots, 1 to 100 (1000 for a "
			"persistent ACTION)" },
	{ "DURATION",	"a number and a unit s, m, h, d or w: 90m, 2h, 7d "
			"(1m to 30d; 365d for a persistent ACTION)" },
	{ "TIME",	"now, +DURATION, YYYY-MM-DD HH:MM (local time) "
			"or @EPOCH" },
	{ "MODULE",	"a module's name, as `se3-ipxe check` lists them: "
			"sysrescue" },
	{ "URL",	"an http:// or https:// URL: the mirror the upstream "
			"files are fetched from" },
	{ "SECONDS",	"seconds without data before a download is given "
			"up (1 to 3600, 60 if not given)" },
	{ "LOGIN",	"an SE3 login (uid): letters, digits, '.', '_', '-'" },
	{ "parc:NAME",	"a parc of SE3's directory: parc:salle-12" },
	{ "NAME",	"an image's name, or a part's, as `se3-ipxe images` lists "
			"them: letters, digits, '.', '_', '-'" },
	{ "IMAGE",	"a whole image of the catalogue, as `se3-ipxe images` "
			"lists them" },
	{ "ID",		"a multicast session's number, as `se3-ipxe session "
			"list` shows them" },
	{ "PORT",	"an even UDP port from 1024 to 65534: udp-sender uses "
			"it and the next (the first free from 9000 if not "
			"given)" },
	{ "IFACE",	"the server's network interface on the machines' "
			"segment (that of the default route if not given)" },
	{ "COUNT",	"how many of the newest whole images of each machine "
			"are kept" },
};

static const char global_usage[] =
    "[-hV] [-c FILE] [--user LOGIN] COMMAND [ARG...]";

/* ------------------------------------------------------------ usage */

const struct command *
command_named(const char *name)
{
	size_t i;

	for (i = 0; i < nitems(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void
usage_line(FILE *fp, const char *lead, const struct command *c)
{
	fprintf(fp, "%s se3-ipxe %s%s%s\n", lead, c->name,
	    c->usage[0] != '\0' ? " " : "", c->usage);
}

static void
usage_all(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: se3-ipxe %s\n", global_usage);
	for (i = 0; i < nitems(commands); i++)
		usage_line(fp, "      ", &commands[i]);
}

/* Whether the usage line shows the operand word (a whole word of it). */
static int
usage_has(const char *usage, const char *word)
{
	const char *p;
	size_t n = strlen(word);

	for (p = usage; (p = strstr(p, word)) != NULL; p += n)
		if ((p == usage || strchr(" [", p[-1]) != NULL) &&
		    strchr(" .]", p[n]) != NULL)
			return 1;
	return 0;
}

/* The forms of the operands usage shows (all of them for usage NULL). */
static void
operands_help(FILE *fp, const char *usage)
{
	size_t i;

	for (i = 0; i < nitems(operands); i++)
		if (usage == NULL || usage_has(usage, operands[i].word))
			fprintf(fp, "  %-10s %s\n", operands[i].word,
			    operands[i].text);
}

/* --help: the usage lines, what each command does, what operands look like. */
static void
help_all(void)
{
	size_t i;

	usage_all(stdout);
	puts("\ncommands:");
	for (i = 0; i < nitems(commands); i++)
		printf("  %-12s %s\n", commands[i].name, commands[i].summary);
	puts("\noperands:");
	operands_help(stdout, NULL);
}

/*
 * The verb's usage line; for --help (0) on stdout with what the verb does
 * and its operands, otherwise on stderr alone.
 */
int
verb_usage(const struct command *c, int status)
{
	if (status != 0) {
		usage_line(stderr, "usage:", c);
		return status;
	}
	usage_line(stdout, "usage:", c);
	printf("\n%s\n", c->summary);
	if (c->usage[0] != '\0') {
		puts("");
		operands_help(stdout, c->usage);
	}
	return status;
}

/*
 * What every verb needs after its options are parsed: the configuration,
 * the clock, who we are, and (for the database) the right user.
 */
int
ctx_setup(const struct command *c, struct ctx *ctx)
{
	struct sip_err e = { "" };
	enum sip_rc rc;

	if ((ctx->now = time(NULL)) == (time_t)-1) {
		warn("time");
		return -1;
	}
	who_init(ctx);
	if (!(c->flags & CMD_CONFIG))
		return 0;
	ctx->cfg_loaded = 1;	/* on error cfg holds the defaults */
	if ((rc = sip_config_load(&ctx->cfg, ctx->cfg_file, &e)) != SIP_OK) {
		warn_lib(NULL, &e, rc);
		return -1;
	}
	/*
	 * The bind password is root's: read it while still root.  A file
	 * that cannot be read fails only a verb that needs the directory.
	 */
	if (ctx->cfg.ldap_uri[0] != '\0' && ctx->cfg.ldap_bind_dn[0] != '\0')
		ctx->ldap_pw_rc = sip_ldap_password_read(
		    ctx->cfg.ldap_bind_password_file, &ctx->ldap_pw,
		    &ctx->ldap_pw_err);
	if ((c->flags & CMD_STORE) && drop_privileges(ctx) == -1)
		return -1;
	return 0;
}

/* --------------------------------------------- what the verbs open */

/*
 * Where a database that does not exist yet would go: a directory that is
 * missing is named with what it needs (SQLite says only "unable to open
 * database file").  0 if it is there.
 */
static int
db_dir_check(const char *verb, const char *db_path)
{
	struct stat sb;
	char *copy, *dir;
	int rv = 0;

	if ((copy = strdup(db_path)) == NULL)
		err(1, NULL);
	dir = dirname(copy);
	if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		warnx("%s: database directory %s does not exist (create it "
		    "owned by the user ipxe.cgi runs as, www-data on Debian, "
		    "mode 0750)", verb, dir);
		rv = -1;
	}
	free(copy);
	return rv;
}

/*
 * Open the database as need says (CMD_STORE_RO, _RW or _EXISTING).  Only
 * CMD_STORE_RW creates it: otherwise a database that does not exist yet
 * is no error, *st is NULL and the verb says what that means for it.
 */
int
store_open(const char *verb, const struct ctx *ctx, int need,
    struct sip_store **st)
{
	struct sip_err e = { "" };
	struct stat sb;
	enum sip_rc rc;

	*st = NULL;
	if (stat(ctx->cfg.db_path, &sb) == -1 && errno == ENOENT) {
		if (!(need & CMD_STORE_RW))
			return 0;
		if (db_dir_check(verb, ctx->cfg.db_path) == -1)
			return -1;
	}
	rc = sip_store_open(ctx->cfg.db_path, need & CMD_STORE_RO ?
	    SIP_STORE_RO : need & CMD_STORE_RW ? SIP_STORE_RW :
	    SIP_STORE_RW_EXISTING, ctx->cfg.busy_timeout_ms, st, &e);
	if (rc != SIP_OK) {
		*st = NULL;
		warn_lib(verb, &e, rc);
		return -1;
	}
	return 0;
}

/* Lines of the seen journal that a fold refused are said once, here. */
void
seen_warn_bad(const char *verb, const struct ctx *ctx, size_t nbad)
{
	if (nbad > 0)
		warnx("%s: %s%s: %zu malformed line%s dropped", verb,
		    ctx->cfg.db_path, SIP_SEEN_SUFFIX, nbad,
		    nbad == 1 ? "" : "s");
}

/*
 * Fold the boots ipxe.cgi wrote to the seen journal into the machines
 * table.  What cannot be folded now stays in a generation file
 * (DB-seen.N) that the next fold takes first.
 */
int
seen_fold(const char *verb, const struct ctx *ctx, struct sip_store *st)
{
	struct sip_err e = { "" };
	struct sip_store *own = NULL;
	size_t nfolded = 0, nbad = 0;
	enum sip_rc rc;
	int rv = 0;

	if (st == NULL) {
		if (store_open(verb, ctx, CMD_STORE_EXISTING, &own) == -1)
			return -1;
		if ((st = own) == NULL)
			return 0;
	}
	if ((rc = sip_store_fold_seen(st, ctx->now, &nfolded, &nbad,
	    &e)) != SIP_OK) {
		warn_lib(verb, &e, rc);
		rv = -1;
	} else
		seen_warn_bad(verb, ctx, nbad);
	if (own != NULL)
		sip_store_close(own);
	return rv;
}

/*
 * What the verbs on machines (cancel, status, history) do first: set up,
 * parse the targets, open the database as their flags say.  The caller
 * starts with st NULL and t empty, so that machines_close undoes however
 * far this went.
 */
int
machines_open(const struct command *c, struct ctx *ctx, int argc,
    char *argv[], struct sip_targets *t, struct sip_store **st)
{
	if (ctx_setup(c, ctx) == -1)
		return -1;
	if (targets_parse(c->name, ctx, argv, argc, t) == -1)
		return -1;
	return store_open(c->name, ctx, c->flags & CMD_STORE, st);
}

/* The last thing the verbs on machines do. */
void
machines_close(struct sip_targets *t, struct sip_store *st)
{
	if (st != NULL)
		sip_store_close(st);
	sip_targets_free(t);
}

/* --------------------------------------------------------------- help */

static int
cmd_help(const struct command *c, struct ctx *ctx, int argc, char *argv[])
{
	const struct command *verb;
	int status;

	if (verb_options(c, argc, argv, NULL, 0, &status) == -1)
		return status;
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		help_all();
		return 0;
	}
	if (argc > 1) {
		warnx("%s: only one COMMAND", c->name);
		return verb_usage(c, EXIT_USAGE);
	}
	if ((verb = command_named(argv[0])) == NULL) {
		warnx("'%s': unknown command", argv[0]);
		usage_all(stderr);
		return EXIT_USAGE;
	}
	return verb_usage(verb, 0);
}

/* --------------------------------------------------------------- main */

/*
 * Flush and close stdout and check it: a listing cut short by a full disk
 * or a closed pipe must not look like success (git run_builtin, sbase fshut).
 */
static int
stdout_close(int rv)
{
	int bad;

	errno = 0;
	bad = fflush(stdout) == EOF;
	bad |= ferror(stdout) != 0;
	if (fclose(stdout) == EOF)
		bad = 1;
	if (!bad)
		return rv;
	if (errno != 0)
		warn("write error on standard output");
	else
		warnx("write error on standard output");
	return rv != 0 ? rv : 1;
}

int
main(int argc, char *argv[])
{
	static const struct option lo[] = {
		{ "config",	required_argument,	NULL, 'c' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "user",	required_argument,	NULL, 'u' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 }
	};
	const struct command *c;
	struct ctx ctx;
	size_t len;
	int bad, ch, rv;

	memset(&ctx, 0, sizeof(ctx));
	opterr = 0;
	/* "+": the global options stop at the verb. */
	if ((bad = long_inexact(lo, "+:c:hV", argc, argv, &len)) != -1) {
		long_inexact_error(NULL, argv[bad], len);
		usage_all(stderr);
		return stdout_close(EXIT_USAGE);
	}
	while ((ch = getopt_long(argc, argv, "+:c:hV", lo, NULL)) != -1) {
		switch (ch) {
		case 'c':
			ctx.cfg_file = optarg;
			break;
		case 'h':
			help_all();
			return stdout_close(0);
		case 'u':
			/* SE3's web interface: sudo se3-ipxe --user LOGIN. */
			if (sip_login_check(optarg) != SIP_OK) {
				char *shown = safe_dup(optarg, NULL);

				warnx("--user '%s': not an SE3 login (1 to %d "
				    "letters, digits, '.', '_' or '-')", shown,
				    SIP_LOGIN_MAX);
				free(shown);
				usage_all(stderr);
				return stdout_close(EXIT_USAGE);
			}
			ctx.user = optarg;
			break;
		case 'V':
			puts("se3-ipxe " SIP_VERSION);
			return stdout_close(0);
		default:
			opt_error(NULL, argv, ch);
			usage_all(stderr);
			return stdout_close(EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		warnx("missing COMMAND");
		usage_all(stderr);
		return stdout_close(EXIT_USAGE);
	}
	if ((c = command_named(argv[0])) == NULL) {
		warnx("'%s': unknown command", argv[0]);
		usage_all(stderr);
		return stdout_close(EXIT_USAGE);
	}

	/*
	 * The verb parses its own options from argv[0] = its name.  glibc
	 * re-initialises getopt only for optind = 0, which also drops the
	 * "+" ordering used above: options may follow the arguments.
	 */
	optind = 0;
	rv = c->fn(c, &ctx, argc, argv);
	if (ctx.cfg_loaded)
		sip_config_free(&ctx.cfg);
	if (ctx.ldap_pw != NULL) {
		explicit_bzero(ctx.ldap_pw, strlen(ctx.ldap_pw));
		free(ctx.ldap_pw);
	}
	return stdout_close(rv);
}
