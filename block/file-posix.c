/*
 * The host file under every image: whole-length pread/pwrite (EINTR and
 * short transfers retried), fdatasync, O_DIRECT with aligned bounce buffers
 * for cache=none/directsync, O_DSYNC for writethrough, and hole punching or
 * zero ranges with a fallback to writing zeroes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/falloc.h>

#include "block/block-int.h"

static int open_flags_for(bool read_only, BlockCacheMode cache)
{
    int flags = (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC;
    if (cache == BLOCK_CACHE_NONE || cache == BLOCK_CACHE_DIRECTSYNC) {
        flags |= O_DIRECT;
    }
    if (!read_only && (cache == BLOCK_CACHE_WRITETHROUGH || cache == BLOCK_CACHE_DIRECTSYNC)) {
        flags |= O_DSYNC;
    }
    return flags;
}

/*
 * The image lock, in QEMU's byte layout so that the two keep out of each
 * other's images: an open file description lock (F_OFD_*, so two opens in
 * one process count as two users) on byte 100 + P says "I use permission
 * P", on byte 200 + P "I let no one else have P", for P = 0 (consistent
 * read) and 1 (write).  Everyone reads; a reader forbids writers; a writer
 * also uses write.  After taking its bytes a user checks that no one else
 * holds a byte that conflicts: a writer fails if another uses write or
 * forbids it, a reader if someone writes.  Only shared locks are taken, and
 * conflicts are found by testing for an exclusive one (F_OFD_GETLK, which
 * ignores our own).  A file system without locks is used unlocked.
 */
enum { LOCK_USES = 100, LOCK_FORBIDS = 200, PERM_READ = 0, PERM_WRITE = 1 };

/* 0, -EAGAIN (a conflicting lock), or another -errno. */
static int lock_byte(int fd, int cmd, short type, off_t byte)
{
    struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = byte, .l_len = 1 };
    int r;
    do {
        r = fcntl(fd, cmd, &fl);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        return errno == EACCES ? -EAGAIN : -errno;
    }
    if (cmd == F_OFD_GETLK && fl.l_type != F_UNLCK) {
        return -EAGAIN;
    }
    return 0;
}

bool block_file_lock(BlockFile *f, GError **errp)
{
    const off_t hold[] = { LOCK_USES + PERM_READ, LOCK_FORBIDS + PERM_WRITE,
                           LOCK_USES + PERM_WRITE };
    size_t nhold = f->read_only ? 2 : 3;
    int r = 0;
    for (size_t i = 0; i < nhold && r == 0; i++) {
        r = lock_byte(f->fd, F_OFD_SETLK, F_RDLCK, hold[i]);
    }
    /* Someone writes; (for a writer) someone forbids writing. */
    if (r == 0) {
        r = lock_byte(f->fd, F_OFD_GETLK, F_WRLCK, LOCK_USES + PERM_WRITE);
    }
    if (r == 0 && !f->read_only) {
        r = lock_byte(f->fd, F_OFD_GETLK, F_WRLCK, LOCK_FORBIDS + PERM_WRITE);
    }
    if (r == 0 || r != -EAGAIN) {
        return true; /* locked, or no locks on this file system */
    }
    struct flock all = { .l_type = F_UNLCK, .l_whence = SEEK_SET };
    (void)fcntl(f->fd, F_OFD_SETLK, &all);
    g_set_error(errp, BLOCK_ERROR, EBUSY,
                "%s: in use by another process (cannot take its %s lock; -drive "
                "file.locking=off or rove-img -U skips the lock)", f->filename,
                f->read_only ? "shared" : "write");
    return false;
}

BlockFile *block_file_open(const char *filename, bool read_only, BlockCacheMode cache,
                           GError **errp)
{
    int flags = open_flags_for(read_only, cache);
    int fd;
    do {
        fd = open(filename, flags);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0 && errno == EINVAL && (flags & O_DIRECT)) {
        g_set_error(errp, BLOCK_ERROR, EINVAL,
                    "%s: cache=none/directsync needs O_DIRECT, which this file system "
                    "does not support", filename);
        return NULL;
    }
    if (fd < 0) {
        int e = errno;
        g_set_error(errp, BLOCK_ERROR, e, "%s: %s", filename, g_strerror(e));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        g_set_error(errp, BLOCK_ERROR, EISDIR, "%s: is a directory", filename);
        return NULL;
    }
    BlockFile *f = g_new0(BlockFile, 1);
    f->fd = fd;
    f->filename = g_strdup(filename);
    f->read_only = read_only;
    f->direct = (flags & O_DIRECT) != 0;
    f->sync_writes = (flags & O_DSYNC) != 0;
    f->ignore_flush = cache == BLOCK_CACHE_UNSAFE;
    return f;
}

BlockFile *block_file_create(const char *filename, GError **errp)
{
    int fd = open(filename, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        int e = errno;
        g_set_error(errp, BLOCK_ERROR, e, "%s: %s", filename, g_strerror(e));
        return NULL;
    }
    BlockFile *f = g_new0(BlockFile, 1);
    f->fd = fd;
    f->filename = g_strdup(filename);
    return f;
}

void block_file_close(BlockFile *f)
{
    if (!f) {
        return;
    }
    close(f->fd);
    g_free(f->filename);
    g_free(f);
}

/* The plain loops: a short transfer continues where it stopped; a read
 * that reaches the end of the file fills the rest with zeroes. */
static int read_full(int fd, uint64_t offset, uint8_t *buf, size_t len)
{
    while (len) {
        ssize_t n = pread(fd, buf, len, (off_t)offset);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        if (n == 0) {
            memset(buf, 0, len);
            return 0;
        }
        buf += n;
        offset += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

static int write_full(int fd, uint64_t offset, const uint8_t *buf, size_t len)
{
    while (len) {
        ssize_t n = pwrite(fd, buf, len, (off_t)offset);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        if (n == 0) {
            return -ENOSPC;
        }
        buf += n;
        offset += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

/* With O_DIRECT, a read at the end of the file may stop at a partial block:
 * read_full's zero fill keeps the buffer's tail defined. */
static bool is_aligned(uint64_t offset, const void *buf, size_t len)
{
    return offset % BLOCK_DIRECT_ALIGN == 0 && len % BLOCK_DIRECT_ALIGN == 0 &&
           (uintptr_t)buf % BLOCK_DIRECT_ALIGN == 0;
}

static void *bounce_alloc(size_t len)
{
    void *p = NULL;
    if (posix_memalign(&p, BLOCK_DIRECT_ALIGN, len ? len : BLOCK_DIRECT_ALIGN)) {
        return NULL;
    }
    return p;
}

int block_file_pread(BlockFile *f, uint64_t offset, void *buf, size_t len)
{
    if (!f->direct || is_aligned(offset, buf, len)) {
        return read_full(f->fd, offset, buf, len);
    }
    uint64_t start = offset & ~(uint64_t)(BLOCK_DIRECT_ALIGN - 1);
    uint64_t end = (offset + len + BLOCK_DIRECT_ALIGN - 1) & ~(uint64_t)(BLOCK_DIRECT_ALIGN - 1);
    uint8_t *bounce = bounce_alloc(end - start);
    if (!bounce) {
        return -ENOMEM;
    }
    int r = read_full(f->fd, start, bounce, end - start);
    if (r == 0) {
        memcpy(buf, bounce + (offset - start), len);
    }
    free(bounce);
    return r;
}

int block_file_pwrite(BlockFile *f, uint64_t offset, const void *buf, size_t len)
{
    if (f->read_only) {
        return -EROFS;
    }
    if (!f->direct || is_aligned(offset, buf, len)) {
        return write_full(f->fd, offset, buf, len);
    }
    /* Read-modify-write of the aligned blocks around the request; the last
     * block may reach past the end of the file, which is then cut back. */
    int64_t old_size = block_file_size(f);
    if (old_size < 0) {
        return (int)old_size;
    }
    uint64_t start = offset & ~(uint64_t)(BLOCK_DIRECT_ALIGN - 1);
    uint64_t end = (offset + len + BLOCK_DIRECT_ALIGN - 1) & ~(uint64_t)(BLOCK_DIRECT_ALIGN - 1);
    uint8_t *bounce = bounce_alloc(end - start);
    if (!bounce) {
        return -ENOMEM;
    }
    int r = read_full(f->fd, start, bounce, end - start);
    if (r == 0) {
        memcpy(bounce + (offset - start), buf, len);
        r = write_full(f->fd, start, bounce, end - start);
    }
    free(bounce);
    uint64_t want = offset + len > (uint64_t)old_size ? offset + len : (uint64_t)old_size;
    if (r == 0 && end > want && ftruncate(f->fd, (off_t)want) < 0) {
        r = -errno;
    }
    return r;
}

int block_file_flush(BlockFile *f)
{
    if (f->ignore_flush || f->read_only) {
        return 0;
    }
    while (fdatasync(f->fd) < 0) {
        if (errno != EINTR) {
            return -errno;
        }
    }
    return 0;
}

int64_t block_file_size(BlockFile *f)
{
    struct stat st;
    if (fstat(f->fd, &st) < 0) {
        return -errno;
    }
    if (S_ISBLK(st.st_mode)) {
        off_t end = lseek(f->fd, 0, SEEK_END);
        return end < 0 ? -errno : (int64_t)end;
    }
    return (int64_t)st.st_size;
}

int64_t block_file_allocated(BlockFile *f)
{
    struct stat st;
    if (fstat(f->fd, &st) < 0) {
        return -errno;
    }
    return (int64_t)st.st_blocks * 512;
}

int block_file_truncate(BlockFile *f, uint64_t size)
{
    if (f->read_only) {
        return -EROFS;
    }
    if (size > INT64_MAX) {
        return -EFBIG;
    }
    while (ftruncate(f->fd, (off_t)size) < 0) {
        if (errno != EINTR) {
            return -errno;
        }
    }
    return 0;
}

static int fallocate_retry(int fd, int mode, uint64_t offset, uint64_t len)
{
    while (fallocate(fd, mode, (off_t)offset, (off_t)len) < 0) {
        if (errno != EINTR) {
            return -errno;
        }
    }
    return 0;
}

static bool unsupported(int r)
{
    return r == -EOPNOTSUPP || r == -ENOTSUP || r == -ENOSYS || r == -EINVAL;
}

int block_file_discard(BlockFile *f, uint64_t offset, uint64_t len)
{
    if (f->read_only) {
        return -EROFS;
    }
    int r = fallocate_retry(f->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, len);
    return unsupported(r) ? -ENOTSUP : r;
}

int block_file_write_zeroes(BlockFile *f, uint64_t offset, uint64_t len, bool may_unmap)
{
    if (f->read_only) {
        return -EROFS;
    }
    if (len == 0) {
        return 0;
    }
    /* A hole or zero range only where it does not move the end of the file:
     * past the end, KEEP_SIZE would leave the file short. */
    int64_t size = block_file_size(f);
    if (size < 0) {
        return (int)size;
    }
    if (offset + len <= (uint64_t)size) {
        if (may_unmap && block_file_discard(f, offset, len) == 0) {
            return 0;
        }
        int r = fallocate_retry(f->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, offset, len);
        if (!unsupported(r)) {
            return r;
        }
    }
    size_t chunk = len < (1u << 20) ? (size_t)len : (1u << 20);
    chunk = (chunk + BLOCK_DIRECT_ALIGN - 1) & ~(size_t)(BLOCK_DIRECT_ALIGN - 1);
    uint8_t *zeroes = bounce_alloc(chunk);
    if (!zeroes) {
        return -ENOMEM;
    }
    memset(zeroes, 0, chunk);
    int r = 0;
    while (len && r == 0) {
        size_t n = len < chunk ? (size_t)len : chunk;
        r = block_file_pwrite(f, offset, zeroes, n);
        offset += n;
        len -= n;
    }
    free(zeroes);
    return r;
}

bool block_file_identity(BlockFile *f, uint64_t *dev, uint64_t *ino)
{
    struct stat st;
    if (fstat(f->fd, &st) < 0) {
        return false;
    }
    *dev = (uint64_t)st.st_dev;
    *ino = (uint64_t)st.st_ino;
    return true;
}
