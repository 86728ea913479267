/* Thread churn under flushes and forks: 4 threads each create and join
 * 400 short threads while another thread executes fence.i 300 times (each
 * flushes the whole translation cache: an exclusive section that waits for
 * every running thread) and the main thread forks 20 children that start a
 * thread of their own.  Checks every child's exit status and the count of
 * threads that ran.  qemu-riscv64 7.2 hangs on it (fork beside running
 * threads), so the golden output is written by hand. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/wait.h>
static volatile long total;
static void *leaf(void *a) { uint64_t x = (uintptr_t)a; for (int i = 0; i < 1000; i++) x = x * 6364136223846793005ull + 1; __atomic_fetch_add(&total, 1, __ATOMIC_RELAXED); return (void *)(uintptr_t)(x & 1); }
static void *flusher(void *a) { for (int i = 0; i < 300; i++) { __asm__ volatile("fence.i" ::: "memory"); } return a; }
static void *spawner(void *a) {
    for (int i = 0; i < 100; i++) { pthread_t t[4]; for (int j = 0; j < 4; j++) pthread_create(&t[j], 0, leaf, (void *)(uintptr_t)(i*4+j)); for (int j = 0; j < 4; j++) pthread_join(t[j], 0); }
    return a;
}
int main(void) {
    pthread_t s[4], f;
    pthread_create(&f, 0, flusher, 0);
    for (int i = 0; i < 4; i++) pthread_create(&s[i], 0, spawner, 0);
    for (int k = 0; k < 20; k++) { pid_t p = fork(); if (p == 0) { pthread_t t; pthread_create(&t, 0, leaf, 0); pthread_join(t, 0); _exit(k); } int st; waitpid(p, &st, 0); if (!WIFEXITED(st) || WEXITSTATUS(st) != k) { printf("child %d bad status %x\n", k, st); } }
    for (int i = 0; i < 4; i++) pthread_join(s[i], 0);
    pthread_join(f, 0);
    printf("total %ld\n", total);
    return 0;
}
