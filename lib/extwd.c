/*
 * libextwd: host side of the extwd watchdog chip and of the stock
 * TinyI2CWatchdog chip it replaces. See include/extwd/extwd.h and SPEC.md.
 *
 * Portable C11: no malloc, no globals, no libc beyond <stdint.h> and
 * <stddef.h> (so it builds freestanding for the xtensa, ARM and AVR targets).
 * Every transfer goes through the caller's port; nothing here waits, so a
 * call costs at most (1 + retries) transfers per bus transaction it needs.
 *
 * Mind AVR: int is 16 bits there, so every shift and product that can pass
 * 0x7FFF is done on an explicitly widened operand.
 *
 * SPDX-License-Identifier: MIT
 */
#include "extwd/extwd.h"
#include "extwd/registers.h"

#define RETRIES_MAX      5u
#define DEFAULT_FEED_MS  100u
/* A feed is early if the chip has counted less than WINDOW_MS; its count
 * moves in ticks, so keep two ticks away from the edge. */
#define WINDOW_MARGIN_MS (2u * EXTWD_TICK_MS)
#define STOCK_TIMEOUT_S_MAX 255u

/* Keeps the due path out of extwd_feed: inlined, its register saves would
 * also burden the not-due path that a main loop takes every pass. */
#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

#include "transaction.h"
#include "chips.h"

/* Whether the handle has an identified chip: 0, EXTWD_E_STATE before
 * extwd_init, EXTWD_E_NODEV without a chip, EXTWD_E_IO for a chip that
 * answered but could not be identified yet. */
static int not_ready(const struct extwd *wd)
{
    if (!wd || !wd->presence)
        return EXTWD_E_STATE;
    if (wd->presence == EXTWD_PRESENCE_ABSENT)
        return EXTWD_E_NODEV;
    return wd->presence == EXTWD_PRESENCE_READY ? 0 : EXTWD_E_IO;
}

/* ---- errors and reasons -------------------------------------------------------- */

const char *extwd_strerror(int err)
{
    switch (err) {
    case EXTWD_OK: return "ok";
    case EXTWD_E_IO: return "bus error";
    case EXTWD_E_NODEV: return "no chip answered";
    case EXTWD_E_INVAL: return "invalid argument";
    case EXTWD_E_NOTSUP: return "not supported by this chip";
    case EXTWD_E_REFUSED: return "refused by the chip";
    case EXTWD_E_PROTO: return "impossible reply from the chip";
    case EXTWD_E_STATE: return "called out of order";
    case EXTWD_E_LOCKED: return "the chip is locked";
    case EXTWD_E_UNHEALTHY: return "a health channel missed its deadline";
    default: return "unknown error";
    }
}

enum extwd_reset_reason extwd_reset_reason(const struct extwd *wd)
{
    return wd->boot.reason;
}

const char *extwd_reset_reason_text(enum extwd_reset_reason r)
{
    switch (r) {
#define EXTWD_REASON_ROW(reason, name, text) case reason: return text;
#include "extwd/names.def"
    default: return "External WD not readable";
    }
}

const char *extwd_reset_reason_name(enum extwd_reset_reason r)
{
    switch (r) {
#define EXTWD_REASON_ROW(reason, name, text) case reason: return name;
#include "extwd/names.def"
    default: return "unknown";
    }
}

/* ---- init ------------------------------------------------------------------------ */

/* The rate limit: the configured interval, stretched past the window if one
 * is set, keeping the time of the last feed. */
static void set_feed_interval(struct extwd *wd)
{
    struct extwd_timer *t = &wd->feed_timer;
    uint32_t iv = wd->cfg.feed_interval_ms;
    if (wd->window_ms && iv < (uint32_t)wd->window_ms + WINDOW_MARGIN_MS)
        iv = (uint32_t)wd->window_ms + WINDOW_MARGIN_MS;
    uint32_t last = t->due_ms - t->interval_ms;
    t->interval_ms = iv;
    t->due_ms = last + iv;
}

/* The presence probe: the first identity byte, tried `tries` times
 * EXTWD_PROBE_GAP_MS apart (each try with the configured retries), so a chip
 * still starting or a bus glitch is not taken for a missing chip. */
static int probe(struct extwd *wd, uint8_t tries, uint8_t *first)
{
    const struct extwd_port *p = wd->cfg.port;
    int r = EXTWD_E_NODEV;
    for (uint8_t i = 0; i < tries; i++) {
        if (i && p->delay_ms)
            p->delay_ms(p->ctx, EXTWD_PROBE_GAP_MS);
        r = read_u8(wd, EXTWD_REG_PROJECT_ID, first);
        if (r == 0)
            return 0;
    }
    return r;
}

/* Back to a chip not identified: the stock row, no capabilities, no
 * version (the accessors' 0 for a stock chip). */
static void forget_chip(struct extwd *wd)
{
    wd->is_extwd = 0;
    wd->caps = 0;
    wd->proto_version = 0;
    zero(wd->fw_version, sizeof wd->fw_version);
}

/* Finds the chip and reads who it is and what it knew: everything of init
 * that talks to the bus. Leaves presence, channels and counters alone. */
static int identify(struct extwd *wd, uint8_t tries)
{
    static const uint8_t id[4] = {'E', 'X', 'W', 'D'};
    struct extwd_boot_info *bi = &wd->boot;
    uint8_t got[4];
    zero(bi, sizeof *bi);
    forget_chip(wd);
    wd->window_ms = 0;
    wd->options = 0;
    wd->acked = 0;
    int r = probe(wd, tries, &got[0]);
    if (r) {
        /* Only a chip that never acknowledged its address is absent: one
         * that did may be armed, and gets blind feeds (feed_unready). */
        wd->presence = wd->acked ? EXTWD_PRESENCE_UNIDENTIFIED : EXTWD_PRESENCE_ABSENT;
        return r;
    }
    wd->presence = EXTWD_PRESENCE_UNIDENTIFIED;
    /* SPEC 8: registers 0-3 one byte per read, which both chips answer. */
    int match = got[0] == id[0];
    for (uint8_t i = 1; i < 4u; i++) {
        if ((r = read_u8(wd, (uint8_t)(EXTWD_REG_PROJECT_ID + i), &got[i])) != 0)
            return r;
        match = match && got[i] == id[i];
    }
    wd->is_extwd = (uint8_t)match; /* from here on, kind_of(wd) is the chip's row */
    r = kind_of(wd)->read_evidence(wd);
    if (r) {
        zero(bi, sizeof *bi); /* reason stays UNKNOWN */
        forget_chip(wd);
        return r;
    }
    if (bi->reason == EXTWD_REASON_UNKNOWN)
        bi->suspect = 1;
    set_feed_interval(wd);
    wd->presence = EXTWD_PRESENCE_READY;
    wd->initialised = 1;
    return 0;
}

int extwd_init(struct extwd *wd, const struct extwd_config *cfg)
{
    if (!wd || !cfg || !cfg->port || !cfg->port->write || !cfg->port->read ||
        !cfg->port->millis)
        return EXTWD_E_INVAL;
    uint8_t addr = cfg->addr ? cfg->addr : (uint8_t)EXTWD_I2C_ADDR_DEFAULT;
    if (addr < EXTWD_I2C_ADDR_MIN || addr > EXTWD_I2C_ADDR_MAX || cfg->retries > RETRIES_MAX)
        return EXTWD_E_INVAL;
    if (cfg->reprobe_max_ms &&
        (cfg->reprobe_max_ms < EXTWD_REPROBE_MIN_MS || cfg->reprobe_max_ms > EXTWD_REPROBE_LIMIT_MS))
        return EXTWD_E_INVAL;

    zero(wd, sizeof *wd);
    wd->cfg = *cfg;
    wd->cfg.addr = addr;
    if (!wd->cfg.feed_interval_ms)
        wd->cfg.feed_interval_ms = DEFAULT_FEED_MS;
    if (!wd->cfg.reprobe_max_ms)
        wd->cfg.reprobe_max_ms = EXTWD_REPROBE_MAX_MS;
    extwd_timer_init(&wd->feed_timer, wd->cfg.feed_interval_ms, EXTWD_TIMER_SKIP_MISSED, 1);
    wd->presence = EXTWD_PRESENCE_ABSENT;
    wd->reprobe_ms = EXTWD_REPROBE_MIN_MS;
    int r = identify(wd, EXTWD_PROBE_TRIES);
    wd->reprobe_last_ms = cfg->port->millis(cfg->port->ctx);
    return r;
}

/* ---- calibration (SPEC 5.15) ------------------------------------------------------ */

/* Plausible lengths of the chip's watchdog period (SPEC 5.15). */
#define CAL_PERIOD_MIN_US 10000u
#define CAL_PERIOD_MAX_US 25000u

uint16_t extwd_cal_span_us(uint32_t span_ms, uint16_t periods)
{
    if (span_ms < EXTWD_CAL_SPAN_MIN_MS || span_ms > EXTWD_CAL_SPAN_MAX_MS || !periods)
        return 0;
    uint32_t us = (span_ms * 1000u + periods / 2u) / periods; /* span_ms * 1000 < 2^32 */
    return us < CAL_PERIOD_MIN_US || us > CAL_PERIOD_MAX_US ? 0 : (uint16_t)us;
}

int extwd_cal_agree(uint16_t a, uint16_t b)
{
    if (!a || !b)
        return 0;
    uint16_t d = a > b ? (uint16_t)(a - b) : (uint16_t)(b - a);
    return d <= a / EXTWD_CAL_AGREE_DIV;
}

/* One step of the background calibration, right after a feed at now. Its
 * errors end the span (the next step starts one) and are not returned. */
static void cal_step(struct extwd *wd, uint32_t now)
{
    struct extwd_cal *k = &wd->cal;
    if (!k->supported || now - k->start_ms < EXTWD_CAL_INTERVAL_MS)
        return;
    const struct extwd_port *p = wd->cfg.port;
    uint8_t b[4];
    uint32_t at = p->millis(p->ctx); /* the instant the count is read */
    if (read_block(wd, EXTWD_REG_CAL_COUNT, b, SPAN(CAL_COUNT, CAL_TICK_US))) {
        k->have_start = 0;
        k->start_ms = at;           /* try again in a minute */
        return;
    }
    /* The registers read 0xFF on a chip without them: CAL_TICK_US is
     * never above 25000 on one that has them. */
    if (get_le16(b + AT(CAL_TICK_US, CAL_COUNT)) > CAL_PERIOD_MAX_US) {
        k->supported = 0;
        return;
    }
    uint16_t count = get_le16(b);
    if (k->have_start) {
        uint16_t us = extwd_cal_span_us(at - k->start_ms, (uint16_t)(count - k->start_count));
        k->spans++;
        if (!us || (k->pending_us && !extwd_cal_agree(k->pending_us, us)))
            k->refused++;
        if (extwd_cal_agree(k->pending_us, us)) {
            uint16_t v = (uint16_t)(((uint32_t)us + k->pending_us + 1u) / 2u);
            uint8_t f[3] = { EXTWD_REG_CAL_TICK_US, (uint8_t)v, (uint8_t)(v >> 8) };
            if (send_retry(wd, f, 3, 0) == 0)
                k->written_us = v;
        }
        k->pending_us = us;
    }
    k->start_ms = at;
    k->start_count = count;
    k->have_start = 1;
}

int extwd_get_calibration(struct extwd *wd, uint16_t *tick_us, uint16_t *age_s)
{
    if (!wd || !wd->initialised)
        return EXTWD_E_STATE;
    if (!wd->cal.supported)
        return EXTWD_E_NOTSUP;
    uint8_t b[4];
    int r = read_block(wd, EXTWD_REG_CAL_TICK_US, b, SPAN(CAL_TICK_US, CAL_AGE_S));
    if (r)
        return r;
    if (tick_us)
        *tick_us = get_le16(b);
    if (age_s)
        *age_s = get_le16(b + AT(CAL_AGE_S, CAL_TICK_US));
    return 0;
}

/* ---- feeding -------------------------------------------------------------------- */

/* ---- health channels --------------------------------------------------------- */

static int registered(const struct extwd *wd, const struct extwd_channel *ch)
{
    for (const struct extwd_channel *c = wd->channels; c; c = c->next)
        if (c == ch)
            return 1;
    return 0;
}

static uint32_t now_ms(const struct extwd *wd)
{
    const struct extwd_port *p = wd->cfg.port;
    return p->millis(p->ctx);
}

int extwd_channel_add(struct extwd *wd, struct extwd_channel *ch, const char *name, uint8_t id,
                      uint32_t deadline_ms)
{
    if (!wd || !wd->presence)
        return EXTWD_E_STATE;
    if (!ch || id == 0 || deadline_ms == 0 || deadline_ms > EXTWD_CHANNEL_MS_MAX ||
        registered(wd, ch) || extwd_channel_by_id(wd, id))
        return EXTWD_E_INVAL;
    ch->name = name;
    ch->id = id;
    ch->deadline_ms = deadline_ms;
    ch->allow_ms = deadline_ms;
    ch->suspended = 0;
    ch->last_ms = now_ms(wd);
    ch->next = wd->channels;
    wd->channels = ch;
    return 0;
}

int extwd_checkin(struct extwd *wd, struct extwd_channel *ch)
{
    if (!wd || !ch || !registered(wd, ch))
        return EXTWD_E_STATE;
    ch->last_ms = now_ms(wd);
    ch->allow_ms = ch->deadline_ms;
    ch->suspended = 0;
    return 0;
}

int extwd_channel_suspend(struct extwd *wd, struct extwd_channel *ch, uint32_t max_ms)
{
    if (!wd || !ch || !registered(wd, ch))
        return EXTWD_E_STATE;
    if (max_ms == 0 || max_ms > EXTWD_CHANNEL_MS_MAX)
        return EXTWD_E_INVAL;
    ch->last_ms = now_ms(wd);
    ch->allow_ms = max_ms;
    ch->suspended = 1;
    return 0;
}

int extwd_channel_resume(struct extwd *wd, struct extwd_channel *ch)
{
    return extwd_checkin(wd, ch);
}

const struct extwd_channel *extwd_missed_channel(const struct extwd *wd)
{
    return wd ? wd->missed : NULL;
}

const struct extwd_channel *extwd_channel_by_id(const struct extwd *wd, uint8_t id)
{
    if (!wd || id == 0)
        return NULL;
    for (const struct extwd_channel *c = wd->channels; c; c = c->next)
        if (c->id == id)
            return c;
    return NULL;
}

/* Checks every channel at a due feed. The first miss is latched: its id
 * goes to BREADCRUMB (retried at each later due feed until it lands), and
 * nothing is fed again, so the chip resets the host with the culprit on
 * record. Unsigned differences keep the check right across the wrap.
 * Returns 0 while all are healthy, else EXTWD_E_UNHEALTHY. */
static int channels_ok(struct extwd *wd, uint32_t now)
{
    if (!wd->missed) {
        for (const struct extwd_channel *c = wd->channels; c; c = c->next)
            if (now - c->last_ms > c->allow_ms) {
                wd->missed = c;
                break;
            }
        if (!wd->missed)
            return 0;
    }
    if (!wd->missed_crumb_done) {
        if (wd->presence != EXTWD_PRESENCE_READY || !has_cap(wd, EXTWD_CAP_BREADCRUMB)) {
            wd->missed_crumb_done = 1; /* nothing to write it to */
        } else {
            uint8_t f[2] = {EXTWD_REG_BREADCRUMB, wd->missed->id};
            if (send_retry(wd, f, 2, 0) == 0)
                wd->missed_crumb_done = 1;
        }
    }
    return EXTWD_E_UNHEALTHY;
}

/* ---- presence ---------------------------------------------------------------- */

static int reprobe_due(const struct extwd *wd, uint32_t now)
{
    return now - wd->reprobe_last_ms >= wd->reprobe_ms;
}

static void reprobe_backoff(struct extwd *wd, uint32_t now)
{
    wd->reprobe_last_ms = now;
    uint32_t max = wd->cfg.reprobe_max_ms;
    wd->reprobe_ms = wd->reprobe_ms >= max / 2u ? max : 2u * wd->reprobe_ms;
}

/* The feed frame itself, with retries; restarts the rate limit. */
static int send_feed(struct extwd *wd, uint32_t now)
{
    static const uint8_t feed = EXTWD_CMD_FEED;
    int r = send_retry(wd, &feed, 1, 0);
    if (r)
        return r;
    wd->stats.feeds++;
    extwd_timer_restart(&wd->feed_timer, now);
    cal_step(wd, now);
    return 0;
}

/* A due feed without an identified chip. Absent: no bus traffic until the
 * re-probe is due. Unidentified: a blind [0xA5] (the same frame on every
 * chip) keeps an armed chip from resetting the host while it is identified
 * again. A chip found late is fed at once, then armed if that was asked.
 * Returns 1 fed, 0 nothing sent, or EXTWD_E_* of a failed re-probe. */
static int feed_unready(struct extwd *wd, uint32_t now)
{
    int r = 0;
    if (reprobe_due(wd, now)) {
        r = identify(wd, 1);
        if (r == 0) {
            wd->reprobe_ms = EXTWD_REPROBE_MIN_MS;
            r = send_feed(wd, now);
            if (r == 0 && wd->want_armed && (r = WRITE_REG(wd, ACTION, 1)) == 0)
                wd->want_armed = 0;
            return r ? r : 1;
        }
        reprobe_backoff(wd, now);
    }
    extwd_timer_restart(&wd->feed_timer, now);
    if (wd->presence == EXTWD_PRESENCE_UNIDENTIFIED) {
        static const uint8_t feed = EXTWD_CMD_FEED;
        if (xfer_write(wd, &feed, 1) == 0) {
            wd->stats.feeds++;
            return 1;
        }
    }
    return r;
}

/* ---- feeding -------------------------------------------------------------------- */

/* Everything of a feed once it is due: the health channels, then the chip
 * (or its absence). Out of line: inlined, its register saves would burden
 * the not-due path that a main loop takes every pass. Returns 1 fed, 0
 * nothing sent, or a negative EXTWD_E_*. */
static NOINLINE int feed_due(struct extwd *wd, uint32_t now)
{
    int r;
    if (wd->channels && (r = channels_ok(wd, now)) != 0)
        return r;
    if (wd->presence != EXTWD_PRESENCE_READY)
        return feed_unready(wd, now);
    r = send_feed(wd, now);
    return r ? r : 1;
}

/* feed_due for the callers that must feed: 0 only when a feed went out. */
static int feed_write(struct extwd *wd, uint32_t now)
{
    int r = feed_due(wd, now);
    if (r == 0)
        return wd->presence == EXTWD_PRESENCE_ABSENT ? EXTWD_E_NODEV : EXTWD_E_IO;
    return r > 0 ? 0 : r;
}

int extwd_feed(struct extwd *wd)
{
    if (!wd || !wd->presence)
        return EXTWD_E_STATE;
    const struct extwd_port *p = wd->cfg.port;
    uint32_t now = p->millis(p->ctx);
    struct extwd_timer *t = &wd->feed_timer;
    /* Time since the last feed, unsigned: right for any gap below 2^32 ms,
     * so neither a long block nor the wrap can make a due feed look early. */
    if (t->started && now - (t->due_ms - t->interval_ms) < t->interval_ms) {
        wd->stats.feed_skips++;
        return 0;
    }
    return feed_due(wd, now);
}

int extwd_feed_now(struct extwd *wd)
{
    if (!wd || !wd->presence)
        return EXTWD_E_STATE;
    const struct extwd_port *p = wd->cfg.port;
    return feed_write(wd, p->millis(p->ctx));
}

/* A feed that keeps out of the chip's window (SPEC 5.9): when the last feed
 * is too recent to be fed again, the countdown is fresh anyway, so skip. */
static int feed_safe(struct extwd *wd)
{
    const struct extwd_port *p = wd->cfg.port;
    uint32_t now = p->millis(p->ctx);
    if (wd->window_ms) {
        uint32_t need = (uint32_t)wd->window_ms + WINDOW_MARGIN_MS;
        const struct extwd_timer *t = &wd->feed_timer;
        if (t->started) {
            if (now - (t->due_ms - t->interval_ms) < need)
                return 0;
        } else {
            /* We have not fed yet; someone else may have. Ask the chip. */
            uint8_t b[4];
            int r = read_block(wd, EXTWD_REG_SINCE_FEED_MS, b, EXTWD_WIDTH_SINCE_FEED_MS);
            if (r)
                return r;
            if (get_le32(b) < need)
                return 0;
        }
    }
    return feed_write(wd, now);
}

/* ---- arming ------------------------------------------------------------------------ */

int extwd_arm(struct extwd *wd)
{
    int r = not_ready(wd);
    if (r) {
        /* No chip yet: never arm blind; arm when it is found (feed_unready). */
        if (wd && wd->presence)
            wd->want_armed = 1;
        return r;
    }
    r = feed_safe(wd);
    if (r)
        return r;
    return WRITE_REG(wd, ACTION, 1);
}

int extwd_disarm(struct extwd *wd)
{
    int r = not_ready(wd);
    if (wd)
        wd->want_armed = 0;
    return r ? r : WRITE_REG(wd, ACTION, 0);
}

/* ---- configuration ---------------------------------------------------------------- */

/* The chip answered and did not apply the write. */
static int refused(int r)
{
    return r == EXTWD_E_REFUSED || r == EXTWD_E_LOCKED;
}

/* One register write of a change, and the value it replaces. */
struct reg_step {
    uint8_t reg, width;
    uint32_t value, old;
};

/* Writes the n steps of a change in order; when one fails, writes back,
 * last first, what was or may have been written (a refused write did not
 * land), so the chip keeps all old values or gets all new ones. Returns 0
 * or the failure. */
static int write_steps(struct extwd *wd, const struct reg_step *s, uint8_t n)
{
    uint8_t done = 0;
    int r = 0;
    while (done < n && (r = write_reg_value(wd, s[done].reg, s[done].value, s[done].width)) == 0)
        done++;
    if (r && !refused(r))
        done++;
    while (r && done--)
        (void)write_reg_value(wd, s[done].reg, s[done].old, s[done].width);
    return r;
}

/* Common entry of the setters: initialised, and the capability present. */
static int setter_check(const struct extwd *wd, uint16_t cap)
{
    int r = not_ready(wd);
    if (r)
        return r;
    if (cap && !has_cap(wd, cap))
        return EXTWD_E_NOTSUP;
    return 0;
}

int extwd_set_timeout_ms(struct extwd *wd, uint32_t ms)
{
    int r = setter_check(wd, 0);
    if (r)
        return r;
    if (has_cap(wd, EXTWD_CAP_TIMEOUT_MS)) {
        if (ms != 0 && (ms < EXTWD_TIMEOUT_MS_MIN || ms > EXTWD_TIMEOUT_MS_MAX))
            return EXTWD_E_INVAL;
        return WRITE_REG(wd, TIMEOUT_MS, ms);
    }
    /* Register 6 counts whole seconds; round up so the host never gets less. */
    if (ms > STOCK_TIMEOUT_S_MAX * 1000ul)
        return EXTWD_E_INVAL;
    return WRITE_REG(wd, TIMEOUT_S, (ms + 999u) / 1000u);
}

int extwd_set_grace_s(struct extwd *wd, uint8_t s)
{
    /* Register 9 is the stock chip's "sleep after a reset": the same idea. */
    int r = setter_check(wd, 0);
    return r ? r : WRITE_REG(wd, GRACE_S, s);
}

int extwd_set_pulse_ms(struct extwd *wd, uint16_t ms)
{
    int r = setter_check(wd, EXTWD_CAP_PULSE);
    if (r)
        return r;
    if (ms < EXTWD_PULSE_MS_MIN || ms > EXTWD_PULSE_MS_MAX)
        return EXTWD_E_INVAL;
    return WRITE_REG(wd, PULSE_MS, ms);
}

int extwd_set_max_disarm_s(struct extwd *wd, uint16_t s)
{
    int r = setter_check(wd, EXTWD_CAP_BOUNDED_DISARM);
    return r ? r : WRITE_REG(wd, MAX_DISARM_S, s);
}

int extwd_set_bootloop(struct extwd *wd, uint8_t limit, uint8_t healthy_s)
{
    int r = setter_check(wd, EXTWD_CAP_BOOTLOOP);
    if (r)
        return r;
    if (healthy_s == 0)
        return EXTWD_E_INVAL;
    /* Two registers as one change: read both first, for the way back. */
    uint8_t old[2];
    r = read_stable(wd, EXTWD_REG_BOOTLOOP_LIMIT, old, SPAN(BOOTLOOP_LIMIT, HEALTHY_S), ok_any);
    if (r)
        return r;
    const struct reg_step steps[2] = {
        {EXTWD_REG_BOOTLOOP_LIMIT, EXTWD_WIDTH_BOOTLOOP_LIMIT, limit, old[0]},
        {EXTWD_REG_HEALTHY_S, EXTWD_WIDTH_HEALTHY_S, healthy_s, old[AT(HEALTHY_S, BOOTLOOP_LIMIT)]},
    };
    return write_steps(wd, steps, 2);
}

/* Read-modify-write of OPTIONS: bits in mask set to value. */
static int update_options(struct extwd *wd, uint8_t mask, uint8_t value)
{
    int r = refresh_options(wd);
    if (r)
        return r;
    uint8_t next = (uint8_t)((wd->options & (uint8_t)~mask) | (value & mask));
    if (next == wd->options)
        return 0;
    r = WRITE_REG(wd, OPTIONS, next);
    if (r == 0)
        wd->options = next;
    return r;
}

int extwd_set_pretimeout_ms(struct extwd *wd, uint16_t ms, int drive_pin)
{
    int r = setter_check(wd, EXTWD_CAP_PRETIMEOUT);
    if (r)
        return r;
    if (drive_pin && !has_cap(wd, EXTWD_CAP_PRETIMEOUT_PIN))
        return EXTWD_E_NOTSUP;
    /* "Below the timeout" is the chip's check (ERR_RANGE -> EXTWD_E_REFUSED). */
    if (!has_cap(wd, EXTWD_CAP_PRETIMEOUT_PIN))
        return WRITE_REG(wd, PRETIMEOUT_MS, ms);
    /* Two registers as one change: both old values first, for the way
     * back; OPTIONS only if the pin bit changes. */
    uint8_t old[2];
    if ((r = read_stable(wd, EXTWD_REG_PRETIMEOUT_MS, old, EXTWD_WIDTH_PRETIMEOUT_MS, ok_any)) != 0 ||
        (r = refresh_options(wd)) != 0)
        return r;
    uint8_t pin = (drive_pin && ms) ? EXTWD_OPT_PRETIMEOUT_PIN : 0u;
    uint8_t next = (uint8_t)((wd->options & (uint8_t)~EXTWD_OPT_PRETIMEOUT_PIN) | pin);
    const struct reg_step steps[2] = {
        {EXTWD_REG_PRETIMEOUT_MS, EXTWD_WIDTH_PRETIMEOUT_MS, ms, get_le16(old)},
        {EXTWD_REG_OPTIONS, EXTWD_WIDTH_OPTIONS, next, wd->options},
    };
    r = write_steps(wd, steps, next == wd->options ? 1u : 2u);
    if (r == 0)
        wd->options = next;
    return r;
}

int extwd_set_window_ms(struct extwd *wd, uint16_t ms)
{
    int r = setter_check(wd, EXTWD_CAP_WINDOW);
    if (r)
        return r;
    r = WRITE_REG(wd, WINDOW_MS, ms);
    if (r == 0) {
        wd->window_ms = ms;
        set_feed_interval(wd);
    }
    return r;
}

int extwd_set_keyed(struct extwd *wd, int keyed)
{
    int r = setter_check(wd, EXTWD_CAP_KEYED);
    return r ? r : update_options(wd, EXTWD_OPT_KEYED, keyed ? EXTWD_OPT_KEYED : 0u);
}

int extwd_set_busload_pct(struct extwd *wd, uint8_t pct)
{
    int r = setter_check(wd, 0);
    if (r)
        return r;
    if (pct < EXTWD_BUSLOAD_PCT_MIN || pct > EXTWD_BUSLOAD_PCT_MAX)
        return EXTWD_E_INVAL;
    return WRITE_REG(wd, BUSLOAD_PCT, pct);
}

int extwd_set_address(struct extwd *wd, uint8_t addr)
{
    int rdy = not_ready(wd);
    if (rdy)
        return rdy;
    if (addr < EXTWD_I2C_ADDR_MIN || addr > EXTWD_I2C_ADDR_MAX)
        return EXTWD_E_INVAL;
    if (!kind_of(wd)->can_move)
        return EXTWD_E_NOTSUP; /* the stock chip's 0x82 takes effect at an unknown time */
    /* Register 0x0A, not command 0x82: the same effect on every extwd
     * firmware (2.1 wants 0x82 with the address's complement, SPEC 4). */
    uint8_t f[2] = {EXTWD_REG_I2C_ADDR, addr};
    return write_checked(wd, f, 2);
}

int extwd_clear_counters(struct extwd *wd)
{
    int r = setter_check(wd, 0);
    return r ? r : command(wd, EXTWD_CMD_CLEAR_COUNTERS);
}

int extwd_breadcrumb(struct extwd *wd, uint8_t id)
{
    int r = setter_check(wd, EXTWD_CAP_BREADCRUMB);
    if (r)
        return r;
    /* After a missed channel the breadcrumb names the culprit: keep it. */
    if (wd->missed)
        return EXTWD_E_UNHEALTHY;
    /* Hot path, like a feed: one frame, not checked by LAST_ERROR. */
    uint8_t f[2] = {EXTWD_REG_BREADCRUMB, id};
    return send_retry(wd, f, 2, 0);
}

int extwd_pretimeout_pending(struct extwd *wd)
{
    int r = setter_check(wd, EXTWD_CAP_PRETIMEOUT);
    uint8_t xs;
    if (r == 0)
        r = read_u8(wd, EXTWD_REG_EXT_STATUS, &xs);
    return r ? r : (xs & EXTWD_XS_PRETIMEOUT) != 0;
}

static int has_longop_reg(const struct extwd *wd);

int extwd_test_reset(struct extwd *wd)
{
    int r = setter_check(wd, 0);
    if (r)
        return r;
    /* Firmware 2.1 runs it only with its confirm byte (SPEC 4); older
     * firmware and the stock chip take the bare command. */
    if (has_longop_reg(wd)) {
        uint8_t f[2] = {EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM};
        return write_checked(wd, f, 2);
    }
    return command(wd, EXTWD_CMD_TEST_ACTION);
}

int extwd_lock(struct extwd *wd)
{
    int r = setter_check(wd, EXTWD_CAP_LOCK);
    return r ? r : WRITE_REG(wd, LOCK, EXTWD_LOCK_MAGIC);
}

int extwd_save(struct extwd *wd)
{
    int r = setter_check(wd, 0);
    return r ? r : command(wd, EXTWD_CMD_SAVE);
}

int extwd_clear_flags(struct extwd *wd, uint16_t mask)
{
    int r = setter_check(wd, 0);
    if (r)
        return r;
    uint8_t ext = (uint8_t)(mask & 0xFFu);
    uint8_t st = (uint8_t)(mask >> 8);
    if ((ext & (uint8_t)~EXTWD_XS_STICKY) || (st & (uint8_t)~EXTWD_STATUS_WD_RESET))
        return EXTWD_E_INVAL;
    const KIND_SPACE struct chip_kind *k = kind_of(wd);
    if (ext && EXTWD_REG_EXT_STATUS >= k->write_end)
        return EXTWD_E_NOTSUP; /* a stock chip has no EXT_STATUS */
    /* Clear-only registers: a written 0 clears, a written 1 keeps. A stock
     * STATUS is a plain byte whose only bit is bit 0 (status_keep 0). */
    if (ext && (r = WRITE_REG(wd, EXT_STATUS, (uint8_t)~ext)) != 0)
        return r;
    if (st)
        r = WRITE_REG(wd, STATUS, (uint8_t)(k->status_keep & (uint8_t)~st));
    return r;
}

/* ---- reading -------------------------------------------------------------------- */

int extwd_get_state(struct extwd *wd, struct extwd_state *st)
{
    int rdy = not_ready(wd);
    if (rdy)
        return rdy;
    if (!st)
        return EXTWD_E_INVAL;
    zero(st, sizeof *st);
    st->time_left_ms = EXTWD_NO_RESET_PENDING;
    return state_readers[kind_index(wd)](wd, st);
}

int extwd_read_regs(struct extwd *wd, uint8_t reg, uint8_t *buf, size_t n)
{
    int rdy = not_ready(wd);
    if (rdy)
        return rdy;
    if (!buf || n == 0 || (size_t)reg + n > 0x100u)
        return EXTWD_E_INVAL;
    /* A stock chip's pointer is not bounds-checked: past 0x12 it reads RAM. */
    if ((size_t)reg + n > kind_of(wd)->read_end)
        return EXTWD_E_INVAL;
    return read_block(wd, reg, buf, n);
}

int extwd_write_reg(struct extwd *wd, uint8_t reg, const uint8_t *buf, size_t n)
{
    int rdy = not_ready(wd);
    if (rdy)
        return rdy;
    if (!buf || n == 0 || n > EXTWD_VALUE_MAX || reg >= 0x80u)
        return EXTWD_E_INVAL;
    const KIND_SPACE struct chip_kind *k = kind_of(wd);
    if (n > k->write_max || reg < k->write_first || reg >= k->write_end)
        return EXTWD_E_INVAL;
    uint8_t f[EXTWD_FRAME_BODY_MAX];
    f[0] = reg;
    for (size_t i = 0; i < n; i++)
        f[i + 1u] = buf[i];
    int r = write_checked(wd, f, n + 1u);
    if (r == 0 && reg == EXTWD_REG_OPTIONS)
        wd->options = (uint8_t)(buf[0] & EXTWD_OPT_MASK);
    if (r == 0 && reg == EXTWD_REG_WINDOW_MS && n == 2u) {
        wd->window_ms = get_le16(buf);
        set_feed_interval(wd);
    }
    return r;
}

/* ---- long operations -------------------------------------------------------------- */

/* Firmware 2.1 and later have LONGOP_MS (and the confirmed test reset); a
 * stock chip has no firmware version (0). */
static int has_longop_reg(const struct extwd *wd)
{
    return (wd->fw_version[0] > 2u || (wd->fw_version[0] == 2u && wd->fw_version[1] >= 1u));
}

int extwd_longop_begin(struct extwd *wd, struct extwd_longop *op, uint32_t step_ms)
{
    int rdy = not_ready(wd);
    if (rdy)
        return rdy;
    if (!op)
        return EXTWD_E_STATE;
    if (op->active)
        return EXTWD_E_STATE;
    if (step_ms == 0)
        return EXTWD_E_INVAL;
    zero(op, sizeof *op);

    uint8_t b[4];
    int r = read_stable(wd, EXTWD_REG_ACTION, b, 1, kind_of(wd)->ok_action);
    if (r)
        return r;
    op->was_armed = b[0] == 1u;

    if (has_cap(wd, EXTWD_CAP_TIMEOUT_MS)) {
        if ((r = read_stable(wd, EXTWD_REG_TIMEOUT_MS, b, EXTWD_WIDTH_TIMEOUT_MS, ok_timeout)) != 0)
            return r;
        op->saved_timeout_ms = get_le32(b);
        if ((r = feed_safe(wd)) != 0)
            return r;
        uint32_t want = step_ms > EXTWD_TIMEOUT_MS_MAX ? EXTWD_TIMEOUT_MS_MAX : step_ms;
        if (want < EXTWD_TIMEOUT_MS_MIN)
            want = EXTWD_TIMEOUT_MS_MIN;
        if (has_longop_reg(wd) && op->saved_timeout_ms != 0 && want > op->saved_timeout_ms) {
            /* Firmware 2.1: a timeout of its own that no SAVE can make
             * permanent and the reset it causes ends (SPEC 5.6). */
            r = WRITE_REG(wd, LONGOP_MS, want);
            if (r) {
                if (!refused(r))
                    (void)WRITE_REG(wd, LONGOP_MS, 0);
                return r;
            }
            op->used_longop = 1;
        } else if (op->saved_timeout_ms != 0 && want > op->saved_timeout_ms) {
            r = WRITE_REG(wd, TIMEOUT_MS, want);
            if (r) {
                /* Unless the chip said no, the write may have landed without
                 * our knowing: put the old value back, best effort. */
                if (!refused(r))
                    (void)WRITE_REG(wd, TIMEOUT_MS, op->saved_timeout_ms);
                return r;
            }
            op->extended = 1;
        }
    } else {
        uint8_t s;
        if ((r = read_stable(wd, EXTWD_REG_TIMEOUT_S, &s, 1, ok_any)) != 0)
            return r;
        op->saved_timeout_ms = 1000ul * s;
        if ((r = feed_safe(wd)) != 0)
            return r;
        if (op->was_armed) {
            r = WRITE_REG(wd, ACTION, 0);
            if (r) {
                if (!refused(r))
                    (void)extwd_arm(wd);
                return r;
            }
            op->used_disarm = 1;
        }
    }
    op->active = 1;
    return 0;
}

int extwd_longop_step(struct extwd *wd, struct extwd_longop *op)
{
    int rdy = not_ready(wd);
    if (rdy)
        return rdy;
    if (!op || !op->active)
        return EXTWD_E_STATE;
    return feed_safe(wd);
}

int extwd_longop_end(struct extwd *wd, struct extwd_longop *op)
{
    int rdy = not_ready(wd);
    if (rdy)
        return rdy;
    if (!op || !op->active)
        return EXTWD_E_STATE;
    /* Feed first: the step that just ended may have used most of the raised
     * timeout, and a shorter one must not start already expired. */
    int first = feed_safe(wd);
    int r = 0;
    if (op->used_longop) {
        r = WRITE_REG(wd, LONGOP_MS, 0);
        if (r == 0)
            op->used_longop = 0;
    }
    if (op->extended) {
        r = WRITE_REG(wd, TIMEOUT_MS, op->saved_timeout_ms);
        if (r == 0)
            op->extended = 0;
    }
    if (!first)
        first = r;
    if (op->used_disarm) {
        r = WRITE_REG(wd, ACTION, 1);
        if (r == 0)
            op->used_disarm = 0;
        if (!first)
            first = r;
    }
    /* Still active after a failure, so that the caller can end it again. */
    if (!op->extended && !op->used_disarm && !op->used_longop)
        op->active = 0;
    return first;
}

