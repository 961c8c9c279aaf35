/*
 * extwd chip core: the register map, the frame parser, the countdown and the
 * extensions of SPEC.md. No AVR headers; the same file runs on the chip and
 * in the host unit tests and fuzz target.
 *
 * Size rules everything here: the whole ATtiny85 firmware must fit 4 KiB of
 * flash (an ATtiny45) and 128 bytes of static RAM. So time is counted in 16-bit ticks, the register map is a short
 * flash table of runs of bytes over state laid out in register order,
 * writes share one in-place path, functions have one exit, and arithmetic
 * stays 8-bit wherever it can (C promotes to int; the casts stop it).
 *
 * SPDX-License-Identifier: MIT
 */
#include "wd_core.h"

#include <stddef.h>
#include <string.h>

#if defined(__AVR__) && defined(__FLASH)
#define WD_FLASH __flash
#else
#define WD_FLASH
#endif

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the register map reads multi-byte fields as little-endian memory"
#endif

#define NOINLINE __attribute__((noinline))

/* Hides where the core lives from the optimiser: with a single instance
 * and link-time optimisation, GCC would address every field absolutely
 * (4-byte LDS/STS) instead of off one pointer register (2-byte LDD/STD). */
#if defined(__AVR__)
#define OPAQUE(p) __asm__("" : "+b"(p))
#else
#define OPAQUE(p) ((void)0)
#endif

/* Private bits of wd_core.flags, above the WD_REQ_* bits; LOCKED sits
 * where EXT_STATUS shows it. */
#define WD_F_HEALTHY_WAIT 0x40u /* waiting for the first feed after a reset */
#define WD_F_HEALTHY_RUN  0x80u /* counting healthy_s since that feed */
#define WD_F_LOCKED       EXTWD_XS_LOCKED
EXTWD_STATIC_ASSERT(!((WD_F_HEALTHY_WAIT | WD_F_HEALTHY_RUN | WD_F_LOCKED) & WD_REQ_ALL),
                    "private flags and requests share a byte");

#define WD_GRACE_MAX_S EXTWD_GRACE_EFF_MAX_S /* 65500 ticks */
#define KEY_TICKS ((EXTWD_KEY_VALID_MS + WD_TICK_MS - 1u) / WD_TICK_MS) /* 63: 992-1008 ms */
#define SET_BYTES ((uint8_t *)&c->set)
#define PERSIST_CHECKED ((uint8_t)(sizeof(struct wd_persist) - 2u))

/* ---- the register map ---------------------------------------------------------
 * A list of runs, sorted: registers from run.reg up to the next run's reg
 * read consecutive bytes of one source, starting at run.src:
 *   0x00-0x3F  struct wd_core at that offset
 *   0x40-0x7F  struct wd_persist at (src - 0x40)
 *   0x80-0xBF  const_bytes[] at (src - 0x80)
 *   0xC0-0xDF  computed (one src per byte)
 *   0xE0-      unmapped: reads 0xFF, writes UNKNOWN
 */
#define SRC_CORE(f)  ((uint8_t)offsetof(struct wd_core, f))
#define SRC_PERS(f)  ((uint8_t)(0x40u + offsetof(struct wd_persist, f)))
#define SRC_CONST(i) ((uint8_t)(0x80u + (i)))
#define SRC_CALC          0xC0u
#define CALC_TIMEOUT_S    0xC0u
#define CALC_SINCE_FEED_S 0xC1u
#define CALC_GRACE_LEFT_S 0xC2u
#define CALC_EXT_STATUS   0xC3u
#define CALC_LOCK         0xC4u
#define CALC_TIME_LEFT    0xC8u /* 4 bytes each from here */
#define CALC_SINCE_FEED   0xCCu
#define CALC_GRACE_LEFT   0xD0u
#define CALC_DISARM_LEFT  0xD4u
#define CALC_CAL          0xD8u /* 6 bytes: CAL_COUNT, CAL_TICK_US, CAL_AGE_S (wd_port_cal_read) */
#define SRC_UNMAPPED      0xE0u

static const WD_FLASH uint8_t const_bytes[] = {
    'E', 'X', 'W', 'D', EXTWD_SETTINGS_VERSION, 0, /* 0: PROJECT_ID, SETTINGS_VER */
    1,                                             /* 6: RESET_PIN, PROTO_VERSION */
    WD_FW_MAJOR, WD_FW_MINOR, WD_FW_PATCH, WD_MCU_ID,
    (uint8_t)WD_CAPS, (uint8_t)(WD_CAPS >> 8), 0, 0, /* 11: CAPS; 13: KEY reads 0 0 */
};
EXTWD_STATIC_ASSERT(EXTWD_PROTO_VERSION == 1u, "const_bytes[6] serves RESET_PIN and PROTO_VERSION");

struct run {
    uint8_t reg;
    uint8_t src;
};

static const WD_FLASH struct run reg_map[] = {
    {EXTWD_REG_PROJECT_ID, SRC_CONST(0)},               /* and SETTINGS_VER */
    {EXTWD_REG_TIMEOUT_S, CALC_TIMEOUT_S},
    {EXTWD_REG_ACTION, SRC_CORE(set.action)},
    {EXTWD_REG_RESET_PIN, SRC_CONST(6)},
    {EXTWD_REG_GRACE_S, SRC_CORE(set.grace_s)},         /* GRACE_S, I2C_ADDR, BUSLOAD_PCT */
    {EXTWD_REG_SINCE_FEED_S, CALC_SINCE_FEED_S},        /* and GRACE_LEFT_S */
    {EXTWD_REG_RESET_COUNT, SRC_PERS(reset_count)},     /* to LAST_CAUSE */
    {EXTWD_REG_LAST_CAUSE + 1u, SRC_UNMAPPED},
    {EXTWD_REG_PROTO_VERSION, SRC_CONST(6)},            /* to MCU_ID */
    {EXTWD_REG_EXT_STATUS, CALC_EXT_STATUS},
    {EXTWD_REG_CAPS, SRC_CONST(11)},
    {EXTWD_REG_LAST_ERROR, SRC_CORE(last_error)},
    {EXTWD_REG_REFUSED_COUNT, SRC_PERS(refused_count)},
    {EXTWD_REG_CHIP_RESET, SRC_PERS(chip_reset)},
    {EXTWD_REG_HISTORY_LEN, SRC_PERS(history_len)},     /* to RESETS_TOTAL */
    {EXTWD_REG_TIMEOUT_MS, SRC_CORE(set.timeout_ms)},   /* to WINDOW_MS */
    {EXTWD_REG_BOOTLOOP_LIMIT, SRC_CORE(set.bootloop_limit)}, /* to OPTIONS */
    {EXTWD_REG_OPTIONS + 1u, SRC_UNMAPPED},
    {EXTWD_REG_BREADCRUMB, SRC_CORE(breadcrumb)},
    {EXTWD_REG_BREADCRUMB_RST, SRC_PERS(breadcrumb_rst)},
    {EXTWD_REG_LOCK, CALC_LOCK},
    {EXTWD_REG_KEY, SRC_CONST(13)},
    {EXTWD_REG_STATUS_UNREAD, SRC_PERS(status_unread)},
    {EXTWD_REG_STATUS_UNREAD + 1u, SRC_UNMAPPED},
    {EXTWD_REG_TIME_LEFT_MS, CALC_TIME_LEFT},           /* TIME_LEFT, SINCE_FEED, */
    {EXTWD_REG_UPTIME_S, SRC_CORE(uptime_s)},
    {EXTWD_REG_GRACE_LEFT_MS, CALC_GRACE_LEFT},         /* GRACE_LEFT, DISARM_LEFT */
    {EXTWD_REG_GRACE_EFF_S, SRC_CORE(grace_eff_s)},
    {EXTWD_REG_LONGOP_MS, SRC_CORE(longop_ms)},         /* up to HISTORY */
    {EXTWD_REG_HISTORY, SRC_PERS(history)},
    {EXTWD_REG_HISTORY_END, SRC_UNMAPPED},
#if WD_CAL_HOST
    {EXTWD_REG_CAL_COUNT, CALC_CAL},                    /* to CAL_AGE_S */
    {EXTWD_REG_CAL_AGE_S + 2u, SRC_UNMAPPED},
#endif
    {0x80u, SRC_UNMAPPED}, /* end marker */
};
EXTWD_STATIC_ASSERT(EXTWD_REG_STATUS_UNREAD == EXTWD_REG_KEY + 2u &&
                    EXTWD_REG_LONGOP_MS == EXTWD_REG_GRACE_EFF_S + 2u &&
                    EXTWD_REG_HISTORY == EXTWD_REG_LONGOP_MS + 4u, "runs that end where the next begins");
EXTWD_STATIC_ASSERT(EXTWD_REG_SINCE_FEED_MS == EXTWD_REG_TIME_LEFT_MS + 4u &&
                    EXTWD_REG_DISARM_LEFT_S == EXTWD_REG_GRACE_LEFT_MS + 4u,
                    "computed registers share runs");

/* The runs above rely on these neighbours. */
#define NEXT_TO(a, b) (offsetof(struct wd_core, b) == offsetof(struct wd_core, a) + sizeof(((struct wd_core *)0)->a))
#define P_NEXT_TO(a, b) (offsetof(struct wd_persist, b) == offsetof(struct wd_persist, a) + sizeof(((struct wd_persist *)0)->a))
EXTWD_STATIC_ASSERT(offsetof(struct wd_core, set) == 0 && NEXT_TO(set.grace_s, set.i2c_addr) &&
                    NEXT_TO(set.i2c_addr, set.busload_pct) && NEXT_TO(set.timeout_ms, set.pulse_ms) &&
                    NEXT_TO(set.pulse_ms, set.max_disarm_s) && NEXT_TO(set.max_disarm_s, set.pretimeout_ms) &&
                    NEXT_TO(set.pretimeout_ms, set.window_ms) && NEXT_TO(set.bootloop_limit, set.healthy_s) &&
                    NEXT_TO(set.healthy_s, set.options) && offsetof(struct wd_core, grace_eff_s) < 0x3Fu &&
                    offsetof(struct wd_core, uptime_s) < 0x3Du && offsetof(struct wd_core, breadcrumb) < 0x40u &&
                    offsetof(struct wd_core, last_error) < 0x40u &&
                    offsetof(struct wd_core, longop_ms) < 0x3Du && NEXT_TO(since_t, grace_t) &&
                    NEXT_TO(grace_t, pulse_t) && NEXT_TO(pulse_t, disarm_s) && NEXT_TO(disarm_s, longop_ms) &&
                    NEXT_TO(longop_ms, sec_ticks) && NEXT_TO(sec_ticks, live_action) &&
                    NEXT_TO(live_action, live_check),
                    "core fields out of register order");
EXTWD_STATIC_ASSERT(P_NEXT_TO(reset_count, reinit_count) && P_NEXT_TO(reinit_count, buserr_count) &&
                    P_NEXT_TO(buserr_count, status) && P_NEXT_TO(status, last_cause) &&
                    P_NEXT_TO(history_len, bootloop_count) && P_NEXT_TO(bootloop_count, window_faults) &&
                    P_NEXT_TO(window_faults, resets_total) &&
                    sizeof(struct wd_history_entry) == EXTWD_HISTORY_ENTRY_SIZE &&
                    offsetof(struct wd_persist, check) == 0 && offsetof(struct wd_persist, reset_count) == 2 &&
                    sizeof(struct wd_persist) <= 0x40u,
                    "persist fields out of register order");
EXTWD_STATIC_ASSERT((offsetof(struct wd_settings, pretimeout_ms) | 2u) == offsetof(struct wd_settings, window_ms) &&
                    !(offsetof(struct wd_settings, pretimeout_ms) & 2u),
                    "PRETIMEOUT_MS and WINDOW_MS found by one mask");
EXTWD_STATIC_ASSERT(NEXT_TO(set, since_t),
                    "since_t, grace_t and pulse_t follow set: wd_core_init keeps them together");
EXTWD_STATIC_ASSERT(offsetof(struct wd_settings, options) == WD_SETTINGS_SIZE - 1u,
                    "settings must be packed: the EEPROM image is their memory");

/* reg_map[REG_MAP_MID] is the run of EXTWD_REG_BREADCRUMB (0x40): a search
 * for a register at or above it starts there. A frame that writes such a
 * register (BREADCRUMB, KEY, LONGOP_MS) otherwise walks ~28 runs, ~300
 * cycles with SCL held when the next START comes meanwhile (issue 11). */
#define REG_MAP_MID 18u

/* Returns the source byte of register address a (< 0x80). */
static NOINLINE uint8_t reg_src(uint8_t a)
{
    const WD_FLASH struct run *e = reg_map;
    if (a >= EXTWD_REG_BREADCRUMB)
        e += REG_MAP_MID;
    while (e[1].reg <= a)
        e++;
    return (uint8_t)(e->src + (uint8_t)(a - e->reg));
}

/* Writable registers and the commands, with their value width; PROT marks
 * a protective write (5.11), KEYED a write that keyed mode restricts but
 * the lock does not (SAVE, LOCK, the test reset). ACTION is protective when
 * written 0, which wd_core_frame checks. */
#define PROT  0x80u
#define KEYED 0x40u
static const WD_FLASH struct run writable[] = {
    /* the frames that do the most work first, the search stays short */
    {EXTWD_CMD_FEED, 0}, {EXTWD_CMD_TEST_ACTION, KEYED | 1},
    {EXTWD_REG_TIMEOUT_S, PROT | 1}, {EXTWD_REG_ACTION, 1}, {EXTWD_REG_GRACE_S, PROT | 1},
    {EXTWD_REG_I2C_ADDR, PROT | 1}, {EXTWD_REG_BUSLOAD_PCT, PROT | 1}, {EXTWD_REG_STATUS, 1},
    {EXTWD_REG_EXT_STATUS, 1}, {EXTWD_REG_TIMEOUT_MS, PROT | 4}, {EXTWD_REG_PULSE_MS, PROT | 2},
    {EXTWD_REG_MAX_DISARM_S, PROT | 2}, {EXTWD_REG_PRETIMEOUT_MS, PROT | 2},
    {EXTWD_REG_WINDOW_MS, PROT | 2}, {EXTWD_REG_BOOTLOOP_LIMIT, PROT | 1},
    {EXTWD_REG_HEALTHY_S, PROT | 1}, {EXTWD_REG_OPTIONS, PROT | 1}, {EXTWD_REG_BREADCRUMB, 1},
    {EXTWD_REG_LOCK, KEYED | 1}, {EXTWD_REG_KEY, 2}, {EXTWD_REG_LONGOP_MS, PROT | 4},
#if WD_CAL_HOST
    {EXTWD_REG_CAL_TICK_US, 2},
#endif
    {EXTWD_CMD_SAVE, KEYED}, {EXTWD_CMD_FACTORY_RESET, PROT}, {EXTWD_CMD_SET_ADDRESS, PROT | 2},
    {EXTWD_CMD_SET_POINTER, 1}, {EXTWD_CMD_CLEAR_COUNTERS, PROT},
};

/* ---- small helpers ---------------------------------------------------------- */

static NOINLINE void inc_sat8(uint8_t *v)
{
    if (*v != 0xFFu)
        ++*v;
}

static NOINLINE void inc_sat16(uint16_t *v)
{
    if ((uint16_t)(*v + 1u))
        ++*v;
}

/* x / 125, at most 255: whole seconds of x units of 8 ms. Eight steps of
 * long division (no library divide). */
static NOINLINE uint8_t sec8(uint16_t x)
{
    uint16_t d = 125u << 7;
    uint8_t q = 0, bit = 0x80u;

    if (x >= 255u * 125u)
        return 0xFFu;
    do {
        if (x >= d) {
            x = (uint16_t)(x - d);
            q |= bit;
        }
        d >>= 1;
    } while (bit >>= 1);
    return q;
}

/* Whole seconds of t ticks plus up x 8 ms (up = 124 rounds up). */
static NOINLINE uint8_t ticks_s(uint16_t t, uint8_t up)
{
    return t > 16000u ? 0xFFu : sec8((uint16_t)(t * 2u + up));
}

/* ms as ticks, rounded up. */
static NOINLINE uint16_t ms_ticks(uint32_t ms)
{
    return (uint16_t)((ms + WD_TICK_MS - 1u) >> 4);
}

/* The timeout in force: a long operation's (5.6a), else TIMEOUT_MS. */
static NOINLINE uint32_t timeout_ms(const struct wd_core *c)
{
    return c->longop_ms ? c->longop_ms : c->set.timeout_ms;
}

static uint16_t timeout_ticks(const struct wd_core *c)
{
    return ms_ticks(timeout_ms(c));
}

/* Returns nonzero while no countdown can reset the host: disarmed, or a
 * timeout of 0 ("never"). MAX_DISARM_S bounds both alike (5.6). */
static NOINLINE uint8_t unprotected(const struct wd_core *c)
{
    return !c->set.action || !timeout_ms(c);
}

/* 0, or a timeout in the range of TIMEOUT_MS. */
static NOINLINE uint8_t timeout_ok(uint32_t t)
{
    return t < EXTWD_TIMEOUT_MS_MIN ? !t : t <= EXTWD_TIMEOUT_MS_MAX;
}

/* The live block a chip restart keeps (5.13): since_t up to live_action
 * (the count, grace, pulse, the disarm bound and the second it is in, a
 * long operation, ACTION). */
#define LIVE_BYTES ((uint8_t)(offsetof(struct wd_core, live_check) - offsetof(struct wd_core, since_t)))

static NOINLINE uint8_t live_sum(const struct wd_core *c)
{
    return (uint8_t)(wd_check16(0x6C17u, (const uint8_t *)&c->since_t, LIVE_BYTES) >> 8);
}

/* Records ACTION in the live block and seals it. */
static NOINLINE void live_seal(struct wd_core *c)
{
    c->live_action = c->set.action;
    c->live_check = live_sum(c);
}

uint16_t wd_check16(uint16_t init, const uint8_t *p, uint8_t n)
{
    uint8_t a = (uint8_t)init, b = (uint8_t)(init >> 8);
    while (n--) {
        a = (uint8_t)(a + *p++);
        b = (uint8_t)(b + a);
    }
    return (uint16_t)(a | b << 8);
}

/* ---- settings and EEPROM -------------------------------------------------- */

static const WD_FLASH struct wd_settings factory = {
    .timeout_ms = EXTWD_DEFAULT_TIMEOUT_MS,
    .pulse_ms = EXTWD_DEFAULT_PULSE_MS,
    .max_disarm_s = EXTWD_DEFAULT_MAX_DISARM_S,
    .pretimeout_ms = EXTWD_DEFAULT_PRETIMEOUT_MS,
    .window_ms = EXTWD_DEFAULT_WINDOW_MS,
    .action = EXTWD_DEFAULT_ACTION,
    .grace_s = EXTWD_DEFAULT_GRACE_S,
    .i2c_addr = EXTWD_I2C_ADDR_DEFAULT,
    .busload_pct = EXTWD_DEFAULT_BUSLOAD_PCT,
    .bootloop_limit = EXTWD_DEFAULT_BOOTLOOP_LIMIT,
    .healthy_s = EXTWD_DEFAULT_HEALTHY_S,
    .options = EXTWD_DEFAULT_OPTIONS,
};

void wd_settings_defaults(struct wd_settings *s)
{
    *s = factory;
}

/* Every range of SPEC 3 that does not depend on another value; shared by
 * the write path and the EEPROM loader. PRETIMEOUT_MS and WINDOW_MS are
 * checked against the timeout only when written (a later, shorter timeout
 * switches them off instead). Returns nonzero if s is acceptable. */
static NOINLINE uint8_t settings_ok(const struct wd_settings *s)
{
    return timeout_ok(s->timeout_ms) &&
           (uint16_t)(s->pulse_ms - EXTWD_PULSE_MS_MIN) < EXTWD_PULSE_MS_MAX && s->action <= 1u &&
           (uint8_t)(s->i2c_addr - EXTWD_I2C_ADDR_MIN) <= (uint8_t)(EXTWD_I2C_ADDR_MAX - EXTWD_I2C_ADDR_MIN) &&
           (uint8_t)(s->busload_pct - EXTWD_BUSLOAD_PCT_MIN) < EXTWD_BUSLOAD_PCT_MAX && s->healthy_s &&
           !(s->options & (uint8_t)~EXTWD_OPT_MASK);
}

static uint16_t slot_check(const struct wd_settings *s)
{
    return wd_check16(WD_EEPROM_SEED, (const uint8_t *)s, WD_SETTINGS_SIZE);
}

/* Returns nonzero if s and the check bytes k form a valid slot. */
static NOINLINE uint8_t slot_ok(const struct wd_settings *s, const uint8_t *k)
{
    return slot_check(s) == (uint16_t)(k[0] | k[1] << 8) && settings_ok(s);
}

void wd_settings_encode(const struct wd_settings *s, uint8_t out[WD_EEPROM_SLOT_SIZE])
{
    uint16_t k = slot_check(s);
    memcpy(out, s, WD_SETTINGS_SIZE);
    out[WD_SETTINGS_SIZE] = (uint8_t)k;
    out[WD_SETTINGS_SIZE + 1u] = (uint8_t)(k >> 8);
}

int wd_settings_decode(const uint8_t in[WD_EEPROM_SLOT_SIZE], struct wd_settings *s)
{
    struct wd_settings v;

    memcpy(&v, in, WD_SETTINGS_SIZE);
    if (!slot_ok(&v, in + WD_SETTINGS_SIZE))
        return -1;
    memcpy(s, &v, WD_SETTINGS_SIZE);
    return 0;
}

/* Takes the settings of slot (the port's read of the EEPROM) into c->set,
 * or the defaults (and DEFAULTS_LOADED) if they are not a valid slot, and
 * keeps them as the copy a host reset restores. */
static void load_settings(struct wd_core *c, const uint8_t *slot)
{
    memcpy(SET_BYTES, slot, WD_SETTINGS_SIZE);
    if (!slot_ok(&c->set, slot + WD_SETTINGS_SIZE)) {
        wd_settings_defaults(&c->set);
        c->persist->ext_sticky |= EXTWD_XS_DEFAULTS_LOADED;
    }
    c->set.action = 1; /* a disarm is never restored from EEPROM (5.12) */
    wd_core_save_done(c);
}

/* What a save makes the settings a host reset restores: the live ones,
 * except that ACTION is 1. A disarm is a temporary state; saved, it would
 * outlive the host that asked for it (5.12). The slot image keeps the live
 * ACTION byte (old firmware reads it), which load_settings ignores. */
static void save_image(const struct wd_core *c, struct wd_settings *s)
{
    memcpy(s, &c->set, WD_SETTINGS_SIZE);
    s->action = 1;
}

uint8_t wd_core_slot_byte(const struct wd_core *c, uint8_t i)
{
    uint16_t k;

    if (i < WD_SETTINGS_SIZE)
        return ((const uint8_t *)&c->set)[i];
    k = slot_check(&c->set);
    return (uint8_t)(i == WD_SETTINGS_SIZE ? k : k >> 8);
}

NOINLINE void wd_core_save_done(struct wd_core *c)
{
    save_image(c, &c->saved);
}

uint16_t wd_core_eeprom_slot(struct wd_core *c, uint8_t out[WD_EEPROM_SLOT_SIZE])
{
    wd_settings_encode(&c->set, out);
    wd_core_save_done(c);
    return 0;
}

/* ---- derived state ---------------------------------------------------------- */

/* Returns nonzero while the live PRETIMEOUT bit is set (5.8): armed,
 * counting, and at most PRETIMEOUT_MS (in whole ticks, rounded down)
 * before the reset. */
static NOINLINE uint8_t pretimeout_active(const struct wd_core *c)
{
    uint16_t t = timeout_ticks(c), pre = c->set.pretimeout_ms >> 4; /* whole ticks: the lead never exceeds PRETIMEOUT_MS */

    return c->set.action && !c->pulse_t && !c->grace_t && pre && pre < t && c->since_t > (uint16_t)(t - pre)
               ? EXTWD_XS_PRETIMEOUT
               : 0u;
}

/* Starts the grace period of c->grace_eff_s (at most 1048): 62.5 ticks a
 * second, the half tick of an odd count dropped. */
static NOINLINE void start_grace(struct wd_core *c)
{
    uint16_t s = c->grace_eff_s;
    c->grace_t = (uint16_t)((s << 6) - (s << 1) + (s >> 1)); /* exact mod 2^16 */
}

/* ---- host reset (5.3) ------------------------------------------------------ */

static NOINLINE void host_reset(struct wd_core *c, uint8_t cause)
{
    struct wd_persist *p = c->persist;
    uint8_t backoff, old_addr = c->set.i2c_addr, i;

    p->status |= EXTWD_STATUS_WD_RESET;
    p->status_unread = 1;
    p->last_cause = cause;
    p->breadcrumb_rst = c->breadcrumb;
    inc_sat8(&p->reset_count);
    inc_sat16(&p->resets_total);
    /* push the history: the oldest entry drops out */
    {
        uint8_t *to = (uint8_t *)&p->history[EXTWD_HISTORY_ENTRIES], *from = to - EXTWD_HISTORY_ENTRY_SIZE;
        for (i = sizeof p->history - EXTWD_HISTORY_ENTRY_SIZE; i; i--)
            *--to = *--from;
    }
    p->history[0].cause = cause;
    p->history[0].breadcrumb = c->breadcrumb;
    memcpy(p->history[0].uptime_s, &c->uptime_s, 4);
    if (p->history_len < EXTWD_HISTORY_ENTRIES)
        p->history_len++;

    /* boot loop (5.5): the limit in force now, GRACE_S as restored below */
    inc_sat8(&p->bootloop_count);
    backoff = (uint8_t)(p->bootloop_count - c->set.bootloop_limit);
    if (!c->set.bootloop_limit || p->bootloop_count <= c->set.bootloop_limit) {
        backoff = 0;
    } else {
        p->ext_sticky |= EXTWD_XS_SAFE_MODE;
        if (backoff > EXTWD_GRACE_BACKOFF_MAX)
            backoff = EXTWD_GRACE_BACKOFF_MAX;
    }

    /* the saved settings come back (5.3), from their RAM copy */
    memcpy(&c->set, &c->saved, WD_SETTINGS_SIZE);
    if (c->set.i2c_addr != old_addr)
        c->flags |= WD_REQ_ADDRESS;
    c->grace_eff_s = (uint16_t)(c->set.grace_s << backoff);
    if (c->grace_eff_s > WD_GRACE_MAX_S)
        c->grace_eff_s = WD_GRACE_MAX_S; /* what 16-bit ticks hold */
    c->pulse_t = ms_ticks(c->set.pulse_ms);
    c->since_t = 0;
    c->grace_t = 0;
    c->disarm_s = 0;
    c->longop_ms = 0;
    c->flags = (uint8_t)((c->flags & ~WD_F_HEALTHY_RUN) | WD_F_HEALTHY_WAIT);
    c->flags |= WD_REQ_SEAL;
}

/* ---- lifecycle ---------------------------------------------------------------- */

NOINLINE static uint16_t persist_check(const struct wd_persist *p)
{
    return wd_check16(WD_PERSIST_SEED, (const uint8_t *)p + 2, PERSIST_CHECKED);
}

/* Returns nonzero if every field holds a value the chip can produce. A 16-bit
 * check lets one garbage block in 65536 through; this keeps such a block from
 * being served as evidence a host must believe. */
static uint8_t persist_sane(const struct wd_persist *p)
{
    uint8_t bad = (uint8_t)(p->status & (uint8_t)~EXTWD_STATUS_WD_RESET) |
                  (uint8_t)(p->ext_sticky & (uint8_t)~EXTWD_XS_STICKY);
    if (bad || p->last_cause > EXTWD_CAUSE_WINDOW || p->history_len > EXTWD_HISTORY_ENTRIES ||
        p->status_unread > 1u)
        return 0;
    for (uint8_t i = 0; i < p->history_len; i++)
        if ((uint8_t)(p->history[i].cause - 1u) >= EXTWD_CAUSE_WINDOW)
            return 0;
    return 1;
}

void wd_core_init(struct wd_core *c, struct wd_persist *persist, uint8_t chip_reset,
                  const uint8_t slot[WD_EEPROM_SLOT_SIZE])
{
    uint8_t keep = 0;

    OPAQUE(c);
    if ((chip_reset & EXTWD_CHIP_PORF) || persist_check(persist) != persist->check ||
        !persist_sane(persist)) {
        memset(persist, 0, sizeof *persist);
    } else {
        persist->ext_sticky |= EXTWD_XS_CHIP_RESTARTED;
        /* the RAM kept its contents: the countdown goes on, no new grace */
        keep = live_sum(c) == c->live_check;
    }
    /* all but the live block, which follows set */
    memset((uint8_t *)&c->since_t + LIVE_BYTES, 0, sizeof *c - offsetof(struct wd_core, since_t) - LIVE_BYTES);
    c->persist = persist;
    persist->chip_reset = chip_reset;
    load_settings(c, slot);
    c->grace_eff_s = c->set.grace_s;
    if (keep) {
        c->set.action = c->live_action; /* a disarm goes on, bounded as before */
    } else {
        memset(&c->since_t, 0, LIVE_BYTES);
        start_grace(c);
    }
    live_seal(c);
    c->read_ptr = EXTWD_REG_STATUS;
    c->flags |= WD_F_HEALTHY_WAIT;
    wd_core_seal(c);
}

void wd_core_factory_reset(struct wd_core *c)
{
    wd_settings_defaults(&c->set);
    c->flags |= WD_REQ_FACTORY | WD_REQ_ADDRESS;
    live_seal(c); /* armed: the restart that follows keeps that */
}

/* One tick of everything but the live seal; without the host's calibration
 * also the countdown's end on whole ticks (wd_core_ticks does it otherwise). */
static void tick_once(struct wd_core *c, uint8_t bus)
{
    struct wd_persist *p;
    uint16_t samples;

    p = c->persist;
    /* whole seconds (62.5 ticks): uptime, the disarm time (5.6), the
     * healthy period (5.5) */
    c->sec_ticks = (uint8_t)(c->sec_ticks + 2u); /* half ticks, 125 a second */
    if (c->sec_ticks >= 125u) {
        c->sec_ticks = (uint8_t)(c->sec_ticks - 125u);
        c->uptime_s++;
        if (unprotected(c))
            inc_sat16(&c->disarm_s);
        if ((c->flags & WD_F_HEALTHY_RUN) && ++c->healthy_s >= c->set.healthy_s) {
            c->flags &= (uint8_t)~WD_F_HEALTHY_RUN;
            p->bootloop_count = 0;
            c->flags |= WD_REQ_SEAL;
        }
    }
    if (c->set.max_disarm_s && c->disarm_s >= c->set.max_disarm_s && unprotected(c)) {
        /* the bound (5.6): armed again, and a timeout of 0 becomes the saved
         * one (or the factory one); the count ran all along, so a host that
         * stopped feeding is reset at once */
        c->set.action = 1;
        if (!timeout_ms(c))
            c->set.timeout_ms = c->saved.timeout_ms ? c->saved.timeout_ms : EXTWD_DEFAULT_TIMEOUT_MS;
        c->disarm_s = 0;
        p->ext_sticky |= EXTWD_XS_AUTO_REARMED;
        c->flags |= WD_REQ_SEAL;
    }
    if (c->key_left)
        c->key_left--;

    /* bus health (5.10): share of stuck samples (a line low, nothing moved
     * since the last tick: bus 1-0x7F) among the last 16 ticks; room starts
     * at 16 x pct and loses 100 per stuck sample, so room < 0 means share >
     * pct. Only a stuck sample can raise the share, so only then is it counted. */
    samples = (uint16_t)(c->bus_samples << 1);
    if ((uint8_t)(bus - 1u) < (uint8_t)(WD_BUS_MOVED - 1u)) {
        int16_t room = (int16_t)(c->set.busload_pct << 4);
        samples |= 1u;
        for (uint16_t s = samples; s; s >>= 1)
            if (s & 1u)
                room = (int16_t)(room - 100);
        if (room < 0) {
            inc_sat8(&p->buserr_count);
            inc_sat8(&p->reinit_count);
            samples = 0;
            c->flags |= WD_REQ_BUS_REINIT | WD_REQ_SEAL;
        }
    }
    c->bus_samples = samples;

    /* the pulse, then grace, then the countdown (5.1-5.4) */
    if (c->pulse_t) {
        if (!--c->pulse_t)
            start_grace(c);
    } else if (c->grace_t) {
        c->grace_t--;
    } else {
        inc_sat16(&c->since_t);
#if !WD_CAL_HOST
        /* never early (5.1): the feed came somewhere inside the first tick,
         * so only since_t - 1 whole ticks are sure to have passed */
        if (!unprotected(c) && c->since_t > timeout_ticks(c))
            host_reset(c, EXTWD_CAUSE_TIMEOUT);
#endif
    }
}

NOINLINE void wd_core_tick(struct wd_core *c, uint8_t bus)
{
#if WD_CAL_HOST
    wd_core_ticks(c, 1, bus, 0);
#else
    OPAQUE(c);
    tick_once(c, bus);
    live_seal(c);
#endif
}

#if WD_CAL_HOST
/* The countdown's end near it: j < 10 ticks to go by whole ticks, the
 * timeout q ticks rounded up by r ms, the rest in 8 us units, j x 2000 less
 * r x 125 less sure8, all in 16 bits. A function of its own, so that the
 * far case every tick costs only the compare. */
static NOINLINE uint16_t countdown_near(struct wd_core *c, int16_t j, int16_t sure8)
{
    uint16_t left = 0xFFFFu;
    uint8_t r = (uint8_t)(-(uint8_t)timeout_ms(c)) & 15u;
    int16_t left8 = (int16_t)(j * 2000 - r * 125 - sure8);
    if (left8 <= 0)
        host_reset(c, EXTWD_CAUSE_TIMEOUT);
    else if (left8 < 8192)
        left = (uint16_t)((uint16_t)left8 << 3);
    return left;
}

uint16_t wd_core_ticks(struct wd_core *c, uint8_t n, uint8_t bus, int16_t sure8)
{
    uint16_t left = 0xFFFFu;

    OPAQUE(c);
    for (; n; n--)
        tick_once(c, bus);
    /* never early (5.1): since_t - 1 ticks and sure8 against the timeout */
    if (!c->pulse_t && !c->grace_t && !unprotected(c)) {
        uint16_t q = timeout_ticks(c), s = c->since_t;
        if (s > q || (uint16_t)(q - s) < 9u) {
            if (sure8 > WD_SURE8_MAX)
                sure8 = WD_SURE8_MAX;
            if (sure8 < WD_SURE8_MIN)
                sure8 = WD_SURE8_MIN;
            left = countdown_near(c, s > (uint16_t)(q + 8u) ? -8 : (int16_t)(uint16_t)(q + 1u - s), sure8);
        }
    }
    live_seal(c);
    return left;
}
#endif

/* ---- register reads ----------------------------------------------------------- */

void wd_core_read_begin(struct wd_core *c)
{
    c->read_cursor = c->read_ptr;
}

uint8_t wd_core_read_next(struct wd_core *c)
{
    uint8_t a, s, v = EXTWD_UNMAPPED_READ;

    OPAQUE(c);
    a = c->read_cursor;
    if (a >= 0x80u)
        goto out;
    c->read_cursor = (uint8_t)(a + 1u);
    if (a == EXTWD_REG_STATUS || a == EXTWD_REG_EXT_STATUS) {
        c->persist->status_unread = 0; /* read: the next feed may clear STATUS bit 0 (5.3) */
        c->flags |= WD_REQ_SEAL;
    }
    s = reg_src(a);
    if (s < 0x40u) {
        v = ((const uint8_t *)c)[s];
    } else if (s < 0x80u) {
        v = ((const uint8_t *)c->persist)[s - 0x40u];
    } else if (s < SRC_CALC) {
        v = const_bytes[s - 0x80u];
    } else if (s == CALC_TIMEOUT_S) {
        uint32_t t = c->set.timeout_ms;
        v = t > 254000u ? 0xFFu : sec8((uint16_t)((t + 999u) >> 3));
    } else if (s == CALC_SINCE_FEED_S) {
        v = ticks_s(c->since_t, 0);
    } else if (s == CALC_GRACE_LEFT_S) {
        v = ticks_s(c->grace_t, 124);
    } else if (s == CALC_EXT_STATUS) {
        v = (uint8_t)(c->persist->ext_sticky | (c->flags & WD_F_LOCKED) | pretimeout_active(c));
        if (c->grace_t)
            v |= EXTWD_XS_IN_GRACE;
    } else if (s == CALC_LOCK) {
        v = (c->flags & WD_F_LOCKED) != 0;
    } else if (s >= SRC_UNMAPPED) {
        /* reads EXTWD_UNMAPPED_READ */
#if WD_CAL_HOST
    } else if (s >= CALC_CAL) {
        v = wd_port_cal_read(c, (uint8_t)(s - CALC_CAL));
#endif
    } else {
        /* 4-byte values in ticks, shown in ms: TIME_LEFT, SINCE_FEED,
         * GRACE_LEFT; DISARM_LEFT in seconds */
        uint32_t x;
        uint8_t k = s & 3u;
        if (s >= CALC_DISARM_LEFT) {
            x = 0xFFFFu;
            if (unprotected(c) && c->set.max_disarm_s)
                x = c->set.max_disarm_s > c->disarm_s ? (uint16_t)(c->set.max_disarm_s - c->disarm_s) : 0u;
        } else {
            x = (uint32_t)(s >= CALC_GRACE_LEFT ? c->grace_t : c->since_t) << 4;
            if (s < CALC_SINCE_FEED) {
                /* TIME_LEFT: TIMEOUT_MS - SINCE_FEED_MS + GRACE_LEFT_MS
                 * (grace and the countdown never overlap) */
                uint32_t t = timeout_ms(c);
                x = (t > x ? t - x : 0u) + ((uint32_t)c->grace_t << 4);
                if (c->pulse_t)
                    x = 0;
                if (unprotected(c))
                    x = 0xFFFFFFFFu;
            }
        }
        while (k--)
            x >>= 8;
        v = (uint8_t)x;
    }
out:
    return v;
}

/* ---- write frames -------------------------------------------------------------- */

void wd_core_frame(struct wd_core *c, const uint8_t *f, uint8_t len)
{
    const WD_FLASH struct run *e = writable;
    struct wd_persist *p;
    const uint8_t *d;
    uint8_t r, src = 0xFFu, info, w, fresh, err, was_unprot;

    OPAQUE(c);
    if (!len)
        return; /* a probe */
    was_unprot = unprotected(c);
    d = f + 1;
    p = c->persist;
    fresh = c->key_left;
    c->key_left = 0; /* any frame uses the key up */
    r = f[0];

    /* the checks of SPEC 6, in their order */
    err = EXTWD_ERR_UNKNOWN;
    if (r < 0x80u) {
        if (len == 1u) {
            c->read_ptr = r;
            return; /* LAST_ERROR stays */
        }
        src = reg_src(r);
        if (src >= SRC_UNMAPPED)
            goto done;
        err = EXTWD_ERR_READONLY;
    }
    while (e->reg != r)
        if (++e == writable + sizeof writable / sizeof writable[0])
            goto done;
    info = e->src;
    w = info & 7u;
    err = EXTWD_ERR_LENGTH;
    if (len != (uint8_t)(w + 1u))
        goto done;
    if (r == EXTWD_CMD_SET_POINTER) {
        c->read_ptr = d[0];
        return;
    }
    if ((info & PROT) || (r == EXTWD_REG_ACTION && !d[0])) {
        err = EXTWD_ERR_LOCKED;
        if (c->flags & WD_F_LOCKED)
            goto done;
        info |= KEYED;
    }
    err = EXTWD_ERR_KEY;
    if ((info & KEYED) && (c->set.options & EXTWD_OPT_KEYED) && !fresh)
        goto done;

    /* RANGE and the effect */
    err = EXTWD_ERR_RANGE;
    if (r == EXTWD_CMD_SET_ADDRESS) {
        /* [0x82, a, ~a]: no one-bit error of [0x83, reg] is an address change */
        if ((uint8_t)(d[0] + d[1]) != 0xFFu) /* a + ~a */
            goto done;
        r = EXTWD_REG_I2C_ADDR; /* the same write from here on */
        src = SRC_CORE(set.i2c_addr);
        w = 1;
    }
    if (r == EXTWD_CMD_TEST_ACTION && d[0] != EXTWD_TEST_CONFIRM)
        goto done; /* [0x85] alone is refused: a feed [0xA5] with bit 5 flipped */
    err = EXTWD_ERR_OK;
    if (r == EXTWD_REG_EXT_STATUS)
        src = SRC_PERS(ext_sticky);
    if (src < 0x40u) {
        /* registers in the core: written in place, the settings checked
         * whole, a refused value put back */
        uint8_t *dst = (uint8_t *)c + src;
        uint32_t old;
        memcpy(&old, dst, 4);
        for (uint8_t i = 0; i < w; i++) /* not memcpy: no library call for 1-4 bytes */
            dst[i] = d[i];
        uint16_t v;
        memcpy(&v, dst, 2);
        if (!settings_ok(&c->set) || !timeout_ok(c->longop_ms) ||
            ((r == EXTWD_REG_PRETIMEOUT_MS || r == EXTWD_REG_WINDOW_MS) && v && v >= c->set.timeout_ms)) {
            memcpy(dst, &old, 4);
            err = EXTWD_ERR_RANGE;
        } else if (r == EXTWD_REG_I2C_ADDR) {
            c->flags |= WD_REQ_ADDRESS;
        }
        goto done;
    }
    if (src < 0x80u) {
        /* STATUS and EXT_STATUS: clear-only */
        ((uint8_t *)p)[src - 0x40u] &= d[0];
        goto seal;
    }
    if ((r == EXTWD_CMD_FEED || r == EXTWD_CMD_TEST_ACTION) && c->pulse_t) {
        err = EXTWD_ERR_BUSY;
        goto done;
    }
    if (r == EXTWD_REG_TIMEOUT_S) {
        uint32_t ms = 0, a = 1000u;
        for (uint8_t b = d[0]; b; b >>= 1, a <<= 1)
            if (b & 1u)
                ms += a;
        c->set.timeout_ms = ms;
    } else if (r == EXTWD_REG_LOCK) {
        err = EXTWD_ERR_RANGE;
        if (d[0] == EXTWD_LOCK_MAGIC) {
            c->flags |= WD_F_LOCKED;
            err = EXTWD_ERR_OK;
        }
    } else if (r == EXTWD_REG_KEY) {
        err = EXTWD_ERR_KEY;
        if (d[0] == (uint8_t)EXTWD_KEY && d[1] == (uint8_t)(EXTWD_KEY >> 8)) {
            c->key_left = KEY_TICKS;
            err = EXTWD_ERR_OK;
        }
    } else if (r == EXTWD_CMD_SAVE) {
        c->flags |= WD_REQ_SAVE;
    } else if (r == EXTWD_CMD_FACTORY_RESET) {
        wd_core_factory_reset(c);
    } else if (r == EXTWD_CMD_CLEAR_COUNTERS) {
        p->reset_count = 0; /* and REINIT_COUNT, BUSERR_COUNT */
        p->reinit_count = 0;
        p->buserr_count = 0;
        p->window_faults = 0; /* and RESETS_TOTAL, REFUSED_COUNT */
        p->resets_total = 0;
        p->refused_count = 0;
        goto seal;
#if WD_CAL_HOST
    } else if (r == EXTWD_REG_CAL_TICK_US) {
        err = wd_port_cal_write(c, (uint16_t)(d[0] | d[1] << 8));
#endif
    } else if (r == EXTWD_CMD_TEST_ACTION) {
        err = EXTWD_ERR_DISARMED;
        if (c->set.action) {
            host_reset(c, EXTWD_CAUSE_TEST);
            err = EXTWD_ERR_OK;
        }
    } else { /* EXTWD_CMD_FEED */
        uint16_t win = ms_ticks(c->set.window_ms);
        if (win && c->set.action && !c->grace_t && win < timeout_ticks(c) && c->since_t < win) {
            inc_sat8(&p->window_faults);
            p->ext_sticky |= EXTWD_XS_WINDOW_FAULT;
            host_reset(c, EXTWD_CAUSE_WINDOW);
        } else {
            c->since_t = 0;
#if WD_CAL_HOST
            wd_port_countdown_start(c);
#endif
            c->grace_t = 0;
            c->disarm_s = 0; /* a disarmed host that feeds is alive (5.6) */
            if (c->flags & WD_F_HEALTHY_WAIT) {
                c->flags ^= WD_F_HEALTHY_WAIT | WD_F_HEALTHY_RUN;
                c->healthy_s = 0;
            }
            /* persist changes (and needs its seal, ~300 cycles) only when
             * STATUS bit 0 goes; status holds no other bit (persist_sane) */
            if (!p->status_unread && p->status) {
                p->status = 0;
                goto seal;
            }
        }
    }
done:
    if (err) {
        inc_sat8(&p->refused_count);
        goto seal;
    }
    /* protection off (disarm, timeout 0): the bound starts now (5.6);
     * protection back on by the host's own write: a full timeout (5.1) */
    if (unprotected(c) != was_unprot) {
        c->disarm_s = 0;
        if (was_unprot) {
            c->since_t = 0;
#if WD_CAL_HOST
            wd_port_countdown_start(c);
#endif
        }
    }
    goto out;
seal:
    c->flags |= WD_REQ_SEAL;
out:
    c->last_error = err;
    live_seal(c);
}

/* ---- port services ---------------------------------------------------------------- */

uint8_t wd_core_address(const struct wd_core *c)
{
    return c->set.i2c_addr;
}

uint8_t wd_core_take_requests(struct wd_core *c)
{
    uint8_t r = c->flags & WD_REQ_ALL;
    c->flags &= (uint8_t)~WD_REQ_ALL;
    return r;
}

uint8_t wd_core_outputs(const struct wd_core *c)
{
    uint8_t out = c->pulse_t ? WD_OUT_RESET : 0u;
    if ((c->set.options & EXTWD_OPT_PRETIMEOUT_PIN) && pretimeout_active(c))
        out |= WD_OUT_PRETIMEOUT;
    return out;
}

void wd_core_seal(struct wd_core *c)
{
    c->persist->check = persist_check(c->persist);
}
