/*
 * The tick's calibration against the host's clock (SPEC 5.15), the chip's
 * half: wd_cal's bound and bookkeeping, and the three registers through
 * the core's frames and reads (the harness plays the port).
 * SPDX-License-Identifier: MIT
 */
#include "harness.h"

static struct wd_chip ch;

static int setup(void **state)
{
    (void)state;
    h_erase(&ch);
    h_boot(&ch, EXTWD_CHIP_PORF);
    wd_cal_clear(&ch.cal);
    ch.cal.count = 0;
    ch.rc_us = WD_CAL_TICK_US;
    return 0;
}

/* The bound is 1/8 of the RC's measure, both ways, inclusive. */
static void bound_is_an_eighth_of_the_rc(void **state)
{
    struct wd_cal k;
    (void)state;
    wd_cal_clear(&k);
    assert_int_equal(wd_cal_set(&k, 18000, 16000), EXTWD_ERR_OK);   /* +12.5 % */
    assert_int_equal(k.tick_us, 18000);
    assert_int_equal(wd_cal_set(&k, 14000, 16000), EXTWD_ERR_OK);   /* -12.5 % */
    assert_int_equal(wd_cal_set(&k, 18001, 16000), EXTWD_ERR_RANGE);
    assert_int_equal(wd_cal_set(&k, 13999, 16000), EXTWD_ERR_RANGE);
    assert_int_equal(k.tick_us, 14000);                             /* refused: unchanged */
    assert_int_equal(wd_cal_set(&k, 0xFFFF, 16000), EXTWD_ERR_RANGE);
    /* a silicon corner: WDT -16 % (19048 us), RC +10 % measures 20952 */
    assert_int_equal(wd_cal_set(&k, 19048, 20952), EXTWD_ERR_OK);
    /* and RC -10 %: 17143 */
    assert_int_equal(wd_cal_set(&k, 19048, 17143), EXTWD_ERR_OK);
}

/* Counted: the host's value while within the bound of the RC's measure
 * now, the RC's otherwise (the RC moved, or a value loaded from EEPROM that
 * does not fit this chip). */
static void period_follows_the_bound(void **state)
{
    struct wd_cal k;
    (void)state;
    wd_cal_clear(&k);
    assert_int_equal(wd_cal_period_us(&k, 16384), 16384);
    assert_int_equal(wd_cal_set(&k, 17000, 16000), EXTWD_ERR_OK);
    assert_int_equal(wd_cal_period_us(&k, 16000), 17000);
    assert_int_equal(wd_cal_period_us(&k, 15000), 15000);           /* 17000 > 15000 + 1875 */
    k.tick_us = 0xFFFF;                                            /* an erased EEPROM */
    assert_int_equal(wd_cal_period_us(&k, 16000), 16000);
}

/* The count wraps; the age counts seconds, saturates at 0xFFFE and reads
 * 0xFFFF while there is no calibration; a write of 0 clears it. */
static void count_and_age(void **state)
{
    struct wd_cal k;
    (void)state;
    wd_cal_clear(&k);
    k.count = 0xFFFF;
    wd_cal_periods(&k, 2, 1);
    assert_int_equal(k.count, 1);
    assert_int_equal(k.age_s, 0xFFFF);
    assert_int_equal(wd_cal_set(&k, 16100, 16000), EXTWD_ERR_OK);
    assert_int_equal(k.age_s, 0);
    wd_cal_periods(&k, 1, 0);
    assert_int_equal(k.age_s, 0);
    wd_cal_periods(&k, 1, 1);
    assert_int_equal(k.age_s, 1);
    k.age_s = 0xFFFD;
    wd_cal_periods(&k, 1, 1);
    wd_cal_periods(&k, 1, 1);
    assert_int_equal(k.age_s, 0xFFFE);
    assert_int_equal(wd_cal_set(&k, 0, 16000), EXTWD_ERR_OK);
    assert_int_equal(k.tick_us, 0);
    assert_int_equal(k.age_s, 0xFFFF);
}

/* Through the core: CAL_TICK_US is written as two bytes, little-endian,
 * not protective (no key in keyed mode), refused RANGE off the bound; the
 * three registers read as the port keeps them; CAL_COUNT and CAL_AGE_S
 * are read-only. */
static void registers_through_the_core(void **state)
{
    uint8_t b[6];
    (void)state;
    ch.cal.count = 0x0201;
    assert_int_equal(H_W(&ch, EXTWD_REG_CAL_TICK_US, 0x40, 0x42), EXTWD_ERR_OK); /* 16960 */
    assert_int_equal(ch.cal.tick_us, 16960);
    assert_int_equal(H_W(&ch, EXTWD_REG_CAL_COUNT), EXTWD_ERR_OK);
    h_read(&ch, b, 6);
    assert_memory_equal(b, "\x01\x02\x40\x42\x00\x00", 6);
    assert_int_equal(H_W(&ch, EXTWD_REG_CAL_TICK_US, 0x60, 0x46), EXTWD_ERR_RANGE); /* 18016 */
    assert_int_equal(ch.core.last_error, EXTWD_ERR_RANGE);
    assert_int_equal(ch.cal.tick_us, 16960);
    assert_int_equal(H_W(&ch, EXTWD_REG_CAL_TICK_US, 0x40), EXTWD_ERR_LENGTH);
    assert_int_equal(H_W(&ch, EXTWD_REG_CAL_COUNT, 0, 0), EXTWD_ERR_READONLY);
    assert_int_equal(H_W(&ch, EXTWD_REG_CAL_AGE_S, 0, 0), EXTWD_ERR_READONLY);
    /* keyed mode: still taken without the key (the bound is the guard) */
    assert_int_equal(H_W(&ch, EXTWD_REG_KEY, 0x5A, 0xD1), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, EXTWD_REG_OPTIONS, EXTWD_OPT_KEYED), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, EXTWD_REG_CAL_TICK_US, 0x80, 0x3E), EXTWD_ERR_OK); /* 16000 */
    assert_int_equal(ch.cal.tick_us, 16000);
}


/* ---- the countdown's end on the port's clock (SPEC 5.1, wd_core_ticks) ------- */

/* The fine wait's counts: never short of us (the period's share rounded up,
 * plus one for the reading's phase), at most two counts long, over the
 * whole range the port uses and at the limits (no overflow). */
static void wait_counts_round_up(void **state)
{
    static const uint16_t periods[] = {13500, 15238, 16000, 19048, 21200, 24000, 32767};
    static const uint16_t counts[] = {1, 422, 450, 500, 542, 596, 662, 1023};
    (void)state;
    for (size_t i = 0; i < sizeof periods / sizeof periods[0]; i++)
        for (size_t j = 0; j < sizeof counts / sizeof counts[0]; j++)
            for (uint32_t us = 0; us < periods[i]; us += us < 64 ? 1 : 97) {
                uint64_t num = (uint64_t)us * counts[j];
                uint64_t want = (num + periods[i] - 1) / periods[i] + 1; /* ceil + 1 */
                uint16_t got = wd_cal_wait_counts((uint16_t)us, counts[j], periods[i]);
                assert_int_equal(got, want);
                /* a whole count is the period / counts: got - 1 of them cover us */
                assert_true((uint64_t)(got - 1u) * periods[i] >= num);
            }
    /* the limits: us just under the period */
    assert_int_equal(wd_cal_wait_counts(32766, 1023, 32767), 1023 + 1);
    assert_int_equal(wd_cal_wait_counts(21199, 662, 21200), 662 + 1);
    assert_int_equal(wd_cal_wait_counts(0, 662, 21200), 1);
}

/* Runs whole ticks until the reset with a constant sure8; returns since_t
 * at the reset, 0 if none came in limit ticks. */
static uint16_t reset_at(int16_t sure8, unsigned limit)
{
    for (unsigned i = 0; i < limit; i++) {
        uint16_t since = ch.core.since_t;
        wd_core_ticks(&ch.core, 1, 0, sure8);
        h_serve(&ch);
        if (wd_core_outputs(&ch.core) & WD_OUT_RESET)
            return (uint16_t)(since + 1u);
    }
    return 0;
}

static void fed_with_timeout(uint32_t ms)
{
    h_run(&ch, 25000); /* grace over */
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, ms, 4), EXTWD_ERR_OK);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
}

/* sure8 0 is the core's own rule, the one wd_core_tick keeps: the reset at
 * since_t = ceil(T / 16) + 1, for timeouts on and off whole ticks. */
static void ticks_with_nothing_sure_is_the_tick_rule(void **state)
{
    static const uint32_t t[] = {100, 3000, 3008, 3009, 3015, 600000};
    (void)state;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        setup(NULL);
        fed_with_timeout(t[i]);
        assert_int_equal(reset_at(0, 40000), (t[i] + 15) / 16 + 1);
    }
}

/* The reset comes once since_t - 1 ticks and sure8 x 8 us reach T, and the
 * us left it returns are exactly what is still missing (a multiple of 8). */
static void ticks_reset_once_the_timeout_is_sure(void **state)
{
    (void)state;
    fed_with_timeout(3000);          /* 187.5 ticks */
    for (unsigned i = 0; i < 185; i++)
        assert_int_equal(wd_core_ticks(&ch.core, 1, 0, 0), i < 180 ? 0xFFFFu : wd_core_ticks(&ch.core, 0, 0, 0));
    /* since_t 185: 184 ticks = 2944 ms sure, 56 ms missing */
    assert_int_equal(ch.core.since_t, 185);
    assert_int_equal(wd_core_ticks(&ch.core, 0, 0, 0), 56000);
    assert_int_equal(wd_core_ticks(&ch.core, 0, 0, 1000), 48000);   /* 8 ms more sure */
    assert_int_equal(wd_core_ticks(&ch.core, 0, 0, -1), 56008);     /* 8 us less */
    assert_int_equal(wd_core_ticks(&ch.core, 0, 0, 6999), 8);
    assert_false(wd_core_outputs(&ch.core) & WD_OUT_RESET);
    assert_int_equal(wd_core_ticks(&ch.core, 0, 0, 7000), 0xFFFFu); /* exactly T: the reset */
    assert_true(wd_core_outputs(&ch.core) & WD_OUT_RESET);
    assert_int_equal(ch.persist.last_cause, EXTWD_CAUSE_TIMEOUT);
    assert_int_equal(wd_core_ticks(&ch.core, 0, 0, 7000), 0xFFFFu); /* in the pulse: nothing */
}

/* No port input moves the reset more than 64 ms before the core's own
 * rule (4 ticks) or 96 ms after it (6 ticks). */
static void ticks_bound_what_the_port_says(void **state)
{
    (void)state;
    fed_with_timeout(3008);          /* 188 ticks: the own rule resets at 189 */
    assert_int_equal(reset_at(INT16_MAX, 400), 189 - 4);
    setup(NULL);
    fed_with_timeout(3008);
    assert_int_equal(reset_at(WD_SURE8_MAX, 400), 189 - 4);
    setup(NULL);
    fed_with_timeout(3008);
    assert_int_equal(reset_at(INT16_MIN, 400), 189 + 6);
    setup(NULL);
    fed_with_timeout(3008);
    assert_int_equal(reset_at(WD_SURE8_MIN, 400), 189 + 6);
    /* far from the end, or nothing counting: 0xFFFF whatever it says */
    setup(NULL);
    fed_with_timeout(3008);
    assert_int_equal(wd_core_ticks(&ch.core, 1, 0, INT16_MAX), 0xFFFFu);
    assert_int_equal(H_W(&ch, EXTWD_REG_ACTION, 0), EXTWD_ERR_OK);
    for (unsigned i = 0; i < 400; i++)
        assert_int_equal(wd_core_ticks(&ch.core, 1, 0, INT16_MAX), 0xFFFFu);
    assert_false(wd_core_outputs(&ch.core) & WD_OUT_RESET);
}

/* The port hears of every restart of the countdown by the host: a feed and
 * an arm; nothing else. */
static void countdown_start_at_feed_and_arm(void **state)
{
    (void)state;
    h_run(&ch, 25000);
    unsigned n = ch.countdown_starts;
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(ch.countdown_starts, n + 1);
    assert_int_equal(H_W(&ch, EXTWD_REG_ACTION, 0), EXTWD_ERR_OK);
    assert_int_equal(ch.countdown_starts, n + 1);
    assert_int_equal(H_W(&ch, EXTWD_REG_ACTION, 1), EXTWD_ERR_OK);   /* the arm */
    assert_int_equal(ch.countdown_starts, n + 2);
    (void)H_R8(&ch, EXTWD_REG_STATUS); /* a read: no restart */
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 5000, 4), EXTWD_ERR_OK);
    h_run(&ch, 1000);
    assert_int_equal(ch.countdown_starts, n + 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(bound_is_an_eighth_of_the_rc, setup),
        cmocka_unit_test_setup(period_follows_the_bound, setup),
        cmocka_unit_test_setup(count_and_age, setup),
        cmocka_unit_test_setup(registers_through_the_core, setup),
        cmocka_unit_test_setup(wait_counts_round_up, setup),
        cmocka_unit_test_setup(ticks_with_nothing_sure_is_the_tick_rule, setup),
        cmocka_unit_test_setup(ticks_reset_once_the_timeout_is_sure, setup),
        cmocka_unit_test_setup(ticks_bound_what_the_port_says, setup),
        cmocka_unit_test_setup(countdown_start_at_feed_and_arm, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
