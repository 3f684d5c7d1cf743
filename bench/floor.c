/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The floor for bench/run: the cheapest CGI Apache can run, answering a fixed iPXE script. */
#include <stdio.h>

int
main(void)
{
	if (fputs("Content-Type: text/plain\r\n\r\n#!ipxe\nexit 1\n", stdout) == EOF)
		return 1;
	if (fflush(stdout) != 0 || ferror(stdout))
		return 1;
	return 0;
}
