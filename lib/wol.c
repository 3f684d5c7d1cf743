/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Wake-on-LAN: the magic packet, each machine's directed broadcast from [network] subnets, and the sending. */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "extern.h"

#define WOL_COPIES	2	/* UDP is lossy and a machine asleep answers nothing */

void
sip_wol_packet(const struct sip_mac *mac, unsigned char pkt[SIP_WOL_LEN])
{
	size_t i;

	memset(pkt, 0xff, 6);
	for (i = 0; i < 16; i++)
		memcpy(pkt + 6 + 6 * i, mac->b, 6);
}

/*
 * A /31 has no broadcast (RFC 3021) and a /32 is the host alone: both
 * get the machine's own address, which is all one can reach there.
 */
enum sip_rc
sip_wol_broadcast(const struct sip_subnet *sn, size_t n, uint32_t ip,
    uint32_t *bcast)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((ip & sn[i].mask) != sn[i].addr)
			continue;
		*bcast = sn[i].prefix >= 31 ? ip : (ip | ~sn[i].mask);
		return SIP_OK;
	}
	return SIP_ENOTFOUND;
}

static const char *
wol_shown(const struct sip_wol_machine *m)
{
	return m->name != NULL && m->name[0] != '\0' ? m->name : m->mac;
}

static enum sip_rc
wol_sendto(int fd, const unsigned char *pkt, uint32_t to, int port)
{
	struct sockaddr_in sin;
	int i;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(to);
	for (i = 0; i < WOL_COPIES; i++)
		if (sendto(fd, pkt, SIP_WOL_LEN, 0, (struct sockaddr *)&sin,
		    sizeof(sin)) != SIP_WOL_LEN)
			return SIP_EIO;
	return SIP_OK;
}

enum sip_rc
sip_wol_send(const struct sip_config *cfg, const struct sip_wol_machine *v,
    size_t n, size_t *nsent, struct sip_err *err)
{
	unsigned char (*pkt)[SIP_WOL_LEN] = NULL;
	uint32_t *to = NULL, ip;
	struct sip_mac mac;
	char buf[64];
	const char *shown;
	size_t i;
	int fd = -1, on = 1, e;
	enum sip_rc rc = SIP_OK;

	*nsent = 0;
	if (n == 0)
		return SIP_OK;
	if ((pkt = calloc(n, sizeof(*pkt))) == NULL ||
	    (to = calloc(n, sizeof(*to))) == NULL) {
		rc = sip_errf(err, SIP_ENOMEM, "out of memory");
		goto out;
	}
	/* Every destination known before the first packet: all or nothing. */
	for (i = 0; i < n; i++) {
		shown = sip_shorten(wol_shown(&v[i]), buf, sizeof(buf));
		if (sip_mac_parse(v[i].mac, &mac) != SIP_OK) {
			rc = sip_errf(err, SIP_EINVAL, "%s: '%s' is not a "
			    "MAC address", shown, v[i].mac);
			goto out;
		}
		sip_wol_packet(&mac, pkt[i]);
		if (v[i].ip == NULL || v[i].ip[0] == '\0') {
			rc = sip_errf(err, SIP_ENOTFOUND, "%s: no IP address "
			    "known (neither in LDAP nor from a boot), so no "
			    "subnet to wake it in; nothing sent", shown);
			goto out;
		}
		if (sip_ipv4_parse(v[i].ip, &ip) != SIP_OK) {
			rc = sip_errf(err, SIP_EINVAL, "%s: IP address '%s' "
			    "is not IPv4; nothing sent", shown, v[i].ip);
			goto out;
		}
		if (sip_wol_broadcast(cfg->subnets, cfg->nsubnets, ip,
		    &to[i]) != SIP_OK) {
			rc = sip_errf(err, SIP_ENOTFOUND, "%s: %s is in none "
			    "of the [network] subnets; nothing sent", shown,
			    v[i].ip);
			goto out;
		}
	}

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)) == -1) {
		rc = sip_errf(err, SIP_EIO, "UDP socket: %s", strerror(errno));
		goto out;
	}
	/* Sending goes on past a failure: the others are still worth waking. */
	for (i = 0; i < n; i++) {
		if (wol_sendto(fd, pkt[i], to[i], cfg->wol_port) != SIP_OK ||
		    (cfg->wol_broadcast_all && wol_sendto(fd, pkt[i],
		    UINT32_MAX, cfg->wol_port) != SIP_OK)) {
			e = errno;
			if (rc == SIP_OK)
				rc = sip_errf(err, SIP_EIO, "%s: sending the "
				    "magic packet: %s", sip_shorten(
				    wol_shown(&v[i]), buf, sizeof(buf)),
				    strerror(e));
			continue;
		}
		(*nsent)++;
	}
 out:
	if (fd != -1)
		close(fd);
	free(to);
	free(pkt);
	return rc;
}

void
sip_wol_destination(const struct sip_config *cfg, const char *ip, char *buf,
    size_t sz)
{
	uint32_t a, b;

	if (ip == NULL || sip_ipv4_parse(ip, &a) != SIP_OK ||
	    sip_wol_broadcast(cfg->subnets, cfg->nsubnets, a, &b) != SIP_OK) {
		snprintf(buf, sz, "to nowhere");
		return;
	}
	snprintf(buf, sz, "to %u.%u.%u.%u:%d%s", b >> 24, b >> 16 & 255,
	    b >> 8 & 255, b & 255, cfg->wol_port,
	    cfg->wol_broadcast_all ? " and 255.255.255.255" : "");
}
