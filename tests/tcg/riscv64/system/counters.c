/* cycle, time and instret from S and U, gated by mcounteren (for S and U)
 * and scounteren (for U); M always reads them.  Counters only count up:
 * no raw values are printed. */
#include "sys.h"

extern char p_rd_cycle[], p_rd_time[], p_rd_instret[];

static void *const probe[3] = {p_rd_cycle, p_rd_time, p_rd_instret};
static const char *const names[3] = {"cycle", "time", "instret"};

/* one line per counter: "ok" (read) or "illegal" (trapped as such) */
static void row(int mode, u64 men, u64 sen)
{
    csr_write(mcounteren, men);
    csr_write(scounteren, sen);
    printf("%c mcounteren=%lx scounteren=%lx:", mode == PRV_S ? 'S' : mode == PRV_U ? 'U' : 'M', men, sen);
    for (int i = 0; i < 3; i++) {
        run_t r = run_in(mode, probe[i], 0);
        const char *res = r.how == RUN_RETURNED && r.value == 1 ? "ok" :
                          r.how == RUN_TRAP_M && r.cause == EXC_ILLEGAL && r.epc == (u64)probe[i] ?
                          "illegal" : "??";
        printf(" %s %s", names[i], res);
        int bit = (men >> i) & 1;
        if (mode == PRV_U)
            bit &= (sen >> i) & 1;
        if (mode == PRV_M)
            bit = 1;
        checks++;
        if (res[0] != (bit ? 'o' : 'i')) {
            printf(" FAIL");
            failures++;
        }
    }
    putchar_('\n');
}

int main(void)
{
    row(PRV_M, 0, 0);
    row(PRV_S, 0, 0);
    row(PRV_S, 7, 0);
    row(PRV_S, 2, 0);
    row(PRV_S, 5, 0);
    row(PRV_U, 7, 0);
    row(PRV_U, 0, 7);
    row(PRV_U, 7, 7);
    row(PRV_U, 7, 2);
    row(PRV_U, 5, 7);
    csr_write(mcounteren, 0);
    csr_write(scounteren, 0);

    u64 c0 = csr_read(mcycle), i0 = csr_read(minstret), t0 = csr_read(time);
    for (volatile int i = 0; i < 100000; i++)
        ;
    u64 c1 = csr_read(mcycle), i1 = csr_read(minstret), t1 = csr_read(time);
    check_bool("mcycle counts up", c1 > c0, 1);
    check_bool("minstret counts up", i1 > i0, 1);
    check_bool("time counts up", t1 > t0, 1);
    check_bool("cycle >= mcycle read before", csr_read(cycle) >= c1, 1);
    return 0;
}
