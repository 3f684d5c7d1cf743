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
	COL_WOKEN,
	COL_PLATFORM, COL_ADDRESS, COL_MESSAGE, COL__MAX
};

static const char *const col_names[COL__MAX] = {
	"MAC",		/* COL_MAC */
	"ACTION",	/* COL_ACTION */
	"STATE",	/* COL_STATE */
	"BOOTS",	/* COL_BOOTS */
	"PROGRESS",	/* COL_PROGRESS */
	"LAST SEEN",	/* COL_SEEN */
	"WOKEN",	/* COL_WOKEN: the latest wake, empty if none */
	"PLATFORM",	/* COL_PLATFORM */
	"ADDRESS",	/* COL_ADDRESS: the action's, [security] bind */
	"MESSAGE",	/* COL_MESSAGE */
};

/* The MAC of a status row (rows for asked MACs may have neither part). */
static const char *
row_mac(const struct sip_status_row *r, size_t i, size_t nrows,
    const struct sip_targets *t)
{
	if (r->machine != NULL)
		return r->machine->mac;
	if (r->action != NULL)
		return r->action->mac;
	if (t->n == nrows && i < t->n)
		return t->p[i];
	return "?";
}

/* HH:MM local: the end of a blackout window is within the week. */
static void
fmt_hhmm(char *buf, size_t sz, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sz, "%H:%M", &tm) == 0)
		snprintf(buf, sz, "?");
}

static void
json_options(struct sip_buf *b, const struct sip_kv *kv, size_t n)
{
	size_t i;

	sip_buf_puts(b, "{");
	for (i = 0; i < n; i++) {
		if (i > 0)
			sip_buf_puts(b, ",");
		sip_json_str(b, kv[i].key);
		sip_buf_puts(b, ":");
		sip_json_str(b, kv[i].value);
	}
	sip_buf_puts(b, "}");
}

static void
json_action(struct sip_buf *b, const struct sip_action *a)
{
	if (a == NULL) {
		sip_buf_puts(b, "null");
		return;
	}
	sip_buf_printf(b, "{\"id\":%lld", (long long)a->id);
	sip_json_kstr(b, "name", a->name);
	sip_json_kstr(b, "state", sip_state_name(a->state));
	sip_json_kstr(b, "completion", sip_completion_name(a->completion));
	sip_json_kint(b, "boots", a->boots);
	sip_json_kint(b, "max_boots", a->max_boots);
	if (a->progress < 0)
		sip_json_knull(b, "progress");
	else
		sip_json_kint(b, "progress", a->progress);
	sip_json_kstr(b, "message", a->message);
	sip_json_kstr(b, "created_by", a->created_by);
	sip_json_kint(b, "created_at", a->created_at);
	sip_json_kint(b, "start_at", a->start_at);
	sip_json_kint(b, "expires_at", a->expires_at);
	sip_json_kint(b, "updated_at", a->updated_at);
	if (a->state == SIP_ST_SCHEDULED && a->blackout_end != 0 &&
	    a->blackout_end == a->start_at)
		sip_json_kint(b, "blackout_end", a->blackout_end);
	else
		sip_json_knull(b, "blackout_end");
	if (a->bound_addr[0] == '\0')
		sip_json_knull(b, "bound_addr");
	else
		sip_json_kstr(b, "bound_addr", a->bound_addr);
	sip_buf_puts(b, ",\"options\":");
	json_options(b, a->options, a->noptions);
	sip_buf_puts(b, "}");
}

static void
json_machine(struct sip_buf *b, const struct sip_machine *m)
{
	if (m == NULL) {
		sip_buf_puts(b, "null");
		return;
	}
	sip_buf_puts(b, "{\"platform\":");
	sip_json_str(b, m->platform);
	sip_json_kstr(b, "buildarch", m->buildarch);
	sip_json_kstr(b, "uuid", m->uuid);
	sip_json_kstr(b, "serial", m->serial);
	sip_json_kstr(b, "manufacturer", m->manufacturer);
	sip_json_kstr(b, "product", m->product);
	sip_json_kstr(b, "ip", m->ip);
	sip_json_kint(b, "first_seen", m->first_seen);
	sip_json_kint(b, "last_seen", m->last_seen);
	sip_json_kint(b, "boots", m->boots);
	sip_buf_puts(b, "}");
}

static void
status_json(struct sip_buf *b, const struct sip_status_row *rows,
    size_t n, const struct sip_targets *t, const enum sip_wake_status *woken)
{
	size_t i;

	sip_buf_puts(b, "[");
	for (i = 0; i < n; i++) {
		sip_buf_puts(b, i > 0 ? ",\n{\"mac\":" : "\n{\"mac\":");
		sip_json_str(b, row_mac(&rows[i], i, n, t));
		sip_buf_puts(b, ",\"machine\":");
		json_machine(b, rows[i].machine);
		sip_buf_puts(b, ",\"action\":");
		json_action(b, rows[i].action);
		sip_json_kint(b, "refused", rows[i].refused);
		if (rows[i].refused > 0)
			sip_json_kstr(b, "refused_last_addr",
			    rows[i].refused_addr);
		else
			sip_json_knull(b, "refused_last_addr");
		if (woken[i] == SIP_WAKE_NONE)
			sip_json_knull(b, "woken");
		else
			sip_json_kstr(b, "woken",
			    sip_wake_status_name(woken[i]));
		sip_buf_puts(b, "}");
	}
	sip_buf_puts(b, n > 0 ? "\n]\n" : "]\n");
}

static void
status_table(const struct sip_status_row *rows, size_t n,
    const struct sip_targets *t, const enum sip_wake_status *woken)
{
	const struct sip_action *a;
	const struct sip_machine *m;
	char **cell, tbuf[32], hbuf[8];
	size_t *w, i, j, k;

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
		if (a != NULL && a->state == SIP_ST_SCHEDULED &&
		    a->blackout_end != 0 && a->blackout_end == a->start_at) {
			fmt_hhmm(hbuf, sizeof(hbuf), a->blackout_end);
			cell[k + COL_STATE] = xasprintf("%s, waits for "
			    "blackout end %s", sip_state_name(a->state), hbuf);
		} else
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
		cell[k + COL_WOKEN] = xasprintf("%s",
		    sip_wake_status_name(woken[i]));
		cell[k + COL_PLATFORM] = safe_dup(m != NULL &&
		    m->platform != NULL ? m->platform : "-", NULL);
		cell[k + COL_ADDRESS] = safe_dup(a != NULL &&
		    a->bound_addr[0] != '\0' ? a->bound_addr : "-", NULL);
		cell[k + COL_MESSAGE] = safe_dup(a != NULL &&
		    a->message != NULL ? a->message : "", NULL);
		for (j = 0; j < COL__MAX; j++)
			free(safe_dup(cell[k + j], &w[k + j]));
	}
	table_print(cell, w, n + 1, COL__MAX);
}

/*
 * A warning per machine whose latest action refused requests from another
 * address: someone else asked for it (or the machine changed address).
 */
static void
status_refusals(const char *verb, const struct sip_status_row *rows,
    size_t n, const struct sip_targets *t)
{
	const struct sip_action *a;
	char *mac, *bound, *last;
	size_t i;

	/* After the table, not in it, when both go to a terminal. */
	fflush(stdout);
	for (i = 0; i < n; i++) {
		if ((a = rows[i].action) == NULL || rows[i].refused <= 0)
			continue;
		mac = safe_dup(row_mac(&rows[i], i, n, t), NULL);
		bound = safe_dup(a->bound_addr[0] != '\0' ? a->bound_addr :
		    "none yet", NULL);
		last = safe_dup(rows[i].refused_addr, NULL);
		warnx("%s: warning: %s: action %lld, bound to %s, refused "
		    "%lld request%s by [security] bind, the last from %s",
		    verb, mac, (long long)a->id, bound,
		    (long long)rows[i].refused, rows[i].refused == 1 ? "" : "s",
		    last);
		free(last);
		free(bound);
		free(mac);
	}
}

int
cmd_status(const struct command *c, struct ctx *ctx, int argc, char *argv[])
{
	struct sip_err e = { "" };
	struct sip_targets t = { NULL, NULL, 0, 0, NULL };
	struct sip_store *st = NULL;
	struct sip_status_row *rows = NULL;
	struct sip_buf b = { NULL, 0, 0, 0 };
	enum sip_wake_status *woken = NULL;
	const char **macs = NULL;
	size_t nrows = 0, i;
	enum sip_rc rc;
	int json = 0, rv = 1;
	const struct verb_option vo[] = {
		{ "json",	&json,	NULL },
	};

	if (verb_options(c, argc, argv, vo, nitems(vo), &rv) == -1)
		return rv;
	argc -= optind;
	argv += optind;
	if (machines_open(c, ctx, argc, argv, &t, &st) == -1)
		goto out;
	if (st == NULL)
		warnx("%s: no database at %s (se3-ipxe init creates it): "
		    "no machine recorded yet", c->name,
		    ctx->cfg.db_path);
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
	woken = xcalloc(nrows + 1, sizeof(*woken));
	macs = xcalloc(nrows + 1, sizeof(*macs));
	for (i = 0; i < nrows; i++)
		macs[i] = row_mac(&rows[i], i, nrows, &t);
	if (st != NULL && (rc = sip_store_wake_status(st, macs, nrows,
	    ctx->now, ctx->cfg.wol_wake_timeout, woken, &e)) != SIP_OK) {
		warn_lib(c->name, &e, rc);
		goto out;
	}
	if (json) {
		status_json(&b, rows, nrows, &t, woken);
		buf_print(&b);
	} else
		status_table(rows, nrows, &t, woken);
	status_refusals(c->name, rows, nrows, &t);
	rv = 0;
 out:
	free(macs);
	free(woken);
	sip_buf_free(&b);
	if (rows != NULL)
		sip_status_free(rows, nrows);
	machines_close(&t, st);
	return rv;
}

/* ------------------------------------------------------------ history */

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
	/* The request's source address, last: details may hold anything. */
	if (h->addr != NULL) {
		fputs(" from ", stdout);
		put_safe(stdout, h->addr, "-");
	}
	putchar('\n');
}

static void
history_json(struct sip_buf *b, const struct sip_history *h, size_t n)
{
	size_t i;

	sip_buf_puts(b, "[");
	for (i = 0; i < n; i++) {
		sip_buf_printf(b, "%s{\"id\":%lld", i > 0 ? ",\n" : "\n",
		    (long long)h[i].id);
		sip_json_kint(b, "at", h[i].at);
		sip_json_kstr(b, "mac", h[i].mac);
		if (h[i].action_id == 0)
			sip_json_knull(b, "action_id");
		else
			sip_json_kint(b, "action_id", h[i].action_id);
		sip_json_kstr(b, "action", h[i].action);
		sip_json_kstr(b, "event", h[i].event);
		sip_json_kstr(b, "old_state", h[i].old_state);
		sip_json_kstr(b, "new_state", h[i].new_state);
		sip_json_kstr(b, "who", h[i].who);
		sip_json_kstr(b, "detail", h[i].detail);
		sip_json_kstr(b, "addr", h[i].addr);
		sip_buf_puts(b, "}");
	}
	sip_buf_puts(b, n > 0 ? "\n]\n" : "]\n");
}

int
cmd_history(const struct command *c, struct ctx *ctx, int argc,
    char *argv[])
{
	struct sip_err e = { "" };
	struct sip_targets t = { NULL, NULL, 0, 0, NULL };
	struct sip_store *st = NULL;
	struct sip_history *h = NULL;
	struct sip_buf b = { NULL, 0, 0, 0 };
	size_t n = 0, i;
	enum sip_rc rc;
	int json = 0, rv = 1;
	const struct verb_option vo[] = {
		{ "json",	&json,	NULL },
	};

	if (verb_one_target(c, &argc, &argv, vo, nitems(vo), &rv) == -1)
		return rv;
	if (machines_open(c, ctx, argc, argv, &t, &st) == -1)
		goto out;
	if (st != NULL && (rc = sip_store_history(st, t.p[0], &h, &n, &e)) !=
	    SIP_OK) {
		h = NULL;
		n = 0;
		warn_lib(c->name, &e, rc);
		goto out;
	}
	if (n == 0)
		warnx("%s: no history for %s", c->name, t.p[0]);
	/*
	 * As the library reads it, in the order of the row ids: the order in
	 * which things happened even when the clock stepped back.
	 */
	if (json) {
		history_json(&b, h, n);
		buf_print(&b);
	} else
		for (i = 0; i < n; i++)
			history_line(&h[i]);
	rv = 0;
 out:
	sip_buf_free(&b);
	if (h != NULL)
		sip_history_free(h, n);
	machines_close(&t, st);
	return rv;
}

