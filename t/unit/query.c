/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Table vectors for the query-string decoder and the typed fields of every endpoint ipxe.cgi serves. */
#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

static const struct {
	const char	*in;
	enum sip_rc	 rc;
	size_t		 n;
	const char	*key, *value;	/* one pair to look up */
} vectors[] = {
	{ "mac=52:54:00:12:34:56", SIP_OK, 1, "mac", "52:54:00:12:34:56" },
	{ "mac=52%3A54%3A00%3A12%3A34%3A56", SIP_OK, 1, "mac", "52:54:00:12:34:56" },
	{ "mac=a&platform=efi", SIP_OK, 2, "platform", "efi" },
	{ "product=Standard+PC+(i440FX+%2B+PIIX,+1996)", SIP_OK, 1, "product",
	    "Standard+PC+(i440FX+++PIIX,+1996)" },
	{ "product=Standard%20PC", SIP_OK, 1, "product", "Standard PC" },
	{ "", SIP_OK, 0, "mac", NULL },
	{ "&&&", SIP_OK, 0, "mac", NULL },
	{ "mac", SIP_OK, 1, "mac", "" },
	{ "mac=", SIP_OK, 1, "mac", "" },
	{ "a=1&&b=2", SIP_OK, 2, "b", "2" },
	{ "msg=a=b", SIP_OK, 1, "msg", "a=b" },
	{ "mac=%", SIP_EINVAL, 0, NULL, NULL },
	{ "mac=%4", SIP_EINVAL, 0, NULL, NULL },
	{ "mac=%zz", SIP_EINVAL, 0, NULL, NULL },
	{ "mac=%00", SIP_EINVAL, 0, NULL, NULL },
	{ "mac=a%00b", SIP_EINVAL, 0, NULL, NULL },
	{ "mac=1&mac=2", SIP_EINVAL, 0, NULL, NULL },
	{ "MAC=1", SIP_EINVAL, 0, NULL, NULL },
	{ "=1", SIP_EINVAL, 0, NULL, NULL },
	{ "m-c=1", SIP_EINVAL, 0, NULL, NULL },
	{ "%6dac=1", SIP_OK, 1, "mac", "1" },
	{ "%00=1", SIP_EINVAL, 0, NULL, NULL },
	{ "abcdefghijabcdefghijabcdefghijabc=1", SIP_EINVAL, 0, NULL, NULL },
	{ "msg=%0a", SIP_OK, 1, "msg", "\n" },	/* decoded; fields judge it */
};

#define MAC	"mac=52:54:00:12:34:56"
#define TOK	"0123456789abcdef0123456789abcdef"

/* sip_query_read: one field read back after the endpoint's checks. */
static const struct {
	enum sip_endpoint ep;
	const char	*in;
	enum sip_rc	 rc;
	const char	*key;		/* the field to read back */
	const char	*want;		/* its value, NULL = not set */
	size_t		 ndropped;
} reads[] = {
	/* boot: mac, required, in any of its forms */
	{ SIP_EP_BOOT, MAC, SIP_OK, "mac", "52:54:00:12:34:56", 0 },
	{ SIP_EP_BOOT, "mac=52-54-00-12-34-5A", SIP_OK, "mac", "52:54:00:12:34:5a", 0 },
	{ SIP_EP_BOOT, "mac=5254001234AB", SIP_OK, "mac", "52:54:00:12:34:ab", 0 },
	{ SIP_EP_BOOT, "", SIP_EINVAL, NULL, NULL, 0 },
	{ SIP_EP_BOOT, "mac=", SIP_EINVAL, NULL, NULL, 0 },
	{ SIP_EP_BOOT, "mac=zz:zz:zz:zz:zz:zz", SIP_EINVAL, NULL, NULL, 0 },
	{ SIP_EP_BOOT, "mac=52:54:00:12:34:56%0aexit", SIP_EINVAL, NULL, NULL, 0 },
	{ SIP_EP_BOOT, "platform=efi", SIP_EINVAL, NULL, NULL, 0 },
	{ SIP_EP_BOOT, "mac=%", SIP_EINVAL, NULL, NULL, 0 },
	{ SIP_EP_BOOT, MAC "&mac=52:54:00:12:34:57", SIP_EINVAL, NULL, NULL, 0 },
	/* boot: the optional fields, dropped (and named) when bad */
	{ SIP_EP_BOOT, MAC "&platform=pcbios", SIP_OK, "platform", "pcbios", 0 },
	{ SIP_EP_BOOT, MAC "&platform=efi", SIP_OK, "platform", "efi", 0 },
	{ SIP_EP_BOOT, MAC "&platform=EFI", SIP_OK, "platform", NULL, 1 },
	{ SIP_EP_BOOT, MAC "&platform=${x}", SIP_OK, "platform", NULL, 1 },
	{ SIP_EP_BOOT, MAC "&platform=", SIP_OK, "platform", NULL, 0 },
	{ SIP_EP_BOOT, MAC "&buildarch=i386", SIP_OK, "buildarch", "i386", 0 },
	{ SIP_EP_BOOT, MAC "&buildarch=x86_64", SIP_OK, "buildarch", "x86_64", 0 },
	{ SIP_EP_BOOT, MAC "&buildarch=arm32", SIP_OK, "buildarch", "arm32", 0 },
	{ SIP_EP_BOOT, MAC "&buildarch=arm64", SIP_OK, "buildarch", "arm64", 0 },
	{ SIP_EP_BOOT, MAC "&buildarch=x86_64%0aexit", SIP_OK, "buildarch", NULL, 1 },
	{ SIP_EP_BOOT, MAC "&uuid=11111111-2222-3333-4444-555555555555", SIP_OK,
	    "uuid", "11111111-2222-3333-4444-555555555555", 0 },
	{ SIP_EP_BOOT, MAC "&uuid=%01", SIP_OK, "uuid", NULL, 1 },
	{ SIP_EP_BOOT, MAC "&serial=SN 42", SIP_OK, "serial", "SN 42", 0 },
	{ SIP_EP_BOOT, MAC "&serial=%1b%5b2J", SIP_OK, "serial", NULL, 1 },
	{ SIP_EP_BOOT, MAC "&manufacturer=Dell+Inc.", SIP_OK, "manufacturer",
	    "Dell+Inc.", 0 },
	{ SIP_EP_BOOT, MAC "&manufacturer=caf%c3%a9", SIP_OK, "manufacturer", NULL, 1 },
	{ SIP_EP_BOOT, MAC "&product=Standard+PC+(i440FX+%2B+PIIX,+1996)", SIP_OK,
	    "product", "Standard+PC+(i440FX+++PIIX,+1996)", 0 },
	{ SIP_EP_BOOT, MAC "&product=a%7fb", SIP_OK, "product", NULL, 1 },
	{ SIP_EP_BOOT, MAC "&product="
	    "12345678901234567890123456789012345678901234567890123456789012345",
	    SIP_OK, "product", NULL, 1 },
	{ SIP_EP_BOOT, MAC "&ip=10.0.2.15", SIP_OK, "ip", "10.0.2.15", 0 },
	{ SIP_EP_BOOT, MAC "&ip=1.2.3.999", SIP_OK, "ip", NULL, 1 },
	{ SIP_EP_BOOT, MAC "&ip=10.0.2.15%0a", SIP_OK, "ip", NULL, 1 },
	{ SIP_EP_BOOT, MAC "&platform=x&buildarch=x&uuid=%01&serial=%01"
	    "&manufacturer=%01&product=%01&ip=x", SIP_OK, "mac",
	    "52:54:00:12:34:56", 7 },
	/* boot: keys it does not know are ignored */
	{ SIP_EP_BOOT, MAC "&foo=%01", SIP_OK, "mac", "52:54:00:12:34:56", 0 },
	{ SIP_EP_BOOT, MAC "&token=x&status=y", SIP_OK, "token", NULL, 0 },
	/* report: status first (400), then the token (403) */
	{ SIP_EP_REPORT, "token=" TOK "&status=running", SIP_OK, "status",
	    "running", 0 },
	{ SIP_EP_REPORT, "token=" TOK "&status=done", SIP_OK, "status", "done", 0 },
	{ SIP_EP_REPORT, "token=" TOK "&status=failed", SIP_OK, "status", "failed", 0 },
	{ SIP_EP_REPORT, "token=" TOK "&status=done", SIP_OK, "token", TOK, 0 },
	{ SIP_EP_REPORT, "token=" TOK "&status=Done", SIP_EINVAL, NULL, NULL, 0 },
	{ SIP_EP_REPORT, "token=" TOK "&status=finished", SIP_EINVAL, NULL, NULL, 0 },
	{ SIP_EP_REPORT, "token=" TOK, SIP_EINVAL, NULL, NULL, 0 },
	{ SIP_EP_REPORT, "token=" TOK "&status=", SIP_EINVAL, NULL, NULL, 0 },
	{ SIP_EP_REPORT, "status=bogus", SIP_EINVAL, NULL, NULL, 0 },
	{ SIP_EP_REPORT, "status=done", SIP_EDENIED, NULL, NULL, 0 },
	{ SIP_EP_REPORT, "token=&status=done", SIP_EDENIED, NULL, NULL, 0 },
	{ SIP_EP_REPORT, "token=0123456789ABCDEF0123456789ABCDEF&status=done",
	    SIP_EDENIED, NULL, NULL, 0 },
	{ SIP_EP_REPORT, "token=" TOK "0&status=done", SIP_EDENIED, NULL, NULL, 0 },
	{ SIP_EP_REPORT, "token=0123456789abcdef0123456789abcde&status=done",
	    SIP_EDENIED, NULL, NULL, 0 },
	{ SIP_EP_REPORT, "token=0123456789abcdef0123456789abcdeg&status=done",
	    SIP_EDENIED, NULL, NULL, 0 },
	{ SIP_EP_REPORT, "token=" TOK "&status=done", SIP_OK, "progress", NULL, 0 },
	{ SIP_EP_REPORT, "token=" TOK "&status=done&progress=", SIP_OK, "progress",
	    NULL, 0 },
	{ SIP_EP_REPORT, "token=" TOK "&status=done&progress=0", SIP_OK, "progress",
	    "0", 0 },
	{ SIP_EP_REPORT, "token=" TOK "&status=done&progress=007", SIP_OK,
	    "progress", "7", 0 },
	{ SIP_EP_REPORT, "token=" TOK "&status=done&progress=100", SIP_OK,
	    "progress", "100", 0 },
	{ SIP_EP_REPORT, "token=" TOK "&status=done&progress=101", SIP_EINVAL,
	    NULL, NULL, 0 },
	{ SIP_EP_REPORT, "token=" TOK "&status=done&progress=-1", SIP_EINVAL,
	    NULL, NULL, 0 },
	{ SIP_EP_REPORT, "token=" TOK "&status=done&progress=4x", SIP_EINVAL,
	    NULL, NULL, 0 },
	{ SIP_EP_REPORT, "token=" TOK "&status=done&progress=0100", SIP_EINVAL,
	    NULL, NULL, 0 },
	{ SIP_EP_REPORT, "token=" TOK "&status=done&msg=partitioning+sda", SIP_OK,
	    "msg", "partitioning+sda", 0 },
	{ SIP_EP_REPORT, "token=" TOK "&status=done&msg=caf%c3%a9", SIP_OK,
	    "msg", "caf\xc3\xa9", 0 },
	{ SIP_EP_REPORT, "token=" TOK "&status=done&msg=", SIP_OK, "msg", NULL, 0 },
	{ SIP_EP_REPORT, "token=" TOK "&status=done&msg=a%0ab", SIP_EINVAL,
	    NULL, NULL, 0 },
	{ SIP_EP_REPORT, "token=" TOK "&status=done&msg=a%7f", SIP_EINVAL,
	    NULL, NULL, 0 },
	{ SIP_EP_REPORT, "token=" TOK "&status=done&mac=zz&foo=1", SIP_OK,
	    "mac", NULL, 0 },
	/* file: the token, nothing else */
	{ SIP_EP_FILE, "token=" TOK, SIP_OK, "token", TOK, 0 },
	{ SIP_EP_FILE, "", SIP_EDENIED, NULL, NULL, 0 },
	{ SIP_EP_FILE, "token=", SIP_EDENIED, NULL, NULL, 0 },
	{ SIP_EP_FILE, "token=xyz", SIP_EDENIED, NULL, NULL, 0 },
	{ SIP_EP_FILE, "token=" TOK "&token=" TOK, SIP_EINVAL, NULL, NULL, 0 },
	{ SIP_EP_FILE, "token=" TOK "&status=bogus&msg=%01", SIP_OK, "status",
	    NULL, 0 },
	/* status.cgi: parc, optional, a word (LDAP's printable cn) */
	{ SIP_EP_STATUS, "", SIP_OK, "parc", NULL, 0 },
	{ SIP_EP_STATUS, "parc=salle-12", SIP_OK, "parc", "salle-12", 0 },
	{ SIP_EP_STATUS, "parc=", SIP_OK, "parc", NULL, 0 },
	{ SIP_EP_STATUS, "parc=%3Cb%3E", SIP_EINVAL, NULL, NULL, 0 },
	{ SIP_EP_STATUS, "parc=a%0Ab", SIP_EINVAL, NULL, NULL, 0 },
	{ SIP_EP_STATUS, "parc=a+b", SIP_EINVAL, NULL, NULL, 0 },
	{ SIP_EP_STATUS, "token=" TOK "&parc=x", SIP_OK, "token", NULL, 0 },
	{ SIP_EP_BOOT, MAC "&parc=x", SIP_OK, "parc", NULL, 0 },
};

/* A report's msg, byte for byte: UTF-8 without controls, or refused with the reason. */
static const struct mvec {
	const char	*msg;
	enum sip_rc	 rc;
	const char	*why;		/* in the message when refused */
} mvecs[] = {
	{ "partitioning sda", SIP_OK, NULL },
	{ "caf\xc3\xa9", SIP_OK, NULL },			/* U+00E9 */
	{ "\xc2\xa0nbsp", SIP_OK, NULL },			/* U+00A0, past C1 */
	{ "\xe2\x82\xac 5", SIP_OK, NULL },		/* U+20AC */
	{ "\xef\xbf\xbd", SIP_OK, NULL },			/* U+FFFD */
	{ "\xf0\x9f\x92\xbe disk", SIP_OK, NULL },	/* U+1F4BE */
	{ "\xf4\x8f\xbf\xbf", SIP_OK, NULL },		/* U+10FFFF */
	{ "\xed\x9f\xbf", SIP_OK, NULL },			/* U+D7FF */
	{ "\xee\x80\x80", SIP_OK, NULL },			/* U+E000 */
	{ "caf\xe9", SIP_EINVAL, "not UTF-8 at byte 4 (0xe9)" },	/* Latin-1 */
	{ "\xff", SIP_EINVAL, "not UTF-8 at byte 1 (0xff)" },
	{ "\xfe\xff", SIP_EINVAL, "not UTF-8 at byte 1" },
	{ "a\x80", SIP_EINVAL, "not UTF-8 at byte 2 (0x80)" },	/* lone continuation */
	{ "\xc0\xaf", SIP_EINVAL, "not UTF-8 at byte 1 (0xc0)" },	/* overlong '/' */
	{ "\xc1\xbf", SIP_EINVAL, "not UTF-8" },		/* overlong */
	{ "\xe0\x80\xaf", SIP_EINVAL, "not UTF-8" },	/* overlong, 3 bytes */
	{ "\xf0\x80\x80\xaf", SIP_EINVAL, "not UTF-8" },	/* overlong, 4 bytes */
	{ "\xed\xa0\x80", SIP_EINVAL, "not UTF-8" },	/* U+D800 */
	{ "\xed\xbf\xbf", SIP_EINVAL, "not UTF-8" },	/* U+DFFF */
	{ "\xf4\x90\x80\x80", SIP_EINVAL, "not UTF-8" },	/* U+110000 */
	{ "\xf8\x88\x80\x80\x80", SIP_EINVAL, "not UTF-8" },	/* 5 bytes */
	{ "ok \xe2\x82", SIP_EINVAL, "not UTF-8 at byte 4" },	/* truncated */
	{ "\xc3", SIP_EINVAL, "not UTF-8" },
	{ "a\tb", SIP_EINVAL, "control character (U+0009 at byte 2)" },
	{ "a\nb", SIP_EINVAL, "control character (U+000A" },
	{ "\x1b[2J", SIP_EINVAL, "control character (U+001B at byte 1)" },
	{ "a\x7f", SIP_EINVAL, "control character (U+007F" },
	{ "\xc2\x80", SIP_EINVAL, "control character (U+0080" },	/* C1 */
	{ "x\xc2\x9b" "2J", SIP_EINVAL, "control character (U+009B at byte 2)" },	/* CSI */
};

/* A field of a read query as a string, NULL when not set. */
static const char *
field_of(const struct sip_query *q, const char *key, char *buf, size_t sz)
{
	if (strcmp(key, "mac") == 0)
		return q->req.mac[0] != '\0' ? q->req.mac : NULL;
	if (strcmp(key, "platform") == 0)
		return q->req.platform;
	if (strcmp(key, "buildarch") == 0)
		return q->req.buildarch;
	if (strcmp(key, "uuid") == 0)
		return q->req.uuid;
	if (strcmp(key, "serial") == 0)
		return q->req.serial;
	if (strcmp(key, "manufacturer") == 0)
		return q->req.manufacturer;
	if (strcmp(key, "product") == 0)
		return q->req.product;
	if (strcmp(key, "ip") == 0)
		return q->req.ip;
	if (strcmp(key, "token") == 0)
		return q->token;
	if (strcmp(key, "msg") == 0)
		return q->msg;
	if (strcmp(key, "parc") == 0)
		return q->parc;
	if (strcmp(key, "status") == 0)
		return q->event == SIP_EV_RUNNING ? "running" :
		    q->event == SIP_EV_DONE ? "done" :
		    q->event == SIP_EV_FAILED ? "failed" : NULL;
	if (strcmp(key, "progress") == 0) {
		if (q->progress < 0)
			return NULL;
		snprintf(buf, sz, "%d", q->progress);
		return buf;
	}
	return "?";
}

static const struct {
	const char	*in;
	const char	*want;
} addrs[] = {
	{ "127.0.0.1", "127.0.0.1" },
	{ "10.20.30.40", "10.20.30.40" },
	{ "::1", "::1" },
	{ "2001:db8::7", "2001:db8::7" },
	{ "::ffff:10.0.0.1", "::ffff:10.0.0.1" },
	{ NULL, "-" },
	{ "", "-" },
	{ "localhost", "-" },
	{ "1.2.3", "-" },
	{ "1.2.3.4.5", "-" },
	{ "1.2.3.4 ", "-" },
	{ "1.2.3.4\nipxe.cgi: forged", "-" },
	{ "fe80::1%eth0", "-" },
	{ "1111:2222:3333:4444:5555:6666:7777:8888:9999", "-" },
	{ "0000:0000:0000:0000:0000:ffff:255.255.255.255x", "-" },
};

static void
test_reads(void)
{
	struct sip_query q;
	struct sip_err err;
	const char *got;
	char buf[32], big[2048];
	size_t i, j, k;
	enum sip_rc rc;

	for (i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		err.msg[0] = '\0';
		rc = sip_query_read(reads[i].ep, reads[i].in, &q, &err);
		is_int(rc, reads[i].rc, "endpoint %d '%s' -> %s", (int)reads[i].ep,
		    reads[i].in, sip_strerror(reads[i].rc));
		if (rc != SIP_OK) {
			ok(err.msg[0] != '\0' && strchr(err.msg, '\n') == NULL,
			    "one-line message: %s", err.msg);
			ok(strstr(err.msg, TOK) == NULL, "no token in the message");
			sip_query_free(&q);
			continue;
		}
		got = field_of(&q, reads[i].key, buf, sizeof(buf));
		is_str(got, reads[i].want, "'%s': %s", reads[i].in, reads[i].key);
		is_int(q.ndropped, reads[i].ndropped, "'%s': %zu dropped",
		    reads[i].in, reads[i].ndropped);
		for (j = 0; j < q.ndropped; j++)
			ok(strstr(q.dropped[j].msg, ", ignored") != NULL &&
			    strchr(q.dropped[j].msg, '\n') == NULL,
			    "dropped, one line: %s", q.dropped[j].msg);
		sip_query_free(&q);
	}

	/* msg: 256 bytes are taken, 257 are not. */
	snprintf(big, sizeof(big), "token=" TOK "&status=done&msg=");
	j = strlen(big);
	memset(big + j, 'a', 257);
	big[j + 257] = '\0';
	is_int(sip_query_read(SIP_EP_REPORT, big, &q, &err), SIP_EINVAL,
	    "a 257-byte msg is refused");
	sip_query_free(&q);
	big[j + 256] = '\0';
	is_int(sip_query_read(SIP_EP_REPORT, big, &q, &err), SIP_OK,
	    "a 256-byte msg is taken");
	is_int(strlen(q.msg), 256, "... whole");
	sip_query_free(&q);
	is_int(sip_report_msg_check("", &err), SIP_OK, "an empty msg is a msg");
	for (j = 0; j < SIP_ARRAY_SIZE(mvecs); j++) {
		err.msg[0] = '\0';
		is_int(sip_report_msg_check(mvecs[j].msg, &err), mvecs[j].rc,
		    "msg vector %zu: rc", j);
		if (mvecs[j].why != NULL)
			ok(strncmp(err.msg, "msg: ", 5) == 0 &&
			    strstr(err.msg, mvecs[j].why) != NULL &&
			    strchr(err.msg, '\n') == NULL,
			    "msg vector %zu: one line naming the field and "
			    "why: %s", j, err.msg);
	}
	/* The same through the query: percent-decoded, then judged. */
	is_int(sip_query_read(SIP_EP_REPORT, "token=" TOK "&status=done&"
	    "msg=caf%e9", &q, &err), SIP_EINVAL, "query: Latin-1 msg refused");
	is_str(err.msg, "msg: not UTF-8 at byte 4 (0xe9)", "... naming why");
	sip_query_free(&q);
	is_int(sip_query_read(SIP_EP_REPORT, "token=" TOK "&status=done&"
	    "msg=%ed%a0%80", &q, &err), SIP_EINVAL, "query: surrogate refused");
	sip_query_free(&q);
	/* 256 bytes of UTF-8 are taken: 128 two-byte characters. */
	snprintf(big, sizeof(big), "token=" TOK "&status=done&msg=");
	for (k = 0; k < 128; k++)
		strcat(big, "%c3%a9");
	is_int(sip_query_read(SIP_EP_REPORT, big, &q, &err), SIP_OK,
	    "128 x U+00E9 (256 bytes): taken");
	sip_query_free(&q);
	strcat(big, "a");
	is_int(sip_query_read(SIP_EP_REPORT, big, &q, &err), SIP_EINVAL,
	    "257 bytes of UTF-8: refused");
	is_str(err.msg, "msg: longer than 256 bytes", "... naming the bound");
	sip_query_free(&q);
	is_int(sip_token_check(TOK), SIP_OK, "a token");
	is_int(sip_token_check(NULL), SIP_EINVAL, "no token");
}

static void
test_origin(void)
{
	struct sip_request req;
	size_t i;

	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
		is_str(sip_remote_addr(addrs[i].in), addrs[i].want,
		    "REMOTE_ADDR '%s'", addrs[i].in ? addrs[i].in : "(unset)");
	memset(&req, 0, sizeof(req));
	sip_request_origin(&req, "127.0.0.1:8080", "/cgi-bin/ipxe.cgi");
	is_str(req.host, "127.0.0.1:8080", "a host is kept");
	is_str(req.script_name, "/cgi-bin/ipxe.cgi", "with its script name");
	sip_request_origin(&req, "evil host/x", NULL);
	is_str(req.host, NULL, "a host that is not one is dropped");
	sip_request_origin(&req, NULL, NULL);
	is_str(req.host, NULL, "no host");
}

int
main(void)
{
	struct sip_kv *kv;
	struct sip_err err;
	char big[8192];
	size_t i, n;
	enum sip_rc rc;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		err.msg[0] = '\0';
		rc = sip_query_parse(vectors[i].in, &kv, &n, &err);
		is_int(rc, vectors[i].rc, "'%s' -> %s", vectors[i].in,
		    sip_strerror(vectors[i].rc));
		if (rc != SIP_OK) {
			ok(err.msg[0] != '\0' && strchr(err.msg, '\n') == NULL,
			    "one-line message: %s", err.msg);
			continue;
		}
		is_int(n, vectors[i].n, "'%s' has %zu pairs", vectors[i].in,
		    vectors[i].n);
		is_str(sip_kv_get(kv, n, vectors[i].key), vectors[i].value,
		    "'%s': %s", vectors[i].in, vectors[i].key);
		sip_kv_free(kv, n);
	}

	/* 33 parameters: one too many. */
	big[0] = '\0';
	for (i = 0; i < 33; i++)
		snprintf(big + strlen(big), sizeof(big) - strlen(big), "k%zu=1&", i);
	is_int(sip_query_parse(big, &kv, &n, &err), SIP_EINVAL, "33 parameters refused");
	/* A value longer than the longest field (an inventory): too long. */
	memcpy(big, "msg=", 4);
	memset(big + 4, 'a', SIP_INVENTORY_MAX + 1);
	big[4 + SIP_INVENTORY_MAX + 1] = '\0';
	is_int(sip_query_parse(big, &kv, &n, &err), SIP_EINVAL, "4097-byte value refused");
	big[4 + SIP_INVENTORY_MAX] = '\0';
	is_int(sip_query_parse(big, &kv, &n, &err), SIP_OK, "4096-byte value accepted");
	sip_kv_free(kv, n);
	test_reads();
	test_origin();
	return done_testing();
}
