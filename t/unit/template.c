/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Template loading rules and rendering, including the shipped default templates (golden files). */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

static const struct sip_keydef keys[] = {
	{ "mac", SIP_T_MAC }, { "url", SIP_T_URL }, { "disk", SIP_T_WORD },
};

static const struct {
	const char	*text;
	enum sip_rc	 rc;
	const char	*msg;		/* expected error, NULL when rc is SIP_OK */
} load_vectors[] = {
	{ "#!ipxe\nexit\n", SIP_OK, NULL },
	{ "#!ipxe\nchain {{url}}?mac={{mac}}\n", SIP_OK, NULL },
	{ "#!ipxe\r\necho {{disk}}\r\n", SIP_OK, NULL },
	{ "#!ipxe\n# {{mac}} in a comment is still checked\n", SIP_OK, NULL },
	{ "", SIP_EMODULE, "t.ipxe:1: the first line must be #!ipxe" },
	{ "#!gpxe\n", SIP_EMODULE, "t.ipxe:1: the first line must be #!ipxe" },
	{ "\xef\xbb\xbf#!ipxe\n", SIP_EMODULE, "t.ipxe:1: the first line must be #!ipxe" },
	{ " #!ipxe\n", SIP_EMODULE, "t.ipxe:1: the first line must be #!ipxe" },
	{ "#!ipxe", SIP_EMODULE, "t.ipxe:1: the first line must be #!ipxe" },
	{ "#!ipxe\nkernel {{kernel}}\n", SIP_EMODULE, "t.ipxe:2: unknown key 'kernel'" },
	{ "#!ipxe\n\nkernel {{Mac}}\n", SIP_EMODULE,
	    "t.ipxe:3: malformed placeholder (want {{key}}, key [a-z][a-z0-9_]*)" },
	{ "#!ipxe\nkernel {{mac}\n", SIP_EMODULE,
	    "t.ipxe:2: malformed placeholder (want {{key}}, key [a-z][a-z0-9_]*)" },
	{ "#!ipxe\nkernel {{ mac }}\n", SIP_EMODULE,
	    "t.ipxe:2: malformed placeholder (want {{key}}, key [a-z][a-z0-9_]*)" },
	{ "#!ipxe\nkernel {{\nmac}}\n", SIP_EMODULE,
	    "t.ipxe:2: malformed placeholder (want {{key}}, key [a-z][a-z0-9_]*)" },
	{ "#!ipxe\n{{disk}}\n", SIP_EMODULE, "t.ipxe:2: a placeholder may not start a line" },
	{ "#!ipxe\n  {{disk}}\n", SIP_EMODULE, "t.ipxe:2: a placeholder may not start a line" },
	{ "#!ipxe\nx\n\t{{disk}} y\n", SIP_EMODULE, "t.ipxe:3: a placeholder may not start a line" },
};

/* The same rules for a file, except the #!ipxe line: "t.cfg" is its name. */
static const struct {
	const char	*text;
	enum sip_rc	 rc;
	const char	*msg;		/* expected error, NULL when rc is SIP_OK */
} file_vectors[] = {
	{ "", SIP_OK, NULL },
	{ "d-i debconf/priority string critical\n", SIP_OK, NULL },
	{ "d-i netcfg/hostname string pc-{{disk}}\n", SIP_OK, NULL },
	{ "# {{mac}}\nd-i mirror/http/hostname string {{url}}\n", SIP_OK,
	    NULL },
	{ "no newline at the end {{disk}}", SIP_OK, NULL },
	{ "#!ipxe\necho {{mac}}\n", SIP_OK, NULL },
	{ "#!gpxe\n", SIP_OK, NULL },
	{ "#!ipxe", SIP_OK, NULL },
	{ " #!ipxe\n", SIP_OK, NULL },
	{ "\xef\xbb\xbf# a BOM {{mac}}\r\n", SIP_OK, NULL },
	{ "a {} b { {mac} } {disk}}\n", SIP_OK, NULL },
	{ "{{mac}}\n", SIP_EMODULE, "t.cfg:1: a placeholder may not start a line" },
	{ " \t{{mac}}\n", SIP_EMODULE, "t.cfg:1: a placeholder may not start a line" },
	{ "d-i x string\n{{disk}}\n", SIP_EMODULE,
	    "t.cfg:2: a placeholder may not start a line" },
	{ "d-i x string {{mac}}\r\n{{disk}}\r\n", SIP_EMODULE,
	    "t.cfg:2: a placeholder may not start a line" },
	{ "#!ipxe\n{{disk}}\n", SIP_EMODULE,
	    "t.cfg:2: a placeholder may not start a line" },
	{ "d-i x string {{kernel}}\n", SIP_EMODULE, "t.cfg:1: unknown key 'kernel'" },
	{ "a\nb\nd-i x string {{token}}\n", SIP_EMODULE,
	    "t.cfg:3: unknown key 'token'" },
	{ "d-i x string {{Mac}}\n", SIP_EMODULE,
	    "t.cfg:1: malformed placeholder (want {{key}}, key [a-z][a-z0-9_]*)" },
	{ "d-i x string {{mac}\n", SIP_EMODULE,
	    "t.cfg:1: malformed placeholder (want {{key}}, key [a-z][a-z0-9_]*)" },
	{ "d-i x string {{ mac }}\n", SIP_EMODULE,
	    "t.cfg:1: malformed placeholder (want {{key}}, key [a-z][a-z0-9_]*)" },
	{ "d-i x string {{\nmac}}\n", SIP_EMODULE,
	    "t.cfg:1: malformed placeholder (want {{key}}, key [a-z][a-z0-9_]*)" },
	{ "d-i x string {{}}\n", SIP_EMODULE,
	    "t.cfg:1: malformed placeholder (want {{key}}, key [a-z][a-z0-9_]*)" },
	{ "d-i x string {{mac", SIP_EMODULE,
	    "t.cfg:1: malformed placeholder (want {{key}}, key [a-z][a-z0-9_]*)" },
};

/* A preseed, with a value of every type a module option can have. */
static const struct sip_keydef pkeys[] = {
	{ "mac", SIP_T_MAC }, { "file_url", SIP_T_URL }, { "token", SIP_T_HEX },
	{ "disk", SIP_T_WORD }, { "passes", SIP_T_INT }, { "wipe", SIP_T_BOOL },
	{ "hostname", SIP_T_TEXT },
};

static const char preseed[] =
	"# preseed for {{mac}}\n"
	"d-i netcfg/get_hostname string {{hostname}}\n"
	"d-i partman-auto/disk string /dev/{{disk}}\n"
	"d-i partman/confirm boolean {{wipe}}\n"
	"d-i preseed/late_command string in-target sh -c 'passes={{passes}}; "
	"wget -O- {{file_url}}/late.sh?token={{token}} | sh'\n";

static const struct {
	const char	*key, *value;	/* replaces the good value of key */
	enum sip_rc	 rc;
	const char	*out;		/* or the message */
} preseed_vectors[] = {
	{ NULL, NULL, SIP_OK,
	    "# preseed for 52:54:00:12:34:56\n"
	    "d-i netcfg/get_hostname string pc-01\n"
	    "d-i partman-auto/disk string /dev/nvme0n1\n"
	    "d-i partman/confirm boolean yes\n"
	    "d-i preseed/late_command string in-target sh -c 'passes=3; "
	    "wget -O- http://se3/cgi-bin/ipxe.cgi/file/late.sh?"
	    "token=0123456789abcdef0123456789abcdef | sh'\n" },
	{ "hostname", "", SIP_OK,
	    "# preseed for 52:54:00:12:34:56\n"
	    "d-i netcfg/get_hostname string \n"
	    "d-i partman-auto/disk string /dev/nvme0n1\n"
	    "d-i partman/confirm boolean yes\n"
	    "d-i preseed/late_command string in-target sh -c 'passes=3; "
	    "wget -O- http://se3/cgi-bin/ipxe.cgi/file/late.sh?"
	    "token=0123456789abcdef0123456789abcdef | sh'\n" },
	{ "disk", "nvme0n1\nd-i passwd/root-password string x", SIP_EINVAL,
	    "p.cfg: value for 'disk' is not a valid word" },
	{ "disk", "sda /dev/sdb", SIP_EINVAL,
	    "p.cfg: value for 'disk' is not a valid word" },
	{ "hostname", "pc-01'; reboot; '", SIP_EINVAL,
	    "p.cfg: value for 'hostname' is not a valid text" },
	{ "hostname", "pc 01", SIP_EINVAL,
	    "p.cfg: value for 'hostname' is not a valid text" },
	{ "hostname", "$(reboot)", SIP_EINVAL,
	    "p.cfg: value for 'hostname' is not a valid text" },
	{ "hostname", "pc`id`", SIP_EINVAL,
	    "p.cfg: value for 'hostname' is not a valid text" },
	{ "passes", "3; reboot", SIP_EINVAL,
	    "p.cfg: value for 'passes' is not a valid integer" },
	{ "passes", "-1", SIP_EINVAL,
	    "p.cfg: value for 'passes' is not a valid integer" },
	{ "wipe", "true", SIP_EINVAL,
	    "p.cfg: value for 'wipe' is not a valid boolean" },
	{ "token", "0123456789ABCDEF0123456789ABCDEF", SIP_EINVAL,
	    "p.cfg: value for 'token' is not a valid hex" },
	{ "token", "x | sh", SIP_EINVAL,
	    "p.cfg: value for 'token' is not a valid hex" },
	{ "file_url", "http://se3/x y", SIP_EINVAL,
	    "p.cfg: value for 'file_url' is not a valid url" },
	{ "file_url", "http://se3/x'|sh", SIP_EINVAL,
	    "p.cfg: value for 'file_url' is not a valid url" },
	{ "file_url", "file:///etc/passwd", SIP_EINVAL,
	    "p.cfg: value for 'file_url' is not a valid url" },
	{ "mac", "${mac}", SIP_EINVAL,
	    "p.cfg: value for 'mac' is not a valid mac" },
};

static const struct {
	const char	*mac, *url, *disk;
	enum sip_rc	 rc;
	const char	*out;
} render_vectors[] = {
	{ "52:54:00:12:34:56", "http://se3/x", "sda", SIP_OK,
	    "#!ipxe\nchain http://se3/x?mac=52:54:00:12:34:56&disk=sda\n" },
	{ "52:54:00:12:34:56", NULL, NULL, SIP_OK,
	    "#!ipxe\nchain ?mac=52:54:00:12:34:56&disk=\n" },
	{ "52-54-00-12-34-56", "http://se3/x", "sda", SIP_EINVAL, "" },
	{ "52:54:00:12:34:56", "http://se3/x y", "sda", SIP_EINVAL, "" },
	{ "52:54:00:12:34:56", "http://se3/x", "sda\nshell", SIP_EINVAL, "" },
	{ "52:54:00:12:34:56", "http://se3/x", "${x}", SIP_EINVAL, "" },
};

static int
golden(const char *name, const char *got)
{
	char path[256], *want = NULL;
	size_t len = 0;
	FILE *f;
	int same;

	snprintf(path, sizeof(path), "t/golden/%s", name);
	if ((f = fopen(path, "r")) == NULL)
		return ok(0, "golden file %s exists", path);
	want = calloc(1, 65536);
	len = fread(want, 1, 65535, f);
	fclose(f);
	want[len] = '\0';
	same = strcmp(got, want) == 0;
	if (!same)
		printf("# got:\n%s# want:\n%s", got, want);
	free(want);
	return ok(same, "%s matches its golden file", name);
}

/* Fragments of the include tests, in TMPDIR/fragments/. */
static const struct {
	const char	*name;
	const char	*text;
} fragments[] = {
	{ "a.ipxe", "echo a {{mac}}\n" },
	{ "b.ipxe", "@include a\necho b\n" },
	{ "a.text", "text a {{disk}}\n" },
	{ "empty.ipxe", "" },
	{ "loop.ipxe", "echo loop\n@include loop\n" },
	{ "badkey.ipxe", "echo fine\necho {{kernel}}\n" },
	{ "start.ipxe", "{{mac}}\n" },
	{ "nonl.ipxe", "echo no newline" },
	{ "d1.ipxe", "@include d2\n" },
	{ "d2.ipxe", "@include d3\n" },
	{ "d3.ipxe", "@include d4\n" },
	{ "d4.ipxe", "echo four deep\n" },
	{ "d0.ipxe", "@include d1\n" },
	{ "crlf.ipxe", "echo crlf {{disk}}\r\n" },
};

/* "@include NAME" lines: the text, then the error (@D@: the fragments' directory). */
static const struct {
	const char	*text;
	enum sip_rc	 rc;
	const char	*msg;		/* NULL: loads, rendering as out */
	const char	*out;
} include_vectors[] = {
	{ "#!ipxe\n@include a\necho end {{disk}}\n", SIP_OK, NULL,
	    "#!ipxe\necho a 52:54:00:12:34:56\necho end sda\n" },
	{ "#!ipxe\n@include b\n", SIP_OK, NULL,
	    "#!ipxe\necho a 52:54:00:12:34:56\necho b\n" },
	{ "#!ipxe\n@include a", SIP_OK, NULL,
	    "#!ipxe\necho a 52:54:00:12:34:56\n" },
	{ "#!ipxe\r\n@include a \t\r\n", SIP_OK, NULL,
	    "#!ipxe\r\necho a 52:54:00:12:34:56\n" },
	{ "#!ipxe\n@include\ta\n@include empty\n@include a\n", SIP_OK, NULL,
	    "#!ipxe\necho a 52:54:00:12:34:56\necho a 52:54:00:12:34:56\n" },
	{ "#!ipxe\n@include d1\n", SIP_OK, NULL, "#!ipxe\necho four deep\n" },
	{ "#!ipxe\n@include crlf\n", SIP_OK, NULL, "#!ipxe\necho crlf sda\r\n" },
	{ "#!ipxe\n@includes a\n @include a\n# @include a\n", SIP_OK, NULL,
	    "#!ipxe\n@includes a\n @include a\n# @include a\n" },
	{ "#!ipxe\n@include a\necho {{bad}}\n", SIP_EMODULE,
	    "t.ipxe:3: unknown key 'bad'", NULL },
	{ "#!ipxe\n@include empty\n{{mac}}\n", SIP_EMODULE,
	    "t.ipxe:3: a placeholder may not start a line", NULL },
	{ "#!ipxe\n\n@include badkey\n", SIP_EMODULE,
	    "@D@/badkey.ipxe:2 (included in t.ipxe): unknown key 'kernel'", NULL },
	{ "#!ipxe\n@include start\n", SIP_EMODULE,
	    "@D@/start.ipxe:1 (included in t.ipxe): a placeholder may not start "
	    "a line", NULL },
	{ "#!ipxe\n@include missing\n", SIP_EMODULE,
	    "t.ipxe:2: @include missing: @D@/missing.ipxe: No such file or "
	    "directory", NULL },
	{ "#!ipxe\n@include b\n@include d4\n@include x\n", SIP_EMODULE,
	    "t.ipxe:4: @include x: @D@/x.ipxe: No such file or directory", NULL },
	{ "#!ipxe\n@include loop\n", SIP_EMODULE,
	    "@D@/loop.ipxe:2 (included in t.ipxe): @include loop: fragments "
	    "nested deeper than 4", NULL },
	{ "#!ipxe\n@include d0\n", SIP_EMODULE,
	    "@D@/d3.ipxe:1 (included in t.ipxe): @include d4: fragments nested "
	    "deeper than 4", NULL },
	{ "#!ipxe\n@include nonl\n", SIP_EMODULE,
	    "t.ipxe:2: @include nonl: @D@/nonl.ipxe does not end with a newline",
	    NULL },
	{ "@include a\n", SIP_EMODULE, "t.ipxe:1: the first line must be #!ipxe",
	    NULL },
#define MALFORMED ": malformed @include (want @include NAME, NAME of letters, " \
	"digits and ._- without '..')"
	{ "#!ipxe\n@include\n", SIP_EMODULE, "t.ipxe:2" MALFORMED, NULL },
	{ "#!ipxe\n@include \n", SIP_EMODULE, "t.ipxe:2" MALFORMED, NULL },
	{ "#!ipxe\n@include ../fragments/a\n", SIP_EMODULE, "t.ipxe:2" MALFORMED, NULL },
	{ "#!ipxe\n@include a/b\n", SIP_EMODULE, "t.ipxe:2" MALFORMED, NULL },
	{ "#!ipxe\n@include /etc/passwd\n", SIP_EMODULE, "t.ipxe:2" MALFORMED, NULL },
	{ "#!ipxe\n@include .a\n", SIP_EMODULE, "t.ipxe:2" MALFORMED, NULL },
	{ "#!ipxe\n@include a..b\n", SIP_EMODULE, "t.ipxe:2" MALFORMED, NULL },
	{ "#!ipxe\n@include a b\n", SIP_EMODULE, "t.ipxe:2" MALFORMED, NULL },
	{ "#!ipxe\n@include {{mac}}\n", SIP_EMODULE, "t.ipxe:2" MALFORMED, NULL },
	{ "#!ipxe\n@include a\\b\n", SIP_EMODULE, "t.ipxe:2" MALFORMED, NULL },
	{ "#!ipxe\n@include a\rb\n", SIP_EMODULE, "t.ipxe:2" MALFORMED, NULL },
	{ "#!ipxe\n@include "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	    SIP_EMODULE, "t.ipxe:2" MALFORMED, NULL },
#undef MALFORMED
};

static char tmpdir[] = "/tmp/se3ipxe-template.XXXXXX";
static char fdir[sizeof(tmpdir) + 16];

/* msg with @D@ replaced by the fragments' directory. */
static const char *
with_dir(const char *msg)
{
	static char buf[SIP_ERR_MAX];
	const char *d = strstr(msg, "@D@");

	if (d == NULL)
		return msg;
	if (snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(d - msg), msg, fdir,
	    d + 3) >= (int)sizeof(buf))
		return "(too long)";
	return buf;
}

static void
put_file(const char *name, const char *text, size_t len)
{
	char path[sizeof(fdir) + 64];
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", fdir, name) >=
	    (int)sizeof(path) || (fd = open(path, O_WRONLY | O_CREAT | O_TRUNC,
	    0644)) == -1) {
		printf("# cannot write %s\n", name);
		return;
	}
	if (write(fd, text, len) != (ssize_t)len)
		printf("# write %s: %s\n", path, strerror(errno));
	close(fd);
}

static void
rm_file(const char *name)
{
	char path[sizeof(fdir) + 64];

	if (snprintf(path, sizeof(path), "%s/%s", fdir, name) <
	    (int)sizeof(path))
		unlink(path);
}

/* "@include NAME": a fragment of the templates directory's fragments/, checked as the template. */
static void
test_include(void)
{
	static const struct sip_kv values[] = {
		{ UNCONST("mac"), UNCONST("52:54:00:12:34:56") },
		{ UNCONST("disk"), UNCONST("sda") },
	};
	struct sip_template *t;
	struct sip_err err;
	struct sip_buf out;
	char *many;
	size_t i, n;
	enum sip_rc rc;

	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		exit(1);
	}
	snprintf(fdir, sizeof(fdir), "%s/fragments", tmpdir);
	if (mkdir(fdir, 0755) == -1)
		printf("# mkdir %s: %s\n", fdir, strerror(errno));
	for (i = 0; i < sizeof(fragments) / sizeof(fragments[0]); i++)
		put_file(fragments[i].name, fragments[i].text,
		    strlen(fragments[i].text));
	sip_template_fragments_set(tmpdir);
	for (i = 0; i < sizeof(include_vectors) / sizeof(include_vectors[0]);
	    i++) {
		err.msg[0] = '\0';
		rc = sip_template_parse("t.ipxe", SIP_TEMPLATE_IPXE,
		    include_vectors[i].text, strlen(include_vectors[i].text),
		    keys, 3, &t, &err);
		is_int(rc, include_vectors[i].rc, "include vector %zu: %s", i,
		    err.msg);
		if (include_vectors[i].msg != NULL) {
			is_str(err.msg, with_dir(include_vectors[i].msg),
			    "include vector %zu message", i);
			ok(t == NULL, "include vector %zu: no template", i);
			continue;
		}
		if (t == NULL)
			continue;
		sip_buf_init(&out);
		is_int(sip_template_render(t, values, 2, &out, &err), SIP_OK,
		    "include vector %zu renders", i);
		is_str(out.data ? out.data : "", include_vectors[i].out,
		    "include vector %zu output", i);
		sip_buf_free(&out);
		sip_template_free(t);
	}

	/* A fragment is looked for with the template's kind. */
	is_int(sip_template_parse("t.cfg", SIP_TEMPLATE_FILE, "@include a\n", 11,
	    keys, 3, &t, &err), SIP_OK, "a text file includes a.text");
	sip_buf_init(&out);
	sip_template_render(t, values, 2, &out, &err);
	is_str(out.data ? out.data : "", "text a sda\n", "... and renders it");
	sip_buf_free(&out);
	sip_template_free(t);
	is_int(sip_template_parse("t.sh", SIP_TEMPLATE_SH, "@include a\n", 11,
	    keys, 3, &t, &err), SIP_EMODULE, "a sh file finds no a.sh");
	is_str(err.msg, with_dir("t.sh:1: @include a: @D@/a.sh: No such file "
	    "or directory"), "... and names both files");

	/* Many fragments: at most 64 includes, and 64 KiB in all. */
	n = 65;
	if ((many = malloc(7 + n * 15 + 1)) != NULL) {
		strcpy(many, "#!ipxe\n");
		for (i = 0; i < n; i++)
			strcat(many, "@include empty\n");
		is_int(sip_template_parse("t.ipxe", SIP_TEMPLATE_IPXE, many,
		    7 + 64 * 15, keys, 3, &t, &err), SIP_OK,
		    "64 includes load");
		sip_template_free(t);
		is_int(sip_template_parse("t.ipxe", SIP_TEMPLATE_IPXE, many,
		    strlen(many), keys, 3, &t, &err), SIP_EMODULE,
		    "65 do not");
		is_str(err.msg, "t.ipxe:66: @include empty: more than 64 "
		    "fragments in t.ipxe", "... said so");
		free(many);
	}
	{
		static char big[40 * 1024];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\n';
		put_file("big.ipxe", big, sizeof(big));
		is_int(sip_template_parse("t.ipxe", SIP_TEMPLATE_IPXE,
		    "#!ipxe\n@include big\n", 20, keys, 3, &t, &err), SIP_OK,
		    "a 40 KiB fragment loads");
		sip_template_free(t);
		is_int(sip_template_parse("t.ipxe", SIP_TEMPLATE_IPXE,
		    "#!ipxe\n@include big\n@include big\n", 33, keys, 3, &t,
		    &err), SIP_EMODULE, "twice it is too large");
		is_str(err.msg, "t.ipxe: larger than 65536 bytes with its "
		    "fragments", "... said so");
		rm_file("big.ipxe");
	}
	for (i = 0; i < sizeof(fragments) / sizeof(fragments[0]); i++)
		rm_file(fragments[i].name);
	rmdir(fdir);
	rmdir(tmpdir);
}

int
main(void)
{
	static const char rtext[] = "#!ipxe\nchain {{url}}?mac={{mac}}&disk={{disk}}\n";
	struct sip_template *t;
	struct sip_err err;
	struct sip_buf out;
	struct sip_kv kv[3];
	size_t i, n;
	enum sip_rc rc;

	for (i = 0; i < sizeof(load_vectors) / sizeof(load_vectors[0]); i++) {
		err.msg[0] = '\0';
		rc = sip_template_parse("t.ipxe", SIP_TEMPLATE_IPXE, load_vectors[i].text,
		    strlen(load_vectors[i].text), keys, 3, &t, &err);
		is_int(rc, load_vectors[i].rc, "load vector %zu", i);
		if (load_vectors[i].msg != NULL)
			is_str(err.msg, load_vectors[i].msg, "load vector %zu message", i);
		sip_template_free(t);
	}
	is_int(sip_template_parse("t.ipxe", SIP_TEMPLATE_IPXE, "#!ipxe\n\0x\n", 10, keys, 3, &t, &err),
	    SIP_EMODULE, "NUL byte refused");

	if (sip_template_parse("r.ipxe", SIP_TEMPLATE_IPXE, rtext, sizeof(rtext) - 1, keys, 3, &t,
	    &err) != SIP_OK)
		return ok(0, "render template loads: %s", err.msg), done_testing();
	for (i = 0; i < sizeof(render_vectors) / sizeof(render_vectors[0]); i++) {
		n = 0;
		if (render_vectors[i].mac) {
			kv[n].key = UNCONST("mac");
			kv[n++].value = UNCONST(render_vectors[i].mac);
		}
		if (render_vectors[i].url) {
			kv[n].key = UNCONST("url");
			kv[n++].value = UNCONST(render_vectors[i].url);
		}
		if (render_vectors[i].disk) {
			kv[n].key = UNCONST("disk");
			kv[n++].value = UNCONST(render_vectors[i].disk);
		}
		sip_buf_init(&out);
		rc = sip_template_render(t, kv, n, &out, &err);
		is_int(rc, render_vectors[i].rc, "render vector %zu", i);
		is_str(out.data ? out.data : "", render_vectors[i].out,
		    "render vector %zu output", i);
		sip_buf_free(&out);
	}
	sip_template_free(t);

	/* Files: every rule but the first line. */
	for (i = 0; i < sizeof(file_vectors) / sizeof(file_vectors[0]); i++) {
		err.msg[0] = '\0';
		rc = sip_template_parse("t.cfg", SIP_TEMPLATE_FILE, file_vectors[i].text,
		    strlen(file_vectors[i].text), keys, 3, &t, &err);
		is_int(rc, file_vectors[i].rc, "file vector %zu", i);
		if (file_vectors[i].msg != NULL)
			is_str(err.msg, file_vectors[i].msg, "file vector %zu message", i);
		else
			ok(t != NULL, "file vector %zu: a template", i);
		if (rc != SIP_OK)
			ok(t == NULL, "file vector %zu: no template", i);
		sip_template_free(t);
	}
	is_int(sip_template_parse("t.cfg", SIP_TEMPLATE_FILE, "x\n\0x\n", 5, keys, 3, &t,
	    &err), SIP_EMODULE, "file: NUL byte refused");
	is_str(err.msg, "t.cfg: contains a NUL byte", "file: ... said so");
	{
		static char big[64 * 1024 + 2];

		memset(big, 'x', sizeof(big) - 1);
		is_int(sip_template_parse("t.cfg", SIP_TEMPLATE_FILE, big, 64 * 1024, keys,
		    3, &t, &err), SIP_OK, "file: 64 KiB is the most");
		sip_template_free(t);
		is_int(sip_template_parse("t.cfg", SIP_TEMPLATE_FILE, big, 64 * 1024 + 1,
		    keys, 3, &t, &err), SIP_EMODULE, "file: one more byte is refused");
		is_str(err.msg, "t.cfg: larger than 65536 bytes", "file: ... said so");
	}
	is_int(sip_template_load("t/absent/preseed.cfg", SIP_TEMPLATE_FILE, keys, 3, &t,
	    &err), SIP_ENOTFOUND, "file: a missing file is SIP_ENOTFOUND");

	/* What a file may do, a script may not: it must start with #!ipxe. */
	{
		static const char *const texts[] = {
			"", "d-i debconf/priority string critical\n",
			"d-i x string {{mac}}\n", "#!gpxe\n", " #!ipxe\n",
			"\xef\xbb\xbf#!ipxe\n", "#!ipxe",
		};

		for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
			is_int(sip_template_parse("t.cfg", SIP_TEMPLATE_FILE, texts[i],
			    strlen(texts[i]), keys, 3, &t, &err), SIP_OK,
			    "kind %zu: a file", i);
			sip_template_free(t);
			is_int(sip_template_parse("t.ipxe", SIP_TEMPLATE_IPXE, texts[i],
			    strlen(texts[i]), keys, 3, &t, &err), SIP_EMODULE,
			    "kind %zu: not a script", i);
			is_str(err.msg, "t.ipxe:1: the first line must be #!ipxe",
			    "kind %zu: for want of #!ipxe", i);
			ok(t == NULL, "kind %zu: no script", i);
		}
	}

	/* A preseed renders its typed values; a hostile value is refused. */
	if (sip_template_parse("p.cfg", SIP_TEMPLATE_FILE, preseed, sizeof(preseed) - 1,
	    pkeys, sizeof(pkeys) / sizeof(pkeys[0]), &t, &err) != SIP_OK)
		ok(0, "preseed loads: %s", err.msg);
	else {
		static const struct sip_kv good[] = {
			{ UNCONST("mac"), UNCONST("52:54:00:12:34:56") },
			{ UNCONST("file_url"), UNCONST("http://se3/cgi-bin/ipxe.cgi/file") },
			{ UNCONST("token"), UNCONST("0123456789abcdef0123456789abcdef") },
			{ UNCONST("disk"), UNCONST("nvme0n1") },
			{ UNCONST("passes"), UNCONST("3") },
			{ UNCONST("wipe"), UNCONST("yes") },
			{ UNCONST("hostname"), UNCONST("pc-01") },
		};
		struct sip_kv pv[sizeof(good) / sizeof(good[0])];
		size_t j;

		for (i = 0; i < sizeof(preseed_vectors) / sizeof(preseed_vectors[0]); i++) {
			memcpy(pv, good, sizeof(pv));
			for (j = 0; preseed_vectors[i].key != NULL && j < sizeof(pv) /
			    sizeof(pv[0]); j++)
				if (strcmp(pv[j].key, preseed_vectors[i].key) == 0)
					pv[j].value = UNCONST(preseed_vectors[i].value);
			sip_buf_init(&out);
			err.msg[0] = '\0';
			rc = sip_template_render(t, pv, sizeof(pv) / sizeof(pv[0]), &out, &err);
			is_int(rc, preseed_vectors[i].rc, "preseed vector %zu", i);
			if (rc == SIP_OK)
				is_str(out.data, preseed_vectors[i].out,
				    "preseed vector %zu output", i);
			else {
				is_str(err.msg, preseed_vectors[i].out,
				    "preseed vector %zu message", i);
				ok(out.len == 0, "preseed vector %zu: nothing written", i);
			}
			sip_buf_free(&out);
		}
		sip_template_free(t);
	}

	/* file_url is a builtin key, typed as a URL, and there once. */
	{
		static const char bfile[] =
		    "d-i x string {{file_url}}/late.sh?token={{token}}\n";
		static const char bscript[] =
		    "#!ipxe\nkernel x url={{file_url}}/preseed.cfg\n";
		size_t nfound = 0, j;
		int type = -1, dup = 0;

		for (i = 0; i < sip_builtin_nkeys; i++) {
			if (strcmp(sip_builtin_keys[i].name, "file_url") == 0) {
				nfound++;
				type = (int)sip_builtin_keys[i].type;
			}
			for (j = i + 1; j < sip_builtin_nkeys; j++)
				if (strcmp(sip_builtin_keys[i].name,
				    sip_builtin_keys[j].name) == 0)
					dup++;
		}
		is_int(nfound, 1, "builtin: file_url is a builtin key");
		is_int(type, SIP_T_URL, "builtin: file_url is a URL");
		is_int(dup, 0, "builtin: no key twice");
		is_int(sip_template_parse("b.cfg", SIP_TEMPLATE_FILE, bfile,
		    sizeof(bfile) - 1, sip_builtin_keys, sip_builtin_nkeys, &t,
		    &err), SIP_OK, "builtin: a file may use file_url");
		sip_template_free(t);
		is_int(sip_template_parse("b.ipxe", SIP_TEMPLATE_IPXE, bscript,
		    sizeof(bscript) - 1, sip_builtin_keys, sip_builtin_nkeys, &t,
		    &err), SIP_OK, "builtin: so may a script");
		sip_template_free(t);
	}

	test_include();

	/* The shipped default templates, rendered with the builtin keys. */
	sip_template_fragments_set("templates");
	{
		static const struct sip_kv local_values[] = {
			{ UNCONST("mac"), UNCONST("52:54:00:12:34:56") },
			{ UNCONST("local_pcbios"), UNCONST("sanboot") },
			{ UNCONST("local_efi"), UNCONST("exit") },
			{ UNCONST("efi_loader"), UNCONST("\\EFI\\Boot\\bootx64.efi") },
			{ UNCONST("iscsi_target"), UNCONST("iscsi:10.0.0.1::::iqn.2026-11.fr.se3:pc01") },
		};
		static const char *const files[][2] = {
			{ "templates/local.ipxe", "local.ipxe" },
			{ "templates/iscsi.ipxe", "iscsi.ipxe" },
		};

		for (i = 0; i < 2; i++) {
			rc = sip_template_load(files[i][0], SIP_TEMPLATE_IPXE, sip_builtin_keys,
			    sip_builtin_nkeys, &t, &err);
			is_int(rc, SIP_OK, "%s loads %s", files[i][0], err.msg);
			if (rc != SIP_OK)
				continue;
			sip_buf_init(&out);
			is_int(sip_template_render(t, local_values, 5, &out, &err),
			    SIP_OK, "%s renders", files[i][0]);
			golden(files[i][1], out.data ? out.data : "");
			sip_buf_free(&out);
			sip_template_free(t);
		}
	}
	return done_testing();
}
