/*
 * Core unit tests: settings in the EEPROM slot (SPEC 5.12) and the persist
 * block that survives chip restarts (SPEC 5.13).
 * SPDX-License-Identifier: MIT
 */
#include "harness.h"

#include <stddef.h>
#include <string.h>

static struct wd_chip ch;

static int setup(void **state)
{
    (void)state;
    h_erase(&ch);
    return 0;
}

static struct wd_settings with_timeout(uint32_t ms)
{
    struct wd_settings s;
    wd_settings_defaults(&s);
    s.timeout_ms = ms;
    return s;
}

static uint32_t booted_timeout(void)
{
    h_boot(&ch, EXTWD_CHIP_PORF);
    return ch.core.set.timeout_ms;
}

static int defaults_flag(void)
{
    return !!(ch.persist.ext_sticky & EXTWD_XS_DEFAULTS_LOADED);
}

static void check16_known_values(void **state)
{
    (void)state;
    /* Fletcher sums mod 256 of "123456789", computed independently */
    assert_int_equal(wd_check16(0, (const uint8_t *)"123456789", 9), 0x15DD);
    assert_int_equal(wd_check16(0x4502, (const uint8_t *)"123456789", 9), 0x6CDF);
    assert_int_equal(wd_check16(0x5A5A, NULL, 0), 0x5A5A);
    /* the seed makes an all-zero block fail */
    uint8_t zeros[37] = {0};
    assert_int_equal(wd_check16(WD_PERSIST_SEED, zeros, sizeof zeros), 0x3102);
}

static void defaults(void **state)
{
    struct wd_settings s;
    (void)state;
    memset(&s, 0xEE, sizeof s);
    wd_settings_defaults(&s);
    assert_int_equal(s.timeout_ms, 3000);
    assert_int_equal(s.pulse_ms, 100);
    assert_int_equal(s.max_disarm_s, 300);
    assert_int_equal(s.pretimeout_ms, 0);
    assert_int_equal(s.window_ms, 0);
    assert_int_equal(s.action, 1);
    assert_int_equal(s.grace_s, 20);
    assert_int_equal(s.i2c_addr, 0x26);
    assert_int_equal(s.busload_pct, 50);
    assert_int_equal(s.bootloop_limit, 3);
    assert_int_equal(s.healthy_s, 60);
    assert_int_equal(s.options, 0);
}

static void slot_image_layout(void **state)
{
    struct wd_settings s, d;
    uint8_t img[WD_EEPROM_SLOT_SIZE];
    (void)state;
    wd_settings_defaults(&s);
    s.timeout_ms = 0x00012345;
    s.pulse_ms = 0x0102;
    s.options = 5;
    wd_settings_encode(&s, img);
    static const uint8_t want[WD_SETTINGS_SIZE] = {
        0x45, 0x23, 0x01, 0x00, /* timeout */
        0x02, 0x01,             /* pulse */
        0x2C, 0x01,             /* max disarm 300 */
        0x00, 0x00, 0x00, 0x00, /* pretimeout, window */
        1, 20, 0x26, 50, 3, 60, 5,
    };
    assert_int_equal(WD_EEPROM_SLOT_SIZE, 21);
    assert_memory_equal(img, want, sizeof want);
    uint16_t k = wd_check16(WD_EEPROM_SEED, want, sizeof want);
    assert_int_equal(img[19], k & 0xFF);
    assert_int_equal(img[20], k >> 8);
    assert_int_equal(WD_EEPROM_SEED, 0x4500 | EXTWD_SETTINGS_VERSION);
    memset(&d, 0, sizeof d);
    assert_int_equal(wd_settings_decode(img, &d), 0);
    assert_memory_equal(&d, &s, WD_SETTINGS_SIZE);
    /* the byte-wise path gives the same image */
    h_boot(&ch, EXTWD_CHIP_PORF);
    ch.core.set = s;
    for (uint8_t i = 0; i < WD_EEPROM_SLOT_SIZE; i++)
        assert_int_equal(wd_core_slot_byte(&ch.core, i), img[i]);
}

/* Every way a slot can be wrong, each must leave the output alone. */
static void decode_rejects(void **state)
{
    struct wd_settings s, d, keep;
    uint8_t img[WD_EEPROM_SLOT_SIZE];
    (void)state;
    wd_settings_defaults(&s);
    memset(&keep, 0x3C, sizeof keep);
    for (int field = 0; field < 12; field++) {
        struct wd_settings b = s;
        switch (field) {
        case 0: b.timeout_ms = 99; break;
        case 1: b.timeout_ms = 600001; break;
        case 2: b.pulse_ms = 0; break;
        case 3: b.pulse_ms = 10001; break;
        case 4: b.action = 2; break;
        case 5: b.i2c_addr = 0x07; break;
        case 6: b.i2c_addr = 0x78; break;
        case 7: b.busload_pct = 0; break;
        case 8: b.busload_pct = 101; break;
        case 9: b.healthy_s = 0; break;
        case 10: b.options = 8; break;
        case 11: b.options = EXTWD_OPT_PEC_REQUIRED; break;
        }
        wd_settings_encode(&b, img); /* a valid check over a bad value */
        d = keep;
        assert_true(wd_settings_decode(img, &d) < 0);
        assert_memory_equal(&d, &keep, sizeof d);
    }
    /* every single-bit flip is caught */
    wd_settings_encode(&s, img);
    for (unsigned bit = 0; bit < 8 * WD_EEPROM_SLOT_SIZE; bit++) {
        img[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        d = keep;
        assert_true(wd_settings_decode(img, &d) < 0);
        img[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    /* an image of another layout version (other seed) is refused */
    uint16_t k = wd_check16(0x4501, img, WD_SETTINGS_SIZE);
    img[19] = (uint8_t)k;
    img[20] = (uint8_t)(k >> 8);
    assert_true(wd_settings_decode(img, &d) < 0);
    /* pretimeout and window above the timeout are kept: the feature is off */
    s.pretimeout_ms = 5000;
    s.window_ms = 4000;
    wd_settings_encode(&s, img);
    assert_int_equal(wd_settings_decode(img, &d), 0);
    assert_int_equal(d.pretimeout_ms, 5000);
}

static void erased_eeprom(void **state)
{
    (void)state;
    assert_int_equal(booted_timeout(), 3000);
    assert_true(defaults_flag());
    /* a save writes the slot; the next boot takes it */
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 1234, 4), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, EXTWD_CMD_SAVE), EXTWD_ERR_OK);
    assert_int_equal(booted_timeout(), 1234);
    assert_false(defaults_flag());
}

static void corrupt_or_garbage(void **state)
{
    (void)state;
    struct wd_settings a = with_timeout(1000);
    h_put_slot(&ch, &a);
    assert_int_equal(booted_timeout(), 1000);
    ch.eeprom[10] ^= 0x40;
    assert_int_equal(booted_timeout(), 3000);
    assert_true(defaults_flag());
    uint32_t seed = 99;
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof ch.eeprom; i++)
            ch.eeprom[i] = (uint8_t)h_rand(&seed);
        assert_int_equal(booted_timeout(), 3000);
        assert_true(defaults_flag());
    }
    /* all zeros */
    memset(ch.eeprom, 0, sizeof ch.eeprom);
    assert_int_equal(booted_timeout(), 3000);
    assert_true(defaults_flag());
}

/* One slot: a power loss in the middle of a save leaves a slot that fails
 * its check, and the next boot says so (SPEC 5.12). */
static void torn_save_gives_defaults(void **state)
{
    (void)state;
    struct wd_settings a = with_timeout(1000);
    for (unsigned cut = 1; cut < WD_EEPROM_SLOT_SIZE; cut++) {
        h_put_slot(&ch, &a);
        struct wd_settings b = with_timeout(2001);
        uint8_t img[WD_EEPROM_SLOT_SIZE];
        wd_settings_encode(&b, img);
        memcpy(ch.eeprom, img, cut);
        /* the first byte already differs (0xE8 -> 0xD1); the check comes last */
        assert_int_equal(booted_timeout(), 3000);
        assert_true(defaults_flag());
    }
    h_put_slot(&ch, &a);
    assert_int_equal(booted_timeout(), 1000);
}

/* A save in progress: the port writes the slot byte by byte from the live
 * settings, then checks it. A host reset meanwhile restores the settings
 * saved before (the save then goes on with those), and a setting changed
 * meanwhile shows up in the check pass. */
static void byte_wise_save(void **state)
{
    (void)state;
    struct wd_settings a = with_timeout(1000);
    h_put_slot(&ch, &a);
    h_boot(&ch, EXTWD_CHIP_PORF);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 2000, 4), EXTWD_ERR_OK);
    wd_core_frame(&ch.core, (const uint8_t[]){EXTWD_CMD_SAVE}, 1);
    assert_int_equal(ch.core.last_error, EXTWD_ERR_OK);
    assert_true(wd_core_take_requests(&ch.core) & WD_REQ_SAVE);
    /* the port has written 10 bytes when the host hangs */
    for (uint8_t i = 0; i < 10; i++)
        ch.eeprom[i] = wd_core_slot_byte(&ch.core, i);
    for (int n = 0; n < 200 && !(wd_core_outputs(&ch.core) & WD_OUT_RESET); n++)
        wd_core_tick(&ch.core, 0);
    assert_true(wd_core_outputs(&ch.core) & WD_OUT_RESET);
    assert_int_equal(ch.core.set.timeout_ms, 1000); /* the save was not done */
    assert_false(defaults_flag());
    /* the port goes on with the live (restored) settings: the bytes it
     * wrote first no longer match, the check pass finds it */
    for (uint8_t i = 10; i < WD_EEPROM_SLOT_SIZE; i++)
        ch.eeprom[i] = wd_core_slot_byte(&ch.core, i);
    struct wd_settings d;
    assert_true(wd_settings_decode(ch.eeprom, &d) < 0);
    int differ = 0;
    for (uint8_t i = 0; i < WD_EEPROM_SLOT_SIZE; i++)
        differ |= ch.eeprom[i] != wd_core_slot_byte(&ch.core, i);
    assert_true(differ);
    /* written again, checked equal, done */
    for (uint8_t i = 0; i < WD_EEPROM_SLOT_SIZE; i++)
        ch.eeprom[i] = wd_core_slot_byte(&ch.core, i);
    wd_core_save_done(&ch.core);
    assert_int_equal(wd_settings_decode(ch.eeprom, &d), 0);
    assert_int_equal(d.timeout_ms, 1000);
    /* a completed save is what the next host reset restores */
    h_run(&ch, 300);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_PULSE_MS, 250, 2), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, EXTWD_CMD_SAVE), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_PULSE_MS, 9, 2), EXTWD_ERR_OK);
    assert_int_equal(H_W(&ch, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM), EXTWD_ERR_OK);
    assert_int_equal(ch.core.set.pulse_ms, 250);
    assert_int_equal(ch.core.set.timeout_ms, 1000);
}

static void factory_reset_command(void **state)
{
    (void)state;
    struct wd_settings a = with_timeout(1000);
    a.grace_s = 1;
    h_put_slot(&ch, &a);
    h_boot(&ch, EXTWD_CHIP_PORF);
    ch.persist.history_len = 1;
    ch.persist.history[0].cause = EXTWD_CAUSE_TEST;
    ch.persist.reset_count = 4;
    wd_core_seal(&ch.core);
    assert_int_equal(H_W(&ch, EXTWD_CMD_FACTORY_RESET), EXTWD_ERR_OK);
    /* the harness port wrote the slot and restarted the chip */
    assert_int_equal(ch.factory_restarts, 1);
    assert_true(ch.served & WD_REQ_FACTORY);
    assert_int_equal(ch.core.set.timeout_ms, 3000);
    assert_int_equal(ch.core.set.grace_s, 20);
    struct wd_settings d;
    assert_int_equal(wd_settings_decode(ch.eeprom, &d), 0);
    assert_int_equal(d.timeout_ms, 3000);
    assert_false(defaults_flag());
    /* history and counters survived the restart */
    assert_int_equal(H_R8(&ch, EXTWD_REG_HISTORY_LEN), 1);
    assert_int_equal(H_R8(&ch, EXTWD_REG_RESET_COUNT), 4);
    assert_true(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_CHIP_RESTARTED);
}

static void factory_reset_pin(void **state)
{
    (void)state;
    struct wd_settings a = with_timeout(1000);
    a.options = EXTWD_OPT_KEYED;
    h_put_slot(&ch, &a);
    h_boot(&ch, EXTWD_CHIP_PORF);
    ch.served = 0;
    wd_core_factory_reset(&ch.core);
    assert_int_equal(ch.core.set.timeout_ms, 3000);
    h_serve(&ch);
    assert_true(ch.served & WD_REQ_FACTORY);
    assert_true(ch.served & WD_REQ_ADDRESS);
    assert_int_equal(booted_timeout(), 3000);
    assert_false(defaults_flag());
    struct wd_settings d;
    assert_int_equal(wd_settings_decode(ch.eeprom, &d), 0);
    assert_int_equal(d.options, 0);
}

/* Memfault-style: the persist block full of garbage. */
static void persist_garbage(void **state)
{
    (void)state;
    uint32_t seed = 2024;
    for (int round = 0; round < 500; round++) {
        static const uint8_t flags[] = {EXTWD_CHIP_PORF, EXTWD_CHIP_WDRF, EXTWD_CHIP_BORF,
                                        EXTWD_CHIP_EXTRF, 0, EXTWD_CHIP_PORF | EXTWD_CHIP_BORF};
        memset(&ch.core, 0xA5, sizeof ch.core);
        for (size_t i = 0; i < sizeof ch.persist; i++)
            ((uint8_t *)&ch.persist)[i] = (uint8_t)h_rand(&seed);
        wd_core_init(&ch.core, &ch.persist, flags[round % sizeof flags], ch.eeprom);
        assert_int_equal(ch.persist.status, 0);
        assert_int_equal(ch.persist.reset_count, 0);
        assert_int_equal(ch.persist.resets_total, 0);
        assert_int_equal(ch.persist.history_len, 0);
        assert_int_equal(ch.persist.bootloop_count, 0);
        assert_int_equal(ch.persist.refused_count, 0);
        assert_int_equal(ch.persist.ext_sticky, EXTWD_XS_DEFAULTS_LOADED);
        assert_int_equal(ch.persist.check, wd_check16(WD_PERSIST_SEED, (const uint8_t *)&ch.persist + 2,
                                                (uint8_t)(sizeof ch.persist - 2)));
        for (uint8_t a = EXTWD_REG_HISTORY; a < EXTWD_REG_HISTORY_END; a++)
            assert_int_equal(H_R8(&ch, a), 0);
    }
}

/* A persist record a chip can produce: one timeout reset, unread (the
 * caller seals it, or spoils a field first). */
static void put_record(void)
{
    memset(&ch.persist, 0, sizeof ch.persist);
    ch.persist.reset_count = 7;
    ch.persist.status = EXTWD_STATUS_WD_RESET;
    ch.persist.last_cause = EXTWD_CAUSE_TIMEOUT;
    ch.persist.history_len = 1;
    ch.persist.history[0].cause = EXTWD_CAUSE_TIMEOUT;
}

/* Garbage whose check happens to match (1 in 65536 blocks) must still not be
 * served: every field the chip could never produce discards the block. Found
 * by the fuzz target (fuzz/core/seeds/persist_history_len_255). */
static void persist_garbage_with_valid_check(void **state)
{
    (void)state;
    static const struct {
        uint8_t off, value;
    } bad[] = {
        {offsetof(struct wd_persist, history_len), EXTWD_HISTORY_ENTRIES + 1u},
        {offsetof(struct wd_persist, history_len), 0xFFu},
        {offsetof(struct wd_persist, status), 0x02u},
        {offsetof(struct wd_persist, last_cause), EXTWD_CAUSE_WINDOW + 1u},
        {offsetof(struct wd_persist, ext_sticky), EXTWD_XS_PRETIMEOUT},
        {offsetof(struct wd_persist, history[0].cause), 0u},
        {offsetof(struct wd_persist, history[0].cause), EXTWD_CAUSE_WINDOW + 1u},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        put_record();
        ((uint8_t *)&ch.persist)[bad[k].off] = bad[k].value;
        ch.persist.check = wd_check16(WD_PERSIST_SEED, (const uint8_t *)&ch.persist + 2, (uint8_t)(sizeof ch.persist - 2));
        wd_core_init(&ch.core, &ch.persist, EXTWD_CHIP_WDRF, ch.eeprom);
        assert_int_equal(ch.persist.reset_count, 0);
        assert_int_equal(H_R8(&ch, EXTWD_REG_HISTORY_LEN), 0);
        assert_int_equal(H_R8(&ch, EXTWD_REG_STATUS), 0);
        assert_int_equal(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_CHIP_RESTARTED, 0);
    }
    /* The same record with nothing wrong is kept. */
    put_record();
    ch.persist.check = wd_check16(WD_PERSIST_SEED, (const uint8_t *)&ch.persist + 2, (uint8_t)(sizeof ch.persist - 2));
    wd_core_init(&ch.core, &ch.persist, EXTWD_CHIP_WDRF, ch.eeprom);
    assert_int_equal(H_R8(&ch, EXTWD_REG_RESET_COUNT), 7);
    assert_int_equal(H_R8(&ch, EXTWD_REG_HISTORY_LEN), 1);
    assert_int_equal(H_R8(&ch, EXTWD_REG_STATUS), EXTWD_STATUS_WD_RESET);
}

static void persist_survives_chip_restart(void **state)
{
    (void)state;
    static const uint8_t keep_flags[] = {EXTWD_CHIP_WDRF, EXTWD_CHIP_BORF, EXTWD_CHIP_EXTRF, 0};
    for (size_t i = 0; i < sizeof keep_flags; i++) {
        h_erase(&ch);
        h_boot(&ch, EXTWD_CHIP_PORF);
        assert_int_equal(h_set(&ch, EXTWD_REG_BREADCRUMB, 0x42, 1), EXTWD_ERR_OK);
        assert_int_equal(h_set(&ch, EXTWD_REG_GRACE_S, 0, 1), EXTWD_ERR_OK);
        assert_int_equal(H_W(&ch, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM), EXTWD_ERR_OK);
        assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_S, 9, 1), EXTWD_ERR_OK); /* unsaved */
        assert_int_equal(h_set(&ch, EXTWD_REG_LOCK, EXTWD_LOCK_MAGIC, 1), EXTWD_ERR_OK);
        h_restart(&ch, keep_flags[i]);
        assert_int_equal(H_R8(&ch, EXTWD_REG_STATUS), 1);
        assert_int_equal(H_R8(&ch, EXTWD_REG_LAST_CAUSE), EXTWD_CAUSE_TEST);
        assert_int_equal(H_R8(&ch, EXTWD_REG_RESET_COUNT), 1);
        assert_int_equal(H_R8(&ch, EXTWD_REG_BREADCRUMB_RST), 0x42);
        assert_int_equal(H_R8(&ch, EXTWD_REG_HISTORY_LEN), 1);
        assert_int_equal(H_R8(&ch, EXTWD_REG_BOOTLOOP_COUNT), 1);
        assert_int_equal(H_R8(&ch, EXTWD_REG_CHIP_RESET), keep_flags[i]);
        assert_int_equal(H_R8(&ch, EXTWD_REG_EXT_STATUS),
                         EXTWD_XS_DEFAULTS_LOADED | EXTWD_XS_CHIP_RESTARTED | EXTWD_XS_IN_GRACE);
        /* the lock and unsaved settings are gone, BREADCRUMB too (RAM) */
        assert_int_equal(H_R8(&ch, EXTWD_REG_LOCK), 0);
        assert_int_equal(H_R8(&ch, EXTWD_REG_TIMEOUT_S), 3);
        assert_int_equal(H_R8(&ch, EXTWD_REG_BREADCRUMB), 0);
        /* a power-on clears it all */
        h_restart(&ch, EXTWD_CHIP_PORF);
        assert_int_equal(H_R8(&ch, EXTWD_REG_RESET_COUNT), 0);
        assert_int_equal(H_R8(&ch, EXTWD_REG_HISTORY_LEN), 0);
        assert_int_equal(H_R8(&ch, EXTWD_REG_EXT_STATUS), EXTWD_XS_DEFAULTS_LOADED | EXTWD_XS_IN_GRACE);
    }
}

/* A persist change that was not sealed yet (the chip restarted before the
 * main loop ran) is discarded whole, never half-trusted. */
static void unsealed_persist_is_discarded(void **state)
{
    (void)state;
    h_boot(&ch, EXTWD_CHIP_PORF);
    ch.served = 0;
    wd_core_frame(&ch.core, (const uint8_t[]){EXTWD_CMD_TEST_ACTION}, 1);
    assert_true(wd_core_take_requests(&ch.core) & WD_REQ_SEAL);
    /* no seal: the check is stale */
    h_restart(&ch, EXTWD_CHIP_WDRF);
    assert_int_equal(H_R8(&ch, EXTWD_REG_RESET_COUNT), 0);
    assert_false(H_R8(&ch, EXTWD_REG_EXT_STATUS) & EXTWD_XS_CHIP_RESTARTED);
    /* every byte of a sealed block is covered */
    assert_int_equal(H_W(&ch, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM), EXTWD_ERR_OK);
    for (size_t i = 0; i < sizeof ch.persist; i++) {
        struct wd_persist saved = ch.persist;
        ((uint8_t *)&ch.persist)[i] ^= 0x10;
        h_restart(&ch, EXTWD_CHIP_WDRF);
        assert_int_equal(ch.persist.reset_count, 0);
        ch.persist = saved;
    }
    h_restart(&ch, EXTWD_CHIP_WDRF);
    assert_int_equal(ch.persist.reset_count, 1);
}

/* A host reset restores the saved settings from their RAM copy: the EEPROM
 * is read at boot only, so an EEPROM that went bad meanwhile changes
 * nothing until the next boot. */
static void restore_at_host_reset(void **state)
{
    (void)state;
    struct wd_settings a = with_timeout(2000);
    h_put_slot(&ch, &a);
    h_boot(&ch, EXTWD_CHIP_PORF);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_TIMEOUT_MS, 500, 4), EXTWD_ERR_OK);
    assert_int_equal(h_set(&ch, EXTWD_REG_EXT_STATUS, 0, 1), EXTWD_ERR_OK);
    assert_int_equal(h_run_until_reset(&ch, 1000), 528);
    assert_int_equal(ch.core.set.timeout_ms, 2000);
    assert_false(defaults_flag());
    h_run(&ch, 112);
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    h_erase(&ch);
    assert_int_equal(H_W(&ch, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM), EXTWD_ERR_OK);
    assert_int_equal(ch.core.set.timeout_ms, 2000);
    assert_false(defaults_flag());
    /* the next boot finds the erased EEPROM */
    assert_int_equal(booted_timeout(), 3000);
    assert_true(defaults_flag());
}

/* A feed that changes nothing in persist asks for no seal (the port's
 * ~300-cycle check over it, ten times a second at 100 ms feeding); one
 * that clears STATUS bit 0 does, and the block stays valid either way. */
static void feed_seals_only_a_change(void **state)
{
    (void)state;
    h_boot(&ch, EXTWD_CHIP_PORF);
    h_run(&ch, 100);
    ch.served = 0;
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_false(ch.served & WD_REQ_SEAL);
    assert_int_equal(wd_check16(WD_PERSIST_SEED, (const uint8_t *)&ch.persist + 2,
                                (uint8_t)(sizeof ch.persist - 2u)), ch.persist.check);
    /* a host reset sets STATUS bit 0; read, the next feed clears it and seals */
    assert_int_equal(H_W(&ch, EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM), EXTWD_ERR_OK);
    h_run(&ch, 2000);
    assert_int_equal(H_R8(&ch, EXTWD_REG_STATUS) & EXTWD_STATUS_WD_RESET, EXTWD_STATUS_WD_RESET);
    h_serve(&ch);
    ch.served = 0;
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_true(ch.served & WD_REQ_SEAL);
    assert_int_equal(ch.persist.status & EXTWD_STATUS_WD_RESET, 0);
    assert_int_equal(wd_check16(WD_PERSIST_SEED, (const uint8_t *)&ch.persist + 2,
                                (uint8_t)(sizeof ch.persist - 2u)), ch.persist.check);
    ch.served = 0;
    assert_int_equal(h_feed(&ch), EXTWD_ERR_OK);
    assert_false(ch.served & WD_REQ_SEAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(check16_known_values, setup),
        cmocka_unit_test_setup(defaults, setup),
        cmocka_unit_test_setup(slot_image_layout, setup),
        cmocka_unit_test_setup(decode_rejects, setup),
        cmocka_unit_test_setup(erased_eeprom, setup),
        cmocka_unit_test_setup(corrupt_or_garbage, setup),
        cmocka_unit_test_setup(torn_save_gives_defaults, setup),
        cmocka_unit_test_setup(byte_wise_save, setup),
        cmocka_unit_test_setup(factory_reset_command, setup),
        cmocka_unit_test_setup(factory_reset_pin, setup),
        cmocka_unit_test_setup(persist_garbage, setup),
        cmocka_unit_test_setup(persist_garbage_with_valid_check, setup),
        cmocka_unit_test_setup(persist_survives_chip_restart, setup),
        cmocka_unit_test_setup(unsealed_persist_is_discarded, setup),
        cmocka_unit_test_setup(restore_at_host_reset, setup),
        cmocka_unit_test_setup(feed_seals_only_a_change, setup),
    };
    return cmocka_run_group_tests_name("core_storage", tests, NULL, NULL);
}
