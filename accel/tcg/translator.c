/*
 * The generic translator loop every front end runs inside, and guest code
 * fetch during translation.
 *
 * A TB never crosses a guest page boundary except for its first
 * instruction, which may straddle two pages (so every page a TB was made
 * from is known and write-protected).  Each TB starts with a check of
 * exit_request so a chained loop still returns to the cpu loop when asked.
 *
 * A TB may be a superblock: a straight path through several guest basic
 * blocks of its page, followed across branches and jumps on the side the
 * front end thinks likely, leaving by side exits elsewhere
 * (translator_can_follow).  A path that returns to the TB's start makes a
 * self-loop (tcg/loop.c).  docs/architecture.md has the picture.
 */
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "accel/tcg/internal.h"

/* Is pc inside code this TB translated before its last followed jump? */
static bool in_closed_seg(const DisasContextBase *db, uint64_t pc)
{
    for (int i = 0; i < db->nb_segs; i++) {
        if (pc >= db->seg_lo[i] && pc < db->seg_hi[i]) {
            return true;
        }
    }
    return false;
}

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
    db->nb_goto_tb = 0;
    db->nb_side = 0;
    db->nb_segs = 0;
    db->seg_start = tb->pc;
    db->fetch_vpage = (uint64_t)-1;
    db->fetch_host = NULL;
    /* The pages the code comes from, as cpu_code_page names them (guest
     * pages in user mode, physical ones in system mode): set by the fetches. */
    tb->page_addr[0] = (uint64_t)-1;
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
            ((db->pc_next ^ db->pc_first) & TARGET_PAGE_MASK) ||
            in_closed_seg(db, db->pc_next)) {
            /* (after a followed jump, straight-line code may run into code
             * this TB already has, e.g. its own start: jump there instead) */
            db->is_jmp = DISAS_TOO_MANY;
            break;
        }
    }
    ops->tb_stop(db);
    g_assert(db->nb_side == 0); /* tb_stop emitted them */

    tcg_gen_set_label(tcg, exit_label);
    tcg_gen_exit_tb(tcg, (uintptr_t)tb | TB_EXIT_REQUESTED);

    tb->code_lo = db->seg_start < db->pc_next ? db->seg_start : db->pc_next;
    tb->code_hi = db->pc_next;
    for (int i = 0; i < db->nb_segs; i++) {
        tb->code_lo = db->seg_lo[i] < tb->code_lo ? db->seg_lo[i] : tb->code_lo;
        tb->code_hi = db->seg_hi[i] > tb->code_hi ? db->seg_hi[i] : tb->code_hi;
    }
    if (tb->code_hi == tb->code_lo) {
        tb->code_hi++; /* a TB that faulted on its first fetch still covers its pc */
    }
    tb->icount = (uint16_t)db->num_insns;
}

unsigned translator_goto_tb_slot(DisasContextBase *db)
{
    g_assert(db->nb_goto_tb < TCG_MAX_GOTO_TB);
    return (unsigned)db->nb_goto_tb++;
}

/* Superblocks: see exec.h.  ROVE_SUPERBLOCKS=0 turns them off (one TB per
 * guest basic block, as QEMU does), for comparison. */
static bool superblocks_on = true;
static pthread_once_t superblocks_once = PTHREAD_ONCE_INIT;

static void superblocks_read_env(void)
{
    const char *e = getenv("ROVE_SUPERBLOCKS");
    superblocks_on = !(e && strcmp(e, "0") == 0);
}

bool superblocks_enabled(void)
{
    pthread_once(&superblocks_once, superblocks_read_env);
    return superblocks_on;
}

bool translator_can_follow(DisasContextBase *db, uint64_t dest, bool side_exit)
{
    /* Room for this insn, one more, and a TB end that may need two slots
     * besides the side exits. */
    int slots_needed = db->nb_side + (side_exit ? 1 : 0) + 2;
    return superblocks_enabled() && !(db->tb->cflags & CF_TIER0) &&
           translator_use_goto_tb(db, dest) &&
           db->num_insns + 2 < db->max_insns && dest != db->pc_first &&
           !((dest ^ db->pc_first) & TARGET_PAGE_MASK) && !in_closed_seg(db, dest) &&
           !(dest >= db->seg_start && dest < db->pc_next) /* the open range */ &&
           db->nb_segs < TRANSLATOR_MAX_SEGS && slots_needed <= TCG_MAX_GOTO_TB &&
           db->tcg->nb_ops < TCG_MAX_OPS / 2;
}

void translator_follow(DisasContextBase *db, uint64_t dest)
{
    g_assert(db->nb_segs < TRANSLATOR_MAX_SEGS);
    db->seg_lo[db->nb_segs] = db->seg_start;
    db->seg_hi[db->nb_segs] = db->pc_next;
    db->nb_segs++;
    db->seg_start = dest;
    db->pc_next = dest;
}

void translator_add_side_exit(DisasContextBase *db, int label, uint64_t dest)
{
    g_assert(db->nb_side + 2 < TCG_MAX_GOTO_TB);
    db->side_label[db->nb_side] = label;
    db->side_dest[db->nb_side] = dest;
    db->nb_side++;
}

/* Look the page(s) up, copy, and remember the last page for the next
 * fetch (translator_fetch). */
static void translator_fetch_slow(DisasContextBase *db, uint64_t pc, void *dst, size_t len)
{
    for (size_t done = 0; done < len;) {
        uint64_t a = pc + done;
        size_t off = a & ~TARGET_PAGE_MASK;
        size_t n = TARGET_PAGE_SIZE - off < len - done ? TARGET_PAGE_SIZE - off : len - done;
        uint64_t page;
        const uint8_t *host = cpu_code_page(db->cpu, a, db->pc_first, &page);
        if (db->tb->page_addr[0] == (uint64_t)-1) {
            db->tb->page_addr[0] = page;
        } else if (page != db->tb->page_addr[0]) {
            db->tb->page_addr[1] = page;
        }
        memcpy((uint8_t *)dst + done, host + off, n);
        done += n;
        db->fetch_vpage = a & TARGET_PAGE_MASK;
        db->fetch_host = host;
    }
}

/* Inline, so the copy has a constant size. */
static inline void translator_fetch(DisasContextBase *db, uint64_t pc, void *dst, size_t len)
{
    size_t off = pc & ~TARGET_PAGE_MASK;
    if ((pc & TARGET_PAGE_MASK) == db->fetch_vpage && off + len <= TARGET_PAGE_SIZE) {
        memcpy(dst, db->fetch_host + off, len);
    } else {
        translator_fetch_slow(db, pc, dst, len);
    }
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
    if (db->tb->cflags & (CF_NO_CHAIN | CF_NO_CACHE)) {
        return false;
    }
    /* System mode: a chained jump skips the lookup that checks the
     * mapping of dest's page; only the TB's own page is known to map as
     * when the TB was found. */
    return !accel_mode->system || !((dest ^ db->pc_first) & TARGET_PAGE_MASK);
}
