# SPDX-License-Identifier: GPL-3.0-or-later
# Shared steps of bench/list and bench/mixed: the private Apache, the configurations, the wrk runs and the result table, as bench/run does them.
#
# Source from POSIX sh after setting NAME (the script's name, for messages):
#	bench_init			checks, $tmp (removed on exit), settings
#	bench_conf FILE DB		a configuration for the database DB
#	bench_apache CONF [EXTRA]	Apache on 127.0.0.1, SE3_IPXE_CONFIG=CONF
#	bench_module MAX_BOOTS		the report-mode module benchinstall:install
#	bench_probe CGI			one request must answer 200 and #!ipxe
#	wrk_run LABEL CGI DURATION [ARG...]
#					one wrk run (bench/mac.lua ARGs), its
#					result appended to $tmp/results
#	bench_table REF			the runs and the ratios of each CGI to REF
#	bench_served CGI [MACPREFIX]	200 answers of CGI in the access log
#	bench_fail MESSAGE		print, mark the run failed
# Settings (environment): BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS,
# BENCH_THREADS, BENCH_KEEP, as for bench/run.

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/t/lib/apache.sh"

bench_failed=0

bench_fail() {
	echo "$NAME: PROOF FAILED: $*" >&2
	echo "PROOF FAILED: $*"
	bench_failed=1
}

bench_cleanup() {
	apache_stop "$tmp/apache" || :
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "$NAME: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}

bench_init() {
	duration=${BENCH_DURATION:-20s}
	warmup=${BENCH_WARMUP:-5s}
	conns=${BENCH_CONNECTIONS:-64}
	threads=${BENCH_THREADS:-2}
	for _b_f in cgi/ipxe.cgi cli/se3-ipxe bench/floor.cgi; do
		if [ ! -x "$top/$_b_f" ]; then
			echo "$NAME: $_b_f is missing: run 'make all bench/floor.cgi' first" >&2
			exit 1
		fi
	done
	for _b_c in wrk sqlite3 curl; do
		command -v "$_b_c" >/dev/null 2>&1 ||
		    { echo "$NAME: $_b_c is not installed" >&2; exit 1; }
	done
	apache_available ||
	    { echo "$NAME: apache2 (with mod_cgid) is not installed" >&2; exit 1; }
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/se3-ipxe-$NAME.XXXXXX")
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	mkdir -p "$tmp/apache" "$tmp/cgi-bin" "$tmp/doc/boot" "$tmp/db" \
	    "$tmp/modules" "$tmp/templates"
	cp "$top/cgi/ipxe.cgi" "$top/bench/floor.cgi" "$tmp/cgi-bin/"
	if [ -d "$top/modules" ]; then cp -R "$top/modules/." "$tmp/modules/"; fi
	if [ -d "$top/templates" ]; then cp -R "$top/templates/." "$tmp/templates/"; fi
	chmod -R a+rX "$tmp"
	if [ "$(id -u)" = 0 ]; then
		# ipxe.cgi runs as Apache's user and writes the database there.
		chown "$APACHE_USER:$APACHE_GROUP" "$tmp/db"
	fi
	run=0
	: >"$tmp/results"
}

# The URL is only known once Apache runs: bench_conf writes it then.
bench_conf() {
	cat >"$1" <<EOF
[database]
path = $2

[modules]
path = $tmp/modules
templates = $tmp/templates

[server]
boot_url = ${APACHE_URL:-http://127.0.0.1}/boot
cgi_url = ${APACHE_URL:-http://127.0.0.1}/cgi-bin/ipxe.cgi
boot_root = $tmp/doc/boot
EOF
	chmod a+r "$1"
}

# The fixed worker pool of bench/run (see there), then EXTRA.
bench_apache() {
	_b_tpc=$((conns + 16))
	APACHE_EXTRA_CONF="StartServers 2
ServerLimit 2
ThreadsPerChild $_b_tpc
ThreadLimit $_b_tpc
MaxRequestWorkers $((2 * _b_tpc))
MinSpareThreads $_b_tpc
MaxSpareThreads $((2 * _b_tpc))
MaxConnectionsPerChild 0
${2:-}"
	apache_start "$tmp/apache" "$tmp/cgi-bin" "$tmp/doc" \
	    "SE3_IPXE_CONFIG=$1" || exit 1
}

bench_module() {
	mkdir -p "$tmp/modules/benchinstall"
	cat >"$tmp/modules/benchinstall/module.ini" <<-EOM
	[module]
	name = benchinstall
	description = An installer that never reports, for the benchmarks
	version = 1

	[capability install]
	description = Boot nothing, $1 times
	template = install.ipxe
	completion = report
	max_boots = $1
	expires = 4h
	destructive = no
	EOM
	cat >"$tmp/modules/benchinstall/install.ipxe" <<-'EOT'
	#!ipxe
	# benchinstall for {{mac}}, boot {{boots}}/{{max_boots}}
	kernel {{module_url}}/vmlinuz report={{report_url}}?token={{token}}
	boot
	EOT
	chmod -R a+rX "$tmp/modules"
}

# bench_probe CGI [QUERY]: the body goes to $tmp/probe.body.
bench_probe() {
	_b_body=$(curl -sS --max-time 10 -o "$tmp/probe.body" -w '%{http_code}' \
	    "$APACHE_URL/cgi-bin/$1?${2:-mac=02:ee:00:00:00:01&platform=pcbios&buildarch=i386}")
	if [ "$_b_body" != 200 ] || [ "$(head -n 1 "$tmp/probe.body")" != '#!ipxe' ]; then
		echo "$NAME: $1 answered $_b_body:" >&2
		cat "$tmp/probe.body" "$tmp/apache/error.log" >&2
		exit 1
	fi
}

wrk_run() {
	_b_label=$1 _b_cgi=$2 _b_dur=$3
	shift 3
	run=$((run + 1))
	wrk -t "$threads" -c "$conns" -d "$_b_dur" --latency --timeout 10s \
	    -s "$top/bench/mac.lua" "$APACHE_URL/cgi-bin/$_b_cgi" -- "$run" "$@" \
	    >"$tmp/wrk.$run.out" 2>&1 || {
		echo "$NAME: wrk failed:" >&2
		cat "$tmp/wrk.$run.out" >&2
		exit 1
	}
	grep '^WRKRESULT ' "$tmp/wrk.$run.out" >"$tmp/wrk.$run.result" || {
		echo "$NAME: no result from wrk:" >&2
		cat "$tmp/wrk.$run.out" >&2
		exit 1
	}
	[ "$_b_label" = - ] ||
	    echo "$_b_label $(cat "$tmp/wrk.$run.result")" >>"$tmp/results"
}

bench_served() {
	grep -c "\"GET /cgi-bin/$1?mac=${2:-}[^\"]*\" 200 " \
	    "$tmp/apache/access.log" || :
}

# Lines of error.log that are not Apache's own notices (start, stop, and
# the fixed pool's AH10159): what a CGI wrote, a fail-safe answer's line.
bench_errlines() {
	grep -vc -e 'AH00489' -e 'AH00094' -e 'AH00491' -e 'AH00492' \
	    -e 'AH10159' "$tmp/apache/error.log" || :
}

bench_table() {
	awk -v ref="$1" '
function field(name,   i, kv) {
	for (i = 2; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] == name)
			return kv[2] + 0
	}
	return 0
}
{
	n++
	lab[n] = $1
	req[n] = field("requests")
	rps[n] = req[n] / (field("duration_us") / 1e6)
	p50[n] = field("p50_us") / 1000
	p99[n] = field("p99_us") / 1000
	err[n] = field("connect") + field("read") + field("write") + \
	    field("status") + field("timeout")
	if (!(lab[n] in cnt))
		order[++nl] = lab[n]
	sum_rps[lab[n]] += rps[n]; sum_p99[lab[n]] += p99[n]
	cnt[lab[n]]++; errs[lab[n]] += err[n]
}
END {
	print "| run | CGI | requests | req/s | p50 (ms) | p99 (ms) | errors |"
	print "|---|---|---:|---:|---:|---:|---:|"
	for (i = 1; i <= n; i++)
		printf "| %d | %s | %d | %.1f | %.2f | %.2f | %d |\n", \
		    i, lab[i], req[i], rps[i], p50[i], p99[i], err[i]
	print ""
	print "| CGI | req/s (mean) | p99 (ms, mean) | errors | throughput / " ref " | p99 / " ref " |"
	print "|---|---:|---:|---:|---:|---:|"
	for (i = 1; i <= nl; i++) {
		l = order[i]
		printf "| %s | %.1f | %.2f | %d | %.3f | %.3f |\n", l, \
		    sum_rps[l] / cnt[l], sum_p99[l] / cnt[l], errs[l], \
		    (sum_rps[l] / cnt[l]) / (sum_rps[ref] / cnt[ref]), \
		    (sum_p99[l] / cnt[l]) / (sum_p99[ref] / cnt[ref])
	}
	for (i = 1; i <= nl; i++) {
		l = order[i]
		print "MEAN " l " " sum_rps[l] / cnt[l] " " sum_p99[l] / cnt[l] " " errs[l] > "/dev/stderr"
	}
}' "$tmp/results" 2>"$tmp/means"
}

# bench_mean LABEL FIELD: rps, p99 or errors of LABEL from the last table.
bench_mean() {
	awk -v l="$1" -v f="$2" '$1 == "MEAN" && $2 == l {
	    print (f == "rps") ? $3 : (f == "p99") ? $4 : $5 }' "$tmp/means"
}
