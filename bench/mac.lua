-- SPDX-License-Identifier: GPL-3.0-or-later
-- wrk script for bench/run: every request asks for a MAC never asked before, and done() prints one parsable line.
--
-- wrk ... -s bench/mac.lua URL -- RUN [POOL]
-- The MAC is 02:RR:TT:CC:CC:CC: RR the run number given after "--" (so
-- successive runs against one database never repeat a MAC), TT the wrk
-- thread, CCCCCC a per-thread counter.  02: is a locally administered,
-- unicast prefix.  With POOL, the MACs are 02:ff:00:00:PP:PP instead, PPPP
-- going round 0..POOL-1: machines that bench/run gave an action.
-- With POOL and MODE "mixed" (wrk ... -- RUN POOL mixed, bench/mixed), the
-- requests go round POOL MACs, one in two 02:ff:00:00:PP:PP (PPPP from 0
-- to POOL/2-1, given an action) and the other 02:fe:00:00:PP:PP (none).

local threads = {}
local nthreads = 0

function setup(thread)
	nthreads = nthreads + 1
	thread:set("tid", nthreads)
	table.insert(threads, thread)
end

tid = 0
local run = 0
local pool = 0
local mixed = false
local counter = 0

function init(args)
	run = tonumber(args[1] or "0") or 0
	pool = tonumber(args[2] or "0") or 0
	mixed = args[3] == "mixed"
	counter = 0
end

function request()
	counter = counter + 1
	local mac
	if pool > 0 then
		local p = (counter * 2 + tid) % pool
		local prefix = "02:ff"
		if mixed then
			-- Every connection alternates: with action, without.
			if counter % 2 == 1 then
				prefix = "02:fe"
			end
			p = math.floor(p / 2)
		end
		mac = string.format("%s:00:00:%02x:%02x", prefix,
			math.floor(p / 256) % 256, p % 256)
	else
		mac = string.format("02:%02x:%02x:%02x:%02x:%02x",
			run % 256, tid % 256,
			math.floor(counter / 65536) % 256,
			math.floor(counter / 256) % 256,
			counter % 256)
	end
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
