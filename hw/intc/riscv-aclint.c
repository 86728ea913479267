/*
 * RISC-V ACLINT (MSWI + MTIMER) in the SiFive CLINT layout, as on QEMU's
 * virt board at 0x2000000: MSIP words at +0 (one 32-bit word per hart),
 * MTIMECMP at +0x4000 (64-bit per hart), MTIME at +0xbff8.
 *
 * References: the RISC-V ACLINT specification (riscv-aclint, v1.0-rc4),
 * the SiFive FU540 manual's CLINT chapter (the combined layout), and what
 * Linux (drivers/clocksource/timer-clint.c) and OpenSBI (lib/utils/timer/
 * aclint_mtimer.c, lib/utils/ipi/aclint_mswi.c) do: 32-bit accesses for
 * MSIP, 64-bit or two 32-bit accesses (both halves) for MTIME/MTIMECMP.
 *
 * Time: mtime = ticks(virtual ns) + mtime_delta (mod 2^64), with
 * ticks(ns) = floor(ns * timebase_freq / 1e9); a guest write to mtime
 * changes only the delta.  Each hart has one Timer armed at the first ns
 * where mtime >= mtimecmp, computed exactly (ceil of the inverse), so MTIP
 * rises at exactly that tick as the clock advances.
 *
 * Invariants: mtip[h] == (mtime >= mtimecmp[h]) after every register write
 * and every timer callback (unsigned comparison, as the spec says); the
 * hart's timer is armed iff mtip is low and the deadline fits in int64 ns;
 * every guest-derived hart index is checked against num_harts before use
 * (out of range: reads 0, writes ignored).  Reset clears MSIP, sets MTIME
 * to 0 and MTIMECMP to all ones (the spec leaves MTIMECMP unreset; all
 * ones keeps MTIP low until firmware programs it).  Callbacks run under
 * the big lock, like every MMIO callback.
 */
#include <glib.h>

#include "rove/clock.h"
#include "rove/intc.h"

typedef struct RiscvAclint RiscvAclint;

typedef struct AclintHart {
    RiscvAclint *s;
    Timer timer;
    uint64_t mtimecmp;
    bool msip;
    bool mtip;
} AclintHart;

struct RiscvAclint {
    Device parent;
    uint32_t num_harts;
    uint32_t timebase_freq;
    void *clock;              /* Clock * */
    MemoryRegion mmio;
    uint64_t mtime_delta;
    AclintHart *harts;        /* num_harts, after realize */
    IrqLine **irq_out;        /* MSIP lines, then MTIP lines */
};

#define NS_PER_SEC 1000000000u

static uint64_t aclint_ticks(RiscvAclint *s, int64_t ns)
{
    return (uint64_t)((unsigned __int128)(uint64_t)ns * s->timebase_freq / NS_PER_SEC);
}

static uint64_t aclint_mtime(RiscvAclint *s)
{
    return aclint_ticks(s, clock_get_ns(s->clock)) + s->mtime_delta;
}

static void aclint_set_msip(AclintHart *h, bool level)
{
    RiscvAclint *s = h->s;
    h->msip = level;
    irq_set(s->irq_out[h - s->harts], level);
}

static void aclint_set_mtip(AclintHart *h, bool level)
{
    RiscvAclint *s = h->s;
    if (h->mtip != level) {
        h->mtip = level;
        irq_set(s->irq_out[s->num_harts + (h - s->harts)], level);
    }
}

/* Re-establish mtip == (mtime >= mtimecmp) and arm the timer if it is low. */
static void aclint_update_hart(AclintHart *h)
{
    RiscvAclint *s = h->s;
    int64_t now = clock_get_ns(s->clock);
    uint64_t now_ticks = aclint_ticks(s, now);
    uint64_t mtime = now_ticks + s->mtime_delta;
    if (mtime >= h->mtimecmp) {
        timer_cancel(&h->timer);
        aclint_set_mtip(h, true);
        return;
    }
    aclint_set_mtip(h, false);
    /* Smallest ns with ticks(ns) >= now_ticks + (mtimecmp - mtime). */
    unsigned __int128 target = (unsigned __int128)now_ticks + (h->mtimecmp - mtime);
    unsigned __int128 ns = (target * NS_PER_SEC + s->timebase_freq - 1) / s->timebase_freq;
    if (ns > (unsigned __int128)INT64_MAX) {
        timer_cancel(&h->timer); /* centuries away: never */
    } else {
        timer_arm(&h->timer, (int64_t)ns);
    }
}

static void aclint_timer_cb(void *opaque)
{
    aclint_update_hart(opaque);
}

/* Merge a 4- or 8-byte write at byte `off` (0 or 4) into a 64-bit register. */
static uint64_t merge64(uint64_t old, unsigned off, uint64_t value, unsigned size)
{
    if (size == 8) {
        return value;
    }
    unsigned shift = off * 8;
    uint64_t mask = (uint64_t)UINT32_MAX << shift;
    return (old & ~mask) | ((value & UINT32_MAX) << shift);
}

static uint64_t extract64(uint64_t reg, unsigned off, unsigned size)
{
    return size == 8 ? reg : (reg >> (off * 8)) & UINT32_MAX;
}

static AclintHart *aclint_hart(RiscvAclint *s, uint64_t index)
{
    return index < s->num_harts ? &s->harts[index] : NULL;
}

static MemTxResult aclint_read(void *opaque, uint64_t offset, uint64_t *value, unsigned size)
{
    RiscvAclint *s = opaque;
    *value = 0;
    if (offset < ACLINT_MTIMECMP_BASE) {
        /* One or two MSIP words (an 8-byte access covers two harts). */
        for (unsigned i = 0; i < size / 4; i++) {
            AclintHart *h = aclint_hart(s, offset / 4 + i);
            if (h && h->msip) {
                *value |= (uint64_t)1 << (32 * i);
            }
        }
    } else if (offset < ACLINT_MTIME) {
        AclintHart *h = aclint_hart(s, (offset - ACLINT_MTIMECMP_BASE) / 8);
        if (h) {
            *value = extract64(h->mtimecmp, offset & 7, size);
        }
    } else if (offset < ACLINT_MTIME + 8) {
        *value = extract64(aclint_mtime(s), offset & 7, size);
    }
    return MEMTX_OK;
}

static MemTxResult aclint_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    RiscvAclint *s = opaque;
    if (offset < ACLINT_MTIMECMP_BASE) {
        for (unsigned i = 0; i < size / 4; i++) {
            AclintHart *h = aclint_hart(s, offset / 4 + i);
            if (h) {
                aclint_set_msip(h, (value >> (32 * i)) & 1);
            }
        }
    } else if (offset < ACLINT_MTIME) {
        AclintHart *h = aclint_hart(s, (offset - ACLINT_MTIMECMP_BASE) / 8);
        if (h) {
            h->mtimecmp = merge64(h->mtimecmp, offset & 7, value, size);
            aclint_update_hart(h);
        }
    } else if (offset < ACLINT_MTIME + 8) {
        uint64_t now_ticks = aclint_ticks(s, clock_get_ns(s->clock));
        uint64_t mtime = merge64(now_ticks + s->mtime_delta, offset & 7, value, size);
        s->mtime_delta = mtime - now_ticks;
        for (uint32_t i = 0; i < s->num_harts; i++) {
            aclint_update_hart(&s->harts[i]);
        }
    }
    return MEMTX_OK;
}

static const MemoryRegionOps aclint_ops = {
    .read = aclint_read,
    .write = aclint_write,
    .min_access_size = 4,
    .max_access_size = 8,
};

static void aclint_init(Device *dev)
{
    RiscvAclint *s = (RiscvAclint *)dev;
    memory_region_init_io(&s->mmio, "riscv-aclint", &aclint_ops, s, ACLINT_SIZE);
    device_init_mmio(dev, &s->mmio);
}

static bool aclint_realize(Device *dev, GError **errp)
{
    RiscvAclint *s = (RiscvAclint *)dev;
    if (!s->clock) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_REALIZE, "riscv-aclint: no clock");
        return false;
    }
    if (s->num_harts == 0 || s->num_harts > ACLINT_MAX_HARTS) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_REALIZE,
                    "riscv-aclint: num_harts must be 1..%d, not %u", ACLINT_MAX_HARTS,
                    s->num_harts);
        return false;
    }
    if (s->timebase_freq == 0) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_REALIZE,
                    "riscv-aclint: timebase_freq must not be 0");
        return false;
    }
    s->harts = g_new0(AclintHart, s->num_harts);
    for (uint32_t i = 0; i < s->num_harts; i++) {
        s->harts[i].s = s;
        timer_init(&s->harts[i].timer, s->clock, aclint_timer_cb, &s->harts[i]);
    }
    s->irq_out = g_new0(IrqLine *, 2 * s->num_harts);
    device_init_irqs_out(dev, s->irq_out, 2 * s->num_harts);
    return true;
}

static void aclint_reset(Device *dev)
{
    RiscvAclint *s = (RiscvAclint *)dev;
    s->mtime_delta = -aclint_ticks(s, clock_get_ns(s->clock));
    for (uint32_t i = 0; i < s->num_harts; i++) {
        AclintHart *h = &s->harts[i];
        timer_cancel(&h->timer);
        h->mtimecmp = UINT64_MAX;
        aclint_set_msip(h, false);
        h->mtip = true; /* force the line low below */
        aclint_set_mtip(h, false);
        aclint_update_hart(h);
    }
}

static void aclint_finalize(Device *dev)
{
    RiscvAclint *s = (RiscvAclint *)dev;
    for (uint32_t i = 0; s->harts && i < s->num_harts; i++) {
        timer_deinit(&s->harts[i].timer);
    }
    g_free(s->harts);
    g_free(s->irq_out);
    memory_region_destroy(&s->mmio);
}

static const Property aclint_props[] = {
    DEFINE_PROP_UINT32("num_harts", RiscvAclint, num_harts, 1, "harts served (1..4095)"),
    DEFINE_PROP_UINT32("timebase_freq", RiscvAclint, timebase_freq,
                       ACLINT_TIMEBASE_FREQ_DEFAULT, "mtime ticks per second"),
    DEFINE_PROP_PTR("clock", RiscvAclint, clock, "the virtual clock mtime follows"),
    DEFINE_PROP_END,
};

const DeviceType riscv_aclint_type = {
    .name = "riscv-aclint",
    .help = "RISC-V ACLINT MSWI + MTIMER in the CLINT layout (QEMU virt's CLINT)",
    .instance_size = sizeof(RiscvAclint),
    .props = aclint_props,
    .init = aclint_init,
    .realize = aclint_realize,
    .reset = aclint_reset,
    .finalize = aclint_finalize,
};
