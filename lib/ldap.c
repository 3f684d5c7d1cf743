/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SE3's directory as the CLI reads it (libldap, never in ipxe.cgi): machines, parcs, and what a name, an IP or parc:NAME means. */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ldap.h>

#include "se3ipxe.h"
#include "extern.h"

/* A bind password longer than this is not a password but a wrong file. */
#define PASSWORD_MAX	1024
/* Values longer than this are nobody's name: refused before any copy. */
#define NAME_MAX_LEN	256

struct sip_ldap {
	LDAP			*ld;
	char			*uri;
	char			*computers;	/* computers,base */
	char			*parcs;		/* parcs,base */
	int			 timeout;	/* s, per answer */
	struct sip_ldap_machine	**m;		/* every machine met, once each */
	size_t			 nm, capm;
	struct sip_ldap_machine	**dn_index;	/* m by DN: open addressing */
	size_t			 dn_slots;	/* a power of two > 2 nm */
	int			 all_loaded;	/* m is the whole OU */
	int			 parcs_loaded;
};

static enum sip_rc ldap_fail(struct sip_ldap *, int, const char *,
		    struct sip_err *);
static void	 machine_free(struct sip_ldap_machine *);
static enum sip_rc machine_from_entry(struct sip_ldap *, LDAPMessage *,
		    struct sip_ldap_machine **, struct sip_err *);
static enum sip_rc search(struct sip_ldap *, const char *, const char *,
		    char **, LDAPMessage **, struct sip_err *);
static enum sip_rc load_all(struct sip_ldap *, struct sip_err *);
static enum sip_rc load_parcs(struct sip_ldap *, struct sip_err *);
static void	 dn_norm(const char *, char *, size_t);
static struct sip_ldap_machine *by_dn(struct sip_ldap *, const char *);
static int	 dn_index_add(struct sip_ldap *, struct sip_ldap_machine *);
static struct sip_ldap_machine *by_member(struct sip_ldap *,
		    const struct berval *);

size_t
sip_ldap_hex_escape(const char *s, int (*must)(const char *, size_t, size_t),
    char *out, size_t sz)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0, i, len = strlen(s);

	for (i = 0; i < len; i++) {
		if (must(s, i, len)) {
			if (n + 3 < sz) {
				out[n] = '\\';
				out[n + 1] = hex[p[i] >> 4];
				out[n + 2] = hex[p[i] & 0xf];
			}
			n += 3;
		} else {
			if (n + 1 < sz)
				out[n] = s[i];
			n++;
		}
	}
	if (sz > 0)
		out[n < sz ? n : sz - 1] = '\0';
	return n;
}

/*
 * RFC 4515 3: '*', '(', ')', '\' and NUL must be \XX; so is every byte
 * outside printable ASCII, so that the filter stays one line of text
 * whatever a user typed.
 */
static int
filter_must(const char *s, size_t i, size_t len)
{
	unsigned char c = (unsigned char)s[i];

	(void)len;
	return c == '*' || c == '(' || c == ')' || c == '\\' || c < 0x20 ||
	    c >= 0x7f;
}

size_t
sip_ldap_escape(const char *s, char *out, size_t sz)
{
	return sip_ldap_hex_escape(s, filter_must, out, sz);
}

void
sip_ldap_printable(const char *s, size_t len, char *out, size_t sz)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, n = 0;
	unsigned char c;

	/*
	 * A name from the directory is shown, never run: keep what any
	 * host name is made of and spell every other byte \xHH, so that a
	 * newline, "${" or an escape sequence reaches no terminal or script.
	 */
	for (i = 0; i < len && n + 5 < sz; i++) {
		c = (unsigned char)s[i];
		if (isalnum(c) || c == '.' || c == '-' || c == '_')
			out[n++] = (char)c;
		else {
			out[n++] = '\\';
			out[n++] = 'x';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 0xf];
		}
	}
	if (i < len && n + 3 < sz) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	if (sz > 0)
		out[n < sz ? n : sz - 1] = '\0';
}

enum sip_rc
sip_ldap_password_read(const char *path, char **pw, struct sip_err *err)
{
	struct stat sb;
	char buf[PASSWORD_MAX + 2];
	ssize_t r;
	size_t len = 0;
	int fd;
	enum sip_rc rc;

	*pw = NULL;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return sip_errf(err, SIP_EIO, "[ldap] bind_password_file %s: "
		    "%s", path, strerror(errno));
	if (fstat(fd, &sb) == -1) {
		rc = sip_errf(err, SIP_EIO, "[ldap] bind_password_file %s: "
		    "%s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		rc = sip_errf(err, SIP_ECONFIG, "[ldap] bind_password_file "
		    "%s: not a regular file", path);
		goto out;
	}
	/* A password anyone may read is no secret: say so, use none. */
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		rc = sip_errf(err, SIP_ECONFIG, "[ldap] bind_password_file "
		    "%s: mode %04o lets group or others at it (chmod 600 it)",
		    path, (unsigned)(sb.st_mode & 07777));
		goto out;
	}
	while (len < sizeof(buf) - 1) {
		r = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			rc = sip_errf(err, SIP_EIO, "[ldap] bind_password_file "
			    "%s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (strlen(buf) > PASSWORD_MAX) {
		rc = sip_errf(err, SIP_ECONFIG, "[ldap] bind_password_file "
		    "%s: first line longer than %d bytes", path, PASSWORD_MAX);
		goto out;
	}
	if ((*pw = sip_strdup(buf)) == NULL) {
		rc = sip_errf(err, SIP_ENOMEM, "out of memory");
		goto out;
	}
	rc = SIP_OK;
 out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return rc;
}

/* One line naming the server and what libldap said. */
static enum sip_rc
ldap_fail(struct sip_ldap *l, int lrc, const char *what,
    struct sip_err *err)
{
	if (lrc == LDAP_TIMEOUT)
		return sip_errf(err, SIP_EIO, "LDAP %s: %s: no answer within "
		    "%d s ([ldap] timeout)", l->uri, what, l->timeout);
	return sip_errf(err, SIP_EIO, "LDAP %s: %s: %s", l->uri, what,
	    ldap_err2string(lrc));
}

enum sip_rc
sip_ldap_open(const struct sip_config *cfg, const char *password,
    struct sip_ldap **out, struct sip_err *err)
{
	struct sip_ldap *l;
	struct timeval tv;
	struct berval cred;
	int lrc, v;
	enum sip_rc rc;

	*out = NULL;
	if (cfg->ldap_uri[0] == '\0')
		return sip_errf(err, SIP_ECONFIG, "no [ldap] uri in %s",
		    cfg->path != NULL ? cfg->path : SIP_CONFIG_PATH);
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	l->timeout = cfg->ldap_timeout;
	if ((l->uri = sip_strdup(cfg->ldap_uri)) == NULL ||
	    asprintf(&l->computers, "%s,%s", cfg->ldap_computers,
	    cfg->ldap_base) == -1 ||
	    asprintf(&l->parcs, "%s,%s", cfg->ldap_parcs,
	    cfg->ldap_base) == -1) {
		rc = sip_errf(err, SIP_ENOMEM, "out of memory");
		goto fail;
	}
	if ((lrc = ldap_initialize(&l->ld, l->uri)) != LDAP_SUCCESS) {
		l->ld = NULL;
		rc = ldap_fail(l, lrc, "initialize", err);
		goto fail;
	}
	v = LDAP_VERSION3;
	ldap_set_option(l->ld, LDAP_OPT_PROTOCOL_VERSION, &v);
	ldap_set_option(l->ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	tv.tv_sec = cfg->ldap_network_timeout;
	tv.tv_usec = 0;
	ldap_set_option(l->ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
	/* Every synchronous call: the bind, StartTLS. */
	tv.tv_sec = cfg->ldap_timeout;
	ldap_set_option(l->ld, LDAP_OPT_TIMEOUT, &tv);
	if (cfg->ldap_starttls &&
	    (lrc = ldap_start_tls_s(l->ld, NULL, NULL)) != LDAP_SUCCESS) {
		rc = ldap_fail(l, lrc, "StartTLS", err);
		goto fail;
	}
	/*
	 * Bind even when anonymous, as SE3's PHP does: it connects now, so
	 * that a server down or mute is said once, here, naming it.
	 */
	cred.bv_val = (char *)(uintptr_t)(password != NULL ? password : "");
	cred.bv_len = strlen(cred.bv_val);
	lrc = ldap_sasl_bind_s(l->ld, cfg->ldap_bind_dn[0] != '\0' ?
	    cfg->ldap_bind_dn : NULL, LDAP_SASL_SIMPLE, &cred, NULL, NULL,
	    NULL);
	if (lrc != LDAP_SUCCESS) {
		rc = ldap_fail(l, lrc, cfg->ldap_bind_dn[0] != '\0' ?
		    "bind" : "anonymous bind", err);
		goto fail;
	}
	*out = l;
	return SIP_OK;
 fail:
	sip_ldap_close(l);
	return rc;
}

static void
machine_free(struct sip_ldap_machine *m)
{
	size_t i;

	if (m == NULL)
		return;
	free(m->dn);
	for (i = 0; i < m->nparcs; i++)
		free(m->parcs[i]);
	free(m->parcs);
	free(m);
}

void
sip_ldap_close(struct sip_ldap *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->nm; i++)
		machine_free(l->m[i]);
	free(l->m);
	free(l->dn_index);
	if (l->ld != NULL)
		ldap_unbind_ext_s(l->ld, NULL, NULL);
	free(l->uri);
	free(l->computers);
	free(l->parcs);
	free(l);
}

static enum sip_rc
search(struct sip_ldap *l, const char *base, const char *filter,
    char **attrs, LDAPMessage **res, struct sip_err *err)
{
	struct timeval tv;
	int lrc;

	tv.tv_sec = l->timeout;
	tv.tv_usec = 0;
	*res = NULL;
	lrc = ldap_search_ext_s(l->ld, base, LDAP_SCOPE_ONELEVEL, filter,
	    attrs, 0, NULL, NULL, &tv, LDAP_NO_LIMIT, res);
	if (lrc == LDAP_NO_SUCH_OBJECT) {
		/* An OU that is not there holds nothing. */
		ldap_msgfree(*res);
		*res = NULL;
		return SIP_OK;
	}
	if (lrc != LDAP_SUCCESS) {
		ldap_msgfree(*res);
		*res = NULL;
		if (lrc == LDAP_SIZELIMIT_EXCEEDED)
			return sip_errf(err, SIP_EIO, "LDAP %s: search under "
			    "%s: the server's sizelimit cut the answer (raise "
			    "it for this client)", l->uri, base);
		return ldap_fail(l, lrc, "search", err);
	}
	return SIP_OK;
}

static struct berval **
values(LDAP *ld, LDAPMessage *e, const char *attr)
{
	return ldap_get_values_len(ld, e, attr);
}

/*
 * A machine from its entry: a cn= entry (a Samba account uid=NAME$
 * is not one), its name made printable, the first ipHostNumber that is
 * a dotted quad and the first macAddress that parses in any spelling
 * SE3 used.
 */
static enum sip_rc
machine_from_entry(struct sip_ldap *l, LDAPMessage *e,
    struct sip_ldap_machine **out, struct sip_err *err)
{
	struct sip_ldap_machine *m, **nv;
	struct berval **v;
	struct sip_mac mac;
	char *dn, tmp[NAME_MAX_LEN], norm[1024];
	size_t i, n;

	*out = NULL;
	if ((dn = ldap_get_dn(l->ld, e)) == NULL)
		return SIP_OK;
	if (strncasecmp(dn, "cn=", 3) != 0 || strlen(dn) >= sizeof(norm)) {
		ldap_memfree(dn);
		return SIP_OK;
	}
	dn_norm(dn, norm, sizeof(norm));
	ldap_memfree(dn);
	if (norm[0] == '\0')
		return SIP_OK;
	if ((*out = by_dn(l, norm)) != NULL)
		return SIP_OK;
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->dn = sip_strdup(norm)) == NULL) {
		machine_free(m);
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	}
	if ((v = values(l->ld, e, "cn")) != NULL && v[0] != NULL)
		sip_ldap_printable(v[0]->bv_val, v[0]->bv_len, m->name,
		    sizeof(m->name));
	ldap_value_free_len(v);
	if ((v = values(l->ld, e, "ipHostNumber")) != NULL)
		for (i = 0; v[i] != NULL; i++) {
			n = v[i]->bv_len;
			if (n >= sizeof(m->ip) || memchr(v[i]->bv_val, '\0', n))
				continue;
			memcpy(tmp, v[i]->bv_val, n);
			tmp[n] = '\0';
			if (sip_value_check(SIP_T_IPV4, tmp) == SIP_OK) {
				memcpy(m->ip, tmp, n + 1);
				break;
			}
		}
	ldap_value_free_len(v);
	if ((v = values(l->ld, e, "macAddress")) != NULL)
		for (i = 0; v[i] != NULL; i++) {
			n = v[i]->bv_len;
			if (n >= sizeof(tmp) || memchr(v[i]->bv_val, '\0', n))
				continue;
			memcpy(tmp, v[i]->bv_val, n);
			tmp[n] = '\0';
			if (sip_mac_parse_any(tmp, &mac) == SIP_OK) {
				sip_mac_format(&mac, m->mac);
				break;
			}
		}
	ldap_value_free_len(v);
	if (m->name[0] == '\0')
		snprintf(m->name, sizeof(m->name), "(no cn)");

	if (l->nm == l->capm) {
		n = l->capm == 0 ? 64 : l->capm * 2;
		if ((nv = realloc(l->m, n * sizeof(*nv))) == NULL) {
			machine_free(m);
			return sip_errf(err, SIP_ENOMEM, "out of memory");
		}
		l->m = nv;
		l->capm = n;
	}
	if (dn_index_add(l, m) == -1) {
		machine_free(m);
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	}
	l->m[l->nm++] = m;
	*out = m;
	return SIP_OK;
}

/* libldap takes char **: the names live in arrays of their own (-Wwrite-strings). */
static char a_cn[] = "cn", a_ip[] = "ipHostNumber", a_mac[] = "macAddress";
static char a_member[] = "member";
static char *machine_attrs[] = { a_cn, a_ip, a_mac, NULL };

/* One machine by an attribute's exact value, or ENOTFOUND. */
static enum sip_rc
find_by(struct sip_ldap *l, const char *attr, const char *value,
    const struct sip_ldap_machine **out, struct sip_err *err)
{
	LDAPMessage *res, *e;
	struct sip_ldap_machine *m = NULL;
	char esc[3 * NAME_MAX_LEN + 1], *filter = NULL;
	size_t i;
	enum sip_rc rc;

	*out = NULL;
	if (strlen(value) >= NAME_MAX_LEN)
		return SIP_ENOTFOUND;
	/* Asked for already: the same struct, not a second search. */
	for (i = 0; i < l->nm; i++)
		if (strcmp(attr, "cn") == 0 ?
		    strcasecmp(l->m[i]->name, value) == 0 :
		    strcmp(l->m[i]->ip, value) == 0) {
			*out = l->m[i];
			return SIP_OK;
		}
	if (l->all_loaded)
		return SIP_ENOTFOUND;
	sip_ldap_escape(value, esc, sizeof(esc));
	if (asprintf(&filter, "(&(objectClass=ipHost)(%s=%s))", attr,
	    esc) == -1)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	rc = search(l, l->computers, filter, machine_attrs, &res, err);
	free(filter);
	if (rc != SIP_OK)
		return rc;
	rc = SIP_ENOTFOUND;
	for (e = ldap_first_entry(l->ld, res); e != NULL;
	    e = ldap_next_entry(l->ld, e)) {
		if ((rc = machine_from_entry(l, e, &m, err)) != SIP_OK)
			break;
		if (m != NULL) {
			*out = m;
			break;
		}
		rc = SIP_ENOTFOUND;
	}
	ldap_msgfree(res);
	return rc;
}

enum sip_rc
sip_ldap_find_name(struct sip_ldap *l, const char *name,
    const struct sip_ldap_machine **out, struct sip_err *err)
{
	return find_by(l, "cn", name, out, err);
}

enum sip_rc
sip_ldap_find_ip(struct sip_ldap *l, const char *ip,
    const struct sip_ldap_machine **out, struct sip_err *err)
{
	return find_by(l, "ipHostNumber", ip, out, err);
}

/* Every machine of the OU; those found before keep their struct. */
static enum sip_rc
load_all(struct sip_ldap *l, struct sip_err *err)
{
	LDAPMessage *res, *e;
	struct sip_ldap_machine *m;
	enum sip_rc rc;

	if (l->all_loaded)
		return SIP_OK;
	if ((rc = search(l, l->computers, "(objectClass=ipHost)",
	    machine_attrs, &res, err)) != SIP_OK)
		return rc;
	rc = SIP_OK;
	for (e = ldap_first_entry(l->ld, res); e != NULL;
	    e = ldap_next_entry(l->ld, e))
		if ((rc = machine_from_entry(l, e, &m, err)) != SIP_OK)
			break;
	ldap_msgfree(res);
	if (rc != SIP_OK)
		return rc;
	l->all_loaded = 1;
	return SIP_OK;
}

/*
 * One spelling per DN, so that a member value and the entry's own DN
 * compare equal: libldap's LDAPv3 form (escapes, blanks), lower case
 * (SE3's attributes compare without case).  "" for a DN that does not
 * parse: it matches nothing.
 */
static void
dn_norm(const char *s, char *out, size_t sz)
{
	char *n = NULL;
	size_t i;

	out[0] = '\0';
	if (ldap_dn_normalize(s, LDAP_DN_FORMAT_LDAP, &n,
	    LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS || n == NULL)
		return;
	for (i = 0; n[i] != '\0' && i + 1 < sz; i++)
		out[i] = (char)tolower((unsigned char)n[i]);
	out[i] = '\0';
	ldap_memfree(n);
}

/* FNV-1a: a school's DNs differ in their first RDN, which it spreads well. */
static size_t
dn_hash(const char *norm)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *norm != '\0'; norm++)
		h = (h ^ (unsigned char)*norm) * 1099511628211ULL;
	return (size_t)h;
}

/*
 * Every parc member is looked up by its DN: a whole directory read
 * compared each with each (half the time of `machines` on 5,000).
 */
static int
dn_index_add(struct sip_ldap *l, struct sip_ldap_machine *m)
{
	struct sip_ldap_machine **nv;
	size_t n, i, j;

	if (2 * (l->nm + 1) >= l->dn_slots) {
		n = l->dn_slots == 0 ? 128 : 2 * l->dn_slots;
		if ((nv = calloc(n, sizeof(*nv))) == NULL)
			return -1;
		for (i = 0; i < l->nm; i++) {
			for (j = dn_hash(l->m[i]->dn) & (n - 1); nv[j] != NULL;
			    j = (j + 1) & (n - 1))
				continue;
			nv[j] = l->m[i];
		}
		free(l->dn_index);
		l->dn_index = nv;
		l->dn_slots = n;
	}
	for (j = dn_hash(m->dn) & (l->dn_slots - 1); l->dn_index[j] != NULL;
	    j = (j + 1) & (l->dn_slots - 1))
		continue;
	l->dn_index[j] = m;
	return 0;
}

/* The machine met with this normalised DN, or NULL. */
static struct sip_ldap_machine *
by_dn(struct sip_ldap *l, const char *norm)
{
	size_t j;

	if (l->dn_slots == 0)
		return NULL;
	for (j = dn_hash(norm) & (l->dn_slots - 1); l->dn_index[j] != NULL;
	    j = (j + 1) & (l->dn_slots - 1))
		if (strcmp(l->dn_index[j]->dn, norm) == 0)
			return l->dn_index[j];
	return NULL;
}

/* The machine a member value names, or NULL: a printer, nobody, a DN too long. */
static struct sip_ldap_machine *
by_member(struct sip_ldap *l, const struct berval *bv)
{
	char dn[1024], norm[1024];

	if (bv->bv_len >= sizeof(dn))
		return NULL;
	memcpy(dn, bv->bv_val, bv->bv_len);
	dn[bv->bv_len] = '\0';
	dn_norm(dn, norm, sizeof(norm));
	return by_dn(l, norm);
}

/* Each parc's members, recorded in each machine: its parcs, sorted as read. */
static enum sip_rc
load_parcs(struct sip_ldap *l, struct sip_err *err)
{
	static char *attrs[] = { a_cn, a_member, NULL };
	LDAPMessage *res, *e;
	struct sip_ldap_machine *m;
	struct berval **cn, **mem;
	char name[SIP_LDAP_NAME_MAX];
	char **nv;
	size_t i, j;
	enum sip_rc rc = SIP_OK;

	if (l->parcs_loaded)
		return SIP_OK;
	if ((rc = load_all(l, err)) != SIP_OK)
		return rc;
	if ((rc = search(l, l->parcs, "(objectClass=groupOfNames)", attrs,
	    &res, err)) != SIP_OK)
		return rc;
	for (e = ldap_first_entry(l->ld, res); e != NULL && rc == SIP_OK;
	    e = ldap_next_entry(l->ld, e)) {
		cn = ldap_get_values_len(l->ld, e, "cn");
		mem = ldap_get_values_len(l->ld, e, "member");
		if (cn == NULL || cn[0] == NULL || mem == NULL) {
			ldap_value_free_len(cn);
			ldap_value_free_len(mem);
			continue;
		}
		sip_ldap_printable(cn[0]->bv_val, cn[0]->bv_len, name,
		    sizeof(name));
		for (i = 0; mem[i] != NULL && rc == SIP_OK; i++) {
			/* Printers and strangers are members too: skipped. */
			if ((m = by_member(l, mem[i])) == NULL)
				continue;
			for (j = 0; j < m->nparcs; j++)
				if (strcmp(m->parcs[j], name) == 0)
					break;
			if (j < m->nparcs)
				continue;
			if ((nv = realloc(m->parcs, (m->nparcs + 1) *
			    sizeof(*nv))) == NULL ||
			    (nv[m->nparcs] = sip_strdup(name)) == NULL) {
				if (nv != NULL)
					m->parcs = nv;
				rc = sip_errf(err, SIP_ENOMEM, "out of memory");
				break;
			}
			m->parcs = nv;
			m->nparcs++;
		}
		ldap_value_free_len(cn);
		ldap_value_free_len(mem);
	}
	ldap_msgfree(res);
	if (rc == SIP_OK)
		l->parcs_loaded = 1;
	return rc;
}

enum sip_rc
sip_ldap_parc(struct sip_ldap *l, const char *parc,
    const struct sip_ldap_machine ***out, size_t *nout, struct sip_err *err)
{
	static char *attrs[] = { a_member, NULL };
	const struct sip_ldap_machine **v = NULL;
	struct sip_ldap_machine *m;
	LDAPMessage *res, *e;
	struct berval **mem = NULL;
	char esc[3 * NAME_MAX_LEN + 1], *filter = NULL;
	size_t i, j, n = 0;
	enum sip_rc rc;

	*out = NULL;
	*nout = 0;
	if (strlen(parc) >= NAME_MAX_LEN || *parc == '\0')
		return SIP_ENOTFOUND;
	if ((rc = load_all(l, err)) != SIP_OK)
		return rc;
	sip_ldap_escape(parc, esc, sizeof(esc));
	if (asprintf(&filter, "(&(objectClass=groupOfNames)(cn=%s))",
	    esc) == -1)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	rc = search(l, l->parcs, filter, attrs, &res, err);
	free(filter);
	if (rc != SIP_OK)
		return rc;
	if ((e = ldap_first_entry(l->ld, res)) == NULL) {
		ldap_msgfree(res);
		return SIP_ENOTFOUND;
	}
	mem = ldap_get_values_len(l->ld, e, "member");
	for (i = 0; mem != NULL && mem[i] != NULL; i++)
		continue;
	if ((v = calloc(i + 1, sizeof(*v))) == NULL) {
		rc = sip_errf(err, SIP_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; mem != NULL && mem[i] != NULL; i++) {
		if ((m = by_member(l, mem[i])) == NULL)
			continue;	/* a printer, or nobody */
		for (j = 0; j < n; j++)
			if (v[j] == m)
				break;
		if (j == n)
			v[n++] = m;
	}
	*out = v;
	*nout = n;
	v = NULL;
	rc = SIP_OK;
 out:
	free(v);
	ldap_value_free_len(mem);
	ldap_msgfree(res);
	return rc;
}

enum sip_rc
sip_ldap_machines(struct sip_ldap *l,
    struct sip_ldap_machine *const **out, size_t *nout, struct sip_err *err)
{
	enum sip_rc rc;

	*out = NULL;
	*nout = 0;
	if ((rc = load_parcs(l, err)) != SIP_OK)
		return rc;
	*out = l->m;
	*nout = l->nm;
	return SIP_OK;
}

enum sip_rc
sip_ldap_group_has(struct sip_ldap *l, const char *ou, const char *group,
    const char *member_dn, int *has, struct sip_err *err)
{
	static char *attrs[] = { a_cn, NULL };
	LDAPMessage *res;
	char *g = NULL, *m = NULL, *filter = NULL;
	size_t n;
	enum sip_rc rc;

	*has = 0;
	/* Both values escaped: a group or DN can hold any of "*()\". */
	n = sip_ldap_escape(group, NULL, 0) + 1;
	if ((g = malloc(n)) == NULL)
		return sip_errf(err, SIP_ENOMEM, "out of memory");
	sip_ldap_escape(group, g, n);
	n = sip_ldap_escape(member_dn, NULL, 0) + 1;
	if ((m = malloc(n)) == NULL) {
		rc = sip_errf(err, SIP_ENOMEM, "out of memory");
		goto out;
	}
	sip_ldap_escape(member_dn, m, n);
	if (asprintf(&filter, "(&(objectClass=groupOfNames)(cn=%s)"
	    "(member=%s))", g, m) == -1) {
		filter = NULL;
		rc = sip_errf(err, SIP_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = search(l, ou, filter, attrs, &res, err)) != SIP_OK)
		goto out;
	*has = res != NULL && ldap_first_entry(l->ld, res) != NULL;
	ldap_msgfree(res);
 out:
	free(filter);
	free(m);
	free(g);
	return rc;
}
