/*
 * Executable memory for generated code.  The same pages are mapped twice
 * from a memfd: once read+write (where back ends write and patch) and once
 * read+execute (where code runs), so no page is ever writable and executable
 * at once (W^X).  If memfd is unavailable, falls back to one RWX mapping.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "accel/tcg/internal.h"

bool code_buffer_init(CodeBuffer *buf, size_t size)
{
    memset(buf, 0, sizeof(*buf));
    int fd = memfd_create("rove-jit", MFD_CLOEXEC);
    if (fd >= 0 && ftruncate(fd, (off_t)size) == 0) {
        void *rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        void *rx = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
        close(fd);
        if (rw != MAP_FAILED && rx != MAP_FAILED) {
            buf->rw = rw;
            buf->rx = rx;
            buf->size = size;
            return true;
        }
        if (rw != MAP_FAILED) {
            munmap(rw, size);
        }
        if (rx != MAP_FAILED) {
            munmap(rx, size);
        }
    } else if (fd >= 0) {
        close(fd);
    }
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    if (p == MAP_FAILED) {
        return false;
    }
    buf->rw = buf->rx = p;
    buf->size = size;
    return true;
}

/*
 * Fault in the buffer ahead of the translator, 2 MiB at a time: one
 * madvise per chunk instead of a page fault per 4 KiB on each view (a
 * Linux boot writes about 20 MB of code).  Kernels before 5.14 lack
 * MADV_POPULATE_*: then pages fault in as they are touched.
 */
#define CODE_PREFAULT_CHUNK (2u << 20)

void code_buffer_prefault(CodeBuffer *b)
{
#ifdef MADV_POPULATE_WRITE
    if (b->used + CODE_PREFAULT_CHUNK / 2 < b->populated || b->populated >= b->size) {
        return;
    }
    size_t start = b->populated;
    size_t len = b->size - start < CODE_PREFAULT_CHUNK ? b->size - start : CODE_PREFAULT_CHUNK;
    b->populated = start + len;
    if (madvise(b->rw + start, len, MADV_POPULATE_WRITE) != 0) {
        b->populated = b->size; /* unsupported: stop trying */
        return;
    }
    if (b->rx != b->rw) {
        (void)madvise(b->rx + start, len, MADV_POPULATE_READ);
    }
#else
    (void)b;
#endif
}

void code_buffer_destroy(CodeBuffer *buf)
{
    if (buf->rw && buf->rw != buf->rx) {
        munmap(buf->rw, buf->size);
    }
    if (buf->rx) {
        munmap(buf->rx, buf->size);
    }
    memset(buf, 0, sizeof(*buf));
}

/*
 * After fork the two processes would share the MAP_SHARED memfd and
 * overwrite each other's translations, so the child gets a private copy of
 * the used part at the same addresses before it runs guest code.  The copy
 * is made in the parent before fork, while tb_lock keeps every other thread
 * from translating or (un)chaining: a copy made in the child after fork
 * would race with the parent patching jumps to blocks the child never had.
 */
int code_buffer_fork_prepare(const CodeBuffer *b)
{
    if (b->rw == b->rx) {
        return -1; /* the MAP_PRIVATE fallback is copied by fork itself */
    }
    int fd = memfd_create("rove-jit", MFD_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    if (ftruncate(fd, (off_t)b->size) < 0) {
        close(fd);
        return -1;
    }
    for (size_t done = 0; done < b->used;) {
        ssize_t n = pwrite(fd, b->rw + done, b->used - done, (off_t)done);
        if (n <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)n;
    }
    return fd;
}

bool code_buffer_fork_child(CodeBuffer *b, int fd)
{
    if (b->rw == b->rx) {
        return true;
    }
    if (fd < 0) {
        return false;
    }
    bool ok = mmap(b->rw, b->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) !=
                  MAP_FAILED &&
              mmap(b->rx, b->size, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_FIXED, fd, 0) !=
                  MAP_FAILED;
    close(fd);
    return ok;
}
