"""What the whole-system benchmarks share (run-system-bench.py,
run-disk-bench.py): running an emulator while timestamping the console
markers the guest prints, and fetching the images."""
import os
import re
import subprocess
import sys
import threading
import time

MARK = re.compile(rb"(EMU-BOOT-OK|EMU-CMD-END rc=\d+|BENCH-START \S+|BENCH-DONE \S+ rc=\d+)")


def run_console(argv, timeout):
    """Runs argv; returns (seconds to each console marker, exit time,
    status, output).  A reader thread timestamps each marker as it comes."""
    seen, out = {}, bytearray()
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)

    def reader():
        scanned = 0
        while True:
            data = os.read(p.stdout.fileno(), 65536)
            if not data:
                return
            now = time.perf_counter() - t0
            out.extend(data)
            # markers are whole lines: scan complete lines only
            end = out.rfind(b"\n") + 1
            for m in MARK.finditer(out, scanned, end):
                seen.setdefault(m.group(1).decode(), now)
            scanned = max(scanned, end)

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    try:
        status = p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, 9)
        p.wait()
        status = "timeout"
    t_exit = time.perf_counter() - t0
    th.join(timeout=5)
    return seen, t_exit, status, bytes(out).decode("utf-8", "replace")


def fetch(script, names, prog):
    """The paths scripts/fetch-images.sh prints for names; exits on failure."""
    p = subprocess.run(["sh", script] + names, stdout=subprocess.PIPE, text=True)
    paths = p.stdout.split()
    if p.returncode != 0 or len(paths) != len(names):
        sys.exit("%s: cannot fetch the images (%s)" % (prog, " ".join(names)))
    return paths
