/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Decode CGI query strings and form bodies into key/value pairs, refusing anything malformed. */
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

#define QUERY_PAIRS_MAX	32
#define QUERY_KEY_MAX	32
#define QUERY_VALUE_MAX	1024

/*
 * Percent-decode s[0..n) into a new string.  '+' stays '+': iPXE before
 * 2026 sends it raw inside values, and it is never a space for us.
 */
static enum sip_rc
decode(const char *s, size_t n, char **out, struct sip_err *err)
{
	char *d, *p;
	size_t i;
	int hi, lo;

	if ((d = malloc(n + 1)) == NULL)
		return sip_errf(err, SIP_ENOMEM, "query: out of memory");
	for (i = 0, p = d; i < n; i++) {
		if (s[i] != '%') {
			*p++ = s[i];
			continue;
		}
		if (n - i < 3) {
			free(d);
			return sip_errf(err, SIP_EINVAL, "query: truncated %%-escape");
		}
		if ((hi = sip_hexval(s[i + 1])) < 0 || (lo = sip_hexval(s[i + 2])) < 0) {
			free(d);
			return sip_errf(err, SIP_EINVAL, "query: bad %%-escape");
		}
		if (hi == 0 && lo == 0) {
			free(d);
			return sip_errf(err, SIP_EINVAL, "query: %%00 is not allowed");
		}
		*p++ = (char)(hi << 4 | lo);
		i += 2;
	}
	*p = '\0';
	*out = d;
	return SIP_OK;
}

static int
valid_key(const char *k)
{
	size_t n = strlen(k);

	return n >= 1 && n <= QUERY_KEY_MAX &&
	    strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

enum sip_rc
sip_query_parse(const char *q, struct sip_kv **out, size_t *nout,
    struct sip_err *err)
{
	struct sip_kv *kv;
	const char *seg, *amp, *eq;
	size_t n = 0, seglen, i;
	enum sip_rc rc;
	char *key = NULL, *value = NULL;

	*out = NULL;
	*nout = 0;
	if ((kv = calloc(QUERY_PAIRS_MAX, sizeof(*kv))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "query: out of memory");
	for (seg = q; seg != NULL && *seg != '\0'; seg = amp ? amp + 1 : NULL) {
		amp = strchr(seg, '&');
		seglen = amp ? (size_t)(amp - seg) : strlen(seg);
		if (seglen == 0)
			continue;
		if (n == QUERY_PAIRS_MAX) {
			rc = sip_errf(err, SIP_EINVAL,
			    "query: more than %d parameters", QUERY_PAIRS_MAX);
			goto fail;
		}
		eq = memchr(seg, '=', seglen);
		if ((rc = decode(seg, eq ? (size_t)(eq - seg) : seglen, &key,
		    err)) != SIP_OK)
			goto fail;
		if (!valid_key(key)) {
			rc = sip_errf(err, SIP_EINVAL,
			    "query: bad parameter name (want [a-z0-9_]{1,%d})",
			    QUERY_KEY_MAX);
			goto fail;
		}
		if (eq != NULL && (size_t)(seg + seglen - eq - 1) > 3 * QUERY_VALUE_MAX) {
			rc = sip_errf(err, SIP_EINVAL, "query: %s: value too long", key);
			goto fail;
		}
		if ((rc = decode(eq ? eq + 1 : "", eq ? (size_t)(seg + seglen - eq - 1)
		    : 0, &value, err)) != SIP_OK)
			goto fail;
		if (strlen(value) > QUERY_VALUE_MAX) {
			rc = sip_errf(err, SIP_EINVAL, "query: %s: value too long", key);
			goto fail;
		}
		for (i = 0; i < n; i++)
			if (strcmp(kv[i].key, key) == 0) {
				rc = sip_errf(err, SIP_EINVAL,
				    "query: %s: given more than once", key);
				goto fail;
			}
		kv[n].key = key;
		kv[n].value = value;
		key = value = NULL;
		n++;
	}
	*out = kv;
	*nout = n;
	return SIP_OK;
 fail:
	free(value);
	free(key);
	sip_kv_free(kv, n);
	return rc;
}

const char *
sip_kv_get(const struct sip_kv *kv, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(kv[i].key, key) == 0)
			return kv[i].value;
	return NULL;
}

void
sip_kv_free(struct sip_kv *kv, size_t n)
{
	size_t i;

	if (kv == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}
