/*
 * Fuzz target for the split virtqueue parser (hw/virtio/virtqueue.c).
 *
 * Input: byte 0 = flags (bit 0 INDIRECT_DESC negotiated, bit 1 EVENT_IDX),
 * bytes 1-2 = queue size (1 + value % 64), then the first bytes of guest
 * RAM (8 KiB at address 0): descriptor table at 0, available ring at
 * 0x400, used ring at 0x600, anything else (indirect tables, buffers)
 * after.  An MMIO region right after RAM aborts if it is ever touched, and
 * the target aborts if pop hands out more requests than the queue holds or
 * a buffer outside RAM.  tests/fuzz/virtqueue-seed.bin is a valid queue
 * with a direct and an indirect request (made by gen-virtqueue-seed.py).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "hw/virtio/virtqueue.h"
#include "tests/fuzz/fuzz-guest.h"

#define RAM_SIZE 0x2000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void seg_check(const VirtQueueSeg *s, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (s[i].len && (s[i].addr >= RAM_SIZE || s[i].len > RAM_SIZE - s[i].addr)) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    static FuzzGuest g;
    if (!ready) {
        fuzz_guest_init(&g, RAM_SIZE);
        ready = true;
    }
    if (size < 3) {
        return 0;
    }
    fuzz_guest_load(&g, data + 3, size - 3);

    VirtQueue vq;
    virtqueue_init(&vq, &g.as);
    vq.indirect = data[0] & 1;
    vq.event_idx = data[0] & 2;
    vq.num = (uint16_t)(1 + (data[1] | data[2] << 8) % 64);
    vq.desc = 0;
    vq.avail = 0x400;
    vq.used = 0x600;
    if (!virtqueue_start(&vq)) {
        abort(); /* this layout is always valid */
    }
    unsigned popped = 0;
    VirtQueueElement *e;
    uint8_t buf[256];
    while ((e = virtqueue_pop(&vq)) != NULL) {
        if (++popped > vq.num) {
            abort();
        }
        seg_check(e->out, e->out_num);
        seg_check(e->in, e->in_num);
        virtqueue_read_out(&vq, e, popped, buf, sizeof(buf));
        virtqueue_write_in(&vq, e, popped, buf, sizeof(buf));
        virtqueue_push(&vq, e, (uint32_t)popped * 7);
        virtqueue_should_notify(&vq);
    }
    if (getenv("FUZZ_VQ_DEBUG")) {
        fprintf(stderr, "popped %u broken %d (%s)\n", popped, vq.broken, vq.why ? vq.why : "-");
    }
    return 0;
}
