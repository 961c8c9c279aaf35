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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(bound_is_an_eighth_of_the_rc, setup),
        cmocka_unit_test_setup(period_follows_the_bound, setup),
        cmocka_unit_test_setup(count_and_age, setup),
        cmocka_unit_test_setup(registers_through_the_core, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
