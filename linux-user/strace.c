/*
 * -strace: one line per guest syscall, in the style of qemu-user's
 *     PID name(arg,arg,...) = result
 * The call is printed before it runs and the result after, so output the
 * syscall itself makes (write to the same terminal) lands in between, as
 * with QEMU.  Argument formats come from the syscall table (syscall.h).
 * Guest strings are read only through the checked accessors.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

#include "linux-user/syscall.h"

typedef struct FlagName {
    uint64_t bit;
    const char *name;
} FlagName;

static const FlagName open_flags[] = {
    { O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" }, { O_NOCTTY, "O_NOCTTY" },
    { O_TRUNC, "O_TRUNC" }, { O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" },
    { O_SYNC, "O_SYNC" }, { O_DSYNC, "O_DSYNC" }, { O_DIRECT, "O_DIRECT" },
    { 0100000, "O_LARGEFILE" }, /* the asm-generic value; 0 in x86-64 glibc */
    { O_DIRECTORY, "O_DIRECTORY" }, { O_NOFOLLOW, "O_NOFOLLOW" }, { O_NOATIME, "O_NOATIME" },
    { O_CLOEXEC, "O_CLOEXEC" }, { O_PATH, "O_PATH" },
    { O_TMPFILE & ~O_DIRECTORY, "O_TMPFILE" }, { 0, NULL },
};

static const FlagName prot_flags[] = {
    { PROT_READ, "PROT_READ" }, { PROT_WRITE, "PROT_WRITE" }, { PROT_EXEC, "PROT_EXEC" },
    { PROT_GROWSDOWN, "PROT_GROWSDOWN" }, { 0, NULL },
};

static const FlagName mmap_flags[] = {
    { MAP_FIXED, "MAP_FIXED" }, { MAP_ANONYMOUS, "MAP_ANONYMOUS" },
    { MAP_GROWSDOWN, "MAP_GROWSDOWN" }, { MAP_DENYWRITE, "MAP_DENYWRITE" },
    { MAP_NORESERVE, "MAP_NORESERVE" }, { MAP_POPULATE, "MAP_POPULATE" },
    { MAP_STACK, "MAP_STACK" }, { MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE" },
    { 0, NULL },
};

static void print_flags(GString *s, uint64_t v, const FlagName *names, const char *first)
{
    bool any = false;
    if (first) {
        g_string_append(s, first);
        any = true;
    }
    for (const FlagName *f = names; f->name; f++) {
        if ((v & f->bit) == f->bit) {
            g_string_append_printf(s, "%s%s", any ? "|" : "", f->name);
            v &= ~f->bit;
            any = true;
        }
    }
    if (v || !any) {
        g_string_append_printf(s, "%s0x%" PRIx64, any ? "|" : "", v);
    }
}

static void print_string(CpuState *cpu, GString *s, uint64_t addr)
{
    char buf[PATH_MAX];
    if (!addr) {
        g_string_append(s, "NULL");
        return;
    }
    if (lu_get_string(cpu, addr, buf, sizeof(buf)) < 0) {
        g_string_append_printf(s, "0x%" PRIx64, addr);
        return;
    }
    g_string_append_c(s, '"');
    size_t n = strlen(buf);
    for (size_t i = 0; i < n && i < 64; i++) {
        unsigned char c = buf[i];
        if (c == '"' || c == '\\') {
            g_string_append_printf(s, "\\%c", c);
        } else if (c == '\n') {
            g_string_append(s, "\\n");
        } else if (c < 32 || c >= 127) {
            g_string_append_printf(s, "\\%03o", c);
        } else {
            g_string_append_c(s, c);
        }
    }
    g_string_append(s, n > 64 ? "\"..." : "\"");
}

/* A NULL-terminated guest array of strings (execve's argv). */
static void print_strv(CpuState *cpu, GString *s, uint64_t addr)
{
    if (!addr) {
        g_string_append(s, "NULL");
        return;
    }
    g_string_append_c(s, '{');
    for (int i = 0; i < 16; i++) {
        uint64_t p;
        if (lu_get_u64(cpu, addr + 8ull * i, &p) < 0) {
            g_string_append(s, "?}");
            return;
        }
        if (!p) {
            g_string_append(s, "NULL}");
            return;
        }
        print_string(cpu, s, p);
        g_string_append_c(s, ',');
    }
    g_string_append(s, "...}");
}

static void print_arg(CpuState *cpu, GString *s, char fmt, uint64_t v)
{
    switch (fmt) {
    case 'A':
        print_strv(cpu, s, v);
        break;
    case 'd':
        g_string_append_printf(s, "%d", (int)v);
        break;
    case 'l':
        g_string_append_printf(s, "%" PRId64, (int64_t)v);
        break;
    case 'u':
        g_string_append_printf(s, "%" PRIu64, v);
        break;
    case 'p':
        if (v) {
            g_string_append_printf(s, "0x%016" PRIx64, v);
        } else {
            g_string_append(s, "NULL");
        }
        break;
    case 's':
        print_string(cpu, s, v);
        break;
    case 'f':
        if ((int)v == AT_FDCWD) {
            g_string_append(s, "AT_FDCWD");
        } else {
            g_string_append_printf(s, "%d", (int)v);
        }
        break;
    case 'o': {
        static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
        print_flags(s, v & ~(uint64_t)O_ACCMODE & 0xffffffffu, open_flags, acc[v & 3]);
        break;
    }
    case 'm':
        g_string_append_printf(s, "0%" PRIo64, v & 07777);
        break;
    case 'P':
        if (v == 0) {
            g_string_append(s, "PROT_NONE");
        } else {
            print_flags(s, v, prot_flags, NULL);
        }
        break;
    case 'M': {
        static const char *const type[] = { "0", "MAP_SHARED", "MAP_PRIVATE",
                                             "MAP_SHARED_VALIDATE" };
        print_flags(s, v & ~(uint64_t)MAP_TYPE, mmap_flags, type[v & 3]);
        break;
    }
    case 'S':
        if ((int)v > 0 && (int)v < 32 && sigabbrev_np((int)v)) {
            g_string_append_printf(s, "SIG%s", sigabbrev_np((int)v));
        } else {
            g_string_append_printf(s, "%d", (int)v);
        }
        break;
    default: /* 'x', 'F' */
        g_string_append_printf(s, "0x%" PRIx64, v);
        break;
    }
}

void lu_strace_pre(CpuState *cpu, int nr, const uint64_t *args)
{
    const SyscallDef *d = lu_syscall_def(nr);
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "%d ", lu_task(cpu)->tid);
    if (!d) {
        g_string_append_printf(s, "Unknown syscall %d", nr);
    } else {
        g_string_append_printf(s, "%s(", d->name);
        const char *fmt = d->fmt ? d->fmt : "";
        for (int i = 0; fmt[i] && i < 6; i++) {
            if (i) {
                g_string_append_c(s, ',');
            }
            print_arg(cpu, s, fmt[i], args[i]);
        }
        g_string_append_c(s, ')');
    }
    if (d && (d->flags & LU_SC_NORETURN)) {
        g_string_append_c(s, '\n');
    }
    FILE *f = lu_log_stream();
    fputs(s->str, f);
    fflush(f);
    g_string_free(s, TRUE);
}

void lu_strace_post(CpuState *cpu, int nr, const uint64_t *args, int64_t ret)
{
    const SyscallDef *d = lu_syscall_def(nr);
    FILE *f = lu_log_stream();
    if (d && (d->flags & LU_SC_NORETURN)) {
        return;
    }
    if (ret == -LU_ERESTARTSYS) {
        fprintf(f, " = ? (interrupted, to be restarted)\n");
    } else if (ret == -LU_EJUSTRETURN) {
        fprintf(f, " = ?\n");
    } else if (ret < 0 && ret >= -4095) {
        fprintf(f, " = -1 errno=%d (%s)\n", (int)-ret, g_strerror((int)-ret));
    } else if (d && (d->flags & LU_SC_RET_PTR)) {
        fprintf(f, " = 0x%016" PRIx64 "\n", (uint64_t)ret);
    } else if (d && (d->flags & LU_SC_RET_HEX)) {
        fprintf(f, " = 0x%" PRIx64 "\n", (uint64_t)ret);
    } else {
        fprintf(f, " = %" PRId64 "\n", ret);
    }
    fflush(f);
}
