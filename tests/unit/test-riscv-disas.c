/*
 * RISC-V disassembler test (target/riscv/disas.c over the decoder generated
 * by scripts/decodetree.py --out-disas): every encoding in
 * riscv-disas-vectors.h (made by gen-riscv-disas-vectors.py from GNU objdump
 * -M no-aliases) must print exactly objdump's text, whitespace between
 * mnemonic and operands aside.  Also checks the edge cases of the
 * riscv_disas_insn() contract (short buffers, unknown words).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/riscv/disas.h"

typedef struct DisasVector {
    uint64_t pc;
    uint32_t insn;
    int len;
    const char *text;
} DisasVector;

static const DisasVector vectors[] = {
#include "riscv-disas-vectors.h"
};

/* Collapse runs of blanks to one space (our operand column vs objdump's tab). */
static void squeeze(char *s)
{
    char *d = s;
    for (const char *p = s; *p; p++) {
        if ((*p == ' ' || *p == '\t') && d > s && d[-1] == ' ') {
            continue;
        }
        *d++ = *p == '\t' ? ' ' : *p;
    }
    *d = '\0';
}

static int disas(uint64_t pc, uint32_t insn, int len, size_t avail, char *buf, size_t size)
{
    uint8_t code[4] = { insn, insn >> 8, insn >> 16, insn >> 24 };
    (void)len;
    return riscv_disas_insn(pc, code, avail, buf, size);
}

int main(void)
{
    int fails = 0;
    size_t n = sizeof(vectors) / sizeof(vectors[0]);
    for (size_t i = 0; i < n; i++) {
        const DisasVector *v = &vectors[i];
        char buf[128];
        int len = disas(v->pc, v->insn, v->len, 4, buf, sizeof(buf));
        squeeze(buf);
        if (len != v->len || strcmp(buf, v->text) != 0) {
            if (fails++ < 200) {
                fprintf(stderr, "0x%0*x @0x%llx: got \"%s\" (len %d), want \"%s\"\n",
                        v->len * 2, v->insn, (unsigned long long)v->pc, buf, len, v->text);
            }
        }
    }

    /* Contract edge cases. */
    char buf[64];
    if (disas(0, 0x00000013, 4, 3, buf, sizeof(buf)) != 0 ||
        disas(0, 0x0001, 2, 1, buf, sizeof(buf)) != 0) {
        fprintf(stderr, "truncated insn not rejected\n");
        fails++;
    }
    if (disas(0, 0x0000, 2, 2, buf, sizeof(buf)) != 2 || strcmp(buf, ".2byte 0x0000") != 0) {
        fprintf(stderr, "illegal c insn: got \"%s\"\n", buf);
        fails++;
    }
    if (disas(0, 0xffffffff, 4, 4, buf, sizeof(buf)) != 4 ||
        strcmp(buf, ".4byte 0xffffffff") != 0) {
        fprintf(stderr, "unknown insn: got \"%s\"\n", buf);
        fails++;
    }
    /* A tiny buffer truncates but stays terminated. */
    char small[6];
    memset(small, 'x', sizeof(small));
    if (disas(0, 0x00c5f553, 4, 4, small, sizeof(small)) != 4 || small[5] != '\0' ||
        strncmp(small, "fadd.", 5) != 0) {
        fprintf(stderr, "small buffer: got \"%.6s\"\n", small);
        fails++;
    }

    printf("%zu vectors, %d failures\n", n, fails);
    return fails ? 1 : 0;
}
