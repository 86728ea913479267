#!/bin/bash
# Regenerate the golden outputs (NAME.out) of the bare-metal system tests:
# build every program in tests.txt (but the no-qemu ones) and run it under
# qemu-system-riscv64, the oracle.  A program whose exit status differs
# from the expected one is reported and its golden file is left untouched.
#
#   tests/tcg/riscv64/system/regen-golden.sh            # all tests
#   tests/tcg/riscv64/system/regen-golden.sh traps smp  # just these
#
# Environment: RV_CC (riscv64-linux-gnu-gcc), QEMU (qemu-system-riscv64),
# KEEP_BUILD=1 keeps the build directory.
set -u
here=$(cd "$(dirname "$0")" && pwd)
RV_CC=${RV_CC:-riscv64-linux-gnu-gcc}
QEMU=${QEMU:-qemu-system-riscv64}
PYTHON=${PYTHON:-python3}

for tool in "$RV_CC" "$QEMU" "$PYTHON"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "regen-golden.sh: $tool not found" >&2
        exit 77
    fi
done

out=$(mktemp -d /tmp/rove-sys-golden.XXXXXX)
[ "${KEEP_BUILD:-0}" = 1 ] || trap 'rm -rf "$out"' EXIT

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

read -r -a cflags < "$here/cflags.txt"
fail=0
count=0
while IFS='|' read -r name srcs status emuargs flags; do
    name=$(trim "$name")
    case "$name" in ''|'#'*) continue ;; esac
    wanted "$name" "$@" || continue
    status=$(trim "$status"); emuargs=$(trim "$emuargs")
    case " $flags " in
        *' no-qemu '*) echo "skip  $name (no-qemu: its golden file is not QEMU's)"; continue ;;
    esac
    src_paths=("$here/crt0.S" "$here/lib.c")
    for s in $srcs; do src_paths+=("$here/$s"); done
    if ! "$RV_CC" "${cflags[@]}" -T "$here/link.ld" -I "$here" -o "$out/$name" "${src_paths[@]}"; then
        echo "FAIL  $name: compilation failed" >&2
        fail=1
        continue
    fi
    if "$PYTHON" "$here/run-system-test.py" --update --emu "$QEMU" --emu-args "$emuargs" \
            --status "$status" --expect-out "$here/$name.out" "$out/$name" >"$out/$name.log" 2>&1; then
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
