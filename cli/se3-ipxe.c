/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The se3-ipxe command: schedule, cancel, preview and inspect the boot actions of machines. */

#include <sys/stat.h>
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "se3ipxe.h"

/*
 * Exit statuses: 0 success, 1 failure, 2 usage error.  Allocation failures
 * in this program are fatal (err(1)); everything else unwinds and returns.
 */
#define EXIT_USAGE	2

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

#define MAX_BOOTS_MIN	1
#define MAX_BOOTS_MAX	100
#define EXPIRES_MIN	60		/* 1m */
#define EXPIRES_MAX	(30 * 86400)	/* 30d */
#define AT_SLACK	60		/* --at may lie this far in the past */

struct ctx {
	const char		*cfg_file;	/* -c FILE, or NULL */
	struct sip_config	 cfg;
	int			 cfg_loaded;
	char			 who[64];	/* created_by / cancelled by */
	time_t			 now;
};

struct command;
/* A verb: its table entry, the context, its argv (argv[0] is its name). */
typedef int	 command_fn(const struct command *, struct ctx *, int,
		    char *[]);

/* One verb: git's commands[] model, the usage line is the man SYNOPSIS. */
struct command {
	const char	*name;
	command_fn	*fn;
	const char	*usage;
	int		 flags;
#define CMD_CONFIG	(1 << 0)	/* reads the configuration */
#define CMD_STORE	(1 << 1)	/* reads or writes the database */
};

/* Canonical MACs from the command line, and pointers for the store. */
struct targets {
	char		(*mac)[SIP_MAC_STRLEN];
	const char	**p;
	size_t		 n;
};

static command_fn	 cmd_actions, cmd_cancel, cmd_check, cmd_cleanup,
			 cmd_dhcp_config, cmd_help, cmd_history, cmd_preview,
			 cmd_set_action, cmd_status;

static const struct command commands[] = {
	{ "set-action",	cmd_set_action,
	    "[--max-boots N] [--expires DURATION] [--at TIME] "
	    "TARGET... ACTION [KEY=VALUE...]",	CMD_CONFIG | CMD_STORE },
	{ "cancel",	cmd_cancel,
	    "TARGET...",			CMD_CONFIG | CMD_STORE },
	{ "status",	cmd_status,
	    "[--json] [TARGET...]",		CMD_CONFIG | CMD_STORE },
	{ "history",	cmd_history,
	    "[--json] TARGET",			CMD_CONFIG | CMD_STORE },
	{ "preview",	cmd_preview,
	    "[--platform pcbios|efi] TARGET",	CMD_CONFIG | CMD_STORE },
	{ "actions",	cmd_actions,
	    "[--json]",				CMD_CONFIG },
	{ "cleanup",	cmd_cleanup,
	    "",					CMD_CONFIG | CMD_STORE },
	{ "check",	cmd_check,
	    "",					CMD_CONFIG | CMD_STORE },
	{ "dhcp-config", cmd_dhcp_config,
	    "[--format isc|dnsmasq] [--legacy]", CMD_CONFIG },
	{ "help",	cmd_help,
	    "[COMMAND]",			0 },
};

static const char global_usage[] = "[-hV] [-c FILE] COMMAND [ARG...]";

/* ------------------------------------------------------------- helpers */

static void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size)) == NULL)
		err(1, NULL);
	return p;
}

static char *
xasprintf(const char *fmt, ...)
    __attribute__((__format__(printf, 1, 2)));

static char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n == -1)
		err(1, NULL);
	return s;
}

/*
 * Length of the valid UTF-8 sequence at s and its code point, or 0 for a
 * byte that does not start one (overlong, surrogate, truncated, too big).
 */
static size_t
utf8_decode(const unsigned char *s, uint32_t *cp)
{
	uint32_t c, min;
	size_t i, n;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at NUL */
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/*
 * A copy of an untrusted string that is safe on a terminal: control bytes,
 * DEL, C1 controls and bytes that are not valid UTF-8 become \xHH, so a
 * stored SMBIOS string or report message cannot send escape sequences.
 * *width receives the number of characters (for table columns).
 */
static char *
safe_dup(const char *in, size_t *width)
{
	const unsigned char *s = (const unsigned char *)in;
	char *out, *o;
	uint32_t cp;
	size_t n, w = 0, i;

	if ((out = malloc(strlen(in) * 4 + 1)) == NULL)
		err(1, NULL);
	for (o = out; *s != '\0'; s += n) {
		n = utf8_decode(s, &cp);
		if (n == 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			for (i = 0; i < (n == 0 ? 1 : n); i++) {
				snprintf(o, 5, "\\x%02x", s[i]);
				o += 4;
				w += 4;
			}
			if (n == 0)
				n = 1;
			continue;
		}
		memcpy(o, s, n);
		o += n;
		w++;
	}
	*o = '\0';
	if (width != NULL)
		*width = w;
	return out;
}

/* Print an untrusted string on a terminal; NULL prints as def. */
static void
put_safe(FILE *fp, const char *s, const char *def)
{
	char *p;

	if (s == NULL) {
		fputs(def, fp);
		return;
	}
	p = safe_dup(s, NULL);
	fputs(p, fp);
	free(p);
}

/* A library message, sanitised: "se3-ipxe: VERB: MESSAGE". */
static void
warn_lib(const char *verb, const struct sip_err *e, enum sip_rc rc)
{
	char *p;

	p = safe_dup(e->msg[0] != '\0' ? e->msg : sip_strerror(rc), NULL);
	if (verb != NULL)
		warnx("%s: %s", verb, p);
	else
		warnx("%s", p);
	free(p);
}

/* A JSON string: quote, backslash and controls escaped, bad UTF-8 replaced. */
static void
json_str(const char *in)
{
	const unsigned char *s = (const unsigned char *)in;
	uint32_t cp;
	size_t n;

	if (in == NULL) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s != '\0'; s += n) {
		n = utf8_decode(s, &cp);
		if (n == 0) {
			fputs("\\ufffd", stdout);
			n = 1;
		} else if (cp == '"' || cp == '\\') {
			putchar('\\');
			putchar((int)cp);
		} else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			printf("\\u%04x", (unsigned)cp);
		else
			fwrite(s, 1, n, stdout);
	}
	putchar('"');
}

/* ,"key":"value" (or null). */
static void
json_kstr(const char *key, const char *value)
{
	printf(",\"%s\":", key);
	json_str(value);
}

static void
json_kint(const char *key, long long value)
{
	printf(",\"%s\":%lld", key, value);
}

/* Local time as text, to the minute or the second; 0 (never) as "-". */
static void
fmt_time(char *buf, size_t sz, int64_t t, int seconds)
{
	struct tm tm;
	time_t tt = (time_t)t;
	size_t n;

	if (t == 0 || localtime_r(&tt, &tm) == NULL)
		n = 0;
	else if (seconds)
		n = strftime(buf, sz, "%Y-%m-%d %H:%M:%S", &tm);
	else
		n = strftime(buf, sz, "%Y-%m-%d %H:%M", &tm);
	if (n == 0)
		snprintf(buf, sz, "-");
}

/* Seconds back into the largest exact unit sip_duration_parse reads. */
static void
fmt_duration(char *buf, size_t sz, int64_t s)
{
	static const struct {
		int64_t	 secs;
		char	 unit;
	} units[] = {
		{ 7 * 86400, 'w' }, { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }
	};
	size_t i;

	for (i = 0; i < nitems(units); i++)
		if (s > 0 && s % units[i].secs == 0) {
			snprintf(buf, sz, "%lld%c",
			    (long long)(s / units[i].secs), units[i].unit);
			return;
		}
	snprintf(buf, sz, "%llds", (long long)s);
}

/* A decimal number in [min, max], no sign, no blanks. */
static int
parse_int(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* A login name fit for the history: [A-Za-z0-9._-], 1..32, no leading '-'. */
static int
name_valid(const char *s)
{
	size_t n;

	n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-");
	return n > 0 && n <= 32 && s[n] == '\0' && s[0] != '-';
}

/* ------------------------------------------------------------ usage */

static const struct command *
command_find(const char *name)
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

/* The verb's usage line; on stdout for --help (0), on stderr otherwise. */
static int
verb_usage(const struct command *c, int status)
{
	usage_line(status == 0 ? stdout : stderr, "usage:", c);
	return status;
}

/*
 * What getopt_long did not like ("bad": unknown, ambiguous, or given an
 * argument it does not take).  opterr is 0: the messages are ours.
 */
static void
opt_error(const char *verb, char *argv[], int ch)
{
	const char *arg = argv[optind - 1];
	char where[SIP_NAME_MAX + 2] = "";

	if (verb != NULL)
		snprintf(where, sizeof(where), "%s: ", verb);
	if (ch == ':')
		warnx("%soption '%s' needs an argument", where, arg);
	else if (strncmp(arg, "--", 2) == 0)
		warnx("%sbad option '%s'", where, arg);
	else
		warnx("%sunknown option '-%c'", where, optopt);
}

/*
 * An option of a verb besides --help, which every verb has: --NAME sets
 * *flag to 1, or (flag NULL) --NAME ARG points *arg at ARG.
 */
struct verb_option {
	const char	 *name;
	int		 *flag;
	const char	**arg;
};

/* What getopt_long returns for vo[i]: above any option character. */
#define VERB_OPTION_VAL(i)	(0x100 + (int)(i))

/*
 * Parse the options of a verb: the n of vo, and --help.  They are accepted
 * anywhere after the verb (GNU permutation; main re-initialised getopt
 * with optind = 0).  Returns 0 with optind at the first operand, or -1
 * once the usage is printed: the verb returns *status, 0 after --help,
 * EXIT_USAGE after a bad option.  *status is written only then.
 */
static int
verb_options(const struct command *c, int argc, char *argv[],
    const struct verb_option *vo, size_t n, int *status)
{
	struct option *lo;
	size_t i;
	int ch, rv = 0;

	lo = xcalloc(n + 2, sizeof(*lo));	/* vo, --help, the zeroed end */
	for (i = 0; i < n; i++) {
		lo[i].name = vo[i].name;
		lo[i].has_arg = vo[i].flag != NULL ? no_argument :
		    required_argument;
		lo[i].val = VERB_OPTION_VAL(i);
	}
	lo[n].name = "help";
	lo[n].has_arg = no_argument;
	lo[n].val = 'h';
	while ((ch = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (ch >= VERB_OPTION_VAL(0) && ch < VERB_OPTION_VAL(n)) {
			i = (size_t)(ch - VERB_OPTION_VAL(0));
			if (vo[i].flag != NULL)
				*vo[i].flag = 1;
			else
				*vo[i].arg = optarg;
			continue;
		}
		if (ch == ':' || ch == '?')
			opt_error(c->name, argv, ch);
		*status = verb_usage(c, ch == 'h' ? 0 : EXIT_USAGE);
		rv = -1;
		break;
	}
	free(lo);
	return rv;
}

/* verb_options for the verbs that take no operand: name one given. */
static int
verb_noargs(const struct command *c, int argc, char *argv[],
    const struct verb_option *vo, size_t n, int *status)
{
	if (verb_options(c, argc, argv, vo, n, status) == -1)
		return -1;
	if (optind != argc) {
		warnx("%s: unexpected argument '%s'", c->name, argv[optind]);
		*status = verb_usage(c, EXIT_USAGE);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------ environment, privileges */

/* Who does this, for the history: $SUDO_USER, the login name, or "uid N". */
static void
who_init(struct ctx *ctx)
{
	const char *s;
	struct passwd *pw;

	if ((s = getenv("SUDO_USER")) != NULL && name_valid(s))
		snprintf(ctx->who, sizeof(ctx->who), "%s", s);
	else if ((pw = getpwuid(getuid())) != NULL && name_valid(pw->pw_name))
		snprintf(ctx->who, sizeof(ctx->who), "%s", pw->pw_name);
	else
		snprintf(ctx->who, sizeof(ctx->who), "uid %lu",
		    (unsigned long)getuid());
}

/*
 * Started as root, become the owner of the database directory (when that
 * is not root) before the database is opened, so that the files SQLite
 * creates (the database, its journal) stay writable by the web server user
 * that runs ipxe.cgi.
 */
static int
drop_privileges(const struct ctx *ctx)
{
	struct passwd *pw;
	struct stat sb;
	char *copy, *dir;
	uid_t uid;
	gid_t gid;
	int rv = -1;

	if (geteuid() != 0)
		return 0;
	if ((copy = strdup(ctx->cfg.db_path)) == NULL)
		err(1, NULL);
	dir = dirname(copy);
	if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode) || sb.st_uid == 0) {
		rv = 0;
		goto out;
	}
	uid = sb.st_uid;
	gid = (pw = getpwuid(uid)) != NULL ? pw->pw_gid : sb.st_gid;
	if (setgroups(1, &gid) == -1) {
		warn("setgroups %lu", (unsigned long)gid);
		goto out;
	}
	if (setgid(gid) == -1) {
		warn("setgid %lu", (unsigned long)gid);
		goto out;
	}
	if (setuid(uid) == -1) {
		warn("setuid %lu", (unsigned long)uid);
		goto out;
	}
	if (setuid(0) != -1 || geteuid() != uid || getegid() != gid) {
		warnx("could not drop privileges to uid %lu",
		    (unsigned long)uid);
		goto out;
	}
	rv = 0;
 out:
	free(copy);
	return rv;
}

/*
 * What every verb needs after its options are parsed: the configuration,
 * the clock, who we are, and (for the database) the right user.
 */
static int
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
	if ((c->flags & CMD_STORE) && drop_privileges(ctx) == -1)
		return -1;
	return 0;
}

/* ------------------------------------------------------- common pieces */

static void
targets_free(struct targets *t)
{
	free(t->mac);
	free(t->p);
	memset(t, 0, sizeof(*t));
}

/* Parse and canonicalise every target (duplicates dropped); name a bad one. */
static int
targets_parse(const char *verb, char *const *argv, int argc,
    struct targets *t)
{
	struct sip_mac m;
	char canon[SIP_MAC_STRLEN];
	size_t i, j;

	memset(t, 0, sizeof(*t));
	t->mac = xcalloc((size_t)argc, sizeof(*t->mac));
	t->p = xcalloc((size_t)argc, sizeof(*t->p));
	for (i = 0; i < (size_t)argc; i++) {
		if (sip_mac_parse(argv[i], &m) != SIP_OK) {
			warnx("%s: '%s': not a MAC address", verb, argv[i]);
			targets_free(t);
			return -1;
		}
		sip_mac_format(&m, canon);
		for (j = 0; j < t->n; j++)
			if (strcmp(t->mac[j], canon) == 0)
				break;
		if (j < t->n)
			continue;
		memcpy(t->mac[t->n], canon, sizeof(canon));
		t->p[t->n] = t->mac[t->n];
		t->n++;
	}
	return 0;
}

/*
 * Open the database.  Read-only, a database that does not exist yet is no
 * error: *st is NULL ("no machines yet").
 */
static int
store_open(const char *verb, const struct ctx *ctx, enum sip_store_mode mode,
    struct sip_store **st)
{
	struct sip_err e = { "" };
	struct stat sb;
	enum sip_rc rc;

	*st = NULL;
	if (mode == SIP_STORE_RO && stat(ctx->cfg.db_path, &sb) == -1 &&
	    errno == ENOENT)
		return 0;
	rc = sip_store_open(ctx->cfg.db_path, mode, ctx->cfg.busy_timeout_ms,
	    st, &e);
	if (rc != SIP_OK) {
		*st = NULL;
		warn_lib(verb, &e, rc);
		return -1;
	}
	return 0;
}

/*
 * Fold the boots ipxe.cgi wrote to the seen journal into the machines
 * table.  What cannot be folded now stays in the journal for next time.
 */
static int
seen_fold(const char *verb, const struct ctx *ctx, struct sip_store *st)
{
	struct sip_err e = { "" };
	struct sip_store *own = NULL;
	size_t nfolded = 0, nbad = 0;
	enum sip_rc rc;
	int rv = 0;

	if (st == NULL) {
		if (store_open(verb, ctx, SIP_STORE_RW, &own) == -1)
			return -1;
		st = own;
	}
	if ((rc = sip_store_fold_seen(st, &nfolded, &nbad, &e)) != SIP_OK) {
		warn_lib(verb, &e, rc);
		rv = -1;
	} else if (nbad > 0)
		warnx("%s: %s%s: %zu malformed line%s dropped", verb,
		    ctx->cfg.db_path, SIP_SEEN_SUFFIX, nbad,
		    nbad == 1 ? "" : "s");
	if (own != NULL)
		sip_store_close(own);
	return rv;
}

/* The active action of mac, NULL if none; -1 on a database error. */
static int
active_action(const char *verb, struct sip_store *st, const char *mac,
    struct sip_action **act)
{
	struct sip_err e = { "" };
	enum sip_rc rc;

	*act = NULL;
	rc = sip_store_active_action(st, mac, act, &e);
	if (rc == SIP_ENOTFOUND) {
		*act = NULL;
		return 0;
	}
	if (rc != SIP_OK) {
		*act = NULL;
		warn_lib(verb, &e, rc);
		return -1;
	}
	return 0;
}

/*
 * What the verbs on machines (cancel, status, history) do first: set up,
 * parse the targets, open the database.  The caller starts with st NULL
 * and t empty, so that machines_close undoes however far this went.
 */
static int
machines_open(const struct command *c, struct ctx *ctx, int argc,
    char *argv[], enum sip_store_mode mode, struct targets *t,
    struct sip_store **st)
{
	if (ctx_setup(c, ctx) == -1)
		return -1;
	if (targets_parse(c->name, argv, argc, t) == -1)
		return -1;
	return store_open(c->name, ctx, mode, st);
}

/* The last thing the verbs on machines do. */
static void
machines_close(struct targets *t, struct sip_store *st)
{
	if (st != NULL)
		sip_store_close(st);
	targets_free(t);
}

/* -------------------------------------------------------- set-action */

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

static int
cmd_set_action(const struct command *c, struct ctx *ctx, int argc,
    char *argv[])
{
	struct sip_err e = { "" };
	struct targets t = { NULL, NULL, 0 };
	struct sip_module *mod = NULL;
	const struct sip_capability *cap;
	struct sip_kv *opts = NULL;
	struct sip_store *st = NULL;
	struct sip_new_action *na = NULL;
	struct sip_action **old = NULL;
	struct sip_mac mac;
	int64_t *ids = NULL, expires, start;
	const char *at = NULL, *exp_arg = NULL, *max_arg = NULL, *action;
	char modname[SIP_NAME_MAX], capname[SIP_NAME_MAX];
	char tbuf[32], sbuf[32], *list;
	size_t nopts = 0, i;
	long long maxb;
	time_t tat;
	enum sip_rc rc;
	int k, rv = 1;
	const struct verb_option vo[] = {
		{ "at",		NULL,	&at },
		{ "expires",	NULL,	&exp_arg },
		{ "max-boots",	NULL,	&max_arg },
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
	if (k < 2) {
		warnx("%s: missing %s", c->name, k == 0 ? "TARGET" : "ACTION");
		return verb_usage(c, EXIT_USAGE);
	}
	action = argv[k - 1];
	if (sip_mac_parse(action, &mac) == SIP_OK) {
		warnx("%s: missing ACTION after the targets", c->name);
		return verb_usage(c, EXIT_USAGE);
	}
	if (ctx_setup(c, ctx) == -1)
		goto out;

	/* Validate everything before anything is written. */
	if (sip_action_name_split(action, modname, capname) != SIP_OK) {
		warnx("%s: '%s': not an action (MODULE:CAPABILITY)", c->name,
		    action);
		goto out;
	}
	if (targets_parse(c->name, argv, k - 1, &t) == -1)
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
	if (max_arg != NULL) {
		if (parse_int(max_arg, MAX_BOOTS_MIN, MAX_BOOTS_MAX,
		    &maxb) == -1) {
			warnx("%s: --max-boots: '%s': not a number from %d to "
			    "%d", c->name, max_arg, MAX_BOOTS_MIN,
			    MAX_BOOTS_MAX);
			goto out;
		}
	} else
		maxb = cap->max_boots > 0 ? cap->max_boots :
		    ctx->cfg.max_boots;
	if (exp_arg != NULL) {
		if (sip_duration_parse(exp_arg, EXPIRES_MIN, EXPIRES_MAX,
		    &expires) != SIP_OK) {
			warnx("%s: --expires: '%s': not a duration from 1m "
			    "to 30d", c->name, exp_arg);
			goto out;
		}
	} else
		expires = cap->expires > 0 ? cap->expires : ctx->cfg.expires;
	start = ctx->now;
	if (at != NULL) {
		if (sip_time_parse(at, ctx->now, &tat) != SIP_OK) {
			warnx("%s: --at: '%s': not a time (now, +DURATION, "
			    "YYYY-MM-DD HH:MM, @EPOCH)", c->name, at);
			goto out;
		}
		if (tat < ctx->now - AT_SLACK) {
			warnx("%s: --at: '%s': in the past", c->name, at);
			goto out;
		}
		start = tat;
	}

	if (store_open(c->name, ctx, SIP_STORE_RW, &st) == -1)
		goto out;
	old = xcalloc(t.n, sizeof(*old));
	for (i = 0; i < t.n; i++)
		if (active_action(c->name, st, t.p[i], &old[i]) == -1)
			goto out;
	na = xcalloc(t.n, sizeof(*na));
	ids = xcalloc(t.n, sizeof(*ids));
	for (i = 0; i < t.n; i++) {
		na[i].mac = t.p[i];
		na[i].name = action;
		na[i].completion = cap->completion;
		na[i].max_boots = (int)maxb;
		na[i].start_at = at != NULL ? start : 0;
		na[i].expires_at = start + expires;
		na[i].who = ctx->who;
		na[i].options = opts;
		na[i].noptions = nopts;
	}
	if ((rc = sip_store_set_actions(st, na, t.n, ctx->now, ids, &e)) !=
	    SIP_OK) {
		warn_lib(c->name, &e, rc);
		goto out;
	}

	if (cap->destructive)
		warnx("%s: warning: %s is destructive: it may erase the disks "
		    "of %zu machine%s", c->name, action, t.n,
		    t.n == 1 ? "" : "s");
	fmt_time(tbuf, sizeof(tbuf), start + expires, 0);
	fmt_time(sbuf, sizeof(sbuf), start, 0);
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
 out:
	if (old != NULL)
		for (i = 0; i < t.n; i++)
			if (old[i] != NULL)
				sip_action_free(old[i]);
	free(old);
	free(ids);
	free(na);
	if (st != NULL)
		sip_store_close(st);
	if (opts != NULL)
		sip_kv_free(opts, nopts);
	if (mod != NULL)
		sip_module_free(mod);
	targets_free(&t);
	return rv;
}

/* ------------------------------------------------------------- cancel */

static int
cmd_cancel(const struct command *c, struct ctx *ctx, int argc, char *argv[])
{
	struct sip_err e = { "" };
	struct targets t = { NULL, NULL, 0 };
	struct sip_store *st = NULL;
	struct sip_action *act;
	size_t i, n;
	enum sip_rc rc;
	int rv = 1;

	if (verb_options(c, argc, argv, NULL, 0, &rv) == -1)
		return rv;
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		warnx("%s: missing TARGET", c->name);
		return verb_usage(c, EXIT_USAGE);
	}
	if (machines_open(c, ctx, argc, argv, SIP_STORE_RW, &t, &st) == -1)
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

/* ------------------------------------------------------------- status */

enum col {
	COL_MAC, COL_ACTION, COL_STATE, COL_BOOTS, COL_PROGRESS, COL_SEEN,
	COL_PLATFORM, COL_MESSAGE, COL__MAX
};

static const char *const col_names[COL__MAX] = {
	"MAC",		/* COL_MAC */
	"ACTION",	/* COL_ACTION */
	"STATE",	/* COL_STATE */
	"BOOTS",	/* COL_BOOTS */
	"PROGRESS",	/* COL_PROGRESS */
	"LAST SEEN",	/* COL_SEEN */
	"PLATFORM",	/* COL_PLATFORM */
	"MESSAGE",	/* COL_MESSAGE */
};

/* The MAC of a status row (rows for asked MACs may have neither part). */
static const char *
row_mac(const struct sip_status_row *r, size_t i, size_t nrows,
    const struct targets *t)
{
	if (r->machine != NULL)
		return r->machine->mac;
	if (r->action != NULL)
		return r->action->mac;
	if (t->n == nrows && i < t->n)
		return t->p[i];
	return "?";
}

static void
json_options(const struct sip_kv *kv, size_t n)
{
	size_t i;

	putchar('{');
	for (i = 0; i < n; i++) {
		if (i > 0)
			putchar(',');
		json_str(kv[i].key);
		putchar(':');
		json_str(kv[i].value);
	}
	putchar('}');
}

static void
json_action(const struct sip_action *a)
{
	if (a == NULL) {
		fputs("null", stdout);
		return;
	}
	printf("{\"id\":%lld", (long long)a->id);
	json_kstr("name", a->name);
	json_kstr("state", sip_state_name(a->state));
	json_kstr("completion", sip_completion_name(a->completion));
	json_kint("boots", a->boots);
	json_kint("max_boots", a->max_boots);
	if (a->progress < 0)
		fputs(",\"progress\":null", stdout);
	else
		json_kint("progress", a->progress);
	json_kstr("message", a->message);
	json_kstr("created_by", a->created_by);
	json_kint("created_at", a->created_at);
	json_kint("start_at", a->start_at);
	json_kint("expires_at", a->expires_at);
	json_kint("updated_at", a->updated_at);
	fputs(",\"options\":", stdout);
	json_options(a->options, a->noptions);
	putchar('}');
}

static void
json_machine(const struct sip_machine *m)
{
	if (m == NULL) {
		fputs("null", stdout);
		return;
	}
	fputs("{\"platform\":", stdout);
	json_str(m->platform);
	json_kstr("buildarch", m->buildarch);
	json_kstr("uuid", m->uuid);
	json_kstr("serial", m->serial);
	json_kstr("manufacturer", m->manufacturer);
	json_kstr("product", m->product);
	json_kstr("ip", m->ip);
	json_kint("first_seen", m->first_seen);
	json_kint("last_seen", m->last_seen);
	json_kint("boots", m->boots);
	putchar('}');
}

static void
status_json(const struct sip_status_row *rows, size_t n,
    const struct targets *t)
{
	size_t i;

	fputs("[", stdout);
	for (i = 0; i < n; i++) {
		fputs(i > 0 ? ",\n{\"mac\":" : "\n{\"mac\":", stdout);
		json_str(row_mac(&rows[i], i, n, t));
		fputs(",\"machine\":", stdout);
		json_machine(rows[i].machine);
		fputs(",\"action\":", stdout);
		json_action(rows[i].action);
		putchar('}');
	}
	fputs(n > 0 ? "\n]\n" : "]\n", stdout);
}

static void
status_table(const struct sip_status_row *rows, size_t n,
    const struct targets *t)
{
	const struct sip_action *a;
	const struct sip_machine *m;
	char **cell, tbuf[32];
	size_t *w, width[COL__MAX], i, j, k, last;

	if (n == 0)
		return;
	cell = xcalloc((n + 1) * COL__MAX, sizeof(*cell));
	w = xcalloc((n + 1) * COL__MAX, sizeof(*w));
	for (j = 0; j < COL__MAX; j++) {
		cell[j] = xasprintf("%s", col_names[j]);
		w[j] = strlen(col_names[j]);
	}
	for (i = 0; i < n; i++) {
		a = rows[i].action;
		m = rows[i].machine;
		k = (i + 1) * COL__MAX;
		cell[k + COL_MAC] = safe_dup(row_mac(&rows[i], i, n, t), NULL);
		cell[k + COL_ACTION] = safe_dup(a != NULL ? a->name : "-",
		    NULL);
		cell[k + COL_STATE] = xasprintf("%s",
		    a != NULL ? sip_state_name(a->state) : "-");
		cell[k + COL_BOOTS] = a != NULL ? xasprintf("%d/%d", a->boots,
		    a->max_boots) : xasprintf("%s", "-");
		cell[k + COL_PROGRESS] = a != NULL && a->progress >= 0 ?
		    xasprintf("%d%%", a->progress) : xasprintf("%s", "-");
		if (m != NULL)
			fmt_time(tbuf, sizeof(tbuf), m->last_seen, 0);
		else
			snprintf(tbuf, sizeof(tbuf), "never");
		cell[k + COL_SEEN] = xasprintf("%s", tbuf);
		cell[k + COL_PLATFORM] = safe_dup(m != NULL &&
		    m->platform != NULL ? m->platform : "-", NULL);
		cell[k + COL_MESSAGE] = safe_dup(a != NULL &&
		    a->message != NULL ? a->message : "", NULL);
		for (j = 0; j < COL__MAX; j++)
			free(safe_dup(cell[k + j], &w[k + j]));
	}
	for (j = 0; j < COL__MAX; j++)
		for (width[j] = 0, i = 0; i <= n; i++)
			if (w[i * COL__MAX + j] > width[j])
				width[j] = w[i * COL__MAX + j];
	for (i = 0; i <= n; i++) {
		k = i * COL__MAX;
		/* No trailing blanks: pad a cell only if more text follows. */
		for (last = COL__MAX - 1; last > 0; last--)
			if (cell[k + last][0] != '\0')
				break;
		for (j = 0; j < last; j++)
			printf("%s%*s  ", cell[k + j],
			    (int)(width[j] - w[k + j]), "");
		printf("%s\n", cell[k + last]);
	}
	for (i = 0; i < (n + 1) * COL__MAX; i++)
		free(cell[i]);
	free(cell);
	free(w);
}

static int
cmd_status(const struct command *c, struct ctx *ctx, int argc, char *argv[])
{
	struct sip_err e = { "" };
	struct targets t = { NULL, NULL, 0 };
	struct sip_store *st = NULL;
	struct sip_status_row *rows = NULL;
	size_t nrows = 0;
	enum sip_rc rc;
	int json = 0, rv = 1;
	const struct verb_option vo[] = {
		{ "json",	&json,	NULL },
	};

	if (verb_options(c, argc, argv, vo, nitems(vo), &rv) == -1)
		return rv;
	argc -= optind;
	argv += optind;
	if (machines_open(c, ctx, argc, argv, SIP_STORE_RO, &t, &st) == -1)
		goto out;
	/* Not fatal: the table then shows the machines as of the last fold. */
	if (st != NULL)
		(void)seen_fold(c->name, ctx, NULL);
	if (st != NULL && (rc = sip_store_status(st, argc > 0 ? t.p : NULL,
	    t.n, &rows, &nrows, &e)) != SIP_OK) {
		rows = NULL;
		nrows = 0;
		warn_lib(c->name, &e, rc);
		goto out;
	}
	if (json)
		status_json(rows, nrows, &t);
	else
		status_table(rows, nrows, &t);
	rv = 0;
 out:
	if (rows != NULL)
		sip_status_free(rows, nrows);
	machines_close(&t, st);
	return rv;
}

/* ------------------------------------------------------------ history */

static int
history_cmp(const void *a, const void *b)
{
	const struct sip_history *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return 0;
}

static void
history_line(const struct sip_history *h)
{
	char tbuf[32];

	fmt_time(tbuf, sizeof(tbuf), h->at, 1);
	printf("%s ", tbuf);
	put_safe(stdout, h->action, "-");
	putchar(' ');
	if (h->old_state != NULL && h->new_state != NULL) {
		/* 2026-11-25 10:05:00 memtest:run pending -> done (boot) */
		put_safe(stdout, h->old_state, "-");
		fputs(" -> ", stdout);
		put_safe(stdout, h->new_state, "-");
		fputs(" (", stdout);
		put_safe(stdout, h->event, "-");
		if (h->who != NULL) {
			fputs(" by ", stdout);
			put_safe(stdout, h->who, "");
		}
		putchar(')');
	} else {
		/* 2026-11-25 10:00:00 memtest:run set (who) detail */
		put_safe(stdout, h->event, "-");
		if (h->who != NULL) {
			fputs(" (", stdout);
			put_safe(stdout, h->who, "");
			putchar(')');
		}
	}
	if (h->detail != NULL && h->detail[0] != '\0') {
		putchar(' ');
		put_safe(stdout, h->detail, "");
	}
	putchar('\n');
}

static void
history_json(const struct sip_history *h, size_t n)
{
	size_t i;

	fputs("[", stdout);
	for (i = 0; i < n; i++) {
		printf("%s{\"id\":%lld", i > 0 ? ",\n" : "\n",
		    (long long)h[i].id);
		json_kint("at", h[i].at);
		json_kstr("mac", h[i].mac);
		if (h[i].action_id == 0)
			fputs(",\"action_id\":null", stdout);
		else
			json_kint("action_id", h[i].action_id);
		json_kstr("action", h[i].action);
		json_kstr("event", h[i].event);
		json_kstr("old_state", h[i].old_state);
		json_kstr("new_state", h[i].new_state);
		json_kstr("who", h[i].who);
		json_kstr("detail", h[i].detail);
		putchar('}');
	}
	fputs(n > 0 ? "\n]\n" : "]\n", stdout);
}

static int
cmd_history(const struct command *c, struct ctx *ctx, int argc,
    char *argv[])
{
	struct sip_err e = { "" };
	struct targets t = { NULL, NULL, 0 };
	struct sip_store *st = NULL;
	struct sip_history *h = NULL;
	size_t n = 0, i;
	enum sip_rc rc;
	int json = 0, rv = 1;
	const struct verb_option vo[] = {
		{ "json",	&json,	NULL },
	};

	if (verb_options(c, argc, argv, vo, nitems(vo), &rv) == -1)
		return rv;
	argc -= optind;
	argv += optind;
	if (argc != 1) {
		warnx("%s: %s", c->name, argc == 0 ? "missing TARGET" :
		    "only one TARGET");
		return verb_usage(c, EXIT_USAGE);
	}
	if (machines_open(c, ctx, argc, argv, SIP_STORE_RO, &t, &st) == -1)
		goto out;
	if (st != NULL && (rc = sip_store_history(st, t.p[0], &h, &n, &e)) !=
	    SIP_OK) {
		h = NULL;
		n = 0;
		warn_lib(c->name, &e, rc);
		goto out;
	}
	if (n > 1)
		qsort(h, n, sizeof(*h), history_cmp);
	if (json)
		history_json(h, n);
	else
		for (i = 0; i < n; i++)
			history_line(&h[i]);
	rv = 0;
 out:
	if (h != NULL)
		sip_history_free(h, n);
	machines_close(&t, st);
	return rv;
}

/* ------------------------------------------------------------ preview */

static int
cmd_preview(const struct command *c, struct ctx *ctx, int argc,
    char *argv[])
{
	struct sip_err e = { "" };
	struct targets t = { NULL, NULL, 0 };
	struct sip_request req;
	struct sip_reason reason;
	struct sip_buf out;
	const char *platform = NULL;
	char *p;
	enum sip_rc rc = SIP_OK;
	int rv = 1;
	const struct verb_option vo[] = {
		{ "platform",	NULL,	&platform },
	};

	if (verb_options(c, argc, argv, vo, nitems(vo), &rv) == -1)
		return rv;
	argc -= optind;
	argv += optind;
	if (argc != 1) {
		warnx("%s: %s", c->name, argc == 0 ? "missing TARGET" :
		    "only one TARGET");
		return verb_usage(c, EXIT_USAGE);
	}
	sip_buf_init(&out);
	if (ctx_setup(c, ctx) == -1)
		goto out;
	if (platform != NULL && strcmp(platform, "pcbios") != 0 &&
	    strcmp(platform, "efi") != 0) {
		warnx("%s: --platform: '%s': not pcbios or efi", c->name,
		    platform);
		goto out;
	}
	if (targets_parse(c->name, argv, argc, &t) == -1)
		goto out;

	memset(&req, 0, sizeof(req));
	memcpy(req.mac, t.mac[0], sizeof(req.mac));
	req.platform = platform;
	memset(&reason, 0, sizeof(reason));
	sip_answer_boot(&ctx->cfg, &req, ctx->now, 1, &out, &reason, &rc, &e);
	if (out.failed) {
		warnx("%s: out of memory", c->name);
		goto out;
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
	targets_free(&t);
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
	fmt_duration(dbuf, sizeof(dbuf), cap_expires(ctx, cap));
	printf("\n\tcompletion %s, max %d boot%s, expires %s%s\n",
	    sip_completion_name(cap->completion), maxb, maxb == 1 ? "" : "s",
	    dbuf, cap->destructive ? ", destructive" : "");
	/* File names are [A-Za-z0-9._-]: nothing to escape. */
	if (cap->nfiles > 0) {
		fputs("\tfiles", stdout);
		for (i = 0; i < cap->nfiles; i++)
			printf(" %s", cap->files[i]);
		putchar('\n');
	}
	for (i = 0; i < cap->noptions; i++)
		option_text(&cap->options[i]);
}

static void
option_json(const struct sip_option *o)
{
	size_t i;

	fputs("{\"name\":", stdout);
	json_str(o->name);
	json_kstr("type", sip_opt_type_name(o->type));
	json_kstr("description", o->description);
	json_kstr("default", o->def);
	printf(",\"required\":%s", o->def == NULL ? "true" : "false");
	switch (o->type) {
	case SIP_OPT_ENUM:
		fputs(",\"values\":[", stdout);
		for (i = 0; o->values != NULL && o->values[i] != NULL; i++) {
			if (i > 0)
				putchar(',');
			json_str(o->values[i]);
		}
		putchar(']');
		break;
	case SIP_OPT_INTEGER:
		json_kint("min", o->min);
		json_kint("max", o->max);
		break;
	case SIP_OPT_BOOLEAN:
		fputs(",\"values\":[\"yes\",\"no\"]", stdout);
		break;
	case SIP_OPT_NAME:
		json_kstr("pattern", o->pattern);
		break;
	default:
		break;
	}
	putchar('}');
}

static void
capability_json(const struct ctx *ctx, const struct sip_module *m,
    const struct sip_capability *cap)
{
	size_t i;

	fputs("{\"name\":\"", stdout);
	/* Module and capability names are [a-z][a-z0-9_-]*. */
	printf("%s:%s\"", m->name, cap->name);
	json_kstr("module", m->name);
	json_kstr("capability", cap->name);
	json_kstr("description", cap->description);
	json_kstr("completion", sip_completion_name(cap->completion));
	json_kint("max_boots", cap_max_boots(ctx, cap));
	json_kint("expires", cap_expires(ctx, cap));
	printf(",\"destructive\":%s", cap->destructive ? "true" : "false");
	fputs(",\"files\":[", stdout);
	for (i = 0; i < cap->nfiles; i++) {
		if (i > 0)
			putchar(',');
		json_str(cap->files[i]);
	}
	fputs("],\"options\":[", stdout);
	for (i = 0; i < cap->noptions; i++) {
		if (i > 0)
			putchar(',');
		option_json(&cap->options[i]);
	}
	fputs("]}", stdout);
}

static int
cmd_actions(const struct command *c, struct ctx *ctx, int argc,
    char *argv[])
{
	struct sip_err e = { "" };
	struct sip_module **mods = NULL;
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
	if (json)
		putchar('[');
	for (i = 0; i < nmods; i++)
		for (j = 0; j < mods[i]->ncaps; j++, n++) {
			if (json) {
				fputs(n > 0 ? ",\n" : "\n", stdout);
				capability_json(ctx, mods[i],
				    &mods[i]->caps[j]);
			} else
				capability_text(ctx, mods[i],
				    &mods[i]->caps[j]);
		}
	if (json)
		fputs(n > 0 ? "\n]\n" : "]\n", stdout);
	rv = 0;
 out:
	if (mods != NULL)
		sip_modules_free(mods, nmods);
	return rv;
}

/* ------------------------------------------------------------ cleanup */

static int
cmd_cleanup(const struct command *c, struct ctx *ctx, int argc,
    char *argv[])
{
	struct sip_err e = { "" };
	struct sip_store *st = NULL;
	struct stat sb;
	struct sip_tick_result res;
	enum sip_rc rc;
	int rv = 1;

	if (verb_noargs(c, argc, argv, NULL, 0, &rv) == -1)
		return rv;
	if (ctx_setup(c, ctx) == -1)
		goto out;
	/* No database yet: nothing to clean, and cron must stay quiet. */
	if (stat(ctx->cfg.db_path, &sb) == -1 && errno == ENOENT) {
		rv = 0;
		goto out;
	}
	if (store_open(c->name, ctx, SIP_STORE_RW, &st) == -1)
		goto out;
	rc = sip_tick(st, &ctx->cfg, ctx->now, &res, &e);
	if (res.bad > 0)
		warnx("%s: %s%s: %zu malformed line%s dropped", c->name,
		    ctx->cfg.db_path, SIP_SEEN_SUFFIX, res.bad,
		    res.bad == 1 ? "" : "s");
	if (rc != SIP_OK) {
		warn_lib(c->name, &e, rc);
		goto out;
	}
	if (res.expired > 0 || res.purged_actions > 0 ||
	    res.purged_history > 0)
		printf("expired %zu action%s, purged %zu finished action%s "
		    "and %zu history row%s\n",
		    res.expired, res.expired == 1 ? "" : "s",
		    res.purged_actions, res.purged_actions == 1 ? "" : "s",
		    res.purged_history, res.purged_history == 1 ? "" : "s");
	rv = 0;
 out:
	if (st != NULL)
		sip_store_close(st);
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

static int
cmd_check(const struct command *c, struct ctx *ctx, int argc, char *argv[])
{
	struct sip_err e = { "" };
	struct sip_module **mods = NULL;
	struct sip_store *st = NULL;
	struct stat sb;
	size_t nmods = 0, nmissing, i;
	enum sip_rc rc;
	int rv = 1;

	if (verb_noargs(c, argc, argv, NULL, 0, &rv) == -1)
		return rv;
	if (ctx_setup(c, ctx) == -1)
		goto out;
	rv = 0;
	fputs("ok config ", stdout);
	put_safe(stdout, ctx->cfg.path, "(defaults)");
	putchar('\n');

	/* Every module, with every template it names (sip_module_load). */
	if ((rc = sip_module_scan(ctx->cfg.module_path, &mods, &nmods, &e)) !=
	    SIP_OK) {
		mods = NULL;
		nmods = 0;
		warn_lib(c->name, &e, rc);
		rv = 1;
	}
	for (i = 0; i < nmods; i++) {
		printf("ok module %s (%zu capabilit%s) ", mods[i]->name,
		    mods[i]->ncaps, mods[i]->ncaps == 1 ? "y" : "ies");
		put_safe(stdout, mods[i]->dir, "");
		putchar('\n');
	}

	/* The templates of the default answers. */
	if (check_template(ctx, "local.ipxe") == -1)
		rv = 1;
	if (check_template(ctx, "iscsi.ipxe") == -1)
		rv = 1;

	/* The database, if it exists already. */
	if (stat(ctx->cfg.db_path, &sb) == -1 && errno == ENOENT) {
		fputs("ok database ", stdout);
		put_safe(stdout, ctx->cfg.db_path, "");
		fputs(" (not created yet)\n", stdout);
	} else if (store_open(c->name, ctx, SIP_STORE_RO, &st) == -1)
		rv = 1;
	else if ((rc = sip_store_integrity(st, &e)) != SIP_OK ||
	    (rc = sip_store_active_verify(st, &nmissing, &e)) != SIP_OK) {
		warn_lib(c->name, &e, rc);
		rv = 1;
	} else {
		fputs("ok database ", stdout);
		put_safe(stdout, ctx->cfg.db_path, "");
		putchar('\n');
	}
 out:
	if (st != NULL)
		sip_store_close(st);
	if (mods != NULL)
		sip_modules_free(mods, nmods);
	return rv;
}

/* -------------------------------------------------------- dhcp-config */

static int
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
		usage_all(stdout);
		return 0;
	}
	if (argc > 1) {
		warnx("%s: only one COMMAND", c->name);
		return verb_usage(c, EXIT_USAGE);
	}
	if ((verb = command_find(argv[0])) == NULL) {
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
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 }
	};
	const struct command *c;
	struct ctx ctx;
	int ch, rv;

	memset(&ctx, 0, sizeof(ctx));
	opterr = 0;
	/* "+": the global options stop at the verb. */
	while ((ch = getopt_long(argc, argv, "+:c:hV", lo, NULL)) != -1) {
		switch (ch) {
		case 'c':
			ctx.cfg_file = optarg;
			break;
		case 'h':
			usage_all(stdout);
			return stdout_close(0);
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
	if ((c = command_find(argv[0])) == NULL) {
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
	return stdout_close(rv);
}
