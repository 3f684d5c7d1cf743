#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# sysrescue and clonezilla through ipxe.cgi: each script and file served with the token, the YAML parsed, the shell jobs checked with sh -n and run in a sandbox whose stand-ins record what would run and send the jobs' fetches (job-lib.sh, smb.cred) and reports on to ipxe.cgi; the SMB credentials reach mount.cifs in a file, once, and nowhere else.
. t/lib/tap.sh
. t/lib/cgi.sh

write_config "$T/se3-ipxe.conf" "[secrets]" "file = $T/secrets"
# Blanks, a dollar, UTF-8: what a password holds.
SECRET='Sh@re p4ss wörd $1'
NEEDLE='Sh@re p4ss'
printf 'smb_password = %s\nsmb_sauvegarde = %s\n' "$SECRET" "$SECRET" > "$T/secrets"
chmod 600 "$T/secrets"
db_create
SB=$T/sandbox		# the stand-ins
export SE3_IPXE_ROOT="$T/root" CALLS="$T/calls" T TOP
mkdir -p "$SB" "$SE3_IPXE_ROOT/tmp"

# Every stand-in records its name and arguments, one line per call.
for c in mount umount reboot poweroff sleep sync lspci fsarchiver ntfsclone partimage ocs-sr; do
	cat > "$SB/$c" <<'EOS'
#!/bin/sh
echo "$(basename "$0") $*" >> "$CALLS"
case $(basename "$0") in
lspci) printf '00:03.0 Ethernet controller: Intel 82540EM\n\tKernel driver in use: e1000\n' ;;
ocs-sr) exit "${OCS_RC:-0}" ;;
mount)
	# What mount.cifs would read: the credentials file, kept for the test with its mode.
	case "$*" in
	*credentials=*)
		c=${*##*credentials=}
		c=${c%%,*}
		echo "credentials file mode $(stat -c %a "$c")" >> "$CALLS"
		cp "$c" "$T/cred-read" ;;
	esac ;;
esac
exit 0
EOS
done
# lsblk: a 500 GB disk sda with an NTFS sda1 and an ext4 sda5, a 64 GB nvme0n1.
cat > "$SB/lsblk" <<'EOS'
#!/bin/sh
echo "lsblk $*" >> "$CALLS"
case "$*" in
-dn\ /dev/sda*|-dn\ /dev/nvme0n1*) exit 0 ;;
-dn\ *) exit 32 ;;
-lnpbo\ NAME,TYPE,FSTYPE,SIZE) printf '/dev/sda disk  500107862016\n/dev/sda1 part ntfs 107374182400\n/dev/sda5 part ext4 392733679616\n' ;;
-lnpo\ NAME,TYPE,FSTYPE) printf '/dev/sda disk \n/dev/sda1 part ntfs\n/dev/sda5 part ext4\n' ;;
-lnpo\ NAME,TYPE) printf '/dev/sda disk\n/dev/sda1 part\n/dev/sda5 part\n' ;;
-dnbo\ NAME,TYPE,SIZE) printf 'sda disk 500107862016\nnvme0n1 disk 64023257088\n' ;;
-lnbo\ NAME,TYPE,FSTYPE,SIZE) printf 'sda disk  500107862016\nsda1 part ntfs 107374182400\nsda5 part ext4 392733679616\n' ;;
-dno\ NAME,TYPE) printf 'sda disk\nnvme0n1 disk\n' ;;
-lno\ NAME,TYPE\ /dev/sda) printf 'sda disk\nsda1 part\nsda5 part\n' ;;
*) echo "lsblk stand-in: no answer for: $*" >&2; exit 1 ;;
esac
EOS
# curl and wget: record the URL, then hand it to the real ipxe.cgi: a report, or a file into -o/-O.
cat > "$SB/to-cgi" <<'EOS'
#!/bin/sh
# to-cgi URL OUT: GET URL as Apache would run ipxe.cgi; a file's body into OUT.
. "$TOP/t/lib/cgi.sh"
path=${1%%\?*} q=${1#*\?}
case $path in
*/cgi-bin/ipxe.cgi/report) cgi GET /report "$q"; echo "report $q -> $status" >> "$CALLS" ;;
*/cgi-bin/ipxe.cgi/file/*)
	cgi GET "/file/${path##*/}" "$q"
	echo "file ${path##*/} -> $status" >> "$CALLS"
	[ "$status" != 200 ] || cp "$T/body" "$2" ;;
*) exit 1 ;;
esac
cat "$T/err" >> "$T/all-err"
[ "$status" = 200 ]
EOS
cat > "$SB/curl" <<'EOS'
#!/bin/sh
o=/dev/null url=
while [ $# -gt 0 ]; do
	case $1 in
	-o) o=$2; shift ;;
	--max-time|--retry|--retry-delay) shift ;;
	-*) ;;
	*) url=$1 ;;
	esac
	shift
done
echo "curl ${url%%\?*}" >> "$CALLS"
"$(dirname "$0")/to-cgi" "$url" "$o" || exit 22
EOS
cat > "$SB/wget" <<'EOS'
#!/bin/sh
o=/dev/null url=
while [ $# -gt 0 ]; do
	case $1 in
	-O) o=$2; shift ;;
	-T|-t) shift ;;
	-*) ;;
	*) url=$1 ;;
	esac
	shift
done
echo "wget ${url%%\?*}" >> "$CALLS"
"$(dirname "$0")/to-cgi" "$url" "$o" || exit 8
EOS
: > "$T/all-err"
chmod +x "$SB"/*

# job MAC FILE ARGS...: run a served job in the sandbox; its output in $T/job.out.
job() {
	_f=$2
	shift 2
	PATH="$SB:$PATH" sh "$T/$_f" "$@" > "$T/job.out" 2>&1
}
# serve MAC ACTION OPTIONS...: set the action, boot the machine, keep the script in $T/script.
serve() {
	_m=$1
	shift
	: > "$CALLS"
	se3ipxe set-action "$_m" "$@" --yes > "$T/set.out" 2>&1 ||
	    se3ipxe set-action "$_m" "$@" > "$T/set.out" 2>&1
	ok $? "set-action $_m $*"
	TOKEN=$(token_of "$_m")
	boot "mac=$_m&platform=pcbios"
	cp "$T/body" "$T/script"
	head -n 1 "$T/script" | grep -qx '#!ipxe' && grep -q "^kernel http://127.0.0.1:8080/se3-ipxe/${1%%:*}/" "$T/script"
	ok $? "$* : the script boots the module's kernel"
}
# fetch NAME: the file NAME of the action served, into $T/NAME.
fetch() {
	cgi GET "/file/$1" "token=$TOKEN"
	is "$status" 200 "file $1 served with the token"
	cp "$T/body" "$T/$1"
}
calls() { cat "$CALLS"; }

# --- sysrescue:rescue: no job, autorun off -----------------------------------
M=52:54:00:74:00:01
serve $M sysrescue:rescue keymap=us copytoram=yes
grep -q 'setkmap=us .*ar_disable' "$T/script"; ok $? "rescue: keymap given, autorun disabled"
grep -q '^iseq yes yes && set se3_toram y' "$T/script"; ok $? "rescue: copytoram=yes sets copytoram=y"
is "$(state_of $M)" "done 1" "rescue: oneshot, done once served"

# --- sysrescue:backup ----------------------------------------------------------
M=52:54:00:74:00:02
serve $M sysrescue:backup tool=ntfsclone delete_older=6 after=halt delay=5
grep -q "sysrescuecfg=http://127.0.0.1:8080/cgi-bin/ipxe.cgi/file/backup.yaml?token=$TOKEN" "$T/script"
ok $? "backup: the kernel line names backup.yaml with the token"
fetch backup.yaml
url=$(python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); e = d["autorun"]["exec"]; [k] = e; print(e[k]["url"])' "$T/backup.yaml")
is "$url" "http://127.0.0.1:8080/cgi-bin/ipxe.cgi/file/backup.sh?token=$TOKEN" "backup.yaml: YAML whose one autorun runs backup.sh with the token"
fetch backup.sh
sh -n "$T/backup.sh"; ok $? "backup.sh: sh -n"
job $M backup.sh
ok $? "backup.sh runs in the sandbox"
calls | grep -q "^ntfsclone --save-image --force -o $SE3_IPXE_ROOT/mnt/se3-ipxe-dest/se3-ipxe/image_sda1_[0-9]*.ntfsclone /dev/sda1\$"
ok $? "backup: source auto is the NTFS sda1, saved with ntfsclone to the other Linux partition"
calls | grep -q '^mount /dev/sda5 '; ok $? "backup: dest auto mounts sda5"
calls | grep -q '^sleep 5$' && calls | grep -q '^poweroff'; ok $? "backup: halts after 5 s"
is "$(calls | grep -c '^report .*-> 200$')" 3 "backup: three reports reached ipxe.cgi (running, running, done)"
is "$(state_of $M)" "done 1" "backup: the action is done"
ls "$SE3_IPXE_ROOT"/mnt/se3-ipxe-dest/se3-ipxe/image_sda1_*.se3 > /dev/null 2>&1; ok $? "backup: the image's .se3 description is written"
cgi GET /file/backup.sh "token=$TOKEN"
is "$status" 403 "backup.sh: refused once the action is done"

M=52:54:00:74:00:03
serve $M sysrescue:backup source=sdz9 dest=//se3.lan/images/salle-12
fetch backup.sh
job $M backup.sh
ok $((! $?)) "backup of a missing partition fails"
calls | grep -q '^report .*status=failed.*sdz9.*-> 200$'; ok $? "backup: the failure is reported with the token, naming the partition"
is "$(state_of $M)" "failed 1" "backup: the action failed"

# --- sysrescue:restore ---------------------------------------------------------
M=52:54:00:74:00:04
mkdir -p "$SE3_IPXE_ROOT/mnt/se3-ipxe-source/se3-ipxe"
printf 'image=win10\ntool=fsarchiver\nsource=sda1\n' > "$SE3_IPXE_ROOT/mnt/se3-ipxe-source/se3-ipxe/win10.se3"
serve $M sysrescue:restore after=stay
fetch restore.yaml
fetch restore.sh
sh -n "$T/restore.sh"; ok $? "restore.sh: sh -n"
job $M restore.sh
ok $? "restore.sh runs in the sandbox"
calls | grep -q "^fsarchiver restfs -j2 $SE3_IPXE_ROOT/mnt/se3-ipxe-source/se3-ipxe/win10.fsa id=0,dest=/dev/sda1\$"
ok $? "restore: the newest image, with its tool, onto the partition it was saved from"
calls | grep -q '^reboot\|^poweroff'; ok $((! $?)) "restore: after=stay neither reboots nor halts"
is "$(state_of $M)" "done 1" "restore: the action is done"

# --- sysrescue:report ----------------------------------------------------------
M=52:54:00:74:00:05
serve $M sysrescue:report delay=0
fetch report.yaml
fetch report.sh
sh -n "$T/report.sh"; ok $? "report.sh: sh -n"
job $M report.sh
ok $? "report.sh runs in the sandbox"
calls | grep -q '^report .*status=done.*sda:500G.*e1000.*-> 200$'; ok $? "report: disks and drivers reported with the token"
is "$(state_of $M)" "done 1" "report: the action is done"

# --- clonezilla:save and restore: prerun, run, postrun ---------------------------
M=52:54:00:74:00:06
serve $M clonezilla:save repo=//se3.lan/partimag/salle-12 compress=z1p check=no
grep -q 'ocs_prerun="wget -q -O /tmp/se3-ipxe-job http://127.0.0.1:8080/cgi-bin/ipxe.cgi/file/save.sh?token='"$TOKEN"'" ocs_prerun1="sh /tmp/se3-ipxe-job prerun" ocs_live_run="sh /tmp/se3-ipxe-job run" ocs_postrun="sh /tmp/se3-ipxe-job postrun"' "$T/script"
ok $? "save: the quoted commands of the kernel line, values without blanks"
fetch save.sh
sh -n "$T/save.sh"; ok $? "save.sh: sh -n"
job $M save.sh prerun && job $M save.sh run && job $M save.sh postrun
ok $? "save.sh prerun, run, postrun run in the sandbox"
calls | grep -q "^mount -t cifs //se3.lan/partimag/salle-12 $SE3_IPXE_ROOT/home/partimag -o guest,vers=3.0\$"
ok $? "save: the share is mounted on /home/partimag"
calls | grep -qx 'file job-lib.sh -> 200' && is "$(calls | grep -c '^file job-lib.sh -> 200$')" 3 \
    "save: each of the three phases sourced job-lib.sh, fetched with the token"
calls | grep -qx 'file smb.cred -> 200' && ! calls | grep -q 'credentials='
ok $? "save: no secret named: smb.cred says so, the share is mounted as guest"
calls | grep -q '^ocs-sr -b -q2 -j2 -z1p -sfsck -senc -scs -p true savedisk 52-54-00-74-00-06-[0-9-]* sda$'
ok $? "save: ocs-sr savedisk of the first disk, z1p, no check"
calls | grep -q '^reboot *$'; ok $? "save: reboots after"
is "$(state_of $M)" "done 1" "save: the action is done"

M=52:54:00:74:00:07
mkdir -p "$SE3_IPXE_ROOT/home/partimag/win10-2026"
serve $M clonezilla:restore repo=sdb1 image=win10-2026 mode=parts parts=sda1,sda2 after=halt
fetch restore.sh
sh -n "$T/restore.sh"; ok $? "clonezilla restore.sh: sh -n"
job $M restore.sh prerun && OCS_RC=1 job $M restore.sh run; job $M restore.sh postrun
calls | grep -q '^ocs-sr -b -q2 -j2 -g auto -e1 auto -e2 -r -icds -p true restoreparts win10-2026 sda1 sda2$'
ok $? "clonezilla restore: ocs-sr restoreparts of the two partitions"
calls | grep -q '^report .*status=failed.*exit%201.*-> 200$'; ok $? "clonezilla restore: ocs-sr's failure reported by the post-run"
calls | grep -q '^poweroff *$'; ok $? "clonezilla restore: halts after"
is "$(state_of $M)" "failed 1" "clonezilla restore: the action failed"

# --- SMB credentials: smb.cred, once per boot, into mount.cifs's file ---------------
DB=$T/db/se3-ipxe.db
CRED=$SE3_IPXE_ROOT/tmp/se3-ipxe-smb.cred
# no_leak WHAT: the secret's value is in none of the commands run, the job's output, the files
# served but smb.cred, ipxe.cgi's log lines, the history or the database.
no_leak() {
	! cat "$CALLS" "$T/job.out" "$T/script" "$T"/*.sh "$SE3_IPXE_ROOT/tmp/se3-ipxe-job-lib.sh" \
	    "$T/all-err" "$T/set.out" "$DB"* 2>/dev/null | grep -qaF "$NEEDLE"
	ok $? "$1: the secret's value is in no command line, output, other file, log or database"
}
M=52:54:00:74:00:09
serve $M sysrescue:backup dest=//se3.lan/images/salle-12 share_user=sauvegarde share_password=smb_password
fetch backup.sh
grep -q smb_password "$T/backup.sh"; ok $((! $?)) "backup.sh does not even name the secret"
job $M backup.sh
ok $? "backup to a share with credentials runs in the sandbox"
calls | grep -q "^mount -t cifs //se3.lan/images/salle-12 $SE3_IPXE_ROOT/mnt/se3-ipxe-dest -o credentials=$CRED,vers=3.0\$"
ok $? "backup: mount.cifs is given the credentials file by name"
calls | grep -qx 'credentials file mode 600'; ok $? "backup: a file only its owner reads"
is "$(grep -v '^#' "$T/cred-read")" "username=sauvegarde
password=$SECRET" "backup: it holds share_user and the secret's value"
[ ! -e "$CRED" ]; ok $? "backup: the credentials file is removed once mounted"
is "$(state_of $M)" "done 1" "backup with credentials: the action is done"
no_leak "backup"

M=52:54:00:74:00:10
mkdir -p "$SE3_IPXE_ROOT/home/partimag/win10-2026"
serve $M clonezilla:restore repo=//se3.lan/partimag/salle-12 image=win10-2026 share_user=prof_1@se3.lan share_password=smb_password
fetch restore.sh
job $M restore.sh prerun
ok $? "clonezilla restore with credentials: prerun"
calls | grep -q "^mount -t cifs //se3.lan/partimag/salle-12 $SE3_IPXE_ROOT/home/partimag -o credentials=$CRED,vers=3.0\$"
ok $? "clonezilla restore: the share mounted with the credentials file"
grep -qx 'username=prof_1@se3.lan' "$T/cred-read" && grep -qxF "password=$SECRET" "$T/cred-read"
ok $? "clonezilla restore: user@domain and the secret's value"
[ ! -e "$CRED" ]; ok $? "clonezilla restore: the credentials file is removed once mounted"
cgi GET /file/smb.cred "token=$TOKEN"
cat "$T/err" >> "$T/all-err"
is "$status" 403 "smb.cred: a second fetch in the same boot is refused"
is "$(sqlite3 "$DB" "SELECT event, detail FROM history WHERE event LIKE 'secret-%' ORDER BY id DESC LIMIT 2")" \
    "secret-refused|smb.cred: already served in boot 1
secret-served|smb.cred: boot 1" "... the serving and the refusal are in the history"
job $M restore.sh run && job $M restore.sh postrun
ok $? "clonezilla restore with credentials: run, postrun"
is "$(state_of $M)" "done 1" "clonezilla restore with credentials: the action is done"
se3ipxe history $M >> "$T/set.out" 2>&1
no_leak "clonezilla restore"
se3ipxe set-action $M sysrescue:backup share_password=nosuch > "$T/o" 2>&1
ok $((! $?)) "set-action refuses a secret the file does not hold"
grep -q "option share_password: no secret 'nosuch' in $T/secrets" "$T/o"; ok $? "... naming the option: $(cat "$T/o")"

# --- the examples of se3-ipxe-modules(5) run as written ---------------------------
awk '/^Saving the first Windows partition|^Saving a whole disk with Clonezilla|^Saving to a share that refuses guests/ { on = 1 }
	on && /^\.Ed/ { on = 0 } on && /^# se3-ipxe / { printf "%s", $0; c = 1 }
	on && c && !/^# se3-ipxe / { printf " %s", $0 } on && c && !/\\e$/ { print ""; c = 0 }' \
    "$TOP/man/se3-ipxe-modules.5" | sed 's/ *\\e */ /g; s/^# se3-ipxe //' > "$T/examples"
is "$(wc -l < "$T/examples")" 7 "seven example commands in se3-ipxe-modules(5)"
while read -r line; do
	case $line in *parc:*) continue ;; esac	# a parc needs SE3's directory
	# shellcheck disable=SC2086 # the command's words, as the page writes them
	# A destructive action asks on a tty, wants --yes elsewhere (once binding is in).
	se3ipxe $line > "$T/out" 2>&1 || se3ipxe $line --yes > "$T/out" 2>&1
	ok $? "example: se3-ipxe $line"
done < "$T/examples"

# --- nothing hostile gets in ---------------------------------------------------
M=52:54:00:74:00:08
for v in "sda1;reboot" 'x$(id)' "//se3/a b" "//se3/../etc" "a'b" "auto
x"; do
	se3ipxe set-action $M sysrescue:backup "source=$v" > /dev/null 2>&1
	ok $((! $?)) "set-action refuses source='$v'"
done
is "$(sqlite3 "$T/db/se3-ipxe.db" "SELECT count(*) FROM actions WHERE mac = '$M'")" 0 "nothing was stored"
done_testing
