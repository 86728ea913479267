/*
 * The generic translator loop every front end runs inside, and guest code
 * fetch during translation.
 *
 * A TB never crosses a guest page boundary except for its first
 * instruction, which may straddle two pages (so every page a TB was made
 * from is known and write-protected).  Each TB starts with a check of
 * exit_request so a chained loop still returns to the cpu loop when asked.
 */
#include <stddef.h>
#include <string.h>

#include "accel/tcg/internal.h"
#include "rove/user-mem.h"

void translator_loop(const TranslatorOps *ops, DisasContextBase *db, CpuState *cpu,
                     TcgContext *tcg, TranslationBlock *tb, int max_insns)
{
    db->tb = tb;
    db->tcg = tcg;
    db->cpu = cpu;
    db->pc_first = tb->pc;
    db->pc_next = tb->pc;
    db->is_jmp = DISAS_NEXT;
    db->num_insns = 0;
    db->max_insns = max_insns;
    tb->page_addr[0] = tb->pc & TARGET_PAGE_MASK;
    tb->page_addr[1] = (uint64_t)-1;

    ops->init_disas_context(db);

    int exit_label = tcg_new_label(tcg);
    TcgTemp *req = tcg_temp_new_i32(tcg);
    tcg_gen_ld(tcg, req, tcg->env, offsetof(TcgEnvHeader, exit_request), MO_SL);
    tcg_gen_brcondi(tcg, TCG_COND_NE, req, 0, exit_label);

    for (;;) {
        uint64_t before = db->pc_next;
        ops->translate_insn(db);
        if (db->pc_next != before) {
            db->num_insns++;
        }
        if (db->is_jmp != DISAS_NEXT) {
            break;
        }
        if (db->num_insns >= db->max_insns || tcg_op_buf_full(tcg) ||
            ((db->pc_next ^ db->pc_first) & TARGET_PAGE_MASK)) {
            db->is_jmp = DISAS_TOO_MANY;
            break;
        }
    }
    ops->tb_stop(db);

    tcg_gen_set_label(tcg, exit_label);
    tcg_gen_exit_tb(tcg, (uintptr_t)tb | TB_EXIT_REQUESTED);

    tb->size = (uint32_t)(db->pc_next - db->pc_first);
    tb->icount = (uint16_t)db->num_insns;
}

/* Fetch fault: only the first instruction of a TB can reach a page that is
 * not the TB's first page, so raising at pc_first is precise. */
static _Noreturn void translator_fetch_fault(DisasContextBase *db, uint64_t addr)
{
    CpuState *cpu = db->cpu;
    cpu->arch->set_pc(cpu, db->pc_first);
    cpu->exception_index = EXCP_SEGV;
    cpu->fault_addr = addr;
    cpu->fault_is_write = false;
    cpu->fault_code = (page_get_flags(addr) & PAGE_VALID) ? 2 /* SEGV_ACCERR */
                                                          : 1 /* SEGV_MAPERR */;
    cpu_loop_exit(cpu);
}

static void translator_fetch(DisasContextBase *db, uint64_t pc, void *dst, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint64_t a = pc + i;
        if (i == 0 || (a & ~TARGET_PAGE_MASK) == 0) {
            if (!user_code_page_ok(a, 1)) {
                translator_fetch_fault(db, a);
            }
            uint64_t page = a & TARGET_PAGE_MASK;
            if (page != db->tb->page_addr[0]) {
                db->tb->page_addr[1] = page;
            }
        }
    }
    memcpy(dst, g2h(pc), len);
}

uint16_t translator_lduw(DisasContextBase *db, uint64_t pc)
{
    uint16_t v;
    translator_fetch(db, pc, &v, sizeof(v));
    return v;
}

uint32_t translator_ldl(DisasContextBase *db, uint64_t pc)
{
    uint32_t v;
    translator_fetch(db, pc, &v, sizeof(v));
    return v;
}

bool translator_use_goto_tb(DisasContextBase *db, uint64_t dest)
{
    if (rove_log_enabled(LOG_NOCHAIN) || (db->tb->cflags & CF_NO_CACHE)) {
        return false;
    }
    (void)dest;
    return true;
}
