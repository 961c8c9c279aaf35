/*
 * fake_bus: an I2C bus in memory for tests, like littlefs's bd/ folder.
 *
 * Devices attach to it (the real chip core built for the host, fake_chip.h;
 * a stock TinyI2CWatchdog model, fake_stock.h; or anything with the four
 * callbacks). It records every transaction in a caller-owned transcript so a
 * test can assert the exact bytes on the wire, counts the bytes that went by
 * (address byte included), and owns a millisecond clock that the tests move.
 *
 * No malloc: the caller owns the bus, the devices and the transcript array.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_FAKE_BUS_H
#define EXTWD_FAKE_BUS_H

#include <stddef.h>
#include <stdint.h>
#include "extwd/extwd.h"

#define FAKE_BUS_DEVICES 4u
#define FAKE_XFER_DATA   32u   /* bytes of each transaction kept in the transcript */

/* One device on the bus. write/read are called only for transactions to its
 * address; they return 0 or EXTWD_E_IO (a data NACK). */
struct fake_device {
    uint8_t (*address)(void *dev);
    int (*write)(void *dev, const uint8_t *buf, size_t len);
    int (*read)(void *dev, uint8_t *buf, size_t len);
    void (*advance)(void *dev, uint32_t ms);
    void *dev;
};

/* One transaction as it went by. */
struct fake_xfer {
    uint8_t is_read;
    uint8_t addr;
    uint16_t len;               /* bytes written or asked for */
    int result;                 /* 0, EXTWD_E_NODEV or EXTWD_E_IO */
    uint32_t at_ms;             /* bus clock when it happened */
    uint8_t data[FAKE_XFER_DATA];
};

struct fake_bus {
    struct fake_device devs[FAKE_BUS_DEVICES];
    size_t ndevs;
    uint32_t now_ms;            /* what the port's millis returns */
    uint32_t ms_per_xfer;       /* time each transaction takes (0: none) */
    struct fake_xfer *log;
    size_t log_cap, log_len, log_dropped;
    uint64_t bytes;             /* bytes on the bus, address bytes included */
    uint32_t xfers;
    uint32_t millis_calls;
    uint32_t delays;            /* port delay_ms calls (each advances the clock) */
};

/* Sets up an empty bus with the clock at start_ms and a transcript of cap
 * records (log may be NULL for none). */
void fake_bus_init(struct fake_bus *b, struct fake_xfer *log, size_t cap, uint32_t start_ms);

/* Attaches a device. Returns 0, or -1 when the bus is full. */
int fake_bus_attach(struct fake_bus *b, const struct fake_device *d);

/* Fills port with callbacks that drive this bus. */
void fake_bus_port(struct fake_bus *b, struct extwd_port *port);

/* Moves the clock on by ms, and every device with it. */
void fake_bus_advance(struct fake_bus *b, uint32_t ms);

/* Forgets the transcript and the counters (not the clock). */
void fake_bus_clear_log(struct fake_bus *b);

/* Returns 1 if record i of the transcript is a write of exactly these bytes
 * to addr, else 0. */
int fake_xfer_is_write(const struct fake_bus *b, size_t i, uint8_t addr,
                       const uint8_t *bytes, size_t len);

/* Returns 1 if record i is a read of len bytes from addr, else 0. */
int fake_xfer_is_read(const struct fake_bus *b, size_t i, uint8_t addr, size_t len);

/* Prints the transcript, one transaction a line, into out (for failing
 * tests). Returns the length written, as snprintf would. */
int fake_bus_dump(const struct fake_bus *b, char *out, size_t outlen);

#endif /* EXTWD_FAKE_BUS_H */
