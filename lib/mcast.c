/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Multicast sessions: one image of the catalogue sent by udp-sender to N worker:restore receivers, their state machine, the runner that sends and judges, the unicast fallback. */
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "extern.h"
#include "store.h"

#define MCAST_COLUMNS \
	"id, image, state, port, interface, min_receivers, max_wait, " \
	"start_timeout, fallback, created_at, created_by, start_at, " \
	"started_at, ended_at, runner_pid, reason, source_mac, " \
	"source_action, prep_addr, prep_claimed, prep_token, prep_until"
#define SQL_MCAST_INSERT \
	"INSERT INTO mcast_sessions (image, state, port, interface, " \
	"min_receivers, max_wait, start_timeout, fallback, created_at, " \
	"created_by, start_at, source_mac, source_action, prep_addr, " \
	"prep_claimed, prep_token, prep_until) VALUES (?1, ?11, ?2, ?3, ?4, " \
	"?5, ?6, ?7, ?8, ?9, ?10, ?12, ?13, ?14, ?15, ?16, ?17)"
#define OPEN_STATES \
	"('preparing', 'saving', 'forming', 'transferring')"
#define SQL_MCAST_PORTS \
	"SELECT port FROM mcast_sessions WHERE state IN " OPEN_STATES \
	" ORDER BY port"
#define SQL_MCAST_GET \
	"SELECT " MCAST_COLUMNS " FROM mcast_sessions WHERE id = ?1"
#define SQL_MCAST_LIST \
	"SELECT " MCAST_COLUMNS " FROM mcast_sessions ORDER BY id DESC"
#define SQL_MCAST_LIST_OPEN \
	"SELECT " MCAST_COLUMNS " FROM mcast_sessions WHERE state IN " \
	OPEN_STATES " ORDER BY id DESC"
#define SQL_MCAST_SAVE \
	"UPDATE mcast_sessions SET state = ?1, reason = ?2, started_at = ?3, " \
	"ended_at = ?4, runner_pid = ?5 WHERE id = ?6"
#define SQL_MCAST_DELETE	"DELETE FROM mcast_sessions WHERE id = ?1"
#define SQL_MEMBERS_DELETE	"DELETE FROM mcast_members WHERE session = ?1"
#define SQL_MEMBER_ADD \
	"INSERT INTO mcast_members (session, mac, action_id) VALUES " \
	"(?1, ?2, ?3)"
#define SQL_MEMBER_ACTION \
	"SELECT a.id, a.name, o.value FROM actions a LEFT JOIN " \
	"action_options o ON o.action_id = a.id AND o.key = 'session' " \
	"WHERE a.mac = ?1 AND a." ACTIVE_WHERE
#define SQL_MEMBERS \
	"SELECT m.mac, m.action_id, m.joined_at, m.dropped_at, m.num, " \
	"m.fallback_id, a.state, a.progress, a.message, a.bound_addr " \
	"FROM mcast_members m LEFT JOIN actions a ON a.id = m.action_id " \
	"WHERE m.session = ?1 ORDER BY m.mac"
#define SQL_MEMBER_JOINED \
	"UPDATE mcast_members SET joined_at = ?1, num = ?2 WHERE session = ?3 " \
	"AND mac = ?4"
#define SQL_MEMBER_DROPPED \
	"UPDATE mcast_members SET dropped_at = ?1 WHERE session = ?2 AND " \
	"num = ?3 AND dropped_at = 0"
#define SQL_MEMBER_FALLBACK \
	"UPDATE mcast_members SET fallback_id = ?1 WHERE session = ?2 AND " \
	"mac = ?3"
#define SQL_MEMBER_OF \
	"SELECT m.session FROM mcast_members m JOIN mcast_sessions s ON " \
	"s.id = m.session WHERE m.mac = ?1 AND s.state IN " OPEN_STATES \
	" ORDER BY s.id DESC LIMIT 1"
#define SQL_ACTION_BY_ID \
	"SELECT " ACTION_COLUMNS " FROM actions WHERE id = ?1"

/* ------------------------------------------------------------ names */

static const char *const state_names[SIP_MC__MAX] = {
	"preparing", "saving", "forming", "transferring", "done", "partial",
	"failed", "cancelled"
};
static const char *const event_names[SIP_MCE__MAX] = {
	"start", "sender-failed", "verdict", "cancel", "runner-gone",
	"saved", "save-failed", "prepared", "prep-failed"
};
static const char *const member_names[SIP_MB__MAX] = {
	"booting", "waiting", "receiving", "verifying", "verified",
	"restored", "failed", "dropped", "missed", "fallback"
};

const char *
sip_mcast_state_name(enum sip_mcast_state s)
{
	return (unsigned)s < SIP_MC__MAX ? state_names[s] : "?";
}

const char *
sip_mcast_event_name(enum sip_mcast_event e)
{
	return (unsigned)e < SIP_MCE__MAX ? event_names[e] : "?";
}

const char *
sip_member_state_name(enum sip_member_state m)
{
	return (unsigned)m < SIP_MB__MAX ? member_names[m] : "?";
}

static int
state_parse(const char *name, enum sip_mcast_state *s)
{
	int i;

	for (i = 0; i < SIP_MC__MAX; i++)
		if (name != NULL && strcmp(name, state_names[i]) == 0) {
			*s = (enum sip_mcast_state)i;
			return 0;
		}
	return -1;
}

int
sip_mcast_final(enum sip_mcast_state s)
{
	return s == SIP_MC_DONE || s == SIP_MC_PARTIAL || s == SIP_MC_FAILED ||
	    s == SIP_MC_CANCELLED;
}

/* ------------------------------------------------------------ the machine */

enum sip_mcast_state
sip_mcast_next(enum sip_mcast_state s, enum sip_mcast_event ev,
    size_t verified, size_t total)
{
	if (sip_mcast_final(s) || (unsigned)s >= SIP_MC__MAX)
		return s;
	switch (ev) {
	case SIP_MCE_PREPARED:
		return s == SIP_MC_PREPARING ? SIP_MC_SAVING : s;
	case SIP_MCE_PREP_FAILED:
		return s == SIP_MC_PREPARING ? SIP_MC_FAILED : s;
	case SIP_MCE_SAVED:
		return s == SIP_MC_SAVING ? SIP_MC_FORMING : s;
	case SIP_MCE_SAVE_FAILED:
		return s == SIP_MC_SAVING ? SIP_MC_FAILED : s;
	case SIP_MCE_START:
		return s == SIP_MC_FORMING ? SIP_MC_TRANSFERRING : s;
	case SIP_MCE_SENDER_FAILED:
	case SIP_MCE_RUNNER_GONE:
		return SIP_MC_FAILED;
	case SIP_MCE_CANCEL:
		return SIP_MC_CANCELLED;
	case SIP_MCE_VERDICT:
		/* No stream before the master is prepared and saved. */
		if (s == SIP_MC_PREPARING || s == SIP_MC_SAVING)
			return s;
		/* Every member ended: judged by the slowest, not the fastest. */
		if (total > 0 && verified == total)
			return SIP_MC_DONE;
		return verified > 0 ? SIP_MC_PARTIAL : SIP_MC_FAILED;
	case SIP_MCE__MAX:
		break;
	}
	return s;
}

static int
prefixed(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

enum sip_member_state
sip_mcast_member_state(const struct sip_mcast *s,
    const struct sip_mcast_member *m)
{
	/* A stream sent and ended cannot be joined any more. */
	int gone = s->started_at != 0 && (s->ended_at != 0 ||
	    sip_mcast_final(s->state));

	if (m->fallback_id != 0)
		return SIP_MB_FALLBACK;
	switch (m->astate) {
	case SIP_ST_DONE:
		return prefixed(m->message, "verified") ? SIP_MB_VERIFIED :
		    SIP_MB_RESTORED;
	case SIP_ST_SCHEDULED:
	case SIP_ST_PENDING:
	case SIP_ST_BOOTING:
	case SIP_ST_RUNNING:
		if (m->dropped_at != 0)
			return SIP_MB_DROPPED;
		if (m->astate == SIP_ST_RUNNING &&
		    prefixed(m->message, "restore: verifying"))
			return SIP_MB_VERIFYING;
		if (m->joined_at != 0 || (m->astate == SIP_ST_RUNNING &&
		    prefixed(m->message, "restore:")))
			return SIP_MB_RECEIVING;
		if (gone)
			return SIP_MB_MISSED;
		return m->astate == SIP_ST_RUNNING ? SIP_MB_WAITING :
		    SIP_MB_BOOTING;
	default:
		if (m->dropped_at != 0)
			return SIP_MB_DROPPED;
		return gone && m->joined_at == 0 ? SIP_MB_MISSED :
		    SIP_MB_FAILED;
	}
}

/* Whether a member can still end verified on this session's stream. */
static int
member_open(const struct sip_mcast *s, const struct sip_mcast_member *m)
{
	switch (sip_mcast_member_state(s, m)) {
	case SIP_MB_BOOTING:
	case SIP_MB_WAITING:
		return s->started_at == 0;
	case SIP_MB_RECEIVING:
	case SIP_MB_VERIFYING:
		return 1;
	default:
		return 0;
	}
}

int
sip_member_ok(enum sip_member_state m)
{
	return m == SIP_MB_VERIFIED || m == SIP_MB_RESTORED;
}

void
sip_mcast_slowest(int *slowest, const struct sip_mcast_member *m)
{
	int p = m->progress < 0 ? 0 : m->progress;

	if (m->mstate <= SIP_MB_VERIFYING && (*slowest == -1 || p < *slowest))
		*slowest = p;
}

/* ------------------------------------------------------------ the store */

static void
mcast_row(sqlite3_stmt *q, struct sip_mcast *s)
{
	memset(s, 0, sizeof(*s));
	s->id = sqlite3_column_int64(q, 0);
	col_copy(q, 1, s->image, sizeof(s->image));
	if (state_parse(col_text(q, 2), &s->state) == -1)
		s->state = SIP_MC_FAILED;
	s->port = sqlite3_column_int(q, 3);
	col_copy(q, 4, s->interface, sizeof(s->interface));
	s->min_receivers = sqlite3_column_int(q, 5);
	s->max_wait = sqlite3_column_int(q, 6);
	s->start_timeout = sqlite3_column_int(q, 7);
	s->fallback = sqlite3_column_int(q, 8);
	s->created_at = sqlite3_column_int64(q, 9);
	col_copy(q, 10, s->created_by, sizeof(s->created_by));
	s->start_at = sqlite3_column_int64(q, 11);
	s->started_at = sqlite3_column_int64(q, 12);
	s->ended_at = sqlite3_column_int64(q, 13);
	s->runner_pid = (long)sqlite3_column_int64(q, 14);
	col_copy(q, 15, s->reason, sizeof(s->reason));
	col_copy(q, 16, s->source_mac, sizeof(s->source_mac));
	s->source_action = sqlite3_column_int64(q, 17);
	col_copy(q, 18, s->prep_addr, sizeof(s->prep_addr));
	s->prep_claimed = sqlite3_column_int(q, 19);
	col_copy(q, 20, s->prep_token, sizeof(s->prep_token));
	s->prep_until = sqlite3_column_int64(q, 21);
}

/* The lowest even port from the base that no open session holds. */
static enum sip_rc
port_pick(struct sip_store *st, int *port, struct sip_err *err)
{
	sqlite3_stmt *q = NULL;
	enum sip_rc ret = SIP_OK;
	int rc, p = SIP_MCAST_PORT_BASE, used;

	if ((rc = stmt_get(st, SQL_MCAST_PORTS, &q)) != SQLITE_OK)
		return db_err(st, rc, err, "read the sessions' ports");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		used = sqlite3_column_int(q, 0);
		/* udp-sender takes port and port + 1. */
		if (used >= p - 1 && used <= p + 1)
			p = (used + 3) & ~1;
	}
	if (rc != SQLITE_DONE)
		ret = db_err(st, rc, err, "read the sessions' ports");
	else if (p > SIP_MCAST_PORT_MAX)
		ret = sip_errf(err, SIP_EBUSY, "no free port for one more "
		    "multicast session");
	stmt_put(st, q);
	*port = p;
	return ret;
}

enum sip_rc
sip_mcast_create(struct sip_store *st, struct sip_mcast *s, time_t now,
    struct sip_err *err)
{
	sqlite3_stmt *q = NULL;
	enum sip_mcast_state first;
	enum sip_rc ret;
	int rc;

	if (sip_image_name_check(s->image) != SIP_OK)
		return sip_errf(err, SIP_EINVAL, "session: image '%.64s': not "
		    "an image name", s->image);
	if (s->port != 0 && (s->port < SIP_MCAST_PORT_MIN ||
	    s->port > SIP_MCAST_PORT_MAX || s->port % 2 != 0))
		return sip_errf(err, SIP_EINVAL, "session: port %d: not an "
		    "even number from %d to %d", s->port, SIP_MCAST_PORT_MIN,
		    SIP_MCAST_PORT_MAX);
	/* A master prepared by sysprep, then saved, then sent; or sent. */
	first = s->prep_token[0] != '\0' ? SIP_MC_PREPARING :
	    s->source_mac[0] != '\0' ? SIP_MC_SAVING : SIP_MC_FORMING;
	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	if (s->port == 0 && (ret = port_pick(st, &s->port, err)) != SIP_OK)
		goto out;
	if ((rc = stmt_get(st, SQL_MCAST_INSERT, &q)) != SQLITE_OK ||
	    (rc = bind_text(q, 1, s->image)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(q, 2, s->port)) != SQLITE_OK ||
	    (rc = bind_text(q, 3, s->interface)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(q, 4, s->min_receivers)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(q, 5, s->max_wait)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(q, 6, s->start_timeout)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(q, 7, s->fallback)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(q, 8, (sqlite3_int64)now)) != SQLITE_OK ||
	    (rc = bind_text(q, 9, s->created_by)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(q, 10, s->start_at)) != SQLITE_OK ||
	    (rc = bind_text(q, 11, sip_mcast_state_name(first))) !=
	    SQLITE_OK ||
	    (rc = bind_text(q, 12, s->source_mac)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(q, 13, s->source_action)) != SQLITE_OK ||
	    (rc = bind_text(q, 14, s->prep_addr)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(q, 15, s->prep_claimed)) != SQLITE_OK ||
	    (rc = bind_text(q, 16, s->prep_token)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(q, 17, s->prep_until)) != SQLITE_OK ||
	    (rc = sqlite3_step(q)) != SQLITE_DONE) {
		ret = db_err(st, rc, err, "create a multicast session");
		goto out;
	}
	s->id = sqlite3_last_insert_rowid(st->db);
	s->state = first;
	s->created_at = now;
	ret = tx_commit(st, err);
 out:
	stmt_put(st, q);
	if (ret != SIP_OK)
		tx_rollback(st);
	return ret;
}

enum sip_rc
sip_mcast_members_add(struct sip_store *st, int64_t id,
    const char *const *macs, size_t n, struct sip_err *err)
{
	sqlite3_stmt *q = NULL, *a = NULL;
	char want[24];
	int64_t action_id;
	enum sip_rc ret;
	size_t i;
	int rc;

	snprintf(want, sizeof(want), "%" PRId64, id);
	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	for (i = 0; i < n; i++) {
		if ((rc = stmt_get(st, SQL_MEMBER_ACTION, &a)) != SQLITE_OK ||
		    (rc = bind_text(a, 1, macs[i])) != SQLITE_OK) {
			ret = db_err(st, rc, err, "read the action of %s",
			    macs[i]);
			goto out;
		}
		if ((rc = sqlite3_step(a)) != SQLITE_ROW) {
			ret = rc == SQLITE_DONE ? sip_errf(err, SIP_ENOTFOUND,
			    "session %" PRId64 ": %s has no active action", id,
			    macs[i]) : db_err(st, rc, err, "read the action of "
			    "%s", macs[i]);
			goto out;
		}
		if (strcmp(col_text(a, 1), "worker:restore") != 0 ||
		    strcmp(col_text(a, 2), want) != 0) {
			ret = sip_errf(err, SIP_EINVAL, "session %" PRId64
			    ": %s's active action is not its worker:restore",
			    id, macs[i]);
			goto out;
		}
		action_id = sqlite3_column_int64(a, 0);
		stmt_put(st, a);
		a = NULL;
		if ((rc = stmt_get(st, SQL_MEMBER_ADD, &q)) != SQLITE_OK ||
		    (rc = sqlite3_bind_int64(q, 1, id)) != SQLITE_OK ||
		    (rc = bind_text(q, 2, macs[i])) != SQLITE_OK ||
		    (rc = sqlite3_bind_int64(q, 3, action_id)) != SQLITE_OK ||
		    (rc = sqlite3_step(q)) != SQLITE_DONE) {
			ret = db_err(st, rc, err, "add %s to session %" PRId64,
			    macs[i], id);
			goto out;
		}
		stmt_put(st, q);
		q = NULL;
	}
	ret = tx_commit(st, err);
 out:
	stmt_put(st, a);
	stmt_put(st, q);
	if (ret != SIP_OK)
		tx_rollback(st);
	return ret;
}

enum sip_rc
sip_mcast_delete(struct sip_store *st, int64_t id, struct sip_err *err)
{
	enum sip_rc ret;

	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	if ((ret = exec_id(st, SQL_MEMBERS_DELETE, id, "delete the members "
	    "of session", err)) != SIP_OK || (ret = exec_id(st,
	    SQL_MCAST_DELETE, id, "delete session", err)) != SIP_OK ||
	    (ret = tx_commit(st, err)) != SIP_OK)
		tx_rollback(st);
	return ret;
}

void
sip_mcast_members_free(struct sip_mcast_member *m, size_t n)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < n; i++)
		free(m[i].message);
	free(m);
}

static enum sip_rc
members_read(struct sip_store *st, const struct sip_mcast *s,
    struct sip_mcast_member **out, size_t *nout, struct sip_err *err)
{
	sqlite3_stmt *q = NULL;
	struct sip_mcast_member *v = NULL, *m, *nv;
	enum sip_state as;
	size_t n = 0, cap = 0;
	enum sip_rc ret = SIP_OK;
	int rc, i;

	*out = NULL;
	*nout = 0;
	if ((rc = stmt_get(st, SQL_MEMBERS, &q)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(q, 1, s->id)) != SQLITE_OK)
		return db_err(st, rc, err, "read the members of session %"
		    PRId64, s->id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				ret = nomem(st, err);
				goto out;
			}
			v = nv;
		}
		m = &v[n];
		memset(m, 0, sizeof(*m));
		n++;
		col_copy(q, 0, m->mac, sizeof(m->mac));
		m->action_id = sqlite3_column_int64(q, 1);
		m->joined_at = sqlite3_column_int64(q, 2);
		m->dropped_at = sqlite3_column_int64(q, 3);
		m->num = sqlite3_column_int(q, 4);
		m->fallback_id = sqlite3_column_int64(q, 5);
		m->astate = SIP_ST__MAX;
		for (i = 0; i < SIP_ST__MAX; i++) {
			as = (enum sip_state)i;
			if (sqlite3_column_type(q, 6) != SQLITE_NULL &&
			    strcmp(col_text(q, 6), sip_state_name(as)) == 0)
				m->astate = as;
		}
		m->progress = sqlite3_column_type(q, 7) == SQLITE_NULL ? -1 :
		    sqlite3_column_int(q, 7);
		if (sqlite3_column_type(q, 8) != SQLITE_NULL &&
		    col_strdup(q, 8, &m->message) == -1) {
			ret = nomem(st, err);
			goto out;
		}
		col_copy(q, 9, m->addr, sizeof(m->addr));
	}
	if (rc != SQLITE_DONE) {
		ret = db_err(st, rc, err, "read the members of session %"
		    PRId64, s->id);
		goto out;
	}
	for (i = 0; (size_t)i < n; i++)
		v[i].mstate = sip_mcast_member_state(s, &v[i]);
	*out = v;
	*nout = n;
	v = NULL;
 out:
	stmt_put(st, q);
	sip_mcast_members_free(v, n);
	return ret;
}

enum sip_rc
sip_mcast_get(struct sip_store *st, int64_t id, struct sip_mcast *s,
    struct sip_mcast_member **m, size_t *nm, struct sip_err *err)
{
	sqlite3_stmt *q = NULL;
	enum sip_rc ret = SIP_OK;
	int rc;

	if (m != NULL) {
		*m = NULL;
		*nm = 0;
	}
	if ((rc = stmt_get(st, SQL_MCAST_GET, &q)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(q, 1, id)) != SQLITE_OK)
		return db_err(st, rc, err, "read session %" PRId64, id);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW)
		mcast_row(q, s);
	else if (rc == SQLITE_DONE)
		ret = sip_errf(err, SIP_ENOTFOUND, "no multicast session %"
		    PRId64, id);
	else
		ret = db_err(st, rc, err, "read session %" PRId64, id);
	stmt_put(st, q);
	if (ret == SIP_OK && m != NULL)
		ret = members_read(st, s, m, nm, err);
	return ret;
}

enum sip_rc
sip_mcast_member_of(struct sip_store *st, const char *mac,
    struct sip_mcast *s, enum sip_member_state *ms, struct sip_err *err)
{
	struct sip_mcast_member *m = NULL;
	sqlite3_stmt *q = NULL;
	size_t nm = 0, i;
	int64_t id = 0;
	enum sip_rc ret = SIP_OK;
	int rc;

	if ((rc = stmt_get(st, SQL_MEMBER_OF, &q)) != SQLITE_OK ||
	    (rc = bind_text(q, 1, mac)) != SQLITE_OK)
		return db_err(st, rc, err, "read the session of %s", mac);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW)
		id = sqlite3_column_int64(q, 0);
	else if (rc == SQLITE_DONE)
		ret = SIP_ENOTFOUND;
	else
		ret = db_err(st, rc, err, "read the session of %s", mac);
	stmt_put(st, q);
	if (ret != SIP_OK || (ret = sip_mcast_get(st, id, s, &m, &nm, err)) !=
	    SIP_OK)
		return ret;
	ret = SIP_ENOTFOUND;
	for (i = 0; i < nm; i++)
		if (strcmp(m[i].mac, mac) == 0) {
			*ms = m[i].mstate;
			ret = SIP_OK;
		}
	sip_mcast_members_free(m, nm);
	return ret;
}

enum sip_rc
sip_mcast_list(struct sip_store *st, int open_only, struct sip_mcast **out,
    size_t *nout, struct sip_err *err)
{
	sqlite3_stmt *q = NULL;
	struct sip_mcast *v = NULL, *nv;
	size_t n = 0, cap = 0;
	enum sip_rc ret = SIP_OK;
	int rc;

	*out = NULL;
	*nout = 0;
	if ((rc = stmt_get(st, open_only ? SQL_MCAST_LIST_OPEN :
	    SQL_MCAST_LIST, &q)) != SQLITE_OK)
		return db_err(st, rc, err, "read the multicast sessions");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				ret = nomem(st, err);
				goto out;
			}
			v = nv;
		}
		mcast_row(q, &v[n++]);
	}
	if (rc != SQLITE_DONE) {
		ret = db_err(st, rc, err, "read the multicast sessions");
		goto out;
	}
	*out = v;
	*nout = n;
	v = NULL;
 out:
	stmt_put(st, q);
	free(v);
	return ret;
}

static enum sip_rc
mcast_save(struct sip_store *st, const struct sip_mcast *s,
    struct sip_err *err)
{
	sqlite3_stmt *q = NULL;
	enum sip_rc ret = SIP_OK;
	int rc;

	if ((rc = stmt_get(st, SQL_MCAST_SAVE, &q)) != SQLITE_OK ||
	    (rc = bind_text(q, 1, sip_mcast_state_name(s->state))) !=
	    SQLITE_OK ||
	    (rc = bind_text(q, 2, s->reason)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(q, 3, s->started_at)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(q, 4, s->ended_at)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(q, 5, s->runner_pid)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(q, 6, s->id)) != SQLITE_OK ||
	    (rc = sqlite3_step(q)) != SQLITE_DONE)
		ret = db_err(st, rc, err, "save session %" PRId64, s->id);
	stmt_put(st, q);
	return ret;
}

/*
 * The step, and with, if not NULL, what must change with it: with(st,
 * the session as it becomes, now, err) runs in the same transaction, and
 * only when the state does change.
 */
static enum sip_rc
step_with(struct sip_store *st, struct sip_mcast *s, enum sip_mcast_event ev,
    size_t verified, size_t total, const char *reason, const char *who,
    time_t now, enum sip_rc (*with)(struct sip_store *,
    const struct sip_mcast *, time_t, struct sip_err *), struct sip_err *err)
{
	struct sip_mcast cur;
	struct sip_mcast_member *m = NULL;
	enum sip_mcast_state to;
	char detail[SIP_ERR_MAX + 96];
	size_t nm = 0, i;
	enum sip_rc ret;

	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	/* The row, not the caller's copy, says where the session is. */
	if ((ret = sip_mcast_get(st, s->id, &cur, &m, &nm, err)) != SIP_OK)
		goto out;
	cur.runner_pid = s->runner_pid;
	to = sip_mcast_next(cur.state, ev, verified, total);
	if (to == cur.state) {
		*s = cur;
		ret = tx_commit(st, err);
		goto out;
	}
	snprintf(detail, sizeof(detail), "session %" PRId64 ": %s -> %s (%s)%s"
	    "%s", s->id, sip_mcast_state_name(cur.state),
	    sip_mcast_state_name(to), sip_mcast_event_name(ev),
	    reason != NULL && *reason != '\0' ? ": " : "",
	    reason != NULL ? reason : "");
	if (ev == SIP_MCE_START)
		cur.started_at = now;
	if (sip_mcast_final(to)) {
		if (cur.ended_at == 0)
			cur.ended_at = now;
		cur.runner_pid = 0;
	}
	if (reason != NULL)
		snprintf(cur.reason, sizeof(cur.reason), "%s", reason);
	cur.state = to;
	if ((ret = mcast_save(st, &cur, err)) != SIP_OK ||
	    (with != NULL && (ret = with(st, &cur, now, err)) != SIP_OK))
		goto out;
	for (i = 0; i < nm; i++)
		if ((ret = history_of_mac(st, m[i].mac, "session", who, detail,
		    now, err)) != SIP_OK)
			goto out;
	if ((ret = tx_commit(st, err)) == SIP_OK)
		*s = cur;
 out:
	sip_mcast_members_free(m, nm);
	if (ret != SIP_OK)
		tx_rollback(st);
	return ret;
}

enum sip_rc
sip_mcast_step(struct sip_store *st, struct sip_mcast *s,
    enum sip_mcast_event ev, size_t verified, size_t total,
    const char *reason, const char *who, time_t now, struct sip_err *err)
{
	return step_with(st, s, ev, verified, total, reason, who, now, NULL,
	    err);
}

/* Cancel the active actions of the members that can still be waiting. */
static enum sip_rc
members_cancel(struct sip_store *st, const struct sip_mcast_member *m,
    size_t nm, int all, const char *who, time_t now, struct sip_err *err)
{
	const char **macs;
	size_t i, k = 0;
	enum sip_rc ret;

	if (nm == 0)
		return SIP_OK;
	if ((macs = calloc(nm, sizeof(*macs))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "cancel the members");
	for (i = 0; i < nm; i++)
		if (m[i].astate != SIP_ST__MAX && sip_state_active(m[i].astate) &&
		    m[i].fallback_id == 0 && (all || m[i].mstate ==
		    SIP_MB_MISSED))
			macs[k++] = m[i].mac;
	ret = sip_store_cancel(st, macs, k, who, now, NULL, err);
	free(macs);
	return ret;
}

/* clone --from: the master's save, if it is still the session's and active, goes with it. */
static enum sip_rc
master_cancel(struct sip_store *st, const struct sip_mcast *s, const char *who,
    time_t now, struct sip_err *err)
{
	struct sip_action *act = NULL;
	const char *mac = s->source_mac;
	enum sip_rc ret;

	if (s->source_action == 0)
		return SIP_OK;
	ret = sip_store_active_action(st, mac, &act, err);
	if (ret == SIP_ENOTFOUND) {
		err->msg[0] = '\0';
		return SIP_OK;
	}
	if (ret == SIP_OK && act->id == s->source_action)
		ret = sip_store_cancel(st, &mac, 1, who, now, NULL, err);
	sip_action_free(act);
	return ret;
}

enum sip_rc
sip_mcast_cancel(struct sip_store *st, int64_t id, const char *who,
    time_t now, long *pid, struct sip_err *err)
{
	struct sip_mcast s;
	struct sip_mcast_member *m = NULL;
	size_t nm = 0;
	enum sip_rc ret;

	*pid = 0;
	if ((ret = sip_mcast_get(st, id, &s, &m, &nm, err)) != SIP_OK)
		return ret;
	if (sip_mcast_final(s.state)) {
		ret = sip_errf(err, SIP_EDENIED, "session %" PRId64 " is "
		    "already %s", id, sip_mcast_state_name(s.state));
		goto out;
	}
	*pid = s.runner_pid;
	if ((ret = sip_mcast_step(st, &s, SIP_MCE_CANCEL, 0, 0, "cancelled",
	    who, now, err)) != SIP_OK)
		goto out;
	if ((ret = members_cancel(st, m, nm, 1, who, now, err)) == SIP_OK)
		ret = master_cancel(st, &s, who, now, err);
 out:
	sip_mcast_members_free(m, nm);
	return ret;
}

enum sip_rc
sip_mcast_cancel_stop(const struct sip_config *cfg, struct sip_store *st,
    int64_t id, const char *who, time_t now, struct sip_err *err)
{
	enum sip_rc ret;
	long pid;

	if ((ret = sip_mcast_cancel(st, id, who, now, &pid, err)) != SIP_OK)
		return ret;
	/* Its lock held: the pid is the runner's, not a reused one. */
	if (pid > 0 && sip_mcast_runner_alive(cfg, id))
		(void)kill((pid_t)pid, SIGTERM);
	return SIP_OK;
}

/* ------------------------------------------------------------ sysprep */

/*
 * A held action (the master's save, the members' restores) starts now,
 * its expiry moved as much: ?2 is now, and the statement ends with which
 * actions, of ?1.
 */
#define SQL_HELD_START \
	"UPDATE actions SET expires_at = expires_at - (start_at - ?2), " \
	"start_at = ?2, updated_at = ?2 WHERE state = 'scheduled' AND " \
	"start_at > ?2 AND "

/* The master's save, held while it prepares, starts now. */
static enum sip_rc
save_release(struct sip_store *st, const struct sip_mcast *s, time_t now,
    struct sip_err *err)
{
	sqlite3_stmt *q = NULL;
	enum sip_rc ret = SIP_OK;
	int rc;

	if ((rc = stmt_get(st, SQL_HELD_START "id = ?1", &q)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(q, 1, s->source_action)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(q, 2, (sqlite3_int64)now)) != SQLITE_OK ||
	    (rc = sqlite3_step(q)) != SQLITE_DONE)
		ret = db_err(st, rc, err, "start the save of session %" PRId64,
		    s->id);
	stmt_put(st, q);
	return ret;
}

enum sip_rc
sip_mcast_prep_end(struct sip_store *st, struct sip_mcast *s, int prepared,
    const char *why, const char *who, time_t now, struct sip_err *err)
{
	struct sip_mcast_member *m = NULL;
	size_t nm = 0;
	enum sip_rc ret;

	/*
	 * Only the step that moves the session acts on it; the save starts
	 * in the same transaction as preparing -> saving, so that no crash
	 * leaves one without the other.
	 */
	if (prepared)
		return step_with(st, s, SIP_MCE_PREPARED, 0, 0, why, who, now,
		    save_release, err);
	if ((ret = sip_mcast_step(st, s, SIP_MCE_PREP_FAILED, 0, 0, why, who,
	    now, err)) != SIP_OK)
		return ret;
	if (s->state != SIP_MC_FAILED)
		return SIP_OK;
	if ((ret = sip_mcast_get(st, s->id, s, &m, &nm, err)) == SIP_OK &&
	    (ret = members_cancel(st, m, nm, 1, who, now, err)) == SIP_OK)
		ret = master_cancel(st, s, who, now, err);
	sip_mcast_members_free(m, nm);
	return ret;
}

enum sip_rc
sip_mcast_prep_report(struct sip_store *st, const char *addr,
    const char *token, enum sip_event ev, const char *msg, time_t now,
    struct sip_err *err)
{
	struct sip_mcast *v = NULL;
	char why[SIP_ERR_MAX];
	size_t n = 0, i;
	enum sip_rc ret;

	if (token == NULL || sip_token_check(token) != SIP_OK)
		return sip_errf(err, SIP_ENOTFOUND, "not a prep token");
	if ((ret = sip_mcast_list(st, 1, &v, &n, err)) != SIP_OK)
		return ret;
	for (i = 0; i < n; i++)
		if (v[i].state == SIP_MC_PREPARING && strlen(v[i].prep_token) ==
		    strlen(token) && sip_token_equal(v[i].prep_token, token))
			break;
	if (i == n) {
		ret = sip_errf(err, SIP_ENOTFOUND, "not a prep token");
		goto out;
	}
	/* The script's token was pushed to that address alone. */
	if (addr == NULL || strcmp(addr, v[i].prep_addr) != 0) {
		ret = sip_errf(err, SIP_EDENIED, "session %" PRId64 ": sysprep "
		    "report from %.46s, not from its master's %s", v[i].id,
		    addr != NULL ? addr : "?", v[i].prep_addr);
		goto out;
	}
	if (ev == SIP_EV_DONE) {
		snprintf(why, sizeof(why), "%s prepared by sysprep: it reboots "
		    "to be saved as %.64s", v[i].source_mac, v[i].image);
		ret = sip_mcast_prep_end(st, &v[i], 1, why, "client", now, err);
	} else if (ev == SIP_EV_FAILED) {
		snprintf(why, sizeof(why), "sysprep on %s failed: %.160s",
		    v[i].source_mac, msg != NULL && *msg != '\0' ? msg :
		    "no reason given");
		ret = sip_mcast_prep_end(st, &v[i], 0, why, "client", now, err);
	} else if (ev != SIP_EV_RUNNING)
		ret = sip_errf(err, SIP_EINVAL, "session %" PRId64 ": a "
		    "sysprep report is running, done or failed", v[i].id);
 out:
	free(v);
	return ret;
}

/* ------------------------------------------------------------ fallback */

static struct sip_kv *
options_unicast(const struct sip_action *act, size_t *n)
{
	struct sip_kv *o;
	size_t i;

	if ((o = calloc(act->noptions + 1, sizeof(*o))) == NULL)
		return NULL;
	static char zero[] = "0";

	for (i = 0; i < act->noptions; i++) {
		o[i].key = act->options[i].key;
		o[i].value = strcmp(act->options[i].key, "session") == 0 ?
		    zero : act->options[i].value;
	}
	*n = act->noptions;
	return o;
}

static enum sip_rc
member_fallback(struct sip_store *st, const struct sip_mcast *s,
    const struct sip_mcast_member *m, const char *who, time_t now,
    struct sip_err *err)
{
	struct sip_action *act = NULL;
	struct sip_new_action na;
	struct sip_kv *opts = NULL;
	sqlite3_stmt *q = NULL;
	char idbuf[24];
	int64_t nid = 0;
	size_t nopts = 0;
	enum sip_rc ret;
	int rc;

	snprintf(idbuf, sizeof(idbuf), "%" PRId64, m->action_id);
	if ((ret = action_query1(st, SQL_ACTION_BY_ID, idbuf, 1, &act,
	    err)) != SIP_OK)
		return ret;
	if (act == NULL)
		return sip_errf(err, SIP_ENOTFOUND, "session %" PRId64 ": the "
		    "action of %s is gone", s->id, m->mac);
	if ((opts = options_unicast(act, &nopts)) == NULL) {
		ret = sip_errf(err, SIP_ENOMEM, "fallback of %s", m->mac);
		goto out;
	}
	memset(&na, 0, sizeof(na));
	na.mac = m->mac;
	na.name = act->name;
	na.completion = act->completion;
	na.max_boots = act->max_boots;
	na.start_at = 0;
	/* As long as the multicast one was given, from now. */
	na.expires_at = (int64_t)now + (act->expires_at - act->start_at >
	    0 ? act->expires_at - act->start_at : 86400);
	na.who = who;
	na.options = opts;
	na.noptions = nopts;
	na.bind_identity = act->bind_identity;
	na.uuid = act->bound_uuid[0] != '\0' ? act->bound_uuid : NULL;
	na.serial = act->bound_serial[0] != '\0' ? act->bound_serial : NULL;
	na.host = act->host[0] != '\0' ? act->host : NULL;
	if ((ret = sip_store_set_actions(st, &na, 1, now, &nid, err)) !=
	    SIP_OK)
		goto out;
	if ((rc = stmt_get(st, SQL_MEMBER_FALLBACK, &q)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(q, 1, nid)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(q, 2, s->id)) != SQLITE_OK ||
	    (rc = bind_text(q, 3, m->mac)) != SQLITE_OK ||
	    (rc = sqlite3_step(q)) != SQLITE_DONE)
		ret = db_err(st, rc, err, "record the fallback of %s", m->mac);
 out:
	stmt_put(st, q);
	free(opts);
	sip_action_free(act);
	return ret;
}

enum sip_rc
sip_mcast_fallback(const struct sip_config *cfg, struct sip_store *st,
    int64_t id, const char *const *macs, size_t n, const char *who,
    time_t now, size_t *nset, struct sip_err *err)
{
	struct sip_mcast s;
	struct sip_mcast_member *m = NULL;
	size_t nm = 0, i, j;
	enum sip_rc ret;
	int named;

	(void)cfg;
	*nset = 0;
	if ((ret = sip_mcast_get(st, id, &s, &m, &nm, err)) != SIP_OK)
		return ret;
	for (j = 0; j < n; j++) {
		for (i = 0; i < nm; i++)
			if (strcmp(m[i].mac, macs[j]) == 0)
				break;
		if (i == nm) {
			ret = sip_errf(err, SIP_ENOTFOUND, "%s is not a member "
			    "of session %" PRId64, macs[j], id);
			goto out;
		}
	}
	for (i = 0; i < nm; i++) {
		for (named = n == 0, j = 0; j < n && !named; j++)
			named = strcmp(m[i].mac, macs[j]) == 0;
		if (!named || sip_member_ok(m[i].mstate) ||
		    m[i].mstate == SIP_MB_FALLBACK)
			continue;
		/* One still on its way is left alone unless named. */
		if (n == 0 && member_open(&s, &m[i]))
			continue;
		if ((ret = member_fallback(st, &s, &m[i], who, now, err)) !=
		    SIP_OK)
			goto out;
		(*nset)++;
	}
 out:
	sip_mcast_members_free(m, nm);
	return ret;
}

/* ------------------------------------------------------------ the stream */

void
sip_mcast_header(char out[SIP_MCAST_HEADER], int64_t id, int k,
    const char *name, int64_t bytes, const char *sha)
{
	memset(out, 0, SIP_MCAST_HEADER);
	if (k == 0)
		snprintf(out, SIP_MCAST_HEADER, "se3-ipxe-mcast 1 %" PRId64
		    " 0 end 0 -\n", id);
	else
		snprintf(out, SIP_MCAST_HEADER, "se3-ipxe-mcast 1 %" PRId64
		    " %d %s %" PRId64 " %s\n", id, k, name, bytes, sha);
}

enum sip_rc
sip_mcast_preflight(const char *ifname, struct sip_err *err)
{
	struct ifaddrs *ifa = NULL, *p;
	unsigned flags = 0;
	int found = 0, inet = 0;

	if (getifaddrs(&ifa) == -1)
		return sip_errf(err, SIP_EIO, "multicast: cannot list the "
		    "interfaces: %s", strerror(errno));
	for (p = ifa; p != NULL; p = p->ifa_next) {
		if (p->ifa_name == NULL || strcmp(p->ifa_name, ifname) != 0)
			continue;
		found = 1;
		flags = p->ifa_flags;
		if (p->ifa_addr != NULL && p->ifa_addr->sa_family == AF_INET)
			inet = 1;
	}
	freeifaddrs(ifa);
	if (!found)
		return sip_errf(err, SIP_EINVAL, "multicast: no interface "
		    "%s on this server", ifname);
	if (flags & IFF_LOOPBACK)
		return sip_errf(err, SIP_EINVAL, "multicast: %s is the "
		    "loopback: no machine is there", ifname);
	if (!(flags & IFF_UP))
		return sip_errf(err, SIP_EINVAL, "multicast: %s is down",
		    ifname);
	if (!(flags & IFF_RUNNING))
		return sip_errf(err, SIP_EINVAL, "multicast: %s has no "
		    "carrier (cable, switch port)", ifname);
	if (!(flags & IFF_MULTICAST))
		return sip_errf(err, SIP_EINVAL, "multicast: %s cannot "
		    "multicast (no MULTICAST flag)", ifname);
	if (!inet)
		return sip_errf(err, SIP_EINVAL, "multicast: %s has no IPv4 "
		    "address: udpcast needs one", ifname);
	return SIP_OK;
}

/* mcast-ID.SUFFIX beside the database. */
static void
runner_path(const struct sip_config *cfg, int64_t id, const char *suffix,
    char *dst, size_t sz)
{
	const char *slash = strrchr(cfg->db_path, '/');
	int dirlen = slash == NULL ? 1 : (int)(slash - cfg->db_path);

	snprintf(dst, sz, "%.*s/mcast-%" PRId64 ".%s", dirlen,
	    slash == NULL ? "." : cfg->db_path, id, suffix);
}

void
sip_mcast_lock_path(const struct sip_config *cfg, int64_t id, char *dst,
    size_t sz)
{
	runner_path(cfg, id, "lock", dst, sz);
}

void
sip_mcast_log_path(const struct sip_config *cfg, int64_t id, char *dst,
    size_t sz)
{
	runner_path(cfg, id, "log", dst, sz);
}

int
sip_mcast_runner_lock(const struct sip_config *cfg, int64_t id, int *keep)
{
	char path[4096];
	int fd, held, e;

	if (keep != NULL)
		*keep = -1;
	sip_mcast_lock_path(cfg, id, path, sizeof(path));
	if ((fd = open(path, keep != NULL ? O_RDWR | O_CREAT | O_CLOEXEC :
	    O_RDONLY | O_CLOEXEC, 0600)) == -1)
		return -1;
	/* A probe shares the lock: two probes never see each other. */
	if (flock(fd, (keep != NULL ? LOCK_EX : LOCK_SH) | LOCK_NB) == -1)
		held = errno == EWOULDBLOCK ? 1 : -1;
	else
		held = 0;
	if (held == 0 && keep != NULL)
		*keep = fd;
	else {
		e = errno;
		close(fd);
		errno = e;	/* the runner says why */
	}
	return held;
}

int
sip_mcast_runner_alive(const struct sip_config *cfg, int64_t id)
{
	return sip_mcast_runner_lock(cfg, id, NULL) == 1;
}

/* ------------------------------------------------------------ the tick */

enum sip_rc
sip_mcast_purge(const struct sip_config *cfg, struct sip_store *st,
    int64_t before, size_t *n, struct sip_err *err)
{
	sqlite3_stmt *q = NULL;
	int64_t *ids = NULL, *nids;
	char path[4096];
	size_t nid = 0, cap = 0, i;
	enum sip_rc ret = SIP_OK;
	int rc;

	*n = 0;
	if ((rc = stmt_get(st, "SELECT id FROM mcast_sessions WHERE state "
	    "NOT IN " OPEN_STATES " AND (CASE WHEN ended_at > 0 THEN ended_at "
	    "ELSE created_at END) < ?1", &q)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(q, 1, before)) != SQLITE_OK)
		return db_err(st, rc, err, "read the old sessions");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (nid == cap) {
			cap = cap == 0 ? 16 : 2 * cap;
			if ((nids = reallocarray(ids, cap, sizeof(*ids))) ==
			    NULL) {
				ret = sip_errf(err, SIP_ENOMEM, "out of memory");
				goto out;
			}
			ids = nids;
		}
		ids[nid++] = sqlite3_column_int64(q, 0);
	}
	if (rc != SQLITE_DONE) {
		ret = db_err(st, rc, err, "read the old sessions");
		goto out;
	}
	stmt_put(st, q);
	q = NULL;
	for (i = 0; i < nid; i++) {
		if ((ret = sip_mcast_delete(st, ids[i], err)) != SIP_OK)
			goto out;
		/* Its runner's files. */
		sip_mcast_log_path(cfg, ids[i], path, sizeof(path));
		(void)unlink(path);
		sip_mcast_lock_path(cfg, ids[i], path, sizeof(path));
		(void)unlink(path);
		(*n)++;
	}
 out:
	stmt_put(st, q);
	free(ids);
	return ret;
}

enum sip_rc
sip_mcast_tick(const struct sip_config *cfg, struct sip_store *st,
    time_t now, size_t *nfailed, struct sip_err *err)
{
	struct sip_mcast *v = NULL;
	struct sip_mcast_member *m = NULL;
	size_t n = 0, nm = 0, i;
	enum sip_rc ret;
	int fd, prep;

	*nfailed = 0;
	if ((ret = sip_mcast_list(st, 1, &v, &n, err)) != SIP_OK)
		return ret;
	for (i = 0; i < n; i++) {
		/*
		 * A runner just spawned may not hold its lock yet; one that
		 * wrote its pid held it, and a free lock means it is gone.
		 */
		if (v[i].runner_pid == 0 && now - v[i].created_at < 60)
			continue;
		/* Kept while the session fails: no runner starts meanwhile. */
		if (sip_mcast_runner_lock(cfg, v[i].id, &fd) != 0)
			continue;
		ret = sip_mcast_get(st, v[i].id, &v[i], &m, &nm, err);
		prep = v[i].state == SIP_MC_PREPARING;
		if (ret == SIP_OK && !sip_mcast_final(v[i].state)) {
			ret = sip_mcast_step(st, &v[i], SIP_MCE_RUNNER_GONE, 0,
			    0, "its runner is gone (the server restarted, or "
			    "it was killed): the stream is not sent", "cleanup",
			    now, err);
			if (ret == SIP_OK)
				ret = members_cancel(st, m, nm, 1, "cleanup",
				    now, err);
			/* A save held for a sysprep nobody awaits would start alone. */
			if (ret == SIP_OK && prep)
				ret = master_cancel(st, &v[i], "cleanup", now,
				    err);
			if (ret == SIP_OK)
				(*nfailed)++;
		}
		sip_mcast_members_free(m, nm);
		m = NULL;
		nm = 0;
		close(fd);
		if (ret != SIP_OK)
			break;
	}
	free(v);
	return ret;
}

/* ------------------------------------------------------------ the runner */

/* One stored part the stream carries. */
struct stream_part {
	char	 name[SIP_IMAGE_NAME_MAX];
	char	 sha[SIP_SHA256_HEX + 1];
	int64_t	 bytes;
};

static volatile sig_atomic_t runner_stop;

static void
on_stop(int sig)
{
	(void)sig;
	runner_stop = 1;
}

static int
write_full(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, c, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * The writer child: every part behind its header, then the trailer, into
 * fd; a part whose file is not the size the catalogue says ends the stream
 * short (the receivers fail on it, never restore something else).
 */
static void
stream_write(const struct sip_config *cfg, int64_t id,
    const struct stream_part *p, size_t n, int fd)
{
	char hdr[SIP_MCAST_HEADER], path[4096];
	static char buf[1 << 20];
	int64_t left;
	ssize_t r;
	size_t i;
	int in;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", cfg->images_dir,
		    p[i].name);
		if ((in = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			_exit(3);
		sip_mcast_header(hdr, id, (int)i + 1, p[i].name, p[i].bytes,
		    p[i].sha);
		if (write_full(fd, hdr, sizeof(hdr)) == -1)
			_exit(4);
		for (left = p[i].bytes; left > 0; left -= r) {
			r = read(in, buf, left < (int64_t)sizeof(buf) ?
			    (size_t)left : sizeof(buf));
			if (r == -1 && errno == EINTR) {
				r = 0;
				continue;
			}
			if (r <= 0)
				_exit(5);
			if (write_full(fd, buf, (size_t)r) == -1)
				_exit(4);
		}
		close(in);
	}
	sip_mcast_header(hdr, id, 0, NULL, 0, NULL);
	_exit(write_full(fd, hdr, sizeof(hdr)) == -1 ? 4 : 0);
}

/* The parts of the session's image, in manifest order, with their sizes. */
static enum sip_rc
stream_parts(const struct sip_config *cfg, struct sip_store *st,
    const char *image, struct stream_part **out, size_t *nout,
    struct sip_err *err)
{
	struct sip_manifest *man = NULL;
	struct stream_part *p = NULL;
	struct stat sb;
	char path[4096];
	size_t i, n = 0;
	enum sip_rc ret;

	if ((ret = sip_catalogue_manifest(cfg, st, image, &man, err)) !=
	    SIP_OK)
		return ret;
	if ((p = calloc(man->nparts + 1, sizeof(*p))) == NULL) {
		ret = sip_errf(err, SIP_ENOMEM, "image %s", image);
		goto out;
	}
	for (i = 0; i < man->nparts; i++) {
		if (man->parts[i].stored[0] == '\0')	/* a swap */
			continue;
		snprintf(path, sizeof(path), "%s/%s", cfg->images_dir,
		    man->parts[i].stored);
		if (stat(path, &sb) == -1 || !S_ISREG(sb.st_mode)) {
			ret = sip_errf(err, SIP_EIO, "image %s: part %s: %s",
			    image, man->parts[i].stored, strerror(errno));
			goto out;
		}
		snprintf(p[n].name, sizeof(p[n].name), "%s",
		    man->parts[i].stored);
		snprintf(p[n].sha, sizeof(p[n].sha), "%s",
		    man->parts[i].sha256);
		p[n].bytes = (int64_t)sb.st_size;
		n++;
	}
	if (n == 0) {
		ret = sip_errf(err, SIP_EINVAL, "image %s stores no partition",
		    image);
		goto out;
	}
	*out = p;
	*nout = n;
	p = NULL;
 out:
	free(p);
	free(man);
	return ret;
}

/* Start udp-sender on the session, stdin from *in, its log on *log. */
static enum sip_rc
sender_start(const struct sip_mcast *s, const char *sender, size_t nmembers,
    pid_t *pid, int *in, int *log, struct sip_err *err)
{
	/* execvp wants writable words: the arguments are copied here. */
	char words[20][64], *argv[21];
	int pin[2], pout[2], k = 0, i, devnull;

#define WORD(...) snprintf(words[k], sizeof(words[k]), __VA_ARGS__), k++
	WORD("%s", sender);
	WORD("--nokbd");
	if (s->interface[0] != '\0') {
		WORD("--interface");
		WORD("%s", s->interface);
	}
	WORD("--portbase");
	WORD("%d", s->port);
	WORD("--min-receivers");
	WORD("%d", s->min_receivers > 0 ? s->min_receivers : (int)nmembers);
	WORD("--max-wait");
	WORD("%d", s->max_wait);
	/*
	 * udp-sender gives up at its start timeout even with receivers there
	 * but fewer than min: one that joins just in time still gets max-wait.
	 */
	WORD("--start-timeout");
	WORD("%d", s->start_timeout + s->max_wait);
	/* A dead receiver costs the others ~11 s, not minutes (t/69). */
	WORD("--retries-until-drop");
	WORD("20");
	WORD("--rexmit-hello-interval");
	WORD("500");
#undef WORD
	for (i = 0; i < k; i++)
		argv[i] = words[i];
	argv[k] = NULL;
	if (pipe2(pin, O_CLOEXEC) == -1)
		return sip_errf(err, SIP_EIO, "pipe: %s", strerror(errno));
	if (pipe2(pout, O_CLOEXEC) == -1) {
		close(pin[0]);
		close(pin[1]);
		return sip_errf(err, SIP_EIO, "pipe: %s", strerror(errno));
	}
	if ((*pid = fork()) == -1) {
		close(pin[0]);
		close(pin[1]);
		close(pout[0]);
		close(pout[1]);
		return sip_errf(err, SIP_EIO, "fork: %s", strerror(errno));
	}
	if (*pid == 0) {
		/* It dies with its runner: no stream without a judge. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		devnull = open("/dev/null", O_RDONLY);
		if (dup2(pin[0], 0) == -1 || dup2(pout[1], 1) == -1 ||
		    dup2(pout[1], 2) == -1)
			_exit(126);
		if (devnull != -1)
			close(devnull);
		execvp(sender, argv);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	*in = pin[1];
	*log = pout[0];
	return SIP_OK;
}

/* What the runner learnt from udp-sender's log. */
struct sender_seen {
	int	 started, complete;
	char	 last[256];		/* its last line, for a failure */
};

static void
member_joined(struct sip_store *st, const struct sip_mcast *s,
    const char *addr, int num, time_t now)
{
	struct sip_mcast_member *m = NULL;
	sqlite3_stmt *q = NULL;
	size_t nm = 0, i;

	if (members_read(st, s, &m, &nm, NULL) != SIP_OK)
		return;
	for (i = 0; i < nm; i++)
		if (m[i].addr[0] != '\0' && strcmp(m[i].addr, addr) == 0)
			break;
	if (i < nm && stmt_get(st, SQL_MEMBER_JOINED, &q) == SQLITE_OK &&
	    sqlite3_bind_int64(q, 1, (sqlite3_int64)now) == SQLITE_OK &&
	    sqlite3_bind_int(q, 2, num) == SQLITE_OK &&
	    sqlite3_bind_int64(q, 3, s->id) == SQLITE_OK &&
	    bind_text(q, 4, m[i].mac) == SQLITE_OK)
		(void)sqlite3_step(q);
	stmt_put(st, q);
	sip_mcast_members_free(m, nm);
}

static void
member_dropped(struct sip_store *st, const struct sip_mcast *s, int num,
    time_t now)
{
	sqlite3_stmt *q = NULL;

	if (stmt_get(st, SQL_MEMBER_DROPPED, &q) == SQLITE_OK &&
	    sqlite3_bind_int64(q, 1, (sqlite3_int64)now) == SQLITE_OK &&
	    sqlite3_bind_int64(q, 2, s->id) == SQLITE_OK &&
	    sqlite3_bind_int(q, 3, num) == SQLITE_OK)
		(void)sqlite3_step(q);
	stmt_put(st, q);
}

/* One line of udp-sender's log (untrusted only in that it is parsed). */
static void
sender_line(struct sip_store *st, struct sip_mcast *s, const char *line,
    struct sender_seen *seen, time_t now)
{
	char addr[SIP_ADDR_STRLEN];
	const char *p;
	int num;

	if (*line == '\0')
		return;
	snprintf(seen->last, sizeof(seen->last), "%s", line);
	if (sscanf(line, "New connection from %45s (#%d)", addr, &num) == 2 &&
	    num >= 0)
		member_joined(st, s, addr, num, now);
	else if (sscanf(line, "Dropping client #%d", &num) == 1 && num >= 0)
		member_dropped(st, s, num, now);
	else if (strncmp(line, "Starting transfer", 17) == 0 &&
	    !seen->started) {
		seen->started = 1;
		(void)sip_mcast_step(st, s, SIP_MCE_START, 0, 0, NULL,
		    "cleanup", now, NULL);
	} else if ((p = strstr(line, "Transfer complete")) != NULL)
		seen->complete = 1;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR && !runner_stop)
		;
}

/* Whether the admin cancelled the session meanwhile. */
static int
cancelled(struct sip_store *st, struct sip_mcast *s)
{
	struct sip_mcast cur;

	if (sip_mcast_get(st, s->id, &cur, NULL, NULL, NULL) != SIP_OK)
		return 0;
	return cur.state == SIP_MC_CANCELLED;
}

/* Send the stream: returns once udp-sender has ended (or was stopped). */
static enum sip_rc
runner_send(const struct sip_config *cfg, struct sip_store *st,
    struct sip_mcast *s, const char *sender, size_t nmembers,
    struct sender_seen *seen, int *status, struct sip_err *err)
{
	struct stream_part *parts = NULL;
	struct pollfd pfd;
	char buf[4096], line[1024];
	size_t nparts = 0, ll = 0;
	pid_t spid = -1, wpid = -1;
	time_t lastcheck = 0, now;
	enum sip_rc ret;
	ssize_t r;
	int in = -1, log = -1, i, st_status;

	*status = -1;
	if ((ret = stream_parts(cfg, st, s->image, &parts, &nparts, err)) !=
	    SIP_OK)
		return ret;
	if ((ret = sender_start(s, sender, nmembers, &spid, &in, &log, err)) !=
	    SIP_OK)
		goto out;
	if ((wpid = fork()) == -1) {
		ret = sip_errf(err, SIP_EIO, "fork: %s", strerror(errno));
		goto out;
	}
	if (wpid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGPIPE, SIG_DFL);
		stream_write(cfg, s->id, parts, nparts, in);
	}
	close(in);
	in = -1;
	pfd.fd = log;
	pfd.events = POLLIN;
	for (;;) {
		if (runner_stop)
			break;
		now = time(NULL);
		if (now - lastcheck >= 2) {
			lastcheck = now;
			if (cancelled(st, s))
				break;
		}
		if ((i = poll(&pfd, 1, 1000)) == -1 && errno != EINTR)
			break;
		if (i <= 0)
			continue;
		if ((r = read(log, buf, sizeof(buf))) == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;	/* udp-sender is gone */
		for (i = 0; i < r; i++) {
			if (buf[i] == '\n' || buf[i] == '\r') {
				line[ll] = '\0';
				sender_line(st, s, line, seen, time(NULL));
				ll = 0;
			} else if (ll < sizeof(line) - 1)
				line[ll++] = buf[i];
		}
	}
	if (ll > 0) {
		line[ll] = '\0';
		sender_line(st, s, line, seen, time(NULL));
	}
 out:
	if (spid > 0) {
		if (runner_stop || cancelled(st, s))
			kill(spid, SIGTERM);
		if (waitpid(spid, &st_status, 0) == spid)
			*status = WIFEXITED(st_status) ?
			    WEXITSTATUS(st_status) : 128 + WTERMSIG(st_status);
	}
	if (wpid > 0) {
		kill(wpid, SIGKILL);
		(void)waitpid(wpid, NULL, 0);
	}
	if (in != -1)
		close(in);
	if (log != -1)
		close(log);
	free(parts);
	return ret;
}

/* A failed session's members wait for nothing: their actions are cancelled. */
static enum sip_rc
members_stop(struct sip_store *st, struct sip_mcast *s)
{
	struct sip_mcast_member *m = NULL;
	size_t nm = 0;
	enum sip_rc ret;

	if ((ret = sip_mcast_get(st, s->id, s, &m, &nm, NULL)) == SIP_OK)
		ret = members_cancel(st, m, nm, 1, "cleanup", time(NULL), NULL);
	sip_mcast_members_free(m, nm);
	return ret;
}

/*
 * clone --from: the members' actions wait, scheduled, for the master's
 * save.  Once it is done and its image whole, they start now (their
 * expiry moved as much) and so do their wake and reboot jobs: inside
 * the saving -> forming step's transaction (step_with), never one
 * without the other.
 */
static enum sip_rc
members_release(struct sip_store *st, const struct sip_mcast *s, time_t now,
    struct sip_err *err)
{
	sqlite3_stmt *q = NULL;
	enum sip_rc ret = SIP_OK;
	int rc, k;
	static const char *const sql[] = {
		SQL_HELD_START "id IN (SELECT action_id FROM mcast_members "
		"WHERE session = ?1)",
		"UPDATE power_jobs SET due_at = ?2 WHERE action_id IN (SELECT "
		"action_id FROM mcast_members WHERE session = ?1) AND state = "
		"'pending' AND due_at > ?2",
	};

	for (k = 0; k < 2; k++) {
		if ((rc = stmt_get(st, sql[k], &q)) != SQLITE_OK ||
		    (rc = sqlite3_bind_int64(q, 1, s->id)) != SQLITE_OK ||
		    (rc = sqlite3_bind_int64(q, 2, (sqlite3_int64)now)) !=
		    SQLITE_OK || (rc = sqlite3_step(q)) != SQLITE_DONE) {
			ret = db_err(st, rc, err, "start the members of session "
			    "%" PRId64, s->id);
			break;
		}
		stmt_put(st, q);
		q = NULL;
	}
	stmt_put(st, q);
	return ret;
}

/*
 * clone --from: wait for the master's worker:save, as long as it lives
 * (its own boots and expiry bound it; the tick ends it).  Done with the
 * image whole: the members start, saving -> forming.  Failed, expired,
 * cancelled or gone: saving -> failed.
 */
static enum sip_rc
runner_await_master(const struct sip_config *cfg, struct sip_store *st,
    struct sip_mcast *s, struct sip_err *err)
{
	struct sip_action *act = NULL;
	struct sip_manifest *man = NULL;
	struct sip_err e2 = { "" };
	char idbuf[24], why[SIP_ERR_MAX];
	enum sip_rc ret;

	snprintf(idbuf, sizeof(idbuf), "%" PRId64, s->source_action);
	while (!runner_stop && !cancelled(st, s)) {
		if ((ret = action_query1(st, SQL_ACTION_BY_ID, idbuf, 1, &act,
		    err)) != SIP_OK)
			return ret;
		if (act == NULL) {
			snprintf(why, sizeof(why), "the save of %s (action %s) "
			    "is gone", s->source_mac, idbuf);
			return sip_mcast_step(st, s, SIP_MCE_SAVE_FAILED, 0, 0,
			    why, "cleanup", time(NULL), err);
		}
		if (act->state == SIP_ST_DONE) {
			sip_action_free(act);
			if (sip_catalogue_manifest(cfg, st, s->image, &man,
			    &e2) != SIP_OK) {
				snprintf(why, sizeof(why), "%s was saved, but "
				    "image %.64s is not whole: %.100s",
				    s->source_mac, s->image, e2.msg);
				return sip_mcast_step(st, s,
				    SIP_MCE_SAVE_FAILED, 0, 0, why, "cleanup",
				    time(NULL), err);
			}
			free(man);
			snprintf(why, sizeof(why), "%s saved as %.64s: the "
			    "machines boot to receive it", s->source_mac,
			    s->image);
			ret = step_with(st, s, SIP_MCE_SAVED, 0, 0, why,
			    "cleanup", time(NULL), members_release, err);
			s->start_at = (int64_t)time(NULL);
			return ret;
		}
		if (!sip_state_active(act->state)) {
			snprintf(why, sizeof(why), "the save of %s is %s: "
			    "%.120s", s->source_mac,
			    sip_state_name(act->state), act->message != NULL &&
			    act->message[0] != '\0' ? act->message : "-");
			sip_action_free(act);
			return sip_mcast_step(st, s, SIP_MCE_SAVE_FAILED, 0, 0,
			    why, "cleanup", time(NULL), err);
		}
		sip_action_free(act);
		act = NULL;
		sleep_ms(2000);
	}
	return SIP_OK;
}

/*
 * clone --sysprep: at the session's start, push and start the master's
 * script, then wait for its report (sip_mcast_prep_report moves the
 * session) until prep_until.  A push that fails, or no report in time:
 * preparing -> failed, its save and members cancelled.
 */
static enum sip_rc
runner_await_prep(const struct sip_config *cfg, struct sip_store *st,
    struct sip_mcast *s, struct sip_err *err)
{
	char why[SIP_ERR_MAX];
	enum sip_rc ret;

	while (time(NULL) < s->start_at && !runner_stop && !cancelled(st, s))
		sleep_ms(1000);
	if ((ret = sip_mcast_get(st, s->id, s, NULL, NULL, err)) != SIP_OK)
		return ret;
	if (runner_stop || s->state != SIP_MC_PREPARING)
		return SIP_OK;
	if ((ret = sip_sysprep_push(cfg, s, why, sizeof(why), err)) != SIP_OK)
		snprintf(why, sizeof(why), "sysprep: %.200s", err->msg);
	if (why[0] != '\0')
		return sip_mcast_prep_end(st, s, 0, why, "cleanup", time(NULL),
		    err);
	while (!runner_stop && !cancelled(st, s)) {
		if ((ret = sip_mcast_get(st, s->id, s, NULL, NULL, err)) !=
		    SIP_OK)
			return ret;
		if (s->state != SIP_MC_PREPARING)
			return SIP_OK;
		if (time(NULL) >= s->prep_until) {
			snprintf(why, sizeof(why), "no report from %s's "
			    "sysprep within %" PRId64 " s (script started "
			    "at %s)",
			    s->source_mac, s->prep_until - s->start_at,
			    s->prep_addr);
			return sip_mcast_prep_end(st, s, 0, why, "cleanup",
			    time(NULL), err);
		}
		sleep_ms(1000);
	}
	return SIP_OK;
}

static enum sip_rc
runner_pid_save(struct sip_store *st, const struct sip_mcast *s,
    struct sip_err *err)
{
	sqlite3_stmt *q = NULL;
	enum sip_rc ret = SIP_OK;
	int rc;

	if ((rc = stmt_get(st, "UPDATE mcast_sessions SET runner_pid = ?1 "
	    "WHERE id = ?2", &q)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(q, 1, s->runner_pid)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(q, 2, s->id)) != SQLITE_OK ||
	    (rc = sqlite3_step(q)) != SQLITE_DONE)
		ret = db_err(st, rc, err, "save session %" PRId64, s->id);
	stmt_put(st, q);
	return ret;
}

/* Wait for every member that can still end to end; the verdict's counts. */
static enum sip_rc
runner_judge(struct sip_store *st, struct sip_mcast *s, time_t deadline,
    size_t *ok, size_t *total, struct sip_err *err)
{
	struct sip_mcast_member *m = NULL;
	size_t nm = 0, i, open;
	enum sip_rc ret;

	for (;;) {
		sip_mcast_members_free(m, nm);
		m = NULL;
		nm = 0;
		if ((ret = sip_mcast_get(st, s->id, s, &m, &nm, err)) != SIP_OK)
			return ret;
		for (open = 0, *ok = 0, i = 0; i < nm; i++) {
			open += member_open(s, &m[i]);
			*ok += sip_member_ok(m[i].mstate);
		}
		*total = nm;
		if (open == 0 || time(NULL) >= deadline || runner_stop ||
		    s->state == SIP_MC_CANCELLED)
			break;
		sleep_ms(2000);
	}
	/* Those that missed the stream would wait for it in vain. */
	ret = members_cancel(st, m, nm, 0, "cleanup", time(NULL), err);
	sip_mcast_members_free(m, nm);
	return ret;
}

enum sip_rc
sip_mcast_run(const struct sip_config *cfg, int64_t id, const char *sender,
    struct sip_err *err)
{
	struct sip_store *st = NULL;
	struct sip_mcast s;
	struct sip_mcast_member *m = NULL;
	struct sender_seen seen;
	struct sigaction sa;
	char path[4096], why[SIP_ERR_MAX];
	size_t nm = 0, ok = 0, total = 0, nset = 0;
	time_t sent_at, deadline;
	enum sip_rc ret;
	int fd = -1, status = -1, held;

	memset(&seen, 0, sizeof(seen));
	sip_mcast_lock_path(cfg, id, path, sizeof(path));
	if ((held = sip_mcast_runner_lock(cfg, id, &fd)) == -1)
		return sip_errf(err, SIP_EIO, "%s: %s", path, strerror(errno));
	if (held == 1)
		return sip_errf(err, SIP_EBUSY, "session %" PRId64 ": another "
		    "runner holds %s", id, path);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	if ((ret = sip_store_open(cfg->db_path, SIP_STORE_RW_EXISTING,
	    cfg->busy_timeout_ms,
	    &st, err)) != SIP_OK) {
		st = NULL;
		goto out;
	}
	if ((ret = sip_mcast_get(st, id, &s, &m, &nm, err)) != SIP_OK)
		goto out;
	if (s.state != SIP_MC_FORMING && s.state != SIP_MC_SAVING &&
	    s.state != SIP_MC_PREPARING) {
		ret = sip_errf(err, SIP_EDENIED, "session %" PRId64 " is %s: "
		    "nothing to send", id, sip_mcast_state_name(s.state));
		goto out;
	}
	s.runner_pid = (long)getpid();
	/* Its pid alone: a cancel since the read above must stand. */
	if ((ret = runner_pid_save(st, &s, err)) != SIP_OK ||
	    (ret = sip_mcast_get(st, id, &s, NULL, NULL, err)) != SIP_OK)
		goto out;
	if (sip_mcast_final(s.state))
		goto out;
	if (s.state == SIP_MC_PREPARING) {
		if ((ret = runner_await_prep(cfg, st, &s, err)) != SIP_OK)
			goto out;
		if (runner_stop || cancelled(st, &s))
			goto stopped;
		if (s.state != SIP_MC_SAVING)
			goto out;	/* failed: its members are cancelled */
	}
	if (s.state == SIP_MC_SAVING) {
		if ((ret = runner_await_master(cfg, st, &s, err)) != SIP_OK)
			goto out;
		if (runner_stop || cancelled(st, &s))
			goto stopped;
		if (s.state != SIP_MC_FORMING) {
			(void)members_stop(st, &s);
			goto out;
		}
	}
	while (time(NULL) < s.start_at && !runner_stop && !cancelled(st, &s))
		sleep_ms(1000);
	if (runner_stop || cancelled(st, &s))
		goto stopped;
	/* The segment may have changed since clone (an --at session). */
	if ((ret = sip_mcast_preflight(s.interface, err)) != SIP_OK ||
	    (ret = runner_send(cfg, st, &s, sender, nm, &seen, &status,
	    err)) != SIP_OK) {
		snprintf(why, sizeof(why), "cannot send: %.200s", err->msg);
		(void)sip_mcast_step(st, &s, SIP_MCE_SENDER_FAILED, 0, 0, why,
		    "cleanup", time(NULL), NULL);
		(void)sip_mcast_get(st, id, &s, NULL, NULL, NULL);
		goto judged;
	}
	if (runner_stop || cancelled(st, &s))
		goto stopped;
	if (!seen.started || !seen.complete) {
		if (!seen.started)
			snprintf(why, sizeof(why), "no receiver joined within "
			    "%d s (udp-sender: %.120s)", s.start_timeout,
			    seen.last[0] != '\0' ? seen.last : "no output");
		else
			snprintf(why, sizeof(why), "udp-sender stopped before "
			    "the end of the stream (status %d): %.120s", status,
			    seen.last);
		ret = sip_mcast_step(st, &s, SIP_MCE_SENDER_FAILED, 0, 0, why,
		    "cleanup", time(NULL), err);
		goto judged;
	}
	/* The stream ended: who has not joined has missed it. */
	sent_at = time(NULL);
	(void)sip_mcast_get(st, id, &s, NULL, NULL, NULL);
	s.ended_at = sent_at;
	s.runner_pid = (long)getpid();
	if ((ret = mcast_save(st, &s, err)) != SIP_OK)
		goto out;
	/* Reading back takes about what writing took; then a margin. */
	deadline = sent_at + 2 * (sent_at - (time_t)s.started_at) + 600;
	if ((ret = runner_judge(st, &s, deadline, &ok, &total, err)) !=
	    SIP_OK)
		goto out;
	if (runner_stop || s.state == SIP_MC_CANCELLED)
		goto stopped;
	snprintf(why, sizeof(why), "%zu of %zu verified%s", ok, total,
	    time(NULL) >= deadline ? " (the rest did not end in time)" : "");
	if ((ret = sip_mcast_step(st, &s, SIP_MCE_VERDICT, ok, total, why,
	    "cleanup", time(NULL), err)) != SIP_OK)
		goto out;
 judged:
	if (s.fallback && s.state != SIP_MC_DONE &&
	    s.state != SIP_MC_CANCELLED)
		ret = sip_mcast_fallback(cfg, st, id, NULL, 0, "cleanup",
		    time(NULL), &nset, err);
	else if (s.state == SIP_MC_FAILED)
		(void)members_stop(st, &s);
	goto out;
 stopped:
	/* Stopped by a signal, not cancelled: no stream, no verdict. */
	if (!cancelled(st, &s))
		(void)sip_mcast_step(st, &s, SIP_MCE_SENDER_FAILED, 0, 0, "its "
		    "runner was stopped: the stream was not sent whole",
		    "cleanup", time(NULL), NULL);
 out:
	sip_mcast_members_free(m, nm);
	if (st != NULL)
		sip_store_close(st);
	close(fd);
	return ret;
}
