/*
 * extwd_configure: a whole settings struct as one change, on the real chip
 * core (and the stock model). All of it lands or none of it: a value out of
 * range or a missing capability writes nothing, a longer timeout goes
 * before the pretimeout that needs it, and a single bus fault at any
 * transfer of the call (a write cut short, or one that landed and was
 * reported failed) leaves the chip with every new setting or every old one.
 * The same holds for the setters that write two registers
 * (extwd_set_bootloop, extwd_set_pretimeout_ms with the pin).
 *
 * SPDX-License-Identifier: MIT
 */
#include "chip_fixture.h"

/* Everything, with a timeout longer than the pretimeout needs now. */
static const struct extwd_settings all = {
    .set = EXTWD_SET_ALL, .timeout_ms = 10000, .pulse_ms = 200, .max_disarm_s = 60,
    .pretimeout_ms = 5000, .pretimeout_pin = 1, .window_ms = 500, .grace_s = 5,
    .busload_pct = 70, .bootloop_limit = 4, .healthy_s = 30, .keyed = 1,
};

static int has_all(const struct wd_settings *s)
{
    return s->timeout_ms == 10000 && s->pulse_ms == 200 && s->max_disarm_s == 60 &&
           s->pretimeout_ms == 5000 && s->window_ms == 500 && s->grace_s == 5 &&
           s->busload_pct == 70 && s->bootloop_limit == 4 && s->healthy_s == 30 &&
           s->options == (EXTWD_OPT_KEYED | EXTWD_OPT_PRETIMEOUT_PIN);
}

static void applies_everything_in_a_safe_order(void **state)
{
    (void)state;
    struct chip_fx *f = chip_fx_new(0, 2);
    /* 5000 ms of pretimeout needs the 10 s timeout first: the chip runs 3 s */
    assert_int_equal(f->chip.hw.core.set.timeout_ms, 3000);
    assert_int_equal(extwd_configure(&f->wd, &all), 0);
    assert_true(has_all(&f->chip.hw.core.set));
    /* the handle follows what it wrote */
    assert_int_equal(f->wd.window_ms, 500);
    assert_int_equal(f->wd.options & EXTWD_OPT_KEYED, EXTWD_OPT_KEYED);
    /* and a shorter timeout goes after the pretimeout that must stay below it */
    struct extwd_settings s = {.set = EXTWD_SET_TIMEOUT | EXTWD_SET_PRETIMEOUT, .timeout_ms = 2000,
                               .pretimeout_ms = 1000, .pretimeout_pin = 1};
    assert_int_equal(extwd_configure(&f->wd, &s), 0);
    assert_int_equal(f->chip.hw.core.set.timeout_ms, 2000);
    assert_int_equal(f->chip.hw.core.set.pretimeout_ms, 1000);
    test_free(f);
}

/* No write frame since the log began but a read's pointer frame ([reg] on
 * an extwd chip, [0x83, reg] on a stock one). */
static int wrote_nothing(const struct chip_fx *f)
{
    for (size_t i = 0; i < f->bus.log_len; i++) {
        const struct fake_xfer *x = &f->bus.log[i];
        if (!x->is_read && x->len > 1 && !(x->len == 2 && x->data[0] == EXTWD_CMD_SET_POINTER))
            return 0;
    }
    return 1;
}

static void a_bad_value_writes_nothing(void **state)
{
    (void)state;
    struct chip_fx *f = chip_fx_new(0, 2);
    struct wd_settings before = f->chip.hw.core.set;
    struct extwd_settings s = all;
    s.window_ms = 10000; /* not below the timeout it would run with */
    assert_int_equal(extwd_configure(&f->wd, &s), EXTWD_E_INVAL);
    s = all;
    s.busload_pct = 0;
    assert_int_equal(extwd_configure(&f->wd, &s), EXTWD_E_INVAL);
    s = all;
    s.set |= 0x8000u;
    assert_int_equal(extwd_configure(&f->wd, &s), EXTWD_E_INVAL);
    assert_true(wrote_nothing(f));
    assert_memory_equal(&before, &f->chip.hw.core.set, sizeof before);
    test_free(f);
}

static void stock_chip_gets_its_subset_or_nothing(void **state)
{
    (void)state;
    struct chip_fx *f = chip_fx_new(1, 2);
    uint8_t before[FAKE_STOCK_REGS];
    memcpy(before, f->stock.reg, sizeof before);
    assert_int_equal(extwd_configure(&f->wd, &all), EXTWD_E_NOTSUP);
    assert_true(wrote_nothing(f));
    assert_memory_equal(before, f->stock.reg, sizeof before);
    struct extwd_settings s = {.set = EXTWD_SET_TIMEOUT | EXTWD_SET_GRACE | EXTWD_SET_BUSLOAD,
                               .timeout_ms = 4500, .grace_s = 9, .busload_pct = 60};
    assert_int_equal(extwd_configure(&f->wd, &s), 0);
    assert_int_equal(f->stock.reg[EXTWD_REG_TIMEOUT_S], 5); /* rounded up */
    assert_int_equal(f->stock.reg[EXTWD_REG_GRACE_S], 9);
    assert_int_equal(f->stock.reg[EXTWD_REG_BUSLOAD_PCT], 60);
    test_free(f);
}

/* A change to make as one: the call, and whether the chip has all of it. */
struct change {
    const char *name;
    int (*call)(struct extwd *wd);
    int (*applied)(const struct wd_settings *s);
};

static int configure_all(struct extwd *wd)
{
    return extwd_configure(wd, &all);
}

/* The one-setting setters that write two registers (issue 10): the
 * boot-loop limit and healthy time, the pretimeout and its pin option. */
static int set_bootloop(struct extwd *wd)
{
    return extwd_set_bootloop(wd, 4, 30);
}

static int has_bootloop(const struct wd_settings *s)
{
    return s->bootloop_limit == 4 && s->healthy_s == 30;
}

static int set_pretimeout_pin(struct extwd *wd)
{
    return extwd_set_pretimeout_ms(wd, 500, 1);
}

static int has_pretimeout_pin(const struct wd_settings *s)
{
    return s->pretimeout_ms == 500 && s->options == EXTWD_OPT_PRETIMEOUT_PIN;
}

static const struct change changes[] = {
    {"extwd_configure", configure_all, has_all},
    {"extwd_set_pretimeout_ms", set_pretimeout_pin, has_pretimeout_pin},
    {"extwd_set_bootloop", set_bootloop, has_bootloop},
};

/* One fault at transfer k of the call, for every k: all or nothing. */
static void one_fault_anywhere_all_or_nothing(const struct change *c, enum faulty_kind kind)
{
    struct chip_fx *clean = chip_fx_new(0, 0);
    assert_int_equal(c->call(&clean->wd), 0);
    assert_true(c->applied(&clean->chip.hw.core.set));
    uint32_t n = clean->faulty.xfers;
    test_free(clean);
    assert_true(n >= 4);
    unsigned failed = 0;
    for (uint32_t k = 0; k < n; k++) {
        struct chip_fx *f = chip_fx_new(0, 0);
        struct wd_settings before = f->chip.hw.core.set;
        assert_false(c->applied(&before));
        faulty_schedule(&f->faulty, k, 1, kind);
        int r = c->call(&f->wd);
        if (r == 0) {
            if (!c->applied(&f->chip.hw.core.set))
                fail_msg("%s, fault %d at transfer %u of %u: 0 returned, not all applied", c->name,
                         kind, k, n);
        } else {
            failed++;
            if (memcmp(&before, &f->chip.hw.core.set, sizeof before))
                fail_msg("%s, fault %d at transfer %u of %u: %s returned, the chip was left half-set "
                         "(timeout %lu, pretimeout %u, options 0x%02x, boot-loop %u/%u s)",
                         c->name, kind, k, n, extwd_strerror(r),
                         (unsigned long)f->chip.hw.core.set.timeout_ms, f->chip.hw.core.set.pretimeout_ms,
                         f->chip.hw.core.set.options, f->chip.hw.core.set.bootloop_limit,
                         f->chip.hw.core.set.healthy_s);
        }
        test_free(f);
    }
    assert_true(failed > 0); /* the faults did hit */
}

static void a_write_cut_short_anywhere(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++)
        one_fault_anywhere_all_or_nothing(&changes[i], FAULTY_NACK_DATA);
}

static void a_write_that_landed_but_failed_anywhere(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++)
        one_fault_anywhere_all_or_nothing(&changes[i], FAULTY_TIMEOUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(applies_everything_in_a_safe_order),
        cmocka_unit_test(a_bad_value_writes_nothing),
        cmocka_unit_test(stock_chip_gets_its_subset_or_nothing),
        cmocka_unit_test(a_write_cut_short_anywhere),
        cmocka_unit_test(a_write_that_landed_but_failed_anywhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
