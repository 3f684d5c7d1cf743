/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The strict parser of an image's manifest, the text a worker uploads last as the commit point of a whole image. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

#define LINE_MAX_M	1024	/* the longest record is a part: ~330 bytes */
#define FIELDS_MAX	11	/* a part: the record type and ten fields */

static const char *const tools[] = {
	"partclone.ext2", "partclone.ext3", "partclone.ext4",
	"partclone.ntfs", "partclone.fat", "partclone.fat12",
	"partclone.fat16", "partclone.fat32", "partclone.vfat",
	"partclone.exfat", "partclone.btrfs", "partclone.xfs",
	"partclone.f2fs", "partclone.hfsp", "partclone.dd", "mkswap",
};
static const char *const compressions[] = { "none", "lzop", "zstd", "gzip" };

/* Where we are: the line number, for the message. */
struct mstate {
	const char	*name;
	int		 line;
	struct sip_err	*err;
};

static enum sip_rc
bad(struct mstate *ms, const char *field, const char *why)
{
	return sip_errf(ms->err, SIP_EINVAL, "manifest of %s: line %d: %s: %s",
	    ms->name, ms->line, field, why);
}

static int
in_list(const char *w, const char *const *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(w, v[i]) == 0)
			return 1;
	return 0;
}

/* A decimal number without sign or leading zero, 0 to INT64_MAX. */
static int
number(const char *s, int64_t *out)
{
	int64_t v = 0;

	if (s[0] < '0' || s[0] > '9' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (INT64_MAX - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}

static int
sha256_ok(const char *s)
{
	size_t i;

	if (strlen(s) != SIP_SHA256_HEX)
		return 0;
	for (i = 0; i < SIP_SHA256_HEX; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return 0;
	return 1;
}

/* A block device's kernel name: sda, sda1, vda, nvme0n1p2, mmcblk0p1. */
static int
dev_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= SIP_MANIFEST_DEV_MAX || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9')))
			return 0;
	return 1;
}

/* A word of letters, digits, '.', '_', '-', a letter or digit first (blkid's types). */
static int
word_ok(const char *s)
{
	return strlen(s) < SIP_IMAGE_WORD_MAX &&
	    sip_image_name_check(s) == SIP_OK;
}

/* The canonical spelling: lower-case, colons. */
static int
mac_ok(const char *s)
{
	struct sip_mac mac;
	char canon[SIP_MAC_STRLEN];

	if (strlen(s) != SIP_MAC_STRLEN - 1 || sip_mac_parse(s, &mac) != SIP_OK)
		return 0;
	sip_mac_format(&mac, canon);
	return strcmp(canon, s) == 0;
}

/* name + "." + suffix, exactly. */
static int
named(const char *stored, const char *name, const char *suffix)
{
	size_t n = strlen(name);

	return strncmp(stored, name, n) == 0 && stored[n] == '.' &&
	    strcmp(stored + n + 1, suffix) == 0;
}

/*
 * Split line (NUL-terminated, no newline) on single spaces into f[];
 * -1 on an empty field (two spaces, a leading or trailing one) or a byte
 * outside [A-Za-z0-9._:-].
 */
static int
split(char *line, char **f, size_t max, size_t *n)
{
	char *p = line;

	*n = 0;
	for (;;) {
		if (*n == max)
			return -2;
		f[(*n)++] = p;
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
		    *p == ':' || *p == '-')
			p++;
		if (p == f[*n - 1])
			return -1;
		if (*p == '\0')
			return 0;
		if (*p != ' ')
			return -1;
		*p++ = '\0';
	}
}

static enum sip_rc
parse_part(struct mstate *ms, char **f, size_t nf, struct sip_manifest *m)
{
	struct sip_manifest_part *p;
	int64_t v;
	size_t i;
	int swap;

	if (nf != 10)
		return bad(ms, "part", "expected DEV NUMBER FS TOOL COMPRESSION"
		    " STORED BYTES SHA256 RAWSHA256");
	if (m->nparts == SIP_MANIFEST_PARTS)
		return bad(ms, "part", "more than 128 parts");
	p = &m->parts[m->nparts];
	if (!dev_ok(f[1]))
		return bad(ms, "part device", "not a device name ([a-z][a-z0-9]*"
		    ", at most 31)");
	if (number(f[2], &v) == -1 || v < 1 || v > 128)
		return bad(ms, "part number", "not a number 1 to 128");
	for (i = 0; i < m->nparts; i++) {
		if (strcmp(m->parts[i].dev, f[1]) == 0)
			return bad(ms, "part device", "given twice");
		if (m->parts[i].number == (int)v)
			return bad(ms, "part number", "given twice");
	}
	snprintf(p->dev, sizeof(p->dev), "%s", f[1]);
	p->number = (int)v;
	if (strcmp(f[3], "-") != 0 && !word_ok(f[3]))
		return bad(ms, "part filesystem", "not a type word or -");
	snprintf(p->fs, sizeof(p->fs), "%s", strcmp(f[3], "-") == 0 ? "" :
	    f[3]);
	if (!in_list(f[4], tools, sizeof(tools) / sizeof(tools[0])))
		return bad(ms, "part tool", "not partclone.FS or mkswap");
	snprintf(p->tool, sizeof(p->tool), "%s", f[4]);
	swap = strcmp(f[4], "mkswap") == 0;
	if (!in_list(f[5], compressions, sizeof(compressions) /
	    sizeof(compressions[0])) && !(swap && strcmp(f[5], "-") == 0))
		return bad(ms, "part compression", "not none, lzop, zstd or gzip");
	snprintf(p->compression, sizeof(p->compression), "%s", f[5]);
	if (swap) {
		if (strcmp(f[6], "-") != 0 || strcmp(f[8], "-") != 0 ||
		    strcmp(f[9], "-") != 0)
			return bad(ms, "part stored", "mkswap stores nothing: "
			    "stored part, sha256 and raw sha256 are -");
	} else {
		if (!named(f[6], ms->name, p->dev) ||
		    sip_image_name_check(f[6]) != SIP_OK)
			return bad(ms, "part stored", "not NAME.DEV of this "
			    "image");
		if (!sha256_ok(f[8]))
			return bad(ms, "part sha256", "not 64 lower-case "
			    "hexadecimal digits");
		if (!sha256_ok(f[9]))
			return bad(ms, "part raw sha256", "not 64 lower-case "
			    "hexadecimal digits");
		snprintf(p->stored, sizeof(p->stored), "%s", f[6]);
		memcpy(p->sha256, f[8], SIP_SHA256_HEX + 1);
		memcpy(p->raw_sha256, f[9], SIP_SHA256_HEX + 1);
	}
	if (number(f[7], &p->bytes) == -1 || p->bytes < 1)
		return bad(ms, "part bytes", "not a number of bytes above 0");
	if (p->bytes > m->disk_bytes)
		return bad(ms, "part bytes", "larger than the disk");
	m->nparts++;
	return SIP_OK;
}

/* A swap's UUID, right after its part line: what fstab's UUID= finds again. */
static enum sip_rc
parse_uuid(struct mstate *ms, char **f, size_t nf, struct sip_manifest *m)
{
	struct sip_manifest_part *p;
	size_t i;

	if (nf != 3)
		return bad(ms, "uuid", "expected DEV UUID");
	p = m->nparts > 0 ? &m->parts[m->nparts - 1] : NULL;
	if (p == NULL || strcmp(p->dev, f[1]) != 0 ||
	    strcmp(p->tool, "mkswap") != 0 || p->swap_uuid[0] != '\0')
		return bad(ms, "uuid", "not right after its swap's part line");
	for (i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ? f[2][i] != '-' :
		    !((f[2][i] >= '0' && f[2][i] <= '9') ||
		    (f[2][i] >= 'a' && f[2][i] <= 'f')))
			return bad(ms, "uuid", "not a lower-case UUID");
	if (f[2][36] != '\0')
		return bad(ms, "uuid", "not a lower-case UUID");
	memcpy(p->swap_uuid, f[2], sizeof(p->swap_uuid));
	return SIP_OK;
}

enum sip_rc
sip_manifest_parse(const char *name, const char *text, size_t len,
    struct sip_manifest *m, struct sip_err *err)
{
	static const char *const order[] = {
		"se3-ipxe-image", "mac", "disk", "table"
	};
	struct mstate ms = { name, 0, err };
	char line[LINE_MAX_M], *f[FIELDS_MAX];
	const char *p = text, *end = text + len, *nl;
	size_t nf, n;
	int64_t v;
	int ended = 0, rc;

	memset(m, 0, sizeof(*m));
	if (sip_image_name_check(name) != SIP_OK)
		return sip_errf(err, SIP_EINVAL, "manifest: not an image name");
	if (len > SIP_MANIFEST_MAX)
		return sip_errf(err, SIP_EINVAL, "manifest of %s: larger than "
		    "%d bytes", name, SIP_MANIFEST_MAX);
	while (p < end) {
		ms.line++;
		if (ended)
			return bad(&ms, "end", "a line after end");
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		if (n >= sizeof(line))
			return bad(&ms, "line", "too long");
		if (memchr(p, '\0', n) != NULL)
			return bad(&ms, "line", "a NUL byte");
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + (nl != NULL);
		if ((rc = split(line, f, FIELDS_MAX, &nf)) == -2)
			return bad(&ms, "line", "too many fields");
		if (rc == -1)
			return bad(&ms, "line", "not words of [A-Za-z0-9._:-] "
			    "separated by one space");
		/* The header, mac, disk and table come first, in order. */
		if (ms.line <= (int)(sizeof(order) / sizeof(order[0])) &&
		    strcmp(f[0], order[ms.line - 1]) != 0)
			return bad(&ms, "record", ms.line == 1 ? "not a manifest "
			    "(se3-ipxe-image first)" : "not the record expected"
			    " here (se3-ipxe-image, mac, disk, table, part..., "
			    "end)");
		if (strcmp(f[0], "se3-ipxe-image") == 0) {
			if (ms.line != 1)
				return bad(&ms, "record", "se3-ipxe-image again");
			if (nf != 2 || strcmp(f[1], "1") != 0)
				return bad(&ms, "version", "not 1");
		} else if (strcmp(f[0], "mac") == 0) {
			if (ms.line != 2)
				return bad(&ms, "record", "mac again");
			if (nf != 2 || !mac_ok(f[1]))
				return bad(&ms, "mac", "not a MAC address in "
				    "lower case with colons");
			memcpy(m->mac, f[1], SIP_MAC_STRLEN);
		} else if (strcmp(f[0], "disk") == 0) {
			if (ms.line != 3)
				return bad(&ms, "record", "disk again");
			if (nf != 4)
				return bad(&ms, "disk", "expected DEV BYTES "
				    "SECTOR");
			if (!dev_ok(f[1]))
				return bad(&ms, "disk device", "not a device "
				    "name ([a-z][a-z0-9]*, at most 31)");
			snprintf(m->disk, sizeof(m->disk), "%s", f[1]);
			if (number(f[2], &m->disk_bytes) == -1 ||
			    m->disk_bytes < 1)
				return bad(&ms, "disk bytes", "not a number of "
				    "bytes above 0");
			if (number(f[3], &v) == -1 || (v != 512 && v != 1024 &&
			    v != 2048 && v != 4096))
				return bad(&ms, "disk sector", "not 512, 1024, "
				    "2048 or 4096");
			m->sector = (int)v;
		} else if (strcmp(f[0], "table") == 0) {
			if (ms.line != 4)
				return bad(&ms, "record", "table again");
			if (nf != 5)
				return bad(&ms, "table", "expected LABEL STORED "
				    "SHA256 NEEDBYTES");
			if (strcmp(f[1], "dos") != 0 && strcmp(f[1], "gpt") != 0)
				return bad(&ms, "table label", "not dos or gpt");
			memcpy(m->label, f[1], 4);
			if (!named(f[2], name, "table"))
				return bad(&ms, "table stored", "not NAME.table "
				    "of this image");
			snprintf(m->table, sizeof(m->table), "%s", f[2]);
			if (!sha256_ok(f[3]))
				return bad(&ms, "table sha256", "not 64 "
				    "lower-case hexadecimal digits");
			memcpy(m->table_sha256, f[3], SIP_SHA256_HEX + 1);
			if (number(f[4], &m->need_bytes) == -1 ||
			    m->need_bytes < 1)
				return bad(&ms, "table need bytes", "not a "
				    "number of bytes above 0");
			if (m->need_bytes > m->disk_bytes)
				return bad(&ms, "table need bytes", "more than "
				    "the source disk's bytes");
		} else if (strcmp(f[0], "part") == 0) {
			if ((rc = parse_part(&ms, f, nf, m)) != SIP_OK)
				return (enum sip_rc)rc;
		} else if (strcmp(f[0], "uuid") == 0) {
			if ((rc = parse_uuid(&ms, f, nf, m)) != SIP_OK)
				return (enum sip_rc)rc;
		} else if (strcmp(f[0], "end") == 0) {
			if (nf != 1)
				return bad(&ms, "end", "takes no field");
			ended = 1;
		} else
			return bad(&ms, "record", "unknown (version 1 has "
			    "se3-ipxe-image, mac, disk, table, part, uuid, end)");
	}
	if (!ended) {
		ms.line++;
		return bad(&ms, "end", "missing: the manifest is cut");
	}
	return SIP_OK;
}
