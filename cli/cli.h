/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Declarations shared by the files of the se3-ipxe command. */
#ifndef SE3IPXE_CLI_H
#define SE3IPXE_CLI_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

/*
 * Exit statuses: 0 success, 1 failure, 2 usage error.  Allocation failures
 * in this program are fatal (err(1)); everything else unwinds and returns.
 */
#define EXIT_USAGE	2

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

#define MAX_BOOTS_MIN	SIP_MAX_BOOTS_MIN
#define MAX_BOOTS_MAX	SIP_MAX_BOOTS_MAX
#define EXPIRES_MIN	SIP_EXPIRES_MIN
#define EXPIRES_MAX	SIP_EXPIRES_MAX

struct ctx {
	const char		*cfg_file;	/* -c FILE, or NULL */
	struct sip_config	 cfg;
	int			 cfg_loaded;
	char			 who[SIP_LOGIN_MAX + 1]; /* created_by / cancelled by */
	const char		*user;		/* --user LOGIN, checked */
	/*
	 * The acting login whose rights are checked (who_init): --user,
	 * else $SUDO_USER when it is not root; "" for root.
	 */
	char			 login[SIP_LOGIN_MAX + 1];
	int			 login_bad;	/* $SUDO_USER is no SE3 login */
	char			*ldap_pw;	/* [ldap] bind_dn's password */
	enum sip_rc		 ldap_pw_rc;	/* why it is NULL, told when needed */
	struct sip_err		 ldap_pw_err;
	time_t			 now;
};

struct command;
/* A verb: its table entry, the context, its argv (argv[0] is its name). */
typedef int	 command_fn(const struct command *, struct ctx *, int,
		    char *[]);

/* One verb: git's commands[] model, the usage line is the man SYNOPSIS. */
struct command {
	const char	*name;
	command_fn	*fn;
	const char	*usage;
	int		 flags;
#define CMD_CONFIG	(1 << 0)	/* reads the configuration */
#define CMD_STORE_RO	(1 << 1)	/* reads the database, if there is one */
#define CMD_STORE_RW	(1 << 2)	/* writes the database, creating it */
#define CMD_STORE_EXISTING (1 << 3)	/* writes the database, never creates it */
#define CMD_STORE	(CMD_STORE_RO | CMD_STORE_RW | CMD_STORE_EXISTING)
	const char	*summary;	/* what it does, for --help */
};

/*
 * An option of a verb besides --help, which every verb has: --NAME sets
 * *flag to 1, or (flag NULL) --NAME ARG points *arg at ARG.
 */
struct verb_option {
	const char	 *name;
	int		 *flag;
	const char	**arg;
};

/* The verbs, one file per family. */
command_fn	 cmd_set_action, cmd_cancel;		/* cmd_action.c */
command_fn	 cmd_status, cmd_history;		/* cmd_status.c */
command_fn	 cmd_preview, cmd_actions, cmd_check;	/* cmd_module.c */
command_fn	 cmd_init, cmd_dhcp_config, cmd_menu_password; /* cmd_admin.c */
command_fn	 cmd_tick;				/* cmd_tick.c */
command_fn	 cmd_machines;				/* cmd_machines.c */
command_fn	 cmd_wol, cmd_reboot;			/* cmd_power.c */
command_fn	 cmd_delegate, cmd_undelegate, cmd_delegations; /* cmd_rights.c */
command_fn	 cmd_setup;				/* cmd_setup.c */
command_fn	 cmd_images;				/* cmd_images.c */
command_fn	 cmd_clone, cmd_session;		/* cmd_session.c */

/*
 * cmd_rights.c: may the acting login act on every machine of t?  0, or
 * -1 once the refusal (login, machine, missing right) is said.  Every
 * verb that changes machines calls it after opening the store (st may be
 * NULL) and before writing or sending anything.
 */
int		 cli_authorize(const char *, const struct ctx *,
		    struct sip_store *, const struct sip_targets *);

/* cmd_rights.c: 0 if the acting login is the admin, else -1 once said (what: "images"). */
int		 cli_admin(const char *, const struct ctx *, struct sip_store *,
		    const char *);

/* cmd_power.c: the wake set-action --wol shares with wol. */
struct wake;
int		 wake_prepare(const char *, const struct ctx *,
		    struct sip_store *, const struct sip_targets *,
		    struct wake **);
int		 wake_send(const char *, const struct ctx *, struct sip_store *,
		    const struct wake *);
int		 wake_schedule(const char *, const struct ctx *,
		    struct sip_store *, const struct wake *, time_t,
		    const int64_t *);
void		 wake_free(struct wake *);
/* cmd_power.c: the reboot set-action --reboot shares with reboot. */
int		 reboot_targets(const char *, const struct ctx *,
		    struct sip_store *, const struct sip_targets *,
		    enum sip_reboot_policy);
int		 reboot_policy(const char *, const char *, const char *,
		    enum sip_reboot_policy *);
int		 reboot_schedule(const char *, const struct ctx *,
		    struct sip_store *, const struct sip_targets *,
		    enum sip_reboot_policy, time_t, const int64_t *);

/* cmd_action.c: set-action's steps around the write, clone shares them. */
int		 setaction_confirm(const char *, const struct ctx *,
		    struct sip_store *, const struct sip_setaction *,
		    const struct sip_targets *, int wol, int yes,
		    struct wake **);
int		 setaction_done(const char *, const struct ctx *,
		    struct sip_store *, const struct sip_setaction *,
		    const struct sip_targets *, const int64_t *ids,
		    const struct wake *, const char *reboot,
		    enum sip_reboot_policy);

/* main.c: usage, and what the verbs open. */
int		 verb_usage(const struct command *, int);
const struct command *command_named(const char *);
int		 ctx_setup(const struct command *, struct ctx *);
int		 store_open(const char *, const struct ctx *, int,
		    struct sip_store **);
void		 seen_warn_bad(const char *, const struct ctx *, size_t);
int		 seen_fold(const char *, const struct ctx *, struct sip_store *);
int		 machines_open(const struct command *, struct ctx *, int,
		    char *[], struct sip_targets *,
		    struct sip_store **);
void		 machines_close(struct sip_targets *, struct sip_store *);
/* cmd_status.c: a machine's inventory as JSON, null if none. */
void		 json_inventory(struct sip_buf *, const struct sip_inventory *);

/* priv.c */
void		 who_init(struct ctx *);
int		 drop_privileges(const struct ctx *);

/* util.c */
void		*xcalloc(size_t, size_t);
char		*xasprintf(const char *, ...)
		    __attribute__((__format__(printf, 1, 2)));
char		*safe_dup(const char *, size_t *);
void		 table_print(char **, size_t *, size_t, size_t);
char		**table_new(const char *const *, size_t, size_t);
void		 table_print_plain(char **, size_t, size_t);
void		 put_safe(FILE *, const char *, const char *);
void		 warn_lib(const char *, const struct sip_err *, enum sip_rc);
void		 buf_print(const struct sip_buf *);
void		 fmt_time(char *, size_t, int64_t, int);
int		 parse_int(const char *, long long, long long, long long *);
void		 opt_error(const char *, char *[], int);
struct option;
int		 long_inexact(const struct option *, const char *, int,
		    char *[], size_t *);
void		 long_inexact_error(const char *, const char *, size_t);
int		 verb_options(const struct command *, int, char *[],
		    const struct verb_option *, size_t, int *);
int		 verb_one_target(const struct command *, int *, char ***,
		    const struct verb_option *, size_t, int *);
int		 verb_targets(const struct command *, int *, char ***,
		    const struct verb_option *, size_t, int *);
int		 verb_noargs(const struct command *, int, char *[],
		    const struct verb_option *, size_t, int *);
int		 targets_parse(const char *, const struct ctx *, char *const *,
		    int, struct sip_targets *);
int		 ldap_password(const char *, const struct ctx *,
		    const char **);
struct sip_ldap	*ldap_connect(const char *, const struct ctx *, const char *);
int		 active_action(const char *, struct sip_store *, const char *,
		    struct sip_action **);

#endif /* SE3IPXE_CLI_H */
