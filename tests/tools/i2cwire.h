/*
 * The message format between the i2c-dev shim (LD_PRELOAD into extwdctl) and
 * an I2C server that owns the chip (a fake one, or the real firmware in
 * simavr). One SOCK_SEQPACKET message per transaction, each way.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_I2CWIRE_H
#define EXTWD_I2CWIRE_H

#include <stdint.h>

#define I2CWIRE_MAX 256u

struct i2cwire_req {
    uint8_t op;          /* 'W' write, 'R' read */
    uint8_t addr;
    uint16_t len;
    uint8_t data[I2CWIRE_MAX];
};

struct i2cwire_rsp {
    int8_t result;       /* 0, EXTWD_E_NODEV, EXTWD_E_IO */
    uint8_t pad;
    uint16_t len;
    uint8_t data[I2CWIRE_MAX];
};

#endif /* EXTWD_I2CWIRE_H */
