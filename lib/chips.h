/*
 * libextwd's two kinds of chip: the stock TinyI2CWatchdog and the extwd
 * chip, each one row of struct chip_kind (declared in transaction.h): how
 * it reads, how a write is checked, what its reset evidence and state
 * registers are and what they mean. The API (lib/extwd.c) asks the row
 * instead of testing the kind; the kind is decided once, by PROJECT_ID at
 * identification (wd->is_extwd indexes the table).
 *
 * Static functions, included by lib/extwd.c alone after transaction.h (one
 * translation unit, like the transaction layer). Not a public header.
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_LIB_CHIPS_H
#define EXTWD_LIB_CHIPS_H

#include "extwd/extwd.h"
#include "extwd/registers.h"
#include "transaction.h"

/* Where register a starts in a block read from register from, and the
 * bytes of a block read from first to the end of last (registers.def). */
#define AT(a, from) (EXTWD_REG_##a - EXTWD_REG_##from)
#define SPAN(first, last) (EXTWD_REG_##last + EXTWD_WIDTH_##last - EXTWD_REG_##first)

static void zero(void *p, size_t n)
{
    uint8_t *b = (uint8_t *)p;
    while (n--)
        *b++ = 0;
}

/* A stock chip has no capability bits (identify leaves caps 0). */
static int has_cap(const struct extwd *wd, uint16_t cap)
{
    return (wd->caps & cap) == cap;
}

/* ---- what a reply can be ------------------------------------------------------- */

static int valid_timeout(uint32_t ms)
{
    return ms == 0 || (ms >= EXTWD_TIMEOUT_MS_MIN && ms <= EXTWD_TIMEOUT_MS_MAX);
}

static int ok_identity(const uint8_t *b)   /* 0x20.. PROTO_VERSION first */
{
    return b[0] != 0 && b[0] != EXTWD_UNMAPPED_READ;
}

static int ok_history_len(const uint8_t *b) /* 0x2B.. HISTORY_LEN first */
{
    return b[0] <= EXTWD_HISTORY_ENTRIES;
}

static int ok_window_options(const uint8_t *b) /* 0x3A.. WINDOW_MS, ..., OPTIONS */
{
    return ok_options(b + AT(OPTIONS, WINDOW_MS));
}

static int ok_action(const uint8_t *b)      /* ACTION first */
{
    return b[0] <= 1u;
}

static int ok_action_block(const uint8_t *b) /* 0x07-0x12 */
{
    return b[0] <= 1u && (b[AT(STATUS, ACTION)] & (uint8_t)~EXTWD_STATUS_WD_RESET) == 0 &&
           b[AT(LAST_CAUSE, ACTION)] <= EXTWD_CAUSE_WINDOW;
}

static int ok_timeout(const uint8_t *b)     /* TIMEOUT_MS first */
{
    return valid_timeout(get_le32(b));
}

static int ok_ext_block(const uint8_t *b)   /* 0x25-0x33: EXT_STATUS .. TIMEOUT_MS */
{
    return ok_timeout(b + AT(TIMEOUT_MS, EXT_STATUS));
}

/* ---- the stock chip ------------------------------------------------------------- */

/* STATUS bit 0 is the whole record: the stock chip has no causes. */
static enum extwd_reset_reason reason_stock(uint8_t status)
{
    return (status & EXTWD_STATUS_WD_RESET) ? EXTWD_REASON_WATCHDOG : EXTWD_REASON_NONE;
}

/* The stock chip's evidence: the reset count, STATUS, LAST_CAUSE, a byte
 * per read, and the reason they mean. */
static int read_evidence_stock(struct extwd *wd)
{
    struct extwd_boot_info *bi = &wd->boot;
    int r = read_u8(wd, EXTWD_REG_RESET_COUNT, &bi->reset_count);
    if (r == 0)
        r = read_u8(wd, EXTWD_REG_STATUS, &bi->status);
    if (r == 0)
        r = read_u8(wd, EXTWD_REG_LAST_CAUSE, &bi->last_cause);
    bi->reason = reason_stock(bi->status);
    return r;
}

/* The stock chip's state: seven registers a byte at a time, the timeout
 * and time since the feed in whole seconds. */
static int read_state_stock(struct extwd *wd, struct extwd_state *st)
{
    static const uint8_t regs[6] = {EXTWD_REG_TIMEOUT_S, EXTWD_REG_ACTION,
                                    EXTWD_REG_SINCE_FEED_S, EXTWD_REG_RESET_COUNT,
                                    EXTWD_REG_REINIT_COUNT, EXTWD_REG_BUSERR_COUNT};
    uint8_t b[6];
    int r;
    for (uint8_t i = 0; i < 6u; i++)
        if ((r = read_u8(wd, regs[i], &b[i])) != 0)
            return r;
    if ((r = read_u8(wd, EXTWD_REG_STATUS, &st->status)) != 0)
        return r;
    st->timeout_ms = 1000ul * b[0];
    st->armed = b[1] == 1u;
    st->since_feed_ms = 1000ul * b[2];
    st->reset_count = b[3];
    st->reinit_count = b[4];
    st->buserr_count = b[5];
    st->resets_total = b[3];
    return 0;
}

/* ---- the extwd chip --------------------------------------------------------------- */

static enum extwd_reset_reason reason_extwd(uint8_t status, uint8_t cause)
{
    if ((status & (uint8_t)~EXTWD_STATUS_WD_RESET) || cause > EXTWD_CAUSE_WINDOW)
        return EXTWD_REASON_UNKNOWN; /* bits SPEC.md does not define: a corrupt record */
    if (!(status & EXTWD_STATUS_WD_RESET))
        return EXTWD_REASON_NONE;
    if (cause == EXTWD_CAUSE_TEST)
        return EXTWD_REASON_TEST;
    if (cause == EXTWD_CAUSE_WINDOW)
        return EXTWD_REASON_WINDOW;
    return EXTWD_REASON_WATCHDOG;
}

/* Identity, capabilities and the reset evidence of an extwd chip, in
 * blocks, and the reason they mean (UNKNOWN for a record that cannot be
 * true); the window and options, which change how the library writes. */
static int read_evidence_extwd(struct extwd *wd)
{
    uint8_t b[24];
    struct extwd_boot_info *bi = &wd->boot;

    int r = read_checked(wd, EXTWD_REG_PROTO_VERSION, b, SPAN(PROTO_VERSION, CAPS), ok_identity);
    if (r)
        return r;
    wd->proto_version = b[0];
    wd->fw_version[0] = b[AT(FW_MAJOR, PROTO_VERSION)];
    wd->fw_version[1] = b[AT(FW_MINOR, PROTO_VERSION)];
    wd->fw_version[2] = b[AT(FW_PATCH, PROTO_VERSION)];
    bi->ext_status = b[AT(EXT_STATUS, PROTO_VERSION)];
    wd->caps = get_le16(b + AT(CAPS, PROTO_VERSION));

    /* The evidence: counters, STATUS, LAST_CAUSE. */
    if ((r = read_block(wd, EXTWD_REG_RESET_COUNT, b, SPAN(RESET_COUNT, LAST_CAUSE))) != 0)
        return r;
    bi->reset_count = b[0];
    bi->status = b[AT(STATUS, RESET_COUNT)];
    bi->last_cause = b[AT(LAST_CAUSE, RESET_COUNT)];

    /* An impossible record is the chip's problem, not a bus error: start
     * anyway and say the reason is unknown, because a host that cannot start
     * cannot feed, and the chip would reset it in a loop. */
    r = read_checked(wd, EXTWD_REG_HISTORY_LEN, b, SPAN(HISTORY_LEN, RESETS_TOTAL), ok_history_len);
    if (r == EXTWD_E_PROTO) {
        bi->suspect = 1;
        b[0] = 0;
        r = 0;
    }
    if (r)
        return r;
    bi->history_len = b[0];
    bi->bootloop_count = b[AT(BOOTLOOP_COUNT, HISTORY_LEN)];
    bi->resets_total = get_le16(b + AT(RESETS_TOTAL, HISTORY_LEN));

    if (has_cap(wd, EXTWD_CAP_BREADCRUMB) &&
        (r = read_u8(wd, EXTWD_REG_BREADCRUMB_RST, &bi->breadcrumb)) != 0)
        return r;

    if (has_cap(wd, EXTWD_CAP_HISTORY) && bi->history_len) {
        size_t n = (size_t)bi->history_len * EXTWD_HISTORY_ENTRY_SIZE;
        if ((r = read_block(wd, EXTWD_REG_HISTORY, b, n)) != 0)
            return r;
        for (uint8_t i = 0; i < bi->history_len; i++) {
            const uint8_t *e = b + (size_t)i * EXTWD_HISTORY_ENTRY_SIZE;
            bi->history[i].cause = e[0];
            bi->history[i].breadcrumb = e[1];
            bi->history[i].uptime_s = get_le32(e + 2);
        }
    }

    /* Settings that change how we write: window (feeds) and options (key). */
    if ((r = read_checked(wd, EXTWD_REG_WINDOW_MS, b, SPAN(WINDOW_MS, OPTIONS), ok_window_options)) != 0)
        return r;
    wd->window_ms = has_cap(wd, EXTWD_CAP_WINDOW) ? get_le16(b) : 0u;
    wd->options = (uint8_t)(b[AT(OPTIONS, WINDOW_MS)] & EXTWD_OPT_MASK);
    bi->reason = bi->suspect ? EXTWD_REASON_UNKNOWN : reason_extwd(bi->status, bi->last_cause);
    /* the background calibration's first look, a minute from now */
    wd->cal.supported = 1;
    wd->cal.start_ms = wd->cfg.port->millis(wd->cfg.port->ctx);
    return 0;
}

/* The extwd chip's state: four blocks (three checked) and the breadcrumb. */
static int read_state_extwd(struct extwd *wd, struct extwd_state *st)
{
    uint8_t b[16];
    int r;
    /* 0x07-0x12: ACTION .. LAST_CAUSE */
    if ((r = read_checked(wd, EXTWD_REG_ACTION, b, SPAN(ACTION, LAST_CAUSE), ok_action_block)) != 0)
        return r;
    st->armed = b[0];
    st->reset_count = b[AT(RESET_COUNT, ACTION)];
    st->reinit_count = b[AT(REINIT_COUNT, ACTION)];
    st->buserr_count = b[AT(BUSERR_COUNT, ACTION)];
    st->status = b[AT(STATUS, ACTION)];

    /* 0x25-0x33: EXT_STATUS .. RESETS_TOTAL, TIMEOUT_MS */
    if ((r = read_checked(wd, EXTWD_REG_EXT_STATUS, b, SPAN(EXT_STATUS, TIMEOUT_MS), ok_ext_block)) != 0)
        return r;
    st->ext_status = b[0];
    st->resets_total = get_le16(b + AT(RESETS_TOTAL, EXT_STATUS));
    st->timeout_ms = get_le32(b + AT(TIMEOUT_MS, EXT_STATUS));

    if (has_cap(wd, EXTWD_CAP_BREADCRUMB) &&
        (r = read_u8(wd, EXTWD_REG_BREADCRUMB, &st->breadcrumb)) != 0)
        return r;

    /* 0x48-0x53: TIME_LEFT_MS, SINCE_FEED_MS, UPTIME_S */
    if ((r = read_block(wd, EXTWD_REG_TIME_LEFT_MS, b, SPAN(TIME_LEFT_MS, UPTIME_S))) != 0)
        return r;
    if (has_cap(wd, EXTWD_CAP_TIME_LEFT))
        st->time_left_ms = get_le32(b);
    st->since_feed_ms = get_le32(b + AT(SINCE_FEED_MS, TIME_LEFT_MS));
    if (has_cap(wd, EXTWD_CAP_UPTIME))
        st->uptime_s = get_le32(b + AT(UPTIME_S, TIME_LEFT_MS));
    return 0;
}

/* ---- the table ------------------------------------------------------------------------ */

/* Row 0 is also the kind before identification: PROJECT_ID is read the
 * stock way, which both chips answer (SPEC 8). */
static const KIND_SPACE struct chip_kind chip_kinds[2] = {
    { /* stock TinyI2CWatchdog: [0x83 reg] then one byte; registers 0x00-0x12 */
        .read_chunk = 1u, .short_pointer_end = 0u, .read_end = EXTWD_REG_STOCK_LAST + 1u,
        .write_first = EXTWD_REG_TIMEOUT_S, .write_end = EXTWD_REG_STOCK_LAST + 1u, .write_max = 1u,
        .status_keep = 0u, .can_move = 0u,
        .write_checked = write_checked_stock, .read_evidence = read_evidence_stock,
        .ok_action = ok_any,
    },
    { /* extwd chip: [reg] then up to READ_CHUNK bytes, auto-incrementing */
        .read_chunk = READ_CHUNK, .short_pointer_end = 0x80u, .read_end = 0x100u,
        .write_first = 0u, .write_end = 0x80u, .write_max = EXTWD_VALUE_MAX,
        .status_keep = 0xFFu, .can_move = 1u,
        .write_checked = write_checked_extwd, .read_evidence = read_evidence_extwd,
        .ok_action = ok_action,
    },
};

/* The row number of wd's kind: 0 stock (or not identified), 1 extwd. */
static uint8_t kind_index(const struct extwd *wd)
{
    return wd->is_extwd ? 1u : 0u;
}

/* Picks one of two addresses rather than indexing (no multiply on AVR). */
static const KIND_SPACE struct chip_kind *kind_of(const struct extwd *wd)
{
    return kind_index(wd) ? &chip_kinds[1] : &chip_kinds[0];
}

/* extwd_get_state's reads, into a zeroed st, per kind (the rows' order).
 * A column of its own, apart from chip_kinds[]: what a table names is
 * linked, so a program that never reads the state links neither reader
 * (--gc-sections). */
typedef int (*state_fn)(struct extwd *wd, struct extwd_state *st);
static const KIND_SPACE state_fn state_readers[2] = {read_state_stock, read_state_extwd};

#endif /* EXTWD_LIB_CHIPS_H */
