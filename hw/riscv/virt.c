/*
 * The RISC-V `virt` machine: QEMU's virt board as firmware sees it (the
 * map below, the device tree of virt-fdt.c, the boot flow of boot.c).
 *
 * Wiring: the ACLINT's MSIP/MTIP outputs go to each hart's MSI/MTI input;
 * PLIC context 2h to hart h's MEI and 2h + 1 to its SEI; the UART and the
 * RTC drive PLIC sources 10 and 11; virtio-mmio slot i (at 0x10001000 +
 * i * 0x1000) drives source 1 + i, and -device back ends fill the slots
 * from the highest address down, as QEMU's virt does.  One virtual clock (host mode) feeds
 * mtime, the RTC and the harts' `time` CSR.
 */
#include <inttypes.h>
#include <string.h>

#include "hw/char/serial-16550.h"
#include "hw/riscv/virt.h"
#include "hw/virtio/virtio-blk.h"
#include "hw/virtio/virtio-console.h"
#include "hw/virtio/virtio-mmio.h"
#include "hw/virtio/virtio-net.h"
#include "hw/virtio/virtio-rng.h"
#include "rove/bql.h"
#include "rove/fdt.h"
#include "rove/intc.h"
#include "rove/system.h"
#include "target/riscv/hart.h"
#include "target/riscv/priv.h"

const VirtMemMapEntry virt_memmap[VIRT_REGION_COUNT] = {
    [VIRT_MROM] = { 0x1000, 0xf000 },
    [VIRT_TEST] = { 0x100000, SIFIVE_TEST_MMIO_SIZE },
    [VIRT_RTC] = { 0x101000, GOLDFISH_RTC_MMIO_SIZE },
    [VIRT_CLINT] = { 0x2000000, ACLINT_SIZE },
    [VIRT_PLIC] = { 0xc000000, PLIC_SIZE_VIRT },
    [VIRT_UART0] = { 0x10000000, SERIAL_16550_MMIO_SIZE },
    [VIRT_VIRTIO] = { 0x10001000, VIRT_VIRTIO_COUNT * VIRT_VIRTIO_SLOT },
    [VIRT_DRAM] = { 0x80000000, 0 },
};

/* ---- Callbacks the devices call ---- */

static void virt_test_shutdown(void *opaque, int code)
{
    system_request_shutdown(code);
}

static void virt_test_reset(void *opaque)
{
    system_request_reset();
}

static uint64_t virt_rtc_now(void *opaque)
{
    VirtMachine *vm = opaque;
    return (uint64_t)clock_get_ns(vm->clock);
}

static void virt_rtc_arm(void *opaque, uint64_t deadline_ns)
{
    VirtMachine *vm = opaque;
    timer_arm(&vm->rtc_timer, deadline_ns > INT64_MAX ? INT64_MAX : (int64_t)deadline_ns);
}

static void virt_rtc_cancel(void *opaque)
{
    VirtMachine *vm = opaque;
    timer_cancel(&vm->rtc_timer);
}

static void virt_rtc_timer_cb(void *opaque)
{
    VirtMachine *vm = opaque;
    goldfish_rtc_timer_expired(vm->rtc);
}

/* ---- Building ---- */

static DeviceRegistry *virt_registry_new(void)
{
    DeviceRegistry *reg = device_registry_new();
    serial_16550_register_types(reg);
    sifive_test_register_types(reg);
    goldfish_rtc_register_types(reg);
    device_type_register(reg, &riscv_aclint_type);
    device_type_register(reg, &sifive_plic_type);
    virtio_mmio_register_types(reg);
    virtio_rng_register_types(reg);
    virtio_blk_register_types(reg);
    virtio_console_register_types(reg);
    virtio_net_register_types(reg);
    return reg;
}

void virt_device_help(GString *out)
{
    DeviceRegistry *reg = virt_registry_new();
    GPtrArray *types = device_type_list(reg);
    for (guint i = 0; i < types->len; i++) {
        const DeviceType *t = types->pdata[i];
        if (t->bus) {
            g_string_append_printf(out, "name \"%s\", bus %s, desc \"%s\"\n", t->name, t->bus,
                                   t->help ? t->help : "");
        }
    }
    g_ptr_array_unref(types);
    device_registry_free(reg);
}

bool virt_device_type_help(const char *type, GString *out)
{
    DeviceRegistry *reg = virt_registry_new();
    const DeviceType *t = device_type_find(reg, type);
    bool ok = t && t->bus;
    if (ok) {
        device_type_help(t, out);
    }
    device_registry_free(reg);
    return ok;
}

/* chardev=ID: the -chardev of that id (a link, not a text property). */
static bool virt_set_chardev(Device *dev, const VirtMachineOptions *opts, const char *id,
                             GError **errp)
{
    CharBackend *chr = opts->chardevs ? g_hash_table_lookup(opts->chardevs, id) : NULL;
    if (!chr) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_BAD_VALUE,
                    "no -chardev with id '%s'", id);
        return false;
    }
    return device_set_prop_ptr(dev, "chardev", chr, errp);
}

/* One -device spec: "TYPE[,PROP=VALUE...]", a realized virtio back end. */
static Device *virt_backend_new(VirtMachine *vm, const VirtMachineOptions *opts,
                                const char *spec, GError **errp)
{
    char **items = g_strsplit(spec, ",", -1);
    Device *dev = NULL;
    const DeviceType *t = items[0] ? device_type_find(vm->registry, items[0]) : NULL;
    if (!t || !t->bus) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_UNKNOWN_TYPE,
                    "-device %s: no such device on this machine (-device help lists them)",
                    spec);
        goto out;
    }
    dev = device_new(vm->registry, items[0], errp);
    for (char **p = items + 1; dev && *p; p++) {
        char *eq = strchr(*p, '=');
        if (!eq) {
            g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_BAD_VALUE,
                        "'%s' is not PROP=VALUE", *p);
        } else {
            *eq = 0;
            if (strcmp(*p, "chardev") == 0 ? virt_set_chardev(dev, opts, eq + 1, errp)
                                           : device_set_prop(dev, *p, eq + 1, errp)) {
                continue;
            }
        }
        device_free(dev);
        dev = NULL;
    }
    if (dev && !device_realize(dev, errp)) {
        device_free(dev);
        dev = NULL;
    }
    if (!dev) {
        g_prefix_error(errp, "-device %s: ", spec);
    }
out:
    g_strfreev(items);
    return dev;
}

static bool virt_virtio(VirtMachine *vm, const VirtMachineOptions *opts, GError **errp)
{
    size_t ndevices;
    char **devices = virtio_console_fold_specs(opts->devices, opts->ndevices, &ndevices, errp);
    if (!devices) {
        return false;
    }
    if (ndevices > VIRT_VIRTIO_COUNT) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_BAD_VALUE,
                    "-device: the virt machine has %d virtio-mmio slots", VIRT_VIRTIO_COUNT);
        g_strfreev(devices);
        return false;
    }
    for (size_t k = 0; k < ndevices; k++) {
        int slot = VIRT_VIRTIO_COUNT - 1 - (int)k;
        vm->virtio_backend[slot] = virt_backend_new(vm, opts, devices[k], errp);
        if (!vm->virtio_backend[slot]) {
            g_strfreev(devices);
            return false;
        }
    }
    g_strfreev(devices);
    for (int i = 0; i < VIRT_VIRTIO_COUNT; i++) {
        Device *dev = device_new(vm->registry, TYPE_VIRTIO_MMIO, errp);
        if (!dev) {
            return false;
        }
        VirtioBackend *be = virtio_device_backend(vm->virtio_backend[i]);
        if (!device_set_prop_ptr(dev, "backend", be, errp) ||
            !device_set_prop_ptr(dev, "as", &vm->as, errp) || !device_realize(dev, errp)) {
            device_free(dev);
            return false;
        }
        vm->virtio[i] = dev;
        memory_region_add_subregion(&vm->sysmem,
                                    virt_memmap[VIRT_VIRTIO].base + (uint64_t)i * VIRT_VIRTIO_SLOT,
                                    device_mmio(dev, 0));
    }
    return true;
}

/* A device of `type` with its properties set by `setup`, realized and mapped at r. */
static Device *virt_device(VirtMachine *vm, const char *type, VirtRegion r,
                           bool (*setup)(VirtMachine *vm, Device *dev, GError **errp),
                           GError **errp)
{
    Device *dev = device_new(vm->registry, type, errp);
    if (!dev) {
        return NULL;
    }
    if ((setup && !setup(vm, dev, errp)) || !device_realize(dev, errp)) {
        device_free(dev);
        return NULL;
    }
    memory_region_add_subregion(&vm->sysmem, virt_memmap[r].base, device_mmio(dev, 0));
    return dev;
}

static bool setup_test(VirtMachine *vm, Device *dev, GError **errp)
{
    vm->test_handlers = (SifiveTestHandlers){
        .shutdown = virt_test_shutdown,
        .reset = virt_test_reset,
        .opaque = vm,
    };
    return device_set_prop_ptr(dev, "handlers", &vm->test_handlers, errp);
}

static bool setup_rtc(VirtMachine *vm, Device *dev, GError **errp)
{
    vm->rtc_clock = (GoldfishRtcClock){
        .now_ns = virt_rtc_now,
        .arm = virt_rtc_arm,
        .cancel = virt_rtc_cancel,
        .opaque = vm,
    };
    return device_set_prop_ptr(dev, "clock", &vm->rtc_clock, errp);
}

static bool setup_aclint(VirtMachine *vm, Device *dev, GError **errp)
{
    return device_set_prop_uint(dev, "num_harts", (uint64_t)vm->ncpus, errp) &&
           device_set_prop_uint(dev, "timebase_freq", VIRT_TIMEBASE_FREQ, errp) &&
           device_set_prop_ptr(dev, "clock", vm->clock, errp);
}

static bool setup_plic(VirtMachine *vm, Device *dev, GError **errp)
{
    return device_set_prop_uint(dev, "num_sources", VIRT_PLIC_NDEV + 1, errp) &&
           device_set_prop_uint(dev, "num_priorities", VIRT_PLIC_PRIORITIES, errp) &&
           device_set_prop_uint(dev, "num_contexts", 2 * (uint64_t)vm->ncpus, errp) &&
           device_set_prop_uint(dev, "aperture_size", virt_memmap[VIRT_PLIC].size, errp);
}

static bool setup_uart(VirtMachine *vm, Device *dev, GError **errp)
{
    return device_set_prop_ptr(dev, "chardev", vm->serial, errp);
}

static bool virt_wire(VirtMachine *vm, GError **errp)
{
    for (int h = 0; h < vm->ncpus; h++) {
        CpuState *cpu = vm->cpus[h];
        if (!device_connect_irq_out(vm->aclint, aclint_irq_msip(h),
                                    riscv_hart_irq(cpu, RV_IRQ_MSI), errp) ||
            !device_connect_irq_out(vm->aclint, aclint_irq_mtip(vm->ncpus, h),
                                    riscv_hart_irq(cpu, RV_IRQ_MTI), errp) ||
            !device_connect_irq_out(vm->plic, plic_context_virt(h, false),
                                    riscv_hart_irq(cpu, RV_IRQ_MEI), errp) ||
            !device_connect_irq_out(vm->plic, plic_context_virt(h, true),
                                    riscv_hart_irq(cpu, RV_IRQ_SEI), errp)) {
            return false;
        }
    }
    for (int i = 0; i < VIRT_VIRTIO_COUNT; i++) {
        if (!device_connect_irq_out(vm->virtio[i], 0,
                                    device_irq_in(vm->plic, VIRT_VIRTIO_IRQ + i), errp)) {
            return false;
        }
    }
    return device_connect_irq_out(vm->uart, 0, device_irq_in(vm->plic, VIRT_UART0_IRQ), errp) &&
           device_connect_irq_out(vm->rtc, 0, device_irq_in(vm->plic, VIRT_RTC_IRQ), errp);
}

static bool virt_devices(VirtMachine *vm, GError **errp)
{
    vm->test = virt_device(vm, TYPE_SIFIVE_TEST, VIRT_TEST, setup_test, errp);
    vm->rtc = vm->test ? virt_device(vm, TYPE_GOLDFISH_RTC, VIRT_RTC, setup_rtc, errp) : NULL;
    vm->aclint = vm->rtc ? virt_device(vm, "riscv-aclint", VIRT_CLINT, setup_aclint, errp)
                         : NULL;
    vm->plic = vm->aclint ? virt_device(vm, "sifive-plic", VIRT_PLIC, setup_plic, errp) : NULL;
    vm->uart = vm->plic ? virt_device(vm, TYPE_SERIAL_16550, VIRT_UART0, setup_uart, errp)
                        : NULL;
    return vm->uart != NULL;
}

VirtMachine *virt_machine_new(const VirtMachineOptions *opts, GError **errp)
{
    uint64_t ram_size = opts->ram_size ? opts->ram_size : VIRT_DEFAULT_RAM_SIZE;
    int smp = opts->smp ? opts->smp : 1;
    if (smp < 1 || smp > VIRT_MAX_CPUS) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_BAD_VALUE,
                    "-smp %d: the virt machine has 1 to %d harts", smp, VIRT_MAX_CPUS);
        return NULL;
    }
    if (ram_size < VIRT_MIN_RAM_SIZE || ram_size > VIRT_MAX_RAM_SIZE || ram_size % 4096) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_BAD_VALUE,
                    "-m: RAM must be a multiple of 4 KiB from %" PRIu64 " MiB to %" PRIu64
                    " GiB", VIRT_MIN_RAM_SIZE >> 20, VIRT_MAX_RAM_SIZE >> 30);
        return NULL;
    }

    VirtMachine *vm = g_new0(VirtMachine, 1);
    vm->ncpus = smp;
    vm->ram_size = ram_size;
    vm->serial = opts->serial;
    vm->registry = virt_registry_new();

    memory_region_init_container(&vm->sysmem, "system", 0);
    bool have_ram = memory_region_init_ram(&vm->ram, "virt.ram", ram_size);
    if (!have_ram || !memory_region_init_rom(&vm->mrom, "virt.mrom",
                                             virt_memmap[VIRT_MROM].size)) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_BAD_VALUE,
                    "-m: cannot allocate %" PRIu64 " MiB of RAM", ram_size >> 20);
        if (have_ram) {
            memory_region_destroy(&vm->ram);
        }
        memory_region_destroy(&vm->sysmem);
        device_registry_free(vm->registry);
        g_free(vm);
        return NULL;
    }
    memory_region_add_subregion(&vm->sysmem, virt_memmap[VIRT_DRAM].base, &vm->ram);
    memory_region_add_subregion(&vm->sysmem, virt_memmap[VIRT_MROM].base, &vm->mrom);
    address_space_init(&vm->as, &vm->sysmem, "memory");
    vm->clock = clock_new(CLOCK_MODE_HOST);
    timer_init(&vm->rtc_timer, vm->clock, virt_rtc_timer_cb, vm);

    RiscvBootConfig boot = {
        .ram_base = virt_memmap[VIRT_DRAM].base,
        .ram_size = ram_size,
        .rom_base = virt_memmap[VIRT_MROM].base,
        .rom_size = virt_memmap[VIRT_MROM].size,
        .bios = opts->bios,
        .kernel = opts->kernel,
        .initrd = opts->initrd,
        .append = opts->append,
    };
    void *fdt = NULL;
    size_t fdt_size = 0;
    if (!virt_devices(vm, errp) || !virt_virtio(vm, opts, errp) ||
        !riscv_boot_init(&vm->boot, &boot, errp)) {
        goto fail;
    }
    if (opts->dtb) {
        fdt = dtb_load_file(opts->dtb, &fdt_size, errp);
        if (!fdt) {
            g_prefix_error(errp, "-dtb ");
        }
    } else {
        fdt = virt_fdt_build(vm, &fdt_size, errp);
    }
    if (!fdt || !riscv_boot_setup(&vm->boot, &vm->as, fdt, fdt_size, errp)) {
        goto fail;
    }

    /*
     * The harts last: bad input has been refused by now, and hart.h has no
     * way to free a hart.
     */
    for (int h = 0; h < smp; h++) {
        RiscvHartConfig cfg = {
            .hartid = (unsigned)h,
            .reset_pc = virt_memmap[VIRT_MROM].base,
            .as = &vm->as,
            .clock = vm->clock,
            .timebase_freq = VIRT_TIMEBASE_FREQ,
            .sstc = VIRT_HART_SSTC,
        };
        vm->cpus[h] = riscv_hart_new(&cfg);
    }
    if (!virt_wire(vm, errp)) {
        goto fail;
    }
    return vm;

fail:
    virt_machine_free(vm);
    return NULL;
}

void virt_machine_reset(VirtMachine *vm)
{
    Device *devs[] = { vm->test, vm->rtc, vm->aclint, vm->plic, vm->uart };
    for (size_t i = 0; i < G_N_ELEMENTS(devs); i++) {
        device_reset(devs[i]);
    }
    for (int i = 0; i < VIRT_VIRTIO_COUNT; i++) {
        device_reset(vm->virtio[i]); /* resets its back end too */
    }
    GError *err = NULL;
    if (!riscv_boot_reload(&vm->boot, &vm->as, &err)) {
        /* The same bytes went to the same places at start-up. */
        g_error("virt: reloading the boot images failed: %s", err->message);
    }
    for (int h = 0; h < vm->ncpus; h++) {
        riscv_hart_reset(vm->cpus[h]);
    }
}

void virt_machine_free_virtio(VirtMachine *vm)
{
    for (int i = 0; i < VIRT_VIRTIO_COUNT; i++) {
        if (vm->virtio[i]) {
            /* The back end's I/O thread finishes what it runs and drops the rest. */
            BqlGuard g = bql_guard_enter();
            device_reset(vm->virtio[i]);
            bql_guard_exit(g);
            /* Transports before their back ends; their irqs go into the PLIC. */
            memory_region_del_subregion(&vm->sysmem, device_mmio(vm->virtio[i], 0));
            device_free(vm->virtio[i]);
            vm->virtio[i] = NULL;
        }
        if (vm->virtio_backend[i]) {
            device_free(vm->virtio_backend[i]);
            vm->virtio_backend[i] = NULL;
        }
    }
}

void virt_machine_free(VirtMachine *vm)
{
    if (!vm) {
        return;
    }
    virt_machine_free_virtio(vm);
    riscv_boot_free(&vm->boot);
    address_space_destroy(&vm->as);
    /* The UART first: its irq goes into the PLIC. */
    Device *devs[] = { vm->uart, vm->plic, vm->aclint, vm->rtc, vm->test };
    for (size_t i = 0; i < G_N_ELEMENTS(devs); i++) {
        if (devs[i]) {
            memory_region_del_subregion(&vm->sysmem, device_mmio(devs[i], 0));
            device_free(devs[i]);
        }
    }
    timer_deinit(&vm->rtc_timer);
    memory_region_del_subregion(&vm->sysmem, &vm->ram);
    memory_region_del_subregion(&vm->sysmem, &vm->mrom);
    memory_region_destroy(&vm->ram);
    memory_region_destroy(&vm->mrom);
    memory_region_destroy(&vm->sysmem);
    clock_free(vm->clock);
    device_registry_free(vm->registry);
    g_free(vm);
}
