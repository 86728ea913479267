/*
 * The syscall table: one row per guest system call, spread over one table
 * per family (syscall-file.c, syscall-mem.c, ...) that syscall.c merges
 * into a table indexed by number at start-up.  A row names the call, its
 * handler and how -strace prints its arguments.
 *
 * Handlers get the six argument registers and return the guest result:
 * a value >= 0, or -errno (guest errno numbers equal the host's), or one of
 * the internal codes in linux-user.h (LU_ERESTARTSYS, LU_EJUSTRETURN).
 */
#ifndef LINUX_USER_SYSCALL_H
#define LINUX_USER_SYSCALL_H

#include <sys/uio.h>

#include "linux-user/linux-user.h"
#include "linux-user/riscv64/syscall-nr.h"

typedef int64_t SyscallFn(CpuState *cpu, const uint64_t *a);

/*
 * -strace argument formats, one letter per argument:
 *   d int   l long   u unsigned   x hex   p pointer   s string
 *   f dirfd (AT_FDCWD)   o open flags   m octal mode   P mmap prot
 *   M mmap flags   S signal number   F fcntl cmd   A string array
 */
enum {
    LU_SC_RET_PTR = 1,   /* print the result as an address */
    LU_SC_RET_HEX = 2,
    LU_SC_NORETURN = 4,  /* exit & co: nothing printed after the call */
};

typedef struct SyscallDef {
    int nr;
    const char *name;
    SyscallFn *fn;
    const char *fmt;
    unsigned flags;
} SyscallDef;

typedef struct SyscallTable {
    const SyscallDef *defs;
    size_t count;
} SyscallTable;

extern const SyscallTable lu_file_syscalls;
extern const SyscallTable lu_fs_syscalls;
extern const SyscallTable lu_io_syscalls;
extern const SyscallTable lu_mem_syscalls;
extern const SyscallTable lu_time_syscalls;
extern const SyscallTable lu_signal_syscalls;
extern const SyscallTable lu_proc_syscalls;
extern const SyscallTable lu_net_syscalls;

const SyscallDef *lu_syscall_def(int nr);

#define LU_TABLE(var, arr) const SyscallTable var = { arr, sizeof(arr) / sizeof(arr[0]) }

/* Validate a guest iovec array and build the host one (g_free it). */
int lu_get_iovec(CpuState *cpu, uint64_t addr, uint64_t cnt, int access,
                 struct iovec **out);

/* How many bytes from addr (at most len) the guest may access: the kernel
 * does a short read/write up to the first bad page, and so do we. */
uint64_t lu_access_prefix(CpuState *cpu, uint64_t addr, uint64_t len, int access);

/* Read a guest path argument, applying -L; buf and hbuf are PATH_MAX. */
int lu_get_path(CpuState *cpu, uint64_t addr, char *buf, char *hbuf, const char **host);

/* Typed guest loads/stores (access already checked by the caller or not:
 * these check). */
int lu_get_u32(CpuState *cpu, uint64_t addr, uint32_t *v);
int lu_put_u32(CpuState *cpu, uint64_t addr, uint32_t v);
int lu_get_u64(CpuState *cpu, uint64_t addr, uint64_t *v);
int lu_put_u64(CpuState *cpu, uint64_t addr, uint64_t v);

/* Guest fd argument: a C int (upper register bits ignored, as the kernel). */
static inline int lu_fd(uint64_t v)
{
    return (int)(int32_t)v;
}

#endif
