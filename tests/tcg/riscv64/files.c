/* File system syscalls inside a private mkdtemp() directory: open/creat,
 * read/write/pread/pwrite/readv/writev, lseek (SET/CUR/END, holes), fstat/
 * stat/lstat, O_APPEND, O_EXCL, ftruncate, rename, link/symlink/readlink,
 * unlink, mkdir/rmdir, getdents through opendir/readdir, openat/fstatat,
 * dup/dup2/fcntl, access, chmod, utimensat, and errno values.  Linked
 * dynamically. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include "rvtest.h"

static char dir[64];
static char pbuf[256];

static const char *P(const char *name)
{
    snprintf(pbuf, sizeof(pbuf), "%s/%s", dir, name);
    return pbuf;
}

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    strcpy(dir, "/tmp/rove-files-XXXXXX");
    CHECK_TRUE("mkdtemp", mkdtemp(dir) != NULL);
    struct stat st;
    CHECK("stat dir", stat(dir, &st), 0);
    CHECK_TRUE("is a directory with mode 0700", S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);

    int fd = open(P("a.txt"), O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK_TRUE("open O_CREAT", fd >= 0);
    CHECK("write 13 bytes", write(fd, "hello, world\n", 13), 13);
    CHECK("lseek SEEK_CUR", lseek(fd, 0, SEEK_CUR), 13);
    CHECK("lseek SEEK_SET 7", lseek(fd, 7, SEEK_SET), 7);
    char buf[64] = { 0 };
    CHECK("read 5", read(fd, buf, 5), 5);
    CHECK_TRUE("read data", memcmp(buf, "world", 5) == 0);
    CHECK("read at EOF after 1 byte", read(fd, buf, 64), 1);
    CHECK("read at EOF", read(fd, buf, 64), 0);
    CHECK("pwrite at 100 (hole)", pwrite(fd, "END", 3, 100), 3);
    CHECK("lseek SEEK_END", lseek(fd, 0, SEEK_END), 103);
    CHECK("pread from hole", pread(fd, buf, 4, 50), 4);
    CHECK("hole reads zero", buf[0] | buf[1] | buf[2] | buf[3], 0);
    CHECK("fstat", fstat(fd, &st), 0);
    CHECK("st_size", st.st_size, 103);
    CHECK_TRUE("regular file mode 0644 (umask permitting)", S_ISREG(st.st_mode));
    CHECK("st_nlink", st.st_nlink, 1);
    struct iovec iov[3] = { { "ab", 2 }, { "", 0 }, { "cdef", 4 } };
    CHECK("writev", pwritev(fd, iov, 3, 0), 6);
    char r1[3] = { 0 }, r2[5] = { 0 };
    struct iovec riov[2] = { { r1, 2 }, { r2, 4 } };
    CHECK("readv", preadv(fd, riov, 2, 0), 6);
    CHECK_TRUE("readv data", strcmp(r1, "ab") == 0 && strcmp(r2, "cdef") == 0);
    CHECK("ftruncate 4", ftruncate(fd, 4), 0);
    fstat(fd, &st);
    CHECK("size after ftruncate", st.st_size, 4);

    /* dup/dup2/fcntl */
    int d = dup(fd);
    CHECK_TRUE("dup", d > fd);
    CHECK("dup shares offset", lseek(d, 2, SEEK_SET), 2);
    CHECK("offset seen through original", lseek(fd, 0, SEEK_CUR), 2);
    CHECK("dup2 to 42", dup2(fd, 42), 42);
    CHECK("fcntl F_GETFD on dup2 copy", fcntl(42, F_GETFD), 0);
    CHECK("fcntl F_SETFD FD_CLOEXEC", fcntl(42, F_SETFD, FD_CLOEXEC), 0);
    CHECK("fcntl F_GETFD", fcntl(42, F_GETFD), FD_CLOEXEC);
    CHECK("fcntl F_GETFL access mode", fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
    CHECK("fcntl F_DUPFD >= 50", fcntl(fd, F_DUPFD, 50), 50);
    close(50);
    close(42);
    close(d);
    close(fd);

    /* O_APPEND, O_EXCL */
    fd = open(P("a.txt"), O_WRONLY | O_APPEND);
    lseek(fd, 0, SEEK_SET);
    CHECK("append write", write(fd, "XY", 2), 2);
    close(fd);
    stat(P("a.txt"), &st);
    CHECK("append went to the end", st.st_size, 6);
    CHECK("O_EXCL on existing -> EEXIST", open(P("a.txt"), O_CREAT | O_EXCL | O_WRONLY, 0600) == -1 &&
          errno == EEXIST, 1);
    CHECK("open missing -> ENOENT", open(P("missing"), O_RDONLY) == -1 && errno == ENOENT, 1);

    /* rename, link, symlink */
    CHECK("rename into a non-directory fails", rename(P("a.txt"), "/dev/null/x") == -1, 1);
    char from[256], to[256];
    strcpy(from, P("a.txt"));
    strcpy(to, P("b.txt"));
    CHECK("rename a -> b", rename(from, to), 0);
    CHECK("old name gone", access(from, F_OK) == -1 && errno == ENOENT, 1);
    CHECK("link b -> c", link(to, P("c.txt")), 0);
    stat(to, &st);
    CHECK("st_nlink == 2", st.st_nlink, 2);
    CHECK("symlink", symlink("b.txt", P("s.lnk")), 0);
    char lb[64] = { 0 };
    CHECK("readlink", readlink(P("s.lnk"), lb, sizeof(lb)), 5);
    CHECK_TRUE("readlink target", strcmp(lb, "b.txt") == 0);
    CHECK("lstat", lstat(P("s.lnk"), &st), 0);
    CHECK_TRUE("lstat sees symlink", S_ISLNK(st.st_mode));
    CHECK("stat follows symlink", stat(P("s.lnk"), &st), 0);
    CHECK("followed size", st.st_size, 6);
    CHECK("chmod 0600", chmod(to, 0600), 0);
    stat(to, &st);
    CHECK("mode after chmod", st.st_mode & 0777, 0600);
    struct timespec ts[2] = { { 1000000000, 0 }, { 1234567890, 500 } };
    CHECK("utimensat", utimensat(AT_FDCWD, to, ts, 0), 0);
    stat(to, &st);
    CHECK("mtime set", st.st_mtim.tv_sec, 1234567890);
    CHECK("access R_OK", access(to, R_OK), 0);

    /* directories */
    CHECK("mkdir sub", mkdir(P("sub"), 0755), 0);
    CHECK("mkdir existing -> EEXIST", mkdir(P("sub"), 0755) == -1 && errno == EEXIST, 1);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    CHECK_TRUE("open O_DIRECTORY", dfd >= 0);
    int f2 = openat(dfd, "sub/inner.txt", O_CREAT | O_WRONLY, 0644);
    CHECK_TRUE("openat relative to dirfd", f2 >= 0);
    write(f2, "x", 1);
    close(f2);
    CHECK("fstatat", fstatat(dfd, "sub/inner.txt", &st, 0), 0);
    CHECK("fstatat size", st.st_size, 1);
    CHECK("rmdir non-empty -> ENOTEMPTY", rmdir(P("sub")) == -1 && errno == ENOTEMPTY, 1);
    for (int i = 0; i < 40; i++) {
        char nm[32];
        snprintf(nm, sizeof(nm), "sub/f%02d", i);
        close(openat(dfd, nm, O_CREAT | O_WRONLY, 0644));
    }
    DIR *dp = opendir(P("sub"));
    CHECK_TRUE("opendir", dp != NULL);
    char *names[64];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL && n < 64) {
        names[n++] = strdup(de->d_name);
    }
    closedir(dp);
    qsort(names, n, sizeof(names[0]), cmpstr);
    CHECK("readdir entries incl . and ..", n, 43);
    printf("first entries: %s %s %s %s ... last: %s\n", names[0], names[1], names[2], names[3],
           names[n - 1]);
    for (int i = 0; i < n; i++) {
        if (names[i][0] != '.') {
            char nm[300];
            snprintf(nm, sizeof(nm), "sub/%s", names[i]);
            unlinkat(dfd, nm, 0);
        }
        free(names[i]);
    }
    CHECK("rmdir sub", unlinkat(dfd, "sub", AT_REMOVEDIR), 0);
    close(dfd);

    /* cleanup */
    CHECK("unlink symlink", unlink(P("s.lnk")), 0);
    CHECK("unlink c", unlink(P("c.txt")), 0);
    CHECK("unlink b", unlink(to), 0);
    CHECK("unlink missing -> ENOENT", unlink(to) == -1 && errno == ENOENT, 1);
    CHECK("rmdir temp dir", rmdir(dir), 0);
    CHECK("temp dir gone", stat(dir, &st) == -1 && errno == ENOENT, 1);
    return rvt_done("files");
}
