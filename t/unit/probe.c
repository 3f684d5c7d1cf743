/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The reachability probe against listeners this test opens on 127.0.0.x: open, refused, silent (a full backlog), the order of ports, the bound on sockets, and [probe] config. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <time.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

static int
listener(const char *ip, int port, int backlog)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd, on = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &sin.sin_addr);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, backlog) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
port_of(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
		return -1;
	return ntohs(sin.sin_port);
}

/* A client connection that completes into a listener's queue, never accepted. */
static int
filler(const char *ip, int port)
{
	struct sockaddr_in sin;
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &sin.sin_addr);
	(void)connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	return fd;
}

static int64_t
ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
addr(struct in_addr *a, const char *ip)
{
	inet_pton(AF_INET, ip, a);
}

static const struct {
	const char	*text;
	const char	*err;	/* NULL: accepted */
	size_t		 nports;
	int		 p0, p1, timeout;
} configs[] = {
	{ "", NULL, 2, 445, 22, 500 },
	{ "[probe]\nports = 22\ntimeout = 200\n", NULL, 1, 22, 0, 200 },
	{ "[probe]\nports = 22, 445 3389\n", NULL, 3, 22, 445, 500 },
	{ "[probe]\nports =\n",
	    "t.conf:2: [probe] ports: empty: at least one TCP port", 0, 0, 0, 0 },
	{ "[probe]\nports = 0\n",
	    "t.conf:2: [probe] ports: '0' is not a TCP port (1..65535)",
	    0, 0, 0, 0 },
	{ "[probe]\nports = 65536\n",
	    "t.conf:2: [probe] ports: '65536' is not a TCP port (1..65535)",
	    0, 0, 0, 0 },
	{ "[probe]\nports = 022\n",
	    "t.conf:2: [probe] ports: '022' is not a TCP port (1..65535)",
	    0, 0, 0, 0 },
	{ "[probe]\nports = ssh\n",
	    "t.conf:2: [probe] ports: 'ssh' is not a TCP port (1..65535)",
	    0, 0, 0, 0 },
	{ "[probe]\nports = 22 445 22\n",
	    "t.conf:2: [probe] ports: port 22 is listed twice", 0, 0, 0, 0 },
	{ "[probe]\nports = 1 2 3 4 5 6 7 8 9\n",
	    "t.conf:2: [probe] ports: more than 8 ports", 0, 0, 0, 0 },
	{ "[probe]\ntimeout = 5\n",
	    "t.conf:2: [probe] timeout: 5 is out of range 10..10000",
	    0, 0, 0, 0 },
	{ "[probe]\ntimeout = 10001\n",
	    "t.conf:2: [probe] timeout: 10001 is out of range 10..10000",
	    0, 0, 0, 0 },
	{ "[probe]\nparallel = 0\n",
	    "t.conf:2: [probe] parallel: 0 is out of range 1..65536",
	    0, 0, 0, 0 },
};

static void
test_config(void)
{
	struct sip_config cfg;
	struct sip_err e;
	size_t i;
	enum sip_rc rc;

	for (i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
		e.msg[0] = '\0';
		sip_config_defaults(&cfg);
		rc = sip_config_parse(&cfg, "t.conf", configs[i].text,
		    strlen(configs[i].text), &e);
		if (configs[i].err != NULL) {
			is_int(rc, SIP_ECONFIG, "config %zu refused", i);
			is_str(e.msg, configs[i].err, "config %zu: message", i);
		} else {
			is_int(rc, SIP_OK, "config %zu accepted: %s", i, e.msg);
			is_int(cfg.nprobe_ports, configs[i].nports,
			    "config %zu: port count", i);
			is_int(cfg.probe_ports[0], configs[i].p0,
			    "config %zu: first port", i);
			if (configs[i].nports > 1)
				is_int(cfg.probe_ports[1], configs[i].p1,
				    "config %zu: second port", i);
			is_int(cfg.probe_timeout_ms, configs[i].timeout,
			    "config %zu: timeout", i);
		}
		sip_config_free(&cfg);
	}
}

/* Which addresses a reboot may probe: loopback, or inside [network] subnets. */
static const struct {
	const char	*subnets;	/* [network] subnets, "" none */
	const char	*ip;
	enum sip_rc	 rc;
	const char	*msg;		/* NULL: any */
} allowed[] = {
	{ "10.99.0.0/24", "10.99.0.11", SIP_OK, "" },
	{ "10.99.0.0/24 172.16.0.0/12", "172.31.255.254", SIP_OK, "" },
	{ "10.99.0.0/24", "10.99.1.11", SIP_EDENIED,
	    "10.99.1.11 is in none of the [network] subnets: not probed" },
	{ "10.99.0.0/24", "10.1.0.4", SIP_EDENIED,
	    "10.1.0.4 is in none of the [network] subnets: not probed" },
	{ "", "10.1.0.4", SIP_EDENIED,
	    "10.1.0.4: [network] subnets is empty: only loopback is probed" },
	{ "", "8.8.8.8", SIP_EDENIED, NULL },
	{ "", "127.0.0.1", SIP_OK, "" },
	{ "10.99.0.0/24", "127.1.0.77", SIP_OK, "" },
	{ "", "127.255.255.255", SIP_OK, "" },
	{ "", "128.0.0.1", SIP_EDENIED, NULL },
	{ "0.0.0.0/0", "192.0.2.7", SIP_OK, "" },
	{ "10.99.0.0/24", "10.99.0.0/24", SIP_EINVAL,
	    "not an IPv4 address: not probed" },
	{ "10.99.0.0/24", "", SIP_EINVAL, NULL },
	{ "10.99.0.0/24", "10.99.0.011", SIP_EINVAL, NULL },
	{ "10.99.0.0/24", "10.99.0.11 ", SIP_EINVAL, NULL },
	{ "10.99.0.0/24", " 10.99.0.11", SIP_EINVAL, NULL },
	{ "10.99.0.0/24", "10.99.0.11\n10.1.0.4", SIP_EINVAL, NULL },
	{ "10.99.0.0/24", "10.99.0.256", SIP_EINVAL, NULL },
	{ "10.99.0.0/24", "0x0a.99.0.11", SIP_EINVAL, NULL },
	{ "10.99.0.0/24", "167969547", SIP_EINVAL, NULL },
	{ "10.99.0.0/24", "10.99.11", SIP_EINVAL, NULL },
	{ "10.99.0.0/24", "localhost", SIP_EINVAL, NULL },
	{ "10.99.0.0/24", "::1", SIP_EINVAL, NULL },
	{ "10.99.0.0/24", "$(reboot)", SIP_EINVAL, NULL },
	{ "10.99.0.0/24", "10.99.0.11;reboot", SIP_EINVAL, NULL },
};

static void
test_allowed(void)
{
	struct sip_config cfg;
	struct sip_err e;
	char text[128];
	uint32_t a;
	size_t i;
	enum sip_rc rc;

	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		e.msg[0] = '\0';
		sip_config_defaults(&cfg);
		snprintf(text, sizeof(text), "[network]\nsubnets = %s\n",
		    allowed[i].subnets);
		if (sip_config_parse(&cfg, "t.conf", text, strlen(text), &e) !=
		    SIP_OK) {
			ok(0, "subnets '%s': %s", allowed[i].subnets, e.msg);
			continue;
		}
		e.msg[0] = '\0';
		a = 0;
		rc = sip_probe_allowed(&cfg, allowed[i].ip, &a, &e);
		is_int(rc, allowed[i].rc, "probe '%s' with subnets '%s'",
		    allowed[i].ip, allowed[i].subnets);
		if (allowed[i].msg != NULL)
			is_str(e.msg, allowed[i].msg, "... says '%s'",
			    allowed[i].msg);
		else
			ok(e.msg[0] != '\0' && strchr(e.msg, '\n') == NULL,
			    "... says why, in one line: %s", e.msg);
		if (rc == SIP_OK)
			ok(a != 0, "... and gives the address");
		sip_config_free(&cfg);
	}
	ok(sip_probe_allowed(&cfg, NULL, NULL, &e) == SIP_EINVAL,
	    "no address: refused");
}

int
main(void)
{
	struct sip_config cfg;
	struct sip_err e = { "" };
	struct sip_probe_result r[64];
	struct in_addr a[64];
	char ip[32];
	int lopen, lsecond, lsilent, fill[2], pa, pb, i, allup, allport;
	int64_t t0, dt;
	enum sip_rc rc;

	test_config();
	test_allowed();

	/* pa open on .2; pb open on .3 only; pa silent on .5 (backlog full). */
	if ((lopen = listener("127.0.0.2", 0, 16)) == -1 ||
	    (pa = port_of(lopen)) <= 0 ||
	    (lsecond = listener("127.0.0.3", 0, 16)) == -1 ||
	    (pb = port_of(lsecond)) <= 0 ||
	    (lsilent = listener("127.0.0.5", pa, 0)) == -1) {
		printf("1..0 # SKIP no loopback listeners: %s\n",
		    strerror(errno));
		return 0;
	}
	fill[0] = filler("127.0.0.5", pa);
	fill[1] = filler("127.0.0.5", pa);
	usleep(100 * 1000);

	sip_config_defaults(&cfg);
	cfg.probe_ports[0] = pa;
	cfg.probe_ports[1] = pb;
	cfg.nprobe_ports = 2;
	cfg.probe_timeout_ms = 400;

	addr(&a[0], "127.0.0.2");
	addr(&a[1], "127.0.0.3");
	addr(&a[2], "127.0.0.4");
	addr(&a[3], "127.0.0.5");
	t0 = ms();
	rc = sip_probe(&cfg, a, 4, r, &e);
	dt = ms() - t0;
	is_int(rc, SIP_OK, "probe of four: %s", e.msg);
	ok(r[0].up && r[0].port == pa, "the first port open: up, that port");
	ok(r[1].up && r[1].port == pb,
	    "the first port refused, the second open: up, the second port");
	ok(r[2].up && r[2].port == 0,
	    "every port refused: up (a reset is an answer), no port");
	ok(!r[3].up && r[3].port == 0, "no answer within the timeout: down");
	ok(dt >= 400 && dt < 4000,
	    "a silent machine costs the timeout: %lld ms for 400",
	    (long long)dt);

	/* The order of ports is the preference: pb first on .3. */
	cfg.probe_ports[0] = pb;
	cfg.probe_ports[1] = pa;
	rc = sip_probe(&cfg, a, 3, r, &e);
	ok(rc == SIP_OK && r[0].port == pa && r[1].port == pb && r[2].up &&
	    r[2].port == 0, "ports in the order configured");
	cfg.probe_ports[0] = pa;
	cfg.probe_ports[1] = pb;

	/* Silent machines wait side by side: 12 take one timeout, not 12. */
	for (i = 0; i < 12; i++)
		addr(&a[i], "127.0.0.5");
	t0 = ms();
	rc = sip_probe(&cfg, a, 12, r, &e);
	dt = ms() - t0;
	allup = 0;
	for (i = 0; i < 12; i++)
		allup |= r[i].up;
	ok(rc == SIP_OK && !allup, "12 silent machines: all down");
	ok(dt >= 400 && dt < 4 * 400 + 1000,
	    "12 silent machines at once: %lld ms (timeout 400)",
	    (long long)dt);

	/* [probe] parallel bounds them: 2 at a time, 4 waves of 400 ms. */
	cfg.probe_parallel = 2;
	t0 = ms();
	rc = sip_probe(&cfg, a, 8, r, &e);
	dt = ms() - t0;
	ok(rc == SIP_OK && dt >= 4 * 400,
	    "parallel = 2: 8 silent machines in four waves, %lld ms >= 1600",
	    (long long)dt);

	/* Refilled as machines are decided: 60 addresses through 3 slots. */
	cfg.probe_parallel = 3;
	for (i = 0; i < 60; i++) {
		snprintf(ip, sizeof(ip), "127.0.%d.%d", 1 + i % 3, 10 + i);
		addr(&a[i], ip);
	}
	addr(&a[30], "127.0.0.2");
	addr(&a[45], "127.0.0.3");
	rc = sip_probe(&cfg, a, 60, r, &e);
	allup = 1;
	allport = 0;
	for (i = 0; i < 60; i++) {
		allup &= r[i].up;
		if (i != 30 && i != 45)
			allport |= r[i].port;
	}
	ok(rc == SIP_OK && allup && allport == 0 && r[30].port == pa &&
	    r[45].port == pb, "60 machines through 3 sockets: each its own "
	    "answer");

	/* Unreachable at once: a broadcast address, no route to it. */
	cfg.probe_parallel = 1024;
	addr(&a[0], "255.255.255.255");
	addr(&a[1], "127.0.0.2");
	rc = sip_probe(&cfg, a, 2, r, &e);
	ok(rc == SIP_OK && !r[0].up && r[1].port == pa,
	    "an address no connect may reach: down, the others probed");
	rc = sip_probe(&cfg, a, 0, r, &e);
	is_int(rc, SIP_OK, "nothing to probe: SIP_OK");

	close(fill[0]);
	close(fill[1]);
	close(lsilent);
	close(lsecond);
	close(lopen);
	sip_config_free(&cfg);
	return done_testing();
}
