/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The status page's answers: its view as JSON and as a server-rendered HTML table. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

/* What one row shows, derived once for both renderings. */
struct shown {
	const char	*action;	/* NULL: none */
	const char	*state;		/* "none" without an action */
	const char	*state_text;	/* as an admin reads it (persistent) */
	const char	*completion;	/* NULL without an action */
	int		 boots, max_boots; /* -1 without an action */
	int		 progress;	/* -1 unknown */
	const char	*message;
	const char	*event;		/* the last event, NULL none */
	const char	*event_state;	/* the state it led to, or NULL */
	int64_t		 event_at;
	int64_t		 age;		/* seconds, -1 without an event */
	const char	*set_by;
};

static void
shown_of(const struct sip_status_item *it, time_t now, struct shown *s,
    char *stbuf, size_t stsz)
{
	const struct sip_action *a = it->row != NULL ? it->row->action : NULL;
	const struct sip_machine *m = it->row != NULL ? it->row->machine :
	    NULL;

	memset(s, 0, sizeof(*s));
	s->action = a != NULL ? a->name : NULL;
	s->state = a != NULL ? sip_state_name(a->state) : "none";
	s->state_text = a != NULL ? sip_action_state_text(a, stbuf, stsz) :
	    s->state;
	s->completion = a != NULL ? sip_completion_name(a->completion) : NULL;
	s->boots = a != NULL ? a->boots : -1;
	s->max_boots = a != NULL ? a->max_boots : -1;
	s->progress = a != NULL ? a->progress : -1;
	s->message = a != NULL ? a->message : NULL;
	s->set_by = a != NULL ? a->created_by : NULL;
	s->age = -1;
	if (it->last != NULL) {
		s->event = it->last->event;
		s->event_state = it->last->new_state;
		s->event_at = it->last->at;
	}
	/* A boot with no action writes no history: the machine saw it. */
	if (m != NULL && m->last_seen > 0 && (s->event == NULL ||
	    m->last_seen > s->event_at)) {
		s->event = "seen";
		s->event_state = NULL;
		s->event_at = m->last_seen;
	}
	if (s->event != NULL)
		s->age = now > s->event_at ? (int64_t)now - s->event_at : 0;
}

/* ------------------------------------------------------------------ JSON */

static void
json_kstr_or_null(struct sip_buf *b, const char *key, const char *v)
{
	if (v != NULL)
		sip_json_kstr(b, key, v);
	else
		sip_json_knull(b, key);
}

static void
json_kint_or_null(struct sip_buf *b, const char *key, int64_t v)
{
	if (v >= 0)
		sip_json_kint(b, key, v);
	else
		sip_json_knull(b, key);
}

/* 1 true, 0 false, -1 not known (yet). */
static void
json_kbool_or_null(struct sip_buf *b, const char *key, int v)
{
	if (v >= 0)
		sip_json_kbool(b, key, v);
	else
		sip_json_knull(b, key);
}

static void
json_item(struct sip_buf *b, const struct sip_status_item *it, time_t now)
{
	struct shown s;
	char stbuf[32];

	shown_of(it, now, &s, stbuf, sizeof(stbuf));
	sip_buf_puts(b, "{\"name\":");
	if (it->name != NULL)
		sip_json_str(b, it->name);
	else
		sip_buf_puts(b, "null");
	json_kstr_or_null(b, "mac", it->mac[0] != '\0' ? it->mac : NULL);
	json_kstr_or_null(b, "ip", it->ip);
	json_kstr_or_null(b, "action", s.action);
	sip_json_kstr(b, "state", s.state);
	json_kint_or_null(b, "boots", s.boots);
	json_kint_or_null(b, "max_boots", s.max_boots);
	json_kstr_or_null(b, "completion", s.completion);
	json_kint_or_null(b, "progress", s.progress);
	json_kstr_or_null(b, "message", s.message);
	json_kstr_or_null(b, "last_event", s.event);
	json_kstr_or_null(b, "last_state", s.event_state);
	json_kint_or_null(b, "last_event_at", s.event != NULL ? s.event_at :
	    -1);
	json_kint_or_null(b, "age", s.age);
	json_kstr_or_null(b, "set_by", s.set_by);
	json_kstr_or_null(b, "woken", it->woken != SIP_WAKE_NONE ?
	    sip_wake_status_name(it->woken) : NULL);
	json_kbool_or_null(b, "reachable", it->reachable);
	sip_buf_puts(b, "}");
}

int
sip_status_json(const struct sip_status_view *v, int refresh,
    struct sip_buf *b)
{
	const struct sip_status_group *g;
	size_t i, j;

	sip_buf_printf(b, "{\"now\":%lld,\"refresh\":%d,\"parcs\":[",
	    (long long)v->now, refresh);
	for (i = 0; i < v->ngroups; i++) {
		g = &v->groups[i];
		sip_buf_puts(b, i > 0 ? ",\n{\"parc\":" : "\n{\"parc\":");
		if (g->parc != NULL)
			sip_json_str(b, g->parc);
		else
			sip_buf_puts(b, "null");
		sip_buf_puts(b, ",\"machines\":[");
		for (j = 0; j < g->n; j++) {
			sip_buf_puts(b, j > 0 ? ",\n" : "\n");
			json_item(b, &g->items[j], v->now);
		}
		sip_buf_puts(b, "]}");
	}
	sip_buf_puts(b, "\n],\"sessions\":[");
	for (i = 0; i < v->nsessions; i++) {
		const struct sip_status_session *ss = &v->sessions[i];

		sip_buf_printf(b, "%s{\"id\":%lld", i > 0 ? ",\n" : "\n",
		    (long long)ss->id);
		sip_json_kstr(b, "state", sip_mcast_state_name(ss->state));
		sip_json_kstr(b, "image", ss->image);
		sip_json_kint(b, "machines", (long long)ss->n);
		json_kint_or_null(b, "progress", ss->slowest);
		sip_buf_puts(b, ",\"members\":{");
		for (j = 0; j < SIP_MB__MAX; j++)
			sip_buf_printf(b, "%s\"%s\":%zu", j > 0 ? "," : "",
			    sip_member_state_name((enum sip_member_state)j),
			    ss->count[j]);
		sip_buf_puts(b, "}}");
	}
	return sip_buf_puts(b, "\n]}\n");
}

/* The open multicast sessions, one row each with its machines counted by state. */
static void
html_sessions(struct sip_buf *b, const struct sip_status_view *v)
{
	const struct sip_status_session *ss;
	size_t i, j, k;

	if (v->nsessions == 0)
		return;
	sip_buf_puts(b, "<section id=\"sessions\">\n<h2>Multicast sessions"
	    "</h2>\n<table>\n<thead><tr><th>Session</th><th>State</th>"
	    "<th>Image</th><th>Machines</th><th>Progress</th></tr></thead>\n"
	    "<tbody>\n");
	for (i = 0; i < v->nsessions; i++) {
		ss = &v->sessions[i];
		sip_buf_printf(b, "<tr><td>%lld</td><td>%s</td><td>",
		    (long long)ss->id, sip_mcast_state_name(ss->state));
		sip_html_escape(b, ss->image);
		sip_buf_printf(b, "</td><td>%zu:", ss->n);
		for (k = 0, j = 0; j < SIP_MB__MAX; j++)
			if (ss->count[j] > 0)
				sip_buf_printf(b, "%s %zu %s", k++ > 0 ? "," : "",
				    ss->count[j], sip_member_state_name(
				    (enum sip_member_state)j));
		if (ss->slowest >= 0)
			sip_buf_printf(b, "</td><td>%d%% (the slowest)</td>"
			    "</tr>\n", ss->slowest);
		else
			sip_buf_puts(b, "</td><td></td></tr>\n");
	}
	sip_buf_puts(b, "</tbody>\n</table>\n</section>\n");
}

/* ------------------------------------------------------------------ HTML */

int
sip_html_escape(struct sip_buf *b, const char *in)
{
	const unsigned char *s = (const unsigned char *)(in != NULL ? in : "");
	const unsigned char *run = s;
	uint32_t cp;
	size_t n;

	while (*s != '\0') {
		n = sip_utf8_decode(s, &cp);
		if (n > 0 && cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 &&
		    cp <= 0x9f) && strchr("&<>\"'", (int)cp) == NULL) {
			s += n;
			continue;
		}
		if (s > run)
			sip_buf_append(b, (const char *)run, (size_t)(s - run));
		if (n == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 &&
		    cp <= 0x9f)) {
			/* Not UTF-8, or a control: shown, never obeyed. */
			sip_buf_puts(b, "&#xfffd;");
			s += n == 0 ? 1 : n;
		} else {
			sip_buf_printf(b, "&#%u;", (unsigned)cp);
			s += n;
		}
		run = s;
	}
	if (s > run)
		sip_buf_append(b, (const char *)run, (size_t)(s - run));
	return b->failed ? -1 : 0;
}

/* "42s", "5m", "3h", "2d": the page's JS writes the same (web/status.js). */
static void
age_format(int64_t age, char *buf, size_t sz)
{
	if (age < 0)
		snprintf(buf, sz, "-");
	else if (age < 60)
		snprintf(buf, sz, "%llds", (long long)age);
	else if (age < 3600)
		snprintf(buf, sz, "%lldm", (long long)(age / 60));
	else if (age < 86400)
		snprintf(buf, sz, "%lldh", (long long)(age / 3600));
	else
		snprintf(buf, sz, "%lldd", (long long)(age / 86400));
}

static void
html_cell(struct sip_buf *b, const char *text)
{
	sip_buf_puts(b, "<td>");
	sip_html_escape(b, text != NULL && *text != '\0' ? text : "-");
	sip_buf_puts(b, "</td>");
}

void
sip_status_html_item(struct sip_buf *b, const struct sip_status_item *it,
    time_t now, const char *check, enum sip_lang lang)
{
	const struct sip_action *a = it->row != NULL ? it->row->action : NULL;
	struct shown s;
	char num[64], stbuf[64];

	shown_of(it, now, &s, stbuf, sizeof(stbuf));
	/* The CLI's words in the page's language: state, persistence. */
	if (lang != SIP_LANG_EN)
		snprintf(stbuf, sizeof(stbuf), "%s%s%s", sip_word(lang,
		    s.state), a != NULL && a->completion ==
		    SIP_COMPLETE_PERSISTENT && sip_state_active(a->state) ?
		    ", " : "", a != NULL && a->completion ==
		    SIP_COMPLETE_PERSISTENT && sip_state_active(a->state) ?
		    sip_word(lang, "persistent") : "");
	if (lang != SIP_LANG_EN)
		s.state_text = stbuf;
	/* The state is one of sip_state_names: a class as it is. */
	sip_buf_printf(b, "<tr class=\"st-%s\" data-mac=\"", s.state);
	sip_html_escape(b, it->mac);
	sip_buf_puts(b, "\">");
	/* The console's: a box per machine that has a MAC. */
	if (check != NULL) {
		if (it->mac != NULL && it->mac[0] != '\0') {
			sip_buf_printf(b, "<td><input type=\"checkbox\" "
			    "name=\"%s\" value=\"", check);
			sip_html_escape(b, it->mac);
			sip_buf_puts(b, "\"></td>");
		} else
			sip_buf_puts(b, "<td></td>");
	}
	html_cell(b, it->name);
	html_cell(b, it->mac);
	html_cell(b, it->ip);
	html_cell(b, s.action);
	html_cell(b, s.state_text);
	if (s.boots >= 0)
		snprintf(num, sizeof(num), "%d/%d", s.boots, s.max_boots);
	else
		snprintf(num, sizeof(num), "-");
	html_cell(b, num);
	if (s.progress >= 0)
		sip_buf_printf(b, "<td><progress max=\"100\" value=\"%d\">"
		    "%d%%</progress> %d%%</td>", s.progress, s.progress,
		    s.progress);
	else
		html_cell(b, NULL);
	if (s.event != NULL && s.event_state != NULL) {
		sip_buf_puts(b, "<td>");
		sip_html_escape(b, sip_word(lang, s.event));
		sip_buf_puts(b, ": ");
		sip_html_escape(b, sip_word(lang, s.event_state));
		sip_buf_puts(b, "</td>");
	} else
		html_cell(b, sip_word(lang, s.event));
	age_format(s.age, num, sizeof(num));
	html_cell(b, num);
	html_cell(b, it->woken != SIP_WAKE_NONE ? sip_word(lang,
	    sip_wake_status_name(it->woken)) : NULL);
	html_cell(b, it->reachable < 0 ? NULL : sip_word(lang, it->reachable ?
	    "yes" : "no"));
	html_cell(b, s.set_by);
	html_cell(b, s.message);
	sip_buf_puts(b, "</tr>\n");
}

static const char *const columns[] = {
	"Name", "MAC", "IP", "Action", "State", "Boots", "Progress",
	"Last event", "Age", "Woken", "Reachable", "Set by", "Message",
};

int
sip_status_html(const struct sip_status_view *v, int refresh,
    const char *base, struct sip_buf *b)
{
	const struct sip_status_group *g;
	char when[32];
	struct tm tm;
	size_t i, j;

	if (base == NULL || *base == '\0' || strspn(base,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._/-") != strlen(base))
		base = "/cgi-bin/status.cgi";
	if (gmtime_r(&v->now, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(when, sizeof(when), "@%lld", (long long)v->now);
	sip_buf_printf(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n"
	    "<title>se3-ipxe: machines</title>\n"
	    "<link rel=\"stylesheet\" href=\"%s/status.css\">\n"
	    "<script src=\"%s/status.js\" defer></script>\n"
	    "</head>\n<body data-json=\"%s/status.json\" data-refresh=\"%d\">\n"
	    "<h1>se3-ipxe: machines</h1>\n"
	    "<p id=\"updated\">As of %s.</p>\n", base, base, base, refresh,
	    when);
	html_sessions(b, v);
	if (v->ngroups == 0)
		sip_buf_puts(b, "<p>No parc to show.</p>\n");
	for (i = 0; i < v->ngroups; i++) {
		g = &v->groups[i];
		sip_buf_puts(b, "<section data-parc=\"");
		sip_html_escape(b, g->parc != NULL ? g->parc : "");
		sip_buf_puts(b, "\">\n<h2>");
		sip_html_escape(b, g->parc != NULL ? g->parc :
		    "all machines");
		sip_buf_printf(b, " <span class=\"count\">(%zu)</span></h2>\n"
		    "<table>\n<thead><tr>", g->n);
		for (j = 0; j < SIP_ARRAY_SIZE(columns); j++)
			sip_buf_printf(b, "<th>%s</th>", columns[j]);
		sip_buf_puts(b, "</tr></thead>\n<tbody>\n");
		for (j = 0; j < g->n; j++)
			sip_status_html_item(b, &g->items[j], v->now, NULL,
			    SIP_LANG_EN);
		sip_buf_puts(b, "</tbody>\n</table>\n</section>\n");
	}
	return sip_buf_puts(b, "</body>\n</html>\n");
}
