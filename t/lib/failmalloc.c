/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LD_PRELOAD fault injector: every allocation after the first FAILMALLOC_AFTER ones fails, as when memory runs out. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void	*__libc_malloc(size_t);
void	*__libc_calloc(size_t, size_t);
void	*__libc_realloc(void *, size_t);

static long calls, after = -2;

static int
must_fail(void)
{
	const char *s;

	if (after == -2) {
		s = getenv("FAILMALLOC_AFTER");	/* getenv does not allocate */
		after = s != NULL ? strtol(s, NULL, 10) : -1;
	}
	if (after < 0 || calls++ < after)
		return 0;
	errno = ENOMEM;
	return 1;
}

void *
malloc(size_t n)
{
	return must_fail() ? NULL : __libc_malloc(n);
}

void *
calloc(size_t n, size_t m)
{
	return must_fail() ? NULL : __libc_calloc(n, m);
}

void *
realloc(void *p, size_t n)
{
	return must_fail() ? NULL : __libc_realloc(p, n);
}
