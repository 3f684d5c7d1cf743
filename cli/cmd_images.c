/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The images verb: the catalogue of whole images (or of their parts) listed, an image deleted, old ones pruned. */

#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "cli.h"

/* The distinct words of the parts' field (tool or compression), comma-separated, or "-". */
static char *
distinct(const struct sip_manifest *m, int tool)
{
	struct sip_buf b;
	const char *w;
	char *out;
	size_t i, j;

	sip_buf_init(&b);
	for (i = 0; i < m->nparts; i++) {
		w = tool ? m->parts[i].tool : m->parts[i].compression;
		for (j = 0; j < i; j++)
			if (strcmp(w, tool ? m->parts[j].tool :
			    m->parts[j].compression) == 0)
				break;
		if (j < i || strcmp(w, "-") == 0)
			continue;
		if (b.len > 0)
			sip_buf_puts(&b, ",");
		sip_buf_puts(&b, w);
	}
	out = safe_dup(b.len > 0 ? b.data : "-", NULL);
	sip_buf_free(&b);
	return out;
}

static char *
part_list(const struct sip_manifest *m)
{
	struct sip_buf b;
	char *out;
	size_t i;

	sip_buf_init(&b);
	for (i = 0; i < m->nparts; i++) {
		if (i > 0)
			sip_buf_puts(&b, ",");
		sip_buf_puts(&b, m->parts[i].dev);
		sip_buf_puts(&b, ":");
		sip_buf_puts(&b, m->parts[i].fs[0] != '\0' ? m->parts[i].fs :
		    "-");
	}
	out = safe_dup(b.len > 0 ? b.data : "-", NULL);
	sip_buf_free(&b);
	return out;
}

static void
whole_json(const struct sip_catalogue_image *c, size_t n)
{
	const struct sip_manifest *m;
	const struct sip_manifest_part *p;
	struct sip_buf b;
	size_t i, j;

	sip_buf_init(&b);
	sip_buf_puts(&b, "[");
	for (i = 0; i < n; i++) {
		m = c[i].m;
		sip_buf_puts(&b, i > 0 ? ",{\"name\":" : "{\"name\":");
		sip_json_str(&b, c[i].row.name);
		sip_json_kstr(&b, "mac", c[i].row.mac);
		if (m != NULL) {
			sip_buf_puts(&b, ",\"disk\":{\"name\":");
			sip_json_str(&b, m->disk);
			sip_json_kint(&b, "bytes", m->disk_bytes);
			sip_json_kint(&b, "sector", m->sector);
			sip_buf_puts(&b, "}");
			sip_json_kstr(&b, "label", m->label);
			sip_json_kint(&b, "need_bytes", m->need_bytes);
			sip_buf_puts(&b, ",\"parts\":[");
			for (j = 0; j < m->nparts; j++) {
				p = &m->parts[j];
				sip_buf_puts(&b, j > 0 ? ",{\"dev\":" :
				    "{\"dev\":");
				sip_json_str(&b, p->dev);
				sip_json_kint(&b, "number", p->number);
				sip_json_kstr(&b, "fs", p->fs);
				sip_json_kstr(&b, "tool", p->tool);
				sip_json_kstr(&b, "compression",
				    p->compression);
				if (p->stored[0] != '\0')
					sip_json_kstr(&b, "stored", p->stored);
				else
					sip_json_knull(&b, "stored");
				sip_json_kint(&b, "bytes", p->bytes);
				sip_buf_puts(&b, "}");
			}
			sip_buf_puts(&b, "]");
		} else {
			sip_json_knull(&b, "disk");
			sip_json_knull(&b, "label");
			sip_json_knull(&b, "need_bytes");
			sip_buf_puts(&b, ",\"parts\":[]");
		}
		sip_json_kint(&b, "size", c[i].size);
		sip_json_kstr(&b, "sha256", c[i].row.sha256);
		sip_json_kint(&b, "created_at", c[i].row.created_at);
		if (c[i].error[0] != '\0')
			sip_json_kstr(&b, "error", c[i].error);
		else
			sip_json_knull(&b, "error");
		sip_buf_puts(&b, "}");
	}
	sip_buf_puts(&b, "]\n");
	buf_print(&b);
	sip_buf_free(&b);
}

static void
whole_table(const char *verb, const struct sip_catalogue_image *c, size_t n)
{
	static const char *const head[] = {
		"NAME", "MACHINE", "DISK", "PARTS", "TOOLS", "COMPRESSION",
		"SIZE", "SHA256", "CREATED", "STATE"
	};
	const size_t cols = nitems(head);
	char **cell = table_new(head, cols, n), tbuf[32];
	const struct sip_manifest *m;
	char *shown;
	size_t i, k;

	for (i = 0; i < n; i++) {
		k = (i + 1) * cols;
		m = c[i].m;
		fmt_time(tbuf, sizeof(tbuf), c[i].row.created_at, 0);
		/* Stored strings are shown, never trusted on a terminal. */
		cell[k] = safe_dup(c[i].row.name, NULL);
		cell[k + 1] = safe_dup(c[i].row.mac, NULL);
		cell[k + 2] = m != NULL ? xasprintf("%s:%" PRId64, m->disk,
		    m->disk_bytes) : xasprintf("-");
		cell[k + 3] = m != NULL ? part_list(m) : xasprintf("-");
		cell[k + 4] = m != NULL ? distinct(m, 1) : xasprintf("-");
		cell[k + 5] = m != NULL ? distinct(m, 0) : xasprintf("-");
		cell[k + 6] = xasprintf("%" PRId64, c[i].size);
		cell[k + 7] = safe_dup(c[i].row.sha256, NULL);
		cell[k + 8] = xasprintf("%s", tbuf);
		cell[k + 9] = xasprintf("%s", c[i].error[0] != '\0' ?
		    "broken" : "whole");
	}
	table_print_plain(cell, n + 1, cols);
	/* Never hidden: each broken image says why. */
	for (i = 0; i < n; i++) {
		if (c[i].error[0] == '\0')
			continue;
		shown = safe_dup(c[i].error, NULL);
		warnx("%s: %s", verb, shown);
		free(shown);
	}
}

static void
images_json(const struct sip_image *v, const int64_t *owner,
    const struct sip_catalogue_image *c, size_t n)
{
	struct sip_buf b;
	size_t i;

	sip_buf_init(&b);
	sip_buf_puts(&b, "[");
	for (i = 0; i < n; i++) {
		sip_buf_puts(&b, i > 0 ? ",{\"name\":" : "{\"name\":");
		sip_json_str(&b, v[i].name);
		sip_json_kstr(&b, "mac", v[i].mac);
		sip_json_kstr(&b, "part", v[i].part);
		sip_json_kstr(&b, "tool", v[i].tool);
		sip_json_kstr(&b, "compression", v[i].compression);
		sip_json_kint(&b, "size", v[i].size);
		sip_json_kstr(&b, "sha256", v[i].sha256);
		sip_json_kint(&b, "created_at", v[i].created_at);
		if (owner[i] >= 0)
			sip_json_kstr(&b, "image", c[owner[i]].row.name);
		else
			sip_json_knull(&b, "image");
		sip_buf_puts(&b, "}");
	}
	sip_buf_puts(&b, "]\n");
	buf_print(&b);
	sip_buf_free(&b);
}

static void
images_table(const struct sip_image *v, const int64_t *owner,
    const struct sip_catalogue_image *c, size_t n)
{
	static const char *const head[] = {
		"NAME", "MACHINE", "PART", "TOOL", "COMPRESSION", "SIZE",
		"SHA256", "CREATED", "IMAGE"
	};
	const size_t cols = nitems(head);
	char **cell = table_new(head, cols, n), tbuf[32];
	size_t i, k;

	for (i = 0; i < n; i++) {
		k = (i + 1) * cols;
		fmt_time(tbuf, sizeof(tbuf), v[i].created_at, 0);
		/* Stored strings are shown, never trusted on a terminal. */
		cell[k] = safe_dup(v[i].name, NULL);
		cell[k + 1] = safe_dup(v[i].mac, NULL);
		cell[k + 2] = safe_dup(v[i].part[0] != '\0' ? v[i].part : "-",
		    NULL);
		cell[k + 3] = safe_dup(v[i].tool[0] != '\0' ? v[i].tool : "-",
		    NULL);
		cell[k + 4] = safe_dup(v[i].compression[0] != '\0' ?
		    v[i].compression : "-", NULL);
		cell[k + 5] = xasprintf("%" PRId64, v[i].size);
		cell[k + 6] = safe_dup(v[i].sha256, NULL);
		cell[k + 7] = xasprintf("%s", tbuf);
		/* A part no manifest names: a save that died, reaped by the tick. */
		cell[k + 8] = owner[i] >= 0 ? safe_dup(c[owner[i]].row.name,
		    NULL) : xasprintf("orphan");
	}
	table_print_plain(cell, n + 1, cols);
}

int
cmd_images(const struct command *c, struct ctx *ctx, int argc, char *argv[])
{
	struct sip_err e = { "" };
	struct sip_store *st = NULL;
	struct sip_image *v = NULL;
	struct sip_catalogue_image *cat = NULL;
	int64_t *owner = NULL;
	size_t ncat = 0;
	const char *keep_s = NULL, *before_s = NULL, *sub = NULL;
	char *shown;
	long long keep = -1;
	time_t before = -1;
	size_t n = 0;
	enum sip_rc rc;
	int rv = 1, json = 0, parts = 0;
	const struct verb_option vo[] = {
		{ "json",	&json,		NULL },
		{ "parts",	&parts,		NULL },
		{ "keep",	NULL,		&keep_s },
		{ "before",	NULL,		&before_s },
	};

	if (verb_options(c, argc, argv, vo, nitems(vo), &rv) == -1)
		return rv;
	argc -= optind;
	argv += optind;
	if (argc > 0)
		sub = argv[0];
	if (sub == NULL) {
		if (keep_s != NULL || before_s != NULL) {
			warnx("%s: --keep and --before are prune's", c->name);
			return verb_usage(c, EXIT_USAGE);
		}
	} else if (strcmp(sub, "delete") == 0) {
		if (argc != 2 || json || parts || keep_s != NULL || before_s != NULL) {
			warnx("%s: delete takes one NAME and nothing else",
			    c->name);
			return verb_usage(c, EXIT_USAGE);
		}
		if (sip_image_name_check(argv[1]) != SIP_OK) {
			shown = safe_dup(argv[1], NULL);
			warnx("%s: '%s': not an image name (letters, digits, "
			    "'.', '_', '-', a letter or digit first, no '..')",
			    c->name, shown);
			free(shown);
			return 1;
		}
	} else if (strcmp(sub, "prune") == 0) {
		if (argc != 1 || json || parts || (keep_s == NULL) == (before_s == NULL)) {
			warnx("%s: prune takes --keep COUNT or --before TIME",
			    c->name);
			return verb_usage(c, EXIT_USAGE);
		}
		if (keep_s != NULL && parse_int(keep_s, 0, 1000000, &keep) ==
		    -1) {
			shown = safe_dup(keep_s, NULL);
			warnx("%s: --keep: '%s': not a number 0 to 1000000",
			    c->name, shown);
			free(shown);
			return 1;
		}
	} else {
		shown = safe_dup(sub, NULL);
		warnx("%s: '%s': not delete or prune", c->name, shown);
		free(shown);
		return verb_usage(c, EXIT_USAGE);
	}
	if (ctx_setup(c, ctx) == -1)
		goto out;
	if (before_s != NULL && sip_time_parse(before_s, ctx->now, &before) !=
	    SIP_OK) {
		shown = safe_dup(before_s, NULL);
		warnx("%s: --before: '%s': not a TIME (YYYY-MM-DD HH:MM, "
		    "@EPOCH, now)", c->name, shown);
		free(shown);
		goto out;
	}
	if (store_open(c->name, ctx, c->flags & CMD_STORE, &st) == -1)
		goto out;
	if (cli_admin(c->name, ctx, st, "images") == -1)
		goto out;
	if (sub == NULL) {
		if ((rc = sip_catalogue(&ctx->cfg, st, &cat, &ncat, &v, &owner,
		    &n, &e)) != SIP_OK) {
			warn_lib(c->name, &e, rc);
			goto out;
		}
		if (parts && json)
			images_json(v, owner, cat, n);
		else if (parts && n > 0)
			images_table(v, owner, cat, n);
		else if (json)
			whole_json(cat, ncat);
		else if (ncat > 0)
			whole_table(c->name, cat, ncat);
	} else if (sub[0] == 'd') {
		if ((rc = sip_image_delete(&ctx->cfg, st, argv[1], &e)) !=
		    SIP_OK) {
			warn_lib(c->name, &e, rc);
			goto out;
		}
		shown = safe_dup(argv[1], NULL);
		printf("deleted %s\n", shown);
		free(shown);
	} else {
		if ((rc = sip_images_prune(&ctx->cfg, st, keep, before, &n,
		    &e)) != SIP_OK) {
			warn_lib(c->name, &e, rc);
			goto out;
		}
		printf("pruned %zu image%s\n", n, n == 1 ? "" : "s");
	}
	rv = 0;
 out:
	sip_catalogue_free(cat, ncat);
	free(owner);
	free(v);
	if (st != NULL)
		sip_store_close(st);
	return rv;
}
