/* Page-table building for the paging tests (vm.h). */
#include "vm.h"

#define POOL 24
static u64 pool[POOL][512] __attribute__((aligned(4096)));
static int used;

void vm_reset(void)
{
    used = 0;
}

u64 *vm_table(void)
{
    if (used == POOL) {
        printf("page-table pool exhausted\n");
        sys_exit(96);
    }
    u64 *t = pool[used++];
    for (int i = 0; i < 512; i++)
        t[i] = 0;
    return t;
}

u64 *vm_map(u64 *root, int levels, u64 va, u64 pa, int level, u64 flags)
{
    u64 *t = root;
    for (int l = levels - 1; l > level; l--) {
        u64 *e = &t[(va >> (12 + 9 * l)) & 511];
        if (!(*e & PTE_V) || (*e & (PTE_R | PTE_W | PTE_X)))
            *e = ((u64)vm_table() >> 12) << 10 | PTE_V;
        t = (u64 *)((*e >> 10) << 12);
    }
    u64 *e = &t[(va >> (12 + 9 * level)) & 511];
    *e = (pa >> 12) << 10 | flags;
    return e;
}

u64 vm_satp(u64 *root, int levels)
{
    return (levels == 3 ? 8ul : 9ul) << 60 | (u64)root >> 12;
}

u64 *vm_identity_root(int levels)
{
    u64 *root = vm_table();
    u64 f = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
    vm_map(root, levels, RAM_BASE, RAM_BASE, PAGE_1G, f | PTE_X);
    vm_map(root, levels, 0, 0, PAGE_1G, f);
    return root;
}
