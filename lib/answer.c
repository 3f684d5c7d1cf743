/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The two answers ipxe.cgi gives: what a booting machine runs now, and whether a client's report is taken. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "se3ipxe.h"
#include "extern.h"

#define URL_MAX		(SIP_VALUE_MAX + 1)

/* Needs no file, no database and no allocation: the answer of last resort. */
const char sip_fallback_script[] =
    "#!ipxe\n"
    "# se3-ipxe: local boot (fallback)\n"
    "iseq ${platform} efi && exit 1 ||\n"
    "sanboot --no-describe --drive 0x80 ||\n"
    "exit 1\n";
const size_t sip_fallback_script_len = sizeof(sip_fallback_script) - 1;


/*
 * The decision trace of a preview: one line per step.  On a boot trace
 * is NULL and the arguments are not even evaluated, so that the boot path
 * pays nothing for it.
 */
#define TRACE(t, ...)	do {						\
	if ((t) != NULL)						\
		trace_line((t), __VA_ARGS__);				\
} while (0)

static void trace_line(struct sip_buf *, const char *, ...)
    __attribute__((__format__(printf, 2, 3)));

static void
trace_line(struct sip_buf *t, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sip_buf_puts(t, line);
	sip_buf_append(t, "\n", 1);
}

/* Everything one answer renders from, as strings of their types. */
struct answer_ctx {
	char	 cgi_url[URL_MAX];
	char	 boot_url[URL_MAX];
	char	 module_url[URL_MAX];
	char	 report_url[URL_MAX];
	char	 file_url[URL_MAX];
	char	 images_url[URL_MAX];	/* images.cgi beside ipxe.cgi */
	char	 action_id[24], boots[24], max_boots[24];
	/* The action's machine name, else "pc-" and the MAC's 12 digits. */
	char	 hostname[SIP_HOSTNAME_STRLEN];
	char	 computername[SIP_COMPUTERNAME_STRLEN];	/* Windows' */
	struct sip_local_choice local;	/* [model] over [boot] */
	const struct sip_model *model;	/* the one that matched, or NULL */
};

/*
 * ipxe.cgi reads no directory: a machine without the name set-action
 * recorded (render_action) is named after its MAC: stable, unique, a
 * valid DNS label.  "" without a MAC.
 */
static void
make_hostname(char *dst, const char *mac)
{
	size_t i, n = 0;

	dst[0] = '\0';
	if (mac == NULL || sip_value_check(SIP_T_MAC, mac) != SIP_OK)
		return;
	memcpy(dst, "pc-", 3);
	n = 3;
	for (i = 0; mac[i] != '\0' && n < SIP_MAC_STRLEN - 1; i++)
		if (mac[i] != ':')
			dst[n++] = mac[i];
	dst[n] = '\0';
}

/*
 * A configured URL wins; otherwise the URL is built from the request's
 * Host header (validated as SIP_T_HOST by the caller) so that a fresh
 * install answers with addresses the client just reached.
 */
static void
make_url(char *dst, const char *configured, const char *host, const char *path)
{
	size_t n;

	dst[0] = '\0';
	if (configured != NULL && *configured != '\0')
		snprintf(dst, URL_MAX, "%s", configured);
	else if (host != NULL && path != NULL)
		snprintf(dst, URL_MAX, "http://%s%s", host, path);
	n = strlen(dst);
	while (n > 7 && dst[n - 1] == '/')
		dst[--n] = '\0';
	if (*dst != '\0' && sip_value_check(SIP_T_URL, dst) != SIP_OK)
		dst[0] = '\0';
}

static void
join_url(char *dst, const char *base, const char *sep, const char *tail)
{
	dst[0] = '\0';
	if (*base == '\0')
		return;
	if (snprintf(dst, URL_MAX, "%s%s%s", base, sep, tail) >= URL_MAX ||
	    sip_value_check(SIP_T_URL, dst) != SIP_OK)
		dst[0] = '\0';
}

/* images.cgi(8) is installed beside ipxe.cgi: the same directory of the same server. */
static void
images_url(char *dst, const char *cgi_url)
{
	static const char tail[] = "/images.cgi";
	const char *slash = strrchr(cgi_url, '/');
	size_t len;

	dst[0] = '\0';
	if (slash == NULL || slash - cgi_url < 8)	/* "http://h" at least */
		return;
	len = (size_t)(slash - cgi_url);
	if (len + sizeof(tail) > URL_MAX)
		return;
	memcpy(dst, cgi_url, len);
	memcpy(dst + len, tail, sizeof(tail));
	if (sip_value_check(SIP_T_URL, dst) != SIP_OK)
		dst[0] = '\0';
}

static void
ctx_init(struct answer_ctx *c, const struct sip_config *cfg,
    const struct sip_request *req)
{
	const char *script = req->script_name;

	if (script == NULL || sip_value_check(SIP_T_TEXT, script) != SIP_OK ||
	    *script != '/')
		script = "/cgi-bin/ipxe.cgi";
	memset(c, 0, sizeof(*c));
	make_url(c->cgi_url, cfg->cgi_url, req->host, script);
	make_url(c->boot_url, cfg->boot_url, req->host, "/se3-ipxe");
	join_url(c->report_url, c->cgi_url, "/", "report");
	join_url(c->file_url, c->cgi_url, "/", "file");
	make_hostname(c->hostname, req->mac);
	sip_computername(c->hostname, NULL, c->computername);
	c->model = sip_local_choose(cfg, req->manufacturer, req->product,
	    &c->local);
}

/* Which local boot the request gets, and why, as a preview shows it. */
static void
trace_model(struct sip_buf *trace, const struct sip_config *cfg,
    const struct sip_request *req, const struct answer_ctx *c)
{
	if (trace == NULL)
		return;
	if (c->model != NULL)
		TRACE(trace, "model %s (line %d) matched manufacturer '%s' "
		    "product '%s': local_pcbios %s, local_efi %s%s%s",
		    c->model->name, c->model->line, req->manufacturer != NULL ?
		    req->manufacturer : "", req->product != NULL ?
		    req->product : "", sip_local_name(c->local.pcbios),
		    sip_local_name(c->local.efi), c->local.efi ==
		    SIP_LOCAL_CHAIN ? " " : "", c->local.efi ==
		    SIP_LOCAL_CHAIN ? c->local.efi_loader : "");
	else
		TRACE(trace, "model: none of %zu matched manufacturer '%s' "
		    "product '%s': [boot] local_pcbios %s, local_efi %s",
		    cfg->nmodels, req->manufacturer != NULL ?
		    req->manufacturer : "", req->product != NULL ?
		    req->product : "", sip_local_name(c->local.pcbios),
		    sip_local_name(c->local.efi));
}

static void
kv_set(struct sip_kv *kv, size_t *n, const char *key, const char *value)
{
	if (value == NULL || *value == '\0')
		return;
	kv[*n].key = (char *)(uintptr_t)key;
	kv[*n].value = (char *)(uintptr_t)value;
	(*n)++;
}

/* The builtin keys every template may use; returns how many were set. */
static size_t
builtin_values(struct sip_kv *kv, const struct sip_config *cfg,
    const struct sip_request *req, const struct answer_ctx *c)
{
	size_t n = 0;

	kv_set(kv, &n, "mac", req->mac);
	kv_set(kv, &n, "platform", req->platform);
	kv_set(kv, &n, "buildarch", req->buildarch);
	kv_set(kv, &n, "cgi_url", c->cgi_url);
	kv_set(kv, &n, "boot_url", c->boot_url);
	kv_set(kv, &n, "report_url", c->report_url);
	kv_set(kv, &n, "file_url", c->file_url);
	kv_set(kv, &n, "local_pcbios", sip_local_name(c->local.pcbios));
	kv_set(kv, &n, "local_efi", sip_local_name(c->local.efi));
	kv_set(kv, &n, "iscsi_target", cfg->iscsi_target);
	kv_set(kv, &n, "hostname", c->hostname);
	kv_set(kv, &n, "efi_loader", c->local.efi_loader);
	kv_set(kv, &n, "computername", c->computername);
	return n;
}

/* The keys a template is rendered with, one line each. */
static void
trace_keys(struct sip_buf *trace, const struct sip_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		TRACE(trace, "key %s = %s", kv[i].key, kv[i].value);
}

static enum sip_rc
render_default(const struct sip_config *cfg, const struct sip_request *req,
    const struct answer_ctx *c, struct sip_buf *out, struct sip_buf *trace,
    struct sip_err *err)
{
	struct sip_template *t = NULL;
	struct sip_kv kv[16];
	char path[4096];
	size_t n;
	enum sip_rc rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s.ipxe",
	    cfg->template_dir, sip_default_name(cfg->boot_default)) >= sizeof(path))
		return sip_errf(err, SIP_ECONFIG, "template path too long");
	if ((rc = sip_template_load(path, SIP_TEMPLATE_IPXE, sip_builtin_keys, sip_builtin_nkeys,
	    &t, err)) != SIP_OK)
		return rc;
	n = builtin_values(kv, cfg, req, c);
	TRACE(trace, "template %s (the default answer)", path);
	trace_keys(trace, kv, n);
	rc = sip_template_render(t, kv, n, out, err);
	sip_template_free(t);
	return rc;
}

/* The option of cap called key, if it is of type secret. */
static const struct sip_option *
secret_option(const struct sip_capability *cap, const char *key)
{
	size_t i;

	for (i = 0; i < cap->noptions; i++)
		if (cap->options[i].type == SIP_OPT_SECRET &&
		    strcmp(cap->options[i].name, key) == 0)
			return &cap->options[i];
	return NULL;
}

/* The error of a secret of format crypt that is no crypt(3) hash, else SIP_OK. */
static enum sip_rc
crypt_value_check(const struct sip_option *o, const struct sip_action *act,
    const char *name, const char *v, struct sip_err *err)
{
	if (!o->crypt || sip_crypt_shape_check(v) == SIP_OK)
		return SIP_OK;
	/* The secret's name, never its value. */
	return sip_errf(err, SIP_ECONFIG, "action %lld: option %s: secret "
	    "'%s' is not a crypt(3) hash", (long long)act->id, o->name, name);
}

/*
 * Before the script of an action whose files need password hashes: each
 * one there and a hash, or the machine boots its disk rather than an
 * installer that would stop at a question.
 */
static enum sip_rc
crypt_secrets_check(const struct sip_config *cfg,
    const struct sip_capability *cap, const struct sip_action *act,
    struct sip_err *err)
{
	struct sip_secrets *sec = NULL;
	const struct sip_option *o;
	const char *v;
	size_t i;
	enum sip_rc rc = SIP_OK;

	for (i = 0; i < cap->noptions && !cap->options[i].crypt; i++)
		continue;
	if (i == cap->noptions)
		return SIP_OK;
	if ((rc = sip_secrets_load(cfg->secrets_file, &sec, err)) != SIP_OK)
		return rc == SIP_ENOTFOUND ? SIP_ECONFIG : rc;
	for (i = 0; i < act->noptions && rc == SIP_OK; i++) {
		if ((o = secret_option(cap, act->options[i].key)) == NULL ||
		    !o->crypt)
			continue;
		if ((v = sip_secrets_get(sec, act->options[i].value)) == NULL)
			rc = sip_errf(err, SIP_ECONFIG, "action %lld: option "
			    "%s: no secret '%s' in %s", (long long)act->id,
			    o->name, act->options[i].value, cfg->secrets_file);
		else
			rc = crypt_value_check(o, act, act->options[i].value, v,
			    err);
	}
	sip_secrets_free(sec);
	return rc;
}

/*
 * A file declared secret: the values of the action's secret options,
 * read from [secrets] file now (the action stores their names only).
 */
static enum sip_rc
render_secret(const struct sip_config *cfg, const struct sip_capability *cap,
    const struct sip_action *act, const struct sip_template *t,
    const struct sip_kv *kv, size_t n, struct sip_buf *out,
    struct sip_err *err)
{
	struct sip_secrets *sec = NULL;
	struct sip_kv *skv = NULL;
	size_t i, ns = 0;
	enum sip_rc rc;

	if ((rc = sip_secrets_load(cfg->secrets_file, &sec, err)) != SIP_OK)
		return rc == SIP_ENOTFOUND ? SIP_ECONFIG : rc;
	if (act->noptions > 0 &&
	    (skv = calloc(act->noptions, sizeof(*skv))) == NULL) {
		rc = sip_errf(err, SIP_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < act->noptions; i++) {
		if (secret_option(cap, act->options[i].key) == NULL)
			continue;
		skv[ns].key = act->options[i].key;
		/* An optional secret left empty renders as nothing. */
		if (act->options[i].value[0] == '\0')
			skv[ns].value = act->options[i].value;
		else if ((skv[ns].value = (char *)(uintptr_t)sip_secrets_get(sec,
		    act->options[i].value)) == NULL) {
			rc = sip_errf(err, SIP_ECONFIG, "action %lld: option "
			    "%s: no secret '%s' in %s", (long long)act->id,
			    act->options[i].key, act->options[i].value,
			    cfg->secrets_file);
			goto out;
		}
		if ((rc = crypt_value_check(secret_option(cap,
		    act->options[i].key), act, act->options[i].value,
		    skv[ns].value, err)) != SIP_OK)
			goto out;
		ns++;
	}
	rc = sip_template_render_secret(t, kv, n, skv, ns, out, err);
 out:
	free(skv);
	sip_secrets_free(sec);
	return rc;
}

/*
 * Render one of the action's templates: its iPXE script (file NULL), or
 * the file of that name its capability declares (SIP_ENOTFOUND if none);
 * *secret (may be NULL) says whether that file is declared secret.
 */
static enum sip_rc
render_action(const struct sip_config *cfg, const struct sip_request *req,
    struct answer_ctx *c, const struct sip_action *act, const char *file,
    struct sip_buf *out, struct sip_buf *trace, int *secret,
    struct sip_err *err)
{
	char module[SIP_NAME_MAX], capname[SIP_NAME_MAX];
	const struct sip_capability *cap;
	const struct sip_template *t = NULL;
	struct sip_module *mod = NULL;
	struct sip_kv *kv = NULL;
	size_t n, i;
	int secret_file = 0;
	enum sip_rc rc;

	if ((rc = sip_action_name_split(act->name, module, capname)) != SIP_OK)
		return sip_errf(err, rc, "action %lld: bad name", (long long)act->id);
	if ((rc = sip_module_find(cfg->module_path, module, &mod, err)) != SIP_OK)
		return rc;
	if ((cap = sip_module_capability(mod, capname)) == NULL || cap->tmpl == NULL) {
		rc = sip_errf(err, SIP_ENOTFOUND, "%s: no capability %s",
		    module, capname);
		goto out;
	}
	if (file == NULL)
		t = cap->tmpl;
	for (i = 0; file != NULL && i < cap->nfiles; i++)
		if (strcmp(cap->files[i], file) == 0) {
			t = cap->file_tmpls[i];
			secret_file = cap->file_secret[i];
		}
	if (t == NULL) {
		rc = sip_errf(err, SIP_ENOTFOUND, "%s: no file %s", act->name,
		    file);
		goto out;
	}
	if (file == NULL && (rc = crypt_secrets_check(cfg, cap, act, err)) !=
	    SIP_OK)
		goto out;
	if ((kv = calloc(sip_builtin_nkeys + act->noptions, sizeof(*kv))) == NULL) {
		rc = sip_errf(err, SIP_ENOMEM, "out of memory");
		goto out;
	}
	join_url(c->module_url, c->boot_url, "/", module);
	/* Only an action's script and files name it: not on the common path. */
	images_url(c->images_url, c->cgi_url);
	snprintf(c->action_id, sizeof(c->action_id), "%lld", (long long)act->id);
	snprintf(c->boots, sizeof(c->boots), "%d", act->boots);
	snprintf(c->max_boots, sizeof(c->max_boots), "%d", act->max_boots);
	if (act->host[0] != '\0') {
		char mac_name[SIP_HOSTNAME_STRLEN];

		/* A name Windows refuses (digits only, cut to 15): the MAC's. */
		memcpy(mac_name, c->hostname, sizeof(mac_name));
		memcpy(c->hostname, act->host, sizeof(c->hostname));
		sip_computername(c->hostname, mac_name, c->computername);
	}
	n = builtin_values(kv, cfg, req, c);
	kv_set(kv, &n, "module_url", c->module_url);
	kv_set(kv, &n, "images_url", c->images_url);
	kv_set(kv, &n, "token", act->token);
	kv_set(kv, &n, "action", act->name);
	kv_set(kv, &n, "action_id", c->action_id);
	kv_set(kv, &n, "boots", c->boots);
	kv_set(kv, &n, "max_boots", c->max_boots);
	/* A secret option's name is no value: only render_secret reads it. */
	for (i = 0; i < act->noptions; i++)
		if (secret_option(cap, act->options[i].key) == NULL)
			kv_set(kv, &n, act->options[i].key,
			    act->options[i].value);
	TRACE(trace, "template %s/%s (module %s, capability %s)", mod->dir,
	    cap->template_file, module, capname);
	trace_keys(trace, kv, n);
	for (i = 0; i < act->noptions; i++)
		if (secret_option(cap, act->options[i].key) != NULL)
			TRACE(trace, "key %s = <secret %s>",
			    act->options[i].key, act->options[i].value);
	if (secret_file)
		rc = render_secret(cfg, cap, act, t, kv, n, out, err);
	else
		rc = sip_template_render(t, kv, n, out, err);
	if (secret != NULL)
		*secret = secret_file;
 out:
	free(kv);
	sip_module_free(mod);
	return rc;
}

/* The step function's transitions, as a preview shows them. */
static void
trace_transition(void *arg, const struct sip_action *act, enum sip_state old,
    enum sip_state new, enum sip_event ev)
{
	TRACE((struct sip_buf *)arg, "step: %s -> %s (%s)", sip_state_name(old),
	    sip_state_name(new), sip_event_name(ev));
}

/* A time as a preview shows it: local, and how far from now. */
static void
trace_time(struct sip_buf *trace, const char *what, int64_t at, time_t now)
{
	struct tm tm;
	time_t tt = (time_t)at;
	char buf[32];

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, sizeof(buf), "@%lld", (long long)at);
	/* Unsigned: the distance between any two int64_t fits, none wraps. */
	TRACE(trace, "%s %s (%s %llu s)", what, buf, at >= now ? "in" : "past by",
	    at >= now ? (unsigned long long)at - (unsigned long long)now :
	    (unsigned long long)now - (unsigned long long)at);
}

/* A dry run: what the step function would answer, with nothing saved. */
static enum sip_rc
preview_step(struct sip_store *st, const char *mac,
    const struct sip_client *client, time_t now, enum sip_answer *answer,
    struct sip_action **act, struct sip_buf *trace, struct sip_err *err)
{
	enum sip_rc rc;
	struct sip_action *a;
	const char *why;
	char detail[32 + 2 * SIP_SMBIOS_STRLEN];

	*answer = SIP_ANSWER_DEFAULT;
	*act = NULL;
	rc = sip_store_active_action(st, mac, act, err);
	if (rc == SIP_ENOTFOUND) {	/* no active action: the default answer */
		TRACE(trace, "database: %s has no active action", mac);
		return SIP_OK;
	}
	if (rc != SIP_OK) {
		TRACE(trace, "database: %s", err != NULL ? err->msg : "error");
		return rc;
	}
	a = *act;
	TRACE(trace, "action %lld %s: %s, boot %d/%d, completion %s, set by %s",
	    (long long)a->id, a->name, sip_state_name(a->state), a->boots,
	    a->max_boots, sip_completion_name(a->completion),
	    a->created_by != NULL ? a->created_by : "?");
	if (a->start_at > 0)
		trace_time(trace, "starts", a->start_at, now);
	trace_time(trace, "expires", a->expires_at, now);
	if (!a->bind_identity)
		TRACE(trace, "smbios: not bound (the capability is not "
		    "destructive)");
	else if (a->bound_uuid[0] == '\0' && a->bound_serial[0] == '\0')
		TRACE(trace, "smbios: destructive, no identity known yet: the "
		    "first boot served binds it");
	else
		TRACE(trace, "smbios: bound to uuid %s serial %s",
		    a->bound_uuid[0] != '\0' ? a->bound_uuid : "-",
		    a->bound_serial[0] != '\0' ? a->bound_serial : "-");
	if ((why = sip_identity_refusal(a, client->uuid, client->serial,
	    detail, sizeof(detail))) != NULL) {
		TRACE(trace, "step: %s (%s): the default answer", why, detail);
		sip_action_free(*act);
		*act = NULL;
		return SIP_OK;
	}
	if (a->bound_addr[0] != '\0')
		TRACE(trace, "bound to %s ([security] bind = %s)",
		    a->bound_addr, sip_bind_name(client->bind));
	/*
	 * A HEAD from another address reads no more than its GET would; a
	 * preview given no address shows what the machine itself would get.
	 */
	if (client->addr != NULL &&
	    (why = sip_action_refusal(a, client, 1)) != NULL) {
		TRACE(trace, "step: from %s: %s: the default answer",
		    client->addr, why);
		sip_action_free(*act);
		*act = NULL;
		return SIP_OK;
	}
	*answer = sip_fsm_step(a, SIP_EV_BOOT, now, trace != NULL ?
	    trace_transition : NULL, trace);
	TRACE(trace, "step: answer %s", *answer == SIP_ANSWER_ACTION ?
	    "the action's script" : "the default answer");
	if (*answer != SIP_ANSWER_ACTION) {
		sip_action_free(*act);
		*act = NULL;
	}
	return SIP_OK;
}

/* Where an answer's URLs come from, as a preview shows it. */
static void
trace_url(struct sip_buf *trace, const char *name, const char *configured,
    const char *url, const struct sip_request *req)
{
	if (configured != NULL && *configured != '\0')
		TRACE(trace, "%s %s (configured)", name, url);
	else if (*url != '\0')
		TRACE(trace, "%s %s (not configured: from the request's Host %s)",
		    name, url, req->host);
	else
		TRACE(trace, "%s none (not configured, and no Host in the "
		    "request)", name);
}

static void
answer_boot(const struct sip_config *cfg, const struct sip_request *req,
    time_t now, int dry_run, struct sip_buf *out, struct sip_buf *trace,
    struct sip_reason *reason, enum sip_rc *rcp, struct sip_err *err)
{
	struct sip_store *st = NULL;
	struct sip_action *act = NULL;
	enum sip_answer answer = SIP_ANSWER_DEFAULT;
	struct answer_ctx c;
	enum sip_rc rc, rc2, seen_rc = SIP_OK, list_rc;
	struct sip_err err2, seen_err;
	struct sip_client client = { req->addr, cfg->bind, req->uuid,
	    req->serial };
	int listed = 0, refused_identity = 0;

	ctx_init(&c, cfg, req);
	trace_url(trace, "cgi_url", cfg->cgi_url, c.cgi_url, req);
	trace_url(trace, "boot_url", cfg->boot_url, c.boot_url, req);
	trace_model(trace, cfg, req, &c);
	snprintf(reason->text, sizeof(reason->text), "default answer");
	/* The machine is recorded whatever happens next. */
	if (!dry_run)
		seen_rc = sip_seen_append(cfg->db_path, req, now, &seen_err);
	else
		TRACE(trace, "journal: a boot would append %s to %s%s "
		    "(a preview writes nothing)", req->mac, cfg->db_path,
		    SIP_SEEN_SUFFIX);

	/*
	 * Most machines have no action: the list says so without the
	 * database, its locks and its schema.  A list that cannot be read
	 * sends every machine to the database, and the database path
	 * rewrites it.
	 */
	err2.msg[0] = '\0';
	list_rc = sip_active_lookup(cfg->db_path, req->mac, &listed, &err2);
	if (list_rc != SIP_OK)
		TRACE(trace, "active list %s%s: unreadable (%s): ask the database",
		    cfg->db_path, SIP_ACTIVE_SUFFIX, err2.msg);
	else
		TRACE(trace, "active list %s%s: %s %s", cfg->db_path,
		    SIP_ACTIVE_SUFFIX, req->mac, listed ?
		    "is on it: ask the database" :
		    "is not on it: the default answer, without the database");
	if (list_rc == SIP_OK && !listed) {
		snprintf(reason->text, sizeof(reason->text),
		    "default answer (no active action)");
		rc = SIP_OK;
		goto render;
	}
	/* Only the CLI creates the database (se3-ipxe, ipxe.cgi(8)). */
	rc = sip_store_open(cfg->db_path, dry_run ? SIP_STORE_RO :
	    SIP_STORE_RW_EXISTING, cfg->busy_timeout_ms, &st, err);
	if (rc == SIP_OK) {
		if (dry_run)
			rc = preview_step(st, req->mac, &client, now,
			    &answer, &act, trace, err);
		else
			rc = sip_store_boot_from(st, req->mac, &client, now,
			    &answer, &act, err);
		/* err names the refusal; the reason only says which kind. */
		refused_identity = err != NULL && strstr(err->msg,
		    "SMBIOS") != NULL;
		/* Answered as any machine without an action, and logged. */
		if (rc == SIP_OK && answer == SIP_ANSWER_REFUSE) {
			rc = SIP_EDENIED;
			snprintf(reason->text, sizeof(reason->text),
			    "default answer (%s)", refused_identity ?
			    "not the machine the action is bound to" :
			    "not the action's address");
		}
		if (rc == SIP_OK && !dry_run && list_rc != SIP_OK)
			(void)sip_store_active_sync(st, NULL);
		sip_store_close(st);
	} else if (dry_run) {
		/* No database yet: every machine is unknown, which is no error. */
		TRACE(trace, "database: not readable (%s): no action",
		    err != NULL ? err->msg : "?");
		rc = SIP_OK;
	}
 render:
	if (rc == SIP_OK && answer == SIP_ANSWER_ACTION && act != NULL) {
		snprintf(reason->text, sizeof(reason->text),
		    "action %lld %s: boot %d/%d (%s)", (long long)act->id,
		    act->name, act->boots, act->max_boots,
		    sip_state_name(act->state));
		rc = render_action(cfg, req, &c, act, NULL, out, trace, NULL,
		    err);
		if (rc != SIP_OK)
			snprintf(reason->text, sizeof(reason->text),
			    "action %lld %s could not be rendered: default answer",
			    (long long)act->id, act->name);
	}
	sip_action_free(act);
	if (rc != SIP_OK || answer != SIP_ANSWER_ACTION || out->len == 0) {
		out->len = 0;
		if (out->data != NULL)
			out->data[0] = '\0';
		err2.msg[0] = '\0';
		rc2 = render_default(cfg, req, &c, out, trace,
		    rc == SIP_OK ? err : &err2);
		if (rc == SIP_OK)
			rc = rc2;
	}
	/* Whatever happened above, a booting machine gets a whole script. */
	if (out->failed || out->len < 7 || memcmp(out->data, "#!ipxe", 6) != 0) {
		sip_buf_free(out);
		/* If even this fails, out stays empty and the caller writes it. */
		sip_buf_append(out, sip_fallback_script, sip_fallback_script_len);
		snprintf(reason->text, sizeof(reason->text), "fallback local boot");
		if (rc == SIP_OK)
			rc = SIP_EIO;
	}
	/* A boot that was not recorded is still answered: say so after. */
	if (rc == SIP_OK && seen_rc != SIP_OK) {
		rc = seen_rc;
		if (err != NULL)
			*err = seen_err;
	}
	*rcp = rc;
}

void
sip_answer_boot(const struct sip_config *cfg, const struct sip_request *req,
    time_t now, int dry_run, struct sip_buf *out, struct sip_reason *reason,
    enum sip_rc *rcp, struct sip_err *err)
{
	answer_boot(cfg, req, now, dry_run, out, NULL, reason, rcp, err);
}

void
sip_answer_preview(const struct sip_config *cfg,
    const struct sip_request *req, time_t now, struct sip_buf *out,
    struct sip_buf *trace, struct sip_reason *reason, enum sip_rc *rcp,
    struct sip_err *err)
{
	answer_boot(cfg, req, now, 1, out, trace, reason, rcp, err);
}

enum sip_rc
sip_answer_report(const struct sip_config *cfg, const char *addr,
    const char *token, enum sip_event ev, int progress, const char *msg,
    const char *inventory, time_t now, struct sip_err *err)
{
	struct sip_client client = { addr, cfg->bind, NULL, NULL };
	struct sip_store *st = NULL;
	struct sip_action *act = NULL;
	enum sip_rc rc;

	if (sip_token_check(token) != SIP_OK)
		return sip_errf(err, SIP_EDENIED, "report: malformed token");
	if (msg != NULL) {
		if ((rc = sip_report_msg_check(msg, err)) != SIP_OK)
			return rc;
	}
	if ((rc = sip_store_open(cfg->db_path, SIP_STORE_RW_EXISTING,
	    cfg->busy_timeout_ms, &st, err)) != SIP_OK)
		return rc;
	/* clone --sysprep: the master's script reports with its session's token. */
	rc = sip_mcast_prep_report(st, addr, token, ev, msg, now, err);
	if (rc == SIP_ENOTFOUND) {
		err->msg[0] = '\0';
		rc = sip_store_report_inventory(st, &client, token, ev,
		    progress, msg, inventory, now, &act, err);
	}
	sip_action_free(act);
	sip_store_close(st);
	return rc;
}

enum sip_rc
sip_answer_file(const struct sip_config *cfg, const struct sip_request *req,
    const char *token, const char *name, time_t now, int dry_run,
    struct sip_buf *out, struct sip_err *err)
{
	struct sip_client client = { req->addr, cfg->bind, NULL, NULL };
	struct sip_request as = *req;
	struct sip_store *st = NULL;
	struct sip_action *act = NULL;
	struct answer_ctx c;
	const char *why;
	int secret = 0;
	enum sip_rc rc;

	if (name == NULL || sip_file_name_check(name) != SIP_OK)
		return sip_errf(err, SIP_ENOTFOUND, "file: not a file name");
	if ((rc = sip_store_open(cfg->db_path, dry_run ? SIP_STORE_RO :
	    SIP_STORE_RW_EXISTING, cfg->busy_timeout_ms, &st, err)) != SIP_OK)
		return rc;
	/* A HEAD is refused as its GET would be, and records nothing. */
	if (dry_run) {
		rc = sip_store_token_action(st, token, now, &act, err);
		if (rc == SIP_OK &&
		    (why = sip_action_refusal(act, &client, 0)) != NULL) {
			sip_action_free(act);
			act = NULL;
			rc = sip_errf(err, SIP_EDENIED, "file refused: %s", why);
		}
	} else
		rc = sip_store_file(st, &client, token, name, now, &act, err);
	if (rc != SIP_OK)
		goto out;
	/* The values are the action's machine's, whoever fetches the file. */
	memcpy(as.mac, act->mac, sizeof(as.mac));
	as.platform = as.buildarch = NULL;
	ctx_init(&c, cfg, &as);
	rc = render_action(cfg, &as, &c, act, name, out, NULL, &secret, err);
	/* Rendered first: a file that cannot be rendered is not spent. */
	if (rc == SIP_OK && secret) {
		rc = sip_store_secret_claim(st, &client, act, name, now,
		    !dry_run, err);
		if (rc != SIP_OK && out->data != NULL) {
			explicit_bzero(out->data, out->len);
			out->len = 0;
		}
	} else if (rc == SIP_OK && !dry_run)
		rc = sip_store_file_served(st, &client, act, name, now, err);
 out:
	sip_action_free(act);
	sip_store_close(st);
	return rc;
}

enum sip_rc
sip_answer_render(const struct sip_config *cfg, const struct sip_request *req,
    const struct sip_action *act, struct sip_buf *out, struct sip_err *err)
{
	struct answer_ctx c;

	ctx_init(&c, cfg, req);
	return render_action(cfg, req, &c, act, NULL, out, NULL, NULL, err);
}

void
sip_answer_cgi_url(const struct sip_config *cfg, const struct sip_request *req,
    char *dst, size_t sz)
{
	struct answer_ctx c;

	ctx_init(&c, cfg, req);
	snprintf(dst, sz, "%s", c.cgi_url);
}
