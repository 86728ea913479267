/*
 * -chardev specs and the table of back ends (hw/char/chardev.h), plus the
 * two back ends too small for a file of their own: null, and stdio (a
 * wrapper around chardev-stdio.c).
 */
#include <string.h>

#include "hw/char/chardev-stdio.h"
#include "hw/char/chardev.h"

typedef Chardev *(*ChardevOpenFn)(ChardevSpec *s, GError **errp);

static const struct {
    const char *name;
    ChardevOpenFn open;
    const char *help;
} chardev_backends[] = {
    { "null", chardev_null_open, "output dropped, no input" },
    { "file", chardev_file_open, "path=FILE[,append=on]: output to FILE, no input" },
    { "socket", chardev_socket_open,
      "path=UNIXPATH|[host=HOST,]port=PORT[,server=on|off][,wait=on|off][,nodelay=on]: "
      "a stream socket, both ways" },
    { "stdio", chardev_stdio_open, "the terminal (not while the serial console uses it)" },
};

void chardev_help(GString *out)
{
    g_string_append(out, "Available chardev back ends (-chardev BACKEND,id=ID[,...]):\n");
    for (size_t i = 0; i < G_N_ELEMENTS(chardev_backends); i++) {
        g_string_append_printf(out, "  %-7s %s\n", chardev_backends[i].name,
                               chardev_backends[i].help);
    }
}

const char *chardev_spec_get(ChardevSpec *s, const char *key)
{
    for (unsigned i = 0; i < s->n; i++) {
        if (strcmp(s->keys[i], key) == 0) {
            return s->values[i];
        }
    }
    return NULL;
}

bool chardev_spec_get_bool(ChardevSpec *s, const char *key, bool def, bool *out,
                           GError **errp)
{
    static const struct {
        const char *text;
        bool value;
    } words[] = {
        { "on", true }, { "yes", true }, { "true", true },
        { "off", false }, { "no", false }, { "false", false },
    };
    const char *v = chardev_spec_get(s, key);
    if (!v) {
        *out = def;
        return true;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(words); i++) {
        if (strcmp(v, words[i].text) == 0) {
            *out = words[i].value;
            return true;
        }
    }
    g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                "-chardev %s: %s=%s: expected on or off", s->spec, key, v);
    return false;
}

/* Splits "backend,k=v,k2,..." (a bare key is k=on, QEMU's old "server,nowait"). */
static bool parse_spec(ChardevSpec *s, char **items, GError **errp)
{
    if (!items[0] || !items[0][0]) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "-chardev %s: no back end (null, file, socket or stdio)", s->spec);
        return false;
    }
    s->backend = items[0];
    unsigned n = g_strv_length(items) - 1;
    s->keys = g_new0(const char *, n + 1);
    s->values = g_new0(const char *, n + 1);
    for (unsigned i = 0; i < n; i++) {
        const char *item = items[i + 1];
        char *eq = strchr(items[i + 1], '=');
        if (eq) {
            *eq = 0;
            s->values[s->n] = eq + 1;
        } else if (strcmp(item, "nowait") == 0) {
            item = "wait";
            s->values[s->n] = "off";
        } else {
            s->values[s->n] = "on";
        }
        if (!item[0]) {
            g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "-chardev %s: empty option name", s->spec);
            return false;
        }
        for (unsigned k = 0; k < s->n; k++) {
            if (strcmp(s->keys[k], item) == 0) {
                g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            "-chardev %s: '%s' given twice", s->spec, item);
                return false;
            }
        }
        s->keys[s->n++] = item;
    }
    s->id = chardev_spec_get(s, "id");
    if (!s->id || !s->id[0]) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "-chardev %s: needs id=NAME (devices refer to it by chardev=NAME)",
                    s->spec);
        return false;
    }
    return true;
}

Chardev *chardev_open(const char *spec, GMainContext *ctx, GError **errp)
{
    char **items = g_strsplit(spec, ",", -1);
    ChardevSpec s = { .spec = spec, .ctx = ctx };
    Chardev *chr = NULL;
    if (!parse_spec(&s, items, errp)) {
        goto out;
    }
    ChardevOpenFn open = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(chardev_backends); i++) {
        if (strcmp(s.backend, chardev_backends[i].name) == 0) {
            open = chardev_backends[i].open;
        }
    }
    if (!open) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "-chardev %s: unknown back end '%s' (null, file, socket or stdio)", spec,
                    s.backend);
        goto out;
    }
    /* Unknown options are refused before anything is opened. */
    const char *const *known = NULL;
    static const char *const null_keys[] = { NULL };
    static const char *const file_keys[] = { "path", "append", NULL };
    static const char *const socket_keys[] = { "path", "host", "port", "server", "wait",
                                               "nodelay", NULL };
    static const char *const stdio_keys[] = { NULL };
    static const struct {
        const char *backend;
        const char *const *keys;
    } allowed[] = {
        { "null", null_keys }, { "file", file_keys }, { "socket", socket_keys },
        { "stdio", stdio_keys },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(allowed); i++) {
        if (strcmp(s.backend, allowed[i].backend) == 0) {
            known = allowed[i].keys;
        }
    }
    for (unsigned i = 0; i < s.n; i++) {
        if (strcmp(s.keys[i], "id") != 0 && !(known && g_strv_contains(known, s.keys[i]))) {
            g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "-chardev %s: unsupported option '%s' for %s", spec, s.keys[i],
                        s.backend);
            goto out;
        }
    }
    chr = open(&s, errp);
    if (chr) {
        chr->id = g_strdup(s.id);
    }
out:
    g_free(s.keys);
    g_free(s.values);
    g_strfreev(items);
    return chr;
}

void chardev_close(Chardev *chr)
{
    if (!chr) {
        return;
    }
    if (chr->close) {
        chr->close(chr);
    }
    g_free(chr->id);
    g_free(chr);
}

/* ---- null: a sink ---- */

static void null_write(CharBackend *be, const uint8_t *buf, size_t len)
{
}

Chardev *chardev_null_open(ChardevSpec *s, GError **errp)
{
    Chardev *chr = g_new0(Chardev, 1);
    chr->be.write = null_write;
    return chr;
}

/* ---- stdio: the terminal; Ctrl-C is a signal to us (QEMU's default signal=on) ---- */

typedef struct ChardevStdio {
    Chardev parent;
    CharStdio *stdio;
} ChardevStdio;

static void stdio_close(Chardev *chr)
{
    char_stdio_free(((ChardevStdio *)chr)->stdio);
}

static void stdio_forward_write(CharBackend *be, const uint8_t *buf, size_t len)
{
    ChardevStdio *c = be->opaque;
    char_backend_write(char_stdio_backend(c->stdio), buf, len);
}

static void stdio_forward_accept(CharBackend *be)
{
    ChardevStdio *c = be->opaque;
    char_backend_accept_input(char_stdio_backend(c->stdio));
}

/* The stdio back end pushes input to whoever attached to it: forward to ours. */
static size_t stdio_fe_can_receive(void *opaque)
{
    ChardevStdio *c = opaque;
    return char_backend_can_receive(&c->parent.be);
}

static void stdio_fe_receive(void *opaque, const uint8_t *buf, size_t len)
{
    ChardevStdio *c = opaque;
    char_backend_receive(&c->parent.be, buf, len);
}

static const CharFrontendOps stdio_fe_ops = {
    .can_receive = stdio_fe_can_receive,
    .receive = stdio_fe_receive,
};

Chardev *chardev_stdio_open(ChardevSpec *s, GError **errp)
{
    CharStdioOptions so = {
        .in_fd = 0,
        .out_fd = 1,
        .err_fd = 2,
        .ctx = s->ctx,
        .escapes = false,
    };
    CharStdio *stdio = char_stdio_new(&so, errp);
    if (!stdio) {
        g_prefix_error(errp, "-chardev %s: ", s->spec);
        return NULL;
    }
    char_stdio_install_signal_handlers();
    ChardevStdio *c = g_new0(ChardevStdio, 1);
    c->stdio = stdio;
    c->parent.be.write = stdio_forward_write;
    c->parent.be.accept_input = stdio_forward_accept;
    c->parent.be.opaque = c;
    c->parent.close = stdio_close;
    char_backend_attach(char_stdio_backend(stdio), &stdio_fe_ops, c);
    return &c->parent;
}
