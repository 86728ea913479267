/*
 * The memory API: guest-physical address spaces built from a tree of
 * memory regions (RAM, ROM, MMIO, aliases, containers), and the accessors
 * every CPU slow path and every DMA-capable device goes through.
 *
 * Invariants this header promises (rules and rationale: docs/memory.md):
 * - No access through address_space_* ever touches host memory outside a
 *   RAM/ROM block's [0, size).  Every guest-steerable quantity (address,
 *   length, their sum wrapping past 2^64, accesses straddling regions) is
 *   checked; the worst a guest gets is MEMTX_DECODE_ERROR or MEMTX_ERROR.
 * - An AddressSpace answers lookups from a flattened view: a sorted array
 *   of non-overlapping ranges, each pointing at one leaf region (RAM, ROM or
 *   MMIO; aliases and containers are resolved when the view is built).
 * - Views are rebuilt when the tree changes and published with one atomic
 *   pointer store; the old view is freed only when no reader can hold it.
 *   Lookups take no lock.  Tree changes must come from one thread at a time
 *   (the big lock, once the system emulator has one).
 * - MMIO callbacks run with no view held and, by contract, under the big
 *   lock, which the *caller* of address_space_* takes.  Nothing here
 *   takes it.
 * - Guest data is little-endian: MMIO values and the ld/st helpers use
 *   little-endian byte order regardless of the host.
 */
#ifndef ROVE_MEMORY_H
#define ROVE_MEMORY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum MemTxResult {
    MEMTX_OK = 0,
    MEMTX_DECODE_ERROR, /* nothing is mapped at (part of) the range */
    MEMTX_ERROR,        /* a device refused, or the access size/alignment is invalid */
} MemTxResult;

/*
 * MMIO callbacks.  `offset` is relative to the region's start, `size` is
 * 1, 2, 4 or 8 and lies within [min_access_size, max_access_size]; unless
 * `unaligned` is set, `offset` is a multiple of `size`.  A read fills
 * *value (zero-extended); returning anything but MEMTX_OK reports a
 * device error (a bus error to the guest).  NULL read/write callbacks
 * make reads return MEMTX_ERROR / writes fail with MEMTX_ERROR.
 */
typedef struct MemoryRegionOps {
    MemTxResult (*read)(void *opaque, uint64_t offset, uint64_t *value, unsigned size);
    MemTxResult (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
    unsigned min_access_size; /* 1, 2, 4 or 8; 0 means 1 */
    unsigned max_access_size; /* 1, 2, 4 or 8; 0 means 4 */
    bool unaligned;           /* the device accepts offsets not a multiple of size */
} MemoryRegionOps;

typedef enum MemoryRegionKind {
    MR_NONE = 0, /* not initialised */
    MR_RAM,
    MR_ROM,
    MR_MMIO,
    MR_ALIAS,
    MR_CONTAINER,
} MemoryRegionKind;

typedef struct MemoryRegion MemoryRegion;
typedef struct AddressSpace AddressSpace;
typedef struct FlatView FlatView;
typedef struct MemoryListener MemoryListener;

/*
 * A region.  Callers allocate it (usually inside a device's state) and
 * treat the fields as private: use the functions below.  Sizes are in
 * bytes; a size of 0 passed to a container, MMIO or alias init means the
 * whole 2^64 space (RAM and ROM need a real size).
 */
struct MemoryRegion {
    MemoryRegionKind kind;
    char *name;
    uint64_t last;            /* size - 1: a region covers [0, last] */
    MemoryRegion *container;  /* the container this is mapped in, or NULL */
    uint64_t addr;            /* offset within the container */
    int priority;
    bool enabled;
    unsigned add_seq;         /* ties in priority: the later-added region wins */

    uint8_t *ram;             /* MR_RAM / MR_ROM: host block of last + 1 bytes */

    const MemoryRegionOps *ops; /* MR_MMIO */
    void *opaque;

    MemoryRegion *alias;      /* MR_ALIAS: the target and the window's start in it */
    uint64_t alias_offset;

    MemoryRegion **subregions; /* MR_CONTAINER: sorted, highest priority first */
    unsigned nb_subregions;
    unsigned next_seq;

    /* Who must be told when this subtree changes (not owned). */
    MemoryRegion **aliased_by; /* aliases whose target is this region */
    unsigned nb_aliased_by;
    AddressSpace **users;      /* address spaces whose root is this region */
    unsigned nb_users;
};

/* One piece of a flattened view: [start, last] maps to mr at mr_offset. */
typedef struct FlatRange {
    uint64_t start;
    uint64_t last;
    MemoryRegion *mr;         /* a leaf: MR_RAM, MR_ROM or MR_MMIO */
    uint64_t mr_offset;       /* offset in mr that `start` maps to */
} FlatRange;

struct FlatView {
    FlatRange *ranges;        /* sorted by start, non-overlapping */
    unsigned nb_ranges;
};

struct AddressSpace {
    char *name;
    MemoryRegion *root;
    _Atomic(FlatView *) view;
    /*
     * Read-side sections (see address_space_read_begin): a reader adds
     * itself to readers[epoch & 1]; a writer that replaced the view flips
     * the epoch twice and waits for each counter to drain in turn.
     */
    atomic_uint epoch;
    atomic_long readers[2];
    unsigned rebuilds;        /* views built so far (statistics, tests) */
    MemoryListener *listeners; /* in registration order (memory_listener_register) */
};

/* ---- Regions ---- */

/* Zero-filled host RAM.  Returns false if the host cannot allocate it. */
bool memory_region_init_ram(MemoryRegion *mr, const char *name, uint64_t size);
/* Like RAM, but guest writes are ignored (see docs/memory.md). */
bool memory_region_init_rom(MemoryRegion *mr, const char *name, uint64_t size);
void memory_region_init_io(MemoryRegion *mr, const char *name, const MemoryRegionOps *ops,
                           void *opaque, uint64_t size);
/* A window [offset, offset + size) onto target (any kind of region). */
void memory_region_init_alias(MemoryRegion *mr, const char *name, MemoryRegion *target,
                              uint64_t offset, uint64_t size);
void memory_region_init_container(MemoryRegion *mr, const char *name, uint64_t size);
/*
 * Frees what the region owns (RAM block, name, subregion array).  The
 * region must not be mapped in a container, have subregions, be the target
 * of an alias or the root of an address space.
 */
void memory_region_destroy(MemoryRegion *mr);

/* Map sub at `offset` in container with priority 0 / the given priority. */
void memory_region_add_subregion(MemoryRegion *container, uint64_t offset, MemoryRegion *sub);
void memory_region_add_subregion_overlap(MemoryRegion *container, uint64_t offset,
                                         MemoryRegion *sub, int priority);
void memory_region_del_subregion(MemoryRegion *container, MemoryRegion *sub);
/* A disabled region is skipped when views are built (lower ones show). */
void memory_region_set_enabled(MemoryRegion *mr, bool enabled);
/* Move a mapped region within its container (e.g. a PCI BAR). */
void memory_region_set_address(MemoryRegion *mr, uint64_t offset);
void memory_region_set_alias_offset(MemoryRegion *mr, uint64_t offset);

/* Size in bytes; saturates at UINT64_MAX for a region of 2^64 bytes. */
uint64_t memory_region_size(const MemoryRegion *mr);
/* The host block of a RAM or ROM region (loaders fill ROM through it). */
uint8_t *memory_region_get_ram_ptr(MemoryRegion *mr);

/* ---- Address spaces ---- */

/*
 * Told whenever an address space's view changes (a soft MMU flushes its
 * TLBs: host pointers and MMIO decisions cached from the old view may be
 * stale).  view_changed runs in the thread that changed the tree, after
 * the new view is published and no reader can still hold the old one,
 * under the big lock (taken around the calls if that thread does not hold
 * it).  It must not change the memory tree; it may unregister itself but
 * no other listener.  A listener cached from another thread (a vCPU) must
 * queue the flush for that thread rather than touch its TLB.
 */
struct MemoryListener {
    void (*view_changed)(MemoryListener *l, AddressSpace *as);
    void *opaque;             /* for the listener's own use */
    /* Private. */
    AddressSpace *as;
    MemoryListener *next;
};

/* Listen on as (one address space per listener; not called for the current view). */
void memory_listener_register(AddressSpace *as, MemoryListener *l);
/* No-op for a listener not registered.  address_space_destroy unregisters all. */
void memory_listener_unregister(MemoryListener *l);

void address_space_init(AddressSpace *as, MemoryRegion *root, const char *name);
void address_space_destroy(AddressSpace *as);

/*
 * Byte-buffer access (DMA, loaders, debuggers).  The range may straddle
 * several regions; MMIO parts are cut into the largest naturally aligned
 * pieces the device's ops allow (see docs/memory.md).  The first failing
 * piece stops the access and its result is returned; pieces before it have
 * taken effect.  `len` 0 is a successful no-op; addr + len may not wrap
 * past 2^64 (MEMTX_DECODE_ERROR, nothing done).
 */
MemTxResult address_space_read(AddressSpace *as, uint64_t addr, void *buf, uint64_t len);
MemTxResult address_space_write(AddressSpace *as, uint64_t addr, const void *buf, uint64_t len);
/*
 * A device (not a CPU store) wrote guest RAM [addr, addr + len) of as:
 * whatever was derived from the old bytes (translated code) is dropped.
 * address_space_write/_st call it for the RAM they write; a device that
 * writes RAM through host pointers (virtqueue buffers, a disk thread)
 * calls it itself after the write.  Any thread, with or without the big
 * lock.  It calls memory_dma_written_hook, which system mode's accelerator
 * sets once (NULL: nothing to drop).
 */
void address_space_dma_written(AddressSpace *as, uint64_t addr, uint64_t len);
extern void (*memory_dma_written_hook)(uint64_t addr, uint64_t len);

/* Like address_space_write, but also stores into ROM (for loaders). */
MemTxResult address_space_write_rom(AddressSpace *as, uint64_t addr, const void *buf,
                                    uint64_t len);

/*
 * Sized little-endian accesses, as a CPU makes them.  An access inside one
 * MMIO region reaches the device as one access of that size when the ops
 * allow it, is split into max_access_size pieces when it is wider, and is
 * rejected (MEMTX_ERROR) when narrower than min_access_size or misaligned
 * for a device that does not accept unaligned accesses.  An access that
 * straddles two regions is done byte-buffer style.  On error *value is 0.
 */
MemTxResult address_space_ld(AddressSpace *as, uint64_t addr, unsigned size, uint64_t *value);
MemTxResult address_space_st(AddressSpace *as, uint64_t addr, unsigned size, uint64_t value);

static inline MemTxResult address_space_ldub(AddressSpace *as, uint64_t addr, uint8_t *v)
{
    uint64_t x;
    MemTxResult r = address_space_ld(as, addr, 1, &x);
    *v = (uint8_t)x;
    return r;
}
static inline MemTxResult address_space_lduw(AddressSpace *as, uint64_t addr, uint16_t *v)
{
    uint64_t x;
    MemTxResult r = address_space_ld(as, addr, 2, &x);
    *v = (uint16_t)x;
    return r;
}
static inline MemTxResult address_space_ldl(AddressSpace *as, uint64_t addr, uint32_t *v)
{
    uint64_t x;
    MemTxResult r = address_space_ld(as, addr, 4, &x);
    *v = (uint32_t)x;
    return r;
}
static inline MemTxResult address_space_ldq(AddressSpace *as, uint64_t addr, uint64_t *v)
{
    return address_space_ld(as, addr, 8, v);
}
static inline MemTxResult address_space_stb(AddressSpace *as, uint64_t addr, uint8_t v)
{
    return address_space_st(as, addr, 1, v);
}
static inline MemTxResult address_space_stw(AddressSpace *as, uint64_t addr, uint16_t v)
{
    return address_space_st(as, addr, 2, v);
}
static inline MemTxResult address_space_stl(AddressSpace *as, uint64_t addr, uint32_t v)
{
    return address_space_st(as, addr, 4, v);
}
static inline MemTxResult address_space_stq(AddressSpace *as, uint64_t addr, uint64_t v)
{
    return address_space_st(as, addr, 8, v);
}

/*
 * What is at one address, for the soft-MMU fast path.  Returns false (and
 * t->mr NULL) when nothing is mapped.  `len` is the number of bytes from
 * addr to the end of the flat range holding it (saturating at UINT64_MAX);
 * `host` points at addr inside the RAM/ROM block (NULL for MMIO) and is
 * valid for `len` bytes; `readonly` is set for ROM.  The answer stays
 * valid until the tree changes; regions themselves live until destroyed.
 */
typedef struct MemoryTranslation {
    MemoryRegion *mr;
    uint64_t offset;
    uint64_t len;
    uint8_t *host;
    bool readonly;
} MemoryTranslation;

bool address_space_translate(AddressSpace *as, uint64_t addr, MemoryTranslation *t);

/*
 * Read-side sections, for callers that look at the view directly.  Short,
 * never blocking, never calling an MMIO callback inside.  Nestable.
 */
typedef struct AsReadSection {
    AddressSpace *as;
    unsigned idx;
} AsReadSection;

const FlatView *address_space_read_begin(AddressSpace *as, AsReadSection *s);
void address_space_read_end(AsReadSection *s);
/* The range holding addr in view, or NULL. */
const FlatRange *flatview_lookup(const FlatView *view, uint64_t addr);

#endif /* ROVE_MEMORY_H */
