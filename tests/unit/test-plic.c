/*
 * Unit tests for the PLIC (hw/intc/sifive-plic.c), through the memory API
 * at QEMU virt's address with virt's defaults (96 sources, priorities
 * 0..7) and two harts (4 contexts: M0, S0, M1, S1): priority, threshold
 * and enable gating of each context's output line; claim picks the
 * highest priority, lowest id on ties; claim/complete with level inputs;
 * completions that must be ignored; WARL priorities; out-of-range
 * registers and access sizes; realize errors; reset.
 */
#include <string.h>

#include <glib.h>

#include "hw-test-bus.h"
#include "rove/intc.h"

#define PLIC_BASE 0xc000000
#define NCTX 4

typedef struct Fixture {
    DeviceRegistry *reg;
    Device *dev;
    TestBus bus;
    IrqLine *lines;
    int level[NCTX];
    int changes[NCTX];
} Fixture;

static void sink(void *opaque, int n, int level)
{
    Fixture *f = opaque;
    if (f->level[n] != level) {
        f->changes[n]++;
    }
    f->level[n] = level;
}

static void fixture_init_props(Fixture *f, uint32_t num_priorities)
{
    GError *err = NULL;
    *f = (Fixture){ 0 };
    f->reg = device_registry_new();
    device_type_register(f->reg, &sifive_plic_type);
    f->dev = device_new(f->reg, "sifive-plic", &err);
    g_assert_no_error(err);
    g_assert_true(device_set_prop_uint(f->dev, "num_contexts", NCTX, &err));
    g_assert_true(device_set_prop_uint(f->dev, "num_priorities", num_priorities, &err));
    g_assert_true(device_realize(f->dev, &err));
    g_assert_no_error(err);
    f->lines = irq_alloc_lines(sink, f, NCTX);
    for (int c = 0; c < NCTX; c++) {
        g_assert_true(device_connect_irq_out(f->dev, c, &f->lines[c], &err));
    }
    test_bus_init(&f->bus, f->dev, PLIC_BASE);
}

static void fixture_init(Fixture *f)
{
    fixture_init_props(f, 7);
}

static void fixture_fini(Fixture *f)
{
    test_bus_destroy(&f->bus);
    device_free(f->dev);
    irq_free_lines(f->lines);
    device_registry_free(f->reg);
}

static uint32_t rd(Fixture *f, uint64_t off)
{
    uint32_t v;
    g_assert_cmpint(address_space_ldl(&f->bus.as, PLIC_BASE + off, &v), ==, MEMTX_OK);
    return v;
}

static void wr(Fixture *f, uint64_t off, uint32_t v)
{
    g_assert_cmpint(address_space_stl(&f->bus.as, PLIC_BASE + off, v), ==, MEMTX_OK);
}

static void set_prio(Fixture *f, int src, uint32_t p)
{
    wr(f, PLIC_PRIORITY_BASE + 4 * src, p);
}

static void enable(Fixture *f, int ctx, int src, bool on)
{
    uint64_t off = PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE * ctx + 4 * (src / 32);
    uint32_t v = rd(f, off);
    wr(f, off, on ? v | 1u << (src % 32) : v & ~(1u << (src % 32)));
}

static void threshold(Fixture *f, int ctx, uint32_t t)
{
    wr(f, PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * ctx, t);
}

static uint32_t claim(Fixture *f, int ctx)
{
    return rd(f, PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * ctx + PLIC_CONTEXT_CLAIM);
}

static void complete(Fixture *f, int ctx, uint32_t src)
{
    wr(f, PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * ctx + PLIC_CONTEXT_CLAIM, src);
}

static void line(Fixture *f, int src, int level)
{
    irq_set(device_irq_in(f->dev, src), level);
}

static bool pending(Fixture *f, int src)
{
    return (rd(f, PLIC_PENDING_BASE + 4 * (src / 32)) >> (src % 32)) & 1;
}

static void test_gating(void)
{
    Fixture f;
    fixture_init(&f);
    line(&f, 10, 1);
    g_assert_true(pending(&f, 10));
    for (int c = 0; c < NCTX; c++) {
        g_assert_cmpint(f.level[c], ==, 0); /* priority 0 and not enabled */
    }
    enable(&f, 1, 10, true);
    g_assert_cmpint(f.level[1], ==, 0); /* priority 0: never */
    set_prio(&f, 10, 3);
    g_assert_cmphex(rd(&f, PLIC_PRIORITY_BASE + 40), ==, 3);
    g_assert_cmpint(f.level[1], ==, 1);
    g_assert_cmpint(f.level[0] + f.level[2] + f.level[3], ==, 0);
    threshold(&f, 1, 3); /* priority must be above the threshold */
    g_assert_cmphex(rd(&f, PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE), ==, 3);
    g_assert_cmpint(f.level[1], ==, 0);
    g_assert_cmpint(claim(&f, 1), ==, 0); /* and for a claim (as QEMU) */
    g_assert_true(pending(&f, 10));
    threshold(&f, 1, 2);
    g_assert_cmpint(f.level[1], ==, 1);
    enable(&f, 2, 10, true);
    g_assert_cmpint(f.level[2], ==, 1);
    enable(&f, 1, 10, false);
    g_assert_cmpint(f.level[1], ==, 0);
    g_assert_cmpint(f.level[2], ==, 1);
    line(&f, 10, 0); /* level-triggered: pending follows the line */
    g_assert_false(pending(&f, 10));
    g_assert_cmpint(f.level[2], ==, 0);
    fixture_fini(&f);
}

static void test_claim_order(void)
{
    Fixture f;
    fixture_init(&f);
    static const struct {
        int src;
        uint32_t prio;
    } srcs[] = { { 3, 2 }, { 40, 5 }, { 7, 5 }, { 95, 7 }, { 1, 1 } };
    for (unsigned i = 0; i < G_N_ELEMENTS(srcs); i++) {
        set_prio(&f, srcs[i].src, srcs[i].prio);
        enable(&f, 0, srcs[i].src, true);
        line(&f, srcs[i].src, 1);
        line(&f, srcs[i].src, 0); /* a level source: low clears, high again */
        line(&f, srcs[i].src, 1);
    }
    /* Highest priority first; 7 before 40 (equal priority, lower id). */
    static const int want[] = { 95, 7, 40, 3, 1 };
    for (unsigned i = 0; i < G_N_ELEMENTS(want); i++) {
        g_assert_cmpint(f.level[0], ==, 1);
        g_assert_cmpint(claim(&f, 0), ==, want[i]);
        g_assert_false(pending(&f, want[i]));
    }
    g_assert_cmpint(f.level[0], ==, 0);
    g_assert_cmpint(claim(&f, 0), ==, 0);
    fixture_fini(&f);
}

static void test_claim_complete(void)
{
    Fixture f;
    fixture_init(&f);
    set_prio(&f, 5, 1);
    enable(&f, 0, 5, true); /* M0 */
    enable(&f, 3, 5, true); /* S1 */
    line(&f, 5, 1);
    g_assert_cmpint(f.level[0], ==, 1);
    g_assert_cmpint(f.level[3], ==, 1);
    g_assert_cmpint(claim(&f, 3), ==, 5);
    /* In service: no longer pending anywhere, cannot be claimed again. */
    g_assert_false(pending(&f, 5));
    g_assert_cmpint(f.level[0], ==, 0);
    g_assert_cmpint(f.level[3], ==, 0);
    g_assert_cmpint(claim(&f, 0), ==, 0);
    g_assert_cmpint(claim(&f, 3), ==, 0);
    line(&f, 5, 0);
    line(&f, 5, 1); /* the gateway holds further requests until completion */
    g_assert_false(pending(&f, 5));
    g_assert_cmpint(f.level[0], ==, 0);

    /* Completions to ignore: wrong id, id 0, out of range, not enabled. */
    complete(&f, 3, 6);
    complete(&f, 3, 0);
    complete(&f, 3, 96);
    complete(&f, 3, 0xffffffff);
    complete(&f, 1, 5); /* S0 does not have source 5 enabled */
    g_assert_cmpint(claim(&f, 3), ==, 0);
    g_assert_false(pending(&f, 5));

    /* Completion with the line still high: pending again at once. */
    complete(&f, 3, 5);
    g_assert_true(pending(&f, 5));
    g_assert_cmpint(f.level[0], ==, 1);
    g_assert_cmpint(claim(&f, 0), ==, 5); /* any context that has it enabled */
    line(&f, 5, 0);
    complete(&f, 0, 5);
    g_assert_false(pending(&f, 5)); /* line low: nothing more */
    g_assert_cmpint(f.level[0], ==, 0);
    g_assert_cmpint(claim(&f, 0), ==, 0);
    /* A completion repeated after the fact changes nothing. */
    complete(&f, 0, 5);
    g_assert_false(pending(&f, 5));

    /* Linux's way to complete a disabled source: enable around the write. */
    line(&f, 5, 1);
    g_assert_cmpint(claim(&f, 0), ==, 5);
    enable(&f, 0, 5, false);
    complete(&f, 0, 5);
    g_assert_false(pending(&f, 5)); /* ignored: still in service */
    enable(&f, 0, 5, true);
    complete(&f, 0, 5);
    enable(&f, 0, 5, false);
    g_assert_true(pending(&f, 5));
    fixture_fini(&f);
}

static void test_warl(void)
{
    Fixture f;
    fixture_init(&f); /* 7 = 2^3 - 1: the low three bits are kept */
    set_prio(&f, 1, 9);
    g_assert_cmphex(rd(&f, PLIC_PRIORITY_BASE + 4), ==, 1);
    set_prio(&f, 1, 0xffffffff);
    g_assert_cmphex(rd(&f, PLIC_PRIORITY_BASE + 4), ==, 7);
    threshold(&f, 2, 0x1f);
    g_assert_cmphex(rd(&f, PLIC_CONTEXT_BASE + 2 * PLIC_CONTEXT_STRIDE), ==, 7);
    fixture_fini(&f);

    fixture_init_props(&f, 5); /* not 2^n - 1: values above 5 are ignored */
    set_prio(&f, 1, 4);
    set_prio(&f, 1, 6);
    g_assert_cmphex(rd(&f, PLIC_PRIORITY_BASE + 4), ==, 4);
    set_prio(&f, 1, 5);
    g_assert_cmphex(rd(&f, PLIC_PRIORITY_BASE + 4), ==, 5);
    fixture_fini(&f);
}

static void test_out_of_range(void)
{
    Fixture f;
    fixture_init(&f);
    /* Source 0 and sources >= 96 have no priority. */
    set_prio(&f, 0, 7);
    g_assert_cmphex(rd(&f, PLIC_PRIORITY_BASE), ==, 0);
    set_prio(&f, 96, 7);
    g_assert_cmphex(rd(&f, PLIC_PRIORITY_BASE + 4 * 96), ==, 0);
    set_prio(&f, 1023, 7);
    g_assert_cmphex(rd(&f, PLIC_PRIORITY_BASE + 4 * 1023), ==, 0);
    /* Enable bits of source 0 and sources >= 96 stay 0. */
    wr(&f, PLIC_ENABLE_BASE, 0xffffffff);
    g_assert_cmphex(rd(&f, PLIC_ENABLE_BASE), ==, 0xfffffffe);
    wr(&f, PLIC_ENABLE_BASE + 8, 0xffffffff);
    g_assert_cmphex(rd(&f, PLIC_ENABLE_BASE + 8), ==, 0xffffffff); /* 64..95 */
    wr(&f, PLIC_ENABLE_BASE + 12, 0xffffffff);
    g_assert_cmphex(rd(&f, PLIC_ENABLE_BASE + 12), ==, 0);
    wr(&f, PLIC_ENABLE_BASE + 0x7c, 0xffffffff);
    g_assert_cmphex(rd(&f, PLIC_ENABLE_BASE + 0x7c), ==, 0);
    /* Contexts >= 4: enable, threshold and claim read 0, ignore writes. */
    uint64_t en4 = PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE * NCTX;
    wr(&f, en4, 0xffffffff);
    g_assert_cmphex(rd(&f, en4), ==, 0);
    wr(&f, 0x1ffffc, 0xffffffff);
    g_assert_cmphex(rd(&f, 0x1ffffc), ==, 0);
    threshold(&f, NCTX, 5);
    g_assert_cmphex(rd(&f, PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * NCTX), ==, 0);
    g_assert_cmphex(claim(&f, NCTX), ==, 0);
    complete(&f, NCTX, 1);
    g_assert_cmphex(rd(&f, PLIC_SIZE_VIRT - 4), ==, 0);
    wr(&f, PLIC_SIZE_VIRT - 4, 1);
    /* Gaps: pending words past source 95, the rest of a context's page. */
    line(&f, 95, 1);
    g_assert_cmphex(rd(&f, PLIC_PENDING_BASE + 8), ==, 0x80000000);
    wr(&f, PLIC_PENDING_BASE + 8, 0); /* pending is read-only */
    g_assert_cmphex(rd(&f, PLIC_PENDING_BASE + 8), ==, 0x80000000);
    g_assert_cmphex(rd(&f, PLIC_PENDING_BASE + 12), ==, 0);
    g_assert_cmphex(rd(&f, 0x1ffc), ==, 0);
    wr(&f, PLIC_CONTEXT_BASE + 8, 7);
    g_assert_cmphex(rd(&f, PLIC_CONTEXT_BASE + 8), ==, 0);
    /* Input lines: 0 is reserved, others do not exist. */
    line(&f, 0, 1);
    g_assert_cmphex(rd(&f, PLIC_PENDING_BASE), ==, 0);
    g_assert_null(device_irq_in(f.dev, 96));
    for (int c = 0; c < NCTX; c++) {
        g_assert_cmpint(f.changes[c], ==, 0);
    }
    /* Sizes: 8 bytes is two 32-bit accesses; 1 and 2 bytes are errors. */
    g_assert_cmpint(address_space_stq(&f.bus.as, PLIC_BASE + 8, 0x0000000600000005ull), ==,
                    MEMTX_OK);
    g_assert_cmphex(rd(&f, 8), ==, 5);
    g_assert_cmphex(rd(&f, 12), ==, 6);
    uint8_t b;
    g_assert_cmpint(address_space_ldub(&f.bus.as, PLIC_BASE + 8, &b), ==, MEMTX_ERROR);
    g_assert_cmpint(address_space_stw(&f.bus.as, PLIC_BASE + 8, 1), ==, MEMTX_ERROR);
    g_assert_cmphex(rd(&f, 8), ==, 5);
    /* Nothing past the aperture. */
    uint32_t v;
    g_assert_cmpint(address_space_ldl(&f.bus.as, PLIC_BASE + PLIC_SIZE_VIRT, &v), ==,
                    MEMTX_DECODE_ERROR);
    fixture_fini(&f);
}

static void test_reset(void)
{
    Fixture f;
    fixture_init(&f);
    set_prio(&f, 4, 2);
    enable(&f, 0, 4, true);
    threshold(&f, 0, 1);
    line(&f, 4, 1);
    line(&f, 9, 1);
    g_assert_cmpint(f.level[0], ==, 1);
    g_assert_cmpint(claim(&f, 0), ==, 4);
    device_reset(f.dev);
    g_assert_cmpint(f.level[0], ==, 0);
    g_assert_cmphex(rd(&f, PLIC_PRIORITY_BASE + 16), ==, 0);
    g_assert_cmphex(rd(&f, PLIC_ENABLE_BASE), ==, 0);
    g_assert_cmphex(rd(&f, PLIC_CONTEXT_BASE), ==, 0);
    /* Lines still high are pending after reset, and claimable again. */
    g_assert_true(pending(&f, 4));
    g_assert_true(pending(&f, 9));
    set_prio(&f, 4, 1);
    enable(&f, 0, 4, true);
    g_assert_cmpint(claim(&f, 0), ==, 4);
    fixture_fini(&f);
}

static void test_realize_errors(void)
{
    DeviceRegistry *reg = device_registry_new();
    device_type_register(reg, &sifive_plic_type);
    static const struct {
        const char *prop;
        uint64_t value;
        const char *msg;
    } bad[] = {
        { "num_sources", 0, "num_sources" },
        { "num_sources", PLIC_MAX_SOURCES + 1, "num_sources" },
        { "num_contexts", 0, "num_contexts" },
        { "num_contexts", PLIC_MAX_CONTEXTS + 1, "num_contexts" },
        { "num_contexts", 1025, "aperture" }, /* 0x600000 holds 1024 */
        { "num_priorities", 0, "num_priorities" },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *err = NULL;
        Device *dev = device_new(reg, "sifive-plic", &err);
        g_assert_true(device_set_prop_uint(dev, bad[i].prop, bad[i].value, &err));
        test_realize_refused(dev, bad[i].msg);
    }
    /* The largest source count and the virt aperture's 1024 contexts work. */
    GError *err = NULL;
    Device *dev = device_new(reg, "sifive-plic", &err);
    g_assert_true(device_set_prop_uint(dev, "num_sources", PLIC_MAX_SOURCES, &err));
    g_assert_true(device_set_prop_uint(dev, "num_contexts", 1024, &err));
    g_assert_true(device_realize(dev, &err));
    irq_raise(device_irq_in(dev, PLIC_MAX_SOURCES - 1));
    device_free(dev);
    device_registry_free(reg);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/plic/gating", test_gating);
    g_test_add_func("/plic/claim-order", test_claim_order);
    g_test_add_func("/plic/claim-complete", test_claim_complete);
    g_test_add_func("/plic/warl", test_warl);
    g_test_add_func("/plic/out-of-range", test_out_of_range);
    g_test_add_func("/plic/reset", test_reset);
    g_test_add_func("/plic/realize-errors", test_realize_errors);
    return g_test_run();
}
