/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SQLite store's power jobs: wakes and reboots to do later, each claimed by one tick. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "se3ipxe.h"
#include "extern.h"
#include "store.h"

/* History events of power work besides "wol-sent" (lib/names.c). */
#define EV_WOKEN	"woken"
#define EV_GAVE_UP	"wol-gave-up"

#define JOB_COLUMNS \
	"j.id, j.mac, j.kind, j.policy, j.state, j.due_at, " \
	"coalesce(j.sent_at, 0), j.tries, coalesce(j.action_id, 0), " \
	"coalesce(j.ip, m.ip, ''), j.ip IS NULL"
#define JOB_FROM \
	" FROM power_jobs j LEFT JOIN machines m ON m.mac = j.mac "
/* The machine booted since the last send: what "woken" means. */
#define BOOTED_SINCE_SENT \
	"coalesce((SELECT last_seen FROM machines WHERE mac = j.mac), -1) " \
	">= j.sent_at"

static const char *const kind_names[SIP_POWER__MAX] = { "wake", "reboot" };
static const char *const policy_names[SIP_REBOOT__MAX] = {
	NULL, "wait", "idle", "force"
};
static const char *const pj_state_names[SIP_PJ__MAX] = {
	"pending", "sent", "done", "failed", "given-up", "cancelled"
};

const char *
sip_power_kind_name(enum sip_power_kind k)
{
	return (unsigned)k < SIP_POWER__MAX ? kind_names[k] : "?";
}

const char *
sip_reboot_policy_name(enum sip_reboot_policy p)
{
	return (unsigned)p < SIP_REBOOT__MAX ? policy_names[p] : NULL;
}

enum sip_rc
sip_reboot_policy_parse(const char *s, enum sip_reboot_policy *p)
{
	int i;

	for (i = SIP_REBOOT_WAIT; i < SIP_REBOOT__MAX; i++)
		if (s != NULL && strcmp(s, policy_names[i]) == 0) {
			*p = (enum sip_reboot_policy)i;
			return SIP_OK;
		}
	return SIP_EINVAL;
}

const char *
sip_power_state_name(enum sip_power_state st)
{
	return (unsigned)st < SIP_PJ__MAX ? pj_state_names[st] : "?";
}

static int
name_index(const char *const *names, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (names[i] != NULL && s != NULL && strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static enum sip_rc
job_from_row(struct sip_store *st, sqlite3_stmt *s, struct sip_power_job *j,
    struct sip_err *err)
{
	int k, p, state;

	memset(j, 0, sizeof(*j));
	j->id = sqlite3_column_int64(s, 0);
	k = name_index(kind_names, SIP_POWER__MAX, col_text(s, 2));
	p = sqlite3_column_type(s, 3) == SQLITE_NULL ? SIP_REBOOT_NONE :
	    name_index(policy_names, SIP_REBOOT__MAX, col_text(s, 3));
	state = name_index(pj_state_names, SIP_PJ__MAX, col_text(s, 4));
	if (col_copy(s, 1, j->mac, sizeof(j->mac)) == -1 || k < 0 || p < 0 ||
	    state < 0 || col_copy(s, 9, j->ip, sizeof(j->ip)) == -1)
		return sip_errf(err, SIP_EDB, "%s: power job %lld is "
		    "malformed", st->path, (long long)j->id);
	j->kind = (enum sip_power_kind)k;
	j->policy = (enum sip_reboot_policy)p;
	j->state = (enum sip_power_state)state;
	j->due_at = sqlite3_column_int64(s, 5);
	j->sent_at = sqlite3_column_int64(s, 6);
	j->tries = sqlite3_column_int(s, 7);
	j->action_id = sqlite3_column_int64(s, 8);
	j->ip_claimed = sqlite3_column_int(s, 10);
	return SIP_OK;
}

/* Every job sql selects (one bound integer and one text), in order. */
static enum sip_rc
jobs_query(struct sip_store *st, const char *sql, int64_t a, const char *b,
    int64_t c, struct sip_power_job **out, size_t *np, struct sip_err *err)
{
	struct sip_power_job *v = NULL, *nv;
	sqlite3_stmt *s = NULL;
	size_t n = 0, cap = 0;
	enum sip_rc ret = SIP_OK;
	int rc;

	*out = NULL;
	*np = 0;
	if ((rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL)) !=
	    SQLITE_OK || (rc = sqlite3_bind_int64(s, 1, a)) != SQLITE_OK ||
	    (rc = bind_text(s, 2, b)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 3, c)) != SQLITE_OK) {
		ret = db_err(st, rc, err, "read power jobs");
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap == 0 ? 16 : 2 * cap;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL) {
				ret = nomem(st, err);
				goto out;
			}
			v = nv;
		}
		if ((ret = job_from_row(st, s, &v[n], err)) != SIP_OK)
			goto out;
		n++;
	}
	if (rc != SQLITE_DONE) {
		ret = db_err(st, rc, err, "read power jobs");
		goto out;
	}
	*out = v;
	*np = n;
	v = NULL;
 out:
	free(v);
	sqlite3_finalize(s);
	return ret;
}

/* sql with ?1 the id, ?2 a text, ?3 an integer: one row changed, or none. */
static enum sip_rc
job_exec(struct sip_store *st, const char *sql, int64_t id, const char *t,
    int64_t v, struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	enum sip_rc ret = SIP_OK;
	int rc;

	if ((rc = stmt_get(st, sql, &s)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 1, id)) != SQLITE_OK ||
	    (rc = bind_text(s, 2, t)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 3, v)) != SQLITE_OK ||
	    (rc = sqlite3_step(s)) != SQLITE_DONE)
		ret = db_err(st, rc, err, "write power job %lld",
		    (long long)id);
	stmt_put(st, s);
	return ret;
}

static enum sip_rc
job_insert(struct sip_store *st, const struct sip_new_power_job *nj,
    enum sip_power_state state, int tries, const char *who, time_t now,
    int64_t *id, struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	enum sip_rc ret = SIP_OK;
	int rc;

	/* One open job of a kind per machine: the newer one is what was meant. */
	if ((rc = stmt_get(st, "UPDATE power_jobs SET state = 'cancelled', "
	    "updated_at = ?3 WHERE mac = ?1 AND kind = ?2 AND "
	    "state IN ('pending','sent')", &s)) != SQLITE_OK ||
	    (rc = bind_text(s, 1, nj->mac)) != SQLITE_OK ||
	    (rc = bind_text(s, 2, sip_power_kind_name(nj->kind))) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 3, now)) != SQLITE_OK ||
	    (rc = sqlite3_step(s)) != SQLITE_DONE) {
		ret = db_err(st, rc, err, "cancel the open %s of %s",
		    sip_power_kind_name(nj->kind), nj->mac);
		goto out;
	}
	stmt_put(st, s);
	s = NULL;
	if ((rc = stmt_get(st, "INSERT INTO power_jobs (mac, kind, policy, "
	    "state, due_at, sent_at, tries, ip, action_id, who, created_at, "
	    "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	    "?11, ?11)", &s)) != SQLITE_OK ||
	    (rc = bind_text(s, 1, nj->mac)) != SQLITE_OK ||
	    (rc = bind_text(s, 2, sip_power_kind_name(nj->kind))) !=
	    SQLITE_OK ||
	    (rc = bind_text(s, 3, sip_reboot_policy_name(nj->policy))) !=
	    SQLITE_OK ||
	    (rc = bind_text(s, 4, sip_power_state_name(state))) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 5, nj->due_at)) != SQLITE_OK ||
	    (rc = state == SIP_PJ_SENT ? sqlite3_bind_int64(s, 6, now) :
	    sqlite3_bind_null(s, 6)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(s, 7, tries)) != SQLITE_OK ||
	    (rc = bind_text(s, 8, nj->ip != NULL && nj->ip[0] != '\0' ?
	    nj->ip : NULL)) != SQLITE_OK ||
	    (rc = nj->action_id > 0 ? sqlite3_bind_int64(s, 9,
	    nj->action_id) : sqlite3_bind_null(s, 9)) != SQLITE_OK ||
	    (rc = bind_text(s, 10, who)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 11, now)) != SQLITE_OK ||
	    (rc = sqlite3_step(s)) != SQLITE_DONE) {
		ret = db_err(st, rc, err, "add a %s of %s",
		    sip_power_kind_name(nj->kind), nj->mac);
		goto out;
	}
	if (id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
 out:
	stmt_put(st, s);
	return ret;
}

static enum sip_rc
new_job_check(struct sip_store *st, const struct sip_new_power_job *nj,
    struct sip_err *err)
{
	struct sip_mac m;

	if (nj->mac == NULL || sip_mac_parse(nj->mac, &m) != SIP_OK ||
	    (unsigned)nj->kind >= SIP_POWER__MAX ||
	    (unsigned)nj->policy >= SIP_REBOOT__MAX ||
	    (nj->kind == SIP_POWER_REBOOT) != (nj->policy != SIP_REBOOT_NONE) ||
	    (nj->ip != NULL && nj->ip[0] != '\0' &&
	    sip_value_check(SIP_T_IPV4, nj->ip) != SIP_OK))
		return sip_errf(err, SIP_EINVAL, "%s: power job: bad MAC, "
		    "kind, policy or IP", st->path);
	return SIP_OK;
}

enum sip_rc
sip_store_power_add(struct sip_store *st, const struct sip_new_power_job *nj,
    size_t n, const char *who, time_t now, int64_t *ids,
    struct sip_err *err)
{
	size_t i;
	enum sip_rc ret;

	if ((n > 0 && nj == NULL) || who == NULL)
		return sip_errf(err, SIP_EINVAL, "%s: power job: no job or "
		    "no author", st->path);
	for (i = 0; i < n; i++)
		if ((ret = new_job_check(st, &nj[i], err)) != SIP_OK)
			return ret;
	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	for (i = 0; i < n; i++)
		if ((ret = job_insert(st, &nj[i], SIP_PJ_PENDING, 0, who, now,
		    ids != NULL ? &ids[i] : NULL, err)) != SIP_OK)
			goto out;
	ret = tx_commit(st, err);
 out:
	if (ret != SIP_OK)
		tx_rollback(st);
	return ret;
}

enum sip_rc
sip_store_wake_sent(struct sip_store *st, const struct sip_wake_sent *w,
    size_t n, const char *who, time_t now, struct sip_err *err)
{
	struct sip_new_power_job nj;
	size_t i;
	enum sip_rc ret;

	if ((n > 0 && w == NULL) || who == NULL)
		return sip_errf(err, SIP_EINVAL, "%s: wol: no MAC or no "
		    "author", st->path);
	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	for (i = 0; i < n; i++) {
		if ((ret = history_of_mac(st, w[i].mac,
		    sip_request_event_name(SIP_REQ_WOL_SENT), who,
		    w[i].detail, now, err)) != SIP_OK)
			goto out;
		if (w[i].job_id != 0)
			continue;	/* claimed: marked sent by the claim */
		memset(&nj, 0, sizeof(nj));
		nj.mac = w[i].mac;
		nj.kind = SIP_POWER_WAKE;
		nj.due_at = now;
		nj.ip = w[i].ip;
		if ((ret = new_job_check(st, &nj, err)) != SIP_OK ||
		    (ret = job_insert(st, &nj, SIP_PJ_SENT, 1, who, now, NULL,
		    err)) != SIP_OK)
			goto out;
	}
	ret = tx_commit(st, err);
 out:
	if (ret != SIP_OK)
		tx_rollback(st);
	return ret;
}

#define SQL_JOB_SENT \
	"UPDATE power_jobs SET state = 'sent', sent_at = ?3, " \
	"tries = tries + 1, updated_at = ?3 WHERE id = ?1 AND ?2 IS NULL"
#define SQL_JOB_STATE \
	"UPDATE power_jobs SET state = ?2, updated_at = ?3 WHERE id = ?1"

/* Wakes the machine answered, and wakes given up, with their history. */
static enum sip_rc
wakes_settle(struct sip_store *st, time_t now, int64_t wake_timeout,
    int retries, struct sip_power_claimed *c, struct sip_power_job **gave,
    struct sip_err *err)
{
	struct sip_power_job *v = NULL;
	char detail[64];
	size_t n = 0, i;
	enum sip_rc ret;

	if ((ret = jobs_query(st, "SELECT " JOB_COLUMNS JOB_FROM
	    "WHERE j.kind = 'wake' AND j.state = 'sent' AND ?3 = ?3 AND "
	    BOOTED_SINCE_SENT " ORDER BY j.id",
	    0, NULL, 0, &v, &n, err)) != SIP_OK)
		return ret;
	for (i = 0; i < n; i++) {
		snprintf(detail, sizeof(detail), "booted after %d wake%s",
		    v[i].tries, v[i].tries == 1 ? "" : "s");
		if ((ret = job_exec(st, SQL_JOB_STATE, v[i].id, "done", now,
		    err)) != SIP_OK ||
		    (ret = history_of_mac(st, v[i].mac, EV_WOKEN, "tick",
		    detail, now, err)) != SIP_OK)
			goto out;
		c->woken++;
	}
	free(v);
	v = NULL;
	/* ?1 - ?3 >= sent_at, written so that it never overflows. */
	if ((ret = jobs_query(st, "SELECT " JOB_COLUMNS JOB_FROM
	    "WHERE j.kind = 'wake' AND j.state = 'sent' AND "
	    "j.sent_at <= ?1 - ?3 ORDER BY j.id", now, NULL, wake_timeout,
	    &v, &n, err)) !=
	    SIP_OK)
		return ret;
	for (i = 0; i < n; i++) {
		if (v[i].tries <= retries)
			continue;	/* retried by the claim */
		snprintf(detail, sizeof(detail), "not woken after %d "
		    "wake%s", v[i].tries, v[i].tries == 1 ? "" : "s");
		if ((ret = job_exec(st, SQL_JOB_STATE, v[i].id, "given-up",
		    now, err)) != SIP_OK ||
		    (ret = history_of_mac(st, v[i].mac, EV_GAVE_UP, "tick",
		    detail, now, err)) != SIP_OK)
			goto out;
		v[c->gave_up++] = v[i];
	}
	*gave = v;
	v = NULL;
 out:
	free(v);
	return ret;
}

enum sip_rc
sip_store_power_claim(struct sip_store *st, enum sip_power_kind kind,
    time_t now, int64_t wake_timeout, int retries,
    struct sip_power_job **jobs, size_t *np, struct sip_power_claimed *c,
    struct sip_err *err)
{
	struct sip_power_job *v = NULL, *gave = NULL, *nv;
	size_t n = 0, i, claimed;
	enum sip_rc ret;

	*jobs = NULL;
	*np = 0;
	memset(c, 0, sizeof(*c));
	if ((unsigned)kind >= SIP_POWER__MAX || wake_timeout < 0 ||
	    wake_timeout > now || retries < 0)
		return sip_errf(err, SIP_EINVAL, "%s: power claim: bad kind, "
		    "timeout or retries", st->path);
	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	if (kind == SIP_POWER_WAKE && (ret = wakes_settle(st, now,
	    wake_timeout, retries, c, &gave, err)) != SIP_OK)
		goto out;
	/*
	 * Due pending jobs, and (wakes) sent ones past their timeout with a
	 * try left: what wakes_settle left sent is not woken.
	 */
	if ((ret = jobs_query(st, "SELECT " JOB_COLUMNS JOB_FROM
	    "WHERE j.kind = ?2 AND ((j.state = 'pending' AND j.due_at <= ?1) "
	    "OR (j.kind = 'wake' AND j.state = 'sent' AND "
	    "j.sent_at <= ?1 - ?3)) ORDER BY j.id", now,
	    sip_power_kind_name(kind), wake_timeout, &v, &n, err)) != SIP_OK)
		goto out;
	for (i = 0, claimed = 0; i < n; i++) {
		if (v[i].state == SIP_PJ_SENT) {
			if (v[i].tries > retries)
				continue;	/* given up above */
			c->retried++;
		}
		if ((ret = job_exec(st, SQL_JOB_SENT, v[i].id, NULL, now,
		    err)) != SIP_OK)
			goto out;
		v[claimed] = v[i];
		v[claimed].state = SIP_PJ_SENT;
		v[claimed].sent_at = now;
		v[claimed].tries++;
		claimed++;
	}
	/* The given-up wakes after the claimed jobs, for the caller to tell. */
	if (c->gave_up > 0) {
		if ((nv = reallocarray(v, claimed + c->gave_up,
		    sizeof(*v))) == NULL) {
			ret = nomem(st, err);
			goto out;
		}
		v = nv;
		memcpy(v + claimed, gave, c->gave_up * sizeof(*v));
	}
	if ((ret = tx_commit(st, err)) != SIP_OK)
		goto out;
	*jobs = v;
	*np = claimed;
	v = NULL;
 out:
	free(gave);
	free(v);
	if (ret != SIP_OK) {
		tx_rollback(st);
		memset(c, 0, sizeof(*c));
	}
	return ret;
}

enum sip_rc
sip_store_power_end(struct sip_store *st, int64_t id, const char *mac,
    enum sip_power_state state, const char *event, const char *who,
    const char *detail, time_t now, struct sip_err *err)
{
	enum sip_rc ret;

	if ((unsigned)state >= SIP_PJ__MAX || mac == NULL || event == NULL ||
	    who == NULL)
		return sip_errf(err, SIP_EINVAL, "%s: power job %lld: bad "
		    "state, MAC or event", st->path, (long long)id);
	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	if ((ret = job_exec(st, SQL_JOB_STATE, id,
	    sip_power_state_name(state), now, err)) != SIP_OK ||
	    (ret = history_of_mac(st, mac, event, who, detail, now, err)) !=
	    SIP_OK)
		goto out;
	ret = tx_commit(st, err);
 out:
	if (ret != SIP_OK)
		tx_rollback(st);
	return ret;
}

/* ------------------------------------------------------- blackout holds */

enum sip_rc
sip_store_scheduled(struct sip_store *st, struct sip_scheduled **out,
    size_t *np, struct sip_err *err)
{
	struct sip_scheduled *v = NULL, *nv;
	sqlite3_stmt *s = NULL;
	size_t n = 0, cap = 0;
	enum sip_rc ret = SIP_OK;
	int rc;

	*out = NULL;
	*np = 0;
	if ((rc = sqlite3_prepare_v2(st->db, "SELECT id, mac, name, start_at "
	    "FROM actions WHERE state = 'scheduled' ORDER BY id", -1, &s,
	    NULL)) != SQLITE_OK) {
		ret = db_err(st, rc, err, "read the scheduled actions");
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap == 0 ? 16 : 2 * cap;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL) {
				ret = nomem(st, err);
				goto out;
			}
			v = nv;
		}
		v[n].id = sqlite3_column_int64(s, 0);
		v[n].start_at = sqlite3_column_int64(s, 3);
		if (col_copy(s, 1, v[n].mac, sizeof(v[n].mac)) == -1 ||
		    col_copy(s, 2, v[n].name, sizeof(v[n].name)) == -1) {
			ret = sip_errf(err, SIP_EDB, "%s: action %lld: bad "
			    "MAC or name", st->path, (long long)v[n].id);
			goto out;
		}
		n++;
	}
	if (rc != SQLITE_DONE) {
		ret = db_err(st, rc, err, "read the scheduled actions");
		goto out;
	}
	*out = v;
	*np = n;
	v = NULL;
 out:
	free(v);
	sqlite3_finalize(s);
	return ret;
}

enum sip_rc
sip_store_blackout_hold(struct sip_store *st, int64_t id, const char *mac,
    int64_t end, const char *who, time_t now, struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	struct tm tm;
	time_t te = (time_t)end;
	char detail[64];
	enum sip_rc ret;
	int rc;

	if (mac == NULL || who == NULL)
		return sip_errf(err, SIP_EINVAL, "%s: blackout: no MAC or no "
		    "author", st->path);
	if (localtime_r(&te, &tm) == NULL ||
	    strftime(detail, sizeof(detail), "waits for blackout end "
	    "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(detail, sizeof(detail), "waits for blackout end "
		    "@%lld", (long long)end);
	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	/* The same life once it starts: the expiry moves with the start. */
	if ((rc = sqlite3_prepare_v2(st->db, "UPDATE actions SET "
	    "expires_at = expires_at + (?2 - start_at), start_at = ?2, "
	    "blackout_end = ?2, updated_at = ?3 WHERE id = ?1 AND "
	    "state = 'scheduled' AND start_at <= ?2", -1, &s, NULL)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 1, id)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, end)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 3, now)) != SQLITE_OK ||
	    (rc = sqlite3_step(s)) != SQLITE_DONE) {
		ret = db_err(st, rc, err, "hold action %lld", (long long)id);
		goto out;
	}
	if (sqlite3_changes(st->db) == 0)
		goto commit;	/* started or cancelled meanwhile */
	sqlite3_finalize(s);
	s = NULL;
	/* Its wake goes with it: waking a machine to do nothing wastes it. */
	if ((ret = job_exec(st, "UPDATE power_jobs SET due_at = ?3 WHERE "
	    "action_id = ?1 AND state = 'pending' AND due_at < ?3 AND "
	    "?2 IS NULL", id, NULL, end, err)) != SIP_OK ||
	    (ret = history_of_mac(st, mac, "blackout-held", who, detail, now,
	    err)) != SIP_OK)
		goto out;
 commit:
	ret = tx_commit(st, err);
 out:
	sqlite3_finalize(s);
	if (ret != SIP_OK)
		tx_rollback(st);
	return ret;
}
