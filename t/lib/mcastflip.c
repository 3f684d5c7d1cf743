/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LD_PRELOAD fault injector for udp-receiver: every MCASTFLIP_EVERY-th large datagram recvmsg(2) returns has one payload byte flipped, as a corruption the UDP checksum let through would be. */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/syscall.h>

#include <stdlib.h>
#include <unistd.h>

/* Smaller datagrams are udpcast's control messages: only data is hit. */
#define MCASTFLIP_MIN_BYTES 1024

static long every = -1, large;

ssize_t
recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct iovec *last;
	const char *env;
	ssize_t n;

	n = syscall(SYS_recvmsg, fd, msg, flags);
	if (every == -1) {
		env = getenv("MCASTFLIP_EVERY");
		every = env != NULL ? atol(env) : 0;
	}
	if (n < MCASTFLIP_MIN_BYTES || every <= 0 || msg->msg_iovlen == 0)
		return n;
	if (++large % every != 0)
		return n;
	/* udp-receiver reads a header into the first buffer and the block
	 * into the last one: the block's first byte is data. */
	last = &msg->msg_iov[msg->msg_iovlen - 1];
	if (msg->msg_iovlen > 1 && last->iov_len > 0)
		((unsigned char *)last->iov_base)[0] ^= 0x5a;
	else if (msg->msg_iovlen == 1)
		((unsigned char *)last->iov_base)[n - 1] ^= 0x5a;
	return n;
}
