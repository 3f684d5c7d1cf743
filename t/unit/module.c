/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for module manifests, the module path, action names and option resolution. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "se3ipxe.h"
#include "extern.h"
#include "tap.h"

/* A manifest that loads: lines 1-10, options are appended from line 11. */
#define BASE \
	"[module]\n" \
	"name = m\n" \
	"description = M\n" \
	"version = 1\n" \
	"\n" \
	"[capability run]\n" \
	"description = Run\n" \
	"template = run.ipxe\n" \
	"completion = oneshot\n" \
	"destructive = no\n"

/* The same capability in report mode: the only one that may have files. */
#define BASE_R \
	"[module]\n" \
	"name = m\n" \
	"description = M\n" \
	"version = 1\n" \
	"\n" \
	"[capability run]\n" \
	"description = Run\n" \
	"template = run.ipxe\n" \
	"completion = report\n" \
	"destructive = no\n"

#define DEMO \
	"; A demo module with every kind of option.\n" \
	"[module]\n" \
	"name = demo\n" \
	"description = Demo module\n" \
	"version = 1.2\n" \
	"\n" \
	"[capability run]\n" \
	"description = Run it\n" \
	"template = run.ipxe\n" \
	"completion = report\n" \
	"max_boots = 2\n" \
	"expires = 1d\n" \
	"destructive = yes\n" \
	"\n" \
	"[option run.passes]\n" \
	"type = integer\n" \
	"description = Number of passes\n" \
	"min = 1\n" \
	"max = 10\n" \
	"default = 1\n" \
	"\n" \
	"[option run.disk]\n" \
	"type = enum\n" \
	"description = Disk\n" \
	"values = sda  sdb\tnvme0n1\n" \
	"\n" \
	"[option run.wipe]\n" \
	"type = boolean\n" \
	"description = Wipe first\n" \
	"default = no\n" \
	"\n" \
	"[option run.image]\n" \
	"type = name\n" \
	"description = Image name\n" \
	"pattern = [A-Za-z0-9_]{1,32}\n" \
	"maxlen = 20\n" \
	"\n" \
	"[capability other]\n" \
	"description = Other\n" \
	"template = other.ipxe\n" \
	"completion = oneshot\n" \
	"destructive = no\n"

#define RUN_IPXE \
	"#!ipxe\n" \
	"echo {{mac}} {{passes}} {{disk}} {{wipe}} {{image}}\n"

/* The example of se3-ipxe-modules(5), word for word. */
#define MAN_CLONE \
	"; Save or restore a disk image with a live system.\n" \
	"[module]\n" \
	"name = clone\n" \
	"description = Disk images (save and restore)\n" \
	"version = 1\n" \
	"\n" \
	"[capability restore]\n" \
	"description = Restore a disk image, erasing the disk\n" \
	"template = restore.ipxe\n" \
	"completion = report\n" \
	"max_boots = 2\n" \
	"expires = 1d\n" \
	"destructive = yes\n" \
	"\n" \
	"[option restore.image]\n" \
	"type = name\n" \
	"description = The image to restore\n" \
	"pattern = [A-Za-z0-9_-]{1,32}\n" \
	"\n" \
	"[option restore.disk]\n" \
	"type = enum\n" \
	"description = The disk to overwrite\n" \
	"values = sda sdb nvme0n1\n" \
	"default = sda\n" \
	"\n" \
	"[option restore.passes]\n" \
	"type = integer\n" \
	"description = Verification passes after the restore\n" \
	"min = 0\n" \
	"max = 3\n" \
	"default = 1\n" \
	"\n" \
	"[option restore.reboot]\n" \
	"type = boolean\n" \
	"description = Reboot when done\n" \
	"default = yes\n"

#define MAN_RESTORE \
	"#!ipxe\n" \
	"# clone:restore {{image}} to {{disk}} on {{mac}}\n" \
	"kernel {{module_url}}/vmlinuz image={{image}} disk={{disk}} " \
	"passes={{passes}} reboot={{reboot}} report={{report_url}} " \
	"token={{token}} || goto failed\n" \
	"initrd {{module_url}}/initrd.img || goto failed\n" \
	"boot || goto failed\n" \
	":failed\n" \
	"echo clone: the live system could not be started\n" \
	"exit 1\n"

/* The file names of files = ..., and the longest, in pieces. */
#define FILE_RE	"[A-Za-z0-9_-][A-Za-z0-9._-]*"
#define NAME60 \
	"abcdefghij" "abcdefghij" "abcdefghij" "abcdefghij" "abcdefghij" \
	"abcdefghij"
#define NAME64	NAME60 "wxyz"
#define NAME65	NAME64 "5"

/* A preseed: no #!ipxe, builtin keys and the capability's own option. */
#define PRESEED \
	"# preseed for {{mac}}\n" \
	"d-i partman-auto/disk string /dev/{{disk}}\n" \
	"d-i preseed/late_command string wget -O- " \
	"{{file_url}}/late.sh?token={{token}}\n"

#define DISK_OPTION \
	"[option run.disk]\n" \
	"type = enum\n" \
	"description = Disk\n" \
	"values = sda vda\n" \
	"default = sda\n"

#define OTHER_CAP \
	"[capability other]\n" \
	"description = Other\n" \
	"template = other.ipxe\n" \
	"completion = report\n" \
	"destructive = no\n"

/* A persistent capability, up to its destructive line (line 9). */
#define PERSIST \
	"[module]\nname = m\ndescription = M\nversion = 1\n" \
	"[capability run]\ndescription = R\ntemplate = run.ipxe\n" \
	"completion = persistent\n"

#define ZEROS63 "000000000000000000000000000000000000000000000000000000000000000"

struct bad {
	const char	*manifest;	/* written as <tmp>/m/module.ini */
	enum sip_rc	 rc;
	const char	*msg;		/* "%s": the manifest's path */
};

static const struct bad bads[] = {
	/* the reader */
	{ BASE "oops\n", SIP_EMODULE,
	  "%s:11: expected [section] or key = value" },
	{ BASE "max_boots = 1\r\nmax_boots = 2\n", SIP_EMODULE,
	  "%s:12: repeated key 'max_boots' in [capability run] (first at line "
	  "11)" },
	/* sections */
	{ BASE "[capabilities x]\n", SIP_EMODULE,
	  "%s:11: unknown section [capabilities x]" },
	{ BASE "[options run.x]\n", SIP_EMODULE,
	  "%s:11: unknown section [options run.x]" },
	{ BASE "[capability]\n", SIP_EMODULE,
	  "%s:11: unknown section [capability]" },
	{ BASE "[capability run]\n", SIP_EMODULE,
	  "%s:11: repeated section [capability run] (first at line 6)" },
	{ BASE "[module]\n", SIP_EMODULE,
	  "%s:11: repeated section [module] (first at line 1)" },
	{ BASE "[capability Run]\n", SIP_EMODULE,
	  "%s:11: bad capability name 'Run': expected [a-z][a-z0-9_-]{0,31}" },
	{ BASE "[capability 1run]\n", SIP_EMODULE,
	  "%s:11: bad capability name '1run': expected [a-z][a-z0-9_-]{0,31}" },
	{ BASE "[capability run.x]\n", SIP_EMODULE,
	  "%s:11: bad capability name 'run.x': expected "
	  "[a-z][a-z0-9_-]{0,31}" },
	{ BASE "[capability abcdefghijklmnopqrstuvwxyz0123456]\n", SIP_EMODULE,
	  "%s:11: bad capability name 'abcdefghijklmnopqrstuvwxyz0123456': "
	  "expected [a-z][a-z0-9_-]{0,31}" },
	{ BASE "[option run]\n", SIP_EMODULE,
	  "%s:11: bad option section [option run]: expected "
	  "[option CAPABILITY.OPTION]" },
	{ BASE "[option Run.x]\n", SIP_EMODULE,
	  "%s:11: bad capability name 'Run' in [option Run.x]: expected "
	  "[a-z][a-z0-9_-]{0,31}" },
	{ BASE "[option run.x-y]\n", SIP_EMODULE,
	  "%s:11: bad option name 'x-y' in [option run.x-y]: expected "
	  "[a-z][a-z0-9_]{0,31}" },
	{ BASE "[option run.x.y]\n", SIP_EMODULE,
	  "%s:11: bad option name 'x.y' in [option run.x.y]: expected "
	  "[a-z][a-z0-9_]{0,31}" },
	{ BASE "[option run.]\n", SIP_EMODULE,
	  "%s:11: bad option name '' in [option run.]: expected "
	  "[a-z][a-z0-9_]{0,31}" },
	{ BASE "[option run.mac]\n", SIP_EMODULE,
	  "%s:11: option name 'mac' in [option run.mac] is a builtin "
	  "template key" },
	{ BASE "[option run.module_url]\n", SIP_EMODULE,
	  "%s:11: option name 'module_url' in [option run.module_url] is a "
	  "builtin template key" },
	{ BASE "[option walk.x]\ntype = boolean\ndescription = X\n",
	  SIP_EMODULE, "%s:11: [option walk.x]: no [capability walk] in "
	  "this file" },
	{ BASE "[option run.x]\ntype = boolean\ndescription = X\n"
	  "[option run.x]\n", SIP_EMODULE,
	  "%s:14: repeated section [option run.x] (first at line 11)" },
	/* [module] */
	{ "[capability run]\ndescription = Run\ntemplate = run.ipxe\n"
	  "completion = oneshot\ndestructive = no\n", SIP_EMODULE,
	  "%s: no [module] section" },
	{ "[module]\nname = m\nauthor = me\n", SIP_EMODULE,
	  "%s:3: unknown key 'author' in [module]" },
	{ "[module]\ndescription = M\nversion = 1\n", SIP_EMODULE,
	  "%s:1: [module]: missing key 'name'" },
	{ "[module]\nname = Bad\ndescription = M\nversion = 1\n", SIP_EMODULE,
	  "%s:2: [module] name: 'Bad' is not a module name "
	  "([a-z][a-z0-9_-]{0,31})" },
	{ "[module]\nname = other\ndescription = M\nversion = 1\n", SIP_EMODULE,
	  "%s:2: [module] name: 'other' is not the name of the directory "
	  "('m')" },
	{ "[module]\nname = m ; the name\ndescription = M\nversion = 1\n",
	  SIP_EMODULE, "%s:2: [module] name: 'm ; the name' is not a module "
	  "name ([a-z][a-z0-9_-]{0,31})" },
	{ "[module]\nname = m\nversion = 1\n", SIP_EMODULE,
	  "%s:1: [module]: missing key 'description'" },
	{ "[module]\nname = m\ndescription =\nversion = 1\n", SIP_EMODULE,
	  "%s:3: [module] description: expected 1 to 255 bytes of text" },
	{ "[module]\nname = m\ndescription = M\n", SIP_EMODULE,
	  "%s:1: [module]: missing key 'version'" },
	{ "[module]\nname = m\ndescription = M\nversion = 1 beta\n",
	  SIP_EMODULE, "%s:4: [module] version: '1 beta' is not a word "
	  "([A-Za-z0-9._-]{1,64})" },
	{ "[module]\nname = m\ndescription = M\nversion = 1\n", SIP_EMODULE,
	  "%s: no [capability NAME] section" },
	/* [capability] */
	{ BASE "foo = 1\n", SIP_EMODULE,
	  "%s:11: unknown key 'foo' in [capability run]" },
	{ BASE "type = integer\n", SIP_EMODULE,
	  "%s:11: unknown key 'type' in [capability run]" },
	{ "[module]\nname = m\ndescription = M\nversion = 1\n"
	  "[capability run]\ntemplate = run.ipxe\ncompletion = oneshot\n"
	  "destructive = no\n", SIP_EMODULE,
	  "%s:5: [capability run]: missing key 'description'" },
	{ "[module]\nname = m\ndescription = M\nversion = 1\n"
	  "[capability run]\ndescription = R\ncompletion = oneshot\n"
	  "destructive = no\n", SIP_EMODULE,
	  "%s:5: [capability run]: missing key 'template'" },
	{ "[module]\nname = m\ndescription = M\nversion = 1\n"
	  "[capability run]\ndescription = R\ntemplate = ../run.ipxe\n"
	  "completion = oneshot\ndestructive = no\n", SIP_EMODULE,
	  "%s:7: [capability run] template: '../run.ipxe' is not a file name "
	  "in the module directory ([A-Za-z0-9_-][A-Za-z0-9._-]*)" },
	{ "[module]\nname = m\ndescription = M\nversion = 1\n"
	  "[capability run]\ndescription = R\ntemplate = sub/run.ipxe\n"
	  "completion = oneshot\ndestructive = no\n", SIP_EMODULE,
	  "%s:7: [capability run] template: 'sub/run.ipxe' is not a file "
	  "name in the module directory ([A-Za-z0-9_-][A-Za-z0-9._-]*)" },
	{ "[module]\nname = m\ndescription = M\nversion = 1\n"
	  "[capability run]\ndescription = R\ntemplate = .run.ipxe\n"
	  "completion = oneshot\ndestructive = no\n", SIP_EMODULE,
	  "%s:7: [capability run] template: '.run.ipxe' is not a file name "
	  "in the module directory ([A-Za-z0-9_-][A-Za-z0-9._-]*)" },
	{ "[module]\nname = m\ndescription = M\nversion = 1\n"
	  "[capability run]\ndescription = R\ntemplate = run.ipxe\n"
	  "destructive = no\n", SIP_EMODULE,
	  "%s:5: [capability run]: missing key 'completion'" },
	{ "[module]\nname = m\ndescription = M\nversion = 1\n"
	  "[capability run]\ndescription = R\ntemplate = run.ipxe\n"
	  "completion = sometimes\ndestructive = no\n", SIP_EMODULE,
	  "%s:8: [capability run] completion: 'sometimes' is not oneshot, "
	  "report or persistent" },
	/* Persistent: served at every boot, so never destructive; bounded further. */
	{ PERSIST "destructive = yes\n", SIP_EMODULE,
	  "%s:9: [capability run]: a persistent action is served at every "
	  "boot: it cannot be destructive" },
	{ PERSIST "destructive = no\nmax_boots = 1001\n", SIP_EMODULE,
	  "%s:10: [capability run] max_boots: '1001' is not an integer in "
	  "1..1000" },
	{ PERSIST "destructive = no\nexpires = 366d\n", SIP_EMODULE,
	  "%s:10: [capability run] expires: '366d' is not a duration in "
	  "1m..365d" },
	{ "[module]\nname = m\ndescription = M\nversion = 1\n"
	  "[capability run]\ndescription = R\ntemplate = run.ipxe\n"
	  "completion = oneshot\n", SIP_EMODULE,
	  "%s:5: [capability run]: missing key 'destructive'" },
	{ "[module]\nname = m\ndescription = M\nversion = 1\n"
	  "[capability run]\ndescription = R\ntemplate = run.ipxe\n"
	  "completion = oneshot\ndestructive = maybe\n", SIP_EMODULE,
	  "%s:9: [capability run] destructive: 'maybe' is not yes or no" },
	{ BASE "max_boots = 0\n", SIP_EMODULE,
	  "%s:11: [capability run] max_boots: '0' is not an integer in "
	  "1..100" },
	{ BASE "max_boots = 101\n", SIP_EMODULE,
	  "%s:11: [capability run] max_boots: '101' is not an integer in "
	  "1..100" },
	{ BASE "max_boots = -1\n", SIP_EMODULE,
	  "%s:11: [capability run] max_boots: '-1' is not an integer in "
	  "1..100" },
	{ BASE "max_boots = 3x\n", SIP_EMODULE,
	  "%s:11: [capability run] max_boots: '3x' is not an integer in "
	  "1..100" },
	{ BASE "max_boots = 99999999999999999999\n", SIP_EMODULE,
	  "%s:11: [capability run] max_boots: '99999999999999999999' is not "
	  "an integer in 1..100" },
	{ BASE "expires = 59s\n", SIP_EMODULE,
	  "%s:11: [capability run] expires: '59s' is not a duration in "
	  "1m..30d" },
	{ BASE "expires = 31d\n", SIP_EMODULE,
	  "%s:11: [capability run] expires: '31d' is not a duration in "
	  "1m..30d" },
	{ BASE "expires = 1 d\n", SIP_EMODULE,
	  "%s:11: [capability run] expires: '1 d' is not a duration in "
	  "1m..30d" },
	/* files */
	{ BASE_R "files = sub/a.cfg\n", SIP_EMODULE,
	  "%s:11: [capability run] files: 'sub/a.cfg' is not a file name in "
	  "the module directory (" FILE_RE ", at most 64 bytes)" },
	{ BASE_R "files = /etc/passwd\n", SIP_EMODULE,
	  "%s:11: [capability run] files: '/etc/passwd' is not a file name in "
	  "the module directory (" FILE_RE ", at most 64 bytes)" },
	{ BASE_R "files = ..\n", SIP_EMODULE,
	  "%s:11: [capability run] files: '..' is not a file name in the "
	  "module directory (" FILE_RE ", at most 64 bytes)" },
	{ BASE_R "files = ../m/a.cfg\n", SIP_EMODULE,
	  "%s:11: [capability run] files: '../m/a.cfg' is not a file name in "
	  "the module directory (" FILE_RE ", at most 64 bytes)" },
	{ BASE_R "files = .\n", SIP_EMODULE,
	  "%s:11: [capability run] files: '.' is not a file name in the "
	  "module directory (" FILE_RE ", at most 64 bytes)" },
	{ BASE_R "files = .preseed.cfg\n", SIP_EMODULE,
	  "%s:11: [capability run] files: '.preseed.cfg' is not a file name "
	  "in the module directory (" FILE_RE ", at most 64 bytes)" },
	{ BASE_R "files = a.cfg .b.cfg\n", SIP_EMODULE,
	  "%s:11: [capability run] files: '.b.cfg' is not a file name in the "
	  "module directory (" FILE_RE ", at most 64 bytes)" },
	{ BASE_R "files = a.cfg,b.cfg\n", SIP_EMODULE,
	  "%s:11: [capability run] files: 'a.cfg,b.cfg' is not a file name "
	  "in the module directory (" FILE_RE ", at most 64 bytes)" },
	{ BASE_R "files = a$b\n", SIP_EMODULE,
	  "%s:11: [capability run] files: 'a$b' is not a file name in the "
	  "module directory (" FILE_RE ", at most 64 bytes)" },
	{ BASE_R "files = a:b\n", SIP_EMODULE,
	  "%s:11: [capability run] files: 'a:b': unknown kind 'b' (text, "
	  "cmdline, preseed, sh, yaml, xml, ini, cmd)" },
	{ BASE_R "files = a.cfg:ipxe\n", SIP_EMODULE,
	  "%s:11: [capability run] files: 'a.cfg:ipxe': unknown kind 'ipxe' "
	  "(text, cmdline, preseed, sh, yaml, xml, ini, cmd)" },
	{ BASE_R "files = a.cfg:\n", SIP_EMODULE,
	  "%s:11: [capability run] files: 'a.cfg:': unknown kind '' (text, "
	  "cmdline, preseed, sh, yaml, xml, ini, cmd)" },
	{ BASE_R "files = :yaml\n", SIP_EMODULE,
	  "%s:11: [capability run] files: '' is not a file name in the "
	  "module directory (" FILE_RE ", at most 64 bytes)" },
	{ BASE_R "files = a\\b\n", SIP_EMODULE,
	  "%s:11: [capability run] files: 'a\\b' is not a file name in the "
	  "module directory (" FILE_RE ", at most 64 bytes)" },
	{ BASE_R "files = pr\xc3\xa9seed.cfg\n", SIP_EMODULE,
	  "%s:11: [capability run] files: 'pr\xc3\xa9seed.cfg' is not a file "
	  "name in the module directory (" FILE_RE ", at most 64 bytes)" },
	{ BASE_R "files = " NAME65 "\n", SIP_EMODULE,
	  "%s:11: [capability run] files: '" NAME60 "...' is not a file name "
	  "in the module directory (" FILE_RE ", at most 64 bytes)" },
	{ BASE_R "files = a.cfg " NAME65 "\n", SIP_EMODULE,
	  "%s:11: [capability run] files: '" NAME60 "...' is not a file name "
	  "in the module directory (" FILE_RE ", at most 64 bytes)" },
	{ BASE_R "files = run.ipxe\n", SIP_EMODULE,
	  "%s:11: [capability run] files: 'run.ipxe' is the iPXE template" },
	{ BASE_R "files = module.ini\n", SIP_EMODULE,
	  "%s:11: [capability run] files: 'module.ini' is the manifest" },
	{ BASE "files = a.cfg\n", SIP_EMODULE,
	  "%s:11: [capability run] files: a oneshot action is done once "
	  "served, its files could never be fetched: use completion = report" },
	{ BASE_R "files = a.cfg run.ipxe\n", SIP_EMODULE,
	  "%s:11: [capability run] files: 'run.ipxe' is the iPXE template" },
	{ BASE_R "files = a.cfg a.cfg\n", SIP_EMODULE,
	  "%s:11: [capability run] files: 'a.cfg' is named twice" },
	{ BASE_R "files = a.cfg a.cfg:secret\n", SIP_EMODULE,
	  "%s:11: [capability run] files: 'a.cfg' is named twice" },
	{ BASE_R "files = a.cfg:secret:secret\n", SIP_EMODULE,
	  "%s:11: [capability run] files: 'a.cfg:secret': unknown kind "
	  "'secret' (text, cmdline, preseed, sh, yaml, xml, ini, cmd)" },
	{ BASE_R "files = :secret\n", SIP_EMODULE,
	  "%s:11: [capability run] files: ':secret': unknown kind 'secret' "
	  "(text, cmdline, preseed, sh, yaml, xml, ini, cmd)" },
	{ BASE_R "files = a.cfg:Secret\n", SIP_EMODULE,
	  "%s:11: [capability run] files: 'a.cfg:Secret': unknown kind "
	  "'Secret' (text, cmdline, preseed, sh, yaml, xml, ini, cmd)" },
	{ BASE_R "files = a.cfg:secret:xml\n", SIP_EMODULE,
	  "%s:11: [capability run] files: 'a.cfg:secret:xml': unknown kind "
	  "'secret:xml' (text, cmdline, preseed, sh, yaml, xml, ini, cmd)" },
	{ BASE_R "files = a.cfg b.cfg\ta.cfg\n", SIP_EMODULE,
	  "%s:11: [capability run] files: 'a.cfg' is named twice" },
	{ BASE_R "files = a b c d e f g h i\n", SIP_EMODULE,
	  "%s:11: [capability run] files: more than 8" },
	{ BASE_R "files = a b c d e f g h a\n", SIP_EMODULE,
	  "%s:11: [capability run] files: 'a' is named twice" },
	{ BASE_R "files =\n", SIP_EMODULE,
	  "%s:11: [capability run] files: empty" },
	{ BASE_R "files = \t \n", SIP_EMODULE,
	  "%s:11: [capability run] files: empty" },
	{ BASE_R "files = a.cfg\nfiles = b.cfg\n", SIP_EMODULE,
	  "%s:12: repeated key 'files' in [capability run] (first at line "
	  "11)" },
	{ "[module]\nname = m\ndescription = M\nversion = 1\nfiles = a\n",
	  SIP_EMODULE, "%s:5: unknown key 'files' in [module]" },
	{ BASE "[option run.x]\ntype = boolean\ndescription = X\n"
	  "files = a.cfg\n", SIP_EMODULE,
	  "%s:14: unknown key 'files' in [option run.x]" },
	{ BASE "[option run.files]\ntype = boolean\ndescription = X\n"
	  "default = no\n[option run.file_url]\n", SIP_EMODULE,
	  "%s:15: option name 'file_url' in [option run.file_url] is a "
	  "builtin template key" },
	{ "[module]\nname = m\ndescription = M\nversion = 1\n"
	  "[capability run]\ndescription = R\ntemplate = run.ipxe\n"
	  "files = ../x\ncompletion = oneshot\ndestructive = no\n",
	  SIP_EMODULE,
	  "%s:8: [capability run] files: '../x' is not a file name in the "
	  "module directory (" FILE_RE ", at most 64 bytes)" },
	/* options */
	{ BASE "[option run.x]\ndescription = X\n", SIP_EMODULE,
	  "%s:11: [option run.x]: missing key 'type'" },
	{ BASE "[option run.x]\ntype = string\ndescription = X\n", SIP_EMODULE,
	  "%s:12: [option run.x] type: 'string' is not enum, integer, boolean, "
	  "name, text or secret" },
	{ BASE "[option run.x]\ntype = secret\ndescription = X\npattern = a\n",
	  SIP_EMODULE, "%s:14: [option run.x]: key 'pattern' does not apply to "
	  "an option of type secret" },
	{ BASE "[option run.x]\ntype = secret\ndescription = X\n"
	  "default = Smb\n", SIP_EMODULE, "%s:14: [option run.x] default: "
	  "'Smb' is not valid: expected the name of a secret "
	  "([a-z][a-z0-9_]{0,31})" },
	{ BASE "[option run.x]\ntype = boolean\n", SIP_EMODULE,
	  "%s:11: [option run.x]: missing key 'description'" },
	{ BASE "[option run.x]\ntype = boolean\ndescription = X\nfoo = 1\n",
	  SIP_EMODULE, "%s:14: unknown key 'foo' in [option run.x]" },
	{ BASE "[option run.x]\ntype = boolean\ndescription = X\nmin = 1\n",
	  SIP_EMODULE, "%s:14: [option run.x]: key 'min' does not apply to an "
	  "option of type boolean" },
	{ BASE "[option run.x]\nvalues = a b\ntype = integer\n"
	  "description = X\n", SIP_EMODULE,
	  "%s:12: [option run.x]: key 'values' does not apply to an option "
	  "of type integer" },
	{ BASE "[option run.x]\ntype = enum\ndescription = X\nvalues = a\n"
	  "pattern = a\n", SIP_EMODULE, "%s:15: [option run.x]: key 'pattern' "
	  "does not apply to an option of type enum" },
	/* exists = image: on a name only, and image is the only thing known. */
	{ BASE "[option run.x]\ntype = text\ndescription = X\n"
	  "exists = image\n", SIP_EMODULE, "%s:14: [option run.x]: key "
	  "'exists' does not apply to an option of type text" },
	{ BASE "[option run.x]\ntype = enum\ndescription = X\nvalues = a\n"
	  "exists = image\n", SIP_EMODULE, "%s:15: [option run.x]: key "
	  "'exists' does not apply to an option of type enum" },
	{ BASE "[option run.x]\ntype = name\ndescription = X\npattern = a\n"
	  "exists = machine\n", SIP_EMODULE, "%s:15: [option run.x] exists: "
	  "'machine': only 'image' is known" },
	/* exists_unless: with exists, another option of run, with a default. */
	{ BASE "[option run.x]\ntype = name\ndescription = X\npattern = a\n"
	  "exists_unless = share\n", SIP_EMODULE, "%s:15: [option run.x] "
	  "exists_unless: without exists" },
	{ BASE "[option run.x]\ntype = text\ndescription = X\n"
	  "exists_unless = share\n", SIP_EMODULE, "%s:14: [option run.x]: key "
	  "'exists_unless' does not apply to an option of type text" },
	{ BASE "[option run.x]\ntype = name\ndescription = X\npattern = a\n"
	  "exists = image\nexists_unless = Share\n", SIP_EMODULE, "%s:16: "
	  "[option run.x] exists_unless: 'Share' is not an option name" },
	{ BASE "[option run.x]\ntype = name\ndescription = X\npattern = a\n"
	  "exists = image\nexists_unless = x\n", SIP_EMODULE, "%s:16: "
	  "[option run.x] exists_unless: the option itself" },
	{ BASE "[option run.x]\ntype = name\ndescription = X\npattern = a\n"
	  "exists = image\nexists_unless = share\n", SIP_EMODULE, "%s:16: "
	  "[option run.x] exists_unless: no option 'share' in [capability "
	  "run]" },
	{ BASE "[option run.x]\ntype = name\ndescription = X\npattern = a\n"
	  "exists = image\nexists_unless = share\n[option run.share]\n"
	  "type = name\ndescription = S\npattern = none|//a\n", SIP_EMODULE,
	  "%s:16: [option run.x] exists_unless: option 'share' has no "
	  "default" },
	{ BASE "[option run.x]\ntype = name\ndescription = X\npattern = a\n"
	  "max = 3\n", SIP_EMODULE, "%s:15: [option run.x]: key 'max' does "
	  "not apply to an option of type name" },
	{ BASE "[option run.x]\ntype = integer\ndescription = X\nmin = -1\n",
	  SIP_EMODULE, "%s:14: [option run.x] min: '-1' is not an integer in "
	  "0..9223372036854775807" },
	{ BASE "[option run.x]\ntype = integer\ndescription = X\nmin = 5\n"
	  "max = 3\n", SIP_EMODULE, "%s:15: [option run.x] max: '3' is not an "
	  "integer in 5..9223372036854775807" },
	{ BASE "[option run.x]\ntype = integer\ndescription = X\nmax = 1e3\n",
	  SIP_EMODULE, "%s:14: [option run.x] max: '1e3' is not an integer in "
	  "0..9223372036854775807" },
	{ BASE "[option run.x]\ntype = integer\ndescription = X\nmin = 1\n"
	  "max = 10\ndefault = 11\n", SIP_EMODULE,
	  "%s:16: [option run.x] default: '11' is not valid: expected an "
	  "integer in 1..10" },
	{ BASE "[option run.x]\ntype = integer\ndescription = X\n"
	  "default = +1\n", SIP_EMODULE, "%s:14: [option run.x] default: '+1' "
	  "is not valid: expected an integer in 0..9223372036854775807" },
	{ BASE "[option run.x]\ntype = enum\ndescription = X\n", SIP_EMODULE,
	  "%s:11: [option run.x]: missing key 'values'" },
	{ BASE "[option run.x]\ntype = enum\ndescription = X\nvalues =\n",
	  SIP_EMODULE, "%s:14: [option run.x] values: expected at least one "
	  "word" },
	{ BASE "[option run.x]\ntype = enum\ndescription = X\n"
	  "values = sda sd;b\n", SIP_EMODULE, "%s:14: [option run.x] values: "
	  "'sd;b' is not a word ([A-Za-z0-9._-]{1,64})" },
	{ BASE "[option run.x]\ntype = enum\ndescription = X\n"
	  "values = sda sdb sda\n", SIP_EMODULE, "%s:14: [option run.x] "
	  "values: 'sda' is given twice" },
	{ BASE "[option run.x]\ntype = enum\ndescription = X\n"
	  "values = sda sdb\ndefault = sdc\n", SIP_EMODULE,
	  "%s:15: [option run.x] default: 'sdc' is not valid: expected one "
	  "of: sda sdb" },
	{ BASE "[option run.x]\ntype = boolean\ndescription = X\n"
	  "default = true\n", SIP_EMODULE, "%s:14: [option run.x] default: "
	  "'true' is not valid: expected yes or no" },
	{ BASE "[option run.x]\ntype = name\ndescription = X\n", SIP_EMODULE,
	  "%s:11: [option run.x]: missing key 'pattern'" },
	{ BASE "[option run.x]\ntype = name\ndescription = X\npattern =\n",
	  SIP_EMODULE, "%s:14: [option run.x] pattern: empty" },
	{ BASE "[option run.x]\ntype = name\ndescription = X\n"
	  "pattern = [a-\n", SIP_EMODULE, "%s:14: [option run.x] pattern: "
	  "'[a-': unterminated bracket expression" },
	{ BASE "[option run.x]\ntype = name\ndescription = X\n"
	  "pattern = a{2\n", SIP_EMODULE, "%s:14: [option run.x] pattern: "
	  "'a{2': malformed repetition" },
	{ BASE "[option run.x]\ntype = name\ndescription = X\n"
	  "pattern = a{5000}\n", SIP_EMODULE, "%s:14: [option run.x] pattern: "
	  "'a{5000}': repetition too large" },
	/* glibc copies E for E+ and E{m,n}: stacked, they took gigabytes. */
	{ BASE "[option run.x]\ntype = name\ndescription = X\n"
	  "pattern = ([a-z]{2,4})+++++++++++++\n", SIP_EMODULE,
	  "%s:14: [option run.x] pattern: '([a-z]{2,4})+++++++++++++': too "
	  "complex (repetitions of repetitions)" },
	{ BASE "[option run.x]\ntype = name\ndescription = X\n"
	  "pattern = ((((a{9}){9}){9}){9})\n", SIP_EMODULE,
	  "%s:14: [option run.x] pattern: '((((a{9}){9}){9}){9})': too "
	  "complex (repetitions of repetitions)" },
	{ BASE "[option run.x]\ntype = name\ndescription = X\n"
	  "pattern = (((((((((((((((((a)))))))))))))))))\n", SIP_EMODULE,
	  "%s:14: [option run.x] pattern: '(((((((((((((((((a)))))))))))))))))': "
	  "groups nested too deep" },
	{ BASE "[option run.x]\ntype = name\ndescription = X\n"
	  "pattern = caf\xc3\xa9\n", SIP_EMODULE,
	  "%s:14: [option run.x] pattern: 'caf\xc3\xa9': not printable ASCII" },
	{ BASE "[option run.x]\ntype = name\ndescription = X\n"
	  "pattern = x)|(y)\n", SIP_EMODULE, "%s:14: [option run.x] pattern: "
	  "'x)|(y)': unmatched ')': write \\) or [)] for a literal "
	  "parenthesis" },
	{ BASE "[option run.x]\ntype = name\ndescription = X\n"
	  "pattern = (a)\\1\n", SIP_EMODULE, "%s:14: [option run.x] pattern: "
	  "'(a)\\1': back-references are not allowed" },
	{ BASE "[option run.x]\ntype = name\ndescription = X\npattern = a\n"
	  "maxlen = 0\n", SIP_EMODULE, "%s:15: [option run.x] maxlen: '0' is "
	  "not an integer in 1..255" },
	{ BASE "[option run.x]\ntype = name\ndescription = X\npattern = a\n"
	  "maxlen = 256\n", SIP_EMODULE, "%s:15: [option run.x] maxlen: '256' "
	  "is not an integer in 1..255" },
	{ BASE "[option run.x]\ntype = name\ndescription = X\n"
	  "pattern = [a-z]+\ndefault = a.b\n", SIP_EMODULE,
	  "%s:15: [option run.x] default: 'a.b' is not valid: expected a name "
	  "of at most 255 bytes matching [a-z]+" },
	{ BASE "[option run.x]\ntype = name\ndescription = X\n"
	  "pattern = .*\ndefault = a;b\n", SIP_EMODULE,
	  "%s:15: [option run.x] default: 'a;b' is not valid: expected a name "
	  "of at most 255 bytes matching .*" },
	{ BASE "[option run.x]\ntype = name\ndescription = X\n"
	  "pattern = [a-z]+\nmaxlen = 3\ndefault = abcd\n", SIP_EMODULE,
	  "%s:16: [option run.x] default: 'abcd' is not valid: expected a "
	  "name of at most 3 bytes matching [a-z]+" },
	{ BASE "[option run.abcdefghijklmnopqrstuvwxyz0123456]\n", SIP_EMODULE,
	  "%s:11: bad option name 'abcdefghijklmnopqrstuvwxyz0123456' in "
	  "[option run.abcdefghijklmnopqrstuvwxyz0123456]: expected "
	  "[a-z][a-z0-9_]{0,31}" },
	/* [module] mirror and [upstream NAME] */
	{ BASE "[upstream ../etc/passwd]\n", SIP_EMODULE,
	  "%s:11: bad upstream name '../etc/passwd': expected a relative path "
	  "of [A-Za-z0-9._+~-] components, none empty, '.', '..' or hidden, at "
	  "most 160 bytes" },
	{ BASE "[upstream .abs]\n", SIP_EMODULE, "%s:11: bad upstream name "
	  "'.abs': expected a relative path of [A-Za-z0-9._+~-] components, "
	  "none empty, '.', '..' or hidden, at most 160 bytes" },
	{ BASE "[upstream a//b]\n", SIP_EMODULE, "%s:11: bad upstream name "
	  "'a//b': expected a relative path of [A-Za-z0-9._+~-] components, "
	  "none empty, '.', '..' or hidden, at most 160 bytes" },
	{ BASE "[upstream a/.hidden]\n", SIP_EMODULE, "%s:11: bad upstream name "
	  "'a/.hidden': expected a relative path of [A-Za-z0-9._+~-] "
	  "components, none empty, '.', '..' or hidden, at most 160 bytes" },
	{ BASE "[upstream k.part]\n", SIP_EMODULE, "%s:11: bad upstream name "
	  "'k.part': expected a relative path of [A-Za-z0-9._+~-] components, "
	  "none empty, '.', '..' or hidden, at most 160 bytes" },
	{ BASE "[upstream a b]\n", SIP_EMODULE, "%s:11: bad section header: "
	  "expected [name] or [name name]" },
	{ BASE "[upstream a/-b]\n", SIP_EMODULE, "%s:11: bad upstream name "
	  "'a/-b': expected a relative path of [A-Za-z0-9._+~-] components, "
	  "none empty, '.', '..' or hidden, at most 160 bytes" },
	{ BASE "[upstream k]\nurl = k\nsize = 1\n", SIP_EMODULE,
	  "%s:11: [upstream k]: missing key 'sha256'" },
	{ BASE "[upstream k]\nurl = k\nsize = 1\nsha256 = abc\n", SIP_EMODULE,
	  "%s:14: [upstream k] sha256: 'abc' is not 64 hexadecimal digits" },
	{ BASE "[upstream k]\nurl = k\nsize = 1\nsha256 = 0x" ZEROS63 "\n",
	  SIP_EMODULE, "%s:14: [upstream k] sha256: '0x000000000000000000000"
	  "0000000000000000000000000000000000000...' is not 64 hexadecimal "
	  "digits" },
	{ BASE "[upstream k]\nurl = k\nsha256 = " ZEROS63 "0\n", SIP_EMODULE,
	  "%s:11: [upstream k]: missing key 'size'" },
	{ BASE "[upstream k]\nurl = k\nsha256 = " ZEROS63 "0\nsize = 0\n",
	  SIP_EMODULE, "%s:14: [upstream k] size: '0' is not an integer in "
	  "1..9223372036854775807" },
	{ BASE "[upstream k]\nsha256 = " ZEROS63 "0\nsize = 1\n", SIP_EMODULE,
	  "%s:11: [upstream k]: missing key 'url'" },
	{ BASE "[upstream k]\nurl = ../k\nsha256 = " ZEROS63 "0\nsize = 1\n",
	  SIP_EMODULE, "%s:12: [upstream k] url: '../k' is neither a relative "
	  "path under the mirror nor an http(s) URL" },
	{ BASE "[upstream k]\nurl = ftp://h/k\nsha256 = " ZEROS63 "0\n"
	  "size = 1\n", SIP_EMODULE, "%s:12: [upstream k] url: 'ftp://h/k' is "
	  "neither a relative path under the mirror nor an http(s) URL" },
	{ BASE "[upstream k]\nurl = http://h/a b\nsha256 = " ZEROS63 "0\n"
	  "size = 1\n", SIP_EMODULE, "%s:12: [upstream k] url: 'http://h/a b' "
	  "is not an http(s) URL" },
	{ BASE "[upstream k]\nurl = k\nsha256 = " ZEROS63 "0\nsize = 1\n"
	  "iso = x.iso\n", SIP_EMODULE, "%s:11: [upstream k]: 'iso' and "
	  "'member' go together" },
	{ BASE "[upstream k]\nurl = k\nsha256 = " ZEROS63 "0\nsize = 1\n"
	  "iso = x.iso\nmember = k\n", SIP_EMODULE, "%s:12: [upstream k]: a "
	  "member of an ISO has no url of its own (the ISO's [upstream] has)" },
	{ BASE "[upstream k]\nsha256 = " ZEROS63 "0\nsize = 1\n"
	  "iso = x.iso\nmember = k\n", SIP_EMODULE, "%s:14: [upstream k] iso: "
	  "no [upstream] of this file has url = x.iso" },
	{ BASE "[upstream k]\nsha256 = " ZEROS63 "0\nsize = 1\n"
	  "iso = x.iso\nmember = ../k\n", SIP_EMODULE, "%s:15: [upstream k] "
	  "member: '../k' is not a relative path in the ISO" },
	{ BASE "[upstream k]\nurl = k\nsha256 = " ZEROS63 "0\nsize = 1\n"
	  "[upstream k]\n", SIP_EMODULE, "%s:15: repeated section [upstream k] "
	  "(first at line 11)" },
	{ BASE "[upstream k]\nurl = k\nsha256 = " ZEROS63 "0\nsize = 1\n"
	  "path = k\n", SIP_EMODULE, "%s:15: unknown key 'path' in [upstream k]" },
	/* [copy NAME] */
	{ BASE "[copy k]\npackage = p1\n", SIP_EMODULE,
	  "%s:11: [copy k]: missing key 'from'" },
	{ BASE "[copy k]\nfrom = boot/k\n", SIP_EMODULE,
	  "%s:12: [copy k] from: 'boot/k' is not an absolute path of "
	  "[A-Za-z0-9._+~-] components" },
	{ BASE "[copy k]\nfrom = /boot/../etc/shadow\n", SIP_EMODULE,
	  "%s:12: [copy k] from: '/boot/../etc/shadow' is not an absolute path "
	  "of [A-Za-z0-9._+~-] components" },
	{ BASE "[copy k]\nfrom = /boot/k\npackage = Memtest\n", SIP_EMODULE,
	  "%s:13: [copy k] package: 'Memtest' is not a Debian package name" },
	{ BASE "[copy ../k]\n", SIP_EMODULE, "%s:11: bad copy name '../k': "
	  "expected a relative path of [A-Za-z0-9._+~-] components, none "
	  "empty, '.', '..' or hidden, at most 160 bytes" },
	{ BASE "[copy k]\nfrom = /boot/k\n[upstream k]\nurl = k\nsha256 = "
	  ZEROS63 "1\nsize = 1\n", SIP_EMODULE, "%s: 'k' is both an "
	  "[upstream] and a [copy]" },
	{ "[module]\nname = m\ndescription = M\nversion = 1\n"
	  "mirror = file:///srv\n", SIP_EMODULE, "%s:5: [module] mirror: "
	  "'file:///srv' is not an http:// or https:// URL" },
	{ "[module]\nname = m\ndescription = M\nversion = 1\n"
	  "mirror = http://\n", SIP_EMODULE, "%s:5: [module] mirror: "
	  "'http://' is not an http:// or https:// URL" },
};

static char	 tmp[] = "/tmp/sip-module-XXXXXX";

static void	 put(const char *, const char *, const char *);
static void	 rm_rf(const char *);
static void	 expand(char *, size_t, const char *, const char *);
static void	 test_demo(void);
static void	 test_bads(void);
static void	 test_templates(void);
static void	 test_limits(void);
static void	 test_path(void);
static void	 test_names(void);
static void	 test_resolve(void);
static void	 test_shipped(void);
static void	 test_man_example(void);
static void	 test_file_names(void);
static void	 test_files(void);
static void	 test_files_bad(void);
static void	 test_upstreams(void);
static void	 test_used_by(void);
static void	 test_file_kinds(void);

/* Write text to <tmp>/<dir>/<name>, making <tmp>/<dir>. */
static void
put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmp, dir);
	if (mkdir(path, 0755) == -1 && errno != EEXIST) {
		printf("Bail out! mkdir %s: %s\n", path, strerror(errno));
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", tmp, dir, name);
	if ((f = fopen(path, "w")) == NULL) {
		printf("Bail out! %s: %s\n", path, strerror(errno));
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static void
rm_rf(const char *path)
{
	char sub[1024];
	struct dirent *de;
	struct stat sb;
	DIR *d;

	if (lstat(path, &sb) == -1)
		return;
	if (S_ISDIR(sb.st_mode) && (d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			rm_rf(sub);
		}
		closedir(d);
		rmdir(path);
	} else
		unlink(path);
}

/* fmt with every "%s" replaced by arg. */
static void
expand(char *buf, size_t sz, const char *fmt, const char *arg)
{
	const char *p;
	size_t n = 0;

	buf[0] = '\0';
	while ((p = strstr(fmt, "%s")) != NULL && n < sz) {
		n += (size_t)snprintf(buf + n, sz - n, "%.*s%s",
		    (int)(p - fmt), fmt, arg);
		fmt = p + 2;
	}
	if (n < sz)
		snprintf(buf + n, sz - n, "%s", fmt);
}

static void
test_demo(void)
{
	struct sip_module *m = NULL;
	const struct sip_capability *c;
	const struct sip_option *o;
	struct sip_err err;
	struct sip_kv kv[6];
	struct sip_buf out;
	char dir[512];

	put("demo", "module.ini", DEMO);
	put("demo", "run.ipxe", RUN_IPXE);
	put("demo", "other.ipxe", "#!ipxe\necho {{mac}}\n");
	snprintf(dir, sizeof(dir), "%s/demo/", tmp);
	err.msg[0] = 'x';
	if (!is_int(sip_module_load(dir, &m, &err), SIP_OK, "demo: loads"))
		printf("# %s\n", err.msg);
	if (m == NULL)
		return;
	is_str(m->name, "demo", "demo: name");
	dir[strlen(dir) - 1] = '\0';
	is_str(m->dir, dir, "demo: dir, without the trailing slash");
	is_str(m->description, "Demo module", "demo: description");
	is_str(m->version, "1.2", "demo: version");
	is_int(m->ncaps, 2, "demo: two capabilities");

	c = &m->caps[0];
	is_str(c->name, "run", "run: name");
	is_str(c->description, "Run it", "run: description");
	is_str(c->template_file, "run.ipxe", "run: template");
	is_int(c->completion, SIP_COMPLETE_REPORT, "run: completion");
	is_int(c->max_boots, 2, "run: max_boots");
	is_int(c->expires, 86400, "run: expires");
	is_int(c->destructive, 1, "run: destructive");
	ok(c->tmpl != NULL, "run: template loaded");
	is_int(c->noptions, 4, "run: four options");

	o = &c->options[0];
	is_str(o->name, "passes", "passes: name, in manifest order");
	is_int(o->type, SIP_OPT_INTEGER, "passes: integer");
	is_str(o->description, "Number of passes", "passes: description");
	ok(o->min == 1 && o->max == 10, "passes: 1..10");
	is_str(o->def, "1", "passes: default");
	o = &c->options[1];
	is_str(o->name, "disk", "disk: name");
	is_int(o->type, SIP_OPT_ENUM, "disk: enum");
	ok(o->def == NULL, "disk: no default, required");
	ok(o->values != NULL && o->values[0] != NULL && o->values[1] != NULL &&
	    o->values[2] != NULL && o->values[3] == NULL &&
	    strcmp(o->values[0], "sda") == 0 &&
	    strcmp(o->values[1], "sdb") == 0 &&
	    strcmp(o->values[2], "nvme0n1") == 0,
	    "disk: values split on blanks, NULL-terminated");
	o = &c->options[2];
	is_str(o->name, "wipe", "wipe: name");
	is_int(o->type, SIP_OPT_BOOLEAN, "wipe: boolean");
	is_str(o->def, "no", "wipe: default");
	o = &c->options[3];
	is_str(o->name, "image", "image: name");
	is_int(o->type, SIP_OPT_NAME, "image: name type");
	is_str(o->pattern, "[A-Za-z0-9_]{1,32}", "image: pattern as written");
	ok(o->regex != NULL, "image: pattern compiled");
	is_int(o->max, 20, "image: maxlen kept in max");

	c = &m->caps[1];
	is_str(c->name, "other", "other: name");
	is_int(c->completion, SIP_COMPLETE_ONESHOT, "other: oneshot");
	is_int(c->max_boots, 0, "other: max_boots 0 = the configured one");
	is_int(c->expires, 0, "other: expires 0 = the configured one");
	is_int(c->destructive, 0, "other: not destructive");
	ok(c->noptions == 0 && c->options == NULL, "other: no options");

	ok(sip_module_capability(m, "run") == &m->caps[0],
	    "capability: run found");
	ok(sip_module_capability(m, "other") == &m->caps[1],
	    "capability: other found");
	ok(sip_module_capability(m, "walk") == NULL,
	    "capability: walk is not there");

	/* The options are template keys with their types. */
	kv[0].key = (char *)(uintptr_t)"mac";
	kv[0].value = (char *)(uintptr_t)"52:54:00:12:34:56";
	kv[1].key = (char *)(uintptr_t)"passes";
	kv[1].value = (char *)(uintptr_t)"3";
	kv[2].key = (char *)(uintptr_t)"disk";
	kv[2].value = (char *)(uintptr_t)"sda";
	kv[3].key = (char *)(uintptr_t)"wipe";
	kv[3].value = (char *)(uintptr_t)"no";
	kv[4].key = (char *)(uintptr_t)"image";
	kv[4].value = (char *)(uintptr_t)"win10";
	sip_buf_init(&out);
	is_int(sip_template_render(m->caps[0].tmpl, kv, 5, &out, &err), SIP_OK,
	    "run: renders with its options");
	is_str(out.data, "#!ipxe\necho 52:54:00:12:34:56 3 sda no win10\n",
	    "run: rendered text");
	sip_buf_free(&out);
	kv[1].value = (char *)(uintptr_t)"x";
	is_int(sip_template_render(m->caps[0].tmpl, kv, 5, &out, &err),
	    SIP_EINVAL, "run: an option value is checked by its type");
	sip_buf_free(&out);
	sip_module_free(m);
	sip_module_free(NULL);
	ok(1, "free: NULL is harmless");
}

static void
test_bads(void)
{
	struct sip_module *m;
	struct sip_err err;
	char file[512], dir[512], want[2048];
	size_t i;

	snprintf(file, sizeof(file), "%s/m/module.ini", tmp);
	put("m", "run.ipxe", "#!ipxe\necho {{mac}}\n");
	snprintf(dir, sizeof(dir), "%s/m", tmp);
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		put("m", "module.ini", bads[i].manifest);
		m = (struct sip_module *)&err;
		is_int(sip_module_load(dir, &m, &err), bads[i].rc,
		    "bad %zu: rc", i);
		expand(want, sizeof(want), bads[i].msg, file);
		is_str(err.msg, want, "bad %zu: message", i);
		ok(m == NULL, "bad %zu: no module returned", i);
	}
	/* The good base, to show the vectors fail for their one reason. */
	put("m", "module.ini", BASE);
	is_int(sip_module_load(dir, &m, &err), SIP_OK, "base: loads");
	sip_module_free(m);
	put("m", "module.ini", BASE "[option run.x]\ntype = name\n"
	    "description = X\npattern = a\nexists = image\n"
	    "exists_unless = share\n[option run.share]\ntype = name\n"
	    "description = S\npattern = none|//a\ndefault = none\n");
	if (is_int(sip_module_load(dir, &m, &err), SIP_OK,
	    "exists_unless = share, share with a default: loads"))
		is_str(m->caps[0].options[0].exists_unless, "share",
		    "... the option names it");
	else
		ok(0, "... %s", err.msg);
	sip_module_free(m);
	is_int(sip_module_load(file, &m, &err), SIP_EIO,
	    "load: a file is not a module directory");
}

static void
test_templates(void)
{
	struct sip_module *m;
	struct sip_err err;
	char dir[512], want[1024];

	snprintf(dir, sizeof(dir), "%s/m", tmp);
	put("m", "module.ini", BASE);

	put("m", "run.ipxe", "#!ipxe\necho {{nope}}\n");
	is_int(sip_module_load(dir, &m, &err), SIP_EMODULE,
	    "template: an unknown key is refused");
	snprintf(want, sizeof(want), "%s/run.ipxe:2: unknown key 'nope'", dir);
	is_str(err.msg, want, "template: ... naming file and line");

	put("m", "run.ipxe", "#!ipxe\necho {{x}}\n");
	is_int(sip_module_load(dir, &m, &err), SIP_EMODULE,
	    "template: an option of another capability is unknown");

	put("m", "module.ini", BASE "[option run.x]\ntype = boolean\n"
	    "description = X\ndefault = no\n");
	is_int(sip_module_load(dir, &m, &err), SIP_OK,
	    "template: ... but its own option is known");
	sip_module_free(m);

	put("m", "run.ipxe", "echo {{mac}}\n");
	is_int(sip_module_load(dir, &m, &err), SIP_EMODULE,
	    "template: without #!ipxe it is refused");
	snprintf(want, sizeof(want), "%s/run.ipxe:1: the first line must be "
	    "#!ipxe", dir);
	is_str(err.msg, want, "template: ... with the template's message");

	put("m", "run.ipxe", "#!ipxe\n{{mac}}\n");
	is_int(sip_module_load(dir, &m, &err), SIP_EMODULE,
	    "template: a placeholder starting a line is refused");

	snprintf(want, sizeof(want), "%s/m/run.ipxe", tmp);
	unlink(want);
	is_int(sip_module_load(dir, &m, &err), SIP_EMODULE,
	    "template: a missing template is a module error");
	snprintf(want, sizeof(want), "%s/run.ipxe: No such file or directory",
	    dir);
	is_str(err.msg, want, "template: ... naming the file");
	put("m", "run.ipxe", "#!ipxe\necho {{mac}}\n");

	snprintf(want, sizeof(want), "%s/none", tmp);
	is_int(sip_module_load(want, &m, &err), SIP_ENOTFOUND,
	    "load: a directory without module.ini is SIP_ENOTFOUND");
}

/*
 * A persistent capability that says no bound gets the persistent ones,
 * not [actions]' (4h would end a thin client the same afternoon); its
 * bounds go up to them.
 */
static void
test_persistent(void)
{
	struct sip_module *m = NULL;
	const struct sip_capability *c;
	struct sip_err err;
	char dir[256];

	put("m", "module.ini", PERSIST "destructive = no\n");
	put("m", "run.ipxe", "#!ipxe\necho {{mac}}\n");
	snprintf(dir, sizeof(dir), "%s/m", tmp);
	if (!is_int(sip_module_load(dir, &m, &err), SIP_OK,
	    "persistent: loads"))
		printf("# %s\n", err.msg);
	c = m != NULL ? sip_module_capability(m, "run") : NULL;
	ok(c != NULL && c->completion == SIP_COMPLETE_PERSISTENT &&
	    c->max_boots == SIP_PERSISTENT_MAX_BOOTS &&
	    c->expires == SIP_PERSISTENT_EXPIRES && !c->destructive,
	    "persistent: 1000 boots and 365d when it says none");
	sip_module_free(m);
	m = NULL;
	put("m", "module.ini", PERSIST "destructive = no\nmax_boots = 1000\n"
	    "expires = 365d\n");
	is_int(sip_module_load(dir, &m, &err), SIP_OK,
	    "persistent: max_boots 1000, expires 365d load");
	sip_module_free(m);
	m = NULL;
	put("m", "module.ini", PERSIST "destructive = no\nmax_boots = 7\n"
	    "expires = 2d\n");
	is_int(sip_module_load(dir, &m, &err), SIP_OK,
	    "persistent: its own smaller bounds load");
	c = m != NULL ? sip_module_capability(m, "run") : NULL;
	ok(c != NULL && c->max_boots == 7 && c->expires == 2 * 86400,
	    "persistent: ... and are kept");
	sip_module_free(m);
}

static void
test_limits(void)
{
	struct sip_module *m;
	struct sip_err err;
	char *text, dir[256], want[1024];
	size_t i, n;

	/* 64 capabilities are fine, the 65th is refused. */
	n = 65 * 120 + 200;
	if ((text = malloc(n)) == NULL)
		return;
	snprintf(text, n, "[module]\nname = m\ndescription = M\nversion = 1\n");
	for (i = 0; i < 65; i++)
		snprintf(text + strlen(text), n - strlen(text),
		    "[capability c%zu]\ndescription = C\ntemplate = run.ipxe\n"
		    "completion = oneshot\ndestructive = no\n", i);
	put("m", "module.ini", text);
	snprintf(dir, sizeof(dir), "%s/m", tmp);
	is_int(sip_module_load(dir, &m, &err), SIP_EMODULE,
	    "limits: 65 capabilities are refused");
	snprintf(want, sizeof(want), "%s/module.ini:325: more than 64 "
	    "[capability] sections", dir);
	is_str(err.msg, want, "limits: ... at the 65th");
	*strstr(text, "[capability c64]") = '\0';
	put("m", "module.ini", text);
	is_int(sip_module_load(dir, &m, &err), SIP_OK,
	    "limits: 64 capabilities load");
	is_int(m != NULL ? m->ncaps : 0, 64, "limits: ... all of them");
	sip_module_free(m);

	/* Patterns an admin writes stay well inside the copy limit. */
	{
		static const char *const patterns[] = {
			"[a-z][a-z0-9-]{0,62}",
			"([a-z]+|[0-9]+)(-[a-z0-9]+)*",
			"[0-9]{1,3}(\\.[0-9]{1,3}){3}",
			"(win|linux)-[a-z0-9_]{1,32}(\\.img)?",
			"[[:alnum:]]{1,64}",
		};

		for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
			snprintf(text, n, "%s[option run.x]\ntype = name\n"
			    "description = X\npattern = %s\n", BASE,
			    patterns[i]);
			put("m", "module.ini", text);
			if (!is_int(sip_module_load(dir, &m, &err), SIP_OK,
			    "limits: pattern %s loads", patterns[i]))
				printf("# %s\n", err.msg);
			sip_module_free(m);
		}
	}

	snprintf(text, n, "%s", BASE);
	for (i = 0; i < 65; i++)
		snprintf(text + strlen(text), n - strlen(text),
		    "[option run.o%zu]\ntype = boolean\ndescription = O\n"
		    "default = no\n", i);
	put("m", "module.ini", text);
	is_int(sip_module_load(dir, &m, &err), SIP_EMODULE,
	    "limits: 65 options are refused");
	snprintf(want, sizeof(want), "%s/module.ini:267: more than 64 options "
	    "for capability run", dir);
	is_str(err.msg, want, "limits: ... at the 65th");
	free(text);
	put("m", "module.ini", BASE);
}

static void
test_path(void)
{
	struct sip_module **ms, *m;
	struct sip_err err;
	char path[512], want[1024];
	size_t n;

	put("p1", ".keep", "");
	put("p2", "plainfile", "not a directory\n");
	put("p3", ".keep", "");
	put("p1/a", "module.ini", "[module]\nname = a\ndescription = A1\n"
	    "version = 1\n[capability x]\ndescription = X\ntemplate = x.ipxe\n"
	    "completion = oneshot\ndestructive = no\n");
	put("p1/a", "x.ipxe", "#!ipxe\necho a\n");
	put("p1/b", "module.ini", "[module]\nname = b\ndescription = B1\n"
	    "version = 1\n[capability x]\ndescription = X\ntemplate = x.ipxe\n"
	    "completion = oneshot\ndestructive = no\n");
	put("p1/b", "x.ipxe", "#!ipxe\necho b\n");
	put("p2/b", "module.ini", "[module]\nname = b\ndescription = B2\n"
	    "version = 1\n[capability x]\ndescription = X\ntemplate = x.ipxe\n"
	    "completion = oneshot\ndestructive = no\n");
	put("p2/b", "x.ipxe", "#!ipxe\necho b2\n");
	put("p2/c", "module.ini", "[module]\nname = c\ndescription = C2\n"
	    "version = 1\n[capability x]\ndescription = X\ntemplate = x.ipxe\n"
	    "completion = oneshot\ndestructive = no\n");
	put("p2/c", "x.ipxe", "#!ipxe\necho c\n");
	put("p2/nomanifest", "README", "not a module\n");
	put("p2/.hidden", "module.ini", "broken\n");

	snprintf(path, sizeof(path), "%s/p1::%s/absent:%s/p2", tmp, tmp, tmp);
	if (!is_int(sip_module_scan(path, &ms, &n, &err), SIP_OK,
	    "scan: loads the path"))
		printf("# %s\n", err.msg);
	is_int(n, 3, "scan: three modules (b once, non-modules skipped)");
	if (n == 3) {
		is_str(ms[0]->name, "a", "scan: sorted, a");
		is_str(ms[1]->name, "b", "scan: sorted, b");
		is_str(ms[1]->description, "B1", "scan: b from p1, first wins");
		is_str(ms[2]->name, "c", "scan: sorted, c");
	}
	sip_modules_free(ms, n);
	sip_modules_free(NULL, 0);

	snprintf(want, sizeof(want), "%s/absent", tmp);
	is_int(sip_module_scan(want, &ms, &n, &err), SIP_OK,
	    "scan: a missing directory is skipped");
	ok(n == 0 && ms == NULL, "scan: ... and nothing found");

	put("p3/bad", "module.ini", "[module]\nname = worse\n");
	snprintf(path, sizeof(path), "%s/p1:%s/p3", tmp, tmp);
	is_int(sip_module_scan(path, &ms, &n, &err), SIP_EMODULE,
	    "scan: a broken module stops the scan");
	snprintf(want, sizeof(want), "%s/p3/bad/module.ini:2: [module] name: "
	    "'worse' is not the name of the directory ('bad')", tmp);
	is_str(err.msg, want, "scan: ... with its message");
	ok(ms == NULL && n == 0, "scan: ... and nothing returned");

	snprintf(path, sizeof(path), "%s/p1:%s/p2", tmp, tmp);
	is_int(sip_module_find(path, "b", &m, &err), SIP_OK, "find: b");
	is_str(m != NULL ? m->description : NULL, "B1", "find: first wins");
	sip_module_free(m);
	is_int(sip_module_find(path, "c", &m, &err), SIP_OK,
	    "find: c, in the second directory");
	sip_module_free(m);
	is_int(sip_module_find(path, "z", &m, &err), SIP_ENOTFOUND,
	    "find: z is not there");
	snprintf(want, sizeof(want), "module 'z' not found in %s", path);
	is_str(err.msg, want, "find: ... with a message");
	ok(m == NULL, "find: ... and no module");
	is_int(sip_module_find(path, "nomanifest", &m, &err), SIP_ENOTFOUND,
	    "find: a directory without module.ini is not a module");
	is_int(sip_module_find(path, "../p1/a", &m, &err), SIP_EINVAL,
	    "find: a path is not a module name");
	is_str(err.msg, "'../p1/a' is not a module name "
	    "([a-z][a-z0-9_-]{0,31})", "find: ... and is said so");
	is_int(sip_module_find(path, "B", &m, &err), SIP_EINVAL,
	    "find: upper case is not a module name");
	is_int(sip_module_find(path, "", &m, &err), SIP_EINVAL,
	    "find: nor is the empty name");
	snprintf(path, sizeof(path), "%s/p3:%s/p1", tmp, tmp);
	is_int(sip_module_find(path, "bad", &m, &err), SIP_EMODULE,
	    "find: a broken module is an error, not a miss");
}

static void
test_names(void)
{
	static const struct {
		const char	*s;
		enum sip_rc	 rc;
		const char	*mod, *cap;
	} v[] = {
		{ "memtest:run", SIP_OK, "memtest", "run" },
		{ "se3-clone_2:save-disk_1", SIP_OK, "se3-clone_2",
		  "save-disk_1" },
		{ "abcdefghijklmnopqrstuvwxyz012345:abcdefghijklmnopqrstuvwxyz"
		  "012345", SIP_OK, "abcdefghijklmnopqrstuvwxyz012345",
		  "abcdefghijklmnopqrstuvwxyz012345" },
		{ "abcdefghijklmnopqrstuvwxyz0123456:run", SIP_EINVAL, "", "" },
		{ "memtest:abcdefghijklmnopqrstuvwxyz0123456", SIP_EINVAL, "",
		  "" },
		{ "memtest", SIP_EINVAL, "", "" },
		{ ":run", SIP_EINVAL, "", "" },
		{ "memtest:", SIP_EINVAL, "", "" },
		{ "memtest:run:x", SIP_EINVAL, "", "" },
		{ "Memtest:run", SIP_EINVAL, "", "" },
		{ "memtest:Run", SIP_EINVAL, "", "" },
		{ "mem test:run", SIP_EINVAL, "", "" },
		{ "memtest:run ", SIP_EINVAL, "", "" },
		{ "../x:run", SIP_EINVAL, "", "" },
		{ "", SIP_EINVAL, "", "" },
	};
	char mod[SIP_NAME_MAX], cap[SIP_NAME_MAX];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		mod[0] = cap[0] = '\0';
		is_int(sip_action_name_split(v[i].s, mod, cap), v[i].rc,
		    "split '%s': rc", v[i].s);
		if (v[i].rc == SIP_OK)
			ok(strcmp(mod, v[i].mod) == 0 &&
			    strcmp(cap, v[i].cap) == 0, "split '%s': %s + %s",
			    v[i].s, v[i].mod, v[i].cap);
	}
	is_str(sip_completion_name(SIP_COMPLETE_ONESHOT), "oneshot",
	    "completion name: oneshot");
	is_str(sip_completion_name(SIP_COMPLETE_REPORT), "report",
	    "completion name: report");
	is_str(sip_completion_name(SIP_COMPLETE_PERSISTENT), "persistent",
	    "completion name: persistent");
	is_str(sip_completion_name(SIP_COMPLETE__MAX), "unknown",
	    "completion name: out of range");
	is_str(sip_opt_type_name(SIP_OPT_ENUM), "enum", "type name: enum");
	is_str(sip_opt_type_name(SIP_OPT_INTEGER), "integer",
	    "type name: integer");
	is_str(sip_opt_type_name(SIP_OPT_BOOLEAN), "boolean",
	    "type name: boolean");
	is_str(sip_opt_type_name(SIP_OPT_NAME), "name", "type name: name");
	is_str(sip_opt_type_name(SIP_OPT__MAX), "unknown",
	    "type name: out of range");
}

static void
test_resolve(void)
{
	static const struct {
		const char	*as[5];
		enum sip_rc	 rc;
		const char	*want;	/* "k=v k=v", or the message */
	} v[] = {
		{ { "disk=sda", "image=win10" }, SIP_OK,
		  "passes=1 disk=sda wipe=no image=win10" },
		{ { "image=x", "wipe=yes", "passes=10", "disk=nvme0n1" },
		  SIP_OK, "passes=10 disk=nvme0n1 wipe=yes image=x" },
		{ { "disk=sdb", "image=abcdefghijklmnopqrst", "passes=01" },
		  SIP_OK, "passes=01 disk=sdb wipe=no "
		  "image=abcdefghijklmnopqrst" },
		{ { "disk" }, SIP_EINVAL,
		  "capability run: 'disk': expected OPTION=VALUE" },
		{ { "foo=1" }, SIP_EINVAL, "capability run: unknown option "
		  "'foo' (options: passes disk wipe image)" },
		{ { "=1" }, SIP_EINVAL, "capability run: unknown option '' "
		  "(options: passes disk wipe image)" },
		{ { "Disk=sda" }, SIP_EINVAL, "capability run: unknown option "
		  "'Disk' (options: passes disk wipe image)" },
		{ { "disk=sda", "disk=sdb" }, SIP_EINVAL,
		  "capability run: option 'disk' given twice" },
		{ { "disk=sda", "image=x", "disk=sda" }, SIP_EINVAL,
		  "capability run: option 'disk' given twice" },
		{ { "disk=sdc", "image=x" }, SIP_EINVAL, "capability run: "
		  "option disk: 'sdc' is not a valid enum: expected one of: "
		  "sda sdb nvme0n1" },
		{ { "disk=", "image=x" }, SIP_EINVAL, "capability run: option "
		  "disk: '' is not a valid enum: expected one of: sda sdb "
		  "nvme0n1" },
		{ { "passes=11" }, SIP_EINVAL, "capability run: option passes: "
		  "'11' is not a valid integer: expected an integer in 1..10" },
		{ { "passes=0" }, SIP_EINVAL, "capability run: option passes: "
		  "'0' is not a valid integer: expected an integer in 1..10" },
		{ { "passes=-1" }, SIP_EINVAL, "capability run: option passes: "
		  "'-1' is not a valid integer: expected an integer in 1..10" },
		{ { "passes=2x" }, SIP_EINVAL, "capability run: option passes: "
		  "'2x' is not a valid integer: expected an integer in 1..10" },
		{ { "passes= 2" }, SIP_EINVAL, "capability run: option passes: "
		  "' 2' is not a valid integer: expected an integer in 1..10" },
		{ { "passes=99999999999999999999" }, SIP_EINVAL,
		  "capability run: option passes: '99999999999999999999' is "
		  "not a valid integer: expected an integer in 1..10" },
		{ { "wipe=true" }, SIP_EINVAL, "capability run: option wipe: "
		  "'true' is not a valid boolean: expected yes or no" },
		{ { "wipe=YES" }, SIP_EINVAL, "capability run: option wipe: "
		  "'YES' is not a valid boolean: expected yes or no" },
		{ { "image=a.b" }, SIP_EINVAL, "capability run: option image: "
		  "'a.b' is not a valid name: expected a name of at most 20 "
		  "bytes matching [A-Za-z0-9_]{1,32}" },
		{ { "image=abcdefghijklmnopqrstu" }, SIP_EINVAL, "capability "
		  "run: option image: 'abcdefghijklmnopqrstu' is not a valid "
		  "name: expected a name of at most 20 bytes matching "
		  "[A-Za-z0-9_]{1,32}" },
		{ { "image=" }, SIP_EINVAL, "capability run: option image: '' "
		  "is not a valid name: expected a name of at most 20 bytes "
		  "matching [A-Za-z0-9_]{1,32}" },
		{ { "image=x y" }, SIP_EINVAL, "capability run: option image: "
		  "'x y' is not a valid name: expected a name of at most 20 "
		  "bytes matching [A-Za-z0-9_]{1,32}" },
		{ { "disk=sda" }, SIP_EINVAL,
		  "capability run: option 'image' is required" },
		{ { NULL }, SIP_EINVAL,
		  "capability run: option 'disk' is required" },
	};
	struct sip_module *m = NULL;
	const struct sip_capability *c;
	struct sip_kv *kv;
	struct sip_err err;
	char dir[512], got[512];
	size_t i, j, n, nkv;

	snprintf(dir, sizeof(dir), "%s/demo", tmp);
	if (sip_module_load(dir, &m, &err) != SIP_OK) {
		ok(0, "resolve: demo loads: %s", err.msg);
		return;
	}
	c = sip_module_capability(m, "run");
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		for (n = 0; n < 5 && v[i].as[n] != NULL; n++)
			continue;
		kv = (struct sip_kv *)&err;
		nkv = 99;
		err.msg[0] = '\0';
		is_int(sip_options_resolve(c, (char *const *)(uintptr_t)v[i].as,
		    n, &kv, &nkv, &err), v[i].rc, "resolve %zu: rc", i);
		if (v[i].rc == SIP_OK) {
			got[0] = '\0';
			for (j = 0; j < nkv; j++)
				snprintf(got + strlen(got),
				    sizeof(got) - strlen(got), "%s%s=%s",
				    j ? " " : "", kv[j].key, kv[j].value);
			is_str(got, v[i].want, "resolve %zu: every option, "
			    "in manifest order", i);
			sip_kv_free(kv, nkv);
		} else {
			is_str(err.msg, v[i].want, "resolve %zu: message", i);
			ok(kv == NULL && nkv == 0, "resolve %zu: nothing out",
			    i);
		}
	}

	c = sip_module_capability(m, "other");
	is_int(sip_options_resolve(c, NULL, 0, &kv, &nkv, &err), SIP_OK,
	    "resolve: no options, no assignments");
	ok(kv == NULL && nkv == 0, "resolve: ... an empty list");
	{
		char *as[] = { (char *)(uintptr_t)"x=1" };

		is_int(sip_options_resolve(c, as, 1, &kv, &nkv, &err),
		    SIP_EINVAL, "resolve: an option where there are none");
		is_str(err.msg, "capability other: unknown option 'x' "
		    "(options: none)", "resolve: ... says there are none");
	}
	sip_kv_free(NULL, 0);
	sip_module_free(m);
}

/* The manual's example loads, and fails the way the manual says. */
static void
test_man_example(void)
{
	char *good[] = { (char *)(uintptr_t)"image=win10_2026",
	    (char *)(uintptr_t)"disk=nvme0n1" };
	char *bad[] = { (char *)(uintptr_t)"image=win10",
	    (char *)(uintptr_t)"disk=sdc" };
	struct sip_module *m;
	const struct sip_capability *c;
	struct sip_kv *kv;
	struct sip_err err;
	char dir[512];
	size_t n;

	put("clone", "module.ini", MAN_CLONE);
	put("clone", "restore.ipxe", MAN_RESTORE);
	snprintf(dir, sizeof(dir), "%s/clone", tmp);
	if (!is_int(sip_module_load(dir, &m, &err), SIP_OK,
	    "manual: the clone example loads"))
		printf("# %s\n", err.msg);
	if (m == NULL || (c = sip_module_capability(m, "restore")) == NULL)
		return;
	ok(c->destructive && c->completion == SIP_COMPLETE_REPORT &&
	    c->noptions == 4, "manual: clone:restore as described");
	is_int(sip_options_resolve(c, good, 2, &kv, &n, &err), SIP_OK,
	    "manual: its set-action example resolves");
	sip_kv_free(kv, n);
	is_int(sip_options_resolve(c, bad, 2, &kv, &n, &err), SIP_EINVAL,
	    "manual: its mistake is refused");
	is_str(err.msg, "capability restore: option disk: 'sdc' is not a "
	    "valid enum: expected one of: sda sdb nvme0n1",
	    "manual: ... with the message it shows");
	sip_module_free(m);
}

/* Upstream files: a module of files alone, an ISO and its members. */
static void
test_upstreams(void)
{
	struct sip_module *m;
	struct sip_err err;
	char dir[512];

	put("m", "module.ini", "[module]\nname = m\ndescription = M\n"
	    "version = 1\nmirror = https://mirror.example/pub/\n"
	    "[upstream boot/x.iso]\nurl = r/1.0/x-1.0.iso\n"
	    "sha256 = " ZEROS63 "A\nsize = 1000\n"
	    "[upstream k/vmlinuz]\nsha256 = " ZEROS63 "b\nsize = 10\n"
	    "iso = r/1.0/x-1.0.iso\nmember = live/vmlinuz\n"
	    "[upstream wimboot]\nurl = https://h.example/v2/wimboot\n"
	    "sha256 = " ZEROS63 "c\nsize = 5\n");
	snprintf(dir, sizeof(dir), "%s/m", tmp);
	if (!is_int(sip_module_load(dir, &m, &err), SIP_OK,
	    "upstream: a module of files alone loads"))
		printf("# %s\n", err.msg);
	if (m == NULL)
		return;
	is_int(m->ncaps, 0, "upstream: no capability");
	is_str(m->mirror, "https://mirror.example/pub/", "upstream: mirror");
	is_int(m->nups, 3, "upstream: three files");
	if (m->nups == 3) {
		is_str(m->ups[0].name, "boot/x.iso", "upstream 0: name");
		is_str(m->ups[0].url, "r/1.0/x-1.0.iso", "upstream 0: url");
		is_str(m->ups[0].sha256, ZEROS63 "a",
		    "upstream 0: sha256 in lower case");
		is_int(m->ups[0].size, 1000, "upstream 0: size");
		is_int(m->ups[0].iso, -1, "upstream 0: not from an ISO");
		ok(m->ups[1].url == NULL, "upstream 1: no url");
		is_int(m->ups[1].iso, 0, "upstream 1: from upstream 0");
		is_str(m->ups[1].member, "live/vmlinuz", "upstream 1: member");
		is_str(m->ups[2].url, "https://h.example/v2/wimboot",
		    "upstream 2: an absolute url");
	}
	sip_module_free(m);
	put("m", "module.ini", "[module]\nname = m\ndescription = M\n"
	    "version = 1\n[copy boot/memtest.bin]\n"
	    "from = /boot/memtest86+x64.bin\npackage = memtest86+\n");
	if (!is_int(sip_module_load(dir, &m, &err), SIP_OK,
	    "copy: a module of a package's files loads"))
		printf("# %s\n", err.msg);
	if (m != NULL && m->nups == 1) {
		is_str(m->ups[0].name, "boot/memtest.bin", "copy: name");
		is_str(m->ups[0].from, "/boot/memtest86+x64.bin", "copy: from");
		is_str(m->ups[0].package, "memtest86+", "copy: package");
		ok(m->ups[0].url == NULL && m->ups[0].iso == -1,
		    "copy: no url, no ISO");
	} else
		ok(0, "copy: one file");
	sip_module_free(m);
	put("m", "module.ini", "[module]\nname = m\ndescription = M\n"
	    "version = 1\n");
	is_int(sip_module_load(dir, &m, &err), SIP_EMODULE,
	    "upstream: no capability and no upstream: refused");
}

/*
 * used_by: which actions boot with a file, by capability and option
 * values; an action stored without the option has its default.
 */
static void
test_used_by(void)
{
	static char key[] = "mode", vb[] = "b", va[] = "a";
	const struct sip_kv b[] = { { key, vb } }, a[] = { { key, va } };
	struct sip_module *m;
	struct sip_err err;
	char dir[512];

	put("u", "run.ipxe", "#!ipxe\necho {{mac}}\n");
	put("u", "module.ini", "[module]\nname = u\ndescription = U\n"
	    "version = 1\n"
	    "[capability run]\ndescription = R\ntemplate = run.ipxe\n"
	    "completion = report\ndestructive = no\n"
	    "[option run.mode]\ntype = enum\ndescription = M\n"
	    "values = a b\ndefault = a\n"
	    "[capability other]\ndescription = O\ntemplate = run.ipxe\n"
	    "completion = report\ndestructive = no\n"
	    "[upstream x]\nurl = x\nsha256 = " ZEROS63 "a\nsize = 1\n"
	    "used_by = run  mode=b\n"
	    "[upstream y]\nurl = y\nsha256 = " ZEROS63 "b\nsize = 1\n"
	    "[copy z]\nfrom = /boot/z\nused_by = run mode=a\n");
	snprintf(dir, sizeof(dir), "%s/u", tmp);
	if (!is_int(sip_module_load(dir, &m, &err), SIP_OK,
	    "used_by: loads"))
		printf("# %s\n", err.msg);
	if (m == NULL || m->nups != 3)
		return;
	is_str(m->ups[0].used_cap, "run", "used_by: the capability");
	ok(m->ups[0].nused_opts == 1 &&
	    strcmp(m->ups[0].used_opts[0].key, "mode") == 0 &&
	    strcmp(m->ups[0].used_opts[0].value, "b") == 0,
	    "used_by: mode=b (blanks between the words)");
	ok(m->ups[1].used_cap == NULL, "no used_by: no capability named");
	is_int(sip_upstream_needed(m, 0, "run", b, 1), 1,
	    "needed: run mode=b needs x");
	is_int(sip_upstream_needed(m, 0, "run", a, 1), 0,
	    "needed: run mode=a does not");
	is_int(sip_upstream_needed(m, 0, "run", NULL, 0), 0,
	    "needed: run stored without mode has its default, a: no");
	is_int(sip_upstream_needed(m, 2, "run", NULL, 0), 1,
	    "needed: ... and so needs the copy used by mode=a");
	is_int(sip_upstream_needed(m, 0, "other", b, 1), 0,
	    "needed: another capability does not need x");
	is_int(sip_upstream_needed(m, 1, "other", NULL, 0), 1,
	    "needed: without used_by, every capability needs y");
	is_int(sip_upstream_needed(m, 1, "gone", NULL, 0), 0,
	    "needed: a capability the module no longer has needs nothing");
	sip_module_free(m);
}

/* The modules shipped in the tree: the tests run from its root. */
static void
test_shipped(void)
{
	struct sip_module **ms, *m;
	const struct sip_capability *c;
	struct sip_err err;
	struct sip_kv kv[8], *opts;
	struct sip_buf out;
	size_t n, nopts, i;

	sip_template_fragments_set("templates");	/* the shipped fragments */
	if (!is_int(sip_module_scan("modules", &ms, &n, &err), SIP_OK,
	    "shipped: modules/ scans"))
		printf("# %s\n", err.msg);
	/* Others come and go (issue 9): these two are always there. */
	for (nopts = 0, i = 0; i < n; i++)
		nopts += strcmp(ms[i]->name, "local") == 0 ||
		    strcmp(ms[i]->name, "memtest") == 0;
	is_int(nopts, 2, "shipped: local and memtest among %zu modules", n);
	sip_modules_free(ms, n);

	is_int(sip_module_find("modules", "local", &m, &err), SIP_OK,
	    "local: found");
	if (m != NULL && (c = sip_module_capability(m, "boot")) != NULL) {
		ok(c->completion == SIP_COMPLETE_ONESHOT && c->max_boots == 1 &&
		    !c->destructive && c->noptions == 0,
		    "local:boot: oneshot, once, not destructive, no options");
	} else
		ok(0, "local:boot exists");
	sip_module_free(m);

	/* A thin client and a diskless machine boot the action every time. */
	for (i = 0; i < 2; i++) {
		m = NULL;
		is_int(sip_module_find("modules", i == 0 ? "ltsp" : "iscsi",
		    &m, &err), SIP_OK, "%s: found", i == 0 ? "ltsp" : "iscsi");
		c = m != NULL ? sip_module_capability(m, "boot") : NULL;
		ok(c != NULL && c->completion == SIP_COMPLETE_PERSISTENT &&
		    c->max_boots == SIP_PERSISTENT_MAX_BOOTS &&
		    c->expires == SIP_PERSISTENT_EXPIRES && !c->destructive,
		    "%s:boot: persistent, 1000 boots, 365d",
		    i == 0 ? "ltsp" : "iscsi");
		sip_module_free(m);
	}

	if (!is_int(sip_module_find("modules", "memtest", &m, &err), SIP_OK,
	    "memtest: found"))
		printf("# %s\n", err.msg);
	if (m == NULL || (c = sip_module_capability(m, "run")) == NULL) {
		ok(0, "memtest:run exists");
		return;
	}
	is_str(m->dir, "modules/memtest", "memtest: dir");
	ok(c->completion == SIP_COMPLETE_ONESHOT && c->max_boots == 1 &&
	    c->expires == 86400 && !c->destructive && c->noptions == 0,
	    "memtest:run: oneshot, once, 1d, not destructive, no options");
	is_int(sip_options_resolve(c, NULL, 0, &opts, &nopts, &err), SIP_OK,
	    "memtest:run: resolves without options");

	kv[0].key = (char *)(uintptr_t)"mac";
	kv[0].value = (char *)(uintptr_t)"52:54:00:12:34:56";
	kv[1].key = (char *)(uintptr_t)"module_url";
	kv[1].value = (char *)(uintptr_t)"http://10.0.2.100/se3-ipxe/memtest";
	kv[2].key = (char *)(uintptr_t)"local_pcbios";
	kv[2].value = (char *)(uintptr_t)"sanboot";
	kv[3].key = (char *)(uintptr_t)"local_efi";
	kv[3].value = (char *)(uintptr_t)"exit";
	kv[4].key = (char *)(uintptr_t)"action_id";
	kv[4].value = (char *)(uintptr_t)"42";
	sip_buf_init(&out);
	is_int(sip_template_render(c->tmpl, kv, 5, &out, &err), SIP_OK,
	    "memtest:run: renders");
	ok(out.data != NULL && strncmp(out.data, "#!ipxe\n", 7) == 0,
	    "memtest:run: starts with #!ipxe");
	ok(out.data != NULL && strstr(out.data, "\nkernel http://10.0.2.100/"
	    "se3-ipxe/memtest/${memtest_bin} || goto failed\n") != NULL,
	    "memtest:run: BIOS kernel line");
	ok(out.data != NULL && strstr(out.data, "\nchain http://10.0.2.100/"
	    "se3-ipxe/memtest/memtest86+x64.efi || goto failed\n") != NULL,
	    "memtest:run: EFI chain line");
	ok(out.data != NULL && strstr(out.data, "\niseq ${platform} efi && "
	    "goto local_efi_exit || goto local_pcbios_sanboot\n") != NULL,
	    "memtest:run: falls back to the local disk");
	sip_buf_free(&out);
	sip_module_free(m);
}

/* File names a capability may declare and a client may ask for. */
static void
test_file_names(void)
{
	static const struct {
		const char	*name;
		enum sip_rc	 rc;
	} v[] = {
		{ "preseed.cfg", SIP_OK },
		{ "a", SIP_OK },
		{ "A", SIP_OK },
		{ "0", SIP_OK },
		{ "Preseed-2_x.CFG", SIP_OK },
		{ "a..b", SIP_OK },
		{ "x.", SIP_OK },
		{ "_x", SIP_OK },
		{ "-x", SIP_OK },
		{ NAME64, SIP_OK },
		{ NAME65, SIP_EINVAL },
		{ "", SIP_EINVAL },
		{ ".", SIP_EINVAL },
		{ "..", SIP_EINVAL },
		{ ".x", SIP_EINVAL },
		{ ".preseed.cfg", SIP_EINVAL },
		{ "../x", SIP_EINVAL },
		{ "a/b", SIP_EINVAL },
		{ "/a", SIP_EINVAL },
		{ "a/", SIP_EINVAL },
		{ "a b", SIP_EINVAL },
		{ " a", SIP_EINVAL },
		{ "a ", SIP_EINVAL },
		{ "a\tb", SIP_EINVAL },
		{ "a\n", SIP_EINVAL },
		{ "a\r", SIP_EINVAL },
		{ "a\\b", SIP_EINVAL },
		{ "a%2fb", SIP_EINVAL },
		{ "a:b", SIP_EINVAL },
		{ "a;b", SIP_EINVAL },
		{ "a,b", SIP_EINVAL },
		{ "a?b", SIP_EINVAL },
		{ "a#b", SIP_EINVAL },
		{ "a&b", SIP_EINVAL },
		{ "a=b", SIP_EINVAL },
		{ "a+b", SIP_EINVAL },
		{ "a~", SIP_EINVAL },
		{ "a@b", SIP_EINVAL },
		{ "${x}", SIP_EINVAL },
		{ "a*", SIP_EINVAL },
		{ "pr\xc3\xa9seed", SIP_EINVAL },
		{ "\x7f", SIP_EINVAL },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		is_int(sip_file_name_check(v[i].name), v[i].rc,
		    "file name '%s'", v[i].name);
}

static void
test_files(void)
{
	static const char names8[] = "files = f1 f2 f3 f4 f5 f6 f7 f8\n";
	struct sip_module *m = NULL;
	const struct sip_capability *c;
	struct sip_err err;
	struct sip_kv kv[4];
	struct sip_buf out;
	char dir[512], name[8];
	size_t i;

	put("f", ".keep", "");
	snprintf(dir, sizeof(dir), "%s/f/m", tmp);
	put("f/m", "run.ipxe", "#!ipxe\nkernel {{file_url}}/preseed.cfg?"
	    "token={{token}} disk={{disk}}\n");
	put("f/m", "other.ipxe", "#!ipxe\necho {{mac}}\n");
	put("f/m", "preseed.cfg", PRESEED);

	/* One file. */
	put("f/m", "module.ini", BASE_R "files = preseed.cfg\n" DISK_OPTION);
	if (!is_int(sip_module_load(dir, &m, &err), SIP_OK, "files: one "
	    "file loads"))
		printf("# %s\n", err.msg);
	if (m != NULL) {
		c = &m->caps[0];
		is_int(c->nfiles, 1, "files: one file");
		is_str(c->files[0], "preseed.cfg", "files: its name");
		ok(c->file_tmpls[0] != NULL && c->file_tmpls[0] != c->tmpl,
		    "files: its template, apart from the iPXE one");
		ok(c->files[1] == NULL && c->file_tmpls[1] == NULL,
		    "files: nothing past nfiles");
		kv[0].key = UNCONST("mac");
		kv[0].value = UNCONST("52:54:00:12:34:56");
		kv[1].key = UNCONST("disk");
		kv[1].value = UNCONST("vda");
		kv[2].key = UNCONST("file_url");
		kv[2].value = UNCONST("http://se3/cgi-bin/ipxe.cgi/file");
		kv[3].key = UNCONST("token");
		kv[3].value = UNCONST("0123456789abcdef0123456789abcdef");
		sip_buf_init(&out);
		is_int(sip_template_render(c->file_tmpls[0], kv, 4, &out,
		    &err), SIP_OK, "files: the preseed renders");
		is_str(out.data, "# preseed for 52:54:00:12:34:56\n"
		    "d-i partman-auto/disk string /dev/vda\n"
		    "d-i preseed/late_command string wget -O- "
		    "http://se3/cgi-bin/ipxe.cgi/file/late.sh?"
		    "token=0123456789abcdef0123456789abcdef\n",
		    "files: ... with the option and the builtin keys");
		sip_buf_free(&out);
		kv[1].value = UNCONST("vda\nd-i passwd/root-password string x");
		sip_buf_init(&out);
		is_int(sip_template_render(c->file_tmpls[0], kv, 4, &out,
		    &err), SIP_EINVAL, "files: a value is checked by its type");
		ok(out.len == 0, "files: ... and nothing is written");
		sip_buf_free(&out);
	}
	sip_module_free(m);
	put("f/m", "run.ipxe", "#!ipxe\nkernel {{file_url}}/a.cfg?"
	    "token={{token}}\n");

	/* Three files, any blanks between, one of them empty. */
	put("f/m", "a.cfg", "d-i a {{mac}}\n");
	put("f/m", "b.txt", "");
	put("f/m", "c_1-x", "#!ipxe\necho a file may be a script too\n");
	put("f/m", "module.ini", BASE_R "files =  a.cfg \t b.txt\t\tc_1-x  \n");
	if (!is_int(sip_module_load(dir, &m, &err), SIP_OK,
	    "files: three files load"))
		printf("# %s\n", err.msg);
	if (m != NULL) {
		c = &m->caps[0];
		is_int(c->nfiles, 3, "files: three files");
		is_str(c->files[0], "a.cfg", "files: first, as written");
		is_str(c->files[1], "b.txt", "files: second, as written");
		is_str(c->files[2], "c_1-x", "files: third, as written");
		ok(c->file_tmpls[0] != NULL && c->file_tmpls[1] != NULL &&
		    c->file_tmpls[2] != NULL, "files: three templates");
		sip_buf_init(&out);
		is_int(sip_template_render(c->file_tmpls[1], NULL, 0, &out,
		    &err), SIP_OK, "files: an empty file renders");
		ok(out.len == 0, "files: ... to nothing");
		sip_buf_free(&out);
	}
	sip_module_free(m);

	/* Eight files: the most. */
	for (i = 1; i <= SIP_FILES_MAX; i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		put("f/m", name, "x {{mac}}\n");
	}
	{
		char text[sizeof(BASE_R) + sizeof(names8)];

		snprintf(text, sizeof(text), "%s%s", BASE_R, names8);
		put("f/m", "module.ini", text);
	}
	if (!is_int(sip_module_load(dir, &m, &err), SIP_OK,
	    "files: eight files load"))
		printf("# %s\n", err.msg);
	if (m != NULL) {
		c = &m->caps[0];
		is_int(c->nfiles, SIP_FILES_MAX, "files: all eight");
		is_str(c->files[SIP_FILES_MAX - 1], "f8", "files: the last");
		for (i = 0; i < c->nfiles && c->file_tmpls[i] != NULL; i++)
			continue;
		is_int(i, SIP_FILES_MAX, "files: each with its template");
	}
	sip_module_free(m);

	/* The longest name. */
	put("f/m", NAME64, "x\n");
	put("f/m", "module.ini", BASE_R "files = " NAME64 "\n");
	if (!is_int(sip_module_load(dir, &m, &err), SIP_OK,
	    "files: a name of 64 bytes loads"))
		printf("# %s\n", err.msg);
	is_str(m != NULL ? m->caps[0].files[0] : NULL, NAME64,
	    "files: ... whole");
	sip_module_free(m);

	/* Without files, and files on one capability only. */
	put("f/m", "module.ini", BASE_R "files = a.cfg\n" OTHER_CAP);
	if (!is_int(sip_module_load(dir, &m, &err), SIP_OK,
	    "files: on one capability of two"))
		printf("# %s\n", err.msg);
	if (m != NULL) {
		is_int(m->caps[0].nfiles, 1, "files: run has one");
		c = &m->caps[1];
		ok(c->nfiles == 0 && c->files[0] == NULL &&
		    c->file_tmpls[0] == NULL, "files: other has none");
	}
	sip_module_free(m);

	/* The same name on two capabilities: each has its own. */
	put("f/m", "module.ini", BASE_R "files = a.cfg\n" OTHER_CAP
	    "files = b.txt a.cfg\n");
	if (!is_int(sip_module_load(dir, &m, &err), SIP_OK,
	    "files: a name on two capabilities"))
		printf("# %s\n", err.msg);
	if (m != NULL) {
		ok(m->caps[0].nfiles == 1 && m->caps[1].nfiles == 2 &&
		    strcmp(m->caps[1].files[1], "a.cfg") == 0 &&
		    m->caps[1].file_tmpls[1] != m->caps[0].file_tmpls[0],
		    "files: ... loaded for each");
	}
	sip_module_free(m);
}

/* Manifests that name good files, and files that do not load. */
static void
test_files_bad(void)
{
	static const struct {
		const char	*what, *text, *manifest, *msg;
	} badfiles[] = {
		{ "an unknown key",
		  "d-i one string {{mac}}\nd-i two string {{nope}}\n",
		  BASE_R "files = preseed.cfg bad.cfg\n" DISK_OPTION,
		  "2: unknown key 'nope'" },
		{ "another capability's option",
		  "d-i disk string {{disk}}\n",
		  BASE_R "files = bad.cfg\n" OTHER_CAP "files = bad.cfg\n"
		  DISK_OPTION,
		  "1: unknown key 'disk'" },
		{ "a placeholder starting a line",
		  "d-i one string x\n{{mac}}\n", BASE_R "files = bad.cfg\n",
		  "2: a placeholder may not start a line" },
		{ "a placeholder after blanks on line 1 (no #!ipxe to skip)",
		  " \t{{mac}}\n", BASE_R "files = bad.cfg\n",
		  "1: a placeholder may not start a line" },
		{ "a malformed placeholder",
		  "d-i x string {{ mac }}\n", BASE_R "files = bad.cfg\n",
		  "1: malformed placeholder (want {{key}}, key [a-z][a-z0-9_]*)" },
	};
	struct sip_module *m;
	struct sip_err err;
	char dir[512], want[1024], *big;
	size_t i;
	enum sip_rc rc;

	snprintf(dir, sizeof(dir), "%s/f/m", tmp);
	put("f/m", "run.ipxe", "#!ipxe\necho {{mac}}\n");

	put("f/m", "module.ini", BASE_R "files = preseed.cfg nope.cfg\n"
	    DISK_OPTION);
	m = (struct sip_module *)&err;
	is_int(sip_module_load(dir, &m, &err), SIP_EMODULE,
	    "files: a missing file is a module error");
	snprintf(want, sizeof(want), "%s/nope.cfg: No such file or directory",
	    dir);
	is_str(err.msg, want, "files: ... naming the file");
	ok(m == NULL, "files: ... and no module");

	/* File templates that do not load: the module does not either. */
	for (i = 0; i < sizeof(badfiles) / sizeof(badfiles[0]); i++) {
		put("f/m", "bad.cfg", badfiles[i].text);
		put("f/m", "module.ini", badfiles[i].manifest);
		m = (struct sip_module *)&err;
		is_int(sip_module_load(dir, &m, &err), SIP_EMODULE,
		    "files: %s", badfiles[i].what);
		snprintf(want, sizeof(want), "%s/bad.cfg:%s", dir,
		    badfiles[i].msg);
		is_str(err.msg, want, "files: %s: naming file and line",
		    badfiles[i].what);
		ok(m == NULL, "files: %s: no module", badfiles[i].what);
	}

	put("f/m", "bad.cfg", "d-i x string {{mac}}\n");
	is_int(sip_module_load(dir, &m, &err), SIP_OK,
	    "files: a file need not start with #!ipxe");
	sip_module_free(m);


	/* Not a regular file, or too large: refused on load too. */
	snprintf(want, sizeof(want), "%s/sub", dir);
	if (mkdir(want, 0755) == -1 && errno != EEXIST)
		printf("# mkdir %s: %s\n", want, strerror(errno));
	put("f/m", "module.ini", BASE_R "files = sub\n");
	m = (struct sip_module *)&err;
	rc = sip_module_load(dir, &m, &err);
	ok(rc != SIP_OK && m == NULL, "files: a directory is refused");
	snprintf(want, sizeof(want), "%s/sub: not a regular file", dir);
	is_str(err.msg, want, "files: ... naming it");

	if ((big = malloc(65 * 1024 + 2)) != NULL) {
		memset(big, 'x', 65 * 1024 + 1);
		big[65 * 1024 + 1] = '\0';
		put("f/m", "big.cfg", big);
		free(big);
		put("f/m", "module.ini", BASE_R "files = big.cfg\n");
		m = (struct sip_module *)&err;
		rc = sip_module_load(dir, &m, &err);
		ok(rc != SIP_OK && m == NULL,
		    "files: a file over 64 KiB is refused");
		snprintf(want, sizeof(want), "%s/big.cfg: larger than 65536 "
		    "bytes", dir);
		is_str(err.msg, want, "files: ... naming it");
	}
}

/* Files of each kind, text options, and values each kind cannot hold. */
#define FULLNAME_OPTION \
	"[option run.fullname]\n" \
	"type = text\n" \
	"description = The user's full name\n" \
	"maxlen = 40\n"

static void
test_file_kinds(void)
{
	static const struct {
		const char	*what, *manifest, *msg;	/* msg NULL: loads */
	} loads[] = {
		{ "every kind", BASE_R "files = p.cfg:preseed u.yaml:yaml "
		  "a.xml:xml w.ini:ini s.cmd:cmd r.sh:sh c.txt:cmdline t.txt:text"
		  "\n" FULLNAME_OPTION, NULL },
		{ "a text option with a default",
		  BASE_R "files = p.cfg:preseed u.yaml:yaml a.xml:xml w.ini:ini "
		  "s.cmd:cmd r.sh:sh c.txt t.txt\n" FULLNAME_OPTION
		  "default = \xc3\x89l\xc3\xa8ve Dupont\n", NULL },
		{ "a text option's default a kind refuses",
		  BASE_R "files = p.cfg:preseed u.yaml:yaml a.xml:xml w.ini:ini "
		  "s.cmd:cmd r.sh:sh c.txt t.txt\n" FULLNAME_OPTION
		  "default = D'Artagnan\n",
		  "/p.cfg: option 'fullname': its default: ''' cannot be written "
		  "in a preseed file" },
		{ "a text option in a text file",
		  BASE_R "files = p.cfg:preseed t.cfg\n" FULLNAME_OPTION,
		  "/t.cfg: option 'fullname' is text, which a text template "
		  "cannot hold: declare the file with a kind that can (preseed, "
		  "sh, yaml, xml, ini, cmd)" },
		{ "a text option in the script",
		  BASE_R "files = p.cfg:preseed\n" FULLNAME_OPTION,
		  "/run.ipxe: option 'fullname' is text, which an ipxe template "
		  "cannot hold: declare the file with a kind that can (preseed, "
		  "sh, yaml, xml, ini, cmd)" },
	};
	struct sip_module *m;
	const struct sip_capability *c;
	struct sip_kv *kv;
	struct sip_buf out;
	struct sip_err err;
	char dir[512], want[1024], *as[1];
	size_t i, n;
	enum sip_rc rc;

	snprintf(dir, sizeof(dir), "%s/k", tmp);
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		printf("# mkdir %s: %s\n", dir, strerror(errno));
	snprintf(dir, sizeof(dir), "%s/k/m", tmp);
	put("k/m", "run.ipxe", "#!ipxe\necho {{mac}}\n");
	put("k/m", "p.cfg", "d-i passwd/user-fullname string {{fullname}}\n");
	put("k/m", "u.yaml", "realname: \"{{fullname}}\"\n");
	put("k/m", "a.xml", "<FullName a=\"{{fullname}}\">{{fullname}}</FullName>\n");
	put("k/m", "w.ini", "[x]\nname = {{fullname}}\n");
	put("k/m", "s.cmd", "echo {{fullname}}\n");
	put("k/m", "r.sh", "NAME='{{fullname}}'\n");
	put("k/m", "c.txt", "quiet mac={{mac}}\n");
	put("k/m", "t.txt", "mac {{mac}}\n");
	put("k/m", "t.cfg", "name {{fullname}}\n");
	for (i = 0; i < sizeof(loads) / sizeof(loads[0]); i++) {
		if (i == 4)
			put("k/m", "run.ipxe", "#!ipxe\necho {{fullname}}\n");
		put("k/m", "module.ini", loads[i].manifest);
		m = NULL;
		err.msg[0] = '\0';
		rc = sip_module_load(dir, &m, &err);
		is_int(rc, loads[i].msg ? SIP_EMODULE : SIP_OK, "kinds: %s%s%s",
		    loads[i].what, rc != SIP_OK && !loads[i].msg ? ": " : "",
		    rc != SIP_OK && !loads[i].msg ? err.msg : "");
		if (loads[i].msg != NULL) {
			snprintf(want, sizeof(want), "%s%s", dir, loads[i].msg);
			is_str(err.msg, want, "kinds: %s: said", loads[i].what);
		}
		if (i == 0 && m != NULL) {
			c = &m->caps[0];
			is_int((int)c->nfiles, 8, "kinds: 8 files");
			is_int(c->file_kinds[0], SIP_TEMPLATE_PRESEED,
			    "kinds: the first is a preseed");
			is_int(c->file_kinds[6], SIP_TEMPLATE_CMDLINE,
			    "kinds: the seventh a command line");
			is_int(c->file_kinds[7], SIP_TEMPLATE_FILE,
			    "kinds: text is the kind by name");
		}
		sip_module_free(m);
	}
	put("k/m", "run.ipxe", "#!ipxe\necho {{mac}}\n");

	/* The option a kind cannot hold is refused when the action is set. */
	put("k/m", "module.ini", loads[0].manifest);
	if (sip_module_load(dir, &m, &err) != SIP_OK) {
		ok(0, "kinds: module loads: %s", err.msg);
		return;
	}
	c = &m->caps[0];
	as[0] = UNCONST("fullname=\xc3\x89l\xc3\xa8ve \"Le Grand\" Dupont");
	rc = sip_options_resolve(c, as, 1, &kv, &n, &err);
	is_int(rc, SIP_EINVAL, "kinds: a quote is refused by the preseed");
	is_str(err.msg, "capability run: option fullname: '\xc3\x89l\xc3\xa8ve "
	    "\"Le Grand\" Dupont' cannot be written in p.cfg: '\"' cannot be "
	    "written in a preseed file", "kinds: ... naming option, file and why");
	as[0] = UNCONST("fullname=\xc3\x89l\xc3\xa8ve Dupont-Martin");
	rc = sip_options_resolve(c, as, 1, &kv, &n, &err);
	is_int(rc, SIP_OK, "kinds: UTF-8 and blanks are taken %s", err.msg);
	if (rc == SIP_OK) {
		sip_buf_init(&out);
		is_int(sip_template_render(c->file_tmpls[2], kv, n, &out, &err),
		    SIP_OK, "kinds: the xml renders");
		is_str(out.data ? out.data : "", "<FullName a=\"\xc3\x89l\xc3\xa8ve "
		    "Dupont-Martin\">\xc3\x89l\xc3\xa8ve Dupont-Martin</FullName>\n",
		    "kinds: ... as it is");
		sip_buf_free(&out);
		sip_kv_free(kv, n);
	}
	as[0] = UNCONST("fullname=Jean-Baptiste Dupont-Martin de la Tour du Pin");
	is_int(sip_options_resolve(c, as, 1, &kv, &n, &err), SIP_EINVAL,
	    "kinds: a text longer than maxlen is refused");
	is_str(err.msg, "capability run: option fullname: 'Jean-Baptiste "
	    "Dupont-Martin de la Tour du Pin' is not a valid text: expected one line "
	    "of at most 40 bytes of printable UTF-8, no blank at either end",
	    "kinds: ... said");
	sip_module_free(m);
}

int
main(void)
{
	if (mkdtemp(tmp) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_demo();
	test_bads();
	test_templates();
	test_limits();
	test_persistent();
	test_path();
	test_names();
	test_resolve();
	test_shipped();
	test_man_example();
	test_file_names();
	test_files();
	test_files_bad();
	test_upstreams();
	test_used_by();
	test_file_kinds();
	rm_rf(tmp);
	return done_testing();
}
