/*
 * i2c_master: a bit-level I2C master on two simulated open-drain lines, timed
 * in CPU cycles of the simulated chip. It behaves like the ESP8266 Arduino
 * software master: SCL low and high for half a period each, data changed a
 * quarter period into the low phase, and after releasing SCL it waits for the
 * line to read high (clock stretching), giving up after the stretch limit.
 *
 * The master does not own time: it asks its owner to run the chip until a
 * cycle or until a line reaches a level (struct i2c_bus_ops).
 *
 * This file links libsimavr (GPL-3): binaries that include it are GPL-3.
 */
#ifndef EXTWD_SIM_I2C_MASTER_H
#define EXTWD_SIM_I2C_MASTER_H

#include <stddef.h>
#include <stdint.h>

#define I2C_SDA 0
#define I2C_SCL 1

/* Longest wait for SCL when the stretch limit is "never": the SMBus timeout. */
#define I2C_STUCK_US 25000u

/* What the master needs from the simulation. */
struct i2c_bus_ops {
    /* The master pulls line low (1) or releases it (0). */
    void (*pull)(void *ctx, int line, int low);
    /* Returns the line's level now. */
    int (*level)(void *ctx, int line);
    /* Returns the clock in CPU cycles. */
    uint64_t (*now)(void *ctx);
    /* Runs the chip until cycle until, or until done(arg) returns nonzero
     * (done may be NULL). Returns 1 if done, 0 at the deadline, or a negative
     * CHIPSIM_E_* code. */
    int (*run)(void *ctx, uint64_t until, int (*done)(void *arg), void *arg);
};

struct i2c_master {
    const struct i2c_bus_ops *ops;
    void *ctx;
    uint64_t half;          /* half an SCL period, cycles */
    uint64_t quarter;
    uint64_t stretch_limit; /* cycles */
    int stretch_never;      /* no limit: a stuck line gives CHIPSIM_E_BUS after I2C_STUCK_US */
    uint32_t freq;
    uint64_t bytes;         /* bytes that completed, address bytes included */
    uint64_t max_stretch;   /* cycles */
    uint64_t stretches;     /* SCL releases that found the line held low */
    uint64_t last_stop;     /* cycle of the last STOP condition */
};

/* Sets up m for a chip clocked at freq Hz, bus at hz, stretch limit in us
 * (UINT32_MAX = never). Returns 0, or -1 if hz is too fast for freq. */
int i2c_master_init(struct i2c_master *m, const struct i2c_bus_ops *ops, void *ctx,
                    uint32_t freq, uint32_t hz, uint32_t stretch_limit_us);

/* Transactions. Each returns CHIPSIM_OK or a CHIPSIM_E_* code and leaves both
 * lines released. */
int i2c_master_write(struct i2c_master *m, uint8_t addr, const uint8_t *buf, size_t len);
int i2c_master_read(struct i2c_master *m, uint8_t addr, uint8_t *buf, size_t len);
int i2c_master_write_read(struct i2c_master *m, uint8_t addr, const uint8_t *w, size_t wlen,
                          uint8_t *r, size_t rlen);
/* START, address, bits_before_abort bits of buf (an ACK clock after each
 * 8), then both lines released with no STOP. */
int i2c_master_write_abort(struct i2c_master *m, uint8_t addr, const uint8_t *buf, size_t len,
                           unsigned bits_before_abort);

/* START, read address, bits_before_abort data clocks, then both lines let go
 * with no STOP (the slave may be left driving SDA). */
int i2c_master_read_abort(struct i2c_master *m, uint8_t addr, unsigned bits_before_abort);

#endif /* EXTWD_SIM_I2C_MASTER_H */
