/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reachability: TCP connects to many machines at once, non-blocking sockets in one poll loop. */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "extern.h"

/* Descriptors left to the rest of the process (database, LDAP, stdio). */
#define PROBE_FD_RESERVE	64

/* One machine being probed: its deadline covers all its ports. */
struct probing {
	size_t	 addr;		/* index in addrs[] */
	size_t	 port;		/* index in cfg->probe_ports of the try */
	int	 refused;	/* a port refused: the machine is up */
	int64_t	 deadline;	/* ms, CLOCK_MONOTONIC */
};

static int64_t
probe_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* How many sockets at once: [probe] parallel, within the descriptor limit. */
static size_t
probe_width(const struct sip_config *cfg, size_t n)
{
	struct rlimit rl;
	size_t w = (size_t)cfg->probe_parallel;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		if (rl.rlim_cur <= PROBE_FD_RESERVE + 1)
			w = 1;
		else if (w > rl.rlim_cur - PROBE_FD_RESERVE)
			w = (size_t)(rl.rlim_cur - PROBE_FD_RESERVE);
	}
	if (w > n)
		w = n;
	return w == 0 ? 1 : w;
}

enum sip_rc
sip_probe_allowed(const struct sip_config *cfg, const char *ip,
    uint32_t *addr, struct sip_err *err)
{
	uint32_t a, bcast;

	if (ip == NULL || sip_value_check(SIP_T_IPV4, ip) != SIP_OK ||
	    sip_ipv4_parse(ip, &a) != SIP_OK)
		return sip_errf(err, SIP_EINVAL, "not an IPv4 address: not "
		    "probed");
	if (addr != NULL)
		*addr = a;
	/* 127.0.0.0/8: the tests' machines, never past this host. */
	if ((a >> 24) == 127)
		return SIP_OK;
	if (sip_wol_broadcast(cfg->subnets, cfg->nsubnets, a, &bcast) ==
	    SIP_OK)
		return SIP_OK;
	if (cfg->nsubnets == 0)
		return sip_errf(err, SIP_EDENIED, "%s: [network] subnets is "
		    "empty: only loopback is probed", ip);
	return sip_errf(err, SIP_EDENIED, "%s is in none of the [network] "
	    "subnets: not probed", ip);
}

static void
probe_decide(struct sip_probe_result *out, const struct probing *pr,
    int port)
{
	out[pr->addr].up = port != 0 || pr->refused;
	out[pr->addr].port = port;
}

/*
 * Start pr's next port: *fd is the socket left waiting for an answer,
 * or -1 when the machine is decided already (open at once, refused on
 * every port left, no route).  SIP_EIO: no socket to be had.
 */
static enum sip_rc
probe_start(const struct sip_config *cfg, const struct in_addr *addrs,
    struct probing *pr, struct sip_probe_result *out, int *fd)
{
	struct sockaddr_in sin;
	int s;

	*fd = -1;
	for (; pr->port < cfg->nprobe_ports; pr->port++) {
		if ((s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0)) == -1)
			return SIP_EIO;
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)cfg->probe_ports[pr->port]);
		sin.sin_addr = addrs[pr->addr];
		if (connect(s, (struct sockaddr *)&sin, sizeof(sin)) == 0) {
			close(s);
			probe_decide(out, pr, cfg->probe_ports[pr->port]);
			return SIP_OK;
		}
		if (errno == EINPROGRESS) {
			*fd = s;
			return SIP_OK;
		}
		close(s);
		if (errno != ECONNREFUSED) {
			/* No route (unreachable, blackhole): no port does better. */
			probe_decide(out, pr, 0);
			return SIP_OK;
		}
		pr->refused = 1;
	}
	probe_decide(out, pr, 0);
	return SIP_OK;
}

enum sip_rc
sip_probe(const struct sip_config *cfg, const struct in_addr *addrs,
    size_t n, struct sip_probe_result *out, struct sip_err *err)
{
	struct pollfd *pfd = NULL;
	struct probing *pr = NULL;
	size_t width, nactive = 0, next = 0, i;
	int64_t now, wait_ms;
	socklen_t len;
	int fd, soerr, timeout;
	enum sip_rc rc = SIP_OK;

	for (i = 0; i < n; i++)
		out[i].up = out[i].port = 0;
	if (n == 0)
		return SIP_OK;
	if (cfg->nprobe_ports == 0)
		return sip_errf(err, SIP_ECONFIG, "probe: no [probe] ports");
	width = probe_width(cfg, n);
	if ((pfd = calloc(width, sizeof(*pfd))) == NULL ||
	    (pr = calloc(width, sizeof(*pr))) == NULL) {
		rc = sip_errf(err, SIP_ENOMEM, "probe: out of memory");
		goto out;
	}
	timeout = cfg->probe_timeout_ms;
	for (;;) {
		/* Refill: every free slot takes the next machine. */
		now = probe_now_ms();
		while (nactive < width && next < n) {
			pr[nactive].addr = next++;
			pr[nactive].port = 0;
			pr[nactive].refused = 0;
			pr[nactive].deadline = now + timeout;
			if (probe_start(cfg, addrs, &pr[nactive], out, &fd) !=
			    SIP_OK) {
				if (nactive > 0) {
					/* Out of descriptors: wait for some. */
					next--;
					break;
				}
				rc = sip_errf(err, SIP_EIO, "probe: TCP "
				    "socket: %s", strerror(errno));
				goto out;
			}
			if (fd == -1)
				continue;
			pfd[nactive].fd = fd;
			pfd[nactive].events = POLLOUT;
			pfd[nactive].revents = 0;
			nactive++;
		}
		if (nactive == 0 && next == n)
			break;
		wait_ms = pr[0].deadline - now;
		for (i = 1; i < nactive; i++)
			if (pr[i].deadline - now < wait_ms)
				wait_ms = pr[i].deadline - now;
		if (wait_ms < 0)
			wait_ms = 0;
		if (poll(pfd, nactive, (int)wait_ms) == -1 && errno != EINTR) {
			rc = sip_errf(err, SIP_EIO, "probe: poll: %s",
			    strerror(errno));
			goto out;
		}
		now = probe_now_ms();
		for (i = 0; i < nactive; ) {
			fd = pfd[i].fd;
			if (pfd[i].revents != 0) {
				soerr = 0;
				len = sizeof(soerr);
				if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr,
				    &len) == -1)
					soerr = errno;
				close(fd);
				fd = -1;
				if (soerr == 0)
					probe_decide(out, &pr[i],
					    cfg->probe_ports[pr[i].port]);
				else if (soerr == ECONNREFUSED &&
				    now < pr[i].deadline) {
					pr[i].refused = 1;
					pr[i].port++;
					if (probe_start(cfg, addrs, &pr[i], out,
					    &fd) != SIP_OK)
						/* Up, port unknown: say so. */
						probe_decide(out, &pr[i], 0);
				} else {
					if (soerr == ECONNREFUSED)
						pr[i].refused = 1;
					probe_decide(out, &pr[i], 0);
				}
			} else if (now >= pr[i].deadline) {
				close(fd);
				fd = -1;
				probe_decide(out, &pr[i], 0);
			}
			if (fd != -1) {
				pfd[i].fd = fd;
				pfd[i].revents = 0;
				i++;
				continue;
			}
			/* Decided: the last slot takes its place. */
			nactive--;
			pfd[i] = pfd[nactive];
			pr[i] = pr[nactive];
		}
	}
 out:
	for (i = 0; i < nactive; i++)
		close(pfd[i].fd);
	free(pr);
	free(pfd);
	return rc;
}
