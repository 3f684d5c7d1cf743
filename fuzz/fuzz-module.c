/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: module manifests as sip_module_load hands them to the parser, their templates in a temporary module directory, and option resolution. */
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "extern.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	 top[] = "/tmp/sip-fuzz-module-XXXXXX";
static char	 dir[64];

/* Templates a manifest may name: the module directory is "m". */
static const char *const templates[][2] = {
	{ "run.ipxe", "#!ipxe\necho {{mac}} {{module_url}}\nexit 1\n" },
	{ "boot.ipxe", "#!ipxe\niseq ${platform} efi && goto e_{{local_efi}} "
	  "|| goto p_{{local_pcbios}}\n:p_exit\n:e_exit\nexit 1\n" },
};

static void	 cleanup(void);
static int	 setup(void);
static void	 check_module(const struct sip_module *);

static void
cleanup(void)
{
	char path[160];
	size_t i;

	for (i = 0; i < sizeof(templates) / sizeof(templates[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, templates[i][0]);
		unlink(path);
	}
	rmdir(dir);
	rmdir(top);
}

static int
setup(void)
{
	char path[160];
	size_t i;
	FILE *f;

	if (mkdtemp(top) == NULL)
		return -1;
	snprintf(dir, sizeof(dir), "%s/m", top);
	if (mkdir(dir, 0700) == -1)
		return -1;
	atexit(cleanup);
	for (i = 0; i < sizeof(templates) / sizeof(templates[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, templates[i][0]);
		if ((f = fopen(path, "w")) == NULL)
			return -1;
		fputs(templates[i][1], f);
		fclose(f);
	}
	return 0;
}

/* Whatever loads has valid names, and resolves its defaults to typed values. */
static void
check_module(const struct sip_module *m)
{
	static const enum sip_type types[SIP_OPT__MAX] = {
		SIP_T_WORD, SIP_T_INT, SIP_T_BOOL, SIP_T_TEXT, SIP_T_LINE,
		SIP_T_WORD	/* secret: a default is a secret's name */
	};
	const struct sip_capability *c;
	struct sip_kv *kv;
	struct sip_err err;
	char action[2 * SIP_NAME_MAX + 1], mod[SIP_NAME_MAX], cap[SIP_NAME_MAX];
	size_t i, j, n;
	enum sip_rc rc;

	if (strcmp(m->name, "m") != 0 || m->ncaps == 0)
		abort();
	for (i = 0; i < m->ncaps; i++) {
		c = &m->caps[i];
		snprintf(action, sizeof(action), "%s:%s", m->name, c->name);
		if (sip_action_name_split(action, mod, cap) != SIP_OK ||
		    sip_module_capability(m, c->name) == NULL ||
		    c->tmpl == NULL)
			abort();
		if (c->max_boots < 0 || c->max_boots > 100 || c->expires < 0 ||
		    c->expires > 30 * 86400)
			abort();
		rc = sip_options_resolve(c, NULL, 0, &kv, &n, &err);
		if (rc != SIP_OK)
			continue;	/* a required option */
		if (n != c->noptions)
			abort();
		for (j = 0; j < n; j++)
			if (strcmp(kv[j].key, c->options[j].name) != 0 ||
			    sip_value_check(types[c->options[j].type],
			    kv[j].value) != SIP_OK)
				abort();
		sip_kv_free(kv, n);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct sip_module *m;
	struct sip_err err;
	char *text;

	if (!ready) {
		if (setup() == -1)
			abort();
		ready = 1;
	}
	/* As sip_file_read hands it over: NUL-terminated, 64 KiB at most. */
	if (size > 64 * 1024 || (text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	err.msg[0] = '\0';
	if (sip_module_parse(dir, text, size, &m, &err) != SIP_OK) {
		if (m != NULL || err.msg[0] == '\0')
			abort();
	} else {
		check_module(m);
		sip_module_free(m);
	}
	free(text);
	return 0;
}
