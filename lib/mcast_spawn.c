/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Starting a multicast session's runner, detached, and the interface it sends on by default: for `se3-ipxe clone` and console.cgi alike. */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "se3ipxe.h"

void
sip_mcast_default_ifname(char *dst, size_t sz)
{
	char line[256], ifn[64], dest[16];
	size_t n;
	FILE *fp;

	*dst = '\0';
	if ((fp = fopen("/proc/net/route", "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "%63s %15s", ifn, dest) == 2 &&
		    strcmp(dest, "00000000") == 0 &&
		    (n = strlen(ifn)) > 0 && n < SIP_IFNAME_MAX &&
		    strspn(ifn, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
		    "TUVWXYZ0123456789._-") == n) {
			snprintf(dst, sz, "%.15s", ifn);
			break;
		}
	fclose(fp);
}

enum sip_rc
sip_mcast_runner_spawn(const struct sip_config *cfg, const char *self,
    const char *cfg_file, int64_t id, struct sip_err *err)
{
	char idbuf[24], logpath[4096 + 16];
	char *argv[8];
	pid_t pid, w;
	int k = 0, fd, status;

	snprintf(idbuf, sizeof(idbuf), "%" PRId64, id);
	sip_mcast_log_path(cfg, id, logpath, sizeof(logpath));
	argv[k++] = (char *)(uintptr_t)self;
	if (cfg_file != NULL) {
		argv[k++] = (char *)(uintptr_t)"-c";
		argv[k++] = (char *)(uintptr_t)cfg_file;
	}
	argv[k++] = (char *)(uintptr_t)"session";
	argv[k++] = (char *)(uintptr_t)"run";
	argv[k++] = idbuf;
	argv[k] = NULL;
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1)
		return sip_errf(err, SIP_EIO, "session %" PRId64 ": fork: %s",
		    id, strerror(errno));
	if (pid == 0) {
		/* Its own session, twice forked: nobody's child to reap. */
		if (setsid() == -1 || (pid = fork()) == -1)
			_exit(1);
		if (pid > 0)
			_exit(0);
		if ((fd = open("/dev/null", O_RDONLY)) != -1) {
			dup2(fd, STDIN_FILENO);
			close(fd);
		}
		if ((fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND |
		    O_CLOEXEC, 0640)) != -1) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execv(self, argv);
		_exit(127);
	}
	while ((w = waitpid(pid, &status, 0)) == -1 && errno == EINTR)
		;
	if (w != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return sip_errf(err, SIP_EIO, "session %" PRId64 ": could not "
		    "start its runner %s", id, self);
	return SIP_OK;
}
