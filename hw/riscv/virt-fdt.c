/*
 * The virt machine's device tree: the nodes and properties OpenSBI's
 * generic platform, U-Boot's qemu-riscv board and Linux look for on QEMU's
 * virt board, built from virt_memmap and the irq numbers in virt.h (the
 * only copy of them).  Left out: QEMU's PCI host, flash, fw-cfg,
 * platform bus and PMU nodes (no such devices here).  The eight
 * virtio-mmio slots are always described, populated or not (an empty one
 * reads device id 0), highest address first as in QEMU's blob.
 */
#include <string.h>

#include "hw/riscv/virt.h"
#include "rove/fdt.h"

/* Interrupt numbers in a cpu-intc's specifier: the cause bits of mip. */
enum {
    INTC_M_SOFT = 3,
    INTC_M_TIMER = 7,
    INTC_S_EXT = 9,
    INTC_M_EXT = 11,
};

static void prop_reg(DtbBuilder *b, VirtRegion r, uint64_t size)
{
    const uint64_t pair[2] = { virt_memmap[r].base, size };
    dtb_prop_reg(b, "reg", 2, 2, pair, 1);
}

static void prop_compatible(DtbBuilder *b, const char *const *list, size_t n)
{
    dtb_prop_strings(b, "compatible", list, n);
}

/* /cpus; intc[h] gets each hart's interrupt-controller phandle. */
static void fdt_cpus(DtbBuilder *b, const VirtMachine *vm, uint32_t *intc)
{
    uint32_t cpu_ph[VIRT_MAX_CPUS];
    char *isa = g_strconcat(VIRT_ISA_STRING, VIRT_HART_SSTC ? "_sstc" : "", NULL);

    dtb_begin_node(b, "cpus");
    dtb_prop_u32(b, "#address-cells", 1);
    dtb_prop_u32(b, "#size-cells", 0);
    dtb_prop_u32(b, "timebase-frequency", VIRT_TIMEBASE_FREQ);
    for (int h = 0; h < vm->ncpus; h++) {
        cpu_ph[h] = dtb_alloc_phandle(b);
        intc[h] = dtb_alloc_phandle(b);
        dtb_begin_node_addr(b, "cpu", (uint64_t)h);
        dtb_prop_phandle(b, cpu_ph[h]);
        dtb_prop_string(b, "device_type", "cpu");
        dtb_prop_u32(b, "reg", (uint32_t)h);
        dtb_prop_string(b, "status", "okay");
        dtb_prop_string(b, "compatible", "riscv");
        dtb_prop_string(b, "riscv,isa", isa);
        dtb_prop_string(b, "mmu-type", "riscv,sv48");

        dtb_begin_node(b, "interrupt-controller");
        dtb_prop_u32(b, "#interrupt-cells", 1);
        dtb_prop_empty(b, "interrupt-controller");
        dtb_prop_string(b, "compatible", "riscv,cpu-intc");
        dtb_prop_phandle(b, intc[h]);
        dtb_end_node(b);

        dtb_end_node(b);
    }
    /* One cluster of single-thread cores, as QEMU describes it. */
    dtb_begin_node(b, "cpu-map");
    dtb_begin_node(b, "cluster0");
    for (int h = 0; h < vm->ncpus; h++) {
        char name[16];
        snprintf(name, sizeof(name), "core%d", h);
        dtb_begin_node(b, name);
        dtb_prop_u32(b, "cpu", cpu_ph[h]);
        dtb_end_node(b);
    }
    dtb_end_node(b);
    dtb_end_node(b);
    dtb_end_node(b);
    g_free(isa);
}

/* interrupts-extended: <intc[h] a intc[h] b> for every hart. */
static void prop_irqs_ext(DtbBuilder *b, const VirtMachine *vm, const uint32_t *intc,
                          uint32_t a, uint32_t c)
{
    uint32_t cells[4 * VIRT_MAX_CPUS];
    for (int h = 0; h < vm->ncpus; h++) {
        cells[4 * h + 0] = intc[h];
        cells[4 * h + 1] = a;
        cells[4 * h + 2] = intc[h];
        cells[4 * h + 3] = c;
    }
    dtb_prop_cells(b, "interrupts-extended", cells, 4 * (size_t)vm->ncpus);
}

/* A device under /soc with one PLIC interrupt. */
static void begin_plic_device(DtbBuilder *b, const char *name, VirtRegion r, uint32_t plic,
                              uint32_t irq)
{
    dtb_begin_node_addr(b, name, virt_memmap[r].base);
    dtb_prop_u32(b, "interrupts", irq);
    dtb_prop_u32(b, "interrupt-parent", plic);
    prop_reg(b, r, virt_memmap[r].size);
}

static void fdt_soc(DtbBuilder *b, const VirtMachine *vm, const uint32_t *intc,
                    uint32_t plic, uint32_t test)
{
    dtb_begin_node(b, "soc");
    dtb_prop_u32(b, "#address-cells", 2);
    dtb_prop_u32(b, "#size-cells", 2);
    dtb_prop_string(b, "compatible", "simple-bus");
    dtb_prop_empty(b, "ranges");

    for (int i = VIRT_VIRTIO_COUNT - 1; i >= 0; i--) {
        uint64_t base = virt_memmap[VIRT_VIRTIO].base + (uint64_t)i * VIRT_VIRTIO_SLOT;
        const uint64_t pair[2] = { base, VIRT_VIRTIO_SLOT };
        dtb_begin_node_addr(b, "virtio_mmio", base);
        dtb_prop_u32(b, "interrupts", VIRT_VIRTIO_IRQ + (uint32_t)i);
        dtb_prop_u32(b, "interrupt-parent", plic);
        dtb_prop_reg(b, "reg", 2, 2, pair, 1);
        dtb_prop_string(b, "compatible", "virtio,mmio");
        dtb_end_node(b);
    }

    static const char *const clint_compat[] = { "sifive,clint0", "riscv,clint0" };
    dtb_begin_node_addr(b, "clint", virt_memmap[VIRT_CLINT].base);
    prop_irqs_ext(b, vm, intc, INTC_M_SOFT, INTC_M_TIMER);
    prop_reg(b, VIRT_CLINT, virt_memmap[VIRT_CLINT].size);
    prop_compatible(b, clint_compat, G_N_ELEMENTS(clint_compat));
    dtb_end_node(b);

    /* Context 2h is hart h's M mode, 2h + 1 its S mode (virt.c wires them so). */
    static const char *const plic_compat[] = { "sifive,plic-1.0.0", "riscv,plic0" };
    dtb_begin_node_addr(b, "plic", virt_memmap[VIRT_PLIC].base);
    dtb_prop_phandle(b, plic);
    dtb_prop_u32(b, "riscv,ndev", VIRT_PLIC_NDEV);
    prop_reg(b, VIRT_PLIC, virt_memmap[VIRT_PLIC].size);
    prop_irqs_ext(b, vm, intc, INTC_M_EXT, INTC_S_EXT);
    dtb_prop_empty(b, "interrupt-controller");
    prop_compatible(b, plic_compat, G_N_ELEMENTS(plic_compat));
    dtb_prop_u32(b, "#address-cells", 0);
    dtb_prop_u32(b, "#interrupt-cells", 1);
    dtb_end_node(b);

    static const char *const test_compat[] = { "sifive,test1", "sifive,test0", "syscon" };
    dtb_begin_node_addr(b, "test", virt_memmap[VIRT_TEST].base);
    dtb_prop_phandle(b, test);
    prop_reg(b, VIRT_TEST, virt_memmap[VIRT_TEST].size);
    prop_compatible(b, test_compat, G_N_ELEMENTS(test_compat));
    dtb_end_node(b);

    begin_plic_device(b, "rtc", VIRT_RTC, plic, VIRT_RTC_IRQ);
    dtb_prop_string(b, "compatible", "google,goldfish-rtc");
    dtb_end_node(b);

    begin_plic_device(b, "serial", VIRT_UART0, plic, VIRT_UART0_IRQ);
    dtb_prop_u32(b, "clock-frequency", VIRT_UART0_CLOCK);
    dtb_prop_string(b, "compatible", "ns16550a");
    dtb_end_node(b);

    dtb_end_node(b);
}

/* Linux's syscon-poweroff / syscon-reboot drivers write `value` to the test device. */
static void fdt_syscon(DtbBuilder *b, const char *name, const char *compat, uint32_t test,
                       uint32_t value)
{
    dtb_begin_node(b, name);
    dtb_prop_u32(b, "value", value);
    dtb_prop_u32(b, "offset", 0);
    dtb_prop_u32(b, "regmap", test);
    dtb_prop_string(b, "compatible", compat);
    dtb_end_node(b);
}

void *virt_fdt_build(const VirtMachine *vm, size_t *size, GError **errp)
{
    DtbBuilder *b = dtb_new();
    uint32_t intc[VIRT_MAX_CPUS];
    uint32_t plic = dtb_alloc_phandle(b);
    uint32_t test = dtb_alloc_phandle(b);
    char *stdout_path = g_strdup_printf("/soc/serial@%" G_GINT64_MODIFIER "x",
                                        virt_memmap[VIRT_UART0].base);

    dtb_begin_node(b, "");
    dtb_prop_u32(b, "#address-cells", 2);
    dtb_prop_u32(b, "#size-cells", 2);
    dtb_prop_string(b, "compatible", "riscv-virtio");
    dtb_prop_string(b, "model", "riscv-virtio,rove");

    fdt_cpus(b, vm, intc);

    dtb_begin_node_addr(b, "memory", virt_memmap[VIRT_DRAM].base);
    dtb_prop_string(b, "device_type", "memory");
    prop_reg(b, VIRT_DRAM, vm->ram_size);
    dtb_end_node(b);

    fdt_soc(b, vm, intc, plic, test);
    fdt_syscon(b, "poweroff", "syscon-poweroff", test, FINISHER_PASS);
    fdt_syscon(b, "reboot", "syscon-reboot", test, FINISHER_RESET);

    /* bootargs and the initrd range are added by boot.c, also to a -dtb blob. */
    dtb_begin_node(b, "chosen");
    dtb_prop_string(b, "stdout-path", stdout_path);
    /* Seeds the guest kernel's RNG before it has any entropy source. */
    uint32_t seed[8];
    for (size_t i = 0; i < G_N_ELEMENTS(seed); i++) {
        seed[i] = g_random_int();
    }
    dtb_prop_cells(b, "rng-seed", seed, G_N_ELEMENTS(seed));
    dtb_end_node(b);

    dtb_end_node(b);
    g_free(stdout_path);
    return dtb_finish(b, size, errp);
}
