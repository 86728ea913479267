#!/bin/sh
# Install dependencies, build Rove, cross-compile a riscv64 demo program from
# examples/riscv64/hello.c and run it under Rove (static, then dynamic).
set -e
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
[ -d build/meson-private ] || ./configure build
ninja -C build
mkdir -p build/examples
riscv64-linux-gnu-gcc -O2 -static -o build/examples/hello-static examples/riscv64/hello.c
riscv64-linux-gnu-gcc -O2 -o build/examples/hello-dynamic examples/riscv64/hello.c
echo "== static riscv64 program under Rove =="
build/rove-riscv64 build/examples/hello-static Rove
echo "== dynamically linked riscv64 program under Rove (libraries from /usr/riscv64-linux-gnu) =="
build/rove-riscv64 -L /usr/riscv64-linux-gnu build/examples/hello-dynamic Rove
