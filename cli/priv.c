/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Who runs se3-ipxe, for the history, and the drop from root to the owner of the database directory. */

#include <sys/stat.h>
#include <sys/types.h>

#include <err.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "cli.h"

/* A login name fit for the history: [A-Za-z0-9._-], 1..32, no leading '-'. */
static int
name_valid(const char *s)
{
	size_t n;

	n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-");
	return n > 0 && n <= 32 && s[n] == '\0' && s[0] != '-';
}


/*
 * Who does this, the one place that says it: the acting login whose
 * rights are checked (--user, else $SUDO_USER unless it is root, else
 * root), and the name the history records (that login, else the login
 * name, or "uid N").
 */
void
who_init(struct ctx *ctx)
{
	const char *s;
	struct passwd *pw;

	ctx->login[0] = '\0';
	ctx->login_bad = 0;
	s = getenv("SUDO_USER");
	if (ctx->user != NULL)
		snprintf(ctx->login, sizeof(ctx->login), "%s", ctx->user);
	else if (s != NULL && *s != '\0' && strcmp(s, "root") != 0) {
		if (sip_login_check(s) == SIP_OK)
			snprintf(ctx->login, sizeof(ctx->login), "%s", s);
		else
			ctx->login_bad = 1;
	}
	if (ctx->login[0] != '\0')
		snprintf(ctx->who, sizeof(ctx->who), "%s", ctx->login);
	else if (s != NULL && name_valid(s))
		snprintf(ctx->who, sizeof(ctx->who), "%s", s);
	else if ((pw = getpwuid(getuid())) != NULL && name_valid(pw->pw_name))
		snprintf(ctx->who, sizeof(ctx->who), "%s", pw->pw_name);
	else
		snprintf(ctx->who, sizeof(ctx->who), "uid %lu",
		    (unsigned long)getuid());
}

/*
 * Started as root, become the owner of the database directory (when that
 * is not root) before the database is opened, so that the files SQLite
 * creates (the database, its journal) stay writable by the web server user
 * that runs ipxe.cgi.
 */
int
drop_privileges(const struct ctx *ctx)
{
	struct passwd *pw;
	struct stat sb;
	char *copy, *dir;
	uid_t uid;
	gid_t gid;
	int rv = -1;

	if (geteuid() != 0)
		return 0;
	if ((copy = strdup(ctx->cfg.db_path)) == NULL)
		err(1, NULL);
	dir = dirname(copy);
	if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode) || sb.st_uid == 0) {
		rv = 0;
		goto out;
	}
	uid = sb.st_uid;
	gid = (pw = getpwuid(uid)) != NULL ? pw->pw_gid : sb.st_gid;
	if (setgroups(1, &gid) == -1) {
		warn("setgroups %lu", (unsigned long)gid);
		goto out;
	}
	if (setgid(gid) == -1) {
		warn("setgid %lu", (unsigned long)gid);
		goto out;
	}
	if (setuid(uid) == -1) {
		warn("setuid %lu", (unsigned long)uid);
		goto out;
	}
	if (setuid(0) != -1 || geteuid() != uid || getegid() != gid) {
		warnx("could not drop privileges to uid %lu",
		    (unsigned long)uid);
		goto out;
	}
	rv = 0;
 out:
	free(copy);
	return rv;
}
