#!/usr/bin/env python3
"""rove-system-riscv64's command line, device tree and main loop.

usage: test-system-cli.py ROVE_SYSTEM [QEMU_SYSTEM]

- Bad input (unknown option or machine, bad -m/-smp/-serial/-accel values,
  missing or malformed files, -initrd without -kernel, unknown or too many
  -device, bad -chardev specs, chardev=ID naming no -chardev, a chardev
  with two front ends, virtconsole without virtio-serial-device, ...) must give one
  line on stderr naming the program and exit 1; never a crash.
- `-machine dumpdtb=FILE` blobs are parsed (a small reader below, and dtc
  when installed must accept them) and checked: nodes, reg values,
  interrupt wiring resolved through phandles, the cpu count with -smp 4,
  bootargs and the initrd range, the eight virtio-mmio slots.  With QEMU_SYSTEM (qemu-system-riscv64)
  the same command lines are dumped by QEMU and every node and property we
  emit must match QEMU's, phandles compared by the node they point at.
- The main loop: Ctrl-A x exits 0, SIGTERM exits 0 (terminal restored).
"""
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

emu = sys.argv[1]
qemu = sys.argv[2] if len(sys.argv) > 2 and os.path.exists(sys.argv[2]) else None
failures = 0


def check(ok, what, detail=""):
    global failures
    print(f"{'ok  ' if ok else 'FAIL'} {what}" + (f": {detail}" if detail and not ok else ""))
    if not ok:
        failures += 1
    return ok


def run(args, timeout=30, **kw):
    return subprocess.run([emu] + args, capture_output=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, **kw)


def bad(args, name, must_contain="", prefix="rove-system-riscv64: "):
    p = run(args)
    lines = [l for l in p.stderr.decode(errors="replace").splitlines() if l.strip()]
    ok = (p.returncode == 1 and len(lines) == 1 and lines[0].startswith(prefix)
          and must_contain in lines[0])
    check(ok, f"bad input: {name}",
          f"status {p.returncode}, stderr {lines[:5]}")


# ---- A device tree blob reader (the format of devicetree-specification ch. 5) ----

def parse_dtb(data):
    magic, total, off_struct, off_strings = struct.unpack_from(">4I", data, 0)
    assert magic == 0xd00dfeed and total <= len(data), "not a dtb"
    nodes, stack, p = {}, [], off_struct

    def cstr(at):
        end = data.index(b"\0", at)
        return data[at:end].decode(), end + 1

    while True:
        (tok,) = struct.unpack_from(">I", data, p)
        p += 4
        if tok == 1:                     # FDT_BEGIN_NODE
            name, p = cstr(p)
            p = (p + 3) & ~3
            path = "/" if not stack else (stack[-1].rstrip("/") + "/" + name)
            stack.append(path)
            nodes[path] = {}
        elif tok == 2:                   # FDT_END_NODE
            stack.pop()
        elif tok == 3:                   # FDT_PROP
            length, nameoff = struct.unpack_from(">2I", data, p)
            p += 8
            name, _ = cstr(off_strings + nameoff)
            nodes[stack[-1]][name] = data[p:p + length]
            p = (p + length + 3) & ~3
        elif tok == 4:                   # FDT_NOP
            continue
        elif tok == 9:                   # FDT_END
            return nodes
        else:
            raise ValueError(f"bad token {tok}")


def cells(v):
    return list(struct.unpack(f">{len(v) // 4}I", v))


def strs(v):
    return v.rstrip(b"\0").decode().split("\0")


def by_phandle(tree):
    return {cells(props["phandle"])[0]: path for path, props in tree.items() if "phandle" in props}


def dump(args, path, tool=None):
    tool = tool or emu
    p = subprocess.run([tool] + args + ["-machine", f"dumpdtb={path}"], capture_output=True,
                       timeout=60, stdin=subprocess.DEVNULL)
    if p.returncode != 0 or not os.path.exists(path):
        return None, p.stderr.decode(errors="replace").strip()
    if shutil.which("dtc"):
        d = subprocess.run(["dtc", "-I", "dtb", "-O", "dts", "-o", "/dev/null", path],
                           capture_output=True)
        if d.returncode != 0:
            return None, "dtc refused it: " + d.stderr.decode(errors="replace")
    return parse_dtb(open(path, "rb").read()), ""


def normalise(tree, path, name, value):
    """Phandle cells replaced by the path they name, for comparing two trees."""
    ph = by_phandle(tree)
    if name in ("interrupt-parent", "regmap", "cpu"):
        return [ph.get(c, c) for c in cells(value)]
    if name == "interrupts-extended":       # <phandle irq> pairs (#interrupt-cells = 1)
        c = cells(value)
        return [ph.get(x, x) if i % 2 == 0 else x for i, x in enumerate(c)]
    return value


def check_tree(t, ncpus, ram):
    soc = "/soc"
    check(cells(t["/"]["#address-cells"]) == [2] and cells(t["/"]["#size-cells"]) == [2],
          "root cells")
    cpus = sorted(p for p in t if p.startswith("/cpus/cpu@") and p.count("/") == 2)
    check(cpus == [f"/cpus/cpu@{i}" for i in range(ncpus)], f"{ncpus} cpu nodes", str(cpus))
    check(cells(t["/cpus"]["timebase-frequency"]) == [10000000], "timebase-frequency")
    intc = []
    for i in range(ncpus):
        c = t[f"/cpus/cpu@{i}"]
        ok = (cells(c["reg"]) == [i] and strs(c["device_type"]) == ["cpu"]
              and strs(c["status"]) == ["okay"] and strs(c["compatible"]) == ["riscv"]
              and strs(c["mmu-type"]) == ["riscv,sv48"]
              and strs(c["riscv,isa"])[0].startswith("rv64imafdc_zicsr_zifencei")
              and strs(c["riscv,isa"])[0].endswith("_sstc"))
        ic = t[f"/cpus/cpu@{i}/interrupt-controller"]
        ok = ok and strs(ic["compatible"]) == ["riscv,cpu-intc"] and "interrupt-controller" in ic
        check(ok, f"cpu@{i} properties")
        intc.append(cells(ic["phandle"])[0])
        core = t.get(f"/cpus/cpu-map/cluster0/core{i}", {})
        check(core.get("cpu") and cells(core["cpu"]) == cells(c["phandle"]), f"cpu-map core{i}")
    mem = t.get("/memory@80000000", {})
    check(cells(mem.get("reg", b"")) == [0, 0x80000000, ram >> 32, ram & 0xffffffff]
          and strs(mem["device_type"]) == ["memory"], "memory reg", str(mem))
    regs = {"clint@2000000": (0x2000000, 0x10000), "plic@c000000": (0xc000000, 0x600000),
            "serial@10000000": (0x10000000, 0x100), "rtc@101000": (0x101000, 0x1000),
            "test@100000": (0x100000, 0x1000)}
    for n, (base, size) in regs.items():
        node = t.get(f"{soc}/{n}", {})
        check(cells(node.get("reg", b"")) == [0, base, 0, size], f"{n} reg")
    plic = t[f"{soc}/plic@c000000"]
    plic_ph = cells(plic["phandle"])[0]
    want = []
    for ph in intc:
        want += [ph, 11, ph, 9]
    check(cells(plic["interrupts-extended"]) == want, "plic: M and S external per hart")
    check(cells(plic["riscv,ndev"]) == [96] and
          strs(plic["compatible"]) == ["sifive,plic-1.0.0", "riscv,plic0"], "plic ndev/compatible")
    want = []
    for ph in intc:
        want += [ph, 3, ph, 7]
    clint = t[f"{soc}/clint@2000000"]
    check(cells(clint["interrupts-extended"]) == want, "clint: M soft and timer per hart")
    check(strs(clint["compatible"]) == ["sifive,clint0", "riscv,clint0"], "clint compatible")
    for n, irq, compat in (("serial@10000000", 10, "ns16550a"),
                           ("rtc@101000", 11, "google,goldfish-rtc")):
        node = t[f"{soc}/{n}"]
        check(cells(node["interrupts"]) == [irq] and cells(node["interrupt-parent"]) == [plic_ph]
              and strs(node["compatible"]) == [compat], f"{n} irq {irq} via the plic")
    check(cells(t[f"{soc}/serial@10000000"]["clock-frequency"]) == [3686400], "uart clock")
    test = t[f"{soc}/test@100000"]
    check(strs(test["compatible"]) == ["sifive,test1", "sifive,test0", "syscon"], "test compatible")
    for n, compat, val in (("/poweroff", "syscon-poweroff", 0x5555),
                           ("/reboot", "syscon-reboot", 0x7777)):
        node = t.get(n, {})
        check(node and strs(node["compatible"]) == [compat] and cells(node["value"]) == [val]
              and cells(node["regmap"]) == cells(test["phandle"]), f"{n} -> test device")
    check(strs(t["/chosen"]["stdout-path"]) == ["/soc/serial@10000000"], "stdout-path")
    virtio = sorted(p for p in t if p.startswith(f"{soc}/virtio_mmio@"))
    check(virtio == sorted(f"{soc}/virtio_mmio@{0x10001000 + 0x1000 * i:x}" for i in range(8)),
          "eight virtio-mmio slots", str(virtio))
    for i in range(8):
        node = t.get(f"{soc}/virtio_mmio@{0x10001000 + 0x1000 * i:x}", {})
        check(node and cells(node["reg"]) == [0, 0x10001000 + 0x1000 * i, 0, 0x1000]
              and cells(node["interrupts"]) == [1 + i]
              and cells(node["interrupt-parent"]) == [plic_ph]
              and strs(node["compatible"]) == ["virtio,mmio"], f"virtio_mmio slot {i}: reg, irq {1 + i}")


def compare_with_qemu(ours, theirs, what):
    skip = {"phandle", "riscv,isa", "model", "rng-seed"}
    diffs = []
    for path, props in ours.items():
        if path not in theirs:
            diffs.append(f"{path}: not in QEMU's tree")
            continue
        for name, value in props.items():
            if name in skip:
                continue
            if name not in theirs[path]:
                diffs.append(f"{path} {name}: QEMU has no such property")
            elif normalise(ours, path, name, value) != normalise(theirs, path, name,
                                                                 theirs[path][name]):
                diffs.append(f"{path} {name}: differs from QEMU")
        for name in theirs[path]:
            if name not in props:
                diffs.append(f"{path} {name}: missing (QEMU has it)")
    check(not diffs, f"same as QEMU's tree: {what}", "; ".join(diffs[:6]))
    only_qemu = sorted(p for p in theirs if p not in ours)
    print(f"     QEMU-only nodes (devices Rove does not have): {len(only_qemu)}")


with tempfile.TemporaryDirectory() as d:
    def f(name, data=b""):
        path = os.path.join(d, name)
        with open(path, "wb") as fh:
            fh.write(data)
        return path

    missing = os.path.join(d, "missing")
    kernel = f("kernel.bin", b"\x13\x00\x00\x00" * 256)
    initrd = f("initrd.img", bytes(range(256)) * 40)
    empty = f("empty")
    junk = f("junk.dtb", b"\xd0\x0d\xfe\xed" + b"\xff" * 60)

    # ---- Bad input ----
    bad(["-nosuch"], "unknown option", "-nosuch")
    bad(["-M", "nosuch"], "unknown machine", "nosuch")
    bad(["-machine", "virt,nosuch=1"], "unknown machine property", "nosuch")
    bad(["-kernel"], "option without its argument", "-kernel")
    bad(["disk.img"], "positional argument", "disk.img")
    for m in ("12X", "0", "1M", "-5", "size=", "99999999999999999999", "5001K"):
        bad(["-m", m], f"-m {m}", "-m")
    for s in ("0", "9", "cpus=0", "cpus=x", "two", "4,sockets=2", "cpus=2,maxcpus=4"):
        bad(["-smp", s], f"-smp {s}", "-smp")
    bad(["-serial", "tcp::4444"], "-serial tcp", "-serial")
    bad(["-serial", "stdio", "-serial", "stdio"], "two -serial", "-serial")
    bad(["-display", "gtk"], "-display gtk", "-display")
    bad(["-accel", "kvm"], "-accel kvm", "kvm")
    bad(["-accel", "tcg,thread=many"], "-accel thread=many", "thread=many")
    # Networking: -netdev / -nic / -device virtio-net-device mistakes.
    nd = ["-bios", "none", "-netdev"]
    bad(nd + ["nosuch,id=n0"], "-netdev unknown back end", "nosuch")
    bad(nd + ["user"], "-netdev without id", "id=")
    bad(nd + ["user,id=1x"], "-netdev id not a name", "1x")
    bad(nd + ["user,id=n0,nosuch=1"], "-netdev unknown option", "nosuch")
    bad(nd + ["user,id=n0,restrict"], "-netdev option without =", "restrict")
    bad(nd + ["user,id=n0,restrict=maybe"], "-netdev restrict=maybe", "restrict=maybe")
    for spec in ["garbage", "tcp:8080:80", "tcp::99999-:80", "tcp::8080-:0", "sctp::80-:80",
                 "tcp:1.2.3:8080-:80", "tcp::8080-10.0.2.300:80", "tcp::-:80", "tcp::80-"]:
        bad(nd + ["user,id=n0,hostfwd=" + spec], f"-netdev hostfwd={spec}", "hostfwd=" + spec)
    bad(nd + ["user,id=n0,net=10.0.2.0/33"], "-netdev net=/33", "net=")
    bad(nd + ["user,id=n0,net=10.0.2.0/255.0.255.0"], "-netdev non-contiguous mask", "net=")
    bad(nd + ["user,id=n0,host=192.168.7.2"], "-netdev host outside net", "host 192.168.7.2")
    bad(nd + ["user,id=n0,dns=10.0.2.255"], "-netdev dns = broadcast", "dns")
    bad(nd + ["user,id=n0", "-netdev", "user,id=n0"], "-netdev id twice", "n0")
    bad(["-bios", "none", "-device", "virtio-net-device,netdev=missing"],
        "-device virtio-net-device netdev=missing", "netdev 'missing' not found")
    bad(nd + ["user,id=n0", "-device", "virtio-net-device,netdev=n0",
              "-device", "virtio-net-device,netdev=n0"], "two cards on one netdev", "already used")
    bad(["-bios", "none", "-device", "virtio-net-device,mac=52:54:00:12:34"], "bad mac", "mac=")
    bad(["-bios", "none", "-nic", "user,model=e1000"], "-nic model=e1000", "e1000")
    bad(["-bios", "none", "-nic", "tap"], "-nic tap", "tap")
    bad(["-bios", "none", "-nic", "user,hostfwd=junk"], "-nic hostfwd=junk", "hostfwd=junk")
    bad(["-bios", "none", "-net", "user"], "-net user", "-net")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        bad(nd + [f"user,id=n0,hostfwd=tcp:127.0.0.1:{port}-:80"], "hostfwd port in use",
            "cannot listen")
    # system/log.c is shared with user mode and says "rove:".
    bad(["-d", "nosuchitem"], "-d unknown item", "nosuchitem", prefix="rove")
    bad(["-device", "nosuch"], "-device unknown type", "-device nosuch")
    bad(["-device", "serial-16550"], "-device of a machine-only type", "-device serial-16550")
    bad(["-device", "virtio-rng-device,nosuch=1"], "-device unknown property", "nosuch")
    bad(["-device", "virtio-rng-device,junk"], "-device property without =", "junk")
    bad(["-device", "nosuch,help"], "-device unknown type help", "nosuch")
    bad(["-bios", "none"] + ["-device", "virtio-rng-device"] * 9, "nine -device", "slots")
    # -chardev and the virtio console.
    bad(["-chardev", "nosuch,id=c0"], "-chardev unknown back end", "unknown back end 'nosuch'")
    bad(["-chardev", "null"], "-chardev without id", "needs id=")
    bad(["-chardev", "null,id="], "-chardev with an empty id", "needs id=")
    bad(["-chardev", "null,id=c0,path=x"], "-chardev unknown option", "'path'")
    bad(["-chardev", "null,id=c0", "-chardev", "null,id=c0"], "-chardev id twice", "c0")
    bad(["-chardev", "socket,id=c0"], "-chardev socket without path or port", "path=")
    bad(["-chardev", "socket,id=c0,port=70000,server=on"], "-chardev socket bad port", "port=")
    bad(["-chardev", "socket,id=c0,path=" + os.path.join(missing, "s"), "-bios", "none"],
        "-chardev socket in a missing directory", missing)
    bad(["-chardev", "socket,id=c0,path=x,server=on,wait=maybe"], "-chardev wait=maybe", "wait")
    bad(["-chardev", "file,id=c0"], "-chardev file without path", "path=")
    bad(["-chardev", "stdio,id=c0"], "-chardev stdio while the serial is on stdio", "stdio")
    bad(["-serial", "chardev:nope"], "-serial chardev: unknown id", "nope")
    bad(["-bios", "none", "-device", "virtio-console-device,chardev=nope"],
        "-device chardev= unknown id", "no -chardev with id 'nope'")
    bad(["-bios", "none", "-chardev", "null,id=c0", "-serial", "chardev:c0", "-device",
         "virtio-console-device,chardev=c0"], "one chardev, two front ends", "front end")
    bad(["-bios", "none", "-device", "virtconsole,chardev=c0"], "virtconsole alone",
        "virtio-serial-device")
    bad(["-bios", "none", "-chardev", "null,id=a", "-chardev", "null,id=b",
         "-device", "virtio-serial-device", "-device", "virtconsole,chardev=a",
         "-device", "virtconsole,chardev=b"], "two virtconsole ports", "multiport")
    bad(["-bios", "none", "-device", "virtio-console-device,rows=70000"], "rows too large",
        "65535")
    bad(["-bios", missing], "missing -bios", "-bios")
    bad(["-bios", "none", "-kernel", missing], "missing -kernel",
        "-kernel " + missing + ": cannot open: No such file or directory")
    bad(["-bios", "none", "-kernel", d], "directory as -kernel", "-kernel")
    bad(["-bios", "none", "-kernel", empty], "empty -kernel", "-kernel")
    bad(["-bios", "none", "-kernel", kernel, "-initrd", missing], "missing -initrd", "-initrd")
    bad(["-bios", "none", "-initrd", initrd], "-initrd without -kernel", "-initrd")
    bad(["-bios", "none", "-append", "x"], "-append without -kernel", "-append")
    bad(["-bios", "none", "-dtb", missing], "missing -dtb", "-dtb")
    bad(["-bios", "none", "-dtb", junk], "malformed -dtb", "-dtb")
    bad(["-bios", "none", "-dtb", kernel], "-dtb that is not a dtb", "-dtb")
    bad(["-bios", "none", "-m", "4M", "-kernel", initrd, "-initrd", f("big", bytes(3 << 20))],
        "initrd too large for RAM", "-initrd")
    bad(["-bios", "none", "-machine", "dumpdtb=" + os.path.join(missing, "x.dtb")],
        "dumpdtb into a missing directory", "dumpdtb")
    p = run(["-bios", "default", "-machine", f"dumpdtb={d}/x.dtb"],
            env=dict(os.environ, ROVE_OPENSBI=missing))
    check(p.returncode == 1 and len(p.stderr.decode().strip().splitlines()) == 1,
          "ROVE_OPENSBI pointing nowhere: one line, exit 1")

    # ---- Informational options ----
    p = run(["-version"])
    check(p.returncode == 0 and b"rove-system-riscv64 version" in p.stdout, "-version")
    p = run(["-h"])
    check(p.returncode == 0 and b"-kernel" in p.stdout and b"dumpdtb" in p.stdout, "-h")
    p = run(["-M", "help"])
    check(p.returncode == 0 and b"virt" in p.stdout, "-M help")
    p = run(["-device", "help"])
    check(p.returncode == 0 and b'"virtio-rng-device"' in p.stdout
          and b'"virtio-console-device"' in p.stdout and b'"virtconsole"' in p.stdout
          and b"ns16550a" not in p.stdout, "-device help lists the virtio devices only")
    p = run(["-netdev", "help"])
    check(p.returncode == 0 and b"user" in p.stdout, "-netdev help")
    p = run(["-device", "virtio-net-device,help"])
    check(p.returncode == 0 and b"netdev" in p.stdout and b"mac" in p.stdout,
          "-device virtio-net-device,help")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free_port = s.getsockname()[1]
    t, err = dump(["-bios", "none", "-nic", "none", "-net", "none", "-netdev", "user,id=n0",
                   "-device", "virtio-net-device,netdev=n0",
                   "-nic", f"user,hostfwd=tcp:127.0.0.1:{free_port}-:22"], f"{d}/net.dtb")
    check(t is not None, "-netdev user + -device virtio-net-device + -nic user start", err)
    p = run(["-device", "virtio-rng-device,help"])
    check(p.returncode == 0 and p.stdout.startswith(b"virtio-rng-device: "),
          "-device virtio-rng-device,help")
    p = run(["-chardev", "help"])
    check(p.returncode == 0 and all(b in p.stdout for b in (b"null", b"file", b"socket", b"stdio")),
          "-chardev help")
    for t in ("virtio-console-device", "virtconsole"):
        p = run(["-device", t + ",help"])
        check(p.returncode == 0 and p.stdout.startswith(t.encode() + b": ")
              and b"chardev" in p.stdout and b"cols" in p.stdout, f"-device {t},help")
    # A chardev nobody connects to and a file one: the machine builds (dumpdtb) and the
    # unix socket file goes away again.
    sock = os.path.join(d, "c.sock")
    p = run(["-bios", "none", "-chardev", f"socket,id=c0,path={sock},server=on,wait=off",
             "-chardev", f"file,id=c1,path={d}/c1.out", "-device", "virtio-serial-device",
             "-device", "virtconsole,chardev=c0", "-device", "virtio-console-device,chardev=c1",
             "-machine", f"dumpdtb={d}/con.dtb"])
    check(p.returncode == 0 and os.path.exists(f"{d}/con.dtb") and os.path.exists(f"{d}/c1.out")
          and not os.path.exists(sock), "-chardev socket/file + two consoles: dumpdtb",
          p.stderr.decode(errors="replace"))

    # ---- Device trees ----
    t, err = dump(["-M", "virt", "-bios", "none"], f"{d}/a.dtb")
    if check(t is not None, "dumpdtb (defaults)", err):
        check_tree(t, 1, 128 << 20)
        check("bootargs" not in t["/chosen"] and "linux,initrd-start" not in t["/chosen"],
              "no bootargs or initrd without -append/-initrd")

    cmd = ["-M", "virt", "-smp", "4", "-m", "1G", "-bios", "none", "-kernel", kernel,
           "-initrd", initrd, "-append", "console=ttyS0 earlycon=sbi rdinit=/init"]
    t, err = dump(cmd, f"{d}/b.dtb")
    if check(t is not None, "dumpdtb -smp 4 -m 1G -kernel -initrd -append", err):
        check_tree(t, 4, 1 << 30)
        ch = t["/chosen"]
        check(strs(ch["bootargs"]) == ["console=ttyS0 earlycon=sbi rdinit=/init"], "bootargs")
        start, end = cells(ch["linux,initrd-start"])[0], cells(ch["linux,initrd-end"])[0]
        # RAM 1 GiB: kernel at 0x80000000 (-bios none), initrd 128 MiB further.
        check(start == 0x88000000 and end - start == os.path.getsize(initrd),
              "initrd range", f"{start:#x}..{end:#x}")

    t, err = dump(["-smp", "cpus=2", "-M", "virt", "-kernel", kernel], f"{d}/c.dtb")
    if check(t is not None, "dumpdtb with -bios default (OpenSBI), -smp cpus=2", err):
        check_tree(t, 2, 128 << 20)

    # -dtb: the blob is used as given, with /chosen updated as QEMU does.
    t, err = dump(["-bios", "none", "-dtb", f"{d}/b.dtb", "-kernel", kernel, "-append", "again"],
                  f"{d}/d.dtb")
    if check(t is not None, "dumpdtb with -dtb", err):
        check(len([p for p in t if p.startswith("/cpus/cpu@") and p.count("/") == 2]) == 4, "-dtb: its 4 cpus kept")
        check(strs(t["/chosen"]["bootargs"]) == ["again"], "-dtb: bootargs replaced")

    if qemu:
        for args in (["-bios", "none"], ["-bios", "none", "-device", "virtio-rng-device"],
                     ["-smp", "4", "-m", "1G", "-kernel", kernel, "-initrd", initrd,
                      "-append", "console=ttyS0"]):
            ours, e1 = dump(["-M", "virt"] + args, f"{d}/ours.dtb")
            theirs, e2 = dump(["-M", "virt", "-display", "none"] + args, f"{d}/qemu.dtb", qemu)
            if check(ours is not None and theirs is not None, "dumps for the QEMU comparison",
                     e1 + e2):
                compare_with_qemu(ours, theirs, " ".join(args))
    else:
        print("skip comparison with QEMU (qemu-system-riscv64 not found)")

    # ---- The main loop ----
    for serial in (["-nographic"], ["-serial", "mon:stdio"]):
        p = subprocess.Popen([emu, "-bios", "none"] + serial, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(0.5)
        try:
            out, errs = p.communicate(b"\x01x", timeout=20)
            check(p.returncode == 0, f"Ctrl-A x quits with status 0 ({' '.join(serial)})",
                  f"status {p.returncode}, {errs!r}")
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            check(False, f"Ctrl-A x quits ({' '.join(serial)})", "still running after 20 s")

    for sig in (signal.SIGTERM, signal.SIGINT):
        p = subprocess.Popen([emu, "-bios", "none", "-serial", "none"], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(0.5)
        p.send_signal(sig)
        try:
            out, errs = p.communicate(timeout=20)
            check(p.returncode == 0 and b"terminating on signal" in errs,
                  f"{signal.Signals(sig).name}: clean exit", f"status {p.returncode}, {errs!r}")
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            check(False, f"{signal.Signals(sig).name}: clean exit", "still running after 20 s")

    # -chardev stdio on a console (the UART elsewhere): runs, and SIGTERM still exits cleanly.
    p = subprocess.Popen([emu, "-bios", "none", "-serial", "none", "-chardev", "stdio,id=s",
                          "-device", "virtio-console-device,chardev=s"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    try:
        out, errs = p.communicate(timeout=20)
        check(p.returncode == 0 and b"terminating on signal" in errs,
              "-chardev stdio: SIGTERM exits cleanly", f"status {p.returncode}, {errs!r}")
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        check(False, "-chardev stdio: SIGTERM exits cleanly", "still running after 20 s")

print(f"{failures} failure(s)")
sys.exit(1 if failures else 0)
