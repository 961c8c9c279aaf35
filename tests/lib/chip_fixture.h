/* A fixture for libextwd tests on the real chip core (or the stock model)
 * behind a faulty port on the fake bus: the handle initialised, transcript
 * and fault counter cleared. Tests that include it link extwd_fakechip.
 * SPDX-License-Identifier: MIT */
#ifndef EXTWD_TEST_CHIP_FIXTURE_H
#define EXTWD_TEST_CHIP_FIXTURE_H

#include "helpers.h"
#include "fake_chip.h"
#include "faulty_port.h"

struct chip_fx {
    struct fake_xfer log[LOG_CAP];
    struct fake_bus bus;
    struct fake_chip chip;
    struct fake_stock stock;
    struct extwd_port inner;
    struct faulty_port faulty;
    struct extwd wd;
    int is_stock;
};

/* A stock chip or the core at factory settings, the bus clock at start_ms,
 * the faulty port seeded with seed, the handle on it with retries extra
 * attempts; test_free it. */
static inline struct chip_fx *chip_fx_open(int stock, uint8_t retries, uint32_t start_ms,
                                           uint32_t seed)
{
    struct chip_fx *f = test_calloc(1, sizeof *f);
    struct fake_device d;
    f->is_stock = stock;
    if (stock) {
        fake_stock_power_up(&f->stock);
        fake_stock_device(&f->stock, &d);
    } else {
        fake_chip_power_up(&f->chip, NULL);
        fake_chip_device(&f->chip, &d);
    }
    bus_with_device(&f->bus, f->log, start_ms, &d, &f->inner);
    faulty_init(&f->faulty, &f->inner, seed);
    struct extwd_config cfg = {.port = &f->faulty.port, .retries = retries};
    assert_int_equal(extwd_init(&f->wd, &cfg), 0);
    fake_bus_clear_log(&f->bus);
    faulty_reset_count(&f->faulty);
    return f;
}

/* The same at 1 s on the bus clock, seed 1. */
static inline struct chip_fx *chip_fx_new(int stock, uint8_t retries)
{
    return chip_fx_open(stock, retries, 1000, 1);
}

#endif
