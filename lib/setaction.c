/* SPDX-License-Identifier: GPL-3.0-or-later */
/* set-action's checks and writes, shared by the CLI and console.cgi: one request, everything validated, then all written or nothing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"

/* A decimal number in [min, max], no sign, no blanks (as the CLI's parse_int). */
static int
int_in(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "memtest has: run, quick" for an unknown capability. */
static void
capability_list(const struct sip_module *mod, struct sip_buf *b)
{
	size_t i;

	for (i = 0; i < mod->ncaps; i++)
		sip_buf_printf(b, "%s%s", i > 0 ? ", " : "",
		    mod->caps[i].name);
	if (mod->ncaps == 0)
		sip_buf_puts(b, "none");
}

void
sip_setaction_free(struct sip_setaction *sa)
{
	size_t i;

	if (sa->old != NULL)
		for (i = 0; i < sa->nold; i++)
			if (sa->old[i] != NULL)
				sip_action_free(sa->old[i]);
	free(sa->old);
	free(sa->hosts);
	free(sa->badhost);
	if (sa->kv != NULL)
		sip_kv_free(sa->kv, sa->nkv);
	if (sa->mod != NULL)
		sip_module_free(sa->mod);
	sa->old = NULL;
	sa->hosts = NULL;
	sa->badhost = NULL;
	sa->kv = NULL;
	sa->mod = NULL;
	sa->cap = NULL;
	sa->nold = sa->nkv = 0;
}

enum sip_rc
sip_setaction_name(struct sip_setaction *sa, struct sip_err *err)
{
	if (sip_action_name_split(sa->action, sa->modname, sa->capname) !=
	    SIP_OK)
		return sip_errf(err, SIP_EINVAL, "'%s': not an action "
		    "(MODULE:CAPABILITY)", sa->action);
	return SIP_OK;
}

enum sip_rc
sip_setaction_prepare(const struct sip_config *cfg, struct sip_setaction *sa,
    const struct sip_targets *t, time_t now, struct sip_err *err)
{
	struct sip_buf b;
	struct sip_err e = { "" };
	const struct sip_capability *cap;
	int64_t expires;
	time_t tat;
	long long maxb;
	size_t i;
	enum sip_rc rc;

	err->msg[0] = '\0';
	if ((rc = sip_setaction_name(sa, err)) != SIP_OK)
		return rc;
	if ((rc = sip_module_find(cfg->module_path, sa->modname, &sa->mod,
	    err)) != SIP_OK) {
		sa->mod = NULL;
		if (rc == SIP_ENOTFOUND && err->msg[0] == '\0')
			return sip_errf(err, rc, "'%s': no such module",
			    sa->modname);
		return rc;
	}
	if ((cap = sip_module_capability(sa->mod, sa->capname)) == NULL) {
		sip_buf_init(&b);
		capability_list(sa->mod, &b);
		if (b.failed)
			return sip_errf(err, SIP_ENOMEM, "out of memory");
		rc = sip_errf(err, SIP_ENOTFOUND, "'%s': no such capability "
		    "(%s has: %s)", sa->action, sa->modname, b.data);
		sip_buf_free(&b);
		return rc;
	}
	sa->cap = cap;
	if ((rc = sip_options_resolve(cap, sa->assignments, sa->nassignments,
	    &sa->kv, &sa->nkv, err)) != SIP_OK) {
		sa->kv = NULL;
		sa->nkv = 0;
		return rc;
	}
	/* A secret is named here and read when its file is served. */
	if ((rc = sip_options_secrets_check(cfg, cap, sa->kv, sa->nkv, err)) !=
	    SIP_OK)
		return rc;
	/* An identity names one machine, and binds destructive actions only. */
	if ((sa->uuid != NULL || sa->serial != NULL) && (!cap->destructive ||
	    t->n != 1))
		return sip_errf(err, SIP_EINVAL, "--%s: only for a destructive "
		    "action on one machine (%s is %sdestructive, %zu machine%s)",
		    sa->uuid != NULL ? "uuid" : "serial", sa->action,
		    cap->destructive ? "" : "not ", t->n, t->n == 1 ? "" : "s");
	if (sa->uuid != NULL && !sip_smbios_identifying(0, sa->uuid))
		return sip_errf(err, SIP_EINVAL, "--uuid: '%s': not an SMBIOS "
		    "UUID that names one machine", sa->uuid);
	if (sa->serial != NULL && !sip_smbios_identifying(1, sa->serial))
		return sip_errf(err, SIP_EINVAL, "--serial: '%s': not an SMBIOS "
		    "serial that names one machine", sa->serial);
	/* A persistent action may run longer, never unbounded. */
	sa->persistent = cap->completion == SIP_COMPLETE_PERSISTENT;
	if (sa->max_boots_arg != NULL) {
		if (int_in(sa->max_boots_arg, SIP_MAX_BOOTS_MIN,
		    sa->persistent ? SIP_PERSISTENT_MAX_BOOTS :
		    SIP_MAX_BOOTS_MAX, &maxb) == -1)
			return sip_errf(err, SIP_EINVAL, "--max-boots: '%s': "
			    "not a number from %d to %d", sa->max_boots_arg,
			    SIP_MAX_BOOTS_MIN, sa->persistent ?
			    SIP_PERSISTENT_MAX_BOOTS : SIP_MAX_BOOTS_MAX);
	} else
		maxb = cap->max_boots > 0 ? cap->max_boots : cfg->max_boots;
	sa->max_boots = (int)maxb;
	if (sa->expires_arg != NULL) {
		if (sip_duration_parse(sa->expires_arg, SIP_EXPIRES_MIN,
		    sa->persistent ? SIP_PERSISTENT_EXPIRES : SIP_EXPIRES_MAX,
		    &expires) != SIP_OK)
			return sip_errf(err, SIP_EINVAL, "--expires: '%s': not a "
			    "duration from 1m to %s", sa->expires_arg,
			    sa->persistent ? "365d" : "30d");
	} else
		expires = cap->expires > 0 ? cap->expires : cfg->expires;
	sa->start = now;
	if (sa->at != NULL) {
		if (sip_at_parse(sa->at, now, &tat, &e) != SIP_OK)
			return sip_errf(err, SIP_EINVAL, "--at: %s", e.msg);
		sa->start = tat;
	}
	/*
	 * A destructive action does not start in a [blackout] window: it is
	 * scheduled for the window's end (and its wake with it).
	 */
	sa->bend = 0;
	if (cap->destructive && sip_blackout_end(cfg->blackout,
	    cfg->nblackout, (time_t)sa->start, &sa->bend))
		sa->start = sa->bend;
	/* Both are bounded, but a sum that wrapped would never expire. */
	if (sip_time_add(sa->start, expires, &sa->expires_at) != SIP_OK)
		return sip_errf(err, SIP_EINVAL, "--at: '%s' plus %lld s "
		    "overflows", sa->at != NULL ? sa->at : "now",
		    (long long)expires);
	/* The directory's name is untrusted: a label or nothing. */
	if ((sa->hosts = calloc(t->n + 1, sizeof(*sa->hosts))) == NULL ||
	    (sa->badhost = calloc(t->n + 1, sizeof(*sa->badhost))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	for (i = 0; i < t->n; i++)
		if (t->name != NULL && t->name[i][0] != '\0' &&
		    sip_hostname_label(t->name[i], sa->hosts[i]) != SIP_OK) {
			sa->hosts[i][0] = '\0';
			sa->badhost[i] = 1;
		}
	return SIP_OK;
}

enum sip_rc
sip_setaction_check(const struct sip_config *cfg, struct sip_store *st,
    struct sip_setaction *sa, const struct sip_targets *t,
    struct sip_err *err)
{
	enum sip_rc rc;
	size_t i;

	/* An image option names a whole image of the catalogue, that fits. */
	sa->unchecked = 0;
	if (!sa->image_later && (rc = sip_options_exists_check(cfg, st, sa->cap, sa->kv, sa->nkv,
	    (const char *const *)t->p, t->n, &sa->unchecked, err)) != SIP_OK)
		return rc;
	if ((sa->old = calloc(t->n + 1, sizeof(*sa->old))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	sa->nold = t->n;
	for (i = 0; i < t->n; i++) {
		rc = sip_store_active_action(st, t->p[i], &sa->old[i], err);
		if (rc == SIP_ENOTFOUND) {
			sa->old[i] = NULL;
			err->msg[0] = '\0';
		} else if (rc != SIP_OK) {
			sa->old[i] = NULL;
			return rc;
		}
	}
	return SIP_OK;
}

enum sip_rc
sip_setaction_write(struct sip_store *st, struct sip_setaction *sa,
    const struct sip_targets *t, time_t now, int64_t *ids,
    struct sip_err *err)
{
	struct sip_new_action *na;
	size_t i;
	enum sip_rc rc;

	if ((na = calloc(t->n + 1, sizeof(*na))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	for (i = 0; i < t->n; i++) {
		na[i].host = sa->hosts[i][0] != '\0' ? sa->hosts[i] : NULL;
		na[i].mac = t->p[i];
		na[i].name = sa->action;
		na[i].completion = sa->cap->completion;
		na[i].max_boots = sa->max_boots;
		na[i].start_at = sa->start > (int64_t)now ? sa->start : 0;
		na[i].expires_at = sa->expires_at;
		na[i].who = sa->who;
		na[i].options = sa->kv;
		na[i].noptions = sa->nkv;
		na[i].bind_identity = sa->cap->destructive;
		na[i].uuid = sa->uuid;
		na[i].serial = sa->serial;
	}
	rc = sip_store_set_actions(st, na, t->n, now, ids, err);
	free(na);
	if (rc != SIP_OK)
		return rc;
	for (i = 0; sa->bend != 0 && i < t->n; i++)
		if ((rc = sip_store_blackout_hold(st, ids[i], t->p[i], sa->bend,
		    sa->who, now, err)) != SIP_OK)
			return rc;
	return SIP_OK;
}
