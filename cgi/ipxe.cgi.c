/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ipxe.cgi: tell a booting machine's iPXE what to boot, and take its installer's reports. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "se3ipxe.h"

#define BODY_MAX	16384	/* a report form: an inventory, percent-encoded */
#define FIRST_DEADLINE	5	/* seconds, until the config says otherwise */

enum method {
	M_GET = 1 << 0,
	M_HEAD = 1 << 1,	/* the headers of GET, and nothing changes */
	M_POST = 1 << 2
};

/* How a request that cannot be served is answered. */
enum failure {
	FAIL_SAFE,		/* 200 and the local-boot script: a machine must boot */
	FAIL_STATUS		/* 400, 403, 404 or 503: its client asks again */
};

struct req;

/* What PATH_INFO asks for, how it may be asked, and what it answers when it cannot. */
struct endpoint {
	const char	*name;		/* in log lines */
	const char	*path;
	int		 prefix;	/* path is a prefix, the rest a name */
	enum sip_endpoint fields;	/* its query fields (lib/query.c) */
	unsigned	 methods;
	const char	*allow;		/* the same, for a 405's Allow header */
	void		(*serve)(const struct sip_config *, struct req *);
	enum failure	 failure;
	int		 notfound;	/* the status of SIP_ENOTFOUND */
};

/* One request: everything read from the CGI environment, checked. */
struct req {
	const struct endpoint *ep;	/* NULL: no such endpoint */
	unsigned	 method;	/* 0: one no endpoint takes */
	const char	*name;		/* what follows a prefix path */
	const char	*addr;		/* REMOTE_ADDR, or "-" */
	char		*body;		/* POST body, NUL-terminated */
	struct sip_query q;
};

static void	 serve_boot(const struct sip_config *, struct req *);
static void	 serve_report(const struct sip_config *, struct req *);
static void	 serve_file(const struct sip_config *, struct req *);
static void	 serve_menu(const struct sip_config *, struct req *);

static const struct endpoint endpoints[] = {
	{ "boot", "", 0, SIP_EP_BOOT, M_GET | M_HEAD, "GET, HEAD",
	    serve_boot, FAIL_SAFE, 0 },
	{ "boot", "/", 0, SIP_EP_BOOT, M_GET | M_HEAD, "GET, HEAD",
	    serve_boot, FAIL_SAFE, 0 },
	/* HEAD cannot report: a report changes the action, a HEAD nothing. */
	{ "report", "/report", 0, SIP_EP_REPORT, M_GET | M_POST, "GET, POST",
	    serve_report, FAIL_STATUS, 403 },
	{ "file", "/file/", 1, SIP_EP_FILE, M_GET | M_HEAD, "GET, HEAD",
	    serve_file, FAIL_STATUS, 404 },
	/* Each request counts a password try: GET alone, nothing for HEAD. */
	{ "menu", "/menu", 0, SIP_EP_MENU, M_GET, "GET", serve_menu,
	    FAIL_SAFE, 0 },
};

static const struct {
	const char	*name;
	enum method	 method;
} methods[] = {
	{ "GET", M_GET },
	{ "HEAD", M_HEAD },
	{ "POST", M_POST },
};

static const char fallback_head[] =
    "Status: 200 OK\r\n"
    "Content-Type: text/plain\r\n"
    "Cache-Control: no-store\r\n"
    "\r\n";

/*
 * What every log line starts with, kept as pointers (to the environment,
 * the endpoints table, the request) that the deadline's handler may read
 * at any time: nothing is formatted until a line is written.
 */
static const char *volatile log_addr = "-";
static const char *volatile log_endpoint = "-";
static const char *volatile log_mac;
static volatile sig_atomic_t deadline_fail_safe = 1;
static volatile sig_atomic_t deadline_head;

static void
log_context(const struct req *r, const char *mac)
{
	log_addr = r->addr;
	log_endpoint = r->ep != NULL ? r->ep->name : "-";
	log_mac = mac;
	deadline_fail_safe = r->ep == NULL || r->ep->failure == FAIL_SAFE;
	deadline_head = r->method == M_HEAD;
}

/* One line on stderr, in one write: the web server's error log keeps it whole. */
static void
logmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sip_cgi_logv("ipxe.cgi", log_addr, log_endpoint, log_mac, fmt, ap);
	va_end(ap);
}

/* The log prefix with write(2) alone, for the deadline's handler. */
static void
log_prefix_raw(void)
{
	const char *mac = log_mac;
	ssize_t w;

	w = write(STDERR_FILENO, "ipxe.cgi: ", 10);
	w = write(STDERR_FILENO, log_addr, strlen(log_addr));
	w = write(STDERR_FILENO, " ", 1);
	w = write(STDERR_FILENO, log_endpoint, strlen(log_endpoint));
	if (mac != NULL) {
		w = write(STDERR_FILENO, " ", 1);
		w = write(STDERR_FILENO, mac, strlen(mac));
	}
	(void)w;
}

/*
 * The hard deadline: whatever is stuck (a lock, a disk, a FIFO where the
 * database should be), the machine gets the local-boot script.  Nothing
 * has been written before the final write, which runs with SIGALRM
 * blocked, so the handler never interleaves with a partial answer.
 */
static void
deadline_hit(int sig)
{
	static const char busy_head[] =
	    "Status: 503 Service Unavailable\r\n"
	    "Content-Type: text/plain\r\n"
	    "Cache-Control: no-store\r\n"
	    "\r\n";
	static const char busy_body[] = "unavailable: deadline\n";
	static const char local_msg[] = ": deadline reached, answered local boot\n";
	static const char busy_msg[] = ": deadline reached, answered 503\n";
	ssize_t w;

	(void)sig;
	/* A report or a file is retried by its client; a boot must go on. */
	if (!deadline_fail_safe) {
		w = write(STDOUT_FILENO, busy_head, sizeof(busy_head) - 1);
		if (!deadline_head)
			w = write(STDOUT_FILENO, busy_body, sizeof(busy_body) - 1);
		log_prefix_raw();
		w = write(STDERR_FILENO, busy_msg, sizeof(busy_msg) - 1);
		(void)w;
		_exit(0);
	}
	w = write(STDOUT_FILENO, fallback_head, sizeof(fallback_head) - 1);
	if (!deadline_head)
		w = write(STDOUT_FILENO, sip_fallback_script, sip_fallback_script_len);
	log_prefix_raw();
	w = write(STDERR_FILENO, local_msg, sizeof(local_msg) - 1);
	(void)w;
	_exit(0);
}

/* The whole answer in two writes; a HEAD gets the headers of the same GET. */
static void
respond(const struct req *r, int status, const char *body, size_t len)
{
	char head[256];
	int n;

	sip_cgi_deadline_disarm();
	n = snprintf(head, sizeof(head),
	    "Status: %d %s\r\n"
	    "Content-Type: text/plain\r\n"
	    "Cache-Control: no-store\r\n"
	    "%s%s%s"
	    "Content-Length: %zu\r\n"
	    "\r\n", status, sip_cgi_reason(status),
	    status == 405 && r->ep != NULL ? "Allow: " : "",
	    status == 405 && r->ep != NULL ? r->ep->allow : "",
	    status == 405 && r->ep != NULL ? "\r\n" : "", len);
	sip_cgi_write_all(head, (size_t)n);
	if (r->method != M_HEAD)
		sip_cgi_write_all(body, len);
}

static void
respond_text(const struct req *r, int status, const char *text)
{
	respond(r, status, text, strlen(text));
}

/* A request that cannot be served, by its endpoint's failure policy: one log line. */
static void
fail(const struct req *r, enum sip_rc rc, const char *why)
{
	char text[SIP_ERR_MAX + 32];
	int status;

	if (r->ep->failure == FAIL_SAFE) {
		logmsg("%s: answered local boot", why);
		respond(r, 200, sip_fallback_script, sip_fallback_script_len);
		return;
	}
	logmsg("%s", why);
	switch (rc) {
	case SIP_EINVAL:
		status = 400;
		snprintf(text, sizeof(text), "bad request: %s\n", why);
		break;
	case SIP_EDENIED:
		status = 403;
		/* The same for every cause: it must confirm no token. */
		snprintf(text, sizeof(text), "refused: unknown token, "
		    "finished action or not the machine's address\n");
		break;
	case SIP_ENOTFOUND:
		status = r->ep->notfound;
		snprintf(text, sizeof(text), status == 404 ? "not found\n" :
		    "refused\n");
		break;
	default:
		status = 503;
		snprintf(text, sizeof(text), "unavailable: %s\n",
		    sip_strerror(rc));
		break;
	}
	respond_text(r, status, text);
}

/* The endpoint, the method and the client, from the environment. */
static void
req_init(struct req *r)
{
	const char *path = getenv("PATH_INFO");
	const char *method = getenv("REQUEST_METHOD");
	size_t i, n;

	memset(r, 0, sizeof(*r));
	r->addr = sip_remote_addr(getenv("REMOTE_ADDR"));
	if (path == NULL)
		path = "";
	for (i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++) {
		n = strlen(endpoints[i].path);
		if (endpoints[i].prefix ? strncmp(path, endpoints[i].path, n) == 0 :
		    strcmp(path, endpoints[i].path) == 0) {
			r->ep = &endpoints[i];
			r->name = path + n;
			break;
		}
	}
	for (i = 0; method != NULL && i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(method, methods[i].name) == 0)
			r->method = methods[i].method;
	log_context(r, NULL);
}

static enum sip_rc
read_body(struct req *r, struct sip_err *err)
{
	const char *cl = getenv("CONTENT_LENGTH");
	const char *ct = getenv("CONTENT_TYPE");
	char *end;
	size_t len, got = 0;
	ssize_t n;
	long v;

	if (cl == NULL || *cl == '\0')
		return sip_errf(err, SIP_EINVAL, "POST without Content-Length");
	v = strtol(cl, &end, 10);
	if (*end != '\0' || v < 0 || v > BODY_MAX)
		return sip_errf(err, SIP_EINVAL, "Content-Length must be 0..%d",
		    BODY_MAX);
	if (ct == NULL || strncmp(ct, "application/x-www-form-urlencoded", 33) != 0)
		return sip_errf(err, SIP_EINVAL,
		    "Content-Type must be application/x-www-form-urlencoded");
	len = (size_t)v;
	if ((r->body = malloc(len + 1)) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	while (got < len) {
		if ((n = read(STDIN_FILENO, r->body + got, len - got)) == -1) {
			if (errno == EINTR)
				continue;
			return sip_errf(err, SIP_EIO, "reading the body failed");
		}
		if (n == 0)
			return sip_errf(err, SIP_EINVAL, "body shorter than Content-Length");
		got += (size_t)n;
	}
	r->body[len] = '\0';
	if (memchr(r->body, '\0', len) != NULL)
		return sip_errf(err, SIP_EINVAL, "body contains a NUL byte");
	return SIP_OK;
}

/* The query (a POST's body) typed by the endpoint's fields. */
static enum sip_rc
req_read(struct req *r, struct sip_err *err)
{
	const char *qs;
	enum sip_rc rc;
	size_t i;

	if (r->method == M_POST) {
		if ((rc = read_body(r, err)) != SIP_OK)
			return rc;
		qs = r->body;
	} else if ((qs = getenv("QUERY_STRING")) == NULL)
		qs = "";
	rc = sip_query_read(r->ep->fields, qs, &r->q, err);
	sip_request_origin(&r->q.req, getenv("HTTP_HOST"), getenv("SCRIPT_NAME"));
	/* What binds an action to its machine ([security] bind). */
	r->q.req.addr = strcmp(r->addr, "-") != 0 ? r->addr : NULL;
	if (rc == SIP_OK && r->q.req.mac[0] != '\0')
		log_context(r, r->q.req.mac);
	for (i = 0; rc == SIP_OK && i < r->q.ndropped; i++)
		logmsg("%s", r->q.dropped[i].msg);
	return rc;
}

static void
serve_boot(const struct sip_config *cfg, struct req *r)
{
	struct sip_buf out;
	struct sip_reason reason;
	struct sip_err err;
	enum sip_rc rc;

	sip_buf_init(&out);
	err.msg[0] = '\0';
	/* A HEAD is a dry run: no boot recorded, no action counted. */
	sip_answer_boot(cfg, &r->q.req, time(NULL), r->method == M_HEAD, &out,
	    &reason, &rc, &err);
	if (rc != SIP_OK)
		logmsg("%s: %s (%s)", sip_strerror(rc), err.msg, reason.text);
	if (out.len == 0)
		respond(r, 200, sip_fallback_script, sip_fallback_script_len);
	else
		respond(r, 200, out.data, out.len);
	sip_buf_free(&out);
}

static void
serve_report(const struct sip_config *cfg, struct req *r)
{
	struct sip_err err;
	enum sip_rc rc;

	err.msg[0] = '\0';
	rc = sip_answer_report(cfg, r->q.req.addr, r->q.token, r->q.event,
	    r->q.progress, r->q.msg, r->q.inventory, time(NULL), &err);
	if (rc == SIP_OK)
		respond_text(r, 200, "ok\n");
	else
		fail(r, rc, err.msg);
}

/* A file of an action for the system it booted: the token is the key. */
static void
serve_file(const struct sip_config *cfg, struct req *r)
{
	struct sip_buf out;
	struct sip_err err;
	enum sip_rc rc;

	sip_buf_init(&out);
	err.msg[0] = '\0';
	rc = sip_answer_file(cfg, &r->q.req, r->q.token, r->name, time(NULL),
	    r->method == M_HEAD, &out, &err);
	if (rc == SIP_OK)
		respond(r, 200, out.data, out.len);
	else
		fail(r, rc, err.msg);
	/* A file declared secret held secrets' values. */
	if (out.data != NULL)
		explicit_bzero(out.data, out.cap);
	sip_buf_free(&out);
}

/*
 * menu:maintenance: the password is checked here, never in the script.
 * Always a script: a refusal says so and goes back to (or leaves) the menu.
 */
static void
serve_menu(const struct sip_config *cfg, struct req *r)
{
	struct sip_buf out;
	struct sip_err err;
	enum sip_rc rc;
	int granted;

	sip_buf_init(&out);
	err.msg[0] = '\0';
	rc = sip_answer_menu(cfg, &r->q.req, r->q.token, r->q.password,
	    r->q.tool, time(NULL), &out, &granted, &err);
	if (!granted)
		logmsg("%s: %s", sip_strerror(rc), err.msg);
	if (out.len == 0 || out.failed)
		respond(r, 200, sip_fallback_script, sip_fallback_script_len);
	else
		respond(r, 200, out.data, out.len);
	sip_buf_free(&out);
}

int
main(void)
{
	struct sip_config cfg;
	struct sip_err err;
	struct req r;
	enum sip_rc rc;

	sip_cgi_deadline_arm(FIRST_DEADLINE, deadline_hit);
	req_init(&r);
	if (r.ep == NULL) {
		respond_text(&r, 404, "no such endpoint\n");
		return 0;
	}
	if ((r.method & r.ep->methods) == 0) {
		respond_text(&r, 405, "method not allowed\n");
		return 0;
	}
	err.msg[0] = '\0';
	if (sip_config_load(&cfg, NULL, &err) != SIP_OK) {
		fail(&r, SIP_ECONFIG, err.msg);
		goto out;
	}
	sip_cgi_deadline_arm(cfg.deadline, deadline_hit);
	if ((rc = req_read(&r, &err)) != SIP_OK)
		fail(&r, rc, err.msg);
	else
		r.ep->serve(&cfg, &r);
 out:
	sip_query_free(&r.q);
	free(r.body);
	sip_config_free(&cfg);
	return 0;
}
