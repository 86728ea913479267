/* Run-time of the bare-metal tests: UART output, exit, checks, run_in()
 * and the C halves of the trap handlers (see sys.h). */
#include <stdarg.h>
#include "sys.h"

int main(void);
void run_in_asm(u64 entry, u64 arg, u64 ra, u64 sp);
__attribute__((noreturn)) void ctx_return(void);

int failures;
int checks;
trap_hook_t m_hook, s_hook;

static run_t result;          /* of the run_in in progress */
static run_t s_result;        /* filled by the S handler, read by M */
static int in_run, m_depth;
static u64 lower_stack[2048] __attribute__((aligned(16)));
static u64 s_trap_stack[1024] __attribute__((aligned(16)));

void putchar_(int c)
{
    while (!(mmio_read8(UART0 + 5) & 0x20))
        ;
    mmio_write8(UART0, c);
}

void puts_(const char *s)
{
    while (*s)
        putchar_(*s++);
}

static void put_num(u64 v, int base, int neg, int width, char pad)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (neg)
        buf[n++] = '-';
    while (width-- > n)
        putchar_(pad);
    while (n)
        putchar_(buf[--n]);
}

/* %s %c %d %u %x with optional l/ll and a zero-padded width */
int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            putchar_(*fmt);
            continue;
        }
        char pad = ' ';
        int width = 0, lng = 0;
        fmt++;
        if (*fmt == '0')
            pad = '0';
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') {
            lng = 1;
            fmt++;
        }
        switch (*fmt) {
        case 's':
            puts_(va_arg(ap, const char *));
            break;
        case 'c':
            putchar_(va_arg(ap, int));
            break;
        case 'd': {
            long v = lng ? va_arg(ap, long) : va_arg(ap, int);
            put_num(v < 0 ? -(u64)v : (u64)v, 10, v < 0, width, pad);
            break;
        }
        case 'u':
        case 'x': {
            u64 v = lng ? va_arg(ap, u64) : va_arg(ap, unsigned);
            put_num(v, *fmt == 'u' ? 10 : 16, 0, width, pad);
            break;
        }
        default:
            putchar_('%');
            putchar_(*fmt);
        }
    }
    va_end(ap);
    return 0;
}

void sys_exit(int code)
{
    mmio_write32(FINISHER, code ? ((u32)code << 16) | 0x3333 : 0x5555);
    for (;;)
        asm volatile("wfi");
}

void check(const char *name, u64 got, u64 want)
{
    checks++;
    printf("%s = 0x%lx", name, got);
    if (got != want) {
        printf("  FAIL (want 0x%lx)", want);
        failures++;
    }
    putchar_('\n');
}

void check_bool(const char *name, int got, int want)
{
    checks++;
    printf("%s: %s", name, got ? "yes" : "no");
    if (!got != !want) {
        printf("  FAIL");
        failures++;
    }
    putchar_('\n');
}

void c_start(void)
{
    int r = main();
    printf("%d checks, %d failed\n", checks, failures);
    sys_exit(r ? r : failures ? 1 : 0);
}

__attribute__((weak)) void secondary_main(u64 a0, u64 a1)
{
    for (;;)
        asm volatile("wfi");
}

int insn_len(u64 addr)
{
    return (*(volatile uint16_t *)addr & 3) == 3 ? 4 : 2;
}

void s_install(void)
{
    extern char s_trap_entry[];
    csr_write(stvec, (u64)s_trap_entry);
    csr_write(sscratch, (u64)(s_trap_stack + 1024));
}

run_t run_in_at(int mode, void *fn, u64 arg, u64 off, u64 sp)
{
    u64 mie = csr_read(mstatus) & MSTATUS_MIE;
    csr_clear(mstatus, MSTATUS_MPP);
    csr_set(mstatus, (u64)mode << 11);
    result = (run_t){0};
    in_run = 1;
    run_in_asm((u64)fn + off, arg, (u64)ret_stub + off,
               sp ? sp : (u64)(lower_stack + 2048));
    in_run = 0;
    if (mie)
        csr_set(mstatus, MSTATUS_MIE);
    else
        csr_clear(mstatus, MSTATUS_MIE);
    return result;
}

run_t run_in(int mode, void *fn, u64 arg)
{
    return run_in_at(mode, fn, arg, 0, 0);
}

static void show_addr(const char *what, u64 v, u64 base)
{
    if (base)
        printf(" %s=%s0x%lx", what, v < base ? "base-" : "base+",
               v < base ? base - v : v - base);
    else
        printf(" %s=0x%lx", what, v);
}

static void show_run_line(const char *name, run_t r, void *epc_base, u64 tval_base)
{
    printf("%s: ", name);
    if (r.how == RUN_RETURNED) {
        printf("returned 0x%lx", r.value);
        return;
    }
    printf("trap %c cause=0x%lx", r.how == RUN_TRAP_M ? 'M' : 'S', r.cause);
    show_addr("epc", r.epc, (u64)epc_base);
    show_addr("tval", r.tval, tval_base);
    if (r.how == RUN_TRAP_M)
        printf(" mpp=%d", (int)(r.status >> 11) & 3);
    else
        printf(" spp=%d", (int)(r.status >> 8) & 1);
}

void show_run(const char *name, run_t r, void *epc_base, u64 tval_base)
{
    show_run_line(name, r, epc_base, tval_base);
    putchar_('\n');
}

void check_trap(const char *name, run_t r, int how, u64 cause, void *site, u64 tval_base)
{
    checks++;
    show_run_line(name, r, site, tval_base);
    if (r.how != how || (how == RUN_RETURNED ? r.value : r.cause) != cause ||
        (how != RUN_RETURNED && site && r.epc != (u64)site)) {
        printf("  FAIL (want %s 0x%lx)", how == RUN_RETURNED ? "return" :
               how == RUN_TRAP_M ? "M trap" : "S trap", cause);
        failures++;
    }
    putchar_('\n');
}

static __attribute__((noreturn)) void end_run(void)
{
    m_depth = 0;
    ctx_return();
}

void m_trap_c(u64 *f)
{
    u64 cause = f[F_CAUSE];
    int ecall = cause == EXC_ECALL_U || cause == EXC_ECALL_S || cause == EXC_ECALL_M;

    if (++m_depth > 1) {
        printf("nested M trap cause=0x%lx epc=0x%lx\n", cause, f[F_EPC]);
        sys_exit(98);
    }
    if (in_run && ecall && f[17] == ECALL_RETURN) {
        result.how = RUN_RETURNED;
        result.value = f[10];
        end_run();
    }
    if (in_run && ecall && f[17] == ECALL_S_TRAP) {
        result = s_result;
        end_run();
    }
    if (m_hook && m_hook(f)) {
        m_depth--;
        return;
    }
    if (in_run && !(cause & CAUSE_IRQ)) {
        result = (run_t){RUN_TRAP_M, 0, cause, f[F_EPC], f[F_TVAL], f[F_STATUS]};
        end_run();
    }
    printf("unexpected M trap cause=0x%lx epc=0x%lx tval=0x%lx\n",
           cause, f[F_EPC], f[F_TVAL]);
    sys_exit(99);
}

static __attribute__((noreturn)) void s_ecall(u64 a0, u64 a7)
{
    register u64 r0 asm("a0") = a0, r7 asm("a7") = a7;
    asm volatile("ecall" :: "r"(r0), "r"(r7) : "memory");
    for (;;)
        ;
}

void s_trap_c(u64 *f)
{
    u64 cause = f[F_CAUSE];

    if (cause == EXC_ECALL_U && f[17] == ECALL_RETURN)
        s_ecall(f[10], ECALL_RETURN);   /* a U function returned */
    if (s_hook && s_hook(f))
        return;
    if (!(cause & CAUSE_IRQ)) {
        s_result = (run_t){RUN_TRAP_S, 0, cause, f[F_EPC], f[F_TVAL], f[F_STATUS]};
        s_ecall(0, ECALL_S_TRAP);
    }
    printf("unexpected S interrupt cause=0x%lx epc=0x%lx\n", cause, f[F_EPC]);
    sys_exit(97);
}
