/*
 * The console UART: a 16550 on COM1 (I/O port 0x3f8), 115200 baud, 8N1,
 * polled, with the FIFO off: each byte then leaves at once, and nothing is
 * lost when QEMU exits right after the last line.  QEMU provides it on both -M pc and -M microvm.  The log's
 * line feeds are sent as CR LF (serial_write) so that a terminal shows it as
 * written; dom0's direct output goes as it is (serial_write_raw).  Received
 * bytes are polled too (Data Ready in the line status register), from the
 * timer interrupt (kernel/serial_input.c).
 */
#include <pvmon/arch.h>
#include <pvmon/x86.h>

#define COM1 0x3f8
#define UART_DATA 0
#define UART_INTERRUPT_ENABLE 1
#define UART_DIVISOR_LOW 0
#define UART_DIVISOR_HIGH 1
#define UART_FIFO_CONTROL 2
#define FIFO_DISABLED 0
#define UART_LINE_CONTROL 3
#define UART_MODEM_CONTROL 4
#define UART_LINE_STATUS 5
#define LINE_CONTROL_8N1 0x03
#define LINE_CONTROL_DIVISOR_LATCH 0x80
#define LINE_STATUS_DATA_READY 0x01
#define LINE_STATUS_TRANSMIT_EMPTY 0x20
#define LINE_STATUS_TRANSMITTER_IDLE 0x40

void serial_init(void)
{
    outb(COM1 + UART_INTERRUPT_ENABLE, 0);
    outb(COM1 + UART_LINE_CONTROL, LINE_CONTROL_DIVISOR_LATCH);
    outb(COM1 + UART_DIVISOR_LOW, 1);
    outb(COM1 + UART_DIVISOR_HIGH, 0);
    outb(COM1 + UART_LINE_CONTROL, LINE_CONTROL_8N1);
    outb(COM1 + UART_FIFO_CONTROL, FIFO_DISABLED);
    outb(COM1 + UART_MODEM_CONTROL, 0x03);
}

static void serial_put_byte(uint8_t byte)
{
    while (!(inb(COM1 + UART_LINE_STATUS) & LINE_STATUS_TRANSMIT_EMPTY))
        cpu_relax();
    outb(COM1 + UART_DATA, byte);
}

void serial_write_raw(const char *bytes, size_t length)
{
    for (size_t index = 0; index < length; index++)
        serial_put_byte((uint8_t)bytes[index]);
}

void serial_write(const char *text, size_t length)
{
    for (size_t index = 0; index < length; index++) {
        if (text[index] == '\n')
            serial_put_byte('\r');
        serial_put_byte((uint8_t)text[index]);
    }
}

/* Wait until the last byte has left the UART (before QEMU is told to exit). */
void serial_flush(void)
{
    while (!(inb(COM1 + UART_LINE_STATUS) & LINE_STATUS_TRANSMITTER_IDLE))
        cpu_relax();
}

/* One received byte, if the UART holds one. */
bool serial_read_byte(uint8_t *byte)
{
    if (!(inb(COM1 + UART_LINE_STATUS) & LINE_STATUS_DATA_READY))
        return false;
    *byte = inb(COM1 + UART_DATA);
    return true;
}
