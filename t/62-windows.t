#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# modules/windows through the real ipxe.cgi: every capability x option value renders its script and files as the golden files say, every XML passes xmllint, hostile values are refused at set-action.
. t/lib/tap.sh
. t/lib/cgi.sh

write_config "$T/se3-ipxe.conf" "[secrets]" "file = $T/secrets"
# The share's password goes to startnet.cmd (kind cmd: a blank and UTF-8
# are fine), the Administrator's to the answer files (XML-escaped).
SHARE_PW='Se3 p@ss wörd $1'
ADMIN_PW="Adm1n <&> \"q\" 'a'"
printf 'adminse3 = %s\nwindows_admin = %s\npercent = 100%%sure\n' "$SHARE_PW" "$ADMIN_PW" > "$T/secrets"
chmod 600 "$T/secrets"
db_create
GOLD=$TOP/t/golden/windows
n=0

# render CAP [KEY=VALUE]: set the action on a new MAC, boot it once, then
# fetch every file its capability declares, all in $T/got: the script,
# then each file under a "==> NAME <==" line, with the action's MAC, id
# and token replaced by @MAC@, @ID@ and @TOKEN@.
render() {
	cap=$1
	shift
	n=$((n + 1))
	mac=$(printf '52:54:00:62:%02x:%02x' $((n / 256)) $((n % 256)))
	se3ipxe set-action --yes "$mac" "windows:$cap" "$@" > "$T/set.out" 2>&1 || {
		cat "$T/set.out" > "$T/got"
		return 1
	}
	token=$(sqlite3 "$T/db/se3-ipxe.db" "SELECT token FROM actions WHERE mac = '$mac' AND state IN ('pending', 'running')")
	id=$(sqlite3 "$T/db/se3-ipxe.db" "SELECT id FROM actions WHERE token = '$token'")
	boot "mac=$mac&platform=pcbios"
	{ echo "==> $cap.ipxe ($status) <=="; cat "$T/body"; } > "$T/raw"
	files=$(sed -n "/^\[capability $cap\]/,/^\[/s/^files = //p" "$TOP/modules/windows/module.ini")
	for f in $files; do
		f=${f%%:*}	# NAME[:KIND]
		cgi GET "/file/$f" "token=$token"
		{ echo "==> $f ($status) <=="; cat "$T/body"; } >> "$T/raw"
		case $f in
		*.xml) cp "$T/body" "$T/xml/$cap-$n-$f" ;;
		esac
	done
	sed -e "s/$mac/@MAC@/g" -e "s/$token/@TOKEN@/g" -e "s/action $id)/action @ID@)/g" "$T/raw" > "$T/got"
}

# golden NAME: $T/got against t/golden/windows/NAME (written anew with
# SIP_GOLDEN_UPDATE=1).
golden() {
	if [ -n "${SIP_GOLDEN_UPDATE-}" ]; then
		mkdir -p "$GOLD"
		cp "$T/got" "$GOLD/$1"
	fi
	if cmp -s "$GOLD/$1" "$T/got"; then
		ok 0 "$1: the golden script and files"
	else
		ok 1 "$1: the golden script and files"
		diff -u "$GOLD/$1" "$T/got" | sed 's/^/# /' | head -40
	fi
}

mkdir -p "$T/xml"
# Every value of every enum and boolean, both ends of every integer, a
# second value of every name.
for cap_case in \
    install: \
    install:media=win11 \
    install:image_index=64 \
    install:product_key=NW6C2-QMPVW-D7KKK-3GKT6-VCFB2 \
    install:locale=en-US \
    install:disk=keep-partitions \
    install:mode=keep-data \
    install:partition=1 \
    install:partition=128 \
    install:share_server=10.1.2.3 \
    install:share_name=install-w11 \
    install:share_user=admin@sambaedu3.lan \
    install:setup_path=os/Win11/x64 \
    install:domain_join=yes \
    install:domain=college.ac-test.fr \
    "install:timezone=W. Europe Standard Time" \
    "install:organization=Collège <Jean> & \"Fils\" d'en-haut" \
    winpe: \
    winpe:media=pe-x64 \
    winpe:share_server=se3.college.lan \
    winpe:share_name=tools \
    winpe:share_user=technicien; do
	cap=${cap_case%%:*}
	kv=${cap_case#*:}
	if render "$cap" ${kv:+"$kv"}; then
		golden "$(printf '%s' "$cap${kv:+--$kv}" | LC_ALL=C tr -c 'A-Za-z0-9._@=-' _)"
	else
		ok 1 "$cap $kv: set-action: $(cat "$T/got")"
	fi
done
grep -q '^==> install.ipxe (200) <==$' "$GOLD/install"; ok $? "install: the script is served (200)"
is "$(grep -c '^==> .* (200) <==$' "$GOLD/install")" 5 "install: the script and its 4 files are served (200)"
is "$(grep -c '^==> .* (200) <==$' "$GOLD/winpe")" 3 "winpe: the script and its 2 files are served (200)"
grep -q '^kernel .*/se3-ipxe/windows/wimboot ' "$GOLD/install"; ok $? "install: wimboot is the kernel"
grep -q '^initrd .*/unattend-join-yes\.xml?token=@TOKEN@ autounattend\.xml ' "$GOLD/install--domain_join=yes"
ok $? "domain_join=yes: the joining answer file is the one WinPE gets"
is "$(grep -c '<JoinDomain>college.ac-test.fr</JoinDomain>' "$GOLD/install--domain=college.ac-test.fr")" 1 \
    "the domain reaches the joining answer file only"

# Every answer file rendered is well-formed XML.
nxml=0 bad=
for f in "$T"/xml/*.xml; do
	nxml=$((nxml + 1))
	xmllint --noout "$f" 2> "$T/xmllint.err" || bad="$bad $(basename "$f"): $(head -n 1 "$T/xmllint.err")"
done
is "$bad" "" "xmllint --noout: all $nxml rendered answer files are well-formed"
is "$nxml" 34 "the two answer files of each of the 17 install cases"
# mode=keep-data changes one line: the mode startnet.cmd branches on, to
# the diskpart script that only selects the partition (no clean, no format).
# Each case is another machine: its ComputerName differs, and is left out.
grep -v '<ComputerName>' "$GOLD/install" > "$T/base.nocn"
grep -v '<ComputerName>' "$GOLD/install--mode=keep-data" > "$T/keep.nocn"
is "$(diff "$T/base.nocn" "$T/keep.nocn" | grep -c '^[<>]')" 2 \
    "mode=keep-data: one line differs from the base render"
# startnet.cmd has CRLF line ends: cmd.exe's.
tr -d '\r' < "$GOLD/install--mode=keep-data" | grep -qx 'set "SE3_MODE=keep-data"'; ok $? "mode=keep-data: startnet.cmd knows it"
is "$(sed -n '/^:keep_data/,/^goto diskpart/p' "$GOLD/install" | grep -v '^rem ' | grep -c -e clean -e format -e create)" 0 \
    "mode=keep-data: its diskpart script neither cleans, creates nor formats"
is "$(tr -d '\r' < "$GOLD/install" | grep -c '^if "%SE3_MODE%"=="keep-data" goto keep_data$')" 1 \
    "mode=keep-data: startnet.cmd branches there, before its firmware check"

# Hostile values: refused at set-action with the option's name, nothing
# stored, for every option of both capabilities.
hostile_file=$T/hostile
{
	printf '%s\n' 'a&b' 'a|b' 'a<b' 'a>b' 'a^b' '%PATH%' '!x!' 'a"b' "a'b" '(a)' 'a b' 'a\b' \
	    '\\srv\share' 'a;b' 'a#b' '[a]' 'a=b' '$(id)' '`id`' '${x}' '{{token}}' '../x' '/x' 'x/' \
	    '-x' '.x' '@x' 'x@' 'a,b' 'a+b' 'a:b' 'a~b' '<![CDATA[' ']]>' '&amp;' '&#x41;' '-->' \
	    'é' 'a​b' '' ' ' 'x ' ' x' '-1' 'a%41' 'a/../b' 'a//b' \
	    "$(printf 'a\tb')" "$(printf 'a\rb')" "$(printf 'a\033[2Jb')" "$(head -c 300 /dev/zero | tr '\0' a)"
	printf 'a\nb\n' | tr '\n' '\001'; echo
} > "$hostile_file"
nh=0 leaked= accepted=
before=$(sqlite3 "$T/db/se3-ipxe.db" "SELECT count(*) FROM actions")
for cap in install winpe; do
	# Text options take most of these, escaped: checked below.
	opts=$(awk -v cap="$cap" '/^\[option / { o = $2; sub(/\]$/, "", o) }
	    /^type = / && o ~ "^" cap "\\." && $3 != "text" { sub(/^[^.]*\./, "", o); print o }' \
	    "$TOP/modules/windows/module.ini")
	for opt in $opts; do
		while IFS= read -r v; do
			nh=$((nh + 1))
			if se3ipxe set-action --yes 52:54:00:62:ff:ff "windows:$cap" "$opt=$v" > "$T/h.out" 2>&1; then
				# Some hostile-looking values are valid for some options
				# (a number for an integer, a word for a name): those
				# must then render as themselves, checked below.
				accepted="$accepted $opt=$v"
				se3ipxe cancel 52:54:00:62:ff:ff > /dev/null 2>&1
			elif ! grep -q "$opt" "$T/h.out"; then
				leaked="$leaked [$opt=$v: $(head -n 1 "$T/h.out")]"
			fi
		done < "$hostile_file"
	done
done
is "$leaked" "" "every refusal of $nh hostile assignments names the option"
is "$accepted" "" "and every one of them is refused"
# A text option takes a line of printable UTF-8: in the answer file it
# reads back as itself (XML-escaped, never raw); anything else is refused.
nt=0 bad=
for opt in timezone organization; do
	while IFS= read -r v; do
		nt=$((nt + 1))
		if render install "$opt=$v" 2>/dev/null; then
			for f in "$T"/xml/install-$n-*.xml; do
				xmllint --noout "$f" 2>/dev/null || bad="$bad [$opt=$v: $(basename "$f") not well-formed]"
				tag=TimeZone
				[ "$opt" = organization ] && tag=RegisteredOrganization
				got=$(xmllint --xpath "string(//*[local-name()='$tag'])" "$f" 2>/dev/null)
				[ "$got" = "$v" ] || bad="$bad [$opt=$v: reads back as '$got']"
			done
		elif ! grep -q "$opt" "$T/got"; then
			bad="$bad [$opt=$v: refused without the option's name: $(head -n 1 "$T/got")]"
		else
			case $v in
			''|' '*|*' '|*"$(printf '\t')"*|*"$(printf '\r')"*|*"$(printf '\033')"*|*"$(printf '\001')"*|?????????????????????????????????????????????????????????????????*) ;;
			*) bad="$bad [$opt=$v: refused: $(head -n 1 "$T/got")]" ;;
			esac
		fi
	done < "$hostile_file"
done
is "$bad" "" "text options: $nt hostile values read back as themselves from the XML, or refused (blank edges, control bytes, too long)"

# Values of the right characters but out of their type: refused too.
bad=
for kv in mode=upgrade mode=keep mode=Keep-data image_index=0 image_index=65 partition=0 partition=129 disk=entire domain_join=maybe \
    product_key=W269N-WFGWX-YQC9B-4Q86R-FJVJ product_key=w269n-wfgwx-yqc9b-4q86r-fjvjd \
    locale=FR-fr locale=fr_FR locale=fr media=Win10 share_user=x@; do
	se3ipxe set-action --yes 52:54:00:62:ff:ff windows:install "$kv" > /dev/null 2>&1 && bad="$bad $kv"
done
is "$bad" "" "out-of-type values refused: integers out of bounds, unknown enum, bad key, locale, media"
is "$(sqlite3 "$T/db/se3-ipxe.db" "SELECT count(*) FROM actions WHERE state IN ('pending','running') AND mac = '52:54:00:62:ff:ff'")" 0 \
    "no hostile action left active"
# The example of se3-ipxe-modules(5) sets the action it says.
cmd=$(awk '/^Installing Windows 11/ { s = 1 } s == 1 && /^\.Bd -literal/ { s = 2; next }
	s == 2 && /^\.Ed/ { exit } s == 2 { gsub(/\\e$/, ""); printf "%s ", $0 }' "$TOP/man/se3-ipxe-modules.5")
case $cmd in
'# se3-ipxe set-action '*)
	# shellcheck disable=SC2086 # the command's words, as the page writes them
	set -- ${cmd#'# se3-ipxe set-action '}
	# No terminal here to confirm the erasure on: --yes.
	se3ipxe set-action --yes "$@" > "$T/ex.out" 2>&1
	ok $? "the man page's example runs: $cmd"
	is "$(sqlite3 "$T/db/se3-ipxe.db" "SELECT count(*) FROM actions WHERE name = 'windows:install' AND mac IN ('52:54:00:12:34:56', '52:54:00:12:34:57') AND state = 'pending'")" 2 \
	    "and sets windows:install on its two machines" ;;
*)
	ok 1 "the man page's example is found: '$cmd'"
	skip "the man page's example sets its action" ;;
esac
# setup: WinPE's files from mounted media (any case) into the boot tree.
SETUP=$TOP/modules/windows/setup
B=$T/bootroot
mkdir -p "$T/iso/BOOT" "$T/iso/SOURCES" "$T/iso/efi/boot"
printf 'bcd' > "$T/iso/BOOT/BCD"
printf 'sdi' > "$T/iso/BOOT/boot.sdi"
printf 'wim' > "$T/iso/SOURCES/BOOT.WIM"
printf 'efi' > "$T/iso/efi/boot/bootx64.efi"
BOOT_ROOT=$B sh "$SETUP" "$T/iso" win11 > "$T/setup.out" 2>&1
ok $? "setup SOURCE win11: exit 0"
is "$(cat "$B/windows/win11/boot/bcd" "$B/windows/win11/boot/boot.sdi" "$B/windows/win11/sources/boot.wim")" \
    "bcdsdiwim" "setup: bcd, boot.sdi and boot.wim copied under their media names, whatever their case"
is "$(cd "$B/windows" && find . | sort | tr '\n' ' ')" \
    ". ./win11 ./win11/boot ./win11/boot/bcd ./win11/boot/boot.sdi ./win11/sources ./win11/sources/boot.wim " \
    "setup: nothing else written"
printf 'wim2' > "$T/iso/SOURCES/BOOT.WIM"
BOOT_ROOT=$B sh "$SETUP" "$T/iso" win11 > /dev/null 2>&1
is "$(cat "$B/windows/win11/sources/boot.wim")" wim2 "setup again: the media replaced whole"
is "$(ls -A "$B/windows" | tr '\n' ' ')" "win11 " "setup again: no temporary left"
rm "$T/iso/BOOT/boot.sdi"
BOOT_ROOT=$B sh "$SETUP" "$T/iso" win12 > "$T/setup.out" 2>&1
is "$?:$(cat "$T/setup.out")" "1:windows setup: $T/iso has no boot/boot.sdi: not Windows installation media" \
    "setup from incomplete media: exit 1, one line saying what is missing"
ok "$([ ! -e "$B/windows/win12" ]; echo $?)" "and nothing installed"
for m in Win11 -x 'a b' '../x' "$(printf '%033d' 0)"; do
	BOOT_ROOT=$B sh "$SETUP" "$T/iso" "$m" > "$T/setup.out" 2>&1
	is "$?:$(wc -l < "$T/setup.out")" "1:1" "setup media '$m': refused in one line"
done
BOOT_ROOT=$B sh "$SETUP" > "$T/setup.out" 2>&1
is "$?:$(cat "$T/setup.out")" "1:windows setup: $B/windows/wimboot is missing: run se3-ipxe setup windows" \
    "setup check without wimboot: exit 1, says so"
: > "$B/windows/wimboot"
BOOT_ROOT=$B sh "$SETUP" > "$T/setup.out" 2>&1
is "$?:$(cat "$T/setup.out")" "0:windows setup: wimboot and 1 media in $B/windows/" "setup check: wimboot and the media found"
mkdir "$B/windows/pe"
BOOT_ROOT=$B sh "$SETUP" > "$T/setup.out" 2>&1
is "$?:$(cat "$T/setup.out")" "1:windows setup: $B/windows/pe/boot/bcd is missing: run $SETUP SOURCE pe" \
    "setup check: an incomplete media named"
# The secrets reach only the files declared secret, whole and escaped for
# their kind, and never the script, the database or a log.
grep -qF 'net use Z: \\se3\install "'"$SHARE_PW"'" /user:adminse3 /persistent:no' "$GOLD/install"
ok $? "the share's password is in startnet.cmd, quoted"
is "$(grep -cF '<Value>Adm1n &lt;&amp;&gt; &quot;q&quot; &apos;a&apos;</Value>' "$GOLD/install--domain_join=yes")" 2 \
    "the Administrator's password is in both answer files, XML-escaped"
is "$(grep -cF '<Password>Se3 p@ss wörd $1</Password>' "$GOLD/install--domain_join=yes")" 1 \
    "the share's password joins the domain, in the joining answer file only"
is "$(sed -n '/^==> install.ipxe/,/^==> winpeshl.ini/p' "$GOLD"/* | grep -cF -e "$SHARE_PW" -e 'Adm1n')" 0 \
    "no password in any script"
is "$(sqlite3 "$T/db/se3-ipxe.db" .dump | grep -cF -e 'p@ss' -e 'Adm1n')" 0 "no password in the database"
se3ipxe set-action --yes 52:54:00:62:ff:fe windows:install share_password=percent > "$T/pc.out" 2>&1
is "$?:$(grep -c share_password "$T/pc.out"):$(grep -c 100 "$T/pc.out")" "1:1:0" \
    "a share password cmd.exe cannot hold (%) is refused, naming the option, not the value"
done_testing
