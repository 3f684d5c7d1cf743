/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SMBIOS binding of destructive actions: which UUIDs and serials name a machine, and whether a boot is that machine. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "se3ipxe.h"
#include "extern.h"

/*
 * Firmware placeholders shared by whole batches of boards: binding to one
 * would bind to every board of the batch, so they count as no identity.
 */
static const char *const placeholder_uuids[] = {
	"00000000-0000-0000-0000-000000000000",
	"ffffffff-ffff-ffff-ffff-ffffffffffff",
	"03000200-0400-0500-0006-000700080009",	/* "To be filled by O.E.M." boards */
	NULL
};
static const char *const placeholder_serials[] = {
	"0", "00000000", "0000000000", "0123456789", "123456789", "none",
	"n/a", "na", "not specified", "not applicable", "default string",
	"to be filled by o.e.m.", "system serial number",
	"chassis serial number", "serial number", "oem", "empty",
	NULL
};

/* Ignoring the blanks around it, which firmwares pad with. */
static int
same_text(const char *a, const char *b, int nocase)
{
	size_t na, nb;

	while (*a == ' ')
		a++;
	while (*b == ' ')
		b++;
	na = strlen(a);
	nb = strlen(b);
	while (na > 0 && a[na - 1] == ' ')
		na--;
	while (nb > 0 && b[nb - 1] == ' ')
		nb--;
	if (na != nb)
		return 0;
	return (nocase ? strncasecmp(a, b, na) : strncmp(a, b, na)) == 0;
}

int
sip_smbios_identifying(int serial, const char *v)
{
	const char *const *p;
	const char *s;

	if (v == NULL || sip_smbios_check(v) != SIP_OK)
		return 0;
	for (s = v; *s == ' '; s++)
		;
	if (*s == '\0')
		return 0;
	for (p = serial ? placeholder_serials : placeholder_uuids; *p != NULL;
	    p++)
		if (same_text(v, *p, 1))
			return 0;
	return 1;
}

const char *
sip_identity_refusal(const struct sip_action *act, const char *uuid,
    const char *serial, char *detail, size_t sz)
{
	const char *u = sip_smbios_identifying(0, uuid) ? uuid : NULL;
	const char *s = sip_smbios_identifying(1, serial) ? serial : NULL;
	int presented = 0;

	if (sz > 0)
		detail[0] = '\0';
	if (!act->bind_identity ||
	    (act->bound_uuid[0] == '\0' && act->bound_serial[0] == '\0'))
		return NULL;
	if (act->bound_uuid[0] != '\0' && u != NULL) {
		presented = 1;
		if (!same_text(act->bound_uuid, u, 1)) {
			snprintf(detail, sz, "uuid %s -> %s", act->bound_uuid,
			    u);
			return "another machine (SMBIOS UUID)";
		}
	}
	if (act->bound_serial[0] != '\0' && s != NULL) {
		presented = 1;
		if (!same_text(act->bound_serial, s, 0)) {
			snprintf(detail, sz, "serial %s -> %s",
			    act->bound_serial, s);
			return "another machine (SMBIOS serial)";
		}
	}
	if (!presented) {
		if (act->bound_uuid[0] != '\0')
			snprintf(detail, sz, "uuid %s -> none", act->bound_uuid);
		else
			snprintf(detail, sz, "serial %s -> none",
			    act->bound_serial);
		return "no SMBIOS identity in the request";
	}
	return NULL;
}
