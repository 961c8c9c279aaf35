/*
 * Template port for libextwd: copy this file, rename the my_ prefix and fill
 * in the three functions for your platform's I2C master and clock. The build
 * compiles it unchanged, so it stays a valid starting point.
 *
 * A port is three callbacks and a context pointer (struct extwd_port in
 * include/extwd/extwd.h). The library calls them from the caller's context
 * only, never from an interrupt, and never concurrently for one handle: if
 * other code shares the bus from another task, lock the bus inside write and
 * read. The library holds no state of its own, so one port can serve several
 * chips (different addresses) and several ports several buses.
 *
 * SPDX-License-Identifier: MIT
 */
#include "extwd/extwd.h"

/* Whatever your I2C driver needs: a bus handle, a mutex, a timeout. */
struct my_bus {
    void *i2c;             /* e.g. the HAL's handle of the I2C peripheral */
    uint32_t timeout_ms;   /* give up on a transfer after this */
};

/* One write transaction: START, addr + W, the len bytes, STOP.
 *  - Return 0 when every byte was ACKed.
 *  - Return EXTWD_E_NODEV when the address byte was not ACKed (no chip, or
 *    the wrong address): the library reports "no chip" with it.
 *  - Return EXTWD_E_IO for anything else: a data NACK, a lost arbitration,
 *    a clock-stretch or transfer timeout. The library retries (bounded by
 *    extwd_config.retries) and counts every failure.
 * Bound the time it can take: the library never waits on its own, so this
 * function's timeout is the longest any library call blocks per transfer.
 * The chip stretches SCL a little after each byte (ATtiny85 USI): if your
 * master has a stretch limit, see lib/README.md for the value to use. */
static int my_write(void *ctx, uint8_t addr, const uint8_t *buf, size_t len)
{
    struct my_bus *bus = ctx;
    (void)bus; (void)addr; (void)buf; (void)len;
    /* return hal_i2c_write(bus->i2c, addr, buf, len, bus->timeout_ms) == OK ? 0 : ...; */
    return EXTWD_E_NOTSUP; /* replace: this template talks to no hardware */
}

/* One read transaction: START, addr + R, len bytes (ACK all but the last,
 * NACK the last), STOP. Returns as my_write does. The library always sets the
 * chip's read pointer with a write first, so no repeated START is needed; a
 * STOP between the two is what the stock chip expects. */
static int my_read(void *ctx, uint8_t addr, uint8_t *buf, size_t len)
{
    struct my_bus *bus = ctx;
    (void)bus; (void)addr; (void)buf; (void)len;
    return EXTWD_E_NOTSUP; /* replace */
}

/* A monotonic millisecond clock. It may wrap at 2^32 (49.7 days): the
 * library only ever subtracts two readings. Do not use a wall clock that NTP
 * or the user can set back. */
static uint32_t my_millis(void *ctx)
{
    (void)ctx;
    return 0; /* replace: e.g. HAL_GetTick(), millis(), k_uptime_get_32() */
}

/* Optional: waits ms milliseconds (e.g. HAL_Delay, k_msleep, delay). Only
 * the presence probe at extwd_init uses it, between its three tries 5 ms
 * apart; leave delay_ms NULL and the tries come back to back. */
static void my_delay(void *ctx, uint32_t ms)
{
    (void)ctx;
    (void)ms; /* replace */
}

/* Fills port for bus. Call once at start-up, before extwd_init. */
void my_extwd_port(struct extwd_port *port, struct my_bus *bus);
void my_extwd_port(struct extwd_port *port, struct my_bus *bus)
{
    port->write = my_write;
    port->read = my_read;
    port->millis = my_millis;
    port->ctx = bus;
    port->delay_ms = my_delay;
}

/*
 * Then, in your start-up code, in this order:
 *
 *   static struct my_bus bus = {...};
 *   static struct extwd_port port;
 *   static struct extwd wd;
 *   struct extwd_config cfg = {.port = &port};   // 0x26, 100 ms, no retries
 *
 *   my_extwd_port(&port, &bus);                  // bus up first
 *   if (extwd_init(&wd, &cfg) == 0) {            // reads the reset evidence
 *       log(extwd_reset_reason_text(extwd_reset_reason(&wd)));
 *       extwd_arm(&wd);                          // feeds, then arms
 *   }
 *   for (;;) { extwd_feed(&wd); ...work... }     // cheap when not due
 */
