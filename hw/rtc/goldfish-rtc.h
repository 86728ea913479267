/*
 * The Goldfish RTC (hw/rtc/goldfish-rtc.c): type name, registry hook,
 * register map, and the clock interface the machine provides.
 *
 * Device "goldfish-rtc": one MMIO region of GOLDFISH_RTC_MMIO_SIZE bytes,
 * one irq output (0), a link property "clock" (a GoldfishRtcClock *) and
 * "start-time" (RTC time at realize, ns since the Unix epoch; 0 means the
 * host's realtime clock).
 */
#ifndef HW_RTC_GOLDFISH_RTC_H
#define HW_RTC_GOLDFISH_RTC_H

#include "rove/qdev.h"

#define TYPE_GOLDFISH_RTC "goldfish-rtc"
#define GOLDFISH_RTC_MMIO_SIZE 0x1000

enum {
    GOLDFISH_RTC_TIME_LOW = 0x00,        /* read: latches TIME_HIGH; write: set time */
    GOLDFISH_RTC_TIME_HIGH = 0x04,
    GOLDFISH_RTC_ALARM_LOW = 0x08,       /* write: arms the alarm */
    GOLDFISH_RTC_ALARM_HIGH = 0x0c,
    GOLDFISH_RTC_IRQ_ENABLED = 0x10,
    GOLDFISH_RTC_CLEAR_ALARM = 0x14,     /* write-only */
    GOLDFISH_RTC_ALARM_STATUS = 0x18,    /* read-only: 1 while an alarm is armed */
    GOLDFISH_RTC_CLEAR_INTERRUPT = 0x1c, /* write-only */
};

/*
 * The clock the device runs on, in nanoseconds (any epoch), and a one-shot
 * timer on that clock.  The machine will connect it to its virtual clock
 * and timer list (hw/core timers); tests drive it by hand.  arm() replaces
 * any pending deadline; when the clock reaches the deadline the machine
 * calls goldfish_rtc_timer_expired(dev) (calling it early or spuriously is
 * harmless: the device re-arms).  With no "clock" link the device reads
 * the host's realtime clock and cannot arm a timer, so an alarm only fires
 * if it is already due when ALARM_LOW is written.
 */
typedef struct GoldfishRtcClock {
    uint64_t (*now_ns)(void *opaque);
    void (*arm)(void *opaque, uint64_t deadline_ns);
    void (*cancel)(void *opaque);
    void *opaque;
} GoldfishRtcClock;

void goldfish_rtc_timer_expired(Device *dev);

void goldfish_rtc_register_types(DeviceRegistry *reg);

#endif /* HW_RTC_GOLDFISH_RTC_H */
