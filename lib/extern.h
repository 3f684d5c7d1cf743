/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Declarations shared between lib/ files and not part of the public interface. */
#ifndef SE3IPXE_EXTERN_H
#define SE3IPXE_EXTERN_H

#include <stddef.h>
#include <stdint.h>

#define SIP_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

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

/* Read a whole regular file (at most max bytes) into a NUL-terminated buffer. */
enum sip_rc	 sip_file_read(const char *path, size_t max, char **, size_t *,
		    struct sip_err *);
/* Write all of buf to an open descriptor; path names it in errors. */
enum sip_rc	 sip_fd_write(int fd, const char *path, const char *buf,
		    size_t len, struct sip_err *);
/* The same from an open descriptor, from where it stands; path names it in errors. */
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

/*
 * The duration grammar without the range: *overflow tells a number too
 * large for int64_t seconds (out of any range) from a syntax error.
 */
enum sip_rc	 sip_duration_scan(const char *, int64_t *, int *overflow);

/*
 * Each enum's spellings (lib/names.c), indexed by value and ending with
 * NULL, for the readers that list the words a key accepts.
 */
extern const char *const sip_state_names[];
extern const char *const sip_event_names[];
extern const char *const sip_completion_names[];
extern const char *const sip_opt_type_names[];
extern const char *const sip_type_names[];
extern const char *const sip_platform_names[];
extern const char *const sip_buildarch_names[];
extern const char *const sip_local_names[];
extern const char *const sip_default_names[];
extern const char *const sip_dhcp_format_names[];

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

#endif /* SE3IPXE_EXTERN_H */
