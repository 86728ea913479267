/*
 * The ns16550a UART (hw/char/serial-16550.c): type name, registry hook,
 * and the register map for machines and tests.
 *
 * Device "ns16550a": one MMIO region of SERIAL_16550_MMIO_SIZE bytes
 * (registers at byte offsets 0-7, regshift 0), one irq output (0), and a
 * link property "chardev" (a CharBackend *, include/rove/chardev.h).
 */
#ifndef HW_CHAR_SERIAL_16550_H
#define HW_CHAR_SERIAL_16550_H

#include "rove/qdev.h"

#define TYPE_SERIAL_16550 "ns16550a"
#define SERIAL_16550_MMIO_SIZE 0x100
#define SERIAL_16550_FIFO_SIZE 16

/* Register offsets (regshift 0).  DLL/DLM replace RBR-THR/IER when LCR.DLAB is set. */
enum {
    UART_RBR = 0, /* read: receive buffer */
    UART_THR = 0, /* write: transmit holding */
    UART_DLL = 0,
    UART_IER = 1,
    UART_DLM = 1,
    UART_IIR = 2, /* read */
    UART_FCR = 2, /* write */
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    UART_MSR = 6,
    UART_SCR = 7,
};

enum {
    UART_IER_RDI = 0x01,  /* received data available (and character timeout) */
    UART_IER_THRI = 0x02, /* transmit holding register empty */
    UART_IER_RLSI = 0x04, /* receiver line status */
    UART_IER_MSI = 0x08,  /* modem status */

    UART_IIR_NO_INT = 0x01,
    UART_IIR_MSI = 0x00,
    UART_IIR_THRI = 0x02,
    UART_IIR_RDI = 0x04,
    UART_IIR_RLSI = 0x06,
    UART_IIR_CTI = 0x0c,   /* character timeout (FIFO mode) */
    UART_IIR_FIFO = 0xc0,  /* both set when the FIFOs are enabled */

    UART_FCR_ENABLE = 0x01,
    UART_FCR_CLEAR_RX = 0x02,
    UART_FCR_CLEAR_TX = 0x04,
    UART_FCR_DMA = 0x08,
    UART_FCR_TRIG_MASK = 0xc0, /* RX trigger 1, 4, 8, 14 bytes */

    UART_LCR_DLAB = 0x80,

    UART_MCR_DTR = 0x01,
    UART_MCR_RTS = 0x02,
    UART_MCR_OUT1 = 0x04,
    UART_MCR_OUT2 = 0x08,
    UART_MCR_LOOP = 0x10,

    UART_LSR_DR = 0x01,
    UART_LSR_OE = 0x02,
    UART_LSR_PE = 0x04,
    UART_LSR_FE = 0x08,
    UART_LSR_BI = 0x10,
    UART_LSR_THRE = 0x20,
    UART_LSR_TEMT = 0x40,
    UART_LSR_FIFOE = 0x80,

    UART_MSR_DCTS = 0x01,
    UART_MSR_DDSR = 0x02,
    UART_MSR_TERI = 0x04,
    UART_MSR_DDCD = 0x08,
    UART_MSR_CTS = 0x10,
    UART_MSR_DSR = 0x20,
    UART_MSR_RI = 0x40,
    UART_MSR_DCD = 0x80,
};

void serial_16550_register_types(DeviceRegistry *reg);

#endif /* HW_CHAR_SERIAL_16550_H */
