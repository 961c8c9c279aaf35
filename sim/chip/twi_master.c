/*
 * twi_master: I2C master for simavr 1.6's message-level TWI (ATmega328P).
 * This file links libsimavr (GPL-3): binaries that include it are GPL-3.
 */
#include "twi_master.h"
#include "chipsim.h"

#include <simavr/avr_twi.h>
#include <simavr/sim_io.h>
#include <simavr/sim_interrupts.h>

#define TWI_ST_STX_DATA_ACK 0xB8u /* data byte sent, ACK received: send the next */

static void on_out(struct avr_irq_t *irq, uint32_t value, void *param)
{
    struct twi_master *m = param;
    avr_twi_msg_irq_t v;
    (void)irq;
    v.u.v = value;
    /* the chip's answer to a byte ends with an ADDR message */
    if (v.u.twi.msg & TWI_COND_ADDR) {
        m->have_reply = 1;
        m->reply_msg = (uint8_t)v.u.twi.msg;
        m->reply_data = (uint8_t)v.u.twi.data;
    }
}

static int replied(void *arg)
{
    return ((struct twi_master *)arg)->have_reply;
}

static uint64_t now(struct twi_master *m) { return m->ops->now(m->ctx); }

static int run_to(struct twi_master *m, uint64_t t)
{
    int r = m->ops->run(m->ctx, t, NULL, NULL);
    return r < 0 ? r : CHIPSIM_OK;
}

static int lines_ok(struct twi_master *m)
{
    return m->ops->level(m->ctx, I2C_SDA) && m->ops->level(m->ctx, I2C_SCL);
}

/* Sends one message; with want_reply, runs until the chip answers.
 * Returns 1 answered, 0 no answer, or a negative code. */
static int send(struct twi_master *m, uint8_t msg, uint8_t addr, uint8_t data, int want_reply)
{
    m->have_reply = 0;
    avr_raise_irq(m->in, avr_twi_irq_msg(msg, addr, data));
    if (!want_reply)
        return 1;
    uint64_t t0 = now(m);
    int r = m->ops->run(m->ctx, t0 + m->reply_timeout, replied, m);
    if (r < 0)
        return r;
    uint64_t waited = now(m) - t0;
    if (r && waited > m->max_reply)
        m->max_reply = waited;
    return r;
}

/* simavr never reports 0xB8; deliver it as the silicon would, 9 us after the
 * byte, so that a multi-byte read continues. */
static void inject_status(struct twi_master *m, uint8_t status)
{
    for (avr_io_t *io = m->avr->io_port; io; io = io->next) {
        if (io->irq_ioctl_get != (uint32_t)AVR_IOCTL_TWI_GETIRQ(0))
            continue;
        avr_twi_t *p = (avr_twi_t *)io;
        m->avr->data[p->r_twsr] = (uint8_t)((m->avr->data[p->r_twsr] & 0x07u) | status);
        avr_raise_interrupt(m->avr, &p->twi);
    }
}

static int stop(struct twi_master *m)
{
    uint64_t t = now(m);
    m->last_stop = t;
    int r = send(m, TWI_COND_STOP, 0, 0, 0);
    if (r < 0)
        return r;
    /* let the chip take the stop before anything else goes on the bus */
    return run_to(m, t + m->byte_cycles);
}

static int write_bytes(struct twi_master *m, uint8_t addr, const uint8_t *buf, size_t len)
{
    uint64_t t = now(m);
    m->addr_phase = 1;
    int r = send(m, TWI_COND_START | TWI_COND_ADDR | TWI_COND_WRITE, addr, buf[0], 1);
    m->addr_phase = 0;
    if (r < 0)
        return r;
    if (r == 0)
        return CHIPSIM_E_NACK_ADDR;
    m->bytes += 2;
    if ((r = run_to(m, t + 2 * m->byte_cycles)))
        return r;
    if (!(m->reply_msg & TWI_COND_ACK))
        return CHIPSIM_E_NACK_DATA;
    for (size_t i = 1; i < len; i++) {
        if (!lines_ok(m))
            return CHIPSIM_E_BUS;
        t = now(m);
        r = send(m, TWI_COND_WRITE, addr, buf[i], 1);
        if (r < 0)
            return r;
        if (r == 0)
            return CHIPSIM_E_NACK_DATA;
        m->bytes++;
        if ((r = run_to(m, t + m->byte_cycles)))
            return r;
        if (!(m->reply_msg & TWI_COND_ACK))
            return CHIPSIM_E_NACK_DATA;
    }
    return CHIPSIM_OK;
}

static int read_bytes(struct twi_master *m, uint8_t addr, uint8_t *buf, size_t len)
{
    uint64_t t = now(m);
    m->addr_phase = 1;
    int r = send(m, TWI_COND_START | TWI_COND_ADDR, addr, 0, 1);
    m->addr_phase = 0;
    if (r < 0)
        return r;
    if (r == 0)
        return CHIPSIM_E_NACK_ADDR;
    for (size_t i = 0; i < len; i++) {
        if (i) {
            if (!lines_ok(m))
                return CHIPSIM_E_BUS;
            t = now(m);
            m->have_reply = 0;
            if ((r = run_to(m, t + m->avr->frequency / 1000000u * 9u)))
                return r;
            inject_status(m, TWI_ST_STX_DATA_ACK);
            r = m->ops->run(m->ctx, now(m) + m->reply_timeout, replied, m);
            if (r < 0)
                return r;
            if (r == 0)
                return CHIPSIM_E_NACK_DATA;
        }
        buf[i] = (m->reply_msg & TWI_COND_READ) ? m->reply_data : 0xFFu;
        m->bytes += i ? 1 : 2;
        if ((r = run_to(m, t + (i ? 1 : 2) * m->byte_cycles)))
            return r;
    }
    return CHIPSIM_OK;
}

static int finish(struct twi_master *m, int err)
{
    if (err == CHIPSIM_OK || err == CHIPSIM_E_NACK_DATA || err == CHIPSIM_E_BUS) {
        int r = stop(m);
        if (r < 0 && err == CHIPSIM_OK)
            err = r;
    }
    return err;
}

int twi_master_init(struct twi_master *m, avr_t *avr, const struct i2c_bus_ops *ops,
                    void *ctx, uint32_t freq, uint32_t hz)
{
    m->avr = avr;
    m->ops = ops;
    m->ctx = ctx;
    m->in = avr_io_getirq(avr, AVR_IOCTL_TWI_GETIRQ(0), TWI_IRQ_INPUT);
    m->out = avr_io_getirq(avr, AVR_IOCTL_TWI_GETIRQ(0), TWI_IRQ_OUTPUT);
    if (!m->in || !m->out || !hz)
        return -1;
    m->byte_cycles = (uint64_t)freq * 9u / hz;
    m->reply_timeout = (uint64_t)freq / 1000000u * TWI_REPLY_TIMEOUT_US;
    m->bytes = m->max_reply = m->last_stop = 0;
    m->have_reply = 0;
    m->addr_phase = 0;
    avr_irq_register_notify(m->out, on_out, m);
    return 0;
}

int twi_master_write(struct twi_master *m, uint8_t addr, const uint8_t *buf, size_t len)
{
    if (!lines_ok(m))
        return CHIPSIM_E_BUS;
    if (len == 0) {
        uint8_t dummy;
        return twi_master_read(m, addr, &dummy, 1);
    }
    return finish(m, write_bytes(m, addr, buf, len));
}

int twi_master_read(struct twi_master *m, uint8_t addr, uint8_t *buf, size_t len)
{
    if (!lines_ok(m))
        return CHIPSIM_E_BUS;
    if (len == 0)
        return CHIPSIM_OK;
    return finish(m, read_bytes(m, addr, buf, len));
}

int twi_master_write_read(struct twi_master *m, uint8_t addr, const uint8_t *w, size_t wlen,
                          uint8_t *r, size_t rlen)
{
    if (!lines_ok(m))
        return CHIPSIM_E_BUS;
    int e = wlen ? write_bytes(m, addr, w, wlen) : CHIPSIM_OK;
    if (e)
        return finish(m, e);
    if (!lines_ok(m))
        return finish(m, CHIPSIM_E_BUS);
    return finish(m, rlen ? read_bytes(m, addr, r, rlen) : CHIPSIM_OK);
}

int twi_master_write_abort(struct twi_master *m, uint8_t addr, const uint8_t *buf, size_t len,
                           unsigned bits_before_abort)
{
    if (!lines_ok(m))
        return CHIPSIM_E_BUS;
    size_t whole = bits_before_abort / 8u;
    if (whole > len)
        whole = len;
    if (whole == 0)
        return CHIPSIM_OK;
    int e = write_bytes(m, addr, buf, whole);
    return e == CHIPSIM_E_NACK_DATA ? CHIPSIM_OK : e;
}
