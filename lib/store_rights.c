/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SE3's delegations in the store: which login may manage or view which parc. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sqlite3.h>

#include "se3ipxe.h"
#include "extern.h"
#include "store.h"

/* Stored, never renamed: the CHECK of the delegations table says the same. */
static const char *const level_names[] = { "manage", "view", NULL };

const char *
sip_level_name(enum sip_level l)
{
	return l < SIP_LEVEL__MAX ? level_names[l] : "?";
}

enum sip_rc
sip_level_parse(const char *s, enum sip_level *l)
{
	size_t i;

	for (i = 0; i < SIP_LEVEL__MAX; i++)
		if (strcmp(s, level_names[i]) == 0) {
			*l = (enum sip_level)i;
			return SIP_OK;
		}
	return SIP_EINVAL;
}

enum sip_rc
sip_login_check(const char *s)
{
	size_t n;

	n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-");
	if (n == 0 || n > SIP_LOGIN_MAX || s[n] != '\0' || s[0] == '-' ||
	    s[0] == '.')
		return SIP_EINVAL;
	return SIP_OK;
}

/* What every write checks first: a login and a parc fit for SQL, DN and message alike. */
static enum sip_rc
names_check(const char *login, const char *parc, struct sip_err *err)
{
	char buf[48];

	if (sip_login_check(login) != SIP_OK)
		return sip_errf(err, SIP_EINVAL, "'%s': not a login (1 to %d "
		    "letters, digits, '.', '_' or '-')",
		    sip_shorten(login, buf, sizeof(buf)), SIP_LOGIN_MAX);
	if (sip_value_check(SIP_T_WORD, parc) != SIP_OK)
		return sip_errf(err, SIP_EINVAL, "'%s': not a parc name (1 to "
		    "64 letters, digits, '.', '_' or '-')",
		    sip_shorten(parc, buf, sizeof(buf)));
	return SIP_OK;
}

enum sip_rc
sip_store_delegate(struct sip_store *st, const char *login, const char *parc,
    enum sip_level level, const char *who, time_t now, enum sip_level *had,
    struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	enum sip_level old = SIP_LEVEL__MAX;
	enum sip_rc ret;
	const char *v;
	int rc;

	if (had != NULL)
		*had = SIP_LEVEL__MAX;
	if ((ret = names_check(login, parc, err)) != SIP_OK)
		return ret;
	if (level >= SIP_LEVEL__MAX)
		return sip_errf(err, SIP_EINVAL, "bad delegation level");
	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	if ((rc = sqlite3_prepare_v2(st->db, "SELECT level FROM delegations "
	    "WHERE login = ?1 AND parc = ?2", -1, &s, NULL)) != SQLITE_OK ||
	    (rc = bind_text(s, 1, login)) != SQLITE_OK ||
	    (rc = bind_text(s, 2, parc)) != SQLITE_OK) {
		ret = db_err(st, rc, err, "read delegation");
		goto fail;
	}
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((v = col_text(s, 0)) == NULL ||
		    sip_level_parse(v, &old) != SIP_OK)
			old = SIP_LEVEL__MAX;
	} else if (rc != SQLITE_DONE) {
		ret = db_err(st, rc, err, "read delegation");
		goto fail;
	}
	sqlite3_finalize(s);
	s = NULL;
	/* The spelling given last is kept: it is how the admin writes it. */
	if ((rc = sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO "
	    "delegations (login, parc, level, set_by, set_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5)", -1, &s, NULL)) != SQLITE_OK ||
	    (rc = bind_text(s, 1, login)) != SQLITE_OK ||
	    (rc = bind_text(s, 2, parc)) != SQLITE_OK ||
	    (rc = bind_text(s, 3, sip_level_name(level))) != SQLITE_OK ||
	    (rc = bind_text(s, 4, who != NULL ? who : "")) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 5, (sqlite3_int64)now)) !=
	    SQLITE_OK || (rc = sqlite3_step(s)) != SQLITE_DONE) {
		ret = db_err(st, rc, err, "write delegation");
		goto fail;
	}
	sqlite3_finalize(s);
	s = NULL;
	if ((ret = tx_commit(st, err)) != SIP_OK)
		goto fail;
	if (had != NULL)
		*had = old;
	return SIP_OK;
 fail:
	sqlite3_finalize(s);
	tx_rollback(st);
	return ret;
}

enum sip_rc
sip_store_undelegate(struct sip_store *st, const char *login,
    const char *parc, struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	enum sip_rc ret;
	int rc;

	if ((ret = names_check(login, parc, err)) != SIP_OK)
		return ret;
	if ((rc = sqlite3_prepare_v2(st->db, "DELETE FROM delegations "
	    "WHERE login = ?1 AND parc = ?2", -1, &s, NULL)) != SQLITE_OK ||
	    (rc = bind_text(s, 1, login)) != SQLITE_OK ||
	    (rc = bind_text(s, 2, parc)) != SQLITE_OK ||
	    (rc = sqlite3_step(s)) != SQLITE_DONE) {
		ret = db_err(st, rc, err, "remove delegation");
		goto out;
	}
	if (sqlite3_changes(st->db) == 0)
		ret = sip_errf(err, SIP_ENOTFOUND, "%s has no delegation on "
		    "parc %s", login, parc);
 out:
	sqlite3_finalize(s);
	return ret;
}

void
sip_delegations_free(struct sip_delegation *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(v[i].login);
		free(v[i].parc);
		free(v[i].set_by);
	}
	free(v);
}

enum sip_rc
sip_store_delegations(struct sip_store *st, const char *login,
    struct sip_delegation **out, size_t *nout, struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	struct sip_delegation *v = NULL, *nv, *d;
	size_t n = 0, cap = 0;
	enum sip_rc ret = SIP_OK;
	const char *lv;
	int rc;

	*out = NULL;
	*nout = 0;
	if ((rc = sqlite3_prepare_v2(st->db, login == NULL ?
	    "SELECT login, parc, level, set_by, set_at FROM delegations "
	    "ORDER BY login, parc" :
	    "SELECT login, parc, level, set_by, set_at FROM delegations "
	    "WHERE login = ?1 ORDER BY login, parc", -1, &s, NULL)) !=
	    SQLITE_OK ||
	    (login != NULL && (rc = bind_text(s, 1, login)) != SQLITE_OK)) {
		ret = db_err(st, rc, err, "read delegations");
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = reallocarray(v, cap, sizeof(*nv))) == NULL) {
				ret = nomem(st, err);
				goto out;
			}
			v = nv;
		}
		/* Counted before filled, so a failure frees what was copied. */
		d = &v[n++];
		memset(d, 0, sizeof(*d));
		if (col_strdup(s, 0, &d->login) == -1 ||
		    col_strdup(s, 1, &d->parc) == -1 ||
		    col_strdup(s, 3, &d->set_by) == -1) {
			ret = nomem(st, err);
			goto out;
		}
		if (d->login == NULL || d->parc == NULL ||
		    (lv = col_text(s, 2)) == NULL ||
		    sip_level_parse(lv, &d->level) != SIP_OK) {
			ret = sip_errf(err, SIP_EDB, "%s: a delegation row is "
			    "malformed", st->path);
			goto out;
		}
		d->set_at = sqlite3_column_int64(s, 4);
	}
	if (rc != SQLITE_DONE) {
		ret = db_err(st, rc, err, "read delegations");
		goto out;
	}
	*out = v;
	*nout = n;
	v = NULL;
	n = 0;
 out:
	sqlite3_finalize(s);
	sip_delegations_free(v, n);
	return ret;
}
