/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Template kinds: what each refuses, how each escapes, where a YAML or XML placeholder may stand, and hostile values through every kind. */
#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

/* What each kind does with a value: refused (NULL out) or written as out. */
static const struct {
	enum sip_template_kind	 kind;
	const char		*value;
	const char		*out;		/* NULL: refused */
	const char		*why;		/* part of the reason, or NULL */
} write_vectors[] = {
	{ SIP_TEMPLATE_IPXE, "pc-01", "pc-01", NULL },
	{ SIP_TEMPLATE_IPXE, "a b", NULL, "a blank cannot be written in an ipxe" },
	{ SIP_TEMPLATE_IPXE, "a\"b", NULL, "'\"' cannot be written in an ipxe" },
	{ SIP_TEMPLATE_FILE, "http://se3/x", "http://se3/x", NULL },
	{ SIP_TEMPLATE_FILE, "\xc3\xa9", NULL, "a byte above 0x7e cannot be written in a text" },
	{ SIP_TEMPLATE_CMDLINE, "a=b", "a=b", NULL },
	{ SIP_TEMPLATE_CMDLINE, "a b", NULL, "a blank cannot be written in a cmdline" },
	{ SIP_TEMPLATE_CMDLINE, "a'b", NULL, "'''" },
	{ SIP_TEMPLATE_PRESEED, "\xc3\x89l\xc3\xa8ve Dupont", "\xc3\x89l\xc3\xa8ve Dupont", NULL },
	{ SIP_TEMPLATE_PRESEED, "D'Artagnan", NULL, "''' cannot be written in a preseed file" },
	{ SIP_TEMPLATE_PRESEED, "a;reboot", NULL, "';'" },
	{ SIP_TEMPLATE_PRESEED, "$(id)", NULL, "'$'" },
	{ SIP_TEMPLATE_PRESEED, "`id`", NULL, "'`'" },
	{ SIP_TEMPLATE_PRESEED, "a\\", NULL, "'\\'" },
	{ SIP_TEMPLATE_PRESEED, "-rf", NULL, "starting with '-'" },
	{ SIP_TEMPLATE_PRESEED, "a-b", "a-b", NULL },
	{ SIP_TEMPLATE_SH, "/dev/sda1", "/dev/sda1", NULL },
	{ SIP_TEMPLATE_SH, "a|b", NULL, "'|' cannot be written in a sh file" },
	{ SIP_TEMPLATE_SH, "*", NULL, "'*'" },
	{ SIP_TEMPLATE_SH, "--x", NULL, "starting with '-'" },
	{ SIP_TEMPLATE_YAML, "a \"b\" \\c", "a \\\"b\\\" \\\\c", NULL },
	{ SIP_TEMPLATE_YAML, "yes", "yes", NULL },
	{ SIP_TEMPLATE_YAML, "#: - & * ! | > ' % @ `", "#: - & * ! | > ' % @ `", NULL },
	{ SIP_TEMPLATE_XML, "a<b>&\"c'", "a&lt;b&gt;&amp;&quot;c&apos;", NULL },
	{ SIP_TEMPLATE_XML, "]]>", "]]&gt;", NULL },
	{ SIP_TEMPLATE_XML, "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9", NULL },
	{ SIP_TEMPLATE_INI, "C:/Windows/x.exe a=b", "C:/Windows/x.exe a=b", NULL },
	{ SIP_TEMPLATE_INI, "a;b", NULL, "';' cannot be written in an ini file" },
	{ SIP_TEMPLATE_INI, "[x]", NULL, "'['" },
	{ SIP_TEMPLATE_INI, "%PATH%", NULL, "'%'" },
	{ SIP_TEMPLATE_CMD, "Salle 12", "Salle 12", NULL },
	{ SIP_TEMPLATE_CMD, "a&b", NULL, "'&' cannot be written in a cmd file" },
	{ SIP_TEMPLATE_CMD, "%x%", NULL, "'%'" },
	{ SIP_TEMPLATE_CMD, "a^", NULL, "'^'" },
	{ SIP_TEMPLATE_CMD, "!x!", NULL, "'!'" },
};

/* Where a placeholder may stand, per kind ("t.k" names the template). */
static const struct {
	enum sip_template_kind	 kind;
	const char		*text;
	const char		*msg;		/* NULL: loads */
} place_vectors[] = {
	{ SIP_TEMPLATE_YAML, "hostname: \"{{v}}\"\n", NULL },
	{ SIP_TEMPLATE_YAML, "url: \"http://{{v}}/x\"\n", NULL },
	{ SIP_TEMPLATE_YAML, "a: \"x\\\"{{v}}\"\n", NULL },
	{ SIP_TEMPLATE_YAML, "- \"{{v}}\"\n- \"{{v}}\"\n", NULL },
	{ SIP_TEMPLATE_YAML, "hostname: {{v}}\n", "t.k:1: a placeholder in a yaml template must be inside \"...\" on one line" },
	{ SIP_TEMPLATE_YAML, "a: '{{v}}'\n", "t.k:1: a placeholder in a yaml template must be inside \"...\" on one line" },
	{ SIP_TEMPLATE_YAML, "a: \"x\" {{v}}\n", "t.k:1: a placeholder in a yaml template must be inside \"...\" on one line" },
	{ SIP_TEMPLATE_YAML, "a: \"x\nb {{v}}\"\n", "t.k:2: a placeholder in a yaml template must be inside \"...\" on one line" },
	{ SIP_TEMPLATE_YAML, "a: \"\\{{v}}\"\n", "t.k:1: a placeholder in a yaml template may not follow a backslash" },
	{ SIP_TEMPLATE_YAML, "a: \"\\\\{{v}}\"\n", NULL },
	{ SIP_TEMPLATE_YAML, "a: '\"' {{v}}\n", "t.k:1: a placeholder in a yaml template must be inside \"...\" on one line" },
	{ SIP_TEMPLATE_XML, "<a>{{v}}</a>\n", NULL },
	{ SIP_TEMPLATE_XML, "<a b=\"{{v}}\" c='{{v}}'>x {{v}}</a>\n", NULL },
	{ SIP_TEMPLATE_XML, "<!-- x -->\n<a>{{v}}</a>\n", NULL },
	{ SIP_TEMPLATE_XML, "<![CDATA[ <a> ]]> {{v}}\n", NULL },
	{ SIP_TEMPLATE_XML, "<a b={{v}}>\n", "t.k:1: a placeholder in an xml tag must be inside a quoted attribute value" },
	{ SIP_TEMPLATE_XML, "<a {{v}}>\n", "t.k:1: a placeholder in an xml tag must be inside a quoted attribute value" },
	{ SIP_TEMPLATE_XML, "<{{v}}>\n", "t.k:1: a placeholder in an xml tag must be inside a quoted attribute value" },
	{ SIP_TEMPLATE_XML, "<a b=\"x\" {{v}}>\n", "t.k:1: a placeholder in an xml tag must be inside a quoted attribute value" },
	{ SIP_TEMPLATE_XML, "<!-- {{v}} -->\n", "t.k:1: a placeholder in an xml template may not be in a comment or a CDATA section" },
	{ SIP_TEMPLATE_XML, "<![CDATA[ {{v}} ]]>\n", "t.k:1: a placeholder in an xml template may not be in a comment or a CDATA section" },
	{ SIP_TEMPLATE_XML, "x <!--\n\n a {{v}} -->\n", "t.k:3: a placeholder in an xml template may not be in a comment or a CDATA section" },
	{ SIP_TEMPLATE_INI, "[x]\nk = {{v}}\n", NULL },
	{ SIP_TEMPLATE_INI, "{{v}} = k\n", "t.k:1: a placeholder may not start a line" },
	{ SIP_TEMPLATE_PRESEED, "d-i passwd/user-fullname string {{v}}\n", NULL },
	{ SIP_TEMPLATE_SH, "X='{{v}}'\n", NULL },
	{ SIP_TEMPLATE_CMD, "net use Z: {{v}}\r\n", NULL },
};

/* The hostile values of t/unit/value.c, and some aimed at the kinds. */
static const char *const hostile[] = {
	" ", "\t", "\n", "\r", "\r\n", "\v", "\f", "\\", "${", "$", "{", "}",
	"#", "&&", "||", "&", "|", ";", "\"", "'", "`", "<", ">", "(", ")",
	"*", "?", "!", "[", "]", "^", "\x7f", "\x01", "\x1b[2J", "\xc3\xa9",
	"\xef\xbb\xbf", "\xff", "${net0/mac}", "x || shell", "\nshell\n", "a\\",
	"\n:label", "$(reboot)", "`reboot`", "a; reboot", "a\" b: \"c", "\\\"",
	"]]>", "<!--", "-->", "</a><b>", "&amp;", "&#x3c;", "%COMSPEC%", "a^&b",
	"!x!", "\n[section]", "k=v\nk2=v2", "\xe2\x80\xa8", "\xc2\x85",
	"d-i\nd-i preseed/late_command string reboot", "\"; reboot; \"",
	"' || reboot || '", "-o", "--help",
};

/*
 * What a rendered line must look like for the value to have stayed a
 * value: one line, and for the escaping kinds no unescaped delimiter.
 */
static int
stayed_a_value(enum sip_template_kind kind, const char *tmpl, const char *out)
{
	const char *p;
	int quotes = 0, lines = 0;

	for (p = tmpl; *p != '\0'; p++)
		lines += *p == '\n';
	for (p = out; *p != '\0'; p++)
		lines -= *p == '\n';
	if (lines != 0 || strchr(out, '\r') != NULL)
		return 0;
	switch (kind) {
	case SIP_TEMPLATE_YAML:
		/* k: "...": the two quotes of the template, none of the value. */
		for (p = out; *p != '\0'; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '"')
				quotes++;
		}
		return quotes == 2;
	case SIP_TEMPLATE_XML:
		/* <k a="...">...</k>: four tag brackets, two quotes. */
		for (p = out; *p != '\0'; p++)
			quotes += *p == '<' || *p == '>' || *p == '"' ||
			    *p == '\'';
		return quotes == 6;
	default:
		return 1;
	}
}

static const char *const kind_texts[SIP_TEMPLATE__MAX] = {
	"#!ipxe\nkernel x v={{v}}\n",
	"a {{v}}\n",
	"quiet v={{v}}\n",
	"d-i passwd/user-fullname string {{v}}\n",
	"echo {{v}}\n",
	"k: \"{{v}}\"\n",
	"<k a=\"{{v}}\">{{v}}</k>\n",
	"k = {{v}}\n",
	"echo {{v}}\n",
};

int
main(void)
{
	struct sip_keydef key = { "v", SIP_T_LINE };
	struct sip_template *t;
	struct sip_err err;
	struct sip_buf out;
	struct sip_kv kv = { UNCONST("v"), NULL };
	enum sip_template_kind kind;
	char why[128], text[256], value[300];
	size_t i, tried = 0, leaked = 0;
	enum sip_rc rc;
	int k;

	for (k = 0; k < SIP_TEMPLATE__MAX; k++) {
		is_int(sip_template_kind_parse(sip_template_kind_name(
		    (enum sip_template_kind)k), &kind), SIP_OK, "kind %s named",
		    sip_template_kind_name((enum sip_template_kind)k));
		is_int((int)kind, k, "kind %d read back", k);
	}
	is_int(sip_template_kind_parse("json", &kind), SIP_EINVAL,
	    "an unknown kind is refused");

	for (i = 0; i < sizeof(write_vectors) / sizeof(write_vectors[0]); i++) {
		kind = write_vectors[i].kind;
		why[0] = '\0';
		rc = sip_template_kind_check(kind, write_vectors[i].value, why,
		    sizeof(why));
		is_int(rc, write_vectors[i].out ? SIP_OK : SIP_EINVAL,
		    "%s '%s' %s", sip_template_kind_name(kind),
		    write_vectors[i].value, write_vectors[i].out ? "taken" : "refused");
		if (write_vectors[i].why != NULL)
			ok(strstr(why, write_vectors[i].why) != NULL,
			    "%s '%s': says %s (%s)", sip_template_kind_name(kind),
			    write_vectors[i].value, write_vectors[i].why, why);
		/* The same through a template: "[{{v}}]". */
		snprintf(text, sizeof(text), "%s[%s{{v}}%s]\n",
		    kind == SIP_TEMPLATE_IPXE ? "#!ipxe\n" : "",
		    kind == SIP_TEMPLATE_YAML ? "\"" : "",
		    kind == SIP_TEMPLATE_YAML ? "\"" : "");
		if (sip_template_parse("t.k", kind, text, strlen(text), &key, 1,
		    &t, &err) != SIP_OK) {
			ok(0, "vector %zu: template loads: %s", i, err.msg);
			continue;
		}
		sip_buf_init(&out);
		kv.value = UNCONST(write_vectors[i].value);
		rc = sip_template_render(t, &kv, 1, &out, &err);
		if (write_vectors[i].out == NULL) {
			is_int(rc, SIP_EINVAL, "vector %zu: render refused", i);
			is_int((int)out.len, 0, "vector %zu: nothing written", i);
		} else {
			snprintf(value, sizeof(value), "%s[%s%s%s]\n",
			    kind == SIP_TEMPLATE_IPXE ? "#!ipxe\n" : "",
			    kind == SIP_TEMPLATE_YAML ? "\"" : "",
			    write_vectors[i].out,
			    kind == SIP_TEMPLATE_YAML ? "\"" : "");
			is_str(out.data ? out.data : "", value,
			    "vector %zu: rendered", i);
		}
		sip_buf_free(&out);
		sip_template_free(t);
	}

	for (i = 0; i < sizeof(place_vectors) / sizeof(place_vectors[0]); i++) {
		err.msg[0] = '\0';
		rc = sip_template_parse("t.k", place_vectors[i].kind,
		    place_vectors[i].text, strlen(place_vectors[i].text), &key,
		    1, &t, &err);
		is_int(rc, place_vectors[i].msg ? SIP_EMODULE : SIP_OK,
		    "place %zu (%s)", i, sip_template_kind_name(place_vectors[i].kind));
		if (place_vectors[i].msg != NULL)
			is_str(err.msg, place_vectors[i].msg, "place %zu: said", i);
		sip_template_free(t);
	}

	/* Every hostile value, alone and in a word, through every kind. */
	for (k = 0; k < SIP_TEMPLATE__MAX; k++) {
		kind = (enum sip_template_kind)k;
		if (sip_template_parse("h.k", kind, kind_texts[k],
		    strlen(kind_texts[k]), &key, 1, &t, &err) != SIP_OK) {
			ok(0, "hostile template %s: %s", sip_template_kind_name(kind),
			    err.msg);
			continue;
		}
		for (i = 0; i < 3 * (sizeof(hostile) / sizeof(hostile[0])); i++) {
			snprintf(value, sizeof(value), "%s%s%s",
			    i % 3 == 1 ? "a" : "", hostile[i / 3],
			    i % 3 == 2 ? "b" : "");
			kv.value = value;
			sip_buf_init(&out);
			tried++;
			rc = sip_template_render(t, &kv, 1, &out, &err);
			if (rc == SIP_OK ? !stayed_a_value(kind, kind_texts[k], out.data) ||
			    (!sip_template_kind_escapes(kind) &&
			    strspn(value, SIP_SAFE_CHARS) != strlen(value)) :
			    out.len != 0) {
				leaked++;
				ok(0, "%s: hostile '%s' leaked: %s",
				    sip_template_kind_name(kind), value,
				    out.data ? out.data : "");
			}
			sip_buf_free(&out);
		}
		sip_template_free(t);
	}
	ok(tried >= 200, "%zu hostile renders tried", tried);
	is_int((int)leaked, 0, "no hostile value left its place in any kind");
	return done_testing();
}
