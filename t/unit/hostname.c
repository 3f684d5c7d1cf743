/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Table vectors for the host name label a machine's directory name must be, and Windows' computer name made from it. */
#include <stdio.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"
#include "hostile.h"

static const struct {
	const char	*in;
	const char	*label;		/* NULL: must be refused */
} labels[] = {
	{ "pc-0004", "pc-0004" },
	{ "PC-0004", "pc-0004" },
	{ "Salle12-Poste3", "salle12-poste3" },
	{ "a", "a" },
	{ "0", "0" },
	{ "42", "42" },
	{ "3com", "3com" },
	{ "a-b--c", "a-b--c" },
	{ "xn--bcher-kva", "xn--bcher-kva" },
	/* 63 bytes, the most a label has */
	{ "abcdefghij0123456789abcdefghij0123456789abcdefghij0123456789abc",
	  "abcdefghij0123456789abcdefghij0123456789abcdefghij0123456789abc" },
	{ "abcdefghij0123456789abcdefghij0123456789abcdefghij0123456789abcd", NULL },
	{ "", NULL },
	{ "-pc", NULL },
	{ "pc-", NULL },
	{ "-", NULL },
	{ "pc.salle", NULL },		/* a name, not a label */
	{ "pc_0004", NULL },
	{ "pc 0004", NULL },
	{ "pc-0004$", NULL },		/* the Samba account's uid */
	{ "pc\\x0a", NULL },		/* sip_ldap_printable's escape */
	{ "\xc3\xa9t\xc3\xa9", NULL },
	{ "pc\xc4\xb1", NULL },		/* dotless i: no case folding to 'i' */
	{ "\xef\xbc\xa1", NULL },		/* fullwidth A */
};

static const struct {
	const char	*host, *fallback;
	const char	*name;
} computernames[] = {
	{ "pc-0004", NULL, "pc-0004" },
	{ "PC-0004", NULL, "pc-0004" },
	{ "pc-020000000004", NULL, "pc-020000000004" },	/* 15 */
	{ "salle-informatique-3", NULL, "salle-informati" },
	{ "salle-techno-----3", NULL, "salle-techno" },	/* cut, then no trailing '-' */
	{ "1234567890123456789", "pc-020000000004", "pc-020000000004" },
	{ "123", "pc-020000000004", "pc-020000000004" },
	{ "123", NULL, "" },
	{ "bad name", "pc-020000000004", "pc-020000000004" },
	{ NULL, "pc-020000000004", "pc-020000000004" },
	{ "", NULL, "" },
	{ "123456789012345a", NULL, "" },		/* digits once cut to 15 */
};

/* Real hashes (openssl passwd, libcrypt) and near misses. */
static const struct {
	const char	*hash;
	int		 ok;
} hashes[] = {
	{ "$6$se3salt0123$gEokPe5cLAdVoiRF2/Pq.vPnIMH4vAt0zKXkHUXDMD4IGAJsEZjctI1GikY1ydvwy/0s8yS8ZuRmMcxAjZe9V1", 1 },
	{ "$6$dGL83PIl6W6cPAbo$gTJ5qeqKRcS/amkgyO8AqZeJEzxJWMLk9le/Wsu/gp6n3VkM9kAPhHEJuB62oB7Qc4A9kYrji1CJvjMHmxlLM.", 1 },
	{ "$5$abcdefgh$qdvcTv0LZNZdlT5oJZ49o5SQ8X7bA9/X.MJjvjS5cW8", 1 },
	{ "$y$j9T$abcdefghijklmnop$HeD/28W9Wh4qqVzzKCjm0dBgJwyvmv2o7q.Sg.c.iN3", 1 },
	{ "$y$j9T$JBUtiXKyDKeDefG8jprRC1$6auMXYlgbO64BSAsHiZoS1E.BQvOSgMqArqRXEqqtw.", 1 },
	{ "$2b$10$abcdefghijklmnopqrstuu6UePkggCriVQW8wJ2JvumNrPYdiDuQu", 1 },
	{ "", 0 },
	{ "!", 0 },			/* a locked account, not a hash */
	{ "*", 0 },
	{ "test-password", 0 },
	{ "$1$abcdefgh$Xr1bOYUXmYd7sRFSVUe6a0", 0 },	/* MD5: too weak */
	{ "abQ9KY.KfrYrc", 0 },		/* DES */
	{ "$6$rounds=5000$se3salt0123$gEokPe5cLAdVoiRF2/Pq.vPnIMH4vAt0zKXkHUXDMD4IGAJsEZjctI1GikY1ydvwy/0s8yS8ZuRmMcxAjZe9V1", 0 },
	{ "$6$se3salt0123$gEokPe5cLAdVoiRF2/Pq.vPnIMH4vAt0zKXkHUXDMD4IGAJsEZjctI1GikY1ydvwy/0s8yS8ZuRmMcxAjZe9V", 0 },	/* 85 */
	{ "$6$se3salt0123$gEokPe5cLAdVoiRF2/Pq.vPnIMH4vAt0zKXkHUXDMD4IGAJsEZjctI1GikY1ydvwy/0s8yS8ZuRmMcxAjZe9V1x", 0 },
	{ "$6$$gEokPe5cLAdVoiRF2/Pq.vPnIMH4vAt0zKXkHUXDMD4IGAJsEZjctI1GikY1ydvwy/0s8yS8ZuRmMcxAjZe9V1", 0 },	/* no salt */
	{ "$6$se3salt0123456789$gEokPe5cLAdVoiRF2/Pq.vPnIMH4vAt0zKXkHUXDMD4IGAJsEZjctI1GikY1ydvwy/0s8yS8ZuRmMcxAjZe9V1", 0 },	/* salt 19 */
	{ "$6$se3salt0123$gEokPe5cLAdVoiRF2/Pq.vPnIMH4vAt0zKXkHUXDMD4IGAJsEZjctI1GikY1ydvwy/0s8yS8ZuRmMcxAjZe9V1\n", 0 },
	{ "$6$se3salt0123$gEokPe5cLAdVoiRF2/Pq.vPnIMH4vAt0zKXkHUXDMD4IGAJsEZjctI1GikY1ydvwy/0s8yS8ZuRm;reboot;e9V1", 0 },
	{ "$6$se3salt0123$gEokPe5cLAdVoiRF2/Pq.vPnIMH4vAt0zKXkHUXDMD4IGAJsEZjctI1GikY1ydvwy/0s8yS8ZuRm`id`AjZe9V1", 0 },
	{ " $6$se3salt0123$gEokPe5cLAdVoiRF2/Pq.vPnIMH4vAt0zKXkHUXDMD4IGAJsEZjctI1GikY1ydvwy/0s8yS8ZuRmMcxAjZe9V1", 0 },
	{ "$5$abcdefgh$qdvcTv0LZNZdlT5oJZ49o5SQ8X7bA9/X.MJjvjS5cW8a", 0 },
	{ "$5$abcdefgh$qdvcTv0LZNZdlT5oJZ49o5SQ8X7bA9/X.MJjvjS5cW", 0 },
	{ "$y$j9T$abcdefghijklmnop$HeD/28W9Wh4qqVzzKCjm0dBgJwyvmv2o7q.Sg.c.iN", 0 },
	{ "$y$j9T$$HeD/28W9Wh4qqVzzKCjm0dBgJwyvmv2o7q.Sg.c.iN3", 0 },
	{ "$y$$abcdefghijklmnop$HeD/28W9Wh4qqVzzKCjm0dBgJwyvmv2o7q.Sg.c.iN3", 0 },
	{ "$y$j9T$abcdefghijklmnop$HeD/28W9Wh4qqVzzKCjm0dBgJwyvmv2o7q.Sg.c.iN3$", 0 },
	{ "$2b$10$abcdefghijklmnopqrstuu6UePkggCriVQW8wJ2JvumNrPYdiDuQ", 0 },
	{ "$2b$1$abcdefghijklmnopqrstuu6UePkggCriVQW8wJ2JvumNrPYdiDuQu", 0 },
	{ "$2b$03$abcdefghijklmnopqrstuu6UePkggCriVQW8wJ2JvumNrPYdiDuQu", 0 },
	{ "$2b$32$abcdefghijklmnopqrstuu6UePkggCriVQW8wJ2JvumNrPYdiDuQu", 0 },
	{ "$2a$10$abcdefghijklmnopqrstuu6UePkggCriVQW8wJ2JvumNrPYdiDuQu", 0 },
	{ "$7$abcdefgh$qdvcTv0LZNZdlT5oJZ49o5SQ8X7bA9/X.MJjvjS5cW8", 0 },
	{ "$6$", 0 },
	{ "$y$", 0 },
	{ "$2b$", 0 },
};

/* Where a crypt(3) hash may stand in a preseed file. */
static const struct {
	const char	*text;
	int		 ok;
} places[] = {
	{ "d-i passwd/user-password-crypted password {{pw}}\n", 1 },
	{ "d-i passwd/root-password-crypted password {{pw}}", 1 },
	{ "# c\nd-i passwd/user-password-crypted password {{pw}}\nd-i x/y string z\n", 1 },
	{ "d-i passwd/user-password-crypted string {{pw}}\n", 0 },	/* not password */
	{ "d-i passwd/user-password-crypted password {{pw}} x\n", 0 },	/* not alone */
	{ "d-i passwd/user-password-crypted password x{{pw}}\n", 0 },
	{ "d-i preseed/late_command string echo {{pw}}\n", 0 },
	{ "d-i preseed/late_command string \\\n    password {{pw}}\n", 0 },
	{ "d-i preseed/late_command string \\\nd-i a/b password {{pw}}\n", 0 },	/* continued */
	{ "d-i  a/b password {{pw}}\n", 0 },
	{ "d-i a/b password {{pw}}\nd-i c/d string {{pw}}\n", 0 },	/* once elsewhere */
};

int
main(void)
{
	char out[SIP_HOSTNAME_STRLEN], cn[SIP_COMPUTERNAME_STRLEN], v[512];
	size_t i, j, nhostile = 0, passed = 0;
	enum sip_rc rc;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		memset(out, 'x', sizeof(out));
		rc = sip_hostname_label(labels[i].in, out);
		if (labels[i].label == NULL) {
			is_int(rc, SIP_EINVAL, "label: refuse '%s'", labels[i].in);
			is_str(out, "", "label: nothing kept of '%s'", labels[i].in);
			continue;
		}
		is_int(rc, SIP_OK, "label: accept '%s'", labels[i].in);
		is_str(out, labels[i].label, "label: '%s' as '%s'", labels[i].in,
		    labels[i].label);
	}
	is_int(sip_hostname_label(NULL, out), SIP_EINVAL, "label: refuse NULL");

	/* Every hostile value, in every wrapper, is no label. */
	for (i = 0; i < sizeof(hostile_cores) / sizeof(hostile_cores[0]); i++)
		for (j = 0; j < sizeof(hostile_wrappers) / sizeof(hostile_wrappers[0]); j++) {
			snprintf(v, sizeof(v), "%s%s%s", hostile_wrappers[j][0],
			    hostile_cores[i], hostile_wrappers[j][1]);
			nhostile++;
			if (sip_hostname_label(v, out) == SIP_OK || out[0] != '\0')
				passed++;
		}
	is_int(passed, 0, "label: none of the %zu hostile values passes", nhostile);

	for (i = 0; i < sizeof(computernames) / sizeof(computernames[0]); i++) {
		memset(cn, 'x', sizeof(cn));
		sip_computername(computernames[i].host, computernames[i].fallback, cn);
		is_str(cn, computernames[i].name, "computername of '%s' (fallback %s)",
		    computernames[i].host != NULL ? computernames[i].host : "(null)",
		    computernames[i].fallback != NULL ? computernames[i].fallback : "none");
		ok(strlen(cn) <= 15, "computername of '%s': at most 15 bytes",
		    computernames[i].host != NULL ? computernames[i].host : "(null)");
	}
	for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		is_int(sip_crypt_shape_check(hashes[i].hash),
		    hashes[i].ok ? SIP_OK : SIP_EINVAL, "crypt shape: %s %.24s...",
		    hashes[i].ok ? "accept" : "refuse", hashes[i].hash);
	is_int(sip_crypt_shape_check(NULL), SIP_EINVAL, "crypt shape: refuse NULL");
	passed = 0;
	for (i = 0; i < sizeof(hostile_cores) / sizeof(hostile_cores[0]); i++)
		for (j = 0; j < sizeof(hostile_wrappers) / sizeof(hostile_wrappers[0]); j++) {
			snprintf(v, sizeof(v), "%s%s%s", hashes[0].hash,
			    hostile_cores[i], hostile_wrappers[j][1]);
			if (sip_crypt_shape_check(v) == SIP_OK)
				passed++;
			snprintf(v, sizeof(v), "%.40s%s%s", hashes[0].hash,
			    hostile_cores[i], hashes[0].hash + 40);
			if (sip_crypt_shape_check(v) == SIP_OK)
				passed++;
		}
	is_int(passed, 0, "crypt shape: a real hash with any hostile value inside or after is refused");
	for (i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		struct sip_keydef key = { "pw", SIP_T_SECRET };
		struct sip_kv sec = { UNCONST("pw"), UNCONST(hashes[0].hash) };
		struct sip_template *t = NULL;
		struct sip_err err = { "" };
		struct sip_buf b;

		if (sip_template_parse("p.cfg", SIP_TEMPLATE_PRESEED, places[i].text,
		    strlen(places[i].text), &key, 1, &t, &err) != SIP_OK) {
			ok(0, "preseed place %zu: loads: %s", i, err.msg);
			continue;
		}
		sip_buf_init(&b);
		rc = sip_template_render_secret(t, NULL, 0, &sec, 1, &b, &err);
		is_int(rc, places[i].ok ? SIP_OK : SIP_EINVAL, "preseed place %zu: a hash %s",
		    i, places[i].ok ? "rendered" : "refused");
		ok(places[i].ok ? b.len > 0 && strstr(b.data, hashes[0].hash) != NULL :
		    b.len == 0, "preseed place %zu: %s", i,
		    places[i].ok ? "written whole" : "nothing written");
		is_int(sip_template_secret_ok(t, "pw", hashes[0].hash), places[i].ok,
		    "preseed place %zu: set-action's check agrees", i);
		/* Anything else with a '$' stays refused even on a password line. */
		sec.value = UNCONST("$6$x$y;reboot");
		is_int(sip_template_render_secret(t, NULL, 0, &sec, 1, &b, &err) ==
		    SIP_OK, 0, "preseed place %zu: a '$' that is no hash refused", i);
		sip_buf_free(&b);
		sip_template_free(t);
	}
	return done_testing();
}
