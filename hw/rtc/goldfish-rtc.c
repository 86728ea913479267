/*
 * The Goldfish RTC, as on QEMU's virt board at 0x101000 and as Linux's
 * rtc-goldfish driver uses it: a 64-bit nanosecond wall clock read and
 * written as two 32-bit halves, one alarm, and a level interrupt.
 *
 * Reference: Android's GOLDFISH-VIRTUAL-HARDWARE.TXT (register map),
 * Linux drivers/rtc/rtc-goldfish.c (access order) and QEMU's observable
 * behaviour (no QEMU code).  All registers are 32-bit; other access sizes
 * are a bus error.  Offsets past 0x1c read as zero and ignore writes.
 *
 * - Time: RTC = clock.now_ns() + tick_offset.  tick_offset is chosen at
 *   realize so the RTC starts at "start-time" (or host realtime), and is
 *   not touched by reset (a guest-set time survives a reboot, as in QEMU).
 *   Writing TIME_LOW or TIME_HIGH replaces that half of the current time.
 * - Read latch: reading TIME_LOW samples the whole 64-bit time, returns the
 *   low half and keeps the high half; TIME_HIGH returns the kept half, so
 *   a LOW-then-HIGH pair is consistent even when the low half wraps.
 * - Alarm: ALARM_HIGH only stores; ALARM_LOW stores and arms.  An alarm at
 *   or before the current time fires at once; otherwise ALARM_STATUS reads
 *   1 and the clock's timer is armed for the matching clock deadline.
 *   Firing clears ALARM_STATUS and sets the pending flag; the irq line is
 *   pending && IRQ_ENABLED.  CLEAR_ALARM disarms, CLEAR_INTERRUPT clears
 *   the pending flag.  Setting the time while an alarm is armed re-arms it
 *   against the new time (QEMU keeps the old deadline; Linux re-arms
 *   after setting the time anyway).
 *
 * Invariants: alarm_running implies a deadline is armed on the clock (or
 * there is no timer); the irq output equals irq_pending && irq_enabled
 * after every access and every expiry (rtc_update_irq drives it).  All
 * arithmetic on guest values is modulo 2^64 and indexes nothing.
 */
#include <time.h>

#include <glib.h>

#include "hw/rtc/goldfish-rtc.h"

typedef struct GoldfishRtc {
    Device parent;
    GoldfishRtcClock *clock;   /* "clock" link; NULL: host realtime, no timer */
    uint64_t start_time;       /* "start-time" */
    MemoryRegion mmio;
    IrqLine *irq;              /* output 0 */

    uint64_t tick_offset;      /* RTC time minus clock time */
    uint64_t alarm_next;
    uint32_t time_high;        /* latched by a TIME_LOW read */
    bool alarm_running;
    bool irq_pending;
    bool irq_enabled;
} GoldfishRtc;

static uint64_t host_realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t rtc_clock_now(const GoldfishRtc *s)
{
    if (s->clock && s->clock->now_ns) {
        return s->clock->now_ns(s->clock->opaque);
    }
    return host_realtime_ns();
}

static uint64_t rtc_now(const GoldfishRtc *s)
{
    return rtc_clock_now(s) + s->tick_offset;
}

static void rtc_update_irq(GoldfishRtc *s)
{
    irq_set(s->irq, s->irq_pending && s->irq_enabled);
}

static void rtc_cancel_timer(GoldfishRtc *s)
{
    if (s->clock && s->clock->cancel) {
        s->clock->cancel(s->clock->opaque);
    }
}

static void rtc_fire(GoldfishRtc *s)
{
    s->alarm_running = false;
    s->irq_pending = true;
    rtc_update_irq(s);
}

/* Fire the alarm if it is due, else arm the clock's timer for it. */
static void rtc_set_alarm(GoldfishRtc *s)
{
    uint64_t clock_now = rtc_clock_now(s);
    uint64_t now = clock_now + s->tick_offset;
    if (s->alarm_next <= now) {
        rtc_cancel_timer(s);
        rtc_fire(s);
        return;
    }
    uint64_t wait = s->alarm_next - now;
    uint64_t deadline = clock_now + wait < clock_now ? UINT64_MAX : clock_now + wait;
    s->alarm_running = true;
    if (s->clock && s->clock->arm) {
        s->clock->arm(s->clock->opaque, deadline);
    }
}

void goldfish_rtc_timer_expired(Device *dev)
{
    GoldfishRtc *s = (GoldfishRtc *)dev;
    if (s->alarm_running) {
        rtc_set_alarm(s); /* fires if due, re-arms if called early */
    }
}

static void rtc_set_time(GoldfishRtc *s, uint64_t new_time, uint64_t old_time)
{
    s->tick_offset += new_time - old_time;
    if (s->alarm_running) {
        rtc_set_alarm(s);
    }
}

static MemTxResult rtc_read(void *opaque, uint64_t offset, uint64_t *value, unsigned size)
{
    GoldfishRtc *s = opaque;
    uint64_t v = 0;
    switch (offset) {
    case GOLDFISH_RTC_TIME_LOW: {
        uint64_t now = rtc_now(s);
        s->time_high = (uint32_t)(now >> 32);
        v = (uint32_t)now;
        break;
    }
    case GOLDFISH_RTC_TIME_HIGH:
        v = s->time_high;
        break;
    case GOLDFISH_RTC_ALARM_LOW:
        v = (uint32_t)s->alarm_next;
        break;
    case GOLDFISH_RTC_ALARM_HIGH:
        v = (uint32_t)(s->alarm_next >> 32);
        break;
    case GOLDFISH_RTC_IRQ_ENABLED:
        v = s->irq_enabled;
        break;
    case GOLDFISH_RTC_ALARM_STATUS:
        v = s->alarm_running;
        break;
    default:
        break; /* write-only registers and unassigned offsets read 0 */
    }
    *value = v;
    return MEMTX_OK;
}

static MemTxResult rtc_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    GoldfishRtc *s = opaque;
    uint32_t v = (uint32_t)value;
    switch (offset) {
    case GOLDFISH_RTC_TIME_LOW: {
        uint64_t now = rtc_now(s);
        rtc_set_time(s, (now & ~(uint64_t)UINT32_MAX) | v, now);
        break;
    }
    case GOLDFISH_RTC_TIME_HIGH: {
        uint64_t now = rtc_now(s);
        rtc_set_time(s, ((uint64_t)v << 32) | (now & UINT32_MAX), now);
        break;
    }
    case GOLDFISH_RTC_ALARM_LOW:
        s->alarm_next = (s->alarm_next & ~(uint64_t)UINT32_MAX) | v;
        rtc_set_alarm(s);
        break;
    case GOLDFISH_RTC_ALARM_HIGH:
        s->alarm_next = ((uint64_t)v << 32) | (s->alarm_next & UINT32_MAX);
        break;
    case GOLDFISH_RTC_IRQ_ENABLED:
        s->irq_enabled = v & 1;
        rtc_update_irq(s);
        break;
    case GOLDFISH_RTC_CLEAR_ALARM:
        rtc_cancel_timer(s);
        s->alarm_running = false;
        break;
    case GOLDFISH_RTC_CLEAR_INTERRUPT:
        s->irq_pending = false;
        rtc_update_irq(s);
        break;
    default:
        break; /* ALARM_STATUS is read-only; unassigned offsets ignore writes */
    }
    return MEMTX_OK;
}

static const MemoryRegionOps rtc_ops = {
    .read = rtc_read,
    .write = rtc_write,
    .min_access_size = 4,
    .max_access_size = 4,
    .unaligned = false,
};

static void rtc_init(Device *dev)
{
    GoldfishRtc *s = (GoldfishRtc *)dev;
    memory_region_init_io(&s->mmio, TYPE_GOLDFISH_RTC, &rtc_ops, s, GOLDFISH_RTC_MMIO_SIZE);
    device_init_mmio(dev, &s->mmio);
    device_init_irqs_out(dev, &s->irq, 1);
}

static bool rtc_realize(Device *dev, GError **errp)
{
    GoldfishRtc *s = (GoldfishRtc *)dev;
    uint64_t start = s->start_time ? s->start_time : host_realtime_ns();
    s->tick_offset = start - rtc_clock_now(s);
    return true;
}

static void rtc_reset(Device *dev)
{
    GoldfishRtc *s = (GoldfishRtc *)dev;
    rtc_cancel_timer(s);
    s->alarm_next = 0;
    s->alarm_running = false;
    s->irq_pending = false;
    s->irq_enabled = false;
    s->time_high = 0;
    rtc_update_irq(s);
}

static void rtc_finalize(Device *dev)
{
    GoldfishRtc *s = (GoldfishRtc *)dev;
    if (dev->realized) {
        rtc_cancel_timer(s);
    }
    memory_region_destroy(&s->mmio);
}

static const Property rtc_props[] = {
    DEFINE_PROP_PTR("clock", GoldfishRtc, clock, "GoldfishRtcClock * (clock and one-shot timer)"),
    DEFINE_PROP_UINT64("start-time", GoldfishRtc, start_time, 0,
                       "RTC time at realize in ns since 1970 (0: host realtime)"),
    DEFINE_PROP_END,
};

static const DeviceType goldfish_rtc_type = {
    .name = TYPE_GOLDFISH_RTC,
    .help = "Goldfish RTC: 64-bit ns wall clock with one alarm",
    .instance_size = sizeof(GoldfishRtc),
    .props = rtc_props,
    .init = rtc_init,
    .realize = rtc_realize,
    .reset = rtc_reset,
    .finalize = rtc_finalize,
};

void goldfish_rtc_register_types(DeviceRegistry *reg)
{
    device_type_register(reg, &goldfish_rtc_type);
}
