/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ipxe.cgi: tell a booting machine's iPXE what to boot, and take its installer's reports. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "se3ipxe.h"

#define BODY_MAX	4096	/* a report form is a few hundred bytes */
#define FIRST_DEADLINE	5	/* seconds, until the config says otherwise */

/* One request, everything parsed from the CGI environment. */
struct req {
	const char	*method;	/* REQUEST_METHOD */
	const char	*path;		/* PATH_INFO, "" for the boot answer */
	char		*body;		/* POST body, NUL-terminated */
	struct sip_kv	*q;		/* query (or form) pairs */
	size_t		 nq;
	struct sip_request boot;	/* the validated boot fields */
};

/* What PATH_INFO asks for: "" or "/", "/report", "/file/NAME". */
enum endpoint { EP_BOOT, EP_REPORT, EP_FILE };
static const char *const endpoint_names[] = { "boot", "report", "file" };
/* Read by the deadline's signal handler. */
static volatile sig_atomic_t deadline_endpoint = EP_BOOT;

static void	 deadline_hit(int);
static void	 deadline_arm(int);
static void	 deadline_disarm(void);
static void	 write_all(const char *, size_t);
static void	 respond(int, const char *, const char *, size_t);
static void	 respond_text(int, const char *, const char *);
static void	 respond_fallback(const char *);
static int	 read_body(struct req *, struct sip_err *);
static const char *optional(const struct req *, const char *, enum sip_type);
static const char *one_of(const struct req *, const char *, const char *const *);
static const char *smbios(const struct req *, const char *);
static void	 request_urls(struct req *);
static int	 serve_boot(const struct sip_config *, struct req *);
static int	 serve_report(const struct sip_config *, struct req *);
static int	 serve_file(const struct sip_config *, struct req *,
		    const char *);

static const char fallback_response[] =
    "Status: 200 OK\r\n"
    "Content-Type: text/plain\r\n"
    "Cache-Control: no-store\r\n"
    "\r\n";


static const char *const platforms[] = { "pcbios", "efi", NULL };
static const char *const buildarchs[] = { "i386", "x86_64", "arm32", "arm64", NULL };

/*
 * The hard deadline: whatever is stuck (a lock, a disk, a FIFO where the
 * database should be), the machine gets the local-boot script.  Nothing
 * has been written before the final write, which runs with SIGALRM
 * blocked, so the handler never interleaves with a partial answer.
 */
static void
deadline_hit(int sig)
{
	static const char msg[] = "ipxe.cgi: deadline reached, answered local boot\n";
	static const char busy[] =
	    "Status: 503 Service Unavailable\r\n"
	    "Content-Type: text/plain\r\n"
	    "Cache-Control: no-store\r\n"
	    "\r\n"
	    "unavailable: deadline\n";
	static const char busy_msg[] = "ipxe.cgi: deadline reached, answered 503\n";
	ssize_t w;

	(void)sig;
	/* A report or a file is retried by its client; a boot must go on. */
	if (deadline_endpoint != EP_BOOT) {
		w = write(STDOUT_FILENO, busy, sizeof(busy) - 1);
		w = write(STDERR_FILENO, busy_msg, sizeof(busy_msg) - 1);
		(void)w;
		_exit(0);
	}
	w = write(STDOUT_FILENO, fallback_response, sizeof(fallback_response) - 1);
	w = write(STDOUT_FILENO, sip_fallback_script, sip_fallback_script_len);
	w = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)w;
	_exit(0);
}

static void
deadline_arm(int seconds)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = deadline_hit;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm((unsigned)seconds);
}

static void
deadline_disarm(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

static void
write_all(const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(STDOUT_FILENO, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static void
respond(int status, const char *reason, const char *body, size_t len)
{
	char head[256];
	int n;

	deadline_disarm();
	n = snprintf(head, sizeof(head),
	    "Status: %d %s\r\n"
	    "Content-Type: text/plain\r\n"
	    "Cache-Control: no-store\r\n"
	    "Content-Length: %zu\r\n"
	    "\r\n", status, reason, len);
	write_all(head, (size_t)n);
	write_all(body, len);
}

static void
respond_text(int status, const char *reason, const char *text)
{
	respond(status, reason, text, strlen(text));
}

/* The boot answer when we cannot even ask the library: logged, then local. */
static void
respond_fallback(const char *why)
{
	fprintf(stderr, "ipxe.cgi: %s: answered local boot\n", why);
	respond(200, "OK", sip_fallback_script, sip_fallback_script_len);
}

static int
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

/* A field that must be valid if present: an invalid one is dropped and logged. */
static const char *
optional(const struct req *r, const char *key, enum sip_type type)
{
	const char *v = sip_kv_get(r->q, r->nq, key);

	if (v == NULL || *v == '\0')
		return NULL;
	if (sip_value_check(type, v) != SIP_OK) {
		fprintf(stderr, "ipxe.cgi: %s: %s: not a valid %s, ignored\n",
		    r->boot.mac, key, sip_type_name(type));
		return NULL;
	}
	return v;
}

static const char *
one_of(const struct req *r, const char *key, const char *const *allowed)
{
	const char *v = sip_kv_get(r->q, r->nq, key);
	size_t i;

	if (v == NULL || *v == '\0')
		return NULL;
	for (i = 0; allowed[i] != NULL; i++)
		if (strcmp(v, allowed[i]) == 0)
			return allowed[i];
	fprintf(stderr, "ipxe.cgi: %s: %s: unknown value, ignored\n",
	    r->boot.mac, key);
	return NULL;
}

/*
 * SMBIOS strings are free text set by whoever built or owns the machine:
 * kept for the inventory (printable ASCII, 64 bytes), never rendered.
 */
static const char *
smbios(const struct req *r, const char *key)
{
	const char *v = sip_kv_get(r->q, r->nq, key);

	if (v == NULL || *v == '\0')
		return NULL;
	if (sip_smbios_check(v) != SIP_OK) {
		fprintf(stderr, "ipxe.cgi: %s: %s: not printable ASCII of at "
		    "most %d bytes, ignored\n", r->boot.mac, key, SIP_SMBIOS_MAX);
		return NULL;
	}
	return v;
}

/* Where the client reached us, for URLs in what it gets back. */
static void
request_urls(struct req *r)
{
	r->boot.host = getenv("HTTP_HOST");
	if (r->boot.host != NULL &&
	    sip_value_check(SIP_T_HOST, r->boot.host) != SIP_OK)
		r->boot.host = NULL;
	r->boot.script_name = getenv("SCRIPT_NAME");
}

static int
serve_boot(const struct sip_config *cfg, struct req *r)
{
	const char *macstr = sip_kv_get(r->q, r->nq, "mac");
	struct sip_mac mac;
	struct sip_buf out;
	struct sip_reason reason;
	struct sip_err err;
	enum sip_rc rc;

	if (macstr == NULL || sip_mac_parse(macstr, &mac) != SIP_OK) {
		respond_fallback(macstr == NULL ? "boot: mac is missing" :
		    "boot: mac is not a MAC address");
		return 0;
	}
	sip_mac_format(&mac, r->boot.mac);
	r->boot.platform = one_of(r, "platform", platforms);
	r->boot.buildarch = one_of(r, "buildarch", buildarchs);
	r->boot.ip = optional(r, "ip", SIP_T_IPV4);
	r->boot.uuid = smbios(r, "uuid");
	r->boot.serial = smbios(r, "serial");
	r->boot.manufacturer = smbios(r, "manufacturer");
	r->boot.product = smbios(r, "product");
	request_urls(r);

	sip_buf_init(&out);
	err.msg[0] = '\0';
	sip_answer_boot(cfg, &r->boot, time(NULL), 0, &out, &reason, &rc, &err);
	if (rc != SIP_OK)
		fprintf(stderr, "ipxe.cgi: %s: %s: %s (%s)\n", r->boot.mac,
		    sip_strerror(rc), err.msg, reason.text);
	if (out.len == 0)
		respond(200, "OK", sip_fallback_script, sip_fallback_script_len);
	else
		respond(200, "OK", out.data, out.len);
	sip_buf_free(&out);
	return 0;
}

static int
serve_report(const struct sip_config *cfg, struct req *r)
{
	struct sip_err err;
	enum sip_event ev;
	enum sip_rc rc;
	int progress;
	char line[SIP_ERR_MAX + 16];

	err.msg[0] = '\0';
	if ((rc = sip_report_parse(sip_kv_get(r->q, r->nq, "status"),
	    sip_kv_get(r->q, r->nq, "progress"), &ev, &progress, &err)) == SIP_OK)
		rc = sip_answer_report(cfg, sip_kv_get(r->q, r->nq, "token"), ev,
		    progress, sip_kv_get(r->q, r->nq, "msg"), time(NULL), &err);
	switch (rc) {
	case SIP_OK:
		respond_text(200, "OK", "ok\n");
		break;
	case SIP_EDENIED:
	case SIP_ENOTFOUND:
		fprintf(stderr, "ipxe.cgi: %s\n", err.msg);
		respond_text(403, "Forbidden", "refused\n");
		break;
	case SIP_EINVAL:
		fprintf(stderr, "ipxe.cgi: %s\n", err.msg);
		snprintf(line, sizeof(line), "bad request: %s\n", err.msg);
		respond_text(400, "Bad Request", line);
		break;
	default:
		fprintf(stderr, "ipxe.cgi: report: %s: %s\n", sip_strerror(rc), err.msg);
		snprintf(line, sizeof(line), "unavailable: %s\n", sip_strerror(rc));
		respond_text(503, "Service Unavailable", line);
		break;
	}
	return 0;
}

/* A file of an action for the system it booted: the token is the key. */
static int
serve_file(const struct sip_config *cfg, struct req *r, const char *name)
{
	struct sip_buf out;
	struct sip_err err;
	enum sip_rc rc;

	request_urls(r);
	sip_buf_init(&out);
	err.msg[0] = '\0';
	rc = sip_answer_file(cfg, &r->boot, sip_kv_get(r->q, r->nq, "token"),
	    name, time(NULL), &out, &err);
	switch (rc) {
	case SIP_OK:
		respond(200, "OK", out.data, out.len);
		break;
	case SIP_EDENIED:
		fprintf(stderr, "ipxe.cgi: file: %s\n", err.msg);
		respond_text(403, "Forbidden", "refused\n");
		break;
	case SIP_ENOTFOUND:
		fprintf(stderr, "ipxe.cgi: file: %s\n", err.msg);
		respond_text(404, "Not Found", "no such file\n");
		break;
	default:
		fprintf(stderr, "ipxe.cgi: file: %s: %s\n", sip_strerror(rc),
		    err.msg);
		respond_text(503, "Service Unavailable", "unavailable\n");
		break;
	}
	sip_buf_free(&out);
	return 0;
}

int
main(void)
{
	struct sip_config cfg;
	struct sip_err err;
	struct req r;
	const char *qs;
	enum sip_rc rc;
	enum endpoint ep;

	deadline_arm(FIRST_DEADLINE);
	memset(&r, 0, sizeof(r));
	err.msg[0] = '\0';
	r.method = getenv("REQUEST_METHOD");
	r.path = getenv("PATH_INFO");
	if (r.path == NULL)
		r.path = "";
	if (*r.path == '\0' || strcmp(r.path, "/") == 0)
		ep = EP_BOOT;
	else if (strcmp(r.path, "/report") == 0)
		ep = EP_REPORT;
	else if (strncmp(r.path, "/file/", 6) == 0)
		ep = EP_FILE;
	else {
		respond_text(404, "Not Found", "no such endpoint\n");
		return 0;
	}
	deadline_endpoint = ep;

	if ((rc = sip_config_load(&cfg, NULL, &err)) != SIP_OK) {
		if (ep != EP_BOOT) {
			fprintf(stderr, "ipxe.cgi: %s: %s\n", endpoint_names[ep],
			    err.msg);
			respond_text(503, "Service Unavailable", "unavailable: configuration\n");
		} else
			respond_fallback(err.msg);
		goto out_config;
	}
	deadline_arm(cfg.deadline);

	if (r.method != NULL && strcmp(r.method, "POST") == 0 && ep == EP_REPORT) {
		if ((rc = read_body(&r, &err)) != SIP_OK) {
			fprintf(stderr, "ipxe.cgi: report: %s\n", err.msg);
			respond_text(400, "Bad Request", "bad request: body\n");
			goto out;
		}
		qs = r.body;
	} else if (r.method == NULL || (strcmp(r.method, "GET") != 0 &&
	    strcmp(r.method, "HEAD") != 0)) {
		respond_text(405, "Method Not Allowed", ep == EP_REPORT ?
		    "GET, HEAD or POST only\n" : "GET or HEAD only\n");
		goto out;
	} else
		qs = getenv("QUERY_STRING");

	if ((rc = sip_query_parse(qs ? qs : "", &r.q, &r.nq, &err)) != SIP_OK) {
		if (ep != EP_BOOT) {
			fprintf(stderr, "ipxe.cgi: %s: %s\n", endpoint_names[ep],
			    err.msg);
			respond_text(400, "Bad Request", "bad request: query\n");
		} else
			respond_fallback(err.msg);
		goto out;
	}
	switch (ep) {
	case EP_BOOT:
		serve_boot(&cfg, &r);
		break;
	case EP_REPORT:
		serve_report(&cfg, &r);
		break;
	case EP_FILE:
		serve_file(&cfg, &r, r.path + 6);
		break;
	}
 out:
	sip_kv_free(r.q, r.nq);
	free(r.body);
 out_config:
	sip_config_free(&cfg);
	return 0;
}
