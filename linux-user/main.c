/*
 * rove-riscv64: run a riscv64 Linux program on this host.
 *
 *   rove-riscv64 [options] PROGRAM [ARGS...]
 *
 * Options stop at the first non-option argument (the program) or "--".
 * Start-up order matters: the guest address space is reserved before
 * anything is mapped; signal handlers are in place before guest code can
 * run; the sigreturn trampoline is mapped after the program so that the
 * program and its interpreter get the addresses they would get without it.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib.h>

#include "linux-user/linux-user.h"

#ifndef ROVE_VERSION
#define ROVE_VERSION "0.1.0"
#endif

extern char **environ;

typedef struct LuOptions {
    const char *sysroot;
    const char *backend;
    const char *argv0;
    const char *log_spec;
    const char *log_file;
    bool strace;
    bool singlestep;
    bool perfmap;
    GPtrArray *env_ops;   /* "VAR=val" to set, or "VAR" to unset */
} LuOptions;

_Noreturn void lu_exit(int code)
{
    if (rove_log_file) {
        fflush(rove_log_file);
    }
    fflush(stdout);
    fflush(stderr);
    _exit(code);
}

FILE *lu_log_stream(void)
{
    return rove_log_file ? rove_log_file : stderr;
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: " LU_PROG " [options] PROGRAM [ARGS...]\n"
        "Run a riscv64 Linux program.\n\n"
        "  -L SYSROOT     look up the ELF interpreter and absolute paths the program\n"
        "                 opens under SYSROOT first (env ROVE_LD_PREFIX; default for\n"
        "                 dynamic programs: /usr/riscv64-linux-gnu)\n"
        "  -E VAR=VALUE   set an environment variable for the program\n"
        "  -U VAR         unset an environment variable for the program\n"
        "  -0 ARGV0       argv[0] for the program (default: PROGRAM)\n"
        "  -d ITEM,...    enable logging (-d help lists the items)\n"
        "  -D FILE        write the log to FILE (default: stderr)\n"
        "  -accel tcg[,backend=x86_64|interp]\n"
        "                 choose the code generator back end (env ROVE_BACKEND)\n"
        "  -singlestep    translate one guest instruction per block\n"
        "  -perfmap       write /tmp/perf-PID.map so that perf names translated blocks\n"
        "  -strace        log the program's system calls (env ROVE_STRACE=1)\n"
        "  -version       print the version and exit\n"
        "  -h, -help      print this help and exit\n");
}

static _Noreturn void bad_option(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", LU_PROG);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(1);
}

/* "-accel tcg[,backend=NAME]" */
static void parse_accel(LuOptions *o, const char *spec)
{
    char **parts = g_strsplit(spec, ",", -1);
    if (!parts[0] || strcmp(parts[0], "tcg") != 0) {
        bad_option("unsupported accelerator '%s' (only tcg)", spec);
    }
    for (char **p = parts + 1; *p; p++) {
        if (g_str_has_prefix(*p, "backend=")) {
            o->backend = g_strdup(*p + strlen("backend="));
        } else {
            bad_option("unknown -accel property '%s'", *p);
        }
    }
    g_strfreev(parts);
}

/* Parse options; returns the index of PROGRAM in argv. */
static int parse_options(LuOptions *o, int argc, char **argv)
{
    int i = 1;
    while (i < argc) {
        const char *arg = argv[i];
        if (arg[0] != '-' || arg[1] == 0) {
            break;
        }
        i++;
        if (strcmp(arg, "--") == 0) {
            break;
        }
        if (arg[1] == '-') {
            arg++; /* accept --opt as -opt */
        }
        static const char *const with_value[] = { "-L", "-E", "-U", "-0", "-d", "-D",
                                                  "-accel" };
        const char *val = NULL;
        for (size_t k = 0; k < G_N_ELEMENTS(with_value); k++) {
            if (strcmp(arg, with_value[k]) == 0) {
                if (i >= argc) {
                    bad_option("option %s needs an argument", arg);
                }
                val = argv[i++];
            }
        }
        if (strcmp(arg, "-L") == 0) {
            o->sysroot = val;
        } else if (strcmp(arg, "-E") == 0) {
            if (!strchr(val, '=')) {
                bad_option("-E needs VAR=VALUE, not '%s'", val);
            }
            g_ptr_array_add(o->env_ops, g_strdup(val));
        } else if (strcmp(arg, "-U") == 0) {
            if (strchr(val, '=')) {
                bad_option("-U needs a variable name, not '%s'", val);
            }
            g_ptr_array_add(o->env_ops, g_strdup(val));
        } else if (strcmp(arg, "-0") == 0) {
            o->argv0 = val;
        } else if (strcmp(arg, "-d") == 0) {
            if (!rove_log_parse(val)) {
                exit(strcmp(val, "help") == 0 ? 0 : 1);
            }
            o->log_spec = val;
        } else if (strcmp(arg, "-D") == 0) {
            o->log_file = val;
        } else if (strcmp(arg, "-accel") == 0) {
            parse_accel(o, val);
        } else if (strcmp(arg, "-singlestep") == 0 || strcmp(arg, "-one-insn-per-tb") == 0) {
            o->singlestep = true;
        } else if (strcmp(arg, "-perfmap") == 0) {
            o->perfmap = true;
        } else if (strcmp(arg, "-strace") == 0) {
            o->strace = true;
        } else if (strcmp(arg, "-version") == 0) {
            printf("%s version %s\n", LU_PROG, ROVE_VERSION);
            exit(0);
        } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "-help") == 0) {
            usage(stdout);
            exit(0);
        } else {
            bad_option("unknown option '%s' (try -h)", argv[i - 1]);
        }
    }
    return i;
}

static const TcgBackend *pick_backend(const char *name)
{
    if (!name) {
#if defined(__x86_64__)
        name = "x86_64";
#else
        name = "interp";
#endif
    }
    if (strcmp(name, "interp") == 0) {
        return &tcg_backend_interp;
    }
#if defined(__x86_64__)
    if (strcmp(name, "x86_64") == 0 || strcmp(name, "x86-64") == 0) {
        return &tcg_backend_x86_64;
    }
#endif
    fprintf(stderr, "%s: unknown or unavailable back end '%s' (x86_64, interp)\n", LU_PROG,
            name);
    exit(1);
}

/*
 * GLib 2.74's slice allocator keeps per-size magazines behind its own
 * mutexes, which a fork(2) by one guest thread can copy locked while
 * another thread holds them (a thread exiting returns its magazines): the
 * child then hangs in its first g_slice allocation (a GPtrArray, say).
 * glibc's malloc is made fork-safe by glibc itself, so slices must go to
 * it: G_SLICE=always-malloc (GLib 2.76 and later always do).  GLib reads
 * the variable in its own constructor, before main, and a .preinit_array
 * setenv is lost when libc sets up environ, so the emulator runs itself
 * again with the variable set (once: a guest execve passes it on,
 * lu_slice_env_for_exec).  The guest does not see it unless the user set
 * it (build_env).
 */
#define SLICE_MARK "ROVE_G_SLICE_SET"

static bool slice_env_added;

/* Is /proc/self/exe this program (not a loader or tool that runs it:
 * `ld.so rove-riscv64`, valgrind)?  Its inode must be that of the mapping
 * that holds our own code. */
static bool self_exe_is_us(void)
{
    const char *pre = getenv("LD_PRELOAD");
    if (pre && strstr(pre, "vgpreload")) {
        return false; /* valgrind: GLib already uses malloc under it */
    }
    struct stat st;
    FILE *f = fopen("/proc/self/maps", "r");
    if (stat("/proc/self/exe", &st) != 0 || !f) {
        if (f) {
            fclose(f);
        }
        return false;
    }
    uintptr_t here = (uintptr_t)(void *)self_exe_is_us;
    char line[512];
    bool us = false;
    while (fgets(line, sizeof(line), f)) {
        unsigned long lo, hi, ino;
        if (sscanf(line, "%lx-%lx %*s %*s %*s %lu", &lo, &hi, &ino) == 3 && here >= lo &&
            here < hi) {
            us = ino == (unsigned long)st.st_ino;
            break;
        }
    }
    fclose(f);
    return us;
}

static void slice_to_malloc(char **argv)
{
    const char *slice = getenv("G_SLICE");
    if (getenv(SLICE_MARK)) {
        unsetenv(SLICE_MARK);
        /* (A marker inherited without the variable is no proof.) */
        slice_env_added = slice && strcmp(slice, "always-malloc") == 0;
        if (slice_env_added) {
            return;
        }
    }
    if (glib_check_version(2, 76, 0) == NULL || slice || !self_exe_is_us()) {
        return; /* slices are malloc already, the user chose, or we cannot */
    }
    setenv("G_SLICE", "always-malloc", 1);
    setenv(SLICE_MARK, "1", 1);
    execv("/proc/self/exe", argv);
    unsetenv("G_SLICE"); /* no /proc: carry on as before */
    unsetenv(SLICE_MARK);
}

void lu_slice_env_for_exec(GPtrArray *envp)
{
    if (glib_check_version(2, 76, 0) == NULL) {
        return;
    }
    for (guint i = 0; i < envp->len; i++) {
        const char *e = g_ptr_array_index(envp, i);
        if (e && g_str_has_prefix(e, "G_SLICE=")) {
            return; /* the guest's own: the new emulator uses it as is */
        }
    }
    /* Before the array's NULL terminator. */
    g_ptr_array_insert(envp, (gint)envp->len - 1, g_strdup("G_SLICE=always-malloc"));
    g_ptr_array_insert(envp, (gint)envp->len - 1, g_strdup(SLICE_MARK "=1"));
}

/* The guest environment: ours, edited by -E/-U. */
static char **build_env(const LuOptions *o)
{
    char **env = g_get_environ();
    if (slice_env_added) {
        env = g_environ_unsetenv(env, "G_SLICE");
    }
    for (unsigned i = 0; i < o->env_ops->len; i++) {
        const char *op = g_ptr_array_index(o->env_ops, i);
        const char *eq = strchr(op, '=');
        if (eq) {
            char *name = g_strndup(op, eq - op);
            env = g_environ_setenv(env, name, eq + 1, TRUE);
            g_free(name);
        } else {
            env = g_environ_unsetenv(env, op);
        }
    }
    return env;
}

int main(int argc, char **argv)
{
    slice_to_malloc(argv);
    LuOptions o = { 0 };
    o.env_ops = g_ptr_array_new_with_free_func(g_free);
    o.sysroot = getenv("ROVE_LD_PREFIX");
    o.backend = getenv("ROVE_BACKEND");
    o.strace = getenv("ROVE_STRACE") && strcmp(getenv("ROVE_STRACE"), "0") != 0;
    if (o.sysroot && !*o.sysroot) {
        o.sysroot = NULL;
    }
    if (o.backend && !*o.backend) {
        o.backend = NULL;
    }

    int prog = parse_options(&o, argc, argv);
    if (prog >= argc) {
        fprintf(stderr, "%s: no program given (try -h)\n", LU_PROG);
        return 1;
    }
    if (o.log_file && !rove_log_set_file(o.log_file)) {
        return 1;
    }
    if (o.perfmap && !rove_perfmap_open()) {
        return 1;
    }
    if (o.singlestep) {
        rove_log_mask |= LOG_SINGLESTEP;
    }
    if (sysconf(_SC_PAGESIZE) != (long)TARGET_PAGE_SIZE) {
        fprintf(stderr, "%s: host page size %ld is not supported (need 4096)\n", LU_PROG,
                sysconf(_SC_PAGESIZE));
        return 1;
    }
    const TcgBackend *backend = pick_backend(o.backend);
    const char *path = argv[prog];

    if (!guest_mem_init()) {
        return 1;
    }
    LinuxProc *proc = g_new0(LinuxProc, 1);
    TaskState *ts = g_new0(TaskState, 1);
    ts->proc = proc;
    ts->altstack_flags = 2; /* SS_DISABLE */
    proc->sysroot = o.sysroot ? g_strdup(o.sysroot) : NULL;
    proc->backend_name = backend->name ? backend->name : o.backend;
    proc->strace = o.strace;
    proc->singlestep = o.singlestep;
    proc->log_spec = o.log_spec ? g_strdup(o.log_spec) : NULL;
    proc->log_to_file = o.log_file != NULL;
    proc->rove_path = g_file_read_link("/proc/self/exe", NULL);
    if (!proc->rove_path) {
        proc->rove_path = g_strdup(argv[0]);
    }

    CpuState *cpu = cpu_create(&target_riscv64, backend);
    cpu->opaque = ts;
    lu_thread_init(cpu);
    lu_signal_init(cpu);

    char **env = build_env(&o);
    char **gargv = g_new0(char *, argc - prog + 1);
    for (int i = prog; i < argc; i++) {
        gargv[i - prog] = argv[i];
    }
    if (o.argv0) {
        gargv[0] = (char *)o.argv0;
    }
    LuExecInfo info;
    if (!lu_load_program(cpu, path, path, gargv, env, &info)) {
        lu_exit(1); /* the reason is printed; skip freeing the world */
    }
    g_free(gargv);
    g_strfreev(env);
    proc->sigtramp = lu_arch_setup_sigtramp(cpu);
    if (!proc->sigtramp) {
        fprintf(stderr, "%s: cannot map the signal trampoline\n", LU_PROG);
        lu_exit(1);
    }
    lu_arch_init_regs(cpu, &info);
    lu_arch_cpu_loop(cpu);
}
