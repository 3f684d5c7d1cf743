/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for SHA-256: the NIST FIPS 180-4 example vectors, the million 'a', and every split of the input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

#define TFILE_TEMPLATE "/tmp/se3ipxe-sha256.XXXXXX"
#include "tfile.h"

static const struct {
	const char	*in;
	const char	*hex;
} vectors[] = {
	{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	/* 55, 56 and 64 bytes: the padding's edges. */
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
};

static void
digest(const void *p, size_t n, char hex[SIP_SHA256_HEX + 1])
{
	struct sip_sha256 s;

	sip_sha256_init(&s);
	sip_sha256_update(&s, p, n);
	sip_sha256_final(&s, hex);
}

int
main(void)
{
	struct sip_err e = { "" };
	struct sip_sha256 s;
	char hex[SIP_SHA256_HEX + 1], path[PATH_MAX], *big;
	const char *in;
	size_t i, cut, n, bad;
	int64_t size;
	FILE *fp;

	if (tfile_setup() == -1)
		return 1;
	printf("# rounds: %s\n", sip_sha256_accelerated() ? "the CPU's SHA "
	    "extensions" : "portable");
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		in = vectors[i].in;
		digest(in, strlen(in), hex);
		is_str(hex, vectors[i].hex, "sha256 of %zu bytes", strlen(in));
		/* The same digest however the input is split in two. */
		n = strlen(in);
		for (bad = 0, cut = 0; cut <= n; cut++) {
			sip_sha256_init(&s);
			sip_sha256_update(&s, in, cut);
			sip_sha256_update(&s, in + cut, n - cut);
			sip_sha256_final(&s, hex);
			bad += strcmp(hex, vectors[i].hex) != 0;
		}
		is_int(bad, 0, "sha256 of %zu bytes: every split point agrees",
		    n);
	}

	/* FIPS 180-4's long message: one million 'a', fed 1000 at a time. */
	if ((big = malloc(1000000)) == NULL)
		return 1;
	memset(big, 'a', 1000000);
	sip_sha256_init(&s);
	for (i = 0; i < 1000; i++)
		sip_sha256_update(&s, big, 1000);
	sip_sha256_final(&s, hex);
	is_str(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	    "sha256 of a million 'a' in 1000-byte pieces");
	digest(big, 1000000, hex);
	is_str(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	    "sha256 of a million 'a' at once");

	/* A file: the digest and its size; a missing one is ENOTFOUND. */
	snprintf(path, sizeof(path), "%s", path_in("million"));
	if ((fp = fopen(path, "w")) == NULL ||
	    fwrite(big, 1, 1000000, fp) != 1000000 || fclose(fp) != 0)
		return 1;
	is_int(sip_sha256_file(path, hex, &size, &e), SIP_OK, "sha256 of a file");
	is_str(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	    "... its digest");
	is_int(size, 1000000, "... its size");
	free(big);
	big = slurp(path);
	ok(big != NULL && strspn(big, "a") == 1000000, "... as written");
	snprintf(path, sizeof(path), "%s", path_in("none"));
	is_int(sip_sha256_file(path, hex, &size, &e), SIP_ENOTFOUND,
	    "sha256 of a missing file: ENOTFOUND");
	ok(strstr(e.msg, "/none: ") != NULL, "... naming it: %s", e.msg);
	free(big);
	tap_rmtree(tmpdir);
	return done_testing();
}
