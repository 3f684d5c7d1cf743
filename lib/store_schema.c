/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SQLite store's schema: its version and the migrations that bring a database to it. */
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
 * Migration i brings user_version i to i + 1, and says so itself: PRAGMA
 * takes no bound parameter, and a number formatted into SQL is exactly
 * what this file never does.  A released entry is never edited again.
 */
static const char *const migrations[] = {
	/* 0 -> 1: the first schema. */
	"CREATE TABLE machines ("
	"  mac TEXT PRIMARY KEY,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  boots INTEGER NOT NULL DEFAULT 0,"
	"  platform TEXT, buildarch TEXT, uuid TEXT, serial TEXT,"
	"  manufacturer TEXT, product TEXT, ip TEXT"
	");"
	"CREATE TABLE actions ("
	"  id INTEGER PRIMARY KEY,"
	"  mac TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('scheduled','pending',"
	"    'booting','running','done','failed','expired','cancelled')),"
	"  completion TEXT NOT NULL CHECK (completion IN ('oneshot','report')),"
	"  token TEXT NOT NULL UNIQUE,"
	"  boots INTEGER NOT NULL DEFAULT 0,"
	"  max_boots INTEGER NOT NULL CHECK (max_boots > 0),"
	"  created_at INTEGER NOT NULL,"
	"  start_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  progress INTEGER NOT NULL DEFAULT -1,"
	"  message TEXT,"
	"  created_by TEXT NOT NULL"
	");"
	"CREATE UNIQUE INDEX actions_one_active ON actions (mac)"
	"  WHERE state IN ('scheduled','pending','booting','running');"
	"CREATE INDEX actions_mac ON actions (mac, id);"
	"CREATE TABLE action_options ("
	"  action_id INTEGER NOT NULL REFERENCES actions (id),"
	"  key TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (action_id, key)"
	");"
	"CREATE TABLE history ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  mac TEXT NOT NULL,"
	"  action_id INTEGER,"
	"  action TEXT,"
	"  event TEXT NOT NULL,"
	"  old_state TEXT,"
	"  new_state TEXT,"
	"  who TEXT NOT NULL,"
	"  detail TEXT"
	");"
	"CREATE INDEX history_mac ON history (mac, id);"
	"CREATE INDEX history_at ON history (at);"
	/* Purging old rows is allowed; rewriting the past is not. */
	"CREATE TRIGGER history_append_only BEFORE UPDATE ON history"
	"  BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;"
	"PRAGMA user_version = 1;",
	/*
	 * 1 -> 2: the highest generation of the seen journal folded
	 * (DB-seen.N, lib/store_machine.c), committed with its lines.
	 */
	"CREATE TABLE seen_fold ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  generation INTEGER NOT NULL CHECK (generation >= 0)"
	");"
	"INSERT INTO seen_fold (id, generation) VALUES (1, 0);"
	"PRAGMA user_version = 2;",
	/*
	 * 2 -> 3: requests bound to the machine's address, every request's
	 * address in the history, and tokens found by their public part
	 * (TOKEN_PUBLIC_SQL) so that no index compares a secret.  Old
	 * 32-digit tokens keep working: their first 16 digits are public.
	 */
	"ALTER TABLE actions ADD COLUMN bound_addr TEXT;"
	"ALTER TABLE history ADD COLUMN addr TEXT;"
	"CREATE UNIQUE INDEX actions_token_public ON actions ("
	TOKEN_PUBLIC_SQL ");"
	"PRAGMA user_version = 3;",
	/*
	 * 3 -> 4: SE3's delegation table (lib/store_rights.c): which
	 * login may act on (manage) or only see (view) which parc.  SE3's
	 * uids and cns compare without case, and so do these.  IF NOT
	 * EXISTS: t/unit/store.c takes a database back to schema 1 by
	 * dropping what 1 -> 3 added, and leaves this table.
	 */
	"CREATE TABLE IF NOT EXISTS delegations ("
	"  login TEXT NOT NULL COLLATE NOCASE,"
	"  parc TEXT NOT NULL COLLATE NOCASE,"
	"  level TEXT NOT NULL CHECK (level IN ('manage','view')),"
	"  set_by TEXT NOT NULL,"
	"  set_at INTEGER NOT NULL,"
	"  PRIMARY KEY (login, parc)"
	");"
	"PRAGMA user_version = 4;",
	/*
	 * 4 -> 5: power work done later (lib/store_power.c): wakes, and
	 * reboots for lib/reboot.c, claimed by one tick each; and the end
	 * of the blackout window a destructive action was held for.
	 */
	"CREATE TABLE power_jobs ("
	"  id INTEGER PRIMARY KEY,"
	"  mac TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('wake','reboot')),"
	"  policy TEXT CHECK (policy IN ('wait','idle','force')),"
	"  state TEXT NOT NULL CHECK (state IN ('pending','sent','done',"
	"    'failed','given-up','cancelled')),"
	"  due_at INTEGER NOT NULL,"
	"  sent_at INTEGER,"
	"  tries INTEGER NOT NULL DEFAULT 0 CHECK (tries >= 0),"
	"  ip TEXT,"
	"  action_id INTEGER,"
	"  who TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL"
	");"
	"CREATE INDEX power_jobs_open ON power_jobs (kind, state, due_at);"
	"CREATE INDEX power_jobs_mac ON power_jobs (mac, id);"
	"ALTER TABLE actions ADD COLUMN blackout_end INTEGER;"
	"PRAGMA user_version = 5;",
	/*
	 * 5 -> 6: a destructive action bound to its machine's SMBIOS
	 * identity (lib/identity.c): whether it is, and the UUID and serial
	 * it is bound to (NULL: not known yet, the first boot served pins).
	 */
	"ALTER TABLE actions ADD COLUMN bind_identity INTEGER NOT NULL "
	"DEFAULT 0;"
	"ALTER TABLE actions ADD COLUMN bound_uuid TEXT;"
	"ALTER TABLE actions ADD COLUMN bound_serial TEXT;"
	"PRAGMA user_version = 6;",
	/*
	 * 6 -> 7: completion 'persistent' (lib/fsm.c).  A CHECK cannot be
	 * altered: the actions table is rebuilt (SQLite's 12 steps), in this
	 * migration's transaction.  foreign_keys cannot be turned off inside
	 * it, and dropping a parent would orphan its children, so the one
	 * child, action_options, is set aside first (rowid kept: it is the
	 * options' order) and rebuilt after.  This copies the columns of
	 * schema 6 by name: a later migration that adds a column to actions
	 * must come after this one.
	 */
	"CREATE TABLE actions_options_kept AS"
	"  SELECT rowid AS kept_rowid, action_id, key, value"
	"  FROM action_options;"
	"DROP TABLE action_options;"
	"CREATE TABLE actions_rebuilt ("
	"  id INTEGER PRIMARY KEY,"
	"  mac TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('scheduled','pending',"
	"    'booting','running','done','failed','expired','cancelled')),"
	"  completion TEXT NOT NULL CHECK (completion IN ('oneshot','report',"
	"    'persistent')),"
	"  token TEXT NOT NULL UNIQUE,"
	"  boots INTEGER NOT NULL DEFAULT 0,"
	"  max_boots INTEGER NOT NULL CHECK (max_boots > 0),"
	"  created_at INTEGER NOT NULL,"
	"  start_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  progress INTEGER NOT NULL DEFAULT -1,"
	"  message TEXT,"
	"  created_by TEXT NOT NULL,"
	"  bound_addr TEXT,"
	"  blackout_end INTEGER,"
	"  bind_identity INTEGER NOT NULL DEFAULT 0,"
	"  bound_uuid TEXT,"
	"  bound_serial TEXT"
	");"
	"INSERT INTO actions_rebuilt (id, mac, name, state, completion, token,"
	"  boots, max_boots, created_at, start_at, expires_at, updated_at,"
	"  progress, message, created_by, bound_addr, blackout_end,"
	"  bind_identity, bound_uuid, bound_serial)"
	"  SELECT id, mac, name, state, completion, token, boots, max_boots,"
	"  created_at, start_at, expires_at, updated_at, progress, message,"
	"  created_by, bound_addr, blackout_end, bind_identity, bound_uuid,"
	"  bound_serial FROM actions;"
	"DROP TABLE actions;"
	"ALTER TABLE actions_rebuilt RENAME TO actions;"
	"CREATE UNIQUE INDEX actions_one_active ON actions (mac)"
	"  WHERE state IN ('scheduled','pending','booting','running');"
	"CREATE INDEX actions_mac ON actions (mac, id);"
	"CREATE UNIQUE INDEX actions_token_public ON actions ("
	TOKEN_PUBLIC_SQL ");"
	"CREATE TABLE action_options ("
	"  action_id INTEGER NOT NULL REFERENCES actions (id),"
	"  key TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (action_id, key)"
	");"
	/* Foreign keys are on: an option of no action fails the migration. */
	"INSERT INTO action_options (rowid, action_id, key, value)"
	"  SELECT kept_rowid, action_id, key, value FROM actions_options_kept"
	"  ORDER BY kept_rowid;"
	"DROP TABLE actions_options_kept;"
	"PRAGMA user_version = 7;",
	/*
	 * 7 -> 8: the machine's name set-action found in SE3's directory,
	 * checked as a host name label (sip_hostname_label); NULL: none,
	 * the installed system is named after its MAC.
	 */
	"ALTER TABLE actions ADD COLUMN host TEXT;"
	"PRAGMA user_version = 8;",
	/*
	 * 8 -> 9: the image store's catalogue (lib/imagestore.c).  A row
	 * exists from the first byte of an upload; only complete = 1 rows
	 * are listed, and only those have a file under their name.
	 */
	"CREATE TABLE images ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  mac TEXT NOT NULL,"
	"  action_id INTEGER,"
	"  part TEXT NOT NULL DEFAULT '',"
	"  tool TEXT NOT NULL DEFAULT '',"
	"  compression TEXT NOT NULL DEFAULT '',"
	"  size INTEGER NOT NULL DEFAULT 0,"
	"  sha256 TEXT NOT NULL DEFAULT '',"
	"  created_at INTEGER NOT NULL,"
	"  received INTEGER NOT NULL DEFAULT 0 CHECK (received IN (0, 1)),"
	"  complete INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1))"
	");"
	"CREATE UNIQUE INDEX images_name ON images (name) WHERE complete = 1;"
	"CREATE INDEX images_mac ON images (mac, created_at);"
	"PRAGMA user_version = 9;",
	/*
	 * 9 -> 10: each machine's inventory (hardware, disks, partitions) as
	 * the worker's report capability last sent it (lib/store_inventory.c):
	 * one row a machine, replaced by the next.  IF NOT EXISTS: as for
	 * delegations, t/unit/store.c takes a database back to schema 1 and
	 * leaves this table.
	 */
	"CREATE TABLE IF NOT EXISTS inventories ("
	"  mac TEXT PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  action_id INTEGER NOT NULL,"
	"  action TEXT NOT NULL,"
	"  inventory TEXT NOT NULL"
	");"
	"PRAGMA user_version = 10;",
	/*
	 * 10 -> 11: multicast sessions (lib/mcast.c): one row a session, one
	 * a member (its worker:restore action, what udp-sender said of it).
	 * IF NOT EXISTS: as for delegations.
	 */
	"CREATE TABLE IF NOT EXISTS mcast_sessions ("
	"  id INTEGER PRIMARY KEY,"
	"  image TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('forming','transferring',"
	"    'done','partial','failed','cancelled')),"
	"  port INTEGER NOT NULL,"
	"  interface TEXT NOT NULL,"
	"  min_receivers INTEGER NOT NULL,"
	"  max_wait INTEGER NOT NULL,"
	"  start_timeout INTEGER NOT NULL,"
	"  fallback INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  created_by TEXT NOT NULL DEFAULT '',"
	"  start_at INTEGER NOT NULL,"
	"  started_at INTEGER NOT NULL DEFAULT 0,"
	"  ended_at INTEGER NOT NULL DEFAULT 0,"
	"  runner_pid INTEGER NOT NULL DEFAULT 0,"
	"  reason TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE TABLE IF NOT EXISTS mcast_members ("
	"  session INTEGER NOT NULL,"
	"  mac TEXT NOT NULL,"
	"  action_id INTEGER NOT NULL,"
	"  joined_at INTEGER NOT NULL DEFAULT 0,"
	"  dropped_at INTEGER NOT NULL DEFAULT 0,"
	"  num INTEGER NOT NULL DEFAULT -1,"
	"  fallback_id INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (session, mac)"
	");"
	"PRAGMA user_version = 11;",
	/*
	 * 11 -> 12: clone --from MACHINE: a session first waits for its
	 * master's save (state saving, source_mac, source_action).  SQLite
	 * cannot change a CHECK: the table is rebuilt, its rows kept.
	 */
	"CREATE TABLE mcast_sessions_12 ("
	"  id INTEGER PRIMARY KEY,"
	"  image TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('saving','forming',"
	"    'transferring','done','partial','failed','cancelled')),"
	"  port INTEGER NOT NULL,"
	"  interface TEXT NOT NULL,"
	"  min_receivers INTEGER NOT NULL,"
	"  max_wait INTEGER NOT NULL,"
	"  start_timeout INTEGER NOT NULL,"
	"  fallback INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  created_by TEXT NOT NULL DEFAULT '',"
	"  start_at INTEGER NOT NULL,"
	"  started_at INTEGER NOT NULL DEFAULT 0,"
	"  ended_at INTEGER NOT NULL DEFAULT 0,"
	"  runner_pid INTEGER NOT NULL DEFAULT 0,"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  source_mac TEXT NOT NULL DEFAULT '',"
	"  source_action INTEGER NOT NULL DEFAULT 0"
	");"
	"INSERT INTO mcast_sessions_12 (id, image, state, port, interface,"
	"  min_receivers, max_wait, start_timeout, fallback, created_at,"
	"  created_by, start_at, started_at, ended_at, runner_pid, reason)"
	"  SELECT id, image, state, port, interface, min_receivers, max_wait,"
	"  start_timeout, fallback, created_at, created_by, start_at,"
	"  started_at, ended_at, runner_pid, reason FROM mcast_sessions;"
	"DROP TABLE mcast_sessions;"
	"ALTER TABLE mcast_sessions_12 RENAME TO mcast_sessions;"
	"PRAGMA user_version = 12;",
	/*
	 * 12 -> 13: clone --from --sysprep: the master runs sysprep before
	 * its save (state preparing; where the script went, its report's
	 * token, its deadline).  Rebuilt as 12 was, for the CHECK.
	 */
	"CREATE TABLE mcast_sessions_13 ("
	"  id INTEGER PRIMARY KEY,"
	"  image TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('preparing','saving','forming',"
	"    'transferring','done','partial','failed','cancelled')),"
	"  port INTEGER NOT NULL,"
	"  interface TEXT NOT NULL,"
	"  min_receivers INTEGER NOT NULL,"
	"  max_wait INTEGER NOT NULL,"
	"  start_timeout INTEGER NOT NULL,"
	"  fallback INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  created_by TEXT NOT NULL DEFAULT '',"
	"  start_at INTEGER NOT NULL,"
	"  started_at INTEGER NOT NULL DEFAULT 0,"
	"  ended_at INTEGER NOT NULL DEFAULT 0,"
	"  runner_pid INTEGER NOT NULL DEFAULT 0,"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  source_mac TEXT NOT NULL DEFAULT '',"
	"  source_action INTEGER NOT NULL DEFAULT 0,"
	"  prep_addr TEXT NOT NULL DEFAULT '',"
	"  prep_claimed INTEGER NOT NULL DEFAULT 0,"
	"  prep_token TEXT NOT NULL DEFAULT '',"
	"  prep_until INTEGER NOT NULL DEFAULT 0"
	");"
	"INSERT INTO mcast_sessions_13 (id, image, state, port, interface,"
	"  min_receivers, max_wait, start_timeout, fallback, created_at,"
	"  created_by, start_at, started_at, ended_at, runner_pid, reason,"
	"  source_mac, source_action)"
	"  SELECT id, image, state, port, interface, min_receivers, max_wait,"
	"  start_timeout, fallback, created_at, created_by, start_at,"
	"  started_at, ended_at, runner_pid, reason, source_mac, source_action"
	"  FROM mcast_sessions;"
	"DROP TABLE mcast_sessions;"
	"ALTER TABLE mcast_sessions_13 RENAME TO mcast_sessions;"
	"PRAGMA user_version = 13;",
};

int
sip_store_schema_version(void)
{
	return (int)SIP_ARRAY_SIZE(migrations);
}

const char *
schema_migration(int from)
{
	if (from < 0 || from >= sip_store_schema_version())
		return NULL;
	return migrations[from];
}

enum sip_rc
schema_version(struct sip_store *st, int *version, struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	enum sip_rc ret = SIP_OK;
	int rc;

	if ((rc = sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s,
	    NULL)) != SQLITE_OK) {
		ret = db_err(st, rc, err, "read schema version");
		goto out;
	}
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		ret = db_err(st, rc, err, "read schema version");
		goto out;
	}
	*version = sqlite3_column_int(s, 0);
	if (*version < 0)
		ret = sip_errf(err, SIP_EDB,
		    "%s: database schema version %d is invalid", st->path,
		    *version);
 out:
	sqlite3_finalize(s);
	return ret;
}

/*
 * Each migration runs in its own BEGIN IMMEDIATE and rereads the version
 * under the lock: two processes opening a new database at once must not
 * both create the schema.
 */
enum sip_rc
schema_migrate(struct sip_store *st, int from, struct sip_err *err)
{
	int current = sip_store_schema_version(), v, after, rc;
	enum sip_rc ret;

	/*
	 * WAL lets ipxe.cgi answer boots while the CLI reads.  The mode is
	 * stored in the file, and cannot change inside a transaction.  If
	 * the file system refuses WAL, the rollback journal still works.
	 */
	if (from == 0 && (rc = sqlite3_exec(st->db, "PRAGMA journal_mode = WAL",
	    NULL, NULL, NULL)) != SQLITE_OK)
		return db_err(st, rc, err, "set WAL journal mode");
	for (;;) {
		if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
			return ret;
		if ((ret = schema_version(st, &v, err)) != SIP_OK)
			goto fail;
		if (v > current) {
			ret = sip_errf(err, SIP_EDB, "%s: database schema "
			    "version %d is newer than this program (%d)",
			    st->path, v, current);
			goto fail;
		}
		if (v == current)
			break;
		if ((rc = sqlite3_exec(st->db, migrations[v], NULL, NULL,
		    NULL)) != SQLITE_OK) {
			ret = db_err(st, rc, err, "migrate schema to "
			    "version %d", v + 1);
			goto fail;
		}
		if ((ret = schema_version(st, &after, err)) != SIP_OK)
			goto fail;
		if (after != v + 1) {
			ret = sip_errf(err, SIP_EDB, "%s: migration %d left "
			    "schema version %d", st->path, v + 1, after);
			goto fail;
		}
		if ((ret = tx_commit(st, err)) != SIP_OK)
			goto fail;
	}
	return tx_commit(st, err);
 fail:
	tx_rollback(st);
	return ret;
}
