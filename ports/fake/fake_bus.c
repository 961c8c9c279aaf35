/* fake_bus: see fake_bus.h. SPDX-License-Identifier: MIT */
#include "fake_bus.h"

#include <stdio.h>
#include <string.h>

void fake_bus_init(struct fake_bus *b, struct fake_xfer *log, size_t cap, uint32_t start_ms)
{
    memset(b, 0, sizeof *b);
    b->log = log;
    b->log_cap = log ? cap : 0;
    b->now_ms = start_ms;
}

int fake_bus_attach(struct fake_bus *b, const struct fake_device *d)
{
    if (b->ndevs >= FAKE_BUS_DEVICES)
        return -1;
    b->devs[b->ndevs++] = *d;
    return 0;
}

void fake_bus_advance(struct fake_bus *b, uint32_t ms)
{
    b->now_ms += ms;
    for (size_t i = 0; i < b->ndevs; i++)
        if (b->devs[i].advance)
            b->devs[i].advance(b->devs[i].dev, ms);
}

void fake_bus_clear_log(struct fake_bus *b)
{
    b->log_len = 0;
    b->log_dropped = 0;
    b->bytes = 0;
    b->xfers = 0;
    b->millis_calls = 0;
}

static struct fake_device *find(struct fake_bus *b, uint8_t addr)
{
    for (size_t i = 0; i < b->ndevs; i++)
        if (b->devs[i].address(b->devs[i].dev) == addr)
            return &b->devs[i];
    return NULL;
}

static void record(struct fake_bus *b, int is_read, uint8_t addr, const uint8_t *data,
                   size_t len, int result)
{
    b->xfers++;
    /* An address NACK ends the transaction after the address byte. */
    b->bytes += 1u + (result == EXTWD_E_NODEV ? 0u : len);
    if (b->log_len >= b->log_cap) {
        b->log_dropped++;
        return;
    }
    struct fake_xfer *x = &b->log[b->log_len++];
    memset(x, 0, sizeof *x);
    x->is_read = (uint8_t)is_read;
    x->addr = addr;
    x->len = (uint16_t)len;
    x->result = result;
    x->at_ms = b->now_ms;
    if (data)
        memcpy(x->data, data, len < FAKE_XFER_DATA ? len : FAKE_XFER_DATA);
}

static int bus_write(void *ctx, uint8_t addr, const uint8_t *buf, size_t len)
{
    struct fake_bus *b = ctx;
    struct fake_device *d = find(b, addr);
    int r = d ? d->write(d->dev, buf, len) : EXTWD_E_NODEV;
    record(b, 0, addr, buf, len, r);
    if (b->ms_per_xfer)
        fake_bus_advance(b, b->ms_per_xfer);
    return r;
}

static int bus_read(void *ctx, uint8_t addr, uint8_t *buf, size_t len)
{
    struct fake_bus *b = ctx;
    struct fake_device *d = find(b, addr);
    int r;
    if (d) {
        r = d->read(d->dev, buf, len);
    } else {
        memset(buf, 0xFF, len); /* nobody drives SDA */
        r = EXTWD_E_NODEV;
    }
    record(b, 1, addr, r == 0 ? buf : NULL, len, r);
    if (b->ms_per_xfer)
        fake_bus_advance(b, b->ms_per_xfer);
    return r;
}

static uint32_t bus_millis(void *ctx)
{
    struct fake_bus *b = ctx;
    b->millis_calls++;
    return b->now_ms;
}

/* A wait on the fake bus is time passing for the devices too. */
static void bus_delay(void *ctx, uint32_t ms)
{
    struct fake_bus *b = ctx;
    b->delays++;
    fake_bus_advance(b, ms);
}

void fake_bus_port(struct fake_bus *b, struct extwd_port *port)
{
    port->write = bus_write;
    port->read = bus_read;
    port->millis = bus_millis;
    port->ctx = b;
    port->delay_ms = bus_delay;
}

int fake_xfer_is_write(const struct fake_bus *b, size_t i, uint8_t addr,
                       const uint8_t *bytes, size_t len)
{
    if (i >= b->log_len)
        return 0;
    const struct fake_xfer *x = &b->log[i];
    return !x->is_read && x->addr == addr && x->len == len && len <= FAKE_XFER_DATA &&
           memcmp(x->data, bytes, len) == 0;
}

int fake_xfer_is_read(const struct fake_bus *b, size_t i, uint8_t addr, size_t len)
{
    if (i >= b->log_len)
        return 0;
    const struct fake_xfer *x = &b->log[i];
    return x->is_read && x->addr == addr && x->len == len;
}

int fake_bus_dump(const struct fake_bus *b, char *out, size_t outlen)
{
    size_t n = 0;
    if (outlen)
        out[0] = 0;
    for (size_t i = 0; i < b->log_len; i++) {
        const struct fake_xfer *x = &b->log[i];
        char line[160];
        int k = snprintf(line, sizeof line, "%3zu %s 0x%02x len %u r %d:", i,
                         x->is_read ? "R" : "W", x->addr, x->len, x->result);
        for (size_t j = 0; j < x->len && j < FAKE_XFER_DATA && k < 150; j++)
            k += snprintf(line + k, sizeof line - (size_t)k, " %02x", x->data[j]);
        int w = snprintf(outlen > n ? out + n : NULL, outlen > n ? outlen - n : 0, "%s\n", line);
        n += (size_t)w;
    }
    return (int)n;
}
