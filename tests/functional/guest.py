"""Shared pieces of the whole-system functional tests: an emulator process
whose console output is collected (Machine), markers with limits, the
images of scripts/fetch-images.sh, and running one shell command in the
riscv64 Linux guest (our initramfs runs the kernel's emu.cmd="..." and
powers off)."""
import os
import re
import signal
import subprocess
import threading
import time


class Failure(Exception):
    pass


class Machine:
    """An emulator process whose console output is collected by a thread."""

    def __init__(self, argv):
        self.argv = argv
        self.out = b""
        self.lock = threading.Lock()
        self.t0 = time.monotonic()
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            data = os.read(self.p.stdout.fileno(), 65536)
            if not data:
                return
            with self.lock:
                self.out += data

    def text(self):
        with self.lock:
            return self.out.decode("utf-8", "replace")

    def wait_for(self, pattern, limit, after=0):
        """Wait until regex pattern appears in the output past offset
        `after`; returns the match.  Fails on timeout or exit."""
        end = time.monotonic() + limit
        rx = re.compile(pattern)
        while True:
            m = rx.search(self.text(), after)
            if m:
                return m
            if self.p.poll() is not None:
                time.sleep(0.2)     # let the reader drain the pipe
                m = rx.search(self.text(), after)
                if m:
                    return m
                raise Failure("the emulator exited (status %d) before %r" % (self.p.returncode, pattern))
            if time.monotonic() > end:
                raise Failure("no %r within %g s" % (pattern, limit))
            time.sleep(0.02)

    def type(self, s):
        self.p.stdin.write(s.encode())
        self.p.stdin.flush()

    def elapsed(self):
        return time.monotonic() - self.t0

    def wait_exit(self, limit):
        try:
            return self.p.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            raise Failure("the emulator did not exit within %g s" % limit)

    def sigkill(self):
        """SIGKILL the emulator itself (not its process group)."""
        self.p.kill()
        self.p.wait()

    def kill(self):
        if self.p.poll() is None:
            try:
                os.killpg(self.p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.p.wait()
        self.reader.join(timeout=5)


def marker(m, name, pattern, limit, after=0):
    hit = m.wait_for(pattern, limit, after)
    print("  %6.2f s  %s" % (m.elapsed(), name), flush=True)
    return hit


def fetch(script, names):
    """Paths of the images, or (None, reason)."""
    env = dict(os.environ, ROVE_NO_BUILD="1")
    p = subprocess.run(["sh", script] + names, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, env=env)
    paths = p.stdout.split()
    if p.returncode != 0 or len(paths) != len(names):
        err = p.stderr.strip().splitlines()
        return None, (err[-1] if err else "fetch-images.sh failed")
    return paths, None


def is_kernel_line(line):
    return re.match(r"\s*\[\s*\d+\.\d+\]", line) is not None


def linux_argv(emu, images, cmd, extra=(), smp=1, mem="512M"):
    """A command line that boots Linux 6.1 + our initramfs and runs cmd.
    images: the paths of fetch(["opensbi", "linux", "initramfs"])."""
    if '"' in cmd:
        raise ValueError("emu.cmd cannot hold '\"'")
    return [emu, "-M", "virt", "-m", mem, "-smp", str(smp), "-nographic", "-no-reboot",
            "-bios", images[0], "-kernel", images[1], "-initrd", images[2]] + list(extra) + \
           ["-append", 'console=ttyS0 panic=-1 emu.cmd="%s"' % cmd]


def command_output(m, limit):
    """Waits for the guest command to finish; returns (lines it printed
    without the kernel's messages, its exit status)."""
    hit = marker(m, "EMU-BOOT-OK", r"EMU-BOOT-OK riscv64 ", limit)
    begin = m.wait_for(r"EMU-CMD-BEGIN\r?\n", limit, hit.end())
    end = marker(m, "EMU-CMD-END", r"EMU-CMD-END rc=(\d+)", limit, begin.end())
    text = m.text()[begin.end():end.start()]
    lines = [l.strip() for l in text.splitlines() if l.strip() and not is_kernel_line(l)]
    return lines, int(end.group(1))


def run_linux(emu, images, cmd, limit, extra=(), expect_rc=0):
    """Boots, runs cmd, waits for the poweroff (exit status 0); returns the
    command's output lines.  Fails unless its status is expect_rc."""
    m = Machine(linux_argv(emu, images, cmd, extra))
    try:
        lines, rc = command_output(m, limit)
        if expect_rc is not None and rc != expect_rc:
            raise Failure("`%s` exited with %d, expected %d; it printed %r" % (cmd, rc, expect_rc, lines))
        status = m.wait_exit(limit)
        if status != 0:
            raise Failure("exit status %d after poweroff, expected 0" % status)
        return lines
    except Failure:
        print("--- last 30 lines of the console ---")
        print("\n".join(m.text().splitlines()[-30:]))
        print("---", flush=True)
        raise
    finally:
        m.kill()
