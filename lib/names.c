/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every enum's spelling, one table each, and the name and parse functions made from it. */
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

/*
 * Each table ends with NULL so that config.c can list the words of a key
 * and module.c the words a manifest accepts.  States, events, completion
 * modes and option types are also stored in the database or written by
 * admins in manifests: never rename one.
 */
const char *const sip_state_names[SIP_ST__MAX + 1] = {
	"scheduled",		/* SIP_ST_SCHEDULED */
	"pending",		/* SIP_ST_PENDING */
	"booting",		/* SIP_ST_BOOTING */
	"running",		/* SIP_ST_RUNNING */
	"done",			/* SIP_ST_DONE */
	"failed",		/* SIP_ST_FAILED */
	"expired",		/* SIP_ST_EXPIRED */
	"cancelled",		/* SIP_ST_CANCELLED */
	NULL
};

const char *const sip_event_names[SIP_EV__MAX + 1] = {
	"boot",			/* SIP_EV_BOOT */
	"running",		/* SIP_EV_RUNNING */
	"done",			/* SIP_EV_DONE */
	"failed",		/* SIP_EV_FAILED */
	"cancel",		/* SIP_EV_CANCEL */
	"tick",			/* SIP_EV_TICK */
	NULL
};

/* Fixed by the schema's CHECK too. */
const char *const sip_completion_names[SIP_COMPLETE__MAX + 1] = {
	"oneshot",		/* SIP_COMPLETE_ONESHOT */
	"report",		/* SIP_COMPLETE_REPORT */
	"persistent",		/* SIP_COMPLETE_PERSISTENT */
	NULL
};

const char *const sip_opt_type_names[SIP_OPT__MAX + 1] = {
	"enum",			/* SIP_OPT_ENUM */
	"integer",		/* SIP_OPT_INTEGER */
	"boolean",		/* SIP_OPT_BOOLEAN */
	"name",			/* SIP_OPT_NAME */
	"text",			/* SIP_OPT_TEXT */
	"secret",		/* SIP_OPT_SECRET */
	NULL
};

const char *const sip_type_names[SIP_T__MAX + 1] = {
	"word",			/* SIP_T_WORD */
	"integer",		/* SIP_T_INT */
	"boolean",		/* SIP_T_BOOL */
	"mac",			/* SIP_T_MAC */
	"hex",			/* SIP_T_HEX */
	"url",			/* SIP_T_URL */
	"host",			/* SIP_T_HOST */
	"ipv4",			/* SIP_T_IPV4 */
	"iscsi",		/* SIP_T_ISCSI */
	"text",			/* SIP_T_TEXT */
	"line",			/* SIP_T_LINE */
	"secret",		/* SIP_T_SECRET */
	"efipath",		/* SIP_T_EFIPATH */
	NULL
};

const char *const sip_template_kind_names[SIP_TEMPLATE__MAX + 1] = {
	"ipxe",			/* SIP_TEMPLATE_IPXE */
	"text",			/* SIP_TEMPLATE_FILE */
	"cmdline",		/* SIP_TEMPLATE_CMDLINE */
	"preseed",		/* SIP_TEMPLATE_PRESEED */
	"sh",			/* SIP_TEMPLATE_SH */
	"yaml",			/* SIP_TEMPLATE_YAML */
	"xml",			/* SIP_TEMPLATE_XML */
	"ini",			/* SIP_TEMPLATE_INI */
	"cmd",			/* SIP_TEMPLATE_CMD */
	NULL
};

/* iPXE's ${platform} and ${buildarch}, as ipxe.cgi accepts them. */
const char *const sip_platform_names[SIP_PLATFORM__MAX + 1] = {
	"pcbios",		/* SIP_PLATFORM_PCBIOS */
	"efi",			/* SIP_PLATFORM_EFI */
	NULL
};

const char *const sip_buildarch_names[SIP_BUILDARCH__MAX + 1] = {
	"i386",			/* SIP_BUILDARCH_I386 */
	"x86_64",		/* SIP_BUILDARCH_X86_64 */
	"arm32",		/* SIP_BUILDARCH_ARM32 */
	"arm64",		/* SIP_BUILDARCH_ARM64 */
	NULL
};

/* boot.local_pcbios and boot.local_efi; the word is also a template key's value. */
const char *const sip_local_names[SIP_LOCAL__MAX + 1] = {
	"sanboot",		/* SIP_LOCAL_SANBOOT */
	"exit",			/* SIP_LOCAL_EXIT */
	"chain",		/* SIP_LOCAL_CHAIN */
	NULL
};

/* boot.default; templates/NAME.ipxe is the template it serves. */
const char *const sip_default_names[SIP_DEFAULT__MAX + 1] = {
	"local",		/* SIP_DEFAULT_LOCAL */
	"iscsi",		/* SIP_DEFAULT_ISCSI */
	NULL
};

/* [security] bind. */
const char *const sip_bind_names[SIP_BIND__MAX + 1] = {
	"address",		/* SIP_BIND_ADDRESS */
	"none",			/* SIP_BIND_NONE */
	NULL
};

/*
 * History events of client requests besides the state machine's: stored
 * in the database and matched by status (never rename one).
 */
const char *const sip_request_event_names[SIP_REQ__MAX + 1] = {
	"served",		/* SIP_REQ_SERVED: a boot got its action */
	"report",		/* SIP_REQ_REPORT: a report was taken */
	"file",			/* SIP_REQ_FILE: a file was served */
	"boot-refused",		/* SIP_REQ_BOOT_REFUSED: from another address */
	"report-refused",	/* SIP_REQ_REPORT_REFUSED: from another address */
	"file-refused",		/* SIP_REQ_FILE_REFUSED: from another address */
	"wol-sent",		/* SIP_REQ_WOL_SENT: the magic packet went */
	"reboot-sent",		/* SIP_REQ_REBOOT_SENT */
	"reboot-skipped",	/* SIP_REQ_REBOOT_SKIPPED */
	"reboot-failed",	/* SIP_REQ_REBOOT_FAILED */
	"secret-served",	/* SIP_REQ_SECRET_SERVED: NAME: boot N */
	"secret-refused",	/* SIP_REQ_SECRET_REFUSED: and why */
	"menu-try",		/* SIP_REQ_MENU_TRY */
	"menu",			/* SIP_REQ_MENU */
	"menu-refused",		/* SIP_REQ_MENU_REFUSED */
	"identity-refused",	/* SIP_REQ_IDENTITY_REFUSED: another SMBIOS identity */
	NULL
};

const char *const sip_dhcp_format_names[SIP_DHCP__MAX + 1] = {
	"isc",			/* SIP_DHCP_ISC */
	"dnsmasq",		/* SIP_DHCP_DNSMASQ */
	NULL
};

static const char *name_of(const char *const *, size_t, unsigned);
static enum sip_rc index_of(const char *const *, size_t, const char *,
		    size_t *);

static const char *
name_of(const char *const *names, size_t n, unsigned v)
{
	if (v >= n)
		return "unknown";
	return names[v];
}

/* Exact, case-sensitive match only: no prefix, no alias. */
static enum sip_rc
index_of(const char *const *names, size_t n, const char *s, size_t *out)
{
	size_t i;

	if (s == NULL)
		return SIP_EINVAL;
	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return SIP_OK;
		}
	return SIP_EINVAL;
}

/* One name and one parse function per table, the same for every enum. */
#define SIP_NAMES(fn, type, table, max)					\
const char *								\
sip_##fn##_name(type v)							\
{									\
	return name_of(table, max, (unsigned)v);			\
}									\
									\
enum sip_rc								\
sip_##fn##_parse(const char *s, type *out)				\
{									\
	size_t i;							\
									\
	if (index_of(table, max, s, &i) != SIP_OK)			\
		return SIP_EINVAL;					\
	*out = (type)i;							\
	return SIP_OK;							\
}

SIP_NAMES(state, enum sip_state, sip_state_names, SIP_ST__MAX)
SIP_NAMES(event, enum sip_event, sip_event_names, SIP_EV__MAX)
SIP_NAMES(completion, enum sip_completion, sip_completion_names,
    SIP_COMPLETE__MAX)
SIP_NAMES(opt_type, enum sip_opt_type, sip_opt_type_names, SIP_OPT__MAX)
SIP_NAMES(type, enum sip_type, sip_type_names, SIP_T__MAX)
SIP_NAMES(template_kind, enum sip_template_kind, sip_template_kind_names,
    SIP_TEMPLATE__MAX)
SIP_NAMES(platform, enum sip_platform, sip_platform_names,
    SIP_PLATFORM__MAX)
SIP_NAMES(buildarch, enum sip_buildarch, sip_buildarch_names,
    SIP_BUILDARCH__MAX)
SIP_NAMES(local, enum sip_local, sip_local_names, SIP_LOCAL__MAX)
SIP_NAMES(default, enum sip_default, sip_default_names, SIP_DEFAULT__MAX)
SIP_NAMES(bind, enum sip_bind, sip_bind_names, SIP_BIND__MAX)
SIP_NAMES(request_event, enum sip_request_event, sip_request_event_names,
    SIP_REQ__MAX)
SIP_NAMES(dhcp_format, enum sip_dhcp_format, sip_dhcp_format_names,
    SIP_DHCP__MAX)
