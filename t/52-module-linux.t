#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The shipped linux module through ipxe.cgi: golden script, preseed, user-data and meta-data for every option value, the real parsers on them, its reports run in a sandbox shell, hostile SMBIOS strings, and its setup script.
. t/lib/tap.sh
. t/lib/cgi.sh

write_config "$T/se3-ipxe.conf" "[secrets]" "file = $T/secrets"
# The accounts' hashes (openssl passwd -6, libcrypt's yescrypt), and values
# that are no hash.
H6='$6$se3salt0123$gEokPe5cLAdVoiRF2/Pq.vPnIMH4vAt0zKXkHUXDMD4IGAJsEZjctI1GikY1ydvwy/0s8yS8ZuRmMcxAjZe9V1'
HY='$y$j9T$abcdefghijklmnop$HeD/28W9Wh4qqVzzKCjm0dBgJwyvmv2o7q.Sg.c.iN3'
printf 'linux_password = %s\nlinux_root = %s\nplain = test-password\nlocked = !\n' "$HY" "$H6" > "$T/secrets"
chmod 600 "$T/secrets"
db_create
# A destructive capability needs --yes without a tty once set-action asks
# for confirmation (issue 9); before that there is no such option.
YES=$(se3ipxe help set-action 2>&1 | grep -q -- '--yes' && echo --yes)
GOLDEN=$TOP/t/golden/linux
M=52:54:00:12:34:56
# SIP_GOLDEN_UPDATE=1 rewrites the golden files from what is rendered.
[ -n "${SIP_GOLDEN_UPDATE-}" ] && mkdir -p "$GOLDEN"

diag_line() { printf '# %s\n' "$*"; }

# render CASE [KEY=VALUE...]: set the action on $M, boot it by UEFI,
# fetch its four files; $T/r/CASE holds the five with the action's
# token and id replaced by @TOKEN@ and @ID@.
render() {
	case_name=$1
	shift
	se3ipxe cancel "$M" > /dev/null 2>&1
	se3ipxe set-action $YES "$M" linux:install "$@" > "$T/sa.out" 2>&1 ||
	    { render_why="set-action: $(tail -n 1 "$T/sa.out")"; return 1; }
	token=$(token_of "$M")
	id=$(sqlite3 "$T/db/se3-ipxe.db" "SELECT id FROM actions WHERE token = '$token'")
	mkdir -p "$T/r"
	boot "mac=$M&platform=efi"
	[ "$status" = 200 ] || { render_why="boot: $status $(cat "$T/err")"; return 1; }
	{ echo "==> install.ipxe <=="; cat "$T/body"; } > "$T/r/$case_name.raw"
	for f in preseed.cfg passwd.cfg user-data meta-data; do
		cgi GET "/file/$f" "token=$token"
		[ "$status" = 200 ] || { render_why="$f: $status $(cat "$T/err")"; return 1; }
		cp "$T/body" "$T/r/$case_name.$f"
		{ echo "==> $f <=="; cat "$T/body"; } >> "$T/r/$case_name.raw"
	done
	sed "s/$token/@TOKEN@/g; s/action $id\([^0-9]\)/action @ID@\1/g; s/se3-ipxe-$id\"/se3-ipxe-@ID@\"/" \
	    "$T/r/$case_name.raw" > "$T/r/$case_name"
}

# Every option value at least once: each distribution with the defaults,
# then one option changed at a time on Debian 12 and on Ubuntu 24.04.
cases="debian12: debian13:distribution=debian13 ubuntu2204:distribution=ubuntu2204 ubuntu2404:distribution=ubuntu2404"
for d in debian12 ubuntu2404; do
	for kv in arch=i386 desktop=xfce desktop=lxde desktop=none disk=beside-windows \
	    mirror=se3:9999 ubuntu_mirror=se3:9999 locale=en_US.UTF-8 keymap=us console=ttyS0 nameserver=192.0.2.53; do
		cases="$cases $d-$(echo "$kv" | tr '=:' '--'):distribution=$d,$kv"
	done
done
ncases=0
for c in $cases; do
	name=${c%%:*}
	args=$(echo "${c#*:}" | tr ',' ' ')
	ncases=$((ncases + 1))
	# shellcheck disable=SC2086 # the case's KEY=VALUE words
	if ! render "$name" $args; then
		ok 1 "$name: renders ($args)"
		diag_line "$render_why"
		continue
	fi
	[ -n "${SIP_GOLDEN_UPDATE-}" ] && cp "$T/r/$name" "$GOLDEN/$name"
	if cmp -s "$GOLDEN/$name" "$T/r/$name"; then
		ok 0 "$name: script and files as t/golden/linux/$name ($(wc -c < "$T/r/$name") bytes)"
	else
		ok 1 "$name: script and files as t/golden/linux/$name"
		diff -u "$GOLDEN/$name" "$T/r/$name" | head -n 20 | sed 's/^/# /'
	fi
done
ok "$([ "$ncases" -ge 24 ]; echo $?)" "$ncases cases rendered"
is "$(ls "$GOLDEN" | wc -l)" "$ncases" "one golden file per case, none stale"

# --- the real parsers ----------------------------------------------------
bad=0
for f in "$T"/r/*.preseed.cfg "$T"/r/*.passwd.cfg; do
	debconf-set-selections --checkonly "$f" > "$T/dss.out" 2>&1 && [ ! -s "$T/dss.out" ] ||
	    { bad=$((bad + 1)); sed 's/^/# /' "$T/dss.out"; }
done
is "$bad" 0 "debconf-set-selections --checkonly: $ncases preseeds and $ncases passwd.cfg, no error, no warning"

if command -v cloud-init > /dev/null 2>&1; then
	bad=0
	for f in "$T"/r/*.user-data; do
		cloud-init schema --config-file "$f" > "$T/ci.out" 2>&1 ||
		    { bad=$((bad + 1)); sed 's/^/# /' "$T/ci.out"; }
	done
	is "$bad" 0 "cloud-init schema --config-file: $ncases user-data valid"
else
	skip "cloud-init schema: cloud-init is not installed"
fi

# What the autoinstall section says once its early-commands have turned the
# se3-... words into subiquity's in /autoinstall.yaml (here, a copy).
if python3 -c 'import yaml' 2> /dev/null; then
	python3 - "$T/r" > "$T/yaml.out" 2>&1 <<-'EOF'
	import glob, subprocess, sys, yaml
	bad = 0
	for f in sorted(glob.glob(sys.argv[1] + "/*.user-data")):
	    name = f.rsplit("/", 1)[1][:-len(".user-data")]
	    a = yaml.safe_load(open(f))["autoinstall"]
	    meta = yaml.safe_load(open(f[:-len("user-data")] + "meta-data"))
	    copy = f + ".autoinstall.yaml"
	    with open(copy, "w") as out:
	        yaml.safe_dump(a, out)
	    subprocess.run(["sh", "-c", a["early-commands"][1].replace("/autoinstall.yaml", copy)],
	                   check=True)
	    a = yaml.safe_load(open(copy))
	    want_layout = "use_gap" if "beside-windows" in name else "direct"
	    want_pkgs = {"xfce": ["xubuntu-desktop"], "lxde": ["lubuntu-desktop"],
	                 "none": ["openssh-server"]}.get(name.split("-")[-1], ["ubuntu-desktop-minimal"])
	    got = (a["version"], a["storage"]["layout"]["name"], a["packages"],
	           a["identity"]["hostname"], meta["local-hostname"],
	           len(a["early-commands"]), len(a["late-commands"]), len(a["error-commands"]))
	    want = (1, want_layout, want_pkgs, "pc-525400123456", "pc-525400123456", 2, 2, 1)
	    if got != want:
	        bad += 1
	        print("#", name, got, "!=", want)
	print(bad)
	EOF
	is "$(tail -n 1 "$T/yaml.out")" 0 "autoinstall: the layout and packages each option picks once early-commands ran, the hostname" ||
	    sed 's/^/# /' "$T/yaml.out"
else
	skip "autoinstall structure: python3-yaml is not installed"
fi

# --- reports, run in a sandbox shell --------------------------------------
# Stand-ins record what the installer would do: wget the URLs it hits,
# in-target its arguments (its status from $SB/intarget.rc),
# debconf-set-selections what it is fed; sleep succeeds twice, then
# fails (the error hook's loop ends).
SB=$T/sb
mkdir -p "$SB/bin"
cat > "$SB/bin/wget" <<EOF
#!/bin/sh
for a; do url=\$a; done
printf '%s\n' "\$url" >> "$SB/hits"
EOF
cat > "$SB/bin/in-target" <<EOF
#!/bin/sh
printf '%s\n' "\$*" >> "$SB/intarget"
exit \$(cat "$SB/intarget.rc" 2>/dev/null || echo 0)
EOF
cp "$SB/bin/in-target" "$SB/bin/curtin"
cat > "$SB/bin/debconf-set-selections" <<EOF
#!/bin/sh
cat >> "$SB/debconf"
EOF
cat > "$SB/bin/sleep" <<EOF
#!/bin/sh
echo x >> "$SB/sleeps"
[ \$(wc -l < "$SB/sleeps") -le 2 ]
EOF
chmod 755 "$SB/bin/"*

# preseed_cmd FILE QUESTION: the command of a preseed line, continuation
# lines joined as debconf-set-selections joins them; /var/log/syslog is
# the sandbox's.
preseed_cmd() {
	awk '/\\$/ { sub(/\\$/, ""); printf "%s", $0; next } { print }' "$1" |
	    sed -n "s|^d-i $2 string ||p" | sed "s|/var/log/syslog|$SB/syslog|g"
}
# sandbox COMMAND: run it as the installer would; wait (bounded) for
# what it left in the background.
sandbox() {
	rm -f "$SB/hits" "$SB/intarget" "$SB/debconf" "$SB/sleeps"
	touch "$SB/hits"
	printf '%s\n' "$1" > "$SB/cmd"
	PATH=$SB/bin:$PATH sh -c "$1" > "$SB/out" 2>&1
	sandbox_rc=$?
	i=0
	while [ "$i" -lt 100 ] && grep -q 'sleep 15' "$SB/cmd" &&
	    ! grep -q 'status=failed' "$SB/hits" &&
	    [ "$(cat "$SB/sleeps" 2>/dev/null | wc -l)" -lt 3 ]; do
		PATH=/bin:/usr/bin sleep 0.1
		i=$((i + 1))
	done
	PATH=/bin:/usr/bin sleep 0.2
}
# report_hits: each URL hit, given to ipxe.cgi as the installer would.
report_hits() {
	while read -r url; do
		cgi GET /report "${url#*\?}"
		printf '%s ' "$status"
	done < "$SB/hits"
}
hits() { sed "s/$token/@TOKEN@/g; s|http://127.0.0.1:8080/cgi-bin/ipxe.cgi/report|REPORT|" "$SB/hits" | tr '\n' ' '; }

for c in debian12 debian12-desktop-none debian12-disk-beside-windows; do
	render "$c-sb" $(echo "$cases" | tr ' ' '\n' | sed -n "s/^$c://p" | tr ',' ' ')
	pre=$T/r/$c-sb.preseed.cfg
	: > "$SB/syslog"
	sandbox "$(preseed_cmd "$pre" preseed/early_command)"
	is "$sandbox_rc:$(hits)" "0:REPORT?token=@TOKEN@&status=running&progress=5&msg=preseed " \
	    "$c: early_command reports running, nothing else ($(wc -l < "$SB/sleeps") watches)"
	case $c in
	*none) tasks="standard, ssh-server" ;;
	*) tasks="standard, ssh-server, desktop, gnome-desktop" ;;
	esac
	case $c in
	*beside-windows) part="partman-auto/init_automatically_partition select biggest_free" ;;
	*) part="partman-auto/method string regular" ;;
	esac
	is "$(cat "$SB/debconf")" "$(printf 'tasksel tasksel/first multiselect %s\nd-i %s' "$tasks" "$part")" \
	    "$c: early_command preseeds tasksel ($tasks) and partman"
	is "$(report_hits)" "200 " "$c: ipxe.cgi takes the report"
	is "$(state_of "$M")" "running 1" "$c: the action is running"
done

# The error hook: a step that fails in the installer's log is reported once.
printf '%s\n' "Dec  7 03:00:00 main-menu[277]: INFO: Menu item 'partman-base' selected" \
    "Dec  7 03:00:09 main-menu[277]: WARNING **: Configuring 'partman-base' failed with error code 10" \
    > "$SB/syslog"
sandbox "$(preseed_cmd "$pre" preseed/early_command)"
is "$(hits)" "REPORT?token=@TOKEN@&status=running&progress=5&msg=preseed REPORT?token=@TOKEN@&status=failed&msg=installer-step-failed " \
    "error hook: a failed step in the log reports failed, once"
is "$(report_hits)" "200 200 " "error hook: ipxe.cgi takes both reports"
is "$(state_of "$M")" "failed 1" "error hook: the action failed"

# late_command: in-target marks the system, then done; failed if it fails.
for rc in 0 1; do
	c=debian12-late-$rc
	render "$c" distribution=debian12
	echo "$rc" > "$SB/intarget.rc"
	sandbox "$(preseed_cmd "$T/r/$c.preseed.cfg" preseed/late_command)"
	if [ "$rc" = 0 ]; then
		is "$(hits)" "REPORT?token=@TOKEN@&status=done&progress=100&msg=installed " \
		    "late_command: reports done"
		is "$(report_hits)" "200 " "late_command: ipxe.cgi takes it"
		is "$(state_of "$M")" "done 1" "late_command: the action is done"
		id=$(sqlite3 "$T/db/se3-ipxe.db" "SELECT max(id) FROM actions")
		is "$(cat "$SB/intarget")" "sh -c echo \"installed by se3-ipxe action $id\" > /etc/se3-ipxe-installed" \
		    "late_command: in-target marks the installed system"
	else
		is "$(hits)" "REPORT?token=@TOKEN@&status=failed&msg=late-command-failed " \
		    "late_command: in-target failing reports failed"
		is "$(report_hits)" "200 " "late_command: ipxe.cgi takes it"
		is "$(state_of "$M")" "failed 1" "late_command: the action failed"
	fi
done
rm -f "$SB/intarget.rc"

# Autoinstall's commands, each run as subiquity runs them (sh -c).
if python3 -c 'import yaml' 2> /dev/null; then
	for part in early-commands late-commands error-commands; do
		render "ubuntu-$part" distribution=ubuntu2404
		python3 -c 'import sys, yaml
for c in yaml.safe_load(open(sys.argv[1]))["autoinstall"][sys.argv[2]]:
    print(c)' "$T/r/ubuntu-$part.user-data" "$part" > "$SB/cmds"
		rm -f "$SB/all"
		: > "$SB/autoinstall.yaml"
		while read -r cmd; do
			sandbox "$(printf '%s' "$cmd" | sed "s|/autoinstall.yaml|$SB/autoinstall.yaml|")"
			cat "$SB/hits" >> "$SB/all"
		done < "$SB/cmds"
		cp "$SB/all" "$SB/hits"
		case $part in
		early-commands) want="REPORT?token=@TOKEN@&status=running&progress=5&msg=autoinstall " state=running ;;
		late-commands) want="REPORT?token=@TOKEN@&status=done&progress=100&msg=installed " state=done ;;
		error-commands) want="REPORT?token=@TOKEN@&status=failed&msg=autoinstall-failed " state=failed ;;
		esac
		is "$(hits)" "$want" "autoinstall $part: reports $state"
		is "$(report_hits)" "200 " "autoinstall $part: ipxe.cgi takes it"
		is "$(state_of "$M")" "$state 1" "autoinstall $part: the action is $state"
	done
else
	skip "autoinstall commands: python3-yaml is not installed"
fi

# --- hostile SMBIOS strings reach no file ---------------------------------
# Each boot carries four hostile values (uuid, serial, manufacturer,
# product); the files it fetches are still the golden ones.
python3 - > "$T/smbios" <<'EOF'
import re, urllib.parse
src = open("t/unit/hostile.h", encoding="latin-1").read()
def strings(name):
    body = re.search(name + r"\[\]\[?2?\]? = \{(.*?)\n\};", src, re.S).group(1)
    return [bytes(s, "latin-1").decode("unicode_escape").encode("latin-1")
            for s in re.findall(r'"((?:[^"\\]|\\.)*)"', body)]
cores, wraps = strings("hostile_cores"), strings("hostile_wrappers")
pairs = list(zip(wraps[0::2], wraps[1::2]))
for c in cores[:24]:
    w = pairs[len(c) % len(pairs)]
    print(urllib.parse.quote_from_bytes(w[0] + c + w[1], safe=""))
EOF
is "$(wc -l < "$T/smbios")" 24 "24 hostile values of t/unit/hostile.h, URL-encoded"
same=0 boots=0
while read -r a && read -r b && read -r c && read -r d; do
	# A fresh action each boot: a destructive one is bound to the first
	# identity it is served to, and these differ from boot to boot.
	if :; then
		se3ipxe cancel "$M" > /dev/null 2>&1
		se3ipxe set-action $YES "$M" linux:install > /dev/null 2>&1
		token=$(token_of "$M")
		id=$(sqlite3 "$T/db/se3-ipxe.db" "SELECT id FROM actions WHERE token = '$token'")
	fi
	boots=$((boots + 1))
	boot "mac=$M&platform=efi&uuid=$a&serial=$b&manufacturer=$c&product=$d"
	{ echo "==> install.ipxe <=="; cat "$T/body"; } > "$T/h.raw"
	for f in preseed.cfg passwd.cfg user-data meta-data; do
		cgi GET "/file/$f" "token=$token"
		{ echo "==> $f <=="; cat "$T/body"; } >> "$T/h.raw"
	done
	sed "s/$token/@TOKEN@/g; s/action $id\([^0-9]\)/action @ID@\1/g; s/se3-ipxe-$id\"/se3-ipxe-@ID@\"/; s|boot [123]/3|boot 1/3|" \
	    "$T/h.raw" > "$T/h"
	cmp -s "$T/h" "$GOLDEN/debian12" && same=$((same + 1))
done < "$T/smbios"
is "$same/$boots" "6/6" "6 boots with hostile SMBIOS strings: script and files are the golden ones"

# --- the example of se3-ipxe-modules(5) --------------------------------------
awk '/^Installing Debian 13 with Xfce/ { seen = 1; next }
	seen == 1 && /^\.Bd -literal/ { seen = 2; next }
	seen == 2 && /^\.Ed/ { exit }
	seen == 2 { gsub(/\\e/, "\\"); print }' "$TOP/man/se3-ipxe-modules.5" |
    awk '/\\$/ { sub(/\\$/, ""); printf "%s", $0; next } { print }' |
    sed -n 's/^# se3-ipxe set-action //p' > "$T/example"
is "$(wc -l < "$T/example")" 2 "the man page's example: two set-action commands"
n=0
while read -r line; do
	# shellcheck disable=SC2086 # the command's words, as the page writes them
	se3ipxe set-action $YES $line > /dev/null 2>&1 && n=$((n + 1))
done < "$T/example"
is "$n" 2 "the man page's example: both taken"
is "$(sqlite3 "$T/db/se3-ipxe.db" "SELECT key || '=' || value FROM action_options
    WHERE action_id = (SELECT id FROM actions WHERE mac = '52:54:00:12:34:57' ORDER BY id DESC LIMIT 1)
    AND key IN ('distribution', 'desktop', 'disk', 'mirror') ORDER BY key" | tr '\n' ' ')" \
    "desktop=xfce disk=beside-windows distribution=debian13 mirror=se3:9999 " \
    "the man page's example: the options it names"

# --- the accounts' password hashes --------------------------------------------
# Only the files declared secret hold them: passwd.cfg and user-data.
leaks=$(for f in "$T"/r/*.raw; do
	awk '/^==> / { keep = ($2 == "install.ipxe" || $2 == "preseed.cfg" || $2 == "meta-data") } keep' "$f"
done | grep -cF -e "$H6" -e "$HY")
is "$leaks" 0 "the hashes in no script, preseed.cfg nor meta-data of the $ncases cases"
is "$(grep -lF "$H6" "$T"/r/*.passwd.cfg | wc -l)/$(grep -lF "$HY" "$T"/r/*.user-data | wc -l)" \
    "$(ls "$T"/r/*.passwd.cfg | wc -l)/$(ls "$T"/r/*.user-data | wc -l)" \
    "root's hash in every passwd.cfg, the account's in every user-data"
grep -qx "d-i passwd/user-password-crypted password $HY" "$T/r/debian12.passwd.cfg"
ok $? "passwd.cfg: the account's hash alone on its debconf line of type password"
sqlite3 "$T/db/se3-ipxe.db" .dump > "$T/dump"
! grep -qF -e "$H6" -e "$HY" -e 'test-password' "$T/dump"
ok $? "the hashes nowhere in the database (history, options: the secrets' names only)"
grep -qx 'd-i preseed/include string http://127.0.0.1:8080/cgi-bin/ipxe.cgi/file/passwd.cfg?token=@TOKEN@' "$T/r/debian12"
ok $? "preseed.cfg includes passwd.cfg by an absolute URL with the token"
# d-i's own make_absolute_url (lib/preseed/preseed.sh of the package's
# initrd): an absolute URL is kept whole; a relative one would drop the token.
DI_INITRD=/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64/initrd.gz
if [ -r "$DI_INITRD" ] && command -v cpio > /dev/null; then
	(cd "$T" && zcat "$DI_INITRD" | cpio -id --quiet lib/preseed/preseed.sh 2> /dev/null)
	sed -n '/^make_absolute_url()/,/^}/p' "$T/lib/preseed/preseed.sh" > "$T/mau.sh"
	last='http://127.0.0.1:8080/cgi-bin/ipxe.cgi/file/preseed.cfg?token=0123abcd'
	abs=$(sh -c '. "$1"; make_absolute_url "$2" "$3"' sh "$T/mau.sh" \
	    'http://127.0.0.1:8080/cgi-bin/ipxe.cgi/file/passwd.cfg?token=0123abcd' "$last")
	rel=$(sh -c '. "$1"; make_absolute_url passwd.cfg "$2"' sh "$T/mau.sh" "$last")
	is "$abs|$rel" "http://127.0.0.1:8080/cgi-bin/ipxe.cgi/file/passwd.cfg?token=0123abcd|http://127.0.0.1:8080/cgi-bin/ipxe.cgi/file/passwd.cfg" \
	    "d-i's make_absolute_url: our absolute include keeps the token; a relative one would lose it"
else
	skip "d-i's make_absolute_url: debian-installer-12-netboot-amd64 is not installed"
fi
# A secret that is no crypt(3) hash: refused at set-action, naming the
# option and the secret, never the value.
for bad in plain locked; do
	se3ipxe set-action $YES 52:54:00:12:34:58 linux:install password=$bad > "$T/sa.out" 2>&1
	rc=$?
	is "$rc" 1 "password=$bad: set-action refuses"
	grep -q "option password: secret '$bad' in .* is not a crypt(3) hash" "$T/sa.out" &&
	    ! grep -qF -e 'test-password' "$T/sa.out" && [ "$(wc -l < "$T/sa.out")" = 1 ]
	ok $? "password=$bad: one line naming the option and the secret, not the value: $(cat "$T/sa.out")"
done
# A secret changed into no hash after set-action: the boot gets the local
# disk and one log line without the value; passwd.cfg is refused.
se3ipxe set-action $YES 52:54:00:12:34:59 linux:install > /dev/null 2>&1
token=$(token_of 52:54:00:12:34:59)
cp "$T/secrets" "$T/secrets.good"
sed 's/^linux_root = .*/linux_root = test-password/' "$T/secrets.good" > "$T/secrets"
boot "mac=52:54:00:12:34:59&platform=efi"
is "$status" 200 "root's secret no hash: the boot gets 200"
is_local_script
ok $? "root's secret no hash: and the local-boot script"
grep -q "option root_password: secret 'linux_root' is not a crypt(3) hash" "$T/err" &&
    [ "$(wc -l < "$T/err")" = 1 ] && ! grep -q 'test-password' "$T/err"
ok $? "root's secret no hash: one log line naming the secret, not the value: $(cat "$T/err")"
cgi GET /file/passwd.cfg "token=$token"
[ "$status" != 200 ] && ! grep -q 'test-password' "$T/body" "$T/err"
ok $? "root's secret no hash: passwd.cfg refused ($status), the value nowhere"
cp "$T/secrets.good" "$T/secrets"

# --- setup ------------------------------------------------------------------
S=$T/setup
mkdir -p "$S/di/amd64/text/debian-installer/amd64"
printf 'kernel\n' > "$S/di/amd64/text/debian-installer/amd64/linux"
printf 'initrd\n' > "$S/di/amd64/text/debian-installer/amd64/initrd.gz"
BOOT_ROOT=$S/www DI_ROOT=$S/di sh "$TOP/modules/linux/setup" > "$S/out" 2>&1
ok $? "setup: Debian 12 amd64 from the package's directory"
is "$(cat "$S/www/linux/debian12/amd64/linux" "$S/www/linux/debian12/amd64/initrd.gz")" \
    "$(printf 'kernel\ninitrd')" "setup: linux and initrd.gz copied"
is "$(stat -c %a "$S/www/linux/debian12/amd64/linux")" 644 "setup: readable by the web server"
grep -q 'i386.*skipped' "$S/out"; ok $? "setup: no i386 package, said and skipped"
mkdir -p "$S/di/i386/text/debian-installer/i386"
printf 'k32\n' > "$S/di/i386/text/debian-installer/i386/linux"
printf 'i32\n' > "$S/di/i386/text/debian-installer/i386/initrd.gz"
BOOT_ROOT=$S/www DI_ROOT=$S/di sh "$TOP/modules/linux/setup" > "$S/out" 2>&1
ok $? "setup again: idempotent"
is "$(cat "$S/www/linux/debian12/i386/linux")" k32 "setup: i386 copied once its package is there"
is "$(ls "$S/www/linux/debian12/amd64")" "$(printf 'initrd.gz\nlinux')" "setup: no temporary file left"
rm -rf "$S/www"
rm "$S/di/amd64/text/debian-installer/amd64/initrd.gz"
BOOT_ROOT=$S/www DI_ROOT=$S/di sh "$TOP/modules/linux/setup" > "$S/out" 2>&1
ok "$([ $? -ne 0 ]; echo $?)" "setup: amd64 package missing: fails"
grep -q 'install the debian-installer-12-netboot-amd64 package' "$S/out"; ok $? "setup: and says which package"
ok "$([ ! -e "$S/www/linux" ]; echo $?)" "setup: and installs nothing"

done_testing
