/*
 * An I2C server for end-to-end tests of extwdctl: it owns one chip, keeps
 * the chip's clock in step with real time, and serves the shim's
 * transactions (i2cwire.h) over a unix socket. Backends: the fake bus
 * (MIT; the real chip core built for the host, the stock model, or an empty
 * bus) and chipsim (GPL-3; the real firmware ELF in simavr).
 *
 * It writes a log of what a test cannot see from the host side, one event a
 * line, in chip milliseconds since start: "<ms> feed", "<ms> reset".
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_I2C_SERVER_H
#define EXTWD_I2C_SERVER_H

#include <stddef.h>
#include <stdint.h>

struct i2c_backend {
    void *ctx;
    int (*write)(void *ctx, uint8_t addr, const uint8_t *buf, size_t len);
    int (*read)(void *ctx, uint8_t addr, uint8_t *buf, size_t len);
    /* Runs the chip until its clock reads us (no-op if it is already there). */
    void (*run_to)(void *ctx, uint64_t us);
    uint64_t (*now_us)(void *ctx);
    void (*close)(void *ctx);
};

/* Writes "<ms> <what>" to the log; backends call it for host resets. */
void server_log(uint64_t us, const char *what);

/* Serves until SIGTERM/SIGINT. Returns the process exit code. */
int server_main(struct i2c_backend *b, const char *socket_path, const char *log_path);

#endif /* EXTWD_I2C_SERVER_H */
