/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The public interface of libse3ipxe, what cgi/ and cli/ call: MACs, config, store, modules, the answers. */
#ifndef SE3IPXE_H
#define SE3IPXE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * Every public name starts with sip_ (SIP_ for constants): "se3-ipxe".
 * Functions return enum sip_rc; they never print and never exit.  Where a
 * caller needs to know why, a struct sip_err receives one line of text that
 * names what failed and on what (a file and line, a key, a value).
 *
 * Every out-parameter that can hold memory says who frees it: "Caller
 * frees with X", and whether anything is left to free after a failure.
 * Out-parameters that are plain values, fixed-size arrays or structs
 * without pointers (struct sip_err, sip_mac, sip_reason, sip_tick_result)
 * hold nothing to free.
 */

#define SIP_VERSION "0.1.0"

enum sip_rc {
	SIP_OK = 0,
	SIP_EINVAL,		/* bad input: a value failed its type */
	SIP_ENOMEM,		/* an allocation failed */
	SIP_EIO,		/* a file could not be read or written */
	SIP_EDB,		/* the database failed (open, corrupt, read-only) */
	SIP_EBUSY,		/* the database stayed locked past busy_timeout */
	SIP_ENOTFOUND,		/* no such machine, action, module or token */
	SIP_EDENIED,		/* token wrong or action finished: refused */
	SIP_ECONFIG,		/* the configuration is invalid */
	SIP_EMODULE,		/* a module or template is invalid */
	SIP_ETIME,		/* the clock is unusable */
	SIP_RC__MAX
};

#define SIP_ERR_MAX 256
struct sip_err {
	char	 msg[SIP_ERR_MAX];	/* one line, no newline; "" when none */
};

const char	*sip_strerror(enum sip_rc);
/* Fill err (if not NULL) with a printf-formatted line and return rc. */
enum sip_rc	 sip_errf(struct sip_err *, enum sip_rc, const char *, ...)
		    __attribute__((__format__(printf, 3, 4)));

/* ---------------------------------------------------------------- buffers */

struct sip_buf {
	char	*data;		/* always NUL-terminated when len > 0 */
	size_t	 len;
	size_t	 cap;
	int	 failed;	/* an append failed for want of memory */
};

/*
 * A buffer is its declarer's: sip_buf_init before the first use; caller
 * frees with sip_buf_free (also after a failure of any function that
 * appended to it: what it held stays allocated).  sip_buf_free leaves it
 * empty and ready for use again.
 */
void		 sip_buf_init(struct sip_buf *);
void		 sip_buf_free(struct sip_buf *);
int		 sip_buf_puts(struct sip_buf *, const char *);
int		 sip_buf_printf(struct sip_buf *, const char *, ...)
		    __attribute__((__format__(printf, 2, 3)));

/* ------------------------------------------------------------------- JSON */

/*
 * The length of the valid UTF-8 sequence at s (1..4) and its code point,
 * or 0 for a byte that starts none (overlong, surrogate, truncated, past
 * U+10FFFF).  s is NUL-terminated.
 */
size_t		 sip_utf8_decode(const unsigned char *s, uint32_t *cp);

/*
 * JSON text (RFC 8259) appended to a buffer; each returns what the last
 * sip_buf call returned (-1 once the buffer failed).  In a string, the
 * quote and the backslash get a backslash, controls, DEL and C1 become
 * \uXXXX, and bytes that are not UTF-8 become \ufffd; NULL is null.  The
 * k* functions write a member after the first (,"key":value); the caller
 * writes the braces.  The buffer is the caller's: caller frees with
 * sip_buf_free (also after a failure).
 */
int		 sip_json_str(struct sip_buf *, const char *);
int		 sip_json_kstr(struct sip_buf *, const char *key, const char *);
int		 sip_json_kint(struct sip_buf *, const char *key, long long);
int		 sip_json_kbool(struct sip_buf *, const char *key, int);
int		 sip_json_knull(struct sip_buf *, const char *key);
/* An array of the first n strings of v, stopping early at a NULL. */
int		 sip_json_strings(struct sip_buf *, const char *const *v,
		    size_t n);

/* ------------------------------------------------------------------- MACs */

#define SIP_MAC_STRLEN 18	/* "aa:bb:cc:dd:ee:ff" + NUL */

struct sip_mac {
	uint8_t	 b[6];
};

/* Accepts aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff (any case) or 12 hex digits. */
enum sip_rc	 sip_mac_parse(const char *, struct sip_mac *);
/*
 * What SE3's directory holds besides: groups of one digit (0:1b:...,
 * as written before format_mac zero-padded them) and aabb.ccdd.eeff.
 */
enum sip_rc	 sip_mac_parse_any(const char *, struct sip_mac *);

/* ------------------------------------------------------------ value types */

/*
 * Every value that reaches an iPXE script has one of these types and passes
 * its whitelist first.  iPXE has no quoting: whitespace, newline, "${", a
 * leading "#", "&&", "||", ";" and a trailing "\" would all be commands.
 */
enum sip_type {
	SIP_T_WORD,		/* [A-Za-z0-9._-]{1,64} */
	SIP_T_INT,		/* decimal, no sign, fits in int64 */
	SIP_T_BOOL,		/* yes | no */
	SIP_T_MAC,		/* canonical MAC */
	SIP_T_HEX,		/* [0-9a-f]{1,128}: tokens */
	SIP_T_URL,		/* http://host[:port][/path], path [A-Za-z0-9._~/%+,=-] */
	SIP_T_HOST,		/* DNS name or IPv4, optional :port */
	SIP_T_IPV4,		/* dotted quad */
	SIP_T_ISCSI,		/* iscsi:server:[protocol]:[port]:[lun]:iqn... */
	SIP_T_TEXT,		/* SIP_SAFE_CHARS, 1..255: option "name" values */
	SIP_T_LINE,		/* one line of printable UTF-8, spaces inside: option "text" values */
	SIP_T_SECRET,		/* a secret's value: only in files declared secret */
	SIP_T_EFIPATH,		/* \DIR\...\NAME.efi of [A-Za-z0-9._-]: the one type with '\' */
	SIP_T__MAX
};

/* The only bytes any value may contain, whatever its type. */
#define SIP_SAFE_CHARS \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-:/,+=@%~"
#define SIP_VALUE_MAX 255

/*
 * SIP_OK if value is a valid instance of type.  Every type but SIP_T_LINE
 * is made of SIP_SAFE_CHARS only, safe in a script; a line is safe only
 * where a template kind writes it (sip_template_kind_check).
 */
enum sip_rc	 sip_value_check(enum sip_type, const char *value);

/* ----------------------------------------------------------------- config */

enum sip_local {
	SIP_LOCAL_SANBOOT,	/* sanboot --no-describe --drive 0x80 */
	SIP_LOCAL_EXIT,		/* exit 1: firmware tries the next entry */
	SIP_LOCAL_CHAIN,	/* UEFI: sanboot --filename efi_loader ([model] only) */
	SIP_LOCAL__MAX
};

enum sip_default {
	SIP_DEFAULT_LOCAL,	/* templates/local.ipxe */
	SIP_DEFAULT_ISCSI,	/* templates/iscsi.ipxe with boot.iscsi_target */
	SIP_DEFAULT__MAX
};

/* Whom an action answers: [security] bind. */
enum sip_bind {
	SIP_BIND_ADDRESS,	/* only the address its first served boot came from */
	SIP_BIND_NONE,		/* anyone (addresses still recorded) */
	SIP_BIND__MAX
};

/* iPXE's ${platform}, the values ipxe.cgi accepts. */
enum sip_platform {
	SIP_PLATFORM_PCBIOS,
	SIP_PLATFORM_EFI,
	SIP_PLATFORM__MAX
};

enum sip_rc	 sip_platform_parse(const char *, enum sip_platform *);

/*
 * A [model NAME] section: the local boot of the machines whose SMBIOS
 * manufacturer and product match its patterns (fnmatch, without case; a
 * pattern left out matches anything).  SIP_LOCAL__MAX: [boot]'s.
 */
struct sip_model {
	char		 name[64];	/* a word, shorter than SIP_NAME_MAX */
	int		 line;		/* its section header, for messages */
	char		*manufacturer, *product;	/* patterns, NULL any */
	enum sip_local	 local_pcbios, local_efi;
	char		*efi_loader;	/* SIP_T_EFIPATH, with local_efi chain */
};
#define SIP_MODELS_MAX	64

#define SIP_CONFIG_PATH		"/etc/se3-ipxe/se3-ipxe.conf"
#define SIP_CONFIG_ENV		"SE3_IPXE_CONFIG"

/*
 * An IPv4 subnet of [network] subnets, host byte order: addr is the
 * network (host bits zero), mask has prefix leading ones.
 */
struct sip_subnet {
	uint32_t	 addr;
	uint32_t	 mask;
	int		 prefix;
};
#define SIP_SUBNETS_MAX	256
/*
 * "A.B.C.D/N", N in 0..32, dotted quad as SIP_T_IPV4 reads it, host bits
 * zero (a typo such as 10.1.2.0/16 is refused, not rounded).
 */
enum sip_rc	 sip_cidr_parse(const char *, struct sip_subnet *);
/* "A.B.C.D" -> host byte order. */
enum sip_rc	 sip_ipv4_parse(const char *, uint32_t *);

/* ------------------------------------------------------------ Wake-on-LAN */

#define SIP_WOL_LEN	102	/* 6 x 0xff, then the MAC 16 times */
void		 sip_wol_packet(const struct sip_mac *,
		    unsigned char pkt[SIP_WOL_LEN]);
/*
 * ip's directed broadcast in the first of the n subnets that holds it
 * (its own address in a /31 or /32), or SIP_ENOTFOUND.
 */
enum sip_rc	 sip_wol_broadcast(const struct sip_subnet *, size_t n,
		    uint32_t ip, uint32_t *bcast);
struct sip_wol_machine {
	const char	*mac;		/* a MAC in any sip_mac_parse spelling */
	const char	*name;		/* for messages, printable; NULL: the MAC */
	const char	*ip;		/* IPv4 dotted quad, or NULL/"" unknown */
};
struct sip_config;
/*
 * Wake the n machines: every destination is computed first, and a
 * machine without an IP or in none of cfg's subnets is an error naming
 * it with nothing sent (all or nothing).  Then each packet goes twice
 * to the machine's directed broadcast on [wol] port (and twice to
 * 255.255.255.255 with broadcast_all), from one UDP socket.  A send that
 * fails does not stop the others: *nsent counts the machines sent to,
 * err names the first failure.
 */
enum sip_rc	 sip_wol_send(const struct sip_config *,
		    const struct sip_wol_machine *, size_t n, size_t *nsent,
		    struct sip_err *);
/*
 * Where sip_wol_send sends ip's packet, for messages and history:
 * "to A.B.C.D:PORT" (and " and 255.255.255.255"), "to nowhere" if none.
 */
void		 sip_wol_destination(const struct sip_config *,
		    const char *ip, char *buf, size_t);

/*
 * Blackout windows ([blackout] windows, lib/blackout.c): weekdays and
 * hours, local time, when destructive actions must not start, e.g.
 * "mon-fri 08:00-12:00, mon-fri 13:30-17:30".  A window is days (mon,
 * mon-fri, sat,sun; a range may wrap: fri-mon), a blank, HH:MM-HH:MM
 * (00:00 to 24:00, start before end); windows are separated by commas.
 */
struct sip_blackout {
	unsigned int	 days;		/* bit d: tm_wday d (0 is Sunday) */
	int		 start, end;	/* minutes after midnight, local */
};
#define SIP_BLACKOUT_MAX	32
/* "" is no window; on error why says what is wrong, quoting it. */
enum sip_rc	 sip_blackout_parse(const char *, struct sip_blackout *,
		    size_t max, size_t *n, char *why, size_t whysz);
/*
 * 1 if t is inside one of the n windows, *end (may be NULL) then the
 * time it ends (through mktime: right across DST changes; windows that
 * meet are one); 0 otherwise.
 */
int		 sip_blackout_end(const struct sip_blackout *, size_t n,
		    time_t t, time_t *end);

#define SIP_PROBE_PORTS_MAX	8

/* Where the sessions open on machines come from ([sessions] source). */
enum sip_sessions_source {
	SIP_SESSIONS_SMBSTATUS,	/* smbstatus -b, as SE3 */
	SIP_SESSIONS_NONE	/* nothing: every lookup fails */
};

struct sip_config {
	char		*path;		/* the file this was read from */
	char		*db_path;	/* [database] path */
	int		 busy_timeout_ms; /* [database] busy_timeout (ms) */
	char		*boot_url;	/* [server] boot_url, "" = derive */
	char		*cgi_url;	/* [server] cgi_url, "" = derive */
	char		*boot_root;	/* [server] boot_root: the directory served as boot_url */
	int		 deadline;	/* [server] deadline (s) */
	char		*module_path;	/* [modules] path, colon-separated */
	char		*template_dir;	/* [modules] templates */
	enum sip_default boot_default;	/* [boot] default */
	enum sip_local	 local_pcbios;	/* [boot] local_pcbios */
	enum sip_local	 local_efi;	/* [boot] local_efi */
	char		*iscsi_target;	/* [boot] iscsi_target */
	int		 max_boots;	/* [actions] max_boots */
	int64_t		 expires;	/* [actions] expires (s) */
	int64_t		 history_keep;	/* [actions] history (s) */
	char		*dhcp_tftp_server; /* [dhcp] tftp_server, "" none */
	char		*dhcp_bios_file; /* [dhcp] bios_file */
	char		*dhcp_efi_file;	/* [dhcp] efi_file */
	char		*dhcp_legacy_file; /* [dhcp] legacy_file */
	enum sip_bind	 bind;		/* [security] bind */
	char		*ldap_uri;	/* [ldap] uri, "" = no LDAP */
	char		*ldap_base;	/* [ldap] base */
	char		*ldap_computers; /* [ldap] computers (RDN) */
	char		*ldap_parcs;	/* [ldap] parcs (RDN) */
	char		*ldap_rights;	/* [ldap] rights (RDN) */
	char		*ldap_people;	/* [ldap] people (RDN) */
	char		*ldap_bind_dn;	/* [ldap] bind_dn, "" = anonymous */
	char		*ldap_bind_password_file; /* [ldap] bind_password_file */
	int		 ldap_network_timeout; /* [ldap] network_timeout (s) */
	int		 ldap_timeout;	/* [ldap] timeout (s) */
	int		 ldap_starttls;	/* [ldap] starttls */
	char		*ldap_admin_right; /* [ldap] admin_right: a cn under rights */
	char		*ldap_delegate_right; /* [ldap] delegate_right: likewise */
	struct sip_subnet subnets[SIP_SUBNETS_MAX]; /* [network] subnets */
	size_t		 nsubnets;
	int		 wol_port;	/* [wol] port */
	int		 wol_broadcast_all; /* [wol] broadcast_all */
	int		 probe_ports[SIP_PROBE_PORTS_MAX]; /* [probe] ports, in order */
	size_t		 nprobe_ports;
	int		 probe_timeout_ms; /* [probe] timeout (ms) */
	int		 probe_parallel; /* [probe] parallel: sockets at once */
	enum sip_sessions_source sessions_source; /* [sessions] source */
	char		*sessions_smbstatus; /* [sessions] smbstatus: its path */
	int		 sessions_timeout; /* [sessions] timeout (s) */
	char		*reboot_net;	/* [reboot] net: Samba's net */
	char		*reboot_net_auth_file; /* [reboot] net_auth_file, "" none */
	char		*reboot_smbclient; /* [reboot] smbclient: --sysprep */
	char		*reboot_ssh;	/* [reboot] ssh */
	char		*reboot_ssh_key; /* [reboot] ssh_key, "" none */
	char		*reboot_ssh_user; /* [reboot] ssh_user */
	int		 reboot_host_key; /* [reboot] strict_host_key_checking: 0 yes, 1 accept-new, 2 no */
	int		 reboot_windows_port; /* [reboot] windows_port */
	int		 reboot_linux_port; /* [reboot] linux_port */
	int		 reboot_delay;	/* [reboot] delay: net's -t (s) */
	char		*reboot_message; /* [reboot] message: net's -C */
	int		 reboot_timeout; /* [reboot] timeout: per command (s) */
	int		 reboot_parallel; /* [reboot] parallel: commands at once */
	int		 status_refresh; /* [status] refresh (s): status.cgi's page */
	int		 status_probe;	/* [status] probe: the page probes its machines */
	int64_t		 wol_wake_timeout; /* [wol] wake_timeout (s) */
	int		 wol_retries;	/* [wol] retries */
	char		*secrets_file;	/* [secrets] file */
	struct sip_blackout blackout[SIP_BLACKOUT_MAX]; /* [blackout] windows */
	size_t		 nblackout;
	char		*menu_password_hash; /* [menu] password_hash, "" = no menu */
	int		 menu_tries;	/* [menu] tries: wrong passwords per action */
	char		*images_dir;	/* [images] dir: the image store */
	int64_t		 images_limit;	/* [images] limit (MiB), in bytes */
	int64_t		 images_reserve; /* [images] reserve (MiB), in bytes */
	int		 images_timeout; /* [images] timeout (s) without data */
	struct sip_model *models;	/* [model NAME] sections, in file order */
	size_t		 nmodels;
};

/*
 * Read path, or $SE3_IPXE_CONFIG if path is NULL, or SIP_CONFIG_PATH.
 * A missing default file is not an error (defaults apply); a missing
 * explicit file is.  On error cfg holds the defaults.  Caller frees with
 * sip_config_free (also after a failure).
 */
enum sip_rc	 sip_config_load(struct sip_config *, const char *path,
		    struct sip_err *);
void		 sip_config_free(struct sip_config *);

/* "90", "30s", "15m", "4h", "2d", "1w" -> seconds in [min, max]. */
enum sip_rc	 sip_duration_parse(const char *, int64_t min, int64_t max,
		    int64_t *);
/* "now", "+2h", "YYYY-MM-DD HH:MM[:SS]", "YYYY-MM-DDTHH:MM[:SS]", "@epoch". */
enum sip_rc	 sip_time_parse(const char *, time_t now, time_t *);
/* Seconds as the largest exact unit sip_duration_parse reads back: "4h", "2w". */
void		 sip_duration_format(int64_t, char *, size_t);
/* A span in two units at most, as history shows steps apart: "5m12s", "-1h00m". */
void		 sip_elapsed_format(int64_t, char *, size_t);
/*
 * A start time (--at) lies from SIP_AT_PAST seconds before now (the time
 * it takes to type) to SIP_AT_AHEAD after (a year, leap day included):
 * a time beyond is a typing error, and start + expires must not overflow.
 */
#define SIP_AT_PAST	60
#define SIP_AT_AHEAD	(366 * INT64_C(86400))
/* sip_time_parse, then that range; err names the value and the range. */
enum sip_rc	 sip_at_parse(const char *, time_t now, time_t *,
		    struct sip_err *);
/* *sum = a + b, or SIP_EINVAL (and *sum untouched) if it overflows. */
enum sip_rc	 sip_time_add(int64_t a, int64_t b, int64_t *sum);

/* ---------------------------------------------------------------- host names */

#define SIP_HOSTNAME_STRLEN	64	/* an RFC 1123 label, 1..63 bytes, + NUL */
#define SIP_COMPUTERNAME_STRLEN	16	/* a NetBIOS name, 1..15 bytes, + NUL */
/*
 * in lowercased into out if it is one RFC 1123 host name label: 1..63 of
 * [a-z0-9-] (upper case taken), no hyphen first or last.  Else
 * SIP_EINVAL and out "".  A machine's directory name passes it or is
 * not used.
 */
enum sip_rc	 sip_hostname_label(const char *in,
		    char out[SIP_HOSTNAME_STRLEN]);
/*
 * Windows' ComputerName from a host name: its label cut to 15 bytes,
 * without trailing hyphens, not all digits; else the same from fallback
 * (may be NULL); else "".
 */
void		 sip_computername(const char *hostname, const char *fallback,
		    char out[SIP_COMPUTERNAME_STRLEN]);
/*
 * SIP_OK if s has the shape of a crypt(3) password hash an installer
 * takes: $6$SALT$HASH (SHA-512), $5$ (SHA-256), $y$PARAMS$SALT$HASH
 * (yescrypt), $2b$NN$ (bcrypt); only [./0-9A-Za-z$], no rounds=.
 * A secret of format crypt must pass it, where it is set and rendered.
 */
enum sip_rc	 sip_crypt_shape_check(const char *s);

/* ---------------------------------------------------------------- targets */

/*
 * The machines a command line names: TARGET arguments resolved into
 * canonical MACs, each once, in the order first named.  A TARGET is a
 * MAC (any spelling sip_mac_parse takes: it never reads LDAP), or,
 * through SE3's directory, parc:NAME (its machines), an IPv4 address
 * (the machine with that ipHostNumber) or a machine name (its cn).
 * p[i] points at mac[i] (what the store functions take).
 */
#define SIP_LDAP_NAME_MAX	128
struct sip_targets {
	char		(*mac)[SIP_MAC_STRLEN];
	const char	**p;
	size_t		 n;
	size_t		 cap;
	/* ip[i]: mac[i]'s ipHostNumber in LDAP, "" for a MAC target. */
	char		(*ip)[16];
	/* name[i]: mac[i]'s cn in LDAP (sip_ldap_machine.name), "" for a MAC. */
	char		(*name)[SIP_LDAP_NAME_MAX];
};
/*
 * All or nothing: an error names the first TARGET that names no machine
 * (SIP_EINVAL, SIP_ENOTFOUND), or a machine of it without a MAC in the
 * directory (SIP_ENOTFOUND), or the directory that did not answer
 * (SIP_EIO, SIP_ECONFIG).  cfg NULL or without [ldap] uri: MACs only.
 * password is [ldap] bind_dn's, or NULL.  Caller frees with
 * sip_targets_free; nothing to free on error (t is left empty, which
 * sip_targets_free also takes).
 */
enum sip_rc	 sip_targets_resolve(const struct sip_config *cfg,
		    const char *password, const char *const *args,
		    size_t nargs, struct sip_targets *, struct sip_err *);
void		 sip_targets_free(struct sip_targets *);

/* ------------------------------------------------------------------- LDAP */

/*
 * SE3's directory (lib/ldap.c): linked into the CLI only, with libldap,
 * never into ipxe.cgi.  A handle keeps every machine it met; the
 * machines it hands out are its own and live until sip_ldap_close.
 */
struct sip_ldap;

struct sip_ldap_machine {
	char	*dn;			/* normalised: lower case */
	char	 name[SIP_LDAP_NAME_MAX]; /* cn, bytes outside [A-Za-z0-9._-] as \xHH */
	char	 ip[16];		/* the first ipHostNumber that is IPv4, or "" */
	char	 mac[SIP_MAC_STRLEN];	/* the first macAddress that parses, or "" */
	char	**parcs;		/* printable, once sip_ldap_machines ran */
	size_t	 nparcs;
};

/*
 * Connect (bind, anonymous if cfg has no bind_dn) within the configured
 * timeouts; every error is one line naming the URI.  password is the
 * bind_dn's (sip_ldap_password_read) or NULL.  Caller closes with
 * sip_ldap_close (nothing on error).
 */
enum sip_rc	 sip_ldap_open(const struct sip_config *, const char *password,
		    struct sip_ldap **, struct sip_err *);
void		 sip_ldap_close(struct sip_ldap *);
/*
 * The first line of a file only its owner may read or write: a file that
 * group or others may use is refused and named.  Caller frees *pw.
 */
enum sip_rc	 sip_ldap_password_read(const char *path, char **pw,
		    struct sip_err *);
/* One machine by its cn or its ipHostNumber; SIP_ENOTFOUND if none. */
enum sip_rc	 sip_ldap_find_name(struct sip_ldap *, const char *,
		    const struct sip_ldap_machine **, struct sip_err *);
enum sip_rc	 sip_ldap_find_ip(struct sip_ldap *, const char *,
		    const struct sip_ldap_machine **, struct sip_err *);
/*
 * The machines of a parc (members that are no machine, printers, are
 * skipped), SIP_ENOTFOUND if there is no such parc.  Caller frees the
 * array (not the machines) with free.
 */
enum sip_rc	 sip_ldap_parc(struct sip_ldap *, const char *,
		    const struct sip_ldap_machine ***, size_t *,
		    struct sip_err *);
/* Every machine, with its parcs; the array is the handle's. */
enum sip_rc	 sip_ldap_machines(struct sip_ldap *,
		    struct sip_ldap_machine *const **, size_t *,
		    struct sip_err *);
/*
 * Whether the groupOfNames cn=group just under ou (a whole DN: SE3's
 * rights are cn=parc_can_clone,ou=rights,BASE) has member_dn among its
 * members: *has 1 or 0.  A group or an OU that is not there has none.
 */
enum sip_rc	 sip_ldap_group_has(struct sip_ldap *, const char *ou,
		    const char *group, const char *member_dn, int *has,
		    struct sip_err *);
/*
 * s as an RFC 4515 assertion value, in out of size sz (cut if needed);
 * returns the length it needs, without the NUL.
 */
size_t		 sip_ldap_escape(const char *, char *, size_t);
/* len bytes of s, shown safely: see sip_ldap_machine.name. */
void		 sip_ldap_printable(const char *, size_t, char *, size_t);

/* ----------------------------------------------------------------- rights */

/*
 * What the acting login may do (lib/rights.c, with libldap: the CLI and
 * status.cgi, never ipxe.cgi), as SE3 decides it.  Root (no login) and
 * the members of [ldap] admin_right act on and see every machine; the
 * members of [ldap] delegate_right act on the machines of the parcs
 * delegated to them with level manage (one such parc of a machine is
 * enough) and see those delegated with either level; anyone else may
 * do nothing.
 */
struct sip_rights_dir;
struct sip_store;
struct sip_rights {
	char	*login;		/* the acting login ("root" when none) */
	int	 all;		/* admin: acts on and sees every machine */
	char	**manage;	/* parcs the login may act on */
	size_t	 nmanage;
	char	**view;		/* parcs the login may see (manage ones included) */
	size_t	 nview;
	int	 delegated;	/* a member of [ldap] delegate_right */
	struct sip_rights_dir *dir;	/* the machines and their parcs */
};
/*
 * The rights of login (NULL: root's, without LDAP).  Any login, "root"
 * too, must pass sip_login_check (SIP_EINVAL), needs [ldap] uri
 * (SIP_ECONFIG) and a directory that answers (SIP_EIO): each one line
 * naming the login.  st (may be NULL: no delegation) holds the
 * delegations.  password is [ldap] bind_dn's, or NULL.  Caller frees
 * with sip_rights_free (nothing to free on error; r is left empty).
 */
enum sip_rc	 sip_rights_load(const struct sip_config *,
		    const char *password, struct sip_store *,
		    const char *login, struct sip_rights *, struct sip_err *);
void		 sip_rights_free(struct sip_rights *);
/* 1 if the login may see the machines of parc (compared without case). */
int		 sip_rights_may_see_parc(const struct sip_rights *,
		    const char *parc);
/*
 * SIP_OK if the login may act on every machine of t, else SIP_EDENIED
 * naming the login, the first machine refused (its name and MAC) and the
 * right it lacks, with how many were refused: all or nothing.
 */
enum sip_rc	 sip_rights_check(const struct sip_rights *,
		    const struct sip_targets *, struct sip_err *);

/* ---------------------------------------------------------------- modules */

enum sip_completion {
	SIP_COMPLETE_ONESHOT,	/* done once served */
	SIP_COMPLETE_REPORT,	/* done when the client reports done */
	SIP_COMPLETE_PERSISTENT, /* served at every boot until cancel or a bound */
	SIP_COMPLETE__MAX
};
/*
 * A persistent action is bounded too, only further: the most boots and
 * the longest expiry it may have, and what it gets when nobody says.
 */
#define SIP_PERSISTENT_MAX_BOOTS	1000
#define SIP_PERSISTENT_EXPIRES		(365 * INT64_C(86400))

enum sip_opt_type {
	SIP_OPT_ENUM,
	SIP_OPT_INTEGER,
	SIP_OPT_BOOLEAN,
	SIP_OPT_NAME,		/* matches the option's pattern and SIP_T_TEXT */
	SIP_OPT_TEXT,		/* SIP_T_LINE, at most maxlen bytes: files only */
	SIP_OPT_SECRET,		/* the NAME of a secret ([secrets] file) */
	SIP_OPT__MAX
};

#define SIP_NAME_MAX 64

struct sip_option {
	char		 name[SIP_NAME_MAX];	/* [a-z][a-z0-9_]* */
	enum sip_opt_type type;
	char		*description;
	char		*def;		/* default value, NULL = required */
	char		**values;	/* enum: NULL-terminated */
	int64_t		 min, max;	/* integer */
	char		*pattern;	/* name: POSIX ERE, anchored */
	void		*regex;		/* compiled pattern (regex_t *) */
	int		 crypt;		/* secret, format = crypt: a crypt(3) hash */
	int		 exists_image;	/* name, exists = image: a whole image */
	char		 exists_unless[SIP_NAME_MAX];	/* "": always checked */
};

struct sip_template;

/*
 * What a template renders, and so how a value is written into it: the
 * iPXE script a machine runs, or a file the system it booted fetches (a
 * preseed, an answer file), declared "files = NAME:KIND".  All follow the
 * same rules (closed keys, typed values, no key at the start of a line);
 * each kind adds its own: the values it refuses, the escaping it does.
 */
enum sip_template_kind {
	SIP_TEMPLATE_IPXE,	/* starts with #!ipxe; SIP_SAFE_CHARS values only */
	SIP_TEMPLATE_FILE,	/* "text": written as is, SIP_SAFE_CHARS values only */
	SIP_TEMPLATE_CMDLINE,	/* a kernel command line: SIP_SAFE_CHARS only */
	SIP_TEMPLATE_PRESEED,	/* debconf: lines, no shell metacharacter */
	SIP_TEMPLATE_SH,	/* a shell script: no shell metacharacter */
	SIP_TEMPLATE_YAML,	/* inside "...": escaped as a YAML double-quoted scalar */
	SIP_TEMPLATE_XML,	/* text or "..." attribute: &, <, >, ", ' escaped */
	SIP_TEMPLATE_INI,	/* a value after "=": no ; # [ ] = " nor edge blanks */
	SIP_TEMPLATE_CMD,	/* a cmd.exe batch file: no & | < > ^ % ! " ( ) */
	SIP_TEMPLATE__MAX
};
const char	*sip_template_kind_name(enum sip_template_kind);
enum sip_rc	 sip_template_kind_parse(const char *, enum sip_template_kind *);
/*
 * Can value be written into a template of that kind?  SIP_OK, or
 * SIP_EINVAL with the reason in why (which byte, what the kind refuses).
 */
enum sip_rc	 sip_template_kind_check(enum sip_template_kind,
		    const char *value, char *why, size_t);

#define SIP_FILES_MAX	8	/* files per capability */

struct sip_capability {
	char		 name[SIP_NAME_MAX];	/* [a-z][a-z0-9_-]* */
	char		*description;
	char		*template_file;		/* relative to the module dir */
	enum sip_completion completion;
	int		 max_boots;		/* 0 = [actions] max_boots */
	int64_t		 expires;		/* 0 = [actions] expires */
	int		 destructive;
	struct sip_option *options;
	size_t		 noptions;
	struct sip_template *tmpl;		/* loaded with the module */
	/* Files the booted system fetches with the action's token. */
	char		*files[SIP_FILES_MAX];	/* names, in the module dir */
	struct sip_template *file_tmpls[SIP_FILES_MAX];
	enum sip_template_kind file_kinds[SIP_FILES_MAX];
	size_t		 nfiles;
	/* files[i] is declared NAME:secret: it alone gets secret values. */
	int		 file_secret[SIP_FILES_MAX];
};

#define SIP_SHA256_HEX	64

struct sip_kv;

/* [upstream NAME]: a file setup fetches into BOOT_ROOT/MODULE/NAME. */
struct sip_upstream {
	char		*name;		/* relative path under the module's boot dir */
	char		*url;		/* relative to the mirror, or http(s)://; NULL for a member */
	char		 sha256[SIP_SHA256_HEX + 1];	/* lower-case hex */
	int64_t		 size;		/* bytes */
	int		 iso;		/* -1, or the index of the ISO upstream it is in */
	char		*member;	/* its path in that ISO, or NULL */
	/* [copy NAME]: a file of an installed package, compared with it. */
	char		*from;		/* its absolute path, or NULL */
	char		*package;	/* the Debian package, or NULL */
	int		 verified;	/* setup: checked in this run */
	/* A signed sums list gives its SHA-256 (no sha256 nor size then). */
	char		*sums;		/* the list, relative to the mirror, or NULL */
	char		*sums_sig;	/* its detached signature, or a clearsigned list or Release */
	char		*keyring;	/* the keyring gpgv checks it with */
	int		 unpinned;	/* no sha256 of its own: sums, or a member of an ISO that has sums */
	/*
	 * used_by: the one capability that boots with it (NULL: each of the
	 * module's), when its options have these values (none: always).
	 */
	char		*used_cap;
	struct sip_kv	*used_opts;
	size_t		 nused_opts;
};

struct sip_module {
	char		 name[SIP_NAME_MAX];
	char		*dir;
	char		*description;
	char		*version;
	struct sip_capability *caps;
	size_t		 ncaps;
	char		*mirror;	/* [module] mirror, or NULL */
	struct sip_upstream *ups;	/* [upstream NAME], [copy NAME], in order */
	size_t		 nups;
};

/*
 * Load <dir>/module.ini and every template it names.  Caller frees with
 * sip_module_free (nothing to free on error).
 */
enum sip_rc	 sip_module_load(const char *dir, struct sip_module **,
		    struct sip_err *);
/*
 * Find the module called name on the colon-separated path (first wins).
 * Caller frees with sip_module_free (nothing to free on error).
 */
enum sip_rc	 sip_module_find(const char *path, const char *name,
		    struct sip_module **, struct sip_err *);
/*
 * Every module on the path, sorted by name; errors stop the scan.  Caller
 * frees with sip_modules_free(*out, *n) (nothing to free on error).
 */
enum sip_rc	 sip_module_scan(const char *path, struct sip_module ***,
		    size_t *, struct sip_err *);
void		 sip_module_free(struct sip_module *);
void		 sip_modules_free(struct sip_module **, size_t);
/*
 * 1 if an action of capability cap of m with these options (as the
 * database holds them; one it lacks has its default) boots with upstream
 * i of m, as its used_by says; else 0.
 */
int		 sip_upstream_needed(const struct sip_module *, size_t i,
		    const char *cap, const struct sip_kv *opts, size_t nopts);
/* The capability called name, or NULL: part of the module, freed with it. */
const struct sip_capability *sip_module_capability(const struct sip_module *,
		    const char *name);
/* Split "module:capability" into its two names. */
enum sip_rc	 sip_action_name_split(const char *, char[SIP_NAME_MAX],
		    char[SIP_NAME_MAX]);
const char	*sip_completion_name(enum sip_completion);
const char	*sip_opt_type_name(enum sip_opt_type);

/*
 * Setting a module up (lib/setup.c, the CLI only): its upstream files in
 * BOOT_ROOT/MODULE/, each verified by size and SHA-256 before it is used.
 */
enum sip_up_state {
	SIP_UP_OK,		/* there, size and SHA-256 as the manifest says */
	SIP_UP_MISSING,		/* not there */
	SIP_UP_STALE		/* there, but another size or SHA-256 */
};
/* The state of upstream i of m under boot_root; why says how it is stale. */
enum sip_rc	 sip_upstream_state(const char *boot_root,
		    const struct sip_module *, size_t i, enum sip_up_state *,
		    char *why, size_t whysz, struct sip_err *);
enum sip_setup_how {
	SIP_SETUP_KEPT,		/* verified already there: not fetched */
	SIP_SETUP_FETCHED,	/* downloaded, verified, installed */
	SIP_SETUP_EXTRACTED,	/* taken from its ISO, verified, installed */
	SIP_SETUP_COPIED	/* copied from its package's file, verified */
};
/*
 * Put upstream i of m in place: fetched with curl from mirror (NULL: the
 * module's), into NAME.part (resumed), verified, renamed; a member is
 * extracted from its ISO (itself set up first).  stall_s: seconds without
 * data before a download is given up.  A file whose size or SHA-256 is
 * wrong is deleted, nothing installed.
 */
enum sip_rc	 sip_upstream_setup(const char *boot_root, struct sip_module *,
		    size_t i, const char *mirror, int stall_s,
		    enum sip_setup_how *, struct sip_err *);
/*
 * Run m's own setup script (MODULE_DIR/setup), if it has one (*ran 1),
 * with BOOT_ROOT, MODULE_DIR, MIRROR (mirror, if not NULL), FLAVOUR
 * (flavour, if not NULL: which builds a module that has several makes)
 * and UPSTREAM (its upstream files' names) in its environment.  *out gets
 * what it wrote (caller frees with free, also on error); SIP_EIO if it
 * failed.
 */
enum sip_rc	 sip_module_setup_script(const char *boot_root,
		    const struct sip_module *, const char *mirror,
		    const char *flavour, char **out, int *ran,
		    struct sip_err *);
/* A flavour for a setup script: 1 to 16 of a-z, 0-9 and -, a letter first. */
enum sip_rc	 sip_flavour_check(const char *);
/*
 * Run m's own check script (MODULE_DIR/check), if it has one (*ran 1),
 * with BOOT_ROOT and MODULE_DIR: its exit status 0, 1 or 2 is *state
 * SIP_UP_OK, SIP_UP_MISSING or SIP_UP_STALE; *out as for setup.
 */
enum sip_rc	 sip_module_check_script(const char *boot_root,
		    const struct sip_module *, char **out, int *ran,
		    enum sip_up_state *, struct sip_err *);
/* A mirror URL: http:// or https://, printable ASCII without spaces. */
enum sip_rc	 sip_mirror_check(const char *);

/* KEY=VALUE pairs as given to set-action, after validation. */
struct sip_kv {
	char	*key;
	char	*value;
};

/*
 * Check "key=value" strings against cap's options, fill in defaults, and
 * return the complete, validated list (every option of cap, in manifest order).
 * Caller frees with sip_kv_free(*out, *nout) (nothing to free on error).
 */
enum sip_rc	 sip_options_resolve(const struct sip_capability *,
		    char *const *assignments, size_t n, struct sip_kv **out,
		    size_t *nout, struct sip_err *);
void		 sip_kv_free(struct sip_kv *, size_t);
/* n strings and their array (NULL: nothing). */
void		 sip_strv_free(char **, size_t);

/* ---------------------------------------------------------------- secrets */

/*
 * The secrets file ([secrets] file, lib/secrets.c): "NAME = VALUE" lines,
 * '#' comments.  An option of type secret holds a NAME; only a file
 * declared secret gets its VALUE, read when the file is served.
 */
#define SIP_SECRET_NAME_MAX	32	/* [a-z][a-z0-9_]{0,31} */
#define SIP_SECRET_VALUE_MAX	1024	/* bytes of printable UTF-8 */
#define SIP_SECRETS_MAX		1024	/* lines NAME = VALUE */
#define SIP_SECRETS_FILE_MAX	(256 * 1024)
struct sip_secrets;
/*
 * Read path, refused (named, SIP_ECONFIG) if it is not a regular file
 * owned by root (or by the reader) that only its owner may write and
 * only its owner and group read.  A missing file is SIP_ENOTFOUND.  No
 * message quotes a value.  Caller frees with sip_secrets_free (nothing
 * to free on error), which wipes the values.
 */
enum sip_rc	 sip_secrets_load(const char *path, struct sip_secrets **,
		    struct sip_err *);
/* The value of name, or NULL: the set's, freed with it. */
const char	*sip_secrets_get(const struct sip_secrets *, const char *name);
size_t		 sip_secrets_count(const struct sip_secrets *);
void		 sip_secrets_free(struct sip_secrets *);
/*
 * Set name to value in the secrets file at path, its other lines kept
 * byte for byte: a file written beside it (same owner and group, mode
 * 0640), synced, renamed over it.  A file that does not load as
 * sip_secrets_load would is left alone (named, SIP_ECONFIG); a missing
 * one is created.  No message quotes the value.
 */
enum sip_rc	 sip_secrets_set(const char *path, const char *name,
		    const char *value, struct sip_err *);
/*
 * set-action's check of the options of cap (as sip_options_resolve
 * returns them): every option of type secret names a secret of the file
 * at cfg's [secrets] file; an error names the option and the secret.
 */
enum sip_rc	 sip_options_secrets_check(const struct sip_config *,
		    const struct sip_capability *, const struct sip_kv *,
		    size_t, struct sip_err *);

/* --------------------------------------------------------------- templates */

/*
 * A template is an iPXE script with {{key}} placeholders.  The keys a
 * template may use are fixed when it loads (the builtin request keys plus
 * the capability's options); an unknown key is a load error naming the file
 * and line.  A placeholder may not start a line (":label" injection).
 */
struct sip_keydef {
	const char	*name;
	enum sip_type	 type;
};

/* The builtin keys every template may use. */
extern const struct sip_keydef sip_builtin_keys[];
extern const size_t sip_builtin_nkeys;

/* Caller frees with sip_template_free (nothing to free on error). */
/* Does the template write key? */
int		 sip_template_uses(const struct sip_template *, const char *key);
/*
 * 1 if the secret value v may stand wherever t has key: as t's kind takes
 * it, or a crypt(3) hash alone on a debconf password line (preseed).
 */
int		 sip_template_secret_ok(const struct sip_template *,
		    const char *key, const char *v);
enum sip_template_kind sip_template_kind_of(const struct sip_template *);
enum sip_rc	 sip_template_load(const char *file, enum sip_template_kind,
		    const struct sip_keydef *, size_t nkeys,
		    struct sip_template **, struct sip_err *);
void		 sip_template_free(struct sip_template *);

/* ---------------------------------------------------------- reachability */

/*
 * Is a machine there?  A TCP connect to each of [probe] ports in turn,
 * as SE3 did (445 for Windows, then 22 for Linux).  A connection taken
 * says the port is open: up, and port is that port.  A connection
 * refused also proves the machine is up (its system answered with a
 * reset), and the next port is tried at once; if none is open, up with
 * port 0.  No answer within [probe] timeout for the whole machine, or no
 * route to it, is down (up 0, port 0).
 */
struct sip_probe_result {
	int	 up;
	int	 port;		/* the port that answered, 0 if none */
};
struct in_addr;
/*
 * Probe the n addresses at once: non-blocking connects and one poll
 * loop, at most [probe] parallel sockets open (fewer if the descriptor
 * limit is lower), refilled as machines are decided; n machines that
 * never answer take about one timeout, not n.  out[i] is addrs[i]'s.
 * Fails only when no socket can be had at all (SIP_EIO, out all down).
 */
enum sip_rc	 sip_probe(const struct sip_config *, const struct in_addr *addrs,
		    size_t n, struct sip_probe_result *out, struct sip_err *);
/*
 * May a reboot probe ip (and then send it credentials)?  Only a
 * loopback address (127.0.0.0/8) or one inside [network] subnets: an
 * address from a test's directory or a typo never leaves by the
 * default route.  SIP_OK with *addr (host order, if addr is not NULL);
 * SIP_EINVAL for anything but a dotted quad, SIP_EDENIED outside, each
 * with a one-line reason.
 */
enum sip_rc	 sip_probe_allowed(const struct sip_config *, const char *ip,
		    uint32_t *addr, struct sip_err *);

/* --------------------------------------------------------------- sessions */

/* Who is logged on where (lib/session.c). */
struct sip_session {
	char	 login[64];	/* bytes outside [A-Za-z0-9._$\\@-] as '?' */
	char	 ip[16];	/* the client's IPv4 address, "" if none given */
};
#define SIP_SESSIONS_OUTPUT_MAX	(1 << 20)
/*
 * Run [sessions] smbstatus -b (execve, no shell, stdin closed, killed
 * after [sessions] timeout) and parse what it wrote.  Any failure (no
 * source, cannot run, timeout, exit status, output not understood) is an
 * error naming it: a caller must then take every machine as in use.
 * Caller frees with sip_sessions_free (nothing to free on error).
 */
enum sip_rc	 sip_sessions_read(const struct sip_config *,
		    struct sip_session **, size_t *, struct sip_err *);
void		 sip_sessions_free(struct sip_session *);

/* ----------------------------------------------------------------- reboot */

/* How a reboot treats a machine in use (lib/reboot.c); NONE for a wake. */
enum sip_reboot_policy {
	SIP_REBOOT_NONE,
	SIP_REBOOT_WAIT,	/* nothing now: the next natural boot */
	SIP_REBOOT_IDLE,	/* only a machine without an open session */
	SIP_REBOOT_FORCE,
	SIP_REBOOT__MAX
};
const char	*sip_reboot_policy_name(enum sip_reboot_policy); /* NULL: NONE */
enum sip_rc	 sip_reboot_policy_parse(const char *, enum sip_reboot_policy *);

enum sip_reboot_outcome {
	SIP_REBOOT_SENT,	/* the command said yes (exit 0) */
	SIP_REBOOT_SKIPPED,	/* not asked: policy, session, down, no IP */
	SIP_REBOOT_FAILED	/* asked, and the command failed */
};
/* Its history event: reboot-sent, reboot-skipped, reboot-failed. */
const char	*sip_reboot_event_name(enum sip_reboot_outcome);
struct sip_reboot_machine {
	const char		*mac;	/* for the caller's records */
	const char		*ip;	/* IPv4, or NULL/"" unknown */
	int			 claimed; /* ip from a boot, not the directory */
	enum sip_reboot_outcome	 outcome;
	char			 detail[256];	/* why, printable, no secret */
};
/*
 * Reboot the n machines as SE3 did: probe each (sip_probe); the one
 * whose [reboot] windows_port answers gets `net rpc shutdown -r -f -t
 * DELAY -C MESSAGE -I IP -A AUTH_FILE`, the one whose linux_port answers
 * `ssh -i KEY -o BatchMode=yes -o ConnectTimeout=N -o
 * StrictHostKeyChecking=X USER@IP reboot` (credentials by file, never
 * on a command line), each by execve, [reboot] parallel at once, killed
 * after [reboot] timeout.  Policy wait asks nothing; idle skips the
 * machines with a session (sip_sessions_read; a lookup that fails skips
 * them all, saying why); force asks every one that answers.  Each
 * m[i] gets its outcome and detail.  An error (an auth file or key
 * missing or readable by others, named) means nothing was run.
 */
enum sip_rc	 sip_reboot(const struct sip_config *, enum sip_reboot_policy,
		    struct sip_reboot_machine *, size_t n, struct sip_err *);

/* ------------------------------------------------------------------ store */

enum sip_state {
	SIP_ST_SCHEDULED,	/* waits for start_at */
	SIP_ST_PENDING,		/* ready, never served */
	SIP_ST_BOOTING,		/* served, no report yet */
	SIP_ST_RUNNING,		/* the client reported running */
	SIP_ST_DONE,
	SIP_ST_FAILED,
	SIP_ST_EXPIRED,
	SIP_ST_CANCELLED,
	SIP_ST__MAX
};

enum sip_event {
	SIP_EV_BOOT,		/* the machine asked what to boot */
	SIP_EV_RUNNING,		/* report status=running */
	SIP_EV_DONE,		/* report status=done */
	SIP_EV_FAILED,		/* report status=failed */
	SIP_EV_CANCEL,		/* the admin cancelled or replaced it */
	SIP_EV_TICK,		/* time passed (cleanup, or before a boot) */
	SIP_EV__MAX
};

const char	*sip_state_name(enum sip_state);
/* 1 for a state that still waits for the machine (scheduled to running). */
int		 sip_state_active(enum sip_state);

/*
 * A token is SIP_TOKEN_BYTES random bytes as lower-case hex: its first
 * SIP_TOKEN_PUBLIC hex digits are its public part, which finds the action
 * through an index (that compare may leak timing: it is no secret); the
 * whole token is then compared in constant time.  Tokens made before the
 * public part existed have SIP_TOKEN_OLD_LEN digits and are still taken.
 */
#define SIP_TOKEN_BYTES 24
#define SIP_TOKEN_STRLEN (2 * SIP_TOKEN_BYTES + 1)
#define SIP_TOKEN_PUBLIC 16
#define SIP_TOKEN_OLD_LEN 32

/* An SMBIOS string as ipxe.cgi keeps it (printable ASCII) and its NUL. */
#define SIP_SMBIOS_STRLEN 65
/*
 * Whether an SMBIOS UUID (serial 0) or serial (serial 1) names one
 * machine: printable ASCII of at most 64 bytes that is no firmware
 * placeholder (all zeros, "To be filled by O.E.M."...): 1, else 0.
 */
int		 sip_smbios_identifying(int serial, const char *);

/* An IPv4 or IPv6 address literal and its NUL (INET6_ADDRSTRLEN). */
#define SIP_ADDR_STRLEN 46

struct sip_action {
	int64_t		 id;
	char		 mac[SIP_MAC_STRLEN];
	char		 name[2 * SIP_NAME_MAX];	/* module:capability */
	enum sip_state	 state;
	enum sip_completion completion;
	char		 token[SIP_TOKEN_STRLEN];
	int		 boots;
	int		 max_boots;
	int64_t		 created_at, start_at, expires_at, updated_at;
	int		 progress;	/* 0..100, -1 unknown */
	char		*message;	/* last report message, may be NULL */
	char		*created_by;
	struct sip_kv	*options;
	size_t		 noptions;
	/* The address its requests must come from ([security] bind), "" none yet. */
	char		 bound_addr[SIP_ADDR_STRLEN];
	/* The blackout window end it was held to (its start_at then), 0 none. */
	int64_t		 blackout_end;
	/*
	 * A destructive action serves only the machine of this SMBIOS
	 * identity (lib/identity.c); "" is not known yet.
	 */
	int		 bind_identity;
	char		 bound_uuid[SIP_SMBIOS_STRLEN];
	char		 bound_serial[SIP_SMBIOS_STRLEN];
	/* The machine's name as a host name label (set-action), "" none. */
	char		 host[SIP_HOSTNAME_STRLEN];
};

void		 sip_action_free(struct sip_action *);
/*
 * The state as an admin reads it: an active persistent action says so
 * ("booting, persistent"), since it never finishes by itself.
 */
const char	*sip_action_state_text(const struct sip_action *, char *,
		    size_t);

struct sip_store;

/* What a booting machine told us. */
struct sip_machine {
	char		 mac[SIP_MAC_STRLEN];
	char		*platform, *buildarch, *uuid, *serial;
	char		*manufacturer, *product, *ip;
	int64_t		 first_seen, last_seen;
	int64_t		 boots;		/* boot requests seen */
};

enum sip_store_mode {
	SIP_STORE_RW,		/* create and migrate if needed */
	SIP_STORE_RO,		/* read only, never create */
	SIP_STORE_RW_EXISTING	/* ipxe.cgi: read-write, migrate, never create */
};

/* Caller frees with sip_store_close (nothing to free on error). */
enum sip_rc	 sip_store_open(const char *path, enum sip_store_mode,
		    int busy_timeout_ms, struct sip_store **, struct sip_err *);
void		 sip_store_close(struct sip_store *);
int		 sip_store_schema_version(void);

struct sip_new_action {
	const char	*mac;
	const char	*name;		/* module:capability */
	enum sip_completion completion;
	int		 max_boots;
	int64_t		 start_at;	/* 0 = now */
	int64_t		 expires_at;
	const char	*who;
	const struct sip_kv *options;
	size_t		 noptions;
	/*
	 * The address the machine is expected at (an address literal), or
	 * NULL: the first boot served pins it.  The seam for a directory's
	 * known address (LDAP ipHostNumber).
	 */
	const char	*bound_addr;
	/*
	 * A destructive action: bind it to the machine's SMBIOS identity,
	 * uuid and serial as given (set-action --uuid, --serial), a NULL
	 * one the last the MAC booted with (the machines table), else the
	 * first boot served pins it.
	 */
	int		 bind_identity;
	const char	*uuid, *serial;
	/* The machine's name, a host name label (sip_hostname_label), or NULL. */
	const char	*host;
};

/*
 * Create actions for several MACs in one transaction: all or nothing.  An
 * active action on the same MAC is cancelled first (history: replaced).
 * Each new action gets a fresh token.  ids[i] receives the new id.
 */
enum sip_rc	 sip_store_set_actions(struct sip_store *,
		    const struct sip_new_action *, size_t n, time_t now,
		    int64_t *ids, struct sip_err *);
/* Cancel the active action of each MAC; *ncancelled counts them. */
enum sip_rc	 sip_store_cancel(struct sip_store *, const char *const *macs,
		    size_t n, const char *who, time_t now, size_t *ncancelled,
		    struct sip_err *);
/*
 * One "wol-sent" history row per MAC, in one transaction, tied to its
 * active action if it has one; detail[i] (or NULL) says where it went.
 */
enum sip_rc	 sip_store_wol_sent(struct sip_store *, const char *const *macs,
		    const char *const *detail, size_t n, const char *who,
		    time_t now, struct sip_err *);

/*
 * One history row per machine of a reboot: reboot-sent, reboot-skipped
 * or reboot-failed with its detail, in one transaction, tied to the
 * machine's active action if it has one.
 */
enum sip_rc	 sip_store_reboot_events(struct sip_store *,
		    const struct sip_reboot_machine *, size_t n,
		    const char *who, time_t now, struct sip_err *);

/* What one sip_tick did. */
struct sip_tick_result {
	size_t		 folded;	/* seen journal lines folded */
	size_t		 bad;		/* malformed journal lines dropped */
	size_t		 started;	/* scheduled actions now pending */
	size_t		 expired;	/* actions past their expiry */
	size_t		 purged_actions;	/* finished, older than history_keep */
	size_t		 purged_history;	/* history rows that went */
	size_t		 held;		/* destructive actions held by [blackout] */
	size_t		 reaped;	/* dead uploads of the image store removed */
	size_t		 orphans;	/* parts of saves that died (no manifest) removed */
	size_t		 sessions_failed; /* multicast sessions whose runner was gone */
	size_t		 sessions_purged; /* ended, older than history_keep */
};
/*
 * The periodic work (lib/tick.c), for `se3-ipxe cleanup` and a cron tick:
 * fold the seen journal into the machines table, step every active action
 * through time (scheduled -> pending at its start, expired past its
 * expiry), rewrite the active list, then purge what is older than
 * cfg->history_keep: history rows, and finished actions (done, failed,
 * expired, cancelled) with their options and history.  Active actions are
 * never purged.  Each part is its own transaction; *res counts what the
 * parts that succeeded did.
 */
enum sip_rc	 sip_tick(struct sip_store *, const struct sip_config *,
		    time_t now, struct sip_tick_result *res, struct sip_err *);

/*
 * Power work for later (lib/store_power.c): a wake or a reboot of one
 * MAC, due at a time, claimed by exactly one tick (each claim is its own
 * BEGIN IMMEDIATE).  A wake is "sent" until the machine boots after it
 * (done, "woken"), or is sent again after [wol] wake_timeout, up to [wol]
 * retries times, then "given-up".
 */
enum sip_power_kind {
	SIP_POWER_WAKE,
	SIP_POWER_REBOOT,
	SIP_POWER__MAX
};
enum sip_power_state {
	SIP_PJ_PENDING,		/* waits for due_at */
	SIP_PJ_SENT,		/* claimed and sent, not known to have worked */
	SIP_PJ_DONE,		/* a wake: the machine booted after it */
	SIP_PJ_FAILED,
	SIP_PJ_GAVE_UP,		/* a wake: never booted, retries spent */
	SIP_PJ_CANCELLED,	/* a newer job of the kind for the MAC */
	SIP_PJ__MAX
};
const char	*sip_power_kind_name(enum sip_power_kind);
const char	*sip_power_state_name(enum sip_power_state);

struct sip_power_job {
	int64_t			 id;
	char			 mac[SIP_MAC_STRLEN];
	enum sip_power_kind	 kind;
	enum sip_reboot_policy	 policy;
	enum sip_power_state	 state;
	int64_t			 due_at;
	int64_t			 sent_at;	/* the last send, 0 never */
	int			 tries;		/* sends so far, this one included */
	int64_t			 action_id;	/* 0: none */
	/* The job's IP (LDAP's when made), else the last boot's; "" none. */
	char			 ip[16];
	int			 ip_claimed;	/* ip is the last boot's */
};
struct sip_new_power_job {
	const char		*mac;
	enum sip_power_kind	 kind;
	enum sip_reboot_policy	 policy;
	int64_t			 due_at;
	const char		*ip;		/* NULL: the machine's at the time */
	int64_t			 action_id;	/* 0: none */
};
/*
 * Add n jobs in one transaction, all or nothing; an open job (pending or
 * sent) of the same kind for the same MAC is cancelled first.  ids[i]
 * (ids may be NULL) receives the new id.
 */
enum sip_rc	 sip_store_power_add(struct sip_store *,
		    const struct sip_new_power_job *, size_t n, const char *who,
		    time_t now, int64_t *ids, struct sip_err *);
/* What one claim found besides the jobs it hands out. */
struct sip_power_claimed {
	size_t		 woken;		/* wakes done: the machine booted */
	size_t		 gave_up;	/* wakes given up (wol-gave-up rows) */
	size_t		 retried;	/* of the jobs handed out, re-sends */
};
/*
 * Claim the jobs of kind to run now, in one BEGIN IMMEDIATE: pending ones
 * due by now, and (wakes) sent ones not woken after wake_timeout with
 * tries <= retries; each is marked sent at now with one more try before
 * the commit, so that a second tick never gets it too.  Wakes done and
 * given up are recorded on the way (history "woken", "wol-gave-up").
 * (*jobs)[0 .. *n) are the claimed jobs; the wakes given up follow them,
 * claimed->gave_up of them.  Caller frees *jobs with free (nothing to
 * free on error).
 */
enum sip_rc	 sip_store_power_claim(struct sip_store *, enum sip_power_kind,
		    time_t now, int64_t wake_timeout, int retries,
		    struct sip_power_job **jobs, size_t *n,
		    struct sip_power_claimed *, struct sip_err *);
/* A job ended: its new state, and a history row (event, detail) for its MAC. */
enum sip_rc	 sip_store_power_end(struct sip_store *, int64_t id,
		    const char *mac, enum sip_power_state, const char *event,
		    const char *who, const char *detail, time_t now,
		    struct sip_err *);
/*
 * Wakes just sent: a "wol-sent" history row each (as sip_store_wol_sent),
 * and for job_id 0 a new job, sent now with one try, so that the tick
 * checks it woke and retries it; all in one transaction.
 */
struct sip_wake_sent {
	const char	*mac;
	const char	*ip;		/* where it was sent, NULL unknown */
	const char	*detail;	/* "to A.B.C.D:PORT", or NULL */
	int64_t		 job_id;	/* the claimed job, 0: none */
};
enum sip_rc	 sip_store_wake_sent(struct sip_store *,
		    const struct sip_wake_sent *, size_t n, const char *who,
		    time_t now, struct sip_err *);
/*
 * Blackout holds (lib/tick.c): the scheduled actions, and one held to
 * end, the end of the [blackout] window its start fell in: its start
 * (and expiry, as much) moved there, its pending wakes too, a
 * "blackout-held" history row.  An action already past end, started or
 * finished is left alone.  Caller frees *out with free.
 */
struct sip_scheduled {
	int64_t		 id;
	char		 mac[SIP_MAC_STRLEN];
	char		 name[2 * SIP_NAME_MAX];
	int64_t		 start_at;
};
enum sip_rc	 sip_store_scheduled(struct sip_store *,
		    struct sip_scheduled **out, size_t *n, struct sip_err *);
enum sip_rc	 sip_store_blackout_hold(struct sip_store *, int64_t id,
		    const char *mac, int64_t end, const char *who, time_t now,
		    struct sip_err *);
/* Whether the action's capability is destructive (one that cannot be read counts as one). */
int		 sip_action_destructive(const struct sip_config *,
		    const char *name);

/* What the tick did with the power jobs (sip_tick_power). */
struct sip_tick_power {
	size_t		 woken, sent, retried, gave_up, failed;
	size_t		 reboots;	/* reboot jobs run (or refused) */
};
/* One failure of the tick's power work: the MAC and why. */
typedef void	 (*sip_tick_fail_cb)(void *arg, const char *mac,
		    const struct sip_err *);
/*
 * The power part of the tick (lib/tick.c), after sip_tick: claim due
 * wakes and send them through sip_wol_send (one machine at a time: one
 * that cannot be reached does not hold the others back), then due
 * reboots.  Each failure is recorded on its job and history and told to
 * fail(arg, ...) (fail may be NULL); only a failure of the store stops it.
 */
enum sip_rc	 sip_tick_power(struct sip_store *, const struct sip_config *,
		    time_t now, struct sip_tick_power *, sip_tick_fail_cb fail,
		    void *arg, struct sip_err *);

/*
 * Read side, for status / history / preview.  Nothing found is
 * SIP_ENOTFOUND with *out NULL.  Every *_free function accepts NULL.
 * The action: caller frees with sip_action_free (nothing to free on error).
 */
enum sip_rc	 sip_store_active_action(struct sip_store *, const char *mac,
		    struct sip_action **, struct sip_err *);

struct sip_status_row {
	struct sip_machine	*machine;	/* NULL if never seen */
	struct sip_action	*action;	/* latest action, NULL if none */
	/* Requests for that action refused: not from its address. */
	int64_t			 refused;
	char			 refused_addr[SIP_ADDR_STRLEN]; /* the last one's */
};
/*
 * macs == NULL: every machine seen or with an action, sorted by MAC.
 * Otherwise one row per MAC asked, in the order asked.  Caller frees with
 * sip_status_free(rows, n) (nothing to free on error).
 */
enum sip_rc	 sip_store_status(struct sip_store *, const char *const *macs,
		    size_t n, struct sip_status_row **, size_t *,
		    struct sip_err *);
void		 sip_status_free(struct sip_status_row *, size_t);
/*
 * How many rows are in each state of their latest action, counts[SIP_ST__MAX]
 * being those with no action: the summary under a status table or page.
 */
void		 sip_status_count(const struct sip_status_row *, size_t,
		    size_t counts[SIP_ST__MAX + 1]);
/* 1 when no row's latest action is active (all finished, or none), else 0. */
int		 sip_status_settled(const struct sip_status_row *, size_t);

/* What became of the latest wake of a machine, for status. */
enum sip_wake_status {
	SIP_WAKE_NONE,		/* no wake sent ("") */
	SIP_WAKE_WAKING,	/* sent, wake_timeout not over */
	SIP_WAKE_WOKEN,		/* it booted after the last packet */
	SIP_WAKE_NOT_WOKEN,	/* not booted within wake_timeout, or failed */
	SIP_WAKE_GAVE_UP,	/* retries spent: the tick gave up */
	SIP_WAKE__MAX
};
/* "", "waking", "woken", "not woken", "gave up". */
const char	*sip_wake_status_name(enum sip_wake_status);
/*
 * out[i]: the wake status of macs[i] at now, with [wol] wake_timeout
 * (what the table holds: fold the journal first for the latest boots).
 */
enum sip_rc	 sip_store_wake_status(struct sip_store *,
		    const char *const *macs, size_t n, time_t now,
		    int64_t wake_timeout, enum sip_wake_status *out,
		    struct sip_err *);

struct sip_history {
	int64_t		 id;
	int64_t		 at;
	char		 mac[SIP_MAC_STRLEN];
	int64_t		 action_id;	/* 0 if none */
	char		*action;	/* module:capability or NULL */
	char		*event;		/* set served report expired cancelled replaced ... */
	char		*old_state, *new_state;	/* NULL if no change */
	char		*who;
	char		*detail;
	char		*addr;		/* the request's address, NULL if none */
};
/*
 * The history of mac (NULL: of every MAC), oldest first: in the order
 * the rows were written (id), not by their time, which a clock stepped
 * back would reorder.  Caller frees with sip_history_free(rows, n)
 * (nothing to free on error).
 */
enum sip_rc	 sip_store_history(struct sip_store *, const char *mac,
		    struct sip_history **, size_t *, struct sip_err *);
void		 sip_history_free(struct sip_history *, size_t);

/*
 * SE3's delegations (lib/store_rights.c): a login may act on the machines
 * of a parc (manage), or only see them (view).  Logins are SE3 uids
 * (sip_login_check), parcs are cn values of SIP_T_WORD; both compare
 * without case.
 */
enum sip_level {
	SIP_LEVEL_MANAGE,	/* act on the parc's machines, and see them */
	SIP_LEVEL_VIEW,		/* see them only */
	SIP_LEVEL__MAX
};
const char	*sip_level_name(enum sip_level);
enum sip_rc	 sip_level_parse(const char *, enum sip_level *);

#define SIP_LOGIN_MAX	64
/*
 * An SE3 uid: 1 to SIP_LOGIN_MAX of [A-Za-z0-9._-], starting with a
 * letter, a digit or '_' (never '-': an option, nor '.').  Checked before
 * a login goes anywhere: a DN, a filter, the database, a message.
 */
enum sip_rc	 sip_login_check(const char *);

struct sip_delegation {
	char		*login;
	char		*parc;
	enum sip_level	 level;
	char		*set_by;
	int64_t		 set_at;
};
/*
 * Give login the level on parc, replacing what it had there: *had
 * receives the level it had, or SIP_LEVEL__MAX for none (had may be NULL).
 */
enum sip_rc	 sip_store_delegate(struct sip_store *, const char *login,
		    const char *parc, enum sip_level, const char *who,
		    time_t now, enum sip_level *had, struct sip_err *);
/* Take it back; SIP_ENOTFOUND naming both when there is none. */
enum sip_rc	 sip_store_undelegate(struct sip_store *, const char *login,
		    const char *parc, struct sip_err *);
/*
 * The delegations of login (NULL: of everyone), by login then parc.
 * Caller frees with sip_delegations_free(v, n) (nothing to free on error).
 */
enum sip_rc	 sip_store_delegations(struct sip_store *, const char *login,
		    struct sip_delegation **, size_t *, struct sip_err *);
void		 sip_delegations_free(struct sip_delegation *, size_t);

/* Integrity check for `check` and tests: SIP_OK when "ok". */
enum sip_rc	 sip_store_integrity(struct sip_store *, struct sip_err *);

/*
 * The fast path's two files, next to the database.  ipxe.cgi appends one
 * line per boot request to the seen journal (DB-seen) and answers a MAC
 * that is not on the active list (DB-active) without opening the database.
 * The list holds every MAC with an active action, and may hold more: set
 * actions rewrite it before they commit, cancel and cleanup after.
 */
#define SIP_SEEN_SUFFIX		"-seen"
#define SIP_ACTIVE_SUFFIX	"-active"

/*
 * Fold the journal into the machines table; *nbad counts refused lines
 * (malformed, cut short, or seen more than a day after now).  The journal
 * is renamed to a generation file DB-seen.N and folded in a transaction
 * that records N; leftovers of a fold that died are folded (or, recorded,
 * removed) first: each line is folded exactly once.
 */
enum sip_rc	 sip_store_fold_seen(struct sip_store *, time_t now,
		    size_t *nfolded, size_t *nbad, struct sip_err *);
/* Rewrite the active list from the actions table (BEGIN IMMEDIATE). */
enum sip_rc	 sip_store_active_sync(struct sip_store *, struct sip_err *);
/* SIP_OK when the list holds every MAC with an active action. */
enum sip_rc	 sip_store_active_verify(struct sip_store *, size_t *nmissing,
		    struct sip_err *);

/* ------------------------------------------------------------ set-action */

/*
 * set-action's checks and writes (lib/setaction.c), for the CLI and
 * console.cgi alike: the caller fills the request, resolves the targets
 * and checks the login's rights; the library validates everything, then
 * writes every action or none.  It never prints: the caller says what the
 * result holds (old[], badhost[], unchecked, start, expires_at).
 */
#define SIP_MAX_BOOTS_MIN	1
#define SIP_MAX_BOOTS_MAX	100
#define SIP_EXPIRES_MIN		60		/* 1m */
#define SIP_EXPIRES_MAX		(30 * 86400)	/* 30d */
struct sip_setaction {
	/* The request. */
	const char	*action;		/* MODULE:CAPABILITY */
	char *const	*assignments;		/* KEY=VALUE */
	size_t		 nassignments;
	const char	*at, *expires_arg, *max_boots_arg; /* NULL: defaults */
	const char	*uuid, *serial;		/* NULL: none */
	const char	*who;			/* created_by */
	int		 image_later;		/* clone --from: saved first */
	/* What sip_setaction_prepare and _check found. */
	char		 modname[SIP_NAME_MAX], capname[SIP_NAME_MAX];
	struct sip_module *mod;
	const struct sip_capability *cap;
	struct sip_kv	*kv;			/* every option, defaults filled */
	size_t		 nkv;
	int		 persistent;
	int		 max_boots;
	int64_t		 start;			/* now, --at, or a blackout's end */
	int64_t		 expires_at;
	time_t		 bend;			/* the blackout's end, 0 none */
	char		 (*hosts)[SIP_HOSTNAME_STRLEN];	/* per target, "" none */
	int		*badhost;		/* the directory's name is no label */
	size_t		 unchecked;		/* machines without disk sizes */
	struct sip_action **old;		/* per target: replaced, or NULL */
	size_t		 nold;
};
/* Is action MODULE:CAPABILITY?  (The first check, before the targets.) */
enum sip_rc	 sip_setaction_name(struct sip_setaction *, struct sip_err *);
/* Module, capability, options, secrets, identity, bounds, --at, blackout. */
enum sip_rc	 sip_setaction_prepare(const struct sip_config *,
		    struct sip_setaction *, const struct sip_targets *,
		    time_t now, struct sip_err *);
/* With the database, after the rights: images fit, the actions replaced. */
enum sip_rc	 sip_setaction_check(const struct sip_config *,
		    struct sip_store *, struct sip_setaction *,
		    const struct sip_targets *, struct sip_err *);
/* Every action in one transaction, then the blackout holds; ids[t->n]. */
enum sip_rc	 sip_setaction_write(struct sip_store *, struct sip_setaction *,
		    const struct sip_targets *, time_t now, int64_t *ids,
		    struct sip_err *);
void		 sip_setaction_free(struct sip_setaction *);

/* ---------------------------------------------------------------- console */

/*
 * console.cgi's untrusted input and defences (lib/console.c): its POST
 * body, Accept-Language, the CSRF token and the Origin check.
 */
#define SIP_FORM_BODY_MAX	65536
#define SIP_FORM_FIELDS_MAX	1024
/* An application/x-www-form-urlencoded body: the fields in order, decoded. */
struct sip_form {
	char		**name;		/* 1..64 of a-z 0-9 _ . - */
	char		**value;	/* UTF-8 text, no control but \t \n \r */
	size_t		 n;
};
/* Parse len bytes of body; SIP_EINVAL names what is wrong.  Free with sip_form_free. */
enum sip_rc	 sip_form_parse(const char *body, size_t len, struct sip_form *,
		    struct sip_err *);
void		 sip_form_free(struct sip_form *);
/* The first value of name, NULL if none; how many fields have that name. */
const char	*sip_form_get(const struct sip_form *, const char *name);
size_t		 sip_form_count(const struct sip_form *, const char *name);

enum sip_lang { SIP_LANG_FR, SIP_LANG_EN };
/* ?lang= (fr, en) first, then Accept-Language; French by default. */
enum sip_lang	 sip_lang_choose(const char *query_lang, const char *accept);
const char	*sip_lang_code(enum sip_lang);
/* The closed message table: every text of the console, in French and English. */
enum sip_msg {
	SIP_MSG_TITLE, SIP_MSG_PARC, SIP_MSG_CHOOSE_PARC, SIP_MSG_SHOW,
	SIP_MSG_NO_PARC, SIP_MSG_MACHINES, SIP_MSG_ALL, SIP_MSG_CHECK_ALL,
	SIP_MSG_NAME, SIP_MSG_MAC, SIP_MSG_IP, SIP_MSG_ACTION, SIP_MSG_STATE,
	SIP_MSG_BOOTS, SIP_MSG_LAST_EVENT, SIP_MSG_AGE, SIP_MSG_REACHABLE,
	SIP_MSG_SET_BY, SIP_MSG_MESSAGE, SIP_MSG_CAPABILITY, SIP_MSG_CHOOSE,
	SIP_MSG_OPTIONS, SIP_MSG_WHEN, SIP_MSG_AT, SIP_MSG_EXPIRES,
	SIP_MSG_MAX_BOOTS, SIP_MSG_WOL, SIP_MSG_REBOOT, SIP_MSG_REBOOT_NONE,
	SIP_MSG_REBOOT_WAIT, SIP_MSG_REBOOT_IDLE, SIP_MSG_REBOOT_FORCE,
	SIP_MSG_SET, SIP_MSG_CANCEL, SIP_MSG_DESTRUCTIVE, SIP_MSG_CONFIRM,
	SIP_MSG_CONFIRM_TEXT, SIP_MSG_BACK, SIP_MSG_DONE_SET,
	SIP_MSG_DONE_CANCEL, SIP_MSG_DONE_CLONE, SIP_MSG_REFUSED,
	SIP_MSG_NONE_TICKED, SIP_MSG_CLONE, SIP_MSG_IMAGE, SIP_MSG_NO_IMAGE,
	SIP_MSG_PORT, SIP_MSG_MIN_RECEIVERS, SIP_MSG_MAX_WAIT,
	SIP_MSG_FALLBACK, SIP_MSG_START_CLONE, SIP_MSG_SESSIONS,
	SIP_MSG_VIEW_ONLY, SIP_MSG_LANG_OTHER, SIP_MSG_REQUIRED,
	SIP_MSG_SECRET_NAME, SIP_MSG_PROGRESS, SIP_MSG_WOKEN,
	SIP_MSG_CONFIRM_MISMATCH, SIP_MSG_DESTRUCTIVE_SHORT,
	SIP_MSG_ALL_MACHINES, SIP_MSG_SESSION, SIP_MSG_SESSION_CANCEL,
	SIP_MSG_SESSION_FALLBACK, SIP_MSG_DONE_SESSION_CANCEL,
	SIP_MSG_DONE_FALLBACK, SIP_MSG_MEMBERS, SIP_MSG_CREATED_BY,
	SIP_MSG_FROM, SIP_MSG_FROM_NONE, SIP_MSG_NEW_IMAGE, SIP_MSG_SYSPREP,
	SIP_MSG_POWER, SIP_MSG_POWER_SEND, SIP_MSG_DONE_POWER,
	SIP_MSG_POWER_NOTHING, SIP_MSG_HISTORY, SIP_MSG_HISTORY_SHOW,
	SIP_MSG_TIME, SIP_MSG_EVENT, SIP_MSG_CHANGE, SIP_MSG_BY,
	SIP_MSG_DETAIL, SIP_MSG_HISTORY_NONE,
	SIP_MSG__MAX
};
const char	*sip_msg(enum sip_lang, enum sip_msg);
/*
 * A state's word as the CLI says it (pending, booting, verified, woken,
 * yes...) in lang; any other text as it is.  sip_words_json: every such
 * word and its translation, as a JSON object (empty in English), for
 * what the page's script renders from the JSON.
 */
const char	*sip_word(enum sip_lang, const char *en);
int		 sip_words_json(enum sip_lang, struct sip_buf *);

/*
 * The console's page (lib/console_page.c): what the CGI read and may
 * show; every value escaped for its context.
 */
struct sip_console_page {
	enum sip_lang	 lang;
	const char	*base;		/* SCRIPT_NAME, checked */
	const char	*login;
	const char	*token;		/* the CSRF token for the forms */
	int		 refresh;	/* seconds, 0: none */
	const struct sip_status_view *view;	/* every visible parc */
	const char	*parc;		/* the chosen one, NULL none */
	int		 may_act;	/* on the chosen parc */
	struct sip_module *const *mods;	/* the capabilities to offer */
	size_t		 nmods;
	const char	*cap;		/* the chosen MODULE:CAPABILITY, or NULL */
	const struct sip_capability *capp;	/* its description, or NULL */
	const struct sip_capability *restore;	/* worker:restore, or NULL */
	const struct sip_catalogue_image *images;
	size_t		 nimages;
	const char	*notice;	/* a result, already in the language */
	int		 notice_error;
	/* The open multicast sessions with a member in the parc. */
	const struct sip_console_session *sessions;
	size_t		 nsessions;
	/* The history asked for (?history=MAC), a machine of the parc. */
	const char	*history_mac;
	const struct sip_history *history;
	size_t		 nhistory;
};
struct sip_console_session {
	const struct sip_mcast	*s;
	const struct sip_mcast_member *m;
	size_t			 nm;
};
int		 sip_console_html(const struct sip_console_page *,
		    struct sip_buf *);
/*
 * The confirmation of a destructive action: the machines named, every
 * field of the form again (hidden), and confirm=N.
 */
int		 sip_console_confirm_html(const struct sip_console_page *,
		    const struct sip_form *, const char *const *names,
		    size_t n, struct sip_buf *);
/* A short page: a title and one escaped paragraph, with a link back. */
int		 sip_console_message_html(const struct sip_console_page *,
		    const char *title, const char *text, struct sip_buf *);
/* An option's POSIX ERE as an HTML pattern (the v flag's escapes). */
int		 sip_html_pattern(struct sip_buf *, const char *ere);

/*
 * A session's runner (lib/mcast_spawn.c): `SELF [-c CFG_FILE] session run
 * ID`, detached (its own session, stdin /dev/null, stdout and stderr on
 * mcast-ID.log beside the database); SIP_EIO if it could not be started.
 */
enum sip_rc	 sip_mcast_runner_spawn(const struct sip_config *,
		    const char *self, const char *cfg_file, int64_t id,
		    struct sip_err *);
/* The interface of the default IPv4 route, "" if none. */
void		 sip_mcast_default_ifname(char *dst, size_t sz);

/*
 * One console.cgi request (lib/console_req.c), as the CGI read it from
 * its environment and standard input; the library reads nothing else.
 */
struct sip_cgi_answer;
struct sip_console_req {
	const char	*method, *path, *query;	/* REQUEST_METHOD, PATH_INFO, QUERY_STRING */
	const char	*user;			/* REMOTE_USER, unchecked */
	const char	*script_name;		/* unchecked */
	const char	*accept_language;
	const char	*origin, *referer, *host;	/* HTTP_ORIGIN, _REFERER, _HOST */
	int		 https;			/* HTTPS=on */
	const char	*content_type;
	const char	*body;			/* a POST's, NUL-terminated */
	size_t		 len;
	int		 body_fault;		/* sip_cgi_body_read's */
	const struct sip_config *cfg;		/* NULL: invalid, cfg_err says why */
	const char	*cfg_err;
	const char	*self;			/* the se3-ipxe a session's runner is */
	time_t		 now;
};
/* The log name of PATH_INFO's endpoint, "-" for none. */
const char	*sip_console_endpoint(const char *path);
/*
 * Route, check and serve one request: the page, its JSON, its assets,
 * or a change (set, cancel, clone, a session's cancel or fallback) with
 * the CLI's library calls and rights.  Every outcome is an answer.
 */
void		 sip_console_serve(const struct sip_console_req *,
		    struct sip_cgi_answer *);

/* HMAC-SHA256 (RFC 2104), as lower-case hex. */
void		 sip_hmac_sha256(const unsigned char *key, size_t klen,
		    const void *msg, size_t mlen, char out[SIP_SHA256_HEX + 1]);
/*
 * The CSRF token of a login: "ISSUED.HMAC" with HMAC over the login and
 * ISSUED under the server's key; valid SIP_CSRF_TTL seconds.
 */
#define SIP_CSRF_KEY_LEN	32
#define SIP_CSRF_TTL		(12 * 3600)
#define SIP_CSRF_TOKEN_MAX	(24 + SIP_SHA256_HEX + 1)
void		 sip_csrf_token(const unsigned char *key, size_t klen,
		    const char *login, time_t now, char out[SIP_CSRF_TOKEN_MAX]);
/* SIP_OK, or SIP_EDENIED saying why (none, malformed, foreign, out of date). */
enum sip_rc	 sip_csrf_check(const unsigned char *key, size_t klen,
		    const char *login, const char *token, time_t now,
		    struct sip_err *);
/* The key at path (0600), made from getrandom(2) by the first caller. */
enum sip_rc	 sip_csrf_key(const char *path,
		    unsigned char key[SIP_CSRF_KEY_LEN], struct sip_err *);
/*
 * A change's Origin (else its Referer) must be this server:
 * http[s]://HOST as the browser sent Host; neither is refused.
 */
enum sip_rc	 sip_origin_check(const char *origin, const char *referer,
		    const char *host, int https, struct sip_err *);

/* ------------------------------------------------------------ status view */


/*
 * What `status.cgi` shows (lib/status_view.c, lib/status_page.c): the
 * machines grouped by parc, each with its status row and its last event.
 */
struct sip_status_item {
	const char	*name;		/* LDAP cn, printable; NULL: not in LDAP */
	const char	*mac;		/* canonical; "" when LDAP has none */
	const char	*ip;		/* LDAP's, else the last boot's; NULL none */
	const struct sip_status_row *row; /* NULL: no MAC */
	const struct sip_history *last;	/* latest history row, NULL none */
	enum sip_wake_status woken;	/* the latest wake, NONE if none */
	/* Filled by other parts, -1 while unknown (shown as such). */
	int		 reachable;	/* 1 a probe answered, 0 none did */
};
struct sip_status_group {
	const char	*parc;		/* NULL: "all machines" (no LDAP) */
	struct sip_status_item *items;	/* sorted by name, then MAC */
	size_t		 n;
};
/*
 * A session multicasts one whole image of the catalogue from this server
 * to N machines, each a worker:restore action with option session = its
 * id.  Its states, in order; the last four are final.  A session made by
 * clone --from MACHINE first waits for that machine's worker:save of the
 * image (saving); its members' actions wait, scheduled, until it ends.
 * With --sysprep, the master runs Windows' sysprep first (preparing):
 * its save waits, scheduled, for the script's report (lib/sysprep.c).
 */
enum sip_mcast_state {
	SIP_MC_PREPARING,	/* the master's sysprep has not reported yet */
	SIP_MC_SAVING,		/* the master's save is not done yet */
	SIP_MC_FORMING,		/* the sender waits for the receivers */
	SIP_MC_TRANSFERRING,	/* the stream is being sent, or judged */
	SIP_MC_DONE,		/* every member verified */
	SIP_MC_PARTIAL,		/* some verified, some not */
	SIP_MC_FAILED,		/* none verified, or the sender failed */
	SIP_MC_CANCELLED,	/* the admin cancelled it */
	SIP_MC__MAX
};

enum sip_mcast_event {
	SIP_MCE_START,		/* udp-sender said "Starting transfer" */
	SIP_MCE_SENDER_FAILED,	/* it ended without sending the whole stream */
	SIP_MCE_VERDICT,	/* every member that can still end has ended */
	SIP_MCE_CANCEL,		/* session cancel */
	SIP_MCE_RUNNER_GONE,	/* the tick found no runner for an open session */
	SIP_MCE_SAVED,		/* the master's save is done, the image whole */
	SIP_MCE_SAVE_FAILED,	/* it failed, expired or was cancelled */
	SIP_MCE_PREPARED,	/* the master's sysprep reported done */
	SIP_MCE_PREP_FAILED,	/* its push or sysprep failed, or no report */
	SIP_MCE__MAX
};

/* A member as the session sees it: its action, and what udp-sender said. */
enum sip_member_state {
	SIP_MB_BOOTING,		/* its action is not running yet */
	SIP_MB_WAITING,		/* the worker waits for the stream */
	SIP_MB_RECEIVING,	/* joined: receiving and writing */
	SIP_MB_VERIFYING,	/* reading its partitions back */
	SIP_MB_VERIFIED,	/* done, and the report says verified */
	SIP_MB_RESTORED,	/* done, not read back (verify=no) */
	SIP_MB_FAILED,		/* its action failed, expired or was cancelled */
	SIP_MB_DROPPED,		/* udp-sender dropped it mid-transfer */
	SIP_MB_MISSED,		/* never joined a stream that was sent */
	SIP_MB_FALLBACK,	/* given a unicast restore of the image */
	SIP_MB__MAX
};

/* An open multicast session the page shows: its visible machines counted by state. */
struct sip_status_session {
	int64_t		 id;
	enum sip_mcast_state state;
	char		*image;
	size_t		 n;			/* its machines the page shows */
	size_t		 count[SIP_MB__MAX];
	int		 slowest;		/* % of the slowest on its way, -1 none */
};

struct sip_status_view {
	struct sip_status_group *groups;
	size_t		 ngroups;
	struct sip_status_session *sessions;	/* open, newest first */
	size_t		 nsessions;
	time_t		 now;
	/* What the items point into: the view's, freed with it. */
	struct sip_status_row *rows;
	size_t		 nrows;
	struct sip_history *last;	/* nrows, id 0: no event */
	enum sip_wake_status *wake;	/* nrows: each row's latest wake */
	struct sip_ldap	*ldap;
	char		 (*macs)[SIP_MAC_STRLEN];
};
/*
 * May the page show this parc (NULL: the "all machines" group)?  The
 * caller's rule (delegation): 1 yes, 0 no.
 */
typedef int	 (*sip_parc_visible_fn)(void *arg, const char *parc);
/*
 * Read the view: with [ldap] uri, SE3's machines, one group per parc
 * (a machine in two parcs is in both), machines in no parc in none;
 * without, one group of every machine the database knows.  parc, if not
 * NULL, keeps that group alone (SIP_ENOTFOUND: no such parc, or not
 * visible).  The database is opened read-only and not changed.
 * password is [ldap] bind_dn's or NULL.  Caller frees with
 * sip_status_view_free (also after a failure).
 */
enum sip_rc	 sip_status_view_load(const struct sip_config *,
		    const char *password, const char *parc,
		    sip_parc_visible_fn, void *arg, time_t now,
		    struct sip_status_view *, struct sip_err *);
void		 sip_status_view_free(struct sip_status_view *);
/*
 * The view as JSON, and as an HTML page (every value escaped for its
 * context; base is the CGI's own path, for its CSS, JS and JSON, and
 * must be [A-Za-z0-9._/-]; refresh in seconds).  out is the caller's:
 * caller frees with sip_buf_free (also after a failure); -1 when out failed.
 */
int		 sip_status_json(const struct sip_status_view *, int refresh,
		    struct sip_buf *out);
int		 sip_status_html(const struct sip_status_view *, int refresh,
		    const char *base, struct sip_buf *out);
/*
 * One machine's row (check: the name of a checkbox in a first cell, or
 * NULL); its states' words in lang (sip_word), its class in English.
 */
void		 sip_status_html_item(struct sip_buf *,
		    const struct sip_status_item *, time_t now,
		    const char *check, enum sip_lang lang);
/* Text appended to out with & < > " ' as references, for text and attributes. */
int		 sip_html_escape(struct sip_buf *, const char *);
/* The page's stylesheet and script (web/), served by status.cgi. */
extern const char sip_status_css[];
extern const char sip_status_js[];
/* The console's (web/console.css, web/console.js), served by console.cgi. */
extern const char sip_console_css[];
extern const char sip_console_js[];
/* The last event of each MAC (history, newest row): see sip_status_view.last. */
enum sip_rc	 sip_store_last_events(struct sip_store *,
		    const char *const *macs, size_t n, struct sip_history **,
		    struct sip_err *);
/* A machine's inventory as a worker's report last sent it (at 0: none). */
struct sip_inventory {
	int64_t		 at;
	int64_t		 action_id;
	char		*action;	/* module:capability */
	char		*text;		/* lines, see sip_inventory_check */
};
/* The inventory of each MAC; caller frees with sip_inventories_free. */
enum sip_rc	 sip_store_inventories(struct sip_store *,
		    const char *const *macs, size_t n, struct sip_inventory **,
		    struct sip_err *);
void		 sip_inventories_free(struct sip_inventory *, size_t);

/* ------------------------------------------------------------ the answers */

/* A request as ipxe.cgi received it, every field already validated. */
struct sip_request {
	char		 mac[SIP_MAC_STRLEN];
	const char	*platform;	/* pcbios | efi | NULL */
	const char	*buildarch;	/* i386 x86_64 arm32 arm64 | NULL */
	const char	*uuid, *serial, *manufacturer, *product;	/* stored only */
	const char	*ip;		/* IPv4 or NULL */
	const char	*host;		/* Host header, SIP_T_HOST or NULL */
	const char	*addr;		/* REMOTE_ADDR literal or NULL */
	const char	*script_name;	/* SCRIPT_NAME, for cgi_url */
};

/* Why the machine got what it got: one line for logs and preview. */
struct sip_reason {
	char	 text[SIP_ERR_MAX];
};

/*
 * Decide and render the answer for one boot request: the one call ipxe.cgi
 * makes.  Never fails: on any error out holds a valid local-boot script
 * (or is empty when not even that could be allocated: the caller then
 * writes sip_fallback_script), *rc says what went wrong and err names it.
 * dry_run (preview) reads the store without changing it.  out is the
 * caller's (sip_buf_init): caller frees with sip_buf_free, whatever *rc.
 */
void		 sip_answer_boot(const struct sip_config *, const struct sip_request *,
		    time_t now, int dry_run, struct sip_buf *out,
		    struct sip_reason *, enum sip_rc *rc, struct sip_err *);
/*
 * preview: sip_answer_boot's dry run, and its decision trace appended to
 * trace, one LF-terminated line per step (the URLs and where they come
 * from, the journal, the active list, the action and its step, the
 * template and its keys).  The lines quote stored strings as they are:
 * the caller escapes them for a terminal.  out and trace are the
 * caller's: caller frees both with sip_buf_free, whatever *rc.
 */
void		 sip_answer_preview(const struct sip_config *,
		    const struct sip_request *, time_t now, struct sip_buf *out,
		    struct sip_buf *trace, struct sip_reason *, enum sip_rc *rc,
		    struct sip_err *);

/* The compiled-in local-boot script used when nothing else can be had. */
extern const char sip_fallback_script[];
extern const size_t sip_fallback_script_len;

/*
 * The report call ipxe.cgi makes: SIP_EDENIED means answer 403.  inventory
 * (NULL: none), only with SIP_EV_DONE, is stored as the machine's.
 */
enum sip_rc	 sip_answer_report(const struct sip_config *, const char *addr,
		    const char *token, enum sip_event, int progress,
		    const char *msg, const char *inventory, time_t now,
		    struct sip_err *);

/*
 * A file of the action whose token this is (sip_store_token_action), as
 * its capability's "files" declare it, rendered with the action's values:
 * the preseed an installer fetches.  SIP_EDENIED: unknown or finished
 * token, or not from the action's address (answer 403); SIP_ENOTFOUND: no
 * such file (404).  Records the fetch or its refusal with req->addr in the
 * history, unless dry_run (HEAD), which changes nothing.
 * out is the caller's: caller frees with sip_buf_free (also after a failure).
 */
enum sip_rc	 sip_answer_file(const struct sip_config *,
		    const struct sip_request *, const char *token,
		    const char *name, time_t now, int dry_run,
		    struct sip_buf *out, struct sip_err *);

/* ------------------------------------------------------------------ DHCP */

/*
 * The snippet of DHCP server configuration that chainloads iPXE: clients
 * whose user class is "iPXE" get the ipxe.cgi URL, the others get iPXE by
 * TFTP (or, with legacy, the boot file of se3-clonage for BIOS clients).
 */
enum sip_dhcp_format {
	SIP_DHCP_ISC,		/* ISC dhcpd: dhcpd.conf(5) */
	SIP_DHCP_DNSMASQ,	/* dnsmasq */
	SIP_DHCP__MAX
};

enum sip_rc	 sip_dhcp_format_parse(const char *, enum sip_dhcp_format *);
/*
 * Append the snippet to out.  Every value written is checked first (the
 * URL by sip_value_check, the file names by sip_dhcp_file_check); an
 * empty [server] cgi_url is SIP_ECONFIG.  On any error out is unchanged.
 * out is the caller's: caller frees with sip_buf_free (also after a failure).
 */
enum sip_rc	 sip_dhcp_config(const struct sip_config *,
		    enum sip_dhcp_format, int legacy, struct sip_buf *out,
		    struct sip_err *);

/* ------------------------------------------------------ maintenance menu */

#define SIP_MENU_ACTION		"menu:maintenance"
#define SIP_MENU_PASSWORD_MAX	128	/* bytes */

/* SIP_OK if s is a crypt(3) hash ("$id$..."), as [menu] password_hash. */
enum sip_rc	 sip_crypt_hash_check(const char *);
/* SIP_OK if s may be a menu password: 1..128 bytes, no control character. */
enum sip_rc	 sip_menu_password_check(const char *);
/*
 * The secret of the secrets file that se3-ipxe menu-password sets: the
 * menu's password hash, which wins over [menu] password_hash.
 */
#define SIP_MENU_SECRET		"menu_password_hash"
/*
 * crypt(3) hash of password (sip_menu_password_check'ed): yescrypt ($y$)
 * where libcrypt has it, else SHA-512 ($6$), a salt from getrandom(2).
 * Caller frees *hash with free.
 */
enum sip_rc	 sip_menu_password_hash(const char *password, char **hash,
		    struct sip_err *);
/*
 * A menu:maintenance request (ipxe.cgi/menu): always an iPXE script in
 * out, even when refused (*granted 0: it says so and sets se3_menu
 * locked when no more tries are left, so that the menu script boots the
 * local disk).  The password is checked against [menu] password_hash
 * with crypt(3); each try is counted first, [menu] tries bounds them per
 * action.  Right, without tool: the menu of the tools installed; with
 * tool (module:capability): that capability's script for this machine,
 * with its default options.  err says why when not granted (a log line:
 * never the password).  Caller frees out with sip_buf_free.
 */
enum sip_rc	 sip_answer_menu(const struct sip_config *,
		    const struct sip_request *, const char *token,
		    const char *password, const char *tool, time_t now,
		    struct sip_buf *out, int *granted, struct sip_err *);
/*
 * Render act's script (its capability's template, its options) for req,
 * as a boot serving act would: for the menu's tools.
 */
enum sip_rc	 sip_answer_render(const struct sip_config *,
		    const struct sip_request *, const struct sip_action *,
		    struct sip_buf *out, struct sip_err *);
/* ipxe.cgi's own URL for req, as templates get it in {{cgi_url}} ("" if none). */
void		 sip_answer_cgi_url(const struct sip_config *,
		    const struct sip_request *, char *, size_t);

/* ------------------------------------------------------------ CGI queries */

/* What a request to ipxe.cgi asks for; each has its own query fields. */
enum sip_endpoint {
	SIP_EP_BOOT,		/* what to boot: mac and what iPXE knows */
	SIP_EP_REPORT,		/* an installer's report: token, status ... */
	SIP_EP_FILE,		/* a file of an action: token */
	SIP_EP_STATUS,		/* status.cgi: the parc to show, optional */
	SIP_EP_MENU,		/* menu:maintenance: token, password, tool */
	SIP_EP__MAX
};

#define SIP_QUERY_DROPPED_MAX	8	/* more than the optional boot fields */
#define SIP_REPORT_MSG_MAX	256
#define SIP_INVENTORY_MAX	4096	/* a machine's inventory, in bytes */

/*
 * A query typed by its endpoint's fields: every value set here passed
 * its field's check.  The strings point into kv.
 */
struct sip_query {
	struct sip_kv	*kv;		/* the decoded pairs */
	size_t		 nkv;
	struct sip_request req;		/* boot: mac and the optional fields */
	const char	*token;		/* report, file */
	enum sip_event	 event;		/* report: its status */
	int		 progress;	/* report: 0..100, -1 not given */
	const char	*msg;		/* report, or NULL */
	const char	*inventory;	/* report done: the machine's, or NULL */
	const char	*parc;		/* status: SIP_T_WORD, or NULL */
	const char	*password;	/* menu: never logged nor stored */
	const char	*tool;		/* menu: module:capability, or NULL */
	/* Optional boot fields that failed their check: dropped, one line each. */
	struct sip_err	 dropped[SIP_QUERY_DROPPED_MAX];
	size_t		 ndropped;
};

/*
 * Decode q (sip_query_parse) and check each field the endpoint knows
 * against its type; keys it does not know are ignored.  A required field
 * missing or invalid, or an invalid report field, is an error: SIP_EINVAL,
 * or SIP_EDENIED for a token (answer 403).  An invalid optional boot field
 * is dropped and named in dropped[]: the boot goes on.  Caller frees with
 * sip_query_free (also after a failure).
 */
enum sip_rc	 sip_query_read(enum sip_endpoint, const char *q,
		    struct sip_query *, struct sip_err *);
void		 sip_query_free(struct sip_query *);
/*
 * Where the client reached us (HTTP_HOST, SCRIPT_NAME), for URLs: host kept
 * if SIP_T_HOST.  req's fields then point at host and script_name: nothing
 * to free.
 */
void		 sip_request_origin(struct sip_request *, const char *host,
		    const char *script_name);
/*
 * The client's address (REMOTE_ADDR) if it is an IPv4 or IPv6 literal, else
 * "-": the argument itself or a constant, nothing to free.
 */
const char	*sip_remote_addr(const char *);

/* ------------------------------------------------------------ CGI plumbing */

/*
 * The hard deadline of a CGI: handler runs on SIGALRM after seconds
 * (re-arming replaces it); disarm blocks SIGALRM before the final write,
 * so that the handler never interleaves with an answer.
 */
void		 sip_cgi_deadline_arm(int seconds, void (*handler)(int));
void		 sip_cgi_deadline_disarm(void);
/* All of p to standard output, through EINTR; a write error ends it. */
void		 sip_cgi_write_all(const char *, size_t);
/* The words of an HTTP status ipxe.cgi or status.cgi answers; 503 for others. */
const char	*sip_cgi_reason(int status);
/*
 * One line on stderr, in one write (the web server's error log keeps it
 * whole): "PROG: ADDR ENDPOINT[ WHO]: message", cut to fit.
 */
void		 sip_cgi_logv(const char *prog, const char *addr,
		    const char *endpoint, const char *who, const char *fmt,
		    va_list);

/*
 * The scaffolding status.cgi and console.cgi share.  sip_cgi_begin names
 * the program and arms the deadline, whose answer is a 503 and one log
 * line; sip_cgi_context says what the log lines and that answer name
 * (strings that must outlive the request), sip_cgi_deadline arms it
 * again.  sip_cgi_log writes one line with that prefix.
 */
/* REMOTE_USER as Apache authenticated it, if it is an SE3 uid, else NULL. */
const char	*sip_cgi_login(const char *user);
void		 sip_cgi_begin(const char *prog, int seconds);
void		 sip_cgi_context(const char *addr, const char *endpoint,
		    int head);
void		 sip_cgi_deadline(int seconds);
void		 sip_cgi_log(const char *who, const char *fmt, ...)
		    __attribute__((__format__(printf, 2, 3)));
/* Each line of b as one log line. */
void		 sip_cgi_log_lines(const char *who, const struct sip_buf *b);
/*
 * The whole answer (the deadline disarmed first): the status, the type,
 * no-store, then policy and extra (header lines, each ending CRLF), the
 * length; the body unless head.
 */
void		 sip_cgi_respond(int head, const char *policy, int status,
		    const char *type, const char *extra, const char *body,
		    size_t len);
/*
 * A POST's body of CONTENT_LENGTH bytes from standard input, whole,
 * NUL-terminated: 0, or the status of the fault (413: no length or more
 * than max; 400: cut short; 503: out of memory).  *out is the caller's
 * to free in every case.
 */
int		 sip_cgi_body_read(const char *content_length, size_t max,
		    char **out, size_t *len);
/*
 * An answer that the library made for a CGI (console.cgi): the CGI
 * writes the log lines, then the answer with the headers it adds.
 */
struct sip_cgi_answer {
	int		 status;
	const char	*type;
	char		 headers[640];	/* extra lines, each ending CRLF */
	struct sip_buf	 body;
	struct sip_buf	 log;		/* lines for the error log, \n-ended */
	const char	*login;		/* checked, for the log lines; NULL none */
};
void		 sip_cgi_answer_init(struct sip_cgi_answer *);
void		 sip_cgi_answer_free(struct sip_cgi_answer *);

/* ------------------------------------------------------------ image store (lib/imagestore.c) */

/* An image part's name: [A-Za-z0-9][A-Za-z0-9._-]*, no "..", below this. */
#define SIP_IMAGE_NAME_MAX	128
#define SIP_IMAGE_WORD_MAX	64	/* part, tool, compression */
enum sip_rc	 sip_image_name_check(const char *);

/* What an images.cgi request's query may say; absent: "" or -1. */
struct sip_image_query {
	char	 token[SIP_TOKEN_STRLEN];
	int64_t	 size;				/* declared bytes, -1 none */
	char	 sha256[SIP_SHA256_HEX + 1];	/* declared, lower-case */
	char	 part[SIP_IMAGE_WORD_MAX];	/* sda, sda1, table... */
	char	 tool[SIP_IMAGE_WORD_MAX];	/* partclone.ext4, dd... */
	char	 compression[SIP_IMAGE_WORD_MAX]; /* none lzop zstd gzip */
};
/* The query string qs, every key known and every value typed (SIP_EINVAL). */
enum sip_rc	 sip_image_query_parse(const char *qs, struct sip_image_query *,
		    struct sip_err *);
/* The token from elsewhere (a header): SIP_EINVAL if it is not one. */
enum sip_rc	 sip_image_token_set(struct sip_image_query *, const char *);

/*
 * What the saving action's keep=N did once an upload made an image whole
 * (sip_images_keep_after): its failure never undoes the upload.
 */
struct sip_image_keep {
	size_t		 removed;	/* older images removed */
	enum sip_rc	 rc;		/* SIP_OK, or why it failed: msg */
	char		 msg[SIP_ERR_MAX];
};

/* One row of the catalogue. */
struct sip_image {
	int64_t	 id;
	char	 name[SIP_IMAGE_NAME_MAX];
	char	 mac[SIP_MAC_STRLEN];
	char	 part[SIP_IMAGE_WORD_MAX];
	char	 tool[SIP_IMAGE_WORD_MAX];
	char	 compression[SIP_IMAGE_WORD_MAX];
	int64_t	 size;
	char	 sha256[SIP_SHA256_HEX + 1];
	int64_t	 created_at;
};

/* Why an upload was refused beyond its sip_rc: the CGI's HTTP status. */
enum sip_image_fault {
	SIP_IMAGE_FAULT_NONE,
	SIP_IMAGE_FAULT_TOO_LARGE,	/* over [images] limit: 413 */
	SIP_IMAGE_FAULT_NO_SPACE,	/* the store's disk: 507 */
	SIP_IMAGE_FAULT_EXISTS,		/* a complete image has the name: 409 */
	SIP_IMAGE_FAULT_MISMATCH,	/* size or sha256 not the declared: 400 */
	SIP_IMAGE_FAULT_CUT		/* the body ended early or stalled: 400 */
};

/*
 * A PUT of image part name from addr with q's token: the token's active
 * action must be of an uploading capability (save, backup) and bound to
 * addr as [security] bind says.  The body is read from fd (length bytes,
 * -1: until EOF, chunked) into a temporary file of [images] dir, hashed
 * on the way, fsynced.  With a declared size or sha256 (or a length) it
 * is checked and renamed into the catalogue (*stored 1); without, it
 * waits for sip_image_commit (*stored 0).  img receives the row.  Any
 * failure leaves no file and no row behind; SIGTERM or SIGINT (an
 * aborted request) while reading counts as a cut.  A stored manifest
 * makes its image whole: keep says what the action's keep=N then did.
 */
enum sip_rc	 sip_image_put(const struct sip_config *, const char *addr,
		    const char *name, const struct sip_image_query *, int fd,
		    int64_t length, time_t now, struct sip_image *img,
		    int *stored, struct sip_image_keep *keep,
		    enum sip_image_fault *, struct sip_err *);
/*
 * The second step of an upload without declarations: q's size and
 * sha256 must be the received ones.  keep: as for sip_image_put.
 */
enum sip_rc	 sip_image_commit(const struct sip_config *, const char *addr,
		    const char *name, const struct sip_image_query *,
		    time_t now, struct sip_image *img,
		    struct sip_image_keep *keep, enum sip_image_fault *,
		    struct sip_err *);
/*
 * A GET of a stored part with a restore action's token, from its
 * address: *fd open on the file (caller closes), img its row.  An action
 * with an option "image" reads only that image and its parts
 * (IMAGE.anything).
 */
enum sip_rc	 sip_image_open(const struct sip_config *, const char *addr,
		    const char *name, const char *token, time_t now, int *fd,
		    struct sip_image *img, struct sip_err *);

/* The complete images, oldest first.  Caller frees *v with free. */
enum sip_rc	 sip_images_list(struct sip_store *, struct sip_image **v,
		    size_t *n, struct sip_err *);
/*
 * Remove image name: a whole image (its manifest) with every part it
 * owns, their rows in one transaction, then their files; or a bare part
 * (its row, then its file).  SIP_ENOTFOUND if none.
 */
enum sip_rc	 sip_image_delete(const struct sip_config *, struct sip_store *,
		    const char *name, struct sip_err *);
/*
 * Remove the whole images (lib/catalogue.c), each with all its parts,
 * created before before (-1: no such bound), and all but the keep newest
 * of each machine (-1: keep all).  *removed counts the images.
 */
enum sip_rc	 sip_images_prune(const struct sip_config *, struct sip_store *,
		    int64_t keep, int64_t before, size_t *removed,
		    struct sip_err *);
/*
 * The tick's part: the rows and temporary files of uploads that stopped
 * (no byte for twice [images] timeout) are removed.  *reaped counts them.
 */
enum sip_rc	 sip_images_reap(const struct sip_config *, struct sip_store *,
		    time_t now, size_t *reaped, struct sip_err *);

/* ------------------------------------------------------------ image manifests (lib/manifest.c) */

#define SIP_MANIFEST_MAX	(64 * 1024)	/* bytes of a manifest */
#define SIP_MANIFEST_PARTS	128		/* part records of one */
#define SIP_MANIFEST_DEV_MAX	32		/* sda1, nvme0n1p2 */

/* One saved partition; for mkswap stored, sha256 and raw_sha256 are "". */
struct sip_manifest_part {
	char	 dev[SIP_MANIFEST_DEV_MAX];
	int	 number;			/* 1 to 128 */
	char	 fs[SIP_IMAGE_WORD_MAX];	/* blkid's type, "" for "-" */
	char	 tool[SIP_IMAGE_WORD_MAX];
	char	 compression[SIP_IMAGE_WORD_MAX];
	char	 stored[SIP_IMAGE_NAME_MAX];	/* NAME.DEV */
	int64_t	 bytes;				/* the partition's size */
	char	 sha256[SIP_SHA256_HEX + 1];	/* of the stored part */
	char	 raw_sha256[SIP_SHA256_HEX + 1]; /* of the uncompressed stream */
	char	 swap_uuid[37];			/* mkswap -U gives it back, or "" */
};

/* A whole image as its manifest (THE IMAGE FORMAT, version 1) says. */
struct sip_manifest {
	char	 mac[SIP_MAC_STRLEN];
	char	 disk[SIP_MANIFEST_DEV_MAX];	/* the source disk */
	int64_t	 disk_bytes;
	int	 sector;			/* logical sector size */
	char	 label[4];			/* dos or gpt */
	char	 table[SIP_IMAGE_NAME_MAX];	/* NAME.table */
	char	 table_sha256[SIP_SHA256_HEX + 1];
	int64_t	 need_bytes;			/* what a target disk needs */
	size_t	 nparts;
	struct sip_manifest_part parts[SIP_MANIFEST_PARTS];
};

/*
 * Parse the manifest text (len bytes, untrusted) of image name into *m:
 * every line and field typed, records in order, "end" last; SIP_EINVAL
 * with "line N: FIELD: why" (never the bytes read) otherwise.
 */
enum sip_rc	 sip_manifest_parse(const char *name, const char *text,
		    size_t len, struct sip_manifest *m, struct sip_err *);

/* ------------------------------------------------------------ the catalogue of whole images (lib/catalogue.c) */

/* One whole image: its manifest's row, and the manifest or why not. */
struct sip_catalogue_image {
	struct sip_image	 row;		/* the manifest's row */
	struct sip_manifest	*m;		/* NULL: error says why */
	char			 error[SIP_ERR_MAX];
	int64_t			 size;		/* its stored parts, the manifest's included */
};
/*
 * The whole images (one per manifest row, oldest first, those whose
 * manifest is unreadable or invalid with their error), and *owner: for
 * each of the n rows sip_images_list gives (*parts), the index in *v of
 * the image it belongs to, or -1 for an orphan part (no manifest: a
 * save that died).  Caller frees with sip_catalogue_free and free.
 */
enum sip_rc	 sip_catalogue(const struct sip_config *, struct sip_store *,
		    struct sip_catalogue_image **v, size_t *n,
		    struct sip_image **parts, int64_t **owner, size_t *nparts,
		    struct sip_err *);
void		 sip_catalogue_free(struct sip_catalogue_image *, size_t);
/*
 * The complete image name of the catalogue with its parsed manifest
 * (caller frees *m with free): SIP_ENOTFOUND if there is no manifest row
 * of that name, SIP_EINVAL if its manifest is unreadable or invalid.
 */
enum sip_rc	 sip_catalogue_manifest(const struct sip_config *,
		    struct sip_store *, const char *name, struct sip_manifest **m,
		    struct sip_err *);
/*
 * After a manifest row was committed by act (the saving action, in st,
 * the store that committed it) whose option keep is N: keep the N newest
 * other whole images of its machine, remove the rest.  *removed counts
 * the images removed.
 */
enum sip_rc	 sip_images_keep_after(const struct sip_config *,
		    struct sip_store *, const struct sip_action *act,
		    const struct sip_image *manifest, size_t *removed,
		    struct sip_err *);
/*
 * set-action's checks of the options with exists = image of cap: each
 * value must be a whole image of the catalogue; and the image of option
 * "image" must fit the target disk (option "disk" unless auto, else the
 * first of the inventory's "size:" line) of each of the n macs.
 * *unchecked counts the machines without such an inventory (allowed).
 * An option with exists_unless = OTHER is not checked when OTHER is
 * given a value other than its default (the image is then elsewhere, an
 * SMB share's, which the worker checks).
 */
enum sip_rc	 sip_options_exists_check(const struct sip_config *,
		    struct sip_store *, const struct sip_capability *,
		    const struct sip_kv *opts, size_t nopts,
		    const char *const *macs, size_t n, size_t *unchecked,
		    struct sip_err *);

/* ------------------------------------------------------------ multicast sessions (lib/mcast.c) */

/* A multicast session's states, events and members: see above the sip_mcast functions. */
#define SIP_MCAST_PORT_MIN	1024
#define SIP_MCAST_PORT_MAX	65534
#define SIP_MCAST_PORT_BASE	9000	/* the first a session is given */
#define SIP_MCAST_MEMBERS_MAX	512
#define SIP_IFNAME_MAX		16	/* IFNAMSIZ */
/* The stream's header block (the contract with the worker's restore.sh). */
#define SIP_MCAST_HEADER	512

struct sip_mcast {
	int64_t			 id;
	char			 image[SIP_IMAGE_NAME_MAX];
	enum sip_mcast_state	 state;
	int			 port;
	char			 interface[SIP_IFNAME_MAX];
	int			 min_receivers;	/* udp-sender --min-receivers */
	int			 max_wait;	/* --max-wait, seconds */
	int			 start_timeout;	/* --start-timeout, seconds */
	int			 fallback;	/* unicast for the unverified */
	int64_t			 created_at, start_at, started_at;
	int64_t			 ended_at;	/* the stream's end, or the session's */
	long			 runner_pid;
	char			 created_by[SIP_LOGIN_MAX + 1];
	char			 reason[SIP_ERR_MAX];
	/* clone --from: the master and its worker:save action, "" and 0 none. */
	char			 source_mac[SIP_MAC_STRLEN];
	int64_t			 source_action;
	/*
	 * --sysprep: the master's address the script is pushed to (claimed:
	 * from a boot, not LDAP), the token its report carries ("" none),
	 * and when the session fails without it.
	 */
	char			 prep_addr[16];
	int			 prep_claimed;
	char			 prep_token[SIP_TOKEN_STRLEN];
	int64_t			 prep_until;
};

struct sip_mcast_member {
	char			 mac[SIP_MAC_STRLEN];
	int64_t			 action_id;
	int64_t			 joined_at, dropped_at;
	int			 num;		/* udp-sender's #K, -1 none */
	int64_t			 fallback_id;	/* its unicast restore, 0 none */
	/* Its action, read with it (state SIP_ST__MAX: gone). */
	enum sip_state		 astate;
	int			 progress;
	char			*message;
	char			 addr[SIP_ADDR_STRLEN];
	enum sip_member_state	 mstate;	/* sip_mcast_member_state */
};

const char	*sip_mcast_state_name(enum sip_mcast_state);
const char	*sip_mcast_event_name(enum sip_mcast_event);
const char	*sip_member_state_name(enum sip_member_state);
int		 sip_mcast_final(enum sip_mcast_state);
/*
 * The state machine: where event takes a session in state s; for
 * SIP_MCE_VERDICT, verified of total members ended verified.  A final
 * state stays; an event that means nothing in s leaves it.
 */
enum sip_mcast_state sip_mcast_next(enum sip_mcast_state s,
		    enum sip_mcast_event, size_t verified, size_t total);
/* Whether a member ended well: verified, or restored without a read-back. */
int		 sip_member_ok(enum sip_member_state);
/*
 * The session's progress is that of its slowest machine still on its way
 * (booting to verifying): m folded into *slowest, -1 while there is none.
 */
void		 sip_mcast_slowest(int *slowest, const struct sip_mcast_member *m);
/* What a member is, from its row, its action and the session's state. */
enum sip_member_state sip_mcast_member_state(const struct sip_mcast *,
		    const struct sip_mcast_member *);

/*
 * A new session in state forming (its members come with
 * sip_mcast_members_add): port 0 picks the lowest even port from
 * SIP_MCAST_PORT_BASE no open session uses.  s->id and s->port are set.
 */
enum sip_rc	 sip_mcast_create(struct sip_store *, struct sip_mcast *s,
		    time_t now, struct sip_err *);
/* Its members: each mac's active action, which must be a worker:restore of this session. */
enum sip_rc	 sip_mcast_members_add(struct sip_store *, int64_t id,
		    const char *const *macs, size_t n, struct sip_err *);
/* Remove a session that never got its members (set-action failed). */
enum sip_rc	 sip_mcast_delete(struct sip_store *, int64_t id,
		    struct sip_err *);
/* One session (SIP_ENOTFOUND), with its members unless m is NULL. */
enum sip_rc	 sip_mcast_get(struct sip_store *, int64_t id,
		    struct sip_mcast *, struct sip_mcast_member **m,
		    size_t *nm, struct sip_err *);
/* The open session mac is a member of (the newest), and its state there; SIP_ENOTFOUND if none. */
enum sip_rc	 sip_mcast_member_of(struct sip_store *, const char *mac,
		    struct sip_mcast *, enum sip_member_state *,
		    struct sip_err *);
/* Every session, newest first; open only if open_only.  Caller frees. */
enum sip_rc	 sip_mcast_list(struct sip_store *, int open_only,
		    struct sip_mcast **v, size_t *n, struct sip_err *);
void		 sip_mcast_members_free(struct sip_mcast_member *, size_t);
/*
 * The one function that changes a session's state: writes it with
 * reason, sets ended_at on a final state, and logs "session N: old -> new
 * (event): reason" in each member's history.  No-op when s stays.
 */
enum sip_rc	 sip_mcast_step(struct sip_store *, struct sip_mcast *,
		    enum sip_mcast_event, size_t verified, size_t total,
		    const char *reason, const char *who, time_t now,
		    struct sip_err *);
/*
 * Cancel an open session: its state, then each member's active action
 * (the runner sees the state and stops udp-sender).  *pid the runner to
 * signal, 0 none.
 */
enum sip_rc	 sip_mcast_cancel(struct sip_store *, int64_t id,
		    const char *who, time_t now, long *pid, struct sip_err *);
/* sip_mcast_cancel, then its runner, if alive, told to stop (SIGTERM). */
enum sip_rc	 sip_mcast_cancel_stop(const struct sip_config *,
		    struct sip_store *, int64_t id, const char *who,
		    time_t now, struct sip_err *);
/*
 * The header block of part k (1..) of session id, or the trailer (k 0):
 * the stream's contract with modules/worker/restore.sh.
 */
void		 sip_mcast_header(char out[SIP_MCAST_HEADER], int64_t id,
		    int k, const char *name, int64_t bytes, const char *sha);
/*
 * Run session id: wait for its start, send its image with udp-sender
 * (the framed stream of sip_mcast_header), follow udp-sender's log,
 * then wait for the members' verdicts and set the final state; with
 * fallback, give the unverified members a unicast restore.  Holds the
 * session's lock for its whole life (SIP_EBUSY: another runner has it).
 * sender is the program to run ("udp-sender").
 */
enum sip_rc	 sip_mcast_run(const struct sip_config *, int64_t id,
		    const char *sender, struct sip_err *);
/*
 * Give each member of session id (or only the n macs) that did not end
 * verified a worker:restore of the session's image by unicast (session
 * 0), its other options kept.  *nset counts them.
 */
enum sip_rc	 sip_mcast_fallback(const struct sip_config *,
		    struct sip_store *, int64_t id, const char *const *macs,
		    size_t n, const char *who, time_t now, size_t *nset,
		    struct sip_err *);
/*
 * The tick's part: an open session whose runner is gone (its lock is
 * free, and it had started, or the session is a minute old) fails.
 * *nfailed counts them.
 */
enum sip_rc	 sip_mcast_tick(const struct sip_config *, struct sip_store *,
		    time_t now, size_t *nfailed, struct sip_err *);
/*
 * Whether udp-sender can work on ifname: it exists, is not the loopback,
 * is up with a carrier, can multicast and has an IPv4 address; else
 * SIP_EINVAL saying which.  Instant: an IGMP querier cannot be seen
 * without waiting for its next query (125 s by default), so it is not
 * checked; a switch that snoops without one is the admin's to know.
 */
enum sip_rc	 sip_mcast_preflight(const char *ifname, struct sip_err *);
/*
 * The tick's purge: sessions ended before `before` go with their members
 * and their runner's log and lock beside the database (*n counts them);
 * an open session is never purged.
 */
enum sip_rc	 sip_mcast_purge(const struct sip_config *, struct sip_store *,
		    int64_t before, size_t *n, struct sip_err *);
/* The lock file and the log of session id's runner (beside the database). */
void		 sip_mcast_lock_path(const struct sip_config *, int64_t id,
		    char *dst, size_t sz);
void		 sip_mcast_log_path(const struct sip_config *, int64_t id,
		    char *dst, size_t sz);
/*
 * Whether a runner holds session id's lock (1), not (0), or it cannot be
 * told (-1: the lock cannot be opened or taken).  With keep NULL, a probe
 * (shared, the file never created).  Else the lock is taken and kept
 * when no runner holds it (0): *keep is its descriptor, which the caller
 * closes; no runner can start until then.  *keep is -1 otherwise.
 */
int		 sip_mcast_runner_lock(const struct sip_config *, int64_t id,
		    int *keep);
/* Whether a runner holds session id's lock: then its recorded pid is the runner's, not a reused one. */
int		 sip_mcast_runner_alive(const struct sip_config *, int64_t id);

/*
 * A session as `se3-ipxe clone` and console.cgi make it (lib/clone.c): the
 * caller fills the request (sip_clone_init first), resolves the targets
 * and checks the login's rights; the library validates the session and
 * its members' worker:restore actions (set-action's own calls), then
 * writes the session, the actions and the members, or nothing.  The
 * caller then sends or queues the power jobs and spawns the runner.
 */
#define SIP_CLONE_MAX_WAIT	300	/* s after the first join */
#define SIP_CLONE_START_TIMEOUT	900	/* s for a first receiver */
#define SIP_CLONE_WAIT_MAX	3600	/* restore.wait's bound */
struct sip_clone {
	/* The request: s's image, port (0: one free), min_receivers,
	   max_wait, start_timeout, interface ("": the default route's),
	   fallback; restore's own options. */
	struct sip_mcast	 s;
	const char		*at;		/* NULL: now */
	const char		*who;
	char *const		*assignments;	/* KEY=VALUE, save.KEY=VALUE */
	size_t			 nassignments;
	/* clone --from: the master (one machine), saved as s.image first. */
	const struct sip_targets *master;
	/* What sip_clone_prepare and _check found: the members' actions. */
	struct sip_setaction	 sa;
	char			**all;
	size_t			 nall;
	/* With a master: run sysprep on it first (seconds for its report). */
	int			 sysprep;
	int			 sysprep_timeout;
	/* With a master: its worker:save, and that action's id once written. */
	struct sip_setaction	 save;
	char			**sall;
	size_t			 nsall;
	int64_t			 save_id;
};
/* An interface name as udp-sender takes it: 1 to 15 of [A-Za-z0-9._-]. */
int		 sip_ifname_ok(const char *);

/*
 * clone --sysprep (lib/sysprep.c): the master's Windows runs sysprep
 * before its save.  The session's runner pushes a .cmd (CRLF, no
 * credential: the report's token only) to \\ADDR\ADMIN$\Temp\se3-ipxe
 * with smbclient -A [reboot] net_auth_file, and starts it through a
 * service (net rpc service create, start, delete; -A the same file).
 * The script reports to ipxe.cgi's report endpoint with the session's
 * prep token (sip_mcast_prep_report) and reboots into the save.
 */
#define SIP_SYSPREP_TIMEOUT	2400	/* s for the report: SE3's 40 min */
#define SIP_SYSPREP_TIMEOUT_MAX	86400
/* [server] cgi_url + "/report", if a .cmd can hold it; SIP_ECONFIG with why. */
enum sip_rc	 sip_sysprep_report_url(const struct sip_config *, char *,
		    size_t, struct sip_err *);
/* The script, byte for byte (appended to out: the caller's to free). */
enum sip_rc	 sip_sysprep_script(const char *report_url,
		    const char *token, int64_t id, struct sip_buf *out,
		    struct sip_err *);
/*
 * Push and start the session's script on its master.  SIP_OK with why
 * "" when started; SIP_OK with a one-line why (no secret) naming what
 * failed (guard, credential file, connection, auth, ADMIN$, service);
 * another code only for this host's own failures (memory, /tmp).
 */
enum sip_rc	 sip_sysprep_push(const struct sip_config *,
		    const struct sip_mcast *, char *why, size_t,
		    struct sip_err *);
/*
 * A report with a preparing session's prep token, from its master's
 * address: done -> saving (prepared) and its save released, failed ->
 * failed (prep-failed) with its members and save cancelled; running
 * changes nothing.  SIP_ENOTFOUND when no preparing session has this
 * token (an action's report, then); SIP_EDENIED from another address.
 */
enum sip_rc	 sip_mcast_prep_report(struct sip_store *, const char *addr,
		    const char *token, enum sip_event, const char *msg,
		    time_t now, struct sip_err *);
/* End a preparing session: prepared (its save released) or failed (its save and members cancelled). */
enum sip_rc	 sip_mcast_prep_end(struct sip_store *, struct sip_mcast *,
		    int prepared, const char *why, const char *who, time_t now,
		    struct sip_err *);
void		 sip_clone_init(struct sip_clone *);
/* Bounds, interface and its preflight, --at, the members' options. */
enum sip_rc	 sip_clone_prepare(const struct sip_config *,
		    struct sip_clone *, const struct sip_targets *,
		    time_t now, struct sip_err *);
/* With the database, after the rights: the image is whole and fits (with a master: it is new). */
enum sip_rc	 sip_clone_check(const struct sip_config *,
		    struct sip_store *, struct sip_clone *,
		    const struct sip_targets *, struct sip_err *);
/*
 * The master's save first if any (c->save_id), the session (c->s.id, its
 * port), the members' actions (ids[t->n]: held until the save is done),
 * the members.
 */
enum sip_rc	 sip_clone_write(struct sip_store *, struct sip_clone *,
		    const struct sip_targets *, time_t now, int64_t *ids,
		    struct sip_err *);
void		 sip_clone_free(struct sip_clone *);

#endif /* SE3IPXE_H */
