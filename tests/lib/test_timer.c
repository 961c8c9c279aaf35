/* Timer module: the three modes of the seed's safeTimers.h, across the
 * 32-bit wrap, without its 10-intervals guard. SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "extwd/timer.h"

/* Near the wrap, so every test crosses it. */
#define W(x) ((uint32_t)(0xFFFFFF00u + (uint32_t)(x)))

static void first_due_one_interval_after_first_call(void **state)
{
    (void)state;
    struct extwd_timer t;
    extwd_timer_init(&t, 100, EXTWD_TIMER_SKIP_MISSED, 0);
    assert_int_equal(extwd_timer_due(&t, W(0)), 0);
    assert_int_equal(extwd_timer_due(&t, W(99)), 0);
    assert_int_equal(extwd_timer_due(&t, W(100)), 1);
    assert_int_equal(extwd_timer_due(&t, W(101)), 0);
}

static void fire_first(void **state)
{
    (void)state;
    struct extwd_timer t;
    extwd_timer_init(&t, 100, EXTWD_TIMER_SKIP_MISSED, 1);
    assert_int_equal(extwd_timer_due(&t, W(250)), 1);
    assert_int_equal(extwd_timer_due(&t, W(349)), 0);
    assert_int_equal(extwd_timer_due(&t, W(350)), 1); /* crosses 2^32 */
}

/* Counts firings of t polled every step ms from start for span ms. */
static int fires(struct extwd_timer *t, uint32_t start, uint32_t span, uint32_t step,
                 uint32_t *last)
{
    int n = 0;
    for (uint32_t d = 0; d <= span; d += step) {
        if (extwd_timer_due(t, start + d)) {
            n++;
            if (last)
                *last = start + d;
        }
    }
    return n;
}

static void skip_missed_across_wrap(void **state)
{
    (void)state;
    struct extwd_timer t;
    extwd_timer_init(&t, 100, EXTWD_TIMER_SKIP_MISSED, 1);
    uint32_t last = 0;
    /* Polled every 30 ms for 3 s: fires at 0, 120, 240, ... (one interval after
     * each firing, rounded up to the poll) = 26 times. */
    assert_int_equal(fires(&t, W(0), 3000, 30, &last), 26);
    assert_int_equal(last, W(3000));
}

static void skip_missed_after_long_block_fires_at_once(void **state)
{
    (void)state;
    struct extwd_timer t;
    extwd_timer_init(&t, 100, EXTWD_TIMER_SKIP_MISSED, 1);
    assert_int_equal(extwd_timer_due(&t, W(0)), 1);
    /* 50 intervals late: safeTimers.h's guard would report "not due" here and
     * skip the feed; this timer fires, once. */
    assert_int_equal(extwd_timer_due(&t, W(5000)), 1);
    assert_int_equal(extwd_timer_due(&t, W(5001)), 0);
    assert_int_equal(extwd_timer_due(&t, W(5100)), 1);
}

static void catch_up_fires_for_every_missed_tick(void **state)
{
    (void)state;
    struct extwd_timer t;
    extwd_timer_init(&t, 100, EXTWD_TIMER_CATCH_UP, 0);
    assert_int_equal(extwd_timer_due(&t, W(0)), 0);    /* due at 100 */
    /* A 1 s block: ticks 100..1000 are owed: 10 firings in a row, then not. */
    int n = 0;
    while (extwd_timer_due(&t, W(1050)))
        n++;
    assert_int_equal(n, 10);
    assert_int_equal(t.due_ms, W(1100));
    assert_int_equal(extwd_timer_due(&t, W(1100)), 1);
}

static void catch_up_keeps_grid_across_wrap(void **state)
{
    (void)state;
    struct extwd_timer t;
    extwd_timer_init(&t, 7, EXTWD_TIMER_CATCH_UP, 1);
    /* Polled every ms over 700 ms: exactly 101 firings (0, 7, ..., 700). */
    assert_int_equal(fires(&t, W(0), 700, 1, NULL), 101);
}

static void sync_moves_to_next_grid_point(void **state)
{
    (void)state;
    struct extwd_timer t;
    extwd_timer_init(&t, 100, EXTWD_TIMER_SYNC, 1);
    assert_int_equal(extwd_timer_due(&t, W(10)), 1);    /* grid: 10 + 100k */
    assert_int_equal(t.due_ms, W(110));
    assert_int_equal(extwd_timer_due(&t, W(345)), 1);   /* late: once */
    assert_int_equal(t.due_ms, W(410));                 /* next point after 345 */
    assert_int_equal(extwd_timer_due(&t, W(409)), 0);
    assert_int_equal(extwd_timer_due(&t, W(410)), 1);
    assert_int_equal(t.due_ms, W(510));                 /* exactly on: the next one */
}

static void sync_polled_jittery_stays_on_grid(void **state)
{
    (void)state;
    struct extwd_timer t;
    extwd_timer_init(&t, 100, EXTWD_TIMER_SYNC, 0);
    uint32_t now = W(0);
    assert_int_equal(extwd_timer_due(&t, now), 0);
    int n = 0;
    for (int i = 0; i < 1000; i++) {
        now += 1u + (uint32_t)(i * 37 % 23);  /* uneven polling, ~12 ms average */
        if (extwd_timer_due(&t, now)) {
            n++;
            assert_int_equal((t.due_ms - W(0)) % 100u, 0);
        }
    }
    /* One firing per grid point passed, none lost, none doubled. */
    assert_int_equal(n, (int)((now - W(0)) / 100u));
}

static void restart_and_zero_interval(void **state)
{
    (void)state;
    struct extwd_timer t;
    extwd_timer_init(&t, 100, EXTWD_TIMER_SKIP_MISSED, 1);
    extwd_timer_restart(&t, W(200));
    assert_int_equal(extwd_timer_due(&t, W(299)), 0);
    assert_int_equal(extwd_timer_due(&t, W(300)), 1);

    extwd_timer_init(&t, 0, EXTWD_TIMER_SYNC, 0);
    assert_int_equal(extwd_timer_due(&t, 5), 0);
    assert_int_equal(extwd_timer_due(&t, 5), 1);   /* interval 0: always due, no division */
    assert_int_equal(extwd_timer_due(&t, 6), 1);

    extwd_timer_init(&t, 0xFFFFFFFFu, EXTWD_TIMER_SKIP_MISSED, 0);
    assert_int_equal(t.interval_ms, 0x7FFFFFFFu);  /* capped below half the range */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_due_one_interval_after_first_call),
        cmocka_unit_test(fire_first),
        cmocka_unit_test(skip_missed_across_wrap),
        cmocka_unit_test(skip_missed_after_long_block_fires_at_once),
        cmocka_unit_test(catch_up_fires_for_every_missed_tick),
        cmocka_unit_test(catch_up_keeps_grid_across_wrap),
        cmocka_unit_test(sync_moves_to_next_grid_point),
        cmocka_unit_test(sync_polled_jittery_stays_on_grid),
        cmocka_unit_test(restart_and_zero_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
