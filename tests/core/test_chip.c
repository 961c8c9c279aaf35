/*
 * The core's host port (firmware/host/wd_chip): frames byte by byte with
 * the NACK past six bytes, the service after a factory reset, the reset
 * edges it counts, and two chips in one program that share nothing.
 * SPDX-License-Identifier: MIT
 */
#include "harness.h"

#include <string.h>

static struct wd_chip ch, other;

static int setup(void **state)
{
    (void)state;
    h_erase(&ch);
    h_boot(&ch, EXTWD_CHIP_PORF);
    return 0;
}

/* Six bytes are taken; the seventh is NACKed and the core sees the
 * overflow at the STOP: LENGTH, nothing applied. */
static void seventh_byte_is_nacked(void **state)
{
    static const uint8_t f[] = {EXTWD_REG_TIMEOUT_MS, 0xE8, 0x03, 0, 0, 0, 0};
    (void)state;
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(wd_chip_write(&ch, f[i]), 0);
    assert_int_equal(wd_chip_write(&ch, f[6]), -1);
    assert_int_equal(wd_chip_write(&ch, 0), -1);
    wd_chip_stop(&ch);
    assert_int_equal(ch.core.last_error, EXTWD_ERR_LENGTH);
    assert_int_equal(ch.core.set.timeout_ms, 3000);
    assert_int_equal(wd_chip_frame(&ch, f, sizeof f), -1);
    assert_int_equal(wd_chip_frame(&ch, f, 5), 0);
    assert_int_equal(ch.core.last_error, EXTWD_ERR_OK);
    assert_int_equal(ch.core.set.timeout_ms, 1000);
    assert_int_equal(ch.frames, 3);
}

/* An address with no data, then STOP: a probe, which changes nothing. */
static void probe_is_a_frame_of_nothing(void **state)
{
    struct snap before;
    (void)state;
    h_snap(&ch, &before);
    wd_chip_stop(&ch);
    assert_int_equal(ch.frames, 1);
    assert_memory_equal(&ch.core, &before.c, sizeof ch.core);
}

/* A factory reset: the slot saved, then the chip restarts by its own
 * watchdog with its RAM kept, so the countdown goes on (SPEC 5.13). */
static void factory_reset_saves_then_restarts_keeping_ram(void **state)
{
    struct wd_settings d;
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 1000, 4), EXTWD_ERR_OK);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK); /* grace over: counting */
    h_run(&ch, 320);
    uint16_t since = ch.core.since_t;
    assert_true(since > 0);
    assert_int_equal(H_W(&ch, EXTWD_CMD_FACTORY_RESET), EXTWD_ERR_OK);
    assert_int_equal(ch.saves, 1);
    assert_int_equal(ch.factory_restarts, 1);
    assert_int_equal(wd_settings_decode(ch.eeprom, &d), 0);
    assert_int_equal(d.timeout_ms, 3000);
    assert_int_equal(ch.persist.chip_reset, EXTWD_CHIP_WDRF);
    assert_int_equal(ch.core.since_t, since);
    assert_int_equal(ch.core.grace_t, 0);
}

/* The reset output's falling edges are counted once each. */
static void host_resets_are_edges(void **state)
{
    (void)state;
    assert_int_equal(H_W(&ch, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM), EXTWD_ERR_OK);
    assert_true(ch.outputs & WD_OUT_RESET);
    h_run(&ch, 50);
    assert_int_equal(ch.host_resets, 1);
    h_run(&ch, 30 * 1000);
    assert_false(ch.outputs & WD_OUT_RESET);
    assert_int_equal(ch.host_resets, 2); /* the host never fed: grace, then the timeout */
}

/* Two chips: each core's hooks find their own calibration, and each its
 * own EEPROM. */
static void two_chips_share_nothing(void **state)
{
    struct wd_settings s;
    (void)state;
    wd_settings_defaults(&s);
    s.timeout_ms = 5000;
    h_put_slot(&other, &s);
    h_boot(&other, EXTWD_CHIP_PORF);
    other.rc_us = 17000;
    assert_int_equal(ch.core.set.timeout_ms, 3000);
    assert_int_equal(other.core.set.timeout_ms, 5000);
    /* 18500 is within 1/8 of 17000, not of 16000 */
    assert_int_equal(H_W(&other, EXTWD_REG_CAL_TICK_US, 0x44, 0x48), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, EXTWD_REG_CAL_TICK_US, 0x44, 0x48), EXTWD_ERR_RANGE);
    assert_int_equal(other.cal.tick_us, 18500);
    assert_int_equal(ch.cal.tick_us, 0);
    assert_int_equal(h_rd(&other, EXTWD_REG_CAL_TICK_US, 2), 18500);
    assert_int_equal(h_rd(&ch, EXTWD_REG_CAL_TICK_US, 2), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(seventh_byte_is_nacked, setup),
        cmocka_unit_test_setup(probe_is_a_frame_of_nothing, setup),
        cmocka_unit_test_setup(factory_reset_saves_then_restarts_keeping_ram, setup),
        cmocka_unit_test_setup(host_resets_are_edges, setup),
        cmocka_unit_test_setup(two_chips_share_nothing, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
