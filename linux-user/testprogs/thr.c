/* Guest threads: blocking I/O, sleeps, signals, mutexes, fork (see README.md). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <errno.h>
#include <time.h>
#include <sys/wait.h>

static int pfd[2];
static void *reader(void *arg) {
    char buf[16]; ssize_t n = read(pfd[0], buf, sizeof buf);
    return (void *)(long)n;
}
static void *sleeper(void *arg) { struct timespec t = {0, 30000000}; nanosleep(&t, NULL); return (void *)7; }
static volatile int usr1_tid;
static void h(int s) { usr1_tid = gettid(); }
static void *waiter(void *arg) {
    sigset_t set; sigemptyset(&set);
    struct timespec t = {5, 0}; nanosleep(&t, NULL);  /* interrupted by pthread_kill */
    return (void *)(long)(usr1_tid == gettid());
}
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static long counter;
static void *incr(void *arg) { for (int i = 0; i < 20000; i++) { pthread_mutex_lock(&m); counter++; pthread_mutex_unlock(&m); } return NULL; }
int main(void) {
    pipe(pfd);
    pthread_t t1, t2, t3; void *r;
    pthread_create(&t1, NULL, reader, NULL);
    pthread_create(&t2, NULL, sleeper, NULL);
    usleep(10000);
    write(pfd[1], "hello", 5);
    pthread_join(t1, &r); printf("reader got %ld\n", (long)r);
    pthread_join(t2, &r); printf("sleeper %ld\n", (long)r);
    signal(SIGUSR1, h);
    pthread_create(&t3, NULL, waiter, NULL);
    usleep(20000);
    pthread_kill(t3, SIGUSR1);
    pthread_join(t3, &r); printf("signal to thread: %ld\n", (long)r);
    pthread_t ts[8];
    for (int i = 0; i < 8; i++) pthread_create(&ts[i], NULL, incr, NULL);
    for (int i = 0; i < 8; i++) pthread_join(ts[i], NULL);
    printf("counter %ld\n", counter);
    struct timespec dl; clock_gettime(CLOCK_REALTIME, &dl); dl.tv_nsec += 20000000; if (dl.tv_nsec >= 1000000000) { dl.tv_sec++; dl.tv_nsec -= 1000000000; }
    pthread_mutex_lock(&m);
    int e = pthread_cond_timedwait(&c, &m, &dl);
    pthread_mutex_unlock(&m);
    printf("timedwait: %s\n", strerror(e));
    pid_t p = fork();
    if (p == 0) { pthread_t x; pthread_create(&x, NULL, sleeper, NULL); pthread_join(x, &r); _exit((int)(long)r); }
    int st; waitpid(p, &st, 0); printf("fork child %d\n", WEXITSTATUS(st));
    return 0;
}
