/*
 * Peers and the -netdev registry (include/rove/net.h).  No host code:
 * this file goes into rove-hw-core with the cards, so device tests can
 * plug a fake back end in.
 */
#include <string.h>

#include "rove/net.h"

G_DEFINE_QUARK(rove-net-error-quark, net_error)

/* id -> NetClient *; created on first registration. */
static GHashTable *backends;

bool net_client_send(NetClient *nc, const uint8_t *buf, size_t len)
{
    NetClient *peer = nc->peer;
    if (!peer || len == 0 || len > NET_MAX_FRAME || !peer->ops->receive) {
        return false;
    }
    peer->ops->receive(peer, buf, len);
    return true;
}

bool net_client_connect(NetClient *a, NetClient *b)
{
    if (a == b || a->peer || b->peer) {
        return false;
    }
    a->peer = b;
    b->peer = a;
    return true;
}

void net_client_disconnect(NetClient *nc)
{
    if (nc->peer) {
        nc->peer->peer = NULL;
        nc->peer = NULL;
    }
}

bool net_backend_register(NetClient *nc, const char *id, GError **errp)
{
    if (!id || !id[0]) {
        g_set_error(errp, NET_ERROR, 0, "a -netdev needs an id");
        return false;
    }
    if (!backends) {
        backends = g_hash_table_new(g_str_hash, g_str_equal);
    }
    if (g_hash_table_contains(backends, id)) {
        g_set_error(errp, NET_ERROR, 0, "there is already a -netdev with id '%s'", id);
        return false;
    }
    nc->id = g_strdup(id);
    g_hash_table_insert(backends, nc->id, nc);
    return true;
}

NetClient *net_backend_find(const char *id)
{
    return backends && id ? g_hash_table_lookup(backends, id) : NULL;
}

void net_backend_unregister(NetClient *nc)
{
    if (backends && nc->id && g_hash_table_lookup(backends, nc->id) == nc) {
        g_hash_table_remove(backends, nc->id);
    }
    net_client_disconnect(nc);
    g_free(nc->id);
    nc->id = NULL;
    if (nc->ops->cleanup) {
        nc->ops->cleanup(nc); /* last: it may free nc */
    }
}

void net_backends_free(void)
{
    if (!backends) {
        return;
    }
    GList *all = g_hash_table_get_values(backends);
    for (GList *l = all; l; l = l->next) {
        net_backend_unregister(l->data);
    }
    g_list_free(all);
    g_hash_table_destroy(backends);
    backends = NULL;
}

bool net_backend_attach(NetClient *card, const char *id, GError **errp)
{
    NetClient *be = net_backend_find(id);
    if (!be) {
        g_set_error(errp, NET_ERROR, 0, "netdev '%s' not found (no -netdev with that id)", id);
        return false;
    }
    if (be->peer || !net_client_connect(card, be)) {
        g_set_error(errp, NET_ERROR, 0, "netdev '%s' is already used by another device", id);
        return false;
    }
    return true;
}
