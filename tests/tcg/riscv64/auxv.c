/* argv/envp/auxv as set up by the loader.  Run with arguments
 * "first" "second=2" "" "last" and environment ROVE_TEST_VAR=hello-rove. */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <sys/auxv.h>
#include <unistd.h>
#include "rvtest.h"

extern char **environ;
extern char _start[];

int main(int argc, char **argv, char **envp)
{
    uintptr_t sp;
    __asm__("mv %0, sp" : "=r"(sp));
    printf("argc = %d\n", argc);
    const char *base = strrchr(argv[0], '/');
    printf("argv[0] basename = %s\n", base ? base + 1 : argv[0]);
    for (int i = 1; i < argc; i++) {
        printf("argv[%d] = \"%s\"\n", i, argv[i]);
    }
    CHECK_TRUE("argv[argc] == NULL", argv[argc] == NULL);
    CHECK_TRUE("envp follows argv", envp == argv + argc + 1);
    CHECK_TRUE("environ == envp", environ == envp);
    const char *v = getenv("ROVE_TEST_VAR");
    printf("ROVE_TEST_VAR = %s\n", v ? v : "(unset)");
    CHECK_TRUE("stack pointer 16-byte aligned in main", (sp & 15) == 0);

    CHECK("AT_PAGESZ", getauxval(AT_PAGESZ), 4096);
    unsigned long hw = getauxval(AT_HWCAP);
    const char *ext = "IMAFDC";
    for (const char *e = ext; *e; e++) {
        printf("AT_HWCAP has %c: %s\n", *e, (hw >> (*e - 'A')) & 1 ? "yes" : "no");
    }
    const uint8_t *rnd = (const uint8_t *)getauxval(AT_RANDOM);
    int nz = 0;
    for (int i = 0; rnd && i < 16; i++) {
        nz += rnd[i] != 0;
    }
    CHECK_TRUE("AT_RANDOM points at 16 bytes, not all zero", rnd && nz > 0);
    CHECK_TRUE("AT_UID == getuid()", getauxval(AT_UID) == getuid());
    CHECK_TRUE("AT_EUID == geteuid()", getauxval(AT_EUID) == geteuid());
    CHECK_TRUE("AT_GID == getgid()", getauxval(AT_GID) == getgid());
    CHECK_TRUE("AT_EGID == getegid()", getauxval(AT_EGID) == getegid());
    CHECK("AT_SECURE", getauxval(AT_SECURE), 0);
    CHECK("AT_CLKTCK", getauxval(AT_CLKTCK), 100);
    CHECK_TRUE("AT_ENTRY == _start", getauxval(AT_ENTRY) == (uintptr_t)_start);
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
    unsigned long phnum = getauxval(AT_PHNUM);
    CHECK("AT_PHENT", getauxval(AT_PHENT), sizeof(ElfW(Phdr)));
    int loads = 0, has_phdr_self = 0;
    for (unsigned long i = 0; ph && i < phnum; i++) {
        loads += ph[i].p_type == PT_LOAD;
        if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0) {
            has_phdr_self = 1;
        }
    }
    CHECK_TRUE("AT_PHDR/AT_PHNUM describe PT_LOAD segments", loads >= 1 && has_phdr_self);
    const char *fn = (const char *)getauxval(AT_EXECFN);
    const char *fb = fn ? strrchr(fn, '/') : NULL;
    printf("AT_EXECFN basename = %s\n", fb ? fb + 1 : fn ? fn : "(null)");
    return rvt_done("auxv");
}
