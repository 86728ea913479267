/*
 * Unit tests for the ACLINT/CLINT (hw/intc/riscv-aclint.c), driven through
 * the memory API at QEMU virt's address with a manual clock: mtime follows
 * the clock at timebase_freq; MTIP rises at exactly the tick where mtime
 * reaches mtimecmp and falls when mtimecmp moves to the future; mtime
 * writes; 32-bit halves (the rv32 Linux/OpenSBI sequence); MSIP; hart
 * indices out of range; access sizes; realize errors; reset.
 */
#include <string.h>

#include <glib.h>

#include "hw-test-bus.h"
#include "rove/clock.h"
#include "rove/intc.h"

#define CLINT_BASE 0x2000000
#define NHARTS 4

typedef struct Fixture {
    DeviceRegistry *reg;
    Clock *clock;
    Device *dev;
    TestBus bus;
    IrqLine *lines;       /* 2 * NHARTS sinks: MSIP then MTIP */
    int level[2 * NHARTS];
    int changes[2 * NHARTS];
} Fixture;

static void sink(void *opaque, int n, int level)
{
    Fixture *f = opaque;
    if (f->level[n] != level) {
        f->changes[n]++;
    }
    f->level[n] = level;
}

static void fixture_init(Fixture *f, uint32_t freq, int64_t prerun_ns)
{
    GError *err = NULL;
    *f = (Fixture){ 0 };
    f->reg = device_registry_new();
    device_type_register(f->reg, &riscv_aclint_type);
    f->clock = clock_new(CLOCK_MODE_MANUAL);
    clock_step(f->clock, prerun_ns); /* the machine has run a while */
    f->dev = device_new(f->reg, "riscv-aclint", &err);
    g_assert_no_error(err);
    g_assert_true(device_set_prop_uint(f->dev, "num_harts", NHARTS, &err));
    g_assert_true(device_set_prop_uint(f->dev, "timebase_freq", freq, &err));
    g_assert_true(device_set_prop_ptr(f->dev, "clock", f->clock, &err));
    g_assert_true(device_realize(f->dev, &err));
    f->lines = irq_alloc_lines(sink, f, 2 * NHARTS);
    for (int h = 0; h < NHARTS; h++) {
        g_assert_true(device_connect_irq_out(f->dev, aclint_irq_msip(h), &f->lines[h], &err));
        g_assert_true(device_connect_irq_out(f->dev, aclint_irq_mtip(NHARTS, h),
                                             &f->lines[NHARTS + h], &err));
    }
    g_assert_no_error(err);
    test_bus_init(&f->bus, f->dev, CLINT_BASE);
}

static void fixture_fini(Fixture *f)
{
    test_bus_destroy(&f->bus);
    device_free(f->dev);
    irq_free_lines(f->lines);
    clock_free(f->clock);
    device_registry_free(f->reg);
}

static uint64_t rd(Fixture *f, uint64_t off, unsigned size)
{
    uint64_t v;
    g_assert_cmpint(address_space_ld(&f->bus.as, CLINT_BASE + off, size, &v), ==, MEMTX_OK);
    return v;
}

static void wr(Fixture *f, uint64_t off, unsigned size, uint64_t v)
{
    g_assert_cmpint(address_space_st(&f->bus.as, CLINT_BASE + off, size, v), ==, MEMTX_OK);
}

static int mtip(Fixture *f, int h)
{
    return f->level[NHARTS + h];
}

#define MTIMECMP(h) (ACLINT_MTIMECMP_BASE + 8 * (uint64_t)(h))

static void test_mtime(void)
{
    Fixture f;
    fixture_init(&f, ACLINT_TIMEBASE_FREQ_DEFAULT, 123456700);
    g_assert_cmphex(rd(&f, ACLINT_MTIME, 8), ==, 0); /* reset: mtime 0 */
    clock_step(f.clock, 1000); /* 1 us = 10 ticks at 10 MHz */
    g_assert_cmphex(rd(&f, ACLINT_MTIME, 8), ==, 10);
    clock_step(f.clock, 99);
    g_assert_cmphex(rd(&f, ACLINT_MTIME, 8), ==, 10);
    clock_step(f.clock, 1);
    g_assert_cmphex(rd(&f, ACLINT_MTIME, 8), ==, 11);
    clock_step(f.clock, 2000000000); /* 2 s */
    g_assert_cmphex(rd(&f, ACLINT_MTIME, 8), ==, 20000011);
    g_assert_cmphex(rd(&f, ACLINT_MTIME, 4), ==, 20000011);
    g_assert_cmphex(rd(&f, ACLINT_MTIME + 4, 4), ==, 0);

    /* Writing mtime moves it; it keeps counting from there. */
    wr(&f, ACLINT_MTIME, 8, 0x1234567800000000ull);
    g_assert_cmphex(rd(&f, ACLINT_MTIME, 8), ==, 0x1234567800000000ull);
    clock_step(f.clock, 500);
    g_assert_cmphex(rd(&f, ACLINT_MTIME, 8), ==, 0x1234567800000005ull);
    wr(&f, ACLINT_MTIME + 4, 4, 0xabcd); /* high half only */
    g_assert_cmphex(rd(&f, ACLINT_MTIME, 8), ==, 0x0000abcd00000005ull);
    wr(&f, ACLINT_MTIME, 4, 0x100); /* low half only */
    g_assert_cmphex(rd(&f, ACLINT_MTIME, 8), ==, 0x0000abcd00000100ull);
    g_assert_cmphex(rd(&f, ACLINT_MTIME + 4, 4), ==, 0xabcd);

    /* Reset puts mtime back to 0. */
    device_reset(f.dev);
    g_assert_cmphex(rd(&f, ACLINT_MTIME, 8), ==, 0);
    fixture_fini(&f);
}

static void test_mtip_exact(void)
{
    Fixture f;
    fixture_init(&f, ACLINT_TIMEBASE_FREQ_DEFAULT, 123456700);
    for (int h = 0; h < NHARTS; h++) {
        g_assert_cmpint(mtip(&f, h), ==, 0); /* mtimecmp resets to all ones */
        g_assert_cmphex(rd(&f, MTIMECMP(h), 8), ==, UINT64_MAX);
    }
    clock_step(f.clock, 5000); /* mtime 50 */
    wr(&f, MTIMECMP(1), 8, 150);
    g_assert_cmphex(rd(&f, MTIMECMP(1), 8), ==, 150);
    g_assert_cmpint(mtip(&f, 1), ==, 0);
    clock_step(f.clock, 9999); /* 100 ticks = 10000 ns; one short */
    g_assert_cmpint(rd(&f, ACLINT_MTIME, 8), ==, 149);
    g_assert_cmpint(mtip(&f, 1), ==, 0);
    clock_step(f.clock, 1);
    g_assert_cmpint(rd(&f, ACLINT_MTIME, 8), ==, 150);
    g_assert_cmpint(mtip(&f, 1), ==, 1);
    g_assert_cmpint(f.changes[NHARTS + 1], ==, 1);
    for (int h = 0; h < NHARTS; h++) {
        if (h != 1) {
            g_assert_cmpint(mtip(&f, h), ==, 0); /* only hart 1's line */
        }
    }

    /* Stays high while mtime >= mtimecmp; falls when mtimecmp moves ahead. */
    clock_step(f.clock, 100000);
    g_assert_cmpint(mtip(&f, 1), ==, 1);
    uint64_t now = rd(&f, ACLINT_MTIME, 8);
    wr(&f, MTIMECMP(1), 8, now + 3);
    g_assert_cmpint(mtip(&f, 1), ==, 0);
    clock_step(f.clock, 299);
    g_assert_cmpint(mtip(&f, 1), ==, 0);
    clock_step(f.clock, 1);
    g_assert_cmpint(mtip(&f, 1), ==, 1);

    /* A compare value already reached raises at once; all ones lowers. */
    wr(&f, MTIMECMP(2), 8, 0);
    g_assert_cmpint(mtip(&f, 2), ==, 1);
    wr(&f, MTIMECMP(2), 8, UINT64_MAX);
    g_assert_cmpint(mtip(&f, 2), ==, 0);
    g_assert_cmpint(clock_next_deadline(f.clock), ==, CLOCK_NO_DEADLINE);

    /* Moving mtime past mtimecmp raises; moving it back lowers. */
    wr(&f, MTIMECMP(3), 8, 1000000);
    g_assert_cmpint(mtip(&f, 3), ==, 0);
    wr(&f, ACLINT_MTIME, 8, 1000000);
    g_assert_cmpint(mtip(&f, 3), ==, 1);
    wr(&f, ACLINT_MTIME, 8, 999998);
    g_assert_cmpint(mtip(&f, 3), ==, 0);
    clock_step(f.clock, 199);
    g_assert_cmpint(mtip(&f, 3), ==, 0);
    clock_step(f.clock, 1);
    g_assert_cmpint(mtip(&f, 3), ==, 1);

    /* Reset lowers every MTIP line and disarms the timers. */
    wr(&f, MTIMECMP(0), 8, 1 << 30);
    device_reset(f.dev);
    for (int h = 0; h < NHARTS; h++) {
        g_assert_cmpint(mtip(&f, h), ==, 0);
    }
    g_assert_cmpint(clock_next_deadline(f.clock), ==, CLOCK_NO_DEADLINE);
    fixture_fini(&f);
}

/* A timebase that does not divide 1e9: the deadline is the first ns at the tick. */
static void test_odd_freq(void)
{
    Fixture f;
    fixture_init(&f, 3000000, 0); /* a tick is 333.33 ns */
    wr(&f, MTIMECMP(0), 8, 1);
    g_assert_cmpint(clock_next_deadline(f.clock), ==, 334); /* armed once, exactly */
    clock_step(f.clock, 333);
    g_assert_cmpint(rd(&f, ACLINT_MTIME, 8), ==, 0);
    g_assert_cmpint(mtip(&f, 0), ==, 0);
    clock_step(f.clock, 1);
    g_assert_cmpint(rd(&f, ACLINT_MTIME, 8), ==, 1);
    g_assert_cmpint(mtip(&f, 0), ==, 1);
    wr(&f, MTIMECMP(0), 8, 3000001); /* 1 s later: at 1000000334 ns */
    g_assert_cmpint(clock_next_deadline(f.clock), ==, 1000000334);
    clock_step(f.clock, 999999999);
    g_assert_cmpint(mtip(&f, 0), ==, 0);
    clock_step(f.clock, 1);
    g_assert_cmpint(mtip(&f, 0), ==, 1);
    fixture_fini(&f);
}

/* The clock is mid-tick at reset: MTIP rises at the next tick boundary. */
static void test_phase(void)
{
    Fixture f;
    fixture_init(&f, ACLINT_TIMEBASE_FREQ_DEFAULT, 123456789); /* 89 ns into a tick */
    wr(&f, MTIMECMP(0), 8, 1);
    clock_step(f.clock, 10);
    g_assert_cmpint(rd(&f, ACLINT_MTIME, 8), ==, 0);
    g_assert_cmpint(mtip(&f, 0), ==, 0);
    clock_step(f.clock, 1);
    g_assert_cmpint(rd(&f, ACLINT_MTIME, 8), ==, 1);
    g_assert_cmpint(mtip(&f, 0), ==, 1);
    fixture_fini(&f);
}

/* The rv32 sequence: high = all ones, low = new low, high = new high. */
static void test_halves(void)
{
    Fixture f;
    fixture_init(&f, ACLINT_TIMEBASE_FREQ_DEFAULT, 123456700);
    wr(&f, ACLINT_MTIME, 8, 0xfffffff0ull);
    uint64_t cmp = 0x100000010ull; /* 32 ticks ahead, across the 2^32 carry */
    wr(&f, MTIMECMP(0) + 4, 4, 0xffffffff);
    g_assert_cmpint(mtip(&f, 0), ==, 0);
    wr(&f, MTIMECMP(0), 4, (uint32_t)cmp);
    g_assert_cmpint(mtip(&f, 0), ==, 0); /* no glitch in between */
    wr(&f, MTIMECMP(0) + 4, 4, cmp >> 32);
    g_assert_cmpint(mtip(&f, 0), ==, 0);
    g_assert_cmphex(rd(&f, MTIMECMP(0), 8), ==, cmp);
    g_assert_cmphex(rd(&f, MTIMECMP(0), 4), ==, 0x10);
    g_assert_cmphex(rd(&f, MTIMECMP(0) + 4, 4), ==, 1);
    g_assert_cmpint(f.changes[NHARTS], ==, 0);
    clock_step(f.clock, 3199);
    g_assert_cmpint(mtip(&f, 0), ==, 0);
    g_assert_cmphex(rd(&f, ACLINT_MTIME + 4, 4), ==, 1);
    g_assert_cmphex(rd(&f, ACLINT_MTIME, 4), ==, 0xf);
    clock_step(f.clock, 1);
    g_assert_cmpint(mtip(&f, 0), ==, 1);
    fixture_fini(&f);
}

static void test_msip(void)
{
    Fixture f;
    fixture_init(&f, ACLINT_TIMEBASE_FREQ_DEFAULT, 123456700);
    wr(&f, ACLINT_MSIP_BASE + 4 * 2, 4, 1);
    g_assert_cmpint(f.level[2], ==, 1);
    g_assert_cmpint(f.level[0] + f.level[1] + f.level[3], ==, 0);
    g_assert_cmphex(rd(&f, ACLINT_MSIP_BASE + 8, 4), ==, 1);
    g_assert_cmpint(mtip(&f, 2), ==, 0);
    /* Only bit 0 is implemented. */
    wr(&f, ACLINT_MSIP_BASE + 8, 4, 0xfffffffe);
    g_assert_cmpint(f.level[2], ==, 0);
    g_assert_cmphex(rd(&f, ACLINT_MSIP_BASE + 8, 4), ==, 0);
    wr(&f, ACLINT_MSIP_BASE + 12, 4, 0xffffffff);
    g_assert_cmphex(rd(&f, ACLINT_MSIP_BASE + 12, 4), ==, 1);
    /* An 8-byte access covers two harts' words. */
    wr(&f, ACLINT_MSIP_BASE, 8, 0x100000001ull);
    g_assert_cmpint(f.level[0], ==, 1);
    g_assert_cmpint(f.level[1], ==, 1);
    g_assert_cmphex(rd(&f, ACLINT_MSIP_BASE + 8, 8), ==, 0x100000000ull);
    device_reset(f.dev);
    for (int h = 0; h < NHARTS; h++) {
        g_assert_cmpint(f.level[h], ==, 0);
    }
    fixture_fini(&f);
}

static void test_out_of_range(void)
{
    Fixture f;
    fixture_init(&f, ACLINT_TIMEBASE_FREQ_DEFAULT, 123456700);
    /* Harts >= num_harts: reads 0, writes ignored, up to the last word. */
    static const uint64_t msip_off[] = { 4 * NHARTS, 0x3ffc };
    for (unsigned i = 0; i < G_N_ELEMENTS(msip_off); i++) {
        wr(&f, msip_off[i], 4, 1);
        g_assert_cmphex(rd(&f, msip_off[i], 4), ==, 0);
    }
    static const uint64_t cmp_off[] = { MTIMECMP(NHARTS), MTIMECMP(4094), MTIMECMP(4094) + 4 };
    for (unsigned i = 0; i < G_N_ELEMENTS(cmp_off); i++) {
        wr(&f, cmp_off[i], 4, 0);
        g_assert_cmphex(rd(&f, cmp_off[i], 4), ==, 0);
    }
    wr(&f, MTIMECMP(NHARTS), 8, 0);
    g_assert_cmphex(rd(&f, MTIMECMP(NHARTS), 8), ==, 0);
    /* Past mtime: nothing. */
    wr(&f, 0xc000, 8, 5);
    g_assert_cmphex(rd(&f, 0xc000, 8), ==, 0);
    wr(&f, 0xfff8, 8, 5);
    g_assert_cmphex(rd(&f, 0xfff8, 8), ==, 0);
    for (int n = 0; n < 2 * NHARTS; n++) {
        g_assert_cmpint(f.level[n], ==, 0);
        g_assert_cmpint(f.changes[n], ==, 0);
    }
    g_assert_cmpint(clock_next_deadline(f.clock), ==, CLOCK_NO_DEADLINE);

    /* 1- and 2-byte accesses are bus errors; nothing reaches the device. */
    uint64_t v;
    g_assert_cmpint(address_space_ld(&f.bus.as, CLINT_BASE + ACLINT_MTIME, 1, &v), ==, MEMTX_ERROR);
    g_assert_cmpint(address_space_st(&f.bus.as, CLINT_BASE, 2, 1), ==, MEMTX_ERROR);
    g_assert_cmpint(f.level[0], ==, 0);
    /* Misaligned too. */
    g_assert_cmpint(address_space_ld(&f.bus.as, CLINT_BASE + ACLINT_MTIME + 2, 4, &v), ==,
                    MEMTX_ERROR);
    fixture_fini(&f);
}

static void test_realize_errors(void)
{
    DeviceRegistry *reg = device_registry_new();
    device_type_register(reg, &riscv_aclint_type);
    Clock *clock = clock_new(CLOCK_MODE_MANUAL);
    static const struct {
        uint64_t harts, freq;
        bool with_clock;
        const char *msg;
    } bad[] = {
        { 1, 10000000, false, "no clock" },
        { 0, 10000000, true, "num_harts" },
        { ACLINT_MAX_HARTS + 1, 10000000, true, "num_harts" },
        { 1, 0, true, "timebase_freq" },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *err = NULL;
        Device *dev = device_new(reg, "riscv-aclint", &err);
        g_assert_true(device_set_prop_uint(dev, "num_harts", bad[i].harts, &err));
        g_assert_true(device_set_prop_uint(dev, "timebase_freq", bad[i].freq, &err));
        if (bad[i].with_clock) {
            g_assert_true(device_set_prop_ptr(dev, "clock", clock, &err));
        }
        test_realize_refused(dev, bad[i].msg);
    }
    /* The largest layout works. */
    GError *err = NULL;
    Device *dev = device_new(reg, "riscv-aclint", &err);
    g_assert_true(device_set_prop_uint(dev, "num_harts", ACLINT_MAX_HARTS, &err));
    g_assert_true(device_set_prop_ptr(dev, "clock", clock, &err));
    g_assert_true(device_realize(dev, &err));
    device_free(dev);
    clock_free(clock);
    device_registry_free(reg);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/aclint/mtime", test_mtime);
    g_test_add_func("/aclint/mtip-exact", test_mtip_exact);
    g_test_add_func("/aclint/odd-freq", test_odd_freq);
    g_test_add_func("/aclint/phase", test_phase);
    g_test_add_func("/aclint/halves", test_halves);
    g_test_add_func("/aclint/msip", test_msip);
    g_test_add_func("/aclint/out-of-range", test_out_of_range);
    g_test_add_func("/aclint/realize-errors", test_realize_errors);
    return g_test_run();
}
