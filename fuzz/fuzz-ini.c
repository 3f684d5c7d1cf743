/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the manifest INI reader; what it hands out must be clean, one-line and trimmed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	 check_text(const char *, int);
static int	 on_section(void *, const char *, int);
static int	 on_key(void *, const char *, const char *, const char *, int);

/* No control byte but inner tabs, no edge blank; at most one line's worth. */
static void
check_text(const char *s, int may_be_empty)
{
	size_t i, n = strlen(s);

	if ((n == 0 && !may_be_empty) || n > 1024)
		abort();
	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t') ||
		    s[i] == 0x7f)
			abort();
	if (n > 0 && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t'))
		abort();
}

static int
on_section(void *arg, const char *section, int line)
{
	int *last = arg;

	check_text(section, 0);
	if (line <= *last)
		abort();		/* lines only go forward */
	*last = line;
	return 0;
}

static int
on_key(void *arg, const char *section, const char *key, const char *value,
    int line)
{
	int *last = arg;

	check_text(section, 0);
	check_text(key, 0);
	check_text(value, 1);
	if (line <= *last)
		abort();
	*last = line;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_err err;
	enum sip_rc rc;
	int last = 0;

	err.msg[0] = '\0';
	rc = sip_ini_parse("fuzz.ini", (const char *)data, size, on_section,
	    on_key, &last, &err);
	if (rc != SIP_OK && (err.msg[0] == '\0' ||
	    strchr(err.msg, '\n') != NULL))
		abort();		/* every error says what, on one line */
	return 0;
}
