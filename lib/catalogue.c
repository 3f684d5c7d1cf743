/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The catalogue of whole images: a manifest row and the parts it names, removed, pruned and checked as one. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "se3ipxe.h"
#include "extern.h"
#include "store.h"

#define PATH_MAX_CAT	4096

int
sip_image_is_manifest(const struct sip_image *img)
{
	return strcmp(img->part, "manifest") == 0;
}

void
sip_images_owners(const struct sip_image *v, size_t n, int64_t *owner)
{
	size_t i, j, len, best;

	for (i = 0; i < n; i++) {
		owner[i] = -1;
		if (sip_image_is_manifest(&v[i])) {
			owner[i] = (int64_t)i;
			continue;
		}
		/* The longest manifest name that is a prefix: a.b's parts are not a's. */
		best = 0;
		for (j = 0; j < n; j++) {
			if (!sip_image_is_manifest(&v[j]))
				continue;
			len = strlen(v[j].name);
			if (len > best && strncmp(v[i].name, v[j].name, len) ==
			    0 && v[i].name[len] == '.') {
				best = len;
				owner[i] = (int64_t)j;
			}
		}
	}
}

/* Read the file of name from the store: at most SIP_MANIFEST_MAX bytes, as its row says. */
static enum sip_rc
manifest_read(const struct sip_config *cfg, const struct sip_image *row,
    struct sip_manifest **out, struct sip_err *err)
{
	char path[PATH_MAX_CAT], sha[SIP_SHA256_HEX + 1], *text = NULL;
	struct sip_sha256 ctx;
	struct sip_manifest *m = NULL;
	struct sip_err e = { "" };
	size_t got = 0;
	enum sip_rc ret;
	int fd;

	*out = NULL;
	if (row->size > SIP_MANIFEST_MAX)
		return sip_errf(err, SIP_EINVAL, "manifest of %s: %" PRId64
		    " bytes, larger than %d", row->name, row->size,
		    SIP_MANIFEST_MAX);
	snprintf(path, sizeof(path), "%s/%s", cfg->images_dir, row->name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return sip_errf(err, SIP_EIO, "manifest of %s: %s", row->name,
		    strerror(errno));
	ret = sip_fd_read(fd, path, (size_t)row->size, &text, &got, &e);
	close(fd);
	if (ret != SIP_OK || got != (size_t)row->size) {
		ret = sip_errf(err, SIP_EIO, "manifest of %s: not the %" PRId64
		    " bytes the catalogue says%s%s", row->name, row->size,
		    ret != SIP_OK ? ": " : "", e.msg);
		goto out;
	}
	if ((m = malloc(sizeof(*m))) == NULL) {
		ret = sip_errf(err, SIP_ENOMEM, "out of memory");
		goto out;
	}
	sip_sha256_init(&ctx);
	sip_sha256_update(&ctx, text, got);
	sip_sha256_final(&ctx, sha);
	if (strcmp(sha, row->sha256) != 0) {
		ret = sip_errf(err, SIP_EIO, "manifest of %s: its sha256 is not"
		    " the catalogue's", row->name);
		goto out;
	}
	if ((ret = sip_manifest_parse(row->name, text, got, m, err)) != SIP_OK)
		goto out;
	if (strcmp(m->mac, row->mac) != 0) {
		ret = sip_errf(err, SIP_EINVAL, "manifest of %s: mac %s is not "
		    "the saving machine's %s", row->name, m->mac, row->mac);
		goto out;
	}
	*out = m;
	m = NULL;
 out:
	free(m);
	free(text);
	return ret;
}

/*
 * The first part manifest m names (its table first) that is not among
 * the n stored rows (with owner, only among those owned by image k), or
 * NULL when the image is whole.
 */
static const char *
part_missing(const struct sip_image *v, const int64_t *owner, size_t n,
    size_t k, const struct sip_manifest *m)
{
	size_t i, j;

	for (j = 0; j <= m->nparts; j++) {
		const char *want = j == 0 ? m->table : m->parts[j - 1].stored;

		if (want[0] == '\0')
			continue;
		for (i = 0; i < n; i++)
			if ((owner == NULL || owner[i] == (int64_t)k) &&
			    strcmp(v[i].name, want) == 0)
				break;
		if (i == n)
			return want;
	}
	return NULL;
}

enum sip_rc
sip_catalogue(const struct sip_config *cfg, struct sip_store *st,
    struct sip_catalogue_image **out, size_t *nout, struct sip_image **parts,
    int64_t **owners, size_t *nparts, struct sip_err *err)
{
	struct sip_catalogue_image *c = NULL;
	struct sip_image *v = NULL;
	struct sip_err e;
	int64_t *owner = NULL, *index = NULL;
	const char *missing;
	size_t n = 0, nc = 0, i;
	enum sip_rc ret;

	*out = NULL;
	*nout = 0;
	*parts = NULL;
	*owners = NULL;
	*nparts = 0;
	if ((ret = sip_images_list(st, &v, &n, err)) != SIP_OK)
		return ret;
	if (n > 0 && ((owner = calloc(n, sizeof(*owner))) == NULL ||
	    (index = calloc(n, sizeof(*index))) == NULL ||
	    (c = calloc(n, sizeof(*c))) == NULL)) {
		ret = sip_errf(err, SIP_ENOMEM, "out of memory");
		goto fail;
	}
	sip_images_owners(v, n, owner);
	for (i = 0; i < n; i++) {
		index[i] = -1;
		if (!sip_image_is_manifest(&v[i]))
			continue;
		index[i] = (int64_t)nc;
		c[nc].row = v[i];
		e.msg[0] = '\0';
		/* Listed with its error, never hidden. */
		if (manifest_read(cfg, &v[i], &c[nc].m, &e) != SIP_OK)
			snprintf(c[nc].error, sizeof(c[nc].error), "%s", e.msg);
		nc++;
	}
	/* Owners as indexes of the catalogue, sizes summed. */
	for (i = 0; i < n; i++) {
		if (owner[i] >= 0)
			owner[i] = index[owner[i]];
		if (owner[i] >= 0)
			c[owner[i]].size += v[i].size;
	}
	for (i = 0; i < nc; i++)
		if (c[i].m != NULL && (missing = part_missing(v, owner, n, i,
		    c[i].m)) != NULL)
			snprintf(c[i].error, sizeof(c[i].error), "part %s is "
			    "not in the store", missing);
	free(index);
	*out = c;
	*nout = nc;
	*parts = v;
	*owners = owner;
	*nparts = n;
	return SIP_OK;
 fail:
	free(c);
	free(index);
	free(owner);
	free(v);
	return ret;
}

void
sip_catalogue_free(struct sip_catalogue_image *c, size_t n)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < n; i++)
		free(c[i].m);
	free(c);
}

enum sip_rc
sip_catalogue_manifest(const struct sip_config *cfg, struct sip_store *st,
    const char *name, struct sip_manifest **m, struct sip_err *err)
{
	struct sip_image *v = NULL;
	const char *missing;
	size_t n = 0, i;
	enum sip_rc ret;

	*m = NULL;
	if ((ret = sip_images_list(st, &v, &n, err)) != SIP_OK)
		return ret;
	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0 &&
		    sip_image_is_manifest(&v[i]))
			break;
	if (i == n)
		ret = sip_errf(err, SIP_ENOTFOUND, "no image '%s' in the "
		    "catalogue", name);
	else if (manifest_read(cfg, &v[i], m, err) != SIP_OK)
		ret = SIP_EINVAL;
	else if ((missing = part_missing(v, NULL, n, 0, *m)) != NULL) {
		ret = sip_errf(err, SIP_EINVAL, "part %s is not in the store",
		    missing);
		free(*m);
		*m = NULL;
	}
	free(v);
	return ret;
}

/*
 * In the transaction the caller began: delete the rows marked in drop,
 * commit, then unlink their files (a row goes before its file: nothing
 * is listed without it).  Rolls back on failure.
 */
static enum sip_rc
drop_rows(const struct sip_config *cfg, struct sip_store *st,
    const struct sip_image *v, size_t n, const char *drop,
    struct sip_err *err)
{
	char path[PATH_MAX_CAT];
	sqlite3_stmt *s = NULL;
	enum sip_rc ret = SIP_OK;
	size_t i;
	int rc;

	if ((rc = sqlite3_prepare_v2(st->db, "DELETE FROM images WHERE id = ?1",
	    -1, &s, NULL)) != SQLITE_OK) {
		ret = db_err(st, rc, err, "delete images");
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if (!drop[i])
			continue;
		sqlite3_reset(s);
		if ((rc = sqlite3_bind_int64(s, 1, v[i].id)) != SQLITE_OK ||
		    (rc = sqlite3_step(s)) != SQLITE_DONE) {
			ret = db_err(st, rc, err, "delete image %s", v[i].name);
			goto fail;
		}
	}
	sqlite3_finalize(s);
	s = NULL;
	if ((ret = tx_commit(st, err)) != SIP_OK)
		return ret;
	for (i = 0; i < n; i++) {
		if (!drop[i])
			continue;
		snprintf(path, sizeof(path), "%s/%s", cfg->images_dir,
		    v[i].name);
		if (unlink(path) == -1 && errno != ENOENT && ret == SIP_OK)
			ret = sip_errf(err, SIP_EIO, "%s: %s (no longer "
			    "listed)", path, strerror(errno));
	}
	return ret;
 fail:
	sqlite3_finalize(s);
	tx_rollback(st);
	return ret;
}

/*
 * The start of a change to the store's parts, in one write transaction:
 * the rows (*v, *n), the image owning each (*owner) and an empty drop
 * mask (*drop).  *n == 0: nothing there, the transaction is over.  On
 * failure the transaction is rolled back and nothing is left allocated.
 */
static enum sip_rc
parts_begin(struct sip_store *st, struct sip_image **v, size_t *n,
    int64_t **owner, char **drop, struct sip_err *err)
{
	enum sip_rc ret;

	*v = NULL;
	*n = 0;
	*owner = NULL;
	*drop = NULL;
	if ((ret = tx_begin(st, "BEGIN IMMEDIATE", err)) != SIP_OK)
		return ret;
	if ((ret = sip_images_list(st, v, n, err)) != SIP_OK)
		goto fail;
	if (*n == 0) {
		tx_rollback(st);
		return SIP_OK;
	}
	if ((*owner = calloc(*n, sizeof(**owner))) == NULL ||
	    (*drop = calloc(*n, 1)) == NULL) {
		ret = nomem(st, err);
		goto fail;
	}
	sip_images_owners(*v, *n, *owner);
	return SIP_OK;
 fail:
	tx_rollback(st);
	free(*drop);
	free(*owner);
	free(*v);
	*v = NULL;
	*n = 0;
	*owner = NULL;
	*drop = NULL;
	return ret;
}

/*
 * Remove whole images: those whose manifest row want(v, n, i, arg)
 * takes, each with every part it owns, in one transaction; the owners
 * are computed inside it, so a part is never left without its image.
 * *removed counts the images.
 */
typedef int (*want_fn)(const struct sip_image *v, size_t n, size_t i,
    const void *arg);

static enum sip_rc
remove_whole(const struct sip_config *cfg, struct sip_store *st,
    want_fn want, const void *arg, size_t *removed, struct sip_err *err)
{
	struct sip_image *v = NULL;
	int64_t *owner = NULL;
	char *drop = NULL, *whole = NULL;
	size_t n = 0, i;
	enum sip_rc ret;

	*removed = 0;
	if ((ret = parts_begin(st, &v, &n, &owner, &drop, err)) != SIP_OK ||
	    n == 0)
		return ret;
	if ((whole = calloc(n, 1)) == NULL) {
		ret = nomem(st, err);
		goto fail;
	}
	for (i = 0; i < n; i++)
		if (sip_image_is_manifest(&v[i]) && want(v, n, i, arg)) {
			whole[i] = 1;
			(*removed)++;
		}
	for (i = 0; i < n; i++)
		drop[i] = owner[i] >= 0 && whole[owner[i]];
	if (*removed == 0) {
		tx_rollback(st);
		goto out;
	}
	ret = drop_rows(cfg, st, v, n, drop, err);
	goto out;
 fail:
	tx_rollback(st);
 out:
	free(whole);
	free(drop);
	free(owner);
	free(v);
	return ret;
}

static int
want_name(const struct sip_image *v, size_t n, size_t i, const void *arg)
{
	(void)n;
	return strcmp(v[i].name, (const char *)arg) == 0;
}

enum sip_rc
sip_image_delete_whole(const struct sip_config *cfg, struct sip_store *st,
    const char *name, size_t *removed, struct sip_err *err)
{
	return remove_whole(cfg, st, want_name, name, removed, err);
}

struct prune {
	int64_t	 keep;		/* -1: keep all */
	int64_t	 before;	/* -1: no bound */
	int64_t	 spare_id;	/* a manifest never removed (the new one), or -1 */
	const char *mac;	/* only this machine's, or NULL */
};

/* Rows are oldest first: an image goes when keep newer ones of its machine exist. */
static int
want_prune(const struct sip_image *v, size_t n, size_t i, const void *arg)
{
	const struct prune *p = arg;
	size_t j, newer = 0;

	if (v[i].id == p->spare_id ||
	    (p->mac != NULL && strcmp(v[i].mac, p->mac) != 0))
		return 0;
	if (p->before >= 0 && v[i].created_at < p->before)
		return 1;
	if (p->keep < 0)
		return 0;
	for (j = i + 1; j < n; j++)
		if (sip_image_is_manifest(&v[j]) && v[j].id != p->spare_id &&
		    strcmp(v[j].mac, v[i].mac) == 0)
			newer++;
	return newer >= (size_t)p->keep;
}

enum sip_rc
sip_images_prune(const struct sip_config *cfg, struct sip_store *st,
    int64_t keep, int64_t before, size_t *removed, struct sip_err *err)
{
	struct prune p = { keep, before, -1, NULL };

	return remove_whole(cfg, st, want_prune, &p, removed, err);
}

enum sip_rc
sip_images_keep_after(const struct sip_config *cfg, struct sip_store *st,
    const struct sip_action *act, const struct sip_image *manifest,
    size_t *removed, struct sip_err *err)
{
	struct prune p = { -1, -1, manifest->id, manifest->mac };
	const char *keep = NULL;
	size_t i;
	int64_t v;
	char *end;

	*removed = 0;
	if (!sip_image_is_manifest(manifest))
		return SIP_OK;
	for (i = 0; i < act->noptions; i++)
		if (strcmp(act->options[i].key, "keep") == 0)
			keep = act->options[i].value;
	if (keep == NULL || keep[0] == '\0' || strcmp(keep, "all") == 0)
		return SIP_OK;
	errno = 0;
	v = strtoll(keep, &end, 10);
	if (*end != '\0' || errno != 0 || v < 0 || v > 100)
		return sip_errf(err, SIP_EINVAL, "action %" PRId64 ": keep: "
		    "not a number 0 to 100", act->id);
	p.keep = v;
	return remove_whole(cfg, st, want_prune, &p, removed, err);
}

enum sip_rc
sip_images_reap_orphans(const struct sip_config *cfg, struct sip_store *st,
    time_t now, size_t *reaped, struct sip_err *err)
{
	struct sip_image *v = NULL;
	int64_t *owner = NULL, stale = 2 * (int64_t)cfg->images_timeout;
	sqlite3_stmt *s = NULL;
	char *drop = NULL;
	size_t n = 0, i;
	enum sip_rc ret;
	int rc, writing;

	*reaped = 0;
	if (cfg->images_dir == NULL || cfg->images_dir[0] == '\0')
		return SIP_OK;
	if ((ret = parts_begin(st, &v, &n, &owner, &drop, err)) != SIP_OK ||
	    n == 0)
		return ret;
	if ((rc = sqlite3_prepare_v2(st->db, "SELECT name FROM actions WHERE "
	    "mac = ?1 AND " ACTIVE_WHERE, -1, &s, NULL)) != SQLITE_OK) {
		ret = db_err(st, rc, err, "reap orphan parts");
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if (owner[i] >= 0 || (int64_t)now - v[i].created_at < stale)
			continue;
		/* A save of its machine still running may yet commit it. */
		sqlite3_reset(s);
		if ((rc = bind_text(s, 1, v[i].mac)) != SQLITE_OK) {
			ret = db_err(st, rc, err, "reap orphan parts");
			goto fail;
		}
		writing = 0;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW)
			if (sip_image_upload_action(col_text(s, 0)))
				writing = 1;
		if (rc != SQLITE_DONE) {
			ret = db_err(st, rc, err, "reap orphan parts");
			goto fail;
		}
		if (!writing) {
			drop[i] = 1;
			(*reaped)++;
		}
	}
	sqlite3_finalize(s);
	s = NULL;
	if (*reaped == 0) {
		tx_rollback(st);
		goto out;
	}
	ret = drop_rows(cfg, st, v, n, drop, err);
	goto out;
 fail:
	sqlite3_finalize(s);
	tx_rollback(st);
	*reaped = 0;
 out:
	free(drop);
	free(owner);
	free(v);
	return ret;
}

/*
 * The bytes of disk in an inventory's "size: DEV BYTES..." line (disk "":
 * the first): -1 without such a line, -2 if the line lacks that disk.
 */
static int64_t
inventory_size(const char *text, const char *disk, char *found, size_t sz)
{
	const char *p = text, *line;
	char dev[SIP_MANIFEST_DEV_MAX];
	long long bytes;
	int used;

	while (p != NULL && *p != '\0') {
		line = p;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
		if (strncmp(line, "size:", 5) != 0)
			continue;
		line += 5;
		while (sscanf(line, " %31[a-z0-9] %lld%n", dev, &bytes,
		    &used) == 2) {
			if (bytes < 0)
				return -1;
			if (disk[0] == '\0' || strcmp(dev, disk) == 0) {
				snprintf(found, sz, "%s", dev);
				return (int64_t)bytes;
			}
			line += used;
			if (*line == '\n' || *line == '\0')
				break;
		}
		return disk[0] != '\0' ? -2 : -1;
	}
	return -1;
}

/*
 * Whether o's image is not the catalogue's: its exists_unless option is
 * given a value other than its default (an SMB share, which the worker
 * checks).
 */
static int
image_elsewhere(const struct sip_capability *cap, const struct sip_option *o,
    const struct sip_kv *opts, size_t nopts)
{
	const char *def = NULL;
	size_t i;

	if (o->exists_unless[0] == '\0')
		return 0;
	for (i = 0; i < cap->noptions; i++)
		if (strcmp(cap->options[i].name, o->exists_unless) == 0)
			def = cap->options[i].def;
	for (i = 0; i < nopts; i++)
		if (strcmp(opts[i].key, o->exists_unless) == 0)
			return opts[i].value[0] != '\0' && (def == NULL ||
			    strcmp(opts[i].value, def) != 0);
	return 0;
}

enum sip_rc
sip_options_exists_check(const struct sip_config *cfg, struct sip_store *st,
    const struct sip_capability *cap, const struct sip_kv *opts,
    size_t nopts, const char *const *macs, size_t n, size_t *unchecked,
    struct sip_err *err)
{
	struct sip_manifest *m = NULL, *fit = NULL;
	struct sip_inventory *inv = NULL;
	const char *value, *image = NULL, *disk = "";
	char dev[SIP_MANIFEST_DEV_MAX];
	struct sip_err e;
	enum sip_rc ret = SIP_OK;
	int64_t have;
	size_t i, j;

	*unchecked = 0;
	for (i = 0; i < cap->noptions; i++) {
		if (!cap->options[i].exists_image ||
		    image_elsewhere(cap, &cap->options[i], opts, nopts))
			continue;
		for (value = NULL, j = 0; j < nopts; j++)
			if (strcmp(opts[j].key, cap->options[i].name) == 0)
				value = opts[j].value;
		if (value == NULL || value[0] == '\0')
			continue;
		e.msg[0] = '\0';
		if (sip_image_name_check(value) != SIP_OK ||
		    (ret = sip_catalogue_manifest(cfg, st, value, &m, &e)) ==
		    SIP_ENOTFOUND) {
			ret = sip_errf(err, SIP_EINVAL, "option %s: no image "
			    "'%s' in the catalogue", cap->options[i].name,
			    value);
			goto out;
		}
		if (ret != SIP_OK) {
			ret = sip_errf(err, SIP_EINVAL, "option %s: image '%s' "
			    "is not whole: %s", cap->options[i].name, value,
			    e.msg);
			goto out;
		}
		if (strcmp(cap->options[i].name, "image") == 0) {
			image = value;
			free(fit);
			fit = m;
		} else
			free(m);
		m = NULL;
	}
	if (fit == NULL)
		goto out;
	for (j = 0; j < nopts; j++)
		if (strcmp(opts[j].key, "disk") == 0 && strcmp(opts[j].value,
		    "auto") != 0)
			disk = opts[j].value;
	if ((ret = sip_store_inventories(st, macs, n, &inv, err)) != SIP_OK)
		goto out;
	for (i = 0; i < n; i++) {
		dev[0] = '\0';
		have = inv[i].text != NULL ? inventory_size(inv[i].text, disk,
		    dev, sizeof(dev)) : -1;
		if (have == -2) {
			ret = sip_errf(err, SIP_EINVAL, "option disk: %s has no "
			    "disk %s in its inventory", macs[i], disk);
			goto out;
		}
		if (have < 0) {
			/* The worker checks again before it writes. */
			(*unchecked)++;
			continue;
		}
		if (fit->need_bytes > have) {
			ret = sip_errf(err, SIP_EINVAL, "image %s needs %" PRId64
			    " bytes, disk %s of %s has %" PRId64, image,
			    fit->need_bytes, dev, macs[i], have);
			goto out;
		}
	}
 out:
	sip_inventories_free(inv, n);
	free(fit);
	free(m);
	return ret;
}
