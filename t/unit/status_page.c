/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Table vectors for the status page's renderings: HTML escapes, a hand-made view as JSON and HTML, the base path's whitelist. */
#include <string.h>

#include "se3ipxe.h"
#include "tap.h"

static const struct {
	const char	*in;
	const char	*want;
} escapes[] = {
	{ "", "" },
	{ "pc-12.salle_3", "pc-12.salle_3" },
	{ "<script>", "&#60;script&#62;" },
	{ "a&b", "a&#38;b" },
	{ "\"q\" 'a'", "&#34;q&#34; &#39;a&#39;" },
	{ "x\" onmouseover=\"y", "x&#34; onmouseover=&#34;y" },	/* out of an attribute */
	{ "a\nb\tc", "a&#xfffd;b&#xfffd;c" },		/* controls shown, never obeyed */
	{ "\x1b[2J", "&#xfffd;[2J" },
	{ "del\x7f", "del&#xfffd;" },
	{ "c1 \xc2\x9b", "c1 &#xfffd;" },
	{ "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac" },	/* UTF-8 kept */
	{ "\xff<", "&#xfffd;&#60;" },			/* not UTF-8 */
	{ "\xc3", "&#xfffd;" },
	{ "${boot}", "${boot}" },			/* harmless in HTML */
};

int
main(void)
{
	struct sip_action a;
	struct sip_machine m;
	struct sip_status_row row;
	struct sip_history last;
	struct sip_status_item items[2];
	struct sip_status_group g;
	struct sip_status_view v;
	struct sip_buf b;
	size_t i;

	for (i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		sip_buf_init(&b);
		ok(sip_html_escape(&b, escapes[i].in) == 0, "escape %zu: ok", i);
		is_str(b.len > 0 ? b.data : "", escapes[i].want, "escape %zu", i);
		sip_buf_free(&b);
	}

	/* One machine with a running action, one never seen, no LDAP name. */
	memset(&a, 0, sizeof(a));
	memset(&m, 0, sizeof(m));
	memset(&row, 0, sizeof(row));
	memset(&last, 0, sizeof(last));
	memset(items, 0, sizeof(items));
	snprintf(a.mac, sizeof(a.mac), "52:54:00:00:00:01");
	snprintf(a.name, sizeof(a.name), "fakeinstall:install");
	a.state = SIP_ST_RUNNING;
	a.boots = 1;
	a.max_boots = 3;
	a.progress = 40;
	a.message = UNCONST("<b>\"x\"</b>");
	a.created_by = UNCONST("admin");
	snprintf(m.mac, sizeof(m.mac), "52:54:00:00:00:01");
	m.last_seen = 900;
	row.machine = &m;
	row.action = &a;
	last.id = 7;
	last.at = 950;
	last.event = UNCONST("report");
	last.new_state = UNCONST("running");
	items[0].name = "pc-01";
	items[0].mac = "52:54:00:00:00:01";
	items[0].ip = "10.0.0.1";
	items[0].row = &row;
	items[0].last = &last;
	items[0].woken = SIP_WAKE_WAKING;
	items[0].reachable = -1;
	items[1].name = "nomac";
	items[1].mac = "";
	items[1].woken = SIP_WAKE_NONE;
	items[1].reachable = 0;
	memset(&g, 0, sizeof(g));
	g.parc = "salle-01";
	g.items = items;
	g.n = 2;
	memset(&v, 0, sizeof(v));
	v.groups = &g;
	v.ngroups = 1;
	v.now = 1000;

	sip_buf_init(&b);
	ok(sip_status_json(&v, 5, &b) >= 0 && !b.failed, "json: written");
	is_str(b.data, "{\"now\":1000,\"refresh\":5,\"parcs\":[\n"
	    "{\"parc\":\"salle-01\",\"machines\":[\n"
	    "{\"name\":\"pc-01\",\"mac\":\"52:54:00:00:00:01\",\"ip\":\"10.0.0.1\","
	    "\"action\":\"fakeinstall:install\",\"state\":\"running\",\"boots\":1,"
	    "\"max_boots\":3,\"completion\":\"oneshot\",\"progress\":40,\"message\":\"<b>\\\"x\\\"</b>\","
	    "\"last_event\":\"report\",\"last_state\":\"running\","
	    "\"last_event_at\":950,\"age\":50,\"set_by\":\"admin\",\"woken\":\"waking\","
	    "\"reachable\":null},\n"
	    "{\"name\":\"nomac\",\"mac\":null,\"ip\":null,\"action\":null,"
	    "\"state\":\"none\",\"boots\":null,\"max_boots\":null,"
	    "\"completion\":null,\"progress\":null,"
	    "\"message\":null,\"last_event\":null,\"last_state\":null,"
	    "\"last_event_at\":null,\"age\":null,\"set_by\":null,\"woken\":null,"
	    "\"reachable\":false}]}\n],\"sessions\":[\n]}\n", "json: the view");
	sip_buf_free(&b);

	/* An open multicast session: one row, its machines counted by state. */
	{
		struct sip_status_session ss;

		memset(&ss, 0, sizeof(ss));
		ss.id = 7;
		ss.state = SIP_MC_TRANSFERRING;
		ss.image = (char *)(uintptr_t)"<img src=x onerror=alert(1)>";
		ss.n = 3;
		ss.count[SIP_MB_RECEIVING] = 2;
		ss.count[SIP_MB_VERIFIED] = 1;
		ss.slowest = 35;
		v.sessions = &ss;
		v.nsessions = 1;
		sip_buf_init(&b);
		sip_status_json(&v, 5, &b);
		ok(b.data != NULL && strstr(b.data, "\"sessions\":[\n{\"id\":7,"
		    "\"state\":\"transferring\",\"image\":\"<img src=x "
		    "onerror=alert(1)>\",\"machines\":3,\"progress\":35,"
		    "\"members\":{\"booting\":0,\"waiting\":0,\"receiving\":2,"
		    "\"verifying\":0,\"verified\":1,") != NULL,
		    "json: a session with its members counted");
		sip_buf_free(&b);
		sip_buf_init(&b);
		sip_status_html(&v, 5, NULL, &b);
		ok(b.data != NULL && strstr(b.data, "<tr><td>7</td><td>"
		    "transferring</td><td>&#60;img src=x onerror=alert(1)&#62;"
		    "</td><td>3: 2 receiving, 1 verified</td><td>35% (the "
		    "slowest)</td></tr>") != NULL,
		    "html: the session's row, its image escaped");
		sip_buf_free(&b);
		v.sessions = NULL;
		v.nsessions = 0;
	}

	/* A boot seen after the last history row is the last event. */
	m.last_seen = 990;
	sip_buf_init(&b);
	sip_status_json(&v, 5, &b);
	ok(strstr(b.data, "\"last_event\":\"seen\",\"last_state\":null,"
	    "\"last_event_at\":990,\"age\":10") != NULL, "json: a later boot is the last event");
	sip_buf_free(&b);

	sip_buf_init(&b);
	ok(sip_status_html(&v, 5, "/cgi-bin/status.cgi", &b) >= 0 && !b.failed,
	    "html: written");
	ok(strstr(b.data, "<tr class=\"st-running\" data-mac=\"52:54:00:00:00:01\">"
	    "<td>pc-01</td><td>52:54:00:00:00:01</td><td>10.0.0.1</td>"
	    "<td>fakeinstall:install</td><td>running</td><td>1/3</td>"
	    "<td><progress max=\"100\" value=\"40\">40%</progress> 40%</td>"
	    "<td>seen</td><td>10s</td><td>waking</td><td>-</td><td>admin</td>"
	    "<td>&#60;b&#62;&#34;x&#34;&#60;/b&#62;</td></tr>") != NULL,
	    "html: the running row, its message escaped");
	ok(strstr(b.data, "<tr class=\"st-none\" data-mac=\"\"><td>nomac</td>"
	    "<td>-</td><td>-</td>") != NULL, "html: a machine without MAC");
	ok(strstr(b.data, "<section data-parc=\"salle-01\">\n<h2>salle-01 "
	    "<span class=\"count\">(2)</span></h2>") != NULL, "html: the parc's section");
	ok(strstr(b.data, "href=\"/cgi-bin/status.cgi/status.css\"") != NULL,
	    "html: the stylesheet from base");
	sip_buf_free(&b);

	/* A persistent action never finishes by itself: the page says why. */
	a.completion = SIP_COMPLETE_PERSISTENT;
	sip_buf_init(&b);
	sip_status_html(&v, 5, "/cgi-bin/status.cgi", &b);
	ok(strstr(b.data, "<tr class=\"st-running\" data-mac=\"52:54:00:00:00:01\">"
	    "<td>pc-01</td><td>52:54:00:00:00:01</td><td>10.0.0.1</td>"
	    "<td>fakeinstall:install</td><td>running, persistent</td>"
	    "<td>1/3</td>") != NULL, "html: a persistent action says so");
	sip_buf_free(&b);
	sip_buf_init(&b);
	sip_status_json(&v, 5, &b);
	ok(strstr(b.data, "\"state\":\"running\",\"boots\":1,\"max_boots\":3,"
	    "\"completion\":\"persistent\",") != NULL,
	    "json: the state as it is, its completion persistent");
	sip_buf_free(&b);
	a.state = SIP_ST_EXPIRED;
	sip_buf_init(&b);
	sip_status_html(&v, 5, "/cgi-bin/status.cgi", &b);
	ok(strstr(b.data, "<td>fakeinstall:install</td><td>expired</td>") !=
	    NULL, "html: a finished persistent action is just its state");
	sip_buf_free(&b);
	a.state = SIP_ST_RUNNING;
	a.completion = SIP_COMPLETE_ONESHOT;

	/* A base that is not a plain path falls back to the default. */
	sip_buf_init(&b);
	sip_status_html(&v, 5, "/x\"><script>", &b);
	ok(strstr(b.data, "<script src=\"/cgi-bin/status.cgi/status.js\" defer>")
	    != NULL && strstr(b.data, "/x\"") == NULL, "html: a hostile base is refused");
	sip_buf_free(&b);

	/* Ages in the largest whole unit. */
	last.at = 1000 - 7200;
	m.last_seen = 0;
	sip_buf_init(&b);
	sip_status_html(&v, 5, NULL, &b);
	ok(strstr(b.data, "<td>report: running</td><td>2h</td>") != NULL,
	    "html: an event 2 hours old");
	sip_buf_free(&b);
	return done_testing();
}
