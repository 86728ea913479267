/* Ends through the sifive-test finisher with a failure code: the machine
 * exits with status 3, and everything printed before is still seen. */
#include "sys.h"

int main(void)
{
    for (int i = 0; i < 4; i++)
        printf("line %d of the output before exit\n", i);
    mmio_write32(FINISHER, (3u << 16) | 0x3333);
    printf("not reached\n");
    return 0;
}
