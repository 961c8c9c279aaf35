/* fake_stock: see fake_stock.h. SPDX-License-Identifier: MIT */
#include "fake_stock.h"

#include <string.h>

/* The stock chip's names for the stock registers (registers.def rows
 * 0x06-0x12): sleep is the extwd grace. */
enum {
    R_TIMEOUT = EXTWD_REG_TIMEOUT_S, R_ACTION = EXTWD_REG_ACTION, R_PIN = EXTWD_REG_RESET_PIN,
    R_SLEEP = EXTWD_REG_GRACE_S, R_ADDR = EXTWD_REG_I2C_ADDR, R_BUSLOAD = EXTWD_REG_BUSLOAD_PCT,
    R_SINCE = EXTWD_REG_SINCE_FEED_S, R_SLEEP_LEFT = EXTWD_REG_GRACE_LEFT_S,
    R_RESETS = EXTWD_REG_RESET_COUNT, R_REINITS = EXTWD_REG_REINIT_COUNT,
    R_BUSERRS = EXTWD_REG_BUSERR_COUNT, R_STATUS = EXTWD_REG_STATUS, R_CAUSE = EXTWD_REG_LAST_CAUSE
};

static void defaults(uint8_t *r)
{
    static const uint8_t id[4] = FAKE_STOCK_ID;
    memset(r, 0, FAKE_STOCK_REGS);
    memcpy(r, id, 4);
    r[4] = 0;
    r[5] = 1;
    r[R_TIMEOUT] = 70;
    r[R_ACTION] = 1;
    r[R_PIN] = 1;
    r[R_SLEEP] = 30;
    r[R_ADDR] = EXTWD_I2C_ADDR_DEFAULT;
    r[R_BUSLOAD] = 50;
}

void fake_stock_power_up(struct fake_stock *s)
{
    uint8_t saved[FAKE_STOCK_REGS];
    int have = s->saved[R_ADDR] != 0; /* a zeroed struct has never saved */
    memcpy(saved, s->saved, sizeof saved);
    memset(s, 0, sizeof *s);
    if (have) {
        memcpy(s->saved, saved, sizeof saved);
        memcpy(s->reg, saved, R_SINCE); /* settings only (up to BUSLOAD_PCT); counters start at zero */
    } else {
        defaults(s->reg);
        memcpy(s->saved, s->reg, sizeof s->saved);
    }
    for (size_t i = 0; i < sizeof s->ram; i++)
        s->ram[i] = (uint8_t)(0x3Cu + 7u * i); /* whatever was in RAM */
    s->addr = s->reg[R_ADDR];
}

static void reset_target(struct fake_stock *s, uint8_t cause)
{
    s->pulse_left_ms = FAKE_STOCK_PULSE_MS;
    s->host_resets++;
    if (s->reg[R_RESETS] < 255u)
        s->reg[R_RESETS]++;
    s->reg[R_STATUS] |= EXTWD_STATUS_WD_RESET;
    s->reg[R_CAUSE] = cause;
    s->reg[R_SINCE] = 0;
    s->reg[R_SLEEP_LEFT] = s->reg[R_SLEEP];
}

static void second(struct fake_stock *s)
{
    if (s->reg[R_SLEEP_LEFT]) {
        s->reg[R_SLEEP_LEFT]--;
        return;
    }
    if (s->reg[R_TIMEOUT] == 0)
        return;
    if (s->reg[R_SINCE] < 255u)
        s->reg[R_SINCE]++;
    /* The stock off-by-one: it fires once the count passes T, after T+1 ticks. */
    if (s->reg[R_SINCE] > s->reg[R_TIMEOUT] && s->reg[R_ACTION] == 1u)
        reset_target(s, EXTWD_CAUSE_TIMEOUT);
}

void fake_stock_run(struct fake_stock *s, uint32_t ms)
{
    while (ms) {
        uint32_t step = ms < 1000u - s->tick_ms ? ms : 1000u - s->tick_ms;
        if (s->pulse_left_ms)
            s->pulse_left_ms = s->pulse_left_ms > step ? s->pulse_left_ms - step : 0;
        s->tick_ms += step;
        ms -= step;
        if (s->tick_ms == 1000u) {
            s->tick_ms = 0;
            second(s);
        }
    }
}

static void command(struct fake_stock *s, uint8_t cmd, uint8_t arg, size_t len)
{
    switch (cmd) {
    case EXTWD_CMD_SAVE:
        memcpy(s->saved, s->reg, sizeof s->saved);
        break;
    case EXTWD_CMD_FACTORY_RESET:
        memset(s->saved, 0, sizeof s->saved);
        fake_stock_power_up(s);
        break;
    case EXTWD_CMD_SET_ADDRESS:
        if (len >= 2) {
            s->reg[R_ADDR] = arg;
            s->addr = arg;
        }
        break;
    case EXTWD_CMD_SET_POINTER:
        if (len >= 2)
            s->ptr = arg;
        break;
    case EXTWD_CMD_CLEAR_COUNTERS:
        s->reg[R_RESETS] = s->reg[R_REINITS] = s->reg[R_BUSERRS] = 0;
        break;
    case EXTWD_CMD_TEST_ACTION:
        if (s->reg[R_ACTION] == 1u)
            reset_target(s, EXTWD_CAUSE_TIMEOUT);
        break;
    case EXTWD_CMD_FEED:
        s->feeds++;
        s->reg[R_STATUS] &= (uint8_t)~EXTWD_STATUS_WD_RESET;
        s->reg[R_SINCE] = 0;
        break;
    default:
        break;
    }
}

static int stock_write(void *dev, const uint8_t *buf, size_t len)
{
    struct fake_stock *s = dev;
    if (len == 0)
        return 0;
    /* The receive buffer keeps the bytes of earlier messages. */
    for (size_t i = 0; i < len && i < sizeof s->rx; i++)
        s->rx[i] = buf[i];
    uint8_t first = s->rx[0];
    if (first >= R_TIMEOUT && first <= R_CAUSE)
        s->reg[first] = s->rx[1]; /* with len 1, a stale byte */
    else if (first >= EXTWD_CMD_SAVE)
        command(s, first, s->rx[1], len);
    return 0;
}

static int stock_read(void *dev, uint8_t *buf, size_t len)
{
    struct fake_stock *s = dev;
    uint8_t v = s->ptr < FAKE_STOCK_REGS ? s->reg[s->ptr]
                                         : s->ram[(s->ptr - FAKE_STOCK_REGS) % sizeof s->ram];
    for (size_t i = 0; i < len; i++)
        buf[i] = v;
    return 0;
}

static uint8_t stock_address(void *dev)
{
    return ((struct fake_stock *)dev)->addr;
}

static void stock_advance(void *dev, uint32_t ms)
{
    fake_stock_run(dev, ms);
}

void fake_stock_device(struct fake_stock *s, struct fake_device *d)
{
    d->address = stock_address;
    d->write = stock_write;
    d->read = stock_read;
    d->advance = stock_advance;
    d->dev = s;
}
