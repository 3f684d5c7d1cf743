/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Internals shared by lib/ files, the unit tests and the fuzz targets; not for cgi/ or cli/. */
#ifndef SE3IPXE_EXTERN_H
#define SE3IPXE_EXTERN_H

#include "se3ipxe.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SIP_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * The length of the line that starts at p (before end), without its LF
 * and a CR before that; *nl is set to where it ends (its LF, or end).
 */
size_t		 sip_line_len(const char *, const char *, const char **);

/*
 * A value as quoted in a message: v itself, or if it does not fit in sz
 * bytes its start and "..." in buf, so that the message stays whole.
 */
const char	*sip_shorten(const char *, char *, size_t);

/*
 * Read a whole regular file (at most max bytes) into a NUL-terminated
 * buffer.  Caller frees it with free (nothing to free on error).
 */
enum sip_rc	 sip_file_read(const char *path, size_t max, char **, size_t *,
		    struct sip_err *);
/* Write all of buf to an open descriptor; path names it in errors. */
enum sip_rc	 sip_fd_write(int fd, const char *path, const char *buf,
		    size_t len, struct sip_err *);
/*
 * The same from an open descriptor, from where it stands; path names it
 * in errors.  Caller frees the buffer with free (nothing to free on error).
 */
enum sip_rc	 sip_fd_read(int fd, const char *path, size_t max, char **,
		    size_t *, struct sip_err *);

/* The path of a file next to the database: db_path and suffix. */
enum sip_rc	 sip_db_sibling(const char *db_path, const char *suffix,
		    char *, size_t, struct sip_err *);

/* Constant-time comparison of two equal-length strings. */
int		 sip_ct_equal(const char *, const char *, size_t);

/* The value of one hexadecimal digit, either case, or -1. */
int		 sip_hexval(char);

/* Duplicate, or NULL on allocation failure. */
char		*sip_strdup(const char *);
/* Append src to the string in dst of size sz, cutting if needed. */
void		 sip_append(char *, size_t, const char *);

/* Digits only, no sign, fits in int64_t: 1, else 0. */
int		 sip_parse_uint(const char *, int64_t *);

/*
 * Each enum's spellings (lib/names.c), indexed by value and ending with
 * NULL, for the readers that list the words a key accepts.
 */
extern const char *const sip_state_names[];
extern const char *const sip_event_names[];
extern const char *const sip_completion_names[];
extern const char *const sip_opt_type_names[];
extern const char *const sip_type_names[];
extern const char *const sip_template_kind_names[];
extern const char *const sip_platform_names[];
extern const char *const sip_buildarch_names[];
extern const char *const sip_local_names[];
extern const char *const sip_default_names[];
extern const char *const sip_dhcp_format_names[];
extern const char *const sip_bind_names[];
extern const char *const sip_request_event_names[];

/* ---------------------------------------------------------------- buffers */

int		 sip_buf_append(struct sip_buf *, const char *, size_t);

/* ------------------------------------------------------------------- MACs */

/* Canonical form: lower case, colons. */
void		 sip_mac_format(const struct sip_mac *, char[SIP_MAC_STRLEN]);

/* ----------------------------------------------------------------- rights */

/*
 * s with each byte for which must(s, i, strlen(s)) holds spelt \XX, as
 * RFC 4514 (DN values) and 4515 (filter values) both write them: the
 * length needed, at most sz - 1 bytes written and a NUL (lib/ldap.c).
 */
size_t		 sip_ldap_hex_escape(const char *,
		    int (*)(const char *, size_t, size_t), char *, size_t);
/*
 * s as an RFC 4514 attribute value (lib/rights.c), in out of size sz (cut
 * if needed); returns the length it needs, without the NUL.
 */
size_t		 sip_rights_dn_escape(const char *, char *, size_t);

/* ------------------------------------------------------------ value types */

const char	*sip_type_name(enum sip_type);
enum sip_rc	 sip_type_parse(const char *, enum sip_type *);

/* ----------------------------------------------------------------- config */

/*
 * The line-oriented INI reader of module manifests and se3-ipxe.conf.  The callback gets each "key = value" with its
 * section and line; a nonzero return stops the read and is returned.
 * Syntax errors are reported as SIP_EMODULE naming file:line.
 */
typedef int (*sip_ini_cb)(void *arg, const char *section, const char *key,
    const char *value, int line);
/* section_cb (may be NULL) is called for each "[section]" line. */
typedef int (*sip_ini_section_cb)(void *arg, const char *section, int line);
enum sip_rc	 sip_ini_parse(const char *name, const char *text, size_t len,
		    sip_ini_section_cb, sip_ini_cb, void *arg, struct sip_err *);

const char	*sip_bind_name(enum sip_bind);
enum sip_rc	 sip_bind_parse(const char *, enum sip_bind *);
const char	*sip_local_name(enum sip_local);
/*
 * The local boot of one request (lib/model.c), the one choice every local
 * answer renders (templates/local.ipxe, the modules' local fallbacks):
 * the first [model] whose patterns match manufacturer and product (NULL:
 * not sent) overrides [boot]'s local_pcbios and local_efi.  Returns that
 * model, or NULL when none matched.
 */
struct sip_local_choice {
	enum sip_local	 pcbios, efi;
	const char	*efi_loader;	/* the model's, else the UEFI default */
};
const struct sip_model *sip_local_choose(const struct sip_config *,
		    const char *manufacturer, const char *product,
		    struct sip_local_choice *);
const struct sip_model *sip_model_match(const struct sip_model *, size_t,
		    const char *manufacturer, const char *product);
extern const char sip_default_efi_loader[];
/* 1 if s is an SIP_T_EFIPATH: \DIR\...\NAME.efi, no empty, "." or ".." part. */
int		 sip_efi_path_check(const char *);
/* se3-ipxe.conf's [model NAME] sections, read by lib/config.c. */
int		 sip_model_section(const char *section, const char **name);
enum sip_rc	 sip_model_add(struct sip_model **, size_t *, const char *name,
		    int line, const char *file, struct sip_err *);
enum sip_rc	 sip_model_key(struct sip_model *, const char *key,
		    const char *value, int line, const char *file,
		    struct sip_err *);
/* Each model whole: a pattern, a local boot, efi_loader with chain alone. */
enum sip_rc	 sip_models_check(const struct sip_model *, size_t,
		    const char *file, struct sip_err *);
void		 sip_models_free(struct sip_model *, size_t);
enum sip_rc	 sip_local_parse(const char *, enum sip_local *);
const char	*sip_default_name(enum sip_default);
enum sip_rc	 sip_default_parse(const char *, enum sip_default *);

/* iPXE's ${buildarch}, the values ipxe.cgi accepts. */
enum sip_buildarch {
	SIP_BUILDARCH_I386,
	SIP_BUILDARCH_X86_64,
	SIP_BUILDARCH_ARM32,
	SIP_BUILDARCH_ARM64,
	SIP_BUILDARCH__MAX
};

const char	*sip_platform_name(enum sip_platform);
const char	*sip_buildarch_name(enum sip_buildarch);
enum sip_rc	 sip_buildarch_parse(const char *, enum sip_buildarch *);

/*
 * Defaults for every key.  Caller frees with sip_config_free (nothing to
 * free on error).
 */
enum sip_rc	 sip_config_defaults(struct sip_config *);
/*
 * The configuration in text (len bytes, named file in messages) over
 * *cfg, which holds the defaults: replaced whole on success, untouched
 * on failure.  sip_config_load reads the file and calls this; the fuzz
 * target calls it without a file.
 */
enum sip_rc	 sip_config_parse(struct sip_config *, const char *file,
		    const char *text, size_t len, struct sip_err *);

/*
 * The duration grammar without the range: *overflow tells a number too
 * large for int64_t seconds (out of any range) from a syntax error.
 */
enum sip_rc	 sip_duration_scan(const char *, int64_t *, int *overflow);

/* ---------------------------------------------------------------- modules */

#define SIP_FILE_NAME_MAX 64	/* [A-Za-z0-9_-][A-Za-z0-9._-]* */
/* A file name a capability may declare and a client may ask for. */
enum sip_rc	 sip_file_name_check(const char *);
enum sip_rc	 sip_completion_parse(const char *, enum sip_completion *);
enum sip_rc	 sip_opt_type_parse(const char *, enum sip_opt_type *);
/*
 * sip_module_load after the read: the manifest in text (len bytes) of the
 * module in dir, whose templates are still read from dir.  Caller frees
 * with sip_module_free (nothing to free on error).
 */
enum sip_rc	 sip_module_parse(const char *dir, const char *text, size_t len,
		    struct sip_module **, struct sip_err *);

/* Options (lib/option.c). */
/* The template value type an option of type t fills. */
enum sip_type	 sip_opt_value_type(enum sip_opt_type);
/*
 * Does value suit o?  SIP_OK, or SIP_EINVAL with what was expected in why
 * (SIP_ENOMEM if the pattern could not run).
 */
enum sip_rc	 sip_option_check(const struct sip_option *, const char *value,
		    char *why, size_t);
/*
 * Check o->pattern against the guard and compile it anchored into
 * o->regex: SIP_OK, SIP_EINVAL with the reason in why, or SIP_ENOMEM.
 */
enum sip_rc	 sip_option_pattern(struct sip_option *, char *why, size_t);
/* Free what o holds (not o itself). */
void		 sip_option_free(struct sip_option *);

/* --------------------------------------------------------------- templates */

/* Does the kind take values beyond SIP_SAFE_CHARS (escaped or screened)? */
int		 sip_template_kind_escapes(enum sip_template_kind);

/*
 * Where "@include NAME" finds its fragment: TEMPLATE_DIR/fragments/NAME.KIND
 * (KIND the including template's, sip_template_kind_name), for the default
 * templates and every module's.  sip_config_load sets it to [modules]
 * templates; until then it is the shipped one.  Each process loads one
 * configuration, so this is the process's.
 */
void		 sip_template_fragments_set(const char *template_dir);

/*
 * sip_template_load's work on a text already read; name names it in
 * errors.  Caller frees *out with sip_template_free (nothing to free on error).
 */
enum sip_rc	 sip_template_parse(const char *name, enum sip_template_kind,
		    const char *text, size_t, const struct sip_keydef *,
		    size_t nkeys, struct sip_template **, struct sip_err *);

/*
 * Render with values (by key name); a key without a value renders empty.
 * Every value is checked against its key's type before anything is written;
 * on any failure out is left empty.  out is the caller's: it frees it
 * with sip_buf_free (also after a failure).
 */
enum sip_rc	 sip_template_render(const struct sip_template *,
		    const struct sip_kv *values, size_t nvalues,
		    struct sip_buf *out, struct sip_err *);

/*
 * sip_template_render, except that a key of type SIP_T_SECRET (which
 * sip_template_render refuses whatever its value) takes its value from
 * secrets, checked by sip_secret_value_ok: the one way a secret's value
 * reaches a file, one declared secret.  out as sip_template_render's.
 */
enum sip_rc	 sip_template_render_secret(const struct sip_template *,
		    const struct sip_kv *values, size_t nvalues,
		    const struct sip_kv *secrets, size_t nsecrets,
		    struct sip_buf *out, struct sip_err *);
/* The first key of type that the template uses, or NULL. */
const char	*sip_template_uses_type(const struct sip_template *,
		    enum sip_type);

/* ---------------------------------------------------------------- secrets */

/* [a-z][a-z0-9_]{0,SIP_SECRET_NAME_MAX - 1}: 1, else 0. */
int		 sip_secret_name_ok(const char *);
/*
 * len bytes at s (NUL-terminated at or after len): 1 to
 * SIP_SECRET_VALUE_MAX bytes of UTF-8 without a control character.
 */
int		 sip_secret_value_ok(const char *, size_t len);
/*
 * The secrets file's text (len bytes, NUL-terminated at len), named file
 * in messages.  Caller frees with sip_secrets_free (nothing on error).
 */
enum sip_rc	 sip_secrets_parse(const char *file, const char *text,
		    size_t len, struct sip_secrets **, struct sip_err *);
/* sip_secrets_load's rule on the file's owner and mode, for a reader euid. */
enum sip_rc	 sip_secrets_mode_check(const char *path, const struct stat *,
		    uid_t euid, struct sip_err *);

/* ------------------------------------------------------------------ store */

const char	*sip_event_name(enum sip_event);
enum sip_rc	 sip_state_parse(const char *, enum sip_state *);
enum sip_rc	 sip_event_parse(const char *, enum sip_event *);

/* What the state machine decided for one event. */
enum sip_answer {
	SIP_ANSWER_DEFAULT,	/* the machine gets the default answer */
	SIP_ANSWER_ACTION,	/* the machine gets the action's script */
	SIP_ANSWER_REFUSE,	/* a report that is not accepted */
	SIP_ANSWER_ACCEPT	/* a report or admin event that is accepted */
};

/*
 * The step function: given an action, an event and the time, change the
 * action (state, boots) through sip_change_state and say what to answer.
 * Pure: no I/O.  Time events are applied first (scheduled -> pending at
 * start_at, any active -> expired at expires_at); then the event.
 */
typedef void (*sip_transition_cb)(void *arg, const struct sip_action *,
		    enum sip_state old, enum sip_state new, enum sip_event);
enum sip_answer	 sip_fsm_step(struct sip_action *, enum sip_event, time_t now,
		    sip_transition_cb, void *arg);
/* The one place that assigns action->state. */
void		 sip_change_state(struct sip_action *, enum sip_state,
		    enum sip_event, sip_transition_cb, void *arg);

/*
 * The boot transaction (BEGIN IMMEDIATE ... COMMIT): load the MAC's active
 * action (if any), run the step function on BOOT, save the new state and
 * history.  *act receives the action (to render) when the answer is
 * SIP_ANSWER_ACTION, otherwise NULL.  The machine itself is recorded by
 * the seen journal (sip_seen_append), not here.  Caller frees *act with
 * sip_action_free (nothing to free on error).
 */
enum sip_rc	 sip_store_boot(struct sip_store *, const char *mac,
		    time_t now, enum sip_answer *, struct sip_action **act,
		    struct sip_err *);

/*
 * History events of client requests besides the state machine's
 * transitions (lib/names.c): stored, never renamed.
 */
enum sip_request_event {
	SIP_REQ_SERVED,		/* a boot was answered with its action */
	SIP_REQ_REPORT,		/* a report was taken */
	SIP_REQ_FILE,		/* a file of the action was served */
	SIP_REQ_BOOT_REFUSED,	/* a boot from another address: default answer */
	SIP_REQ_REPORT_REFUSED,	/* a report from another address: 403 */
	SIP_REQ_FILE_REFUSED,	/* a file fetch from another address: 403 */
	SIP_REQ_WOL_SENT,	/* the admin sent the magic packet */
	SIP_REQ_REBOOT_SENT,	/* a reboot command said yes */
	SIP_REQ_REBOOT_SKIPPED,	/* not asked to reboot, and why */
	SIP_REQ_REBOOT_FAILED,	/* a reboot command failed */
	SIP_REQ_SECRET_SERVED,	/* a secret file was served, for boot N */
	SIP_REQ_SECRET_REFUSED,	/* a secret file refused: again, or elsewhere */
	SIP_REQ_MENU_TRY,	/* a menu password was sent (counted first) */
	SIP_REQ_MENU,		/* the menu password was right */
	SIP_REQ_MENU_REFUSED,	/* wrong password, locked, other address */
	SIP_REQ_IDENTITY_REFUSED, /* a boot of another SMBIOS identity: default answer */
	SIP_REQ__MAX
};
const char	*sip_request_event_name(enum sip_request_event);
enum sip_rc	 sip_request_event_parse(const char *,
		    enum sip_request_event *);

/*
 * Who sent a request, for binding an action to its machine: the address
 * (sip_remote_addr's literal, NULL when the server gave none) and the
 * [security] bind in force.  Every history row the request writes records
 * addr.  Under SIP_BIND_ADDRESS, the first boot served for an action pins
 * addr (unless set-action gave the action its bound_addr); afterwards a
 * boot from elsewhere gets the default answer and a report or file fetch
 * SIP_EDENIED, each recorded as a *-refused history row, nothing else
 * changed.  A report or file fetch before any address is pinned, or with
 * no address, is refused too (a real client always boots first).
 */
struct sip_client {
	const char	*addr;
	enum sip_bind	 bind;
	/* What the boot presented of its SMBIOS identity, NULL: nothing. */
	const char	*uuid, *serial;
};
/*
 * The SMBIOS binding (lib/identity.c).  Why a boot presenting uuid and
 * serial (NULL: none) is not the machine act is bound to, or NULL if it
 * is (or act is not bound, or nothing is pinned yet).  Each bound field
 * the boot presents must be the same (UUIDs without case); presenting
 * none of them is refused too.  detail receives "uuid OLD -> NEW" (NEW
 * "none" when absent) for the history.
 */
const char	*sip_identity_refusal(const struct sip_action *,
		    const char *uuid, const char *serial, char *detail,
		    size_t);
/*
 * Why a request from client may not act for act, or NULL if it may: the
 * one rule of [security] bind, for boots, reports, files and previews.  A
 * boot (pins) may come before any address is pinned: it pins one.  The
 * reasons go into the history: they quote only addresses.
 */
const char	*sip_action_refusal(const struct sip_action *,
		    const struct sip_client *, int pins);
/* Address literals equal as addresses (::1 and 0:0::1): 1, else 0. */
int		 sip_addr_equal(const char *, const char *);
/*
 * sip_store_boot for a request from client (NULL: no binding, no
 * address).  A boot refused by the binding is SIP_OK with the answer
 * SIP_ANSWER_REFUSE, and err says why (the caller answers the default).
 */
enum sip_rc	 sip_store_boot_from(struct sip_store *, const char *mac,
		    const struct sip_client *, time_t now, enum sip_answer *,
		    struct sip_action **act, struct sip_err *);
/*
 * The report transaction: find the action by token (constant-time compare
 * of the stored token), step it, save.  SIP_EDENIED for an unknown token or
 * a refused event; nothing changes then.  act may be NULL; otherwise
 * caller frees *act with sip_action_free (nothing to free on error).
 */
enum sip_rc	 sip_store_report(struct sip_store *, const char *token,
		    enum sip_event, int progress, const char *msg, time_t now,
		    struct sip_action **act, struct sip_err *);
/* sip_store_report for a request from client (NULL: no binding). */
enum sip_rc	 sip_store_report_from(struct sip_store *,
		    const struct sip_client *, const char *token,
		    enum sip_event, int progress, const char *msg, time_t now,
		    struct sip_action **act, struct sip_err *);
/*
 * sip_store_report_from with the machine's inventory (NULL: none), only
 * with SIP_EV_DONE: stored for the action's MAC in the same transaction.
 */
enum sip_rc	 sip_store_report_inventory(struct sip_store *,
		    const struct sip_client *, const char *token,
		    enum sip_event, int progress, const char *msg,
		    const char *inventory, time_t now, struct sip_action **act,
		    struct sip_err *);
/*
 * A file fetch from client: sip_store_token_action, then the binding
 * check (refused: a file-refused row and SIP_EDENIED).  Nothing is
 * written for a served file here: sip_store_file_served does once it is
 * rendered.  Caller frees *act with sip_action_free (nothing on error).
 */
enum sip_rc	 sip_store_file(struct sip_store *, const struct sip_client *,
		    const char *token, const char *name, time_t now,
		    struct sip_action **, struct sip_err *);
/*
 * A secret file of act, name, for client, after sip_store_file let it
 * through: once per boot, to the boot's address.  The boot is the last
 * one served (its "served" history row: its address), the action's boot
 * count read again now.  SIP_OK writes a secret-served row "NAME: boot
 * N" (the record of this boot's fetch); a second fetch in that boot, a
 * fetch from another address, or before any boot is a secret-refused
 * row and SIP_EDENIED.  record 0 (HEAD): the same answer, nothing written.
 */
enum sip_rc	 sip_store_secret_claim(struct sip_store *,
		    const struct sip_client *, const struct sip_action *,
		    const char *name, time_t now, int record, struct sip_err *);
/*
 * A maintenance menu request from client, before its password is checked:
 * the live action of token must be called name, pass the binding check and
 * have had fewer than tries passwords since the last right one; then this
 * one is counted (menu-try) and *left is how many remain after it.
 * Otherwise a menu-refused row and SIP_EDENIED.  Caller frees *act with
 * sip_action_free (nothing on error).
 */
enum sip_rc	 sip_store_menu_try(struct sip_store *,
		    const struct sip_client *, const char *token,
		    const char *name, int tries, time_t now,
		    struct sip_action **, int *left, struct sip_err *);
/* Its outcome: menu (granted) or menu-refused, detail never the password. */
enum sip_rc	 sip_store_menu_result(struct sip_store *,
		    const struct sip_client *, const struct sip_action *,
		    int granted, const char *detail, time_t now,
		    struct sip_err *);
/* The history row of a file served: event "file", the name as detail. */
enum sip_rc	 sip_store_file_served(struct sip_store *,
		    const struct sip_client *, const struct sip_action *,
		    const char *name, time_t now, struct sip_err *);

/*
 * The action whose token this is (constant-time compare), with its
 * options, if it is pending, booting or running and not past expires_at;
 * otherwise SIP_EDENIED, which says no more.  Changes nothing.  Caller
 * frees with sip_action_free (nothing to free on error).
 */
enum sip_rc	 sip_store_token_action(struct sip_store *, const char *token,
		    time_t now, struct sip_action **, struct sip_err *);
/*
 * More of the read side (as sip_store_active_action: nothing found is
 * SIP_ENOTFOUND with *out NULL).  The most recent action of the MAC
 * whatever its state.  Caller frees with sip_action_free (nothing to
 * free on error).
 */
enum sip_rc	 sip_store_last_action(struct sip_store *, const char *mac,
		    struct sip_action **, struct sip_err *);
/*
 * What the MAC told when it booted.  Caller frees with sip_machine_free
 * (nothing to free on error).
 */
enum sip_rc	 sip_store_machine(struct sip_store *, const char *mac,
		    struct sip_machine **, struct sip_err *);
void		 sip_machine_free(struct sip_machine *);

/* The limits of the fast path's two files (see SIP_SEEN_SUFFIX). */
#define SIP_SEEN_MAX		(16u << 20)	/* past this, boots are not recorded */
#define SIP_SEEN_LINE_MAX	1024
#define SIP_ACTIVE_MAX		(4u << 20)	/* 230 000 MACs */

/*
 * The store's parts of sip_tick (lib/tick.c).  Step every active action
 * on time passing, then rewrite the active list.
 */
enum sip_rc	 sip_store_tick_actions(struct sip_store *, time_t now,
		    size_t *nstarted, size_t *nexpired, struct sip_err *);
/*
 * Delete the finished actions last changed before `before`, with their
 * options and history, and every history row older than that.
 */
enum sip_rc	 sip_store_purge(struct sip_store *, int64_t before,
		    size_t *nactions, size_t *nhistory, struct sip_err *);

/* ------------------------------------------------------------ the answers */

/* SMBIOS strings are kept as printable ASCII of 1 to SIP_SMBIOS_MAX bytes. */
#define SIP_SMBIOS_MAX	64
enum sip_rc	 sip_smbios_check(const char *);

/*
 * The seen journal.  append: one line for req at now (every field checked
 * by its type first).  parse: one line, NUL-terminated at len, split in
 * place; req's fields point into it (nothing to free).
 *
 * A fold takes the journal by generations (lib/store_machine.c):
 * generations: the numbers N of the files DB-seen.N, ascending; caller
 * frees *gens with free (nothing to free on error).  rotate: rename
 * DB-seen to DB-seen.gen, never replacing a file; *rotated 0 when there
 * was nothing (no journal, or an empty one).  read_gen: the whole of
 * DB-seen.gen into *buf (NULL when empty) under its exclusive lock;
 * caller frees *buf with free.  unlink_gen: remove it (absent is done).
 */
enum sip_rc	 sip_seen_append(const char *db_path, const struct sip_request *,
		    time_t now, struct sip_err *);
enum sip_rc	 sip_seen_parse(char *line, size_t len, struct sip_request *,
		    int64_t *at, struct sip_err *);
enum sip_rc	 sip_seen_generations(const char *db_path, int64_t **gens,
		    size_t *n, struct sip_err *);
enum sip_rc	 sip_seen_rotate(const char *db_path, int64_t gen, int *rotated,
		    struct sip_err *);
enum sip_rc	 sip_seen_read_gen(const char *db_path, int64_t gen, char **buf,
		    size_t *len, struct sip_err *);
enum sip_rc	 sip_seen_unlink_gen(const char *db_path, int64_t gen,
		    struct sip_err *);
/* A boot seen further than this in the future is refused by a fold. */
#define SIP_SEEN_FUTURE_MAX	86400

/*
 * Crash points: the fault-injection build (-DSIP_CRASH_POINTS, the tests'
 * build/t/se3-ipxe-crash) dies at the point SIP_CRASH_AT names, as kill -9
 * would; every other build compiles them to nothing.
 */
#ifdef SIP_CRASH_POINTS
#define SIP_CRASH_POINT(name) do {					\
	const char *crash_at_ = getenv("SIP_CRASH_AT");			\
	if (crash_at_ != NULL && strcmp(crash_at_, (name)) == 0)	\
		_exit(9);						\
} while (0)
#else
#define SIP_CRASH_POINT(name) do { } while (0)
#endif

/*
 * The active list.  parse: SIP_OK when text is a whole, well-formed list
 * (every line read), *listed then says whether mac (canonical; may be
 * NULL) is on it.  search: the same by a binary search that checks the
 * header, the size, the trailer and only the lines it reads.  lookup:
 * search on DB-active, reading a few lines of it; any error means "ask
 * the database".  write: replace the list (macs canonical, any order) by
 * a rename.
 */
enum sip_rc	 sip_active_parse(const char *text, size_t len, const char *mac,
		    int *listed, struct sip_err *);
enum sip_rc	 sip_active_search(const char *text, size_t len,
		    const char *mac, int *listed, struct sip_err *);
enum sip_rc	 sip_active_lookup(const char *db_path, const char *mac,
		    int *listed, struct sip_err *);
enum sip_rc	 sip_active_write(const char *db_path, const char *const *macs,
		    size_t n, struct sip_err *);
/*
 * SIP_OK when the list on DB-active is whole and holds every one of macs;
 * otherwise *nmissing says how many it lacks and SIP_EDB names the first
 * (a missing list is SIP_EDB too), with the remedy.
 */
enum sip_rc	 sip_active_missing(const char *db_path,
		    const char (*macs)[SIP_MAC_STRLEN], size_t n,
		    size_t *nmissing, struct sip_err *);

/* ------------------------------------------------------------------ DHCP */

#define SIP_DHCP_FILE_MAX	127	/* the file field of 128, with NUL */
#define SIP_DHCP_URL_MAX	255	/* one DHCP option (67) */

const char	*sip_dhcp_format_name(enum sip_dhcp_format);
/*
 * A boot file name relative to the TFTP root: 1 to SIP_DHCP_FILE_MAX of
 * [A-Za-z0-9._/-], no "..", no leading or trailing '/'.
 */
enum sip_rc	 sip_dhcp_file_check(const char *);

/* ------------------------------------------------------------ CGI queries */

/*
 * Parse an application/x-www-form-urlencoded string into pairs.  Rejects
 * truncated or bad %-escapes, %00, more than 32 pairs, a value longer than
 * 1024 bytes, and a repeated key.  '+' is kept as '+' (old iPXE sends it raw).
 * Caller frees with sip_kv_free (nothing to free on error).
 */
enum sip_rc	 sip_query_parse(const char *, struct sip_kv **, size_t *,
		    struct sip_err *);
const char	*sip_kv_get(const struct sip_kv *, size_t, const char *key);

/* A report's message: at most SIP_REPORT_MSG_MAX bytes of UTF-8, no control character (C0, DEL, C1). */
enum sip_rc	 sip_report_msg_check(const char *, struct sip_err *);
/*
 * A machine's inventory: UTF-8 lines, no control character but the
 * newline, 1 to SIP_INVENTORY_MAX bytes.
 */
enum sip_rc	 sip_inventory_check(const char *, struct sip_err *);
/*
 * SIP_OK if the string has the form sip_token_new gives tokens (or the
 * SIP_TOKEN_OLD_LEN digits of a token made before schema 2).
 */
enum sip_rc	 sip_token_check(const char *);
/*
 * Do two tokens match?  Constant time in their contents: only the lengths
 * (public: there are two) decide early.  NULL matches nothing.
 */
int		 sip_token_equal(const char *stored, const char *given);
/* The public part of a checked token: its first SIP_TOKEN_PUBLIC digits. */
void		 sip_token_public(const char *, char[SIP_TOKEN_PUBLIC + 1]);

/* Random bytes from getrandom(2), as lower-case hex. */
enum sip_rc	 sip_token_new(char[SIP_TOKEN_STRLEN]);

/* --------------------------------------------------------- outside commands */

/*
 * One command to run (lib/run.c): argv[0] is its path (no PATH search),
 * run by execve with the process's environment, stdin /dev/null, stdout
 * (and stderr with merge_stderr) captured, in a process group of its own.
 */
struct sip_job {
	char *const	*argv;
	int		 merge_stderr;
	char *const	*envp;		/* NULL: the process's environment */
	/* What happened: */
	int		 start_errno;	/* fork or execve failed: errno */
	int		 status;	/* exit status, -1 if it did not exit */
	int		 signal;	/* the signal that ended it, 0 if none */
	int		 timed_out;	/* killed (with its group) at the deadline */
	char		*out;		/* NUL-terminated, or NULL if nothing */
	size_t		 outlen;
	int		 truncated;	/* more than out_max: the rest dropped */
};
/*
 * Run the n jobs, at most parallel at once, each killed (SIGKILL to its
 * group) timeout_ms after it started.  Fails only for want of memory: a
 * job that could not start says so in start_errno.  Caller frees the
 * outputs with sip_jobs_free (also after a failure).
 */
/*
 * A file of credentials or a key ([reboot] KEY at path): a regular file
 * of this uid that nobody else may read or write; never read here.
 */
enum sip_rc	 sip_reboot_private_file(const char *key, const char *path,
		    struct sip_err *);

enum sip_rc	 sip_run_jobs(struct sip_job *, size_t n, size_t parallel,
		    int timeout_ms, size_t out_max, struct sip_err *);
void		 sip_jobs_free(struct sip_job *, size_t n);

/*
 * The sessions in the output of smbstatus -b (Samba 3 and 4 layouts):
 * the lines under the header's line of dashes, up to a blank line.  A
 * line that is not a session, or no header, is SIP_EINVAL naming it.
 * Caller frees with sip_sessions_free (nothing to free on error).
 */
enum sip_rc	 sip_smbstatus_parse(const char *, size_t,
		    struct sip_session **, size_t *, struct sip_err *);

/* ------------------------------------------------------------------ SHA-256 */

/* FIPS 180-4 SHA-256, incremental (lib/sha256.c). */
struct sip_sha256 {
	uint32_t	 h[8];
	uint64_t	 len;		/* bytes so far */
	unsigned char	 buf[64];
	size_t		 nbuf;
};
void		 sip_sha256_init(struct sip_sha256 *);
void		 sip_sha256_update(struct sip_sha256 *, const void *, size_t);
void		 sip_sha256_final(struct sip_sha256 *, char[SIP_SHA256_HEX + 1]);
/*
 * 1 when this CPU hashes with its SHA extensions (the environment's
 * SE3_IPXE_SHA256_PORTABLE set forces the portable rounds, for tests).
 */
int		 sip_sha256_accelerated(void);
/* The SHA-256 of a file and its size: SIP_ENOTFOUND if it is not there. */
enum sip_rc	 sip_sha256_file(const char *, char[SIP_SHA256_HEX + 1],
		    int64_t *, struct sip_err *);

/*
 * The SHA-256 a sums list gives name: a SHA256SUMS file ("HEX  PATH",
 * "HEX *PATH") or the SHA256 field of a Debian Release file (" HEX SIZE
 * PATH"), "./" before a path ignored.  *size is the Release's size, or
 * -1.  SIP_ENOTFOUND if name is not listed, SIP_EINVAL if it is listed
 * twice with different sums.
 */
enum sip_rc	 sip_sums_find(const char *, size_t, const char *,
		    char[SIP_SHA256_HEX + 1], int64_t *, struct sip_err *);


/* ------------------------------------------------------------ the catalogue's internals (lib/catalogue.c, lib/imagestore.c) */

/* A row of the manifest of a whole image (part = manifest). */
int		 sip_image_is_manifest(const struct sip_image *);
/* Is action (MODULE:CAPABILITY) of a capability that uploads parts? */
int		 sip_image_upload_action(const char *action);
/*
 * For each of the n rows, the index of the manifest row among them it
 * belongs to (the longest manifest name NAME with the row NAME.*; its
 * own for a manifest), -1 for an orphan part.
 */
void		 sip_images_owners(const struct sip_image *, size_t n,
		    int64_t *owner);
/* Remove the whole image name (manifest and parts) in one transaction; *removed 0 or 1. */
enum sip_rc	 sip_image_delete_whole(const struct sip_config *,
		    struct sip_store *, const char *name, size_t *removed,
		    struct sip_err *);
/*
 * The tick's part: complete parts no manifest owns (a save that died),
 * older than twice [images] timeout, whose machine has no active action
 * of an uploading capability, are removed.  *reaped counts them.
 */
enum sip_rc	 sip_images_reap_orphans(const struct sip_config *,
		    struct sip_store *, time_t now, size_t *reaped,
		    struct sip_err *);

#endif /* SE3IPXE_EXTERN_H */
