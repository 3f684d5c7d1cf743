/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Table vectors for the JSON writer: escapes, invalid UTF-8, long strings, members. */
#include "se3ipxe.h"
#include "tap.h"

static const struct {
	const char	*in;
	const char	*want;
} vectors[] = {
	{ "", "\"\"" },
	{ "plain", "\"plain\"" },
	{ "say \"hi\"", "\"say \\\"hi\\\"\"" },
	{ "back\\slash", "\"back\\\\slash\"" },
	{ "a\nb\tc\rd", "\"a\\u000ab\\u0009c\\u000dd\"" },
	{ "\x01\x1f", "\"\\u0001\\u001f\"" },
	{ "\x1b[2J", "\"\\u001b[2J\"" },			/* terminal escape */
	{ "del\x7f", "\"del\\u007f\"" },
	{ "c1 \xc2\x9b", "\"c1 \\u009b\"" },			/* U+009B CSI */
	{ "\xc2\xa0nbsp", "\"\xc2\xa0nbsp\"" },			/* U+00A0 kept */
	{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },			/* é */
	{ "\xe2\x82\xac", "\"\xe2\x82\xac\"" },			/* € */
	{ "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"" },		/* U+1F600 */
	{ "/", "\"/\"" },					/* no need to escape */
	{ "\xff", "\"\\ufffd\"" },				/* never UTF-8 */
	{ "\xc3", "\"\\ufffd\"" },				/* truncated at the end */
	{ "\xc3(", "\"\\ufffd(\"" },				/* bad continuation */
	{ "\xc0\xaf", "\"\\ufffd\\ufffd\"" },			/* overlong '/' */
	{ "\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"" },	/* overlong, 3 bytes */
	{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },	/* surrogate D800 */
	{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" }, /* > U+10FFFF */
	{ "\x80x", "\"\\ufffdx\"" },				/* lone continuation */
	{ "\xe2\x82", "\"\\ufffd\\ufffd\"" },			/* truncated € */
};

/* One string 100 000 bytes long, with a quote at each end: nothing is cut. */
static void
long_string(void)
{
	struct sip_buf b;
	char *in;
	size_t n = 100000, i;
	int good = 1;

	if ((in = malloc(n + 1)) == NULL)
		abort();
	for (i = 0; i < n; i++)
		in[i] = (char)('a' + i % 26);
	in[0] = in[n - 1] = '"';
	in[n] = '\0';
	sip_buf_init(&b);
	sip_json_str(&b, in);
	is_int(b.len, n + 4, "long string: every byte and two escapes");
	good = b.len == n + 4 && memcmp(b.data, "\"\\\"", 3) == 0 &&
	    memcmp(b.data + 3, in + 1, n - 2) == 0 &&
	    memcmp(b.data + n + 1, "\\\"\"", 3) == 0;
	ok(good, "long string: content intact");
	sip_buf_free(&b);
	free(in);
}

int
main(void)
{
	static const char *const list[] = { "a", "b\"", NULL };
	struct sip_buf b;
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		sip_buf_init(&b);
		sip_json_str(&b, vectors[i].in);
		ok(!b.failed, "vector %zu: no failure", i);
		is_str(b.data, vectors[i].want, "vector %zu", i);
		sip_buf_free(&b);
	}

	sip_buf_init(&b);
	sip_json_str(&b, NULL);
	is_str(b.data, "null", "NULL is null");
	sip_buf_free(&b);

	sip_buf_init(&b);
	sip_buf_puts(&b, "{\"id\":1");
	sip_json_kstr(&b, "name", "x\"y");
	sip_json_kstr(&b, "none", NULL);
	sip_json_kint(&b, "n", -42);
	sip_json_kint(&b, "big", 9223372036854775807LL);
	sip_json_kbool(&b, "t", 1);
	sip_json_kbool(&b, "f", 0);
	sip_json_knull(&b, "z");
	sip_buf_puts(&b, ",\"l\":");
	sip_json_strings(&b, list, 5);
	sip_buf_puts(&b, ",\"e\":");
	sip_json_strings(&b, NULL, 0);
	sip_buf_puts(&b, ",\"two\":");
	sip_json_strings(&b, list, 1);
	sip_buf_puts(&b, "}");
	is_str(b.data, "{\"id\":1,\"name\":\"x\\\"y\",\"none\":null,\"n\":-42,"
	    "\"big\":9223372036854775807,\"t\":true,\"f\":false,\"z\":null,"
	    "\"l\":[\"a\",\"b\\\"\"],\"e\":[],\"two\":[\"a\"]}", "members");
	sip_buf_free(&b);

	long_string();
	return done_testing();
}
