/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Rebooting machines as SE3 did: probe, then net rpc shutdown for Windows or ssh for Linux, by policy (wait, idle, force). */
#include <sys/stat.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "extern.h"

/* What one command needs, kept alive while it runs. */
struct reboot_cmd {
	char	*argv[24];
	char	 opts[4][64];	/* -o values, -t, -p */
	char	 target[96];	/* USER@IP */
	char	 port[8];
};

static const char *const host_key_values[] = { "yes", "accept-new", "no" };

const char *
sip_reboot_event_name(enum sip_reboot_outcome o)
{
	switch (o) {
	case SIP_REBOOT_SENT:
		return sip_request_event_name(SIP_REQ_REBOOT_SENT);
	case SIP_REBOOT_SKIPPED:
		return sip_request_event_name(SIP_REQ_REBOOT_SKIPPED);
	case SIP_REBOOT_FAILED:
		return sip_request_event_name(SIP_REQ_REBOOT_FAILED);
	}
	return "unknown";
}

/*
 * A file of credentials or a key: a regular file of the user running
 * this, that nobody else may read or write.  Its contents are never
 * read here: net and ssh read them.
 */
enum sip_rc
sip_reboot_private_file(const char *key, const char *path, struct sip_err *err)
{
	struct stat sb;

	if (path[0] == '\0')
		return sip_errf(err, SIP_ECONFIG, "[reboot] %s is not set: "
		    "nothing to authenticate with; nothing sent", key);
	if (stat(path, &sb) == -1)
		return sip_errf(err, SIP_ECONFIG, "[reboot] %s %s: %s; "
		    "nothing sent", key, path, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return sip_errf(err, SIP_ECONFIG, "[reboot] %s %s: not a "
		    "regular file; nothing sent", key, path);
	if (sb.st_uid != geteuid() || (sb.st_mode & 077) != 0)
		return sip_errf(err, SIP_ECONFIG, "[reboot] %s %s: must be "
		    "owned by uid %ld and readable by it alone (chmod 600), "
		    "it is uid %ld mode %03o; nothing sent", key, path,
		    (long)geteuid(), (long)sb.st_uid,
		    (unsigned)(sb.st_mode & 0777));
	return SIP_OK;
}

static void
reboot_say(struct sip_reboot_machine *m, enum sip_reboot_outcome o,
    const char *fmt, ...) __attribute__((__format__(printf, 3, 4)));

static void
reboot_say(struct sip_reboot_machine *m, enum sip_reboot_outcome o,
    const char *fmt, ...)
{
	va_list ap;

	m->outcome = o;
	va_start(ap, fmt);
	vsnprintf(m->detail, sizeof(m->detail), fmt, ap);
	va_end(ap);
}

/* net rpc shutdown -r -f -t N -C MSG -I IP -A FILE [-p PORT] */
static void
reboot_net(const struct sip_config *cfg, const char *ip,
    struct reboot_cmd *c)
{
	size_t k = 0;

	snprintf(c->opts[0], sizeof(c->opts[0]), "%d", cfg->reboot_delay);
	c->argv[k++] = cfg->reboot_net;
	c->argv[k++] = (char *)(uintptr_t)"rpc";
	c->argv[k++] = (char *)(uintptr_t)"shutdown";
	c->argv[k++] = (char *)(uintptr_t)"-r";
	c->argv[k++] = (char *)(uintptr_t)"-f";
	c->argv[k++] = (char *)(uintptr_t)"-t";
	c->argv[k++] = c->opts[0];
	c->argv[k++] = (char *)(uintptr_t)"-C";
	c->argv[k++] = cfg->reboot_message;
	c->argv[k++] = (char *)(uintptr_t)"-I";
	c->argv[k++] = (char *)(uintptr_t)ip;
	c->argv[k++] = (char *)(uintptr_t)"-A";
	c->argv[k++] = cfg->reboot_net_auth_file;
	if (cfg->reboot_windows_port != 445) {
		snprintf(c->port, sizeof(c->port), "%d",
		    cfg->reboot_windows_port);
		c->argv[k++] = (char *)(uintptr_t)"-p";
		c->argv[k++] = c->port;
	}
	c->argv[k] = NULL;
}

/*
 * ssh -i KEY [-p PORT] -o BatchMode=yes -o ConnectTimeout=N
 * -o StrictHostKeyChecking=X USER@IP reboot
 */
static void
reboot_ssh(const struct sip_config *cfg, const char *ip,
    struct reboot_cmd *c)
{
	size_t k = 0;
	int ct = cfg->reboot_timeout > 10 ? 10 : cfg->reboot_timeout;

	c->argv[k++] = cfg->reboot_ssh;
	c->argv[k++] = (char *)(uintptr_t)"-i";
	c->argv[k++] = cfg->reboot_ssh_key;
	if (cfg->reboot_linux_port != 22) {
		snprintf(c->port, sizeof(c->port), "%d",
		    cfg->reboot_linux_port);
		c->argv[k++] = (char *)(uintptr_t)"-p";
		c->argv[k++] = c->port;
	}
	snprintf(c->opts[1], sizeof(c->opts[1]), "ConnectTimeout=%d", ct);
	snprintf(c->opts[2], sizeof(c->opts[2]), "StrictHostKeyChecking=%s",
	    host_key_values[cfg->reboot_host_key]);
	c->argv[k++] = (char *)(uintptr_t)"-o";
	c->argv[k++] = (char *)(uintptr_t)"BatchMode=yes";
	c->argv[k++] = (char *)(uintptr_t)"-o";
	c->argv[k++] = c->opts[1];
	c->argv[k++] = (char *)(uintptr_t)"-o";
	c->argv[k++] = c->opts[2];
	snprintf(c->target, sizeof(c->target), "%s@%s",
	    cfg->reboot_ssh_user, ip);
	c->argv[k++] = c->target;
	c->argv[k++] = (char *)(uintptr_t)"reboot";
	c->argv[k] = NULL;
}

/* The first line of a command's output, printable, for a history row. */
static void
reboot_first_line(const struct sip_job *j, char *buf, size_t sz)
{
	size_t i;

	buf[0] = '\0';
	if (j->out == NULL)
		return;
	for (i = 0; i < j->outlen && i < sz - 1 && j->out[i] != '\n'; i++)
		buf[i] = (unsigned char)j->out[i] < 0x20 ||
		    (unsigned char)j->out[i] >= 0x7f ? '?' : j->out[i];
	buf[i] = '\0';
}

enum sip_rc
sip_reboot(const struct sip_config *cfg, enum sip_reboot_policy policy,
    struct sip_reboot_machine *m, size_t n, struct sip_err *err)
{
	struct sip_probe_result *res = NULL;
	struct in_addr *addrs = NULL;
	struct sip_session *sess = NULL;
	struct sip_err serr = { "" }, perr = { "" };
	struct reboot_cmd *cmd = NULL;
	struct sip_job *jobs = NULL;
	size_t *of = NULL, *jof = NULL, i, k, s, na = 0, nj = 0, nsess = 0;
	char line[96];
	uint32_t ip, bcast;
	int need_net = 0, need_ssh = 0, sess_ok = 0;
	enum sip_rc rc = SIP_OK, src;

	for (i = 0; i < n; i++)
		reboot_say(&m[i], SIP_REBOOT_SKIPPED, "%s", "not probed");
	if (n == 0)
		return SIP_OK;
	if (policy == SIP_REBOOT_WAIT) {
		for (i = 0; i < n; i++)
			reboot_say(&m[i], SIP_REBOOT_SKIPPED, "policy wait: "
			    "left to its next boot");
		return SIP_OK;
	}
	if ((addrs = calloc(n, sizeof(*addrs))) == NULL ||
	    (res = calloc(n, sizeof(*res))) == NULL ||
	    (of = calloc(n, sizeof(*of))) == NULL ||
	    (jof = calloc(n, sizeof(*jof))) == NULL ||
	    (cmd = calloc(n, sizeof(*cmd))) == NULL ||
	    (jobs = calloc(n, sizeof(*jobs))) == NULL) {
		rc = sip_errf(err, SIP_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (m[i].ip == NULL || m[i].ip[0] == '\0' ||
		    sip_ipv4_parse(m[i].ip, &ip) != SIP_OK) {
			reboot_say(&m[i], SIP_REBOOT_SKIPPED, "no IPv4 "
			    "address known (neither in LDAP nor from a "
			    "boot)");
			continue;
		}
		/*
		 * An address the machine reported at a boot is its claim:
		 * any neighbour may send one with its MAC.  Credentials go
		 * only to the directory's, or to a claim inside the school's
		 * [network] subnets.
		 */
		if (m[i].claimed && sip_wol_broadcast(cfg->subnets,
		    cfg->nsubnets, ip, &bcast) != SIP_OK) {
			reboot_say(&m[i], SIP_REBOOT_SKIPPED, "%s, reported "
			    "by the machine at a boot, is in none of the "
			    "[network] subnets: not trusted with credentials",
			    m[i].ip);
			continue;
		}
		/* The directory's too: no probe leaves for an unknown network. */
		if (sip_probe_allowed(cfg, m[i].ip, NULL, &perr) != SIP_OK) {
			reboot_say(&m[i], SIP_REBOOT_SKIPPED, "%s", perr.msg);
			continue;
		}
		addrs[na].s_addr = htonl(ip);
		of[na++] = i;
	}
	if ((rc = sip_probe(cfg, addrs, na, res, err)) != SIP_OK)
		goto out;
	for (k = 0; k < na; k++) {
		i = of[k];
		if (!res[k].up)
			reboot_say(&m[i], SIP_REBOOT_SKIPPED, "down: no "
			    "answer at %s (wake it with wol)", m[i].ip);
		else if (res[k].port == cfg->reboot_windows_port)
			need_net = 1;
		else if (res[k].port == cfg->reboot_linux_port)
			need_ssh = 1;
		else if (res[k].port == 0)
			reboot_say(&m[i], SIP_REBOOT_SKIPPED, "up at %s, but "
			    "no [probe] port open: neither Windows (%d) nor "
			    "Linux (%d)", m[i].ip, cfg->reboot_windows_port,
			    cfg->reboot_linux_port);
		else
			reboot_say(&m[i], SIP_REBOOT_SKIPPED, "port %d "
			    "answered at %s: neither [reboot] windows_port "
			    "(%d) nor linux_port (%d)", res[k].port, m[i].ip,
			    cfg->reboot_windows_port, cfg->reboot_linux_port);
	}
	/* Every credential checked before the first command: all or nothing. */
	if (need_net && (rc = sip_reboot_private_file("net_auth_file",
	    cfg->reboot_net_auth_file, err)) != SIP_OK)
		goto out;
	if (need_ssh && (rc = sip_reboot_private_file("ssh_key",
	    cfg->reboot_ssh_key, err)) != SIP_OK)
		goto out;
	if (policy == SIP_REBOOT_IDLE && (need_net || need_ssh)) {
		if ((src = sip_sessions_read(cfg, &sess, &nsess, &serr)) ==
		    SIP_OK)
			sess_ok = 1;
	}
	for (k = 0; k < na; k++) {
		i = of[k];
		if (!res[k].up || (res[k].port != cfg->reboot_windows_port &&
		    res[k].port != cfg->reboot_linux_port))
			continue;
		if (policy == SIP_REBOOT_IDLE && !sess_ok) {
			reboot_say(&m[i], SIP_REBOOT_SKIPPED, "policy idle: "
			    "no session list, so taken as in use: %s",
			    serr.msg);
			continue;
		}
		if (policy == SIP_REBOOT_IDLE) {
			for (s = 0; s < nsess; s++)
				if (strcmp(sess[s].ip, m[i].ip) == 0)
					break;
			if (s < nsess) {
				reboot_say(&m[i], SIP_REBOOT_SKIPPED, "policy "
				    "idle: session of %s at %s",
				    sess[s].login, m[i].ip);
				continue;
			}
		}
		if (res[k].port == cfg->reboot_windows_port)
			reboot_net(cfg, m[i].ip, &cmd[nj]);
		else
			reboot_ssh(cfg, m[i].ip, &cmd[nj]);
		jobs[nj].argv = cmd[nj].argv;
		jobs[nj].merge_stderr = 1;
		jof[nj++] = i;
	}
	if ((rc = sip_run_jobs(jobs, nj, (size_t)cfg->reboot_parallel,
	    cfg->reboot_timeout * 1000, 4096, err)) != SIP_OK)
		goto out;
	for (k = 0; k < nj; k++) {
		i = jof[k];
		reboot_first_line(&jobs[k], line, sizeof(line));
		if (jobs[k].start_errno != 0)
			reboot_say(&m[i], SIP_REBOOT_FAILED, "%s: cannot run "
			    "it: %s", jobs[k].argv[0],
			    strerror(jobs[k].start_errno));
		else if (jobs[k].timed_out)
			reboot_say(&m[i], SIP_REBOOT_FAILED, "%s at %s: no "
			    "answer within [reboot] timeout (%d s): killed",
			    jobs[k].argv[0], m[i].ip, cfg->reboot_timeout);
		else if (jobs[k].status != 0)
			reboot_say(&m[i], SIP_REBOOT_FAILED, "%s at %s: exit "
			    "status %d%s%s", jobs[k].argv[0], m[i].ip,
			    jobs[k].status, line[0] != '\0' ? ": " : "", line);
		else
			reboot_say(&m[i], SIP_REBOOT_SENT, "%s at %s (%s)",
			    jobs[k].argv[0] == cfg->reboot_net ? "windows" :
			    "linux", m[i].ip, jobs[k].argv[0] ==
			    cfg->reboot_net ? "net rpc shutdown" : "ssh");
	}
 out:
	sip_jobs_free(jobs, nj);
	free(jobs);
	free(cmd);
	free(jof);
	free(of);
	free(res);
	free(addrs);
	sip_sessions_free(sess);
	return rc;
}
