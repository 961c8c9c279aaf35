/*
 * The field behaviours of firmware 2.1 (issue 12): hosts written the way the
 * seed and the stock OTGW firmware write them are never reset while they
 * work, and never left unprotected beyond MAX_DISARM_S. Each test here
 * fails on firmware 2.0.2.
 *
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
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK); /* ends the grace */
    return 0;
}

static int resetting(void)
{
    return (wd_core_outputs(&ch.core) & WD_OUT_RESET) != 0;
}

/* A stock host feeding every 100 ms for ms; returns nonzero if reset. */
static int stock_feeds(uint32_t ms)
{
    for (uint32_t t = 0; t < ms; t += 100) {
        if (resetting())
            return 1;
        (void)h_feed(&ch);
        h_run(&ch, 100);
    }
    return resetting();
}

/* 1: the seed's reconnect with raw bytes: [07 00], 5-20 s with no feed,
 * [07 01], the rate-limited feed ~100 ms later. 2.0 reset 8-16 ms after
 * every arm. */
static void arm_gives_a_full_timeout(void **state)
{
    (void)state;
    for (uint32_t block = 5000; block <= 20000; block += 5000) {
        setup(NULL);
        assert_int_equal(H_W(&ch, EXTWD_REG_ACTION, 0), EXTWD_ERR_OK);
        h_run(&ch, block);
        assert_int_equal(H_W(&ch, EXTWD_REG_ACTION, 1), EXTWD_ERR_OK);
        h_run(&ch, 100);
        assert_false(resetting());
        assert_false(stock_feeds(10000));
        /* and the arm is a full timeout for a host that then hangs */
        setup(NULL);
        assert_int_equal(H_W(&ch, EXTWD_REG_ACTION, 0), EXTWD_ERR_OK);
        h_run(&ch, block);
        assert_int_equal(H_W(&ch, EXTWD_REG_ACTION, 1), EXTWD_ERR_OK);
        assert_in_range(h_run_until_reset(&ch, 5000), 3008, 3024);
    }
}

/* 2: the ADR's OTA: disarm, a feed per 10-20 s chunk, re-arm, lasting far
 * longer than MAX_DISARM_S (300 s): never reset; the update lands. */
static void disarmed_ota_that_feeds_lands(void **state)
{
    (void)state;
    assert_int_equal(H_W(&ch, EXTWD_REG_ACTION, 0), EXTWD_ERR_OK);
    for (int chunk = 0; chunk < 60; chunk++) { /* 60 chunks of 15 s: 900 s */
        assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
        h_run(&ch, 15000);
        assert_false(resetting());
    }
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, EXTWD_REG_ACTION, 1), EXTWD_ERR_OK);
    assert_false(stock_feeds(5000));
    assert_int_equal(H_R8(&ch, EXTWD_REG_RESET_COUNT), 0);
    /* ...and one that hangs mid-update is reset 300 s after its last feed */
    assert_int_equal(H_W(&ch, EXTWD_REG_ACTION, 0), EXTWD_ERR_OK);
    h_run(&ch, 15000);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_in_range(h_run_until_reset(&ch, 400000), 299000, 300016);
}

/* 3 is in test_behaviour.c (timeout_zero_is_bounded); here the flipped
 * [07 00] -> [06 00] with a stock host that then hangs. */
static void stray_timeout_zero_is_bounded(void **state)
{
    (void)state;
    assert_int_equal(H_W(&ch, EXTWD_REG_TIMEOUT_S, 0), EXTWD_ERR_OK);
    assert_false(stock_feeds(20000));
    assert_in_range(h_run_until_reset(&ch, 400000), 299000, 300016);
}

/* 4, exhaustively: every single-bit flip of each frame a stock host sends.
 * After the flipped frame the host keeps feeding for 30 s (never reset),
 * then hangs: it is reset within MAX_DISARM_S (300 s) + the timeout. */
static void no_single_bit_error_resets_or_unprotects(void **state)
{
    static const uint8_t frames[][2] = {
        {EXTWD_CMD_FEED, 0}, {EXTWD_REG_ACTION, 0}, {EXTWD_REG_ACTION, 1},
        {EXTWD_CMD_SET_POINTER, EXTWD_REG_STATUS}};
    static const uint8_t lens[] = {1, 2, 2, 2};
    unsigned flips = 0;
    (void)state;
    for (unsigned f = 0; f < 4; f++) {
        for (unsigned bit = 0; bit < 8u * lens[f]; bit++) {
            uint8_t frame[2];
            memcpy(frame, frames[f], 2);
            frame[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            setup(NULL);
            h_run(&ch, 50);
            (void)h_frame(&ch, frame, lens[f]);
            h_run(&ch, 50);
            assert_false(resetting());
            assert_false(stock_feeds(30000));
            assert_int_equal(H_R8(&ch, EXTWD_REG_RESET_COUNT), 0);
            uint32_t t = h_run_until_reset(&ch, 400000);
            assert_true(t <= 300000 + 3024);
            flips++;
        }
    }
    assert_int_equal(flips, 56);
}

/* 5 is in test_behaviour.c (reset_timing_every_phase). */

/* 6: a brown-out storm (chip restarts with intact state every 2 s) cannot
 * keep a hung host alive: the count goes on, no new grace. */
static void restarts_do_not_grant_grace(void **state)
{
    (void)state;
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK); /* then the host hangs */
    uint32_t t = 0;
    while (!resetting() && t < 60000) {
        h_run(&ch, 16);
        t += 16;
        if (t % 1000 < 16 && !resetting()) {
            h_restart_keep_ram(&ch, EXTWD_CHIP_BORF);
            assert_false(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_IN_GRACE);
        }
    }
    assert_in_range(t, 3008, 3024);
    assert_true(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_CHIP_RESTARTED);
    /* a restart in the middle of a grace keeps the rest of it, no more */
    setup(NULL);
    h_boot(&ch, EXTWD_CHIP_PORF);
    h_run(&ch, 10000);
    h_restart_keep_ram(&ch, EXTWD_CHIP_BORF);
    assert_in_range(h_rd(&ch, EXTWD_REG_GRACE_LEFT_MS, 4), 9984, 10000);
    /* power-on, or RAM that lost its contents: a grace as before */
    h_boot(&ch, EXTWD_CHIP_PORF);
    assert_true(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_IN_GRACE);
    h_run(&ch, 1000);
    h_restart(&ch, EXTWD_CHIP_BORF); /* core RAM garbled */
    assert_int_equal(h_rd(&ch, EXTWD_REG_GRACE_LEFT_MS, 4), 20000);
}

/* 6, the other side (found by fuzz_core): a restart that keeps the count
 * also keeps a disarm, its bound and a long operation, so a host that keeps
 * its rules is not reset by a brown-out in the middle of its OTA. */
static void restart_keeps_a_disarm_and_a_long_operation(void **state)
{
    (void)state;
    assert_int_equal(H_W(&ch, EXTWD_REG_ACTION, 0), EXTWD_ERR_OK);
    h_run(&ch, 10000); /* a chunk: 10 s without a feed */
    h_restart_keep_ram(&ch, EXTWD_CHIP_BORF);
    h_run(&ch, 16);
    assert_false(resetting());
    assert_int_equal(H_R8(&ch, EXTWD_REG_ACTION), 0);
    assert_in_range(h_rd(&ch, EXTWD_REG_DISARM_LEFT_S, 2), 290, 291); /* the bound goes on */
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, EXTWD_REG_ACTION, 1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_LONGOP_MS, 60000, 4), EXTWD_ERR_OK);
    h_run(&ch, 20000);
    h_restart_keep_ram(&ch, EXTWD_CHIP_WDRF);
    h_run(&ch, 16);
    assert_false(resetting());
    assert_int_equal(h_rd(&ch, EXTWD_REG_LONGOP_MS, 4), 60000);
    assert_in_range(h_run_until_reset(&ch, 50000), 39900, 40032); /* 60 s after the feed */
}

/* 7: the seed's boot order: feed, WiFi, feed, then read STATUS. The
 * evidence survives the feeds until STATUS is read, then the next feed
 * clears it as before. */
static void reset_reason_survives_the_seed_boot_order(void **state)
{
    (void)state;
    assert_in_range(h_run_until_reset(&ch, 5000), 3008, 3024);
    h_run(&ch, 200);
    assert_int_equal(H_R8(&ch, EXTWD_REG_STATUS_UNREAD), 1);
    for (int i = 0; i < 50; i++) { /* feeds during WiFi start */
        assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
        h_run(&ch, 100);
    }
    assert_int_equal(H_W(&ch, EXTWD_CMD_SET_POINTER, EXTWD_REG_STATUS), EXTWD_ERR_OK);
    uint8_t b = 0;
    h_read(&ch, &b, 1);
    assert_int_equal(b, EXTWD_STATUS_WD_RESET);
    assert_int_equal(H_R8(&ch, EXTWD_REG_STATUS_UNREAD), 0);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_STATUS), 0);
    /* a host that reads before it feeds sees what it saw before */
    assert_in_range(h_run_until_reset(&ch, 5000), 3008, 3024);
    h_run(&ch, 200);
    assert_int_equal(H_R8(&ch, EXTWD_REG_STATUS), EXTWD_STATUS_WD_RESET);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_STATUS), 0);
    /* reading EXT_STATUS counts as reading the status too */
    assert_in_range(h_run_until_reset(&ch, 5000), 3008, 3024);
    h_run(&ch, 200);
    (void)H_R8(&ch, EXTWD_REG_EXT_STATUS);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_STATUS), 0);
}

/* 9: a stray SAVE while the host is legitimately disarmed, or in a long
 * operation, makes nothing permanent; in keyed mode SAVE and LOCK need the
 * key. */
static void stray_save_makes_nothing_permanent(void **state)
{
    struct wd_settings s;
    (void)state;
    assert_int_equal(H_W(&ch, EXTWD_REG_ACTION, 0), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_LONGOP_MS, 20000, 4), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, EXTWD_CMD_SAVE), EXTWD_ERR_OK); /* stray */
    assert_int_equal(wd_settings_decode(ch.eeprom, &s), 0);
    assert_int_equal(s.timeout_ms, 3000); /* (its ACTION byte is never loaded) */
    /* the host arms and hangs inside its long operation: reset after the
     * long timeout, and then it is back to the saved 3 s */
    assert_int_equal(H_W(&ch, EXTWD_REG_ACTION, 1), EXTWD_ERR_OK);
    assert_in_range(h_run_until_reset(&ch, 30000), 20000, 20032);
    assert_int_equal(h_rd(&ch, EXTWD_REG_LONGOP_MS, 4), 0);
    h_run(&ch, 200);
    h_boot(&ch, EXTWD_CHIP_PORF); /* and after a power cycle */
    assert_int_equal(H_R8(&ch, EXTWD_REG_ACTION), 1);
    assert_int_equal(h_rd(&ch, EXTWD_REG_TIMEOUT_MS, 4), 3000);
    /* keyed mode: a stray SAVE or LOCK is refused */
    assert_int_equal(h_set(&ch, EXTWD_REG_OPTIONS, EXTWD_OPT_KEYED, 1), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, EXTWD_CMD_SAVE), EXTWD_ERR_KEY);
    assert_int_equal(H_W(&ch, EXTWD_REG_LOCK, EXTWD_LOCK_MAGIC), EXTWD_ERR_KEY);
    assert_int_equal(H_R8(&ch, EXTWD_REG_LOCK), 0);
    /* so a long operation can still protect itself */
    assert_int_equal(H_W(&ch, EXTWD_REG_KEY, 0x5A, 0xD1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_LONGOP_MS, 20000, 4), EXTWD_ERR_OK);
}

/* LONGOP_MS: the timeout in force while set, never saved, cleared by the
 * host reset it causes; 0 or 100-600000. */
static void longop_register(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_LONGOP_MS, 99, 4), EXTWD_ERR_RANGE);
    assert_int_equal(h_set(&ch, EXTWD_REG_LONGOP_MS, 600001, 4), EXTWD_ERR_RANGE);
    assert_int_equal(h_set(&ch, EXTWD_REG_LONGOP_MS, 10000, 4), EXTWD_ERR_OK);
    assert_int_equal(h_rd(&ch, EXTWD_REG_TIME_LEFT_MS, 4), 10000);
    assert_int_equal(h_rd(&ch, EXTWD_REG_TIMEOUT_MS, 4), 3000);
    h_run(&ch, 8000);
    assert_false(resetting());
    assert_int_equal(h_set(&ch, EXTWD_REG_LONGOP_MS, 0, 4), EXTWD_ERR_OK);
    h_run(&ch, 16); /* 8 s counted: the 3 s timeout is over */
    assert_true(resetting());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(arm_gives_a_full_timeout, setup),
        cmocka_unit_test_setup(disarmed_ota_that_feeds_lands, setup),
        cmocka_unit_test_setup(stray_timeout_zero_is_bounded, setup),
        cmocka_unit_test_setup(no_single_bit_error_resets_or_unprotects, setup),
        cmocka_unit_test_setup(restarts_do_not_grant_grace, setup),
        cmocka_unit_test_setup(restart_keeps_a_disarm_and_a_long_operation, setup),
        cmocka_unit_test_setup(reset_reason_survives_the_seed_boot_order, setup),
        cmocka_unit_test_setup(stray_save_makes_nothing_permanent, setup),
        cmocka_unit_test_setup(longop_register, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
