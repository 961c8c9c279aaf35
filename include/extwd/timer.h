/*
 * Rollover-safe millisecond timers with the three modes of the seed's
 * safeTimers.h, minus its "more than 10 intervals late" guard, which skips the
 * first feed after a long block.
 *
 * Due means (int32_t)(now - due) >= 0, which stays right across the 32-bit
 * wrap for intervals under 2^31 ms (24.8 days).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_TIMER_H
#define EXTWD_TIMER_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum extwd_timer_mode {
    EXTWD_TIMER_SKIP_MISSED = 0, /* on firing: due = now + interval */
    EXTWD_TIMER_CATCH_UP,        /* on firing: due += interval (fires again while behind) */
    EXTWD_TIMER_SYNC             /* on firing: due = next point on the original grid after now */
};

struct extwd_timer {
    uint32_t interval_ms;
    uint32_t due_ms;
    uint8_t mode;
    uint8_t started;
    uint8_t fire_first;          /* fire on the first call instead of one interval later */
};

/* Sets up t. With fire_first the first extwd_timer_due call fires; otherwise
 * the first due time is one interval after that call, as in safeTimers.h. */
void extwd_timer_init(struct extwd_timer *t, uint32_t interval_ms,
                      enum extwd_timer_mode mode, int fire_first);

/* Returns 1 (and moves the due time on, per the mode) if t is due at now,
 * else 0. */
int extwd_timer_due(struct extwd_timer *t, uint32_t now);

/* Makes t due at now + interval (e.g. after a feed made by other means). */
void extwd_timer_restart(struct extwd_timer *t, uint32_t now);

#ifdef __cplusplus
}
#endif

#endif /* EXTWD_TIMER_H */
