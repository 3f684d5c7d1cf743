/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Running outside commands (smbstatus, net, ssh): execve with an argument vector, no shell, stdin closed, output bounded, a deadline each, several at once. */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "extern.h"

extern char **environ;

/* A job's state while it runs. */
struct running {
	size_t	 job;
	pid_t	 pid;
	int	 fd;		/* its output, -1 once at end of file */
	int64_t	 deadline;	/* ms, CLOCK_MONOTONIC */
	size_t	 cap;
};

static int64_t
run_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The child: its own process group (so that a timeout kills what it
 * started too), stdin from /dev/null, stdout (and stderr if asked) to the
 * pipe, then execve; if that fails, errno goes back through errfd.
 */
static void __attribute__((__noreturn__))
run_child(const struct sip_job *j, int outfd, int errfd)
{
	int null, e;

	(void)setpgid(0, 0);
	if ((null = open("/dev/null", O_RDWR)) == -1 ||
	    dup2(null, 0) == -1 || dup2(outfd, 1) == -1 ||
	    dup2(j->merge_stderr ? outfd : null, 2) == -1)
		goto fail;
	/*
	 * net and ssh get nothing else of ours: not the directory's socket,
	 * not the database.  errfd stays open until execve succeeds.
	 */
	(void)close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	execve(j->argv[0], j->argv, j->envp != NULL ? j->envp : environ);
 fail:
	e = errno;
	(void)!write(errfd, &e, sizeof(e));
	_exit(127);
}

/* Start job i: SIP_OK with r filled, or the job failed to start (said in it). */
static enum sip_rc
run_start(struct sip_job *j, size_t i, int timeout_ms, struct running *r)
{
	int out[2] = { -1, -1 }, ep[2] = { -1, -1 }, e = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(out, O_CLOEXEC) == -1 || pipe2(ep, O_CLOEXEC) == -1) {
		j->start_errno = errno;
		goto fail;
	}
	if ((pid = fork()) == -1) {
		j->start_errno = errno;
		goto fail;
	}
	if (pid == 0)
		run_child(j, out[1], ep[1]);
	close(out[1]);
	close(ep[1]);
	out[1] = ep[1] = -1;
	/* execve succeeded when the close-on-exec pipe closes empty. */
	while ((n = read(ep[0], &e, sizeof(e))) == -1 && errno == EINTR)
		continue;
	close(ep[0]);
	if (n == (ssize_t)sizeof(e)) {
		j->start_errno = e;
		close(out[0]);
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			continue;
		return SIP_EIO;
	}
	(void)fcntl(out[0], F_SETFL, O_NONBLOCK);
	r->job = i;
	r->pid = pid;
	r->fd = out[0];
	r->deadline = run_now_ms() + timeout_ms;
	r->cap = 0;
	return SIP_OK;
 fail:
	if (out[0] != -1)
		close(out[0]);
	if (out[1] != -1)
		close(out[1]);
	if (ep[0] != -1)
		close(ep[0]);
	if (ep[1] != -1)
		close(ep[1]);
	return SIP_EIO;
}

/* Take what the child wrote; past out_max it is read and dropped. */
static int
run_read(struct sip_job *j, struct running *r, size_t out_max)
{
	char buf[4096], *p;
	ssize_t n;
	size_t take, want;

	for (;;) {
		n = read(r->fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return errno == EAGAIN ? 0 : -1;
		if (n == 0)
			return -1;
		take = (size_t)n;
		if (j->outlen + take > out_max) {
			take = out_max - j->outlen;
			j->truncated = 1;
		}
		if (take == 0)
			continue;
		if (j->outlen + take + 1 > r->cap) {
			want = r->cap == 0 ? 4096 : r->cap;
			while (want < j->outlen + take + 1)
				want *= 2;
			if ((p = realloc(j->out, want)) == NULL) {
				j->truncated = 1;
				continue;
			}
			j->out = p;
			r->cap = want;
		}
		memcpy(j->out + j->outlen, buf, take);
		j->outlen += take;
		j->out[j->outlen] = '\0';
	}
}

/*
 * Reap r's child: done once it exited (or was killed at its deadline).
 * Its group is killed before it is reaped: while it is a zombie its pid,
 * the group's id, cannot be given to another process.
 */
static int
run_reap(struct sip_job *j, struct running *r, int64_t now, size_t out_max)
{
	siginfo_t si;
	int st;
	pid_t p;

	if (now >= r->deadline) {
		j->timed_out = 1;
	} else {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)r->pid, &si, WEXITED | WNOHANG |
		    WNOWAIT) == -1 || si.si_pid == 0)
			return 0;
		/* What it wrote before it exited is in the pipe still. */
		if (r->fd != -1)
			(void)run_read(j, r, out_max);
	}
	/* What it started and left behind goes with it. */
	(void)kill(-r->pid, SIGKILL);
	(void)kill(r->pid, SIGKILL);
	while ((p = waitpid(r->pid, &st, 0)) == -1 && errno == EINTR)
		continue;
	if (p == r->pid && !j->timed_out) {
		if (WIFEXITED(st))
			j->status = WEXITSTATUS(st);
		else if (WIFSIGNALED(st))
			j->signal = WTERMSIG(st);
	}
	if (r->fd != -1)
		close(r->fd);
	r->fd = -1;
	return 1;
}

enum sip_rc
sip_run_jobs(struct sip_job *jobs, size_t n, size_t parallel,
    int timeout_ms, size_t out_max, struct sip_err *err)
{
	struct running *run = NULL;
	struct pollfd *pfd = NULL;
	size_t nrun = 0, next = 0, i, np, *of = NULL;
	int64_t now, wait_ms;

	for (i = 0; i < n; i++) {
		jobs[i].status = -1;
		jobs[i].signal = 0;
		jobs[i].timed_out = 0;
		jobs[i].start_errno = 0;
		jobs[i].truncated = 0;
		jobs[i].out = NULL;
		jobs[i].outlen = 0;
	}
	if (n == 0)
		return SIP_OK;
	if (parallel == 0)
		parallel = 1;
	if (parallel > n)
		parallel = n;
	if ((run = calloc(parallel, sizeof(*run))) == NULL ||
	    (pfd = calloc(parallel, sizeof(*pfd))) == NULL ||
	    (of = calloc(parallel, sizeof(*of))) == NULL) {
		free(of);
		free(pfd);
		free(run);
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	}
	for (;;) {
		while (nrun < parallel && next < n) {
			if (run_start(&jobs[next], next, timeout_ms,
			    &run[nrun]) == SIP_OK)
				nrun++;
			next++;
		}
		if (nrun == 0)
			break;
		now = run_now_ms();
		wait_ms = 50;	/* a child that closed its output but lives */
		for (i = np = 0; i < nrun; i++) {
			if (run[i].deadline - now < wait_ms)
				wait_ms = run[i].deadline - now;
			if (run[i].fd == -1)
				continue;
			pfd[np].fd = run[i].fd;
			pfd[np].events = POLLIN;
			pfd[np].revents = 0;
			of[np++] = i;
		}
		if (wait_ms < 0)
			wait_ms = 0;
		if (poll(pfd, np, (int)wait_ms) == -1 && errno != EINTR)
			(void)usleep(1000);
		for (i = 0; i < np; i++)
			if (pfd[i].revents != 0 &&
			    run_read(&jobs[run[of[i]].job], &run[of[i]],
			    out_max) == -1) {
				close(run[of[i]].fd);
				run[of[i]].fd = -1;
			}
		now = run_now_ms();
		for (i = 0; i < nrun; ) {
			if (!run_reap(&jobs[run[i].job], &run[i], now, out_max)) {
				i++;
				continue;
			}
			run[i] = run[--nrun];
		}
	}
	free(of);
	free(pfd);
	free(run);
	return SIP_OK;
}

void
sip_jobs_free(struct sip_job *jobs, size_t n)
{
	size_t i;

	if (jobs == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(jobs[i].out);
		jobs[i].out = NULL;
	}
}
