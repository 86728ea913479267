/*
 * Fuzz target: the user-mode ELF parser (linux-user/elfload.c) on arbitrary
 * bytes.  Built as a libFuzzer target with `-Dfuzzing=true` (clang), and
 * always as a plain program driven by fuzz-driver.c for the test suite.
 */
#include <stdint.h>
#include <string.h>

#include "linux-user/elfload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    LuElfInfo info;
    const char *err = NULL;
    memset(&info, 0, sizeof(info));
    if (lu_elf_parse(data, size, &info, &err)) {
        /* Everything the loader will use must be inside the file. */
        for (int i = 0; i < info.nb_load; i++) {
            const LuElfSegment *s = &info.load[i];
            if (s->offset > size || s->filesz > size - s->offset || s->filesz > s->memsz) {
                __builtin_trap();
            }
        }
        lu_elf_info_free(&info);
    } else if (!err || !err[0]) {
        __builtin_trap(); /* every rejection must say why */
    }
    return 0;
}
