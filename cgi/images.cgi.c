/* SPDX-License-Identifier: GPL-3.0-or-later */
/* images.cgi: the image store's streaming endpoint, where imaging workers upload disk image parts and restores read them back. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "se3ipxe.h"

#define COPY_CHUNK	(64 * 1024)
/*
 * What is read and dropped of a refused body: Apache writes the whole body
 * to the program before it reads the answer, and a program gone before
 * the end makes it reset the connection, so that the client never sees
 * why.  Past this, it does.
 */
#define DRAIN_MAX	(64 * 1024 * 1024)
#define DRAIN_IDLE_MS	5000

static const char *log_addr = "-";
static const char *log_what = "-";
static const char *log_name = "-";
static int has_body;

static void
logmsg(const char *who, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sip_cgi_logv("images.cgi", log_addr, log_what, who, fmt, ap);
	va_end(ap);
}

static const char *
reason(int status)
{
	switch (status) {
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 409:
		return "Conflict";
	case 413:
		return "Payload Too Large";
	case 507:
		return "Insufficient Storage";
	default:
		return sip_cgi_reason(status);
	}
}

static void
respond(int status, const char *allow, const char *text)
{
	char head[256];
	int n;

	n = snprintf(head, sizeof(head),
	    "Status: %d %s\r\n"
	    "Content-Type: text/plain\r\n"
	    "Cache-Control: no-store\r\n"
	    "%s%s%s"
	    "Content-Length: %zu\r\n"
	    "\r\n", status, reason(status), allow != NULL ? "Allow: " : "",
	    allow != NULL ? allow : "", allow != NULL ? "\r\n" : "",
	    strlen(text));
	sip_cgi_write_all(head, (size_t)n);
	sip_cgi_write_all(text, strlen(text));
}

/* The status of a refusal: the fault first, then the library's code. */
static int
status_of(enum sip_rc rc, enum sip_image_fault fault)
{
	switch (fault) {
	case SIP_IMAGE_FAULT_TOO_LARGE:
		return 413;
	case SIP_IMAGE_FAULT_NO_SPACE:
		return 507;
	case SIP_IMAGE_FAULT_EXISTS:
		return 409;
	case SIP_IMAGE_FAULT_MISMATCH:
	case SIP_IMAGE_FAULT_CUT:
		return 400;
	case SIP_IMAGE_FAULT_NONE:
		break;
	}
	switch (rc) {
	case SIP_EINVAL:
		return 400;
	case SIP_EDENIED:
		return 403;
	case SIP_ENOTFOUND:
		return 404;
	default:
		return 503;
	}
}

/* The rest of a refused body, read and dropped (bounded in bytes and time). */
static void
drain(void)
{
	struct pollfd pfd;
	char *buf;
	ssize_t n;
	size_t total = 0;

	if (!has_body || (buf = malloc(COPY_CHUNK)) == NULL)
		return;
	while (total < DRAIN_MAX) {
		pfd.fd = STDIN_FILENO;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, DRAIN_IDLE_MS) <= 0)
			break;
		if ((n = read(STDIN_FILENO, buf, COPY_CHUNK)) == -1 &&
		    errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += (size_t)n;
	}
	free(buf);
}

static void
refuse(enum sip_rc rc, enum sip_image_fault fault, const char *why)
{
	char text[SIP_ERR_MAX + 32];
	int status = status_of(rc, fault);

	drain();
	logmsg(NULL, "%s: %s", log_name, why);
	if (status == 403)
		/* The same for every cause: it must confirm no token. */
		snprintf(text, sizeof(text), "refused: unknown token, finished "
		    "or not an imaging action, or not the machine's address\n");
	else if (status == 503)
		snprintf(text, sizeof(text), "unavailable: %s\n",
		    sip_strerror(rc));
	else
		snprintf(text, sizeof(text), "%s: %s\n", reason(status), why);
	respond(status, NULL, text);
}

static void
stored(int status, const struct sip_image *img, const char *note)
{
	char text[512];

	snprintf(text, sizeof(text), "%s %s %" PRId64 " %s\n", status == 201 ?
	    "stored" : "received", img->name, img->size, img->sha256);
	logmsg(img->mac, "%s %s: %" PRId64 " bytes, sha256 %s%s", status ==
	    201 ? "stored" : "received (waits for its commit)", img->name,
	    img->size, img->sha256, note);
	respond(status, NULL, text);
}

/*
 * The manifest is the commit point of a whole image: once it is stored,
 * the saving action's keep=N removes that machine's older images beyond
 * N.  A failure is told in the log line, and never undoes the new image.
 */
static void
keep_note(const struct sip_image_keep *keep, char *note, size_t sz)
{
	note[0] = '\0';
	if (keep->rc != SIP_OK)
		snprintf(note, sz, "; keep failed: %s", keep->msg);
	else if (keep->removed > 0)
		snprintf(note, sz, "; keep removed %zu older image%s",
		    keep->removed, keep->removed == 1 ? "" : "s");
}

static void
serve_get(const struct sip_config *cfg, const char *name, const char *token,
    int head)
{
	struct sip_image img;
	struct sip_err err = { "" };
	char hdr[256], *buf = NULL;
	ssize_t n;
	int64_t left;
	enum sip_rc rc;
	int fd = -1, len;

	rc = sip_image_open(cfg, strcmp(log_addr, "-") != 0 ? log_addr : NULL,
	    name, token, time(NULL), &fd, &img, &err);
	if (rc != SIP_OK) {
		refuse(rc, SIP_IMAGE_FAULT_NONE, err.msg);
		return;
	}
	if ((buf = malloc(COPY_CHUNK)) == NULL) {
		refuse(SIP_ENOMEM, SIP_IMAGE_FAULT_NONE, "out of memory");
		goto out;
	}
	len = snprintf(hdr, sizeof(hdr),
	    "Status: 200 OK\r\n"
	    "Content-Type: application/octet-stream\r\n"
	    "Cache-Control: no-store\r\n"
	    "Content-Length: %" PRId64 "\r\n"
	    "\r\n", img.size);
	sip_cgi_write_all(hdr, (size_t)len);
	if (head)
		goto out;
	for (left = img.size; left > 0; left -= n) {
		n = read(fd, buf, left < COPY_CHUNK ? (size_t)left : COPY_CHUNK);
		if (n == -1 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0) {
			/* The length is sent: the client sees a short body. */
			logmsg(img.mac, "%s: read failed after %" PRId64
			    " bytes", name, img.size - left);
			goto out;
		}
		sip_cgi_write_all(buf, (size_t)n);
	}
	logmsg(img.mac, "sent %s: %" PRId64 " bytes", name, img.size);
 out:
	free(buf);
	if (fd != -1)
		close(fd);
}

int
main(void)
{
	struct sip_config cfg;
	struct sip_image_query q;
	struct sip_image img;
	struct sip_image_keep keep;
	struct sip_err err = { "" };
	enum sip_image_fault fault = SIP_IMAGE_FAULT_NONE;
	const char *path = getenv("PATH_INFO");
	const char *method = getenv("REQUEST_METHOD");
	const char *qs = getenv("QUERY_STRING");
	const char *cl = getenv("CONTENT_LENGTH");
	const char *addr, *tok;
	char *end, note[SIP_ERR_MAX + 64];
	int64_t length = -1;
	enum sip_rc rc;
	int done;

	/* A closed client must not kill us before the temporary file is gone. */
	signal(SIGPIPE, SIG_IGN);
	log_addr = sip_remote_addr(getenv("REMOTE_ADDR"));
	addr = strcmp(log_addr, "-") != 0 ? log_addr : NULL;
	if (method == NULL)
		method = "";
	log_what = method;
	if (path == NULL || path[0] != '/' || path[1] == '\0') {
		respond(404, NULL, "no such image (images.cgi/NAME)\n");
		return 0;
	}
	path++;
	/* Logged only once it passes the whitelist: never a hostile byte. */
	if (sip_image_name_check(path) == SIP_OK)
		log_name = path;
	has_body = strcmp(method, "PUT") == 0 || strcmp(method, "POST") == 0;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	    strcmp(method, "PUT") != 0 && strcmp(method, "POST") != 0) {
		respond(405, "GET, HEAD, PUT, POST", "method not allowed\n");
		return 0;
	}
	if (sip_config_load(&cfg, NULL, &err) != SIP_OK) {
		refuse(SIP_ECONFIG, fault, err.msg);
		goto out;
	}
	if ((rc = sip_image_query_parse(qs != NULL ? qs : "", &q, &err)) !=
	    SIP_OK) {
		refuse(rc, fault, err.msg);
		goto out;
	}
	/* A header keeps the token out of the web server's access log. */
	if (q.token[0] == '\0' && (tok = getenv("HTTP_X_SE3_IPXE_TOKEN")) !=
	    NULL) {
		if (sip_image_token_set(&q, tok) != SIP_OK) {
			refuse(SIP_EINVAL, fault, "X-SE3-IPXE-Token: not a token");
			goto out;
		}
	}
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) {
		serve_get(&cfg, path, q.token, method[0] == 'H');
		goto out;
	}
	if (strcmp(method, "POST") == 0) {
		rc = sip_image_commit(&cfg, addr, path, &q, time(NULL), &img,
		    &keep, &fault, &err);
		if (rc == SIP_OK) {
			keep_note(&keep, note, sizeof(note));
			stored(201, &img, note);
		} else
			refuse(rc, fault, err.msg);
		goto out;
	}
	if (cl != NULL && *cl != '\0') {
		errno = 0;
		length = strtoll(cl, &end, 10);
		if (*end != '\0' || errno != 0 || length < 0) {
			refuse(SIP_EINVAL, fault, "bad Content-Length");
			goto out;
		}
	}
	rc = sip_image_put(&cfg, addr, path, &q, STDIN_FILENO, length,
	    time(NULL), &img, &done, &keep, &fault, &err);
	if (rc == SIP_OK) {
		keep_note(&keep, note, sizeof(note));
		stored(done ? 201 : 202, &img, note);
	} else
		refuse(rc, fault, err.msg);
 out:
	sip_config_free(&cfg);
	return 0;
}
