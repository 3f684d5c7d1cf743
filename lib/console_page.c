/* SPDX-License-Identifier: GPL-3.0-or-later */
/* console.cgi's pages: the parc's machines with a box each, the typed form of a capability's options, the multicast form, the confirmation; every value escaped for its context. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "se3ipxe.h"
#include "extern.h"

#define T(id)	sip_msg(p->lang, (id))

/* Text, escaped for HTML text and attributes alike. */
static void
esc(struct sip_buf *b, const char *s)
{
	sip_html_escape(b, s != NULL ? s : "");
}

int
sip_html_pattern(struct sip_buf *b, const char *ere)
{
	const char *s;
	int inclass = 0;

	/*
	 * Browsers compile pattern with the v flag, where a class takes
	 * ( ) [ { } / - | \ only escaped: a literal '-' at a class's edge
	 * and those others are escaped, the ERE otherwise as it is (ours
	 * have no back-references, no POSIX classes).
	 */
	for (s = ere; *s != '\0'; s++) {
		if (!inclass) {
			if (*s == '[') {
				inclass = 1;
				sip_buf_puts(b, "[");
				if (s[1] == '^') {
					sip_buf_puts(b, "^");
					s++;
				}
				continue;
			}
			sip_buf_append(b, s, 1);
			continue;
		}
		if (*s == ']') {
			inclass = 0;
			sip_buf_puts(b, "]");
		} else if (*s == '-' && (s[-1] == '[' || s[-1] == '^' ||
		    s[1] == ']'))
			sip_buf_puts(b, "\\-");
		else if (strchr("(){}/|[", *s) != NULL) {
			sip_buf_puts(b, "\\");
			sip_buf_append(b, s, 1);
		} else
			sip_buf_append(b, s, 1);
	}
	return b->failed ? -1 : 0;
}

static void
head(const struct sip_console_page *p, struct sip_buf *b, const char *json)
{
	struct sip_buf w;

	sip_buf_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>", sip_lang_code(p->lang));
	esc(b, T(SIP_MSG_TITLE));
	sip_buf_printf(b, "</title>\n<link rel=\"stylesheet\" "
	    "href=\"%s/console.css\">\n<script src=\"%s/console.js\" defer>"
	    "</script>\n</head>\n<body", p->base, p->base);
	if (json != NULL) {
		sip_buf_printf(b, " data-json=\"%s/console.json?parc=", p->base);
		esc(b, json);
		sip_buf_printf(b, "\" data-refresh=\"%d\"", p->refresh);
		/* What the script renders from the JSON, in this language. */
		sip_buf_init(&w);
		sip_words_json(p->lang, &w);
		sip_buf_puts(b, " data-words=\"");
		esc(b, w.failed ? "{}" : w.data);
		sip_buf_puts(b, "\"");
		sip_buf_free(&w);
	}
	sip_buf_puts(b, ">\n<header><h1>");
	esc(b, T(SIP_MSG_TITLE));
	sip_buf_puts(b, "</h1><p class=\"who\"><span id=\"login\">");
	esc(b, p->login);
	sip_buf_printf(b, "</span> · <a href=\"%s/?lang=%s", p->base,
	    p->lang == SIP_LANG_EN ? "fr" : "en");
	if (p->parc != NULL) {
		sip_buf_puts(b, "&amp;parc=");
		esc(b, p->parc);
	}
	sip_buf_puts(b, "\">");
	esc(b, T(SIP_MSG_LANG_OTHER));
	sip_buf_puts(b, "</a></p></header>\n");
}

static void
hidden(struct sip_buf *b, const char *name, const char *value)
{
	sip_buf_puts(b, "<input type=\"hidden\" name=\"");
	esc(b, name);
	sip_buf_puts(b, "\" value=\"");
	esc(b, value);
	sip_buf_puts(b, "\">");
}

/* One typed field for option o, named PREFIX.KEY. */
/* A submit button, for op (NULL: the form's own), attrs as they are, its text from the table. */
static void
button(const struct sip_console_page *p, struct sip_buf *b, const char *op,
    const char *attrs, enum sip_msg text)
{
	sip_buf_puts(b, "<button type=\"submit\"");
	if (op != NULL)
		sip_buf_printf(b, " name=\"op\" value=\"%s\"", op);
	sip_buf_printf(b, "%s>", attrs);
	esc(b, T(text));
	sip_buf_puts(b, "</button>");
}

/* The catalogue's images with a manifest, as a select's options. */
static void
image_options(const struct sip_console_page *p, struct sip_buf *b)
{
	size_t i;

	for (i = 0; i < p->nimages; i++) {
		if (p->images[i].m == NULL)
			continue;
		sip_buf_puts(b, "<option value=\"");
		esc(b, p->images[i].row.name);
		sip_buf_puts(b, "\">");
		esc(b, p->images[i].row.name);
		sip_buf_puts(b, "</option>");
	}
}

static void
option_field(const struct sip_console_page *p, struct sip_buf *b,
    const char *prefix, const struct sip_option *o)
{
	char name[SIP_NAME_MAX + 8];
	size_t i;
	int required = o->def == NULL;

	snprintf(name, sizeof(name), "%s.%s", prefix, o->name);
	sip_buf_puts(b, "<div class=\"field\"><label><span>");
	esc(b, o->name);
	if (required) {
		sip_buf_puts(b, " (");
		esc(b, T(SIP_MSG_REQUIRED));
		sip_buf_puts(b, ")");
	}
	sip_buf_puts(b, "</span> ");
	switch (o->type) {
	case SIP_OPT_ENUM:
		sip_buf_printf(b, "<select name=\"%s\">", name);
		for (i = 0; o->values != NULL && o->values[i] != NULL; i++) {
			sip_buf_puts(b, "<option value=\"");
			esc(b, o->values[i]);
			sip_buf_puts(b, "\"");
			if (o->def != NULL && strcmp(o->def, o->values[i]) == 0)
				sip_buf_puts(b, " selected");
			sip_buf_puts(b, ">");
			esc(b, o->values[i]);
			sip_buf_puts(b, "</option>");
		}
		sip_buf_puts(b, "</select>");
		break;
	case SIP_OPT_BOOLEAN:
		/* Unticked sends nothing: the server reads that as no. */
		sip_buf_printf(b, "<input type=\"checkbox\" name=\"%s\" "
		    "value=\"yes\"%s>", name, o->def != NULL &&
		    strcmp(o->def, "yes") == 0 ? " checked" : "");
		break;
	case SIP_OPT_INTEGER:
		sip_buf_printf(b, "<input type=\"number\" name=\"%s\" "
		    "min=\"%lld\" max=\"%lld\" step=\"1\" value=\"", name,
		    (long long)o->min, (long long)o->max);
		esc(b, o->def);
		sip_buf_printf(b, "\"%s>", required ? " required" : "");
		break;
	case SIP_OPT_NAME:
		if (o->exists_image) {
			sip_buf_printf(b, "<select name=\"%s\"%s>", name,
			    required ? " required" : "");
			if (!required)
				sip_buf_puts(b, "<option value=\"\"></option>");
			image_options(p, b);
			sip_buf_puts(b, "</select>");
			break;
		}
		sip_buf_printf(b, "<input type=\"text\" name=\"%s\" "
		    "autocomplete=\"off\" value=\"", name);
		esc(b, o->def);
		sip_buf_puts(b, "\"");
		if (o->pattern != NULL) {
			struct sip_buf pat;

			sip_buf_init(&pat);
			sip_html_pattern(&pat, o->pattern);
			sip_buf_puts(b, " pattern=\"");
			esc(b, pat.data != NULL ? pat.data : "");
			sip_buf_puts(b, "\"");
			sip_buf_free(&pat);
		}
		sip_buf_printf(b, "%s>", required ? " required" : "");
		break;
	case SIP_OPT_SECRET:
		/* The name of a secret, never its value: no value to show. */
		sip_buf_printf(b, "<input type=\"text\" name=\"%s\" "
		    "autocomplete=\"off\" pattern=\"[a-z][a-z0-9_]{0,31}\" "
		    "placeholder=\"", name);
		esc(b, T(SIP_MSG_SECRET_NAME));
		sip_buf_puts(b, "\" value=\"");
		esc(b, o->def);
		sip_buf_puts(b, "\">");
		break;
	default:
		sip_buf_printf(b, "<input type=\"text\" name=\"%s\" value=\"",
		    name);
		esc(b, o->def);
		sip_buf_printf(b, "\"%s>", required ? " required" : "");
		break;
	}
	sip_buf_puts(b, "</label>");
	if (o->description != NULL) {
		sip_buf_puts(b, " <small>");
		esc(b, o->description);
		sip_buf_puts(b, "</small>");
	}
	sip_buf_puts(b, "</div>\n");
}

/* The options restore's session sets itself: not the admin's to give. */
static int
clone_sets(const char *name)
{
	return strcmp(name, "image") == 0 || strcmp(name, "session") == 0 ||
	    strcmp(name, "port") == 0 || strcmp(name, "wait") == 0;
}

/* Reboot policy and wake, named PREFIX"reboot" and PREFIX"wol". */
static void
policy_select(const struct sip_console_page *p, struct sip_buf *b,
    const char *prefix)
{
	sip_buf_puts(b, "<div class=\"field\"><label><span>");
	esc(b, T(SIP_MSG_REBOOT));
	sip_buf_printf(b, "</span> <select name=\"%sreboot\">"
	    "<option value=\"\" selected>", prefix);
	esc(b, T(SIP_MSG_REBOOT_NONE));
	sip_buf_puts(b, "</option><option value=\"wait\">");
	esc(b, T(SIP_MSG_REBOOT_WAIT));
	sip_buf_puts(b, "</option><option value=\"idle\">");
	esc(b, T(SIP_MSG_REBOOT_IDLE));
	sip_buf_puts(b, "</option><option value=\"force\">");
	esc(b, T(SIP_MSG_REBOOT_FORCE));
	sip_buf_printf(b, "</option></select></label></div>\n"
	    "<div class=\"field\"><label><input type=\"checkbox\" "
	    "name=\"%swol\" value=\"yes\"> ", prefix);
	esc(b, T(SIP_MSG_WOL));
	sip_buf_puts(b, "</label></div>\n");
}

/* --at, named PREFIX"at". */
static void
at_field(const struct sip_console_page *p, struct sip_buf *b,
    const char *prefix)
{
	sip_buf_puts(b, "<div class=\"field\"><label><span>");
	esc(b, T(SIP_MSG_AT));
	sip_buf_printf(b, "</span> <input type=\"text\" name=\"%sat\" "
	    "placeholder=\"+2h, 2026-12-24 08:00\" maxlength=\"32\">"
	    "</label></div>\n", prefix);
}

/* A table's header cells in the page's language, then its body opens. */
static void
th_row(const struct sip_console_page *p, struct sip_buf *b,
    const enum sip_msg *cols, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		sip_buf_puts(b, "<th>");
		esc(b, T(cols[i]));
		sip_buf_puts(b, "</th>");
	}
	sip_buf_puts(b, "</tr></thead>\n<tbody>\n");
}

static void
machines_table(const struct sip_console_page *p, struct sip_buf *b,
    const struct sip_status_group *g)
{
	static const enum sip_msg cols[] = {
		SIP_MSG_NAME, SIP_MSG_MAC, SIP_MSG_IP, SIP_MSG_ACTION,
		SIP_MSG_STATE, SIP_MSG_BOOTS, SIP_MSG_PROGRESS,
		SIP_MSG_LAST_EVENT, SIP_MSG_AGE, SIP_MSG_WOKEN,
		SIP_MSG_REACHABLE, SIP_MSG_SET_BY, SIP_MSG_MESSAGE,
	};
	size_t i;

	sip_buf_puts(b, "<div class=\"scroll\"><table id=\"machines\">\n"
	    "<thead><tr>");
	if (p->may_act) {
		sip_buf_puts(b, "<th><input type=\"checkbox\" id=\"checkall\" "
		    "title=\"");
		esc(b, T(SIP_MSG_CHECK_ALL));
		sip_buf_puts(b, "\" hidden></th>");
	}
	th_row(p, b, cols, SIP_ARRAY_SIZE(cols));
	for (i = 0; i < g->n; i++)
		sip_status_html_item(b, &g->items[i], p->view->now,
		    p->may_act ? "m" : NULL, p->lang);
	sip_buf_puts(b, "</tbody>\n</table></div>\n");
}

/* The capability chooser: a GET form, so that no script is needed. */
static void
cap_chooser(const struct sip_console_page *p, struct sip_buf *b)
{
	const struct sip_capability *c;
	char full[2 * SIP_NAME_MAX + 2];
	size_t i, j;

	sip_buf_printf(b, "<form method=\"get\" action=\"%s/\" "
	    "class=\"pick\" id=\"capform\">", p->base);
	hidden(b, "parc", p->parc);
	hidden(b, "lang", sip_lang_code(p->lang));
	sip_buf_puts(b, "<label><span>");
	esc(b, T(SIP_MSG_CAPABILITY));
	sip_buf_puts(b, "</span> <select name=\"cap\">");
	if (p->cap == NULL) {
		sip_buf_puts(b, "<option value=\"\" selected>");
		esc(b, T(SIP_MSG_CHOOSE));
		sip_buf_puts(b, "…</option>");
	}
	for (i = 0; i < p->nmods; i++) {
		sip_buf_puts(b, "<optgroup label=\"");
		esc(b, p->mods[i]->name);
		sip_buf_puts(b, "\">");
		for (j = 0; j < p->mods[i]->ncaps; j++) {
			c = &p->mods[i]->caps[j];
			snprintf(full, sizeof(full), "%s:%s", p->mods[i]->name,
			    c->name);
			sip_buf_puts(b, "<option value=\"");
			esc(b, full);
			sip_buf_puts(b, "\"");
			if (p->cap != NULL && strcmp(p->cap, full) == 0)
				sip_buf_puts(b, " selected");
			sip_buf_puts(b, ">");
			esc(b, full);
			if (c->destructive) {
				sip_buf_puts(b, " (");
				esc(b, T(SIP_MSG_DESTRUCTIVE_SHORT));
				sip_buf_puts(b, ")");
			}
			sip_buf_puts(b, "</option>");
		}
		sip_buf_puts(b, "</optgroup>");
	}
	sip_buf_puts(b, "</select></label> ");
	button(p, b, NULL, "", SIP_MSG_CHOOSE);
	sip_buf_puts(b, "</form>\n");
}

static void
action_fields(const struct sip_console_page *p, struct sip_buf *b)
{
	size_t i;

	sip_buf_puts(b, "<fieldset id=\"setaction\"><legend>");
	esc(b, T(SIP_MSG_ACTION));
	sip_buf_puts(b, "</legend>\n");
	if (p->capp != NULL) {
		hidden(b, "cap", p->cap);
		sip_buf_puts(b, "<p class=\"cap\"><strong>");
		esc(b, p->cap);
		sip_buf_puts(b, "</strong> ");
		esc(b, p->capp->description);
		sip_buf_puts(b, "</p>\n");
		if (p->capp->destructive) {
			sip_buf_puts(b, "<p class=\"warn\">");
			esc(b, T(SIP_MSG_DESTRUCTIVE));
			sip_buf_puts(b, "</p>\n");
		}
		for (i = 0; i < p->capp->noptions; i++)
			option_field(p, b, "o", &p->capp->options[i]);
		at_field(p, b, "");
		sip_buf_puts(b, "<div class=\"field\"><label><span>");
		esc(b, T(SIP_MSG_EXPIRES));
		sip_buf_puts(b, "</span> <input type=\"text\" name=\"expires\" "
		    "pattern=\"[0-9]+[smhdw]?\" placeholder=\"4h\" "
		    "maxlength=\"16\"></label></div>\n"
		    "<div class=\"field\"><label><span>");
		esc(b, T(SIP_MSG_MAX_BOOTS));
		sip_buf_printf(b, "</span> <input type=\"number\" "
		    "name=\"max_boots\" min=\"%d\" max=\"%d\"></label></div>\n",
		    SIP_MAX_BOOTS_MIN, p->capp->completion ==
		    SIP_COMPLETE_PERSISTENT ? SIP_PERSISTENT_MAX_BOOTS :
		    SIP_MAX_BOOTS_MAX);
		policy_select(p, b, "");
		button(p, b, "set", "", SIP_MSG_SET);
		sip_buf_puts(b, " ");
	}
	button(p, b, "cancel", " formnovalidate", SIP_MSG_CANCEL);
	sip_buf_puts(b, "\n</fieldset>\n");
}

/* The parc's machines with a MAC as a select's options, "name (MAC)"; selected: that MAC's, or none. */
static void
machine_options(struct sip_buf *b, const struct sip_status_group *g,
    const char *selected)
{
	size_t i;

	for (i = 0; g != NULL && i < g->n; i++) {
		if (g->items[i].mac == NULL || g->items[i].mac[0] == '\0')
			continue;
		sip_buf_puts(b, "<option value=\"");
		esc(b, g->items[i].mac);
		sip_buf_printf(b, "\"%s>", selected != NULL &&
		    strcmp(selected, g->items[i].mac) == 0 ? " selected" : "");
		esc(b, g->items[i].name != NULL ? g->items[i].name :
		    g->items[i].mac);
		sip_buf_puts(b, " (");
		esc(b, g->items[i].mac);
		sip_buf_puts(b, ")</option>");
	}
}

/* clone --from: a machine of the parc saved first, as a new image. */
static void
master_fields(const struct sip_console_page *p, struct sip_buf *b,
    const struct sip_status_group *g)
{
	sip_buf_puts(b, "<div class=\"field\"><label><span>");
	esc(b, T(SIP_MSG_FROM));
	sip_buf_puts(b, "</span> <select name=\"from\"><option value=\"\">");
	esc(b, T(SIP_MSG_FROM_NONE));
	sip_buf_puts(b, "</option>");
	machine_options(b, g, NULL);
	sip_buf_puts(b, "</select></label></div>\n<div class=\"field\">"
	    "<label><span>");
	esc(b, T(SIP_MSG_NEW_IMAGE));
	sip_buf_puts(b, "</span> <input type=\"text\" name=\"new_image\" "
	    "pattern=\"[A-Za-z0-9][A-Za-z0-9_\\-]{0,63}\" maxlength=\"64\">"
	    "</label></div>\n<div class=\"field\"><label><input "
	    "type=\"checkbox\" name=\"sysprep\" value=\"yes\"> ");
	esc(b, T(SIP_MSG_SYSPREP));
	sip_buf_puts(b, "</label></div>\n");
}

static void
clone_fields(const struct sip_console_page *p, struct sip_buf *b,
    const struct sip_status_group *g)
{
	size_t i;

	if (p->restore == NULL)
		return;
	sip_buf_puts(b, "<fieldset id=\"clone\"><legend>");
	esc(b, T(SIP_MSG_CLONE));
	sip_buf_puts(b, "</legend>\n<p class=\"warn\">");
	esc(b, T(SIP_MSG_DESTRUCTIVE));
	sip_buf_puts(b, "</p>\n");
	if (p->nimages == 0) {
		sip_buf_puts(b, "<p>");
		esc(b, T(SIP_MSG_NO_IMAGE));
		sip_buf_puts(b, "</p>\n");
	} else {
		sip_buf_puts(b, "<div class=\"field\"><label><span>");
		esc(b, T(SIP_MSG_IMAGE));
		sip_buf_puts(b, "</span> <select name=\"image\">");
		image_options(p, b);
		sip_buf_puts(b, "</select></label></div>\n");
	}
	master_fields(p, b, g);
	for (i = 0; i < p->restore->noptions; i++)
		if (!clone_sets(p->restore->options[i].name) &&
		    strncmp(p->restore->options[i].name, "share", 5) != 0)
			option_field(p, b, "c", &p->restore->options[i]);
	sip_buf_puts(b, "<div class=\"field\"><label><span>");
	esc(b, T(SIP_MSG_PORT));
	sip_buf_printf(b, "</span> <input type=\"number\" name=\"port\" "
	    "min=\"%d\" max=\"%d\" step=\"2\"></label></div>\n"
	    "<div class=\"field\"><label><span>", SIP_MCAST_PORT_MIN,
	    SIP_MCAST_PORT_MAX);
	esc(b, T(SIP_MSG_MIN_RECEIVERS));
	sip_buf_printf(b, "</span> <input type=\"number\" "
	    "name=\"min_receivers\" min=\"1\" max=\"%d\"></label></div>\n"
	    "<div class=\"field\"><label><span>", SIP_MCAST_MEMBERS_MAX);
	esc(b, T(SIP_MSG_MAX_WAIT));
	sip_buf_puts(b, "</span> <input type=\"number\" name=\"max_wait\" "
	    "min=\"1\" max=\"3540\" value=\"300\"></label></div>\n"
	    "<div class=\"field\"><label><input type=\"checkbox\" "
	    "name=\"fallback\" value=\"yes\"> ");
	esc(b, T(SIP_MSG_FALLBACK));
	sip_buf_puts(b, "</label></div>\n");
	at_field(p, b, "clone_");
	policy_select(p, b, "clone_");
	button(p, b, "clone", " formnovalidate", SIP_MSG_START_CLONE);
	sip_buf_puts(b, "\n</fieldset>\n");
}

/*
 * The CLI's history TARGET: a GET form choosing a machine of the parc,
 * then its rows, oldest first, every text escaped, states in the page's
 * language.
 */
static void
history_section(const struct sip_console_page *p, struct sip_buf *b,
    const struct sip_status_group *g)
{
	static const enum sip_msg cols[] = {
		SIP_MSG_TIME, SIP_MSG_ACTION, SIP_MSG_EVENT, SIP_MSG_CHANGE,
		SIP_MSG_BY, SIP_MSG_DETAIL,
	};
	const struct sip_history *h;
	struct tm tm;
	time_t at;
	char when[32];
	size_t i;

	sip_buf_puts(b, "<section id=\"history\"><h2>");
	esc(b, T(SIP_MSG_HISTORY));
	sip_buf_printf(b, "</h2>\n<form method=\"get\" action=\"%s/\" "
	    "class=\"pick\">", p->base);
	hidden(b, "parc", p->parc);
	hidden(b, "lang", sip_lang_code(p->lang));
	sip_buf_puts(b, "<select name=\"history\">");
	machine_options(b, g, p->history_mac);
	sip_buf_puts(b, "</select> ");
	button(p, b, NULL, "", SIP_MSG_HISTORY_SHOW);
	sip_buf_puts(b, "</form>\n");
	if (p->history_mac == NULL) {
		sip_buf_puts(b, "</section>\n");
		return;
	}
	if (p->nhistory == 0) {
		sip_buf_puts(b, "<p>");
		esc(b, T(SIP_MSG_HISTORY_NONE));
		sip_buf_puts(b, "</p>\n</section>\n");
		return;
	}
	sip_buf_puts(b, "<div class=\"scroll\"><table>\n<thead><tr>");
	th_row(p, b, cols, SIP_ARRAY_SIZE(cols));
	for (i = 0; i < p->nhistory; i++) {
		h = &p->history[i];
		at = (time_t)h->at;
		if (localtime_r(&at, &tm) == NULL || strftime(when,
		    sizeof(when), "%Y-%m-%d %H:%M:%S", &tm) == 0)
			snprintf(when, sizeof(when), "@%lld", (long long)h->at);
		sip_buf_puts(b, "<tr><td>");
		esc(b, when);
		sip_buf_puts(b, "</td><td>");
		esc(b, h->action != NULL ? h->action : "-");
		sip_buf_puts(b, "</td><td>");
		esc(b, h->event != NULL ? sip_word(p->lang, h->event) : "-");
		sip_buf_puts(b, "</td><td>");
		if (h->old_state != NULL && h->new_state != NULL) {
			esc(b, sip_word(p->lang, h->old_state));
			sip_buf_puts(b, " → ");
			esc(b, sip_word(p->lang, h->new_state));
		}
		sip_buf_puts(b, "</td><td>");
		esc(b, h->who != NULL ? h->who : "-");
		sip_buf_puts(b, "</td><td>");
		esc(b, h->detail != NULL ? h->detail : "");
		sip_buf_puts(b, "</td></tr>\n");
	}
	sip_buf_puts(b, "</tbody>\n</table></div>\n</section>\n");
}

/* wol and reboot of the CLI: the ticked machines woken or rebooted, no action set. */
static void
power_fields(const struct sip_console_page *p, struct sip_buf *b)
{
	sip_buf_puts(b, "<fieldset id=\"power\"><legend>");
	esc(b, T(SIP_MSG_POWER));
	sip_buf_puts(b, "</legend>\n");
	policy_select(p, b, "power_");
	at_field(p, b, "power_");
	button(p, b, "power", " formnovalidate", SIP_MSG_POWER_SEND);
	sip_buf_puts(b, "\n</fieldset>\n");
}

/* The open sessions of the parc: each with its members, and its buttons. */
static void
sessions_section(const struct sip_console_page *p, struct sip_buf *b)
{
	const struct sip_console_session *cs;
	size_t i, j;

	if (p->nsessions == 0)
		return;
	sip_buf_puts(b, "<section id=\"sessions\"><h3>");
	esc(b, T(SIP_MSG_SESSIONS));
	sip_buf_puts(b, "</h3>\n<div class=\"scroll\"><table>\n<thead><tr><th>");
	esc(b, T(SIP_MSG_SESSION));
	sip_buf_puts(b, "</th><th>");
	esc(b, T(SIP_MSG_IMAGE));
	sip_buf_puts(b, "</th><th>");
	esc(b, T(SIP_MSG_STATE));
	sip_buf_puts(b, "</th><th>");
	esc(b, T(SIP_MSG_CREATED_BY));
	sip_buf_puts(b, "</th><th>");
	esc(b, T(SIP_MSG_MEMBERS));
	sip_buf_puts(b, "</th>");
	if (p->may_act)
		sip_buf_puts(b, "<th></th>");
	sip_buf_puts(b, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < p->nsessions; i++) {
		cs = &p->sessions[i];
		sip_buf_printf(b, "<tr data-session=\"%lld\"><td>%lld</td><td>",
		    (long long)cs->s->id, (long long)cs->s->id);
		esc(b, cs->s->image);
		sip_buf_puts(b, "</td><td>");
		esc(b, sip_word(p->lang, sip_mcast_state_name(cs->s->state)));
		sip_buf_puts(b, "</td><td>");
		esc(b, cs->s->created_by);
		sip_buf_puts(b, "</td><td>");
		for (j = 0; j < cs->nm; j++) {
			sip_buf_puts(b, j > 0 ? "<br>" : "");
			esc(b, cs->m[j].mac);
			sip_buf_puts(b, " ");
			esc(b, sip_word(p->lang,
			    sip_member_state_name(cs->m[j].mstate)));
			if (cs->m[j].progress > 0)
				sip_buf_printf(b, " %d%%", cs->m[j].progress);
		}
		sip_buf_puts(b, "</td>");
		if (p->may_act) {
			char id[24];

			snprintf(id, sizeof(id), "%lld", (long long)cs->s->id);
			sip_buf_printf(b, "<td><form method=\"post\" "
			    "action=\"%s/\">", p->base);
			hidden(b, "token", p->token);
			hidden(b, "parc", p->parc);
			hidden(b, "lang", sip_lang_code(p->lang));
			hidden(b, "session", id);
			button(p, b, "session-cancel", "",
			    SIP_MSG_SESSION_CANCEL);
			sip_buf_puts(b, " ");
			button(p, b, "session-fallback", "",
			    SIP_MSG_SESSION_FALLBACK);
			sip_buf_puts(b, "</form></td>");
		}
		sip_buf_puts(b, "</tr>\n");
	}
	sip_buf_puts(b, "</tbody>\n</table></div>\n</section>\n");
}

int
sip_console_html(const struct sip_console_page *p, struct sip_buf *b)
{
	const struct sip_status_group *g = NULL;
	size_t i;

	for (i = 0; p->parc != NULL && i < p->view->ngroups; i++)
		if (p->view->groups[i].parc != NULL &&
		    strcmp(p->view->groups[i].parc, p->parc) == 0)
			g = &p->view->groups[i];
	head(p, b, g != NULL ? p->parc : NULL);
	if (p->notice != NULL) {
		sip_buf_printf(b, "<p class=\"notice %s\" role=\"status\" "
		    "id=\"notice\">", p->notice_error ? "err" : "ok");
		esc(b, p->notice);
		sip_buf_puts(b, "</p>\n");
	}
	if (p->view->ngroups == 0) {
		sip_buf_puts(b, "<p>");
		esc(b, T(SIP_MSG_NO_PARC));
		sip_buf_puts(b, "</p>\n</body>\n</html>\n");
		return b->failed ? -1 : 0;
	}
	sip_buf_printf(b, "<form method=\"get\" action=\"%s/\" class=\"pick\" "
	    "id=\"parcform\"><label><span>", p->base);
	esc(b, T(SIP_MSG_PARC));
	sip_buf_puts(b, "</span> <select name=\"parc\">");
	for (i = 0; i < p->view->ngroups; i++) {
		const char *pn = p->view->groups[i].parc;

		if (pn == NULL)
			continue;
		sip_buf_puts(b, "<option value=\"");
		esc(b, pn);
		sip_buf_puts(b, "\"");
		if (g != NULL && g == &p->view->groups[i])
			sip_buf_puts(b, " selected");
		sip_buf_puts(b, ">");
		/* Without [ldap], "-": every machine the database knows. */
		esc(b, strcmp(pn, "-") == 0 ? T(SIP_MSG_ALL_MACHINES) : pn);
		sip_buf_printf(b, " (%zu)</option>", p->view->groups[i].n);
	}
	sip_buf_puts(b, "</select></label>");
	hidden(b, "lang", sip_lang_code(p->lang));
	sip_buf_puts(b, " ");
	button(p, b, NULL, "", SIP_MSG_SHOW);
	sip_buf_puts(b, "</form>\n");
	if (g == NULL) {
		sip_buf_puts(b, "</body>\n</html>\n");
		return b->failed ? -1 : 0;
	}
	sip_buf_puts(b, "<section id=\"parc\" data-parc=\"");
	esc(b, p->parc);
	sip_buf_puts(b, "\"><h2>");
	esc(b, strcmp(p->parc, "-") == 0 ? T(SIP_MSG_ALL_MACHINES) : p->parc);
	sip_buf_printf(b, " <span class=\"count\">(%zu)</span></h2>\n", g->n);
	if (!p->may_act) {
		sip_buf_puts(b, "<p class=\"warn\">");
		esc(b, T(SIP_MSG_VIEW_ONLY));
		sip_buf_puts(b, "</p>\n");
		machines_table(p, b, g);
		sessions_section(p, b);
		history_section(p, b, g);
		sip_buf_puts(b, "</section>\n</body>\n</html>\n");
		return b->failed ? -1 : 0;
	}
	cap_chooser(p, b);
	sip_buf_printf(b, "<form method=\"post\" action=\"%s/\" id=\"act\">",
	    p->base);
	hidden(b, "token", p->token);
	hidden(b, "parc", p->parc);
	hidden(b, "lang", sip_lang_code(p->lang));
	sip_buf_puts(b, "\n");
	machines_table(p, b, g);
	sip_buf_puts(b, "<p><label><input type=\"checkbox\" name=\"all\" "
	    "value=\"yes\"> ");
	esc(b, T(SIP_MSG_ALL));
	sip_buf_puts(b, "</label></p>\n");
	action_fields(p, b);
	power_fields(p, b);
	clone_fields(p, b, g);
	sip_buf_puts(b, "</form>\n");
	sessions_section(p, b);
	history_section(p, b, g);
	sip_buf_puts(b, "</section>\n</body>\n</html>\n");
	return b->failed ? -1 : 0;
}

int
sip_console_confirm_html(const struct sip_console_page *p,
    const struct sip_form *f, const char *const *names, size_t n,
    struct sip_buf *b)
{
	char text[256], num[24];
	size_t i;

	head(p, b, NULL);
	sip_buf_puts(b, "<section id=\"confirm\"><h2>");
	esc(b, T(SIP_MSG_CONFIRM));
	sip_buf_puts(b, "</h2>\n<p class=\"warn\">");
	snprintf(text, sizeof(text), "%s %zu", T(SIP_MSG_CONFIRM_TEXT), n);
	esc(b, text);
	sip_buf_puts(b, "</p>\n<ul>");
	for (i = 0; i < n; i++) {
		sip_buf_puts(b, "<li>");
		esc(b, names[i]);
		sip_buf_puts(b, "</li>");
	}
	sip_buf_printf(b, "</ul>\n<form method=\"post\" action=\"%s/\">",
	    p->base);
	for (i = 0; i < f->n; i++)
		if (strcmp(f->name[i], "confirm") != 0 &&
		    strcmp(f->name[i], "token") != 0)
			hidden(b, f->name[i], f->value[i]);
	hidden(b, "token", p->token);
	snprintf(num, sizeof(num), "%zu", n);
	hidden(b, "confirm", num);
	sip_buf_puts(b, "<button type=\"submit\" class=\"danger\">");
	esc(b, T(SIP_MSG_CONFIRM));
	sip_buf_printf(b, " (%zu)</button> <a href=\"%s/?parc=", n, p->base);
	esc(b, p->parc);
	sip_buf_printf(b, "&amp;lang=%s\">", sip_lang_code(p->lang));
	esc(b, T(SIP_MSG_BACK));
	sip_buf_puts(b, "</a></form>\n</section>\n</body>\n</html>\n");
	return b->failed ? -1 : 0;
}

int
sip_console_message_html(const struct sip_console_page *p, const char *title,
    const char *text, struct sip_buf *b)
{
	head(p, b, NULL);
	sip_buf_puts(b, "<section id=\"message\"><h2>");
	esc(b, title);
	sip_buf_puts(b, "</h2>\n<p class=\"notice err\" id=\"notice\">");
	esc(b, text);
	sip_buf_printf(b, "</p>\n<p><a href=\"%s/?lang=%s", p->base,
	    sip_lang_code(p->lang));
	if (p->parc != NULL) {
		sip_buf_puts(b, "&amp;parc=");
		esc(b, p->parc);
	}
	sip_buf_puts(b, "\">");
	esc(b, T(SIP_MSG_BACK));
	sip_buf_puts(b, "</a></p>\n</section>\n</body>\n</html>\n");
	return b->failed ? -1 : 0;
}
