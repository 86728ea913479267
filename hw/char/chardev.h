/*
 * Named character back ends made from `-chardev BACKEND,id=ID[,OPT=VALUE...]`
 * specs (hw/char/chardev.c), for devices that take `chardev=ID`.
 *
 * A Chardev owns a CharBackend (include/rove/chardev.h) and an id.  The
 * back ends, one file each:
 *   null                        output vanishes, no input (chardev.c)
 *   file,path=FILE              output to FILE (created/truncated), no input
 *                               (chardev-file.c)
 *   socket,path=P | host=H,port=N [,server=on|off][,wait=on|off]
 *                               a unix or TCP stream socket, both ways
 *                               (chardev-socket.c)
 *   stdio                       the terminal, without Ctrl-A escapes
 *                               (a wrapper around chardev-stdio.c)
 *
 * Bad specs give a one-line GError naming the option.  Input arrives
 * from sources on the given GMainContext and reaches the front end under
 * the big lock; output (front end -> host) never blocks.
 */
#ifndef HW_CHAR_CHARDEV_H
#define HW_CHAR_CHARDEV_H

#include <stdbool.h>

#include <glib.h>

#include "rove/chardev.h"

typedef struct Chardev Chardev;

/* What a back end's open function gets: the parsed spec. */
typedef struct ChardevSpec {
    const char *spec;      /* the whole text, for messages */
    const char *backend;
    const char *id;
    GMainContext *ctx;     /* NULL: the default context */
    const char **keys;     /* the other OPT=VALUE pairs */
    const char **values;
    unsigned n;
} ChardevSpec;

struct Chardev {
    CharBackend be;        /* first: the back end a device attaches to */
    char *id;
    void (*close)(Chardev *chr);   /* frees everything but id and itself */
};

/* The value of key, or NULL when absent (chardev_open has refused unknown keys). */
const char *chardev_spec_get(ChardevSpec *s, const char *key);
/* "on"/"off" (also "yes"/"no", "true"/"false"; a bare key is "on"): *out, or false + errp. */
bool chardev_spec_get_bool(ChardevSpec *s, const char *key, bool def, bool *out,
                           GError **errp);

/* "-chardev help": the back ends and their options, one per line. */
void chardev_help(GString *out);

/* Parses and opens spec ("socket,id=c0,path=/tmp/s,server=on,wait=off"). */
Chardev *chardev_open(const char *spec, GMainContext *ctx, GError **errp);
void chardev_close(Chardev *chr);

static inline CharBackend *chardev_backend(Chardev *chr)
{
    return &chr->be;
}

/* The back ends' open functions (a Chardev with be and close set; id is set by the caller). */
Chardev *chardev_null_open(ChardevSpec *s, GError **errp);
Chardev *chardev_file_open(ChardevSpec *s, GError **errp);
Chardev *chardev_socket_open(ChardevSpec *s, GError **errp);
Chardev *chardev_stdio_open(ChardevSpec *s, GError **errp);

#endif /* HW_CHAR_CHARDEV_H */
