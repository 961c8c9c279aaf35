/*
 * A program built against the installed libextwd through pkg-config (the
 * install test): it drives the library on a port of its own that answers
 * like an empty bus, and checks what the library says.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "extwd/extwd.h"
#include "extwd_linux.h"

static int no_chip_write(void *ctx, uint8_t addr, const uint8_t *buf, size_t len)
{
    (void)ctx, (void)addr, (void)buf, (void)len;
    return EXTWD_E_NODEV;
}

static int no_chip_read(void *ctx, uint8_t addr, uint8_t *buf, size_t len)
{
    (void)ctx, (void)addr, (void)buf, (void)len;
    return EXTWD_E_NODEV;
}

static uint32_t zero_ms(void *ctx)
{
    (void)ctx;
    return 0;
}

int main(void)
{
    struct extwd_port port = {.write = no_chip_write, .read = no_chip_read, .millis = zero_ms};
    struct extwd_config cfg = {.port = &port, .addr = EXTWD_I2C_ADDR_DEFAULT};
    struct extwd wd;
    int r = extwd_init(&wd, &cfg);
    struct extwd_linux lx;
    char err[128];
    int o = extwd_linux_open(&lx, "/nonexistent/i2c-bus", err, sizeof err);
    printf("init: %s; open: %s\n", extwd_strerror(r), err);
    return r == EXTWD_E_NODEV && o == EXTWD_E_NODEV && strstr(err, "No such file") ? 0 : 1;
}
