/* libextwd health channels against the real chip core on the fake bus:
 * feeding only while every channel checks in, the breadcrumb written before
 * feeding stops, deadlines across the 32-bit millisecond wrap, suspension
 * bounds, and the rebooted host naming the part that died.
 * SPDX-License-Identifier: MIT */
#include "helpers.h"
#include "fake_chip.h"
#include "faulty_port.h"

#define ID_LOOP 0xC1
#define ID_WIFI 0xC2

struct fx {
    struct fake_xfer log[LOG_CAP];
    struct fake_bus bus;
    struct fake_chip chip;
    struct extwd_port port;
    struct faulty_port faulty;
    struct extwd wd;
    struct extwd_channel loop, wifi;
};

static struct fx *setup_at(uint32_t start_ms, int faulty)
{
    struct fx *f = test_calloc(1, sizeof *f);
    fake_chip_power_up(&f->chip, NULL);
    struct fake_device d;
    fake_chip_device(&f->chip, &d);
    bus_with_device(&f->bus, f->log, start_ms, &d, &f->port);
    faulty_init(&f->faulty, &f->port, 7);
    init_default(&f->wd, faulty ? &f->faulty.port : &f->port);
    assert_int_equal(extwd_arm(&f->wd), 0);
    return f;
}

static void add_both(struct fx *f, uint32_t wifi_deadline_ms)
{
    assert_int_equal(extwd_channel_add(&f->wd, &f->loop, "loop", ID_LOOP, 500), 0);
    assert_int_equal(extwd_channel_add(&f->wd, &f->wifi, "wifi", ID_WIFI, wifi_deadline_ms), 0);
}

/* loop() every 10 ms for ms: "loop" checks in each pass, "wifi" only while
 * wifi_alive, then a feed. Returns the last extwd_feed result. */
static int run(struct fx *f, uint32_t ms, int wifi_alive)
{
    int r = 0;
    for (uint32_t t = 0; t < ms; t += 10) {
        assert_int_equal(extwd_checkin(&f->wd, &f->loop), 0);
        if (wifi_alive)
            assert_int_equal(extwd_checkin(&f->wd, &f->wifi), 0);
        r = extwd_feed(&f->wd);
        fake_bus_advance(&f->bus, 10);
    }
    return r;
}

static size_t count_feeds(const struct fake_bus *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->log_len; i++)
        if (!b->log[i].is_read && b->log[i].len == 1 && b->log[i].data[0] == EXTWD_CMD_FEED)
            n++;
    return n;
}

static void add_checks_its_arguments(void **state)
{
    (void)state;
    struct fx *f = setup_at(0, 0);
    struct extwd blank = {0};
    struct extwd_channel c;
    assert_int_equal(extwd_channel_add(&blank, &c, "x", 1, 100), EXTWD_E_STATE);
    assert_int_equal(extwd_channel_add(&f->wd, &c, "x", 0, 100), EXTWD_E_INVAL);
    assert_int_equal(extwd_channel_add(&f->wd, &c, "x", 1, 0), EXTWD_E_INVAL);
    assert_int_equal(extwd_channel_add(&f->wd, &c, "x", 1, EXTWD_CHANNEL_MS_MAX + 1u), EXTWD_E_INVAL);
    assert_int_equal(extwd_channel_add(&f->wd, &c, "x", 1, EXTWD_CHANNEL_MS_MAX), 0);
    assert_int_equal(extwd_channel_add(&f->wd, &c, "x", 2, 100), EXTWD_E_INVAL); /* twice */
    assert_int_equal(extwd_channel_add(&f->wd, &f->loop, "y", 1, 100), EXTWD_E_INVAL); /* id taken */
    assert_int_equal(extwd_checkin(&f->wd, &f->loop), EXTWD_E_STATE); /* not registered */
    assert_int_equal(extwd_channel_suspend(&f->wd, &f->loop, 100), EXTWD_E_STATE);
    assert_ptr_equal(extwd_channel_by_id(&f->wd, 1), &c);
    assert_null(extwd_channel_by_id(&f->wd, 2));
    test_free(f);
}

/* Both parts alive for a minute: fed every 100 ms as without channels. */
static void feeds_while_every_channel_checks_in(void **state)
{
    (void)state;
    struct fx *f = setup_at(0, 0);
    add_both(f, 2000);
    fake_bus_clear_log(&f->bus);
    run(f, 60000, 1);
    assert_int_equal(f->chip.hw.host_resets, 0);
    assert_null(extwd_missed_channel(&f->wd));
    assert_int_equal(f->wd.stats.feeds, 600u); /* arm's, then one each 100 ms */
    test_free(f);
}

/* WiFi dies while loop() runs on: the feed after its deadline writes its id
 * to BREADCRUMB instead of feeding, nothing is fed again, the chip resets
 * the host within deadline + feed interval + timeout, and the rebooted host
 * reads the breadcrumb and names the channel. */
static void missed_channel_writes_breadcrumb_then_stops(void **state)
{
    (void)state;
    struct fx *f = setup_at(0, 0);
    add_both(f, 2000);
    run(f, 5000, 1);
    uint32_t died = f->bus.now_ms; /* last check-in was 10 ms before */
    fake_bus_clear_log(&f->bus);
    int r = 0;
    while (f->chip.hw.host_resets == 0 && f->bus.now_ms - died < 20000)
        r = run(f, 10, 0);
    assert_int_equal(r, EXTWD_E_UNHEALTHY);
    assert_ptr_equal(extwd_missed_channel(&f->wd), &f->wifi);
    assert_int_equal(f->chip.hw.host_resets, 1);
    uint32_t reset_after = f->bus.now_ms - died;
    /* The last feed came at most one feed interval before the deadline. */
    assert_true(reset_after >= 2000u - 100u + EXTWD_DEFAULT_TIMEOUT_MS - 10u);
    assert_true(reset_after <= 2000u + 100u + EXTWD_DEFAULT_TIMEOUT_MS + 16u + 10u);

    /* The transcript: feeds until the deadline, then the breadcrumb, then
     * nothing: no feed, no second breadcrumb. */
    size_t crumb = (size_t)-1;
    for (size_t i = 0; i < f->bus.log_len; i++) {
        if (fake_xfer_is_write(&f->bus, i, A, (const uint8_t[]){EXTWD_REG_BREADCRUMB, ID_WIFI}, 2)) {
            assert_int_equal(crumb, (size_t)-1);
            crumb = i;
        }
    }
    assert_int_not_equal(crumb, (size_t)-1);
    assert_int_equal(crumb, f->bus.log_len - 1u);
    assert_true(count_feeds(&f->bus) >= 19u);
    assert_true(f->log[crumb].at_ms - (died - 10u) > 2000u);
    assert_true(f->log[crumb].at_ms - (died - 10u) <= 2000u + 100u);
    /* feed_now and arm's feed are gated too, and the program's own
     * breadcrumbs no longer overwrite the culprit's id. */
    assert_int_equal(extwd_feed_now(&f->wd), EXTWD_E_UNHEALTHY);
    assert_int_equal(extwd_arm(&f->wd), EXTWD_E_UNHEALTHY);
    assert_int_equal(extwd_breadcrumb(&f->wd, 5), EXTWD_E_UNHEALTHY);
    assert_int_equal(f->bus.log_len - 1u, crumb);

    /* The host reboots: a new handle, the same channels registered again. */
    fake_bus_advance(&f->bus, 200);
    struct extwd wd2;
    struct extwd_channel loop2, wifi2;
    init_default(&wd2, &f->port);
    assert_int_equal(extwd_reset_reason(&wd2), EXTWD_REASON_WATCHDOG);
    assert_int_equal(wd2.boot.breadcrumb, ID_WIFI);
    assert_int_equal(extwd_channel_add(&wd2, &loop2, "loop", ID_LOOP, 500), 0);
    assert_int_equal(extwd_channel_add(&wd2, &wifi2, "wifi", ID_WIFI, 2000), 0);
    const struct extwd_channel *c = extwd_channel_by_id(&wd2, wd2.boot.breadcrumb);
    assert_non_null(c);
    assert_string_equal(c->name, "wifi");
    test_free(f);
}

/* Without channels the same dead WiFi goes unnoticed: the host is fed and
 * never reset (the behaviour the channels fix). */
static void without_channels_a_dead_part_is_fed_forever(void **state)
{
    (void)state;
    struct fx *f = setup_at(0, 0);
    for (uint32_t t = 0; t < 120000; t += 10) {
        assert_true(extwd_feed(&f->wd) >= 0);
        fake_bus_advance(&f->bus, 10);
    }
    assert_int_equal(f->chip.hw.host_resets, 0);
    test_free(f);
}

/* The clock wraps in the middle of a deadline: a check-in 0x100 ms before
 * the wrap stays good until 2000 ms later, not at the wrap. */
static void deadlines_across_the_wrap(void **state)
{
    (void)state;
    struct fx *f = setup_at(0xFFFFF000u, 0);
    add_both(f, 2000);
    run(f, 3840, 1);                      /* to 0xFFFFFF00 */
    assert_int_equal(f->bus.now_ms, 0xFFFFFF00u);
    /* wifi's last check-in was at 0xFFFFFEF6; loop keeps going over the wrap. */
    run(f, 1900, 0);
    assert_true(f->bus.now_ms < 0x1000u); /* wrapped */
    assert_null(extwd_missed_channel(&f->wd));
    run(f, 200, 0);
    assert_ptr_equal(extwd_missed_channel(&f->wd), &f->wifi);
    uint32_t missed_at = 0;
    for (size_t i = 0; i < f->bus.log_len; i++)
        if (fake_xfer_is_write(&f->bus, i, A, (const uint8_t[]){EXTWD_REG_BREADCRUMB, ID_WIFI}, 2))
            missed_at = f->log[i].at_ms;
    assert_true(missed_at - 0xFFFFFEF6u > 2000u && missed_at - 0xFFFFFEF6u <= 2110u);
    test_free(f);
}

/* A suspension holds a channel for at most its bound; resume restores the
 * normal deadline; an unended suspension counts as a miss past its bound. */
static void suspend_is_bounded(void **state)
{
    (void)state;
    struct fx *f = setup_at(0, 0);
    add_both(f, 1000);
    assert_int_equal(extwd_channel_suspend(&f->wd, &f->wifi, 0), EXTWD_E_INVAL);
    assert_int_equal(extwd_channel_suspend(&f->wd, &f->wifi, EXTWD_CHANNEL_MS_MAX + 1u), EXTWD_E_INVAL);
    assert_int_equal(extwd_channel_suspend(&f->wd, &f->wifi, 10000), 0);
    assert_true(f->wifi.suspended);
    run(f, 9900, 0);                      /* ten times the deadline: fine */
    assert_null(extwd_missed_channel(&f->wd));
    assert_int_equal(extwd_channel_resume(&f->wd, &f->wifi), 0);
    assert_false(f->wifi.suspended);
    run(f, 900, 0);                       /* back to 1000 ms */
    assert_null(extwd_missed_channel(&f->wd));
    run(f, 300, 0);                       /* a due feed past 1000 ms */
    assert_ptr_equal(extwd_missed_channel(&f->wd), &f->wifi);
    test_free(f);

    f = setup_at(0, 0);
    add_both(f, 1000);
    assert_int_equal(extwd_channel_suspend(&f->wd, &f->wifi, 3000), 0);
    run(f, 2950, 0);
    assert_null(extwd_missed_channel(&f->wd));
    run(f, 300, 0);                       /* never resumed: missed past 3000 */
    assert_ptr_equal(extwd_missed_channel(&f->wd), &f->wifi);
    test_free(f);
}

/* The breadcrumb write fails on the bus: no feed goes out instead, and the
 * next due feed writes the breadcrumb again until it lands. */
static void breadcrumb_retried_until_it_lands(void **state)
{
    (void)state;
    struct fx *f = setup_at(0, 1);
    add_both(f, 1000);
    run(f, 1000, 1);
    fake_bus_clear_log(&f->bus);
    /* Until the miss, the next transfer always fails: the miss's own
     * breadcrumb write is the last one failed. */
    while (!extwd_missed_channel(&f->wd)) {
        faulty_schedule(&f->faulty, f->faulty.xfers, 1, FAULTY_NACK_ADDR);
        run(f, 10, 0);
    }
    faulty_schedule(&f->faulty, 0, 0, FAULTY_NONE);
    assert_true(f->faulty.injected[FAULTY_NACK_ADDR] >= 10u);
    assert_int_equal(f->bus.log_len, 0);  /* the failed write never reached the bus */
    assert_false(f->wd.missed_crumb_done);
    run(f, 100, 0);                       /* next due feed: the breadcrumb again */
    assert_int_equal(f->bus.log_len, 1);
    ASSERT_W(&f->bus, 0, A, EXTWD_REG_BREADCRUMB, ID_WIFI);
    assert_true(f->wd.missed_crumb_done);
    run(f, 1000, 0);
    assert_int_equal(f->bus.log_len, 1);  /* and then silence */
    test_free(f);
}

/* After a miss the host can still see the reset coming: the chip's
 * pretimeout bit rises PRETIMEOUT_MS before the reset. */
static void pretimeout_warns_before_the_reset(void **state)
{
    (void)state;
    struct fx *f = setup_at(0, 0);
    assert_int_equal(extwd_set_pretimeout_ms(&f->wd, 500, 0), 0);
    add_both(f, 1000);
    run(f, 1000, 1);
    assert_int_equal(extwd_pretimeout_pending(&f->wd), 0);
    int r = 0, saw = 0;
    uint32_t first_warn = 0;
    while (f->chip.hw.host_resets == 0 && f->bus.now_ms < 10000) {
        r = run(f, 10, 0);
        if (!saw && extwd_missed_channel(&f->wd) && extwd_pretimeout_pending(&f->wd) == 1) {
            saw = 1;
            first_warn = f->bus.now_ms;
        }
    }
    assert_int_equal(r, EXTWD_E_UNHEALTHY);
    assert_true(saw);
    assert_int_equal(f->chip.hw.host_resets, 1);
    /* The warning came within the last 500 ms (+ one loop pass) before the reset. */
    assert_true(f->bus.now_ms - first_warn <= 500u + 10u + 16u);
    test_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(add_checks_its_arguments),
        cmocka_unit_test(feeds_while_every_channel_checks_in),
        cmocka_unit_test(missed_channel_writes_breadcrumb_then_stops),
        cmocka_unit_test(without_channels_a_dead_part_is_fed_forever),
        cmocka_unit_test(deadlines_across_the_wrap),
        cmocka_unit_test(suspend_is_bounded),
        cmocka_unit_test(breadcrumb_retried_until_it_lands),
        cmocka_unit_test(pretimeout_warns_before_the_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
