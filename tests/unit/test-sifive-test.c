/*
 * Unit tests for the SiFive test finisher (hw/misc/sifive-test.c), through
 * address_space_* on a small address space: pass, fail with a code, reset,
 * values and offsets that are ignored, access sizes, reads, and a device
 * with no handlers.
 */
#include <glib.h>

#include "hw-test-bus.h"
#include "hw/misc/sifive-test.h"

#define BASE 0x100000u

typedef struct Fix {
    DeviceRegistry *reg;
    Device *dev;
    TestBus bus;
    SifiveTestHandlers h;
    int shutdowns;
    int exit_code;
    int resets;
} Fix;

static void on_shutdown(void *opaque, int code)
{
    Fix *f = opaque;
    f->shutdowns++;
    f->exit_code = code;
}

static void on_reset(void *opaque)
{
    ((Fix *)opaque)->resets++;
}

static Fix *fix_new(bool with_handlers)
{
    Fix *f = g_new0(Fix, 1);
    GError *err = NULL;
    f->h.shutdown = on_shutdown;
    f->h.reset = on_reset;
    f->h.opaque = f;
    f->exit_code = -1;
    f->reg = device_registry_new();
    sifive_test_register_types(f->reg);
    f->dev = device_new(f->reg, TYPE_SIFIVE_TEST, &err);
    g_assert_no_error(err);
    if (with_handlers) {
        g_assert_true(device_set_prop_ptr(f->dev, "handlers", &f->h, &err));
    }
    g_assert_true(device_realize(f->dev, &err));
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

static void test_pass(void)
{
    Fix *f = fix_new(true);
    g_assert_cmpint(address_space_stl(&f->bus.as, BASE, FINISHER_PASS), ==, MEMTX_OK);
    g_assert_cmpint(f->shutdowns, ==, 1);
    g_assert_cmpint(f->exit_code, ==, 0);
    /* The high half is ignored for pass: still exit 0. */
    g_assert_cmpint(address_space_stl(&f->bus.as, BASE, 0x00070000 | FINISHER_PASS), ==, MEMTX_OK);
    g_assert_cmpint(f->shutdowns, ==, 2);
    g_assert_cmpint(f->exit_code, ==, 0);
    /* A 16-bit write carries the command too. */
    g_assert_cmpint(address_space_stw(&f->bus.as, BASE, FINISHER_PASS), ==, MEMTX_OK);
    g_assert_cmpint(f->shutdowns, ==, 3);
    g_assert_cmpint(f->resets, ==, 0);
    fix_free(f);
}

static void test_fail_codes(void)
{
    Fix *f = fix_new(true);
    static const int codes[] = { 1, 2, 42, 255, 256, 0xffff, 0 };
    for (unsigned i = 0; i < G_N_ELEMENTS(codes); i++) {
        uint32_t v = ((uint32_t)codes[i] << 16) | FINISHER_FAIL;
        g_assert_cmpint(address_space_stl(&f->bus.as, BASE, v), ==, MEMTX_OK);
        g_assert_cmpint(f->shutdowns, ==, (int)i + 1);
        g_assert_cmpint(f->exit_code, ==, codes[i]);
    }
    g_assert_cmpint(f->resets, ==, 0);
    fix_free(f);
}

static void test_reset_cmd(void)
{
    Fix *f = fix_new(true);
    g_assert_cmpint(address_space_stl(&f->bus.as, BASE, FINISHER_RESET), ==, MEMTX_OK);
    g_assert_cmpint(f->resets, ==, 1);
    g_assert_cmpint(f->shutdowns, ==, 0);
    device_reset(f->dev); /* nothing to reset; the device still works */
    g_assert_cmpint(address_space_stl(&f->bus.as, BASE, FINISHER_RESET), ==, MEMTX_OK);
    g_assert_cmpint(f->resets, ==, 2);
    fix_free(f);
}

static void test_ignored(void)
{
    Fix *f = fix_new(true);
    static const uint32_t values[] = { 0, 1, 0x5554, 0x3334, 0x7776, 0x55550000, 0xffffffff,
                                       0x33330000, 0x1234 };
    for (unsigned i = 0; i < G_N_ELEMENTS(values); i++) {
        g_assert_cmpint(address_space_stl(&f->bus.as, BASE, values[i]), ==, MEMTX_OK);
    }
    /* The commands at any offset but 0 are ignored. */
    for (uint32_t off = 4; off < SIFIVE_TEST_MMIO_SIZE; off += 4) {
        g_assert_cmpint(address_space_stl(&f->bus.as, BASE + off, FINISHER_PASS), ==, MEMTX_OK);
        g_assert_cmpint(address_space_stl(&f->bus.as, BASE + off, FINISHER_RESET), ==, MEMTX_OK);
    }
    g_assert_cmpint(address_space_stw(&f->bus.as, BASE + 2, FINISHER_PASS), ==, MEMTX_OK);
    g_assert_cmpint(f->shutdowns, ==, 0);
    g_assert_cmpint(f->resets, ==, 0);

    /* Reads return 0; byte accesses and misaligned words are bus errors. */
    uint32_t v = 1;
    g_assert_cmpint(address_space_ldl(&f->bus.as, BASE, &v), ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0);
    g_assert_cmpint(address_space_stb(&f->bus.as, BASE, 0x55), ==, MEMTX_ERROR);
    g_assert_cmpint(address_space_stl(&f->bus.as, BASE + 2, FINISHER_PASS), ==, MEMTX_ERROR);
    g_assert_cmpint(f->shutdowns, ==, 0);
    fix_free(f);
}

static void test_no_handlers(void)
{
    Fix *f = fix_new(false);
    g_assert_cmpint(address_space_stl(&f->bus.as, BASE, FINISHER_PASS), ==, MEMTX_OK);
    g_assert_cmpint(address_space_stl(&f->bus.as, BASE, FINISHER_RESET), ==, MEMTX_OK);
    g_assert_cmpint(f->shutdowns + f->resets, ==, 0);
    fix_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sifive-test/pass", test_pass);
    g_test_add_func("/sifive-test/fail-codes", test_fail_codes);
    g_test_add_func("/sifive-test/reset", test_reset_cmd);
    g_test_add_func("/sifive-test/ignored", test_ignored);
    g_test_add_func("/sifive-test/no-handlers", test_no_handlers);
    return g_test_run();
}
