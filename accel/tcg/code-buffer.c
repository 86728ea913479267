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
 * overwrite each other's translations: give the child a private copy of the
 * used part at the same addresses, before it runs guest code.
 */
bool code_buffer_fork_child(CodeBuffer *b)
{
    if (b->rw == b->rx) {
        return true; /* the MAP_PRIVATE fallback is already copied by fork */
    }
    int fd = memfd_create("rove-jit", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)b->size) < 0) {
        if (fd >= 0) {
            close(fd);
        }
        return false;
    }
    for (size_t done = 0; done < b->used;) {
        ssize_t n = pwrite(fd, b->rw + done, b->used - done, (off_t)done);
        if (n <= 0) {
            close(fd);
            return false;
        }
        done += (size_t)n;
    }
    bool ok = mmap(b->rw, b->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) !=
                  MAP_FAILED &&
              mmap(b->rx, b->size, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_FIXED, fd, 0) !=
                  MAP_FAILED;
    close(fd);
    return ok;
}
