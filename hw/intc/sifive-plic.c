/*
 * The RISC-V Platform-Level Interrupt Controller as SiFive made it and
 * QEMU's virt board places it (0xc000000, 0x600000 bytes, 96 sources with
 * source 0 reserved, priorities 0..7, two contexts per hart: M then S).
 *
 * Registers (all 32-bit): priority[src] at 4*src; pending bits at 0x1000;
 * per-context enable bits at 0x2000 + 0x80*ctx; per-context threshold at
 * 0x200000 + 0x1000*ctx and claim/complete at +4.
 *
 * References: the RISC-V PLIC specification (riscv-plic-spec 1.0.0), the
 * SiFive FU540 manual's PLIC chapter, Linux drivers/irqchip/irq-sifive-
 * plic.c (which completes a disabled source by enabling it around the
 * write, because hardware ignores completions of disabled sources).
 *
 * Model: every source has a level-triggered gateway.  A source is pending
 * while its input line is high and it is not in service; a claim takes the
 * best source (highest priority above the context's threshold, lowest id
 * on ties, as QEMU does: the spec says claims ignore the threshold, but
 * QEMU's and this one honour it, and Linux cannot tell), clears its pending
 * bit and puts it in service; completion (of a source enabled for that
 * context) ends service, and if the line is still high the source is
 * pending again.  Priority 0 means "never".  A context's output line is
 * high iff some source enabled for it is pending with priority > its
 * threshold.  Priority and threshold are WARL: with num_priorities 2^n-1
 * the low n bits are kept, otherwise larger values are ignored.
 *
 * Invariants: pending and in-service are disjoint; no bit is ever set for
 * source 0 or sources >= num_sources (in pending, in-service or enable);
 * every guest offset is range-checked before it indexes an array
 * (registers out of range read 0 and ignore writes); out_level[ctx] is the
 * last level driven on context ctx's line.  Runs under the big lock.
 */
#include <string.h>

#include <glib.h>

#include "rove/intc.h"

typedef struct SifivePlic {
    Device parent;
    uint32_t num_sources;    /* including source 0 */
    uint32_t num_priorities;
    uint32_t num_contexts;
    uint64_t aperture_size;
    MemoryRegion mmio;
    bool mmio_ready;
    uint32_t nwords;         /* 32-bit words of one bitmap of num_sources bits */
    uint32_t *priority;      /* [num_sources] */
    uint32_t *pending;       /* [nwords] */
    uint32_t *in_service;    /* [nwords] */
    uint32_t *level;         /* [nwords]: last level of each input line */
    uint32_t *valid;         /* [nwords]: bits of sources 1..num_sources-1 */
    uint32_t *enable;        /* [num_contexts * nwords] */
    uint32_t *threshold;     /* [num_contexts] */
    bool *out_level;         /* [num_contexts] */
    IrqLine **irq_out;       /* [num_contexts] */
} SifivePlic;

static bool bit_test(const uint32_t *map, uint32_t n)
{
    return (map[n / 32] >> (n % 32)) & 1;
}

static void bit_assign(uint32_t *map, uint32_t n, bool v)
{
    if (v) {
        map[n / 32] |= 1u << (n % 32);
    } else {
        map[n / 32] &= ~(1u << (n % 32));
    }
}

/* The best claimable source for ctx (0 if none): see the header comment. */
static uint32_t plic_best(SifivePlic *s, uint32_t ctx)
{
    uint32_t best = 0;
    uint32_t best_prio = s->threshold[ctx];
    const uint32_t *en = &s->enable[ctx * s->nwords];
    for (uint32_t w = 0; w < s->nwords; w++) {
        uint32_t bits = s->pending[w] & en[w];
        while (bits) {
            uint32_t src = w * 32 + (uint32_t)__builtin_ctz(bits);
            bits &= bits - 1;
            if (s->priority[src] > best_prio) {
                best = src;
                best_prio = s->priority[src];
            }
        }
    }
    return best;
}

static void plic_update(SifivePlic *s)
{
    for (uint32_t ctx = 0; ctx < s->num_contexts; ctx++) {
        bool level = plic_best(s, ctx) != 0;
        if (level != s->out_level[ctx]) {
            s->out_level[ctx] = level;
            irq_set(s->irq_out[ctx], level);
        }
    }
}

static void plic_irq_in(void *opaque, int n, int level)
{
    SifivePlic *s = opaque;
    if (n <= 0 || (uint32_t)n >= s->num_sources) {
        return; /* source 0 is reserved */
    }
    bit_assign(s->level, n, level);
    if (!bit_test(s->in_service, n)) {
        bit_assign(s->pending, n, level);
    }
    plic_update(s);
}

static uint32_t plic_claim(SifivePlic *s, uint32_t ctx)
{
    uint32_t src = plic_best(s, ctx);
    if (src) {
        bit_assign(s->pending, src, false);
        bit_assign(s->in_service, src, true);
        plic_update(s);
    }
    return src;
}

static void plic_complete(SifivePlic *s, uint32_t ctx, uint64_t src)
{
    if (src == 0 || src >= s->num_sources || !bit_test(&s->enable[ctx * s->nwords], src)
        || !bit_test(s->in_service, src)) {
        return; /* ignored, as the spec says */
    }
    bit_assign(s->in_service, src, false);
    bit_assign(s->pending, src, bit_test(s->level, src));
    plic_update(s);
}

/* WARL priority/threshold: the value to store, or false to ignore it. */
static bool plic_warl(SifivePlic *s, uint64_t value, uint32_t *out)
{
    uint64_t np = s->num_priorities;
    if (((np + 1) & np) == 0) {
        *out = (uint32_t)(value & np);
        return true;
    }
    if (value <= np) {
        *out = (uint32_t)value;
        return true;
    }
    return false;
}

static MemTxResult plic_read(void *opaque, uint64_t offset, uint64_t *value, unsigned size)
{
    SifivePlic *s = opaque;
    *value = 0;
    if (offset < PLIC_PENDING_BASE) {
        uint64_t src = offset / 4;
        if (src < s->num_sources) {
            *value = s->priority[src]; /* priority[0] stays 0 */
        }
    } else if (offset < PLIC_ENABLE_BASE) {
        uint64_t w = (offset - PLIC_PENDING_BASE) / 4;
        if (w < s->nwords) {
            *value = s->pending[w];
        }
    } else if (offset < PLIC_CONTEXT_BASE) {
        uint64_t ctx = (offset - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE;
        uint64_t w = (offset - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE / 4;
        if (ctx < s->num_contexts && w < s->nwords) {
            *value = s->enable[ctx * s->nwords + w];
        }
    } else {
        uint64_t ctx = (offset - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE;
        uint64_t reg = (offset - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE;
        if (ctx < s->num_contexts && reg == 0) {
            *value = s->threshold[ctx];
        } else if (ctx < s->num_contexts && reg == PLIC_CONTEXT_CLAIM) {
            *value = plic_claim(s, ctx);
        }
    }
    return MEMTX_OK;
}

static MemTxResult plic_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    SifivePlic *s = opaque;
    uint32_t v;
    if (offset < PLIC_PENDING_BASE) {
        uint64_t src = offset / 4;
        if (src > 0 && src < s->num_sources && plic_warl(s, value, &v)) {
            s->priority[src] = v;
            plic_update(s);
        }
    } else if (offset < PLIC_ENABLE_BASE) {
        /* Pending bits are read-only. */
    } else if (offset < PLIC_CONTEXT_BASE) {
        uint64_t ctx = (offset - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE;
        uint64_t w = (offset - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE / 4;
        if (ctx < s->num_contexts && w < s->nwords) {
            s->enable[ctx * s->nwords + w] = (uint32_t)value & s->valid[w];
            plic_update(s);
        }
    } else {
        uint64_t ctx = (offset - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE;
        uint64_t reg = (offset - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE;
        if (ctx < s->num_contexts && reg == 0) {
            if (plic_warl(s, value, &v)) {
                s->threshold[ctx] = v;
                plic_update(s);
            }
        } else if (ctx < s->num_contexts && reg == PLIC_CONTEXT_CLAIM) {
            plic_complete(s, ctx, (uint32_t)value);
        }
    }
    return MEMTX_OK;
}

static const MemoryRegionOps plic_ops = {
    .read = plic_read,
    .write = plic_write,
    .min_access_size = 4,
    .max_access_size = 4,
};

static bool plic_realize(Device *dev, GError **errp)
{
    SifivePlic *s = (SifivePlic *)dev;
    if (s->num_sources == 0 || s->num_sources > PLIC_MAX_SOURCES) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_REALIZE,
                    "sifive-plic: num_sources must be 1..%d, not %u", PLIC_MAX_SOURCES,
                    s->num_sources);
        return false;
    }
    if (s->num_contexts == 0 || s->num_contexts > PLIC_MAX_CONTEXTS) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_REALIZE,
                    "sifive-plic: num_contexts must be 1..%d, not %u", PLIC_MAX_CONTEXTS,
                    s->num_contexts);
        return false;
    }
    if (s->num_priorities == 0) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_REALIZE,
                    "sifive-plic: num_priorities must not be 0");
        return false;
    }
    uint64_t need = PLIC_CONTEXT_BASE + (uint64_t)s->num_contexts * PLIC_CONTEXT_STRIDE;
    if (s->aperture_size < need) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_REALIZE,
                    "sifive-plic: %u contexts need an aperture of %#" G_GINT64_MODIFIER
                    "x bytes, not %#" G_GINT64_MODIFIER "x",
                    s->num_contexts, need, s->aperture_size);
        return false;
    }
    s->nwords = (s->num_sources + 31) / 32;
    s->priority = g_new0(uint32_t, s->num_sources);
    s->pending = g_new0(uint32_t, s->nwords);
    s->in_service = g_new0(uint32_t, s->nwords);
    s->level = g_new0(uint32_t, s->nwords);
    s->valid = g_new0(uint32_t, s->nwords);
    for (uint32_t src = 1; src < s->num_sources; src++) {
        bit_assign(s->valid, src, true);
    }
    s->enable = g_new0(uint32_t, (size_t)s->num_contexts * s->nwords);
    s->threshold = g_new0(uint32_t, s->num_contexts);
    s->out_level = g_new0(bool, s->num_contexts);
    s->irq_out = g_new0(IrqLine *, s->num_contexts);
    memory_region_init_io(&s->mmio, "sifive-plic", &plic_ops, s, s->aperture_size);
    s->mmio_ready = true;
    device_init_mmio(dev, &s->mmio);
    device_init_irqs_in(dev, plic_irq_in, (int)s->num_sources);
    device_init_irqs_out(dev, s->irq_out, (int)s->num_contexts);
    return true;
}

static void plic_reset(Device *dev)
{
    SifivePlic *s = (SifivePlic *)dev;
    memset(s->priority, 0, s->num_sources * sizeof(uint32_t));
    memset(s->enable, 0, (size_t)s->num_contexts * s->nwords * sizeof(uint32_t));
    memset(s->threshold, 0, s->num_contexts * sizeof(uint32_t));
    memset(s->in_service, 0, s->nwords * sizeof(uint32_t));
    /* Input lines keep their level across a reset: high lines are pending. */
    memcpy(s->pending, s->level, s->nwords * sizeof(uint32_t));
    for (uint32_t ctx = 0; ctx < s->num_contexts; ctx++) {
        s->out_level[ctx] = false;
        irq_set(s->irq_out[ctx], 0);
    }
}

static void plic_finalize(Device *dev)
{
    SifivePlic *s = (SifivePlic *)dev;
    g_free(s->priority);
    g_free(s->pending);
    g_free(s->in_service);
    g_free(s->level);
    g_free(s->valid);
    g_free(s->enable);
    g_free(s->threshold);
    g_free(s->out_level);
    g_free(s->irq_out);
    if (s->mmio_ready) {
        memory_region_destroy(&s->mmio);
    }
}

static const Property plic_props[] = {
    DEFINE_PROP_UINT32("num_sources", SifivePlic, num_sources, 96,
                       "interrupt sources including the reserved source 0 (1..1024)"),
    DEFINE_PROP_UINT32("num_priorities", SifivePlic, num_priorities, 7,
                       "highest priority level"),
    DEFINE_PROP_UINT32("num_contexts", SifivePlic, num_contexts, 2,
                       "targets (on virt: 2 per hart, M then S)"),
    DEFINE_PROP_UINT64("aperture_size", SifivePlic, aperture_size, PLIC_SIZE_VIRT,
                       "bytes of the MMIO region"),
    DEFINE_PROP_END,
};

const DeviceType sifive_plic_type = {
    .name = "sifive-plic",
    .help = "RISC-V PLIC in the SiFive layout (QEMU virt's PLIC)",
    .instance_size = sizeof(SifivePlic),
    .props = plic_props,
    .realize = plic_realize,
    .reset = plic_reset,
    .finalize = plic_finalize,
};
