/*
 * Rollover-safe millisecond timers (include/extwd/timer.h).
 *
 * "Due" is decided by the sign bit of (now - due) taken as unsigned, which is
 * the (int32_t)(now - due) >= 0 test of safeTimers.h without relying on an
 * implementation-defined conversion. There is deliberately no "more than 10
 * intervals late" guard: a timer that is late fires at once.
 *
 * SPDX-License-Identifier: MIT
 */
#include "extwd/timer.h"

#define HALF_RANGE 0x80000000u

/* Intervals of 2^31 ms or more cannot be told from the past; cap them. */
#define INTERVAL_MAX 0x7FFFFFFFu

void extwd_timer_init(struct extwd_timer *t, uint32_t interval_ms,
                      enum extwd_timer_mode mode, int fire_first)
{
    t->interval_ms = interval_ms > INTERVAL_MAX ? INTERVAL_MAX : interval_ms;
    t->due_ms = 0;
    t->mode = (uint8_t)mode;
    t->started = 0;
    t->fire_first = fire_first ? 1u : 0u;
}

int extwd_timer_due(struct extwd_timer *t, uint32_t now)
{
    if (!t->started) {
        t->started = 1;
        if (!t->fire_first) {
            t->due_ms = now + t->interval_ms;
            return 0;
        }
        t->due_ms = now; /* the grid starts here */
    }
    uint32_t late = now - t->due_ms;
    if (late & HALF_RANGE)
        return 0; /* due is still ahead */

    switch (t->mode) {
    case EXTWD_TIMER_CATCH_UP:
        t->due_ms += t->interval_ms;
        break;
    case EXTWD_TIMER_SYNC:
        if (t->interval_ms == 0u)
            t->due_ms = now;
        else /* late < 2^31 and interval < 2^31: the product cannot overflow */
            t->due_ms += (late / t->interval_ms + 1u) * t->interval_ms;
        break;
    case EXTWD_TIMER_SKIP_MISSED:
    default:
        t->due_ms = now + t->interval_ms;
        break;
    }
    return 1;
}

void extwd_timer_restart(struct extwd_timer *t, uint32_t now)
{
    t->started = 1;
    t->due_ms = now + t->interval_ms;
}
