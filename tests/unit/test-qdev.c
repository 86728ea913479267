/*
 * Unit tests for irq lines (hw/core/irq.c) and the device model
 * (hw/core/qdev.c): line numbering and propagation between devices, type
 * registration and lookup, property defaults, parsing and every error
 * (unknown type, unknown property, bad value, out of range, set after
 * realize, realize refusing), reset, and the help text.
 */
#include <glib.h>
#include <string.h>

#include "rove/qdev.h"

/* ---- irq lines ---- */

typedef struct Sink {
    int level[4];
    int calls;
    void *opaque_seen;
} Sink;

static void sink_handler(void *opaque, int n, int level)
{
    Sink *s = opaque;
    g_assert_cmpint(n, >=, 0);
    g_assert_cmpint(n, <, 4);
    s->level[n] = level;
    s->calls++;
    s->opaque_seen = opaque;
}

static void test_irq_lines(void)
{
    Sink s = { { 0 }, 0, NULL };
    IrqLine *lines = irq_alloc_lines(sink_handler, &s, 4);
    irq_raise(&lines[2]);
    g_assert_cmpint(s.level[2], ==, 1);
    g_assert_cmpint(s.level[1], ==, 0);
    g_assert_true(s.opaque_seen == &s);
    irq_set(&lines[3], 7); /* any non-zero level is 1 */
    g_assert_cmpint(s.level[3], ==, 1);
    irq_lower(&lines[2]);
    g_assert_cmpint(s.level[2], ==, 0);
    irq_pulse(&lines[0]);
    g_assert_cmpint(s.level[0], ==, 0);
    g_assert_cmpint(s.calls, ==, 5);
    irq_set(NULL, 1); /* an unconnected line is a no-op */
    g_assert_cmpint(s.calls, ==, 5);
    irq_free_lines(lines);
}

/* ---- A test device: a timer with one output and two inputs ---- */

typedef struct TestDev {
    Device parent;
    uint32_t freq;
    uint64_t base;
    bool enabled;
    char *label;
    void *link;
    IrqLine *out[2];
    int in_level[2];
    int resets;
    MemoryRegion mr;
} TestDev;

static MemTxResult testdev_read(void *opaque, uint64_t offset, uint64_t *value, unsigned size)
{
    TestDev *d = opaque;
    *value = d->freq;
    return MEMTX_OK;
}

static const MemoryRegionOps testdev_ops = { testdev_read, NULL, 4, 4, false };

static void testdev_in(void *opaque, int n, int level)
{
    TestDev *d = opaque;
    d->in_level[n] = level;
    irq_set(d->out[0], level); /* forwards input 0 or 1 to output 0 */
}

static void testdev_init(Device *dev)
{
    TestDev *d = (TestDev *)dev;
    memory_region_init_io(&d->mr, "testdev", &testdev_ops, d, 0x10);
    device_init_mmio(dev, &d->mr);
    device_init_irqs_in(dev, testdev_in, 2);
    device_init_irqs_out(dev, d->out, 2);
}

static bool testdev_realize(Device *dev, GError **errp)
{
    TestDev *d = (TestDev *)dev;
    if (d->freq == 0) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_REALIZE, "testdev: freq must not be 0");
        return false;
    }
    return true;
}

static void testdev_reset(Device *dev)
{
    ((TestDev *)dev)->resets++;
}

static void testdev_finalize(Device *dev)
{
    memory_region_destroy(&((TestDev *)dev)->mr);
}

static const Property testdev_props[] = {
    DEFINE_PROP_UINT32("freq", TestDev, freq, 1000000, "tick rate in Hz"),
    DEFINE_PROP_UINT64("base", TestDev, base, 0x2000000, "where to map it"),
    DEFINE_PROP_BOOL("enabled", TestDev, enabled, true, NULL),
    DEFINE_PROP_STRING("label", TestDev, label, "timer", "a name"),
    DEFINE_PROP_PTR("link", TestDev, link, "another device"),
    DEFINE_PROP_END,
};

static const DeviceType testdev_type = {
    .name = "test-timer",
    .help = "a timer for the unit tests",
    .instance_size = sizeof(TestDev),
    .props = testdev_props,
    .init = testdev_init,
    .realize = testdev_realize,
    .reset = testdev_reset,
    .finalize = testdev_finalize,
};

static const DeviceType plain_type = {
    .name = "a-plain",
    .instance_size = sizeof(Device),
};

static DeviceRegistry *make_registry(void)
{
    DeviceRegistry *reg = device_registry_new();
    device_type_register(reg, &testdev_type);
    device_type_register(reg, &plain_type);
    return reg;
}

static void test_registry(void)
{
    DeviceRegistry *reg = make_registry();
    g_assert_true(device_type_find(reg, "test-timer") == &testdev_type);
    g_assert_null(device_type_find(reg, "test"));
    GPtrArray *list = device_type_list(reg);
    g_assert_cmpuint(list->len, ==, 2);
    g_assert_true(list->pdata[0] == &plain_type); /* sorted by name */
    g_assert_true(list->pdata[1] == &testdev_type);
    g_ptr_array_unref(list);

    GString *help = g_string_new(NULL);
    device_registry_help(reg, help);
    g_assert_nonnull(strstr(help->str, "test-timer"));
    g_assert_nonnull(strstr(help->str, "a timer for the unit tests"));
    g_string_truncate(help, 0);
    device_type_help(&testdev_type, help);
    g_assert_nonnull(strstr(help->str, "freq=<uint32> (default 0xf4240) - tick rate in Hz"));
    g_assert_nonnull(strstr(help->str, "enabled=<bool> (default on)"));
    g_assert_nonnull(strstr(help->str, "label=<string> (default \"timer\")"));
    g_string_free(help, true);

    GError *err = NULL;
    g_assert_null(device_new(reg, "no-such-device", &err));
    g_assert_error(err, DEVICE_ERROR, DEVICE_ERROR_UNKNOWN_TYPE);
    g_assert_nonnull(strstr(err->message, "no-such-device"));
    g_clear_error(&err);
    device_registry_free(reg);
}

static void test_register_twice(void)
{
    if (g_test_subprocess()) {
        DeviceRegistry *reg = make_registry();
        device_type_register(reg, &plain_type);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*registered twice*");
}

static void test_properties(void)
{
    DeviceRegistry *reg = make_registry();
    GError *err = NULL;
    TestDev *d = (TestDev *)device_new(reg, "test-timer", &err);
    g_assert_no_error(err);
    Device *dev = &d->parent;

    /* Defaults. */
    g_assert_cmpuint(d->freq, ==, 1000000);
    g_assert_cmphex(d->base, ==, 0x2000000);
    g_assert_true(d->enabled);
    g_assert_cmpstr(d->label, ==, "timer");
    g_assert_null(d->link);

    /* Good values, from text and typed. */
    g_assert_true(device_set_prop(dev, "freq", "0x10", &err));
    g_assert_cmpuint(d->freq, ==, 16);
    g_assert_true(device_set_prop(dev, "freq", "4294967295", &err));
    g_assert_cmpuint(d->freq, ==, UINT32_MAX);
    g_assert_true(device_set_prop(dev, "base", "64K", &err));
    g_assert_cmphex(d->base, ==, 0x10000);
    g_assert_true(device_set_prop(dev, "base", "0xffffffffffffffff", &err));
    g_assert_cmphex(d->base, ==, UINT64_MAX);
    g_assert_true(device_set_prop(dev, "enabled", "off", &err));
    g_assert_false(d->enabled);
    g_assert_true(device_set_prop(dev, "label", "rtc0", &err));
    g_assert_cmpstr(d->label, ==, "rtc0");
    g_assert_true(device_set_prop_uint(dev, "base", 0x3000, &err));
    g_assert_true(device_set_prop_bool(dev, "enabled", true, &err));
    g_assert_true(device_set_prop_str(dev, "label", "x", &err));
    g_assert_true(device_set_prop_ptr(dev, "link", reg, &err));
    g_assert_true(d->link == reg);
    g_assert_no_error(err);

    /* Errors: every one leaves the old value. */
    static const struct {
        const char *name, *value;
        int code;
        const char *msg;
    } bad[] = {
        { "frequency", "1", DEVICE_ERROR_UNKNOWN_PROPERTY, "has no property 'frequency'" },
        { "freq", "", DEVICE_ERROR_BAD_VALUE, "unsigned number" },
        { "freq", "-1", DEVICE_ERROR_BAD_VALUE, "unsigned number" },
        { "freq", "12x", DEVICE_ERROR_BAD_VALUE, "not '12x'" },
        { "freq", "0x100000000", DEVICE_ERROR_BAD_VALUE, "too large" },
        { "freq", "4G", DEVICE_ERROR_BAD_VALUE, "too large" },
        { "base", "99999999999999999999", DEVICE_ERROR_BAD_VALUE, "unsigned number" },
        { "base", "16777216T", DEVICE_ERROR_BAD_VALUE, "unsigned number" },
        { "base", "1KK", DEVICE_ERROR_BAD_VALUE, "unsigned number" },
        { "enabled", "maybe", DEVICE_ERROR_BAD_VALUE, "on/off" },
        { "link", "0x1234", DEVICE_ERROR_BAD_VALUE, "link" },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(device_set_prop(dev, bad[i].name, bad[i].value, &err));
        g_assert_error(err, DEVICE_ERROR, bad[i].code);
        if (!strstr(err->message, bad[i].msg)) {
            g_error("'%s=%s': message '%s' lacks '%s'", bad[i].name, bad[i].value,
                    err->message, bad[i].msg);
        }
        g_clear_error(&err);
    }
    g_assert_cmpuint(d->freq, ==, UINT32_MAX);
    g_assert_cmphex(d->base, ==, 0x3000);
    g_assert_true(d->enabled);
    g_assert_false(device_set_prop_uint(dev, "freq", UINT64_C(1) << 32, &err));
    g_assert_error(err, DEVICE_ERROR, DEVICE_ERROR_BAD_VALUE);
    g_clear_error(&err);
    g_assert_false(device_set_prop_bool(dev, "freq", true, &err));
    g_assert_error(err, DEVICE_ERROR, DEVICE_ERROR_BAD_VALUE);
    g_assert_nonnull(strstr(err->message, "is a uint32, not a bool"));
    g_clear_error(&err);
    g_assert_false(device_set_prop_uint(dev, "label", 1, &err));
    g_assert_error(err, DEVICE_ERROR, DEVICE_ERROR_BAD_VALUE);
    g_clear_error(&err);
    /* The unknown-property message lists what exists. */
    g_assert_false(device_set_prop_str(dev, "nope", "x", &err));
    g_assert_nonnull(strstr(err->message, "freq, base, enabled, label, link"));
    g_clear_error(&err);

    device_free(dev);
    device_registry_free(reg);
}

static void test_realize_reset(void)
{
    DeviceRegistry *reg = make_registry();
    GError *err = NULL;
    TestDev *d = (TestDev *)device_new(reg, "test-timer", &err);
    Device *dev = &d->parent;

    /* Realize refuses a bad configuration with the device's own message. */
    g_assert_true(device_set_prop(dev, "freq", "0", &err));
    g_assert_false(device_realize(dev, &err));
    g_assert_error(err, DEVICE_ERROR, DEVICE_ERROR_REALIZE);
    g_assert_cmpstr(err->message, ==, "testdev: freq must not be 0");
    g_clear_error(&err);
    g_assert_false(dev->realized);
    device_reset(dev); /* not realized: nothing */
    g_assert_cmpint(d->resets, ==, 0);

    g_assert_true(device_set_prop(dev, "freq", "100", &err));
    g_assert_true(device_realize(dev, &err));
    g_assert_no_error(err);
    g_assert_cmpint(d->resets, ==, 1); /* realize resets */
    device_reset(dev);
    g_assert_cmpint(d->resets, ==, 2);

    g_assert_false(device_set_prop(dev, "freq", "5", &err));
    g_assert_error(err, DEVICE_ERROR, DEVICE_ERROR_REALIZED);
    g_clear_error(&err);
    g_assert_cmpuint(d->freq, ==, 100);
    g_assert_false(device_realize(dev, &err));
    g_assert_error(err, DEVICE_ERROR, DEVICE_ERROR_REALIZED);
    g_clear_error(&err);

    /* Its MMIO region, mapped by "the machine". */
    MemoryRegion sys;
    AddressSpace as;
    uint32_t l;
    memory_region_init_container(&sys, "sys", 0);
    g_assert_true(device_mmio(dev, 0) == &d->mr);
    g_assert_null(device_mmio(dev, 1));
    memory_region_add_subregion(&sys, d->base, device_mmio(dev, 0));
    address_space_init(&as, &sys, "as");
    g_assert_cmpint(address_space_ldl(&as, 0x2000000, &l), ==, MEMTX_OK);
    g_assert_cmpuint(l, ==, 100);
    address_space_destroy(&as);
    memory_region_del_subregion(&sys, &d->mr);
    memory_region_destroy(&sys);

    /* A device without callbacks realizes and resets fine. */
    Device *plain = device_new(reg, "a-plain", &err);
    g_assert_true(device_realize(plain, &err));
    device_reset(plain);
    device_free(plain);

    device_free(dev);
    device_registry_free(reg);
}

static void test_device_irqs(void)
{
    DeviceRegistry *reg = make_registry();
    GError *err = NULL;
    TestDev *a = (TestDev *)device_new(reg, "test-timer", &err);
    TestDev *b = (TestDev *)device_new(reg, "test-timer", &err);
    Sink sink = { { 0 }, 0, NULL };
    IrqLine cpu_line;
    irq_init(&cpu_line, sink_handler, &sink, 3);

    /* a.out[0] -> b.in[1]; b.out[0] -> "cpu" line 3. */
    g_assert_true(device_connect_irq_out(&a->parent, 0, device_irq_in(&b->parent, 1), &err));
    g_assert_true(device_connect_irq_out(&b->parent, 0, &cpu_line, &err));
    g_assert_false(device_connect_irq_out(&a->parent, 2, &cpu_line, &err));
    g_assert_error(err, DEVICE_ERROR, DEVICE_ERROR_BAD_VALUE);
    g_clear_error(&err);
    g_assert_null(device_irq_in(&b->parent, 2));
    g_assert_null(device_irq_in(&b->parent, -1));

    irq_raise(device_irq_in(&a->parent, 0));
    g_assert_cmpint(a->in_level[0], ==, 1);
    g_assert_cmpint(b->in_level[1], ==, 1);
    g_assert_cmpint(sink.level[3], ==, 1);
    irq_lower(device_irq_in(&a->parent, 0));
    g_assert_cmpint(b->in_level[1], ==, 0);
    g_assert_cmpint(sink.level[3], ==, 0);
    g_assert_cmpint(sink.calls, ==, 2);
    /* b's output 1 is unconnected: driving it is harmless. */
    irq_raise(b->out[1]);

    device_free(&a->parent);
    device_free(&b->parent);
    device_registry_free(reg);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/irq/lines", test_irq_lines);
    g_test_add_func("/qdev/registry", test_registry);
    g_test_add_func("/qdev/register-twice", test_register_twice);
    g_test_add_func("/qdev/properties", test_properties);
    g_test_add_func("/qdev/realize-reset", test_realize_reset);
    g_test_add_func("/qdev/irqs", test_device_irqs);
    return g_test_run();
}
