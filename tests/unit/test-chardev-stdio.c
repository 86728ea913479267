/*
 * Unit tests for the stdio character back end (hw/char/chardev-stdio.c),
 * with pipes and a pty standing in for stdin/stdout and a fake device as
 * the front end: bytes both ways, the Ctrl-A escapes (also split across
 * reads), flow control (reading stops while the device is full and
 * resumes on accept_input, with the rest left in the fd), EOF without
 * busy looping, bounded non-blocking output, raw mode set and restored on
 * a pty (by char_stdio_free, at exit, and on a fatal signal).
 */
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <glib.h>

#include "rove/bql.h"
#include "hw/char/chardev-stdio.h"

/* ---- A fake device: a receive buffer of `cap` bytes ---- */

typedef struct FakeDev {
    uint8_t buf[4096];
    size_t len, cap;
    bool bql_in_receive;
    bool overrun;
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
    if (len > d->cap - d->len) {
        d->overrun = true;
        len = d->cap - d->len;
    }
    memcpy(d->buf + d->len, buf, len);
    d->len += len;
}

static const CharFrontendOps fake_ops = { fake_can_receive, fake_receive };

/* ---- Fixture ---- */

typedef struct T {
    int in_r, in_w;   /* the test writes in_w; the back end reads in_r */
    int out_r, out_w; /* the back end writes out_w; the test reads out_r */
    int err_r, err_w;
    GMainContext *ctx;
    CharStdio *s;
    CharBackend *be;
    FakeDev dev;
    unsigned quits;
} T;

static void on_quit(void *opaque)
{
    T *t = opaque;
    t->quits++;
}

static void start(T *t, size_t dev_cap, size_t out_buf)
{
    GError *err = NULL;
    int e[2];
    g_assert_cmpint(pipe(e), ==, 0);
    t->err_r = e[0];
    t->err_w = e[1];
    fcntl(t->err_r, F_SETFL, O_NONBLOCK);
    t->ctx = g_main_context_new();
    CharStdioOptions o = {
        .in_fd = t->in_r, .out_fd = t->out_w, .err_fd = t->err_w, .ctx = t->ctx,
        .escapes = true, .out_buf_size = out_buf, .quit = on_quit, .quit_opaque = t,
    };
    t->s = char_stdio_new(&o, &err);
    g_assert_no_error(err);
    g_assert_nonnull(t->s);
    t->be = char_stdio_backend(t->s);
    t->dev.cap = dev_cap;
    char_backend_attach(t->be, &fake_ops, &t->dev);
}

static void setup_pipes(T *t, size_t dev_cap, size_t out_buf)
{
    int in[2], out[2];
    memset(t, 0, sizeof(*t));
    g_assert_cmpint(pipe(in), ==, 0);
    g_assert_cmpint(pipe(out), ==, 0);
    t->in_r = in[0];
    t->in_w = in[1];
    t->out_r = out[0];
    t->out_w = out[1];
    start(t, dev_cap, out_buf);
}

/* The pty: the back end gets the slave as stdin and stdout, the test the master. */
static void setup_pty(T *t, size_t dev_cap)
{
    int master, slave;
    memset(t, 0, sizeof(*t));
    g_assert_cmpint(openpty(&master, &slave, NULL, NULL, NULL), ==, 0);
    t->in_r = t->out_w = slave;
    t->in_w = t->out_r = master;
    start(t, dev_cap, 0);
}

static void finish(T *t)
{
    char_stdio_free(t->s);
    g_main_context_unref(t->ctx);
    int fds[] = { t->in_r, t->in_w, t->out_r, t->out_w, t->err_r, t->err_w };
    for (size_t i = 0; i < G_N_ELEMENTS(fds); i++) {
        bool seen = false; /* the pty uses one fd for two roles */
        for (size_t j = 0; j < i; j++) {
            seen = seen || fds[j] == fds[i];
        }
        if (fds[i] >= 0 && !seen) {
            close(fds[i]);
        }
    }
}

/* Dispatch until nothing is ready; returns the number of dispatches. */
static unsigned pump(T *t)
{
    unsigned n = 0;
    while (n < 1000 && g_main_context_iteration(t->ctx, FALSE)) {
        n++;
    }
    return n;
}

/* Pump until the device holds `len` bytes (a pty delivers asynchronously). */
static void pump_until_len(T *t, size_t len)
{
    for (int i = 0; i < 2000 && t->dev.len < len; i++) {
        if (!g_main_context_iteration(t->ctx, FALSE)) {
            g_usleep(1000);
        }
    }
    g_assert_cmpuint(t->dev.len, ==, len);
}

static void put(int fd, const char *s, size_t n)
{
    g_assert_cmpint(write(fd, s, n), ==, (ssize_t)n);
}

/* Read exactly n bytes from a fd, polling for up to 2 s. */
static void get(int fd, char *buf, size_t n)
{
    size_t got = 0;
    for (int i = 0; i < 2000 && got < n; i++) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r > 0) {
            got += (size_t)r;
        } else {
            g_usleep(1000);
        }
    }
    g_assert_cmpuint(got, ==, n);
}

/* ---- Pipes ---- */

static void test_pipe_bytes(void)
{
    T t;
    char buf[16];
    setup_pipes(&t, 64, 0);
    put(t.in_w, "hello", 5);
    pump_until_len(&t, 5);
    g_assert_cmpmem(t.dev.buf, 5, "hello", 5);
    g_assert_true(t.dev.bql_in_receive);
    g_assert_false(bql_locked());
    /* A main loop that runs holding the BQL: kept, not retaken. */
    bql_lock();
    put(t.in_w, "!", 1);
    pump_until_len(&t, 6);
    g_assert_true(bql_locked());
    bql_unlock();

    bql_lock();
    char_backend_write(t.be, (const uint8_t *)"world\n", 6);
    bql_unlock();
    fcntl(t.out_r, F_SETFL, O_NONBLOCK);
    get(t.out_r, buf, 6);
    g_assert_cmpmem(buf, 6, "world\n", 6);
    g_assert_cmpuint(char_stdio_out_pending(t.s), ==, 0);
    /* Not a tty: no termios touched, input not at EOF. */
    g_assert_false(isatty(t.in_r));
    g_assert_false(char_stdio_input_eof(t.s));
    finish(&t);
}

static void test_pipe_escapes(void)
{
    T t;
    char help[512];
    setup_pipes(&t, 64, 0);
    static const char in[] = "a\x01x" "b\x01\x01" "c\x01" "cd\x01h\x01";
    put(t.in_w, in, sizeof(in) - 1);
    pump(&t);
    g_assert_cmpmem(t.dev.buf, t.dev.len, "ab\x01" "cd", 5);
    g_assert_cmpuint(t.quits, ==, 1);
    ssize_t n = read(t.err_r, help, sizeof(help) - 1);
    g_assert_cmpint(n, >, 0);
    help[n] = 0;
    g_assert_nonnull(strstr(help, "C-a x"));
    g_assert_nonnull(strstr(help, "C-a h"));

    /* The trailing Ctrl-A waits for the next read. */
    put(t.in_w, "X", 1);
    pump(&t);
    g_assert_cmpuint(t.quits, ==, 2);
    g_assert_cmpuint(t.dev.len, ==, 5);
    /* An unknown key after Ctrl-A is swallowed with it; plain bytes flow. */
    put(t.in_w, "\x01qz", 3);
    pump(&t);
    g_assert_cmpmem(t.dev.buf, t.dev.len, "ab\x01" "cdz", 6);
    g_assert_cmpuint(t.quits, ==, 2);
    finish(&t);
}

static int fionread(int fd)
{
    int n = -1;
    g_assert_cmpint(ioctl(fd, FIONREAD, &n), ==, 0);
    return n;
}

static void test_pipe_flow_control(void)
{
    T t;
    setup_pipes(&t, 4, 0);
    put(t.in_w, "0123456789", 10);
    pump(&t);
    g_assert_cmpmem(t.dev.buf, t.dev.len, "0123", 4);
    g_assert_false(t.dev.overrun);
    g_assert_true(char_stdio_input_paused(t.s));
    g_assert_cmpint(fionread(t.in_r), ==, 6); /* the rest waits in the pipe */
    /* Paused means no source polls the fd: nothing dispatches. */
    g_assert_false(g_main_context_iteration(t.ctx, FALSE));

    /* The guest reads; the device says so; reading resumes. */
    t.dev.len = 0;
    bql_lock();
    char_backend_accept_input(t.be);
    bql_unlock();
    g_assert_false(char_stdio_input_paused(t.s));
    pump(&t);
    g_assert_cmpmem(t.dev.buf, t.dev.len, "4567", 4);
    g_assert_cmpint(fionread(t.in_r), ==, 2);
    t.dev.len = 0;
    bql_lock();
    char_backend_accept_input(t.be);
    bql_unlock();
    pump(&t);
    g_assert_cmpmem(t.dev.buf, t.dev.len, "89", 2);
    g_assert_false(t.dev.overrun);
    /* accept_input while not paused changes nothing. */
    bql_lock();
    char_backend_accept_input(t.be);
    bql_unlock();
    g_assert_cmpuint(pump(&t), ==, 0);
    finish(&t);
}

static void test_pipe_eof(void)
{
    T t;
    setup_pipes(&t, 64, 0);
    put(t.in_w, "ab", 2);
    close(t.in_w);
    t.in_w = -1;
    g_assert_cmpuint(pump(&t), <, 10);
    g_assert_cmpmem(t.dev.buf, t.dev.len, "ab", 2);
    g_assert_true(char_stdio_input_eof(t.s));
    /* The source is gone: no dispatch spins on the hung-up fd. */
    g_assert_false(g_main_context_iteration(t.ctx, FALSE));
    /* accept_input after EOF does not bring it back. */
    bql_lock();
    char_backend_accept_input(t.be);
    bql_unlock();
    g_assert_false(g_main_context_iteration(t.ctx, FALSE));
    finish(&t);
}

static void test_pipe_output_bounded(void)
{
    T t;
    enum { TOTAL = 65536, CHUNK = 1000, BUF = 8192 };
    static uint8_t data[TOTAL], got[TOTAL];
    setup_pipes(&t, 64, BUF);
    fcntl(t.out_w, F_SETPIPE_SZ, 4096);
    for (size_t i = 0; i < TOTAL; i++) {
        data[i] = (uint8_t)(i % 251);
    }
    /* Nobody reads: the writes must return at once (a hang is a timeout). */
    bql_lock();
    for (size_t off = 0; off < TOTAL; off += CHUNK) {
        char_backend_write(t.be, data + off, MIN((size_t)CHUNK, TOTAL - off));
    }
    bql_unlock();
    size_t in_pipe = (size_t)fionread(t.out_r);
    uint64_t dropped = char_stdio_out_dropped(t.s);
    g_assert_cmpuint(char_stdio_out_pending(t.s), ==, BUF);
    g_assert_cmpuint(dropped, >, 0);
    g_assert_cmpuint(in_pipe + BUF + dropped, ==, TOTAL);

    /* The reader wakes up: the main loop drains the buffer, in order. */
    fcntl(t.out_r, F_SETFL, O_NONBLOCK);
    size_t n = 0;
    for (int i = 0; i < 10000 && n < TOTAL - dropped; i++) {
        ssize_t r = read(t.out_r, got + n, sizeof(got) - n);
        if (r > 0) {
            n += (size_t)r;
        }
        g_main_context_iteration(t.ctx, FALSE);
    }
    g_assert_cmpuint(n, ==, TOTAL - dropped);
    g_assert_cmpmem(got, n, data, n);
    g_assert_cmpuint(char_stdio_out_pending(t.s), ==, 0);
    g_assert_cmpuint(pump(&t), ==, 0); /* the drain source is gone */
    finish(&t);
}

static void test_already_in_use(void)
{
    T t;
    GError *err = NULL;
    setup_pipes(&t, 64, 0);
    CharStdioOptions o = { .in_fd = t.in_r, .out_fd = t.out_w, .err_fd = -1, .ctx = t.ctx };
    g_assert_null(char_stdio_new(&o, &err));
    g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_EXIST);
    g_error_free(err);
    finish(&t);
}

/* ---- A pty ---- */

static bool is_raw(int fd)
{
    struct termios tio;
    g_assert_cmpint(tcgetattr(fd, &tio), ==, 0);
    return !(tio.c_lflag & (ICANON | ECHO | ISIG)) && !(tio.c_oflag & OPOST) &&
           !(tio.c_iflag & ICRNL);
}

static bool is_cooked(int fd)
{
    struct termios tio;
    g_assert_cmpint(tcgetattr(fd, &tio), ==, 0);
    return (tio.c_lflag & ICANON) && (tio.c_lflag & ECHO) && (tio.c_lflag & ISIG) &&
           (tio.c_oflag & OPOST);
}

static void test_pty(void)
{
    T t;
    char buf[8];
    int master, slave;
    g_assert_cmpint(openpty(&master, &slave, NULL, NULL, NULL), ==, 0);
    g_assert_true(is_cooked(slave));
    close(master);
    close(slave);

    setup_pty(&t, 64);
    g_assert_true(is_raw(t.in_r));
    g_assert_true(fcntl(t.in_r, F_GETFL) & O_NONBLOCK);

    /* Input: CR is not turned into NL, no echo, Ctrl-C is a byte. */
    put(t.in_w, "hi\r\x03", 4);
    pump_until_len(&t, 4);
    g_assert_cmpmem(t.dev.buf, 4, "hi\r\x03", 4);
    /* Output: NL is not turned into CR NL. */
    bql_lock();
    char_backend_write(t.be, (const uint8_t *)"ok\n", 3);
    bql_unlock();
    get(t.out_r, buf, 3);
    g_assert_cmpmem(buf, 3, "ok\n", 3);
    fcntl(t.out_r, F_SETFL, O_NONBLOCK);
    g_usleep(20000);
    g_assert_cmpint(read(t.out_r, buf, 1), ==, -1); /* and no echo of the input */
    /* Escapes through the terminal. */
    put(t.in_w, "\x01x", 2);
    for (int i = 0; i < 2000 && !t.quits; i++) {
        if (!g_main_context_iteration(t.ctx, FALSE)) {
            g_usleep(1000);
        }
    }
    g_assert_cmpuint(t.quits, ==, 1);

    int slave_fd = t.in_r, master_fd = t.in_w;
    char_stdio_free(t.s);
    g_assert_true(is_cooked(slave_fd));
    g_assert_false(fcntl(slave_fd, F_GETFL) & O_NONBLOCK);
    g_main_context_unref(t.ctx);
    close(slave_fd);
    close(master_fd);
    close(t.err_r);
    close(t.err_w);
}

/* A child takes the pty and ends by exit() or by a signal: the pty is cooked again. */
static void child_restores(bool by_signal)
{
    int master, slave;
    g_assert_cmpint(openpty(&master, &slave, NULL, NULL, NULL), ==, 0);
    pid_t pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        CharStdioOptions o = { .in_fd = slave, .out_fd = slave, .err_fd = -1, .escapes = true };
        CharStdio *s = char_stdio_new(&o, NULL);
        if (!s || !is_raw(slave)) {
            _exit(3);
        }
        if (by_signal) {
            char_stdio_install_signal_handlers();
            raise(SIGTERM);
            _exit(4); /* not reached */
        }
        exit(0); /* atexit restores */
    }
    int status;
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    if (by_signal) {
        g_assert_true(WIFSIGNALED(status));
        g_assert_cmpint(WTERMSIG(status), ==, SIGTERM);
    } else {
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    }
    g_assert_true(is_cooked(slave));
    g_assert_false(fcntl(slave, F_GETFL) & O_NONBLOCK);
    close(master);
    close(slave);
}

static void test_pty_atexit(void)
{
    child_restores(false);
}

static void test_pty_signal(void)
{
    child_restores(true);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/chardev-stdio/pipe/bytes", test_pipe_bytes);
    g_test_add_func("/chardev-stdio/pipe/escapes", test_pipe_escapes);
    g_test_add_func("/chardev-stdio/pipe/flow-control", test_pipe_flow_control);
    g_test_add_func("/chardev-stdio/pipe/eof", test_pipe_eof);
    g_test_add_func("/chardev-stdio/pipe/output-bounded", test_pipe_output_bounded);
    g_test_add_func("/chardev-stdio/already-in-use", test_already_in_use);
    g_test_add_func("/chardev-stdio/pty/raw-and-restore", test_pty);
    g_test_add_func("/chardev-stdio/pty/restore-at-exit", test_pty_atexit);
    g_test_add_func("/chardev-stdio/pty/restore-on-signal", test_pty_signal);
    return g_test_run();
}
