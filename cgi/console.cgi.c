/* SPDX-License-Identifier: GPL-3.0-or-later */
/* console.cgi: set, cancel and multicast actions on a parc's machines from the browser, with the CLI's library calls and rights. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "se3ipxe.h"

#define FIRST_DEADLINE	10	/* seconds, until the config says otherwise */

#ifndef SIP_BINDIR
#define SIP_BINDIR	"/usr/local/sbin"
#endif

/* Every answer forbids what the page never needs: another origin's script, style or frame. */
#define POLICY \
	"Content-Security-Policy: default-src 'self'; frame-ancestors 'none'; " \
	"form-action 'self'; base-uri 'none'\r\n" \
	"X-Content-Type-Options: nosniff\r\n" \
	"Referrer-Policy: same-origin\r\n"

int
main(void)
{
	struct sip_console_req in;
	struct sip_cgi_answer a;
	struct sip_config cfg;
	struct sip_err err = { "" };
	const char *method = getenv("REQUEST_METHOD");
	const char *https = getenv("HTTPS");
	const char *bin = getenv("SE3_IPXE_BIN");
	char *body = NULL;
	int head;

	sip_cgi_begin("console.cgi", FIRST_DEADLINE);
	memset(&in, 0, sizeof(in));
	in.method = method;
	in.path = getenv("PATH_INFO");
	in.query = getenv("QUERY_STRING");
	in.user = getenv("REMOTE_USER");
	in.script_name = getenv("SCRIPT_NAME");
	in.accept_language = getenv("HTTP_ACCEPT_LANGUAGE");
	in.origin = getenv("HTTP_ORIGIN");
	in.referer = getenv("HTTP_REFERER");
	in.host = getenv("HTTP_HOST");
	in.https = https != NULL && strcasecmp(https, "on") == 0;
	in.content_type = getenv("CONTENT_TYPE");
	/* The installed se3-ipxe runs a session, or the web server's SE3_IPXE_BIN. */
	in.self = bin != NULL && bin[0] == '/' ? bin : SIP_BINDIR "/se3-ipxe";
	head = method != NULL && strcmp(method, "HEAD") == 0;
	sip_cgi_context(sip_remote_addr(getenv("REMOTE_ADDR")),
	    sip_console_endpoint(in.path), head);

	/* Read whole before any answer, refusals too: Apache cuts the answer of a CGI that left its body. */
	if (method != NULL && strcmp(method, "POST") == 0)
		in.body_fault = sip_cgi_body_read(getenv("CONTENT_LENGTH"),
		    SIP_FORM_BODY_MAX, &body, &in.len);
	in.body = body;
	if (sip_config_load(&cfg, NULL, &err) == SIP_OK) {
		in.cfg = &cfg;
		sip_cgi_deadline(cfg.deadline + 2 * (cfg.ldap_network_timeout +
		    cfg.ldap_timeout));
	} else
		in.cfg_err = err.msg;
	in.now = time(NULL);

	sip_cgi_answer_init(&a);
	sip_console_serve(&in, &a);
	sip_cgi_log_lines(a.login, &a.log);
	sip_cgi_respond(head, POLICY, a.status, a.type, a.headers, a.body.data,
	    a.body.len);

	sip_cgi_answer_free(&a);
	free(body);
	sip_config_free(&cfg);
	return 0;
}
