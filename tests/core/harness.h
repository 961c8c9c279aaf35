/*
 * Test harness for the chip core: an EEPROM array behind
 * wd_port_eeprom_read, a port that serves the core's requests the way the
 * MCU ports do, and helpers that speak the wire protocol to the core.
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

#include "wd_cal.h"
#include "wd_core.h"

extern uint8_t h_eeprom[WD_EEPROM_SIZE];
extern unsigned h_eeprom_reads;
/* The calibration the harness keeps for the core's hooks (a port's), and
 * the RC's measure of a period they bound it with. */
extern struct wd_cal h_cal;
extern uint16_t h_rc_us;
extern unsigned h_countdown_starts; /* wd_port_countdown_start calls */

/* One chip: the core, its persist block, and what the port has seen. */
struct chip {
    struct wd_core c;
    struct wd_persist p;
    uint8_t seen;     /* WD_REQ_* bits served since the last h_clear_seen */
    unsigned saves;   /* slot images written to h_eeprom */
    unsigned factory; /* WD_REQ_FACTORY served */
    uint32_t now_ms;  /* time fed to the core with h_run */
    uint32_t acc_ms;  /* h_run time not yet a whole tick */
};

/* Erases the EEPROM (all 0xFF). */
void h_erase(void);

/* Writes a valid slot image of s into the EEPROM. */
void h_put_slot(const struct wd_settings *s);

/* Powers the chip up (persist filled with garbage first) with the given
 * MCUSR flags and serves the requests. */
void h_boot(struct chip *ch, uint8_t chip_reset);

/* Restarts the chip keeping persist as it is (watchdog, brown-out). */
void h_restart(struct chip *ch, uint8_t chip_reset);

/* Restarts the chip with its RAM intact (a brown-out or the chip's own
 * watchdog on silicon keeps SRAM): persist and the core as they are. */
void h_restart_keep_ram(struct chip *ch, uint8_t chip_reset);

/* Serves pending requests as a port does: seal, save, factory. */
void h_serve(struct chip *ch);

/* Sends one write frame of n bytes and serves; returns LAST_ERROR. */
uint8_t h_frame(struct chip *ch, const uint8_t *f, uint8_t n);
#define H_W(ch, ...) \
    h_frame((ch), (const uint8_t[]){__VA_ARGS__}, (uint8_t)sizeof((const uint8_t[]){__VA_ARGS__}))

/* Same frame with a correct PEC appended. */
uint8_t h_frame_pec(struct chip *ch, const uint8_t *f, uint8_t n);
#define H_WP(ch, ...) \
    h_frame_pec((ch), (const uint8_t[]){__VA_ARGS__}, (uint8_t)sizeof((const uint8_t[]){__VA_ARGS__}))

/* SMBus PEC of a frame sent to addr. */
uint8_t h_pec(uint8_t addr, const uint8_t *f, uint8_t n);

/* Reads n (1-4) bytes from reg as one read transaction, without a write
 * frame (so the key state is untouched); little-endian. */
uint32_t h_rd(struct chip *ch, uint8_t reg, uint8_t n);
#define H_R8(ch, reg) ((uint8_t)h_rd((ch), (reg), 1))

/* One read transaction of n bytes at the current read pointer. */
void h_read(struct chip *ch, uint8_t *out, uint8_t n);

/* Runs ms of time, bus idle: a 16 ms tick whenever 16 ms have added up
 * (the rest carries over to the next call), serving requests after every
 * tick, as the MCU ports and the host's fake chip do. */
void h_run(struct chip *ch, uint32_t ms);

/* Runs 16 ms ticks until the reset output goes low or limit_ms passes;
 * returns the ms it took (limit_ms + 1 if it never did). */
uint32_t h_run_until_reset(struct chip *ch, uint32_t limit_ms);

/* Writes a little-endian value of n bytes to reg; returns LAST_ERROR. */
uint8_t h_set(struct chip *ch, uint8_t reg, uint32_t v, uint8_t n);

/* Feeds; returns LAST_ERROR. */
uint8_t h_feed(struct chip *ch);

/* A copy of the state, to check that a refused frame changed nothing. */
struct snap {
    struct wd_core c;
    struct wd_persist p;
};
void h_snap(const struct chip *ch, struct snap *s);
/* Asserts the chip equals the snapshot except LAST_ERROR, REFUSED_COUNT,
 * the persist check, the key state and the pending requests. */
void h_assert_same_but_refusal(const struct chip *ch, const struct snap *s);

/* Deterministic pseudo-random numbers for tests (xorshift32). */
uint32_t h_rand(uint32_t *state);

#endif
