/* Shared set-up for the libextwd tests: a fake bus with one chip on it.
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

static inline void fail_dump(const struct fake_bus *b, size_t i, const char *what)
{
    static char text[LOG_CAP * 120];
    fake_bus_dump(b, text, sizeof text);
    print_error("transcript record %zu is not the expected %s:\n%s", i, what, text);
    fail();
}

#endif /* EXTWD_TEST_HELPERS_H */
