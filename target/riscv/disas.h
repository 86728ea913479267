/*
 * RISC-V disassembler (target/riscv/disas.c) for -d in_asm.  The
 * instruction patterns come from the same .decode files as the decoder:
 * scripts/decodetree.py --out-disas generates riscv_disas_decode32/16,
 * which name each pattern's mnemonic and operand template (docs/decodetree.md).
 */
#ifndef TARGET_RISCV_DISAS_H
#define TARGET_RISCV_DISAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/riscv/translate.h"

/* Generated (riscv-disas.c): match insn; fill *a and the template strings. */
bool riscv_disas_decode32(uint32_t insn, RvArgs *a, const char **mnemonic,
                          const char **operands);
bool riscv_disas_decode16(uint16_t insn, RvArgs *a, const char **mnemonic,
                          const char **operands);

/*
 * Disassemble the instruction at code[0..avail) whose address is pc into
 * buf (objdump -M no-aliases style).  Returns its length (2 or 4), or 0 if
 * fewer bytes than that are available.  Unknown encodings print as
 * ".2byte 0x..."/".4byte 0x...".
 */
int riscv_disas_insn(uint64_t pc, const uint8_t *code, size_t avail, char *buf,
                     size_t bufsize);

#endif
