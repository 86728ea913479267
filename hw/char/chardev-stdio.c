/*
 * The stdio character back end (hw/char/chardev-stdio.h).
 *
 * Threads and locks: write() is called by the device under the BQL,
 * usually in a vCPU thread; the output buffer and its drain source are
 * guarded by out_lock, so the main loop drains without the BQL.  The input
 * source's state (in_src, paused, eof, the escape flag) is touched only
 * under the BQL: the input callback takes it (guard pair, so a main loop
 * that already holds it works too) and accept_input is called with it.
 * Attaching a GSource to a context from another thread is thread-safe and
 * wakes that context.
 *
 * The saved terminal state is process-global (saved_*) so that the
 * async-signal-safe restore function can reach it with no pointer chasing.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib-unix.h>

#include "rove/bql.h"
#include "hw/char/chardev-stdio.h"

struct CharStdio {
    CharBackend be;
    CharStdioOptions opts;
    GMainContext *ctx;

    /* Input, under the BQL. */
    GSource *in_src;
    bool paused;
    bool eof;
    bool got_escape;

    /* Output, under out_lock. */
    GMutex out_lock;
    uint8_t *out_buf;         /* ring of out_cap bytes */
    size_t out_cap, out_head, out_len;
    uint64_t out_dropped;
    GSource *out_src;
};

/* ---- Terminal state (process-global, for the restore function) ---- */

static CharStdio *live;               /* the one instance */
static volatile sig_atomic_t saved_valid;
static int saved_tty_fd = -1;         /* -1: not a tty, no termios saved */
static struct termios saved_tios;
static int saved_in_fd = -1, saved_out_fd = -1;
static int saved_in_flags, saved_out_flags;
static bool atexit_done;

void char_stdio_restore_terminal(void)
{
    if (!saved_valid) {
        return;
    }
    if (saved_tty_fd >= 0) {
        tcsetattr(saved_tty_fd, TCSANOW, &saved_tios);
    }
    fcntl(saved_in_fd, F_SETFL, saved_in_flags);
    fcntl(saved_out_fd, F_SETFL, saved_out_flags);
}

static void restore_and_forget(void)
{
    char_stdio_restore_terminal();
    saved_valid = 0;
    saved_tty_fd = -1;
}

static void fatal_signal(int sig)
{
    char_stdio_restore_terminal();
    signal(sig, SIG_DFL);
    raise(sig); /* blocked while we run: delivered on return */
}

void char_stdio_install_signal_handlers(void)
{
    static const int sigs[] = {
        SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE,
    };
    for (size_t i = 0; i < G_N_ELEMENTS(sigs); i++) {
        struct sigaction old, sa;
        if (sigaction(sigs[i], NULL, &old) != 0 || old.sa_handler != SIG_DFL ||
            (old.sa_flags & SA_SIGINFO)) {
            continue;
        }
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = fatal_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
}

static bool save_and_set_terminal(const CharStdioOptions *o, GError **err)
{
    saved_in_fd = o->in_fd;
    saved_out_fd = o->out_fd;
    saved_in_flags = fcntl(o->in_fd, F_GETFL);
    saved_out_flags = fcntl(o->out_fd, F_GETFL);
    if (saved_in_flags < 0 || saved_out_flags < 0) {
        int e = errno;
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "stdio: bad fd: %s",
                    g_strerror(e));
        return false;
    }
    saved_tty_fd = -1;
    if (isatty(o->in_fd) && tcgetattr(o->in_fd, &saved_tios) == 0) {
        saved_tty_fd = o->in_fd;
    }
    saved_valid = 1;
    if (!atexit_done) {
        atexit(char_stdio_restore_terminal);
        atexit_done = true;
    }
    if (saved_tty_fd >= 0) {
        struct termios t = saved_tios;
        t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL |
                                 IXON);
        t.c_oflag &= ~(tcflag_t)OPOST;
        t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | IEXTEN);
        if (o->escapes) {
            t.c_lflag &= ~(tcflag_t)ISIG;
        }
        t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
        t.c_cflag |= CS8;
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        tcsetattr(saved_tty_fd, TCSANOW, &t);
    }
    fcntl(o->in_fd, F_SETFL, saved_in_flags | O_NONBLOCK);
    fcntl(o->out_fd, F_SETFL, fcntl(o->out_fd, F_GETFL) | O_NONBLOCK);
    return true;
}

/* ---- Output ---- */

static gboolean out_ready(gint fd, GIOCondition cond, gpointer opaque);

/* write() that retries EINTR; returns bytes written, 0 if it would block, -1 on error. */
static ssize_t write_some(int fd, const uint8_t *buf, size_t len)
{
    for (;;) {
        ssize_t n = write(fd, buf, len);
        if (n >= 0) {
            return n;
        }
        if (errno == EINTR) {
            continue;
        }
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    }
}

/* Write buffered bytes until the fd stops taking them.  Under out_lock. */
static void out_drain_locked(CharStdio *s)
{
    while (s->out_len) {
        size_t chunk = MIN(s->out_len, s->out_cap - s->out_head);
        ssize_t n = write_some(s->opts.out_fd, s->out_buf + s->out_head, chunk);
        if (n < 0) {
            s->out_dropped += s->out_len; /* the reader is gone */
            s->out_len = 0;
            s->out_head = 0;
            break;
        }
        if (n == 0) {
            break;
        }
        s->out_head = (s->out_head + (size_t)n) % s->out_cap;
        s->out_len -= (size_t)n;
    }
    if (s->out_len == 0) {
        s->out_head = 0;
    }
}

static void out_watch_locked(CharStdio *s)
{
    if (s->out_len && !s->out_src) {
        s->out_src = g_unix_fd_source_new(s->opts.out_fd, G_IO_OUT | G_IO_ERR | G_IO_HUP);
        g_source_set_callback(s->out_src, G_SOURCE_FUNC(out_ready), s, NULL);
        g_source_attach(s->out_src, s->ctx);
    }
}

static gboolean out_ready(gint fd, GIOCondition cond, gpointer opaque)
{
    CharStdio *s = opaque;
    g_mutex_lock(&s->out_lock);
    out_drain_locked(s);
    gboolean keep = s->out_len != 0;
    if (!keep) {
        g_source_unref(s->out_src);
        s->out_src = NULL;
    }
    g_mutex_unlock(&s->out_lock);
    return keep ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void stdio_write(CharBackend *be, const uint8_t *buf, size_t len)
{
    CharStdio *s = be->opaque;
    g_mutex_lock(&s->out_lock);
    if (s->out_len == 0) {
        ssize_t n = write_some(s->opts.out_fd, buf, len);
        if (n < 0) {
            s->out_dropped += len;
            len = 0;
        } else {
            buf += n;
            len -= (size_t)n;
        }
    }
    size_t room = s->out_cap - s->out_len;
    size_t take = MIN(len, room);
    for (size_t i = 0; i < take; i++) {
        s->out_buf[(s->out_head + s->out_len + i) % s->out_cap] = buf[i];
    }
    s->out_len += take;
    s->out_dropped += len - take;
    out_watch_locked(s);
    g_mutex_unlock(&s->out_lock);
}

/* ---- Input ---- */

static gboolean in_ready(gint fd, GIOCondition cond, gpointer opaque);

static void in_watch(CharStdio *s)
{
    s->in_src = g_unix_fd_source_new(s->opts.in_fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(s->in_src, G_SOURCE_FUNC(in_ready), s, NULL);
    g_source_attach(s->in_src, s->ctx);
}

/* Stop reading; called from in_ready, which then returns G_SOURCE_REMOVE. */
static void in_unwatch(CharStdio *s)
{
    g_source_unref(s->in_src);
    s->in_src = NULL;
}

static void print_help(CharStdio *s)
{
    static const char help[] =
        "\r\n"
        "C-a h    print this help\r\n"
        "C-a x    exit emulator\r\n"
        "C-a c    (reserved for the monitor)\r\n"
        "C-a C-a  sends C-a\r\n";
    if (s->opts.err_fd >= 0) {
        ssize_t r = write(s->opts.err_fd, help, sizeof(help) - 1);
        (void)r; /* help text is best effort */
    }
}

/*
 * Run the escape state machine over buf[0..n), writing the bytes meant
 * for the device to out (never more than n).  Returns how many; sets
 * *quit when Ctrl-A x was seen.
 */
static size_t filter_escapes(CharStdio *s, const uint8_t *buf, size_t n, uint8_t *out,
                             bool *quit)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = buf[i];
        if (!s->got_escape) {
            if (c == CHAR_STDIO_ESCAPE) {
                s->got_escape = true;
            } else {
                out[k++] = c;
            }
            continue;
        }
        s->got_escape = false;
        switch (c) {
        case CHAR_STDIO_ESCAPE:
            out[k++] = c;
            break;
        case 'x':
        case 'X':
            *quit = true;
            break;
        case 'h':
        case 'H':
        case '?':
            print_help(s);
            break;
        default: /* 'c' (monitor, later) and unknown keys are swallowed */
            break;
        }
    }
    return k;
}

static gboolean in_ready(gint fd, GIOCondition cond, gpointer opaque)
{
    CharStdio *s = opaque;
    uint8_t buf[256], out[256];
    gboolean ret = G_SOURCE_CONTINUE;
    bool quit = false;
    BqlGuard g = bql_guard_enter();

    size_t room = char_backend_can_receive(&s->be);
    if (room == 0) {
        /* The device is full: leave the bytes in the fd until accept_input. */
        s->paused = true;
        in_unwatch(s);
        bql_guard_exit(g);
        return G_SOURCE_REMOVE;
    }
    ssize_t n = read(s->opts.in_fd, buf, MIN(room, sizeof(buf)));
    if (n > 0) {
        size_t k = (size_t)n;
        if (s->opts.escapes) {
            k = filter_escapes(s, buf, (size_t)n, out, &quit);
        } else {
            memcpy(out, buf, k);
        }
        char_backend_receive(&s->be, out, k);
    } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        /* EOF (or a dead fd): stop for good rather than spin on HUP. */
        s->eof = true;
        in_unwatch(s);
        ret = G_SOURCE_REMOVE;
    }
    bql_guard_exit(g);
    if (quit && s->opts.quit) {
        s->opts.quit(s->opts.quit_opaque);
    }
    return ret;
}

/* The device made room (under the BQL, any thread). */
static void stdio_accept_input(CharBackend *be)
{
    CharStdio *s = be->opaque;
    if (s->paused && !s->eof && !s->in_src) {
        s->paused = false;
        in_watch(s);
    }
}

/* ---- Life cycle ---- */

CharStdio *char_stdio_new(const CharStdioOptions *opts, GError **err)
{
    if (live) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_EXIST, "stdio: already in use");
        return NULL;
    }
    if (!save_and_set_terminal(opts, err)) {
        return NULL;
    }
    struct sigaction old;
    if (sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler == SIG_DFL &&
        !(old.sa_flags & SA_SIGINFO)) {
        signal(SIGPIPE, SIG_IGN);
    }
    CharStdio *s = g_new0(CharStdio, 1);
    s->opts = *opts;
    s->ctx = g_main_context_ref(opts->ctx ? opts->ctx : g_main_context_default());
    s->be.write = stdio_write;
    s->be.accept_input = stdio_accept_input;
    s->be.opaque = s;
    g_mutex_init(&s->out_lock);
    s->out_cap = opts->out_buf_size ? opts->out_buf_size : CHAR_STDIO_DEFAULT_OUT_BUF;
    s->out_buf = g_malloc(s->out_cap);
    in_watch(s);
    live = s;
    return s;
}

void char_stdio_free(CharStdio *s)
{
    if (!s) {
        return;
    }
    if (s->in_src) {
        g_source_destroy(s->in_src);
        g_source_unref(s->in_src);
    }
    g_mutex_lock(&s->out_lock);
    if (s->out_src) {
        g_source_destroy(s->out_src);
        g_source_unref(s->out_src);
        s->out_src = NULL;
    }
    /* Best effort: give a slow reader up to 200 ms to take the rest. */
    for (int tries = 0; s->out_len && tries < 20; tries++) {
        out_drain_locked(s);
        if (s->out_len) {
            struct pollfd p = { .fd = s->opts.out_fd, .events = POLLOUT };
            poll(&p, 1, 10);
        }
    }
    g_mutex_unlock(&s->out_lock);
    restore_and_forget();
    g_mutex_clear(&s->out_lock);
    g_free(s->out_buf);
    g_main_context_unref(s->ctx);
    live = NULL;
    g_free(s);
}

CharBackend *char_stdio_backend(CharStdio *s)
{
    return &s->be;
}

size_t char_stdio_out_pending(CharStdio *s)
{
    g_mutex_lock(&s->out_lock);
    size_t n = s->out_len;
    g_mutex_unlock(&s->out_lock);
    return n;
}

uint64_t char_stdio_out_dropped(CharStdio *s)
{
    g_mutex_lock(&s->out_lock);
    uint64_t n = s->out_dropped;
    g_mutex_unlock(&s->out_lock);
    return n;
}

bool char_stdio_input_paused(CharStdio *s)
{
    return s->paused;
}

bool char_stdio_input_eof(CharStdio *s)
{
    return s->eof;
}
