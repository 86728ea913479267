/*
 * The device model (include/rove/qdev.h): device type registry, instance
 * creation, typed properties with text parsing, realize and reset, and the
 * bookkeeping of a device's MMIO regions and irq lines.
 *
 * Invariants: a property is written only through prop_store, after its
 * type and range were checked, and only before realize; an instance owns
 * its string properties and id; registry names are unique.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rove/qdev.h"

struct DeviceRegistry {
    GPtrArray *types; /* const DeviceType *, in registration order */
};

G_DEFINE_QUARK(rove-device-error-quark, device_error)

/* ---- Registry ---- */

DeviceRegistry *device_registry_new(void)
{
    DeviceRegistry *reg = g_new0(DeviceRegistry, 1);
    reg->types = g_ptr_array_new();
    return reg;
}

void device_registry_free(DeviceRegistry *reg)
{
    if (reg) {
        g_ptr_array_unref(reg->types);
        g_free(reg);
    }
}

void device_type_register(DeviceRegistry *reg, const DeviceType *type)
{
    if (!type->name || type->instance_size < sizeof(Device)) {
        g_error("device type %s: bad name or instance size", type->name ? type->name : "?");
    }
    if (device_type_find(reg, type->name)) {
        g_error("device type %s registered twice", type->name);
    }
    g_ptr_array_add(reg->types, (gpointer)type);
}

const DeviceType *device_type_find(const DeviceRegistry *reg, const char *name)
{
    for (unsigned i = 0; i < reg->types->len; i++) {
        const DeviceType *t = reg->types->pdata[i];
        if (strcmp(t->name, name) == 0) {
            return t;
        }
    }
    return NULL;
}

static gint type_cmp(gconstpointer a, gconstpointer b)
{
    const DeviceType *x = *(const DeviceType *const *)a;
    const DeviceType *y = *(const DeviceType *const *)b;
    return strcmp(x->name, y->name);
}

GPtrArray *device_type_list(const DeviceRegistry *reg)
{
    GPtrArray *out = g_ptr_array_sized_new(reg->types->len);
    for (unsigned i = 0; i < reg->types->len; i++) {
        g_ptr_array_add(out, reg->types->pdata[i]);
    }
    g_ptr_array_sort(out, type_cmp);
    return out;
}

static const char *prop_type_name(PropType t)
{
    switch (t) {
    case PROP_UINT32:
        return "uint32";
    case PROP_UINT64:
        return "uint64";
    case PROP_BOOL:
        return "bool";
    case PROP_STRING:
        return "string";
    case PROP_PTR:
        return "link";
    }
    return "?";
}

void device_type_help(const DeviceType *type, GString *out)
{
    g_string_append_printf(out, "%s: %s\n", type->name, type->help ? type->help : "");
    for (const Property *p = type->props; p && p->name; p++) {
        g_string_append_printf(out, "  %s=<%s>", p->name, prop_type_name(p->type));
        switch (p->type) {
        case PROP_UINT32:
        case PROP_UINT64:
            g_string_append_printf(out, " (default %#" G_GINT64_MODIFIER "x)", p->def);
            break;
        case PROP_BOOL:
            g_string_append_printf(out, " (default %s)", p->def ? "on" : "off");
            break;
        case PROP_STRING:
            if (p->def_str) {
                g_string_append_printf(out, " (default \"%s\")", p->def_str);
            }
            break;
        case PROP_PTR:
            break;
        }
        if (p->help) {
            g_string_append_printf(out, " - %s", p->help);
        }
        g_string_append_c(out, '\n');
    }
}

void device_registry_help(const DeviceRegistry *reg, GString *out)
{
    GPtrArray *list = device_type_list(reg);
    for (unsigned i = 0; i < list->len; i++) {
        const DeviceType *t = list->pdata[i];
        g_string_append_printf(out, "%-24s %s\n", t->name, t->help ? t->help : "");
    }
    g_ptr_array_unref(list);
}

/* ---- Properties ---- */

static const Property *prop_find(Device *dev, const char *name, GError **errp)
{
    for (const Property *p = dev->type->props; p && p->name; p++) {
        if (strcmp(p->name, name) == 0) {
            if (dev->realized) {
                g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_REALIZED,
                            "%s: property '%s' cannot be set after realize",
                            dev->type->name, name);
                return NULL;
            }
            return p;
        }
    }
    GString *names = g_string_new(NULL);
    for (const Property *p = dev->type->props; p && p->name; p++) {
        g_string_append_printf(names, "%s%s", names->len ? ", " : "", p->name);
    }
    g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_UNKNOWN_PROPERTY,
                "%s has no property '%s' (it has: %s)", dev->type->name, name,
                names->len ? names->str : "none");
    g_string_free(names, true);
    return NULL;
}

static void *prop_field(Device *dev, const Property *p)
{
    return (char *)dev + p->offset;
}

static bool prop_store_uint(Device *dev, const Property *p, uint64_t v, GError **errp)
{
    if (p->type == PROP_UINT32) {
        if (v > UINT32_MAX) {
            g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_BAD_VALUE,
                        "%s: property '%s' is 32-bit; %#" G_GINT64_MODIFIER "x is too large",
                        dev->type->name, p->name, v);
            return false;
        }
        uint32_t v32 = (uint32_t)v;
        memcpy(prop_field(dev, p), &v32, sizeof(v32));
        return true;
    }
    if (p->type == PROP_UINT64) {
        memcpy(prop_field(dev, p), &v, sizeof(v));
        return true;
    }
    g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_BAD_VALUE, "%s: property '%s' is a %s",
                dev->type->name, p->name, prop_type_name(p->type));
    return false;
}

static void prop_store_str(Device *dev, const Property *p, const char *s)
{
    char **field = prop_field(dev, p);
    g_free(*field);
    *field = g_strdup(s);
}

/* Unsigned number: decimal, 0x hex or 0 octal, optional K/M/G/T (x1024). */
static bool parse_uint(const char *s, uint64_t *out)
{
    while (*s == ' ') {
        s++;
    }
    if (!g_ascii_isdigit(*s)) {
        return false; /* also rejects "", "-1" and "+1" */
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno == ERANGE || end == s) {
        return false;
    }
    unsigned shift = 0;
    switch (*end) {
    case 'K': case 'k':
        shift = 10;
        break;
    case 'M': case 'm':
        shift = 20;
        break;
    case 'G': case 'g':
        shift = 30;
        break;
    case 'T': case 't':
        shift = 40;
        break;
    default:
        break;
    }
    if (shift) {
        end++;
        if (v > (UINT64_MAX >> shift)) {
            return false;
        }
        v <<= shift;
    }
    if (*end != '\0') {
        return false;
    }
    *out = v;
    return true;
}

static bool parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = { "on", "true", "yes", "1" };
    static const char *const no[] = { "off", "false", "no", "0" };
    for (unsigned i = 0; i < G_N_ELEMENTS(yes); i++) {
        if (strcmp(s, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcmp(s, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

bool device_set_prop(Device *dev, const char *name, const char *value, GError **errp)
{
    const Property *p = prop_find(dev, name, errp);
    if (!p) {
        return false;
    }
    switch (p->type) {
    case PROP_UINT32:
    case PROP_UINT64: {
        uint64_t v;
        if (!parse_uint(value, &v)) {
            g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_BAD_VALUE,
                        "%s: property '%s' wants an unsigned number, not '%s'",
                        dev->type->name, name, value);
            return false;
        }
        return prop_store_uint(dev, p, v, errp);
    }
    case PROP_BOOL: {
        bool b;
        if (!parse_bool(value, &b)) {
            g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_BAD_VALUE,
                        "%s: property '%s' wants on/off, not '%s'", dev->type->name, name, value);
            return false;
        }
        *(bool *)prop_field(dev, p) = b;
        return true;
    }
    case PROP_STRING:
        prop_store_str(dev, p, value);
        return true;
    case PROP_PTR:
        break;
    }
    g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_BAD_VALUE,
                "%s: property '%s' is a link and cannot be set from text", dev->type->name, name);
    return false;
}

bool device_set_prop_uint(Device *dev, const char *name, uint64_t value, GError **errp)
{
    const Property *p = prop_find(dev, name, errp);
    return p && prop_store_uint(dev, p, value, errp);
}

static const Property *prop_find_typed(Device *dev, const char *name, PropType type,
                                       GError **errp)
{
    const Property *p = prop_find(dev, name, errp);
    if (p && p->type != type) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_BAD_VALUE,
                    "%s: property '%s' is a %s, not a %s", dev->type->name, name,
                    prop_type_name(p->type), prop_type_name(type));
        return NULL;
    }
    return p;
}

bool device_set_prop_bool(Device *dev, const char *name, bool value, GError **errp)
{
    const Property *p = prop_find_typed(dev, name, PROP_BOOL, errp);
    if (p) {
        *(bool *)prop_field(dev, p) = value;
    }
    return p != NULL;
}

bool device_set_prop_str(Device *dev, const char *name, const char *value, GError **errp)
{
    const Property *p = prop_find_typed(dev, name, PROP_STRING, errp);
    if (p) {
        prop_store_str(dev, p, value);
    }
    return p != NULL;
}

bool device_set_prop_ptr(Device *dev, const char *name, void *value, GError **errp)
{
    const Property *p = prop_find_typed(dev, name, PROP_PTR, errp);
    if (p) {
        *(void **)prop_field(dev, p) = value;
    }
    return p != NULL;
}

/* ---- Instances ---- */

Device *device_new(const DeviceRegistry *reg, const char *type_name, GError **errp)
{
    const DeviceType *type = device_type_find(reg, type_name);
    if (!type) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_UNKNOWN_TYPE,
                    "no device type '%s' (try -device help)", type_name);
        return NULL;
    }
    Device *dev = g_malloc0(type->instance_size);
    dev->type = type;
    for (const Property *p = type->props; p && p->name; p++) {
        switch (p->type) {
        case PROP_UINT32:
        case PROP_UINT64:
            if (!prop_store_uint(dev, p, p->def, NULL)) {
                g_error("%s: default of '%s' out of range", type->name, p->name);
            }
            break;
        case PROP_BOOL:
            *(bool *)prop_field(dev, p) = p->def != 0;
            break;
        case PROP_STRING:
            prop_store_str(dev, p, p->def_str);
            break;
        case PROP_PTR:
            break;
        }
    }
    if (type->init) {
        type->init(dev);
    }
    return dev;
}

void device_free(Device *dev)
{
    if (!dev) {
        return;
    }
    if (dev->type->finalize) {
        dev->type->finalize(dev);
    }
    for (const Property *p = dev->type->props; p && p->name; p++) {
        if (p->type == PROP_STRING) {
            g_free(*(char **)prop_field(dev, p));
        }
    }
    irq_free_lines(dev->irq_in);
    g_free(dev->id);
    g_free(dev);
}

bool device_realize(Device *dev, GError **errp)
{
    if (dev->realized) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_REALIZED, "%s: already realized",
                    dev->type->name);
        return false;
    }
    if (dev->type->realize) {
        GError *err = NULL;
        if (!dev->type->realize(dev, &err)) {
            if (!err) {
                g_set_error(&err, DEVICE_ERROR, DEVICE_ERROR_REALIZE, "%s: realize failed",
                            dev->type->name);
            }
            g_propagate_error(errp, err);
            return false;
        }
    }
    dev->realized = true;
    device_reset(dev);
    return true;
}

void device_reset(Device *dev)
{
    if (dev->realized && dev->type->reset) {
        dev->type->reset(dev);
    }
}

void device_init_mmio(Device *dev, MemoryRegion *mr)
{
    if (dev->nb_mmio >= DEVICE_MAX_MMIO) {
        g_error("%s: too many MMIO regions", dev->type->name);
    }
    dev->mmio[dev->nb_mmio++] = mr;
}

MemoryRegion *device_mmio(Device *dev, unsigned n)
{
    return n < dev->nb_mmio ? dev->mmio[n] : NULL;
}

void device_init_irqs_in(Device *dev, IrqHandler handler, int count)
{
    g_assert(!dev->irq_in && count > 0);
    dev->irq_in = irq_alloc_lines(handler, dev, count);
    dev->nb_irq_in = count;
}

IrqLine *device_irq_in(Device *dev, int n)
{
    return n >= 0 && n < dev->nb_irq_in ? &dev->irq_in[n] : NULL;
}

void device_init_irqs_out(Device *dev, IrqLine **fields, int count)
{
    g_assert(!dev->irq_out && count > 0);
    dev->irq_out = fields;
    dev->nb_irq_out = count;
}

bool device_connect_irq_out(Device *dev, int n, IrqLine *line, GError **errp)
{
    if (n < 0 || n >= dev->nb_irq_out) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_BAD_VALUE,
                    "%s has no irq output %d (it has %d)", dev->type->name, n, dev->nb_irq_out);
        return false;
    }
    dev->irq_out[n] = line;
    return true;
}
