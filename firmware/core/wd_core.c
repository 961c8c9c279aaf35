/*
 * extwd chip core: the register map, the frame parser, the countdown and the
 * extensions of SPEC.md. No AVR headers; the same file runs on the chip and
 * in the host unit tests and fuzz target.
 *
 * Size matters more than anything else here (the whole ATtiny85 firmware fits
 * 2 KiB of flash and 128 bytes of RAM), so the register map is a table in
 * flash that points into the core's own memory, and most decisions are made
 * on 8- and 16-bit values.
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

/* Private bits of wd_core.flags. */
#define WD_F_LOCKED       0x01u /* LOCK written; only a chip restart clears it */
#define WD_F_HEALTHY_WAIT 0x02u /* waiting for the first feed after a reset */
#define WD_F_HEALTHY_RUN  0x04u /* counting healthy_s since that feed */
#define WD_F_NEXT_SLOT    0x08u /* the next save goes to EEPROM slot 1 */
#define WD_F_GRACE        0x10u /* grace_left_ms != 0, kept as a bit: cheaper to test */

#define PERSIST_CRC_LEN ((uint8_t)offsetof(struct wd_persist, crc))
#define SLOT_CRC_AT     (WD_EEPROM_SLOT_SIZE - 1u)

EXTWD_STATIC_ASSERT(offsetof(struct wd_settings, options) == WD_SETTINGS_SIZE - 1u,
                    "settings must be packed: the EEPROM image is their memory");
EXTWD_STATIC_ASSERT(offsetof(struct wd_persist, crc) < 0x40u, "persist offsets must fit the map");
EXTWD_STATIC_ASSERT(offsetof(struct wd_core, grace_eff_s) < 0x3Fu &&
                    offsetof(struct wd_core, breadcrumb) < 0x40u &&
                    offsetof(struct wd_core, chip_reset) < 0x40u,
                    "mapped core fields must sit in the first 64 bytes");

/* ---- the register map ---------------------------------------------------------
 * One entry per register, sorted; a register runs up to the next entry. The
 * source byte says where its bytes come from:
 *   0x00-0x3F  struct wd_core at that offset
 *   0x40-0x7F  struct wd_persist at (source - 0x40)
 *   0x80-0xBF  const_bytes[] at (source - 0x80)
 *   0xC0-      a value computed by reg_calc()
 */
#define SRC_CORE(f)  ((uint8_t)offsetof(struct wd_core, f))
#define SRC_PERS(f)  ((uint8_t)(0x40u + offsetof(struct wd_persist, f)))
#define SRC_CONST(i) ((uint8_t)(0x80u + (i)))
#define SRC_UNMAPPED 0xC0u
#define SRC_TIMEOUT_S 0xC1u
#define SRC_SINCE_FEED_S 0xC2u
#define SRC_GRACE_LEFT_S 0xC3u
#define SRC_EXT_STATUS 0xC4u
#define SRC_LOCK 0xC5u
#define SRC_TIME_LEFT 0xC6u
#define SRC_DISARM_LEFT 0xC7u

static const WD_FLASH uint8_t const_bytes[] = {
    'E', 'X', 'W', 'D',           /* 0: PROJECT_ID */
    EXTWD_SETTINGS_VERSION, 0, 0, /* 4: SETTINGS_VER; 5: KEY reads 0 0 */
    1,                            /* 7: RESET_PIN, PROTO_VERSION */
    WD_FW_MAJOR, WD_FW_MINOR, WD_FW_PATCH, WD_MCU_ID,
    (uint8_t)WD_CAPS, (uint8_t)(WD_CAPS >> 8),
};
EXTWD_STATIC_ASSERT(EXTWD_PROTO_VERSION == 1u, "const_bytes[7] serves RESET_PIN and PROTO_VERSION");

struct reg_entry {
    uint8_t reg;
    uint8_t src;
};

#define HISTORY_ENTRY(k)                                                                      \
    {EXTWD_REG_HISTORY + 6u * (k), SRC_PERS(history[k].cause)},                               \
    {EXTWD_REG_HISTORY + 6u * (k) + 1u, SRC_PERS(history[k].breadcrumb)},                     \
    {EXTWD_REG_HISTORY + 6u * (k) + 2u, SRC_PERS(history[k].uptime_s)}

static const WD_FLASH struct reg_entry reg_map[] = {
    {EXTWD_REG_PROJECT_ID, SRC_CONST(0)},
    {EXTWD_REG_SETTINGS_VER, SRC_CONST(4)},
    {EXTWD_REG_TIMEOUT_S, SRC_TIMEOUT_S},
    {EXTWD_REG_ACTION, SRC_CORE(set.action)},
    {EXTWD_REG_RESET_PIN, SRC_CONST(7)},
    {EXTWD_REG_GRACE_S, SRC_CORE(set.grace_s)},
    {EXTWD_REG_I2C_ADDR, SRC_CORE(set.i2c_addr)},
    {EXTWD_REG_BUSLOAD_PCT, SRC_CORE(set.busload_pct)},
    {EXTWD_REG_SINCE_FEED_S, SRC_SINCE_FEED_S},
    {EXTWD_REG_GRACE_LEFT_S, SRC_GRACE_LEFT_S},
    {EXTWD_REG_RESET_COUNT, SRC_PERS(reset_count)},
    {EXTWD_REG_REINIT_COUNT, SRC_PERS(reinit_count)},
    {EXTWD_REG_BUSERR_COUNT, SRC_PERS(buserr_count)},
    {EXTWD_REG_STATUS, SRC_PERS(status)},
    {EXTWD_REG_LAST_CAUSE, SRC_PERS(last_cause)},
    {EXTWD_REG_LAST_CAUSE + 1u, SRC_UNMAPPED},
    {EXTWD_REG_PROTO_VERSION, SRC_CONST(7)},
    {EXTWD_REG_FW_MAJOR, SRC_CONST(8)},
    {EXTWD_REG_FW_MINOR, SRC_CONST(9)},
    {EXTWD_REG_FW_PATCH, SRC_CONST(10)},
    {EXTWD_REG_MCU_ID, SRC_CONST(11)},
    {EXTWD_REG_EXT_STATUS, SRC_EXT_STATUS},
    {EXTWD_REG_CAPS, SRC_CONST(12)},
    {EXTWD_REG_LAST_ERROR, SRC_CORE(last_error)},
    {EXTWD_REG_REFUSED_COUNT, SRC_PERS(refused_count)},
    {EXTWD_REG_CHIP_RESET, SRC_CORE(chip_reset)},
    {EXTWD_REG_HISTORY_LEN, SRC_PERS(history_len)},
    {EXTWD_REG_BOOTLOOP_COUNT, SRC_PERS(bootloop_count)},
    {EXTWD_REG_WINDOW_FAULTS, SRC_PERS(window_faults)},
    {EXTWD_REG_RESETS_TOTAL, SRC_PERS(resets_total)},
    {EXTWD_REG_TIMEOUT_MS, SRC_CORE(set.timeout_ms)},
    {EXTWD_REG_PULSE_MS, SRC_CORE(set.pulse_ms)},
    {EXTWD_REG_MAX_DISARM_S, SRC_CORE(set.max_disarm_s)},
    {EXTWD_REG_PRETIMEOUT_MS, SRC_CORE(set.pretimeout_ms)},
    {EXTWD_REG_WINDOW_MS, SRC_CORE(set.window_ms)},
    {EXTWD_REG_BOOTLOOP_LIMIT, SRC_CORE(set.bootloop_limit)},
    {EXTWD_REG_HEALTHY_S, SRC_CORE(set.healthy_s)},
    {EXTWD_REG_OPTIONS, SRC_CORE(set.options)},
    {EXTWD_REG_OPTIONS + 1u, SRC_UNMAPPED},
    {EXTWD_REG_BREADCRUMB, SRC_CORE(breadcrumb)},
    {EXTWD_REG_BREADCRUMB_RST, SRC_PERS(breadcrumb_rst)},
    {EXTWD_REG_LOCK, SRC_LOCK},
    {EXTWD_REG_KEY, SRC_CONST(5)},
    {EXTWD_REG_KEY + 2u, SRC_UNMAPPED},
    {EXTWD_REG_TIME_LEFT_MS, SRC_TIME_LEFT},
    {EXTWD_REG_SINCE_FEED_MS, SRC_CORE(since_feed_ms)},
    {EXTWD_REG_UPTIME_S, SRC_CORE(uptime_s)},
    {EXTWD_REG_GRACE_LEFT_MS, SRC_CORE(grace_left_ms)},
    {EXTWD_REG_DISARM_LEFT_S, SRC_DISARM_LEFT},
    {EXTWD_REG_GRACE_EFF_S, SRC_CORE(grace_eff_s)},
    {EXTWD_REG_GRACE_EFF_S + 2u, SRC_UNMAPPED},
    HISTORY_ENTRY(0), HISTORY_ENTRY(1), HISTORY_ENTRY(2), HISTORY_ENTRY(3),
    {EXTWD_REG_HISTORY_END, SRC_UNMAPPED},
    {0x80u, SRC_UNMAPPED}, /* end marker */
};

/* Writable registers; bit 7 marks a protective write (5.11). ACTION is
 * protective only when the value is 0, which wd_core_frame checks. */
#define PROT 0x80u
static const WD_FLASH uint8_t writable[] = {
    PROT | EXTWD_REG_TIMEOUT_S, EXTWD_REG_ACTION, PROT | EXTWD_REG_GRACE_S,
    PROT | EXTWD_REG_I2C_ADDR, PROT | EXTWD_REG_BUSLOAD_PCT, EXTWD_REG_STATUS,
    EXTWD_REG_EXT_STATUS, PROT | EXTWD_REG_TIMEOUT_MS, PROT | EXTWD_REG_PULSE_MS,
    PROT | EXTWD_REG_MAX_DISARM_S, PROT | EXTWD_REG_PRETIMEOUT_MS, PROT | EXTWD_REG_WINDOW_MS,
    PROT | EXTWD_REG_BOOTLOOP_LIMIT, PROT | EXTWD_REG_HEALTHY_S, PROT | EXTWD_REG_OPTIONS,
    EXTWD_REG_BREADCRUMB, EXTWD_REG_LOCK, EXTWD_REG_KEY,
};

/* ---- small helpers ---------------------------------------------------------- */

static void inc_sat8(uint8_t *v)
{
    if (*v != 0xFFu)
        ++*v;
}

/* ms to whole seconds for the one-byte stock registers; round is 0 (down) or
 * 999 (up); 255 s and more read 255. */
static __attribute__((noinline)) uint8_t ms_to_s8(uint32_t ms, uint16_t round)
{
    ms += round;
    if (ms >= 255000u)
        return 0xFFu;
    return (uint8_t)((uint16_t)(ms >> 3) / 125u); /* a 16-bit division is cheaper */
}

static __attribute__((noinline)) uint8_t crc8_byte(uint8_t crc, uint8_t byte)
{
    crc ^= byte;
    for (uint8_t i = 0; i < 8; i++)
        crc = (uint8_t)((crc & 0x80u) ? ((unsigned)crc << 1) ^ EXTWD_PEC_POLY : (unsigned)crc << 1);
    return crc;
}

uint8_t wd_crc8(uint8_t init, const uint8_t *p, uint8_t n)
{
    while (n--)
        init = crc8_byte(init, *p++);
    return init;
}

typedef const WD_FLASH struct reg_entry *reg_ref;

/* Returns the map entry of the register that holds address a (< 0x80); it
 * starts at e->reg and is (e[1].reg - e->reg) bytes wide. */
static reg_ref reg_find(uint8_t a)
{
    reg_ref e = reg_map;
    while (e[1].reg <= a)
        e++;
    return e;
}

/* n (0-4) little-endian bytes as a number. */
static __attribute__((noinline)) uint32_t get_le(const uint8_t *p, uint8_t n)
{
    uint32_t v = 0;
    while (n--)
        v = v << 8 | p[n];
    return v;
}

static void put_le(uint8_t *d, uint32_t v, uint8_t n)
{
    while (n--) {
        *d++ = (uint8_t)v;
        v >>= 8;
    }
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
 * the write path and the EEPROM decoder. PRETIMEOUT_MS and WINDOW_MS are
 * checked against the timeout only when written (a later, shorter timeout
 * switches them off instead). Returns nonzero if s is acceptable. */
static uint8_t settings_ok(const struct wd_settings *s)
{
    uint32_t t = s->timeout_ms;
    return (t == 0u || t - EXTWD_TIMEOUT_MS_MIN <= EXTWD_TIMEOUT_MS_MAX - EXTWD_TIMEOUT_MS_MIN) &&
           (uint16_t)(s->pulse_ms - EXTWD_PULSE_MS_MIN) < EXTWD_PULSE_MS_MAX && s->action <= 1u &&
           (uint8_t)(s->i2c_addr - EXTWD_I2C_ADDR_MIN) <= EXTWD_I2C_ADDR_MAX - EXTWD_I2C_ADDR_MIN &&
           (uint8_t)(s->busload_pct - EXTWD_BUSLOAD_PCT_MIN) < EXTWD_BUSLOAD_PCT_MAX && s->healthy_s &&
           s->options <= EXTWD_OPT_MASK;
}

void wd_settings_encode(const struct wd_settings *s, uint8_t seq, uint8_t out[WD_EEPROM_SLOT_SIZE])
{
    out[0] = WD_EEPROM_MAGIC0;
    out[1] = WD_EEPROM_MAGIC1;
    out[2] = EXTWD_SETTINGS_VERSION;
    out[3] = seq;
    memcpy(out + 4, s, WD_SETTINGS_SIZE);
    out[SLOT_CRC_AT] = wd_crc8(0xFFu, out, SLOT_CRC_AT);
}

/* A slot image whose settings are aligned for struct access. */
union slot_image {
    uint8_t b[WD_EEPROM_SLOT_SIZE + 1u];
    struct {
        uint8_t head[4];
        struct wd_settings set; /* the CRC byte is right after its 19 bytes */
    } v;
};

/* Returns nonzero if the slot image holds valid settings. */
static uint8_t slot_ok(const union slot_image *img)
{
    return img->b[0] == WD_EEPROM_MAGIC0 && img->b[1] == WD_EEPROM_MAGIC1 &&
           img->b[2] == EXTWD_SETTINGS_VERSION &&
           wd_crc8(0xFFu, img->b, SLOT_CRC_AT) == img->b[SLOT_CRC_AT] && settings_ok(&img->v.set);
}

int wd_settings_decode(const uint8_t in[WD_EEPROM_SLOT_SIZE], struct wd_settings *s, uint8_t *seq)
{
    union slot_image img;

    memcpy(img.b, in, WD_EEPROM_SLOT_SIZE);
    if (!slot_ok(&img))
        return -1;
    memcpy(s, &img.v.set, WD_SETTINGS_SIZE);
    *seq = in[3];
    return 0;
}

/* Loads the newest valid slot into c->set, or the defaults (and
 * DEFAULTS_LOADED) if neither is valid, and aims the next save at the other
 * slot. */
static void load_settings(struct wd_core *c)
{
    union slot_image img;
    uint8_t seq = 0, found = 0;

    for (uint8_t slot = 0; slot < WD_EEPROM_SLOTS; slot++) {
        wd_port_eeprom_read(slot ? WD_EEPROM_SLOT_SIZE : 0u, img.b, WD_EEPROM_SLOT_SIZE);
        /* slot 1 wins only with a newer sequence; comparing the difference
         * as signed handles the 255 -> 0 wrap */
        if ((!found || (int8_t)(img.b[3] - seq) > 0) && slot_ok(&img)) {
            memcpy(&c->set, &img.v.set, WD_SETTINGS_SIZE);
            seq = img.b[3];
            found = (uint8_t)(slot + 1u);
        }
    }
    c->flags &= (uint8_t)~WD_F_NEXT_SLOT;
    if (found == 1u)
        c->flags |= WD_F_NEXT_SLOT;
    if (!found) {
        wd_settings_defaults(&c->set);
        c->persist->ext_sticky |= EXTWD_XS_DEFAULTS_LOADED;
    }
    c->eeprom_seq = seq;
}

/* ---- derived state ---------------------------------------------------------- */

/* ms from SINCE_FEED_MS to the timeout, 0 if past it. */
static __attribute__((noinline)) uint32_t to_timeout(const struct wd_core *c)
{
    uint32_t t = c->set.timeout_ms, s = c->since_feed_ms;
    return t > s ? t - s : 0u;
}

/* Returns nonzero while the live PRETIMEOUT bit is set (5.8). */
static uint8_t pretimeout_active(const struct wd_core *c)
{
    uint16_t pre = c->set.pretimeout_ms;
    if (!pre || !c->set.action || c->pulse_left_ms || (c->flags & WD_F_GRACE) || pre >= c->set.timeout_ms)
        return 0;
    return to_timeout(c) < pre;
}

/* s x 1000, the one multiplication of the core. */
static __attribute__((noinline)) uint32_t s_to_ms(uint16_t s)
{
    return (uint32_t)s * 1000u;
}

static __attribute__((noinline)) void start_grace(struct wd_core *c, uint16_t s)
{
    c->grace_left_ms = s_to_ms(s);
    c->flags &= (uint8_t)~WD_F_GRACE;
    if (s)
        c->flags |= WD_F_GRACE;
}

/* ---- host reset (5.3) ------------------------------------------------------ */

static __attribute__((noinline)) void host_reset(struct wd_core *c, uint8_t cause)
{
    struct wd_persist *p = c->persist;
    uint8_t backoff = 0, old_addr = c->set.i2c_addr;

    p->status |= EXTWD_STATUS_WD_RESET;
    p->last_cause = cause;
    p->breadcrumb_rst = c->breadcrumb;
    inc_sat8(&p->reset_count);
    if (p->resets_total != 0xFFFFu)
        p->resets_total++;
    memmove(&p->history[1], &p->history[0], sizeof p->history[0] * (EXTWD_HISTORY_ENTRIES - 1u));
    p->history[0].cause = cause;
    p->history[0].breadcrumb = c->breadcrumb;
    p->history[0].uptime_s = c->uptime_s;
    if (p->history_len < EXTWD_HISTORY_ENTRIES)
        p->history_len++;

    inc_sat8(&p->bootloop_count);
    if (c->set.bootloop_limit && p->bootloop_count > c->set.bootloop_limit) {
        p->ext_sticky |= EXTWD_XS_SAFE_MODE;
        backoff = (uint8_t)(p->bootloop_count - c->set.bootloop_limit);
        if (backoff > EXTWD_GRACE_BACKOFF_MAX)
            backoff = EXTWD_GRACE_BACKOFF_MAX;
    }

    load_settings(c);
    if (c->set.i2c_addr != old_addr)
        c->requests |= WD_REQ_ADDRESS;
    c->grace_eff_s = (uint16_t)(c->set.grace_s << backoff);
    c->pulse_left_ms = c->set.pulse_ms;
    c->since_feed_ms = 0;
    c->grace_left_ms = 0;
    c->disarm_s = 0;
    c->flags = (uint8_t)((c->flags & ~(WD_F_HEALTHY_RUN | WD_F_GRACE)) | WD_F_HEALTHY_WAIT);
    c->requests |= WD_REQ_SEAL;
}

/* ---- lifecycle ---------------------------------------------------------------- */

void wd_core_init(struct wd_core *c, struct wd_persist *persist, uint8_t chip_reset)
{
    uint8_t len = persist->history_len;

    memset(c, 0, sizeof *c);
    c->persist = persist;
    c->chip_reset = chip_reset;
    if ((chip_reset & EXTWD_CHIP_PORF) || persist->magic != WD_PERSIST_MAGIC ||
        persist->version != WD_PERSIST_VERSION || len > EXTWD_HISTORY_ENTRIES ||
        wd_crc8(0xFFu, (const uint8_t *)persist, PERSIST_CRC_LEN) != persist->crc) {
        memset(persist, 0, sizeof *persist);
        persist->magic = WD_PERSIST_MAGIC;
        persist->version = WD_PERSIST_VERSION;
    } else {
        persist->ext_sticky |= EXTWD_XS_CHIP_RESTARTED;
        /* entries past HISTORY_LEN read as 0 */
        struct wd_history_entry *e = &persist->history[EXTWD_HISTORY_ENTRIES];
        for (; len < EXTWD_HISTORY_ENTRIES; len++)
            memset(--e, 0, sizeof *e);
    }
    load_settings(c);
    c->grace_eff_s = c->set.grace_s;
    start_grace(c, c->set.grace_s);
    c->read_ptr = EXTWD_REG_STATUS;
    c->latch_reg = 0xFFu;
    c->flags |= WD_F_HEALTHY_WAIT;
    wd_core_seal(c);
}

void wd_core_factory_reset(struct wd_core *c)
{
    wd_settings_defaults(&c->set);
    c->requests |= WD_REQ_SAVE | WD_REQ_ADDRESS;
}

void wd_core_tick(struct wd_core *c, uint16_t elapsed_ms, uint8_t bus_low)
{
    struct wd_persist *p = c->persist;
    uint16_t left = elapsed_ms, lows = 0;

    /* whole seconds: uptime, bounded disarm, healthy period */
    for (;;) {
        uint16_t room = (uint16_t)(1000u - c->uptime_frac_ms);
        if (left < room)
            break;
        left = (uint16_t)(left - room);
        c->uptime_frac_ms = 0;
        if (c->uptime_s != 0xFFFFFFFFu)
            c->uptime_s++;
        if (!c->set.action && c->disarm_s != 0xFFFFu)
            c->disarm_s++;
        inc_sat8(&c->healthy_s);
    }
    c->uptime_frac_ms = (uint16_t)(c->uptime_frac_ms + left);
    c->key_left_ms = c->key_left_ms > elapsed_ms ? (uint16_t)(c->key_left_ms - elapsed_ms) : 0u;

    /* bus health: share of low samples among the last 16 ticks (5.10);
     * lows counts 100 per low sample, so lows > 16 x pct means share > pct */
    c->bus_samples = (uint16_t)(c->bus_samples << 1);
    if (bus_low)
        c->bus_samples |= 1u;
    for (uint16_t s = c->bus_samples; s; s >>= 1)
        if (s & 1u)
            lows = (uint16_t)(lows + 100u);
    if (lows > (uint16_t)(c->set.busload_pct << 4)) {
        inc_sat8(&p->buserr_count);
        inc_sat8(&p->reinit_count);
        c->bus_samples = 0;
        c->requests |= WD_REQ_BUS_REINIT | WD_REQ_SEAL;
    }

    /* bounded disarm (5.6) */
    if (!c->set.action && c->set.max_disarm_s && c->disarm_s >= c->set.max_disarm_s) {
        c->set.action = 1;
        c->disarm_s = 0;
        p->ext_sticky |= EXTWD_XS_AUTO_REARMED;
        c->requests |= WD_REQ_SEAL;
    }

    /* a healthy period after the first feed ends the boot loop (5.5) */
    if ((c->flags & WD_F_HEALTHY_RUN) && c->healthy_s >= c->set.healthy_s) {
        c->flags &= (uint8_t)~WD_F_HEALTHY_RUN;
        if (p->bootloop_count) {
            p->bootloop_count = 0;
            c->requests |= WD_REQ_SEAL;
        }
    }

    /* the pulse, then grace, then the countdown (5.1-5.4) */
    if (c->pulse_left_ms) {
        if (c->pulse_left_ms > elapsed_ms) {
            c->pulse_left_ms = (uint16_t)(c->pulse_left_ms - elapsed_ms);
        } else {
            c->pulse_left_ms = 0;
            start_grace(c, c->grace_eff_s);
        }
    } else if (c->flags & WD_F_GRACE) {
        if (c->grace_left_ms > elapsed_ms) {
            c->grace_left_ms -= elapsed_ms;
        } else {
            c->grace_left_ms = 0;
            c->flags &= (uint8_t)~WD_F_GRACE;
        }
    } else {
        uint32_t t = c->since_feed_ms + elapsed_ms;
        c->since_feed_ms = t < elapsed_ms ? 0xFFFFFFFFu : t;
        if (c->set.action && c->set.timeout_ms && !to_timeout(c))
            host_reset(c, EXTWD_CAUSE_TIMEOUT);
    }
}

/* ---- register reads ----------------------------------------------------------- */

/* The live value of a computed register. */
static uint32_t reg_calc(const struct wd_core *c, uint8_t src)
{
    uint32_t t = c->set.timeout_ms;

    switch (src) {
    case SRC_TIMEOUT_S:
        return ms_to_s8(t, 999u);
    case SRC_SINCE_FEED_S:
        return ms_to_s8(c->since_feed_ms, 0u);
    case SRC_GRACE_LEFT_S:
        return ms_to_s8(c->grace_left_ms, 999u);
    case SRC_EXT_STATUS: {
        uint8_t v = (uint8_t)(c->persist->ext_sticky & EXTWD_XS_STICKY);
        if (pretimeout_active(c))
            v |= EXTWD_XS_PRETIMEOUT;
        if (c->flags & WD_F_LOCKED)
            v |= EXTWD_XS_LOCKED;
        if (c->flags & WD_F_GRACE)
            v |= EXTWD_XS_IN_GRACE;
        return v;
    }
    case SRC_LOCK:
        return c->flags & WD_F_LOCKED;
    case SRC_TIME_LEFT:
        if (!c->set.action || !t)
            break;
        if (c->pulse_left_ms)
            return 0;
        return to_timeout(c) + c->grace_left_ms; /* SINCE_FEED_MS is 0 during grace */
    default: /* SRC_DISARM_LEFT */
        if (c->set.action || !c->set.max_disarm_s)
            return 0xFFFFu;
        return c->set.max_disarm_s > c->disarm_s ? (uint16_t)(c->set.max_disarm_s - c->disarm_s) : 0u;
    }
    return 0xFFFFFFFFu;
}

void wd_core_read_begin(struct wd_core *c)
{
    c->read_cursor = c->read_ptr;
    c->latch_reg = 0xFFu;
}

/* Copies the register e into the latch. */
static void reg_fetch(struct wd_core *c, reg_ref e)
{
    uint8_t src = e->src, width = (uint8_t)(e[1].reg - e->reg);

    if (src >= 0xC0u) {
        put_le(c->latch, reg_calc(c, src), 4);
    } else if (src >= 0x80u) {
        for (uint8_t i = 0; i < width; i++)
            c->latch[i] = const_bytes[src - 0x80u + i];
    } else {
        memcpy(c->latch, src < 0x40u ? (const uint8_t *)c + src : (const uint8_t *)c->persist + (src - 0x40u),
               width);
    }
}

uint8_t wd_core_read_next(struct wd_core *c)
{
    uint8_t a = c->read_cursor, start;
    reg_ref e;

    if (a >= 0x80u)
        return EXTWD_UNMAPPED_READ;
    c->read_cursor = (uint8_t)(a + 1u);
    e = reg_find(a);
    if (e->src == SRC_UNMAPPED)
        return EXTWD_UNMAPPED_READ;
    /* a register read from its first byte is latched whole; one read from
     * the middle is fetched live for every byte */
    start = e->reg;
    if (a == start || c->latch_reg != start) {
        c->latch_reg = a == start ? a : 0xFFu;
        reg_fetch(c, e);
    }
    return c->latch[a - start];
}

/* ---- write frames -------------------------------------------------------------- */

#define FRAME_POINTER 0xFFu /* the frame only set the read pointer */

/* RANGE and the effect of a checked write of w value bytes at data to
 * register (or command) r, whose map source is src. Returns LAST_ERROR. */
static uint8_t frame_act(struct wd_core *c, uint8_t r, uint8_t src, const uint8_t *data, uint8_t w)
{
    struct wd_persist *p = c->persist;
    uint32_t v = get_le(data, w);

    /* a settings register is written in place and the settings checked
     * whole; a refused value is put back */
    if (src < WD_SETTINGS_SIZE) {
        uint8_t *dst = (uint8_t *)c + src;
        uint32_t old = get_le(dst, w);
        memcpy(dst, data, w);
        if (!settings_ok(&c->set) ||
            ((r == EXTWD_REG_PRETIMEOUT_MS || r == EXTWD_REG_WINDOW_MS) && v && v >= c->set.timeout_ms)) {
            put_le(dst, old, w);
            return EXTWD_ERR_RANGE;
        }
        if (r == EXTWD_REG_I2C_ADDR)
            c->requests |= WD_REQ_ADDRESS;
        if (r == EXTWD_REG_ACTION && v)
            c->disarm_s = 0; /* a disarm is timed from the write that disarms */
        return EXTWD_ERR_OK;
    }
    switch (r) {
    case EXTWD_REG_TIMEOUT_S:
        c->set.timeout_ms = s_to_ms((uint8_t)v);
        break;
    case EXTWD_REG_STATUS:
        p->status &= (uint8_t)v;
        c->requests |= WD_REQ_SEAL;
        break;
    case EXTWD_REG_EXT_STATUS:
        p->ext_sticky &= (uint8_t)v;
        c->requests |= WD_REQ_SEAL;
        break;
    case EXTWD_REG_BREADCRUMB:
        c->breadcrumb = (uint8_t)v;
        break;
    case EXTWD_REG_LOCK:
        if (v != EXTWD_LOCK_MAGIC)
            return EXTWD_ERR_RANGE;
        c->flags |= WD_F_LOCKED;
        break;
    case EXTWD_REG_KEY:
        if (v != EXTWD_KEY)
            return EXTWD_ERR_KEY;
        c->key_left_ms = EXTWD_KEY_VALID_MS;
        break;
    case EXTWD_CMD_SAVE:
        c->requests |= WD_REQ_SAVE;
        break;
    case EXTWD_CMD_FACTORY_RESET:
        wd_settings_defaults(&c->set);
        c->requests |= WD_REQ_FACTORY;
        break;
    case EXTWD_CMD_CLEAR_COUNTERS:
        p->reset_count = 0;
        p->reinit_count = 0;
        p->buserr_count = 0;
        p->resets_total = 0;
        p->window_faults = 0;
        p->refused_count = 0;
        c->requests |= WD_REQ_SEAL;
        break;
    case EXTWD_CMD_TEST_ACTION:
        if (c->pulse_left_ms)
            return EXTWD_ERR_BUSY;
        if (!c->set.action)
            return EXTWD_ERR_DISARMED;
        host_reset(c, EXTWD_CAUSE_TEST);
        break;
    default: { /* EXTWD_CMD_FEED */
        uint16_t win = c->set.window_ms;
        if (c->pulse_left_ms)
            return EXTWD_ERR_BUSY;
        if (win && c->set.action && !(c->flags & WD_F_GRACE) && win < c->set.timeout_ms &&
            c->since_feed_ms < win) {
            inc_sat8(&p->window_faults);
            p->ext_sticky |= EXTWD_XS_WINDOW_FAULT;
            host_reset(c, EXTWD_CAUSE_WINDOW);
            break;
        }
        c->since_feed_ms = 0;
        c->grace_left_ms = 0;
        c->flags &= (uint8_t)~WD_F_GRACE;
        if (p->status & EXTWD_STATUS_WD_RESET) {
            p->status &= (uint8_t)~EXTWD_STATUS_WD_RESET;
            c->requests |= WD_REQ_SEAL;
        }
        if (c->flags & WD_F_HEALTHY_WAIT) {
            c->flags ^= WD_F_HEALTHY_WAIT | WD_F_HEALTHY_RUN;
            c->healthy_s = 0;
        }
    }
    }
    return EXTWD_ERR_OK;
}

/* The checks of SPEC 6 in their order, then frame_act. Returns LAST_ERROR,
 * or FRAME_POINTER. */
static uint8_t frame_run(struct wd_core *c, const uint8_t *f, uint8_t len, uint8_t fresh)
{
    uint8_t r = f[0], w = 0, src = 0xFFu, i = 0, prot = 0, extra;

    if (r == EXTWD_CMD_SET_ADDRESS)
        r = EXTWD_REG_I2C_ADDR; /* the same write, from here on */

    /* UNKNOWN: the register or command, and how many value bytes it takes */
    if (r < 0x80u) {
        if (len == 1u && r == f[0]) {
            c->read_ptr = r;
            return FRAME_POINTER;
        }
        reg_ref m = reg_find(r);
        src = m->src;
        if (src == SRC_UNMAPPED)
            return EXTWD_ERR_UNKNOWN;
        w = (uint8_t)(m[1].reg - r); /* into the middle: the rest of it */
    } else if (r == EXTWD_CMD_SET_POINTER) {
        w = 1;
    } else if (r > EXTWD_CMD_TEST_ACTION && r != EXTWD_CMD_FEED) {
        return EXTWD_ERR_UNKNOWN;
    }

    /* LENGTH, PEC */
    extra = (uint8_t)(len - 1u - w);
    if (extra > 1u)
        return EXTWD_ERR_LENGTH;
    if (extra) {
        if (wd_crc8(crc8_byte(0, (uint8_t)(c->set.i2c_addr << 1)), f, (uint8_t)(len - 1u)) != f[len - 1u])
            return EXTWD_ERR_PEC;
    } else if ((c->set.options & EXTWD_OPT_PEC_REQUIRED) && r != EXTWD_CMD_SET_POINTER) {
        return EXTWD_ERR_PEC;
    }
    if (r == EXTWD_CMD_SET_POINTER) {
        c->read_ptr = f[1];
        return FRAME_POINTER;
    }

    /* READONLY */
    if (r < 0x80u) {
        while ((writable[i] & 0x7Fu) != r)
            if (++i == sizeof writable)
                return EXTWD_ERR_READONLY;
        prot = writable[i] & PROT;
        if (r == EXTWD_REG_ACTION && !f[1])
            prot = PROT;
    } else if (r == EXTWD_CMD_FACTORY_RESET || r == EXTWD_CMD_CLEAR_COUNTERS) {
        prot = PROT;
    }

    /* LOCKED, KEY */
    if (prot) {
        if (c->flags & WD_F_LOCKED)
            return EXTWD_ERR_LOCKED;
        if ((c->set.options & EXTWD_OPT_KEYED) && !fresh)
            return EXTWD_ERR_KEY;
    }
    return frame_act(c, r, src, f + 1, w);
}

void wd_core_frame(struct wd_core *c, const uint8_t *f, uint8_t len)
{
    uint8_t fresh, err;

    if (!len)
        return; /* a probe */
    fresh = c->key_left_ms != 0;
    c->key_left_ms = 0; /* any frame uses the key up */
    err = frame_run(c, f, len, fresh);
    if (err == FRAME_POINTER)
        return; /* LAST_ERROR stays */
    c->last_error = err;
    if (err) {
        inc_sat8(&c->persist->refused_count);
        c->requests |= WD_REQ_SEAL;
    }
}

/* ---- port services ---------------------------------------------------------------- */

void wd_core_note_reinit(struct wd_core *c)
{
    inc_sat8(&c->persist->reinit_count);
    c->requests |= WD_REQ_SEAL;
}

uint8_t wd_core_address(const struct wd_core *c)
{
    return c->set.i2c_addr;
}

uint8_t wd_core_take_requests(struct wd_core *c)
{
    uint8_t r = c->requests;
    c->requests = 0;
    return r;
}

uint8_t wd_core_outputs(const struct wd_core *c)
{
    uint8_t out = c->pulse_left_ms ? WD_OUT_RESET : 0u;
    if ((c->set.options & EXTWD_OPT_PRETIMEOUT_PIN) && pretimeout_active(c))
        out |= WD_OUT_PRETIMEOUT;
    return out;
}

void wd_core_seal(struct wd_core *c)
{
    c->persist->crc = wd_crc8(0xFFu, (const uint8_t *)c->persist, PERSIST_CRC_LEN);
}

uint16_t wd_core_eeprom_slot(struct wd_core *c, uint8_t out[WD_EEPROM_SLOT_SIZE])
{
    uint8_t slot1 = c->flags & WD_F_NEXT_SLOT;

    c->flags ^= WD_F_NEXT_SLOT;
    wd_settings_encode(&c->set, ++c->eeprom_seq, out);
    return slot1 ? WD_EEPROM_SLOT_SIZE : 0u;
}
