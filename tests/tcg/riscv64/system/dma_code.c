/* A device writes over code that has run: a virtio-blk read (the disk is
 * this program's own ELF file, tests.txt) lands new instructions on a
 * function the hart has executed, and the hart calls it again without a
 * fence.i.  Translated code made from the old bytes must be gone: the call
 * returns the new value (QEMU drops translations on device writes too).
 *
 * A minimal virtio-mmio driver: version 2 registers (Rove), or the legacy
 * version 1 ones (QEMU 7.2's default for virtio-mmio), queue 0 with eight
 * entries in the legacy contiguous layout (fine for both), polled (no
 * interrupts); requests are header, data, status. */
#include "sys.h"

#define VIO 0x10008000ul   /* the first -device's slot (the highest) */
#define LI_A0(v) (0x00000513u | ((u32)(v) << 20))  /* addi a0, zero, v */
#define RET 0x00008067u                             /* jalr zero, 0(ra) */
#define QN 8

enum {
    MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, DEV_FEAT = 0x010, DEV_FEAT_SEL = 0x014,
    DRV_FEAT = 0x020, DRV_FEAT_SEL = 0x024, GUEST_PAGE_SIZE = 0x028, QUEUE_SEL = 0x030,
    QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038, QUEUE_ALIGN = 0x03c, QUEUE_PFN = 0x040,
    QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050, STATUS = 0x070,
    DESC_LO = 0x080, DESC_HI = 0x084, AVAIL_LO = 0x090, AVAIL_HI = 0x094,
    USED_LO = 0x0a0, USED_HI = 0x0a4,
};

struct desc { u64 addr; u32 len; uint16_t flags, next; };
struct avail { uint16_t flags, idx, ring[QN], event; };
struct used { uint16_t flags, idx; struct { u32 id, len; } ring[QN]; uint16_t event; };
/* Legacy layout: the table, the available ring after it, the used ring
 * on the next page. */
static uint8_t vring[8192] __attribute__((aligned(4096)));
#define vq_desc ((struct desc *)vring)
#define vq_avail (*(struct avail *)(vring + QN * sizeof(struct desc)))
#define vq_used (*(struct used *)(vring + 4096))
static struct { u32 type, reserved; u64 sector; } hdr;
static volatile uint8_t status;

/* The new code, found on the disk after its 16-byte marker. */
static const u32 marked[8] __attribute__((aligned(16), used)) = {
    0x2d45564f, 0x2d414d44, 0x45444f43, 0x2d4b524d, /* "OVE-DMA-CODEMRK-" */
    LI_A0(2), RET, 0, 0,
};

static u32 code[2048] __attribute__((aligned(4096)));  /* the function, mid-page */
#define FN (&code[512])
static uint8_t scan[4096] __attribute__((aligned(16)));

/* Reads n sectors from sector s into buf; returns the status byte. */
static int blk_read(u64 s, void *buf, u32 n)
{
    static uint16_t next_avail;
    hdr.type = 0; /* VIRTIO_BLK_T_IN */
    hdr.sector = s;
    status = 0xff;
    vq_desc[0] = (struct desc){ (u64)&hdr, sizeof(hdr), 1, 1 };
    vq_desc[1] = (struct desc){ (u64)buf, n * 512, 1 | 2, 2 };
    vq_desc[2] = (struct desc){ (u64)&status, 1, 2, 0 };
    vq_avail.ring[next_avail % QN] = 0;
    asm volatile("fence rw, rw" ::: "memory");
    vq_avail.idx = ++next_avail;
    asm volatile("fence rw, rw" ::: "memory");
    mmio_write32(VIO + QUEUE_NOTIFY, 0);
    while (*(volatile uint16_t *)&vq_used.idx != next_avail) {
    }
    asm volatile("fence rw, rw" ::: "memory");
    return status;
}

static int blk_init_legacy(void)
{
    mmio_write32(VIO + STATUS, 0);
    mmio_write32(VIO + STATUS, 1 | 2);             /* ACKNOWLEDGE | DRIVER */
    mmio_write32(VIO + GUEST_PAGE_SIZE, 4096);
    mmio_write32(VIO + DRV_FEAT_SEL, 0);
    mmio_write32(VIO + DRV_FEAT, 0);
    mmio_write32(VIO + QUEUE_SEL, 0);
    if (mmio_read32(VIO + QUEUE_NUM_MAX) < QN) {
        return 0;
    }
    mmio_write32(VIO + QUEUE_NUM, QN);
    mmio_write32(VIO + QUEUE_ALIGN, 4096);
    mmio_write32(VIO + QUEUE_PFN, (u32)((u64)vring >> 12));
    mmio_write32(VIO + STATUS, 1 | 2 | 4);         /* DRIVER_OK */
    return 1;
}

static int blk_init(void)
{
    u32 version = mmio_read32(VIO + VERSION);
    if (mmio_read32(VIO + MAGIC) != 0x74726976 || mmio_read32(VIO + DEVICE_ID) != 2 ||
        (version != 1 && version != 2)) {
        return 0;
    }
    if (version == 1) {
        return blk_init_legacy();
    }
    mmio_write32(VIO + STATUS, 0);
    mmio_write32(VIO + STATUS, 1 | 2);             /* ACKNOWLEDGE | DRIVER */
    mmio_write32(VIO + DRV_FEAT_SEL, 0);
    mmio_write32(VIO + DRV_FEAT, 0);
    mmio_write32(VIO + DRV_FEAT_SEL, 1);
    mmio_write32(VIO + DRV_FEAT, 1);               /* VERSION_1 */
    mmio_write32(VIO + STATUS, 1 | 2 | 8);         /* FEATURES_OK */
    if (!(mmio_read32(VIO + STATUS) & 8)) {
        return 0;
    }
    mmio_write32(VIO + QUEUE_SEL, 0);
    if (mmio_read32(VIO + QUEUE_NUM_MAX) < QN) {
        return 0;
    }
    mmio_write32(VIO + QUEUE_NUM, QN);
    mmio_write32(VIO + DESC_LO, (u32)(u64)vring);
    mmio_write32(VIO + DESC_HI, (u32)((u64)vring >> 32));
    mmio_write32(VIO + AVAIL_LO, (u32)(u64)&vq_avail);
    mmio_write32(VIO + AVAIL_HI, (u32)((u64)&vq_avail >> 32));
    mmio_write32(VIO + USED_LO, (u32)(u64)&vq_used);
    mmio_write32(VIO + USED_HI, (u32)((u64)&vq_used >> 32));
    mmio_write32(VIO + QUEUE_READY, 1);
    mmio_write32(VIO + STATUS, 1 | 2 | 8 | 4);     /* DRIVER_OK */
    return 1;
}

/* The byte offset of the new code in the disk (this ELF file), or -1. */
static long find_new_code(void)
{
    const u32 *m = marked;
    for (u64 s = 0; s < 1024; s += 8) {
        if (blk_read(s, scan, 8) != 0) {
            return -1; /* past the end of the disk */
        }
        for (u32 off = 0; off + 32 <= sizeof(scan); off += 16) {
            const u32 *p = (const u32 *)(scan + off);
            if (p[0] == m[0] && p[1] == m[1] && p[2] == m[2] && p[3] == m[3]) {
                return (long)(s * 512 + off + 16);
            }
        }
    }
    return -1;
}

int main(void)
{
    FN[0] = LI_A0(1);
    FN[1] = RET;
    asm volatile("fence.i" ::: "memory");
    check("the old code returns", ((u64(*)(void))FN)(), 1);
    check("the old code again", ((u64(*)(void))FN)(), 1);

    check_bool("virtio-blk found and set up", blk_init(), 1);
    long at = find_new_code();
    check_bool("the new code found on the disk", at >= 0, 1);
    if (at < 0) {
        return 1;
    }
    /* One sector read whose buffer puts the new code exactly on FN. */
    u32 off = (u32)(at % 512);
    check("read status", (u64)blk_read((u64)at / 512, (uint8_t *)FN - off, 1), 0);
    check("the device wrote the new code", FN[0], LI_A0(2));
    /* No fence.i: what ran before must not run again. */
    check("the new code returns", ((u64(*)(void))FN)(), 2);
    return 0;
}
