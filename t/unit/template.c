/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Template loading rules and rendering, including the shipped default templates (golden files). */
#include "se3ipxe.h"
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

	/* The shipped default templates, rendered with the builtin keys. */
	{
		static const struct sip_kv local_values[] = {
			{ UNCONST("mac"), UNCONST("52:54:00:12:34:56") },
			{ UNCONST("local_pcbios"), UNCONST("sanboot") },
			{ UNCONST("local_efi"), UNCONST("exit") },
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
			is_int(sip_template_render(t, local_values, 4, &out, &err),
			    SIP_OK, "%s renders", files[i][0]);
			golden(files[i][1], out.data ? out.data : "");
			sip_buf_free(&out);
			sip_template_free(t);
		}
	}
	return done_testing();
}
