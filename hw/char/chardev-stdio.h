/*
 * The stdio character back end: the host terminal (or whatever stdin and
 * stdout are) as a serial port, for -nographic and -serial stdio.
 *
 * - Raw mode: when the input fd is a tty it is switched to raw mode (no
 *   echo, no line editing, no CR/NL translation, no output processing; ISIG
 *   off when escapes are on, so Ctrl-C reaches the guest).  The saved state
 *   (termios and the O_NONBLOCK-less file status flags of both fds) is put
 *   back by char_stdio_free, at exit (atexit), and by
 *   char_stdio_restore_terminal(), which is async-signal-safe: the main
 *   program calls it from its own fatal-signal handlers, or lets
 *   char_stdio_install_signal_handlers() do so.
 * - Output (guest -> host) never blocks: both fds are made non-blocking;
 *   what the fd does not take at once goes to a bounded buffer drained
 *   from the main loop; bytes beyond the buffer are dropped and counted.
 * - Input (host -> guest) is read from a GLib source on the given main
 *   context and delivered under the big lock, at most can_receive bytes at
 *   a time.  When the device takes nothing the source is removed (no
 *   polling, the bytes wait in the fd); the device's accept_input brings
 *   it back.  EOF (a pipe closed) removes it for good.
 * - Escapes (opts.escapes): Ctrl-A x quits (opts.quit), Ctrl-A h prints
 *   help to opts.err_fd, Ctrl-A c is reserved for the monitor (ignored),
 *   Ctrl-A Ctrl-A sends one Ctrl-A; Ctrl-A followed by anything else is
 *   swallowed.
 *
 * Only one stdio back end may exist at a time (the terminal state to
 * restore is process-global).  SIGPIPE is set to ignored when it was at
 * its default, so a closed output pipe is an error, not a death.
 */
#ifndef HW_CHAR_CHARDEV_STDIO_H
#define HW_CHAR_CHARDEV_STDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "rove/chardev.h"

#define CHAR_STDIO_ESCAPE 0x01 /* Ctrl-A */
#define CHAR_STDIO_DEFAULT_OUT_BUF 65536

typedef struct CharStdioOptions {
    int in_fd;                 /* usually 0 */
    int out_fd;                /* usually 1 */
    int err_fd;                /* help text; usually 2 */
    GMainContext *ctx;         /* NULL: the default context */
    bool escapes;              /* Ctrl-A handling (-nographic) */
    size_t out_buf_size;       /* 0: CHAR_STDIO_DEFAULT_OUT_BUF */
    void (*quit)(void *opaque); /* Ctrl-A x; may be NULL.  Must not free the back end. */
    void *quit_opaque;
} CharStdioOptions;

typedef struct CharStdio CharStdio;

/* NULL (and *err set) if another one exists or the fds are unusable. */
CharStdio *char_stdio_new(const CharStdioOptions *opts, GError **err);
/* Removes its sources, flushes what it can, restores the terminal. */
void char_stdio_free(CharStdio *s);
/* The back end to hand a device's `chardev` link. */
CharBackend *char_stdio_backend(CharStdio *s);

/* Output state: bytes buffered (not yet written), bytes dropped so far. */
size_t char_stdio_out_pending(CharStdio *s);
uint64_t char_stdio_out_dropped(CharStdio *s);
/* Input state: reading is paused (device full) / input reached EOF. */
bool char_stdio_input_paused(CharStdio *s);
bool char_stdio_input_eof(CharStdio *s);

/* Put the terminal and fd flags back.  Async-signal-safe, idempotent. */
void char_stdio_restore_terminal(void);
/*
 * Restore the terminal on SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGABRT and
 * the synchronous faults (SIGSEGV, SIGBUS, SIGILL, SIGFPE), then die of
 * the signal.  Leaves alone signals that already have a handler.
 */
void char_stdio_install_signal_handlers(void);

#endif /* HW_CHAR_CHARDEV_STDIO_H */
