// SPDX-License-Identifier: GPL-3.0-or-later
// The status page's refresh: every [status] refresh seconds, the tables again from status.json, built with textContent.
"use strict";

(function () {
	var body = document.body;
	var url = body.getAttribute("data-json");
	var refresh = parseInt(body.getAttribute("data-refresh"), 10);
	var query = window.location.search;

	if (!url || !(refresh > 0))
		return;

	// The server's lib/status_page.c age_format, to the letter.
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

	function cell(tr, v) {
		var td = document.createElement("td");
		td.textContent = text(v);
		tr.appendChild(td);
		return td;
	}

	function row(m) {
		var tr = document.createElement("tr");
		var td, bar, ev;

		tr.className = "st-" + String(m.state).replace(/[^a-z]/g, "");
		tr.setAttribute("data-mac", m.mac === null ? "" : m.mac);
		cell(tr, m.name);
		cell(tr, m.mac);
		cell(tr, m.ip);
		cell(tr, m.action);
		// A persistent action never finishes by itself: say why.
		cell(tr, m.completion === "persistent" &&
		    /^(scheduled|pending|booting|running)$/.test(m.state) ?
		    m.state + ", persistent" : m.state);
		cell(tr, m.boots === null ? null : m.boots + "/" + m.max_boots);
		if (m.progress === null) {
			cell(tr, null);
		} else {
			td = document.createElement("td");
			bar = document.createElement("progress");
			bar.max = 100;
			bar.value = m.progress;
			bar.textContent = m.progress + "%";
			td.appendChild(bar);
			td.appendChild(document.createTextNode(" " + m.progress + "%"));
			tr.appendChild(td);
		}
		ev = m.last_event;
		if (ev !== null && m.last_state !== null)
			ev = ev + ": " + m.last_state;
		cell(tr, ev);
		cell(tr, age(m.age));
		cell(tr, m.woken);
		cell(tr, m.reachable === null ? null : (m.reachable ? "yes" : "no"));
		cell(tr, m.set_by);
		cell(tr, m.message);
		return tr;
	}

	function show(data) {
		var sections = document.querySelectorAll("section");
		var byParc = {};
		var i, j, p, tbody, count;

		for (i = 0; i < data.parcs.length; i++)
			byParc[data.parcs[i].parc === null ? "" : data.parcs[i].parc] = data.parcs[i];
		for (i = 0; i < sections.length; i++) {
			p = byParc[sections[i].getAttribute("data-parc")];
			tbody = sections[i].querySelector("tbody");
			if (!p || !tbody)
				continue;
			while (tbody.firstChild)
				tbody.removeChild(tbody.firstChild);
			for (j = 0; j < p.machines.length; j++)
				tbody.appendChild(row(p.machines[j]));
			count = sections[i].querySelector(".count");
			if (count)
				count.textContent = "(" + p.machines.length + ")";
		}
		var up = document.getElementById("updated");
		up.className = "";
		up.textContent = "As of " + new Date(data.now * 1000).toISOString()
		    .replace("T", " ").replace(/\.\d+Z$/, " UTC") + ".";
	}

	function stale(why) {
		var up = document.getElementById("updated");
		up.className = "stale";
		up.textContent = "Not refreshed: " + why + ".";
	}

	function tick() {
		var xhr = new XMLHttpRequest();

		xhr.open("GET", url + query);
		xhr.responseType = "json";
		xhr.onload = function () {
			if (xhr.status === 200 && xhr.response)
				show(xhr.response);
			else
				stale("the server answered " + xhr.status);
			window.setTimeout(tick, refresh * 1000);
		};
		xhr.onerror = function () {
			stale("the server did not answer");
			window.setTimeout(tick, refresh * 1000);
		};
		xhr.send();
	}

	window.setTimeout(tick, refresh * 1000);
})();
