/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of delegation: the login whitelist, the RFC 4514 escaper, the delegations table, rights without a directory. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

static char tmpdir[] = "/tmp/se3ipxe-rights.XXXXXX";

static const struct {
	const char	*login;
	int		 valid;
} logins[] = {
	{ "prof1", 1 },
	{ "admin", 1 },
	{ "jean.dupont", 1 },
	{ "j_dupont-2", 1 },
	{ "_svc", 1 },
	{ "A", 1 },
	{ "0123456789012345678901234567890123456789012345678901234567890123", 1 },
	{ "01234567890123456789012345678901234567890123456789012345678901234", 0 },
	{ "", 0 },
	{ "-rf", 0 },
	{ ".hidden", 0 },
	{ "a)(uid=*", 0 },
	{ "x,ou=People", 0 },
	{ "prof1\n", 0 },
	{ "prof1\nadmin", 0 },
	{ "a b", 0 },
	{ "a*", 0 },
	{ "a\\2a", 0 },
	{ "uid=admin", 0 },
	{ "a+b", 0 },
	{ "a;b", 0 },
	{ "a\"b", 0 },
	{ "a#b", 0 },
	{ "caf\xc3\xa9", 0 },
	{ "${x}", 0 },
};

static void
test_logins(void)
{
	size_t i;

	for (i = 0; i < SIP_ARRAY_SIZE(logins); i++)
		is_int(sip_login_check(logins[i].login) == SIP_OK,
		    logins[i].valid, "login '%s': %s", logins[i].login,
		    logins[i].valid ? "taken" : "refused");
}

static const struct {
	const char	*in;
	const char	*out;
} dn_escapes[] = {
	{ "prof1", "prof1" },
	{ "jean.dupont", "jean.dupont" },
	{ "x,ou=People", "x\\2cou\\3dPeople" },
	{ "a+b", "a\\2bb" },
	{ "a;b", "a\\3bb" },
	{ "<a>", "\\3ca\\3e" },
	{ "a\"b", "a\\22b" },
	{ "a\\b", "a\\5cb" },
	{ "#a", "\\23a" },
	{ "a#", "a#" },
	{ " a", "\\20a" },
	{ "a ", "a\\20" },
	{ "a b", "a b" },
	{ " ", "\\20" },
	{ "a\nb", "a\\0ab" },
	{ "a)(uid=*", "a)(uid\\3d*" },
	{ "caf\xc3\xa9", "caf\\c3\\a9" },
	{ "", "" },
};

static void
test_dn_escape(void)
{
	char buf[64];
	size_t i, n;

	for (i = 0; i < SIP_ARRAY_SIZE(dn_escapes); i++) {
		n = sip_rights_dn_escape(dn_escapes[i].in, buf, sizeof(buf));
		is_str(buf, dn_escapes[i].out, "DN value '%s'",
		    dn_escapes[i].in);
		is_int(n, strlen(dn_escapes[i].out), "its length");
	}
	n = sip_rights_dn_escape(",,,,", buf, 7);
	is_int(n, 12, "cut short: the length it needs");
	is_str(buf, "\\2c\\2c", "cut short: whole escapes only");
	is_int(sip_rights_dn_escape("a,b", NULL, 0), 5, "size only");
}

/* Rights that need no directory: root's, and the refusals before any. */
static void
test_rights_nodir(void)
{
	struct sip_config cfg;
	struct sip_rights r;
	struct sip_err e = { "" };
	struct sip_targets t = { NULL, NULL, 0, 0, NULL, NULL };
	const char *args[] = { "52:54:00:00:00:01" };
	char big[301];

	if (!ok(sip_config_defaults(&cfg) == SIP_OK, "config defaults"))
		return;
	is_int(sip_rights_load(&cfg, NULL, NULL, NULL, &r, &e), SIP_OK,
	    "no login: root");
	ok(r.all && strcmp(r.login, "root") == 0, "root acts on everything");
	ok(sip_rights_may_see_parc(&r, "salle-03"), "and sees every parc");
	is_int(sip_targets_resolve(NULL, NULL, args, 1, &t, &e), SIP_OK,
	    "a MAC target");
	is_int(sip_rights_check(&r, &t, &e), SIP_OK, "root may act on it");
	sip_rights_free(&r);
	is_int(sip_rights_load(&cfg, NULL, NULL, "root", &r, &e),
	    SIP_ECONFIG, "a login named root is a login: checked in LDAP, "
	    "none here");

	is_int(sip_rights_load(&cfg, NULL, NULL, "prof1", &r, &e),
	    SIP_ECONFIG, "prof1 without [ldap] uri: refused");
	ok(strstr(e.msg, "prof1") != NULL && strstr(e.msg, "[ldap] uri"),
	    "the error names the login and what is missing: %s", e.msg);
	ok(r.login == NULL && !r.all, "nothing left to free");

	/* A closed port: the whitelist refuses before any connection. */
	free(cfg.ldap_uri);
	cfg.ldap_uri = strdup("ldap://127.0.0.1:1/");
	free(cfg.ldap_base);
	cfg.ldap_base = strdup("dc=se3,dc=test");
	is_int(sip_rights_load(&cfg, NULL, NULL, "a)(uid=*", &r, &e),
	    SIP_EINVAL, "login a)(uid=*: refused by the whitelist");
	ok(strstr(e.msg, "not an SE3 login") != NULL, "said so: %s", e.msg);
	is_int(sip_rights_load(&cfg, NULL, NULL, "x,ou=People", &r, &e),
	    SIP_EINVAL, "login x,ou=People: refused");
	is_int(sip_rights_load(&cfg, NULL, NULL, "prof1\nadmin", &r, &e),
	    SIP_EINVAL, "a login with a newline: refused");
	ok(strchr(e.msg, '\n') == NULL, "the message stays one line: %s",
	    e.msg);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	is_int(sip_rights_load(&cfg, NULL, NULL, big, &r, &e), SIP_EINVAL,
	    "a login of 300 bytes: refused");
	is_int(sip_rights_load(&cfg, NULL, NULL, "prof1", &r, &e), SIP_EIO,
	    "prof1 with the directory down: one error");
	ok(strstr(e.msg, "rights of prof1") != NULL &&
	    strstr(e.msg, "127.0.0.1:1") != NULL,
	    "naming the login and the server: %s", e.msg);
	sip_targets_free(&t);
	sip_config_free(&cfg);
}

static void
test_store(void)
{
	struct sip_err e = { "" };
	struct sip_store *st = NULL;
	struct sip_delegation *d = NULL;
	enum sip_level had;
	size_t n = 0;
	char path[sizeof(tmpdir) + 16];

	snprintf(path, sizeof(path), "%s/deleg.db", tmpdir);
	if (!ok(sip_store_open(path, SIP_STORE_RW, 1000, &st, &e) == SIP_OK,
	    "open a new database: %s", e.msg))
		return;
	is_int(sip_store_delegate(st, "prof1", "salle-03", SIP_LEVEL_MANAGE,
	    "root", 1000, &had, &e), SIP_OK, "delegate prof1 salle-03 manage");
	is_int(had, SIP_LEVEL__MAX, "it had none");
	is_int(sip_store_delegate(st, "prof1", "profs", SIP_LEVEL_VIEW,
	    "root", 1001, NULL, &e), SIP_OK, "delegate prof1 profs view");
	is_int(sip_store_delegate(st, "PROF1", "SALLE-03", SIP_LEVEL_VIEW,
	    "admin", 1002, &had, &e), SIP_OK,
	    "the same again in capitals replaces it");
	is_int(had, SIP_LEVEL_MANAGE, "it had manage");
	is_int(sip_store_delegate(st, "prof2", "salle-04", SIP_LEVEL_MANAGE,
	    "root", 1003, NULL, &e), SIP_OK, "delegate prof2 salle-04");
	is_int(sip_store_delegate(st, "a)(uid=*", "salle-04",
	    SIP_LEVEL_MANAGE, "root", 1003, NULL, &e), SIP_EINVAL,
	    "a hostile login is refused");
	ok(strstr(e.msg, "not a login") != NULL, "and named: %s", e.msg);
	is_int(sip_store_delegate(st, "prof2", "salle 04", SIP_LEVEL_MANAGE,
	    "root", 1003, NULL, &e), SIP_EINVAL, "a hostile parc is refused");
	ok(strstr(e.msg, "not a parc name") != NULL, "and named: %s", e.msg);

	is_int(sip_store_delegations(st, NULL, &d, &n, &e), SIP_OK,
	    "list all");
	is_int(n, 3, "three delegations");
	if (n == 3) {
		is_str(d[0].parc, "profs", "sorted by login, then parc, "
		    "without case");
		is_str(d[1].login, "PROF1", "the login as last written");
		is_str(d[1].parc, "SALLE-03", "the parc as last written");
		is_int(d[1].level, SIP_LEVEL_VIEW, "the level replaced");
		is_str(d[1].set_by, "admin", "set_by");
		is_int(d[1].set_at, 1002, "set_at");
		is_str(d[2].login, "prof2", "third");
	}
	sip_delegations_free(d, n);
	is_int(sip_store_delegations(st, "Prof1", &d, &n, &e), SIP_OK,
	    "list one login");
	is_int(n, 2, "its two delegations, whatever the case");
	sip_delegations_free(d, n);

	is_int(sip_store_undelegate(st, "prof1", "salle-03", &e), SIP_OK,
	    "undelegate");
	is_int(sip_store_undelegate(st, "prof1", "salle-03", &e),
	    SIP_ENOTFOUND, "undelegate again: not found");
	ok(strstr(e.msg, "prof1") != NULL && strstr(e.msg, "salle-03") != NULL,
	    "the error names both: %s", e.msg);
	is_int(sip_store_undelegate(st, "x,ou=People", "salle-03", &e),
	    SIP_EINVAL, "undelegate a hostile login: refused");
	is_int(sip_store_delegations(st, NULL, &d, &n, &e), SIP_OK,
	    "list all again");
	is_int(n, 2, "two left");
	sip_delegations_free(d, n);
	sip_store_close(st);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp failed\n");
		return 1;
	}
	test_logins();
	test_dn_escape();
	test_rights_nodir();
	test_store();
	is_str(sip_level_name(SIP_LEVEL_MANAGE), "manage", "level names");
	tap_rmtree(tmpdir);
	return done_testing();
}
