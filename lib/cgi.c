/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the CGIs share around an answer: the deadline and its 503, the headers, the whole write, the log line, the body read. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "se3ipxe.h"

void
sip_cgi_deadline_arm(int seconds, void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm((unsigned)seconds);
}

void
sip_cgi_deadline_disarm(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

void
sip_cgi_write_all(const char *p, size_t n)
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

const char *
sip_cgi_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 303:
		return "See Other";
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 413:
		return "Content Too Large";
	case 415:
		return "Unsupported Media Type";
	default:
		return "Service Unavailable";
	}
}

void
sip_cgi_logv(const char *prog, const char *addr, const char *endpoint,
    const char *who, const char *fmt, va_list ap)
{
	char line[128 + 2 * SIP_ERR_MAX];
	size_t n;
	ssize_t w;

	n = (size_t)snprintf(line, sizeof(line), "%s: %s %s%s%s: ", prog,
	    addr, endpoint, who != NULL ? " " : "", who != NULL ? who : "");
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	n = strlen(line);
	line[n++] = '\n';
	w = write(STDERR_FILENO, line, n);
	(void)w;
}

/*
 * What the log lines and the deadline's answer name, kept as pointers
 * (to constants, the environment, a table) that the handler may read
 * at any time.
 */
static const char *volatile cgi_prog = "cgi";
static const char *volatile cgi_addr = "-";
static const char *volatile cgi_endpoint = "-";
static volatile sig_atomic_t cgi_head;

/* A directory or a lock that hangs: 503 and one line, never a hung page. */
static void
cgi_deadline_hit(int sig)
{
	static const char head[] =
	    "Status: 503 Service Unavailable\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\n"
	    "\r\n";
	static const char body[] = "unavailable: deadline\n";
	static const char msg[] = ": deadline reached, answered 503\n";
	const char *prog = cgi_prog, *addr = cgi_addr, *ep = cgi_endpoint;
	ssize_t w;

	(void)sig;
	w = write(STDOUT_FILENO, head, sizeof(head) - 1);
	if (!cgi_head)
		w = write(STDOUT_FILENO, body, sizeof(body) - 1);
	w = write(STDERR_FILENO, prog, strlen(prog));
	w = write(STDERR_FILENO, ": ", 2);
	w = write(STDERR_FILENO, addr, strlen(addr));
	w = write(STDERR_FILENO, " ", 1);
	w = write(STDERR_FILENO, ep, strlen(ep));
	w = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)w;
	_exit(0);
}

void
sip_cgi_begin(const char *prog, int seconds)
{
	cgi_prog = prog;
	sip_cgi_deadline_arm(seconds, cgi_deadline_hit);
}

void
sip_cgi_context(const char *addr, const char *endpoint, int head)
{
	cgi_addr = addr;
	cgi_endpoint = endpoint;
	cgi_head = head;
}

void
sip_cgi_deadline(int seconds)
{
	sip_cgi_deadline_arm(seconds, cgi_deadline_hit);
}

void
sip_cgi_log(const char *who, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sip_cgi_logv(cgi_prog, cgi_addr, cgi_endpoint, who, fmt, ap);
	va_end(ap);
}

void
sip_cgi_log_lines(const char *who, const struct sip_buf *b)
{
	const char *p, *nl;

	for (p = b->data; p != NULL && p < b->data + b->len; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(b->data + b->len - p))) ==
		    NULL)
			nl = b->data + b->len;
		sip_cgi_log(who, "%.*s", (int)(nl - p), p);
	}
}

void
sip_cgi_respond(int head, const char *policy, int status, const char *type,
    const char *extra, const char *body, size_t len)
{
	char h[1536];
	int n;

	sip_cgi_deadline_disarm();
	n = snprintf(h, sizeof(h),
	    "Status: %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Cache-Control: no-store\r\n"
	    "%s%s"
	    "Content-Length: %zu\r\n"
	    "\r\n", status, sip_cgi_reason(status), type,
	    policy != NULL ? policy : "", extra != NULL ? extra : "", len);
	if (n < 0 || (size_t)n >= sizeof(h))
		n = 0;
	sip_cgi_write_all(h, (size_t)n);
	if (!head)
		sip_cgi_write_all(body, len);
}

void
sip_cgi_answer_init(struct sip_cgi_answer *a)
{
	memset(a, 0, sizeof(*a));
	a->status = 503;
	a->type = "text/plain; charset=utf-8";
	sip_buf_init(&a->body);
	sip_buf_init(&a->log);
}

void
sip_cgi_answer_free(struct sip_cgi_answer *a)
{
	sip_buf_free(&a->body);
	sip_buf_free(&a->log);
}

int
sip_cgi_body_read(const char *content_length, size_t max, char **out,
    size_t *len)
{
	char *b, *end;
	long long n;
	size_t got = 0;
	ssize_t k;

	*out = NULL;
	*len = 0;
	errno = 0;
	if (content_length == NULL || *content_length < '0' ||
	    *content_length > '9' || (n = strtoll(content_length, &end, 10),
	    errno != 0) || *end != '\0' || (unsigned long long)n > max)
		return 413;
	if ((b = malloc((size_t)n + 1)) == NULL)
		return 503;
	while (got < (size_t)n) {
		k = read(STDIN_FILENO, b + got, (size_t)n - got);
		if (k == -1 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	b[got] = '\0';
	*out = b;
	*len = got;
	return got != (size_t)n ? 400 : 0;
}

const char *
sip_cgi_login(const char *user)
{
	if (user == NULL || sip_login_check(user) != SIP_OK)
		return NULL;
	return user;
}
