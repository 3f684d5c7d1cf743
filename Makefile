# SPDX-License-Identifier: GPL-3.0-or-later
# se3-ipxe: build, test, fuzz and install the library, the CGI, the CLI and the man pages.

VERSION   = 0.1.0
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/sbin
CGIDIR   ?= $(PREFIX)/lib/cgi-bin
DATADIR  ?= $(PREFIX)/share/se3-ipxe
MANDIR   ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR ?= /etc
DESTDIR  ?=

CC       ?= cc
PKG_CONFIG ?= pkg-config
WARNINGS  = -Wall -Wextra -Wformat=2 -Wformat-security -Wshadow -Wpointer-arith \
	    -Wstrict-prototypes -Wmissing-prototypes -Wwrite-strings -Wvla \
	    -Wcast-qual -Wundef -Wno-unused-parameter -fno-common
CFLAGS   ?= -O2 -g
CPPFLAGS += -D_DEFAULT_SOURCE -D_GNU_SOURCE -Ilib \
	    -DSIP_DATADIR='"$(DATADIR)"' -DSIP_SYSCONFDIR='"$(SYSCONFDIR)"'
SQLITE_CFLAGS != $(PKG_CONFIG) --cflags sqlite3 2>/dev/null || true
SQLITE_LIBS   != $(PKG_CONFIG) --libs sqlite3 2>/dev/null || echo -lsqlite3
ALL_CFLAGS = -std=c11 $(WARNINGS) $(CFLAGS) $(WERROR) $(SQLITE_CFLAGS)
LIBS      = $(SQLITE_LIBS) -lcrypt
# ipxe.cgi is executed once per request: loading and binding shared
# libraries was 1.1 M of its 2.5 M instructions (BENCHMARKS.md), so it is
# linked statically.  It uses no NSS and loads no SQLite extension (the
# linker's warning about SQLite's dlopen is expected).
# CGI_STATIC= links it dynamically (the sanitizer build does).
CGI_STATIC ?= -static
CGI_LIBS ?= $(LIBS) -lm

LIB_SRCS = lib/buf.c lib/cidr.c lib/wol.c lib/err.c lib/mac.c lib/value.c lib/template.c lib/query.c \
	   lib/config.c lib/ini.c lib/module.c lib/token.c lib/fsm.c lib/store.c \
	   lib/answer.c lib/dhcp.c lib/seen.c lib/active.c lib/time.c lib/names.c lib/option.c \
	   lib/tick.c lib/json.c lib/blackout.c
LIB_SRCS += lib/hostname.c
LIB_SRCS += lib/sha256.c
LIB_SRCS += lib/secrets.c
LIB_SRCS += lib/status_page.c lib/cgi.c
LIB_SRCS += lib/identity.c lib/model.c
# The store's other rooms; lib/store.h is shared by them alone.
STORE_SRCS = lib/store_schema.c lib/store_action.c lib/store_machine.c \
	     lib/store_rights.c lib/store_event.c lib/store_power.c
STORE_SRCS += lib/store_inventory.c
LIB_SRCS += $(STORE_SRCS)
# Reachability: the CLI probes, ipxe.cgi never links it in.
LIB_SRCS += lib/probe.c lib/run.c lib/session.c lib/reboot.c
# Setting modules up: curl and xorriso run by the CLI only.
LIB_SRCS += lib/setup.c
# Multicast sessions: udp-sender run by the CLI only.
LIB_SRCS += lib/mcast.c lib/mcast_spawn.c lib/clone.c lib/sysprep.c
LIB_SRCS += lib/sums.c
# set-action's checks and writes: the CLI and console.cgi.
LIB_SRCS += lib/setaction.c
# console.cgi's form, language, messages, CSRF and Origin checks.
LIB_SRCS += lib/console.c lib/console_page.c
# menu:maintenance checks its password with crypt(3) (libcrypt, static in ipxe.cgi).
LIB_SRCS += lib/menu.c
# The image store: images.cgi's uploads and downloads, the catalogue.
LIB_SRCS += lib/imagestore.c
LIB_SRCS += lib/manifest.c lib/catalogue.c
LIB_OBJS = $(LIB_SRCS:.c=.o)
LIB      = lib/libse3ipxe.a

UNIT_SRCS = $(wildcard t/unit/*.c)
UNIT_BINS = $(UNIT_SRCS:t/unit/%.c=build/t/%.t)
FUZZ_SRCS = $(wildcard fuzz/fuzz-*.c)
FUZZ_BINS = $(FUZZ_SRCS:fuzz/%.c=build/fuzz/%)
REPLAY_BINS = $(FUZZ_SRCS:fuzz/fuzz-%.c=build/t/replay-%.t)
MANS      = man/se3-ipxe.8 man/ipxe.cgi.8 man/se3-ipxe.conf.5 man/se3-ipxe-modules.5
MANS     += man/status.cgi.8
MANS     += man/console.cgi.8
MANS     += man/images.cgi.8
MANS     += man/se3-ipxe-imaging.7

CLI_SRCS = cli/main.c cli/util.c cli/priv.c cli/cmd_action.c cli/cmd_status.c \
	   cli/cmd_module.c cli/cmd_admin.c cli/cmd_machines.c \
	   cli/cmd_power.c cli/cmd_rights.c cli/cmd_tick.c
CLI_SRCS += cli/cmd_setup.c
CLI_SRCS += cli/cmd_images.c
CLI_SRCS += cli/cmd_session.c
CLI_OBJS = $(CLI_SRCS:.c=.o)
# What only the CLI needs, SE3's directory through libldap, is its own
# archive on its own link line: it never reaches the static ipxe.cgi.
LDAP_SRCS = lib/ldap.c lib/target.c lib/rights.c lib/status_view.c
LDAP_OBJS = $(LDAP_SRCS:.c=.o)
# console.cgi's requests: rights and status views, so beside them (not in
# the CLI's crash build: its page assets are console.cgi's own).
LDAP_OBJS += lib/console_req.o
LDAP_LIB  = lib/libse3ipxe-ldap.a
LDAP_LIBS ?= -lldap -llber
CLI_LIBS ?= $(LIBS) $(LDAP_LIBS)
# The unit tests of those files link it too.
LDAP_UNITS = build/t/target.t build/t/ldap.t build/t/rights.t

all: cgi/ipxe.cgi cli/se3-ipxe cgi/status.cgi cgi/images.cgi cgi/console.cgi

.c.o:
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -c -o $@ $<

$(LIB_OBJS) $(LDAP_OBJS) cgi/ipxe.cgi.o cgi/status.cgi.o $(CLI_OBJS): lib/se3ipxe.h
# lib/extern.h: the internals, for lib/, the unit tests and the fuzz targets.
$(LIB_OBJS) $(LDAP_OBJS): lib/extern.h
lib/store.o $(STORE_SRCS:.c=.o): lib/store.h
lib/imagestore.o: lib/store.h
lib/catalogue.o: lib/store.h
cgi/images.cgi.o: lib/se3ipxe.h build/flags
$(CLI_OBJS): cli/cli.h

# The installation paths are compiled into config.o: rebuild it whenever
# they change, so that `make install PREFIX=/usr` never installs a
# program that looks for its modules under another prefix.
build/paths: FORCE
	@mkdir -p build
	@echo '$(DATADIR) $(SYSCONFDIR) $(BINDIR)' | cmp -s - $@ || echo '$(DATADIR) $(SYSCONFDIR) $(BINDIR)' > $@
lib/config.o: build/paths

# Objects compiled with other flags (the sanitizer build leaves its own)
# must not be linked into this build: everything depends on the flags.
BUILD_FLAGS = $(CC) $(ALL_CFLAGS) $(CPPFLAGS) $(LDFLAGS) $(CGI_STATIC)
build/flags: FORCE
	@mkdir -p build
	@echo '$(subst ','\'',$(BUILD_FLAGS))' | cmp -s - $@ || \
	    echo '$(subst ','\'',$(BUILD_FLAGS))' > $@
$(LIB_OBJS) $(LDAP_OBJS) cgi/ipxe.cgi.o cgi/status.cgi.o build/status_assets.o $(CLI_OBJS) bench/floor.cgi $(UNIT_BINS) \
    $(REPLAY_BINS) build/t/ipxe-dynamic.cgi build/t/se3-ipxe-crash: build/flags

$(LIB): $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJS)

cgi/ipxe.cgi: cgi/ipxe.cgi.o $(LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(CGI_STATIC) -o $@ cgi/ipxe.cgi.o $(LIB) $(CGI_LIBS)

# status.cgi reads SE3's directory: linked dynamically, with libldap, on
# its own line (ipxe.cgi stays static and LDAP-free).  Its stylesheet and
# script live in web/ and are compiled in: one file to install, and the
# page's CSP ('self') holds wherever Apache puts the CGI.
build/status_assets.c: web/status.css web/status.js
	@mkdir -p build
	{ echo '/* SPDX-License-Identifier: GPL-3.0-or-later */'; \
	  echo '/* Generated by make from web/status.css and web/status.js: edit those. */'; \
	  echo '#include "se3ipxe.h"'; \
	  for f in css js; do echo "const char sip_status_$$f[] ="; \
	    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' -e 's/^/"/' -e 's/$$/\\n"/' web/status.$$f; \
	    echo ';'; done; } > $@
build/status_assets.o: build/status_assets.c lib/se3ipxe.h
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -c -o $@ build/status_assets.c
cgi/status.cgi: cgi/status.cgi.o build/status_assets.o $(LDAP_LIB) $(LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ cgi/status.cgi.o build/status_assets.o $(LDAP_LIB) $(LIB) $(CLI_LIBS)

# console.cgi changes actions: linked as status.cgi, its assets compiled
# in the same way; it runs the installed se3-ipxe (BINDIR) as a session's runner.
build/console_assets.c: web/console.css web/console.js
	@mkdir -p build
	{ echo '/* SPDX-License-Identifier: GPL-3.0-or-later */'; \
	  echo '/* Generated by make from web/console.css and web/console.js: edit those. */'; \
	  echo '#include "se3ipxe.h"'; \
	  for f in css js; do echo "const char sip_console_$$f[] ="; \
	    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' -e 's/^/"/' -e 's/$$/\\n"/' web/console.$$f; \
	    echo ';'; done; } > $@
build/console_assets.o: build/console_assets.c lib/se3ipxe.h
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -c -o $@ build/console_assets.c
cgi/console.cgi.o: cgi/console.cgi.c lib/se3ipxe.h build/flags build/paths
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -DSIP_BINDIR='"$(BINDIR)"' -c -o $@ cgi/console.cgi.c
cgi/console.cgi: cgi/console.cgi.o build/console_assets.o $(LDAP_LIB) $(LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ cgi/console.cgi.o build/console_assets.o $(LDAP_LIB) $(LIB) $(CLI_LIBS)

# images.cgi streams image parts in and out: static as ipxe.cgi, no deadline.
cgi/images.cgi: cgi/images.cgi.o $(LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(CGI_STATIC) -o $@ cgi/images.cgi.o $(LIB) $(CGI_LIBS)

$(LDAP_LIB): $(LDAP_OBJS)
	rm -f $@
	$(AR) rcs $@ $(LDAP_OBJS)

cli/se3-ipxe: $(CLI_OBJS) $(LDAP_LIB) $(LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJS) $(LDAP_LIB) $(LIB) $(CLI_LIBS)

build/t/%.t: t/unit/%.c t/unit/tap.h t/unit/tfile.h t/unit/hostile.h $(LIB)
	@mkdir -p build/t
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -It/unit $(LDFLAGS) -o $@ $< $(LIB) $(LIBS)

$(LDAP_UNITS): build/t/%.t: t/unit/%.c t/unit/tap.h t/unit/tfile.h t/unit/hostile.h $(LDAP_LIB) $(LIB)
	@mkdir -p build/t
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -It/unit $(LDFLAGS) -o $@ $< $(LDAP_LIB) $(LIB) $(CLI_LIBS)

# console.cgi's requests served without a web server: the LDAP part and its assets linked in.
build/t/console_req.t: t/unit/console_req.c t/unit/tap.h t/unit/tfile.h build/console_assets.o $(LDAP_LIB) $(LIB)
	@mkdir -p build/t
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -It/unit $(LDFLAGS) -o $@ $< build/console_assets.o $(LDAP_LIB) $(LIB) $(CLI_LIBS)

# Each fuzz target, built with the ordinary compiler, replays its corpus.
build/t/replay-%.t: fuzz/fuzz-%.c fuzz/replay.c $(LIB)
	@mkdir -p build/t
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -DCORPUS='"fuzz/corpus/$*"' $(LDFLAGS) -o $@ $< fuzz/replay.c $(LIB) $(LIBS)

# The same CGI linked dynamically, for the fault tests that preload a
# library (failmalloc, faketime): a static binary ignores LD_PRELOAD.
build/t/ipxe-dynamic.cgi: cgi/ipxe.cgi.o $(LIB)
	@mkdir -p build/t
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ cgi/ipxe.cgi.o $(LIB) $(LIBS)

# The CLI with its crash points compiled in (SIP_CRASH_POINT in
# lib/extern.h): the tests kill a fold at each of its steps.
build/t/se3-ipxe-crash: $(CLI_SRCS) $(LIB_SRCS) $(LDAP_SRCS) lib/se3ipxe.h lib/extern.h lib/store.h cli/cli.h build/paths
	@mkdir -p build/t
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -DSIP_CRASH_POINTS $(LDFLAGS) -o $@ $(CLI_SRCS) $(LIB_SRCS) $(LDAP_SRCS) $(CLI_LIBS)

build/t/failmalloc.so: t/lib/failmalloc.c
	@mkdir -p build/t
	$(CC) -O2 -fPIC -shared -o $@ $< -ldl

build/t/shortwrite.so: t/lib/shortwrite.c
	@mkdir -p build/t
	$(CC) -O2 -fPIC -shared -o $@ $<

# udp-receiver's stream corrupted past the UDP checksum (t/69-multicast.t, t/72-mcast-receive.t).
build/t/mcastflip.so: t/lib/mcastflip.c
	@mkdir -p build/t
	$(CC) -O2 -fPIC -shared -o $@ $<
tests: build/t/mcastflip.so

tests: all $(UNIT_BINS) $(REPLAY_BINS) build/t/failmalloc.so build/t/shortwrite.so build/t/ipxe-dynamic.cgi build/t/se3-ipxe-crash bench/floor.cgi

bench/floor.cgi: bench/floor.c
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

# Every test is a TAP producer: C unit tests are built into build/t/,
# the shell tests live in t/, and build/t/replay-*.t replay the fuzz corpora.
check: tests lint-man
	SIP_SANITIZE="$(SIP_SANITIZE)" prove -e '' $(PROVE_FLAGS) $(UNIT_BINS) $(REPLAY_BINS) t/*.t

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer.
check-sanitize:
	$(MAKE) clean
	$(MAKE) check CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
		LDFLAGS="-fsanitize=address,undefined" CGI_STATIC= SIP_SANITIZE=1

# End-to-end tests: real iPXE clients (SeaBIOS and OVMF under qemu, e1000 and
# virtio-net) boot against the installed ipxe.cgi behind a private Apache on
# 127.0.0.1.  Needs the packages of .ci/packages-e2e; see t/e2e/lib.sh.
check-e2e: all
	@start=$$(date +%s); \
	E2E_REQUIRE=1 prove -v -e '' $(PROVE_FLAGS) t/e2e/*.t; rc=$$?; \
	echo "check-e2e: $$(( $$(date +%s) - start )) s"; exit $$rc

# libFuzzer targets (clang).  FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
build/fuzz/%: fuzz/%.c $(LIB_SRCS) lib/se3ipxe.h lib/extern.h
	@mkdir -p build/fuzz
	$(FUZZ_CC) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined $(CPPFLAGS) \
		$(SQLITE_CFLAGS) -o $@ $< $(LIB_SRCS) $(LIBS)

fuzz: $(FUZZ_BINS)
	for f in $(FUZZ_BINS); do n=$${f#build/fuzz/fuzz-}; mkdir -p build/fuzz/corpus-$$n; \
		$$f -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus-$$n fuzz/corpus/$$n || exit 1; done

# Every target for FUZZ_RUNS executions, one after another on one core
# (not in CI: hours).  A crashing input is written into the target's
# replayed corpus, so that `make check` fails until it is fixed; each
# target stops at FUZZ_LONG_SECONDS if it is too slow.  The figures are
# in build/fuzz/long-*.log (stat::number_of_executed_units).
FUZZ_RUNS ?= 10000000
FUZZ_LONG_SECONDS ?= 3600
fuzz-long: $(FUZZ_BINS)
	rc=0; for f in $(FUZZ_BINS); do n=$${f#build/fuzz/fuzz-}; mkdir -p build/fuzz/corpus-$$n; \
		nice -n 10 $$f -runs=$(FUZZ_RUNS) -max_total_time=$(FUZZ_LONG_SECONDS) \
		-print_final_stats=1 -artifact_prefix=fuzz/corpus/$$n/ \
		build/fuzz/corpus-$$n fuzz/corpus/$$n > build/fuzz/long-$$n.log 2>&1 || rc=1; \
		echo "fuzz-long $$n: $$(sed -n 's/^stat::number_of_executed_units: *//p' build/fuzz/long-$$n.log) executions," \
		"$$(sed -n 's/^stat::average_exec_per_sec: *//p' build/fuzz/long-$$n.log)/s," \
		"$$(ls fuzz/corpus/$$n | grep -c '^crash-\|^leak-\|^timeout-\|^oom-') crash inputs"; \
	done; exit $$rc

# The Debian 12 packages needed to build, test and run the demo (as root).
deps:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$(grep -v '^#' .ci/packages)

# A private Apache on 127.0.0.1 serving ipxe.cgi over a fresh database.
demo: all
	./tools/demo

lint-man:
	mandoc -Tlint -Wwarning $(MANS)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(CGIDIR) $(DESTDIR)$(DATADIR)/templates \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)/se3-ipxe
	install -m 0755 cli/se3-ipxe $(DESTDIR)$(BINDIR)/se3-ipxe
	install -m 0755 cgi/ipxe.cgi $(DESTDIR)$(CGIDIR)/ipxe.cgi
	install -m 0755 cgi/status.cgi $(DESTDIR)$(CGIDIR)/status.cgi
	install -m 0755 cgi/console.cgi $(DESTDIR)$(CGIDIR)/console.cgi
	install -m 0755 cgi/images.cgi $(DESTDIR)$(CGIDIR)/images.cgi
	install -m 0644 templates/*.ipxe $(DESTDIR)$(DATADIR)/templates/
	install -d $(DESTDIR)$(DATADIR)/templates/fragments
	install -m 0644 templates/fragments/* $(DESTDIR)$(DATADIR)/templates/fragments/
	for m in modules/*/; do n=$$(basename $$m); \
		install -d $(DESTDIR)$(DATADIR)/modules/$$n; \
		for f in $$m*; do if [ -x $$f ]; then mode=0755; else mode=0644; fi; \
			install -m $$mode $$f $(DESTDIR)$(DATADIR)/modules/$$n/; done; done
	install -m 0644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/*.7 $(DESTDIR)$(MANDIR)/man7/
	install -m 0644 man/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 se3-ipxe.conf.example $(DESTDIR)$(DATADIR)/se3-ipxe.conf.example
	install -d $(DESTDIR)$(COMPLETIONDIR)
	install -m 0644 tools/se3-ipxe.bash-completion $(DESTDIR)$(COMPLETIONDIR)/se3-ipxe

clean:
	rm -rf build $(LIB) $(LDAP_LIB) lib/*.o cgi/*.o cli/*.o cgi/ipxe.cgi cgi/status.cgi cgi/images.cgi cgi/console.cgi cli/se3-ipxe bench/floor.cgi

FORCE:

.PHONY: FORCE all tests check check-e2e check-sanitize fuzz fuzz-long deps demo lint-man install clean
