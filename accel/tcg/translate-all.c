/*
 * tb_gen_code: guest code -> IR (front end) -> optimised IR -> host code
 * (back end), with the -d in_asm/op/op_opt/out_asm logs along the way.
 */
#include <capstone/capstone.h>
#include <string.h>

#include "accel/tcg/internal.h"

/* The TB's guest instructions in translation order (a superblock's path
 * jumps about), one line each. */
static void log_guest_code(CpuState *cpu, const uint64_t *pcs, int n)
{
    const TargetArch *arch = cpu->arch;
    csh h = 0;
    bool cs = arch->capstone_arch >= 0 &&
              cs_open(arch->capstone_arch, arch->capstone_mode, &h) == CS_ERR_OK;
    rove_log("IN: \n");
    for (int i = 0; i < n; i++) {
        uint64_t pc = pcs[i];
        uint8_t p[16];
        size_t avail = cpu_peek_code(cpu, pc, p, sizeof(p));
        if (i > 0 && pc != pcs[i - 1] + 2 && pc != pcs[i - 1] + 4 &&
            arch->capstone_arch < 0) {
            rove_log("  -- continues at 0x%016" PRIx64 "\n", pc);
        }
        if (cs) {
            cs_insn *insn;
            if (cs_disasm(h, p, avail, pc, 1, &insn) == 1) {
                rove_log("0x%016" PRIx64 ":  %-8s %s\n", pc, insn[0].mnemonic, insn[0].op_str);
                cs_free(insn, 1);
                continue;
            }
        } else if (arch->disas_insn) {
            /* The target's own disassembler (capstone 4 has no RISC-V). */
            char text[128];
            int len = arch->disas_insn(pc, p, avail, text, sizeof(text));
            if (len > 0) {
                uint32_t w = 0;
                memcpy(&w, p, (size_t)len <= sizeof(w) ? (size_t)len : sizeof(w));
                /* Pad 2-byte encodings so the text stays in one column. */
                rove_log("0x%016" PRIx64 ":  %0*x%*s  %s\n", pc, len * 2, w, 8 - len * 2, "",
                         text);
                continue;
            }
        }
        rove_log("0x%016" PRIx64 ":  (no disassembly)\n", pc);
    }
    if (cs) {
        cs_close(&h);
    }
    rove_log("\n");
}

static void log_host_code(TranslationBlock *tb)
{
    csh h;
    rove_log("OUT: [size=%u]\n", tb->tc_size);
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) {
        return;
    }
    cs_insn *insn;
    size_t n = cs_disasm(h, tb->tc_ptr, tb->tc_size, (uintptr_t)tb->tc_ptr, 0, &insn);
    int next_insn = 0;
    uint32_t off0 = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t off = (uint32_t)(insn[i].address - (uintptr_t)tb->tc_ptr);
        while (next_insn < tb->icount && off >= off0) {
            rove_log("  -- guest pc 0x%016" PRIx64 "\n", tb->insn_pc[next_insn]);
            off0 = tb->insn_end[next_insn];
            next_insn++;
        }
        rove_log("0x%012" PRIx64 ":  %-8s %s\n", insn[i].address, insn[i].mnemonic,
                 insn[i].op_str);
    }
    cs_free(insn, n);
    cs_close(&h);
    rove_log("\n");
}

TranslationBlock *tb_gen_code(CpuState *cpu, uint64_t pc, uint32_t flags, uint32_t cflags)
{
    ExecState *es = cpu->exec;
    CpuTcg *ct = cpu_tcg(cpu);
    TcgContext *ctx = &ct->tcg;
    int max_insns = cflags & CF_COUNT_MASK;
    if (max_insns == 0 || max_insns > TCG_MAX_INSNS) {
        max_insns = TCG_MAX_INSNS;
    }
    cflags |= cpu->tcg_cflags;
    if (cflags & CF_SINGLE_STEP) {
        max_insns = 1;
    }

    tb_lock();
    if (!(cflags & CF_NO_CACHE)) {
        /* Another vCPU may have made it while we waited for the lock. */
        TranslationBlock *done = tb_lookup_slow(cpu, pc, flags);
        /* (A first-tier TB does not do for a promotion, which asks for
         * the full translation: both may sit in the hash a while.) */
        if (done && (!(done->cflags & CF_TIER0) || (cflags & CF_TIER0))) {
            tb_unlock();
            return done;
        }
    }
    g_free(ct->building); /* left over if the last translation faulted */
    TranslationBlock *tb = g_new0(TranslationBlock, 1);
    ct->building = tb;
    tb->pc = pc;
    tb->flags = flags;
    tb->cflags = cflags;

    tcg_func_start(ctx);
    cpu->arch->translate(ctx, cpu, tb, max_insns);
    es->nb_translations++;

    /* Guest pcs of the insns, in order (the insn_start markers'). */
    int n = ctx->nb_insn_pcs;
    const uint64_t *pcs = ctx->insn_pcs;

    if (rove_log_enabled(LOG_IN_ASM)) {
        log_guest_code(cpu, pcs, n);
    }
    if (rove_log_enabled(LOG_OP)) {
        rove_log("OP:\n");
        tcg_dump_ops(ctx, rove_log_file ? rove_log_file : stderr);
        rove_log("\n");
    }
    if (ROVE_VERIFY_IR) {
        tcg_verify(ctx, "the front end");
    }
    /* First-tier code mostly runs a few times: the optimiser would cost
     * it more than it saves (tiers.c). */
    if (!(cflags & CF_TIER0)) {
        tcg_optimize(ctx);
    }
    tcg_loopify(ctx, pc);
    if (ROVE_VERIFY_IR) {
        tcg_verify(ctx, "the optimiser");
    }
    if (rove_log_enabled(LOG_OP_OPT)) {
        rove_log("OP after optimization:\n");
        tcg_dump_ops(ctx, rove_log_file ? rove_log_file : stderr);
        rove_log("\n");
    }

    TbCodeInfo *info = &ct->info;
    memset(info, 0, offsetof(TbCodeInfo, insn_end));
    const void *code = es->backend->gen_code(ctx, &es->buf, info);
    if (!code || es->nb_tbs >= es->max_tbs) {
        /* Buffer full: the caller flushes (which needs every vCPU out of
         * generated code, so not under tb_lock) and translates again. */
        tb_unlock();
        return NULL;
    }
    ct->building = NULL;

    tb->tc_ptr = code;
    tb->tc_size = info->size;
    size_t start = (size_t)((const uint8_t *)code - es->buf.rx);
    es->buf.used = (start + info->size + 15) & ~(size_t)15;
    code_buffer_prefault(&es->buf);
    for (int s = 0; s < TCG_MAX_GOTO_TB; s++) {
        tb->jmp_insn_offset[s] = info->jmp_insn_offset[s];
        tb->jmp_reset_offset[s] = info->jmp_reset_offset[s];
    }
    int ni = info->nb_insns < n ? info->nb_insns : n;
    /* One block for the TB's tables (tb_free frees it through insn_pc):
     * wbs (8-aligned), insn_pc, then the 4-byte arrays. */
    size_t nwb = info->nb_sites ? (size_t)info->nb_wbs : 0;
    size_t sz_wbs = sizeof(TcgWriteback) * nwb, sz_pc = sizeof(uint64_t) * (size_t)ni;
    size_t sz_end = sizeof(uint32_t) * (size_t)ni;
    size_t sz_sites = info->nb_sites ? sizeof(TbFaultSite) * (size_t)info->nb_sites : 0;
    uint8_t *blk = g_malloc(sz_wbs + sz_pc + sz_end + sz_sites + 8);
    tb->insn_pc = (uint64_t *)(blk + sz_wbs);
    tb->insn_end = (uint32_t *)(blk + sz_wbs + sz_pc);
    memcpy(tb->insn_pc, pcs, sz_pc);
    memcpy(tb->insn_end, info->insn_end, sz_end);
    if (info->nb_sites) {
        tb->nb_fault_sites = info->nb_sites;
        tb->fault_wbs = (TcgWriteback *)blk;
        memcpy(tb->fault_wbs, info->wbs, sz_wbs);
        tb->fault_sites = (TbFaultSite *)(blk + sz_wbs + sz_pc + sz_end);
        memcpy(tb->fault_sites, info->sites, sz_sites);
    }
    tb->icount = (uint16_t)ni;

    tb_record(es, tb);
    if (!(cflags & CF_NO_CACHE)) {
        tb_insert(cpu, tb);
    }
    if (rove_perfmap) {
        fprintf(rove_perfmap, "%" PRIxPTR " %x guest-0x%" PRIx64 "\n", (uintptr_t)code,
                tb->tc_size, tb->pc);
    }
    if (rove_log_enabled(LOG_OUT_ASM) && es->backend == &tcg_backend_x86_64) {
        log_host_code(tb);
    }
    tb_unlock();
    return tb;
}
