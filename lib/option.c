/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Action options: their types, the guard on module patterns, checking a value and resolving OPTION=VALUE lists. */
#include <errno.h>
#include <inttypes.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

static const char *pattern_trap(const char *);

/* The template value type of each option type. */
static const enum sip_type opt_value_types[SIP_OPT__MAX] = {
	SIP_T_WORD,		/* SIP_OPT_ENUM */
	SIP_T_INT,		/* SIP_OPT_INTEGER */
	SIP_T_BOOL,		/* SIP_OPT_BOOLEAN */
	SIP_T_TEXT,		/* SIP_OPT_NAME */
	SIP_T_LINE,		/* SIP_OPT_TEXT */
	SIP_T_SECRET,		/* SIP_OPT_SECRET: the value, not the NAME */
};

enum sip_type
sip_opt_value_type(enum sip_opt_type t)
{
	if ((unsigned)t >= SIP_OPT__MAX)
		return SIP_T_TEXT;
	return opt_value_types[t];
}

/* Digits only, no sign, fits in int64_t. */
int
sip_parse_uint(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (s[0] < '0' || s[0] > '9')
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || errno == ERANGE || v < 0)
		return 0;
	*out = v;
	return 1;
}


/*
 * Does value suit o?  SIP_OK, or SIP_EINVAL with what was expected in why
 * (SIP_ENOMEM if the pattern could not run).  Options that reach a script
 * are typed like any other template value.
 */
enum sip_rc
sip_option_check(const struct sip_option *o, const char *value, char *why,
    size_t sz)
{
	int64_t v;
	size_t i;
	int ec;

	switch (o->type) {
	case SIP_OPT_BOOLEAN:
		if (strcmp(value, "yes") == 0 || strcmp(value, "no") == 0)
			return SIP_OK;
		snprintf(why, sz, "expected yes or no");
		return SIP_EINVAL;
	case SIP_OPT_INTEGER:
		if (sip_value_check(SIP_T_INT, value) == SIP_OK &&
		    sip_parse_uint(value, &v) && v >= o->min && v <= o->max)
			return SIP_OK;
		snprintf(why, sz, "expected an integer in %" PRId64 "..%"
		    PRId64, o->min, o->max);
		return SIP_EINVAL;
	case SIP_OPT_ENUM:
		for (i = 0; o->values[i] != NULL; i++)
			if (strcmp(o->values[i], value) == 0)
				return SIP_OK;
		snprintf(why, sz, "expected one of:");
		for (i = 0; o->values[i] != NULL; i++) {
			sip_append(why, sz, " ");
			sip_append(why, sz, o->values[i]);
		}
		return SIP_EINVAL;
	case SIP_OPT_NAME:
		if (sip_value_check(SIP_T_TEXT, value) == SIP_OK &&
		    strlen(value) <= (size_t)o->max) {
			if ((ec = regexec(o->regex, value, 0, NULL, 0)) == 0)
				return SIP_OK;
			if (ec == REG_ESPACE) {
				snprintf(why, sz, "%s",
				    sip_strerror(SIP_ENOMEM));
				return SIP_ENOMEM;
			}
		}
		snprintf(why, sz, "expected a name of at most %" PRId64
		    " bytes matching %s", o->max, o->pattern);
		return SIP_EINVAL;
	case SIP_OPT_TEXT:
		if (sip_value_check(SIP_T_LINE, value) == SIP_OK &&
		    strlen(value) <= (size_t)o->max)
			return SIP_OK;
		snprintf(why, sz, "expected one line of at most %" PRId64
		    " bytes of printable UTF-8, no blank at either end", o->max);
		return SIP_EINVAL;
	case SIP_OPT_SECRET:
		if (sip_secret_name_ok(value))
			return SIP_OK;
		/* An optional secret (its default empty) may be left empty. */
		if (value[0] == '\0' && o->def != NULL && o->def[0] == '\0')
			return SIP_OK;
		snprintf(why, sz, "expected the name of a secret "
		    "([a-z][a-z0-9_]{0,%d})", SIP_SECRET_NAME_MAX - 1);
		return SIP_EINVAL;
	case SIP_OPT__MAX:
		break;
	}
	snprintf(why, sz, "unknown option type");
	return SIP_EINVAL;
}


/*
 * What regcomp(3) would accept but must not get.  glibc reads a ')' that
 * closes nothing as a literal, so "x)|(y)" would become "^(x)|(y))$",
 * anchored at one end only.  Back-references are refused: their matching
 * cost has no bound.  And glibc compiles "E{m,n}" and "E+" by copying E:
 * stacked or nested repetitions grow the compiled pattern exponentially
 * ("(a{2,4})++++..." took gigabytes), so the copies are counted first,
 * for each atom the product of the repetitions around it.  A repetition
 * of a piece that can match nothing ("a**", "(a*)*", "(a|)+") is refused
 * too: glibc's epsilon closures make its compile time exponential in
 * how many there are (twenty "(a*)*" took a second, twenty-five more
 * than twenty), and POSIX leaves stacked repetitions undefined anyway.
 * Runs before regcomp; NULL if the pattern is fine.
 */
#define PATTERN_DEPTH	16	/* nested groups */
#define PATTERN_COPIES	4096	/* atoms once repetitions are unrolled */

static const char *
pattern_trap(const char *p)
{
	/* Per open group: atoms so far, and the size of its last piece. */
	unsigned long total[PATTERN_DEPTH + 1], last[PATTERN_DEPTH + 1];
	/*
	 * Per open group, whether it can match nothing: its alternatives so
	 * far, its current one without its last piece, and that piece.
	 */
	int group_null[PATTERN_DEPTH + 1], alt_null[PATTERN_DEPTH + 1];
	int last_null[PATTERN_DEPTH + 1];
	unsigned long m, n, f;
	int depth = 0, min0;
	char c;

	total[0] = last[0] = 0;
	group_null[0] = 0;
	alt_null[0] = last_null[0] = 1;
	for (; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return "not printable ASCII";
		f = 0;			/* a repetition factor, or 0 */
		min0 = 0;		/* the repetition may take it 0 times */
		if (*p != '*' && *p != '+' && *p != '?' && *p != '{' &&
		    *p != ')' && *p != '|') {
			/* A new piece begins: the previous one is whole. */
			alt_null[depth] = alt_null[depth] && last_null[depth];
			last_null[depth] = *p == '^' || *p == '$' || *p == '(';
		}
		if (*p == '\\') {
			if (p[1] >= '1' && p[1] <= '9')
				return "back-references are not allowed";
			if (p[1] == '\0')
				return "trailing backslash";
			p++;
			last[depth] = 1;
		} else if (*p == '[') {
			/* A bracket expression: ')', '\\' are plain there. */
			p++;
			if (*p == '^')
				p++;
			if (*p == ']')
				p++;
			for (; *p != '\0' && *p != ']'; p++) {
				if (*p != '[' || (p[1] != ':' && p[1] != '.' &&
				    p[1] != '='))
					continue;
				c = p[1];
				for (p += 2; *p != '\0' && (p[0] != c ||
				    p[1] != ']'); p++)
					continue;
				if (*p == '\0')
					break;
				p++;
			}
			if (*p == '\0')
				return "unterminated bracket expression";
			last[depth] = 1;
		} else if (*p == '(') {
			if (depth == PATTERN_DEPTH)
				return "groups nested too deep";
			depth++;
			total[depth] = last[depth] = 0;
			group_null[depth] = 0;
			alt_null[depth] = last_null[depth] = 1;
			continue;
		} else if (*p == ')') {
			if (depth == 0)
				return "unmatched ')': write \\) or [)] for a "
				    "literal parenthesis";
			depth--;
			last[depth] = total[depth + 1] > 0 ? total[depth + 1] : 1;
			last_null[depth] = group_null[depth + 1] ||
			    (alt_null[depth + 1] && last_null[depth + 1]);
		} else if (*p == '*')
			f = 1, min0 = 1;
		else if (*p == '?')
			f = 2, min0 = 1;
		else if (*p == '+')
			f = 2;
		else if (*p == '{') {
			m = strtoul(p + 1, NULL, 10);
			min0 = m == 0;
			n = m;
			p += 1 + strspn(p + 1, "0123456789");
			if (*p == ',') {
				n = strtoul(p + 1, NULL, 10);
				p += 1 + strspn(p + 1, "0123456789");
			}
			if (*p != '}')
				return "malformed repetition";
			f = (m > n ? m : n) + 1;
			if (f > PATTERN_COPIES)
				return "repetition too large";
		} else if (*p == '|') {
			group_null[depth] = group_null[depth] ||
			    (alt_null[depth] && last_null[depth]);
			alt_null[depth] = last_null[depth] = 1;
			continue;
		} else
			last[depth] = 1;
		if (f > 0) {
			if (last_null[depth])
				return "a repetition of what can match nothing "
				    "(like a** or (a*)*)";
			last_null[depth] = min0;
			/* The piece just read is copied f - 1 more times. */
			if (last[depth] > PATTERN_COPIES / f)
				return "too complex (repetitions of repetitions)";
			total[depth] += last[depth] * (f - 1);
			last[depth] *= f;
		} else
			total[depth] += last[depth];
		if (total[depth] > PATTERN_COPIES)
			return "too complex (repetitions of repetitions)";
	}
	return depth == 0 ? NULL : "unmatched '('";
}

/*
 * Compile o->pattern into o->regex, anchored at both ends, once the
 * guard above let it through.  Compiled alone first: a pattern that
 * compiles has balanced parentheses, so "^(" pattern ")$" anchors all of
 * it ("a)|(b" would not be anchored).
 */
enum sip_rc
sip_option_pattern(struct sip_option *o, char *why, size_t sz)
{
	const char *trap;
	char *anchored = NULL;
	regex_t re;
	size_t len;
	int ec;
	enum sip_rc rc;

	if ((trap = pattern_trap(o->pattern)) != NULL) {
		snprintf(why, sz, "%s", trap);
		return SIP_EINVAL;
	}
	if ((ec = regcomp(&re, o->pattern, REG_EXTENDED | REG_NOSUB)) != 0) {
		if (ec == REG_ESPACE)
			goto enomem;
		regerror(ec, &re, why, sz);
		return SIP_EINVAL;
	}
	regfree(&re);
	len = strlen(o->pattern) + 5;
	if ((anchored = malloc(len)) == NULL ||
	    (o->regex = malloc(sizeof(regex_t))) == NULL)
		goto enomem;
	snprintf(anchored, len, "^(%s)$", o->pattern);
	if ((ec = regcomp(o->regex, anchored, REG_EXTENDED | REG_NOSUB)) !=
	    0) {
		regerror(ec, o->regex, why, sz);
		free(o->regex);
		o->regex = NULL;
		rc = ec == REG_ESPACE ? SIP_ENOMEM : SIP_EINVAL;
		if (rc == SIP_ENOMEM)
			snprintf(why, sz, "%s", sip_strerror(SIP_ENOMEM));
		goto out;
	}
	rc = SIP_OK;
	goto out;
 enomem:
	snprintf(why, sz, "%s", sip_strerror(SIP_ENOMEM));
	rc = SIP_ENOMEM;
 out:
	free(anchored);
	return rc;
}

void
sip_option_free(struct sip_option *o)
{
	size_t i;

	free(o->description);
	free(o->def);
	if (o->values != NULL)
		for (i = 0; o->values[i] != NULL; i++)
			free(o->values[i]);
	free(o->values);
	free(o->pattern);
	if (o->regex != NULL) {
		regfree(o->regex);
		free(o->regex);
	}
}


/*
 * A value reaches every template that uses its key: it must be writable
 * in each one's kind, or nothing is set (a preseed cannot take a quote
 * that its shell commands would read).
 */
static enum sip_rc
writable(const struct sip_capability *c, const struct sip_option *o,
    const char *v, struct sip_err *err)
{
	const struct sip_template *t;
	char why[SIP_ERR_MAX / 2], sbuf[64];
	size_t i;

	if (v[0] == '\0')
		return SIP_OK;
	for (i = 0; i <= c->nfiles; i++) {
		t = i == 0 ? c->tmpl : c->file_tmpls[i - 1];
		if (t == NULL || !sip_template_uses(t, o->name) ||
		    sip_template_kind_check(sip_template_kind_of(t), v, why,
		    sizeof(why)) == SIP_OK)
			continue;
		return sip_errf(err, SIP_EINVAL, "capability %s: option %s: "
		    "'%s' cannot be written in %s: %s", c->name, o->name,
		    sip_shorten(v, sbuf, sizeof(sbuf)),
		    i == 0 ? c->template_file : c->files[i - 1], why);
	}
	return SIP_OK;
}

enum sip_rc
sip_options_resolve(const struct sip_capability *c, char *const *as,
    size_t n, struct sip_kv **out, size_t *nout, struct sip_err *err)
{
	const struct sip_option *o;
	const char **given = NULL;
	struct sip_kv *kv = NULL;
	char why[SIP_ERR_MAX], names[SIP_ERR_MAX], sbuf[64];
	const char *eq, *v;
	size_t i, j, klen;
	enum sip_rc rc;

	*out = NULL;
	*nout = 0;
	if (c->noptions > 0 &&
	    (given = calloc(c->noptions, sizeof(*given))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "%s: %s", c->name,
		    sip_strerror(SIP_ENOMEM));

	for (i = 0; i < n; i++) {
		if ((eq = strchr(as[i], '=')) == NULL) {
			rc = sip_errf(err, SIP_EINVAL, "capability %s: '%s': "
			    "expected OPTION=VALUE", c->name,
			    sip_shorten(as[i], sbuf, sizeof(sbuf)));
			goto fail;
		}
		klen = (size_t)(eq - as[i]);
		for (j = 0; j < c->noptions; j++)
			if (strlen(c->options[j].name) == klen &&
			    strncmp(c->options[j].name, as[i], klen) == 0)
				break;
		if (j == c->noptions) {
			names[0] = '\0';
			for (j = 0; j < c->noptions; j++) {
				sip_append(names, sizeof(names), j ? " " : "");
				sip_append(names, sizeof(names),
				    c->options[j].name);
			}
			rc = sip_errf(err, SIP_EINVAL, "capability %s: unknown "
			    "option '%.*s' (options: %s)", c->name, (int)klen,
			    as[i], c->noptions ? names : "none");
			goto fail;
		}
		o = &c->options[j];
		if (given[j] != NULL) {
			rc = sip_errf(err, SIP_EINVAL, "capability %s: option "
			    "'%s' given twice", c->name, o->name);
			goto fail;
		}
		if ((rc = sip_option_check(o, eq + 1, why, sizeof(why))) ==
		    SIP_ENOMEM)
			goto enomem;
		if (rc != SIP_OK) {
			rc = sip_errf(err, SIP_EINVAL, "capability %s: option "
			    "%s: '%s' is not a valid %s: %s", c->name, o->name,
			    sip_shorten(eq + 1, sbuf, sizeof(sbuf)),
			    sip_opt_type_name(o->type), why);
			goto fail;
		}
		given[j] = eq + 1;
	}

	for (j = 0; j < c->noptions; j++)
		if (given[j] == NULL && c->options[j].def == NULL) {
			rc = sip_errf(err, SIP_EINVAL, "capability %s: option "
			    "'%s' is required", c->name, c->options[j].name);
			goto fail;
		}
	if (c->noptions > 0 &&
	    (kv = calloc(c->noptions, sizeof(*kv))) == NULL)
		goto enomem;
	for (j = 0; j < c->noptions; j++) {
		v = given[j] != NULL ? given[j] : c->options[j].def;
		if ((rc = writable(c, &c->options[j], v, err)) != SIP_OK) {
			sip_kv_free(kv, j);
			goto fail;
		}
		if ((kv[j].key = sip_strdup(c->options[j].name)) == NULL ||
		    (kv[j].value = sip_strdup(v)) == NULL) {
			sip_kv_free(kv, j + 1);
			kv = NULL;
			goto enomem;
		}
	}
	free(given);
	*out = kv;
	*nout = c->noptions;
	return SIP_OK;
 enomem:
	rc = sip_errf(err, SIP_ENOMEM, "%s: %s", c->name,
	    sip_strerror(SIP_ENOMEM));
 fail:
	free(given);
	return rc;
}

enum sip_rc
sip_options_secrets_check(const struct sip_config *cfg,
    const struct sip_capability *c, const struct sip_kv *kv, size_t n,
    struct sip_err *err)
{
	struct sip_secrets *sec = NULL;
	struct sip_err lerr;
	const char *v;
	size_t i, j, k;
	enum sip_rc rc = SIP_OK;

	for (i = 0; i < c->noptions && rc == SIP_OK; i++) {
		if (c->options[i].type != SIP_OPT_SECRET)
			continue;
		for (j = 0; j < n; j++)
			if (strcmp(kv[j].key, c->options[i].name) == 0)
				break;
		if (j == n || kv[j].value[0] == '\0')
			continue;
		if (sec == NULL && (rc = sip_secrets_load(cfg->secrets_file,
		    &sec, &lerr)) != SIP_OK) {
			rc = sip_errf(err, rc, "capability %s: option %s: secret "
			    "'%s': %s", c->name, c->options[i].name,
			    kv[j].value, lerr.msg);
			break;
		}
		if ((v = sip_secrets_get(sec, kv[j].value)) == NULL) {
			rc = sip_errf(err, SIP_EINVAL, "capability %s: option "
			    "%s: no secret '%s' in %s", c->name,
			    c->options[i].name, kv[j].value, cfg->secrets_file);
			break;
		}
		if (c->options[i].crypt && sip_crypt_shape_check(v) != SIP_OK) {
			rc = sip_errf(err, SIP_EINVAL, "capability %s: option "
			    "%s: secret '%s' in %s is not a crypt(3) hash "
			    "($6$, $5$, $y$ or $2b$, as mkpasswd writes)",
			    c->name, c->options[i].name, kv[j].value,
			    cfg->secrets_file);
			break;
		}
		/* As writable(), but the message says why without the value. */
		for (k = 0; k < c->nfiles; k++) {
			if (sip_template_secret_ok(c->file_tmpls[k],
			    c->options[i].name, v))
				continue;
			rc = sip_errf(err, SIP_EINVAL, "capability %s: option "
			    "%s: the value of secret '%s' cannot be written in "
			    "%s, a file of kind %s", c->name,
			    c->options[i].name, kv[j].value, c->files[k],
			    sip_template_kind_name(c->file_kinds[k]));
			break;
		}
	}
	sip_secrets_free(sec);
	return rc;
}
