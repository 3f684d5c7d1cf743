/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Table vectors for MAC parsing and its canonical form. */
#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

static const struct {
	const char	*in;
	const char	*canon;		/* NULL: must be refused */
} vectors[] = {
	{ "52:54:00:12:34:56", "52:54:00:12:34:56" },
	{ "52:54:00:AB:cd:EF", "52:54:00:ab:cd:ef" },
	{ "52-54-00-ab-cd-ef", "52:54:00:ab:cd:ef" },
	{ "52-54-00-AB-CD-EF", "52:54:00:ab:cd:ef" },
	{ "525400abcdef", "52:54:00:ab:cd:ef" },
	{ "525400ABCDEF", "52:54:00:ab:cd:ef" },
	{ "00:00:00:00:00:00", "00:00:00:00:00:00" },
	{ "ff:ff:ff:ff:ff:ff", "ff:ff:ff:ff:ff:ff" },
	{ "", NULL },
	{ "52:54:00:12:34", NULL },
	{ "52:54:00:12:34:56:78", NULL },
	{ "52:54:00:12:34:5", NULL },
	{ "52:54:00:12:34:567", NULL },
	{ "52:54-00:12:34:56", NULL },		/* mixed separators */
	{ "52.54.00.12.34.56", NULL },
	{ "52 54 00 12 34 56", NULL },
	{ "5254.0012.3456", NULL },		/* Cisco form: not ours */
	{ "52:54:00:12:34:5g", NULL },
	{ "g25400123456", NULL },
	{ "52540012345", NULL },
	{ "5254001234567", NULL },
	{ " 52:54:00:12:34:56", NULL },
	{ "52:54:00:12:34:56 ", NULL },
	{ "52:54:00:12:34:56\n", NULL },
	{ "2:54:00:12:34:56", NULL },
	{ "52::54:00:12:34:5", NULL },
	{ "+2:54:00:12:34:56", NULL },
	{ "52%3A54%3A00%3A12%3A34%3A56", NULL },	/* must arrive decoded */
	{ "${net0/mac}", NULL },
	{ "0x5254001234", NULL },
};

int
main(void)
{
	struct sip_mac mac;
	char out[SIP_MAC_STRLEN];
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		enum sip_rc rc = sip_mac_parse(vectors[i].in, &mac);

		if (vectors[i].canon == NULL) {
			is_int(rc, SIP_EINVAL, "refuse '%s'", vectors[i].in);
			continue;
		}
		is_int(rc, SIP_OK, "accept '%s'", vectors[i].in);
		sip_mac_format(&mac, out);
		is_str(out, vectors[i].canon, "canonical form of '%s'", vectors[i].in);
	}
	is_int(sip_mac_parse(NULL, &mac), SIP_EINVAL, "refuse NULL");
	return done_testing();
}
