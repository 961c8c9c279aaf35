/*
 * faulty_port: wraps any extwd port and injects bus faults into it, on a
 * seeded random schedule and/or at chosen transfer numbers, so tests can put
 * a failure at every step of an operation and check what survives.
 *
 * Faults, and what the device behind the port sees:
 *  - NACK_ADDR: nothing; the call returns EXTWD_E_NODEV.
 *  - NACK_DATA: a write delivers only a prefix of its bytes (the frame the
 *    device sees is cut short), a read is served and then fails; EXTWD_E_IO.
 *  - TIMEOUT:   the transfer reaches the device whole, then the master gives
 *    up (a stretch timeout after the last byte); EXTWD_E_IO. The worst case
 *    for a host: the write took effect, and it was told it failed.
 *  - CORRUPT:   a read succeeds with one bit of one byte flipped. On a write
 *    it injects nothing: no chip takes a PEC (firmware 2 dropped it), so a
 *    write corrupted on the wire is a chip-side matter (sim/app's `corrupt`
 *    event shows what the real firmware makes of one).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_FAULTY_PORT_H
#define EXTWD_FAULTY_PORT_H

#include <stdint.h>
#include "extwd/extwd.h"

enum faulty_kind {
    FAULTY_NONE = 0,
    FAULTY_NACK_ADDR,
    FAULTY_NACK_DATA,
    FAULTY_TIMEOUT,
    FAULTY_CORRUPT,
    FAULTY_KINDS
};

struct faulty_port {
    struct extwd_port port;              /* hand this to extwd_init */
    const struct extwd_port *inner;
    uint32_t rng;                        /* xorshift32 state */
    uint16_t rate[FAULTY_KINDS];         /* chance per transfer, in 1/65536 */
    uint32_t xfers;                      /* transfers seen so far */
    uint32_t at, count;                  /* scheduled: transfers [at, at+count) fail */
    enum faulty_kind kind;               /* ... with this fault */
    uint32_t every;                      /* periodic: only every every-th transfer passes */
    enum faulty_kind every_kind;         /* ... the others fail with this fault */
    uint32_t injected[FAULTY_KINDS];     /* faults injected, by kind */
};

/* Wraps inner; no faults until rates or a schedule are set. seed 0 is
 * replaced by a fixed nonzero seed. */
void faulty_init(struct faulty_port *f, const struct extwd_port *inner, uint32_t seed);

/* Sets the chance of a fault of kind on each transfer, in 1/65536. */
void faulty_set_rate(struct faulty_port *f, enum faulty_kind kind, uint16_t per65536);

/* Makes transfers number at .. at+count-1 (counted from 0 since faulty_init
 * or the last faulty_reset_count) fail with kind. */
void faulty_schedule(struct faulty_port *f, uint32_t at, uint32_t count, enum faulty_kind kind);

/* Lets only every period-th transfer through (numbers 0, period, 2 period,
 * ...) and fails all others with kind: period 2 is a chip that answers every
 * other transfer. period 0 turns it off. */
void faulty_every(struct faulty_port *f, uint32_t period, enum faulty_kind kind);

/* Restarts the transfer count (and clears the schedule). */
void faulty_reset_count(struct faulty_port *f);

/* Returns the number of faults injected so far, all kinds. */
uint32_t faulty_total(const struct faulty_port *f);

#endif /* EXTWD_FAULTY_PORT_H */
