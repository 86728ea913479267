/*
 * Shared by the device tests: one device's MMIO region mapped at a base
 * address in an address space of its own, and the check that realize
 * refuses a configuration with a given message.
 */
#ifndef TESTS_UNIT_HW_TEST_BUS_H
#define TESTS_UNIT_HW_TEST_BUS_H

#include <string.h>

#include <glib.h>

#include "rove/memory.h"
#include "rove/qdev.h"

typedef struct TestBus {
    MemoryRegion root;
    AddressSpace as;
    MemoryRegion *mapped;
} TestBus;

/* Maps dev's first MMIO region at base (dev realized). */
static inline void test_bus_init(TestBus *b, Device *dev, uint64_t base)
{
    b->mapped = device_mmio(dev, 0);
    memory_region_init_container(&b->root, "root", 0);
    memory_region_add_subregion(&b->root, base, b->mapped);
    address_space_init(&b->as, &b->root, "test");
}

/* Before the device is freed. */
static inline void test_bus_destroy(TestBus *b)
{
    address_space_destroy(&b->as);
    memory_region_del_subregion(&b->root, b->mapped);
    memory_region_destroy(&b->root);
}

/* realize must fail with DEVICE_ERROR_REALIZE naming msg; frees dev. */
static inline void test_realize_refused(Device *dev, const char *msg)
{
    GError *err = NULL;
    g_assert_false(device_realize(dev, &err));
    g_assert_error(err, DEVICE_ERROR, DEVICE_ERROR_REALIZE);
    g_assert_nonnull(strstr(err->message, msg));
    g_clear_error(&err);
    device_free(dev);
}

#endif
