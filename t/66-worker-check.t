#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# se3-ipxe check runs a module's check script (the worker's: missing, stale, built from these inputs, per flavour kept), and setup worker does nothing, fast, when its build is there or cached: no network, no build.
. t/lib/tap.sh
. t/lib/cli.sh

unset SE3_IPXE_CONFIG SUDO_USER MIRROR FLAVOUR SE3_IPXE_WORKER_REBUILD SE3_IPXE_WORKER_CACHED_ONLY
CONF=$T/se3-ipxe.conf
cli_config "$CONF" "$T/modules"
mkdir -p "$T/modules" "$T/www"
cp -R "$TOP/modules/worker" "$T/modules/worker"
export SE3_IPXE_WORKER_CACHE="$T/cache"
# Never a real build here: an mmdebstrap that fails first in PATH.
mkdir -p "$T/bin"
printf '#!/bin/sh\necho "t/66: no build in this test" >&2\nexit 1\n' > "$T/bin/mmdebstrap"
chmod 755 "$T/bin/mmdebstrap"
PATH=$T/bin:$PATH

run check
is "$rc" 0 "check: the worker never set up fails nothing"
grep -qx "unset module worker: not built (se3-ipxe setup worker)" "$T/out"
ok $? "check: ... and says it is not built"
# Until an action of it waits: that machine would boot nothing (t/77).
"$SIP" -c "$CONF" set-action 52:54:00:66:00:01 worker:report > /dev/null 2>&1
run check
is "$rc" 1 "check: the worker never set up, a worker:report waiting: exit 1"
grep -qx "se3-ipxe: check: module worker: not built, needed by 52:54:00:66:00:01's worker:report (pending): run se3-ipxe setup worker" "$T/err"
ok $? "check: ... naming the machine"
"$SIP" -c "$CONF" cancel 52:54:00:66:00:01 > /dev/null
run check
is "$rc" 0 "check: the action cancelled, exit 0 again"

mkdir -p "$T/www/worker"
run check
is "$rc" 1 "check: an empty BOOT_ROOT/worker fails"
grep -q "check: module worker: its build is missing: run se3-ipxe setup worker" "$T/err"
ok $? "check: ... saying the build is missing"

# The key as the command computes it (the mirror apt uses is one of its inputs).
key=$(sed -n 's/.*(inputs \([0-9a-f]*\)).*/\1/p' "$T/out")
is "${#key}" 64 "check: ... with what the script said: its inputs' SHA-256"
for f in vmlinuz initrd.img packages.lock; do echo "$f" > "$T/www/worker/$f"; done
echo 0000 > "$T/www/worker/key"
run check
is "$rc" 1 "check: a build of other inputs fails"
grep -q "its build is stale" "$T/err"
ok $? "check: ... saying it is stale"

echo "$key" > "$T/www/worker/key"
run check
is "$rc" 0 "check: the build of these inputs passes"
grep -qx "ok built worker" "$T/out"
ok $? "check: ... and says so"

# A change of an input (the init) makes it stale.
echo "# changed" >> "$T/modules/worker/init"
run check
is "$rc" 1 "check: the init changed: stale"
cp "$TOP/modules/worker/init" "$T/modules/worker/init"

# setup with the build there: nothing to do, no tool needed, well under a second.
t0=$(date +%s%N)
run setup worker
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
is "$rc" 0 "setup worker: up to date: exit 0"
grep -q "worker setup: $T/www/worker is up to date" "$T/out"
ok $? "setup worker: ... says it is up to date"
[ "$ms" -lt 5000 ]
ok $? "setup worker: ... in $ms ms"

# setup with the build in the cache only: installed from it, file by file.
rm -rf "$T/www/worker"
mkdir -p "$T/cache/$key"
for f in vmlinuz initrd.img packages.lock; do echo "cached $f" > "$T/cache/$key/$f"; done
echo "$key" > "$T/cache/$key/key"
run setup worker
is "$rc" 0 "setup worker: from the cache: exit 0"
grep -q "installed from the cache $T/cache/$key" "$T/out"
ok $? "setup worker: ... says so"
is "$(cat "$T/www/worker/initrd.img")" "cached initrd.img" "setup worker: ... the cached files installed"
run check
is "$rc" 0 "check: ... then passes"

# The live flavour: kept once asked for, then checked too; its own key.
run setup --flavour bogus worker
is "$rc" 1 "setup --flavour bogus: exit 1"
grep -q "flavour 'bogus': want tiny, live or both" "$T/out" "$T/err"
ok $? "setup --flavour bogus: ... said by the script"
run setup --flavour 'li ve' worker
is "$rc" 2 "setup --flavour 'li ve': a usage error, before any script"
grep -q "setup: --flavour: 'li ve' is not a flavour name" "$T/err"
ok $? "setup --flavour 'li ve': ... said"
cp -R "$TOP/modules/local" "$T/modules/local"
run setup --flavour live local
is "$rc" 1 "setup --flavour live local: refused, local has no setup script"
grep -q "setup: --flavour: module local has no setup script" "$T/err"
ok $? "setup --flavour live local: ... said"
rm -rf "$T/modules/local"
BOOT_ROOT=$T/www FLAVOUR=live sh "$T/modules/worker/setup" --check > "$T/live.out" 2>&1
is "$?" 1 "setup --check by hand with FLAVOUR=live checks that flavour: missing"
printf 'tiny live\n' > "$T/www/worker/flavours"
run check
is "$rc" 1 "check: both flavours kept, the live one missing: fails"
grep -q "worker setup: live $T/www/worker/live: missing (inputs [0-9a-f]\{64\})" "$T/out"
ok $? "check: ... the live flavour said missing, with its inputs"
grep -q "worker setup: tiny $T/www/worker: ok" "$T/out"
ok $? "check: ... the tiny one ok"
lkey=$(sed -n 's/.*live .*(inputs \([0-9a-f]*\)).*/\1/p' "$T/out")
[ "${#lkey}" = 64 ] && [ "$lkey" != "$key" ]
ok $? "check: ... the live key is its own"
mkdir -p "$T/cache/live-$lkey"
for f in vmlinuz initrd.img filesystem.squashfs packages.lock; do echo "cached $f" > "$T/cache/live-$lkey/$f"; done
echo unshare > "$T/cache/live-$lkey/mode"
echo "$lkey" > "$T/cache/live-$lkey/key"
run setup worker
is "$rc" 0 "setup worker: both kept, the live one in the cache: exit 0"
grep -q "worker setup: $T/www/worker/live installed from the cache $T/cache/live-$lkey (its root made by mmdebstrap --mode=unshare)" "$T/out"
ok $? "setup worker: ... the live one installed from the cache, saying how its root was made"
grep -q "worker setup: $T/www/worker is up to date" "$T/out"
ok $? "setup worker: ... the tiny one up to date"
is "$(cat "$T/www/worker/live/filesystem.squashfs")" "cached filesystem.squashfs" "setup worker: ... the squashfs installed"
is "$(cat "$T/www/worker/flavours")" "tiny live" "setup worker: ... both still kept"
run check
is "$rc" 0 "check: both flavours built: passes"
echo "hello" >> "$T/modules/worker/packages.live"
run check
is "$rc" 1 "check: the live package list changed: stale"
grep -q "worker setup: live $T/www/worker/live: stale" "$T/out"
ok $? "check: ... the live flavour said stale"
grep -q "worker setup: tiny $T/www/worker: ok" "$T/out"
ok $? "check: ... the tiny one still ok (its key is not the live one's inputs)"
cp "$TOP/modules/worker/packages.live" "$T/modules/worker/packages.live"
rm -rf "$T/www/worker/live" "$T/cache/live-$lkey"
export SE3_IPXE_WORKER_CACHED_ONLY=1
run setup --flavour live worker
unset SE3_IPXE_WORKER_CACHED_ONLY
is "$rc" 1 "setup --flavour live, CACHED_ONLY, the live build not in the cache: exit 1"
grep -q "worker setup: live: not in the cache $T/cache (inputs [0-9a-f]\{64\}), and SE3_IPXE_WORKER_CACHED_ONLY=1: not built" "$T/out"
ok $? "setup --flavour live, CACHED_ONLY: ... says so, before any build (mmdebstrap here fails)"
run setup --flavour tiny worker
is "$rc" 0 "setup --flavour tiny worker: exit 0"
is "$(cat "$T/www/worker/flavours")" "tiny" "setup --flavour tiny: the tiny one alone kept"
run check
is "$rc" 0 "check: ... and the live one no longer checked"

# A flavour no longer kept leaves the boot tree, not served stale.
mkdir -p "$T/cache/live-$lkey"
for f in vmlinuz initrd.img filesystem.squashfs packages.lock; do echo "cached $f" > "$T/cache/live-$lkey/$f"; done
echo "$lkey" > "$T/cache/live-$lkey/key"
run setup --flavour both worker
is "$rc/$(cat "$T/www/worker/flavours")" "0/tiny live" "setup --flavour both: both kept"
run setup --flavour tiny worker
is "$rc" 0 "setup --flavour tiny after both: exit 0"
[ ! -e "$T/www/worker/live" ]; ok $? "... the live flavour's directory removed"
grep -qx "worker setup: $T/www/worker/live removed: the live flavour is no longer kept" "$T/out"
ok $? "... saying so"
is "$(cat "$T/www/worker/initrd.img")" "cached initrd.img" "... the tiny one left as it was"
run setup --flavour both worker
run setup --flavour live worker
is "$rc/$(cat "$T/www/worker/flavours")" "0/live" "setup --flavour live after both: exit 0, the live one alone kept"
[ ! -e "$T/www/worker/vmlinuz" ] && [ ! -e "$T/www/worker/initrd.img" ] &&
    [ ! -e "$T/www/worker/packages.lock" ] && [ ! -e "$T/www/worker/key" ]
ok $? "... the tiny flavour's files removed"
grep -qx "worker setup: $T/www/worker: vmlinuz initrd.img packages.lock key removed: the tiny flavour is no longer kept" "$T/out"
ok $? "... saying so"
is "$(cat "$T/www/worker/live/initrd.img")" "cached initrd.img" "... the live one left as it was"
run check
is "$rc" 0 "check: the live flavour alone: passes"
run setup worker
! grep -q removed "$T/out"; ok $? "setup worker (the flavours kept): nothing removed"

# A check script that fails otherwise than 0, 1 or 2 is an error, said.
mkdir -p "$T/modules/odd"
sed 's/^name = local$/name = odd/' "$TOP/modules/local/module.ini" > "$T/modules/odd/module.ini"
cp "$TOP/modules/local/boot.ipxe" "$T/modules/odd/"
printf '#!/bin/sh\necho odd says hello\nexit 3\n' > "$T/modules/odd/check"
chmod 755 "$T/modules/odd/check"
run check
is "$rc" 1 "check: a check script exiting 3 fails check"
grep -q "odd/check: exit status 3" "$T/err"
ok $? "check: ... naming the script and its status"
grep -q "^  odd says hello" "$T/out"
ok $? "check: ... with what it said"
done_testing
