/* PLACEHOLDER: replaced by the real implementation at merge */
#include "rove/system.h"

void vcpus_init(CpuState **cpus, int n, bool single_thread, Clock *clock)
{
}

void vcpus_start(void)
{
}

void vcpus_stop(void)
{
}

void vcpus_exit(void)
{
}
