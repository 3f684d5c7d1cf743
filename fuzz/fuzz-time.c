/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: durations and times; what parses is in range, and a formatted duration reads back to the same seconds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "se3ipxe.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NOW	INT64_C(1800000000)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_err err;
	char s[64], back[32];
	int64_t v, w;
	time_t t;
	static int tz_set;

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (!tz_set) {
		setenv("TZ", "UTC", 1);
		tzset();
		tz_set = 1;
	}

	if (sip_duration_parse(s, 60, 30 * 86400, &v) == SIP_OK &&
	    (v < 60 || v > 30 * 86400))
		abort();
	if (sip_duration_parse(s, 0, INT64_MAX, &v) == SIP_OK) {
		if (v < 0)
			abort();
		sip_duration_format(v, back, sizeof(back));
		if (sip_duration_parse(back, 0, INT64_MAX, &w) != SIP_OK ||
		    w != v)
			abort();
	}
	if (sip_time_parse(s, (time_t)NOW, &t) == SIP_OK) {
		/* "+D" is now plus a duration; "now" is now. */
		if (s[0] == '+' && (t < (time_t)NOW ||
		    sip_duration_parse(s + 1, 0, INT64_MAX, &v) != SIP_OK ||
		    (int64_t)t - NOW != v))
			abort();
		if (strcmp(s, "now") == 0 && t != (time_t)NOW)
			abort();
	}
	if (sip_at_parse(s, (time_t)NOW, &t, &err) == SIP_OK &&
	    (t < (time_t)NOW - SIP_AT_PAST || t > (time_t)NOW + SIP_AT_AHEAD))
		abort();
	return 0;
}
