# SPDX-License-Identifier: GPL-3.0-or-later
# Run the real ipxe.cgi binary with a CGI environment, and write a test config and database.

# write_config FILE [EXTRA INI LINES...]: a config whose every path is inside
# $T; MODULE_PATH replaces the default module path.
write_config() {
	cfg=$1
	shift
	cat > "$cfg" <<-EOC
	[database]
	path = $T/db/se3-ipxe.db
	busy_timeout = 500
	[server]
	boot_url = http://127.0.0.1:8080/se3-ipxe
	cgi_url = http://127.0.0.1:8080/cgi-bin/ipxe.cgi
	boot_root = $T/www
	deadline = 5
	[modules]
	path = ${MODULE_PATH:-$TOP/modules:$T/modules}
	templates = $TOP/templates
	EOC
	for line in "$@"; do
		printf '%s\n' "$line" >> "$cfg"
	done
	mkdir -p "$T/db" "$T/modules" "$T/www"
}

# cgi METHOD PATH_INFO QUERY [BODY]: run ipxe.cgi; headers+body in $T/out,
# the body alone in $T/body, stderr in $T/err, the status code in $status.
cgi() {
	method=$1 path=$2 query=$3 body=${4-}
	if [ "$method" = POST ]; then
		printf '%s' "$body" | env -i PATH="$PATH" ${CGI_ENV-} ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
		    SE3_IPXE_CONFIG="${CONFIG:-$T/se3-ipxe.conf}" \
		    GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 \
		    REQUEST_METHOD=POST PATH_INFO="$path" QUERY_STRING="$query" \
		    CONTENT_TYPE=application/x-www-form-urlencoded \
		    CONTENT_LENGTH=${#body} SCRIPT_NAME=/cgi-bin/ipxe.cgi \
		    HTTP_HOST=127.0.0.1:8080 REMOTE_ADDR=127.0.0.1 \
		    ${CGI_WRAP-} "${CGI_BIN:-$TOP/cgi/ipxe.cgi}" > "$T/out" 2> "$T/err"
	else
		env -i PATH="$PATH" ${CGI_ENV-} ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
		    SE3_IPXE_CONFIG="${CONFIG:-$T/se3-ipxe.conf}" \
		    GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 \
		    REQUEST_METHOD="$method" PATH_INFO="$path" QUERY_STRING="$query" \
		    SCRIPT_NAME=/cgi-bin/ipxe.cgi \
		    HTTP_HOST=127.0.0.1:8080 REMOTE_ADDR=127.0.0.1 \
		    ${CGI_WRAP-} "${CGI_BIN:-$TOP/cgi/ipxe.cgi}" < /dev/null > "$T/out" 2> "$T/err"
	fi
	cgi_rc=$?
	status=$(sed -n '1s/^Status: \([0-9]*\) .*/\1/p' "$T/out")
	sed '1,/^\r$/d' "$T/out" > "$T/body"
	return 0
}

boot() {	# boot QUERY
	cgi GET "" "$1"
}

# is_local_script: the body is a whole local-boot script.
is_local_script() {
	head -n 1 "$T/body" | grep -qx '#!ipxe' &&
	    grep -q 'sanboot --no-describe --drive 0x80\|^exit 1' "$T/body" &&
	    ! grep -q 'memtest\|chain http\|kernel ' "$T/body"
}

se3ipxe() {
	"$TOP/cli/se3-ipxe" -c "${CONFIG:-$T/se3-ipxe.conf}" "$@"
}

# db_create: the database as `se3-ipxe init` creates it, empty
# (ipxe.cgi never creates it).
db_create() {
	se3ipxe init > /dev/null
}

# fold_seen: ipxe.cgi records boots in the seen journal; status folds
# them into the machines table, which the tests then read.
fold_seen() {
	se3ipxe status > /dev/null
}

# token_of MAC: the token of the MAC's latest action, read from the database.
token_of() {
	sqlite3 "$T/db/se3-ipxe.db" \
	    "SELECT token FROM actions WHERE mac = '$1' ORDER BY id DESC LIMIT 1"
}

state_of() {
	sqlite3 "$T/db/se3-ipxe.db" \
	    "SELECT state || ' ' || boots FROM actions WHERE mac = '$1' ORDER BY id DESC LIMIT 1"
}

# scgi METHOD PATH_INFO QUERY [REMOTE_USER]: run status.cgi; headers in
# $T/shead, body in $T/sbody, stderr in $T/serr, the status in $status.
scgi() {
	env -i PATH="$PATH" ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
	    SE3_IPXE_CONFIG="${CONFIG:-$T/se3-ipxe.conf}" \
	    GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 \
	    REQUEST_METHOD="$1" PATH_INFO="$2" QUERY_STRING="$3" \
	    SCRIPT_NAME=/cgi-bin/status.cgi HTTP_HOST=127.0.0.1:8080 \
	    REMOTE_ADDR=127.0.0.1 ${4:+"REMOTE_USER=$4"} \
	    "$TOP/cgi/status.cgi" < /dev/null > "$T/sout" 2> "$T/serr"
	status=$(sed -n '1s/^Status: \([0-9]*\) .*/\1/p' "$T/sout")
	sed -n '1,/^\r$/p' "$T/sout" > "$T/shead"
	sed '1,/^\r$/d' "$T/sout" > "$T/sbody"
}

# json EXPR: a Python expression over d, the JSON body, printed.
json() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$T/sbody" "$1"
}

# catalogue_image NAME MAC: a whole image NAME saved from MAC in $T/images
# and in the database's catalogue, as a finished worker:save leaves it: a
# GPT table, an ext4 part (3,000,000 bytes) and an NTFS part (1,000,001)
# of random bytes, a swap made (nothing stored), the manifest last.
catalogue_image() {
	_ci_sum() { sha256sum < "$1" | cut -d' ' -f1; }
	mkdir -p "$T/images"
	head -c 700 /dev/urandom > "$T/images/$1.table"
	head -c 3000000 /dev/urandom > "$T/images/$1.sda1"
	head -c 1000001 /dev/urandom > "$T/images/$1.sda2"
	{
		echo "se3-ipxe-image 1"
		echo "mac $2"
		echo "disk sda 67108864 512"
		echo "table gpt $1.table $(_ci_sum "$T/images/$1.table") 66043392"
		echo "part sda1 1 ext4 partclone.ext4 zstd $1.sda1 33554432 $(_ci_sum "$T/images/$1.sda1") $(_ci_sum "$T/images/$1.sda1")"
		echo "part sda2 2 ntfs partclone.ntfs lzop $1.sda2 16777216 $(_ci_sum "$T/images/$1.sda2") $(_ci_sum "$T/images/$1.sda2")"
		echo "part sda3 3 swap mkswap none - 1048576 - -"
		echo "end"
	} > "$T/images/$1"
	for _ci_p in table sda1 sda2 manifest; do
		_ci_f=$1.$_ci_p
		[ "$_ci_p" = manifest ] && _ci_f=$1
		sqlite3 "$T/db/se3-ipxe.db" "INSERT INTO images (name, mac, part, tool, compression, size, sha256, created_at, received, complete)
		   VALUES ('$_ci_f', '$2', '$_ci_p', 'partclone.ext4', 'zstd', $(stat -c %s "$T/images/$_ci_f"), '$(_ci_sum "$T/images/$_ci_f")', 1000, 1, 1)"
	done
}
