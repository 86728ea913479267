#!/bin/bash
# Regenerate the golden stdout files (NAME.out) of the riscv64 guest tests by
# building every program listed in tests.txt and running it under
# qemu-riscv64, the test oracle.  A program whose exit status differs from
# the expected one is reported and its golden file is left untouched.
# Entries flagged manual-golden are skipped (their .out is written by hand).
#
#   tests/tcg/riscv64/regen-golden.sh            # all tests
#   tests/tcg/riscv64/regen-golden.sh zbb auxv   # just these
#
# Environment: RV_CC (riscv64-linux-gnu-gcc), QEMU (qemu-riscv64),
# SYSROOT (/usr/riscv64-linux-gnu), KEEP_BUILD=1 keeps the build directory.
set -u
here=$(cd "$(dirname "$0")" && pwd)
RV_CC=${RV_CC:-riscv64-linux-gnu-gcc}
QEMU=${QEMU:-qemu-riscv64}
SYSROOT=${SYSROOT:-/usr/riscv64-linux-gnu}
PYTHON=${PYTHON:-python3}

for tool in "$RV_CC" "$QEMU" "$PYTHON"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "regen-golden: $tool not found" >&2
        exit 77
    fi
done

out=$(mktemp -d /tmp/rove-golden.XXXXXX)
if [ "${KEEP_BUILD:-0}" != 1 ]; then
    trap 'rm -rf "$out"' EXIT
fi

trim() {
    local s=$1
    s=${s#"${s%%[![:space:]]*}"}
    s=${s%"${s##*[![:space:]]}"}
    printf '%s' "$s"
}

wanted() {
    [ $# -eq 1 ] && return 0
    local n=$1; shift
    for w in "$@"; do [ "$w" = "$n" ] && return 0; done
    return 1
}

fail=0
count=0
while IFS='|' read -r name link srcs cflags status emuargs progargs flags; do
    name=$(trim "$name")
    case "$name" in ''|'#'*) continue ;; esac
    wanted "$name" "$@" || continue
    link=$(trim "$link"); status=$(trim "$status")
    emuargs=$(trim "$emuargs"); progargs=$(trim "$progargs"); flags=$(trim "$flags")
    if [[ " $flags " == *" manual-golden "* ]]; then
        echo "skip  $name (manual golden file)"
        continue
    fi
    src_paths=()
    for s in $srcs; do src_paths+=("$here/$s"); done
    link_args=()
    run_args=()
    if [ "$link" = static ]; then
        link_args=(-static)
    else
        run_args=(--sysroot "$SYSROOT")
    fi
    # shellcheck disable=SC2086  # cflags are whitespace-separated words
    if ! "$RV_CC" -O2 -Wall -o "$out/$name" "${src_paths[@]}" $cflags "${link_args[@]}"; then
        echo "FAIL  $name: compilation failed" >&2
        fail=1
        continue
    fi
    if "$PYTHON" "$here/run-test.py" --update --emu "$QEMU" "${run_args[@]}" \
            --emu-args "$emuargs" --args "$progargs" --status "$status" \
            --expect-out "$here/$name.out" "$out/$name" >"$out/$name.log" 2>&1; then
        echo "ok    $name"
        count=$((count + 1))
    else
        echo "FAIL  $name (golden file not updated):" >&2
        cat "$out/$name.log" >&2
        fail=1
    fi
done < "$here/tests.txt"

echo "regenerated $count golden file(s)"
exit $fail
