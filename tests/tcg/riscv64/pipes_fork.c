/* Pipes and processes: pipe/pipe2, dup2 redirection of stdout, poll,
 * fork + waitpid exit status, child killed by a signal, SIGCHLD, a
 * socketpair, and a parent/child ping-pong over two pipes. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "rvtest.h"

static volatile sig_atomic_t chld;
static void h_chld(int s)
{
    (void)s;
    chld++;
}

int main(void)
{
    int p[2];
    char buf[256];
    CHECK("pipe", pipe(p), 0);
    CHECK("write to pipe", write(p[1], "ping", 4), 4);
    CHECK("read from pipe", read(p[0], buf, sizeof(buf)), 4);
    CHECK_TRUE("pipe data", memcmp(buf, "ping", 4) == 0);
    struct pollfd pf = { p[0], POLLIN, 0 };
    CHECK("poll empty pipe (0ms)", poll(&pf, 1, 0), 0);
    write(p[1], "x", 1);
    CHECK("poll readable", poll(&pf, 1, 1000), 1);
    CHECK_TRUE("POLLIN set", pf.revents & POLLIN);
    read(p[0], buf, 1);
    close(p[1]);
    CHECK("read after writer closed -> EOF", read(p[0], buf, 1), 0);
    close(p[0]);

    CHECK("pipe2 O_CLOEXEC|O_NONBLOCK", pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
    CHECK("FD_CLOEXEC set", fcntl(p[0], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    CHECK("empty nonblocking read -> EAGAIN", read(p[0], buf, 1) == -1 && errno == EAGAIN, 1);
    close(p[0]);
    close(p[1]);

    /* redirect stdout into a pipe with dup2, then restore */
    fflush(stdout);
    pipe(p);
    int saved = dup(1);
    dup2(p[1], 1);
    printf("captured line %d\n", 7);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    close(p[1]);
    ssize_t n = read(p[0], buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = 0;
    close(p[0]);
    CHECK_TRUE("dup2 captured stdout", strcmp(buf, "captured line 7\n") == 0);

    /* fork + exit status */
    signal(SIGCHLD, h_chld);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        _exit(7);
    }
    int status = 0;
    CHECK_TRUE("waitpid returns child pid", waitpid(c, &status, 0) == c);
    CHECK_TRUE("WIFEXITED", WIFEXITED(status));
    CHECK("WEXITSTATUS == 7", WEXITSTATUS(status), 7);

    /* child killed by a signal */
    c = fork();
    if (c == 0) {
        for (;;) {
            pause();
        }
    }
    kill(c, SIGKILL);
    waitpid(c, &status, 0);
    CHECK_TRUE("WIFSIGNALED", WIFSIGNALED(status));
    CHECK("WTERMSIG == SIGKILL", WTERMSIG(status), SIGKILL);
    CHECK_TRUE("SIGCHLD received", chld >= 1);

    /* child faults: SIGSEGV terminates it */
    c = fork();
    if (c == 0) {
        signal(SIGSEGV, SIG_DFL);
        *OPAQUE((volatile int *)0) = 1;
        _exit(0);
    }
    waitpid(c, &status, 0);
    CHECK_TRUE("child killed by SIGSEGV", WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);

    /* ping-pong: parent sends numbers, child doubles them */
    int to_child[2], to_parent[2];
    pipe(to_child);
    pipe(to_parent);
    fflush(stdout);
    c = fork();
    if (c == 0) {
        close(to_child[1]);
        close(to_parent[0]);
        int v;
        while (read(to_child[0], &v, sizeof(v)) == sizeof(v)) {
            v *= 2;
            write(to_parent[1], &v, sizeof(v));
        }
        _exit(0);
    }
    close(to_child[0]);
    close(to_parent[1]);
    long total = 0;
    for (int i = 1; i <= 500; i++) {
        int v = i, r = 0;
        write(to_child[1], &v, sizeof(v));
        read(to_parent[0], &r, sizeof(r));
        total += r;
    }
    close(to_child[1]);
    waitpid(c, &status, 0);
    close(to_parent[0]);
    CHECK("ping-pong sum of doubled 1..500", total, 250500);
    CHECK_TRUE("ping-pong child exited 0", WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* socketpair */
    int sv[2];
    CHECK("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CHECK("send", send(sv[0], "sock", 4, 0), 4);
    CHECK("recv", recv(sv[1], buf, sizeof(buf), 0), 4);
    CHECK_TRUE("socket data", memcmp(buf, "sock", 4) == 0);
    close(sv[0]);
    close(sv[1]);
    CHECK("no children left -> ECHILD", wait(NULL) == -1 && errno == ECHILD, 1);
    return rvt_done("pipes_fork");
}
