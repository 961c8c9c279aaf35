/*
 * wdt_probe: a minimal ATtiny85 fixture for the simulator's watchdog clock
 * (sim/chip/timing.c). The watchdog runs in interrupt-and-reset mode, as in
 * the extwd firmware, and the main loop writes the control register again
 * as fast as it can, so that writes land on every phase of a period. On
 * silicon a write that leaves WDE and the prescaler as they are does not
 * restart the watchdog: every period stays one period of its oscillator.
 * It is a test fixture, not the extwd firmware.
 *
 * SPDX-License-Identifier: MIT
 */
#include <avr/interrupt.h>
#include <avr/io.h>
#include <stdint.h>

#include "mmcu_tag.h"

MMCU_TAGS("attiny85", F_CPU);

volatile uint16_t wdt_ticks; /* watchdog interrupts so far, read by the test */

ISR(WDT_vect)
{
    wdt_ticks++;
}

int main(void)
{
    MCUSR = 0;
    WDTCR = _BV(WDCE) | _BV(WDE);
    WDTCR = _BV(WDIE) | _BV(WDE); /* 16 ms nominal, interrupt then reset */
    sei();
    for (;;)
        WDTCR = _BV(WDIE) | _BV(WDE); /* WDIE again (the interrupt clears it) */
}
