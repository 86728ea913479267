/*
 * The device model: a registry of device types, and device instances with
 * typed properties, a realize step, a reset, MMIO regions and irq lines.
 *
 * Shape: a device type is a const DeviceType (name, help, instance size,
 * property table, callbacks).  An instance is a struct whose first member
 * is a Device; device_new allocates instance_size zeroed bytes, fills in
 * property defaults and calls init.  Properties are set (by name, from a
 * string or typed) only before realize; realize may fail with a GError;
 * reset may be called any number of times after realize.
 *
 * Invariants: every property write is type- and range-checked and reports
 * unknown names and bad values through GError, never aborts; string
 * properties are owned by the instance; a registry holds each name once.
 * Like MMIO callbacks, device callbacks run under the big lock.
 */
#ifndef ROVE_QDEV_H
#define ROVE_QDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "rove/irq.h"
#include "rove/memory.h"

#define DEVICE_ERROR (device_error_quark())
GQuark device_error_quark(void);

typedef enum DeviceErrorCode {
    DEVICE_ERROR_UNKNOWN_TYPE,
    DEVICE_ERROR_UNKNOWN_PROPERTY,
    DEVICE_ERROR_BAD_VALUE,
    DEVICE_ERROR_REALIZED,   /* property set after realize, or realized twice */
    DEVICE_ERROR_REALIZE,    /* the device's realize refused */
} DeviceErrorCode;

typedef enum PropType {
    PROP_UINT32,
    PROP_UINT64,
    PROP_BOOL,
    PROP_STRING, /* char * in the instance, owned by it */
    PROP_PTR,    /* void *: a link to another object, set only from code */
} PropType;

typedef struct Property {
    const char *name;
    PropType type;
    size_t offset;          /* of the field in the instance struct */
    uint64_t def;           /* default of uint32/uint64/bool */
    const char *def_str;    /* default of a string (copied), may be NULL */
    const char *help;
} Property;

/* offsetof, with a compile-time check that the field has the right size. */
#define PROP_OFFSET_(State, field, size) \
    (offsetof(State, field) + 0 * sizeof(char[sizeof(((State *)0)->field) == (size) ? 1 : -1]))

#define DEFINE_PROP_UINT32(n, State, field, d, h) \
    { (n), PROP_UINT32, PROP_OFFSET_(State, field, 4), (d), NULL, (h) }
#define DEFINE_PROP_UINT64(n, State, field, d, h) \
    { (n), PROP_UINT64, PROP_OFFSET_(State, field, 8), (d), NULL, (h) }
#define DEFINE_PROP_BOOL(n, State, field, d, h) \
    { (n), PROP_BOOL, PROP_OFFSET_(State, field, sizeof(bool)), (d), NULL, (h) }
#define DEFINE_PROP_STRING(n, State, field, d, h) \
    { (n), PROP_STRING, PROP_OFFSET_(State, field, sizeof(char *)), 0, (d), (h) }
#define DEFINE_PROP_PTR(n, State, field, h) \
    { (n), PROP_PTR, PROP_OFFSET_(State, field, sizeof(void *)), 0, NULL, (h) }
#define DEFINE_PROP_END { NULL, 0, 0, 0, NULL, NULL }

enum { DEVICE_MAX_MMIO = 8 };

typedef struct DeviceType DeviceType;

typedef struct Device {
    const DeviceType *type;
    char *id;                      /* optional instance name, owned */
    bool realized;
    MemoryRegion *mmio[DEVICE_MAX_MMIO];
    unsigned nb_mmio;
    IrqLine *irq_in;               /* input lines, allocated by device_init_irqs_in */
    int nb_irq_in;
    IrqLine **irq_out;             /* the device's own IrqLine * fields */
    int nb_irq_out;
} Device;

struct DeviceType {
    const char *name;
    const char *help;
    size_t instance_size;          /* >= sizeof(Device); Device comes first */
    const Property *props;         /* ends with DEFINE_PROP_END; may be NULL */
    /*
     * The bus a -device of this type plugs into ("virtio": the instance
     * starts with a VirtioDevice, hw/virtio/virtio.h); NULL for devices
     * only a machine creates.
     */
    const char *bus;
    void (*init)(Device *dev);     /* after defaults: set up regions and irqs */
    bool (*realize)(Device *dev, GError **errp);
    void (*reset)(Device *dev);
    void (*finalize)(Device *dev); /* before the instance is freed */
};

/* ---- Registry ---- */

typedef struct DeviceRegistry DeviceRegistry;

DeviceRegistry *device_registry_new(void);
void device_registry_free(DeviceRegistry *reg);
/* A type must not be registered twice (programming error: aborts). */
void device_type_register(DeviceRegistry *reg, const DeviceType *type);
const DeviceType *device_type_find(const DeviceRegistry *reg, const char *name);
/* The types sorted by name (const DeviceType *); free with g_ptr_array_unref. */
GPtrArray *device_type_list(const DeviceRegistry *reg);
/* "-device help" / "-device NAME,help" text. */
void device_type_help(const DeviceType *type, GString *out);
void device_registry_help(const DeviceRegistry *reg, GString *out);

/* ---- Instances ---- */

Device *device_new(const DeviceRegistry *reg, const char *type_name, GError **errp);
void device_free(Device *dev);

/* From text, as on a command line: "123", "0x1000", "64M", "on", "off". */
bool device_set_prop(Device *dev, const char *name, const char *value, GError **errp);
bool device_set_prop_uint(Device *dev, const char *name, uint64_t value, GError **errp);
bool device_set_prop_bool(Device *dev, const char *name, bool value, GError **errp);
bool device_set_prop_str(Device *dev, const char *name, const char *value, GError **errp);
bool device_set_prop_ptr(Device *dev, const char *name, void *value, GError **errp);

bool device_realize(Device *dev, GError **errp);
/* Calls the type's reset; does nothing before realize. */
void device_reset(Device *dev);

/* Regions the device exposes, for the machine to map (in init or realize). */
void device_init_mmio(Device *dev, MemoryRegion *mr);
MemoryRegion *device_mmio(Device *dev, unsigned n);

/* Input lines 0..count-1 calling handler(dev, n, level). */
void device_init_irqs_in(Device *dev, IrqHandler handler, int count);
IrqLine *device_irq_in(Device *dev, int n);
/* Outputs: the device drives irq_set(fields[n]); the machine connects them. */
void device_init_irqs_out(Device *dev, IrqLine **fields, int count);
bool device_connect_irq_out(Device *dev, int n, IrqLine *line, GError **errp);

#endif /* ROVE_QDEV_H */
