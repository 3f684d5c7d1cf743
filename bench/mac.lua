-- SPDX-License-Identifier: GPL-3.0-or-later
-- wrk script for bench/run: every request asks for a MAC never asked before, and done() prints one parsable line.
--
-- wrk ... -s bench/mac.lua URL -- RUN
-- The MAC is 02:RR:TT:CC:CC:CC: RR the run number given after "--" (so
-- successive runs against one database never repeat a MAC), TT the wrk
-- thread, CCCCCC a per-thread counter.  02: is a locally administered,
-- unicast prefix.

local threads = {}
local nthreads = 0

function setup(thread)
	nthreads = nthreads + 1
	thread:set("tid", nthreads)
	table.insert(threads, thread)
end

tid = 0
local run = 0
local counter = 0

function init(args)
	run = tonumber(args[1] or "0") or 0
	counter = 0
end

function request()
	counter = counter + 1
	local mac = string.format("02:%02x:%02x:%02x:%02x:%02x",
		run % 256, tid % 256,
		math.floor(counter / 65536) % 256,
		math.floor(counter / 256) % 256,
		counter % 256)
	return wrk.format("GET", wrk.path .. "?mac=" .. mac ..
		"&platform=pcbios&buildarch=i386")
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		"WRKRESULT requests=%d duration_us=%d p50_us=%d p99_us=%d " ..
		"max_us=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
		summary.requests, summary.duration,
		latency:percentile(50), latency:percentile(99), latency.max,
		e.connect, e.read, e.write, e.status, e.timeout))
end
