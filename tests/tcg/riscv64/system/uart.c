/* The ns16550a UART at 0x10000000: output, register reset values, LSR
 * bits, divisor latch, scratch, FIFO control, loopback (data and modem
 * lines) and the interrupt identification for THR-empty and RX data. */
#include "sys.h"

#define RBR 0
#define THR 0
#define IER 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7
#define DLL 0
#define DLM 1

static uint8_t rd(int r) { return mmio_read8(UART0 + r); }
static void wr(int r, uint8_t v) { mmio_write8(UART0 + r, v); }

/* Results are recorded while the UART is in a state that cannot print
 * (DLAB set, loopback, or an output would change what is checked) and
 * printed afterwards. */
static struct { const char *name; u64 got, want; } rec[24];
static int nrec;

static void R(const char *name, u64 got, u64 want)
{
    rec[nrec].name = name;
    rec[nrec].got = got;
    rec[nrec].want = want;
    nrec++;
}

static void flush(void)
{
    for (int i = 0; i < nrec; i++)
        check(rec[i].name, rec[i].got, rec[i].want);
    nrec = 0;
}

int main(void)
{
    puts_("Hello from the UART\n");
    /* QEMU's reset values (a real 16550 resets MCR to 0, MSR by its pins) */
    R("IER", rd(IER), 0);
    R("IIR", rd(IIR), 0x01);
    R("LCR", rd(LCR), 0);
    R("MCR", rd(MCR), 0x08);
    R("LSR: THRE and TEMT, no data", rd(LSR), 0x60);
    R("MSR & 0xf0: DCD DSR CTS", rd(MSR) & 0xf0, 0xb0);
    R("SCR", rd(SCR), 0);
    printf("reset values:\n");
    flush();
    for (int i = 0; i < 26; i++)
        putchar_('a' + i);
    putchar_('\n');
    R("LSR after output", rd(LSR) & 0x61, 0x60);

    wr(SCR, 0xa5);
    R("SCR", rd(SCR), 0xa5);
    wr(LCR, 0x83);
    wr(DLL, 0x0c);
    wr(DLM, 0x01);
    R("LCR with DLAB", rd(LCR), 0x83);
    R("DLL", rd(DLL), 0x0c);
    R("DLM", rd(DLM), 0x01);
    wr(LCR, 0x03);
    R("LCR 8N1", rd(LCR), 0x03);
    R("IER (the DLM write did not reach it)", rd(IER), 0);
    wr(IER, 0x0f);
    R("IER", rd(IER), 0x0f);
    wr(IER, 0);
    wr(FCR, 0x07);
    R("IIR with FIFOs on, nothing pending", rd(IIR), 0xc1);

    /* THR empty interrupt: pending once enabled, cleared by reading IIR */
    wr(IER, 0x02);
    R("IIR with ETBEI", rd(IIR), 0xc2);
    R("IIR read again", rd(IIR), 0xc1);
    wr(IER, 0);
    flush();

    /* loopback: the transmitter feeds the receiver, not the output */
    wr(MCR, 0x10);
    wr(THR, 'Z');
    R("LSR after a loopback write (DR)", rd(LSR) & 0x01, 1);
    wr(IER, 0x01);
    R("IIR with ERBFI and data", rd(IIR), 0xc4);
    R("RBR", rd(RBR), 'Z');
    R("LSR after reading RBR", rd(LSR) & 0x01, 0);
    R("IIR after reading RBR", rd(IIR), 0xc1);
    wr(IER, 0);
    wr(MCR, 0x1f);
    R("MSR lines in loopback with DTR RTS OUT1 OUT2", rd(MSR) & 0xf0, 0xf0);
    wr(MCR, 0x10);
    R("MSR lines in loopback with none", rd(MSR) & 0xf0, 0x00);
    wr(MCR, 0x08);
    R("MCR", rd(MCR), 0x08);
    flush();
    puts_("Output works again\n");
    return 0;
}
