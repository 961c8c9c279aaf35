/*
 * twi_master: an I2C master for the ATmega328P's TWI as simavr 1.6 models it.
 * simavr's TWI is not bit-level: a master talks to it through message IRQs
 * (AVR_IOCTL_TWI_GETIRQ(0), avr_twi_msg). Its quirks, which this master
 * follows (see /tmp/simavr16/simavr/sim/avr_twi.c):
 *  - the first data byte of a write rides in the START|ADDR|WRITE message:
 *    the slave never sees status 0x60, it gets 0x80 with that byte;
 *  - every later byte is a WRITE message that gives 0x80;
 *  - a STOP message gives 0xA8 (not 0xA0): this master never sends one;
 *  - the slave answers each byte by clearing TWINT, which sends an ADDR
 *    message back (with ACK if TWEA was set): the master waits for it;
 *  - nothing gives 0xA0, 0xB8 or 0xC0, so on its own a slave sends one byte
 *    per read transaction (START|ADDR read message, 0xA8, the reply carries
 *    TWDR) and never learns that a write or a read has ended;
 *  - each status arrives 9 us after the message.
 * simavr also takes the ACK of a byte from TWEA as the slave writes it after
 * that byte; silicon ACKs a byte according to TWEA as it stood when the byte
 * came (the slave set it after the byte before).
 *
 * This master delivers the statuses simavr lacks as silicon would (TWSR,
 * TWINT and the TWI interrupt): 0xA0 at the STOP or repeated START that ends
 * a write, 0xB8 before each further byte of a read, 0xC0 after its last
 * (NACKed) byte, and 0x88 (byte in TWDR) for a data byte that arrives while
 * TWEA = 0; a slave with TWEA = 0 does not answer its address. The one quirk
 * left is the first: a slave sees SLA+W and the first data byte as one 0x80.
 *
 * On silicon the TWI holds SCL low while TWINT is set; simavr does not, and
 * would let a new message overwrite TWDR/TWSR under a slave still busy with
 * the last one. So before every message this master waits for TWINT to be
 * clear (and no status pending): that wait is the clock stretch, measured
 * and held to the stretch limit like the bit-level master's. Each message
 * goes out when its byte's eight bits would have gone by at the bus rate
 * (the slave decides on an address then), and simavr's 9 us stand for the
 * ACK bit, so transactions take about as long as on a real bus.
 *
 * This file links libsimavr (GPL-3): binaries that include it are GPL-3.
 */
#ifndef EXTWD_SIM_TWI_MASTER_H
#define EXTWD_SIM_TWI_MASTER_H

#include <stddef.h>
#include <stdint.h>
#include <simavr/sim_avr.h>
#include "i2c_master.h"

/* simavr's fixed time for one byte on its TWI. */
#define TWI_SIM_BYTE_US 9u

struct twi_master {
    avr_t *avr;
    avr_irq_t *in;          /* messages to the chip's TWI */
    avr_irq_t *out;         /* messages from it */
    const struct i2c_bus_ops *ops;  /* run/now/level from the harness (no pull) */
    void *ctx;
    struct avr_twi_t *twi;
    uint64_t bit_cycles;    /* one bit time at the bus rate */
    uint64_t sim_byte;      /* TWI_SIM_BYTE_US in cycles */
    uint64_t stretch_limit; /* cycles */
    uint64_t stuck_limit;   /* I2C_STUCK_US in cycles (the limit when stretch_never) */
    int stretch_never;
    int have_reply, have_read;
    uint8_t reply_msg, reply_data, read_data;
    uint8_t addr_phase;     /* a START|ADDR message waits for the chip's answer */
    uint8_t left_open;      /* a write ended without a STOP the slave saw */
    uint64_t bytes;
    uint64_t max_reply;     /* longest wait for an answer, cycles */
    uint64_t max_stretch;   /* longest time the chip held the bus (TWINT set), cycles */
    uint64_t last_stop;     /* cycle of the last STOP message */
};

/* Hooks m to avr's TWI; freq is CPU cycles per true second of the master's
 * clock (the chip's RC error included), stretch limit in us (UINT32_MAX =
 * never). Returns 0, or -1 if the chip has no TWI. */
int twi_master_init(struct twi_master *m, avr_t *avr, const struct i2c_bus_ops *ops,
                    void *ctx, uint32_t freq, uint32_t hz, uint32_t stretch_limit_us);

/* Transactions; same contract as i2c_master_*. A write of zero bytes is sent
 * as a one-byte read whose byte is dropped (simavr has no bare address). */
int twi_master_write(struct twi_master *m, uint8_t addr, const uint8_t *buf, size_t len);
int twi_master_read(struct twi_master *m, uint8_t addr, uint8_t *buf, size_t len);
int twi_master_write_read(struct twi_master *m, uint8_t addr, const uint8_t *w, size_t wlen,
                          uint8_t *r, size_t rlen);
/* Sends the whole bytes among bits_before_abort bits and no STOP. */
int twi_master_write_abort(struct twi_master *m, uint8_t addr, const uint8_t *buf, size_t len,
                           unsigned bits_before_abort);

/* Sends the address of a read and no STOP (the bits themselves are not
 * expressible in simavr's TWI). */
int twi_master_read_abort(struct twi_master *m, uint8_t addr);

#endif /* EXTWD_SIM_TWI_MASTER_H */
