/*
 * Unit tests for the ns16550a UART (hw/char/serial-16550.c), driven through
 * address_space_* on a small address space and an in-memory CharBackend:
 * reset values, the divisor latch, transmit, RX FIFO order and overrun
 * (FIFO and non-FIFO), IIR priorities and the irq line as IER changes,
 * LSR bits, FCR enable/clear/trigger levels, modem status deltas,
 * loopback, access sizes, flow control towards the back end, and a random
 * register storm that must keep the FIFO bookkeeping sane.
 */
#include <glib.h>
#include <string.h>

#include "hw/char/serial-16550.h"
#include "hw-test-bus.h"
#include "rove/chardev.h"

#define BASE 0x10000000u

/* ---- An in-memory back end ---- */

typedef struct MemChar {
    CharBackend be;
    GByteArray *out;   /* what the guest transmitted */
    int accepts;       /* accept_input calls */
} MemChar;

static void memchar_write(CharBackend *be, const uint8_t *buf, size_t len)
{
    MemChar *m = be->opaque;
    g_byte_array_append(m->out, buf, (guint)len);
}

static void memchar_accept(CharBackend *be)
{
    ((MemChar *)be->opaque)->accepts++;
}

/* ---- Fixture: the UART at BASE, its irq into a sink ---- */

typedef struct Fix {
    DeviceRegistry *reg;
    Device *dev;
    TestBus bus;
    MemChar chr;
    IrqLine sink;
    int level;
    int edges;
} Fix;

static void sink_handler(void *opaque, int n, int level)
{
    Fix *f = opaque;
    if (level != f->level) {
        f->edges++;
    }
    f->level = level;
}

static Fix *fix_new(void)
{
    Fix *f = g_new0(Fix, 1);
    GError *err = NULL;
    f->chr.be.write = memchar_write;
    f->chr.be.accept_input = memchar_accept;
    f->chr.be.opaque = &f->chr;
    f->chr.out = g_byte_array_new();
    f->level = -1;
    irq_init(&f->sink, sink_handler, f, 0);

    f->reg = device_registry_new();
    serial_16550_register_types(f->reg);
    f->dev = device_new(f->reg, TYPE_SERIAL_16550, &err);
    g_assert_no_error(err);
    g_assert_true(device_set_prop_ptr(f->dev, "chardev", &f->chr.be, &err));
    g_assert_true(device_connect_irq_out(f->dev, 0, &f->sink, &err));
    g_assert_true(device_realize(f->dev, &err));
    g_assert_no_error(err);

    test_bus_init(&f->bus, f->dev, BASE);
    return f;
}

static void fix_free(Fix *f)
{
    test_bus_destroy(&f->bus);
    device_free(f->dev);
    device_registry_free(f->reg);
    g_byte_array_unref(f->chr.out);
    g_free(f);
}

static uint8_t rd(Fix *f, unsigned reg)
{
    uint8_t v = 0xee;
    g_assert_cmpint(address_space_ldub(&f->bus.as, BASE + reg, &v), ==, MEMTX_OK);
    return v;
}

static void wr(Fix *f, unsigned reg, uint8_t v)
{
    g_assert_cmpint(address_space_stb(&f->bus.as, BASE + reg, v), ==, MEMTX_OK);
}

static void push(Fix *f, const char *bytes, size_t len)
{
    char_backend_receive(&f->chr.be, (const uint8_t *)bytes, len);
}

/* ---- Tests ---- */

static void test_reset_values(void)
{
    Fix *f = fix_new();
    g_assert_cmpint(f->level, ==, 0); /* realize's reset drove the line low */
    g_assert_cmphex(rd(f, UART_IER), ==, 0);
    g_assert_cmphex(rd(f, UART_IIR), ==, UART_IIR_NO_INT);
    g_assert_cmphex(rd(f, UART_LCR), ==, 0);
    g_assert_cmphex(rd(f, UART_MCR), ==, UART_MCR_OUT2); /* QEMU's reset value */
    g_assert_cmphex(rd(f, UART_LSR), ==, UART_LSR_THRE | UART_LSR_TEMT);
    g_assert_cmphex(rd(f, UART_MSR), ==, UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
    g_assert_cmphex(rd(f, UART_SCR), ==, 0);
    g_assert_cmphex(rd(f, UART_RBR), ==, 0);   /* empty receiver */
    g_assert_cmpuint(char_backend_can_receive(&f->chr.be), ==, 1);

    /* Dirty everything, reset, and the power-on values come back. */
    wr(f, UART_FCR, UART_FCR_ENABLE);
    wr(f, UART_IER, 0x0f);
    wr(f, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR);
    wr(f, UART_SCR, 0x5a);
    wr(f, UART_LCR, 0x1b);
    wr(f, UART_THR, 'q'); /* loops back into the RX FIFO */
    g_assert_cmpint(f->level, ==, 1);
    device_reset(f->dev);
    g_assert_cmpint(f->level, ==, 0);
    g_assert_cmphex(rd(f, UART_IER), ==, 0);
    g_assert_cmphex(rd(f, UART_IIR), ==, UART_IIR_NO_INT);
    g_assert_cmphex(rd(f, UART_LCR), ==, 0);
    g_assert_cmphex(rd(f, UART_MCR), ==, UART_MCR_OUT2);
    g_assert_cmphex(rd(f, UART_LSR), ==, UART_LSR_THRE | UART_LSR_TEMT);
    g_assert_cmphex(rd(f, UART_MSR), ==, UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
    g_assert_cmphex(rd(f, UART_SCR), ==, 0);
    fix_free(f);
}

static void test_divisor_latch(void)
{
    Fix *f = fix_new();
    wr(f, UART_LCR, UART_LCR_DLAB | 0x03);
    wr(f, UART_DLL, 0x34);
    wr(f, UART_DLM, 0x12);
    g_assert_cmphex(rd(f, UART_DLL), ==, 0x34);
    g_assert_cmphex(rd(f, UART_DLM), ==, 0x12);
    g_assert_cmphex(rd(f, UART_LCR), ==, 0x83);
    g_assert_cmpuint(f->chr.out->len, ==, 0);  /* DLL writes are not transmitted */
    wr(f, UART_LCR, 0x03);
    g_assert_cmphex(rd(f, UART_IER), ==, 0);   /* IER untouched by the DLM write */
    wr(f, UART_IER, UART_IER_RDI);
    wr(f, UART_THR, 'A');
    g_assert_cmpuint(f->chr.out->len, ==, 1);
    g_assert_cmpint(f->chr.out->data[0], ==, 'A');
    push(f, "z", 1);
    g_assert_cmphex(rd(f, UART_RBR), ==, 'z');
    wr(f, UART_LCR, UART_LCR_DLAB);
    g_assert_cmphex(rd(f, UART_DLL), ==, 0x34); /* neither THR nor IER reached the latch */
    g_assert_cmphex(rd(f, UART_DLM), ==, 0x12);
    fix_free(f);
}

static void test_transmit(void)
{
    Fix *f = fix_new();
    const char *msg = "hello, world\n";
    for (const char *p = msg; *p; p++) {
        g_assert_cmphex(rd(f, UART_LSR) & UART_LSR_THRE, !=, 0);
        wr(f, UART_THR, (uint8_t)*p);
    }
    g_assert_cmpuint(f->chr.out->len, ==, strlen(msg));
    g_assert_cmpmem(f->chr.out->data, f->chr.out->len, msg, strlen(msg));
    g_assert_cmphex(rd(f, UART_LSR), ==, UART_LSR_THRE | UART_LSR_TEMT);
    fix_free(f);
}

static void test_fifo_order_overrun(void)
{
    Fix *f = fix_new();
    wr(f, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX);
    g_assert_cmpuint(char_backend_can_receive(&f->chr.be), ==, 16);
    char buf[17];
    for (int i = 0; i < 17; i++) {
        buf[i] = (char)('a' + i);
    }
    push(f, buf, 10);
    g_assert_cmpuint(char_backend_can_receive(&f->chr.be), ==, 6);
    g_assert_cmphex(rd(f, UART_LSR), ==, UART_LSR_DR | UART_LSR_THRE | UART_LSR_TEMT);
    push(f, buf + 10, 7); /* one more than fits: the 17th is lost */
    g_assert_cmpuint(char_backend_can_receive(&f->chr.be), ==, 0);
    g_assert_cmphex(rd(f, UART_LSR), ==,
                    UART_LSR_DR | UART_LSR_OE | UART_LSR_THRE | UART_LSR_TEMT);
    g_assert_cmphex(rd(f, UART_LSR) & UART_LSR_OE, ==, 0); /* reading LSR cleared OE */
    int accepts = f->chr.accepts;
    for (int i = 0; i < 16; i++) {
        g_assert_cmphex(rd(f, UART_LSR) & UART_LSR_DR, ==, UART_LSR_DR);
        g_assert_cmphex(rd(f, UART_RBR), ==, (uint8_t)('a' + i));
    }
    g_assert_cmphex(rd(f, UART_LSR) & UART_LSR_DR, ==, 0);
    g_assert_cmpint(f->chr.accepts, >=, accepts + 1); /* the back end was told */
    g_assert_cmpuint(char_backend_can_receive(&f->chr.be), ==, 16);
    fix_free(f);
}

static void test_nonfifo_overrun(void)
{
    Fix *f = fix_new();
    push(f, "a", 1);
    g_assert_cmpuint(char_backend_can_receive(&f->chr.be), ==, 0);
    push(f, "b", 1); /* overwrites the RBR */
    g_assert_cmphex(rd(f, UART_LSR), ==,
                    UART_LSR_DR | UART_LSR_OE | UART_LSR_THRE | UART_LSR_TEMT);
    g_assert_cmphex(rd(f, UART_RBR), ==, 'b');
    g_assert_cmphex(rd(f, UART_LSR), ==, UART_LSR_THRE | UART_LSR_TEMT);
    g_assert_cmpuint(char_backend_can_receive(&f->chr.be), ==, 1);
    fix_free(f);
}

static void test_fcr(void)
{
    Fix *f = fix_new();
    /* FCR bits other than ENABLE are not programmed without it. */
    wr(f, UART_FCR, 0xc0);
    g_assert_cmphex(rd(f, UART_IIR), ==, UART_IIR_NO_INT);
    wr(f, UART_FCR, UART_FCR_ENABLE);
    g_assert_cmphex(rd(f, UART_IIR), ==, UART_IIR_FIFO | UART_IIR_NO_INT);
    push(f, "abc", 3);
    wr(f, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX);
    g_assert_cmphex(rd(f, UART_LSR) & UART_LSR_DR, ==, 0);
    g_assert_cmpuint(char_backend_can_receive(&f->chr.be), ==, 16);
    push(f, "abc", 3);
    wr(f, UART_FCR, 0); /* leaving FIFO mode empties the FIFO */
    g_assert_cmphex(rd(f, UART_LSR) & UART_LSR_DR, ==, 0);
    g_assert_cmphex(rd(f, UART_IIR), ==, UART_IIR_NO_INT);

    /* Trigger levels 1, 4, 8, 14: RDI at the level, timeout (CTI) below it. */
    static const unsigned levels[4] = { 1, 4, 8, 14 };
    wr(f, UART_IER, UART_IER_RDI);
    for (unsigned t = 0; t < 4; t++) {
        wr(f, UART_FCR, (uint8_t)(UART_FCR_ENABLE | UART_FCR_CLEAR_RX | (t << 6)));
        for (unsigned n = 1; n <= 16; n++) {
            push(f, "x", 1);
            uint8_t want = n >= levels[t] ? UART_IIR_RDI : UART_IIR_CTI;
            g_assert_cmphex(rd(f, UART_IIR), ==, UART_IIR_FIFO | want);
            g_assert_cmpint(f->level, ==, 1);
        }
    }
    fix_free(f);
}

static void test_iir_priorities(void)
{
    Fix *f = fix_new();
    wr(f, UART_FCR, UART_FCR_ENABLE | 0x40); /* trigger 4 */
    g_assert_cmpint(f->level, ==, 0);
    g_assert_cmphex(rd(f, UART_IIR), ==, 0xc1);

    /* THRE: enabling THRI with an empty THR interrupts at once. */
    wr(f, UART_IER, UART_IER_THRI);
    g_assert_cmpint(f->level, ==, 1);
    g_assert_cmphex(rd(f, UART_IIR), ==, 0xc2); /* reading it clears it */
    g_assert_cmpint(f->level, ==, 0);
    g_assert_cmphex(rd(f, UART_IIR), ==, 0xc1);
    wr(f, UART_THR, '!'); /* THR empties again: pending again */
    g_assert_cmpint(f->level, ==, 1);
    wr(f, UART_IER, 0);   /* masked */
    g_assert_cmpint(f->level, ==, 0);
    wr(f, UART_IER, UART_IER_THRI); /* re-enabling re-asserts (Linux's THRE test) */
    g_assert_cmpint(f->level, ==, 1);

    /* Received data outranks THRE; RLS (overrun) outranks both. */
    wr(f, UART_IER, UART_IER_RDI | UART_IER_THRI | UART_IER_RLSI);
    push(f, "ab", 2);
    g_assert_cmphex(rd(f, UART_IIR), ==, 0xcc); /* below the trigger: timeout */
    push(f, "cd", 2);
    g_assert_cmphex(rd(f, UART_IIR), ==, 0xc4);
    push(f, "efghijklmnopq", 13); /* 17 in all: overrun */
    g_assert_cmphex(rd(f, UART_IIR), ==, 0xc6);
    g_assert_cmphex(rd(f, UART_IIR), ==, 0xc6); /* IIR does not clear RLS... */
    rd(f, UART_LSR);                             /* ...reading LSR does */
    g_assert_cmphex(rd(f, UART_IIR), ==, 0xc4);
    wr(f, UART_IER, UART_IER_THRI);              /* data masked: THRE shows */
    g_assert_cmphex(rd(f, UART_IIR), ==, 0xc2);
    g_assert_cmphex(rd(f, UART_IIR), ==, 0xc1);
    g_assert_cmpint(f->level, ==, 0);
    wr(f, UART_IER, UART_IER_RDI);
    g_assert_cmpint(f->level, ==, 1);
    for (int i = 0; i < 16; i++) {
        rd(f, UART_RBR);
    }
    g_assert_cmpint(f->level, ==, 0);            /* reading RBR empties it */
    g_assert_cmphex(rd(f, UART_IIR), ==, 0xc1);

    /* RLS masked by IER: an overrun alone does not interrupt. */
    wr(f, UART_IER, 0);
    wr(f, UART_FCR, 0);
    push(f, "xy", 2);
    g_assert_cmpint(f->level, ==, 0);
    wr(f, UART_IER, UART_IER_RLSI);
    g_assert_cmpint(f->level, ==, 1);
    g_assert_cmphex(rd(f, UART_IIR), ==, 0x06);  /* no FIFO bits in 16450 mode */
    fix_free(f);
}

static void test_modem_status_loopback(void)
{
    Fix *f = fix_new();
    wr(f, UART_IER, UART_IER_MSI);
    g_assert_cmpint(f->level, ==, 0);
    /* Loopback with all outputs off: CTS, DSR, DCD drop -> three deltas. */
    wr(f, UART_MCR, UART_MCR_LOOP);
    g_assert_cmpint(f->level, ==, 1);
    g_assert_cmphex(rd(f, UART_IIR), ==, UART_IIR_MSI);
    g_assert_cmphex(rd(f, UART_MSR), ==, UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
    g_assert_cmpint(f->level, ==, 0); /* reading MSR cleared the deltas */
    g_assert_cmphex(rd(f, UART_MSR), ==, 0);

    /* Linux's 8250 loopback probe: RTS | OUT2 must read back as CTS | DCD. */
    wr(f, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_OUT2);
    g_assert_cmphex(rd(f, UART_MSR) & 0xf0, ==, 0x90);
    wr(f, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT1);
    g_assert_cmphex(rd(f, UART_MSR), ==,
                    UART_MSR_DSR | UART_MSR_RI | UART_MSR_DCTS | UART_MSR_DDSR |
                    UART_MSR_DDCD);
    wr(f, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR); /* RI trailing edge */
    g_assert_cmphex(rd(f, UART_MSR), ==, UART_MSR_DSR | UART_MSR_TERI);

    /* Data loops back; the back end sees nothing and cannot send. */
    wr(f, UART_IER, UART_IER_RDI);
    g_assert_cmpuint(char_backend_can_receive(&f->chr.be), ==, 0);
    push(f, "!", 1); /* ignored in loopback */
    g_assert_cmphex(rd(f, UART_LSR) & UART_LSR_DR, ==, 0);
    wr(f, UART_THR, 'L');
    g_assert_cmpuint(f->chr.out->len, ==, 0);
    g_assert_cmpint(f->level, ==, 1);
    g_assert_cmphex(rd(f, UART_LSR) & UART_LSR_DR, ==, UART_LSR_DR);
    g_assert_cmphex(rd(f, UART_RBR), ==, 'L');
    g_assert_cmpint(f->level, ==, 0);

    /* Back to normal: inputs return (deltas), the back end may send. */
    int accepts = f->chr.accepts;
    wr(f, UART_MCR, 0);
    g_assert_cmpint(f->chr.accepts, ==, accepts + 1);
    g_assert_cmphex(rd(f, UART_MSR), ==, UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD |
                    UART_MSR_DCTS | UART_MSR_DDCD);
    wr(f, UART_THR, 'N');
    g_assert_cmpuint(f->chr.out->len, ==, 1);
    fix_free(f);
}

static void test_access_sizes(void)
{
    Fix *f = fix_new();
    uint32_t v32;
    uint64_t v64;
    wr(f, UART_MCR, 0x03);
    wr(f, UART_SCR, 0x77);
    /* A wide access touches only the register at its offset. */
    g_assert_cmpint(address_space_ldl(&f->bus.as, BASE + 4, &v32), ==, MEMTX_OK);
    g_assert_cmphex(v32, ==, 0x03);
    g_assert_cmpint(address_space_ldq(&f->bus.as, BASE + 0, &v64), ==, MEMTX_OK);
    g_assert_cmphex(v64, ==, 0);
    g_assert_cmpint(address_space_stl(&f->bus.as, BASE + 4, 0xffffff01), ==, MEMTX_OK);
    g_assert_cmphex(rd(f, UART_MCR), ==, 0x01);
    g_assert_cmphex(rd(f, UART_SCR), ==, 0x77);
    /* Misaligned wide accesses are bus errors; bytes past 7 read as zero. */
    g_assert_cmpint(address_space_ldl(&f->bus.as, BASE + 5, &v32), ==, MEMTX_ERROR);
    for (unsigned off = 8; off < SERIAL_16550_MMIO_SIZE; off++) {
        wr(f, off, 0xff);
        g_assert_cmphex(rd(f, off), ==, 0);
    }
    g_assert_cmphex(rd(f, UART_SCR), ==, 0x77);
    uint8_t b;
    g_assert_cmpint(address_space_ldub(&f->bus.as, BASE + SERIAL_16550_MMIO_SIZE, &b), ==,
                    MEMTX_DECODE_ERROR);
    fix_free(f);
}

/* Random register writes, reads and pushes: the receiver never claims more than it holds. */
static void test_random_storm(void)
{
    Fix *f = fix_new();
    GRand *r = g_rand_new_with_seed(0x16550);
    for (int i = 0; i < 20000; i++) {
        unsigned off = g_rand_int_range(r, 0, 10);
        switch (g_rand_int_range(r, 0, 3)) {
        case 0:
            wr(f, off, (uint8_t)g_rand_int(r));
            break;
        case 1:
            rd(f, off);
            break;
        default: {
            uint8_t buf[20];
            size_t n = g_rand_int_range(r, 0, 21);
            for (size_t k = 0; k < n; k++) {
                buf[k] = (uint8_t)g_rand_int(r);
            }
            char_backend_receive(&f->chr.be, buf, n);
            break;
        }
        }
        g_assert_cmpuint(char_backend_can_receive(&f->chr.be), <=, SERIAL_16550_FIFO_SIZE);
    }
    /* Drain: at most 16 reads empty the receiver; IIR agrees with the line. */
    wr(f, UART_LCR, 0);
    wr(f, UART_MCR, 0);
    int n = 0;
    while (rd(f, UART_LSR) & UART_LSR_DR) {
        rd(f, UART_RBR);
        g_assert_cmpint(++n, <=, SERIAL_16550_FIFO_SIZE);
    }
    int level = f->level;
    g_assert_cmpint(level, ==, !(rd(f, UART_IIR) & UART_IIR_NO_INT));
    g_rand_free(r);
    fix_free(f);
}

static void test_chardev_in_use(void)
{
    Fix *f = fix_new();
    GError *err = NULL;
    Device *d2 = device_new(f->reg, TYPE_SERIAL_16550, &err);
    g_assert_true(device_set_prop_ptr(d2, "chardev", &f->chr.be, &err));
    g_assert_false(device_realize(d2, &err));
    g_assert_error(err, DEVICE_ERROR, DEVICE_ERROR_REALIZE);
    g_clear_error(&err);
    device_free(d2);
    /* The first UART still owns the back end. */
    push(f, "k", 1);
    g_assert_cmphex(rd(f, UART_RBR), ==, 'k');

    /* A UART with no back end: output vanishes, nothing crashes. */
    Device *d3 = device_new(f->reg, TYPE_SERIAL_16550, &err);
    g_assert_true(device_realize(d3, &err));
    g_assert_no_error(err);
    device_free(d3);
    fix_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/serial/reset-values", test_reset_values);
    g_test_add_func("/serial/divisor-latch", test_divisor_latch);
    g_test_add_func("/serial/transmit", test_transmit);
    g_test_add_func("/serial/fifo-order-overrun", test_fifo_order_overrun);
    g_test_add_func("/serial/nonfifo-overrun", test_nonfifo_overrun);
    g_test_add_func("/serial/fcr", test_fcr);
    g_test_add_func("/serial/iir-priorities", test_iir_priorities);
    g_test_add_func("/serial/modem-status-loopback", test_modem_status_loopback);
    g_test_add_func("/serial/access-sizes", test_access_sizes);
    g_test_add_func("/serial/random-storm", test_random_storm);
    g_test_add_func("/serial/chardev-in-use", test_chardev_in_use);
    return g_test_run();
}
