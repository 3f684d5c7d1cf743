/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What ipxe.cgi and status.cgi both do around an answer: the deadline, the status line's words, the whole write. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
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
