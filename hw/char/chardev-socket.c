/*
 * -chardev socket: a unix (path=P) or TCP (host=H,port=N) stream socket
 * carrying bytes both ways.
 *
 *   server=on   listen; one client at a time (others wait in the backlog
 *               and are taken when it leaves).  wait=on (QEMU's default)
 *               blocks start-up until the first client connects; wait=off
 *               starts at once.  A stale unix socket file at P is replaced.
 *   server=off  connect once at start-up (the default, as QEMU); after the
 *               peer leaves the back end stays disconnected.
 *
 * - Output (guest -> host) never blocks: sent at once when the socket
 *   takes it, the rest kept in a bounded ring (CHARDEV_SOCKET_OUT_BUF)
 *   drained from the main loop; bytes that do not fit, and everything
 *   written while no client is connected or after a send error, are
 *   dropped (as QEMU drops output of a disconnected socket).
 * - Input is read from the main loop, at most what the front end's
 *   can_receive allows.  At 0 the read source is removed and bytes stay in
 *   the socket (the peer's writes block: back-pressure) until the front
 *   end calls accept_input.  End of input (the peer closed) disconnects.
 *
 * Locking: everything here runs under the big lock.  write and
 * accept_input are called by the device with it held (often in a vCPU
 * thread); the main-loop callbacks take it (guard pair).  A callback whose
 * source was replaced or removed meanwhile (g_main_current_source differs)
 * does nothing.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>

#include "hw/char/chardev.h"
#include "rove/bql.h"

#define CHARDEV_SOCKET_OUT_BUF 65536
#define CHARDEV_SOCKET_READ_CHUNK 4096

typedef struct ChardevSocket {
    Chardev parent;
    GMainContext *ctx;
    char *where;            /* "unix:P" or "tcp:H:N", for messages */
    char *unix_path;        /* the server's socket file, removed at close */
    bool nodelay;

    int listen_fd;          /* -1: a client */
    GSource *listen_src;    /* attached while listening for a client */
    int conn_fd;            /* -1: nobody connected */
    GSource *in_src;        /* NULL while paused or not connected */
    bool in_paused;         /* the front end was full */
    bool out_failed;        /* a send failed: drop until the next client */

    uint8_t *out_buf;       /* ring of CHARDEV_SOCKET_OUT_BUF bytes */
    size_t out_head, out_len;
    GSource *out_src;       /* attached while out_len != 0 */
    uint64_t out_dropped;
} ChardevSocket;

static gboolean listen_ready(gint fd, GIOCondition cond, gpointer opaque);
static gboolean in_ready(gint fd, GIOCondition cond, gpointer opaque);
static gboolean out_ready(gint fd, GIOCondition cond, gpointer opaque);

static GSource *watch(ChardevSocket *s, int fd, GIOCondition cond, GUnixFDSourceFunc fn)
{
    GSource *src = g_unix_fd_source_new(fd, cond);
    g_source_set_callback(src, G_SOURCE_FUNC(fn), s, NULL);
    g_source_attach(src, s->ctx);
    return src;
}

/* Removes a source (also the one being dispatched: GLib allows it). */
static void unwatch(GSource **src)
{
    if (*src) {
        g_source_destroy(*src);
        g_source_unref(*src);
        *src = NULL;
    }
}

/* Whether the running callback belongs to the source still in *src. */
static bool current(GSource *src)
{
    return src && g_main_current_source() == src;
}

/* ---- Connection ---- */

static void set_nodelay(ChardevSocket *s, int fd)
{
    int one = 1;
    if (s->nodelay) {
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* fails on unix: fine */
    }
}

static void connected(ChardevSocket *s, int fd)
{
    s->conn_fd = fd;
    s->out_failed = false;
    s->in_paused = false;
    set_nodelay(s, fd);
    s->in_src = watch(s, fd, G_IO_IN | G_IO_HUP | G_IO_ERR, in_ready);
}

static void disconnect(ChardevSocket *s)
{
    unwatch(&s->in_src);
    unwatch(&s->out_src);
    if (s->conn_fd >= 0) {
        close(s->conn_fd);
        s->conn_fd = -1;
    }
    s->out_dropped += s->out_len;
    s->out_len = 0;
    s->out_head = 0;
    s->in_paused = false;
    if (s->listen_fd >= 0 && !s->listen_src) {
        s->listen_src = watch(s, s->listen_fd, G_IO_IN, listen_ready);
    }
}

static gboolean listen_ready(gint fd, GIOCondition cond, gpointer opaque)
{
    ChardevSocket *s = opaque;
    BqlGuard g = bql_guard_enter();
    if (current(s->listen_src) && s->conn_fd < 0) {
        int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c >= 0) {
            unwatch(&s->listen_src); /* one client at a time */
            connected(s, c);
        }
    }
    bql_guard_exit(g);
    return G_SOURCE_CONTINUE; /* unwatch removed it if it is done */
}

/* ---- Input ---- */

static gboolean in_ready(gint fd, GIOCondition cond, gpointer opaque)
{
    ChardevSocket *s = opaque;
    uint8_t buf[CHARDEV_SOCKET_READ_CHUNK];
    BqlGuard g = bql_guard_enter();
    if (!current(s->in_src)) {
        bql_guard_exit(g);
        return G_SOURCE_REMOVE;
    }
    size_t room = char_backend_can_receive(&s->parent.be);
    if (room == 0) {
        /* The front end is full: the bytes wait in the socket until accept_input. */
        s->in_paused = true;
        unwatch(&s->in_src);
    } else {
        ssize_t n = recv(fd, buf, MIN(room, sizeof(buf)), MSG_DONTWAIT);
        if (n > 0) {
            char_backend_receive(&s->parent.be, buf, (size_t)n);
        } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            disconnect(s); /* the peer closed, or the connection failed */
        }
    }
    bql_guard_exit(g);
    return G_SOURCE_CONTINUE;
}

static void socket_accept_input(CharBackend *be)
{
    ChardevSocket *s = be->opaque;
    if (s->in_paused && s->conn_fd >= 0 && !s->in_src) {
        s->in_paused = false;
        s->in_src = watch(s, s->conn_fd, G_IO_IN | G_IO_HUP | G_IO_ERR, in_ready);
    }
}

/* ---- Output ---- */

/* send() without blocking or SIGPIPE: bytes sent, 0 if it would block, -1 on error. */
static ssize_t send_some(int fd, const uint8_t *buf, size_t len)
{
    for (;;) {
        ssize_t n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n >= 0) {
            return n;
        }
        if (errno == EINTR) {
            continue;
        }
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    }
}

static void out_fail(ChardevSocket *s)
{
    /* The peer is going away; the read side will see it and disconnect. */
    s->out_failed = true;
    s->out_dropped += s->out_len;
    s->out_len = 0;
    s->out_head = 0;
}

static void out_drain(ChardevSocket *s)
{
    while (s->out_len && !s->out_failed) {
        size_t chunk = MIN(s->out_len, CHARDEV_SOCKET_OUT_BUF - s->out_head);
        ssize_t n = send_some(s->conn_fd, s->out_buf + s->out_head, chunk);
        if (n < 0) {
            out_fail(s);
        } else if (n == 0) {
            break;
        } else {
            s->out_head = (s->out_head + (size_t)n) % CHARDEV_SOCKET_OUT_BUF;
            s->out_len -= (size_t)n;
        }
    }
    if (s->out_len == 0) {
        s->out_head = 0;
    }
}

static gboolean out_ready(gint fd, GIOCondition cond, gpointer opaque)
{
    ChardevSocket *s = opaque;
    BqlGuard g = bql_guard_enter();
    if (current(s->out_src)) {
        out_drain(s);
        if (s->out_len == 0) {
            unwatch(&s->out_src);
        }
    }
    bql_guard_exit(g);
    return G_SOURCE_CONTINUE;
}

static void socket_write(CharBackend *be, const uint8_t *buf, size_t len)
{
    ChardevSocket *s = be->opaque;
    if (s->conn_fd < 0 || s->out_failed) {
        s->out_dropped += len;
        return;
    }
    if (s->out_len == 0) {
        ssize_t n = send_some(s->conn_fd, buf, len);
        if (n < 0) {
            out_fail(s);
            s->out_dropped += len;
            return;
        }
        buf += n;
        len -= (size_t)n;
    }
    size_t take = MIN(len, CHARDEV_SOCKET_OUT_BUF - s->out_len);
    for (size_t i = 0; i < take; i++) {
        s->out_buf[(s->out_head + s->out_len + i) % CHARDEV_SOCKET_OUT_BUF] = buf[i];
    }
    s->out_len += take;
    s->out_dropped += len - take;
    if (s->out_len && !s->out_src) {
        s->out_src = watch(s, s->conn_fd, G_IO_OUT | G_IO_ERR | G_IO_HUP, out_ready);
    }
}

/* ---- Opening ---- */

static bool fail_errno(ChardevSocket *s, ChardevSpec *spec, const char *what, GError **errp)
{
    int e = errno;
    g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(e), "-chardev %s: %s %s: %s",
                spec->spec, what, s->where, g_strerror(e));
    return false;
}

static bool open_unix(ChardevSocket *s, ChardevSpec *spec, const char *path, bool server,
                      GError **errp)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof(sa.sun_path)) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "-chardev %s: path is longer than %zu bytes", spec->spec,
                    sizeof(sa.sun_path) - 1);
        return false;
    }
    strcpy(sa.sun_path, path);
    s->where = g_strdup_printf("unix:%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return fail_errno(s, spec, "socket", errp);
    }
    if (!server) {
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
            close(fd);
            return fail_errno(s, spec, "cannot connect to", errp);
        }
        s->conn_fd = fd;
        return true;
    }
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
        unlink(path); /* a socket file left behind by an earlier run */
    }
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 1) != 0) {
        close(fd);
        return fail_errno(s, spec, "cannot listen on", errp);
    }
    s->unix_path = g_strdup(path);
    s->listen_fd = fd;
    return true;
}

static bool open_tcp(ChardevSocket *s, ChardevSpec *spec, const char *host, const char *port,
                     bool server, GError **errp)
{
    char *end;
    guint64 p = g_ascii_strtoull(port, &end, 10);
    if (!g_ascii_isdigit(port[0]) || *end || p > 65535) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "-chardev %s: port=%s: expected 0 to 65535", spec->spec, port);
        return false;
    }
    if (!host || !host[0]) {
        host = server ? NULL : "localhost"; /* a server listens on every address */
    }
    s->where = g_strdup_printf("tcp:%s:%s", host ? host : "", port);
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = AI_NUMERICSERV | (server ? AI_PASSIVE : 0),
    };
    struct addrinfo *res;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "-chardev %s: %s: %s",
                    spec->spec, s->where, gai_strerror(rc));
        return false;
    }
    int fd = -1;
    errno = EADDRNOTAVAIL;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            continue;
        }
        int one = 1;
        bool ok = server ? setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0 &&
                               bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0
                         : connect(fd, ai->ai_addr, ai->ai_addrlen) == 0;
        if (!ok) {
            int e = errno;
            close(fd);
            fd = -1;
            errno = e;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        return fail_errno(s, spec, server ? "cannot listen on" : "cannot connect to", errp);
    }
    if (server) {
        s->listen_fd = fd;
    } else {
        s->conn_fd = fd;
    }
    return true;
}

static void socket_close(Chardev *chr)
{
    ChardevSocket *s = (ChardevSocket *)chr;
    BqlGuard g = bql_guard_enter();
    int listen_fd = s->listen_fd;
    s->listen_fd = -1; /* so that disconnect does not listen again */
    disconnect(s);
    unwatch(&s->listen_src);
    bql_guard_exit(g);
    if (listen_fd >= 0) {
        close(listen_fd);
    }
    if (s->unix_path) {
        unlink(s->unix_path);
    }
    g_free(s->unix_path);
    g_free(s->where);
    g_free(s->out_buf);
    g_main_context_unref(s->ctx);
}

Chardev *chardev_socket_open(ChardevSpec *spec, GError **errp)
{
    const char *path = chardev_spec_get(spec, "path");
    const char *host = chardev_spec_get(spec, "host");
    const char *port = chardev_spec_get(spec, "port");
    bool server, wait, nodelay;
    if (!chardev_spec_get_bool(spec, "server", false, &server, errp) ||
        !chardev_spec_get_bool(spec, "wait", true, &wait, errp) ||
        !chardev_spec_get_bool(spec, "nodelay", false, &nodelay, errp)) {
        return NULL;
    }
    if (!path == !port || (path && host)) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "-chardev %s: socket needs path=UNIXPATH or [host=HOST,]port=PORT", spec->spec);
        return NULL;
    }
    if (!server && chardev_spec_get(spec, "wait")) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "-chardev %s: wait= is for server=on (a client connects at start-up)",
                    spec->spec);
        return NULL;
    }

    ChardevSocket *s = g_new0(ChardevSocket, 1);
    s->listen_fd = -1;
    s->conn_fd = -1;
    s->nodelay = nodelay;
    s->ctx = g_main_context_ref(spec->ctx ? spec->ctx : g_main_context_default());
    s->out_buf = g_malloc(CHARDEV_SOCKET_OUT_BUF);
    s->parent.be.write = socket_write;
    s->parent.be.accept_input = socket_accept_input;
    s->parent.be.opaque = s;
    s->parent.close = socket_close;

    bool ok = path ? open_unix(s, spec, path, server, errp)
                   : open_tcp(s, spec, host, port, server, errp);
    if (ok && server && wait) {
        g_printerr("chardev %s: waiting for a connection on %s\n", spec->id, s->where);
        int c;
        do {
            c = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        } while (c < 0 && errno == EINTR);
        if (c < 0) {
            ok = fail_errno(s, spec, "accept on", errp);
        } else {
            s->conn_fd = c;
        }
    }
    if (!ok) {
        socket_close(&s->parent);
        g_free(s);
        return NULL;
    }
    if (s->conn_fd >= 0) {
        int fd = s->conn_fd;
        g_unix_set_fd_nonblocking(fd, TRUE, NULL);
        connected(s, fd);
    } else {
        s->listen_src = watch(s, s->listen_fd, G_IO_IN, listen_ready);
    }
    return &s->parent;
}
