/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Table vectors for console.cgi's defences: HMAC-SHA256 (RFC 4231), the CSRF token, the Origin check, the form parser, Accept-Language, the escapes of each context, the pattern translation. */
#include <sys/stat.h>

#include <string.h>
#include <time.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

static const struct {
	const char	*key;
	size_t		 klen;
	const char	*msg;
	const char	*want;
} hmacs[] = {
	{ "key", 3, "The quick brown fox jumps over the lazy dog",
	    "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8" },
	/* RFC 4231 test case 1 */
	{ "\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b"
	    "\x0b\x0b\x0b\x0b", 20, "Hi There",
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
	{ "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", 32, "console 1\nadmin\n1000",
	    "2f20944f6aaa88e29203233fabd9b5d751356a71cc22f41c18b1de88b64725b8" },
};

static const struct {
	const char	*origin, *referer, *host;
	int		 https;
	enum sip_rc	 want;
} origins[] = {
	{ "http://127.0.0.1:8080", NULL, "127.0.0.1:8080", 0, SIP_OK },
	{ "HTTP://SE3.lan", NULL, "se3.lan", 0, SIP_OK },
	{ "https://se3.lan", NULL, "se3.lan", 1, SIP_OK },
	{ "http://se3.lan", NULL, "se3.lan", 1, SIP_EDENIED },	/* scheme */
	{ "https://se3.lan", NULL, "se3.lan", 0, SIP_EDENIED },
	{ "http://evil.example", NULL, "se3.lan", 0, SIP_EDENIED },
	{ "http://se3.lan.evil.example", NULL, "se3.lan", 0, SIP_EDENIED },
	{ "http://se3.lan:8080", NULL, "se3.lan", 0, SIP_EDENIED },
	{ "http://se3.lan:80801", NULL, "se3.lan:8080", 0, SIP_EDENIED },
	{ "http://se3.lan/", NULL, "se3.lan", 0, SIP_EDENIED },	/* Origin has no path */
	{ "null", NULL, "se3.lan", 0, SIP_EDENIED },		/* sandboxed, file: */
	{ "http://evil.example", "http://se3.lan/x", "se3.lan", 0, SIP_EDENIED },
	{ NULL, "http://se3.lan/cgi-bin/console.cgi/?parc=a", "se3.lan", 0,
	    SIP_OK },
	{ "", "http://se3.lan/", "se3.lan", 0, SIP_OK },
	{ NULL, "http://se3.lan.evil.example/", "se3.lan", 0, SIP_EDENIED },
	{ NULL, "http://se3.lan@evil.example/", "se3.lan", 0, SIP_EDENIED },
	{ NULL, NULL, "se3.lan", 0, SIP_EDENIED },		/* neither */
	{ "http://se3.lan", NULL, NULL, 0, SIP_EDENIED },	/* no Host */
	{ "http://se3.lan", NULL, "", 0, SIP_EDENIED },
};

static const struct {
	const char	*body;
	enum sip_rc	 rc;
	size_t		 n;
	const char	*name0, *value0;
} forms[] = {
	{ "", SIP_OK, 0, NULL, NULL },
	{ "a=1", SIP_OK, 1, "a", "1" },
	{ "a=1&&b=2&", SIP_OK, 2, "a", "1" },
	{ "m=52%3A54%3a00", SIP_OK, 1, "m", "52:54:00" },
	{ "o.disk=a+b%2Bc", SIP_OK, 1, "o.disk", "a b+c" },
	{ "flag", SIP_OK, 1, "flag", "" },
	{ "x=caf%C3%A9", SIP_OK, 1, "x", "caf\xc3\xa9" },
	{ "x=%3Cscript%3E", SIP_OK, 1, "x", "<script>" },
	{ "x=a%0Ab", SIP_OK, 1, "x", "a\nb" },
	{ "x=%00", SIP_EINVAL, 0, NULL, NULL },		/* NUL */
	{ "x=%1b", SIP_EINVAL, 0, NULL, NULL },		/* a control */
	{ "x=%ff", SIP_EINVAL, 0, NULL, NULL },		/* not UTF-8 */
	{ "x=%C2%9B", SIP_EINVAL, 0, NULL, NULL },	/* C1 control */
	{ "x=%4", SIP_EINVAL, 0, NULL, NULL },		/* cut escape */
	{ "x=%", SIP_EINVAL, 0, NULL, NULL },
	{ "x=%zz", SIP_EINVAL, 0, NULL, NULL },
	{ "=1", SIP_EINVAL, 0, NULL, NULL },		/* no name */
	{ "A=1", SIP_EINVAL, 0, NULL, NULL },		/* names are lower case */
	{ "a%20b=1", SIP_EINVAL, 0, NULL, NULL },
	{ "a<b=1", SIP_EINVAL, 0, NULL, NULL },
};

static const struct {
	const char	*q, *accept;
	enum sip_lang	 want;
} langs[] = {
	{ NULL, NULL, SIP_LANG_FR },
	{ NULL, "", SIP_LANG_FR },
	{ NULL, "en", SIP_LANG_EN },
	{ NULL, "en-GB,en;q=0.9", SIP_LANG_EN },
	{ NULL, "fr-FR,fr;q=0.9,en;q=0.8", SIP_LANG_FR },
	{ NULL, "de-DE,en;q=0.5,fr;q=0.4", SIP_LANG_EN },
	{ NULL, "de-DE,fr;q=0.5,en;q=0.6", SIP_LANG_EN },
	{ NULL, "en;q=0,fr;q=0.1", SIP_LANG_FR },
	{ NULL, "en;q=0", SIP_LANG_FR },
	{ NULL, "eng,enx", SIP_LANG_FR },	/* not en */
	{ NULL, "de, it", SIP_LANG_FR },
	{ NULL, ",,;;q=,=;", SIP_LANG_FR },
	{ NULL, " EN-us ; Q=0.7 ", SIP_LANG_EN },
	{ "en", "fr", SIP_LANG_EN },
	{ "fr", "en", SIP_LANG_FR },
	{ "de", "en", SIP_LANG_EN },		/* unknown ?lang=: the header */
	{ "<x>", NULL, SIP_LANG_FR },
};

static const struct {
	const char	*in, *html, *json;
} escapes[] = {
	{ "pc-01", "pc-01", "\"pc-01\"" },
	{ "<script>alert(1)</script>", "&#60;script&#62;alert(1)&#60;/script&#62;",
	    "\"<script>alert(1)</script>\"" },
	{ "\" onfocus=\"x", "&#34; onfocus=&#34;x", "\"\\\" onfocus=\\\"x\"" },
	{ "'a'&b", "&#39;a&#39;&#38;b", "\"'a'&b\"" },
	{ "a\\b\nc", "a\\b&#xfffd;c", "\"a\\\\b\\u000ac\"" },
	{ "\xe2\x80\xa8", "\xe2\x80\xa8", "\"\xe2\x80\xa8\"" },
	{ "\xff", "&#xfffd;", "\"\\ufffd\"" },
};

static const struct {
	const char	*ere, *html;
} patterns[] = {
	{ "auto|[a-z][a-z0-9]{1,15}", "auto|[a-z][a-z0-9]{1,15}" },
	{ "[A-Za-z0-9][A-Za-z0-9_-]{0,63}", "[A-Za-z0-9][A-Za-z0-9_\\-]{0,63}" },
	{ "[-a]", "[\\-a]" },
	{ "[^-a]", "[^\\-a]" },
	{ "[a(|)b]", "[a\\(\\|\\)b]" },
	{ "x{2}", "x{2}" },
};

int
main(void)
{
	unsigned char key[SIP_CSRF_KEY_LEN], key2[SIP_CSRF_KEY_LEN];
	char hex[SIP_SHA256_HEX + 1], tok[SIP_CSRF_TOKEN_MAX], bad[128];
	char dir[] = "/tmp/sip-console-XXXXXX", path[256];
	struct sip_err e;
	struct sip_form f;
	struct sip_buf b;
	struct stat sb;
	enum sip_rc rc;
	size_t i;

	for (i = 0; i < sizeof(hmacs) / sizeof(hmacs[0]); i++) {
		sip_hmac_sha256((const unsigned char *)hmacs[i].key,
		    hmacs[i].klen, hmacs[i].msg, strlen(hmacs[i].msg), hex);
		is_str(hex, hmacs[i].want, "HMAC-SHA256 vector %zu", i);
	}
	{
		/* RFC 4231 test case 6: a key longer than a block is hashed first. */
		unsigned char big[131];

		memset(big, 0xaa, sizeof(big));
		sip_hmac_sha256(big, sizeof(big), "Test Using Larger Than "
		    "Block-Size Key - Hash Key First", 54, hex);
		is_str(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
		    "HMAC-SHA256: a 131-byte key");
	}

	/* The CSRF token: made, checked, refused for each way it can be wrong. */
	memset(key, 'k', sizeof(key));
	sip_csrf_token(key, sizeof(key), "admin", 1000, tok);
	is_str(tok, "1000.2f20944f6aaa88e29203233fabd9b5d751356a71cc22f41c18b1de88b64725b8",
	    "token: ISSUED.HMAC(login, issued)");
	is_int(sip_csrf_check(key, sizeof(key), "admin", tok, 1000, &e), SIP_OK,
	    "token: taken at once");
	is_int(sip_csrf_check(key, sizeof(key), "admin", tok, 1000 + SIP_CSRF_TTL,
	    &e), SIP_OK, "token: taken at its last second");
	is_int(sip_csrf_check(key, sizeof(key), "admin", tok,
	    1001 + SIP_CSRF_TTL, &e), SIP_EDENIED, "token: out of date after %d s",
	    SIP_CSRF_TTL);
	ok(strstr(e.msg, "out of date") != NULL, "the refusal says so: %s", e.msg);
	is_int(sip_csrf_check(key, sizeof(key), "admin", tok, 900, &e),
	    SIP_EDENIED, "token: made in the future (a forged ISSUED)");
	is_int(sip_csrf_check(key, sizeof(key), "prof1", tok, 1000, &e),
	    SIP_EDENIED, "token: another login's refused");
	is_int(sip_csrf_check(key, sizeof(key), "Admin", tok, 1000, &e),
	    SIP_EDENIED, "token: the login's case counts");
	memset(key2, 'j', sizeof(key2));
	is_int(sip_csrf_check(key2, sizeof(key2), "admin", tok, 1000, &e),
	    SIP_EDENIED, "token: another server's key refused");
	snprintf(bad, sizeof(bad), "1001.%s", tok + 5);
	is_int(sip_csrf_check(key, sizeof(key), "admin", bad, 1001, &e),
	    SIP_EDENIED, "token: ISSUED changed refused");
	snprintf(bad, sizeof(bad), "%s", tok);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '8' ? '9' : '8';
	is_int(sip_csrf_check(key, sizeof(key), "admin", bad, 1000, &e),
	    SIP_EDENIED, "token: one hex digit changed refused");
	{
		static const char *const malformed[] = {
			"", "1000", "1000.", ".2f20", "x1000.2f20944f6aaa88e29203233fabd9b5d751356a71cc22f41c18b1de88b64725b8",
			"1000.2f20944f6aaa88e29203233fabd9b5d751356a71cc22f41c18b1de88b64725b",
			"1000.2f20944f6aaa88e29203233fabd9b5d751356a71cc22f41c18b1de88b64725b88",
			"99999999999999999999.2f20944f6aaa88e29203233fabd9b5d751356a71cc22f41c18b1de88b64725b8",
			"1e3.2f20944f6aaa88e29203233fabd9b5d751356a71cc22f41c18b1de88b64725b8",
		};

		for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
			is_int(sip_csrf_check(key, sizeof(key), "admin",
			    malformed[i], 1000, &e), SIP_EDENIED,
			    "token: malformed '%s' refused", malformed[i]);
		is_int(sip_csrf_check(key, sizeof(key), "admin", NULL, 1000,
		    &e), SIP_EDENIED, "token: none refused");
	}

	/* The key: made once, 0600, the same afterwards; a readable one refused. */
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/console.key", dir);
	is_int(sip_csrf_key(path, key, &e), SIP_OK, "key: made when missing");
	ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600 &&
	    sb.st_size == SIP_CSRF_KEY_LEN, "key: 32 bytes, mode 0600");
	is_int(sip_csrf_key(path, key2, &e), SIP_OK, "key: read again");
	ok(memcmp(key, key2, sizeof(key)) == 0, "key: the same one");
	chmod(path, 0644);
	is_int(sip_csrf_key(path, key2, &e), SIP_ECONFIG,
	    "key: one that others may read refused");
	unlink(path);
	rmdir(dir);

	for (i = 0; i < sizeof(origins) / sizeof(origins[0]); i++)
		is_int(sip_origin_check(origins[i].origin, origins[i].referer,
		    origins[i].host, origins[i].https, &e), origins[i].want,
		    "origin '%s' referer '%s' host '%s'%s", origins[i].origin ?
		    origins[i].origin : "(none)", origins[i].referer ?
		    origins[i].referer : "(none)", origins[i].host ?
		    origins[i].host : "(none)", origins[i].https ? " https" : "");

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		rc = sip_form_parse(forms[i].body, strlen(forms[i].body), &f,
		    &e);
		is_int(rc, forms[i].rc, "form '%s'", forms[i].body);
		if (rc == SIP_OK) {
			is_int(f.n, forms[i].n, "form '%s': fields",
			    forms[i].body);
			if (forms[i].name0 != NULL && f.n > 0) {
				is_str(f.name[0], forms[i].name0, "form '%s': "
				    "name", forms[i].body);
				is_str(f.value[0], forms[i].value0, "form '%s': "
				    "value", forms[i].body);
			}
		}
		sip_form_free(&f);
	}
	{
		/* Repeated fields in order; bounds on the body and the count. */
		static char big[SIP_FORM_BODY_MAX + 2];

		is_int(sip_form_parse("m=1&m=2&x=3&m=4", 15, &f, &e), SIP_OK,
		    "form: repeated fields");
		is_int(sip_form_count(&f, "m"), 3, "form: three m");
		is_str(sip_form_get(&f, "m"), "1", "form: the first m");
		ok(sip_form_get(&f, "y") == NULL, "form: a missing field is NULL");
		sip_form_free(&f);
		memset(big, 'a', SIP_FORM_BODY_MAX + 1);
		is_int(sip_form_parse(big, SIP_FORM_BODY_MAX + 1, &f, &e),
		    SIP_EINVAL, "form: a body over %d bytes refused",
		    SIP_FORM_BODY_MAX);
		for (i = 0; i + 2 <= SIP_FORM_BODY_MAX; i += 2) {
			big[i] = 'a';
			big[i + 1] = '&';
		}
		is_int(sip_form_parse(big, SIP_FORM_BODY_MAX, &f, &e),
		    SIP_EINVAL, "form: more than %d fields refused",
		    SIP_FORM_FIELDS_MAX);
		is_int(sip_form_parse("a=1%00b", 7, &f, &e), SIP_EINVAL,
		    "form: a NUL in a value refused");
		is_int(sip_form_parse("a=1\0b", 5, &f, &e), SIP_EINVAL,
		    "form: a raw NUL byte refused");
	}

	for (i = 0; i < sizeof(langs) / sizeof(langs[0]); i++)
		is_int(sip_lang_choose(langs[i].q, langs[i].accept),
		    langs[i].want, "lang ?lang=%s Accept-Language '%s'",
		    langs[i].q ? langs[i].q : "(none)", langs[i].accept ?
		    langs[i].accept : "(none)");
	for (i = 0; i < SIP_MSG__MAX; i++)
		ok(strcmp(sip_msg(SIP_LANG_FR, (enum sip_msg)i), "?") != 0 &&
		    strcmp(sip_msg(SIP_LANG_EN, (enum sip_msg)i), "?") != 0 &&
		    strchr(sip_msg(SIP_LANG_FR, (enum sip_msg)i), '%') == NULL,
		    "message %zu in both languages, no format", i);
	is_str(sip_msg(SIP_LANG_FR, SIP_MSG__MAX), "?", "no message past the table");

	/* Every state word the CLI shows has its French; English as it is. */
	{
		const char *const *tabs[] = { sip_state_names,
		    sip_event_names, sip_request_event_names };
		const char *w, *extra[] = { "none", "persistent", "set",
		    "seen", "yes", "no" };
		size_t t, nbad = 0, nwords = 0;

		for (t = 0; t < sizeof(tabs) / sizeof(tabs[0]); t++)
			for (i = 0; tabs[t][i] != NULL; i++, nwords++)
				if (strcmp(tabs[t][i], "menu") != 0 && (strcmp(
				    sip_word(SIP_LANG_FR, tabs[t][i]),
				    tabs[t][i]) == 0 || strcmp(sip_word(
				    SIP_LANG_EN, tabs[t][i]), tabs[t][i]) != 0)) {
					printf("# no French for '%s'\n",
					    tabs[t][i]);
					nbad++;
				}
		for (i = 0; i < SIP_MC__MAX; i++, nwords++)
			nbad += strcmp(sip_word(SIP_LANG_FR,
			    sip_mcast_state_name((enum sip_mcast_state)i)),
			    sip_mcast_state_name((enum sip_mcast_state)i)) == 0;
		for (i = 0; i < SIP_MB__MAX; i++, nwords++)
			nbad += strcmp(sip_word(SIP_LANG_FR,
			    sip_member_state_name((enum sip_member_state)i)),
			    sip_member_state_name((enum sip_member_state)i)) == 0;
		for (i = 1; i < SIP_WAKE__MAX; i++, nwords++)
			nbad += strcmp(sip_word(SIP_LANG_FR,
			    sip_wake_status_name((enum sip_wake_status)i)),
			    sip_wake_status_name((enum sip_wake_status)i)) == 0;
		for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++, nwords++)
			nbad += strcmp(sip_word(SIP_LANG_FR, extra[i]),
			    extra[i]) == 0;
		is_int((long long)nbad, 0, "%zu state words, each in French",
		    nwords);
		is_str(sip_word(SIP_LANG_FR, "pending"), "en attente",
		    "pending: en attente");
		w = sip_word(SIP_LANG_FR, "<script>");
		is_str(w, "<script>", "any other text as it is (escaped by "
		    "its caller)");
		ok(sip_word(SIP_LANG_FR, NULL) == NULL, "NULL stays NULL");
		sip_buf_init(&b);
		sip_words_json(SIP_LANG_EN, &b);
		is_str(b.data, "{}", "English: no words for the script");
		sip_buf_free(&b);
		sip_buf_init(&b);
		ok(sip_words_json(SIP_LANG_FR, &b) == 0 && strncmp(b.data,
		    "{\"scheduled\":\"programm", 22) == 0 &&
		    b.data[b.len - 1] == '}', "French: the words as a JSON "
		    "object: %.40s", b.data);
		sip_buf_free(&b);
	}

	for (i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		sip_buf_init(&b);
		sip_html_escape(&b, escapes[i].in);
		is_str(b.data != NULL ? b.data : "", escapes[i].html,
		    "HTML text and attribute: '%s'", escapes[i].in);
		sip_buf_free(&b);
		sip_buf_init(&b);
		sip_json_str(&b, escapes[i].in);
		is_str(b.data, escapes[i].json, "JSON string: '%s'",
		    escapes[i].in);
		sip_buf_free(&b);
	}
	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		sip_buf_init(&b);
		sip_html_pattern(&b, patterns[i].ere);
		is_str(b.data, patterns[i].html, "pattern '%s'",
		    patterns[i].ere);
		sip_buf_free(&b);
	}
	return done_testing();
}
