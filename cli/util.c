/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers shared by the verbs of se3-ipxe: allocation, terminal-safe text, times, options, targets. */

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "se3ipxe.h"
#include "cli.h"

void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size)) == NULL)
		err(1, NULL);
	return p;
}

char *
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
 * Print rows x cols cells (row 0 the header) in columns two blanks apart,
 * w[i] the width of cell i, with no trailing blanks: a cell is padded only
 * if more text follows on its line.  Frees the cells, cell and w.
 */
void
table_print(char **cell, size_t *w, size_t rows, size_t cols)
{
	size_t *width, i, j, k, last;

	width = xcalloc(cols, sizeof(*width));
	for (j = 0; j < cols; j++)
		for (i = 0; i < rows; i++)
			if (w[i * cols + j] > width[j])
				width[j] = w[i * cols + j];
	for (i = 0; i < rows; i++) {
		k = i * cols;
		for (last = cols - 1; last > 0; last--)
			if (cell[k + last][0] != '\0')
				break;
		for (j = 0; j < last; j++)
			printf("%s%*s  ", cell[k + j],
			    (int)(width[j] - w[k + j]), "");
		printf("%s\n", cell[k + last]);
	}
	for (i = 0; i < rows * cols; i++)
		free(cell[i]);
	free(cell);
	free(w);
	free(width);
}

/*
 * The cells of a table of n lines under its head (cols cells a line),
 * the head's filled in: the caller fills cell[cols...], then
 * table_print_plain() prints and frees them.
 */
char **
table_new(const char *const *head, size_t cols, size_t n)
{
	char **cell = xcalloc((n + 1) * cols, sizeof(*cell));
	size_t j;

	for (j = 0; j < cols; j++)
		cell[j] = xasprintf("%s", head[j]);
	return cell;
}

/* table_print() of cells as wide as their bytes. */
void
table_print_plain(char **cell, size_t rows, size_t cols)
{
	size_t *w = xcalloc(rows * cols, sizeof(*w)), i;

	for (i = 0; i < rows * cols; i++)
		w[i] = strlen(cell[i]);
	table_print(cell, w, rows, cols);
}

/*
 * A copy of an untrusted string that is safe on a terminal: control bytes,
 * DEL, C1 controls and bytes that are not valid UTF-8 become \xHH, so a
 * stored SMBIOS string or report message cannot send escape sequences.
 * *width receives the number of characters (for table columns).
 */
char *
safe_dup(const char *in, size_t *width)
{
	const unsigned char *s = (const unsigned char *)in;
	char *out, *o;
	uint32_t cp;
	size_t n, w = 0, i;

	if ((out = malloc(strlen(in) * 4 + 1)) == NULL)
		err(1, NULL);
	for (o = out; *s != '\0'; s += n) {
		n = sip_utf8_decode(s, &cp);
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
void
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
void
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

/* Text built in a buffer (JSON), on stdout; a failed buffer is out of memory. */
void
buf_print(const struct sip_buf *b)
{
	if (b->failed)
		errx(1, "out of memory");
	if (b->len > 0)
		fwrite(b->data, 1, b->len, stdout);
}

/* Local time as text, to the minute or the second; 0 (never) as "-". */
void
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

/* A decimal number in [min, max], no sign, no blanks. */
int
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

/*
 * What getopt_long did not like ("bad": unknown, ambiguous, or given an
 * argument it does not take).  opterr is 0: the messages are ours.
 */
void
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

/* What getopt_long returns for vo[i]: above any option character. */
#define VERB_OPTION_VAL(i)	(0x100 + (int)(i))

/*
 * getopt_long takes any unambiguous prefix of a long option (--ex for
 * --expires).  The verbs are exact, and so are their options: otherwise a
 * new option named alike would change what an old command line means.
 * Returns -1, or the index in argv of the first --NAME that is not exactly
 * one of lo (*len: the length of "--NAME", without any "=VALUE").  The
 * argument of an option (lo's, or a short one of shortopts) is skipped;
 * "--" ends the scan, and so does the first operand when shortopts starts
 * with '+' (the global options).
 */
int
long_inexact(const struct option *lo, const char *shortopts, int argc,
    char *argv[], size_t *len)
{
	const struct option *o;
	const char *a, *p, *q;
	size_t n;
	int i;

	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (strcmp(a, "--") == 0)
			break;
		if (a[0] != '-' || a[1] == '\0') {
			if (shortopts[0] == '+')
				break;
			continue;
		}
		if (a[1] != '-') {
			/* -cFILE or -c FILE: only the latter takes the next. */
			for (p = a + 1; *p != '\0'; p++) {
				q = strchr(shortopts, *p);
				if (*p != ':' && *p != '+' && q != NULL &&
				    q[1] == ':') {
					if (p[1] == '\0')
						i++;
					break;
				}
			}
			continue;
		}
		n = strcspn(a + 2, "=");
		for (o = lo; o->name != NULL; o++)
			if (strlen(o->name) == n &&
			    strncmp(o->name, a + 2, n) == 0)
				break;
		if (o->name == NULL) {
			*len = n + 2;
			return i;
		}
		if (o->has_arg == required_argument && a[2 + n] == '\0')
			i++;
	}
	return -1;
}

/* "unknown option '--NAME'" for what long_inexact found. */
void
long_inexact_error(const char *verb, const char *arg, size_t len)
{
	char *p, *name;

	name = xasprintf("%.*s", (int)len, arg);
	p = safe_dup(name, NULL);
	if (verb != NULL)
		warnx("%s: unknown option '%s'", verb, p);
	else
		warnx("unknown option '%s'", p);
	free(p);
	free(name);
}

/*
 * Parse the options of a verb: the n of vo, and --help.  They are accepted
 * anywhere after the verb (GNU permutation; main re-initialised getopt
 * with optind = 0).  Returns 0 with optind at the first operand, or -1
 * once the usage is printed: the verb returns *status, 0 after --help,
 * EXIT_USAGE after a bad option.  *status is written only then.
 */
int
verb_options(const struct command *c, int argc, char *argv[],
    const struct verb_option *vo, size_t n, int *status)
{
	struct option *lo;
	size_t i, len;
	int bad, ch, rv = 0;

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
	if ((bad = long_inexact(lo, ":h", argc, argv, &len)) != -1) {
		long_inexact_error(c->name, argv[bad], len);
		*status = verb_usage(c, EXIT_USAGE);
		free(lo);
		return -1;
	}
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
int
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

/*
 * verb_options for the verbs that take TARGETs, at least one and at most
 * max (0: any number); argc and argv are then the operands alone.
 */
static int
verb_targets_upto(const struct command *c, int *argc, char ***argv,
    const struct verb_option *vo, size_t n, int max, int *status)
{
	if (verb_options(c, *argc, *argv, vo, n, status) == -1)
		return -1;
	*argc -= optind;
	*argv += optind;
	if (*argc == 0 || (max > 0 && *argc > max)) {
		warnx("%s: %s", c->name, *argc == 0 ? "missing TARGET" :
		    "only one TARGET");
		*status = verb_usage(c, EXIT_USAGE);
		return -1;
	}
	return 0;
}

int
verb_one_target(const struct command *c, int *argc, char ***argv,
    const struct verb_option *vo, size_t n, int *status)
{
	return verb_targets_upto(c, argc, argv, vo, n, 1, status);
}

int
verb_targets(const struct command *c, int *argc, char ***argv,
    const struct verb_option *vo, size_t n, int *status)
{
	return verb_targets_upto(c, argc, argv, vo, n, 0, status);
}

/*
 * The bind password read before the privileges were dropped, or NULL
 * for an anonymous bind; -1 (said) if it could not be read.
 */
int
ldap_password(const char *verb, const struct ctx *ctx, const char **pw)
{
	*pw = ctx->ldap_pw;
	if (ctx->ldap_pw_rc != SIP_OK) {
		warn_lib(verb, &ctx->ldap_pw_err, ctx->ldap_pw_rc);
		return -1;
	}
	return 0;
}

/*
 * SE3's directory, bound with that password; NULL once the reason is
 * said.  need says what it was for when no [ldap] uri is configured
 * (NULL: nothing is said then).  Caller closes with sip_ldap_close.
 */
struct sip_ldap *
ldap_connect(const char *verb, const struct ctx *ctx, const char *need)
{
	struct sip_err e = { "" };
	struct sip_ldap *l = NULL;
	const char *pw;
	enum sip_rc rc;

	if (ctx->cfg.ldap_uri[0] == '\0') {
		if (need != NULL)
			warnx("%s: no [ldap] uri in %s: %s", verb,
			    ctx->cfg.path != NULL ? ctx->cfg.path :
			    SIP_CONFIG_PATH, need);
		return NULL;
	}
	if (ldap_password(verb, ctx, &pw) == -1)
		return NULL;
	if ((rc = sip_ldap_open(&ctx->cfg, pw, &l, &e)) != SIP_OK) {
		warn_lib(verb, &e, rc);
		return NULL;
	}
	return l;
}

/*
 * Resolve every target (duplicates dropped), through LDAP for those that
 * are not MACs; name the first bad one.
 */
int
targets_parse(const char *verb, const struct ctx *ctx, char *const *argv,
    int argc, struct sip_targets *t)
{
	struct sip_err e = { "" };
	const char *pw;
	enum sip_rc rc;
	int i;

	/* MACs only: the password is not needed, nor read. */
	for (i = 0; i < argc; i++) {
		struct sip_mac m;

		if (sip_mac_parse(argv[i], &m) != SIP_OK)
			break;
	}
	pw = NULL;
	if (i < argc && ctx->cfg_loaded && ldap_password(verb, ctx, &pw) == -1)
		return -1;
	rc = sip_targets_resolve(ctx->cfg_loaded ? &ctx->cfg : NULL, pw,
	    (const char *const *)argv, (size_t)argc, t, &e);
	if (rc == SIP_ENOMEM)
		errx(1, "out of memory");
	if (rc != SIP_OK) {
		warn_lib(verb, &e, rc);
		return -1;
	}
	return 0;
}

/* The active action of mac, NULL if none; -1 on a database error. */
int
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

