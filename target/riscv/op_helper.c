/*
 * Run-time helpers of the RISC-V front end that generated code calls:
 * raising an exception, fence.i.  (CSR helpers are in csr.c.)
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

/*
 * fence.i: later fetches must see every earlier store of this hart, at any
 * virtual address.  Stores through the address a TB was made from are
 * already caught (its page is write-protected), but a store through another
 * mapping of the same memory (a shared memfd mapped RW and RX) is not, so
 * drop every translation.  The code we are running goes too: never return
 * into it, restart the loop at the next insn (pc was stored before the call).
 */
void helper_fence_i(void *env)
{
    CpuState *cs = env;

    tb_flush(cs);
    cs->exception_index = EXCP_NONE;
    cpu_loop_exit(cs);
}

const TcgHelperInfo helper_info_fence_i = {
    .func = (void *)helper_fence_i,
    .name = "fence_i",
    .flags = 0,
    .nb_args = 1,
    .has_ret = false,
};
