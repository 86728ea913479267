/*
 * /proc files whose host contents would describe the emulator rather than
 * the guest: /proc/self/maps (guest addresses and protections),
 * /proc/self/auxv (the guest's auxiliary vector), /proc/self/cmdline (the
 * guest's argv, not rove's) and /proc/cpuinfo (a riscv64 hart per host
 * cpu).  They are generated into a memfd at open
 * time, so later reads, seeks and fstat behave like a regular file.
 *
 * maps is built from the host's own maps restricted to the guest
 * reservation (so file names, offsets and inodes are real), split where the
 * guest's page flags differ.  Anonymous PROT_NONE host areas of 1 GiB or
 * more are the unused reservation and are left out rather than scanned.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

#include "linux-user/linux-user.h"

static int memfd_with(const char *data, size_t len)
{
    int fd = memfd_create("rove-proc", MFD_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    for (size_t done = 0; done < len;) {
        ssize_t n = write(fd, data + done, len - done);
        if (n <= 0) {
            close(fd);
            return -EIO;
        }
        done += n;
    }
    lseek(fd, 0, SEEK_SET);
    return fd;
}

static void maps_line(GString *out, LinuxProc *proc, uint64_t start, uint64_t end, int flags,
                      uint64_t off, const char *dev, uint64_t inode, const char *name)
{
    const char *label = name;
    if (!*name) {
        if (start >= proc->stack_lo && end <= proc->stack_hi) {
            label = "[stack]";
        } else if (start >= proc->brk_start && end <= proc->brk_mapped) {
            label = "[heap]";
        }
    }
    g_string_append_printf(out, "%08" PRIx64 "-%08" PRIx64 " %c%c%cp %08" PRIx64 " %s %" PRIu64,
                           start, end, (flags & PAGE_READ) ? 'r' : '-',
                           (flags & PAGE_WRITE) ? 'w' : '-', (flags & PAGE_EXEC) ? 'x' : '-',
                           off, dev, inode);
    if (*label) {
        g_string_append_printf(out, "%*s%s", 8, "", label);
    }
    g_string_append_c(out, '\n');
}

static int gen_maps(LinuxProc *proc)
{
    gchar *host = NULL;
    if (!g_file_get_contents("/proc/self/maps", &host, NULL, NULL)) {
        return -EIO;
    }
    GString *out = g_string_new(NULL);
    char **lines = g_strsplit(host, "\n", -1);
    for (char **l = lines; *l && **l; l++) {
        unsigned long hs, he, off, inode;
        char perms[8], dev[16];
        int name_at = 0;
        if (sscanf(*l, "%lx-%lx %7s %lx %15s %lu %n", &hs, &he, perms, &off, dev, &inode,
                   &name_at) < 6) {
            continue;
        }
        const char *name = name_at ? *l + name_at : "";
        if (hs < guest_base || he > guest_base + GUEST_ADDR_LIMIT) {
            continue;
        }
        uint64_t gs = hs - guest_base, ge = he - guest_base;
        if (!*name && strncmp(perms, "---", 3) == 0 && ge - gs >= (1ull << 30)) {
            continue; /* the unused reservation */
        }
        /* Emit runs of pages with equal guest flags. */
        uint64_t run = gs;
        int run_flags = page_get_flags(gs) & ~PAGE_CODE;
        for (uint64_t a = gs + TARGET_PAGE_SIZE; a <= ge; a += TARGET_PAGE_SIZE) {
            int f = a < ge ? page_get_flags(a) & ~PAGE_CODE : -1;
            if (f == run_flags) {
                continue;
            }
            if (run_flags & PAGE_VALID) {
                maps_line(out, proc, run, a, run_flags, inode ? off + (run - gs) : 0, dev,
                          inode, name);
            }
            run = a;
            run_flags = f;
        }
    }
    g_strfreev(lines);
    g_free(host);
    int fd = memfd_with(out->str, out->len);
    g_string_free(out, TRUE);
    return fd;
}

static int gen_cpuinfo(void)
{
    GString *out = g_string_new(NULL);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    for (long i = 0; i < MAX(n, 1); i++) {
        g_string_append_printf(out, "processor\t: %ld\nhart\t\t: %ld\nisa\t\t: rv64imafdc\n"
                               "mmu\t\t: sv39\n\n", i, i);
    }
    int fd = memfd_with(out->str, out->len);
    g_string_free(out, TRUE);
    return fd;
}

/* Is p /proc/self/NAME, /proc/thread-self/NAME or /proc/<our pid>/NAME? */
static bool is_proc_self(const char *p, const char *name)
{
    char own[64];
    snprintf(own, sizeof(own), "/proc/%d/", (int)getpid());
    const char *rest = NULL;
    if (g_str_has_prefix(p, "/proc/self/")) {
        rest = p + strlen("/proc/self/");
    } else if (g_str_has_prefix(p, "/proc/thread-self/")) {
        rest = p + strlen("/proc/thread-self/");
    } else if (g_str_has_prefix(p, own)) {
        rest = p + strlen(own);
    }
    return rest && strcmp(rest, name) == 0;
}

int lu_open_special(CpuState *cpu, const char *p)
{
    LinuxProc *proc = lu_proc(cpu);
    if (is_proc_self(p, "maps")) {
        return gen_maps(proc);
    }
    if (is_proc_self(p, "auxv")) {
        return memfd_with((const char *)proc->auxv, proc->auxv_len);
    }
    if (is_proc_self(p, "cmdline") && proc->cmdline) {
        return memfd_with((const char *)proc->cmdline->data, proc->cmdline->len);
    }
    if (strcmp(p, "/proc/cpuinfo") == 0) {
        return gen_cpuinfo();
    }
    return LU_NOT_SPECIAL;
}
