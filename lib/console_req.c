/* SPDX-License-Identifier: GPL-3.0-or-later */
/* console.cgi's requests: route GET and POST, check rights, token and Origin, make the CLI's library calls, build the answer. */

#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "extern.h"

#define KEY_NAME	"console.key"	/* the CSRF key, beside the database */
#define ALL_GROUP	"-"	/* without [ldap]: the group of every machine */

enum kind { K_PAGE, K_JSON, K_CSS, K_JS };

static const struct endpoint {
	const char	*path;
	const char	*name;		/* in log lines */
	enum kind	 kind;
	const char	*type;
} endpoints[] = {
	{ "", "page", K_PAGE, "text/html; charset=utf-8" },
	{ "/", "page", K_PAGE, "text/html; charset=utf-8" },
	{ "/console.json", "json", K_JSON, "application/json" },
	{ "/console.css", "css", K_CSS, "text/css; charset=utf-8" },
	{ "/console.js", "js", K_JS, "text/javascript; charset=utf-8" },
};

/* One request: what the CGI read, what is checked of it, and its answer. */
struct req {
	const struct sip_console_req *in;
	struct sip_cgi_answer *a;
	const struct endpoint *ep;
	int		 post;
	const char	*login;		/* REMOTE_USER, NULL if none or unfit */
	char		 base[256];	/* SCRIPT_NAME, checked */
	struct sip_form	 q;		/* the query string */
	struct sip_form	 f;		/* the POST body */
	enum sip_lang	 lang;
	const char	*parc;		/* checked, NULL none */
};

/* What a request reads once it has a configuration. */
struct env {
	const struct sip_config	*cfg;
	char			*password;
	struct sip_rights	 rights;
	int			 all;	/* no [ldap]: Apache's login is the gate */
	unsigned char		 key[SIP_CSRF_KEY_LEN];
	char			 token[SIP_CSRF_TOKEN_MAX];
	struct sip_status_view	 view;
	int			 view_loaded;
	time_t			 now;
};

const char *
sip_console_endpoint(const char *path)
{
	size_t i;

	for (i = 0; i < SIP_ARRAY_SIZE(endpoints); i++)
		if (strcmp(path != NULL ? path : "", endpoints[i].path) == 0)
			return endpoints[i].name;
	return "-";
}

/* A line for the error log: the CGI writes them, each prefixed. */
static void
logmsg(const struct req *r, const char *fmt, ...)
{
	char line[2 * SIP_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sip_buf_printf(&r->a->log, "%s\n", line);
}

/* The answer; the CGI adds the headers every answer has. */
static void
respond(const struct req *r, int status, const char *type, const char *extra,
    const char *body, size_t len)
{
	struct sip_cgi_answer *a = r->a;

	a->status = status;
	a->type = type;
	snprintf(a->headers, sizeof(a->headers), "%s", extra != NULL ? extra :
	    "");
	a->body.len = 0;
	if (len > 0 && (sip_buf_append(&a->body, body, len) == -1 ||
	    a->body.failed)) {
		a->status = 503;
		a->type = "text/plain; charset=utf-8";
		a->headers[0] = '\0';
		a->body.len = 0;
	}
}

/* A page naming what went wrong; text is escaped, never markup. */
static void
fail(const struct req *r, int status, const char *text)
{
	struct sip_console_page p;
	struct sip_buf b;

	memset(&p, 0, sizeof(p));
	p.lang = r->lang;
	p.base = r->base;
	p.login = r->login != NULL ? r->login : "-";
	p.parc = r->parc;
	sip_buf_init(&b);
	sip_console_message_html(&p, sip_cgi_reason(status), text, &b);
	if (b.failed)
		respond(r, status, "text/plain; charset=utf-8", NULL,
		    "out of memory\n", 14);
	else
		respond(r, status, "text/html; charset=utf-8", status == 405 ?
		    "Allow: GET, HEAD, POST\r\n" : NULL, b.data, b.len);
	sip_buf_free(&b);
}

/* The library's message for a person: what it says of the request, not of the server. */
static void
fail_lib(const struct req *r, enum sip_rc rc, const struct sip_err *e)
{
	logmsg(r, "%s", e->msg[0] != '\0' ? e->msg : sip_strerror(rc));
	switch (rc) {
	case SIP_EINVAL:
	case SIP_ENOTFOUND:
		fail(r, 400, e->msg[0] != '\0' ? e->msg : sip_strerror(rc));
		break;
	case SIP_EDENIED:
		fail(r, 403, e->msg[0] != '\0' ? e->msg : sip_strerror(rc));
		break;
	default:
		fail(r, 503, r->lang == SIP_LANG_EN ? "The server cannot do "
		    "it now: see its error log." : "Le serveur ne peut pas le "
		    "faire maintenant : voir son journal d'erreurs.");
		break;
	}
}

static void
req_init(struct req *r, const struct sip_console_req *in,
    struct sip_cgi_answer *a)
{
	const char *path = in->path != NULL ? in->path : "";
	const char *base = in->script_name;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->in = in;
	r->a = a;
	for (i = 0; i < SIP_ARRAY_SIZE(endpoints); i++)
		if (strcmp(path, endpoints[i].path) == 0)
			r->ep = &endpoints[i];
	r->post = in->method != NULL && strcmp(in->method, "POST") == 0;
	r->login = a->login = sip_cgi_login(in->user);
	/* The page's links and forms: a plain path, else the default. */
	if (base == NULL || *base == '\0' || strlen(base) >= sizeof(r->base) ||
	    strspn(base, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._/-") != strlen(base))
		base = "/cgi-bin/console.cgi";
	snprintf(r->base, sizeof(r->base), "%s", base);
}

/* ------------------------------------------------------------------ env */

static int
parc_visible(void *arg, const char *parc)
{
	const struct env *e = arg;

	if (e->all || e->rights.all)
		return 1;
	return parc != NULL && sip_rights_may_see_parc(&e->rights, parc);
}

/* May the login act on this parc (the machines are checked again, each)? */
static int
parc_manage(const struct env *e, const char *parc)
{
	size_t i;

	if (e->all || e->rights.all)
		return 1;
	for (i = 0; i < e->rights.nmanage; i++)
		if (strcasecmp(e->rights.manage[i], parc) == 0)
			return 1;
	return 0;
}

/* The CSRF key beside the database: its directory is the CGI's already (the seen journal). */
static enum sip_rc
key_load(const struct sip_config *cfg, unsigned char *key, struct sip_err *err)
{
	char path[PATH_MAX];
	const char *slash = strrchr(cfg->db_path, '/');
	int n;

	if (slash == NULL)
		n = snprintf(path, sizeof(path), "%s", KEY_NAME);
	else
		n = snprintf(path, sizeof(path), "%.*s/%s",
		    (int)(slash - cfg->db_path), cfg->db_path, KEY_NAME);
	if (n < 0 || (size_t)n >= sizeof(path))
		return sip_errf(err, SIP_ECONFIG, "database path too long");
	return sip_csrf_key(path, key, err);
}

/* Configuration, directory password, rights, key: -1 once answered. */
static int
env_load(struct req *r, struct env *e)
{
	struct sip_store *st = NULL;
	struct sip_err err = { "" };
	enum sip_rc rc;

	e->now = r->in->now;
	if ((e->cfg = r->in->cfg) == NULL) {
		logmsg(r, "%s", r->in->cfg_err != NULL ? r->in->cfg_err : "");
		fail(r, 503, "The configuration is invalid: see the server's "
		    "error log.");
		return -1;
	}
	if ((rc = key_load(e->cfg, e->key, &err)) != SIP_OK) {
		logmsg(r, "%s", err.msg);
		fail(r, 503, "The console's key cannot be read: see the "
		    "server's error log.");
		return -1;
	}
	sip_csrf_token(e->key, sizeof(e->key), r->login, e->now, e->token);
	if (e->cfg->ldap_uri[0] != '\0' && e->cfg->ldap_bind_dn[0] != '\0' &&
	    sip_ldap_password_read(e->cfg->ldap_bind_password_file,
	    &e->password, &err) != SIP_OK) {
		logmsg(r, "%s", err.msg);
		fail(r, 503, "The directory cannot be read: see the server's "
		    "error log.");
		return -1;
	}
	e->all = e->cfg->ldap_uri[0] == '\0';
	if (e->all)
		return 0;
	if (sip_store_open(e->cfg->db_path, SIP_STORE_RO,
	    e->cfg->busy_timeout_ms, &st, &err) != SIP_OK)
		st = NULL;
	err.msg[0] = '\0';
	rc = sip_rights_load(e->cfg, e->password, st, r->login, &e->rights,
	    &err);
	sip_store_close(st);
	if (rc != SIP_OK) {
		logmsg(r, "%s", err.msg);
		fail(r, 503, "The rights of this login cannot be read: see "
		    "the server's error log.");
		return -1;
	}
	if (!e->rights.all && e->rights.nview == 0) {
		logmsg(r, "%s may see no parc: neither admin nor delegated one",
		    r->login);
		fail(r, 403, r->lang == SIP_LANG_EN ? "This login may see no "
		    "parc." : "Cet identifiant ne peut voir aucun parc.");
		return -1;
	}
	return 0;
}

static void
env_free(struct env *e)
{
	if (e->view_loaded)
		sip_status_view_free(&e->view);
	sip_rights_free(&e->rights);
	if (e->password != NULL) {
		explicit_bzero(e->password, strlen(e->password));
		free(e->password);
	}
	explicit_bzero(e->key, sizeof(e->key));
}

/* Every visible parc's machines: -1 once answered. */
static int
view_load(struct req *r, struct env *e)
{
	struct sip_err err = { "" };
	enum sip_rc rc;

	rc = sip_status_view_load(e->cfg, e->password, NULL, parc_visible, e,
	    e->now, &e->view, &err);
	e->view_loaded = 1;
	if (rc != SIP_OK) {
		logmsg(r, "%s: %s", sip_strerror(rc), err.msg);
		fail(r, 503, "The machines cannot be read now: see the "
		    "server's error log.");
		return -1;
	}
	return 0;
}

/* The chosen parc's group, NULL if it is not one the login sees. */
static const struct sip_status_group *
group_of(const struct env *e, const char *parc)
{
	size_t i;

	for (i = 0; parc != NULL && i < e->view.ngroups; i++) {
		const char *g = e->view.groups[i].parc;

		if (g == NULL ? strcmp(parc, ALL_GROUP) == 0 :
		    strcasecmp(g, parc) == 0)
			return &e->view.groups[i];
	}
	return NULL;
}

/* Without [ldap] the one group has no parc: it is called ALL_GROUP. */
static void
view_name_groups(struct env *e)
{
	size_t i;

	for (i = 0; i < e->view.ngroups; i++)
		if (e->view.groups[i].parc == NULL)
			e->view.groups[i].parc = ALL_GROUP;
}

/* -------------------------------------------------------------- GET */

/* The open sessions with a member in group g (all of them if g is NULL). */
struct sessions {
	struct sip_mcast		*v;
	size_t				 n;
	struct sip_mcast		*one;	/* what sip_mcast_get read */
	struct sip_mcast_member		**m;
	size_t				*nm;
	struct sip_console_session	*cs;
	size_t				 ncs;
};

static void
sessions_free(struct sessions *ss)
{
	size_t i;

	for (i = 0; ss->m != NULL && i < ss->n; i++)
		sip_mcast_members_free(ss->m[i], ss->nm[i]);
	free(ss->m);
	free(ss->nm);
	free(ss->one);
	free(ss->cs);
	free(ss->v);
	memset(ss, 0, sizeof(*ss));
}

static int
in_group(const struct sip_status_group *g, const char *mac)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->items[i].mac != NULL && strcmp(g->items[i].mac, mac) == 0)
			return 1;
	return 0;
}

static enum sip_rc
sessions_load(struct sip_store *st, const struct sip_status_group *g,
    struct sessions *ss, struct sip_err *err)
{
	size_t i, j;
	enum sip_rc rc;

	memset(ss, 0, sizeof(*ss));
	if ((rc = sip_mcast_list(st, 1, &ss->v, &ss->n, err)) != SIP_OK) {
		ss->v = NULL;
		ss->n = 0;
		return rc;
	}
	if ((ss->one = calloc(ss->n + 1, sizeof(*ss->one))) == NULL ||
	    (ss->m = calloc(ss->n + 1, sizeof(*ss->m))) == NULL ||
	    (ss->nm = calloc(ss->n + 1, sizeof(*ss->nm))) == NULL ||
	    (ss->cs = calloc(ss->n + 1, sizeof(*ss->cs))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	for (i = 0; i < ss->n; i++) {
		if ((rc = sip_mcast_get(st, ss->v[i].id, &ss->one[i], &ss->m[i],
		    &ss->nm[i], err)) != SIP_OK) {
			ss->m[i] = NULL;
			ss->nm[i] = 0;
			return rc;
		}
		for (j = 0; j < ss->nm[i]; j++)
			if (g == NULL || in_group(g, ss->m[i][j].mac))
				break;
		if (j == ss->nm[i])
			continue;
		ss->cs[ss->ncs].s = &ss->one[i];
		ss->cs[ss->ncs].m = ss->m[i];
		ss->cs[ss->ncs].nm = ss->nm[i];
		ss->ncs++;
	}
	return SIP_OK;
}

static int
cap_cmp(const void *a, const void *b)
{
	const struct sip_module *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static void
serve_page(struct req *r, struct env *e)
{
	struct sip_console_page p;
	struct sip_module **mods = NULL, *mod;
	struct sip_catalogue_image *images = NULL;
	struct sessions ss;
	struct sip_store *st = NULL;
	struct sip_err err = { "" };
	struct sip_buf out;
	struct sip_history *hist = NULL;
	struct sip_mac hmac;
	const char *cap, *done, *n, *hm;
	char notice[128], modname[SIP_NAME_MAX], capname[SIP_NAME_MAX];
	char hcanon[SIP_MAC_STRLEN];
	size_t nmods = 0, nimages = 0, nhist = 0, i;
	long long v;
	char *end;

	sip_buf_init(&out);
	memset(&ss, 0, sizeof(ss));
	memset(&p, 0, sizeof(p));
	p.lang = r->lang;
	p.base = r->base;
	p.login = r->login;
	p.token = e->token;
	p.refresh = e->cfg->status_refresh;
	p.view = &e->view;
	p.parc = group_of(e, r->parc) != NULL ? r->parc : NULL;
	p.may_act = p.parc != NULL && parc_manage(e, p.parc);
	if (p.parc != NULL && p.may_act) {
		if (sip_module_scan(e->cfg->module_path, &mods, &nmods,
		    &err) != SIP_OK) {
			mods = NULL;
			nmods = 0;
			logmsg(r, "%s", err.msg);
		}
		if (nmods > 1)
			qsort(mods, nmods, sizeof(*mods), cap_cmp);
		p.mods = mods;
		p.nmods = nmods;
		cap = sip_form_get(&r->q, "cap");
		if (cap != NULL && sip_action_name_split(cap, modname,
		    capname) == SIP_OK)
			for (i = 0; i < nmods; i++) {
				mod = mods[i];
				if (strcmp(mod->name, modname) == 0 &&
				    (p.capp = sip_module_capability(mod,
				    capname)) != NULL)
					p.cap = cap;
			}
		for (i = 0; i < nmods; i++)
			if (strcmp(mods[i]->name, "worker") == 0)
				p.restore = sip_module_capability(mods[i],
				    "restore");
		if (sip_store_open(e->cfg->db_path, SIP_STORE_RO,
		    e->cfg->busy_timeout_ms, &st, &err) == SIP_OK) {
			struct sip_image *parts = NULL;
			int64_t *owner = NULL;
			size_t nparts = 0;

			if (sip_catalogue(e->cfg, st, &images, &nimages,
			    &parts, &owner, &nparts, &err) != SIP_OK) {
				images = NULL;
				nimages = 0;
			} else {
				free(parts);
				free(owner);
			}
			sip_store_close(st);
		}
		p.images = images;
		p.nimages = nimages;
	}
	/* The parc's open sessions, also for a parc only viewed. */
	if (p.parc != NULL && sip_store_open(e->cfg->db_path, SIP_STORE_RO,
	    e->cfg->busy_timeout_ms, &st, &err) == SIP_OK) {
		if (sessions_load(st, group_of(e, p.parc), &ss, &err) != SIP_OK)
			logmsg(r, "%s", err.msg);
		p.sessions = ss.cs;
		p.nsessions = ss.ncs;
		sip_store_close(st);
	}
	/* The history asked for: a machine of the parc, which the login sees. */
	hm = sip_form_get(&r->q, "history");
	if (p.parc != NULL && hm != NULL && sip_mac_parse(hm, &hmac) ==
	    SIP_OK) {
		const struct sip_status_group *g = group_of(e, p.parc);

		sip_mac_format(&hmac, hcanon);
		for (i = 0; g != NULL && i < g->n; i++)
			if (g->items[i].mac != NULL &&
			    strcmp(g->items[i].mac, hcanon) == 0)
				p.history_mac = g->items[i].mac;
	}
	if (p.history_mac != NULL && sip_store_open(e->cfg->db_path,
	    SIP_STORE_RO, e->cfg->busy_timeout_ms, &st, &err) == SIP_OK) {
		if (sip_store_history(st, p.history_mac, &hist, &nhist, &err) !=
		    SIP_OK) {
			logmsg(r, "%s", err.msg);
			hist = NULL;
			nhist = 0;
		}
		p.history = hist;
		p.nhistory = nhist;
		sip_store_close(st);
	}
	/* A result after a change (its redirect): a closed set of words. */
	done = sip_form_get(&r->q, "done");
	n = sip_form_get(&r->q, "n");
	if (done != NULL && n != NULL && *n >= '0' && *n <= '9' &&
	    (v = strtoll(n, &end, 10)) >= 0 && *end == '\0' && v < 1000000000) {
		enum sip_msg m = strcmp(done, "set") == 0 ? SIP_MSG_DONE_SET :
		    strcmp(done, "cancel") == 0 ? SIP_MSG_DONE_CANCEL :
		    strcmp(done, "clone") == 0 ? SIP_MSG_DONE_CLONE :
		    strcmp(done, "session-cancel") == 0 ?
		    SIP_MSG_DONE_SESSION_CANCEL :
		    strcmp(done, "session-fallback") == 0 ?
		    SIP_MSG_DONE_FALLBACK : strcmp(done, "power") == 0 ?
		    SIP_MSG_DONE_POWER : SIP_MSG__MAX;

		if (m != SIP_MSG__MAX) {
			snprintf(notice, sizeof(notice), "%s %lld",
			    sip_msg(r->lang, m), v);
			p.notice = notice;
		}
	}
	if (sip_console_html(&p, &out) == -1 || out.failed) {
		logmsg(r, "out of memory");
		fail(r, 503, "Out of memory.");
	} else
		respond(r, 200, r->ep->type, NULL, out.data, out.len);
	if (hist != NULL)
		sip_history_free(hist, nhist);
	sip_catalogue_free(images, nimages);
	sessions_free(&ss);
	if (mods != NULL)
		sip_modules_free(mods, nmods);
	sip_buf_free(&out);
}

static void
serve_json(struct req *r, struct env *e)
{
	struct sip_status_view one;
	const struct sip_status_group *g;
	struct sip_buf out;

	sip_buf_init(&out);
	if ((g = group_of(e, r->parc)) == NULL) {
		fail(r, 404, "No such parc.");
		return;
	}
	/* The chosen group alone, as status.cgi's JSON has it. */
	one = e->view;
	one.groups = (struct sip_status_group *)(uintptr_t)g;
	one.ngroups = 1;
	sip_status_json(&one, e->cfg->status_refresh, &out);
	if (out.failed)
		fail(r, 503, "Out of memory.");
	else
		respond(r, 200, r->ep->type, NULL, out.data, out.len);
	sip_buf_free(&out);
}

/* ------------------------------------------------------------- POST */

/*
 * The n MACs of values as machines of the parc's group, or an error
 * naming the first that is none (nothing done).
 */
static enum sip_rc
parc_machines(const struct req *r, const struct sip_status_group *g,
    const char *const *values, size_t nv, struct sip_targets *t,
    struct sip_err *err)
{
	const char **macs;
	struct sip_mac m;
	char canon[SIP_MAC_STRLEN];
	size_t i, j, n = 0;
	enum sip_rc rc;

	memset(t, 0, sizeof(*t));
	if ((macs = calloc(nv + 1, sizeof(*macs))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	for (i = 0; i < nv; i++) {
		if (sip_mac_parse(values[i], &m) != SIP_OK) {
			free(macs);
			return sip_errf(err, SIP_EINVAL, "'%.40s': not a MAC "
			    "address", values[i]);
		}
		sip_mac_format(&m, canon);
		for (j = 0; j < g->n; j++)
			if (g->items[j].mac != NULL &&
			    strcmp(g->items[j].mac, canon) == 0)
				break;
		if (j == g->n) {
			free(macs);
			return sip_errf(err, SIP_EDENIED, "%s: not a machine of "
			    "parc %s: nothing done", canon, g->parc);
		}
		macs[n++] = g->items[j].mac;
	}
	if (n == 0) {
		free(macs);
		return sip_errf(err, SIP_EINVAL, "%s", sip_msg(r->lang,
		    SIP_MSG_NONE_TICKED));
	}
	/* MACs only: no directory is asked again. */
	rc = sip_targets_resolve(NULL, NULL, macs, n, t, err);
	free(macs);
	if (rc != SIP_OK)
		return rc;
	for (i = 0; i < t->n; i++)
		for (j = 0; j < g->n; j++)
			if (g->items[j].mac != NULL &&
			    strcmp(g->items[j].mac, t->p[i]) == 0) {
				if (g->items[j].name != NULL)
					snprintf(t->name[i], sizeof(t->name[i]),
					    "%s", g->items[j].name);
				if (g->items[j].ip != NULL &&
				    sip_value_check(SIP_T_IPV4,
				    g->items[j].ip) == SIP_OK)
					snprintf(t->ip[i], sizeof(t->ip[i]),
					    "%s", g->items[j].ip);
				break;
			}
	return SIP_OK;
}

/*
 * The machines the form names, in the parc's group: each ticked MAC
 * must be one of its machines (all=yes: every one with a MAC).  Names
 * and IPs are the directory's, as set-action's parc:NAME has them.
 */
static enum sip_rc
form_targets(const struct req *r, const struct sip_status_group *g,
    struct sip_targets *t, struct sip_err *err)
{
	const char **v;
	size_t i, n = 0;
	int all;
	enum sip_rc rc;

	all = sip_form_get(&r->f, "all") != NULL &&
	    strcmp(sip_form_get(&r->f, "all"), "yes") == 0;
	if ((v = calloc(r->f.n + g->n + 1, sizeof(*v))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	for (i = 0; all && i < g->n; i++)
		if (g->items[i].mac != NULL && g->items[i].mac[0] != '\0')
			v[n++] = g->items[i].mac;
	for (i = 0; !all && i < r->f.n; i++)
		if (strcmp(r->f.name[i], "m") == 0)
			v[n++] = r->f.value[i];
	rc = parc_machines(r, g, v, n, t, err);
	free(v);
	return rc;
}

/*
 * The capability's options from the form's PREFIX.KEY fields: a boolean
 * unticked is "no", an empty field its default (left out).
 */
static enum sip_rc
form_options(const struct req *r, const struct sip_capability *cap,
    const char *prefix, char ***out, size_t *nout, struct sip_err *err)
{
	char key[SIP_NAME_MAX + 8], **v;
	const char *val;
	size_t i, n = 0;

	*out = NULL;
	*nout = 0;
	if ((v = calloc(cap->noptions + 1, sizeof(*v))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	for (i = 0; i < cap->noptions; i++) {
		const struct sip_option *o = &cap->options[i];

		snprintf(key, sizeof(key), "%s.%s", prefix, o->name);
		if (sip_form_count(&r->f, key) > 1) {
			for (i = 0; i < n; i++)
				free(v[i]);
			free(v);
			return sip_errf(err, SIP_EINVAL, "option %s given "
			    "twice", o->name);
		}
		val = sip_form_get(&r->f, key);
		if (o->type == SIP_OPT_BOOLEAN)
			val = val != NULL && strcmp(val, "yes") == 0 ? "yes" :
			    "no";
		if (val == NULL || (*val == '\0' && o->def != NULL))
			continue;
		if (asprintf(&v[n], "%s=%s", o->name, val) == -1) {
			for (i = 0; i < n; i++)
				free(v[i]);
			free(v);
			return sip_errf(err, SIP_ENOMEM, "out of memory");
		}
		n++;
	}
	*out = v;
	*nout = n;
	return SIP_OK;
}

/* The database for a change; *st NULL on failure. */
static enum sip_rc
store_rw(const struct env *e, struct sip_store **st, struct sip_err *err)
{
	enum sip_rc rc;

	if ((rc = sip_store_open(e->cfg->db_path, SIP_STORE_RW_EXISTING,
	    e->cfg->busy_timeout_ms, st, err)) != SIP_OK)
		*st = NULL;
	return rc;
}

/* MODULE:CAPABILITY's options as the form gives them, its description read and let go. */
static enum sip_rc
cap_options(const struct req *r, const struct env *e, const char *modname,
    const char *capname, const char *prefix, char ***out, size_t *nout,
    struct sip_err *err)
{
	struct sip_module *mod;
	const struct sip_capability *cap;
	enum sip_rc rc;

	*out = NULL;
	*nout = 0;
	if ((rc = sip_module_find(e->cfg->module_path, modname, &mod, err)) !=
	    SIP_OK)
		return rc;
	if ((cap = sip_module_capability(mod, capname)) == NULL) {
		err->msg[0] = '\0';
		rc = sip_errf(err, SIP_ENOTFOUND, "'%s:%s': no such capability",
		    modname, capname);
	} else
		rc = form_options(r, cap, prefix, out, nout, err);
	sip_module_free(mod);
	return rc;
}

/* A non-empty field, or NULL. */
static const char *
field(const struct req *r, const char *name)
{
	const char *v = sip_form_get(&r->f, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/*
 * Wake and reboot as set-action's --wol and --reboot ask, but done by
 * the tick: the console, www-data, holds neither the reboot's SSH key
 * nor a raw socket; the jobs are due when the actions start.
 */
static enum sip_rc
power_jobs(struct sip_store *st, const struct env *e, const struct req *r,
    const struct sip_targets *t, int64_t start, const int64_t *ids,
    int wol, const char *reboot, struct sip_err *err)
{
	struct sip_new_power_job *nj;
	enum sip_reboot_policy policy = SIP_REBOOT_NONE;
	size_t i, n = 0;
	enum sip_rc rc;
	int k;

	if (!wol && reboot == NULL)
		return SIP_OK;
	if (reboot != NULL && sip_reboot_policy_parse(reboot, &policy) !=
	    SIP_OK)
		return sip_errf(err, SIP_EINVAL, "reboot: '%.16s': not a "
		    "policy (wait, idle or force)", reboot);
	if ((nj = calloc(2 * t->n + 1, sizeof(*nj))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	/* Per machine, the wake first, then the reboot. */
	for (i = 0; i < t->n; i++)
		for (k = 0; k < 2; k++) {
			if (k == 0 ? !wol : reboot == NULL)
				continue;
			nj[n].mac = t->p[i];
			nj[n].kind = k == 0 ? SIP_POWER_WAKE : SIP_POWER_REBOOT;
			nj[n].policy = k == 0 ? SIP_REBOOT_NONE : policy;
			nj[n].due_at = start;
			nj[n].ip = t->ip[i][0] != '\0' ? t->ip[i] : NULL;
			nj[n].action_id = ids[i];
			n++;
		}
	rc = sip_store_power_add(st, nj, n, r->login, e->now, NULL, err);
	free(nj);
	return rc;
}

/*
 * The actions, then their power jobs as the form's PREFIXwol and
 * PREFIXreboot ask; *ids (one per target) is the caller's to free.
 */
static enum sip_rc
actions_write(const struct req *r, const struct env *e, struct sip_store *st,
    struct sip_setaction *sa, const struct sip_targets *t, const char *prefix,
    int64_t **ids, struct sip_err *err)
{
	char wol[32], reboot[32];
	enum sip_rc rc;

	if ((*ids = calloc(t->n + 1, sizeof(**ids))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	snprintf(wol, sizeof(wol), "%swol", prefix);
	snprintf(reboot, sizeof(reboot), "%sreboot", prefix);
	if ((rc = sip_setaction_write(st, sa, t, e->now, *ids, err)) != SIP_OK)
		return rc;
	return power_jobs(st, e, r, t, sa->start, *ids, field(r, wol) != NULL,
	    field(r, reboot), err);
}

/* Where the change goes after it is made: the parc's page, saying what was done. */
static void
redirect_done(const struct req *r, const char *what, long long n)
{
	char extra[640], body[64];
	int k;

	k = snprintf(extra, sizeof(extra), "Location: %s/?parc=%s&lang=%s"
	    "&done=%s&n=%lld\r\n", r->base, r->parc, sip_lang_code(r->lang),
	    what, n);
	if (k < 0 || (size_t)k >= sizeof(extra)) {
		fail(r, 503, "Out of memory.");
		return;
	}
	snprintf(body, sizeof(body), "%s %lld\n", what, n);
	respond(r, 303, "text/plain; charset=utf-8", extra, body,
	    strlen(body));
}

/* A destructive change not confirmed for this count: the confirmation page, nothing written. */
static int
confirmed(struct req *r, struct env *e, const struct sip_targets *t)
{
	struct sip_console_page p;
	struct sip_buf out;
	const char *c = sip_form_get(&r->f, "confirm");
	const char **names;
	char want[24];
	size_t i;

	snprintf(want, sizeof(want), "%zu", t->n);
	if (c != NULL && strcmp(c, want) == 0)
		return 1;
	if (c != NULL) {
		logmsg(r, "confirmation for %.16s machines, %zu ticked: "
		    "nothing done", c, t->n);
		fail(r, 409, sip_msg(r->lang, SIP_MSG_CONFIRM_MISMATCH));
		return 0;
	}
	memset(&p, 0, sizeof(p));
	p.lang = r->lang;
	p.base = r->base;
	p.login = r->login;
	p.token = e->token;
	p.parc = r->parc;
	if ((names = calloc(t->n + 1, sizeof(*names))) == NULL) {
		fail(r, 503, "Out of memory.");
		return 0;
	}
	for (i = 0; i < t->n; i++)
		names[i] = t->name[i][0] != '\0' ? t->name[i] : t->p[i];
	sip_buf_init(&out);
	sip_console_confirm_html(&p, &r->f, names, t->n, &out);
	free(names);
	if (out.failed)
		fail(r, 503, "Out of memory.");
	else
		respond(r, 200, "text/html; charset=utf-8", NULL, out.data,
		    out.len);
	sip_buf_free(&out);
	return 0;
}

static void
op_set(struct req *r, struct env *e, const struct sip_targets *t)
{
	struct sip_setaction sa;
	struct sip_store *st = NULL;
	struct sip_err err = { "" };
	char **assign = NULL;
	int64_t *ids = NULL;
	size_t nassign = 0, i;
	enum sip_rc rc;

	memset(&sa, 0, sizeof(sa));
	sa.action = sip_form_get(&r->f, "cap");
	if (sa.action == NULL)
		sa.action = "";
	sa.who = r->login;
	sa.at = field(r, "at");
	sa.expires_arg = field(r, "expires");
	sa.max_boots_arg = field(r, "max_boots");
	if ((rc = sip_setaction_name(&sa, &err)) != SIP_OK ||
	    (rc = cap_options(r, e, sa.modname, sa.capname, "o", &assign,
	    &nassign, &err)) != SIP_OK) {
		fail_lib(r, rc, &err);
		goto out;
	}
	sa.assignments = assign;
	sa.nassignments = nassign;
	if ((rc = sip_setaction_prepare(e->cfg, &sa, t, e->now, &err)) !=
	    SIP_OK) {
		fail_lib(r, rc, &err);
		goto out;
	}
	if ((rc = store_rw(e, &st, &err)) != SIP_OK) {
		fail_lib(r, rc, &err);
		goto out;
	}
	if ((rc = sip_setaction_check(e->cfg, st, &sa, t, &err)) != SIP_OK) {
		fail_lib(r, rc, &err);
		goto out;
	}
	/* Asked once everything else holds: a confirmed change is written. */
	if (sa.cap->destructive && !confirmed(r, e, t))
		goto out;
	if ((rc = actions_write(r, e, st, &sa, t, "", &ids, &err)) != SIP_OK) {
		fail_lib(r, rc, &err);
		goto out;
	}
	for (i = 0; i < t->n; i++)
		logmsg(r, "%s %s %s%s", t->p[i], sa.action, sa.start > e->now ?
		    "scheduled" : "pending", sa.old[i] != NULL ?
		    " (replaces one)" : "");
	redirect_done(r, "set", (long long)t->n);
 out:
	free(ids);
	if (st != NULL)
		sip_store_close(st);
	sip_setaction_free(&sa);
	sip_strv_free(assign, nassign);
}

static void
op_cancel(struct req *r, struct env *e, const struct sip_targets *t)
{
	struct sip_store *st = NULL;
	struct sip_err err = { "" };
	size_t n = 0;
	enum sip_rc rc;

	if ((rc = store_rw(e, &st, &err)) != SIP_OK) {
		fail_lib(r, rc, &err);
		return;
	}
	if ((rc = sip_store_cancel(st, t->p, t->n, r->login, e->now, &n,
	    &err)) != SIP_OK)
		fail_lib(r, rc, &err);
	else {
		logmsg(r, "%zu of %zu machines: action cancelled", n, t->n);
		redirect_done(r, "cancel", (long long)n);
	}
	sip_store_close(st);
}

static int
num_field(const struct req *r, const char *name, long long min, long long max,
    long long *v, struct sip_err *err)
{
	const char *s = field(r, name);
	char *end;

	if (s == NULL)
		return 0;
	errno = 0;
	if (*s < '0' || *s > '9' || (*v = strtoll(s, &end, 10), errno != 0) ||
	    *end != '\0' || *v < min || *v > max) {
		sip_errf(err, SIP_EINVAL, "%s: '%.16s': not a number from %lld "
		    "to %lld", name, s, min, max);
		return -1;
	}
	return 1;
}

/*
 * A multicast session as `se3-ipxe clone` makes it: the session, its
 * members' worker:restore actions through set-action's library calls,
 * the members, then the runner; undone if a step fails.
 */
static void
op_clone(struct req *r, struct env *e, const struct sip_status_group *g,
    const struct sip_targets *t)
{
	struct sip_clone cl;
	struct sip_targets tm;
	struct sip_store *st = NULL;
	struct sip_err err = { "" };
	char **assign = NULL;
	const char *image = field(r, "image"), *from = field(r, "from");
	int64_t *ids = NULL;
	size_t nassign = 0;
	long long v;
	enum sip_rc rc;
	int k;

	sip_clone_init(&cl);
	memset(&tm, 0, sizeof(tm));
	/*
	 * clone --from: a machine of this parc (the rights on it are the
	 * members'), saved first as a new image.
	 */
	if (from != NULL && from[0] != '\0') {
		if ((rc = parc_machines(r, g, &from, 1, &tm, &err)) != SIP_OK ||
		    (!e->all && (rc = sip_rights_check(&e->rights, &tm,
		    &err)) != SIP_OK)) {
			fail_lib(r, rc, &err);
			goto out;
		}
		cl.master = &tm;
		image = field(r, "new_image");
		cl.sysprep = field(r, "sysprep") != NULL;
	}
	if (image == NULL || strlen(image) >= sizeof(cl.s.image)) {
		rc = sip_errf(&err, SIP_EINVAL, "'%.64s': not an image name",
		    image != NULL ? image : "");
		fail_lib(r, rc, &err);
		goto out;
	}
	snprintf(cl.s.image, sizeof(cl.s.image), "%s", image);
	if ((k = num_field(r, "port", SIP_MCAST_PORT_MIN, SIP_MCAST_PORT_MAX,
	    &v, &err)) == -1) {
		fail_lib(r, SIP_EINVAL, &err);
		goto out;
	}
	cl.s.port = k == 1 ? (int)v : 0;
	if ((k = num_field(r, "min_receivers", 1, (long long)t->n, &v,
	    &err)) == -1) {
		fail_lib(r, SIP_EINVAL, &err);
		goto out;
	}
	cl.s.min_receivers = k == 1 ? (int)v : 0;
	if ((k = num_field(r, "max_wait", 1, SIP_CLONE_WAIT_MAX - 60, &v,
	    &err)) == -1) {
		fail_lib(r, SIP_EINVAL, &err);
		goto out;
	}
	if (k == 1)
		cl.s.max_wait = (int)v;
	cl.s.fallback = field(r, "fallback") != NULL;
	cl.at = field(r, "clone_at");
	cl.who = r->login;

	/* The members' options from the form; the session's own are lib/clone.c's. */
	if ((rc = cap_options(r, e, "worker", "restore", "c", &assign,
	    &nassign, &err)) != SIP_OK) {
		fail_lib(r, rc, &err);
		goto out;
	}
	cl.assignments = assign;
	cl.nassignments = nassign;
	if ((rc = sip_clone_prepare(e->cfg, &cl, t, e->now, &err)) != SIP_OK ||
	    (rc = store_rw(e, &st, &err)) != SIP_OK ||
	    (rc = sip_clone_check(e->cfg, st, &cl, t, &err)) != SIP_OK) {
		fail_lib(r, rc, &err);
		goto out;
	}
	/* The confirmation comes before the session exists. */
	if (!confirmed(r, e, t))
		goto out;
	if ((ids = calloc(t->n + 1, sizeof(*ids))) == NULL) {
		fail(r, 503, "Out of memory.");
		goto out;
	}
	if ((rc = sip_clone_write(st, &cl, t, e->now, ids, &err)) != SIP_OK) {
		fail_lib(r, rc, &err);
		goto out;
	}
	logmsg(r, "session %" PRId64 ": image %s to %zu machines, port %d on "
	    "%s%s%s%s", cl.s.id, cl.s.image, t->n, cl.s.port, cl.s.interface,
	    cl.master != NULL ? ", saved first from " : "", cl.master != NULL ?
	    tm.p[0] : "", cl.sysprep ? " after its sysprep" : "");
	/*
	 * The session is whole from here: a failure is logged, not undone.
	 * The master boots now; the members' jobs wait with them.
	 */
	/* A master to prepare runs Windows: woken or rebooted, it would leave it. */
	if ((cl.master != NULL && !cl.sysprep && power_jobs(st, e, r, &tm,
	    cl.save.start, &cl.save_id, field(r, "clone_wol") != NULL,
	    field(r, "clone_reboot"), &err) != SIP_OK) || power_jobs(st, e, r,
	    t, cl.sa.start, ids, field(r, "clone_wol") != NULL, field(r,
	    "clone_reboot"), &err) != SIP_OK)
		logmsg(r, "session %" PRId64 ": %s", cl.s.id, err.msg);
	/*
	 * A runner that fails to start is the tick's to fail.  The CGI
	 * names the se3-ipxe to run; its configuration comes with
	 * SE3_IPXE_CONFIG.
	 */
	{
		struct sip_err e3 = { "" };

		if (sip_mcast_runner_spawn(e->cfg, r->in->self, NULL, cl.s.id,
		    &e3) != SIP_OK)
			logmsg(r, "%s", e3.msg);
	}
	redirect_done(r, "clone", (long long)cl.s.id);
 out:
	free(ids);
	if (st != NULL)
		sip_store_close(st);
	sip_clone_free(&cl);
	sip_targets_free(&tm);
	sip_strv_free(assign, nassign);
}

/*
 * wol and reboot, as the CLI's (--at included): jobs of no action, sent
 * by the tick, which holds the raw socket and the reboot's credentials.
 */
static void
op_power(struct req *r, struct env *e, const struct sip_targets *t)
{
	struct sip_store *st = NULL;
	struct sip_err err = { "" };
	const char *at = field(r, "power_at");
	int64_t *ids = NULL;
	time_t due = e->now;
	enum sip_rc rc;

	if (field(r, "power_wol") == NULL && field(r, "power_reboot") == NULL) {
		fail(r, 400, sip_msg(r->lang, SIP_MSG_POWER_NOTHING));
		return;
	}
	if (at != NULL) {
		struct sip_err e2 = { "" };

		if (sip_at_parse(at, e->now, &due, &e2) != SIP_OK) {
			rc = sip_errf(&err, SIP_EINVAL, "--at: %s", e2.msg);
			fail_lib(r, rc, &err);
			return;
		}
	}
	if ((ids = calloc(t->n + 1, sizeof(*ids))) == NULL) {
		fail(r, 503, "Out of memory.");
		return;
	}
	if ((rc = store_rw(e, &st, &err)) != SIP_OK ||
	    (rc = power_jobs(st, e, r, t, (int64_t)due, ids, field(r,
	    "power_wol") != NULL, field(r, "power_reboot"), &err)) != SIP_OK)
		fail_lib(r, rc, &err);
	else {
		logmsg(r, "%zu machines: %s%s%s", t->n, field(r, "power_wol") !=
		    NULL ? "wake " : "", field(r, "power_reboot") != NULL ?
		    "reboot " : "", field(r, "power_reboot") != NULL ?
		    field(r, "power_reboot") : "");
		redirect_done(r, "power", (long long)t->n);
	}
	if (st != NULL)
		sip_store_close(st);
	free(ids);
}

/*
 * session cancel and fallback, as the CLI's: the rights checked on every
 * member (all or nothing), then the library's call.
 */
static void
op_session(struct req *r, struct env *e, int cancel)
{
	struct sip_store *st = NULL;
	struct sip_err err = { "" };
	struct sip_targets t;
	struct sip_mcast s;
	struct sip_mcast_member *m = NULL;
	const char **macs = NULL;
	const char *f = field(r, "session");
	size_t nm = 0, i, nset = 0;
	long long id;
	char *end;
	enum sip_rc rc;

	memset(&t, 0, sizeof(t));
	errno = 0;
	if (f == NULL || *f < '1' || *f > '9' || (id = strtoll(f, &end, 10),
	    errno != 0) || *end != '\0') {
		fail(r, 400, "session: a session's number.");
		return;
	}
	if ((rc = store_rw(e, &st, &err)) != SIP_OK) {
		fail_lib(r, rc, &err);
		return;
	}
	if ((rc = sip_mcast_get(st, (int64_t)id, &s, &m, &nm, &err)) !=
	    SIP_OK) {
		m = NULL;
		nm = 0;
		fail_lib(r, rc, &err);
		goto out;
	}
	if ((macs = calloc(nm + 1, sizeof(*macs))) == NULL) {
		fail(r, 503, "Out of memory.");
		goto out;
	}
	for (i = 0; i < nm; i++)
		macs[i] = m[i].mac;
	if ((rc = sip_targets_resolve(NULL, NULL, macs, nm, &t, &err)) !=
	    SIP_OK || (!e->all && (rc = sip_rights_check(&e->rights, &t,
	    &err)) != SIP_OK)) {
		fail_lib(r, rc, &err);
		goto out;
	}
	if (cancel) {
		if ((rc = sip_mcast_cancel_stop(e->cfg, st, (int64_t)id,
		    r->login, e->now, &err)) != SIP_OK) {
			fail_lib(r, rc, &err);
			goto out;
		}
		logmsg(r, "session %lld cancelled", id);
		redirect_done(r, "session-cancel", id);
	} else {
		if ((rc = sip_mcast_fallback(e->cfg, st, (int64_t)id, NULL, 0,
		    r->login, e->now, &nset, &err)) != SIP_OK) {
			fail_lib(r, rc, &err);
			goto out;
		}
		logmsg(r, "session %lld: %zu machines given a unicast restore",
		    id, nset);
		redirect_done(r, "session-fallback", (long long)nset);
	}
 out:
	sip_targets_free(&t);
	free(macs);
	sip_mcast_members_free(m, nm);
	sip_store_close(st);
}

static void
serve_post(struct req *r, struct env *e)
{
	const struct sip_status_group *g;
	struct sip_targets t;
	struct sip_err err = { "" };
	const char *op;
	enum sip_rc rc;

	memset(&t, 0, sizeof(t));
	/* Before anything is read for it: the token of this login, made here. */
	if ((rc = sip_csrf_check(e->key, sizeof(e->key), r->login,
	    sip_form_get(&r->f, "token"), e->now, &err)) != SIP_OK) {
		logmsg(r, "refused: %s", err.msg);
		fail(r, 403, r->lang == SIP_LANG_EN ? "Refused: this form "
		    "was not made by this page for this login (reload the "
		    "page)." : "Refusé : ce formulaire ne vient pas de cette "
		    "page pour cet identifiant (recharger la page).");
		return;
	}
	op = sip_form_get(&r->f, "op");
	if (op == NULL || (strcmp(op, "set") != 0 && strcmp(op, "cancel") !=
	    0 && strcmp(op, "power") != 0 && strcmp(op, "clone") != 0 &&
	    strcmp(op, "session-cancel") != 0 && strcmp(op,
	    "session-fallback") != 0)) {
		fail(r, 400, "op: set, cancel, power, clone, session-cancel or "
		    "session-fallback.");
		return;
	}
	if (r->parc == NULL || view_load(r, e) == -1) {
		if (r->parc == NULL)
			fail(r, 400, "parc: a parc's name.");
		return;
	}
	view_name_groups(e);
	if ((g = group_of(e, r->parc)) == NULL || !parc_manage(e, r->parc)) {
		logmsg(r, "refused: parc %s is not %s's to act on", r->parc,
		    r->login);
		fail(r, 403, r->lang == SIP_LANG_EN ? "Refused: this login may "
		    "not act on this parc; nothing done." : "Refusé : cet "
		    "identifiant ne peut pas agir sur ce parc ; rien n'a été "
		    "fait.");
		return;
	}
	if (strncmp(op, "session-", 8) == 0) {
		op_session(r, e, strcmp(op, "session-cancel") == 0);
		return;
	}
	if ((rc = form_targets(r, g, &t, &err)) != SIP_OK) {
		fail_lib(r, rc, &err);
		return;
	}
	/* The CLI's check, machine by machine: all or nothing. */
	if (!e->all && (rc = sip_rights_check(&e->rights, &t, &err)) !=
	    SIP_OK)
		fail_lib(r, rc, &err);
	else if (strcmp(op, "set") == 0)
		op_set(r, e, &t);
	else if (strcmp(op, "cancel") == 0)
		op_cancel(r, e, &t);
	else if (strcmp(op, "power") == 0)
		op_power(r, e, &t);
	else
		op_clone(r, e, g, &t);
	sip_targets_free(&t);
}

/* A POST's body as the CGI read it: a form, whole, of the right type. */
static int
body_check(const struct req *r)
{
	const char *ct = r->in->content_type;

	switch (r->in->body_fault) {
	case 0:
		break;
	case 413:
		fail(r, 413, "The form is too large.");
		return -1;
	case 400:
		fail(r, 400, "The form was cut short.");
		return -1;
	default:
		fail(r, 503, "Out of memory.");
		return -1;
	}
	if (ct == NULL || strncasecmp(ct, "application/x-www-form-urlencoded",
	    33) != 0 || (ct[33] != '\0' && ct[33] != ';')) {
		fail(r, 415, "A form (application/x-www-form-urlencoded) only.");
		return -1;
	}
	return 0;
}

void
sip_console_serve(const struct sip_console_req *in, struct sip_cgi_answer *a)
{
	struct env e;
	struct req r;
	struct sip_err err = { "" };
	const char *method = in->method, *parc, *qs;

	memset(&e, 0, sizeof(e));
	req_init(&r, in, a);
	qs = in->query != NULL ? in->query : "";
	if (sip_form_parse(qs, strlen(qs), &r.q, &err) != SIP_OK) {
		memset(&r.q, 0, sizeof(r.q));
		r.lang = sip_lang_choose(NULL, in->accept_language);
		logmsg(&r, "query: %s", err.msg);
		fail(&r, 400, "Bad query.");
		return;
	}
	r.lang = sip_lang_choose(sip_form_get(&r.q, "lang"),
	    in->accept_language);
	if (method == NULL || (strcmp(method, "GET") != 0 &&
	    strcmp(method, "HEAD") != 0 && strcmp(method, "POST") != 0)) {
		fail(&r, 405, "GET, HEAD or POST.");
		goto out;
	}
	if (r.ep == NULL) {
		fail(&r, 404, "No such page.");
		goto out;
	}
	if (r.ep->kind == K_CSS || r.ep->kind == K_JS) {
		if (r.post) {
			fail(&r, 405, "GET, HEAD or POST.");
			goto out;
		}
		respond(&r, 200, r.ep->type, NULL, r.ep->kind == K_CSS ?
		    sip_console_css : sip_console_js, strlen(r.ep->kind ==
		    K_CSS ? sip_console_css : sip_console_js));
		goto out;
	}
	if (r.post && r.ep->kind == K_PAGE && body_check(&r) == -1)
		goto out;
	if (r.login == NULL) {
		logmsg(&r, "no REMOTE_USER: the web server must authenticate "
		    "(console.cgi(8))");
		fail(&r, 403, "No login: this page is served behind the "
		    "directory's authentication.");
		goto out;
	}
	if (r.post) {
		if (r.ep->kind != K_PAGE) {
			fail(&r, 405, "GET, HEAD or POST.");
			goto out;
		}
		/* A change comes from a page of this server, or not at all. */
		if (sip_origin_check(in->origin, in->referer, in->host,
		    in->https, &err) != SIP_OK) {
			logmsg(&r, "refused: %s", err.msg);
			fail(&r, 403, r.lang == SIP_LANG_EN ? "Refused: the "
			    "form was not sent from this server's page." :
			    "Refusé : le formulaire n'a pas été envoyé depuis "
			    "une page de ce serveur.");
			goto out;
		}
		if (sip_form_parse(in->body != NULL ? in->body : "", in->len,
		    &r.f, &err) != SIP_OK) {
			logmsg(&r, "%s", err.msg);
			fail(&r, 400, err.msg);
			goto out;
		}
		r.lang = sip_lang_choose(sip_form_get(&r.f, "lang"),
		    in->accept_language);
		parc = sip_form_get(&r.f, "parc");
	} else
		parc = sip_form_get(&r.q, "parc");
	if (parc != NULL && *parc != '\0') {
		if (strcmp(parc, ALL_GROUP) != 0 &&
		    sip_value_check(SIP_T_WORD, parc) != SIP_OK) {
			logmsg(&r, "parc: not a parc's name");
			fail(&r, 400, "parc: a parc's name.");
			goto out;
		}
		r.parc = parc;
	}
	if (env_load(&r, &e) == -1)
		goto out;
	if (r.post)
		serve_post(&r, &e);
	else {
		if (view_load(&r, &e) == -1)
			goto out;
		view_name_groups(&e);
		if (r.ep->kind == K_JSON)
			serve_json(&r, &e);
		else
			serve_page(&r, &e);
	}
 out:
	env_free(&e);
	sip_form_free(&r.q);
	sip_form_free(&r.f);
}
