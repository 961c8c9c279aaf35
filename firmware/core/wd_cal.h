/*
 * extwd chip: the tick's calibration against the host's clock (SPEC 5.15),
 * the chip's half. No AVR headers; unit-tested on the host (tests/core
 * test_cal) and fuzzed (fuzz/core).
 *
 * The chip's tick comes from its watchdog oscillator, off by up to -16..+5 %
 * on silicon and moving with supply and temperature; the port measures each
 * period against the 8 MHz RC (+-10 % from the factory). The host has a
 * crystal. The chip counts its watchdog periods (CAL_COUNT); the host reads
 * the count twice, a minute or so apart by its own clock, and writes the
 * period's true length (CAL_TICK_US), which the chip then counts instead of
 * the RC's measure. The arithmetic and the plausibility checks (spans, two
 * measurements that agree) are the host's (libextwd, extwd_cal_*), where
 * flash and a divide cost nothing; the chip only bounds what it accepts:
 * within 1/EXTWD_CAL_MAX_DEV_DIV of its RC's own measure, so no value a
 * host writes can make a timeout shorter than TIMEOUT_MS x 8/9 of RC time.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_WD_CAL_H
#define EXTWD_WD_CAL_H

#include <stdint.h>
#include "extwd/protocol.h"

/* The core's tick in true microseconds (WD_TICK_MS). */
#define WD_CAL_TICK_US 16000u

/* The three registers CAL_COUNT, CAL_TICK_US, CAL_AGE_S, in this order. */
struct wd_cal {
    uint16_t count;   /* watchdog periods since boot, wrapping */
    uint16_t tick_us; /* the host's: true us of one period; 0 = none (RC only) */
    uint16_t age_s;   /* seconds since tick_us was written, saturating at 0xFFFE;
                         0xFFFF while tick_us is 0 */
};

/* Forgets the calibration (power-on; a write of 0). */
void wd_cal_clear(struct wd_cal *k);

/* n watchdog periods have passed (1 or 2); new_second is nonzero if the
 * chip's uptime moved on to a new second meanwhile. */
void wd_cal_periods(struct wd_cal *k, uint8_t n, uint8_t new_second);

/* A CAL_TICK_US write of us, with rc_us the period as the RC measures it.
 * Returns EXTWD_ERR_OK (taken; 0 clears it) or EXTWD_ERR_RANGE (outside
 * the bound: nothing changes). */
uint8_t wd_cal_set(struct wd_cal *k, uint16_t us, uint16_t rc_us);

/* Returns the true length of one period to count: the host's value if
 * there is one within the bound of rc_us (the RC may have moved since),
 * else rc_us. */
uint16_t wd_cal_period_us(const struct wd_cal *k, uint16_t rc_us);

/* The fine wait at the end of a countdown (SPEC 5.1): the port's timer
 * counts the RC at F_CPU/256, rc_counts counts to one watchdog period of
 * period_us true us (the RC's measure against the host's or the RC's own
 * value). Returns how many counts from a reading of the timer make sure
 * that at least us true us have passed: the period's share rounded up,
 * plus one for the reading's unknown phase inside a count. Needs
 * us < period_us < 32768 and rc_counts < 1024 (the result is then at most
 * rc_counts + 1). */
uint16_t wd_cal_wait_counts(uint16_t us, uint16_t rc_counts, uint16_t period_us);

#endif /* EXTWD_WD_CAL_H */
