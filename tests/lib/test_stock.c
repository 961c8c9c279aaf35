/* libextwd against a stock TinyI2CWatchdog (the fake_stock model): the
 * compatible subset, byte for byte, and the fallbacks. SPDX-License-Identifier: MIT */
#include "helpers.h"

struct fx {
    struct fake_xfer log[LOG_CAP];
    struct fake_bus bus;
    struct fake_stock chip;
    struct extwd_port port;
    struct extwd wd;
};

static struct fx *setup_fx(uint32_t start_ms)
{
    struct fx *f = test_calloc(1, sizeof *f);
    fake_stock_power_up(&f->chip);
    struct fake_device d;
    fake_stock_device(&f->chip, &d);
    bus_with_device(&f->bus, f->log, start_ms, &d, &f->port);
    return f;
}

/* Lets the chip reset the host: fed, then silent past its timeout. */
static void make_watchdog_reset(struct fx *f)
{
    f->chip.reg[6] = 3;
    uint8_t feed = EXTWD_CMD_FEED;
    f->port.write(f->port.ctx, A, &feed, 1);
    fake_bus_advance(&f->bus, 5000);
    assert_int_equal(f->chip.host_resets, 1);
    fake_bus_clear_log(&f->bus);
}

static void init_reads_evidence_and_writes_only_pointers(void **state)
{
    (void)state;
    struct fx *f = setup_fx(1000);
    make_watchdog_reset(f);
    init_ok(f);
    assert_false(f->wd.is_extwd);
    assert_int_equal(f->wd.caps, 0);
    assert_int_equal(f->wd.boot.reason, EXTWD_REASON_WATCHDOG);
    assert_string_equal(extwd_reset_reason_text(extwd_reset_reason(&f->wd)), "Reset by External WD");
    assert_int_equal(f->wd.boot.reset_count, 1);
    assert_int_equal(f->wd.boot.last_cause, EXTWD_CAUSE_TIMEOUT);

    /* Exactly: ID bytes 0-3, then RESET_COUNT, STATUS, LAST_CAUSE, each a
     * [0x83, reg] pointer set and a one-byte read. */
    static const uint8_t regs[] = {0, 1, 2, 3, 0x0E, 0x11, 0x12};
    assert_int_equal(f->bus.log_len, 2 * sizeof regs);
    for (size_t i = 0; i < sizeof regs; i++) {
        uint8_t w[2] = {EXTWD_CMD_SET_POINTER, regs[i]};
        assert_true(fake_xfer_is_write(&f->bus, 2 * i, A, w, 2));
        ASSERT_R(&f->bus, 2 * i + 1, A, 1);
    }
    /* Nothing was cleared: the evidence is still on the chip. */
    assert_int_equal(f->chip.reg[17] & 1, 1);
    assert_int_equal(f->chip.feeds, 1);
    test_free(f);
}

static void seed_order_loses_the_evidence(void **state)
{
    (void)state;
    /* The seed's setup() feeds before it reads STATUS; the chip then says
     * "no watchdog reset". The library reads first. */
    struct fx *f = setup_fx(0);
    make_watchdog_reset(f);
    uint8_t feed = EXTWD_CMD_FEED;
    f->port.write(f->port.ctx, A, &feed, 1);
    init_ok(f);
    assert_int_equal(f->wd.boot.reason, EXTWD_REASON_NONE);
    assert_string_equal(extwd_reset_reason_text(f->wd.boot.reason), "");
    test_free(f);
}

static void feed_is_one_write_of_a5_and_rate_limited(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0xFFFFFFC0u); /* the wrap comes 64 ms in */
    init_ok(f);
    fake_bus_clear_log(&f->bus);

    assert_int_equal(extwd_feed(&f->wd), 1);       /* the first call feeds */
    assert_int_equal(f->bus.log_len, 1);
    ASSERT_W(&f->bus, 0, A, 0xA5);
    assert_int_equal(f->bus.bytes, 2);             /* address byte + 0xA5 */

    for (int i = 0; i < 99; i++) {
        fake_bus_advance(&f->bus, 1);
        assert_int_equal(extwd_feed(&f->wd), 0);   /* across the wrap, not due */
    }
    assert_int_equal(f->bus.log_len, 1);
    fake_bus_advance(&f->bus, 1);
    assert_int_equal(extwd_feed(&f->wd), 1);       /* 100 ms: due */
    ASSERT_W(&f->bus, 1, A, 0xA5);
    assert_int_equal(f->wd.stats.feeds, 2);
    assert_int_equal(f->wd.stats.feed_skips, 99);
    test_free(f);
}

static void not_due_call_costs_one_clock_read_and_no_bus(void **state)
{
    (void)state;
    struct fx *f = setup_fx(5);
    init_ok(f);
    assert_int_equal(extwd_feed(&f->wd), 1);
    fake_bus_clear_log(&f->bus);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(extwd_feed(&f->wd), 0);
    assert_int_equal(f->bus.xfers, 0);
    assert_int_equal(f->bus.millis_calls, 1000);
    test_free(f);
}

static void long_block_never_skips_the_due_feed(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0x7FFFFF00u);
    init_ok(f);
    assert_int_equal(extwd_feed(&f->wd), 1);
    /* A 20 s block (200 intervals): the seed's guard would skip this feed. */
    f->bus.now_ms += 20000;
    assert_int_equal(extwd_feed(&f->wd), 1);
    /* A gap past 2^31 ms: a signed "due" compare would call it early for
     * another 24 days; the feed looks at elapsed time, unsigned. */
    f->bus.now_ms += 0x90000000u;
    assert_int_equal(extwd_feed(&f->wd), 1);
    f->bus.now_ms += 0xFFFFFF00u; /* a gap of 2^32 - 256 ms */
    assert_int_equal(extwd_feed(&f->wd), 1);
    assert_int_equal(f->wd.stats.feeds, 4);
    test_free(f);
}

static void failed_feed_is_retried_by_the_next_call(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    init_ok(f);
    f->chip.addr = 0x30; /* the chip goes away */
    assert_int_equal(extwd_feed(&f->wd), EXTWD_E_NODEV);
    assert_int_equal(f->wd.stats.bus_errors, 1);
    f->chip.addr = A;
    assert_int_equal(extwd_feed(&f->wd), 1); /* same ms, still due */
    test_free(f);
}

static void arm_feeds_first_and_writes_are_read_back(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    init_ok(f);
    f->chip.reg[7] = 0;
    f->chip.reg[6] = 3;
    fake_bus_advance(&f->bus, 10000); /* silent for longer than the timeout, disarmed */
    assert_int_equal(f->chip.host_resets, 0);
    fake_bus_clear_log(&f->bus);

    assert_int_equal(extwd_arm(&f->wd), 0);
    ASSERT_W(&f->bus, 0, A, 0xA5);
    ASSERT_W(&f->bus, 1, A, 0x07, 0x01);
    ASSERT_W(&f->bus, 2, A, 0x83, 0x07);
    ASSERT_R(&f->bus, 3, A, 1);
    assert_int_equal(f->bus.log_len, 4);
    assert_int_equal(f->chip.reg[7], 1);
    fake_bus_advance(&f->bus, 2000);
    assert_int_equal(f->chip.host_resets, 0); /* arming after the silence did not reset */

    fake_bus_clear_log(&f->bus);
    assert_int_equal(extwd_disarm(&f->wd), 0);
    ASSERT_W(&f->bus, 0, A, 0x07, 0x00);
    assert_int_equal(f->chip.reg[7], 0);
    test_free(f);
}

static void timeout_in_whole_seconds_rounded_up(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    init_ok(f);
    fake_bus_clear_log(&f->bus);
    assert_int_equal(extwd_set_timeout_ms(&f->wd, 2500), 0);
    ASSERT_W(&f->bus, 0, A, 0x06, 3);
    assert_int_equal(f->chip.reg[6], 3);
    assert_int_equal(extwd_set_timeout_ms(&f->wd, 1), 0);
    assert_int_equal(f->chip.reg[6], 1);
    assert_int_equal(extwd_set_timeout_ms(&f->wd, 255000), 0);
    assert_int_equal(f->chip.reg[6], 255);
    assert_int_equal(extwd_set_timeout_ms(&f->wd, 0), 0);
    assert_int_equal(f->chip.reg[6], 0);
    uint32_t before = f->bus.xfers;
    assert_int_equal(extwd_set_timeout_ms(&f->wd, 255001), EXTWD_E_INVAL);
    assert_int_equal(f->bus.xfers, before);
    test_free(f);
}

static void extensions_are_not_supported_and_touch_nothing(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    init_ok(f);
    fake_bus_clear_log(&f->bus);
    assert_int_equal(extwd_set_pulse_ms(&f->wd, 100), EXTWD_E_NOTSUP);
    assert_int_equal(extwd_set_max_disarm_s(&f->wd, 60), EXTWD_E_NOTSUP);
    assert_int_equal(extwd_set_bootloop(&f->wd, 3, 60), EXTWD_E_NOTSUP);
    assert_int_equal(extwd_set_pretimeout_ms(&f->wd, 500, 0), EXTWD_E_NOTSUP);
    assert_int_equal(extwd_set_window_ms(&f->wd, 500), EXTWD_E_NOTSUP);
    assert_int_equal(extwd_set_keyed(&f->wd, 1), EXTWD_E_NOTSUP);
    assert_int_equal(extwd_breadcrumb(&f->wd, 7), EXTWD_E_NOTSUP);
    assert_int_equal(extwd_lock(&f->wd), EXTWD_E_NOTSUP);
    assert_int_equal(extwd_set_address(&f->wd, 0x27), EXTWD_E_NOTSUP);
    assert_int_equal(extwd_clear_flags(&f->wd, EXTWD_XS_SAFE_MODE), EXTWD_E_NOTSUP);
    uint8_t b[2];
    assert_int_equal(extwd_read_regs(&f->wd, 0x12, b, 2), EXTWD_E_INVAL); /* would read RAM */
    assert_int_equal(extwd_read_regs(&f->wd, 0x20, b, 1), EXTWD_E_INVAL);
    assert_int_equal(f->bus.xfers, 0);
    /* The compatible subset does work. */
    assert_int_equal(extwd_set_grace_s(&f->wd, 45), 0);
    assert_int_equal(f->chip.reg[9], 45);
    assert_int_equal(extwd_set_busload_pct(&f->wd, 60), 0);
    assert_int_equal(f->chip.reg[11], 60);
    assert_int_equal(extwd_set_busload_pct(&f->wd, 0), EXTWD_E_INVAL);
    test_free(f);
}

static void never_sends_a_one_byte_register_frame(void **state)
{
    (void)state;
    /* The stock chip writes a stale byte for [reg]: the library must never
     * send one. Drive everything, then inspect every write. */
    struct fx *f = setup_fx(0);
    init_ok(f);
    struct extwd_state st;
    struct extwd_longop op = {0};
    uint8_t b[4];
    assert_int_equal(extwd_get_state(&f->wd, &st), 0);
    assert_int_equal(extwd_read_regs(&f->wd, 0x0E, b, 4), 0);
    assert_int_equal(extwd_arm(&f->wd), 0);
    assert_int_equal(extwd_longop_begin(&f->wd, &op, 30000), 0);
    assert_int_equal(extwd_longop_step(&f->wd, &op), 0);
    assert_int_equal(extwd_longop_end(&f->wd, &op), 0);
    assert_int_equal(extwd_clear_flags(&f->wd, EXTWD_STATUS_WD_RESET << 8), 0);
    assert_int_equal(extwd_save(&f->wd), 0);
    for (size_t i = 0; i < f->bus.log_len; i++) {
        const struct fake_xfer *x = &f->bus.log[i];
        if (!x->is_read && x->len == 1)
            assert_true(x->data[0] >= 0x80);
    }
    test_free(f);
}

static void state_from_the_stock_registers(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    init_ok(f);
    f->chip.reg[6] = 9;
    f->chip.reg[12] = 4;
    f->chip.reg[14] = 2;
    f->chip.reg[16] = 5;
    struct extwd_state st;
    assert_int_equal(extwd_get_state(&f->wd, &st), 0);
    assert_int_equal(st.armed, 1);
    assert_int_equal(st.timeout_ms, 9000);
    assert_int_equal(st.since_feed_ms, 4000);
    assert_int_equal(st.reset_count, 2);
    assert_int_equal(st.buserr_count, 5);
    assert_int_equal(st.time_left_ms, 0xFFFFFFFFu);
    assert_int_equal(st.ext_status, 0);
    test_free(f);
}

static void longop_disarms_feeds_and_rearms(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    init_ok(f);
    assert_int_equal(extwd_set_timeout_ms(&f->wd, 3000), 0);
    assert_int_equal(extwd_arm(&f->wd), 0);
    struct extwd_longop op = {0};
    assert_int_equal(extwd_longop_begin(&f->wd, &op, 20000), 0);
    assert_true(op.used_disarm);
    assert_false(op.extended);
    assert_int_equal(f->chip.reg[7], 0);
    for (int chunk = 0; chunk < 5; chunk++) {
        fake_bus_advance(&f->bus, 8000); /* a chunk longer than the timeout */
        assert_int_equal(extwd_longop_step(&f->wd, &op), 0);
    }
    assert_int_equal(extwd_longop_end(&f->wd, &op), 0);
    assert_false(op.active);
    assert_int_equal(f->chip.reg[7], 1);
    assert_int_equal(f->chip.host_resets, 0);
    /* And protection is back: silence now resets the host. */
    fake_bus_advance(&f->bus, 5000);
    assert_int_equal(f->chip.host_resets, 1);
    test_free(f);
}

static void longop_on_disarmed_chip_leaves_it_disarmed(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    init_ok(f);
    assert_int_equal(extwd_disarm(&f->wd), 0);
    struct extwd_longop op = {0};
    assert_int_equal(extwd_longop_begin(&f->wd, &op, 20000), 0);
    assert_false(op.used_disarm);
    assert_int_equal(extwd_longop_begin(&f->wd, &op, 20000), EXTWD_E_STATE);
    assert_int_equal(extwd_longop_end(&f->wd, &op), 0);
    assert_int_equal(f->chip.reg[7], 0);
    assert_int_equal(extwd_longop_end(&f->wd, &op), EXTWD_E_STATE);
    test_free(f);
}

static void status_clear_on_stock(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    make_watchdog_reset(f);
    init_ok(f);
    assert_int_equal(extwd_clear_flags(&f->wd, EXTWD_STATUS_WD_RESET << 8), 0);
    assert_int_equal(f->chip.reg[17], 0);
    assert_int_equal(extwd_clear_flags(&f->wd, 0x0200), EXTWD_E_INVAL);
    test_free(f);
}

static void no_chip_is_nodev_and_bad_config_is_inval(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    struct extwd_config cfg = {.port = &f->port, .addr = 0x27, .retries = 2};
    assert_int_equal(extwd_init(&f->wd, &cfg), EXTWD_E_NODEV);
    /* The probe: 3 tries 5 ms apart, each one try and two retries. */
    assert_int_equal(f->bus.xfers, 9);
    assert_int_equal(f->bus.delays, 2);
    assert_int_equal(f->wd.stats.bus_errors, 9);
    assert_int_equal(f->wd.stats.retries, 6);
    assert_int_equal(f->wd.boot.reason, EXTWD_REASON_UNKNOWN);
    assert_int_equal(f->wd.presence, EXTWD_PRESENCE_ABSENT);
    /* No chip: feeding costs no bus traffic, arming arms nothing. */
    assert_int_equal(extwd_feed(&f->wd), 0);
    assert_int_equal(extwd_arm(&f->wd), EXTWD_E_NODEV);
    assert_int_equal(f->bus.xfers, 9);

    cfg.addr = 0x78;
    assert_int_equal(extwd_init(&f->wd, &cfg), EXTWD_E_INVAL);
    cfg.addr = 0x26;
    cfg.retries = 6;
    assert_int_equal(extwd_init(&f->wd, &cfg), EXTWD_E_INVAL);
    cfg.retries = 0;
    cfg.port = NULL;
    assert_int_equal(extwd_init(&f->wd, &cfg), EXTWD_E_INVAL);
    test_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_reads_evidence_and_writes_only_pointers),
        cmocka_unit_test(seed_order_loses_the_evidence),
        cmocka_unit_test(feed_is_one_write_of_a5_and_rate_limited),
        cmocka_unit_test(not_due_call_costs_one_clock_read_and_no_bus),
        cmocka_unit_test(long_block_never_skips_the_due_feed),
        cmocka_unit_test(failed_feed_is_retried_by_the_next_call),
        cmocka_unit_test(arm_feeds_first_and_writes_are_read_back),
        cmocka_unit_test(timeout_in_whole_seconds_rounded_up),
        cmocka_unit_test(extensions_are_not_supported_and_touch_nothing),
        cmocka_unit_test(never_sends_a_one_byte_register_frame),
        cmocka_unit_test(state_from_the_stock_registers),
        cmocka_unit_test(longop_disarms_feeds_and_rearms),
        cmocka_unit_test(longop_on_disarmed_chip_leaves_it_disarmed),
        cmocka_unit_test(status_clear_on_stock),
        cmocka_unit_test(no_chip_is_nodev_and_bad_config_is_inval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
