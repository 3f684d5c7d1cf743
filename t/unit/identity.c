/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for the SMBIOS binding of destructive actions: placeholders, and which boots are the bound machine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

#define U1	"4c4c4544-0031-3510-8052-b4c04f4d4e31"
#define U2	"4c4c4544-0031-3510-8052-b4c04f4d4e32"

struct ivec {
	int		 serial;
	const char	*v;
	int		 identifying;
};

static const struct ivec ivecs[] = {
	{ 0, U1, 1 },
	{ 0, "4C4C4544-0031-3510-8052-B4C04F4D4E31", 1 },
	{ 0, "00000000-0000-0000-0000-000000000000", 0 },
	{ 0, "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", 0 },
	{ 0, "03000200-0400-0500-0006-000700080009", 0 },
	{ 0, "", 0 },
	{ 0, "   ", 0 },
	{ 0, NULL, 0 },
	{ 1, "SN-0001", 1 },
	{ 1, "CZC1234XYZ", 1 },
	{ 1, "To Be Filled By O.E.M.", 0 },
	{ 1, "  to be filled by o.e.m.  ", 0 },
	{ 1, "Default string", 0 },
	{ 1, "System Serial Number", 0 },
	{ 1, "0", 0 },
	{ 1, "Not Specified", 0 },
	{ 1, "0123456789", 0 },
	{ 1, "bad\001byte", 0 },
	{ 1, "x12345678901234567890123456789012345678901234567890123456789012345",
	  0 },	/* 66 bytes: longer than ipxe.cgi keeps */
};

struct rvec {
	const char	*bound_uuid, *bound_serial;
	const char	*uuid, *serial;	/* what the boot presents */
	const char	*why;		/* NULL: served */
	const char	*detail;
};

static const struct rvec rvecs[] = {
	{ "", "", U1, "SN1", NULL, "" },		/* nothing pinned yet */
	{ U1, "", U1, NULL, NULL, "" },
	{ U1, "", "4C4C4544-0031-3510-8052-B4C04F4D4E31", NULL, NULL, "" },
	{ U1, "", U2, NULL, "another machine (SMBIOS UUID)",
	  "uuid " U1 " -> " U2 },
	{ U1, "", NULL, NULL, "no SMBIOS identity in the request",
	  "uuid " U1 " -> none" },
	{ U1, "", "00000000-0000-0000-0000-000000000000", "SN1",
	  "no SMBIOS identity in the request", "uuid " U1 " -> none" },
	{ U1, "SN1", U1, "SN1", NULL, "" },
	{ U1, "SN1", NULL, "SN1", NULL, "" },	/* the serial alone suffices */
	{ U1, "SN1", U1, NULL, NULL, "" },
	{ U1, "SN1", U1, "SN2", "another machine (SMBIOS serial)",
	  "serial SN1 -> SN2" },
	{ U1, "SN1", U2, "SN1", "another machine (SMBIOS UUID)",
	  "uuid " U1 " -> " U2 },
	{ "", "SN1", U2, "SN1", NULL, "" },	/* an unbound UUID is not compared */
	{ "", "SN1", U2, NULL, "no SMBIOS identity in the request",
	  "serial SN1 -> none" },
	{ "", "SN1", NULL, " SN1 ", NULL, "" },	/* firmware padding */
	{ "", "SN1", NULL, "sn1", "another machine (SMBIOS serial)",
	  "serial SN1 -> sn1" },
};

int
main(void)
{
	struct sip_action act;
	char detail[256];
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(ivecs) / sizeof(ivecs[0]); i++)
		is_int(sip_smbios_identifying(ivecs[i].serial, ivecs[i].v),
		    ivecs[i].identifying, "%s '%s': %s",
		    ivecs[i].serial ? "serial" : "uuid",
		    ivecs[i].v != NULL ? ivecs[i].v : "(null)",
		    ivecs[i].identifying ? "identifies" : "no identity");

	for (i = 0; i < sizeof(rvecs) / sizeof(rvecs[0]); i++) {
		memset(&act, 0, sizeof(act));
		act.bind_identity = 1;
		snprintf(act.bound_uuid, sizeof(act.bound_uuid), "%s",
		    rvecs[i].bound_uuid);
		snprintf(act.bound_serial, sizeof(act.bound_serial), "%s",
		    rvecs[i].bound_serial);
		why = sip_identity_refusal(&act, rvecs[i].uuid,
		    rvecs[i].serial, detail, sizeof(detail));
		is_str(why != NULL ? why : "(served)", rvecs[i].why != NULL ?
		    rvecs[i].why : "(served)", "bound '%s' '%s', boot '%s' "
		    "'%s'", rvecs[i].bound_uuid, rvecs[i].bound_serial,
		    rvecs[i].uuid != NULL ? rvecs[i].uuid : "-",
		    rvecs[i].serial != NULL ? rvecs[i].serial : "-");
		is_str(detail, rvecs[i].detail, "... detail '%s'", detail);
	}

	/* Not destructive: never bound, whatever it holds. */
	memset(&act, 0, sizeof(act));
	snprintf(act.bound_uuid, sizeof(act.bound_uuid), "%s", U1);
	ok(sip_identity_refusal(&act, U2, NULL, detail, sizeof(detail)) ==
	    NULL, "not bound: any identity is served");
	return done_testing();
}
