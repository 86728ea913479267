/*
 * The SiFive test finisher, as on QEMU's virt board at 0x100000: a write-
 * only command register at offset 0 that powers the machine off (pass or
 * fail with an exit code) or resets it.  OpenSBI's "sifive,test0" reset
 * driver and Linux's syscon-poweroff/syscon-reboot (value 0x5555 / 0x7777,
 * 32-bit writes) use it; bare-metal tests write FINISHER_FAIL | code << 16.
 *
 * Reference: QEMU's observable behaviour (no QEMU code): the low 16 bits
 * of a write at offset 0 select the command and bits 31:16 are the fail
 * code; any other value, or any other offset, is ignored; reads return 0;
 * 2- and 4-byte accesses are valid, others are a bus error.
 *
 * The device never exits or resets anything itself: it calls the
 * machine's SifiveTestHandlers, so a test (or an embedding program) decides
 * what "power off" means.  It has no state beyond that link, so reset has
 * nothing to do.
 */
#include <glib.h>

#include "hw/misc/sifive-test.h"

typedef struct SifiveTest {
    Device parent;
    SifiveTestHandlers *handlers; /* "handlers" link; may be NULL */
    MemoryRegion mmio;
} SifiveTest;

static MemTxResult sifive_test_read(void *opaque, uint64_t offset, uint64_t *value,
                                    unsigned size)
{
    *value = 0;
    return MEMTX_OK;
}

static MemTxResult sifive_test_write(void *opaque, uint64_t offset, uint64_t value,
                                     unsigned size)
{
    SifiveTest *s = opaque;
    const SifiveTestHandlers *h = s->handlers;
    if (offset != 0 || !h) {
        return MEMTX_OK;
    }
    unsigned status = value & 0xffff;
    int code = (int)((value >> 16) & 0xffff);
    switch (status) {
    case FINISHER_FAIL:
        if (h->shutdown) {
            h->shutdown(h->opaque, code);
        }
        break;
    case FINISHER_PASS:
        if (h->shutdown) {
            h->shutdown(h->opaque, 0);
        }
        break;
    case FINISHER_RESET:
        if (h->reset) {
            h->reset(h->opaque);
        }
        break;
    default:
        break; /* ignored, as QEMU does (it only logs a guest error) */
    }
    return MEMTX_OK;
}

static const MemoryRegionOps sifive_test_ops = {
    .read = sifive_test_read,
    .write = sifive_test_write,
    .min_access_size = 2,
    .max_access_size = 4,
    .unaligned = false,
};

static void sifive_test_init(Device *dev)
{
    SifiveTest *s = (SifiveTest *)dev;
    memory_region_init_io(&s->mmio, TYPE_SIFIVE_TEST, &sifive_test_ops, s,
                          SIFIVE_TEST_MMIO_SIZE);
    device_init_mmio(dev, &s->mmio);
}

static void sifive_test_finalize(Device *dev)
{
    memory_region_destroy(&((SifiveTest *)dev)->mmio);
}

static const Property sifive_test_props[] = {
    DEFINE_PROP_PTR("handlers", SifiveTest, handlers,
                    "SifiveTestHandlers * (machine shutdown and reset)"),
    DEFINE_PROP_END,
};

static const DeviceType sifive_test_type = {
    .name = TYPE_SIFIVE_TEST,
    .help = "SiFive test finisher: power off with an exit code, or reset",
    .instance_size = sizeof(SifiveTest),
    .props = sifive_test_props,
    .init = sifive_test_init,
    .finalize = sifive_test_finalize,
};

void sifive_test_register_types(DeviceRegistry *reg)
{
    device_type_register(reg, &sifive_test_type);
}
