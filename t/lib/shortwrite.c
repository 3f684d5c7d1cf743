/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LD_PRELOAD fault injector: the SHORTWRITE_AT-th write(2) to a file whose name ends in SHORTWRITE_SUFFIX (default -seen) writes half its bytes, as a filling disk does. */
#define _GNU_SOURCE
#include <sys/syscall.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long calls, at = -2;

/* Whether fd is open on a file whose name ends in the suffix. */
static int
is_target(int fd)
{
	char link[64], name[PATH_MAX];
	const char *suffix = getenv("SHORTWRITE_SUFFIX");
	size_t ls;
	ssize_t n;

	if (suffix == NULL)
		suffix = "-seen";
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, name, sizeof(name) - 1)) == -1)
		return 0;
	name[n] = '\0';
	ls = strlen(suffix);
	return (size_t)n >= ls && strcmp(name + n - ls, suffix) == 0;
}

ssize_t
write(int fd, const void *buf, size_t len)
{
	const char *s;

	if (at == -2) {
		s = getenv("SHORTWRITE_AT");
		at = s != NULL ? strtol(s, NULL, 10) : -1;
	}
	if (at > 0 && len > 1 && is_target(fd) && ++calls == at)
		len /= 2;
	return syscall(SYS_write, fd, buf, len);
}
