/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Table vectors for Wake-on-LAN: packet bytes, CIDRs, directed broadcasts, [network]/[wol] config, all or nothing before sending. */
#include <stdio.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

static const struct {
	const char	*cidr;
	const char	*addr;	/* NULL: refused */
	int		 prefix;
} cidrs[] = {
	{ "10.1.0.0/16", "10.1.0.0", 16 },
	{ "10.2.0.0/24", "10.2.0.0", 24 },
	{ "0.0.0.0/0", "0.0.0.0", 0 },
	{ "192.168.1.7/32", "192.168.1.7", 32 },
	{ "192.168.1.6/31", "192.168.1.6", 31 },
	{ "172.16.0.0/12", "172.16.0.0", 12 },
	{ "10.1.2.0/16", NULL, 0 },	/* host bits set: a typo, not rounded */
	{ "192.168.1.7/31", NULL, 0 },
	{ "1.0.0.0/0", NULL, 0 },
	{ "10.0.0.0/33", NULL, 0 },
	{ "10.0.0.0/", NULL, 0 },
	{ "10.0.0.0", NULL, 0 },
	{ "10.0.0.0/08", NULL, 0 },	/* no leading zero */
	{ "10.0.0.0/8x", NULL, 0 },
	{ "10.0.0.0/-8", NULL, 0 },
	{ "10.0.0.0/100", NULL, 0 },
	{ "10.0.0/8", NULL, 0 },
	{ "10.0.0.256/32", NULL, 0 },
	{ "010.0.0.0/8", NULL, 0 },
	{ " 10.0.0.0/8", NULL, 0 },
	{ "/8", NULL, 0 },
	{ "", NULL, 0 },
	{ "10.0.0.0/8/8", NULL, 0 },
};

/* The subnets the broadcast vectors search, in this order. */
static const char *const nets[] = {
	"10.1.0.0/16", "10.2.0.0/24", "10.3.0.0/31", "10.4.0.9/32",
};

static const struct {
	const char	*ip;
	const char	*bcast;	/* NULL: in no subnet */
} bcasts[] = {
	{ "10.1.0.1", "10.1.255.255" },
	{ "10.1.200.3", "10.1.255.255" },
	{ "10.1.255.255", "10.1.255.255" },
	{ "10.2.0.1", "10.2.0.255" },
	{ "10.2.0.254", "10.2.0.255" },
	{ "10.2.1.1", NULL },
	{ "10.3.0.0", "10.3.0.0" },	/* /31: the host itself (RFC 3021) */
	{ "10.3.0.1", "10.3.0.1" },
	{ "10.3.0.2", NULL },
	{ "10.4.0.9", "10.4.0.9" },	/* /32 */
	{ "10.4.0.8", NULL },
	{ "10.0.255.255", NULL },
	{ "192.168.0.1", NULL },
};

static const struct {
	const char	*text;
	const char	*err;	/* NULL: accepted */
	size_t		 nsubnets;
	int		 port, all;
} configs[] = {
	{ "", NULL, 0, 9, 0 },
	{ "[network]\nsubnets = 10.1.0.0/16 10.2.0.0/24\n", NULL, 2, 9, 0 },
	{ "[network]\nsubnets = 10.1.0.0/16,10.2.0.0/24  10.3.0.0/24\n"
	    "[wol]\nport = 40000\nbroadcast_all = yes\n", NULL, 3, 40000, 1 },
	{ "[network]\nsubnets =\n", NULL, 0, 9, 0 },
	{ "[network]\nsubnets = 10.1.2.0/16\n",
	    "t.conf:2: [network] subnets: '10.1.2.0/16' is not a subnet "
	    "A.B.C.D/N (N 0..32, host bits zero)", 0, 0, 0 },
	{ "[network]\nsubnets = 10.1.0.0/16 10.1.2.0/24\n",
	    "t.conf:2: [network] subnets: '10.1.2.0/24' overlaps an earlier "
	    "subnet", 0, 0, 0 },
	{ "[network]\nsubnets = 10.1.2.0/24 10.1.0.0/16\n",
	    "t.conf:2: [network] subnets: '10.1.0.0/16' overlaps an earlier "
	    "subnet", 0, 0, 0 },
	{ "[network]\nsubnets = 10.1.0.0/16 10.1.0.0/16\n",
	    "t.conf:2: [network] subnets: '10.1.0.0/16' overlaps an earlier "
	    "subnet", 0, 0, 0 },
	{ "[network]\nsubnets = pc-01\n",
	    "t.conf:2: [network] subnets: 'pc-01' is not a subnet "
	    "A.B.C.D/N (N 0..32, host bits zero)", 0, 0, 0 },
	{ "[wol]\nport = 0\n",
	    "t.conf:2: [wol] port: 0 is out of range 1..65535", 0, 0, 0 },
	{ "[wol]\nport = 65536\n",
	    "t.conf:2: [wol] port: 65536 is out of range 1..65535", 0, 0, 0 },
	{ "[wol]\nbroadcast_all = maybe\n",
	    "t.conf:2: [wol] broadcast_all: 'maybe' is not no or yes",
	    0, 0, 0 },
};

static void
test_packet(void)
{
	static const struct sip_mac mac = { { 0x52, 0x54, 0x00, 0xab, 0xcd,
	    0xef } };
	unsigned char pkt[SIP_WOL_LEN + 1];
	size_t i, bad = 0;

	memset(pkt, 0x5a, sizeof(pkt));
	sip_wol_packet(&mac, pkt);
	for (i = 0; i < 6; i++)
		bad += pkt[i] != 0xff;
	for (i = 6; i < SIP_WOL_LEN; i++)
		bad += pkt[i] != mac.b[(i - 6) % 6];
	is_int(SIP_WOL_LEN, 102, "packet: 102 bytes");
	is_int(bad, 0, "packet: 6 x ff then 16 x the MAC, byte by byte");
	is_int(pkt[SIP_WOL_LEN], 0x5a, "packet: not a byte more");
}

static void
fmt(uint32_t a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, a >> 16 & 255,
	    a >> 8 & 255, a & 255);
}

static void
test_cidr(void)
{
	struct sip_subnet sn;
	char got[32];
	size_t i;
	enum sip_rc rc;

	for (i = 0; i < sizeof(cidrs) / sizeof(cidrs[0]); i++) {
		memset(&sn, 0, sizeof(sn));
		rc = sip_cidr_parse(cidrs[i].cidr, &sn);
		if (cidrs[i].addr == NULL) {
			is_int(rc, SIP_EINVAL, "cidr '%s' refused",
			    cidrs[i].cidr);
			continue;
		}
		is_int(rc, SIP_OK, "cidr '%s' read", cidrs[i].cidr);
		fmt(sn.addr, got, sizeof(got));
		is_str(got, cidrs[i].addr, "cidr '%s': network", cidrs[i].cidr);
		is_int(sn.prefix, cidrs[i].prefix, "cidr '%s': prefix",
		    cidrs[i].cidr);
		is_int(__builtin_popcount(sn.mask), cidrs[i].prefix,
		    "cidr '%s': mask", cidrs[i].cidr);
	}
}

static void
test_broadcast(void)
{
	struct sip_subnet sn[sizeof(nets) / sizeof(nets[0])], all;
	uint32_t ip, b;
	char got[32];
	size_t i;
	enum sip_rc rc;

	for (i = 0; i < sizeof(nets) / sizeof(nets[0]); i++)
		ok(sip_cidr_parse(nets[i], &sn[i]) == SIP_OK, "net %s", nets[i]);
	for (i = 0; i < sizeof(bcasts) / sizeof(bcasts[0]); i++) {
		ok(sip_ipv4_parse(bcasts[i].ip, &ip) == SIP_OK, "ip %s",
		    bcasts[i].ip);
		rc = sip_wol_broadcast(sn, sizeof(nets) / sizeof(nets[0]), ip,
		    &b);
		if (bcasts[i].bcast == NULL) {
			is_int(rc, SIP_ENOTFOUND, "%s: in no subnet",
			    bcasts[i].ip);
			continue;
		}
		fmt(b, got, sizeof(got));
		is_str(got, bcasts[i].bcast, "%s: broadcast", bcasts[i].ip);
	}
	/* /0 holds everything: the limited broadcast. */
	ok(sip_cidr_parse("0.0.0.0/0", &all) == SIP_OK, "/0");
	ok(sip_ipv4_parse("203.0.113.9", &ip) == SIP_OK, "ip");
	is_int(sip_wol_broadcast(&all, 1, ip, &b), SIP_OK, "/0 holds it");
	fmt(b, got, sizeof(got));
	is_str(got, "255.255.255.255", "/0: 255.255.255.255");
	is_int(sip_wol_broadcast(&all, 0, ip, &b), SIP_ENOTFOUND,
	    "no subnet: nothing");
}

static void
test_config(void)
{
	struct sip_config cfg;
	struct sip_err e;
	size_t i;
	enum sip_rc rc;

	for (i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
		ok(sip_config_defaults(&cfg) == SIP_OK, "defaults");
		e.msg[0] = '\0';
		rc = sip_config_parse(&cfg, "t.conf", configs[i].text,
		    strlen(configs[i].text), &e);
		if (configs[i].err != NULL) {
			is_int(rc, SIP_ECONFIG, "config %zu refused", i);
			is_str(e.msg, configs[i].err, "config %zu: message", i);
		} else {
			is_int(rc, SIP_OK, "config %zu read: %s", i, e.msg);
			is_int(cfg.nsubnets, configs[i].nsubnets,
			    "config %zu: subnets", i);
			is_int(cfg.wol_port, configs[i].port, "config %zu: port",
			    i);
			is_int(cfg.wol_broadcast_all, configs[i].all,
			    "config %zu: broadcast_all", i);
		}
		sip_config_free(&cfg);
	}
}

/* Refusals come before any socket: none of these sends a byte. */
static void
test_all_or_nothing(void)
{
	static const struct {
		struct sip_wol_machine m[3];
		size_t	 n;
		enum sip_rc rc;
		const char *msg;
	} v[] = {
		{ { { "52:54:00:00:00:01", "pc-01", "10.1.0.1" },
		    { "52:54:00:00:00:02", "pc-02", "192.168.0.2" } }, 2,
		    SIP_ENOTFOUND, "pc-02: 192.168.0.2 is in none of the "
		    "[network] subnets; nothing sent" },
		{ { { "52:54:00:00:00:01", NULL, "10.1.0.1" },
		    { "52:54:00:00:00:02", NULL, NULL } }, 2, SIP_ENOTFOUND,
		    "52:54:00:00:00:02: no IP address known (neither in LDAP "
		    "nor from a boot), so no subnet to wake it in; nothing "
		    "sent" },
		{ { { "52:54:00:00:00:01", "pc-01", "10.1.0.1" },
		    { "52:54:00:00:00:03", "pc-03", "" } }, 2, SIP_ENOTFOUND,
		    "pc-03: no IP address known (neither in LDAP nor from a "
		    "boot), so no subnet to wake it in; nothing sent" },
		{ { { "zz", "pc-09", "10.1.0.1" } }, 1, SIP_EINVAL,
		    "pc-09: 'zz' is not a MAC address" },
		{ { { "52:54:00:00:00:01", "pc-01", "10.1.0.01" } }, 1,
		    SIP_EINVAL, "pc-01: IP address '10.1.0.01' is not IPv4; "
		    "nothing sent" },
	};
	struct sip_config cfg;
	struct sip_err e;
	size_t i, nsent;

	ok(sip_config_defaults(&cfg) == SIP_OK, "defaults");
	ok(sip_cidr_parse("10.1.0.0/16", &cfg.subnets[0]) == SIP_OK, "net");
	cfg.nsubnets = 1;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		e.msg[0] = '\0';
		nsent = 99;
		is_int(sip_wol_send(&cfg, v[i].m, v[i].n, &nsent, &e), v[i].rc,
		    "send %zu refused", i);
		is_str(e.msg, v[i].msg, "send %zu: names the machine", i);
		is_int(nsent, 0, "send %zu: nothing sent", i);
	}
	is_int(sip_wol_send(&cfg, v[0].m, 0, &nsent, &e), SIP_OK,
	    "no machine: nothing to do");
	sip_config_free(&cfg);
}

int
main(void)
{
	test_packet();
	test_cidr();
	test_broadcast();
	test_config();
	test_all_or_nothing();
	return done_testing();
}
