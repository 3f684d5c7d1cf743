# SPDX-License-Identifier: GPL-3.0-or-later
# Start and stop a private Apache on 127.0.0.1 that serves a CGI directory, for tests and benchmarks.
#
# Source this file from POSIX sh, then:
#
#	apache_start DIR CGI_DIR DOC_ROOT [NAME=VALUE...]
#	    Write DIR/httpd.conf (everything of the instance lives in DIR:
#	    httpd.conf, httpd.pid, error.log, access.log with %D microseconds,
#	    cgid.sock), listen on 127.0.0.1 on a free port, map /cgi-bin/ to
#	    CGI_DIR and / to DOC_ROOT, pass each NAME=VALUE to the CGIs with
#	    SetEnv, start /usr/sbin/apache2 and wait until it answers.  Exports
#	    APACHE_PORT, APACHE_URL (http://127.0.0.1:PORT) and APACHE_DIR.
#	    When run as root the children run as www-data (APACHE_USER), so
#	    DIR, CGI_DIR and DOC_ROOT must be reachable by that user; DIR is
#	    made readable here.  /etc/apache2 is never read or written.
#	apache_stop DIR
#	    Stop that instance and wait (bounded) for its processes to exit.
#	    Safe to call twice or when the start failed: use it in a trap.
#	apache_available
#	    Succeeds when the binary, the modules and curl are present.
#	apache_status_conf LDAP_URI BASE
#	    The lines that protect status.cgi with SE3's directory, as the
#	    shipped configuration does, for APACHE_EXTRA_CONF (add
#	    APACHE_LDAP_MODULES to APACHE_MODULES first).
#
# Optional variables: APACHE_BIN, APACHE_MODDIR, APACHE_USER, APACHE_GROUP,
# APACHE_EXTRA_CONF (lines appended to httpd.conf), APACHE_START_TRIES.
# Functions print their diagnostics on stderr and return non-zero on failure.

APACHE_BIN=${APACHE_BIN:-/usr/sbin/apache2}
APACHE_MODDIR=${APACHE_MODDIR:-/usr/lib/apache2/modules}
APACHE_USER=${APACHE_USER:-www-data}
APACHE_GROUP=${APACHE_GROUP:-www-data}
APACHE_MODULES="mpm_event authz_core mime alias cgid env log_config unixd dir"

# What status.cgi's protection needs (apache_status_conf), for APACHE_MODULES.
APACHE_LDAP_MODULES="ldap authnz_ldap auth_basic authn_core"

# apache_status_conf LDAP_URI BASE: the lines of debian/se3-ipxe.apache2.conf
# that protect status.cgi with SE3's directory, for APACHE_EXTRA_CONF:
# Basic authentication of ou=People's uid, and the members of
# system_is_admin or parc_can_clone under ou=rights let in.
apache_status_conf() {
	apache_ldap_conf /cgi-bin/status.cgi "$@"
}

# apache_ldap_conf PATH LDAP_URI BASE: the same lines for another CGI
# (console.cgi's Location in the shipped configuration is the same).
apache_ldap_conf() {
	_ap_loc=$1
	shift
	cat <<-EOC
	<Location $_ap_loc>
		AuthType Basic
		AuthName "se3-ipxe"
		AuthBasicProvider ldap
		AuthLDAPURL "${1%/}/ou=People,$2?uid"
		AuthLDAPGroupAttribute member
		AuthLDAPGroupAttributeIsDN on
		<RequireAny>
			Require ldap-group cn=system_is_admin,ou=rights,$2
			Require ldap-group cn=parc_can_clone,ou=rights,$2
		</RequireAny>
	</Location>
	EOC
}

# Debian builds some modules in (log_config, unixd): those need no LoadModule.
apache_builtin() {
	"$APACHE_BIN" -l 2>/dev/null | grep -q "^[[:space:]]*mod_$1\.c\$"
}

apache_available() {
	[ -x "$APACHE_BIN" ] || return 1
	command -v curl >/dev/null 2>&1 || return 1
	for _ap_m in $APACHE_MODULES; do
		[ -f "$APACHE_MODDIR/mod_$_ap_m.so" ] || apache_builtin "$_ap_m" ||
		    return 1
	done
	return 0
}

# A TCP port on 127.0.0.1 that nobody listens on right now.  The kernel
# picks it (bind to port 0) when python3 is there; otherwise try random
# ports against `ss`.  apache_start retries if another process takes it
# in between.
apache_free_port() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()' && return 0
	fi
	_ap_i=0
	while [ "$_ap_i" -lt 200 ]; do
		_ap_i=$((_ap_i + 1))
		_ap_p=$(( ($$ * 7919 + _ap_i * 104729 + $(date +%N | sed 's/^0*//;s/^$/0/')) % 30000 + 20000 ))
		if [ -z "$(ss -Htln "sport = :$_ap_p" 2>/dev/null)" ]; then
			echo "$_ap_p"
			return 0
		fi
	done
	echo "apache_free_port: no free port found" >&2
	return 1
}

# Succeeds while process $1 exists and is not a zombie.
apache_pid_alive() {
	kill -0 "$1" 2>/dev/null || return 1
	if [ -r "/proc/$1/stat" ]; then
		# empty: the process was reaped between kill and read
		_ap_st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
		[ -n "$_ap_st" ] && [ "$_ap_st" != Z ] || return 1
	fi
	return 0
}

# apache_write_conf DIR CGI_DIR DOC_ROOT PORT [NAME=VALUE...]
apache_write_conf() {
	_ap_dir=$1 _ap_cgi=$2 _ap_doc=$3 _ap_port=$4
	shift 4
	{
		echo "# Private test instance written by t/lib/apache.sh; do not edit."
		echo "ServerRoot \"$_ap_dir\""
		echo "ServerName 127.0.0.1"
		echo "Listen 127.0.0.1:$_ap_port"
		echo "PidFile \"$_ap_dir/httpd.pid\""
		echo "DefaultRuntimeDir \"$_ap_dir\""
		echo "ErrorLog \"$_ap_dir/error.log\""
		echo "LogLevel warn"
		for _ap_m in $APACHE_MODULES; do
			[ -f "$APACHE_MODDIR/mod_$_ap_m.so" ] || continue
			echo "LoadModule ${_ap_m}_module \"$APACHE_MODDIR/mod_$_ap_m.so\""
		done
		if [ "$(id -u)" = 0 ]; then
			echo "User $APACHE_USER"
			echo "Group $APACHE_GROUP"
		fi
		if [ -r /etc/mime.types ]; then
			echo "TypesConfig /etc/mime.types"
		else
			echo "TypesConfig /dev/null"
		fi
		echo 'LogFormat "%h %l %u %t \"%r\" %>s %b %D \"%{User-Agent}i\"" timed'
		# APACHE_LOG_ENV: a condition on the access log (env=!VAR).
		echo "CustomLog \"$_ap_dir/access.log\" timed${APACHE_LOG_ENV:+ $APACHE_LOG_ENV}"
		echo "ScriptSock \"$_ap_dir/cgid.sock\""
		echo "Timeout 30"
		echo "KeepAlive On"
		echo "MaxKeepAliveRequests 0"
		echo "<Directory />"
		echo "	AllowOverride None"
		echo "	Require all denied"
		echo "</Directory>"
		echo "DocumentRoot \"$_ap_doc\""
		echo "<Directory \"$_ap_doc\">"
		echo "	Require all granted"
		echo "</Directory>"
		echo "ScriptAlias /cgi-bin/ \"$_ap_cgi/\""
		echo "<Directory \"$_ap_cgi\">"
		echo "	Require all granted"
		echo "</Directory>"
		for _ap_kv in "$@"; do
			echo "SetEnv ${_ap_kv%%=*} \"${_ap_kv#*=}\""
		done
		if [ -n "${APACHE_EXTRA_CONF:-}" ]; then
			printf '%s\n' "$APACHE_EXTRA_CONF"
		fi
	} >"$_ap_dir/httpd.conf"
}

apache_start() {
	if [ $# -lt 3 ]; then
		echo "usage: apache_start DIR CGI_DIR DOC_ROOT [NAME=VALUE...]" >&2
		return 2
	fi
	_ap_dir=$1 _ap_cgi=${2%/} _ap_doc=${3%/}
	shift 3
	for _ap_d in "$_ap_dir" "$_ap_cgi" "$_ap_doc"; do
		case $_ap_d in
		/*) ;;
		*) echo "apache_start: '$_ap_d' is not an absolute path" >&2; return 2 ;;
		esac
		if [ ! -d "$_ap_d" ]; then
			echo "apache_start: no directory '$_ap_d'" >&2
			return 2
		fi
	done
	for _ap_kv in "$@"; do
		# shellcheck disable=SC1003 # a literal backslash
		case $_ap_kv in
		*'"'* | *'\'* | *'
'*)
			echo "apache_start: unsafe SetEnv value '$_ap_kv'" >&2
			return 2 ;;
		[A-Za-z_]*=*) ;;
		*) echo "apache_start: '$_ap_kv' is not NAME=VALUE" >&2; return 2 ;;
		esac
	done
	if ! apache_available; then
		echo "apache_start: $APACHE_BIN, its modules or curl are missing" >&2
		return 1
	fi
	if [ "$(id -u)" = 0 ]; then
		# The children (and the cgid daemon's socket) run as $APACHE_USER.
		chmod a+rx "$_ap_dir" || return 1
	fi

	_ap_try=0
	while [ "$_ap_try" -lt "${APACHE_START_TRIES:-5}" ]; do
		_ap_try=$((_ap_try + 1))
		_ap_port=$(apache_free_port) || return 1
		apache_write_conf "$_ap_dir" "$_ap_cgi" "$_ap_doc" "$_ap_port" "$@" || return 1
		rm -f "$_ap_dir/httpd.pid" "$_ap_dir/error.log"
		if ! env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C \
		    "$APACHE_BIN" -f "$_ap_dir/httpd.conf" -k start \
		    >"$_ap_dir/start.out" 2>&1; then
			echo "apache_start: $APACHE_BIN -k start failed:" >&2
			cat "$_ap_dir/start.out" "$_ap_dir/error.log" >&2 2>/dev/null
			return 1
		fi
		# -k start detaches before it binds: poll (bounded) until the
		# port answers, or the server has given up.
		_ap_n=0 _ap_up=no
		while [ "$_ap_n" -lt 150 ]; do
			_ap_n=$((_ap_n + 1))
			if curl -s -o /dev/null --max-time 2 \
			    "http://127.0.0.1:$_ap_port/" 2>/dev/null; then
				_ap_up=yes
				break
			fi
			if grep -q -e 'Address already in use' \
			    -e 'no listening sockets' "$_ap_dir/error.log" 2>/dev/null; then
				break
			fi
			sleep 0.1
		done
		if [ "$_ap_up" = yes ]; then
			# Something else may have answered: the pid file must
			# name a live process of ours.
			if [ -s "$_ap_dir/httpd.pid" ] &&
			    apache_pid_alive "$(cat "$_ap_dir/httpd.pid")"; then
				APACHE_PORT=$_ap_port
				APACHE_URL=http://127.0.0.1:$_ap_port
				APACHE_DIR=$_ap_dir
				export APACHE_PORT APACHE_URL APACHE_DIR
				return 0
			fi
		fi
		if grep -q 'Address already in use' "$_ap_dir/error.log" 2>/dev/null; then
			apache_stop "$_ap_dir"
			continue	# lost the port to someone else: try another
		fi
		echo "apache_start: the server on port $_ap_port did not come up:" >&2
		cat "$_ap_dir/error.log" >&2 2>/dev/null
		apache_stop "$_ap_dir"
		return 1
	done
	echo "apache_start: no free port after $_ap_try tries" >&2
	return 1
}

apache_stop() {
	_ap_dir=${1:?usage: apache_stop DIR}
	[ -f "$_ap_dir/httpd.conf" ] || return 0
	_ap_pid=
	[ -s "$_ap_dir/httpd.pid" ] && _ap_pid=$(cat "$_ap_dir/httpd.pid")
	if [ -z "$_ap_pid" ]; then
		# Started but no pid file yet: give it a moment to write it.
		_ap_n=0
		while [ "$_ap_n" -lt 20 ] && [ ! -s "$_ap_dir/httpd.pid" ]; do
			_ap_n=$((_ap_n + 1))
			sleep 0.1
		done
		[ -s "$_ap_dir/httpd.pid" ] && _ap_pid=$(cat "$_ap_dir/httpd.pid")
	fi
	[ -n "$_ap_pid" ] || return 0
	apache_pid_alive "$_ap_pid" || { rm -f "$_ap_dir/httpd.pid"; return 0; }
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C \
	    "$APACHE_BIN" -f "$_ap_dir/httpd.conf" -k stop >/dev/null 2>&1 ||
	    kill -TERM "$_ap_pid" 2>/dev/null
	_ap_n=0
	while [ "$_ap_n" -lt 100 ] && apache_pid_alive "$_ap_pid"; do
		_ap_n=$((_ap_n + 1))
		sleep 0.1
	done
	if apache_pid_alive "$_ap_pid"; then
		echo "apache_stop: pid $_ap_pid still there after 10 s, killing it" >&2
		_ap_kids=$(ps -o pid= --ppid "$_ap_pid" 2>/dev/null)
		# shellcheck disable=SC2086 # a list of pids
		kill -KILL "$_ap_pid" $_ap_kids 2>/dev/null
		_ap_n=0
		while [ "$_ap_n" -lt 50 ] && apache_pid_alive "$_ap_pid"; do
			_ap_n=$((_ap_n + 1))
			sleep 0.1
		done
	fi
	rm -f "$_ap_dir/httpd.pid"
	return 0
}
