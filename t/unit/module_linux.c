/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The shipped linux module: its manifest loads as documented, and no hostile value, through any option, reaches its script, preseed, user-data or meta-data. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

/*
 * A preseed line ends at a newline, YAML reads # : & * and quotes: each
 * hostile value would change what a file says.
 */
#include "hostile.h"

/* What the module's options hold by default, and its builtin keys. */
static size_t
base_values(const struct sip_capability *cap, struct sip_kv *kv, size_t max)
{
	static const struct { const char *key, *value; } builtins[] = {
		{ "mac", "52:54:00:12:34:56" },
		{ "hostname", "pc-525400123456" },
		{ "module_url", "http://se3/se3-ipxe/linux" },
		{ "report_url", "http://se3/cgi-bin/ipxe.cgi/report" },
		{ "file_url", "http://se3/cgi-bin/ipxe.cgi/file" },
		{ "token", "0123456789abcdef0123456789abcdef0123456789abcdef" },
		{ "action_id", "7" }, { "boots", "1" }, { "max_boots", "3" },
		{ "local_pcbios", "sanboot" }, { "local_efi", "exit" },
	};
	size_t i, n = 0;

	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]) && n < max; i++) {
		kv[n].key = UNCONST(builtins[i].key);
		kv[n++].value = UNCONST(builtins[i].value);
	}
	for (i = 0; i < cap->noptions && n < max; i++) {
		kv[n].key = UNCONST(cap->options[i].name);
		kv[n++].value = cap->options[i].def;
	}
	return n;
}

/* Render every template of cap with kv; how many rendered, and their total size. */
static size_t
render_all(const struct sip_capability *cap, const struct sip_kv *kv, size_t n,
    size_t *bytes)
{
	struct sip_buf out;
	struct sip_err err;
	size_t i, rendered = 0;

	*bytes = 0;
	for (i = 0; i <= cap->nfiles; i++) {
		sip_buf_init(&out);
		if (sip_template_render(i == 0 ? cap->tmpl : cap->file_tmpls[i - 1],
		    kv, n, &out, &err) == SIP_OK) {
			rendered++;
			*bytes += out.len;
		}
		sip_buf_free(&out);
	}
	return rendered;
}

/*
 * How many of cap's templates render something with bad (the values of
 * good but one) that they do not render with good: a template refuses
 * the value, or never uses that key.
 */
static size_t
leaks(const struct sip_capability *cap, const struct sip_kv *good,
    const struct sip_kv *bad, size_t n)
{
	const struct sip_template *t;
	struct sip_buf a, b;
	struct sip_err err;
	size_t i, nleaks = 0;

	for (i = 0; i <= cap->nfiles; i++) {
		t = i == 0 ? cap->tmpl : cap->file_tmpls[i - 1];
		sip_buf_init(&a);
		sip_buf_init(&b);
		if (sip_template_render(t, bad, n, &b, &err) == SIP_OK &&
		    (sip_template_render(t, good, n, &a, &err) != SIP_OK ||
		    a.len != b.len || memcmp(a.data, b.data, a.len) != 0))
			nleaks++;
		sip_buf_free(&a);
		sip_buf_free(&b);
	}
	return nleaks;
}

int
main(void)
{
	const struct sip_capability *cap;
	struct sip_module *m = NULL;
	struct sip_kv kv[64], bad[64], *res = NULL;
	struct sip_err err;
	char value[600], assign[700], want[SIP_NAME_MAX + 32];
	char *as[1];
	size_t nkv, nres, i, j, o, bytes, nhostile = 0, nrefused = 0, leaked = 0;
	size_t nopt;

	sip_template_fragments_set("templates");	/* the shipped fragments */
	if (sip_module_load("modules/linux", &m, &err) != SIP_OK) {
		ok(0, "modules/linux loads: %s", err.msg);
		return done_testing();
	}
	ok(1, "modules/linux loads");
	is_str(m->name, "linux", "its name is linux");
	if ((cap = sip_module_capability(m, "install")) == NULL) {
		ok(0, "it has the capability install");
		sip_module_free(m);
		return done_testing();
	}
	ok(cap->destructive, "install is destructive");
	is_int(cap->completion, SIP_COMPLETE_REPORT, "install completes by report");
	is_int(cap->max_boots, 3, "at most 3 boots");
	is_int(cap->expires, 24 * 3600, "expires after a day");
	is_int((long long)cap->nfiles, 4, "four files: preseed.cfg, passwd.cfg, user-data, meta-data");
	for (i = 0, j = 0; i < cap->nfiles; i++)
		j += (size_t)cap->file_secret[i];
	is_int((long long)j, 2, "two of them secret (passwd.cfg, user-data: the hashes)");
	for (o = 0; o < cap->noptions; o++)
		ok(cap->options[o].def != NULL, "option %s has a default",
		    cap->options[o].name);

	nkv = base_values(cap, kv, sizeof(kv) / sizeof(kv[0]));
	/* The secret files render only with the secrets (t/52 does). */
	is_int((long long)render_all(cap, kv, nkv, &bytes), 3,
	    "the defaults render the script and its two files that are not secret");
	ok(bytes > 4000, "%zu bytes rendered", bytes);

	/*
	 * Every hostile value through every option: set-action's check
	 * refuses it, naming the option; and a value that got past it
	 * anyway (a hand-edited database) still renders no file.
	 */
	nopt = cap->noptions;
	for (i = 0; i < sizeof(hostile_cores) / sizeof(hostile_cores[0]); i++)
		for (j = 0; j < sizeof(hostile_wrappers) / sizeof(hostile_wrappers[0]); j++) {
			snprintf(value, sizeof(value), "%s%s%s", hostile_wrappers[j][0],
			    hostile_cores[i], hostile_wrappers[j][1]);
			nhostile++;
			for (o = 0; o < nopt; o++) {
				snprintf(assign, sizeof(assign), "%s=%s",
				    cap->options[o].name, value);
				snprintf(want, sizeof(want), "option %s:",
				    cap->options[o].name);
				as[0] = assign;
				if (sip_options_resolve(cap, as, 1, &res, &nres, &err) ==
				    SIP_OK) {
					leaked++;
					ok(0, "option %s took hostile value %zu",
					    cap->options[o].name, nhostile);
					sip_kv_free(res, nres);
				} else if (strstr(err.msg, want) == NULL) {
					leaked++;
					ok(0, "refusal of hostile value %zu names %s: %s",
					    nhostile, cap->options[o].name, err.msg);
				} else
					nrefused++;
				memcpy(bad, kv, sizeof(bad));
				bad[nkv - nopt + o].value = value;
				if (leaks(cap, kv, bad, nkv) != 0) {
					leaked++;
					ok(0, "hostile value %zu in %s rendered a file",
					    nhostile, cap->options[o].name);
				}
			}
		}
	/* The check sees a value that does reach the files. */
	memcpy(bad, kv, sizeof(bad));
	for (o = 0; o < nopt; o++)
		if (strcmp(cap->options[o].name, "mirror") == 0)
			bad[nkv - nopt + o].value = UNCONST("se3:9999");
	is_int((long long)leaks(cap, kv, bad, nkv), 1,
	    "control: mirror=se3:9999 changes one file, and the check sees it");
	ok(nhostile >= 200, "%zu hostile values, each through %zu options",
	    nhostile, nopt);
	is_int((long long)nrefused, (long long)(nhostile * nopt),
	    "set-action refused all %zu, naming the option", nhostile * nopt);
	is_int((long long)leaked, 0, "no hostile value reached a script or a file");

	sip_module_free(m);
	return done_testing();
}
