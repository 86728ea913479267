/*
 * rove-system-riscv64: run a whole RISC-V machine (the `virt` board).
 *
 *   rove-system-riscv64 [-M virt] [-m 512M] [-smp 4] [-bios FILE|default|none]
 *                       [-kernel FILE [-initrd FILE] [-append ARGS]] [-nographic] ...
 *
 * Options are spelt as QEMU spells them, so command lines carry over.
 * Start-up: parse everything (bad input: one line on stderr, exit 1), build
 * the machine (hw/riscv/virt.c), hand the harts to the vCPU runner, and run
 * the GLib main loop: stdio input, the virtual clock's timers, and the
 * shutdown/reset requests of devices and signals (system/main-loop.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>
#include <glib.h>

#include "hw/char/chardev-stdio.h"
#include "hw/char/chardev.h"
#include "hw/riscv/virt.h"
#include "net/netdev.h"
#include "rove/block.h"
#include "rove/bql.h"
#include "rove/exec.h"
#include "rove/system.h"
#include "system/drive.h"
#include "system/main-loop.h"

#define PROG "rove-system-riscv64"
#ifndef ROVE_VERSION
#define ROVE_VERSION "0.1.0"
#endif

typedef enum SerialMode {
    SERIAL_DEFAULT,   /* mon:stdio: there is no display to show a console on */
    SERIAL_STDIO,     /* stdio without escapes: Ctrl-C is a signal to us */
    SERIAL_MON_STDIO, /* stdio with the Ctrl-A escapes (-nographic) */
    SERIAL_NONE,
    SERIAL_CHARDEV,   /* -serial chardev:ID */
} SerialMode;

typedef struct SysOptions {
    char *machine;            /* owned (g_strdup) */
    char *dumpdtb;
    const char *bios;
    const char *kernel;
    const char *initrd;
    const char *append;
    const char *dtb;
    uint64_t ram_size;
    int smp;
    SerialMode serial;
    bool serial_set;
    bool single_thread;
    bool no_reboot;
    const char *log_file;
    GPtrArray *devices;       /* -device specs (const char *: from argv or -drive) */
    unsigned ndrives;         /* -drive options seen */
    GPtrArray *chardevs;      /* -chardev specs (const char *, from argv) */
    const char *serial_chardev; /* -serial chardev:ID */
    GPtrArray *netdevs;       /* -netdev specs (const char *, from argv) */
    GPtrArray *nics;          /* -nic specs other than none */
} SysOptions;

static void usage(FILE *f)
{
    fprintf(f,
        "usage: " PROG " [options]\n"
        "Run a RISC-V virt machine (riscv64).\n\n"
        "  -M, -machine virt[,dumpdtb=FILE]\n"
        "                   the machine (-M help lists them); dumpdtb writes its device\n"
        "                   tree to FILE and exits\n"
        "  -m SIZE          RAM: 512M, 1G, or a number of MiB (default 128M)\n"
        "  -smp N           harts, 1 to %d (also cpus=N)\n"
        "  -bios FILE       firmware at the start of RAM; 'default' (OpenSBI\n"
        "                   fw_dynamic.bin, $ROVE_OPENSBI or Debian's opensbi package)\n"
        "                   or 'none' (the kernel runs in M mode)\n"
        "  -kernel FILE     ELF, Linux Image or raw binary, after the firmware\n"
        "  -initrd FILE     initial ram disk (needs -kernel)\n"
        "  -append ARGS     kernel command line (/chosen bootargs; needs -kernel)\n"
        "  -dtb FILE        use this device tree blob instead of the generated one\n"
        "  -nographic       serial console on stdio with Ctrl-A escapes (the default)\n"
        "  -serial stdio|mon:stdio|none|chardev:ID\n"
        "                   where the UART goes (mon:stdio: Ctrl-A x quits, Ctrl-A h helps)\n"
        "  -chardev BACKEND,id=ID[,OPT=VALUE...]\n"
        "                   a host end for chardev=ID / -serial chardev:ID (-chardev help): null,\n"
        "                   file,path=FILE, stdio (needs -serial elsewhere),\n"
        "                   socket,path=UNIXPATH|[host=HOST,]port=PORT[,server=on][,wait=off]\n"
        "  -display none    accepted: there is no display\n"
        "  -accel tcg[,thread=single|multi]\n"
        "                   one host thread for all harts, or one each (default)\n"
        "  -no-reboot       exit instead of resetting when the guest reboots\n"
        "  -device TYPE[,PROP=VALUE...]\n"
        "                   add a virtio device on a virtio-mmio slot (-device help\n"
        "                   lists them, -device TYPE,help their properties)\n"
        "  -drive file=FILE[,format=raw|qcow2][,if=virtio|none][,id=ID][,readonly=on]\n"
        "         [,snapshot=on][,cache=writeback|none|writethrough|directsync|unsafe]\n"
        "                   a disk on a virtio-blk-device (if=none: for -device\n"
        "                   virtio-blk-device,drive=ID); a bare FILE argument is -drive file=FILE\n"
        "  -netdev user,id=ID[,net=ADDR/MASK][,host=ADDR][,dns=ADDR][,dhcpstart=ADDR]\n"
        "         [,hostfwd=[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT][,restrict=on|off]\n"
        "                   a user-mode network (libslirp) for -device\n"
        "                   virtio-net-device,netdev=ID (-netdev help lists back ends)\n"
        "  -nic user[,model=virtio-net-device][,mac=MAC][,-netdev user options]\n"
        "                   a virtio-net card and its user-mode network in one option\n"
        "  -nic none, -net none\n"
        "                   no network card (the default)\n"
        "  -d ITEM,...      enable logging (-d help lists the items)\n"
        "  -D FILE          write the log to FILE (default: stderr)\n"
        "  -version         print the version and exit\n"
        "  -h, -help        print this help and exit\n",
        VIRT_MAX_CPUS);
}

static _Noreturn void die(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static _Noreturn void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, PROG ": ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

/* "virt", "virt,dumpdtb=FILE", "dumpdtb=FILE", "type=virt", "help". */
static void parse_machine(SysOptions *o, const char *spec)
{
    char **items = g_strsplit(spec, ",", -1);
    for (char **p = items; *p; p++) {
        const char *item = *p;
        if (p == items && !strchr(item, '=')) {
            g_free(o->machine);
            o->machine = g_strdup(item);
        } else if (g_str_has_prefix(item, "type=")) {
            g_free(o->machine);
            o->machine = g_strdup(item + 5);
        } else if (g_str_has_prefix(item, "dumpdtb=") && item[8]) {
            g_free(o->dumpdtb);
            o->dumpdtb = g_strdup(item + 8);
        } else {
            die("-machine %s: unsupported property '%s' (virt has dumpdtb=FILE)", spec, item);
        }
    }
    g_strfreev(items);
    if (o->machine && strcmp(o->machine, "help") == 0) {
        printf("Supported machines are:\n"
               "virt                 RISC-V VirtIO board (QEMU's memory map)\n");
        exit(0);
    }
}

/* QEMU's -m: "512M", "1G", "2048" (MiB), optionally "size=..." */
static uint64_t parse_ram_size(const char *spec)
{
    const char *s = g_str_has_prefix(spec, "size=") ? spec + 5 : spec;
    char *end;
    errno = 0;
    if (!g_ascii_isdigit(*s)) {
        die("-m %s: invalid RAM size (e.g. 512M, 1G, or 512 for MiB)", spec);
    }
    guint64 n = g_ascii_strtoull(s, &end, 10);
    unsigned shift = 20;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    case 0: break;
    default: end = NULL; break;
    }
    if (errno || !end || *end || n == 0 || n > (UINT64_MAX >> shift)) {
        die("-m %s: invalid RAM size (e.g. 512M, 1G, or 512 for MiB)", spec);
    }
    uint64_t size = n << shift;
    if (size < VIRT_MIN_RAM_SIZE || size > VIRT_MAX_RAM_SIZE || size % 4096) {
        die("-m %s: RAM must be a multiple of 4 KiB from %" PRIu64 " MiB to %" PRIu64 " GiB",
            spec, VIRT_MIN_RAM_SIZE >> 20, VIRT_MAX_RAM_SIZE >> 30);
    }
    return size;
}

static int parse_count(const char *opt, const char *spec, const char *text)
{
    char *end;
    errno = 0;
    gint64 n = g_ascii_isdigit(*text) ? g_ascii_strtoll(text, &end, 10) : -1;
    if (n < 1 || errno || *end || n > VIRT_MAX_CPUS) {
        die("%s %s: the virt machine has 1 to %d harts", opt, spec, VIRT_MAX_CPUS);
    }
    return (int)n;
}

/* "-smp N", "-smp cpus=N" (maxcpus=N accepted when equal: no hotplug). */
static void parse_smp(SysOptions *o, const char *spec)
{
    char **items = g_strsplit(spec, ",", -1);
    int maxcpus = 0;
    o->smp = 0;
    for (char **p = items; *p; p++) {
        if (p == items && !strchr(*p, '=')) {
            o->smp = parse_count("-smp", spec, *p);
        } else if (g_str_has_prefix(*p, "cpus=")) {
            o->smp = parse_count("-smp", spec, *p + 5);
        } else if (g_str_has_prefix(*p, "maxcpus=")) {
            maxcpus = parse_count("-smp", spec, *p + 8);
        } else {
            die("-smp %s: unsupported property '%s' (use -smp N or cpus=N)", spec, *p);
        }
    }
    g_strfreev(items);
    if (o->smp == 0) {
        o->smp = maxcpus ? maxcpus : 1;
    }
    if (maxcpus && maxcpus != o->smp) {
        die("-smp %s: maxcpus must equal cpus (no cpu hotplug)", spec);
    }
}

static void parse_serial(SysOptions *o, const char *spec)
{
    if (o->serial_set) {
        die("-serial %s: the virt machine has one UART (one -serial)", spec);
    }
    o->serial_set = true;
    if (strcmp(spec, "stdio") == 0) {
        o->serial = SERIAL_STDIO;
    } else if (strcmp(spec, "mon:stdio") == 0) {
        o->serial = SERIAL_MON_STDIO;
    } else if (strcmp(spec, "none") == 0 || strcmp(spec, "null") == 0) {
        o->serial = SERIAL_NONE;
    } else if (g_str_has_prefix(spec, "chardev:") && spec[8]) {
        o->serial = SERIAL_CHARDEV;
        o->serial_chardev = spec + 8;
    } else {
        die("-serial %s: unsupported (stdio, mon:stdio, none or chardev:ID)", spec);
    }
}

static void parse_accel(SysOptions *o, const char *spec)
{
    char **items = g_strsplit(spec, ",", -1);
    if (!items[0] || strcmp(items[0], "tcg") != 0) {
        die("-accel %s: unsupported accelerator (only tcg)", spec);
    }
    for (char **p = items + 1; *p; p++) {
        if (strcmp(*p, "thread=single") == 0) {
            o->single_thread = true;
        } else if (strcmp(*p, "thread=multi") == 0) {
            o->single_thread = false;
        } else {
            die("-accel %s: unsupported property '%s' (thread=single|multi)", spec, *p);
        }
    }
    g_strfreev(items);
}

/* "-device help", "-device TYPE,help", "-device TYPE[,PROP=VALUE...]". */
static void parse_device(SysOptions *o, const char *spec)
{
    if (strcmp(spec, "help") == 0 || strcmp(spec, "?") == 0) {
        GString *out = g_string_new(NULL);
        virt_device_help(out);
        fputs(out->str, stdout);
        g_string_free(out, TRUE);
        exit(0);
    }
    if (g_str_has_suffix(spec, ",help")) {
        char *type = g_strndup(spec, strlen(spec) - 5);
        GString *out = g_string_new(NULL);
        bool ok = virt_device_type_help(type, out);
        if (!ok) {
            die("-device %s: no such device on this machine (-device help lists them)", type);
        }
        fputs(out->str, stdout);
        g_string_free(out, TRUE);
        g_free(type);
        exit(0);
    }
    if (!o->devices) {
        o->devices = g_ptr_array_new();
    }
    g_ptr_array_add(o->devices, (gpointer)spec);
}

/* "-drive SPEC" (system/drive.c); a bare FILE argument is "-drive file=FILE". */
static void parse_drive(SysOptions *o, const char *spec, const char *what)
{
    GError *err = NULL;
    char *device = drive_add(spec, o->ndrives++, &err);
    if (!device) {
        die("%s: %s", what, err->message);
    }
    if (!*device) {
        g_free(device); /* if=none: a -device names it */
        return;
    }
    if (!o->devices) {
        o->devices = g_ptr_array_new();
    }
    g_ptr_array_add(o->devices, device);
}

/* -netdev, -nic, -net: kept in order, made by start_networks. */
static void parse_net_option(SysOptions *o, const char *arg, const char *val)
{
    if (strcmp(val, "help") == 0 || strcmp(val, "?") == 0) {
        GString *out = g_string_new(NULL);
        netdev_help(out);
        fputs(out->str, stdout);
        exit(0);
    }
    GPtrArray **list = strcmp(arg, "-netdev") == 0 ? &o->netdevs : &o->nics;
    if (strcmp(arg, "-netdev") != 0 && strcmp(val, "none") == 0) {
        return; /* no card: what we do anyway without -nic */
    }
    if (strcmp(arg, "-net") == 0) {
        die("-net %s: unsupported (use -nic %s, or -netdev with -device)", val, val);
    }
    if (!*list) {
        *list = g_ptr_array_new();
    }
    g_ptr_array_add(*list, (gpointer)val);
}

static void parse_options(SysOptions *o, int argc, char **argv)
{
    static const char *const with_value[] = {
        "-M", "-machine", "-bios", "-kernel", "-initrd", "-append", "-dtb", "-m", "-smp",
        "-serial", "-display", "-accel", "-nic", "-net", "-netdev", "-d", "-D", "-device",
        "-drive", "-chardev",
    };
    for (int i = 1; i < argc;) {
        const char *orig = argv[i++];
        const char *arg = orig;
        if (arg[0] != '-' || arg[1] == 0) {
            char *spec = g_strdup_printf("file=%s", arg); /* a disk image, as in QEMU */
            parse_drive(o, spec, arg);
            g_free(spec);
            continue;
        }
        if (arg[1] == '-') {
            arg++; /* --opt is -opt */
        }
        const char *val = NULL;
        for (size_t k = 0; k < G_N_ELEMENTS(with_value); k++) {
            if (strcmp(arg, with_value[k]) == 0) {
                if (i >= argc) {
                    die("option %s needs an argument", orig);
                }
                val = argv[i++];
            }
        }
        if (strcmp(arg, "-M") == 0 || strcmp(arg, "-machine") == 0) {
            parse_machine(o, val);
        } else if (strcmp(arg, "-bios") == 0) {
            o->bios = val;
        } else if (strcmp(arg, "-kernel") == 0) {
            o->kernel = val;
        } else if (strcmp(arg, "-initrd") == 0) {
            o->initrd = val;
        } else if (strcmp(arg, "-append") == 0) {
            o->append = val;
        } else if (strcmp(arg, "-dtb") == 0) {
            o->dtb = val;
        } else if (strcmp(arg, "-m") == 0) {
            o->ram_size = parse_ram_size(val);
        } else if (strcmp(arg, "-smp") == 0) {
            parse_smp(o, val);
        } else if (strcmp(arg, "-serial") == 0) {
            parse_serial(o, val);
        } else if (strcmp(arg, "-nographic") == 0) {
            /* Where a -serial says otherwise, it wins. */
        } else if (strcmp(arg, "-display") == 0) {
            if (strcmp(val, "none") != 0) {
                die("-display %s: there is no display (only -display none)", val);
            }
        } else if (strcmp(arg, "-accel") == 0) {
            parse_accel(o, val);
        } else if (strcmp(arg, "-no-reboot") == 0) {
            o->no_reboot = true;
        } else if (strcmp(arg, "-nic") == 0 || strcmp(arg, "-net") == 0 ||
                   strcmp(arg, "-netdev") == 0) {
            parse_net_option(o, arg, val);
        } else if (strcmp(arg, "-device") == 0) {
            parse_device(o, val);
        } else if (strcmp(arg, "-drive") == 0) {
            char *what = g_strdup_printf("-drive %s", val);
            parse_drive(o, val, what);
            g_free(what);
        } else if (strcmp(arg, "-chardev") == 0) {
            if (strcmp(val, "help") == 0) {
                GString *out = g_string_new(NULL);
                chardev_help(out);
                fputs(out->str, stdout);
                exit(0);
            }
            if (!o->chardevs) {
                o->chardevs = g_ptr_array_new();
            }
            g_ptr_array_add(o->chardevs, (gpointer)val);
        } else if (strcmp(arg, "-d") == 0) {
            if (!rove_log_parse(val)) {
                exit(strcmp(val, "help") == 0 ? 0 : 1);
            }
        } else if (strcmp(arg, "-D") == 0) {
            o->log_file = val;
        } else if (strcmp(arg, "-version") == 0) {
            printf("%s version %s\n", PROG, ROVE_VERSION);
            exit(0);
        } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "-help") == 0) {
            usage(stdout);
            exit(0);
        } else {
            die("unknown option '%s' (try -h)", orig);
        }
    }
    if (!o->machine) {
        o->machine = g_strdup("virt"); /* the only one */
    }
    if (strcmp(o->machine, "virt") != 0) {
        die("-machine %s: unsupported machine type (-M help lists them)", o->machine);
    }
}

/* ---- Running ---- */

typedef struct Run {
    VirtMachine *vm;
    GMainLoop *loop;
    bool no_reboot;
    int exit_status;
} Run;

/* Static so that leak checkers see the machine, which is never freed, as reachable. */
static Run run;

static void on_runstate(bool shutdown, int exit_status, bool reset, void *opaque)
{
    Run *r = opaque;
    if (shutdown || (reset && r->no_reboot)) {
        r->exit_status = shutdown ? exit_status : 0;
        g_main_loop_quit(r->loop);
        return;
    }
    if (reset) {
        vcpus_stop();
        bql_lock();
        virt_machine_reset(r->vm);
        bql_unlock();
        /* The reset reloaded the boot images into RAM behind the vCPUs'
         * backs: translations of pages the guest had changed would run
         * the old code.  Drop them all (every vCPU is parked). */
        tb_flush(NULL);
        vcpus_start();
    }
}

static gboolean on_signal(gpointer data)
{
    fprintf(stderr, PROG ": terminating on signal %d\n", GPOINTER_TO_INT(data));
    system_request_shutdown(0); /* as QEMU: a host signal is a clean exit */
    return G_SOURCE_CONTINUE;
}

/* Ctrl-A x (from the stdio source, main thread). */
static void on_quit(void *opaque)
{
    system_request_shutdown(0);
}

static void dump_dtb(const VirtMachine *vm, const char *path)
{
    GError *err = NULL;
    if (!g_file_set_contents(path, vm->boot.fdt, (gssize)vm->boot.fdt_size, &err)) {
        die("-machine dumpdtb=%s: %s", path, err->message);
    }
}

/* ---- -chardev ---- */

static GHashTable *chardev_by_id;   /* id -> CharBackend * (the machine's lookup) */
static GPtrArray *chardev_list;     /* Chardev *, closed at exit */

static void close_chardevs(void)
{
    for (guint i = 0; chardev_list && i < chardev_list->len; i++) {
        chardev_close(chardev_list->pdata[i]);
    }
    g_clear_pointer(&chardev_list, g_ptr_array_unref);
    g_clear_pointer(&chardev_by_id, g_hash_table_unref);
}

static _Noreturn void die_closing_chardevs(GError *err)
{
    close_chardevs(); /* a unix socket file goes away; the terminal is restored */
    die("%s", err->message);
}

/* The text of spec's id= option, or NULL. */
static char *chardev_spec_id(const char *spec)
{
    char **items = g_strsplit(spec, ",", -1);
    char *id = NULL;
    for (char **p = items; *p && !id; p++) {
        if (p != items && g_str_has_prefix(*p, "id=")) {
            id = g_strdup(*p + 3);
        }
    }
    g_strfreev(items);
    return id;
}

static void open_chardevs(const SysOptions *o)
{
    bool serial_on_stdio = o->serial != SERIAL_NONE && o->serial != SERIAL_CHARDEV;
    chardev_by_id = g_hash_table_new(g_str_hash, g_str_equal);
    chardev_list = g_ptr_array_new();
    for (guint i = 0; o->chardevs && i < o->chardevs->len; i++) {
        const char *spec = o->chardevs->pdata[i];
        if (serial_on_stdio && (strcmp(spec, "stdio") == 0 || g_str_has_prefix(spec, "stdio,"))) {
            close_chardevs();
            die("-chardev %s: stdio is already the serial console (add -serial none, or "
                "-serial chardev:ID to put the UART on it)", spec);
        }
        for (guint k = 0; k < i; k++) {
            char *a = chardev_spec_id(spec), *b = chardev_spec_id(o->chardevs->pdata[k]);
            bool same = a && b && strcmp(a, b) == 0;
            g_free(a);
            g_free(b);
            if (same) {
                close_chardevs();
                die("-chardev %s: that id is already used by -chardev %s", spec,
                    (const char *)o->chardevs->pdata[k]);
            }
        }
        GError *err = NULL;
        Chardev *chr = chardev_open(spec, NULL, &err);
        if (!chr) {
            die_closing_chardevs(err);
        }
        g_ptr_array_add(chardev_list, chr);
        g_hash_table_insert(chardev_by_id, chr->id, chardev_backend(chr));
    }
    if (o->serial == SERIAL_CHARDEV && !g_hash_table_contains(chardev_by_id, o->serial_chardev)) {
        close_chardevs();
        die("-serial chardev:%s: no -chardev with that id", o->serial_chardev);
    }
}

/* The -netdev back ends, then -nic's (each adds its card to the -device list). */
static void start_networks(SysOptions *o)
{
    GError *err = NULL;
    for (guint i = 0; o->netdevs && i < o->netdevs->len; i++) {
        if (!netdev_add(o->netdevs->pdata[i], NULL, &err)) {
            die("%s", err->message);
        }
    }
    for (guint i = 0; o->nics && i < o->nics->len; i++) {
        char *device = nic_add(o->nics->pdata[i], NULL, &err);
        if (!device) {
            die("%s", err->message);
        }
        if (!o->devices) {
            o->devices = g_ptr_array_new();
        }
        g_ptr_array_add(o->devices, device); /* kept to the end, like argv */
    }
}

/* Static, like `run`: the strings parse_machine makes stay reachable. */
static SysOptions options = { .smp = 1, .serial = SERIAL_DEFAULT };

int main(int argc, char **argv)
{
    parse_options(&options, argc, argv);
    if (options.log_file && !rove_log_set_file(options.log_file)) {
        exit(1);
    }
    start_networks(&options);

    VirtMachineOptions mo = {
        .ram_size = options.ram_size,
        .smp = options.smp,
        .bios = options.bios,
        .kernel = options.kernel,
        .initrd = options.initrd,
        .append = options.append,
        .dtb = options.dtb,
        .devices = options.devices ? (const char *const *)options.devices->pdata : NULL,
        .ndevices = options.devices ? options.devices->len : 0,
    };
    GError *err = NULL;
    open_chardevs(&options);
    mo.chardevs = chardev_by_id;
    if (options.serial == SERIAL_CHARDEV) {
        mo.serial = g_hash_table_lookup(chardev_by_id, options.serial_chardev);
    }
    if (options.dumpdtb) {
        /* The tree as the guest would get it, then exit (no terminal, no vCPUs). */
        run.vm = virt_machine_new(&mo, &err);
        if (!run.vm) {
            die_closing_chardevs(err);
        }
        dump_dtb(run.vm, options.dumpdtb);
        close_chardevs();
        return 0; /* not freed: see the end of main */
    }

    /* Before the stdio back end, which leaves signals that have a handler alone. */
    g_unix_signal_add(SIGINT, on_signal, GINT_TO_POINTER(SIGINT));
    g_unix_signal_add(SIGTERM, on_signal, GINT_TO_POINTER(SIGTERM));
    g_unix_signal_add(SIGHUP, on_signal, GINT_TO_POINTER(SIGHUP));

    CharStdio *stdio = NULL;
    if (options.serial != SERIAL_NONE && options.serial != SERIAL_CHARDEV) {
        CharStdioOptions so = {
            .in_fd = 0,
            .out_fd = 1,
            .err_fd = 2,
            .escapes = options.serial != SERIAL_STDIO,
            .quit = on_quit,
        };
        stdio = char_stdio_new(&so, &err);
        if (!stdio) {
            close_chardevs();
            die("-serial: %s", err->message);
        }
        char_stdio_install_signal_handlers();
        mo.serial = char_stdio_backend(stdio);
    }

    run.no_reboot = options.no_reboot;
    run.vm = virt_machine_new(&mo, &err);
    if (!run.vm) {
        char_stdio_free(stdio); /* the terminal back to normal before the message */
        die_closing_chardevs(err);
    }
    run.loop = g_main_loop_new(NULL, FALSE);
    GSource *clock_src = clock_source_new(run.vm->clock, NULL);
    g_source_attach(clock_src, NULL);
    GSource *runstate_src = runstate_source_new(on_runstate, &run);
    g_source_attach(runstate_src, NULL);

    vcpus_init(run.vm->cpus, run.vm->ncpus, options.single_thread, run.vm->clock);
    vcpus_start();
    g_main_loop_run(run.loop);
    vcpus_stop();
    vcpus_exit();
    /* Flush and close the disks (what the guest wrote is on the host disk). */
    virt_machine_free_virtio(run.vm);
    block_drives_close_all();

    g_source_destroy(runstate_src);
    g_source_unref(runstate_src);
    g_source_destroy(clock_src);
    g_source_unref(clock_src);
    g_main_loop_unref(run.loop);
    if (stdio) {
        char_stdio_free(stdio);
    }
    /* The machine still points at them, but nothing runs any more. */
    close_chardevs();
    net_backends_free(); /* closes the host ports of hostfwd */
    if (rove_log_file) {
        fflush(rove_log_file);
    }
    /*
     * The machine is not freed: the harts have no free function
     * (target/riscv/hart.h), and the process ends here anyway.
     */
    return run.exit_status;
}
