# SPDX-License-Identifier: GPL-3.0-or-later
# Test helper: a whole image of the catalogue made in $T/images with its rows, as a finished worker:save leaves them (needs sum and q).

# image_make NAME MAC: a GPT table, an ext4 and an NTFS part of random bytes, a swap made, the manifest last.
image_make() {	# image_make NAME MAC
	head -c 700 /dev/urandom > "$T/images/$1.table"
	head -c 3000000 /dev/urandom > "$T/images/$1.sda1"
	head -c 1000001 /dev/urandom > "$T/images/$1.sda2"
	{
		echo "se3-ipxe-image 1"
		echo "mac $2"
		echo "disk sda 67108864 512"
		echo "table gpt $1.table $(sum "$T/images/$1.table") 66043392"
		echo "part sda1 1 ext4 partclone.ext4 zstd $1.sda1 33554432 $(sum "$T/images/$1.sda1") $(sum "$T/images/$1.sda1")"
		echo "part sda2 2 ntfs partclone.ntfs lzop $1.sda2 16777216 $(sum "$T/images/$1.sda2") $(sum "$T/images/$1.sda2")"
		echo "part sda3 3 swap mkswap none - 1048576 - -"
		echo "end"
	} > "$T/images/$1"
	for p in table sda1 sda2 manifest; do
		f=$1.$p
		[ $p = manifest ] && f=$1
		q "INSERT INTO images (name, mac, part, tool, compression, size, sha256, created_at, received, complete)
		   VALUES ('$f', '$2', '$p', 'partclone.ext4', 'zstd', $(stat -c %s "$T/images/$f"), '$(sum "$T/images/$f")', 1000, 1, 1)"
	done
}
