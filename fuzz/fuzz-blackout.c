/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: [blackout] windows; what parses is well formed, and a time in a window ends after it, outside every window unless they never end. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "se3ipxe.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A Sunday in March 2026, the night Europe/Paris changes to summer time. */
#define NOW	INT64_C(1774746000)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_blackout w[SIP_BLACKOUT_MAX];
	char s[512], why[128];
	size_t n, i;
	time_t t, end, e2;
	int k;
	static int tz_set;

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (!tz_set) {
		setenv("TZ", "Europe/Paris", 1);
		tzset();
		tz_set = 1;
	}
	if (sip_blackout_parse(s, w, SIP_BLACKOUT_MAX, &n, why,
	    sizeof(why)) != SIP_OK)
		return 0;
	if (n > SIP_BLACKOUT_MAX)
		abort();
	for (i = 0; i < n; i++)
		if (w[i].days == 0 || w[i].days > 127 || w[i].start < 0 ||
		    w[i].start >= w[i].end || w[i].end > 24 * 60)
			abort();
	/* Every quarter of an hour of a week around the DST change. */
	for (k = -7 * 96; k < 7 * 96; k++) {
		t = (time_t)(NOW + (int64_t)k * 900);
		if (!sip_blackout_end(w, n, t, &end))
			continue;
		/* Only windows that cover the week leave the end in one. */
		if (end <= t || (sip_blackout_end(w, n, end, &e2) &&
		    (e2 <= end || end - t < 7 * 86400)))
			abort();
	}
	return 0;
}
