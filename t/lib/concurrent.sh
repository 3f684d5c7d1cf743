# SPDX-License-Identifier: GPL-3.0-or-later
# The setting of the tests that run the CGI and the CLI at once: a config, a database and the CGI run as the owner of the database directory, as under Apache.

# concurrent_setup MODULES TEMPLATES: sets conf, db, cgi and asuser.
concurrent_setup() {
	conf=$T/se3-ipxe.conf
	db=$T/db/se3-ipxe.db
	mkdir -p "$T/db"
	cat > "$conf" <<-EOC
	[database]
	path = $db

	[modules]
	path = $1
	templates = $2

	[server]
	boot_url = http://127.0.0.1/boot
	cgi_url = http://127.0.0.1/cgi-bin/ipxe.cgi
	boot_root = $T/boot
	EOC
	chmod -R a+rX "$T"
	# As root the CLI becomes the owner of the database directory, and the
	# CGI runs as that user too, as under Apache (root and www-data writing
	# one database would race on who creates its -wal and -shm files).
	cgi=$TOP/cgi/ipxe.cgi
	asuser=
	if [ "$(id -u)" = 0 ]; then
		chown www-data:www-data "$T/db"
		mkdir -p "$T/bin"
		cp "$cgi" "$T/bin/ipxe.cgi"
		chmod -R a+rX "$T/bin"
		cgi=$T/bin/ipxe.cgi
		asuser="setpriv --reuid=www-data --regid=www-data --clear-groups"
	fi
}

# Background jobs go in $pids; on exit they are told to stop ($T/stop),
# killed, waited for, and the scratch directory goes with them.
pids=
concurrent_cleanup() {
	touch "$T/stop" 2>/dev/null || :
	for p in $pids; do kill "$p" 2>/dev/null || :; done
	for p in $pids; do wait "$p" 2>/dev/null || :; done
	rm -rf "$T"
}
trap concurrent_cleanup EXIT
trap 'exit 130' INT TERM HUP
