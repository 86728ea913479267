/*
 * The ns16550a UART, as QEMU's virt board has it at 0x10000000 and as
 * Linux's 8250 driver, OpenSBI's uart8250 and U-Boot's ns16550 drive it:
 * 1-byte registers at byte offsets 0-7 (regshift 0) inside a 0x100-byte
 * region, one level-triggered interrupt output.
 *
 * Reference: the 16550D datasheet (register map, IIR priorities, FCR and
 * LSR semantics, loopback wiring), Linux drivers/tty/serial/8250 (what the
 * guest expects), and QEMU's observable behaviour on virt (reset values of
 * MSR and the divisor, accesses wider than a byte).  No QEMU code.
 *
 * Model:
 * - Transmission is instantaneous: a THR write goes to the back end (or, in
 *   loopback, to the receiver) at once, so LSR.THRE/TEMT read as 1 again
 *   before the guest can look and the TX FIFO never holds anything; FCR's
 *   "clear TX FIFO" has nothing to clear.  Baud rate and LCR framing are
 *   stored and read back but do not affect timing.
 * - The RX FIFO holds 16 bytes when FCR.0 enables the FIFOs, 1 (the RBR)
 *   otherwise.  A byte arriving at a full FIFO sets LSR.OE and is lost; in
 *   non-FIFO mode it overwrites the RBR instead (datasheet).
 * - Interrupts, highest priority first: receiver line status (OE; we never
 *   make parity/framing/break errors), received data, THR empty, modem
 *   status.  In FIFO mode "received data" is IIR 0x04 at or above the
 *   trigger level and the character timeout IIR 0x0c below it.  There is
 *   no timer yet, so the timeout is reported at once instead of four
 *   character times later; drivers treat 0x04 and 0x0c alike.
 * - THRE interrupt: pending after every transmit and whenever IER.THRI goes
 *   0 -> 1 while THR is empty (Linux's start_tx relies on it); cleared by
 *   an IIR read that reports it, a THR write, or clearing IER.THRI.
 * - The modem inputs from the host are constant CTS, DSR and DCD.  In
 *   loopback (MCR.4) they are DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD, the
 *   transmitter feeds the receiver and the back end sees nothing.
 * - Accesses of 1-8 bytes are allowed at naturally aligned offsets; each
 *   touches only the register at its offset (the low byte of a write, a
 *   zero-extended read), as QEMU does, never the neighbours.  Offsets
 *   8-0xff read as zero and ignore writes.
 *
 * Invariants: 0 <= rx_head < 16 and 0 <= rx_count <= rx capacity at all
 * times; every ring index is reduced modulo the array size, so no guest
 * value can index outside rx[].  The irq output always equals
 * "IIR says an interrupt is pending" after every register access and
 * every byte received (serial_update_irq is the only place that drives it).
 */
#include <glib.h>

#include "hw/char/serial-16550.h"
#include "rove/chardev.h"

typedef struct Serial16550 {
    Device parent;
    CharBackend *chr;        /* "chardev" link; may be NULL */
    MemoryRegion mmio;
    IrqLine *irq;            /* output 0 */
    int irq_level;           /* last level driven, -1 before the first */

    uint16_t divisor;
    uint8_t ier;
    uint8_t lcr;
    uint8_t mcr;
    uint8_t lsr;
    uint8_t msr;
    uint8_t scr;
    uint8_t fcr;             /* ENABLE | DMA | TRIG bits; the clear bits self-clear */
    bool thr_ipending;

    uint8_t rx[SERIAL_16550_FIFO_SIZE];
    unsigned rx_head;        /* oldest byte, < SERIAL_16550_FIFO_SIZE */
    unsigned rx_count;       /* <= serial_rx_capacity() */
} Serial16550;

static const uint8_t serial_rx_trigger[4] = { 1, 4, 8, 14 };

static bool serial_fifo_enabled(const Serial16550 *s)
{
    return (s->fcr & UART_FCR_ENABLE) != 0;
}

static unsigned serial_rx_capacity(const Serial16550 *s)
{
    return serial_fifo_enabled(s) ? SERIAL_16550_FIFO_SIZE : 1;
}

static uint8_t serial_iir(const Serial16550 *s)
{
    uint8_t iir;
    if ((s->ier & UART_IER_RLSI) &&
        (s->lsr & (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI))) {
        iir = UART_IIR_RLSI;
    } else if ((s->ier & UART_IER_RDI) && s->rx_count > 0) {
        iir = UART_IIR_RDI;
        if (serial_fifo_enabled(s) &&
            s->rx_count < serial_rx_trigger[(s->fcr & UART_FCR_TRIG_MASK) >> 6]) {
            iir = UART_IIR_CTI;
        }
    } else if ((s->ier & UART_IER_THRI) && s->thr_ipending) {
        iir = UART_IIR_THRI;
    } else if ((s->ier & UART_IER_MSI) && (s->msr & 0x0f)) {
        iir = UART_IIR_MSI;
    } else {
        iir = UART_IIR_NO_INT;
    }
    if (serial_fifo_enabled(s)) {
        iir |= UART_IIR_FIFO;
    }
    return iir;
}

static void serial_update_irq(Serial16550 *s)
{
    int level = !(serial_iir(s) & UART_IIR_NO_INT);
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(s->irq, level);
    }
}

/* The modem input lines as the receiver sees them (MSR bits 7:4). */
static uint8_t serial_modem_inputs(const Serial16550 *s)
{
    if (!(s->mcr & UART_MCR_LOOP)) {
        return UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
    }
    uint8_t in = 0;
    if (s->mcr & UART_MCR_DTR) {
        in |= UART_MSR_DSR;
    }
    if (s->mcr & UART_MCR_RTS) {
        in |= UART_MSR_CTS;
    }
    if (s->mcr & UART_MCR_OUT1) {
        in |= UART_MSR_RI;
    }
    if (s->mcr & UART_MCR_OUT2) {
        in |= UART_MSR_DCD;
    }
    return in;
}

/* Latch new modem inputs into MSR, setting the delta bits for what changed. */
static void serial_update_msr(Serial16550 *s)
{
    uint8_t now = serial_modem_inputs(s);
    uint8_t old = s->msr & 0xf0;
    uint8_t delta = s->msr & 0x0f;
    uint8_t changed = now ^ old;
    if (changed & UART_MSR_CTS) {
        delta |= UART_MSR_DCTS;
    }
    if (changed & UART_MSR_DSR) {
        delta |= UART_MSR_DDSR;
    }
    if (changed & UART_MSR_DCD) {
        delta |= UART_MSR_DDCD;
    }
    if ((old & UART_MSR_RI) && !(now & UART_MSR_RI)) {
        delta |= UART_MSR_TERI; /* trailing edge only */
    }
    s->msr = now | delta;
}

static void serial_rx_clear(Serial16550 *s)
{
    s->rx_head = 0;
    s->rx_count = 0;
    s->lsr &= ~UART_LSR_DR;
}

/* One byte into the receiver; the caller updates the irq line. */
static void serial_rx_byte(Serial16550 *s, uint8_t b)
{
    if (s->rx_count >= serial_rx_capacity(s)) {
        s->lsr |= UART_LSR_OE;
        if (!serial_fifo_enabled(s)) {
            s->rx[s->rx_head % SERIAL_16550_FIFO_SIZE] = b; /* the RBR is overwritten */
        }
    } else {
        s->rx[(s->rx_head + s->rx_count) % SERIAL_16550_FIFO_SIZE] = b;
        s->rx_count++;
    }
    s->lsr |= UART_LSR_DR;
}

static uint8_t serial_rx_pop(Serial16550 *s)
{
    if (s->rx_count == 0) {
        return 0;
    }
    uint8_t b = s->rx[s->rx_head % SERIAL_16550_FIFO_SIZE];
    s->rx_head = (s->rx_head + 1) % SERIAL_16550_FIFO_SIZE;
    s->rx_count--;
    if (s->rx_count == 0) {
        s->lsr &= ~UART_LSR_DR;
    }
    return b;
}

static void serial_transmit(Serial16550 *s, uint8_t b)
{
    s->thr_ipending = false;
    if (s->mcr & UART_MCR_LOOP) {
        serial_rx_byte(s, b);
    } else {
        char_backend_write(s->chr, &b, 1);
    }
    /* Sent at once: THR and the shift register are empty again. */
    s->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
    s->thr_ipending = true;
}

/* Room appeared in the receiver: the back end may push again. */
static void serial_accept_input(Serial16550 *s)
{
    if (!(s->mcr & UART_MCR_LOOP)) {
        char_backend_accept_input(s->chr);
    }
}

static void serial_write_fcr(Serial16550 *s, uint8_t v)
{
    if ((v ^ s->fcr) & UART_FCR_ENABLE) {
        serial_rx_clear(s); /* changing mode empties both FIFOs */
    }
    if (!(v & UART_FCR_ENABLE)) {
        s->fcr = 0;         /* the other bits are not programmed without FCR.0 */
        return;
    }
    if (v & UART_FCR_CLEAR_RX) {
        serial_rx_clear(s);
    }
    s->fcr = v & (UART_FCR_ENABLE | UART_FCR_DMA | UART_FCR_TRIG_MASK);
}

static MemTxResult serial_read(void *opaque, uint64_t offset, uint64_t *value, unsigned size)
{
    Serial16550 *s = opaque;
    bool dlab = (s->lcr & UART_LCR_DLAB) != 0;
    bool room = false;
    uint8_t v = 0;

    switch (offset) {
    case UART_RBR:
        if (dlab) {
            v = s->divisor & 0xff;
        } else {
            room = s->rx_count > 0;
            v = serial_rx_pop(s);
        }
        break;
    case UART_IER:
        v = dlab ? s->divisor >> 8 : s->ier;
        break;
    case UART_IIR:
        v = serial_iir(s);
        if ((v & 0x0f) == UART_IIR_THRI) {
            s->thr_ipending = false; /* reading the IIR that reports THRE clears it */
        }
        break;
    case UART_LCR:
        v = s->lcr;
        break;
    case UART_MCR:
        v = s->mcr;
        break;
    case UART_LSR:
        v = s->lsr;
        s->lsr &= ~(UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI | UART_LSR_FIFOE);
        break;
    case UART_MSR:
        v = s->msr;
        s->msr &= 0xf0;
        break;
    case UART_SCR:
        v = s->scr;
        break;
    default:
        break;  /* 8..0xff: read as zero */
    }
    serial_update_irq(s);
    if (room) {
        serial_accept_input(s);
    }
    *value = v;
    return MEMTX_OK;
}

static MemTxResult serial_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Serial16550 *s = opaque;
    bool dlab = (s->lcr & UART_LCR_DLAB) != 0;
    bool room = false;
    uint8_t v = (uint8_t)value;

    switch (offset) {
    case UART_THR:
        if (dlab) {
            s->divisor = (uint16_t)((s->divisor & 0xff00) | v);
        } else {
            serial_transmit(s, v);
        }
        break;
    case UART_IER:
        if (dlab) {
            s->divisor = (uint16_t)((s->divisor & 0x00ff) | (v << 8));
        } else {
            uint8_t old = s->ier;
            s->ier = v & 0x0f;
            if (!(s->ier & UART_IER_THRI)) {
                s->thr_ipending = false;
            } else if (!(old & UART_IER_THRI) && (s->lsr & UART_LSR_THRE)) {
                s->thr_ipending = true;
            }
        }
        break;
    case UART_FCR: {
        unsigned before = s->rx_count;
        serial_write_fcr(s, v);
        room = s->rx_count < before;
        break;
    }
    case UART_LCR:
        s->lcr = v;
        break;
    case UART_MCR: {
        bool was_loop = (s->mcr & UART_MCR_LOOP) != 0;
        s->mcr = v & 0x1f;
        serial_update_msr(s);
        room = was_loop && !(s->mcr & UART_MCR_LOOP);
        break;
    }
    case UART_SCR:
        s->scr = v;
        break;
    default:
        break;  /* LSR and MSR are read-only; 8..0xff ignore writes */
    }
    serial_update_irq(s);
    if (room) {
        serial_accept_input(s);
    }
    return MEMTX_OK;
}

static const MemoryRegionOps serial_ops = {
    .read = serial_read,
    .write = serial_write,
    .min_access_size = 1,
    .max_access_size = 8,
    .unaligned = false,
};

/* ---- The back end's side ---- */

static size_t serial_can_receive(void *opaque)
{
    Serial16550 *s = opaque;
    if (s->mcr & UART_MCR_LOOP) {
        return 0; /* the serial input is disconnected in loopback */
    }
    return serial_rx_capacity(s) - s->rx_count;
}

static void serial_receive(void *opaque, const uint8_t *buf, size_t len)
{
    Serial16550 *s = opaque;
    if (s->mcr & UART_MCR_LOOP) {
        return;
    }
    for (size_t i = 0; i < len; i++) {
        serial_rx_byte(s, buf[i]);
    }
    serial_update_irq(s);
}

static const CharFrontendOps serial_fe_ops = {
    .can_receive = serial_can_receive,
    .receive = serial_receive,
};

/* ---- Device ---- */

static void serial_init(Device *dev)
{
    Serial16550 *s = (Serial16550 *)dev;
    memory_region_init_io(&s->mmio, TYPE_SERIAL_16550, &serial_ops, s, SERIAL_16550_MMIO_SIZE);
    device_init_mmio(dev, &s->mmio);
    device_init_irqs_out(dev, &s->irq, 1);
    s->irq_level = -1;
}

static bool serial_realize(Device *dev, GError **errp)
{
    Serial16550 *s = (Serial16550 *)dev;
    if (s->chr && s->chr->fe_ops) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_REALIZE,
                    "%s: the chardev already has a front end", dev->type->name);
        return false;
    }
    char_backend_attach(s->chr, &serial_fe_ops, s);
    return true;
}

static void serial_reset(Device *dev)
{
    Serial16550 *s = (Serial16550 *)dev;
    s->divisor = 0x0c; /* 9600 baud from 1.8432 MHz; undefined on real parts */
    s->ier = 0;
    s->lcr = 0;
    s->mcr = UART_MCR_OUT2; /* as QEMU's 16550 resets (drivers read it back) */
    s->fcr = 0;
    s->scr = 0;
    s->lsr = UART_LSR_THRE | UART_LSR_TEMT;
    s->msr = serial_modem_inputs(s); /* no deltas after reset */
    s->thr_ipending = false;
    serial_rx_clear(s);
    s->irq_level = -1;  /* drive the line once, whatever it was */
    serial_update_irq(s);
    serial_accept_input(s);
}

static void serial_finalize(Device *dev)
{
    Serial16550 *s = (Serial16550 *)dev;
    if (dev->realized && s->chr && s->chr->fe_opaque == s) {
        char_backend_detach(s->chr);
    }
    memory_region_destroy(&s->mmio);
}

static const Property serial_props[] = {
    DEFINE_PROP_PTR("chardev", Serial16550, chr, "CharBackend * for the host side"),
    DEFINE_PROP_END,
};

static const DeviceType serial_16550_type = {
    .name = TYPE_SERIAL_16550,
    .help = "16550A UART with 16-byte FIFOs (1-byte registers, regshift 0)",
    .instance_size = sizeof(Serial16550),
    .props = serial_props,
    .init = serial_init,
    .realize = serial_realize,
    .reset = serial_reset,
    .finalize = serial_finalize,
};

void serial_16550_register_types(DeviceRegistry *reg)
{
    device_type_register(reg, &serial_16550_type);
}
