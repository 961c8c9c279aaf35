/*
 * Core unit tests: the register map as a host reads it (SPEC 2.2, 3, 7).
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
    return 0;
}

/* Addresses SPEC 3 maps, written out independently of the core's table. */
static int mapped(unsigned a)
{
    return a <= 0x12 || (a >= 0x20 && a <= 0x2F) || (a >= 0x30 && a <= 0x3E) ||
           (a >= 0x40 && a <= 0x45) || (a >= 0x48 && a <= 0x5F) || (a >= 0x60 && a <= 0x77) ||
           (a >= 0x78 && a <= 0x7D); /* 0x78-0x7D: the port's calibration (SPEC 5.15) */
}

static void power_up_defaults(void **state)
{
    (void)state;
    assert_int_equal(H_R8(&ch, EXTWD_REG_TIMEOUT_S), 3);
    assert_int_equal(H_R8(&ch, EXTWD_REG_ACTION), 1);
    assert_int_equal(H_R8(&ch, EXTWD_REG_RESET_PIN), 1);
    assert_int_equal(H_R8(&ch, EXTWD_REG_GRACE_S), 20);
    assert_int_equal(H_R8(&ch, EXTWD_REG_I2C_ADDR), 0x26);
    assert_int_equal(H_R8(&ch, EXTWD_REG_BUSLOAD_PCT), 50);
    assert_int_equal(H_R8(&ch, EXTWD_REG_SINCE_FEED_S), 0);
    assert_int_equal(H_R8(&ch, EXTWD_REG_GRACE_LEFT_S), 20);
    assert_int_equal(H_R8(&ch, EXTWD_REG_RESET_COUNT), 0);
    assert_int_equal(H_R8(&ch, EXTWD_REG_REINIT_COUNT), 0);
    assert_int_equal(H_R8(&ch, EXTWD_REG_BUSERR_COUNT), 0);
    assert_int_equal(H_R8(&ch, EXTWD_REG_STATUS), 0);
    assert_int_equal(H_R8(&ch, EXTWD_REG_LAST_CAUSE), 0);
    assert_int_equal(h_rd(&ch, EXTWD_REG_TIMEOUT_MS, 4), 3000);
    assert_int_equal(h_rd(&ch, EXTWD_REG_PULSE_MS, 2), 100);
    assert_int_equal(h_rd(&ch, EXTWD_REG_MAX_DISARM_S, 2), 300);
    assert_int_equal(h_rd(&ch, EXTWD_REG_PRETIMEOUT_MS, 2), 0);
    assert_int_equal(h_rd(&ch, EXTWD_REG_WINDOW_MS, 2), 0);
    assert_int_equal(H_R8(&ch, EXTWD_REG_BOOTLOOP_LIMIT), 3);
    assert_int_equal(H_R8(&ch, EXTWD_REG_HEALTHY_S), 60);
    assert_int_equal(H_R8(&ch, EXTWD_REG_OPTIONS), 0);
    assert_int_equal(H_R8(&ch, EXTWD_REG_CHIP_RESET), EXTWD_CHIP_PORF);
    assert_int_equal(H_R8(&ch, EXTWD_REG_EXT_STATUS), EXTWD_XS_DEFAULTS_LOADED | EXTWD_XS_IN_GRACE);
    assert_int_equal(h_rd(&ch, EXTWD_REG_GRACE_LEFT_MS, 4), 20000);
    assert_int_equal(h_rd(&ch, EXTWD_REG_GRACE_EFF_S, 2), 20);
    assert_int_equal(h_rd(&ch, EXTWD_REG_UPTIME_S, 4), 0);
    assert_int_equal(h_rd(&ch, EXTWD_REG_SINCE_FEED_MS, 4), 0);
    /* armed, in grace: the reset is grace + timeout away */
    assert_int_equal(h_rd(&ch, EXTWD_REG_TIME_LEFT_MS, 4), 23000);
    assert_int_equal(h_rd(&ch, EXTWD_REG_DISARM_LEFT_S, 2), 0xFFFF);
    assert_int_equal(wd_core_address(&ch.core), 0x26);
    assert_int_equal(wd_core_outputs(&ch.core), 0);
}

static void identity(void **state)
{
    uint8_t b[6];
    (void)state;
    assert_int_equal(H_W(&ch, 0x00), EXTWD_ERR_OK);
    h_read(&ch, b, 6);
    assert_memory_equal(b, "EXWD\x02\x00", 6);
    assert_int_equal(H_R8(&ch, EXTWD_REG_PROTO_VERSION), 1);
    assert_int_equal(H_R8(&ch, EXTWD_REG_FW_MAJOR), WD_FW_MAJOR);
    assert_int_equal(H_R8(&ch, EXTWD_REG_FW_MINOR), WD_FW_MINOR);
    assert_int_equal(H_R8(&ch, EXTWD_REG_FW_PATCH), WD_FW_PATCH);
    assert_int_equal(H_R8(&ch, EXTWD_REG_MCU_ID), EXTWD_MCU_HOST);
    assert_int_equal(h_rd(&ch, EXTWD_REG_CAPS, 2), 0xFFFF & ~EXTWD_CAP_PEC);
    assert_int_equal(h_rd(&ch, EXTWD_REG_KEY, 2), 0);
}

/* The discovery recipe of SPEC 8: pointer to 0, then one byte at a time. */
static void stock_one_byte_reads(void **state)
{
    uint8_t b;
    (void)state;
    for (uint8_t i = 0; i < 4; i++) {
        assert_int_equal(H_W(&ch, EXTWD_CMD_SET_POINTER, i), EXTWD_ERR_OK);
        h_read(&ch, &b, 1);
        assert_int_equal(b, "EXWD"[i]);
    }
    /* the pointer does not move: the same register every time */
    h_read(&ch, &b, 1);
    assert_int_equal(b, 'D');
    h_read(&ch, &b, 1);
    assert_int_equal(b, 'D');
}

static void no_pointer_reads_status(void **state)
{
    uint8_t b = 0xEE;
    (void)state;
    ch.persist.status = 1;
    h_read(&ch, &b, 1);
    assert_int_equal(b, 1);
}

/* Every address, one byte: unmapped gives 0xFF, and no read of a mapped
 * address gives 0xFF on a fresh chip except the ones that are 0xFF. */
static void unmapped_reads(void **state)
{
    (void)state;
    for (unsigned a = 0; a < 256; a++) {
        uint8_t v = H_R8(&ch, (uint8_t)a);
        if (!mapped(a))
            assert_int_equal(v, 0xFF);
        else if (a != 0x26 && a != 0x27 && a != 0x58 && a != 0x59 && a != 0x7C && a != 0x7D)
            assert_int_not_equal(v, 0xFF);
    }
}

static void reads_past_the_map(void **state)
{
    uint8_t b[12];
    (void)state;
    /* 0x76-0x77 is the last history uptime; then 0x78-0x7D the port's
     * calibration registers (SPEC 5.15), 0x7E.. unmapped */
    wd_cal_clear(&ch.cal);
    ch.cal.count = 0x1234;
    assert_int_equal(H_W(&ch, 0x74), EXTWD_ERR_OK);
    h_read(&ch, b, 12);
    for (int i = 0; i < 4; i++)
        assert_int_equal(b[i], 0);
    assert_memory_equal(b + 4, "\x34\x12\x00\x00\xFF\xFF", 6);
    for (int i = 10; i < 12; i++)
        assert_int_equal(b[i], 0xFF);
    /* a long read from 0x7E never wraps back into the map */
    assert_int_equal(H_W(&ch, 0x7E), EXTWD_ERR_OK);
    wd_core_read_begin(&ch.core);
    for (int i = 0; i < 600; i++)
        assert_int_equal(wd_core_read_next(&ch.core), 0xFF);
    assert_int_equal(H_W(&ch, EXTWD_CMD_SET_POINTER, 0xF0), EXTWD_ERR_OK);
    h_read(&ch, b, 3);
    assert_memory_equal(b, "\xFF\xFF\xFF", 3);
}

static void auto_increment_crosses_registers(void **state)
{
    uint8_t b[8];
    (void)state;
    /* 0x10 BUSERR, 0x11 STATUS, 0x12 LAST_CAUSE, 0x13.. unmapped */
    ch.persist.buserr_count = 7;
    ch.persist.status = 1;
    ch.persist.last_cause = 2;
    assert_int_equal(H_W(&ch, 0x10), EXTWD_ERR_OK);
    h_read(&ch, b, 5);
    assert_memory_equal(b, "\x07\x01\x02\xFF\xFF", 5);
    /* settings block in one go: timeout 3000 LE, pulse 100, max disarm 300 */
    assert_int_equal(H_W(&ch, 0x30), EXTWD_ERR_OK);
    h_read(&ch, b, 8);
    assert_memory_equal(b, "\xB8\x0B\x00\x00\x64\x00\x2C\x01", 8);
    /* 0x3E OPTIONS, 0x3F unmapped, 0x40 BREADCRUMB, 0x41, 0x42 LOCK */
    ch.core.breadcrumb = 0x42;
    assert_int_equal(H_W(&ch, 0x3E), EXTWD_ERR_OK);
    h_read(&ch, b, 5);
    assert_memory_equal(b, "\x00\xFF\x42\x00\x00", 5);
}

/* SPEC 2.2: the bytes of one read transaction come from one instant. The
 * core reads live values; the ports hold the tick back while a transaction
 * is in flight (wd_core.h), which tests/firmware checks on the real ELF.
 * Here: a read with no tick in between is one value, in any register. */
static void multibyte_reads_are_whole(void **state)
{
    uint8_t b[8];
    (void)state;
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    /* 256 ms counted: 0x100 */
    h_run(&ch, 256);
    ch.core.read_ptr = EXTWD_REG_SINCE_FEED_MS;
    h_read(&ch, b, 8);
    assert_memory_equal(b, "\x00\x01\x00\x00\x00\x00\x00\x00", 8);
    /* started in the middle: the bytes from there */
    assert_int_equal(h_rd(&ch, EXTWD_REG_SINCE_FEED_MS + 1, 1), 0x01);
    /* TIME_LEFT and SINCE_FEED agree: 3000 - 256 */
    assert_int_equal(h_rd(&ch, EXTWD_REG_TIME_LEFT_MS, 4), 2744);
    h_run(&ch, 752);
    ch.core.read_ptr = EXTWD_REG_SINCE_FEED_MS;
    h_read(&ch, b, 8);
    assert_memory_equal(b, "\xF0\x03\x00\x00\x01\x00\x00\x00", 8); /* 1008 ms, 1 s */
}

/* TIMEOUT_S as read after TIMEOUT_MS is set to ms (the write must pass). */
static uint8_t timeout_s_for(uint32_t ms)
{
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, ms, 4), EXTWD_ERR_OK);
    return H_R8(&ch, EXTWD_REG_TIMEOUT_S);
}

/* SINCE_FEED_S as read with the core's count since the feed at ticks. */
static uint8_t since_feed_s_at(uint16_t ticks)
{
    ch.core.since_t = ticks;
    return H_R8(&ch, EXTWD_REG_SINCE_FEED_S);
}

/* GRACE_LEFT_S as read with the core's grace count at ticks. */
static uint8_t grace_left_s_at(uint16_t ticks)
{
    ch.core.grace_t = ticks;
    return H_R8(&ch, EXTWD_REG_GRACE_LEFT_S);
}

static void seconds_registers_round(void **state)
{
    (void)state;
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    /* TIMEOUT_S rounds up */
    assert_int_equal(timeout_s_for(2500), 3);
    assert_int_equal(timeout_s_for(2001), 3);
    assert_int_equal(timeout_s_for(2000), 2);
    assert_int_equal(timeout_s_for(254001), 255);
    assert_int_equal(timeout_s_for(254000), 254);
    assert_int_equal(timeout_s_for(600000), 255);
    assert_int_equal(timeout_s_for(0), 0);
    /* SINCE_FEED_S rounds down and stops at 255 (ticks of 16 ms) */
    assert_int_equal(since_feed_s_at(124), 1);      /* 1984 ms */
    assert_int_equal(since_feed_s_at(125), 2);      /* 2000 ms */
    assert_int_equal(since_feed_s_at(15937), 254);  /* 254992 ms */
    assert_int_equal(since_feed_s_at(15938), 255);  /* 255008 ms */
    assert_int_equal(since_feed_s_at(0xFFFF), 255);
    /* GRACE_LEFT_S rounds up and stops at 255 */
    assert_int_equal(grace_left_s_at(1), 1);        /* 16 ms */
    assert_int_equal(grace_left_s_at(62), 1);       /* 992 ms */
    assert_int_equal(grace_left_s_at(63), 2);       /* 1008 ms */
    assert_int_equal(grace_left_s_at(15937), 255);
    assert_int_equal(grace_left_s_at(0xFFFF), 255);
    assert_int_equal(grace_left_s_at(0), 0);
}

static void time_left(void **state)
{
    (void)state;
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(h_rd(&ch, EXTWD_REG_TIME_LEFT_MS, 4), 3000);
    h_run(&ch, 1008);
    assert_int_equal(h_rd(&ch, EXTWD_REG_TIME_LEFT_MS, 4), 1992);
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 0, 1), EXTWD_ERR_OK);
    assert_int_equal(h_rd(&ch, EXTWD_REG_TIME_LEFT_MS, 4), 0xFFFFFFFFu);
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 1, 1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 0, 4), EXTWD_ERR_OK);
    assert_int_equal(h_rd(&ch, EXTWD_REG_TIME_LEFT_MS, 4), 0xFFFFFFFFu);
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 500, 4), EXTWD_ERR_OK);
    /* firmware 2.1: the host's write that ends "never" restarts the count
     * (SPEC 5.1), so the 1008 ms counted before it do not reset the host */
    assert_int_equal(h_rd(&ch, EXTWD_REG_TIME_LEFT_MS, 4), 500);
    assert_in_range(h_run_until_reset(&ch, 2000), 500, 528);
    assert_int_equal(h_rd(&ch, EXTWD_REG_TIME_LEFT_MS, 4), 0); /* during the pulse */
}

/* Whole seconds on whole ticks: 62.5 ticks a second, so the seconds fall
 * on 1008, 2000, 3008, 4000 ms... and never drift. */
static void uptime_counts_seconds(void **state)
{
    (void)state;
    h_run(&ch, 992);
    assert_int_equal(h_rd(&ch, EXTWD_REG_UPTIME_S, 4), 0);
    h_run(&ch, 16);
    assert_int_equal(h_rd(&ch, EXTWD_REG_UPTIME_S, 4), 1);
    h_run(&ch, 976);
    assert_int_equal(h_rd(&ch, EXTWD_REG_UPTIME_S, 4), 1);
    h_run(&ch, 16);
    assert_int_equal(h_rd(&ch, EXTWD_REG_UPTIME_S, 4), 2);
    /* an hour, exactly */
    h_run(&ch, 3600000u - 2000u);
    assert_int_equal(h_rd(&ch, EXTWD_REG_UPTIME_S, 4), 3600);
    /* a 32-bit count of seconds wraps after 136 years (no comparison uses it) */
    ch.core.uptime_s = 0xFFFFFFFFu;
    h_run(&ch, 2000);
    assert_int_equal(h_rd(&ch, EXTWD_REG_UPTIME_S, 4), 1);
}

static void history_reads(void **state)
{
    uint8_t b[24];
    (void)state;
    /* no entries yet: all zero, HISTORY_LEN 0 */
    assert_int_equal(H_R8(&ch, EXTWD_REG_HISTORY_LEN), 0);
    assert_int_equal(H_W(&ch, EXTWD_REG_HISTORY), EXTWD_ERR_OK);
    h_read(&ch, b, 24);
    for (int i = 0; i < 24; i++)
        assert_int_equal(b[i], 0);
    /* two entries */
    ch.persist.history[1].cause = EXTWD_CAUSE_WINDOW;
    ch.persist.history[1].uptime_s[0] = 77;
    ch.persist.history[0].cause = 1;
    ch.persist.history[0].breadcrumb = 0x33;
    memcpy(ch.persist.history[0].uptime_s, "\x04\x03\x02\x01", 4);
    ch.persist.history_len = 2;
    h_read(&ch, b, 24);
    assert_memory_equal(b, "\x01\x33\x04\x03\x02\x01\x03\x00\x4D\x00\x00\x00", 12);
    for (int i = 12; i < 24; i++)
        assert_int_equal(b[i], 0);
    /* kept across a chip restart */
    wd_core_seal(&ch.core);
    h_restart(&ch, EXTWD_CHIP_WDRF);
    assert_int_equal(H_R8(&ch, EXTWD_REG_HISTORY_LEN), 2);
    /* middle of an entry's uptime */
    assert_int_equal(h_rd(&ch, 0x63, 2), 0x0203);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(power_up_defaults, setup),
        cmocka_unit_test_setup(identity, setup),
        cmocka_unit_test_setup(stock_one_byte_reads, setup),
        cmocka_unit_test_setup(no_pointer_reads_status, setup),
        cmocka_unit_test_setup(unmapped_reads, setup),
        cmocka_unit_test_setup(reads_past_the_map, setup),
        cmocka_unit_test_setup(auto_increment_crosses_registers, setup),
        cmocka_unit_test_setup(multibyte_reads_are_whole, setup),
        cmocka_unit_test_setup(seconds_registers_round, setup),
        cmocka_unit_test_setup(time_left, setup),
        cmocka_unit_test_setup(uptime_counts_seconds, setup),
        cmocka_unit_test_setup(history_reads, setup),
    };
    return cmocka_run_group_tests_name("core_regs", tests, NULL, NULL);
}
