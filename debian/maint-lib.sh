# SPDX-License-Identifier: GPL-3.0-or-later
# se3-ipxe: what the maintainer scripts of se3-ipxe and its module packages
# share (sourced, never run).  Nothing here may fail an install: each
# function says what went wrong and returns.

SE3_IPXE_CONF=/etc/se3-ipxe/se3-ipxe.conf

# The boot tree: boot_root of the configuration, else its default.
se3_boot_root() {
	_r=
	if [ -r "$SE3_IPXE_CONF" ]; then
		_r=$(sed -n 's/^[[:space:]]*boot_root[[:space:]]*=[[:space:]]*"\{0,1\}\([^";#[:space:]]*\).*/\1/p' \
		    "$SE3_IPXE_CONF" | tail -n 1)
	fi
	echo "${_r:-/var/lib/se3-ipxe/boot}"
}

# se3_module_script MODULE: run the module's own setup script (its copies
# of Debian's files, no download), as `se3-ipxe setup` would.
se3_module_script() {
	_dir=/usr/share/se3-ipxe/modules/$1
	[ -x "$_dir/setup" ] || return 0
	BOOT_ROOT=$(se3_boot_root) MODULE_DIR=$_dir "$_dir/setup" ||
	    echo "se3-ipxe: $1's setup script failed; run it again with se3-ipxe setup $1" >&2
}

# se3_module_setup MODULE: `se3-ipxe setup MODULE` (copy entries, upstream
# files, then the setup script); a failure is said, never fatal.
se3_module_setup() {
	se3-ipxe setup "$1" ||
	    echo "se3-ipxe: 'se3-ipxe setup $1' failed (offline? placeholder checksums?); run it again later" >&2
}

# se3_module_purge MODULE: its files in the boot tree.
se3_module_purge() {
	_b=$(se3_boot_root)
	case $_b in /*) rm -rf "${_b%/}/$1" ;; esac
}
