/*
 * RISC-V decoder test: runs the generated decoder (scripts/decodetree.py
 * over the target/riscv .decode files) on encodings whose expected handler and
 * operand fields come from GNU binutils (riscv-decode-vectors.h, made by
 * gen-riscv-decode-vectors.py).  The handlers are the generated stubs,
 * which report back through decode_test_record().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/riscv/riscv-decode.h"

typedef struct DecodeVector {
    uint32_t insn;
    int len;
    const char *name;   /* handler without "trans_"; NULL: illegal */
    const char *fields; /* "rd=1 rs1=2 imm=-4": the fields that must match */
} DecodeVector;

static const DecodeVector vectors[] = {
#include "riscv-decode-vectors.h"
};

static const char *last_name;
static RvArgs last_args;

bool decode_test_record(const char *name, const RvArgs *a)
{
    last_name = name;
    last_args = *a;
    return true;
}

static bool field_value(const RvArgs *a, const char *f, int64_t *v)
{
    static const struct {
        const char *name;
        size_t off;
        bool is64;
    } tab[] = {
        { "rd", offsetof(RvArgs, rd), false },     { "rs1", offsetof(RvArgs, rs1), false },
        { "rs2", offsetof(RvArgs, rs2), false },   { "rs3", offsetof(RvArgs, rs3), false },
        { "imm", offsetof(RvArgs, imm), true },    { "rm", offsetof(RvArgs, rm), false },
        { "aq", offsetof(RvArgs, aq), false },     { "rl", offsetof(RvArgs, rl), false },
        { "csr", offsetof(RvArgs, csr), false },   { "shamt", offsetof(RvArgs, shamt), false },
        { "pred", offsetof(RvArgs, pred), false }, { "succ", offsetof(RvArgs, succ), false },
    };
    for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
        if (strcmp(tab[i].name, f) == 0) {
            const char *p = (const char *)a + tab[i].off;
            if (tab[i].is64) {
                *v = *(const int64_t *)p;
            } else {
                *v = *(const int *)p;
            }
            return true;
        }
    }
    return false;
}

/* Returns NULL if every field in `spec` matches, else a description. */
static const char *check_fields(const RvArgs *a, const char *spec, char *buf, size_t n)
{
    char copy[256];
    snprintf(copy, sizeof(copy), "%s", spec);
    for (char *save = NULL, *tok = strtok_r(copy, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(tok, '=');
        int64_t want = strtoll(eq + 1, NULL, 0), got;
        *eq = 0;
        if (!field_value(a, tok, &got)) {
            snprintf(buf, n, "unknown field %s", tok);
            return buf;
        }
        if (got != want) {
            snprintf(buf, n, "%s=%lld, want %lld", tok, (long long)got, (long long)want);
            return buf;
        }
    }
    return NULL;
}

int main(void)
{
    DisasContext ctx;
    int passed = 0, failed = 0;

    memset(&ctx, 0, sizeof(ctx));
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        const DecodeVector *v = &vectors[i];
        char buf[128];
        const char *err = NULL;

        last_name = NULL;
        memset(&last_args, 0x55, sizeof(last_args));
        bool ok = v->len == 4 ? riscv_decode32(&ctx, v->insn)
                              : riscv_decode16(&ctx, (uint16_t)v->insn);
        /* The `illegal` pattern's handler returns false in the translator;
         * its stub records it, so count it as illegal here. */
        bool illegal = !ok || (last_name && strcmp(last_name, "illegal") == 0);

        if (v->name == NULL) {
            if (!illegal) {
                snprintf(buf, sizeof(buf), "decoded as %s, want illegal", last_name);
                err = buf;
            }
        } else if (illegal) {
            err = "illegal";
        } else if (strcmp(last_name, v->name) != 0) {
            snprintf(buf, sizeof(buf), "handler %s, want %s", last_name, v->name);
            err = buf;
        } else {
            err = check_fields(&last_args, v->fields, buf, sizeof(buf));
        }
        if (err) {
            printf("FAIL %0*x (%s %s): %s\n", v->len * 2, v->insn, v->name ? v->name : "illegal",
                   v->fields, err);
            failed++;
        } else {
            passed++;
        }
    }
    printf("riscv-decode: %d passed, %d failed\n", passed, failed);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
