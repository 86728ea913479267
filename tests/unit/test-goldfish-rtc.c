/*
 * Unit tests for the Goldfish RTC (hw/rtc/goldfish-rtc.c), through
 * address_space_* on a small address space and a clock the test moves by
 * hand: TIME_LOW/TIME_HIGH read latch across a low-half wrap, setting the
 * time, the alarm firing exactly when the clock reaches it (and not
 * before), alarms already due, IRQ_ENABLED masking, CLEAR_ALARM,
 * CLEAR_INTERRUPT, setting the time while an alarm is armed, reset, and
 * access sizes.
 */
#include <glib.h>

#include "hw-test-bus.h"
#include "hw/rtc/goldfish-rtc.h"

#define BASE 0x101000u
#define START 0x00000005fffffff0ull /* RTC time at realize: low half about to wrap */

typedef struct Fix {
    DeviceRegistry *reg;
    Device *dev;
    TestBus bus;
    GoldfishRtcClock clock;
    uint64_t now;          /* the test's clock */
    bool armed;
    uint64_t deadline;
    int arms;
    int cancels;
    IrqLine sink;
    int level;
} Fix;

static uint64_t clk_now(void *opaque)
{
    return ((Fix *)opaque)->now;
}

static void clk_arm(void *opaque, uint64_t deadline)
{
    Fix *f = opaque;
    f->armed = true;
    f->deadline = deadline;
    f->arms++;
}

static void clk_cancel(void *opaque)
{
    Fix *f = opaque;
    f->armed = false;
    f->cancels++;
}

/* Move the clock on; run the timer if its deadline passed (as a timer list would). */
static void advance(Fix *f, uint64_t ns)
{
    f->now += ns;
    if (f->armed && f->deadline <= f->now) {
        f->armed = false;
        goldfish_rtc_timer_expired(f->dev);
    }
}

static void sink_handler(void *opaque, int n, int level)
{
    ((Fix *)opaque)->level = level;
}

static Fix *fix_new(void)
{
    Fix *f = g_new0(Fix, 1);
    GError *err = NULL;
    f->clock = (GoldfishRtcClock){ clk_now, clk_arm, clk_cancel, f };
    f->now = 1000000; /* the clock's epoch is not the RTC's */
    f->level = -1;
    irq_init(&f->sink, sink_handler, f, 0);
    f->reg = device_registry_new();
    goldfish_rtc_register_types(f->reg);
    f->dev = device_new(f->reg, TYPE_GOLDFISH_RTC, &err);
    g_assert_no_error(err);
    g_assert_true(device_set_prop_ptr(f->dev, "clock", &f->clock, &err));
    g_assert_true(device_set_prop_uint(f->dev, "start-time", START, &err));
    g_assert_true(device_connect_irq_out(f->dev, 0, &f->sink, &err));
    g_assert_true(device_realize(f->dev, &err));
    g_assert_no_error(err);
    g_assert_cmpint(f->level, ==, 0);
    test_bus_init(&f->bus, f->dev, BASE);
    return f;
}

static void fix_free(Fix *f)
{
    test_bus_destroy(&f->bus);
    device_free(f->dev);
    device_registry_free(f->reg);
    g_free(f);
}

static uint32_t rd(Fix *f, unsigned reg)
{
    uint32_t v = 0xdeadbeef;
    g_assert_cmpint(address_space_ldl(&f->bus.as, BASE + reg, &v), ==, MEMTX_OK);
    return v;
}

static void wr(Fix *f, unsigned reg, uint32_t v)
{
    g_assert_cmpint(address_space_stl(&f->bus.as, BASE + reg, v), ==, MEMTX_OK);
}

static uint64_t read_time(Fix *f)
{
    uint64_t lo = rd(f, GOLDFISH_RTC_TIME_LOW);
    return ((uint64_t)rd(f, GOLDFISH_RTC_TIME_HIGH) << 32) | lo;
}

/* Linux's order: ALARM_HIGH, then ALARM_LOW (which arms). */
static void set_alarm(Fix *f, uint64_t t)
{
    wr(f, GOLDFISH_RTC_ALARM_HIGH, (uint32_t)(t >> 32));
    wr(f, GOLDFISH_RTC_ALARM_LOW, (uint32_t)t);
}

static void test_time_latch(void)
{
    Fix *f = fix_new();
    g_assert_cmphex(rd(f, GOLDFISH_RTC_TIME_LOW), ==, 0xfffffff0);
    advance(f, 0x20); /* the low half wraps between the two reads */
    g_assert_cmphex(rd(f, GOLDFISH_RTC_TIME_HIGH), ==, 5); /* latched */
    g_assert_cmphex(rd(f, GOLDFISH_RTC_TIME_HIGH), ==, 5);
    g_assert_cmphex(rd(f, GOLDFISH_RTC_TIME_LOW), ==, 0x10);
    g_assert_cmphex(rd(f, GOLDFISH_RTC_TIME_HIGH), ==, 6);
    advance(f, 12345);
    g_assert_cmphex(read_time(f), ==, START + 0x20 + 12345);
    fix_free(f);
}

static void test_set_time(void)
{
    Fix *f = fix_new();
    uint64_t t = 1700000000ull * 1000000000ull + 123;
    wr(f, GOLDFISH_RTC_TIME_HIGH, (uint32_t)(t >> 32));
    wr(f, GOLDFISH_RTC_TIME_LOW, (uint32_t)t);
    g_assert_cmphex(read_time(f), ==, t);
    advance(f, 1000);
    g_assert_cmphex(read_time(f), ==, t + 1000);
    device_reset(f->dev); /* the time survives a reset */
    g_assert_cmphex(read_time(f), ==, t + 1000);
    /* Each half alone replaces only that half. */
    wr(f, GOLDFISH_RTC_TIME_LOW, 7);
    g_assert_cmphex(read_time(f), ==, ((t + 1000) & ~0xffffffffull) | 7);
    wr(f, GOLDFISH_RTC_TIME_HIGH, 0);
    g_assert_cmphex(read_time(f), ==, 7);
    fix_free(f);
}

static void test_alarm_fires(void)
{
    Fix *f = fix_new();
    wr(f, GOLDFISH_RTC_IRQ_ENABLED, 1);
    g_assert_cmpuint(rd(f, GOLDFISH_RTC_IRQ_ENABLED), ==, 1);
    uint64_t t = read_time(f);
    uint64_t clock_then = f->now;
    set_alarm(f, t + 5000);
    g_assert_cmpuint(rd(f, GOLDFISH_RTC_ALARM_STATUS), ==, 1);
    g_assert_true(f->armed);
    g_assert_cmpuint(f->deadline, ==, clock_then + 5000);
    g_assert_cmphex(rd(f, GOLDFISH_RTC_ALARM_LOW), ==, (uint32_t)(t + 5000));
    g_assert_cmphex(rd(f, GOLDFISH_RTC_ALARM_HIGH), ==, (uint32_t)((t + 5000) >> 32));
    advance(f, 4999);
    g_assert_cmpint(f->level, ==, 0);
    g_assert_cmpuint(rd(f, GOLDFISH_RTC_ALARM_STATUS), ==, 1);
    advance(f, 1);
    g_assert_cmpint(f->level, ==, 1);
    g_assert_cmpuint(rd(f, GOLDFISH_RTC_ALARM_STATUS), ==, 0);
    advance(f, 100000);           /* stays pending until cleared */
    g_assert_cmpint(f->level, ==, 1);
    wr(f, GOLDFISH_RTC_CLEAR_INTERRUPT, 1);
    g_assert_cmpint(f->level, ==, 0);

    /* An early or spurious expiry re-arms instead of firing. */
    set_alarm(f, read_time(f) + 10);
    goldfish_rtc_timer_expired(f->dev);
    g_assert_cmpint(f->level, ==, 0);
    g_assert_cmpuint(rd(f, GOLDFISH_RTC_ALARM_STATUS), ==, 1);
    advance(f, 10);
    g_assert_cmpint(f->level, ==, 1);
    fix_free(f);
}

static void test_alarm_due_and_masked(void)
{
    Fix *f = fix_new();
    /* Already due: fires at once, pending but masked until IRQ_ENABLED. */
    set_alarm(f, read_time(f));
    g_assert_cmpuint(rd(f, GOLDFISH_RTC_ALARM_STATUS), ==, 0);
    g_assert_false(f->armed);
    g_assert_cmpint(f->level, ==, 0);
    wr(f, GOLDFISH_RTC_IRQ_ENABLED, 3); /* only bit 0 counts */
    g_assert_cmpuint(rd(f, GOLDFISH_RTC_IRQ_ENABLED), ==, 1);
    g_assert_cmpint(f->level, ==, 1);
    wr(f, GOLDFISH_RTC_IRQ_ENABLED, 0);
    g_assert_cmpint(f->level, ==, 0);
    wr(f, GOLDFISH_RTC_CLEAR_INTERRUPT, 0);
    wr(f, GOLDFISH_RTC_IRQ_ENABLED, 1);
    g_assert_cmpint(f->level, ==, 0);

    /* ALARM_HIGH alone does not arm. */
    wr(f, GOLDFISH_RTC_ALARM_HIGH, 0xffffffff);
    g_assert_cmpuint(rd(f, GOLDFISH_RTC_ALARM_STATUS), ==, 0);
    g_assert_false(f->armed);
    fix_free(f);
}

static void test_clear_alarm(void)
{
    Fix *f = fix_new();
    wr(f, GOLDFISH_RTC_IRQ_ENABLED, 1);
    set_alarm(f, read_time(f) + 100);
    int cancels = f->cancels;
    wr(f, GOLDFISH_RTC_CLEAR_ALARM, 1);
    g_assert_cmpint(f->cancels, ==, cancels + 1);
    g_assert_false(f->armed);
    g_assert_cmpuint(rd(f, GOLDFISH_RTC_ALARM_STATUS), ==, 0);
    advance(f, 1000);
    goldfish_rtc_timer_expired(f->dev); /* a stale expiry does nothing */
    g_assert_cmpint(f->level, ==, 0);
    fix_free(f);
}

static void test_set_time_while_armed(void)
{
    Fix *f = fix_new();
    wr(f, GOLDFISH_RTC_IRQ_ENABLED, 1);
    uint64_t t = read_time(f);
    set_alarm(f, t + 1000000);
    /* Back by a second: the alarm is re-armed a second later on the clock. */
    uint64_t clock_then = f->now;
    wr(f, GOLDFISH_RTC_TIME_HIGH, (uint32_t)((t - 1000000000) >> 32));
    wr(f, GOLDFISH_RTC_TIME_LOW, (uint32_t)(t - 1000000000));
    g_assert_cmpuint(f->deadline, ==, clock_then + 1000000000 + 1000000);
    advance(f, 1000000);
    g_assert_cmpint(f->level, ==, 0);
    /* Forward past the alarm: it fires at once. */
    wr(f, GOLDFISH_RTC_TIME_HIGH, (uint32_t)((t + 2000000) >> 32));
    wr(f, GOLDFISH_RTC_TIME_LOW, (uint32_t)(t + 2000000));
    g_assert_cmpint(f->level, ==, 1);
    g_assert_cmpuint(rd(f, GOLDFISH_RTC_ALARM_STATUS), ==, 0);
    fix_free(f);
}

static void test_reset_and_sizes(void)
{
    Fix *f = fix_new();
    wr(f, GOLDFISH_RTC_IRQ_ENABLED, 1);
    set_alarm(f, read_time(f) + 50);
    advance(f, 50);
    g_assert_cmpint(f->level, ==, 1);
    set_alarm(f, read_time(f) + 50);
    device_reset(f->dev);
    g_assert_cmpint(f->level, ==, 0);
    g_assert_false(f->armed);
    g_assert_cmpuint(rd(f, GOLDFISH_RTC_ALARM_STATUS), ==, 0);
    g_assert_cmpuint(rd(f, GOLDFISH_RTC_IRQ_ENABLED), ==, 0);
    g_assert_cmpuint(rd(f, GOLDFISH_RTC_ALARM_LOW), ==, 0);
    g_assert_cmpuint(rd(f, GOLDFISH_RTC_ALARM_HIGH), ==, 0);

    /* 32-bit registers only; write-only and unassigned offsets read 0. */
    uint8_t b;
    uint32_t w;
    g_assert_cmpint(address_space_ldub(&f->bus.as, BASE, &b), ==, MEMTX_ERROR);
    g_assert_cmpint(address_space_stw(&f->bus.as, BASE + GOLDFISH_RTC_IRQ_ENABLED, 1), ==,
                    MEMTX_ERROR);
    g_assert_cmpuint(rd(f, GOLDFISH_RTC_IRQ_ENABLED), ==, 0);
    g_assert_cmpint(address_space_ldl(&f->bus.as, BASE + 2, &w), ==, MEMTX_ERROR);
    g_assert_cmpuint(rd(f, GOLDFISH_RTC_CLEAR_ALARM), ==, 0);
    g_assert_cmpuint(rd(f, GOLDFISH_RTC_CLEAR_INTERRUPT), ==, 0);
    for (unsigned off = 0x20; off < GOLDFISH_RTC_MMIO_SIZE; off += 4) {
        wr(f, off, 0xffffffff);
        g_assert_cmpuint(rd(f, off), ==, 0);
    }
    wr(f, GOLDFISH_RTC_ALARM_STATUS, 1); /* read-only */
    g_assert_cmpuint(rd(f, GOLDFISH_RTC_ALARM_STATUS), ==, 0);
    fix_free(f);
}

/* No clock link: the RTC reads the host's realtime clock. */
static void test_host_clock(void)
{
    DeviceRegistry *reg = device_registry_new();
    GError *err = NULL;
    goldfish_rtc_register_types(reg);
    Device *dev = device_new(reg, TYPE_GOLDFISH_RTC, &err);
    g_assert_true(device_realize(dev, &err));
    MemoryRegion root;
    AddressSpace as;
    memory_region_init_container(&root, "root", 0);
    memory_region_add_subregion(&root, BASE, device_mmio(dev, 0));
    address_space_init(&as, &root, "test");
    uint32_t lo, hi;
    uint64_t before = (uint64_t)g_get_real_time() * 1000;
    g_assert_cmpint(address_space_ldl(&as, BASE + GOLDFISH_RTC_TIME_LOW, &lo), ==, MEMTX_OK);
    g_assert_cmpint(address_space_ldl(&as, BASE + GOLDFISH_RTC_TIME_HIGH, &hi), ==, MEMTX_OK);
    uint64_t t = ((uint64_t)hi << 32) | lo;
    g_assert_cmpuint(t, >=, before - 1000000000ull);
    g_assert_cmpuint(t, <=, before + 60 * 1000000000ull);
    address_space_destroy(&as);
    memory_region_del_subregion(&root, device_mmio(dev, 0));
    memory_region_destroy(&root);
    device_free(dev);
    device_registry_free(reg);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/goldfish-rtc/time-latch", test_time_latch);
    g_test_add_func("/goldfish-rtc/set-time", test_set_time);
    g_test_add_func("/goldfish-rtc/alarm-fires", test_alarm_fires);
    g_test_add_func("/goldfish-rtc/alarm-due-and-masked", test_alarm_due_and_masked);
    g_test_add_func("/goldfish-rtc/clear-alarm", test_clear_alarm);
    g_test_add_func("/goldfish-rtc/set-time-while-armed", test_set_time_while_armed);
    g_test_add_func("/goldfish-rtc/reset-and-sizes", test_reset_and_sizes);
    g_test_add_func("/goldfish-rtc/host-clock", test_host_clock);
    return g_test_run();
}
