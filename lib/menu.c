/* SPDX-License-Identifier: GPL-3.0-or-later */
/* menu:maintenance: the server checks the technician's password, then serves the tools menu or the tool chosen. */
#include <sys/stat.h>

#include <sys/random.h>

#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

/*
 * The tools a technician may start from the menu, in menu order.  Only
 * these: a capability chosen at the machine runs with its defaults, so
 * one that needs an option, or that erases a disk, is never started from
 * here (set-action does that, with its checks).
 */
static const struct menu_tool {
	const char	*action;	/* module:capability */
	const char	*label;		/* iPXE label: [a-z_] */
	const char	*key;		/* its key in the menu */
	const char	*text;		/* what the menu shows */
} menu_tools[] = {
	{ "memtest:run", "tool_memtest", "1", "Memory test (memtest86+)" },
	{ "sysrescue:rescue", "tool_sysrescue", "2", "SystemRescue" },
	{ "clonezilla:save", "tool_clonezilla_save", "3",
	    "Clonezilla: save the disk" },
};

#define MENU_TIMEOUT_DEFAULT	"30"	/* seconds, without a timeout option */

enum sip_rc
sip_crypt_hash_check(const char *s)
{
	size_t n = strlen(s), dollars = 0, i;

	if (n < 4 || n > SIP_VALUE_MAX || s[0] != '$')
		return SIP_EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] == '$')
			dollars++;
		else if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789./=,-", s[i]) == NULL)
			return SIP_EINVAL;
	}
	/* "$id$salt$hash" at least: DES and MD5-less forms are refused. */
	return dollars >= 3 ? SIP_OK : SIP_EINVAL;
}

enum sip_rc
sip_menu_password_check(const char *s)
{
	const unsigned char *p;
	size_t n = strlen(s);

	if (n == 0 || n > SIP_MENU_PASSWORD_MAX)
		return SIP_EINVAL;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return SIP_EINVAL;
	return SIP_OK;
}

enum sip_rc
sip_menu_password_hash(const char *password, char **hash,
    struct sip_err *err)
{
	static const char *const prefixes[] = { "$y$", "$6$" };
	struct crypt_data *cd;
	unsigned char rnd[32];
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	const char *h = NULL;
	size_t i, got = 0;
	ssize_t n;
	enum sip_rc rc = SIP_OK;

	*hash = NULL;
	if (sip_menu_password_check(password) != SIP_OK)
		return sip_errf(err, SIP_EINVAL, "the password must be 1 to %d "
		    "bytes without control characters", SIP_MENU_PASSWORD_MAX);
	while (got < sizeof(rnd)) {
		if ((n = getrandom(rnd + got, sizeof(rnd) - got, 0)) == -1) {
			if (errno == EINTR)
				continue;
			return sip_errf(err, SIP_EIO, "getrandom: %s",
			    strerror(errno));
		}
		got += (size_t)n;
	}
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	for (i = 0; i < SIP_ARRAY_SIZE(prefixes) && h == NULL; i++) {
		if (crypt_gensalt_rn(prefixes[i], 0, (const char *)rnd,
		    (int)sizeof(rnd), setting, (int)sizeof(setting)) == NULL ||
		    setting[0] == '*')
			continue;
		h = crypt_r(password, setting, cd);
		if (h != NULL && (h[0] == '*' || sip_crypt_hash_check(h) !=
		    SIP_OK))
			h = NULL;
	}
	if (h == NULL)
		rc = sip_errf(err, SIP_EIO, "crypt(3) knows neither yescrypt "
		    "nor SHA-512");
	else if ((*hash = strdup(h)) == NULL)
		rc = sip_errf(err, SIP_ENOMEM, "out of memory");
	explicit_bzero(rnd, sizeof(rnd));
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

/*
 * The hash the password is checked against: the secrets file's
 * SIP_MENU_SECRET, else [menu] password_hash; NULL if neither.  A secrets
 * file there but unreadable refuses: an old password must not come back.
 * Caller frees *hash with free.
 */
static enum sip_rc
menu_hash(const struct sip_config *cfg, char **hash, struct sip_err *err)
{
	struct sip_secrets *sec = NULL;
	const char *h = NULL;
	enum sip_rc rc = SIP_OK;

	*hash = NULL;
	if (cfg->secrets_file != NULL && cfg->secrets_file[0] != '\0') {
		rc = sip_secrets_load(cfg->secrets_file, &sec, err);
		if (rc != SIP_OK && rc != SIP_ENOTFOUND)
			return rc;
		if (rc == SIP_OK &&
		    (h = sip_secrets_get(sec, SIP_MENU_SECRET)) != NULL &&
		    sip_crypt_hash_check(h) != SIP_OK) {
			rc = sip_errf(err, SIP_ECONFIG, "[secrets] file %s: "
			    "secret '%s' is not a crypt(3) hash",
			    cfg->secrets_file, SIP_MENU_SECRET);
			goto out;
		}
	}
	if (h == NULL && cfg->menu_password_hash != NULL &&
	    cfg->menu_password_hash[0] != '\0')
		h = cfg->menu_password_hash;
	rc = SIP_OK;
	if (h != NULL && (*hash = strdup(h)) == NULL)
		rc = sip_errf(err, SIP_ENOMEM, "out of memory");
 out:
	sip_secrets_free(sec);
	return rc;
}

/* 1 if password hashes to hash; the comparison takes the same time whatever differs. */
static int
password_right(const char *hash, const char *password, struct sip_err *err)
{
	struct crypt_data *cd;
	const char *h;
	unsigned char diff = 0;
	size_t n, i;
	int right = 0;

	/* About 32 KiB: not on the stack of a CGI. */
	if ((cd = calloc(1, sizeof(*cd))) == NULL) {
		sip_errf(err, SIP_ENOMEM, "out of memory");
		return 0;
	}
	h = crypt_r(password, hash, cd);
	if (h == NULL || h[0] == '*') {
		sip_errf(err, SIP_ECONFIG, "[menu] password_hash: crypt(3) "
		    "does not know its method");
		goto out;
	}
	n = strlen(hash);
	if (strlen(h) == n) {
		for (i = 0; i < n; i++)
			diff |= (unsigned char)(h[i] ^ hash[i]);
		right = diff == 0;
	}
 out:
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return right;
}

/* A refusal: the menu script shows it, then asks again or (locked) boots the local disk. */
static void
script_refused(struct sip_buf *out, const char *why, int left)
{
	out->len = 0;
	sip_buf_puts(out, "#!ipxe\n");
	sip_buf_printf(out, "echo se3-ipxe: %s\n", why);
	if (left > 0)
		sip_buf_printf(out, "echo se3-ipxe: %d more %s\n", left,
		    left == 1 ? "try" : "tries");
	else
		sip_buf_puts(out, "echo se3-ipxe: booting the local disk\n"
		    "set se3_menu locked\n");
	sip_buf_puts(out, "sleep 3\nexit 1\n");
}

/* The timeout option of the menu action, in seconds (an integer option). */
static const char *
menu_timeout(const struct sip_action *act)
{
	const char *v;

	v = sip_kv_get(act->options, act->noptions, "timeout");
	return v != NULL && sip_value_check(SIP_T_INT, v) == SIP_OK &&
	    strlen(v) <= 4 ? v : MENU_TIMEOUT_DEFAULT;
}

/*
 * Are the module's upstream files in the boot tree, at their size?  Only
 * stat: hashing a root image at each menu would take seconds (setup and
 * check verify them).  The ISOs their members came from need not stay.
 */
static int
module_set_up(const struct sip_config *cfg, const struct sip_module *mod)
{
	char path[4096];
	struct stat sb;
	size_t i, j;

	for (i = 0; i < mod->nups; i++) {
		if (mod->ups[i].from != NULL)
			continue;
		for (j = 0; j < mod->nups; j++)
			if (mod->ups[j].iso == (int)i)
				break;
		if (j < mod->nups)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s/%s",
		    cfg->boot_root, mod->name, mod->ups[i].name) >= sizeof(path) ||
		    stat(path, &sb) == -1 || !S_ISREG(sb.st_mode) ||
		    sb.st_size != mod->ups[i].size)
			return 0;
	}
	return 1;
}

/* Why a tool cannot be started from the menu, or NULL; *cap set when it can. */
static const char *
tool_unusable(const struct sip_config *cfg, const struct sip_module *mod,
    const char *capname, const struct sip_capability **capp)
{
	const struct sip_capability *cap;
	size_t i;

	if (mod == NULL || (cap = sip_module_capability(mod, capname)) == NULL)
		return "not installed";
	if (!module_set_up(cfg, mod))
		return "not set up: se3-ipxe setup";
	if (cap->destructive)
		return "destructive: use set-action";
	for (i = 0; i < cap->noptions; i++)
		if (cap->options[i].def == NULL)
			return "needs options: use set-action";
	*capp = cap;
	return NULL;
}

/* The tools menu: the tools installed, a shell, the local disk, and the timeout to it. */
static enum sip_rc
script_menu(const struct sip_config *cfg, const struct sip_request *req,
    const struct sip_action *act, const char *token, struct sip_buf *out,
    struct sip_err *err)
{
	char module[SIP_NAME_MAX], capname[SIP_NAME_MAX];
	char cgi_url[SIP_VALUE_MAX + 1];
	const struct sip_capability *cap;
	struct sip_module *mod;
	const char *why;
	struct sip_err ignored;
	size_t i;

	out->len = 0;
	sip_buf_puts(out, "#!ipxe\n");
	sip_buf_printf(out, "# se3-ipxe maintenance menu for %s (action %lld)\n",
	    act->mac, (long long)act->id);
	sip_buf_puts(out, ":menu\n");
	sip_buf_printf(out, "menu se3-ipxe maintenance: %s\n", act->mac);
	sip_buf_puts(out, "item --gap Tools:\n");
	for (i = 0; i < SIP_ARRAY_SIZE(menu_tools); i++) {
		if (sip_action_name_split(menu_tools[i].action, module,
		    capname) != SIP_OK)
			continue;
		mod = NULL;
		cap = NULL;
		/* A module that does not load is as good as absent here. */
		if (sip_module_find(cfg->module_path, module, &mod, &ignored) !=
		    SIP_OK)
			mod = NULL;
		why = tool_unusable(cfg, mod, capname, &cap);
		if (why == NULL)
			sip_buf_printf(out, "item --key %s %s %s\n",
			    menu_tools[i].key, menu_tools[i].label,
			    menu_tools[i].text);
		else
			sip_buf_printf(out, "item --gap %s: %s\n",
			    menu_tools[i].text, why);
		sip_module_free(mod);
	}
	sip_buf_puts(out, "item --gap Other:\n"
	    "item --key s shell iPXE shell\n"
	    "item --key l local Boot the local disk\n");
	sip_buf_printf(out, "choose --timeout %s000 --default local se3_item "
	    "|| goto local\n", menu_timeout(act));
	sip_buf_puts(out, "goto ${se3_item}\n");
	/*
	 * Absolute: Debian 12's iPXE (2019) cannot chain a relative URL.
	 * Without one (no cgi_url, no Host), the tools cannot be reached.
	 */
	sip_answer_cgi_url(cfg, req, cgi_url, sizeof(cgi_url));
	for (i = 0; i < SIP_ARRAY_SIZE(menu_tools); i++)
		sip_buf_printf(out, ":%s\n"
		    "chain %s/menu?token=%s&password=${password:uristring}"
		    "&tool=%s || goto menu\n"
		    "goto menu\n", menu_tools[i].label, cgi_url, token,
		    menu_tools[i].action);
	sip_buf_puts(out, ":shell\n"
	    "echo se3-ipxe: type exit to come back to the menu\n"
	    "shell\n"
	    "goto menu\n"
	    ":local\n"
	    "clear password\n"
	    "exit 0\n");
	if (out->failed)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	return SIP_OK;
}

/* The script of tool for the menu action's machine, with the tool's defaults. */
static enum sip_rc
script_tool(const struct sip_config *cfg, const struct sip_request *req,
    const struct sip_action *act, const char *tool, struct sip_buf *out,
    struct sip_err *err)
{
	char module[SIP_NAME_MAX], capname[SIP_NAME_MAX];
	const struct sip_capability *cap = NULL;
	struct sip_module *mod = NULL;
	struct sip_action as;
	struct sip_kv *kv = NULL;
	const char *why;
	size_t nkv = 0, i;
	enum sip_rc rc;

	for (i = 0; i < SIP_ARRAY_SIZE(menu_tools); i++)
		if (strcmp(menu_tools[i].action, tool) == 0)
			break;
	if (i == SIP_ARRAY_SIZE(menu_tools) ||
	    sip_action_name_split(tool, module, capname) != SIP_OK)
		return sip_errf(err, SIP_ENOTFOUND, "tool %s: not a tool of the "
		    "menu", tool);
	if ((rc = sip_module_find(cfg->module_path, module, &mod, err)) !=
	    SIP_OK && rc != SIP_ENOTFOUND)
		return rc;
	if ((why = tool_unusable(cfg, mod, capname, &cap)) != NULL) {
		rc = sip_errf(err, SIP_ENOTFOUND, "tool %s: %s", tool, why);
		goto out;
	}
	if ((rc = sip_options_resolve(cap, NULL, 0, &kv, &nkv, err)) != SIP_OK)
		goto out;
	/* The menu action's identity (its token too), the tool's script. */
	as = *act;
	snprintf(as.name, sizeof(as.name), "%s", tool);
	as.options = kv;
	as.noptions = nkv;
	out->len = 0;
	rc = sip_answer_render(cfg, req, &as, out, err);
 out:
	sip_kv_free(kv, nkv);
	sip_module_free(mod);
	return rc;
}

enum sip_rc
sip_answer_menu(const struct sip_config *cfg, const struct sip_request *req,
    const char *token, const char *password, const char *tool, time_t now,
    struct sip_buf *out, int *granted, struct sip_err *err)
{
	struct sip_client client = { req->addr, cfg->bind, NULL, NULL };
	struct sip_request as = *req;
	struct sip_store *st = NULL;
	struct sip_action *act = NULL;
	struct sip_err why;
	char *hash = NULL;
	enum sip_rc rc;
	int left = 0;

	*granted = 0;
	if ((rc = menu_hash(cfg, &hash, err)) != SIP_OK) {
		script_refused(out, "the server cannot check the password", 0);
		return rc;
	}
	if (hash == NULL) {
		script_refused(out, "no maintenance password is set on the "
		    "server", 0);
		return sip_errf(err, SIP_ECONFIG, "menu refused: no [menu] "
		    "password_hash and no secret %s", SIP_MENU_SECRET);
	}
	if ((rc = sip_store_open(cfg->db_path, SIP_STORE_RW_EXISTING,
	    cfg->busy_timeout_ms, &st, err)) != SIP_OK) {
		script_refused(out, "the server cannot check the password", 0);
		free(hash);
		return rc;
	}
	if ((rc = sip_store_menu_try(st, &client, token, SIP_MENU_ACTION,
	    cfg->menu_tries, now, &act, &left, err)) != SIP_OK) {
		script_refused(out, "maintenance menu refused", 0);
		goto out;
	}
	why.msg[0] = '\0';
	if (!password_right(hash, password, &why)) {
		script_refused(out, left > 0 ? "wrong password" :
		    "wrong password, no more tries", left);
		if ((rc = sip_store_menu_result(st, &client, act, 0,
		    why.msg[0] != '\0' ? why.msg : "wrong password", now,
		    err)) == SIP_OK)
			rc = sip_errf(err, SIP_EDENIED, "action "
			    "%lld for %s: %s (%d more %s)", (long long)act->id,
			    act->mac, why.msg[0] != '\0' ? why.msg :
			    "wrong password", left, left == 1 ? "try" : "tries");
		goto out;
	}
	/* The values are the action's machine's, whoever asks. */
	memcpy(as.mac, act->mac, sizeof(as.mac));
	if (tool != NULL)
		rc = script_tool(cfg, &as, act, tool, out, err);
	else
		rc = script_menu(cfg, &as, act, act->token, out, err);
	if (rc != SIP_OK) {
		/* The password was right: back to the menu, no try lost. */
		out->len = 0;
		sip_buf_puts(out, "#!ipxe\n"
		    "echo se3-ipxe: this tool cannot be started\n"
		    "sleep 3\nexit 1\n");
		sip_store_menu_result(st, &client, act, 1, tool != NULL ? tool :
		    "menu", now, &why);
		goto out;
	}
	if ((rc = sip_store_menu_result(st, &client, act, 1, tool != NULL ?
	    tool : "menu", now, err)) != SIP_OK) {
		script_refused(out, "the server cannot record the menu", 0);
		goto out;
	}
	*granted = 1;
 out:
	if (!*granted && out->len == 0)
		script_refused(out, "maintenance menu refused", 0);
	sip_action_free(act);
	sip_store_close(st);
	explicit_bzero(hash, strlen(hash));
	free(hash);
	return rc;
}
