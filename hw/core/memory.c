/*
 * The memory API (include/rove/memory.h): region trees, their flattening
 * into sorted views, and bounds-checked accesses through those views.
 *
 * Invariants kept here:
 * - Every FlatRange in a published view lies inside its leaf region:
 *   mr_offset + (last - start) <= mr->last, so a RAM/ROM copy bounded by
 *   the range never leaves the host block.  build_view() asserts it.
 * - Ranges in a view are sorted and disjoint; lookups are binary searches.
 * - The region graph is acyclic (add_subregion refuses a cycle), so
 *   rendering and change propagation terminate; both also stop at
 *   MAX_DEPTH levels as a second guard.
 * - A view is freed only after a writer has seen both reader counters of
 *   its address space drain after the view was replaced (see
 *   as_synchronize).  Readers never block and never run an MMIO callback
 *   inside a read section, so a writer (which may itself be inside an MMIO
 *   callback, e.g. a BAR write) cannot deadlock waiting for them.
 * - Guest-controlled arithmetic is done on inclusive last addresses so
 *   nothing overflows: a range or access is [first, last] and len >= 1.
 */
#include <sched.h>
#include <string.h>
#include <sys/mman.h>

#include <glib.h>

#include "rove/bql.h"
#include "rove/memory.h"

enum { MAX_DEPTH = 32 };

/* ---- Little-endian helpers (guest byte order, any host) ---- */

static uint64_t ld_le(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

static void st_le(uint8_t *p, unsigned size, uint64_t v)
{
    for (unsigned i = 0; i < size; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;
}

/* ---- Regions ---- */

static void mr_init_common(MemoryRegion *mr, MemoryRegionKind kind, const char *name,
                           uint64_t size)
{
    memset(mr, 0, sizeof(*mr));
    mr->kind = kind;
    mr->name = g_strdup(name ? name : "anon");
    mr->last = size - 1; /* size 0 means 2^64: last = UINT64_MAX */
    mr->enabled = true;
}

static bool mr_init_block(MemoryRegion *mr, MemoryRegionKind kind, const char *name,
                          uint64_t size)
{
    if (size == 0 || size > SIZE_MAX) {
        return false;
    }
    void *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        return false;
    }
    /* Guest RAM in transparent huge pages where the host allows: one fault
     * per 2 MiB the guest touches, and fewer TLB misses (advice only). */
    (void)madvise(p, (size_t)size, MADV_HUGEPAGE);
    mr_init_common(mr, kind, name, size);
    mr->ram = p;
    return true;
}

bool memory_region_init_ram(MemoryRegion *mr, const char *name, uint64_t size)
{
    return mr_init_block(mr, MR_RAM, name, size);
}

bool memory_region_init_rom(MemoryRegion *mr, const char *name, uint64_t size)
{
    return mr_init_block(mr, MR_ROM, name, size);
}

void memory_region_init_io(MemoryRegion *mr, const char *name, const MemoryRegionOps *ops,
                           void *opaque, uint64_t size)
{
    static const unsigned valid = (1u << 1) | (1u << 2) | (1u << 4) | (1u << 8);
    unsigned min = ops->min_access_size ? ops->min_access_size : 1;
    unsigned max = ops->max_access_size ? ops->max_access_size : 4;
    if (min > 8 || max > 8 || !(valid & (1u << min)) || !(valid & (1u << max)) || min > max) {
        g_error("memory region %s: bad access sizes %u..%u", name, min, max);
    }
    mr_init_common(mr, MR_MMIO, name, size);
    mr->ops = ops;
    mr->opaque = opaque;
}

static void ptr_array_add(void ***arr, unsigned *n, void *p)
{
    *arr = g_renew(void *, *arr, *n + 1);
    (*arr)[(*n)++] = p;
}

static void ptr_array_remove(void ***arr, unsigned *n, void *p)
{
    for (unsigned i = 0; i < *n; i++) {
        if ((*arr)[i] == p) {
            memmove(&(*arr)[i], &(*arr)[i + 1], (*n - i - 1) * sizeof(void *));
            (*n)--;
            return;
        }
    }
}

void memory_region_init_alias(MemoryRegion *mr, const char *name, MemoryRegion *target,
                              uint64_t offset, uint64_t size)
{
    mr_init_common(mr, MR_ALIAS, name, size);
    mr->alias = target;
    mr->alias_offset = offset;
    ptr_array_add((void ***)&target->aliased_by, &target->nb_aliased_by, mr);
}

void memory_region_init_container(MemoryRegion *mr, const char *name, uint64_t size)
{
    mr_init_common(mr, MR_CONTAINER, name, size);
}

void memory_region_destroy(MemoryRegion *mr)
{
    if (mr->container || mr->nb_subregions || mr->nb_aliased_by || mr->nb_users) {
        g_error("memory region %s destroyed while still in use", mr->name);
    }
    if (mr->kind == MR_ALIAS) {
        ptr_array_remove((void ***)&mr->alias->aliased_by, &mr->alias->nb_aliased_by, mr);
    }
    if (mr->ram) {
        munmap(mr->ram, (size_t)mr->last + 1);
    }
    g_free(mr->subregions);
    g_free(mr->aliased_by);
    g_free(mr->users);
    g_free(mr->name);
    memset(mr, 0, sizeof(*mr));
}

uint64_t memory_region_size(const MemoryRegion *mr)
{
    return mr->last == UINT64_MAX ? UINT64_MAX : mr->last + 1;
}

uint8_t *memory_region_get_ram_ptr(MemoryRegion *mr)
{
    return mr->ram;
}

/* ---- Change propagation ---- */

static void address_space_update(AddressSpace *as);

static void collect_users(MemoryRegion *mr, GPtrArray *out, int depth)
{
    if (depth > MAX_DEPTH) {
        return;
    }
    for (unsigned i = 0; i < mr->nb_users; i++) {
        if (!g_ptr_array_find(out, mr->users[i], NULL)) {
            g_ptr_array_add(out, mr->users[i]);
        }
    }
    for (unsigned i = 0; i < mr->nb_aliased_by; i++) {
        collect_users(mr->aliased_by[i], out, depth + 1);
    }
    if (mr->container) {
        collect_users(mr->container, out, depth + 1);
    }
}

/* The subtree under mr changed: rebuild every address space that shows it. */
static void memory_region_changed(MemoryRegion *mr)
{
    GPtrArray *users = g_ptr_array_new();
    collect_users(mr, users, 0);
    for (unsigned i = 0; i < users->len; i++) {
        address_space_update(users->pdata[i]);
    }
    g_ptr_array_free(users, true);
}

/* Does `from`'s subtree (through subregions and alias targets) contain `to`? */
static bool region_reaches(const MemoryRegion *from, const MemoryRegion *to, int depth)
{
    if (from == to) {
        return true;
    }
    if (depth > MAX_DEPTH) {
        return true; /* too deep to prove acyclic: refuse */
    }
    if (from->kind == MR_ALIAS) {
        return region_reaches(from->alias, to, depth + 1);
    }
    for (unsigned i = 0; i < from->nb_subregions; i++) {
        if (region_reaches(from->subregions[i], to, depth + 1)) {
            return true;
        }
    }
    return false;
}

/* Higher priority first; equal priority: the later-added first. */
static bool sub_before(const MemoryRegion *a, const MemoryRegion *b)
{
    if (a->priority != b->priority) {
        return a->priority > b->priority;
    }
    return a->add_seq > b->add_seq;
}

static void container_insert(MemoryRegion *container, MemoryRegion *sub)
{
    unsigned i = 0;
    while (i < container->nb_subregions && !sub_before(sub, container->subregions[i])) {
        i++;
    }
    container->subregions = g_renew(MemoryRegion *, container->subregions,
                                    container->nb_subregions + 1);
    memmove(&container->subregions[i + 1], &container->subregions[i],
            (container->nb_subregions - i) * sizeof(MemoryRegion *));
    container->subregions[i] = sub;
    container->nb_subregions++;
}

void memory_region_add_subregion_overlap(MemoryRegion *container, uint64_t offset,
                                         MemoryRegion *sub, int priority)
{
    if (container->kind != MR_CONTAINER) {
        g_error("memory region %s is not a container", container->name);
    }
    if (sub->container) {
        g_error("memory region %s is already mapped in %s", sub->name, sub->container->name);
    }
    if (region_reaches(sub, container, 0)) {
        g_error("mapping %s in %s would make a cycle", sub->name, container->name);
    }
    sub->container = container;
    sub->addr = offset;
    sub->priority = priority;
    sub->add_seq = container->next_seq++;
    container_insert(container, sub);
    memory_region_changed(container);
}

void memory_region_add_subregion(MemoryRegion *container, uint64_t offset, MemoryRegion *sub)
{
    memory_region_add_subregion_overlap(container, offset, sub, 0);
}

void memory_region_del_subregion(MemoryRegion *container, MemoryRegion *sub)
{
    if (sub->container != container) {
        g_error("memory region %s is not mapped in %s", sub->name, container->name);
    }
    ptr_array_remove((void ***)&container->subregions, &container->nb_subregions, sub);
    sub->container = NULL;
    memory_region_changed(container);
}

void memory_region_set_enabled(MemoryRegion *mr, bool enabled)
{
    if (mr->enabled != enabled) {
        mr->enabled = enabled;
        memory_region_changed(mr);
    }
}

void memory_region_set_address(MemoryRegion *mr, uint64_t offset)
{
    MemoryRegion *container = mr->container;
    if (!container) {
        mr->addr = offset;
        return;
    }
    /* Re-insert so the order among equal priorities stays "later wins". */
    ptr_array_remove((void ***)&container->subregions, &container->nb_subregions, mr);
    mr->addr = offset;
    container_insert(container, mr);
    memory_region_changed(container);
}

void memory_region_set_alias_offset(MemoryRegion *mr, uint64_t offset)
{
    g_assert(mr->kind == MR_ALIAS);
    mr->alias_offset = offset;
    memory_region_changed(mr);
}

/* ---- Flattening ---- */

static int range_cmp(const void *a, const void *b)
{
    const FlatRange *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * Add [start, last] -> mr (at mr_offset) where the view has nothing yet:
 * regions are rendered highest priority first, so what is there wins.
 */
static void view_add(GArray *ranges, uint64_t start, uint64_t last, MemoryRegion *mr,
                     uint64_t mr_offset)
{
    /* ranges is sorted; find the first one that ends at or after start. */
    unsigned lo = 0, hi = ranges->len;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (g_array_index(ranges, FlatRange, mid).last < start) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    GArray *pieces = g_array_new(false, false, sizeof(FlatRange));
    uint64_t cur = start;
    bool done = false;
    for (unsigned i = lo; i < ranges->len && !done; i++) {
        const FlatRange *r = &g_array_index(ranges, FlatRange, i);
        if (r->start > last) {
            break;
        }
        if (r->start > cur) {
            FlatRange p = { cur, r->start - 1, mr, mr_offset + (cur - start) };
            g_array_append_val(pieces, p);
        }
        if (r->last >= last) {
            done = true;
        } else {
            cur = r->last + 1;
        }
    }
    if (!done) {
        FlatRange p = { cur, last, mr, mr_offset + (cur - start) };
        g_array_append_val(pieces, p);
    }
    if (pieces->len) {
        g_array_append_vals(ranges, pieces->data, pieces->len);
        g_array_sort(ranges, range_cmp);
    }
    g_array_free(pieces, true);
}

/*
 * Render the part [cs, cl] (in mr's own offsets) of mr, which appears at
 * absolute address offset + delta.  Callers pass a clip that maps to a
 * non-wrapping absolute range, and every step only narrows it.
 */
static void render(GArray *ranges, MemoryRegion *mr, uint64_t delta, uint64_t cs,
                   uint64_t cl, int depth)
{
    if (!mr->enabled || depth > MAX_DEPTH) {
        return;
    }
    if (cl > mr->last) {
        cl = mr->last;
    }
    if (cs > cl) {
        return;
    }
    switch (mr->kind) {
    case MR_RAM:
    case MR_ROM:
    case MR_MMIO:
        view_add(ranges, cs + delta, cl + delta, mr, cs);
        break;
    case MR_ALIAS: {
        uint64_t ao = mr->alias_offset;
        if (ao > UINT64_MAX - cs) {
            return; /* the window starts past the end of the target's space */
        }
        uint64_t tl = ao > UINT64_MAX - cl ? UINT64_MAX : cl + ao;
        render(ranges, mr->alias, delta - ao, cs + ao, tl, depth + 1);
        break;
    }
    case MR_CONTAINER:
        for (unsigned i = 0; i < mr->nb_subregions; i++) {
            MemoryRegion *sub = mr->subregions[i];
            uint64_t s = sub->addr;
            uint64_t l = sub->addr > UINT64_MAX - sub->last ? UINT64_MAX : sub->addr + sub->last;
            if (s < cs) {
                s = cs;
            }
            if (l > cl) {
                l = cl;
            }
            if (s <= l) {
                render(ranges, sub, delta + sub->addr, s - sub->addr, l - sub->addr, depth + 1);
            }
        }
        break;
    case MR_NONE:
        break;
    }
}

static FlatView *build_view(MemoryRegion *root)
{
    GArray *ranges = g_array_new(false, false, sizeof(FlatRange));
    render(ranges, root, 0, 0, UINT64_MAX, 0);

    /* Merge neighbours that continue the same region. */
    unsigned n = 0;
    for (unsigned i = 0; i < ranges->len; i++) {
        FlatRange *r = &g_array_index(ranges, FlatRange, i);
        if (n > 0) {
            FlatRange *p = &g_array_index(ranges, FlatRange, n - 1);
            if (p->mr == r->mr && p->last + 1 == r->start &&
                p->mr_offset + (p->last - p->start) + 1 == r->mr_offset) {
                p->last = r->last;
                continue;
            }
        }
        g_array_index(ranges, FlatRange, n++) = *r;
    }

    FlatView *v = g_new0(FlatView, 1);
    v->nb_ranges = n;
    v->ranges = (FlatRange *)g_array_free(ranges, false);
    for (unsigned i = 0; i < n; i++) {
        const FlatRange *r = &v->ranges[i];
        g_assert(r->start <= r->last);
        g_assert(i == 0 || v->ranges[i - 1].last < r->start);
        g_assert(r->mr_offset <= r->mr->last && r->last - r->start <= r->mr->last - r->mr_offset);
    }
    return v;
}

static void flatview_free(FlatView *v)
{
    if (v) {
        g_free(v->ranges);
        g_free(v);
    }
}

const FlatRange *flatview_lookup(const FlatView *view, uint64_t addr)
{
    unsigned lo = 0, hi = view->nb_ranges;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        const FlatRange *r = &view->ranges[mid];
        if (addr < r->start) {
            hi = mid;
        } else if (addr > r->last) {
            lo = mid + 1;
        } else {
            return r;
        }
    }
    return NULL;
}

/* ---- Views and readers ---- */

const FlatView *address_space_read_begin(AddressSpace *as, AsReadSection *s)
{
    s->as = as;
    s->idx = atomic_load(&as->epoch) & 1;
    atomic_fetch_add(&as->readers[s->idx], 1);
    return atomic_load(&as->view);
}

void address_space_read_end(AsReadSection *s)
{
    atomic_fetch_sub(&s->as->readers[s->idx], 1);
}

/*
 * Wait until no reader can still hold a view replaced before this call.
 * A reader increments its counter before loading the view pointer (both
 * sequentially consistent), so one that loaded the old pointer is counted
 * in readers[0] or readers[1] until it leaves.  Flipping the epoch before
 * each wait sends new readers to the other counter, so the wait ends even
 * under a steady stream of readers.
 */
static void as_synchronize(AddressSpace *as)
{
    for (int i = 0; i < 2; i++) {
        unsigned e = atomic_fetch_add(&as->epoch, 1);
        while (atomic_load(&as->readers[e & 1]) != 0) {
            sched_yield();
        }
    }
}

static void address_space_notify(AddressSpace *as)
{
    if (!as->listeners) {
        return;
    }
    BqlGuard g = bql_guard_enter();
    for (MemoryListener *l = as->listeners, *next; l; l = next) {
        next = l->next; /* l may unregister itself */
        l->view_changed(l, as);
    }
    bql_guard_exit(g);
}

static void address_space_update(AddressSpace *as)
{
    FlatView *nv = build_view(as->root);
    FlatView *old = atomic_exchange(&as->view, nv);
    as->rebuilds++;
    as_synchronize(as);
    flatview_free(old);
    address_space_notify(as);
}

void memory_listener_register(AddressSpace *as, MemoryListener *l)
{
    g_assert(l->view_changed && !l->as);
    MemoryListener **p = &as->listeners;
    while (*p) {
        p = &(*p)->next;
    }
    l->as = as;
    l->next = NULL;
    *p = l;
}

void memory_listener_unregister(MemoryListener *l)
{
    if (!l->as) {
        return;
    }
    for (MemoryListener **p = &l->as->listeners; *p; p = &(*p)->next) {
        if (*p == l) {
            *p = l->next;
            break;
        }
    }
    l->as = NULL;
    l->next = NULL;
}

void address_space_init(AddressSpace *as, MemoryRegion *root, const char *name)
{
    memset(as, 0, sizeof(*as));
    as->name = g_strdup(name);
    as->root = root;
    ptr_array_add((void ***)&root->users, &root->nb_users, as);
    atomic_init(&as->view, NULL);
    atomic_init(&as->epoch, 0);
    atomic_init(&as->readers[0], 0);
    atomic_init(&as->readers[1], 0);
    address_space_update(as);
}

void address_space_destroy(AddressSpace *as)
{
    while (as->listeners) {
        memory_listener_unregister(as->listeners);
    }
    ptr_array_remove((void ***)&as->root->users, &as->root->nb_users, as);
    as_synchronize(as);
    flatview_free(atomic_exchange(&as->view, NULL));
    g_free(as->name);
    as->name = NULL;
}

/* ---- MMIO dispatch (never inside a read section) ---- */

static MemTxResult mmio_call(MemoryRegion *mr, uint64_t off, uint64_t *value, unsigned size,
                             bool is_write)
{
    const MemoryRegionOps *ops = mr->ops;
    if (is_write) {
        if (!ops->write) {
            return MEMTX_ERROR;
        }
        return ops->write(mr->opaque, off, *value & size_mask(size), size);
    }
    *value = 0;
    if (!ops->read) {
        return MEMTX_ERROR;
    }
    MemTxResult r = ops->read(mr->opaque, off, value, size);
    *value &= size_mask(size);
    return r;
}

static unsigned mmio_min(const MemoryRegion *mr)
{
    return mr->ops->min_access_size ? mr->ops->min_access_size : 1;
}

static unsigned mmio_max(const MemoryRegion *mr)
{
    return mr->ops->max_access_size ? mr->ops->max_access_size : 4;
}

/* A byte run inside one MMIO region: largest allowed aligned pieces. */
static MemTxResult mmio_buffer(MemoryRegion *mr, uint64_t off, uint8_t *buf, uint64_t n,
                               bool is_write)
{
    unsigned min = mmio_min(mr), max = mmio_max(mr);
    while (n > 0) {
        unsigned sz = max;
        while (sz > n) {
            sz >>= 1;
        }
        if (!mr->ops->unaligned) {
            while (off & (sz - 1)) {
                sz >>= 1;
            }
        }
        if (sz < min) {
            return MEMTX_ERROR;
        }
        uint64_t v = is_write ? ld_le(buf, sz) : 0;
        MemTxResult r = mmio_call(mr, off, &v, sz, is_write);
        if (r != MEMTX_OK) {
            return r;
        }
        if (!is_write) {
            st_le(buf, sz, v);
        }
        off += sz;
        buf += sz;
        n -= sz;
    }
    return MEMTX_OK;
}

/* One CPU-sized access inside one MMIO region. */
static MemTxResult mmio_sized(MemoryRegion *mr, uint64_t off, unsigned size, uint64_t *value,
                              bool is_write)
{
    unsigned min = mmio_min(mr), max = mmio_max(mr);
    if (size < min || (!mr->ops->unaligned && (off & (size - 1)))) {
        return MEMTX_ERROR;
    }
    if (size <= max) {
        return mmio_call(mr, off, value, size, is_write);
    }
    uint64_t result = 0;
    for (unsigned done = 0; done < size; done += max) {
        uint64_t v = is_write ? *value >> (8 * done) : 0;
        MemTxResult r = mmio_call(mr, off + done, &v, max, is_write);
        if (r != MEMTX_OK) {
            return r;
        }
        result |= v << (8 * done);
    }
    if (!is_write) {
        *value = result;
    }
    return MEMTX_OK;
}

/* ---- Accesses ---- */

typedef enum AccessMode { ACC_READ, ACC_WRITE, ACC_WRITE_ROM } AccessMode;

void (*memory_dma_written_hook)(uint64_t addr, uint64_t len);

void address_space_dma_written(AddressSpace *as, uint64_t addr, uint64_t len)
{
    (void)as; /* one physical address space holds the CPUs' code */
    void (*hook)(uint64_t, uint64_t) = __atomic_load_n(&memory_dma_written_hook, __ATOMIC_ACQUIRE);
    if (hook && len) {
        hook(addr, len);
    }
}

static MemTxResult as_access(AddressSpace *as, uint64_t addr, uint8_t *buf, uint64_t len,
                             AccessMode mode)
{
    if (len == 0) {
        return MEMTX_OK;
    }
    if (addr + (len - 1) < addr) {
        return MEMTX_DECODE_ERROR; /* len may exceed buf's real size: touch nothing */
    }
    uint8_t *const buf0 = buf;
    const uint64_t len0 = len;
    while (len > 0) {
        AsReadSection s;
        const FlatView *v = address_space_read_begin(as, &s);
        const FlatRange *fr = flatview_lookup(v, addr);
        if (!fr) {
            address_space_read_end(&s);
            if (mode == ACC_READ) {
                memset(buf0, 0, len0);
            }
            return MEMTX_DECODE_ERROR;
        }
        MemoryRegion *mr = fr->mr;
        uint64_t off = fr->mr_offset + (addr - fr->start);
        uint64_t n = len - 1 <= fr->last - addr ? len : fr->last - addr + 1;
        MemTxResult r = MEMTX_OK;
        if (mr->kind == MR_MMIO) {
            address_space_read_end(&s);
            r = mmio_buffer(mr, off, buf, n, mode != ACC_READ);
        } else {
            bool written = false;
            if (mode == ACC_READ) {
                memcpy(buf, mr->ram + off, n);
            } else if (mr->kind == MR_RAM || mode == ACC_WRITE_ROM) {
                memcpy(mr->ram + off, buf, n);
                written = true;
            } /* else: a guest write to ROM is ignored */
            address_space_read_end(&s);
            if (written) {
                address_space_dma_written(as, addr, n);
            }
        }
        if (r != MEMTX_OK) {
            if (mode == ACC_READ) {
                memset(buf0, 0, len0);
            }
            return r;
        }
        addr += n; /* may wrap to 0 only when len reaches 0 */
        buf += n;
        len -= n;
    }
    return MEMTX_OK;
}

MemTxResult address_space_read(AddressSpace *as, uint64_t addr, void *buf, uint64_t len)
{
    return as_access(as, addr, buf, len, ACC_READ);
}

MemTxResult address_space_write(AddressSpace *as, uint64_t addr, const void *buf, uint64_t len)
{
    return as_access(as, addr, (uint8_t *)buf, len, ACC_WRITE);
}

MemTxResult address_space_write_rom(AddressSpace *as, uint64_t addr, const void *buf,
                                    uint64_t len)
{
    return as_access(as, addr, (uint8_t *)buf, len, ACC_WRITE_ROM);
}

static MemTxResult as_sized(AddressSpace *as, uint64_t addr, unsigned size, uint64_t *value,
                            bool is_write)
{
    if (size != 1 && size != 2 && size != 4 && size != 8) {
        return MEMTX_ERROR;
    }
    if (addr + (size - 1) < addr) {
        return MEMTX_DECODE_ERROR;
    }
    AsReadSection s;
    const FlatView *v = address_space_read_begin(as, &s);
    const FlatRange *fr = flatview_lookup(v, addr);
    if (fr && addr + (size - 1) <= fr->last) {
        MemoryRegion *mr = fr->mr;
        uint64_t off = fr->mr_offset + (addr - fr->start);
        if (mr->kind == MR_MMIO) {
            address_space_read_end(&s);
            return mmio_sized(mr, off, size, value, is_write);
        }
        if (!is_write) {
            *value = ld_le(mr->ram + off, size);
        } else if (mr->kind == MR_RAM) {
            st_le(mr->ram + off, size, *value);
            address_space_read_end(&s);
            address_space_dma_written(as, addr, size);
            return MEMTX_OK;
        }
        address_space_read_end(&s);
        return MEMTX_OK;
    }
    address_space_read_end(&s);
    /* Unmapped start, or straddling two ranges: byte-buffer style. */
    uint8_t b[8];
    if (is_write) {
        st_le(b, size, *value);
        return as_access(as, addr, b, size, ACC_WRITE);
    }
    MemTxResult r = as_access(as, addr, b, size, ACC_READ);
    *value = r == MEMTX_OK ? ld_le(b, size) : 0;
    return r;
}

MemTxResult address_space_ld(AddressSpace *as, uint64_t addr, unsigned size, uint64_t *value)
{
    MemTxResult r = as_sized(as, addr, size, value, false);
    if (r != MEMTX_OK) {
        *value = 0;
    }
    return r;
}

MemTxResult address_space_st(AddressSpace *as, uint64_t addr, unsigned size, uint64_t value)
{
    return as_sized(as, addr, size, &value, true);
}

bool address_space_translate(AddressSpace *as, uint64_t addr, MemoryTranslation *t)
{
    memset(t, 0, sizeof(*t));
    AsReadSection s;
    const FlatView *v = address_space_read_begin(as, &s);
    const FlatRange *fr = flatview_lookup(v, addr);
    if (fr) {
        t->mr = fr->mr;
        t->offset = fr->mr_offset + (addr - fr->start);
        t->len = fr->last - addr == UINT64_MAX ? UINT64_MAX : fr->last - addr + 1;
        t->host = fr->mr->ram ? fr->mr->ram + t->offset : NULL;
        t->readonly = fr->mr->kind == MR_ROM;
    }
    address_space_read_end(&s);
    return fr != NULL;
}
