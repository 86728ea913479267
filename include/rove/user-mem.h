/*
 * User-mode guest address space.
 *
 * The guest sees addresses [0, 2^GUEST_ADDR_BITS); the host keeps them in
 * one reservation at guest_base, so host = guest_base + guest.  Generated
 * code adds guest_base inline and sends any address outside the space to a
 * fault path, so a guest can never touch emulator memory.
 *
 * page flags record what the guest asked for (PAGE_READ/WRITE/EXEC) and what
 * the translator did (PAGE_CODE: TBs were made from the page; its host
 * mapping is then write-protected so a guest store traps and invalidates
 * them: that is how self-modifying code is caught).
 */
#ifndef ROVE_USER_MEM_H
#define ROVE_USER_MEM_H

#include <stdbool.h>
#include <stdint.h>

#include "rove/exec.h"

#define GUEST_ADDR_BITS 40
#define GUEST_ADDR_LIMIT (1ull << GUEST_ADDR_BITS)

enum {
    PAGE_READ = 1,
    PAGE_WRITE = 2,
    PAGE_EXEC = 4,
    PAGE_VALID = 8,  /* mapped */
    PAGE_CODE = 16,  /* TBs exist; host mapping is write-protected */
};

extern uintptr_t guest_base;

/* Host protection for a guest page with these flags: the host mapping is
 * never executable (guest code is translated, not run) but must be
 * readable when the guest may execute it, so the translator can fetch. */
int page_flags_to_host_prot(int flags);

static inline void *g2h(uint64_t addr)
{
    return (void *)(guest_base + (uintptr_t)addr);
}
static inline uint64_t h2g(const void *p)
{
    return (uint64_t)((uintptr_t)p - guest_base);
}
static inline bool guest_addr_in_space(uint64_t addr, uint64_t len)
{
    return addr < GUEST_ADDR_LIMIT && len <= GUEST_ADDR_LIMIT - addr;
}

/* Reserve the guest space; false (with a message) on failure. */
bool guest_mem_init(void);

/* Record guest protections for [start, end) (page aligned).  flags == 0
 * means unmapped.  Drops any TBs made from the range. */
void page_set_flags(CpuState *cpu, uint64_t start, uint64_t end, int flags);
int page_get_flags(uint64_t addr);

/*
 * Check that the guest may access [addr, addr+len) with `access`
 * (PAGE_READ and/or PAGE_WRITE) before the emulator touches it on the
 * guest's behalf (syscall buffers).  For writes, pages holding code are
 * unprotected and their TBs dropped.  false => the caller returns -EFAULT.
 */
bool guest_access_ok(CpuState *cpu, uint64_t addr, uint64_t len, int access);

/* Find a free, page-aligned guest range of len bytes, searching up from
 * hint (0 = a default area).  Returns (uint64_t)-1 if none. */
uint64_t guest_find_free(uint64_t hint, uint64_t len);

/*
 * A helper that touches guest memory on behalf of generated code (the
 * atomics) sets helper_retaddr to its return address into that code for
 * the length of the access, so a host fault there is the guest's and is
 * raised precisely at the guest insn.  0 otherwise.  (cpu_atomic_lookup
 * and cpu_atomic_done manage it.)
 */
extern __thread uintptr_t helper_retaddr;

/* The lock guest mmap/munmap/mprotect/mremap/brk hold while they change the
 * host mappings and the page flags together (the translator reads both).
 * It is tb_lock (recursive per thread). */
void mmap_lock(void);
void mmap_unlock(void);

/*
 * Host SIGSEGV/SIGBUS from generated code or a helper: called by the
 * linux-user signal handler.  Returns true if the fault was a write to a
 * write-protected code page that has been dealt with (return from the
 * handler to retry).  Otherwise, if host_pc is in guest code, it does not
 * return: it restores the guest state and exits to cpu_exec with EXCP_SEGV.
 * Returns false when the fault is not the guest's (an emulator bug).
 * host_regs: the faulting thread's general registers in the back end's
 * numbering (x86-64: rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15), for
 * the globals generated code held only in registers (TbFaultSite).
 */
bool user_handle_host_fault(CpuState *cpu, uintptr_t host_pc, uintptr_t host_addr,
                            bool is_write, const uint64_t *host_regs);

#endif
