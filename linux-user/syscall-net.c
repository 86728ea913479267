/*
 * Socket syscalls: pass-through.  Socket address structures, socket option
 * numbers and values, struct msghdr and struct cmsghdr have the same
 * layout on riscv64 and x86-64; only the guest pointers inside a msghdr
 * need translating.
 */
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib.h>

#include "linux-user/syscall.h"

/* An (addr, socklen_t *len) out-parameter pair; addr may be NULL. */
static int get_addr_out(CpuState *cpu, uint64_t addr, uint64_t lenp, void **haddr,
                        socklen_t **hlen)
{
    *haddr = NULL;
    *hlen = NULL;
    if (!addr) {
        return 0;
    }
    *hlen = lu_guest_ptr(cpu, lenp, sizeof(socklen_t), PAGE_READ | PAGE_WRITE);
    if (!*hlen) {
        return -EFAULT;
    }
    int32_t len;
    memcpy(&len, *hlen, sizeof(len)); /* may be misaligned */
    if (len < 0) {
        return -EINVAL;
    }
    *haddr = lu_guest_ptr(cpu, addr, len, PAGE_WRITE);
    return *haddr ? 0 : -EFAULT;
}

static int64_t sys_socket(CpuState *cpu, const uint64_t *a)
{
    return lu_host_ret(socket((int)a[0], (int)a[1], (int)a[2]));
}

static int64_t sys_socketpair(CpuState *cpu, const uint64_t *a)
{
    int *sv = lu_guest_ptr(cpu, a[3], 2 * sizeof(int), PAGE_WRITE);
    if (!sv) {
        return -EFAULT;
    }
    return lu_host_ret(socketpair((int)a[0], (int)a[1], (int)a[2], sv));
}

static int64_t do_addr_in(CpuState *cpu, const uint64_t *a, bool is_bind)
{
    int len = (int)a[2];
    if (len < 0) {
        return -EINVAL;
    }
    void *addr = lu_guest_ptr(cpu, a[1], len, PAGE_READ);
    if (!addr) {
        return -EFAULT;
    }
    return lu_host_ret(lu_safe_syscall(is_bind ? SYS_bind : SYS_connect, lu_fd(a[0]), (long)addr,
                                       len, 0, 0, 0));
}

static int64_t sys_bind(CpuState *cpu, const uint64_t *a)
{
    return do_addr_in(cpu, a, true);
}

static int64_t sys_connect(CpuState *cpu, const uint64_t *a)
{
    return do_addr_in(cpu, a, false);
}

static int64_t sys_listen(CpuState *cpu, const uint64_t *a)
{
    return lu_host_ret(listen(lu_fd(a[0]), (int)a[1]));
}

static int64_t sys_accept4(CpuState *cpu, const uint64_t *a)
{
    void *addr;
    socklen_t *len;
    int r = get_addr_out(cpu, a[1], a[2], &addr, &len);
    if (r < 0) {
        return r;
    }
    return lu_host_ret(lu_safe_syscall(SYS_accept4, lu_fd(a[0]), (long)addr, (long)len, (int)a[3],
                                       0, 0));
}

static int64_t sys_accept(CpuState *cpu, const uint64_t *a)
{
    uint64_t b[4] = { a[0], a[1], a[2], 0 };
    return sys_accept4(cpu, b);
}

static int64_t do_getname(CpuState *cpu, const uint64_t *a, bool peer)
{
    void *addr;
    socklen_t *len;
    if (!a[1]) {
        return -EFAULT;
    }
    int r = get_addr_out(cpu, a[1], a[2], &addr, &len);
    if (r < 0) {
        return r;
    }
    return lu_host_ret(peer ? getpeername(lu_fd(a[0]), addr, len)
                            : getsockname(lu_fd(a[0]), addr, len));
}

static int64_t sys_getsockname(CpuState *cpu, const uint64_t *a)
{
    return do_getname(cpu, a, false);
}

static int64_t sys_getpeername(CpuState *cpu, const uint64_t *a)
{
    return do_getname(cpu, a, true);
}

static int64_t sys_sendto(CpuState *cpu, const uint64_t *a)
{
    void *buf = lu_guest_ptr(cpu, a[1], a[2], PAGE_READ);
    void *addr = NULL;
    if (!buf) {
        return -EFAULT;
    }
    if (a[4]) {
        if ((int)a[5] < 0) {
            return -EINVAL;
        }
        addr = lu_guest_ptr(cpu, a[4], (uint32_t)a[5], PAGE_READ);
        if (!addr) {
            return -EFAULT;
        }
    }
    return lu_host_ret(lu_safe_syscall(SYS_sendto, lu_fd(a[0]), (long)buf, a[2], (int)a[3],
                                       (long)addr, (socklen_t)a[5]));
}

static int64_t sys_recvfrom(CpuState *cpu, const uint64_t *a)
{
    void *buf = lu_guest_ptr(cpu, a[1], a[2], PAGE_WRITE);
    void *addr;
    socklen_t *len;
    if (!buf) {
        return -EFAULT;
    }
    int r = get_addr_out(cpu, a[4], a[5], &addr, &len);
    if (r < 0) {
        return r;
    }
    return lu_host_ret(lu_safe_syscall(SYS_recvfrom, lu_fd(a[0]), (long)buf, a[2], (int)a[3],
                                       (long)addr, (long)len));
}

static int64_t sys_setsockopt(CpuState *cpu, const uint64_t *a)
{
    int len = (int)a[4];
    if (len < 0) {
        return -EINVAL;
    }
    void *val = lu_guest_ptr(cpu, a[3], len, PAGE_READ);
    if (!val) {
        return -EFAULT;
    }
    return lu_host_ret(setsockopt(lu_fd(a[0]), (int)a[1], (int)a[2], val, len));
}

static int64_t sys_getsockopt(CpuState *cpu, const uint64_t *a)
{
    void *val;
    socklen_t *len;
    if (!a[3]) {
        return -EFAULT;
    }
    int r = get_addr_out(cpu, a[3], a[4], &val, &len);
    if (r < 0) {
        return r;
    }
    return lu_host_ret(getsockopt(lu_fd(a[0]), (int)a[1], (int)a[2], val, len));
}

static int64_t sys_shutdown(CpuState *cpu, const uint64_t *a)
{
    return lu_host_ret(shutdown(lu_fd(a[0]), (int)a[1]));
}

/* Guest struct msghdr (== the host's layout, with guest pointers). */
typedef struct GuestMsghdr {
    uint64_t name;
    uint32_t namelen;
    uint32_t pad0;
    uint64_t iov;
    uint64_t iovlen;
    uint64_t control;
    uint64_t controllen;
    int32_t flags;
    int32_t pad1;
} GuestMsghdr;

static int64_t do_msg(CpuState *cpu, const uint64_t *a, bool send)
{
    GuestMsghdr gm, *g = &gm;
    void *gp = lu_guest_ptr(cpu, a[1], sizeof(GuestMsghdr),
                            send ? PAGE_READ : PAGE_READ | PAGE_WRITE);
    if (!gp) {
        return -EFAULT;
    }
    memcpy(&gm, gp, sizeof(gm)); /* may be misaligned */
    int access = send ? PAGE_READ : PAGE_WRITE;
    struct msghdr m = { 0 };
    struct iovec *iov;
    if (g->name) {
        m.msg_name = lu_guest_ptr(cpu, g->name, g->namelen, access);
        if (!m.msg_name) {
            return -EFAULT;
        }
        m.msg_namelen = g->namelen;
    }
    if (g->control) {
        m.msg_control = lu_guest_ptr(cpu, g->control, g->controllen, access);
        if (!m.msg_control) {
            return -EFAULT;
        }
        m.msg_controllen = g->controllen;
    }
    int r = lu_get_iovec(cpu, g->iov, g->iovlen, access, &iov);
    if (r < 0) {
        return r;
    }
    m.msg_iov = iov;
    m.msg_iovlen = g->iovlen;
    m.msg_flags = g->flags;
    long ret = lu_safe_syscall(send ? SYS_sendmsg : SYS_recvmsg, lu_fd(a[0]), (long)&m, (int)a[2],
                               0, 0, 0);
    g_free(iov);
    if (ret >= 0 && !send) {
        g->namelen = m.msg_namelen;
        g->controllen = m.msg_controllen;
        g->flags = m.msg_flags;
        memcpy(gp, &gm, sizeof(gm));
    }
    return lu_host_ret(ret);
}

static int64_t sys_sendmsg(CpuState *cpu, const uint64_t *a)
{
    return do_msg(cpu, a, true);
}

static int64_t sys_recvmsg(CpuState *cpu, const uint64_t *a)
{
    return do_msg(cpu, a, false);
}

static const SyscallDef net_defs[] = {
    { RV_NR_socket, "socket", sys_socket, "ddd", 0 },
    { RV_NR_socketpair, "socketpair", sys_socketpair, "dddp", 0 },
    { RV_NR_bind, "bind", sys_bind, "dpd", 0 },
    { RV_NR_connect, "connect", sys_connect, "dpd", 0 },
    { RV_NR_listen, "listen", sys_listen, "dd", 0 },
    { RV_NR_accept, "accept", sys_accept, "dpp", 0 },
    { RV_NR_accept4, "accept4", sys_accept4, "dppx", 0 },
    { RV_NR_getsockname, "getsockname", sys_getsockname, "dpp", 0 },
    { RV_NR_getpeername, "getpeername", sys_getpeername, "dpp", 0 },
    { RV_NR_sendto, "sendto", sys_sendto, "dpuxpd", 0 },
    { RV_NR_recvfrom, "recvfrom", sys_recvfrom, "dpuxpp", 0 },
    { RV_NR_setsockopt, "setsockopt", sys_setsockopt, "dddpd", 0 },
    { RV_NR_getsockopt, "getsockopt", sys_getsockopt, "dddpp", 0 },
    { RV_NR_shutdown, "shutdown", sys_shutdown, "dd", 0 },
    { RV_NR_sendmsg, "sendmsg", sys_sendmsg, "dpx", 0 },
    { RV_NR_recvmsg, "recvmsg", sys_recvmsg, "dpx", 0 },
};

LU_TABLE(lu_net_syscalls, net_defs);
