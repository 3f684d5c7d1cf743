#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# se3-ipxe check on upstream files not fetched yet: a notice while no active action boots with them (used_by), an error naming the machine when one does, an error for a wrong sum whatever the actions; used_by's manifest errors; the shipped linux module on a fresh install.
. t/lib/tap.sh
. t/lib/cli.sh

unset SE3_IPXE_CONFIG SUDO_USER MIRROR
CONF=$T/se3-ipxe.conf
MODULE_PATH=$T/modules write_config "$CONF" "[secrets]" "file = $T/secrets"
# The linux module's two crypt(3) secrets, for its install actions.
H6='$6$se3salt0123$gEokPe5cLAdVoiRF2/Pq.vPnIMH4vAt0zKXkHUXDMD4IGAJsEZjctI1GikY1ydvwy/0s8yS8ZuRmMcxAjZe9V1'
printf 'linux_password = %s\nlinux_root = %s\n' "$H6" "$H6" > "$T/secrets"
chmod 600 "$T/secrets"
B=$T/www/sys

# Module sys: capability boot (release a or b) and other; a/kernel is
# used by boot release=a, b/kernel by boot release=b, common (no
# used_by) by every action of the module.
mkdir -p "$T/files/a" "$T/files/b" "$T/modules/sys"
for f in a/kernel b/kernel common; do head -c 2048 /dev/urandom > "$T/files/$f"; done
sha() { sha256sum "$1" | cut -d' ' -f1; }
up() {	# up NAME [USED_BY]
	printf '\n[upstream %s]\nurl = http://127.0.0.1:9/%s\nsha256 = %s\nsize = 2048\n' \
	    "$1" "$1" "$(sha "$T/files/$1")"
	if [ -n "${2-}" ]; then printf 'used_by = %s\n' "$2"; fi
}
manifest() {	# the module's manifest, with $1 as a/kernel's used_by
	cat <<-'EOM'
	[module]
	name = sys
	description = test: files some actions boot with
	version = 1

	[capability boot]
	description = boot a release
	template = boot.ipxe
	completion = report
	destructive = no

	[option boot.release]
	type = enum
	description = which
	values = a b
	default = a

	[capability other]
	description = boot something else
	template = boot.ipxe
	completion = report
	destructive = no
	EOM
	up a/kernel "$1"
	up b/kernel "boot release=b"
	up common
}
manifest "boot release=a" > "$T/modules/sys/module.ini"
printf '#!ipxe\necho {{mac}}\n' > "$T/modules/sys/boot.ipxe"

M1=52:54:00:77:00:01 M2=52:54:00:77:00:02 M3=52:54:00:77:00:03

# One row per case, fields split by '|':
#   files    what is in $B: names verified there, !NAME with a wrong
#            sum, "none" for no $B at all
#   actions  MAC=ACTION[,KEY=VALUE] each, "-" none; MAC@ACTION: scheduled
#            for tomorrow; MAC~ACTION: set, then cancelled
#   rc       check's exit status
#   where    out or err: the line below is one of check's stdout or stderr
#   line     a line check writes, exactly ($B, $M1.. expanded)
#   what     the test's name
TABLE=$(cat <<'EOT'
none|-|0|out|unset module sys: 3 upstream files, none in $B (se3-ipxe setup sys)|nothing fetched, no action: said, exit 0
a/kernel common|-|0|out|not fetched upstream sys/b/kernel (run se3-ipxe setup sys)|not fetched, unused: a notice, exit 0
a/kernel common|$M1=sys:boot|0|out|not fetched upstream sys/b/kernel (run se3-ipxe setup sys)|not fetched, an action of the other release (its default): exit 0
a/kernel common|$M1=sys:other|0|out|not fetched upstream sys/b/kernel (run se3-ipxe setup sys)|not fetched, an action of another capability: exit 0
a/kernel common|$M2=sys:boot,release=b|1|err|se3-ipxe: check: module sys: upstream b/kernel missing, needed by $M2's sys:boot (pending): run se3-ipxe setup sys|not fetched, a pending action needs it: exit 1, the machine named
a/kernel common|$M2=sys:boot,release=b $M3=sys:boot,release=b|1|err|se3-ipxe: check: module sys: upstream b/kernel missing, needed by $M2's sys:boot (pending) and 1 more action: run se3-ipxe setup sys|two actions need it: the first named, the other counted
a/kernel common|$M2@sys:boot,release=b|1|err|se3-ipxe: check: module sys: upstream b/kernel missing, needed by $M2's sys:boot (scheduled): run se3-ipxe setup sys|a scheduled action needs it: exit 1
a/kernel common|$M2~sys:boot,release=b|0|out|not fetched upstream sys/b/kernel (run se3-ipxe setup sys)|the action that needed it cancelled: exit 0
a/kernel b/kernel|$M1=sys:other|1|err|se3-ipxe: check: module sys: upstream common missing, needed by $M1's sys:other (pending): run se3-ipxe setup sys|no used_by: every capability needs it
none|$M2=sys:boot,release=b|1|err|se3-ipxe: check: module sys: upstream b/kernel missing, needed by $M2's sys:boot (pending): run se3-ipxe setup sys|never set up, an action needs it: exit 1, not only 'unset'
none|$M2=sys:boot,release=b|1|out|not fetched upstream sys/a/kernel (run se3-ipxe setup sys)|never set up, an action needs one: the others are notices
a/kernel b/kernel common|$M2=sys:boot,release=b|0|out|ok upstream sys/b/kernel|every file verified, an action needs one: exit 0
!a/kernel b/kernel common|-|1|err|se3-ipxe: check: module sys: upstream a/kernel stale, sha256 @A@, not the manifest's @a/kernel@: run se3-ipxe setup sys|fetched but a wrong sum, no action: exit 1
!a/kernel b/kernel common|$M1=sys:boot|1|err|se3-ipxe: check: module sys: upstream a/kernel stale, sha256 @A@, not the manifest's @a/kernel@: run se3-ipxe setup sys|fetched but a wrong sum, an action needs it: exit 1
EOT
)

# set_actions ACTIONS: the row's actions, in a new database.
set_actions() {
	rm -rf "$T/db"
	mkdir -p "$T/db"
	[ "$1" = - ] && return 0
	for a in $1; do
		case $a in
		*@*) mac=${a%%@*} act=${a#*@} at="--at +1d" ;;
		*~*) mac=${a%%~*} act=${a#*~} at= ;;
		*) mac=${a%%=*} act=${a#*=} at= ;;
		esac
		# shellcheck disable=SC2046,SC2086
		"$SIP" -c "$CONF" set-action --yes $at "$mac" $(echo "$act" | tr , ' ') > /dev/null 2>&1 ||
		    echo "# set-action $mac $act failed"
		case $a in *~*) "$SIP" -c "$CONF" cancel "$mac" > /dev/null ;; esac
	done
}
# put_files FILES: the row's files in $B.
put_files() {
	rm -rf "$B"
	[ "$1" = none ] && return 0
	for f in $1; do
		mkdir -p "$(dirname "$B/${f#!}")"
		cp "$T/files/${f#!}" "$B/${f#!}"
		case $f in '!'*) printf X | dd of="$B/${f#!}" bs=1 seek=100 conv=notrunc 2> /dev/null ;; esac
	done
}

while IFS='|' read -r files actions want where line what; do
	eval "actions=\"$actions\" line=\"$line\""
	put_files "$files"
	set_actions "$actions"
	run check
	# @NAME@: the manifest's sum of NAME; @A@: what a/kernel's is now.
	[ -f "$B/a/kernel" ] && line=$(printf '%s' "$line" | sed "s|@A@|$(sha "$B/a/kernel")|")
	line=$(printf '%s' "$line" | sed "s|@a/kernel@|$(sha "$T/files/a/kernel")|")
	if [ "$rc" = "$want" ] && grep -qxF -- "$line" "$T/$where"; then
		ok 0 "$what"
	else
		ok 1 "$what"
		echo "# want exit $want and on std$where: $line"
		echo "# got exit $rc, stdout:"; sed 's/^/#   /' "$T/out"
		echo "# stderr:"; sed 's/^/#   /' "$T/err"
	fi
done <<EOT
$TABLE
EOT

# A placeholder sum (as shipped before a release's figures are known):
# said while no action needs the file, an error once one does.
mkdir -p "$T/modules/ph"
cat > "$T/modules/ph/module.ini" <<'EOM'
[module]
name = ph
description = test: a placeholder
version = 1

[capability run]
description = run it
template = run.ipxe
completion = report
destructive = no

[upstream live.iso]
url = http://127.0.0.1:9/live.iso
sha256 = 0000000000000000000000000000000000000000000000000000000000000000
size = 1
EOM
printf '#!ipxe\necho {{mac}}\n' > "$T/modules/ph/run.ipxe"
put_files none
set_actions -
run check
is "$rc" 0 "placeholder, no action: exit 0"
grep -qx "unverifiable module ph: upstream live.iso has a placeholder sha256 (all zeros): set the release's sha256 and size, or a signed sums list, in $T/modules/ph/module.ini" "$T/out"
ok $? "placeholder, no action: said on stdout"
set_actions "$M3=ph:run"
run check
is "$rc" 1 "placeholder, an action needs it: exit 1"
grep -qx "se3-ipxe: check: module ph: upstream live.iso cannot be set up (a placeholder sha256 in its module.ini), needed by $M3's ph:run (pending)" "$T/err"
ok $? "placeholder, an action needs it: the machine named"
rm -rf "$T/modules/ph"

# used_by's manifest errors: the module does not load.
bad() {	# bad USED_BY MESSAGE
	manifest "$1" > "$T/modules/sys/module.ini"
	run check
	if [ "$rc" = 1 ] && grep -qF -- "$2" "$T/err"; then ok 0 "used_by = $1: refused"; else
		ok 1 "used_by = $1: refused"; sed 's/^/#   /' "$T/err"; fi
}
L=$(manifest x | grep -n '^used_by = x' | cut -d: -f1)
bad "nosuch" "module.ini:$L: [upstream a/kernel] used_by: no [capability nosuch] in this file"
bad "boot arch=a" "module.ini:$L: [upstream a/kernel] used_by: 'arch' is not OPTION=VALUE of an option of capability boot"
bad "boot release=c" "module.ini:$L: [upstream a/kernel] used_by: release: 'c' is not a valid enum"
bad "boot release=a release=a" "module.ini:$L: [upstream a/kernel] used_by: option release given twice"
bad "boot release" "module.ini:$L: [upstream a/kernel] used_by: 'release' is not OPTION=VALUE"
bad "   " "module.ini:$L: [upstream a/kernel] used_by: empty"
manifest "boot release=a" > "$T/modules/sys/module.ini"

# The shipped linux module as a fresh install has it: Debian 12's
# installer from Debian's package (its ./setup), the other systems' files
# not fetched.
rm -rf "$T/modules/sys" "$T/www/sys"
mkdir "$T/shipped"
ln -s "$TOP/modules/linux" "$T/shipped/linux"
MODULE_PATH=$T/shipped write_config "$CONF" "[secrets]" "file = $T/secrets"
mkdir -p "$T/www/linux/debian12/amd64"
set_actions -
run check
is "$rc" 0 "shipped linux, nothing fetched, no action: exit 0"
is "$(grep -c '^not fetched upstream linux/' "$T/out")" 8 "shipped linux: its 8 upstream files said not fetched"
is "$(wc -l < "$T/err")" 0 "shipped linux: nothing on stderr"
set_actions "$M1=linux:install,distribution=debian12 $M2=linux:install,arch=i386"
run check
is "$rc" 0 "shipped linux: Debian 12 installs (amd64, i386) need none of them: exit 0"
set_actions "$M1=linux:install,distribution=debian13"
run check
is "$rc" 1 "shipped linux: a Debian 13 install: exit 1"
is "$(grep -c "needed by $M1's linux:install (pending)" "$T/err")" 2 "... its kernel and initrd named, with the machine"
grep -c '^not fetched upstream linux/ubuntu' "$T/out" | grep -qx 6
ok $? "... Ubuntu's files still notices"
set_actions "$M2=linux:install,distribution=ubuntu2404"
run check
is "$rc:$(grep -c "needed by $M2's" "$T/err")" 1:3 "shipped linux: an Ubuntu 24.04 install: its ISO, kernel and initrd named"
set_actions "$M2=linux:install,distribution=ubuntu2204,arch=i386"
run check
is "$rc" 0 "shipped linux: Ubuntu on i386 boots no upstream file (the template says unsupported): exit 0"

done_testing
