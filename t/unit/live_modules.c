/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The live-system modules (sysrescue, clonezilla, gparted, hdt): every capability x option value against golden renders, and hostile values through every option. */
#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"
#include "hostile.h"

#include <errno.h>

/*
 * The golden files: SUITE/MODULE-CAPABILITY.txt holds the script
 * and every file rendered with the base values in full, then, for each
 * option value other than the base one, the lines that differ from the
 * base (values never hold a newline, so line N is line N).
 * SIP_GOLDEN_UPDATE=1 rewrites them; review the diff before committing.
 */

/* Beyond hostile.h: what a pxelinux configuration or a live system's command line would read. */
static const char *const tool_cores[] = {
	"fr\nLABEL x", "\nDEFAULT x", "fr COM32 x", "fr_FR.UTF-8 init=/bin/sh",
	"{{token}}", "fr,us", "fr_FR.utf8",
};

/* Each suite: its modules, where their goldens are, the hostile cores its options take beyond hostile.h's. */
static const struct suite {
	const char		*golden_dir;
	const char		*modules[2];
	const char *const	*cores;
	size_t			 ncores;
	size_t			 ncaps;
	const char		*caps;
} suites[] = {
	{ "t/golden/rescue", { "sysrescue", "clonezilla" }, NULL, 0, 6,
	  "sysrescue rescue, backup, restore, report; clonezilla save, restore" },
	{ "t/golden/tools", { "gparted", "hdt" }, tool_cores,
	  sizeof(tool_cores) / sizeof(tool_cores[0]), 2, "gparted run, hdt run" },
};

/* The builtin keys as ipxe.cgi fills them for a machine's BIOS boot. */
static const struct sip_kv builtins[] = {
	{ UNCONST("mac"), UNCONST("52:54:00:12:34:56") },
	{ UNCONST("platform"), UNCONST("pcbios") },
	{ UNCONST("buildarch"), UNCONST("x86_64") },
	{ UNCONST("cgi_url"), UNCONST("http://se3.lan/cgi-bin/ipxe.cgi") },
	{ UNCONST("boot_url"), UNCONST("http://se3.lan/se3-ipxe") },
	{ UNCONST("module_url"), NULL },	/* boot_url/MODULE */
	{ UNCONST("report_url"), UNCONST("http://se3.lan/cgi-bin/ipxe.cgi/report") },
	{ UNCONST("file_url"), UNCONST("http://se3.lan/cgi-bin/ipxe.cgi/file") },
	{ UNCONST("token"), UNCONST("0123456789abcdef0123456789abcdef") },
	{ UNCONST("action"), NULL },		/* MODULE:CAPABILITY */
	{ UNCONST("action_id"), UNCONST("42") },
	{ UNCONST("boots"), UNCONST("1") },
	{ UNCONST("max_boots"), UNCONST("3") },
	{ UNCONST("local_pcbios"), UNCONST("sanboot") },
	{ UNCONST("local_efi"), UNCONST("exit") },
};
#define NBUILTINS	(sizeof(builtins) / sizeof(builtins[0]))

/*
 * The values a name option is tried with (the first is the base when the
 * option has no default): each form its description promises.
 */
static const struct {
	const char	*option;
	const char	*values[4];
} samples[] = {
	{ "source", { "auto", "sda1", "nvme0n1p2", "//se3.lan/images/salle-12" } },
	{ "dest", { "auto", "sda5", "//se3.lan/images/salle-12", NULL } },
	{ "image", { "win10_2026", "auto", "image_sda1_20261207", NULL } },
	{ "delete_older", { "no", "all", "6", "120" } },
	{ "disk", { "auto", "sda", "nvme0n1", NULL } },
	{ "parts", { "all", "sda1", "sda1,sda2,sda5", NULL } },
	{ "repo", { "//se3.lan/partimag/salle-12", "sdb1", NULL, NULL } },
	{ "share_user", { "adminse3", "sauvegarde", "prof_1@se3.lan", NULL } },
	{ "locale", { "fr_FR.UTF-8", "en_US.UTF-8", "de_CH.UTF-8", "ast_ES.UTF-8" } },
};

/* Beyond hostile.h's wrappers: the forms these options take, so that a value passes their patterns' start. */
static const char *const rescue_wrappers[][2] = {
	{ "sda1", "" }, { "auto", "" }, { "//se3/images/", "" },
};
#define NWRAPPERS	(sizeof(hostile_wrappers) / sizeof(hostile_wrappers[0]))
#define NALLWRAPPERS	(NWRAPPERS + sizeof(rescue_wrappers) / sizeof(rescue_wrappers[0]))
#define NHOSTILE	(sizeof(hostile_cores) / sizeof(hostile_cores[0]))
#define NCORES		(NHOSTILE + sizeof(hostile_pattern_only) / sizeof(hostile_pattern_only[0]))

/* The secrets file of these tests: a secret option's value is the NAME of one. */
static const struct sip_kv fake_secrets[] = {
	{ UNCONST("smb_password"), UNCONST("S3cr3t p@ss w\xc3\xb6rd $1") },
};

static int
option_is(const struct sip_option *o, const char *name)
{
	return strcmp(o->name, name) == 0;
}

static const char *const *
sample_values(const struct sip_option *o)
{
	size_t i;

	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		if (option_is(o, samples[i].option))
			return samples[i].values;
	return NULL;
}

/* Every value an option is tried with, into vals (NULL-terminated); 0 if it has none listed. */
static size_t
option_values(const struct sip_option *o, const char *vals[16], char ints[3][24])
{
	const char *const *s;
	char why[256];
	size_t n = 0, i;

	switch (o->type) {
	case SIP_OPT_ENUM:
		for (i = 0; o->values[i] != NULL && n < 15; i++)
			vals[n++] = o->values[i];
		break;
	case SIP_OPT_BOOLEAN:
		vals[n++] = "yes";
		vals[n++] = "no";
		break;
	case SIP_OPT_SECRET:
		/* Empty (optional: none), or the name of a secret. */
		if (o->def != NULL && o->def[0] == '\0')
			vals[n++] = o->def;
		vals[n++] = fake_secrets[0].key;
		break;
	case SIP_OPT_INTEGER:
		snprintf(ints[0], 24, "%lld", (long long)o->min);
		snprintf(ints[1], 24, "%lld", (long long)o->max);
		vals[n++] = ints[0];
		vals[n++] = ints[1];
		if (o->def != NULL)
			vals[n++] = o->def;
		break;
	case SIP_OPT_NAME:
		/* The samples are shared: each option keeps those it takes. */
		if ((s = sample_values(o)) != NULL)
			for (i = 0; i < 4 && s[i] != NULL; i++)
				if (sip_option_check(o, s[i], why, sizeof(why)) == SIP_OK)
					vals[n++] = s[i];
		break;
	default:
		break;
	}
	vals[n] = NULL;
	return n;
}

/* The base value: the default, else the first sample. */
static const char *
base_value(const struct sip_option *o)
{
	const char *const *s;

	if (o->def != NULL)
		return o->def;
	return (s = sample_values(o)) != NULL ? s[0] : NULL;
}

/*
 * Render the capability's script and files with its options set to base,
 * but option `which` set to value (which < 0: none changed), into pages[]:
 * [0] the script, [1..] the files.  SIP_OK, or the first error.
 */
static enum sip_rc
render_all(const struct sip_module *m, const struct sip_capability *c,
    long which, const char *value, struct sip_buf pages[1 + SIP_FILES_MAX],
    struct sip_err *err)
{
	struct sip_kv kv[NBUILTINS + 64], skv[8];
	char module_url[128], action[160];
	const char *v;
	size_t n = 0, nsec = 0, i, j;
	enum sip_rc rc;

	snprintf(module_url, sizeof(module_url), "http://se3.lan/se3-ipxe/%s", m->name);
	snprintf(action, sizeof(action), "%s:%s", m->name, c->name);
	for (i = 0; i < NBUILTINS; i++) {
		kv[n] = builtins[i];
		if (strcmp(kv[n].key, "module_url") == 0)
			kv[n].value = module_url;
		else if (strcmp(kv[n].key, "action") == 0)
			kv[n].value = action;
		n++;
	}
	for (i = 0; i < c->noptions && n < sizeof(kv) / sizeof(kv[0]); i++) {
		kv[n].key = UNCONST(c->options[i].name);
		kv[n].value = UNCONST((long)i == which ? value :
		    base_value(&c->options[i]));
		n++;
	}
	for (i = 0; i <= c->nfiles; i++)
		sip_buf_init(&pages[i]);
	if ((rc = sip_template_render(c->tmpl, kv, n, &pages[0], err)) != SIP_OK)
		return rc;
	/* A file declared secret gets the secrets' values, as ipxe.cgi reads them when it serves it. */
	for (i = 0; i < c->noptions && nsec < sizeof(skv) / sizeof(skv[0]); i++) {
		if (c->options[i].type != SIP_OPT_SECRET)
			continue;
		v = (long)i == which ? value : base_value(&c->options[i]);
		skv[nsec].key = UNCONST(c->options[i].name);
		skv[nsec].value = v != NULL && v[0] == '\0' ? UNCONST("") : NULL;
		for (j = 0; v != NULL && j < sizeof(fake_secrets) / sizeof(fake_secrets[0]); j++)
			if (strcmp(v, fake_secrets[j].key) == 0)
				skv[nsec].value = fake_secrets[j].value;
		nsec++;
	}
	for (i = 0; i < c->nfiles; i++)
		if ((rc = c->file_secret[i] ?
		    sip_template_render_secret(c->file_tmpls[i], kv, n, skv, nsec,
		    &pages[1 + i], err) :
		    sip_template_render(c->file_tmpls[i], kv, n, &pages[1 + i],
		    err)) != SIP_OK)
			return rc;
	return SIP_OK;
}

static void
pages_free(struct sip_buf *pages, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sip_buf_free(&pages[i]);
}

/* Line n (from 1) of text, its length in *len; NULL past the end. */
static const char *
line_at(const char *text, size_t tlen, size_t n, size_t *len)
{
	const char *p = text, *end = text + tlen, *nl;

	while (p < end && --n > 0)
		p = (nl = memchr(p, '\n', (size_t)(end - p))) != NULL ? nl + 1 : end;
	if (p >= end)
		return NULL;
	nl = memchr(p, '\n', (size_t)(end - p));
	*len = (size_t)((nl != NULL ? nl : end) - p);
	return p;
}

/* The lines of got that differ from base, as "NAME:LINE: text". */
static void
diff_lines(struct sip_buf *out, const char *name, const struct sip_buf *base,
    const struct sip_buf *got)
{
	const char *b, *g;
	size_t n, bl, gl;

	for (n = 1; (g = line_at(got->data, got->len, n, &gl)) != NULL; n++) {
		b = line_at(base->data, base->len, n, &bl);
		if (b == NULL || bl != gl || memcmp(b, g, gl) != 0)
			sip_buf_printf(out, "%s:%zu: %.*s\n", name, n, (int)gl, g);
	}
	if (line_at(base->data, base->len, n, &bl) != NULL)
		sip_buf_printf(out, "%s: fewer lines than the base\n", name);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f;
	char *s = NULL;
	long n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (s = malloc((size_t)n + 1)) != NULL) {
		*len = fread(s, 1, (size_t)n, f);
		s[*len] = '\0';
	}
	fclose(f);
	return s;
}

/* The golden text of one capability; counts the renders into *nrenders. */
static int
golden(const struct sip_module *m, const struct sip_capability *c,
    struct sip_buf *out, size_t *nrenders)
{
	struct sip_buf base[1 + SIP_FILES_MAX], got[1 + SIP_FILES_MAX];
	struct sip_err err;
	const char *vals[16], *bv;
	char ints[3][24], head[160];
	size_t i, j, k;
	int good = 1;

	if (render_all(m, c, -1, NULL, base, &err) != SIP_OK) {
		ok(0, "%s:%s: base render: %s", m->name, c->name, err.msg);
		pages_free(base, 1 + c->nfiles);
		return 0;
	}
	(*nrenders)++;
	sip_buf_printf(out, "=== %s:%s with the base values:", m->name, c->name);
	for (i = 0; i < c->noptions; i++)
		sip_buf_printf(out, " %s=%s", c->options[i].name, base_value(&c->options[i]));
	sip_buf_puts(out, "\n");
	for (i = 0; i <= c->nfiles; i++) {
		sip_buf_printf(out, "--- %s\n", i == 0 ? c->template_file : c->files[i - 1]);
		sip_buf_append(out, base[i].data, base[i].len);
	}
	for (i = 0; i < c->noptions; i++) {
		const struct sip_option *o = &c->options[i];

		if (option_values(o, vals, ints) == 0) {
			ok(0, "%s:%s: option %s has no sample value", m->name, c->name, o->name);
			good = 0;
			continue;
		}
		bv = base_value(o);
		for (j = 0; vals[j] != NULL; j++) {
			if (strcmp(vals[j], bv) == 0)
				continue;
			snprintf(head, sizeof(head), "=== %s=%s\n", o->name, vals[j]);
			sip_buf_puts(out, head);
			if (render_all(m, c, (long)i, vals[j], got, &err) != SIP_OK) {
				ok(0, "%s:%s %s=%s renders: %s", m->name, c->name, o->name,
				    vals[j], err.msg);
				good = 0;
			} else {
				(*nrenders)++;
				for (k = 0; k <= c->nfiles; k++)
					diff_lines(out, k == 0 ? c->template_file :
					    c->files[k - 1], &base[k], &got[k]);
			}
			pages_free(got, 1 + c->nfiles);
		}
	}
	pages_free(base, 1 + c->nfiles);
	return good;
}

static void
check_golden(const struct suite *su, const struct sip_module *m,
    const struct sip_capability *c)
{
	struct sip_buf out;
	char path[256];
	char *want;
	size_t wlen = 0, nrenders = 0, line;
	const char *p, *q;
	FILE *f;

	sip_buf_init(&out);
	if (!golden(m, c, &out, &nrenders))
		goto out;
	snprintf(path, sizeof(path), "%s/%s-%s.txt", su->golden_dir, m->name,
	    c->name);
	if (getenv("SIP_GOLDEN_UPDATE") != NULL) {
		f = fopen(path, "wb");
		ok(f != NULL && fwrite(out.data, 1, out.len, f) == out.len &&
		    fclose(f) == 0, "%s written (%zu renders)", path, nrenders);
		goto out;
	}
	if ((want = slurp(path, &wlen)) == NULL) {
		ok(0, "%s: %s (SIP_GOLDEN_UPDATE=1 writes it)", path, strerror(errno));
		goto out;
	}
	if (wlen == out.len && memcmp(want, out.data, wlen) == 0)
		ok(1, "%s:%s: %zu renders (script and %zu files) match %s",
		    m->name, c->name, nrenders, c->nfiles, path);
	else {
		for (p = want, q = out.data, line = 1; *p != '\0' && *p == *q; p++, q++)
			line += *p == '\n';
		ok(0, "%s:%s: differs from %s at line %zu", m->name, c->name, path, line);
	}
	free(want);
 out:
	sip_buf_free(&out);
}

/*
 * A hostile value through each option is refused by set-action's check,
 * and, forced past it, renders neither the script nor any file.
 */
static void
check_hostile(const struct suite *su, const struct sip_module *m,
    const struct sip_capability *c, size_t *ntried)
{
	struct sip_buf pages[1 + SIP_FILES_MAX];
	struct sip_kv *res;
	struct sip_err err;
	char value[256], assign[320];
	char *assigns[1];
	size_t i, j, k, nres, refused = 0, tried = 0, forced = 0, leaked = 0;

	for (i = 0; i < c->noptions; i++) {
		for (j = 0; j < NCORES + su->ncores; j++) {
			for (k = 0; k < NALLWRAPPERS; k++) {
				const char *const *w = k < NWRAPPERS ? hostile_wrappers[k] :
				    rescue_wrappers[k - NWRAPPERS];

				const char *core = j < NHOSTILE ? hostile_cores[j] :
				    j < NCORES ? hostile_pattern_only[j - NHOSTILE] :
				    su->cores[j - NCORES];

				snprintf(value, sizeof(value), "%s%s%s", w[0], core, w[1]);
				tried++;
				snprintf(assign, sizeof(assign), "%s=%s", c->options[i].name, value);
				assigns[0] = assign;
				res = NULL;
				nres = 0;
				if (sip_options_resolve(c, assigns, 1, &res, &nres, &err) != SIP_OK)
					refused++;
				else {
					ok(0, "%s:%s: hostile %s accepted", m->name, c->name, assign);
					sip_kv_free(res, nres);
				}
				/*
				 * What the type lets through (../x, %00) only the
				 * pattern stops; anything else is stopped twice.
				 */
				if (sip_value_check(sip_opt_value_type(c->options[i].type),
				    value) == SIP_OK)
					continue;
				forced++;
				/*
				 * A page rendered before the failure does not hold
				 * the key: its own check would have refused it.
				 */
				if (render_all(m, c, (long)i, value, pages, &err) == SIP_OK)
					leaked++;
				pages_free(pages, 1 + c->nfiles);
			}
		}
	}
	*ntried += tried;
	ok(refused == tried && leaked == 0, "%s:%s: %zu hostile values through %zu "
	    "options: %zu refused by set-action; %zu forced past it, %zu rendered",
	    m->name, c->name, tried / (c->noptions ? c->noptions : 1), c->noptions,
	    refused, forced, leaked);
}

int
main(void)
{
	const struct suite *su;
	struct sip_module *m;
	struct sip_err err;
	size_t i, j, ncaps, ntried = 0;

	sip_template_fragments_set("templates");	/* the shipped fragments */
	for (su = suites; su < suites + sizeof(suites) / sizeof(suites[0]); su++) {
		ncaps = 0;
		for (i = 0; i < sizeof(su->modules) / sizeof(su->modules[0]); i++) {
			if (!is_int(sip_module_find("modules", su->modules[i], &m,
			    &err), SIP_OK, "%s: loads", su->modules[i])) {
				printf("# %s\n", err.msg);
				continue;
			}
			for (j = 0; j < m->ncaps; j++) {
				check_golden(su, m, &m->caps[j]);
				check_hostile(su, m, &m->caps[j], &ntried);
				ncaps++;
			}
			sip_module_free(m);
		}
		is_int(ncaps, su->ncaps, "%zu capabilities: %s", su->ncaps, su->caps);
	}
	printf("# %zu hostile option values tried\n", ntried);
	return done_testing();
}
