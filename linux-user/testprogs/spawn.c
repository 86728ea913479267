/* system(), popen(), posix_spawn() of host programs (see README.md). */
#include <stdio.h>
#include <stdlib.h>
#include <spawn.h>
#include <sys/wait.h>
extern char **environ;
int main(){ int r = system("echo from-system; exit 3"); printf("system -> %d\n", WEXITSTATUS(r));
 FILE *f = popen("echo popen-line", "r"); char buf[64]; fgets(buf, sizeof buf, f); printf("popen: %s", buf); printf("pclose %d\n", pclose(f));
 pid_t pid; char *argv[] = {"/bin/echo", "spawned", NULL}; int e = posix_spawn(&pid, "/bin/echo", NULL, NULL, argv, environ); int st; waitpid(pid, &st, 0); printf("spawn %d status %d\n", e, WEXITSTATUS(st)); return 0; }
