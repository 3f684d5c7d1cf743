/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Read se3-ipxe.conf, in one pass of our INI reader, into a typed, range-checked struct sip_config. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "se3ipxe.h"
#include "extern.h"

#define CONFIG_FILE_MAX		(64 * 1024)
/*
 * The limit iniparser 4.1 had (fgets into 1024 bytes, newline included),
 * kept so that a file that loaded before still loads, and no longer one.
 */
#define CONFIG_LINE_MAX		1022
#define CONFIG_PATH_MAX		1024

#define MINUTE	INT64_C(60)
#define HOUR	(60 * MINUTE)
#define DAY	(24 * HOUR)

#define DEFAULT_DB_PATH		"/var/lib/se3-ipxe/se3-ipxe.db"
#define DEFAULT_BOOT_ROOT	"/var/lib/se3-ipxe/boot"
#define DEFAULT_IMAGES_DIR	"/var/lib/se3-ipxe/images"
#define DEFAULT_MODULE_PATH \
	SIP_DATADIR "/modules:" SIP_SYSCONFDIR "/se3-ipxe/modules"
#define DEFAULT_TEMPLATE_DIR	SIP_DATADIR "/templates"
/* Debian's ipxe package: /usr/lib/ipxe/undionly.kpxe and ipxe.efi. */
#define DEFAULT_BIOS_FILE	"undionly.kpxe"
#define DEFAULT_EFI_FILE	"ipxe.efi"
#define DEFAULT_LEGACY_FILE	"pxelinux.0"	/* se3-clonage */

/* How a value is checked and converted. */
enum ctype {
	CT_PATH,		/* absolute path */
	CT_PATHLIST,		/* colon-separated absolute paths */
	CT_URL,			/* SIP_T_URL or empty */
	CT_ISCSI,		/* SIP_T_ISCSI or empty */
	CT_INT,			/* decimal integer in min..max */
	CT_DURATION,		/* sip_duration_parse in min..max */
	CT_WORD,		/* one of words[] */
	CT_IPV4,		/* SIP_T_IPV4 or empty */
	CT_BOOTFILE,		/* sip_dhcp_file_check */
	CT_LDAPURI,		/* ldap://host[:port]/ or ldaps://..., or empty */
	CT_DN,			/* a DN or RDN: printable, at most 255 bytes */
	CT_OPTPATH,		/* CT_PATH or empty */
	CT_SUBNETS,		/* CIDRs separated by blanks, or empty */
	CT_PORTS,		/* TCP ports separated by blanks, 1..SIP_PROBE_PORTS_MAX */
	CT_USER,		/* SIP_T_WORD: a login */
	CT_TEXT,		/* SIP_T_TEXT: a message */
	CT_BLACKOUT,		/* sip_blackout_parse */
	CT_CRYPT		/* a crypt(3) hash ($id$...), or empty */
};

static const char *const yesno_names[] = { "no", "yes", NULL };
/* Indexed by enum sip_sessions_source. */
static const char *const sessions_source_names[] = { "smbstatus", "none",
    NULL };
/* ssh's StrictHostKeyChecking, from the safest. */
static const char *const host_key_names[] = { "yes", "accept-new", "no",
    NULL };

enum ckey {
	CK_DB_PATH,
	CK_DB_BUSY_TIMEOUT,
	CK_SERVER_BOOT_URL,
	CK_SERVER_CGI_URL,
	CK_SERVER_BOOT_ROOT,
	CK_SERVER_DEADLINE,
	CK_MODULES_PATH,
	CK_MODULES_TEMPLATES,
	CK_BOOT_DEFAULT,
	CK_BOOT_LOCAL_PCBIOS,
	CK_BOOT_LOCAL_EFI,
	CK_BOOT_ISCSI_TARGET,
	CK_ACTIONS_MAX_BOOTS,
	CK_ACTIONS_EXPIRES,
	CK_ACTIONS_HISTORY,
	CK_DHCP_TFTP_SERVER,
	CK_DHCP_BIOS_FILE,
	CK_DHCP_EFI_FILE,
	CK_DHCP_LEGACY_FILE,
	CK_SECURITY_BIND,
	CK_LDAP_URI,
	CK_LDAP_BASE,
	CK_LDAP_COMPUTERS,
	CK_LDAP_PARCS,
	CK_LDAP_RIGHTS,
	CK_LDAP_PEOPLE,
	CK_LDAP_BIND_DN,
	CK_LDAP_BIND_PASSWORD_FILE,
	CK_LDAP_NETWORK_TIMEOUT,
	CK_LDAP_TIMEOUT,
	CK_LDAP_STARTTLS,
	CK_LDAP_ADMIN_RIGHT,
	CK_LDAP_DELEGATE_RIGHT,
	CK_NETWORK_SUBNETS,
	CK_WOL_PORT,
	CK_WOL_BROADCAST_ALL,
	CK_PROBE_PORTS,
	CK_PROBE_TIMEOUT,
	CK_PROBE_PARALLEL,
	CK_SESSIONS_SOURCE,
	CK_SESSIONS_SMBSTATUS,
	CK_SESSIONS_TIMEOUT,
	CK_REBOOT_NET,
	CK_REBOOT_NET_AUTH_FILE,
	CK_REBOOT_SMBCLIENT,
	CK_REBOOT_SSH,
	CK_REBOOT_SSH_KEY,
	CK_REBOOT_SSH_USER,
	CK_REBOOT_HOST_KEY,
	CK_REBOOT_WINDOWS_PORT,
	CK_REBOOT_LINUX_PORT,
	CK_REBOOT_DELAY,
	CK_REBOOT_MESSAGE,
	CK_REBOOT_TIMEOUT,
	CK_REBOOT_PARALLEL,
	CK_STATUS_REFRESH,
	CK_WOL_WAKE_TIMEOUT,
	CK_WOL_RETRIES,
	CK_BLACKOUT_WINDOWS,
	CK_STATUS_PROBE,
	CK_SECRETS_FILE,
	CK_MENU_PASSWORD_HASH,
	CK_MENU_TRIES,
	CK_IMAGES_DIR,
	CK_IMAGES_LIMIT,
	CK_IMAGES_RESERVE,
	CK_IMAGES_TIMEOUT,
	CK__MAX
};

/* chain needs a loader, which only a [model NAME] section names. */
static const char *const boot_local_names[] = { "sanboot", "exit", NULL };

static const struct ckeydef {
	const char		*section;
	const char		*key;
	enum ctype		 type;
	int64_t			 min, max;
	const char *const	*words;
} ckeys[CK__MAX] = {
	{ "database", "path", CT_PATH, 0, 0, NULL },	/* CK_DB_PATH */
	{ "database", "busy_timeout", CT_INT, 0, 60000, NULL },
						/* CK_DB_BUSY_TIMEOUT */
	{ "server", "boot_url", CT_URL, 0, 0, NULL },	/* CK_SERVER_BOOT_URL */
	{ "server", "cgi_url", CT_URL, 0, 0, NULL },	/* CK_SERVER_CGI_URL */
	{ "server", "boot_root", CT_PATH, 0, 0, NULL },
						/* CK_SERVER_BOOT_ROOT */
	{ "server", "deadline", CT_INT, 1, 60, NULL },	/* CK_SERVER_DEADLINE */
	{ "modules", "path", CT_PATHLIST, 0, 0, NULL },	/* CK_MODULES_PATH */
	{ "modules", "templates", CT_PATH, 0, 0, NULL },
						/* CK_MODULES_TEMPLATES */
	{ "boot", "default", CT_WORD, 0, 0, sip_default_names },
						/* CK_BOOT_DEFAULT */
	{ "boot", "local_pcbios", CT_WORD, 0, 0, boot_local_names },
						/* CK_BOOT_LOCAL_PCBIOS */
	{ "boot", "local_efi", CT_WORD, 0, 0, boot_local_names },
						/* CK_BOOT_LOCAL_EFI */
	{ "boot", "iscsi_target", CT_ISCSI, 0, 0, NULL },
						/* CK_BOOT_ISCSI_TARGET */
	{ "actions", "max_boots", CT_INT, 1, 100, NULL },
						/* CK_ACTIONS_MAX_BOOTS */
	{ "actions", "expires", CT_DURATION, MINUTE, 30 * DAY, NULL },
						/* CK_ACTIONS_EXPIRES */
	{ "actions", "history", CT_DURATION, DAY, 3650 * DAY, NULL },
						/* CK_ACTIONS_HISTORY */
	{ "dhcp", "tftp_server", CT_IPV4, 0, 0, NULL },
						/* CK_DHCP_TFTP_SERVER */
	{ "dhcp", "bios_file", CT_BOOTFILE, 0, 0, NULL },
						/* CK_DHCP_BIOS_FILE */
	{ "dhcp", "efi_file", CT_BOOTFILE, 0, 0, NULL },
						/* CK_DHCP_EFI_FILE */
	{ "dhcp", "legacy_file", CT_BOOTFILE, 0, 0, NULL },
						/* CK_DHCP_LEGACY_FILE */
	{ "security", "bind", CT_WORD, 0, 0, sip_bind_names },
						/* CK_SECURITY_BIND */
	{ "ldap", "uri", CT_LDAPURI, 0, 0, NULL },	/* CK_LDAP_URI */
	{ "ldap", "base", CT_DN, 0, 0, NULL },		/* CK_LDAP_BASE */
	{ "ldap", "computers", CT_DN, 0, 0, NULL },	/* CK_LDAP_COMPUTERS */
	{ "ldap", "parcs", CT_DN, 0, 0, NULL },		/* CK_LDAP_PARCS */
	{ "ldap", "rights", CT_DN, 0, 0, NULL },	/* CK_LDAP_RIGHTS */
	{ "ldap", "people", CT_DN, 0, 0, NULL },	/* CK_LDAP_PEOPLE */
	{ "ldap", "bind_dn", CT_DN, 0, 0, NULL },	/* CK_LDAP_BIND_DN */
	{ "ldap", "bind_password_file", CT_OPTPATH, 0, 0, NULL },
						/* CK_LDAP_BIND_PASSWORD_FILE */
	/* An SE3 answers in milliseconds: a minute is already a hang. */
	{ "ldap", "network_timeout", CT_INT, 1, 60, NULL },
						/* CK_LDAP_NETWORK_TIMEOUT */
	{ "ldap", "timeout", CT_INT, 1, 60, NULL },	/* CK_LDAP_TIMEOUT */
	{ "ldap", "starttls", CT_WORD, 0, 0, yesno_names },
						/* CK_LDAP_STARTTLS */
	{ "ldap", "admin_right", CT_DN, 0, 0, NULL },	/* CK_LDAP_ADMIN_RIGHT */
	{ "ldap", "delegate_right", CT_DN, 0, 0, NULL },
						/* CK_LDAP_DELEGATE_RIGHT */
	{ "network", "subnets", CT_SUBNETS, 0, 0, NULL },
						/* CK_NETWORK_SUBNETS */
	{ "wol", "port", CT_INT, 1, 65535, NULL },	/* CK_WOL_PORT */
	{ "wol", "broadcast_all", CT_WORD, 0, 0, yesno_names },
						/* CK_WOL_BROADCAST_ALL */
	{ "probe", "ports", CT_PORTS, 1, 65535, NULL },	/* CK_PROBE_PORTS */
	/* In ms: a machine on the LAN answers in one; ten seconds is a hang. */
	{ "probe", "timeout", CT_INT, 10, 10000, NULL },
						/* CK_PROBE_TIMEOUT */
	{ "probe", "parallel", CT_INT, 1, 65536, NULL },
						/* CK_PROBE_PARALLEL */
	{ "sessions", "source", CT_WORD, 0, 0, sessions_source_names },
						/* CK_SESSIONS_SOURCE */
	{ "sessions", "smbstatus", CT_PATH, 0, 0, NULL },
						/* CK_SESSIONS_SMBSTATUS */
	{ "sessions", "timeout", CT_INT, 1, 60, NULL },
						/* CK_SESSIONS_TIMEOUT */
	{ "reboot", "net", CT_PATH, 0, 0, NULL },	/* CK_REBOOT_NET */
	{ "reboot", "net_auth_file", CT_OPTPATH, 0, 0, NULL },
						/* CK_REBOOT_NET_AUTH_FILE */
	{ "reboot", "smbclient", CT_PATH, 0, 0, NULL },
						/* CK_REBOOT_SMBCLIENT */
	{ "reboot", "ssh", CT_PATH, 0, 0, NULL },	/* CK_REBOOT_SSH */
	{ "reboot", "ssh_key", CT_OPTPATH, 0, 0, NULL },
						/* CK_REBOOT_SSH_KEY */
	{ "reboot", "ssh_user", CT_USER, 0, 0, NULL },
						/* CK_REBOOT_SSH_USER */
	{ "reboot", "strict_host_key_checking", CT_WORD, 0, 0,
	    host_key_names },				/* CK_REBOOT_HOST_KEY */
	{ "reboot", "windows_port", CT_INT, 1, 65535, NULL },
						/* CK_REBOOT_WINDOWS_PORT */
	{ "reboot", "linux_port", CT_INT, 1, 65535, NULL },
						/* CK_REBOOT_LINUX_PORT */
	{ "reboot", "delay", CT_INT, 0, 600, NULL },	/* CK_REBOOT_DELAY */
	{ "reboot", "message", CT_TEXT, 0, 0, NULL },	/* CK_REBOOT_MESSAGE */
	{ "reboot", "timeout", CT_INT, 1, 600, NULL },	/* CK_REBOOT_TIMEOUT */
	{ "reboot", "parallel", CT_INT, 1, 256, NULL },
						/* CK_REBOOT_PARALLEL */
	{ "status", "refresh", CT_INT, 1, 3600, NULL },	/* CK_STATUS_REFRESH */
	{ "wol", "wake_timeout", CT_DURATION, MINUTE, DAY, NULL },
						/* CK_WOL_WAKE_TIMEOUT */
	{ "wol", "retries", CT_INT, 0, 10, NULL },	/* CK_WOL_RETRIES */
	{ "blackout", "windows", CT_BLACKOUT, 0, 0, NULL },
						/* CK_BLACKOUT_WINDOWS */
	{ "status", "probe", CT_WORD, 0, 0, yesno_names },
						/* CK_STATUS_PROBE */
	{ "secrets", "file", CT_PATH, 0, 0, NULL },	/* CK_SECRETS_FILE */
	{ "menu", "password_hash", CT_CRYPT, 0, 0, NULL },
						/* CK_MENU_PASSWORD_HASH */
	{ "menu", "tries", CT_INT, 1, 10, NULL },	/* CK_MENU_TRIES */
	{ "images", "dir", CT_PATH, 0, 0, NULL },	/* CK_IMAGES_DIR */
	/* In MiB: 1 MiB to 64 TiB, a disk image at most; free space kept. */
	{ "images", "limit", CT_INT, 1, 64 * 1024 * 1024, NULL },
						/* CK_IMAGES_LIMIT */
	{ "images", "reserve", CT_INT, 0, 64 * 1024 * 1024, NULL },
						/* CK_IMAGES_RESERVE */
	{ "images", "timeout", CT_INT, 5, 3600, NULL },	/* CK_IMAGES_TIMEOUT */
};

/* What the one pass over the file learnt: where each key is, and its value. */
struct cscan {
	const char	*file;
	struct sip_err	*err;
	int		 line[CK__MAX];		/* 0: not in the file */
	int		 sectline[CK__MAX];	/* its section's header */
	char		*value[CK__MAX];	/* unquoted, comment dropped */
	struct sip_model *models;		/* [model NAME] sections */
	size_t		 nmodels;
	int		 in_model;		/* the last section read is one */
};

static enum sip_rc config_lines(const char *, const char *, size_t,
		    struct sip_err *);
static int	 config_section_cb(void *, const char *, int);
static int	 config_key_cb(void *, const char *, const char *,
		    const char *, int);
static enum sip_rc config_unquote(const struct cscan *, int, const char *,
		    char **);
static enum sip_rc config_values(struct sip_config *, const struct cscan *);
static enum sip_rc config_value(struct sip_config *, enum ckey,
		    const char *, const struct cscan *);
static enum sip_rc config_set_str(char **, const char *);
static int	 config_abspath(const char *, size_t);
static enum sip_rc config_int(const char *, int64_t *);
static int	 config_ldapuri(const char *);
static enum sip_rc config_subnets(struct sip_config *, const char *,
		    const struct cscan *, enum ckey);
static enum sip_rc config_ports(struct sip_config *, const char *,
		    const struct cscan *, enum ckey);

enum sip_rc
sip_config_defaults(struct sip_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	if ((cfg->db_path = sip_strdup(DEFAULT_DB_PATH)) == NULL ||
	    (cfg->boot_url = sip_strdup("")) == NULL ||
	    (cfg->cgi_url = sip_strdup("")) == NULL ||
	    (cfg->boot_root = sip_strdup(DEFAULT_BOOT_ROOT)) == NULL ||
	    (cfg->module_path = sip_strdup(DEFAULT_MODULE_PATH)) == NULL ||
	    (cfg->template_dir = sip_strdup(DEFAULT_TEMPLATE_DIR)) == NULL ||
	    (cfg->iscsi_target = sip_strdup("")) == NULL ||
	    (cfg->dhcp_tftp_server = sip_strdup("")) == NULL ||
	    (cfg->dhcp_bios_file = sip_strdup(DEFAULT_BIOS_FILE)) == NULL ||
	    (cfg->dhcp_efi_file = sip_strdup(DEFAULT_EFI_FILE)) == NULL ||
	    (cfg->dhcp_legacy_file = sip_strdup(DEFAULT_LEGACY_FILE)) ==
	    NULL ||
	    (cfg->ldap_uri = sip_strdup("")) == NULL ||
	    (cfg->ldap_base = sip_strdup("")) == NULL ||
	    (cfg->ldap_computers = sip_strdup("ou=Computers")) == NULL ||
	    (cfg->ldap_parcs = sip_strdup("ou=Parcs")) == NULL ||
	    (cfg->ldap_rights = sip_strdup("ou=rights")) == NULL ||
	    (cfg->ldap_people = sip_strdup("ou=People")) == NULL ||
	    (cfg->ldap_bind_dn = sip_strdup("")) == NULL ||
	    (cfg->ldap_bind_password_file = sip_strdup("")) == NULL ||
	    (cfg->ldap_admin_right = sip_strdup("system_is_admin")) == NULL ||
	    (cfg->ldap_delegate_right = sip_strdup("parc_can_clone")) ==
	    NULL ||
	    (cfg->sessions_smbstatus = sip_strdup("/usr/bin/smbstatus")) ==
	    NULL ||
	    (cfg->reboot_net = sip_strdup("/usr/bin/net")) == NULL ||
	    (cfg->reboot_net_auth_file = sip_strdup("")) == NULL ||
	    (cfg->reboot_smbclient = sip_strdup("/usr/bin/smbclient")) ==
	    NULL ||
	    (cfg->reboot_ssh = sip_strdup("/usr/bin/ssh")) == NULL ||
	    (cfg->reboot_ssh_key = sip_strdup("")) == NULL ||
	    (cfg->reboot_ssh_user = sip_strdup("root")) == NULL ||
	    (cfg->reboot_message = sip_strdup("se3-ipxe: reboot")) == NULL ||
	    (cfg->secrets_file = sip_strdup(SIP_SYSCONFDIR
	    "/se3-ipxe/secrets")) == NULL ||
	    (cfg->menu_password_hash = sip_strdup("")) == NULL ||
	    (cfg->images_dir = sip_strdup(DEFAULT_IMAGES_DIR)) == NULL) {
		sip_config_free(cfg);
		return SIP_ENOMEM;
	}
	cfg->busy_timeout_ms = 2000;
	cfg->deadline = 5;
	cfg->boot_default = SIP_DEFAULT_LOCAL;
	cfg->local_pcbios = SIP_LOCAL_SANBOOT;
	cfg->local_efi = SIP_LOCAL_EXIT;
	cfg->max_boots = 3;
	cfg->expires = 4 * HOUR;
	cfg->history_keep = 365 * DAY;
	cfg->bind = SIP_BIND_ADDRESS;
	cfg->ldap_network_timeout = 5;
	cfg->ldap_timeout = 10;
	cfg->wol_port = 9;	/* discard: what SE3's wakeonlan sends to */
	/* SE3's order: Windows (SMB) first, then Linux (ssh). */
	cfg->probe_ports[0] = 445;
	cfg->probe_ports[1] = 22;
	cfg->nprobe_ports = 2;
	cfg->probe_timeout_ms = 500;
	/* A parc of 1,000 machines switched off, waited for at once. */
	cfg->probe_parallel = 1024;
	cfg->sessions_source = SIP_SESSIONS_SMBSTATUS;
	cfg->sessions_timeout = 10;
	cfg->reboot_host_key = 1;	/* accept-new */
	cfg->reboot_windows_port = 445;
	cfg->reboot_linux_port = 22;
	cfg->reboot_delay = 10;
	cfg->reboot_timeout = 30;
	cfg->reboot_parallel = 16;
	cfg->status_refresh = 5;
	cfg->status_probe = 1;	/* SE3's page showed who was up */
	cfg->wol_wake_timeout = 5 * MINUTE;
	cfg->wol_retries = 2;
	cfg->menu_tries = 3;
	cfg->images_limit = INT64_C(1024) * 1024 * 1024 * 1024;	/* 1 TiB */
	cfg->images_reserve = INT64_C(1024) * 1024 * 1024;	/* 1 GiB */
	cfg->images_timeout = 300;
	return SIP_OK;
}

void
sip_config_free(struct sip_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->db_path);
	free(cfg->boot_url);
	free(cfg->cgi_url);
	free(cfg->boot_root);
	free(cfg->module_path);
	free(cfg->template_dir);
	free(cfg->iscsi_target);
	free(cfg->dhcp_tftp_server);
	free(cfg->dhcp_bios_file);
	free(cfg->dhcp_efi_file);
	free(cfg->dhcp_legacy_file);
	free(cfg->ldap_uri);
	free(cfg->ldap_base);
	free(cfg->ldap_computers);
	free(cfg->ldap_parcs);
	free(cfg->ldap_rights);
	free(cfg->ldap_people);
	free(cfg->ldap_bind_dn);
	free(cfg->ldap_bind_password_file);
	free(cfg->ldap_admin_right);
	free(cfg->ldap_delegate_right);
	free(cfg->sessions_smbstatus);
	free(cfg->reboot_net);
	free(cfg->reboot_net_auth_file);
	free(cfg->reboot_smbclient);
	free(cfg->reboot_ssh);
	free(cfg->reboot_ssh_key);
	free(cfg->reboot_ssh_user);
	free(cfg->reboot_message);
	free(cfg->secrets_file);
	free(cfg->menu_password_hash);
	free(cfg->images_dir);
	sip_models_free(cfg->models, cfg->nmodels);
	memset(cfg, 0, sizeof(*cfg));
}

/* Lines longer than the documented limit, found before the reader runs. */
static enum sip_rc
config_lines(const char *file, const char *text, size_t len,
    struct sip_err *err)
{
	const char *p, *end, *nl;
	size_t n;
	int lineno = 0;

	for (p = text, end = text + len; p < end; p = nl + 1) {
		lineno++;
		n = sip_line_len(p, end, &nl);
		if (n > CONFIG_LINE_MAX)
			return sip_errf(err, SIP_ECONFIG,
			    "%s:%d: line longer than %d bytes",
			    file, lineno, CONFIG_LINE_MAX);
	}
	return SIP_OK;
}

static int
config_section_cb(void *arg, const char *section, int line)
{
	struct cscan *sc = arg;
	const char *name;
	size_t i;
	int known = 0;

	if ((sc->in_model = sip_model_section(section, &name)))
		return sip_model_add(&sc->models, &sc->nmodels, name, line,
		    sc->file, sc->err);
	for (i = 0; i < CK__MAX; i++) {
		if (strcmp(ckeys[i].section, section) != 0)
			continue;
		known = 1;
		if (sc->sectline[i] != 0)
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: repeated section [%s] (first at line %d)",
			    sc->file, line, section, sc->sectline[i]);
		sc->sectline[i] = line;
	}
	if (!known)
		return sip_errf(sc->err, SIP_ECONFIG,
		    "%s:%d: unknown section [%s]", sc->file, line, section);
	return 0;
}

static int
config_key_cb(void *arg, const char *section, const char *key,
    const char *value, int line)
{
	struct cscan *sc = arg;
	enum sip_rc rc;
	char *v = NULL;
	size_t i;

	if (sc->in_model && sc->nmodels > 0) {
		if ((rc = config_unquote(sc, line, value, &v)) == SIP_OK)
			rc = sip_model_key(&sc->models[sc->nmodels - 1], key, v,
			    line, sc->file, sc->err);
		free(v);
		return rc;
	}
	for (i = 0; i < CK__MAX; i++)
		if (strcmp(ckeys[i].section, section) == 0 &&
		    strcmp(ckeys[i].key, key) == 0) {
			sc->line[i] = line;
			return config_unquote(sc, line, value, &sc->value[i]);
		}
	return sip_errf(sc->err, SIP_ECONFIG,
	    "%s:%d: unknown key '%s' in [%s]", sc->file, line, key, section);
}

/*
 * The value as iniparser read it, so that every file that loaded still
 * loads the same: in double (or single) quotes, taken as is; otherwise up
 * to a ';' or '#', which starts a comment, without the blanks before it.
 * Unlike iniparser, a quote left open or text after the closing quote is
 * an error, not a value silently cut.
 */
static enum sip_rc
config_unquote(const struct cscan *sc, int line, const char *value,
    char **out)
{
	const char *end, *rest;
	size_t n;

	if (*value == '"' || *value == '\'') {
		if ((end = strchr(value + 1, *value)) == NULL)
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: a quote is not closed", sc->file, line);
		for (rest = end + 1; *rest == ' ' || *rest == '\t'; rest++)
			continue;
		if (*rest != '\0' && *rest != ';' && *rest != '#')
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: text after the closing quote", sc->file,
			    line);
		value++;
		n = (size_t)(end - value);
	} else {
		n = strcspn(value, ";#");
		while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t'))
			n--;
	}
	free(*out);
	if ((*out = strndup(value, n)) == NULL)
		return sip_errf(sc->err, SIP_ENOMEM, "%s:%d: %s", sc->file,
		    line, sip_strerror(SIP_ENOMEM));
	return SIP_OK;
}

static enum sip_rc
config_set_str(char **dst, const char *value)
{
	char *p;

	if ((p = sip_strdup(value)) == NULL)
		return SIP_ENOMEM;
	free(*dst);
	*dst = p;
	return SIP_OK;
}

/* An absolute path of at most CONFIG_PATH_MAX bytes, all of them safe. */
static int
config_abspath(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > CONFIG_PATH_MAX || s[0] != '/')
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] == ':' || strchr(SIP_SAFE_CHARS, s[i]) == NULL)
			return 0;
	return 1;
}

/*
 * One LDAP server, as libldap reads it: no list of URIs, no ldapi://
 * (the CLI may run as another user than the socket wants), no
 * extensions after the host part.
 */
static int
config_ldapuri(const char *s)
{
	const char *p;

	if (strncmp(s, "ldap://", 7) == 0)
		p = s + 7;
	else if (strncmp(s, "ldaps://", 8) == 0)
		p = s + 8;
	else
		return 0;
	if (*p == '\0' || *p == '/' || *p == ':')
		return 0;
	for (; *p != '\0' && *p != '/'; p++)
		if (!isalnum((unsigned char)*p) && strchr(".-:[]", *p) == NULL)
			return 0;
	return *p == '\0' || strcmp(p, "/") == 0;
}

/*
 * [network] subnets: each CIDR checked, none twice and none inside
 * another, so that a machine's subnet (and its broadcast) is never a
 * matter of which line came first.
 */
static enum sip_rc
config_subnets(struct sip_config *cfg, const char *value,
    const struct cscan *sc, enum ckey k)
{
	const struct ckeydef *kd = &ckeys[k];
	struct sip_subnet sn, *o;
	char word[64];
	const char *p, *q;
	size_t n, i;

	cfg->nsubnets = 0;
	for (p = value; ; p = q) {
		p += strspn(p, " ,");
		if (*p == '\0')
			break;
		q = p + strcspn(p, " ,");
		n = (size_t)(q - p);
		if (n >= sizeof(word) || (memcpy(word, p, n), word[n] = '\0',
		    sip_cidr_parse(word, &sn)) != SIP_OK)
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: [%s] %s: '%.*s%s' is not a subnet "
			    "A.B.C.D/N (N 0..32, host bits zero)", sc->file,
			    sc->line[k], kd->section, kd->key,
			    (int)(n > 40 ? 40 : n), p, n > 40 ? "..." : "");
		for (i = 0; i < cfg->nsubnets; i++) {
			o = &cfg->subnets[i];
			if ((sn.addr & o->mask) == o->addr ||
			    (o->addr & sn.mask) == sn.addr)
				return sip_errf(sc->err, SIP_ECONFIG,
				    "%s:%d: [%s] %s: '%s' overlaps an earlier "
				    "subnet", sc->file, sc->line[k],
				    kd->section, kd->key, word);
		}
		if (cfg->nsubnets == SIP_SUBNETS_MAX)
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: [%s] %s: more than %d subnets", sc->file,
			    sc->line[k], kd->section, kd->key,
			    SIP_SUBNETS_MAX);
		cfg->subnets[cfg->nsubnets++] = sn;
	}
	return SIP_OK;
}

/*
 * [probe] ports: tried in this order, so none twice (a second try of a
 * port that did not answer would only spend the timeout again).
 */
static enum sip_rc
config_ports(struct sip_config *cfg, const char *value,
    const struct cscan *sc, enum ckey k)
{
	const struct ckeydef *kd = &ckeys[k];
	const char *p, *q;
	int64_t v;
	char word[16];
	size_t n, i;

	cfg->nprobe_ports = 0;
	for (p = value; ; p = q) {
		p += strspn(p, " ,");
		if (*p == '\0')
			break;
		q = p + strcspn(p, " ,");
		n = (size_t)(q - p);
		if (n >= sizeof(word) || (memcpy(word, p, n), word[n] = '\0',
		    !sip_parse_uint(word, &v)) || v < kd->min || v > kd->max ||
		    (word[0] == '0'))
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: [%s] %s: '%.*s%s' is not a TCP port "
			    "(1..65535)", sc->file, sc->line[k], kd->section,
			    kd->key, (int)(n > 20 ? 20 : n), p,
			    n > 20 ? "..." : "");
		for (i = 0; i < cfg->nprobe_ports; i++)
			if (cfg->probe_ports[i] == (int)v)
				return sip_errf(sc->err, SIP_ECONFIG,
				    "%s:%d: [%s] %s: port %s is listed twice",
				    sc->file, sc->line[k], kd->section,
				    kd->key, word);
		if (cfg->nprobe_ports == SIP_PROBE_PORTS_MAX)
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: [%s] %s: more than %d ports", sc->file,
			    sc->line[k], kd->section, kd->key,
			    SIP_PROBE_PORTS_MAX);
		cfg->probe_ports[cfg->nprobe_ports++] = (int)v;
	}
	if (cfg->nprobe_ports == 0)
		return sip_errf(sc->err, SIP_ECONFIG,
		    "%s:%d: [%s] %s: empty: at least one TCP port", sc->file,
		    sc->line[k], kd->section, kd->key);
	return SIP_OK;
}

/* A decimal integer, optionally negative, nothing else around it. */
static enum sip_rc
config_int(const char *s, int64_t *out)
{
	const char *p = s;
	char *end;
	long long v;

	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return SIP_EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return SIP_EINVAL;
	if (errno == ERANGE)
		return SIP_ECONFIG;	/* overflow: out of any range */
	*out = v;
	return SIP_OK;
}

/* Check value as key k and store it in cfg. */
static enum sip_rc
config_value(struct sip_config *cfg, enum ckey k, const char *value,
    const struct cscan *sc)
{
	const struct ckeydef *kd = &ckeys[k];
	const char *p, *q, *sv;
	char lo[32], hi[32], sbuf[64], why[128];
	int64_t v = 0;
	size_t i, n;
	int overflow;
	enum sip_rc rc;

	for (p = value; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: [%s] %s: control character in the value",
			    sc->file, sc->line[k], kd->section, kd->key);

	sv = sip_shorten(value, sbuf, sizeof(sbuf));
	switch (kd->type) {
	case CT_PATH:
		if (!config_abspath(value, strlen(value)))
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: [%s] %s: '%s' is not an absolute path "
			    "made of safe characters", sc->file, sc->line[k],
			    kd->section, kd->key, sv);
		break;
	case CT_PATHLIST:
		if (*value == '\0')
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: [%s] %s: empty: expected absolute "
			    "directories separated by ':'", sc->file,
			    sc->line[k], kd->section, kd->key);
		for (p = value; ; p = q + 1) {
			if ((q = strchr(p, ':')) == NULL)
				q = p + strlen(p);
			n = (size_t)(q - p);
			if (!config_abspath(p, n))
				return sip_errf(sc->err, SIP_ECONFIG,
				    "%s:%d: [%s] %s: '%.*s%s' is not an "
				    "absolute path made of safe characters",
				    sc->file, sc->line[k], kd->section,
				    kd->key, (int)(n > 60 ? 60 : n), p,
				    n > 60 ? "..." : "");
			if (*q == '\0')
				break;
		}
		break;
	case CT_URL:
	case CT_ISCSI:
		if (*value != '\0' && sip_value_check(kd->type == CT_URL ?
		    SIP_T_URL : SIP_T_ISCSI, value) != SIP_OK)
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: [%s] %s: '%s' is not a valid %s",
			    sc->file, sc->line[k], kd->section, kd->key,
			    sv, kd->type == CT_URL ?
			    "http:// URL" : "iSCSI root path");
		break;
	case CT_INT:
		rc = config_int(value, &v);
		if (rc == SIP_EINVAL)
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: [%s] %s: '%s' is not a decimal integer",
			    sc->file, sc->line[k], kd->section, kd->key, sv);
		if (rc != SIP_OK || v < kd->min || v > kd->max)
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: [%s] %s: %s is out of range "
			    "%" PRId64 "..%" PRId64, sc->file, sc->line[k],
			    kd->section, kd->key, sv, kd->min, kd->max);
		break;
	case CT_DURATION:
		sip_duration_format(kd->min, lo, sizeof(lo));
		sip_duration_format(kd->max, hi, sizeof(hi));
		/* Syntax first, for the message; then the range. */
		if (sip_duration_scan(value, &v, &overflow) != SIP_OK &&
		    !overflow)
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: [%s] %s: '%s' is not a duration "
			    "(N, Ns, Nm, Nh, Nd or Nw)", sc->file,
			    sc->line[k], kd->section, kd->key, sv);
		if (overflow)
			v = INT64_MAX;
		if (v < kd->min || v > kd->max)
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: [%s] %s: %s is out of range %s..%s",
			    sc->file, sc->line[k], kd->section, kd->key,
			    sv, lo, hi);
		break;
	case CT_WORD:
		for (i = 0; kd->words[i] != NULL; i++)
			if (strcmp(kd->words[i], value) == 0)
				break;
		if (kd->words[i] == NULL) {
			lo[0] = '\0';
			for (i = 0; kd->words[i + 1] != NULL; i++) {
				if (i > 0)
					sip_append(lo, sizeof(lo), ", ");
				sip_append(lo, sizeof(lo), kd->words[i]);
			}
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: [%s] %s: '%s' is not %s or %s",
			    sc->file, sc->line[k], kd->section, kd->key,
			    sv, lo, kd->words[i]);
		}
		v = (int64_t)i;
		break;
	case CT_USER:
		if (sip_value_check(SIP_T_WORD, value) != SIP_OK)
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: [%s] %s: '%s' is not a login "
			    "([A-Za-z0-9._-], 1 to 64)", sc->file,
			    sc->line[k], kd->section, kd->key, sv);
		break;
	case CT_CRYPT:
		/* The hash never reaches a log: only its place is named. */
		if (*value != '\0' && sip_crypt_hash_check(value) != SIP_OK)
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: [%s] %s: not a crypt(3) hash ($y$..., "
			    "$6$..., as mkpasswd(1) writes)", sc->file,
			    sc->line[k], kd->section, kd->key);
		break;
	case CT_TEXT:
		/* One argument of a command run without a shell: printable. */
		for (p = value; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 ||
			    (unsigned char)*p > 0x7e)
				break;
		if (*value == '\0' || *p != '\0' ||
		    strlen(value) > SIP_VALUE_MAX)
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: [%s] %s: not 1 to %d printable ASCII "
			    "characters", sc->file, sc->line[k], kd->section,
			    kd->key, SIP_VALUE_MAX);
		break;
	case CT_IPV4:
		if (*value != '\0' && sip_value_check(SIP_T_IPV4, value) !=
		    SIP_OK)
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: [%s] %s: '%s' is not an IPv4 address",
			    sc->file, sc->line[k], kd->section, kd->key, sv);
		break;
	case CT_BOOTFILE:
		if (sip_dhcp_file_check(value) != SIP_OK)
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: [%s] %s: '%s' is not a boot file name "
			    "(1 to %d of A-Z a-z 0-9 . _ / -, no '..', no "
			    "leading or trailing '/')", sc->file, sc->line[k],
			    kd->section, kd->key, sv, SIP_DHCP_FILE_MAX);
		break;
	case CT_LDAPURI:
		if (*value != '\0' && !config_ldapuri(value))
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: [%s] %s: '%s' is not ldap://HOST[:PORT]/ "
			    "or ldaps://HOST[:PORT]/", sc->file, sc->line[k],
			    kd->section, kd->key, sv);
		break;
	case CT_DN:
		if (strlen(value) > SIP_VALUE_MAX)
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: [%s] %s: longer than %d bytes", sc->file,
			    sc->line[k], kd->section, kd->key, SIP_VALUE_MAX);
		break;
	case CT_OPTPATH:
		if (*value != '\0' && !config_abspath(value, strlen(value)))
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: [%s] %s: '%s' is not an absolute path "
			    "made of safe characters", sc->file, sc->line[k],
			    kd->section, kd->key, sv);
		break;
	case CT_SUBNETS:
		if ((rc = config_subnets(cfg, value, sc, k)) != SIP_OK)
			return rc;
		break;
	case CT_PORTS:
		if ((rc = config_ports(cfg, value, sc, k)) != SIP_OK)
			return rc;
		break;
	case CT_BLACKOUT:
		if (sip_blackout_parse(value, cfg->blackout, SIP_BLACKOUT_MAX,
		    &cfg->nblackout, why, sizeof(why)) != SIP_OK) {
			cfg->nblackout = 0;
			return sip_errf(sc->err, SIP_ECONFIG,
			    "%s:%d: [blackout] windows: %s", sc->file,
			    sc->line[k], why);
		}
		break;
	}

	rc = SIP_OK;
	switch (k) {
	case CK_DB_PATH:
		rc = config_set_str(&cfg->db_path, value);
		break;
	case CK_DB_BUSY_TIMEOUT:
		cfg->busy_timeout_ms = (int)v;
		break;
	case CK_SERVER_BOOT_URL:
		rc = config_set_str(&cfg->boot_url, value);
		break;
	case CK_SERVER_CGI_URL:
		rc = config_set_str(&cfg->cgi_url, value);
		break;
	case CK_SERVER_BOOT_ROOT:
		rc = config_set_str(&cfg->boot_root, value);
		break;
	case CK_SERVER_DEADLINE:
		cfg->deadline = (int)v;
		break;
	case CK_MODULES_PATH:
		rc = config_set_str(&cfg->module_path, value);
		break;
	case CK_MODULES_TEMPLATES:
		rc = config_set_str(&cfg->template_dir, value);
		break;
	case CK_BOOT_DEFAULT:
		cfg->boot_default = v == 0 ? SIP_DEFAULT_LOCAL :
		    SIP_DEFAULT_ISCSI;
		break;
	case CK_BOOT_LOCAL_PCBIOS:
		cfg->local_pcbios = v == 0 ? SIP_LOCAL_SANBOOT :
		    SIP_LOCAL_EXIT;
		break;
	case CK_BOOT_LOCAL_EFI:
		cfg->local_efi = v == 0 ? SIP_LOCAL_SANBOOT : SIP_LOCAL_EXIT;
		break;
	case CK_BOOT_ISCSI_TARGET:
		rc = config_set_str(&cfg->iscsi_target, value);
		break;
	case CK_ACTIONS_MAX_BOOTS:
		cfg->max_boots = (int)v;
		break;
	case CK_ACTIONS_EXPIRES:
		cfg->expires = v;
		break;
	case CK_ACTIONS_HISTORY:
		cfg->history_keep = v;
		break;
	case CK_SECURITY_BIND:
		cfg->bind = (enum sip_bind)v;
		break;
	case CK_DHCP_TFTP_SERVER:
		rc = config_set_str(&cfg->dhcp_tftp_server, value);
		break;
	case CK_DHCP_BIOS_FILE:
		rc = config_set_str(&cfg->dhcp_bios_file, value);
		break;
	case CK_DHCP_EFI_FILE:
		rc = config_set_str(&cfg->dhcp_efi_file, value);
		break;
	case CK_DHCP_LEGACY_FILE:
		rc = config_set_str(&cfg->dhcp_legacy_file, value);
		break;
	case CK_LDAP_URI:
		rc = config_set_str(&cfg->ldap_uri, value);
		break;
	case CK_LDAP_BASE:
		rc = config_set_str(&cfg->ldap_base, value);
		break;
	case CK_LDAP_COMPUTERS:
		rc = config_set_str(&cfg->ldap_computers, value);
		break;
	case CK_LDAP_PARCS:
		rc = config_set_str(&cfg->ldap_parcs, value);
		break;
	case CK_LDAP_RIGHTS:
		rc = config_set_str(&cfg->ldap_rights, value);
		break;
	case CK_LDAP_PEOPLE:
		rc = config_set_str(&cfg->ldap_people, value);
		break;
	case CK_LDAP_BIND_DN:
		rc = config_set_str(&cfg->ldap_bind_dn, value);
		break;
	case CK_LDAP_BIND_PASSWORD_FILE:
		rc = config_set_str(&cfg->ldap_bind_password_file, value);
		break;
	case CK_LDAP_NETWORK_TIMEOUT:
		cfg->ldap_network_timeout = (int)v;
		break;
	case CK_LDAP_TIMEOUT:
		cfg->ldap_timeout = (int)v;
		break;
	case CK_LDAP_STARTTLS:
		cfg->ldap_starttls = (int)v;
		break;
	case CK_LDAP_ADMIN_RIGHT:
		rc = config_set_str(&cfg->ldap_admin_right, value);
		break;
	case CK_LDAP_DELEGATE_RIGHT:
		rc = config_set_str(&cfg->ldap_delegate_right, value);
		break;
	case CK_NETWORK_SUBNETS:
		break;		/* taken by config_subnets */
	case CK_WOL_PORT:
		cfg->wol_port = (int)v;
		break;
	case CK_WOL_BROADCAST_ALL:
		cfg->wol_broadcast_all = (int)v;
		break;
	case CK_PROBE_PORTS:
		break;		/* taken by config_ports */
	case CK_PROBE_TIMEOUT:
		cfg->probe_timeout_ms = (int)v;
		break;
	case CK_PROBE_PARALLEL:
		cfg->probe_parallel = (int)v;
		break;
	case CK_SESSIONS_SOURCE:
		cfg->sessions_source = (enum sip_sessions_source)v;
		break;
	case CK_SESSIONS_SMBSTATUS:
		rc = config_set_str(&cfg->sessions_smbstatus, value);
		break;
	case CK_SESSIONS_TIMEOUT:
		cfg->sessions_timeout = (int)v;
		break;
	case CK_REBOOT_NET:
		rc = config_set_str(&cfg->reboot_net, value);
		break;
	case CK_REBOOT_NET_AUTH_FILE:
		rc = config_set_str(&cfg->reboot_net_auth_file, value);
		break;
	case CK_REBOOT_SMBCLIENT:
		rc = config_set_str(&cfg->reboot_smbclient, value);
		break;
	case CK_REBOOT_SSH:
		rc = config_set_str(&cfg->reboot_ssh, value);
		break;
	case CK_REBOOT_SSH_KEY:
		rc = config_set_str(&cfg->reboot_ssh_key, value);
		break;
	case CK_REBOOT_SSH_USER:
		rc = config_set_str(&cfg->reboot_ssh_user, value);
		break;
	case CK_REBOOT_HOST_KEY:
		cfg->reboot_host_key = (int)v;
		break;
	case CK_REBOOT_WINDOWS_PORT:
		cfg->reboot_windows_port = (int)v;
		break;
	case CK_REBOOT_LINUX_PORT:
		cfg->reboot_linux_port = (int)v;
		break;
	case CK_REBOOT_DELAY:
		cfg->reboot_delay = (int)v;
		break;
	case CK_REBOOT_MESSAGE:
		rc = config_set_str(&cfg->reboot_message, value);
		break;
	case CK_REBOOT_TIMEOUT:
		cfg->reboot_timeout = (int)v;
		break;
	case CK_REBOOT_PARALLEL:
		cfg->reboot_parallel = (int)v;
		break;
	case CK_STATUS_REFRESH:
		cfg->status_refresh = (int)v;
		break;
	case CK_WOL_WAKE_TIMEOUT:
		cfg->wol_wake_timeout = v;
		break;
	case CK_WOL_RETRIES:
		cfg->wol_retries = (int)v;
		break;
	case CK_BLACKOUT_WINDOWS:
		break;		/* taken by sip_blackout_parse */
	case CK_STATUS_PROBE:
		cfg->status_probe = (int)v;
		break;
	case CK_SECRETS_FILE:
		rc = config_set_str(&cfg->secrets_file, value);
		break;
	case CK_MENU_PASSWORD_HASH:
		rc = config_set_str(&cfg->menu_password_hash, value);
		break;
	case CK_MENU_TRIES:
		cfg->menu_tries = (int)v;
		break;
	case CK_IMAGES_DIR:
		rc = config_set_str(&cfg->images_dir, value);
		break;
	case CK_IMAGES_LIMIT:
		cfg->images_limit = v * 1024 * 1024;
		break;
	case CK_IMAGES_RESERVE:
		cfg->images_reserve = v * 1024 * 1024;
		break;
	case CK_IMAGES_TIMEOUT:
		cfg->images_timeout = (int)v;
		break;
	case CK__MAX:
		break;
	}
	if (rc != SIP_OK)
		return sip_errf(sc->err, rc, "%s: %s", sc->file,
		    sip_strerror(rc));
	return SIP_OK;
}

/* Check and take every value read, in the order of the keys' table. */
static enum sip_rc
config_values(struct sip_config *cfg, const struct cscan *sc)
{
	size_t k;
	enum sip_rc rc;

	for (k = 0; k < CK__MAX; k++) {
		if (sc->value[k] == NULL)
			continue;
		if ((rc = config_value(cfg, (enum ckey)k, sc->value[k], sc)) !=
		    SIP_OK)
			return rc;
	}
	if (cfg->boot_default == SIP_DEFAULT_ISCSI &&
	    cfg->iscsi_target[0] == '\0')
		return sip_errf(sc->err, SIP_ECONFIG,
		    "%s:%d: [boot] iscsi_target is required when default "
		    "is iscsi", sc->file, sc->line[CK_BOOT_DEFAULT]);
	if (cfg->ldap_uri[0] != '\0' && cfg->ldap_base[0] == '\0')
		return sip_errf(sc->err, SIP_ECONFIG,
		    "%s:%d: [ldap] base is required when uri is set",
		    sc->file, sc->line[CK_LDAP_URI]);
	if (cfg->ldap_bind_dn[0] != '\0' &&
	    cfg->ldap_bind_password_file[0] == '\0')
		return sip_errf(sc->err, SIP_ECONFIG,
		    "%s:%d: [ldap] bind_password_file is required when "
		    "bind_dn is set", sc->file, sc->line[CK_LDAP_BIND_DN]);
	if (cfg->reboot_windows_port == cfg->reboot_linux_port)
		return sip_errf(sc->err, SIP_ECONFIG,
		    "%s:%d: [reboot] windows_port and linux_port are both %d: "
		    "the port that answers must tell them apart", sc->file,
		    sc->line[CK_REBOOT_LINUX_PORT] != 0 ?
		    sc->line[CK_REBOOT_LINUX_PORT] :
		    sc->line[CK_REBOOT_WINDOWS_PORT], cfg->reboot_linux_port);
	if (cfg->ldap_starttls && strncmp(cfg->ldap_uri, "ldaps://", 8) == 0)
		return sip_errf(sc->err, SIP_ECONFIG,
		    "%s:%d: [ldap] starttls = yes with an ldaps:// uri: "
		    "one or the other", sc->file, sc->line[CK_LDAP_STARTTLS]);
	return SIP_OK;
}

enum sip_rc
sip_config_load(struct sip_config *cfg, const char *path,
    struct sip_err *err)
{
	const char *file;
	char *text = NULL;
	size_t len;
	int explicit = 1;
	enum sip_rc rc;

	if (err != NULL)
		err->msg[0] = '\0';
	if ((rc = sip_config_defaults(cfg)) != SIP_OK)
		return sip_errf(err, rc, "configuration defaults: %s",
		    sip_strerror(rc));

	if ((file = path) == NULL && (file = getenv(SIP_CONFIG_ENV)) != NULL) {
		if (file[0] != '/')
			return sip_errf(err, SIP_ECONFIG,
			    "%s: '%s' is not an absolute path",
			    SIP_CONFIG_ENV, file);
	} else if (file == NULL) {
		file = SIP_CONFIG_PATH;
		explicit = 0;
	}

	if ((rc = sip_file_read(file, CONFIG_FILE_MAX, &text, &len, err)) !=
	    SIP_OK) {
		if (rc == SIP_ENOTFOUND && !explicit) {
			if (err != NULL)
				err->msg[0] = '\0';
			sip_template_fragments_set(cfg->template_dir);
			return SIP_OK;
		}
		return rc == SIP_ENOTFOUND ? SIP_EIO : rc;
	}
	rc = sip_config_parse(cfg, file, text, len, err);
	free(text);
	if (rc == SIP_OK)
		sip_template_fragments_set(cfg->template_dir);
	return rc;
}

/*
 * All or nothing: the values are gathered in a copy of the defaults and
 * replace *cfg only once every one of them is known good.
 */
enum sip_rc
sip_config_parse(struct sip_config *cfg, const char *file, const char *text,
    size_t len, struct sip_err *err)
{
	struct sip_config tmp;
	struct cscan sc;
	size_t k;
	enum sip_rc rc;

	memset(&sc, 0, sizeof(sc));
	if ((rc = sip_config_defaults(&tmp)) != SIP_OK)
		return sip_errf(err, rc, "configuration defaults: %s",
		    sip_strerror(rc));
	sc.file = file;
	sc.err = err;
	if ((rc = config_lines(file, text, len, err)) != SIP_OK)
		goto out;
	if ((rc = sip_ini_parse(file, text, len, config_section_cb,
	    config_key_cb, &sc, err)) != SIP_OK) {
		if (rc == SIP_EMODULE)
			rc = SIP_ECONFIG;
		goto out;
	}

	if ((rc = config_values(&tmp, &sc)) != SIP_OK ||
	    (rc = sip_models_check(sc.models, sc.nmodels, file, err)) !=
	    SIP_OK)
		goto out;
	tmp.models = sc.models;
	tmp.nmodels = sc.nmodels;
	sc.models = NULL;
	sc.nmodels = 0;
	if ((rc = config_set_str(&tmp.path, file)) != SIP_OK) {
		rc = sip_errf(err, rc, "%s: %s", file, sip_strerror(rc));
		goto out;
	}

	sip_config_free(cfg);
	*cfg = tmp;
	memset(&tmp, 0, sizeof(tmp));
 out:
	for (k = 0; k < CK__MAX; k++)
		free(sc.value[k]);
	sip_models_free(sc.models, sc.nmodels);
	sip_config_free(&tmp);
	return rc;
}
