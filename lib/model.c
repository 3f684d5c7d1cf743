/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The local boot per computer model: [model NAME] sections of se3-ipxe.conf, and the one choice every local answer renders. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "se3ipxe.h"
#include "extern.h"

#define MODEL_PREFIX		"model "
#define MODEL_PREFIX_LEN	(sizeof(MODEL_PREFIX) - 1)
#define EFI_LOADER_MAX		128

/* What UEFI looks for when no loader is named (x86_64). */
const char sip_default_efi_loader[] = "\\EFI\\Boot\\bootx64.efi";

int
sip_efi_path_check(const char *s)
{
	static const char seg_chars[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
	size_t n, seg;
	const char *p;

	if (s == NULL || (n = strlen(s)) < 6 || n > EFI_LOADER_MAX ||
	    s[0] != '\\' || strcasecmp(s + n - 4, ".efi") != 0)
		return 0;
	for (p = s + 1; *p != '\0'; p += seg + (p[seg] == '\\')) {
		seg = strspn(p, seg_chars);
		/* An empty, "." or ".." segment, or a byte of no segment. */
		if (seg == 0 || (p[seg] != '\\' && p[seg] != '\0') ||
		    (seg == 1 && p[0] == '.') ||
		    (seg == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (p[seg] == '\\' && p[seg + 1] == '\0')
			return 0;
	}
	return 1;
}

void
sip_models_free(struct sip_model *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(m[i].manufacturer);
		free(m[i].product);
		free(m[i].efi_loader);
	}
	free(m);
}

int
sip_model_section(const char *section, const char **name)
{
	if (strncmp(section, MODEL_PREFIX, MODEL_PREFIX_LEN) != 0)
		return 0;
	*name = section + MODEL_PREFIX_LEN;
	return 1;
}

enum sip_rc
sip_model_add(struct sip_model **models, size_t *n, const char *name,
    int line, const char *file, struct sip_err *err)
{
	struct sip_model *m;
	size_t i;

	if (sip_value_check(SIP_T_WORD, name) != SIP_OK ||
	    strlen(name) >= SIP_NAME_MAX)
		return sip_errf(err, SIP_ECONFIG, "%s:%d: [model %s]: the "
		    "name must be a word ([A-Za-z0-9._-], at most %d bytes)",
		    file, line, name, SIP_NAME_MAX - 1);
	for (i = 0; i < *n; i++)
		if (strcmp((*models)[i].name, name) == 0)
			return sip_errf(err, SIP_ECONFIG, "%s:%d: repeated "
			    "section [model %s] (first at line %d)", file,
			    line, name, (*models)[i].line);
	if (*n == SIP_MODELS_MAX)
		return sip_errf(err, SIP_ECONFIG, "%s:%d: more than %d [model] "
		    "sections", file, line, SIP_MODELS_MAX);
	if ((m = realloc(*models, (*n + 1) * sizeof(*m))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "%s:%d: out of memory", file,
		    line);
	*models = m;
	m = &m[(*n)++];
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->line = line;
	m->local_pcbios = SIP_LOCAL__MAX;
	m->local_efi = SIP_LOCAL__MAX;
	return SIP_OK;
}

/* A glob of SMBIOS text: what ipxe.cgi keeps, and a pattern fnmatch takes. */
static int
glob_ok(const char *g)
{
	return sip_smbios_check(g) == SIP_OK &&
	    fnmatch(g, "", FNM_CASEFOLD) != -1;
}

enum sip_rc
sip_model_key(struct sip_model *m, const char *key, const char *value,
    int line, const char *file, struct sip_err *err)
{
	enum sip_local l;
	char **dst = NULL;

	if (strcmp(key, "manufacturer") == 0 || strcmp(key, "product") == 0) {
		if (!glob_ok(value))
			return sip_errf(err, SIP_ECONFIG, "%s:%d: [model %s] "
			    "%s: not a pattern of printable ASCII of at most %d "
			    "bytes", file, line, m->name, key, SIP_SMBIOS_MAX);
		dst = key[0] == 'm' ? &m->manufacturer : &m->product;
	} else if (strcmp(key, "efi_loader") == 0) {
		if (!sip_efi_path_check(value))
			return sip_errf(err, SIP_ECONFIG, "%s:%d: [model %s] "
			    "efi_loader: not a path \\DIR\\...\\NAME.efi of "
			    "[A-Za-z0-9._-] (at most %d bytes)", file, line,
			    m->name, EFI_LOADER_MAX);
		dst = &m->efi_loader;
	} else if (strcmp(key, "local_pcbios") == 0 ||
	    strcmp(key, "local_efi") == 0) {
		if (sip_local_parse(value, &l) != SIP_OK ||
		    (l == SIP_LOCAL_CHAIN && key[6] == 'p'))
			return sip_errf(err, SIP_ECONFIG, "%s:%d: [model %s] "
			    "%s: not %s", file, line, m->name, key,
			    key[6] == 'p' ? "sanboot or exit" :
			    "sanboot, exit or chain");
		if (key[6] == 'p')
			m->local_pcbios = l;
		else
			m->local_efi = l;
		return SIP_OK;
	} else
		return sip_errf(err, SIP_ECONFIG, "%s:%d: unknown key '%s' in "
		    "[model %s] (manufacturer, product, local_pcbios, local_efi, "
		    "efi_loader)", file, line, key, m->name);
	free(*dst);
	if ((*dst = sip_strdup(value)) == NULL)
		return sip_errf(err, SIP_ENOMEM, "%s:%d: out of memory", file,
		    line);
	return SIP_OK;
}

enum sip_rc
sip_models_check(const struct sip_model *m, size_t n, const char *file,
    struct sip_err *err)
{
	size_t i;

	for (i = 0; i < n; i++, m++) {
		if (m->manufacturer == NULL && m->product == NULL)
			return sip_errf(err, SIP_ECONFIG, "%s:%d: [model %s]: "
			    "needs manufacturer or product (a pattern)", file,
			    m->line, m->name);
		if (m->local_pcbios == SIP_LOCAL__MAX &&
		    m->local_efi == SIP_LOCAL__MAX)
			return sip_errf(err, SIP_ECONFIG, "%s:%d: [model %s]: "
			    "needs local_pcbios or local_efi", file, m->line,
			    m->name);
		if ((m->local_efi == SIP_LOCAL_CHAIN) != (m->efi_loader != NULL))
			return sip_errf(err, SIP_ECONFIG, "%s:%d: [model %s]: "
			    "%s", file, m->line, m->name,
			    m->efi_loader == NULL ? "local_efi = chain needs "
			    "efi_loader" : "efi_loader is only for local_efi "
			    "= chain");
	}
	return SIP_OK;
}

/* A field the request did not send matches only a pattern that matches "". */
static int
field_matches(const char *glob, const char *v)
{
	return glob == NULL || fnmatch(glob, v != NULL ? v : "",
	    FNM_CASEFOLD) == 0;
}

const struct sip_model *
sip_model_match(const struct sip_model *m, size_t n,
    const char *manufacturer, const char *product)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (field_matches(m[i].manufacturer, manufacturer) &&
		    field_matches(m[i].product, product))
			return &m[i];
	return NULL;
}

const struct sip_model *
sip_local_choose(const struct sip_config *cfg, const char *manufacturer,
    const char *product, struct sip_local_choice *lc)
{
	const struct sip_model *m;

	lc->pcbios = cfg->local_pcbios;
	lc->efi = cfg->local_efi;
	lc->efi_loader = sip_default_efi_loader;
	m = sip_model_match(cfg->models, cfg->nmodels, manufacturer, product);
	if (m == NULL)
		return NULL;
	if (m->local_pcbios != SIP_LOCAL__MAX)
		lc->pcbios = m->local_pcbios;
	if (m->local_efi != SIP_LOCAL__MAX)
		lc->efi = m->local_efi;
	if (m->efi_loader != NULL)
		lc->efi_loader = m->efi_loader;
	return m;
}
