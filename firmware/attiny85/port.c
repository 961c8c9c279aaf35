/*
 * extwd on the ATtiny85: USI two-wire slave, pins, sleep, calibrated tick.
 * All watchdog logic is in the core (firmware/core); this file only moves
 * bytes and levels between the hardware and the core.
 *
 * Pins (SPEC 1): PB0 SDA, PB2 SCL, PB1 reset output (open drain), PB4
 * pretimeout output (open drain), PB3 factory-reset input (pull-up).
 *
 * The USI sees a byte as 16 SCL edges on its 4-bit counter. With USIWM=11
 * it holds SCL low after every counter overflow until USIOIF is cleared, and
 * after a start condition until USISIF is cleared: that hold is the only
 * clock stretching, and every ISR clears the flag as early as it can.
 * A STOP raises no interrupt; while a write frame is open, a pin change on
 * SDA wakes the main loop, which looks at USIPF. The first SCL edge after a
 * tick raises a pin change too, for the bus-health check.
 *
 * SPDX-License-Identifier: MIT
 */
#include <avr/io.h>
#include <avr/fuse.h>
#include <avr/interrupt.h>

#include "core_layout.h"
#include "mmcu_tag.h"
#include "wd_core.h"

MMCU_TAGS("attiny85", F_CPU);
WD_CORE_LAYOUT();

/* 8 MHz internal RC, no CKDIV8, 6 CK + 64 ms start-up (lfuse 0xE2);
 * BOD 2.7 V (8 MHz needs 2.7 V), SPIEN (hfuse 0xDD); efuse 0xFF. */
FUSES = {
    .low = 0xE2,
    .high = 0xDD,
    .extended = 0xFF,
};

#define SDA PB0
#define RST PB1
#define SCL PB2
#define FRP PB3
#define PRE PB4

#define PORT_WDTCR    WDTCR
#define PORT_FR_PIN   PINB
#define PORT_FR_BIT   FRP

/* MCUCR is written whole: the port uses none of PUD, ISC0x. */
#define PORT_SLEEP_IDLE     _BV(SE)
#define PORT_SLEEP_PWR_DOWN (_BV(SE) | _BV(SM1))
/* Sets the mode and sleeps with the BOD off (port_common.h; ATtiny85
 * revision C and later, ignored before): the mode bits share MCUCR with
 * BODS, so both writes carry them. */
#define port_sleep(mode) port_bod_off_sleep((mode) | _BV(BODS) | _BV(BODSE), (mode) | _BV(BODS))

/* A start condition that is not served yet (port_common.h). Not the
 * overflow: in CR_IDLE other devices' bytes overflow the counter too, and
 * its flag stays until the next START. */
#define port_bus_start_pending() (USISR & _BV(USISIF))

#define PORT_OWN_VECTORS
#include "port_common.h"

/* GPIOR2 bits of the bus slave. */
#define BUS       GPIOR2
#define F_BUSY 0 /* a transaction is in flight: sleep in idle */
#define F_ADDR 1 /* the next overflow ends the address byte */
#define F_ACK  2 /* the next overflow ends an ACK bit */
#define F_READ 3 /* the master is reading */
#define F_OPEN 4 /* a write frame is open */
/* Bits 5-7: the open frame's length, 0 .. EXTWD_FRAME_MAX + 1 (static RAM
 * is 128 bytes, and these bits were free). */
#define LEN_SHIFT 5
#define LEN_ONE   (1u << LEN_SHIFT)
#define LEN_MASK  (7u << LEN_SHIFT)
#define bus_len() ((uint8_t)(BUS >> LEN_SHIFT))
EXTWD_STATIC_ASSERT(EXTWD_FRAME_MAX + 1u == 7u, "the length bits hold 0 .. EXTWD_FRAME_MAX + 1");

/* ---- pins -------------------------------------------------------------------- */

/* Open drain: PORT stays 0, DDR=1 pulls the line low, DDR=0 releases it.
 * One bit instruction per pin: no glitch on a line that stays put. */
static void port_pins_update(void)
{
    uint8_t o = wd_core_outputs(&g_wd);
    if (o & WD_OUT_RESET)
        DDRB |= _BV(RST);
    else
        DDRB &= (uint8_t)~_BV(RST);
    if (o & WD_OUT_PRETIMEOUT)
        DDRB |= _BV(PRE);
    else
        DDRB &= (uint8_t)~_BV(PRE);
}

/* ---- USI two-wire slave ----------------------------------------------------------- */

/* Start detector on, no SCL hold on overflow, overflow interrupt off. */
#define CR_IDLE (_BV(USISIE) | _BV(USIWM1) | _BV(USICS1))
/* SCL held low after each overflow, overflow interrupt on. */
#define CR_BUSY (_BV(USISIE) | _BV(USIOIE) | _BV(USIWM1) | _BV(USIWM0) | _BV(USICS1))
/* Clear overflow, stop and collision flags (not the start flag) and load the
 * counter: 0 = 16 edges (a byte), 14 = 2 edges (one bit). */
#define SR_BYTE (_BV(USIOIF) | _BV(USIPF) | _BV(USIDC))
#define SR_BIT  (SR_BYTE | 14u)

static uint8_t buf[EXTWD_FRAME_MAX] NOINIT;

/* ---- vectors and start-up ----------------------------------------------------------
 * The whole vector table, with the interrupt handlers in it: no C runtime
 * (-nostartfiles: nothing to copy or clear, SP starts at RAMEND), and the
 * slots of vectors that are never enabled hold the WDT handler. The USI
 * handlers only mask their source and wake the CPU; the flags stay set and
 * the USI keeps SCL low until port_bus_service clears them. A start
 * condition masks the overflow interrupt too (its slot runs on into the
 * next); the main loop enables both again. */
__attribute__((naked, used, section(".vectors"))) static void vectors(void)
{
    __asm__ __volatile__(
        "clr r1\n\t"          /* 0 reset: GCC's zero register */
        "rjmp main\n\t"       /* 1 INT0, never enabled */
        "rjmp 2f\n\t"         /* 2 PCINT0: SDA changed while a frame is open, perhaps the STOP; or SCL moved */
        "1:\n\t"              /* 3-10 Timer1, Timer0, EEPROM, comparator, ADC: never enabled */
        PORT_WDT_ISR_ASM
        "reti\n\t"            /* 11 Timer0 compare B, never enabled */
        "rjmp 1b\n\t"         /* 12 WDT */
        "cbi %[cr], %[sie]\n\t" /* 13 USI start */
        "cbi %[cr], %[oie]\n\t" /* 14 USI overflow */
        "reti\n\t"
        "2:\n\t"              /* PCINT0, after the table: the bus moved (port_bus_sample) */
        "cbi %[pcmsk], %[scl]\n\t"
        "reti\n\t" ::PORT_WDT_ISR_OPERANDS,
        [cr] "I"(_SFR_IO_ADDR(USICR)), [sie] "I"(USISIE), [oie] "I"(USIOIE),
        [pcmsk] "I"(_SFR_IO_ADDR(PCMSK)), [scl] "I"(SCL));
}

/* Back to waiting for a start, releasing SDA and any overflow hold on SCL. */
static void usi_idle(void)
{
    DDRB &= (uint8_t)~_BV(SDA);
    USICR = CR_IDLE;
    USISR = SR_BYTE;
    PCMSK = 0;
    BUS &= _BV(F_OPEN) | LEN_MASK;
}

/* The open write frame ended (STOP or START): hand it to the core. */
static void frame_end(void)
{
    if (BUS & _BV(F_OPEN)) {
        BUS &= (uint8_t)~_BV(F_OPEN);
        wd_core_frame(&g_wd, buf, bus_len());
        port_pins_update();
    }
}

/* One overflow: a byte or an ACK bit has gone by and SCL is held low. */
static void usi_overflow(void)
{
    uint8_t d = USIDR;
    if (BUS & _BV(F_ADDR)) {
        BUS &= (uint8_t)~_BV(F_ADDR);
        if ((uint8_t)(d >> 1) != wd_core_address(&g_wd))
            goto idle;
        if (d & 1u) {
            BUS |= _BV(F_READ);
            wd_core_read_begin(&g_wd);
        } else {
            BUS = (uint8_t)((BUS & ~LEN_MASK) | _BV(F_OPEN));
            PCMSK = _BV(SDA); /* wake on SDA edges: one of them is the STOP */
        }
        goto ack;
    }
    if (BUS & _BV(F_ACK)) { /* an ACK bit has ended */
        BUS &= (uint8_t)~_BV(F_ACK);
        if (BUS & _BV(F_READ)) {
            /* The bit we sampled: the master's ACK (0) or NACK (1) of the
             * last byte, or our own ACK of SLA+R, which we drove low. */
            if (d & 1u)
                goto idle;
            USIDR = wd_core_read_next(&g_wd);
            DDRB |= _BV(SDA);
        } else {
            DDRB &= (uint8_t)~_BV(SDA); /* receive the next byte */
        }
        USISR = SR_BYTE;
        goto out;
    }
    /* A byte has ended. */
    if (BUS & _BV(F_READ)) {
        DDRB &= (uint8_t)~_BV(SDA); /* let the master answer */
        USIDR = 0;
        goto bit;
    }
    uint8_t n = bus_len();
    if (n >= EXTWD_FRAME_MAX) {
        BUS |= LEN_MASK; /* EXTWD_FRAME_MAX + 1; NACK: SDA stays released */
        goto bit;
    }
    buf[n] = d;
    BUS += LEN_ONE;
ack:
    USIDR = 0;
    DDRB |= _BV(SDA);
bit:
    BUS |= _BV(F_ACK);
    USISR = SR_BIT;
out:
    USICR = CR_BUSY;
    return;
idle:
    usi_idle();
}

static void port_bus_service(void)
{
    uint8_t sr = USISR;
    if (sr & _BV(USISIF)) {
        /* The start detector holds SCL once the master pulls it low:
         * count the address from there. Bounded (~100 us) in case SCL
         * never falls. */
        DDRB &= (uint8_t)~_BV(SDA);
        PCMSK = 0; /* the START is movement (SPEC 5.10): no pin change for the SCL fall */
        uint8_t n = 0;
        while ((PINB & _BV(SCL)) && !(PINB & _BV(SDA)) && --n) {
        }
        USICR = CR_BUSY;
        USISR = 0xF0; /* clear every flag (releases SCL), count a byte */
        BUS = (uint8_t)((BUS & (_BV(F_OPEN) | LEN_MASK)) | _BV(F_BUSY) | _BV(F_ADDR));
        frame_end(); /* a repeated START ends the frame before it */
        return;
    }
    if (!(BUS & _BV(F_BUSY))) {
        USICR = CR_IDLE; /* the start ISR masked itself */
        return;
    }
    if (sr & _BV(USIOIF)) {
        usi_overflow();
    } else if ((BUS & _BV(F_OPEN)) && (sr & _BV(USIPF))) {
        usi_idle();
        frame_end();
    }
}

/* Also the boot-time start: two-wire mode first, then SCL becomes an
 * (open-drain) output; SDA is released. */
static void port_bus_reinit(void)
{
    BUS = 0;
    usi_idle();
    USISR = 0xF0; /* also drop a start hold on SCL */
    DDRB |= _BV(SCL);
}

/* The USI has no address register: each address byte is checked against
 * wd_core_address. */
static void port_bus_address(void)
{
}

/* Nothing: every start condition resynchronises the USI, and the core's
 * bus-health check releases a line held low. */
static void port_bus_tick(void)
{
}

static uint8_t port_bus_busy(void)
{
    return BUS & _BV(F_BUSY);
}

/* SPEC 5.10: the lines that read low, and whether the bus moved since the
 * last tick. SCL in PCMSK arms PCINT0, whose vector takes it out again at
 * the first SCL edge, ours or another device's: one wake-up a tick at most,
 * from power-down too (pin changes are detected asynchronously). The loop
 * writes PCMSK only at a START, a byte or a STOP, which are movement too. */
static uint8_t port_bus_sample(void)
{
    uint8_t b = (uint8_t)(~PINB & (_BV(SDA) | _BV(SCL)));
    if (!(PCMSK & _BV(SCL)))
        b |= WD_BUS_MOVED;
    PCMSK |= _BV(SCL);
    return b;
}

/* A start condition or an overflow holds SCL until it is served. */
static uint8_t port_bus_pending(void)
{
    return USISR & (_BV(USISIF) | _BV(USIOIF));
}

/* ---- boot ------------------------------------------------------------------------- */

/* Entered from the reset vector with interrupts off and SP at RAMEND, and
 * never returns: OS_main saves no registers and moves SP for the settings
 * slot's stack buffer without guarding it against interrupts (-10 bytes). */
__attribute__((used, externally_visible, OS_main)) int main(void)
{
    uint8_t chip_reset = MCUSR & 0x0Fu;
    MCUSR = 0;
    /* Watchdog first: after a watchdog reset it already runs at 16 ms. */
    WDTCR = _BV(WDCE) | _BV(WDE);
    WDTCR = PORT_WDT_ON;

    /* Unused: Timer1, ADC, analog comparator, and the digital inputs of the
     * two open-drain outputs, which may float. Timer0 counts for the
     * calibration. */
    ACSR = _BV(ACD);
    PRR = _BV(PRTIM1) | _BV(PRADC);
    DIDR0 = _BV(ADC2D) | _BV(AIN1D);
    TCCR0B = _BV(CS02); /* clk/256 */
    EEARH = 0;
    PORT_FLAGS = 0;

    PORTB = _BV(SDA) | _BV(SCL) | _BV(FRP);
    GIMSK = _BV(PCIE);

    port_run(chip_reset); /* starts the USI through port_bus_reinit */
}
