/* The goldfish RTC at 0x101000: wall-clock nanoseconds (reading TIME_LOW
 * latches TIME_HIGH), after 2020 and moving forward. */
#include "sys.h"

#define TIME_LOW  (RTC + 0x00)
#define TIME_HIGH (RTC + 0x04)

static u64 rtc_ns(void)
{
    u64 lo = mmio_read32(TIME_LOW);
    return (u64)mmio_read32(TIME_HIGH) << 32 | lo;
}

int main(void)
{
    u64 t0 = rtc_ns();
    check_bool("RTC after 2020-01-01", t0 > 1577836800ul * 1000000000ul, 1);
    check_bool("RTC before 2100-01-01", t0 < 4102444800ul * 1000000000ul, 1);
    u64 m = mtime();
    while (mtime() < m + 200000)          /* 20 ms */
        ;
    u64 t1 = rtc_ns();
    check_bool("RTC moved forward", t1 > t0, 1);
    check_bool("... and by less than 60 s", t1 < t0 + 60000000000ul, 1);
    return 0;
}
