/*
 * The virtio console (virtio 1.x, 5.3) with a single port: no
 * VIRTIO_CONSOLE_F_MULTIPORT, so there is no control queue and port 0 is
 * always open; Linux binds it to the next free /dev/hvcN (hvc1 when its SBI
 * console holds hvc0).
 *
 * - transmitq (1): each request's device-readable bytes go to the
 *   character back end, at most VIRTIO_CONSOLE_MAX_TX_REQUEST of them per
 *   request however large its buffers (the rest is dropped); the used
 *   length is 0.  A writable buffer in a
 *   transmit request breaks the queue.
 * - receiveq (0): host input is held in a buffer of VIRTIO_CONSOLE_RX_HOLD
 *   bytes (can_receive reports its free space, so the back end stops
 *   reading its fd when it is full: back-pressure, nothing dropped) and
 *   copied into the guest's writable buffers, in order, as they come.  A
 *   readable buffer in a receive request breaks the queue.  Held bytes
 *   survive a device reset (they wait for the next driver).
 * - Nothing is delivered before the driver's first kick after a reset:
 *   the transport forwards kicks only after DRIVER_OK, and the device must
 *   not use buffers before that.  Linux fills and kicks the receive queue
 *   right after DRIVER_OK.
 * - Config space: cols, rows (F_SIZE, offered when both are set; when it is
 *   negotiated the first kick after a reset raises a config-change
 *   interrupt, which is when Linux reads them),
 *   max_nr_ports (1; meaningful only with MULTIPORT), emerg_wr (F_EMERG_WRITE:
 *   a write sends its low byte to the back end, even before feature
 *   negotiation as the spec allows; reads 0).
 *
 * Everything runs under the big lock: kicks and config accesses from vCPU
 * threads, host input from the back end's main-loop source.
 */
#include <string.h>

#include <glib.h>

#include "hw/virtio/virtio-console.h"
#include "hw/virtio/virtio.h"
#include "rove/chardev.h"

typedef struct VirtioConsole {
    VirtioDevice parent;
    VirtioBackendOps ops;       /* per instance: the offered features depend on properties */
    CharBackend *chr;           /* "chardev" link; may be NULL */
    uint32_t cols, rows;
    bool emerg_write;

    bool live;                  /* the driver kicked since the last reset */
    uint8_t hold[VIRTIO_CONSOLE_RX_HOLD];
    size_t hold_len;
    uint64_t tx_dropped;        /* bytes beyond VIRTIO_CONSOLE_MAX_TX_REQUEST */
} VirtioConsole;

static VirtioConsole *console_of(VirtioBackend *be)
{
    return (VirtioConsole *)((char *)be - offsetof(VirtioDevice, be));
}

/* ---- Host -> guest ---- */

/* Copies held input into the guest's receive buffers, at most a queue's worth of them. */
static void console_flush_rx(VirtioConsole *s)
{
    VirtioBackend *be = &s->parent.be;
    VirtQueue *vq = virtio_queue(be, VIRTIO_CONSOLE_RX_QUEUE);
    if (!s->live || !vq || !vq->ready || virtqueue_is_broken(vq) || !s->hold_len) {
        return;
    }
    size_t taken = 0;
    bool pushed = false;
    for (unsigned budget = vq->num; budget && taken < s->hold_len; budget--) {
        VirtQueueElement *e = virtqueue_pop(vq);
        if (!e) {
            break;
        }
        if (e->out_num) {
            virtqueue_element_free(e);
            virtqueue_set_broken(vq, "virtio-console: a receive buffer the device may only read");
            break;
        }
        uint64_t want = MIN((uint64_t)(s->hold_len - taken), e->in_len);
        uint64_t n = virtqueue_write_in(vq, e, 0, s->hold + taken, want);
        virtqueue_push(vq, e, (uint32_t)n);
        taken += (size_t)n;
        pushed = true;
    }
    if (taken) {
        memmove(s->hold, s->hold + taken, s->hold_len - taken);
        s->hold_len -= taken;
    }
    if (pushed) {
        virtio_notify(be, VIRTIO_CONSOLE_RX_QUEUE);
    }
    if (taken) {
        char_backend_accept_input(s->chr); /* room again: the back end may read more */
    }
}

static size_t console_can_receive(void *opaque)
{
    VirtioConsole *s = opaque;
    return sizeof(s->hold) - s->hold_len;
}

static void console_receive(void *opaque, const uint8_t *buf, size_t len)
{
    VirtioConsole *s = opaque;
    /* More than can_receive allowed is an overrun: the excess is lost. */
    size_t take = MIN(len, sizeof(s->hold) - s->hold_len);
    memcpy(s->hold + s->hold_len, buf, take);
    s->hold_len += take;
    console_flush_rx(s);
}

static const CharFrontendOps console_fe_ops = {
    .can_receive = console_can_receive,
    .receive = console_receive,
};

/* ---- Guest -> host ---- */

static void console_drain_tx(VirtioConsole *s)
{
    VirtioBackend *be = &s->parent.be;
    VirtQueue *vq = virtio_queue(be, VIRTIO_CONSOLE_TX_QUEUE);
    uint8_t buf[4096];
    VirtQueueElement *e;
    bool pushed = false;

    while (vq && (e = virtqueue_pop(vq)) != NULL) {
        if (e->in_num) {
            virtqueue_element_free(e);
            virtqueue_set_broken(vq, "virtio-console: a transmit buffer the device may write");
            break;
        }
        uint64_t total = MIN(e->out_len, (uint64_t)VIRTIO_CONSOLE_MAX_TX_REQUEST);
        s->tx_dropped += e->out_len - total;
        for (uint64_t off = 0; off < total;) {
            uint64_t chunk = MIN(total - off, (uint64_t)sizeof(buf));
            uint64_t n = virtqueue_read_out(vq, e, off, buf, chunk);
            char_backend_write(s->chr, buf, (size_t)n);
            if (n < chunk) {
                break; /* the memory map changed under us */
            }
            off += n;
        }
        virtqueue_push(vq, e, 0);
        pushed = true;
    }
    if (pushed) {
        virtio_notify(be, VIRTIO_CONSOLE_TX_QUEUE);
    }
}

static void console_queue_notify(VirtioBackend *be, unsigned q)
{
    VirtioConsole *s = console_of(be);
    if (!s->live && virtio_has_feature(be, VIRTIO_CONSOLE_F_SIZE)) {
        /* Linux reads cols/rows only on a config change, never at probe: announce them. */
        virtio_config_changed(be);
    }
    s->live = true;
    if (q == VIRTIO_CONSOLE_TX_QUEUE) {
        console_drain_tx(s);
    }
    console_flush_rx(s);
}

/* ---- Config space ---- */

static void console_config_read(VirtioBackend *be, uint32_t offset, uint8_t *buf, unsigned len)
{
    VirtioConsole *s = console_of(be);
    uint8_t cfg[VIRTIO_CONSOLE_CFG_SIZE] = { 0 };
    uint16_t cols = GUINT16_TO_LE((uint16_t)s->cols);
    uint16_t rows = GUINT16_TO_LE((uint16_t)s->rows);
    uint32_t ports = GUINT32_TO_LE(1);
    memcpy(cfg + VIRTIO_CONSOLE_CFG_COLS, &cols, 2);
    memcpy(cfg + VIRTIO_CONSOLE_CFG_ROWS, &rows, 2);
    memcpy(cfg + VIRTIO_CONSOLE_CFG_MAX_NR_PORTS, &ports, 4);
    if (offset <= sizeof(cfg) && len <= sizeof(cfg) - offset) {
        memcpy(buf, cfg + offset, len);
    }
}

static void console_config_write(VirtioBackend *be, uint32_t offset, const uint8_t *buf,
                                 unsigned len)
{
    VirtioConsole *s = console_of(be);
    /* Only emerg_wr is writable; its low byte (offset 8, little-endian) is the character. */
    if (s->emerg_write && offset <= VIRTIO_CONSOLE_CFG_EMERG_WR &&
        VIRTIO_CONSOLE_CFG_EMERG_WR < (uint64_t)offset + len) {
        char_backend_write(s->chr, buf + (VIRTIO_CONSOLE_CFG_EMERG_WR - offset), 1);
    }
}

static void console_reset(VirtioBackend *be)
{
    console_of(be)->live = false;
}

/* ---- Device ---- */

static void console_init(Device *dev)
{
    VirtioConsole *s = (VirtioConsole *)dev;
    s->ops = (VirtioBackendOps){
        .device_id = VIRTIO_ID_CONSOLE,
        .num_queues = 2,
        .queue_max = VIRTIO_CONSOLE_QUEUE_SIZE,
        .config_size = VIRTIO_CONSOLE_CFG_SIZE,
        .config_read = console_config_read,
        .config_write = console_config_write,
        .queue_notify = console_queue_notify,
        .reset = console_reset,
    };
    s->parent.be.ops = &s->ops;
}

static bool console_realize(Device *dev, GError **errp)
{
    VirtioConsole *s = (VirtioConsole *)dev;
    if (s->cols > UINT16_MAX || s->rows > UINT16_MAX) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_REALIZE,
                    "%s: cols and rows must be at most 65535", dev->type->name);
        return false;
    }
    if (s->chr && s->chr->fe_ops) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_REALIZE,
                    "%s: the chardev already has a front end", dev->type->name);
        return false;
    }
    s->ops.features = (s->cols && s->rows ? UINT64_C(1) << VIRTIO_CONSOLE_F_SIZE : 0) |
                      (s->emerg_write ? UINT64_C(1) << VIRTIO_CONSOLE_F_EMERG_WRITE : 0);
    char_backend_attach(s->chr, &console_fe_ops, s);
    return true;
}

static void console_finalize(Device *dev)
{
    VirtioConsole *s = (VirtioConsole *)dev;
    if (dev->realized && s->chr && s->chr->fe_opaque == s) {
        char_backend_detach(s->chr);
    }
}

static const Property console_props[] = {
    DEFINE_PROP_PTR("chardev", VirtioConsole, chr,
                    "the -chardev ID the console reads and writes (none: output dropped)"),
    DEFINE_PROP_UINT32("cols", VirtioConsole, cols, 0,
                       "console width in config space (with rows: offers F_SIZE)"),
    DEFINE_PROP_UINT32("rows", VirtioConsole, rows, 0, "console height in config space"),
    DEFINE_PROP_BOOL("emergency-write", VirtioConsole, emerg_write, true,
                     "offer F_EMERG_WRITE (a config write that sends one byte)"),
    DEFINE_PROP_END,
};

static const DeviceType virtio_console_type = {
    .name = TYPE_VIRTIO_CONSOLE,
    .help = "virtio console, one port (a /dev/hvcN in the guest) on a -chardev",
    .instance_size = sizeof(VirtioConsole),
    .props = console_props,
    .bus = VIRTIO_BUS,
    .init = console_init,
    .realize = console_realize,
    .finalize = console_finalize,
};

/* QEMU's name for the multiport transport: here the same single-port device. */
static const DeviceType virtio_serial_type = {
    .name = TYPE_VIRTIO_SERIAL,
    .help = "virtio console as QEMU spells it; takes one virtconsole port (no multiport)",
    .instance_size = sizeof(VirtioConsole),
    .props = console_props,
    .bus = VIRTIO_BUS,
    .init = console_init,
    .realize = console_realize,
    .finalize = console_finalize,
};

/* The port: its properties are folded into the virtio-serial-device before it. */
static const DeviceType virtconsole_type = {
    .name = TYPE_VIRTCONSOLE,
    .help = "the console port of the virtio-serial-device before it on the command line",
    .instance_size = sizeof(VirtioConsole),
    .props = console_props,
    .bus = VIRTIO_SERIAL_PORT_BUS,
};

void virtio_console_register_types(DeviceRegistry *reg)
{
    device_type_register(reg, &virtio_console_type);
    device_type_register(reg, &virtio_serial_type);
    device_type_register(reg, &virtconsole_type);
}

/* ---- QEMU's spelling on the command line ---- */

static bool spec_is(const char *spec, const char *type)
{
    size_t n = strlen(type);
    return strncmp(spec, type, n) == 0 && (spec[n] == 0 || spec[n] == ',');
}

char **virtio_console_fold_specs(const char *const *specs, size_t n, size_t *n_out,
                                 GError **errp)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    bool port_open = false; /* the last spec is a virtio-serial-device with no chardev yet */
    for (size_t i = 0; i < n; i++) {
        const char *spec = specs[i];
        if (!spec_is(spec, TYPE_VIRTCONSOLE)) {
            port_open = spec_is(spec, TYPE_VIRTIO_SERIAL) && !strstr(spec, ",chardev=");
            g_ptr_array_add(out, g_strdup(spec));
            continue;
        }
        if (!port_open) {
            g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_BAD_VALUE,
                        "-device %s: %s", spec,
                        out->len && spec_is(out->pdata[out->len - 1], TYPE_VIRTIO_SERIAL)
                            ? "one port per virtio-serial-device (multiport is not implemented)"
                            : "needs a -device virtio-serial-device just before it");
            g_ptr_array_free(out, TRUE);
            return NULL;
        }
        /* Append the port's properties, except QEMU's instance id (not used here). */
        GString *merged = g_string_new(out->pdata[out->len - 1]);
        char **props = g_strsplit(spec + strlen(TYPE_VIRTCONSOLE), ",", -1);
        for (char **p = props; *p; p++) {
            if (**p && !g_str_has_prefix(*p, "id=")) {
                g_string_append_printf(merged, ",%s", *p);
            }
        }
        g_strfreev(props);
        g_free(out->pdata[out->len - 1]);
        out->pdata[out->len - 1] = g_string_free(merged, FALSE);
        port_open = false;
    }
    *n_out = out->len;
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}
