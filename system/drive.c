/*
 * -drive: open a disk image as a named drive of the block layer and, for
 * if=virtio (the virt machine's default, as in QEMU), ask for the
 * virtio-blk-device that serves it.
 *
 *   -drive file=FILE[,format=raw|qcow2][,if=virtio|none][,id=ID]
 *          [,readonly=on|off][,snapshot=on|off][,cache=writeback|none|
 *          writethrough|directsync|unsafe][,media=disk][,discard=ignore|unmap]
 *          [,aio=threads][,file.locking=on|off|auto]
 *
 * A drive without an id is called "driveN" (N counts -drive options).
 */
#include <string.h>

#include <glib.h>

#include "rove/block.h"
#include "system/drive.h"

static bool parse_onoff(const char *key, const char *v, bool *out, GError **errp)
{
    if (strcmp(v, "on") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0) {
        *out = true;
    } else if (strcmp(v, "off") == 0 || strcmp(v, "false") == 0 || strcmp(v, "no") == 0) {
        *out = false;
    } else {
        g_set_error(errp, BLOCK_ERROR, 0, "%s=%s: expected on or off", key, v);
        return false;
    }
    return true;
}

typedef struct DriveSpec {
    const char *file;
    const char *format;
    const char *iface;
    const char *id;
    BlockOpenOptions open;
} DriveSpec;

/* One KEY=VALUE into d; false with errp set on a bad key or value. */
static bool drive_set(DriveSpec *d, const char *key, const char *v, GError **errp)
{
    if (strcmp(key, "file") == 0) {
        d->file = v;
    } else if (strcmp(key, "format") == 0) {
        if (strcmp(v, "raw") != 0 && strcmp(v, "qcow2") != 0) {
            g_set_error(errp, BLOCK_ERROR, 0, "format=%s: unknown format (raw, qcow2)", v);
            return false;
        }
        d->format = v;
    } else if (strcmp(key, "if") == 0) {
        if (strcmp(v, "virtio") != 0 && strcmp(v, "none") != 0) {
            g_set_error(errp, BLOCK_ERROR, 0,
                        "if=%s: this machine has no such interface (virtio, none)", v);
            return false;
        }
        d->iface = v;
    } else if (strcmp(key, "id") == 0) {
        d->id = v;
    } else if (strcmp(key, "readonly") == 0) {
        return parse_onoff(key, v, &d->open.read_only, errp);
    } else if (strcmp(key, "snapshot") == 0) {
        return parse_onoff(key, v, &d->open.snapshot, errp);
    } else if (strcmp(key, "cache") == 0) {
        if (!block_cache_mode_parse(v, &d->open.cache)) {
            g_set_error(errp, BLOCK_ERROR, 0,
                        "cache=%s: unknown mode (writeback, none, writethrough, directsync, unsafe)",
                        v);
            return false;
        }
    } else if (strcmp(key, "media") == 0) {
        if (strcmp(v, "disk") != 0) {
            g_set_error(errp, BLOCK_ERROR, 0, "media=%s: only disks (media=disk)", v);
            return false;
        }
    } else if (strcmp(key, "discard") == 0) {
        /* Discards always reach the image (unmap); ignore is accepted too. */
        if (strcmp(v, "ignore") != 0 && strcmp(v, "off") != 0 && strcmp(v, "unmap") != 0 &&
            strcmp(v, "on") != 0) {
            g_set_error(errp, BLOCK_ERROR, 0, "discard=%s: expected ignore or unmap", v);
            return false;
        }
    } else if (strcmp(key, "file.locking") == 0) {
        /* on/auto: lock the image while it is open (the default); off: share it */
        if (strcmp(v, "auto") == 0) {
            d->open.force_share = false;
            return true;
        }
        bool on;
        if (!parse_onoff(key, v, &on, errp)) {
            return false;
        }
        d->open.force_share = !on;
    } else if (strcmp(key, "aio") == 0) {
        if (strcmp(v, "threads") != 0) {
            g_set_error(errp, BLOCK_ERROR, 0, "aio=%s: only aio=threads", v);
            return false;
        }
    } else {
        g_set_error(errp, BLOCK_ERROR, 0, "unknown -drive property '%s'", key);
        return false;
    }
    return true;
}

char *drive_add(const char *spec, unsigned index, GError **errp)
{
    DriveSpec d = { .iface = "virtio" };
    char **items = g_strsplit(spec, ",", -1);
    char *device = NULL;
    char *id = NULL;
    BlockDev *bs = NULL;
    for (char **p = items; *p; p++) {
        char *eq = strchr(*p, '=');
        if (!eq) {
            if (p == items) { /* "-drive FILE" is file=FILE, as in QEMU */
                d.file = *p;
                continue;
            }
            g_set_error(errp, BLOCK_ERROR, 0, "'%s': expected KEY=VALUE", *p);
            goto out;
        }
        *eq = 0;
        if (!drive_set(&d, *p, eq + 1, errp)) {
            goto out;
        }
    }
    if (!d.file || !*d.file) {
        g_set_error(errp, BLOCK_ERROR, 0, "no file= given");
        goto out;
    }
    id = d.id ? g_strdup(d.id) : g_strdup_printf("drive%u", index);
    if (block_drive_find(id)) {
        g_set_error(errp, BLOCK_ERROR, 0, "a drive with id '%s' exists already", id);
        goto out;
    }
    d.open.format = d.format;
    bs = block_open(d.file, &d.open, errp);
    if (!bs) {
        goto out;
    }
    if (!block_drive_add(id, bs)) {
        block_close(bs);
        g_set_error(errp, BLOCK_ERROR, 0, "a drive with id '%s' exists already", id);
        goto out;
    }
    device = strcmp(d.iface, "virtio") == 0 ? g_strdup_printf("virtio-blk-device,drive=%s", id)
                                            : g_strdup("");
out:
    g_free(id);
    g_strfreev(items);
    return device;
}
