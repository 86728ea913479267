/*
 * Descriptor control and readiness: ioctl, fcntl, ppoll, pselect6, epoll.
 *
 * ioctl passes through only requests whose argument layout is known (the
 * tty and FIO* families: termios and winsize are asm-generic on both
 * riscv64 and x86-64), with the argument buffer checked; anything else is
 * -ENOTTY so an unknown request can never make the host kernel write
 * through an unchecked guest pointer.
 *
 * The waits that take a temporary signal mask (ppoll, pselect6,
 * epoll_pwait) install it the way rt_sigsuspend does, so a signal that the
 * mask lets through is delivered with it and the old mask comes back after
 * the handler (see signal.c).
 */
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <glib.h>

#include "linux-user/syscall.h"

/* ---- ioctl ---- */

enum { ARG_VAL, ARG_IN, ARG_OUT, ARG_INOUT };

typedef struct IoctlDef {
    unsigned long req;
    int kind;
    unsigned size;
} IoctlDef;

static const IoctlDef ioctl_defs[] = {
    { 0x5401, ARG_OUT, 36 },  /* TCGETS: struct termios (NCCS 19) */
    { 0x5402, ARG_IN, 36 },   /* TCSETS */
    { 0x5403, ARG_IN, 36 },   /* TCSETSW */
    { 0x5404, ARG_IN, 36 },   /* TCSETSF */
    { 0x5409, ARG_VAL, 0 },   /* TCSBRK */
    { 0x540A, ARG_VAL, 0 },   /* TCXONC */
    { 0x540B, ARG_VAL, 0 },   /* TCFLSH */
    { 0x540E, ARG_VAL, 0 },   /* TIOCSCTTY */
    { 0x540F, ARG_OUT, 4 },   /* TIOCGPGRP */
    { 0x5410, ARG_IN, 4 },    /* TIOCSPGRP */
    { 0x5411, ARG_OUT, 4 },   /* TIOCOUTQ */
    { 0x5413, ARG_OUT, 8 },   /* TIOCGWINSZ */
    { 0x5414, ARG_IN, 8 },    /* TIOCSWINSZ */
    { 0x541B, ARG_OUT, 4 },   /* FIONREAD */
    { 0x5421, ARG_IN, 4 },    /* FIONBIO */
    { 0x5422, ARG_VAL, 0 },   /* TIOCNOTTY */
    { 0x5429, ARG_OUT, 4 },   /* TIOCGSID */
    { 0x5450, ARG_VAL, 0 },   /* FIONCLEX */
    { 0x5451, ARG_VAL, 0 },   /* FIOCLEX */
    { 0x5452, ARG_IN, 4 },    /* FIOASYNC */
    { 0x80045430, ARG_OUT, 4 }, /* TIOCGPTN */
    { 0x40045431, ARG_IN, 4 },  /* TIOCSPTLCK */
    { 0x5441, ARG_VAL, 0 },   /* TIOCGPTPEER */
    { 0x5425, ARG_VAL, 0 },   /* TCSBRKP (tcsendbreak) */
    { 0x5427, ARG_VAL, 0 },   /* TIOCSBRK */
    { 0x5428, ARG_VAL, 0 },   /* TIOCCBRK */
    /* struct ifreq (40 bytes, the same layout on both sides) */
    { 0x8910, ARG_INOUT, 40 }, /* SIOCGIFNAME */
    { 0x8933, ARG_INOUT, 40 }, /* SIOCGIFINDEX */
};

static int64_t sys_ioctl(CpuState *cpu, const uint64_t *a)
{
    int fd = lu_fd(a[0]);
    unsigned long req = (unsigned)a[1];
    for (size_t i = 0; i < G_N_ELEMENTS(ioctl_defs); i++) {
        const IoctlDef *d = &ioctl_defs[i];
        if (d->req != req) {
            continue;
        }
        if (d->kind == ARG_VAL) {
            return lu_host_ret(ioctl(fd, req, (unsigned long)a[2]));
        }
        int access = d->kind == ARG_IN ? PAGE_READ
                   : d->kind == ARG_OUT ? PAGE_WRITE : PAGE_READ | PAGE_WRITE;
        void *p = lu_guest_ptr(cpu, a[2], d->size, access);
        if (!p) {
            return -EFAULT;
        }
        return lu_host_ret(ioctl(fd, req, p));
    }
    if (rove_log_enabled(LOG_UNIMP)) {
        rove_log("Unsupported ioctl: fd %d cmd 0x%lx\n", fd, req);
    }
    return -ENOTTY;
}

/* ---- fcntl ---- */

static int64_t sys_fcntl(CpuState *cpu, const uint64_t *a)
{
    int fd = lu_fd(a[0]);
    int cmd = (int)a[1];
    void *p;
    switch (cmd) {
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
        /* struct flock: same 32-byte layout on riscv64 and x86-64 */
        p = lu_guest_ptr(cpu, a[2], sizeof(struct flock), PAGE_READ | PAGE_WRITE);
        if (!p) {
            return -EFAULT;
        }
        return lu_host_ret(lu_safe_syscall(SYS_fcntl, fd, cmd, (long)p, 0, 0, 0));
    case F_GETOWN_EX:
    case F_SETOWN_EX:
        p = lu_guest_ptr(cpu, a[2], sizeof(struct f_owner_ex), PAGE_READ | PAGE_WRITE);
        if (!p) {
            return -EFAULT;
        }
        return lu_host_ret(fcntl(fd, cmd, p));
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
    case F_GETFD:
    case F_SETFD:
    case F_GETFL:
    case F_SETFL:
    case F_SETOWN:
    case F_GETOWN:
    case F_SETSIG:
    case F_GETSIG:
    case F_SETLEASE:
    case F_GETLEASE:
    case F_NOTIFY:
    case F_SETPIPE_SZ:
    case F_GETPIPE_SZ:
    case F_ADD_SEALS:
    case F_GET_SEALS:
        return lu_host_ret(fcntl(fd, cmd, (unsigned long)a[2]));
    default:
        if (rove_log_enabled(LOG_UNIMP)) {
            rove_log("Unsupported fcntl: cmd %d\n", cmd);
        }
        return -EINVAL;
    }
}

/* ---- waits with a temporary signal mask ---- */

/* Read the optional guest sigset argument of ppoll/pselect/epoll_pwait. */
static int get_wait_mask(CpuState *cpu, uint64_t addr, uint64_t size, uint64_t *mask,
                         bool *has)
{
    *has = false;
    if (!addr) {
        return 0;
    }
    if (size != 8) {
        return -EINVAL;
    }
    int r = lu_get_u64(cpu, addr, mask);
    *has = r == 0;
    return r;
}

typedef struct PollArgs {
    struct pollfd *fds;
    nfds_t nfds;
    struct timespec *ts;
} PollArgs;

static long poll_fn(void *opaque, const sigset_t *m)
{
    PollArgs *p = opaque;
    return ppoll(p->fds, p->nfds, p->ts, m);
}

static int64_t sys_ppoll(CpuState *cpu, const uint64_t *a)
{
    PollArgs p = { .nfds = a[1] };
    struct timespec ts;
    uint64_t mask;
    bool has_mask;
    if (a[1] > 65536) {
        return -EINVAL;
    }
    p.fds = lu_guest_ptr(cpu, a[0], a[1] * sizeof(struct pollfd), PAGE_READ | PAGE_WRITE);
    if (!p.fds) {
        return -EFAULT;
    }
    if (a[2]) {
        if (lu_copy_from_guest(cpu, &ts, a[2], sizeof(ts)) < 0) {
            return -EFAULT;
        }
        p.ts = &ts;
    }
    int r = get_wait_mask(cpu, a[3], a[4], &mask, &has_mask);
    if (r < 0) {
        return r;
    }
    int64_t ret = lu_masked_wait(cpu, has_mask, mask, poll_fn, &p);
    if (a[2] && ret != -EFAULT) {
        /* the kernel writes back the time left */
        lu_copy_to_guest(cpu, a[2], &ts, sizeof(ts));
    }
    return ret;
}

typedef struct SelectArgs {
    int n;
    fd_set *r, *w, *e;
    struct timespec *ts;
} SelectArgs;

static long select_fn(void *opaque, const sigset_t *m)
{
    SelectArgs *s = opaque;
    /* the raw syscall updates the timeout, as the guest expects */
    struct {
        const sigset_t *ss;
        size_t len;
    } sm = { m, 8 };
    return syscall(SYS_pselect6, s->n, s->r, s->w, s->e, s->ts, m ? &sm : NULL);
}

static int64_t sys_pselect6(CpuState *cpu, const uint64_t *a)
{
    SelectArgs s = { .n = (int)a[0] };
    if (s.n < 0) {
        return -EINVAL;
    }
    if (s.n > FD_SETSIZE * 64) {
        s.n = FD_SETSIZE * 64;
    }
    size_t bytes = ((size_t)s.n + 63) / 64 * 8;
    fd_set **sets[3] = { &s.r, &s.w, &s.e };
    for (int i = 0; i < 3; i++) {
        *sets[i] = NULL;
        if (a[1 + i]) {
            *sets[i] = lu_guest_ptr(cpu, a[1 + i], bytes, PAGE_READ | PAGE_WRITE);
            if (!*sets[i]) {
                return -EFAULT;
            }
        }
    }
    if (a[4]) {
        s.ts = lu_guest_ptr(cpu, a[4], sizeof(struct timespec), PAGE_READ | PAGE_WRITE);
        if (!s.ts) {
            return -EFAULT;
        }
    }
    uint64_t mask = 0;
    bool has_mask = false;
    if (a[5]) {
        uint64_t sm[2];
        if (lu_copy_from_guest(cpu, sm, a[5], sizeof(sm)) < 0) {
            return -EFAULT;
        }
        int r = get_wait_mask(cpu, sm[0], sm[1], &mask, &has_mask);
        if (r < 0) {
            return r;
        }
    }
    return lu_masked_wait(cpu, has_mask, mask, select_fn, &s);
}

/* ---- epoll: riscv64's struct epoll_event is 16 bytes, x86-64's packed 12 ---- */

typedef struct GuestEpollEvent {
    uint32_t events;
    uint32_t pad;
    uint64_t data;
} GuestEpollEvent;

static int64_t sys_epoll_create1(CpuState *cpu, const uint64_t *a)
{
    return lu_host_ret(epoll_create1((int)a[0]));
}

static int64_t sys_epoll_ctl(CpuState *cpu, const uint64_t *a)
{
    struct epoll_event ev = { 0 };
    struct epoll_event *pev = NULL;
    if (a[3]) {
        GuestEpollEvent g;
        if (lu_copy_from_guest(cpu, &g, a[3], sizeof(g)) < 0) {
            return -EFAULT;
        }
        ev.events = g.events;
        ev.data.u64 = g.data;
        pev = &ev;
    }
    return lu_host_ret(epoll_ctl(lu_fd(a[0]), (int)a[1], lu_fd(a[2]), pev));
}

typedef struct EpollArgs {
    int epfd;
    struct epoll_event *ev;
    int max;
    int timeout_ms;
    const struct timespec *ts;
    bool v2;
} EpollArgs;

static long epoll_fn(void *opaque, const sigset_t *m)
{
    EpollArgs *e = opaque;
    if (e->v2) {
        return syscall(SYS_epoll_pwait2, e->epfd, e->ev, e->max, e->ts, m, 8);
    }
    return epoll_pwait(e->epfd, e->ev, e->max, e->timeout_ms, m);
}

static int64_t do_epoll_wait(CpuState *cpu, const uint64_t *a, bool v2)
{
    EpollArgs e = { .epfd = lu_fd(a[0]), .max = (int)a[2], .v2 = v2 };
    struct timespec ts;
    if (e.max <= 0 || e.max > 65536) {
        return -EINVAL;
    }
    if (!lu_guest_ptr(cpu, a[1], (uint64_t)e.max * sizeof(GuestEpollEvent), PAGE_WRITE)) {
        return -EFAULT;
    }
    if (v2) {
        if (a[3]) {
            if (lu_copy_from_guest(cpu, &ts, a[3], sizeof(ts)) < 0) {
                return -EFAULT;
            }
            e.ts = &ts;
        }
    } else {
        e.timeout_ms = (int)a[3];
    }
    uint64_t mask;
    bool has_mask;
    int r = get_wait_mask(cpu, a[4], a[5], &mask, &has_mask);
    if (r < 0) {
        return r;
    }
    e.ev = g_new(struct epoll_event, e.max);
    int64_t n = lu_masked_wait(cpu, has_mask, mask, epoll_fn, &e);
    uint8_t *out = g2h(a[1]);
    for (int64_t i = 0; i < n; i++) {
        GuestEpollEvent g = { .events = e.ev[i].events, .data = e.ev[i].data.u64 };
        memcpy(out + i * sizeof(g), &g, sizeof(g)); /* may be misaligned */
    }
    g_free(e.ev);
    return n;
}

static int64_t sys_epoll_pwait(CpuState *cpu, const uint64_t *a)
{
    return do_epoll_wait(cpu, a, false);
}

static int64_t sys_epoll_pwait2(CpuState *cpu, const uint64_t *a)
{
    return do_epoll_wait(cpu, a, true);
}

static const SyscallDef io_defs[] = {
    { RV_NR_ioctl, "ioctl", sys_ioctl, "dxp", 0 },
    { RV_NR_fcntl, "fcntl", sys_fcntl, "dFx", 0 },
    { RV_NR_ppoll, "ppoll", sys_ppoll, "pdppu", 0 },
    { RV_NR_pselect6, "pselect6", sys_pselect6, "dppppp", 0 },
    { RV_NR_epoll_create1, "epoll_create1", sys_epoll_create1, "x", 0 },
    { RV_NR_epoll_ctl, "epoll_ctl", sys_epoll_ctl, "dddp", 0 },
    { RV_NR_epoll_pwait, "epoll_pwait", sys_epoll_pwait, "dpddpu", 0 },
    { RV_NR_epoll_pwait2, "epoll_pwait2", sys_epoll_pwait2, "dpdppu", 0 },
};

LU_TABLE(lu_io_syscalls, io_defs);
