#!/bin/sh
# Install dependencies, build Rove and run the default test suite.
# Extra arguments go to `meson test` (e.g. --suite slow).  Ends with a line
# "N passed, N failed, N skipped".
set -e
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
[ -d build/meson-private ] || ./configure build
ninja -C build
status=0
meson test -C build --no-rebuild --print-errorlogs --num-processes 2 "$@" || status=$?
python3 scripts/test-summary.py build/meson-logs/testlog.json
exit $status
