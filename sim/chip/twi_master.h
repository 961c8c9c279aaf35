/*
 * twi_master: an I2C master for the ATmega328P's TWI as simavr 1.6 models it.
 * simavr's TWI is not bit-level: a master talks to it through message IRQs
 * (AVR_IOCTL_TWI_GETIRQ(0), avr_twi_msg). Its quirks, which this master
 * follows (see /tmp/simavr16/simavr/sim/avr_twi.c):
 *  - the first data byte of a write rides in the START|ADDR|WRITE message:
 *    the slave never sees status 0x60, it gets 0x80 with that byte;
 *  - every later byte is a WRITE message that gives 0x80;
 *  - a STOP message gives 0xA8 (not 0xA0);
 *  - the slave answers each byte by clearing TWINT, which sends an ADDR
 *    message back (with ACK if TWEA was set): the master waits for it;
 *  - nothing gives 0xB8 or 0xC0, so on its own a slave sends one byte per
 *    read transaction (START|ADDR read message, 0xA8, the reply carries
 *    TWDR); for longer reads this master delivers 0xB8 itself (below);
 *  - each status arrives 9 us after the message.
 * The master spaces bytes to the bus rate (9 bit times each), so transactions
 * take as long as on a real bus.
 *
 * This file links libsimavr (GPL-3): binaries that include it are GPL-3.
 */
#ifndef EXTWD_SIM_TWI_MASTER_H
#define EXTWD_SIM_TWI_MASTER_H

#include <stddef.h>
#include <stdint.h>
#include <simavr/sim_avr.h>
#include "i2c_master.h"

/* Longest wait for the slave to answer a byte (it holds SCL meanwhile). */
#define TWI_REPLY_TIMEOUT_US 2000u

struct twi_master {
    avr_t *avr;
    avr_irq_t *in;          /* messages to the chip's TWI */
    avr_irq_t *out;         /* messages from it */
    const struct i2c_bus_ops *ops;  /* run/now/level from the harness (no pull) */
    void *ctx;
    uint64_t byte_cycles;   /* 9 bit times at the bus rate */
    uint64_t reply_timeout;
    int have_reply;
    uint8_t reply_msg, reply_data;
    uint8_t addr_phase;     /* a START|ADDR message waits for the chip's answer */
    uint64_t bytes;
    uint64_t max_reply;     /* longest wait for an answer, cycles */
    uint64_t last_stop;     /* cycle of the last STOP message */
};

/* Hooks m to avr's TWI. Returns 0, or -1 if the chip has no TWI. */
int twi_master_init(struct twi_master *m, avr_t *avr, const struct i2c_bus_ops *ops,
                    void *ctx, uint32_t freq, uint32_t hz);

/* Transactions; same contract as i2c_master_*. A write of zero bytes is sent
 * as a one-byte read whose byte is dropped (simavr has no bare address).
 * For reads of more than one byte the master delivers the status simavr
 * never produces, 0xB8 (byte sent, ACK received), 9 us after each byte, as
 * silicon would; the chip's answer then carries the next byte. */
int twi_master_write(struct twi_master *m, uint8_t addr, const uint8_t *buf, size_t len);
int twi_master_read(struct twi_master *m, uint8_t addr, uint8_t *buf, size_t len);
int twi_master_write_read(struct twi_master *m, uint8_t addr, const uint8_t *w, size_t wlen,
                          uint8_t *r, size_t rlen);
/* Sends the whole bytes among bits_before_abort bits and no STOP. */
int twi_master_write_abort(struct twi_master *m, uint8_t addr, const uint8_t *buf, size_t len,
                           unsigned bits_before_abort);

#endif /* EXTWD_SIM_TWI_MASTER_H */
