/* RV64I basics: W-op sign extension, lui/auipc, set-less-than, logic with
 * sign-extended immediates, loads with sign/zero extension, partial and
 * misaligned (also page-crossing) loads/stores, x0 semantics, jalr low bit,
 * jalr with rd == rs1, and signed vs unsigned branches. */
#include <sys/mman.h>
#include "rvtest.h"

#define RR(name, insn) static uint64_t name(uint64_t a, uint64_t b) \
    { uint64_t r; __asm__ volatile(insn " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
#define RI(name, insn, imm) static uint64_t name(uint64_t a) \
    { uint64_t r; __asm__ volatile(insn " %0, %1, " #imm : "=r"(r) : "r"(a)); return r; }
RR(op_addw, "addw") RR(op_subw, "subw") RR(op_add, "add") RR(op_sub, "sub")
RR(op_slt, "slt") RR(op_sltu, "sltu")
RI(addiw0, "addiw", 0) RI(addiw_max, "addiw", 2047) RI(addiw_min, "addiw", -2048)
RI(addi_min, "addi", -2048) RI(slti_m1, "slti", -1) RI(sltiu_m1, "sltiu", -1)
RI(sltiu_1, "sltiu", 1) RI(xori_m1, "xori", -1) RI(andi_min, "andi", -2048)
RI(ori_m2048, "ori", -2048) RI(slti_min, "slti", -2048)

#define BR(name, insn) static int name(uint64_t a, uint64_t b) { int r; \
    __asm__ volatile(insn " %1, %2, 1f\n\tli %0, 0\n\tj 2f\n1:\tli %0, 1\n2:" \
                     : "=r"(r) : "r"(a), "r"(b)); return r; }
BR(br_beq, "beq") BR(br_bne, "bne") BR(br_blt, "blt") BR(br_bge, "bge")
BR(br_bltu, "bltu") BR(br_bgeu, "bgeu")

int main(void)
{
    const uint64_t M1 = ~0ull, MIN = 1ull << 63;
    uint64_t r, r2;

    CHECK("addw 0x7fffffff + 1", op_addw(0x7fffffff, 1), 0xffffffff80000000ull);
    CHECK("addw upper bits ignored", op_addw(0x1234567800000001ull, 0xff00000000000002ull), 3);
    CHECK("subw 0 - 0x80000000", op_subw(0, 0x80000000), 0xffffffff80000000ull);
    CHECK("addiw 0 (sext.w)", addiw0(0xffffffffull), M1);
    CHECK("addiw 2047 overflow", addiw_max(0x7fffffffull), 0xffffffff800007feull);
    CHECK("addiw -2048", addiw_min(0x80000000ull), 0x7ffff800ull);
    CHECK("addi -2048", addi_min(0), -2048ull);
    CHECK("add wraps", op_add(M1, 2), 1);
    CHECK("sub MIN - 1", op_sub(MIN, 1), MIN - 1);
    __asm__ volatile("lui %0, 0x80000" : "=r"(r));
    CHECK("lui 0x80000 sign-extends", r, 0xffffffff80000000ull);
    __asm__ volatile("lui %0, 0xfffff" : "=r"(r));
    CHECK("lui 0xfffff", r, 0xfffffffffffff000ull);
    __asm__ volatile("lui %0, 0x7ffff\n\taddiw %0, %0, 2047" : "=r"(r));
    CHECK("lui+addiw 0x7ffff7ff", r, 0x7ffff7ffull);
    __asm__ volatile("1: auipc %0, 0\n\tlla %1, 1b" : "=r"(r), "=r"(r2));
    CHECK("auipc 0 == label", r - r2, 0);
    __asm__ volatile("1: auipc %0, 1\n\tlla %1, 1b" : "=r"(r), "=r"(r2));
    CHECK("auipc 1 == label + 4096", r - r2, 4096);
    __asm__ volatile("1: auipc %0, 0xfffff\n\tlla %1, 1b" : "=r"(r), "=r"(r2));
    CHECK("auipc -1 == label - 4096", r - r2, -4096ull);

    CHECK("slt -1 < 0", op_slt(M1, 0), 1);
    CHECK("sltu -1 < 0", op_sltu(M1, 0), 0);
    CHECK("slt MIN < MAX", op_slt(MIN, MIN - 1), 1);
    CHECK("sltu x0 < 1 (snez)", op_sltu(0, 1), 1);
    CHECK("slti 0 < -1", slti_m1(0), 0);
    CHECK("slti -2049 < -2048", slti_min(-2049ull), 1);
    CHECK("sltiu 0 < -1(=max)", sltiu_m1(0), 1);
    CHECK("sltiu -1 < -1", sltiu_m1(M1), 0);
    CHECK("sltiu x < 1 (seqz 0)", sltiu_1(0), 1);
    CHECK("sltiu x < 1 (seqz 5)", sltiu_1(5), 0);
    CHECK("xori -1 (not)", xori_m1(0x0123456789abcdefull), 0xfedcba9876543210ull);
    CHECK("andi -2048", andi_min(M1), 0xfffffffffffff800ull);
    CHECK("ori -2048", ori_m2048(0x7ff), M1);

    /* x0 */
    __asm__ volatile("li t0, 77\n\tadd zero, t0, t0\n\taddi zero, zero, 5\n\t"
                     ".insn u 0x37, zero, 0x12345\n\tmv %0, zero" : "=r"(r) : : "t0");
    CHECK("writes to x0 are discarded", r, 0);
    static volatile uint64_t cell = 0x1111;
    __asm__ volatile("ld zero, 0(%1)\n\tmv %0, zero" : "=r"(r) : "r"(&cell));
    CHECK("load into x0 discarded", r, 0);

    /* loads and stores */
    static uint8_t buf[32] __attribute__((aligned(16)));
    for (int i = 0; i < 32; i++) {
        buf[i] = (uint8_t)(0x80 + i * 9);
    }
    __asm__ volatile("lb %0, 0(%1)" : "=r"(r) : "r"(buf)); CHECK("lb 0x80", r, 0xffffffffffffff80ull);
    __asm__ volatile("lbu %0, 0(%1)" : "=r"(r) : "r"(buf)); CHECK("lbu 0x80", r, 0x80);
    __asm__ volatile("lh %0, 2(%1)" : "=r"(r) : "r"(buf)); CHECK("lh", r, 0xffffffffffff9b92ull);
    __asm__ volatile("lhu %0, 2(%1)" : "=r"(r) : "r"(buf)); CHECK("lhu", r, 0x9b92);
    __asm__ volatile("lw %0, 4(%1)" : "=r"(r) : "r"(buf)); CHECK("lw", r, 0xffffffffbfb6ada4ull);
    __asm__ volatile("lwu %0, 4(%1)" : "=r"(r) : "r"(buf)); CHECK("lwu", r, 0xbfb6ada4ull);
    __asm__ volatile("ld %0, 8(%1)" : "=r"(r) : "r"(buf)); CHECK("ld", r, 0x07fef5ece3dad1c8ull);
    __asm__ volatile("ld %0, -8(%1)" : "=r"(r) : "r"(buf + 16)); CHECK("ld negative offset", r,
          0x07fef5ece3dad1c8ull);
    __asm__ volatile("sb %1, 1(%0)\n\tsh %1, 2(%0)\n\tsw %1, 4(%0)" : : "r"(buf),
                     "r"(0x0102030405060708ull) : "memory");
    __asm__ volatile("ld %0, 0(%1)" : "=r"(r) : "r"(buf));
    CHECK("sb/sh/sw partial stores", r, 0x0506070807080880ull);
    /* misaligned */
    __asm__ volatile("ld %0, 3(%1)" : "=r"(r) : "r"(buf)); CHECK("misaligned ld +3", r,
          0xdad1c80506070807ull);
    __asm__ volatile("lw %0, 7(%1)" : "=r"(r) : "r"(buf)); CHECK("misaligned lw +7", r,
          0xffffffffdad1c805ull);
    __asm__ volatile("lhu %0, 15(%1)" : "=r"(r) : "r"(buf)); CHECK("misaligned lhu +15", r, 0x1007);
    __asm__ volatile("sd %1, 17(%0)" : : "r"(buf), "r"(0x1122334455667788ull) : "memory");
    CHECK("misaligned sd +17 (byte 17)", buf[17], 0x88);
    CHECK("misaligned sd +17 (byte 24)", buf[24], 0x11);
    CHECK("misaligned sd +17 (byte 16)", buf[16], 0x10);
    /* page crossing */
    uint8_t *pg = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK_TRUE("mmap 2 pages", pg != MAP_FAILED);
    for (int i = 0; i < 16; i++) {
        pg[4096 - 8 + i] = (uint8_t)(i + 1);
    }
    __asm__ volatile("ld %0, 0(%1)" : "=r"(r) : "r"(pg + 4096 - 3));
    CHECK("ld crossing page boundary", r, 0x0d0c0b0a09080706ull);
    __asm__ volatile("sw %1, 0(%0)" : : "r"(pg + 4096 - 2), "r"(0xa1b2c3d4ull) : "memory");
    CHECK("sw crossing page boundary", (uint32_t)pg[4094] | (uint32_t)pg[4095] << 8 |
          (uint32_t)pg[4096] << 16 | (uint32_t)pg[4097] << 24,
          0xa1b2c3d4ull);

    /* jalr: target low bit cleared, rd == rs1 */
    __asm__ volatile("lla t0, 1f\n\taddi t0, t0, 1\n\tjalr t1, 0(t0)\n\tli %0, 111\n\tj 2f\n"
                     "1:\tli %0, 222\n2:" : "=r"(r) : : "t0", "t1");
    CHECK("jalr clears bit 0 of target", r, 222);
    __asm__ volatile("lla t0, 1f\n\tjalr t0, 0(t0)\n3:\tli %0, 1\n\tj 2f\n1:\tlla %1, 3b\n\t"
                     "sub %0, t0, %1\n2:" : "=r"(r), "=r"(r2) : : "t0");
    CHECK("jalr rd==rs1 links to next insn", r, 0);

    /* branches */
    struct { uint64_t a, b; } bp[] = { { 0, 0 }, { M1, 0 }, { 0, M1 }, { MIN, MIN - 1 },
                                       { 5, 5 }, { 1, 2 } };
    uint64_t bits = 0;
    for (unsigned i = 0; i < sizeof(bp) / sizeof(bp[0]); i++) {
        bits = bits << 6 | (uint64_t)br_beq(bp[i].a, bp[i].b) << 5 |
               (uint64_t)br_bne(bp[i].a, bp[i].b) << 4 | (uint64_t)br_blt(bp[i].a, bp[i].b) << 3 |
               (uint64_t)br_bge(bp[i].a, bp[i].b) << 2 | (uint64_t)br_bltu(bp[i].a, bp[i].b) << 1 |
               (uint64_t)br_bgeu(bp[i].a, bp[i].b);
    }
    CHECK("branch outcome bitmap", bits, 0x95959995aull);
    return rvt_done("int_alu");
}
