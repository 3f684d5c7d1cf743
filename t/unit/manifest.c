/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Table vectors for the image manifest's parser: good GPT and MBR manifests, each field wrong, hostile values in every field, cut, too long, duplicates. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "tap.h"
#include "hostile.h"

#define SHA_A	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define SHA_C	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* The lines of a good GPT manifest of image "img1", one a line. */
static const char *const gpt[] = {
	"se3-ipxe-image 1",
	"mac 52:54:00:e2:91:01",
	"disk sda 67108864 512",
	"table gpt img1.table " SHA_A " 66043392",
	"part sda1 1 ext4 partclone.ext4 zstd img1.sda1 33554432 " SHA_B " "
	    SHA_C,
	"part sda2 2 ntfs partclone.ntfs lzop img1.sda2 16777216 " SHA_C " "
	    SHA_B,
	"part sda3 3 swap mkswap none - 8388608 - -",
	"end",
};
#define NGPT	(sizeof(gpt) / sizeof(gpt[0]))

static const char mbr[] =
    "se3-ipxe-image 1\n"
    "mac 52:54:00:e2:91:02\n"
    "disk vda 1048576000 4096\n"
    "table dos img1.table " SHA_C " 1048575488\n"
    "part vda1 1 vfat partclone.fat gzip img1.vda1 104857600 " SHA_A " "
    SHA_B "\n"
    "part vda5 5 - partclone.dd none img1.vda5 1024 " SHA_A " " SHA_A "\n"
    "end\n";

/* Replace line k of gpt with line (NULL: drop it) and join them. */
static void
build(char *dst, size_t sz, size_t k, const char *line)
{
	size_t i, o = 0;

	dst[0] = '\0';
	for (i = 0; i < NGPT; i++) {
		const char *l = i == k ? line : gpt[i];

		if (l == NULL)
			continue;
		o += (size_t)snprintf(dst + o, sz - o, "%s\n", l);
	}
}

static const struct {
	size_t		 line;		/* the gpt line replaced, 0-based */
	const char	*text;		/* NULL: dropped */
	const char	*where;		/* what the message names */
} wrong[] = {
	{ 0, "se3-ipxe-image 2", "line 1: version" },
	{ 0, "se3-ipxe-image", "line 1: version" },
	{ 0, "se3-ipxe-image 1 x", "line 1: version" },
	{ 0, "se3-ipxe-imagex 1", "line 1: record" },
	{ 0, NULL, "line 1: record" },
	{ 1, "mac 52:54:00:E2:91:01", "line 2: mac" },
	{ 1, "mac 52-54-00-e2-91-01", "line 2: mac" },
	{ 1, "mac 525400e29101", "line 2: mac" },
	{ 1, "mac", "line 2: mac" },
	{ 1, "mac  52:54:00:e2:91:01", "line 2: line" },
	{ 1, "mac 52:54:00:e2:91:01 ", "line 2: line" },
	{ 1, " mac 52:54:00:e2:91:01", "line 2: line" },
	{ 1, "mac\t52:54:00:e2:91:01", "line 2: line" },
	{ 1, "mac 52:54:00:e2:91:01\r", "line 2: line" },
	{ 1, NULL, "line 2: record" },
	{ 2, "disk sda 67108864", "line 3: disk" },
	{ 2, "disk Sda 67108864 512", "line 3: disk device" },
	{ 2, "disk 1sda 67108864 512", "line 3: disk device" },
	{ 2, "disk sda.1 67108864 512", "line 3: disk device" },
	{ 2, "disk sda 0 512", "line 3: disk bytes" },
	{ 2, "disk sda 067108864 512", "line 3: disk bytes" },
	{ 2, "disk sda -1 512", "line 3: disk bytes" },
	{ 2, "disk sda 99999999999999999999 512", "line 3: disk bytes" },
	{ 2, "disk sda 1e9 512", "line 3: disk bytes" },
	{ 2, "disk sda 67108864 513", "line 3: disk sector" },
	{ 2, "disk sda 67108864 0", "line 3: disk sector" },
	{ 2, "disk sda 67108864 512 x", "line 3: disk" },
	{ 3, "table msdos img1.table " SHA_A " 66043392", "line 4: table label" },
	{ 3, "table gpt img2.table " SHA_A " 66043392", "line 4: table stored" },
	{ 3, "table gpt img1.sda " SHA_A " 66043392", "line 4: table stored" },
	{ 3, "table gpt table " SHA_A " 66043392", "line 4: table stored" },
	{ 3, "table gpt img1.table " SHA_A "a 66043392", "line 4: table sha256" },
	{ 3, "table gpt img1.table AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA 66043392",
	    "line 4: table sha256" },
	{ 3, "table gpt img1.table " SHA_A " 67108865", "line 4: table need bytes" },
	{ 3, "table gpt img1.table " SHA_A " 0", "line 4: table need bytes" },
	{ 3, "table gpt img1.table " SHA_A, "line 4: table" },
	{ 3, NULL, "line 4: record" },
	{ 4, "part sda1 1 ext4 partclone.ext4 zstd img1.sda1 33554432 " SHA_B,
	    "line 5: part" },
	{ 4, "part sda2 1 ext4 partclone.ext4 zstd img1.sda2 33554432 " SHA_B " " SHA_C,
	    "line 6: part device" },
	{ 4, "part sda9 2 ext4 partclone.ext4 zstd img1.sda9 33554432 " SHA_B " " SHA_C,
	    "line 6: part number" },
	{ 4, "part sda1 0 ext4 partclone.ext4 zstd img1.sda1 33554432 " SHA_B " " SHA_C,
	    "line 5: part number" },
	{ 4, "part sda1 129 ext4 partclone.ext4 zstd img1.sda1 33554432 " SHA_B " " SHA_C,
	    "line 5: part number" },
	{ 4, "part sda1 1 ext4 partclone.ext5 zstd img1.sda1 33554432 " SHA_B " " SHA_C,
	    "line 5: part tool" },
	{ 4, "part sda1 1 ext4 dd zstd img1.sda1 33554432 " SHA_B " " SHA_C,
	    "line 5: part tool" },
	{ 4, "part sda1 1 ext4 partclone.ext4 xz img1.sda1 33554432 " SHA_B " " SHA_C,
	    "line 5: part compression" },
	{ 4, "part sda1 1 ext4 partclone.ext4 - img1.sda1 33554432 " SHA_B " " SHA_C,
	    "line 5: part compression" },
	{ 4, "part sda1 1 ext4 partclone.ext4 zstd img1.sda2 33554432 " SHA_B " " SHA_C,
	    "line 5: part stored" },
	{ 4, "part sda1 1 ext4 partclone.ext4 zstd img2.sda1 33554432 " SHA_B " " SHA_C,
	    "line 5: part stored" },
	{ 4, "part sda1 1 ext4 partclone.ext4 zstd img1.sda1.x 33554432 " SHA_B " " SHA_C,
	    "line 5: part stored" },
	{ 4, "part sda1 1 ext4 partclone.ext4 zstd - 33554432 " SHA_B " " SHA_C,
	    "line 5: part stored" },
	{ 4, "part sda1 1 ext4 partclone.ext4 zstd img1.sda1 0 " SHA_B " " SHA_C,
	    "line 5: part bytes" },
	{ 4, "part sda1 1 ext4 partclone.ext4 zstd img1.sda1 67108865 " SHA_B " " SHA_C,
	    "line 5: part bytes" },
	{ 4, "part sda1 1 ext4 partclone.ext4 zstd img1.sda1 33554432 - " SHA_C,
	    "line 5: part sha256" },
	{ 4, "part sda1 1 ext4 partclone.ext4 zstd img1.sda1 33554432 " SHA_B " x",
	    "line 5: part raw sha256" },
	{ 4, "part sda1 1 ext4 partclone.ext4 zstd img1.sda1 33554432 " SHA_B " " SHA_C " x",
	    "line 5: part" },
	{ 4, "part sda1 1 ext4 partclone.ext4 zstd img1.sda1 33554432 " SHA_B " " SHA_C " x y",
	    "line 5: line: too many fields" },
	{ 4, "part sda1 1 .ext4 partclone.ext4 zstd img1.sda1 33554432 " SHA_B " " SHA_C,
	    "line 5: part filesystem" },
	{ 6, "part sda3 3 swap mkswap none img1.sda3 8388608 - -", "line 7: part stored" },
	{ 6, "part sda3 3 swap mkswap none - 8388608 " SHA_A " -", "line 7: part stored" },
	{ 4, "mac 52:54:00:e2:91:01", "line 5: record" },
	{ 4, "disk sda 67108864 512", "line 5: record" },
	{ 4, "table gpt img1.table " SHA_A " 66043392", "line 5: record" },
	{ 4, "se3-ipxe-image 1", "line 5: record" },
	{ 4, "label gpt", "line 5: record" },
	{ 4, "", "line 5: line" },
	{ 7, NULL, "line 8: end" },
	{ 7, "end x", "line 8: end" },
	{ 7, "END", "line 8: record" },
};

int
main(void)
{
	struct sip_manifest *m = malloc(sizeof(*m));
	struct sip_err err;
	char text[8192], line[8192 + 64], *big, *p;
	size_t i, j, k, f, nf, tried = 0, passed = 0;
	const char *field[16];
	char fields[1024], *save;

	if (m == NULL)
		return 1;
	build(text, sizeof(text), NGPT, NULL);
	err.msg[0] = '\0';
	is_int(sip_manifest_parse("img1", text, strlen(text), m, &err), SIP_OK,
	    "a good GPT manifest parses: %s", err.msg);
	is_str(m->mac, "52:54:00:e2:91:01", "... its mac");
	is_str(m->disk, "sda", "... its disk");
	is_int(m->disk_bytes, 67108864, "... its size");
	is_int(m->sector, 512, "... its sector");
	is_str(m->label, "gpt", "... its label");
	is_str(m->table, "img1.table", "... its table part");
	is_int(m->need_bytes, 66043392, "... what a target needs");
	is_int(m->nparts, 3, "... three parts");
	is_str(m->parts[1].dev, "sda2", "... the second is sda2");
	is_str(m->parts[1].fs, "ntfs", "... of ntfs");
	is_str(m->parts[1].tool, "partclone.ntfs", "... saved by partclone.ntfs");
	is_str(m->parts[1].compression, "lzop", "... with lzop");
	is_str(m->parts[1].stored, "img1.sda2", "... stored as img1.sda2");
	is_int(m->parts[1].bytes, 16777216, "... of 16 MiB");
	is_str(m->parts[1].sha256, SHA_C, "... its sha256");
	is_str(m->parts[1].raw_sha256, SHA_B, "... its raw sha256");
	is_str(m->parts[2].stored, "", "the swap stores nothing");
	/* A swap's UUID, right after its part line, and nowhere else. */
	{
		static const struct {
			size_t		 line;
			const char	*text;
			const char	*where;	/* NULL: parses */
		} uuids[] = {
			{ 6, "part sda3 3 swap mkswap none - 8388608 - -\n"
			    "uuid sda3 5e3e2e00-91aa-4bbb-8ccc-000000000091", NULL },
			{ 4, "part sda1 1 ext4 partclone.ext4 zstd img1.sda1 33554432 "
			    SHA_B " " SHA_C "\nuuid sda1 5e3e2e00-91aa-4bbb-8ccc-000000000091",
			    "line 6: uuid: not right after" },
			{ 6, "part sda3 3 swap mkswap none - 8388608 - -\n"
			    "uuid sda2 5e3e2e00-91aa-4bbb-8ccc-000000000091", "line 8: uuid" },
			{ 6, "part sda3 3 swap mkswap none - 8388608 - -\n"
			    "uuid sda3 5E3E2E00-91AA-4BBB-8CCC-000000000091", "line 8: uuid: not a lower-case UUID" },
			{ 6, "part sda3 3 swap mkswap none - 8388608 - -\n"
			    "uuid sda3 5e3e2e00-91aa-4bbb-8ccc-00000000009", "line 8: uuid: not a lower-case UUID" },
			{ 6, "part sda3 3 swap mkswap none - 8388608 - -\n"
			    "uuid sda3 5e3e2e00-91aa-4bbb-8ccc-0000000000911", "line 8: uuid: not a lower-case UUID" },
			{ 6, "part sda3 3 swap mkswap none - 8388608 - -\n"
			    "uuid sda3 5e3e2e0091aa-4bbb-8ccc-0000-00000091", "line 8: uuid: not a lower-case UUID" },
			{ 6, "part sda3 3 swap mkswap none - 8388608 - -\n"
			    "uuid sda3 5e3e2e00-91aa-4bbb-8ccc-000000000091\n"
			    "uuid sda3 5e3e2e00-91aa-4bbb-8ccc-000000000091", "line 9: uuid" },
			{ 6, "part sda3 3 swap mkswap none - 8388608 - -\n"
			    "uuid sda3", "line 8: uuid: expected DEV UUID" },
			{ 0, "se3-ipxe-image 1\nuuid sda3 5e3e2e00-91aa-4bbb-8ccc-000000000091",
			    "line 2: record" },
		};

		for (i = 0; i < sizeof(uuids) / sizeof(uuids[0]); i++) {
			build(text, sizeof(text), uuids[i].line, uuids[i].text);
			err.msg[0] = '\0';
			if (uuids[i].where == NULL) {
				is_int(sip_manifest_parse("img1", text, strlen(text),
				    m, &err), SIP_OK, "a swap's uuid: %s", err.msg);
				is_str(m->parts[2].swap_uuid,
				    "5e3e2e00-91aa-4bbb-8ccc-000000000091",
				    "... kept with its part");
				is_str(m->parts[0].swap_uuid, "", "... and no other");
				continue;
			}
			is_int(sip_manifest_parse("img1", text, strlen(text), m,
			    &err), SIP_EINVAL, "uuid vector %zu refused", i);
			ok(strstr(err.msg, uuids[i].where) != NULL, "... %s (want %s)",
			    err.msg, uuids[i].where);
		}
	}
	build(text, sizeof(text), NGPT, NULL);
	/* Without the last newline: still whole. */
	is_int(sip_manifest_parse("img1", text, strlen(text) - 1, m, &err),
	    SIP_OK, "the last newline is not needed");
	err.msg[0] = '\0';
	is_int(sip_manifest_parse("img1", mbr, strlen(mbr), m, &err), SIP_OK,
	    "a good MBR manifest with a logical part parses: %s", err.msg);
	is_int(m->nparts, 2, "... two parts");
	is_str(m->parts[1].fs, "", "... the one of no filesystem has \"\"");
	is_int(m->sector, 4096, "... 4096-byte sectors");
	is_int(sip_manifest_parse("img2", mbr, strlen(mbr), m, &err),
	    SIP_EINVAL, "the same text for another image name: refused");
	ok(strstr(err.msg, "line 4: table stored") != NULL, "... %s", err.msg);
	is_int(sip_manifest_parse("../x", mbr, strlen(mbr), m, &err),
	    SIP_EINVAL, "a bad image name: refused");

	for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		build(text, sizeof(text), wrong[i].line, wrong[i].text);
		err.msg[0] = '\0';
		is_int(sip_manifest_parse("img1", text, strlen(text), m, &err),
		    SIP_EINVAL, "'%s' at line %zu: refused",
		    wrong[i].text != NULL ? wrong[i].text : "(dropped)",
		    wrong[i].line + 1);
		ok(strstr(err.msg, wrong[i].where) != NULL &&
		    strchr(err.msg, '\n') == NULL, "... naming %s: %s",
		    wrong[i].where, err.msg);
	}

	/* Cut anywhere before end: refused. */
	build(text, sizeof(text), NGPT, NULL);
	for (passed = 0, i = 0; i + 4 < strlen(text); i++)
		if (sip_manifest_parse("img1", text, i, m, &err) == SIP_OK)
			passed++;
	is_int(passed, 0, "a manifest cut at any of %zu bytes is refused",
	    strlen(text) - 4);
	is_int(sip_manifest_parse("img1", "", 0, m, &err), SIP_EINVAL,
	    "an empty manifest is refused");
	/* A line after end, a NUL byte, duplicates. */
	snprintf(line, sizeof(line), "%send\n", text);
	is_int(sip_manifest_parse("img1", line, strlen(line), m, &err),
	    SIP_EINVAL, "a second end is refused");
	ok(strstr(err.msg, "line 9: end: a line after end") != NULL, "... %s",
	    err.msg);
	memcpy(line, text, strlen(text) + 1);
	line[5] = '\0';
	is_int(sip_manifest_parse("img1", line, strlen(text), m, &err),
	    SIP_EINVAL, "a NUL byte is refused");
	build(text, sizeof(text), 3, "mac 52:54:00:e2:91:01");
	is_int(sip_manifest_parse("img1", text, strlen(text), m, &err),
	    SIP_EINVAL, "a second mac is refused");

	/* Too long: a line of 1024, and more than 64 KiB; 129 parts. */
	memset(line, 'a', 1024);
	line[1024] = '\0';
	build(text, sizeof(text), 4, line);
	is_int(sip_manifest_parse("img1", text, strlen(text), m, &err),
	    SIP_EINVAL, "a line of 1024 bytes is refused");
	ok(strstr(err.msg, "line 5: line: too long") != NULL, "... %s",
	    err.msg);
	if ((big = malloc(SIP_MANIFEST_MAX + 4096)) == NULL)
		return 1;
	p = big;
	for (i = 0; i < 4; i++)
		p += sprintf(p, "%s\n", gpt[i]);
	for (i = 1; i <= 129; i++)
		p += sprintf(p, "part sda%zu %zu ext4 partclone.ext4 zstd "
		    "img1.sda%zu 1 " SHA_A " " SHA_A "\n", i, i, i);
	p += sprintf(p, "end\n");
	is_int(sip_manifest_parse("img1", big, (size_t)(p - big), m, &err),
	    SIP_EINVAL, "129 parts are refused");
	ok(strstr(err.msg, "line 133: part: more than 128 parts") != NULL,
	    "... %s", err.msg);
	/* 128 parts: the most, and still within 64 KiB. */
	p = big;
	for (i = 0; i < 4; i++)
		p += sprintf(p, "%s\n", gpt[i]);
	for (i = 1; i <= 128; i++)
		p += sprintf(p, "part sda%zu %zu ext4 partclone.ext4 zstd "
		    "img1.sda%zu 1 " SHA_A " " SHA_A "\n", i, i, i);
	p += sprintf(p, "end\n");
	is_int(sip_manifest_parse("img1", big, (size_t)(p - big), m, &err),
	    SIP_OK, "128 parts parse (%zu bytes)", (size_t)(p - big));
	memset(big, '\n', SIP_MANIFEST_MAX + 1);
	is_int(sip_manifest_parse("img1", big, SIP_MANIFEST_MAX + 1, m, &err),
	    SIP_EINVAL, "more than 64 KiB is refused");
	free(big);

	/* Every hostile value, wrapped, in every field of every line: refused, never echoed. */
	for (k = 0; k < NGPT; k++) {
		snprintf(fields, sizeof(fields), "%s", gpt[k]);
		nf = 0;
		for (p = strtok_r(fields, " ", &save); p != NULL && nf < 16;
		    p = strtok_r(NULL, " ", &save))
			field[nf++] = p;
		for (f = 0; f < nf; f++)
			for (i = 0; i < sizeof(hostile_cores) /
			    sizeof(hostile_cores[0]); i++)
				for (j = 0; j < sizeof(hostile_wrappers) /
				    sizeof(hostile_wrappers[0]); j++) {
					size_t o = 0, g;

					for (g = 0; g < nf; g++)
						o += (size_t)snprintf(line + o,
						    sizeof(line) - o, "%s%s%s%s",
						    g > 0 ? " " : "", g == f ?
						    hostile_wrappers[j][0] : "",
						    g == f ? hostile_cores[i] :
						    field[g], g == f ?
						    hostile_wrappers[j][1] : "");
					build(text, sizeof(text), k, line);
					tried++;
					err.msg[0] = '\0';
					if (sip_manifest_parse("img1", text,
					    strlen(text), m, &err) == SIP_OK ||
					    (strlen(hostile_cores[i]) > 1 &&
					    strcmp(hostile_cores[i], "a: b") != 0 &&
					    strstr(err.msg, hostile_cores[i]) !=
					    NULL))
						passed++;
				}
	}
	ok(tried >= 200 * 10, "%zu hostile manifests tried", tried);
	is_int(passed, 0, "no hostile value parses, none is echoed");
	free(m);
	return done_testing();
}
