/*
 * User-mode CSRs.  A Linux program can reach only the floating-point CSRs
 * (fflags, frm, fcsr) and the read-only counters (cycle, time, instret);
 * every other number is an illegal instruction, decided at translation time
 * by riscv_csr_lookup() so the helpers below never fail.
 *
 * Counters: time ticks at 10 MHz (CLOCK_MONOTONIC / 100 ns, the rate Linux
 * reports for common boards); cycle and instret are CLOCK_MONOTONIC
 * nanoseconds, which are monotonic as the ISA requires but do not count
 * guest instructions.
 */
#include <time.h>

#include "target/riscv/internal.h"

static uint64_t monotonic_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

bool riscv_csr_lookup(int csr, bool *read_only)
{
    switch (csr) {
    case RV_CSR_FFLAGS:
    case RV_CSR_FRM:
    case RV_CSR_FCSR:
        *read_only = false;
        return true;
    case RV_CSR_CYCLE:
    case RV_CSR_TIME:
    case RV_CSR_INSTRET:
        *read_only = true;
        return true;
    default:
        return false;
    }
}

uint64_t riscv_csr_get(RiscvCpu *cpu, int csr)
{
    switch (csr) {
    case RV_CSR_FFLAGS:
        return cpu->fflags & 0x1f;
    case RV_CSR_FRM:
        return cpu->frm & 7;
    case RV_CSR_FCSR:
        return ((cpu->frm & 7) << 5) | (cpu->fflags & 0x1f);
    case RV_CSR_CYCLE:
        return monotonic_ns();
    case RV_CSR_TIME:
        return monotonic_ns() / 100;
    case RV_CSR_INSTRET:
        return monotonic_ns() - cpu->instret_base;
    default:
        return 0;
    }
}

/* Only the writable CSRs get here. */
static void csr_set(RiscvCpu *cpu, int csr, uint64_t val)
{
    switch (csr) {
    case RV_CSR_FFLAGS:
        cpu->fflags = val & 0x1f;
        break;
    case RV_CSR_FRM:
        cpu->frm = val & 7;
        break;
    case RV_CSR_FCSR:
        cpu->frm = (val >> 5) & 7;
        cpu->fflags = val & 0x1f;
        break;
    default:
        break;
    }
}

uint64_t helper_csr_read(void *env, uint64_t csr)
{
    return riscv_csr_get(env, (int)csr);
}

uint64_t helper_csr_modify(void *env, uint64_t csr, uint64_t value, uint64_t mask)
{
    uint64_t old = riscv_csr_get(env, (int)csr);

    csr_set(env, (int)csr, (old & ~mask) | (value & mask));
    return old;
}

/* frm/fflags are not IR globals, so the helpers touch no globals. */
const TcgHelperInfo helper_info_csr_read = {
    .func = (void *)helper_csr_read,
    .name = "csr_read",
    .flags = TCG_CALL_NO_RWG,
    .nb_args = 2,
    .has_ret = true,
    .ret_i64 = true,
};

const TcgHelperInfo helper_info_csr_modify = {
    .func = (void *)helper_csr_modify,
    .name = "csr_modify",
    .flags = TCG_CALL_NO_RWG,
    .nb_args = 4,
    .has_ret = true,
    .ret_i64 = true,
};
