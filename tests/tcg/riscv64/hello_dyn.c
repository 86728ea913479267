/* Minimal dynamically linked program: loader, libc start-up, stdio. */
#include <stdio.h>

int main(int argc, char **argv)
{
    (void)argv;
    printf("Hello from a dynamically linked riscv64 program (argc = %d)\n", argc);
    return 0;
}
