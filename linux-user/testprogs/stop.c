/* Stop/continue/kill of children by default actions (see README.md). */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
int main(){ pid_t p = fork(); if (!p) { raise(SIGTSTP); _exit(9); }
 int st; waitpid(p, &st, WUNTRACED); printf("stopped %d sig %d\n", WIFSTOPPED(st), WSTOPSIG(st));
 kill(p, SIGCONT); waitpid(p, &st, 0); printf("exit %d\n", WEXITSTATUS(st));
 p = fork(); if (!p) { pause(); _exit(1);} usleep(50000); kill(p, SIGKILL); waitpid(p, &st, 0); printf("killed %d\n", WTERMSIG(st));
 return 0; }
