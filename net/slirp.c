/*
 * -netdev user: libslirp (>= 4.7, SlirpConfig version 4) as a net back
 * end, run by the GLib main loop.
 *
 * Threading: libslirp is not thread-safe, so every call into it is made
 * with the big lock held, wherever it comes from:
 *   - frames from the guest: the card calls net_client_send from a vCPU's
 *     queue kick, which already holds the lock, and slirp_input runs there;
 *   - the main loop: a GSource whose prepare (slirp_pollfds_fill) and
 *     dispatch (slirp_pollfds_poll) take the lock, and timer callbacks;
 * and slirp's own callbacks (send_packet to the card, timer_mod, notify)
 * therefore run under it too.  A socket slirp opens from a vCPU is polled
 * from the next main-loop iteration: slirp calls notify, which wakes the
 * main context.  Time is the host's monotonic clock: slirp's timeouts
 * are about host sockets, not guest time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <slirp/libslirp.h>

#include "net/netdev.h"
#include "rove/bql.h"

typedef struct SlirpSource SlirpSource;

typedef struct NetSlirp {
    NetClient nc;
    Slirp *slirp;
    GMainContext *ctx;
    SlirpSource *source;
} NetSlirp;

/* ---- Main-loop integration: slirp's sockets as one GSource ---- */

struct SlirpSource {
    GSource base;
    NetSlirp *ns;
    GArray *fds;                /* GPollFD registered with the source: slirp's indices */
    GArray *next;               /* GPollFD being filled by slirp_pollfds_fill */
    gint64 deadline;            /* g_get_monotonic_time() when slirp's timeout ends; -1: none */
};

static int add_poll(int fd, int events, void *opaque)
{
    SlirpSource *ss = opaque;
    GPollFD pfd = { .fd = fd, .events = 0 };
    pfd.events |= events & SLIRP_POLL_IN ? G_IO_IN : 0;
    pfd.events |= events & SLIRP_POLL_OUT ? G_IO_OUT : 0;
    pfd.events |= events & SLIRP_POLL_PRI ? G_IO_PRI : 0;
    pfd.events |= events & SLIRP_POLL_ERR ? G_IO_ERR : 0;
    pfd.events |= events & SLIRP_POLL_HUP ? G_IO_HUP : 0;
    g_array_append_val(ss->next, pfd);
    return (int)ss->next->len - 1;
}

static int get_revents(int idx, void *opaque)
{
    SlirpSource *ss = opaque;
    if (idx < 0 || (guint)idx >= ss->fds->len) {
        return 0;
    }
    int r = g_array_index(ss->fds, GPollFD, idx).revents;
    return (r & G_IO_IN ? SLIRP_POLL_IN : 0) | (r & G_IO_OUT ? SLIRP_POLL_OUT : 0) |
           (r & G_IO_PRI ? SLIRP_POLL_PRI : 0) | (r & G_IO_ERR ? SLIRP_POLL_ERR : 0) |
           (r & G_IO_HUP ? SLIRP_POLL_HUP : 0);
}

static bool same_fds(GArray *a, GArray *b)
{
    if (a->len != b->len) {
        return false;
    }
    for (guint i = 0; i < a->len; i++) {
        GPollFD *x = &g_array_index(a, GPollFD, i), *y = &g_array_index(b, GPollFD, i);
        if (x->fd != y->fd || x->events != y->events) {
            return false;
        }
    }
    return true;
}

/*
 * The set of sockets may change between iterations, so prepare asks slirp
 * for it afresh (GLib allows changing polls in prepare: the poll array is
 * built after).  Only a set that changed is registered again: adding a
 * poll wakes the context, and doing that every iteration would spin.
 * g_source_add_poll keeps pointers into the array, so it is complete first.
 */
static gboolean slirp_source_prepare(GSource *src, gint *timeout)
{
    SlirpSource *ss = (SlirpSource *)src;
    uint32_t t = UINT32_MAX;
    g_array_set_size(ss->next, 0);
    BqlGuard g = bql_guard_enter();
    slirp_pollfds_fill(ss->ns->slirp, &t, add_poll, ss);
    bql_guard_exit(g);
    if (!same_fds(ss->fds, ss->next)) {
        for (guint i = 0; i < ss->fds->len; i++) {
            g_source_remove_poll(src, &g_array_index(ss->fds, GPollFD, i));
        }
        GArray *old = ss->fds;
        ss->fds = ss->next;
        ss->next = old;
        for (guint i = 0; i < ss->fds->len; i++) {
            g_source_add_poll(src, &g_array_index(ss->fds, GPollFD, i));
        }
    }
    *timeout = t > INT_MAX ? -1 : (gint)t;
    ss->deadline = t > INT_MAX ? -1 : g_get_monotonic_time() + (gint64)t * 1000;
    return FALSE;
}

/* Dispatch for socket events, and when slirp's timeout (its TCP timers) is up. */
static gboolean slirp_source_check(GSource *src)
{
    SlirpSource *ss = (SlirpSource *)src;
    for (guint i = 0; i < ss->fds->len; i++) {
        if (g_array_index(ss->fds, GPollFD, i).revents) {
            return TRUE;
        }
    }
    return ss->deadline >= 0 && g_get_monotonic_time() >= ss->deadline;
}

static gboolean slirp_source_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
    SlirpSource *ss = (SlirpSource *)src;
    BqlGuard g = bql_guard_enter();
    slirp_pollfds_poll(ss->ns->slirp, 0, get_revents, ss);
    bql_guard_exit(g);
    return G_SOURCE_CONTINUE;
}

static void slirp_source_finalize(GSource *src)
{
    SlirpSource *ss = (SlirpSource *)src;
    g_array_free(ss->fds, TRUE);
    g_array_free(ss->next, TRUE);
}

static GSourceFuncs slirp_source_funcs = {
    .prepare = slirp_source_prepare,
    .check = slirp_source_check,
    .dispatch = slirp_source_dispatch,
    .finalize = slirp_source_finalize,
};

/* ---- Slirp's callbacks (all called under the big lock) ---- */

typedef struct NetSlirpTimer {
    NetSlirp *ns;
    SlirpTimerId id;
    void *cb_opaque;
    GSource *src;               /* armed: a one-shot timeout source; else NULL */
} NetSlirpTimer;

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
    NetSlirp *ns = opaque;
    net_client_send(&ns->nc, buf, len); /* dropped when no card is joined */
    return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
    /* A guest's malformed packet: slirp dropped it; nothing to do. */
}

static int64_t cb_clock_get_ns(void *opaque)
{
    return g_get_monotonic_time() * 1000;
}

static void timer_disarm(NetSlirpTimer *t)
{
    if (t->src) {
        g_source_destroy(t->src);
        g_source_unref(t->src);
        t->src = NULL;
    }
}

static gboolean timer_fire(gpointer data)
{
    BqlGuard g = bql_guard_enter();
    /* Re-armed or freed while we waited for the lock: `data` may be gone. */
    if (!g_source_is_destroyed(g_main_current_source())) {
        NetSlirpTimer *t = data;
        g_source_unref(t->src);
        t->src = NULL;
        slirp_handle_timer(t->ns->slirp, t->id, t->cb_opaque);
    }
    bql_guard_exit(g);
    return G_SOURCE_REMOVE;
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
    NetSlirpTimer *t = g_new0(NetSlirpTimer, 1);
    t->ns = opaque;
    t->id = id;
    t->cb_opaque = cb_opaque;
    return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
    timer_disarm(timer);
    g_free(timer);
}

/* expire_ms is on cb_clock_get_ns's clock, in milliseconds. */
static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    NetSlirpTimer *t = timer;
    timer_disarm(t);
    int64_t delay = expire_ms - g_get_monotonic_time() / 1000;
    t->src = g_timeout_source_new((guint)CLAMP(delay, 0, (int64_t)G_MAXUINT));
    g_source_set_callback(t->src, timer_fire, t, NULL);
    g_source_attach(t->src, t->ns->ctx);
}

static void cb_register_poll_fd(int fd, void *opaque)
{
    /* Sockets are polled through slirp_pollfds_fill. */
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
}

static void cb_notify(void *opaque)
{
    NetSlirp *ns = opaque;
    g_main_context_wakeup(ns->ctx);
}

static const SlirpCb slirp_callbacks = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_unregister_poll_fd,
    .notify = cb_notify,
    .timer_new_opaque = cb_timer_new_opaque,
};

/* ---- The net client ---- */

/* A frame from the card (a vCPU, under the big lock). */
static void slirp_receive(NetClient *nc, const uint8_t *buf, size_t len)
{
    NetSlirp *ns = nc->opaque;
    slirp_input(ns->slirp, buf, (int)len); /* len <= NET_MAX_FRAME (net.h) */
}

static void slirp_cleanup_client(NetClient *nc)
{
    NetSlirp *ns = nc->opaque;
    BqlGuard g = bql_guard_enter();
    if (ns->source) {
        g_source_destroy(&ns->source->base);
        g_source_unref(&ns->source->base);
    }
    if (ns->slirp) {
        slirp_cleanup(ns->slirp); /* frees its timers */
    }
    bql_guard_exit(g);
    g_main_context_unref(ns->ctx);
    g_free(ns);
}

static const NetClientOps slirp_client_ops = {
    .kind = "user",
    .receive = slirp_receive,
    .cleanup = slirp_cleanup_client,
};

/* ---- Options ---- */

typedef struct SlirpOptions {
    struct in_addr net, mask, host, dns, dhcp;
    bool host_set, dns_set, dhcp_set;
    bool restricted;
    const char *hostname;
    GPtrArray *hostfwd;         /* const char * rules, in order */
} SlirpOptions;

static bool parse_addr(const char *text, struct in_addr *a)
{
    return inet_pton(AF_INET, text, a) == 1;
}

/* "10.0.2.0/24", "10.0.2.0/255.255.255.0", or "10.0.2.0" (/24). */
static bool parse_net(const char *text, SlirpOptions *o)
{
    char *addr = g_strdup(text);
    char *slash = strchr(addr, '/');
    bool ok = true;
    uint32_t mask = 0xffffff00u;
    if (slash) {
        *slash++ = 0;
        struct in_addr m;
        char *end;
        if (g_ascii_isdigit(*slash) && !strchr(slash, '.')) {
            guint64 bits = g_ascii_strtoull(slash, &end, 10);
            ok = !*end && bits >= 1 && bits <= 30;  /* room for host, dns and dhcp */
            mask = ok ? ~0u << (32 - bits) : 0;
        } else if (parse_addr(slash, &m)) {
            mask = ntohl(m.s_addr);
            ok = mask && ((~mask + 1) & ~mask) == 0; /* contiguous ones */
        } else {
            ok = false;
        }
    }
    ok = ok && parse_addr(addr, &o->net);
    o->mask.s_addr = htonl(mask);
    o->net.s_addr &= o->mask.s_addr;
    g_free(addr);
    return ok;
}

static bool parse_onoff(const char *text, bool *v)
{
    static const struct {
        const char *text;
        bool v;
    } words[] = { { "on", true }, { "yes", true }, { "off", false }, { "no", false } };
    for (size_t i = 0; i < G_N_ELEMENTS(words); i++) {
        if (strcmp(text, words[i].text) == 0) {
            *v = words[i].v;
            return true;
        }
    }
    return false;
}

/* The OPTION=VALUE items of -netdev user (id already taken out). */
static bool parse_opts(char **opts, SlirpOptions *o, GError **errp)
{
    for (char **p = opts; *p; p++) {
        char *eq = strchr(*p, '=');
        if (!eq) {
            g_set_error(errp, NET_ERROR, 0, "'%s' is not OPTION=VALUE", *p);
            return false;
        }
        const char *key = *p, *val = eq + 1;
        size_t klen = (size_t)(eq - key);
#define KEY(k) (klen == strlen(k) && strncmp(key, k, klen) == 0)
        bool ok = true;
        if (KEY("net")) {
            ok = parse_net(val, o);
        } else if (KEY("host")) {
            ok = o->host_set = parse_addr(val, &o->host);
        } else if (KEY("dns")) {
            ok = o->dns_set = parse_addr(val, &o->dns);
        } else if (KEY("dhcpstart")) {
            ok = o->dhcp_set = parse_addr(val, &o->dhcp);
        } else if (KEY("restrict")) {
            ok = parse_onoff(val, &o->restricted);
        } else if (KEY("hostname")) {
            o->hostname = val;
        } else if (KEY("hostfwd")) {
            g_ptr_array_add(o->hostfwd, (gpointer)val);
        } else {
            g_set_error(errp, NET_ERROR, 0,
                        "unknown option '%.*s' (user takes id, net, host, dns, dhcpstart, "
                        "hostfwd, restrict, hostname)", (int)klen, key);
            return false;
        }
#undef KEY
        if (!ok) {
            g_set_error(errp, NET_ERROR, 0, "bad value in '%s'", *p);
            return false;
        }
    }
    return true;
}

/* The QEMU defaults inside o->net: host .2, dns .3, DHCP from .15; all inside the net. */
static bool complete_addrs(SlirpOptions *o, GError **errp)
{
    uint32_t net = ntohl(o->net.s_addr), mask = ntohl(o->mask.s_addr);
    struct {
        struct in_addr *a;
        bool set;
        uint32_t host_part;
        const char *name;
    } addrs[] = {
        { &o->host, o->host_set, 2, "host" },
        { &o->dns, o->dns_set, 3, "dns" },
        { &o->dhcp, o->dhcp_set, 15, "dhcpstart" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(addrs); i++) {
        if (!addrs[i].set) {
            addrs[i].a->s_addr = htonl(net | addrs[i].host_part);
        }
        uint32_t a = ntohl(addrs[i].a->s_addr);
        if ((a & mask) != net || (a & ~mask) == 0 || (a | mask) == UINT32_MAX) {
            char text[INET_ADDRSTRLEN];
            inet_ntop(AF_INET, addrs[i].a, text, sizeof(text));
            g_set_error(errp, NET_ERROR, 0, "%s %s is not a host address inside net", addrs[i].name,
                        text);
            return false;
        }
    }
    return true;
}

/* "[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT" */
typedef struct HostFwd {
    bool udp;
    struct in_addr host_addr, guest_addr;
    int host_port, guest_port;
} HostFwd;

static bool parse_port(const char *text, int *port)
{
    char *end;
    if (!g_ascii_isdigit(*text)) {
        return false;
    }
    guint64 n = g_ascii_strtoull(text, &end, 10);
    *port = (int)n;
    return !*end && n >= 1 && n <= 65535;
}

/* "ADDR:PORT" or ":PORT"; an empty ADDR keeps *addr. */
static bool parse_endpoint(char *text, struct in_addr *addr, int *port)
{
    char *colon = strrchr(text, ':');
    if (!colon) {
        return false;
    }
    *colon = 0;
    return (!text[0] || parse_addr(text, addr)) && parse_port(colon + 1, port);
}

static bool parse_hostfwd(const char *rule, struct in_addr guest_default, HostFwd *f)
{
    char *copy = g_strdup(rule);
    char *colon = strchr(copy, ':');
    char *dash = colon ? strchr(colon, '-') : NULL;
    bool ok = colon && dash;
    if (ok) {
        *colon = 0;
        *dash = 0;
        f->udp = strcmp(copy, "udp") == 0;
        f->host_addr.s_addr = htonl(INADDR_ANY);
        f->guest_addr = guest_default;
        ok = (f->udp || !copy[0] || strcmp(copy, "tcp") == 0) &&
             parse_endpoint(colon + 1, &f->host_addr, &f->host_port) &&
             parse_endpoint(dash + 1, &f->guest_addr, &f->guest_port);
    }
    g_free(copy);
    return ok;
}

bool net_slirp_add(const char *id, char **opts, GMainContext *ctx, GError **errp)
{
    SlirpOptions o = { .hostfwd = g_ptr_array_new() };
    parse_net("10.0.2.0/24", &o);
    bool ok = parse_opts(opts, &o, errp) && complete_addrs(&o, errp);
    HostFwd *fwd = g_new0(HostFwd, o.hostfwd->len + 1);
    for (guint i = 0; ok && i < o.hostfwd->len; i++) {
        const char *rule = o.hostfwd->pdata[i];
        if (!parse_hostfwd(rule, o.dhcp, &fwd[i])) {
            g_set_error(errp, NET_ERROR, 0,
                        "hostfwd=%s: expected [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT",
                        rule);
            ok = false;
        }
    }
    if (!ok) {
        goto out;
    }

    NetSlirp *ns = g_new0(NetSlirp, 1);
    ns->nc.ops = &slirp_client_ops;
    ns->nc.opaque = ns;
    ns->ctx = g_main_context_ref(ctx ? ctx : g_main_context_default());
    SlirpConfig cfg = {
        .version = 4,
        .restricted = o.restricted,
        .in_enabled = true,
        .vnetwork = o.net,
        .vnetmask = o.mask,
        .vhost = o.host,
        .in6_enabled = false,
        .vhostname = o.hostname,
        .vdhcp_start = o.dhcp,
        .vnameserver = o.dns,
    };
    BqlGuard g = bql_guard_enter();
    ns->slirp = slirp_new(&cfg, &slirp_callbacks, ns);
    for (guint i = 0; ns->slirp && i < o.hostfwd->len; i++) {
        if (slirp_add_hostfwd(ns->slirp, fwd[i].udp, fwd[i].host_addr, fwd[i].host_port,
                              fwd[i].guest_addr, fwd[i].guest_port) < 0) {
            g_set_error(errp, NET_ERROR, 0, "hostfwd=%s: cannot listen on the host port (%s)",
                        (const char *)o.hostfwd->pdata[i], g_strerror(errno));
            ok = false;
            break;
        }
    }
    bql_guard_exit(g);
    if (!ns->slirp) {
        g_set_error(errp, NET_ERROR, 0, "libslirp refused the configuration");
    } else if (ok && net_backend_register(&ns->nc, id, errp)) {
        SlirpSource *ss = (SlirpSource *)g_source_new(&slirp_source_funcs, sizeof(SlirpSource));
        ss->ns = ns;
        ss->fds = g_array_new(FALSE, FALSE, sizeof(GPollFD));
        ss->next = g_array_new(FALSE, FALSE, sizeof(GPollFD));
        g_source_set_name(&ss->base, "slirp");
        /*
         * GLib takes a non-recursive source's polls out during its dispatch
         * and puts them back after, which wakes the context: one needless
         * iteration per dispatch.  Nothing here runs a nested loop.
         */
        g_source_set_can_recurse(&ss->base, TRUE);
        g_source_attach(&ss->base, ns->ctx);
        ns->source = ss;
        ok = true;
        goto out;
    }
    ok = false;
    slirp_cleanup_client(&ns->nc);
out:
    g_free(fwd);
    g_ptr_array_free(o.hostfwd, TRUE);
    return ok;
}
