/* A small JIT inside the guest: random expression trees over a 64-bit
 * variable are compiled to RV64IM machine code in an mmap'd buffer, run,
 * and compared against a C interpreter that implements the same RISC-V
 * semantics.  A second pass recompiles everything into one fixed slot so
 * stale translations would be caught.  The result hashes were computed
 * with a host build of the interpreter. */
#include <sys/mman.h>
#include "rvtest.h"

enum { X, CONST, ADD, SUB, MUL, XOR, OR, AND, SLL, SRL, SRA, DIV, REMU, MULH, ADDW, SLT, NOPS };
struct node { int op; int64_t k; struct node *l, *r; };

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static struct node pool[200000];
static int npool;

static struct node *gen(int depth)
{
    struct node *n = &pool[npool++];
    if (depth == 0 || rnd() % 4 == 0) {
        n->op = rnd() % 2 ? X : CONST;
        n->k = rnd() % 3 ? (int64_t)(rnd() % 4096) - 2048 : (int64_t)(int32_t)rnd();
        return n;
    }
    n->op = ADD + (int)(rnd() % (NOPS - ADD));
    n->l = gen(depth - 1);
    n->r = gen(depth - 1);
    return n;
}

static int64_t eval(const struct node *n, int64_t x)
{
    if (n->op == X) {
        return x;
    }
    if (n->op == CONST) {
        return n->k;
    }
    uint64_t a = (uint64_t)eval(n->l, x), b = (uint64_t)eval(n->r, x);
    switch (n->op) {
    case ADD: return (int64_t)(a + b);
    case SUB: return (int64_t)(a - b);
    case MUL: return (int64_t)(a * b);
    case XOR: return (int64_t)(a ^ b);
    case OR: return (int64_t)(a | b);
    case AND: return (int64_t)(a & b);
    case SLL: return (int64_t)(a << (b & 63));
    case SRL: return (int64_t)(a >> (b & 63));
    case SRA: return (int64_t)a >> (b & 63);
    case DIV:
        if (b == 0) return -1;
        if ((int64_t)a == INT64_MIN && (int64_t)b == -1) return INT64_MIN;
        return (int64_t)a / (int64_t)b;
    case REMU: return b == 0 ? (int64_t)a : (int64_t)(a % b);
    case MULH: return (int64_t)(((__int128)(int64_t)a * (int64_t)b) >> 64);
    case ADDW: return (int32_t)(uint32_t)(a + b);
    default: return (int64_t)a < (int64_t)b;
    }
}

/* registers used as an expression stack: t0-t2, t3-t6, a1-a7 */
static const int regs[] = { 5, 6, 7, 28, 29, 30, 31, 11, 12, 13, 14, 15, 16, 17 };
static uint32_t *out;

static void emit(uint32_t w) { *out++ = w; }
static uint32_t rtype(int f7, int rs2, int rs1, int f3, int rd, int opc)
{
    return (uint32_t)f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}
static uint32_t itype(int imm, int rs1, int f3, int rd, int opc)
{
    return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}

static void compile(const struct node *n, int sp)
{
    int rd = regs[sp];
    if (n->op == X) {
        emit(itype(0, 10, 0, rd, 0x13));                     /* addi rd, a0, 0 */
        return;
    }
    if (n->op == CONST) {
        int64_t k = n->k;
        if (k >= -2048 && k < 2048) {
            emit(itype((int)k, 0, 0, rd, 0x13));             /* addi rd, x0, k */
        } else {
            int32_t lo = (int32_t)((k << 52) >> 52);
            uint32_t hi = (uint32_t)((k - lo) >> 12) & 0xfffff;
            emit(hi << 12 | rd << 7 | 0x37);                 /* lui */
            emit(itype(lo, rd, 0, rd, 0x1b));                /* addiw */
        }
        return;
    }
    compile(n->l, sp);
    compile(n->r, sp + 1);
    int rs2 = regs[sp + 1];
    static const struct { int f7, f3, opc; } enc[NOPS] = {
        [ADD] = { 0, 0, 0x33 }, [SUB] = { 0x20, 0, 0x33 }, [MUL] = { 1, 0, 0x33 },
        [XOR] = { 0, 4, 0x33 }, [OR] = { 0, 6, 0x33 }, [AND] = { 0, 7, 0x33 },
        [SLL] = { 0, 1, 0x33 }, [SRL] = { 0, 5, 0x33 }, [SRA] = { 0x20, 5, 0x33 },
        [DIV] = { 1, 4, 0x33 }, [REMU] = { 1, 7, 0x33 }, [MULH] = { 1, 1, 0x33 },
        [ADDW] = { 0, 0, 0x3b }, [SLT] = { 0, 2, 0x33 },
    };
    emit(rtype(enc[n->op].f7, rs2, rd, enc[n->op].f3, rd, enc[n->op].opc));
}

static int64_t (*jit(uint32_t *at, const struct node *n))(int64_t)
{
    out = at;
    compile(n, 0);
    emit(itype(0, regs[0], 0, 10, 0x13));                    /* mv a0, t0 */
    emit(0x00008067);                                        /* ret */
    __asm__ volatile("fence.i" ::: "memory");
    return (int64_t (*)(int64_t))(void *)at;
}

int main(void)
{
    enum { NEXPR = 300 };
    static struct node *exprs[NEXPR];
    static const int64_t xs[] = { 0, 1, -1, 7, INT64_MIN, INT64_MAX, 0x7fffffff,
                                  -0x80000000ll, 123456789, -987654321012ll };
    const int nx = sizeof(xs) / sizeof(xs[0]);
    size_t bufsz = 4 << 20;
    uint32_t *buf = mmap(NULL, bufsz, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK_TRUE("mmap code buffer", buf != MAP_FAILED);

    uint32_t *cur = buf;
    int bad = 0, evals = 0;
    uint64_t h = 0;
    for (int i = 0; i < NEXPR; i++) {
        exprs[i] = gen(1 + i % 9);
        int64_t (*f)(int64_t) = jit(cur, exprs[i]);
        cur = out;
        for (int j = 0; j < nx; j++) {
            int64_t want = eval(exprs[i], xs[j]), got = f(xs[j]);
            evals++;
            h = h * 0x100000001b3ull ^ (uint64_t)got;
            if (got != want) {
                if (bad++ < 5) {
                    printf("  mismatch expr %d x=%" PRId64 ": got %" PRId64 " want %" PRId64 "\n",
                           i, xs[j], got, want);
                }
            }
        }
    }
    printf("compiled %d expressions into %zu instructions, %d evaluations\n", NEXPR,
           (size_t)(cur - buf), evals);
    CHECK("pass 1 mismatches", bad, 0);
    CHECK("pass 1 result hash", h, 0xdff5ebc6c41f427full);

    /* pass 2: every expression compiled into the same slot */
    bad = 0;
    uint64_t h2 = 0;
    for (int i = NEXPR - 1; i >= 0; i--) {
        int64_t (*f)(int64_t) = jit(buf + 1024, exprs[i]);
        for (int j = 0; j < nx; j++) {
            int64_t got = f(xs[j]);
            h2 += (uint64_t)got * (uint64_t)(i + 1);
            bad += got != eval(exprs[i], xs[j]);
        }
    }
    CHECK("pass 2 (same slot) mismatches", bad, 0);
    CHECK("pass 2 result hash", h2, 0x66ed7d8b0bef73ccull);
    return rvt_done("jit");
}
