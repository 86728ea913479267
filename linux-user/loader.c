/*
 * Program loading: maps the guest ELF (and its PT_INTERP dynamic loader)
 * into the guest address space and builds the initial stack the riscv64
 * Linux ABI promises to _start.
 *
 * Guest layout (the space is [0, 2^40)):
 *   ET_EXEC      at its link address (0x10000 for a typical static binary)
 *   PIE main     at LU_PIE_BASE (0x2aaaaaa000), brk right after it
 *   interpreter  in the mmap area (guest_find_free: from 0x4000000000 up)
 *   stack        RLIMIT_STACK (8 MiB if unlimited or smaller; at most
 *                512 MiB) just below LU_STACK_TOP, near the top of the space,
 *                with a 1 MiB guard gap below it that mmap never picks
 *
 * Segments are mapped the way the kernel's elf_map does: the file pages
 * with MAP_FIXED at the page-aligned vaddr, the tail of the last file page
 * zeroed, and anonymous pages for the rest of p_memsz.  Every host mapping
 * lies inside the guest reservation and is recorded with page_set_flags.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "linux-user/elfload.h"
#include "linux-user/linux-user.h"

#define LU_PIE_BASE 0x2aaaaaa000ull
#define LU_STACK_TOP (GUEST_ADDR_LIMIT - TARGET_PAGE_SIZE)
#define LU_STACK_MIN (8ull << 20)
#define LU_STACK_MAX (512ull << 20)
#define LU_STACK_GUARD (1ull << 20)

static uint64_t stack_size(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_STACK, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
        rl.rlim_cur < LU_STACK_MIN) {
        return LU_STACK_MIN;
    }
    return MIN((uint64_t)rl.rlim_cur, LU_STACK_MAX) & TARGET_PAGE_MASK;
}
#define LU_DEFAULT_SYSROOT "/usr/riscv64-linux-gnu"
#define LU_MAX_SHEBANG_DEPTH 4

/* Auxiliary vector tags */
enum {
    AT_NULL_ = 0, AT_PHDR_ = 3, AT_PHENT_ = 4, AT_PHNUM_ = 5, AT_PAGESZ_ = 6,
    AT_BASE_ = 7, AT_FLAGS_ = 8, AT_ENTRY_ = 9, AT_UID_ = 11, AT_EUID_ = 12,
    AT_GID_ = 13, AT_EGID_ = 14, AT_HWCAP_ = 16, AT_CLKTCK_ = 17,
    AT_SECURE_ = 23, AT_RANDOM_ = 25, AT_EXECFN_ = 31,
};

/* rv64imafdc: one bit per extension letter, as the kernel reports it. */
#define LU_HWCAP ((1u << ('I' - 'A')) | (1u << ('M' - 'A')) | (1u << ('A' - 'A')) | \
                  (1u << ('F' - 'A')) | (1u << ('D' - 'A')) | (1u << ('C' - 'A')))

typedef struct LuFile {
    int fd;
    uint8_t *buf;   /* whole file, read-only mapping (or NULL if empty) */
    size_t len;
} LuFile;

static void lu_file_close(LuFile *f)
{
    if (f->buf) {
        munmap(f->buf, f->len);
    }
    if (f->fd >= 0) {
        close(f->fd);
    }
    f->buf = NULL;
    f->fd = -1;
}

/* Open and map a file; on failure *err is a reason (strerror or ours). */
static bool lu_file_open(const char *path, LuFile *f, const char **err)
{
    struct stat st;
    f->fd = open(path, O_RDONLY | O_CLOEXEC);
    f->buf = NULL;
    f->len = 0;
    if (f->fd < 0) {
        *err = g_strerror(errno);
        return false;
    }
    if (fstat(f->fd, &st) < 0) {
        *err = g_strerror(errno);
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) {
        *err = g_strerror(EISDIR);
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        *err = "not a regular file";
        goto fail;
    }
    if (st.st_size > 0) {
        void *p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, f->fd, 0);
        if (p == MAP_FAILED) {
            *err = g_strerror(errno);
            goto fail;
        }
        f->buf = p;
        f->len = st.st_size;
    }
    return true;
fail:
    lu_file_close(f);
    return false;
}

static int elf_prot(uint32_t pflags)
{
    int prot = 0;
    if (pflags & 4) {
        prot |= PROT_READ;
    }
    if (pflags & 2) {
        prot |= PROT_WRITE;
    }
    if (pflags & 1) {
        prot |= PROT_EXEC;
    }
    return prot;
}

static int guest_page_flags(int prot)
{
    return ((prot & PROT_READ) ? PAGE_READ : 0) | ((prot & PROT_WRITE) ? PAGE_WRITE : 0) |
           ((prot & PROT_EXEC) ? PAGE_EXEC : 0) | PAGE_VALID;
}

static bool range_is_free(uint64_t start, uint64_t end)
{
    for (uint64_t a = start; a < end; a += TARGET_PAGE_SIZE) {
        if (page_get_flags(a) & PAGE_VALID) {
            return false;
        }
    }
    return true;
}

/* Map one PT_LOAD at bias + vaddr. */
static bool map_segment(CpuState *cpu, const LuFile *f, const LuElfSegment *s, uint64_t bias,
                        const char **err)
{
    int prot = elf_prot(s->flags);
    int hprot = lu_host_prot(prot);
    uint64_t vaddr = bias + s->vaddr;
    uint64_t page = vaddr & TARGET_PAGE_MASK;
    uint64_t pgoff = vaddr - page;
    uint64_t file_end = vaddr + s->filesz;
    uint64_t mem_end = (vaddr + s->memsz + TARGET_PAGE_SIZE - 1) & TARGET_PAGE_MASK;

    if (s->filesz > 0) {
        uint64_t map_len = (pgoff + s->filesz + TARGET_PAGE_SIZE - 1) & TARGET_PAGE_MASK;
        void *p = mmap(g2h(page), map_len, hprot | PROT_WRITE,
                       MAP_PRIVATE | MAP_FIXED, f->fd, s->offset - pgoff);
        if (p == MAP_FAILED) {
            *err = g_strerror(errno);
            return false;
        }
        /* bss sharing the last file page starts zeroed, not file bytes */
        uint64_t file_page_end = (file_end + TARGET_PAGE_SIZE - 1) & TARGET_PAGE_MASK;
        if (s->memsz > s->filesz && file_end < file_page_end) {
            memset(g2h(file_end), 0, file_page_end - file_end);
        }
        mprotect(p, map_len, hprot);
        page = page + map_len;
    }
    if (page < mem_end) {
        void *p = mmap(g2h(page), mem_end - page, hprot,
                       MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            *err = g_strerror(errno);
            return false;
        }
    }
    page_set_flags(cpu, vaddr & TARGET_PAGE_MASK, mem_end, guest_page_flags(prot));
    return true;
}

/* Place and map an image.  hint: preferred base for ET_DYN (0: mmap area). */
static bool map_image(CpuState *cpu, const LuFile *f, const LuElfInfo *info, uint64_t hint,
                      LuImage *img, const char **err)
{
    uint64_t bias = 0;
    uint64_t span = info->hi - info->lo;
    if (info->type == 3 /* ET_DYN */) {
        uint64_t align = info->align;
        uint64_t base = guest_find_free(hint, span + align);
        if (base == (uint64_t)-1) {
            *err = "not enough guest address space for the image";
            return false;
        }
        base = (base + align - 1) & ~(align - 1);
        bias = base - info->lo;
    } else if (!range_is_free(info->lo, info->hi)) {
        *err = "segments overlap memory already in use";
        return false;
    }
    for (int i = 0; i < info->nb_load; i++) {
        if (!map_segment(cpu, f, &info->load[i], bias, err)) {
            return false;
        }
    }
    img->load_bias = bias;
    img->entry = info->entry + bias;
    img->phdr = info->has_phdr_vaddr ? info->phdr_vaddr + bias : 0;
    img->phnum = info->phnum;
    img->phent = info->phentsize;
    img->start = info->lo + bias;
    img->end = info->hi + bias;
    img->exec_stack = info->exec_stack;
    return true;
}

static void lu_err(const char *name, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void lu_err(const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: %s: ", LU_PROG, name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* Find and load the dynamic loader; may set the default sysroot. */
static bool load_interp(CpuState *cpu, const char *name, const char *interp, LuImage *img)
{
    LinuxProc *proc = lu_proc(cpu);
    char buf[PATH_MAX];
    const char *path = NULL;
    LuFile f;
    LuElfInfo info;
    const char *err = NULL;

    if (proc->sysroot) {
        path = lu_path(proc, interp, buf);
    } else if (lu_check_exec(proc, interp) == LU_EXEC_EMULATE) {
        path = interp;
    } else {
        /* Debian's libc6-riscv64-cross lives here: use it as the sysroot. */
        if (strlen(LU_DEFAULT_SYSROOT) + strlen(interp) < sizeof(buf)) {
            memcpy(buf, LU_DEFAULT_SYSROOT, strlen(LU_DEFAULT_SYSROOT));
            strcpy(buf + strlen(LU_DEFAULT_SYSROOT), interp);
        } else {
            buf[0] = 0;
        }
        if (buf[0] && access(buf, F_OK) == 0) {
            proc->sysroot = g_strdup(LU_DEFAULT_SYSROOT);
            path = buf;
        } else {
            lu_err(name, "cannot find the ELF interpreter %s (use -L SYSROOT, or "
                   "install libc6-riscv64-cross for %s)", interp, LU_DEFAULT_SYSROOT);
            return false;
        }
    }
    if (!lu_file_open(path, &f, &err)) {
        lu_err(name, "cannot load the ELF interpreter %s: %s%s", path, err,
               proc->sysroot ? "" : " (use -L SYSROOT)");
        return false;
    }
    if (!lu_elf_parse(f.buf, f.len, &info, &err)) {
        lu_err(name, "ELF interpreter %s: %s", path, err);
        lu_file_close(&f);
        return false;
    }
    bool ok = map_image(cpu, &f, &info, 0, img, &err);
    if (!ok) {
        lu_err(name, "ELF interpreter %s: %s", path, err);
    }
    lu_elf_info_free(&info);
    lu_file_close(&f);
    return ok;
}

/* ---- the initial stack ---- */

static uint64_t push_bytes(uint64_t sp, const void *p, size_t n)
{
    sp -= n;
    memcpy(g2h(sp), p, n);
    return sp;
}

static bool build_stack(CpuState *cpu, const char *name, const char *execfn, char **argv,
                        char **envp, LuExecInfo *out)
{
    uint64_t size = stack_size();
    uint64_t top = LU_STACK_TOP;
    uint64_t bottom = top - size;
    int argc = g_strv_length(argv);
    int envc = g_strv_length(envp);
    size_t strsize = strlen(execfn) + 1;
    for (int i = 0; i < argc; i++) {
        strsize += strlen(argv[i]) + 1;
    }
    for (int i = 0; i < envc; i++) {
        strsize += strlen(envp[i]) + 1;
    }
    /* The kernel allows a quarter of the stack limit for these. */
    if (strsize + (argc + envc + 64) * 8ull > size / 4) {
        lu_err(name, "%s", g_strerror(E2BIG));
        return false;
    }
    int prot = PROT_READ | PROT_WRITE | (out->prog.exec_stack ? PROT_EXEC : 0);
    if (mmap(g2h(bottom), size, lu_host_prot(prot),
             MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) == MAP_FAILED) {
        lu_err(name, "cannot map the stack: %s", g_strerror(errno));
        return false;
    }
    page_set_flags(cpu, bottom, top, guest_page_flags(prot));
    /* The guard gap: valid (so guest_find_free skips it) but inaccessible,
     * so running off the stack faults instead of hitting an mmap. */
    page_set_flags(cpu, bottom - LU_STACK_GUARD, bottom, PAGE_VALID);
    lu_proc(cpu)->stack_lo = bottom;
    lu_proc(cpu)->stack_hi = top;

    uint64_t sp = top - 8;
    uint64_t execfn_addr = sp = push_bytes(sp, execfn, strlen(execfn) + 1);
    uint64_t *envp_g = g_new(uint64_t, envc + 1);
    uint64_t *argv_g = g_new(uint64_t, argc + 1);
    for (int i = envc - 1; i >= 0; i--) {
        envp_g[i] = sp = push_bytes(sp, envp[i], strlen(envp[i]) + 1);
    }
    for (int i = argc - 1; i >= 0; i--) {
        argv_g[i] = sp = push_bytes(sp, argv[i], strlen(argv[i]) + 1);
    }
    LinuxProc *proc = lu_proc(cpu);
    if (proc->cmdline) {
        g_byte_array_unref(proc->cmdline);
    }
    proc->cmdline = g_byte_array_new();
    for (int i = 0; i < argc; i++) {
        g_byte_array_append(proc->cmdline, (const guint8 *)argv[i], strlen(argv[i]) + 1);
    }
    envp_g[envc] = 0;
    argv_g[argc] = 0;

    uint8_t rnd[16];
    if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd)) {
        for (size_t i = 0; i < sizeof(rnd); i++) {
            rnd[i] = (uint8_t)g_random_int();
        }
    }
    sp &= ~15ull;
    uint64_t random_addr = sp = push_bytes(sp, rnd, sizeof(rnd));

    uint64_t auxv[][2] = {
        { AT_PHDR_, out->prog.phdr },
        { AT_PHENT_, out->prog.phent },
        { AT_PHNUM_, out->prog.phnum },
        { AT_PAGESZ_, TARGET_PAGE_SIZE },
        { AT_BASE_, out->has_interp ? out->interp.load_bias : 0 },
        { AT_FLAGS_, 0 },
        { AT_ENTRY_, out->prog.entry },
        { AT_UID_, getuid() },
        { AT_EUID_, geteuid() },
        { AT_GID_, getgid() },
        { AT_EGID_, getegid() },
        { AT_HWCAP_, LU_HWCAP },
        { AT_CLKTCK_, (uint64_t)sysconf(_SC_CLK_TCK) },
        { AT_RANDOM_, random_addr },
        { AT_SECURE_, 0 },
        { AT_EXECFN_, execfn_addr },
        { AT_NULL_, 0 },
    };
    size_t nwords = 1 + (argc + 1) + (envc + 1) + G_N_ELEMENTS(auxv) * 2;
    sp = (sp - nwords * 8) & ~15ull;
    uint64_t *w = g2h(sp);
    *w++ = argc;
    memcpy(w, argv_g, (argc + 1) * 8);
    w += argc + 1;
    memcpy(w, envp_g, (envc + 1) * 8);
    w += envc + 1;
    memcpy(w, auxv, sizeof(auxv));
    g_free(lu_proc(cpu)->auxv);
    lu_proc(cpu)->auxv = g_memdup2(auxv, sizeof(auxv));
    lu_proc(cpu)->auxv_len = sizeof(auxv);
    g_free(envp_g);
    g_free(argv_g);
    out->sp = sp;
    return true;
}

/* ---- #! scripts ---- */

/* Parse "#!interp [arg]" from the start of a file.  false if malformed. */
static bool parse_shebang(const uint8_t *buf, size_t len, char **interp, char **arg)
{
    size_t n = MIN(len, 256);
    const uint8_t *nl = memchr(buf, '\n', n);
    size_t end = nl ? (size_t)(nl - buf) : n;
    char *line = g_strndup((const char *)buf + 2, end - 2);
    g_strstrip(line);
    char *sp = line + strcspn(line, " \t");
    if (line[0] == 0) {
        g_free(line);
        return false;
    }
    *arg = NULL;
    if (*sp) {
        *sp++ = 0;
        sp += strspn(sp, " \t");
        if (*sp) {
            *arg = g_strdup(sp);
        }
    }
    *interp = g_strdup(line);
    g_free(line);
    return true;
}

bool lu_load_program(CpuState *cpu, const char *path, const char *display_name,
                     char **argv, char **envp, LuExecInfo *out)
{
    LinuxProc *proc = lu_proc(cpu);
    char **args = g_strdupv(argv);
    char *cur = g_strdup(path);
    const char *execfn = display_name;
    LuFile f = { .fd = -1 };
    LuElfInfo info = { 0 };
    const char *err = NULL;
    bool ok = false;

    memset(out, 0, sizeof(*out));
    for (int depth = 0;; depth++) {
        if (!lu_file_open(cur, &f, &err)) {
            if (depth > 0) {
                /* Name the #! interpreter that is missing, not the script. */
                lu_err(display_name, "#! interpreter %s: %s", cur, err);
            } else {
                lu_err(display_name, "%s", err);
            }
            goto out;
        }
        if (f.len < 2 || f.buf[0] != '#' || f.buf[1] != '!') {
            break;
        }
        char *interp, *iarg;
        if (depth >= LU_MAX_SHEBANG_DEPTH || !parse_shebang(f.buf, f.len, &interp, &iarg)) {
            lu_err(display_name, "bad or too deeply nested #! script");
            goto out;
        }
        lu_file_close(&f);
        /* argv becomes: interp [iarg] script args[1..] */
        GPtrArray *na = g_ptr_array_new();
        g_ptr_array_add(na, g_strdup(interp));
        if (iarg) {
            g_ptr_array_add(na, iarg);
        }
        g_ptr_array_add(na, g_strdup(cur));
        for (int i = 1; args[0] && args[i]; i++) {
            g_ptr_array_add(na, g_strdup(args[i]));
        }
        g_ptr_array_add(na, NULL);
        g_strfreev(args);
        args = (char **)g_ptr_array_free(na, FALSE);
        char buf[PATH_MAX];
        g_free(cur);
        cur = g_strdup(lu_path(proc, interp, buf));
        g_free(interp);
    }
    if (!lu_elf_parse(f.buf, f.len, &info, &err)) {
        lu_err(display_name, "%s", err);
        goto out;
    }
    g_free(proc->exe_path);
    proc->exe_path = realpath(cur, NULL);
    if (!proc->exe_path) {
        proc->exe_path = g_strdup(cur);
    }
    if (!map_image(cpu, &f, &info, LU_PIE_BASE, &out->prog, &err)) {
        lu_err(display_name, "%s", err);
        goto out;
    }
    if (out->prog.phdr == 0) {
        /* Headers not in any segment: AT_PHDR must still point at them. */
        lu_err(display_name, "malformed ELF: program headers not loaded");
        goto out;
    }
    lu_brk_init(proc, out->prog.end);
    out->entry = out->prog.entry;
    if (info.has_interp) {
        if (!load_interp(cpu, display_name, info.interp, &out->interp)) {
            goto out;
        }
        out->has_interp = true;
        out->entry = out->interp.entry;
    }
    ok = build_stack(cpu, display_name, execfn, args, envp, out);
out:
    lu_elf_info_free(&info);
    lu_file_close(&f);
    g_strfreev(args);
    g_free(cur);
    return ok;
}

/* Kind of the file at host path: 1 riscv64 ELF, 2 #! script, 0 other. */
static int exec_kind(const char *path, uint8_t *hdr, size_t hdrsz, ssize_t *got)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return -EACCES;
    }
    ssize_t n = pread(fd, hdr, hdrsz, 0);
    close(fd);
    *got = n;
    if (n >= 2 && hdr[0] == '#' && hdr[1] == '!') {
        return 2;
    }
    /* class 64, little-endian, EM_RISCV */
    if (n >= 64 && memcmp(hdr, "\177ELF", 4) == 0 && hdr[4] == 2 && hdr[5] == 1 &&
        hdr[18] == 243 && hdr[19] == 0) {
        return 1;
    }
    return 0;
}

int lu_check_exec(LinuxProc *proc, const char *path)
{
    char cur[PATH_MAX];
    g_strlcpy(cur, path, sizeof(cur));
    for (int depth = 0; depth < LU_MAX_SHEBANG_DEPTH; depth++) {
        uint8_t hdr[256];
        ssize_t n = 0;
        int k = exec_kind(cur, hdr, sizeof(hdr), &n);
        if (k < 0) {
            return k;
        }
        if (k == 1) {
            return LU_EXEC_EMULATE;
        }
        if (k == 0) {
            return LU_EXEC_HOST;
        }
        char *interp, *arg;
        if (!parse_shebang(hdr, n, &interp, &arg)) {
            return -ENOEXEC;
        }
        char buf[PATH_MAX];
        g_strlcpy(cur, lu_path(proc, interp, buf), sizeof(cur));
        g_free(interp);
        g_free(arg);
    }
    return -ELOOP;
}
