/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for the secrets file, the option type secret and the files declared :secret. */
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

#define TFILE_TEMPLATE "/tmp/se3ipxe-secrets.XXXXXX"
#include "tfile.h"

/* The whole of s as the file at path. */
static void
put(const char *path, const char *s)
{
	tfile_write(O_TRUNC, path, s, strlen(s));
}

/* A value no message may ever quote. */
#define VALUE	"p@ss w\xc3\xb6rd $1$"

static const struct {
	const char	*text;
	const char	*want;	/* "name=value;..." */
} goods[] = {
	{ "", "" },
	{ "# only a comment\n\n", "" },
	{ "a = b", "a=b;" },
	{ "a=b\n", "a=b;" },
	{ "  smb_password   =   " VALUE "  \r\n", "smb_password=" VALUE ";" },
	{ "a = x = y\n", "a=x = y;" },
	{ "a = #not a comment\n", "a=#not a comment;" },
	{ "a = 1\nb_2 = 2\n\n# c\nc = \"3\"\n", "a=1;b_2=2;c=\"3\";" },
	{ "a\t=\tb c\t\n", "a=b c;" },
	{ "abcdefghijklmnopqrstuvwxyz012345 = 32\n",
	  "abcdefghijklmnopqrstuvwxyz012345=32;" },
};

static const struct {
	const char	*text;
	const char	*msg;
} bads[] = {
	{ "a\n", "f:1: expected NAME = VALUE" },
	{ "# c\n" VALUE "\n", "f:2: expected NAME = VALUE" },
	{ "a =\n", "f:1: secret 'a': the value must be 1 to 1024 bytes of "
	  "printable UTF-8" },
	{ "a = \t \n", "f:1: secret 'a': the value must be 1 to 1024 bytes "
	  "of printable UTF-8" },
	{ "a = b\x01" "c\n", "f:1: secret 'a': the value must be 1 to 1024 "
	  "bytes of printable UTF-8" },
	{ "a = b\x7f" "c\n", "f:1: secret 'a': the value must be 1 to 1024 "
	  "bytes of printable UTF-8" },
	{ "a = b\xc2\x9b" "c\n", "f:1: secret 'a': the value must be 1 to "
	  "1024 bytes of printable UTF-8" },
	{ "a = caf\xe9\n", "f:1: secret 'a': the value must be 1 to 1024 "
	  "bytes of printable UTF-8" },
	{ "a = \xed\xa0\x80\n", "f:1: secret 'a': the value must be 1 to "
	  "1024 bytes of printable UTF-8" },
	{ "a = b\rc\n", "f:1: secret 'a': the value must be 1 to 1024 bytes "
	  "of printable UTF-8" },
	{ "= b\n", "f:1: bad secret name '': expected [a-z][a-z0-9_]{0,31}" },
	{ "A = b\n", "f:1: bad secret name 'A': expected "
	  "[a-z][a-z0-9_]{0,31}" },
	{ "1a = b\n", "f:1: bad secret name '1a': expected "
	  "[a-z][a-z0-9_]{0,31}" },
	{ "a-b = c\n", "f:1: bad secret name 'a-b': expected "
	  "[a-z][a-z0-9_]{0,31}" },
	{ "a b = c\n", "f:1: bad secret name 'a b': expected "
	  "[a-z][a-z0-9_]{0,31}" },
	{ "abcdefghijklmnopqrstuvwxyz0123456 = 33\n", "f:1: bad secret name "
	  "'abcdefghijklmnop...': expected [a-z][a-z0-9_]{0,31}" },
	{ "a = 1\nb = 2\na = " VALUE "\n", "f:3: secret 'a' is given twice" },
	{ "a = b\0c\n", "f: contains a NUL byte" },
};

static void
test_parse(void)
{
	struct sip_secrets *sec;
	struct sip_err err;
	char got[4096], *text;
	size_t i, j, len;
	enum sip_rc rc;

	for (i = 0; i < SIP_ARRAY_SIZE(goods); i++) {
		err.msg[0] = '\0';
		rc = sip_secrets_parse("f", goods[i].text,
		    strlen(goods[i].text), &sec, &err);
		is_int(rc, SIP_OK, "good %zu: parsed (%s)", i, err.msg);
		if (rc != SIP_OK)
			continue;
		got[0] = '\0';
		/* Every name the want string lists, looked up. */
		text = strdup(goods[i].want);
		for (j = 0; text != NULL && text[0] != '\0'; ) {
			char *semi = strchr(text + j, ';'), *eq;

			if (semi == NULL)
				break;
			*semi = '\0';
			eq = strchr(text + j, '=');
			*eq = '\0';
			sip_append(got, sizeof(got), text + j);
			sip_append(got, sizeof(got), "=");
			sip_append(got, sizeof(got),
			    sip_secrets_get(sec, text + j) != NULL ?
			    sip_secrets_get(sec, text + j) : "(none)");
			sip_append(got, sizeof(got), ";");
			j = (size_t)(semi - text) + 1;
		}
		free(text);
		is_str(got, goods[i].want, "good %zu: values", i);
		ok(sip_secrets_get(sec, "nosuch") == NULL,
		    "good %zu: an unknown name has no value", i);
		sip_secrets_free(sec);
	}
	for (i = 0; i < SIP_ARRAY_SIZE(bads); i++) {
		err.msg[0] = '\0';
		len = strlen(bads[i].text);
		if (strcmp(bads[i].msg, "f: contains a NUL byte") == 0)
			len = 8;
		sec = (struct sip_secrets *)&err;
		is_int(sip_secrets_parse("f", bads[i].text, len, &sec, &err),
		    SIP_ECONFIG, "bad %zu: refused", i);
		is_str(err.msg, bads[i].msg, "bad %zu: message", i);
		ok(sec == NULL, "bad %zu: nothing returned", i);
		ok(strstr(err.msg, "p@ss") == NULL &&
		    strstr(err.msg, "caf") == NULL,
		    "bad %zu: the message quotes no value", i);
	}

	/* Bounds: a value of 1024 bytes, not 1025; 1024 secrets, not 1025. */
	text = malloc(2 * SIP_SECRETS_FILE_MAX);
	memcpy(text, "a = ", 4);
	memset(text + 4, 'v', SIP_SECRET_VALUE_MAX);
	text[4 + SIP_SECRET_VALUE_MAX] = '\0';
	is_int(sip_secrets_parse("f", text, strlen(text), &sec, &err), SIP_OK,
	    "a value of %d bytes", SIP_SECRET_VALUE_MAX);
	sip_secrets_free(sec);
	strcpy(text + 4 + SIP_SECRET_VALUE_MAX, "v");
	is_int(sip_secrets_parse("f", text, strlen(text), &sec, &err),
	    SIP_ECONFIG, "a value of %d bytes: refused",
	    SIP_SECRET_VALUE_MAX + 1);
	for (len = 0, i = 0; i < SIP_SECRETS_MAX; i++)
		len += (size_t)sprintf(text + len, "s%zu = v\n", i);
	is_int(sip_secrets_parse("f", text, len, &sec, &err), SIP_OK,
	    "%d secrets", SIP_SECRETS_MAX);
	is_int(sip_secrets_count(sec), SIP_SECRETS_MAX, "... all of them");
	sip_secrets_free(sec);
	len += (size_t)sprintf(text + len, "one_more = v\n");
	is_int(sip_secrets_parse("f", text, len, &sec, &err), SIP_ECONFIG,
	    "%d secrets: refused", SIP_SECRETS_MAX + 1);
	is_str(err.msg, "f:1025: more than 1024 secrets", "... named");
	memset(text, '#', SIP_SECRETS_FILE_MAX + 1);
	is_int(sip_secrets_parse("f", text, SIP_SECRETS_FILE_MAX + 1, &sec,
	    &err), SIP_ECONFIG, "a file over %d bytes: refused",
	    SIP_SECRETS_FILE_MAX);
	free(text);
	sip_secrets_free(NULL);
	ok(1, "free: NULL is harmless");
}

static void
test_modes(void)
{
	static const struct {
		mode_t		 mode;
		uid_t		 uid;
		enum sip_rc	 rc;
	} v[] = {
		{ S_IFREG | 0600, 0, SIP_OK },
		{ S_IFREG | 0640, 0, SIP_OK },
		{ S_IFREG | 0400, 0, SIP_OK },
		{ S_IFREG | 0440, 0, SIP_OK },
		{ S_IFREG | 0600, 1000, SIP_OK },	/* the reader's own */
		{ S_IFREG | 0600, 1001, SIP_ECONFIG },	/* someone else's */
		{ S_IFREG | 0644, 0, SIP_ECONFIG },
		{ S_IFREG | 0604, 0, SIP_ECONFIG },
		{ S_IFREG | 0602, 0, SIP_ECONFIG },
		{ S_IFREG | 0601, 0, SIP_ECONFIG },
		{ S_IFREG | 0660, 0, SIP_ECONFIG },
		{ S_IFREG | 0650, 0, SIP_ECONFIG },
		{ S_IFREG | 0700, 0, SIP_ECONFIG },
		{ S_IFREG | 04600, 0, SIP_ECONFIG },
		{ S_IFREG | 02640, 0, SIP_ECONFIG },
		{ S_IFDIR | 0700, 0, SIP_ECONFIG },
		{ S_IFIFO | 0600, 0, SIP_ECONFIG },
	};
	struct stat sb;
	struct sip_err err;
	size_t i;

	for (i = 0; i < SIP_ARRAY_SIZE(v); i++) {
		memset(&sb, 0, sizeof(sb));
		sb.st_mode = v[i].mode;
		sb.st_uid = v[i].uid;
		err.msg[0] = '\0';
		is_int(sip_secrets_mode_check("s", &sb, 1000, &err), v[i].rc,
		    "mode %06o uid %lu: %s", (unsigned)v[i].mode,
		    (unsigned long)v[i].uid, v[i].rc == SIP_OK ? "taken" :
		    err.msg);
	}
	memset(&sb, 0, sizeof(sb));
	sb.st_mode = S_IFREG | 0644;
	sip_secrets_mode_check("/etc/se3-ipxe/secrets", &sb, 0, &err);
	is_str(err.msg, "[secrets] file /etc/se3-ipxe/secrets: mode 0644: "
	    "others may use it or group may write it (chmod 640 it, owner "
	    "root, group the CGI's user)", "the message names file and mode");
}

static void
test_load(void)
{
	struct sip_secrets *sec;
	struct sip_err err;
	const char *p = path_in("secrets");
	char *text;

	put(p, "smb = " VALUE "\n");
	chmod(p, 0640);
	text = slurp(p);
	ok(text != NULL && strstr(text, VALUE) != NULL, "the file written");
	free(text);
	is_int(sip_secrets_load(p, &sec, &err), SIP_OK, "load 0640");
	is_str(sip_secrets_get(sec, "smb"), VALUE, "... the value");
	sip_secrets_free(sec);
	chmod(p, 0644);
	is_int(sip_secrets_load(p, &sec, &err), SIP_ECONFIG, "load 0644: refused");
	ok(sec == NULL && strstr(err.msg, "mode 0644") != NULL, "... named: %s",
	    err.msg);
	chmod(p, 0600);
	symlink(p, path_in("link"));
	is_int(sip_secrets_load(path_in("link"), &sec, &err), SIP_EIO,
	    "a symbolic link: refused");
	is_int(sip_secrets_load(path_in("nosuch"), &sec, &err), SIP_ENOTFOUND,
	    "a missing file: SIP_ENOTFOUND");
	ok(strstr(err.msg, "nosuch") != NULL, "... named: %s", err.msg);
	is_int(sip_secrets_load("", &sec, &err), SIP_ECONFIG, "no path");
}

/* A module whose capability run has the secret option pw. */
static enum sip_rc
load_module(const char *script, const char *files, const char *file_text,
    struct sip_module **m, struct sip_err *err)
{
	char dir[PATH_MAX], manifest[1024];

	snprintf(dir, sizeof(dir), "%s/m", tmpdir);
	mkdir(dir, 0755);
	snprintf(manifest, sizeof(manifest),
	    "[module]\nname = m\ndescription = M\nversion = 1\n"
	    "[capability run]\ndescription = R\ntemplate = run.ipxe\n"
	    "completion = report\ndestructive = no\nfiles = %s\n"
	    "[option run.pw]\ntype = secret\ndescription = P\n"
	    "[option run.disk]\ntype = enum\ndescription = D\n"
	    "values = sda sdb\ndefault = sda\n", files);
	put(path_in("m/module.ini"), manifest);
	put(path_in("m/run.ipxe"), script);
	put(path_in("m/a.cfg"), file_text);
	put(path_in("m/b.cfg"), "disk={{disk}}\n");
	return sip_module_load(dir, m, err);
}

static void
test_module(void)
{
	struct sip_module *m;
	struct sip_config cfg;
	struct sip_err err;
	struct sip_buf out;
	struct sip_kv kv[2], skv[1], *opts;
	char *as[2];
	size_t n;
	const struct sip_capability *c;

	is_int(load_module("#!ipxe\necho {{disk}}\n", "a.cfg:ini:secret b.cfg",
	    "pw={{pw}} on {{disk}}\n", &m, &err), SIP_OK,
	    "a secret option in a file declared secret: loads (%s)", err.msg);
	if (m == NULL)
		return;
	c = &m->caps[0];
	ok(c->nfiles == 2 && strcmp(c->files[0], "a.cfg") == 0 &&
	    c->file_secret[0] && c->file_kinds[0] == SIP_TEMPLATE_INI &&
	    strcmp(c->files[1], "b.cfg") == 0 && !c->file_secret[1] &&
	    c->file_kinds[1] == SIP_TEMPLATE_FILE,
	    "files a.cfg:ini:secret b.cfg");
	is_int(sip_opt_value_type(SIP_OPT_SECRET), SIP_T_SECRET,
	    "an option secret fills a key of type secret");
	is_str(sip_opt_type_name(SIP_OPT_SECRET), "secret", "its name");

	/* Its value at set-action: a secret's name. */
	as[0] = UNCONST("pw=smb_pw");
	is_int(sip_options_resolve(c, as, 1, &opts, &n, &err), SIP_OK,
	    "pw=smb_pw resolves");
	sip_kv_free(opts, n);
	as[0] = UNCONST("pw=" VALUE);
	is_int(sip_options_resolve(c, as, 1, &opts, &n, &err), SIP_EINVAL,
	    "a value that is no name: refused");
	is_str(err.msg, "capability run: option pw: 'p@ss w\xc3\xb6rd $1$' is "
	    "not a valid secret: expected the name of a secret "
	    "([a-z][a-z0-9_]{0,31})", "... said");
	is_int(sip_options_resolve(c, NULL, 0, &opts, &n, &err), SIP_EINVAL,
	    "no default: required");

	/* ... that names an entry of [secrets] file. */
	sip_config_defaults(&cfg);
	free(cfg.secrets_file);
	cfg.secrets_file = strdup(path_in("secrets"));
	put(cfg.secrets_file, "smb_pw = " VALUE "\n");
	chmod(cfg.secrets_file, 0600);
	as[0] = UNCONST("pw=smb_pw");
	sip_options_resolve(c, as, 1, &opts, &n, &err);
	is_int(sip_options_secrets_check(&cfg, c, opts, n, &err), SIP_OK,
	    "smb_pw is in the file");
	sip_kv_free(opts, n);
	as[0] = UNCONST("pw=nosuch");
	sip_options_resolve(c, as, 1, &opts, &n, &err);
	is_int(sip_options_secrets_check(&cfg, c, opts, n, &err), SIP_EINVAL,
	    "nosuch is not");
	snprintf(out.data = malloc(512), 512, "capability run: option pw: no "
	    "secret 'nosuch' in %s", cfg.secrets_file);
	is_str(err.msg, out.data, "... named: option, secret, file");
	free(out.data);
	chmod(cfg.secrets_file, 0604);
	is_int(sip_options_secrets_check(&cfg, c, opts, n, &err), SIP_ECONFIG,
	    "a secrets file others may read: refused");
	ok(strstr(err.msg, "option pw: secret 'nosuch'") != NULL &&
	    strstr(err.msg, "mode 0604") != NULL, "... named: %s", err.msg);
	chmod(cfg.secrets_file, 0600);
	sip_kv_free(opts, n);
	/* A value the file's kind cannot hold: refused, not quoted. */
	put(cfg.secrets_file, "smb_pw = a \"quoted\" one\n");
	as[0] = UNCONST("pw=smb_pw");
	sip_options_resolve(c, as, 1, &opts, &n, &err);
	is_int(sip_options_secrets_check(&cfg, c, opts, n, &err), SIP_EINVAL,
	    "a secret an ini file cannot hold: refused at set-action");
	is_str(err.msg, "capability run: option pw: the value of secret "
	    "'smb_pw' cannot be written in a.cfg, a file of kind ini",
	    "... named: option, secret, file, kind; not the value");
	sip_kv_free(opts, n);
	put(cfg.secrets_file, "smb_pw = " VALUE "\n");
	sip_config_free(&cfg);

	/* Rendering: only sip_template_render_secret writes a value. */
	kv[0].key = UNCONST("disk");
	kv[0].value = UNCONST("sdb");
	kv[1].key = UNCONST("pw");
	kv[1].value = UNCONST("smb_pw");
	skv[0].key = UNCONST("pw");
	skv[0].value = UNCONST(VALUE);
	sip_buf_init(&out);
	is_int(sip_template_render(c->file_tmpls[0], kv, 2, &out, &err),
	    SIP_EINVAL, "the plain render refuses a secret key");
	ok(out.len == 0, "... and writes nothing");
	is_int(sip_template_render_secret(c->file_tmpls[0], kv, 2, skv, 1,
	    &out, &err), SIP_OK, "the secret render takes it");
	is_str(out.data, "pw=" VALUE " on sdb\n", "... with its value");
	sip_buf_free(&out);
	is_int(sip_template_render_secret(c->file_tmpls[0], kv, 2, NULL, 0,
	    &out, &err), SIP_EINVAL, "no secret value: refused, not empty");
	ok(strstr(err.msg, "a.cfg: no valid secret value for 'pw'") != NULL,
	    "... named: %s", err.msg);
	skv[0].value = UNCONST("a\nb");
	is_int(sip_template_render_secret(c->file_tmpls[0], kv, 2, skv, 1,
	    &out, &err), SIP_EINVAL, "a value with a newline: refused");
	ok(out.len == 0 && strstr(err.msg, "a\nb") == NULL,
	    "... nothing written, nothing quoted");
	sip_buf_free(&out);
	skv[0].value = UNCONST("a \"quoted\" one");
	is_int(sip_template_render_secret(c->file_tmpls[0], kv, 2, skv, 1,
	    &out, &err), SIP_EINVAL, "a value the kind cannot hold: refused");
	ok(out.len == 0 && strstr(err.msg, "quoted") == NULL &&
	    strstr(err.msg, "cannot be written in a file of kind ini") != NULL,
	    "... nothing written, nothing quoted: %s", err.msg);
	sip_buf_free(&out);
	ok(sip_value_check(SIP_T_SECRET, "abc") == SIP_EINVAL,
	    "sip_value_check takes no secret, however tame");
	sip_module_free(m);

	/* Kinds that escape: xml writes &quot; for a quote. */
	is_int(load_module("#!ipxe\necho {{disk}}\n", "a.cfg:xml:secret",
	    "<pw>{{pw}}</pw>\n", &m, &err), SIP_OK, "an xml secret file (%s)",
	    err.msg);
	if (m != NULL) {
		skv[0].value = UNCONST("a<\"b\">&");
		is_int(sip_template_render_secret(m->caps[0].file_tmpls[0], kv,
		    2, skv, 1, &out, &err), SIP_OK, "xml: rendered");
		is_str(out.data, "<pw>a&lt;&quot;b&quot;&gt;&amp;</pw>\n",
		    "xml: the secret escaped as the kind does");
		sip_buf_free(&out);
		sip_module_free(m);
	}

	/* A secret key anywhere else: the module does not load. */
	is_int(load_module("#!ipxe\necho {{pw}}\n", "a.cfg:ini:secret", "x\n", &m,
	    &err), SIP_EMODULE, "the iPXE script uses a secret: refused");
	ok(strstr(err.msg, "m/run.ipxe: uses the secret option 'pw': only a "
	    "file declared NAME:secret in files may") != NULL, "... named: %s",
	    err.msg);
	is_int(load_module("#!ipxe\necho {{disk}}\n", "b.cfg a.cfg",
	    "pw={{pw}}\n", &m, &err), SIP_EMODULE,
	    "a file not declared secret uses a secret: refused");
	ok(strstr(err.msg, "m/a.cfg: uses the secret option 'pw'") != NULL,
	    "... named: %s", err.msg);
}

/*
 * A secret whose default is empty is optional: left empty, it names no
 * entry, reads no file, and a file declared secret renders it as nothing
 * (sysrescue and clonezilla mount their share as guest then).
 */
static void
test_optional(void)
{
	struct sip_module *m = NULL;
	struct sip_config cfg;
	struct sip_err err;
	struct sip_buf out;
	struct sip_kv kv[2], skv[1], *opts;
	char dir[PATH_MAX], *as[1];
	size_t n;

	snprintf(dir, sizeof(dir), "%s/opt", tmpdir);
	mkdir(dir, 0755);
	put(path_in("opt/module.ini"), "[module]\nname = opt\ndescription = O\n"
	    "version = 1\n[capability run]\ndescription = R\ntemplate = run.ipxe\n"
	    "completion = report\ndestructive = no\nfiles = a.cfg:ini:secret\n"
	    "[option run.pw]\ntype = secret\ndescription = P\ndefault =\n");
	put(path_in("opt/run.ipxe"), "#!ipxe\nboot\n");
	put(path_in("opt/a.cfg"), "user=u\npassword={{pw}}\n");
	if (!is_int(sip_module_load(dir, &m, &err), SIP_OK,
	    "a secret with an empty default: loads (%s)", err.msg))
		return;
	ok(m->caps[0].options[0].def != NULL &&
	    m->caps[0].options[0].def[0] == '\0', "... its default is empty");
	is_int(sip_options_resolve(&m->caps[0], NULL, 0, &opts, &n, &err),
	    SIP_OK, "not given: resolves");
	ok(n == 1 && strcmp(opts[0].value, "") == 0, "... to empty");
	/* No secrets file at all: an empty secret reads none. */
	sip_config_defaults(&cfg);
	free(cfg.secrets_file);
	cfg.secrets_file = strdup(path_in("opt/no-such-file"));
	is_int(sip_options_secrets_check(&cfg, &m->caps[0], opts, n, &err),
	    SIP_OK, "empty: no secrets file read");
	sip_kv_free(opts, n);
	as[0] = UNCONST("pw=");
	is_int(sip_options_resolve(&m->caps[0], as, 1, &opts, &n, &err), SIP_OK,
	    "pw= given empty: resolves");
	sip_kv_free(opts, n);
	as[0] = UNCONST("pw=nosuch");
	sip_options_resolve(&m->caps[0], as, 1, &opts, &n, &err);
	is_int(sip_options_secrets_check(&cfg, &m->caps[0], opts, n, &err),
	    SIP_ENOTFOUND, "a name: the secrets file is read, as for any secret");
	sip_kv_free(opts, n);
	sip_config_free(&cfg);
	kv[0].key = UNCONST("pw");
	kv[0].value = UNCONST("");
	kv[1].key = UNCONST("mac");
	kv[1].value = UNCONST("52:54:00:00:00:01");
	skv[0].key = UNCONST("pw");
	skv[0].value = UNCONST("");
	sip_buf_init(&out);
	is_int(sip_template_render_secret(m->caps[0].file_tmpls[0], kv, 2, skv,
	    1, &out, &err), SIP_OK, "an empty secret value given: renders");
	is_str(out.data, "user=u\npassword=\n", "... as nothing");
	sip_buf_free(&out);
	is_int(sip_template_render_secret(m->caps[0].file_tmpls[0], kv, 2, NULL,
	    0, &out, &err), SIP_EINVAL, "no value given at all: still refused");
	sip_buf_free(&out);
	sip_module_free(m);

	/* Without the empty default, a secret is required and never empty. */
	if (load_module("#!ipxe\necho {{disk}}\n", "a.cfg:ini:secret",
	    "pw={{pw}}\n", &m, &err) != SIP_OK)
		return;
	as[0] = UNCONST("pw=");
	is_int(sip_options_resolve(&m->caps[0], as, 1, &opts, &n, &err),
	    SIP_EINVAL, "a required secret given empty: refused");
	sip_module_free(m);
	/* An empty default is a secret's alone. */
	put(path_in("opt/module.ini"), "[module]\nname = opt\ndescription = O\n"
	    "version = 1\n[capability run]\ndescription = R\ntemplate = run.ipxe\n"
	    "completion = report\ndestructive = no\n"
	    "[option run.pw]\ntype = enum\ndescription = P\nvalues = a b\n"
	    "default =\n");
	is_int(sip_module_load(dir, &m, &err), SIP_EMODULE,
	    "an enum with an empty default: refused (%s)", err.msg);
}

static void
test_config(void)
{
	struct sip_config cfg;
	struct sip_err err;
	const char *ok_text = "[secrets]\nfile = /srv/s\n";
	const char *bad_text = "[secrets]\nfile = s\n";

	sip_config_defaults(&cfg);
	is_str(cfg.secrets_file, SIP_SYSCONFDIR "/se3-ipxe/secrets",
	    "[secrets] file: the default");
	is_int(sip_config_parse(&cfg, "c", ok_text, strlen(ok_text), &err),
	    SIP_OK, "[secrets] file = /srv/s");
	is_str(cfg.secrets_file, "/srv/s", "... read");
	is_int(sip_config_parse(&cfg, "c", bad_text, strlen(bad_text), &err),
	    SIP_ECONFIG, "[secrets] file = s: refused");
	ok(strstr(err.msg, "file") != NULL, "... named: %s", err.msg);
	sip_config_free(&cfg);
}

int
main(void)
{
	if (tfile_setup() == -1)
		return 1;
	test_parse();
	test_modes();
	test_load();
	test_module();
	test_optional();
	test_config();
	tap_rmtree(tmpdir);
	return done_testing();
}
