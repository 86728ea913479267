/*
 * RISC-V disassembler for -d in_asm (capstone 4 has no RISC-V).
 *
 * Which pattern an encoding is, and how its operands are written, is all
 * declarative: the .decode files annotate each pattern (or its format) with
 * `; [MNEMONIC] "TEMPLATE"` and scripts/decodetree.py --out-disas turns them
 * into riscv_disas_decode32/16.  This file only gives the template words
 * their meaning:
 *   rd rs1 rs2 rs3       integer register, ABI name
 *   frd frs1 frs2 frs3   floating-point register, ABI name
 *   imm                  decimal immediate
 *   shamt                hex shift amount (objdump spells it so)
 *   hi20                 lui/auipc/c.lui immediate: imm >> 12, hex, 20 bits
 *   target               pc + imm, hex (branches and jumps)
 *   csr                  CSR name for the user-level ones rove implements
 *                        (f-flags and counters), else hex
 *   pred succ            fence sets as "iorw" letters
 *   rm                   ",<mode>" unless the mode is dyn (then nothing,
 *                        including the comma before it)
 * Everything else (commas, parentheses) is copied.  The output matches
 * GNU objdump -M no-aliases (tests/unit/test-riscv-disas.c): compressed
 * instructions keep their own c.* mnemonic, and AMOs get .aq/.rl/.aqrl.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "target/riscv/disas.h"

static const char *const rv_xreg_names[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2",
    "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7",
    "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static const char *const rv_freg_names[32] = {
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7",
    "fs0", "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5",
    "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7",
    "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
};

/* Index = the rm field; 7 (dyn) is never printed. */
static const char *const rv_rm_names[8] = {
    "rne", "rtz", "rdn", "rup", "rmm", "0x5", "0x6", "dyn",
};

/* Column the operands start at (the longest common mnemonics fit). */
#define RV_DISAS_OPERAND_COL 11

typedef struct RvOut {
    char *buf;
    size_t size, len;
} RvOut;

static void G_GNUC_PRINTF(2, 3) rv_out(RvOut *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = o->len < o->size ? o->size - o->len : 0;
    int n = vsnprintf(o->buf + (room ? o->len : 0), room, fmt, ap);
    va_end(ap);
    if (n > 0) {
        o->len += (size_t)n;
    }
}

static const char *rv_csr_name(int csr)
{
    switch (csr) {
    case 0x001: return "fflags";
    case 0x002: return "frm";
    case 0x003: return "fcsr";
    case 0xc00: return "cycle";
    case 0xc01: return "time";
    case 0xc02: return "instret";
    default: return NULL;
    }
}

static void rv_out_fence_set(RvOut *o, int bits)
{
    if (!bits) {
        rv_out(o, "0");
        return;
    }
    static const char letters[] = "iorw";
    for (int i = 0; i < 4; i++) {
        if (bits & (8 >> i)) {
            rv_out(o, "%c", letters[i]);
        }
    }
}

/* Print one template word; false if it is not an operand word. */
static bool rv_out_operand(RvOut *o, const char *w, size_t n, const RvArgs *a, uint64_t pc)
{
#define RV_IS(s) (n == sizeof(s) - 1 && memcmp(w, s, n) == 0)
    if (RV_IS("rd")) {
        rv_out(o, "%s", rv_xreg_names[a->rd & 31]);
    } else if (RV_IS("rs1")) {
        rv_out(o, "%s", rv_xreg_names[a->rs1 & 31]);
    } else if (RV_IS("rs2")) {
        rv_out(o, "%s", rv_xreg_names[a->rs2 & 31]);
    } else if (RV_IS("rs3")) {
        rv_out(o, "%s", rv_xreg_names[a->rs3 & 31]);
    } else if (RV_IS("frd")) {
        rv_out(o, "%s", rv_freg_names[a->rd & 31]);
    } else if (RV_IS("frs1")) {
        rv_out(o, "%s", rv_freg_names[a->rs1 & 31]);
    } else if (RV_IS("frs2")) {
        rv_out(o, "%s", rv_freg_names[a->rs2 & 31]);
    } else if (RV_IS("frs3")) {
        rv_out(o, "%s", rv_freg_names[a->rs3 & 31]);
    } else if (RV_IS("imm")) {
        rv_out(o, "%" PRId64, a->imm);
    } else if (RV_IS("shamt")) {
        rv_out(o, "0x%x", a->shamt);
    } else if (RV_IS("hi20")) {
        rv_out(o, "0x%" PRIx64, ((uint64_t)a->imm >> 12) & 0xfffff);
    } else if (RV_IS("target")) {
        rv_out(o, "0x%" PRIx64, pc + (uint64_t)a->imm);
    } else if (RV_IS("csr")) {
        const char *name = rv_csr_name(a->csr);
        if (name) {
            rv_out(o, "%s", name);
        } else {
            rv_out(o, "0x%x", a->csr);
        }
    } else if (RV_IS("pred")) {
        rv_out_fence_set(o, a->pred);
    } else if (RV_IS("succ")) {
        rv_out_fence_set(o, a->succ);
    } else if (RV_IS("rm")) {
        if (a->rm == 7) {
            /* dyn is the default: drop the operand and its comma. */
            if (o->len > 0 && o->len <= o->size && o->buf[o->len - 1] == ',') {
                o->buf[--o->len] = '\0';
            }
        } else {
            rv_out(o, "%s", rv_rm_names[a->rm & 7]);
        }
    } else {
        return false;
    }
    return true;
#undef RV_IS
}

int riscv_disas_insn(uint64_t pc, const uint8_t *code, size_t avail, char *buf,
                     size_t bufsize)
{
    if (avail < 2) {
        return 0;
    }
    int len = (code[0] & 3) == 3 ? 4 : 2;
    if (avail < (size_t)len) {
        return 0;
    }
    uint32_t insn = code[0] | (uint32_t)code[1] << 8;
    if (len == 4) {
        insn |= (uint32_t)code[2] << 16 | (uint32_t)code[3] << 24;
    }
    RvOut o = { buf, bufsize, 0 };
    if (bufsize) {
        buf[0] = '\0';
    }

    RvArgs a;
    const char *mnemonic, *ops;
    bool ok = len == 4 ? riscv_disas_decode32(insn, &a, &mnemonic, &ops)
                       : riscv_disas_decode16((uint16_t)insn, &a, &mnemonic, &ops);
    if (!ok) {
        rv_out(&o, ".%dbyte 0x%0*x", len, len * 2, insn);
        return len;
    }
    /* Only AMOs have aq/rl fields; everything else leaves them 0. */
    static const char *const ordering[4] = { "", ".rl", ".aq", ".aqrl" };
    rv_out(&o, "%s%s", mnemonic, ordering[(a.aq ? 2 : 0) | (a.rl ? 1 : 0)]);
    if (*ops) {
        /* Operands in a column, like objdump's tab. */
        do {
            rv_out(&o, " ");
        } while (o.len < RV_DISAS_OPERAND_COL);
    }
    for (const char *p = ops; *p;) {
        size_t n = 0;
        while (g_ascii_isalnum(p[n]) || p[n] == '_') {
            n++;
        }
        if (n && rv_out_operand(&o, p, n, &a, pc)) {
            p += n;
        } else {
            n = n ? n : 1;
            rv_out(&o, "%.*s", (int)n, p);
            p += n;
        }
    }
    return len;
}
