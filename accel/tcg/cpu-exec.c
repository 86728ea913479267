/*
 * The cpu loop.  Order of business on every iteration: a pending exit
 * request, then find (or translate) the TB for the current pc, chain the
 * previous TB to it, run it.  Exceptions raised inside generated code or
 * helpers come back here through cpu_loop_exit() (siglongjmp).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "accel/tcg/internal.h"

#include <unistd.h>

#define CODE_BUFFER_SIZE (256u << 20)

static int fork_code_fd = -1; /* cpu_fork_prepare's snapshot of the code */

const AccelMode *accel_mode = &accel_user_mode;

bool cpu_stop_request;

void cpu_request_stop_all(void)
{
    __atomic_store_n(&cpu_stop_request, true, __ATOMIC_SEQ_CST);
    cpu_list_exit_all();
}

void *cpu_atomic_lookup(CpuState *cpu, uint64_t addr, unsigned size, unsigned mmu_idx,
                        uintptr_t retaddr)
{
    return accel_mode->atomic_lookup(cpu, addr, size, mmu_idx, retaddr);
}

void cpu_atomic_done(void)
{
    accel_mode->atomic_done();
}

void cpu_flush_jmp_cache(CpuState *cpu, uint64_t page)
{
    if (page == UINT64_MAX ||
        (page == CPU_JMP_CACHE_NONGLOBAL && !accel_mode->jmp_clear_nonglobal)) {
        jmp_cache_clear(cpu_tcg(cpu));
    } else if (page == CPU_JMP_CACHE_NONGLOBAL) {
        accel_mode->jmp_clear_nonglobal(cpu);
    } else {
        jmp_cache_clear_page(cpu_tcg(cpu), page);
    }
}

unsigned rove_log_mask;
FILE *rove_log_file;

/* Called from generated code (goto_ptr): host address of the TB for the
 * current pc, or the back end's way back to the loop. */
static uintptr_t helper_lookup_tb_ptr(CpuState *cpu)
{
    ExecState *es = cpu->exec;
    uint64_t pc;
    uint32_t flags;
    cpu->arch->get_tb_key(cpu, &pc, &flags);
    TranslationBlock *tb = tb_lookup(cpu, pc, flags);
    if (!tb || (cpu->tcg_cflags & CF_NO_CHAIN) || rove_log_enabled(LOG_CPU)) {
        /* Not translated yet, or tracing wants every TB to pass the loop. */
        return (uintptr_t)es->backend->return_to_loop_addr();
    }
    if (rove_log_enabled(LOG_EXEC)) {
        rove_log("Trace: %p [%016" PRIx64 "]\n", tb->tc_ptr, pc);
    }
    return (uintptr_t)tb->tc_ptr;
}

/* The process's translation cache, made with the first vCPU. */
static ExecState *exec_state;
static pthread_mutex_t exec_state_lock = PTHREAD_MUTEX_INITIALIZER;

ExecState *exec_state_current(void)
{
    pthread_mutex_lock(&exec_state_lock);
    ExecState *es = exec_state;
    pthread_mutex_unlock(&exec_state_lock);
    return es;
}

static ExecState *exec_state_get(const TcgBackend *backend)
{
    pthread_mutex_lock(&exec_state_lock);
    ExecState *es = exec_state;
    if (!es) {
        es = g_new0(ExecState, 1);
        es->backend = backend;
        if (!code_buffer_init(&es->buf, CODE_BUFFER_SIZE)) {
            fprintf(stderr, "rove: cannot allocate the code buffer\n");
            exit(1);
        }
        backend->init(&es->buf);
        es->code_start = (es->buf.used + 63) & ~(size_t)63;
        es->buf.used = es->code_start;
        tb_maint_init(es);
        exec_state = es;
    }
    pthread_mutex_unlock(&exec_state_lock);
    g_assert(es->backend == backend);
    return es;
}

CpuState *cpu_create(const TargetArch *arch, const TcgBackend *backend)
{
    CpuState *cpu = g_malloc0(arch->cpu_size);
    CpuTcg *ct = g_new0(CpuTcg, 1);
    cpu->arch = arch;
    cpu->exec = exec_state_get(backend);
    cpu->tcg_state = ct;
    cpu->exception_index = EXCP_NONE;

    TcgContext *ctx = &ct->tcg;
    tcg_context_init(ctx);
    ct->lookup_helper = (TcgHelperInfo){
        .func = (void *)helper_lookup_tb_ptr,
        .name = "lookup_tb_ptr",
        .flags = TCG_CALL_NO_WRITE_GLOBALS,
        .nb_args = 1,
        .has_ret = true,
        .ret_i64 = true,
    };
    ctx->lookup_tb_helper = &ct->lookup_helper;
    /* Generated code probes the jump cache inline (tb_lookup's first step)
     * unless tracing wants every TB to pass the loop. */
    cpu->tcg.jmp_cache = ct->jmp_cache;
    /* What the log options ask of generated code, fixed for this vCPU's
     * life (the log mask is set before any vCPU exists). */
    cpu->tcg_cflags = (rove_log_enabled(LOG_SINGLESTEP) ? CF_SINGLE_STEP : 0) |
                      (rove_log_enabled(LOG_NOCHAIN) ? CF_NO_CHAIN : 0);
    ctx->lookup_inline.enabled = !(cpu->tcg_cflags & CF_NO_CHAIN) &&
                                 !rove_log_enabled(LOG_CPU | LOG_EXEC);
    ctx->lookup_inline.env_cache_off = (int32_t)offsetof(TcgEnvHeader, jmp_cache);
    ctx->lookup_inline.shift1 = 1;
    ctx->lookup_inline.shift2 = TB_JMP_CACHE_BITS + 1;
    ctx->lookup_inline.mask = (1u << TB_JMP_CACHE_BITS) - 1;
    ctx->lookup_inline.tb_pc_off = (int32_t)offsetof(TranslationBlock, pc);
    ctx->lookup_inline.tb_flags_off = (int32_t)offsetof(TranslationBlock, flags);
    ctx->lookup_inline.tb_invalid_off = (int32_t)offsetof(TranslationBlock, invalid);
    ctx->lookup_inline.tb_code_off = (int32_t)offsetof(TranslationBlock, tc_ptr);
    ctx->mem = accel_mode->mem_model(cpu);
    arch->tcg_init(ctx);
    if (arch->cpu_reset) {
        arch->cpu_reset(cpu);
    }
    cpu_list_add(cpu);
    return cpu;
}

CpuState *cpu_create_like(CpuState *cpu)
{
    return cpu_create(cpu->arch, cpu->exec->backend);
}

/* Frees a vCPU; the last one takes the translation cache with it. */
void cpu_destroy(CpuState *cpu)
{
    CpuTcg *ct = cpu_tcg(cpu);
    cpu_list_remove(cpu);
    tcg_context_destroy(&ct->tcg);
    g_free(ct->building);
    g_free(ct);
    g_free(cpu);
}

void cpu_fork_prepare(void)
{
    cpus_fork_prepare();
    tb_lock();
    pthread_mutex_lock(&exec_state_lock);
    ExecState *es = exec_state;
    fork_code_fd = es ? code_buffer_fork_prepare(&es->buf) : -1;
}

void cpu_fork_parent(void)
{
    if (fork_code_fd >= 0) {
        close(fork_code_fd);
        fork_code_fd = -1;
    }
    pthread_mutex_unlock(&exec_state_lock);
    tb_unlock();
    cpus_fork_parent();
}

bool cpu_fork_child(CpuState *cpu)
{
    bool ok = exec_state == NULL || code_buffer_fork_child(&exec_state->buf, fork_code_fd);
    fork_code_fd = -1;
    /* The locks cpu_fork_prepare took are this thread's: give them back. */
    pthread_mutex_unlock(&exec_state_lock);
    tb_lock_fork_child();
    cpus_fork_child(cpu);
    return ok;
}

static void do_tb_flush(void)
{
    ExecState *es = exec_state;
    tb_lock();
    tb_free_all(es);
    es->buf.used = es->code_start;
    es->nb_flushes++;
    tb_unlock();
}

void tb_flush(CpuState *cpu)
{
    bool was_running = cpu && cpu->running;
    g_assert(!tb_lock_held());
    if (was_running) {
        cpu_exec_end(cpu);
    }
    start_exclusive();
    do_tb_flush();
    end_exclusive();
    if (was_running) {
        cpu_exec_start(cpu);
    }
}

_Noreturn void cpu_loop_exit(CpuState *cpu)
{
    cpu->tcg.interp_pc = 0;
    siglongjmp(cpu->jmp_env, 1);
}

/* The fault site covering host code offset off in tb, if any. */
static const TbFaultSite *fault_site(const TranslationBlock *tb, uint32_t off)
{
    for (int i = 0; i < tb->nb_fault_sites; i++) {
        if (off >= tb->fault_sites[i].start && off < tb->fault_sites[i].end) {
            return &tb->fault_sites[i];
        }
    }
    return NULL;
}

bool cpu_restore_state_regs(CpuState *cpu, uintptr_t host_pc, const uint64_t *host_regs)
{
    ExecState *es = cpu->exec;
    uintptr_t base = (uintptr_t)es->buf.rx;
    if (host_pc < base || host_pc >= base + es->buf.size) {
        host_pc = cpu->tcg.interp_pc;
        if (host_pc < base || host_pc >= base + es->buf.size) {
            return false;
        }
    }
    TranslationBlock *tb = tb_find_by_host_pc(es, host_pc);
    if (!tb || tb->icount == 0) {
        return false;
    }
    uint32_t off = (uint32_t)(host_pc - (uintptr_t)tb->tc_ptr);
    int i = 0;
    while (i < tb->icount - 1 && off >= tb->insn_end[i]) {
        i++;
    }
    cpu->arch->set_pc(cpu, tb->insn_pc[i]);
    const TbFaultSite *fs = host_regs ? fault_site(tb, off) : NULL;
    if (fs) {
        for (uint32_t k = fs->first; k < fs->first + fs->n; k++) {
            const TcgWriteback *w = &tb->fault_wbs[k];
            uint64_t v = w->reg >= 0 ? host_regs[w->reg] : (uint64_t)w->val;
            memcpy((uint8_t *)cpu + w->off, &v, w->size); /* little-endian host */
        }
    }
    return true;
}

bool cpu_restore_state(CpuState *cpu, uintptr_t host_pc)
{
    return cpu_restore_state_regs(cpu, host_pc, NULL);
}

_Noreturn void cpu_loop_exit_restore(CpuState *cpu, uintptr_t host_pc, int excp)
{
    if (host_pc) {
        cpu_restore_state(cpu, host_pc);
    }
    cpu->exception_index = excp;
    cpu_loop_exit(cpu);
}

/* Translate, flushing the cache and retrying when the code buffer is full. */
static TranslationBlock *gen_code_or_flush(CpuState *cpu, uint64_t pc, uint32_t flags,
                                           uint32_t cflags)
{
    for (int attempt = 0;; attempt++) {
        TranslationBlock *tb = tb_gen_code(cpu, pc, flags, cflags);
        if (tb) {
            return tb;
        }
        if (attempt > 0) {
            g_error("rove: translation block too large for the code buffer");
        }
        tb_flush(cpu);
    }
}

/* A first-tier TB turned hot: make it again as a superblock, in its place
 * (the vCPU is at its entry, in the mode it was made for). */
static void tier_promote(CpuState *cpu, TranslationBlock *tb)
{
    if (rove_log_enabled(LOG_TIER)) {
        rove_log("Tier: 0x%016" PRIx64 " sampled hot, made again as a superblock\n", tb->pc);
    }
    tb_lock();
    tb_retire_locked(cpu->exec, tb);
    tb_unlock();
    gen_code_or_flush(cpu, tb->pc, tb->flags, 0);
}

static int cpu_exec_leave(CpuState *cpu, int excp)
{
    cpu->in_exec = false;
    cpu->exception_index = excp;
    cpu_exec_end(cpu);
    return excp;
}

int cpu_exec(CpuState *cpu)
{
    ExecState *es = cpu->exec;
    const TcgBackend *be = es->backend;
    TranslationBlock *volatile last_tb = NULL;
    int volatile last_slot = 0;
    TranslationBlock *volatile nocache_tb = NULL;
    volatile uint64_t nocache_flushes = 0; /* a flush frees nocache_tb too */

    current_cpu = cpu;
    cpu_exec_start(cpu);
    /* User mode leaves its SIGSEGV/SIGBUS handlers through cpu_loop_exit and
     * needs the signal mask back; system mode never longjmps out of a
     * handler, and saving the mask costs a syscall at every entry. */
    if (sigsetjmp(cpu->jmp_env, !accel_mode->system) != 0) {
        /* Back from cpu_loop_exit(): an exception, or a restart request
         * (exception_index == EXCP_NONE, e.g. after self-modifying code).
         * A fault while translating may have left tb_lock held. */
        tb_lock_reset();
        cpu->tcg.interp_pc = 0;
        last_tb = NULL;
        if (nocache_tb && nocache_flushes == es->nb_flushes) {
            __atomic_store_n(&nocache_tb->invalid, true, __ATOMIC_RELEASE);
        }
        nocache_tb = NULL;
        if (cpu->exception_index != EXCP_NONE) {
            return cpu_exec_leave(cpu, cpu->exception_index);
        }
    }
    cpu->in_exec = true;
    cpu->exception_index = EXCP_NONE;

    for (;;) {
        if (__atomic_load_n(&cpu->tcg.exit_request, __ATOMIC_RELAXED)) {
            __atomic_store_n(&cpu->tcg.exit_request, 0, __ATOMIC_RELAXED);
            return cpu_exec_leave(cpu, EXCP_INTERRUPT);
        }
        uint64_t pc;
        uint32_t flags;
        cpu->arch->get_tb_key(cpu, &pc, &flags);

        TranslationBlock *tb;
        uint32_t cflags = cpu->cflags_next;
        if (cflags) {
            cpu->cflags_next = 0;
            tb = gen_code_or_flush(cpu, pc, flags, cflags);
            nocache_tb = (cflags & CF_NO_CACHE) ? tb : NULL;
            nocache_flushes = es->nb_flushes;
            last_tb = NULL;
        } else {
            tb = tb_lookup(cpu, pc, flags);
            if (!tb) {
                uint64_t flushes = es->nb_flushes;
                tb = gen_code_or_flush(cpu, pc, flags, tier_first_cflags());
                if (flushes != es->nb_flushes) {
                    last_tb = NULL; /* the flush freed it */
                }
            }
        }
        /* System mode: never chain into a TB whose first insn crosses into
         * the next page: a direct jump would skip the lookup's check that
         * the page still maps where it did (tb_hash_lookup). */
        if (last_tb && !(cpu->tcg_cflags & CF_NO_CHAIN) &&
            !(accel_mode->system && tb->page_addr[1] != (uint64_t)-1)) {
            tb_add_jump(es, last_tb, last_slot, tb);
        }
        if (rove_log_enabled(LOG_CPU)) {
            cpu->arch->dump_state(cpu, rove_log_file ? rove_log_file : stderr);
        }
        if (rove_log_enabled(LOG_EXEC)) {
            rove_log("Trace: %p [%016" PRIx64 "]\n", tb->tc_ptr, pc);
        }

        uintptr_t ret = be->exec(cpu, tb->tc_ptr);
        cpu->tcg.interp_pc = 0;

        if (nocache_tb) {
            if (nocache_flushes == es->nb_flushes) {
                __atomic_store_n(&nocache_tb->invalid, true, __ATOMIC_RELEASE);
            }
            nocache_tb = NULL;
            last_tb = NULL;
            continue;
        }
        TranslationBlock *from = (TranslationBlock *)(ret & ~(uintptr_t)TB_EXIT_MASK);
        int slot = (int)(ret & TB_EXIT_MASK);
        if (from) {
            (void)__atomic_load_n(&from->published, __ATOMIC_ACQUIRE);
        }
        if (from && slot == TB_EXIT_REQUESTED) {
            cpu->arch->set_pc(cpu, from->pc);
            last_tb = NULL;
            if ((from->cflags & CF_TIER0) && !tb_is_invalid(from) && tier_sampled(from)) {
                tier_promote(cpu, from);
            }
        } else if (from && slot < TCG_MAX_GOTO_TB && !tb_is_invalid(from)) {
            last_tb = from;
            last_slot = slot;
        } else {
            last_tb = NULL;
        }
    }
}
