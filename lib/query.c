/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Decode CGI query strings and form bodies, and type every field each endpoint of ipxe.cgi takes. */
#include <arpa/inet.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

#define QUERY_PAIRS_MAX	32
#define QUERY_KEY_MAX	32
/* The longest value a field takes: a report's inventory. */
#define QUERY_VALUE_MAX	SIP_INVENTORY_MAX

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
sip_strv_free(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
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

/* How a field's value is checked, and where it goes in a struct sip_query. */
enum check {
	CHECK_MAC,		/* any MAC form, canonicalised into req.mac */
	CHECK_WORDS,		/* one of the field's words */
	CHECK_TYPE,		/* the field's sip_type whitelist */
	CHECK_SMBIOS,		/* free text kept for the inventory, never rendered */
	CHECK_TOKEN,		/* an action's token */
	CHECK_STATUS,		/* a report's status: its event */
	CHECK_PROGRESS,		/* a percentage */
	CHECK_MSG,		/* a report's message, stored and shown to admins */
	CHECK_INVENTORY,	/* a machine's inventory, stored and shown */
	CHECK_PASSWORD		/* checked against a hash, never stored nor said */
};

/* What a field that is missing (when required) or invalid does to the request. */
enum on_bad {
	BAD_DROP,		/* dropped and named: a boot never fails for a detail */
	BAD_INVALID,		/* SIP_EINVAL: 400, or a local boot */
	BAD_DENIED		/* SIP_EDENIED: 403, and nothing said about the token */
};

#define NO_SLOT	((size_t)-1)

static const char *const statuses[] = { "running", "done", "failed", NULL };
static const enum sip_event status_events[] = { SIP_EV_RUNNING, SIP_EV_DONE,
    SIP_EV_FAILED };

/*
 * Every key each endpoint takes; any other key is ignored, so that a newer
 * script may send more.  Fields are checked in this order, the first
 * failure wins (a report's status before its token, as clients expect).
 */
static const struct field {
	enum sip_endpoint	 endpoint;
	const char		*key;
	enum check		 check;
	enum sip_type		 type;		/* CHECK_TYPE */
	const char *const	*words;		/* CHECK_WORDS, CHECK_STATUS */
	int			 required;
	enum on_bad		 on_bad;
	size_t			 slot;		/* the const char * it sets */
} fields[] = {
	{ SIP_EP_BOOT, "mac", CHECK_MAC, SIP_T_MAC, NULL, 1, BAD_INVALID,
	    NO_SLOT },
	{ SIP_EP_BOOT, "platform", CHECK_WORDS, SIP_T_WORD, sip_platform_names, 0,
	    BAD_DROP, offsetof(struct sip_query, req.platform) },
	{ SIP_EP_BOOT, "buildarch", CHECK_WORDS, SIP_T_WORD, sip_buildarch_names, 0,
	    BAD_DROP, offsetof(struct sip_query, req.buildarch) },
	{ SIP_EP_BOOT, "uuid", CHECK_SMBIOS, SIP_T_TEXT, NULL, 0, BAD_DROP,
	    offsetof(struct sip_query, req.uuid) },
	{ SIP_EP_BOOT, "serial", CHECK_SMBIOS, SIP_T_TEXT, NULL, 0, BAD_DROP,
	    offsetof(struct sip_query, req.serial) },
	{ SIP_EP_BOOT, "manufacturer", CHECK_SMBIOS, SIP_T_TEXT, NULL, 0,
	    BAD_DROP, offsetof(struct sip_query, req.manufacturer) },
	{ SIP_EP_BOOT, "product", CHECK_SMBIOS, SIP_T_TEXT, NULL, 0, BAD_DROP,
	    offsetof(struct sip_query, req.product) },
	{ SIP_EP_BOOT, "ip", CHECK_TYPE, SIP_T_IPV4, NULL, 0, BAD_DROP,
	    offsetof(struct sip_query, req.ip) },
	{ SIP_EP_REPORT, "status", CHECK_STATUS, SIP_T_WORD, statuses, 1,
	    BAD_INVALID, NO_SLOT },
	{ SIP_EP_REPORT, "progress", CHECK_PROGRESS, SIP_T_INT, NULL, 0,
	    BAD_INVALID, NO_SLOT },
	{ SIP_EP_REPORT, "token", CHECK_TOKEN, SIP_T_HEX, NULL, 1, BAD_DENIED,
	    offsetof(struct sip_query, token) },
	{ SIP_EP_REPORT, "msg", CHECK_MSG, SIP_T__MAX, NULL, 0, BAD_INVALID,
	    offsetof(struct sip_query, msg) },
	{ SIP_EP_REPORT, "inventory", CHECK_INVENTORY, SIP_T__MAX, NULL, 0,
	    BAD_INVALID, offsetof(struct sip_query, inventory) },
	{ SIP_EP_FILE, "token", CHECK_TOKEN, SIP_T_HEX, NULL, 1, BAD_DENIED,
	    offsetof(struct sip_query, token) },
	/* LDAP's printable spelling of a parc's cn (lib/ldap.c) is a word. */
	{ SIP_EP_STATUS, "parc", CHECK_TYPE, SIP_T_WORD, NULL, 0, BAD_INVALID,
	    offsetof(struct sip_query, parc) },
	{ SIP_EP_MENU, "token", CHECK_TOKEN, SIP_T_HEX, NULL, 1, BAD_DENIED,
	    offsetof(struct sip_query, token) },
	{ SIP_EP_MENU, "password", CHECK_PASSWORD, SIP_T__MAX, NULL, 1,
	    BAD_INVALID, offsetof(struct sip_query, password) },
	/* module:capability, split and found by lib/menu.c */
	{ SIP_EP_MENU, "tool", CHECK_TYPE, SIP_T_TEXT, NULL, 0, BAD_INVALID,
	    offsetof(struct sip_query, tool) },
};

enum sip_rc
sip_report_msg_check(const char *msg, struct sip_err *err)
{
	const unsigned char *p, *s = (const unsigned char *)msg;
	uint32_t cp;
	size_t n;

	if (strlen(msg) > SIP_REPORT_MSG_MAX)
		return sip_errf(err, SIP_EINVAL, "msg: longer than %d bytes",
		    SIP_REPORT_MSG_MAX);
	/*
	 * Stored in a TEXT column and shown to admins: UTF-8 that any SQLite
	 * client decodes, and no control character (C0, DEL, C1) for a
	 * terminal to obey.
	 */
	for (p = s; *p != '\0'; p += n) {
		if ((n = sip_utf8_decode(p, &cp)) == 0)
			return sip_errf(err, SIP_EINVAL, "msg: not UTF-8 at "
			    "byte %zu (0x%02x)", (size_t)(p - s) + 1, *p);
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return sip_errf(err, SIP_EINVAL, "msg: contains a "
			    "control character (U+%04X at byte %zu)",
			    (unsigned)cp, (size_t)(p - s) + 1);
	}
	return SIP_OK;
}

static int
word_index(const char *const *words, const char *v)
{
	int i;

	for (i = 0; words[i] != NULL; i++)
		if (strcmp(v, words[i]) == 0)
			return i;
	return -1;
}

/* The words of a list as "a, b or c", for a message. */
static void
words_list(const char *const *words, char *buf, size_t sz)
{
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; words[i] != NULL && len < sz; i++) {
		len += (size_t)snprintf(buf + len, sz - len, "%s%s",
		    i == 0 ? "" : words[i + 1] == NULL ? " or " : ", ", words[i]);
	}
}

/* Check one present, non-empty value and store it; the message names the key. */
static enum sip_rc
field_check(const struct field *f, const char *v, struct sip_query *q,
    struct sip_err *err)
{
	struct sip_mac mac;
	char list[64];
	int i;

	switch (f->check) {
	case CHECK_MAC:
		if (sip_mac_parse(v, &mac) != SIP_OK)
			return sip_errf(err, SIP_EINVAL, "%s: not a MAC address",
			    f->key);
		sip_mac_format(&mac, q->req.mac);
		return SIP_OK;
	case CHECK_WORDS:
		if ((i = word_index(f->words, v)) < 0) {
			words_list(f->words, list, sizeof(list));
			return sip_errf(err, SIP_EINVAL, "%s: not %s", f->key,
			    list);
		}
		v = f->words[i];	/* our own spelling, not the query's */
		break;
	case CHECK_TYPE:
		if (sip_value_check(f->type, v) != SIP_OK)
			return sip_errf(err, SIP_EINVAL, "%s: not a valid %s",
			    f->key, sip_type_name(f->type));
		break;
	case CHECK_SMBIOS:
		if (sip_smbios_check(v) != SIP_OK)
			return sip_errf(err, SIP_EINVAL, "%s: not printable "
			    "ASCII of at most %d bytes", f->key, SIP_SMBIOS_MAX);
		break;
	case CHECK_TOKEN:
		if (sip_token_check(v) != SIP_OK)
			return sip_errf(err, SIP_EINVAL, "%s: malformed",
			    f->key);
		break;
	case CHECK_STATUS:
		if ((i = word_index(f->words, v)) < 0) {
			words_list(f->words, list, sizeof(list));
			return sip_errf(err, SIP_EINVAL, "%s: not %s", f->key,
			    list);
		}
		q->event = status_events[i];
		break;
	case CHECK_PROGRESS:
		if (strlen(v) > 3 || sip_value_check(f->type, v) != SIP_OK ||
		    (i = atoi(v)) > 100)
			return sip_errf(err, SIP_EINVAL,
			    "%s: not an integer 0..100", f->key);
		q->progress = i;
		break;
	case CHECK_MSG:
		if (sip_report_msg_check(v, err) != SIP_OK)
			return SIP_EINVAL;
		break;
	case CHECK_INVENTORY:
		if (sip_inventory_check(v, err) != SIP_OK)
			return SIP_EINVAL;
		break;
	case CHECK_PASSWORD:
		/* The message says what is wrong, never what was sent. */
		if (sip_menu_password_check(v) != SIP_OK)
			return sip_errf(err, SIP_EINVAL, "%s: not 1 to %d "
			    "printable characters", f->key,
			    SIP_MENU_PASSWORD_MAX);
		break;
	}
	if (f->slot != NO_SLOT)
		*(const char **)(void *)((char *)q + f->slot) = v;
	return SIP_OK;
}

enum sip_rc
sip_query_read(enum sip_endpoint ep, const char *qs, struct sip_query *q,
    struct sip_err *err)
{
	struct sip_err why;
	const struct field *f;
	const char *v;
	size_t i;
	enum sip_rc rc;

	memset(q, 0, sizeof(*q));
	q->progress = -1;
	if ((rc = sip_query_parse(qs, &q->kv, &q->nkv, err)) != SIP_OK)
		return rc;
	for (i = 0; i < SIP_ARRAY_SIZE(fields); i++) {
		f = &fields[i];
		if (f->endpoint != ep)
			continue;
		/* An empty value is no value: iPXE sends unset settings so. */
		if ((v = sip_kv_get(q->kv, q->nkv, f->key)) != NULL && *v == '\0')
			v = NULL;
		if (v == NULL) {
			if (!f->required)
				continue;
			return sip_errf(err, f->on_bad == BAD_DENIED ?
			    SIP_EDENIED : SIP_EINVAL, "%s: missing", f->key);
		}
		why.msg[0] = '\0';
		if (field_check(f, v, q, &why) == SIP_OK)
			continue;
		switch (f->on_bad) {
		case BAD_DROP:
			if (q->ndropped < SIP_QUERY_DROPPED_MAX)
				sip_errf(&q->dropped[q->ndropped++], SIP_EINVAL,
				    "%s, ignored", why.msg);
			break;
		case BAD_INVALID:
			return sip_errf(err, SIP_EINVAL, "%s", why.msg);
		case BAD_DENIED:
			return sip_errf(err, SIP_EDENIED, "%s", why.msg);
		}
	}
	return SIP_OK;
}

void
sip_query_free(struct sip_query *q)
{
	sip_kv_free(q->kv, q->nkv);
	q->kv = NULL;
	q->nkv = 0;
}

void
sip_request_origin(struct sip_request *req, const char *host,
    const char *script_name)
{
	req->host = host != NULL && sip_value_check(SIP_T_HOST, host) == SIP_OK ?
	    host : NULL;
	req->script_name = script_name;
}

/* Only an address literal goes into a log line, whatever the server passed. */
const char *
sip_remote_addr(const char *addr)
{
	unsigned char bin[sizeof(struct in6_addr)];

	if (addr == NULL || strlen(addr) >= INET6_ADDRSTRLEN)
		return "-";
	if (inet_pton(AF_INET, addr, bin) == 1 ||
	    inet_pton(AF_INET6, addr, bin) == 1)
		return addr;
	return "-";
}

int
sip_addr_equal(const char *a, const char *b)
{
	unsigned char x[sizeof(struct in6_addr)], y[sizeof(struct in6_addr)];

	if (a == NULL || b == NULL)
		return 0;
	if (inet_pton(AF_INET, a, x) == 1)
		return inet_pton(AF_INET, b, y) == 1 && memcmp(x, y, 4) == 0;
	if (inet_pton(AF_INET6, a, x) == 1)
		return inet_pton(AF_INET6, b, y) == 1 &&
		    memcmp(x, y, sizeof(struct in6_addr)) == 0;
	return 0;
}
