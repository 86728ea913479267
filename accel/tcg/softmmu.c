/*
 * The soft MMU's TLB and its C slow path (rove/softmmu.h): entry setup
 * from the memory API, flushes (with large-page tracking), and the
 * load/store/fetch helpers that run on a miss, for MMIO and ROM writes,
 * and for page-crossing or misaligned accesses.  The inline probe the back
 * ends will emit reads the same entries; nothing here depends on it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>
#include <sys/mman.h>

#include <glib.h>

#include "rove/bql.h"
#include "rove/softmmu.h"

#define PAGE_OFFSET_MASK (TARGET_PAGE_SIZE - 1)
/* lp_addr of an mmu_idx with no large page: (page & 0) never equals it. */
#define LP_NONE UINT64_MAX

static SoftTlb *cpu_tlb(CpuState *cpu)
{
    if (!cpu->tlb) {
        fprintf(stderr, "rove: soft-MMU access on a vCPU without a TLB\n");
        abort();
    }
    return cpu->tlb;
}

static void check_idx(unsigned mmu_idx)
{
    if (mmu_idx >= SOFTMMU_NB_MMU_MODES) {
        fprintf(stderr, "rove: soft MMU: mmu_idx %u out of range\n", mmu_idx);
        abort();
    }
}

static unsigned tlb_index(uint64_t vaddr)
{
    return (unsigned)(vaddr >> TARGET_PAGE_BITS) & (SOFTMMU_TLB_SIZE - 1);
}

static void entry_clear(SoftTlbEntry *e)
{
    e->addr_read = SOFTTLB_EMPTY;
    /* (softmmu_set_code_page reads it from other threads) */
    __atomic_store_n(&e->addr_write, SOFTTLB_EMPTY, __ATOMIC_RELAXED);
    e->addr_code = SOFTTLB_EMPTY;
    e->addend = 0;
}

static bool entry_empty(const SoftTlbEntry *e)
{
    return e->addr_read == SOFTTLB_EMPTY &&
           __atomic_load_n(&e->addr_write, __ATOMIC_RELAXED) == SOFTTLB_EMPTY &&
           e->addr_code == SOFTTLB_EMPTY;
}

/* The TLB this thread fills (a TLB is filled only by its vCPU's thread). */
static __thread const SoftTlb *own_tlb;

static bool fill_listed(const SoftTlb *tlb, unsigned idx)
{
    return tlb->nb_filled[idx] <= SOFTMMU_FILL_LIST;
}

/* A walk over idx's slots: the filled ones when listed, else all of them
 * (for k < walk_len: slot walk_slot(k)). */
static unsigned walk_len(const SoftTlb *tlb, unsigned idx, bool listed)
{
    return listed ? tlb->nb_filled[idx] : SOFTMMU_TLB_SIZE;
}

static unsigned walk_slot(const SoftTlb *tlb, unsigned idx, bool listed, unsigned k)
{
    return listed ? tlb->filled[idx][k] : k;
}

/* The tag for an access type, and whether it names vaddr's page at all
 * (flags other than SOFTTLB_INVALID do not matter for that). */
static uint64_t entry_tag(const SoftTlbEntry *e, SoftMmuAccess access)
{
    switch (access) {
    case SOFTMMU_LOAD:
        return e->addr_read;
    case SOFTMMU_STORE:
        return e->addr_write;
    default:
        return e->addr_code;
    }
}

static bool tag_hit(uint64_t tag, uint64_t vaddr)
{
    return (tag & (TARGET_PAGE_MASK | SOFTTLB_INVALID)) == (vaddr & TARGET_PAGE_MASK);
}

static bool entry_maps_page(const SoftTlbEntry *e, uint64_t page)
{
    return tag_hit(e->addr_read, page) || tag_hit(e->addr_write, page)
        || tag_hit(e->addr_code, page);
}

static void raise_abort(const char *what)
{
    fprintf(stderr, "rove: soft-MMU target callback %s returned\n", what);
    abort();
}

/* ---- Code pages ---- */

/* One bit per 4K physical page below 2^CODE_PHYS_BITS, in an anonymous
 * mapping: untouched parts cost no memory.  Pages above hold no RAM. */
#define CODE_PHYS_BITS 40
static uint64_t *code_bitmap;
static pthread_once_t code_bitmap_once = PTHREAD_ONCE_INIT;

static void code_bitmap_init(void)
{
    size_t bytes = (size_t)1 << (CODE_PHYS_BITS - TARGET_PAGE_BITS - 3);
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "rove: cannot map the code-page bitmap\n");
        exit(1);
    }
    code_bitmap = p;
}

static uint64_t *code_word(uint64_t ppage, uint64_t *bit)
{
    pthread_once(&code_bitmap_once, code_bitmap_init);
    uint64_t n = ppage >> TARGET_PAGE_BITS;
    *bit = 1ull << (n & 63);
    return &code_bitmap[n >> 6];
}

bool softmmu_is_code_page(uint64_t ppage)
{
    if (ppage >> CODE_PHYS_BITS) {
        return false;
    }
    uint64_t bit;
    uint64_t *w = code_word(ppage, &bit); /* sets bit: a statement of its own */
    return (__atomic_load_n(w, __ATOMIC_SEQ_CST) & bit) != 0;
}

void (*softmmu_invalidate_code)(CpuState *cpu, uint64_t start, uint64_t end);

static pthread_mutex_t tlb_list_lock = PTHREAD_MUTEX_INITIALIZER;
static SoftTlb *tlb_list;

static unsigned wr_bit(uint64_t ppage)
{
    uint64_t pfn = ppage >> TARGET_PAGE_BITS;
    return (unsigned)(pfn ^ (pfn >> 16)) & (SOFTMMU_WR_FILTER_BITS - 1);
}

void softmmu_set_code_page(uint64_t ppage)
{
    if (ppage >> CODE_PHYS_BITS) {
        return;
    }
    uint64_t bit = 0;
    uint64_t *w = code_word(ppage, &bit);
    if (__atomic_fetch_or(w, bit, __ATOMIC_SEQ_CST) & bit) {
        return;
    }
    /* Stores through entries made before now must see it too: every TLB
     * whose filter says it may map the page writable is scanned.  (A vCPU
     * entering such an entry now sets its filter bit before the entry and
     * then looks at the code bit again: one of the two sees the other.) */
    unsigned fb = wr_bit(ppage);
    /* This thread's own TLB (the usual case: the vCPU translating) is
     * walked by its lists of filled slots; another's list may be changing
     * under us, so all of its slots are. */
    const SoftTlb *own = own_tlb;
    pthread_mutex_lock(&tlb_list_lock);
    for (SoftTlb *t = tlb_list; t; t = t->next) {
        if (!((__atomic_load_n(&t->wr_filter[fb / 64], __ATOMIC_SEQ_CST) >> (fb % 64)) & 1)) {
            continue;
        }
        for (unsigned idx = 0; idx < SOFTMMU_NB_MMU_MODES; idx++) {
            bool listed = t == own && fill_listed(t, idx);
            unsigned n = walk_len(t, idx, listed);
            for (unsigned k = 0; k < n; k++) {
                unsigned i = walk_slot(t, idx, listed, k);
                uint64_t *tag = &t->table[idx][i].addr_write;
                uint64_t v = __atomic_load_n(tag, __ATOMIC_RELAXED);
                if (v != SOFTTLB_EMPTY && !(v & SOFTTLB_IO) &&
                    __atomic_load_n(&t->full[idx][i].paddr, __ATOMIC_RELAXED) == ppage) {
                    __atomic_fetch_or(tag, SOFTTLB_NOTDIRTY, __ATOMIC_SEQ_CST);
                }
            }
        }
    }
    pthread_mutex_unlock(&tlb_list_lock);
}

void softmmu_clear_code_page(uint64_t ppage)
{
    if (ppage >> CODE_PHYS_BITS) {
        return;
    }
    uint64_t bit;
    /* Not one expression: the order in which ~bit and code_word(), which
     * sets bit, are evaluated would be unspecified. */
    uint64_t *w = code_word(ppage, &bit);
    __atomic_fetch_and(w, ~bit, __ATOMIC_SEQ_CST);
}

void softmmu_clear_all_code_pages(void)
{
    if (code_bitmap) {
        size_t bytes = (size_t)1 << (CODE_PHYS_BITS - TARGET_PAGE_BITS - 3);
        /* Give the pages back rather than touching every word. */
        madvise(code_bitmap, bytes, MADV_DONTNEED);
    }
}

/* ---- Setup ---- */

static void entry_drop(SoftTlb *tlb, unsigned idx, unsigned i)
{
    entry_clear(&tlb->table[idx][i]);
    tlb->full[idx][i].prot = 0;
}

static void flush_idx(SoftTlb *tlb, unsigned idx)
{
    bool listed = fill_listed(tlb, idx);
    unsigned n = walk_len(tlb, idx, listed);
    for (unsigned k = 0; k < n; k++) {
        entry_drop(tlb, idx, walk_slot(tlb, idx, listed, k));
    }
    tlb->nb_filled[idx] = 0;
    tlb->lp_addr[idx] = LP_NONE;
    tlb->lp_mask[idx] = 0;
}

/* The entries of idx but the global ones; those stay listed. */
static void flush_idx_nonglobal(SoftTlb *tlb, unsigned idx)
{
    bool listed = fill_listed(tlb, idx);
    unsigned n = walk_len(tlb, idx, listed);
    unsigned kept = 0;
    for (unsigned k = 0; k < n; k++) {
        unsigned i = walk_slot(tlb, idx, listed, k);
        if (!(tlb->full[idx][i].prot & SOFTMMU_PROT_GLOBAL)) {
            entry_drop(tlb, idx, i);
        } else if (!entry_empty(&tlb->table[idx][i])) {
            if (kept < SOFTMMU_FILL_LIST) {
                tlb->filled[idx][kept] = (uint16_t)i; /* kept <= k: already read */
            }
            kept++;
        }
    }
    tlb->nb_filled[idx] = kept <= SOFTMMU_FILL_LIST ? kept : SOFTMMU_FILL_LIST + 1;
}

SoftTlb *softmmu_init(CpuState *cpu, AddressSpace *as, const SoftMmuOps *ops)
{
    SoftTlb *tlb = g_new0(SoftTlb, 1);
    tlb->as = as;
    tlb->ops = ops;
    tlb->cpu = cpu;
    for (unsigned idx = 0; idx < SOFTMMU_NB_MMU_MODES; idx++) {
        tlb->nb_filled[idx] = SOFTMMU_FILL_LIST + 1; /* all of it, this once */
        flush_idx(tlb, idx);
    }
    cpu->tlb = tlb;
    pthread_mutex_lock(&tlb_list_lock);
    tlb->next = tlb_list;
    tlb_list = tlb;
    pthread_mutex_unlock(&tlb_list_lock);
    return tlb;
}

void softmmu_destroy(CpuState *cpu)
{
    pthread_mutex_lock(&tlb_list_lock);
    for (SoftTlb **p = &tlb_list; *p; p = &(*p)->next) {
        if (*p == cpu->tlb) {
            *p = cpu->tlb->next;
            break;
        }
    }
    pthread_mutex_unlock(&tlb_list_lock);
    g_free(cpu->tlb);
    cpu->tlb = NULL;
}

/* ---- Flushes ---- */

void tlb_flush_by_mmuidx(CpuState *cpu, unsigned idxmap)
{
    SoftTlb *tlb = cpu_tlb(cpu);
    for (unsigned idx = 0; idx < SOFTMMU_NB_MMU_MODES; idx++) {
        if (idxmap & (1u << idx)) {
            flush_idx(tlb, idx);
        }
    }
    if ((idxmap & ((1u << SOFTMMU_NB_MMU_MODES) - 1)) == (1u << SOFTMMU_NB_MMU_MODES) - 1) {
        /* No entry is left: (another thread's scan reads it; relaxed
         * stores suffice, an entry made from now on sets its bit again) */
        for (unsigned w = 0; w < SOFTMMU_WR_FILTER_BITS / 64; w++) {
            __atomic_store_n(&tlb->wr_filter[w], 0, __ATOMIC_RELAXED);
        }
    }
    tlb->nb_flushes++;
    if (tlb->flushed) {
        tlb->flushed(cpu, SOFTTLB_ALL_PAGES);
    }
}

void tlb_flush_nonglobal_by_mmuidx(CpuState *cpu, unsigned idxmap)
{
    SoftTlb *tlb = cpu_tlb(cpu);
    for (unsigned idx = 0; idx < SOFTMMU_NB_MMU_MODES; idx++) {
        if (!(idxmap & (1u << idx))) {
            continue;
        }
        /* (The large-page range stays: it may cover more than is left, so
         * a one-page flush inside it still drops the whole mode.) */
        flush_idx_nonglobal(tlb, idx);
    }
    tlb->nb_flushes++;
    if (tlb->flushed) {
        tlb->flushed(cpu, CPU_JMP_CACHE_NONGLOBAL);
    }
}

bool softmmu_code_global(CpuState *cpu, uint64_t vaddr, unsigned mmu_idx, uint64_t *ppage)
{
    SoftTlb *tlb = cpu_tlb(cpu);
    check_idx(mmu_idx);
    uint64_t page = vaddr & TARGET_PAGE_MASK;
    unsigned i = tlb_index(page);
    const SoftTlbFull *f = &tlb->full[mmu_idx][i];
    if (tlb->table[mmu_idx][i].addr_code != page || !(f->prot & SOFTMMU_PROT_GLOBAL)) {
        return false;
    }
    *ppage = f->paddr;
    return true;
}

void tlb_flush(CpuState *cpu)
{
    tlb_flush_by_mmuidx(cpu, (1u << SOFTMMU_NB_MMU_MODES) - 1);
}

void tlb_flush_page_by_mmuidx(CpuState *cpu, uint64_t vaddr, unsigned idxmap)
{
    SoftTlb *tlb = cpu_tlb(cpu);
    uint64_t page = vaddr & TARGET_PAGE_MASK;
    bool all = false;

    for (unsigned idx = 0; idx < SOFTMMU_NB_MMU_MODES; idx++) {
        if (!(idxmap & (1u << idx))) {
            continue;
        }
        if ((page & tlb->lp_mask[idx]) == tlb->lp_addr[idx]) {
            /* Some entries of this idx came from a large page covering
             * vaddr, possibly at other indexes: drop them all. */
            flush_idx(tlb, idx);
            tlb->nb_flushes++;
            all = true;
            continue;
        }
        SoftTlbEntry *e = &tlb->table[idx][tlb_index(page)];
        if (entry_maps_page(e, page)) {
            entry_clear(e);
        }
    }
    if (tlb->flushed) {
        tlb->flushed(cpu, all ? SOFTTLB_ALL_PAGES : page);
    }
}

void tlb_flush_page(CpuState *cpu, uint64_t vaddr)
{
    tlb_flush_page_by_mmuidx(cpu, vaddr, (1u << SOFTMMU_NB_MMU_MODES) - 1);
}

/* Widen idx's large-page range to cover [vaddr & ~(size-1), +size). */
static void add_large_page(SoftTlb *tlb, unsigned idx, uint64_t vaddr, uint64_t size)
{
    uint64_t mask = ~(size - 1);
    if (tlb->lp_addr[idx] != LP_NONE) {
        /* Grow the smaller mask until both ranges share one aligned block. */
        uint64_t m = mask < tlb->lp_mask[idx] ? mask : tlb->lp_mask[idx];
        while (m && (vaddr & m) != (tlb->lp_addr[idx] & m)) {
            m <<= 1;
        }
        mask = m;
    }
    tlb->lp_mask[idx] = mask;
    tlb->lp_addr[idx] = vaddr & mask;
}

/* ---- Entering translations ---- */

void tlb_set_page(CpuState *cpu, uint64_t vaddr, uint64_t paddr, unsigned prot,
                  unsigned mmu_idx, uint64_t size)
{
    SoftTlb *tlb = cpu_tlb(cpu);
    check_idx(mmu_idx);
    uint64_t page = vaddr & TARGET_PAGE_MASK;
    uint64_t ppage = paddr & TARGET_PAGE_MASK;
    unsigned i = tlb_index(page);
    SoftTlbEntry *e = &tlb->table[mmu_idx][i];
    SoftTlbFull *f = &tlb->full[mmu_idx][i];
    MemoryTranslation t;
    uint64_t flags_rd = 0, flags_wr = 0;

    if (size > TARGET_PAGE_SIZE) {
        add_large_page(tlb, mmu_idx, vaddr, size);
    } else {
        size = TARGET_PAGE_SIZE;
    }
    own_tlb = tlb;
    if (entry_empty(e) && fill_listed(tlb, mmu_idx)) {
        if (tlb->nb_filled[mmu_idx] < SOFTMMU_FILL_LIST) {
            tlb->filled[mmu_idx][tlb->nb_filled[mmu_idx]] = (uint16_t)i;
        }
        tlb->nb_filled[mmu_idx]++;
    }

    /* Read without the vCPU's knowledge by softmmu_set_code_page's scan. */
    __atomic_store_n(&f->paddr, ppage, __ATOMIC_RELAXED);
    f->page_size = size;
    f->prot = prot;
    f->mr = NULL;
    e->addend = 0;
    /* The whole 4K page must be host memory of one block for an addend. */
    if (address_space_translate(tlb->as, ppage, &t)) {
        f->mr = t.mr;
    }
    if (f->mr && t.host && t.len >= TARGET_PAGE_SIZE) {
        e->addend = (uint64_t)(uintptr_t)t.host - page;
        if (t.readonly) {
            flags_wr = SOFTTLB_IO; /* ROM: the memory API drops the write */
        }
    } else {
        flags_rd = flags_wr = SOFTTLB_IO;
    }
    if (!flags_wr && (prot & SOFTMMU_PROT_WRITE)) {
        /* Before the entry: softmmu_set_code_page's scan reads it. */
        unsigned fb = wr_bit(ppage);
        uint64_t m = 1ull << (fb % 64);
        if (!(__atomic_load_n(&tlb->wr_filter[fb / 64], __ATOMIC_RELAXED) & m)) {
            __atomic_fetch_or(&tlb->wr_filter[fb / 64], m, __ATOMIC_SEQ_CST);
        }
    }
    if (!flags_wr && softmmu_is_code_page(ppage)) {
        flags_wr = SOFTTLB_NOTDIRTY;
    }
    e->addr_read = (prot & SOFTMMU_PROT_READ) ? page | flags_rd : SOFTTLB_EMPTY;
    __atomic_store_n(&e->addr_write,
                     (prot & SOFTMMU_PROT_WRITE) ? page | flags_wr : SOFTTLB_EMPTY,
                     __ATOMIC_SEQ_CST);
    e->addr_code = (prot & SOFTMMU_PROT_EXEC) ? page | flags_rd : SOFTTLB_EMPTY;
    /* softmmu_set_code_page may have scanned before the store above: look
     * again (one of the two sees the other's write). */
    if (!flags_wr && (prot & SOFTMMU_PROT_WRITE) && softmmu_is_code_page(ppage)) {
        __atomic_fetch_or(&e->addr_write, SOFTTLB_NOTDIRTY, __ATOMIC_SEQ_CST);
    }
}

/*
 * The entry for `access` at vaddr, filling the TLB on a miss.  probe: a
 * failed translation returns NULL instead of raising.
 */
static SoftTlbEntry *tlb_lookup(CpuState *cpu, uint64_t vaddr, SoftMmuAccess access,
                                unsigned mmu_idx, bool probe, uintptr_t retaddr,
                                SoftTlbFull **full)
{
    SoftTlb *tlb = cpu_tlb(cpu);
    check_idx(mmu_idx);
    unsigned i = tlb_index(vaddr);
    SoftTlbEntry *e = &tlb->table[mmu_idx][i];

    if (!tag_hit(entry_tag(e, access), vaddr)) {
        TlbFillResult r = { 0 };
        if (!tlb->ops->tlb_fill(cpu, vaddr, access, mmu_idx, probe, &r, retaddr)) {
            if (!probe) {
                raise_abort("tlb_fill");
            }
            return NULL;
        }
        tlb->nb_fills++;
        tlb_set_page(cpu, vaddr, r.paddr, r.prot, mmu_idx, r.page_size);
        if (!tag_hit(entry_tag(e, access), vaddr)) {
            fprintf(stderr, "rove: tlb_fill at 0x%" PRIx64 " gave prot %u without the "
                    "access asked for\n", vaddr, r.prot);
            abort();
        }
    }
    *full = &tlb->full[mmu_idx][i];
    return e;
}

/* ---- Loads and stores ---- */

static uint64_t bswap_size(uint64_t v, unsigned size)
{
    switch (size) {
    case 1:
        return v;
    case 2:
        return __builtin_bswap16((uint16_t)v);
    case 4:
        return __builtin_bswap32((uint32_t)v);
    default:
        return __builtin_bswap64(v);
    }
}

/* Guest byte order is big-endian for this memop (host order, flipped by MO_BSWAP). */
static bool memop_big_endian(MemOp memop)
{
    bool host_be = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
    return host_be != ((memop & MO_BSWAP) != 0);
}

/* Little-endian host-memory accesses, one host access per naturally sized value. */
static uint64_t host_ld_le(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    switch (size) {
    case 1:
        return *p;
    case 2: {
        uint16_t x;
        memcpy(&x, p, 2);
        v = x;
        break;
    }
    case 4: {
        uint32_t x;
        memcpy(&x, p, 4);
        v = x;
        break;
    }
    default:
        memcpy(&v, p, 8);
        break;
    }
    return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? bswap_size(v, size) : v;
}

static void host_st_le(uint8_t *p, uint64_t v, unsigned size)
{
    if (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) {
        v = bswap_size(v, size);
    }
    switch (size) {
    case 1:
        *p = (uint8_t)v;
        break;
    case 2: {
        uint16_t x = (uint16_t)v;
        memcpy(p, &x, 2);
        break;
    }
    case 4: {
        uint32_t x = (uint32_t)v;
        memcpy(p, &x, 4);
        break;
    }
    default:
        memcpy(p, &v, 8);
        break;
    }
}

/* A store to a RAM page that holds TBs: drop the TBs it overlaps; once the
 * page has none, its stores go inline again.  Called after the store, not
 * before: a vCPU translating the page meanwhile (under tb_lock, which the
 * invalidation takes too) either read the new bytes or made its TB before
 * the invalidation, which then drops it.  Invalidating first would let
 * it read the old bytes after the invalidation and keep them. */
static void notdirty_write(CpuState *cpu, SoftTlbEntry *e, const SoftTlbFull *f,
                           uint64_t vaddr, unsigned size)
{
    uint64_t paddr = f->paddr | (vaddr & PAGE_OFFSET_MASK);
    if (softmmu_invalidate_code) {
        softmmu_invalidate_code(cpu, paddr, paddr + size);
    }
    if (!softmmu_is_code_page(f->paddr)) {
        __atomic_fetch_and(&e->addr_write, ~SOFTTLB_NOTDIRTY, __ATOMIC_SEQ_CST);
    }
}

/* The device access just made asked to stop the machine (poweroff, test
 * finisher, reset): leave generated code now, before the guest does
 * anything else.  The vCPU will not resume from this state (the machine
 * exits or resets), so the pc left is the access's own. */
void (*softmmu_io_done)(CpuState *cpu, uintptr_t retaddr);

static void io_stop_check(CpuState *cpu, uintptr_t retaddr)
{
    if (softmmu_io_done) {
        softmmu_io_done(cpu, retaddr);
    }
}

/* One access of `size` bytes inside one page; the value is little-endian. */
/* A load or store through the memory API (a device, a ROM write, nothing
 * mapped): device callbacks run under the big lock (rove/bql.h); a refusal
 * is the target's access fault. */
static void io_access(CpuState *cpu, const SoftTlbFull *f, uint64_t vaddr, unsigned size,
                      uint64_t *v, SoftMmuAccess access, unsigned mmu_idx, uintptr_t retaddr)
{
    uint64_t paddr = f->paddr | (vaddr & PAGE_OFFSET_MASK);
    BqlGuard g = bql_guard_enter();
    MemTxResult r = access == SOFTMMU_STORE ? address_space_st(cpu->tlb->as, paddr, size, *v)
                                            : address_space_ld(cpu->tlb->as, paddr, size, v);
    bql_guard_exit(g);
    if (r != MEMTX_OK) {
        cpu->tlb->ops->access_fault(cpu, vaddr, paddr, access, mmu_idx, r, retaddr);
        raise_abort("access_fault");
    }
    io_stop_check(cpu, retaddr);
}

static uint64_t ld_page(CpuState *cpu, uint64_t vaddr, unsigned size, unsigned mmu_idx,
                        uintptr_t retaddr)
{
    SoftTlbFull *f;
    SoftTlbEntry *e = tlb_lookup(cpu, vaddr, SOFTMMU_LOAD, mmu_idx, false, retaddr, &f);

    if (e->addr_read & SOFTTLB_IO) {
        uint64_t v;
        io_access(cpu, f, vaddr, size, &v, SOFTMMU_LOAD, mmu_idx, retaddr);
        return v;
    }
    return host_ld_le((const uint8_t *)(uintptr_t)(vaddr + e->addend), size);
}

static void st_page(CpuState *cpu, uint64_t vaddr, uint64_t v, unsigned size,
                    unsigned mmu_idx, uintptr_t retaddr)
{
    SoftTlbFull *f;
    SoftTlbEntry *e = tlb_lookup(cpu, vaddr, SOFTMMU_STORE, mmu_idx, false, retaddr, &f);

    if (e->addr_write & SOFTTLB_IO) {
        io_access(cpu, f, vaddr, size, &v, SOFTMMU_STORE, mmu_idx, retaddr);
        return;
    }
    bool code = __atomic_load_n(&e->addr_write, __ATOMIC_RELAXED) & SOFTTLB_NOTDIRTY;
    host_st_le((uint8_t *)(uintptr_t)(vaddr + e->addend), v, size);
    if (code) {
        notdirty_write(cpu, e, f, vaddr, size);
    }
}

static void check_align(CpuState *cpu, uint64_t vaddr, MemOp memop, unsigned size,
                        SoftMmuAccess access, unsigned mmu_idx, uintptr_t retaddr)
{
    if ((memop & MO_ALIGN) && (vaddr & (size - 1))) {
        cpu->tlb->ops->misaligned(cpu, vaddr, access, mmu_idx, retaddr);
        raise_abort("misaligned");
    }
}

static bool crosses_page(uint64_t vaddr, unsigned size)
{
    return (vaddr & PAGE_OFFSET_MASK) + size > TARGET_PAGE_SIZE;
}

uint64_t softmmu_ld(CpuState *cpu, uint64_t vaddr, MemOp memop, unsigned mmu_idx,
                    uintptr_t retaddr)
{
    unsigned size = 1u << (memop & MO_SIZE);
    uint64_t v;

    cpu_tlb(cpu);
    check_align(cpu, vaddr, memop, size, SOFTMMU_LOAD, mmu_idx, retaddr);
    if (crosses_page(vaddr, size)) {
        /* Translate both pages first (either may fault), then byte by byte. */
        uint64_t second = (vaddr & TARGET_PAGE_MASK) + TARGET_PAGE_SIZE;
        SoftTlbFull *f;
        tlb_lookup(cpu, vaddr, SOFTMMU_LOAD, mmu_idx, false, retaddr, &f);
        tlb_lookup(cpu, second, SOFTMMU_LOAD, mmu_idx, false, retaddr, &f);
        v = 0;
        for (unsigned i = 0; i < size; i++) {
            v |= ld_page(cpu, vaddr + i, 1, mmu_idx, retaddr) << (8 * i);
        }
    } else {
        v = ld_page(cpu, vaddr, size, mmu_idx, retaddr);
    }
    if (memop_big_endian(memop)) {
        v = bswap_size(v, size);
    }
    if ((memop & MO_SIGN) && size < 8) {
        unsigned shift = 64 - 8 * size;
        v = (uint64_t)((int64_t)(v << shift) >> shift);
    }
    return v;
}

void softmmu_st(CpuState *cpu, uint64_t vaddr, uint64_t val, MemOp memop, unsigned mmu_idx,
                uintptr_t retaddr)
{
    unsigned size = 1u << (memop & MO_SIZE);

    cpu_tlb(cpu);
    check_align(cpu, vaddr, memop, size, SOFTMMU_STORE, mmu_idx, retaddr);
    if (size < 8) {
        val &= (1ull << (8 * size)) - 1;
    }
    if (memop_big_endian(memop)) {
        val = bswap_size(val, size);
    }
    if (crosses_page(vaddr, size)) {
        /* Both pages must be writable before the first byte is stored. */
        uint64_t second = (vaddr & TARGET_PAGE_MASK) + TARGET_PAGE_SIZE;
        SoftTlbFull *f;
        tlb_lookup(cpu, vaddr, SOFTMMU_STORE, mmu_idx, false, retaddr, &f);
        tlb_lookup(cpu, second, SOFTMMU_STORE, mmu_idx, false, retaddr, &f);
        for (unsigned i = 0; i < size; i++) {
            st_page(cpu, vaddr + i, (val >> (8 * i)) & 0xff, 1, mmu_idx, retaddr);
        }
    } else {
        st_page(cpu, vaddr, val, size, mmu_idx, retaddr);
    }
}

/* ---- Probes and code ---- */

bool softmmu_probe(CpuState *cpu, uint64_t vaddr, SoftMmuAccess access, unsigned mmu_idx,
                   void **host, uint64_t *ppage)
{
    SoftTlbFull *f;
    SoftTlbEntry *e = tlb_lookup(cpu, vaddr, access, mmu_idx, true, 0, &f);

    if (!e) {
        if (host) {
            *host = NULL;
        }
        return false;
    }
    if (host) {
        bool io = (entry_tag(e, access) & SOFTTLB_IO) != 0;
        *host = io ? NULL : (void *)(uintptr_t)(vaddr + e->addend);
    }
    if (ppage) {
        *ppage = f->paddr;
    }
    return true;
}

void *softmmu_get_code_page(CpuState *cpu, uint64_t vaddr, unsigned mmu_idx, uint64_t *paddr)
{
    SoftTlbFull *f;
    SoftTlbEntry *e = tlb_lookup(cpu, vaddr, SOFTMMU_FETCH, mmu_idx, false, 0, &f);
    uint64_t pa = f->paddr | (vaddr & PAGE_OFFSET_MASK);

    if (e->addr_code & SOFTTLB_IO) {
        MemTxResult r = f->mr ? MEMTX_ERROR : MEMTX_DECODE_ERROR;
        cpu->tlb->ops->access_fault(cpu, vaddr, pa, SOFTMMU_FETCH, mmu_idx, r, 0);
        raise_abort("access_fault");
    }
    if (paddr) {
        *paddr = pa;
    }
    return (void *)(uintptr_t)(vaddr + e->addend);
}

/* An atomic on a code page whose invalidation waits for the operation. */
typedef struct AtomicPending {
    CpuState *cpu;      /* NULL: none */
    SoftTlbEntry *e;
    const SoftTlbFull *f;
    uint64_t vaddr;
    unsigned size;
} AtomicPending;
static _Thread_local AtomicPending atomic_pending;

void *softmmu_atomic_host(CpuState *cpu, uint64_t vaddr, unsigned size, unsigned mmu_idx,
                          uintptr_t retaddr)
{
    atomic_pending.cpu = NULL;
    SoftTlbFull *f;
    cpu_tlb(cpu);
    check_align(cpu, vaddr, MO_ALIGN, size, SOFTMMU_STORE, mmu_idx, retaddr);
    /* An AMO needs read and write permission: the store's fault wins. */
    SoftTlbEntry *e = tlb_lookup(cpu, vaddr, SOFTMMU_STORE, mmu_idx, false, retaddr, &f);
    if (!tag_hit(e->addr_read, vaddr)) {
        tlb_lookup(cpu, vaddr, SOFTMMU_LOAD, mmu_idx, false, retaddr, &f);
        e = tlb_lookup(cpu, vaddr, SOFTMMU_STORE, mmu_idx, false, retaddr, &f);
    }
    if (e->addr_write & SOFTTLB_IO) {
        uint64_t paddr = f->paddr | (vaddr & PAGE_OFFSET_MASK);
        cpu->tlb->ops->access_fault(cpu, vaddr, paddr, SOFTMMU_STORE, mmu_idx, MEMTX_ERROR,
                                    retaddr);
        raise_abort("access_fault");
    }
    if (__atomic_load_n(&e->addr_write, __ATOMIC_RELAXED) & SOFTTLB_NOTDIRTY) {
        /* After the operation (see notdirty_write): softmmu_atomic_done. */
        atomic_pending = (AtomicPending){ cpu, e, f, vaddr, size };
    }
    return (void *)(uintptr_t)(vaddr + e->addend);
}

void softmmu_atomic_done(void)
{
    AtomicPending p = atomic_pending;
    if (p.cpu) {
        atomic_pending.cpu = NULL;
        notdirty_write(p.cpu, p.e, p.f, p.vaddr, p.size);
    }
}
