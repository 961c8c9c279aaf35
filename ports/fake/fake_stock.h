/*
 * fake_stock: a model of the stock TinyI2CWatchdog v0.1 chip (its quirks
 * are listed in SPEC.md section 9), quirks included, to test libextwd's fallback:
 *
 *  - a read returns the byte at the read pointer, for every byte of the
 *    transaction (no auto-increment), and the pointer is not bounds-checked:
 *    past register 18 it returns "RAM" (ram[] below);
 *  - a one-byte write [reg] of a register 6-18 writes whatever byte an
 *    earlier message left in the receive buffer;
 *  - counters and STATUS are plain writable bytes;
 *  - one-second ticks, and the reset fires after T+1 of them;
 *  - arming does not restart the countdown; only a feed (0xA5) does;
 *  - no sleep period at power-up; register 9 seconds of sleep after a reset;
 *  - a 500 ms reset pulse.
 *
 * Not modelled: the bus-load detector and its slave re-initialisation, and
 * the `now > deadline` wrap defect of its one-second timer (neither changes
 * what a host sees on a healthy bus within a test's time span).
 *
 * The project ID bytes (registers 0-3) of the real chip are not recorded in
 * the reference; FAKE_STOCK_ID is a stand-in that is not "EXWD".
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_FAKE_STOCK_H
#define EXTWD_FAKE_STOCK_H

#include "fake_bus.h"

#define FAKE_STOCK_REGS     19u
#define FAKE_STOCK_PULSE_MS 500u
#define FAKE_STOCK_ID       {0x54u, 0x49u, 0x57u, 0x01u}

struct fake_stock {
    uint8_t reg[FAKE_STOCK_REGS];
    uint8_t saved[FAKE_STOCK_REGS];      /* EEPROM */
    uint8_t ram[32];                     /* what reads past register 18 see */
    uint8_t ptr;
    uint8_t rx[2];                       /* receive buffer, stale bytes included */
    uint8_t addr;
    uint32_t tick_ms;                    /* ms into the current second */
    uint32_t pulse_left_ms;
    uint32_t host_resets;
    uint32_t feeds;
};

/* Powers the chip up with factory defaults (timeout 70 s, armed). */
void fake_stock_power_up(struct fake_stock *s);

/* Fills d so the chip can be attached to a fake bus. */
void fake_stock_device(struct fake_stock *s, struct fake_device *d);

/* Runs the chip for ms without bus traffic. */
void fake_stock_run(struct fake_stock *s, uint32_t ms);

#endif /* EXTWD_FAKE_STOCK_H */
