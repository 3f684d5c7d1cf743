/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The verbs that read machines: status and history. */

#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "cli.h"


enum col {
	COL_MAC,
	COL_NAME, COL_IP, COL_PARCS,	/* with [ldap] only */
	COL_ACTION, COL_STATE, COL_BOOTS, COL_PROGRESS, COL_EVENT, COL_SEEN,
	COL_WOKEN,
	COL_PLATFORM, COL_ADDRESS, COL_MESSAGE,
	COL_REACHABLE,	/* with --probe only */
	COL__MAX
};

static const char *const col_names[COL__MAX] = {
	"MAC",		/* COL_MAC */
	"NAME",		/* COL_NAME: SE3's directory */
	"IP",		/* COL_IP: the directory's, else the last boot's */
	"PARCS",	/* COL_PARCS */
	"ACTION",	/* COL_ACTION */
	"STATE",	/* COL_STATE */
	"BOOTS",	/* COL_BOOTS */
	"PROGRESS",	/* COL_PROGRESS */
	"LAST EVENT",	/* COL_EVENT: the history's newest row, and its age */
	"LAST SEEN",	/* COL_SEEN */
	"WOKEN",	/* COL_WOKEN: the latest wake, empty if none */
	"PLATFORM",	/* COL_PLATFORM */
	"ADDRESS",	/* COL_ADDRESS: the action's, [security] bind */
	"MESSAGE",	/* COL_MESSAGE */
	"REACHABLE",	/* COL_REACHABLE: the port that answered, up or down */
};

/* What status --probe found for each row (rows[i] -> reach[i]). */
struct reach {
	char			 ip[16];	/* "" : no address known */
	struct sip_probe_result	 r;
};

/* A machine's open multicast session (id 0: none). */
struct membership {
	int64_t			 id;
	enum sip_mcast_state	 state;
	enum sip_member_state	 member;
};

/*
 * What a status table or its JSON shows besides the rows, each NULL when
 * it is not known (said once on the standard error, never fatal).
 */
struct extra {
	int			 ldap;	/* [ldap] uri: NAME, IP, PARCS */
	const struct sip_ldap_machine **dir; /* rows[i]'s entry, or NULL */
	struct sip_history	*last;	/* rows[i]'s newest history row */
	struct sip_inventory	*inv;	/* rows[i]'s inventory (at 0: none) */
	enum sip_wake_status	*woken;
	struct reach		*reach;	/* --probe */
	struct membership	*mcast;	/* rows[i]'s open multicast session */
	time_t			 now;
};

static void	 extra_load(const char *, const struct ctx *,
		    struct sip_store *, struct sip_ldap *,
		    const struct sip_status_row *, size_t,
		    const struct sip_targets *, int, struct extra *);
static void	 extra_free(struct extra *, size_t);

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
	/* The name the installed system gets; null: named after its MAC. */
	sip_json_kstr(b, "host", a->host[0] != '\0' ? a->host : NULL);
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

void
json_inventory(struct sip_buf *b, const struct sip_inventory *v)
{
	if (v == NULL || v->at == 0) {
		sip_buf_puts(b, "null");
		return;
	}
	sip_buf_puts(b, "{\"action\":");
	sip_json_str(b, v->action);
	sip_json_kint(b, "action_id", v->action_id);
	sip_json_kint(b, "at", v->at);
	sip_json_kstr(b, "text", v->text);
	sip_buf_puts(b, "}");
}

static void
json_reach(struct sip_buf *b, const struct reach *re)
{
	if (re->ip[0] == '\0') {
		sip_json_knull(b, "reachable");
		return;
	}
	sip_buf_puts(b, ",\"reachable\":{\"ip\":");
	sip_json_str(b, re->ip);
	sip_json_kbool(b, "up", re->r.up);
	if (re->r.port == 0)
		sip_json_knull(b, "port");
	else
		sip_json_kint(b, "port", re->r.port);
	sip_buf_puts(b, "}");
}

static void
json_dir(struct sip_buf *b, const struct sip_ldap_machine *m)
{
	size_t i;

	if (m == NULL) {
		sip_json_knull(b, "name");
		sip_json_knull(b, "parcs");
		return;
	}
	sip_json_kstr(b, "name", m->name);
	sip_buf_puts(b, ",\"parcs\":[");
	for (i = 0; i < m->nparcs; i++) {
		if (i > 0)
			sip_buf_puts(b, ",");
		sip_json_str(b, m->parcs[i]);
	}
	sip_buf_puts(b, "]");
}

/* The directory's address, else the last boot's, else NULL. */
static const char *
row_ip(const struct sip_status_row *r, const struct sip_ldap_machine *m)
{
	if (m != NULL && m->ip[0] != '\0')
		return m->ip;
	if (r->machine != NULL && r->machine->ip != NULL &&
	    r->machine->ip[0] != '\0')
		return r->machine->ip;
	return NULL;
}

static void
status_json(struct sip_buf *b, const struct sip_status_row *rows,
    size_t n, const struct sip_targets *t, const struct extra *x)
{
	const struct sip_ldap_machine *d;
	const struct sip_history *h;
	size_t i;

	sip_buf_puts(b, "[");
	for (i = 0; i < n; i++) {
		d = x->dir != NULL ? x->dir[i] : NULL;
		sip_buf_puts(b, i > 0 ? ",\n{\"mac\":" : "\n{\"mac\":");
		sip_json_str(b, row_mac(&rows[i], i, n, t));
		json_dir(b, d);
		sip_json_kstr(b, "ip", row_ip(&rows[i], d));
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
		if (x->woken == NULL || x->woken[i] == SIP_WAKE_NONE)
			sip_json_knull(b, "woken");
		else
			sip_json_kstr(b, "woken",
			    sip_wake_status_name(x->woken[i]));
		h = x->last != NULL && x->last[i].id != 0 ? &x->last[i] : NULL;
		if (h == NULL)
			sip_json_knull(b, "last_event");
		else {
			sip_buf_puts(b, ",\"last_event\":{\"event\":");
			sip_json_str(b, h->event);
			sip_json_kint(b, "at", h->at);
			sip_buf_puts(b, "}");
		}
		sip_buf_puts(b, ",\"inventory\":");
		json_inventory(b, x->inv != NULL ? &x->inv[i] : NULL);
		if (x->reach != NULL)
			json_reach(b, &x->reach[i]);
		if (x->mcast == NULL || x->mcast[i].id == 0)
			sip_json_knull(b, "session");
		else {
			sip_buf_printf(b, ",\"session\":{\"id\":%" PRId64,
			    x->mcast[i].id);
			sip_json_kstr(b, "state",
			    sip_mcast_state_name(x->mcast[i].state));
			sip_json_kstr(b, "member",
			    sip_member_state_name(x->mcast[i].member));
			sip_buf_puts(b, "}");
		}
		sip_buf_puts(b, "}");
	}
	sip_buf_puts(b, n > 0 ? "\n]\n" : "]\n");
}

static char *
reach_cell(const struct reach *re)
{
	if (re->ip[0] == '\0')
		return xasprintf("%s", "no IP");
	if (re->r.port != 0)
		return xasprintf("%d", re->r.port);
	return xasprintf("%s", re->r.up ? "up" : "down");
}

/* "served 5m12s ago": the newest history row of the machine. */
static char *
event_cell(const struct sip_history *h, time_t now)
{
	char ebuf[32];

	if (h == NULL || h->id == 0 || h->event == NULL)
		return xasprintf("%s", "-");
	sip_elapsed_format((int64_t)now - h->at, ebuf, sizeof(ebuf));
	return xasprintf("%s %s ago", h->event, ebuf);
}

static char *
parcs_cell(const struct sip_ldap_machine *m)
{
	struct sip_buf b;
	size_t i;
	char *s;

	if (m == NULL || m->nparcs == 0)
		return xasprintf("%s", "-");
	sip_buf_init(&b);
	for (i = 0; i < m->nparcs; i++)
		sip_buf_printf(&b, "%s%s", i > 0 ? "," : "", m->parcs[i]);
	if (b.failed)
		errx(1, "out of memory");
	s = xasprintf("%s", b.data);
	sip_buf_free(&b);
	return s;
}

static int
col_shown(enum col c, const struct extra *x)
{
	if (c == COL_NAME || c == COL_IP || c == COL_PARCS)
		return x->ldap;
	if (c == COL_REACHABLE)
		return x->reach != NULL;
	return 1;
}

static void
status_table(const struct sip_status_row *rows, size_t n,
    const struct sip_targets *t, const struct extra *x)
{
	const struct sip_action *a;
	const struct sip_machine *m;
	const struct sip_ldap_machine *d;
	char **cell, *v[COL__MAX], tbuf[32], hbuf[8], sbuf[32];
	enum col shown[COL__MAX];
	size_t *w, i, j, k, nc = 0;

	for (j = 0; j < COL__MAX; j++)
		if (col_shown((enum col)j, x))
			shown[nc++] = (enum col)j;
	cell = xcalloc((n + 1) * nc, sizeof(*cell));
	w = xcalloc((n + 1) * nc, sizeof(*w));
	for (j = 0; j < nc; j++) {
		cell[j] = xasprintf("%s", col_names[shown[j]]);
		w[j] = strlen(cell[j]);
	}
	for (i = 0; i < n; i++) {
		a = rows[i].action;
		m = rows[i].machine;
		d = x->dir != NULL ? x->dir[i] : NULL;
		v[COL_MAC] = safe_dup(row_mac(&rows[i], i, n, t), NULL);
		v[COL_NAME] = safe_dup(d != NULL ? d->name : "-", NULL);
		v[COL_IP] = safe_dup(row_ip(&rows[i], d) != NULL ?
		    row_ip(&rows[i], d) : "-", NULL);
		v[COL_PARCS] = parcs_cell(d);
		v[COL_ACTION] = safe_dup(a != NULL ? a->name : "-", NULL);
		if (a != NULL && a->state == SIP_ST_SCHEDULED &&
		    a->blackout_end != 0 && a->blackout_end == a->start_at) {
			fmt_hhmm(hbuf, sizeof(hbuf), a->blackout_end);
			v[COL_STATE] = xasprintf("%s, waits for blackout end "
			    "%s", sip_state_name(a->state), hbuf);
		} else
			v[COL_STATE] = xasprintf("%s", a != NULL ?
			    sip_action_state_text(a, sbuf, sizeof(sbuf)) :
			    "-");
		v[COL_BOOTS] = a != NULL ? xasprintf("%d/%d", a->boots,
		    a->max_boots) : xasprintf("%s", "-");
		v[COL_PROGRESS] = a != NULL && a->progress >= 0 ?
		    xasprintf("%d%%", a->progress) : xasprintf("%s", "-");
		v[COL_EVENT] = event_cell(x->last != NULL ? &x->last[i] : NULL,
		    x->now);
		if (m != NULL)
			fmt_time(tbuf, sizeof(tbuf), m->last_seen, 0);
		else
			snprintf(tbuf, sizeof(tbuf), "never");
		v[COL_SEEN] = xasprintf("%s", tbuf);
		v[COL_WOKEN] = xasprintf("%s", sip_wake_status_name(
		    x->woken != NULL ? x->woken[i] : SIP_WAKE_NONE));
		v[COL_PLATFORM] = safe_dup(m != NULL &&
		    m->platform != NULL ? m->platform : "-", NULL);
		v[COL_ADDRESS] = safe_dup(a != NULL &&
		    a->bound_addr[0] != '\0' ? a->bound_addr : "-", NULL);
		v[COL_MESSAGE] = safe_dup(a != NULL &&
		    a->message != NULL ? a->message : "", NULL);
		v[COL_REACHABLE] = x->reach != NULL ?
		    reach_cell(&x->reach[i]) : xasprintf("%s", "");
		k = (i + 1) * nc;
		for (j = 0; j < COL__MAX; j++)
			if (col_shown((enum col)j, x))
				cell[k++] = v[j];
			else
				free(v[j]);
		for (j = 0, k = (i + 1) * nc; j < nc; j++, k++)
			free(safe_dup(cell[k], &w[k]));
	}
	table_print(cell, w, n + 1, nc);
}

/* One line under the table: "30 machines: 12 pending, 3 booting, 15 done". */
static void
status_summary(const struct sip_status_row *rows, size_t n)
{
	size_t counts[SIP_ST__MAX + 1], i;
	const char *sep = ": ";

	sip_status_count(rows, n, counts);
	printf("%zu machine%s", n, n == 1 ? "" : "s");
	for (i = 0; i <= SIP_ST__MAX; i++) {
		if (counts[i] == 0)
			continue;
		printf("%s%zu %s", sep, counts[i], i < SIP_ST__MAX ?
		    sip_state_name((enum sip_state)i) : "without action");
		sep = ", ";
	}
	putchar('\n');
}

/*
 * A warning per machine whose latest action refused requests from another
 * address: someone else asked for it (or the machine changed address).
 */
/*
 * One line per open multicast session one of the rows belongs to: its
 * machines, as one row, counted by their state.
 */
static void
status_sessions(const char *verb, struct sip_store *st,
    const struct extra *x, size_t n)
{
	struct sip_err e = { "" };
	struct sip_mcast s;
	struct sip_mcast_member *m = NULL;
	size_t i, j, nm = 0, count[SIP_MB__MAX];
	enum sip_rc rc;
	int k, p;

	for (i = 0; x->mcast != NULL && i < n; i++) {
		if (x->mcast[i].id == 0)
			continue;
		for (j = 0; j < i; j++)
			if (x->mcast[j].id == x->mcast[i].id)
				break;
		if (j < i)
			continue;	/* said already */
		if ((rc = sip_mcast_get(st, x->mcast[i].id, &s, &m, &nm,
		    &e)) != SIP_OK) {
			warn_lib(verb, &e, rc);
			continue;
		}
		memset(count, 0, sizeof(count));
		for (p = -1, j = 0; j < nm; j++) {
			count[m[j].mstate]++;
			sip_mcast_slowest(&p, &m[j]);
		}
		printf("session %" PRId64 ": %s, image ", s.id,
		    sip_mcast_state_name(s.state));
		put_safe(stdout, s.image, "-");
		printf(", %zu machine%s:", nm, nm == 1 ? "" : "s");
		for (k = 0; k < SIP_MB__MAX; k++)
			if (count[k] > 0)
				printf(" %zu %s", count[k], sip_member_state_name(
				    (enum sip_member_state)k));
		if (p >= 0)
			printf(", %d%% (the slowest)", p);
		printf(" (se3-ipxe session show %" PRId64 ")\n", s.id);
		sip_mcast_members_free(m, nm);
		m = NULL;
		nm = 0;
	}
}

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

/*
 * status --probe: each row's address (LDAP's ipHostNumber, else the one
 * it last booted from) probed, all at once.  A probe that cannot run
 * is said and leaves the column out: the table is still worth having.
 */
static struct reach *
status_probe(const char *verb, const struct ctx *ctx,
    const struct sip_status_row *rows, size_t n,
    const struct sip_ldap_machine *const *dir)
{
	struct sip_err e = { "" };
	struct reach *reach;
	struct sip_probe_result *res;
	struct in_addr *addrs;
	size_t *of, i, m = 0;
	const char *ip_s;
	uint32_t ip;
	enum sip_rc rc;

	reach = xcalloc(n + 1, sizeof(*reach));
	addrs = xcalloc(n + 1, sizeof(*addrs));
	res = xcalloc(n + 1, sizeof(*res));
	of = xcalloc(n + 1, sizeof(*of));
	for (i = 0; i < n; i++) {
		/* The address the IP column shows. */
		if ((ip_s = row_ip(&rows[i], dir != NULL ? dir[i] : NULL)) !=
		    NULL)
			snprintf(reach[i].ip, sizeof(reach[i].ip), "%s", ip_s);
		if (reach[i].ip[0] == '\0' ||
		    sip_ipv4_parse(reach[i].ip, &ip) != SIP_OK) {
			reach[i].ip[0] = '\0';
			continue;
		}
		addrs[m].s_addr = htonl(ip);
		of[m++] = i;
	}
	if ((rc = sip_probe(&ctx->cfg, addrs, m, res, &e)) != SIP_OK) {
		warn_lib(verb, &e, rc);
		free(reach);
		reach = NULL;
	} else
		for (i = 0; i < m; i++)
			reach[of[i]].r = res[i];
	free(of);
	free(res);
	free(addrs);
	return reach;
}

/* Seconds between two looks of status --watch. */
#define WATCH_INTERVAL	2

/* The row of MAC in rows sorted by MAC (status of everything), or NULL. */
static const struct sip_status_row *
row_of(const struct sip_status_row *rows, size_t n, const char *mac,
    int sorted)
{
	size_t lo = 0, hi = n, mid, i;
	int cmp;

	if (!sorted) {
		for (i = 0; i < n; i++)
			if (rows[i].action != NULL &&
			    strcmp(rows[i].action->mac, mac) == 0)
				return &rows[i];
		return NULL;
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		cmp = strcmp(rows[mid].action != NULL ? rows[mid].action->mac :
		    rows[mid].machine != NULL ? rows[mid].machine->mac : "",
		    mac);
		if (cmp == 0)
			return &rows[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Not a terminal: one line per change of an action since the last look,
 * "TIME MAC ACTION STATE BOOTS PROGRESS", so that a log keeps the story.
 */
static void
watch_changes(const struct sip_status_row *old, size_t nold,
    const struct sip_status_row *rows, size_t n, int sorted, time_t now)
{
	const struct sip_status_row *o;
	const struct sip_action *a, *b;
	char tbuf[32], sbuf[32];
	size_t i;

	fmt_time(tbuf, sizeof(tbuf), now, 1);
	for (i = 0; i < n; i++) {
		if ((a = rows[i].action) == NULL)
			continue;
		o = row_of(old, nold, a->mac, sorted);
		b = o != NULL ? o->action : NULL;
		if (b != NULL && b->id == a->id && b->state == a->state &&
		    b->boots == a->boots && b->progress == a->progress)
			continue;
		printf("%s %s ", tbuf, a->mac);
		put_safe(stdout, a->name, "-");
		printf(" %s %d/%d", sip_action_state_text(a, sbuf,
		    sizeof(sbuf)), a->boots, a->max_boots);
		if (a->progress >= 0)
			printf(" %d%%", a->progress);
		putchar('\n');
	}
}

/*
 * status --watch: look again every WATCH_INTERVAL seconds until no action
 * listed is active.  A terminal is redrawn in place; anything else gets
 * the table once, then a line per change.
 */
static int
status_watch(const struct command *c, struct ctx *ctx, struct sip_store *st,
    struct sip_ldap *l, const struct sip_targets *t, int some, int probe)
{
	struct sip_err e = { "" };
	struct sip_status_row *rows = NULL, *old = NULL;
	struct extra x;
	size_t nrows = 0, nold = 0;
	enum sip_rc rc;
	int tty = isatty(STDOUT_FILENO), first = 1, rv = 1;
	char tbuf[32];

	for (;;) {
		if ((ctx->now = time(NULL)) == (time_t)-1)
			ctx->now = 0;
		(void)seen_fold(c->name, ctx, NULL);
		if ((rc = sip_store_status(st, some ? t->p : NULL, t->n,
		    &rows, &nrows, &e)) != SIP_OK) {
			rows = NULL;
			nrows = 0;
			warn_lib(c->name, &e, rc);
			goto out;
		}
		if (tty) {
			/* Home, clear: the table stays where the eye is. */
			fputs("\033[H\033[2J", stdout);
			fmt_time(tbuf, sizeof(tbuf), ctx->now, 1);
			printf("se3-ipxe status, every %ds (Ctrl-C stops): %s\n",
			    WATCH_INTERVAL, tbuf);
		}
		if (tty || first) {
			extra_load(c->name, ctx, st, l, rows, nrows, t, probe,
			    &x);
			status_table(rows, nrows, t, &x);
			extra_free(&x, nrows);
			if (nrows > 0)
				status_summary(rows, nrows);
		} else
			watch_changes(old, nold, rows, nrows, !some, ctx->now);
		if (fflush(stdout) == EOF || ferror(stdout)) {
			warn("%s: stdout", c->name);
			goto out;
		}
		first = 0;
		if (sip_status_settled(rows, nrows))
			break;
		sip_status_free(old, nold);
		old = rows;
		nold = nrows;
		rows = NULL;
		nrows = 0;
		sleep(WATCH_INTERVAL);
	}
	if (!tty || nrows == 0)
		printf("%s\n", nrows == 0 ? "nothing to watch" :
		    "every action listed is finished");
	rv = 0;
 out:
	sip_status_free(old, nold);
	sip_status_free(rows, nrows);
	return rv;
}

/*
 * Each row's latest wake as lib/store_machine.c reads it (woken, waking,
 * not woken, gave up), or NULL when it cannot be read: said, not fatal.
 */
static enum sip_wake_status *
status_woken(const char *verb, const struct ctx *ctx, struct sip_store *st,
    const struct sip_status_row *rows, size_t n, const struct sip_targets *t)
{
	struct sip_err e = { "" };
	enum sip_wake_status *woken;
	const char **macs;
	size_t i;
	enum sip_rc rc;

	if (st == NULL)
		return NULL;
	woken = xcalloc(n + 1, sizeof(*woken));
	macs = xcalloc(n + 1, sizeof(*macs));
	for (i = 0; i < n; i++)
		macs[i] = row_mac(&rows[i], i, n, t);
	if ((rc = sip_store_wake_status(st, macs, n, ctx->now,
	    ctx->cfg.wol_wake_timeout, woken, &e)) != SIP_OK) {
		warn_lib(verb, &e, rc);
		free(woken);
		woken = NULL;
	}
	free(macs);
	return woken;
}

static int
dir_cmp(const void *a, const void *b)
{
	const struct sip_ldap_machine *const *x = a, *const *y = b;

	return strcmp((*x)->mac, (*y)->mac);
}

/* Each row's machine in SE3's directory (by MAC), NULL for none. */
static const struct sip_ldap_machine **
status_dir(const char *verb, struct sip_ldap *l,
    const struct sip_status_row *rows, size_t n, const struct sip_targets *t)
{
	struct sip_err e = { "" };
	struct sip_ldap_machine *const *m;
	const struct sip_ldap_machine **by_mac, **dir, *kp, **hit;
	struct sip_ldap_machine key;
	size_t nm, i;
	enum sip_rc rc;

	if (l == NULL)
		return NULL;
	if ((rc = sip_ldap_machines(l, &m, &nm, &e)) != SIP_OK) {
		warn_lib(verb, &e, rc);
		return NULL;
	}
	by_mac = xcalloc(nm + 1, sizeof(*by_mac));
	memcpy(by_mac, m, nm * sizeof(*by_mac));
	qsort(by_mac, nm, sizeof(*by_mac), dir_cmp);
	dir = xcalloc(n + 1, sizeof(*dir));
	memset(&key, 0, sizeof(key));
	kp = &key;
	for (i = 0; i < n; i++) {
		snprintf(key.mac, sizeof(key.mac), "%s",
		    row_mac(&rows[i], i, n, t));
		hit = bsearch(&kp, by_mac, nm, sizeof(*by_mac), dir_cmp);
		dir[i] = hit != NULL ? *hit : NULL;
	}
	free(by_mac);
	return dir;
}

/* SE3's directory for the NAME, IP and PARCS columns, or NULL (said). */
static struct sip_ldap *
status_ldap(const char *verb, const struct ctx *ctx)
{
	struct sip_ldap *l;

	if ((l = ldap_connect(verb, ctx, NULL)) == NULL &&
	    ctx->cfg.ldap_uri[0] != '\0')
		warnx("%s: names and parcs not shown", verb);
	return l;
}

static void
extra_load(const char *verb, const struct ctx *ctx, struct sip_store *st,
    struct sip_ldap *l, const struct sip_status_row *rows, size_t n,
    const struct sip_targets *t, int probe, struct extra *x)
{
	struct sip_err e = { "" };
	const char **macs;
	size_t i;
	enum sip_rc rc;

	memset(x, 0, sizeof(*x));
	x->now = ctx->now;
	x->ldap = ctx->cfg.ldap_uri[0] != '\0';
	x->dir = status_dir(verb, l, rows, n, t);
	x->woken = status_woken(verb, ctx, st, rows, n, t);
	x->reach = probe ? status_probe(verb, ctx, rows, n, x->dir) : NULL;
	if (st == NULL || n == 0)
		return;
	macs = xcalloc(n + 1, sizeof(*macs));
	for (i = 0; i < n; i++)
		macs[i] = row_mac(&rows[i], i, n, t);
	if ((rc = sip_store_last_events(st, macs, n, &x->last, &e)) !=
	    SIP_OK) {
		warn_lib(verb, &e, rc);
		x->last = NULL;
	}
	if ((rc = sip_store_inventories(st, macs, n, &x->inv, &e)) != SIP_OK) {
		warn_lib(verb, &e, rc);
		x->inv = NULL;
	}
	x->mcast = xcalloc(n, sizeof(*x->mcast));
	for (i = 0; i < n; i++) {
		struct sip_mcast s;

		rc = sip_mcast_member_of(st, macs[i], &s, &x->mcast[i].member,
		    &e);
		if (rc == SIP_OK) {
			x->mcast[i].id = s.id;
			x->mcast[i].state = s.state;
		} else if (rc != SIP_ENOTFOUND) {
			warn_lib(verb, &e, rc);
			free(x->mcast);
			x->mcast = NULL;
			break;
		}
	}
	free(macs);
}

static void
extra_free(struct extra *x, size_t n)
{
	if (x->last != NULL)
		sip_history_free(x->last, n);
	sip_inventories_free(x->inv, n);
	free(x->woken);
	free(x->reach);
	free(x->dir);
	free(x->mcast);
	memset(x, 0, sizeof(*x));
}

int
cmd_status(const struct command *c, struct ctx *ctx, int argc, char *argv[])
{
	struct sip_err e = { "" };
	struct sip_targets t = { NULL, NULL, 0, 0, NULL, NULL };
	struct sip_store *st = NULL;
	struct sip_ldap *l = NULL;
	struct sip_status_row *rows = NULL;
	struct sip_buf b = { NULL, 0, 0, 0 };
	struct extra x;
	size_t nrows = 0;
	enum sip_rc rc;
	int json = 0, watch = 0, probe = 0, rv = 1;
	const struct verb_option vo[] = {
		{ "json",	&json,	NULL },
		{ "watch",	&watch,	NULL },
		{ "probe",	&probe,	NULL },
	};

	memset(&x, 0, sizeof(x));
	if (verb_options(c, argc, argv, vo, nitems(vo), &rv) == -1)
		return rv;
	argc -= optind;
	argv += optind;
	if (json && watch) {
		warnx("%s: --json and --watch: choose one", c->name);
		return verb_usage(c, EXIT_USAGE);
	}
	if (machines_open(c, ctx, argc, argv, &t, &st) == -1)
		goto out;
	l = status_ldap(c->name, ctx);
	if (watch && st != NULL) {
		rv = status_watch(c, ctx, st, l, &t, argc > 0, probe);
		goto out;
	}
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
	extra_load(c->name, ctx, st, l, rows, nrows, &t, probe, &x);
	if (json) {
		status_json(&b, rows, nrows, &t, &x);
		buf_print(&b);
	} else {
		status_table(rows, nrows, &t, &x);
		if (nrows > 0)
			status_summary(rows, nrows);
		status_sessions(c->name, st, &x, nrows);
	}
	status_refusals(c->name, rows, nrows, &t);
	rv = 0;
 out:
	extra_free(&x, nrows);
	sip_buf_free(&b);
	if (rows != NULL)
		sip_status_free(rows, nrows);
	sip_ldap_close(l);
	machines_close(&t, st);
	return rv;
}

/* ------------------------------------------------------------ history */

/*
 * Seconds since the previous step of the same action, or -1 with no
 * previous step (the first of an action, a row of no action); *elapsed
 * gets the span.  Rows are in id order, so the step before is the last
 * row seen of that action.
 */
static int
history_since(const struct sip_history *h, size_t i, int64_t *elapsed)
{
	size_t j;

	if (h[i].action_id == 0)
		return -1;
	for (j = i; j-- > 0;)
		if (h[j].action_id == h[i].action_id) {
			*elapsed = h[i].at - h[j].at;
			return 0;
		}
	return -1;
}

static void
history_line(const struct sip_history *hv, size_t i)
{
	const struct sip_history *h = &hv[i];
	char tbuf[32], ebuf[32];
	int64_t elapsed;

	fmt_time(tbuf, sizeof(tbuf), h->at, 1);
	printf("%s ", tbuf);
	if (history_since(hv, i, &elapsed) == 0) {
		sip_elapsed_format(elapsed, ebuf, sizeof(ebuf));
		printf(ebuf[0] == '-' ? "%s " : "+%s ", ebuf);
	}
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
	int64_t elapsed;
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
		if (history_since(h, i, &elapsed) == 0)
			sip_json_kint(b, "since_previous", elapsed);
		else
			sip_json_knull(b, "since_previous");
		sip_buf_puts(b, "}");
	}
	sip_buf_puts(b, n > 0 ? "\n]\n" : "]\n");
}

int
cmd_history(const struct command *c, struct ctx *ctx, int argc,
    char *argv[])
{
	struct sip_err e = { "" };
	struct sip_targets t = { NULL, NULL, 0, 0, NULL, NULL };
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
			history_line(h, i);
	rv = 0;
 out:
	sip_buf_free(&b);
	if (h != NULL)
		sip_history_free(h, n);
	machines_close(&t, st);
	return rv;
}

