/* SPDX-License-Identifier: GPL-3.0-or-later */
/* clone --sysprep: the .cmd that runs Windows' sysprep on the master, its push to ADMIN$ and its start through a service with the [reboot] net credential, as SE3's sysprep.sh did (heritage §1.5). */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "extern.h"

/* Where the script goes, under ADMIN$ (C:\Windows): the service runs it from there. */
#define PREP_DIR	"Temp\\se3-ipxe"
#define PUSH		"sysprep: push to ADMIN$"

/* '%' is cmd.exe's: a URL of the type without it needs no quoting in a .cmd. */
static int
cmd_url_ok(const char *url)
{
	return sip_value_check(SIP_T_URL, url) == SIP_OK &&
	    strchr(url, '%') == NULL;
}

enum sip_rc
sip_sysprep_report_url(const struct sip_config *cfg, char *dst, size_t sz,
    struct sip_err *err)
{
	if (cfg->cgi_url == NULL || cfg->cgi_url[0] == '\0')
		return sip_errf(err, SIP_ECONFIG, "--sysprep: [server] cgi_url "
		    "is not set: the master's script would not know where to "
		    "report");
	if (!cmd_url_ok(cfg->cgi_url) ||
	    (size_t)snprintf(dst, sz, "%s/report", cfg->cgi_url) >= sz)
		return sip_errf(err, SIP_ECONFIG, "--sysprep: [server] cgi_url "
		    "'%.80s' is not an http:// URL without '%%' that a .cmd "
		    "can hold", cfg->cgi_url);
	return SIP_OK;
}

enum sip_rc
sip_sysprep_script(const char *report_url, const char *token, int64_t id,
    struct sip_buf *out, struct sip_err *err)
{
	if (!cmd_url_ok(report_url))
		return sip_errf(err, SIP_EINVAL, "sysprep: '%.80s': not a URL "
		    "a .cmd can hold", report_url);
	if (sip_token_check(token) != SIP_OK)
		return sip_errf(err, SIP_EINVAL, "sysprep: not a token");
	/*
	 * CRLF: cmd.exe reads LF-only scripts, but mis-jumps labels in them.
	 * The token is the session's own, for this machine's one report: no
	 * credential is ever in the script.  sysprep's own exit code is the
	 * outcome, reported as the worker does (GET: a POST's body would
	 * need the token too); curl.exe (Windows 10 1803 and later), else
	 * PowerShell.  "%%" is cmd.exe's "%".
	 * Rebooted only when prepared: the next boot is the save's.
	 */
	sip_buf_printf(out,
	    "@echo off\r\n"
	    "rem se3-ipxe session %" PRId64 ": sysprep before this machine is "
	    "saved, then a report and a reboot.\r\n"
	    "setlocal\r\n"
	    "set \"R=%s\"\r\n"
	    "set \"T=token=%s\"\r\n"
	    "\"%%SystemRoot%%\\System32\\Sysprep\\sysprep.exe\" /generalize "
	    "/oobe /quit\r\n"
	    "set \"RC=%%ERRORLEVEL%%\"\r\n"
	    "if \"%%RC%%\"==\"0\" (set \"Q=%%T%%&status=done\") else (set "
	    "\"Q=%%T%%&status=failed&msg=sysprep.exe%%%%20exit%%%%20code%%%%20"
	    "%%RC%%\")\r\n"
	    "curl.exe -fsS -G -o NUL -m 30 --retry 5 --retry-delay 5 -d "
	    "\"%%Q%%\" \"%%R%%\" || powershell.exe -NoProfile -Command "
	    "\"Invoke-WebRequest -UseBasicParsing -Uri '%%R%%?%%Q%%'\"\r\n"
	    "if \"%%RC%%\"==\"0\" shutdown.exe /r /t 5\r\n"
	    "del \"%%~f0\"\r\n", id, report_url, token);
	if (out->failed)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	return SIP_OK;
}

/* The one line a Samba tool's failure is told by: the known NT status named, else its first line. */
static void
job_reason(const struct sip_job *j, const char *what, const char *ip,
    char *dst, size_t sz)
{
	static const struct {
		const char	*status, *says;
	} known[] = {
		{ "NT_STATUS_CONNECTION_REFUSED", "connection refused" },
		{ "NT_STATUS_HOST_UNREACHABLE", "host unreachable" },
		{ "NT_STATUS_IO_TIMEOUT", "no answer (timeout)" },
		{ "NT_STATUS_LOGON_FAILURE", "auth: logon failure (user or "
		    "password of [reboot] net_auth_file)" },
		{ "NT_STATUS_ACCOUNT_", "auth: the account is refused" },
		{ "NT_STATUS_BAD_NETWORK_NAME", "no ADMIN$ share" },
		{ "NT_STATUS_ACCESS_DENIED", "access denied (ADMIN$ not "
		    "writable, or not an administrator)" },
		{ "WERR_ACCESS_DENIED", "access denied (not an "
		    "administrator)" },
		{ "NT_STATUS_DISK_FULL", "disk full" },
		{ "RPC_PROCNUM_OUT_OF_RANGE", "the server has no Windows "
		    "service manager (Samba?)" },
		{ "NOT_SUPPORTED", "not supported by the server (no Windows "
		    "service manager)" },
	};
	char line[128];
	size_t i, k;

	line[0] = '\0';
	for (i = 0; j->out != NULL && i < SIP_ARRAY_SIZE(known); i++)
		if (strstr(j->out, known[i].status) != NULL) {
			snprintf(dst, sz, "%s at %s: %s", what, ip,
			    known[i].says);
			return;
		}
	for (i = 0, k = 0; j->out != NULL && i < j->outlen &&
	    k < sizeof(line) - 1; i++) {
		if (j->out[i] == '\n') {
			if (k > 0)
				break;
			continue;
		}
		line[k++] = (unsigned char)j->out[i] < 0x20 ||
		    (unsigned char)j->out[i] >= 0x7f ? '?' : j->out[i];
	}
	line[k] = '\0';
	if (j->start_errno != 0)
		snprintf(dst, sz, "%s: cannot run it: %s", what,
		    strerror(j->start_errno));
	else if (j->timed_out)
		snprintf(dst, sz, "%s at %s: no answer within [reboot] "
		    "timeout: killed", what, ip);
	else
		snprintf(dst, sz, "%s at %s: exit status %d%s%s", what, ip,
		    j->status, line[0] != '\0' ? ": " : "", line);
}

/* Run one command, bounded; 0 if it exited 0, else -1 with its reason in why. */
static int
run1(char *const *argv, int timeout_s, const char *what, const char *ip,
    struct sip_job *j, char *why, size_t sz, struct sip_err *err)
{
	memset(j, 0, sizeof(*j));
	j->argv = argv;
	j->merge_stderr = 1;
	if (sip_run_jobs(j, 1, 1, timeout_s * 1000, 4096, err) != SIP_OK) {
		snprintf(why, sz, "%s: %s", what, err->msg);
		return -1;
	}
	if (j->start_errno == 0 && !j->timed_out && j->status == 0)
		return 0;
	job_reason(j, what, ip, why, sz);
	return -1;
}

/*
 * StartService of a cmd.exe is answered, once the script is started,
 * with "did not respond in time" or "ended": that is the success of a
 * command started as a service (psexec's and winexe's way, without
 * their binary).  Any other refusal is one.
 */
static int
start_expected(const struct sip_job *j)
{
	return j->out != NULL && j->start_errno == 0 && !j->timed_out &&
	    (strstr(j->out, "SERVICE_REQUEST_TIMEOUT") != NULL ||
	    strstr(j->out, "PROCESS_ABORTED") != NULL ||
	    strstr(j->out, "1053") != NULL || strstr(j->out, "1067") != NULL);
}

enum sip_rc
sip_sysprep_push(const struct sip_config *cfg, const struct sip_mcast *s,
    char *why, size_t sz, struct sip_err *err)
{
	struct sip_buf script = { NULL, 0, 0, 0 };
	struct sip_err e2 = { "" };
	struct sip_job j;
	char url[1024], tmp[4096];
	char cmds[4096 + 128], remote[64], svc[48], bin[160], port[8];
	char display[64];
	char *argv[16];
	uint32_t ip, bcast;
	size_t k;
	int fd = -1, timeout, created = 0;
	enum sip_rc rc = SIP_OK;

	memset(&j, 0, sizeof(j));
	why[0] = '\0';
	/* As a reboot: credentials go to the directory's address, or a claim inside [network] subnets. */
	if (sip_ipv4_parse(s->prep_addr, &ip) != SIP_OK) {
		snprintf(why, sz, "sysprep: no IPv4 address for %s",
		    s->source_mac);
		goto out;
	}
	if (s->prep_claimed && sip_wol_broadcast(cfg->subnets, cfg->nsubnets,
	    ip, &bcast) != SIP_OK) {
		snprintf(why, sz, "sysprep: %s, reported by %s at a boot, is "
		    "in none of the [network] subnets: not trusted with "
		    "credentials; nothing sent", s->prep_addr, s->source_mac);
		goto out;
	}
	if (sip_probe_allowed(cfg, s->prep_addr, NULL, &e2) != SIP_OK) {
		snprintf(why, sz, "sysprep: %s; nothing sent", e2.msg);
		goto out;
	}
	if (sip_reboot_private_file("net_auth_file", cfg->reboot_net_auth_file,
	    &e2) != SIP_OK) {
		snprintf(why, sz, "sysprep: %s", e2.msg);
		goto out;
	}
	if (sip_sysprep_report_url(cfg, url, sizeof(url), &e2) != SIP_OK ||
	    sip_sysprep_script(url, s->prep_token, s->id, &script, &e2) !=
	    SIP_OK) {
		snprintf(why, sz, "sysprep: %s", e2.msg);
		goto out;
	}
	/*
	 * Beside the database, private to this server: gone with a test's
	 * directory, and smbclient's -c reads the name as a word of its own.
	 */
	if ((rc = sip_db_sibling(cfg->db_path, "-sysprep-XXXXXX", tmp,
	    sizeof(tmp), err)) != SIP_OK)
		goto out;
	if (strspn(tmp, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789/._-") != strlen(tmp)) {
		snprintf(why, sz, "sysprep: the database's path %.80s is not "
		    "of A-Z a-z 0-9 / . _ -: smbclient cannot be given its "
		    "script's name", cfg->db_path);
		goto out;
	}
	if ((fd = mkstemp(tmp)) == -1) {
		rc = sip_errf(err, SIP_EIO, "sysprep: %s: %s", tmp,
		    strerror(errno));
		goto out;
	}
	if ((rc = sip_fd_write(fd, tmp, script.data, script.len, err)) !=
	    SIP_OK)
		goto out;
	timeout = cfg->reboot_timeout;
	snprintf(port, sizeof(port), "%d", cfg->reboot_windows_port);
	snprintf(remote, sizeof(remote), "//%s/ADMIN$", s->prep_addr);
	/* A second push to the same machine finds the folder made: not an error to smbclient's put. */
	snprintf(cmds, sizeof(cmds), "mkdir %s; put %s %s\\prep-%" PRId64
	    ".cmd", PREP_DIR, tmp, PREP_DIR, s->id);
	k = 0;
	argv[k++] = cfg->reboot_smbclient;
	argv[k++] = remote;
	argv[k++] = (char *)(uintptr_t)"-A";
	argv[k++] = cfg->reboot_net_auth_file;
	argv[k++] = (char *)(uintptr_t)"-p";
	argv[k++] = port;
	argv[k++] = (char *)(uintptr_t)"-c";
	argv[k++] = cmds;
	argv[k] = NULL;
	/* smbclient's -c goes on after a failed command: its put must say it put. */
	if (run1(argv, timeout, PUSH, s->prep_addr, &j, why, sz, err) == -1 ||
	    j.out == NULL || strstr(j.out, "putting file") == NULL) {
		if (why[0] == '\0')
			job_reason(&j, PUSH, s->prep_addr, why, sz);
		goto out;
	}
	sip_jobs_free(&j, 1);

	/* net rpc service create NAME DISPLAY BINPATH, start, delete. */
	snprintf(svc, sizeof(svc), "se3ipxe-sysprep-%" PRId64, s->id);
	snprintf(display, sizeof(display), "se3-ipxe sysprep %" PRId64, s->id);
	snprintf(bin, sizeof(bin), "cmd.exe /c start \"se3-ipxe\" /b "
	    "%%SystemRoot%%\\%s\\prep-%" PRId64 ".cmd", PREP_DIR, s->id);
	k = 0;
	argv[k++] = cfg->reboot_net;
	argv[k++] = (char *)(uintptr_t)"rpc";
	argv[k++] = (char *)(uintptr_t)"service";
	argv[k++] = (char *)(uintptr_t)"create";
	argv[k++] = svc;
	argv[k++] = display;
	argv[k++] = bin;
	argv[k++] = (char *)(uintptr_t)"-I";
	argv[k++] = (char *)(uintptr_t)s->prep_addr;
	argv[k++] = (char *)(uintptr_t)"-A";
	argv[k++] = cfg->reboot_net_auth_file;
	argv[k++] = (char *)(uintptr_t)"-p";
	argv[k++] = port;
	argv[k] = NULL;
	if (run1(argv, timeout, "sysprep: service create", s->prep_addr, &j,
	    why, sz, err) == -1)
		goto out;
	sip_jobs_free(&j, 1);
	created = 1;
	argv[3] = (char *)(uintptr_t)"start";
	argv[5] = (char *)(uintptr_t)"-I";
	argv[6] = (char *)(uintptr_t)s->prep_addr;
	argv[7] = (char *)(uintptr_t)"-A";
	argv[8] = cfg->reboot_net_auth_file;
	argv[9] = (char *)(uintptr_t)"-p";
	argv[10] = port;
	argv[11] = NULL;
	/* The service manager waits 30 s for a service that never answers. */
	if (run1(argv, timeout > 60 ? timeout : 60, "sysprep: service start",
	    s->prep_addr, &j, why, sz, err) == -1 && !start_expected(&j))
		goto out;
	why[0] = '\0';
 out:
	sip_jobs_free(&j, 1);
	if (created) {
		struct sip_job d;
		struct sip_err e3 = { "" };
		char dwhy[256];

		/* Gone once started: the script runs on, the service manager forgets it. */
		argv[3] = (char *)(uintptr_t)"delete";
		(void)run1(argv, timeout, "sysprep: service delete",
		    s->prep_addr, &d, dwhy, sizeof(dwhy), &e3);
		sip_jobs_free(&d, 1);
	}
	if (fd != -1) {
		close(fd);
		unlink(tmp);
	}
	sip_buf_free(&script);
	return rc;
}
