/* SPDX-License-Identifier: GPL-3.0-or-later */
/* console.cgi's request handling served from a request struct alone, no web server, no environment: routes, refusals, their log lines, nothing written. */
#include <string.h>
#include <time.h>

#define TFILE_TEMPLATE "/tmp/se3ipxe-console_req.XXXXXX"
#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"
#include "tfile.h"

/* One request's answer, a fresh one per call. */
static struct sip_cgi_answer a;

static void
serve(const struct sip_console_req *in)
{
	sip_cgi_answer_free(&a);
	sip_cgi_answer_init(&a);
	sip_console_serve(in, &a);
}

static const char *
body(void)
{
	return a.body.data != NULL ? a.body.data : "";
}

static const char *
logged(void)
{
	return a.log.data != NULL ? a.log.data : "";
}

/* A GET of the page by admin, from this server. */
static void
base(struct sip_console_req *in)
{
	memset(in, 0, sizeof(*in));
	in->method = "GET";
	in->path = "";
	in->query = "";
	in->user = "admin";
	in->script_name = "/cgi-bin/console.cgi";
	in->host = "127.0.0.1:8080";
	in->content_type = "application/x-www-form-urlencoded";
	in->self = "/nonexistent/se3-ipxe";
	in->now = time(NULL);
}

int
main(void)
{
	struct sip_console_req in;
	struct sip_config cfg;
	struct sip_err e = { "" };
	char text[512], *key;
	const char *post = "token=1.00&parc=-&op=set&cap=memtest:run&m="
	    "52:54:00:00:00:01";

	if (tfile_setup() == -1)
		return 1;
	sip_cgi_answer_init(&a);

	base(&in);
	in.method = "DELETE";
	serve(&in);
	is_int(a.status, 405, "DELETE: 405");
	is_str(a.headers, "Allow: GET, HEAD, POST\r\n", "... with its Allow");

	base(&in);
	in.path = "/etc/passwd";
	serve(&in);
	is_int(a.status, 404, "an unknown PATH_INFO: 404");
	is_str(sip_console_endpoint("/etc/passwd"), "-", "... logged as -");
	is_str(sip_console_endpoint("/console.json"), "json",
	    "console.json logged as json");

	base(&in);
	in.path = "/console.css";
	in.user = NULL;
	serve(&in);
	is_int(a.status, 200, "the stylesheet: 200, even without a login");
	ok(a.body.len == strlen(sip_console_css) && strcmp(body(),
	    sip_console_css) == 0, "... the stylesheet whole");
	is_str(a.type, "text/css; charset=utf-8", "... as CSS");
	in.method = "POST";
	serve(&in);
	is_int(a.status, 405, "a POST to the stylesheet: 405");

	base(&in);
	in.user = NULL;
	serve(&in);
	is_int(a.status, 403, "no REMOTE_USER: 403");
	is_str(logged(), "no REMOTE_USER: the web server must authenticate "
	    "(console.cgi(8))\n", "... one log line saying why");
	ok(a.login == NULL, "... and no login to log");
	in.user = "bad login\n";
	serve(&in);
	is_int(a.status, 403, "a login that is no SE3 uid: 403");

	base(&in);
	in.query = "parc=%zz";
	serve(&in);
	is_int(a.status, 400, "a malformed query: 400");
	in.query = "parc=a%20b";
	serve(&in);
	is_int(a.status, 400, "a parc that is no parc's name: 400");
	ok(strstr(body(), "a b") == NULL, "... not echoed");
	in.query = "parc=%3Cscript%3E";
	serve(&in);
	is_int(a.status, 400, "parc=<script>: 400");
	ok(strstr(body(), "<script>") == NULL, "... never as markup");

	base(&in);
	in.cfg_err = "t.conf:3: [server] deadline: 0 is out of range 1..60";
	serve(&in);
	is_int(a.status, 503, "no configuration: 503");
	is_str(logged(), "t.conf:3: [server] deadline: 0 is out of range "
	    "1..60\n", "... the loader's message in the log");
	ok(strstr(body(), "deadline") == NULL, "... not on the page");

	/* POSTs: the body as the CGI read it, then the Origin. */
	base(&in);
	in.method = "POST";
	in.body = post;
	in.len = strlen(post);
	in.body_fault = 413;
	serve(&in);
	is_int(a.status, 413, "a body too large: 413");
	in.body_fault = 400;
	serve(&in);
	is_int(a.status, 400, "a body cut short: 400");
	in.body_fault = 0;
	in.content_type = "text/plain";
	serve(&in);
	is_int(a.status, 415, "not a form: 415");
	in.content_type = "application/x-www-form-urlencoded; charset=UTF-8";
	serve(&in);
	ok(a.status != 415, "a form with its charset: taken");
	is_int(a.status, 403, "no Origin nor Referer: 403");
	ok(strncmp(logged(), "refused: ", 9) == 0, "... logged: %s",
	    logged());
	in.origin = "http://evil.example";
	serve(&in);
	is_int(a.status, 403, "another site's Origin: 403");

	/* With a configuration: the token, checked before anything is read. */
	sip_config_defaults(&cfg);
	snprintf(text, sizeof(text), "[database]\npath = %s\n",
	    path_in("se3-ipxe.db"));
	if (sip_config_parse(&cfg, "t.conf", text, strlen(text), &e) !=
	    SIP_OK) {
		printf("Bail out! config: %s\n", e.msg);
		return 1;
	}
	in.cfg = &cfg;
	in.origin = "http://127.0.0.1:8080";
	serve(&in);
	is_int(a.status, 403, "a forged token: 403");
	ok(strstr(body(), "Refusé : ce formulaire ne vient pas de cette "
	    "page") != NULL, "... said in French by default");
	ok(fsize(path_in("se3-ipxe.db")) == -1, "... and no database made");
	key = slurp(path_in("console.key"));
	ok(key != NULL && fsize(path_in("console.key")) == 32, "the key "
	    "made beside it, 32 bytes");
	free(key);
	in.accept_language = "en-GB,en;q=0.8";
	serve(&in);
	ok(strstr(body(), "Refused: this form was not made by this page") !=
	    NULL, "... in English when the browser asks");

	sip_config_free(&cfg);
	sip_cgi_answer_free(&a);
	tap_rmtree(tmpdir);
	return done_testing();
}
