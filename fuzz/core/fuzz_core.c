/*
 * libFuzzer target for the chip core: the input is a boot configuration and
 * then a sequence of operations (write frames, read transactions, ticks,
 * bus samples, port service, chip restarts) run against the real core.
 *
 * Two shadows, both written from SPEC (firmware 2.1), never
 * from the core's code (they call nothing of wd_core.c but its public
 * entry points):
 *  - the register shadow computes every byte a read must give from the
 *    state the registers show;
 *  - the chip model keeps its own clock (ticks run, and when each feed,
 *    host arm, reset, key, disarm and read happened), its own decoding of
 *    the EEPROM and persist images, and its own record of what a host reset
 *    restores, and from those predicts what the chip may and must do.
 *
 * Invariants, each checked with an abort:
 *  (a) every byte read equals the register shadow (register positions,
 *      widths, values; the core reads live bytes, a tick in the middle of a
 *      read shows), unmapped addresses give 0xFF, and no read touches
 *      memory outside the core (ASan);
 *  (b) a refused frame leaves the core byte-identical except LAST_ERROR,
 *      REFUSED_COUNT (and the persist check and seal request) and the key
 *      state; a pointer-only frame changes only the pointer and the key;
 *      a probe changes nothing;
 *  (c) ACTION changes only through an accepted write of register 7, a
 *      factory reset, the bounded-disarm expiry, or the settings reload at
 *      a host reset or chip restart;
 *  (d) BUSERR_COUNT and the slave re-initialisation move only at a tick
 *      whose bus sample is stuck (a line low, WD_BUS_MOVED clear), by one;
 *  (e) keyed mode: no protective or keyed write (SAVE, LOCK, TEST, ACTION 0,
 *      a setting, LONGOP_MS, 0x81, 0x82, 0x84) is accepted unless the frame
 *      just before it was an accepted KEY fewer than 63 ticks earlier; and
 *      ERR_KEY comes only from such a frame or a wrong KEY;
 *  (f) timing: a timeout reset never comes before the timeout in force
 *      after the last feed, host arm or host reset (whole ticks after the
 *      feed's tick, less the partial first one; whatever a port with its
 *      own clock says, wd_core_ticks, at most 64 ms less), and never later
 *      than ceil16(T) + 16 ms after the count's start while armed and
 *      counting (a port's clock: 6 ticks more at most)
 *      (the count keeps running while unprotected and across a chip restart
 *      that keeps valid state; it starts from 0 at a feed, a host arm or
 *      the end of grace); no timeout reset while unprotected;
 *  (g) EEPROM: at every boot the settings are exactly the slot's if its
 *      check and every range hold, else exactly the factory defaults with
 *      DEFAULTS_LOADED; a save writes a valid slot of the live settings
 *      with ACTION 1 (byte-wise and in one go alike); a host reset restores
 *      exactly the last saved (or loaded) settings, ACTION 1, no LONGOP_MS;
 *  (h) bounded unprotection: while disarmed or at timeout 0 with
 *      MAX_DISARM_S != 0, the time since the later of the last feed and the
 *      moment protection went off never exceeds MAX_DISARM_S s + 16 ms (the
 *      issue allows MAX_DISARM_S + 1 s; SPEC 5.6 says this), and the chip's
 *      own re-arm never comes before MAX_DISARM_S - 1 s;
 *  (i) STATUS bit 0 set by a host reset survives every feed until STATUS or
 *      EXT_STATUS is read (or the host clears it); STATUS_UNREAD says
 *      exactly that; with nothing unread a feed clears bit 0;
 *  (j) the calibration (SPEC 5.15): a CAL_TICK_US write is taken whole or
 *      refused with nothing changed, and whatever was written and however
 *      the RC's measure moved, the period counted stays within 1/8 of the
 *      RC's measure: no calibration input shortens a timeout below
 *      TIMEOUT_MS x 8/9 of RC time;
 * plus consistency: settings always within their ranges (they survive an
 * EEPROM encode/decode round trip), a valid address, RESET output exactly
 * during the pulse, a sealed persist block that validates.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wd_chip.h"

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "fuzz_core.c:%d: invariant broken: %s\n", __LINE__, #cond); \
            abort();                                                             \
        }                                                                        \
    } while (0)

/* The chip: the real core with its EEPROM, RAM and the port's calibration,
 * served as the MCU ports serve it (firmware/host). The operations below
 * call the core's entry points themselves (frames from exact-size heap
 * copies, so ASan sees an overread; ticks and reads without the service
 * that follows them on a port, which the input asks for on its own), and
 * wd_chip does the rest: the slot handed to wd_core_init, the seal, the
 * save, the factory restart, the calibration hooks. */
static struct wd_chip chip;

static void check_cal(void)
{
    uint16_t t = wd_cal_period_us(&chip.cal, chip.rc_us);
    uint16_t d = t > chip.rc_us ? (uint16_t)(t - chip.rc_us) : (uint16_t)(chip.rc_us - t);
    CHECK(d <= chip.rc_us / EXTWD_CAL_MAX_DEV_DIV);
}

/* ---- the input ------------------------------------------------------------ */

struct input {
    const uint8_t *p;
    size_t n;
};

static uint8_t next(struct input *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

/* ---- shadow of the register map (SPEC 3), written from the spec ----------- */

struct shadow_reg {
    int mapped;
    uint8_t start, width;
    uint32_t value;
};

static uint32_t sat_s(uint32_t ms, int up)
{
    uint64_t s = ((uint64_t)ms + (up ? 999u : 0u)) / 1000u;
    return s > 255 ? 255 : (uint32_t)s;
}

/* The timeout in force (SPEC 5.1, 5.6a): LONGOP_MS when set, else TIMEOUT_MS. */
static uint32_t timeout_in_force(const struct wd_core *c)
{
    return c->longop_ms ? c->longop_ms : c->set.timeout_ms;
}

/* Unprotected (SPEC 5.6): disarmed, or no timeout in force. */
static int is_unprotected(const struct wd_core *c)
{
    return !c->set.action || !timeout_in_force(c);
}

static uint32_t ceil_ticks(uint32_t ms)
{
    return (ms + 15u) / 16u;
}

/* SPEC 5.8 in ticks of 16 ms: at most PRETIMEOUT_MS (in whole ticks,
 * rounded down) before a reset that comes after the timeout in force
 * (rounded up). */
static int pretimeout_on(const struct wd_core *c)
{
    const struct wd_settings *s = &c->set;
    uint32_t pre = s->pretimeout_ms / 16u, t = ceil_ticks(timeout_in_force(c));
    if (!pre || pre >= t || !s->action || c->pulse_t || c->grace_t)
        return 0;
    return c->since_t + pre > t;
}

static struct shadow_reg shadow(const struct wd_core *c, int locked, uint8_t a)
{
    const struct wd_persist *p = c->persist;
    const struct wd_settings *s = &c->set;
    struct shadow_reg r = {1, a, 1, 0};
    uint32_t since_ms = c->since_t * 16u, grace_ms = c->grace_t * 16u;

#define REG(st, w, v) do { r.start = (st); r.width = (w); r.value = (uint32_t)(v); return r; } while (0)
    if (a <= 0x03) REG(0x00, 4, 'E' | 'X' << 8 | 'W' << 16 | (uint32_t)'D' << 24);
    if (a <= 0x05) REG(0x04, 2, EXTWD_SETTINGS_VERSION);
    switch (a) {
    case 0x06: REG(a, 1, sat_s(s->timeout_ms, 1));
    case 0x07: REG(a, 1, s->action);
    case 0x08: REG(a, 1, 1);
    case 0x09: REG(a, 1, s->grace_s);
    case 0x0A: REG(a, 1, s->i2c_addr);
    case 0x0B: REG(a, 1, s->busload_pct);
    case 0x0C: REG(a, 1, sat_s(since_ms, 0));
    case 0x0D: REG(a, 1, sat_s(grace_ms, 1));
    case 0x0E: REG(a, 1, p->reset_count);
    case 0x0F: REG(a, 1, p->reinit_count);
    case 0x10: REG(a, 1, p->buserr_count);
    case 0x11: REG(a, 1, p->status);
    case 0x12: REG(a, 1, p->last_cause);
    case 0x20: REG(a, 1, EXTWD_PROTO_VERSION);
    case 0x21: REG(a, 1, WD_FW_MAJOR);
    case 0x22: REG(a, 1, WD_FW_MINOR);
    case 0x23: REG(a, 1, WD_FW_PATCH);
    case 0x24: REG(a, 1, WD_MCU_ID);
    case 0x25:
        REG(a, 1, (p->ext_sticky & EXTWD_XS_STICKY) | (pretimeout_on(c) ? EXTWD_XS_PRETIMEOUT : 0) |
                      (locked ? EXTWD_XS_LOCKED : 0) | (c->grace_t ? EXTWD_XS_IN_GRACE : 0));
    case 0x26: case 0x27: REG(0x26, 2, WD_CAPS);
    case 0x28: REG(a, 1, c->last_error);
    case 0x29: REG(a, 1, p->refused_count);
    case 0x2A: REG(a, 1, p->chip_reset);
    case 0x2B: REG(a, 1, p->history_len);
    case 0x2C: REG(a, 1, p->bootloop_count);
    case 0x2D: REG(a, 1, p->window_faults);
    case 0x2E: case 0x2F: REG(0x2E, 2, p->resets_total);
    case 0x30: case 0x31: case 0x32: case 0x33: REG(0x30, 4, s->timeout_ms);
    case 0x34: case 0x35: REG(0x34, 2, s->pulse_ms);
    case 0x36: case 0x37: REG(0x36, 2, s->max_disarm_s);
    case 0x38: case 0x39: REG(0x38, 2, s->pretimeout_ms);
    case 0x3A: case 0x3B: REG(0x3A, 2, s->window_ms);
    case 0x3C: REG(a, 1, s->bootloop_limit);
    case 0x3D: REG(a, 1, s->healthy_s);
    case 0x3E: REG(a, 1, s->options);
    case 0x40: REG(a, 1, c->breadcrumb);
    case 0x41: REG(a, 1, p->breadcrumb_rst);
    case 0x42: REG(a, 1, locked ? 1 : 0);
    case 0x43: case 0x44: REG(0x43, 2, 0);
    case 0x45: REG(a, 1, p->status_unread);
    case 0x48: case 0x49: case 0x4A: case 0x4B: {
        /* no reset pending while unprotected; 0 in the pulse; else what is
         * left of the timeout in force, plus any grace */
        uint32_t v, t = timeout_in_force(c);
        if (is_unprotected(c))
            v = 0xFFFFFFFFu;
        else if (c->pulse_t)
            v = 0;
        else
            v = (t > since_ms ? t - since_ms : 0) + grace_ms;
        REG(0x48, 4, v);
    }
    case 0x4C: case 0x4D: case 0x4E: case 0x4F: REG(0x4C, 4, since_ms);
    case 0x50: case 0x51: case 0x52: case 0x53: REG(0x50, 4, c->uptime_s);
    case 0x54: case 0x55: case 0x56: case 0x57: REG(0x54, 4, grace_ms);
    case 0x58: case 0x59:
        REG(0x58, 2, !is_unprotected(c) || !s->max_disarm_s ? 0xFFFFu
                     : s->max_disarm_s > c->disarm_s ? (uint32_t)(s->max_disarm_s - c->disarm_s) : 0u);
    case 0x5A: case 0x5B: REG(0x5A, 2, c->grace_eff_s);
    case 0x5C: case 0x5D: case 0x5E: case 0x5F: REG(0x5C, 4, c->longop_ms);
    case 0x78: case 0x79: REG(0x78, 2, chip.cal.count);
    case 0x7A: case 0x7B: REG(0x7A, 2, chip.cal.tick_us);
    case 0x7C: case 0x7D: REG(0x7C, 2, chip.cal.age_s);
    default:
        break;
    }
    if (a >= 0x60 && a < 0x78) {
        unsigned k = (a - 0x60u) / 6u, j = (a - 0x60u) % 6u;
        const struct wd_history_entry *e = &p->history[k];
        int valid = k < p->history_len;
        if (j == 0) REG(a, 1, valid ? e->cause : 0);
        if (j == 1) REG(a, 1, valid ? e->breadcrumb : 0);
        REG((uint8_t)(a - (j - 2)), 4,
            valid ? (uint32_t)e->uptime_s[0] | (uint32_t)e->uptime_s[1] << 8 |
                        (uint32_t)e->uptime_s[2] << 16 | (uint32_t)e->uptime_s[3] << 24
                  : 0);
    }
#undef REG
    r.mapped = 0;
    return r;
}

/* ---- the chip model's own decoding of the images (SPEC 5.12, 5.13) --------- */

/* Fletcher sums mod 256 from init (SPEC 5.12), written here again so that a
 * broken check in the core cannot agree with itself. */
static uint16_t m_fletcher(uint16_t init, const uint8_t *p, size_t n)
{
    unsigned a = init & 0xFFu, b = init >> 8;
    while (n--) {
        a = (a + *p++) & 0xFFu;
        b = (b + a) & 0xFFu;
    }
    return (uint16_t)(a | b << 8);
}

/* The ranges of SPEC 3.3 that do not depend on another value. */
static int m_settings_in_range(const struct wd_settings *s)
{
    return (s->timeout_ms == 0 || (s->timeout_ms >= 100u && s->timeout_ms <= 600000u)) &&
           s->pulse_ms >= 1u && s->pulse_ms <= 10000u && s->action <= 1u &&
           s->i2c_addr >= 0x08u && s->i2c_addr <= 0x77u && s->busload_pct >= 1u &&
           s->busload_pct <= 100u && s->healthy_s >= 1u && !(s->options & ~0x05u);
}

/* Returns 1 and fills out if img is a slot whose check and ranges hold. */
static int m_slot_valid(const uint8_t img[WD_EEPROM_SLOT_SIZE], struct wd_settings *out)
{
    struct wd_settings s;
    memcpy(&s, img, WD_SETTINGS_SIZE);
    uint16_t k = (uint16_t)(img[WD_SETTINGS_SIZE] | img[WD_SETTINGS_SIZE + 1] << 8);
    if (m_fletcher(0x4500u | EXTWD_SETTINGS_VERSION, img, WD_SETTINGS_SIZE) != k || !m_settings_in_range(&s))
        return 0;
    *out = s;
    return 1;
}

static void m_defaults(struct wd_settings *s)
{
    memset(s, 0, sizeof *s);
    s->timeout_ms = 3000;
    s->pulse_ms = 100;
    s->max_disarm_s = 300;
    s->action = 1;
    s->grace_s = 20;
    s->i2c_addr = 0x26;
    s->busload_pct = 50;
    s->bootloop_limit = 3;
    s->healthy_s = 60;
}

/* SPEC 5.13: a chip restart keeps persist if its check and every range
 * hold. */
static int m_persist_valid(const struct wd_persist *p)
{
    const uint8_t *b = (const uint8_t *)p;
    if (m_fletcher(0xE702u, b + 2, sizeof *p - 2) != p->check)
        return 0;
    if ((p->status & ~1u) || (p->ext_sticky & ~0x5Eu) || p->last_cause > 3u || p->history_len > 4u ||
        p->status_unread > 1u)
        return 0;
    for (unsigned i = 0; i < p->history_len; i++)
        if (p->history[i].cause < 1u || p->history[i].cause > 3u)
            return 0;
    return 1;
}

/* ---- the chip and its port --------------------------------------------------- */

/* The chip model: its own clock and record of events. Times are ticks run
 * (now); an event between ticks carries the number of the tick before it.
 * -1 = not known. */
static struct model {
    int64_t now;
    int64_t fed_at;       /* last feed, host arm or host reset: no timeout reset before T after it */
    int64_t count_from;   /* where the count toward the timeout started from 0, if known exactly */
    int64_t unprot_from;  /* the later of the last feed and the moment protection went off */
    int64_t key_at;       /* an accepted KEY that was the last frame */
    int locked;           /* LOCK written since the chip started */
    int unread;           /* STATUS_UNREAD: a host reset not yet followed by a STATUS read */
    int status_held;      /* STATUS bit 0 must be set: unread, and the host has not cleared it */
    struct wd_settings saved; /* what a host reset restores */
} m;

#define KEY_VALID_TICKS 63 /* SPEC 5.11: less than 63 ticks */

static int keep_expected; /* the model's forecast for the restart under way */

/* What the model knows before a chip restart, for restart_check after it. */
static struct {
    struct wd_settings want; /* the settings the restart must load */
    int slot;                /* the EEPROM slot is valid */
    int kept;                /* persist must survive */
    int first;               /* the first boot of this input */
    uint8_t action_before;
    uint32_t longop_before;
} fc;

/* The forecast of a chip restart with flags that finds img in the EEPROM
 * and p as persist. */
static void restart_expect(uint8_t flags, int first, const uint8_t img[WD_EEPROM_SLOT_SIZE],
                           const struct wd_persist *p)
{
    fc.slot = m_slot_valid(img, &fc.want);
    fc.kept = !(flags & EXTWD_CHIP_PORF) && m_persist_valid(p);
    fc.first = first;
    if (!fc.slot)
        m_defaults(&fc.want);
    if (first)
        m.unread = fc.kept ? chip.persist.status_unread : 0;
    /* firmware 2.1: ACTION is never loaded (a boot is armed); a restart that
     * keeps the count keeps a disarm and a long operation too (5.13) */
    fc.action_before = chip.core.set.action;
    fc.longop_before = chip.core.longop_ms;
    fc.want.action = 1;
}

/* What a chip restart must have done with the settings (g), persist and
 * the count. */
static void restart_check(void)
{
    struct wd_settings want = fc.want;
    int kept = fc.kept, first = fc.first, keep_live = kept && !first;

    m.saved = want;
    if (keep_live) {
        want.action = chip.core.set.action;
        CHECK(chip.core.set.action == fc.action_before);
        CHECK(chip.core.longop_ms == fc.longop_before);
    } else {
        CHECK(chip.core.longop_ms == 0);
    }
    CHECK(memcmp(&chip.core.set, &want, WD_SETTINGS_SIZE) == 0);
    CHECK(fc.slot || (chip.persist.ext_sticky & EXTWD_XS_DEFAULTS_LOADED));
    CHECK(chip.core.key_left == 0);
    m.locked = 0;
    m.key_at = -1;
    if (!kept)
        m.unread = m.status_held = 0;
    /* the count: kept by a restart with valid state (SPEC 5.13), except at
     * the first boot, where the model knew nothing of the RAM before */
    keep_expected = keep_live;
    if (!kept) {
        m.fed_at = m.now; /* counts from 0 (or grace) from here */
        m.count_from = chip.core.grace_t || chip.core.pulse_t ? -1 : m.now;
    } else if (first) {
        m.fed_at = m.count_from = -1;
    }
    if (is_unprotected(&chip.core) && !keep_live)
        m.unprot_from = m.now; /* a timeout of 0 in force at boot is bounded anew; a kept restart keeps the bound */
}

/* A chip restart by the port (wd_chip: the slot from the EEPROM). */
static void restart(uint8_t flags, int first)
{
    restart_expect(flags, first, chip.eeprom, &chip.persist);
    wd_chip_start(&chip, flags);
    restart_check();
}

static int host_reset_began(uint16_t pulse_before)
{
    return !pulse_before && chip.core.pulse_t;
}

/* (g), (i): what every host reset must leave. */
static void on_host_reset(void)
{
    CHECK(memcmp(&chip.core.set, &m.saved, WD_SETTINGS_SIZE) == 0);
    CHECK(chip.core.longop_ms == 0);
    CHECK(chip.persist.status & EXTWD_STATUS_WD_RESET);
    m.unread = m.status_held = 1;
    m.fed_at = m.now;
    m.count_from = -1; /* from the end of the pulse and grace */
    if (is_unprotected(&chip.core))
        m.unprot_from = m.now;
}

/* The model's record of protection after any step: the bound (h) runs from
 * the moment protection went off. */
static void note_protection(int was_unprot)
{
    if (is_unprotected(&chip.core) && !was_unprot)
        m.unprot_from = m.now;
}

/* (g) a save: a valid slot of the live settings (whose ACTION byte no
 * load takes: what a host reset restores is ACTION 1). */
static void check_save_image(const uint8_t img[WD_EEPROM_SLOT_SIZE], const struct wd_settings *live)
{
    struct wd_settings s;
    CHECK(m_slot_valid(img, &s));
    CHECK(memcmp(&s, live, WD_SETTINGS_SIZE) == 0);
}

/* The port's service (wd_chip_serve), checked: a save writes what the
 * byte-wise save of the MCU ports writes (g), and a factory reset's
 * restart is the model's. extra 0x70-0x7F tears a save after its first
 * extra & 15 bytes (not a factory reset's: the chip restarts only once its
 * save is checked). */
static void serve(uint8_t extra)
{
    int was_unprot = is_unprotected(&chip.core);
    uint8_t pending = chip.core.flags & WD_REQ_ALL; /* white-box: what the service takes */
    uint8_t bytes[WD_EEPROM_SLOT_SIZE], old[WD_EEPROM_SIZE];
    struct wd_settings live = chip.core.set;

    memcpy(old, chip.eeprom, sizeof old);
    if (pending & (WD_REQ_SAVE | WD_REQ_FACTORY)) {
        for (uint8_t i = 0; i < WD_EEPROM_SLOT_SIZE; i++)
            bytes[i] = wd_core_slot_byte(&chip.core, i);
        check_save_image(bytes, &live);
    }
    if (pending & WD_REQ_FACTORY) {
        /* the restart finds the slot just saved, and persist sealed first */
        struct wd_persist sealed = chip.persist;
        if (pending & WD_REQ_SEAL)
            sealed.check = m_fletcher(0xE702u, (const uint8_t *)&sealed + 2, sizeof sealed - 2);
        restart_expect(EXTWD_CHIP_WDRF, 0, bytes, &sealed);
    }
    CHECK(wd_chip_serve(&chip) == pending);
    if (pending & (WD_REQ_SAVE | WD_REQ_FACTORY)) {
        CHECK(memcmp(chip.eeprom, bytes, sizeof bytes) == 0);
        CHECK(m_slot_valid(bytes, &m.saved));
        m.saved.action = 1;
        uint8_t cut = extra & 15u;
        if (!(pending & WD_REQ_FACTORY) && (extra & 0x70) == 0x70)
            memcpy(chip.eeprom + cut, old + cut, sizeof old - cut); /* a torn write */
    }
    if (pending & WD_REQ_FACTORY)
        restart_check();
    note_protection(was_unprot);
}

static void check_consistent(void)
{
    struct wd_settings d;
    uint8_t img[WD_EEPROM_SLOT_SIZE];

    wd_settings_encode(&chip.core.set, img);
    CHECK(wd_settings_decode(img, &d) == 0);
    CHECK(memcmp(&d, &chip.core.set, WD_SETTINGS_SIZE) == 0);
    CHECK(m_settings_in_range(&chip.core.set));
    CHECK(chip.core.longop_ms == 0 || (chip.core.longop_ms >= 100u && chip.core.longop_ms <= 600000u));
    uint8_t addr = wd_core_address(&chip.core);
    CHECK(addr >= EXTWD_I2C_ADDR_MIN && addr <= EXTWD_I2C_ADDR_MAX);
    CHECK(!!(wd_core_outputs(&chip.core) & WD_OUT_RESET) == !!chip.core.pulse_t);
    CHECK(!(wd_core_outputs(&chip.core) & WD_OUT_PRETIMEOUT) ||
          ((chip.core.set.options & EXTWD_OPT_PRETIMEOUT_PIN) && pretimeout_on(&chip.core)));
    CHECK(chip.persist.history_len <= EXTWD_HISTORY_ENTRIES);
    CHECK(!(chip.core.pulse_t && chip.core.grace_t));
    CHECK(chip.core.grace_eff_s <= 1048u);
    /* (i) */
    CHECK(chip.persist.status_unread == m.unread);
    CHECK(!m.status_held || (chip.persist.status & EXTWD_STATUS_WD_RESET));
}

/* The state a refused frame may change, copied from `after` into `before`. */
static void allow_refusal(struct wd_core *before, struct wd_persist *pbefore,
                          const struct wd_core *after, const struct wd_persist *pafter)
{
    before->last_error = after->last_error;
    before->key_left = after->key_left;
    before->flags = (uint8_t)((before->flags & ~WD_REQ_ALL) | (after->flags & WD_REQ_ALL));
    before->live_check = after->live_check;
    pbefore->refused_count = pafter->refused_count;
    pbefore->check = pafter->check;
}

/* SPEC 5.11: the frames keyed mode restricts. */
static int needs_key(const uint8_t *f, uint8_t len)
{
    uint8_t r = f[0];
    if (len == 1 && r < 0x80)
        return 0; /* a pointer set */
    return r == EXTWD_CMD_SAVE || r == EXTWD_CMD_FACTORY_RESET || r == EXTWD_CMD_SET_ADDRESS ||
           r == EXTWD_CMD_CLEAR_COUNTERS || r == EXTWD_CMD_TEST_ACTION || r == EXTWD_REG_LOCK ||
           r == EXTWD_REG_TIMEOUT_S || r == EXTWD_REG_GRACE_S || r == EXTWD_REG_I2C_ADDR ||
           r == EXTWD_REG_BUSLOAD_PCT || (r >= EXTWD_REG_TIMEOUT_MS && r <= EXTWD_REG_OPTIONS) ||
           (r >= EXTWD_REG_LONGOP_MS && r < EXTWD_REG_LONGOP_MS + 4) ||
           (r == EXTWD_REG_ACTION && len >= 2 && f[1] == 0);
}

static void do_frame(struct input *in, uint8_t op, int with_pec)
{
    uint8_t len = op & 7u;
    if (len == 7)
        len = (uint8_t)(7u + next(in) % 249u); /* the port saw an overflow */
    uint8_t stored = len < EXTWD_FRAME_MAX ? len : EXTWD_FRAME_MAX;
    uint8_t bytes[EXTWD_FRAME_MAX + 1];
    for (uint8_t i = 0; i < stored; i++)
        bytes[i] = next(in);
    if (with_pec && len >= 1 && len < EXTWD_FRAME_MAX) {
        uint8_t crc = extwd_pec_update(0, (uint8_t)(wd_core_address(&chip.core) << 1));
        for (uint8_t i = 0; i < len; i++)
            crc = extwd_pec_update(crc, bytes[i]);
        bytes[len++] = crc;
        stored = len;
    }
    /* exactly the bytes the port holds, on the heap so ASan sees overreads */
    uint8_t *f = malloc(stored ? stored : 1);
    CHECK(f);
    memcpy(f, bytes, stored);

    struct wd_core before = chip.core;
    struct wd_persist pbefore = chip.persist;
    int locked_before = m.locked, was_unprot = is_unprotected(&chip.core);
    int keyed = (chip.core.set.options & EXTWD_OPT_KEYED) != 0;
    int fresh = m.key_at >= 0 && m.now - m.key_at < KEY_VALID_TICKS;
    uint8_t old_error = chip.core.last_error;
    struct wd_cal cal_before = chip.cal;
    chip.core.last_error = 0xEE; /* sentinel: untouched means a pointer set or a probe */
    wd_core_frame(&chip.core, f, len);
    uint8_t err = chip.core.last_error;
    if (err == 0xEE)
        chip.core.last_error = old_error;
    /* (j) a CAL_TICK_US write is taken whole or refused (RANGE, the port's
     * bound: it needs no key) with nothing changed */
    if (len == 3 && f[0] == EXTWD_REG_CAL_TICK_US) {
        uint16_t us = (uint16_t)(f[1] | f[2] << 8);
        CHECK(err == EXTWD_ERR_OK || err == EXTWD_ERR_RANGE);
        if (err == EXTWD_ERR_OK)
            CHECK(chip.cal.tick_us == us && chip.cal.age_s == (us ? 0 : 0xFFFFu));
    }
    if (!(len == 3 && f[0] == EXTWD_REG_CAL_TICK_US && err == EXTWD_ERR_OK))
        CHECK(!memcmp(&cal_before, &chip.cal, sizeof cal_before));
    before.last_error = old_error;
    if (len)
        m.key_at = -1; /* any frame uses the key up */

    if (len == 0) {
        /* a probe: nothing at all */
        CHECK(memcmp(&before, &chip.core, sizeof chip.core) == 0);
        CHECK(memcmp(&pbefore, &chip.persist, sizeof chip.persist) == 0);
    } else if (err == 0xEE) {
        /* a pointer set: [reg] or [0x83, reg] */
        CHECK((len == 1 && f[0] < 0x80) || (f[0] == EXTWD_CMD_SET_POINTER && len == 2));
        CHECK(chip.core.read_ptr == f[len == 1 ? 0 : 1]);
        CHECK(chip.core.key_left == 0);
        before.read_ptr = chip.core.read_ptr;
        before.key_left = chip.core.key_left;
        before.live_check = chip.core.live_check;
        CHECK(memcmp(&before, &chip.core, sizeof chip.core) == 0);
        CHECK(memcmp(&pbefore, &chip.persist, sizeof chip.persist) == 0);
    } else if (err != EXTWD_ERR_OK) {
        /* (b) refused: nothing but the refusal's own traces */
        CHECK(err <= EXTWD_ERR_DISARMED);
        CHECK(chip.persist.refused_count == (pbefore.refused_count == 255 ? 255 : pbefore.refused_count + 1));
        CHECK(chip.core.key_left == 0);
        CHECK(chip.core.flags & WD_REQ_SEAL);
        allow_refusal(&before, &pbefore, &chip.core, &chip.persist);
        CHECK(memcmp(&before, &chip.core, sizeof chip.core) == 0);
        CHECK(memcmp(&pbefore, &chip.persist, sizeof chip.persist) == 0);
        /* (e) ERR_KEY only for a restricted frame without a fresh key, or a
         * wrong KEY */
        if (err == EXTWD_ERR_KEY)
            CHECK((f[0] == EXTWD_REG_KEY && len == 3) || (keyed && !fresh && needs_key(f, len)));
    } else {
        /* accepted */
        int reset = host_reset_began(before.pulse_t);
        if (f[0] == EXTWD_REG_LOCK)
            m.locked = 1;
        if (f[0] == EXTWD_REG_KEY)
            m.key_at = m.now;
        /* (e) keyed mode */
        if (keyed && !fresh)
            CHECK(!needs_key(f, len));
        /* (c) the armed state */
        if (chip.core.set.action != before.set.action)
            CHECK(f[0] == EXTWD_REG_ACTION || f[0] == EXTWD_CMD_FACTORY_RESET || reset);
        /* register 6 and 0x30 never arm or disarm */
        if (f[0] == EXTWD_REG_TIMEOUT_S || f[0] == EXTWD_REG_TIMEOUT_MS)
            CHECK(chip.core.set.action == before.set.action);
        /* a lock refuses every protective write (SPEC 5.11) */
        if (locked_before) {
            CHECK(f[0] != EXTWD_CMD_FACTORY_RESET && f[0] != EXTWD_CMD_SET_ADDRESS &&
                  f[0] != EXTWD_CMD_CLEAR_COUNTERS);
            CHECK(!(f[0] == EXTWD_REG_ACTION && f[1] == 0));
            CHECK(!(f[0] >= 0x30 && f[0] <= 0x3E) && f[0] != 0x06 && f[0] != 0x09 &&
                  f[0] != 0x0A && f[0] != 0x0B && !(f[0] >= 0x5C && f[0] <= 0x5F));
        }
        if (reset) {
            /* a test reset, or a feed inside the window */
            CHECK(f[0] == EXTWD_CMD_TEST_ACTION || f[0] == EXTWD_CMD_FEED);
            on_host_reset();
        } else if (f[0] == EXTWD_CMD_FEED) {
            m.fed_at = m.count_from = m.now;
            if (was_unprot)
                m.unprot_from = m.now; /* a disarmed host that feeds is alive */
            /* (i) a feed clears STATUS bit 0 only once it has been read */
            if (!m.unread)
                CHECK(!(chip.persist.status & EXTWD_STATUS_WD_RESET));
        } else if (f[0] == EXTWD_REG_STATUS && !(f[1] & EXTWD_STATUS_WD_RESET)) {
            m.status_held = 0; /* the host cleared it itself */
        }
        /* (f) a host arm (unprotected to protected by this write) gives a
         * full timeout */
        if (!reset && was_unprot && !is_unprotected(&chip.core))
            m.fed_at = m.count_from = m.now;
    }
    note_protection(was_unprot);
    free(f);
}

/* One tick with the model's checks: (c), (d), (f), (h); sure8 is what a
 * port with its own clock says (wd_core_ticks; 0: wd_core_tick, the core's
 * own rule). */
static void do_tick_sure(uint8_t bus, int16_t sure8)
{
    /* (f) the port's clock moves the reset by at most 64 ms before the
     * core's rule (WD_SURE8_MAX) and 6 ticks after it (WD_SURE8_MIN) */
    int32_t s8 = sure8 > WD_SURE8_MAX ? WD_SURE8_MAX : sure8 < WD_SURE8_MIN ? WD_SURE8_MIN : sure8;
    int64_t early_ms = s8 > 0 ? (s8 * 8 + 999) / 1000 : 0;
    int64_t late_ticks = s8 < 0 ? (-s8 * 8 + 15999) / 16000 : 0;
    uint16_t pulse = chip.core.pulse_t, grace = chip.core.grace_t;
    uint8_t action = chip.core.set.action;
    uint8_t sticky = chip.persist.ext_sticky;
    uint16_t max_disarm = chip.core.set.max_disarm_s;
    uint32_t t_before = timeout_in_force(&chip.core);
    int was_unprot = is_unprotected(&chip.core);
    uint8_t buserr = chip.persist.buserr_count, reinit_req = chip.core.flags & WD_REQ_BUS_REINIT;

    m.now++;
    uint32_t up = chip.core.uptime_s;
    if (sure8)
        wd_core_ticks(&chip.core, 1, bus, sure8);
    else
        wd_core_tick(&chip.core, bus);
    wd_cal_periods(&chip.cal, 1, up != chip.core.uptime_s);
    int reset = host_reset_began(pulse);

    /* (d) bus health (SPEC 5.10): only a stuck sample (a line low, nothing
     * moved) counts, at most once a tick */
    if (!bus || (bus & WD_BUS_MOVED)) {
        CHECK(chip.persist.buserr_count == buserr);
        CHECK(reinit_req || !(chip.core.flags & WD_REQ_BUS_REINIT));
    } else {
        CHECK((uint8_t)(chip.persist.buserr_count - buserr) <= 1u);
    }
    /* the chip's own re-arm at the bound (SPEC 5.6), seen from outside */
    int rearmed = was_unprot && (reset || !is_unprotected(&chip.core));
    if (chip.core.set.action != action) {
        /* (c) a host reset (reload) or the bounded-disarm expiry */
        int expiry = !action && chip.core.set.action && max_disarm && (chip.persist.ext_sticky & EXTWD_XS_AUTO_REARMED);
        CHECK(reset || expiry);
    }
    if (!(sticky & EXTWD_XS_AUTO_REARMED) && (chip.persist.ext_sticky & EXTWD_XS_AUTO_REARMED))
        CHECK(was_unprot && max_disarm);
    if (rearmed) {
        /* (h) every disarm lasts its full bound */
        CHECK(max_disarm && (chip.persist.ext_sticky & EXTWD_XS_AUTO_REARMED));
        if (m.unprot_from >= 0)
            CHECK((m.now - m.unprot_from) * 16 >= ((int64_t)max_disarm - 1) * 1000);
        /* armed again, and a timeout of 0 became the saved one, or 3000 */
        if (!reset && !t_before)
            CHECK(chip.core.set.timeout_ms == (m.saved.timeout_ms ? m.saved.timeout_ms : 3000u));
    }

    if (reset) {
        /* (f) a timeout reset: never early. The timeout it ran against is
         * the one in force, or, at a re-arm from timeout 0, the saved one
         * (or 3000). */
        uint32_t t = t_before ? t_before : (m.saved.timeout_ms ? m.saved.timeout_ms : 3000u);
        CHECK(chip.persist.last_cause == EXTWD_CAUSE_TIMEOUT);
        if (m.fed_at >= 0)
            CHECK((m.now - m.fed_at - 1) * 16 + early_ms >= (int64_t)t);
        on_host_reset();
    } else if ((pulse || grace) && !chip.core.pulse_t && !chip.core.grace_t) {
        m.count_from = m.now; /* grace over: the count starts from 0 */
    } else if (!pulse && !grace && !is_unprotected(&chip.core) && m.count_from >= 0) {
        /* (f) never late: the reset must have come at tick ceil(T/16) + 1 */
        CHECK(m.now - m.count_from < (int64_t)ceil_ticks(timeout_in_force(&chip.core)) + 1 + late_ticks);
    }
    note_protection(was_unprot);
    /* (h) bounded unprotection: re-armed once MAX_DISARM_S whole uptime
     * seconds have begun since the start, that is by MAX_DISARM_S s plus
     * one tick (SPEC 5.6; tighter than the MAX_DISARM_S + 1 s the issue
     * allows). A bound written shorter than the time already spent acts at
     * the next tick, which is this one for a write before it. */
    if (is_unprotected(&chip.core) && chip.core.set.max_disarm_s && m.unprot_from >= 0)
        CHECK((m.now - m.unprot_from) * 16 <= (int64_t)chip.core.set.max_disarm_s * 1000 + 16);
}

static void do_tick(uint8_t bus)
{
    do_tick_sure(bus, 0);
}

/* (a) one read transaction against the shadow, with an optional tick in the
 * middle: the core reads live bytes (the ports hold ticks back during a
 * transaction), so every byte is the shadow's byte of that moment. */
static void do_read(uint8_t n, int tick_at)
{
    uint8_t ptr = chip.core.read_ptr;

    wd_core_read_begin(&chip.core);
    for (int i = 0; i < n; i++) {
        if (i == tick_at)
            do_tick(0);
        unsigned a = (unsigned)ptr + (unsigned)i;
        uint8_t got = wd_core_read_next(&chip.core), want = 0xFF;
        if (ptr < 0x80 && a < 0x80) {
            struct shadow_reg r = shadow(&chip.core, m.locked, (uint8_t)a);
            if (r.mapped)
                want = (uint8_t)(r.value >> (8 * (a - r.start)));
            /* (i) reading STATUS or EXT_STATUS is what lets a feed clear bit 0 */
            if (a == EXTWD_REG_STATUS || a == EXTWD_REG_EXT_STATUS)
                m.unread = m.status_held = 0;
        }
        CHECK(got == want);
    }
}

/* A chip restart with the model's forecast of the count checked after it:
 * a restart with valid state keeps counting (SPEC 5.13). */
static void do_restart(uint8_t flags)
{
    uint16_t since = chip.core.since_t, grace = chip.core.grace_t, pulse = chip.core.pulse_t;
    int was_unprot = is_unprotected(&chip.core);
    restart(flags, 0);
    if (keep_expected)
        CHECK(chip.core.since_t == since && chip.core.grace_t == grace && chip.core.pulse_t == pulse);
    serve(0);
    note_protection(was_unprot);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {data, size};
    uint8_t cfg = next(&in);

    memset(&chip, 0, sizeof chip); /* the port's own state, nothing of the last input */
    /* EEPROM: erased, a valid slot, raw bytes from the input, or zeros */
    switch (cfg & 3u) {
    case 0:
        memset(chip.eeprom, 0xFF, sizeof chip.eeprom);
        break;
    case 1: {
        struct wd_settings s;
        wd_settings_defaults(&s);
        memset(chip.eeprom, 0xFF, sizeof chip.eeprom);
        s.timeout_ms = 100u + 16u * next(&in);
        s.grace_s = next(&in) & 3u;
        s.pulse_ms = (uint16_t)(1u + next(&in));
        s.max_disarm_s = next(&in) & 7u;
        s.pretimeout_ms = next(&in);
        s.window_ms = next(&in);
        s.options = next(&in) & EXTWD_OPT_MASK;
        s.bootloop_limit = next(&in) & 3u;
        s.healthy_s = (uint8_t)(1u + (next(&in) & 7u));
        s.action = next(&in) & 1u;
        wd_settings_encode(&s, chip.eeprom);
        break;
    }
    case 2:
        for (size_t i = 0; i < sizeof chip.eeprom; i++)
            chip.eeprom[i] = next(&in);
        break;
    default:
        memset(chip.eeprom, 0, sizeof chip.eeprom);
        break;
    }
    /* persist: garbage from the input, then power-on or a restart */
    for (size_t i = 0; i < sizeof chip.persist; i++)
        ((uint8_t *)&chip.persist)[i] = next(&in);
    memset(&chip.core, 0xA5, sizeof chip.core);
    wd_cal_clear(&chip.cal);
    chip.cal.count = 0;
    chip.rc_us = WD_CAL_TICK_US;
    memset(&m, 0, sizeof m);
    m.fed_at = m.count_from = m.unprot_from = m.key_at = -1;
    restart((uint8_t)(cfg >> 4), 1);
    serve(0);
    check_consistent();

    while (in.n) {
        uint8_t op = next(&in);
        switch (op >> 5) {
        case 0:
        case 1:
            do_frame(&in, op, 0);
            break;
        case 2:
            do_frame(&in, op, 1);
            break;
        case 3:
            do_read((uint8_t)((op & 15u) + 1u), (op & 16u) ? (op & 7) : -1);
            break;
        case 4: {
            /* 1-31 ticks, or up to 4095 (65 s) in one step */
            uint16_t n = (uint16_t)((op & 31u) + 1u);
            if (n == 32u)
                n = (uint16_t)((next(&in) | next(&in) << 8) & 0x0FFFu);
            while (n--)
                do_tick(0);
            break;
        }
        case 5: {
            /* what the port saw of the bus: lines low, WD_BUS_MOVED */
            uint8_t bus = (op & 16u) ? next(&in) : 1u;
            for (uint8_t i = 0; i <= (op & 15u); i++)
                do_tick(bus);
            break;
        }
        case 6:
            if (op & 1u)
                wd_core_factory_reset(&chip.core);
            if (op & 2u) /* the RC's measure moves: 12.8 .. 19.2 ms */
                chip.rc_us = (uint16_t)(12800u + 32u * (next(&in) % 201u));
            if (op & 4u) { /* 1-16 ticks with a port's own clock (SPEC 5.1, 5.15) */
                int16_t sure8 = (int16_t)(next(&in) | next(&in) << 8);
                for (uint8_t i = 0, n = (uint8_t)((next(&in) & 15u) + 1u); i < n; i++)
                    do_tick_sure(0, sure8);
            }
            serve(next(&in));
            CHECK(chip.persist.check == m_fletcher(0xE702u, (const uint8_t *)&chip.persist + 2, sizeof chip.persist - 2));
            break;
        default:
            if (op & 16u)
                ((uint8_t *)&chip.persist)[next(&in) % sizeof chip.persist] ^= next(&in);
            do_restart(op & 15u);
            break;
        }
        check_consistent();
        check_cal();
    }
    return 0;
}
