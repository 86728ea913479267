/* Every AMO (.w and .d) with each ordering variant (none/aq/rl/aqrl):
 * returned old value (sign-extended for .w), memory result, neighbouring
 * word untouched, rd = x0 and rd = rs2 forms. */
#include "rvtest.h"

#define AMO(fn, insn) static uint64_t fn(volatile void *p, uint64_t v) { uint64_t r; \
    __asm__ volatile(insn " %0, %2, (%1)" : "=&r"(r) : "r"(p), "r"(v) : "memory"); return r; }
#define AMO4(name, base) AMO(name##_0, base) AMO(name##_1, base ".aq") \
    AMO(name##_2, base ".rl") AMO(name##_3, base ".aqrl")
#define ROW(name) { name##_0, name##_1, name##_2, name##_3 }

AMO4(swapw, "amoswap.w") AMO4(addw, "amoadd.w") AMO4(xorw, "amoxor.w")
AMO4(andw, "amoand.w") AMO4(orw, "amoor.w") AMO4(minw, "amomin.w")
AMO4(maxw, "amomax.w") AMO4(minuw, "amominu.w") AMO4(maxuw, "amomaxu.w")
AMO4(swapd, "amoswap.d") AMO4(addd, "amoadd.d") AMO4(xord, "amoxor.d")
AMO4(andd, "amoand.d") AMO4(ord, "amoor.d") AMO4(mind, "amomin.d")
AMO4(maxd, "amomax.d") AMO4(minud, "amominu.d") AMO4(maxud, "amomaxu.d")

typedef uint64_t (*amofn)(volatile void *, uint64_t);
static const amofn fns[18][4] = {
    ROW(swapw), ROW(addw), ROW(xorw), ROW(andw), ROW(orw), ROW(minw), ROW(maxw),
    ROW(minuw), ROW(maxuw), ROW(swapd), ROW(addd), ROW(xord), ROW(andd), ROW(ord),
    ROW(mind), ROW(maxd), ROW(minud), ROW(maxud),
};
static const char *const names[18] = {
    "amoswap.w", "amoadd.w", "amoxor.w", "amoand.w", "amoor.w", "amomin.w",
    "amomax.w", "amominu.w", "amomaxu.w", "amoswap.d", "amoadd.d", "amoxor.d",
    "amoand.d", "amoor.d", "amomin.d", "amomax.d", "amominu.d", "amomaxu.d",
};
static const char *const ord_names[4] = { "", ".aq", ".rl", ".aqrl" };

/* Reference semantics written with plain C arithmetic. */
static uint64_t ref(int op, uint64_t m, uint64_t v)
{
    int64_t sm = (int64_t)m, sv = (int64_t)v;
    switch (op % 9) {
    case 0: return v;
    case 1: return m + v;
    case 2: return m ^ v;
    case 3: return m & v;
    case 4: return m | v;
    case 5: return sm < sv ? m : v;
    case 6: return sm > sv ? m : v;
    case 7: return m < v ? m : v;
    default: return m > v ? m : v;
    }
}
static uint64_t sext32(uint64_t x) { return (uint64_t)(int64_t)(int32_t)(uint32_t)x; }

int main(void)
{
    static const uint64_t vals[] = {
        0, 1, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull, 0x80000000ull,
        0x7fffffffull, 0xffffffff00000001ull, 0x00000001fffffffeull, 0x0123456789abcdefull,
    };
    const int nv = sizeof(vals) / sizeof(vals[0]);
    static volatile uint64_t mem[4] __attribute__((aligned(16)));

    for (int op = 0; op < 18; op++) {
        int isw = op < 9, bad = 0, n = 0;
        for (int o = 0; o < 4; o++) {
            for (int i = 0; i < nv; i++) {
                for (int j = 0; j < nv; j++) {
                    uint64_t m0 = vals[i], v = vals[(j + o) % nv], got, want_old, want_mem;
                    mem[0] = 0x5a5a5a5a5a5a5a5aull;
                    mem[1] = m0;
                    mem[2] = 0xa5a5a5a5a5a5a5a5ull;
                    if (isw) {
                        /* operate on the high word of mem[1] (offset 12) */
                        volatile uint32_t *w = (volatile uint32_t *)&mem[1] + 1;
                        uint64_t mw = sext32(m0 >> 32), vw = sext32(v);
                        uint64_t r = op == 7 || op == 8
                                   ? ref(op, mw & 0xffffffffull, vw & 0xffffffffull)
                                   : ref(op, mw, vw);
                        got = fns[op][o](w, v);
                        want_old = mw;
                        want_mem = (sext32(r) << 32) | (m0 & 0xffffffffull);
                    } else {
                        got = fns[op][o](&mem[1], v);
                        want_old = m0;
                        want_mem = ref(op, m0, v);
                    }
                    n++;
                    if (got != want_old || mem[1] != want_mem || mem[0] != 0x5a5a5a5a5a5a5a5aull ||
                        mem[2] != 0xa5a5a5a5a5a5a5a5ull) {
                        bad++;
                        printf("  mismatch %s%s mem=%016" PRIx64 " v=%016" PRIx64
                               ": old %016" PRIx64 " (want %016" PRIx64 ") mem %016" PRIx64
                               " (want %016" PRIx64 ")\n", names[op], ord_names[o], m0, v,
                               got, want_old, mem[1], want_mem);
                    }
                }
            }
        }
        CHECK(rvt_name("%-10s x4 orderings, %d cases: failures", names[op], n), bad, 0);
    }

    /* rd = x0: memory still updated */
    mem[1] = 40;
    __asm__ volatile("amoadd.d zero, %1, (%0)" : : "r"(&mem[1]), "r"(2ull) : "memory");
    CHECK("amoadd.d rd=x0 updates memory", mem[1], 42);
    /* rd == rs2 */
    uint64_t x = 7;
    mem[1] = 100;
    __asm__ volatile("amoswap.d %0, %0, (%1)" : "+r"(x) : "r"(&mem[1]) : "memory");
    CHECK("amoswap.d rd==rs2 old", x, 100);
    CHECK("amoswap.d rd==rs2 mem", mem[1], 7);
    /* .w result sign extension from a negative word */
    mem[1] = 0x00000000fffffff0ull;
    __asm__ volatile("amoor.w %0, zero, (%1)" : "=r"(x) : "r"(&mem[1]) : "memory");
    CHECK("amoor.w returns sign-extended word", x, 0xfffffffffffffff0ull);
    return rvt_done("atomic_amo");
}
