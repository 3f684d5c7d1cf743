/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The periodic work on the store: fold the seen journal, step actions through time, purge the old. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

int
sip_action_destructive(const struct sip_config *cfg, const char *name)
{
	char modname[SIP_NAME_MAX], capname[SIP_NAME_MAX];
	const struct sip_capability *cap;
	struct sip_module *mod = NULL;
	int destructive;

	/* Not knowing is the safe side: held till the window ends. */
	if (sip_action_name_split(name, modname, capname) != SIP_OK ||
	    sip_module_find(cfg->module_path, modname, &mod, NULL) != SIP_OK)
		return 1;
	cap = sip_module_capability(mod, capname);
	destructive = cap == NULL || cap->destructive;
	sip_module_free(mod);
	return destructive;
}

/*
 * Before the actions step through time: a destructive action whose start
 * (or now, for one due) falls in a [blackout] window is moved to the
 * window's end, so that neither this tick nor ipxe.cgi's own step starts
 * it there.  Actions far ahead are moved now too: the boot path has no
 * configuration of windows to check, only the start.
 */
static enum sip_rc
tick_blackout(struct sip_store *st, const struct sip_config *cfg, time_t now,
    size_t *nheld, struct sip_err *err)
{
	struct sip_scheduled *v = NULL;
	const char *last = NULL;
	size_t n = 0, i;
	time_t end;
	enum sip_rc ret;
	int destructive = 0;

	*nheld = 0;
	if (cfg->nblackout == 0)
		return SIP_OK;
	if ((ret = sip_store_scheduled(st, &v, &n, err)) != SIP_OK)
		return ret;
	for (i = 0; i < n; i++) {
		if (!sip_blackout_end(cfg->blackout, cfg->nblackout,
		    v[i].start_at > now ? (time_t)v[i].start_at : now, &end))
			continue;
		/* Most actions of a run share one name: one module read. */
		if (last == NULL || strcmp(last, v[i].name) != 0) {
			destructive = sip_action_destructive(cfg, v[i].name);
			last = v[i].name;
		}
		if (!destructive)
			continue;
		if ((ret = sip_store_blackout_hold(st, v[i].id, v[i].mac, end,
		    "tick", now, err)) != SIP_OK)
			goto out;
		(*nheld)++;
	}
 out:
	free(v);
	return ret;
}

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
	if ((ret = tick_blackout(st, cfg, now, &res->held, err)) != SIP_OK)
		return ret;
	if ((ret = sip_store_tick_actions(st, now, &res->started,
	    &res->expired, err)) != SIP_OK)
		return ret;
	if ((ret = sip_images_reap(cfg, st, now, &res->reaped, err)) !=
	    SIP_OK)
		return ret;
	if ((ret = sip_images_reap_orphans(cfg, st, now, &res->orphans,
	    err)) != SIP_OK)
		return ret;
	if ((ret = sip_mcast_tick(cfg, st, now, &res->sessions_failed,
	    err)) != SIP_OK)
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
	if ((ret = sip_mcast_purge(cfg, st, before, &res->sessions_purged,
	    err)) != SIP_OK)
		return ret;
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
 * One claimed reboot, as the reboot verb does it (lib/reboot.c): probed,
 * then net or ssh, or skipped by its policy; one history row says which.
 */
static enum sip_rc
tick_reboot(struct sip_store *st, const struct sip_config *cfg, time_t now,
    const struct sip_power_job *j, struct sip_tick_power *res,
    sip_tick_fail_cb fail, void *arg, struct sip_err *err)
{
	struct sip_reboot_machine m;
	struct sip_err e = { "" };
	enum sip_power_state state;

	memset(&m, 0, sizeof(m));
	m.mac = j->mac;
	m.ip = j->ip;
	m.claimed = j->ip_claimed;
	res->reboots++;
	if (sip_reboot(cfg, j->policy, &m, 1, &e) != SIP_OK) {
		tick_fail(fail, arg, j->mac, &e);
		res->failed++;
		return sip_store_power_end(st, j->id, j->mac, SIP_PJ_FAILED,
		    sip_reboot_event_name(SIP_REBOOT_FAILED), WHO_TICK, e.msg,
		    now, err);
	}
	state = SIP_PJ_DONE;
	if (m.outcome == SIP_REBOOT_FAILED) {
		sip_errf(&e, SIP_EIO, "reboot: %s", m.detail);
		tick_fail(fail, arg, j->mac, &e);
		res->failed++;
		state = SIP_PJ_FAILED;
	}
	return sip_store_power_end(st, j->id, j->mac, state,
	    sip_reboot_event_name(m.outcome), WHO_TICK, m.detail, now, err);
}

enum sip_rc
sip_tick_power(struct sip_store *st, const struct sip_config *cfg,
    time_t now, struct sip_tick_power *res, sip_tick_fail_cb fail, void *arg,
    struct sip_err *err)
{
	struct sip_power_claimed c;
	struct sip_power_job *jobs = NULL;
	struct sip_err e = { "" };
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
	for (i = 0; i < c.gave_up; i++) {
		sip_errf(&e, SIP_ENOTFOUND, "not woken after %d wake%s "
		    "([wol] retries = %d): given up", jobs[n + i].tries,
		    jobs[n + i].tries == 1 ? "" : "s", cfg->wol_retries);
		tick_fail(fail, arg, jobs[n + i].mac, &e);
	}
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
