/* SPDX-License-Identifier: GPL-3.0-or-later */
/* console.cgi's untrusted input and its defences: the form body, Accept-Language, the CSRF token and its key, the Origin check, the message table. */
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "extern.h"

/* ------------------------------------------------------------------ form */

void
sip_form_free(struct sip_form *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->name[i]);
		free(f->value[i]);
	}
	free(f->name);
	free(f->value);
	memset(f, 0, sizeof(*f));
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * One percent-decoded token of s[0..len) into a new string: '+' is a
 * blank; a bad escape, a NUL, a control or bytes that are not UTF-8 are
 * refused (NULL, *why said).
 */
static char *
decode(const char *s, size_t len, const char **why)
{
	char *out, *o;
	const unsigned char *p;
	uint32_t cp;
	size_t i, n;
	int h, l;

	if ((out = malloc(len + 1)) == NULL) {
		*why = "out of memory";
		return NULL;
	}
	for (i = 0, o = out; i < len; i++) {
		if (s[i] == '+')
			*o++ = ' ';
		else if (s[i] == '%') {
			if (len - i < 3 ||
			    (h = hexval((unsigned char)s[i + 1])) < 0 ||
			    (l = hexval((unsigned char)s[i + 2])) < 0) {
				*why = "a '%' not followed by two hex digits";
				goto bad;
			}
			*o++ = (char)(h * 16 + l);
			i += 2;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	/* Text only: UTF-8 without controls (a tab and a newline excepted). */
	for (p = (const unsigned char *)out; p < (unsigned char *)o; p += n) {
		if ((n = sip_utf8_decode(p, &cp)) == 0 || cp == 0 ||
		    (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
		    cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			*why = "a value that is not text (not UTF-8, or a "
			    "control character)";
			goto bad;
		}
	}
	if ((size_t)(o - out) != strlen(out)) {
		*why = "a NUL byte";
		goto bad;
	}
	return out;
 bad:
	free(out);
	return NULL;
}

/* A field's name: 1 to 64 of a-z 0-9 _ . - (an option is KEY, a MAC m). */
static int
name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "0123456789_.-") == n;
}

enum sip_rc
sip_form_parse(const char *body, size_t len, struct sip_form *f,
    struct sip_err *err)
{
	const char *p = body, *end = body + len, *amp, *eq, *why = NULL;
	char *name = NULL, *value = NULL, **nn, **nv;

	memset(f, 0, sizeof(*f));
	if (len > SIP_FORM_BODY_MAX)
		return sip_errf(err, SIP_EINVAL, "form: %zu bytes, more than "
		    "%d", len, SIP_FORM_BODY_MAX);
	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp == p) {		/* "a=1&&b=2": an empty pair is none */
			p++;
			continue;
		}
		if (f->n >= SIP_FORM_FIELDS_MAX) {
			sip_form_free(f);
			return sip_errf(err, SIP_EINVAL, "form: more than %d "
			    "fields", SIP_FORM_FIELDS_MAX);
		}
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		if ((name = decode(p, (size_t)(eq - p), &why)) == NULL ||
		    (value = decode(eq < amp ? eq + 1 : amp, eq < amp ?
		    (size_t)(amp - eq - 1) : 0, &why)) == NULL)
			goto bad;
		if (!name_ok(name)) {
			why = "a field name that is not 1 to 64 of a-z 0-9 _ . -";
			goto bad;
		}
		if ((nn = reallocarray(f->name, f->n + 1, sizeof(*nn))) ==
		    NULL)
			goto nomem;
		f->name = nn;
		if ((nv = reallocarray(f->value, f->n + 1, sizeof(*nv))) ==
		    NULL)
			goto nomem;
		f->value = nv;
		f->name[f->n] = name;
		f->value[f->n] = value;
		f->n++;
		name = value = NULL;
		p = amp < end ? amp + 1 : end;
	}
	return SIP_OK;
 nomem:
	why = "out of memory";
 bad:
	free(name);
	free(value);
	sip_form_free(f);
	return sip_errf(err, strcmp(why, "out of memory") == 0 ? SIP_ENOMEM :
	    SIP_EINVAL, "form: %s", why);
}

const char *
sip_form_get(const struct sip_form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->name[i], name) == 0)
			return f->value[i];
	return NULL;
}

size_t
sip_form_count(const struct sip_form *f, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->name[i], name) == 0)
			n++;
	return n;
}

/* -------------------------------------------------------------- language */

/*
 * French unless the user asks otherwise: ?lang= first (fr or en), then
 * the first of fr or en in Accept-Language by quality (ties: the order
 * given), anything else French (SE3's language).
 */
enum sip_lang
sip_lang_choose(const char *query_lang, const char *accept)
{
	const char *p, *q;
	enum sip_lang best = SIP_LANG_FR;
	int bestq = -1, qv, i;
	size_t n, tn;
	char tag[16];

	if (query_lang != NULL) {
		if (strcmp(query_lang, "en") == 0)
			return SIP_LANG_EN;
		if (strcmp(query_lang, "fr") == 0)
			return SIP_LANG_FR;
	}
	if (accept == NULL)
		return SIP_LANG_FR;
	for (p = accept, i = 0; *p != '\0' && i < 64; i++) {
		n = strcspn(p, ",");
		/* "  en-GB ; q=0.8 " */
		q = p;
		while (q < p + n && (*q == ' ' || *q == '\t'))
			q++;
		tn = strcspn(q, ";, \t");
		if (tn > n - (size_t)(q - p))
			tn = n - (size_t)(q - p);
		snprintf(tag, sizeof(tag), "%.*s", tn < sizeof(tag) ?
		    (int)tn : 0, q);
		qv = 1000;
		if ((q = memchr(q, ';', n - (size_t)(q - p))) != NULL) {
			q++;
			while (*q == ' ' || *q == '\t')
				q++;
			if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
				q += 2;
				if (q[0] == '1')
					qv = 1000;
				else if (q[0] == '0') {
					qv = 0;
					if (q[1] == '.') {
						int k, mul = 100;

						for (k = 2; k < 5 && q[k] >= '0' &&
						    q[k] <= '9'; k++, mul /= 10)
							qv += (q[k] - '0') * mul;
					}
				} else
					qv = 0;
			}
		}
		if (qv > bestq && qv > 0 && (strncasecmp(tag, "fr", 2) == 0 ||
		    strncasecmp(tag, "en", 2) == 0) && (tag[2] == '\0' ||
		    tag[2] == '-')) {
			best = strncasecmp(tag, "en", 2) == 0 ? SIP_LANG_EN :
			    SIP_LANG_FR;
			bestq = qv;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return best;
}

/* --------------------------------------------------------- messages */

static const char *const messages[SIP_MSG__MAX][2] = {
#define M(id, fr, en)	[id] = { fr, en }
	M(SIP_MSG_TITLE, "se3-ipxe : console", "se3-ipxe: console"),
	M(SIP_MSG_PARC, "Parc", "Parc"),
	M(SIP_MSG_CHOOSE_PARC, "Choisir un parc", "Choose a parc"),
	M(SIP_MSG_SHOW, "Afficher", "Show"),
	M(SIP_MSG_NO_PARC, "Aucun parc visible pour cet identifiant.",
	    "No parc is visible to this login."),
	M(SIP_MSG_MACHINES, "Machines", "Machines"),
	M(SIP_MSG_ALL, "Tout le parc", "The whole parc"),
	M(SIP_MSG_CHECK_ALL, "Tout cocher", "Check all"),
	M(SIP_MSG_NAME, "Nom", "Name"),
	M(SIP_MSG_MAC, "MAC", "MAC"),
	M(SIP_MSG_IP, "IP", "IP"),
	M(SIP_MSG_ACTION, "Action", "Action"),
	M(SIP_MSG_STATE, "État", "State"),
	M(SIP_MSG_BOOTS, "Démarrages", "Boots"),
	M(SIP_MSG_LAST_EVENT, "Dernier événement", "Last event"),
	M(SIP_MSG_AGE, "Âge", "Age"),
	M(SIP_MSG_REACHABLE, "Joignable", "Reachable"),
	M(SIP_MSG_SET_BY, "Posée par", "Set by"),
	M(SIP_MSG_MESSAGE, "Message", "Message"),
	M(SIP_MSG_CAPABILITY, "Action à poser", "Action to set"),
	M(SIP_MSG_CHOOSE, "Choisir", "Choose"),
	M(SIP_MSG_OPTIONS, "Options", "Options"),
	M(SIP_MSG_WHEN, "Quand", "When"),
	M(SIP_MSG_AT, "À (--at, vide : maintenant)",
	    "At (--at, empty: now)"),
	M(SIP_MSG_EXPIRES, "Expire après (--expires)",
	    "Expires after (--expires)"),
	M(SIP_MSG_MAX_BOOTS, "Démarrages au plus (--max-boots)",
	    "Most boots (--max-boots)"),
	M(SIP_MSG_WOL, "Réveiller (Wake-on-LAN)", "Wake (Wake-on-LAN)"),
	M(SIP_MSG_REBOOT, "Redémarrer", "Reboot"),
	M(SIP_MSG_REBOOT_NONE, "non", "no"),
	M(SIP_MSG_REBOOT_WAIT, "attendre la fin des sessions (wait)",
	    "wait for the sessions to end (wait)"),
	M(SIP_MSG_REBOOT_IDLE, "si personne n'est connecté (idle)",
	    "if nobody is logged in (idle)"),
	M(SIP_MSG_REBOOT_FORCE, "forcer (force)", "force (force)"),
	M(SIP_MSG_SET, "Poser l'action", "Set the action"),
	M(SIP_MSG_CANCEL, "Annuler l'action en cours",
	    "Cancel the current action"),
	M(SIP_MSG_DESTRUCTIVE, "Action destructrice : elle efface les disques.",
	    "Destructive action: it erases the disks."),
	M(SIP_MSG_CONFIRM, "Confirmer l'effacement", "Confirm the erasure"),
	M(SIP_MSG_CONFIRM_TEXT, "Machines dont les disques seront EFFACÉS :",
	    "Machines whose disks will be ERASED:"),
	M(SIP_MSG_BACK, "Retour", "Back"),
	M(SIP_MSG_DONE_SET, "Machines dont l'action est posée :",
	    "Machines whose action is set:"),
	M(SIP_MSG_DONE_CANCEL, "Actions annulées :", "Actions cancelled:"),
	M(SIP_MSG_DONE_CLONE, "Session multicast créée, numéro :",
	    "Multicast session created, number:"),
	M(SIP_MSG_REFUSED, "Refusé", "Refused"),
	M(SIP_MSG_NONE_TICKED, "Aucune machine cochée.", "No machine ticked."),
	M(SIP_MSG_CLONE, "Multicast : restaurer une image",
	    "Multicast: restore an image"),
	M(SIP_MSG_IMAGE, "Image", "Image"),
	M(SIP_MSG_NO_IMAGE, "Aucune image dans le catalogue.",
	    "No image in the catalogue."),
	M(SIP_MSG_PORT, "Port (pair, vide : le premier libre)",
	    "Port (even, empty: the first free)"),
	M(SIP_MSG_MIN_RECEIVERS, "Récepteurs attendus au moins",
	    "Fewest receivers to wait for"),
	M(SIP_MSG_MAX_WAIT, "Attente après le premier (s)",
	    "Wait after the first (s)"),
	M(SIP_MSG_FALLBACK, "Terminer en unicast les machines décrochées",
	    "Finish dropped machines by unicast"),
	M(SIP_MSG_START_CLONE, "Lancer la session", "Start the session"),
	M(SIP_MSG_FROM, "Ou enregistrer d'abord un poste maître",
	    "Or save a master machine first"),
	M(SIP_MSG_FROM_NONE, "non : une image du catalogue",
	    "no: an image of the catalogue"),
	M(SIP_MSG_NEW_IMAGE, "Nom de sa nouvelle image",
	    "Its new image's name"),
	M(SIP_MSG_SYSPREP, "Windows : le préparer d'abord (sysprep)",
	    "Windows: prepare it first (sysprep)"),
	M(SIP_MSG_POWER, "Réveiller ou redémarrer, sans action",
	    "Wake or reboot, without an action"),
	M(SIP_MSG_POWER_SEND, "Envoyer", "Send"),
	M(SIP_MSG_HISTORY, "Historique d'un poste", "A machine's history"),
	M(SIP_MSG_HISTORY_SHOW, "Afficher", "Show"),
	M(SIP_MSG_TIME, "Quand", "When"),
	M(SIP_MSG_EVENT, "Évènement", "Event"),
	M(SIP_MSG_CHANGE, "Changement", "Change"),
	M(SIP_MSG_BY, "Par", "By"),
	M(SIP_MSG_DETAIL, "Détail", "Detail"),
	M(SIP_MSG_HISTORY_NONE, "Rien n'est encore arrivé à ce poste.",
	    "Nothing has happened to this machine yet."),
	M(SIP_MSG_DONE_POWER, "Machines à réveiller ou redémarrer (par la "
	    "tâche de fond, dans la minute) :", "Machines to wake or reboot "
	    "(by the tick, within the minute):"),
	M(SIP_MSG_POWER_NOTHING, "Cochez le réveil ou choisissez un "
	    "redémarrage.", "Tick the wake or choose a reboot."),
	M(SIP_MSG_SESSIONS, "Sessions multicast", "Multicast sessions"),
	M(SIP_MSG_VIEW_ONLY, "Ce parc est délégué en lecture seule.",
	    "This parc is delegated read only."),
	M(SIP_MSG_LANG_OTHER, "English", "Français"),
	M(SIP_MSG_REQUIRED, "obligatoire", "required"),
	M(SIP_MSG_SECRET_NAME, "nom d'un secret", "a secret's name"),
	M(SIP_MSG_PROGRESS, "Progression", "Progress"),
	M(SIP_MSG_WOKEN, "Réveillée", "Woken"),
	M(SIP_MSG_CONFIRM_MISMATCH, "La confirmation ne nomme pas ce nombre de "
	    "machines : rien n'a été fait.", "The confirmation does not name "
	    "this number of machines: nothing was done."),
	M(SIP_MSG_DESTRUCTIVE_SHORT, "destructrice", "destructive"),
	M(SIP_MSG_ALL_MACHINES, "toutes les machines", "all machines"),
	M(SIP_MSG_SESSION, "Session", "Session"),
	M(SIP_MSG_SESSION_CANCEL, "Annuler la session", "Cancel the session"),
	M(SIP_MSG_SESSION_FALLBACK, "Finir en unicast les non vérifiées",
	    "Finish the unverified by unicast"),
	M(SIP_MSG_DONE_SESSION_CANCEL, "Session multicast annulée :",
	    "Multicast session cancelled:"),
	M(SIP_MSG_DONE_FALLBACK, "Machines reprises en unicast :",
	    "Machines given a unicast restore:"),
	M(SIP_MSG_MEMBERS, "Machines", "Machines"),
	M(SIP_MSG_CREATED_BY, "Lancée par", "Started by"),
#undef M
};

/*
 * The words the CLI shows for a state (an action's, a session's, a
 * member's, a wake's, an event's): the page says them in its language,
 * the JSON and the CSS classes keep them as they are.
 */
static const char *const words[][2] = {
	/* An action's state (sip_state_names), "none", persistence. */
	{ "scheduled", "programmée" },
	{ "pending", "en attente" },
	{ "booting", "en démarrage" },
	{ "running", "en cours" },
	{ "done", "terminée" },
	{ "failed", "échouée" },
	{ "expired", "expirée" },
	{ "cancelled", "annulée" },
	{ "none", "aucune" },
	{ "persistent", "persistante" },
	/* The last-event column's events (sip_event_names, set, seen). */
	{ "set", "posée" },
	{ "boot", "démarrage" },
	{ "cancel", "annulation" },
	{ "tick", "échéance" },
	{ "seen", "vue" },
	/* The requests' events (sip_request_event_names). */
	{ "served", "servie" },
	{ "report", "rapport" },
	{ "file", "fichier" },
	{ "boot-refused", "démarrage refusé" },
	{ "report-refused", "rapport refusé" },
	{ "file-refused", "fichier refusé" },
	{ "wol-sent", "réveil envoyé" },
	{ "reboot-sent", "redémarrage envoyé" },
	{ "reboot-skipped", "redémarrage écarté" },
	{ "reboot-failed", "redémarrage échoué" },
	{ "secret-served", "secret servi" },
	{ "secret-refused", "secret refusé" },
	{ "menu-try", "essai du menu" },
	{ "menu-refused", "menu refusé" },
	{ "identity-refused", "identité refusée" },
	/* A multicast session's and its members' (lib/mcast.c). */
	{ "preparing", "préparation du maître (sysprep)" },
	{ "saving", "enregistrement du maître" },
	{ "forming", "en formation" },
	{ "transferring", "en transfert" },
	{ "partial", "partielle" },
	{ "waiting", "attend le flux" },
	{ "receiving", "en réception" },
	{ "verifying", "en vérification" },
	{ "verified", "vérifiée" },
	{ "restored", "restaurée" },
	{ "dropped", "décrochée" },
	{ "missed", "manquée" },
	{ "fallback", "reprise en unicast" },
	/* Wake-on-LAN (sip_wake_status_name), reachability. */
	{ "waking", "réveil en cours" },
	{ "woken", "réveillée" },
	{ "not woken", "non réveillée" },
	{ "gave up", "abandon" },
	{ "yes", "oui" },
	{ "no", "non" },
};

const char *
sip_word(enum sip_lang lang, const char *en)
{
	size_t i;

	if (lang == SIP_LANG_EN || en == NULL)
		return en;
	for (i = 0; i < SIP_ARRAY_SIZE(words); i++)
		if (strcmp(words[i][0], en) == 0)
			return words[i][1];
	return en;
}

int
sip_words_json(enum sip_lang lang, struct sip_buf *b)
{
	size_t i;

	sip_buf_puts(b, "{");
	for (i = 0; lang != SIP_LANG_EN && i < SIP_ARRAY_SIZE(words); i++) {
		if (i > 0)
			sip_buf_puts(b, ",");
		sip_json_str(b, words[i][0]);
		sip_buf_puts(b, ":");
		sip_json_str(b, words[i][1]);
	}
	sip_buf_puts(b, "}");
	return b->failed ? -1 : 0;
}

const char *
sip_msg(enum sip_lang lang, enum sip_msg id)
{
	if ((unsigned)id >= SIP_MSG__MAX || messages[id][0] == NULL)
		return "?";
	return messages[id][lang == SIP_LANG_EN ? 1 : 0];
}

const char *
sip_lang_code(enum sip_lang lang)
{
	return lang == SIP_LANG_EN ? "en" : "fr";
}

/* ------------------------------------------------------------------ CSRF */

static void
hex_to_bytes(const char *hex, unsigned char *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = (unsigned char)(hexval((unsigned char)hex[2 * i]) * 16 +
		    hexval((unsigned char)hex[2 * i + 1]));
}

void
sip_hmac_sha256(const unsigned char *key, size_t klen, const void *msg,
    size_t mlen, char out[SIP_SHA256_HEX + 1])
{
	struct sip_sha256 s;
	unsigned char k[64], pad[64], inner[32];
	char hex[SIP_SHA256_HEX + 1];
	size_t i;

	memset(k, 0, sizeof(k));
	if (klen > sizeof(k)) {
		sip_sha256_init(&s);
		sip_sha256_update(&s, key, klen);
		sip_sha256_final(&s, hex);
		hex_to_bytes(hex, k, 32);
	} else
		memcpy(k, key, klen);
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	sip_sha256_init(&s);
	sip_sha256_update(&s, pad, 64);
	sip_sha256_update(&s, msg, mlen);
	sip_sha256_final(&s, hex);
	hex_to_bytes(hex, inner, 32);
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	sip_sha256_init(&s);
	sip_sha256_update(&s, pad, 64);
	sip_sha256_update(&s, inner, 32);
	sip_sha256_final(&s, out);
	explicit_bzero(k, sizeof(k));
	explicit_bzero(pad, sizeof(pad));
}

/* "console 1\n" LOGIN "\n" ISSUED: what the token's MAC covers. */
static void
csrf_mac(const unsigned char *key, size_t klen, const char *login,
    long long issued, char out[SIP_SHA256_HEX + 1])
{
	char msg[SIP_LOGIN_MAX + 64];
	int n;

	n = snprintf(msg, sizeof(msg), "console 1\n%s\n%lld", login, issued);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	sip_hmac_sha256(key, klen, msg, (size_t)n, out);
}

void
sip_csrf_token(const unsigned char *key, size_t klen, const char *login,
    time_t now, char out[SIP_CSRF_TOKEN_MAX])
{
	char mac[SIP_SHA256_HEX + 1];

	csrf_mac(key, klen, login, (long long)now, mac);
	snprintf(out, SIP_CSRF_TOKEN_MAX, "%lld.%s", (long long)now, mac);
}

enum sip_rc
sip_csrf_check(const unsigned char *key, size_t klen, const char *login,
    const char *token, time_t now, struct sip_err *err)
{
	char mac[SIP_SHA256_HEX + 1];
	const char *dot;
	char *end;
	long long issued;
	unsigned char diff = 0;
	size_t i;

	if (token == NULL || *token == '\0')
		return sip_errf(err, SIP_EDENIED, "no CSRF token");
	if ((dot = strchr(token, '.')) == NULL || token[0] < '0' ||
	    token[0] > '9' || strlen(dot + 1) != SIP_SHA256_HEX)
		return sip_errf(err, SIP_EDENIED, "a CSRF token that is not "
		    "ISSUED.HMAC");
	errno = 0;
	issued = strtoll(token, &end, 10);
	if (errno != 0 || end != dot)
		return sip_errf(err, SIP_EDENIED, "a CSRF token that is not "
		    "ISSUED.HMAC");
	csrf_mac(key, klen, login, issued, mac);
	/* In constant time: the comparison tells nothing of the right MAC. */
	for (i = 0; i < SIP_SHA256_HEX; i++)
		diff |= (unsigned char)(mac[i] ^ dot[1 + i]);
	if (diff != 0)
		return sip_errf(err, SIP_EDENIED, "a CSRF token not made for "
		    "%s by this server", login);
	if (issued > (long long)now + 60 ||
	    (long long)now - issued > SIP_CSRF_TTL)
		return sip_errf(err, SIP_EDENIED, "a CSRF token out of date "
		    "(made %lld s ago, valid %d s): reload the page",
		    (long long)now - issued, SIP_CSRF_TTL);
	return SIP_OK;
}

enum sip_rc
sip_csrf_key(const char *path, unsigned char key[SIP_CSRF_KEY_LEN],
    struct sip_err *err)
{
	struct stat sb;
	ssize_t n;
	size_t got;
	int fd, tries;

	for (tries = 0; tries < 3; tries++) {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) != -1) {
			if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
			    (sb.st_mode & 077) != 0) {
				close(fd);
				return sip_errf(err, SIP_ECONFIG, "%s: the "
				    "console's key must be a regular file "
				    "only its owner reads (mode 0600)", path);
			}
			for (got = 0; got < SIP_CSRF_KEY_LEN; got += (size_t)n)
				if ((n = read(fd, key + got,
				    SIP_CSRF_KEY_LEN - got)) <= 0)
					break;
			close(fd);
			if (got == SIP_CSRF_KEY_LEN)
				return SIP_OK;
			/* Another request is writing it: a moment. */
			usleep(20000);
			continue;
		}
		if (errno != ENOENT)
			return sip_errf(err, SIP_EIO, "%s: %s", path,
			    strerror(errno));
		/* The first request makes it: random, never overwritten. */
		if (getrandom(key, SIP_CSRF_KEY_LEN, 0) !=
		    SIP_CSRF_KEY_LEN)
			return sip_errf(err, SIP_EIO, "getrandom: %s",
			    strerror(errno));
		if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOFOLLOW, 0600)) == -1) {
			if (errno == EEXIST)
				continue;
			return sip_errf(err, SIP_EIO, "%s: %s", path,
			    strerror(errno));
		}
		n = write(fd, key, SIP_CSRF_KEY_LEN);
		if (n != SIP_CSRF_KEY_LEN || fsync(fd) == -1) {
			close(fd);
			unlink(path);
			return sip_errf(err, SIP_EIO, "%s: cannot write",
			    path);
		}
		close(fd);
		return SIP_OK;
	}
	return sip_errf(err, SIP_EIO, "%s: shorter than %d bytes", path,
	    SIP_CSRF_KEY_LEN);
}

/* ---------------------------------------------------------------- Origin */

/* Is url ("http://HOST[:PORT]" then "/", or the end) this server's? */
static int
same_origin(const char *url, const char *host, int https, int prefix)
{
	const char *scheme = https ? "https://" : "http://";
	size_t sl = strlen(scheme), hl;

	if (host == NULL || *host == '\0' || strncasecmp(url, scheme, sl) != 0)
		return 0;
	url += sl;
	hl = strlen(host);
	if (strncasecmp(url, host, hl) != 0)
		return 0;
	url += hl;
	if (*url == '\0')
		return 1;
	return prefix && *url == '/';
}

enum sip_rc
sip_origin_check(const char *origin, const char *referer, const char *host,
    int https, struct sip_err *err)
{
	if (host == NULL || *host == '\0')
		return sip_errf(err, SIP_EDENIED, "no Host header to check "
		    "the Origin against");
	if (origin != NULL && *origin != '\0') {
		if (same_origin(origin, host, https, 0))
			return SIP_OK;
		return sip_errf(err, SIP_EDENIED, "Origin is not this server "
		    "(%s://%s)", https ? "https" : "http", host);
	}
	if (referer != NULL && *referer != '\0') {
		if (same_origin(referer, host, https, 1))
			return SIP_OK;
		return sip_errf(err, SIP_EDENIED, "Referer is not a page of "
		    "this server (%s://%s)", https ? "https" : "http", host);
	}
	return sip_errf(err, SIP_EDENIED, "neither Origin nor Referer: a "
	    "change needs one that names this server");
}
