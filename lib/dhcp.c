/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The DHCP server snippet (ISC dhcpd or dnsmasq) that chainloads iPXE and sends it to ipxe.cgi. */
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"

/*
 * The settings iPXE expands in a DHCP file name: the query of the boot
 * answer, the same line as in ipxe.cgi(8).
 */
#define BOOT_QUERY \
	"?mac=${mac}&platform=${platform}&buildarch=${buildarch}" \
	"&uuid=${uuid}&serial=${serial:uristring}" \
	"&manufacturer=${manufacturer:uristring}" \
	"&product=${product:uristring}&ip=${ip}"

/* dnsmasq tags, named so as not to meet the tags of another configuration. */
#define TAG_IPXE	"se3-ipxe"
#define TAG_EFI64	"se3-efi64"

/* How a value is quoted in a message: cut, so that the message stays whole. */
#define QUOTE_MAX	64

/* What the snippet is made of, every value checked. */
struct snippet {
	const char	*cgi_url;
	const char	*tftp;		/* NULL: no TFTP server */
	const char	*bios;		/* bios_file, or legacy_file */
	const char	*efi;
	int		 legacy;
};

static enum sip_rc dhcp_check_file(const char *, const char *,
		    struct sip_err *);
static enum sip_rc dhcp_check(const struct sip_config *,
		    enum sip_dhcp_format, int, struct snippet *,
		    struct sip_err *);
static void	 dhcp_isc(struct sip_buf *, const struct snippet *);
static void	 dhcp_dnsmasq(struct sip_buf *, const struct snippet *);

enum sip_rc
sip_dhcp_file_check(const char *s)
{
	static const char chars[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	    "._/-";
	size_t n;

	if (s == NULL)
		return SIP_EINVAL;
	n = strlen(s);
	if (n == 0 || n > SIP_DHCP_FILE_MAX || strspn(s, chars) != n)
		return SIP_EINVAL;
	/* Relative to the TFTP root, inside it, and a file. */
	if (s[0] == '/' || s[n - 1] == '/' || strstr(s, "..") != NULL)
		return SIP_EINVAL;
	return SIP_OK;
}

static enum sip_rc
dhcp_check_file(const char *key, const char *v, struct sip_err *err)
{
	if (v == NULL)
		return sip_errf(err, SIP_ECONFIG, "[dhcp] %s: not set", key);
	if (sip_dhcp_file_check(v) != SIP_OK)
		return sip_errf(err, SIP_ECONFIG, "[dhcp] %s: '%.*s%s' is not "
		    "a boot file name (1 to %d of A-Z a-z 0-9 . _ / -, no "
		    "'..', no leading or trailing '/')", key, QUOTE_MAX, v,
		    strlen(v) > QUOTE_MAX ? "..." : "", SIP_DHCP_FILE_MAX);
	return SIP_OK;
}

/* Check every value the snippet will contain, and say which is wrong. */
static enum sip_rc
dhcp_check(const struct sip_config *cfg, enum sip_dhcp_format fmt,
    int legacy, struct snippet *sn, struct sip_err *err)
{
	const char *url = cfg->cgi_url, *tftp = cfg->dhcp_tftp_server;
	const char *more;
	size_t n;
	enum sip_rc rc;

	memset(sn, 0, sizeof(*sn));
	if ((unsigned)fmt >= SIP_DHCP__MAX)
		return sip_errf(err, SIP_EINVAL, "unknown DHCP server format "
		    "%d: not isc or dnsmasq", (int)fmt);

	if (url == NULL || url[0] == '\0')
		return sip_errf(err, SIP_ECONFIG, "[server] cgi_url is empty: "
		    "set it to the absolute http:// URL of ipxe.cgi (a DHCP "
		    "server cannot derive it from a request)");
	more = strlen(url) > QUOTE_MAX ? "..." : "";
	if (sip_value_check(SIP_T_URL, url) != SIP_OK)
		return sip_errf(err, SIP_ECONFIG, "[server] cgi_url: '%.*s%s' "
		    "is not a valid http:// URL", QUOTE_MAX, url, more);
	/* dnsmasq splits a dhcp-boot line at its commas. */
	if (fmt == SIP_DHCP_DNSMASQ && strchr(url, ',') != NULL)
		return sip_errf(err, SIP_ECONFIG, "[server] cgi_url: '%.*s%s' "
		    "has a comma, which a dnsmasq dhcp-boot line cannot hold",
		    QUOTE_MAX, url, more);
	/* One DHCP option holds the whole URL: iPXE joins no split option. */
	n = strlen(url) + strlen(BOOT_QUERY);
	if (n > SIP_DHCP_URL_MAX)
		return sip_errf(err, SIP_ECONFIG, "[server] cgi_url: the iPXE "
		    "boot URL would be %zu bytes, more than the %d of a DHCP "
		    "option: use a cgi_url of at most %zu bytes", n,
		    SIP_DHCP_URL_MAX, SIP_DHCP_URL_MAX - strlen(BOOT_QUERY));

	if (tftp == NULL)
		return sip_errf(err, SIP_ECONFIG,
		    "[dhcp] tftp_server: not set");
	if (tftp[0] != '\0' && sip_value_check(SIP_T_IPV4, tftp) != SIP_OK)
		return sip_errf(err, SIP_ECONFIG,
		    "[dhcp] tftp_server: '%.*s%s' is not an IPv4 address",
		    QUOTE_MAX, tftp,
		    strlen(tftp) > QUOTE_MAX ? "..." : "");

	if (legacy) {
		if ((rc = dhcp_check_file("legacy_file", cfg->dhcp_legacy_file,
		    err)) != SIP_OK)
			return rc;
	} else if ((rc = dhcp_check_file("bios_file", cfg->dhcp_bios_file,
	    err)) != SIP_OK)
		return rc;
	if ((rc = dhcp_check_file("efi_file", cfg->dhcp_efi_file, err)) !=
	    SIP_OK)
		return rc;

	sn->cgi_url = url;
	sn->tftp = tftp[0] != '\0' ? tftp : NULL;
	sn->bios = legacy ? cfg->dhcp_legacy_file : cfg->dhcp_bios_file;
	sn->efi = cfg->dhcp_efi_file;
	sn->legacy = legacy;
	return SIP_OK;
}

static void
dhcp_isc(struct sip_buf *b, const struct snippet *sn)
{
	sip_buf_printf(b,
	    "# se3-ipxe dhcp-config --format isc%s: chainload iPXE, then "
	    "ipxe.cgi.\n"
	    "# Paste this into /etc/dhcp/dhcpd.conf at the top level, "
	    "before the subnet\n"
	    "# and host declarations, in place of the next-server and "
	    "filename\n"
	    "# statements there; or save it as a file that dhcpd.conf "
	    "includes\n"
	    "# (se3-dhcp: the dhcp_extra_option parameter).  Then check "
	    "it with\n"
	    "# dhcpd -t -cf /etc/dhcp/dhcpd.conf\n",
	    sn->legacy ? " --legacy" : "");
	sip_buf_puts(b, "option arch code 93 = unsigned integer 16;\n");
	if (sn->tftp != NULL)
		sip_buf_printf(b, "next-server %s;\n", sn->tftp);
	else
		sip_buf_puts(b, "# No next-server: [dhcp] tftp_server is "
		    "empty, the one of dhcpd.conf applies.\n");
	sip_buf_printf(b,
	    "if exists user-class and option user-class = \"iPXE\" {\n"
	    "\t# iPXE: boot what ipxe.cgi answers.  The URL is longer than "
	    "the\n"
	    "\t# 128-byte file field: it goes in option 67, which iPXE "
	    "requests.\n"
	    "\toption bootfile-name \"%s" BOOT_QUERY "\";\n"
	    "} elsif option arch = 00:07 or option arch = 00:09 {\n"
	    "\t# UEFI x86-64 firmware: load iPXE by TFTP.\n"
	    "\tfilename \"%s\";\n"
	    "} else {\n", sn->cgi_url, sn->efi);
	if (sn->legacy)
		sip_buf_puts(b, "\t# BIOS firmware: the boot file of "
		    "se3-clonage, as before (--legacy).\n");
	else
		sip_buf_puts(b, "\t# BIOS firmware (architecture 0): load "
		    "iPXE by TFTP.\n");
	sip_buf_printf(b, "\tfilename \"%s\";\n}\n", sn->bios);
}

static void
dhcp_dnsmasq(struct sip_buf *b, const struct snippet *sn)
{
	const char *sep = sn->tftp != NULL ? ",," : "";
	const char *tftp = sn->tftp != NULL ? sn->tftp : "";

	sip_buf_printf(b,
	    "# se3-ipxe dhcp-config --format dnsmasq%s: chainload iPXE, then "
	    "ipxe.cgi.\n"
	    "# Save this as /etc/dnsmasq.d/se3-ipxe.conf, or paste it into "
	    "dnsmasq.conf,\n"
	    "# and remove the other dhcp-boot lines.  Then check it with\n"
	    "# dnsmasq --test\n",
	    sn->legacy ? " --legacy" : "");
	sip_buf_puts(b,
	    "# iPXE sends option 175 and the user class \"iPXE\".\n"
	    "dhcp-match=set:" TAG_IPXE ",175\n"
	    "dhcp-userclass=set:" TAG_IPXE ",iPXE\n"
	    "# UEFI x86-64 firmware: client architecture (option 93) 7 or "
	    "9.\n"
	    "dhcp-match=set:" TAG_EFI64 ",option:client-arch,7\n"
	    "dhcp-match=set:" TAG_EFI64 ",option:client-arch,9\n");
	if (sn->tftp == NULL)
		sip_buf_puts(b, "# No TFTP server address: [dhcp] tftp_server "
		    "is empty, dnsmasq gives its own.\n");
	sip_buf_printf(b,
	    "# iPXE: boot what ipxe.cgi answers (sent as option 67, which "
	    "iPXE requests).\n"
	    "dhcp-boot=tag:" TAG_IPXE ",%s" BOOT_QUERY "\n"
	    "# UEFI x86-64 firmware: load iPXE by TFTP.\n"
	    "dhcp-boot=tag:!" TAG_IPXE ",tag:" TAG_EFI64 ",%s%s%s\n",
	    sn->cgi_url, sn->efi, sep, tftp);
	if (sn->legacy)
		sip_buf_puts(b, "# BIOS firmware: the boot file of "
		    "se3-clonage, as before (--legacy).\n");
	else
		sip_buf_puts(b, "# BIOS firmware (architecture 0): load iPXE "
		    "by TFTP.\n");
	sip_buf_printf(b, "dhcp-boot=tag:!" TAG_IPXE ",tag:!" TAG_EFI64
	    ",%s%s%s\n", sn->bios, sep, tftp);
}

enum sip_rc
sip_dhcp_config(const struct sip_config *cfg, enum sip_dhcp_format fmt,
    int legacy, struct sip_buf *out, struct sip_err *err)
{
	struct snippet sn;
	struct sip_buf b;
	enum sip_rc rc;

	if (err != NULL)
		err->msg[0] = '\0';
	sip_buf_init(&b);
	if ((rc = dhcp_check(cfg, fmt, legacy != 0, &sn, err)) != SIP_OK)
		goto out;
	if (fmt == SIP_DHCP_ISC)
		dhcp_isc(&b, &sn);
	else
		dhcp_dnsmasq(&b, &sn);
	/* All or nothing: out changes only when the whole snippet is there. */
	if (b.failed || sip_buf_append(out, b.data, b.len) == -1) {
		rc = sip_errf(err, SIP_ENOMEM, "DHCP configuration: %s",
		    sip_strerror(SIP_ENOMEM));
		goto out;
	}
	rc = SIP_OK;
 out:
	sip_buf_free(&b);
	return rc;
}
