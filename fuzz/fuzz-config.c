/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: se3-ipxe.conf as sip_config_load hands it to the parser; what loads is in range, what fails leaves the defaults. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	 check_config(const struct sip_config *);
static void	 check_defaults(const struct sip_config *);

static void
check_config(const struct sip_config *c)
{
	if (c->busy_timeout_ms < 0 || c->busy_timeout_ms > 60000 ||
	    c->deadline < 1 || c->deadline > 60 ||
	    c->max_boots < 1 || c->max_boots > 100 ||
	    c->expires < 60 || c->expires > 30 * 86400 ||
	    c->history_keep < 86400 || c->history_keep > 3650 * 86400LL ||
	    (unsigned)c->boot_default >= SIP_DEFAULT__MAX ||
	    (unsigned)c->local_pcbios >= SIP_LOCAL__MAX ||
	    (unsigned)c->local_efi >= SIP_LOCAL__MAX)
		abort();
	if (c->db_path[0] != '/' || c->boot_root[0] != '/' ||
	    c->module_path[0] != '/' || c->template_dir[0] != '/')
		abort();
	if ((c->boot_url[0] != '\0' &&
	    sip_value_check(SIP_T_URL, c->boot_url) != SIP_OK) ||
	    (c->cgi_url[0] != '\0' &&
	    sip_value_check(SIP_T_URL, c->cgi_url) != SIP_OK) ||
	    (c->iscsi_target[0] != '\0' &&
	    sip_value_check(SIP_T_ISCSI, c->iscsi_target) != SIP_OK))
		abort();
	if (c->boot_default == SIP_DEFAULT_ISCSI && c->iscsi_target[0] == '\0')
		abort();
}

static void
check_defaults(const struct sip_config *c)
{
	struct sip_config d;

	if (sip_config_defaults(&d) != SIP_OK)
		abort();
	if (c->path != NULL || strcmp(c->db_path, d.db_path) != 0 ||
	    c->max_boots != d.max_boots || c->expires != d.expires ||
	    c->boot_default != d.boot_default)
		abort();
	sip_config_free(&d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_config cfg;
	struct sip_err err;
	char *text;

	/* As sip_file_read hands it over: NUL-terminated, 64 KiB at most. */
	if (size > 64 * 1024 || (text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	err.msg[0] = '\0';
	if (sip_config_defaults(&cfg) != SIP_OK)
		abort();
	if (sip_config_parse(&cfg, "/etc/se3-ipxe/fuzz.conf", text, size,
	    &err) == SIP_OK)
		check_config(&cfg);
	else {
		if (err.msg[0] == '\0' || strchr(err.msg, '\n') != NULL)
			abort();
		check_defaults(&cfg);
	}
	sip_config_free(&cfg);
	free(text);
	return 0;
}
