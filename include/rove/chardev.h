/*
 * Character back ends: the host side of a serial port (stdio, a socket, a
 * file, or an in-memory buffer in tests) and the small contract between it
 * and the device model that speaks to the guest (the "front end", e.g.
 * hw/char/serial-16550.c).
 *
 * Guest -> host: the front end calls char_backend_write(); the back end
 * takes every byte at once (a back end that cannot keep up buffers or
 * drops, the front end never waits).
 * Host -> guest: the back end asks char_backend_can_receive() how many
 * bytes the front end will take now, and pushes at most that many with
 * char_backend_receive().  When the front end has made room again (the
 * guest read its FIFO) it calls char_backend_accept_input(), and the back
 * end may push more.  Pushing more than can_receive allowed is not an
 * error: the device does what the hardware does with it (an overrun).
 *
 * Invariants: all functions accept a NULL back end (a port nobody
 * connected: output vanishes, no input arrives); one front end per back
 * end at a time.  Every call runs under the big lock.
 */
#ifndef ROVE_CHARDEV_H
#define ROVE_CHARDEV_H

#include <stddef.h>
#include <stdint.h>

/* What a front end (a device) offers its back end. */
typedef struct CharFrontendOps {
    size_t (*can_receive)(void *opaque);
    void (*receive)(void *opaque, const uint8_t *buf, size_t len);
} CharFrontendOps;

typedef struct CharBackend CharBackend;

struct CharBackend {
    /* Filled by whoever makes the back end. */
    void (*write)(CharBackend *be, const uint8_t *buf, size_t len);
    void (*accept_input)(CharBackend *be); /* may be NULL */
    void *opaque;                          /* for the back end's own use */

    /* Set by char_backend_attach (the front end's side). */
    const CharFrontendOps *fe_ops;
    void *fe_opaque;
};

static inline void char_backend_attach(CharBackend *be, const CharFrontendOps *ops,
                                       void *opaque)
{
    if (be) {
        be->fe_ops = ops;
        be->fe_opaque = opaque;
    }
}

static inline void char_backend_detach(CharBackend *be)
{
    char_backend_attach(be, NULL, NULL);
}

/* Front end -> host. */
static inline void char_backend_write(CharBackend *be, const uint8_t *buf, size_t len)
{
    if (be && be->write && len) {
        be->write(be, buf, len);
    }
}

static inline void char_backend_accept_input(CharBackend *be)
{
    if (be && be->accept_input) {
        be->accept_input(be);
    }
}

/* Host -> front end. */
static inline size_t char_backend_can_receive(CharBackend *be)
{
    if (be && be->fe_ops && be->fe_ops->can_receive) {
        return be->fe_ops->can_receive(be->fe_opaque);
    }
    return 0;
}

static inline void char_backend_receive(CharBackend *be, const uint8_t *buf, size_t len)
{
    if (be && be->fe_ops && be->fe_ops->receive && len) {
        be->fe_ops->receive(be->fe_opaque, buf, len);
    }
}

#endif /* ROVE_CHARDEV_H */
