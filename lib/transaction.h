/*
 * libextwd's transaction layer: one transfer through the port, reads (a
 * pointer set and a read, in chunks or a byte at a time, with retries;
 * checked and stable reads), frames, the key before protective writes,
 * writes checked by LAST_ERROR (extwd chip) or read back (stock chip), and
 * the register writes built on them. Where the two kinds of chip differ it
 * asks the handle's kind (struct chip_kind, the table in lib/chips.h).
 * Everything above it (identification, feeding, channels, settings, long
 * operations) is lib/extwd.c, the API.
 *
 * Static functions, included by lib/extwd.c alone: one translation unit
 * keeps the compiler's inlining across the two layers, so the split costs
 * no byte on any target (make cross). Not a public header; nothing else
 * includes it. SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_LIB_TRANSACTION_H
#define EXTWD_LIB_TRANSACTION_H

#include "extwd/extwd.h"
#include "extwd/registers.h"

#define READ_CHUNK 32u /* bytes per read on an extwd chip: the smallest common Wire buffer */

/* Says whether a block read from the chip is possible at all. */
typedef int (*check_fn)(const uint8_t *b);

/* AVR keeps const data in RAM unless it is named flash: the kind table
 * goes to flash wherever the compiler can read it from there (avr-gcc in
 * its GNU C mode, as the Arduino AVR core builds). */
#if defined(__AVR__) && defined(__FLASH) && !defined(__STRICT_ANSI__)
#define KIND_SPACE __flash
#else
#define KIND_SPACE
#endif

/* What differs between the two kinds of chip, one row per kind (lib/chips.h:
 * the stock TinyI2CWatchdog and the extwd chip), as Linux gives each kind
 * of watchdog its own ops. The transaction layer reads the data; the API
 * calls the functions. */
struct chip_kind {
    uint8_t read_chunk;         /* bytes per read transaction */
    uint8_t short_pointer_end;  /* below it, the one-byte [reg] frame sets the read pointer */
    uint16_t read_end;          /* reads stop before this register */
    uint8_t write_first, write_end, write_max; /* extwd_write_reg: registers, value bytes */
    uint8_t status_keep;        /* STATUS bits a written 1 keeps (clear-only on extwd) */
    uint8_t can_move;           /* its address changes at a known time (register 0x0A) */
    /* one frame written and made sure it landed */
    int (*write_checked)(struct extwd *wd, const uint8_t *body, size_t len);
    /* the identity and reset evidence after PROJECT_ID into wd->boot, with
     * the reason they mean */
    int (*read_evidence)(struct extwd *wd);
    check_fn ok_action;         /* whether an ACTION byte is possible */
};

/* The row of wd's kind (lib/chips.h). */
static const KIND_SPACE struct chip_kind *kind_of(const struct extwd *wd);

static uint16_t get_le16(const uint8_t *b)
{
    return (uint16_t)((uint16_t)b[0] | (uint16_t)((uint16_t)b[1] << 8));
}

static uint32_t get_le32(const uint8_t *b)
{
    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
           ((uint32_t)b[3] << 24);
}

static void put_le(uint8_t *b, uint32_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8u * i));
}

/* Maps whatever a port returned onto the two bus codes. */
static int bus_code(int r)
{
    if (r == 0)
        return 0;
    return r == EXTWD_E_NODEV ? EXTWD_E_NODEV : EXTWD_E_IO;
}

static int retryable(int r)
{
    return r == EXTWD_E_IO || r == EXTWD_E_NODEV || r == EXTWD_E_PROTO;
}

/* ---- one transfer ------------------------------------------------------------ */

/* One write (buf is const, cast back) or read transaction through the
 * port, counted; any answer past the address marks the chip present. */
static int xfer(struct extwd *wd, int is_read, uint8_t *buf, size_t len)
{
    const struct extwd_port *p = wd->cfg.port;
    int r = bus_code(is_read ? p->read(p->ctx, wd->cfg.addr, buf, len)
                             : p->write(p->ctx, wd->cfg.addr, buf, len));
    if (r)
        wd->stats.bus_errors++;
    if (r != EXTWD_E_NODEV)
        wd->acked = 1;
    return r;
}

static int xfer_write(struct extwd *wd, const uint8_t *buf, size_t len)
{
    return xfer(wd, 0, (uint8_t *)(uintptr_t)buf, len);
}

static int xfer_read(struct extwd *wd, uint8_t *buf, size_t len)
{
    return xfer(wd, 1, buf, len);
}

/* Writes body as one frame: the register or command and exactly its value
 * bytes (SPEC 2.1). No chip this library drives takes a PEC: firmware 2
 * refuses the extra byte (CAPS bit 13 clear) and the stock chip has none. */
static int write_frame(struct extwd *wd, const uint8_t *body, size_t len)
{
    if (len == 0 || len > EXTWD_FRAME_BODY_MAX)
        return EXTWD_E_INVAL;
    return xfer_write(wd, body, len);
}

/* ---- reads -------------------------------------------------------------------- */

/* One attempt: point at reg, read n bytes. extwd chips auto-increment, and the
 * one-byte [reg] frame is their pointer set. A stock chip takes [0x83, reg]
 * (its [reg] writes a stale byte) and answers one byte per read. */
static int read_once(struct extwd *wd, uint8_t reg, uint8_t *buf, size_t n)
{
    uint8_t f[2];
    size_t len;
    if (reg < kind_of(wd)->short_pointer_end) {
        f[0] = reg;
        len = 1;
    } else {
        f[0] = EXTWD_CMD_SET_POINTER;
        f[1] = reg;
        len = 2;
    }
    int r = write_frame(wd, f, len);
    if (r)
        return r;
    return xfer_read(wd, buf, n);
}

static int read_retry(struct extwd *wd, uint8_t reg, uint8_t *buf, size_t n)
{
    for (uint8_t attempt = 0;; attempt++) {
        int r = read_once(wd, reg, buf, n);
        if (r == 0 || !retryable(r) || attempt >= wd->cfg.retries)
            return r;
        wd->stats.retries++;
    }
}

/* Reads n registers from reg: in chunks on an extwd chip, a byte at a time
 * on a stock one. */
static int read_block(struct extwd *wd, uint8_t reg, uint8_t *buf, size_t n)
{
    size_t step = kind_of(wd)->read_chunk;
    for (size_t off = 0; off < n; off += step) {
        size_t k = n - off < step ? n - off : step;
        int r = read_retry(wd, (uint8_t)(reg + off), buf + off, k);
        if (r)
            return r;
    }
    return 0;
}

static int read_u8(struct extwd *wd, uint8_t reg, uint8_t *v)
{
    return read_block(wd, reg, v, 1);
}

/* Reads a block and checks it; an impossible block (a corrupt reply: a bit
 * flipped, or a slave that stopped driving SDA and left 0xFF) is read again,
 * up to the configured retries, then reported as EXTWD_E_PROTO. */
static int read_checked(struct extwd *wd, uint8_t reg, uint8_t *buf, size_t n, check_fn check)
{
    for (uint8_t attempt = 0;; attempt++) {
        int r = read_block(wd, reg, buf, n);
        if (r || check(buf))
            return r;
        if (attempt >= wd->cfg.retries)
            return EXTWD_E_PROTO;
        wd->stats.retries++;
    }
}

/* Reads a small block twice until two reads agree: for state the library
 * will write back later (the long operation's saved timeout and armed
 * state), where one corrupt bit would otherwise be restored as truth. */
static int read_stable(struct extwd *wd, uint8_t reg, uint8_t *buf, size_t n, check_fn check)
{
    uint8_t again[4];
    if (n > sizeof again)
        return EXTWD_E_INVAL;
    int r = read_checked(wd, reg, buf, n, check);
    for (uint8_t attempt = 0; r == 0; attempt++) {
        if ((r = read_checked(wd, reg, again, n, check)) != 0)
            break;
        size_t i = 0;
        while (i < n && again[i] == buf[i])
            i++;
        if (i == n)
            return 0;
        for (i = 0; i < n; i++)
            buf[i] = again[i];
        if (attempt >= wd->cfg.retries)
            return EXTWD_E_PROTO;
        wd->stats.retries++;
    }
    return r;
}

static int ok_any(const uint8_t *b)
{
    (void)b;
    return 1;
}

static int ok_options(const uint8_t *b)     /* OPTIONS alone */
{
    return (b[0] & (uint8_t)~EXTWD_OPT_MASK) == 0;
}

/* ---- writes ------------------------------------------------------------------- */

/* SPEC 5.11: the writes that keyed mode restricts (the lock refuses all of
 * them but SAVE, LOCK and the test reset, which firmware 2.1 keys too):
 * the rows of registers.def whose protect is not NONE, a ZERO row only when
 * it writes 0 (a disarm). The settings block is one range test instead of
 * a case each (smaller on every target): its rows get a case value a byte
 * never has (CASE), which the compiler drops, and settings_all_keyed below
 * checks that every row in it is keyed. */
#define IN_SETTINGS(a) ((a) >= EXTWD_REG_TIMEOUT_MS && (a) <= EXTWD_REG_OPTIONS)
#define CASE(a) case (IN_SETTINGS(a) ? 0x100 + (a) : (a)):
#define KEYED_IF_PROT(a) CASE(a)
#define KEYED_IF_KEYED(a) CASE(a)
#define KEYED_IF_NONE(a)
#define KEYED_IF_ZERO(a)
#define ZERO_IF_PROT(a)
#define ZERO_IF_KEYED(a)
#define ZERO_IF_NONE(a)
#define ZERO_IF_ZERO(a) CASE(a)
static int is_protective(const uint8_t *f, size_t len)
{
    switch ((unsigned)f[0]) { /* unsigned: the dropped case values are in range */
#define EXTWD_REGISTER(name, a, w, acc, saved, protect, range, lo, hi) ZERO_IF_##protect(a)
#include "extwd/registers.def"
        return len >= 2 && f[1] == 0;
#define EXTWD_REGISTER(name, a, w, acc, saved, protect, range, lo, hi) KEYED_IF_##protect(a)
#define EXTWD_COMMAND(name, code, args, protect) KEYED_IF_##protect(code)
#include "extwd/registers.def"
        return 1;
    default:
        return IN_SETTINGS(f[0]);
    }
}
#define EXTWD_REGISTER(name, a, w, acc, saved, protect, range, lo, hi)                          \
    EXTWD_STATIC_ASSERT(!IN_SETTINGS(a) || EXTWD_PROTECT_##protect == EXTWD_PROTECT_PROT,        \
                        "settings_all_keyed: " #name " is in the settings block, not protective");
#include "extwd/registers.def"

/* One attempt at a frame, with the key frame just before it when asked. */
static int send_once(struct extwd *wd, const uint8_t *body, size_t len, int keyed)
{
    if (keyed) {
        static const uint8_t key[3] = {EXTWD_REG_KEY, (uint8_t)(EXTWD_KEY & 0xFFu),
                                       (uint8_t)(EXTWD_KEY >> 8)};
        int r = write_frame(wd, key, sizeof key);
        if (r)
            return r;
    }
    return write_frame(wd, body, len);
}

static int send_retry(struct extwd *wd, const uint8_t *body, size_t len, int keyed)
{
    for (uint8_t attempt = 0;; attempt++) {
        int r = send_once(wd, body, len, keyed);
        if (r == 0 || !retryable(r) || attempt >= wd->cfg.retries)
            return r;
        wd->stats.retries++;
    }
}

/* Reads LAST_ERROR after a write ([0x28] + one byte) and maps it. A nonzero
 * value is read twice, so that one corrupt reply byte cannot turn an applied
 * write into a refusal. */
static int check_last_error(struct extwd *wd)
{
    uint8_t e = 0, again = 0;
    for (uint8_t attempt = 0;; attempt++) {
        int r = read_u8(wd, EXTWD_REG_LAST_ERROR, &e);
        if (r)
            return r;
        if (e == EXTWD_ERR_OK)
            return 0;
        r = read_u8(wd, EXTWD_REG_LAST_ERROR, &again);
        if (r)
            return r;
        if (again == e)
            break;
        if (attempt >= wd->cfg.retries)
            return EXTWD_E_PROTO;
        wd->stats.retries++;
    }
    if (e > EXTWD_ERR_DISARMED)
        return EXTWD_E_PROTO;
    wd->last_chip_error = e;
    return e == EXTWD_ERR_LOCKED ? EXTWD_E_LOCKED : EXTWD_E_REFUSED;
}

static int refresh_options(struct extwd *wd)
{
    uint8_t o;
    int r = read_checked(wd, EXTWD_REG_OPTIONS, &o, 1, ok_options);
    if (r == 0)
        wd->options = (uint8_t)(o & EXTWD_OPT_MASK);
    return r;
}

/* A stock chip's checked write: a register write is read back (the chip
 * has no LAST_ERROR); a command or the address is only sent. */
static int write_checked_stock(struct extwd *wd, const uint8_t *body, size_t len)
{
    for (uint8_t attempt = 0;; attempt++) {
        int r = send_retry(wd, body, len, 0);
        if (r || len != 2 || body[0] < EXTWD_REG_TIMEOUT_S || body[0] > EXTWD_REG_STOCK_LAST ||
            body[0] == EXTWD_REG_I2C_ADDR)
            return r;
        uint8_t back;
        r = read_u8(wd, body[0], &back);
        if (r == 0 && back == body[1])
            return 0;
        if (r && !retryable(r))
            return r;
        if (attempt >= wd->cfg.retries)
            return r ? r : EXTWD_E_IO;
        wd->stats.retries++;
    }
}

/* An extwd chip's checked write: checked by LAST_ERROR, with the key first
 * for protective writes in keyed mode; a write that moves the chip is
 * checked at the new address (the old one if the chip refused it). */
static int write_checked_extwd(struct extwd *wd, const uint8_t *body, size_t len)
{
    int protective = is_protective(body, len);
    int keyed = protective && (wd->options & EXTWD_OPT_KEYED);
    int moves = len >= 2 && (body[0] == EXTWD_CMD_SET_ADDRESS || body[0] == EXTWD_REG_I2C_ADDR);
    uint8_t old_addr = wd->cfg.addr;
    for (int pass = 0;; pass++) {
        int r = send_retry(wd, body, len, keyed);
        if (r)
            return r;
        if (moves) {
            /* The chip answers at the new address from the end of the frame,
             * unless it refused the frame. */
            wd->cfg.addr = body[1];
            r = check_last_error(wd);
            if (r == EXTWD_E_NODEV) {
                wd->cfg.addr = old_addr;
                r = check_last_error(wd);
            }
        } else {
            r = check_last_error(wd);
        }
        /* Someone switched keyed mode on behind our back: learn it, go again. */
        if (r == EXTWD_E_REFUSED && wd->last_chip_error == EXTWD_ERR_KEY && protective &&
            !keyed && pass == 0 && refresh_options(wd) == 0 &&
            (wd->options & EXTWD_OPT_KEYED)) {
            keyed = 1;
            continue;
        }
        return r;
    }
}

/* Writes one frame and makes sure it landed, as the chip's kind does. */
static int write_checked(struct extwd *wd, const uint8_t *body, size_t len)
{
    return kind_of(wd)->write_checked(wd, body, len);
}

static int write_reg_value(struct extwd *wd, uint8_t reg, uint32_t v, size_t width)
{
    uint8_t f[EXTWD_FRAME_BODY_MAX];
    f[0] = reg;
    put_le(f + 1, v, width);
    return write_checked(wd, f, width + 1u);
}

/* Writes register NAME (EXTWD_REG_NAME) with its width from registers.def. */
#define WRITE_REG(wd, name, v) write_reg_value((wd), EXTWD_REG_##name, (v), EXTWD_WIDTH_##name)

static int command(struct extwd *wd, uint8_t cmd)
{
    return write_checked(wd, &cmd, 1);
}

#endif /* EXTWD_LIB_TRANSACTION_H */
