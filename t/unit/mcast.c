/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the multicast session: every (state, event) of its machine, a member's state from its action, the stream's header blocks. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

static char tmpdir[] = "/tmp/se3ipxe-mcast.XXXXXX";

#define P	SIP_MC_PREPARING
#define S	SIP_MC_SAVING
#define F	SIP_MC_FORMING
#define T	SIP_MC_TRANSFERRING

/* verified/total only matter for the verdict. */
static const struct {
	enum sip_mcast_state	 from;
	enum sip_mcast_event	 ev;
	size_t			 verified, total;
	enum sip_mcast_state	 want;
} trans[] = {
	/* clone --from --sysprep: the master's sysprep before its save. */
	{ P, SIP_MCE_PREPARED, 0, 0, S },
	{ P, SIP_MCE_PREP_FAILED, 0, 0, SIP_MC_FAILED },
	{ P, SIP_MCE_CANCEL, 0, 0, SIP_MC_CANCELLED },
	{ P, SIP_MCE_RUNNER_GONE, 0, 0, SIP_MC_FAILED },
	{ P, SIP_MCE_SENDER_FAILED, 0, 0, SIP_MC_FAILED },
	{ P, SIP_MCE_START, 0, 0, P },
	{ P, SIP_MCE_VERDICT, 0, 3, P },
	{ P, SIP_MCE_SAVED, 0, 0, P },
	{ P, SIP_MCE_SAVE_FAILED, 0, 0, P },
	{ S, SIP_MCE_PREPARED, 0, 0, S },
	{ S, SIP_MCE_PREP_FAILED, 0, 0, S },
	{ F, SIP_MCE_PREPARED, 0, 0, F },
	{ F, SIP_MCE_PREP_FAILED, 0, 0, F },
	{ T, SIP_MCE_PREPARED, 0, 0, T },
	{ T, SIP_MCE_PREP_FAILED, 0, 0, T },
	/* clone --from: the master's save first. */
	{ S, SIP_MCE_SAVED, 0, 0, F },
	{ S, SIP_MCE_SAVE_FAILED, 0, 0, SIP_MC_FAILED },
	{ S, SIP_MCE_CANCEL, 0, 0, SIP_MC_CANCELLED },
	{ S, SIP_MCE_RUNNER_GONE, 0, 0, SIP_MC_FAILED },
	{ S, SIP_MCE_START, 0, 0, S },
	{ S, SIP_MCE_SENDER_FAILED, 0, 0, SIP_MC_FAILED },
	{ S, SIP_MCE_VERDICT, 0, 3, S },
	{ F, SIP_MCE_SAVED, 0, 0, F },
	{ F, SIP_MCE_SAVE_FAILED, 0, 0, F },
	{ T, SIP_MCE_SAVED, 0, 0, T },
	{ T, SIP_MCE_SAVE_FAILED, 0, 0, T },
	{ F, SIP_MCE_START, 0, 0, T },
	{ F, SIP_MCE_SENDER_FAILED, 0, 0, SIP_MC_FAILED },
	{ F, SIP_MCE_CANCEL, 0, 0, SIP_MC_CANCELLED },
	{ F, SIP_MCE_RUNNER_GONE, 0, 0, SIP_MC_FAILED },
	/* every member failed before the stream started (disk too small) */
	{ F, SIP_MCE_VERDICT, 0, 3, SIP_MC_FAILED },
	{ T, SIP_MCE_START, 0, 0, T },
	{ T, SIP_MCE_SENDER_FAILED, 0, 0, SIP_MC_FAILED },
	{ T, SIP_MCE_CANCEL, 0, 0, SIP_MC_CANCELLED },
	{ T, SIP_MCE_RUNNER_GONE, 0, 0, SIP_MC_FAILED },
	{ T, SIP_MCE_VERDICT, 3, 3, SIP_MC_DONE },
	{ T, SIP_MCE_VERDICT, 1, 3, SIP_MC_PARTIAL },
	{ T, SIP_MCE_VERDICT, 2, 3, SIP_MC_PARTIAL },
	{ T, SIP_MCE_VERDICT, 0, 3, SIP_MC_FAILED },
	{ T, SIP_MCE_VERDICT, 0, 0, SIP_MC_FAILED },
	{ T, SIP_MCE__MAX, 0, 0, T },
};

static void
test_transitions(void)
{
	size_t i;
	int s, e;

	for (i = 0; i < sizeof(trans) / sizeof(trans[0]); i++)
		is_str(sip_mcast_state_name(sip_mcast_next(trans[i].from,
		    trans[i].ev, trans[i].verified, trans[i].total)),
		    sip_mcast_state_name(trans[i].want), "%s + %s (%zu/%zu)",
		    sip_mcast_state_name(trans[i].from),
		    sip_mcast_event_name(trans[i].ev), trans[i].verified,
		    trans[i].total);
	/* A final state stays whatever comes. */
	for (s = SIP_MC_DONE; s < SIP_MC__MAX; s++)
		for (e = 0; e < SIP_MCE__MAX; e++)
			is_int(sip_mcast_next((enum sip_mcast_state)s,
			    (enum sip_mcast_event)e, 1, 1), s, "%s + %s stays",
			    sip_mcast_state_name((enum sip_mcast_state)s),
			    sip_mcast_event_name((enum sip_mcast_event)e));
	ok(!sip_mcast_final(P) && !sip_mcast_final(S) && !sip_mcast_final(F) &&
	    !sip_mcast_final(T), "preparing, saving, forming and transferring "
	    "are open");
	is_str(sip_mcast_state_name(SIP_MC__MAX), "?", "no name past the end");
	is_str(sip_member_state_name(SIP_MB__MAX), "?", "nor for members");
}

static const struct {
	const char		*name;
	enum sip_mcast_state	 session;
	int64_t			 started, ended;
	enum sip_state		 astate;
	const char		*message;
	int64_t			 joined, dropped, fallback;
	enum sip_member_state	 want;
} members[] = {
	{ "held for the master's save", S, 0, 0, SIP_ST_SCHEDULED, NULL, 0,
	    0, 0, SIP_MB_BOOTING },
	{ "pending, forming", F, 0, 0, SIP_ST_PENDING, NULL, 0, 0, 0,
	    SIP_MB_BOOTING },
	{ "booting, forming", F, 0, 0, SIP_ST_BOOTING, NULL, 0, 0, 0,
	    SIP_MB_BOOTING },
	{ "running, waiting", F, 0, 0, SIP_ST_RUNNING,
	    "multicast: waiting for session 1 on port 9000", 0, 0, 0,
	    SIP_MB_WAITING },
	{ "running, joined", T, 10, 0, SIP_ST_RUNNING,
	    "multicast: waiting for session 1 on port 9000", 11, 0, 0,
	    SIP_MB_RECEIVING },
	{ "running, writing", T, 10, 0, SIP_ST_RUNNING,
	    "restore: pc_1.sda1 to /dev/sda1 (1/2) with partclone.ext4", 0, 0,
	    0, SIP_MB_RECEIVING },
	{ "running, verifying", T, 10, 0, SIP_ST_RUNNING,
	    "restore: verifying /dev/sda1", 11, 0, 0, SIP_MB_VERIFYING },
	{ "done, verified", T, 10, 20, SIP_ST_DONE,
	    "verified: image pc_1 to /dev/sda", 11, 0, 0, SIP_MB_VERIFIED },
	{ "done, not read back", T, 10, 20, SIP_ST_DONE,
	    "restored: image pc_1 to /dev/sda", 11, 0, 0, SIP_MB_RESTORED },
	{ "done, no message", T, 10, 20, SIP_ST_DONE, NULL, 11, 0, 0,
	    SIP_MB_RESTORED },
	{ "failed", T, 10, 0, SIP_ST_FAILED, "multicast: part 2 expected",
	    11, 0, 0, SIP_MB_FAILED },
	{ "dropped, still running", T, 10, 0, SIP_ST_RUNNING,
	    "restore: pc_1.sda1", 11, 15, 0, SIP_MB_DROPPED },
	{ "dropped, then failed", T, 10, 0, SIP_ST_FAILED, "timeout", 11, 15,
	    0, SIP_MB_DROPPED },
	{ "never booted, stream sent", T, 10, 20, SIP_ST_PENDING, NULL, 0,
	    0, 0, SIP_MB_MISSED },
	{ "never booted, session partial", SIP_MC_PARTIAL, 10, 20,
	    SIP_ST_CANCELLED, NULL, 0, 0, 0, SIP_MB_MISSED },
	{ "waiting when the stream ended", T, 10, 20, SIP_ST_RUNNING,
	    "multicast: waiting for session 1 on port 9000", 0, 0, 0,
	    SIP_MB_MISSED },
	{ "never booted, session failed before a start", SIP_MC_FAILED, 0,
	    20, SIP_ST_CANCELLED, NULL, 0, 0, 0, SIP_MB_FAILED },
	{ "given a fallback", SIP_MC_PARTIAL, 10, 20, SIP_ST_CANCELLED, NULL,
	    0, 0, 7, SIP_MB_FALLBACK },
	{ "its action purged", T, 10, 0, SIP_ST__MAX, NULL, 11, 0, 0,
	    SIP_MB_FAILED },
};

static void
test_members(void)
{
	struct sip_mcast s;
	struct sip_mcast_member m;
	size_t i;

	for (i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		memset(&s, 0, sizeof(s));
		memset(&m, 0, sizeof(m));
		s.state = members[i].session;
		s.started_at = members[i].started;
		s.ended_at = members[i].ended;
		m.astate = members[i].astate;
		m.message = (char *)(uintptr_t)members[i].message;
		m.joined_at = members[i].joined;
		m.dropped_at = members[i].dropped;
		m.fallback_id = members[i].fallback;
		is_str(sip_member_state_name(sip_mcast_member_state(&s, &m)),
		    sip_member_state_name(members[i].want), "member: %s",
		    members[i].name);
	}
}

static void
test_header(void)
{
	char h[SIP_MCAST_HEADER];
	const char *sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495"
	    "991b7852b855";
	size_t i, len;
	int zeros = 1;

	sip_mcast_header(h, 12, 2, "pc-1_20261207.sda2", 123456789, sha);
	len = strlen(h);
	is_str(h, "se3-ipxe-mcast 1 12 2 pc-1_20261207.sda2 123456789 "
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	    "\n", "a part's header line");
	for (i = len; i < SIP_MCAST_HEADER; i++)
		zeros &= h[i] == '\0';
	ok(zeros, "NUL to 512 bytes");
	sip_mcast_header(h, 12, 0, NULL, 0, NULL);
	is_str(h, "se3-ipxe-mcast 1 12 0 end 0 -\n", "the trailer");
	/* The longest name and size fit in the block. */
	{
		char name[SIP_IMAGE_NAME_MAX];

		memset(name, 'a', sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		sip_mcast_header(h, INT64_MAX, 999, name, INT64_MAX, sha);
		ok(strlen(h) < SIP_MCAST_HEADER && h[strlen(h) - 1] == '\n',
		    "the longest header still ends its line inside the block "
		    "(%zu bytes)", strlen(h));
	}
}

/* The session's progress: the slowest machine still on its way. */
static void
test_slowest(void)
{
	static const struct {
		enum sip_member_state	 st;
		int			 progress;
	} m[] = {
		{ SIP_MB_VERIFIED, 100 }, { SIP_MB_FAILED, 3 },
		{ SIP_MB_RECEIVING, 40 }, { SIP_MB_VERIFYING, 90 },
		{ SIP_MB_DROPPED, 1 }, { SIP_MB_WAITING, -1 },
	};
	struct sip_mcast_member mb;
	size_t i;
	int p = -1;

	memset(&mb, 0, sizeof(mb));
	for (i = 0; i < 5; i++) {
		mb.mstate = m[i].st;
		mb.progress = m[i].progress;
		sip_mcast_slowest(&p, &mb);
	}
	is_int(p, 40, "slowest: the receiving 40%%, not the failed or dropped ones, nor the verified");
	mb.mstate = m[5].st;
	mb.progress = m[5].progress;
	sip_mcast_slowest(&p, &mb);
	is_int(p, 0, "slowest: a waiting machine with no progress yet is 0%%");
	p = -1;
	mb.mstate = SIP_MB_VERIFIED;
	sip_mcast_slowest(&p, &mb);
	is_int(p, -1, "slowest: none while no machine is on its way");
	ok(sip_member_ok(SIP_MB_VERIFIED) && sip_member_ok(SIP_MB_RESTORED) &&
	    !sip_member_ok(SIP_MB_FAILED) && !sip_member_ok(SIP_MB_VERIFYING),
	    "ended well: verified or restored only");
}

/*
 * The runner's lock, the one test of a live runner: a probe (the CLI's
 * and the console's cancel) and the tick's try-and-keep, against the lock
 * kept by this process or by another (a runner).
 */
static void
test_runner_lock(void)
{
	struct sip_config cfg;
	struct stat sb;
	char db[PATH_MAX], lock[PATH_MAX], want[PATH_MAX];
	int fd = -2, fd2 = -2, p[2], held;
	pid_t pid;
	char c;

	memset(&cfg, 0, sizeof(cfg));
	snprintf(db, sizeof(db), "%s/se3-ipxe.db", tmpdir);
	snprintf(want, sizeof(want), "%s/mcast-7.lock", tmpdir);
	cfg.db_path = db;
	sip_mcast_lock_path(&cfg, 7, lock, sizeof(lock));
	is_str(lock, want, "lock: beside the database");
	is_int(sip_mcast_runner_alive(&cfg, 7), 0, "lock: no file: no runner");
	is_int(sip_mcast_runner_lock(&cfg, 7, NULL), -1,
	    "lock: a probe cannot tell without the file, and makes none");
	ok(stat(lock, &sb) == -1, "... no file made");
	is_int(sip_mcast_runner_lock(&cfg, 7, &fd), 0,
	    "lock: try-and-keep: no runner, the lock taken");
	ok(fd >= 0 && stat(lock, &sb) == 0, "... kept (fd %d), the file made",
	    fd);
	is_int(sip_mcast_runner_alive(&cfg, 7), 1,
	    "lock: while kept, a probe sees it held");
	is_int(sip_mcast_runner_lock(&cfg, 7, &fd2), 1,
	    "lock: a second try-and-keep sees it held");
	is_int(fd2, -1, "... and keeps nothing");
	close(fd);
	is_int(sip_mcast_runner_alive(&cfg, 7), 0, "lock: closed, it is free");
	is_int(sip_mcast_runner_lock(&cfg, 7, NULL), 0,
	    "lock: a probe of the free lock: 0");

	/* Another process keeps it, as a runner does. */
	if (pipe(p) == -1 || (pid = fork()) == -1) {
		ok(0, "lock: pipe or fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		close(p[0]);
		held = sip_mcast_runner_lock(&cfg, 7, &fd);
		c = held == 0 ? 'k' : 'x';
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	ok(read(p[0], &c, 1) == 1 && c == 'k', "lock: another process keeps it");
	is_int(sip_mcast_runner_alive(&cfg, 7), 1, "... a probe sees its runner");
	is_int(sip_mcast_runner_lock(&cfg, 7, &fd), 1,
	    "... try-and-keep leaves it (the tick leaves the session)");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(p[0]);
	is_int(sip_mcast_runner_alive(&cfg, 7), 0,
	    "lock: that process gone, it is free");
	is_int(sip_mcast_runner_lock(&cfg, 7, &fd), 0,
	    "... try-and-keep takes it (the tick fails the session)");
	close(fd);
}

/* clone --sysprep's script: only values of their types get into it. */
static void
test_sysprep_script(void)
{
	static const char tok[] = "0123456789abcdef0123456789abcdef0123456789abcdef";
	static const char *const bad_url[] = {
		"https://srv/cgi-bin/ipxe.cgi/report",	/* not the type */
		"http://srv/cgi-bin/ipxe.cgi/report%26x",	/* cmd.exe's % */
		"http://srv/a\"b",
		"http://srv/a&b",
		"http://srv/a\r\nshutdown",
	};
	struct sip_buf b = { NULL, 0, 0, 0 };
	struct sip_err e = { "" };
	size_t i, cr = 0, lf = 0;

	ok(sip_sysprep_script("http://srv:8080/cgi-bin/ipxe.cgi/report", tok,
	    7, &b, &e) == SIP_OK, "sysprep script: made");
	for (i = 0; i < b.len; i++) {
		cr += b.data[i] == '\r';
		lf += b.data[i] == '\n';
		if (b.data[i] == '\n' && (i == 0 || b.data[i - 1] != '\r'))
			break;
	}
	ok(lf > 5 && cr == lf && i == b.len, "... every line ends CRLF (%zu)",
	    lf);
	ok(strstr(b.data, "set \"T=token=0123456789abcdef") != NULL &&
	    strstr(b.data, "rem se3-ipxe session 7:") != NULL,
	    "... the token and the session");
	sip_buf_free(&b);
	for (i = 0; i < sizeof(bad_url) / sizeof(bad_url[0]); i++) {
		ok(sip_sysprep_script(bad_url[i], tok, 7, &b, &e) ==
		    SIP_EINVAL && b.len == 0, "... refused: URL '%s'", bad_url[i]);
		sip_buf_free(&b);
	}
	ok(sip_sysprep_script("http://srv/r", "0123&shutdown", 7, &b, &e) ==
	    SIP_EINVAL && b.len == 0, "... refused: a token not of hex");
	sip_buf_free(&b);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_sysprep_script();
	test_transitions();
	test_members();
	test_header();
	test_slowest();
	test_runner_lock();
	tap_rmtree(tmpdir);
	return done_testing();
}
