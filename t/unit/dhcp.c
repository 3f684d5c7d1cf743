/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for the DHCP snippet: each format with and without --legacy against golden text, and every bad value refused. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

/* The query of the boot answer, as ipxe.cgi(8) shows it. */
#define QUERY	"?mac=${mac}&platform=${platform}&buildarch=${buildarch}" \
		"&uuid=${uuid}&serial=${serial:uristring}" \
		"&manufacturer=${manufacturer:uristring}" \
		"&product=${product:uristring}&ip=${ip}"
#define CGI	"http://10.0.2.2/cgi-bin/ipxe.cgi"
#define TFTP	"10.0.2.2"

#define ISC_HEAD(legacy) \
	"# se3-ipxe dhcp-config --format isc" legacy ": chainload iPXE, " \
	"then ipxe.cgi.\n" \
	"# Paste this into /etc/dhcp/dhcpd.conf at the top level, before " \
	"the subnet\n" \
	"# and host declarations, in place of the next-server and filename\n" \
	"# statements there; or save it as a file that dhcpd.conf includes\n" \
	"# (se3-dhcp: the dhcp_extra_option parameter).  Then check it with\n" \
	"# dhcpd -t -cf /etc/dhcp/dhcpd.conf\n" \
	"option arch code 93 = unsigned integer 16;\n"
#define ISC_NEXT	"next-server " TFTP ";\n"
#define ISC_NO_NEXT \
	"# No next-server: [dhcp] tftp_server is empty, the one of " \
	"dhcpd.conf applies.\n"
#define ISC_BODY \
	"if exists user-class and option user-class = \"iPXE\" {\n" \
	"\t# iPXE: boot what ipxe.cgi answers.  The URL is longer than the\n" \
	"\t# 128-byte file field: it goes in option 67, which iPXE " \
	"requests.\n" \
	"\toption bootfile-name \"" CGI QUERY "\";\n" \
	"} elsif option arch = 00:07 or option arch = 00:09 {\n" \
	"\t# UEFI x86-64 firmware: load iPXE by TFTP.\n" \
	"\tfilename \"ipxe.efi\";\n" \
	"} else {\n"
#define ISC_BIOS \
	"\t# BIOS firmware (architecture 0): load iPXE by TFTP.\n" \
	"\tfilename \"undionly.kpxe\";\n" \
	"}\n"
#define ISC_LEGACY \
	"\t# BIOS firmware: the boot file of se3-clonage, as before " \
	"(--legacy).\n" \
	"\tfilename \"pxelinux.0\";\n" \
	"}\n"

#define DM_HEAD(legacy) \
	"# se3-ipxe dhcp-config --format dnsmasq" legacy ": chainload iPXE, " \
	"then ipxe.cgi.\n" \
	"# Save this as /etc/dnsmasq.d/se3-ipxe.conf, or paste it into " \
	"dnsmasq.conf,\n" \
	"# and remove the other dhcp-boot lines.  Then check it with\n" \
	"# dnsmasq --test\n" \
	"# iPXE sends option 175 and the user class \"iPXE\".\n" \
	"dhcp-match=set:se3-ipxe,175\n" \
	"dhcp-userclass=set:se3-ipxe,iPXE\n" \
	"# UEFI x86-64 firmware: client architecture (option 93) 7 or 9.\n" \
	"dhcp-match=set:se3-efi64,option:client-arch,7\n" \
	"dhcp-match=set:se3-efi64,option:client-arch,9\n"
#define DM_NO_TFTP \
	"# No TFTP server address: [dhcp] tftp_server is empty, dnsmasq " \
	"gives its own.\n"
#define DM_IPXE(tftp) \
	"# iPXE: boot what ipxe.cgi answers (sent as option 67, which iPXE " \
	"requests).\n" \
	"dhcp-boot=tag:se3-ipxe," CGI QUERY "\n" \
	"# UEFI x86-64 firmware: load iPXE by TFTP.\n" \
	"dhcp-boot=tag:!se3-ipxe,tag:se3-efi64,ipxe.efi" tftp "\n"
#define DM_BIOS(tftp) \
	"# BIOS firmware (architecture 0): load iPXE by TFTP.\n" \
	"dhcp-boot=tag:!se3-ipxe,tag:!se3-efi64,undionly.kpxe" tftp "\n"
#define DM_LEGACY(tftp) \
	"# BIOS firmware: the boot file of se3-clonage, as before " \
	"(--legacy).\n" \
	"dhcp-boot=tag:!se3-ipxe,tag:!se3-efi64,pxelinux.0" tftp "\n"

/* Each format, with and without --legacy, with and without a TFTP server. */
static const struct golden {
	const char		*name;
	enum sip_dhcp_format	 fmt;
	int			 legacy;
	const char		*tftp;
	const char		*want;
} goldens[] = {
	{ "isc", SIP_DHCP_ISC, 0, TFTP,
	  ISC_HEAD("") ISC_NEXT ISC_BODY ISC_BIOS },
	{ "isc --legacy", SIP_DHCP_ISC, 1, TFTP,
	  ISC_HEAD(" --legacy") ISC_NEXT ISC_BODY ISC_LEGACY },
	{ "isc, no tftp_server", SIP_DHCP_ISC, 0, "",
	  ISC_HEAD("") ISC_NO_NEXT ISC_BODY ISC_BIOS },
	{ "isc --legacy, no tftp_server", SIP_DHCP_ISC, 1, "",
	  ISC_HEAD(" --legacy") ISC_NO_NEXT ISC_BODY ISC_LEGACY },
	{ "dnsmasq", SIP_DHCP_DNSMASQ, 0, TFTP,
	  DM_HEAD("") DM_IPXE(",," TFTP) DM_BIOS(",," TFTP) },
	{ "dnsmasq --legacy", SIP_DHCP_DNSMASQ, 1, TFTP,
	  DM_HEAD(" --legacy") DM_IPXE(",," TFTP) DM_LEGACY(",," TFTP) },
	{ "dnsmasq, no tftp_server", SIP_DHCP_DNSMASQ, 0, "",
	  DM_HEAD("") DM_NO_TFTP DM_IPXE("") DM_BIOS("") },
	{ "dnsmasq --legacy, no tftp_server", SIP_DHCP_DNSMASQ, 1, "",
	  DM_HEAD(" --legacy") DM_NO_TFTP DM_IPXE("") DM_LEGACY("") },
};

enum field { F_CGI, F_TFTP, F_BIOS, F_EFI, F_LEGACY, F_NONE };

#define A32	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define LONG128	A32 A32 A32 A32
/* cgi_url of 83 bytes: the URL with its query is then 255 bytes. */
#define CGI83	"http://se3.lan/cgi-bin/ipxe.cgi/" \
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

/* One value changed in a good configuration, and what comes of it. */
static const struct vec {
	enum field		 f;
	const char		*value;	/* NULL: a NULL field */
	enum sip_dhcp_format	 fmt;
	int			 legacy;
	enum sip_rc		 rc;
	const char		*msg;	/* in the message, or in out */
} vecs[] = {
	/* [server] cgi_url */
	{ F_CGI, "", SIP_DHCP_ISC, 0, SIP_ECONFIG,
	  "[server] cgi_url is empty: set it to the absolute http:// URL of "
	  "ipxe.cgi (a DHCP server cannot derive it from a request)" },
	{ F_CGI, "", SIP_DHCP_DNSMASQ, 1, SIP_ECONFIG,
	  "[server] cgi_url is empty: set it" },
	{ F_CGI, NULL, SIP_DHCP_ISC, 0, SIP_ECONFIG,
	  "[server] cgi_url is empty" },
	{ F_CGI, "https://se3/cgi-bin/ipxe.cgi", SIP_DHCP_ISC, 0, SIP_ECONFIG,
	  "[server] cgi_url: 'https://se3/cgi-bin/ipxe.cgi' is not a valid "
	  "http:// URL" },
	{ F_CGI, "/cgi-bin/ipxe.cgi", SIP_DHCP_ISC, 0, SIP_ECONFIG,
	  "is not a valid http:// URL" },
	{ F_CGI, "http://se3/a b", SIP_DHCP_ISC, 0, SIP_ECONFIG,
	  "is not a valid http:// URL" },
	{ F_CGI, "http://se3/a\"; filename \"evil", SIP_DHCP_ISC, 0,
	  SIP_ECONFIG, "is not a valid http:// URL" },
	{ F_CGI, "http://se3/a\nnext-server 6.6.6.6", SIP_DHCP_ISC, 0,
	  SIP_ECONFIG, "is not a valid http:// URL" },
	{ F_CGI, "http://se3/a?x=1", SIP_DHCP_ISC, 0, SIP_ECONFIG,
	  "is not a valid http:// URL" },
	{ F_CGI, "http://se3/a#b", SIP_DHCP_DNSMASQ, 0, SIP_ECONFIG,
	  "is not a valid http:// URL" },
	{ F_CGI, "http://se3/a,b", SIP_DHCP_DNSMASQ, 0, SIP_ECONFIG,
	  "[server] cgi_url: 'http://se3/a,b' has a comma, which a dnsmasq "
	  "dhcp-boot line cannot hold" },
	{ F_CGI, "http://se3/a,b", SIP_DHCP_ISC, 0, SIP_OK,
	  "\toption bootfile-name \"http://se3/a,b" QUERY "\";\n" },
	{ F_CGI, CGI83, SIP_DHCP_DNSMASQ, 0, SIP_OK,
	  "dhcp-boot=tag:se3-ipxe," CGI83 QUERY "\n" },
	{ F_CGI, CGI83 "a", SIP_DHCP_ISC, 0, SIP_ECONFIG,
	  "[server] cgi_url: the iPXE boot URL would be 256 bytes, more than "
	  "the 255 of a DHCP option: use a cgi_url of at most 83 bytes" },
	{ F_CGI, "http://se3.lan:909/cgi-bin/ipxe.cgi", SIP_DHCP_ISC, 0,
	  SIP_OK, "\toption bootfile-name \"http://se3.lan:909/cgi-bin/"
	  "ipxe.cgi" QUERY "\";\n" },
	/* [dhcp] tftp_server */
	{ F_TFTP, "172.20.0.2", SIP_DHCP_ISC, 0, SIP_OK,
	  "\nnext-server 172.20.0.2;\n" },
	{ F_TFTP, "172.20.0.2", SIP_DHCP_DNSMASQ, 0, SIP_OK,
	  ",undionly.kpxe,,172.20.0.2\n" },
	{ F_TFTP, "se3.lan", SIP_DHCP_ISC, 0, SIP_ECONFIG,
	  "[dhcp] tftp_server: 'se3.lan' is not an IPv4 address" },
	{ F_TFTP, "10.0.0.256", SIP_DHCP_ISC, 0, SIP_ECONFIG,
	  "'10.0.0.256' is not an IPv4 address" },
	{ F_TFTP, "10.0.0.1;", SIP_DHCP_ISC, 0, SIP_ECONFIG,
	  "is not an IPv4 address" },
	{ F_TFTP, "10.0.0.1,6.6.6.6", SIP_DHCP_DNSMASQ, 0, SIP_ECONFIG,
	  "is not an IPv4 address" },
	{ F_TFTP, " 10.0.0.1", SIP_DHCP_ISC, 0, SIP_ECONFIG,
	  "is not an IPv4 address" },
	{ F_TFTP, "10.0.0.1\n", SIP_DHCP_ISC, 0, SIP_ECONFIG,
	  "is not an IPv4 address" },
	{ F_TFTP, "010.0.0.1", SIP_DHCP_ISC, 0, SIP_ECONFIG,
	  "is not an IPv4 address" },
	{ F_TFTP, NULL, SIP_DHCP_ISC, 0, SIP_ECONFIG,
	  "[dhcp] tftp_server: not set" },
	/* [dhcp] bios_file, efi_file, legacy_file */
	{ F_BIOS, "boot/undionly.kpxe", SIP_DHCP_ISC, 0, SIP_OK,
	  "\tfilename \"boot/undionly.kpxe\";\n}\n" },
	{ F_EFI, "bin-x86_64-efi/ipxe.efi", SIP_DHCP_DNSMASQ, 0, SIP_OK,
	  "tag:se3-efi64,bin-x86_64-efi/ipxe.efi,,10.0.2.2\n" },
	{ F_LEGACY, "pxelinux/lpxelinux.0", SIP_DHCP_ISC, 1, SIP_OK,
	  "\tfilename \"pxelinux/lpxelinux.0\";\n}\n" },
	{ F_BIOS, "../etc/shadow", SIP_DHCP_ISC, 0, SIP_ECONFIG,
	  "[dhcp] bios_file: '../etc/shadow' is not a boot file name (1 to "
	  "127 of A-Z a-z 0-9 . _ / -, no '..', no leading or trailing '/')" },
	{ F_BIOS, "/tftpboot/undionly.kpxe", SIP_DHCP_ISC, 0, SIP_ECONFIG,
	  "[dhcp] bios_file: '/tftpboot/undionly.kpxe' is not a boot file" },
	{ F_BIOS, "boot/", SIP_DHCP_ISC, 0, SIP_ECONFIG,
	  "is not a boot file name" },
	{ F_BIOS, "a..b", SIP_DHCP_ISC, 0, SIP_ECONFIG,
	  "is not a boot file name" },
	{ F_BIOS, "", SIP_DHCP_ISC, 0, SIP_ECONFIG,
	  "[dhcp] bios_file: '' is not a boot file name" },
	{ F_BIOS, "undionly.kpxe\"; next-server \"6.6.6.6", SIP_DHCP_ISC, 0,
	  SIP_ECONFIG, "is not a boot file name" },
	{ F_BIOS, "undionly.kpxe\nnext-server 6.6.6.6;", SIP_DHCP_ISC, 0,
	  SIP_ECONFIG, "is not a boot file name" },
	{ F_BIOS, "a,b", SIP_DHCP_DNSMASQ, 0, SIP_ECONFIG,
	  "is not a boot file name" },
	{ F_BIOS, "a b", SIP_DHCP_ISC, 0, SIP_ECONFIG,
	  "is not a boot file name" },
	{ F_BIOS, LONG128, SIP_DHCP_ISC, 0, SIP_ECONFIG,
	  "[dhcp] bios_file: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaa...' is not a boot file name" },
	{ F_BIOS, NULL, SIP_DHCP_ISC, 0, SIP_ECONFIG,
	  "[dhcp] bios_file: not set" },
	{ F_EFI, "C:\\ipxe.efi", SIP_DHCP_DNSMASQ, 0, SIP_ECONFIG,
	  "[dhcp] efi_file: 'C:\\ipxe.efi' is not a boot file name" },
	{ F_EFI, "x/../../y", SIP_DHCP_ISC, 1, SIP_ECONFIG,
	  "[dhcp] efi_file: 'x/../../y' is not a boot file name" },
	{ F_LEGACY, "../pxelinux.0", SIP_DHCP_DNSMASQ, 1, SIP_ECONFIG,
	  "[dhcp] legacy_file: '../pxelinux.0' is not a boot file name" },
	/* Only what is written is checked. */
	{ F_LEGACY, "../pxelinux.0", SIP_DHCP_ISC, 0, SIP_OK,
	  "\tfilename \"undionly.kpxe\";\n}\n" },
	{ F_BIOS, "../undionly.kpxe", SIP_DHCP_DNSMASQ, 1, SIP_OK,
	  ",pxelinux.0,,10.0.2.2\n" },
	/* The format */
	{ F_NONE, NULL, (enum sip_dhcp_format)SIP_DHCP__MAX, 0, SIP_EINVAL,
	  "unknown DHCP server format 2: not isc or dnsmasq" },
	{ F_NONE, NULL, (enum sip_dhcp_format)-1, 0, SIP_EINVAL,
	  "unknown DHCP server format -1" },
};

static const struct {
	const char	*s;
	enum sip_rc	 rc;
} files[] = {
	{ "undionly.kpxe", SIP_OK },
	{ "ipxe.efi", SIP_OK },
	{ "pxelinux.0", SIP_OK },
	{ "bin-x86_64-efi/ipxe.efi", SIP_OK },
	{ "a", SIP_OK },
	{ ".hidden", SIP_OK },
	{ "A-Z_a.z-09", SIP_OK },
	{ LONG128 + 1, SIP_OK },
	{ LONG128, SIP_EINVAL },
	{ NULL, SIP_EINVAL },
	{ "", SIP_EINVAL },
	{ "/undionly.kpxe", SIP_EINVAL },
	{ "boot/", SIP_EINVAL },
	{ "/", SIP_EINVAL },
	{ "..", SIP_EINVAL },
	{ "../x", SIP_EINVAL },
	{ "a/../b", SIP_EINVAL },
	{ "a..b", SIP_EINVAL },
	{ "a b", SIP_EINVAL },
	{ "a\tb", SIP_EINVAL },
	{ "a\nb", SIP_EINVAL },
	{ "a\"b", SIP_EINVAL },
	{ "a\\b", SIP_EINVAL },
	{ "a;b", SIP_EINVAL },
	{ "a,b", SIP_EINVAL },
	{ "a:b", SIP_EINVAL },
	{ "a#b", SIP_EINVAL },
	{ "a${x}", SIP_EINVAL },
	{ "\xc3\xa9t\xc3\xa9", SIP_EINVAL },
};

static char	 tmpdir[] = "/tmp/sip-dhcp-XXXXXX";

static char	*xstrdup(const char *);
static void	 good_config(struct sip_config *);
static void	 set_field(struct sip_config *, enum field, const char *);
static const char *write_file(const char *);
static void	 test_goldens(void);
static void	 test_vecs(void);
static void	 test_files(void);
static void	 test_formats(void);
static void	 test_append(void);
static void	 test_config_file(void);

static char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	return p;
}

/* The defaults, with cgi_url and tftp_server set. */
static void
good_config(struct sip_config *c)
{
	if (sip_config_defaults(c) != SIP_OK) {
		printf("Bail out! sip_config_defaults\n");
		exit(1);
	}
	set_field(c, F_CGI, CGI);
	set_field(c, F_TFTP, TFTP);
}

static void
set_field(struct sip_config *c, enum field f, const char *v)
{
	char **p;

	switch (f) {
	case F_CGI:
		p = &c->cgi_url;
		break;
	case F_TFTP:
		p = &c->dhcp_tftp_server;
		break;
	case F_BIOS:
		p = &c->dhcp_bios_file;
		break;
	case F_EFI:
		p = &c->dhcp_efi_file;
		break;
	case F_LEGACY:
		p = &c->dhcp_legacy_file;
		break;
	default:
		return;
	}
	free(*p);
	*p = v != NULL ? xstrdup(v) : NULL;
}

static const char *
write_file(const char *text)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/se3-ipxe.conf", tmpdir);
	if ((f = fopen(path, "w")) == NULL) {
		printf("Bail out! %s: %s\n", path, strerror(errno));
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	return path;
}

static void
test_goldens(void)
{
	struct sip_config c;
	struct sip_err err;
	struct sip_buf out;
	size_t i;

	for (i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		good_config(&c);
		set_field(&c, F_TFTP, goldens[i].tftp);
		sip_buf_init(&out);
		strcpy(err.msg, "stale");
		is_int(sip_dhcp_config(&c, goldens[i].fmt, goldens[i].legacy,
		    &out, &err), SIP_OK, "%s: SIP_OK", goldens[i].name);
		is_str(err.msg, "", "%s: no message", goldens[i].name);
		is_str(out.data, goldens[i].want, "%s: the golden text",
		    goldens[i].name);
		sip_buf_free(&out);
		sip_config_free(&c);
	}
}

static void
test_vecs(void)
{
	struct sip_config c;
	struct sip_err err;
	struct sip_buf out;
	const struct vec *v;
	size_t i;

	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		v = &vecs[i];
		good_config(&c);
		set_field(&c, v->f, v->value);
		sip_buf_init(&out);
		sip_buf_puts(&out, "before\n");
		memset(&err, 0, sizeof(err));
		is_int(sip_dhcp_config(&c, v->fmt, v->legacy, &out, &err),
		    v->rc, "vec %zu (%s): rc", i, v->value != NULL ?
		    v->value : "NULL");
		if (v->rc == SIP_OK) {
			ok(strncmp(out.data, "before\n# se3-ipxe", 17) == 0 &&
			    strstr(out.data, v->msg) != NULL,
			    "vec %zu: appended, with '%s'", i, v->msg);
			is_str(err.msg, "", "vec %zu: no message", i);
		} else {
			ok(strstr(err.msg, v->msg) != NULL,
			    "vec %zu: message '%s' has '%s'", i, err.msg,
			    v->msg);
			ok(strchr(err.msg, '\n') == NULL &&
			    strchr(err.msg, '\r') == NULL,
			    "vec %zu: the message is one line", i);
			is_str(out.data, "before\n", "vec %zu: out unchanged",
			    i);
		}
		sip_buf_free(&out);
		sip_config_free(&c);
	}

	/* err may be NULL. */
	good_config(&c);
	set_field(&c, F_CGI, "");
	sip_buf_init(&out);
	is_int(sip_dhcp_config(&c, SIP_DHCP_ISC, 0, &out, NULL), SIP_ECONFIG,
	    "err may be NULL");
	ok(out.len == 0, "... and out stays empty");
	sip_buf_free(&out);
	sip_config_free(&c);
}

static void
test_files(void)
{
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		is_int(sip_dhcp_file_check(files[i].s), files[i].rc,
		    "file name '%.20s%s'", files[i].s != NULL ? files[i].s :
		    "NULL", files[i].s != NULL && strlen(files[i].s) > 20 ?
		    "..." : "");
}

static void
test_formats(void)
{
	enum sip_dhcp_format f = SIP_DHCP__MAX;

	is_int(sip_dhcp_format_parse("isc", &f), SIP_OK, "format isc");
	is_int(f, SIP_DHCP_ISC, "... is SIP_DHCP_ISC");
	is_int(sip_dhcp_format_parse("dnsmasq", &f), SIP_OK, "format dnsmasq");
	is_int(f, SIP_DHCP_DNSMASQ, "... is SIP_DHCP_DNSMASQ");
	is_int(sip_dhcp_format_parse("ISC", &f), SIP_EINVAL, "format ISC");
	is_int(sip_dhcp_format_parse("dhcpd", &f), SIP_EINVAL, "format dhcpd");
	is_int(sip_dhcp_format_parse("", &f), SIP_EINVAL, "format ''");
	is_int(sip_dhcp_format_parse(NULL, &f), SIP_EINVAL, "format NULL");
	is_int(f, SIP_DHCP_DNSMASQ, "a bad format leaves *out");
	is_str(sip_dhcp_format_name(SIP_DHCP_ISC), "isc", "name isc");
	is_str(sip_dhcp_format_name(SIP_DHCP_DNSMASQ), "dnsmasq",
	    "name dnsmasq");
	is_str(sip_dhcp_format_name(SIP_DHCP__MAX), "unknown",
	    "name out of range");
}

/* Each line of the snippet is whole: no control byte but LF and tab. */
static void
test_append(void)
{
	struct sip_config c;
	struct sip_buf out;
	const unsigned char *p;
	int bad = 0;

	good_config(&c);
	sip_buf_init(&out);
	is_int(sip_dhcp_config(&c, SIP_DHCP_ISC, 0, &out, NULL), SIP_OK,
	    "twice: isc");
	is_int(sip_dhcp_config(&c, SIP_DHCP_DNSMASQ, 1, &out, NULL), SIP_OK,
	    "twice: then dnsmasq --legacy");
	ok(strncmp(out.data, goldens[0].want, strlen(goldens[0].want)) ==
	    0 && strcmp(out.data + strlen(goldens[0].want),
	    goldens[5].want) == 0, "twice: both snippets, one after the other");
	for (p = (const unsigned char *)out.data; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p >= 0x7f)
			bad++;
	is_int(bad, 0, "twice: printable ASCII, LF and tab only");
	ok(out.data[out.len - 1] == '\n', "twice: ends with a newline");
	sip_buf_free(&out);
	sip_config_free(&c);
}

/* The [dhcp] keys from a file: defaults, values, errors. */
static void
test_config_file(void)
{
	struct sip_config c;
	struct sip_err err;
	struct sip_buf out;
	const char *path;
	char want[512];

	is_int(sip_config_defaults(&c), SIP_OK, "defaults");
	is_str(c.dhcp_tftp_server, "", "default tftp_server: empty");
	is_str(c.dhcp_bios_file, "undionly.kpxe", "default bios_file");
	is_str(c.dhcp_efi_file, "ipxe.efi", "default efi_file");
	is_str(c.dhcp_legacy_file, "pxelinux.0", "default legacy_file");
	is_str(c.cgi_url, "", "default cgi_url: empty");
	sip_buf_init(&out);
	memset(&err, 0, sizeof(err));
	is_int(sip_dhcp_config(&c, SIP_DHCP_ISC, 0, &out, &err), SIP_ECONFIG,
	    "the defaults alone: refused");
	ok(strstr(err.msg, "cgi_url is empty") != NULL, "... for cgi_url");
	sip_buf_free(&out);
	sip_config_free(&c);

	path = write_file("[server]\ncgi_url = " CGI "\n[dhcp]\n"
	    "tftp_server = " TFTP "\nbios_file = undionly.kpxe\n"
	    "efi_file = ipxe.efi\nlegacy_file = pxelinux.0\n");
	if (!is_int(sip_config_load(&c, path, &err), SIP_OK,
	    "file: every [dhcp] key loads"))
		printf("# %s\n", err.msg);
	sip_buf_init(&out);
	is_int(sip_dhcp_config(&c, SIP_DHCP_DNSMASQ, 1, &out, &err), SIP_OK,
	    "file: dnsmasq --legacy");
	is_str(out.data, goldens[5].want, "file: the golden text");
	sip_buf_free(&out);
	sip_config_free(&c);

	path = write_file("[dhcp]\ntftp_server =\n"
	    "bios_file = boot/undionly.kpxe\n");
	is_int(sip_config_load(&c, path, &err), SIP_OK,
	    "file: empty tftp_server, bios_file in a directory");
	is_str(c.dhcp_tftp_server, "", "file: tftp_server empty");
	is_str(c.dhcp_bios_file, "boot/undionly.kpxe", "file: bios_file");
	sip_config_free(&c);

	path = write_file("[dhcp]\ntftp_server = se3.lan\n");
	is_int(sip_config_load(&c, path, &err), SIP_ECONFIG,
	    "file: tftp_server se3.lan");
	snprintf(want, sizeof(want), "%s:2: [dhcp] tftp_server: 'se3.lan' is "
	    "not an IPv4 address", path);
	is_str(err.msg, want, "file: ... named with file and line");
	is_str(c.dhcp_tftp_server, "", "file: ... defaults left");
	sip_config_free(&c);

	path = write_file("[dhcp]\n\nefi_file = ../ipxe.efi\n");
	is_int(sip_config_load(&c, path, &err), SIP_ECONFIG,
	    "file: efi_file ../ipxe.efi");
	snprintf(want, sizeof(want), "%s:3: [dhcp] efi_file: '../ipxe.efi' "
	    "is not a boot file name (1 to 127 of A-Z a-z 0-9 . _ / -, no "
	    "'..', no leading or trailing '/')", path);
	is_str(err.msg, want, "file: ... named with file and line");
	sip_config_free(&c);

	path = write_file("[dhcp]\nlegacy_file = /tftpboot/pxelinux.0\n");
	is_int(sip_config_load(&c, path, &err), SIP_ECONFIG,
	    "file: legacy_file absolute");
	ok(strstr(err.msg, ":2: [dhcp] legacy_file: '/tftpboot/pxelinux.0' "
	    "is not a boot file name") != NULL, "file: ... named");
	sip_config_free(&c);

	path = write_file("[dhcp]\nbios_file =\n");
	is_int(sip_config_load(&c, path, &err), SIP_ECONFIG,
	    "file: bios_file empty");
	ok(strstr(err.msg, ":2: [dhcp] bios_file: '' is not a boot file "
	    "name") != NULL, "file: ... named");
	sip_config_free(&c);

	path = write_file("[dhcp]\nnext_server = 10.0.2.2\n");
	is_int(sip_config_load(&c, path, &err), SIP_ECONFIG,
	    "file: unknown key in [dhcp]");
	snprintf(want, sizeof(want), "%s:2: unknown key 'next_server' in "
	    "[dhcp]", path);
	is_str(err.msg, want, "file: ... named");
	sip_config_free(&c);

	path = write_file("[dhcp]\ntftp_server = 10.0.2.2\n[dhcp]\n");
	is_int(sip_config_load(&c, path, &err), SIP_ECONFIG,
	    "file: [dhcp] twice");
	sip_config_free(&c);
	unlink(path);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	unsetenv(SIP_CONFIG_ENV);
	test_goldens();
	test_vecs();
	test_files();
	test_formats();
	test_append();
	test_config_file();
	rmdir(tmpdir);
	return done_testing();
}
