/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for se3-ipxe.conf loading: one vector per key and per rule. */
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

enum field {
	F_DB_PATH, F_BUSY, F_BOOT_URL, F_CGI_URL, F_BOOT_ROOT, F_DEADLINE,
	F_MODULE_PATH, F_TEMPLATES, F_DEFAULT, F_PCBIOS, F_EFI, F_ISCSI,
	F_MAX_BOOTS, F_EXPIRES, F_HISTORY, F_BIND, F_LDAP_URI, F_LDAP_BASE,
	F_LDAP_COMPUTERS, F_LDAP_NETTIMEOUT, F_LDAP_TIMEOUT, F_LDAP_STARTTLS,
	F_WAKE_TIMEOUT, F_RETRIES, F_BLACKOUT
};

/* A file that loads, and the one field it sets. */
struct good {
	const char	*text;
	enum field	 f;
	const char	*s;	/* string fields */
	int64_t		 i;	/* the others */
};

/* A file that does not load: "%s" in msg is the file's path. */
struct bad {
	const char	*text;
	enum sip_rc	 rc;
	const char	*msg;
};

static const struct good goods[] = {
	{ "[database]\npath = /srv/se3-ipxe/db.sqlite\n", F_DB_PATH,
	  "/srv/se3-ipxe/db.sqlite", 0 },
	{ "[database]\nbusy_timeout = 0\n", F_BUSY, NULL, 0 },
	{ "[database]\nbusy_timeout = 60000\n", F_BUSY, NULL, 60000 },
	{ "[database]\nbusy_timeout = 0100\n", F_BUSY, NULL, 100 },
	{ "[server]\nboot_url = http://se3.lan/se3-ipxe\n", F_BOOT_URL,
	  "http://se3.lan/se3-ipxe", 0 },
	{ "[server]\nboot_url =\n", F_BOOT_URL, "", 0 },
	{ "[server]\nboot_url = \"http://10.0.0.1:8080/x\"\n", F_BOOT_URL,
	  "http://10.0.0.1:8080/x", 0 },
	{ "[server]\ncgi_url = http://se3.lan/cgi-bin/ipxe.cgi\n", F_CGI_URL,
	  "http://se3.lan/cgi-bin/ipxe.cgi", 0 },
	{ "[server]\ncgi_url =\n", F_CGI_URL, "", 0 },
	{ "[server]\nboot_root = /srv/www/boot\n", F_BOOT_ROOT,
	  "/srv/www/boot", 0 },
	{ "[server]\ndeadline = 1\n", F_DEADLINE, NULL, 1 },
	{ "[server]\ndeadline = 60\n", F_DEADLINE, NULL, 60 },
	{ "[server]\ndeadline = 7 ; seconds\n", F_DEADLINE, NULL, 7 },
	/* Comments may end a line, as se3-ipxe.conf(5) and the example say. */
	{ "[server]\ndeadline = 7 # seconds\n", F_DEADLINE, NULL, 7 },
	{ "[server]\ndeadline = 7;seconds\n", F_DEADLINE, NULL, 7 },
	{ "[server]\nboot_url = ; none yet\n", F_BOOT_URL, "", 0 },
	{ "[server]\nboot_url = \"http://x/\" ; quoted\n", F_BOOT_URL,
	  "http://x/", 0 },
	{ "[server]\nboot_url = 'http://x/'\n", F_BOOT_URL, "http://x/", 0 },
	{ "[server]\nboot_url = \"\"\n", F_BOOT_URL, "", 0 },
	{ "[modules]\npath = /a/b\n", F_MODULE_PATH, "/a/b", 0 },
	{ "[modules]\npath = /a/b:/c:/usr/local/share/m\n", F_MODULE_PATH,
	  "/a/b:/c:/usr/local/share/m", 0 },
	{ "[modules]\ntemplates = /etc/se3-ipxe/templates\n", F_TEMPLATES,
	  "/etc/se3-ipxe/templates", 0 },
	{ "[boot]\ndefault = local\n", F_DEFAULT, NULL, SIP_DEFAULT_LOCAL },
	{ "[boot]\ndefault = iscsi\niscsi_target = "
	  "iscsi:10.0.0.2::::iqn.2026-01.lan.se3:win10\n", F_DEFAULT, NULL,
	  SIP_DEFAULT_ISCSI },
	{ "[boot]\nlocal_pcbios = exit\n", F_PCBIOS, NULL, SIP_LOCAL_EXIT },
	{ "[boot]\nlocal_pcbios = sanboot\n", F_PCBIOS, NULL,
	  SIP_LOCAL_SANBOOT },
	{ "[boot]\nlocal_efi = sanboot\n", F_EFI, NULL, SIP_LOCAL_SANBOOT },
	{ "[boot]\nlocal_efi = exit\n", F_EFI, NULL, SIP_LOCAL_EXIT },
	{ "[boot]\niscsi_target = iscsi:10.0.0.2::::iqn.2026-01.lan.se3:w\n",
	  F_ISCSI, "iscsi:10.0.0.2::::iqn.2026-01.lan.se3:w", 0 },
	{ "[boot]\niscsi_target =\n", F_ISCSI, "", 0 },
	{ "[actions]\nmax_boots = 1\n", F_MAX_BOOTS, NULL, 1 },
	{ "[actions]\nmax_boots = 100\n", F_MAX_BOOTS, NULL, 100 },
	{ "[actions]\nexpires = 1m\n", F_EXPIRES, NULL, 60 },
	{ "[actions]\nexpires = 60\n", F_EXPIRES, NULL, 60 },
	{ "[actions]\nexpires = 30d\n", F_EXPIRES, NULL, 30 * 86400 },
	{ "[actions]\nexpires = 2w\n", F_EXPIRES, NULL, 14 * 86400 },
	{ "[actions]\nhistory = 1d\n", F_HISTORY, NULL, 86400 },
	{ "[security]\nbind = address\n", F_BIND, NULL, SIP_BIND_ADDRESS },
	{ "[security]\nbind = none\n", F_BIND, NULL, SIP_BIND_NONE },
	{ "[actions]\nhistory = 3650d\n", F_HISTORY, NULL, 3650 * 86400LL },
	{ "; comment\n# comment\n\n[actions]\r\nhistory = 24h\r\n", F_HISTORY,
	  NULL, 86400 },
	{ "", F_MAX_BOOTS, NULL, 3 },
	{ "", F_LDAP_URI, "", 0 },
	{ "", F_LDAP_COMPUTERS, "ou=Computers", 0 },
	{ "", F_LDAP_NETTIMEOUT, NULL, 5 },
	{ "", F_LDAP_TIMEOUT, NULL, 10 },
	{ "[ldap]\nuri = ldap://se3.lan/\nbase = dc=college,dc=fr\n",
	  F_LDAP_URI, "ldap://se3.lan/", 0 },
	{ "[ldap]\nuri = ldaps://127.0.0.1:6360\nbase = o=x\n",
	  F_LDAP_URI, "ldaps://127.0.0.1:6360", 0 },
	{ "[ldap]\nuri = ldap://h/\nbase = dc=a b,dc=fr\n", F_LDAP_BASE,
	  "dc=a b,dc=fr", 0 },
	{ "[ldap]\ncomputers = ou=Machines\n", F_LDAP_COMPUTERS,
	  "ou=Machines", 0 },
	{ "[ldap]\nnetwork_timeout = 1\n", F_LDAP_NETTIMEOUT, NULL, 1 },
	{ "[ldap]\ntimeout = 60\n", F_LDAP_TIMEOUT, NULL, 60 },
	{ "[ldap]\nuri = ldap://h/\nbase = o=x\nstarttls = yes\n",
	  F_LDAP_STARTTLS, NULL, 1 },
	{ "[actions]\n", F_MAX_BOOTS, NULL, 3 },
	{ "[wol]\n", F_WAKE_TIMEOUT, NULL, 300 },
	{ "[wol]\nwake_timeout = 1m\n", F_WAKE_TIMEOUT, NULL, 60 },
	{ "[wol]\nwake_timeout = 1d\n", F_WAKE_TIMEOUT, NULL, 86400 },
	{ "[wol]\n", F_RETRIES, NULL, 2 },
	{ "[wol]\nretries = 0\n", F_RETRIES, NULL, 0 },
	{ "[wol]\nretries = 10\n", F_RETRIES, NULL, 10 },
	{ "[blackout]\n", F_BLACKOUT, NULL, 0 },
	{ "[blackout]\nwindows =\n", F_BLACKOUT, NULL, 0 },
	{ "[blackout]\nwindows = mon-fri 08:00-12:00, mon-fri 13:30-17:30 "
	  "; lessons\n", F_BLACKOUT, NULL, 2 },
};

static const struct bad bads[] = {
	/* names */
	{ "[databse]\npath = /x\n", SIP_ECONFIG,
	  "%s:1: unknown section [databse]" },
	{ "[database]\npaht = /x\n", SIP_ECONFIG,
	  "%s:2: unknown key 'paht' in [database]" },
	/* quotes */
	{ "[server]\nboot_url = \"http://x/\n", SIP_ECONFIG,
	  "%s:2: a quote is not closed" },
	{ "[server]\nboot_url = \"http://x/\" junk\n", SIP_ECONFIG,
	  "%s:2: text after the closing quote" },
	{ "[db]\n[server]\nboot_url = \"x\n", SIP_ECONFIG,
	  "%s:1: unknown section [db]" },
	{ "[server]\nbusy_timeout = 5\n", SIP_ECONFIG,
	  "%s:2: unknown key 'busy_timeout' in [server]" },
	{ "[Database]\npath = /x\n", SIP_ECONFIG,
	  "%s:1: unknown section [Database]" },
	{ "[database]\nPath = /x\n", SIP_ECONFIG,
	  "%s:2: unknown key 'Path' in [database]" },
	{ "[capability run]\n", SIP_ECONFIG,
	  "%s:1: unknown section [capability run]" },
	{ "path = /x\n[database]\n", SIP_ECONFIG,
	  "%s:1: key 'path' before any [section]" },
	{ "[database]\npath = /x\n[server]\n[database]\n", SIP_ECONFIG,
	  "%s:4: repeated section [database] (first at line 1)" },
	{ "[database]\npath = /x\npath = /y\n", SIP_ECONFIG,
	  "%s:3: repeated key 'path' in [database] (first at line 2)" },
	/* syntax */
	{ "[database]\npath\n", SIP_ECONFIG,
	  "%s:2: expected [section] or key = value" },
	{ "[database\n", SIP_ECONFIG,
	  "%s:1: bad section header: expected [name] or [name name]" },
	{ "[database]\npath = /x\\\n", SIP_ECONFIG,
	  "%s:2: a line may not end with a backslash" },
	{ "; see C:\\\n[database]\npath = /x\n", SIP_ECONFIG,
	  "%s:1: a line may not end with a backslash" },
	{ "[database]\npath = /x\x01\n", SIP_ECONFIG,
	  "%s:2: control character 0x01" },
	{ "[database]\npath = /a\tb\n", SIP_ECONFIG,
	  "%s:2: [database] path: control character in the value" },
	/* [database] path */
	{ "[database]\npath = var/lib/x.db\n", SIP_ECONFIG,
	  "%s:2: [database] path: 'var/lib/x.db' is not an absolute path "
	  "made of safe characters" },
	{ "[database]\npath =\n", SIP_ECONFIG,
	  "%s:2: [database] path: '' is not an absolute path made of safe "
	  "characters" },
	{ "[database]\npath = /my db\n", SIP_ECONFIG,
	  "%s:2: [database] path: '/my db' is not an absolute path made of "
	  "safe characters" },
	/* [database] busy_timeout */
	{ "[database]\nbusy_timeout = 60001\n", SIP_ECONFIG,
	  "%s:2: [database] busy_timeout: 60001 is out of range 0..60000" },
	{ "[database]\nbusy_timeout = -1\n", SIP_ECONFIG,
	  "%s:2: [database] busy_timeout: -1 is out of range 0..60000" },
	{ "[database]\nbusy_timeout = 99999999999999999999\n", SIP_ECONFIG,
	  "%s:2: [database] busy_timeout: 99999999999999999999 is out of "
	  "range 0..60000" },
	{ "[database]\nbusy_timeout = 2s\n", SIP_ECONFIG,
	  "%s:2: [database] busy_timeout: '2s' is not a decimal integer" },
	{ "[database]\nbusy_timeout = 0x10\n", SIP_ECONFIG,
	  "%s:2: [database] busy_timeout: '0x10' is not a decimal integer" },
	{ "[database]\nbusy_timeout = +5\n", SIP_ECONFIG,
	  "%s:2: [database] busy_timeout: '+5' is not a decimal integer" },
	{ "[database]\nbusy_timeout =\n", SIP_ECONFIG,
	  "%s:2: [database] busy_timeout: '' is not a decimal integer" },
	{ "[database]\nbusy_timeout = 1 2\n", SIP_ECONFIG,
	  "%s:2: [database] busy_timeout: '1 2' is not a decimal integer" },
	/* [server] */
	{ "[server]\nboot_url = https://se3.lan/\n", SIP_ECONFIG,
	  "%s:2: [server] boot_url: 'https://se3.lan/' is not a valid "
	  "http:// URL" },
	{ "[server]\nboot_url = http://se3.lan/${x}\n", SIP_ECONFIG,
	  "%s:2: [server] boot_url: 'http://se3.lan/${x}' is not a valid "
	  "http:// URL" },
	{ "[server]\ncgi_url = se3.lan/cgi-bin/ipxe.cgi\n", SIP_ECONFIG,
	  "%s:2: [server] cgi_url: 'se3.lan/cgi-bin/ipxe.cgi' is not a valid "
	  "http:// URL" },
	{ "[server]\nboot_root = www\n", SIP_ECONFIG,
	  "%s:2: [server] boot_root: 'www' is not an absolute path made of "
	  "safe characters" },
	{ "[server]\ndeadline = 0\n", SIP_ECONFIG,
	  "%s:2: [server] deadline: 0 is out of range 1..60" },
	{ "[server]\ndeadline = 61\n", SIP_ECONFIG,
	  "%s:2: [server] deadline: 61 is out of range 1..60" },
	{ "[server]\ndeadline = 5s\n", SIP_ECONFIG,
	  "%s:2: [server] deadline: '5s' is not a decimal integer" },
	/* [modules] */
	{ "[modules]\npath = /a:b\n", SIP_ECONFIG,
	  "%s:2: [modules] path: 'b' is not an absolute path made of safe "
	  "characters" },
	{ "[modules]\npath = /a::/b\n", SIP_ECONFIG,
	  "%s:2: [modules] path: '' is not an absolute path made of safe "
	  "characters" },
	{ "[modules]\npath = /a:\n", SIP_ECONFIG,
	  "%s:2: [modules] path: '' is not an absolute path made of safe "
	  "characters" },
	{ "[modules]\npath =\n", SIP_ECONFIG,
	  "%s:2: [modules] path: empty: expected absolute directories "
	  "separated by ':'" },
	{ "[modules]\ntemplates = templates\n", SIP_ECONFIG,
	  "%s:2: [modules] templates: 'templates' is not an absolute path "
	  "made of safe characters" },
	{ "[modules]\ntemplates = /a:/b\n", SIP_ECONFIG,
	  "%s:2: [modules] templates: '/a:/b' is not an absolute path made "
	  "of safe characters" },
	/* [boot] */
	{ "[boot]\ndefault = pxe\n", SIP_ECONFIG,
	  "%s:2: [boot] default: 'pxe' is not local or iscsi" },
	{ "[boot]\ndefault = Local\n", SIP_ECONFIG,
	  "%s:2: [boot] default: 'Local' is not local or iscsi" },
	{ "[boot]\ndefault = iscsi\n", SIP_ECONFIG,
	  "%s:2: [boot] iscsi_target is required when default is iscsi" },
	{ "[boot]\niscsi_target =\ndefault = iscsi\n", SIP_ECONFIG,
	  "%s:3: [boot] iscsi_target is required when default is iscsi" },
	{ "[boot]\nlocal_pcbios = reboot\n", SIP_ECONFIG,
	  "%s:2: [boot] local_pcbios: 'reboot' is not sanboot or exit" },
	{ "[boot]\nlocal_efi =\n", SIP_ECONFIG,
	  "%s:2: [boot] local_efi: '' is not sanboot or exit" },
	/* [security] */
	{ "[security]\nbind = mac\n", SIP_ECONFIG,
	  "%s:2: [security] bind: 'mac' is not address or none" },
	{ "[security]\nbind = Address\n", SIP_ECONFIG,
	  "%s:2: [security] bind: 'Address' is not address or none" },
	{ "[security]\nbind =\n", SIP_ECONFIG,
	  "%s:2: [security] bind: '' is not address or none" },
	{ "[security]\nbinding = none\n", SIP_ECONFIG,
	  "%s:2: unknown key 'binding' in [security]" },
	{ "[boot]\niscsi_target = 10.0.0.2:iqn.x\n", SIP_ECONFIG,
	  "%s:2: [boot] iscsi_target: '10.0.0.2:iqn.x' is not a valid iSCSI "
	  "root path" },
	/* [ldap] */
	{ "[ldap]\nuri = http://se3/\nbase = o=x\n", SIP_ECONFIG,
	  "%s:2: [ldap] uri: 'http://se3/' is not ldap://HOST[:PORT]/ or "
	  "ldaps://HOST[:PORT]/" },
	{ "[ldap]\nuri = ldap:///\nbase = o=x\n", SIP_ECONFIG,
	  "%s:2: [ldap] uri: 'ldap:///' is not ldap://HOST[:PORT]/ or "
	  "ldaps://HOST[:PORT]/" },
	{ "[ldap]\nuri = ldap://h/o=x??sub\nbase = o=x\n", SIP_ECONFIG,
	  "%s:2: [ldap] uri: 'ldap://h/o=x??sub' is not ldap://HOST[:PORT]/ "
	  "or ldaps://HOST[:PORT]/" },
	{ "[ldap]\nuri = ldap://h/\n", SIP_ECONFIG,
	  "%s:2: [ldap] base is required when uri is set" },
	{ "[ldap]\nbind_dn = cn=admin,o=x\n", SIP_ECONFIG,
	  "%s:2: [ldap] bind_password_file is required when bind_dn is set" },
	{ "[ldap]\nbind_password_file = secret\n", SIP_ECONFIG,
	  "%s:2: [ldap] bind_password_file: 'secret' is not an absolute path "
	  "made of safe characters" },
	{ "[ldap]\ntimeout = 0\n", SIP_ECONFIG,
	  "%s:2: [ldap] timeout: 0 is out of range 1..60" },
	{ "[ldap]\nnetwork_timeout = 61\n", SIP_ECONFIG,
	  "%s:2: [ldap] network_timeout: 61 is out of range 1..60" },
	{ "[ldap]\nstarttls = maybe\n", SIP_ECONFIG,
	  "%s:2: [ldap] starttls: 'maybe' is not no or yes" },
	{ "[ldap]\nuri = ldaps://h/\nbase = o=x\nstarttls = yes\n",
	  SIP_ECONFIG, "%s:4: [ldap] starttls = yes with an ldaps:// uri: "
	  "one or the other" },
	{ "[ldap]\nport = 389\n", SIP_ECONFIG,
	  "%s:2: unknown key 'port' in [ldap]" },
	/* [wol] */
	{ "[wol]\nwake_timeout = 59s\n", SIP_ECONFIG,
	  "%s:2: [wol] wake_timeout: 59s is out of range 1m..1d" },
	{ "[wol]\nwake_timeout = soon\n", SIP_ECONFIG,
	  "%s:2: [wol] wake_timeout: 'soon' is not a duration "
	  "(N, Ns, Nm, Nh, Nd or Nw)" },
	{ "[wol]\nretries = 11\n", SIP_ECONFIG,
	  "%s:2: [wol] retries: 11 is out of range 0..10" },
	/* [blackout] */
	{ "[blackout]\nwindows = mon-fri 08:00-12:00,\n", SIP_ECONFIG,
	  "%s:2: [blackout] windows: a comma with no window after it" },
	{ "[blackout]\nwindows = mon-fri 8h-12h\n", SIP_ECONFIG,
	  "%s:2: [blackout] windows: '8h-12h': not HH:MM-HH:MM "
	  "(00:00 to 24:00)" },
	/* [actions] */
	{ "[actions]\nmax_boots = 0\n", SIP_ECONFIG,
	  "%s:2: [actions] max_boots: 0 is out of range 1..100" },
	{ "[actions]\nmax_boots = 101\n", SIP_ECONFIG,
	  "%s:2: [actions] max_boots: 101 is out of range 1..100" },
	{ "[actions]\nmax_boots = three\n", SIP_ECONFIG,
	  "%s:2: [actions] max_boots: 'three' is not a decimal integer" },
	{ "[actions]\nexpires = 59s\n", SIP_ECONFIG,
	  "%s:2: [actions] expires: 59s is out of range 1m..30d" },
	{ "[actions]\nexpires = 31d\n", SIP_ECONFIG,
	  "%s:2: [actions] expires: 31d is out of range 1m..30d" },
	{ "[actions]\nexpires = 4 h\n", SIP_ECONFIG,
	  "%s:2: [actions] expires: '4 h' is not a duration (N, Ns, Nm, Nh, "
	  "Nd or Nw)" },
	{ "[actions]\nexpires = 4hours\n", SIP_ECONFIG,
	  "%s:2: [actions] expires: '4hours' is not a duration (N, Ns, Nm, "
	  "Nh, Nd or Nw)" },
	{ "[actions]\nexpires = -4h\n", SIP_ECONFIG,
	  "%s:2: [actions] expires: '-4h' is not a duration (N, Ns, Nm, Nh, "
	  "Nd or Nw)" },
	{ "[actions]\nexpires = 99999999999999999999w\n", SIP_ECONFIG,
	  "%s:2: [actions] expires: 99999999999999999999w is out of range "
	  "1m..30d" },
	{ "[actions]\nexpires = 9999999999999999w\n", SIP_ECONFIG,
	  "%s:2: [actions] expires: 9999999999999999w is out of range "
	  "1m..30d" },
	{ "[actions]\nhistory = 23h\n", SIP_ECONFIG,
	  "%s:2: [actions] history: 23h is out of range 1d..3650d" },
	{ "[actions]\nhistory = 3651d\n", SIP_ECONFIG,
	  "%s:2: [actions] history: 3651d is out of range 1d..3650d" },
	{ "[actions]\nhistory =\n", SIP_ECONFIG,
	  "%s:2: [actions] history: '' is not a duration (N, Ns, Nm, Nh, Nd "
	  "or Nw)" },
};

static char	 tmpdir[] = "/tmp/sip-config-XXXXXX";

static const char *write_file(const char *, const char *);
static char	*test_strdup(const char *);
static void	 expand(char *, size_t, const char *, const char *);
static int64_t	 field_int(const struct sip_config *, enum field);
static const char *field_str(const struct sip_config *, enum field);
static int	 is_defaults(const struct sip_config *);
static void	 test_defaults(void);
static void	 test_goods(void);
static void	 test_bads(void);
static void	 test_paths(void);
static void	 test_example(void);

static const char *
write_file(const char *name, const char *text)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if ((f = fopen(path, "w")) == NULL) {
		printf("Bail out! %s: %s\n", path, strerror(errno));
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	return path;
}

static char *
test_strdup(const char *s)
{
	char *p;

	if ((p = malloc(strlen(s) + 1)) == NULL) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	return memcpy(p, s, strlen(s) + 1);
}

/* fmt with its first "%s" replaced by path. */
static void
expand(char *buf, size_t sz, const char *fmt, const char *path)
{
	const char *p;

	if ((p = strstr(fmt, "%s")) == NULL)
		snprintf(buf, sz, "%s", fmt);
	else
		snprintf(buf, sz, "%.*s%s%s", (int)(p - fmt), fmt, path, p + 2);
}

static int64_t
field_int(const struct sip_config *c, enum field f)
{
	switch (f) {
	case F_BUSY:
		return c->busy_timeout_ms;
	case F_DEADLINE:
		return c->deadline;
	case F_DEFAULT:
		return c->boot_default;
	case F_PCBIOS:
		return c->local_pcbios;
	case F_EFI:
		return c->local_efi;
	case F_MAX_BOOTS:
		return c->max_boots;
	case F_EXPIRES:
		return c->expires;
	case F_HISTORY:
		return c->history_keep;
	case F_BIND:
		return c->bind;
	case F_LDAP_NETTIMEOUT:
		return c->ldap_network_timeout;
	case F_LDAP_TIMEOUT:
		return c->ldap_timeout;
	case F_LDAP_STARTTLS:
		return c->ldap_starttls;
	case F_WAKE_TIMEOUT:
		return c->wol_wake_timeout;
	case F_RETRIES:
		return c->wol_retries;
	case F_BLACKOUT:
		return (int64_t)c->nblackout;
	default:
		return -1;
	}
}

static const char *
field_str(const struct sip_config *c, enum field f)
{
	switch (f) {
	case F_DB_PATH:
		return c->db_path;
	case F_BOOT_URL:
		return c->boot_url;
	case F_CGI_URL:
		return c->cgi_url;
	case F_BOOT_ROOT:
		return c->boot_root;
	case F_MODULE_PATH:
		return c->module_path;
	case F_TEMPLATES:
		return c->template_dir;
	case F_ISCSI:
		return c->iscsi_target;
	case F_LDAP_URI:
		return c->ldap_uri;
	case F_LDAP_BASE:
		return c->ldap_base;
	case F_LDAP_COMPUTERS:
		return c->ldap_computers;
	default:
		return NULL;
	}
}

static int
is_defaults(const struct sip_config *c)
{
	return c->path == NULL &&
	    strcmp(c->db_path, "/var/lib/se3-ipxe/se3-ipxe.db") == 0 &&
	    c->busy_timeout_ms == 2000 && strcmp(c->boot_url, "") == 0 &&
	    strcmp(c->cgi_url, "") == 0 &&
	    strcmp(c->boot_root, "/var/lib/se3-ipxe/boot") == 0 &&
	    c->deadline == 5 &&
	    strcmp(c->module_path, SIP_DATADIR "/modules:" SIP_SYSCONFDIR
	    "/se3-ipxe/modules") == 0 &&
	    strcmp(c->template_dir, SIP_DATADIR "/templates") == 0 &&
	    c->boot_default == SIP_DEFAULT_LOCAL &&
	    c->local_pcbios == SIP_LOCAL_SANBOOT &&
	    c->local_efi == SIP_LOCAL_EXIT &&
	    strcmp(c->iscsi_target, "") == 0 &&
	    c->max_boots == 3 && c->expires == 4 * 3600 &&
	    c->history_keep == 365 * 86400 && c->bind == SIP_BIND_ADDRESS &&
	    c->wol_port == 9 && c->wol_broadcast_all == 0 &&
	    strcmp(c->ldap_admin_right, "system_is_admin") == 0 &&
	    strcmp(c->ldap_delegate_right, "parc_can_clone") == 0 &&
	    strcmp(c->secrets_file, SIP_SYSCONFDIR "/se3-ipxe/secrets") == 0;
}

static void
test_defaults(void)
{
	struct sip_config c;

	is_int(sip_config_defaults(&c), SIP_OK, "defaults: SIP_OK");
	ok(is_defaults(&c), "defaults: every key has its documented default");
	sip_config_free(&c);
	ok(c.db_path == NULL && c.path == NULL, "free: clears the struct");
	sip_config_free(&c);
	ok(1, "free: twice is harmless");
	sip_config_free(NULL);
	ok(1, "free: NULL is harmless");
}

static void
test_goods(void)
{
	struct sip_config c;
	struct sip_err err;
	const char *path;
	size_t i;

	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		path = write_file("good.conf", goods[i].text);
		err.msg[0] = 'x';
		if (!is_int(sip_config_load(&c, path, &err), SIP_OK,
		    "good %zu: loads", i))
			printf("# %s\n", err.msg);
		is_str(err.msg, "", "good %zu: no message", i);
		is_str(c.path, path, "good %zu: path recorded", i);
		if (goods[i].s != NULL)
			is_str(field_str(&c, goods[i].f), goods[i].s,
			    "good %zu: value", i);
		else
			is_int(field_int(&c, goods[i].f), goods[i].i,
			    "good %zu: value", i);
		sip_config_free(&c);
	}
}

static void
test_bads(void)
{
	struct sip_config c;
	struct sip_err err;
	const char *path;
	char want[1024];
	size_t i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		path = write_file("bad.conf", bads[i].text);
		expand(want, sizeof(want), bads[i].msg, path);
		is_int(sip_config_load(&c, path, &err), bads[i].rc,
		    "bad %zu: rc", i);
		is_str(err.msg, want, "bad %zu: message", i);
		ok(is_defaults(&c), "bad %zu: defaults are left", i);
		sip_config_free(&c);
	}

	/* Longer than iniparser's line buffer. */
	{
		char text[1100];

		memset(text, 'a', sizeof(text));
		memcpy(text, "[server]\nboot_url = http://x/", 29);
		snprintf(text + 9 + 1023, sizeof(text) - 9 - 1023, "\n");
		path = write_file("bad.conf", text);
		snprintf(want, sizeof(want),
		    "%s:2: line longer than 1022 bytes", path);
		is_int(sip_config_load(&c, path, &err), SIP_ECONFIG,
		    "bad: a 1023-byte line: rc");
		is_str(err.msg, want, "bad: a 1023-byte line: message");
		sip_config_free(&c);
		snprintf(text + 9 + 1022, sizeof(text) - 9 - 1022, "\n");
		path = write_file("bad.conf", text);
		is_int(sip_config_load(&c, path, &err), SIP_ECONFIG,
		    "a 1022-byte line gets to the value check");
		if (!ok(strstr(err.msg, "is not a valid http:// URL") != NULL,
		    "... which refuses an over-long URL"))
			printf("# %s\n", err.msg);
		sip_config_free(&c);
	}
}

static void
test_paths(void)
{
	struct sip_config c;
	struct sip_err err;
	const char *path;
	char want[1024], missing[128];
	struct stat sb;

	path = write_file("env.conf", "[actions]\nmax_boots = 42\n");
	snprintf(missing, sizeof(missing), "%s/missing.conf", tmpdir);

	setenv(SIP_CONFIG_ENV, path, 1);
	is_int(sip_config_load(&c, NULL, &err), SIP_OK,
	    "env: SE3_IPXE_CONFIG is read when path is NULL");
	is_int(c.max_boots, 42, "env: its value");
	is_str(c.path, path, "env: its path");
	sip_config_free(&c);

	write_file("explicit.conf", "[actions]\nmax_boots = 7\n");
	snprintf(want, sizeof(want), "%s/explicit.conf", tmpdir);
	is_int(sip_config_load(&c, want, &err), SIP_OK,
	    "env: an explicit path wins over SE3_IPXE_CONFIG");
	is_int(c.max_boots, 7, "env: the explicit file's value");
	sip_config_free(&c);

	setenv(SIP_CONFIG_ENV, "se3-ipxe.conf", 1);
	is_int(sip_config_load(&c, NULL, &err), SIP_ECONFIG,
	    "env: a relative SE3_IPXE_CONFIG is refused");
	is_str(err.msg, "SE3_IPXE_CONFIG: 'se3-ipxe.conf' is not an absolute "
	    "path", "env: ... with a message");
	ok(is_defaults(&c), "env: ... and defaults left");
	sip_config_free(&c);

	setenv(SIP_CONFIG_ENV, "", 1);
	is_int(sip_config_load(&c, NULL, &err), SIP_ECONFIG,
	    "env: an empty SE3_IPXE_CONFIG is refused");
	is_str(err.msg, "SE3_IPXE_CONFIG: '' is not an absolute path",
	    "env: ... with a message");
	sip_config_free(&c);

	setenv(SIP_CONFIG_ENV, missing, 1);
	is_int(sip_config_load(&c, NULL, &err), SIP_EIO,
	    "env: a missing SE3_IPXE_CONFIG file is an error");
	snprintf(want, sizeof(want), "%s: No such file or directory", missing);
	is_str(err.msg, want, "env: ... naming the file");
	ok(is_defaults(&c), "env: ... and defaults left");
	sip_config_free(&c);

	unsetenv(SIP_CONFIG_ENV);
	is_int(sip_config_load(&c, missing, &err), SIP_EIO,
	    "explicit: a missing file is an error");
	is_str(err.msg, want, "explicit: ... naming the file");
	sip_config_free(&c);

	is_int(sip_config_load(&c, tmpdir, &err), SIP_EIO,
	    "explicit: a directory is an error");
	snprintf(want, sizeof(want), "%s: not a regular file", tmpdir);
	is_str(err.msg, want, "explicit: ... not a regular file");
	sip_config_free(&c);

	if (stat(SIP_CONFIG_PATH, &sb) == -1 && errno == ENOENT) {
		err.msg[0] = 'x';
		is_int(sip_config_load(&c, NULL, &err), SIP_OK,
		    "default: a missing " SIP_CONFIG_PATH " gives defaults");
		ok(is_defaults(&c), "default: ... every default, no path");
		is_str(err.msg, "", "default: ... and no message");
		sip_config_free(&c);
	} else {
		ok(1, "# SKIP " SIP_CONFIG_PATH " exists here");
		ok(1, "# SKIP " SIP_CONFIG_PATH " exists here");
		ok(1, "# SKIP " SIP_CONFIG_PATH " exists here");
	}

	is_int(sip_config_load(&c, "/etc/se3-ipxe.conf.example.absent", NULL),
	    SIP_EIO, "err may be NULL");
	sip_config_free(&c);
}

/*
 * The shipped se3-ipxe.conf.example (the tests run from the tree's root)
 * loads as it is, and its commented values are the true defaults.
 */
static void
test_example(void)
{
	struct sip_config c;
	struct sip_err err;
	char line[1100], *text = NULL, *p;
	size_t len = 0, n;
	FILE *in, *out;
	const char *path;
	int whole;

	if ((in = fopen("se3-ipxe.conf.example", "r")) == NULL) {
		ok(0, "example: se3-ipxe.conf.example: %s", strerror(errno));
		return;
	}
	if (!is_int(sip_config_load(&c, "se3-ipxe.conf.example", &err), SIP_OK,
	    "example: loads as shipped"))
		printf("# %s\n", err.msg);
	free(c.path);
	c.path = NULL;
	ok(is_defaults(&c), "example: as shipped, every default");
	sip_config_free(&c);

	/* Uncomment every ";key = value" line. */
	if ((out = open_memstream(&text, &len)) == NULL) {
		fclose(in);
		ok(0, "open_memstream");
		return;
	}
	/*
	 * Each one ending with a comment, as the example says a line may:
	 * the values must read the same.
	 */
	n = 0;
	whole = 0;
	while (fgets(line, sizeof(line), in) != NULL) {
		p = line;
		if (strstr(line, "whole lines") != NULL)
			whole = 1;
		if (line[0] == ';' && line[1] >= 'a' && line[1] <= 'z' &&
		    strchr(line, '=') != NULL) {
			p = line + 1;
			p[strcspn(p, "\n")] = '\0';
			fprintf(out, "%s\t; %s\n", p, n % 2 ? "note" : "");
			n++;
			continue;
		}
		fputs(p, out);
	}
	fclose(in);
	fclose(out);
	is_int(n, 67, "example: shows all 67 keys");
	is_int(whole, 0, "example: does not say comments are whole lines "
	    "(a comment may end a line)");
	path = write_file("example.conf", text);
	free(text);
	if (!is_int(sip_config_load(&c, path, &err), SIP_OK,
	    "example: uncommented, loads"))
		printf("# %s\n", err.msg);
	is_str(c.module_path, "/usr/share/se3-ipxe/modules:/etc/se3-ipxe/"
	    "modules", "example: the Debian module path");
	is_str(c.template_dir, "/usr/share/se3-ipxe/templates",
	    "example: the Debian template directory");
	free(c.path);
	free(c.module_path);
	free(c.template_dir);
	is_str(c.secrets_file, "/etc/se3-ipxe/secrets",
	    "example: the Debian secrets file");
	free(c.secrets_file);
	c.secrets_file = test_strdup(SIP_SYSCONFDIR "/se3-ipxe/secrets");
	c.path = NULL;
	c.module_path = test_strdup(SIP_DATADIR "/modules:" SIP_SYSCONFDIR
	    "/se3-ipxe/modules");
	c.template_dir = test_strdup(SIP_DATADIR "/templates");
	ok(is_defaults(&c), "example: uncommented, the other values are the "
	    "defaults");
	sip_config_free(&c);
	unlink(path);
}

int
main(void)
{
	char path[128];

	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	unsetenv(SIP_CONFIG_ENV);
	test_defaults();
	test_goods();
	test_bads();
	test_paths();
	test_example();

	snprintf(path, sizeof(path), "%s/good.conf", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/bad.conf", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/env.conf", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/explicit.conf", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	return done_testing();
}
