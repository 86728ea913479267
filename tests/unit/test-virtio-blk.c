/*
 * Unit tests for virtio-blk (hw/virtio/virtio-blk.c) on a raw image in a
 * temporary file, driven through the virtio-mmio transport by the fake
 * driver (virtio-driver.h): config space and features, reads and writes
 * checked against the host file, flush, get-id, discard and write-zeroes,
 * every refused request (past the end, odd lengths, read-only, unknown
 * type), malformed chains breaking the queue, reset with requests in
 * flight, a disk that does not answer stalling only the I/O thread, DMA
 * notification of what the device wrote into guest RAM, and
 * the realize errors.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "hw/virtio/virtio-blk.h"
#include "rove/block.h"
#include "tests/unit/virtio-driver.h"

#define DISK_SECTORS 64
#define DISK_SIZE (DISK_SECTORS * VIRTIO_BLK_SECTOR)
#define F_V1 (UINT64_C(1) << VIRTIO_F_VERSION_1)

typedef struct Fix {
    VirtioDriver d;
    char *path;
    Device *blk;
} Fix;

/* What address_space_dma_written saw (the test's hook). */
static uint64_t dma_lo = UINT64_MAX, dma_hi;

static void record_dma(uint64_t addr, uint64_t len)
{
    if (addr < VD_RAM_BASE + VD_RINGS_SIZE) {
        return; /* the used ring (virtio-driver.c keeps rings below VD_RINGS_SIZE) */
    }
    __atomic_store_n(&dma_lo, MIN(__atomic_load_n(&dma_lo, __ATOMIC_RELAXED), addr),
                     __ATOMIC_RELAXED);
    __atomic_store_n(&dma_hi, MAX(__atomic_load_n(&dma_hi, __ATOMIC_RELAXED), addr + len),
                     __ATOMIC_RELAXED);
}

/* A raw disk whose sector s is filled with the byte s. */
static char *make_disk(void)
{
    char *path = NULL;
    int fd = g_file_open_tmp("rove-blk-XXXXXX.img", &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    for (int s = 0; s < DISK_SECTORS; s++) {
        uint8_t sec[VIRTIO_BLK_SECTOR];
        memset(sec, s, sizeof(sec));
        g_assert_cmpint(write(fd, sec, sizeof(sec)), ==, sizeof(sec));
    }
    close(fd);
    return path;
}

static void add_drive(const char *id, const char *path, bool read_only)
{
    BlockOpenOptions o = { .format = "raw", .read_only = read_only };
    GError *err = NULL;
    BlockDev *bs = block_open(path, &o, &err);
    g_assert_no_error(err);
    g_assert_true(block_drive_add(id, bs));
}

static void fix_init(Fix *f, gconstpointer data)
{
    memset(f, 0, sizeof(*f));
    vd_init(&f->d, virtio_blk_register_types);
    f->path = make_disk();
    bool read_only = data != NULL;
    add_drive("d0", f->path, read_only);
    f->blk = vd_plug(&f->d, TYPE_VIRTIO_BLK, "drive=d0,serial=rove-serial-0001");
    vd_start(&f->d, F_V1 | (vd_device_features(&f->d) & 0xffffffffu), 1);
}

static void fix_fini(Fix *f, gconstpointer data)
{
    vd_fini(&f->d);
    block_drives_close_all();
    g_unlink(f->path);
    g_free(f->path);
}

static void file_sector(Fix *f, unsigned s, uint8_t *buf)
{
    int fd = open(f->path, O_RDONLY);
    g_assert_cmpint(pread(fd, buf, VIRTIO_BLK_SECTOR, (off_t)s * VIRTIO_BLK_SECTOR), ==,
                    VIRTIO_BLK_SECTOR);
    close(fd);
}

/* One request: header (type, sector), data buffers, a status byte; returns the status. */
typedef struct Req {
    uint32_t type;
    uint64_t sector;
    uint64_t data;       /* guest address of the data, 0: none */
    uint32_t len;
    bool data_writable;  /* the device writes the data (reads, get-id) */
    uint32_t used_len;   /* out: what the device reported written */
} Req;

static uint64_t req_submit(Fix *f, const Req *r)
{
    uint64_t hdr = vd_alloc(&f->d, 16);
    uint8_t *h = vd_ptr(&f->d, hdr);
    uint32_t type = GUINT32_TO_LE(r->type);
    uint64_t sector = GUINT64_TO_LE(r->sector);
    memcpy(h, &type, 4);
    memcpy(h + 8, &sector, 8);
    uint64_t st = vd_alloc(&f->d, 1);
    *vd_ptr(&f->d, st) = 0xee;
    VdBuf bufs[3];
    unsigned n = 0;
    bufs[n++] = (VdBuf){ hdr, 16, false };
    if (r->data) {
        bufs[n++] = (VdBuf){ r->data, r->len, r->data_writable };
    }
    bufs[n++] = (VdBuf){ st, 1, true };
    vd_submit(&f->d, 0, bufs, n);
    return st;
}

static uint8_t req_wait(Fix *f, uint64_t st, Req *r)
{
    VdUsed u;
    while (!vd_next_used(&f->d, 0, &u)) {
        g_assert_cmpuint(virtio_blk_complete(f->blk, 5000), >, 0);
    }
    if (r) {
        r->used_len = u.len;
    }
    return *vd_ptr(&f->d, st);
}

static uint8_t run(Fix *f, Req *r)
{
    uint64_t st = req_submit(f, r);
    vd_kick(&f->d, 0);
    return req_wait(f, st, r);
}

/* ---- Tests ---- */

static void test_config(Fix *f, gconstpointer data)
{
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_DEVICE_ID), ==, VIRTIO_ID_BLOCK);
    g_assert_cmpuint(vd_config(&f->d, 0, 8), ==, DISK_SECTORS);
    g_assert_cmpuint(vd_config(&f->d, 0, 4), ==, DISK_SECTORS); /* narrower reads too */
    g_assert_cmpuint(vd_config(&f->d, 12, 4), ==, VIRTIO_BLK_QUEUE_SIZE - 2);  /* seg_max */
    g_assert_cmpuint(vd_config(&f->d, 20, 4), ==, VIRTIO_BLK_SECTOR);          /* blk_size */
    g_assert_cmpuint(vd_config(&f->d, 40, 4), ==, 1);                          /* max_discard_seg */
    uint64_t feat = vd_device_features(&f->d);
    bool ro = data != NULL;
    g_assert_true(feat & (UINT64_C(1) << VIRTIO_BLK_F_FLUSH));
    g_assert_true(feat & (UINT64_C(1) << VIRTIO_BLK_F_BLK_SIZE));
    g_assert_cmpint(!!(feat & (UINT64_C(1) << VIRTIO_BLK_F_RO)), ==, ro);
    g_assert_cmpint(!!(feat & (UINT64_C(1) << VIRTIO_BLK_F_DISCARD)), ==, !ro);
    g_assert_cmpint(!!(feat & (UINT64_C(1) << VIRTIO_BLK_F_WRITE_ZEROES)), ==, !ro);
}

static void test_read_write(Fix *f, gconstpointer data)
{
    /* Read sectors 5 and 6: 0x05 x 512, 0x06 x 512. */
    Req r = { VIRTIO_BLK_T_IN, 5, vd_alloc(&f->d, 1024), 1024, true, 0 };
    __atomic_store_n(&memory_dma_written_hook, record_dma, __ATOMIC_RELEASE);
    g_assert_cmpuint(run(f, &r), ==, VIRTIO_BLK_S_OK);
    __atomic_store_n(&memory_dma_written_hook, NULL, __ATOMIC_RELEASE);
    g_assert_cmpuint(r.used_len, ==, 1025);
    uint8_t *p = vd_ptr(&f->d, r.data);
    g_assert_cmpuint(p[0], ==, 5);
    g_assert_cmpuint(p[511], ==, 5);
    g_assert_cmpuint(p[512], ==, 6);
    g_assert_cmpuint(p[1023], ==, 6);
    /* The device told the TB cache what it wrote: the data, and the status byte after it
     * (the used ring too, which record_dma leaves out). */
    g_assert_cmphex(dma_lo, ==, r.data);
    g_assert_cmphex(dma_hi, >=, r.data + 1024);
    g_assert_cmpint(f->d.level, ==, 1);
    vd_set_reg(&f->d, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);

    /* Write sector 63 (the last) with a pattern; the host file has it. */
    Req w = { VIRTIO_BLK_T_OUT, 63, vd_alloc(&f->d, 512), 512, false, 0 };
    for (int i = 0; i < 512; i++) {
        vd_ptr(&f->d, w.data)[i] = (uint8_t)(i * 7);
    }
    g_assert_cmpuint(run(f, &w), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(w.used_len, ==, 1);
    uint8_t sec[512];
    file_sector(f, 63, sec);
    g_assert_cmpmem(sec, 512, vd_ptr(&f->d, w.data), 512);

    Req fl = { VIRTIO_BLK_T_FLUSH, 0, 0, 0, false, 0 };
    g_assert_cmpuint(run(f, &fl), ==, VIRTIO_BLK_S_OK);
}

static void test_many_in_order(Fix *f, gconstpointer data)
{
    /* Eight writes in one kick, then eight reads: all complete, in order. */
    uint64_t st[8];
    for (unsigned i = 0; i < 8; i++) {
        Req w = { VIRTIO_BLK_T_OUT, 10, vd_alloc(&f->d, 512), 512, false, 0 };
        memset(vd_ptr(&f->d, w.data), 0x40 + i, 512);
        st[i] = req_submit(f, &w);
    }
    vd_kick(&f->d, 0);
    for (unsigned i = 0; i < 8; i++) {
        g_assert_cmpuint(req_wait(f, st[i], NULL), ==, VIRTIO_BLK_S_OK);
    }
    uint8_t sec[512];
    file_sector(f, 10, sec);
    g_assert_cmpuint(sec[0], ==, 0x47); /* the last write won */
    g_assert_cmpuint(sec[511], ==, 0x47);
}

static void test_get_id(Fix *f, gconstpointer data)
{
    Req r = { VIRTIO_BLK_T_GET_ID, 0, vd_alloc(&f->d, 20), 20, true, 0 };
    g_assert_cmpuint(run(f, &r), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(r.used_len, ==, 21);
    g_assert_cmpmem(vd_ptr(&f->d, r.data), 16, "rove-serial-0001", 16);
    g_assert_cmpuint(vd_ptr(&f->d, r.data)[16], ==, 0);
}

static void put_range(Fix *f, uint64_t a, uint64_t sector, uint32_t n, uint32_t flags)
{
    uint8_t *p = vd_ptr(&f->d, a);
    sector = GUINT64_TO_LE(sector);
    n = GUINT32_TO_LE(n);
    flags = GUINT32_TO_LE(flags);
    memcpy(p, &sector, 8);
    memcpy(p + 8, &n, 4);
    memcpy(p + 12, &flags, 4);
}

static void test_write_zeroes_discard(Fix *f, gconstpointer data)
{
    Req z = { VIRTIO_BLK_T_WRITE_ZEROES, 0, vd_alloc(&f->d, 16), 16, false, 0 };
    put_range(f, z.data, 20, 3, 0);
    g_assert_cmpuint(run(f, &z), ==, VIRTIO_BLK_S_OK);
    uint8_t sec[512], zero[512] = { 0 };
    for (unsigned s = 20; s < 23; s++) {
        file_sector(f, s, sec);
        g_assert_cmpmem(sec, 512, zero, 512);
    }
    file_sector(f, 23, sec);
    g_assert_cmpuint(sec[0], ==, 23);
    /* With the unmap flag, and past the end, and unknown flags. */
    put_range(f, z.data, 30, 1, 1);
    g_assert_cmpuint(run(f, &z), ==, VIRTIO_BLK_S_OK);
    put_range(f, z.data, DISK_SECTORS - 1, 2, 0);
    g_assert_cmpuint(run(f, &z), ==, VIRTIO_BLK_S_IOERR);
    put_range(f, z.data, 30, 1, 2);
    g_assert_cmpuint(run(f, &z), ==, VIRTIO_BLK_S_UNSUPP);

    Req d = { VIRTIO_BLK_T_DISCARD, 0, vd_alloc(&f->d, 16), 16, false, 0 };
    put_range(f, d.data, 40, 4, 0);
    g_assert_cmpuint(run(f, &d), ==, VIRTIO_BLK_S_OK);
    put_range(f, d.data, 40, 4, 1); /* discard has no flags */
    g_assert_cmpuint(run(f, &d), ==, VIRTIO_BLK_S_UNSUPP);
    /* Two ranges when max_discard_seg is 1. */
    Req d2 = { VIRTIO_BLK_T_DISCARD, 0, vd_alloc(&f->d, 32), 32, false, 0 };
    g_assert_cmpuint(run(f, &d2), ==, VIRTIO_BLK_S_IOERR);
}

static void test_refused(Fix *f, gconstpointer data)
{
    uint64_t buf = vd_alloc(&f->d, 2048);
    Req past = { VIRTIO_BLK_T_IN, DISK_SECTORS - 1, buf, 1024, true, 0 };
    g_assert_cmpuint(run(f, &past), ==, VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(past.used_len, ==, 1);
    Req huge = { VIRTIO_BLK_T_IN, UINT64_MAX / 256, buf, 512, true, 0 };
    g_assert_cmpuint(run(f, &huge), ==, VIRTIO_BLK_S_IOERR);
    Req odd = { VIRTIO_BLK_T_OUT, 0, buf, 100, false, 0 };
    g_assert_cmpuint(run(f, &odd), ==, VIRTIO_BLK_S_IOERR);
    Req unknown = { 77, 0, buf, 512, true, 0 };
    g_assert_cmpuint(run(f, &unknown), ==, VIRTIO_BLK_S_UNSUPP);
    uint8_t sec[512];
    file_sector(f, 0, sec);
    g_assert_cmpuint(sec[0], ==, 0); /* sector 0 holds 0x00 and was not written */
    file_sector(f, 1, sec);
    g_assert_cmpuint(sec[0], ==, 1);
    g_assert_false(vd_status(&f->d) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

static void test_read_only(Fix *f, gconstpointer data)
{
    uint64_t buf = vd_alloc(&f->d, 512);
    memset(vd_ptr(&f->d, buf), 0xaa, 512);
    Req w = { VIRTIO_BLK_T_OUT, 2, buf, 512, false, 0 };
    g_assert_cmpuint(run(f, &w), ==, VIRTIO_BLK_S_IOERR);
    Req z = { VIRTIO_BLK_T_WRITE_ZEROES, 0, vd_alloc(&f->d, 16), 16, false, 0 };
    put_range(f, z.data, 2, 1, 0);
    g_assert_cmpuint(run(f, &z), ==, VIRTIO_BLK_S_IOERR);
    uint8_t sec[512];
    file_sector(f, 2, sec);
    g_assert_cmpuint(sec[0], ==, 2);
    Req r = { VIRTIO_BLK_T_IN, 2, buf, 512, true, 0 };
    g_assert_cmpuint(run(f, &r), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(vd_ptr(&f->d, buf)[0], ==, 2);
}

static void test_malformed(Fix *f, gconstpointer data)
{
    /* A header shorter than 16 bytes: the queue breaks. */
    uint64_t hdr = vd_alloc(&f->d, 16), st = vd_alloc(&f->d, 1);
    vd_submit(&f->d, 0, (VdBuf[]){ { hdr, 8, false }, { st, 1, true } }, 2);
    vd_kick(&f->d, 0);
    g_assert_true(vd_status(&f->d) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    VdUsed u;
    g_assert_false(vd_next_used(&f->d, 0, &u));

    /* No status byte (nothing writable). */
    vd_start(&f->d, F_V1, 1);
    g_assert_false(vd_status(&f->d) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    vd_submit(&f->d, 0, (VdBuf[]){ { hdr, 16, false } }, 1);
    vd_kick(&f->d, 0);
    g_assert_true(vd_status(&f->d) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);

    /* After a reset it works again. */
    vd_start(&f->d, F_V1, 1);
    Req r = { VIRTIO_BLK_T_IN, 9, vd_alloc(&f->d, 512), 512, true, 0 };
    g_assert_cmpuint(run(f, &r), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(vd_ptr(&f->d, r.data)[0], ==, 9);
}

static void test_reset_in_flight(Fix *f, gconstpointer data)
{
    /* Reset right after kicking a full queue: nothing is pushed to the new rings. */
    for (int round = 0; round < 20; round++) {
        for (unsigned i = 0; i < 5; i++) {
            Req r = { VIRTIO_BLK_T_IN, i, vd_alloc(&f->d, 4096), 4096, true, 0 };
            req_submit(f, &r);
            f->d.brk -= 4096 + 32; /* reuse the same buffers each round */
        }
        vd_kick(&f->d, 0);
        vd_start(&f->d, F_V1, 1); /* resets first */
        virtio_blk_complete(f->blk, 0);
        VdUsed u;
        g_assert_false(vd_next_used(&f->d, 0, &u));
    }
    Req r = { VIRTIO_BLK_T_IN, 3, vd_alloc(&f->d, 512), 512, true, 0 };
    g_assert_cmpuint(run(f, &r), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(vd_ptr(&f->d, r.data)[0], ==, 3);
}

/* A disk that does not answer stalls only the I/O thread: the kick returns
 * at once with nothing completed, and the requests complete once it does. */
static void test_slow_disk(Fix *f, gconstpointer data)
{
    virtio_blk_set_paused(f->blk, true);
    Req r = { VIRTIO_BLK_T_IN, 7, vd_alloc(&f->d, 512), 512, true, 0 };
    uint64_t st = req_submit(f, &r);
    vd_kick(&f->d, 0); /* would hang here if the kick did the I/O itself */
    g_assert_cmpuint(virtio_blk_complete(f->blk, 100), ==, 0);
    VdUsed u;
    g_assert_false(vd_next_used(&f->d, 0, &u));
    g_assert_cmpuint(*vd_ptr(&f->d, st), ==, 0xee); /* status not written yet */
    virtio_blk_set_paused(f->blk, false);
    g_assert_cmpuint(req_wait(f, st, NULL), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(vd_ptr(&f->d, r.data)[0], ==, 7);
}

static void test_realize_errors(void)
{
    VirtioDriver d;
    vd_init(&d, virtio_blk_register_types);
    char *path = make_disk();
    char *msg = vd_plug_fails(&d, TYPE_VIRTIO_BLK, NULL);
    g_assert_nonnull(strstr(msg, "drive property is required"));
    g_free(msg);
    msg = vd_plug_fails(&d, TYPE_VIRTIO_BLK, "drive=nope");
    g_assert_nonnull(strstr(msg, "no drive with id 'nope'"));
    g_free(msg);
    add_drive("x", path, false);
    msg = vd_plug_fails(&d, TYPE_VIRTIO_BLK, "drive=x,serial=123456789012345678901");
    g_assert_nonnull(strstr(msg, "longer than 20"));
    g_free(msg);
    vd_plug(&d, TYPE_VIRTIO_BLK, "drive=x");
    Device *be = d.backend, *mmio = d.mmio;
    msg = vd_plug_fails(&d, TYPE_VIRTIO_BLK, "drive=x");
    g_assert_nonnull(strstr(msg, "already in use"));
    g_free(msg);
    g_assert_true(d.backend == be && d.mmio == mmio);
    vd_fini(&d);
    block_drives_close_all();
    g_unlink(path);
    g_free(path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define T(name, fn, ro) g_test_add("/virtio-blk/" name, Fix, ro, fix_init, fn, fix_fini)
    T("config", test_config, NULL);
    T("config-read-only", test_config, "ro");
    T("read-write", test_read_write, NULL);
    T("many-in-order", test_many_in_order, NULL);
    T("get-id", test_get_id, NULL);
    T("write-zeroes-discard", test_write_zeroes_discard, NULL);
    T("refused", test_refused, NULL);
    T("read-only", test_read_only, "ro");
    T("malformed", test_malformed, NULL);
    T("reset-in-flight", test_reset_in_flight, NULL);
    T("slow-disk", test_slow_disk, NULL);
#undef T
    g_test_add_func("/virtio-blk/realize-errors", test_realize_errors);
    return g_test_run();
}
