/*
 * What the ATtiny85 and ATmega328P ports share: the event loop, the tick
 * and its calibration, EEPROM access and the byte-wise save, the
 * factory-reset pin and the sleep decision. Header-only (static functions),
 * because firmware.mk compiles only the .c files of firmware/<mcu>; each
 * port includes it once.
 *
 * Design: interrupts only wake the CPU. Each ISR is a few naked
 * instructions that note the event (or mask its own source) and return;
 * the main loop then does all the work with interrupts disabled, which is
 * what the core's concurrency contract asks for, costs no register saves,
 * and keeps every core call on one stack. No pass of the loop keeps
 * interrupts off for long (the longest is a host reset, ~100 us at 8 MHz),
 * so a start condition is never held near the ESP8266's 230 us limit.
 *
 * A port defines, before including this file:
 *   PORT_WDTCR                 the watchdog control register
 *   PORT_FR_PIN, PORT_FR_BIT   factory-reset input (pull-up, active low)
 *   port_sleep(mode_bits)      sets the sleep mode, disables the BOD for the
 *                              sleep, enables interrupts and sleeps (with
 *                              port_bod_off_sleep below)
 * and after it the functions declared below.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_PORT_COMMON_H
#define EXTWD_PORT_COMMON_H

#include <avr/interrupt.h>
#include <avr/io.h>
#include <stdint.h>

#include "wd_cal.h"
#include "wd_core.h"

/* No variable relies on the C runtime to clear it: everything lives in
 * .noinit and is set before use (wd_core_init clears the core), so a port
 * may start without the runtime's .bss loop. */
#define NOINIT __attribute__((section(".noinit")))

/* The instances the simulator finds by symbol. */
struct wd_core g_wd NOINIT __attribute__((used, externally_visible));
struct wd_persist g_wd_persist NOINIT __attribute__((used, externally_visible));

/* The BOD-off sleep both MCUs time the same way: MCUCR = first (BODS and
 * BODSE set), then second (BODS alone) within 4 cycles, and the SLEEP within
 * 3 more; SEI lets exactly one more instruction, the SLEEP, run first. Both
 * carry whatever else the port keeps in MCUCR (the ATtiny85's sleep mode). */
#define port_bod_off_sleep(first, second)                                        \
    __asm__ __volatile__("out %[cr], %[a]\n\t"                                   \
                         "out %[cr], %[b]\n\t"                                   \
                         "sei\n\t"                                               \
                         "sleep\n\t" ::[cr] "I"(_SFR_IO_ADDR(MCUCR)),            \
                         [a] "r"((uint8_t)(first)), [b] "r"((uint8_t)(second)))

/* Port hooks, all called with interrupts disabled. */
static void port_pins_update(void);   /* mirror wd_core_outputs onto the pins */
static void port_bus_service(void);   /* handle whatever the bus slave flagged */
static void port_bus_reinit(void);    /* reset the slave, release SDA and SCL */
static void port_bus_address(void);   /* the core's address changed */
static uint8_t port_bus_busy(void);   /* nonzero while a transaction is in flight */
static uint8_t port_bus_pending(void); /* nonzero if the slave has an event to serve */
/* and port_bus_start_pending(), a macro: nonzero if a transaction has
 * started that is not served yet (the tick then waits for it, and the CPU
 * does not sleep); never stays set by other devices' traffic */
static void port_bus_tick(void);      /* once per tick */
static uint8_t port_bus_sample(void); /* once per tick: the lines that read low, plus
                                         WD_BUS_MOVED if the bus moved since (SPEC 5.10) */

/* Watchdog: interrupt-and-reset mode, 2K WDT cycles (16 ms nominal). A
 * timeout clears WDIE in hardware; the main loop sets it again on every
 * pass, so a main loop that stops passing gets a chip reset at the next
 * timeout (SPEC 5.14). */
#define PORT_WDT_ON (_BV(WDIE) | _BV(WDE))

/* GPIOR0 bits; GPIOR1 holds TCNT0 as captured at the last tick. */
#define PORT_FLAGS  GPIOR0
#define PORT_F_TICK  0 /* a tick happened */
#define PORT_F_TICK2 1 /* and another one before the first was served */
#define PORT_F_CAL   2 /* measuring a WDT period: the CPU must not power down */
#define PORT_F_SAVE  3 /* an EEPROM save is running */
#define PORT_F_RESTART 4 /* restart the chip once the save is done (0x81) */
#define PORT_F_SEAL  7 /* the persist block changed: seal it when the bus is quiet */
/* Timing the countdown's last part on Timer0 (WD_CAL_HOST; the CPU stays in
 * idle): a bit the port leaves free, here unless it names another. */
#ifndef PORT_WAIT_FLAGS
#define PORT_WAIT_FLAGS PORT_FLAGS
#define PORT_F_WAIT 5
#endif

/* The WDT ISR notes the tick and when it came; it touches no flags and
 * one register. A port that lays out its own vectors places it there. */
#define PORT_WDT_ISR_ASM                                                         \
    "push r24\n\t"                                                              \
    "in r24, %[tcnt]\n\t"                                                       \
    "out %[cap], r24\n\t"                                                       \
    "pop r24\n\t"                                                               \
    "sbic %[flags], %[tick]\n\t"                                                \
    "sbi %[flags], %[tick2]\n\t"                                                \
    "sbi %[flags], %[tick]\n\t"                                                 \
    "reti\n\t"
#define PORT_WDT_ISR_OPERANDS                                                    \
    [tcnt] "I"(_SFR_IO_ADDR(TCNT0)), [cap] "I"(_SFR_IO_ADDR(GPIOR1)),            \
        [flags] "I"(_SFR_IO_ADDR(PORT_FLAGS)), [tick] "I"(PORT_F_TICK),          \
        [tick2] "I"(PORT_F_TICK2)
#ifndef PORT_OWN_VECTORS
ISR(WDT_vect, ISR_NAKED)
{
    __asm__ __volatile__(PORT_WDT_ISR_ASM ::PORT_WDT_ISR_OPERANDS);
}
#endif

/* ---- tick calibration -------------------------------------------------------
 * The core counts nominal 16 ms ticks; the WDT oscillator that makes them
 * is off by several percent on silicon. Timer0 runs from the factory-
 * calibrated RC at F_CPU/256 (32 us a count, 500 counts a nominal tick).
 * Every CAL_EVERY x 256 ticks (32.8 s; the first within 4.1 s of a boot)
 * the CPU stays in idle for one WDT period (Timer0 stops in power-down)
 * and the difference of two TCNT0 captures is that period, mod 256. The
 * idle period costs 1.4 mA for 16 ms: every 256 ticks (firmware 2.1) that
 * was 0.39 % of the time in idle, ~5.5 uA at 5 V, more than everything but
 * the ticks; both oscillators drift over minutes, not seconds. Its deviation from 500 counts is added up once per tick; whenever
 * the sum reaches a whole tick the core gets one tick more (WDT slow) or
 * one less (WDT fast). Both clocks are exact in simavr: a no-op there.
 */
#if F_CPU != 8000000UL
#error "the tick calibration assumes F_CPU = 8 MHz"
#endif
#define CAL_TICK    500  /* counts of 32 us in a nominal tick */
/* A period is measured mod 256 counts, so it must lie in a window of 256:
 * centred on 542 counts (17.3 ms), it takes every period silicon gives
 * (the WDT -16..+5 %, 15.2..19.0 ms, seen through the RC's +-10 %: 13.7 ..
 * 21.0 ms). cal_dev is the period less CAL_CENTER. */
#define CAL_CENTER  542
#define CAL_MOD     30u  /* CAL_CENTER mod 256 */
#define CAL_MAX_DEV 120  /* accept periods of 13.5 .. 21.2 ms */

#define CAL_EVERY   8u   /* measure at every 8th wrap of 256 ticks: a power of 2 */
#if !WD_CAL_HOST
static uint8_t cal_n NOINIT;   /* ticks, wraps every 256 */
static uint8_t cal_m NOINIT;   /* wraps of cal_n; a measurement when it is 0 mod CAL_EVERY */
#endif                         /* (with the host's calibration: CAL_COUNT's two bytes) */
static uint8_t cal_t0 NOINIT;  /* capture at the start of a measurement */
static int8_t cal_dev NOINIT;  /* measured period minus CAL_CENTER, in counts */
static int16_t cal_err NOINIT; /* time owed to the core: us (WD_CAL_HOST), else counts */

#if WD_CAL_HOST
/* The period as the RC measures it, in us (32 us a count). */
static __attribute__((noinline)) uint16_t cal_rc_us(void)
{
    return (uint16_t)(32 * (CAL_CENTER + (int16_t)cal_dev));
}

/* ---- calibration against the host's clock (SPEC 5.15, wd_cal.h) -------------
 * The host's value overrides the RC's measure while it is within the bound:
 * the period's true length in us, counted into cal_err as the RC's is.
 * Saved by SAVE at EEPROM offset CAL_EE, loaded at boot; a chip restart without a save falls back to the RC until
 * the host writes it again. */
static struct wd_cal g_cal NOINIT;
#define CAL_EE      WD_EEPROM_SLOT_SIZE /* EEPROM offset of the calibration: right after the settings slot (21) */

/* Core hooks (wd_core.h); c is g_wd, the one core. */
uint8_t wd_port_cal_write(struct wd_core *c, uint16_t us)
{
    (void)c;
    return wd_cal_set(&g_cal, us, cal_rc_us());
}

uint8_t wd_port_cal_read(const struct wd_core *c, uint8_t i)
{
    (void)c;
    return ((const uint8_t *)&g_cal)[i];
}

/* The period counted: its true length, the host's value or the RC's. */
static uint16_t cal_period_us(void)
{
    return wd_cal_period_us(&g_cal, cal_rc_us());
}

/* ---- the countdown's end on the true clock (SPEC 5.1) -------------------------
 * The core counts whole 16 ms ticks, given at watchdog interrupts 15-19 ms
 * apart on silicon; alone it would take since_t - 1 ticks as surely passed
 * since a feed, right only for 16 ms periods, and decide at interrupts
 * only. The port knows more. cal_err is the true time not yet given to the
 * core as ticks; at a feed, cal_feed notes it plus the running period's
 * deviation, less a tick: from then on the true time surely passed since
 * the feed, counted from the end of the period it came in (the feed's
 * phase inside it is unknown: the margin is one real period), is since_t - 1
 * ticks plus cal_err - cal_feed - 16000 us (port_decide). The core resets
 * once that reaches the timeout (wd_core_ticks). When it says the end comes
 * before the next interrupt, the CPU waits for it in idle on Timer0
 * (compare B, whose vector is a bare RETI, at most 128 counts ahead, the
 * counts added up at each wake-up) instead of deciding a whole period late.
 * Timer0 runs on as the RC measurement has it. It stops in power-down, so
 * the wait costs idle current, once per countdown that runs out. */
static int16_t cal_feed NOINIT;  /* see above, in 8 us units rounded up */
static uint16_t cal_wait NOINIT; /* the wait's length in true us, while PORT_F_WAIT */
static uint16_t cal_cnt NOINIT;  /* Timer0 counts still to wait */
static uint8_t cal_last NOINIT;  /* TCNT0 when cal_cnt was brought up to date */
/* cal_feed when the feed's period is not known: later than any can be
 * (two periods of 21 ms uncounted, 48 ms). */
#define CAL_FEED_LATE 6000
/* A wait shorter than the period by less than this is left to the next
 * interrupt, at most this late: a wait (rounded up by a count, and its
 * start's latency) then ends before that interrupt. */
#define CAL_WAIT_EDGE_US 256u
/* Never early by the host's rounding of CAL_TICK_US either (up to ~1 us a
 * period, 0.2 ms over 3 s): the end is taken 504 us later (8 us units). */
#define CAL_SAFE8 63

#ifdef TIMSK0
#define PORT_TIMSK TIMSK0
#define PORT_TIFR  TIFR0
#else
#define PORT_TIMSK TIMSK
#define PORT_TIFR  TIFR
#endif
#ifndef PORT_OWN_VECTORS
EMPTY_INTERRUPT(TIMER0_COMPB_vect);
#endif

/* Core hook: the host fed or armed. A period that ended and is not counted
 * yet (its tick flag set) may have ended during the feed's own transaction,
 * before its STOP: then the count starts from the period after it (one
 * period later, never early); two uncounted periods, rare: CAL_FEED_LATE. */
void wd_port_countdown_start(struct wd_core *c)
{
    (void)c;
    int16_t d = (int16_t)(cal_period_us() - WD_CAL_TICK_US), x = (int16_t)(cal_err + d), tick8 = WD_CAL_TICK_US / 8;
    if (PORT_FLAGS & _BV(PORT_F_TICK)) {
        x = (int16_t)(x + d); /* and a tick more: tick8 0 */
        tick8 = 0;
    }
    cal_feed = (PORT_FLAGS & _BV(PORT_F_TICK2)) ? CAL_FEED_LATE : (int16_t)((x >> 3) + 1 - tick8);
}

/* The next wake-up of a wait: when cal_cnt counts have passed, or 128 if
 * sooner, so that no wrap of TCNT0 goes unseen. */
static void port_wait_arm(void)
{
    OCR0B = (uint8_t)(cal_last + (cal_cnt < 128u ? cal_cnt : 128u));
}

/* Times the last us of a countdown from now on Timer0 (the period counted
 * is period_us); waited_us were timed before. */
static void port_wait(uint16_t us, uint16_t waited_us, uint16_t period_us)
{
    cal_wait = (uint16_t)(waited_us + us);
    cal_cnt = wd_cal_wait_counts(us, (uint16_t)(CAL_CENTER + cal_dev), period_us);
    cal_last = TCNT0;
    port_wait_arm();
    PORT_TIFR = _BV(OCF0B);
    PORT_TIMSK = _BV(OCIE0B);  /* the only timer interrupt the firmware uses */
    PORT_WAIT_FLAGS |= _BV(PORT_F_WAIT);
}

/* Ends a wait (its flag cleared too, a match that came meanwhile would
 * otherwise still be served). */
static void port_wait_stop(void)
{
    PORT_TIMSK = 0;
    PORT_TIFR = _BV(OCF0B);
    PORT_WAIT_FLAGS &= (uint8_t)~_BV(PORT_F_WAIT);
}
#endif

/* ---- EEPROM ------------------------------------------------------------------ */

/* Interrupts are off around every EEPROM access, so a read can never move
 * EEAR under a write that is being started. */
static uint8_t ee_read(uint8_t a)
{
    EEARL = a;
    EECR |= _BV(EERE);
    return EEDR;
}

/* Reads n bytes at a into dst (boot only), once a write in progress is
 * done. */
static void ee_read_block(uint8_t a, uint8_t *dst, uint8_t n)
{
    while (EECR & _BV(EEPE)) {
    }
    while (n--)
        *dst++ = ee_read(a++);
}

static uint8_t save_i NOINIT; /* save step: writes 0..SAVE_N-1, then checks SAVE_N..2*SAVE_N-1 */

#if WD_CAL_HOST
/* What a save writes: the settings slot, then CAL_TICK_US at CAL_EE. The
 * calibration needs no check of its own: a value off the bound of the RC's
 * measure is never counted (wd_cal_period_us), and an erased 0xFFFF is. */
#define SAVE_N (WD_EEPROM_SLOT_SIZE + 2u)

/* Byte j of what a save writes, at EEPROM address j. */
static uint8_t save_byte(uint8_t j)
{
    if (j < WD_EEPROM_SLOT_SIZE)
        return wd_core_slot_byte(&g_wd, j);
    return ((const uint8_t *)&g_cal.tick_us)[j - WD_EEPROM_SLOT_SIZE];
}

/* Boot: the saved calibration, if one was saved (an erased 0xFFFF is none). */
static void cal_load(void)
{
    struct wd_cal *k = &g_cal;
    k->count = 0;
    ee_read_block(CAL_EE, (uint8_t *)&k->tick_us, 2);
    k->age_s = 0xFFFEu; /* age unknown: older than can be told */
    if ((uint16_t)(k->tick_us + 1u) <= 1u)
        wd_cal_clear(k);
}
#else
#define SAVE_N WD_EEPROM_SLOT_SIZE

#define save_byte(j) wd_core_slot_byte(&g_wd, (j))
#endif

/* One step of a save, when the EEPROM is idle: write byte i of the slot
 * if it differs, or (second pass) check it and start over if the settings
 * changed meanwhile. ~3.4 ms per written byte, none with the bus held. */
static void port_save_step(void)
{
    uint8_t i = save_i, j = i, b;

    if (EECR & _BV(EEPE))
        return;
    if (j >= SAVE_N)
        j -= SAVE_N;
    b = save_byte(j);
    if (ee_read(j) != b) {
        if (i != j) {
            save_i = 0; /* changed since written */
            return;
        }
        EEDR = b; /* at a: ee_read set EEAR */
        EECR = _BV(EEMPE);
        EECR |= _BV(EEPE);
    }
    if (++i == 2u * SAVE_N) {
        wd_core_save_done(&g_wd);
        PORT_FLAGS &= (uint8_t)~_BV(PORT_F_SAVE);
        if (PORT_FLAGS & _BV(PORT_F_RESTART)) {
            PORT_WDTCR = _BV(WDE); /* WDIE off: the next timeout resets, WDRF keeps history */
            for (;;) {
            }
        }
    }
    save_i = i;
}

/* ---- event loop ---------------------------------------------------------------- */

/* The RC's measure of one watchdog period, every CAL_EVERY x 256 ticks.
 * A measurement that ends at this tick (flags f as the tick found them, cap
 * the Timer0 capture) is taken if it is in range. Both builds share it. */
static inline __attribute__((always_inline)) void port_rc_take(uint8_t f, uint8_t cap)
{
    int8_t d = (int8_t)(uint8_t)((uint8_t)(cap - cal_t0) - CAL_MOD);
    if (!(f & _BV(PORT_F_TICK2)) && d >= -CAL_MAX_DEV && d <= CAL_MAX_DEV)
        cal_dev = d;
}

/* Starts a measurement at this tick (cap as above): it ends at the next. */
static inline __attribute__((always_inline)) void port_rc_start(uint8_t cap)
{
    cal_t0 = cap;
    PORT_FLAGS |= _BV(PORT_F_CAL);
}

#if WD_CAL_HOST
/* n core ticks (bus their sample) and the countdown's end: the true time
 * surely passed since the feed beyond since_t - 1 ticks, waited_us timed
 * since the last interrupt included, in 8 us units rounded down; an end
 * before the next interrupt (period_us away) is timed on Timer0. */
static void port_decide(uint8_t n, uint8_t bus, uint16_t waited_us, uint16_t period_us)
{
    uint16_t since = g_wd.since_t, left;
    int16_t sure8 = (int16_t)((cal_err >> 3) - cal_feed - (WD_CAL_TICK_US / 8 + CAL_SAFE8) + (waited_us >> 3));
    /* and 1/1024 of the time counted (16 us a tick, at most 32 ms): the
     * host's value lags a drifting oscillator by its minute or two of
     * spans, 0.07 % at 2 %/h, 0.2 % at 6 %/h */
    sure8 = (int16_t)(sure8 - 2 * (since > 2000u ? 2000 : (int16_t)since));
    /* Without the host's value, time is the RC's measure, quantised to a
     * count in ~500 (0.2 %, 6 ms in 3 s), and the core's own whole-tick
     * rule keeps its margin of a tick, as before the host's calibration. */
    if (!g_cal.tick_us) {
        wd_core_ticks(&g_wd, n, bus, 0);
    } else {
        left = wd_core_ticks(&g_wd, n, bus, sure8);
        if (left < (uint16_t)(period_us - CAL_WAIT_EDGE_US))
            port_wait(left, waited_us, period_us);
    }
    port_pins_update();
}

/* Serves a pending tick: calibration, then the core ticks it is owed. The
 * RC's measurement starts when CAL_COUNT's high byte moves on to one that
 * is 1 mod CAL_EVERY (256 periods after the boot, then every 2048). */
static void port_tick(void)
{
    uint8_t f = PORT_FLAGS, cap = GPIOR1, n = 1, periods;
    uint16_t p;
    int16_t dev, e, feed;

    PORT_FLAGS = (uint8_t)(f & ~(_BV(PORT_F_TICK) | _BV(PORT_F_TICK2) | _BV(PORT_F_CAL)));
    if (PORT_WAIT_FLAGS & _BV(PORT_F_WAIT))
        port_wait_stop();       /* this interrupt decides instead */
    if (f & _BV(PORT_F_CAL))
        port_rc_take(f, cap);
    /* each period's true length less a core tick, owed to the core */
    p = cal_period_us();
    dev = (int16_t)(p - WD_CAL_TICK_US);
    e = (int16_t)(cal_err + dev);
    feed = (int16_t)(1 - WD_CAL_TICK_US / 8); /* cal_feed's units, rounded up */
    if (f & _BV(PORT_F_TICK2)) {
        e = (int16_t)(e + dev);
        feed = 1;               /* one period later: never early */
        n++;
    }
    /* pulse or grace: the countdown starts from this interrupt at the earliest */
    if (g_wd.pulse_t | g_wd.grace_t)
        cal_feed = (int16_t)((e >> 3) + feed);
    periods = n;
    if (e >= (int16_t)WD_CAL_TICK_US) {
        e = (int16_t)(e - WD_CAL_TICK_US);
        n++;
    } else if (e <= -(int16_t)WD_CAL_TICK_US) {
        e = (int16_t)(e + WD_CAL_TICK_US);
        n--;
    }
    cal_err = e;
    /* one look at the bus for all the core ticks owed now: they are one instant */
    uint8_t bus = port_bus_sample(), sec = (uint8_t)g_wd.uptime_s;
    port_decide(n, bus, 0, p);
    wd_cal_periods(&g_cal, periods, sec != (uint8_t)g_wd.uptime_s);
    if ((uint16_t)((g_cal.count - 256u) & (CAL_EVERY * 256u - 1u)) < periods)
        port_rc_start(cap);
    port_bus_tick();
}

/* A wake-up during a wait: the counts since the last one are taken off;
 * once none are left (and no transaction is in flight: a read is one
 * instant) the core decides again with the time waited, the countdown may
 * have changed meanwhile. */
static void port_wait_poll(void)
{
    uint8_t now = TCNT0, el = (uint8_t)(now - cal_last);
    cal_last = now;
    cal_cnt = el >= cal_cnt ? 0 : (uint16_t)(cal_cnt - el);
    if (cal_cnt || port_bus_busy() || port_bus_start_pending()) {
        port_wait_arm();
        return;
    }
    port_wait_stop();
    port_decide(0, 0, cal_wait, cal_period_us());
}
#else
/* Serves a pending tick: calibration, then the core ticks it is owed. The
 * RC's measure only, in counts (a build without the host's calibration). */
static void port_tick(void)
{
    uint8_t f = PORT_FLAGS, cap = GPIOR1, n = 1;
    int16_t dev = cal_dev + (CAL_CENTER - CAL_TICK), e = cal_err + dev;

    PORT_FLAGS = (uint8_t)(f & ~(_BV(PORT_F_TICK) | _BV(PORT_F_TICK2) | _BV(PORT_F_CAL)));
    if (f & _BV(PORT_F_CAL))
        port_rc_take(f, cap);
    else if (!++cal_n && !(cal_m++ & (CAL_EVERY - 1u)))
        port_rc_start(cap);
    if (f & _BV(PORT_F_TICK2)) {
        e += dev;
        n++;
    }
    if (e >= CAL_TICK) {
        e -= CAL_TICK;
        n++;
    } else if (e <= -CAL_TICK) {
        e += CAL_TICK;
        n--;
    }
    cal_err = e;
    /* one look at the bus for all the core ticks owed now: they are one instant */
    uint8_t bus = port_bus_sample();
    for (; n; n--)
        wd_core_tick(&g_wd, bus);
    port_pins_update();
    port_bus_tick();
}
#endif

/* Interrupts off. Re-arms the watchdog interrupt, serves the bus and the
 * tick, and takes the core's requests. A tick waits while a transaction
 * is in flight, at most one tick long, so a read never straddles one. */
static void port_poll(void)
{
    PORT_WDTCR = PORT_WDT_ON;
    port_bus_service();
#if WD_CAL_HOST
    if (PORT_WAIT_FLAGS & _BV(PORT_F_WAIT))
        port_wait_poll();
#endif
    if ((PORT_FLAGS & _BV(PORT_F_TICK)) &&
        (!(port_bus_busy() | port_bus_start_pending()) || (PORT_FLAGS & _BV(PORT_F_TICK2))))
        port_tick();
    uint8_t r = wd_core_take_requests(&g_wd);
    if (r & WD_REQ_SEAL)
        PORT_FLAGS |= _BV(PORT_F_SEAL);
    if (r & WD_REQ_BUS_REINIT)
        port_bus_reinit();
    if (r & WD_REQ_ADDRESS)
        port_bus_address();
    if (r & (WD_REQ_SAVE | WD_REQ_FACTORY)) {
        save_i = 0;
        PORT_FLAGS |= _BV(PORT_F_SAVE);
        if (r & WD_REQ_FACTORY)
            PORT_FLAGS |= _BV(PORT_F_RESTART);
    }
}

/* Starts the core and runs the event loop. Called with interrupts off,
 * after the watchdog, Timer0, the pins and the bus pins are set up. */
static void __attribute__((noreturn)) port_run(uint8_t chip_reset)
{
    uint8_t slot[WD_EEPROM_SLOT_SIZE]; /* the settings slot, for the core to take */

    cal_dev = CAL_TICK - CAL_CENTER; /* nominal until the first measurement */
#if !WD_CAL_HOST
    cal_m = 0;                       /* which comes at the first wrap of cal_n */
#endif
    cal_err = 0;
    ee_read_block(0, slot, sizeof slot);
    wd_core_init(&g_wd, &g_wd_persist, chip_reset, slot);
#if WD_CAL_HOST
    cal_load();
    /* a countdown kept over a chip restart: the core's own rule (since_t - 1
     * ticks), as before the host's calibration; the restart itself (a
     * watchdog period and more, not counted) covers a period longer than a
     * tick */
    cal_feed = -(int16_t)(WD_CAL_TICK_US / 8);
#endif
    port_bus_reinit(); /* the slave answers at the address the core loaded */
    port_bus_address();
    port_pins_update();
    /* The factory-reset pin counts only if held from power-up: a high
     * level now costs nothing, a low one is watched for 10 s. */
    uint8_t fr_wait = !(PORT_FR_PIN & _BV(PORT_FR_BIT));
    for (;;) {
        cli();
        port_poll();
        /* the seal (~40 us) runs in a pass of its own, and only with no
         * bus event waiting, so a start condition never waits for a frame's
         * work and the seal in a row */
        if ((PORT_FLAGS & _BV(PORT_F_SEAL)) && !port_bus_pending()) {
            PORT_FLAGS &= (uint8_t)~_BV(PORT_F_SEAL);
            wd_core_seal(&g_wd);
            continue;
        }
        if (fr_wait) {
            if (PORT_FR_PIN & _BV(PORT_FR_BIT))
                fr_wait = 0;
            else if ((uint8_t)g_wd.uptime_s >= 10u) { /* checked every tick from 0 */
                fr_wait = 0;
                wd_core_factory_reset(&g_wd);
            }
        }
        if (PORT_FLAGS & _BV(PORT_F_SAVE))
            port_save_step();
        /* Awake while a save runs (polling EEPE), and while a transaction
         * started during this pass: sleeping now would add the wake-up
         * from power-down (60 us on silicon) to the hold of SCL. The NOP after
         * SEI lets a pending interrupt in (the ATmega328P serves its TWI
         * there). */
        if ((PORT_FLAGS & _BV(PORT_F_SAVE)) || port_bus_start_pending()) {
            __asm__ __volatile__("sei\n\tnop" ::: "memory");
            continue;
        }
        /* Power-down stops the I/O clock, which the bus byte engine and
         * Timer0 need: idle then. A start condition / address match, a pin
         * change and the watchdog all wake from power-down. */
#if WD_CAL_HOST
        if (PORT_WAIT_FLAGS & _BV(PORT_F_WAIT)) {
            port_sleep(PORT_SLEEP_IDLE);
            continue;
        }
#endif
        port_sleep(((PORT_FLAGS & _BV(PORT_F_CAL)) || port_bus_busy()) ? PORT_SLEEP_IDLE
                                                                        : PORT_SLEEP_PWR_DOWN);
    }
}

#endif /* EXTWD_PORT_COMMON_H */
