/* Deep recursion (100000 frames), Ackermann, mutual recursion through
 * function pointers, and setjmp/longjmp: out of deep recursion, value 0
 * turned into 1, nested jump buffers, volatile locals preserved. */
#include <setjmp.h>
#include "rvtest.h"

static __attribute__((noinline)) uint64_t deep(uint64_t n, volatile uint64_t *sink)
{
    volatile uint64_t pad[4] = { n, n * 3, n ^ 0x55, n + 7 };
    if (n == 0) {
        return 0;
    }
    uint64_t r = deep(n - 1, sink) + (pad[0] ^ pad[2]) + pad[1] - pad[3];
    *sink += pad[1];
    return r;
}

static __attribute__((noinline)) uint64_t ack(uint64_t m, uint64_t n)
{
    if (m == 0) {
        return n + 1;
    }
    if (n == 0) {
        return ack(m - 1, 1);
    }
    return ack(m - 1, ack(m, n - 1));
}

static int is_odd(unsigned n);
static int (*volatile odd_fp)(unsigned) = is_odd;
static __attribute__((noinline)) int is_even(unsigned n) { return n == 0 ? 1 : odd_fp(n - 1); }
static int (*volatile even_fp)(unsigned) = is_even;
static __attribute__((noinline)) int is_odd(unsigned n) { return n == 0 ? 0 : even_fp(n - 1); }

static jmp_buf jb, jb_outer;
static int depth_at_jump;

static __attribute__((noinline)) void dive(int n)
{
    volatile char frame[64];
    frame[0] = (char)n;
    if (n == 5000) {
        depth_at_jump = n + frame[0] - frame[0];
        longjmp(jb, n);
    }
    if (n < 1000000) {
        dive(n + 1);
    }
    frame[1] = 0;
}

static __attribute__((noinline)) void jump_zero(void)
{
    longjmp(jb, 0);
}

static __attribute__((noinline)) void inner_then_outer(void)
{
    jmp_buf local;
    if (setjmp(local) == 0) {
        longjmp(jb_outer, 77);
    }
}

static uint64_t fib(uint64_t n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(void)
{
    volatile uint64_t sink = 0;
    uint64_t r = deep(100000, &sink);
    CHECK("deep recursion (100000 frames) result", r, 10007900000ull);  /* sum of 2n+78 */
    CHECK("deep recursion side effect", sink, 15000150000ull);
    CHECK("ackermann(2, 500)", ack(2, 500), 1003);
    CHECK("ackermann(3, 6)", ack(3, 6), 509);
    CHECK("mutual recursion is_even(100001)", is_even(100001), 0);
    CHECK("mutual recursion is_odd(77777)", is_odd(77777), 1);
    CHECK("fib(27)", fib(27), 196418);

    volatile int counter = 0;
    int v = setjmp(jb);
    if (v == 0) {
        counter = 1;
        dive(0);
    }
    CHECK("longjmp out of 5000 frames returns value", v, 5000);
    CHECK("volatile local preserved", counter, 1);
    CHECK("jump depth", depth_at_jump, 5000);

    v = setjmp(jb);
    if (v == 0) {
        jump_zero();
    }
    CHECK("longjmp(jb, 0) makes setjmp return 1", v, 1);

    v = setjmp(jb_outer);
    if (v == 0) {
        inner_then_outer();
    }
    CHECK("longjmp to outer buffer across inner setjmp", v, 77);

    /* repeated setjmp/longjmp in a loop */
    volatile int loops = 0;
    v = setjmp(jb);
    if (v < 1000) {
        loops++;
        longjmp(jb, v + 1);
    }
    CHECK("1000 longjmps in a loop", loops, 1000);
    return rvt_done("recursion");
}
