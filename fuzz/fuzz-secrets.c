/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the secrets file reader; what loads is well named, printable and one line, and no error quotes a value. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_secrets *sec = NULL;
	struct sip_err err;
	char *text, name[16];
	const char *v;
	size_t i;
	enum sip_rc rc;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	err.msg[0] = '\0';
	rc = sip_secrets_parse("fuzz", text, size, &sec, &err);
	if (rc == SIP_OK) {
		if (sec == NULL || sip_secrets_count(sec) > SIP_SECRETS_MAX)
			abort();
		/* Names are short: look each plausible one up. */
		for (i = 0; i < 26; i++) {
			snprintf(name, sizeof(name), "%c", (int)('a' + i));
			if ((v = sip_secrets_get(sec, name)) != NULL &&
			    (!sip_secret_value_ok(v, strlen(v)) ||
			    strchr(v, '\n') != NULL || v[0] == ' ' ||
			    v[strlen(v) - 1] == ' '))
				abort();
		}
		sip_secrets_free(sec);
	} else {
		/* Every error says what, on one line, and returns nothing. */
		if (sec != NULL || err.msg[0] == '\0' ||
		    strchr(err.msg, '\n') != NULL)
			abort();
		/* A message quotes a name, at most: never an '=' and after. */
		if (strstr(err.msg, "secret '") != NULL &&
		    strchr(err.msg, '=') != NULL)
			abort();
	}
	free(text);
	return 0;
}
