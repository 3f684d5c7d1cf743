/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Replays a fuzz target's corpus as a TAP test, so that make check runs every input found so far. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#ifndef CORPUS
#error "build with -DCORPUS='\"fuzz/corpus/NAME\"'"
#endif

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int
main(void)
{
	struct dirent **names;
	char path[4096];
	uint8_t *data;
	size_t len;
	FILE *f;
	int i, n, tests = 0;

	if ((n = scandir(CORPUS, &names, NULL, by_name)) == -1) {
		printf("not ok 1 - %s is readable\n1..1\n", CORPUS);
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] == '.') {
			free(names[i]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", CORPUS, names[i]->d_name);
		if ((f = fopen(path, "rb")) == NULL || (data = malloc(1 << 20)) == NULL) {
			printf("not ok %d - read %s\n", ++tests, path);
			if (f != NULL)
				fclose(f);
			free(names[i]);
			continue;
		}
		len = fread(data, 1, 1 << 20, f);
		fclose(f);
		/* A crash or a sanitizer report ends the run: prove sees it fail. */
		LLVMFuzzerTestOneInput(data, len);
		free(data);
		printf("ok %d - %s\n", ++tests, names[i]->d_name);
		free(names[i]);
	}
	free(names);
	printf("1..%d\n", tests);
	return 0;
}
