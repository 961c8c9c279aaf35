/*
 * Test harness for the chip core: the chip is firmware/host's wd_chip (the
 * core with its EEPROM, its RAM and a port that serves the core's requests
 * the way the MCU ports do); these helpers speak the wire protocol to it.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_TEST_CORE_HARNESS_H
#define EXTWD_TEST_CORE_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "wd_chip.h"

/* Erases the chip's EEPROM (all 0xFF). */
void h_erase(struct wd_chip *ch);

/* Writes a valid slot image of s into the chip's EEPROM. */
void h_put_slot(struct wd_chip *ch, const struct wd_settings *s);

/* Powers the chip up with the given MCUSR flags: the EEPROM as it is, the
 * RAM garbage (persist seeded noise), the calibration zero, the counters
 * cleared. */
void h_boot(struct wd_chip *ch, uint8_t chip_reset);

/* Restarts the chip keeping persist as it is (watchdog, brown-out). */
void h_restart(struct wd_chip *ch, uint8_t chip_reset);

/* Restarts the chip with its RAM intact (a brown-out or the chip's own
 * watchdog on silicon keeps SRAM): persist and the core as they are. */
void h_restart_keep_ram(struct wd_chip *ch, uint8_t chip_reset);

/* Serves pending requests as a port does: seal, save, factory. */
void h_serve(struct wd_chip *ch);

/* Sends one write frame of n bytes and serves; returns LAST_ERROR. */
uint8_t h_frame(struct wd_chip *ch, const uint8_t *f, uint8_t n);
#define H_W(ch, ...) \
    h_frame((ch), (const uint8_t[]){__VA_ARGS__}, (uint8_t)sizeof((const uint8_t[]){__VA_ARGS__}))

/* SMBus PEC of a frame sent to addr (firmware 1's; 2.x takes none). */
uint8_t h_pec(uint8_t addr, const uint8_t *f, uint8_t n);

/* Reads n (1-4) bytes from reg as one read transaction, without a write
 * frame (so the key state is untouched); little-endian. */
uint32_t h_rd(struct wd_chip *ch, uint8_t reg, uint8_t n);
#define H_R8(ch, reg) ((uint8_t)h_rd((ch), (reg), 1))

/* One read transaction of n bytes at the current read pointer. */
void h_read(struct wd_chip *ch, uint8_t *out, uint8_t n);

/* Runs ms of time, bus idle: a 16 ms tick whenever 16 ms have added up
 * (the rest carries over to the next call), serving requests after every
 * tick, as the MCU ports and the host's fake chip do. */
void h_run(struct wd_chip *ch, uint32_t ms);

/* Runs 16 ms ticks until the reset output goes low or limit_ms passes;
 * returns the ms it took (limit_ms + 1 if it never did). */
uint32_t h_run_until_reset(struct wd_chip *ch, uint32_t limit_ms);

/* Writes a little-endian value of n bytes to reg; returns LAST_ERROR. */
uint8_t h_set(struct wd_chip *ch, uint8_t reg, uint32_t v, uint8_t n);

/* Feeds; returns LAST_ERROR. */
uint8_t h_feed(struct wd_chip *ch);

/* A copy of the state, to check that a refused frame changed nothing. */
struct snap {
    struct wd_core c;
    struct wd_persist p;
};
void h_snap(const struct wd_chip *ch, struct snap *s);
/* Asserts the chip equals the snapshot except LAST_ERROR, REFUSED_COUNT,
 * the persist check, the key state and the pending requests. */
void h_assert_same_but_refusal(const struct wd_chip *ch, const struct snap *s);

/* Deterministic pseudo-random numbers for tests (xorshift32). */
uint32_t h_rand(uint32_t *state);

#endif
