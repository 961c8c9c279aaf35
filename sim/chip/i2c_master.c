/*
 * i2c_master: bit-level I2C master with clock stretching and a stretch limit.
 * This file links libsimavr (GPL-3): binaries that include it are GPL-3.
 */
#include "i2c_master.h"
#include "chipsim.h"

struct line_wait {
    struct i2c_master *m;
    int line;
};

static int line_high(void *arg)
{
    struct line_wait *w = arg;
    return w->m->ops->level(w->m->ctx, w->line);
}

static uint64_t now(struct i2c_master *m) { return m->ops->now(m->ctx); }
static void pull(struct i2c_master *m, int line, int low) { m->ops->pull(m->ctx, line, low); }
static int level(struct i2c_master *m, int line) { return m->ops->level(m->ctx, line); }

static int wait(struct i2c_master *m, uint64_t cycles)
{
    int r = m->ops->run(m->ctx, now(m) + cycles, NULL, NULL);
    return r < 0 ? r : CHIPSIM_OK;
}

/* Releases SCL and waits for it to read high: the slave may stretch. */
static int scl_release(struct i2c_master *m)
{
    pull(m, I2C_SCL, 0);
    if (level(m, I2C_SCL))
        return CHIPSIM_OK;
    uint64_t t0 = now(m);
    uint64_t limit = m->stretch_never ? (uint64_t)m->freq / 1000000u * I2C_STUCK_US
                                      : m->stretch_limit;
    struct line_wait w = { m, I2C_SCL };
    int r = m->ops->run(m->ctx, t0 + limit, line_high, &w);
    if (r < 0)
        return r;
    uint64_t held = now(m) - t0;
    m->stretches++;
    if (held > m->max_stretch)
        m->max_stretch = held;
    if (r == 0)
        return m->stretch_never ? CHIPSIM_E_BUS : CHIPSIM_E_STRETCH;
    return CHIPSIM_OK;
}

/* Leaves the bus to its pull-ups after a failure, SDA first so that no STOP
 * or START is made while SCL is low. */
static void let_go(struct i2c_master *m)
{
    pull(m, I2C_SDA, 0);
    pull(m, I2C_SCL, 0);
}

/* One clock pulse from SCL low: SDA is set a quarter period in (pulled low
 * if sda_low, else released), SCL is released at the half (the slave may
 * stretch) and stays high for half a period. Data bits, the repeated START
 * and the STOP all begin this way; SCL is left high. */
static int clock_high(struct i2c_master *m, int sda_low)
{
    int r;
    if ((r = wait(m, m->quarter)))
        return r;
    pull(m, I2C_SDA, sda_low);
    if ((r = wait(m, m->half - m->quarter)))
        return r;
    if ((r = scl_release(m)))
        return r;
    return wait(m, m->half);
}

static int send_bit(struct i2c_master *m, int bit)
{
    int r;
    if ((r = clock_high(m, !bit)))
        return r;
    if (bit && !level(m, I2C_SDA))
        return CHIPSIM_E_BUS;           /* someone else holds SDA: arbitration lost */
    pull(m, I2C_SCL, 1);
    return CHIPSIM_OK;
}

static int recv_bit(struct i2c_master *m, int *bit)
{
    int r;
    pull(m, I2C_SDA, 0);
    if ((r = wait(m, m->half)))
        return r;
    if ((r = scl_release(m)))
        return r;
    if ((r = wait(m, m->half)))
        return r;
    *bit = level(m, I2C_SDA);
    pull(m, I2C_SCL, 1);
    return CHIPSIM_OK;
}

static int start(struct i2c_master *m)
{
    if (!level(m, I2C_SDA) || !level(m, I2C_SCL))
        return CHIPSIM_E_BUS;           /* a line is stuck low before we begin */
    pull(m, I2C_SDA, 1);
    int r = wait(m, m->half);
    if (r)
        return r;
    pull(m, I2C_SCL, 1);
    return CHIPSIM_OK;
}

static int restart(struct i2c_master *m)
{
    int r;
    if ((r = clock_high(m, 0)))
        return r;
    if (!level(m, I2C_SDA))
        return CHIPSIM_E_BUS;
    pull(m, I2C_SDA, 1);
    if ((r = wait(m, m->half)))
        return r;
    pull(m, I2C_SCL, 1);
    return CHIPSIM_OK;
}

static int stop(struct i2c_master *m)
{
    int r;
    if ((r = clock_high(m, 1)))
        return r;
    pull(m, I2C_SDA, 0);
    m->last_stop = now(m);
    if ((r = wait(m, m->half)))       /* bus free time before the next START */
        return r;
    return level(m, I2C_SDA) ? CHIPSIM_OK : CHIPSIM_E_BUS;
}

/* Sends a byte and reads the acknowledge; *ack = 1 for ACK. */
static int send_byte(struct i2c_master *m, uint8_t b, int *ack)
{
    int r, bit;
    for (int i = 7; i >= 0; i--)
        if ((r = send_bit(m, (b >> i) & 1)))
            return r;
    if ((r = recv_bit(m, &bit)))
        return r;
    *ack = !bit;
    m->bytes++;
    return CHIPSIM_OK;
}

static int recv_byte(struct i2c_master *m, uint8_t *b, int ack)
{
    int r, bit;
    uint8_t v = 0;
    for (int i = 0; i < 8; i++) {
        if ((r = recv_bit(m, &bit)))
            return r;
        v = (uint8_t)((v << 1) | (bit & 1));
    }
    if ((r = send_bit(m, !ack)))
        return r;
    *b = v;
    m->bytes++;
    return CHIPSIM_OK;
}

/* Ends a transaction after a NACK or a failure. */
static int finish(struct i2c_master *m, int err)
{
    if (err == CHIPSIM_E_NACK_ADDR || err == CHIPSIM_E_NACK_DATA || err == CHIPSIM_OK) {
        int r = stop(m);
        if (r < 0 && err == CHIPSIM_OK)
            err = r;
        if (r < 0 && r != CHIPSIM_E_CRASHED)
            let_go(m);
        return err;
    }
    let_go(m);
    return err;
}

static int write_part(struct i2c_master *m, uint8_t addr, const uint8_t *buf, size_t len)
{
    int ack, r;
    if ((r = send_byte(m, (uint8_t)(addr << 1), &ack)))
        return r;
    if (!ack)
        return CHIPSIM_E_NACK_ADDR;
    for (size_t i = 0; i < len; i++) {
        if ((r = send_byte(m, buf[i], &ack)))
            return r;
        if (!ack)
            return CHIPSIM_E_NACK_DATA;
    }
    return CHIPSIM_OK;
}

static int read_part(struct i2c_master *m, uint8_t addr, uint8_t *buf, size_t len)
{
    int ack, r;
    if ((r = send_byte(m, (uint8_t)((addr << 1) | 1u), &ack)))
        return r;
    if (!ack)
        return CHIPSIM_E_NACK_ADDR;
    for (size_t i = 0; i < len; i++)
        if ((r = recv_byte(m, &buf[i], i + 1 < len)))
            return r;
    return CHIPSIM_OK;
}

int i2c_master_init(struct i2c_master *m, const struct i2c_bus_ops *ops, void *ctx,
                    uint32_t freq, uint32_t hz, uint32_t stretch_limit_us)
{
    m->ops = ops;
    m->ctx = ctx;
    m->freq = freq;
    if (!hz)
        return -1;
    m->half = (uint64_t)freq / (2u * (uint64_t)hz);
    if (m->half < 4)
        return -1;                      /* the USI needs SCL <= f/2; keep margin */
    m->quarter = m->half / 2;
    m->stretch_never = stretch_limit_us == UINT32_MAX;
    m->stretch_limit = (uint64_t)freq * stretch_limit_us / 1000000u;
    m->bytes = m->max_stretch = m->stretches = m->last_stop = 0;
    return 0;
}

int i2c_master_write(struct i2c_master *m, uint8_t addr, const uint8_t *buf, size_t len)
{
    int r = start(m);
    if (r)
        return r == CHIPSIM_E_BUS ? r : finish(m, r);
    return finish(m, write_part(m, addr, buf, len));
}

int i2c_master_read(struct i2c_master *m, uint8_t addr, uint8_t *buf, size_t len)
{
    int r = start(m);
    if (r)
        return r == CHIPSIM_E_BUS ? r : finish(m, r);
    return finish(m, read_part(m, addr, buf, len));
}

int i2c_master_write_read(struct i2c_master *m, uint8_t addr, const uint8_t *w, size_t wlen,
                          uint8_t *rbuf, size_t rlen)
{
    int r = start(m);
    if (r)
        return r == CHIPSIM_E_BUS ? r : finish(m, r);
    if ((r = write_part(m, addr, w, wlen)))
        return finish(m, r);
    if ((r = restart(m)))
        return finish(m, r);
    return finish(m, read_part(m, addr, rbuf, rlen));
}

int i2c_master_write_abort(struct i2c_master *m, uint8_t addr, const uint8_t *buf, size_t len,
                           unsigned bits_before_abort)
{
    int r = start(m), ack, bit;
    if (r)
        return r == CHIPSIM_E_BUS ? r : finish(m, r);
    if ((r = send_byte(m, (uint8_t)(addr << 1), &ack)))
        return finish(m, r);
    for (unsigned i = 0; i < bits_before_abort && i / 8 < len; i++) {
        if ((r = send_bit(m, (buf[i / 8] >> (7 - i % 8)) & 1)))
            return finish(m, r);
        if (i % 8 == 7) {
            if ((r = recv_bit(m, &bit)))
                return finish(m, r);
            m->bytes++;
        }
    }
    let_go(m);
    return CHIPSIM_OK;
}

int i2c_master_read_abort(struct i2c_master *m, uint8_t addr, unsigned bits_before_abort)
{
    int r = start(m), ack, bit;
    if (r)
        return r == CHIPSIM_E_BUS ? r : finish(m, r);
    if ((r = send_byte(m, (uint8_t)((addr << 1) | 1u), &ack)))
        return finish(m, r);
    if (!ack)
        return finish(m, CHIPSIM_E_NACK_ADDR);
    for (unsigned i = 0; i < bits_before_abort; i++) {
        if ((r = recv_bit(m, &bit)))
            return finish(m, r);
        if (i % 8 == 7) {
            if ((r = send_bit(m, 0)))
                return finish(m, r);
            m->bytes++;
        }
    }
    let_go(m);
    return CHIPSIM_OK;
}
