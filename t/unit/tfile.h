/* SPDX-License-Identifier: GPL-3.0-or-later */
/* File helpers shared by the unit tests that write into a private temporary directory. */
#ifndef TFILE_H
#define TFILE_H

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The including test names its directory's template before including
 * this file (TFILE_TEMPLATE "/tmp/se3ipxe-NAME.XXXXXX"), calls tfile_setup()
 * in main and removes tmpdir with tap_rmtree().
 */
static char tmpdir[] = TFILE_TEMPLATE;

/* Make tmpdir and a umask that the modes the tests check do not depend on. */
static int __attribute__((__unused__))
tfile_setup(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return -1;
	}
	umask(022);
	return 0;
}

/* A path in tmpdir; eight in a row stay valid, enough for one call's arguments. */
static const char * __attribute__((__unused__))
path_in(const char *name)
{
	static char buf[8][PATH_MAX];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

/* The size of a file, -1 if there is none (a symlink is not followed). */
static long long __attribute__((__unused__))
fsize(const char *path)
{
	struct stat sb;

	if (lstat(path, &sb) == -1)
		return -1;
	return (long long)sb.st_size;
}

/* The whole file, NUL-terminated; the caller frees it. */
static char * __attribute__((__unused__))
slurp(const char *path)
{
	char *b;
	long long n = fsize(path);
	FILE *f;
	size_t got;

	if (n < 0 || (f = fopen(path, "rb")) == NULL)
		return NULL;
	if ((b = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	got = fread(b, 1, (size_t)n, f);
	b[got] = '\0';
	fclose(f);
	return b;
}

/* Write len bytes of s to path, opened with O_WRONLY | O_CREAT | oflag. */
static void __attribute__((__unused__))
tfile_write(int oflag, const char *path, const char *s, size_t len)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | oflag, 0640)) == -1 ||
	    write(fd, s, len) != (ssize_t)len)
		printf("# write %s: %s\n", path, strerror(errno));
	if (fd != -1)
		close(fd);
}

/* The library's errors are one line, never empty. */
#define one_line(err)	((err)->msg[0] != '\0' && strchr((err)->msg, '\n') == NULL)

#endif
