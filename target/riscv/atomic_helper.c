/*
 * A extension at run time: AMOs and SC as host atomic instructions.
 *
 * Guest threads run on host threads in parallel, and processes may share
 * pages (MAP_SHARED after fork), so each AMO is one host atomic
 * read-modify-write (lock xadd / xchg / lock cmpxchg loops on x86-64) and
 * SC is a compare-and-swap against the value its LR read.  Every __atomic
 * builtin below is sequentially consistent: a full barrier on both sides,
 * which covers any aq/rl combination.
 *
 * SC compares values, not a cache-line monitor: if another hart stores the
 * same value that LR read between the LR and the SC (ABA), the SC still
 * succeeds.  The ISA allows this for the constrained LR/SC loops software
 * uses; a store of a different value, by any thread or process, makes the
 * SC fail.
 *
 * The host address comes from cpu_atomic_lookup (accel/tcg), which raises
 * the guest's fault for a bad or misaligned address and arranges for a
 * host fault during the access to be raised precisely at this insn.
 */
#include "target/riscv/internal.h"

/* min/max have no host instruction: a compare-and-swap loop. */
#define AMO_CAS_LOOP(T, p, v, keep_old_if)                                          \
    do {                                                                            \
        T old_ = __atomic_load_n(p, __ATOMIC_RELAXED);                              \
        for (;;) {                                                                  \
            T new_ = (keep_old_if) ? old_ : (v);                                    \
            if (__atomic_compare_exchange_n(p, &old_, new_, false, __ATOMIC_SEQ_CST, \
                                            __ATOMIC_RELAXED)) {                    \
                break;                                                              \
            }                                                                       \
        }                                                                           \
        r = old_;                                                                   \
    } while (0)

static uint64_t amo64(uint64_t *p, uint64_t v, unsigned op)
{
    uint64_t r;
    switch (op) {
    case RV_AMO_SWAP: return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
    case RV_AMO_ADD: return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
    case RV_AMO_XOR: return __atomic_fetch_xor(p, v, __ATOMIC_SEQ_CST);
    case RV_AMO_AND: return __atomic_fetch_and(p, v, __ATOMIC_SEQ_CST);
    case RV_AMO_OR: return __atomic_fetch_or(p, v, __ATOMIC_SEQ_CST);
    case RV_AMO_MIN: AMO_CAS_LOOP(uint64_t, p, v, (int64_t)old_ <= (int64_t)v); return r;
    case RV_AMO_MAX: AMO_CAS_LOOP(uint64_t, p, v, (int64_t)old_ >= (int64_t)v); return r;
    case RV_AMO_MINU: AMO_CAS_LOOP(uint64_t, p, v, old_ <= v); return r;
    default: AMO_CAS_LOOP(uint64_t, p, v, old_ >= v); return r;
    }
}

static uint32_t amo32(uint32_t *p, uint32_t v, unsigned op)
{
    uint32_t r;
    switch (op) {
    case RV_AMO_SWAP: return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
    case RV_AMO_ADD: return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
    case RV_AMO_XOR: return __atomic_fetch_xor(p, v, __ATOMIC_SEQ_CST);
    case RV_AMO_AND: return __atomic_fetch_and(p, v, __ATOMIC_SEQ_CST);
    case RV_AMO_OR: return __atomic_fetch_or(p, v, __ATOMIC_SEQ_CST);
    case RV_AMO_MIN: AMO_CAS_LOOP(uint32_t, p, v, (int32_t)old_ <= (int32_t)v); return r;
    case RV_AMO_MAX: AMO_CAS_LOOP(uint32_t, p, v, (int32_t)old_ >= (int32_t)v); return r;
    case RV_AMO_MINU: AMO_CAS_LOOP(uint32_t, p, v, old_ <= v); return r;
    default: AMO_CAS_LOOP(uint32_t, p, v, old_ >= v); return r;
    }
}

/* rd = M[addr]; M[addr] = op(M[addr], val), atomically.  Word results are
 * sign-extended, as the register write of an AMO.W is. */
uint64_t helper_amo(void *env, uint64_t addr, uint64_t val, uint64_t desc)
{
    uintptr_t ra = (uintptr_t)__builtin_return_address(0);
    unsigned op = desc & 15;
    unsigned mmu_idx = (unsigned)(desc >> RV_AMO_MMU_SHIFT);
    uint64_t r;
    if (desc & RV_AMO_64) {
        r = amo64(cpu_atomic_lookup(env, addr, 8, mmu_idx, ra), val, op);
    } else {
        r = (uint64_t)(int64_t)(int32_t)amo32(cpu_atomic_lookup(env, addr, 4, mmu_idx, ra),
                                              (uint32_t)val, op);
    }
    cpu_atomic_done();
    return r;
}

/*
 * SC: 0 if val was stored (memory still held what LR read), 1 if not.  The
 * caller has checked that the reservation is at addr; the reservation is
 * cleared by the caller either way.
 */
uint64_t helper_sc(void *env, uint64_t addr, uint64_t val, uint64_t is64)
{
    uintptr_t ra = (uintptr_t)__builtin_return_address(0);
    const RiscvCpu *rc = env;
    unsigned mmu_idx = (unsigned)(is64 >> RV_AMO_MMU_SHIFT);
    bool ok;
    if (is64 & 1) {
        uint64_t expect = rc->load_val;
        ok = __atomic_compare_exchange_n((uint64_t *)cpu_atomic_lookup(env, addr, 8, mmu_idx, ra),
                                         &expect, val, false, __ATOMIC_SEQ_CST,
                                         __ATOMIC_SEQ_CST);
    } else {
        uint32_t expect = (uint32_t)rc->load_val;
        ok = __atomic_compare_exchange_n((uint32_t *)cpu_atomic_lookup(env, addr, 4, mmu_idx, ra),
                                         &expect, (uint32_t)val, false, __ATOMIC_SEQ_CST,
                                         __ATOMIC_SEQ_CST);
    }
    cpu_atomic_done();
    return ok ? 0 : 1;
}

/* They read globals (load_val) and may raise a fault, but write none. */
const TcgHelperInfo helper_info_amo = {
    .func = (void *)helper_amo,
    .name = "amo",
    .flags = TCG_CALL_NO_WRITE_GLOBALS,
    .nb_args = 4,
    .has_ret = true,
    .ret_i64 = true,
};

const TcgHelperInfo helper_info_sc = {
    .func = (void *)helper_sc,
    .name = "sc",
    .flags = TCG_CALL_NO_WRITE_GLOBALS,
    .nb_args = 4,
    .has_ret = true,
    .ret_i64 = true,
};
