/*
 * The virtio console (hw/virtio/virtio-console.c), device id 3, one port
 * (no VIRTIO_CONSOLE_F_MULTIPORT): Linux shows it as /dev/hvc0.
 *
 * Device "virtio-console-device", on the virtio bus.  Queue 0 (receiveq)
 * takes host input into the guest's writable buffers, queue 1
 * (transmitq) carries guest output to the character back end.
 * Properties:
 *   chardev   the CharBackend * (on the command line: chardev=ID of a
 *             -chardev); none: output dropped, no input
 *   cols, rows  the console size in config space; when both are non-zero
 *             VIRTIO_CONSOLE_F_SIZE is offered
 *   emergency-write  offer VIRTIO_CONSOLE_F_EMERG_WRITE (default on)
 *
 * QEMU's spelling `-device virtio-serial-device -device virtconsole,chardev=ID`
 * is folded into one such device by virtio_console_fold_specs (the
 * "virtio-serial-device" type is the same device; "virtconsole" is its
 * port, bus "virtio-serial", never created on its own).
 */
#ifndef HW_VIRTIO_VIRTIO_CONSOLE_H
#define HW_VIRTIO_VIRTIO_CONSOLE_H

#include <stddef.h>

#include <glib.h>

#include "rove/qdev.h"

#define TYPE_VIRTIO_CONSOLE "virtio-console-device"
#define TYPE_VIRTIO_SERIAL "virtio-serial-device"
#define TYPE_VIRTCONSOLE "virtconsole"
#define VIRTIO_SERIAL_PORT_BUS "virtio-serial"

#define VIRTIO_CONSOLE_QUEUE_SIZE 128
/* Host input held while the guest has no receive buffers; then reading stops. */
#define VIRTIO_CONSOLE_RX_HOLD 4096
/* Bytes of one transmit request passed on; the rest is discarded (bounded work per request). */
#define VIRTIO_CONSOLE_MAX_TX_REQUEST 65536

enum {
    VIRTIO_CONSOLE_RX_QUEUE = 0,
    VIRTIO_CONSOLE_TX_QUEUE = 1,
};

/* Feature bits (virtio 1.x, 5.3.3). */
enum {
    VIRTIO_CONSOLE_F_SIZE = 0,
    VIRTIO_CONSOLE_F_MULTIPORT = 1,
    VIRTIO_CONSOLE_F_EMERG_WRITE = 2,
};

/* Config space layout (little-endian). */
enum {
    VIRTIO_CONSOLE_CFG_COLS = 0,          /* le16 */
    VIRTIO_CONSOLE_CFG_ROWS = 2,          /* le16 */
    VIRTIO_CONSOLE_CFG_MAX_NR_PORTS = 4,  /* le32 */
    VIRTIO_CONSOLE_CFG_EMERG_WR = 8,      /* le32, write-only */
    VIRTIO_CONSOLE_CFG_SIZE = 12,
};

void virtio_console_register_types(DeviceRegistry *reg);

/*
 * Rewrites -device specs in QEMU's virtio-serial spelling: each
 * "virtconsole[,PROPS]" is merged into the "virtio-serial-device[,PROPS]"
 * just before it (giving "virtio-serial-device,PROPS,PROPS").  Other specs
 * are copied.  Returns a new NULL-terminated vector (g_strfreev) and its
 * length, or NULL with a one-line error: a virtconsole with no
 * virtio-serial-device before it, or a second port on one (no multiport).
 */
char **virtio_console_fold_specs(const char *const *specs, size_t n, size_t *n_out,
                                 GError **errp);

#endif /* HW_VIRTIO_VIRTIO_CONSOLE_H */
