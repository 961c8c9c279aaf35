/*
 * twi_master: I2C master for simavr 1.6's message-level TWI (ATmega328P).
 * This file links libsimavr (GPL-3): binaries that include it are GPL-3.
 */
#include "twi_master.h"
#include "chipsim.h"

#include <simavr/avr_twi.h>
#include <simavr/sim_io.h>
#include <simavr/sim_interrupts.h>

#define TWINT_BIT            0x80u
#define TWEA_BIT             0x40u
#define TWEN_BIT             0x04u
#define TWI_ST_SRX_DATA_NACK 0x88u /* data received, NACK returned */
#define TWI_ST_SRX_STOP      0xA0u /* STOP or repeated START while addressed */
#define TWI_ST_STX_DATA_ACK  0xB8u /* data byte sent, ACK received: send the next */
#define TWI_ST_STX_DATA_NACK 0xC0u /* data byte sent, NACK received: the read is over */

static void on_out(struct avr_irq_t *irq, uint32_t value, void *param)
{
    struct twi_master *m = param;
    avr_twi_msg_irq_t v;
    (void)irq;
    v.u.v = value;
    /* a byte the slave sends comes in a READ message (alone, or with ADDR) */
    if (v.u.twi.msg & TWI_COND_READ) {
        m->have_read = 1;
        m->read_data = (uint8_t)v.u.twi.data;
    }
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

/* The slave is not holding the bus: TWINT clear, no status on its way. */
static int slave_ready(void *arg)
{
    struct twi_master *m = arg;
    return !(m->avr->data[m->twi->r_twcr] & TWINT_BIT) && !m->twi->next_twstate;
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

static uint64_t limit(const struct twi_master *m)
{
    return m->stretch_never ? m->stuck_limit : m->stretch_limit;
}

/* The master gave up waiting: past its stretch limit, or, with no limit, a
 * bus held for I2C_STUCK_US counts as stuck. */
static int gave_up(const struct twi_master *m)
{
    return m->stretch_never ? CHIPSIM_E_BUS : CHIPSIM_E_STRETCH;
}

static void note_stretch(struct twi_master *m, uint64_t held)
{
    if (held > m->max_stretch)
        m->max_stretch = held;
}

/* Waits while the slave holds the bus from its last byte (SCL low on
 * silicon). Returns CHIPSIM_OK, CHIPSIM_E_STRETCH or a negative code. */
static int wait_ready(struct twi_master *m)
{
    if (slave_ready(m))
        return CHIPSIM_OK;
    uint64_t t0 = now(m);
    int r = m->ops->run(m->ctx, t0 + limit(m), slave_ready, m);
    if (r < 0)
        return r;
    note_stretch(m, now(m) - t0);
    if (r == 0)
        return gave_up(m);
    return CHIPSIM_OK;
}

/* Sends one message; await_reply waits for the chip's answer. */
static void send(struct twi_master *m, uint8_t msg, uint8_t addr, uint8_t data)
{
    m->have_reply = 0;
    m->have_read = 0;
    avr_raise_irq(m->in, avr_twi_irq_msg(msg, addr, data));
}

/* Delivers a status simavr never produces (0xA0, 0xB8, 0xC0) as silicon
 * would: TWSR, TWINT and the interrupt. */
static void inject_status(struct twi_master *m, uint8_t status)
{
    avr_twi_t *p = m->twi;
    m->avr->data[p->r_twsr] = (uint8_t)((m->avr->data[p->r_twsr] & 0x07u) | status);
    avr_raise_interrupt(m->avr, &p->twi);
}

/* The STOP (or a repeated START). A slave still addressed as receiver gets
 * 0xA0. simavr's own STOP message is never sent: it gives 0xA8 ("own SLA+R")
 * instead, which would start a phantom read in the slave. */
static int stop_or_restart(struct twi_master *m, int addressed, int is_stop)
{
    int r = run_to(m, now(m) + m->bit_cycles);
    if (r)
        return r;
    if (is_stop)
        m->last_stop = now(m);
    if (addressed) {
        if ((r = wait_ready(m)))
            return r;
        inject_status(m, TWI_ST_SRX_STOP);
    }
    return CHIPSIM_OK;
}

static int stop(struct twi_master *m, int addressed)
{
    return stop_or_restart(m, addressed, 1);
}

/* The slave's TWEA as it stands: on silicon it decides the ACK of the byte
 * that is coming (simavr instead reports it with the answer to the byte
 * before). */
static int twea(const struct twi_master *m)
{
    uint8_t cr = m->avr->data[m->twi->r_twcr];
    return (cr & TWEN_BIT) && (cr & TWEA_BIT);
}

/* Waits for the chip's answer to a message: simavr's nominal 9 us (the ACK
 * bit) plus as much stretching as the limit allows. Returns 1, or
 * CHIPSIM_E_STRETCH / CHIPSIM_E_BUS / a negative code. */
static int await_reply(struct twi_master *m)
{
    uint64_t t0 = now(m);
    int r = m->ops->run(m->ctx, t0 + m->sim_byte + limit(m), replied, m);
    if (r < 0)
        return r;
    uint64_t waited = now(m) - t0;
    if (waited > m->max_reply)
        m->max_reply = waited;
    note_stretch(m, waited > m->sim_byte ? waited - m->sim_byte : 0);
    if (r == 0)
        return gave_up(m);
    return 1;
}

/* START and the address byte. The slave decides on its address after the
 * eighth bit, so the message goes out then. Returns 1 if the chip took the
 * address, 0 if not, or a negative code. */
static int address(struct twi_master *m, uint8_t msg, uint8_t addr, uint8_t data)
{
    int r = wait_ready(m);
    if (r)
        return r;
    if (m->left_open) {
        /* a write that never saw its STOP: for the slave this START is a
         * repeated START while still addressed. It comes with the address
         * that follows, which is what wakes a sleeping chip. */
        m->addr_phase = 1;
        inject_status(m, TWI_ST_SRX_STOP);
        m->left_open = 0;
        r = wait_ready(m);
        m->addr_phase = 0;
        if (r)
            return r;
    }
    if ((r = run_to(m, now(m) + 8 * m->bit_cycles)))
        return r;
    if (!twea(m))
        return 0;                       /* a slave with TWEA = 0 ignores its address */
    m->addr_phase = 1;
    send(m, (uint8_t)(TWI_COND_START | TWI_COND_ADDR | msg), addr, data);
    if (!(m->twi->state & TWI_COND_SLAVE)) {
        m->addr_phase = 0;
        return 0;                       /* not our address: nobody ACKs */
    }
    r = await_reply(m);
    m->addr_phase = 0;
    return r;
}

static int write_bytes(struct twi_master *m, uint8_t addr, const uint8_t *buf, size_t len)
{
    /* simavr: SLA+W and the first byte in one message; the first byte's
     * bits go by before it */
    int r = run_to(m, now(m) + 9 * m->bit_cycles);
    if (r)
        return r;
    r = address(m, TWI_COND_WRITE, addr, buf[0]);
    if (r < 0)
        return r;
    if (r == 0)
        return CHIPSIM_E_NACK_ADDR;
    m->bytes += 2;
    for (size_t i = 1; i < len; i++) {
        if (!lines_ok(m))
            return CHIPSIM_E_BUS;
        if ((r = wait_ready(m)) || (r = run_to(m, now(m) + 8 * m->bit_cycles)))
            return r;
        m->bytes++;
        if (!twea(m)) {
            /* the slave NACKs this byte: silicon reports 0x88 with the byte
             * in TWDR (simavr would report 0x80, an ACK) */
            m->avr->data[m->twi->r_twdr] = buf[i];
            inject_status(m, TWI_ST_SRX_DATA_NACK);
            return CHIPSIM_E_NACK_DATA;
        }
        send(m, TWI_COND_WRITE, addr, buf[i]);
        if ((r = await_reply(m)) < 0)
            return r;
    }
    return CHIPSIM_OK;
}

static int read_bytes(struct twi_master *m, uint8_t addr, uint8_t *buf, size_t len)
{
    int r = address(m, 0, addr, 0);
    if (r < 0)
        return r;
    if (r == 0)
        return CHIPSIM_E_NACK_ADDR;
    m->bytes++;
    for (size_t i = 0; i < len; i++) {
        if (i) {
            if (!lines_ok(m))
                return CHIPSIM_E_BUS;
            m->have_reply = 0;
            m->have_read = 0;
            if ((r = wait_ready(m)))
                return r;
            inject_status(m, TWI_ST_STX_DATA_ACK);
            if ((r = m->ops->run(m->ctx, now(m) + limit(m), replied, m)) < 0)
                return r;
            if (r == 0)
                return gave_up(m);
        }
        buf[i] = m->have_read ? m->read_data : 0xFFu; /* nothing sent: SDA stays high */
        /* the byte goes out, then the master's ACK or NACK */
        if ((r = run_to(m, now(m) + 9 * m->bit_cycles)))
            return r;
        m->bytes++;
    }
    /* the master NACKed the last byte: the slave is told the read is over */
    if ((r = wait_ready(m)))
        return r;
    inject_status(m, TWI_ST_STX_DATA_NACK);
    return CHIPSIM_OK;
}

/* Ends a transaction with a STOP. addressed: the slave still receives (a
 * write that went through), so the STOP reaches it as 0xA0. */
static int finish(struct twi_master *m, int err, int addressed)
{
    if (err == CHIPSIM_E_NACK_ADDR || err == CHIPSIM_E_CRASHED)
        return err;
    /* the master gave up while the slave held SCL: its STOP went unseen */
    if (addressed && (err == CHIPSIM_E_STRETCH || err == CHIPSIM_E_BUS))
        m->left_open = 1;
    int r = stop(m, addressed && err == CHIPSIM_OK);
    if (r < 0 && err == CHIPSIM_OK)
        err = r;
    return err;
}

int twi_master_init(struct twi_master *m, avr_t *avr, const struct i2c_bus_ops *ops,
                    void *ctx, uint32_t freq, uint32_t hz, uint32_t stretch_limit_us)
{
    m->avr = avr;
    m->ops = ops;
    m->ctx = ctx;
    m->twi = NULL;
    for (avr_io_t *io = avr->io_port; io; io = io->next)
        if (io->irq_ioctl_get == (uint32_t)AVR_IOCTL_TWI_GETIRQ(0))
            m->twi = (avr_twi_t *)io;
    m->in = avr_io_getirq(avr, AVR_IOCTL_TWI_GETIRQ(0), TWI_IRQ_INPUT);
    m->out = avr_io_getirq(avr, AVR_IOCTL_TWI_GETIRQ(0), TWI_IRQ_OUTPUT);
    if (!m->twi || !m->in || !m->out || !hz)
        return -1;
    m->bit_cycles = (uint64_t)freq / hz;
    /* simavr's own TWI delays are microseconds of its avr->frequency, the
     * nominal clock, whatever the chip's RC error (chipsim_config) */
    m->sim_byte = (uint64_t)avr->frequency / 1000000u * TWI_SIM_BYTE_US;
    m->stuck_limit = (uint64_t)freq / 1000000u * I2C_STUCK_US;
    m->stretch_never = stretch_limit_us == UINT32_MAX;
    m->stretch_limit = (uint64_t)freq * stretch_limit_us / 1000000u;
    m->bytes = m->max_reply = m->max_stretch = m->last_stop = 0;
    m->have_reply = 0;
    m->addr_phase = 0;
    m->left_open = 0;
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
    return finish(m, write_bytes(m, addr, buf, len), 1);
}

int twi_master_read(struct twi_master *m, uint8_t addr, uint8_t *buf, size_t len)
{
    if (!lines_ok(m))
        return CHIPSIM_E_BUS;
    if (len == 0)
        return CHIPSIM_OK;
    return finish(m, read_bytes(m, addr, buf, len), 0);
}

int twi_master_write_read(struct twi_master *m, uint8_t addr, const uint8_t *w, size_t wlen,
                          uint8_t *r, size_t rlen)
{
    if (!lines_ok(m))
        return CHIPSIM_E_BUS;
    int e = wlen ? write_bytes(m, addr, w, wlen) : CHIPSIM_OK;
    if (e)
        return finish(m, e, 1);
    if (wlen && (e = stop_or_restart(m, 1, 0)))   /* repeated START: 0xA0 */
        return e;
    if (!lines_ok(m))
        return finish(m, CHIPSIM_E_BUS, 0);
    return finish(m, rlen ? read_bytes(m, addr, r, rlen) : CHIPSIM_OK, 0);
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
    if (e == CHIPSIM_OK)
        m->left_open = 1;               /* no STOP: the slave stays addressed */
    return e == CHIPSIM_E_NACK_DATA ? CHIPSIM_OK : e;
}

int twi_master_read_abort(struct twi_master *m, uint8_t addr)
{
    if (!lines_ok(m))
        return CHIPSIM_E_BUS;
    int r = address(m, 0, addr, 0);
    if (r < 0)
        return r;
    return r ? CHIPSIM_OK : CHIPSIM_E_NACK_ADDR;
}
