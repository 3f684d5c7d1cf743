#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# se3-ipxe setup and check against a loopback HTTP server: good files, a wrong checksum, a truncated download, a 404, a stalled server, ISOs in SystemRescue's and Clonezilla's layouts.
. t/lib/tap.sh
. t/lib/cli.sh

unset SE3_IPXE_CONFIG SUDO_USER MIRROR
for tool in python3 xorriso curl; do
	if ! command -v $tool > /dev/null 2>&1; then
		echo "1..0 # SKIP no $tool"
		exit 0
	fi
done

CONF=$T/se3-ipxe.conf
cli_config "$CONF" "$T/modules"
mkdir -p "$T/www" "$T/mirror" "$T/modules"

# The server: its port in $T/port, what it was asked in $T/log.
: > "$T/log"
python3 t/lib/fixture_http.py "$T/mirror" "$T/port" "$T/log" 2> "$T/server.err" &
SERVER=$!
trap 'kill $SERVER 2> /dev/null; rm -rf "$T"' EXIT
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(cat "$T/port")
URL=http://127.0.0.1:$PORT

# Upstream files: random bytes, so that no two are alike.
mkfile() {	# mkfile PATH KILOBYTES
	mkdir -p "$(dirname "$1")"
	head -c $(($2 * 1024)) /dev/urandom > "$1"
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }
# upstream NAME URL FILE: an [upstream] section for FILE.
upstream() {
	printf '\n[upstream %s]\nurl = %s\nsha256 = %s\nsize = %s\n' \
	    "$1" "$2" "$(sha "$3")" "$(size "$3")"
}
# module NAME [MIRROR]: a module of files alone, its sections on stdin.
module() {
	mkdir -p "$T/modules/$1"
	{
		printf '[module]\nname = %s\ndescription = test\nversion = 1\n' "$1"
		if [ -n "${2-}" ]; then printf 'mirror = %s\n' "$2"; fi
		cat
	} > "$T/modules/$1/module.ini"
}
gets() { grep -c "^GET $1 " "$T/log"; }

mkfile "$T/mirror/r/kernel" 300
mkfile "$T/mirror/r/initrd.img" 700

# --- good files, and a setup script ------------------------------------------
{ upstream kernel r/kernel "$T/mirror/r/kernel"
  upstream boot/initrd.img r/initrd.img "$T/mirror/r/initrd.img"; } |
    module good "$URL/"
cat > "$T/modules/good/setup" <<'EOS'
#!/bin/sh
echo "script: BOOT_ROOT=$BOOT_ROOT MODULE_DIR=$MODULE_DIR MIRROR=$MIRROR UPSTREAM=$UPSTREAM"
EOS
chmod 755 "$T/modules/good/setup"

run check
is "$rc" 0 "check: a module never set up fails nothing"
grep -qx "unset module good: 2 upstream files, none in $T/www/good (se3-ipxe setup good)" "$T/out"
ok $? "check: ... and says it is not set up"

start=$(date +%s)
run setup good
is "$rc" 0 "setup: exit 0"
is "$(sed -n 1,2p "$T/out")" "fetched good/kernel (307200 bytes, sha256 verified)
fetched good/boot/initrd.img (716800 bytes, sha256 verified)" "setup: says what it fetched, with sizes"
is "$(sed -n 3p "$T/out")" "script: BOOT_ROOT=$T/www MODULE_DIR=$T/modules/good MIRROR=$URL/ UPSTREAM=kernel boot/initrd.img" \
    "setup: the module's script runs with BOOT_ROOT, MODULE_DIR, MIRROR and UPSTREAM"
is "$(sed -n 4p "$T/out")" "ran good/setup" "setup: ... and says so"
cmp -s "$T/mirror/r/kernel" "$T/www/good/kernel" &&
    cmp -s "$T/mirror/r/initrd.img" "$T/www/good/boot/initrd.img"
ok $? "setup: the files are the mirror's, in BOOT_ROOT/MODULE/NAME"
is "$(stat -c %a "$T/www/good/kernel")" 644 "setup: readable by the web server (0644)"
is "$(find "$T/www" -name '*.part' | wc -l)" 0 "setup: no .part left"
echo "# setup of 1000 KiB: $(( $(date +%s) - start )) s"

: > "$T/log"
run setup good
is "$rc" 0 "setup again: exit 0"
is "$(sed -n 1,2p "$T/out")" "kept good/kernel (307200 bytes, sha256 verified)
kept good/boot/initrd.img (716800 bytes, sha256 verified)" "setup again: verified files are kept"
is "$(wc -l < "$T/log")" 0 "setup again: nothing asked of the mirror"

run check
is "$rc" 0 "check: set up, exit 0"
grep -qx "ok upstream good/kernel" "$T/out" && grep -qx "ok upstream good/boot/initrd.img" "$T/out"
ok $? "check: each upstream file ok"

# --- check: stale and missing ------------------------------------------------
printf 'X' | dd of="$T/www/good/kernel" bs=1 seek=1000 conv=notrunc 2> /dev/null
run check
is "$rc" 1 "check: a changed byte: exit 1"
grep -q "^se3-ipxe: check: module good: upstream kernel stale, sha256 [0-9a-f]\{64\}, not the manifest's $(sha "$T/mirror/r/kernel"): run se3-ipxe setup good\$" "$T/err"
ok $? "check: ... stale, with both digests"
head -c 1000 "$T/mirror/r/initrd.img" > "$T/www/good/boot/initrd.img"
run check
grep -q "^se3-ipxe: check: module good: upstream boot/initrd.img stale, 1000 bytes, the manifest says 716800: run se3-ipxe setup good\$" "$T/err"
ok $? "check: a short file is stale by its size"
rm "$T/www/good/kernel"
run check
is "$rc" 1 "check: a missing file beside a stale one: exit 1 (the stale one)"
grep -qx "not fetched upstream good/kernel (run se3-ipxe setup good)" "$T/out"
ok $? "check: ... the missing one is said: no action boots with it (t/77)"
: > "$T/log"
run setup good
is "$rc:$(sed -n 1,2p "$T/out")" "0:fetched good/kernel (307200 bytes, sha256 verified)
fetched good/boot/initrd.img (716800 bytes, sha256 verified)" "setup: puts the missing and the stale back"
run check
is "$rc" 0 "check: ... ok again"

# --- a wrong checksum: refused, nothing installed -----------------------------
mkfile "$T/mirror/r/evil" 100
{ printf '\n[upstream kernel]\nurl = r/evil\nsha256 = %s\nsize = %s\n' \
    "$(sha "$T/mirror/r/kernel")" "$(size "$T/mirror/r/evil")"; } | module wrongsum "$URL"
run setup wrongsum
is "$rc" 1 "wrong checksum: exit 1"
is "$(cat "$T/err")" "se3-ipxe: setup: wrongsum: upstream kernel: sha256 $(sha "$T/mirror/r/evil"), not the manifest's $(sha "$T/mirror/r/kernel"): refused: deleted, nothing installed" \
    "wrong checksum: one line with both digests"
is "$(find "$T/www/wrongsum" -type f | wc -l)" 0 "wrong checksum: nothing installed, no .part"

# A size larger than the file's: refused before it is hashed.
upstream kernel r/kernel "$T/mirror/r/kernel" | sed "s/^size = .*/size = 400000/" |
    module wrongsize "$URL"
run setup wrongsize
is "$rc" 1 "wrong size: exit 1"
grep -q "^se3-ipxe: setup: wrongsize: upstream kernel: 307200 bytes, the manifest says 400000: refused: deleted, nothing installed\$" "$T/err"
ok $? "wrong size: said"
is "$(find "$T/www/wrongsize" -type f | wc -l)" 0 "wrong size: nothing installed"

# --- 404 -----------------------------------------------------------------------
upstream kernel r/nothere "$T/mirror/r/kernel" | module notfound "$URL"
run setup notfound
is "$rc" 1 "404: exit 1"
grep -q "^se3-ipxe: setup: $URL/r/nothere: curl: (22) The requested URL returned error: 404" "$T/err" &&
    [ "$(wc -l < "$T/err")" -eq 1 ]
ok $? "404: one line naming the URL and the error"
is "$(find "$T/www/notfound" -type f 2> /dev/null | wc -l)" 0 "404: nothing installed"

# --- a download cut short, resumed ---------------------------------------------
upstream kernel trunc/r/kernel "$T/mirror/r/kernel" | module cut "$URL"
: > "$T/log"
run setup cut
is "$rc" 0 "truncated download: resumed, exit 0"
cmp -s "$T/mirror/r/kernel" "$T/www/cut/kernel"
ok $? "truncated download: the whole file, verified"
is "$(cut -d' ' -f3 "$T/log" | tr '\n' ' ')" "- bytes=153600- " \
    "truncated download: the second request resumed at the first's end"

# A .part left by an earlier run (cut at half) is resumed, not fetched again.
upstream kernel r/kernel "$T/mirror/r/kernel" | module resume "$URL"
mkdir -p "$T/www/resume"
head -c 100000 "$T/mirror/r/kernel" > "$T/www/resume/kernel.part"
: > "$T/log"
run setup resume
is "$rc:$(cut -d' ' -f3 "$T/log")" "0:bytes=100000-" "a .part of an earlier run: resumed where it ended"
cmp -s "$T/mirror/r/kernel" "$T/www/resume/kernel"
ok $? "... and complete"

# A server without ranges: the .part is dropped and the file fetched whole.
upstream kernel norange/r/kernel "$T/mirror/r/kernel" | module restart "$URL"
mkdir -p "$T/www/restart"
head -c 100000 "$T/mirror/r/kernel" > "$T/www/restart/kernel.part"
: > "$T/log"
run setup restart
is "$rc" 0 "no ranges: restarted, exit 0"
cmp -s "$T/mirror/r/kernel" "$T/www/restart/kernel"
ok $? "no ranges: the whole file"
is "$(gets /norange/r/kernel)" 2 "no ranges: one refused resume, one whole fetch"

# A .part that is not the file's beginning: refused, deleted; the next run fetches it whole.
upstream kernel r/kernel "$T/mirror/r/kernel" | module badpart "$URL"
mkdir -p "$T/www/badpart"
head -c 100000 /dev/urandom > "$T/www/badpart/kernel.part"
run setup badpart
is "$rc" 1 "a foreign .part: resumed into a wrong file, refused"
grep -q "refused: deleted, nothing installed" "$T/err"
ok $? "... said"
[ ! -e "$T/www/badpart/kernel" ] && [ ! -e "$T/www/badpart/kernel.part" ]
ok $? "... nothing installed, the .part deleted"
run setup badpart
is "$rc" 0 "... the next run fetches it whole"
cmp -s "$T/mirror/r/kernel" "$T/www/badpart/kernel"
ok $? "... right"

# --- a server that stalls --------------------------------------------------------
upstream kernel stall/r/kernel "$T/mirror/r/kernel" | module stall "$URL"
start=$(date +%s%N)
run setup --timeout 2 stall
ms=$(( ($(date +%s%N) - start) / 1000000 ))
is "$rc" 1 "stalled server: exit 1"
grep -q "^se3-ipxe: setup: $URL/stall/r/kernel: nothing received for 2 s, given up (curl: (28) " "$T/err"
ok $? "stalled server: one clear line"
[ "$ms" -ge 1500 ] && [ "$ms" -lt 30000 ]
ok $? "stalled server: given up after the timeout ($ms ms, 2 s asked)"
[ ! -e "$T/www/stall/kernel" ]
ok $? "stalled server: nothing installed"

# --- the mirror: --mirror, none, bad -----------------------------------------------
upstream kernel r/kernel "$T/mirror/r/kernel" | module nomirror
run setup nomirror
is "$rc" 1 "no mirror: exit 1"
is "$(cat "$T/err")" "se3-ipxe: setup: nomirror: upstream kernel: no mirror to fetch r/kernel from (give --mirror URL, or [module] mirror)" \
    "no mirror: says what to give"
run setup --mirror "$URL" nomirror
is "$rc:$(head -1 "$T/out")" "0:fetched nomirror/kernel (307200 bytes, sha256 verified)" "--mirror URL: used"
upstream kernel r/kernel "$T/mirror/r/kernel" | module other "http://127.0.0.1:9/"
run setup --mirror "$URL" other
is "$rc" 0 "--mirror URL: wins over [module] mirror"
run setup --mirror ftp://x/ other
is "$rc:$(head -1 "$T/err")" "2:se3-ipxe: setup: --mirror: 'ftp://x/' is not an http:// or https:// URL" "--mirror ftp://: usage error"
run setup --timeout 0 other
is "$rc" 2 "--timeout 0: usage error"
run setup
is "$rc:$(head -1 "$T/err")" "2:se3-ipxe: setup: missing MODULE" "no MODULE: usage error"
run setup nosuch
is "$rc:$(cat "$T/err")" "1:se3-ipxe: setup: module 'nosuch' not found in $T/modules" "unknown module: said"

# A setup script that fails fails setup.
upstream kernel r/kernel "$T/mirror/r/kernel" | module failing "$URL"
printf '#!/bin/sh\necho "no package"\nexit 3\n' > "$T/modules/failing/setup"
chmod 755 "$T/modules/failing/setup"
run setup failing
is "$rc:$(cat "$T/err")" "1:se3-ipxe: setup: $T/modules/failing/setup: exit status 3" "a failing setup script: exit 1, said"
grep -qx "no package" "$T/out"
ok $? "... with what it wrote"

# --- ISOs: SystemRescue's and Clonezilla's layouts ---------------------------------
iso_module() {	# iso_module NAME ISO-URL ISO MEMBER...
	name=$1 isourl=$2 iso=$3
	shift 3
	{
		upstream "$(basename "$isourl")" "$isourl" "$iso"
		for mb; do
			printf '\n[upstream %s]\niso = %s\nmember = %s\nsha256 = %s\nsize = %s\n' \
			    "$mb" "$isourl" "$mb" "$(sha "$T/tree-$name/$mb")" "$(size "$T/tree-$name/$mb")"
		done
	} | module "$name" "$URL"
}
SR="sysresccd/boot/x86_64/vmlinuz sysresccd/boot/x86_64/sysresccd.img sysresccd/x86_64/airootfs.sfs sysresccd/x86_64/airootfs.sha512"
CZ="live/vmlinuz live/initrd.img live/filesystem.squashfs"
for f in $SR; do mkfile "$T/tree-sysrescue/$f" 64; done
for f in $CZ; do mkfile "$T/tree-clonezilla/$f" 64; done
xorriso -as mkisofs -quiet -R -J -V RESCUE1102 -o "$T/mirror/r/systemrescue-11.02-amd64.iso" "$T/tree-sysrescue" 2> /dev/null &&
    xorriso -as mkisofs -quiet -R -J -V CLONEZILLA -o "$T/mirror/r/clonezilla-live-amd64.iso" "$T/tree-clonezilla" 2> /dev/null
ok $? "ISOs built with xorriso"
# shellcheck disable=SC2086
iso_module sysrescue r/systemrescue-11.02-amd64.iso "$T/mirror/r/systemrescue-11.02-amd64.iso" $SR
# shellcheck disable=SC2086
iso_module clonezilla r/clonezilla-live-amd64.iso "$T/mirror/r/clonezilla-live-amd64.iso" $CZ
for m in sysrescue clonezilla; do
	: > "$T/log"
	run setup $m
	is "$rc" 0 "$m ISO: setup exit 0"
	is "$(grep -c '^GET /r/.*\.iso ' "$T/log")" 1 "$m ISO: fetched once"
	is "$(grep -c '^extracted ' "$T/out")" "$(if [ $m = sysrescue ]; then echo 4; else echo 3; fi)" \
	    "$m ISO: every member extracted"
	bad=0
	if [ $m = sysrescue ]; then list=$SR; else list=$CZ; fi
	for f in $list; do
		cmp -s "$T/tree-$m/$f" "$T/www/$m/$f" || bad=$((bad + 1))
	done
	is "$bad" 0 "$m ISO: each member is the file put in the ISO, at its path"
	: > "$T/log"
	run setup $m
	is "$rc:$(grep -c '^kept ' "$T/out"):$(wc -l < "$T/log")" "0:$(grep -c '^\[upstream' "$T/modules/$m/module.ini"):0" \
	    "$m ISO: again: everything kept, nothing fetched"
done
# A member whose checksum is not the manifest's: refused.
XSUM=$(printf x | sha256sum | cut -d' ' -f1)
sed -i '/^\[upstream live\/vmlinuz\]/,/^size/ s/^sha256 = .*/sha256 = '"$XSUM"'/' \
    "$T/modules/clonezilla/module.ini"
rm "$T/www/clonezilla/live/vmlinuz"
run setup clonezilla
is "$rc" 1 "ISO member with a wrong checksum: exit 1"
grep -q "^se3-ipxe: setup: clonezilla: upstream live/vmlinuz: sha256 $(sha "$T/tree-clonezilla/live/vmlinuz"), not the manifest's $XSUM: refused: deleted, nothing installed\$" "$T/err"
ok $? "... said"
[ ! -e "$T/www/clonezilla/live/vmlinuz" ] && [ ! -e "$T/www/clonezilla/live/vmlinuz.part" ]
ok $? "... nothing installed"
# A placeholder checksum (all zeros, as shipped before a release's figures are known): nothing fetched.
upstream kernel r/kernel "$T/mirror/r/kernel" | sed 's/^sha256 = .*/sha256 = 0000000000000000000000000000000000000000000000000000000000000000/' |
    module placeholder "$URL"
: > "$T/log"
run setup placeholder
is "$rc:$(cat "$T/err")" "1:se3-ipxe: setup: placeholder: upstream kernel: the manifest's sha256 is a placeholder (all zeros): set the release's sha256 and size in $T/modules/placeholder/module.ini" \
    "placeholder checksum: refused, said"
is "$(wc -l < "$T/log")" 0 "placeholder checksum: nothing fetched"

# A mirror that sends more than the manifest's size: not fetched past it.
upstream kernel r/kernel "$T/mirror/r/kernel" | sed 's/^size = .*/size = 1000/' | module toobig "$URL"
run setup toobig
is "$rc" 1 "a file larger than the manifest says: exit 1"
grep -q "^se3-ipxe: setup: $URL/r/kernel: curl: (63) " "$T/err" && [ ! -e "$T/www/toobig/kernel.part" ]
ok $? "... refused by its size, no .part kept: $(cat "$T/err")"

# A member the ISO does not have.
printf '\n[upstream live/nothere]\niso = r/clonezilla-live-amd64.iso\nmember = live/nothere\nsha256 = %s\nsize = 1\n' \
    "$(printf x | sha256sum | cut -d' ' -f1)" >> "$T/modules/clonezilla/module.ini"
sed -i '/^\[upstream live\/vmlinuz\]/,/^size/ s/^sha256 = .*/sha256 = '"$(sha "$T/tree-clonezilla/live/vmlinuz")"'/' \
    "$T/modules/clonezilla/module.ini"
run setup clonezilla
is "$rc" 1 "ISO without the member: exit 1"
grep -q "^se3-ipxe: setup: $T/www/clonezilla/clonezilla-live-amd64.iso: no file /live/nothere in it (xorriso: " "$T/err"
ok $? "... said: $(cat "$T/err")"

# --- [copy]: a package's file, compared with the package's copy ----------------
mkdir -p "$T/pkgroot/boot"
mkfile "$T/pkgroot/boot/tool.bin" 50
module pkg <<EOM

[copy boot/tool.bin]
from = $T/pkgroot/boot/tool.bin
package = fake-tool
EOM
run setup pkg
is "$rc:$(cat "$T/out")" "0:copied pkg/boot/tool.bin (the same as $T/pkgroot/boot/tool.bin)" "copy: setup copies the package's file"
cmp -s "$T/pkgroot/boot/tool.bin" "$T/www/pkg/boot/tool.bin"
ok $? "copy: ... the same bytes"
run setup pkg
is "$rc:$(cat "$T/out")" "0:kept pkg/boot/tool.bin (the same as $T/pkgroot/boot/tool.bin)" "copy: again: kept"
run check
grep -qx "ok upstream pkg/boot/tool.bin" "$T/out"
ok $? "copy: check ok"
mkfile "$T/pkgroot/boot/tool.bin" 50	# the package upgraded
run check
is "$rc" 1 "copy: the package's file changed: check fails"
grep -q "^se3-ipxe: check: module pkg: upstream boot/tool.bin stale, sha256 [0-9a-f]\{64\}, not that of $T/pkgroot/boot/tool.bin: run se3-ipxe setup pkg\$" "$T/err"
ok $? "copy: ... stale, naming the package's file"
run setup pkg
is "$rc:$(cat "$T/out")" "0:copied pkg/boot/tool.bin (the same as $T/pkgroot/boot/tool.bin)" "copy: setup copies it again"
rm "$T/pkgroot/boot/tool.bin"
run check
is "$rc" 1 "copy: the package removed: check fails"
grep -q "^se3-ipxe: check: pkg: copy boot/tool.bin: $T/pkgroot/boot/tool.bin is missing: install the fake-tool package\$" "$T/err"
ok $? "copy: ... says which package to install"
run setup pkg
is "$rc:$(cat "$T/err")" "1:se3-ipxe: setup: pkg: copy boot/tool.bin: $T/pkgroot/boot/tool.bin is missing: install the fake-tool package" \
    "copy: setup says it too"

# --- the shipped manifests: they load, and their placeholders fetch nothing ---------
cli_config "$T/shipped.conf" "$TOP/modules"
rm -rf "$T/www/sysrescue" "$T/www/clonezilla"	# the fixtures' modules of the same names
for m in sysrescue clonezilla windows; do
	"$SIP" -c "$T/shipped.conf" setup $m > "$T/out" 2> "$T/err"
	# Its first line; a module's own script runs after it (windows: says wimboot is missing).
	is "$?:$(sed -n '1s/upstream [^:]*:/upstream X:/p' "$T/err")" \
	    "1:se3-ipxe: setup: $m: upstream X: the manifest's sha256 is a placeholder (all zeros): set the release's sha256 and size in $TOP/modules/$m/module.ini" \
	    "shipped $m: a placeholder checksum, refused before any download"
done
"$SIP" -c "$T/shipped.conf" check > "$T/out" 2> "$T/err"
for m in sysrescue clonezilla windows; do
	grep -q "^unverifiable module $m: upstream [^ ]* has a placeholder sha256 (all zeros): set the release's sha256 and size, or a signed sums list, in $TOP/modules/$m/module.ini\$" "$T/out"
	ok $? "shipped $m: check says it is not verifiable (a placeholder)"
done

done_testing
