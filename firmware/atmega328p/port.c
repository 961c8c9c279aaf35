/*
 * extwd on the ATmega328P: TWI slave, pins, sleep, calibrated tick. All
 * watchdog logic is in the core (firmware/core); the event loop, the tick
 * and the EEPROM are shared with the ATtiny85 (firmware/common/port_common.h).
 *
 * Pins (SPEC 1): PC4 SDA, PC5 SCL (external pull-ups), PB1 reset output
 * (open drain), PB2 pretimeout output (open drain), PB0 factory-reset input
 * (pull-up).
 *
 * Unlike the ATtiny85 port, the TWI is served inside its ISR (the core's
 * contract allows core calls from interrupt context; flash is no concern
 * here): simavr 1.6 raises TWINT for the next byte only once the previous
 * one was acknowledged through TWCR, and a main-loop service lost bytes
 * that arrived back to back. The status handling works on silicon and on
 * simavr 1.6 alike: a write frame ends at
 * any STOP/repeated START (0xA0), at a new own-address match (0x60, 0xA8),
 * or at our NACK (0x88), and a data byte without a preceding 0x60 (simavr
 * folds SLA+W into the first byte) opens a frame.
 *
 * SPDX-License-Identifier: MIT
 */
#include <avr/io.h>
#include <avr/fuse.h>
#include <avr/interrupt.h>

#include "core_layout.h"
#include "mmcu_tag.h"
#include "wd_core.h"

MMCU_TAGS("atmega328p", F_CPU);
WD_CORE_LAYOUT();

/* 8 MHz internal RC, no CKDIV8, 6 CK + 65 ms start-up (lfuse 0xE2); SPIEN,
 * no boot reset vector (hfuse 0xD9); BOD 2.7 V (efuse 0xFD, reads 0x05 on
 * some avrdude versions). */
FUSES = {
    .low = 0xE2,
    .high = 0xD9,
    .extended = 0xFD,
};

#define FRP PB0
#define RST PB1
#define PRE PB2
#define SDA PC4
#define SCL PC5

#define PORT_WDTCR    WDTCSR
#define PORT_FR_PIN   PINB
#define PORT_FR_BIT   FRP

#define PORT_SLEEP_IDLE     _BV(SE)
#define PORT_SLEEP_PWR_DOWN (_BV(SE) | _BV(SM1))
/* Sets the mode in SMCR and sleeps with the BOD off (port_common.h); the
 * port keeps nothing else in MCUCR. */
#define port_sleep(mode)                                              \
    do {                                                              \
        SMCR = (mode);                                                \
        port_bod_off_sleep(_BV(BODS) | _BV(BODSE), _BV(BODS));        \
    } while (0)

/* A TWI event not served yet (port_common.h): TWINT is set only for our
 * own transactions, and the TWI ISR clears it. */
#define port_bus_start_pending() port_bus_pending()

/* GPIOR0 bits 5 and 6 are the bus slave's (below): the countdown's wait
 * flag (port_common.h) goes to GPIOR2. */
#define PORT_WAIT_FLAGS GPIOR2
#define PORT_F_WAIT 0
#include "port_common.h"

/* PORT_FLAGS bits of the bus slave. */
#define F_BUSY 5 /* a transaction is in flight: sleep in idle */
#define F_OPEN 6 /* a write frame is open */

/* ---- pins -------------------------------------------------------------------- */

/* Open drain: PORT stays 0, DDR=1 pulls the line low, DDR=0 releases it.
 * WD_OUT_RESET (bit 0) lands on PB1, WD_OUT_PRETIMEOUT (bit 1) on PB2. */
static void port_pins_update(void)
{
    uint8_t o = wd_core_outputs(&g_wd);
    DDRB = (uint8_t)((DDRB & ~(_BV(RST) | _BV(PRE))) |
                     ((o & (WD_OUT_RESET | WD_OUT_PRETIMEOUT)) << RST));
}

/* ---- TWI slave ------------------------------------------------------------------- */

#define TW_ON (_BV(TWEN) | _BV(TWIE))

static uint8_t len;
static uint8_t buf[EXTWD_FRAME_MAX];
static uint8_t quiet; /* ticks without a TWI event */

/* The open write frame ended: hand it to the core. */
static void frame_end(void)
{
    if (PORT_FLAGS & _BV(F_OPEN)) {
        PORT_FLAGS &= (uint8_t)~_BV(F_OPEN);
        wd_core_frame(&g_wd, buf, len);
        port_pins_update();
    }
}

static void frame_open(void)
{
    frame_end();
    len = 0;
    PORT_FLAGS |= _BV(F_OPEN) | _BV(F_BUSY);
}

/* One TWI event; SCL is held low until TWINT is cleared at the end. */
ISR(TWI_vect)
{
    uint8_t ea = _BV(TWEA);
    quiet = 0;
    switch (TWSR & 0xF8u) {
    case 0x60: /* own SLA+W, ACK returned */
    case 0x68: /* (after a lost arbitration; never as a pure slave) */
        frame_open();
        break;
    case 0x80: /* data received, ACK returned */
        if (!(PORT_FLAGS & _BV(F_OPEN)))
            frame_open(); /* simavr: SLA+W came with this byte */
        if (len < EXTWD_FRAME_MAX)
            buf[len++] = TWDR;
        else
            len = EXTWD_FRAME_MAX + 1; /* cannot happen with TWEA: never overrun */
        if (len >= EXTWD_FRAME_MAX)
            ea = 0; /* NACK the next byte */
        break;
    case 0x88: /* data received, NACK returned: the frame is too long, and
                  the TWI no longer listens to this transaction */
        len = EXTWD_FRAME_MAX + 1;
        frame_end();
        PORT_FLAGS &= (uint8_t)~_BV(F_BUSY);
        break;
    case 0xA8: /* own SLA+R, ACK returned (simavr: also a STOP) */
    case 0xB0:
        frame_end();
        wd_core_read_begin(&g_wd);
        PORT_FLAGS |= _BV(F_BUSY);
        /* fall through */
    case 0xB8: /* data sent, ACK received: the master wants more */
        TWDR = wd_core_read_next(&g_wd);
        break;
    case 0x00: /* bus error: release the lines */
        PORT_FLAGS &= (uint8_t)~(_BV(F_OPEN) | _BV(F_BUSY));
        TWCR = TW_ON | _BV(TWINT) | _BV(TWSTO) | _BV(TWEA);
        return;
    default: /* 0xA0 STOP or repeated START, 0xC0/0xC8 read done */
        frame_end();
        PORT_FLAGS &= (uint8_t)~_BV(F_BUSY);
        break;
    }
    TWCR = TW_ON | _BV(TWINT) | ea;
}

/* Everything happens in the ISR. */
static void port_bus_service(void)
{
}

static void port_bus_address(void)
{
    TWAR = (uint8_t)(wd_core_address(&g_wd) << 1);
}

/* Switching the TWI off and on drops any transaction and releases SDA and
 * SCL; the open frame is dropped too. */
static void port_bus_reinit(void)
{
    PORT_FLAGS &= (uint8_t)~(_BV(F_OPEN) | _BV(F_BUSY));
    TWCR = 0;
    port_bus_address();
    TWCR = TW_ON | _BV(TWEA);
}

/* A transaction that saw no TWI event for 2-3 ticks is over as far as the
 * sleep mode goes: a master that vanished mid-read leaves no 0xC0 (and
 * simavr 1.6 never gives one), and the deferred EEPROM/CRC work waits for
 * a quiet bus. The TWI itself needs no reset: a new START resynchronises it. */
static void port_bus_tick(void)
{
    if (++quiet >= 3)
        PORT_FLAGS &= (uint8_t)~_BV(F_BUSY);
}

static uint8_t port_bus_busy(void)
{
    return PORT_FLAGS & _BV(F_BUSY);
}

/* After a tick that saw a line low, the first SCL edge raises PCINT1,
 * which masks itself: PCMSK1 = 0 then says the bus moved (SPEC 5.10). The
 * TWI raises no event for other devices' traffic. */
ISR(PCINT1_vect)
{
    PCMSK1 = 0;
}

/* SPEC 5.10: the lines that read low, and whether the bus moved since the
 * last tick: both lines were high then (a line low now must have moved), a
 * TWI event of ours (quiet is cleared by each and counted up after the
 * core's ticks), or an SCL edge. An idle bus arms nothing and costs no
 * wake-up. */
static uint8_t port_bus_sample(void)
{
    uint8_t b = (uint8_t)(~PINC & (_BV(SDA) | _BV(SCL)));
    if (!quiet || !PCMSK1)
        b |= WD_BUS_MOVED;
    PCMSK1 = b & (_BV(SDA) | _BV(SCL)) ? _BV(PCINT13) : 0; /* SCL */
    return b;
}

/* The TWI is served in its ISR: TWINT set means it waits for it. */
static uint8_t port_bus_pending(void)
{
    return TWCR & _BV(TWINT);
}

/* ---- boot ------------------------------------------------------------------------- */

int main(void)
{
    uint8_t chip_reset = MCUSR & 0x0Fu;
    MCUSR = 0;
    /* Watchdog first: after a watchdog reset it already runs at 16 ms. */
    WDTCSR = _BV(WDCE) | _BV(WDE);
    WDTCSR = PORT_WDT_ON;

    /* Unused: Timer1, Timer2, SPI, USART, ADC, analog comparator; digital
     * inputs of ADC0-3 and AIN0/1. Timer0 counts for the calibration. */
    ACSR = _BV(ACD);
    PRR = _BV(PRTIM2) | _BV(PRTIM1) | _BV(PRSPI) | _BV(PRUSART0) | _BV(PRADC);
    DIDR0 = 0x0F;
    DIDR1 = _BV(AIN1D) | _BV(AIN0D);
    TCCR0B = _BV(CS02); /* clk/256 */
    EEARH = 0;
    PORT_FLAGS = 0;

    /* Pull-ups on every unused pin and the factory-reset input; the two
     * outputs stay released (input, no pull-up). */
    PORTB = (uint8_t)~(_BV(RST) | _BV(PRE));
    PORTD = 0xFF;
    PCICR = _BV(PCIE1); /* SCL edges for the bus-health check */

    port_run(chip_reset); /* switches the TWI on once the core knows its address */
}
