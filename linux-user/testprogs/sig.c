/* Guest signal semantics test (see README.md); output must match sig.out. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <setjmp.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <errno.h>

static volatile int got;
static volatile void *fault_addr;
static sigjmp_buf jb;
static char altstack[65536];

static void h_usr1(int s) { got = s; }
static void h_info(int s, siginfo_t *si, void *uc) {
    got = s * 100 + si->si_code;
    (void)uc;
}
static void h_segv(int s, siginfo_t *si, void *uc) {
    fault_addr = si->si_addr;
    int on = (char *)&s >= altstack && (char *)&s < altstack + sizeof(altstack);
    printf("segv handler: sig %d code %d on_altstack %d\n", s, si->si_code, on);
    siglongjmp(jb, 1);
}
static void h_ill(int s, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    printf("sigill: code %d addr==pc %d\n", si->si_code, (unsigned long)si->si_addr == uc->uc_mcontext.__gregs[0]);
    uc->uc_mcontext.__gregs[0] += 4;  /* skip the insn */
}
static void h_fpe_regs(int s, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    /* modify a register, check restored */
    uc->uc_mcontext.__gregs[10] = 1234; /* a0 */
}
static void h_alrm(int s) { got = s; }

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("after raise: got %d\n", got);

    sa.sa_sigaction = h_info; sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR2, &sa, NULL);
    got = 0;
    kill(getpid(), SIGUSR2);
    printf("siginfo: got %d\n", got);

    /* masks: block, raise, pending, unblock */
    sigset_t set, old, pend;
    sigemptyset(&set); sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    got = 0; raise(SIGUSR1);
    sigpending(&pend);
    printf("blocked: got %d pending %d\n", got, sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: got %d\n", got);

    /* SIGSEGV with sigaltstack */
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
    sigaltstack(&ss, NULL);
    sa.sa_sigaction = h_segv; sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &sa, NULL);
    if (!sigsetjmp(jb, 1)) {
        *(volatile int *)0x1234 = 1;
    }
    printf("fault addr %p\n", fault_addr);

    /* SIGILL: skip an illegal insn */
    sa.sa_sigaction = h_ill; sa.sa_flags = SA_SIGINFO;
    sigaction(SIGILL, &sa, NULL);
    __asm__ volatile(".word 0x00000000");
    printf("after sigill\n");

    /* setitimer + pause-like sigsuspend */
    sa.sa_handler = h_alrm; sa.sa_flags = 0;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { { 0, 0 }, { 0, 50000 } };
    got = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    sigset_t empty; sigemptyset(&empty);
    while (!got) sigsuspend(&empty);
    printf("alarm: got %d\n", got);

    /* interrupted read without SA_RESTART -> EINTR */
    int p[2]; pipe(p);
    got = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    char c;
    ssize_t r = read(p[0], &c, 1);
    printf("read: r %zd errno %s got %d\n", r, r < 0 ? strerror(errno) : "-", got);

    /* SA_RESTART: read restarted; write from child after delay */
    sa.sa_flags = SA_RESTART; sigaction(SIGALRM, &sa, NULL);
    got = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    pid_t pid = fork();
    if (pid == 0) { usleep(200000); write(p[1], "x", 1); _exit(0); }
    r = read(p[0], &c, 1);
    printf("restart read: r %zd c %c got %d\n", r, c, got);
    waitpid(pid, NULL, 0);

    /* SA_RESETHAND + SA_NODEFER */
    sa.sa_handler = h_usr1; sa.sa_flags = SA_RESETHAND;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    sigaction(SIGUSR1, NULL, &sa);
    printf("resethand: handler is default %d\n", sa.sa_handler == SIG_DFL);

    /* child killed by signal */
    pid = fork();
    if (pid == 0) { signal(SIGTERM, SIG_DFL); raise(SIGTERM); _exit(0); }
    int st; waitpid(pid, &st, 0);
    printf("child: signaled %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));
    pid = fork();
    if (pid == 0) { signal(SIGSEGV, SIG_DFL); *(volatile int *)8 = 1; _exit(0); }
    waitpid(pid, &st, 0);
    printf("child: signaled %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));
    pid = fork();
    if (pid == 0) { abort(); }
    waitpid(pid, &st, 0);
    printf("child abort: signaled %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));
    pid = fork();
    if (pid == 0) { exit(42); }
    waitpid(pid, &st, 0);
    printf("child exit: %d\n", WEXITSTATUS(st));
    /* ignored signal */
    signal(SIGUSR2, SIG_IGN); raise(SIGUSR2); printf("ignored ok\n");
    /* sigtimedwait */
    sigemptyset(&set); sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR1);
    siginfo_t si; struct timespec tmo = {1, 0};
    int s = sigtimedwait(&set, &si, &tmo);
    printf("sigtimedwait: %d code %d\n", s, si.si_code);
    tmo.tv_sec = 0; tmo.tv_nsec = 10000000;
    s = sigtimedwait(&set, &si, &tmo);
    printf("sigtimedwait timeout: %d %s\n", s, strerror(errno));
    return 0;
}
