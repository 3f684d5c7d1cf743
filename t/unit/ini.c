/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for the manifest INI reader (sip_ini_parse) and sip_file_read. */
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

/* Every callback call, as "[section]@line" or "section|key|value@line;". */
struct trace {
	char	 text[2048];
	int	 stop_at;	/* return SIP_EINVAL on this line (0: never) */
};

static int	 on_section(void *, const char *, int);
static int	 on_key(void *, const char *, const char *, const char *, int);
static void	 good(const char *, const char *, const char *);
static void	 good_len(const char *, size_t, const char *, const char *);
/* len 0: strlen(text). */
static void	 bad(const char *, size_t, enum sip_rc, const char *);
static void	 test_files(void);

static int
on_section(void *arg, const char *section, int line)
{
	struct trace *t = arg;
	size_t n = strlen(t->text);

	snprintf(t->text + n, sizeof(t->text) - n, "[%s]@%d;", section, line);
	return 0;
}

static int
on_key(void *arg, const char *section, const char *key, const char *value,
    int line)
{
	struct trace *t = arg;
	size_t n = strlen(t->text);

	snprintf(t->text + n, sizeof(t->text) - n, "%s|%s|%s@%d;", section,
	    key, value, line);
	return t->stop_at == line ? SIP_EINVAL : 0;
}

static void
good_len(const char *what, size_t len, const char *text, const char *want)
{
	struct trace t;
	struct sip_err err;
	enum sip_rc rc;

	memset(&t, 0, sizeof(t));
	err.msg[0] = '\0';
	rc = sip_ini_parse("m.ini", text, len, on_section, on_key, &t, &err);
	is_int(rc, SIP_OK, "good %s: accepted", what);
	is_str(err.msg, "", "good %s: no message", what);
	is_str(t.text, want, "good %s: callbacks", what);
}

static void
good(const char *what, const char *text, const char *want)
{
	good_len(what, strlen(text), text, want);
}

static void
bad(const char *text, size_t len, enum sip_rc want, const char *msg)
{
	struct trace t;
	struct sip_err err;
	enum sip_rc rc;

	memset(&t, 0, sizeof(t));
	err.msg[0] = '\0';
	if (len == 0)
		len = strlen(text);
	rc = sip_ini_parse("m.ini", text, len, on_section, on_key, &t, &err);
	is_int(rc, want, "bad: %s: rc", msg);
	is_str(err.msg, msg, "bad: %s: message", msg);
}

static void
test_files(void)
{
	char dir[] = "/tmp/sip-ini-XXXXXX", path[256], big[300], *text;
	struct sip_err err;
	size_t len;
	FILE *f;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/f.ini", dir);
	f = fopen(path, "w");
	fputs("[a]\nk = v\n", f);
	fclose(f);
	is_int(sip_file_read(path, 100, &text, &len, &err), SIP_OK,
	    "file_read: a small file");
	is_int(len, 10, "file_read: its length");
	is_str(text, "[a]\nk = v\n", "file_read: its text, NUL-terminated");
	free(text);
	is_int(sip_file_read(path, 10, &text, &len, &err), SIP_OK,
	    "file_read: exactly max bytes is allowed");
	free(text);
	is_int(sip_file_read(path, 9, &text, &len, &err), SIP_EIO,
	    "file_read: one byte over max is refused");
	snprintf(big, sizeof(big), "%s: larger than 9 bytes", path);
	is_str(err.msg, big, "file_read: ... with a message naming the file");
	ok(text == NULL && len == 0, "file_read: nothing returned on error");

	snprintf(path, sizeof(path), "%s/empty", dir);
	fclose(fopen(path, "w"));
	is_int(sip_file_read(path, 100, &text, &len, &err), SIP_OK,
	    "file_read: an empty file");
	ok(len == 0 && text != NULL && text[0] == '\0',
	    "file_read: empty text");
	free(text);
	unlink(path);

	is_int(sip_file_read(dir, 100, &text, &len, &err), SIP_EIO,
	    "file_read: a directory is refused");
	snprintf(big, sizeof(big), "%s: not a regular file", dir);
	is_str(err.msg, big, "file_read: ... as not a regular file");

	snprintf(path, sizeof(path), "%s/fifo", dir);
	if (mkfifo(path, 0600) == 0) {
		is_int(sip_file_read(path, 100, &text, &len, &err), SIP_EIO,
		    "file_read: a FIFO is refused without blocking");
		unlink(path);
	} else
		ok(0, "mkfifo: %s", strerror(errno));

	snprintf(path, sizeof(path), "%s/none", dir);
	is_int(sip_file_read(path, 100, &text, &len, &err), SIP_ENOTFOUND,
	    "file_read: a missing file is SIP_ENOTFOUND");
	snprintf(big, sizeof(big), "%s: No such file or directory", path);
	is_str(err.msg, big, "file_read: ... with strerror");

	snprintf(path, sizeof(path), "%s/f.ini", dir);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	static const char nul[] = "[a]\nk = v\0x\n";
	char line[2048], want[1100];
	struct trace t;
	struct sip_err err;

	good("empty", "", "");
	good("blank lines and comments only", "\n  \n; c\n\t# c\n", "");
	good("one section, one key", "[module]\nname = memtest\n",
	    "[module]@1;module|name|memtest@2;");
	good("whitespace trimmed", "  [module]  \n\tname\t=\t memtest \t\n",
	    "[module]@1;module|name|memtest@2;");
	good("no whitespace", "[module]\nname=memtest",
	    "[module]@1;module|name|memtest@2;");
	good("CRLF", "[module]\r\nname = x\r\n\r\n",
	    "[module]@1;module|name|x@2;");
	good("empty value", "[a]\nk =\n", "[a]@1;a|k|@2;");
	good("value keeps inner spaces, = and ;",
	    "[a]\nk = x = y ; z # w\n", "[a]@1;a|k|x = y ; z # w@2;");
	good("section with one space", "[capability run]\ndestructive = no\n",
	    "[capability run]@1;capability run|destructive|no@2;");
	good("option section", "[option run.passes]\ntype = integer\n",
	    "[option run.passes]@1;option run.passes|type|integer@2;");
	good("same key in two sections", "[a]\nk = 1\n[b]\nk = 2\n",
	    "[a]@1;a|k|1@2;[b]@3;b|k|2@4;");
	good("comment lines keep the numbering",
	    "; one\n[a]\n# three\nk = v\n", "[a]@2;a|k|v@4;");
	good("last line without newline", "[a]\nk = v",
	    "[a]@1;a|k|v@2;");
	good("UTF-8 in a value", "[a]\nd = Test de la m\xc3\xa9moire\n",
	    "[a]@1;a|d|Test de la m\xc3\xa9moire@2;");
	memset(line, 'x', sizeof(line));
	memcpy(line, "[a]\nk = ", 8);
	line[4 + 1024] = '\n';
	memset(want, 'x', sizeof(want));
	memcpy(want, "[a]@1;a|k|", 10);
	memcpy(want + 10 + 1020, "@2;", 4);
	good_len("a line of exactly 1024 bytes", 4 + 1024 + 1, line, want);

	bad(nul, sizeof(nul) - 1, SIP_EMODULE, "m.ini:2: NUL byte");
	bad("[a]\nk = \x1b[31m\n", 0, SIP_EMODULE,
	    "m.ini:2: control character 0x1b");
	bad("[a]\nk = v\rw\n", 0, SIP_EMODULE,
	    "m.ini:2: control character 0x0d");
	bad("[a]\n; \x7f\n", 0, SIP_EMODULE,
	    "m.ini:2: control character 0x7f");
	line[4 + 1024] = 'x';
	line[4 + 1025] = '\n';
	bad(line, 4 + 1025 + 1, SIP_EMODULE,
	    "m.ini:2: line longer than 1024 bytes");
	bad("k = v\n", 0, SIP_EMODULE, "m.ini:1: key 'k' before any [section]");
	bad("; c\n\nk = v\n[a]\n", 0, SIP_EMODULE,
	    "m.ini:3: key 'k' before any [section]");
	bad("[a]\nk = 1\nk = 2\n", 0, SIP_EMODULE,
	    "m.ini:3: repeated key 'k' in [a] (first at line 2)");
	bad("[a]\nk = 1\n[b]\n[a]\nk = 2\n", 0, SIP_EMODULE,
	    "m.ini:5: repeated key 'k' in [a] (first at line 2)");
	bad("[a]\njust words\n", 0, SIP_EMODULE,
	    "m.ini:2: expected [section] or key = value");
	bad("[a]\n= v\n", 0, SIP_EMODULE, "m.ini:2: empty key");
	bad("[a]\nmax boots = 1\n", 0, SIP_EMODULE,
	    "m.ini:2: bad key 'max boots': expected letters, digits, '_', "
	    "'-' or '.'");
	bad("[a]\nk = C:\\\n", 0, SIP_EMODULE,
	    "m.ini:2: a line may not end with a backslash");
	bad("[a]\n; comment \\\n", 0, SIP_EMODULE,
	    "m.ini:2: a line may not end with a backslash");
	bad("[]\n", 0, SIP_EMODULE,
	    "m.ini:1: bad section header: expected [name] or [name name]");
	bad("[a\n", 0, SIP_EMODULE,
	    "m.ini:1: bad section header: expected [name] or [name name]");
	bad("[a] ; c\n", 0, SIP_EMODULE,
	    "m.ini:1: bad section header: expected [name] or [name name]");
	/* A path is allowed in the second word only ([upstream dir/f]). */
	bad("[a/b c]\n", 0, SIP_EMODULE,
	    "m.ini:1: bad section header: expected [name] or [name name]");
	bad("[a b/c d]\n", 0, SIP_EMODULE,
	    "m.ini:1: bad section header: expected [name] or [name name]");
	bad("[ a]\n", 0, SIP_EMODULE,
	    "m.ini:1: bad section header: expected [name] or [name name]");
	bad("[a ]\n", 0, SIP_EMODULE,
	    "m.ini:1: bad section header: expected [name] or [name name]");
	bad("[a  b]\n", 0, SIP_EMODULE,
	    "m.ini:1: bad section header: expected [name] or [name name]");
	bad("[a b c]\n", 0, SIP_EMODULE,
	    "m.ini:1: bad section header: expected [name] or [name name]");
	bad("[a/b]\n", 0, SIP_EMODULE,
	    "m.ini:1: bad section header: expected [name] or [name name]");
	bad("\xef\xbb\xbf[a]\n", 0, SIP_EMODULE,
	    "m.ini:1: expected [section] or key = value");

	/* A callback's nonzero return stops the read and is returned. */
	memset(&t, 0, sizeof(t));
	t.stop_at = 3;
	err.msg[0] = '\0';
	is_int(sip_ini_parse("m.ini", "[a]\nk = 1\nl = 2\nm = 3\n", 22,
	    on_section, on_key, &t, &err), SIP_EINVAL,
	    "callback: its return value is returned");
	is_str(t.text, "[a]@1;a|k|1@2;a|l|2@3;", "callback: the read stopped");
	is_int(sip_ini_parse("m.ini", "[a]\nk = 1\n", 10, NULL, NULL, NULL,
	    NULL), SIP_OK, "callbacks and err may be NULL");
	is_int(sip_ini_parse("m.ini", "[a]\nk = 1\nk = 2\n", 16, NULL, NULL,
	    NULL, NULL), SIP_EMODULE, "errors without err still return");

	test_files();
	return done_testing();
}
