/* Start-up benchmark: a static "hello" (measures emulator start-up time
 * and memory footprint rather than code speed). */
#include <stdio.h>

int main(void)
{
    printf("hello\n");
    return 0;
}
