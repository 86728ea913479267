/*
 * Run-time helpers of the RISC-V front end that generated code calls:
 * raising an exception.  (CSR helpers are in csr.c.)
 */
#include "target/riscv/internal.h"

/* The pc global was stored by gen_exception() before the call, and the
 * helper reads globals (flags 0), so the state it unwinds to is in memory. */
void helper_raise_exception(void *env, uint64_t excp)
{
    CpuState *cs = env;

    cs->exception_index = (int32_t)excp;
    cpu_loop_exit(cs);
}

const TcgHelperInfo helper_info_raise_exception = {
    .func = (void *)helper_raise_exception,
    .name = "raise_exception",
    .flags = 0,
    .nb_args = 2,
    .has_ret = false,
};
