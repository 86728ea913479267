/*
 * -netdev and -nic (net/netdev.h): split the option text, check the id,
 * and hand the rest to the back end's constructor from a table.
 */
#include <string.h>

#include "hw/virtio/virtio-net.h"
#include "net/netdev.h"

typedef struct NetdevType {
    const char *name;
    const char *help;
    bool (*add)(const char *id, char **opts, GMainContext *ctx, GError **errp);
} NetdevType;

static const NetdevType netdev_types[] = {
    { "user", "user-mode network stack (libslirp): NAT to the host's network", net_slirp_add },
};

/* Card models -nic accepts. */
static const char *const nic_models[] = { TYPE_VIRTIO_NET };

static const NetdevType *netdev_type_find(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(netdev_types); i++) {
        if (strcmp(netdev_types[i].name, name) == 0) {
            return &netdev_types[i];
        }
    }
    return NULL;
}

void netdev_help(GString *out)
{
    g_string_append(out, "Available netdev back ends:\n");
    for (size_t i = 0; i < G_N_ELEMENTS(netdev_types); i++) {
        g_string_append_printf(out, "%-8s %s\n", netdev_types[i].name, netdev_types[i].help);
    }
}

/* QEMU's id rule: a letter, then letters, digits, '-', '.', '_'. */
static bool valid_id(const char *id)
{
    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (const char *p = id; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

static const NetdevType *type_or_error(const char *opt, const char *spec, const char *name,
                                       GError **errp)
{
    const NetdevType *t = netdev_type_find(name);
    if (!t) {
        g_set_error(errp, NET_ERROR, 0, "%s %s: unknown network back end '%s' (%s help lists them)",
                    opt, spec, name, opt);
    }
    return t;
}

bool netdev_add(const char *spec, GMainContext *ctx, GError **errp)
{
    char **items = g_strsplit(spec, ",", -1);
    GPtrArray *opts = g_ptr_array_new();
    const char *id = NULL;
    bool ok = false;
    const NetdevType *t = items[0] ? type_or_error("-netdev", spec, items[0], errp) : NULL;
    if (!items[0]) {
        g_set_error(errp, NET_ERROR, 0, "-netdev: empty (e.g. -netdev user,id=n0)");
    }
    if (!t) {
        goto out;
    }
    for (char **p = items + 1; *p; p++) {
        if (g_str_has_prefix(*p, "id=")) {
            id = *p + 3;
        } else {
            g_ptr_array_add(opts, *p);
        }
    }
    if (!id) {
        g_set_error(errp, NET_ERROR, 0, "-netdev %s: needs id=NAME", spec);
        goto out;
    }
    if (!valid_id(id)) {
        g_set_error(errp, NET_ERROR, 0,
                    "-netdev %s: id '%s' is not a name (a letter, then letters, digits, '-', '.', '_')",
                    spec, id);
        goto out;
    }
    g_ptr_array_add(opts, NULL);
    ok = t->add(id, (char **)opts->pdata, ctx, errp);
    if (!ok) {
        g_prefix_error(errp, "-netdev %s: ", spec);
    }
out:
    g_ptr_array_free(opts, TRUE);
    g_strfreev(items);
    return ok;
}

char *nic_add(const char *spec, GMainContext *ctx, GError **errp)
{
    static unsigned nics; /* made-up ids: __nic0, __nic1, ... (no -netdev id starts with '_') */
    char **items = g_strsplit(spec, ",", -1);
    GPtrArray *opts = g_ptr_array_new();
    const char *model = TYPE_VIRTIO_NET;
    const char *mac = NULL;
    char *device = NULL;
    const NetdevType *t = items[0] ? type_or_error("-nic", spec, items[0], errp) : NULL;
    if (!items[0]) {
        g_set_error(errp, NET_ERROR, 0, "-nic: empty (e.g. -nic user)");
    }
    if (!t) {
        goto out;
    }
    for (char **p = items + 1; *p; p++) {
        if (g_str_has_prefix(*p, "model=")) {
            model = *p + 6;
        } else if (g_str_has_prefix(*p, "mac=")) {
            mac = *p + 4;
        } else if (g_str_has_prefix(*p, "id=")) {
            g_set_error(errp, NET_ERROR, 0, "-nic %s: takes no id (use -netdev and -device)",
                        spec);
            goto out;
        } else {
            g_ptr_array_add(opts, *p);
        }
    }
    bool known = false;
    for (size_t i = 0; i < G_N_ELEMENTS(nic_models); i++) {
        known |= strcmp(model, nic_models[i]) == 0;
    }
    if (!known) {
        g_set_error(errp, NET_ERROR, 0, "-nic %s: unsupported model '%s' (only %s)", spec, model,
                    TYPE_VIRTIO_NET);
        goto out;
    }
    char *id = g_strdup_printf("__nic%u", nics++);
    g_ptr_array_add(opts, NULL);
    if (t->add(id, (char **)opts->pdata, ctx, errp)) {
        device = mac ? g_strdup_printf("%s,netdev=%s,mac=%s", model, id, mac)
                     : g_strdup_printf("%s,netdev=%s", model, id);
    } else {
        g_prefix_error(errp, "-nic %s: ", spec);
    }
    g_free(id);
out:
    g_ptr_array_free(opts, TRUE);
    g_strfreev(items);
    return device;
}
