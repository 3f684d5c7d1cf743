/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Who is logged on where: the sessions SE3's Samba lists (smbstatus -b), read and parsed as untrusted text. */
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

/* The characters a login keeps; any other byte becomes '?'. */
#define LOGIN_CHARS \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-$\\@"

/* The text of line [p, end): its length without CR/LF. */
static size_t
line_len(const char *p, const char *end, const char **next)
{
	const char *nl;
	size_t n;

	if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
		n = (size_t)(end - p);
		*next = end;
	} else {
		n = (size_t)(nl - p);
		*next = nl + 1;
	}
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return n;
}

static int
is_blank_line(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return 0;
	return 1;
}

/* The line of dashes under smbstatus's header. */
static int
is_rule(const char *p, size_t n)
{
	size_t i;

	if (n < 10)
		return 0;
	for (i = 0; i < n; i++)
		if (p[i] != '-')
			return 0;
	return 1;
}

/* A dotted quad at p (at most n bytes), as SIP_T_IPV4 reads it; its length or 0. */
static size_t
ipv4_at(const char *p, size_t n, char ip[16])
{
	size_t len = 0;
	uint32_t v;

	while (len < n && len < 15 && (p[len] == '.' ||
	    (p[len] >= '0' && p[len] <= '9')))
		len++;
	if (len < 7 || (len < n && (p[len] == '.' ||
	    (p[len] >= '0' && p[len] <= '9'))))
		return 0;
	memcpy(ip, p, len);
	ip[len] = '\0';
	if (sip_ipv4_parse(ip, &v) != SIP_OK) {
		ip[0] = '\0';
		return 0;
	}
	return len;
}

/* Does [p, p+n) start with s? */
static int
starts(const char *p, size_t n, const char *s)
{
	size_t k = strlen(s);

	return n >= k && memcmp(p, s, k) == 0;
}

/*
 * The client's IPv4 address on a session line.  Samba 4 writes the
 * machine as "NAME (ipv4:A.B.C.D:PORT)" (or ipv6:, with ::ffff:A.B.C.D
 * for a mapped IPv4), NAME being the client's NetBIOS name or its bare
 * address; Samba 3 (SE3's) wrote "NAME (A.B.C.D)".  The first of those
 * after the login wins; none: "" (an IPv6 client, or a name alone).
 */
static void
session_ip(const char *p, size_t n, char ip[16])
{
	size_t i, k;

	ip[0] = '\0';
	for (i = 0; i < n; i++) {
		if (p[i] != '(')
			continue;
		k = i + 1;
		if (starts(p + k, n - k, "ipv4:"))
			k += 5;
		else if (starts(p + k, n - k, "ipv6:::ffff:"))
			k += 12;
		else if (starts(p + k, n - k, "::ffff:"))
			k += 7;
		if (ipv4_at(p + k, n - k, ip) != 0)
			return;
	}
	/* A bare address as the machine, with no parenthesis after it. */
	for (i = 0; i < n; i++)
		if ((i == 0 || p[i - 1] == ' ' || p[i - 1] == '\t') &&
		    (k = ipv4_at(p + i, n - i, ip)) != 0 &&
		    (i + k == n || p[i + k] == ' ' || p[i + k] == '\t'))
			return;
	ip[0] = '\0';
}

/* One session line: "PID USER GROUP MACHINE ...". */
static enum sip_rc
session_line(const char *p, size_t n, struct sip_session *s, int lineno,
    struct sip_err *err)
{
	size_t i = 0, j, k;

	memset(s, 0, sizeof(*s));
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	/* The PID: digits, or a cluster's NODE:PID. */
	for (j = i; j < n && ((p[j] >= '0' && p[j] <= '9') || p[j] == ':');
	    j++)
		continue;
	if (j == i || j == n || (p[j] != ' ' && p[j] != '\t'))
		return sip_errf(err, SIP_EINVAL, "smbstatus: line %d: no "
		    "process id first: not a session line", lineno);
	while (j < n && (p[j] == ' ' || p[j] == '\t'))
		j++;
	if (starts(p + j, n - j, "(auth in progress)"))
		k = j + strlen("(auth in progress)");
	else
		for (k = j; k < n && p[k] != ' ' && p[k] != '\t'; k++)
			continue;
	if (k == j)
		return sip_errf(err, SIP_EINVAL, "smbstatus: line %d: no "
		    "user name", lineno);
	for (i = 0; i < k - j && i < sizeof(s->login) - 1; i++)
		s->login[i] = strchr(LOGIN_CHARS, p[j + i]) != NULL &&
		    p[j + i] != '\0' ? p[j + i] : '?';
	s->login[i] = '\0';
	session_ip(p + k, n - k, s->ip);
	return SIP_OK;
}

enum sip_rc
sip_smbstatus_parse(const char *text, size_t len, struct sip_session **out,
    size_t *nout, struct sip_err *err)
{
	struct sip_session *v = NULL, *nv;
	const char *p, *end, *next;
	size_t n, cap = 0, cnt = 0;
	int lineno = 0, in_sessions = 0;
	enum sip_rc rc;

	*out = NULL;
	*nout = 0;
	if (len > SIP_SESSIONS_OUTPUT_MAX)
		return sip_errf(err, SIP_EINVAL, "smbstatus: more than %d "
		    "bytes of output", SIP_SESSIONS_OUTPUT_MAX);
	if (memchr(text, '\0', len) != NULL)
		return sip_errf(err, SIP_EINVAL, "smbstatus: a NUL byte in "
		    "its output: not smbstatus -b");
	for (p = text, end = text + len; p < end; p = next) {
		lineno++;
		n = line_len(p, end, &next);
		if (!in_sessions) {
			/* Before the rule: the version and the header. */
			if (is_rule(p, n))
				in_sessions = 1;
			continue;
		}
		/* -b lists sessions alone; a blank line ends them. */
		if (is_blank_line(p, n))
			break;
		if (cnt == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				free(v);
				return sip_errf(err, SIP_ENOMEM,
				    "out of memory");
			}
			v = nv;
		}
		if ((rc = session_line(p, n, &v[cnt], lineno, err)) !=
		    SIP_OK) {
			free(v);
			return rc;
		}
		cnt++;
	}
	if (!in_sessions) {
		free(v);
		return sip_errf(err, SIP_EINVAL, "smbstatus: no header "
		    "(PID Username ... and a line of dashes): not the "
		    "output of smbstatus -b");
	}
	*out = v;
	*nout = cnt;
	return SIP_OK;
}

enum sip_rc
sip_sessions_read(const struct sip_config *cfg, struct sip_session **out,
    size_t *nout, struct sip_err *err)
{
	char *argv[3];
	struct sip_job job;
	enum sip_rc rc;
	char buf[64];
	size_t i;

	*out = NULL;
	*nout = 0;
	if (cfg->sessions_source == SIP_SESSIONS_NONE)
		return sip_errf(err, SIP_ECONFIG, "no session source: "
		    "[sessions] source = none");
	memset(&job, 0, sizeof(job));
	argv[0] = cfg->sessions_smbstatus;
	argv[1] = (char *)(uintptr_t)"-b";
	argv[2] = NULL;
	job.argv = argv;
	job.merge_stderr = 0;
	if ((rc = sip_run_jobs(&job, 1, 1, cfg->sessions_timeout * 1000,
	    SIP_SESSIONS_OUTPUT_MAX + 1, err)) != SIP_OK)
		return rc;
	if (job.start_errno != 0)
		rc = sip_errf(err, SIP_EIO, "%s: cannot run it: %s",
		    cfg->sessions_smbstatus, strerror(job.start_errno));
	else if (job.timed_out)
		rc = sip_errf(err, SIP_EIO, "%s -b: no answer within "
		    "[sessions] timeout (%d s): killed",
		    cfg->sessions_smbstatus, cfg->sessions_timeout);
	else if (job.signal != 0)
		rc = sip_errf(err, SIP_EIO, "%s -b: killed by signal %d",
		    cfg->sessions_smbstatus, job.signal);
	else if (job.status != 0) {
		/* Its first line says why (smbstatus only works as root!). */
		buf[0] = '\0';
		if (job.out != NULL) {
			for (i = 0; i < job.outlen && i < sizeof(buf) - 1 &&
			    job.out[i] != '\n'; i++)
				buf[i] = (unsigned char)job.out[i] < 0x20 ||
				    (unsigned char)job.out[i] >= 0x7f ? '?' :
				    job.out[i];
			buf[i] = '\0';
		}
		rc = sip_errf(err, SIP_EIO, "%s -b: exit status %d%s%s",
		    cfg->sessions_smbstatus, job.status,
		    buf[0] != '\0' ? ": " : "", buf);
	} else if (job.truncated)
		rc = sip_errf(err, SIP_EIO, "%s -b: more than %d bytes of "
		    "output", cfg->sessions_smbstatus,
		    SIP_SESSIONS_OUTPUT_MAX);
	else
		rc = sip_smbstatus_parse(job.out != NULL ? job.out : "",
		    job.outlen, out, nout, err);
	sip_jobs_free(&job, 1);
	return rc;
}

void
sip_sessions_free(struct sip_session *s)
{
	free(s);
}
