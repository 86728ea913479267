/* Tight loops of many shapes: Rove runs a block that branches back to its
 * own start as an internal loop with guest registers kept in host
 * registers (tcg/loop.c), so these check that every value comes out right:
 * counted loops, more live registers than are kept, loop-carried swaps,
 * division (fixed host registers) and calls inside the body, byte and word
 * memory, FP accumulation, bnez/bltu/bge back edges, nested loops, and a
 * loop whose exit is the taken branch.  Expected values were computed on
 * the host with the same C (explicit fma for the FP loop). */
#include "rvtest.h"

static __attribute__((noinline)) uint64_t callee(uint64_t x)
{
    return x * 3 + 1;
}

static uint64_t counted(uint64_t n)
{
    uint64_t s = 0;
    for (uint64_t i = 0; i < n; i++) {
        s += i * i;
    }
    return s;
}

/* Eleven values live around the loop: more than the six kept in registers. */
static uint64_t many_live(uint64_t n)
{
    uint64_t a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8, k = 9, m = 10;
    for (uint64_t i = 0; i < n; i++) {
        a += b ^ i;
        b += c >> 1;
        c ^= d + i;
        d += e * 3;
        e -= f;
        f += g | i;
        g ^= h << 1;
        h += k;
        k -= m ^ a;
        m += a >> 3;
    }
    return a ^ b ^ c ^ d ^ e ^ f ^ g ^ h ^ k ^ m;
}

/* Two registers swapped every iteration (the back edge needs a swap). */
static uint64_t swap_asm(uint64_t x, uint64_t y, uint64_t n)
{
    __asm__ volatile("1:\n"
                     "  mv   t2, %0\n"
                     "  mv   %0, %1\n"
                     "  addi %1, t2, 1\n"
                     "  addi %2, %2, -1\n"
                     "  bnez %2, 1b\n"
                     : "+r"(x), "+r"(y), "+r"(n)
                     :
                     : "t2");
    return x * 1000003 + y;
}

static uint64_t with_div(uint64_t n)
{
    uint64_t s = 0;
    for (uint64_t i = 1; i < n; i++) {
        s += (n * 7919) / i + (n * 104729) % i;
    }
    return s;
}

static uint64_t with_call(uint64_t n)
{
    uint64_t s = 0;
    for (uint64_t i = 0; i < n; i++) {
        s = callee(s) ^ i;
    }
    return s;
}

static uint64_t bytes(void)
{
    static uint8_t buf[4096];
    for (unsigned i = 0; i < sizeof(buf); i++) {
        buf[i] = (uint8_t)(i * 37 + 11);
    }
    uint64_t s = 0;
    for (unsigned i = 0; i < sizeof(buf); i++) {
        s = s * 31 + buf[i];
    }
    return s;
}

static uint64_t strlen_loop(const char *p)
{
    const char *q = p;
    while (*q) {
        q++;
    }
    return (uint64_t)(q - p);
}

static uint64_t fp_loop(uint64_t n)
{
    double x = 0.5, acc = 0;
    float f = 1.0f;
    for (uint64_t i = 0; i < n; i++) {
        acc = __builtin_fma(x, (double)i, acc); /* fmadd.d, whatever the compiler */
        x = __builtin_fma(x, 1.0000001, 1e-9);
        f = __builtin_fmaf(f, 0.999f, 0.5f);
    }
    union { double d; uint64_t u; } a = { acc };
    union { float f; uint32_t u; } b = { f };
    return a.u ^ ((uint64_t)b.u << 7);
}

static uint64_t nested(uint64_t n)
{
    uint64_t s = 0;
    for (uint64_t i = 0; i < n; i++) {
        for (uint64_t j = 0; j < i; j++) {
            s += i ^ j;
        }
    }
    return s;
}

static uint64_t countdown_bge(int64_t n)
{
    int64_t s = 0;
    do {
        s += n * 3;
        n -= 2;
    } while (n >= 0);
    return (uint64_t)s;
}

struct node { struct node *next; uint64_t v; };

static uint64_t list_walk(void)
{
    static struct node nodes[1000];
    for (int i = 0; i < 1000; i++) {
        nodes[i].next = i + 1 < 1000 ? &nodes[(i * 7 + 1) % 1000] : NULL;
        nodes[i].v = (uint64_t)i * 13;
    }
    nodes[999].next = NULL;
    uint64_t s = 0, steps = 0;
    for (struct node *p = &nodes[0]; p && steps < 5000; p = p->next, steps++) {
        s += p->v;
    }
    return s ^ (steps << 40);
}

int main(void)
{
    CHECK("counted loop", counted(OPAQUE(100000)), 333328333350000ull);
    CHECK("many live values", many_live(OPAQUE(100000)), 0xc22b59107d1f840aull);
    CHECK("register swap each iteration", swap_asm(OPAQUE(5), OPAQUE(9), OPAQUE(1001)),
          0x000000001e56c131ull);
    CHECK("division in the body", with_div(OPAQUE(20000)), 0x0000000068eb71d5ull);
    CHECK("call in the body", with_call(OPAQUE(1000)), 0x372fd108d2d3a568ull);
    CHECK("byte stores and loads", bytes(), 0x1626b28f624cf800ull);
    CHECK("strlen", strlen_loop("the quick brown fox jumps over the lazy dog"), 43);
    CHECK("fp accumulation", fp_loop(OPAQUE(100000)), 0x41e2c0ff34183408ull);
    CHECK("nested loops", nested(OPAQUE(300)), 0x000000000082122cull);
    CHECK("do-while with bge", countdown_bge(OPAQUE(1001)), 0x00000000000b7d6bull);
    CHECK("linked list", list_walk(), 0x00138800019d17f4ull);
    return rvt_done("loops");
}
