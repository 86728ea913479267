/* Exit status propagation: prints, runs an atexit handler, exits with 42.
 * The test harness expects exit status 42. */
#include <stdio.h>
#include <stdlib.h>

static void bye(void)
{
    printf("atexit handler ran\n");
}

int main(void)
{
    atexit(bye);
    printf("exiting with status 42\n");
    exit(42);
}
