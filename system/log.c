/*
 * -d / -D logging: which items are on (rove_log_mask) and where they go.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "rove/exec.h"

static const struct {
    const char *name;
    unsigned mask;
    const char *help;
} log_items[] = {
    { "in_asm", LOG_IN_ASM, "show guest code of each translated block" },
    { "op", LOG_OP, "show the IR of each block" },
    { "op_opt", LOG_OP_OPT, "show the IR after optimisation" },
    { "out_asm", LOG_OUT_ASM, "show the host code of each block" },
    { "exec", LOG_EXEC, "show each block executed" },
    { "cpu", LOG_CPU, "show the guest registers before each block" },
    { "unimp", LOG_UNIMP, "log unimplemented functionality (e.g. syscalls)" },
    { "nochain", LOG_NOCHAIN, "do not chain blocks (with exec/cpu: see every block)" },
    { "tier", LOG_TIER, "show first-tier blocks made again as superblocks (sampled hot)" },
};

bool rove_log_parse(const char *spec)
{
    unsigned mask = 0;
    char **parts = g_strsplit(spec, ",", -1);
    bool ok = true;
    for (char **p = parts; *p; p++) {
        bool found = false;
        if (strcmp(*p, "help") == 0) {
            ok = false;
            break;
        }
        for (size_t i = 0; i < G_N_ELEMENTS(log_items); i++) {
            if (strcmp(*p, log_items[i].name) == 0) {
                mask |= log_items[i].mask;
                found = true;
            }
        }
        if (!found) {
            fprintf(stderr, "rove: unknown log item '%s' (-d help lists them)\n", *p);
            g_strfreev(parts);
            return false;
        }
    }
    g_strfreev(parts);
    if (!ok) {
        printf("Log items (comma separated):\n");
        for (size_t i = 0; i < G_N_ELEMENTS(log_items); i++) {
            printf("%-10s %s\n", log_items[i].name, log_items[i].help);
        }
        return false;
    }
    rove_log_mask |= mask;
    return true;
}

bool rove_log_set_file(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "rove: cannot open log file %s\n", path);
        return false;
    }
    setvbuf(f, NULL, _IOFBF, 1 << 16);
    rove_log_file = f;
    return true;
}

void rove_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(rove_log_file ? rove_log_file : stderr, fmt, ap);
    va_end(ap);
}

FILE *rove_perfmap;

bool rove_perfmap_open(void)
{
    char path[64];
    snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
    rove_perfmap = fopen(path, "w");
    if (!rove_perfmap) {
        fprintf(stderr, "rove: cannot open %s\n", path);
        return false;
    }
    /* Line buffered: perf reads the file after we are gone, and a guest
     * that kills us must not leave half a map behind. */
    setvbuf(rove_perfmap, NULL, _IOLBF, 0);
    return true;
}
