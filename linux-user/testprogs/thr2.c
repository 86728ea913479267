/* Guest threads parked in sigwait/poll/epoll/select/sigsuspend (see README.md). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <time.h>
static int pfd[2], efd[2], sfd[2];
static void *sigwaiter(void *a) { sigset_t s; sigemptyset(&s); sigaddset(&s, SIGUSR2); int sig; sigwait(&s, &sig); return (void *)(long)sig; }
static void *poller(void *a) { struct pollfd p = { pfd[0], POLLIN, 0 }; int n = poll(&p, 1, 5000); char c; read(pfd[0], &c, 1); return (void *)(long)(n * 10 + (c == 'p')); }
static void *epoller(void *a) { int ep = epoll_create1(0); struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0x1122334455667788ull }; epoll_ctl(ep, EPOLL_CTL_ADD, efd[0], &ev); struct epoll_event out; int n = epoll_wait(ep, &out, 1, 5000); return (void *)(long)(n == 1 && out.data.u64 == 0x1122334455667788ull); }
static void *selector(void *a) { fd_set r; FD_ZERO(&r); FD_SET(sfd[0], &r); struct timeval tv = {5, 0}; int n = select(sfd[0] + 1, &r, NULL, NULL, &tv); return (void *)(long)(n == 1 && FD_ISSET(sfd[0], &r)); }
static void *timeouter(void *a) { struct pollfd p = { pfd[0], POLLIN, 0 }; struct timespec t0, t1; clock_gettime(CLOCK_MONOTONIC, &t0); int n = poll(&p, 1, 30); clock_gettime(CLOCK_MONOTONIC, &t1); long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000; return (void *)(long)(n == 0 && ms >= 25 && ms < 1000); }
static volatile int got;
static void h(int s) { got = s; }
static void *suspender(void *a) { sigset_t e; sigemptyset(&e); while (!got) sigsuspend(&e); return (void *)(long)got; }
int main(void) {
    sigset_t s; sigemptyset(&s); sigaddset(&s, SIGUSR2); pthread_sigmask(SIG_BLOCK, &s, NULL);
    pipe(pfd); pipe(efd); pipe(sfd);
    pthread_t t[6]; void *r;
    pthread_create(&t[5], NULL, timeouter, NULL);
    pthread_join(t[5], &r); printf("poll timeout ok %ld\n", (long)r);
    pthread_create(&t[0], NULL, sigwaiter, NULL);
    pthread_create(&t[1], NULL, poller, NULL);
    pthread_create(&t[2], NULL, epoller, NULL);
    pthread_create(&t[3], NULL, selector, NULL);
    volatile long spin = 0; for (long i = 0; i < 3000000; i++) spin += i;  /* compute while they wait */
    kill(getpid(), SIGUSR2);
    write(pfd[1], "p", 1); write(efd[1], "e", 1); write(sfd[1], "s", 1);
    for (int i = 0; i < 4; i++) { pthread_join(t[i], &r); printf("thread %d -> %ld\n", i, (long)r); }
    signal(SIGUSR1, h);
    pthread_create(&t[4], NULL, suspender, NULL);
    usleep(20000);
    pthread_kill(t[4], SIGUSR1);
    pthread_join(t[4], &r); printf("suspender -> %ld\n", (long)r);
    return 0;
}
