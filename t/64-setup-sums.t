#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# se3-ipxe setup against signed sums lists on a loopback HTTP server: a detached signature, a clearsigned list, a Release listing the list; bad signature, unknown key, entry missing, file differs; members of a verified ISO.
. t/lib/tap.sh
. t/lib/cli.sh

unset SE3_IPXE_CONFIG SUDO_USER MIRROR
for tool in python3 xorriso curl gpg gpgv; do
	if ! command -v $tool > /dev/null 2>&1; then
		echo "1..0 # SKIP no $tool"
		exit 0
	fi
done

CONF=$T/se3-ipxe.conf
cli_config "$CONF" "$T/modules"
mkdir -p "$T/www" "$T/mirror" "$T/modules"

# Two keys of our own, made here (no network): "good" is in the keyring
# the manifests name, "other" is not.
export GNUPGHOME="$T/gpg-good"
mkdir -m 700 "$T/gpg-good" "$T/gpg-other"
gpgs() {	# gpgs HOME ARGS...: gpg with that home, quietly
	h=$1
	shift
	GNUPGHOME=$h gpg --batch --quiet --no-tty --pinentry-mode loopback --passphrase '' "$@"
}
: > "$T/log"
python3 t/lib/fixture_http.py "$T/mirror" "$T/port" "$T/log" 2> "$T/server.err" &
SERVER=$!
trap 'kill $SERVER 2> /dev/null
	GNUPGHOME="$T/gpg-good" gpgconf --kill gpg-agent 2> /dev/null
	GNUPGHOME="$T/gpg-other" gpgconf --kill gpg-agent 2> /dev/null
	rm -rf "$T"' EXIT
start=$(date +%s%N)
gpgs "$T/gpg-good" --quick-gen-key 'se3-ipxe test <good@example.invalid>' ed25519 sign never 2> "$T/gpg.err" &&
    gpgs "$T/gpg-other" --quick-gen-key 'se3-ipxe other <other@example.invalid>' ed25519 sign never 2>> "$T/gpg.err" &&
    gpgs "$T/gpg-good" --export > "$T/good.gpg" && [ -s "$T/good.gpg" ]
ok $? "two signing keys made ($(( ($(date +%s%N) - start) / 1000000 )) ms), the good one exported to a keyring"
KEYRING=$T/good.gpg
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
URL=http://127.0.0.1:$(cat "$T/port")

mkfile() {	# mkfile PATH KILOBYTES
	mkdir -p "$(dirname "$1")"
	head -c $(($2 * 1024)) /dev/urandom > "$1"
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }
# module NAME: a module of the mirror $URL, its sections on stdin.
module() {
	mkdir -p "$T/modules/$1"
	{
		printf '[module]\nname = %s\ndescription = test\nversion = 1\nmirror = %s\n' "$1" "$URL"
		cat
	} > "$T/modules/$1/module.ini"
}
# signed NAME URL SUMS SIG [KEYRING]: an [upstream] section of a signed list.
signed() {
	printf '\n[upstream %s]\nurl = %s\nsums = %s\nsums_sig = %s\nkeyring = %s\n' \
	    "$1" "$2" "$3" "$4" "${5:-$KEYRING}"
}
detach() {	# detach HOME FILE: FILE.gpg, a detached binary signature
	rm -f "$2.gpg"
	gpgs "$1" --detach-sign --output "$2.gpg" "$2"
}
installed() { find "$T/www/$1" -type f 2> /dev/null | wc -l; }

mkfile "$T/mirror/u/kernel" 300
mkfile "$T/mirror/u/initrd" 200
mkfile "$T/mirror/u/other" 10
# As Ubuntu's SHA256SUMS: "HEX *NAME"; and one in "./NAME" form.
{ printf '%s *kernel\n' "$(sha "$T/mirror/u/kernel")"
  printf '%s  ./initrd\n' "$(sha "$T/mirror/u/initrd")"
  printf '%s *other\n' "$(sha "$T/mirror/u/other")"; } > "$T/mirror/u/SHA256SUMS"
detach "$T/gpg-good" "$T/mirror/u/SHA256SUMS"

# --- good: a detached signature ----------------------------------------------
{ signed kernel u/kernel u/SHA256SUMS u/SHA256SUMS.gpg
  signed boot/initrd u/initrd u/SHA256SUMS u/SHA256SUMS.gpg; } | module good
run check
grep -qx "unset module good: 2 upstream files, none in $T/www/good (se3-ipxe setup good)" "$T/out"
ok $? "check: not set up yet, said"
run setup good
is "$rc:$(cat "$T/out")" "0:fetched good/kernel (307200 bytes, sha256 verified against the signed u/SHA256SUMS)
fetched good/boot/initrd (204800 bytes, sha256 verified against the signed u/SHA256SUMS)" \
    "good signature: fetched, said with sizes"
cmp -s "$T/mirror/u/kernel" "$T/www/good/kernel" && cmp -s "$T/mirror/u/initrd" "$T/www/good/boot/initrd"
ok $? "good signature: the mirror's files in BOOT_ROOT/MODULE/NAME"
is "$(find "$T/www/good" -name '*.part' -o -name '.sums.*' | wc -l)" 0 "good signature: no .part, no list left behind"
run check
grep -qx "ok upstream good/kernel" "$T/out" && grep -qx "ok upstream good/boot/initrd" "$T/out" && [ "$rc" = 0 ]
ok $? "check: ok, from what setup recorded (no network)"
: > "$T/log"
run setup good
is "$rc:$(grep -c '^kept ' "$T/out")" "0:2" "setup again: kept"
is "$(cut -d' ' -f2 "$T/log" | sort | tr '\n' ' ')" "/u/SHA256SUMS /u/SHA256SUMS /u/SHA256SUMS.gpg /u/SHA256SUMS.gpg " \
    "setup again: only the list and its signature asked for, each file's"
# A byte changed in place: check says so, setup puts the file back.
printf 'X' | dd of="$T/www/good/kernel" bs=1 seek=100 conv=notrunc 2> /dev/null
run check
grep -q "^se3-ipxe: check: module good: upstream kernel stale, sha256 [0-9a-f]\{64\}, not the signed list's $(sha "$T/mirror/u/kernel"): run se3-ipxe setup good\$" "$T/err" && [ "$rc" = 1 ]
ok $? "check: a changed byte is stale"
run setup good
is "$rc:$(head -1 "$T/out" | cut -d' ' -f1)" "0:fetched" "setup: the changed file fetched again"
rm "$T/www/good/.kernel.sha256"
run check
grep -q "^se3-ipxe: check: module good: upstream kernel stale, no record of its verification" "$T/err"
ok $? "check: a file setup did not record is not taken on trust"

# --- bad signature: the list changed after it was signed -------------------------
cp -r "$T/mirror/u" "$T/mirror/bad"
printf '%s *extra\n' "$(sha "$T/mirror/u/other")" >> "$T/mirror/bad/SHA256SUMS"
signed kernel bad/kernel bad/SHA256SUMS bad/SHA256SUMS.gpg | module badsig
run setup badsig
is "$rc:$(cat "$T/err")" "1:se3-ipxe: setup: badsig: upstream kernel: $URL/bad/SHA256SUMS: bad signature: refused, nothing installed" \
    "bad signature: one line naming the file"
is "$(installed badsig)" 0 "bad signature: nothing installed"

# --- unknown key ---------------------------------------------------------------------
cp -r "$T/mirror/u" "$T/mirror/unk"
detach "$T/gpg-other" "$T/mirror/unk/SHA256SUMS"
signed kernel unk/kernel unk/SHA256SUMS unk/SHA256SUMS.gpg | module unknown
run setup unknown
is "$rc:$(cat "$T/err")" "1:se3-ipxe: setup: unknown: upstream kernel: $URL/unk/SHA256SUMS: signed by a key that is not in $KEYRING: refused, nothing installed" \
    "unknown key: one line"
is "$(installed unknown)" 0 "unknown key: nothing installed"
# No keyring at all (its package not installed).
signed kernel u/kernel u/SHA256SUMS u/SHA256SUMS.gpg "$T/nosuch.gpg" | module nokeyring
run setup nokeyring
is "$rc:$(cat "$T/err")" "1:se3-ipxe: setup: nokeyring: upstream kernel: $URL/u/SHA256SUMS: keyring $T/nosuch.gpg: No such file or directory (install the package that ships it): refused, nothing installed" \
    "missing keyring: said"
# A signature that is not one.
mkdir -p "$T/mirror/junk" && cp "$T/mirror/u/kernel" "$T/mirror/u/SHA256SUMS" "$T/mirror/junk/"
printf 'not a signature\n' > "$T/mirror/junk/SHA256SUMS.gpg"
signed kernel junk/kernel junk/SHA256SUMS junk/SHA256SUMS.gpg | module junk
run setup junk
is "$rc:$(installed junk)" "1:0" "a signature that is none: refused, nothing installed"
grep -q "^se3-ipxe: setup: junk: upstream kernel: $URL/junk/SHA256SUMS: no signature in it: refused, nothing installed\$" "$T/err"
ok $? "... said: $(cat "$T/err")"

# --- entry missing --------------------------------------------------------------------
signed tool u/absent u/SHA256SUMS u/SHA256SUMS.gpg | module missing
mkfile "$T/mirror/u/absent" 5
run setup missing
is "$rc:$(cat "$T/err")" "1:se3-ipxe: setup: missing: upstream tool: $URL/u/SHA256SUMS does not list absent: refused, nothing installed" \
    "entry missing: one line"
is "$(installed missing):$(grep -c '^GET /u/absent ' "$T/log")" "0:0" "entry missing: nothing installed, nothing fetched"

# --- file differs -----------------------------------------------------------------------
cp -r "$T/mirror/u" "$T/mirror/diff"
mkfile "$T/mirror/diff/kernel" 300
signed kernel diff/kernel diff/SHA256SUMS diff/SHA256SUMS.gpg | module differs
run setup differs
is "$rc:$(cat "$T/err")" "1:se3-ipxe: setup: differs: upstream kernel: sha256 $(sha "$T/mirror/diff/kernel"), not the signed list's $(sha "$T/mirror/u/kernel"): refused: deleted, nothing installed" \
    "file differs: one line with both digests"
is "$(installed differs)" 0 "file differs: nothing installed, no .part"

# --- a clearsigned list (sums_sig = sums) -------------------------------------------------
mkdir -p "$T/mirror/cs"
cp "$T/mirror/u/kernel" "$T/mirror/cs/"
gpgs "$T/gpg-good" --clearsign --output "$T/mirror/cs/SHA256SUMS.asc" "$T/mirror/u/SHA256SUMS"
signed kernel cs/kernel cs/SHA256SUMS.asc cs/SHA256SUMS.asc | module clear
run setup clear
is "$rc:$(cat "$T/out")" "0:fetched clear/kernel (307200 bytes, sha256 verified against the signed cs/SHA256SUMS.asc)" \
    "clearsigned list: verified, fetched"
# Lines after the signature are not signed: never believed.
mkfile "$T/mirror/cs2/kernel" 300
cp "$T/mirror/cs/SHA256SUMS.asc" "$T/mirror/cs2/"
printf '%s *kernel\n' "$(sha "$T/mirror/cs2/kernel")" >> "$T/mirror/cs2/SHA256SUMS.asc"
signed kernel cs2/kernel cs2/SHA256SUMS.asc cs2/SHA256SUMS.asc | module appended
run setup appended
is "$rc:$(installed appended)" "1:0" "an entry appended after the signature: ignored, the file refused"
grep -q "not the signed list's $(sha "$T/mirror/u/kernel"): refused" "$T/err"
ok $? "... by the signed entry"
# A detached signature named as a clearsigned list.
signed kernel u/kernel u/SHA256SUMS.gpg u/SHA256SUMS.gpg | module notclear
run setup notclear
grep -q "^se3-ipxe: setup: notclear: upstream kernel: $URL/u/SHA256SUMS.gpg: not a clearsigned list" "$T/err" && [ "$rc" = 1 ]
ok $? "a detached signature as its own list: refused"

# --- Debian's chain: a clearsigned InRelease lists the images' SHA256SUMS -----------------
D=$T/mirror/dists/trixie
mkfile "$D/main/installer-amd64/current/images/netboot/debian-installer/amd64/linux" 120
mkfile "$D/main/installer-amd64/current/images/netboot/debian-installer/amd64/initrd.gz" 250
( cd "$D/main/installer-amd64/current/images" &&
  for f in netboot/debian-installer/amd64/linux netboot/debian-installer/amd64/initrd.gz; do
	printf '%s  ./%s\n' "$(sha "$f")" "$f"
  done > SHA256SUMS )
release() {	# release: a Release whose SHA256 field lists the images' list
	l=$D/main/installer-amd64/current/images/SHA256SUMS
	printf 'Origin: Debian\nSuite: stable\nCodename: trixie\nMD5Sum:\n %s %16s main/installer-amd64/current/images/SHA256SUMS\nSHA256:\n' \
	    "$(md5sum "$l" | cut -d' ' -f1)" "$(size "$l")"
	printf ' %s %16s main/binary-amd64/Packages\n' "$(printf x | sha256sum | cut -d' ' -f1)" 1
	printf ' %s %16s main/installer-amd64/current/images/SHA256SUMS\n' "$(sha "$l")" "$(size "$l")"
}
release > "$T/Release"
gpgs "$T/gpg-good" --clearsign --output "$D/InRelease" "$T/Release"
IMG=dists/trixie/main/installer-amd64/current/images
{ signed debian13/amd64/linux $IMG/netboot/debian-installer/amd64/linux $IMG/SHA256SUMS dists/trixie/InRelease
  signed debian13/amd64/initrd.gz $IMG/netboot/debian-installer/amd64/initrd.gz $IMG/SHA256SUMS dists/trixie/InRelease; } |
    module deb
run setup deb
is "$rc:$(cut -d' ' -f1-4 "$T/out" | tr '\n' ' ')" "0:fetched deb/debian13/amd64/linux (122880 bytes, fetched deb/debian13/amd64/initrd.gz (256000 bytes, " \
    "Release -> SHA256SUMS -> files: verified, fetched"
cmp -s "$D/main/installer-amd64/current/images/netboot/debian-installer/amd64/linux" "$T/www/deb/debian13/amd64/linux"
ok $? "... the installer's kernel"
# The images' list changed, the Release not: the list is refused.
printf '%s  ./netboot/debian-installer/amd64/linux\n' "$(printf x | sha256sum | cut -d' ' -f1)" >> "$D/main/installer-amd64/current/images/SHA256SUMS"
rm -rf "$T/www/deb"
run setup deb
is "$rc:$(installed deb)" "1:0" "a list that is not the one the Release lists: refused, nothing installed"
is "$(cat "$T/err")" "se3-ipxe: setup: deb: upstream debian13/amd64/linux: $IMG/SHA256SUMS: not the list dists/trixie/InRelease lists (another sha256): refused, nothing installed" \
    "... said in one line"
# A Release that does not list it.
sed -i '/SHA256SUMS$/d' "$T/Release"
gpgs "$T/gpg-good" --clearsign --output "$D/InRelease.new" "$T/Release" && mv "$D/InRelease.new" "$D/InRelease"
run setup deb
grep -q "^se3-ipxe: setup: deb: upstream debian13/amd64/linux: $URL/dists/trixie/InRelease does not list main/installer-amd64/current/images/SHA256SUMS: refused, nothing installed\$" "$T/err" && [ "$rc" = 1 ]
ok $? "a Release without the list: refused, said"

# --- an ISO checked by a signed list, its members by it -----------------------------------
CZ="live/vmlinuz live/initrd.img live/filesystem.squashfs"
for f in $CZ; do mkfile "$T/tree/$f" 64; done
mkdir -p "$T/mirror/iso"
xorriso -as mkisofs -quiet -R -J -V CLONEZILLA -o "$T/mirror/iso/live.iso" "$T/tree" 2> /dev/null
ok $? "an ISO built with xorriso"
printf '%s *live.iso\n' "$(sha "$T/mirror/iso/live.iso")" > "$T/mirror/iso/SHA256SUMS"
detach "$T/gpg-good" "$T/mirror/iso/SHA256SUMS"
{ signed live.iso iso/live.iso iso/SHA256SUMS iso/SHA256SUMS.gpg
  for f in $CZ; do printf '\n[upstream %s]\niso = iso/live.iso\nmember = %s\n' "$f" "$f"; done; } | module live
run setup live
is "$rc:$(grep -c '^extracted live/live/.* bytes, from the verified ISO)$' "$T/out")" "0:3" \
    "members of a verified ISO: extracted, said"
bad=0
for f in $CZ; do cmp -s "$T/tree/$f" "$T/www/live/$f" || bad=$((bad + 1)); done
is "$bad" 0 "... each the file put in the ISO"
: > "$T/log"
run setup live
is "$rc:$(grep -c '^kept ' "$T/out"):$(grep -c 'live.iso ' "$T/log")" "0:4:0" "again: all kept, the ISO not fetched again"
run check
is "$(grep -c '^ok upstream live/' "$T/out"):$(grep -c 'module live' "$T/err")" "4:0" "check: the ISO and its members ok"
printf 'X' | dd of="$T/www/live/live/vmlinuz" bs=1 seek=10 conv=notrunc 2> /dev/null
run check
grep -q "^se3-ipxe: check: module live: upstream live/vmlinuz stale, sha256 [0-9a-f]\{64\}, not the recorded $(sha "$T/tree/live/vmlinuz"): run se3-ipxe setup live\$" "$T/err"
ok $? "check: a changed member is stale"
run setup live
is "$rc:$(grep -c '^extracted ' "$T/out")" "0:1" "setup: the changed member extracted again, the others kept"
cmp -s "$T/tree/live/vmlinuz" "$T/www/live/live/vmlinuz"
ok $? "... right"

# --- manifests that cannot be -------------------------------------------------------------
bad_manifest() {	# bad_manifest NAME EXPECTED-ERROR WHAT: sections in $T/sections
	module "$1" < "$T/sections"
	run setup "$1"
	is "$rc:$(cat "$T/err")" "1:se3-ipxe: setup: $2" "manifest: $3"
}
{ signed kernel u/kernel u/SHA256SUMS u/SHA256SUMS.gpg; printf 'sha256 = %s\n' "$(sha "$T/mirror/u/kernel")"; } > "$T/sections"
bad_manifest m1 "$T/modules/m1/module.ini:12: [upstream kernel]: no sha256 with sums (the signed list gives the sha256, the download the size)" \
    "sums and sha256 together: refused"
signed kernel other/kernel u/SHA256SUMS u/SHA256SUMS.gpg > "$T/sections"
bad_manifest m2 "$T/modules/m2/module.ini:8: [upstream kernel] url: 'other/kernel' is not under the directory of its sums list u/SHA256SUMS" \
    "a file outside its list's directory: refused"
printf '\n[upstream kernel]\nurl = u/kernel\nsums = u/SHA256SUMS\nkeyring = %s\n' "$KEYRING" > "$T/sections"
bad_manifest m3 "$T/modules/m3/module.ini:7: [upstream kernel]: missing key 'sums_sig'" "sums without sums_sig: refused"
signed kernel u/kernel u/SHA256SUMS u/SHA256SUMS.gpg keyring.gpg > "$T/sections"
bad_manifest m4 "$T/modules/m4/module.ini:11: [upstream kernel] keyring: 'keyring.gpg' is not an absolute path of [A-Za-z0-9._+~-] components" \
    "a relative keyring: refused"
{ printf '\n[upstream x.iso]\nurl = u/x.iso\nsha256 = %s\nsize = 1\n' "$(sha "$T/mirror/u/kernel")"
  printf '\n[upstream k]\niso = u/x.iso\nmember = k\n'; } > "$T/sections"
bad_manifest m5 "$T/modules/m5/module.ini:12: [upstream k]: missing sha256 and size (only a member of an ISO checked against a sums list may leave them out)" \
    "a member without sha256 of an ISO without sums: refused"

# --- the shipped linux module: Debian 13 from a mirror, checked with Debian's keys ---------
# The fixture's InRelease is signed by our key, not Debian's: refused, with
# the line naming the file; Debian 12's script runs all the same.
if [ -s /usr/share/keyrings/debian-archive-keyring.gpg ]; then
	cli_config "$T/shipped.conf" "$TOP/modules"
	mkdir -p "$T/di/amd64/text/debian-installer/amd64"
	mkfile "$T/di/amd64/text/debian-installer/amd64/linux" 4
	mkfile "$T/di/amd64/text/debian-installer/amd64/initrd.gz" 4
	release > "$T/Release"
	gpgs "$T/gpg-good" --clearsign --output "$D/InRelease.new" "$T/Release" && mv "$D/InRelease.new" "$D/InRelease"
	: > "$T/log"
	DI_ROOT=$T/di "$SIP" -c "$T/shipped.conf" setup --mirror "$URL" linux > "$T/out" 2> "$T/err"
	is "$?:$(cat "$T/err")" "1:se3-ipxe: setup: linux: upstream debian13/amd64/linux: $URL/dists/trixie/InRelease: signed by a key that is not in /usr/share/keyrings/debian-archive-keyring.gpg: refused, nothing installed" \
	    "shipped linux: Debian 13's Release fetched from --mirror, checked with Debian's keyring, a foreign key refused"
	is "$(cut -d' ' -f2 "$T/log")" "/dists/trixie/InRelease" "shipped linux: nothing else fetched"
	grep -q "^linux setup: Debian 12 installer (linux initrd.gz) copied for: amd64 to $T/www/linux/debian12/\$" "$T/out" &&
	    [ -s "$T/www/linux/debian12/amd64/linux" ] && [ ! -e "$T/www/linux/debian13" ]
	ok $? "shipped linux: Debian 12 set up from the packages all the same, nothing of Debian 13"
else
	for i in 1 2 3; do skip "no /usr/share/keyrings/debian-archive-keyring.gpg"; done
fi

done_testing
