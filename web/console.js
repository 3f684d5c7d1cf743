// SPDX-License-Identifier: GPL-3.0-or-later
// The console's extras, none needed: check all, and the machines' state cells refreshed from console.json with textContent.
"use strict";

(function () {
	var body = document.body;
	var all = document.getElementById("checkall");
	var url = body.getAttribute("data-json");
	var refresh = parseInt(body.getAttribute("data-refresh"), 10);

	function boxes() {
		return document.querySelectorAll("#machines tbody input[type=checkbox]");
	}
	if (all) {
		all.hidden = false;
		all.addEventListener("change", function () {
			var b = boxes(), i;
			for (i = 0; i < b.length; i++)
				b[i].checked = all.checked;
		});
	}
	// The capability chooser submits itself when changed.
	var capform = document.getElementById("capform");
	if (capform) {
		var sel = capform.querySelector("select");
		sel.addEventListener("change", function () {
			if (sel.value !== "") capform.submit();
		});
	}

	if (!url || !(refresh > 0))
		return;

	function age(s) {
		if (s === null || s < 0) return "-";
		if (s < 60) return s + "s";
		if (s < 3600) return Math.floor(s / 60) + "m";
		if (s < 86400) return Math.floor(s / 3600) + "h";
		return Math.floor(s / 86400) + "d";
	}
	function text(v) {
		return v === null || v === undefined || v === "" ? "-" : String(v);
	}
	// The CLI's words for states, in the page's language: the JSON keeps them in English.
	var words = {};
	try { words = JSON.parse(body.getAttribute("data-words") || "{}"); } catch (e) { words = {}; }
	function w(v) {
		return typeof v === "string" && Object.prototype.hasOwnProperty.call(words, v) ? words[v] : v;
	}
	var active = { scheduled: 1, pending: 1, booting: 1, running: 1 };
	function statetext(m) {
		var st = w(m.state);
		if (m.completion === "persistent" && active.hasOwnProperty(m.state))
			st += ", " + w("persistent");
		return st;
	}
	// The row's text cells after its box: the columns of lib/status_page.c.
	function update(m) {
		var rows = document.querySelectorAll("#machines tbody tr");
		var tr = null, i, td, off, ev;
		for (i = 0; i < rows.length; i++)
			if (rows[i].getAttribute("data-mac") === m.mac) tr = rows[i];
		if (tr === null) return;
		tr.className = "st-" + String(m.state).replace(/[^a-z]/g, "");
		td = tr.children;
		off = td.length - 13;
		td[off + 3].textContent = text(m.action);
		td[off + 4].textContent = text(statetext(m));
		td[off + 5].textContent = m.boots === null ? "-" : m.boots + "/" + m.max_boots;
		td[off + 6].textContent = m.progress === null ? "-" : m.progress + "%";
		ev = m.last_event === null ? null : w(m.last_event) + (m.last_state ? ": " + w(m.last_state) : "");
		td[off + 7].textContent = text(ev);
		td[off + 8].textContent = age(m.age);
		td[off + 9].textContent = text(w(m.woken));
		td[off + 10].textContent = m.reachable === null ? "-" : w(m.reachable ? "yes" : "no");
		td[off + 11].textContent = text(m.set_by);
		td[off + 12].textContent = text(m.message);
	}
	function tick() {
		var x = new XMLHttpRequest();
		x.open("GET", url);
		x.onload = function () {
			var d, i, j;
			if (x.status !== 200) return;
			try { d = JSON.parse(x.responseText); } catch (e) { return; }
			for (i = 0; i < d.parcs.length; i++)
				for (j = 0; j < d.parcs[i].machines.length; j++)
					update(d.parcs[i].machines[j]);
		};
		x.send();
	}
	window.setInterval(tick, refresh * 1000);
})();
