/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Table vectors for the image store's name whitelist and images.cgi's query, with every hostile value refused. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "se3ipxe.h"
#include "tap.h"
#include "hostile.h"

static const char *const good_names[] = {
	"a", "0", "image_20261207", "pc-101.sda1.pc.zst", "A.B_C-d",
	"sda", "x.table", "image_20261207.sda2.ntfsclone.lzop", "x.",
	/* 127 characters: the longest. */
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
};

static const char *const bad_names[] = {
	"", ".", "..", "...", "a..b", "a/b", "/etc/passwd", "../x", "x/..",
	".hidden", "-rf", "_x", "a b", " a", "a ", "a\tb", "a\nb", "a\\b",
	"a:b", "a%2fb", "a%2e%2e", "$x", "~root", "a*", "a?", "\xc3\xa9",
	"image..",
	/* 128 characters: one too many. */
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
};

#define TOKEN	"0123456789abcdef0123456789abcdef0123456789abcdef"
#define SHA	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static const struct {
	const char	*qs;
	enum sip_rc	 rc;
	int64_t		 size;
	const char	*part, *tool, *compression;
} queries[] = {
	{ "", SIP_OK, -1, "", "", "" },
	{ "token=" TOKEN, SIP_OK, -1, "", "", "" },
	{ "token=" TOKEN "&size=0", SIP_OK, 0, "", "", "" },
	{ "size=123456789012&part=sda1&tool=partclone.ext4&compression=zstd",
	    SIP_OK, INT64_C(123456789012), "sda1", "partclone.ext4", "zstd" },
	{ "&&part=sda&&", SIP_OK, -1, "sda", "", "" },
	{ "part=sd%61", SIP_OK, -1, "sda", "", "" },
	{ "sha256=" SHA, SIP_OK, -1, "", "", "" },
	{ "colour=red", SIP_EINVAL, -1, "", "", "" },
	{ "token", SIP_EINVAL, -1, "", "", "" },
	{ "token=xyz", SIP_EINVAL, -1, "", "", "" },
	{ "size=-1", SIP_EINVAL, -1, "", "", "" },
	{ "size=1e3", SIP_EINVAL, -1, "", "", "" },
	{ "size=99999999999999999999", SIP_EINVAL, -1, "", "", "" },
	{ "size=", SIP_EINVAL, -1, "", "", "" },
	{ "sha256=abc", SIP_EINVAL, -1, "", "", "" },
	{ "sha256=" SHA "0", SIP_EINVAL, -1, "", "", "" },
	{ "part=a%2Fb", SIP_EINVAL, -1, "", "", "" },
	{ "part=..", SIP_EINVAL, -1, "", "", "" },
	{ "part=a%00b", SIP_EINVAL, -1, "", "", "" },
	{ "part=%", SIP_EINVAL, -1, "", "", "" },
	{ "part=%4", SIP_EINVAL, -1, "", "", "" },
	{ "part=%zz", SIP_EINVAL, -1, "", "", "" },
	{ "tool=a+b", SIP_EINVAL, -1, "", "", "" },
	{ "compression=rar", SIP_EINVAL, -1, "", "", "" },
	{ "compression=", SIP_EINVAL, -1, "", "", "" },
	/* A hostile key is never echoed: the message is logged. */
	{ "a%0Ab=%zz", SIP_EINVAL, -1, "", "", "" },
	{ "%1B%5B2J=%zz", SIP_EINVAL, -1, "", "", "" },
	{ "%C3%A9=1", SIP_EINVAL, -1, "", "", "" },
};

/* What images.cgi logs is printable ASCII: no terminal escape, no line. */
static int
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < ' ' || *s > '~')
			return 0;
	return 1;
}

int
main(void)
{
	struct sip_image_query q;
	struct sip_err err;
	char value[256];
	size_t i, j, nhostile = 0, passed = 0;

	for (i = 0; i < sizeof(good_names) / sizeof(good_names[0]); i++)
		is_int(sip_image_name_check(good_names[i]), SIP_OK,
		    "name '%s' is taken", good_names[i]);
	for (i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++)
		is_int(sip_image_name_check(bad_names[i]), SIP_EINVAL,
		    "name '%s' is refused", bad_names[i]);
	/* Every hostile value, wrapped as the renderer tests wrap them. */
	for (i = 0; i < sizeof(hostile_cores) / sizeof(hostile_cores[0]); i++)
		for (j = 0; j < sizeof(hostile_wrappers) /
		    sizeof(hostile_wrappers[0]); j++) {
			snprintf(value, sizeof(value), "%s%s%s",
			    hostile_wrappers[j][0], hostile_cores[i],
			    hostile_wrappers[j][1]);
			nhostile++;
			if (sip_image_name_check(value) == SIP_OK)
				passed++;
		}
	ok(nhostile >= 200, "%zu hostile values tried", nhostile);
	is_int(passed, 0, "no hostile value is an image name");

	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		err.msg[0] = '\0';
		is_int(sip_image_query_parse(queries[i].qs, &q, &err),
		    queries[i].rc, "query '%s'", queries[i].qs);
		if (queries[i].rc != SIP_OK) {
			ok(err.msg[0] != '\0' && printable(err.msg),
			    "... one printable line: %s", err.msg);
			continue;
		}
		is_int(q.size, queries[i].size, "... size");
		is_str(q.part, queries[i].part, "... part");
		is_str(q.tool, queries[i].tool, "... tool");
		is_str(q.compression, queries[i].compression, "... compression");
	}
	sip_image_query_parse("sha256=" "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", &q, &err);
	is_str(q.sha256, SHA, "an upper-case sha256 is kept lower-case");
	sip_image_query_parse("token=" TOKEN, &q, &err);
	is_str(q.token, TOKEN, "the token is kept");
	is_int(sip_image_token_set(&q, "nope"), SIP_EINVAL, "a header that is no token");
	is_int(sip_image_token_set(&q, TOKEN), SIP_OK, "a header token");
	return done_testing();
}
