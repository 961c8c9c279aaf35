/* libextwd against the real chip core on the fake bus: the exact bytes of
 * each call, the order at boot, the rate limiter across the wrap, the
 * setters, keyed mode, lock, frames without PEC (firmware 2), the
 * long-operation helper, several chips.
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

static struct fx *setup_fx(uint32_t start_ms)
{
    struct fx *f = test_calloc(1, sizeof *f);
    fake_chip_power_up(&f->chip, NULL);
    struct fake_device d;
    fake_chip_device(&f->chip, &d);
    bus_with_device(&f->bus, f->log, start_ms, &d, &f->port);
    return f;
}

/* A write straight onto the bus, as another master (or the seed) would. */
static void raw_write(struct fx *f, const uint8_t *b, size_t n)
{
    assert_int_equal(f->port.write(f->port.ctx, A, b, n), 0);
}

/* Lets the chip reset the host: fed (ending grace), breadcrumb set, silent. */
static void make_watchdog_reset(struct fx *f, uint8_t crumb)
{
    static const uint8_t feed = EXTWD_CMD_FEED;
    raw_write(f, &feed, 1);
    uint8_t bc[2] = {EXTWD_REG_BREADCRUMB, crumb};
    raw_write(f, bc, 2);
    fake_bus_advance(&f->bus, 3100);
    assert_int_equal(f->chip.hw.host_resets, 1);
    fake_bus_advance(&f->bus, 200); /* past the pulse */
    fake_bus_clear_log(&f->bus);
}

static size_t first_feed(const struct fake_bus *b)
{
    for (size_t i = 0; i < b->log_len; i++)
        if (!b->log[i].is_read && b->log[i].len == 1 && b->log[i].data[0] == EXTWD_CMD_FEED)
            return i;
    return (size_t)-1;
}

static void init_exact_bytes_and_never_writes(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    init_ok(f);
    assert_true(f->wd.is_extwd);
    assert_int_equal(f->wd.proto_version, 1);
    assert_int_equal(f->wd.caps, 0xDFFF);          /* firmware 2: all but PEC */
    assert_int_equal(f->wd.caps & EXTWD_CAP_PEC, 0);
    assert_int_equal(f->wd.fw_version[0], WD_FW_MAJOR);
    assert_int_equal(f->wd.boot.reason, EXTWD_REASON_NONE);
    /* Erased EEPROM: factory defaults, and a power-up grace period. */
    assert_int_equal(f->wd.boot.ext_status, EXTWD_XS_DEFAULTS_LOADED | EXTWD_XS_IN_GRACE);

    size_t i = 0;
    for (uint8_t r = 0; r < 4; r++) {
        uint8_t w[2] = {EXTWD_CMD_SET_POINTER, r};
        assert_true(fake_xfer_is_write(&f->bus, i++, A, w, 2));
        ASSERT_R(&f->bus, i++, A, 1);
    }
    ASSERT_W(&f->bus, i++, A, 0x20);   /* identity: PROTO .. CAPS */
    ASSERT_R(&f->bus, i++, A, 8);
    ASSERT_W(&f->bus, i++, A, 0x0E);   /* RESET_COUNT .. LAST_CAUSE */
    ASSERT_R(&f->bus, i++, A, 5);
    ASSERT_W(&f->bus, i++, A, 0x2B);   /* HISTORY_LEN .. RESETS_TOTAL */
    ASSERT_R(&f->bus, i++, A, 5);
    ASSERT_W(&f->bus, i++, A, 0x41);   /* BREADCRUMB_RST */
    ASSERT_R(&f->bus, i++, A, 1);
    ASSERT_W(&f->bus, i++, A, 0x3A);   /* WINDOW_MS .. OPTIONS (no history: none yet) */
    ASSERT_R(&f->bus, i++, A, 5);
    assert_int_equal(f->bus.log_len, i);
    /* Only pointer sets: the chip saw no frame that changes anything. */
    assert_int_equal(f->chip.hw.core.last_error, 0);
    assert_int_equal(f->chip.hw.persist.refused_count, 0);
    test_free(f);
}

static void reset_evidence_is_read_before_the_first_feed(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    make_watchdog_reset(f, 0x5C);
    init_ok(f);
    const struct extwd_boot_info *b = &f->wd.boot;
    assert_int_equal(b->reason, EXTWD_REASON_WATCHDOG);
    assert_string_equal(extwd_reset_reason_text(b->reason), "Reset by External WD");
    assert_int_equal(b->status & 1, 1);
    assert_int_equal(b->last_cause, EXTWD_CAUSE_TIMEOUT);
    assert_int_equal(b->breadcrumb, 0x5C);
    assert_int_equal(b->resets_total, 1);
    assert_int_equal(b->history_len, 1);
    assert_int_equal(b->history[0].cause, EXTWD_CAUSE_TIMEOUT);
    assert_int_equal(b->history[0].breadcrumb, 0x5C);
    assert_int_equal(first_feed(&f->bus), (size_t)-1);        /* init never fed */
    size_t reads = f->bus.log_len;
    ASSERT_W(&f->bus, reads - 4, A, 0x60);                    /* the history was read */
    ASSERT_R(&f->bus, reads - 3, A, 6);

    assert_int_equal(extwd_arm(&f->wd), 0);
    assert_int_equal(first_feed(&f->bus), reads);              /* the feed came after */
    /* The feed cleared STATUS on the chip; the evidence lives on in wd->boot. */
    assert_int_equal(f->chip.hw.persist.status & 1, 0);
    assert_int_equal(extwd_reset_reason(&f->wd), EXTWD_REASON_WATCHDOG);
    test_free(f);
}

/* A chip whose own record is impossible (here HISTORY_LEN 9, as RAM kept
 * across a brown-out could hold) must not stop the host from starting: a host
 * that cannot init cannot feed, and the chip would reset it in a loop. */
static void impossible_evidence_still_starts_and_feeds(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    make_watchdog_reset(f, 0x11);
    f->chip.hw.persist.history_len = 9;
    init_ok(f);
    assert_int_equal(f->wd.boot.suspect, 1);
    assert_int_equal(f->wd.boot.reason, EXTWD_REASON_UNKNOWN);
    assert_int_equal(f->wd.boot.history_len, 0);
    assert_int_equal(extwd_arm(&f->wd), 0);            /* arm feeds first */
    assert_int_equal(extwd_feed_now(&f->wd), 0);
    assert_int_equal(f->wd.stats.feeds, 2);

    /* A STATUS or LAST_CAUSE the chip cannot produce: unknown, still starts. */
    struct fx *g = setup_fx(0);
    make_watchdog_reset(g, 0x22);
    g->chip.hw.persist.last_cause = 0x40;
    init_ok(g);
    assert_int_equal(g->wd.boot.suspect, 1);
    assert_int_equal(g->wd.boot.reason, EXTWD_REASON_UNKNOWN);
    assert_int_equal(extwd_feed(&g->wd), 1);
    test_free(g);

    /* A sound record is not suspect. */
    struct fx *h = setup_fx(0);
    make_watchdog_reset(h, 0x33);
    init_ok(h);
    assert_int_equal(h->wd.boot.suspect, 0);
    assert_int_equal(h->wd.boot.reason, EXTWD_REASON_WATCHDOG);
    test_free(h);
    test_free(f);
}

static void feed_is_exactly_one_write_of_a5(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    init_ok(f);
    fake_bus_advance(&f->bus, 50);
    fake_bus_clear_log(&f->bus);
    assert_int_equal(extwd_feed(&f->wd), 1);
    assert_int_equal(f->bus.log_len, 1);
    ASSERT_W(&f->bus, 0, A, 0xA5);
    assert_int_equal(f->bus.bytes, 2);
    assert_int_equal(f->chip.hw.core.since_t, 0);
    assert_int_equal(f->chip.hw.core.grace_t, 0);      /* the feed ended grace */
    fake_bus_clear_log(&f->bus);
    assert_int_equal(extwd_feed_now(&f->wd), 0);
    assert_int_equal(f->bus.log_len, 1);
    ASSERT_W(&f->bus, 0, A, 0xA5);
    test_free(f);
}

static void main_loop_across_the_wrap_never_resets(void **state)
{
    (void)state;
    /* A host loop of 7 ms for 60 s, starting 30 s before the 32-bit wrap. */
    struct fx *f = setup_fx(0xFFFFFFFFu - 30000u);
    init_ok(f);
    assert_int_equal(extwd_arm(&f->wd), 0);
    fake_bus_clear_log(&f->bus);
    uint32_t fed = 0;
    for (int t = 0; t < 60000; t += 7) {
        int r = extwd_feed(&f->wd);
        assert_true(r == 0 || r == 1);
        fed += (uint32_t)r;
        fake_bus_advance(&f->bus, 7);
    }
    assert_int_equal(f->chip.hw.host_resets, 0);
    /* SKIP_MISSED on a 7 ms loop: one feed every 105 ms after the arm's. */
    assert_int_equal(fed, 59997 / 105);
    assert_int_equal(f->bus.bytes, 2u * fed);
    assert_int_equal(f->wd.stats.feeds, fed + 1u);
    test_free(f);
}

static void long_block_feeds_at_once_and_saves_the_host(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    init_ok(f);
    assert_int_equal(extwd_arm(&f->wd), 0);
    for (int i = 0; i < 3; i++) {
        fake_bus_advance(&f->bus, 2900); /* a block just short of the 3 s timeout */
        assert_int_equal(extwd_feed(&f->wd), 1);
    }
    assert_int_equal(f->chip.hw.host_resets, 0);
    test_free(f);
}

static void set_timeout_exact_bytes_and_checks(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    init_ok(f);
    fake_bus_clear_log(&f->bus);
    assert_int_equal(extwd_set_timeout_ms(&f->wd, 5000), 0);
    ASSERT_W(&f->bus, 0, A, 0x30, 0x88, 0x13, 0x00, 0x00);
    ASSERT_W(&f->bus, 1, A, 0x28);
    ASSERT_R(&f->bus, 2, A, 1);
    assert_int_equal(f->bus.log_len, 3);
    assert_int_equal(f->chip.hw.core.set.timeout_ms, 5000);

    fake_bus_clear_log(&f->bus);
    assert_int_equal(extwd_set_timeout_ms(&f->wd, 99), EXTWD_E_INVAL);
    assert_int_equal(extwd_set_timeout_ms(&f->wd, 600001), EXTWD_E_INVAL);
    assert_int_equal(extwd_set_pulse_ms(&f->wd, 0), EXTWD_E_INVAL);
    assert_int_equal(extwd_set_pulse_ms(&f->wd, 10001), EXTWD_E_INVAL);
    assert_int_equal(extwd_set_bootloop(&f->wd, 3, 0), EXTWD_E_INVAL);
    assert_int_equal(extwd_set_busload_pct(&f->wd, 101), EXTWD_E_INVAL);
    assert_int_equal(extwd_set_address(&f->wd, 0x07), EXTWD_E_INVAL);
    assert_int_equal(extwd_clear_flags(&f->wd, EXTWD_XS_LOCKED), EXTWD_E_INVAL);
    uint8_t b[5] = {0};
    assert_int_equal(extwd_write_reg(&f->wd, 0x30, b, 5), EXTWD_E_INVAL);
    assert_int_equal(f->bus.xfers, 0); /* all refused before touching the bus */

    assert_int_equal(extwd_set_timeout_ms(&f->wd, 0), 0);
    assert_int_equal(f->chip.hw.core.set.timeout_ms, 0);
    assert_int_equal(extwd_set_timeout_ms(&f->wd, 600000), 0);
    assert_int_equal(f->chip.hw.core.set.timeout_ms, 600000);
    test_free(f);
}

static void every_setter_lands_on_the_chip(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    init_ok(f);
    assert_int_equal(extwd_set_grace_s(&f->wd, 45), 0);
    assert_int_equal(extwd_set_pulse_ms(&f->wd, 250), 0);
    assert_int_equal(extwd_set_max_disarm_s(&f->wd, 600), 0);
    assert_int_equal(extwd_set_bootloop(&f->wd, 5, 90), 0);
    assert_int_equal(extwd_set_pretimeout_ms(&f->wd, 500, 1), 0);
    assert_int_equal(extwd_set_busload_pct(&f->wd, 70), 0);
    const struct wd_settings *s = &f->chip.hw.core.set;
    assert_int_equal(s->grace_s, 45);
    assert_int_equal(s->pulse_ms, 250);
    assert_int_equal(s->max_disarm_s, 600);
    assert_int_equal(s->bootloop_limit, 5);
    assert_int_equal(s->healthy_s, 90);
    assert_int_equal(s->pretimeout_ms, 500);
    assert_int_equal(s->options, EXTWD_OPT_PRETIMEOUT_PIN);
    assert_int_equal(s->busload_pct, 70);
    assert_int_equal(extwd_set_pretimeout_ms(&f->wd, 0, 0), 0);
    assert_int_equal(s->options, 0);

    /* The range the chip checks itself: a pretimeout not below the timeout. */
    assert_int_equal(extwd_set_pretimeout_ms(&f->wd, 3000, 0), EXTWD_E_REFUSED);
    assert_int_equal(f->wd.last_chip_error, EXTWD_ERR_RANGE);
    assert_int_equal(s->pretimeout_ms, 0);

    fake_bus_clear_log(&f->bus);
    assert_int_equal(extwd_breadcrumb(&f->wd, 0x33), 0);
    assert_int_equal(f->bus.log_len, 1);        /* hot path: one frame, unchecked */
    ASSERT_W(&f->bus, 0, A, 0x40, 0x33);

    assert_int_equal(extwd_save(&f->wd), 0);
    assert_int_equal(f->chip.hw.saves, 1);
    assert_int_equal(extwd_clear_flags(&f->wd, EXTWD_XS_DEFAULTS_LOADED), 0);
    assert_int_equal(f->chip.hw.persist.ext_sticky & EXTWD_XS_DEFAULTS_LOADED, 0);
    test_free(f);
}

static void state_reads_the_live_registers(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    init_ok(f);
    assert_int_equal(extwd_arm(&f->wd), 0);
    fake_bus_advance(&f->bus, 1100);
    struct extwd_state st;
    assert_int_equal(extwd_get_state(&f->wd, &st), 0);
    assert_int_equal(st.armed, 1);
    assert_int_equal(st.timeout_ms, 3000);
    assert_in_range(st.since_feed_ms, 1088, 1100); /* in 16 ms ticks */
    assert_int_equal(st.time_left_ms, 3000 - st.since_feed_ms);
    assert_int_equal(st.uptime_s, 1);
    assert_int_equal(st.ext_status & EXTWD_XS_IN_GRACE, 0);
    assert_int_equal(extwd_disarm(&f->wd), 0);
    assert_int_equal(extwd_get_state(&f->wd, &st), 0);
    assert_int_equal(st.armed, 0);
    assert_int_equal(st.time_left_ms, 0xFFFFFFFFu);
    /* Disarmed for good, the count runs on and stops at 0xFFFF ticks
     * (firmware 2: 1048560 ms), never wrapping back to a fresh-looking 0. */
    assert_int_equal(extwd_set_max_disarm_s(&f->wd, 0), 0);
    fake_bus_advance(&f->bus, 20u * 60u * 1000u);
    assert_int_equal(extwd_get_state(&f->wd, &st), 0);
    assert_int_equal(st.since_feed_ms, 0xFFFFu * WD_TICK_MS);
    assert_int_equal(st.armed, 0);
    assert_in_range(st.uptime_s, 1201, 1202);
    assert_int_equal(f->chip.hw.host_resets, 0);
    test_free(f);
}

static void keyed_disarm_sends_the_key_first(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    init_ok(f);
    assert_int_equal(extwd_set_keyed(&f->wd, 1), 0);
    assert_int_equal(f->chip.hw.core.set.options, EXTWD_OPT_KEYED);
    fake_bus_clear_log(&f->bus);
    assert_int_equal(extwd_disarm(&f->wd), 0);
    ASSERT_W(&f->bus, 0, A, 0x43, 0x5A, 0xD1);
    ASSERT_W(&f->bus, 1, A, 0x07, 0x00);
    ASSERT_W(&f->bus, 2, A, 0x28);
    ASSERT_R(&f->bus, 3, A, 1);
    assert_int_equal(f->bus.log_len, 4);
    assert_int_equal(f->chip.hw.core.set.action, 0);
    /* Arming is never restricted: no key. */
    fake_bus_clear_log(&f->bus);
    assert_int_equal(extwd_arm(&f->wd), 0);
    ASSERT_W(&f->bus, 0, A, 0xA5);
    ASSERT_W(&f->bus, 1, A, 0x07, 0x01);
    /* Keyed mode off needs the key too. */
    assert_int_equal(extwd_set_keyed(&f->wd, 0), 0);
    assert_int_equal(f->chip.hw.core.set.options, 0);
    test_free(f);
}

static void keyed_mode_set_by_someone_else_is_learned(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    init_ok(f);
    uint8_t opt[2] = {EXTWD_REG_OPTIONS, EXTWD_OPT_KEYED};
    raw_write(f, opt, 2);                        /* behind the library's back */
    assert_int_equal(extwd_disarm(&f->wd), 0);   /* refused, learns, retries keyed */
    assert_int_equal(f->chip.hw.core.set.action, 0);
    assert_int_equal(f->wd.options, EXTWD_OPT_KEYED);
    test_free(f);
}

static void lock_refuses_protective_writes(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    init_ok(f);
    assert_int_equal(extwd_lock(&f->wd), 0);
    assert_int_equal(extwd_disarm(&f->wd), EXTWD_E_LOCKED);
    assert_int_equal(extwd_set_timeout_ms(&f->wd, 60000), EXTWD_E_LOCKED);
    assert_int_equal(extwd_set_keyed(&f->wd, 1), EXTWD_E_LOCKED);
    assert_int_equal(f->chip.hw.core.set.action, 1);
    assert_int_equal(f->chip.hw.core.set.timeout_ms, 3000);
    assert_int_equal(extwd_arm(&f->wd), 0);      /* never restricted */
    assert_int_equal(extwd_feed_now(&f->wd), 0);
    /* The long operation cannot raise the timeout of a locked chip. */
    struct extwd_longop op = {0};
    assert_int_equal(extwd_longop_begin(&f->wd, &op, 30000), EXTWD_E_LOCKED);
    assert_false(op.active);
    assert_int_equal(f->chip.hw.core.set.timeout_ms, 3000);
    test_free(f);
}

/* Firmware 2 takes no PEC (SPEC 2.3): the library never appends one, and the
 * real core refuses any frame one byte longer than its register, so a run of
 * every kind of write the library makes with no refusal on the chip proves
 * each frame was exactly the register and its value. */
static void frames_are_exact_and_carry_no_pec(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    init_ok(f);
    assert_int_equal(extwd_set_timeout_ms(&f->wd, 4000), 0);
    assert_int_equal(extwd_set_pulse_ms(&f->wd, 200), 0);
    assert_int_equal(extwd_set_max_disarm_s(&f->wd, 120), 0);
    assert_int_equal(extwd_set_bootloop(&f->wd, 4, 30), 0);
    assert_int_equal(extwd_set_pretimeout_ms(&f->wd, 300, 1), 0);
    assert_int_equal(extwd_set_window_ms(&f->wd, 200), 0);
    assert_int_equal(extwd_set_keyed(&f->wd, 1), 0);
    assert_int_equal(extwd_disarm(&f->wd), 0);
    assert_int_equal(extwd_arm(&f->wd), 0);
    assert_int_equal(extwd_breadcrumb(&f->wd, 9), 0);
    assert_int_equal(extwd_set_address(&f->wd, 0x27), 0);
    assert_int_equal(extwd_set_address(&f->wd, 0x26), 0);
    assert_int_equal(extwd_save(&f->wd), 0);
    fake_bus_advance(&f->bus, 300); /* out of the window */
    assert_int_equal(extwd_feed_now(&f->wd), 0);
    assert_int_equal(f->chip.hw.persist.refused_count, 0);
    assert_int_equal(f->chip.hw.core.set.timeout_ms, 4000);
    assert_int_equal(f->chip.hw.core.set.options, EXTWD_OPT_KEYED | EXTWD_OPT_PRETIMEOUT_PIN);

    /* What a PEC-adding host would send: refused whole, the countdown runs on. */
    fake_bus_advance(&f->bus, 1000);
    uint8_t feed_pec[2] = {EXTWD_CMD_FEED, extwd_pec_update(extwd_pec_update(0, A << 1), 0xA5)};
    raw_write(f, feed_pec, 2);
    assert_int_equal(f->chip.hw.core.last_error, EXTWD_ERR_LENGTH);
    assert_in_range(f->chip.hw.core.since_t * WD_TICK_MS, 976, 1008);

    /* OPTIONS bit 1 (PEC required) is reserved: the chip refuses it, and the
     * handle's view of OPTIONS stays what the chip has. */
    uint8_t opt = EXTWD_OPT_KEYED | EXTWD_OPT_PEC_REQUIRED;
    assert_int_equal(extwd_write_reg(&f->wd, EXTWD_REG_OPTIONS, &opt, 1), EXTWD_E_REFUSED);
    assert_int_equal(f->wd.last_chip_error, EXTWD_ERR_RANGE);
    assert_int_equal(f->wd.options, EXTWD_OPT_KEYED | EXTWD_OPT_PRETIMEOUT_PIN);
    assert_int_equal(f->chip.hw.core.set.options, EXTWD_OPT_KEYED | EXTWD_OPT_PRETIMEOUT_PIN);
    test_free(f);
}

static void longop_extends_and_restores(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    init_ok(f);
    assert_int_equal(extwd_arm(&f->wd), 0);
    fake_bus_advance(&f->bus, 500);
    fake_bus_clear_log(&f->bus);
    struct extwd_longop op = {0};
    assert_int_equal(extwd_longop_begin(&f->wd, &op, 20000), 0);
    ASSERT_W(&f->bus, 0, A, 0x07);                       /* armed? (read twice: */
    ASSERT_R(&f->bus, 1, A, 1);                          /*  it will be restored) */
    ASSERT_W(&f->bus, 2, A, 0x07);
    ASSERT_R(&f->bus, 3, A, 1);
    ASSERT_W(&f->bus, 4, A, 0x30);                       /* the timeout to restore */
    ASSERT_R(&f->bus, 5, A, 4);
    ASSERT_W(&f->bus, 6, A, 0x30);
    ASSERT_R(&f->bus, 7, A, 4);
    ASSERT_W(&f->bus, 8, A, 0xA5);                       /* feed, then extend */
    ASSERT_W(&f->bus, 9, A, 0x5C, 0x20, 0x4E, 0x00, 0x00); /* LONGOP_MS (2.1) */
    ASSERT_W(&f->bus, 10, A, 0x28);
    ASSERT_R(&f->bus, 11, A, 1);
    assert_int_equal(f->bus.log_len, 12);
    assert_true(op.active && op.used_longop && !op.extended && !op.used_disarm);
    assert_int_equal(f->chip.hw.core.set.action, 1);        /* protection stays on */
    assert_int_equal(f->chip.hw.core.longop_ms, 20000);
    assert_int_equal(f->chip.hw.core.set.timeout_ms, 3000); /* a SAVE now would keep 3 s */
    for (int chunk = 0; chunk < 4; chunk++) {
        fake_bus_advance(&f->bus, 15000);                /* chunks far past 3 s */
        assert_int_equal(extwd_longop_step(&f->wd, &op), 0);
    }
    assert_int_equal(f->chip.hw.host_resets, 0);
    fake_bus_advance(&f->bus, 15000);                    /* the last chunk, then end */
    assert_int_equal(extwd_longop_end(&f->wd, &op), 0);
    assert_false(op.active);
    assert_int_equal(f->chip.hw.core.set.timeout_ms, 3000);
    assert_int_equal(f->chip.hw.core.longop_ms, 0);
    assert_int_equal(f->chip.hw.core.set.action, 1);
    fake_bus_advance(&f->bus, 2000);
    assert_int_equal(f->chip.hw.host_resets, 0);            /* end fed before restoring */
    fake_bus_advance(&f->bus, 1100);
    assert_int_equal(f->chip.hw.host_resets, 1);            /* and 3 s of silence resets */
    test_free(f);
}

static void longop_hang_is_reset_and_chip_restores_itself(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    init_ok(f);
    assert_int_equal(extwd_arm(&f->wd), 0);
    struct extwd_longop op = {0};
    assert_int_equal(extwd_longop_begin(&f->wd, &op, 10000), 0);
    fake_bus_advance(&f->bus, 9900);
    assert_int_equal(f->chip.hw.host_resets, 0);
    fake_bus_advance(&f->bus, 200);                      /* hung mid-operation */
    assert_int_equal(f->chip.hw.host_resets, 1);
    assert_int_equal(f->chip.hw.core.set.timeout_ms, 3000); /* saved settings back (SPEC 5.3) */
    test_free(f);
}

static void longop_on_a_shorter_step_changes_nothing(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    init_ok(f);
    assert_int_equal(extwd_set_timeout_ms(&f->wd, 30000), 0);
    struct extwd_longop op = {0};
    assert_int_equal(extwd_longop_begin(&f->wd, &op, 5000), 0);
    assert_false(op.extended);
    assert_int_equal(f->chip.hw.core.set.timeout_ms, 30000);
    assert_int_equal(extwd_longop_end(&f->wd, &op), 0);
    assert_int_equal(f->chip.hw.core.set.timeout_ms, 30000);
    assert_int_equal(extwd_longop_begin(&f->wd, &op, 0), EXTWD_E_INVAL);
    test_free(f);
}

static void window_keeps_feeds_out_of_it(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    init_ok(f);
    assert_int_equal(extwd_arm(&f->wd), 0);
    assert_int_equal(extwd_set_window_ms(&f->wd, 500), 0);
    assert_int_equal(f->wd.feed_timer.interval_ms, 532);
    uint32_t fed = 0;
    for (int t = 0; t < 10000; t += 10) {
        fed += (uint32_t)extwd_feed(&f->wd);
        fake_bus_advance(&f->bus, 10);
    }
    assert_int_equal(f->chip.hw.core.persist->window_faults, 0);
    assert_int_equal(f->chip.hw.host_resets, 0);
    assert_in_range(fed, 17, 19);
    /* arm and the long-op steps skip a feed that would come too early. */
    assert_int_equal(extwd_arm(&f->wd), 0);
    struct extwd_longop op = {0};
    assert_int_equal(extwd_longop_begin(&f->wd, &op, 20000), 0);
    assert_int_equal(extwd_longop_step(&f->wd, &op), 0);
    assert_int_equal(extwd_longop_end(&f->wd, &op), 0);
    assert_int_equal(f->chip.hw.host_resets, 0);
    assert_int_equal(f->chip.hw.core.persist->window_faults, 0);
    test_free(f);
}

static void window_learned_at_init_from_the_chip(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    uint8_t w[3] = {EXTWD_REG_WINDOW_MS, 0x2C, 0x01}; /* 300 ms */
    raw_write(f, w, 3);
    static const uint8_t feed = EXTWD_CMD_FEED;
    raw_write(f, &feed, 1);                         /* someone fed just now */
    init_ok(f);
    assert_int_equal(f->wd.window_ms, 300);
    assert_int_equal(extwd_arm(&f->wd), 0);         /* asks SINCE_FEED_MS: too early, skips */
    assert_int_equal(f->chip.hw.host_resets, 0);
    assert_int_equal(f->chip.hw.core.set.action, 1);
    test_free(f);
}

static void set_address_moves_chip_and_handle(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    init_ok(f);
    assert_int_equal(extwd_set_address(&f->wd, 0x27), 0);
    assert_int_equal(f->wd.cfg.addr, 0x27);
    assert_int_equal(wd_core_address(&f->chip.hw.core), 0x27);
    assert_int_equal(extwd_feed_now(&f->wd), 0);
    assert_int_equal(f->bus.log[f->bus.log_len - 1].addr, 0x27);
    /* Locked: the chip refuses, and the handle stays at the old address. */
    assert_int_equal(extwd_lock(&f->wd), 0);
    assert_int_equal(extwd_set_address(&f->wd, 0x30), EXTWD_E_LOCKED);
    assert_int_equal(f->wd.cfg.addr, 0x27);
    test_free(f);
}

static void several_chips_on_several_buses(void **state)
{
    (void)state;
    struct fx *a = setup_fx(0), *b = setup_fx(0x80000000u);
    /* A third chip on bus a, moved to 0x28 by raw commands. */
    static struct fake_chip c3;
    fake_chip_power_up(&c3, NULL);
    uint8_t mv[3] = {EXTWD_CMD_SET_ADDRESS, 0x28, EXTWD_ADDR_CONFIRM(0x28)};
    struct fake_device d;
    fake_chip_device(&c3, &d);
    d.write(d.dev, mv, 3);
    fake_bus_attach(&a->bus, &d);

    struct extwd w3;
    struct extwd_config cfg3 = {.port = &a->port, .addr = 0x28};
    init_ok(a);
    init_ok(b);
    assert_int_equal(extwd_init(&w3, &cfg3), 0);
    assert_int_equal(extwd_arm(&a->wd), 0);
    assert_int_equal(extwd_arm(&b->wd), 0);
    assert_int_equal(extwd_arm(&w3), 0);
    for (int t = 0; t < 10000; t += 50) {
        extwd_feed(&a->wd);
        extwd_feed(&b->wd);
        if (t < 5000)
            extwd_feed(&w3);           /* this host stops feeding the third chip */
        fake_bus_advance(&a->bus, 50);
        fake_bus_advance(&b->bus, 50);
    }
    assert_int_equal(a->chip.hw.host_resets, 0);
    assert_int_equal(b->chip.hw.host_resets, 0);
    assert_int_equal(c3.hw.host_resets, 1);
    test_free(a);
    test_free(b);
}

static void raw_register_access(void **state)
{
    (void)state;
    struct fx *f = setup_fx(0);
    init_ok(f);
    uint8_t id[4];
    assert_int_equal(extwd_read_regs(&f->wd, 0x00, id, 4), 0);
    assert_memory_equal(id, "EXWD", 4);
    uint8_t v[2] = {0x10, 0x27}; /* MAX_DISARM_S = 10000 */
    assert_int_equal(extwd_write_reg(&f->wd, EXTWD_REG_MAX_DISARM_S, v, 2), 0);
    assert_int_equal(f->chip.hw.core.set.max_disarm_s, 10000);
    uint8_t ro = 1;
    assert_int_equal(extwd_write_reg(&f->wd, EXTWD_REG_RESET_COUNT, &ro, 1), EXTWD_E_REFUSED);
    assert_int_equal(f->wd.last_chip_error, EXTWD_ERR_READONLY);
    uint8_t ff[3];
    assert_int_equal(extwd_read_regs(&f->wd, 0xFE, ff, 2), 0);  /* past the map: 0xFF */
    assert_int_equal(ff[0], 0xFF);
    assert_int_equal(extwd_read_regs(&f->wd, 0xFF, ff, 2), EXTWD_E_INVAL);
    test_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_exact_bytes_and_never_writes),
        cmocka_unit_test(reset_evidence_is_read_before_the_first_feed),
        cmocka_unit_test(impossible_evidence_still_starts_and_feeds),
        cmocka_unit_test(feed_is_exactly_one_write_of_a5),
        cmocka_unit_test(main_loop_across_the_wrap_never_resets),
        cmocka_unit_test(long_block_feeds_at_once_and_saves_the_host),
        cmocka_unit_test(set_timeout_exact_bytes_and_checks),
        cmocka_unit_test(every_setter_lands_on_the_chip),
        cmocka_unit_test(state_reads_the_live_registers),
        cmocka_unit_test(keyed_disarm_sends_the_key_first),
        cmocka_unit_test(keyed_mode_set_by_someone_else_is_learned),
        cmocka_unit_test(lock_refuses_protective_writes),
        cmocka_unit_test(frames_are_exact_and_carry_no_pec),
        cmocka_unit_test(longop_extends_and_restores),
        cmocka_unit_test(longop_hang_is_reset_and_chip_restores_itself),
        cmocka_unit_test(longop_on_a_shorter_step_changes_nothing),
        cmocka_unit_test(window_keeps_feeds_out_of_it),
        cmocka_unit_test(window_learned_at_init_from_the_chip),
        cmocka_unit_test(set_address_moves_chip_and_handle),
        cmocka_unit_test(several_chips_on_several_buses),
        cmocka_unit_test(raw_register_access),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
