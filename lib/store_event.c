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

struct last_events {
	struct sip_history	*l;
	const char *const	*macs;
};

static int
last_event_row(sqlite3_stmt *s, size_t i, void *ctx)
{
	struct last_events *le = ctx;
	struct sip_history *h = &le->l[i];

	h->id = sqlite3_column_int64(s, 0);
	h->at = sqlite3_column_int64(s, 1);
	snprintf(h->mac, sizeof(h->mac), "%s", le->macs[i]);
	h->action_id = sqlite3_column_int64(s, 2);
	return col_strdup(s, 3, &h->action) == -1 ||
	    col_strdup(s, 4, &h->event) == -1 ||
	    col_strdup(s, 5, &h->old_state) == -1 ||
	    col_strdup(s, 6, &h->new_state) == -1 ||
	    col_strdup(s, 7, &h->who) == -1 ||
	    col_strdup(s, 8, &h->addr) == -1 ? -1 : 0;
}

enum sip_rc
sip_store_last_events(struct sip_store *st, const char *const *macs,
    size_t n, struct sip_history **out, struct sip_err *err)
{
	struct last_events le = { NULL, macs };
	enum sip_rc ret;

	*out = NULL;
	if (n == 0)
		return SIP_OK;
	if ((le.l = calloc(n, sizeof(*le.l))) == NULL)
		return nomem(st, err);
	if ((ret = read_per_mac(st, SQL_LAST_EVENT, "the last event", macs, n,
	    last_event_row, &le, err)) != SIP_OK) {
		sip_history_free(le.l, n);
		return ret;
	}
	*out = le.l;
	return SIP_OK;
}
