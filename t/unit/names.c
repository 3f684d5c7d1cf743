/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for lib/names.c: every value of every enum reads back from its name, and near misses are refused. */
#include <stdint.h>
#include <stdio.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

/* One enum seen through ints, so that one loop tests them all. */
struct names {
	const char		*what;
	const char *const	*table;
	int			 max;
	const char		*(*name)(int);
	enum sip_rc		 (*parse)(const char *, int *);
};

#define ADAPT(fn, type)							\
static const char *fn##_name(int v) { return sip_##fn##_name((type)v); } \
static enum sip_rc							\
fn##_parse(const char *s, int *out)					\
{									\
	type v = (type)-1;						\
	enum sip_rc rc = sip_##fn##_parse(s, &v);			\
									\
	*out = (int)v;							\
	return rc;							\
}

ADAPT(state, enum sip_state)
ADAPT(event, enum sip_event)
ADAPT(completion, enum sip_completion)
ADAPT(opt_type, enum sip_opt_type)
ADAPT(type, enum sip_type)
ADAPT(platform, enum sip_platform)
ADAPT(buildarch, enum sip_buildarch)
ADAPT(local, enum sip_local)
ADAPT(default, enum sip_default)
ADAPT(dhcp_format, enum sip_dhcp_format)
ADAPT(bind, enum sip_bind)
ADAPT(request_event, enum sip_request_event)
ADAPT(template_kind, enum sip_template_kind)

#define ENTRY(fn, table, max)	{ #fn, table, max, fn##_name, fn##_parse }

static const struct names enums[] = {
	ENTRY(state, sip_state_names, SIP_ST__MAX),
	ENTRY(event, sip_event_names, SIP_EV__MAX),
	ENTRY(completion, sip_completion_names, SIP_COMPLETE__MAX),
	ENTRY(opt_type, sip_opt_type_names, SIP_OPT__MAX),
	ENTRY(type, sip_type_names, SIP_T__MAX),
	ENTRY(platform, sip_platform_names, SIP_PLATFORM__MAX),
	ENTRY(buildarch, sip_buildarch_names, SIP_BUILDARCH__MAX),
	ENTRY(local, sip_local_names, SIP_LOCAL__MAX),
	ENTRY(default, sip_default_names, SIP_DEFAULT__MAX),
	ENTRY(dhcp_format, sip_dhcp_format_names, SIP_DHCP__MAX),
	ENTRY(bind, sip_bind_names, SIP_BIND__MAX),
	ENTRY(request_event, sip_request_event_names, SIP_REQ__MAX),
	ENTRY(template_kind, sip_template_kind_names, SIP_TEMPLATE__MAX),
};

/* Spellings the stored data, manifests and requests use today. */
static const struct {
	int		 e;	/* index in enums[] */
	const char	*s;
	int		 v;
} knowns[] = {
	{ 0, "scheduled", SIP_ST_SCHEDULED }, { 0, "cancelled", SIP_ST_CANCELLED },
	{ 1, "boot", SIP_EV_BOOT }, { 1, "tick", SIP_EV_TICK },
	{ 2, "oneshot", SIP_COMPLETE_ONESHOT }, { 2, "report", SIP_COMPLETE_REPORT },
	{ 3, "enum", SIP_OPT_ENUM }, { 3, "name", SIP_OPT_NAME },
	{ 4, "word", SIP_T_WORD }, { 4, "text", SIP_T_TEXT },
	{ 5, "pcbios", SIP_PLATFORM_PCBIOS }, { 5, "efi", SIP_PLATFORM_EFI },
	{ 6, "i386", SIP_BUILDARCH_I386 }, { 6, "arm64", SIP_BUILDARCH_ARM64 },
	{ 7, "sanboot", SIP_LOCAL_SANBOOT }, { 7, "exit", SIP_LOCAL_EXIT },
	{ 8, "local", SIP_DEFAULT_LOCAL }, { 8, "iscsi", SIP_DEFAULT_ISCSI },
	{ 9, "isc", SIP_DHCP_ISC }, { 9, "dnsmasq", SIP_DHCP_DNSMASQ },
	{ 10, "address", SIP_BIND_ADDRESS }, { 10, "none", SIP_BIND_NONE },
	{ 11, "served", SIP_REQ_SERVED },
	{ 11, "boot-refused", SIP_REQ_BOOT_REFUSED },
	{ 11, "report-refused", SIP_REQ_REPORT_REFUSED },
	{ 11, "file-refused", SIP_REQ_FILE_REFUSED },
};

/* Refused by every parser: case, prefixes, padding, the "unknown" of name(). */
static const char *const rejects[] = {
	"", " ", "unknown", "PENDING", "Pending", "pend", "pending ", " efi",
	"EFI", "ef", "efi\n", "x86-64", "X86_64", "sanboot\t", "exi", "isc,",
	"oneshot=1", "report\r", "dnsmasq.conf", "local.ipxe", "boolean ",
	"-", "0", "1",
};

int
main(void)
{
	size_t i, j;
	int v;

	for (i = 0; i < SIP_ARRAY_SIZE(enums); i++) {
		const struct names *e = &enums[i];

		is_int(e->table[e->max] == NULL, 1, "%s: table ends with NULL",
		    e->what);
		for (v = 0; v < e->max; v++) {
			int got = -1;

			is_str(e->name(v), e->table[v], "%s %d: name", e->what,
			    v);
			is_int(e->parse(e->name(v), &got), SIP_OK,
			    "%s '%s': parses", e->what, e->name(v));
			is_int(got, v, "%s '%s': round trip", e->what,
			    e->name(v));
			for (j = 0; j < (size_t)v; j++)
				ok(strcmp(e->table[j], e->table[v]) != 0,
				    "%s '%s': spelled once", e->what,
				    e->table[v]);
		}
		is_str(e->name(e->max), "unknown", "%s: out of range",
		    e->what);
		is_str(e->name(-1), "unknown", "%s: negative", e->what);
		is_int(e->parse(NULL, &v), SIP_EINVAL, "%s: NULL refused",
		    e->what);
		for (j = 0; j < SIP_ARRAY_SIZE(rejects); j++)
			is_int(e->parse(rejects[j], &v), SIP_EINVAL,
			    "%s: '%s' refused", e->what, rejects[j]);
	}
	for (i = 0; i < SIP_ARRAY_SIZE(knowns); i++) {
		v = -1;
		is_int(enums[knowns[i].e].parse(knowns[i].s, &v), SIP_OK,
		    "%s '%s': known", enums[knowns[i].e].what, knowns[i].s);
		is_int(v, knowns[i].v, "%s '%s': its value",
		    enums[knowns[i].e].what, knowns[i].s);
	}
	return done_testing();
}
