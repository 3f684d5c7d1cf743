#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The bash completion (tools/se3-ipxe.bash-completion) run by a real bash against the real se3-ipxe: commands, actions, options, enum and boolean values, the catalogue's images for an option that names one and for clone, sessions, modules.
cd "$(dirname "$0")/.." || exit 1
[ -x cli/se3-ipxe ] || { echo "1..0 # SKIP cli/se3-ipxe is not built"; exit 0; }
command -v bash > /dev/null || { echo "1..0 # SKIP no bash"; exit 0; }
command -v sqlite3 > /dev/null || { echo "1..0 # SKIP no sqlite3"; exit 0; }
. t/lib/tap.sh
. t/lib/cgi.sh
trap 'rm -rf "$T"' EXIT

mkdir -p "$T/images"
write_config "$T/se3-ipxe.conf" "[images]" "dir = $T/images"
db_create
sum() { sha256sum < "$1" | cut -d' ' -f1; }
q() { sqlite3 "$T/db/se3-ipxe.db" "$1"; }
catalogue_image room-218 52:54:00:77:00:01
catalogue_image master_2026 52:54:00:77:00:02
# A broken image (its manifest names a part that is gone) is not offered.
catalogue_image gone 52:54:00:77:00:03
rm -f "$T/images/gone.sda1"
q "DELETE FROM images WHERE name = 'gone.sda1'"

# comp LINE: what completing at the end of LINE offers, sorted, one line.
comp() {
	PATH=$TOP/cli:$PATH bash -c '. tools/se3-ipxe.bash-completion
		COMP_LINE=$1 COMP_POINT=${#1} COMP_WORDBREAKS=${2-$COMP_WORDBREAKS}
		_se3_ipxe
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " " | sed "s/ $//"' \
	    comp "$1" ${2+"$2"}
}
C="se3-ipxe -c $T/se3-ipxe.conf"
M=52:54:00:77:00:09

while IFS='|' read -r line want what; do
	[ -n "$line" ] || continue
	is "$(comp "$C $line")" "$want" "$what: '$line'"
done <<EOV
set-a|set-action|a command
se|session set-action setup|the commands that start so
set-action $M worker:re|worker:report worker:restore|the actions of a module
set-action $M worker:restore im|image=|an option of the action
set-action $M worker:restore image=|master_2026 room-218|an image option: the catalogue's whole images, not a broken one
set-action $M worker:restore image=ro|room-218|... that start so
set-action $M worker:restore grow=|no yes|a boolean's values
set-action --at 08:00 $M worker:save compression=|gzip lzop none zstd|an enum's values, after an option with its value
set-action $M memtest:run image=|| an option the action does not have: nothing
clone |master_2026 room-218|clone's IMAGE: the catalogue's
clone --port 9000 m|master_2026|... after an option with its value
clone room-218 $M ver|verify=|clone's KEY=VALUE: the restore's options
clone --from pc-1 new $M save.compression=l|lzop|clone --from: save.KEY=VALUE, the save's values
clone --from pc-1 --sys|--sysprep --sysprep-timeout|clone's options from its usage: --sysprep
clone --from pc-1 --sysprep-timeout 600 m|master_2026|... after --sysprep-timeout with its value
images delete |master_2026 room-218|images delete NAME
session |cancel fallback list run show|session's verbs
setup wo|worker|setup's modules
help clo|clone|help's commands
EOV

# Without '=' among the word breaks, the whole KEY=VALUE is offered.
is "$(comp "$C set-action $M worker:restore grow=" ' ')" "grow=no grow=yes" "without '=' as a word break: KEY=VALUE whole"
is "$(comp "$C clone --from pc-1 new $M save.compression=z" ' ')" "save.compression=zstd" "... and save.KEY=VALUE whole"
done_testing
