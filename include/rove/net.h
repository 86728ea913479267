/*
 * The net layer (net/): Ethernet frames between a guest network card and
 * a host back end.
 *
 * Both ends are NetClients joined as peers: a card (hw/virtio/virtio-net.c)
 * sends a frame with net_client_send() and its peer's ops->receive gets it;
 * the back end (net/slirp.c, or a test's fake) does the same the other way.
 * A frame is a whole Ethernet frame (destination MAC first, no FCS), at
 * most NET_MAX_FRAME bytes; receive copies what it keeps.
 *
 * Back ends are named by their -netdev id in one process-wide registry; a
 * card's `netdev=ID` property finds its back end there at realize and
 * becomes its peer (a back end has at most one).
 *
 * Threading: every call here, and every receive callback, runs under the
 * big lock (include/rove/bql.h).  docs/net.md says why and how the slirp
 * back end keeps to that.
 */
#ifndef ROVE_NET_H
#define ROVE_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

/* The largest frame either side passes on (a 64 KiB IP packet and its Ethernet header). */
#define NET_MAX_FRAME (65535 + 14)

#define NET_ERROR (net_error_quark())
GQuark net_error_quark(void);

typedef struct NetClient NetClient;

typedef struct NetClientOps {
    const char *kind;       /* "user", "virtio-net", ... (messages) */
    /* A frame from the peer; the buffer is only valid during the call. */
    void (*receive)(NetClient *nc, const uint8_t *buf, size_t len);
    /* Called by net_client_unregister / net_backends_free (may be NULL). */
    void (*cleanup)(NetClient *nc);
} NetClientOps;

struct NetClient {
    const NetClientOps *ops;
    char *id;               /* the -netdev id of a back end (owned); NULL for cards */
    NetClient *peer;
    void *opaque;           /* the owner's, untouched here */
};

/*
 * Sends a frame to nc's peer.  Returns false (and drops it) when there is
 * no peer or the frame is empty or longer than NET_MAX_FRAME.
 */
bool net_client_send(NetClient *nc, const uint8_t *buf, size_t len);

/* Joins a and b as peers.  False (nothing changed) if either already has one. */
bool net_client_connect(NetClient *a, NetClient *b);
/* Unjoins nc from its peer, if any (before freeing either). */
void net_client_disconnect(NetClient *nc);

/* ---- The -netdev registry ---- */

/*
 * Adds back end nc under id (copied into nc->id).  False with *errp when
 * the id is empty or taken.  (-netdev checks the spelling of user ids;
 * -nic makes up ids no user can spell.)
 */
bool net_backend_register(NetClient *nc, const char *id, GError **errp);
NetClient *net_backend_find(const char *id);
/* Removes nc from the registry and calls its cleanup. */
void net_backend_unregister(NetClient *nc);
/* Unregisters every back end (at exit, and in tests). */
void net_backends_free(void);

/*
 * Finds back end `id` for a card and connects the two.  False with a
 * one-line *errp when there is no such -netdev or it is already in use.
 */
bool net_backend_attach(NetClient *card, const char *id, GError **errp);

#endif /* ROVE_NET_H */
