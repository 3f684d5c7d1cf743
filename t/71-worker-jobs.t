#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The worker's jobs through ipxe.cgi: save.sh, restore.sh and report.sh served with the token and the image store's URL, parsed by sh -n; restore.sh run against stand-ins refuses every hostile or inconsistent manifest, and a disk too small, before it writes anything.
. t/lib/tap.sh
. t/lib/cgi.sh

write_config "$T/se3-ipxe.conf"
db_create
SB=$T/sandbox
mkdir -p "$SB" "$T/store"
# The library a job sources, with stand-ins for the disk and the store: a
# write is a call of sfdisk, recorded; fail ends the job as the real one.
cat > "$SB/lib.sh" <<'EOS'
report() { echo "report $1 $2 $3" >> "$CALLS"; }
fail() { echo "se3-ipxe: FAILED: $*" >&2; exit 1; }
disk_resolve() { [ "$1" = auto ] && echo sda || echo "$1"; }
bytes() { echo "$DISK_BYTES"; }
sector_size() { echo 512; }
store_get() { echo "get $1" >> "$CALLS"; cat "$STORE/$1" 2>/dev/null; }
sfdisk() { echo "sfdisk $*" >> "$CALLS"; return 1; }
blockdev() { :; }
share_open() { echo "share_open $1" >> "$CALLS"; }
sha256() { sha256sum | cut -d' ' -f1; }
EOS
export SE3_WORKER_LIB="$SB/lib.sh" CALLS="$T/calls" STORE="$T/store" DISK_BYTES=1073741824

# serve MAC ACTION OPTIONS...: set it, boot it; the job FILE it names, served with the token, in $T/FILE.
serve() {
	_m=$1 _f=$2
	shift 2
	se3ipxe set-action --yes "$_m" "$@" > "$T/set.out" 2>&1
	ok $? "set-action $_m $*"
	TOKEN=$(token_of "$_m")
	boot "mac=$_m&platform=pcbios"
	grep -q "se3.job=http://127.0.0.1:8080/cgi-bin/ipxe.cgi/file/$_f se3.token=$TOKEN " "$T/body"
	ok $? "$*: the script names the job $_f and the token"
	cgi GET "/file/$_f" "token=$TOKEN"
	is "$status" 200 "$*: $_f served with the token"
	cp "$T/body" "$T/$_f"
	sh -n "$T/$_f"
	ok $? "$*: $_f is shell (sh -n)"
	grep -q '{{' "$T/$_f"
	ok $((! $?)) "$*: every key of $_f rendered"
}

serve 52:54:00:71:00:01 save.sh worker:save name=room12 compression=lzop
grep -qx "SE3_IMAGES='http://127.0.0.1:8080/cgi-bin/images.cgi'" "$T/save.sh"
ok $? "save.sh: the image store beside ipxe.cgi"
grep -qx "DISK='auto' PARTS='auto' NAME='room12' COMP='lzop'" "$T/save.sh"
ok $? "save.sh: the options as set"
cgi GET /file/save.sh "token=0123456789abcdef0123456789abcdef0123456789abcdef"
is "$status" 403 "save.sh: refused without the action's token"
serve 52:54:00:71:00:02 report.sh worker:report
sh -n "$TOP/modules/worker/lib.sh"
ok $? "lib.sh is shell (sh -n)"
# On a share: not the catalogue's, so set-action takes it (t/65 has the catalogue's checks).
serve 52:54:00:71:00:03 restore.sh worker:restore image=room12 grow=yes share=//se3/images/room12
grep -qx "IMAGE='room12' DISK='auto' GROW='yes' VERIFY='yes'" "$T/restore.sh"
ok $? "restore.sh: the options as set"

# A good manifest, then the same spoilt one way at a time.
H=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
printf 'label: gpt\n' > "$T/store/room12.table"
TS=$(sha256sum < "$T/store/room12.table" | cut -d' ' -f1)
good() {
	cat <<EOF
se3-ipxe-image 1
mac 52:54:00:71:00:01
disk sda 67108864 512
table gpt room12.table $TS 67108864
part sda1 1 ext4 partclone.ext4 zstd room12.sda1 20971520 $H $H
part sda2 2 swap mkswap none - 4194304 - -
uuid sda2 5e3e2e00-91aa-4bbb-8ccc-000000000091
part sda3 3 ntfs partclone.ntfs lzop room12.sda3 41943040 $H $H
end
EOF
}
# restore MANIFEST-TEXT: run restore.sh on it; $rc, the calls in $T/calls.
restore() {
	printf '%s\n' "$1" > "$T/store/room12"
	: > "$CALLS"
	sh "$T/restore.sh" > "$T/job.out" 2>&1
	rc=$?
}
wrote() { grep -q '^sfdisk' "$CALLS"; }

restore "$(good)"
wrote
ok $? "a good manifest: the table is written (the stand-in sfdisk then fails)"
grep -qx "share_open //se3/images/room12" "$CALLS"
ok $? "... the image read from the share named"
grep -q "FAILED: sfdisk could not write the table to /dev/sda" "$T/job.out"
ok $? "... and the job fails there, saying so"

# spoil DESCRIPTION SED-SCRIPT [WHAT-IT-SAYS]: the manifest edited must fail before any write.
spoil() {
	restore "$(good | sed "$2")"
	if [ "$rc" != 0 ] && ! wrote; then ok 0 "refused before any write: $1"
	else ok 1 "refused before any write: $1"; sed 's/^/# /' "$T/job.out"; fi
	if [ -n "${3:-}" ]; then
		grep -qF -- "$3" "$T/job.out"
		ok $? "... saying: $3" || sed 's/^/# /' "$T/job.out"
	fi
}
spoil "no version line" '1d' "not a version 1 manifest"
spoil "version 2" '1s/1$/2/' "not a version 1 manifest"
spoil "an unknown record" '3a\
exec reboot' "unknown record 'exec'"
spoil "an empty line" '3a\
' "unknown record ''"
spoil "no end" '$d' "is cut (no end)"
spoil "text after end" '$a\
part sda4 4 ext4 partclone.ext4 zstd room12.sda4 1 '"$H $H" "text after end"
spoil "a field too many" 's/^end$/end now/' "end has 1 fields, not 0"
spoil "a field too few" '/^disk/s/ 512$//' "disk has 2 fields, not 3"
spoil "a bad mac" 's/^mac .*/mac 52:54:00:71:00:XX/' "line 2: mac"
spoil "table label sun" 's/^table gpt/table sun/' "table label"
spoil "the table of another image" "s/ room12.table / other.table /" "table record"
spoil "a table sha256 in capitals" "/^table/s/ $TS / $(echo "$TS" | tr a-f A-F) /" "table record"
spoil "the table differs from its hash" "/^table/s/ $TS / $H /" "room12.table differs from its manifest (sha256): nothing written"
spoil "a stored part of another image" 's/ room12.sda1 / room13.sda1 /' "part sda1: stored name or hashes"
spoil "a stored part that is a path" 's# room12.sda1 # ../../etc/passwd #' "part sda1: stored name or hashes"
spoil "a hash too short" "/^part sda1/s/ $H / ${H%?} /" "part sda1: stored name or hashes"
spoil "a tool that is a command" 's/ partclone.ext4 / sh /' "part sda1: tool"
spoil "a compression unknown" 's/ lzop / xz /' "part sda3: compression"
spoil "a swap that stores a part" 's/ mkswap none - 4194304 - -/ mkswap none room12.sda2 4194304 - -/' "a swap stores nothing"
spoil "a partition number 0" 's/^part sda1 1 /part sda1 0 /' "partition number 0"
spoil "a partition number 1000" 's/^part sda1 1 /part sda1 1000 /' "partition number 1000"
spoil "a partition twice" 's/^part sda3 3 /part sda3 1 /' "partition 1 twice"
spoil "a size of 16 digits" 's/ 20971520 / 1000000000000000 /' "part record"
spoil "a size not a number" 's/ 20971520 / 2e7 /' "part record"
spoil "a shell substitution" 's/^part sda1 1 ext4 /part $(reboot) 1 ext4 /' "part record"
spoil "a glob" 's/^part sda1 1 ext4 /part * 1 ext4 /' "part record"
spoil "a quote" "s/^part sda1 1 ext4 /part sda1' 1 ext4 /" "part record"
spoil "a control character" "s/^part sda1 1 ext4 /part sda1$(printf '\033') 1 ext4 /" "part record"
spoil "no part at all" '/^part/d; /^uuid/d' "has no table, disk or part"
DISK_BYTES=67108863
spoil "a disk one byte too small" '' "image room12 needs 67108864 bytes, /dev/sda has 67108863: nothing written"
DISK_BYTES=1073741824
# An action set before session, port and wait existed renders them empty.
sed -i "s/^SESSION='0' PORT='9000' WAIT='300'$/SESSION='' PORT='' WAIT=''/" "$T/restore.sh"
grep -qx "SESSION='' PORT='' WAIT=''" "$T/restore.sh" && restore "$(good)" && wrote &&
    ! grep -q 'multicast' "$CALLS" "$T/job.out"
ok $? "session, port and wait rendered empty (an older action): a unicast restore"
rm "$T/store/room12"
: > "$CALLS"
sh "$T/restore.sh" > "$T/job.out" 2>&1
ok $((! $?)) "no manifest in the store: the job fails" 
grep -q "cannot read the manifest of image room12" "$T/job.out"
ok $? "... saying so"
wrote
ok $((! $?)) "... and writes nothing"
done_testing
