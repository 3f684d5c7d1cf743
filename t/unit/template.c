/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Template loading rules and rendering, including the shipped default templates (golden files). */
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

	/* The shipped default templates, rendered with the builtin keys. */
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
