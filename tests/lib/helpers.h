/* Shared set-up for the libextwd tests: a fake bus with one chip on it,
 * the handle initialised on it, and transcript assertions.
 * SPDX-License-Identifier: MIT */
#ifndef EXTWD_TEST_HELPERS_H
#define EXTWD_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "extwd/extwd.h"
#include "fake_bus.h"
#include "fake_stock.h"

#define LOG_CAP 512u
#define A EXTWD_I2C_ADDR_DEFAULT

/* Asserts transcript record i is a write of the listed bytes to addr. */
#define ASSERT_W(bus, i, addr, ...)                                                    \
    do {                                                                               \
        static const uint8_t exp_[] = {__VA_ARGS__};                                   \
        if (!fake_xfer_is_write((bus), (i), (addr), exp_, sizeof exp_))                \
            fail_dump((bus), (i), "write");                                            \
    } while (0)

#define ASSERT_R(bus, i, addr, n)                                                      \
    do {                                                                               \
        if (!fake_xfer_is_read((bus), (i), (addr), (n)))                               \
            fail_dump((bus), (i), "read");                                             \
    } while (0)

/* Starts bus with its clock at start_ms and a transcript of LOG_CAP records
 * in log, puts the one device d on it and fills port to drive it. */
static inline void bus_with_device(struct fake_bus *bus, struct fake_xfer *log, uint32_t start_ms,
                                   const struct fake_device *d, struct extwd_port *port)
{
    fake_bus_init(bus, log, LOG_CAP, start_ms);
    fake_bus_attach(bus, d);
    fake_bus_port(bus, port);
}

/* extwd_init with the default configuration on port; the test fails
 * unless it returns 0. */
static inline void init_default(struct extwd *wd, struct extwd_port *port)
{
    struct extwd_config cfg = {.port = port};
    assert_int_equal(extwd_init(wd, &cfg), 0);
}

/* The same on a test file's fixture (any struct with .wd and .port). */
#define init_ok(f) init_default(&(f)->wd, &(f)->port)

static inline void fail_dump(const struct fake_bus *b, size_t i, const char *what)
{
    static char text[LOG_CAP * 120];
    fake_bus_dump(b, text, sizeof text);
    print_error("transcript record %zu is not the expected %s:\n%s", i, what, text);
    fail();
}

#endif /* EXTWD_TEST_HELPERS_H */
