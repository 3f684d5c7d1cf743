/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The periodic work on the store: fold the seen journal, step actions through time, purge the old. */
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

enum sip_rc
sip_tick(struct sip_store *st, const struct sip_config *cfg, time_t now,
    struct sip_tick_result *res, struct sip_err *err)
{
	enum sip_rc ret;
	int64_t before;

	memset(res, 0, sizeof(*res));
	if ((ret = sip_store_fold_seen(st, now, &res->folded, &res->bad,
	    err)) != SIP_OK)
		return ret;
	if ((ret = sip_store_tick_actions(st, now, &res->started,
	    &res->expired, err)) != SIP_OK)
		return ret;
	/*
	 * keep <= 0 keeps everything: purging all history is never meant;
	 * nor is purging up to a window that wrapped.
	 */
	if (cfg->history_keep <= 0 || now <= cfg->history_keep)
		return SIP_OK;
	if (sip_time_add((int64_t)now, -cfg->history_keep, &before) != SIP_OK)
		return sip_errf(err, SIP_EINVAL, "cleanup: the clock (@%lld) "
		    "less [actions] history overflows", (long long)now);
	return sip_store_purge(st, before, &res->purged_actions,
	    &res->purged_history, err);
}
