/*
 * RISC-V Sv39 / Sv48 address translation (privileged spec 1.12, sections
 * 4.3 - 4.5): the page-table walk a soft-MMU TLB miss will run.  PTEs are
 * read from a physical AddressSpace; the A and D bits are set by the walk
 * itself (the spec's hardware-update option, 4.3.1) with a compare-and-swap
 * on the PTE in host RAM, so concurrent harts and the guest's own PTE
 * writes never lose an update.  No PMP/PMA checks yet beyond "the PTE is
 * in readable memory".
 */
#include <endian.h>
#include <string.h>

#include "rove/bql.h"
#include "rove/memory.h"
#include "target/riscv/priv.h"

/* PTE fields, section 4.4.1 (figure 4.21). */
#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_G (1ull << 5)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK ((1ull << 44) - 1)
/* Bits 63:54: N (Svnapot), PBMT (Svpbmt) and reserved; none implemented. */
#define PTE_RESERVED (~0ull << 54)

#define PAGE_SHIFT 12
#define PTE_SIZE 8

static int page_fault(RiscvAccessType type)
{
    switch (type) {
    case RV_ACCESS_FETCH:
        return RV_EXC_INSN_PAGE_FAULT;
    case RV_ACCESS_LOAD:
        return RV_EXC_LOAD_PAGE_FAULT;
    default:
        return RV_EXC_STORE_PAGE_FAULT;
    }
}

static int access_fault(RiscvAccessType type)
{
    switch (type) {
    case RV_ACCESS_FETCH:
        return RV_EXC_INSN_ACCESS;
    case RV_ACCESS_LOAD:
        return RV_EXC_LOAD_ACCESS;
    default:
        return RV_EXC_STORE_ACCESS;
    }
}

/*
 * Where a PTE lives: `host` is an aligned pointer into writable RAM when
 * the PTE can be updated atomically, NULL otherwise (ROM, MMIO).
 */
typedef struct PteRef {
    uint64_t *host;
} PteRef;

static bool pte_load(AddressSpace *as, uint64_t addr, bool fetch, uint64_t *pte, PteRef *ref)
{
    MemoryTranslation t;

    ref->host = NULL;
    if (!address_space_translate(as, addr, &t)) {
        return false;
    }
    if (t.host && t.len >= PTE_SIZE) {
        if (!t.readonly && ((uintptr_t)t.host & (PTE_SIZE - 1)) == 0) {
            ref->host = (uint64_t *)t.host;
            *pte = le64toh(__atomic_load_n(ref->host, __ATOMIC_ACQUIRE));
        } else {
            uint64_t v;
            memcpy(&v, t.host, sizeof(v));
            *pte = le64toh(v);
        }
        return true;
    }
    /*
     * A PTE in a device, for a fetch: the access fault (the privileged
     * spec lets a region's PMAs refuse page-table reads; QEMU reads the
     * device).  The translator walks for code under tb_lock and must never
     * wait for the big lock, since devices take tb_lock under it to drop
     * code they overwrote (memory.h: address_space_dma_written).
     */
    if (fetch) {
        return false;
    }
    /* For a load or store: its callbacks run under the big lock
     * (rove/bql.h), as for any other vCPU access to it. */
    BqlGuard g = bql_guard_enter();
    MemTxResult r = address_space_ldq(as, addr, pte);
    bql_guard_exit(g);
    return r == MEMTX_OK;
}

/* Atomically replace `expected` by `desired`; false if the PTE changed. */
static bool pte_cas(PteRef *ref, uint64_t expected, uint64_t desired)
{
    uint64_t exp_le = htole64(expected);

    return __atomic_compare_exchange_n(ref->host, &exp_le, htole64(desired), false,
                                       __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

int riscv_mmu_translate(const RiscvPrivState *s, AddressSpace *as, uint64_t vaddr,
                        RiscvAccessType type, RiscvTranslation *out)
{
    unsigned priv = s->priv;
    unsigned mode = (unsigned)(s->satp >> RV_SATP_MODE_SHIFT);
    bool mxr = s->mstatus & RV_MSTATUS_MXR;
    bool sum = s->mstatus & RV_MSTATUS_SUM;
    int levels;

    /*
     * Section 3.1.6.3: with MPRV, loads and stores use the privilege in
     * MPP (fetches never do).
     */
    if (type != RV_ACCESS_FETCH && (s->mstatus & RV_MSTATUS_MPRV)) {
        priv = (unsigned)((s->mstatus & RV_MSTATUS_MPP) >> RV_MSTATUS_MPP_SHIFT);
    }
    /* Section 4.1.11: M mode and satp Bare do not translate. */
    if (priv == RV_PRIV_M || mode == RV_SATP_BARE) {
        out->paddr = vaddr;
        out->page_size = 1ull << PAGE_SHIFT;
        out->prot = RV_PROT_READ | RV_PROT_WRITE | RV_PROT_EXEC;
        out->global = true;
        return 0;
    }
    levels = mode == RV_SATP_SV48 ? 4 : 3;

    /*
     * Sections 4.4.1 / 4.5.1: bits 63:VA_BITS must all equal bit
     * VA_BITS - 1, else a page fault.
     */
    unsigned va_bits = PAGE_SHIFT + 9 * (unsigned)levels;
    uint64_t canon = (uint64_t)((int64_t)(vaddr << (64 - va_bits)) >> (64 - va_bits));
    if (canon != vaddr) {
        return page_fault(type);
    }

restart:;
    /* Section 4.3.2, the walk: steps 1 - 8.  A G bit in a pointer makes
     * everything below it global too (section 4.3.1). */
    uint64_t a = (s->satp & RV_SATP_PPN_MASK) << PAGE_SHIFT;
    bool global = false;
    for (int i = levels - 1; i >= 0; i--) {
        unsigned shift = PAGE_SHIFT + 9 * (unsigned)i;
        uint64_t pte_addr = a + ((vaddr >> shift) & 511) * PTE_SIZE;
        uint64_t pte;
        PteRef ref;

        /* Step 2: a PTE that cannot be read is an access fault: PMP
         * checks the walk's own accesses as S-mode ones (section 3.7.1). */
        unsigned pte_pmp = riscv_pmp_prot(s, pte_addr, RV_PRIV_S);
        if (!(pte_pmp & RV_PROT_READ) ||
            !pte_load(as, pte_addr, type == RV_ACCESS_FETCH, &pte, &ref)) {
            return access_fault(type);
        }
        /* Step 3: invalid, W without R, or reserved bits set. */
        if (!(pte & PTE_V) || ((pte & PTE_W) && !(pte & PTE_R)) || (pte & PTE_RESERVED)) {
            return page_fault(type);
        }
        uint64_t ppn = (pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK;
        global |= (pte & PTE_G) != 0;

        /* Step 4: a pointer to the next level. */
        if (!(pte & (PTE_R | PTE_X))) {
            /* Section 4.4.1: D, A and U are reserved in non-leaf PTEs
             * (QEMU also faults on them). */
            if (pte & (PTE_D | PTE_A | PTE_U)) {
                return page_fault(type);
            }
            a = ppn << PAGE_SHIFT;
            continue;
        }

        /* Step 5: a leaf; check the privilege against the U bit. */
        bool user_page = pte & PTE_U;
        bool r = pte & PTE_R;
        bool w = pte & PTE_W;
        bool x = pte & PTE_X;
        /* MXR: loads may read executable pages (section 4.1.1.2). */
        bool readable = r || (mxr && x);
        if (priv == RV_PRIV_U) {
            if (!user_page) {
                return page_fault(type);
            }
        } else if (user_page) {
            /* Section 4.1.1.2: S mode may load/store U pages only with
             * SUM, and never executes them. */
            x = false;
            if (!sum) {
                readable = w = false;
            }
        }
        switch (type) {
        case RV_ACCESS_FETCH:
            if (!x) {
                return page_fault(type);
            }
            break;
        case RV_ACCESS_LOAD:
            if (!readable) {
                return page_fault(type);
            }
            break;
        case RV_ACCESS_STORE:
            if (!w) {
                return page_fault(type);
            }
            break;
        }

        /* Step 6: a superpage's low PPN fields must be zero. */
        uint64_t low_mask = (1ull << (9 * (unsigned)i)) - 1;
        if (ppn & low_mask) {
            return page_fault(type);
        }

        /*
         * Step 7: set A (any access) and D (stores), atomically with the
         * checks above: the CAS fails if the PTE changed since it was read,
         * and the walk restarts from the root.  A PTE that cannot be
         * stored to (ROM, MMIO) is an access fault, as the spec says for
         * an update that would violate a PMA.
         */
        uint64_t need = PTE_A | (type == RV_ACCESS_STORE ? PTE_D : 0);
        if ((pte & need) != need) {
            if (!ref.host || !(pte_pmp & RV_PROT_WRITE)) {
                return access_fault(type);
            }
            if (!pte_cas(&ref, pte, pte | need)) {
                goto restart;
            }
            /* A store like any other: translated code on the PTE's page
             * is dropped (cheap when the page holds none). */
            address_space_dma_written(as, pte_addr, PTE_SIZE);
            pte |= need;
        }

        /* Step 8: the physical address; superpages take VPN[i-1:0]. */
        out->page_size = 1ull << shift;
        out->paddr = (ppn << PAGE_SHIFT) + (vaddr & (out->page_size - 1));
        out->prot = (readable ? RV_PROT_READ : 0) |
                    (w && (pte & PTE_D) ? RV_PROT_WRITE : 0) | (x ? RV_PROT_EXEC : 0);
        out->global = global;
        return 0;
    }
    /* Step 4: i < 0 without a leaf. */
    return page_fault(type);
}
