/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SQLite store's machines: the seen journal's fold, machine rows, status, history and integrity. */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "se3ipxe.h"
#include "extern.h"
#include "store.h"

/* A machine asked: what it did not send this time is kept from last time. */
/* A journal line folded in; a leftover generation's lines may come late. */
#define SQL_MACHINE_SEEN \
	"INSERT INTO machines (mac, " \
	"first_seen, last_seen, boots, platform, buildarch, uuid, serial, " \
	"manufacturer, product, ip) " \
	"VALUES (?1, ?2, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?8, ?9) " \
	"ON CONFLICT (mac) DO UPDATE SET " \
	"first_seen = min(first_seen, excluded.first_seen), " \
	"last_seen = max(last_seen, excluded.last_seen), " \
	"boots = boots + 1, " \
	"platform = coalesce(excluded.platform, platform), " \
	"buildarch = coalesce(excluded.buildarch, buildarch), " \
	"uuid = coalesce(excluded.uuid, uuid), " \
	"serial = coalesce(excluded.serial, serial), " \
	"manufacturer = coalesce(excluded.manufacturer, manufacturer), " \
	"product = coalesce(excluded.product, product), " \
	"ip = coalesce(excluded.ip, ip)"

#define MACHINE_COLUMNS \
	"mac, first_seen, last_seen, boots, platform, buildarch, uuid, " \
	"serial, manufacturer, product, ip"

#define HISTORY_COLUMNS \
	"id, at, mac, action_id, action, event, old_state, new_state, who, " \
	"detail, addr"

/* The requests refused for an action (the *-refused events), the last one's address. */
#define REFUSED_WHERE \
	"mac = ?1 AND action_id = ?2 AND event IN ('boot-refused', " \
	"'report-refused', 'file-refused')"
#define SQL_MACHINE \
	"SELECT " MACHINE_COLUMNS " FROM machines WHERE mac = ?1"
#define SQL_ACTION_REFUSED \
	"SELECT count(*), (SELECT addr FROM history WHERE " REFUSED_WHERE \
	" ORDER BY id DESC LIMIT 1) FROM history WHERE " REFUSED_WHERE

static enum sip_rc	machine_seen(struct sip_store *,
			    const struct sip_request *, int64_t,
			    struct sip_err *);
static enum sip_rc	machine_query(struct sip_store *, const char *,
			    struct sip_machine **, struct sip_err *);
static enum sip_rc	mac_list(struct sip_store *, char ***, size_t *,
			    struct sip_err *);
static enum sip_rc	action_refused(struct sip_store *,
			    struct sip_status_row *, struct sip_err *);

void
sip_machine_free(struct sip_machine *m)
{
	if (m == NULL)
		return;
	free(m->platform);
	free(m->buildarch);
	free(m->uuid);
	free(m->serial);
	free(m->manufacturer);
	free(m->product);
	free(m->ip);
	free(m);
}

void
sip_status_free(struct sip_status_row *rows, size_t n)
{
	size_t i;

	if (rows == NULL)
		return;
	for (i = 0; i < n; i++) {
		sip_machine_free(rows[i].machine);
		sip_action_free(rows[i].action);
	}
	free(rows);
}

void
sip_status_count(const struct sip_status_row *rows, size_t n,
    size_t counts[SIP_ST__MAX + 1])
{
	size_t i;

	memset(counts, 0, (SIP_ST__MAX + 1) * sizeof(counts[0]));
	for (i = 0; i < n; i++)
		counts[rows[i].action != NULL &&
		    (unsigned)rows[i].action->state < SIP_ST__MAX ?
		    rows[i].action->state : SIP_ST__MAX]++;
}

int
sip_status_settled(const struct sip_status_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rows[i].action != NULL &&
		    sip_state_active(rows[i].action->state))
			return 0;
	return 1;
}

void
sip_history_free(struct sip_history *h, size_t n)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(h[i].action);
		free(h[i].event);
		free(h[i].old_state);
		free(h[i].new_state);
		free(h[i].who);
		free(h[i].detail);
		free(h[i].addr);
	}
	free(h);
}
static enum sip_rc
machine_seen(struct sip_store *st, const struct sip_request *m, int64_t at,
    struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	enum sip_rc ret = SIP_OK;
	int rc;

	if ((rc = stmt_get(st, SQL_MACHINE_SEEN, &s)) != SQLITE_OK ||
	    (rc = bind_text(s, 1, m->mac)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, at)) != SQLITE_OK ||
	    (rc = bind_text(s, 3, m->platform)) != SQLITE_OK ||
	    (rc = bind_text(s, 4, m->buildarch)) != SQLITE_OK ||
	    (rc = bind_text(s, 5, m->uuid)) != SQLITE_OK ||
	    (rc = bind_text(s, 6, m->serial)) != SQLITE_OK ||
	    (rc = bind_text(s, 7, m->manufacturer)) != SQLITE_OK ||
	    (rc = bind_text(s, 8, m->product)) != SQLITE_OK ||
	    (rc = bind_text(s, 9, m->ip)) != SQLITE_OK ||
	    (rc = sqlite3_step(s)) != SQLITE_DONE)
		ret = db_err(st, rc, err, "record machine %s", m->mac);
	stmt_put(st, s);
	return ret;
}

/*
 * The lines of one generation into the machines table.  Only lines whose
 * LF is there count: a tail without one is a write cut short (its writer
 * is cutting it back, or died before it could), whatever it parses as.
 */
static enum sip_rc
fold_lines(struct sip_store *st, const char *buf, size_t n, time_t now,
    size_t *folded, size_t *bad, struct sip_err *err)
{
	char line[SIP_SEEN_LINE_MAX + 1];
	const char *p, *end, *nl;
	struct sip_request req;
	int64_t at;
	enum sip_rc ret;

	for (p = buf, end = buf + n; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			(*bad)++;
			break;
		}
		if ((size_t)(nl - p) > SIP_SEEN_LINE_MAX) {
			(*bad)++;
			continue;
		}
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = '\0';
		if (sip_seen_parse(line, (size_t)(nl - p), &req, &at, NULL) !=
		    SIP_OK) {
			(*bad)++;
			continue;
		}
		/* last_seen = max(...) would keep a time from the future. */
		if (at > (int64_t)now + SIP_SEEN_FUTURE_MAX) {
			(*bad)++;
			continue;
		}
		if ((ret = machine_seen(st, &req, at, err)) != SIP_OK)
			return ret;
		(*folded)++;
	}
	return SIP_OK;
}

static enum sip_rc
fold_generation(struct sip_store *st, int64_t gen, time_t now,
    size_t *folded, size_t *bad, struct sip_err *err)
{
	char *buf = NULL;
	size_t n;
	enum sip_rc ret;

	if ((ret = sip_seen_read_gen(st->path, gen, &buf, &n, err)) != SIP_OK)
		return ret;
	SIP_CRASH_POINT("fold-read");
	ret = fold_lines(st, buf, n, now, folded, bad, err);
	free(buf);
	return ret;
}

static enum sip_rc
seen_generation_get(struct sip_store *st, int64_t *gen, struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	enum sip_rc ret = SIP_OK;
	int rc;

	if ((rc = stmt_get(st, "SELECT generation FROM seen_fold WHERE id = 1",
	    &s)) != SQLITE_OK || (rc = sqlite3_step(s)) != SQLITE_ROW)
		ret = db_err(st, rc, err, "read the seen journal's generation");
	else
		*gen = sqlite3_column_int64(s, 0);
	stmt_put(st, s);
	return ret;
}

static enum sip_rc
seen_generation_set(struct sip_store *st, int64_t gen, struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	enum sip_rc ret = SIP_OK;
	int rc;

	if ((rc = stmt_get(st, "UPDATE seen_fold SET generation = ?1 "
	    "WHERE id = 1", &s)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 1, gen)) != SQLITE_OK ||
	    (rc = sqlite3_step(s)) != SQLITE_DONE)
		ret = db_err(st, rc, err, "record the seen journal's "
		    "generation");
	else if (sqlite3_changes(st->db) != 1)
		ret = sip_errf(err, SIP_EDB, "%s: no seen_fold row", st->path);
	stmt_put(st, s);
	return ret;
}

/* Whether there is anything to fold, without taking the write lock. */
static int
seen_pending(const char *db_path)
{
	char path[PATH_MAX];
	struct stat sb;
	int64_t *gens = NULL;
	size_t n = 0;

	if (sip_db_sibling(db_path, SIP_SEEN_SUFFIX, path, sizeof(path),
	    NULL) != SIP_OK)
		return 1;	/* let the fold say what is wrong */
	if (stat(path, &sb) == -1 ? errno != ENOENT : sb.st_size > 0)
		return 1;
	if (sip_seen_generations(db_path, &gens, &n, NULL) != SIP_OK)
		return 1;
	free(gens);
	return n > 0;
}

/*
 * Generations: the database records G, the highest generation folded;
 * every generation up to G is folded, and its file, if still there, only
 * waits to be unlinked.  Files above G were renamed by folds that never
 * committed: they are folded here, oldest first, with the journal of the
 * moment as generation max + 1, all in one transaction that records the
 * highest.  BEGIN IMMEDIATE comes first so that two folds never pick the
 * same number.  If anything fails before the commit the files stay and
 * the next fold does them: there is nothing to give back.
 */
enum sip_rc
sip_store_fold_seen(struct sip_store *st, time_t now, size_t *nfolded,
    size_t *nbad, struct sip_err *err)
{
	int64_t *gens = NULL, done = 0, top;
	size_t folded = 0, bad = 0, ngens = 0, i;
	enum sip_rc ret;
	int rotated;

	if (nfolded != NULL)
		*nfolded = 0;
	if (nbad != NULL)
		*nbad = 0;
	if (!seen_pending(st->path))
		return SIP_OK;
	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	SIP_CRASH_POINT("fold-begun");
	if ((ret = seen_generation_get(st, &done, err)) != SIP_OK ||
	    (ret = sip_seen_generations(st->path, &gens, &ngens, err)) !=
	    SIP_OK)
		goto rollback;
	for (i = 0, top = done; i < ngens; i++) {
		if (gens[i] <= done)
			continue;
		if ((ret = fold_generation(st, gens[i], now, &folded, &bad,
		    err)) != SIP_OK)
			goto rollback;
		top = gens[i];
		SIP_CRASH_POINT("fold-leftover");
	}
	if ((ret = sip_seen_rotate(st->path, top + 1, &rotated, err)) !=
	    SIP_OK)
		goto rollback;
	if (rotated) {
		SIP_CRASH_POINT("fold-renamed");
		if ((ret = fold_generation(st, ++top, now, &folded, &bad,
		    err)) != SIP_OK)
			goto rollback;
		SIP_CRASH_POINT("fold-folded");
	}
	if (top != done) {
		if ((ret = seen_generation_set(st, top, err)) != SIP_OK)
			goto rollback;
		SIP_CRASH_POINT("fold-recorded");
		if ((ret = tx_commit(st, err)) != SIP_OK)
			goto rollback;
	} else
		tx_rollback(st);	/* nothing new: nothing to write */
	SIP_CRASH_POINT("fold-committed");
	/* Folded and recorded: a file left behind is unlinked next time. */
	for (i = 0; i < ngens; i++) {
		(void)sip_seen_unlink_gen(st->path, gens[i], NULL);
		SIP_CRASH_POINT("fold-unlinked");
	}
	if (rotated)
		(void)sip_seen_unlink_gen(st->path, top, NULL);
	free(gens);
	if (nfolded != NULL)
		*nfolded = folded;
	if (nbad != NULL)
		*nbad = bad;
	return SIP_OK;
 rollback:
	/* The lines stay to be folded, the refused ones counted then. */
	tx_rollback(st);
	free(gens);
	return ret;
}

/* *out NULL when the machine was never seen. */
static enum sip_rc
machine_query(struct sip_store *st, const char *mac, struct sip_machine **out,
    struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	struct sip_machine *m = NULL;
	enum sip_rc ret = SIP_OK;
	int rc;

	*out = NULL;
	if ((rc = stmt_get(st, SQL_MACHINE, &s)) != SQLITE_OK ||
	    (rc = bind_text(s, 1, mac)) != SQLITE_OK) {
		ret = db_err(st, rc, err, "read machine %s", mac);
		goto out;
	}
	if ((rc = sqlite3_step(s)) == SQLITE_DONE)
		goto out;
	if (rc != SQLITE_ROW) {
		ret = db_err(st, rc, err, "read machine %s", mac);
		goto out;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		ret = nomem(st, err);
		goto out;
	}
	if (col_copy(s, 0, m->mac, sizeof(m->mac)) == -1) {
		ret = sip_errf(err, SIP_EDB, "%s: machine %s: bad mac",
		    st->path, mac);
		goto out;
	}
	m->first_seen = sqlite3_column_int64(s, 1);
	m->last_seen = sqlite3_column_int64(s, 2);
	m->boots = sqlite3_column_int64(s, 3);
	if (col_strdup(s, 4, &m->platform) == -1 ||
	    col_strdup(s, 5, &m->buildarch) == -1 ||
	    col_strdup(s, 6, &m->uuid) == -1 ||
	    col_strdup(s, 7, &m->serial) == -1 ||
	    col_strdup(s, 8, &m->manufacturer) == -1 ||
	    col_strdup(s, 9, &m->product) == -1 ||
	    col_strdup(s, 10, &m->ip) == -1) {
		ret = nomem(st, err);
		goto out;
	}
	*out = m;
	m = NULL;
 out:
	sip_machine_free(m);
	stmt_put(st, s);
	return ret;
}

enum sip_rc
sip_store_machine(struct sip_store *st, const char *mac,
    struct sip_machine **out, struct sip_err *err)
{
	enum sip_rc ret;

	*out = NULL;
	if (mac == NULL)
		return sip_errf(err, SIP_EINVAL, "%s: no MAC", st->path);
	if ((ret = machine_query(st, mac, out, err)) != SIP_OK)
		return ret;
	if (*out == NULL)
		return sip_errf(err, SIP_ENOTFOUND, "%s: machine %s never seen",
		    st->path, mac);
	return SIP_OK;
}

/* Every MAC the store knows of, sorted. */
static enum sip_rc
mac_list(struct sip_store *st, char ***list, size_t *n, struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	char **l = NULL, **nl;
	size_t cnt = 0, cap = 0, i;
	enum sip_rc ret = SIP_OK;
	int rc;

	*list = NULL;
	*n = 0;
	if ((rc = sqlite3_prepare_v2(st->db, "SELECT mac FROM machines UNION "
	    "SELECT mac FROM actions ORDER BY mac", -1, &s, NULL)) !=
	    SQLITE_OK) {
		ret = db_err(st, rc, err, "list machines");
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nl = reallocarray(l, cap, sizeof(*nl))) == NULL) {
				ret = nomem(st, err);
				goto out;
			}
			l = nl;
		}
		if (col_strdup(s, 0, &l[cnt]) == -1 || l[cnt] == NULL) {
			ret = nomem(st, err);
			goto out;
		}
		cnt++;
	}
	if (rc != SQLITE_DONE) {
		ret = db_err(st, rc, err, "list machines");
		goto out;
	}
	*list = l;
	*n = cnt;
	l = NULL;
 out:
	sqlite3_finalize(s);
	if (l != NULL) {
		for (i = 0; i < cnt; i++)
			free(l[i]);
		free(l);
	}
	return ret;
}

/* How many requests for the row's action were refused, and from where last. */
static enum sip_rc
action_refused(struct sip_store *st, struct sip_status_row *row,
    struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	enum sip_rc ret = SIP_OK;
	int rc;

	if ((rc = stmt_get(st, SQL_ACTION_REFUSED, &s)) != SQLITE_OK ||
	    (rc = bind_text(s, 1, row->action->mac)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, row->action->id)) != SQLITE_OK ||
	    (rc = sqlite3_step(s)) != SQLITE_ROW) {
		ret = db_err(st, rc, err, "read refusals of action %lld",
		    (long long)row->action->id);
		goto out;
	}
	row->refused = sqlite3_column_int64(s, 0);
	if (sqlite3_column_type(s, 1) == SQLITE_NULL ||
	    col_copy(s, 1, row->refused_addr, sizeof(row->refused_addr)) == -1)
		snprintf(row->refused_addr, sizeof(row->refused_addr), "-");
 out:
	stmt_put(st, s);
	return ret;
}

enum sip_rc
sip_store_status(struct sip_store *st, const char *const *macs, size_t n,
    struct sip_status_row **rowsp, size_t *nrowsp, struct sip_err *err)
{
	struct sip_status_row *rows = NULL;
	char **all = NULL;
	const char *mac;
	size_t nall = 0, nrows = 0, i;
	enum sip_rc ret;

	*rowsp = NULL;
	*nrowsp = 0;
	if (macs == NULL && n > 0)
		return sip_errf(err, SIP_EINVAL, "%s: status: no MAC",
		    st->path);
	/* One snapshot, so a row's machine and action agree. */
	if ((ret = tx_begin(st, "BEGIN", err)) != SIP_OK)
		return ret;
	if (macs == NULL && (ret = mac_list(st, &all, &nall, err)) != SIP_OK)
		goto out;
	nrows = macs == NULL ? nall : n;
	if (nrows > 0 && (rows = calloc(nrows, sizeof(*rows))) == NULL) {
		ret = nomem(st, err);
		goto out;
	}
	for (i = 0; i < nrows; i++) {
		mac = macs == NULL ? all[i] : macs[i];
		if (mac == NULL) {
			ret = sip_errf(err, SIP_EINVAL, "%s: status: no MAC",
			    st->path);
			goto out;
		}
		if ((ret = machine_query(st, mac, &rows[i].machine, err)) !=
		    SIP_OK ||
		    (ret = action_query1(st, SQL_ACTION_LAST, mac, 1,
		    &rows[i].action, err)) != SIP_OK)
			goto out;
		if (rows[i].action != NULL && (ret = action_refused(st,
		    &rows[i], err)) != SIP_OK)
			goto out;
	}
	if ((ret = tx_commit(st, err)) != SIP_OK)
		goto out;
	*rowsp = rows;
	*nrowsp = nrows;
	rows = NULL;
 out:
	sip_status_free(rows, nrows);
	for (i = 0; i < nall; i++)
		free(all[i]);
	free(all);
	if (ret != SIP_OK)
		tx_rollback(st);
	return ret;
}

enum sip_rc
sip_store_history(struct sip_store *st, const char *mac,
    struct sip_history **hp, size_t *np, struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	struct sip_history *l = NULL, *nl, *h;
	size_t cnt = 0, cap = 0;
	enum sip_rc ret = SIP_OK;
	int rc;

	*hp = NULL;
	*np = 0;
	/* Two texts rather than "?1 IS NULL OR": the index serves only one. */
	if ((rc = sqlite3_prepare_v2(st->db, mac == NULL ?
	    "SELECT " HISTORY_COLUMNS " FROM history ORDER BY id" :
	    "SELECT " HISTORY_COLUMNS " FROM history WHERE mac = ?1 "
	    "ORDER BY id", -1, &s, NULL)) != SQLITE_OK ||
	    (mac != NULL && (rc = bind_text(s, 1, mac)) != SQLITE_OK)) {
		ret = db_err(st, rc, err, "read history");
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 32;
			if ((nl = reallocarray(l, cap, sizeof(*nl))) == NULL) {
				ret = nomem(st, err);
				goto out;
			}
			l = nl;
		}
		/* Counted before filled, so a failure frees what was copied. */
		h = &l[cnt++];
		memset(h, 0, sizeof(*h));
		h->id = sqlite3_column_int64(s, 0);
		h->at = sqlite3_column_int64(s, 1);
		if (col_copy(s, 2, h->mac, sizeof(h->mac)) == -1) {
			ret = sip_errf(err, SIP_EDB, "%s: history %lld: bad "
			    "mac", st->path, (long long)h->id);
			goto out;
		}
		h->action_id = sqlite3_column_int64(s, 3);
		if (col_strdup(s, 4, &h->action) == -1 ||
		    col_strdup(s, 5, &h->event) == -1 ||
		    col_strdup(s, 6, &h->old_state) == -1 ||
		    col_strdup(s, 7, &h->new_state) == -1 ||
		    col_strdup(s, 8, &h->who) == -1 ||
		    col_strdup(s, 9, &h->detail) == -1 ||
		    col_strdup(s, 10, &h->addr) == -1) {
			ret = nomem(st, err);
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		ret = db_err(st, rc, err, "read history");
		goto out;
	}
	*hp = l;
	*np = cnt;
	l = NULL;
 out:
	sqlite3_finalize(s);
	sip_history_free(l, cnt);
	return ret;
}

enum sip_rc
sip_store_integrity(struct sip_store *st, struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	const char *res;
	enum sip_rc ret = SIP_OK;
	int rc;

	if ((rc = sqlite3_prepare_v2(st->db, "PRAGMA integrity_check", -1, &s,
	    NULL)) != SQLITE_OK || (rc = sqlite3_step(s)) != SQLITE_ROW) {
		ret = db_err(st, rc, err, "integrity check");
		goto out;
	}
	/* A healthy database answers exactly one row, "ok". */
	if ((res = col_text(s, 0)) == NULL || strcmp(res, "ok") != 0)
		ret = sip_errf(err, SIP_EDB, "%s: integrity check: %s",
		    st->path, res != NULL ? res : "no answer");
 out:
	sqlite3_finalize(s);
	return ret;
}

static const char *const wake_status_names[SIP_WAKE__MAX] = {
	"", "waking", "woken", "not woken", "gave up"
};

const char *
sip_wake_status_name(enum sip_wake_status w)
{
	return (unsigned)w < SIP_WAKE__MAX ? wake_status_names[w] : "?";
}

/*
 * From the MAC's latest wake that is not cancelled: a wake only pending
 * was not sent yet; a sent one is woken once the machine booted after it
 * (the tick may not have seen it yet), else waking until wake_timeout.
 */
enum sip_rc
sip_store_wake_status(struct sip_store *st, const char *const *macs,
    size_t n, time_t now, int64_t wake_timeout, enum sip_wake_status *out,
    struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	const char *state;
	int64_t sent_at, seen;
	size_t i;
	enum sip_rc ret = SIP_OK;
	int rc;

	if (n > 0 && (macs == NULL || out == NULL))
		return sip_errf(err, SIP_EINVAL, "%s: wake status: no MAC",
		    st->path);
	if ((ret = tx_begin(st, "BEGIN", err)) != SIP_OK)
		return ret;
	for (i = 0; i < n; i++) {
		out[i] = SIP_WAKE_NONE;
		if ((rc = stmt_get(st, "SELECT j.state, coalesce(j.sent_at, 0), "
		    "coalesce(m.last_seen, -1) FROM power_jobs j LEFT JOIN "
		    "machines m ON m.mac = j.mac WHERE j.mac = ?1 AND "
		    "j.kind = 'wake' AND j.state != 'cancelled' "
		    "ORDER BY j.id DESC LIMIT 1", &s)) != SQLITE_OK ||
		    (rc = bind_text(s, 1, macs[i])) != SQLITE_OK) {
			ret = db_err(st, rc, err, "read the wakes of %s",
			    macs[i] != NULL ? macs[i] : "?");
			goto out;
		}
		if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			state = col_text(s, 0);
			sent_at = sqlite3_column_int64(s, 1);
			seen = sqlite3_column_int64(s, 2);
			if (state == NULL || strcmp(state, "pending") == 0)
				out[i] = SIP_WAKE_NONE;
			else if (strcmp(state, "done") == 0 ||
			    (strcmp(state, "sent") == 0 && seen >= sent_at))
				out[i] = SIP_WAKE_WOKEN;
			else if (strcmp(state, "given-up") == 0)
				out[i] = SIP_WAKE_GAVE_UP;
			else if (strcmp(state, "sent") == 0 &&
			    now - sent_at < wake_timeout)
				out[i] = SIP_WAKE_WAKING;
			else
				out[i] = SIP_WAKE_NOT_WOKEN;
		} else if (rc != SQLITE_DONE) {
			ret = db_err(st, rc, err, "read the wakes of %s",
			    macs[i]);
			goto out;
		}
		stmt_put(st, s);
		s = NULL;
	}
	ret = tx_commit(st, err);
 out:
	stmt_put(st, s);
	if (ret != SIP_OK)
		tx_rollback(st);
	return ret;
}
