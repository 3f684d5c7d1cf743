/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The verbs that read machines: status and history. */

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "se3ipxe.h"
#include "cli.h"


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

int
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

int
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

