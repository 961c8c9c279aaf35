/*
 * The host's bus faults. See busfault.h.
 *
 * Part of extwd-sim, which links libsimavr: GPL-3.0-or-later.
 */
#include "busfault.h"

#include <string.h>

static void queue_add(struct busfault_q *q, int line, uint32_t n)
{
    if (q->n < BUSFAULT_Q) {
        q->line[q->n] = line;
        q->left[q->n] = n;
        q->n++;
    }
}

/* One fault of the queue's front line is used. Returns that line, or 0. */
static int queue_use(struct busfault_q *q)
{
    if (!q->n)
        return 0;
    int line = q->line[0];
    if (--q->left[0] == 0) {
        memmove(&q->line[0], &q->line[1], (size_t)(q->n - 1) * sizeof q->line[0]);
        memmove(&q->left[0], &q->left[1], (size_t)(q->n - 1) * sizeof q->left[0]);
        q->n--;
    }
    return line;
}

void busfault_nack(struct busfault *b, int line, uint32_t n)
{
    b->nack_left += n;
    queue_add(&b->nack_q, line, n);
}

void busfault_corrupt(struct busfault *b, int line, uint32_t n, uint8_t bit)
{
    b->corrupt_left += n;
    b->corrupt_bit = bit;
    queue_add(&b->corrupt_q, line, n);
}

void busfault_flaky(struct busfault *b, int line, uint64_t until)
{
    b->flaky_until = until;
    b->flaky_line = line;
    b->flaky_odd = 0;
}

/* While a flaky spell lasts, every other host transfer misses the chip (as
 * a marginal contact or supply would): the first one of the spell gets
 * through. Returns 1 when this transfer is to miss. */
static int flaky_miss(struct busfault *b, uint64_t now)
{
    if (now >= b->flaky_until)
        return 0;
    b->flaky_odd ^= 1;
    return !b->flaky_odd;
}

int busfault_apply(struct busfault *b, uint64_t now, uint8_t *addr, uint8_t *first, size_t len, int *line)
{
    *line = 0;
    if (b->nack_left) {
        b->nack_left--;
        *line = queue_use(&b->nack_q);
        *addr ^= 0x01;
        return BUSFAULT_NACK;
    }
    if (flaky_miss(b, now)) {
        *line = b->flaky_line;
        *addr ^= 0x01;
        return BUSFAULT_FLAKY;
    }
    if (first && b->corrupt_left && len) {
        b->corrupt_left--;
        *line = queue_use(&b->corrupt_q);
        first[0] ^= (uint8_t)(1u << b->corrupt_bit);
        return BUSFAULT_CORRUPT;
    }
    return BUSFAULT_NONE;
}
