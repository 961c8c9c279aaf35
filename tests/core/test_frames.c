/*
 * Core unit tests: write frames, commands, errors and their check order,
 * lock and keyed mode (SPEC 2.1, 4, 5.11, 6, 7).
 * SPDX-License-Identifier: MIT
 */
#include "harness.h"

#include <string.h>

static struct wd_chip ch;
static struct snap before;

static int setup(void **state)
{
    (void)state;
    h_erase(&ch);
    h_boot(&ch, EXTWD_CHIP_PORF);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK); /* ends the grace */
    ch.served = 0;
    return 0;
}

/* Sends a frame that must be refused with err and change nothing else. */
static void refused(const uint8_t *f, uint8_t n, uint8_t err)
{
    uint8_t refused_before = ch.persist.refused_count;
    h_snap(&ch, &before);
    wd_core_frame(&ch.core, f, n);
    assert_int_equal(ch.core.last_error, err);
    h_assert_same_but_refusal(&ch, &before);
    assert_int_equal(ch.persist.refused_count, refused_before == 255 ? 255 : refused_before + 1);
    assert_true(ch.core.flags & WD_REQ_SEAL);
    assert_false(ch.core.flags & WD_REQ_ALL & ~WD_REQ_SEAL);
    h_serve(&ch);
}
#define REFUSED(err, ...) \
    refused((const uint8_t[]){__VA_ARGS__}, (uint8_t)sizeof((const uint8_t[]){__VA_ARGS__}), (err))

static void probe_changes_nothing(void **state)
{
    (void)state;
    assert_int_equal(H_W(&ch, EXTWD_REG_ACTION, 9), EXTWD_ERR_RANGE);
    h_snap(&ch, &before);
    wd_core_frame(&ch.core, NULL, 0);
    assert_memory_equal(&ch.core, &before.c, sizeof ch.core);
    assert_memory_equal(&ch.persist, &before.p, sizeof ch.persist);
}

static void one_byte_write_sets_pointer(void **state)
{
    uint8_t b;
    (void)state;
    assert_int_equal(H_W(&ch, EXTWD_REG_ACTION, 9), EXTWD_ERR_RANGE);
    uint8_t refused_before = ch.persist.refused_count;
    /* the stock chip wrote a stale byte here; extwd only moves the pointer */
    assert_int_equal(H_W(&ch, EXTWD_REG_ACTION), EXTWD_ERR_RANGE);
    assert_int_equal(ch.core.set.action, 1);
    assert_int_equal(ch.core.read_ptr, EXTWD_REG_ACTION);
    assert_int_equal(ch.persist.refused_count, refused_before);
    h_read(&ch, &b, 1);
    assert_int_equal(b, 1);
    /* any register number, mapped or not */
    assert_int_equal(H_W(&ch, 0x15), EXTWD_ERR_RANGE);
    assert_int_equal(ch.core.read_ptr, 0x15);
    assert_int_equal(H_W(&ch, 0x7F), EXTWD_ERR_RANGE);
    assert_int_equal(ch.core.read_ptr, 0x7F);
    /* [0x83, reg] is the same, any value, LAST_ERROR kept */
    assert_int_equal(H_W(&ch, EXTWD_CMD_SET_POINTER, 0xC3), EXTWD_ERR_RANGE);
    assert_int_equal(ch.core.read_ptr, 0xC3);
    h_read(&ch, &b, 1);
    assert_int_equal(b, 0xFF);
    /* LAST_ERROR itself is read that way */
    assert_int_equal(H_W(&ch, EXTWD_REG_LAST_ERROR), EXTWD_ERR_RANGE);
    h_read(&ch, &b, 1);
    assert_int_equal(b, EXTWD_ERR_RANGE);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    h_read(&ch, &b, 1);
    assert_int_equal(b, EXTWD_ERR_OK);
}

static void commands_need_their_argument(void **state)
{
    (void)state;
    REFUSED(EXTWD_ERR_LENGTH, EXTWD_CMD_SET_ADDRESS);
    REFUSED(EXTWD_ERR_LENGTH, EXTWD_CMD_SET_POINTER);
    /* and take nothing more (no PEC byte either) */
    REFUSED(EXTWD_ERR_LENGTH, EXTWD_CMD_SET_POINTER, 1, 2);
    REFUSED(EXTWD_ERR_LENGTH, EXTWD_CMD_FEED, 1);
    REFUSED(EXTWD_ERR_LENGTH, EXTWD_CMD_SAVE, 0, 0, 0);
}

static void readonly_registers(void **state)
{
    static const struct { uint8_t reg, width; } ro[] = {
        {0x00, 4}, {0x04, 2}, {0x08, 1}, {0x0C, 1}, {0x0D, 1}, {0x0E, 1}, {0x0F, 1},
        {0x10, 1}, {0x12, 1}, {0x20, 1}, {0x21, 1}, {0x22, 1}, {0x23, 1}, {0x24, 1},
        {0x26, 2}, {0x28, 1}, {0x29, 1}, {0x2A, 1}, {0x2B, 1}, {0x2C, 1}, {0x2D, 1},
        {0x2E, 2}, {0x41, 1}, {0x48, 4}, {0x4C, 4}, {0x50, 4}, {0x54, 4}, {0x58, 2},
        {0x5A, 2}, {0x78, 2}, {0x7C, 2},
        /* inside a register: the rest of it is the width */
        {0x01, 3}, {0x05, 1}, {0x31, 3}, {0x33, 1}, {0x35, 1}, {0x44, 1}, {0x4F, 1},
    };
    (void)state;
    for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++) {
        uint8_t f[8] = {ro[i].reg, 0, 0, 0, 0, 0, 0, 0};
        refused(f, (uint8_t)(1 + ro[i].width), EXTWD_ERR_READONLY);
        /* READONLY comes before LENGTH: any length */
        refused(f, 2, EXTWD_ERR_READONLY);
        refused(f, (uint8_t)(3 + ro[i].width), EXTWD_ERR_READONLY);
    }
    /* the whole history */
    for (uint8_t a = 0x60; a < 0x78; a++) {
        uint8_t j = (uint8_t)((a - 0x60) % 6);
        uint8_t w = j < 2 ? 1 : (uint8_t)(6 - j);
        uint8_t f[6] = {a, 1, 2, 3, 4, 5};
        refused(f, (uint8_t)(1 + w), EXTWD_ERR_READONLY);
    }
}

static void unknown_registers_and_commands(void **state)
{
    (void)state;
    for (uint8_t a = 0x13; a <= 0x1F; a++) {
        uint8_t f[2] = {a, 0};
        refused(f, 2, EXTWD_ERR_UNKNOWN);
    }
    static const uint8_t ext[] = {0x3F, 0x46, 0x47, 0x7E, 0x7F};
    for (size_t i = 0; i < sizeof ext; i++) {
        uint8_t f[2] = {ext[i], 0};
        refused(f, 2, EXTWD_ERR_UNKNOWN);
    }
    for (unsigned cmd = 0x86; cmd <= 0xFF; cmd++) {
        if (cmd == EXTWD_CMD_FEED)
            continue;
        uint8_t f[2] = {(uint8_t)cmd, 0};
        refused(f, 1, EXTWD_ERR_UNKNOWN);
        refused(f, 2, EXTWD_ERR_UNKNOWN);
    }
}

static void lengths(void **state)
{
    (void)state;
    /* too few bytes for a multi-byte register */
    REFUSED(EXTWD_ERR_LENGTH, EXTWD_REG_TIMEOUT_MS, 0x10, 0x27);
    REFUSED(EXTWD_ERR_LENGTH, EXTWD_REG_TIMEOUT_MS, 0x10);
    REFUSED(EXTWD_ERR_LENGTH, EXTWD_REG_PULSE_MS, 0x10);
    REFUSED(EXTWD_ERR_LENGTH, EXTWD_REG_KEY, 0x5A);
    /* too many */
    REFUSED(EXTWD_ERR_LENGTH, EXTWD_REG_ACTION, 1, 2, 3);
    REFUSED(EXTWD_ERR_LENGTH, EXTWD_REG_PULSE_MS, 1, 2, 3, 4);
    /* overflowed frames (the port saw more than 6 bytes) */
    uint8_t big[EXTWD_FRAME_MAX] = {EXTWD_REG_TIMEOUT_MS, 0x10, 0x27, 0, 0, 0};
    refused(big, 7, EXTWD_ERR_LENGTH);
    refused(big, 255, EXTWD_ERR_LENGTH);
    big[0] = EXTWD_CMD_FEED;
    refused(big, 7, EXTWD_ERR_LENGTH);
    /* an unknown first byte is UNKNOWN whatever the length */
    big[0] = 0x90;
    refused(big, 200, EXTWD_ERR_UNKNOWN);
}

static void register_writes_and_ranges(void **state)
{
    (void)state;
    /* TIMEOUT_S maps onto TIMEOUT_MS */
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_S, 7, 1), EXTWD_ERR_OK);
    assert_int_equal(ch.core.set.timeout_ms, 7000);
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_S, 255, 1), EXTWD_ERR_OK);
    assert_int_equal(ch.core.set.timeout_ms, 255000);
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_S, 0, 1), EXTWD_ERR_OK);
    assert_int_equal(ch.core.set.timeout_ms, 0);
    /* ACTION */
    REFUSED(EXTWD_ERR_RANGE, EXTWD_REG_ACTION, 2);
    REFUSED(EXTWD_ERR_RANGE, EXTWD_REG_ACTION, 0xFF);
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 0, 1), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_ACTION), 0);
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 1, 1), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_ACTION), 1);
    /* GRACE_S, any value */
    assert_int_equal(h_set(&ch, EXTWD_REG_GRACE_S, 0, 1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_GRACE_S, 255, 1), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_GRACE_S), 255);
    /* BUSLOAD_PCT 1-100 */
    REFUSED(EXTWD_ERR_RANGE, EXTWD_REG_BUSLOAD_PCT, 0);
    REFUSED(EXTWD_ERR_RANGE, EXTWD_REG_BUSLOAD_PCT, 101);
    assert_int_equal(h_set(&ch, EXTWD_REG_BUSLOAD_PCT, 1, 1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_BUSLOAD_PCT, 100, 1), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_BUSLOAD_PCT), 100);
    /* TIMEOUT_MS 0 or 100-600000 */
    REFUSED(EXTWD_ERR_RANGE, EXTWD_REG_TIMEOUT_MS, 99, 0, 0, 0);
    REFUSED(EXTWD_ERR_RANGE, EXTWD_REG_TIMEOUT_MS, 0xC1, 0x27, 0x09, 0); /* 600001 */
    REFUSED(EXTWD_ERR_RANGE, EXTWD_REG_TIMEOUT_MS, 0xFF, 0xFF, 0xFF, 0xFF);
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 100, 4), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 600000, 4), EXTWD_ERR_OK);
    assert_int_equal(h_rd(&ch, EXTWD_REG_TIMEOUT_MS, 4), 600000);
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 0, 4), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 3000, 4), EXTWD_ERR_OK);
    /* PULSE_MS 1-10000 */
    REFUSED(EXTWD_ERR_RANGE, EXTWD_REG_PULSE_MS, 0, 0);
    REFUSED(EXTWD_ERR_RANGE, EXTWD_REG_PULSE_MS, 0x11, 0x27);
    assert_int_equal(h_set(&ch, EXTWD_REG_PULSE_MS, 1, 2), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_PULSE_MS, 10000, 2), EXTWD_ERR_OK);
    assert_int_equal(h_rd(&ch, EXTWD_REG_PULSE_MS, 2), 10000);
    /* MAX_DISARM_S, any */
    assert_int_equal(h_set(&ch, EXTWD_REG_MAX_DISARM_S, 0, 2), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_MAX_DISARM_S, 65535, 2), EXTWD_ERR_OK);
    assert_int_equal(h_rd(&ch, EXTWD_REG_MAX_DISARM_S, 2), 65535);
    /* PRETIMEOUT_MS and WINDOW_MS: 0, or below the timeout */
    static const uint8_t below_timeout[] = {EXTWD_REG_PRETIMEOUT_MS, EXTWD_REG_WINDOW_MS};
    for (int i = 0; i < 2; i++) {
        uint8_t r = below_timeout[i];
        uint8_t f3000[3] = {r, 0xB8, 0x0B};
        refused(f3000, 3, EXTWD_ERR_RANGE);
        assert_int_equal(h_set(&ch, r, 2999, 2), EXTWD_ERR_OK);
        assert_int_equal(h_rd(&ch, r, 2), 2999);
        assert_int_equal(h_set(&ch, r, 0, 2), EXTWD_ERR_OK);
        assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 0, 4), EXTWD_ERR_OK);
        uint8_t f1[3] = {r, 1, 0};
        refused(f1, 3, EXTWD_ERR_RANGE);
        assert_int_equal(h_set(&ch, r, 0, 2), EXTWD_ERR_OK);
        assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 3000, 4), EXTWD_ERR_OK);
    }
    /* BOOTLOOP_LIMIT any; HEALTHY_S 1-255; OPTIONS bits 0 and 2 (bit 1,
     * PEC required, belongs to firmware 1.x) */
    assert_int_equal(h_set(&ch, EXTWD_REG_BOOTLOOP_LIMIT, 0, 1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_BOOTLOOP_LIMIT, 255, 1), EXTWD_ERR_OK);
    REFUSED(EXTWD_ERR_RANGE, EXTWD_REG_HEALTHY_S, 0);
    assert_int_equal(h_set(&ch, EXTWD_REG_HEALTHY_S, 1, 1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_HEALTHY_S, 255, 1), EXTWD_ERR_OK);
    REFUSED(EXTWD_ERR_RANGE, EXTWD_REG_OPTIONS, 8);
    REFUSED(EXTWD_ERR_RANGE, EXTWD_REG_OPTIONS, 0x80);
    REFUSED(EXTWD_ERR_RANGE, EXTWD_REG_OPTIONS, EXTWD_OPT_PEC_REQUIRED);
    REFUSED(EXTWD_ERR_RANGE, EXTWD_REG_OPTIONS, EXTWD_OPT_MASK | EXTWD_OPT_PEC_REQUIRED);
    assert_int_equal(h_set(&ch, EXTWD_REG_OPTIONS, EXTWD_OPT_MASK, 1), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, EXTWD_REG_KEY, 0x5A, 0xD1), EXTWD_ERR_OK); /* keyed now */
    assert_int_equal(h_set(&ch, EXTWD_REG_OPTIONS, EXTWD_OPT_PRETIMEOUT_PIN, 1), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_OPTIONS), EXTWD_OPT_PRETIMEOUT_PIN);
    /* BREADCRUMB, any, not saved */
    assert_int_equal(h_set(&ch, EXTWD_REG_BREADCRUMB, 0xB7, 1), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_BREADCRUMB), 0xB7);
    /* nothing here asked for an EEPROM save */
    assert_int_equal(ch.saves, 0);
    assert_false(ch.served & (WD_REQ_SAVE | WD_REQ_FACTORY));
}

static void status_registers_only_clear(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_STATUS, 0xFF, 1), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_STATUS), 0);
    ch.persist.status = 1;
    assert_int_equal(h_set(&ch, EXTWD_REG_STATUS, 0xFF, 1), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_STATUS), 1);
    assert_int_equal(h_set(&ch, EXTWD_REG_STATUS, 0xFE, 1), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_STATUS), 0);

    /* EXT_STATUS: DEFAULTS_LOADED is set after an erased boot */
    assert_int_equal(H_R8(&ch, EXTWD_REG_EXT_STATUS), EXTWD_XS_DEFAULTS_LOADED);
    assert_int_equal(h_set(&ch, EXTWD_REG_EXT_STATUS, 0xFF, 1), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_EXT_STATUS), EXTWD_XS_DEFAULTS_LOADED);
    ch.persist.ext_sticky = EXTWD_XS_STICKY;
    assert_int_equal(h_set(&ch, EXTWD_REG_EXT_STATUS, (uint8_t)~EXTWD_XS_SAFE_MODE, 1), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_EXT_STATUS), EXTWD_XS_STICKY & ~EXTWD_XS_SAFE_MODE);
    /* live bits cannot be cleared by a write: lock and read it back */
    assert_int_equal(h_set(&ch, EXTWD_REG_LOCK, EXTWD_LOCK_MAGIC, 1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_EXT_STATUS, 0, 1), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_EXT_STATUS), EXTWD_XS_LOCKED);
    assert_true(ch.served & WD_REQ_SEAL);
}

static void address_change(void **state)
{
    (void)state;
    REFUSED(EXTWD_ERR_RANGE, EXTWD_CMD_SET_ADDRESS, 0x07, 0xF8);
    REFUSED(EXTWD_ERR_RANGE, EXTWD_CMD_SET_ADDRESS, 0x78, 0x87);
    REFUSED(EXTWD_ERR_RANGE, EXTWD_REG_I2C_ADDR, 0x00);
    REFUSED(EXTWD_ERR_RANGE, EXTWD_REG_I2C_ADDR, 0xA6);
    /* firmware 2.1: [0x82, a, ~a]; the stock two-byte form is one bit away
     * from the stock host's [0x83, 0x11] and is refused (SPEC 4, 9) */
    REFUSED(EXTWD_ERR_LENGTH, EXTWD_CMD_SET_ADDRESS, 0x11);
    REFUSED(EXTWD_ERR_RANGE, EXTWD_CMD_SET_ADDRESS, 0x08, 0x08);
    assert_int_equal(H_W(&ch, EXTWD_CMD_SET_ADDRESS, 0x08, 0xF7), EXTWD_ERR_OK);
    assert_true(ch.served & WD_REQ_ADDRESS);
    assert_int_equal(wd_core_address(&ch.core), 0x08);
    assert_int_equal(H_R8(&ch, EXTWD_REG_I2C_ADDR), 0x08);
    ch.served = 0;
    assert_int_equal(h_set(&ch, EXTWD_REG_I2C_ADDR, 0x77, 1), EXTWD_ERR_OK);
    assert_true(ch.served & WD_REQ_ADDRESS);
    assert_int_equal(wd_core_address(&ch.core), 0x77);
    /* not saved until 0x80 */
    assert_int_equal(ch.saves, 0);
    assert_int_equal(H_W(&ch, EXTWD_CMD_SAVE), EXTWD_ERR_OK);
    assert_int_equal(ch.saves, 1);
    struct wd_settings s;
    assert_int_equal(wd_settings_decode(ch.eeprom, &s), 0);
    assert_int_equal(s.i2c_addr, 0x77);
}

static void save_command(void **state)
{
    struct wd_settings s;
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 4321, 4), EXTWD_ERR_OK);
    assert_int_equal(ch.saves, 0);
    assert_int_equal(H_W(&ch, EXTWD_CMD_SAVE), EXTWD_ERR_OK);
    assert_true(ch.served & WD_REQ_SAVE);
    assert_int_equal(ch.saves, 1);
    assert_int_equal(wd_settings_decode(ch.eeprom, &s), 0);
    assert_int_equal(s.timeout_ms, 4321);
}

static void clear_counters(void **state)
{
    (void)state;
    ch.persist.reset_count = 5;
    ch.persist.reinit_count = 6;
    ch.persist.buserr_count = 7;
    ch.persist.resets_total = 300;
    ch.persist.window_faults = 8;
    ch.persist.refused_count = 9;
    ch.persist.bootloop_count = 2;
    ch.persist.history_len = 1;
    ch.persist.history[0].cause = 1;
    ch.persist.status = 1;
    assert_int_equal(H_W(&ch, EXTWD_CMD_CLEAR_COUNTERS), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_RESET_COUNT), 0);
    assert_int_equal(H_R8(&ch, EXTWD_REG_REINIT_COUNT), 0);
    assert_int_equal(H_R8(&ch, EXTWD_REG_BUSERR_COUNT), 0);
    assert_int_equal(h_rd(&ch, EXTWD_REG_RESETS_TOTAL, 2), 0);
    assert_int_equal(H_R8(&ch, EXTWD_REG_WINDOW_FAULTS), 0);
    assert_int_equal(H_R8(&ch, EXTWD_REG_REFUSED_COUNT), 0);
    assert_int_equal(H_R8(&ch, EXTWD_REG_BOOTLOOP_COUNT), 2);
    assert_int_equal(H_R8(&ch, EXTWD_REG_HISTORY_LEN), 1);
    assert_int_equal(H_R8(&ch, EXTWD_REG_HISTORY), 1);
    assert_int_equal(H_R8(&ch, EXTWD_REG_STATUS), 1);
    assert_true(ch.served & WD_REQ_SEAL);
}

static void test_action(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_BREADCRUMB, 0x21, 1), EXTWD_ERR_OK);
    /* firmware 2.1: [0x85] alone is a feed [0xA5] with bit 5 flipped */
    REFUSED(EXTWD_ERR_LENGTH, EXTWD_CMD_TEST_ACTION);
    REFUSED(EXTWD_ERR_RANGE, EXTWD_CMD_TEST_ACTION, 0x00);
    assert_false(wd_core_outputs(&ch.core) & WD_OUT_RESET);
    assert_int_equal(H_W(&ch, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM), EXTWD_ERR_OK);
    assert_true(wd_core_outputs(&ch.core) & WD_OUT_RESET);
    assert_int_equal(H_R8(&ch, EXTWD_REG_LAST_CAUSE), EXTWD_CAUSE_TEST);
    assert_int_equal(H_R8(&ch, EXTWD_REG_STATUS), 1);
    assert_int_equal(H_R8(&ch, EXTWD_REG_BREADCRUMB_RST), 0x21);
    /* during the pulse: busy */
    REFUSED(EXTWD_ERR_BUSY, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM);
    REFUSED(EXTWD_ERR_BUSY, EXTWD_CMD_FEED);
    assert_int_equal(H_R8(&ch, EXTWD_REG_RESET_COUNT), 1);
    h_run(&ch, 200);
    /* disarmed: nothing */
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 0, 1), EXTWD_ERR_OK);
    REFUSED(EXTWD_ERR_DISARMED, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM);
    assert_int_equal(H_R8(&ch, EXTWD_REG_RESET_COUNT), 1);
    assert_false(wd_core_outputs(&ch.core) & WD_OUT_RESET);
}

static void refused_count_saturates(void **state)
{
    (void)state;
    for (int i = 0; i < 300; i++)
        assert_int_equal(H_W(&ch, 0x13, 0), EXTWD_ERR_UNKNOWN);
    assert_int_equal(H_R8(&ch, EXTWD_REG_REFUSED_COUNT), 255);
    REFUSED(EXTWD_ERR_UNKNOWN, 0x13, 0);
    assert_int_equal(H_R8(&ch, EXTWD_REG_LAST_ERROR), EXTWD_ERR_UNKNOWN);
    /* an accepted frame sets LAST_ERROR back to OK and counts nothing */
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_LAST_ERROR), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_REFUSED_COUNT), 255);
}

/* Firmware 2 takes no SMBus PEC (CAPS bit 13 clear): a frame one byte
 * longer than its register is a LENGTH error, and OPTIONS bit 1 is refused
 * (register_writes_and_ranges). */
static void no_pec(void **state)
{
    (void)state;
    assert_int_equal(h_rd(&ch, EXTWD_REG_CAPS, 2) & EXTWD_CAP_PEC, 0);
    uint8_t f[3] = {EXTWD_REG_ACTION, 1, 0};
    f[2] = h_pec(0x26, f, 2);
    refused(f, 3, EXTWD_ERR_LENGTH);
    uint8_t feed[2] = {EXTWD_CMD_FEED, h_pec(0x26, (const uint8_t[]){EXTWD_CMD_FEED}, 1)};
    refused(feed, 2, EXTWD_ERR_LENGTH);
    uint8_t ptr[3] = {EXTWD_CMD_SET_POINTER, 0x20, 0};
    ptr[2] = h_pec(0x26, ptr, 2);
    refused(ptr, 3, EXTWD_ERR_LENGTH);
}

/* SPEC 6: UNKNOWN, READONLY, LENGTH, LOCKED, KEY, RANGE; BUSY and DISARMED
 * when the frame is carried out. */
static void check_order(void **state)
{
    (void)state;
    /* UNKNOWN before READONLY and LENGTH */
    REFUSED(EXTWD_ERR_UNKNOWN, 0x13, 1, 2, 3, 4, 5);
    REFUSED(EXTWD_ERR_UNKNOWN, 0xB0);
    /* READONLY before LENGTH */
    REFUSED(EXTWD_ERR_READONLY, EXTWD_REG_RESET_COUNT, 0, 0, 0);
    REFUSED(EXTWD_ERR_READONLY, EXTWD_REG_TIMEOUT_MS + 1, 0);
    assert_int_equal(h_set(&ch, EXTWD_REG_OPTIONS, EXTWD_OPT_KEYED, 1), EXTWD_ERR_OK);
    /* READONLY before LOCKED; in keyed mode LOCK needs the key (2.1) */
    assert_int_equal(H_W(&ch, EXTWD_REG_KEY, 0x5A, 0xD1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_LOCK, EXTWD_LOCK_MAGIC, 1), EXTWD_ERR_OK);
    REFUSED(EXTWD_ERR_READONLY, EXTWD_REG_RESET_COUNT, 0);
    /* LENGTH before LOCKED */
    REFUSED(EXTWD_ERR_LENGTH, EXTWD_REG_TIMEOUT_MS, 1, 2);
    /* LOCKED before KEY (keyed and locked, no key) */
    REFUSED(EXTWD_ERR_LOCKED, EXTWD_REG_ACTION, 0);
    /* LOCKED before RANGE */
    REFUSED(EXTWD_ERR_LOCKED, EXTWD_REG_TIMEOUT_MS, 1, 0, 0, 0);
    /* KEY before RANGE, on an unlocked chip */
    h_restart(&ch, EXTWD_CHIP_WDRF);
    ch.core.set.options = EXTWD_OPT_KEYED; /* the restart reloaded the saved (none) */
    REFUSED(EXTWD_ERR_KEY, EXTWD_REG_TIMEOUT_MS, 1, 0, 0, 0);
    assert_int_equal(H_W(&ch, EXTWD_REG_KEY, 0x5A, 0xD1), EXTWD_ERR_OK);
    REFUSED(EXTWD_ERR_RANGE, EXTWD_REG_TIMEOUT_MS, 1, 0, 0, 0);
    /* a wrong key value is KEY; a short one LENGTH */
    REFUSED(EXTWD_ERR_KEY, EXTWD_REG_KEY, 0x5A, 0xD2);
    REFUSED(EXTWD_ERR_LENGTH, EXTWD_REG_KEY, 0x5A);
    /* BUSY before DISARMED */
    ch.core.set.options = 0;
    assert_int_equal(H_W(&ch, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 0, 1), EXTWD_ERR_OK);
    REFUSED(EXTWD_ERR_BUSY, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM);
    /* LENGTH before RANGE for the confirming forms */
    REFUSED(EXTWD_ERR_LENGTH, EXTWD_CMD_TEST_ACTION);
}

static void lock(void **state)
{
    (void)state;
    REFUSED(EXTWD_ERR_RANGE, EXTWD_REG_LOCK, 1);
    REFUSED(EXTWD_ERR_RANGE, EXTWD_REG_LOCK, 0);
    assert_int_equal(H_R8(&ch, EXTWD_REG_LOCK), 0);
    assert_int_equal(h_set(&ch, EXTWD_REG_LOCK, EXTWD_LOCK_MAGIC, 1), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_LOCK), 1);
    assert_true(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_LOCKED);
    /* every protective write is refused */
    REFUSED(EXTWD_ERR_LOCKED, EXTWD_REG_ACTION, 0);
    REFUSED(EXTWD_ERR_LOCKED, EXTWD_REG_TIMEOUT_S, 9);
    REFUSED(EXTWD_ERR_LOCKED, EXTWD_REG_GRACE_S, 9);
    REFUSED(EXTWD_ERR_LOCKED, EXTWD_REG_I2C_ADDR, 0x30);
    REFUSED(EXTWD_ERR_LOCKED, EXTWD_REG_BUSLOAD_PCT, 9);
    REFUSED(EXTWD_ERR_LOCKED, EXTWD_REG_TIMEOUT_MS, 0, 0, 0, 0);
    REFUSED(EXTWD_ERR_LOCKED, EXTWD_REG_PULSE_MS, 9, 0);
    REFUSED(EXTWD_ERR_LOCKED, EXTWD_REG_MAX_DISARM_S, 0, 0);
    REFUSED(EXTWD_ERR_LOCKED, EXTWD_REG_PRETIMEOUT_MS, 9, 0);
    REFUSED(EXTWD_ERR_LOCKED, EXTWD_REG_WINDOW_MS, 9, 0);
    REFUSED(EXTWD_ERR_LOCKED, EXTWD_REG_BOOTLOOP_LIMIT, 0);
    REFUSED(EXTWD_ERR_LOCKED, EXTWD_REG_HEALTHY_S, 9);
    REFUSED(EXTWD_ERR_LOCKED, EXTWD_REG_OPTIONS, 0);
    REFUSED(EXTWD_ERR_LOCKED, EXTWD_CMD_FACTORY_RESET);
    REFUSED(EXTWD_ERR_LOCKED, EXTWD_CMD_SET_ADDRESS, 0x30, 0xCF);
    REFUSED(EXTWD_ERR_LOCKED, EXTWD_REG_LONGOP_MS, 0x20, 0x4E, 0, 0);
    REFUSED(EXTWD_ERR_LOCKED, EXTWD_CMD_CLEAR_COUNTERS);
    /* a protective write with a bad value is LOCKED, not RANGE */
    REFUSED(EXTWD_ERR_LOCKED, EXTWD_REG_HEALTHY_S, 0);
    /* everything else still works */
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 1, 1), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, 0x10), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, EXTWD_CMD_SET_POINTER, 0x11), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_BREADCRUMB, 5, 1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_STATUS, 0, 1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_EXT_STATUS, 0, 1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_LOCK, EXTWD_LOCK_MAGIC, 1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_KEY, EXTWD_KEY, 2), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, EXTWD_CMD_SAVE), EXTWD_ERR_OK);
    assert_int_equal(ch.saves, 1);
    assert_int_equal(H_W(&ch, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM), EXTWD_ERR_OK);
    /* a host reset keeps the lock (and the reload cannot unlock it) */
    h_run(&ch, 20000);
    assert_int_equal(H_R8(&ch, EXTWD_REG_LOCK), 1);
    REFUSED(EXTWD_ERR_LOCKED, EXTWD_REG_ACTION, 0);
    /* a chip restart clears it */
    h_restart(&ch, EXTWD_CHIP_WDRF);
    assert_int_equal(H_R8(&ch, EXTWD_REG_LOCK), 0);
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 0, 1), EXTWD_ERR_OK);
}

static void keyed(void **state)
{
    (void)state;
    assert_int_equal(h_set(&ch, EXTWD_REG_OPTIONS, EXTWD_OPT_KEYED, 1), EXTWD_ERR_OK);
    /* no key: refused */
    REFUSED(EXTWD_ERR_KEY, EXTWD_REG_ACTION, 0);
    REFUSED(EXTWD_ERR_KEY, EXTWD_REG_TIMEOUT_S, 9);
    REFUSED(EXTWD_ERR_KEY, EXTWD_CMD_CLEAR_COUNTERS);
    /* firmware 2.1: SAVE, LOCK, the test reset and a long operation too */
    REFUSED(EXTWD_ERR_KEY, EXTWD_CMD_SAVE);
    REFUSED(EXTWD_ERR_KEY, EXTWD_REG_LOCK, EXTWD_LOCK_MAGIC);
    REFUSED(EXTWD_ERR_KEY, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM);
    REFUSED(EXTWD_ERR_KEY, EXTWD_REG_LONGOP_MS, 0x20, 0x4E, 0, 0);
    assert_int_equal(ch.saves, 0);
    /* wrong key */
    REFUSED(EXTWD_ERR_KEY, EXTWD_REG_KEY, 0xD1, 0x5A);
    REFUSED(EXTWD_ERR_KEY, EXTWD_REG_ACTION, 0);
    /* the key opens exactly the next frame */
    assert_int_equal(H_W(&ch, EXTWD_REG_KEY, 0x5A, 0xD1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 0, 1), EXTWD_ERR_OK);
    assert_int_equal(H_R8(&ch, EXTWD_REG_ACTION), 0);
    REFUSED(EXTWD_ERR_KEY, EXTWD_REG_TIMEOUT_S, 9);
    /* non-protective writes need no key */
    assert_int_equal(h_set(&ch, EXTWD_REG_ACTION, 1, 1), EXTWD_ERR_OK);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    /* any frame in between uses the key up: a feed, a pointer set, a refused frame */
    assert_int_equal(H_W(&ch, EXTWD_REG_KEY, 0x5A, 0xD1), EXTWD_ERR_OK);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    REFUSED(EXTWD_ERR_KEY, EXTWD_REG_ACTION, 0);
    assert_int_equal(H_W(&ch, EXTWD_REG_KEY, 0x5A, 0xD1), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, 0x11), EXTWD_ERR_OK);
    REFUSED(EXTWD_ERR_KEY, EXTWD_REG_ACTION, 0);
    assert_int_equal(H_W(&ch, EXTWD_REG_KEY, 0x5A, 0xD1), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, 0x13, 0), EXTWD_ERR_UNKNOWN);
    REFUSED(EXTWD_ERR_KEY, EXTWD_REG_ACTION, 0);
    /* ...but a probe does not */
    assert_int_equal(H_W(&ch, EXTWD_REG_KEY, 0x5A, 0xD1), EXTWD_ERR_OK);
    wd_core_frame(&ch.core, NULL, 0);
    assert_int_equal(h_set(&ch, EXTWD_REG_GRACE_S, 9, 1), EXTWD_ERR_OK);
    /* the key lasts 63 ticks: 992 to 1008 ms after its frame */
    assert_int_equal(H_W(&ch, EXTWD_REG_KEY, 0x5A, 0xD1), EXTWD_ERR_OK);
    h_run(&ch, 992);
    assert_int_equal(h_set(&ch, EXTWD_REG_GRACE_S, 10, 1), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, EXTWD_REG_KEY, 0x5A, 0xD1), EXTWD_ERR_OK);
    h_run(&ch, 1008); /* 63 ticks */
    REFUSED(EXTWD_ERR_KEY, EXTWD_REG_GRACE_S, 11);
    assert_int_equal(H_W(&ch, EXTWD_REG_KEY, 0x5A, 0xD1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_OPTIONS, 0, 1), EXTWD_ERR_OK);
    /* keyed mode off: no key needed */
    assert_int_equal(h_set(&ch, EXTWD_REG_GRACE_S, 12, 1), EXTWD_ERR_OK);
    /* keyed and locked: the lock wins */
    assert_int_equal(h_set(&ch, EXTWD_REG_OPTIONS, EXTWD_OPT_KEYED, 1), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, EXTWD_REG_KEY, 0x5A, 0xD1), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_LOCK, EXTWD_LOCK_MAGIC, 1), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, EXTWD_REG_KEY, 0x5A, 0xD1), EXTWD_ERR_OK);
    REFUSED(EXTWD_ERR_LOCKED, EXTWD_REG_GRACE_S, 13);
}

/* A key ages in ticks; the age saturates instead of wrapping into "fresh". */
static void key_age_saturates(void **state)
{
    (void)state;
    /* saved, with no timeout, so that no host reset reloads other settings */
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 0, 4), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_OPTIONS, EXTWD_OPT_KEYED, 1), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, EXTWD_REG_KEY, 0x5A, 0xD1), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, EXTWD_CMD_SAVE), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, EXTWD_REG_KEY, 0x5A, 0xD1), EXTWD_ERR_OK);
    for (int i = 0; i < 200; i++)
        wd_core_tick(&ch.core, 0);
    REFUSED(EXTWD_ERR_KEY, EXTWD_REG_GRACE_S, 11);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(probe_changes_nothing, setup),
        cmocka_unit_test_setup(one_byte_write_sets_pointer, setup),
        cmocka_unit_test_setup(commands_need_their_argument, setup),
        cmocka_unit_test_setup(readonly_registers, setup),
        cmocka_unit_test_setup(unknown_registers_and_commands, setup),
        cmocka_unit_test_setup(lengths, setup),
        cmocka_unit_test_setup(register_writes_and_ranges, setup),
        cmocka_unit_test_setup(status_registers_only_clear, setup),
        cmocka_unit_test_setup(address_change, setup),
        cmocka_unit_test_setup(save_command, setup),
        cmocka_unit_test_setup(clear_counters, setup),
        cmocka_unit_test_setup(test_action, setup),
        cmocka_unit_test_setup(refused_count_saturates, setup),
        cmocka_unit_test_setup(no_pec, setup),
        cmocka_unit_test_setup(check_order, setup),
        cmocka_unit_test_setup(lock, setup),
        cmocka_unit_test_setup(keyed, setup),
        cmocka_unit_test_setup(key_age_saturates, setup),
    };
    return cmocka_run_group_tests_name("core_frames", tests, NULL, NULL);
}
