/*
 * The soft MMU (system mode): a per-vCPU TLB that caches guest-virtual to
 * host translations, and the C slow path that fills it and performs the
 * accesses generated code cannot do inline (misses, MMIO, ROM writes,
 * page-crossing and misaligned accesses).  accel/tcg/softmmu.c.
 *
 * Entry layout (what back ends will probe inline; docs/architecture.md,
 * "Soft MMU"): for mmu_idx m and guest virtual address v the entry is
 *     tlb->table[m][(v >> TARGET_PAGE_BITS) & (SOFTMMU_TLB_SIZE - 1)]
 * four 64-bit words {addr_read, addr_write, addr_code, addend}.  A tag is
 * the page-aligned virtual address, possibly with SOFTTLB_* flag bits in
 * bits [3, TARGET_PAGE_BITS), or SOFTTLB_EMPTY (all ones: invalid, or the
 * access is not permitted).  An access of size s at v hits when
 *     tag == (v & (TARGET_PAGE_MASK | (s - 1)))          (MO_ALIGN), or
 *     tag == ((v + s - 1) & TARGET_PAGE_MASK)             (unaligned ok)
 * and then its host address is v + addend.  Any flag bit makes the compare
 * fail, so flagged pages always reach the slow path.
 *
 * Thread-safety: a TLB belongs to its vCPU and only the thread running
 * that vCPU fills or flushes it.  One exception: when a physical page gets
 * its first TB (softmmu_set_code_page, any thread), SOFTTLB_NOTDIRTY is
 * ORed atomically into every vCPU's write tags for that page, and
 * tlb_set_page re-checks the page after writing an entry, so a store by
 * any vCPU to code is seen.  RISC-V needs no remote flush: a remote
 * sfence.vma is an IPI that the other hart's firmware turns into its own.
 */
#ifndef ROVE_SOFTMMU_H
#define ROVE_SOFTMMU_H

#include <stdbool.h>
#include <stdint.h>

#include "rove/exec.h"
#include "rove/memory.h"

#define SOFTMMU_NB_MMU_MODES 4
#define SOFTMMU_TLB_BITS 12
#define SOFTMMU_TLB_SIZE (1u << SOFTMMU_TLB_BITS)
#define SOFTMMU_WR_FILTER_BITS (1u << 16)
#define SOFTMMU_FILL_LIST 1024

/* Tag values and flags (bits 3..11: never set in an access's compare value). */
#define SOFTTLB_EMPTY UINT64_MAX
#define SOFTTLB_INVALID (1ull << 11) /* set in SOFTTLB_EMPTY; never in a valid tag */
#define SOFTTLB_IO (1ull << 10)      /* access through the memory API (MMIO, ROM write) */
#define SOFTTLB_ALL_PAGES UINT64_MAX
#define SOFTTLB_NOTDIRTY (1ull << 9) /* addr_write: the RAM page holds TBs; a store
                                      * invalidates them first */
#define SOFTTLB_FLAGS (SOFTTLB_INVALID | SOFTTLB_IO | SOFTTLB_NOTDIRTY)

/* Page permissions (TlbFillResult.prot, tlb_set_page). */
#define SOFTMMU_PROT_READ 1
#define SOFTMMU_PROT_WRITE 2
#define SOFTMMU_PROT_EXEC 4
/* The mapping exists in every address space (RISC-V PTE.G): an address-
 * space switch (tlb_flush_nonglobal_by_mmuidx) keeps it. */
#define SOFTMMU_PROT_GLOBAL 8

typedef enum SoftMmuAccess {
    SOFTMMU_LOAD,
    SOFTMMU_STORE,
    SOFTMMU_FETCH,
} SoftMmuAccess;

/* The fast-path entry: exactly four words, probed by generated code. */
typedef struct SoftTlbEntry {
    uint64_t addr_read;
    uint64_t addr_write;
    uint64_t addr_code;
    uint64_t addend;    /* host address - guest virtual address (RAM/ROM pages) */
} SoftTlbEntry;
_Static_assert(sizeof(SoftTlbEntry) == 32, "generated code indexes entries by << 5");

/* What the slow path knows about an entry (same index as its SoftTlbEntry). */
typedef struct SoftTlbFull {
    uint64_t paddr;     /* physical address of the entry's 4K page */
    uint64_t page_size; /* size of the guest mapping it came from (4K, 2M, ...) */
    MemoryRegion *mr;   /* leaf region at paddr, or NULL (nothing mapped) */
    unsigned prot;      /* SOFTMMU_PROT_* */
} SoftTlbFull;

/* A target's translation of one address (tlb_fill's answer). */
typedef struct TlbFillResult {
    uint64_t paddr;     /* physical address of vaddr */
    unsigned prot;      /* SOFTMMU_PROT_*: must include the access asked for */
    uint64_t page_size; /* power of two >= TARGET_PAGE_SIZE */
} TlbFillResult;

/*
 * Target callbacks.  The fault callbacks (and tlb_fill when !probe and the
 * translation fails) raise the guest's exception and must not return
 * (cpu_loop_exit_restore(cpu, retaddr, ...) in a real target).
 */
typedef struct SoftMmuOps {
    /* Walk the page tables for an access of this type in mmu_idx.  On
     * success fill *out and return true.  On failure: probe -> return
     * false with no side effect on the guest; !probe -> raise. */
    bool (*tlb_fill)(CpuState *cpu, uint64_t vaddr, SoftMmuAccess access, unsigned mmu_idx,
                     bool probe, TlbFillResult *out, uintptr_t retaddr);
    /* A misaligned MO_ALIGN access. */
    void (*misaligned)(CpuState *cpu, uint64_t vaddr, SoftMmuAccess access, unsigned mmu_idx,
                       uintptr_t retaddr);
    /* The memory API refused the physical access (device error, nothing
     * mapped, code fetch from MMIO). */
    void (*access_fault)(CpuState *cpu, uint64_t vaddr, uint64_t paddr, SoftMmuAccess access,
                         unsigned mmu_idx, MemTxResult res, uintptr_t retaddr);
} SoftMmuOps;

typedef struct SoftTlb {
    /* First, at offset 0: generated code probes it (see above). */
    SoftTlbEntry table[SOFTMMU_NB_MMU_MODES][SOFTMMU_TLB_SIZE];
    SoftTlbFull full[SOFTMMU_NB_MMU_MODES][SOFTMMU_TLB_SIZE];
    /* Per mmu_idx, an aligned range covering every large page entered since
     * its last full flush (lp_addr UINT64_MAX: none); a page inside it,
     * (page & lp_mask) == lp_addr, flushed
     * alone flushes the whole mmu_idx. */
    uint64_t lp_addr[SOFTMMU_NB_MMU_MODES];
    uint64_t lp_mask[SOFTMMU_NB_MMU_MODES];
    /* Per mmu_idx, the indexes of the entries filled since its last flush
     * (a slot that was empty is listed when filled), so that a flush --
     * every address-space switch -- touches only those; past
     * SOFTMMU_FILL_LIST the whole table is walked. */
    uint16_t filled[SOFTMMU_NB_MMU_MODES][SOFTMMU_FILL_LIST];
    unsigned nb_filled[SOFTMMU_NB_MMU_MODES];
    AddressSpace *as;   /* the vCPU's physical address space */
    const SoftMmuOps *ops;
    /* Statistics (tests, -d): slow-path fills and full flushes. */
    uint64_t nb_fills;
    uint64_t nb_flushes;
    struct SoftTlb *next;   /* the list of every TLB */
    /* A bit per hash of a physical page (softmmu_wr_bit) some writable RAM
     * entry may map: softmmu_set_code_page scans only the TLBs that may
     * have one.  Set before the entry is (see tlb_set_page); cleared by a
     * flush of every mode. */
    uint64_t wr_filter[SOFTMMU_WR_FILTER_BITS / 64];
    /* Called after every flush (the execution layer drops the vCPU's jump
     * cache: TBs were found through mappings that may be gone); page is
     * the virtual page a single-page flush dropped, SOFTTLB_ALL_PAGES, or
     * CPU_JMP_CACHE_NONGLOBAL after tlb_flush_nonglobal_by_mmuidx. */
    void (*flushed)(CpuState *cpu, uint64_t page);
    CpuState *cpu;
} SoftTlb;

/*
 * Code pages (system mode's self-modifying-code detection): physical pages
 * holding TBs.  set: stores to it from now on take the slow path, which
 * calls the invalidate hook before storing; clear: its last TB is gone.
 */
void softmmu_set_code_page(uint64_t ppage);
void softmmu_clear_code_page(uint64_t ppage);
bool softmmu_is_code_page(uint64_t ppage);
void softmmu_clear_all_code_pages(void);
/* Called after every device access (accel/tcg: leave generated code if
 * the access asked to stop the machine, cpu_stop_request). */
extern void (*softmmu_io_done)(CpuState *cpu, uintptr_t retaddr);
/* What a store to a code page calls (accel/tcg: invalidate the TBs made
 * from physical [start, end)). */
extern void (*softmmu_invalidate_code)(CpuState *cpu, uint64_t start, uint64_t end);

/* Give cpu a TLB (cpu->tlb), all entries empty; softmmu_destroy frees it.
 * Every vCPU with a TLB is on one list (for softmmu_set_code_page). */
SoftTlb *softmmu_init(CpuState *cpu, AddressSpace *as, const SoftMmuOps *ops);
void softmmu_destroy(CpuState *cpu);

/*
 * Enter the translation vaddr -> paddr (prot, a mapping of `size` bytes) in
 * mmu_idx.  Only vaddr's 4K page is entered; paddr is looked up in the
 * vCPU's address space: RAM gets an addend for every allowed access, ROM
 * for reads and fetches (writes take the slow path and are dropped), MMIO
 * or nothing mapped gets SOFTTLB_IO (every access takes the slow path).
 */
void tlb_set_page(CpuState *cpu, uint64_t vaddr, uint64_t paddr, unsigned prot,
                  unsigned mmu_idx, uint64_t size);

/* Flushes (owning vCPU only; see the thread-safety note above). */
void tlb_flush(CpuState *cpu);
void tlb_flush_by_mmuidx(CpuState *cpu, unsigned idxmap);
void tlb_flush_page(CpuState *cpu, uint64_t vaddr);
void tlb_flush_page_by_mmuidx(CpuState *cpu, uint64_t vaddr, unsigned idxmap);
/* An address-space switch (ASID or page-table root): drop the entries of
 * the idxmap modes but those filled with SOFTMMU_PROT_GLOBAL; the jump
 * cache keeps only TBs still mapped so (flushed(CPU_JMP_CACHE_NONGLOBAL)). */
void tlb_flush_nonglobal_by_mmuidx(CpuState *cpu, unsigned idxmap);
/* Without filling: does the TLB map vaddr's page for fetches in mmu_idx
 * through a global mapping?  *ppage gets the physical page. */
bool softmmu_code_global(CpuState *cpu, uint64_t vaddr, unsigned mmu_idx, uint64_t *ppage);

/*
 * Slow-path accesses of 1, 2, 4 or 8 bytes (memop: size, MO_SIGN, MO_BSWAP,
 * MO_ALIGN), as a helper called from generated code at retaddr makes them
 * (0 from C that restored the guest pc itself).  Faults are raised through
 * the SoftMmuOps callbacks.  An access crossing a page boundary translates
 * both pages before touching memory and is then done byte by byte.
 */
uint64_t softmmu_ld(CpuState *cpu, uint64_t vaddr, MemOp memop, unsigned mmu_idx,
                    uintptr_t retaddr);
void softmmu_st(CpuState *cpu, uint64_t vaddr, uint64_t val, MemOp memop, unsigned mmu_idx,
                uintptr_t retaddr);

/*
 * Atomics: the host address of the naturally aligned size-byte RAM object
 * at vaddr, writable (and readable) in mmu_idx; misalignment, page faults
 * and non-RAM raise through the SoftMmuOps callbacks.  The caller does the
 * operation, then calls softmmu_atomic_done(), which drops the TBs the
 * object overlaps if the page holds code (after the write, as for a store).
 */
void *softmmu_atomic_host(CpuState *cpu, uint64_t vaddr, unsigned size, unsigned mmu_idx,
                          uintptr_t retaddr);
void softmmu_atomic_done(void);

/*
 * Translate without raising: true if `access` at vaddr is allowed in
 * mmu_idx (filling the TLB if needed).  *host (if not NULL) gets the host
 * address for a RAM page (ROM for loads/fetches), else NULL; *ppage (if
 * not NULL) the physical address of vaddr's 4K page.
 */
bool softmmu_probe(CpuState *cpu, uint64_t vaddr, SoftMmuAccess access, unsigned mmu_idx,
                   void **host, uint64_t *ppage);

/* System mode's accel layer (accel/tcg/system-exec.c): call before the
 * first vCPU is created. */
void accel_system_init(void);
/* Which mmu_idx a target uses for its fetches / data accesses now. */
extern unsigned (*softmmu_cpu_mmu_index)(CpuState *cpu, bool ifetch);

/*
 * Code fetch for the translator: the host address of vaddr (valid to the
 * end of its page) and, in *paddr, its physical address.  Faults (page
 * fault, or access fault for code outside RAM/ROM) are raised.
 */
void *softmmu_get_code_page(CpuState *cpu, uint64_t vaddr, unsigned mmu_idx, uint64_t *paddr);

#endif /* ROVE_SOFTMMU_H */
