/* A reset brings back the boot image's code: code the program changed
 * (and ran) before a reset through the test finisher (0x7777) must not
 * run after it; the reloaded image's own instructions must.  A word in RAM
 * outside the image, which a reset leaves alone, tells the two boots apart. */
#include "sys.h"

#define LI_A0(v) (0x00000513u | ((u32)(v) << 20))   /* addi a0, zero, v */
#define MARK ((volatile u64 *)(RAM_BASE + (96ul << 20)))
#define MARK_VAL 0x5e5e7e57ul

/* li a0, 7; ret: 32-bit encodings, so one word store replaces the li */
extern volatile u32 reset_target[];
asm(".text\n.align 4\n.globl reset_target\nreset_target:\n"
    "  .4byte 0x00700513\n  .4byte 0x00008067\n");

static u64 call_target(void)
{
    return ((u64 (*)(void))reset_target)();
}

int main(void)
{
    if (*MARK != MARK_VAL) {
        printf("boot 1\n");
        check("original code", call_target(), 7);
        reset_target[0] = LI_A0(9);
        asm volatile("fence.i" ::: "memory");
        check("patched code", call_target(), 9);
        check("patched again, same TB", call_target(), 9);
        if (failures)
            return 1;
        *MARK = MARK_VAL;
        asm volatile("fence" ::: "memory");
        printf("reset\n");
        mmio_write32(FINISHER, 0x7777);
        for (;;)
            asm volatile("wfi");
    }
    *MARK = 0;
    printf("boot 2\n");
    check("the reloaded image's word", reset_target[0], LI_A0(7));
    check("code after the reset", call_target(), 7);
    return 0;
}
