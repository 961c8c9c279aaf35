/*
 * What the ATtiny85 and ATmega328P ports share: the event loop, the
 * calibrated tick, EEPROM access, the factory-reset pin and the sleep
 * decision. Header-only (static functions), because firmware.mk compiles
 * only the .c files of firmware/<mcu>; each port includes it once.
 *
 * Design: interrupts only wake the CPU. Each ISR is a few naked
 * instructions that note the event (or mask its own source) and return;
 * the main loop then does all the work with interrupts disabled, which is
 * what the core's concurrency contract asks for, costs one register save
 * instead of one per ISR, and keeps every core call on one stack.
 *
 * A port defines, before including this file:
 *   PORT_WDTCR                 the watchdog control register
 *   PORT_FR_PIN, PORT_FR_BIT   factory-reset input (pull-up, active low)
 *   PORT_BUS_PINS, PORT_BUS_MASK  where SDA and SCL read (for bus_low)
 *   PORT_FLAGS                 an I/O register below 0x20 (sbi/cbi), cleared at boot
 *   port_sleep(mode_bits)      sets the sleep mode, disables the BOD for the
 *                              sleep, enables interrupts and sleeps
 * and after it the functions declared below.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_PORT_COMMON_H
#define EXTWD_PORT_COMMON_H

#include <avr/eeprom.h>
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/sleep.h>
#include <stdint.h>

#include "wd_core.h"

/* The instances the simulator finds by symbol. */
struct wd_core g_wd __attribute__((used, externally_visible));
struct wd_persist g_wd_persist __attribute__((section(".noinit"), used, externally_visible));

/* Port hooks, all called with interrupts disabled. */
static void port_pins_update(void);   /* mirror wd_core_outputs onto the pins */
static void port_bus_service(void);   /* handle whatever the bus slave flagged */
static void port_bus_reinit(void);    /* reset the slave, release SDA and SCL */
static void port_bus_address(void);   /* the core's address changed */
static uint8_t port_bus_busy(void);   /* nonzero while a transaction is in flight */
static void port_bus_tick(void);      /* once per tick */

/* Watchdog: interrupt-and-reset mode, 2K WDT cycles (16 ms nominal). A
 * timeout clears WDIE in hardware; the main loop sets it again on every
 * pass, so a main loop that stops passing gets a chip reset at the next
 * timeout (SPEC 5.14). */
#define PORT_WDT_ON (_BV(WDIE) | _BV(WDE))

/* PORT_FLAGS bits: 0 and 1 here, the rest belong to the port. GPIOR1
 * holds TCNT0 as captured at the last tick. */
#define PORT_F_TICK 0 /* a tick happened */
#define PORT_F_CAL  1 /* measuring a WDT period: the CPU must not power down */

/* Notes the tick and when it came; touches no flags and one register. */
ISR(WDT_vect, ISR_NAKED)
{
    __asm__ __volatile__(
        "push r24\n\t"
        "in r24, %[tcnt]\n\t"
        "out %[cap], r24\n\t"
        "pop r24\n\t"
        "sbi %[flags], %[tick]\n\t"
        "reti\n\t" ::[tcnt] "I"(_SFR_IO_ADDR(TCNT0)),
        [cap] "I"(_SFR_IO_ADDR(GPIOR1)), [flags] "I"(_SFR_IO_ADDR(PORT_FLAGS)),
        [tick] "I"(PORT_F_TICK));
}

/* ---- tick calibration -------------------------------------------------------
 * Timer0 runs from the factory-calibrated RC at F_CPU/1024 (128 us a count).
 * The tick ISR captures TCNT0 at a fixed offset from every watchdog timeout;
 * the difference of two consecutive captures, taken while the CPU stays in
 * idle (Timer0 stops in power-down), is one WDT period. Units below: 1/256
 * of a Timer0 count, so 1 ms = F_CPU/4000 units.
 */
#if F_CPU != 8000000UL
#error "the tick calibration assumes F_CPU = 8 MHz"
#endif
#define CAL_MS      ((uint16_t)(F_CPU / 4000u))       /* 1 ms = 2000 units */
#define CAL_NOMINAL ((uint16_t)(WD_TICK_MS * CAL_MS)) /* 16 ms = 32000 */
#define CAL_MIN     94u  /* accept periods of 12.0 .. 20.0 ms */
#define CAL_MAX     156u
#define CAL_FIRST   240u /* first sample 16 ticks after boot, then every 256 */

static int16_t cal_dev;   /* filtered tick length minus CAL_NOMINAL */
static int16_t cal_err;   /* fraction of a ms carried over */
static uint8_t cal_n;     /* ticks, wraps every 256 */
static uint8_t cal_t0;
static uint8_t cal_shift; /* 0 for the first sample (taken whole), then 2 */

/* Returns the length of the tick whose capture is t, in whole ms, carrying
 * the fraction to the next tick. */
#ifndef PORT_CALIBRATE
#define PORT_CALIBRATE 1 /* 0: nominal 16 ms ticks, for a build that must shed the flash */
#endif
static uint8_t port_tick_ms(uint8_t t)
{
    if (!PORT_CALIBRATE) {
        (void)t;
        return WD_TICK_MS;
    }
    if (PORT_FLAGS & _BV(PORT_F_CAL)) {
        uint8_t c = (uint8_t)(t - cal_t0);
        PORT_FLAGS &= (uint8_t)~_BV(PORT_F_CAL);
        if (c >= CAL_MIN && c <= CAL_MAX) {
            int16_t s = (int16_t)(((uint16_t)c << 8) - CAL_NOMINAL);
            cal_dev += (int16_t)(s - cal_dev) >> cal_shift;
            cal_shift = 2;
        }
    } else if (++cal_n == 0) {
        cal_t0 = t;
        PORT_FLAGS |= _BV(PORT_F_CAL);
    }
    uint8_t ms = WD_TICK_MS;
    int16_t e = cal_err + cal_dev;
    while (e >= (int16_t)CAL_MS) {
        e -= CAL_MS;
        ms++;
    }
    while (e < 0) {
        e += CAL_MS;
        ms--;
    }
    cal_err = e;
    return ms;
}

/* ---- EEPROM ------------------------------------------------------------------ */

/* Core hook (boot, and a host reset restores the saved settings). Every
 * EEPROM access runs with interrupts off, so a read can never move EEAR
 * under a write that is being started; a running write is waited out. */
void wd_port_eeprom_read(uint16_t offset, uint8_t *dst, uint8_t n)
{
    eeprom_read_block(dst, (const void *)offset, n);
}

/* WD_REQ_SEAL / SAVE / FACTORY taken, not yet done. They need CRC work
 * (~200-300 us with the core's bitwise CRC-8) with interrupts off, so they
 * wait for the first tick with the bus idle: a host that writes and reads
 * back at once never finds the chip in that critical section. */
static uint8_t port_req;
static uint8_t port_img[WD_EEPROM_SLOT_SIZE]; /* the slot image being written */

static uint8_t port_poll(void);

/* Writes one slot image byte by byte. Interrupts are on only while a byte
 * is being programmed (~3.4 ms), and the loop keeps serving the bus and the
 * tick meanwhile: the bus never waits for the EEPROM. */
static void port_eeprom_write(uint16_t off)
{
    const uint8_t *img = port_img;
    for (uint8_t i = 0; i < WD_EEPROM_SLOT_SIZE; i++) {
        for (;;) {
            cli();
            port_poll();
            if (!(EECR & _BV(EEPE)))
                break;
            sei();
        }
        eeprom_update_byte((uint8_t *)(off + i), img[i]);
    }
    sei();
}

/* Restarts the chip through its own watchdog (reset flag WDRF, so the
 * persistent counters and history survive, SPEC 5.13). */
static void __attribute__((noreturn)) port_chip_restart(void)
{
    cli();
    PORT_WDTCR = _BV(WDE); /* WDIE off: the next timeout resets */
    for (;;) {
    }
}

/* ---- event loop ---------------------------------------------------------------- */

/* Interrupts off. Re-arms the watchdog interrupt, serves the bus and the
 * tick, and does the quick requests. Returns nonzero if a tick was served. */
static uint8_t port_poll(void)
{
    PORT_WDTCR = PORT_WDT_ON;
    port_bus_service();
    uint8_t tick = PORT_FLAGS & _BV(PORT_F_TICK);
    if (tick) {
        PORT_FLAGS &= (uint8_t)~_BV(PORT_F_TICK);
        uint8_t ms = port_tick_ms(GPIOR1);
        wd_core_tick(&g_wd, ms, (uint8_t)(~PORT_BUS_PINS & PORT_BUS_MASK));
        port_pins_update();
        port_bus_tick();
    }
    uint8_t r = wd_core_take_requests(&g_wd);
    if (r & WD_REQ_BUS_REINIT)
        port_bus_reinit();
    if (r & WD_REQ_ADDRESS)
        port_bus_address();
    port_req |= r;
    return tick;
}

/* Writes the factory defaults into both EEPROM slots (SPEC 5.12, the
 * factory-reset pin) and restarts the chip. The live settings serve as
 * scratch: the chip restarts on the defaults anyway. */
static void __attribute__((noreturn)) port_factory_pin(void)
{
    wd_settings_defaults(&g_wd.set);
    wd_settings_encode(&g_wd.set, 0, port_img);
    port_eeprom_write(0);
    port_eeprom_write(WD_EEPROM_SLOT_SIZE);
    port_chip_restart();
}

/* Starts the core and runs the event loop. Called with interrupts off,
 * after the watchdog, the pins and the bus slave are set up. */
static void __attribute__((noreturn)) port_run(uint8_t chip_reset)
{
    wd_core_init(&g_wd, &g_wd_persist, chip_reset);
    port_bus_reinit(); /* the slave answers at the address the core loaded */
    port_pins_update();
    /* The factory-reset pin counts only if held from power-up: a high
     * level now costs nothing, a low one is watched for 10 s. */
    uint8_t fr_wait = !(PORT_FR_PIN & _BV(PORT_FR_BIT));
    for (;;) {
        cli();
        if (port_poll() && !port_bus_busy()) {
            if (port_req & WD_REQ_SEAL)
                wd_core_seal(&g_wd);
            if (port_req & (WD_REQ_SAVE | WD_REQ_FACTORY)) {
                uint16_t off = wd_core_eeprom_slot(&g_wd, port_img);
                uint8_t factory = port_req & WD_REQ_FACTORY;
                port_req = 0;
                port_eeprom_write(off);
                if (factory)
                    port_chip_restart();
                continue;
            }
            port_req = 0;
        }
        if (fr_wait) {
            if (PORT_FR_PIN & _BV(PORT_FR_BIT))
                fr_wait = 0;
            else if ((uint8_t)g_wd.uptime_s >= 10u) /* checked every tick from 0 */
                port_factory_pin();
        }
        /* Power-down stops the I/O clock, which the bus byte engine and
         * Timer0 need: idle then. A start condition / address match, a pin
         * change and the watchdog all wake from power-down. */
        port_sleep(((PORT_FLAGS & _BV(PORT_F_CAL)) || port_bus_busy()) ? PORT_SLEEP_IDLE
                                                                         : PORT_SLEEP_PWR_DOWN);
    }
}

#endif /* EXTWD_PORT_COMMON_H */
