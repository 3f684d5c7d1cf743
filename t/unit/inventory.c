/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A machine's inventory as ipxe.cgi takes it: UTF-8 lines, no control character but the newline, 1 to SIP_INVENTORY_MAX bytes; the hostile values through it. */
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"
#include "hostile.h"

static const struct {
	const char	*text;
	const char	*why;		/* part of the refusal, NULL: taken */
} vectors[] = {
	{ "disks: sda:64M:dos(sda1:ext4:32M)\ntable: label: dos\n", NULL },
	{ "cpu: 1x \xc3\xa9t\xc3\xa9 + 2", NULL },
	{ "\n", NULL },
	{ "", "inventory: empty" },
	{ "a\tb", "control character (U+0009 at byte 2)" },
	{ "a\r\nb", "control character (U+000D at byte 2)" },
	{ "\x1b[2J", "control character (U+001B at byte 1)" },
	{ "a\x7f", "control character (U+007F at byte 2)" },
	{ "a\xc2\x85", "control character (U+0085 at byte 2)" },
	{ "a\xff", "not UTF-8 at byte 2 (0xff)" },
	{ "\xc0\xaf", "not UTF-8 at byte 1" },
	{ "\xed\xa0\x80", "not UTF-8 at byte 1" },
};

/* What the check must say of a hostile value: taken unless a control byte or not UTF-8. */
static int
taken(const char *s)
{
	const unsigned char *p;

	if (*s == '\0')
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f || *p == 0xff)
			return 0;
	return 1;
}

int
main(void)
{
	struct sip_err err;
	char big[SIP_INVENTORY_MAX + 2], text[256];
	size_t i, j;
	enum sip_rc rc;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		err.msg[0] = '\0';
		rc = sip_inventory_check(vectors[i].text, &err);
		if (vectors[i].why == NULL)
			is_int(rc, SIP_OK, "vector %zu taken", i);
		else
			ok(rc == SIP_EINVAL && strstr(err.msg, vectors[i].why)
			    != NULL, "vector %zu refused: %s", i, err.msg);
	}

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(sip_inventory_check(big, &err) == SIP_EINVAL &&
	    strstr(err.msg, "longer than 4096 bytes") != NULL,
	    "4097 bytes refused: %s", err.msg);
	big[SIP_INVENTORY_MAX] = '\0';
	is_int(sip_inventory_check(big, &err), SIP_OK, "4096 bytes taken");

	for (i = 0; i < sizeof(hostile_cores) / sizeof(hostile_cores[0]); i++)
		for (j = 0; j < sizeof(hostile_wrappers) /
		    sizeof(hostile_wrappers[0]); j++) {
			snprintf(text, sizeof(text), "%s%s%s",
			    hostile_wrappers[j][0], hostile_cores[i],
			    hostile_wrappers[j][1]);
			rc = sip_inventory_check(text, &err);
			is_int(rc == SIP_OK, taken(text), "hostile %zu.%zu %s",
			    i, j, rc == SIP_OK ? "taken" : err.msg);
		}
	return done_testing();
}
