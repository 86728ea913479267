/*
 * The SiFive test finisher (hw/misc/sifive-test.c): type name, registry
 * hook, command values, and the machine-level callbacks it calls.
 *
 * Device "sifive-test": one MMIO region of SIFIVE_TEST_MMIO_SIZE bytes, no
 * irq, and a link property "handlers" (a SifiveTestHandlers *).
 */
#ifndef HW_MISC_SIFIVE_TEST_H
#define HW_MISC_SIFIVE_TEST_H

#include "rove/qdev.h"

#define TYPE_SIFIVE_TEST "sifive-test"
#define SIFIVE_TEST_MMIO_SIZE 0x1000

enum {
    FINISHER_FAIL = 0x3333,  /* | (exit code << 16) */
    FINISHER_PASS = 0x5555,
    FINISHER_RESET = 0x7777,
};

/*
 * What the machine does on a finisher command.  Called from the MMIO
 * write, under the big lock: a callback should request the shutdown or
 * reset (stop the vCPUs, leave the main loop) rather than tear the machine
 * down inside the access.  Either pointer may be NULL (command ignored).
 */
typedef struct SifiveTestHandlers {
    void (*shutdown)(void *opaque, int exit_code); /* pass: 0; fail: code, 0..65535 */
    void (*reset)(void *opaque);
    void *opaque;
} SifiveTestHandlers;

void sifive_test_register_types(DeviceRegistry *reg);

#endif /* HW_MISC_SIFIVE_TEST_H */
