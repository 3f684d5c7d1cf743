/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What lib/store*.c share and nobody else sees: the connection, its SQL helpers, the action columns. */
#ifndef SE3IPXE_STORE_H
#define SE3IPXE_STORE_H

#include <time.h>

#include <sqlite3.h>

/* Statements kept prepared for the life of a connection. */
#define STMT_CACHE	8

struct sip_store {
	sqlite3		*db;
	char		*path;		/* named in every message */
	int		 busy_timeout_ms;
	int		 busy_no_wait;	/* set while checkpointing */
	struct timespec	 busy_since;	/* when the current wait began */
	unsigned int	 jitter;	/* state of the sleep-length generator */
	struct {
		const char	*sql;
		sqlite3_stmt	*stmt;
	}		 cache[STMT_CACHE];	/* see stmt_get */
};

#define ACTION_COLUMNS \
	"id, mac, name, state, completion, token, boots, max_boots, " \
	"created_at, start_at, expires_at, updated_at, progress, message, " \
	"created_by, bound_addr, blackout_end, bind_identity, bound_uuid, " \
	"bound_serial, host"
/*
 * A token's public part in SQL, the expression of the index
 * actions_token_public: the same text, so that the planner uses it.
 */
#define TOKEN_PUBLIC_SQL	"substr(token, 1, 16)"
_Static_assert(SIP_TOKEN_PUBLIC == 16, "TOKEN_PUBLIC_SQL is 16 digits");
/*
 * The SQL of sip_state_active, which defines "active": every query for
 * active actions uses it (t/unit/store.c checks both say the same).  Same
 * text as the partial index actions_one_active, so the planner uses it.
 */
#define ACTIVE_WHERE \
	"state IN ('scheduled','pending','booting','running')"
#define SQL_ACTION_LAST \
	"SELECT " ACTION_COLUMNS " FROM actions WHERE mac = ?1 " \
	"ORDER BY id DESC LIMIT 1"

/* lib/store.c: errors, columns, transactions, the statement cache. */
enum sip_rc	db_err(struct sip_store *, int, struct sip_err *,
		    const char *, ...)
		    __attribute__((__format__(printf, 4, 5)));
enum sip_rc	nomem(struct sip_store *, struct sip_err *);
int		bind_text(sqlite3_stmt *, int, const char *);
const char	*col_text(sqlite3_stmt *, int);
int		col_strdup(sqlite3_stmt *, int, char **);
int		col_copy(sqlite3_stmt *, int, char *, size_t);
enum sip_rc	tx_begin(struct sip_store *, const char *, struct sip_err *);
enum sip_rc	tx_commit(struct sip_store *, struct sip_err *);
void		tx_rollback(struct sip_store *);
int		stmt_get(struct sip_store *, const char *, sqlite3_stmt **);
void		stmt_put(struct sip_store *, sqlite3_stmt *);
void		stmt_warm(struct sip_store *, const char *);
/* sql with ?1 bound to id, run to its end; an error says "what id". */
enum sip_rc	exec_id(struct sip_store *, const char *sql, int64_t id,
		    const char *what, struct sip_err *);
enum sip_rc	read_per_mac(struct sip_store *, const char *, const char *,
		    const char *const *, size_t,
		    int (*)(sqlite3_stmt *, size_t, void *), void *,
		    struct sip_err *);

/* lib/store_schema.c */
enum sip_rc	schema_version(struct sip_store *, int *, struct sip_err *);
enum sip_rc	schema_migrate(struct sip_store *, int, struct sip_err *);
/*
 * The SQL of migration from -> from + 1, NULL past the last: what
 * t/unit/store.c builds old databases with.
 */
const char	*schema_migration(int from);

/* lib/store_action.c: at most one action that sql selects, *out NULL if none. */
enum sip_rc	action_query1(struct sip_store *, const char *, const char *,
		    int, struct sip_action **, struct sip_err *);
/*
 * One history row for mac, tied to its active action if it has one;
 * inside the caller's transaction.
 */
enum sip_rc	history_of_mac(struct sip_store *, const char *mac,
		    const char *event, const char *who, const char *detail,
		    time_t now, struct sip_err *);

/* lib/store_inventory.c: act's machine's inventory, in the caller's transaction. */
enum sip_rc	inventory_put(struct sip_store *, const struct sip_action *,
		    const char *inventory, time_t now, struct sip_err *);

#endif /* SE3IPXE_STORE_H */
