#!/usr/bin/env python3
"""Boot real firmware and kernels on the riscv64 virt machine.

Usage: test-boot-riscv64.py [--qemu] [--fetch FETCH_SCRIPT] [--timeout S]
                            [--only CASE,...] EMULATOR

EMULATOR is rove-system-riscv64, or qemu-system-riscv64 with --qemu (the
oracle; it also gets -nic none).  Every case starts the machine with QEMU's
options (-M virt -m 512M -nographic -no-reboot -bios fw_dynamic.bin ...),
watches the serial output for its markers, each with a generous limit,
types into the console where the case needs it, and on any failure prints
the reason and the tail of the output.

  uboot       OpenSBI's banner, U-Boot's prompt (`=> `); `echo rove-ok` and
              `version` answered; `poweroff` ends the machine (status 0)
  linux-smp1  Linux 6.1 + our initramfs to EMU-BOOT-OK; emu.cmd runs
              `uname -sm`, counts the CPUs, does arithmetic; EMU-CMD-END
              rc=0; poweroff ends the machine with status 0
  linux-smp4  the same with -smp 4 (4 CPUs seen)
  linux-virtio-rng
              Linux 6.1 with -device virtio-rng-device: emu.cmd reads
              /dev/hwrng twice (64 bytes each, not all zero, different),
              rng_current names virtio_rng, /proc/interrupts shows
              virtio0 on PLIC source 8 (the slot at 0x10008000, as QEMU)
  linux-virtio-console
              Linux 6.1 with -chardev socket (a unix socket in a temporary
              directory, server=on,wait=off) and QEMU's spelling
              -device virtio-serial-device -device virtconsole,chardev=c0:
              emu.cmd finds the virtio console's hvc (the last hvc that
              opens: this kernel's SBI console takes hvc0, so it is hvc1),
              `stty size` on it must say 40 100 (cols=100,rows=40: F_SIZE;
              not with --qemu, whose virtconsole has no size properties),
              writes a token to it and reads a line back;
              the test receives the token on the socket (and not on the
              serial console), sends a reply, and the serial console must
              show it; virtio_console is bound and vport0p0 exists
  linux-net-wget
              Linux 6.1 with -nic user (slirp + virtio-net-device): emu.cmd
              gets an address with busybox udhcpc (a lease of 10.0.2.15
              from 10.0.2.2; its script is written by the command itself),
              sees the link up, and wgets a random token from an HTTP
              server the test runs on the host's 127.0.0.1 (as 10.0.2.2)
  linux-net-hostfwd
              -netdev user,id=n0,hostfwd=tcp:127.0.0.1:PORT-:80 -device
              virtio-net-device,netdev=n0: the guest takes a lease and
              starts busybox httpd on port 80; the test fetches a token
              from http://127.0.0.1:PORT/ on the host (retrying until the
              guest answers), then types poweroff -f
  debian      Debian 13's stock kernel + initramfs-debian (the same plus
              the kernel's virtio and ext4 modules) to EMU-BOOT-OK, then
              commands typed into the interactive shell: a virtio disk's
              first bytes, eth0's DHCP address (the shell's background
              udhcpc), the virtio rng; poweroff -f

Images come from scripts/fetch-images.sh (cached; the Linux 6.1 kernel is
the shared prebuilt one, never built here: ROVE_NO_BUILD=1).  A case whose
images cannot be fetched is skipped with the reason; exit status 77 when
every case was skipped, 1 when one failed, else 0.  Seconds from start to
each marker are printed.
"""
import argparse
import http.server
import os
import re
import secrets
import socket
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from guest import Failure, Machine, fetch, marker  # noqa: E402

DEFAULT_FETCH = os.path.join(HERE, "..", "..", "scripts", "fetch-images.sh")
CMD = "uname -sm; grep -c ^processor /proc/cpuinfo; echo $((6 * 7))"


def case_uboot(m, limit):
    marker(m, "OpenSBI banner", r"OpenSBI v\d", limit)
    hit = marker(m, "U-Boot banner", r"U-Boot 20\d\d", limit)
    # stop autoboot, whatever the countdown
    hit = m.wait_for(r"Hit any key to stop autoboot", limit, hit.end())
    m.type("\n")
    hit = marker(m, "prompt", r"=> ", limit, hit.end())
    m.type("echo rove-ok\n")
    hit = marker(m, "echo answered", r"\nrove-ok\r?\n", limit, hit.end())
    m.wait_for(r"=> ", limit, hit.end())
    m.type("version\n")
    hit = marker(m, "version answered", r"\nU-Boot 20\d\d[^\n]*\n", limit, hit.end())
    m.wait_for(r"=> ", limit, hit.end())
    m.type("poweroff\n")
    rc = m.wait_exit(limit)
    print("  %6.2f s  exit status %d" % (m.elapsed(), rc))
    if rc != 0:
        raise Failure("exit status %d after U-Boot's poweroff, expected 0" % rc)


def case_linux(m, limit, cpus):
    hit = marker(m, "EMU-BOOT-OK", r"EMU-BOOT-OK riscv64 6\.1\.\d+", limit)
    begin = marker(m, "EMU-CMD-BEGIN", r"EMU-CMD-BEGIN\r?\n", limit, hit.end())
    end = marker(m, "EMU-CMD-END", r"EMU-CMD-END rc=(\d+)", limit, begin.end())
    text = m.text()[begin.end():end.start()]
    lines = [l.strip() for l in text.splitlines()
             if l.strip() and not re.match(r"\s*\[\s*\d+\.\d+\]", l)]
    want = ["Linux riscv64", str(cpus), "42"]
    if lines != want:
        raise Failure("the command printed %r, expected %r" % (lines, want))
    if end.group(1) != "0":
        raise Failure("EMU-CMD-END rc=%s, expected 0" % end.group(1))
    rc = m.wait_exit(limit)
    print("  %6.2f s  exit status %d (poweroff)" % (m.elapsed(), rc))
    if rc != 0:
        raise Failure("exit status %d after poweroff, expected 0" % rc)


RNG_CMD = ("for i in 1 2; do dd if=/dev/hwrng bs=64 count=1 2>/dev/null | od -An -tx1 -w64 | tr -d ' '; done; "
           "cat /sys/class/misc/hw_random/rng_current; grep virtio /proc/interrupts")


def case_virtio_rng(m, limit):
    hit = marker(m, "EMU-BOOT-OK", r"EMU-BOOT-OK riscv64 6\.1\.\d+", limit)
    begin = marker(m, "EMU-CMD-BEGIN", r"EMU-CMD-BEGIN\r?\n", limit, hit.end())
    end = marker(m, "EMU-CMD-END", r"EMU-CMD-END rc=(\d+)", limit, begin.end())
    text = m.text()[begin.end():end.start()]
    lines = [l.strip() for l in text.splitlines()
             if l.strip() and not re.match(r"\s*\[\s*\d+\.\d+\]", l)]
    if len(lines) < 4:
        raise Failure("the command printed %r" % lines)
    for blob in lines[:2]:
        if not re.fullmatch(r"[0-9a-f]{128}", blob) or blob == "0" * 128:
            raise Failure("not 64 random bytes from /dev/hwrng: %r" % blob)
    if lines[0] == lines[1]:
        raise Failure("two reads of /dev/hwrng gave the same bytes")
    if not lines[2].startswith("virtio_rng"):
        raise Failure("rng_current is %r, expected virtio_rng.N" % lines[2])
    irq = re.search(r"^\s*\d+:\s+(\d+)\s+.*PLIC\s+8\s+\S+\s+virtio0$", "\n".join(lines[3:]), re.M)
    if not irq or int(irq.group(1)) == 0:
        raise Failure("no interrupts from virtio0 on PLIC source 8: %r" % lines[3:])
    print("  %6.2f s  %s; %s interrupts" % (m.elapsed(), lines[2], irq.group(1)))
    rc = m.wait_exit(limit)
    if rc != 0:
        raise Failure("exit status %d after poweroff, expected 0" % rc)


CONSOLE_TOKEN = "EMU-HVC-TOKEN-5a17"
CONSOLE_REPLY = "EMU-HVC-REPLY-93c4"
CONSOLE_CMD = ("ls /sys/bus/virtio/drivers/virtio_console | grep virtio; ls /sys/class/virtio-ports; "
               "for n in 0 1 2 3 4 5 6 7; do (exec 4<>/dev/hvc$n) 2>/dev/null && H=/dev/hvc$n; done; "
               "echo HVC=$H; exec 3<>$H; %s echo %s >&3; head -n1 <&3")


def console_cmd(size):
    return CONSOLE_CMD % ("stty size <&3;" if size else "", CONSOLE_TOKEN)


def case_virtio_console(m, limit, sock_path, size):
    hit = marker(m, "EMU-BOOT-OK", r"EMU-BOOT-OK riscv64 6\.1\.\d+", limit)
    begin = marker(m, "EMU-CMD-BEGIN", r"EMU-CMD-BEGIN\r?\n", limit, hit.end())
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(limit)
        s.connect(sock_path)
        got = b""
        while CONSOLE_TOKEN.encode() not in got:
            try:
                data = s.recv(4096)
            except socket.timeout:
                raise Failure("no %s on the socket within %g s (got %r)" % (CONSOLE_TOKEN, limit, got))
            if not data:
                raise Failure("the socket closed before the token (got %r)" % got)
            got += data
        print("  %6.2f s  token received on the socket" % m.elapsed(), flush=True)
        s.sendall((CONSOLE_REPLY + "\n").encode())
        end = marker(m, "EMU-CMD-END", r"EMU-CMD-END rc=(\d+)", limit, begin.end())
    finally:
        s.close()
    text = m.text()[begin.end():end.start()]
    lines = [l.strip() for l in text.splitlines()
             if l.strip() and not re.match(r"\s*\[\s*\d+\.\d+\]", l)]
    want = ["virtio0", "vport0p0"]
    if lines[:2] != want:
        raise Failure("virtio_console not bound / no vport0p0: %r" % lines)
    if size:
        if len(lines) < 4 or lines[3] != "40 100":
            raise Failure("the console's size is not '40 100' (rows=40,cols=100): %r" % lines)
        del lines[3]
    if len(lines) < 4 or not re.fullmatch(r"HVC=/dev/hvc\d", lines[2]):
        raise Failure("no hvc found for the virtio console: %r" % lines)
    if lines[3:] != [CONSOLE_REPLY]:
        raise Failure("the guest read %r from %s, expected [%r]" % (lines[3:], lines[2][4:], CONSOLE_REPLY))
    if CONSOLE_TOKEN in text:
        raise Failure("the token showed up on the serial console, not only on the virtio console")
    if end.group(1) != "0":
        raise Failure("EMU-CMD-END rc=%s, expected 0" % end.group(1))
    print("  %6.2f s  reply read back through %s" % (m.elapsed(), lines[2][4:]))
    rc = m.wait_exit(limit)
    if rc != 0:
        raise Failure("exit status %d after poweroff, expected 0" % rc)


# busybox udhcpc configures nothing itself: its script does (on "bound").
# Written by the command (so the test does not depend on the initramfs's
# /etc/udhcpc/default.script); no '"'
# may appear in emu.cmd.
DHCP_SETUP = ("printf '#!/bin/sh\\n[ $1 = bound ] && ifconfig $interface $ip netmask $subnet"
              " && route add default gw $router\\nexit 0\\n' >/tmp/dhcp.sh; chmod +x /tmp/dhcp.sh;"
              " ifconfig eth0 up; udhcpc -i eth0 -n -q -s /tmp/dhcp.sh; cat /sys/class/net/eth0/carrier;"
              " ifconfig eth0 | grep 'inet addr'")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HostHttp:
    """An HTTP server on the host's 127.0.0.1 that answers /token with a random token."""

    def __init__(self):
        self.token = "rove-net-" + secrets.token_hex(8)
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append(self.path)
                body = (outer.token + "\n").encode() if self.path == "/token" else b"no\n"
                self.send_response(200 if self.path == "/token" else 404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def cmd_lines(m, limit):
    """The lines emu.cmd printed (kernel messages left out) and its status."""
    hit = marker(m, "EMU-BOOT-OK", r"EMU-BOOT-OK riscv64 6\.1\.\d+", limit)
    begin = marker(m, "EMU-CMD-BEGIN", r"EMU-CMD-BEGIN\r?\n", limit, hit.end())
    end = marker(m, "EMU-CMD-END", r"EMU-CMD-END rc=(\d+)", limit, begin.end())
    text = m.text()[begin.end():end.start()]
    lines = [l.strip() for l in text.splitlines()
             if l.strip() and not re.match(r"\s*\[\s*\d+\.\d+\]", l)]
    return lines, end


def check_lease(lines):
    if not any(re.search(r"lease of 10\.0\.2\.15 obtained from 10\.0\.2\.2", l) for l in lines):
        raise Failure("no DHCP lease of 10.0.2.15 from 10.0.2.2: %r" % lines)
    if "1" not in lines:
        raise Failure("eth0's carrier is not up: %r" % lines)
    if not any(re.search(r"inet addr:10\.0\.2\.15 .*Mask:255\.255\.255\.0", l) for l in lines):
        raise Failure("eth0 does not have 10.0.2.15/24: %r" % lines)


def case_net_wget(m, limit, server):
    lines, end = cmd_lines(m, limit)
    check_lease(lines)
    if server.token not in lines:
        raise Failure("wget did not print the token %s: %r" % (server.token, lines))
    if end.group(1) != "0":
        raise Failure("EMU-CMD-END rc=%s, expected 0" % end.group(1))
    print("  %6.2f s  lease, token fetched from the host (%s)" % (m.elapsed(), server.requests))
    rc = m.wait_exit(limit)
    if rc != 0:
        raise Failure("exit status %d after poweroff, expected 0" % rc)


def case_net_hostfwd(m, limit, port, token):
    lines, end = cmd_lines(m, limit)
    check_lease(lines)
    if "HTTPD-UP" not in lines:
        raise Failure("httpd did not start: %r" % lines)
    # The guest's httpd is up; retry in case a first connection races its accept loop.
    url = "http://127.0.0.1:%d/token" % port
    deadline = time.monotonic() + limit
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                body = r.read().decode(errors="replace")
            break
        except OSError as e:
            if time.monotonic() > deadline:
                raise Failure("no answer from %s: %s" % (url, e))
            time.sleep(0.5)
    if body.strip() != token:
        raise Failure("%s answered %r, expected %r" % (url, body, token))
    print("  %6.2f s  %s answered the token" % (m.elapsed(), url))
    m.type("poweroff -f\n")
    rc = m.wait_exit(limit)
    print("  %6.2f s  exit status %d (poweroff -f)" % (m.elapsed(), rc))
    if rc != 0:
        raise Failure("exit status %d after poweroff -f, expected 0" % rc)


DEBIAN_DISK_MARK = "ROVE-DEBIAN-DISK-7c1e"
# The interactive shell's DHCP runs in the background: wait for its address.
DEBIAN_DEVICES_CMD = ("head -c %d /dev/vda; echo; for i in $(seq 30); do ifconfig eth0 2>/dev/null |"
                      " grep -q 'inet addr' && break; sleep 1; done; ifconfig eth0 |"
                      " grep -o 'inet addr:[0-9.]*'; cat /sys/class/misc/hw_random/rng_current\n"
                      % len(DEBIAN_DISK_MARK))


def case_debian(m, limit):
    hit = marker(m, "EMU-BOOT-OK", r"EMU-BOOT-OK riscv64 6\.\d+\.\d+\S*deb\S*", limit)
    hit = marker(m, "shell prompt", r"# ", limit, hit.end())
    m.type("echo $((3 + 4))-shell-ok; uname -r\n")
    hit = marker(m, "shell answered", r"\n7-shell-ok\r?\n6\.\d+\.\d+\S*-riscv64\r?\n", limit, hit.end())
    # Its virtio drivers are modules, loaded by our /init (initramfs-debian).
    m.type(DEBIAN_DEVICES_CMD)
    hit = marker(m, "virtio disk, network and rng", r"\n%s\r?\ninet addr:10\.0\.2\.15\r?\nvirtio_rng"
                 % DEBIAN_DISK_MARK, limit, hit.end())
    m.type("poweroff -f\n")
    rc = m.wait_exit(limit)
    print("  %6.2f s  exit status %d (poweroff -f)" % (m.elapsed(), rc))
    if rc != 0:
        raise Failure("exit status %d after poweroff -f, expected 0" % rc)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("emulator")
    ap.add_argument("--qemu", action="store_true", help="the emulator is qemu-system-riscv64")
    ap.add_argument("--fetch", default=DEFAULT_FETCH, help="scripts/fetch-images.sh")
    ap.add_argument("--timeout", type=float, default=None,
                    help="seconds allowed per marker (default 300, 60 with --qemu)")
    ap.add_argument("--only", metavar="CASE,...", help="run only these cases")
    a = ap.parse_args()
    limit = a.timeout or (60.0 if a.qemu else 300.0)
    emu = os.path.abspath(a.emulator) if os.path.sep in a.emulator else a.emulator

    base = [emu, "-M", "virt", "-m", "512M", "-nographic", "-no-reboot"]
    if a.qemu:
        base += ["-nic", "none"]
    append = "console=ttyS0 panic=-1"
    emu_cmd = 'emu.cmd="%s"' % CMD
    tmp = tempfile.TemporaryDirectory(prefix="rove-boot-")
    sock_path = os.path.join(tmp.name, "hvc.sock")
    debian_disk = os.path.join(tmp.name, "debian-disk.raw")
    with open(debian_disk, "wb") as f:
        f.write(DEBIAN_DISK_MARK.encode())
        f.truncate(1 << 20)
    # QEMU's -nic makes PCI cards only on virt (and its -nic none would
    # drop it anyway): the oracle gets the same card spelt out.
    wget_nic = (["-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0"] if a.qemu
                else ["-nic", "user,model=virtio-net-device"])
    server = HostHttp()
    wget_cmd = DHCP_SETUP + "; wget -q -O - http://10.0.2.2:%d/token" % server.port
    fwd_port = free_port()
    fwd_token = "rove-fwd-" + secrets.token_hex(8)
    httpd_cmd = (DHCP_SETUP + "; mkdir -p /tmp/www; echo %s >/tmp/www/token;"
                 " httpd -p 80 -h /tmp/www && echo HTTPD-UP" % fwd_token)
    cases = [
        ("uboot", ["opensbi", "u-boot"], lambda p: ["-smp", "1", "-bios", p[0], "-kernel", p[1]],
         case_uboot),
        ("linux-smp1", ["opensbi", "linux", "initramfs"],
         lambda p: ["-smp", "1", "-bios", p[0], "-kernel", p[1], "-initrd", p[2],
                    "-append", append + " " + emu_cmd], lambda m, l: case_linux(m, l, 1)),
        ("linux-smp4", ["opensbi", "linux", "initramfs"],
         lambda p: ["-smp", "4", "-bios", p[0], "-kernel", p[1], "-initrd", p[2],
                    "-append", append + " " + emu_cmd], lambda m, l: case_linux(m, l, 4)),
        ("linux-virtio-rng", ["opensbi", "linux", "initramfs"],
         lambda p: ["-smp", "1", "-bios", p[0], "-kernel", p[1], "-initrd", p[2],
                    "-device", "virtio-rng-device",
                    "-append", append + ' emu.cmd="%s"' % RNG_CMD], case_virtio_rng),
        ("linux-virtio-console", ["opensbi", "linux", "initramfs"],
         lambda p: ["-smp", "1", "-bios", p[0], "-kernel", p[1], "-initrd", p[2],
                    "-chardev", "socket,id=c0,path=%s,server=on,wait=off" % sock_path,
                    "-device", "virtio-serial-device",
                    "-device", "virtconsole,chardev=c0" + ("" if a.qemu else ",cols=100,rows=40"),
                    "-append", append + ' emu.cmd="%s"' % console_cmd(not a.qemu)],
         lambda m, l: case_virtio_console(m, l, sock_path, not a.qemu)),
        ("linux-net-wget", ["opensbi", "linux", "initramfs"],
         lambda p: ["-smp", "1", "-bios", p[0], "-kernel", p[1], "-initrd", p[2],
                    *wget_nic,
                    "-append", append + ' emu.cmd="%s"' % wget_cmd],
         lambda m, l: case_net_wget(m, l, server)),
        ("linux-net-hostfwd", ["opensbi", "linux", "initramfs"],
         lambda p: ["-smp", "2", "-bios", p[0], "-kernel", p[1], "-initrd", p[2],
                    "-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:80" % fwd_port,
                    "-device", "virtio-net-device,netdev=n0",
                    "-append", append + ' emu.shell=1 emu.cmd="%s"' % httpd_cmd],
         lambda m, l: case_net_hostfwd(m, l, fwd_port, fwd_token)),
        ("debian", ["opensbi", "linux-debian", "initramfs-debian"],
         lambda p: ["-smp", "1", "-bios", p[0], "-kernel", p[1], "-initrd", p[2],
                    "-drive", "file=%s,format=raw,if=none,id=d0" % debian_disk,
                    "-device", "virtio-blk-device,drive=d0",
                    "-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0",
                    "-device", "virtio-rng-device",
                    "-append", append], case_debian),
    ]
    ran = failed = 0
    for name, images, args, run in cases:
        if a.only and name not in a.only.split(","):
            continue
        paths, why = fetch(a.fetch, images)
        if paths is None:
            print("SKIP %s: cannot fetch %s: %s" % (name, " ".join(images), why), flush=True)
            continue
        argv = base + args(paths)
        print("%s: %s" % (name, " ".join(argv)), flush=True)
        ran += 1
        m = Machine(argv)
        try:
            run(m, limit)
            print("ok   %s (%.2f s)" % (name, m.elapsed()), flush=True)
        except Failure as e:
            failed += 1
            print("FAIL %s after %.2f s: %s" % (name, m.elapsed(), e))
            print("--- last 40 lines of the console ---")
            print("\n".join(m.text().splitlines()[-40:]))
            print("---", flush=True)
        finally:
            m.kill()
    server.close()
    if ran == 0:
        print("SKIP: no case could run")
        return 77
    print("%d ran, %d failed" % (ran, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
