/*
 * wd_chip: the chip core (firmware/core) on a host, with the part of an MCU
 * port a host can play: the chip's EEPROM and .noinit RAM in caller-owned
 * state, the bytes of a write frame up to its STOP, read transactions, the
 * 16 ms tick, and the service of the core's requests after every call
 * (seal, save, the restart after a factory reset) with the reset output
 * watched. No globals, no malloc: one struct wd_chip is one chip, and a
 * program may run as many as it likes.
 *
 * Used by the fake bus's extwd chip (ports/fake/fake_chip.c), the core's
 * unit tests (tests/core/harness.c), the fuzz target's real side
 * (fuzz/core) and the kernel test's adapter (kernel/test/chipsim.c).
 *
 * What it does as the MCU ports do: the slot is read from the EEPROM and
 * handed to wd_core_init at every chip start; a save is written whole and
 * counted done at once (wd_core_eeprom_slot; the MCU ports write byte by
 * byte); a factory reset's save is followed by a chip restart that keeps
 * the RAM (the chip's own watchdog reset). What it leaves to its caller:
 * the RAM's contents at power-up (garbage of its choice), the calibration's
 * period count (which needs the caller's clock), the bus slave's address
 * match.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_WD_CHIP_H
#define EXTWD_WD_CHIP_H

#include <stddef.h>
#include <stdint.h>

#include "wd_core.h"
#if WD_CAL_HOST
#include "wd_cal.h"
#endif

struct wd_chip {
    struct wd_core core;
    struct wd_persist persist;       /* the chip's .noinit block: kept across chip restarts */
    uint8_t eeprom[WD_EEPROM_SIZE];  /* the chip's EEPROM */
#if WD_CAL_HOST
    struct wd_cal cal;               /* the port's calibration (SPEC 5.15), for the core's hooks */
    uint16_t rc_us;                  /* a watchdog period as the RC measures it, us; 0 = WD_CAL_TICK_US */
    uint32_t countdown_starts;       /* the core's wd_port_countdown_start calls (a feed, an arm) */
#endif
    uint8_t bus;                     /* what each tick samples of the bus (wd_core_tick); 0 = idle */
    uint8_t outputs;                 /* WD_OUT_* as of the last service */
    uint8_t served;                  /* WD_REQ_* served, accumulated (the caller clears it) */
    uint8_t frame_len;               /* bytes of the open write frame; EXTWD_FRAME_MAX + 1 = overflowed */
    uint8_t frame[EXTWD_FRAME_MAX];  /* the open write frame */
    uint32_t acc_ms;                 /* wd_chip_run time not yet a whole tick */
    uint32_t frames;                 /* write frames handed to the core */
    uint32_t saves;                  /* slots written to eeprom */
    uint32_t factory_restarts;       /* chip restarts after a factory reset's save */
    uint32_t host_resets;            /* falling edges of the reset output */
};

/* Starts (or restarts) the chip with the EXTWD_CHIP_* flags chip_reset, its
 * RAM (core, persist) as the caller left it: the core takes the settings
 * slot from eeprom (wd_core_init), a half-received frame is forgotten, and
 * the requests are served. At power-up the caller first fills the RAM with
 * what it likes (power-up RAM is garbage). Returns nothing. */
void wd_chip_start(struct wd_chip *h, uint8_t chip_reset);

/* What an MCU port does after every core call: takes the core's requests
 * and serves them (seal; save the slot into eeprom; after a factory
 * reset's save, restart the chip with EXTWD_CHIP_WDRF), then follows the
 * outputs, counting a falling edge of the reset output. Returns the
 * WD_REQ_* bits it took. */
uint8_t wd_chip_serve(struct wd_chip *h);

/* One data byte of a write frame addressed to the chip. Returns 0 (ACK),
 * or -1 (NACK: the frame already holds EXTWD_FRAME_MAX bytes; the core
 * learns of the overflow at the STOP). */
int wd_chip_write(struct wd_chip *h, uint8_t byte);

/* A STOP (or a repeated START) after a write frame: the core gets the frame
 * (none: a probe), then the requests are served. Returns nothing. */
void wd_chip_stop(struct wd_chip *h);

/* A whole write frame of n bytes, then its STOP. Returns 0, or -1 if the
 * chip NACKed a byte past EXTWD_FRAME_MAX. */
int wd_chip_frame(struct wd_chip *h, const uint8_t *f, size_t n);

/* One read transaction of n bytes from the read pointer, then the requests
 * are served. Returns nothing. */
void wd_chip_read(struct wd_chip *h, uint8_t *buf, size_t n);

/* One 16 ms tick, sampling h->bus, then the requests are served. Returns
 * nothing. */
void wd_chip_tick(struct wd_chip *h);

/* ms of time: a tick whenever 16 ms have added up (the rest carries over to
 * the next call). Returns nothing. */
void wd_chip_run(struct wd_chip *h, uint32_t ms);

#endif /* EXTWD_WD_CHIP_H */
