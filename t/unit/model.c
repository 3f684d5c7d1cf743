/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for the local boot per model: [model NAME] sections, their patterns, the first match, and EFI loader paths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

static const char conf[] =
    "[boot]\n"
    "local_pcbios = sanboot\n"
    "local_efi = exit\n"
    "[model optiplex]\n"
    "manufacturer = Dell*\n"
    "product = OptiPlex 70[0-9]0\n"
    "local_efi = sanboot\n"
    "[model hp]\n"
    "manufacturer = HP\n"
    "local_efi = chain\n"
    "efi_loader = \\EFI\\Microsoft\\Boot\\bootmgfw.efi\n"
    "[model dell]\n"
    "manufacturer = dell inc.\n"
    "local_pcbios = exit\n"
    "[model qemu]\n"
    "product = Standard PC *\n"
    "local_efi = chain\n"
    "efi_loader = \\EFI\\debian\\shimx64.efi\n";

struct mvec {
	const char	*manufacturer, *product;
	const char	*model;		/* "" none */
	const char	*pcbios, *efi, *loader;
};

static const struct mvec mvecs[] = {
	{ "Dell Inc.", "OptiPlex 7050", "optiplex", "sanboot", "sanboot",
	  "\\EFI\\Boot\\bootx64.efi" },
	{ "Dell Inc.", "OptiPlex 3050", "dell", "exit", "exit",
	  "\\EFI\\Boot\\bootx64.efi" },	/* first match wins: not optiplex */
	{ "DELL INC.", "Latitude 5490", "dell", "exit", "exit",
	  "\\EFI\\Boot\\bootx64.efi" },	/* without case */
	{ "HP", "EliteDesk 800 G4", "hp", "sanboot", "chain",
	  "\\EFI\\Microsoft\\Boot\\bootmgfw.efi" },
	{ "HPE", "ProLiant", "", "sanboot", "exit",
	  "\\EFI\\Boot\\bootx64.efi" },	/* the whole value matches */
	{ "QEMU", "Standard PC (i440FX + PIIX, 1996)", "qemu", "sanboot",
	  "chain", "\\EFI\\debian\\shimx64.efi" },
	{ NULL, "Standard PC (Q35 + ICH9, 2009)", "qemu", "sanboot", "chain",
	  "\\EFI\\debian\\shimx64.efi" },	/* no manufacturer: any */
	{ NULL, NULL, "", "sanboot", "exit", "\\EFI\\Boot\\bootx64.efi" },
	{ "Dell Inc.", NULL, "dell", "exit", "exit",
	  "\\EFI\\Boot\\bootx64.efi" },	/* optiplex needs a product */
};

struct bvec {
	const char	*text;		/* after "[model m]\n" */
	const char	*why;		/* in the message; NULL: loads */
};

static const struct bvec bvecs[] = {
	{ "manufacturer = x\nlocal_efi = exit\n", NULL },
	{ "local_efi = exit\n", "needs manufacturer or product" },
	{ "manufacturer = x\n", "needs local_pcbios or local_efi" },
	{ "manufacturer = x\nlocal_efi = chain\n",
	  "local_efi = chain needs efi_loader" },
	{ "manufacturer = x\nlocal_efi = exit\nefi_loader = \\EFI\\a.efi\n",
	  "efi_loader is only for local_efi = chain" },
	{ "manufacturer = x\nlocal_pcbios = chain\n",
	  "local_pcbios: not sanboot or exit" },
	{ "manufacturer = x\nlocal_efi = reboot\n",
	  "local_efi: not sanboot, exit or chain" },
	{ "manufacturer = x\nlocal_efi = chain\nefi_loader = /EFI/a.efi\n",
	  "efi_loader: not a path" },
	{ "manufacturer = x\nlocal_efi = chain\nefi_loader = \\EFI\\a.efi ||\n",
	  "efi_loader: not a path" },
	{ "manufacturer = x\nlocal_efi = chain\nefi_loader = \\EFI\\..\\a.efi\n",
	  "efi_loader: not a path" },
	{ "manufacturer = x\nlocal_efi = chain\nefi_loader = \\EFI\\a.efi\\\n",
	  "may not end with a backslash" },
	{ "manufacturer = x\nlocal_efi = chain\nefi_loader = \\EFI\\${x}.efi\n",
	  "efi_loader: not a path" },
	{ "manufacturer = x\nlocal_efi = exit\nbogus = 1\n",
	  "unknown key 'bogus' in [model m]" },
	{ "manufacturer = \"x\001\"\nlocal_efi = exit\n", "control character" },
};

struct pvec {
	const char	*path;
	int		 good;
};

static const struct pvec pvecs[] = {
	{ "\\EFI\\Boot\\bootx64.efi", 1 },
	{ "\\EFI\\Microsoft\\Boot\\bootmgfw.EFI", 1 },
	{ "\\a.efi", 1 },
	{ "\\EFI\\Boot\\bootx64", 0 },
	{ "EFI\\Boot\\bootx64.efi", 0 },
	{ "\\EFI\\\\bootx64.efi", 0 },
	{ "\\EFI\\.\\bootx64.efi", 0 },
	{ "\\EFI\\..\\bootx64.efi", 0 },
	{ "\\EFI\\Boot\\boot x64.efi", 0 },
	{ "\\EFI\\Boot\\bootx64.efi\n", 0 },
	{ "\\EFI\\Boot\\$bootx64.efi", 0 },
	{ "\\.efi", 0 },	/* no name before the extension */
	{ "", 0 },
};

int
main(void)
{
	struct sip_config cfg;
	struct sip_local_choice lc;
	const struct sip_model *m;
	struct sip_err err;
	char text[512];
	size_t i;
	enum sip_rc rc;

	memset(&cfg, 0, sizeof(cfg));
	err.msg[0] = '\0';
	rc = sip_config_parse(&cfg, "m.conf", conf, strlen(conf), &err);
	is_int(rc, SIP_OK, "four [model] sections load: %s", err.msg);
	is_int(cfg.nmodels, 4, "... in file order");
	for (i = 0; rc == SIP_OK && i < sizeof(mvecs) / sizeof(mvecs[0]);
	    i++) {
		m = sip_local_choose(&cfg, mvecs[i].manufacturer,
		    mvecs[i].product, &lc);
		is_str(m != NULL ? m->name : "", mvecs[i].model,
		    "'%s' '%s': model '%s'", mvecs[i].manufacturer != NULL ?
		    mvecs[i].manufacturer : "(none)", mvecs[i].product != NULL ?
		    mvecs[i].product : "(none)", mvecs[i].model);
		is_str(sip_local_name(lc.pcbios), mvecs[i].pcbios,
		    "... local_pcbios %s", mvecs[i].pcbios);
		is_str(sip_local_name(lc.efi), mvecs[i].efi, "... local_efi %s",
		    mvecs[i].efi);
		is_str(lc.efi_loader, mvecs[i].loader, "... efi_loader %s",
		    mvecs[i].loader);
	}
	sip_config_free(&cfg);

	for (i = 0; i < sizeof(bvecs) / sizeof(bvecs[0]); i++) {
		snprintf(text, sizeof(text), "[model m]\n%s", bvecs[i].text);
		err.msg[0] = '\0';
		rc = sip_config_parse(&cfg, "b.conf", text, strlen(text), &err);
		if (bvecs[i].why == NULL)
			is_int(rc, SIP_OK, "model %zu loads: %s", i, err.msg);
		else
			ok(rc == SIP_ECONFIG && strstr(err.msg, bvecs[i].why) !=
			    NULL, "model %zu refused: %s", i, err.msg);
		sip_config_free(&cfg);
	}
	snprintf(text, sizeof(text), "[model a]\nproduct = x\nlocal_efi = exit\n"
	    "[model a]\nproduct = y\nlocal_efi = exit\n");
	rc = sip_config_parse(&cfg, "r.conf", text, strlen(text), &err);
	ok(rc == SIP_ECONFIG && strstr(err.msg, "r.conf:4: repeated section "
	    "[model a] (first at line 1)") != NULL, "repeated model: %s",
	    err.msg);
	sip_config_free(&cfg);
	snprintf(text, sizeof(text), "[model a;b]\nproduct = x\n");
	rc = sip_config_parse(&cfg, "n.conf", text, strlen(text), &err);
	ok(rc == SIP_ECONFIG, "a model name that is no word: %s", err.msg);
	sip_config_free(&cfg);
	snprintf(text, sizeof(text), "[boot]\nlocal_efi = chain\n");
	rc = sip_config_parse(&cfg, "c.conf", text, strlen(text), &err);
	ok(rc == SIP_ECONFIG && strstr(err.msg, "not sanboot or exit") != NULL,
	    "[boot] local_efi = chain: refused (a model's alone): %s",
	    err.msg);
	sip_config_free(&cfg);

	for (i = 0; i < sizeof(pvecs) / sizeof(pvecs[0]); i++) {
		is_int(sip_efi_path_check(pvecs[i].path), pvecs[i].good,
		    "efi path %zu %s", i, pvecs[i].good ? "taken" : "refused");
		is_int(sip_value_check(SIP_T_EFIPATH, pvecs[i].path) == SIP_OK,
		    pvecs[i].good, "... the same as SIP_T_EFIPATH");
	}
	return done_testing();
}
