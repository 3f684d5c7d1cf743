/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Each machine's inventory (hardware, disks, partitions) as the worker's report capability last sent it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"
#include "store.h"

#define SQL_INVENTORY_PUT \
	"INSERT OR REPLACE INTO inventories (mac, at, action_id, action, " \
	"inventory) VALUES (?1, ?2, ?3, ?4, ?5)"
#define SQL_INVENTORY_GET \
	"SELECT at, action_id, action, inventory FROM inventories " \
	"WHERE mac = ?1"

enum sip_rc
sip_inventory_check(const char *text, struct sip_err *err)
{
	const unsigned char *p, *s = (const unsigned char *)text;
	uint32_t cp;
	size_t n;

	if (*text == '\0')
		return sip_errf(err, SIP_EINVAL, "inventory: empty");
	if (strlen(text) > SIP_INVENTORY_MAX)
		return sip_errf(err, SIP_EINVAL, "inventory: longer than %d "
		    "bytes", SIP_INVENTORY_MAX);
	/* Shown in a terminal and in JSON: lines, nothing a terminal obeys. */
	for (p = s; *p != '\0'; p += n) {
		if ((n = sip_utf8_decode(p, &cp)) == 0)
			return sip_errf(err, SIP_EINVAL, "inventory: not UTF-8 "
			    "at byte %zu (0x%02x)", (size_t)(p - s) + 1, *p);
		if ((cp < 0x20 && cp != '\n') || (cp >= 0x7f && cp <= 0x9f))
			return sip_errf(err, SIP_EINVAL, "inventory: contains "
			    "a control character (U+%04X at byte %zu)",
			    (unsigned)cp, (size_t)(p - s) + 1);
	}
	return SIP_OK;
}

enum sip_rc
inventory_put(struct sip_store *st, const struct sip_action *act,
    const char *inventory, time_t now, struct sip_err *err)
{
	sqlite3_stmt *s = NULL;
	enum sip_rc ret = SIP_OK;
	int rc;

	if ((rc = stmt_get(st, SQL_INVENTORY_PUT, &s)) != SQLITE_OK ||
	    (rc = bind_text(s, 1, act->mac)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, (sqlite3_int64)now)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 3, act->id)) != SQLITE_OK ||
	    (rc = bind_text(s, 4, act->name)) != SQLITE_OK ||
	    (rc = bind_text(s, 5, inventory)) != SQLITE_OK ||
	    (rc = sqlite3_step(s)) != SQLITE_DONE)
		ret = db_err(st, rc, err, "store the inventory of %s",
		    act->mac);
	stmt_put(st, s);
	return ret;
}

static int
inventory_row(sqlite3_stmt *s, size_t i, void *ctx)
{
	struct sip_inventory *v = (struct sip_inventory *)ctx + i;

	v->at = sqlite3_column_int64(s, 0);
	v->action_id = sqlite3_column_int64(s, 1);
	return col_strdup(s, 2, &v->action) == -1 ||
	    col_strdup(s, 3, &v->text) == -1 ? -1 : 0;
}

enum sip_rc
sip_store_inventories(struct sip_store *st, const char *const *macs,
    size_t n, struct sip_inventory **out, struct sip_err *err)
{
	struct sip_inventory *l;
	enum sip_rc ret;

	*out = NULL;
	if (n == 0)
		return SIP_OK;
	if ((l = calloc(n, sizeof(*l))) == NULL)
		return nomem(st, err);
	if ((ret = read_per_mac(st, SQL_INVENTORY_GET, "the inventory", macs,
	    n, inventory_row, l, err)) != SIP_OK) {
		sip_inventories_free(l, n);
		return ret;
	}
	*out = l;
	return SIP_OK;
}

void
sip_inventories_free(struct sip_inventory *l, size_t n)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(l[i].action);
		free(l[i].text);
	}
	free(l);
}
