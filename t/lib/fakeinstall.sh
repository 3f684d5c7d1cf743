# SPDX-License-Identifier: GPL-3.0-or-later
# A report-mode test module in $T/modules: it serves its token so tests can report like an installer, and a preseed file.

make_fakeinstall() {
	mkdir -p "$T/modules/fakeinstall"
	cat > "$T/modules/fakeinstall/module.ini" <<-'EOM'
	[module]
	name = fakeinstall
	description = A pretend installer that reports back
	version = 1

	[capability install]
	description = Install nothing, report progress
	template = install.ipxe
	completion = report
	max_boots = 3
	expires = 4h
	destructive = yes
	files = preseed.cfg

	[option install.disk]
	type = enum
	description = Disk to install to
	values = sda sdb nvme0n1
	default = sda
	EOM
	cat > "$T/modules/fakeinstall/install.ipxe" <<-'EOT'
	#!ipxe
	# fakeinstall for {{mac}}, boot {{boots}}/{{max_boots}}
	kernel {{module_url}}/vmlinuz disk={{disk}} report={{report_url}}?token={{token}}
	boot
	EOT
	cat > "$T/modules/fakeinstall/preseed.cfg" <<-'EOT'
	# fakeinstall preseed for {{mac}}, action {{action_id}}
	d-i partman-auto/disk string /dev/{{disk}}
	d-i preseed/late_command string wget -q -O- "{{report_url}}?token={{token}}&status=done"
	EOT
}
