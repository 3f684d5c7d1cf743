/* SPDX-License-Identifier: GPL-3.0-or-later */
/* status.cgi: the live status page of the machines by parc, its JSON, its stylesheet and its script. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "se3ipxe.h"

#define FIRST_DEADLINE	10	/* seconds, until the config says otherwise */

enum kind {
	K_PAGE,			/* the HTML table */
	K_JSON,			/* the same as JSON, for the refresh */
	K_CSS,
	K_JS
};

/* What PATH_INFO asks for; everything is GET or HEAD. */
static const struct endpoint {
	const char	*path;
	const char	*name;		/* in log lines */
	enum kind	 kind;
	const char	*type;		/* Content-Type */
} endpoints[] = {
	{ "", "page", K_PAGE, "text/html; charset=utf-8" },
	{ "/", "page", K_PAGE, "text/html; charset=utf-8" },
	{ "/status.json", "json", K_JSON, "application/json" },
	{ "/status.css", "css", K_CSS, "text/css; charset=utf-8" },
	{ "/status.js", "js", K_JS, "text/javascript; charset=utf-8" },
};

/* One request, from the CGI environment, checked. */
struct req {
	const struct endpoint *ep;	/* NULL: no such endpoint */
	int		 head;		/* HEAD: the headers of the GET */
	const char	*addr;		/* REMOTE_ADDR, or "-" */
	const char	*login;		/* REMOTE_USER, NULL if none or unfit */
	const char	*base;		/* SCRIPT_NAME, for the page's links */
	struct sip_query q;
};

/* Every answer forbids what the page never needs: a script, a style or a fetch from elsewhere, being framed. */
#define POLICY \
	"Content-Security-Policy: default-src 'self'; frame-ancestors 'none'\r\n" \
	"X-Content-Type-Options: nosniff\r\n"

static void
respond(const struct req *r, int status, const char *type, const char *body,
    size_t len)
{
	sip_cgi_respond(r->head, POLICY, status, type, status == 405 ?
	    "Allow: GET, HEAD\r\n" : NULL, body, len);
}

/* A short page for a person, never the library's text: that goes to the log. */
static void
fail(const struct req *r, int status, const char *why)
{
	char text[256];

	snprintf(text, sizeof(text), "<!DOCTYPE html>\n<html lang=\"en\">"
	    "<head><meta charset=\"utf-8\"><title>%d %s</title></head>"
	    "<body><h1>%s</h1><p>%s</p></body></html>\n", status,
	    sip_cgi_reason(status), sip_cgi_reason(status), why);
	respond(r, status, "text/html; charset=utf-8", text, strlen(text));
}

/*
 * What the login may see: every parc for an admin, its delegated ones
 * (manage or view) for a holder of parc_can_clone, nothing for others.
 * Without [ldap] there are no rights to read: whoever Apache let in sees
 * everything, as the shipped configuration then asks for a valid user.
 */
struct visibility {
	int			 all;
	const struct sip_rights	*rights;
};

static int
parc_visible(void *arg, const char *parc)
{
	const struct visibility *v = arg;

	if (v->all || (v->rights != NULL && v->rights->all))
		return 1;
	return parc != NULL && v->rights != NULL &&
	    sip_rights_may_see_parc(v->rights, parc);
}

static void
req_init(struct req *r)
{
	const char *path = getenv("PATH_INFO");
	const char *method = getenv("REQUEST_METHOD");
	size_t i;

	memset(r, 0, sizeof(*r));
	r->addr = sip_remote_addr(getenv("REMOTE_ADDR"));
	if (path == NULL)
		path = "";
	for (i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++)
		if (strcmp(path, endpoints[i].path) == 0)
			r->ep = &endpoints[i];
	r->head = method != NULL && strcmp(method, "HEAD") == 0;
	sip_cgi_context(r->addr, r->ep != NULL ? r->ep->name : "-", r->head);
	r->login = sip_cgi_login(getenv("REMOTE_USER"));
	r->base = getenv("SCRIPT_NAME");
}

/* The view of the parcs this login may see, as the page or its JSON. */
static void
serve_view(const struct sip_config *cfg, struct req *r)
{
	struct sip_status_view v;
	struct sip_rights rights;
	struct visibility vis;
	struct sip_store *st = NULL;
	struct sip_buf out;
	struct sip_err err;
	char *password = NULL;
	enum sip_rc rc;

	sip_buf_init(&out);
	memset(&rights, 0, sizeof(rights));
	err.msg[0] = '\0';
	if (cfg->ldap_uri[0] != '\0' && cfg->ldap_bind_dn[0] != '\0' &&
	    (rc = sip_ldap_password_read(cfg->ldap_bind_password_file,
	    &password, &err)) != SIP_OK) {
		sip_cgi_log(r->login, "%s", err.msg);
		fail(r, 503, "The directory cannot be read: see the server's "
		    "error log.");
		goto out;
	}
	vis.all = cfg->ldap_uri[0] == '\0';
	vis.rights = NULL;
	if (!vis.all) {
		/* No database yet: no delegation, the rights from LDAP alone. */
		if (sip_store_open(cfg->db_path, SIP_STORE_RO,
		    cfg->busy_timeout_ms, &st, &err) != SIP_OK)
			st = NULL;
		err.msg[0] = '\0';
		rc = sip_rights_load(cfg, password, st, r->login, &rights, &err);
		sip_store_close(st);
		if (rc != SIP_OK) {
			sip_cgi_log(r->login, "%s", err.msg);
			fail(r, 503, "The rights of this login cannot be read: "
			    "see the server's error log.");
			goto out;
		}
		vis.rights = &rights;
		if (!rights.all && rights.nview == 0) {
			sip_cgi_log(r->login, "%s may see no parc: neither admin nor "
			    "delegated one", r->login);
			fail(r, 403, "This login may see no parc.");
			goto out;
		}
	}
	rc = sip_status_view_load(cfg, password, r->q.parc, parc_visible, &vis,
	    time(NULL), &v, &err);
	if (rc == SIP_ENOTFOUND) {
		sip_cgi_log(r->login, "%s", err.msg);
		fail(r, 404, "No such parc.");
	} else if (rc != SIP_OK) {
		sip_cgi_log(r->login, "%s: %s", sip_strerror(rc), err.msg);
		fail(r, 503, "The machines cannot be read now: see the "
		    "server's error log.");
	} else {
		if (r->ep->kind == K_JSON)
			sip_status_json(&v, cfg->status_refresh, &out);
		else
			sip_status_html(&v, cfg->status_refresh, r->base, &out);
		if (out.failed) {
			sip_cgi_log(r->login, "out of memory");
			fail(r, 503, "Out of memory.");
		} else
			respond(r, 200, r->ep->type, out.data, out.len);
	}
	sip_status_view_free(&v);
 out:
	sip_rights_free(&rights);
	free(password);
	sip_buf_free(&out);
}

int
main(void)
{
	struct sip_config cfg;
	struct sip_err err;
	struct req r;
	const char *method;
	enum sip_rc rc;

	sip_cgi_begin("status.cgi", FIRST_DEADLINE);
	req_init(&r);
	method = getenv("REQUEST_METHOD");
	if (method == NULL || (strcmp(method, "GET") != 0 &&
	    strcmp(method, "HEAD") != 0)) {
		fail(&r, 405, "This page is read only: GET or HEAD.");
		return 0;
	}
	if (r.ep == NULL) {
		fail(&r, 404, "No such page.");
		return 0;
	}
	/* Static files: the same for everyone Apache let in. */
	if (r.ep->kind == K_CSS || r.ep->kind == K_JS) {
		respond(&r, 200, r.ep->type, r.ep->kind == K_CSS ?
		    sip_status_css : sip_status_js, strlen(r.ep->kind == K_CSS ?
		    sip_status_css : sip_status_js));
		return 0;
	}
	if (r.login == NULL) {
		sip_cgi_log(r.login, "no REMOTE_USER: the web server must authenticate "
		    "(status.cgi(8))");
		fail(&r, 403, "No login: this page is served behind the "
		    "directory's authentication.");
		return 0;
	}
	err.msg[0] = '\0';
	if (sip_config_load(&cfg, NULL, &err) != SIP_OK) {
		sip_cgi_log(r.login, "%s", err.msg);
		fail(&r, 503, "The configuration is invalid: see the server's "
		    "error log.");
		goto out;
	}
	sip_cgi_deadline(cfg.deadline + cfg.ldap_network_timeout +
	    cfg.ldap_timeout);
	if ((rc = sip_query_read(SIP_EP_STATUS, getenv("QUERY_STRING") != NULL ?
	    getenv("QUERY_STRING") : "", &r.q, &err)) != SIP_OK) {
		sip_cgi_log(r.login, "%s", err.msg);
		fail(&r, 400, "Bad query: parc must be a parc's name.");
	} else
		serve_view(&cfg, &r);
 out:
	sip_query_free(&r.q);
	sip_config_free(&cfg);
	return 0;
}
