/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of delegation: the login whitelist and the delegations table. */
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
	test_store();
	is_str(sip_level_name(SIP_LEVEL_MANAGE), "manage", "level names");
	tap_rmtree(tmpdir);
	return done_testing();
}
