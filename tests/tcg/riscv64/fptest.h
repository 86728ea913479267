/*
 * Table-driven F/D instruction checks.  The vectors (fp_vec_*.h) come from
 * the exact reference model in gen-fp-vectors.py.  Each instruction is
 * instantiated once per static rounding mode and once with "dyn"; the dyn
 * variant is run under every frm value.  All values move through integer
 * registers with fmv.d.x / fmv.x.d so that NaN-boxing is fully visible, and
 * fflags are cleared right before and read right after each instruction.
 */
#ifndef FPTEST_H
#define FPTEST_H

#include "rvtest.h"

struct fpvec {
    uint8_t op;
    uint64_t a, b, c;
    uint64_t r[5];
    uint8_t f[5];
};

typedef uint64_t (*fpfn)(uint64_t, uint64_t, uint64_t, unsigned *);

static const char *const rm_names[] = { "rne", "rtz", "rdn", "rup", "rmm", "dyn" };

static inline void set_frm(unsigned rm)
{
    __asm__ volatile("csrw frm, %0" : : "r"(rm));
}

static inline unsigned get_fcsr(void)
{
    unsigned v;
    __asm__ volatile("csrr %0, fcsr" : "=r"(v));
    return v;
}

#define FP_PRE "fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\tfmv.d.x ft2, %4\n\t" \
               "csrw fflags, zero\n\t"
#define FP_IN "r"(a), "r"(b), "r"(c)
#define FP_CLOB "ft0", "ft1", "ft2", "ft3"

/* f <- op(f, f) */
#define T_FFF(fn, insn, rm)                                                   \
    static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned *fl)     \
    {                                                                        \
        uint64_t r, f;                                                       \
        __asm__ volatile(FP_PRE insn " ft3, ft0, ft1" rm "\n\t"              \
                         "csrr %1, fflags\n\tfmv.x.d %0, ft3"                \
                         : "=&r"(r), "=&r"(f) : FP_IN : FP_CLOB);            \
        *fl = f;                                                             \
        return r;                                                            \
    }
/* f <- op(f) */
#define T_FF(fn, insn, rm)                                                    \
    static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned *fl)     \
    {                                                                        \
        uint64_t r, f;                                                       \
        __asm__ volatile(FP_PRE insn " ft3, ft0" rm "\n\t"                   \
                         "csrr %1, fflags\n\tfmv.x.d %0, ft3"                \
                         : "=&r"(r), "=&r"(f) : FP_IN : FP_CLOB);            \
        *fl = f;                                                             \
        return r;                                                            \
    }
/* f <- op(f, f, f) */
#define T_FFFF(fn, insn, rm)                                                  \
    static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned *fl)     \
    {                                                                        \
        uint64_t r, f;                                                       \
        __asm__ volatile(FP_PRE insn " ft3, ft0, ft1, ft2" rm "\n\t"         \
                         "csrr %1, fflags\n\tfmv.x.d %0, ft3"                \
                         : "=&r"(r), "=&r"(f) : FP_IN : FP_CLOB);            \
        *fl = f;                                                             \
        return r;                                                            \
    }
/* x <- op(f) */
#define T_XF(fn, insn, rm)                                                    \
    static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned *fl)     \
    {                                                                        \
        uint64_t r, f;                                                       \
        __asm__ volatile(FP_PRE insn " %0, ft0" rm "\n\t"                    \
                         "csrr %1, fflags"                                   \
                         : "=&r"(r), "=&r"(f) : FP_IN : FP_CLOB);            \
        *fl = f;                                                             \
        return r;                                                            \
    }
/* x <- op(f, f) */
#define T_XFF(fn, insn, rm)                                                   \
    static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned *fl)     \
    {                                                                        \
        uint64_t r, f;                                                       \
        __asm__ volatile(FP_PRE insn " %0, ft0, ft1" rm "\n\t"               \
                         "csrr %1, fflags"                                   \
                         : "=&r"(r), "=&r"(f) : FP_IN : FP_CLOB);            \
        *fl = f;                                                             \
        return r;                                                            \
    }
/* f <- op(x) */
#define T_FX(fn, insn, rm)                                                    \
    static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned *fl)     \
    {                                                                        \
        uint64_t r, f;                                                       \
        __asm__ volatile(FP_PRE insn " ft3, %2" rm "\n\t"                    \
                         "csrr %1, fflags\n\tfmv.x.d %0, ft3"                \
                         : "=&r"(r), "=&r"(f) : FP_IN : FP_CLOB);            \
        *fl = f;                                                             \
        return r;                                                            \
    }

/* Instantiate one template for the five static modes plus dyn. */
#define RM6(T, name, insn)                                                    \
    T(name##_0, insn, ", rne") T(name##_1, insn, ", rtz")                     \
    T(name##_2, insn, ", rdn") T(name##_3, insn, ", rup")                     \
    T(name##_4, insn, ", rmm") T(name##_5, insn, ", dyn")
#define RM6_ROW(name) { name##_0, name##_1, name##_2, name##_3, name##_4, name##_5 }

static inline void fp_report(const char *opname, const char *variant, int n, int bad)
{
    rvt_checks += n;
    rvt_failures += bad;
    if (bad) {
        printf("FAIL %-14s %-10s %d/%d vectors wrong\n", opname, variant, bad, n);
    } else {
        printf("ok   %-14s %-10s %d vectors\n", opname, variant, n);
    }
}

static inline int fp_one(const char *opname, const char *variant, fpfn fn,
                  const struct fpvec *v, int col)
{
    unsigned fl = 0;
    uint64_t r = fn(v->a, v->b, v->c, &fl);
    if (r != v->r[col] || fl != v->f[col]) {
        printf("  mismatch %s %s a=%016" PRIx64 " b=%016" PRIx64 " c=%016" PRIx64
               ": got %016" PRIx64 "/%02x want %016" PRIx64 "/%02x\n",
               opname, variant, v->a, v->b, v->c, r, fl, v->r[col], v->f[col]);
        return 1;
    }
    return 0;
}

/* Run vectors for instructions with a rounding-mode field. */
static inline void fp_run_rm(const char *const *names, int nops,
                      const struct fpvec *vec, size_t nvec, const fpfn (*tab)[6])
{
    for (int op = 0; op < nops; op++) {
        for (int k = 0; k < 6; k++) {
            int n = 0, bad = 0;
            for (size_t i = 0; i < nvec; i++) {
                if (vec[i].op != op) {
                    continue;
                }
                if (k < 5) {
                    set_frm((unsigned)(4 - k)); /* frm must not matter */
                    bad += fp_one(names[op], rm_names[k], tab[op][k], &vec[i], k);
                    n++;
                } else {
                    for (unsigned frm = 0; frm < 5; frm++) {
                        char variant[16];
                        snprintf(variant, sizeof(variant), "dyn=%s", rm_names[frm]);
                        set_frm(frm);
                        bad += fp_one(names[op], variant, tab[op][5], &vec[i], frm);
                        n++;
                    }
                }
            }
            fp_report(names[op], rm_names[k], n, bad);
        }
    }
    set_frm(0);
}

/* Run vectors for instructions without rounding mode (column 0). */
static inline void fp_run_norm(const char *const *names, int nops,
                        const struct fpvec *vec, size_t nvec, const fpfn *tab)
{
    for (int op = 0; op < nops; op++) {
        int n = 0, bad = 0;
        for (size_t i = 0; i < nvec; i++) {
            if (vec[i].op != op) {
                continue;
            }
            set_frm((unsigned)(i % 5));
            bad += fp_one(names[op], "-", tab[op], &vec[i], 0);
            n++;
        }
        fp_report(names[op], "-", n, bad);
    }
    set_frm(0);
}

#endif
