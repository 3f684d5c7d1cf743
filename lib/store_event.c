/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The store's read of each machine's last event, for the status page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"
#include "store.h"

/* history_mac (mac, id) answers it from the index's last entry. */
#define SQL_LAST_EVENT \
	"SELECT id, at, action_id, action, event, old_state, new_state, " \
	"who, addr FROM history WHERE mac = ?1 ORDER BY id DESC LIMIT 1"

enum sip_rc
sip_store_last_events(struct sip_store *st, const char *const *macs,
    size_t n, struct sip_history **out, struct sip_err *err)
{
	struct sip_history *l = NULL, *h;
	sqlite3_stmt *s = NULL;
	enum sip_rc ret;
	size_t i;
	int rc;

	*out = NULL;
	if (n == 0)
		return SIP_OK;
	if ((l = calloc(n, sizeof(*l))) == NULL)
		return nomem(st, err);
	if ((ret = tx_begin(st, "BEGIN", err)) != SIP_OK)
		goto out;
	for (i = 0; i < n; i++) {
		h = &l[i];
		if ((rc = stmt_get(st, SQL_LAST_EVENT, &s)) != SQLITE_OK ||
		    (rc = bind_text(s, 1, macs[i])) != SQLITE_OK) {
			ret = db_err(st, rc, err, "read the last event of %s",
			    macs[i]);
			goto out;
		}
		if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			h->id = sqlite3_column_int64(s, 0);
			h->at = sqlite3_column_int64(s, 1);
			snprintf(h->mac, sizeof(h->mac), "%s", macs[i]);
			h->action_id = sqlite3_column_int64(s, 2);
			if (col_strdup(s, 3, &h->action) == -1 ||
			    col_strdup(s, 4, &h->event) == -1 ||
			    col_strdup(s, 5, &h->old_state) == -1 ||
			    col_strdup(s, 6, &h->new_state) == -1 ||
			    col_strdup(s, 7, &h->who) == -1 ||
			    col_strdup(s, 8, &h->addr) == -1) {
				ret = nomem(st, err);
				goto out;
			}
		} else if (rc != SQLITE_DONE) {
			ret = db_err(st, rc, err, "read the last event of %s",
			    macs[i]);
			goto out;
		}
		stmt_put(st, s);
		s = NULL;
	}
	if ((ret = tx_commit(st, err)) != SIP_OK)
		goto out;
	*out = l;
	l = NULL;
 out:
	stmt_put(st, s);
	if (l != NULL) {
		tx_rollback(st);
		sip_history_free(l, n);
	}
	return ret;
}
