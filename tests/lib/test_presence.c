/* libextwd with a missing, late or flaky chip (the real core on the fake
 * bus, faults from the faulty port): a bounded probe at init, no bus traffic
 * and no error storm without a chip, a late chip found by the re-probe
 * backoff, and a chip that is there but missed the probe never left armed
 * and unfed. These use only the API that existed before presence handling,
 * so they ran (and failed) against the old library too.
 * SPDX-License-Identifier: MIT */
#include "helpers.h"
#include "fake_chip.h"
#include "faulty_port.h"

struct fx {
    struct fake_xfer log[LOG_CAP];
    struct fake_bus bus;
    struct fake_chip chip;
    struct fake_device dev;
    struct extwd_port port;
    struct faulty_port faulty;
    struct extwd wd;
};

/* A bus with the chip powered up but not attached yet. */
static struct fx *setup_fx(void)
{
    struct fx *f = test_calloc(1, sizeof *f);
    fake_chip_power_up(&f->chip, NULL);
    fake_chip_device(&f->chip, &f->dev);
    fake_bus_init(&f->bus, f->log, LOG_CAP, 1000);
    fake_bus_port(&f->bus, &f->port);
    return f;
}

static void attach(struct fx *f)
{
    assert_int_equal(fake_bus_attach(&f->bus, &f->dev), 0);
}

/* Arms the chip from another handle, as a previous boot of the host did. */
static void arm_from_elsewhere(struct fx *f)
{
    struct extwd other;
    init_default(&other, &f->port);
    assert_int_equal(extwd_arm(&other), 0);
    fake_bus_clear_log(&f->bus);
}

/* A main loop: extwd_feed every loop_ms for ms. Returns the number of
 * calls that returned a negative code. */
static uint32_t run_loop(struct fx *f, uint32_t ms, uint32_t loop_ms)
{
    uint32_t errors = 0;
    for (uint32_t t = 0; t < ms; t += loop_ms) {
        if (extwd_feed(&f->wd) < 0)
            errors++;
        fake_bus_advance(&f->bus, loop_ms);
    }
    return errors;
}

static void absent_chip_probes_three_times_5ms_apart(void **state)
{
    (void)state;
    struct fx *f = setup_fx();
    struct extwd_config cfg = {.port = &f->port};
    assert_int_equal(extwd_init(&f->wd, &cfg), EXTWD_E_NODEV);
    assert_int_equal(f->bus.xfers, 3);              /* one pointer write per try */
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(f->log[i].result, EXTWD_E_NODEV);
        assert_int_equal(f->log[i].at_ms, 1000u + 5u * i);
    }
    test_free(f);
}

/* Ten minutes of a 10 ms loop without a chip: the only transfers are the
 * re-probes at 1, 2, 4, 8, then 16 s intervals, and extwd_feed reports an
 * error only when one of them failed (not on each of the 60 000 calls). */
static void absent_chip_costs_no_bus_and_backs_off(void **state)
{
    (void)state;
    struct fx *f = setup_fx();
    struct extwd_config cfg = {.port = &f->port};
    assert_int_equal(extwd_init(&f->wd, &cfg), EXTWD_E_NODEV);
    fake_bus_clear_log(&f->bus);
    uint32_t errors = run_loop(f, 600000, 10);
    /* Probes at 1, 3, 7, 15, then 31, 47, ..., 591 s: 4 + 36 = 40. */
    assert_int_equal(errors, 40);
    assert_int_equal(f->bus.xfers, 40);
    assert_int_equal(f->log[0].at_ms, 1010u + 1000u);
    assert_int_equal(f->log[3].at_ms - f->log[2].at_ms, 8000u);
    assert_int_equal(f->log[4].at_ms - f->log[3].at_ms, 16000u);
    assert_int_equal(f->log[39].at_ms - f->log[38].at_ms, 16000u);

    /* A longer backoff, for hosts without the chip that want minutes. */
    struct fx *g = setup_fx();
    cfg = (struct extwd_config){.port = &g->port, .reprobe_max_ms = 120000};
    assert_int_equal(extwd_init(&g->wd, &cfg), EXTWD_E_NODEV);
    fake_bus_clear_log(&g->bus);
    /* 1, 3, 7, 15, 31, 63, 127, 247, 367, 487: 10. */
    assert_int_equal(run_loop(g, 600000, 10), 10);
    cfg.reprobe_max_ms = 999;
    assert_int_equal(extwd_init(&g->wd, &cfg), EXTWD_E_INVAL);
    cfg.reprobe_max_ms = 600001;
    assert_int_equal(extwd_init(&g->wd, &cfg), EXTWD_E_INVAL);
    test_free(g);
    test_free(f);
}

/* The chip is powered 20 s after the host started, armed by its factory
 * settings with its 20 s power-up grace: it is found by a re-probe within
 * the grace, identified, fed at once and from then on; no reset follows. */
static void late_chip_is_found_and_fed(void **state)
{
    (void)state;
    struct fx *f = setup_fx();
    struct extwd_config cfg = {.port = &f->port};
    assert_int_equal(extwd_init(&f->wd, &cfg), EXTWD_E_NODEV);
    run_loop(f, 20000, 10);
    fake_chip_power_up(&f->chip, NULL);
    attach(f);
    uint32_t errors = run_loop(f, 60000, 10);
    assert_int_equal(errors, 0);
    assert_true(f->wd.is_extwd);
    assert_int_equal(f->chip.hw.host_resets, 0);
    assert_true(f->wd.stats.feeds > 400);
    test_free(f);
}

/* A chip that is there but missed the probe (its address NACKed through all
 * three tries: a bus held by something else for 15 ms) and was left armed by
 * the previous boot: the next re-probe finds it within a second, before its
 * 3 s timeout. */
static void chip_that_missed_the_probe_is_fed(void **state)
{
    (void)state;
    struct fx *f = setup_fx();
    attach(f);
    arm_from_elsewhere(f);
    faulty_init(&f->faulty, &f->port, 1);
    faulty_schedule(&f->faulty, 0, 3, FAULTY_NACK_ADDR);
    struct extwd_config cfg = {.port = &f->faulty.port};
    assert_int_equal(extwd_init(&f->wd, &cfg), EXTWD_E_NODEV);
    assert_int_equal(run_loop(f, 30000, 10), 0);
    assert_int_equal(f->chip.hw.host_resets, 0);
    assert_true(f->wd.is_extwd);
    test_free(f);
}

/* A chip answering only every other transfer can never be read (each read
 * is a pointer write and a read: the read always lands on the odd turn),
 * so it is never identified; it is armed, and blind feeds keep it fed. */
static void chip_answering_every_other_transfer_is_kept_fed(void **state)
{
    (void)state;
    struct fx *f = setup_fx();
    attach(f);
    arm_from_elsewhere(f);
    faulty_init(&f->faulty, &f->port, 1);
    faulty_every(&f->faulty, 2, FAULTY_NACK_DATA);
    struct extwd_config cfg = {.port = &f->faulty.port, .retries = 2};
    assert_true(extwd_init(&f->wd, &cfg) < 0);
    run_loop(f, 60000, 10);
    assert_int_equal(f->chip.hw.host_resets, 0);
    test_free(f);
}

/* The same flaky chip as a sketch meets it: powered with its factory
 * settings (armed, 20 s grace), init fails, the sketch calls extwd_arm and
 * then feeds in its loop for two minutes, well past the grace and the 3 s
 * timeout. The library must keep it fed: the chip is still armed at the
 * end (so no reset is not just a chip the cut frames disarmed), its
 * countdown is fresh, and it never reset the host. */
static void flaky_chip_armed_by_sketch_is_never_left_unfed(void **state)
{
    (void)state;
    struct fx *f = setup_fx();
    attach(f);
    faulty_init(&f->faulty, &f->port, 1);
    faulty_every(&f->faulty, 2, FAULTY_NACK_DATA);
    struct extwd_config cfg = {.port = &f->faulty.port, .retries = 2};
    assert_true(extwd_init(&f->wd, &cfg) < 0);
    (void)extwd_arm(&f->wd);
    run_loop(f, 120000, 10);
    assert_int_equal(f->chip.hw.host_resets, 0);
    assert_int_equal(f->chip.hw.core.set.action, 1);
    assert_int_equal(f->chip.hw.core.grace_t, 0);
    assert_true(f->wd.stats.feeds > 100);
    assert_true(f->chip.hw.core.since_t * WD_TICK_MS < f->chip.hw.core.set.timeout_ms);
    test_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(absent_chip_probes_three_times_5ms_apart),
        cmocka_unit_test(absent_chip_costs_no_bus_and_backs_off),
        cmocka_unit_test(late_chip_is_found_and_fed),
        cmocka_unit_test(chip_that_missed_the_probe_is_fed),
        cmocka_unit_test(chip_answering_every_other_transfer_is_kept_fed),
        cmocka_unit_test(flaky_chip_armed_by_sketch_is_never_left_unfed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
