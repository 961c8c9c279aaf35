/*
 * libFuzzer target for the chip core: the input is a boot configuration and
 * then a sequence of operations (write frames, read transactions, ticks,
 * bus samples, port service, chip restarts) run against the real core.
 *
 * Invariants, each checked with an abort:
 *  (a) every byte read equals an independent shadow of SPEC 3 (register
 *      positions, widths, values; the core reads live bytes, a tick in the
 *      middle of a read shows), unmapped addresses give 0xFF, and no read
 *      touches memory outside the core (ASan);
 *  (b) a refused frame leaves the core byte-identical except LAST_ERROR,
 *      REFUSED_COUNT (and the persist check and seal request) and the key
 *      state; a pointer-only frame changes only the pointer and the key;
 *      a probe changes nothing;
 *  (c) ACTION changes only through an accepted write of register 7, a
 *      factory reset, the bounded-disarm expiry, or the settings reload at
 *      a host reset or chip restart;
 *  (d) BUSERR_COUNT and the slave re-initialisation move only at a tick
 *      whose bus sample is stuck (a line low, WD_BUS_MOVED clear), by one;
 *  (e) the calibration (SPEC 5.15): a CAL_TICK_US write is taken whole or
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

#include "wd_cal.h"
#include "wd_core.h"

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "fuzz_core.c:%d: invariant broken: %s\n", __LINE__, #cond); \
            abort();                                                             \
        }                                                                        \
    } while (0)

static uint8_t eeprom[WD_EEPROM_SIZE];

void wd_port_eeprom_read(uint16_t offset, uint8_t *dst, uint8_t n)
{
    CHECK((unsigned)offset + n <= sizeof eeprom);
    memcpy(dst, eeprom + offset, n);
}

/* The port's calibration (SPEC 5.15): the RC's measure of a period moves
 * with the input; invariant (e): whatever is written, the period counted is
 * never more than 1/EXTWD_CAL_MAX_DEV_DIV off the RC's measure, so no
 * calibration can shorten a timeout below TIMEOUT_MS x 8/9 of RC time. */
static struct wd_cal fz_cal;
static uint16_t fz_rc_us = WD_CAL_TICK_US;

uint8_t wd_port_cal_read(uint8_t i)
{
    CHECK(i < sizeof fz_cal);
    return ((const uint8_t *)&fz_cal)[i];
}

uint8_t wd_port_cal_write(uint16_t us)
{
    struct wd_cal before = fz_cal;
    uint8_t err = wd_cal_set(&fz_cal, us, fz_rc_us);
    CHECK(err == EXTWD_ERR_OK || err == EXTWD_ERR_RANGE);
    if (err)
        CHECK(!memcmp(&before, &fz_cal, sizeof fz_cal));
    else
        CHECK(fz_cal.tick_us == us && fz_cal.age_s == (us ? 0 : 0xFFFFu));
    return err;
}

static void check_cal(void)
{
    uint16_t t = wd_cal_period_us(&fz_cal, fz_rc_us);
    uint16_t d = t > fz_rc_us ? (uint16_t)(t - fz_rc_us) : (uint16_t)(fz_rc_us - t);
    CHECK(d <= fz_rc_us / EXTWD_CAL_MAX_DEV_DIV);
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

/* SPEC 5.8 in ticks of 16 ms: fewer than PRETIMEOUT_MS (rounded up to
 * ticks) before a reset that comes after TIMEOUT_MS (rounded up). */
static int pretimeout_on(const struct wd_core *c)
{
    const struct wd_settings *s = &c->set;
    uint32_t pre = (s->pretimeout_ms + 15u) / 16u, t = (s->timeout_ms + 15u) / 16u;
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
    case 0x48: case 0x49: case 0x4A: case 0x4B: {
        uint32_t v;
        if (!s->action || !s->timeout_ms)
            v = 0xFFFFFFFFu;
        else if (c->pulse_t)
            v = 0;
        else if (c->grace_t)
            v = grace_ms + s->timeout_ms;
        else
            v = s->timeout_ms > since_ms ? s->timeout_ms - since_ms : 0;
        REG(0x48, 4, v);
    }
    case 0x4C: case 0x4D: case 0x4E: case 0x4F: REG(0x4C, 4, since_ms);
    case 0x50: case 0x51: case 0x52: case 0x53: REG(0x50, 4, c->uptime_s);
    case 0x54: case 0x55: case 0x56: case 0x57: REG(0x54, 4, grace_ms);
    case 0x58: case 0x59:
        REG(0x58, 2, s->action || !s->max_disarm_s ? 0xFFFFu
                     : s->max_disarm_s > c->disarm_s ? (uint32_t)(s->max_disarm_s - c->disarm_s) : 0u);
    case 0x5A: case 0x5B: REG(0x5A, 2, c->grace_eff_s);
    case 0x78: case 0x79: REG(0x78, 2, fz_cal.count);
    case 0x7A: case 0x7B: REG(0x7A, 2, fz_cal.tick_us);
    case 0x7C: case 0x7D: REG(0x7C, 2, fz_cal.age_s);
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

/* ---- the chip and its port --------------------------------------------------- */

static struct wd_core core;
static struct wd_persist persist;
static int locked; /* the shadow's own record of LOCK */

static void restart(uint8_t flags)
{
    wd_core_init(&core, &persist, flags);
    locked = 0;
}

static int host_reset_began(uint16_t pulse_before)
{
    return !pulse_before && core.pulse_t;
}

static void serve(uint8_t extra)
{
    if (extra & 0x80)
        wd_core_note_reinit(&core);
    uint8_t r = wd_core_take_requests(&core);
    if (r & WD_REQ_SEAL)
        wd_core_seal(&core);
    if (r & (WD_REQ_SAVE | WD_REQ_FACTORY)) {
        uint8_t img[WD_EEPROM_SLOT_SIZE];
        uint16_t off = wd_core_eeprom_slot(&core, img);
        CHECK(off == 0);
        /* a torn write now and then */
        memcpy(eeprom + off, img, (extra & 0x70) == 0x70 ? (extra & 15u) : sizeof img);
    }
    if (r & WD_REQ_FACTORY) {
        restart(EXTWD_CHIP_WDRF);
        wd_core_take_requests(&core); /* init seals on its own */
    }
}

static void check_consistent(void)
{
    struct wd_settings d;
    uint8_t img[WD_EEPROM_SLOT_SIZE];

    wd_settings_encode(&core.set, img);
    CHECK(wd_settings_decode(img, &d) == 0);
    CHECK(memcmp(&d, &core.set, WD_SETTINGS_SIZE) == 0);
    uint8_t addr = wd_core_address(&core);
    CHECK(addr >= EXTWD_I2C_ADDR_MIN && addr <= EXTWD_I2C_ADDR_MAX);
    CHECK(!!(wd_core_outputs(&core) & WD_OUT_RESET) == !!core.pulse_t);
    CHECK(!(wd_core_outputs(&core) & WD_OUT_PRETIMEOUT) ||
          ((core.set.options & EXTWD_OPT_PRETIMEOUT_PIN) && pretimeout_on(&core)));
    CHECK(persist.history_len <= EXTWD_HISTORY_ENTRIES);
    CHECK(!(core.pulse_t && core.grace_t));
    CHECK(core.grace_eff_s <= 1048u);
}

/* The state a refused frame may change, copied from `after` into `before`. */
static void allow_refusal(struct wd_core *before, struct wd_persist *pbefore,
                          const struct wd_core *after, const struct wd_persist *pafter)
{
    before->last_error = after->last_error;
    before->key_left = after->key_left;
    before->flags = (uint8_t)((before->flags & ~WD_REQ_ALL) | (after->flags & WD_REQ_ALL));
    pbefore->refused_count = pafter->refused_count;
    pbefore->check = pafter->check;
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
        uint8_t crc = extwd_pec_update(0, (uint8_t)(wd_core_address(&core) << 1));
        for (uint8_t i = 0; i < len; i++)
            crc = extwd_pec_update(crc, bytes[i]);
        bytes[len++] = crc;
        stored = len;
    }
    /* exactly the bytes the port holds, on the heap so ASan sees overreads */
    uint8_t *f = malloc(stored ? stored : 1);
    CHECK(f);
    memcpy(f, bytes, stored);

    struct wd_core before = core;
    struct wd_persist pbefore = persist;
    int locked_before = locked;
    uint8_t old_error = core.last_error;
    core.last_error = 0xEE; /* sentinel: untouched means a pointer set or a probe */
    wd_core_frame(&core, f, len);
    uint8_t err = core.last_error;
    if (err == 0xEE)
        core.last_error = old_error;
    before.last_error = old_error;

    if (len == 0) {
        /* a probe: nothing at all */
        CHECK(memcmp(&before, &core, sizeof core) == 0);
        CHECK(memcmp(&pbefore, &persist, sizeof persist) == 0);
    } else if (err == 0xEE) {
        /* a pointer set: [reg] or [0x83, reg] */
        CHECK((len == 1 && f[0] < 0x80) || (f[0] == EXTWD_CMD_SET_POINTER && len == 2));
        CHECK(core.read_ptr == f[len == 1 ? 0 : 1]);
        CHECK(core.key_left == 0);
        before.read_ptr = core.read_ptr;
        before.key_left = core.key_left;
        CHECK(memcmp(&before, &core, sizeof core) == 0);
        CHECK(memcmp(&pbefore, &persist, sizeof persist) == 0);
    } else if (err != EXTWD_ERR_OK) {
        /* (b) refused: nothing but the refusal's own traces */
        CHECK(err <= EXTWD_ERR_DISARMED);
        CHECK(persist.refused_count == (pbefore.refused_count == 255 ? 255 : pbefore.refused_count + 1));
        CHECK(core.key_left == 0);
        CHECK(core.flags & WD_REQ_SEAL);
        allow_refusal(&before, &pbefore, &core, &persist);
        CHECK(memcmp(&before, &core, sizeof core) == 0);
        CHECK(memcmp(&pbefore, &persist, sizeof persist) == 0);
    } else {
        /* accepted */
        if (f[0] == EXTWD_REG_LOCK)
            locked = 1;
        /* (c) the armed state */
        if (core.set.action != before.set.action)
            CHECK(f[0] == EXTWD_REG_ACTION || f[0] == EXTWD_CMD_FACTORY_RESET ||
                  host_reset_began(before.pulse_t));
        /* register 6 and 0x30 never arm or disarm */
        if (f[0] == EXTWD_REG_TIMEOUT_S || f[0] == EXTWD_REG_TIMEOUT_MS)
            CHECK(core.set.action == before.set.action);
        /* a lock refuses every protective write (SPEC 5.11) */
        if (locked_before) {
            CHECK(f[0] != EXTWD_CMD_FACTORY_RESET && f[0] != EXTWD_CMD_SET_ADDRESS &&
                  f[0] != EXTWD_CMD_CLEAR_COUNTERS);
            CHECK(!(f[0] == EXTWD_REG_ACTION && f[1] == 0));
            CHECK(!(f[0] >= 0x30 && f[0] <= 0x3E) && f[0] != 0x06 && f[0] != 0x09 &&
                  f[0] != 0x0A && f[0] != 0x0B);
        }
    }
    free(f);
}

/* (a) one read transaction against the shadow, with an optional tick in the
 * middle: the core reads live bytes (the ports hold ticks back during a
 * transaction), so every byte is the shadow's byte of that moment. */
static void do_read(uint8_t n, int tick_at)
{
    uint8_t ptr = core.read_ptr;

    wd_core_read_begin(&core);
    for (int i = 0; i < n; i++) {
        if (i == tick_at) {
            uint16_t pulse = core.pulse_t;
            uint8_t action = core.set.action;
            wd_core_tick(&core, WD_TICK_MS, 0);
            if (core.set.action != action)
                CHECK(host_reset_began(pulse) || (persist.ext_sticky & EXTWD_XS_AUTO_REARMED));
        }
        unsigned a = (unsigned)ptr + (unsigned)i;
        uint8_t got = wd_core_read_next(&core), want = 0xFF;
        if (ptr < 0x80 && a < 0x80) {
            struct shadow_reg r = shadow(&core, locked, (uint8_t)a);
            if (r.mapped)
                want = (uint8_t)(r.value >> (8 * (a - r.start)));
        }
        CHECK(got == want);
    }
}

static void do_tick(uint16_t ms, uint8_t bus)
{
    uint16_t pulse = core.pulse_t;
    uint8_t action = core.set.action;
    uint8_t sticky = persist.ext_sticky;
    uint16_t max_disarm = core.set.max_disarm_s;
    uint8_t buserr = persist.buserr_count, reinit_req = core.flags & WD_REQ_BUS_REINIT;

    uint32_t up = core.uptime_s;
    wd_core_tick(&core, ms, bus); /* one tick, whatever ms says */
    wd_cal_periods(&fz_cal, 1, up != core.uptime_s);
    /* (d) bus health (SPEC 5.10): only a stuck sample (a line low, nothing
     * moved) counts, at most once a tick */
    if (!bus || (bus & WD_BUS_MOVED)) {
        CHECK(persist.buserr_count == buserr);
        CHECK(reinit_req || !(core.flags & WD_REQ_BUS_REINIT));
    } else {
        CHECK((uint8_t)(persist.buserr_count - buserr) <= 1u);
    }
    if (core.set.action != action) {
        /* (c) a host reset (reload) or the bounded-disarm expiry */
        int expiry = !action && core.set.action && max_disarm && core.disarm_s >= max_disarm &&
                     (persist.ext_sticky & EXTWD_XS_AUTO_REARMED);
        CHECK(host_reset_began(pulse) || expiry);
    }
    if (!(sticky & EXTWD_XS_AUTO_REARMED) && (persist.ext_sticky & EXTWD_XS_AUTO_REARMED))
        CHECK(!action && max_disarm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {data, size};
    uint8_t cfg = next(&in);

    /* EEPROM: erased, a valid slot, raw bytes from the input, or zeros */
    switch (cfg & 3u) {
    case 0:
        memset(eeprom, 0xFF, sizeof eeprom);
        break;
    case 1: {
        struct wd_settings s;
        wd_settings_defaults(&s);
        memset(eeprom, 0xFF, sizeof eeprom);
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
        wd_settings_encode(&s, eeprom);
        break;
    }
    case 2:
        for (size_t i = 0; i < sizeof eeprom; i++)
            eeprom[i] = next(&in);
        break;
    default:
        memset(eeprom, 0, sizeof eeprom);
        break;
    }
    /* persist: garbage from the input, then power-on or a restart */
    for (size_t i = 0; i < sizeof persist; i++)
        ((uint8_t *)&persist)[i] = next(&in);
    memset(&core, 0xA5, sizeof core);
    wd_cal_clear(&fz_cal);
    fz_cal.count = 0;
    fz_rc_us = WD_CAL_TICK_US;
    restart((uint8_t)(cfg >> 4));
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
                do_tick(WD_TICK_MS, 0);
            break;
        }
        case 5: {
            /* what the port saw of the bus: lines low, WD_BUS_MOVED */
            uint8_t bus = (op & 16u) ? next(&in) : 1u;
            for (uint8_t i = 0; i <= (op & 15u); i++)
                do_tick(WD_TICK_MS, bus);
            break;
        }
        case 6:
            if (op & 1u)
                wd_core_factory_reset(&core);
            if (op & 2u) /* the RC's measure moves: 12.8 .. 19.2 ms */
                fz_rc_us = (uint16_t)(12800u + 32u * (next(&in) % 201u));
            serve(next(&in));
            CHECK(persist.check ==
                  wd_check16(WD_PERSIST_SEED, (const uint8_t *)&persist + 2, (uint8_t)(sizeof persist - 2)));
            break;
        default:
            if (op & 16u)
                ((uint8_t *)&persist)[next(&in) % sizeof persist] ^= next(&in);
            restart(op & 15u);
            serve(0);
            break;
        }
        check_consistent();
        check_cal();
    }
    return 0;
}
