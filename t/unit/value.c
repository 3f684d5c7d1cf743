/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Table vectors for the typed whitelists, and hostile values that must never reach a script. */
#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

static const struct {
	enum sip_type	 type;
	const char	*value;
	int		 good;
} vectors[] = {
	{ SIP_T_WORD, "sda", 1 }, { SIP_T_WORD, "nvme0n1", 1 },
	{ SIP_T_WORD, "x86_64", 1 }, { SIP_T_WORD, "a.b-c", 1 },
	{ SIP_T_WORD, "", 0 }, { SIP_T_WORD, "a:b", 0 }, { SIP_T_WORD, "a/b", 0 },
	{ SIP_T_WORD, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0 },
	{ SIP_T_INT, "0", 1 }, { SIP_T_INT, "100", 1 }, { SIP_T_INT, "-1", 0 },
	{ SIP_T_INT, "1e3", 0 }, { SIP_T_INT, "1234567890123456789", 0 },
	{ SIP_T_BOOL, "yes", 1 }, { SIP_T_BOOL, "no", 1 }, { SIP_T_BOOL, "true", 0 },
	{ SIP_T_BOOL, "Yes", 0 },
	{ SIP_T_MAC, "52:54:00:12:34:56", 1 }, { SIP_T_MAC, "52-54-00-12-34-56", 0 },
	{ SIP_T_MAC, "52:54:00:12:34:5G", 0 }, { SIP_T_MAC, "52:54:00:AB:34:56", 0 },
	{ SIP_T_HEX, "0123456789abcdef0123456789abcdef", 1 }, { SIP_T_HEX, "ABCD", 0 },
	{ SIP_T_URL, "http://se3:909/se3-ipxe", 1 },
	{ SIP_T_URL, "http://10.0.2.100/cgi-bin/ipxe.cgi", 1 },
	{ SIP_T_URL, "http://172.20.0.2:909/boot/%7Euser/a+b,c=d", 1 },
	{ SIP_T_URL, "http://se3.lycee.ac-caen.fr", 1 },
	{ SIP_T_URL, "https://se3/x", 0 }, { SIP_T_URL, "http://", 0 },
	{ SIP_T_URL, "http://se3:0/x", 0 }, { SIP_T_URL, "http://se3:65536/x", 0 },
	{ SIP_T_URL, "http://se3:99999/x", 0 }, { SIP_T_URL, "http://-se3/x", 0 },
	{ SIP_T_URL, "http://se3/a?b=c", 0 }, { SIP_T_URL, "http://se3/a#b", 0 },
	{ SIP_T_URL, "http://se3/%zz", 0 }, { SIP_T_URL, "http://se3/%4", 0 },
	{ SIP_T_URL, "http://user@se3/", 0 }, { SIP_T_URL, "ftp://se3/", 0 },
	{ SIP_T_URL, "http://256.1.1.1x/", 1 },	/* a (strange) host name */
	{ SIP_T_HOST, "127.0.0.1:8080", 1 }, { SIP_T_HOST, "10.0.2.100", 1 },
	{ SIP_T_HOST, "se3", 1 }, { SIP_T_HOST, "se3:", 0 }, { SIP_T_HOST, ":80", 0 },
	{ SIP_T_HOST, "a..b", 0 }, { SIP_T_HOST, "[::1]:80", 0 },
	{ SIP_T_IPV4, "192.168.1.1", 1 }, { SIP_T_IPV4, "0.0.0.0", 1 },
	{ SIP_T_IPV4, "256.1.1.1", 0 }, { SIP_T_IPV4, "1.2.3", 0 },
	{ SIP_T_IPV4, "1.2.3.4.5", 0 }, { SIP_T_IPV4, "01.2.3.4", 0 },
	{ SIP_T_IPV4, "1..3.4", 0 },
	{ SIP_T_ISCSI, "iscsi:10.0.0.1::::iqn.2010-04.org.ipxe:pc01", 1 },
	{ SIP_T_ISCSI, "iscsi:se3:6:3260:0:iqn.2026-11.fr.se3:lab", 1 },
	{ SIP_T_ISCSI, "iscsi:10.0.0.1", 0 }, { SIP_T_ISCSI, "iscsi:::::", 0 },
	{ SIP_T_ISCSI, "http://x", 0 },
	{ SIP_T_TEXT, "image_20261125", 1 }, { SIP_T_TEXT, "a=b,c+d@e%f~g", 1 },
	{ SIP_T_TEXT, "a b", 0 },
	{ SIP_T_LINE, "a b", 1 }, { SIP_T_LINE, "\xc3\x89l\xc3\xa8ve D'Artagnan", 1 },
	{ SIP_T_LINE, "Mot de passe: \"x\" & <y>; $z", 1 }, { SIP_T_LINE, "\xe2\x82\xac", 1 },
	{ SIP_T_LINE, "", 0 }, { SIP_T_LINE, " a", 0 }, { SIP_T_LINE, "a ", 0 },
	{ SIP_T_LINE, "a\tb", 0 }, { SIP_T_LINE, "a\nb", 0 }, { SIP_T_LINE, "a\rb", 0 },
	{ SIP_T_LINE, "a\x7f", 0 }, { SIP_T_LINE, "a\xc2\x85", 0 }, { SIP_T_LINE, "a\xc2\x9b", 0 },
	{ SIP_T_LINE, "a\xe2\x80\xa8", 0 }, { SIP_T_LINE, "a\xe2\x80\xa9", 0 },
	{ SIP_T_LINE, "\xef\xbb\xbf" "a", 0 }, { SIP_T_LINE, "a\xff", 0 },
	{ SIP_T_LINE, "a\xc0\xaf", 0 }, { SIP_T_LINE, "a\xed\xa0\x80", 0 }, { SIP_T_LINE, "a\xc3", 0 },
};

#include "hostile.h"

static struct sip_template *
one_key_template(enum sip_type type)
{
	static const char text[] = "#!ipxe\nkernel {{v}} quiet\nboot\n";
	struct sip_keydef key = { "v", type };
	struct sip_template *t = NULL;
	struct sip_err err;

	if (sip_template_parse("hostile.ipxe", SIP_TEMPLATE_IPXE, text, sizeof(text) - 1, &key, 1,
	    &t, &err) != SIP_OK)
		return NULL;
	return t;
}

int
main(void)
{
	struct sip_template *t[SIP_T__MAX];
	struct sip_err err;
	struct sip_buf out;
	struct sip_kv kv;
	char value[600];
	size_t i, j, k, nhostile = 0, leaked = 0;
	int type;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		is_int(sip_value_check(vectors[i].type, vectors[i].value) == SIP_OK,
		    vectors[i].good, "%s '%s' %s", sip_type_name(vectors[i].type),
		    vectors[i].value, vectors[i].good ? "accepted" : "refused");

	for (type = 0; type < SIP_T__MAX; type++)
		if ((t[type] = one_key_template((enum sip_type)type)) == NULL)
			return ok(0, "template for %s", sip_type_name((enum sip_type)type)), done_testing();

	/* Every hostile value, under every type, is refused and renders nothing. */
	for (i = 0; i < sizeof(hostile_cores) / sizeof(hostile_cores[0]); i++) {
		for (j = 0; j < sizeof(hostile_wrappers) / sizeof(hostile_wrappers[0]); j++) {
			snprintf(value, sizeof(value), "%s%s%s", hostile_wrappers[j][0],
			    hostile_cores[i], hostile_wrappers[j][1]);
			nhostile++;
			for (type = 0; type < SIP_T__MAX; type++) {
				sip_buf_init(&out);
				kv.key = UNCONST("v");
				kv.value = value;
				/* A line may hold it: its kind refuses it in a script. */
				if ((type != SIP_T_LINE &&
				    sip_value_check((enum sip_type)type, value) == SIP_OK) ||
				    sip_template_render(t[type], &kv, 1, &out, &err) != SIP_EINVAL ||
				    out.len != 0) {
					leaked++;
					ok(0, "hostile value %zu leaked as %s", nhostile,
					    sip_type_name((enum sip_type)type));
				}
				sip_buf_free(&out);
			}
		}
	}
	/* Over-long values: 256 safe bytes, refused by every type. */
	memset(value, 'a', 256);
	value[256] = '\0';
	nhostile++;
	for (type = 0; type < SIP_T__MAX; type++)
		if (sip_value_check((enum sip_type)type, value) == SIP_OK)
			leaked++;
	/* Every single byte outside the safe set, alone and inside a word. */
	for (k = 1; k < 256; k++) {
		if (strchr(SIP_SAFE_CHARS, (int)k) != NULL)
			continue;
		snprintf(value, sizeof(value), "ab%cd", (int)k);
		nhostile++;
		for (type = 0; type < SIP_T__MAX; type++) {
			kv.key = UNCONST("v");
			kv.value = value;
			sip_buf_init(&out);
			if ((type != SIP_T_LINE &&
			    sip_value_check((enum sip_type)type, value) == SIP_OK) ||
			    sip_template_render(t[type], &kv, 1, &out, &err) !=
			    SIP_EINVAL || out.len != 0)
				leaked++;
			sip_buf_free(&out);
		}
	}
	ok(nhostile >= 200, "%zu hostile values tried", nhostile);
	is_int(leaked, 0, "no hostile value reached a script");

	for (type = 0; type < SIP_T__MAX; type++)
		sip_template_free(t[type]);
	return done_testing();
}
