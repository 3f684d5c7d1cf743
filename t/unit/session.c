/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Table vectors for the smbstatus -b parser (Samba 3 and 4 layouts, hostile lines), the runner of outside commands (exit, timeout, bounds) and sip_sessions_read with a stand-in. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <time.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

#define HDR4 "\nSamba version 4.17.12-Debian\n" \
	"PID     Username     Group        Machine                                   Protocol Version  Encryption           Signing              \n" \
	"----------------------------------------------------------------------------------------------------------------------------------------\n"
#define HDR3 "\nSamba version 3.5.6\n" \
	"PID     Username      Group         Machine                        \n" \
	"-------------------------------------------------------------------\n"

static const struct {
	const char	*text;
	const char	*want;	/* "login ip;..." or NULL: refused */
	const char	*err;	/* the refusal, when want is NULL */
} vectors[] = {
	{ HDR4, "", NULL },
	{ HDR4 "\n", "", NULL },
	{ HDR4 "12345   prof1        domain users 10.1.0.23 (ipv4:10.1.0.23:49712)       SMB3_11           -                    partial(AES-128-CMAC)\n",
	    "prof1 10.1.0.23;", NULL },
	{ HDR4 "12346   eleve2       eleves       pc-0042 (ipv4:10.1.0.42:50112)         SMB3_11           -                    partial(AES-128-CMAC)\n"
	    "12347   prof1        profs        10.1.0.43 (ipv4:10.1.0.43:50113)         SMB3_11           -                    -\n",
	    "eleve2 10.1.0.42;prof1 10.1.0.43;", NULL },
	/* Sessions end at the blank line: a share list after is not read. */
	{ HDR4 "1  a  g  h (ipv4:10.0.0.1:1)  SMB3_11 - -\n\nService pid Machine\n---------------\nx 1 10.9.9.9\n",
	    "a 10.0.0.1;", NULL },
	{ HDR4 "\r\n", "", NULL },
	{ HDR4 "1  a  g  h (ipv4:10.0.0.1:1)  SMB3_11 - -\r\n", "a 10.0.0.1;", NULL },
	/* A mapped IPv4 client over IPv6, an IPv6 one (no address kept). */
	{ HDR4 "2  b  g  h (ipv6:::ffff:10.0.0.2:445)  SMB3_11 - -\n", "b 10.0.0.2;", NULL },
	{ HDR4 "3  c  g  fe80::1 (ipv6:[fe80::1]:5000)  SMB3_11 - -\n", "c ;", NULL },
	/* Not authenticated yet: a session all the same. */
	{ HDR4 "7777    (auth in progress) 10.1.0.5 (ipv4:10.1.0.5:445)    SMB3_11   -   -\n",
	    "?auth?in?progress? 10.1.0.5;", NULL },
	/* A cluster's NODE:PID, a domain login. */
	{ HDR4 "0:1234  DOM\\jdoe  -1  pc (ipv4:10.0.0.9:1)  SMB2_10 - -\n", "DOM\\jdoe 10.0.0.9;", NULL },
	/* Samba 3 (SE3's): NAME (A.B.C.D), mapped too. */
	{ HDR3 " 4021     admin         admins        xp-01        (10.1.0.7)\n"
	    " 4188     prof1         profs         pc-12        (::ffff:10.1.0.12)\n",
	    "admin 10.1.0.7;prof1 10.1.0.12;", NULL },
	/* A bare address as the machine, nothing after it. */
	{ HDR3 "5  d  g  10.2.0.4\n", "d 10.2.0.4;", NULL },
	/* A name alone: no address. */
	{ HDR3 "6  e  g  pc-07\n", "e ;", NULL },
	/* Hostile bytes in a login are not passed on. */
	{ HDR4 "8  a;rm${IFS}-rf  g  h (ipv4:10.0.0.8:1) SMB3_11 - -\n", "a?rm$?IFS?-rf 10.0.0.8;", NULL },
	{ HDR4 "9  \xc3\xa9l\xe8ve  g  h (ipv4:10.0.0.9:1) SMB3_11 - -\n", "??l?ve 10.0.0.9;", NULL },
	/* Not an address: 10.0.0.256, 10.0.0.1.5, 010.0.0.1. */
	{ HDR4 "10  f  g  h (ipv4:10.0.0.256:1) SMB3_11 - -\n", "f ;", NULL },
	{ HDR4 "11  f  g  h (ipv4:10.0.0.1.5:1) SMB3_11 - -\n", "f ;", NULL },
	{ HDR4 "12  f  g  h (ipv4:010.0.0.1:1) SMB3_11 - -\n", "f ;", NULL },
	/* Refused: what is not smbstatus -b. */
	{ "", NULL, "smbstatus: no header (PID Username ... and a line of dashes): not the output of smbstatus -b" },
	{ "smbstatus only works as root!\n", NULL,
	    "smbstatus: no header (PID Username ... and a line of dashes): not the output of smbstatus -b" },
	{ HDR4 "foo bar baz\n", NULL, "smbstatus: line 5: no process id first: not a session line" },
	{ HDR4 "123\n", NULL, "smbstatus: line 5: no process id first: not a session line" },
	{ HDR4 "123   \n", NULL, "smbstatus: line 5: no user name" },
	{ HDR4 "123x a g h\n", NULL, "smbstatus: line 5: no process id first: not a session line" },
};

static void
test_vectors(void)
{
	struct sip_session *s;
	struct sip_err e;
	char got[1024];
	size_t n, i, k;
	enum sip_rc rc;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		e.msg[0] = '\0';
		rc = sip_smbstatus_parse(vectors[i].text,
		    strlen(vectors[i].text), &s, &n, &e);
		if (vectors[i].want == NULL) {
			ok(rc == SIP_EINVAL && s == NULL && n == 0,
			    "vector %zu refused", i);
			is_str(e.msg, vectors[i].err, "vector %zu: message", i);
			continue;
		}
		if (!is_int(rc, SIP_OK, "vector %zu parsed: %s", i, e.msg))
			continue;
		got[0] = '\0';
		for (k = 0; k < n; k++) {
			sip_append(got, sizeof(got), s[k].login);
			sip_append(got, sizeof(got), " ");
			sip_append(got, sizeof(got), s[k].ip);
			sip_append(got, sizeof(got), ";");
		}
		is_str(got, vectors[i].want, "vector %zu: sessions", i);
		sip_sessions_free(s);
	}
	/* A NUL byte, and too much output. */
	rc = sip_smbstatus_parse(HDR4 "1 a\0", sizeof(HDR4 "1 a"), &s, &n, &e);
	ok(rc == SIP_EINVAL && strstr(e.msg, "NUL") != NULL, "a NUL byte: refused");
	rc = sip_smbstatus_parse(HDR4, SIP_SESSIONS_OUTPUT_MAX + 1, &s, &n, &e);
	ok(rc == SIP_EINVAL && strstr(e.msg, "bytes of output") != NULL,
	    "more than %d bytes: refused", SIP_SESSIONS_OUTPUT_MAX);
}

static int64_t
ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sh_job(struct sip_job *j, char **argv, const char *script)
{
	memset(j, 0, sizeof(*j));
	argv[0] = UNCONST("/bin/sh");
	argv[1] = UNCONST("-c");
	argv[2] = UNCONST(script);
	argv[3] = NULL;
	j->argv = argv;
	j->merge_stderr = 1;
}

static void
test_run(void)
{
	struct sip_job j[4];
	char *argv[4][4];
	struct sip_err e = { "" };
	int64_t t0, dt;
	enum sip_rc rc;

	sh_job(&j[0], argv[0], "echo out; echo err >&2; exit 3");
	sh_job(&j[1], argv[1], "read x; echo \"stdin: [$x]\"");
	sh_job(&j[2], argv[2], "sleep 10 & sleep 10; echo never");
	sh_job(&j[3], argv[3], "yes 0123456789");
	t0 = ms();
	rc = sip_run_jobs(j, 4, 4, 500, 1000, &e);
	dt = ms() - t0;
	is_int(rc, SIP_OK, "four jobs run");
	ok(j[0].status == 3 && j[0].out != NULL &&
	    strcmp(j[0].out, "out\nerr\n") == 0,
	    "exit status and output (stderr merged)");
	ok(j[1].status == 0 && j[1].out != NULL &&
	    strcmp(j[1].out, "stdin: []\n") == 0, "stdin is /dev/null");
	ok(j[2].timed_out && j[2].status == -1 &&
	    j[2].out == NULL, "a job that hangs is killed at the deadline");
	ok(j[3].truncated && j[3].outlen == 1000,
	    "output bounded: %zu bytes kept of an endless stream", j[3].outlen);
	ok(dt >= 500 && dt < 5000, "the deadline: %lld ms for 500",
	    (long long)dt);
	sip_jobs_free(j, 4);

	/* At most two at once: four jobs of 300 ms take two rounds. */
	sh_job(&j[0], argv[0], "sleep 0.3");
	sh_job(&j[1], argv[1], "sleep 0.3");
	sh_job(&j[2], argv[2], "sleep 0.3");
	sh_job(&j[3], argv[3], "sleep 0.3");
	t0 = ms();
	rc = sip_run_jobs(j, 4, 2, 5000, 1000, &e);
	dt = ms() - t0;
	ok(rc == SIP_OK && j[0].status == 0 && j[3].status == 0 &&
	    dt >= 600, "parallel = 2: four jobs of 300 ms in %lld ms (>= 600)",
	    (long long)dt);
	sip_jobs_free(j, 4);

	/* What the command inherits: 0, 1 and 2, nothing of ours. */
	{
		int leak = open("/dev/null", O_RDONLY);	/* no O_CLOEXEC */
		char want[64];

		memset(&j[0], 0, sizeof(j[0]));
		argv[0][0] = UNCONST("/bin/ls");
		argv[0][1] = UNCONST("/proc/self/fd");
		argv[0][2] = NULL;
		j[0].argv = argv[0];
		rc = sip_run_jobs(j, 1, 1, 5000, 1000, &e);
		/* ls reads the directory on the lowest free descriptor, 3. */
		snprintf(want, sizeof(want), "0\n1\n2\n3\n");
		ok(leak > 2 && rc == SIP_OK && j[0].status == 0 &&
		    j[0].out != NULL && strcmp(j[0].out, want) == 0,
		    "the command inherits stdin, stdout, stderr only "
		    "(descriptor %d of ours not), got [%s]", leak,
		    j[0].out != NULL ? j[0].out : "");
		sip_jobs_free(j, 1);
		if (leak != -1)
			close(leak);
	}

	/* No such program: said, not run. */
	memset(&j[0], 0, sizeof(j[0]));
	argv[0][0] = UNCONST("/nonexistent/smbstatus");
	argv[0][1] = NULL;
	j[0].argv = argv[0];
	rc = sip_run_jobs(j, 1, 1, 500, 1000, &e);
	ok(rc == SIP_OK && j[0].start_errno == ENOENT && j[0].status == -1,
	    "a program that does not exist: start_errno ENOENT");
	sip_jobs_free(j, 1);
}

static const char *
stand_in(const char *dir, const char *name, const char *body)
{
	static char path[4][512];
	static int k;
	FILE *f;
	char *p = path[k++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	if ((f = fopen(p, "w")) == NULL)
		return p;
	fprintf(f, "#!/bin/sh\n%s", body);
	fclose(f);
	chmod(p, 0755);
	return p;
}

static void
test_read(void)
{
	struct sip_config cfg;
	struct sip_session *s;
	struct sip_err e;
	char dir[] = "/tmp/se3-ipxe-session.XXXXXX";
	size_t n;
	enum sip_rc rc;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	sip_config_defaults(&cfg);
	cfg.sessions_timeout = 1;

	free(cfg.sessions_smbstatus);
	cfg.sessions_smbstatus = sip_strdup(stand_in(dir, "ok",
	    "[ \"$1\" = -b ] || exit 9\ncat <<'E'\n" HDR4
	    "12345   prof1        profs        pc (ipv4:10.1.0.23:49712) SMB3_11 - -\nE\n"));
	rc = sip_sessions_read(&cfg, &s, &n, &e);
	ok(rc == SIP_OK && n == 1 && strcmp(s[0].ip, "10.1.0.23") == 0 &&
	    strcmp(s[0].login, "prof1") == 0, "smbstatus -b read: %s", e.msg);
	if (rc == SIP_OK)
		sip_sessions_free(s);

	free(cfg.sessions_smbstatus);
	cfg.sessions_smbstatus = sip_strdup(stand_in(dir, "root",
	    "echo 'smbstatus only works as root!'; exit 1\n"));
	rc = sip_sessions_read(&cfg, &s, &n, &e);
	ok(rc == SIP_EIO && strstr(e.msg, "exit status 1: smbstatus only "
	    "works as root!") != NULL, "exit status: %s", e.msg);

	free(cfg.sessions_smbstatus);
	cfg.sessions_smbstatus = sip_strdup(stand_in(dir, "hang",
	    "sleep 30\n"));
	rc = sip_sessions_read(&cfg, &s, &n, &e);
	ok(rc == SIP_EIO && strstr(e.msg, "no answer within [sessions] "
	    "timeout (1 s): killed") != NULL, "a hang: %s", e.msg);

	free(cfg.sessions_smbstatus);
	cfg.sessions_smbstatus = sip_strdup(stand_in(dir, "junk",
	    "echo hello\n"));
	rc = sip_sessions_read(&cfg, &s, &n, &e);
	ok(rc == SIP_EINVAL && strstr(e.msg, "no header") != NULL,
	    "output not understood: %s", e.msg);

	free(cfg.sessions_smbstatus);
	cfg.sessions_smbstatus = sip_strdup("/nonexistent/smbstatus");
	rc = sip_sessions_read(&cfg, &s, &n, &e);
	is_str(e.msg, "/nonexistent/smbstatus: cannot run it: No such file "
	    "or directory", "no such program: named");

	cfg.sessions_source = SIP_SESSIONS_NONE;
	rc = sip_sessions_read(&cfg, &s, &n, &e);
	ok(rc == SIP_ECONFIG && strstr(e.msg, "source = none") != NULL,
	    "source = none: every lookup fails");
	sip_config_free(&cfg);
	tap_rmtree(dir);
}

static const struct {
	const char	*text;
	const char	*err;
} configs[] = {
	{ "[sessions]\nsource = none\nsmbstatus = /opt/samba/bin/smbstatus\ntimeout = 60\n", NULL },
	{ "[sessions]\nsource = who\n",
	    "t.conf:2: [sessions] source: 'who' is not smbstatus or none" },
	{ "[sessions]\nsmbstatus = smbstatus\n",
	    "t.conf:2: [sessions] smbstatus: 'smbstatus' is not an absolute path made of safe characters" },
	{ "[sessions]\ntimeout = 0\n",
	    "t.conf:2: [sessions] timeout: 0 is out of range 1..60" },
	{ "[reboot]\nstrict_host_key_checking = maybe\n",
	    "t.conf:2: [reboot] strict_host_key_checking: 'maybe' is not yes, accept-new or no" },
	{ "[reboot]\nssh_user = root reboot\n",
	    "t.conf:2: [reboot] ssh_user: 'root reboot' is not a login ([A-Za-z0-9._-], 1 to 64)" },
	{ "[reboot]\nssh_user = r\xc3\xb6\n",
	    "t.conf:2: [reboot] ssh_user: 'r\xc3\xb6' is not a login ([A-Za-z0-9._-], 1 to 64)" },
	{ "[reboot]\nmessage = \"\"\n",
	    "t.conf:2: [reboot] message: not 1 to 255 printable ASCII characters" },
	{ "[reboot]\nwindows_port = 22\n",
	    "t.conf:2: [reboot] windows_port and linux_port are both 22: the port that answers must tell them apart" },
	{ "[reboot]\ndelay = 601\n",
	    "t.conf:2: [reboot] delay: 601 is out of range 0..600" },
	{ "[reboot]\nnet = net\n",
	    "t.conf:2: [reboot] net: 'net' is not an absolute path made of safe characters" },
};

static void
test_config(void)
{
	struct sip_config cfg;
	struct sip_err e;
	size_t i;
	enum sip_rc rc;

	sip_config_defaults(&cfg);
	ok(strcmp(cfg.reboot_net, "/usr/bin/net") == 0 &&
	    strcmp(cfg.reboot_ssh_user, "root") == 0 &&
	    cfg.reboot_net_auth_file[0] == '\0' &&
	    cfg.reboot_windows_port == 445 && cfg.reboot_linux_port == 22 &&
	    cfg.reboot_timeout == 30 && cfg.reboot_parallel == 16,
	    "[reboot] defaults: SE3's ports, root, no credentials");
	ok(cfg.sessions_source == SIP_SESSIONS_SMBSTATUS &&
	    strcmp(cfg.sessions_smbstatus, "/usr/bin/smbstatus") == 0 &&
	    cfg.sessions_timeout == 10, "defaults: smbstatus, 10 s");
	sip_config_free(&cfg);
	for (i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
		e.msg[0] = '\0';
		sip_config_defaults(&cfg);
		rc = sip_config_parse(&cfg, "t.conf", configs[i].text,
		    strlen(configs[i].text), &e);
		if (configs[i].err == NULL)
			ok(rc == SIP_OK && cfg.sessions_source ==
			    SIP_SESSIONS_NONE && cfg.sessions_timeout == 60 &&
			    strcmp(cfg.sessions_smbstatus,
			    "/opt/samba/bin/smbstatus") == 0,
			    "config %zu accepted: %s", i, e.msg);
		else
			is_str(e.msg, configs[i].err, "config %zu refused", i);
		sip_config_free(&cfg);
	}
}

int
main(void)
{
	test_vectors();
	test_run();
	test_read();
	test_config();
	return done_testing();
}
