/*
 * Linux i2c-dev port for libextwd: every transaction is one I2C_RDWR ioctl
 * (so no I2C_SLAVE address binding, and several chips on one bus work), the
 * clock is CLOCK_MONOTONIC.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_LINUX_H
#define EXTWD_LINUX_H

#include <stddef.h>
#include "extwd/extwd.h"

struct extwd_linux {
    int fd;
    struct extwd_port port;    /* hand &port to extwd_init */
    int last_errno;            /* errno of the last failed transfer */
};

/* Opens the bus at path (e.g. "/dev/i2c-1") and checks that it can do plain
 * I2C transfers. On failure writes a one-line reason naming the path into
 * err. Returns 0, EXTWD_E_NODEV if the path cannot be opened, or
 * EXTWD_E_NOTSUP if it is not an I2C bus or cannot do I2C_RDWR. */
int extwd_linux_open(struct extwd_linux *lx, const char *path, char *err, size_t errlen);

/* Closes the bus. */
void extwd_linux_close(struct extwd_linux *lx);

#endif /* EXTWD_LINUX_H */
