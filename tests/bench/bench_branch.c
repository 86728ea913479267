/* Branchy benchmark: a switch-dispatched bytecode interpreter running a
 * small program (nested loops, conditionals, calls through a stack) and a
 * recursive quicksort of pseudo-random keys.  Prints checksums. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { PUSH, LOAD, STORE, ADD, SUB, MUL, AND, XOR, SHR, LT, JZ, JMP, DUP, DROP, HALT };

static int64_t run(const int32_t *code, int64_t *vars)
{
    int64_t st[64];
    int sp = 0, pc = 0;
    for (;;) {
        int32_t op = code[pc++];
        switch (op) {
        case PUSH: st[sp++] = code[pc++]; break;
        case LOAD: st[sp++] = vars[code[pc++]]; break;
        case STORE: vars[code[pc++]] = st[--sp]; break;
        case ADD: sp--; st[sp - 1] += st[sp]; break;
        case SUB: sp--; st[sp - 1] -= st[sp]; break;
        case MUL: sp--; st[sp - 1] *= st[sp]; break;
        case AND: sp--; st[sp - 1] &= st[sp]; break;
        case XOR: sp--; st[sp - 1] ^= st[sp]; break;
        case SHR: sp--; st[sp - 1] >>= st[sp]; break;
        case LT: sp--; st[sp - 1] = st[sp - 1] < st[sp]; break;
        case JZ: pc = st[--sp] ? pc + 1 : code[pc]; break;
        case JMP: pc = code[pc]; break;
        case DUP: st[sp] = st[sp - 1]; sp++; break;
        case DROP: sp--; break;
        default: return vars[0];
        }
    }
}

static void qsort_rec(uint32_t *a, int lo, int hi)
{
    while (lo < hi) {
        uint32_t p = a[(lo + hi) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (a[i] < p) i++;
            while (a[j] > p) j--;
            if (i <= j) {
                uint32_t t = a[i];
                a[i++] = a[j];
                a[j--] = t;
            }
        }
        if (j - lo < hi - i) {
            qsort_rec(a, lo, j);
            lo = i;
        } else {
            qsort_rec(a, i, hi);
            hi = j;
        }
    }
}

int main(int argc, char **argv)
{
    int scale = argc > 1 ? atoi(argv[1]) : 20;
    /* v0 = acc, v1 = i, v2 = n:  for (i = 0; i < n; i++)
     *   if ((i & 3) == 1) acc = acc * 3 + i; else acc ^= (acc >> 3) + i; */
    int32_t code[128];
    int n = 0, loop, els, join, end;
#define E(...) do { int32_t _t[] = { __VA_ARGS__ }; for (unsigned _i = 0; _i < sizeof(_t) / 4; _i++) code[n++] = _t[_i]; } while (0)
    E(PUSH, 0, STORE, 1);
    loop = n;
    E(LOAD, 1, LOAD, 2, LT, JZ, 0);
    end = n - 1;
    E(LOAD, 1, PUSH, 3, AND, PUSH, 1, XOR, JZ, 0);
    els = n - 1;
    E(LOAD, 0, LOAD, 0, PUSH, 3, SHR, LOAD, 1, ADD, XOR, STORE, 0, JMP, 0);
    join = n - 1;
    code[els] = n;
    E(LOAD, 0, PUSH, 3, MUL, LOAD, 1, ADD, STORE, 0);
    code[join] = n;
    E(LOAD, 1, PUSH, 1, ADD, STORE, 1, JMP, loop);
    code[end] = n;
    E(HALT);
    int64_t vars[4] = { 1, 0, 200000 * scale, 0 };
    int64_t acc = run(code, vars);

    int len = 300000 * scale / 10;
    uint32_t *a = malloc(sizeof(uint32_t) * len);
    uint64_t sum = 0;
    for (int rep = 0; rep < 4; rep++) {
        uint32_t x = 12345 + rep;
        for (int i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            a[i] = x % 1000003;
        }
        qsort_rec(a, 0, len - 1);
        for (int i = 0; i < len; i += 97) {
            sum = sum * 31 + a[i];
        }
    }
    printf("bench_branch: interp %lld sort %llu\n", (long long)acc, (unsigned long long)sum);
    return 0;
}
