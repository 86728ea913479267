/*
 * The guest the virtio fuzz targets share: RAM at address 0, a 4 KiB
 * "trap" MMIO region right after it that aborts the process when touched
 * (a ring or buffer reached MMIO), and for device targets a virtio-mmio
 * transport at FUZZ_MMIO_BASE with the driver's side of initialisation.
 * Nothing here asserts on the device's answers: a fuzz target only aborts
 * on what must never happen.
 *
 *   static FuzzGuest g;
 *   fuzz_guest_init(&g, 0x4000);                      // once per process
 *   fuzz_guest_attach(&g, reg, card);                 // device targets
 *   fuzz_guest_wr(&g, VIRTIO_MMIO_STATUS, 0);
 *   fuzz_guest_load(&g, data + 2, size - 2);          // each input
 *   fuzz_guest_negotiate(&g, features);
 *   fuzz_guest_queue(&g, 0, num, 0, 0x400, 0x600);
 *   fuzz_guest_driver_ok(&g);
 */
#ifndef TESTS_FUZZ_FUZZ_GUEST_H
#define TESTS_FUZZ_FUZZ_GUEST_H

#include <stddef.h>
#include <stdint.h>

#include "rove/memory.h"
#include "rove/qdev.h"

#define FUZZ_MMIO_BASE 0x10000000u

typedef struct FuzzGuest {
    MemoryRegion root, ram, trap;
    AddressSpace as;
    uint8_t *host;               /* RAM, ram_size bytes */
    uint64_t ram_size;
} FuzzGuest;

/* RAM of ram_size bytes at 0 and the trap region at ram_size; aborts on failure. */
void fuzz_guest_init(FuzzGuest *g, uint64_t ram_size);
/* Zeroes RAM and copies the first bytes of data (up to ram_size) to its start. */
void fuzz_guest_load(FuzzGuest *g, const uint8_t *data, size_t size);

/* A virtio-mmio transport (from reg) for a realized back end, at FUZZ_MMIO_BASE. */
void fuzz_guest_attach(FuzzGuest *g, DeviceRegistry *reg, Device *backend);
void fuzz_guest_wr(FuzzGuest *g, uint32_t off, uint32_t v);
uint32_t fuzz_guest_rd(FuzzGuest *g, uint32_t off);
/* ACKNOWLEDGE | DRIVER, the driver's features, FEATURES_OK (after a reset the caller wrote). */
void fuzz_guest_negotiate(FuzzGuest *g, uint64_t features);
/* Queue q: num entries, rings at the given guest addresses (below 4 GiB), READY. */
void fuzz_guest_queue(FuzzGuest *g, unsigned q, uint16_t num, uint32_t desc, uint32_t avail,
                      uint32_t used);
void fuzz_guest_driver_ok(FuzzGuest *g);

#endif /* TESTS_FUZZ_FUZZ_GUEST_H */
