/*
 * Unit tests for the virt machine (hw/riscv/virt.c, virt-fdt.c, boot.c)
 * with fake harts: this file implements target/riscv/hart.h itself and
 * records the level of every interrupt input, so the wiring can be
 * checked device by device through the machine's address space.
 *
 * - the reset ROM, run by a small independent interpreter of the six
 *   instructions it may use: a0 = mhartid, a1 = the device tree, a2 = a
 *   fw_dynamic_info with OpenSBI's layout, a jump to the firmware; at two
 *   different base addresses (it must not depend on where it lives);
 * - placement rules (kernel after the firmware, initrd, device tree);
 * - a whole machine: ROM -> the tree in RAM, devices at their addresses,
 *   ACLINT/PLIC/UART/RTC wiring to the right hart inputs, the test
 *   finisher's requests, reset (devices, images, harts); the eight
 *   virtio-mmio slots, -device filling them from the top, a slot's irq
 *   reaching PLIC source 1 + i;
 * - kernel/initrd/-append/-dtb boots and one-line errors for bad input.
 */
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <libfdt.h>

#include "hw/char/serial-16550.h"
#include "hw/riscv/virt.h"
#include "hw/virtio/virtio-mmio.h"
#include "rove/fdt.h"
#include "rove/intc.h"
#include "rove/system.h"
#include "target/riscv/hart.h"
#include "target/riscv/priv.h"

/* ---- Fake harts (target/riscv/hart.h) ---- */

typedef struct FakeHart {
    CpuState cs;
    RiscvHartConfig cfg;
    IrqLine irq[16];
    int level[16];
    int resets;
} FakeHart;

static GPtrArray *fake_harts;

static void fake_irq(void *opaque, int n, int level)
{
    FakeHart *h = opaque;
    h->level[n] = level;
}

/* runstate.c stops the (here fake) vCPUs on every request. */
void cpu_request_stop_all(void)
{
}

CpuState *riscv_hart_new(const RiscvHartConfig *cfg)
{
    FakeHart *h = g_new0(FakeHart, 1);
    h->cfg = *cfg;
    for (int i = 0; i < 16; i++) {
        irq_init(&h->irq[i], fake_irq, h, i);
    }
    g_ptr_array_add(fake_harts, h);
    return &h->cs;
}

void riscv_hart_reset(CpuState *cpu)
{
    ((FakeHart *)cpu)->resets++;
}

IrqLine *riscv_hart_irq(CpuState *cpu, int irq)
{
    g_assert(irq == RV_IRQ_MSI || irq == RV_IRQ_MTI || irq == RV_IRQ_MEI || irq == RV_IRQ_SEI);
    return &((FakeHart *)cpu)->irq[irq];
}

static FakeHart *hart(VirtMachine *vm, int h)
{
    return (FakeHart *)vm->cpus[h];
}

/* ---- A reference interpreter for the reset ROM ---- */

typedef bool (*LoadFn)(void *opaque, uint64_t addr, unsigned size, uint64_t *v);

typedef struct MiniHart {
    uint64_t x[32];
    uint64_t pc;
} MiniHart;

/* Runs from pc until a jump; returns false on anything unexpected. */
static bool mini_run(MiniHart *m, uint64_t hartid, LoadFn ld, void *opaque)
{
    for (int steps = 0; steps < 16; steps++) {
        uint64_t insn;
        if (!ld(opaque, m->pc, 4, &insn)) {
            return false;
        }
        unsigned op = insn & 0x7f, rd = (insn >> 7) & 31, f3 = (insn >> 12) & 7;
        unsigned rs1 = (insn >> 15) & 31;
        int64_t imm_i = (int32_t)(uint32_t)insn >> 20;
        uint64_t v;
        uint64_t next = m->pc + 4;
        if (op == 0x17) {                       /* auipc */
            v = m->pc + (uint64_t)(int64_t)(int32_t)(insn & 0xfffff000u);
        } else if (op == 0x13 && f3 == 0) {     /* addi */
            v = m->x[rs1] + (uint64_t)imm_i;
        } else if (op == 0x03 && f3 == 3) {     /* ld */
            if (!ld(opaque, m->x[rs1] + (uint64_t)imm_i, 8, &v)) {
                return false;
            }
        } else if (op == 0x73 && f3 == 2 && rs1 == 0 && (insn >> 20) == 0xf14) {
            v = hartid;                          /* csrr rd, mhartid */
        } else if (op == 0x67 && f3 == 0) {     /* jalr */
            v = next;
            next = (m->x[rs1] + (uint64_t)imm_i) & ~UINT64_C(1);
            if (rd) {
                m->x[rd] = v;
            }
            m->pc = next;
            return true;
        } else {
            g_test_message("unexpected instruction 0x%08x at 0x%" G_GINT64_MODIFIER "x",
                           (unsigned)insn, m->pc);
            return false;
        }
        if (rd) {
            m->x[rd] = v;
        }
        m->pc = next;
    }
    return false;
}

typedef struct BufMem {
    const uint8_t *buf;
    uint64_t base;
    size_t size;
} BufMem;

static bool buf_ld(void *opaque, uint64_t addr, unsigned size, uint64_t *v)
{
    BufMem *m = opaque;
    if (addr < m->base || addr - m->base > m->size || size > m->size - (addr - m->base)) {
        return false;
    }
    *v = 0;
    for (unsigned i = 0; i < size; i++) {
        *v |= (uint64_t)m->buf[addr - m->base + i] << (8 * i);
    }
    return true;
}

static bool as_ld(void *opaque, uint64_t addr, unsigned size, uint64_t *v)
{
    return address_space_ld(opaque, addr, size, v) == MEMTX_OK;
}

static void check_dinfo(LoadFn ld, void *opaque, uint64_t a2, uint64_t next_addr)
{
    const uint64_t want[6] = { 0x4942534f, 2, next_addr, 1, 0, 0 };
    for (int i = 0; i < 6; i++) {
        uint64_t v = 0;
        g_assert_true(ld(opaque, a2 + 8 * i, 8, &v));
        g_assert_cmphex(v, ==, want[i]);
    }
}

static void test_rom(void)
{
    FwDynamicInfo info = {
        .magic = FW_DYNAMIC_INFO_MAGIC, .version = FW_DYNAMIC_INFO_VERSION,
        .next_addr = 0x80200000, .next_mode = FW_DYNAMIC_NEXT_MODE_S, .boot_hart = 0,
    };
    uint8_t rom[0x100];
    g_assert_cmpuint(riscv_boot_rom_build(rom, RESET_ROM_SIZE - 1, 1, 2, &info), ==, 0);
    memset(rom, 0xaa, sizeof(rom));
    g_assert_cmpuint(riscv_boot_rom_build(rom, sizeof(rom), 0x80000000, 0x87e00000, &info), ==,
                     RESET_ROM_SIZE);
    g_assert_cmpuint(rom[RESET_ROM_SIZE], ==, 0xaa); /* nothing written past it */
    /* Position-independent: the same bytes work at 0x1000 and elsewhere. */
    const uint64_t bases[] = { 0x1000, 0x20000000 };
    for (size_t b = 0; b < G_N_ELEMENTS(bases); b++) {
        for (uint64_t hartid = 0; hartid < 4; hartid += 3) {
            BufMem mem = { rom, bases[b], RESET_ROM_SIZE };
            MiniHart m = { .pc = bases[b] };
            m.x[10] = m.x[11] = m.x[12] = 0xdead;
            g_assert_true(mini_run(&m, hartid, buf_ld, &mem));
            g_assert_cmphex(m.pc, ==, 0x80000000);
            g_assert_cmphex(m.x[10], ==, hartid);
            g_assert_cmphex(m.x[11], ==, 0x87e00000);
            g_assert_cmphex(m.x[12], ==, bases[b] + RESET_ROM_DINFO);
            check_dinfo(buf_ld, &mem, m.x[12], 0x80200000);
        }
    }
}

/* ---- Placement ---- */

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)
#define RAM 0x80000000u

static void test_placement(void)
{
    /* Kernel: RAM start without firmware, else the next 2 MiB after it. */
    g_assert_cmphex(riscv_boot_kernel_base(RAM, false, 0), ==, RAM);
    g_assert_cmphex(riscv_boot_kernel_base(RAM, true, RAM + 115328), ==, RAM + 2 * MiB);
    g_assert_cmphex(riscv_boot_kernel_base(RAM, true, RAM + 2 * MiB), ==, RAM + 2 * MiB);
    g_assert_cmphex(riscv_boot_kernel_base(RAM, true, RAM + 2 * MiB + 1), ==, RAM + 4 * MiB);
    g_assert_cmphex(riscv_boot_kernel_base(RAM, true, UINT64_MAX - 5), ==, RAM); /* no wrap */

    /* Initrd: QEMU's addresses for 128 MiB and 1 GiB (0x88200000 checked against it). */
    uint64_t at;
    g_assert_true(riscv_boot_initrd_place(RAM, 128 * MiB, RAM + 2 * MiB, RAM + 6 * MiB, 1000, &at));
    g_assert_cmphex(at, ==, RAM + 2 * MiB + 64 * MiB);
    g_assert_true(riscv_boot_initrd_place(RAM, GiB, RAM + 2 * MiB, RAM + 6 * MiB, 1000, &at));
    g_assert_cmphex(at, ==, 0x88200000);
    /* A kernel reaching past that point pushes it up, page-aligned. */
    g_assert_true(riscv_boot_initrd_place(RAM, 128 * MiB, RAM + 2 * MiB, RAM + 70 * MiB + 1, 1,
                                          &at));
    g_assert_cmphex(at, ==, RAM + 70 * MiB + 4096);
    /* Exactly filling RAM fits; one byte more does not. */
    g_assert_true(riscv_boot_initrd_place(RAM, 128 * MiB, RAM, RAM, 64 * MiB, &at));
    g_assert_false(riscv_boot_initrd_place(RAM, 128 * MiB, RAM, RAM, 64 * MiB + 1, &at));
    g_assert_false(riscv_boot_initrd_place(RAM, 128 * MiB, RAM, UINT64_MAX - 10, 1, &at));

    /* Device tree: last 2 MiB boundary that holds it, below 3 GiB. */
    g_assert_true(riscv_boot_fdt_place(RAM, 128 * MiB, 0x1000, &at));
    g_assert_cmphex(at, ==, 0x87e00000);
    g_assert_true(riscv_boot_fdt_place(RAM, GiB, 0x1000, &at));
    g_assert_cmphex(at, ==, 0xbfe00000);
    g_assert_true(riscv_boot_fdt_place(RAM, 8 * GiB, 0x1000, &at));
    g_assert_cmphex(at, ==, 0xbfe00000);
    g_assert_true(riscv_boot_fdt_place(RAM, 128 * MiB, 2 * MiB + 1, &at));
    g_assert_cmphex(at, ==, 0x87c00000);
    g_assert_true(riscv_boot_fdt_place(4 * GiB, GiB, 0x1000, &at)); /* RAM above 3 GiB */
    g_assert_cmphex(at, ==, 5 * GiB - 2 * MiB);
    g_assert_false(riscv_boot_fdt_place(RAM, 2 * MiB, 2 * MiB + 1, &at));
    g_assert_false(riscv_boot_fdt_place(RAM, 3 * MiB, 0, &at));
}

/* ---- Machines ---- */

static char *tmpdir;

static char *write_tmp(const char *name, const void *data, size_t size)
{
    char *path = g_build_filename(tmpdir, name, NULL);
    g_assert_true(g_file_set_contents(path, data, (gssize)size, NULL));
    return path;
}

static VirtMachine *machine(const VirtMachineOptions *o)
{
    GError *err = NULL;
    VirtMachine *vm = virt_machine_new(o, &err);
    g_assert_no_error(err);
    g_assert_nonnull(vm);
    return vm;
}

static void machine_free(VirtMachine *vm)
{
    virt_machine_free(vm);
    g_ptr_array_set_size(fake_harts, 0);
}

static uint64_t rd(VirtMachine *vm, uint64_t addr, unsigned size)
{
    uint64_t v;
    g_assert_cmpint(address_space_ld(&vm->as, addr, size, &v), ==, MEMTX_OK);
    return v;
}

static void wr(VirtMachine *vm, uint64_t addr, unsigned size, uint64_t v)
{
    g_assert_cmpint(address_space_st(&vm->as, addr, size, v), ==, MEMTX_OK);
}

/* Runs the ROM for hart h; checks a0/a2 and returns the jump target and a1. */
static uint64_t run_rom(VirtMachine *vm, uint64_t h, uint64_t *a1)
{
    MiniHart m = { .pc = hart(vm, (int)h)->cfg.reset_pc };
    g_assert_true(mini_run(&m, h, as_ld, &vm->as));
    g_assert_cmphex(m.x[10], ==, h);
    *a1 = m.x[11];
    check_dinfo(as_ld, &vm->as, m.x[12], vm->boot.layout.dinfo.next_addr);
    return m.pc;
}

static void check_fdt_in_ram(VirtMachine *vm, uint64_t addr)
{
    g_assert_cmphex(addr, ==, vm->boot.layout.fdt_addr);
    uint8_t *copy = g_malloc(vm->boot.fdt_size);
    g_assert_cmpint(address_space_read(&vm->as, addr, copy, vm->boot.fdt_size), ==, MEMTX_OK);
    g_assert_cmpmem(copy, vm->boot.fdt_size, vm->boot.fdt, vm->boot.fdt_size);
    g_assert_cmpint(fdt_check_full(copy, vm->boot.fdt_size), ==, 0);
    g_free(copy);
}

static void test_machine_devices(void)
{
    VirtMachineOptions o = { .smp = 2, .bios = "none" };
    VirtMachine *vm = machine(&o);
    g_assert_cmpint(vm->ncpus, ==, 2);
    g_assert_cmpuint(fake_harts->len, ==, 2);
    for (int h = 0; h < 2; h++) {
        RiscvHartConfig *c = &hart(vm, h)->cfg;
        g_assert_cmpuint(c->hartid, ==, (unsigned)h);
        g_assert_cmphex(c->reset_pc, ==, 0x1000);
        g_assert_true(c->as == &vm->as);
        g_assert_true(c->clock == vm->clock);
        g_assert_cmpuint(c->timebase_freq, ==, 10000000);
        g_assert_true(c->sstc);
    }

    /* The ROM hands hart 1 the tree at the top of 128 MiB and jumps to RAM. */
    uint64_t a1;
    g_assert_cmphex(run_rom(vm, 1, &a1), ==, 0x80000000);
    g_assert_cmphex(a1, ==, 0x87e00000);
    check_fdt_in_ram(vm, a1);
    g_assert_cmpuint(vm->boot.layout.dinfo.next_addr, ==, 0); /* no kernel */

    /* RAM ends where -m says; the eight virtio-mmio slots are there, all empty. */
    wr(vm, 0x80000000 + VIRT_DEFAULT_RAM_SIZE - 8, 8, 0x1122334455667788);
    uint64_t v;
    g_assert_cmpint(address_space_ld(&vm->as, 0x80000000 + VIRT_DEFAULT_RAM_SIZE, 8, &v), ==,
                    MEMTX_DECODE_ERROR);
    for (int i = 0; i < VIRT_VIRTIO_COUNT; i++) {
        uint64_t base = 0x10001000 + 0x1000 * (uint64_t)i;
        g_assert_cmphex(rd(vm, base + VIRTIO_MMIO_MAGIC_VALUE, 4), ==, VIRTIO_MMIO_MAGIC);
        g_assert_cmpuint(rd(vm, base + VIRTIO_MMIO_VERSION_REG, 4), ==, 2);
        g_assert_cmpuint(rd(vm, base + VIRTIO_MMIO_DEVICE_ID, 4), ==, 0);
        g_assert_null(vm->virtio_backend[i]);
    }
    g_assert_cmpint(address_space_ld(&vm->as, 0x10001000 + VIRTIO_MMIO_SIZE, 4, &v), ==,
                    MEMTX_DECODE_ERROR);

    /* ACLINT: MSIP of hart 1 reaches hart 1's MSI only; MTIMECMP 0 raises MTI. */
    wr(vm, 0x2000000 + 4, 4, 1);
    g_assert_cmpint(hart(vm, 1)->level[RV_IRQ_MSI], ==, 1);
    g_assert_cmpint(hart(vm, 0)->level[RV_IRQ_MSI], ==, 0);
    wr(vm, 0x2000000 + 0x4000, 8, 0);
    g_assert_cmpint(hart(vm, 0)->level[RV_IRQ_MTI], ==, 1);
    g_assert_cmpint(hart(vm, 1)->level[RV_IRQ_MTI], ==, 0);
    wr(vm, 0x2000000 + 0x4000, 8, UINT64_MAX);
    g_assert_cmpint(hart(vm, 0)->level[RV_IRQ_MTI], ==, 0);

    /* UART (source 10): THR-empty interrupt -> PLIC context 3 = hart 1's S mode. */
    g_assert_cmphex(rd(vm, 0x10000000 + UART_LSR, 1), ==, 0x60);
    wr(vm, 0xc000000 + 4 * 10, 4, 1);                          /* priority */
    wr(vm, 0xc000000 + 0x2000 + 0x80 * 3, 4, 1u << 10);        /* enable, context 3 */
    wr(vm, 0x10000000 + UART_IER, 1, UART_IER_THRI);
    g_assert_cmpint(hart(vm, 1)->level[RV_IRQ_SEI], ==, 1);
    g_assert_cmpint(hart(vm, 1)->level[RV_IRQ_MEI], ==, 0);
    g_assert_cmpint(hart(vm, 0)->level[RV_IRQ_SEI], ==, 0);
    wr(vm, 0xc000000 + 0x2000 + 0x80 * 0, 4, 1u << 10);        /* context 0: hart 0 M */
    g_assert_cmpint(hart(vm, 0)->level[RV_IRQ_MEI], ==, 1);
    g_assert_cmpuint(rd(vm, 0xc000000 + 0x200000 + 0x1000 * 3 + 4, 4), ==, 10); /* claim */

    /* RTC (source 11): an alarm already due, to hart 0's S mode (context 1). */
    wr(vm, 0xc000000 + 4 * 11, 4, 1);
    wr(vm, 0xc000000 + 0x2000 + 0x80 * 1, 4, 1u << 11);
    wr(vm, 0x101000 + GOLDFISH_RTC_IRQ_ENABLED, 4, 1);
    wr(vm, 0x101000 + GOLDFISH_RTC_ALARM_HIGH, 4, 0);
    wr(vm, 0x101000 + GOLDFISH_RTC_ALARM_LOW, 4, 1);
    g_assert_cmpint(hart(vm, 0)->level[RV_IRQ_SEI], ==, 1);
    g_assert_cmphex(rd(vm, 0xc000000 + 0x200000 + 0x1000 * 1 + 4, 4), ==, 11);

    /* The test finisher asks the main loop. */
    int status = -1;
    g_assert_false(system_take_shutdown(&status));
    wr(vm, 0x100000, 4, FINISHER_FAIL | (7u << 16));
    wr(vm, 0x100000, 4, FINISHER_PASS); /* the first request's status wins */
    g_assert_true(system_take_shutdown(&status));
    g_assert_cmpint(status, ==, 7);
    g_assert_false(system_take_shutdown(&status));
    wr(vm, 0x100000, 4, FINISHER_PASS);
    g_assert_true(system_take_shutdown(&status));
    g_assert_cmpint(status, ==, 0);
    g_assert_false(system_take_reset());
    wr(vm, 0x100000, 4, FINISHER_RESET);
    g_assert_true(system_take_reset());
    g_assert_false(system_take_reset());

    /* Reset: devices back to reset state, the tree rewritten, harts reset. */
    wr(vm, a1, 8, 0);
    g_assert_cmpint(hart(vm, 1)->level[RV_IRQ_MSI], ==, 1);
    virt_machine_reset(vm);
    check_fdt_in_ram(vm, a1);
    g_assert_cmphex(rd(vm, 0x10000000 + UART_IER, 1), ==, 0);
    g_assert_cmpint(hart(vm, 1)->level[RV_IRQ_MSI], ==, 0);
    g_assert_cmpint(hart(vm, 0)->resets, ==, 1);
    g_assert_cmpint(hart(vm, 1)->resets, ==, 1);
    g_assert_cmphex(run_rom(vm, 0, &a1), ==, 0x80000000);
    machine_free(vm);
}

/* A RISC-V Linux Image of `size` bytes: text_offset 2 MiB, image_size 3 MiB. */
static uint8_t *make_image(size_t size)
{
    uint8_t *img = g_malloc0(size);
    for (size_t i = 64; i < size; i++) {
        img[i] = (uint8_t)(i * 7);
    }
    img[8 + 2] = 0x20;          /* text_offset 0x200000 */
    img[16 + 2] = 0x30;         /* image_size 0x300000 */
    memcpy(img + 48, "RISCV\0\0\0", 8);
    memcpy(img + 56, "RSC\x05", 4);
    return img;
}

static void check_mem(VirtMachine *vm, uint64_t addr, const uint8_t *data, size_t size)
{
    uint8_t *copy = g_malloc(size);
    g_assert_cmpint(address_space_read(&vm->as, addr, copy, size), ==, MEMTX_OK);
    g_assert_cmpmem(copy, size, data, size);
    g_free(copy);
}

static void test_machine_kernel(void)
{
    uint8_t fw[200];
    for (size_t i = 0; i < sizeof(fw); i++) {
        fw[i] = (uint8_t)(i + 1);
    }
    uint8_t *img = make_image(8192);
    uint8_t rdisk[5000];
    memset(rdisk, 0x5a, sizeof(rdisk));
    char *fw_path = write_tmp("fw.bin", fw, sizeof(fw));
    char *img_path = write_tmp("Image", img, 8192);
    char *rd_path = write_tmp("initrd", rdisk, sizeof(rdisk));

    VirtMachineOptions o = {
        .ram_size = GiB, .bios = fw_path, .kernel = img_path, .initrd = rd_path,
        .append = "console=ttyS0 root=/dev/ram",
    };
    VirtMachine *vm = machine(&o);
    const RiscvBootLayout *l = &vm->boot.layout;
    uint64_t a1;
    g_assert_cmphex(run_rom(vm, 0, &a1), ==, 0x80000000);       /* into the firmware */
    g_assert_cmphex(l->dinfo.next_addr, ==, 0x80200000);         /* then the kernel, in S */
    g_assert_cmphex(a1, ==, 0xbfe00000);
    check_fdt_in_ram(vm, a1);
    check_mem(vm, 0x80000000, fw, sizeof(fw));
    check_mem(vm, 0x80200000, img, 8192);
    g_assert_cmphex(l->kernel_end, ==, 0x80500000);              /* image_size counts */
    g_assert_cmphex(l->initrd_start, ==, 0x88200000);            /* as QEMU */
    check_mem(vm, 0x88200000, rdisk, sizeof(rdisk));

    const void *fdt = vm->boot.fdt;
    int chosen = fdt_path_offset(fdt, "/chosen");
    g_assert_cmpint(chosen, >=, 0);
    g_assert_cmpstr(fdt_getprop(fdt, chosen, "bootargs", NULL), ==,
                    "console=ttyS0 root=/dev/ram");
    g_assert_cmpstr(fdt_getprop(fdt, chosen, "stdout-path", NULL), ==, "/soc/serial@10000000");
    int len;
    const fdt32_t *p = fdt_getprop(fdt, chosen, "linux,initrd-start", &len);
    g_assert_cmpint(len, ==, 4);
    g_assert_cmphex(fdt32_to_cpu(*p), ==, 0x88200000);
    p = fdt_getprop(fdt, chosen, "linux,initrd-end", &len);
    g_assert_cmphex(fdt32_to_cpu(*p), ==, 0x88200000 + sizeof(rdisk));
    const fdt32_t *reg = fdt_getprop(fdt, fdt_path_offset(fdt, "/memory@80000000"), "reg", &len);
    g_assert_cmpint(len, ==, 16);
    g_assert_cmphex(fdt32_to_cpu(reg[3]), ==, 0x40000000);
    machine_free(vm);

    /* A firmware over 2 MiB pushes the kernel to the next boundary. */
    uint8_t *big_fw = g_malloc0(2 * MiB + 1);
    char *big_fw_path = write_tmp("big-fw.bin", big_fw, 2 * MiB + 1);
    o = (VirtMachineOptions){ .bios = big_fw_path, .kernel = img_path };
    vm = machine(&o);
    g_assert_cmphex(vm->boot.layout.dinfo.next_addr, ==, 0x80400000);
    check_mem(vm, 0x80400000, img, 8192);
    machine_free(vm);

    /* -bios none: a raw kernel at the start of RAM, entered from the ROM. */
    o = (VirtMachineOptions){ .bios = "none", .kernel = fw_path };
    vm = machine(&o);
    g_assert_cmphex(run_rom(vm, 0, &a1), ==, 0x80000000);
    check_mem(vm, 0x80000000, fw, sizeof(fw));
    machine_free(vm);

    g_free(big_fw);
    g_free(big_fw_path);
    g_free(img);
    g_free(fw_path);
    g_free(img_path);
    g_free(rd_path);
}

static void test_machine_dtb(void)
{
    /* A user blob without /chosen gets one, with bootargs. */
    DtbBuilder *b = dtb_new();
    dtb_begin_node(b, "");
    dtb_prop_string(b, "model", "mine");
    dtb_end_node(b);
    size_t size;
    void *blob = dtb_finish(b, &size, NULL);
    g_assert_nonnull(blob);
    char *dtb_path = write_tmp("user.dtb", blob, size);
    uint8_t kernel[64] = { 0x13 };
    char *k_path = write_tmp("kernel.bin", kernel, sizeof(kernel));

    VirtMachineOptions o = { .bios = "none", .kernel = k_path, .dtb = dtb_path,
                             .append = "hello" };
    VirtMachine *vm = machine(&o);
    const void *fdt = vm->boot.fdt;
    g_assert_cmpstr(fdt_getprop(fdt, 0, "model", NULL), ==, "mine");
    g_assert_cmpstr(fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "bootargs", NULL), ==,
                    "hello");
    uint64_t a1;
    run_rom(vm, 0, &a1);
    check_fdt_in_ram(vm, a1);
    machine_free(vm);
    g_free(blob);
    g_free(dtb_path);
    g_free(k_path);
}

/* virt_machine_new must fail with one line containing `want`. */
/*
 * -device virtio-rng-device twice: the first lands in the slot at
 * 0x10008000 (PLIC source 8), the second at 0x10007000 (source 7), as on
 * QEMU.  A queue broken after DRIVER_OK raises the slot's interrupt,
 * which must reach PLIC source 8; a machine reset clears it.
 */
static void test_machine_virtio(void)
{
    const char *devices[] = { "virtio-rng-device", "virtio-rng-device" };
    VirtMachineOptions o = { .bios = "none", .devices = devices, .ndevices = 2 };
    VirtMachine *vm = machine(&o);
    for (int i = 0; i < VIRT_VIRTIO_COUNT; i++) {
        uint64_t base = 0x10001000 + 0x1000 * (uint64_t)i;
        g_assert_cmpuint(rd(vm, base + VIRTIO_MMIO_DEVICE_ID, 4), ==, i >= 6 ? VIRTIO_ID_RNG : 0);
        g_assert_true((vm->virtio_backend[i] != NULL) == (i >= 6));
    }
    const uint64_t slot = 0x10008000, pending = 0xc000000 + 0x1000;
    g_assert_cmpuint(rd(vm, pending, 4) & (1u << 8), ==, 0);
    wr(vm, slot + VIRTIO_MMIO_STATUS, 4, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                                         VIRTIO_STATUS_DRIVER_OK);
    wr(vm, slot + VIRTIO_MMIO_QUEUE_SEL, 4, 0);
    wr(vm, slot + VIRTIO_MMIO_QUEUE_DESC_LOW, 4, 0x10000000); /* the UART: not RAM */
    wr(vm, slot + VIRTIO_MMIO_QUEUE_NUM, 4, 16);
    wr(vm, slot + VIRTIO_MMIO_QUEUE_READY, 4, 1);
    g_assert_cmpuint(rd(vm, slot + VIRTIO_MMIO_QUEUE_READY, 4), ==, 0);
    g_assert_true(rd(vm, slot + VIRTIO_MMIO_STATUS, 4) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    g_assert_cmpuint(rd(vm, slot + VIRTIO_MMIO_INTERRUPT_STATUS, 4), ==, VIRTIO_MMIO_INT_CONFIG);
    g_assert_cmpuint(rd(vm, pending, 4) & (1u << 8), !=, 0);
    g_assert_cmpuint(rd(vm, pending, 4) & (1u << 7), ==, 0);
    virt_machine_reset(vm);
    g_assert_cmpuint(rd(vm, slot + VIRTIO_MMIO_STATUS, 4), ==, 0);
    g_assert_cmpuint(rd(vm, slot + VIRTIO_MMIO_INTERRUPT_STATUS, 4), ==, 0);
    machine_free(vm);
}

static void expect_error(const VirtMachineOptions *o, const char *want)
{
    GError *err = NULL;
    VirtMachine *vm = virt_machine_new(o, &err);
    g_assert_null(vm);
    g_assert_nonnull(err);
    g_test_message("error: %s", err->message);
    g_assert_nonnull(strstr(err->message, want));
    g_assert_null(strchr(err->message, '\n'));
    g_clear_error(&err);
    g_ptr_array_set_size(fake_harts, 0);
}

static void test_machine_errors(void)
{
    char *missing = g_build_filename(tmpdir, "missing", NULL);
    char *empty = write_tmp("empty", "", 0);
    uint8_t junk[100] = { 0 };
    char *junk_path = write_tmp("junk.dtb", junk, sizeof(junk));
    uint8_t *big = g_malloc0(7 * MiB);
    char *big_path = write_tmp("big", big, 7 * MiB);
    uint8_t k[16] = { 0 };
    char *k_path = write_tmp("k", k, sizeof(k));

    expect_error(&(VirtMachineOptions){ .smp = 9 }, "-smp 9");
    const char *nine[9] = { "virtio-rng-device", "virtio-rng-device", "virtio-rng-device",
                            "virtio-rng-device", "virtio-rng-device", "virtio-rng-device",
                            "virtio-rng-device", "virtio-rng-device", "virtio-rng-device" };
    expect_error(&(VirtMachineOptions){ .bios = "none", .devices = nine, .ndevices = 9 },
                 "virtio-mmio slots");
    const char *bad_dev[] = { "virtio-rng-device", "sifive-test" };
    expect_error(&(VirtMachineOptions){ .bios = "none", .devices = bad_dev, .ndevices = 2 },
                 "-device sifive-test: no such device");
    const char *bad_prop[] = { "virtio-rng-device,foo=1" };
    expect_error(&(VirtMachineOptions){ .bios = "none", .devices = bad_prop, .ndevices = 1 },
                 "-device virtio-rng-device,foo=1: ");
    expect_error(&(VirtMachineOptions){ .ram_size = 5000 }, "-m");
    expect_error(&(VirtMachineOptions){ .bios = missing }, "-bios ");
    expect_error(&(VirtMachineOptions){ .bios = "none", .kernel = missing },
                 "No such file or directory");
    expect_error(&(VirtMachineOptions){ .bios = "none", .kernel = empty }, "empty file");
    expect_error(&(VirtMachineOptions){ .bios = "none", .initrd = k_path }, "-initrd only");
    expect_error(&(VirtMachineOptions){ .bios = "none", .append = "x" }, "-append only");
    expect_error(&(VirtMachineOptions){ .bios = "none", .dtb = junk_path }, "-dtb ");
    expect_error(&(VirtMachineOptions){ .bios = "none", .dtb = missing }, "-dtb ");
    /* 8 MiB of RAM: a 7 MiB initrd after the kernel does not fit... */
    expect_error(&(VirtMachineOptions){ .ram_size = 8 * MiB, .bios = "none", .kernel = k_path,
                                        .initrd = big_path }, "-initrd ");
    /* ...a 7 MiB kernel leaves no room for the tree, a raw one too big for RAM is refused. */
    expect_error(&(VirtMachineOptions){ .ram_size = 8 * MiB, .bios = "none",
                                        .kernel = big_path }, "device tree");
    expect_error(&(VirtMachineOptions){ .ram_size = 4 * MiB, .bios = "none",
                                        .kernel = big_path }, "-kernel ");
    expect_error(&(VirtMachineOptions){ .ram_size = 4 * MiB, .bios = big_path }, "-bios ");

    g_free(missing);
    g_free(empty);
    g_free(junk_path);
    g_free(big);
    g_free(big_path);
    g_free(k_path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    fake_harts = g_ptr_array_new_with_free_func(g_free);
    tmpdir = g_dir_make_tmp("test-virt-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);
    g_test_add_func("/virt/reset-rom", test_rom);
    g_test_add_func("/virt/placement", test_placement);
    g_test_add_func("/virt/machine/devices", test_machine_devices);
    g_test_add_func("/virt/machine/virtio", test_machine_virtio);
    g_test_add_func("/virt/machine/kernel", test_machine_kernel);
    g_test_add_func("/virt/machine/dtb", test_machine_dtb);
    g_test_add_func("/virt/machine/errors", test_machine_errors);
    int r = g_test_run();
    /* The files are ours; remove them and the directory. */
    GDir *d = g_dir_open(tmpdir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        char *p = g_build_filename(tmpdir, name, NULL);
        g_unlink(p);
        g_free(p);
    }
    if (d) {
        g_dir_close(d);
    }
    g_rmdir(tmpdir);
    g_free(tmpdir);
    g_ptr_array_unref(fake_harts);
    return r;
}
