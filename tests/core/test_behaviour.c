/*
 * Core unit tests: time-driven behaviour (SPEC 5.1-5.10) and counter
 * saturation.
 * SPDX-License-Identifier: MIT
 */
#include "harness.h"

#include <string.h>

static struct wd_chip ch;

static int setup(void **state)
{
    (void)state;
    h_erase(&ch);
    h_boot(&ch, EXTWD_CHIP_PORF);
    ch.served = 0;
    return 0;
}

/* Saves the current settings, as a host that configures and saves does. */
static void save(void)
{
    assert_int_equal(H_W(&ch, EXTWD_CMD_SAVE), EXTWD_ERR_OK);
}

/* SPEC 5.1 (firmware 2.1): never early: the reset comes at least T and at
 * most T rounded up to whole ticks plus one tick after the feed, for a feed
 * at any phase of the 16 ms tick (2.0 reset up to 16 ms early). Time is simulated in 1 ms steps: the
 * core gets a 16 ms tick every 16 ms, frames land between ticks. */
static void reset_timing_every_phase(void **state)
{
    static const uint32_t timeouts[] = {100, 1000, 1007, 1024, 3000, 65536 + 9};
    (void)state;
    for (size_t ti = 0; ti < sizeof timeouts / sizeof timeouts[0]; ti++) {
        for (uint32_t phase = 0; phase < WD_TICK_MS; phase++) {
            h_erase(&ch);
            h_boot(&ch, EXTWD_CHIP_PORF);
            assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, timeouts[ti], 4), EXTWD_ERR_OK);
            assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
            uint32_t now = 0, fed_at = phase, reset_at = 0;
            for (; now < timeouts[ti] + 1000; now++) {
                if (now == fed_at)
                    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
                if (now % WD_TICK_MS == WD_TICK_MS - 1) {
                    wd_core_tick(&ch.core, 0);
                    h_serve(&ch);
                }
                if (wd_core_outputs(&ch.core) & WD_OUT_RESET) {
                    reset_at = now + 1; /* the tick ends this ms */
                    break;
                }
            }
            assert_true(reset_at != 0);
            uint32_t after = reset_at - fed_at;
            uint32_t whole = (timeouts[ti] + WD_TICK_MS - 1u) / WD_TICK_MS * WD_TICK_MS;
            assert_true(after >= timeouts[ti]);
            assert_true(after <= whole + WD_TICK_MS);
        }
    }
}

/* The reset comes one tick after SINCE_FEED_MS reaches TIMEOUT_MS: the
 * first tick after a feed is partial, so only then is T sure to be over. */
static void reset_one_tick_after_equality(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 1024, 4), EXTWD_ERR_OK);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    h_run(&ch, 1008);
    assert_int_equal(h_rd(&ch, EXTWD_REG_SINCE_FEED_MS, 4), 1008);
    assert_int_equal(h_rd(&ch, EXTWD_REG_TIME_LEFT_MS, 4), 16);
    h_run(&ch, 16);
    assert_int_equal(h_rd(&ch, EXTWD_REG_SINCE_FEED_MS, 4), 1024);
    assert_false(wd_core_outputs(&ch.core) & WD_OUT_RESET);
    h_run(&ch, 16);
    assert_true(wd_core_outputs(&ch.core) & WD_OUT_RESET);
}

/* Fed every 100 ms for a long time: never reset. */
static void steady_feeding_never_resets(void **state)
{
    (void)state;
    for (int i = 0; i < 6000; i++) {
        assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
        h_run(&ch, 100);
        assert_false(wd_core_outputs(&ch.core) & WD_OUT_RESET);
    }
    assert_int_equal(H_R8(&ch, EXTWD_REG_RESET_COUNT), 0);
    assert_int_equal(h_rd(&ch, EXTWD_REG_UPTIME_S, 4), 600);
}

static void countdown_runs_while_disarmed(void **state)
{
    (void)state;
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 0, 1), EXTWD_ERR_OK);
    h_run(&ch, 5008);
    assert_false(wd_core_outputs(&ch.core) & WD_OUT_RESET);
    assert_int_equal(h_rd(&ch, EXTWD_REG_SINCE_FEED_MS, 4), 5008);
    assert_int_equal(H_R8(&ch, EXTWD_REG_SINCE_FEED_S), 5);
    /* firmware 2.1: the host's arm restarts it (the seed's [07 00], a 5 s
     * reconnect with no feed, [07 01]): a full timeout, then the reset */
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 1, 1), EXTWD_ERR_OK);
    assert_int_equal(h_rd(&ch, EXTWD_REG_SINCE_FEED_MS, 4), 0);
    h_run(&ch, 2992);
    assert_false(wd_core_outputs(&ch.core) & WD_OUT_RESET);
    assert_in_range(h_run_until_reset(&ch, 100), 16, 32);
    assert_int_equal(H_R8(&ch, EXTWD_REG_LAST_CAUSE), EXTWD_CAUSE_TIMEOUT);
    /* arming an armed chip restarts nothing */
    setup(NULL);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    h_run(&ch, 2000);
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 1, 1), EXTWD_ERR_OK);
    assert_int_equal(h_rd(&ch, EXTWD_REG_SINCE_FEED_MS, 4), 2000);
    /* feed, then arm: no reset */
    setup(NULL);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 0, 1), EXTWD_ERR_OK);
    h_run(&ch, 5000);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 1, 1), EXTWD_ERR_OK);
    h_run(&ch, 2900);
    assert_false(wd_core_outputs(&ch.core) & WD_OUT_RESET);
}

/* MAX_DISARM_S = 0: a timeout of 0 never resets, as on the stock chip. */
static void timeout_zero_unbounded_is_stock(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_MAX_DISARM_S, 0, 2), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_S, 0, 1), EXTWD_ERR_OK);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    h_run(&ch, 700000);
    assert_false(wd_core_outputs(&ch.core) & WD_OUT_RESET);
    assert_int_equal(H_R8(&ch, EXTWD_REG_SINCE_FEED_S), 255);
}

/* Firmware 2.1: one stray [06 00] (or the seed's [07 00] with bit 0 of its
 * first byte flipped) is bounded like a disarm: a host that keeps feeding is
 * never reset, one that stops is reset MAX_DISARM_S after its last feed. */
static void timeout_zero_is_bounded(void **state)
{
    (void)state;
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, EXTWD_REG_TIMEOUT_S, 0), EXTWD_ERR_OK);
    assert_int_equal(h_rd(&ch, EXTWD_REG_DISARM_LEFT_S, 2), 300);
    assert_int_equal(h_rd(&ch, EXTWD_REG_TIME_LEFT_MS, 4), 0xFFFFFFFFu);
    for (int i = 0; i < 4000; i++) { /* 400 s, fed: never reset */
        assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
        h_run(&ch, 100);
        assert_false(wd_core_outputs(&ch.core) & WD_OUT_RESET);
    }
    assert_int_equal(h_rd(&ch, EXTWD_REG_TIMEOUT_MS, 4), 0);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK); /* then the host hangs */
    uint32_t t = h_run_until_reset(&ch, 400000);
    assert_in_range(t, 299000, 300016);
    assert_int_equal(H_R8(&ch, EXTWD_REG_LAST_CAUSE), EXTWD_CAUSE_TIMEOUT);
    assert_true(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_AUTO_REARMED);
    assert_int_equal(h_rd(&ch, EXTWD_REG_TIMEOUT_MS, 4), 3000); /* the saved one is back */
}

/* SINCE_FEED counts 16-bit ticks and stops at 0xFFFF (1048560 ms). */
static void since_feed_saturates(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_S, 0, 1), EXTWD_ERR_OK);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    ch.core.since_t = 0xFFFE;
    h_run(&ch, 16);
    assert_int_equal(h_rd(&ch, EXTWD_REG_SINCE_FEED_MS, 4), 1048560);
    h_run(&ch, 160);
    assert_int_equal(h_rd(&ch, EXTWD_REG_SINCE_FEED_MS, 4), 1048560);
    assert_int_equal(H_R8(&ch, EXTWD_REG_SINCE_FEED_S), 255);
    /* the bound's re-arm then resets at once: a wrapped counter would not */
    ch.core.disarm_s = 299;
    assert_in_range(h_run_until_reset(&ch, 1100), 16, 1024);
}

static void power_up_grace(void **state)
{
    (void)state;
    /* nothing counts for 20 s; then the countdown from 0 */
    h_run(&ch, 19984);
    assert_int_equal(h_rd(&ch, EXTWD_REG_SINCE_FEED_MS, 4), 0);
    assert_true(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_IN_GRACE);
    assert_int_equal(h_rd(&ch, EXTWD_REG_GRACE_LEFT_MS, 4), 16);
    assert_int_equal(H_R8(&ch, EXTWD_REG_GRACE_LEFT_S), 1);
    h_run(&ch, 16);
    assert_false(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_IN_GRACE);
    assert_int_equal(H_R8(&ch, EXTWD_REG_GRACE_LEFT_S), 0);
    uint32_t t = h_run_until_reset(&ch, 5000);
    assert_int_equal(t, 3024); /* ceil(3000 / 16) + 1 ticks: never early */
}

static void grace_ends_at_first_feed(void **state)
{
    (void)state;
    h_run(&ch, 5000);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(h_rd(&ch, EXTWD_REG_GRACE_LEFT_MS, 4), 0);
    assert_false(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_IN_GRACE);
    assert_int_equal(h_run_until_reset(&ch, 5000), 3024);
}

static void grace_zero(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_GRACE_S, 0, 1), EXTWD_ERR_OK);
    save();
    h_boot(&ch, EXTWD_CHIP_PORF);
    assert_int_equal(h_rd(&ch, EXTWD_REG_GRACE_LEFT_MS, 4), 0);
    assert_int_equal(h_run_until_reset(&ch, 5000), 3024);
    /* and no grace after the pulse either */
    h_run(&ch, 96);
    assert_true(wd_core_outputs(&ch.core) & WD_OUT_RESET);
    h_run(&ch, 16);
    assert_false(wd_core_outputs(&ch.core) & WD_OUT_RESET);
    assert_int_equal(h_run_until_reset(&ch, 5000), 3024);
}

/* SPEC 5.3, one step at a time. */
static void host_reset_sequence(void **state)
{
    (void)state;
    /* saved: timeout 2 s, grace 5 s, pulse 50 ms */
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 2000, 4), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_GRACE_S, 5, 1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_PULSE_MS, 50, 2), EXTWD_ERR_OK);
    save();
    /* unsaved changes made by a host that then hangs */
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 1000, 4), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_GRACE_S, 9, 1), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, EXTWD_CMD_SET_ADDRESS, 0x31, 0xCE), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_BREADCRUMB, 0x77, 1), EXTWD_ERR_OK);
    h_run(&ch, 2000);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    ch.served = 0;
    uint32_t t = h_run_until_reset(&ch, 5000);
    assert_int_equal(t, 1024); /* 63 ticks + 1: never early */
    /* 1: evidence */
    assert_int_equal(H_R8(&ch, EXTWD_REG_STATUS), 1);
    assert_int_equal(H_R8(&ch, EXTWD_REG_LAST_CAUSE), EXTWD_CAUSE_TIMEOUT);
    assert_int_equal(H_R8(&ch, EXTWD_REG_BREADCRUMB_RST), 0x77);
    assert_int_equal(H_R8(&ch, EXTWD_REG_RESET_COUNT), 1);
    assert_int_equal(h_rd(&ch, EXTWD_REG_RESETS_TOTAL, 2), 1);
    assert_int_equal(H_R8(&ch, EXTWD_REG_HISTORY_LEN), 1);
    assert_int_equal(H_R8(&ch, EXTWD_REG_HISTORY + 0), EXTWD_CAUSE_TIMEOUT);
    assert_int_equal(H_R8(&ch, EXTWD_REG_HISTORY + 1), 0x77);
    assert_int_equal(h_rd(&ch, EXTWD_REG_HISTORY + 2, 4), 3); /* 3008 ms of uptime */
    /* 2: the boot loop count */
    assert_int_equal(H_R8(&ch, EXTWD_REG_BOOTLOOP_COUNT), 1);
    /* 3: saved settings are back, the address with them */
    assert_int_equal(h_rd(&ch, EXTWD_REG_TIMEOUT_MS, 4), 2000);
    assert_int_equal(H_R8(&ch, EXTWD_REG_GRACE_S), 5);
    assert_int_equal(wd_core_address(&ch.core), 0x26);
    assert_true(ch.served & WD_REQ_ADDRESS);
    assert_true(ch.served & WD_REQ_SEAL);
    /* BREADCRUMB itself is not cleared */
    assert_int_equal(H_R8(&ch, EXTWD_REG_BREADCRUMB), 0x77);
    /* 4: the pulse, PULSE_MS long (saved value 50 ms: 4 ticks) */
    assert_int_equal(h_rd(&ch, EXTWD_REG_TIME_LEFT_MS, 4), 0);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_BUSY);
    assert_int_equal(H_R8(&ch, EXTWD_REG_STATUS), 1);
    h_run(&ch, 48);
    assert_true(wd_core_outputs(&ch.core) & WD_OUT_RESET);
    assert_false(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_IN_GRACE);
    h_run(&ch, 16);
    assert_false(wd_core_outputs(&ch.core) & WD_OUT_RESET);
    /* 5: the grace: GRACE_S as restored (312 ticks: the half tick of an
     * odd number of seconds is dropped) */
    assert_int_equal(h_rd(&ch, EXTWD_REG_GRACE_LEFT_MS, 4), 4992);
    assert_int_equal(H_R8(&ch, EXTWD_REG_GRACE_LEFT_S), 5);
    assert_int_equal(h_rd(&ch, EXTWD_REG_GRACE_EFF_S, 2), 5);
    assert_true(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_IN_GRACE);
    /* STATUS stays across reads until the next feed */
    assert_int_equal(H_R8(&ch, EXTWD_REG_STATUS), 1);
    assert_int_equal(H_R8(&ch, EXTWD_REG_STATUS), 1);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_STATUS), 0);
    /* the history survives the feed */
    assert_int_equal(H_R8(&ch, EXTWD_REG_HISTORY_LEN), 1);
    assert_int_equal(H_R8(&ch, EXTWD_REG_LAST_CAUSE), EXTWD_CAUSE_TIMEOUT);
}

static void pulse_width(void **state)
{
    static const uint16_t widths[] = {1, 16, 17, 100, 500, 10000};
    (void)state;
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
        setup(NULL);
        assert_int_equal(h_set(&ch, EXTWD_REG_PULSE_MS, widths[i], 2), EXTWD_ERR_OK);
        save();
        assert_int_equal(H_W(&ch, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM), EXTWD_ERR_OK);
        uint32_t low = 0;
        while (wd_core_outputs(&ch.core) & WD_OUT_RESET) {
            h_run(&ch, 16);
            low += 16;
        }
        /* whole ticks, at least the width, less than a tick more */
        assert_true(low >= widths[i]);
        assert_true(low < widths[i] + 16u);
    }
}

static void history_keeps_four_newest(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_GRACE_S, 0, 1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_BOOTLOOP_LIMIT, 0, 1), EXTWD_ERR_OK);
    save();
    for (uint8_t i = 1; i <= 6; i++) {
        assert_int_equal(h_set(&ch, EXTWD_REG_BREADCRUMB, i, 1), EXTWD_ERR_OK);
        h_run(&ch, 1000);
        assert_int_equal(H_W(&ch, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM), EXTWD_ERR_OK);
        h_run(&ch, 112);
        assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    }
    assert_int_equal(H_R8(&ch, EXTWD_REG_HISTORY_LEN), 4);
    assert_int_equal(H_R8(&ch, EXTWD_REG_RESET_COUNT), 6);
    for (uint8_t k = 0; k < 4; k++) {
        assert_int_equal(H_R8(&ch, (uint8_t)(EXTWD_REG_HISTORY + 6 * k)), EXTWD_CAUSE_TEST);
        assert_int_equal(H_R8(&ch, (uint8_t)(EXTWD_REG_HISTORY + 6 * k + 1)), 6 - k);
    }
    /* uptimes newest first */
    assert_true(h_rd(&ch, EXTWD_REG_HISTORY + 2, 4) > h_rd(&ch, EXTWD_REG_HISTORY + 8, 4));
}

static void counters_saturate(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_GRACE_S, 0, 1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_PULSE_MS, 1, 2), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_BOOTLOOP_LIMIT, 0, 1), EXTWD_ERR_OK);
    save();
    ch.persist.resets_total = 65533;
    for (int i = 0; i < 300; i++) {
        assert_int_equal(H_W(&ch, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM), EXTWD_ERR_OK);
        h_run(&ch, 16);
    }
    assert_int_equal(H_R8(&ch, EXTWD_REG_RESET_COUNT), 255);
    assert_int_equal(h_rd(&ch, EXTWD_REG_RESETS_TOTAL, 2), 65535);
    assert_int_equal(H_R8(&ch, EXTWD_REG_BOOTLOOP_COUNT), 255);
    assert_int_equal(H_R8(&ch, EXTWD_REG_HISTORY_LEN), 4);
}

/* SPEC 5.5 with the defaults: limit 3, grace 20 s. */
static void boot_loop_escalation(void **state)
{
    static const uint16_t grace_after[] = {20, 20, 20, 40, 80, 160, 320, 320, 320};
    (void)state;
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    for (size_t i = 0; i < sizeof grace_after / sizeof grace_after[0]; i++) {
        /* the host never feeds: grace, then the timeout */
        assert_true(h_run_until_reset(&ch, 400000) <= 320000 + 3024);
        assert_int_equal(H_R8(&ch, EXTWD_REG_BOOTLOOP_COUNT), i + 1);
        assert_int_equal(h_rd(&ch, EXTWD_REG_GRACE_EFF_S, 2), grace_after[i]);
        uint8_t safe = H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_SAFE_MODE;
        assert_int_equal(safe, i >= 3 ? EXTWD_XS_SAFE_MODE : 0);
        h_run(&ch, 112); /* the pulse */
        assert_int_equal(h_rd(&ch, EXTWD_REG_GRACE_LEFT_MS, 4), grace_after[i] * 1000u);
    }
    /* the host comes up: a healthy period clears the count, not SAFE_MODE */
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    for (int s = 0; s < 59; s++) {
        h_run(&ch, 1000);
        assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    }
    assert_int_equal(H_R8(&ch, EXTWD_REG_BOOTLOOP_COUNT), 9);
    h_run(&ch, 1000);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_BOOTLOOP_COUNT), 0);
    assert_true(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_SAFE_MODE);
    assert_int_equal(h_set(&ch, EXTWD_REG_EXT_STATUS, (uint8_t)~EXTWD_XS_SAFE_MODE, 1), EXTWD_ERR_OK);
    assert_false(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_SAFE_MODE);
    /* the next reset starts a new loop: plain grace */
    assert_int_equal(H_W(&ch, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_BOOTLOOP_COUNT), 1);
    assert_int_equal(h_rd(&ch, EXTWD_REG_GRACE_EFF_S, 2), 20);
}

/* A reset before the healthy period ends keeps counting; the period starts
 * at the first feed after a reset, not at the reset. */
static void healthy_period_needs_the_feed(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_HEALTHY_S, 5, 1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_GRACE_S, 10, 1), EXTWD_ERR_OK);
    save();
    assert_int_equal(H_W(&ch, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM), EXTWD_ERR_OK);
    h_run(&ch, 112);
    /* 8 s of grace without a feed: not healthy */
    h_run(&ch, 8000);
    assert_int_equal(H_R8(&ch, EXTWD_REG_BOOTLOOP_COUNT), 1);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    h_run(&ch, 2000);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    h_run(&ch, 2000);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_BOOTLOOP_COUNT), 1);
    /* reset again before 5 s: the count goes on */
    assert_int_equal(H_W(&ch, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_BOOTLOOP_COUNT), 2);
    h_run(&ch, 112);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    for (int i = 0; i < 6; i++) {
        h_run(&ch, 1000);
        assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    }
    assert_int_equal(H_R8(&ch, EXTWD_REG_BOOTLOOP_COUNT), 0);
}

static void bootloop_limit_zero_is_off(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_BOOTLOOP_LIMIT, 0, 1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_GRACE_S, 1, 1), EXTWD_ERR_OK);
    save();
    for (int i = 0; i < 10; i++) {
        assert_int_equal(H_W(&ch, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM), EXTWD_ERR_OK);
        h_run(&ch, 112);
    }
    assert_int_equal(H_R8(&ch, EXTWD_REG_BOOTLOOP_COUNT), 10);
    assert_int_equal(h_rd(&ch, EXTWD_REG_GRACE_EFF_S, 2), 1);
    assert_false(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_SAFE_MODE);
}

/* SPEC 5.5: the limit in force at the reset decides, GRACE_S as restored
 * by the reset is backed off. */
static void bootloop_uses_live_limit_and_restored_grace(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_BOOTLOOP_LIMIT, 1, 1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_GRACE_S, 10, 1), EXTWD_ERR_OK);
    save();
    assert_int_equal(H_W(&ch, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM), EXTWD_ERR_OK); /* count 1 */
    h_run(&ch, 112);
    /* unsaved: a higher limit and a longer grace */
    assert_int_equal(h_set(&ch, EXTWD_REG_BOOTLOOP_LIMIT, 5, 1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_GRACE_S, 50, 1), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM), EXTWD_ERR_OK); /* count 2, limit 5 */
    assert_false(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_SAFE_MODE);
    assert_int_equal(h_rd(&ch, EXTWD_REG_GRACE_EFF_S, 2), 10);
    h_run(&ch, 112);
    /* the reset restored limit 1: count 3 is past it by 2 */
    assert_int_equal(h_set(&ch, EXTWD_REG_GRACE_S, 50, 1), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM), EXTWD_ERR_OK);
    assert_true(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_SAFE_MODE);
    assert_int_equal(h_rd(&ch, EXTWD_REG_GRACE_EFF_S, 2), 40);
}

/* The largest back-off: 255 s x 16 = 4080 s, which 16-bit ticks cannot
 * hold: it stops at 1048 s (65500 ticks), and GRACE_EFF_S says so. */
static void grace_backoff_largest(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_GRACE_S, 255, 1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_BOOTLOOP_LIMIT, 1, 1), EXTWD_ERR_OK);
    save();
    for (int i = 0; i < 6; i++) {
        assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
        assert_int_equal(H_W(&ch, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM), EXTWD_ERR_OK);
        h_run(&ch, 112);
        if (i == 2)
            assert_int_equal(h_rd(&ch, EXTWD_REG_GRACE_EFF_S, 2), 1020); /* 255 x 4 */
    }
    assert_int_equal(h_rd(&ch, EXTWD_REG_GRACE_EFF_S, 2), 1048);
    assert_int_equal(h_rd(&ch, EXTWD_REG_GRACE_LEFT_MS, 4), 1048000);
    assert_int_equal(H_R8(&ch, EXTWD_REG_GRACE_LEFT_S), 255);
    assert_int_equal(h_rd(&ch, EXTWD_REG_TIME_LEFT_MS, 4), 1051000);
}

/* SPEC 5.6, firmware 2.1: the bound runs from the later of the disarm and
 * the last feed, so a disarmed host that keeps feeding (the ADR's OTA: a
 * feed per chunk) is never reset, however long it takes. */
static void bounded_disarm(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_MAX_DISARM_S, 10, 2), EXTWD_ERR_OK);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(h_rd(&ch, EXTWD_REG_DISARM_LEFT_S, 2), 0xFFFF);
    h_run(&ch, 500); /* half a second into an uptime second */
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 0, 1), EXTWD_ERR_OK);
    assert_int_equal(h_rd(&ch, EXTWD_REG_DISARM_LEFT_S, 2), 10);
    /* fed every 5 s for 60 s: disarmed all along, never reset */
    for (int i = 0; i < 12; i++) {
        h_run(&ch, 5000);
        assert_in_range(h_rd(&ch, EXTWD_REG_DISARM_LEFT_S, 2), 5, 6);
        assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
        assert_int_equal(h_rd(&ch, EXTWD_REG_DISARM_LEFT_S, 2), 10);
    }
    assert_int_equal(H_R8(&ch, EXTWD_REG_ACTION), 0);
    assert_false(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_AUTO_REARMED);
    assert_int_equal(H_R8(&ch, EXTWD_REG_RESET_COUNT), 0);
    /* writing 0 again does not extend the disarm; only a feed does */
    h_run(&ch, 4000);
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 0, 1), EXTWD_ERR_OK);
    assert_in_range(h_rd(&ch, EXTWD_REG_DISARM_LEFT_S, 2), 6, 7);
    /* the host arms: a full timeout from the arm (5.1), no reset */
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 1, 1), EXTWD_ERR_OK);
    h_run(&ch, 2992);
    assert_false(wd_core_outputs(&ch.core) & WD_OUT_RESET);
    assert_int_equal(H_R8(&ch, EXTWD_REG_RESET_COUNT), 0);
    assert_true(ch.served & WD_REQ_SEAL);
}

/* A disarm that ends with no feed re-arms 9-10 s after it (whole seconds
 * of uptime), and the count that ran resets the host in that tick. */
static void bounded_disarm_exact_time(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_MAX_DISARM_S, 10, 2), EXTWD_ERR_OK);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    h_run(&ch, 496);
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 0, 1), EXTWD_ERR_OK);
    uint32_t t = 0;
    while (!(wd_core_outputs(&ch.core) & WD_OUT_RESET) && t < 20000) {
        h_run(&ch, 16);
        t += 16;
    }
    assert_true(t > 9000 && t <= 10000);
    assert_true(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_AUTO_REARMED);
}

/* Firmware 2.1: a second disarm after the chip re-armed itself lasts its
 * whole bound too (2.0 undid it at the next tick). */
static void repeated_disarm_holds(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_MAX_DISARM_S, 10, 2), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_GRACE_S, 0, 1), EXTWD_ERR_OK);
    save();
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 0, 1), EXTWD_ERR_OK);
    assert_in_range(h_run_until_reset(&ch, 20000), 9000, 10000); /* first disarm expired */
    h_run(&ch, 200);                                             /* after the pulse */
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 0, 1), EXTWD_ERR_OK);
    h_run(&ch, 48);
    assert_int_equal(H_R8(&ch, EXTWD_REG_ACTION), 0);
    assert_in_range(h_rd(&ch, EXTWD_REG_DISARM_LEFT_S, 2), 9, 10);
    assert_in_range(h_run_until_reset(&ch, 20000), 8900, 10000);
}

static void hung_while_disarmed_is_reset_at_once(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_MAX_DISARM_S, 10, 2), EXTWD_ERR_OK);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 0, 1), EXTWD_ERR_OK);
    uint32_t t = h_run_until_reset(&ch, 20000);
    assert_true(t > 9000 && t <= 10016);
    assert_int_equal(H_R8(&ch, EXTWD_REG_LAST_CAUSE), EXTWD_CAUSE_TIMEOUT);
    assert_true(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_AUTO_REARMED);
}

static void unbounded_disarm(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_MAX_DISARM_S, 0, 2), EXTWD_ERR_OK);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 0, 1), EXTWD_ERR_OK);
    assert_int_equal(h_rd(&ch, EXTWD_REG_DISARM_LEFT_S, 2), 0xFFFF);
    h_run(&ch, 100000);
    assert_int_equal(H_R8(&ch, EXTWD_REG_ACTION), 0);
    assert_false(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_AUTO_REARMED);
    assert_false(wd_core_outputs(&ch.core) & WD_OUT_RESET);
    /* the disarm counter saturates rather than wrapping */
    h_run(&ch, 70000u * 1000u / 1000u);
    ch.core.disarm_s = 0xFFFE;
    h_run(&ch, 3000);
    assert_int_equal(ch.core.disarm_s, 0xFFFF);
    /* now bounding it re-arms at once */
    assert_int_equal(h_set(&ch, EXTWD_REG_MAX_DISARM_S, 300, 2), EXTWD_ERR_OK);
    assert_int_equal(h_rd(&ch, EXTWD_REG_DISARM_LEFT_S, 2), 0);
    h_run(&ch, 16);
    assert_int_equal(H_R8(&ch, EXTWD_REG_ACTION), 1);
}

/* Firmware 2.1: a SAVE never persists a disarm, and no boot restores one:
 * ACTION is not loaded from EEPROM (a slot saved by firmware 2.0 with ACTION
 * 0 boots armed). */
static void saved_disarm_never_restored(void **state)
{
    struct wd_settings set;
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 0, 1), EXTWD_ERR_OK);
    save();
    h_boot(&ch, EXTWD_CHIP_PORF);
    assert_int_equal(H_R8(&ch, EXTWD_REG_ACTION), 1);

    wd_settings_defaults(&set);
    set.action = 0;
    set.max_disarm_s = 30;
    h_put_slot(&ch, &set);
    h_boot(&ch, EXTWD_CHIP_PORF);
    assert_int_equal(H_R8(&ch, EXTWD_REG_ACTION), 1);
    assert_int_equal(h_rd(&ch, EXTWD_REG_MAX_DISARM_S, 2), 30); /* the rest is loaded */
    /* and a host reset restores ACTION 1 after a disarm */
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 0, 1), EXTWD_ERR_OK);
    uint32_t t = h_run_until_reset(&ch, 40000);
    assert_true(t > 29000 && t <= 30016);
    h_run(&ch, 200);
    assert_int_equal(H_R8(&ch, EXTWD_REG_ACTION), 1);
}

/* SPEC 5.8 */
static void pretimeout(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_PRETIMEOUT_MS, 500, 2), EXTWD_ERR_OK);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    h_run(&ch, 2512);
    assert_false(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_PRETIMEOUT);
    h_run(&ch, 16); /* 2528 counted: the reset comes at 3024, 496 ms on */
    assert_true(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_PRETIMEOUT);
    /* no pin unless OPTIONS bit 2 */
    assert_int_equal(wd_core_outputs(&ch.core), 0);
    assert_int_equal(h_set(&ch, EXTWD_REG_OPTIONS, EXTWD_OPT_PRETIMEOUT_PIN, 1), EXTWD_ERR_OK);
    assert_int_equal(wd_core_outputs(&ch.core), WD_OUT_PRETIMEOUT);
    /* a feed clears both */
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_false(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_PRETIMEOUT);
    assert_int_equal(wd_core_outputs(&ch.core), 0);
    /* up to the reset; the pulse replaces it */
    h_run(&ch, 2528);
    assert_int_equal(wd_core_outputs(&ch.core), WD_OUT_PRETIMEOUT);
    h_run(&ch, 480);
    assert_int_equal(wd_core_outputs(&ch.core), WD_OUT_PRETIMEOUT);
    h_run(&ch, 16);
    assert_int_equal(wd_core_outputs(&ch.core), WD_OUT_RESET);
    assert_false(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_PRETIMEOUT);
}

static void pretimeout_off_cases(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_PRETIMEOUT_MS, 2000, 2), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_OPTIONS, EXTWD_OPT_PRETIMEOUT_PIN, 1), EXTWD_ERR_OK);
    /* in grace: off, though the since-feed count would not say so */
    assert_true(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_IN_GRACE);
    assert_int_equal(wd_core_outputs(&ch.core), 0);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    h_run(&ch, 1500);
    assert_int_equal(wd_core_outputs(&ch.core), WD_OUT_PRETIMEOUT);
    /* disarmed: off */
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 0, 1), EXTWD_ERR_OK);
    assert_int_equal(wd_core_outputs(&ch.core), 0);
    assert_false(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_PRETIMEOUT);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 1, 1), EXTWD_ERR_OK);
    /* a timeout made shorter than it switches it off, a longer one back on */
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 2000, 4), EXTWD_ERR_OK);
    h_run(&ch, 1900);
    assert_int_equal(wd_core_outputs(&ch.core), 0);
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 3000, 4), EXTWD_ERR_OK);
    assert_int_equal(wd_core_outputs(&ch.core), WD_OUT_PRETIMEOUT);
    /* timeout 0: no reset pending, no warning */
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 0, 4), EXTWD_ERR_OK);
    assert_int_equal(wd_core_outputs(&ch.core), 0);
}

/* SPEC 5.9 */
static void window(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_WINDOW_MS, 200, 2), EXTWD_ERR_OK);
    /* in grace: early feeds are fine */
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    /* 208 ms: late enough */
    h_run(&ch, 208);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_RESET_COUNT), 0);
    /* exactly WINDOW_MS after the feed: not early */
    assert_int_equal(h_set(&ch, EXTWD_REG_WINDOW_MS, 208, 2), EXTWD_ERR_OK);
    h_run(&ch, 208);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_RESET_COUNT), 0);
    assert_int_equal(h_set(&ch, EXTWD_REG_WINDOW_MS, 200, 2), EXTWD_ERR_OK);
    /* 192 ms: too early */
    h_run(&ch, 192);
    assert_int_equal(h_set(&ch, EXTWD_REG_BREADCRUMB, 0x5C, 1), EXTWD_ERR_OK);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_true(wd_core_outputs(&ch.core) & WD_OUT_RESET);
    assert_int_equal(H_R8(&ch, EXTWD_REG_LAST_CAUSE), EXTWD_CAUSE_WINDOW);
    assert_int_equal(H_R8(&ch, EXTWD_REG_WINDOW_FAULTS), 1);
    assert_true(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_WINDOW_FAULT);
    assert_int_equal(H_R8(&ch, EXTWD_REG_HISTORY), EXTWD_CAUSE_WINDOW);
    assert_int_equal(H_R8(&ch, EXTWD_REG_HISTORY + 1), 0x5C);
    assert_int_equal(H_R8(&ch, EXTWD_REG_STATUS), 1);
}

static void window_off_cases(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_WINDOW_MS, 1000, 2), EXTWD_ERR_OK);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    /* disarmed: no fault */
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 0, 1), EXTWD_ERR_OK);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 1, 1), EXTWD_ERR_OK);
    /* timeout made shorter than the window: off */
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 1000, 4), EXTWD_ERR_OK);
    h_run(&ch, 100);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_RESET_COUNT), 0);
    /* long enough again: on */
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 3000, 4), EXTWD_ERR_OK);
    h_run(&ch, 100);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_RESET_COUNT), 1);
    /* window faults saturate */
    assert_int_equal(h_set(&ch, EXTWD_REG_WINDOW_MS, 1000, 2), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_GRACE_S, 0, 1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_PULSE_MS, 1, 2), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_BOOTLOOP_LIMIT, 0, 1), EXTWD_ERR_OK);
    save();
    h_run(&ch, 112); /* the pulse of the last fault */
    for (int i = 0; i < 300; i++) {
        assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
        h_run(&ch, 16);
    }
    assert_int_equal(H_R8(&ch, EXTWD_REG_WINDOW_FAULTS), 255);
}

/* SPEC 5.10: 16 samples, share of stuck samples above BUSLOAD_PCT (bus = 1:
 * a line low, nothing moved, what the host's fake chip passes for a stuck
 * line). */
static void bus_health(void **state)
{
    (void)state;
    /* no host resets here: they would reload BUSLOAD_PCT */
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 0, 4), EXTWD_ERR_OK);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    /* 50 %: 8 of 16 low is not above it */
    for (int i = 0; i < 64; i++) {
        wd_core_tick(&ch.core, (uint8_t)(i & 1));
        h_serve(&ch);
    }
    assert_int_equal(H_R8(&ch, EXTWD_REG_BUSERR_COUNT), 0);
    assert_false(ch.served & WD_REQ_BUS_REINIT);
    /* a stuck line: the 9th low sample of the window trips it */
    int n = 0;
    while (!(ch.served & WD_REQ_BUS_REINIT) && n < 100) {
        wd_core_tick(&ch.core, 1);
        h_serve(&ch);
        n++;
    }
    /* the window held 8 lows of the alternating pattern: 1 more trips it */
    assert_int_equal(n, 1);
    assert_int_equal(H_R8(&ch, EXTWD_REG_BUSERR_COUNT), 1);
    assert_int_equal(H_R8(&ch, EXTWD_REG_REINIT_COUNT), 1);
    /* a fresh window: 9 more low samples to trip again */
    ch.served = 0;
    for (n = 0; !(ch.served & WD_REQ_BUS_REINIT) && n < 100; n++) {
        wd_core_tick(&ch.core, 1);
        h_serve(&ch);
    }
    assert_int_equal(n, 9);
    assert_int_equal(H_R8(&ch, EXTWD_REG_BUSERR_COUNT), 2);
    /* 100 % never trips; 1 % trips at the first low sample */
    assert_int_equal(h_set(&ch, EXTWD_REG_BUSLOAD_PCT, 100, 1), EXTWD_ERR_OK);
    ch.served = 0;
    for (n = 0; n < 100; n++)
        wd_core_tick(&ch.core, 1);
    h_serve(&ch);
    assert_false(ch.served & WD_REQ_BUS_REINIT);
    assert_int_equal(h_set(&ch, EXTWD_REG_BUSLOAD_PCT, 1, 1), EXTWD_ERR_OK);
    ch.core.bus_samples = 0;
    wd_core_tick(&ch.core, 1);
    h_serve(&ch);
    assert_true(ch.served & WD_REQ_BUS_REINIT);
    /* counters saturate */
    for (n = 0; n < 600; n++)
        wd_core_tick(&ch.core, 1);
    h_serve(&ch);
    assert_int_equal(H_R8(&ch, EXTWD_REG_BUSERR_COUNT), 255);
    assert_int_equal(H_R8(&ch, EXTWD_REG_REINIT_COUNT), 255);
}

/* One tick with bus as the port saw it; serves the requests. Returns
 * nonzero if it tripped the bus-health check. */
static int bus_tick(uint8_t bus)
{
    ch.served = 0;
    wd_core_tick(&ch.core, bus);
    h_serve(&ch);
    return (ch.served & WD_REQ_BUS_REINIT) != 0;
}

/* Sets BUSLOAD_PCT and gives the window 16 samples that are not stuck. */
static void bus_fresh(uint8_t pct)
{
    assert_int_equal(h_set(&ch, EXTWD_REG_BUSLOAD_PCT, pct, 1), EXTWD_ERR_OK);
    for (int i = 0; i < 16; i++)
        assert_false(bus_tick(0));
}

/* SPEC 5.10: which samples are stuck. A line low with WD_BUS_MOVED (any low
 * bits) never counts, even at BUSLOAD_PCT = 1, where one stuck sample trips;
 * every value 1-0x7F is stuck; 0 (both lines high) is not. */
static void bus_health_stuck_sample(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 0, 4), EXTWD_ERR_OK);
    bus_fresh(1);
    for (unsigned rep = 0; rep < 4; rep++)
        for (unsigned b = WD_BUS_MOVED; b <= 0xFFu; b++)
            assert_false(bus_tick((uint8_t)b));
    assert_int_equal(H_R8(&ch, EXTWD_REG_BUSERR_COUNT), 0);
    for (unsigned b = 1; b < WD_BUS_MOVED; b++) {
        assert_true(bus_tick((uint8_t)b));          /* fresh window after a trip */
        assert_int_equal(H_R8(&ch, EXTWD_REG_BUSERR_COUNT), b < 255u ? b : 255u);
        assert_int_equal(H_R8(&ch, EXTWD_REG_REINIT_COUNT), b < 255u ? b : 255u);
    }
    assert_false(bus_tick(0));
}

/* SPEC 5.10 thresholds: with BUSLOAD_PCT = p the k-th stuck sample of a fresh
 * window trips it, k = floor(16 p / 100) + 1 (share k/16 > p %), and not the
 * one before; p >= 94 needs 16 of 16, and p = 100 never trips. */
static void bus_health_threshold_boundaries(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 0, 4), EXTWD_ERR_OK);
    unsigned trips = 0;
    for (unsigned p = EXTWD_BUSLOAD_PCT_MIN; p <= EXTWD_BUSLOAD_PCT_MAX; p++) {
        unsigned k = 16u * p / 100u + 1u;
        bus_fresh((uint8_t)p);
        for (unsigned i = 1; i < k && i <= 16u; i++)
            assert_false(bus_tick(1));
        if (k <= 16u) {
            assert_true(bus_tick(1));
            trips++;
        } else {
            for (unsigned i = 0; i < 64; i++)
                assert_false(bus_tick(1));
        }
    }
    assert_int_equal(trips, 99);
    assert_int_equal(H_R8(&ch, EXTWD_REG_BUSERR_COUNT), 99);
    /* the window slides: at 50 %, 8 stuck then 8 busy then stuck samples
     * again: each new one pushes an old one out until 9 are in */
    bus_fresh(50);
    for (int i = 0; i < 8; i++)
        assert_false(bus_tick(1));
    for (int i = 0; i < 8; i++)
        assert_false(bus_tick(WD_BUS_MOVED | 1u));
    for (int i = 0; i < 8; i++)
        assert_false(bus_tick(1));      /* 8 stuck in the window all along */
    assert_true(bus_tick(1));
}

/* Dense healthy traffic: a line low at most ticks, but the bus moved before
 * each one. Ten minutes of it never trips, even at BUSLOAD_PCT = 1; a line
 * then stuck trips at the 9th tick at the default 50 %. */
static void bus_health_dense_traffic(void **state)
{
    (void)state;
    static const uint8_t seen[] = { 0, WD_BUS_MOVED, WD_BUS_MOVED | 0x01u, WD_BUS_MOVED | 0x04u,
                                    WD_BUS_MOVED | 0x05u, WD_BUS_MOVED | 0x30u };
    uint32_t r = 1;
    assert_int_equal(h_set(&ch, EXTWD_REG_MAX_DISARM_S, 0, 2), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 0, 4), EXTWD_ERR_OK);
    bus_fresh(1);
    for (int i = 0; i < 37500; i++) {
        r = r * 1664525u + 1013904223u;
        assert_false(bus_tick(seen[(r >> 16) % sizeof seen]));
    }
    assert_int_equal(H_R8(&ch, EXTWD_REG_BUSERR_COUNT), 0);
    assert_int_equal(H_R8(&ch, EXTWD_REG_BUSLOAD_PCT), 1);
    bus_fresh(EXTWD_DEFAULT_BUSLOAD_PCT);
    for (int i = 0; i < 100; i++)
        assert_false(bus_tick(WD_BUS_MOVED | 0x05u));
    int n = 1;
    while (!bus_tick(0x01u) && n < 100)
        n++;
    assert_int_equal(n, 9);
    assert_int_equal(H_R8(&ch, EXTWD_REG_BUSERR_COUNT), 1);
    assert_int_equal(H_R8(&ch, EXTWD_REG_REINIT_COUNT), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(reset_timing_every_phase, setup),
        cmocka_unit_test_setup(reset_one_tick_after_equality, setup),
        cmocka_unit_test_setup(steady_feeding_never_resets, setup),
        cmocka_unit_test_setup(countdown_runs_while_disarmed, setup),
        cmocka_unit_test_setup(timeout_zero_unbounded_is_stock, setup),
        cmocka_unit_test_setup(timeout_zero_is_bounded, setup),
        cmocka_unit_test_setup(since_feed_saturates, setup),
        cmocka_unit_test_setup(power_up_grace, setup),
        cmocka_unit_test_setup(grace_ends_at_first_feed, setup),
        cmocka_unit_test_setup(grace_zero, setup),
        cmocka_unit_test_setup(host_reset_sequence, setup),
        cmocka_unit_test_setup(pulse_width, setup),
        cmocka_unit_test_setup(history_keeps_four_newest, setup),
        cmocka_unit_test_setup(counters_saturate, setup),
        cmocka_unit_test_setup(boot_loop_escalation, setup),
        cmocka_unit_test_setup(healthy_period_needs_the_feed, setup),
        cmocka_unit_test_setup(bootloop_limit_zero_is_off, setup),
        cmocka_unit_test_setup(bootloop_uses_live_limit_and_restored_grace, setup),
        cmocka_unit_test_setup(grace_backoff_largest, setup),
        cmocka_unit_test_setup(bounded_disarm, setup),
        cmocka_unit_test_setup(bounded_disarm_exact_time, setup),
        cmocka_unit_test_setup(repeated_disarm_holds, setup),
        cmocka_unit_test_setup(hung_while_disarmed_is_reset_at_once, setup),
        cmocka_unit_test_setup(unbounded_disarm, setup),
        cmocka_unit_test_setup(saved_disarm_never_restored, setup),
        cmocka_unit_test_setup(pretimeout, setup),
        cmocka_unit_test_setup(pretimeout_off_cases, setup),
        cmocka_unit_test_setup(window, setup),
        cmocka_unit_test_setup(window_off_cases, setup),
        cmocka_unit_test_setup(bus_health, setup),
        cmocka_unit_test_setup(bus_health_stuck_sample, setup),
        cmocka_unit_test_setup(bus_health_threshold_boundaries, setup),
        cmocka_unit_test_setup(bus_health_dense_traffic, setup),
    };
    return cmocka_run_group_tests_name("core_behaviour", tests, NULL, NULL);
}
