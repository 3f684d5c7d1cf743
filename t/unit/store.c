/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the SQLite store: schema, boot, report, admin changes, cleanup. */
#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "se3ipxe.h"
#include "extern.h"
#include "store.h"	/* ACTIVE_WHERE: the SQL of sip_state_active */
#include "tap.h"

#define MAC_A	"52:54:00:00:00:0a"
#define MAC_B	"52:54:00:00:00:0b"
#define MAC_C	"52:54:00:00:00:0c"
#define MAC_D	"52:54:00:00:00:0d"
#define MAC_E	"52:54:00:00:00:0e"
#define BUSY_MS	100
/* The fold's now: the journal lines of these tests are from before it. */
#define FOLD_NOW	((time_t)1700002000)

static char tmpdir[] = "/tmp/se3ipxe-store.XXXXXX";

static char k_image[] = "image", v_image[] = "win10";
static char k_part[] = "part", v_part[] = "1";
static const struct sip_kv opts[] = {
	{ k_image, v_image },
	{ k_part, v_part },
};

static const char	*db_path(const char *);
static struct sip_store	*store_new(const char *);
static sqlite3		*raw_open(const char *);
static char		*raw_dump(const char *);
static long long	 raw_int(const char *, const char *);
static struct sip_new_action new_action(const char *, enum sip_completion,
			    int, int64_t, int64_t);
static int64_t		 set1(struct sip_store *, const char *,
			    enum sip_completion, int, int64_t, int64_t,
			    time_t);
static int		 history_is(struct sip_store *, const char *,
			    const char *const *, size_t);
static int		 is_token(const char *);
static enum sip_rc	 tick(struct sip_store *, time_t, int64_t,
			    struct sip_tick_result *);
static void		 test_token(void);
static void		 test_open(void);
static void		 test_versions(void);
static void		 test_boot_limit(void);
static void		 test_oneshot(void);
static void		 test_report(void);
static void		 test_expiry(void);
static void		 test_replace(void);
static void		 test_all_or_nothing(void);
static void		 test_cancel(void);
static void		 test_tick(void);
static void		 test_machine(void);
static void		 test_fold_generations(void);
static void		 test_status(void);
static void		 test_busy(void);
static void		 test_states_fit_schema(void);
static void		 test_active_where(void);
static int		 token_of(struct sip_store *, const char *, char *);
static enum sip_rc	 token_action(struct sip_store *, const char *, time_t,
			    struct sip_action **);
static void		 test_token_action(void);
static void		 test_token_action_ends(void);
static void		 test_bind(void);
static void		 test_bind_expected(void);
static void		 test_old_token(void);
static void		 test_token_plan(void);

static const char *
db_path(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static struct sip_store *
store_new(const char *name)
{
	struct sip_store *st = NULL;
	struct sip_err err = { "" };

	if (sip_store_open(db_path(name), SIP_STORE_RW, BUSY_MS, &st, &err) !=
	    SIP_OK) {
		printf("Bail out! cannot create %s: %s\n", name, err.msg);
		exit(EXIT_FAILURE);
	}
	return st;
}

/* A second, independent connection: what another process would see. */
static sqlite3 *
raw_open(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		printf("Bail out! raw open %s: %s\n", path,
		    sqlite3_errmsg(db));
		exit(EXIT_FAILURE);
	}
	sqlite3_busy_timeout(db, 1000);
	return db;
}

/* Every row of each query, as text: what a migration must keep. */
static char *
rows_text(const char *path, const char *const *sql, size_t n)
{
	sqlite3 *db = raw_open(path);
	sqlite3_stmt *s;
	struct sip_buf b;
	const char *v;
	size_t i;
	int c;

	sip_buf_init(&b);
	for (i = 0; i < n; i++) {
		if (sqlite3_prepare_v2(db, sql[i], -1, &s, NULL) != SQLITE_OK) {
			sip_buf_printf(&b, "cannot read: %s\n",
			    sqlite3_errmsg(db));
			continue;
		}
		while (sqlite3_step(s) == SQLITE_ROW) {
			for (c = 0; c < sqlite3_column_count(s); c++) {
				v = (const char *)sqlite3_column_text(s, c);
				sip_buf_printf(&b, "%s|", v ? v : "NULL");
			}
			sip_buf_puts(&b, "\n");
		}
		sqlite3_finalize(s);
		sip_buf_puts(&b, "--\n");
	}
	sqlite3_close(db);
	return b.data;
}

/* Every row that a refused request must leave alone, as text. */
static char *
raw_dump(const char *path)
{
	static const char *const sql[] = {
		"SELECT * FROM machines ORDER BY mac",
		"SELECT * FROM actions ORDER BY id",
		"SELECT * FROM action_options ORDER BY action_id, key",
		"SELECT * FROM history ORDER BY id",
	};

	return rows_text(path, sql, SIP_ARRAY_SIZE(sql));
}

static long long
raw_int(const char *path, const char *sql)
{
	sqlite3 *db = raw_open(path);
	sqlite3_stmt *s;
	long long v = -999;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return v;
}

static struct sip_new_action
new_action(const char *mac, enum sip_completion c, int max_boots,
    int64_t start_at, int64_t expires_at)
{
	struct sip_new_action na;

	memset(&na, 0, sizeof(na));
	na.mac = mac;
	na.name = "winstall:install";
	na.completion = c;
	na.max_boots = max_boots;
	na.start_at = start_at;
	na.expires_at = expires_at;
	na.who = "admin";
	na.options = opts;
	na.noptions = SIP_ARRAY_SIZE(opts);
	return na;
}

static int64_t
set1(struct sip_store *st, const char *mac, enum sip_completion c,
    int max_boots, int64_t start_at, int64_t expires_at, time_t now)
{
	struct sip_new_action na = new_action(mac, c, max_boots, start_at,
	    expires_at);
	struct sip_err err = { "" };
	int64_t id = 0;

	if (sip_store_set_actions(st, &na, 1, now, &id, &err) != SIP_OK)
		printf("# set %s: %s\n", mac, err.msg);
	return id;
}

/* Compare a MAC's history with "event old new who detail" lines. */
static int
history_is(struct sip_store *st, const char *mac, const char *const *want,
    size_t nwant)
{
	struct sip_history *h = NULL;
	struct sip_err err = { "" };
	char line[512];
	size_t n = 0, i;
	int good = 1;

	if (sip_store_history(st, mac, &h, &n, &err) != SIP_OK) {
		printf("# history: %s\n", err.msg);
		return 0;
	}
	for (i = 0; i < n || i < nwant; i++) {
		if (i < n)
			snprintf(line, sizeof(line), "%s %s %s %s %s",
			    h[i].event, h[i].old_state ? h[i].old_state : "-",
			    h[i].new_state ? h[i].new_state : "-", h[i].who,
			    h[i].detail ? h[i].detail : "-");
		else
			strcpy(line, "(none)");
		if (i >= nwant || strcmp(line, want[i]) != 0 ||
		    (i > 0 && i < n && h[i].id <= h[i - 1].id)) {
			printf("#   history[%zu]: got '%s', want '%s'\n", i,
			    line, i < nwant ? want[i] : "(none)");
			good = 0;
		}
	}
	sip_history_free(h, n);
	return good;
}

/* sip_tick with a history_keep of keep seconds; err.msg is printed. */
static enum sip_rc
tick(struct sip_store *st, time_t now, int64_t keep,
    struct sip_tick_result *res)
{
	struct sip_config cfg;
	struct sip_err err = { "" };
	enum sip_rc rc;

	memset(&cfg, 0, sizeof(cfg));
	cfg.history_keep = keep;
	if ((rc = sip_tick(st, &cfg, now, res, &err)) != SIP_OK)
		printf("# tick: %s\n", err.msg);
	return rc;
}

static int
is_token(const char *t)
{
	return strlen(t) == SIP_TOKEN_STRLEN - 1 &&
	    strspn(t, "0123456789abcdef") == SIP_TOKEN_STRLEN - 1;
}

static void
test_token(void)
{
	char a[SIP_TOKEN_STRLEN], b[SIP_TOKEN_STRLEN];

	ok(sip_token_new(a) == SIP_OK && is_token(a), "token is 48 hex digits");
	ok(sip_token_new(b) == SIP_OK && is_token(b) && strcmp(a, b) != 0,
	    "two tokens differ");
}

static void
test_open(void)
{
	struct sip_store *st = NULL;
	struct sip_machine m = { .mac = MAC_A };
	struct sip_action *act = NULL;
	struct sip_err err = { "" };
	enum sip_answer ans;
	struct stat sb;
	sqlite3 *raw;
	sqlite3_stmt *s;
	long long before = -1, after = -2;
	const char *path;

	path = db_path("missing.db");
	is_int(sip_store_open(path, SIP_STORE_RO, BUSY_MS, &st, &err), SIP_EDB,
	    "read-only open of a missing file fails");
	ok(st == NULL && strstr(err.msg, path) != NULL,
	    "the message names the path: %s", err.msg);
	ok(stat(path, &sb) == -1, "read-only open did not create the file");
	is_int(sip_store_open(NULL, SIP_STORE_RW, BUSY_MS, &st, &err),
	    SIP_EINVAL, "no path: EINVAL");

	path = db_path("open.db");
	is_int(sip_store_open(path, SIP_STORE_RW, BUSY_MS, &st, &err), SIP_OK,
	    "read-write open creates the database");
	is_int(sip_store_integrity(st, &err), SIP_OK, "new database is ok");
	sip_store_close(st);
	st = NULL;
	is_int(raw_int(path, "PRAGMA user_version"),
	    sip_store_schema_version(), "schema version stored");
	ok(sip_store_schema_version() >= 1, "schema version is at least 1");
	raw = raw_open(path);
	ok(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &s, NULL) ==
	    SQLITE_OK && sqlite3_step(s) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(s, 0), "wal") == 0,
	    "created in WAL mode");
	sqlite3_finalize(s);

	/* Another connection's data_version moves on every commit. */
	if (sqlite3_prepare_v2(raw, "PRAGMA data_version", -1, &s, NULL) ==
	    SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		before = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	is_int(sip_store_open(path, SIP_STORE_RW, BUSY_MS, &st, &err), SIP_OK,
	    "reopen read-write");
	sip_store_close(st);
	st = NULL;
	if (sqlite3_step(s) == SQLITE_ROW)
		after = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(raw);
	is_int(after, before, "reopen committed nothing (no migration)");
	is_int(raw_int(path, "PRAGMA user_version"),
	    sip_store_schema_version(), "reopen kept the version");

	is_int(sip_store_open(path, SIP_STORE_RO, BUSY_MS, &st, &err), SIP_OK,
	    "read-only open of a current database");
	is_int(sip_store_integrity(st, &err), SIP_OK, "integrity ok read-only");
	is_int(sip_store_boot(st, m.mac, 1000, &ans, &act, &err), SIP_OK,
	    "a boot without an action writes nothing: fine read-only");
	ok(ans == SIP_ANSWER_DEFAULT && act == NULL, "and answers the default");
	sip_store_close(st);
	sip_store_close(NULL);
}

static void
test_versions(void)
{
	struct sip_store *st = NULL;
	struct sip_err err = { "" };
	sqlite3 *raw;
	const char *path;
	char want[128];
	FILE *fp;

	/* An empty file is a database of version 0. */
	path = db_path("empty.db");
	if ((fp = fopen(path, "w")) != NULL)
		fclose(fp);
	is_int(sip_store_open(path, SIP_STORE_RO, BUSY_MS, &st, &err), SIP_EDB,
	    "read-only open of an unmigrated database fails");
	snprintf(want, sizeof(want), "database schema version 0, expected %d; "
	    "run se3-ipxe as root to migrate", sip_store_schema_version());
	ok(strstr(err.msg, want) != NULL, "message: %s", err.msg);
	is_int(raw_int(path, "PRAGMA user_version"), 0,
	    "read-only open did not migrate");
	is_int(sip_store_open(path, SIP_STORE_RW, BUSY_MS, &st, &err), SIP_OK,
	    "read-write open migrates it");
	sip_store_close(st);
	st = NULL;
	is_int(raw_int(path, "PRAGMA user_version"),
	    sip_store_schema_version(), "now at the current version");

	raw = raw_open(path);
	sqlite3_exec(raw, "PRAGMA user_version = 99", NULL, NULL, NULL);
	sqlite3_close(raw);
	is_int(sip_store_open(path, SIP_STORE_RW, BUSY_MS, &st, &err), SIP_EDB,
	    "read-write open of a newer database fails");
	ok(strstr(err.msg, "newer than this program") != NULL, "message: %s",
	    err.msg);
	is_int(sip_store_open(path, SIP_STORE_RO, BUSY_MS, &st, &err), SIP_EDB,
	    "read-only open of a newer database fails");
	snprintf(want, sizeof(want), "database schema version 99, expected %d",
	    sip_store_schema_version());
	ok(strstr(err.msg, want) != NULL, "message: %s", err.msg);
	is_int(raw_int(path, "PRAGMA user_version"), 99, "and left it alone");

	path = db_path("garbage.db");
	if ((fp = fopen(path, "w")) != NULL) {
		fputs("this is not a database, not at all, not even close\n",
		    fp);
		fclose(fp);
	}
	is_int(sip_store_open(path, SIP_STORE_RW, BUSY_MS, &st, &err), SIP_EDB,
	    "a file that is not a database: %s", err.msg);
	ok(st == NULL, "and no store");
}

static void
test_boot_limit(void)
{
	static const char *const want[] = {
		"set - pending admin image=win10 part=1",
		"boot pending booting client -",
		"served - - client boot 1/3",
		"served - - client boot 2/3",
		"served - - client boot 3/3",
		"boot booting failed client -",
	};
	struct sip_store *st = store_new("boot.db");
	struct sip_machine m = { .mac = MAC_A };
	struct sip_err err = { "" };
	struct sip_action *act = NULL, *last = NULL;
	enum sip_answer ans;
	int64_t id;
	int i;

	id = set1(st, MAC_A, SIP_COMPLETE_REPORT, 3, 0, 0, 1000);
	ok(id > 0, "set an action: id %lld", (long long)id);
	for (i = 1; i <= 3; i++) {
		is_int(sip_store_boot(st, m.mac, 1000 + i, &ans, &act, &err),
		    SIP_OK, "boot %d", i);
		ok(ans == SIP_ANSWER_ACTION && act != NULL && act->id == id &&
		    act->boots == i && act->state == SIP_ST_BOOTING,
		    "boot %d: the action, boots %d", i, i);
		if (i == 1)
			ok(act != NULL && act->noptions == 2 &&
			    strcmp(act->options[0].key, "image") == 0 &&
			    strcmp(act->options[0].value, "win10") == 0 &&
			    strcmp(act->options[1].key, "part") == 0 &&
			    is_token(act->token) &&
			    strcmp(act->name, "winstall:install") == 0 &&
			    strcmp(act->created_by, "admin") == 0,
			    "the served action has its options in order and "
			    "a token");
		sip_action_free(act);
	}
	is_int(sip_store_boot(st, m.mac, 1010, &ans, &act, &err), SIP_OK,
	    "boot 4");
	ok(ans == SIP_ANSWER_DEFAULT && act == NULL,
	    "boot 4 past max_boots: default answer");
	is_int(sip_store_last_action(st, MAC_A, &last, &err), SIP_OK,
	    "last action");
	ok(last != NULL && last->state == SIP_ST_FAILED && last->boots == 3 &&
	    last->updated_at == 1010, "it failed after max_boots");
	sip_action_free(last);
	is_int(sip_store_boot(st, m.mac, 1011, &ans, &act, &err), SIP_OK,
	    "boot 5");
	ok(ans == SIP_ANSWER_DEFAULT && act == NULL, "still the default");
	ok(history_is(st, MAC_A, want, SIP_ARRAY_SIZE(want)),
	    "history in order: set, booting, served x3, failed");
	is_int(sip_store_active_action(st, MAC_A, &act, &err), SIP_ENOTFOUND,
	    "no active action left");
	ok(act == NULL, "and none returned");
	is_int(sip_store_integrity(st, &err), SIP_OK, "integrity ok");
	sip_store_close(st);
}

static void
test_oneshot(void)
{
	static const char *const want[] = {
		"set - pending admin image=win10 part=1",
		"boot pending done client -",
		"served - - client boot 1/1",
	};
	struct sip_store *st = store_new("oneshot.db");
	struct sip_machine m = { .mac = MAC_A };
	struct sip_err err = { "" };
	struct sip_action *act = NULL;
	enum sip_answer ans;

	set1(st, MAC_A, SIP_COMPLETE_ONESHOT, 1, 0, 0, 1000);
	is_int(sip_store_boot(st, m.mac, 1001, &ans, &act, &err), SIP_OK,
	    "oneshot boot");
	ok(ans == SIP_ANSWER_ACTION && act != NULL &&
	    act->state == SIP_ST_DONE && act->boots == 1,
	    "served once, and done");
	sip_action_free(act);
	is_int(sip_store_boot(st, m.mac, 1002, &ans, &act, &err), SIP_OK,
	    "second boot");
	ok(ans == SIP_ANSWER_DEFAULT && act == NULL, "default the second time");
	ok(history_is(st, MAC_A, want, SIP_ARRAY_SIZE(want)),
	    "history: set, done, served");
	sip_store_close(st);
}

static void
test_report(void)
{
	static const char *const want[] = {
		"set - pending admin image=win10 part=1",
		"boot pending booting client -",
		"served - - client boot 1/3",
		/* A transition is its own row, as a boot's is. */
		"running booting running client -",
		"report - - client running 40%: copying",
		"report - - client running 60%",
		"done running done client -",
		"report - - client done 100%: all good",
	};
	struct sip_store *st = store_new("report.db");
	struct sip_machine m = { .mac = MAC_A };
	struct sip_err err = { "" };
	struct sip_action *act = NULL, *r = NULL;
	char token[SIP_TOKEN_STRLEN], bad[SIP_TOKEN_STRLEN];
	char other[SIP_TOKEN_STRLEN];
	char *before, *after;
	enum sip_answer ans;
	const char *path = db_path("report.db");
	size_t i;

	set1(st, MAC_A, SIP_COMPLETE_REPORT, 3, 0, 0, 1000);
	set1(st, MAC_B, SIP_COMPLETE_REPORT, 3, 0, 0, 1000);
	sip_store_boot(st, m.mac, 1001, &ans, &act, &err);
	if (act == NULL) {
		ok(0, "boot gave no action: %s", err.msg);
		sip_store_close(st);
		return;
	}
	strcpy(token, act->token);
	sip_action_free(act);
	act = NULL;

	/* Refusals first: each must leave every table exactly as it was. */
	before = raw_dump(path);
	strcpy(bad, token);
	bad[31] = bad[31] == '0' ? '1' : '0';
	is_int(sip_store_report(st, bad, SIP_EV_DONE, 100, "x", 1002, &r, &err),
	    SIP_EDENIED, "wrong token: denied");
	ok(r == NULL && strstr(err.msg, bad) == NULL &&
	    strstr(err.msg, token) == NULL,
	    "no action, no token in the message: %s", err.msg);
	for (i = 0; i < sizeof(token) - 1; i++)
		bad[i] = token[i] >= 'a' ? token[i] - 'a' + 'A' : token[i];
	bad[i] = '\0';
	is_int(sip_store_report(st, bad, SIP_EV_DONE, 100, NULL, 1002, NULL,
	    &err), SIP_EDENIED, "upper-case token: denied");
	is_int(sip_store_report(st, "abc", SIP_EV_DONE, 100, NULL, 1002, NULL,
	    &err), SIP_EDENIED, "short token: denied");
	is_int(sip_store_report(st, "", SIP_EV_DONE, 100, NULL, 1002, NULL,
	    &err), SIP_EDENIED, "empty token: denied");
	is_int(sip_store_report(st, NULL, SIP_EV_DONE, 100, NULL, 1002, NULL,
	    &err), SIP_EDENIED, "no token: denied");
	is_int(sip_store_report(st, token, SIP_EV_BOOT, 0, NULL, 1002, NULL,
	    &err), SIP_EINVAL, "boot is not a report");
	is_int(sip_store_report(st, token, SIP_EV_RUNNING, 101, NULL, 1002,
	    NULL, &err), SIP_EINVAL, "progress over 100");

	/* MAC_B's action was never served: its token is useless. */
	is_int(sip_store_active_action(st, MAC_B, &act, &err), SIP_OK,
	    "read the pending action");
	strcpy(other, act != NULL ? act->token : "");
	sip_action_free(act);
	act = NULL;
	is_int(sip_store_report(st, other, SIP_EV_RUNNING, 10, NULL, 1002,
	    NULL, &err), SIP_EDENIED, "report on a pending action: denied");
	ok(strstr(err.msg, other) == NULL, "message: %s", err.msg);
	after = raw_dump(path);
	is_str(after, before, "refused reports changed nothing");
	free(after);

	/* The store judges msg too, whoever calls it: UTF-8, no control. */
	is_int(sip_store_report(st, token, SIP_EV_RUNNING, 40, "caf\xe9", 1003,
	    &r, &err), SIP_EINVAL, "report with a Latin-1 msg: EINVAL");
	ok(r == NULL && strstr(err.msg, "msg: not UTF-8") != NULL,
	    "message: %s", err.msg);
	is_int(sip_store_report(st, token, SIP_EV_RUNNING, 40, "\x1b[2J", 1003,
	    &r, &err), SIP_EINVAL, "report with an escape in msg: EINVAL");
	after = raw_dump(path);
	is_str(after, before, "bad msgs stored nothing");
	free(after);

	is_int(sip_store_report(st, token, SIP_EV_RUNNING, 40, "copying", 1003,
	    &r, &err), SIP_OK, "report running 40%%");
	ok(r != NULL && r->state == SIP_ST_RUNNING && r->progress == 40 &&
	    r->message != NULL && strcmp(r->message, "copying") == 0 &&
	    r->updated_at == 1003, "running, 40%%, message kept");
	sip_action_free(r);
	is_int(sip_store_report(st, token, SIP_EV_RUNNING, 60, NULL, 1004, &r,
	    &err), SIP_OK, "report running 60%%, no message");
	ok(r != NULL && r->progress == 60 && r->message != NULL &&
	    strcmp(r->message, "copying") == 0,
	    "progress moves, the last message stays");
	sip_action_free(r);
	is_int(sip_store_report(st, token, SIP_EV_DONE, 100, "all good", 1005,
	    &r, &err), SIP_OK, "report done");
	ok(r != NULL && r->state == SIP_ST_DONE, "done");
	sip_action_free(r);

	free(before);
	before = raw_dump(path);
	is_int(sip_store_report(st, token, SIP_EV_DONE, 100, "again", 1006, &r,
	    &err), SIP_EDENIED, "replayed done: denied");
	ok(r == NULL && strstr(err.msg, token) == NULL, "message: %s",
	    err.msg);
	is_int(sip_store_report(st, token, SIP_EV_FAILED, -1, NULL, 1006, NULL,
	    &err), SIP_EDENIED, "failed after done: denied");
	after = raw_dump(path);
	is_str(after, before, "the replay changed nothing");
	free(after);
	free(before);
	ok(history_is(st, MAC_A, want, SIP_ARRAY_SIZE(want)),
	    "history: set, booting, served, one row per transition, three "
	    "reports");
	sip_store_close(st);
}

/* Past expires_at a report is refused unsaved; a boot saves the expiry. */
static void
test_expiry(void)
{
	static const char *const want[] = {
		"set - pending admin image=win10 part=1",
		"boot pending booting client -",
		"served - - client boot 1/3",
		"tick booting expired client -",
	};
	struct sip_store *st = store_new("expiry.db");
	struct sip_new_action na;
	struct sip_machine m = { .mac = MAC_A };
	struct sip_err err = { "" };
	struct sip_action *act = NULL;
	char token[SIP_TOKEN_STRLEN] = "";
	char *before, *after;
	enum sip_answer ans;
	const char *path = db_path("expiry.db");
	int64_t id = 0;

	set1(st, MAC_A, SIP_COMPLETE_REPORT, 3, 0, 2000, 1000);
	sip_store_boot(st, m.mac, 1999, &ans, &act, &err);
	ok(ans == SIP_ANSWER_ACTION && act != NULL,
	    "served at expires_at - 1");
	if (act != NULL)
		strcpy(token, act->token);
	sip_action_free(act);
	act = NULL;
	before = raw_dump(path);
	is_int(sip_store_report(st, token, SIP_EV_DONE, 100, NULL, 2000, NULL,
	    &err), SIP_EDENIED, "report at expires_at: denied");
	ok(strstr(err.msg, "expired") != NULL, "message: %s", err.msg);
	after = raw_dump(path);
	is_str(after, before, "a refused report does not even save the expiry");
	free(after);
	free(before);
	is_int(sip_store_boot(st, m.mac, 2000, &ans, &act, &err), SIP_OK,
	    "boot at expires_at");
	ok(ans == SIP_ANSWER_DEFAULT && act == NULL, "default answer");
	is_int(sip_store_last_action(st, MAC_A, &act, &err), SIP_OK, "read it");
	ok(act != NULL && act->state == SIP_ST_EXPIRED && act->boots == 1 &&
	    act->updated_at == 2000, "expired, saved by the boot");
	sip_action_free(act);
	ok(history_is(st, MAC_A, want, SIP_ARRAY_SIZE(want)),
	    "history: the expiry is recorded");

	/* A sum that wrapped is refused, never stored as "never expires". */
	na = new_action(MAC_B, SIP_COMPLETE_REPORT, 3,
	    INT64_C(9223372036854775000), INT64_MIN + 14399);
	before = raw_dump(path);
	is_int(sip_store_set_actions(st, &na, 1, 1000, &id, &err), SIP_EINVAL,
	    "a negative (wrapped) expiry: EINVAL");
	ok(strstr(err.msg, MAC_B) != NULL && strstr(err.msg, "expiry") !=
	    NULL, "message: %s", err.msg);
	na = new_action(MAC_B, SIP_COMPLETE_REPORT, 3, 5000, 5000);
	is_int(sip_store_set_actions(st, &na, 1, 1000, &id, &err), SIP_EINVAL,
	    "an expiry not after the start: EINVAL");
	na = new_action(MAC_B, SIP_COMPLETE_REPORT, 3, -5, 5000);
	is_int(sip_store_set_actions(st, &na, 1, 1000, &id, &err), SIP_EINVAL,
	    "a negative start: EINVAL");
	after = raw_dump(path);
	is_str(after, before, "nothing stored");
	free(after);
	free(before);
	sip_store_close(st);
}

static void
test_replace(void)
{
	static const char *const want[] = {
		"set - pending admin image=win10 part=1",
		"boot pending booting client -",
		"served - - client boot 1/3",
		"replaced booting cancelled admin -",
		"set - scheduled admin image=win10 part=1",
	};
	struct sip_store *st = store_new("replace.db");
	struct sip_machine m = { .mac = MAC_A };
	struct sip_err err = { "" };
	struct sip_action *act = NULL;
	enum sip_answer ans;
	int64_t first, second;

	first = set1(st, MAC_A, SIP_COMPLETE_REPORT, 3, 0, 0, 1000);
	sip_store_boot(st, m.mac, 1001, &ans, &act, &err);
	sip_action_free(act);
	second = set1(st, MAC_A, SIP_COMPLETE_REPORT, 3, 5000, 0, 1002);
	ok(first > 0 && second > first, "second action created");
	is_int(raw_int(db_path("replace.db"),
	    "SELECT count(*) FROM actions WHERE state = 'cancelled'"), 1,
	    "the first one is cancelled");
	is_int(sip_store_active_action(st, MAC_A, &act, &err), SIP_OK,
	    "active action");
	ok(act != NULL && act->id == second &&
	    act->state == SIP_ST_SCHEDULED && act->start_at == 5000,
	    "the new one, scheduled for later");
	sip_action_free(act);
	ok(history_is(st, MAC_A, want, SIP_ARRAY_SIZE(want)),
	    "history: the old one replaced, then the new one set");
	is_int(sip_store_boot(st, m.mac, 1003, &ans, &act, &err), SIP_OK,
	    "boot before start");
	ok(ans == SIP_ANSWER_DEFAULT && act == NULL,
	    "a scheduled action is not served early");
	sip_store_close(st);
}

static void
test_all_or_nothing(void)
{
	struct sip_store *st = store_new("atomic.db");
	struct sip_new_action na[3];
	struct sip_err err = { "" };
	struct sip_action *act = NULL;
	int64_t ids[3] = { -1, -1, -1 }, keep;
	char *before, *after;
	const char *path = db_path("atomic.db");

	keep = set1(st, MAC_B, SIP_COMPLETE_REPORT, 3, 0, 0, 1000);
	before = raw_dump(path);
	na[0] = new_action(MAC_A, SIP_COMPLETE_REPORT, 3, 0, 0);
	na[1] = new_action(MAC_B, SIP_COMPLETE_ONESHOT, 1, 0, 0);
	na[2] = new_action(MAC_C, SIP_COMPLETE_REPORT, 0, 0, 0);
	is_int(sip_store_set_actions(st, na, 3, 1001, ids, &err), SIP_EDB,
	    "third action violates max_boots > 0");
	ok(strstr(err.msg, MAC_C) != NULL && strstr(err.msg, "CHECK") != NULL,
	    "message names the MAC and the check: %s", err.msg);
	ok(ids[0] == 0 && ids[1] == 0 && ids[2] == 0, "no ids handed out");
	after = raw_dump(path);
	is_str(after, before, "nothing created, nothing cancelled");
	free(after);
	free(before);
	is_int(sip_store_active_action(st, MAC_B, &act, &err), SIP_OK,
	    "the old action");
	ok(act != NULL && act->id == keep && act->state == SIP_ST_PENDING,
	    "is still pending");
	sip_action_free(act);

	na[2].max_boots = 2;
	is_int(sip_store_set_actions(st, na, 3, 1002, ids, &err), SIP_OK,
	    "all three valid");
	ok(ids[0] > keep && ids[1] > ids[0] && ids[2] > ids[1],
	    "three new ids");
	is_int(raw_int(path, "SELECT count(*) FROM actions WHERE "
	    ACTIVE_WHERE), 3,
	    "three active actions");
	is_int(raw_int(path, "SELECT count(DISTINCT token) FROM actions"), 4,
	    "every action has its own token");
	is_int(sip_store_set_actions(st, NULL, 0, 1003, NULL, &err), SIP_OK,
	    "setting nothing is fine");
	sip_store_close(st);
}

static void
test_cancel(void)
{
	static const char *const want[] = {
		"set - pending admin image=win10 part=1",
		"cancelled pending cancelled root -",
	};
	const char *macs[] = { MAC_A, MAC_B, MAC_C };
	struct sip_store *st = store_new("cancel.db");
	struct sip_machine m = { .mac = MAC_A };
	struct sip_err err = { "" };
	struct sip_action *act = NULL;
	enum sip_answer ans;
	size_t n = 99;

	set1(st, MAC_A, SIP_COMPLETE_REPORT, 3, 0, 0, 1000);
	set1(st, MAC_C, SIP_COMPLETE_REPORT, 3, 0, 0, 1000);
	is_int(sip_store_cancel(st, macs, 2, "root", 1001, &n, &err), SIP_OK,
	    "cancel A and B");
	is_int(n, 1, "one cancelled (B had none)");
	ok(history_is(st, MAC_A, want, SIP_ARRAY_SIZE(want)),
	    "history: cancelled by root");
	is_int(sip_store_boot(st, m.mac, 1002, &ans, &act, &err), SIP_OK, "boot");
	ok(ans == SIP_ANSWER_DEFAULT && act == NULL,
	    "a cancelled action is not served");
	is_int(sip_store_active_action(st, MAC_C, &act, &err), SIP_OK,
	    "C untouched");
	sip_action_free(act);
	is_int(sip_store_cancel(st, macs, 2, "root", 1003, &n, &err), SIP_OK,
	    "cancel again");
	is_int(n, 0, "nothing left to cancel");
	sip_store_close(st);
}

/*
 * sip_tick: the journal folded, actions stepped through time, what is
 * older than the retention purged: history rows, and finished actions with
 * their options and history (issue 6, defect 9), never an active one.
 */
static void
test_tick(void)
{
	static const char *const want_a[] = {
		"tick pending expired cleanup -",
	};
	static const char *const want_b[] = {
		"tick scheduled pending cleanup -",
	};
	static const char *const want_e[] = {
		"cancelled pending cancelled admin -",
	};
	struct sip_store *st = store_new("cleanup.db");
	struct sip_request req = { .mac = MAC_E, .platform = "efi" };
	struct sip_tick_result res;
	struct sip_machine *mach = NULL;
	struct sip_err err = { "" };
	struct sip_action *act = NULL;
	const char *mac_e = MAC_E;
	enum sip_answer ans;
	const char *path = db_path("cleanup.db");
	char sql[128];
	int64_t id_d;

	set1(st, MAC_A, SIP_COMPLETE_REPORT, 3, 0, 2000, 1000);
	set1(st, MAC_B, SIP_COMPLETE_REPORT, 3, 3000, 0, 1000);
	set1(st, MAC_C, SIP_COMPLETE_REPORT, 3, 0, 0, 1000);
	id_d = set1(st, MAC_D, SIP_COMPLETE_ONESHOT, 1, 0, 0, 1000);
	set1(st, MAC_E, SIP_COMPLETE_REPORT, 3, 0, 0, 1000);
	sip_store_boot(st, MAC_C, 1200, &ans, &act, &err);
	sip_action_free(act);
	act = NULL;
	/* D is done long ago; E is cancelled within the retention. */
	sip_store_boot(st, MAC_D, 1100, &ans, &act, &err);
	sip_action_free(act);
	act = NULL;
	is_int(sip_store_cancel(st, &mac_e, 1, "admin", 2500, NULL, &err),
	    SIP_OK, "cancel E at 2500");
	is_int(raw_int(path, "SELECT count(*) FROM history"), 10,
	    "ten history rows");
	is_int(raw_int(path, "SELECT count(*) FROM action_options"), 10,
	    "ten options");
	is_int(sip_seen_append(path, &req, 1700001300, &err), SIP_OK,
	    "a boot in the seen journal");

	is_int(tick(st, 1500, 0, &res), SIP_OK,
	    "tick before anything is due");
	ok(res.folded == 0 && res.bad == 1, "a journal line more than a day "
	    "after the tick's clock is refused");
	ok(sip_store_machine(st, MAC_E, &mach, &err) == SIP_ENOTFOUND &&
	    mach == NULL, "and not in the machines table");
	ok(res.started == 0 && res.expired == 0 && res.purged_actions == 0 &&
	    res.purged_history == 0, "nothing due, keep 0 purges nothing");

	is_int(tick(st, 4000, 2000, &res), SIP_OK, "tick at 4000, keep 2000");
	is_int(res.folded, 0, "an empty journal");
	is_int(res.started, 1, "one started");
	is_int(res.expired, 1, "one expired");
	is_int(res.purged_actions, 1, "one finished action purged");
	is_int(res.purged_history, 9, "the nine rows before 2000 purged");
	is_int(sip_store_last_action(st, MAC_A, &act, &err), SIP_OK, "A");
	ok(act != NULL && act->state == SIP_ST_EXPIRED, "A expired");
	sip_action_free(act);
	is_int(sip_store_active_action(st, MAC_B, &act, &err), SIP_OK, "B");
	ok(act != NULL && act->state == SIP_ST_PENDING, "B is due: pending");
	sip_action_free(act);
	is_int(sip_store_active_action(st, MAC_C, &act, &err), SIP_OK, "C");
	ok(act != NULL && act->state == SIP_ST_BOOTING,
	    "C still booting: an active action stays, however old");
	sip_action_free(act);
	is_int(sip_store_last_action(st, MAC_D, &act, &err), SIP_ENOTFOUND,
	    "D, done before 2000, is gone");
	is_int(raw_int(path, "SELECT count(*) FROM action_options WHERE "
	    "action_id NOT IN (SELECT id FROM actions)"), 0,
	    "no option is left without its action");
	is_int(raw_int(path, "SELECT count(*) FROM action_options"), 8,
	    "the options of the four others stay");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM history WHERE "
	    "action_id = %lld", (long long)id_d);
	ok(id_d > 0 && raw_int(path, sql) == 0, "D's history went with it");
	ok(history_is(st, MAC_A, want_a, SIP_ARRAY_SIZE(want_a)),
	    "A's history: only the expiry is left");
	ok(history_is(st, MAC_B, want_b, SIP_ARRAY_SIZE(want_b)),
	    "B's history: only the activation is left");
	ok(history_is(st, MAC_D, NULL, 0), "D's history: none");
	ok(history_is(st, MAC_E, want_e, SIP_ARRAY_SIZE(want_e)),
	    "E's history: its cancel, within the retention");
	is_int(raw_int(path, "SELECT count(*) FROM actions"), 4,
	    "four actions left");
	is_int(tick(st, 4001, 2000, &res), SIP_OK, "tick again");
	ok(res.started == 0 && res.expired == 0 && res.purged_actions == 0 &&
	    res.purged_history == 0, "nothing more to do");
	is_int(sip_seen_append(path, &req, 1700001300, &err), SIP_OK,
	    "a boot in the seen journal");
	is_int(tick(st, 1700001300, 0, &res), SIP_OK, "tick at its time");
	ok(res.folded == 1 && res.bad == 0, "the journal line folded");
	ok(sip_store_machine(st, MAC_E, &mach, &err) == SIP_OK &&
	    mach != NULL && mach->last_seen == 1700001300, "into the machines table");
	sip_machine_free(mach);
	sip_store_close(st);
}

static void
test_machine(void)
{
	struct sip_store *st = store_new("machine.db");
	const char *path = db_path("machine.db");
	struct sip_request r = { .mac = MAC_D };
	struct sip_machine *got = NULL;
	struct sip_err err = { "" };
	struct sip_action *act = NULL;
	struct sip_history *h = NULL;
	size_t n = 99, folded = 99, bad = 99;

	is_int(sip_store_machine(st, MAC_D, &got, &err), SIP_ENOTFOUND,
	    "unknown machine");
	is_int(sip_store_fold_seen(st, FOLD_NOW, &folded, &bad, &err), SIP_OK,
	    "fold without a journal");
	ok(folded == 0 && bad == 0, "nothing folded");
	r.platform = "efi";
	r.buildarch = "x86_64";
	r.ip = "10.0.0.5";
	r.serial = "SN1";
	is_int(sip_seen_append(path, &r, 1700001000, &err), SIP_OK,
	    "an unknown MAC boots: one journal line");
	is_int(sip_store_machine(st, MAC_D, &got, &err), SIP_ENOTFOUND,
	    "not in the table before a fold");
	is_int(sip_store_fold_seen(st, FOLD_NOW, &folded, &bad, &err), SIP_OK, "fold");
	ok(folded == 1 && bad == 0, "one line folded");
	is_int(sip_store_machine(st, MAC_D, &got, &err), SIP_OK,
	    "the machine is recorded");
	ok(got != NULL && got->first_seen == 1700001000 &&
	    got->last_seen == 1700001000 &&
	    got->boots == 1 && strcmp(got->platform, "efi") == 0 &&
	    strcmp(got->ip, "10.0.0.5") == 0 && got->uuid == NULL,
	    "first seen, one boot, its fields");
	sip_machine_free(got);

	r.platform = NULL;
	r.serial = NULL;
	r.ip = "10.0.0.6";
	r.uuid = "4c4c4544-0000";
	is_int(sip_seen_append(path, &r, 1700001100, &err), SIP_OK, "boot again");
	/* A line of a leftover generation may come after newer ones. */
	r.ip = "10.0.0.4";
	is_int(sip_seen_append(path, &r, 1700000900, &err), SIP_OK, "a late line");
	is_int(sip_store_fold_seen(st, FOLD_NOW, &folded, &bad, &err), SIP_OK,
	    "fold again");
	ok(folded == 2 && bad == 0, "two lines folded");
	is_int(sip_store_machine(st, MAC_D, &got, &err), SIP_OK, "read again");
	ok(got != NULL && got->first_seen == 1700000900 &&
	    got->last_seen == 1700001100 &&
	    got->boots == 3 && strcmp(got->platform, "efi") == 0 &&
	    strcmp(got->serial, "SN1") == 0 &&
	    strcmp(got->uuid, "4c4c4544-0000") == 0,
	    "first and last seen by time, sent fields overwrite, missing ones kept");
	sip_machine_free(got);
	is_int(sip_store_fold_seen(st, FOLD_NOW, &folded, &bad, &err), SIP_OK,
	    "fold an empty journal");
	ok(folded == 0, "nothing twice");
	is_int(sip_store_history(st, MAC_D, &h, &n, &err), SIP_OK, "history");
	ok(n == 0 && h == NULL, "a default boot writes no history");
	is_int(sip_store_last_action(st, MAC_D, &act, &err), SIP_ENOTFOUND,
	    "no action");
	sip_store_close(st);
}

/* Write s to the file DB-seen.gen (or DB-seen when gen is 0). */
static void
put_gen(const char *db, long long gen, const char *s)
{
	char path[512];
	FILE *fp;

	if (gen == 0)
		snprintf(path, sizeof(path), "%s-seen", db);
	else
		snprintf(path, sizeof(path), "%s-seen.%lld", db, gen);
	if ((fp = fopen(path, "a")) == NULL || fputs(s, fp) == EOF)
		printf("# %s: cannot write\n", path);
	if (fp != NULL)
		fclose(fp);
}

static int
gen_exists(const char *db, long long gen)
{
	char path[512];

	snprintf(path, sizeof(path), "%s-seen.%lld", db, gen);
	return access(path, F_OK) == 0;
}

#define SEEN_LINE(t, mac)	t "\t" mac "\t\t\t\t\t\t\t\n"

/*
 * The generations of the journal: leftovers of folds that died are folded
 * once (not recorded) or unlinked (recorded), lines cut short or from the
 * future are refused, and a failed fold leaves its generation to the next.
 */
static void
test_fold_generations(void)
{
	char path[256];
	struct sip_store *st = store_new("gen.db");
	struct sip_machine *got = NULL;
	struct sip_err err = { "" };
	size_t folded = 99, bad = 99;
	sqlite3 *raw;

	snprintf(path, sizeof(path), "%s", db_path("gen.db"));
	is_int(raw_int(path, "SELECT generation FROM seen_fold"), 0,
	    "a new database: generation 0");
	put_gen(path, 0, SEEN_LINE("1700001000", MAC_A));
	is_int(sip_store_fold_seen(st, FOLD_NOW, &folded, &bad, &err), SIP_OK,
	    "fold");
	ok(folded == 1 && bad == 0, "one line");
	is_int(raw_int(path, "SELECT generation FROM seen_fold"), 1,
	    "generation 1 recorded");
	ok(!gen_exists(path, 1), "and its file unlinked");

	/* A fold that died after its commit: recorded, never folded twice. */
	put_gen(path, 1, SEEN_LINE("1700001001", MAC_A));
	/* One that died before: folded, then the journal as generation 4. */
	put_gen(path, 2, SEEN_LINE("1700001002", MAC_A));
	put_gen(path, 3, SEEN_LINE("1700001003", MAC_B));
	put_gen(path, 0, SEEN_LINE("1700001004", MAC_B));
	is_int(sip_store_fold_seen(st, FOLD_NOW, &folded, &bad, &err), SIP_OK,
	    "fold with leftovers");
	ok(folded == 3 && bad == 0, "generations 2, 3 and the journal: 3 "
	    "lines (%zu)", folded);
	is_int(raw_int(path, "SELECT boots FROM machines WHERE mac = '"
	    MAC_A "'"), 2, "A: its first boot and generation 2's");
	is_int(raw_int(path, "SELECT boots FROM machines WHERE mac = '"
	    MAC_B "'"), 2, "B: generation 3's and the journal's");
	is_int(raw_int(path, "SELECT generation FROM seen_fold"), 4,
	    "generation 4 recorded");
	ok(!gen_exists(path, 1) && !gen_exists(path, 2) &&
	    !gen_exists(path, 3) && !gen_exists(path, 4),
	    "every generation file unlinked");

	/* Cut short, from the future, malformed: refused and counted. */
	put_gen(path, 0, SEEN_LINE("1700001005", MAC_C)
	    SEEN_LINE("1700088401", MAC_C)	/* FOLD_NOW + 1 day + 1 s */
	    SEEN_LINE("1700088400", MAC_D)	/* FOLD_NOW + 1 day */
	    "17000010061700001006\t" MAC_C "\t\t\t\t\t\t\t\n"
	    "1700001007\t" MAC_C "\t\t\t\t\t\t\t");	/* no LF */
	is_int(sip_store_fold_seen(st, FOLD_NOW, &folded, &bad, &err), SIP_OK,
	    "fold refused lines");
	ok(folded == 2 && bad == 3, "2 folded, 3 refused (%zu, %zu)", folded,
	    bad);
	is_int(sip_store_machine(st, MAC_C, &got, &err), SIP_OK, "C");
	ok(got != NULL && got->boots == 1 && got->last_seen == 1700001005,
	    "C: one boot, last seen never in the future");
	sip_machine_free(got);

	/* A commit that fails: the generation stays, and the next fold takes it. */
	put_gen(path, 0, SEEN_LINE("1700001010", MAC_E));
	raw = raw_open(path);
	sqlite3_exec(raw, "CREATE TRIGGER no_fold BEFORE UPDATE ON seen_fold "
	    "BEGIN SELECT RAISE(ABORT, 'no fold'); END", NULL, NULL, NULL);
	err.msg[0] = '\0';
	is_int(sip_store_fold_seen(st, FOLD_NOW, &folded, &bad, &err), SIP_EDB,
	    "a fold that cannot record its generation fails");
	ok(strchr(err.msg, '\n') == NULL && err.msg[0] != '\0', "message: %s",
	    err.msg);
	ok(gen_exists(path, 6), "generation 6 is left for the next fold");
	is_int(raw_int(path, "SELECT count(*) FROM machines WHERE mac = '"
	    MAC_E "'"), 0, "nothing of it folded");
	sqlite3_exec(raw, "DROP TRIGGER no_fold", NULL, NULL, NULL);
	sqlite3_close(raw);
	put_gen(path, 0, SEEN_LINE("1700001011", MAC_E));
	is_int(sip_store_fold_seen(st, FOLD_NOW, &folded, &bad, &err), SIP_OK,
	    "the next fold");
	ok(folded == 2 && bad == 0, "the leftover and the new line (%zu)",
	    folded);
	is_int(raw_int(path, "SELECT boots FROM machines WHERE mac = '"
	    MAC_E "'"), 2, "E: two boots, once each");
	ok(!gen_exists(path, 6) && !gen_exists(path, 7), "no file left");
	is_int(raw_int(path, "SELECT generation FROM seen_fold"), 7,
	    "generation 7 recorded");
	sip_store_close(st);
}

static void
test_status(void)
{
	const char *macs[] = { MAC_B, "52:54:00:00:00:ff" };
	struct sip_store *st = store_new("status.db");
	struct sip_machine m = { .mac = MAC_C };
	struct sip_status_row *rows = NULL;
	struct sip_err err = { "" };
	struct sip_action *act = NULL;
	struct sip_history *h = NULL;
	enum sip_answer ans;
	size_t n = 99;

	is_int(sip_store_status(st, NULL, 0, &rows, &n, &err), SIP_OK,
	    "status of an empty store");
	ok(rows == NULL && n == 0, "no rows");
	set1(st, MAC_B, SIP_COMPLETE_REPORT, 3, 0, 0, 1000);
	set1(st, MAC_A, SIP_COMPLETE_REPORT, 3, 0, 0, 1000);
	set1(st, MAC_A, SIP_COMPLETE_ONESHOT, 1, 0, 0, 1001);
	is_int(sip_seen_append(db_path("status.db"),
	    &(struct sip_request){ .mac = MAC_C }, 1700001002, &err), SIP_OK,
	    "MAC_C boots");
	is_int(sip_store_fold_seen(st, FOLD_NOW, NULL, NULL, &err), SIP_OK, "fold");
	is_int(sip_store_boot(st, m.mac, 1002, &ans, &act, &err), SIP_OK,
	    "and asks the store");
	is_int(sip_store_status(st, NULL, 0, &rows, &n, &err), SIP_OK,
	    "status of everything");
	ok(n == 3 && strcmp(rows[0].action->mac, MAC_A) == 0 &&
	    strcmp(rows[1].action->mac, MAC_B) == 0 &&
	    strcmp(rows[2].machine->mac, MAC_C) == 0,
	    "sorted by MAC, machines and actions alike");
	ok(n == 3 && rows[0].machine == NULL &&
	    rows[0].action->completion == SIP_COMPLETE_ONESHOT &&
	    rows[0].action->noptions == 2 && rows[2].action == NULL,
	    "the latest action, NULL where there is none");
	sip_status_free(rows, n);
	is_int(sip_store_status(st, macs, 2, &rows, &n, &err), SIP_OK,
	    "status of two MACs");
	ok(n == 2 && rows[0].action != NULL && rows[0].machine == NULL &&
	    rows[1].action == NULL && rows[1].machine == NULL,
	    "in the order asked, an unknown MAC has an empty row");
	sip_status_free(rows, n);
	is_int(sip_store_history(st, NULL, &h, &n, &err), SIP_OK,
	    "history of all machines");
	ok(n == 4 && h[0].id < h[3].id && strcmp(h[2].event, "replaced") == 0,
	    "in order");
	sip_history_free(h, n);
	sip_status_free(NULL, 0);
	sip_history_free(NULL, 0);
	sip_action_free(NULL);
	sip_machine_free(NULL);
	sip_store_close(st);
}

static void
test_busy(void)
{
	struct sip_store *st = store_new("busy.db");
	struct sip_machine m = { .mac = MAC_A };
	struct sip_err err = { "" };
	struct sip_action *act = NULL;
	enum sip_answer ans;
	size_t nstarted, nexpired;
	int64_t id = 0;
	sqlite3 *raw;
	char *before, *after;
	struct sip_new_action na = new_action(MAC_A, SIP_COMPLETE_REPORT, 3,
	    0, 0);
	const char *path = db_path("busy.db");

	set1(st, MAC_A, SIP_COMPLETE_REPORT, 3, 0, 0, 1000);
	before = raw_dump(path);
	raw = raw_open(path);
	ok(sqlite3_exec(raw, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK,
	    "another connection holds the write lock");
	is_int(sip_store_boot(st, m.mac, 1001, &ans, &act, &err), SIP_EBUSY,
	    "boot: busy after %d ms", BUSY_MS);
	ok(ans == SIP_ANSWER_DEFAULT && act == NULL &&
	    strstr(err.msg, path) != NULL, "default answer, message: %s",
	    err.msg);
	is_int(sip_store_set_actions(st, &na, 1, 1001, &id, &err), SIP_EBUSY,
	    "set: busy");
	is_int(sip_store_tick_actions(st, 1001, &nstarted, &nexpired, &err),
	    SIP_EBUSY, "tick: busy");
	sqlite3_exec(raw, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(raw);
	after = raw_dump(path);
	is_str(after, before, "nothing written while busy");
	free(after);
	free(before);
	is_int(sip_store_boot(st, m.mac, 1002, &ans, &act, &err), SIP_OK,
	    "the lock gone, the same store works");
	ok(ans == SIP_ANSWER_ACTION && act != NULL, "and serves the action");
	sip_action_free(act);
	sip_store_close(st);
}

/* The schema's CHECK and the state machine's names must agree. */
static void
test_states_fit_schema(void)
{
	struct sip_store *st = store_new("states.db");
	sqlite3 *raw;
	sqlite3_stmt *s = NULL;
	size_t i, bad = 0;
	int rc;

	set1(st, MAC_A, SIP_COMPLETE_REPORT, 3, 0, 0, 1000);
	sip_store_close(st);
	raw = raw_open(db_path("states.db"));
	if (sqlite3_prepare_v2(raw, "UPDATE actions SET state = ?1", -1, &s,
	    NULL) != SQLITE_OK)
		bad++;
	for (i = 0; s != NULL && i < SIP_ST__MAX; i++) {
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, sip_state_name((enum sip_state)i), -1,
		    SQLITE_STATIC);
		if ((rc = sqlite3_step(s)) != SQLITE_DONE) {
			printf("# state %s: %s\n",
			    sip_state_name((enum sip_state)i),
			    sqlite3_errstr(rc));
			bad++;
		}
	}
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, "bogus", -1, SQLITE_STATIC);
	ok(s != NULL && sqlite3_step(s) == SQLITE_CONSTRAINT,
	    "the schema refuses an unknown state");
	sqlite3_finalize(s);
	ok(sqlite3_exec(raw, "UPDATE history SET who = 'x'", NULL, NULL,
	    NULL) != SQLITE_OK, "history cannot be rewritten");
	sqlite3_close(raw);
	is_int(bad, 0, "every state name fits the schema");
}

/*
 * "Active" is sip_state_active: the SQL that selects active actions must
 * pick the same states, and the index of one active action per MAC must
 * say the same, or the planner could not use it.
 */
static void
test_active_where(void)
{
	struct sip_store *st = store_new("active.db");
	sqlite3 *raw;
	sqlite3_stmt *s = NULL;
	const char *sql;
	size_t i, bad = 0;
	int in_sql;

	sip_store_close(st);
	raw = raw_open(db_path("active.db"));
	if (sqlite3_prepare_v2(raw, "SELECT count(*) FROM (SELECT ?1 AS state) "
	    "WHERE " ACTIVE_WHERE, -1, &s, NULL) != SQLITE_OK)
		bad++;
	for (i = 0; s != NULL && i < SIP_ST__MAX; i++) {
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, sip_state_name((enum sip_state)i), -1,
		    SQLITE_STATIC);
		in_sql = sqlite3_step(s) == SQLITE_ROW &&
		    sqlite3_column_int(s, 0) == 1;
		if (in_sql != sip_state_active((enum sip_state)i)) {
			printf("# state %s: SQL says %d, sip_state_active %d\n",
			    sip_state_name((enum sip_state)i), in_sql,
			    sip_state_active((enum sip_state)i));
			bad++;
		}
	}
	sqlite3_finalize(s);
	is_int(bad, 0, "ACTIVE_WHERE selects exactly sip_state_active's states");
	s = NULL;
	sql = NULL;
	if (sqlite3_prepare_v2(raw, "SELECT sql FROM sqlite_master WHERE name "
	    "= 'actions_one_active'", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		sql = (const char *)sqlite3_column_text(s, 0);
	ok(sql != NULL && strstr(sql, "WHERE " ACTIVE_WHERE) != NULL,
	    "the index of one active action per MAC has the same WHERE");
	sqlite3_finalize(s);
	sqlite3_close(raw);
}

/* The token of the MAC's active action, into t; 0 if there is none. */
static int
token_of(struct sip_store *st, const char *mac, char *t)
{
	struct sip_action *act = NULL;
	struct sip_err err = { "" };

	t[0] = '\0';
	if (sip_store_active_action(st, mac, &act, &err) != SIP_OK ||
	    act == NULL) {
		printf("# no active action for %s: %s\n", mac, err.msg);
		return 0;
	}
	memcpy(t, act->token, SIP_TOKEN_STRLEN);
	sip_action_free(act);
	return 1;
}

/*
 * sip_store_token_action, checking what every refusal must hold: no action
 * out, and no token in the message.
 */
static enum sip_rc
token_action(struct sip_store *st, const char *token, time_t now,
    struct sip_action **act)
{
	struct sip_err err = { "" };
	enum sip_rc rc;

	*act = (struct sip_action *)&err;
	rc = sip_store_token_action(st, token, now, act, &err);
	if (rc != SIP_OK && (*act != NULL || err.msg[0] == '\0' ||
	    (token != NULL && *token != '\0' && strstr(err.msg, token) !=
	    NULL))) {
		printf("# refused, but act %p, message '%s'\n", (void *)*act,
		    err.msg);
		rc = SIP_RC__MAX;
	}
	if (rc == SIP_OK && *act == NULL)
		rc = SIP_RC__MAX;
	return rc;
}

/* The token of a pending, booting or running action reads it, nothing else. */
static void
test_token_action(void)
{
	struct sip_store *st = store_new("token.db"), *ro = NULL;
	const char *path = db_path("token.db");
	struct sip_err err = { "" };
	struct sip_action *act = NULL, *r = NULL;
	char token[SIP_TOKEN_STRLEN], other[SIP_TOKEN_STRLEN];
	char bad[SIP_TOKEN_STRLEN + 8], *before, *after;
	enum sip_answer ans;
	int64_t id;
	size_t i;

	id = set1(st, MAC_A, SIP_COMPLETE_REPORT, 3, 0, 2000, 1000);
	set1(st, MAC_B, SIP_COMPLETE_REPORT, 3, 0, 2000, 1000);
	if (!token_of(st, MAC_A, token) || !token_of(st, MAC_B, other)) {
		ok(0, "token action: the actions exist");
		sip_store_close(st);
		return;
	}
	before = raw_dump(path);

	is_int(token_action(st, token, 1001, &act), SIP_OK,
	    "token action: a pending action's token");
	ok(act != NULL && act->id == id && act->state == SIP_ST_PENDING &&
	    strcmp(act->mac, MAC_A) == 0 &&
	    strcmp(act->name, "winstall:install") == 0 &&
	    strcmp(act->token, token) == 0 && act->expires_at == 2000,
	    "token action: ... reads its action");
	ok(act != NULL && act->noptions == 2 &&
	    strcmp(act->options[0].key, "image") == 0 &&
	    strcmp(act->options[0].value, "win10") == 0 &&
	    strcmp(act->options[1].key, "part") == 0 &&
	    strcmp(act->options[1].value, "1") == 0,
	    "token action: ... with its options, in order");
	sip_action_free(act);
	is_int(token_action(st, other, 1001, &act), SIP_OK,
	    "token action: another MAC's token");
	ok(act != NULL && strcmp(act->mac, MAC_B) == 0,
	    "token action: ... reads that MAC's action");
	sip_action_free(act);
	is_int(token_action(st, token, 1999, &act), SIP_OK,
	    "token action: at expires_at - 1");
	sip_action_free(act);

	/* Wrong tokens, whatever their shape. */
	strcpy(bad, token);
	bad[31] = bad[31] == '0' ? '1' : '0';
	is_int(token_action(st, bad, 1001, &act), SIP_EDENIED,
	    "token action: one digit off: denied");
	strcpy(bad, token);
	bad[0] = bad[0] == '0' ? '1' : '0';
	is_int(token_action(st, bad, 1001, &act), SIP_EDENIED,
	    "token action: first digit off: denied");
	for (i = 0; i < SIP_TOKEN_STRLEN - 1; i++)
		bad[i] = token[i] >= 'a' ? token[i] - 'a' + 'A' : token[i];
	bad[i] = '\0';
	is_int(token_action(st, bad, 1001, &act),
	    strcmp(bad, token) == 0 ? SIP_OK : SIP_EDENIED,
	    "token action: upper case: denied");
	snprintf(bad, sizeof(bad), "%.31s", token);
	is_int(token_action(st, bad, 1001, &act), SIP_EDENIED,
	    "token action: 31 digits: denied");
	snprintf(bad, sizeof(bad), "%s0", token);
	is_int(token_action(st, bad, 1001, &act), SIP_EDENIED,
	    "token action: 33 digits: denied");
	snprintf(bad, sizeof(bad), "%s%.8s", token, token);
	is_int(token_action(st, bad, 1001, &act), SIP_EDENIED,
	    "token action: 40 digits: denied");
	snprintf(bad, sizeof(bad), "%.31s%%", token);
	is_int(token_action(st, bad, 1001, &act), SIP_EDENIED,
	    "token action: SQL LIKE wildcard: denied");
	is_int(token_action(st, "abc", 1001, &act), SIP_EDENIED,
	    "token action: short token: denied");
	is_int(token_action(st, "", 1001, &act), SIP_EDENIED,
	    "token action: empty token: denied");
	is_int(token_action(st, NULL, 1001, &act), SIP_EDENIED,
	    "token action: no token: denied");
	is_int(token_action(st, "' OR 1=1 OR token='0000000000000",
	    1001, &act), SIP_EDENIED, "token action: SQL in the token: denied");

	/* Time: at and past expires_at, the token is no more. */
	is_int(token_action(st, token, 2000, &act), SIP_EDENIED,
	    "token action: at expires_at: denied");
	is_int(token_action(st, token, 2001, &act), SIP_EDENIED,
	    "token action: past expires_at: denied");
	err.msg[0] = '\0';
	sip_store_token_action(st, token, 2000, &act, &err);
	ok(strstr(err.msg, "overdue") != NULL, "token action: message: %s",
	    err.msg);

	after = raw_dump(path);
	is_str(after, before, "token action: reading changed nothing");
	free(after);
	free(before);

	/* Served: booting, then running. */
	sip_store_boot(st, MAC_A, 1002, &ans, &act, &err);
	ok(ans == SIP_ANSWER_ACTION && act != NULL, "token action: A boots");
	sip_action_free(act);
	is_int(token_action(st, token, 1003, &act), SIP_OK,
	    "token action: a booting action's token");
	ok(act != NULL && act->state == SIP_ST_BOOTING && act->boots == 1 &&
	    act->noptions == 2, "token action: ... booting, one boot, options");
	sip_action_free(act);
	is_int(sip_store_report(st, token, SIP_EV_RUNNING, 50, "installing",
	    1004, &r, &err), SIP_OK, "token action: A reports running");
	sip_action_free(r);
	is_int(token_action(st, token, 1005, &act), SIP_OK,
	    "token action: a running action's token");
	ok(act != NULL && act->state == SIP_ST_RUNNING && act->progress == 50,
	    "token action: ... running, 50%%");
	sip_action_free(act);

	/* A store opened read-only, as ipxe.cgi opens it, reads it too. */
	if (sip_store_open(path, SIP_STORE_RO, BUSY_MS, &ro, &err) != SIP_OK)
		ok(0, "token action: read-only open: %s", err.msg);
	else {
		is_int(token_action(ro, token, 1005, &act), SIP_OK,
		    "token action: read-only store");
		sip_action_free(act);
		is_int(token_action(ro, bad, 1005, &act), SIP_EDENIED,
		    "token action: read-only store, wrong token: denied");
		sip_store_close(ro);
	}

	/* Finished: done. */
	is_int(sip_store_report(st, token, SIP_EV_DONE, 100, NULL, 1006, &r,
	    &err), SIP_OK, "token action: A reports done");
	sip_action_free(r);
	is_int(token_action(st, token, 1007, &act), SIP_EDENIED,
	    "token action: a done action's token: denied");
	err.msg[0] = '\0';
	sip_store_token_action(st, token, 1007, &act, &err);
	ok(strstr(err.msg, "is done") != NULL, "token action: message: %s",
	    err.msg);
	is_int(token_action(st, other, 1007, &act), SIP_OK,
	    "token action: B's token is still good");
	sip_action_free(act);
	is_int(sip_store_integrity(st, &err), SIP_OK, "token action: integrity");
	sip_store_close(st);
}

/* Every other way an action ends, or has not begun: its token is refused. */
static void
test_token_action_ends(void)
{
	const char *mac_a[] = { MAC_A };
	struct sip_store *st = store_new("token-ends.db");
	struct sip_err err = { "" };
	struct sip_action *act = NULL, *r = NULL;
	char failed[SIP_TOKEN_STRLEN], cancelled[SIP_TOKEN_STRLEN];
	char expired[SIP_TOKEN_STRLEN], scheduled[SIP_TOKEN_STRLEN];
	char replaced[SIP_TOKEN_STRLEN], oneshot[SIP_TOKEN_STRLEN];
	char tok[SIP_TOKEN_STRLEN];
	enum sip_answer ans;
	struct sip_tick_result res;
	size_t n = 0;

	/* Failed by its report. */
	set1(st, MAC_B, SIP_COMPLETE_REPORT, 3, 0, 9000, 1000);
	token_of(st, MAC_B, failed);
	sip_store_boot(st, MAC_B, 1001, &ans, &act, &err);
	sip_action_free(act);
	is_int(sip_store_report(st, failed, SIP_EV_FAILED, -1, "no disk",
	    1002, &r, &err), SIP_OK, "token ends: B reports failed");
	sip_action_free(r);
	is_int(token_action(st, failed, 1003, &act), SIP_EDENIED,
	    "token ends: a failed action's token: denied");

	/* Cancelled by the admin. */
	set1(st, MAC_A, SIP_COMPLETE_REPORT, 3, 0, 9000, 1000);
	token_of(st, MAC_A, cancelled);
	is_int(token_action(st, cancelled, 1001, &act), SIP_OK,
	    "token ends: A's token, before the cancel");
	sip_action_free(act);
	is_int(sip_store_cancel(st, mac_a, 1, "root", 1002, &n, &err), SIP_OK,
	    "token ends: A cancelled");
	is_int(token_action(st, cancelled, 1003, &act), SIP_EDENIED,
	    "token ends: a cancelled action's token: denied");

	/* Replaced by a new action: the old token is refused, the new one not. */
	set1(st, MAC_A, SIP_COMPLETE_REPORT, 3, 0, 9000, 1004);
	token_of(st, MAC_A, replaced);
	set1(st, MAC_A, SIP_COMPLETE_REPORT, 3, 0, 9000, 1005);
	token_of(st, MAC_A, tok);
	ok(strcmp(tok, replaced) != 0, "token ends: a new action, a new token");
	is_int(token_action(st, replaced, 1006, &act), SIP_EDENIED,
	    "token ends: a replaced action's token: denied");
	is_int(token_action(st, tok, 1006, &act), SIP_OK,
	    "token ends: the new action's token");
	sip_action_free(act);

	/* Expired, as saved by a cleanup: refused whatever the time given. */
	set1(st, MAC_C, SIP_COMPLETE_REPORT, 3, 0, 2000, 1000);
	token_of(st, MAC_C, expired);
	sip_store_boot(st, MAC_C, 1001, &ans, &act, &err);
	sip_action_free(act);
	is_int(tick(st, 2500, 0, &res), SIP_OK, "token ends: tick");
	is_int(res.expired, 1, "token ends: C expired");
	is_int(token_action(st, expired, 1500, &act), SIP_EDENIED,
	    "token ends: an expired action's token: denied");
	err.msg[0] = '\0';
	sip_store_token_action(st, expired, 1500, &act, &err);
	ok(strstr(err.msg, "is expired") != NULL, "token ends: message: %s",
	    err.msg);

	/* Scheduled: not begun. */
	set1(st, MAC_D, SIP_COMPLETE_REPORT, 3, 5000, 9000, 1000);
	token_of(st, MAC_D, scheduled);
	is_int(sip_store_active_action(st, MAC_D, &act, &err), SIP_OK,
	    "token ends: D's action");
	ok(act != NULL && act->state == SIP_ST_SCHEDULED,
	    "token ends: ... is scheduled");
	sip_action_free(act);
	is_int(token_action(st, scheduled, 1001, &act), SIP_EDENIED,
	    "token ends: a scheduled action's token: denied");
	is_int(token_action(st, scheduled, 4999, &act), SIP_EDENIED,
	    "token ends: ... until it starts");
	is_int(token_action(st, scheduled, 5000, &act), SIP_OK,
	    "token ends: from its start it is pending, by the state machine");
	ok(act != NULL && act->state == SIP_ST_PENDING,
	    "token ends: ... and says so");
	sip_action_free(act);
	act = NULL;
	is_int(token_action(st, scheduled, 9000, &act), SIP_EDENIED,
	    "token ends: ... until it expires");

	/* Oneshot: done once served, so its token is refused after the boot. */
	set1(st, MAC_B, SIP_COMPLETE_ONESHOT, 1, 0, 9000, 1010);
	token_of(st, MAC_B, oneshot);
	is_int(token_action(st, oneshot, 1011, &act), SIP_OK,
	    "token ends: a pending oneshot action's token");
	sip_action_free(act);
	sip_store_boot(st, MAC_B, 1012, &ans, &act, &err);
	ok(ans == SIP_ANSWER_ACTION && act != NULL &&
	    act->state == SIP_ST_DONE, "token ends: served, the oneshot is done");
	sip_action_free(act);
	is_int(token_action(st, oneshot, 1013, &act), SIP_EDENIED,
	    "token ends: ... and its token denied");
	sip_store_close(st);
}

/* The rows of one action, as text: what a refused request must leave alone. */
static char *
raw_action(const char *path, int64_t id)
{
	sqlite3 *db = raw_open(path);
	sqlite3_stmt *s;
	struct sip_buf b;
	const char *v;
	int c;

	sip_buf_init(&b);
	if (sqlite3_prepare_v2(db, "SELECT * FROM actions WHERE id = ?1", -1,
	    &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, id);
		while (sqlite3_step(s) == SQLITE_ROW)
			for (c = 0; c < sqlite3_column_count(s); c++) {
				v = (const char *)sqlite3_column_text(s, c);
				sip_buf_printf(&b, "%s|", v ? v : "NULL");
			}
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return b.data;
}

/*
 * [security] bind = address: the first boot served pins its address; from
 * elsewhere a boot is the default answer and a report is refused, each
 * recorded with its address, nothing else changed.  bind = none takes
 * any address, and still records it.
 */
static void
test_bind(void)
{
	struct sip_store *st = store_new("bind.db");
	const char *path = db_path("bind.db");
	struct sip_client a = { "192.0.2.10", SIP_BIND_ADDRESS, NULL, NULL };
	struct sip_client b = { "192.0.2.66", SIP_BIND_ADDRESS, NULL, NULL };
	struct sip_client none = { NULL, SIP_BIND_ADDRESS, NULL, NULL };
	struct sip_client b_free = { "192.0.2.66", SIP_BIND_NONE, NULL, NULL };
	struct sip_status_row *rows = NULL;
	struct sip_action *act = NULL;
	struct sip_err err = { "" };
	const char *mac = MAC_A;
	char token[SIP_TOKEN_STRLEN], *before, *after;
	enum sip_answer ans;
	size_t nrows = 0;
	int64_t id;
	int i;

	id = set1(st, MAC_A, SIP_COMPLETE_REPORT, 3, 0, 5000, 1000);
	if (!token_of(st, MAC_A, token)) {
		ok(0, "bind: the action exists");
		sip_store_close(st);
		return;
	}
	/* Before any boot: a report from anywhere is refused. */
	is_int(sip_store_report_from(st, &a, token, SIP_EV_RUNNING, 10, NULL,
	    1001, NULL, &err), SIP_EDENIED, "bind: report before any boot: "
	    "refused");
	ok(strstr(err.msg, "no boot has pinned") != NULL && strstr(err.msg,
	    token) == NULL, "bind: ... says why, not the token: %s", err.msg);
	act = NULL;
	is_int(sip_store_file(st, &a, token, "preseed.cfg", 1001, &act, &err),
	    SIP_EDENIED, "bind: file before any boot: refused");
	ok(act == NULL, "bind: ... and no action out");

	/* A boot without an address is served and pins nothing. */
	is_int(sip_store_boot_from(st, mac, &none, 1002, &ans, &act, &err),
	    SIP_OK, "bind: boot without an address");
	ok(ans == SIP_ANSWER_ACTION && act != NULL &&
	    act->bound_addr[0] == '\0', "bind: ... served, nothing pinned");
	sip_action_free(act);
	act = NULL;
	is_int(sip_store_boot_from(st, mac, &a, 1003, &ans, &act, &err),
	    SIP_OK, "bind: boot from A");
	ok(ans == SIP_ANSWER_ACTION && act != NULL && act->boots == 2 &&
	    strcmp(act->bound_addr, "192.0.2.10") == 0,
	    "bind: ... served, boot 2, A pinned");
	sip_action_free(act);
	act = NULL;

	before = raw_action(path, id);
	is_int(sip_store_report_from(st, &none, token, SIP_EV_DONE, 100, NULL,
	    1005, NULL, &err), SIP_EDENIED, "bind: report without an "
	    "address: refused");
	for (i = 0; i < 50; i++) {
		if (sip_store_boot_from(st, mac, &b, 1004, &ans, &act,
		    &err) != SIP_OK || ans != SIP_ANSWER_REFUSE || act != NULL ||
		    strstr(err.msg, "boot refused: action") == NULL)
			break;
	}
	is_int(i, 50, "bind: 50 boots from B: each refused (the default "
	    "answer), saying why");
	is_int(sip_store_report_from(st, &b, token, SIP_EV_DONE, 100, "pwned",
	    1005, &act, &err), SIP_EDENIED, "bind: report from B: refused");
	ok(act == NULL && strstr(err.msg, "not from the action's address") !=
	    NULL, "bind: ... %s", err.msg);
	is_int(sip_store_file(st, &b, token, "preseed.cfg", 1005, &act, &err),
	    SIP_EDENIED, "bind: file from B: refused");
	after = raw_action(path, id);
	is_str(after, before, "bind: the action unchanged by B (boots, state, "
	    "message)");
	free(after);
	free(before);
	is_int(raw_int(path, "SELECT count(*) FROM history WHERE "
	    "event = 'boot-refused' AND addr = '192.0.2.66'"), 50,
	    "bind: 50 boot-refused rows with B's address");
	is_int(raw_int(path, "SELECT count(*) FROM history WHERE "
	    "event IN ('report-refused', 'file-refused') AND addr = "
	    "'192.0.2.66'"), 2, "bind: report and file refusals with B's "
	    "address");
	is_int(raw_int(path, "SELECT count(*) FROM history WHERE "
	    "event = 'served' AND addr = '192.0.2.10'"), 1,
	    "bind: the boot served from A, with its address");
	is_int(raw_int(path, "SELECT count(*) FROM history WHERE "
	    "event = 'boot' AND addr IS NULL"), 1,
	    "bind: the transition of the boot without address, without one");

	is_int(sip_store_status(st, &mac, 1, &rows, &nrows, &err), SIP_OK,
	    "bind: status");
	ok(nrows == 1 && rows[0].action != NULL && rows[0].refused == 55 &&
	    strcmp(rows[0].refused_addr, "192.0.2.66") == 0 &&
	    strcmp(rows[0].action->bound_addr, "192.0.2.10") == 0,
	    "bind: status: A pinned, 55 refused (2 before the pin, 1 "
	    "without an address, 52 from B), the last from B (%lld)",
	    nrows == 1 ? (long long)rows[0].refused : -1LL);
	sip_status_free(rows, nrows);

	/* The same address in another spelling is the same address. */
	a.addr = "192.0.2.10";
	is_int(sip_store_report_from(st, &a, token, SIP_EV_RUNNING, 40, "ok",
	    1006, NULL, &err), SIP_OK, "bind: report from A: taken");
	is_int(sip_store_file(st, &a, token, "preseed.cfg", 1006, &act, &err),
	    SIP_OK, "bind: file from A: its action");
	ok(act != NULL && act->id == id, "bind: ... the right one");
	is_int(sip_store_file_served(st, &a, act, "preseed.cfg", 1006, &err),
	    SIP_OK, "bind: file served: recorded");
	sip_action_free(act);
	act = NULL;
	is_int(raw_int(path, "SELECT count(*) FROM history WHERE event IN "
	    "('report', 'file') AND addr = '192.0.2.10'"), 2,
	    "bind: report and file from A recorded with A");

	/* bind = none: B acts, and is recorded. */
	is_int(sip_store_boot_from(st, mac, &b_free, 1007, &ans, &act, &err),
	    SIP_OK, "bind none: boot from B");
	ok(ans == SIP_ANSWER_ACTION && act != NULL && act->boots == 3 &&
	    strcmp(act->bound_addr, "192.0.2.10") == 0,
	    "bind none: ... served, boot 3, the pin kept");
	sip_action_free(act);
	act = NULL;
	is_int(sip_store_report_from(st, &b_free, token, SIP_EV_DONE, 100,
	    NULL, 1008, NULL, &err), SIP_OK, "bind none: report from B: taken");
	is_int(raw_int(path, "SELECT count(*) FROM history WHERE event IN "
	    "('served', 'report') AND addr = '192.0.2.66'"), 2,
	    "bind none: ... recorded with B's address");
	sip_store_close(st);
}

/* The seam for a known address (LDAP): set-action gives it, no boot pins. */
static void
test_bind_expected(void)
{
	struct sip_store *st = store_new("expected.db");
	struct sip_client a = { "2001:db8::10", SIP_BIND_ADDRESS, NULL, NULL };
	struct sip_client b = { "2001:db8::66", SIP_BIND_ADDRESS, NULL, NULL };
	struct sip_new_action na = new_action(MAC_A, SIP_COMPLETE_REPORT, 3, 0,
	    5000);
	struct sip_action *act = NULL;
	struct sip_err err = { "" };
	char token[SIP_TOKEN_STRLEN];
	enum sip_answer ans;
	int64_t id = 0;

	na.bound_addr = "not-an-address";
	is_int(sip_store_set_actions(st, &na, 1, 1000, &id, &err), SIP_EINVAL,
	    "expected: a bad address is refused");
	ok(strstr(err.msg, "'not-an-address' is not an address") != NULL,
	    "expected: ... %s", err.msg);
	na.bound_addr = "2001:db8:0::10";
	is_int(sip_store_set_actions(st, &na, 1, 1000, &id, &err), SIP_OK,
	    "expected: set with an expected address");
	if (!token_of(st, MAC_A, token)) {
		ok(0, "expected: the action exists");
		sip_store_close(st);
		return;
	}
	is_int(sip_store_report_from(st, &a, token, SIP_EV_RUNNING, 1, NULL,
	    1001, NULL, &err), SIP_EDENIED, "expected: a report "
	    "from it before a boot: the state refuses it, not the address");
	sip_store_boot_from(st, MAC_A, &b, 1002, &ans, &act, &err);
	ok(ans == SIP_ANSWER_REFUSE && act == NULL,
	    "expected: the first boot from elsewhere pins nothing: refused");
	sip_store_boot_from(st, MAC_A, &a, 1003, &ans, &act, &err);
	ok(ans == SIP_ANSWER_ACTION && act != NULL && act->boots == 1,
	    "expected: from the expected address: served, boot 1");
	sip_action_free(act);
	sip_store_close(st);
}

/*
 * A database of schema 1 with an action whose token has the old 32
 * digits: after the migration its token still reports, by its first 16
 * digits and a constant-time compare of the rest.
 */
static void
test_old_token(void)
{
	struct sip_store *st = store_new("old.db");
	const char *path = db_path("old.db");
	struct sip_client a = { "192.0.2.10", SIP_BIND_ADDRESS, NULL, NULL };
	struct sip_action *act = NULL;
	struct sip_err err = { "" };
	char token[SIP_TOKEN_STRLEN], bad[SIP_TOKEN_STRLEN];
	enum sip_answer ans;
	sqlite3 *raw;
	int64_t id;
	int rc;

	id = set1(st, MAC_A, SIP_COMPLETE_REPORT, 3, 0, 5000, 1000);
	sip_store_close(st);
	st = NULL;
	/* Back to schema 1, as an older se3-ipxe left it. */
	raw = raw_open(path);
	rc = sqlite3_exec(raw, "DROP TABLE images;"
	    "DROP INDEX actions_token_public;"
	    "DROP TABLE power_jobs;"
	    "ALTER TABLE actions DROP COLUMN host;"
	    "ALTER TABLE actions DROP COLUMN bound_serial;"
	    "ALTER TABLE actions DROP COLUMN bound_uuid;"
	    "ALTER TABLE actions DROP COLUMN bind_identity;"
	    "ALTER TABLE actions DROP COLUMN blackout_end;"
	    "ALTER TABLE actions DROP COLUMN bound_addr;"
	    "ALTER TABLE history DROP COLUMN addr;"
	    "DROP TABLE seen_fold;"
	    "UPDATE actions SET token = '00112233445566778899aabbccddeeff';"
	    "PRAGMA user_version = 1;", NULL, NULL, NULL);
	sqlite3_close(raw);
	is_int(rc, SQLITE_OK, "old token: a schema-1 database");
	is_int(sip_store_open(path, SIP_STORE_RW_EXISTING, BUSY_MS, &st, &err),
	    SIP_OK, "old token: it migrates");
	is_int(raw_int(path, "PRAGMA user_version"), sip_store_schema_version(),
	    "old token: ... to the current version");
	is_int(raw_int(path, "SELECT count(*) FROM actions WHERE "
	    "bound_addr IS NULL"), 1, "old token: no address pinned yet");
	if (!token_of(st, MAC_A, token)) {
		ok(0, "old token: the action reads");
		sip_store_close(st);
		return;
	}
	is_str(token, "00112233445566778899aabbccddeeff",
	    "old token: the action reads, its token too");
	sip_store_boot_from(st, MAC_A, &a, 1001, &ans, &act, &err);
	ok(ans == SIP_ANSWER_ACTION && act != NULL && act->id == id,
	    "old token: boot served");
	sip_action_free(act);
	act = NULL;
	snprintf(bad, sizeof(bad), "%s", token);
	bad[31] = 'e';
	is_int(sip_store_report_from(st, &a, bad, SIP_EV_RUNNING, 5, NULL,
	    1002, NULL, &err), SIP_EDENIED, "old token: last digit off: "
	    "refused");
	is_int(sip_store_report_from(st, &a, token, SIP_EV_RUNNING, 5, NULL,
	    1002, NULL, &err), SIP_OK, "old token: reports after the "
	    "migration");
	is_int(raw_int(path, "SELECT count(*) FROM history WHERE event = "
	    "'report' AND addr = '192.0.2.10'"), 1,
	    "old token: ... recorded with its address");
	sip_store_close(st);
}

/*
 * A database of schema version (0 < version < current) as that version
 * of se3-ipxe left it: one action in every state, options written in no
 * sorted order (their rowid is their order), a history row for each; from
 * schema 6 on, its columns filled too.  fk 0 writes an option of no
 * action (what a database written without foreign keys could hold).
 */
static int
old_database(const char *path, int version, int fk)
{
	static const char *const states[] = { "scheduled", "pending",
	    "booting", "running", "done", "failed", "expired", "cancelled" };
	sqlite3 *db;
	sqlite3_stmt *s = NULL;
	char mac[SIP_MAC_STRLEN], token[40], value[32];
	int v, i, k, good = 1;

	unlink(path);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_exec(db, fk ? "PRAGMA foreign_keys = ON" :
	    "PRAGMA foreign_keys = OFF", NULL, NULL, NULL) != SQLITE_OK)
		good = 0;
	for (v = 0; good && v < version; v++)
		if (schema_migration(v) == NULL || sqlite3_exec(db,
		    schema_migration(v), NULL, NULL, NULL) != SQLITE_OK) {
			printf("# migration %d: %s\n", v + 1,
			    sqlite3_errmsg(db));
			good = 0;
		}
	for (i = 0; good && i < 8; i++) {
		snprintf(mac, sizeof(mac), "52:54:00:00:01:%02x", i);
		snprintf(token, sizeof(token), "%016x%016x", i + 1, 0xabc + i);
		if (sqlite3_prepare_v2(db, "INSERT INTO actions (id, mac, name, "
		    "state, completion, token, boots, max_boots, created_at, "
		    "start_at, expires_at, updated_at, progress, message, "
		    "created_by) VALUES (?1, ?2, 'ltsp:boot', ?3, ?4, ?5, ?6, "
		    "100, 1000, ?7, 4000000000, 1001, ?8, ?9, 'admin')", -1, &s,
		    NULL) != SQLITE_OK ||
		    sqlite3_bind_int(s, 1, 10 + i) != SQLITE_OK ||
		    sqlite3_bind_text(s, 2, mac, -1, SQLITE_TRANSIENT) !=
		    SQLITE_OK ||
		    sqlite3_bind_text(s, 3, states[i], -1, SQLITE_STATIC) !=
		    SQLITE_OK ||
		    sqlite3_bind_text(s, 4, i % 2 ? "oneshot" : "report", -1,
		    SQLITE_STATIC) != SQLITE_OK ||
		    sqlite3_bind_text(s, 5, token, -1, SQLITE_TRANSIENT) !=
		    SQLITE_OK ||
		    sqlite3_bind_int(s, 6, i) != SQLITE_OK ||
		    sqlite3_bind_int64(s, 7, i == 0 ? INT64_C(3000000000) :
		    1000) != SQLITE_OK ||
		    sqlite3_bind_int(s, 8, i * 10) != SQLITE_OK ||
		    (i % 3 ? sqlite3_bind_text(s, 9, "m\xc3\xa9ssage", -1,
		    SQLITE_STATIC) : sqlite3_bind_null(s, 9)) != SQLITE_OK ||
		    sqlite3_step(s) != SQLITE_DONE)
			good = 0;
		sqlite3_finalize(s);
		s = NULL;
		for (k = 0; good && k < 3; k++) {
			snprintf(value, sizeof(value), "v%d.%d", i, k);
			if (sqlite3_prepare_v2(db, "INSERT INTO action_options "
			    "(action_id, key, value) VALUES (?1, ?2, ?3)", -1, &s,
			    NULL) != SQLITE_OK ||
			    sqlite3_bind_int(s, 1, 10 + i) != SQLITE_OK ||
			    sqlite3_bind_text(s, 2, k == 0 ? "zeta" : k == 1 ?
			    "alpha" : "mid", -1, SQLITE_STATIC) != SQLITE_OK ||
			    sqlite3_bind_text(s, 3, value, -1, SQLITE_TRANSIENT) !=
			    SQLITE_OK || sqlite3_step(s) != SQLITE_DONE)
				good = 0;
			sqlite3_finalize(s);
			s = NULL;
		}
		if (good && (sqlite3_prepare_v2(db, "INSERT INTO history (at, "
		    "mac, action_id, action, event, old_state, new_state, who, "
		    "detail) VALUES (1000, ?1, ?2, 'ltsp:boot', 'set', NULL, "
		    "?3, 'admin', 'boot 1/100')", -1, &s, NULL) != SQLITE_OK ||
		    sqlite3_bind_text(s, 1, mac, -1, SQLITE_TRANSIENT) !=
		    SQLITE_OK || sqlite3_bind_int(s, 2, 10 + i) != SQLITE_OK ||
		    sqlite3_bind_text(s, 3, states[i], -1, SQLITE_STATIC) !=
		    SQLITE_OK || sqlite3_step(s) != SQLITE_DONE))
			good = 0;
		sqlite3_finalize(s);
		s = NULL;
	}
	if (good && version >= 6 && sqlite3_exec(db, "UPDATE actions SET "
	    "bound_addr = '192.0.2.' || id, blackout_end = 5000 + id, "
	    "bind_identity = id % 2, bound_uuid = CASE WHEN id % 2 THEN "
	    "'4c4c4544-0042-3510-8051-c7c04f' || id END, bound_serial = "
	    "'SN' || id WHERE id > 11", NULL, NULL, NULL) != SQLITE_OK)
		good = 0;
	if (good && !fk && sqlite3_exec(db, "INSERT INTO action_options "
	    "(action_id, key, value) VALUES (99, 'orphan', 'x')", NULL, NULL,
	    NULL) != SQLITE_OK)
		good = 0;
	if (!good)
		printf("# old database %d: %s\n", version, sqlite3_errmsg(db));
	sqlite3_close(db);
	return good;
}

/*
 * Every older schema migrates to the current one, the actions table
 * rebuilt (6 -> 7) with every row, option (and its order) and history row
 * kept, its indexes and foreign key back; a persistent action fits after.
 */
static void
test_migrate_rebuild(void)
{
	static const char *const base[] = {
		"SELECT id, mac, name, state, completion, token, boots, "
		"max_boots, created_at, start_at, expires_at, updated_at, "
		"progress, message, created_by FROM actions ORDER BY id",
		"SELECT rowid, action_id, key, value FROM action_options "
		"ORDER BY rowid",
		"SELECT id, at, mac, action_id, action, event, old_state, "
		"new_state, who, detail FROM history ORDER BY id",
	};
	static const char *const v6[] = {
		"SELECT id, bound_addr, blackout_end, bind_identity, "
		"bound_uuid, bound_serial FROM actions ORDER BY id",
	};
	const char *path = db_path("mig.db");
	struct sip_store *st = NULL;
	struct sip_action *act = NULL;
	struct sip_err err = { "" };
	char *before, *after, *before6 = NULL, *after6 = NULL;
	sqlite3 *raw;
	int version, rc;

	for (version = 1; version < sip_store_schema_version(); version++) {
		if (!ok(old_database(path, version, 1), "migrate %d: an old "
		    "database", version))
			continue;
		before = rows_text(path, base, SIP_ARRAY_SIZE(base));
		if (version >= 6)
			before6 = rows_text(path, v6, 1);
		st = NULL;
		if (!is_int(sip_store_open(path, SIP_STORE_RW_EXISTING,
		    BUSY_MS, &st, &err), SIP_OK, "migrate %d: opens",
		    version))
			printf("# %s\n", err.msg);
		is_int(raw_int(path, "PRAGMA user_version"),
		    sip_store_schema_version(), "migrate %d: to the current "
		    "version", version);
		after = rows_text(path, base, SIP_ARRAY_SIZE(base));
		ok(before != NULL && after != NULL && strcmp(before, after) ==
		    0 && strstr(after, "cancelled") != NULL,
		    "migrate %d: every action, option (in its order) and "
		    "history row kept", version);
		free(before);
		free(after);
		if (version >= 6) {
			after6 = rows_text(path, v6, 1);
			ok(before6 != NULL && after6 != NULL &&
			    strcmp(before6, after6) == 0 &&
			    strstr(after6, "SN17") != NULL,
			    "migrate %d: addresses, blackout, SMBIOS binding "
			    "kept", version);
			free(before6);
			free(after6);
			before6 = after6 = NULL;
		}
		is_int(raw_int(path, "SELECT count(*) FROM sqlite_schema WHERE "
		    "type = 'index' AND tbl_name = 'actions' AND name IN "
		    "('actions_one_active', 'actions_mac', "
		    "'actions_token_public')"), 3,
		    "migrate %d: the indexes are back", version);
		is_int(raw_int(path, "SELECT count(*) FROM sqlite_schema WHERE "
		    "name LIKE 'actions_%' AND type = 'table'"), 0,
		    "migrate %d: nothing set aside is left", version);
		is_int(raw_int(path, "SELECT count(*) FROM "
		    "pragma_foreign_key_check"), 0,
		    "migrate %d: no foreign key broken", version);
		is_int(raw_int(path, "SELECT count(*) FROM "
		    "pragma_foreign_key_list('action_options') WHERE "
		    "\"table\" = 'actions'"), 1,
		    "migrate %d: options still refer to actions", version);
		if (st == NULL)
			continue;
		/* The active one of its MAC, with its options in their order. */
		act = NULL;
		if (sip_store_active_action(st, "52:54:00:00:01:02", &act,
		    &err) == SIP_OK && act != NULL && act->noptions == 3)
			ok(act->id == 12 && strcmp(act->options[0].key,
			    "zeta") == 0 && strcmp(act->options[1].key,
			    "alpha") == 0 && strcmp(act->options[2].key,
			    "mid") == 0 && act->state == SIP_ST_BOOTING,
			    "migrate %d: the booting action reads, options in "
			    "their order", version);
		else
			ok(0, "migrate %d: the booting action reads: %s",
			    version, err.msg);
		sip_action_free(act);
		/* One active per MAC: a new action replaces the running one. */
		ok(set1(st, "52:54:00:00:01:03", SIP_COMPLETE_PERSISTENT, 1000,
		    0, 4000000000LL, 2000) > 17, "migrate %d: a persistent "
		    "action is set", version);
		is_int(raw_int(path, "SELECT count(*) FROM actions WHERE mac = "
		    "'52:54:00:00:01:03' AND state = 'cancelled'"), 1,
		    "migrate %d: ... replacing the running one", version);
		sip_store_close(st);
		st = NULL;
		raw = raw_open(path);
		rc = sqlite3_exec(raw, "INSERT INTO actions (mac, name, state, "
		    "completion, token, max_boots, created_at, start_at, "
		    "expires_at, updated_at, created_by) VALUES "
		    "('52:54:00:00:01:02', 'x:y', 'pending', 'report', "
		    "'ffffffffffffffff0000000000000000', 1, 1, 1, 2, 1, 'a')",
		    NULL, NULL, NULL);
		is_int(rc, SQLITE_CONSTRAINT, "migrate %d: still one active "
		    "action per MAC", version);
		rc = sqlite3_exec(raw, "PRAGMA foreign_keys = ON;"
		    "INSERT INTO action_options VALUES (999, 'k', 'v')", NULL,
		    NULL, NULL);
		is_int(rc, SQLITE_CONSTRAINT, "migrate %d: an option of no "
		    "action is refused", version);
		rc = sqlite3_exec(raw, "UPDATE actions SET completion = "
		    "'sometimes' WHERE id = 10", NULL, NULL, NULL);
		is_int(rc, SQLITE_CONSTRAINT, "migrate %d: an unknown "
		    "completion is refused", version);
		sqlite3_close(raw);
	}

	/*
	 * An option of no action: the migration that rebuilds actions (6 ->
	 * 7, completion 'persistent') fails whole, nothing lost.
	 */
	version = 6;
	if (!ok(old_database(path, version, 0), "migrate: a database with an "
	    "option of no action"))
		return;
	before = rows_text(path, base, SIP_ARRAY_SIZE(base));
	st = NULL;
	is_int(sip_store_open(path, SIP_STORE_RW_EXISTING, BUSY_MS, &st, &err),
	    SIP_EDB, "migrate: refused");
	ok(strstr(err.msg, "migrate schema to version") != NULL &&
	    strstr(err.msg, "FOREIGN KEY") != NULL, "migrate: says why: %s",
	    err.msg);
	sip_store_close(st);
	is_int(raw_int(path, "PRAGMA user_version"), version,
	    "migrate: the version is left as it was");
	after = rows_text(path, base, SIP_ARRAY_SIZE(base));
	ok(before != NULL && after != NULL && strcmp(before, after) == 0,
	    "migrate: every row left as it was");
	is_int(raw_int(path, "SELECT count(*) FROM sqlite_schema WHERE "
	    "name LIKE 'actions_%' AND type = 'table'"), 0,
	    "migrate: nothing set aside is left");
	free(before);
	free(after);
}

/*
 * The token lookup compares only the public part through an index: the
 * planner must use actions_token_public, never the token's own index.
 */
static void
test_token_plan(void)
{
	struct sip_store *st = store_new("plan.db");
	sqlite3 *raw = raw_open(db_path("plan.db"));
	sqlite3_stmt *s = NULL;
	struct sip_buf plan;
	int found = 0;

	sip_store_close(st);
	sip_buf_init(&plan);
	if (sqlite3_prepare_v2(raw, "EXPLAIN QUERY PLAN SELECT id FROM "
	    "actions WHERE substr(token, 1, 16) = ?1", -1, &s, NULL) ==
	    SQLITE_OK)
		while (sqlite3_step(s) == SQLITE_ROW) {
			sip_buf_puts(&plan, (const char *)sqlite3_column_text(s,
			    3));
			sip_buf_puts(&plan, "; ");
		}
	sqlite3_finalize(s);
	sqlite3_close(raw);
	found = plan.data != NULL &&
	    strstr(plan.data, "actions_token_public") != NULL;
	ok(found, "token lookup uses the public-part index: %s",
	    plan.data != NULL ? plan.data : "(no plan)");
	sip_buf_free(&plan);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp %s\n", tmpdir);
		return EXIT_FAILURE;
	}
	test_token();
	test_open();
	test_versions();
	test_boot_limit();
	test_oneshot();
	test_report();
	test_expiry();
	test_replace();
	test_all_or_nothing();
	test_cancel();
	test_tick();
	test_machine();
	test_fold_generations();
	test_status();
	test_busy();
	test_states_fit_schema();
	test_active_where();
	test_token_action();
	test_token_action_ends();
	test_bind();
	test_bind_expected();
	test_old_token();
	test_migrate_rebuild();
	test_token_plan();
	tap_rmtree(tmpdir);
	return done_testing();
}
