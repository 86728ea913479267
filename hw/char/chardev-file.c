/*
 * -chardev file,id=ID,path=FILE[,append=on]: guest output into a file,
 * created (mode 0666 & ~umask) and truncated unless append=on.  No input.
 *
 * Writes are plain write(2) calls from the writing thread: a regular file
 * takes them at once.  A write error (disk full, a FIFO whose reader went
 * away) drops the bytes; it never stops the guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "hw/char/chardev.h"

typedef struct ChardevFile {
    Chardev parent;
    int fd;
} ChardevFile;

static void file_write(CharBackend *be, const uint8_t *buf, size_t len)
{
    ChardevFile *f = be->opaque;
    while (len) {
        ssize_t n = write(f->fd, buf, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        buf += n;
        len -= (size_t)n;
    }
}

static void file_close(Chardev *chr)
{
    close(((ChardevFile *)chr)->fd);
}

Chardev *chardev_file_open(ChardevSpec *s, GError **errp)
{
    const char *path = chardev_spec_get(s, "path");
    bool append;
    if (!path || !path[0]) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "-chardev %s: file needs path=FILE", s->spec);
        return NULL;
    }
    if (!chardev_spec_get_bool(s, "append", false, &append, errp)) {
        return NULL;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY | (append ? O_APPEND : O_TRUNC),
                  0666);
    if (fd < 0) {
        int e = errno;
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(e), "-chardev %s: %s: %s",
                    s->spec, path, g_strerror(e));
        return NULL;
    }
    ChardevFile *f = g_new0(ChardevFile, 1);
    f->fd = fd;
    f->parent.be.write = file_write;
    f->parent.be.opaque = f;
    f->parent.close = file_close;
    return &f->parent;
}
