/* Page tables for the paging tests: Sv39 (3 levels) and Sv48 (4 levels),
 * built by M-mode in a static pool of 4 KiB tables. */
#ifndef VM_H
#define VM_H
#include "sys.h"

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_G 0x20
#define PTE_A 0x40
#define PTE_D 0x80

#define PAGE_4K 0
#define PAGE_2M 1
#define PAGE_1G 2

/* Empties the pool. */
void vm_reset(void);
/* A new zeroed table. */
u64 *vm_table(void);
/* Maps va -> pa with a leaf at level (PAGE_4K/2M/1G) holding flags
 * (written as given: the caller passes V, A, D...), making the tables
 * above it as needed.  Returns the leaf PTE. */
u64 *vm_map(u64 *root, int levels, u64 va, u64 pa, int level, u64 flags);
/* satp value for root (levels 3: Sv39, 4: Sv48), ASID 0 */
u64 vm_satp(u64 *root, int levels);
/* A root with the two identity gigapages every test needs: RAM at
 * 0x80000000 (RWX) and the devices at 0 (RW), both supervisor, A and D set. */
u64 *vm_identity_root(int levels);

static inline void sfence_all(void) { asm volatile("sfence.vma" ::: "memory"); }
#endif
