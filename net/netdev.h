/*
 * The system emulator's host network back ends (net/netdev.c, net/slirp.c):
 * -netdev and -nic.  The back ends run in the GLib main context given
 * here; docs/net.md has the threading rules.
 */
#ifndef NET_NETDEV_H
#define NET_NETDEV_H

#include <stdbool.h>

#include <glib.h>

#include "rove/net.h"

/*
 * "-netdev TYPE,id=ID[,OPT=VALUE...]": makes the back end and registers
 * it under ID.  False with a one-line *errp (starting "-netdev SPEC: ")
 * on bad input or when the back end cannot start.
 */
bool netdev_add(const char *spec, GMainContext *ctx, GError **errp);

/*
 * "-nic TYPE[,model=MODEL][,mac=MAC][,OPT=VALUE...]": a back end of TYPE
 * with the other options, under a made-up id, and the -device spec of the
 * card to join to it (g_free it), e.g. "virtio-net-device,netdev=__nic0".
 * model defaults to virtio-net-device, the only one.  NULL and *errp on
 * bad input.  ("-nic none" is the caller's: it adds nothing.)
 */
char *nic_add(const char *spec, GMainContext *ctx, GError **errp);

/* "-netdev help": the back-end types, one per line. */
void netdev_help(GString *out);

/*
 * -netdev user (net/slirp.c): libslirp's user-mode network.  `opts` are
 * the OPT=VALUE items after the type, without id.  On success the back
 * end is registered under id.
 */
bool net_slirp_add(const char *id, char **opts, GMainContext *ctx, GError **errp);

#endif /* NET_NETDEV_H */
