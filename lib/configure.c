/*
 * extwd_configure: a whole settings struct applied as one change (all of it
 * or none of it). Built on the public API only (extwd_read_regs,
 * extwd_write_reg and the handle's accessors), so it sits above the
 * library's transaction layer like any caller, and a program that never
 * calls it links none of it. SPDX-License-Identifier: MIT
 */
#include "extwd/extwd.h"
#include "extwd/registers.h"

/* One register write: what it writes and what it found there. */
struct step {
    uint8_t reg, width;
    uint32_t value, old;
};

#define STEPS_MAX 10u

static int has(const struct extwd *wd, uint16_t cap)
{
    return extwd_is_extwd(wd) && (extwd_caps(wd) & cap) == cap;
}

/* Reads a register of up to 4 bytes, twice until two reads agree: the old
 * value is written back on a failure, so one corrupt reply must not become
 * the truth. Returns 0 or EXTWD_E_*. */
static int read_value(struct extwd *wd, uint8_t reg, uint8_t width, uint32_t *v)
{
    uint8_t a[4] = {0, 0, 0, 0}, b[4] = {0, 0, 0, 0};
    int r = extwd_read_regs(wd, reg, a, width);
    for (uint8_t tries = 0; r == 0; tries++) {
        if ((r = extwd_read_regs(wd, reg, b, width)) != 0)
            break;
        if (a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3]) {
            *v = (uint32_t)a[0] | ((uint32_t)a[1] << 8) | ((uint32_t)a[2] << 16) | ((uint32_t)a[3] << 24);
            return 0;
        }
        if (tries >= 2u)
            return EXTWD_E_PROTO;
        for (uint8_t i = 0; i < 4u; i++)
            a[i] = b[i];
    }
    return r;
}

static int write_value(struct extwd *wd, const struct step *k, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return extwd_write_reg(wd, k->reg, b, k->width);
}

/* Checks s without writing: EXTWD_E_NOTSUP for a setting the chip lacks,
 * EXTWD_E_INVAL for a value outside its range. timeout is the timeout the
 * chip runs with afterwards. */
static int check(const struct extwd *wd, const struct extwd_settings *s, uint32_t timeout)
{
    uint16_t set = s->set;
    if (set & (uint16_t)~EXTWD_SET_ALL)
        return EXTWD_E_INVAL;
    if (((set & EXTWD_SET_PULSE) && !has(wd, EXTWD_CAP_PULSE)) ||
        ((set & EXTWD_SET_MAX_DISARM) && !has(wd, EXTWD_CAP_BOUNDED_DISARM)) ||
        ((set & EXTWD_SET_PRETIMEOUT) && !has(wd, EXTWD_CAP_PRETIMEOUT)) ||
        ((set & EXTWD_SET_PRETIMEOUT) && s->pretimeout_pin && !has(wd, EXTWD_CAP_PRETIMEOUT_PIN)) ||
        ((set & EXTWD_SET_WINDOW) && !has(wd, EXTWD_CAP_WINDOW)) ||
        ((set & EXTWD_SET_BOOTLOOP) && !has(wd, EXTWD_CAP_BOOTLOOP)) ||
        ((set & EXTWD_SET_KEYED) && !has(wd, EXTWD_CAP_KEYED)))
        return EXTWD_E_NOTSUP;
    if (set & EXTWD_SET_TIMEOUT) {
        uint32_t t = s->timeout_ms;
        if (has(wd, EXTWD_CAP_TIMEOUT_MS) ? t != 0 && (t < EXTWD_TIMEOUT_MS_MIN || t > EXTWD_TIMEOUT_MS_MAX)
                                         : t > 255000ul)
            return EXTWD_E_INVAL;
    }
    if (((set & EXTWD_SET_PULSE) && (s->pulse_ms < EXTWD_PULSE_MS_MIN || s->pulse_ms > EXTWD_PULSE_MS_MAX)) ||
        ((set & EXTWD_SET_PRETIMEOUT) && s->pretimeout_ms && s->pretimeout_ms >= timeout) ||
        ((set & EXTWD_SET_WINDOW) && s->window_ms && s->window_ms >= timeout) ||
        ((set & EXTWD_SET_BUSLOAD) &&
         (s->busload_pct < EXTWD_BUSLOAD_PCT_MIN || s->busload_pct > EXTWD_BUSLOAD_PCT_MAX)) ||
        ((set & EXTWD_SET_BOOTLOOP) && s->healthy_s == 0))
        return EXTWD_E_INVAL;
    return 0;
}

/* Adds a step writing value to reg, after reading what reg holds now. */
static int add(struct extwd *wd, struct step *st, uint8_t *n, uint8_t reg, uint8_t width, uint32_t value)
{
    struct step *k = &st[*n];
    k->reg = reg;
    k->width = width;
    k->value = value;
    int r = read_value(wd, reg, width, &k->old);
    if (r == 0)
        ++*n;
    return r;
}

/* The timeout's step: TIMEOUT_MS, or whole seconds (rounded up) in
 * TIMEOUT_S on a chip without it. */
static int add_timeout(struct extwd *wd, struct step *st, uint8_t *n, uint32_t ms)
{
    if (has(wd, EXTWD_CAP_TIMEOUT_MS))
        return add(wd, st, n, EXTWD_REG_TIMEOUT_MS, EXTWD_WIDTH_TIMEOUT_MS, ms);
    return add(wd, st, n, EXTWD_REG_TIMEOUT_S, EXTWD_WIDTH_TIMEOUT_S, (ms + 999u) / 1000u);
}

/* The steps of s, in an order the chip accepts one by one: a longer
 * timeout before the pretimeout and window that must stay below it, a
 * shorter one after them; OPTIONS (keyed mode, the pretimeout pin) last. */
static int plan(struct extwd *wd, const struct extwd_settings *s, uint32_t timeout, uint32_t old_timeout,
                struct step *st, uint8_t *n)
{
    uint16_t set = s->set;
    int r = 0, shrink = (set & EXTWD_SET_TIMEOUT) && timeout < old_timeout;
    if ((set & EXTWD_SET_TIMEOUT) && !shrink)
        r = add_timeout(wd, st, n, timeout);
    if (r == 0 && (set & EXTWD_SET_PRETIMEOUT))
        r = add(wd, st, n, EXTWD_REG_PRETIMEOUT_MS, EXTWD_WIDTH_PRETIMEOUT_MS, s->pretimeout_ms);
    if (r == 0 && (set & EXTWD_SET_WINDOW))
        r = add(wd, st, n, EXTWD_REG_WINDOW_MS, EXTWD_WIDTH_WINDOW_MS, s->window_ms);
    if (r == 0 && shrink)
        r = add_timeout(wd, st, n, timeout);
    if (r == 0 && (set & EXTWD_SET_PULSE))
        r = add(wd, st, n, EXTWD_REG_PULSE_MS, EXTWD_WIDTH_PULSE_MS, s->pulse_ms);
    if (r == 0 && (set & EXTWD_SET_MAX_DISARM))
        r = add(wd, st, n, EXTWD_REG_MAX_DISARM_S, EXTWD_WIDTH_MAX_DISARM_S, s->max_disarm_s);
    if (r == 0 && (set & EXTWD_SET_BOOTLOOP))
        r = add(wd, st, n, EXTWD_REG_BOOTLOOP_LIMIT, EXTWD_WIDTH_BOOTLOOP_LIMIT, s->bootloop_limit);
    if (r == 0 && (set & EXTWD_SET_BOOTLOOP))
        r = add(wd, st, n, EXTWD_REG_HEALTHY_S, EXTWD_WIDTH_HEALTHY_S, s->healthy_s);
    if (r == 0 && (set & EXTWD_SET_GRACE))
        r = add(wd, st, n, EXTWD_REG_GRACE_S, EXTWD_WIDTH_GRACE_S, s->grace_s);
    if (r == 0 && (set & EXTWD_SET_BUSLOAD))
        r = add(wd, st, n, EXTWD_REG_BUSLOAD_PCT, EXTWD_WIDTH_BUSLOAD_PCT, s->busload_pct);
    uint32_t mask = 0, bits = 0;
    if (set & EXTWD_SET_KEYED) {
        mask |= EXTWD_OPT_KEYED;
        bits |= s->keyed ? EXTWD_OPT_KEYED : 0u;
    }
    if ((set & EXTWD_SET_PRETIMEOUT) && has(wd, EXTWD_CAP_PRETIMEOUT_PIN)) {
        mask |= EXTWD_OPT_PRETIMEOUT_PIN;
        bits |= (s->pretimeout_pin && s->pretimeout_ms) ? EXTWD_OPT_PRETIMEOUT_PIN : 0u;
    }
    if (r == 0 && mask && (r = add(wd, st, n, EXTWD_REG_OPTIONS, EXTWD_WIDTH_OPTIONS, 0)) == 0) {
        struct step *k = &st[*n - 1u];
        k->value = ((k->old & EXTWD_OPT_MASK) & ~mask) | bits;
    }
    return r;
}

int extwd_configure(struct extwd *wd, const struct extwd_settings *s)
{
    if (!wd || !s)
        return EXTWD_E_INVAL;
    uint32_t old_timeout = 0, timeout = s->timeout_ms;
    int r = 0;
    if (extwd_is_extwd(wd))
        r = read_value(wd, EXTWD_REG_TIMEOUT_MS, EXTWD_WIDTH_TIMEOUT_MS, &old_timeout);
    else /* stock, or not ready: the write paths say which */
        r = read_value(wd, EXTWD_REG_TIMEOUT_S, EXTWD_WIDTH_TIMEOUT_S, &old_timeout);
    if (r)
        return r;
    if (!extwd_is_extwd(wd))
        old_timeout *= 1000u;
    if (!(s->set & EXTWD_SET_TIMEOUT))
        timeout = old_timeout;
    if ((r = check(wd, s, timeout)) != 0)
        return r;
    struct step st[STEPS_MAX];
    uint8_t n = 0;
    if ((r = plan(wd, s, timeout, old_timeout, st, &n)) != 0)
        return r; /* nothing written yet */

    /* Forward; on a failure, back through what was (or may have been) written. */
    uint8_t done = 0;
    for (; done < n; done++) {
        if (st[done].value == st[done].old)
            continue;
        r = write_value(wd, &st[done], st[done].value);
        if (r) {
            if (r != EXTWD_E_REFUSED && r != EXTWD_E_LOCKED)
                done++; /* not refused: it may have landed */
            break;
        }
    }
    if (r == 0)
        return 0;
    while (done--)
        if (st[done].value != st[done].old)
            (void)write_value(wd, &st[done], st[done].old);
    return r;
}
