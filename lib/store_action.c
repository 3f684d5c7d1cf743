/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SQLite store's actions: boot, report, set, cancel and cleanup transactions, token lookup, the active list. */
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

/*
 * The transitions one step made.  At most two can happen (a time event,
 * then the event itself); the spare room only guards against a future
 * change of the state machine, and overflow is reported, never dropped.
 */
struct translog {
	size_t		 n;
	int		 overflow;
	struct {
		enum sip_state	 old, new;
		enum sip_event	 ev;
	}		 t[4];
};

/* One history row to append; NULL strings are stored as NULL. */
struct hist {
	int64_t		 at;
	const char	*mac;
	int64_t		 action_id;	/* 0: not about an action */
	const char	*action;
	const char	*event;
	const char	*old_state, *new_state;
	const char	*who;
	const char	*detail;
	const char	*addr;		/* the request's address, NULL: none */
};

/* What an accepted report saves besides its event. */
struct report {
	int		 progress;	/* 0..100, -1: not reported */
	const char	*msg;		/* NULL: not reported */
};

/* Who acted, for history rows the store writes on its own account. */
#define WHO_CLIENT	"client"
#define WHO_CLEANUP	"cleanup"

#define SQL_ACTION_ACTIVE \
	"SELECT " ACTION_COLUMNS " FROM actions WHERE mac = ?1 AND " \
	ACTIVE_WHERE
#define SQL_ACTION_TOKEN \
	"SELECT " ACTION_COLUMNS " FROM actions WHERE " TOKEN_PUBLIC_SQL \
	" = ?1"
#define SQL_ACTION_SAVE \
	"UPDATE actions SET state = ?1, boots = ?2, progress = ?3, " \
	"message = ?4, updated_at = ?5 WHERE id = ?6"
#define SQL_HISTORY_ADD \
	"INSERT INTO history (at, mac, action_id, action, event, old_state, " \
	"new_state, who, detail, addr) " \
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
#define SQL_ACTION_PIN \
	"UPDATE actions SET bound_addr = ?1 WHERE id = ?2"
#define SQL_ACTION_PIN_IDENTITY \
	"UPDATE actions SET bound_uuid = ?1, bound_serial = ?2 WHERE id = ?3"
#define SQL_MACHINE_IDENTITY \
	"SELECT uuid, serial FROM machines WHERE mac = ?1"
#define SQL_ACTION_OPTIONS \
	"SELECT key, value FROM action_options WHERE action_id = ?1 " \
	"ORDER BY rowid"
#define SQL_ACTIVE_MACS \
	"SELECT DISTINCT mac FROM actions WHERE " ACTIVE_WHERE " ORDER BY mac"
#define SQL_ACTION_ALL_ACTIVE \
	"SELECT " ACTION_COLUMNS " FROM actions WHERE " ACTIVE_WHERE \
	" ORDER BY id"

static enum sip_rc	action_from_row(struct sip_store *, sqlite3_stmt *,
			    struct sip_action **, struct sip_err *);
static enum sip_rc	action_options(struct sip_store *,
			    struct sip_action *, struct sip_err *);
static enum sip_rc	action_query(struct sip_store *, const char *,
			    const char *, struct sip_action ***, size_t *,
			    struct sip_err *);
static enum sip_rc	action_of_mac(struct sip_store *, const char *,
			    const char *, const char *, struct sip_action **,
			    struct sip_err *);
static enum sip_rc	action_save(struct sip_store *,
			    const struct sip_action *, struct sip_err *);
static enum sip_rc	action_step(struct sip_store *, struct sip_action *,
			    enum sip_event, const struct report *, int64_t,
			    const char *, const char *, const char *,
			    enum sip_answer *, struct sip_err *);
static enum sip_rc	action_create(struct sip_store *,
			    const struct sip_new_action *, int64_t, int64_t *,
			    struct sip_err *);
static enum sip_rc	history_add(struct sip_store *, const struct hist *,
			    struct sip_err *);
static void		trans_record(void *, const struct sip_action *,
			    enum sip_state, enum sip_state, enum sip_event);
static enum sip_rc	trans_write(struct sip_store *,
			    const struct translog *, const struct sip_action *,
			    int64_t, const char *, const char *, const char *,
			    struct sip_err *);
static enum sip_rc	request_add(struct sip_store *,
			    const struct sip_action *, enum sip_request_event,
			    int64_t, const char *, const char *,
			    struct sip_err *);
static void		 bound_detail(const struct sip_action *, char *,
			    size_t);
static enum sip_rc	active_macs(struct sip_store *,
			    char (**)[SIP_MAC_STRLEN], size_t *,
			    struct sip_err *);
static enum sip_rc	active_rewrite(struct sip_store *, struct sip_err *);


void
sip_action_free(struct sip_action *act)
{
	if (act == NULL)
		return;
	free(act->message);
	free(act->created_by);
	sip_kv_free(act->options, act->noptions);
	free(act);
}



/* Read the current row of a statement over ACTION_COLUMNS. */
static enum sip_rc
action_from_row(struct sip_store *st, sqlite3_stmt *s,
    struct sip_action **out, struct sip_err *err)
{
	struct sip_action *act;
	const char *bad = NULL;
	enum sip_rc ret;

	*out = NULL;
	if ((act = calloc(1, sizeof(*act))) == NULL)
		return nomem(st, err);
	act->id = sqlite3_column_int64(s, 0);
	if (col_copy(s, 1, act->mac, sizeof(act->mac)) == -1)
		bad = "mac";
	else if (col_copy(s, 2, act->name, sizeof(act->name)) == -1)
		bad = "name";
	else if (sip_state_parse(col_text(s, 3), &act->state) != SIP_OK)
		bad = "state";
	else if (sip_completion_parse(col_text(s, 4), &act->completion) != SIP_OK)
		bad = "completion";
	else if (col_copy(s, 5, act->token, sizeof(act->token)) == -1 ||
	    sip_token_check(act->token) != SIP_OK)
		bad = "token";
	else if (sqlite3_column_type(s, 15) != SQLITE_NULL &&
	    (col_copy(s, 15, act->bound_addr, sizeof(act->bound_addr)) ==
	    -1 || strcmp(sip_remote_addr(act->bound_addr), "-") == 0))
		bad = "bound address";
	else if ((sqlite3_column_type(s, 18) != SQLITE_NULL &&
	    col_copy(s, 18, act->bound_uuid, sizeof(act->bound_uuid)) == -1) ||
	    (sqlite3_column_type(s, 19) != SQLITE_NULL && col_copy(s, 19,
	    act->bound_serial, sizeof(act->bound_serial)) == -1))
		bad = "SMBIOS identity";
	else if (sqlite3_column_type(s, 20) != SQLITE_NULL &&
	    sip_hostname_label(col_text(s, 20), act->host) != SIP_OK)
		bad = "host name";
	if (bad != NULL) {
		/* Never the value: this could be the token. */
		ret = sip_errf(err, SIP_EDB, "%s: action %lld: bad %s",
		    st->path, (long long)act->id, bad);
		goto fail;
	}
	act->boots = sqlite3_column_int(s, 6);
	act->max_boots = sqlite3_column_int(s, 7);
	act->created_at = sqlite3_column_int64(s, 8);
	act->start_at = sqlite3_column_int64(s, 9);
	act->expires_at = sqlite3_column_int64(s, 10);
	act->updated_at = sqlite3_column_int64(s, 11);
	act->progress = sqlite3_column_int(s, 12);
	act->blackout_end = sqlite3_column_int64(s, 16);
	act->bind_identity = sqlite3_column_int(s, 17) != 0;
	if (col_strdup(s, 13, &act->message) == -1 ||
	    col_strdup(s, 14, &act->created_by) == -1) {
		ret = nomem(st, err);
		goto fail;
	}
	*out = act;
	return SIP_OK;
 fail:
	sip_action_free(act);
	return ret;
}

/*
 * The identity a destructive action is bound to: what set-action gave,
 * else what the MAC last booted with (a placeholder is none).  A given
 * value that identifies nothing is refused: it would bind to nothing.
 */
static enum sip_rc
identity_known(struct sip_store *st, const struct sip_new_action *na,
    char uuid[SIP_SMBIOS_STRLEN], char serial[SIP_SMBIOS_STRLEN],
    struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	const char *v;
	enum sip_rc ret = SIP_OK;
	int rc;

	if (na->uuid != NULL && !sip_smbios_identifying(0, na->uuid))
		return sip_errf(err, SIP_EINVAL, "%s: set action for %s: "
		    "uuid: not an SMBIOS UUID that names one machine",
		    st->path, na->mac);
	if (na->serial != NULL && !sip_smbios_identifying(1, na->serial))
		return sip_errf(err, SIP_EINVAL, "%s: set action for %s: "
		    "serial: not an SMBIOS serial that names one machine",
		    st->path, na->mac);
	if (na->uuid == NULL || na->serial == NULL) {
		if ((rc = stmt_get(st, SQL_MACHINE_IDENTITY, &s)) !=
		    SQLITE_OK || (rc = bind_text(s, 1, na->mac)) != SQLITE_OK)
			goto dberr;
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			v = col_text(s, 0);
			if (na->uuid == NULL && sip_smbios_identifying(0, v))
				snprintf(uuid, SIP_SMBIOS_STRLEN, "%s", v);
			v = col_text(s, 1);
			if (na->serial == NULL && sip_smbios_identifying(1, v))
				snprintf(serial, SIP_SMBIOS_STRLEN, "%s", v);
		} else if (rc != SQLITE_DONE)
			goto dberr;
	}
	if (na->uuid != NULL)
		snprintf(uuid, SIP_SMBIOS_STRLEN, "%s", na->uuid);
	if (na->serial != NULL)
		snprintf(serial, SIP_SMBIOS_STRLEN, "%s", na->serial);
	stmt_put(st, s);
	return ret;
 dberr:
	ret = db_err(st, rc, err, "read the SMBIOS identity of %s", na->mac);
	stmt_put(st, s);
	return ret;
}

/* Options in the order they were given: manifest order, kept by rowid. */
static enum sip_rc
action_options(struct sip_store *st, struct sip_action *act,
    struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	struct sip_kv *kv;
	size_t cap = 0;
	enum sip_rc ret = SIP_OK;
	int rc;

	if ((rc = stmt_get(st, SQL_ACTION_OPTIONS, &s)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 1, act->id)) != SQLITE_OK) {
		ret = db_err(st, rc, err, "read options of action %lld",
		    (long long)act->id);
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (act->noptions == cap) {
			cap = cap ? cap * 2 : 8;
			if ((kv = reallocarray(act->options, cap,
			    sizeof(*kv))) == NULL) {
				ret = nomem(st, err);
				goto out;
			}
			act->options = kv;
		}
		/* Counted before filled, so a failure frees what was copied. */
		kv = &act->options[act->noptions++];
		kv->key = kv->value = NULL;
		if (col_strdup(s, 0, &kv->key) == -1 ||
		    col_strdup(s, 1, &kv->value) == -1) {
			ret = nomem(st, err);
			goto out;
		}
	}
	if (rc != SQLITE_DONE)
		ret = db_err(st, rc, err, "read options of action %lld",
		    (long long)act->id);
 out:
	stmt_put(st, s);
	return ret;
}

/* Every action sql selects, param bound to ?1 when not NULL. */
static enum sip_rc
action_query(struct sip_store *st, const char *sql, const char *param,
    struct sip_action ***list, size_t *n, struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	struct sip_action **l = NULL, **nl, *act;
	size_t cnt = 0, cap = 0, i;
	enum sip_rc ret = SIP_OK;
	int rc;

	*list = NULL;
	*n = 0;
	if ((rc = stmt_get(st, sql, &s)) != SQLITE_OK || (param != NULL &&
	    (rc = bind_text(s, 1, param)) != SQLITE_OK)) {
		ret = db_err(st, rc, err, "read actions");
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 4;
			if ((nl = reallocarray(l, cap, sizeof(*nl))) == NULL) {
				ret = nomem(st, err);
				goto out;
			}
			l = nl;
		}
		if ((ret = action_from_row(st, s, &act, err)) != SIP_OK)
			goto out;
		l[cnt++] = act;
	}
	if (rc != SQLITE_DONE) {
		ret = db_err(st, rc, err, "read actions");
		goto out;
	}
	*list = l;
	*n = cnt;
	l = NULL;
 out:
	stmt_put(st, s);
	if (l != NULL) {
		for (i = 0; i < cnt; i++)
			sip_action_free(l[i]);
		free(l);
	}
	return ret;
}

/* At most one action (the queries make that so); *out NULL if none. */
enum sip_rc
action_query1(struct sip_store *st, const char *sql, const char *param,
    int with_options, struct sip_action **out, struct sip_err *err)
{
	struct sip_action **l;
	size_t n, i;
	enum sip_rc ret;

	*out = NULL;
	if ((ret = action_query(st, sql, param, &l, &n, err)) != SIP_OK)
		return ret;
	for (i = 1; i < n; i++)
		sip_action_free(l[i]);
	if (n > 0) {
		*out = l[0];
		if (with_options &&
		    (ret = action_options(st, *out, err)) != SIP_OK) {
			sip_action_free(*out);
			*out = NULL;
		}
	}
	free(l);
	return ret;
}

/* Write back what a step and a report can change, updated_at included. */
static enum sip_rc
action_save(struct sip_store *st, const struct sip_action *act,
    struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	enum sip_rc ret = SIP_OK;
	int rc;

	if ((rc = stmt_get(st, SQL_ACTION_SAVE, &s)) != SQLITE_OK ||
	    (rc = bind_text(s, 1, sip_state_name(act->state))) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(s, 2, act->boots)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(s, 3, act->progress)) != SQLITE_OK ||
	    (rc = bind_text(s, 4, act->message)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 5, act->updated_at)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 6, act->id)) != SQLITE_OK ||
	    (rc = sqlite3_step(s)) != SQLITE_DONE) {
		ret = db_err(st, rc, err, "save action %lld",
		    (long long)act->id);
		goto out;
	}
	if (sqlite3_changes(st->db) != 1)
		ret = sip_errf(err, SIP_EDB, "%s: save action %lld: no such "
		    "action", st->path, (long long)act->id);
 out:
	stmt_put(st, s);
	return ret;
}

static enum sip_rc
history_add(struct sip_store *st, const struct hist *h, struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	enum sip_rc ret = SIP_OK;
	int rc;

	if ((rc = stmt_get(st, SQL_HISTORY_ADD, &s)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 1, h->at)) != SQLITE_OK ||
	    (rc = bind_text(s, 2, h->mac)) != SQLITE_OK ||
	    (rc = h->action_id > 0 ? sqlite3_bind_int64(s, 3, h->action_id) :
	    sqlite3_bind_null(s, 3)) != SQLITE_OK ||
	    (rc = bind_text(s, 4, h->action)) != SQLITE_OK ||
	    (rc = bind_text(s, 5, h->event)) != SQLITE_OK ||
	    (rc = bind_text(s, 6, h->old_state)) != SQLITE_OK ||
	    (rc = bind_text(s, 7, h->new_state)) != SQLITE_OK ||
	    (rc = bind_text(s, 8, h->who)) != SQLITE_OK ||
	    (rc = bind_text(s, 9, h->detail)) != SQLITE_OK ||
	    (rc = bind_text(s, 10, h->addr)) != SQLITE_OK ||
	    (rc = sqlite3_step(s)) != SQLITE_DONE)
		ret = db_err(st, rc, err, "write history for %s", h->mac);
	stmt_put(st, s);
	return ret;
}

/* The step function's observer: remember, write later, errors and all. */
static void
trans_record(void *arg, const struct sip_action *act, enum sip_state old,
    enum sip_state new, enum sip_event ev)
{
	struct translog *log = arg;

	if (log->n == SIP_ARRAY_SIZE(log->t)) {
		log->overflow = 1;
		return;
	}
	log->t[log->n].old = old;
	log->t[log->n].new = new;
	log->t[log->n].ev = ev;
	log->n++;
}

/*
 * One row per transition, "old -> new (event)".  A cancel is labelled by
 * why it happened (replaced, cancelled), which the event alone cannot say.
 */
static enum sip_rc
trans_write(struct sip_store *st, const struct translog *log,
    const struct sip_action *act, int64_t now, const char *who,
    const char *cancel_label, const char *addr, struct sip_err *err)
{
	struct hist h;
	enum sip_rc ret;
	size_t i;

	if (log->overflow)
		return sip_errf(err, SIP_EDB, "%s: action %lld: too many "
		    "transitions in one step", st->path, (long long)act->id);
	for (i = 0; i < log->n; i++) {
		memset(&h, 0, sizeof(h));
		h.at = now;
		h.mac = act->mac;
		h.action_id = act->id;
		h.action = act->name;
		h.event = log->t[i].ev == SIP_EV_CANCEL &&
		    cancel_label != NULL ? cancel_label :
		    sip_event_name(log->t[i].ev);
		h.old_state = sip_state_name(log->t[i].old);
		h.new_state = sip_state_name(log->t[i].new);
		h.who = who;
		h.addr = addr;
		if ((ret = history_add(st, &h, err)) != SIP_OK)
			return ret;
	}
	return SIP_OK;
}

/*
 * The one step-and-save of every event (boot, report, cancel, tick): step,
 * then save the action if it changed and write one history row per
 * transition, "old -> new (event)".  A report (rep not NULL) also saves its
 * progress and message when accepted; refused, it changes nothing, not
 * even what time did to the action, since a client's refused request must
 * leave no trace.  Other events save what time did whatever the answer: a
 * replacement needs the old action out of the active index first.
 */
static enum sip_rc
action_step(struct sip_store *st, struct sip_action *act, enum sip_event ev,
    const struct report *rep, int64_t now, const char *who,
    const char *cancel_label, const char *addr, enum sip_answer *answer,
    struct sip_err *err)
{
	struct translog log;
	enum sip_state state = act->state;
	int boots = act->boots;
	char *copy;
	enum sip_rc ret;

	memset(&log, 0, sizeof(log));
	*answer = sip_fsm_step(act, ev, now, trans_record, &log);
	if (rep != NULL) {
		if (*answer != SIP_ANSWER_ACCEPT)
			return SIP_OK;
		if (rep->progress >= 0)
			act->progress = rep->progress;
		if (rep->msg != NULL) {
			if ((copy = sip_strdup(rep->msg)) == NULL)
				return nomem(st, err);
			free(act->message);
			act->message = copy;
		}
	} else if (act->state == state && act->boots == boots)
		return SIP_OK;
	act->updated_at = now;
	if ((ret = action_save(st, act, err)) != SIP_OK)
		return ret;
	return trans_write(st, &log, act, now, who, cancel_label, addr, err);
}

/*
 * One history row of a client request that is no transition: a boot
 * served, a report taken, a file served, or a refusal.
 */
static enum sip_rc
request_add(struct sip_store *st, const struct sip_action *act,
    enum sip_request_event ev, int64_t now, const char *addr,
    const char *detail, struct sip_err *err)
{
	struct hist h;

	memset(&h, 0, sizeof(h));
	h.at = now;
	h.mac = act->mac;
	h.action_id = act->id;
	h.action = act->name;
	h.event = sip_request_event_name(ev);
	h.who = WHO_CLIENT;
	h.detail = detail;
	h.addr = addr;
	return history_add(st, &h, err);
}

/* What a refusal row says of the action's address (the row has the request's). */
static void
bound_detail(const struct sip_action *act, char *buf, size_t sz)
{
	if (act->bound_addr[0] != '\0')
		snprintf(buf, sz, "bound to %s", act->bound_addr);
	else
		snprintf(buf, sz, "no address pinned yet");
}

const char *
sip_action_refusal(const struct sip_action *act, const struct sip_client *client,
    int pins)
{
	if (client == NULL || client->bind == SIP_BIND_NONE)
		return NULL;
	if (act->bound_addr[0] == '\0')
		return pins ? NULL : "no boot has pinned an address yet";
	if (client->addr == NULL)
		return "the request has no address";
	if (!sip_addr_equal(act->bound_addr, client->addr))
		return "not from the action's address";
	return NULL;
}

enum sip_rc
sip_store_boot(struct sip_store *st, const char *mac, time_t now,
    enum sip_answer *answer, struct sip_action **actp, struct sip_err *err)
{
	return sip_store_boot_from(st, mac, NULL, now, answer, actp, err);
}

/* Pin the address of the boot being served, inside its transaction. */
static enum sip_rc
action_pin(struct sip_store *st, struct sip_action *act, const char *addr,
    struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	enum sip_rc ret = SIP_OK;
	int rc;

	if (strlen(addr) >= sizeof(act->bound_addr))
		return sip_errf(err, SIP_EINVAL, "%s: action %lld: address "
		    "too long", st->path, (long long)act->id);
	if ((rc = stmt_get(st, SQL_ACTION_PIN, &s)) != SQLITE_OK ||
	    (rc = bind_text(s, 1, addr)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, act->id)) != SQLITE_OK ||
	    (rc = sqlite3_step(s)) != SQLITE_DONE)
		ret = db_err(st, rc, err, "pin the address of action %lld",
		    (long long)act->id);
	else
		memcpy(act->bound_addr, addr, strlen(addr) + 1);
	stmt_put(st, s);
	return ret;
}

/*
 * A destructive action known by no identity yet is bound to the one its
 * first served boot presents, inside that boot's transaction.
 */
static enum sip_rc
identity_pin(struct sip_store *st, struct sip_action *act,
    const struct sip_client *client, struct sip_err *err)
{
	const char *u = client->uuid, *sr = client->serial;
	sqlite3_stmt *s = NULL;
	enum sip_rc ret = SIP_OK;
	int rc;

	if (!act->bind_identity || act->bound_uuid[0] != '\0' ||
	    act->bound_serial[0] != '\0')
		return SIP_OK;
	if (!sip_smbios_identifying(0, u))
		u = NULL;
	if (!sip_smbios_identifying(1, sr))
		sr = NULL;
	if (u == NULL && sr == NULL)
		return SIP_OK;
	if ((rc = stmt_get(st, SQL_ACTION_PIN_IDENTITY, &s)) != SQLITE_OK ||
	    (rc = bind_text(s, 1, u)) != SQLITE_OK ||
	    (rc = bind_text(s, 2, sr)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 3, act->id)) != SQLITE_OK ||
	    (rc = sqlite3_step(s)) != SQLITE_DONE)
		ret = db_err(st, rc, err, "pin the SMBIOS identity of action "
		    "%lld", (long long)act->id);
	else {
		snprintf(act->bound_uuid, sizeof(act->bound_uuid), "%s",
		    u != NULL ? u : "");
		snprintf(act->bound_serial, sizeof(act->bound_serial), "%s",
		    sr != NULL ? sr : "");
	}
	stmt_put(st, s);
	return ret;
}

enum sip_rc
sip_store_boot_from(struct sip_store *st, const char *mac,
    const struct sip_client *client, time_t now, enum sip_answer *answer,
    struct sip_action **actp, struct sip_err *err)
{
	struct sip_action *act = NULL;
	enum sip_answer ans = SIP_ANSWER_DEFAULT;
	const char *addr = client != NULL ? client->addr : NULL, *why;
	char detail[64 + 2 * SIP_SMBIOS_STRLEN], refused[256] = "";
	enum sip_rc ret;
	int pinned;

	*answer = SIP_ANSWER_DEFAULT;
	*actp = NULL;
	if (mac == NULL || *mac == '\0')
		return sip_errf(err, SIP_EINVAL, "%s: boot: no MAC", st->path);
	/* A MAC that comes this far is on the active list: it may well be served. */
	stmt_warm(st, SQL_ACTION_ACTIVE);
	stmt_warm(st, SQL_ACTION_SAVE);
	stmt_warm(st, SQL_HISTORY_ADD);
	stmt_warm(st, SQL_ACTION_OPTIONS);
	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	if ((ret = action_query1(st, SQL_ACTION_ACTIVE, mac, 0, &act,
	    err)) != SIP_OK)
		goto out;
	if (act != NULL && (why = sip_action_refusal(act, client, 1)) != NULL) {
		/* Nothing counted, nothing stepped: only the refusal is kept. */
		bound_detail(act, detail, sizeof(detail));
		if ((ret = request_add(st, act, SIP_REQ_BOOT_REFUSED, now,
		    addr, detail, err)) != SIP_OK)
			goto out;
		ans = SIP_ANSWER_REFUSE;
		snprintf(refused, sizeof(refused), "action %lld for %s: %s",
		    (long long)act->id, act->mac, why);
	} else if (act != NULL && (why = sip_identity_refusal(act,
	    client != NULL ? client->uuid : NULL, client != NULL ?
	    client->serial : NULL, detail, sizeof(detail))) != NULL) {
		/*
		 * Not this machine's disk: nothing counted, so that the
		 * machine it is bound to still gets every boot it may have.
		 */
		if ((ret = request_add(st, act, SIP_REQ_IDENTITY_REFUSED, now,
		    addr, detail, err)) != SIP_OK)
			goto out;
		ans = SIP_ANSWER_REFUSE;
		snprintf(refused, sizeof(refused), "action %lld for %s: %s: %s",
		    (long long)act->id, act->mac, why, detail);
	} else if (act != NULL) {
		if ((ret = action_step(st, act, SIP_EV_BOOT, NULL, now,
		    WHO_CLIENT, NULL, addr, &ans, err)) != SIP_OK)
			goto out;
		if (ans == SIP_ANSWER_ACTION) {
			/* Only a served action is rendered: read them now. */
			if ((ret = action_options(st, act, err)) != SIP_OK)
				goto out;
			if (addr != NULL && act->bound_addr[0] == '\0' &&
			    (ret = action_pin(st, act, addr, err)) != SIP_OK)
				goto out;
			pinned = act->bind_identity &&
			    act->bound_uuid[0] == '\0' &&
			    act->bound_serial[0] == '\0';
			if (client != NULL && (ret = identity_pin(st, act,
			    client, err)) != SIP_OK)
				goto out;
			pinned = pinned && (act->bound_uuid[0] != '\0' ||
			    act->bound_serial[0] != '\0');
			snprintf(detail, sizeof(detail), "boot %d/%d%s%s%s%s",
			    act->boots, act->max_boots, pinned ?
			    ", bound to uuid " : "", !pinned ? "" :
			    act->bound_uuid[0] != '\0' ? act->bound_uuid : "-",
			    pinned ? " serial " : "", !pinned ? "" :
			    act->bound_serial[0] != '\0' ? act->bound_serial :
			    "-");
			if ((ret = request_add(st, act, SIP_REQ_SERVED, now,
			    addr, detail, err)) != SIP_OK)
				goto out;
		}
	}
	if ((ret = tx_commit(st, err)) != SIP_OK)
		goto out;
	*answer = ans;
	if (ans == SIP_ANSWER_REFUSE)
		sip_errf(err, SIP_EDENIED, "%s: boot refused: %s", st->path,
		    refused);
	if (ans == SIP_ANSWER_ACTION) {
		*actp = act;
		act = NULL;
	}
 out:
	sip_action_free(act);
	if (ret != SIP_OK)
		tx_rollback(st);
	return ret;
}

/*
 * The action whose token this is, with its options, or NULL: the index
 * finds it, and the compare that confirms does not leak where two tokens
 * differ.  Runs inside the caller's transaction.
 */
static enum sip_rc
action_of_token(struct sip_store *st, const char *token,
    struct sip_action **out, struct sip_err *err)
{
	char public[SIP_TOKEN_PUBLIC + 1];
	enum sip_rc ret;

	/* Only the public part meets the index; the secret, sip_token_equal. */
	sip_token_public(token, public);
	if ((ret = action_query1(st, SQL_ACTION_TOKEN, public, 1, out, err)) !=
	    SIP_OK)
		return ret;
	if (*out != NULL && !sip_token_equal((*out)->token, token)) {
		sip_action_free(*out);
		*out = NULL;
	}
	return SIP_OK;
}

enum sip_rc
sip_store_report(struct sip_store *st, const char *token, enum sip_event ev,
    int progress, const char *msg, time_t now, struct sip_action **actp,
    struct sip_err *err)
{
	return sip_store_report_from(st, NULL, token, ev, progress, msg, now,
	    actp, err);
}

enum sip_rc
sip_store_report_from(struct sip_store *st, const struct sip_client *client,
    const char *token, enum sip_event ev, int progress, const char *msg,
    time_t now, struct sip_action **actp, struct sip_err *err)
{
	return sip_store_report_inventory(st, client, token, ev, progress, msg,
	    NULL, now, actp, err);
}

enum sip_rc
sip_store_report_inventory(struct sip_store *st,
    const struct sip_client *client, const char *token, enum sip_event ev,
    int progress, const char *msg, const char *inventory, time_t now,
    struct sip_action **actp, struct sip_err *err)
{
	struct sip_action *act = NULL;
	const char *addr = client != NULL ? client->addr : NULL, *why;
	char bound[16 + SIP_ADDR_STRLEN];
	struct report rep;
	struct sip_buf detail;
	enum sip_answer ans;
	enum sip_rc ret;

	if (actp != NULL)
		*actp = NULL;
	if (ev != SIP_EV_RUNNING && ev != SIP_EV_DONE && ev != SIP_EV_FAILED)
		return sip_errf(err, SIP_EINVAL, "%s: report: '%s' is not a "
		    "report", st->path, sip_event_name(ev));
	if (progress > 100)
		return sip_errf(err, SIP_EINVAL, "%s: report: progress %d is "
		    "over 100", st->path, progress);
	/* Whoever calls, nothing but bounded UTF-8 reaches the TEXT column. */
	if (msg != NULL && (ret = sip_report_msg_check(msg, err)) != SIP_OK)
		return ret;
	/* An inventory is what a finished report found, never a guess. */
	if (inventory != NULL && ev != SIP_EV_DONE)
		return sip_errf(err, SIP_EINVAL, "%s: report: an inventory "
		    "comes only with status done", st->path);
	if (inventory != NULL &&
	    (ret = sip_inventory_check(inventory, err)) != SIP_OK)
		return ret;
	/* Whatever is wrong with a token, the answer says no more than this. */
	if (sip_token_check(token) != SIP_OK)
		return sip_errf(err, SIP_EDENIED, "%s: report: unknown token",
		    st->path);
	if (msg != NULL && *msg == '\0')
		msg = NULL;
	rep.progress = progress;
	rep.msg = msg;

	sip_buf_init(&detail);
	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		goto out;
	if ((ret = action_of_token(st, token, &act, err)) != SIP_OK)
		goto out;
	if (act == NULL) {
		ret = sip_errf(err, SIP_EDENIED, "%s: report: unknown token",
		    st->path);
		goto out;
	}
	if ((why = sip_action_refusal(act, client, 0)) != NULL) {
		/* Recorded, and nothing else: not the state, not the message. */
		bound_detail(act, bound, sizeof(bound));
		sip_buf_printf(&detail, "%s: %s", sip_event_name(ev), bound);
		if (detail.failed) {
			ret = nomem(st, err);
			goto out;
		}
		if ((ret = request_add(st, act, SIP_REQ_REPORT_REFUSED, now,
		    addr, detail.data, err)) != SIP_OK ||
		    (ret = tx_commit(st, err)) != SIP_OK)
			goto out;
		ret = sip_errf(err, SIP_EDENIED, "%s: report '%s' refused: "
		    "action %lld for %s: %s", st->path, sip_event_name(ev),
		    (long long)act->id, act->mac, why);
		goto out;
	}
	if ((ret = action_step(st, act, ev, &rep, now, WHO_CLIENT, NULL, addr,
	    &ans, err)) != SIP_OK)
		goto out;
	if (ans != SIP_ANSWER_ACCEPT) {
		ret = sip_errf(err, SIP_EDENIED, "%s: report '%s' refused: "
		    "action %lld for %s is %s", st->path, sip_event_name(ev),
		    (long long)act->id, act->mac, sip_state_name(act->state));
		goto out;
	}

	/* After its transitions, as "served" after a boot's: what it said. */
	sip_buf_puts(&detail, sip_event_name(ev));
	if (progress >= 0)
		sip_buf_printf(&detail, " %d%%", progress);
	if (msg != NULL)
		sip_buf_printf(&detail, ": %s", msg);
	if (detail.failed) {
		ret = nomem(st, err);
		goto out;
	}
	if (inventory != NULL &&
	    (ret = inventory_put(st, act, inventory, now, err)) != SIP_OK)
		goto out;
	if ((ret = request_add(st, act, SIP_REQ_REPORT, now, addr,
	    detail.data, err)) != SIP_OK ||
	    (ret = tx_commit(st, err)) != SIP_OK)
		goto out;
	if (actp != NULL) {
		*actp = act;
		act = NULL;
	}
 out:
	sip_action_free(act);
	sip_buf_free(&detail);
	if (ret != SIP_OK)
		tx_rollback(st);
	return ret;
}

/* One new action inside the caller's transaction. */
static enum sip_rc
action_create(struct sip_store *st, const struct sip_new_action *na,
    int64_t now, int64_t *id, struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	struct sip_action *old = NULL;
	struct sip_buf detail;
	struct hist h;
	enum sip_answer ans;
	enum sip_state state;
	char token[SIP_TOKEN_STRLEN], label[SIP_HOSTNAME_STRLEN];
	char uuid[SIP_SMBIOS_STRLEN] = "", serial[SIP_SMBIOS_STRLEN] = "";
	int64_t start_at;
	size_t i;
	enum sip_rc ret = SIP_OK;
	int rc;

	sip_buf_init(&detail);
	if (na->mac == NULL || na->name == NULL || na->who == NULL ||
	    strlen(na->mac) >= SIP_MAC_STRLEN ||
	    strlen(na->name) >= sizeof(old->name) ||
	    (unsigned)na->completion >= SIP_COMPLETE__MAX ||
	    (na->noptions > 0 && na->options == NULL)) {
		ret = sip_errf(err, SIP_EINVAL, "%s: set action for %s: "
		    "incomplete action", st->path,
		    na->mac != NULL ? na->mac : "(no MAC)");
		goto out;
	}

	/* One active action per MAC (the index): the old one goes first. */
	if ((ret = action_query1(st, SQL_ACTION_ACTIVE, na->mac, 0, &old,
	    err)) != SIP_OK)
		goto out;
	if (old != NULL && (ret = action_step(st, old, SIP_EV_CANCEL, NULL,
	    now, na->who, "replaced", NULL, &ans, err)) != SIP_OK)
		goto out;
	if (na->bound_addr != NULL &&
	    strcmp(sip_remote_addr(na->bound_addr), "-") == 0) {
		ret = sip_errf(err, SIP_EINVAL, "%s: set action for %s: "
		    "'%s' is not an address", st->path, na->mac,
		    na->bound_addr);
		goto out;
	}
	if (na->host != NULL && sip_hostname_label(na->host, label) != SIP_OK) {
		ret = sip_errf(err, SIP_EINVAL, "%s: set action for %s: "
		    "not a host name label", st->path, na->mac);
		goto out;
	}

	if (sip_token_new(token) != SIP_OK) {
		ret = sip_errf(err, SIP_EIO, "%s: set action for %s: cannot "
		    "get random bytes for a token", st->path, na->mac);
		goto out;
	}
	start_at = na->start_at != 0 ? na->start_at : now;
	/*
	 * A negative expiry (a sum that wrapped) would read as "never
	 * expires" (0): the caller's times are checked here once more.
	 */
	if (start_at < 0 || na->expires_at < 0 ||
	    (na->expires_at != 0 && na->expires_at <= start_at)) {
		ret = sip_errf(err, SIP_EINVAL, "%s: set action for %s: "
		    "expiry @%lld not after start @%lld", st->path, na->mac,
		    (long long)na->expires_at, (long long)start_at);
		goto out;
	}
	state = start_at > now ? SIP_ST_SCHEDULED : SIP_ST_PENDING;
	if (na->bind_identity && (ret = identity_known(st, na, uuid, serial,
	    err)) != SIP_OK)
		goto out;
	if ((rc = sqlite3_prepare_v2(st->db, "INSERT INTO actions (mac, name, "
	    "state, completion, token, boots, max_boots, created_at, start_at, "
	    "expires_at, updated_at, progress, message, created_by, "
	    "bound_addr, bind_identity, bound_uuid, bound_serial, host) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?8, ?9, ?7, "
	    "-1, NULL, ?10, ?11, ?12, ?13, ?14, ?15)",
	    -1, &s, NULL)) != SQLITE_OK ||
	    (rc = bind_text(s, 1, na->mac)) != SQLITE_OK ||
	    (rc = bind_text(s, 2, na->name)) != SQLITE_OK ||
	    (rc = bind_text(s, 3, sip_state_name(state))) != SQLITE_OK ||
	    (rc = bind_text(s, 4, sip_completion_name(na->completion))) !=
	    SQLITE_OK ||
	    (rc = bind_text(s, 5, token)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(s, 6, na->max_boots)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 7, now)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 8, start_at)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 9, na->expires_at)) != SQLITE_OK ||
	    (rc = bind_text(s, 10, na->who)) != SQLITE_OK ||
	    (rc = bind_text(s, 11, na->bound_addr)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(s, 12, na->bind_identity != 0)) !=
	    SQLITE_OK ||
	    (rc = bind_text(s, 13, *uuid != '\0' ? uuid : NULL)) != SQLITE_OK ||
	    (rc = bind_text(s, 14, *serial != '\0' ? serial : NULL)) !=
	    SQLITE_OK ||
	    (rc = bind_text(s, 15, na->host != NULL ? label : NULL)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_step(s)) != SQLITE_DONE) {
		ret = db_err(st, rc, err, "set action for %s", na->mac);
		goto out;
	}
	*id = sqlite3_last_insert_rowid(st->db);
	sqlite3_finalize(s);
	s = NULL;

	if ((rc = sqlite3_prepare_v2(st->db, "INSERT INTO action_options "
	    "(action_id, key, value) VALUES (?1, ?2, ?3)", -1, &s, NULL)) !=
	    SQLITE_OK) {
		ret = db_err(st, rc, err, "set options for %s", na->mac);
		goto out;
	}
	for (i = 0; i < na->noptions; i++) {
		if (na->options[i].key == NULL ||
		    na->options[i].value == NULL) {
			ret = sip_errf(err, SIP_EINVAL, "%s: set action for "
			    "%s: option without a value", st->path, na->mac);
			goto out;
		}
		if ((rc = sqlite3_reset(s)) != SQLITE_OK ||
		    (rc = sqlite3_bind_int64(s, 1, *id)) != SQLITE_OK ||
		    (rc = bind_text(s, 2, na->options[i].key)) != SQLITE_OK ||
		    (rc = bind_text(s, 3, na->options[i].value)) !=
		    SQLITE_OK ||
		    (rc = sqlite3_step(s)) != SQLITE_DONE) {
			ret = db_err(st, rc, err, "set option '%s' for %s",
			    na->options[i].key, na->mac);
			goto out;
		}
		sip_buf_printf(&detail, "%s%s=%s", i > 0 ? " " : "",
		    na->options[i].key, na->options[i].value);
	}
	if (na->bind_identity && (*uuid != '\0' || *serial != '\0'))
		sip_buf_printf(&detail, "%sbound to uuid %s serial %s",
		    detail.len > 0 ? " " : "", *uuid != '\0' ? uuid : "-",
		    *serial != '\0' ? serial : "-");
	if (detail.failed) {
		ret = nomem(st, err);
		goto out;
	}

	memset(&h, 0, sizeof(h));
	h.at = now;
	h.mac = na->mac;
	h.action_id = *id;
	h.action = na->name;
	h.event = "set";
	h.new_state = sip_state_name(state);
	h.who = na->who;
	h.detail = detail.data;
	ret = history_add(st, &h, err);
 out:
	sqlite3_finalize(s);
	sip_action_free(old);
	sip_buf_free(&detail);
	return ret;
}

enum sip_rc
sip_store_set_actions(struct sip_store *st, const struct sip_new_action *na,
    size_t n, time_t now, int64_t *ids, struct sip_err *err)
{
	int64_t id = 0;
	size_t i;
	enum sip_rc ret;

	if (n == 0)
		return SIP_OK;
	if (na == NULL)
		return sip_errf(err, SIP_EINVAL, "%s: set action: nothing to "
		    "set", st->path);
	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	for (i = 0; i < n; i++) {
		if ((ret = action_create(st, &na[i], now, &id, err)) != SIP_OK)
			goto out;
		if (ids != NULL)
			ids[i] = id;
	}
	/* Before the commit: a machine must never boot past its new action. */
	if ((ret = active_rewrite(st, err)) != SIP_OK)
		goto out;
	ret = tx_commit(st, err);
 out:
	if (ret != SIP_OK) {
		tx_rollback(st);
		/* Nothing was created: no id may suggest otherwise. */
		for (i = 0; ids != NULL && i < n; i++)
			ids[i] = 0;
	}
	return ret;
}

enum sip_rc
sip_store_cancel(struct sip_store *st, const char *const *macs, size_t n,
    const char *who, time_t now, size_t *ncancelled, struct sip_err *err)
{
	struct sip_action *act = NULL;
	enum sip_answer ans;
	size_t i, cnt = 0;
	enum sip_rc ret;

	if (ncancelled != NULL)
		*ncancelled = 0;
	if ((n > 0 && macs == NULL) || who == NULL)
		return sip_errf(err, SIP_EINVAL, "%s: cancel: no MAC or no "
		    "author", st->path);
	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	for (i = 0; i < n; i++) {
		if (macs[i] == NULL) {
			ret = sip_errf(err, SIP_EINVAL, "%s: cancel: no MAC",
			    st->path);
			goto out;
		}
		if ((ret = action_query1(st, SQL_ACTION_ACTIVE, macs[i], 0,
		    &act, err)) != SIP_OK)
			goto out;
		if (act == NULL)
			continue;
		if ((ret = action_step(st, act, SIP_EV_CANCEL, NULL, now, who,
		    "cancelled", NULL, &ans, err)) != SIP_OK)
			goto out;
		/* An action that expired on the way was not cancelled. */
		if (ans == SIP_ANSWER_ACCEPT && act->state == SIP_ST_CANCELLED)
			cnt++;
		sip_action_free(act);
		act = NULL;
	}
	if ((ret = tx_commit(st, err)) != SIP_OK)
		goto out;
	if (ncancelled != NULL)
		*ncancelled = cnt;
	/*
	 * Only now: if the commit had failed, a list without these MACs would
	 * hide actions that are still active.  A list that still holds them
	 * only costs their next boot a database lookup.
	 */
	(void)sip_store_active_sync(st, NULL);
 out:
	sip_action_free(act);
	if (ret != SIP_OK)
		tx_rollback(st);
	return ret;
}

enum sip_rc
sip_store_wol_sent(struct sip_store *st, const char *const *macs,
    const char *const *detail, size_t n, const char *who, time_t now,
    struct sip_err *err)
{
	size_t i;
	enum sip_rc ret;

	if ((n > 0 && macs == NULL) || who == NULL)
		return sip_errf(err, SIP_EINVAL, "%s: wol: no MAC or no "
		    "author", st->path);
	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	for (i = 0; i < n; i++)
		if ((ret = history_of_mac(st, macs[i],
		    sip_request_event_name(SIP_REQ_WOL_SENT), who,
		    detail != NULL ? detail[i] : NULL, now, err)) != SIP_OK)
			goto out;
	ret = tx_commit(st, err);
 out:
	if (ret != SIP_OK)
		tx_rollback(st);
	return ret;
}

/*
 * Tied to the action the event is for (the MAC's active one), so that
 * its timeline shows it.
 */
enum sip_rc
history_of_mac(struct sip_store *st, const char *mac, const char *event,
    const char *who, const char *detail, time_t now, struct sip_err *err)
{
	struct sip_action *act = NULL;
	struct hist h;
	enum sip_rc ret;

	if ((ret = action_query1(st, SQL_ACTION_ACTIVE, mac, 0, &act,
	    err)) != SIP_OK)
		return ret;
	memset(&h, 0, sizeof(h));
	h.at = now;
	h.mac = mac;
	h.action_id = act != NULL ? act->id : 0;
	h.action = act != NULL ? act->name : NULL;
	h.event = event;
	h.who = who;
	h.detail = detail;
	ret = history_add(st, &h, err);
	sip_action_free(act);
	return ret;
}

enum sip_rc
sip_store_reboot_events(struct sip_store *st,
    const struct sip_reboot_machine *m, size_t n, const char *who,
    time_t now, struct sip_err *err)
{
	struct sip_action *act = NULL;
	struct hist h;
	size_t i;
	enum sip_rc ret;

	if ((n > 0 && m == NULL) || who == NULL)
		return sip_errf(err, SIP_EINVAL, "%s: reboot: no machine or "
		    "no author", st->path);
	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	for (i = 0; i < n; i++) {
		if ((ret = action_query1(st, SQL_ACTION_ACTIVE, m[i].mac, 0,
		    &act, err)) != SIP_OK)
			goto out;
		memset(&h, 0, sizeof(h));
		h.at = now;
		h.mac = m[i].mac;
		h.action_id = act != NULL ? act->id : 0;
		h.action = act != NULL ? act->name : NULL;
		h.event = sip_reboot_event_name(m[i].outcome);
		h.who = who;
		h.detail = m[i].detail;
		if ((ret = history_add(st, &h, err)) != SIP_OK)
			goto out;
		sip_action_free(act);
		act = NULL;
	}
	ret = tx_commit(st, err);
 out:
	sip_action_free(act);
	if (ret != SIP_OK)
		tx_rollback(st);
	return ret;
}

enum sip_rc
sip_store_tick_actions(struct sip_store *st, time_t now, size_t *nstarted,
    size_t *nexpired, struct sip_err *err)
{
	struct sip_action **l = NULL;
	enum sip_answer ans;
	size_t n = 0, i, started = 0, expired = 0;
	enum sip_state was;
	enum sip_rc ret;

	*nstarted = 0;
	*nexpired = 0;
	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	/* Read them all first: rows change under an open SELECT otherwise. */
	if ((ret = action_query(st, SQL_ACTION_ALL_ACTIVE, NULL, &l, &n,
	    err)) != SIP_OK)
		goto out;
	for (i = 0; i < n; i++) {
		was = l[i]->state;
		if ((ret = action_step(st, l[i], SIP_EV_TICK, NULL, now,
		    WHO_CLEANUP, NULL, NULL, &ans, err)) != SIP_OK)
			goto out;
		if (was == SIP_ST_SCHEDULED && l[i]->state == SIP_ST_PENDING)
			started++;
		if (was != SIP_ST_EXPIRED && l[i]->state == SIP_ST_EXPIRED)
			expired++;
	}
	if ((ret = tx_commit(st, err)) != SIP_OK)
		goto out;
	*nstarted = started;
	*nexpired = expired;
	ret = sip_store_active_sync(st, err);
 out:
	for (i = 0; i < n; i++)
		sip_action_free(l[i]);
	free(l);
	if (ret != SIP_OK)
		tx_rollback(st);
	return ret;
}

enum sip_rc
sip_store_purge(struct sip_store *st, int64_t before, size_t *nactions,
    size_t *nhistory, struct sip_err *err)
{
	/*
	 * A finished action's rows are all older than its last change: its
	 * options and history go with it, the options first (foreign key).
	 * An active action is never purged, however old.
	 */
#define FINISHED_BEFORE \
	"SELECT id FROM actions WHERE NOT (" ACTIVE_WHERE ") AND " \
	"updated_at < ?1"
	static const struct {
		const char	*sql;
		enum { OPTION_ROWS, HISTORY_ROWS, ACTION_ROWS, JOB_ROWS } rows;
	} purge[] = {
		{ "DELETE FROM action_options WHERE action_id IN ("
		    FINISHED_BEFORE ")", OPTION_ROWS },
		{ "DELETE FROM history WHERE action_id IN (" FINISHED_BEFORE
		    ")", HISTORY_ROWS },
		{ "DELETE FROM actions WHERE id IN (" FINISHED_BEFORE ")",
		    ACTION_ROWS },
		{ "DELETE FROM history WHERE at < ?1", HISTORY_ROWS },
		{ "DELETE FROM power_jobs WHERE state NOT IN ('pending',"
		    "'sent') AND updated_at < ?1", JOB_ROWS },
	};
#undef FINISHED_BEFORE
	sqlite3_stmt *s = NULL;
	size_t i, actions = 0, history = 0;
	enum sip_rc ret;
	int rc;

	*nactions = 0;
	*nhistory = 0;
	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	for (i = 0; i < SIP_ARRAY_SIZE(purge); i++) {
		if ((rc = sqlite3_prepare_v2(st->db, purge[i].sql, -1, &s,
		    NULL)) != SQLITE_OK ||
		    (rc = sqlite3_bind_int64(s, 1, before)) != SQLITE_OK ||
		    (rc = sqlite3_step(s)) != SQLITE_DONE) {
			ret = db_err(st, rc, err, "purge before %lld",
			    (long long)before);
			goto out;
		}
		if (purge[i].rows == ACTION_ROWS)
			actions += (size_t)sqlite3_changes(st->db);
		else if (purge[i].rows == HISTORY_ROWS)
			history += (size_t)sqlite3_changes(st->db);
		sqlite3_finalize(s);
		s = NULL;
	}
	if ((ret = tx_commit(st, err)) != SIP_OK)
		goto out;
	*nactions = actions;
	*nhistory = history;
 out:
	sqlite3_finalize(s);
	if (ret != SIP_OK)
		tx_rollback(st);
	return ret;
}

/* Every MAC with an active action, sorted. */
static enum sip_rc
active_macs(struct sip_store *st, char (**out)[SIP_MAC_STRLEN], size_t *np,
    struct sip_err *err)
{
	char (*macs)[SIP_MAC_STRLEN] = NULL, (*grown)[SIP_MAC_STRLEN];
	sqlite3_stmt *s = NULL;
	const unsigned char *mac;
	size_t n = 0, cap = 0;
	enum sip_rc ret = SIP_OK;
	int rc;

	*out = NULL;
	*np = 0;
	if ((rc = sqlite3_prepare_v2(st->db, SQL_ACTIVE_MACS, -1, &s,
	    NULL)) != SQLITE_OK)
		return db_err(st, rc, err, "list active actions");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		mac = sqlite3_column_text(s, 0);
		if (mac == NULL || strlen((const char *)mac) !=
		    SIP_MAC_STRLEN - 1) {
			ret = sip_errf(err, SIP_EDB, "%s: an action has a "
			    "malformed MAC", st->path);
			goto fail;
		}
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((grown = realloc(macs, cap * sizeof(*macs))) ==
			    NULL) {
				ret = nomem(st, err);
				goto fail;
			}
			macs = grown;
		}
		memcpy(macs[n++], mac, SIP_MAC_STRLEN);
	}
	if (rc != SQLITE_DONE) {
		ret = db_err(st, rc, err, "list active actions");
		goto fail;
	}
	sqlite3_finalize(s);
	*out = macs;
	*np = n;
	return SIP_OK;
 fail:
	sqlite3_finalize(s);
	free(macs);
	return ret;
}

/*
 * Inside a write transaction, whose lock keeps list writers in line:
 * the list becomes the MACs with an active action as the transaction
 * sees them.
 */
static enum sip_rc
active_rewrite(struct sip_store *st, struct sip_err *err)
{
	char (*macs)[SIP_MAC_STRLEN];
	const char **p = NULL;
	size_t n, i;
	enum sip_rc ret;

	if ((ret = active_macs(st, &macs, &n, err)) != SIP_OK)
		return ret;
	if (n > 0 && (p = calloc(n, sizeof(*p))) == NULL) {
		free(macs);
		return nomem(st, err);
	}
	for (i = 0; i < n; i++)
		p[i] = macs[i];
	ret = sip_active_write(st->path, p, n, err);
	free(p);
	free(macs);
	return ret;
}

enum sip_rc
sip_store_active_sync(struct sip_store *st, struct sip_err *err)
{
	enum sip_rc ret;

	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	if ((ret = active_rewrite(st, err)) != SIP_OK ||
	    (ret = tx_commit(st, err)) != SIP_OK)
		tx_rollback(st);
	return ret;
}

enum sip_rc
sip_store_active_verify(struct sip_store *st, size_t *nmissing,
    struct sip_err *err)
{
	char (*macs)[SIP_MAC_STRLEN] = NULL;
	size_t n = 0;
	enum sip_rc ret;

	*nmissing = 0;
	if ((ret = tx_begin(st, "BEGIN", err)) != SIP_OK)
		return ret;
	ret = active_macs(st, &macs, &n, err);
	tx_rollback(st);
	if (ret == SIP_OK)
		ret = sip_active_missing(st->path,
		    (const char (*)[SIP_MAC_STRLEN])macs, n, nmissing, err);
	free(macs);
	return ret;
}

/*
 * The action of mac that sql selects, with its options; SIP_ENOTFOUND
 * names it by what ("active action", "action") when there is none.
 */
static enum sip_rc
action_of_mac(struct sip_store *st, const char *sql, const char *what,
    const char *mac, struct sip_action **out, struct sip_err *err)
{
	enum sip_rc ret;

	*out = NULL;
	if (mac == NULL)
		return sip_errf(err, SIP_EINVAL, "%s: no MAC", st->path);
	if ((ret = action_query1(st, sql, mac, 1, out, err)) != SIP_OK)
		return ret;
	if (*out == NULL)
		return sip_errf(err, SIP_ENOTFOUND, "%s: no %s for %s",
		    st->path, what, mac);
	return SIP_OK;
}

enum sip_rc
sip_store_active_action(struct sip_store *st, const char *mac,
    struct sip_action **out, struct sip_err *err)
{
	return action_of_mac(st, SQL_ACTION_ACTIVE, "active action", mac, out,
	    err);
}

/*
 * The live action of a token, inside the caller's transaction: as
 * sip_store_token_action says.
 */
static enum sip_rc
token_live_action(struct sip_store *st, const char *token, time_t now,
    struct sip_action **out, struct sip_err *err)
{
	struct sip_action *act = NULL;
	enum sip_state was;
	enum sip_rc ret;

	*out = NULL;
	/* Whatever is wrong with a token, the answer says no more than this. */
	if (sip_token_check(token) != SIP_OK)
		return sip_errf(err, SIP_EDENIED, "%s: unknown token", st->path);
	if ((ret = action_of_token(st, token, &act, err)) != SIP_OK)
		return ret;
	if (act == NULL)
		return sip_errf(err, SIP_EDENIED, "%s: unknown token", st->path);
	/*
	 * Where time has taken the action, by the state machine's own rule
	 * (nothing is saved): pending, booting or running are served.
	 */
	was = act->state;
	(void)sip_fsm_step(act, SIP_EV_TICK, now, NULL, NULL);
	if (act->state != SIP_ST_PENDING && act->state != SIP_ST_BOOTING &&
	    act->state != SIP_ST_RUNNING) {
		ret = sip_errf(err, SIP_EDENIED, "%s: action %lld for %s is %s",
		    st->path, (long long)act->id, act->mac,
		    act->state == SIP_ST_EXPIRED && was != SIP_ST_EXPIRED ?
		    "overdue" : sip_state_name(act->state));
		sip_action_free(act);
		return ret;
	}
	*out = act;
	return SIP_OK;
}

enum sip_rc
sip_store_token_action(struct sip_store *st, const char *token, time_t now,
    struct sip_action **out, struct sip_err *err)
{
	enum sip_rc ret;

	*out = NULL;
	if ((ret = tx_begin(st, "BEGIN", err)) != SIP_OK)
		return ret;
	ret = token_live_action(st, token, now, out, err);
	tx_rollback(st);
	return ret;
}

enum sip_rc
sip_store_file(struct sip_store *st, const struct sip_client *client,
    const char *token, const char *name, time_t now,
    struct sip_action **out, struct sip_err *err)
{
	struct sip_action *act = NULL;
	struct sip_buf detail;
	char bound[16 + SIP_ADDR_STRLEN];
	const char *why;
	enum sip_rc ret;

	*out = NULL;
	sip_buf_init(&detail);
	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	if ((ret = token_live_action(st, token, now, &act, err)) != SIP_OK)
		goto out;
	if ((why = sip_action_refusal(act, client, 0)) != NULL) {
		bound_detail(act, bound, sizeof(bound));
		sip_buf_printf(&detail, "%s: %s", name != NULL ? name : "-",
		    bound);
		if (detail.failed) {
			ret = nomem(st, err);
			goto out;
		}
		if ((ret = request_add(st, act, SIP_REQ_FILE_REFUSED, now,
		    client->addr, detail.data, err)) != SIP_OK ||
		    (ret = tx_commit(st, err)) != SIP_OK)
			goto out;
		ret = sip_errf(err, SIP_EDENIED, "%s: file refused: action "
		    "%lld for %s: %s", st->path, (long long)act->id, act->mac,
		    why);
		goto out;
	}
	*out = act;
	act = NULL;
 out:
	tx_rollback(st);
	sip_action_free(act);
	sip_buf_free(&detail);
	return ret;
}

enum sip_rc
sip_store_file_served(struct sip_store *st, const struct sip_client *client,
    const struct sip_action *act, const char *name, time_t now,
    struct sip_err *err)
{
	enum sip_rc ret;

	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	if ((ret = request_add(st, act, SIP_REQ_FILE, now,
	    client != NULL ? client->addr : NULL, name, err)) != SIP_OK ||
	    (ret = tx_commit(st, err)) != SIP_OK)
		tx_rollback(st);
	return ret;
}

/*
 * The boot a secret file belongs to: the action's boot count now, and
 * the address of its last boot served (NULL: none yet).  history_mac
 * (mac, id) finds the rows of the machine.
 */
#define SQL_SECRET_BOOT \
	"SELECT a.boots, (SELECT h.addr FROM history h WHERE h.mac = a.mac " \
	"AND h.action_id = a.id AND h.event = 'served' ORDER BY h.id DESC " \
	"LIMIT 1) FROM actions a WHERE a.id = ?1"
#define SQL_SECRET_SERVED \
	"SELECT 1 FROM history WHERE mac = ?1 AND action_id = ?2 AND " \
	"event = 'secret-served' AND detail = ?3 LIMIT 1"

enum sip_rc
sip_store_secret_claim(struct sip_store *st, const struct sip_client *client,
    const struct sip_action *act, const char *name, time_t now, int record,
    struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	char served[SIP_FILE_NAME_MAX + 32], boot_addr[SIP_ADDR_STRLEN];
	char why[SIP_FILE_NAME_MAX + 2 * SIP_ADDR_STRLEN + 96];
	const char *addr = client != NULL ? client->addr : NULL;
	int boots = 0, rc, again = 0;
	enum sip_rc ret;

	boot_addr[0] = '\0';
	if ((ret = tx_begin(st, record ? "BEGIN IMMEDIATE" : "BEGIN", err)) !=
	    SIP_OK)
		return ret;
	if ((rc = stmt_get(st, SQL_SECRET_BOOT, &s)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 1, act->id)) != SQLITE_OK) {
		ret = db_err(st, rc, err, "secret file of action %lld",
		    (long long)act->id);
		goto out;
	}
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		boots = sqlite3_column_int(s, 0);
		if (col_copy(s, 1, boot_addr, sizeof(boot_addr)) == -1)
			boot_addr[0] = '\0';
	} else if (rc != SQLITE_DONE) {
		ret = db_err(st, rc, err, "secret file of action %lld",
		    (long long)act->id);
		goto out;
	}
	stmt_put(st, s);
	s = NULL;
	snprintf(served, sizeof(served), "%s: boot %d", name, boots);
	if ((rc = stmt_get(st, SQL_SECRET_SERVED, &s)) != SQLITE_OK ||
	    (rc = bind_text(s, 1, act->mac)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, act->id)) != SQLITE_OK ||
	    (rc = bind_text(s, 3, served)) != SQLITE_OK ||
	    ((rc = sqlite3_step(s)) != SQLITE_ROW && rc != SQLITE_DONE)) {
		ret = db_err(st, rc, err, "secret file of action %lld",
		    (long long)act->id);
		goto out;
	}
	again = rc == SQLITE_ROW;
	stmt_put(st, s);
	s = NULL;

	/* The reasons quote file names, boot counts and addresses only. */
	why[0] = '\0';
	if (boots == 0)
		snprintf(why, sizeof(why), "%s: no boot served yet", name);
	else if (again)
		snprintf(why, sizeof(why), "%s: already served in boot %d",
		    name, boots);
	else if (addr == NULL || boot_addr[0] == '\0' ||
	    !sip_addr_equal(addr, boot_addr))
		snprintf(why, sizeof(why), "%s: boot %d came from %s", name,
		    boots, boot_addr[0] != '\0' ? boot_addr :
		    "an unknown address");
	if (!record) {
		ret = why[0] == '\0' ? SIP_OK : sip_errf(err, SIP_EDENIED,
		    "%s: secret file refused: %s", st->path, why);
		goto out;
	}
	if ((ret = request_add(st, act, why[0] == '\0' ?
	    SIP_REQ_SECRET_SERVED : SIP_REQ_SECRET_REFUSED, now, addr,
	    why[0] == '\0' ? served : why, err)) != SIP_OK ||
	    (ret = tx_commit(st, err)) != SIP_OK)
		goto out;
	if (why[0] != '\0')
		ret = sip_errf(err, SIP_EDENIED, "%s: secret file refused: "
		    "action %lld for %s: %s", st->path, (long long)act->id,
		    act->mac, why);
 out:
	if (s != NULL)
		stmt_put(st, s);
	tx_rollback(st);
	return ret;
}

enum sip_rc
sip_store_last_action(struct sip_store *st, const char *mac,
    struct sip_action **out, struct sip_err *err)
{
	return action_of_mac(st, SQL_ACTION_LAST, "action", mac, out, err);
}

/*
 * menu:maintenance.  Each password sent is counted (a menu-try row) before
 * it is checked, in the transaction that read the count, so that guesses
 * sent in parallel are counted too; a granted one (menu) starts the count
 * again.
 */
#define SQL_MENU_TRIES \
	"SELECT count(*) FROM history WHERE mac = ?1 AND action_id = ?2 " \
	"AND event = 'menu-try' AND id > coalesce((SELECT max(id) FROM " \
	"history WHERE mac = ?1 AND action_id = ?2 AND event = 'menu'), 0)"

static enum sip_rc
menu_tries(struct sip_store *st, const struct sip_action *act, int *n,
    struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	enum sip_rc ret = SIP_OK;
	int rc;

	if ((rc = stmt_get(st, SQL_MENU_TRIES, &s)) != SQLITE_OK ||
	    (rc = bind_text(s, 1, act->mac)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, act->id)) != SQLITE_OK ||
	    (rc = sqlite3_step(s)) != SQLITE_ROW)
		ret = db_err(st, rc, err, "count the menu passwords of action "
		    "%lld", (long long)act->id);
	else
		*n = sqlite3_column_int(s, 0);
	stmt_put(st, s);
	return ret;
}

enum sip_rc
sip_store_menu_try(struct sip_store *st, const struct sip_client *client,
    const char *token, const char *name, int tries, time_t now,
    struct sip_action **out, int *left, struct sip_err *err)
{
	struct sip_action *act = NULL;
	char bound[16 + SIP_ADDR_STRLEN];
	const char *why;
	enum sip_rc ret;
	int n = 0;

	*out = NULL;
	*left = 0;
	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	if ((ret = token_live_action(st, token, now, &act, err)) != SIP_OK)
		goto out;
	/* Another action's token opens no menu: said as little as a bad one. */
	if (strcmp(act->name, name) != 0) {
		ret = sip_errf(err, SIP_EDENIED, "%s: action %lld for %s is "
		    "%s, not %s", st->path, (long long)act->id, act->mac,
		    act->name, name);
		goto out;
	}
	why = sip_action_refusal(act, client, 0);
	if (why == NULL && (ret = menu_tries(st, act, &n, err)) != SIP_OK)
		goto out;
	if (why == NULL && n >= tries)
		why = "too many wrong passwords";
	if (why != NULL) {
		bound_detail(act, bound, sizeof(bound));
		if ((ret = request_add(st, act, SIP_REQ_MENU_REFUSED, now,
		    client != NULL ? client->addr : NULL, why, err)) !=
		    SIP_OK || (ret = tx_commit(st, err)) != SIP_OK)
			goto out;
		ret = sip_errf(err, SIP_EDENIED, "%s: menu refused: action "
		    "%lld for %s (%s): %s", st->path, (long long)act->id,
		    act->mac, bound, why);
		goto out;
	}
	if ((ret = request_add(st, act, SIP_REQ_MENU_TRY, now,
	    client != NULL ? client->addr : NULL, NULL, err)) != SIP_OK ||
	    (ret = tx_commit(st, err)) != SIP_OK)
		goto out;
	*left = tries - n - 1;
	*out = act;
	act = NULL;
 out:
	tx_rollback(st);
	sip_action_free(act);
	return ret;
}

enum sip_rc
sip_store_menu_result(struct sip_store *st, const struct sip_client *client,
    const struct sip_action *act, int granted, const char *detail, time_t now,
    struct sip_err *err)
{
	enum sip_rc ret;

	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	if ((ret = request_add(st, act, granted ? SIP_REQ_MENU :
	    SIP_REQ_MENU_REFUSED, now, client != NULL ? client->addr : NULL,
	    detail, err)) != SIP_OK || (ret = tx_commit(st, err)) != SIP_OK)
		tx_rollback(st);
	return ret;
}
