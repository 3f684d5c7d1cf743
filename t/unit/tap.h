/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A minimal TAP producer for the C unit tests: ok(), is_int(), is_str(), done_testing(). */
#ifndef TAP_H
#define TAP_H

#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* Test tables point at literals; the structs they fill are not const. */
#define UNCONST(p)	((char *)(uintptr_t)(p))

static int tap_n, tap_failed;

/* Failures name the caller's line, so they point at the vector, not the helper. */
#define ok(cond, ...)		tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...)	tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...)	tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)

/* A description may quote hostile input: keep it on one printable line. */
static void __attribute__((__format__(printf, 1, 0)))
tap_vdesc(const char *fmt, va_list ap)
{
	char line[512];
	const unsigned char *p;

	vsnprintf(line, sizeof(line), fmt, ap);
	for (p = (const unsigned char *)line; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '#')
			printf("\\x%02x", *p);
		else
			putchar(*p);
}

static int __attribute__((unused, __format__(printf, 4, 5)))
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%s %d - ", pass ? "ok" : "not ok", tap_n);
	va_start(ap, fmt);
	tap_vdesc(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s line %d\n", file, line);
	}
	return pass;
}

static int __attribute__((unused, __format__(printf, 5, 6)))
tap_is_int(long long got, long long want, const char *file, int line,
    const char *fmt, ...)
{
	va_list ap;
	int pass = got == want;

	tap_n++;
	printf("%s %d - ", pass ? "ok" : "not ok", tap_n);
	va_start(ap, fmt);
	tap_vdesc(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s line %d\n#        got: %lld\n#   expected: %lld\n",
		    file, line, got, want);
	}
	return pass;
}

static int __attribute__((unused, __format__(printf, 5, 6)))
tap_is_str(const char *got, const char *want, const char *file, int line,
    const char *fmt, ...)
{
	va_list ap;
	int pass = (got == NULL && want == NULL) ||
	    (got != NULL && want != NULL && strcmp(got, want) == 0);

	tap_n++;
	printf("%s %d - ", pass ? "ok" : "not ok", tap_n);
	va_start(ap, fmt);
	tap_vdesc(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s line %d\n#        got: '%s'\n#   expected: '%s'\n",
		    file, line, got ? got : "(null)", want ? want : "(null)");
	}
	return pass;
}

static int __attribute__((unused))
done_testing(void)
{
	printf("1..%d\n", tap_n);
	fflush(stdout);
	return tap_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Remove a test's scratch directory and what it holds, one level deep. */
static void __attribute__((unused))
tap_rmtree(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) == -1)
			rmdir(path);
	}
	closedir(d);
	rmdir(dir);
}

#endif /* TAP_H */
