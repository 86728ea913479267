#!/usr/bin/env python3
"""Crash consistency of the block layer's qcow2 (docs/block.md).

block-stress writes random data (writes, write-zeroes, discards, flushes)
into a qcow2 image and is SIGKILLed after a random delay, 10 times on an
image with 64 KiB clusters and 10 times on one with 512-byte clusters
(where refcount blocks and tables keep growing); runs continue on the
killed image.  After every kill: `rove-img check` (and `qemu-img check`
when installed) must find no corruption (leaks are allowed: exit 0 or 3),
and `block-stress verify` must find every flushed write.  At the end,
`rove-img check -r leaks` must leave an image both tools call clean.

usage: test-block-crash.py ROVE_IMG BLOCK_STRESS [QEMU_IMG]
"""
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

KILLS_PER_IMAGE = 10


def run(cmd, ok_codes=(0,)):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode not in ok_codes:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {p.returncode}\n{p.stdout}{p.stderr}")
    return p


def check_image(rove_img, qemu_img, image, what):
    p = run([rove_img, "check", "--output=json", image], ok_codes=(0, 3))
    result = json.loads(p.stdout)
    if result.get("corruptions", 0):
        sys.exit(f"FAIL: {what}: rove-img check found corruption:\n{p.stdout}")
    leaks = result.get("leaks", 0)
    if qemu_img:
        run([qemu_img, "check", image], ok_codes=(0, 3))
    return leaks


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    rove_img, stress = sys.argv[1], sys.argv[2]
    qemu_img = sys.argv[3] if len(sys.argv) > 3 else None
    seed = int(os.environ.get("BLOCK_CRASH_SEED", random.randrange(1 << 30)))
    print(f"seed {seed} (BLOCK_CRASH_SEED to repeat)")
    rng = random.Random(seed)
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="rove-block-crash-") as tmp:
        for cluster in (65536, 512):
            image = os.path.join(tmp, f"crash-{cluster}.qcow2")
            log = os.path.join(tmp, f"crash-{cluster}.log")
            run([rove_img, "create", "-f", "qcow2", "-o", f"cluster_size={cluster}", image, "16M"])
            leaks = 0
            for kill in range(KILLS_PER_IMAGE):
                what = f"cluster {cluster}, kill {kill + 1}"
                proc = subprocess.Popen([stress, "run", image, log, str(rng.randrange(1 << 30))],
                                        stderr=subprocess.PIPE, text=True)
                try:
                    proc.wait(timeout=rng.uniform(0.02, 0.5))
                    sys.exit(f"FAIL: {what}: block-stress ended early: {proc.stderr.read()}")
                except subprocess.TimeoutExpired:
                    pass
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                proc.stderr.close()
                leaks = check_image(rove_img, qemu_img, image, what)
                p = run([stress, "verify", image, log])
                print(f"{what}: {p.stdout.strip()}")
            print(f"cluster {cluster}: {leaks} leaked clusters after {KILLS_PER_IMAGE} kills")
            run([rove_img, "check", "-r", "leaks", image], ok_codes=(0,))
            run([rove_img, "check", image])
            if qemu_img:
                run([qemu_img, "check", image])
            run([stress, "verify", image, log])
    print(f"ok: {2 * KILLS_PER_IMAGE} kills in {time.monotonic() - start:.1f} s")


if __name__ == "__main__":
    main()
