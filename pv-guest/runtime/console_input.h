/*
 * Console input for the PV kernel, the two ways Linux's hvc_xen reads it
 * (drivers/tty/hvc/hvc_xen.c):
 *   - the privileged domain reads the serial line's input with
 *     CONSOLEIO_read, and VIRQ_CONSOLE says that some arrived
 *     (dom0_read_console, bound with bind_virq VIRQ_CONSOLE on vCPU 0);
 *   - a domU reads the in half of its console ring (start_info's
 *     console.domU page, struct xencons_interface: in_cons, in_prod), and
 *     the console's event channel says that some arrived; after taking
 *     bytes it notifies the backend (domU_read_console).
 * The ring is shared with dom0 and its indexes distrusted (console_ring.h).
 */
#ifndef PV_RUNTIME_CONSOLE_INPUT_H
#define PV_RUNTIME_CONSOLE_INPUT_H

#include <stdbool.h>
#include <stdint.h>

/* Binds the notification (VIRQ_CONSOLE for dom0, the console's port for
 * a domU); 0 or a negative Xen error.  Again once started: 0. */
int console_input_start(void);

/* Takes what has arrived, up to size bytes, without waiting: how many,
 * or a negative Xen error. */
long console_input_take(char *buffer, uint32_t size);

/* Blocks until input is announced or system time reaches deadline_ns
 * (clock.h); true if it was announced (perhaps before the call). */
bool console_input_wait_until(uint64_t deadline_ns);

/* As block_device_set_wakeup_flag (kernel/block_device.h): each input
 * announcement also sets *flag (NULL: none), so a loop that waits on
 * another flag (wait_for_flag_until, as domain_backends_wait_until) wakes
 * for typing too.  console_input_wait_until keeps working. */
void console_input_set_wakeup_flag(volatile bool *flag);

#endif
