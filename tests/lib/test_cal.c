/* libextwd's background calibration of the chip's tick (SPEC 5.15), against
 * the real core on the fake bus, the fake chip's watchdog period set off
 * nominal: the arithmetic, the plausibility checks, the traffic it costs.
 * SPDX-License-Identifier: MIT */
#include "helpers.h"
#include "fake_chip.h"

struct fx {
    struct fake_xfer log[LOG_CAP];
    struct fake_bus bus;
    struct fake_chip chip;
    struct extwd_port port;
    struct extwd wd;
};

static struct fx *setup_period(uint16_t period_us, uint32_t start_ms)
{
    struct fx *f = test_calloc(1, sizeof *f);
    struct fake_device d;
    fake_chip_power_up(&f->chip, NULL);
    f->chip.hw.rc_us = period_us;
    fake_chip_device(&f->chip, &d);
    bus_with_device(&f->bus, f->log, start_ms, &d, &f->port);
    struct extwd_config cfg = {.port = &f->port};
    assert_int_equal(extwd_init(&f->wd, &cfg), 0);
    return f;
}

/* Feeds every 100 ms for ms. */
static void feed_for(struct fx *f, uint32_t ms)
{
    for (uint32_t t = 0; t < ms; t += 100) {
        assert_true(extwd_feed(&f->wd) >= 0);
        fake_bus_advance(&f->bus, 100);
    }
}

static void span_arithmetic(void **state)
{
    (void)state;
    assert_int_equal(extwd_cal_span_us(60000, 3750), 16000);
    assert_int_equal(extwd_cal_span_us(60000, 3150), 19048);      /* rounded */
    assert_int_equal(extwd_cal_span_us(EXTWD_CAL_SPAN_MIN_MS - 1, 1249), 0);
    assert_int_equal(extwd_cal_span_us(EXTWD_CAL_SPAN_MIN_MS, 1250), 16000);
    assert_int_equal(extwd_cal_span_us(EXTWD_CAL_SPAN_MAX_MS, 37500), 16000);
    assert_int_equal(extwd_cal_span_us(EXTWD_CAL_SPAN_MAX_MS + 1, 37500), 0);
    assert_int_equal(extwd_cal_span_us(60000, 0), 0);
    assert_int_equal(extwd_cal_span_us(60000, 6001), 0);          /* 9998 us: too short */
    assert_int_equal(extwd_cal_span_us(60000, 2399), 0);          /* 25010 us: too long */
    assert_int_equal(extwd_cal_span_us(0xFFFFFFFFu, 3750), 0);    /* a clock that went back */
    assert_true(extwd_cal_agree(16000, 16062));                   /* 62 = 16000 / 256 */
    assert_false(extwd_cal_agree(16000, 16063));
    assert_false(extwd_cal_agree(0, 0));
}

/* A chip whose watchdog runs 16 % slow (19048 us): calibrated by the third
 * look (a minute after init, then two agreeing spans), within 0.1 %, with
 * one 1-byte write + 4-byte read a minute and one 3-byte write per span. */
static void calibrates_a_slow_watchdog(void **state)
{
    (void)state;
    struct fx *f = setup_period(19048, 5000);
    feed_for(f, 59000);
    assert_int_equal(f->chip.hw.cal.tick_us, 0);
    uint32_t xfers0 = f->bus.xfers, feeds0 = f->wd.stats.feeds;
    feed_for(f, 3u * 60000u + 1000u);
    uint32_t extra = (f->bus.xfers - xfers0) - (f->wd.stats.feeds - feeds0);
    uint16_t t = f->chip.hw.cal.tick_us;
    assert_true(t >= 19048 - 19 && t <= 19048 + 19);
    assert_int_equal(f->wd.cal.written_us, t);
    assert_int_equal(f->wd.cal.refused, 0);
    uint16_t tick, age;
    assert_int_equal(extwd_get_calibration(&f->wd, &tick, &age), 0);
    assert_int_equal(tick, t);
    assert_true(age < 120);
    /* the traffic beyond the feeds: 3 looks of 2 transfers, 1 write */
    assert_true(extra <= 3u * 2u + 1u);
    assert_true(f->wd.stats.feeds - feeds0 > 1800);
    test_free(f);
}

/* A step of our clock (a host whose millis jumped) spoils the spans around
 * it: nothing is written from them; the spans after agree again. */
static void a_clock_step_is_refused(void **state)
{
    (void)state;
    struct fx *f = setup_period(15238, 0);
    feed_for(f, 121000);                 /* looks at 60 s and 120 s: one span */
    f->bus.now_ms += 7000;               /* the step: 7 s more on our clock only */
    feed_for(f, 60000);                  /* a span 7 s too long: disagrees */
    assert_int_equal(f->chip.hw.cal.tick_us, 0);
    assert_true(f->wd.cal.refused >= 1);
    feed_for(f, 2u * 60000u);            /* two clean spans: agree */
    uint16_t t = f->chip.hw.cal.tick_us;
    assert_true(t >= 15238 - 16 && t <= 15238 + 16);
    test_free(f);
}

/* A chip that restarted between two looks (its count starts again) gives
 * an implausible span, never a calibration. */
static void a_chip_restart_is_refused(void **state)
{
    (void)state;
    struct fx *f = setup_period(16000, 0);
    feed_for(f, 121000);
    uint32_t refused = f->wd.cal.refused;
    f->chip.hw.cal.count = 7;               /* as a boot leaves it, a few periods in */
    feed_for(f, 60000);
    assert_true(f->wd.cal.refused > refused);
    assert_int_equal(f->chip.hw.cal.tick_us, 0);
    test_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(span_arithmetic),
        cmocka_unit_test(calibrates_a_slow_watchdog),
        cmocka_unit_test(a_clock_step_is_refused),
        cmocka_unit_test(a_chip_restart_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
