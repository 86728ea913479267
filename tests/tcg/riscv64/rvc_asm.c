/* Hand-written compressed (RVC) sequences with ".option rvc": every RV64C
 * instruction class (CI/CSS/CIW/CL/CS/CA/CB/CJ/CR), sign extension of
 * c.addiw/c.addw/c.subw, sp-relative forms, compressed control flow, and a
 * 32-bit instruction that straddles a page boundary in generated code. */
#include <sys/mman.h>
#include "rvtest.h"

#define RVC ".option push\n\t.option rvc\n\t"
#define END "\n\t.option pop"

int main(void)
{
    /* the asm names registers explicitly; bind the C variables to them */
    register uint64_t a0 __asm__("a0");
    register uint64_t a1 __asm__("a1");
    register uint64_t a2 __asm__("a2");
    register uint64_t a3 __asm__("a3");
    register uint64_t a4 __asm__("a4");
    register uint64_t a5 __asm__("a5");

    __asm__ volatile(RVC
        "c.li a0, -32\n\t"
        "c.addi a0, 31\n\t"          /* -1 */
        "c.li a1, 1\n\t"
        "c.slli a1, 63\n\t"          /* 0x8000... */
        "c.srai a1, 3\n\t"           /* 0xf000... */
        "c.mv a2, a1\n\t"
        "c.srli a2, 60\n\t"          /* 0xf */
        "c.andi a2, -6\n\t"          /* 0xa */
        "c.lui a3, 0xfffe1\n\t"      /* 0xfffffffffffe1000 */
        "c.lui a4, 1\n\t"
        "c.addi a4, -1\n\t"          /* 0xfff */
        "c.nop\n\t"
        "c.add a4, a3\n\t"           /* 0xfffffffffffe1fff */
        "c.li a5, 31\n\t"
        "c.sub a3, a5\n\t"           /* 0xfffffffffffe0fe1 */
        END
        : "=&r"(a0), "=&r"(a1), "=&r"(a2), "=&r"(a3), "=&r"(a4), "=&r"(a5)
        : : );
    {
        uint64_t v_a0 = a0;
        uint64_t v_a1 = a1;
        uint64_t v_a2 = a2;
        uint64_t v_a3 = a3;
        uint64_t v_a4 = a4;
        CHECK("c.li/c.addi -32+31", v_a0, ~0ull);
        CHECK("c.slli 63 / c.srai 3", v_a1, 0xf000000000000000ull);
        CHECK("c.srli 60 / c.andi -6", v_a2, 0xa);
        CHECK("c.lui/c.sub", v_a3, 0xfffffffffffe0fe1ull);
        CHECK("c.lui 1/c.addi/c.add", v_a4, 0xfffffffffffe1fffull);
    }

    register uint64_t s0 __asm__("s0");
    register uint64_t s1 __asm__("s1");
    s0 = 0x7fffffff;
    a3 = 0x00000000fedcba98ull;
    s1 = 0x0f0f0f0f0f0f0f0full;
    a0 = 0x00ff00ff00ff00ffull;
    __asm__ volatile(RVC
        "c.addiw s0, 1\n\t"          /* 0xffffffff80000000 */
        "c.mv a5, s1\n\t"
        "c.xor a5, a0\n\t"
        "c.or a0, s1\n\t"
        "c.and s1, a5\n\t"
        "c.li a1, -1\n\t"
        "c.addw a1, s0\n\t"          /* 0x7fffffff (sext of 0x7fffffff) */
        "c.li a2, 0\n\t"
        "c.subw a2, s0\n\t"          /* 0 - 0x80000000 = 0xffffffff80000000 */
        "c.addiw a3, 0\n\t"          /* sext.w */
        END
        : "+r"(s0), "+r"(s1), "+r"(a0), "=&r"(a1), "=&r"(a2), "=&r"(a5), "+r"(a3));
    {
        uint64_t v_a0 = a0;
        uint64_t v_a1 = a1;
        uint64_t v_a2 = a2;
        uint64_t v_a3 = a3;
        uint64_t v_a5 = a5;
        uint64_t v_s0 = s0;
        uint64_t v_s1 = s1;
        CHECK("c.addiw overflow sign-extends", v_s0, 0xffffffff80000000ull);
        CHECK("c.xor", v_a5, 0x0ff00ff00ff00ff0ull);
        CHECK("c.or", v_a0, 0x0fff0fff0fff0fffull);
        CHECK("c.and", v_s1, 0x0f000f000f000f00ull);
        CHECK("c.addw", v_a1, 0x7fffffffull);
        CHECK("c.subw", v_a2, 0xffffffff80000000ull);
        CHECK("c.addiw 0 (sext.w)", v_a3, 0xfffffffffedcba98ull);
    }

    /* CL/CS forms (x8-x15 bases) */
    static uint64_t mem[8] __attribute__((aligned(16))) = {
        0x1111111111111111ull, 0x80000000deadbeefull, 0, 0, 0x3ff8000000000000ull,
    };
    s0 = (uint64_t)mem;
    __asm__ volatile(RVC
        "c.ld a0, 0(s0)\n\t"
        "c.lw a1, 8(s0)\n\t"          /* sign-extended 0xdeadbeef */
        "c.lw a2, 12(s0)\n\t"
        "c.sd a0, 16(s0)\n\t"
        "c.sw a1, 24(s0)\n\t"
        "c.fld fa0, 32(s0)\n\t"
        "c.fsd fa0, 40(s0)\n\t"
        "c.ld a3, 40(s0)\n\t"
        END
        : "=&r"(a0), "=&r"(a1), "=&r"(a2), "=&r"(a3) : "r"(s0) : "fa0", "memory");
    {
        uint64_t v_a0 = a0;
        uint64_t v_a1 = a1;
        uint64_t v_a2 = a2;
        uint64_t v_a3 = a3;
        CHECK("c.ld", v_a0, 0x1111111111111111ull);
        CHECK("c.lw sign-extends", v_a1, 0xffffffffdeadbeefull);
        CHECK("c.lw +12", v_a2, 0xffffffff80000000ull);
        CHECK("c.sd", mem[2], 0x1111111111111111ull);
        CHECK("c.sw", mem[3], 0xdeadbeefull);
        CHECK("c.fld/c.fsd", v_a3, 0x3ff8000000000000ull);
    }

    /* sp-relative forms, c.addi16sp, c.addi4spn */
    a0 = 0x0123456789abcdefull;
    a1 = 0xfffffffff0000001ull;
    __asm__ volatile(RVC
        "c.mv a5, sp\n\t"
        "c.addi16sp sp, -64\n\t"
        "c.addi4spn s0, sp, 16\n\t"
        "c.sdsp %2, 0(sp)\n\t"
        "c.swsp %3, 8(sp)\n\t"
        "c.fldsp fa1, 0(sp)\n\t"
        "c.fsdsp fa1, 24(sp)\n\t"
        "c.ldsp %0, 24(sp)\n\t"
        "c.lwsp %1, 8(sp)\n\t"
        "sub s0, s0, sp\n\t"
        "c.addi16sp sp, 64\n\t"
        "sub a5, a5, sp\n\t"
        END
        : "=&r"(a2), "=&r"(a3), "+r"(a0), "+r"(a1), "=&r"(a5), "=&r"(s0)
        : : "fa1", "memory");
    {
        uint64_t v_a2 = a2;
        uint64_t v_a3 = a3;
        uint64_t v_a5 = a5;
        uint64_t v_s0 = s0;
        CHECK("c.sdsp/c.fldsp/c.fsdsp/c.ldsp", v_a2, 0x0123456789abcdefull);
        CHECK("c.swsp/c.lwsp sign-extends", v_a3, 0xfffffffff0000001ull);
        CHECK("c.addi4spn offset", v_s0, 16);
        CHECK("sp restored", v_a5, 0);
    }

    /* control flow: c.beqz/c.bnez/c.j/c.jr/c.jalr */
    uint64_t trace, link_ok;
    (void)a4;
    __asm__ volatile(RVC
        "c.li a0, 0\n\t"
        "c.li a1, 0\n\t"
        "c.beqz a0, 1f\n\t"
        "c.addi a1, 1\n"            /* skipped */
        "1:\tc.bnez a0, 2f\n\t"
        "c.addi a1, 2\n"            /* executed */
        "2:\tc.li a0, 3\n\t"
        "c.bnez a0, 3f\n\t"
        "c.addi a1, 4\n"            /* skipped */
        "3:\tc.j 4f\n\t"
        "c.addi a1, 8\n"            /* skipped */
        "4:\tlla a2, 5f\n\t"
        "c.jr a2\n\t"
        "c.addi a1, 16\n"           /* skipped */
        "5:\tlla a2, 6f\n\t"
        "c.jalr a2\n"
        "7:\tc.j 8f\n"
        "6:\tlla a3, 7b\n\t"
        "sub a3, ra, a3\n\t"
        "seqz %1, a3\n\t"
        "c.addi a1, 31\n\t"
        "c.jr ra\n"
        "8:\tc.mv %0, a1\n\t"
        END
        : "=r"(trace), "=r"(link_ok) : : "a0", "a1", "a2", "a3", "ra");
    CHECK("compressed branch trace", trace, 33);
    CHECK("c.jalr link = next insn", link_ok, 1);

    /* A 4-byte instruction straddling a page boundary, reached through a
     * run of compressed instructions, in freshly written code. */
    uint8_t *pg = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK_TRUE("mmap code pages", pg != MAP_FAILED);
    uint16_t *h = (uint16_t *)(pg + 4096 - 16);
    for (int i = 0; i < 7; i++) {
        h[i] = 0x0505;                /* c.addi a0, 1 */
    }
    /* addi a0, a0, 100 at offset 4094..4097 */
    uint32_t addi = 0x06450513;
    memcpy(pg + 4094, &addi, 4);
    uint16_t ret = 0x8082;            /* c.jr ra */
    memcpy(pg + 4098, &ret, 2);
    mprotect(pg, 8192, PROT_READ | PROT_EXEC);
    __asm__ volatile("fence.i" ::: "memory");
    uint64_t (*fn)(uint64_t) = (uint64_t (*)(uint64_t))(void *)(pg + 4096 - 16);
    CHECK("page-straddling 32-bit insn", fn(1000), 1107);
    munmap(pg, 8192);
    return rvt_done("rvc_asm");
}
