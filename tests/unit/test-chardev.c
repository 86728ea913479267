/*
 * Unit tests for the -chardev back ends (hw/char/chardev.c, chardev-file.c,
 * chardev-socket.c) with a fake device as the front end and a private
 * GMainContext iterated by the test: spec errors; null; file output
 * (truncate and append); a unix socket server (bytes both ways, the BQL
 * held in receive, back-pressure: a full device leaves the bytes in the
 * socket until accept_input, nothing lost; output dropped while nobody is
 * connected; a second client after the first leaves; wait=on blocking
 * until a client comes; a stale socket file replaced, a regular file
 * not); a TCP client.
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "hw/char/chardev.h"
#include "rove/bql.h"

/* ---- A fake device: a receive buffer of `cap` bytes ---- */

typedef struct FakeDev {
    uint8_t buf[8192];
    size_t len, cap;
    bool bql_in_receive;
} FakeDev;

static size_t fake_can_receive(void *opaque)
{
    FakeDev *d = opaque;
    return d->cap - d->len;
}

static void fake_receive(void *opaque, const uint8_t *buf, size_t len)
{
    FakeDev *d = opaque;
    d->bql_in_receive = bql_locked();
    g_assert_cmpuint(len, <=, d->cap - d->len); /* never overrun */
    memcpy(d->buf + d->len, buf, len);
    d->len += len;
}

static const CharFrontendOps fake_ops = { fake_can_receive, fake_receive };

/* Iterate ctx until *cond is true (a hang guard of 10 s, not a timing check). */
static void spin_until(GMainContext *ctx, bool (*cond)(void *), void *arg)
{
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (!cond(arg)) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_main_context_iteration(ctx, FALSE);
        g_usleep(1000);
    }
}

typedef struct Want {
    FakeDev *dev;
    size_t len;
} Want;

static bool dev_has(void *opaque)
{
    Want *w = opaque;
    return w->dev->len >= w->len;
}

/* Reads exactly len bytes from a blocking fd. */
static void read_exact(int fd, char *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        g_assert_cmpint(n, >, 0);
        got += (size_t)n;
    }
}

static int unix_connect(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    return fd;
}

/* ---- Specs ---- */

static void test_spec_errors(void)
{
    static const struct {
        const char *spec;
        const char *msg;
    } bad[] = {
        { "", "no back end" },
        { "nosuch,id=a", "unknown back end 'nosuch'" },
        { "null", "needs id=" },
        { "null,id=", "needs id=" },
        { "null,id=a,id=b", "given twice" },
        { "null,id=a,=x", "empty option name" },
        { "null,id=a,path=x", "unsupported option 'path'" },
        { "file,id=a", "path=FILE" },
        { "file,id=a,path=/nonexistent-dir/x", "No such file" },
        { "file,id=a,path=x,append=maybe", "expected on or off" },
        { "socket,id=a", "path=UNIXPATH" },
        { "socket,id=a,path=x,port=1", "path=UNIXPATH" },
        { "socket,id=a,port=x1", "expected 0 to 65535" },
        { "socket,id=a,port=65536", "expected 0 to 65535" },
        { "socket,id=a,path=/nonexistent-dir/s,server=on,wait=off", "cannot listen" },
        { "socket,id=a,path=/nonexistent-dir/s", "cannot connect" },
        { "socket,id=a,path=x,wait=off", "wait= is for server=on" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *err = NULL;
        Chardev *chr = chardev_open(bad[i].spec, NULL, &err);
        g_assert_null(chr);
        g_assert_nonnull(err);
        if (!strstr(err->message, bad[i].msg)) {
            g_error("%s: got '%s', expected '%s'", bad[i].spec, err->message, bad[i].msg);
        }
        g_assert_null(strchr(err->message, '\n'));
        g_error_free(err);
    }
    /* A long unix path. */
    char *spec = g_strdup_printf("socket,id=a,server=on,path=/%0200d", 0);
    GError *err = NULL;
    g_assert_null(chardev_open(spec, NULL, &err));
    g_assert_nonnull(strstr(err->message, "longer than"));
    g_error_free(err);
    g_free(spec);
}

static void test_null(void)
{
    GError *err = NULL;
    Chardev *chr = chardev_open("null,id=n0", NULL, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(chr->id, ==, "n0");
    char_backend_write(chardev_backend(chr), (const uint8_t *)"x", 1);
    chardev_close(chr);
}

/* ---- file ---- */

static void test_file(void)
{
    char *dir = g_dir_make_tmp("rove-chardev-XXXXXX", NULL);
    char *path = g_build_filename(dir, "out", NULL);
    g_assert_true(g_file_set_contents(path, "old contents", -1, NULL));
    char *spec = g_strdup_printf("file,id=f,path=%s", path);
    GError *err = NULL;
    Chardev *chr = chardev_open(spec, NULL, &err);
    g_assert_no_error(err);
    char_backend_write(chardev_backend(chr), (const uint8_t *)"abc", 3);
    /* No input: can_receive of a front end is never asked; nothing to read. */
    chardev_close(chr);
    char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "abc"); /* truncated first */
    g_free(text);
    g_free(spec);

    spec = g_strdup_printf("file,id=f,path=%s,append=on", path);
    chr = chardev_open(spec, NULL, &err);
    g_assert_no_error(err);
    char_backend_write(chardev_backend(chr), (const uint8_t *)"def", 3);
    chardev_close(chr);
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "abcdef");
    g_free(text);
    g_free(spec);
    g_unlink(path);
    g_rmdir(dir);
    g_free(path);
    g_free(dir);
}

/* ---- socket ---- */

typedef struct SockFix {
    char *dir, *path;
    GMainContext *ctx;
    Chardev *chr;
    FakeDev dev;
} SockFix;

static void sock_open(SockFix *f, const char *extra)
{
    memset(f, 0, sizeof(*f));
    f->dir = g_dir_make_tmp("rove-chardev-XXXXXX", NULL);
    f->path = g_build_filename(f->dir, "s", NULL);
    f->ctx = g_main_context_new();
    char *spec = g_strdup_printf("socket,id=s0,path=%s,server=on%s", f->path, extra);
    GError *err = NULL;
    f->chr = chardev_open(spec, f->ctx, &err);
    g_assert_no_error(err);
    g_free(spec);
    f->dev.cap = sizeof(f->dev.buf);
    char_backend_attach(chardev_backend(f->chr), &fake_ops, &f->dev);
}

static void sock_close(SockFix *f)
{
    chardev_close(f->chr);
    g_assert_false(g_file_test(f->path, G_FILE_TEST_EXISTS)); /* the socket file is removed */
    g_main_context_unref(f->ctx);
    g_rmdir(f->dir);
    g_free(f->path);
    g_free(f->dir);
}

/* Guest output until the peer sees `text` (the connection may be accepted lazily). */
static void expect_output(SockFix *f, int peer, const char *text)
{
    char buf[64];
    size_t len = strlen(text);
    g_assert_cmpuint(len, <, sizeof(buf));
    char_backend_write(chardev_backend(f->chr), (const uint8_t *)text, len);
    read_exact(peer, buf, len);
    g_assert_cmpint(memcmp(buf, text, len), ==, 0);
}

/* Waits until the server has accepted: send a byte and wait for the device to get it. */
static void sync_connected(SockFix *f, int peer)
{
    size_t before = f->dev.len;
    g_assert_cmpint(write(peer, "!", 1), ==, 1);
    Want w = { &f->dev, before + 1 };
    spin_until(f->ctx, dev_has, &w);
    f->dev.len = before; /* forget the probe byte */
}

static void test_socket_both_ways(void)
{
    SockFix f;
    sock_open(&f, ",wait=off");
    /* Output with nobody connected is dropped. */
    char_backend_write(chardev_backend(f.chr), (const uint8_t *)"lost", 4);
    int peer = unix_connect(f.path);
    sync_connected(&f, peer);
    g_assert_true(f.dev.bql_in_receive);
    expect_output(&f, peer, "to the host\n");
    g_assert_cmpint(write(peer, "to the guest", 12), ==, 12);
    Want w = { &f.dev, 12 };
    spin_until(f.ctx, dev_has, &w);
    g_assert_cmpint(memcmp(f.dev.buf, "to the guest", 12), ==, 0);
    g_assert_false(bql_locked());
    close(peer);
    sock_close(&f);
}

static void test_socket_backpressure(void)
{
    SockFix f;
    sock_open(&f, ",wait=off");
    int peer = unix_connect(f.path);
    sync_connected(&f, peer);
    /* A device with room for 4 bytes: 10 sent, 4 taken, 6 stay in the socket. */
    f.dev.cap = 4;
    g_assert_cmpint(write(peer, "0123456789", 10), ==, 10);
    Want w = { &f.dev, 4 };
    spin_until(f.ctx, dev_has, &w);
    for (int i = 0; i < 50; i++) {
        g_main_context_iteration(f.ctx, FALSE); /* nothing more is read, no busy loop */
    }
    g_assert_cmpuint(f.dev.len, ==, 4);
    g_assert_false(g_main_context_pending(f.ctx));
    /* The guest read its buffer: room for 8 more, the back end is told. */
    f.dev.cap = 12;
    char_backend_accept_input(chardev_backend(f.chr));
    w.len = 10;
    spin_until(f.ctx, dev_has, &w);
    g_assert_cmpint(memcmp(f.dev.buf, "0123456789", 10), ==, 0);
    close(peer);
    sock_close(&f);
}

static void test_socket_reconnect(void)
{
    SockFix f;
    sock_open(&f, ",wait=off");
    int a = unix_connect(f.path);
    sync_connected(&f, a);
    expect_output(&f, a, "first");
    /* A second client waits in the backlog while the first is connected. */
    int b = unix_connect(f.path);
    close(a);
    /* The first one's end is seen, then the second is taken. */
    sync_connected(&f, b);
    expect_output(&f, b, "second");
    g_assert_cmpint(write(b, "in", 2), ==, 2);
    Want w = { &f.dev, 2 };
    spin_until(f.ctx, dev_has, &w);
    g_assert_cmpint(memcmp(f.dev.buf, "in", 2), ==, 0);
    close(b);
    sock_close(&f);
}

static void test_socket_stale_file(void)
{
    char *dir = g_dir_make_tmp("rove-chardev-XXXXXX", NULL);
    char *path = g_build_filename(dir, "s", NULL);
    char *spec = g_strdup_printf("socket,id=s,path=%s,server=on,wait=off", path);
    GError *err = NULL;
    /* A regular file in the way is not removed: an error. */
    g_assert_true(g_file_set_contents(path, "keep", -1, NULL));
    g_assert_null(chardev_open(spec, NULL, &err));
    g_assert_nonnull(strstr(err->message, "cannot listen"));
    g_clear_error(&err);
    g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
    g_unlink(path);
    /* A socket file left by a dead server is replaced. */
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    close(fd);
    Chardev *chr = chardev_open(spec, NULL, &err);
    g_assert_no_error(err);
    chardev_close(chr);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    g_rmdir(dir);
    g_free(spec);
    g_free(path);
    g_free(dir);
}

static gpointer connect_later(gpointer path)
{
    /* Retry until the server listens (no sleep-based ordering). */
    for (;;) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
            return GINT_TO_POINTER(fd);
        }
        close(fd);
        g_usleep(1000);
    }
}

static void test_socket_wait_on(void)
{
    char *dir = g_dir_make_tmp("rove-chardev-XXXXXX", NULL);
    char *path = g_build_filename(dir, "s", NULL);
    GThread *t = g_thread_new("client", connect_later, path);
    char *spec = g_strdup_printf("socket,id=w,path=%s,server=on", path); /* wait=on by default */
    GMainContext *ctx = g_main_context_new();
    GError *err = NULL;
    Chardev *chr = chardev_open(spec, ctx, &err); /* returns once the client is in */
    g_assert_no_error(err);
    int peer = GPOINTER_TO_INT(g_thread_join(t));
    /* Connected at once: output reaches the client without any main-loop iteration. */
    char_backend_write(chardev_backend(chr), (const uint8_t *)"hi", 2);
    char buf[2];
    read_exact(peer, buf, 2);
    g_assert_cmpint(memcmp(buf, "hi", 2), ==, 0);
    close(peer);
    chardev_close(chr);
    g_main_context_unref(ctx);
    g_rmdir(dir);
    g_free(spec);
    g_free(path);
    g_free(dir);
}

static void test_tcp_client(void)
{
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    g_assert_cmpint(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    g_assert_cmpint(listen(lfd, 1), ==, 0);
    socklen_t sl = sizeof(sa);
    g_assert_cmpint(getsockname(lfd, (struct sockaddr *)&sa, &sl), ==, 0);
    char *spec = g_strdup_printf("socket,id=t,host=127.0.0.1,port=%u,nodelay=on",
                                 ntohs(sa.sin_port));
    GMainContext *ctx = g_main_context_new();
    GError *err = NULL;
    Chardev *chr = chardev_open(spec, ctx, &err);
    g_assert_no_error(err);
    int peer = accept(lfd, NULL, NULL);
    g_assert_cmpint(peer, >=, 0);
    FakeDev dev = { .cap = sizeof(dev.buf) };
    char_backend_attach(chardev_backend(chr), &fake_ops, &dev);
    char_backend_write(chardev_backend(chr), (const uint8_t *)"tcp", 3);
    char buf[3];
    read_exact(peer, buf, 3);
    g_assert_cmpint(memcmp(buf, "tcp", 3), ==, 0);
    g_assert_cmpint(write(peer, "back", 4), ==, 4);
    Want w = { &dev, 4 };
    spin_until(ctx, dev_has, &w);
    g_assert_cmpint(memcmp(dev.buf, "back", 4), ==, 0);
    /* The server goes away: the client stays disconnected; output is dropped, no crash. */
    close(peer);
    close(lfd);
    for (int i = 0; i < 20; i++) {
        g_main_context_iteration(ctx, FALSE);
    }
    char_backend_write(chardev_backend(chr), (const uint8_t *)"gone", 4);
    chardev_close(chr);
    g_main_context_unref(ctx);
    g_free(spec);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/chardev/spec-errors", test_spec_errors);
    g_test_add_func("/chardev/null", test_null);
    g_test_add_func("/chardev/file", test_file);
    g_test_add_func("/chardev/socket/both-ways", test_socket_both_ways);
    g_test_add_func("/chardev/socket/backpressure", test_socket_backpressure);
    g_test_add_func("/chardev/socket/reconnect", test_socket_reconnect);
    g_test_add_func("/chardev/socket/wait-on", test_socket_wait_on);
    g_test_add_func("/chardev/socket/stale-file", test_socket_stale_file);
    g_test_add_func("/chardev/socket/tcp-client", test_tcp_client);
    return g_test_run();
}
