/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The periodic work on the store: fold the seen journal, step actions through time, purge the old. */
#include <stdio.h>
#include <stdlib.h>
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

/* Who the history says acted, for what the tick does on its own. */
#define WHO_TICK	"tick"

static void
tick_fail(sip_tick_fail_cb fail, void *arg, const char *mac,
    const struct sip_err *e)
{
	if (fail != NULL)
		fail(arg, mac, e);
}

/* One claimed wake: sent, or failed with its reason recorded. */
static enum sip_rc
tick_wake(struct sip_store *st, const struct sip_config *cfg, time_t now,
    const struct sip_power_job *j, struct sip_tick_power *res,
    sip_tick_fail_cb fail, void *arg, struct sip_err *err)
{
	struct sip_wol_machine m = { j->mac, NULL, j->ip };
	struct sip_wake_sent ws;
	struct sip_err e = { "" };
	char detail[64];
	size_t nsent = 0;

	if (sip_wol_send(cfg, &m, 1, &nsent, &e) != SIP_OK || nsent != 1) {
		tick_fail(fail, arg, j->mac, &e);
		res->failed++;
		return sip_store_power_end(st, j->id, j->mac, SIP_PJ_FAILED,
		    "wol-failed", WHO_TICK, e.msg, now, err);
	}
	sip_wol_destination(cfg, j->ip, detail, sizeof(detail));
	memset(&ws, 0, sizeof(ws));
	ws.mac = j->mac;
	ws.ip = j->ip;
	ws.detail = detail;
	ws.job_id = j->id;
	res->sent++;
	return sip_store_wake_sent(st, &ws, 1, WHO_TICK, now, err);
}

/*
 * One claimed reboot.  LEAD: reboot here: lib/reboot.c is written in
 * parallel; until it is wired, a due reboot is recorded as not done.
 */
static enum sip_rc
tick_reboot(struct sip_store *st, const struct sip_config *cfg, time_t now,
    const struct sip_power_job *j, struct sip_tick_power *res,
    sip_tick_fail_cb fail, void *arg, struct sip_err *err)
{
	struct sip_err e = { "" };

	(void)cfg;
	/* LEAD: reboot here */
	sip_errf(&e, SIP_ENOTFOUND, "reboot: not available yet");
	tick_fail(fail, arg, j->mac, &e);
	res->reboots++;
	res->failed++;
	return sip_store_power_end(st, j->id, j->mac, SIP_PJ_FAILED,
	    "reboot-failed", WHO_TICK, e.msg, now, err);
}

enum sip_rc
sip_tick_power(struct sip_store *st, const struct sip_config *cfg,
    time_t now, struct sip_tick_power *res, sip_tick_fail_cb fail, void *arg,
    struct sip_err *err)
{
	struct sip_power_claimed c;
	struct sip_power_job *jobs = NULL;
	size_t n = 0, i;
	enum sip_rc ret;

	memset(res, 0, sizeof(*res));
	if ((ret = sip_store_power_claim(st, SIP_POWER_WAKE, now,
	    cfg->wol_wake_timeout, cfg->wol_retries, &jobs, &n, &c, err)) !=
	    SIP_OK)
		return ret;
	res->woken = c.woken;
	res->gave_up = c.gave_up;
	res->retried = c.retried;
	for (i = 0; i < n; i++)
		if ((ret = tick_wake(st, cfg, now, &jobs[i], res, fail, arg,
		    err)) != SIP_OK)
			goto out;
	free(jobs);
	jobs = NULL;
	if ((ret = sip_store_power_claim(st, SIP_POWER_REBOOT, now,
	    cfg->wol_wake_timeout, cfg->wol_retries, &jobs, &n, &c, err)) !=
	    SIP_OK)
		return ret;
	for (i = 0; i < n; i++)
		if ((ret = tick_reboot(st, cfg, now, &jobs[i], res, fail, arg,
		    err)) != SIP_OK)
			goto out;
 out:
	free(jobs);
	return ret;
}
