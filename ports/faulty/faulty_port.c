/* faulty_port: see faulty_port.h. SPDX-License-Identifier: MIT */
#include "faulty_port.h"

static uint32_t next_rand(struct faulty_port *f)
{
    uint32_t x = f->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    f->rng = x;
    return x;
}

/* Decides the fault for the transfer about to happen. */
static enum faulty_kind pick(struct faulty_port *f)
{
    uint32_t n = f->xfers++;
    if (f->count && n >= f->at && n - f->at < f->count)
        return f->kind;
    if (f->every > 1u && n % f->every != 0)
        return f->every_kind;
    for (int k = FAULTY_NACK_ADDR; k < FAULTY_KINDS; k++)
        if (f->rate[k] && (next_rand(f) & 0xFFFFu) < f->rate[k])
            return (enum faulty_kind)k;
    return FAULTY_NONE;
}

static int faulty_write(void *ctx, uint8_t addr, const uint8_t *buf, size_t len)
{
    struct faulty_port *f = ctx;
    const struct extwd_port *in = f->inner;
    enum faulty_kind k = pick(f);
    switch (k) {
    case FAULTY_NACK_ADDR:
        f->injected[k]++;
        return EXTWD_E_NODEV;
    case FAULTY_NACK_DATA:
        f->injected[k]++;
        if (len > 1)
            (void)in->write(in->ctx, addr, buf, 1u + next_rand(f) % (len - 1u));
        return EXTWD_E_IO;
    case FAULTY_TIMEOUT:
        f->injected[k]++;
        (void)in->write(in->ctx, addr, buf, len);
        return EXTWD_E_IO;
    default:
        return in->write(in->ctx, addr, buf, len);
    }
}

static int faulty_read(void *ctx, uint8_t addr, uint8_t *buf, size_t len)
{
    struct faulty_port *f = ctx;
    const struct extwd_port *in = f->inner;
    enum faulty_kind k = pick(f);
    if (k == FAULTY_NACK_ADDR) {
        f->injected[k]++;
        return EXTWD_E_NODEV;
    }
    int r = in->read(in->ctx, addr, buf, len);
    if (r)
        return r;
    if (k == FAULTY_NACK_DATA || k == FAULTY_TIMEOUT) {
        f->injected[k]++;
        return EXTWD_E_IO;
    }
    if (k == FAULTY_CORRUPT && len) {
        f->injected[k]++;
        uint32_t x = next_rand(f);
        buf[x % len] ^= (uint8_t)(1u << ((x >> 16) & 7u));
    }
    return 0;
}

static uint32_t faulty_millis(void *ctx)
{
    const struct faulty_port *f = ctx;
    return f->inner->millis(f->inner->ctx);
}

static void faulty_delay(void *ctx, uint32_t ms)
{
    const struct faulty_port *f = ctx;
    f->inner->delay_ms(f->inner->ctx, ms);
}

void faulty_init(struct faulty_port *f, const struct extwd_port *inner, uint32_t seed)
{
    *f = (struct faulty_port){0};
    f->inner = inner;
    f->rng = seed ? seed : 0x9E3779B9u;
    f->port.write = faulty_write;
    f->port.read = faulty_read;
    f->port.millis = faulty_millis;
    f->port.delay_ms = inner->delay_ms ? faulty_delay : NULL;
    f->port.ctx = f;
}

void faulty_set_rate(struct faulty_port *f, enum faulty_kind kind, uint16_t per65536)
{
    if (kind > FAULTY_NONE && kind < FAULTY_KINDS)
        f->rate[kind] = per65536;
}

void faulty_every(struct faulty_port *f, uint32_t period, enum faulty_kind kind)
{
    f->every = period;
    f->every_kind = kind;
}

void faulty_schedule(struct faulty_port *f, uint32_t at, uint32_t count, enum faulty_kind kind)
{
    f->at = at;
    f->count = count;
    f->kind = kind;
}

void faulty_reset_count(struct faulty_port *f)
{
    f->xfers = 0;
    f->count = 0;
}

uint32_t faulty_total(const struct faulty_port *f)
{
    uint32_t t = 0;
    for (int k = FAULTY_NACK_ADDR; k < FAULTY_KINDS; k++)
        t += f->injected[k];
    return t;
}
