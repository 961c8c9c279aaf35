/* libextwd under bus faults (the faulty port around the fake bus): the long
 * operation restores the chip on every error path, retries are bounded,
 * every failed transfer is counted, replies that cannot be true are re-read.
 * SPDX-License-Identifier: MIT */
#include "chip_fixture.h"

/* The bus clock starts 4096 ms before the 32-bit wrap, so runs cross it. */
static struct chip_fx *setup_seeded(int stock, uint8_t retries, uint32_t seed)
{
    return chip_fx_open(stock, retries, 0xFFFFF000u, seed);
}

static struct chip_fx *setup_fx(int stock, uint8_t retries)
{
    return setup_seeded(stock, retries, 12345);
}

static uint32_t chip_timeout_ms(const struct chip_fx *f)
{
    return f->is_stock ? 1000u * f->stock.reg[6] : f->chip.hw.core.set.timeout_ms;
}

static uint8_t chip_action(const struct chip_fx *f)
{
    return f->is_stock ? f->stock.reg[7] : f->chip.hw.core.set.action;
}

static uint32_t host_resets(const struct chip_fx *f)
{
    return f->is_stock ? f->stock.host_resets : f->chip.hw.host_resets;
}

/* begin, three chunks, end; an end that failed is called once more (the
 * fault was a single one). Returns how many transfers it made. */
static uint32_t longop_run(struct chip_fx *f, int *begin_r)
{
    struct extwd_longop op = {0};
    faulty_reset_count(&f->faulty);
    /* the schedule is set by the caller after this reset: see longop_every_fault */
    *begin_r = extwd_longop_begin(&f->wd, &op, 20000);
    if (*begin_r == 0) {
        for (int i = 0; i < 3; i++) {
            fake_bus_advance(&f->bus, 2500);
            (void)extwd_longop_step(&f->wd, &op);
        }
        if (extwd_longop_end(&f->wd, &op) != 0 && op.active)
            assert_int_equal(extwd_longop_end(&f->wd, &op), 0);
    }
    assert_false(op.active);
    return f->faulty.xfers;
}

static void longop_every_fault(int stock, enum faulty_kind kind)
{
    /* A clean run first, to know how many transfers there are to break. */
    struct chip_fx *f = setup_fx(stock, 0);
    assert_int_equal(extwd_set_timeout_ms(&f->wd, 3000), 0);
    assert_int_equal(extwd_arm(&f->wd), 0);
    int br;
    uint32_t n = longop_run(f, &br);
    assert_int_equal(br, 0);
    test_free(f);
    assert_true(n > 8);

    /* A corrupt byte lands on a random bit: try several. */
    uint32_t injected = 0, begin_failures = 0, seeds = kind == FAULTY_CORRUPT ? 16 : 1;
    for (uint32_t k = 0; k < n * seeds; k++) {
        f = setup_seeded(stock, 0, 1 + k / n); /* no retries: every fault surfaces */
        assert_int_equal(extwd_set_timeout_ms(&f->wd, 3000), 0);
        assert_int_equal(extwd_arm(&f->wd), 0);
        struct extwd_longop op = {0};
        faulty_reset_count(&f->faulty);
        faulty_schedule(&f->faulty, k % n, 1, kind);
        int r = extwd_longop_begin(&f->wd, &op, 20000);
        if (r == 0) {
            for (int i = 0; i < 3; i++) {
                fake_bus_advance(&f->bus, 2500);
                (void)extwd_longop_step(&f->wd, &op);
            }
            /* An end that could not restore keeps the op active: end again. */
            if (extwd_longop_end(&f->wd, &op) != 0 && op.active)
                assert_int_equal(extwd_longop_end(&f->wd, &op), 0);
        } else {
            begin_failures++;
            assert_false(op.active);
        }
        assert_false(op.active);
        fake_bus_advance(&f->bus, 100);
        /* Whatever broke and where: the chip is as it was. */
        if (chip_timeout_ms(f) != 3000 || chip_action(f) != 1 || host_resets(f) != 0)
            fail_msg("%s, fault %d at transfer %u (seed %u): timeout %u, action %u, resets %u",
                     stock ? "stock" : "extwd", kind, k % n, 1 + k / n, chip_timeout_ms(f),
                     chip_action(f), host_resets(f));
        injected += faulty_total(&f->faulty);
        test_free(f);
    }
    /* Every transfer was hit (corruption only hits reads). */
    if (kind != FAULTY_CORRUPT)
        assert_int_equal(injected, n);
    else
        assert_true(injected > 0);
    print_message("%s fault %d: %u transfers, %u faults, begin failed %u times\n",
                  stock ? "stock" : "extwd", kind, n, injected, begin_failures);
}

static void longop_restores_extwd_nack_addr(void **s) { (void)s; longop_every_fault(0, FAULTY_NACK_ADDR); }
static void longop_restores_extwd_nack_data(void **s) { (void)s; longop_every_fault(0, FAULTY_NACK_DATA); }
static void longop_restores_extwd_timeout(void **s) { (void)s; longop_every_fault(0, FAULTY_TIMEOUT); }
static void longop_restores_extwd_corrupt(void **s) { (void)s; longop_every_fault(0, FAULTY_CORRUPT); }
static void longop_restores_stock_nack_addr(void **s) { (void)s; longop_every_fault(1, FAULTY_NACK_ADDR); }
static void longop_restores_stock_nack_data(void **s) { (void)s; longop_every_fault(1, FAULTY_NACK_DATA); }
static void longop_restores_stock_timeout(void **s) { (void)s; longop_every_fault(1, FAULTY_TIMEOUT); }
static void longop_restores_stock_corrupt(void **s) { (void)s; longop_every_fault(1, FAULTY_CORRUPT); }

static void retries_are_bounded_and_counted(void **state)
{
    (void)state;
    struct chip_fx *f = setup_fx(0, 3);
    faulty_reset_count(&f->faulty);
    faulty_schedule(&f->faulty, 0, 1000000, FAULTY_NACK_ADDR); /* the chip is gone */
    struct extwd_state st;
    struct { const char *what; int r; } calls[5];
    uint32_t before = f->faulty.xfers;
    calls[0].r = extwd_feed_now(&f->wd);
    assert_int_equal(f->faulty.xfers - before, 4);   /* 1 + 3 retries, no more */
    before = f->faulty.xfers;
    calls[1].r = extwd_get_state(&f->wd, &st);
    assert_int_equal(f->faulty.xfers - before, 4);
    before = f->faulty.xfers;
    calls[2].r = extwd_set_timeout_ms(&f->wd, 5000);
    assert_int_equal(f->faulty.xfers - before, 4);
    before = f->faulty.xfers;
    calls[3].r = extwd_disarm(&f->wd);
    assert_int_equal(f->faulty.xfers - before, 4);
    fake_bus_advance(&f->bus, 200);
    before = f->faulty.xfers;
    calls[4].r = extwd_feed(&f->wd);
    assert_int_equal(f->faulty.xfers - before, 4);
    for (int i = 0; i < 5; i++)
        assert_int_equal(calls[i].r, EXTWD_E_NODEV);
    assert_int_equal(f->wd.stats.bus_errors, 20);
    assert_int_equal(f->wd.stats.retries, 15);
    assert_int_equal(f->wd.stats.feeds, 0);

    /* Data faults: EXTWD_E_IO, just as bounded. */
    faulty_reset_count(&f->faulty);
    faulty_schedule(&f->faulty, 0, 1000000, FAULTY_TIMEOUT);
    before = f->faulty.xfers;
    assert_int_equal(extwd_set_grace_s(&f->wd, 10), EXTWD_E_IO);
    assert_int_equal(f->faulty.xfers - before, 4);
    test_free(f);
}

static void one_fault_is_absorbed_by_a_retry(void **state)
{
    (void)state;
    for (int kind = FAULTY_NACK_ADDR; kind <= FAULTY_TIMEOUT; kind++) {
        for (uint32_t k = 0; k < 6; k++) {
            struct chip_fx *f = setup_fx(0, 1);
            faulty_reset_count(&f->faulty);
            faulty_schedule(&f->faulty, k, 1, (enum faulty_kind)kind);
            assert_int_equal(extwd_set_timeout_ms(&f->wd, 4000), 0);
            assert_int_equal(f->chip.hw.core.set.timeout_ms, 4000);
            assert_int_equal(f->wd.stats.bus_errors, faulty_total(&f->faulty));
            test_free(f);
        }
    }
}

static void every_failed_transfer_is_counted(void **state)
{
    (void)state;
    struct chip_fx *f = setup_fx(0, 2);
    assert_int_equal(extwd_arm(&f->wd), 0);
    uint32_t errors_before = f->wd.stats.bus_errors;
    faulty_reset_count(&f->faulty);
    for (int k = FAULTY_NACK_ADDR; k < FAULTY_KINDS; k++)
        faulty_set_rate(&f->faulty, (enum faulty_kind)k, 2621); /* 4% each */
    struct extwd_state st;
    int ok = 0;
    for (int i = 0; i < 6000; i++) {
        int r = extwd_feed(&f->wd);
        assert_true(r == 0 || r == 1 || r == EXTWD_E_IO || r == EXTWD_E_NODEV);
        if (i % 50 == 0) {
            r = extwd_get_state(&f->wd, &st);
            assert_true(r == 0 || r == EXTWD_E_IO || r == EXTWD_E_NODEV || r == EXTWD_E_PROTO);
            ok += r == 0;
        }
        fake_bus_advance(&f->bus, 10);
    }
    uint32_t transfer_failures = f->faulty.injected[FAULTY_NACK_ADDR] +
                                 f->faulty.injected[FAULTY_NACK_DATA] +
                                 f->faulty.injected[FAULTY_TIMEOUT];
    assert_true(transfer_failures > 100);
    assert_int_equal(f->wd.stats.bus_errors - errors_before, transfer_failures);
    assert_int_equal(f->chip.hw.host_resets, 0);          /* 60 s of 4%-per-kind faults */
    assert_true(ok > 100);
    print_message("%u failed transfers counted, %u retries, %u corrupt replies, %d/120 states read\n",
                  transfer_failures, f->wd.stats.retries, f->faulty.injected[FAULTY_CORRUPT], ok);
    test_free(f);
}

static void impossible_replies_are_read_again(void **state)
{
    (void)state;
    struct chip_fx *f = setup_fx(0, 2);
    struct extwd_state st;
    int proto = 0, good = 0;
    faulty_set_rate(&f->faulty, FAULTY_CORRUPT, 16384); /* a quarter of all reads */
    for (int i = 0; i < 400; i++) {
        int r = extwd_get_state(&f->wd, &st);
        assert_true(r == 0 || r == EXTWD_E_PROTO);
        if (r == 0) {
            good++;
            /* What the checks cover is never wrong when the call succeeds. */
            assert_true(st.armed <= 1);
            assert_true(st.timeout_ms == 0 || (st.timeout_ms >= 100 && st.timeout_ms <= 600000));
        } else {
            proto++;
        }
    }
    assert_true(good > 300);
    assert_true(f->wd.stats.retries > 0);
    print_message("get_state under 25%% corrupt reads: %d ok, %d EXTWD_E_PROTO, %u re-reads\n",
                  good, proto, f->wd.stats.retries);
    test_free(f);
}

static void init_under_faults_returns_codes(void **state)
{
    (void)state;
    for (uint32_t seed = 1; seed <= 300; seed++) {
        struct chip_fx *f = test_calloc(1, sizeof *f);
        fake_bus_init(&f->bus, NULL, 0, seed * 7919u);
        fake_chip_power_up(&f->chip, NULL);
        struct fake_device d;
        fake_chip_device(&f->chip, &d);
        fake_bus_attach(&f->bus, &d);
        fake_bus_port(&f->bus, &f->inner);
        faulty_init(&f->faulty, &f->inner, seed);
        for (int k = FAULTY_NACK_ADDR; k < FAULTY_KINDS; k++)
            faulty_set_rate(&f->faulty, (enum faulty_kind)k, 3000);
        struct extwd_config cfg = {.port = &f->faulty.port, .retries = (uint8_t)(seed % 3)};
        int r = extwd_init(&f->wd, &cfg);
        assert_true(r == 0 || r == EXTWD_E_IO || r == EXTWD_E_NODEV || r == EXTWD_E_PROTO);
        if (r)
            assert_int_equal(f->wd.boot.reason, EXTWD_REASON_UNKNOWN);
        assert_int_equal(f->chip.hw.persist.status & 1, 0); /* nothing was fed or written */
        assert_int_equal(f->chip.hw.core.set.action, 1);
        test_free(f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(longop_restores_extwd_nack_addr),
        cmocka_unit_test(longop_restores_extwd_nack_data),
        cmocka_unit_test(longop_restores_extwd_timeout),
        cmocka_unit_test(longop_restores_extwd_corrupt),
        cmocka_unit_test(longop_restores_stock_nack_addr),
        cmocka_unit_test(longop_restores_stock_nack_data),
        cmocka_unit_test(longop_restores_stock_timeout),
        cmocka_unit_test(longop_restores_stock_corrupt),
        cmocka_unit_test(retries_are_bounded_and_counted),
        cmocka_unit_test(one_fault_is_absorbed_by_a_retry),
        cmocka_unit_test(every_failed_transfer_is_counted),
        cmocka_unit_test(impossible_replies_are_read_again),
        cmocka_unit_test(init_under_faults_returns_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
