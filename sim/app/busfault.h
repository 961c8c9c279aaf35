/*
 * The host's bus faults (busfault.c): address NACKs, flipped bits in the
 * first byte of a write, and a flaky spell in which every other transfer
 * misses the chip. The world arms them from scenario events and asks, for
 * each host transfer, what happens to it. No clock of its own and no
 * knowledge of the world: times are cycles the caller passes in.
 *
 * Part of extwd-sim, which links libsimavr: GPL-3.0-or-later.
 */
#ifndef EXTWD_SIM_BUSFAULT_H
#define EXTWD_SIM_BUSFAULT_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

#define BUSFAULT_Q SC_MAX_EVENTS /* one per event at most: none is dropped */

/* Faults waiting for host transfers, by the scenario line that asked for
 * them (first asked, first used). */
struct busfault_q {
    int line[BUSFAULT_Q];
    uint32_t left[BUSFAULT_Q];
    int n;
};

struct busfault {
    uint32_t nack_left, corrupt_left;
    uint8_t corrupt_bit;
    struct busfault_q nack_q, corrupt_q;
    uint64_t flaky_until;   /* cycle: every other host transfer misses the chip until then */
    int flaky_line, flaky_odd;
};

/* What happened to one host transfer. */
enum busfault_hit { BUSFAULT_NONE = 0, BUSFAULT_NACK, BUSFAULT_FLAKY, BUSFAULT_CORRUPT };

/* The next n host transfers get a corrupted address (scenario line `line`). */
void busfault_nack(struct busfault *b, int line, uint32_t n);

/* The next n host writes get bit `bit` of their first byte flipped. */
void busfault_corrupt(struct busfault *b, int line, uint32_t n, uint8_t bit);

/* Until cycle `until`, every other host transfer misses the chip. */
void busfault_flaky(struct busfault *b, int line, uint64_t until);

/* Applies the waiting faults to one host transfer at cycle now: *addr is
 * changed for a NACK or a flaky miss, first[0] (when len > 0 and first is
 * not NULL: writes only) for a corruption. *line is the scenario line that
 * took effect (0 if none). Returns the enum busfault_hit. */
int busfault_apply(struct busfault *b, uint64_t now, uint8_t *addr, uint8_t *first, size_t len, int *line);

#endif /* EXTWD_SIM_BUSFAULT_H */
