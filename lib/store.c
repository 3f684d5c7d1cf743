/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SQLite store's connection: open, busy handler, WAL, statement cache, transactions, column helpers. */
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
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
 * WAL frames (pages) past which a commit checkpoints: about 4 MiB.  A
 * checkpoint holds the write lock; a boot of a machine with an action
 * writes about five pages, and at 64 frames a boot storm of them spent a
 * tenth of its time waiting for checkpoints (BENCHMARKS.md).  The price
 * is paid by a process alone on the database, which reads the WAL to
 * rebuild its index: a few milliseconds at most, when nothing else runs.
 */
#define WAL_FRAMES_MAX	1024

static enum sip_rc	db_rc(int);
static enum sip_rc	open_err(struct sip_store *, enum sip_store_mode, int,
			    struct sip_err *);

static enum sip_rc
db_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return SIP_EBUSY;
	default:
		return SIP_EDB;
	}
}

/* Must run before any other call on the connection replaces its message. */
enum sip_rc
db_err(struct sip_store *st, int rc, struct sip_err *err, const char *fmt,
    ...)
{
	char what[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return sip_errf(err, db_rc(rc), "%s: %s: %s", st->path, what,
	    sqlite3_errmsg(st->db));
}

enum sip_rc
nomem(struct sip_store *st, struct sip_err *err)
{
	return sip_errf(err, SIP_ENOMEM, "%s: %s", st->path,
	    sip_strerror(SIP_ENOMEM));
}

/* The caller keeps v alive until the statement is reset or finalized. */
int
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

const char *
col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* SQL NULL gives *out == NULL; -1 only when memory ran out. */
int
col_strdup(sqlite3_stmt *s, int i, char **out)
{
	const char *v;

	*out = NULL;
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return 0;
	if ((v = col_text(s, i)) == NULL ||
	    (*out = sip_strdup(v)) == NULL)
		return -1;
	return 0;
}

/* Copy a NOT NULL text column into a fixed buffer; -1 if it cannot fit. */
int
col_copy(sqlite3_stmt *s, int i, char *dst, size_t dstsz)
{
	const char *v;
	int n;

	if ((v = col_text(s, i)) == NULL)
		return -1;
	n = sqlite3_column_bytes(s, i);
	if (n < 0 || (size_t)n >= dstsz || strlen(v) != (size_t)n)
		return -1;
	memcpy(dst, v, (size_t)n + 1);
	return 0;
}

enum sip_rc
tx_begin(struct sip_store *st, const char *sql, struct sip_err *err)
{
	int rc;

	if ((rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL)) != SQLITE_OK)
		return db_err(st, rc, err, "begin transaction");
	return SIP_OK;
}

enum sip_rc
tx_commit(struct sip_store *st, struct sip_err *err)
{
	int rc;

	if ((rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL)) !=
	    SQLITE_OK)
		return db_err(st, rc, err, "commit");
	return SIP_OK;
}

/*
 * Some errors (busy, I/O, full) already ended the transaction; rolling
 * back only what is still open keeps the connection usable either way.
 */
void
tx_rollback(struct sip_store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/*
 * One read transaction over n MACs: sql (?1, the MAC) gives at most one
 * row for each, which row(s, i, ctx) copies into the caller's entry i
 * (-1: out of memory); a MAC without a row leaves its entry as it was.
 * "read WHAT of MAC" names a failure.
 */
enum sip_rc
read_per_mac(struct sip_store *st, const char *sql, const char *what,
    const char *const *macs, size_t n,
    int (*row)(sqlite3_stmt *, size_t, void *), void *ctx,
    struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	enum sip_rc ret;
	size_t i;
	int rc;

	if ((ret = tx_begin(st, "BEGIN", err)) != SIP_OK)
		return ret;
	for (i = 0; i < n; i++) {
		if ((rc = stmt_get(st, sql, &s)) != SQLITE_OK ||
		    (rc = bind_text(s, 1, macs[i])) != SQLITE_OK ||
		    ((rc = sqlite3_step(s)) != SQLITE_ROW &&
		    rc != SQLITE_DONE)) {
			ret = db_err(st, rc, err, "read %s of %s", what,
			    macs[i]);
			goto fail;
		}
		if (rc == SQLITE_ROW && row(s, i, ctx) == -1) {
			ret = nomem(st, err);
			goto fail;
		}
		stmt_put(st, s);
		s = NULL;
	}
	if ((ret = tx_commit(st, err)) != SIP_OK)
		goto fail;
	return SIP_OK;
 fail:
	stmt_put(st, s);
	tx_rollback(st);
	return ret;
}

/*
 * SQLite says "unable to open database file" whatever the reason: say
 * which, and what to do.  Only on failure, so an open that works costs
 * nothing more.
 */
static enum sip_rc
open_err(struct sip_store *st, enum sip_store_mode mode, int rc,
    struct sip_err *err)
{
	char dir[1024];
	const char *slash;
	struct stat sb;
	int sys = sqlite3_system_errno(st->db);

	if ((rc & 0xff) != SQLITE_CANTOPEN)
		return db_err(st, rc, err, "open");
	if ((slash = strrchr(st->path, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == st->path ? 1 :
		    (int)(slash - st->path), st->path);
	if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode))
		return sip_errf(err, SIP_EDB, "%s: cannot open: the directory "
		    "%s does not exist; it must exist and be writable by the "
		    "web server's user", st->path, dir);
	if (stat(st->path, &sb) == -1 && errno == ENOENT) {
		if (mode != SIP_STORE_RW)
			return sip_errf(err, SIP_EDB, "%s: no such database: "
			    "run se3-ipxe to create it", st->path);
		if (sys == EACCES || sys == EPERM || sys == EROFS)
			return sip_errf(err, SIP_EDB, "%s: cannot create: the "
			    "directory %s must be writable by the web server's "
			    "user", st->path, dir);
	}
	return db_err(st, rc, err, "open");
}

/*
 * After a commit that leaves WAL_FRAMES_MAX frames or more: copy them into
 * the database and truncate the WAL, if nobody else is in the database
 * right now (busy timeout 0: a booting machine never waits for this);
 * otherwise copy what can be copied and let a later commit truncate.
 */
static int
wal_checkpoint_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct sip_store *st = arg;

	if (frames < WAL_FRAMES_MAX)
		return SQLITE_OK;
	st->busy_no_wait = 1;
	if (sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_TRUNCATE,
	    NULL, NULL) != SQLITE_OK)
		(void)sqlite3_wal_checkpoint_v2(db, name,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	st->busy_no_wait = 0;
	return SQLITE_OK;
}

/*
 * Wait for a lock in short, jittered sleeps (0.1 to 0.5 ms) until
 * busy_timeout.  SQLite's own handler backs off to 100 ms steps: in a
 * boot storm, requests slept long after the lock was free, and the
 * slowest answers were several times the fastest.
 */
static int
busy_wait(void *arg, int count)
{
	struct sip_store *st = arg;
	struct timespec now, nap;
	long elapsed_ms;

	if (st->busy_no_wait || st->busy_timeout_ms <= 0)
		return 0;
	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		return 0;
	if (count == 0)
		st->busy_since = now;
	elapsed_ms = (now.tv_sec - st->busy_since.tv_sec) * 1000 +
	    (now.tv_nsec - st->busy_since.tv_nsec) / 1000000;
	if (elapsed_ms >= st->busy_timeout_ms)
		return 0;
	st->jitter = st->jitter * 1103515245u + 12345u;
	nap.tv_sec = 0;
	nap.tv_nsec = 100000 + (long)((st->jitter >> 16) % 400) * 1000;
	(void)nanosleep(&nap, NULL);
	return 1;
}

enum sip_rc
sip_store_open(const char *path, enum sip_store_mode mode,
    int busy_timeout_ms, struct sip_store **out, struct sip_err *err)
{
	struct sip_store *st;
	int flags, rc, version, current = sip_store_schema_version();
	int persist_wal = 1;
	enum sip_rc ret;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return sip_errf(err, SIP_EINVAL, "no database path");
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "%s: %s", path,
		    sip_strerror(SIP_ENOMEM));
	if ((st->path = sip_strdup(path)) == NULL) {
		ret = sip_errf(err, SIP_ENOMEM, "%s: %s", path,
		    sip_strerror(SIP_ENOMEM));
		goto fail;
	}
	/*
	 * Read-only must never create: a typo would hide the real database.
	 * Nor may ipxe.cgi: a deleted database recreated empty would forget
	 * every action without a word.
	 */
	flags = mode == SIP_STORE_RO ? SQLITE_OPEN_READONLY :
	    mode == SIP_STORE_RW_EXISTING ? SQLITE_OPEN_READWRITE :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	/*
	 * A connection is used by one thread only, and nobody reads SQLite's
	 * memory statistics: both cost mutex calls on every allocation.  A
	 * process lives for one request: the lookaside buffer and the page
	 * cache's bulk block, which SQLite writes whole when it opens, cost
	 * about 16 page faults for memory it hardly uses.  The global
	 * settings only take before SQLite's first use in the process; later
	 * calls fail harmlessly.
	 */
	flags |= SQLITE_OPEN_NOMUTEX;
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	(void)sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 0, 0);
	(void)sqlite3_config(SQLITE_CONFIG_PAGECACHE, NULL, 0, 0);
	if ((rc = sqlite3_open_v2(path, &st->db, flags, NULL)) != SQLITE_OK) {
		ret = open_err(st, mode, rc, err);
		goto fail;
	}
	st->jitter = (unsigned int)getpid();
	(void)sqlite3_busy_handler(st->db, busy_wait, st);
	/*
	 * ipxe.cgi opens and closes the database on every request.  Left to
	 * the defaults, every close checkpoints, syncs and unlinks the WAL
	 * and its index, and the next request creates them again: four
	 * fsyncs a request.  Keep both files instead, and bound the WAL
	 * ourselves (wal_checkpoint_hook), because a process that opens a
	 * quiet database rebuilds the WAL index by reading the whole WAL.
	 */
	st->busy_timeout_ms = busy_timeout_ms > 0 ? busy_timeout_ms : 0;
	(void)sqlite3_file_control(st->db, "main", SQLITE_FCNTL_PERSIST_WAL,
	    &persist_wal);
	(void)sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1,
	    (int *)NULL);
	(void)sqlite3_wal_hook(st->db, wal_checkpoint_hook, st);
	/* Per-connection settings: they cost no disk access. */
	if ((rc = sqlite3_exec(st->db, "PRAGMA foreign_keys = ON;"
	    "PRAGMA synchronous = NORMAL", NULL, NULL, NULL)) != SQLITE_OK) {
		ret = db_err(st, rc, err, "set connection options");
		goto fail;
	}
	/* ipxe.cgi opens on every request: this read is all it should cost. */
	if ((ret = schema_version(st, &version, err)) != SIP_OK)
		goto fail;
	if (version != current) {
		if (mode == SIP_STORE_RO) {
			ret = sip_errf(err, SIP_EDB, "%s: database schema "
			    "version %d, expected %d; run se3-ipxe as root to "
			    "migrate", path, version, current);
			goto fail;
		}
		/*
		 * ipxe.cgi may bring an older schema up to date, so that an
		 * upgrade needs no step of its own; a database without one was
		 * never created by se3-ipxe.
		 */
		if (mode == SIP_STORE_RW_EXISTING && version == 0) {
			ret = sip_errf(err, SIP_EDB, "%s: not a se3-ipxe "
			    "database (no schema): run se3-ipxe to create it",
			    path);
			goto fail;
		}
		if (version > current) {
			ret = sip_errf(err, SIP_EDB, "%s: database schema "
			    "version %d is newer than this program (%d)", path,
			    version, current);
			goto fail;
		}
		if ((ret = schema_migrate(st, version, err)) != SIP_OK)
			goto fail;
	}
	*out = st;
	return SIP_OK;
 fail:
	sip_store_close(st);
	return ret;
}

/*
 * A prepared statement for sql, reset and unbound, from the connection's
 * cache when it is there.  The boot transaction prepares its statements
 * before it takes the write lock (stmt_warm), so that under a boot storm
 * the lock is held while they run, not while SQLite parses them.  Give
 * the statement back with stmt_put, never sqlite3_finalize.
 */
int
stmt_get(struct sip_store *st, const char *sql, sqlite3_stmt **out)
{
	size_t i;
	int rc;

	for (i = 0; i < STMT_CACHE && st->cache[i].sql != NULL; i++)
		if (strcmp(st->cache[i].sql, sql) == 0) {
			*out = st->cache[i].stmt;
			return SQLITE_OK;
		}
	if ((rc = sqlite3_prepare_v3(st->db, sql, -1,
	    SQLITE_PREPARE_PERSISTENT, out, NULL)) != SQLITE_OK)
		return rc;
	if (i < STMT_CACHE) {
		st->cache[i].sql = sql;
		st->cache[i].stmt = *out;
	}
	return SQLITE_OK;
}

void
stmt_put(struct sip_store *st, sqlite3_stmt *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < STMT_CACHE && st->cache[i].sql != NULL; i++)
		if (st->cache[i].stmt == s) {
			/* A reset statement holds no read transaction open. */
			(void)sqlite3_reset(s);
			(void)sqlite3_clear_bindings(s);
			return;
		}
	sqlite3_finalize(s);
}

/* Prepare sql now, outside any transaction; errors show when it runs. */
void
stmt_warm(struct sip_store *st, const char *sql)
{
	sqlite3_stmt *s;

	if (stmt_get(st, sql, &s) == SQLITE_OK)
		stmt_put(st, s);
}

void
sip_store_close(struct sip_store *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < STMT_CACHE && st->cache[i].sql != NULL; i++)
		sqlite3_finalize(st->cache[i].stmt);
	/* Plain close: a statement left unfinalized shows up as a leak. */
	(void)sqlite3_close(st->db);
	free(st->path);
	free(st);
}

enum sip_rc
exec_id(struct sip_store *st, const char *sql, int64_t id, const char *what,
    struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	enum sip_rc ret = SIP_OK;
	int rc;

	if ((rc = stmt_get(st, sql, &s)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 1, id)) != SQLITE_OK ||
	    (rc = sqlite3_step(s)) != SQLITE_DONE)
		ret = db_err(st, rc, err, "%s %" PRId64, what, id);
	stmt_put(st, s);
	return ret;
}
