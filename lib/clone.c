/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A multicast session as `se3-ipxe clone` and console.cgi make it: validate the session and its members' restore actions, then write all or nothing. */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "se3ipxe.h"
#include "extern.h"

/* What a session sets in each member's action: the form or the command line may not. */
static const char *const clone_reserved[] = { "image", "session", "port",
    "wait" };

static int
reserved(const char *assignment)
{
	size_t len = strcspn(assignment, "="), i;

	for (i = 0; i < sizeof(clone_reserved) / sizeof(clone_reserved[0]);
	    i++)
		if (strlen(clone_reserved[i]) == len &&
		    strncmp(assignment, clone_reserved[i], len) == 0)
			return 1;
	return 0;
}

int
sip_ifname_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < SIP_IFNAME_MAX && strspn(s, "abcdefghijklmnopqrstu"
	    "vwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

void
sip_clone_init(struct sip_clone *c)
{
	memset(c, 0, sizeof(*c));
	c->s.max_wait = SIP_CLONE_MAX_WAIT;
	c->s.start_timeout = SIP_CLONE_START_TIMEOUT;
	c->sysprep_timeout = SIP_SYSPREP_TIMEOUT;
}

/*
 * The request of one of the session's actions, the master's save or the
 * members' restore: its assignments are lead first (the session's own),
 * then the request's: the save's (save.KEY=VALUE, given as KEY=VALUE) or
 * the restore's (the others).  *out is the caller's to free, whole or not.
 */
static enum sip_rc
action_for(const struct sip_clone *c, int save, const char *const *lead,
    size_t nlead, struct sip_setaction *sa, char ***out, size_t *nout,
    struct sip_err *err)
{
	const char *a;
	size_t i;

	sa->action = save ? "worker:save" : "worker:restore";
	sa->at = c->at;
	sa->who = c->who;

	if ((*out = calloc(nlead + c->nassignments + 1, sizeof(**out))) ==
	    NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	for (i = 0; i < nlead + c->nassignments; i++) {
		if (i < nlead)
			a = lead[i];
		else if ((strncmp(c->assignments[i - nlead], "save.", 5) ==
		    0) != save)
			continue;
		else
			a = c->assignments[i - nlead] + (save ? 5 : 0);
		if (((*out)[*nout] = strdup(a)) == NULL)
			return sip_errf(err, SIP_ENOMEM, "out of memory");
		(*nout)++;
	}
	sa->assignments = *out;
	sa->nassignments = *nout;
	return SIP_OK;
}

/*
 * clone --from: the master's worker:save of the image (save.KEY=VALUE
 * are its options), and the members held until it can end: their start
 * moves to the save's expiry, their expiry as much, and the session's
 * runner starts them as soon as the save is done.
 */
static enum sip_rc
master_prepare(const struct sip_config *cfg, struct sip_clone *c,
    time_t now, struct sip_err *err)
{
	struct sip_err e2 = { "" };
	char name[SIP_IMAGE_NAME_MAX + 8];
	const char *const lead[] = { name };
	int64_t hold;
	enum sip_rc rc;

	snprintf(name, sizeof(name), "name=%s", c->s.image);
	if ((rc = action_for(c, 1, lead, 1, &c->save, &c->sall, &c->nsall,
	    err)) != SIP_OK)
		return rc;
	if ((rc = sip_setaction_prepare(cfg, &c->save, c->master, now, &e2)) !=
	    SIP_OK)
		return sip_errf(err, rc, "--from: %s", e2.msg);
	/*
	 * --sysprep: the save waits, scheduled, for the script's report;
	 * at the latest until the session fails without it.
	 */
	if (c->sysprep) {
		c->s.prep_until = c->s.start_at + c->sysprep_timeout;
		c->save.start += c->sysprep_timeout;
		c->save.expires_at += c->sysprep_timeout;
	}
	if (c->save.expires_at > c->sa.start) {
		hold = c->save.expires_at - c->sa.start;
		c->sa.start += hold;
		c->sa.expires_at += hold;
	}
	c->s.source_action = 0;
	snprintf(c->s.source_mac, sizeof(c->s.source_mac), "%s",
	    c->master->p[0]);
	return SIP_OK;
}

enum sip_rc
sip_clone_prepare(const struct sip_config *cfg, struct sip_clone *c,
    const struct sip_targets *t, time_t now, struct sip_err *err)
{
	struct sip_mcast *s = &c->s;
	char image[SIP_IMAGE_NAME_MAX + 8], port[24], wait[24];
	const char *const lead[] = { image, "session=0", port, wait };
	time_t tat;
	size_t i;
	enum sip_rc rc;

	if (sip_image_name_check(s->image) != SIP_OK)
		return sip_errf(err, SIP_EINVAL, "'%.64s': not an image name",
		    s->image);
	if (s->port != 0 && (s->port < SIP_MCAST_PORT_MIN ||
	    s->port > SIP_MCAST_PORT_MAX || s->port % 2 != 0))
		return sip_errf(err, SIP_EINVAL, "port %d: not an even number "
		    "from %d to %d (udp-sender uses it and the next)", s->port,
		    SIP_MCAST_PORT_MIN, SIP_MCAST_PORT_MAX);
	if (s->max_wait < 1 || s->max_wait > SIP_CLONE_WAIT_MAX - 60)
		return sip_errf(err, SIP_EINVAL, "max-wait %d: not a number of "
		    "seconds from 1 to %d", s->max_wait, SIP_CLONE_WAIT_MAX - 60);
	if (s->start_timeout < 10 || s->start_timeout > 86400)
		return sip_errf(err, SIP_EINVAL, "start-timeout %d: not a "
		    "number of seconds from 10 to 86400", s->start_timeout);
	if (t->n > SIP_MCAST_MEMBERS_MAX)
		return sip_errf(err, SIP_EINVAL, "%zu machines: one session "
		    "takes at most %d", t->n, SIP_MCAST_MEMBERS_MAX);
	if (s->min_receivers < 0 || s->min_receivers > (int)t->n)
		return sip_errf(err, SIP_EINVAL, "min-receivers %d: more than "
		    "the %zu machines", s->min_receivers, t->n);
	for (i = 0; i < c->nassignments; i++) {
		if (strncmp(c->assignments[i], "save.", 5) == 0) {
			if (c->master == NULL)
				return sip_errf(err, SIP_EINVAL, "'%.*s': an "
				    "option of the master's save, without "
				    "--from", (int)strcspn(c->assignments[i],
				    "="), c->assignments[i]);
			if (strncmp(c->assignments[i], "save.name=", 10) == 0)
				return sip_errf(err, SIP_EINVAL, "'save.name': "
				    "the master is saved as the IMAGE named");
			continue;
		}
		if (reserved(c->assignments[i]))
			return sip_errf(err, SIP_EINVAL, "'%.*s': the session "
			    "sets it", (int)strcspn(c->assignments[i], "="),
			    c->assignments[i]);
	}
	if (c->sysprep) {
		struct sip_err e2 = { "" };
		char url[1024];

		if (c->master == NULL)
			return sip_errf(err, SIP_EINVAL, "--sysprep prepares "
			    "the master: it needs --from");
		if (c->sysprep_timeout < 60 || c->sysprep_timeout >
		    SIP_SYSPREP_TIMEOUT_MAX)
			return sip_errf(err, SIP_EINVAL, "sysprep-timeout %d: "
			    "not a number of seconds from 60 to %d",
			    c->sysprep_timeout, SIP_SYSPREP_TIMEOUT_MAX);
		/* Said now, not when the runner finds it 40 minutes on. */
		if ((rc = sip_sysprep_report_url(cfg, url, sizeof(url), err)) !=
		    SIP_OK)
			return rc;
		if ((rc = sip_reboot_private_file("net_auth_file",
		    cfg->reboot_net_auth_file, &e2)) != SIP_OK)
			return sip_errf(err, rc, "--sysprep: %s", e2.msg);
	}
	if (c->master != NULL) {
		if (c->master->n != 1)
			return sip_errf(err, SIP_EINVAL, "--from: %zu machines: "
			    "the master is one machine", c->master->n);
		for (i = 0; i < t->n; i++)
			if (strcmp(t->p[i], c->master->p[0]) == 0)
				return sip_errf(err, SIP_EINVAL, "%s is the "
				    "master (--from) and a target: it cannot "
				    "send and receive", t->p[i]);
	}
	if (s->interface[0] == '\0')
		sip_mcast_default_ifname(s->interface, sizeof(s->interface));
	if (s->interface[0] == '\0')
		return sip_errf(err, SIP_ECONFIG, "no default route: name the "
		    "interface of the machines' network (--interface)");
	if (!sip_ifname_ok(s->interface))
		return sip_errf(err, SIP_EINVAL, "interface '%.32s': not an "
		    "interface name (1 to 15 of A-Z a-z 0-9 . _ -)",
		    s->interface);
	/* An interface udp-sender cannot use is said before a room waits. */
	if ((rc = sip_mcast_preflight(s->interface, err)) != SIP_OK)
		return rc;
	s->start_at = now;
	if (c->at != NULL) {
		struct sip_err e2 = { "" };

		if (sip_at_parse(c->at, now, &tat, &e2) != SIP_OK)
			return sip_errf(err, SIP_EINVAL, "--at: %s", e2.msg);
		s->start_at = tat;
	}
	snprintf(s->created_by, sizeof(s->created_by), "%s",
	    c->who != NULL ? c->who : "");

	/*
	 * The members' actions: the session's own options first, restore's
	 * from the request after.  The session's id is not known before it
	 * is written: 0 stands for it until sip_clone_write.
	 */
	snprintf(image, sizeof(image), "image=%s", s->image);
	snprintf(port, sizeof(port), "port=%d", s->port != 0 ? s->port :
	    SIP_MCAST_PORT_MIN);
	/* A receiver waits for the stream as long as the sender may wait for the others. */
	snprintf(wait, sizeof(wait), "wait=%d", s->max_wait + 60);
	if ((rc = action_for(c, 0, lead, sizeof(lead) / sizeof(lead[0]),
	    &c->sa, &c->all, &c->nall, err)) != SIP_OK)
		return rc;
	c->sa.image_later = c->master != NULL;
	if ((rc = sip_setaction_name(&c->sa, err)) != SIP_OK ||
	    (rc = sip_setaction_prepare(cfg, &c->sa, t, now, err)) != SIP_OK ||
	    c->master == NULL)
		return rc;
	return master_prepare(cfg, c, now, err);
}

/*
 * --sysprep: where the script goes, as a reboot reaches the master: its
 * ipHostNumber in LDAP, else the address it last booted from (a claim,
 * trusted only inside [network] subnets when pushed).
 */
static enum sip_rc
master_address(struct sip_store *st, struct sip_clone *c,
    struct sip_err *err)
{
	struct sip_status_row *rows = NULL;
	size_t n = 0;
	enum sip_rc rc;

	if (c->master->ip != NULL && c->master->ip[0][0] != '\0') {
		snprintf(c->s.prep_addr, sizeof(c->s.prep_addr), "%s",
		    c->master->ip[0]);
		c->s.prep_claimed = 0;
		return SIP_OK;
	}
	if ((rc = sip_store_status(st, c->master->p, 1, &rows, &n, err)) !=
	    SIP_OK)
		return rc;
	if (n == 1 && rows[0].machine != NULL && rows[0].machine->ip != NULL &&
	    rows[0].machine->ip[0] != '\0') {
		snprintf(c->s.prep_addr, sizeof(c->s.prep_addr), "%s",
		    rows[0].machine->ip);
		c->s.prep_claimed = 1;
	}
	sip_status_free(rows, n);
	if (c->s.prep_addr[0] == '\0')
		return sip_errf(err, SIP_EINVAL, "--sysprep: no IPv4 address "
		    "known for %s (neither in LDAP nor from a boot): nowhere "
		    "to push the script", c->master->p[0]);
	return SIP_OK;
}

enum sip_rc
sip_clone_check(const struct sip_config *cfg, struct sip_store *st,
    struct sip_clone *c, const struct sip_targets *t, struct sip_err *err)
{
	struct sip_manifest *man = NULL;
	enum sip_rc rc;

	/* A whole image of the catalogue: its parts are what the stream sends. */
	rc = sip_catalogue_manifest(cfg, st, c->s.image, &man, err);
	free(man);
	if (c->master == NULL) {
		if (rc != SIP_OK)
			return rc;
	} else if (rc == SIP_OK)
		return sip_errf(err, SIP_EINVAL, "--from: image %s exists: "
		    "clone it without --from, or name a new one", c->s.image);
	else if (rc != SIP_ENOTFOUND && rc != SIP_EINVAL)
		return rc;
	err->msg[0] = '\0';
	if (c->master != NULL && (rc = sip_setaction_check(cfg, st, &c->save,
	    c->master, err)) != SIP_OK)
		return rc;
	if (c->sysprep && (rc = master_address(st, c, err)) != SIP_OK)
		return rc;
	return sip_setaction_check(cfg, st, &c->sa, t, err);
}

/* The value of option key in the members' resolved options. */
static enum sip_rc
kv_set(struct sip_setaction *sa, const char *key, const char *value,
    struct sip_err *err)
{
	char *v;
	size_t i;

	for (i = 0; i < sa->nkv; i++)
		if (strcmp(sa->kv[i].key, key) == 0)
			break;
	if (i == sa->nkv)
		return sip_errf(err, SIP_EMODULE, "worker:restore has no "
		    "option %s", key);
	if ((v = strdup(value)) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	free(sa->kv[i].value);
	sa->kv[i].value = v;
	return SIP_OK;
}

enum sip_rc
sip_clone_write(struct sip_store *st, struct sip_clone *c,
    const struct sip_targets *t, time_t now, int64_t *ids,
    struct sip_err *err)
{
	char num[32];
	long pid;
	size_t n;
	enum sip_rc rc;
	int written = 0;

	if (c->sysprep && sip_token_new(c->s.prep_token) != SIP_OK)
		return sip_errf(err, SIP_EIO, "get random bytes for a token");
	if (c->master != NULL) {
		if ((rc = sip_setaction_write(st, &c->save, c->master, now,
		    &c->save_id, err)) != SIP_OK)
			return rc;
		c->s.source_action = c->save_id;
	}
	if ((rc = sip_mcast_create(st, &c->s, now, err)) != SIP_OK)
		goto unsave;
	snprintf(num, sizeof(num), "%" PRId64, c->s.id);
	if ((rc = kv_set(&c->sa, "session", num, err)) != SIP_OK)
		goto undo;
	snprintf(num, sizeof(num), "%d", c->s.port);	/* the port picked */
	if ((rc = kv_set(&c->sa, "port", num, err)) != SIP_OK ||
	    (rc = sip_setaction_write(st, &c->sa, t, now, ids, err)) !=
	    SIP_OK || !(written = 1) ||
	    (rc = sip_mcast_members_add(st, c->s.id, (const char *const *)t->p,
	    t->n, err)) != SIP_OK)
		goto undo;
	return SIP_OK;
 undo:
	{
		/* The actions set, if any, go with it: nothing half made. */
		struct sip_err e2 = { "" };

		if (written)
			(void)sip_store_cancel(st, (const char *const *)t->p,
			    t->n, c->who, time(NULL), &n, &e2);
		(void)sip_mcast_cancel(st, c->s.id, c->who, time(NULL), &pid,
		    &e2);
		(void)sip_mcast_delete(st, c->s.id, &e2);
	}
 unsave:
	if (c->master != NULL) {
		struct sip_err e3 = { "" };

		(void)sip_store_cancel(st, (const char *const *)c->master->p,
		    1, c->who, time(NULL), &n, &e3);
	}
	return rc;
}

void
sip_clone_free(struct sip_clone *c)
{
	sip_setaction_free(&c->sa);
	sip_setaction_free(&c->save);
	sip_strv_free(c->all, c->nall);
	sip_strv_free(c->sall, c->nsall);
	c->all = c->sall = NULL;
	c->nall = c->nsall = 0;
}
