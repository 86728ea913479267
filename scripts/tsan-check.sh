#!/bin/sh
# Build Rove with ThreadSanitizer (build-tsan/) and run the threaded guest
# tests under it; fails if any run reports a data race or fails.
# Usage: scripts/tsan-check.sh [RUNS [BUILD]]   (default: 3 runs of each test,
# guest programs from the normal build in BUILD, default build/)
set -e
cd "$(dirname "$0")/.."
runs=${1:-3}
build=${2:-build}
[ -d build-tsan/meson-private ] || ./configure --tsan build-tsan >/dev/null
ninja -C build-tsan >/dev/null
# A build dir given by the caller (meson's slow suite) is already built.
[ -n "$2" ] || ninja -C "$build" >/dev/null
progs=$(cd "$build/tests/tcg/riscv64" && ls | grep -E '^(mt_|shm_|threads$)' | grep -v '\.' || true)
[ -n "$progs" ] || { echo "tsan-check: no threaded guest tests in $build/tests/tcg/riscv64" >&2; exit 1; }
# GLib 2.74's slice allocator hands freed blocks between threads behind
# ThreadSanitizer's back: plain malloc lets it see every reuse.
export G_SLICE=always-malloc
log=$(mktemp)
fail=0
for p in $progs; do
    for i in $(seq "$runs"); do
        # TSan's fixed memory layout sometimes leaves no room for the 1 TiB
        # guest reservation under ASLR: that start-up failure is retried.
        for attempt in 1 2 3 4 5; do
            rc=0
            build-tsan/rove-riscv64 -L /usr/riscv64-linux-gnu "$build/tests/tcg/riscv64/$p" \
                >/dev/null 2>"$log" || rc=$?
            grep -q "cannot reserve" "$log" || break
        done
        races=$(grep -c "WARNING: ThreadSanitizer" "$log" || true)
        if [ "$rc" != 0 ] || [ "$races" != 0 ]; then
            echo "FAIL $p (run $i): exit $rc, $races race reports"
            grep -v '^    #' "$log" | head -40
            fail=1
        else
            echo "ok   $p (run $i)"
        fi
    done
done
rm -f "$log"
exit $fail
