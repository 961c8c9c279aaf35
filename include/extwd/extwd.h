/*
 * libextwd: the host side of the extwd watchdog chip (and of the stock
 * TinyI2CWatchdog chip it replaces).
 *
 * All state lives in a caller-owned struct extwd; there is no malloc and no
 * global. A port is a struct of callbacks plus a context pointer, so one
 * program can drive several chips on several buses. Every function returns 0
 * or a positive value on success and a negative EXTWD_E_* code on failure.
 *
 * Order of use: extwd_init (which reads the reset evidence and never feeds),
 * then configuration, then extwd_feed from the main loop.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_EXTWD_H
#define EXTWD_EXTWD_H

#include <stddef.h>
#include <stdint.h>
#include "extwd/protocol.h"
#include "extwd/timer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ----------------------------------------------------------------- */

#define EXTWD_OK          0
#define EXTWD_E_IO       -1  /* bus error: NACK on data, arbitration, stretch timeout */
#define EXTWD_E_NODEV    -2  /* nothing acknowledged the address */
#define EXTWD_E_INVAL    -3  /* bad argument, or a value the chip's range forbids */
#define EXTWD_E_NOTSUP   -4  /* the chip lacks the capability (e.g. a stock chip) */
#define EXTWD_E_REFUSED  -5  /* the chip refused the write; extwd_last_chip_error says why */
#define EXTWD_E_PROTO    -6  /* the chip answered with something impossible */
#define EXTWD_E_STATE    -7  /* called out of order (not initialised, no long op running) */
#define EXTWD_E_LOCKED   -8  /* the chip is locked (nowayout) */

/* Returns a short English text for an EXTWD_E_* code. */
const char *extwd_strerror(int err);

/* ---- port ------------------------------------------------------------------- */

struct extwd_port {
    /* One write transaction of len bytes to the 7-bit addr, ended by a STOP.
     * Returns 0, EXTWD_E_NODEV on an address NACK, EXTWD_E_IO otherwise. */
    int (*write)(void *ctx, uint8_t addr, const uint8_t *buf, size_t len);
    /* A read transaction of len bytes from addr. Returns as write does. */
    int (*read)(void *ctx, uint8_t addr, uint8_t *buf, size_t len);
    /* A monotonic millisecond clock; it may wrap at 2^32. */
    uint32_t (*millis)(void *ctx);
    void *ctx;
};

/* ---- configuration and handle ----------------------------------------------- */

struct extwd_config {
    const struct extwd_port *port;
    uint8_t addr;              /* 0 means EXTWD_I2C_ADDR_DEFAULT */
    uint16_t feed_interval_ms; /* rate limit of extwd_feed; 0 means 100, as in the seed */
    uint8_t retries;           /* extra attempts after a failed transfer; at most 5 */
};

enum extwd_reset_reason {
    EXTWD_REASON_UNKNOWN = 0,  /* the chip could not be read, or its record was impossible */
    EXTWD_REASON_NONE,         /* not reset by the watchdog: power-on, button, host's own */
    EXTWD_REASON_WATCHDOG,     /* timeout (the only reason a stock chip can report) */
    EXTWD_REASON_TEST,         /* command 0x85 */
    EXTWD_REASON_WINDOW        /* a feed came too early */
};

/* What the chip knew at extwd_init, read before anything could clear it. */
struct extwd_boot_info {
    enum extwd_reset_reason reason;
    uint8_t suspect;           /* the chip's record was impossible (e.g. RAM kept
                                * across a brown-out); reason is then UNKNOWN */
    uint8_t status;            /* register 0x11 */
    uint8_t last_cause;        /* register 0x12 */
    uint8_t reset_count;       /* register 0x0E */
    /* extwd chips only (zero on stock chips): */
    uint8_t ext_status;        /* EXTWD_XS_* */
    uint8_t breadcrumb;        /* BREADCRUMB_RST: where the host was at the reset */
    uint8_t bootloop_count;
    uint16_t resets_total;
    uint8_t history_len;
    struct extwd_history {
        uint8_t cause;
        uint8_t breadcrumb;
        uint32_t uptime_s;
    } history[EXTWD_HISTORY_ENTRIES];
};

struct extwd_stats {
    uint32_t feeds;            /* feeds that reached the chip */
    uint32_t feed_skips;       /* extwd_feed calls that were not due */
    uint32_t bus_errors;       /* failed transfers, retries included */
    uint32_t retries;
};

struct extwd {
    struct extwd_config cfg;
    struct extwd_timer feed_timer;
    struct extwd_boot_info boot;
    struct extwd_stats stats;
    uint8_t initialised;
    uint8_t is_extwd;          /* PROJECT_ID read "EXWD" */
    uint8_t proto_version;
    uint8_t fw_version[3];
    uint16_t caps;             /* EXTWD_CAP_*, 0 on stock chips */
    uint8_t options;           /* OPTIONS as last read or written */
    uint8_t last_chip_error;   /* LAST_ERROR after the last refused write */
    uint16_t window_ms;        /* WINDOW_MS as last read or written: feeds keep out of it */
    struct extwd_cal {         /* the chip's tick against our clock (SPEC 5.15) */
        uint8_t supported;     /* an extwd chip not yet found without the registers */
        uint8_t have_start;    /* start_ms / start_count begin a span */
        uint16_t start_count;  /* CAL_COUNT at the span's start */
        uint32_t start_ms;     /* our clock then (or at init / a failed read: the
                                  next look is EXTWD_CAL_INTERVAL_MS after it) */
        uint16_t pending_us;   /* the last span's measure, waiting for one that agrees */
        uint16_t written_us;   /* the last value the chip took; 0 = none yet */
        uint32_t spans, refused; /* spans measured; spans implausible or disagreeing */
    } cal;
};

/* Probes the chip at cfg->addr, tells an extwd chip from a stock one and
 * reads the reset evidence (status, cause, breadcrumb, history) into
 * wd->boot. It never feeds, arms or writes anything that clears evidence.
 * Returns 0, EXTWD_E_NODEV if no chip answers, or another EXTWD_E_*. */
int extwd_init(struct extwd *wd, const struct extwd_config *cfg);

/* ---- feeding ------------------------------------------------------------------ */

/* Rate-limited feed for the main loop: feeds if feed_interval_ms has passed
 * since the last feed (the first call always feeds), and costs one clock read
 * and one compare otherwise. A long block never makes it skip the next feed,
 * and it is correct across the 32-bit millisecond wrap. Returns 1 if it fed,
 * 0 if not yet due, or a negative EXTWD_E_* (the next call retries). */
int extwd_feed(struct extwd *wd);

/* Feeds now, ignoring the rate limit (the seed's FEEDWATCHDOGNOW).
 * Returns 0 or a negative EXTWD_E_*. */
int extwd_feed_now(struct extwd *wd);

/* ---- calibration of the chip's tick (SPEC 5.15) --------------------------------- */

/* extwd_feed and extwd_feed_now calibrate the chip against the port's
 * millis() in the background: right after a feed, once every
 * EXTWD_CAL_INTERVAL_MS (the first a minute after extwd_init), they read
 * CAL_COUNT and CAL_TICK_US (a 1-byte write and a 4-byte read) and, when two
 * spans in a row agree, write CAL_TICK_US (3 bytes). Nothing blocks and
 * a failure there never fails the feed. Chips without the registers (stock,
 * firmware < 2.1) are left alone. */

/* The true length of one of the chip's watchdog periods, measured over a
 * span of span_ms of our clock in which the chip counted periods of them.
 * Returns the microseconds, rounded, or 0 if the span is implausible
 * (shorter than EXTWD_CAL_SPAN_MIN_MS, longer than EXTWD_CAL_SPAN_MAX_MS, no
 * periods, or a period outside 10-25 ms: a chip that restarted, a clock
 * that stepped). */
uint16_t extwd_cal_span_us(uint32_t span_ms, uint16_t periods);

/* Do two spans' measures a and b agree (within 1/EXTWD_CAL_AGREE_DIV of a)?
 * Returns 1 or 0; 0 if either is 0. */
int extwd_cal_agree(uint16_t a, uint16_t b);

/* Reads the chip's calibration: the period's true length in us (0 = none,
 * the chip counts on its RC) and its age in seconds (0xFFFF none, 0xFFFE
 * older than the chip can tell). Returns 0, EXTWD_E_NOTSUP on a chip without
 * it, or another EXTWD_E_*. */
int extwd_get_calibration(struct extwd *wd, uint16_t *tick_us, uint16_t *age_s);

/* ---- arming ------------------------------------------------------------------- */

/* Feeds, then arms, so that arming after a long silence does not reset the
 * host at once. Returns 0 or a negative EXTWD_E_*. */
int extwd_arm(struct extwd *wd);

/* Disarms; on a chip in keyed mode it sends the key first. The chip bounds
 * the disarm by MAX_DISARM_S. Returns 0, EXTWD_E_LOCKED, or another EXTWD_E_*. */
int extwd_disarm(struct extwd *wd);

/* ---- configuration (extwd chips; stock chips get the compatible subset) ------- */

/* Sets the timeout. On a stock chip it writes whole seconds, rounded up.
 * Returns 0, EXTWD_E_INVAL if out of range, or another EXTWD_E_*. */
int extwd_set_timeout_ms(struct extwd *wd, uint32_t ms);

/* Each of these writes one setting and returns 0, EXTWD_E_NOTSUP on a chip
 * without the capability, EXTWD_E_INVAL for a value outside SPEC.md's range,
 * or another EXTWD_E_*. */
int extwd_set_grace_s(struct extwd *wd, uint8_t s);
int extwd_set_pulse_ms(struct extwd *wd, uint16_t ms);
int extwd_set_max_disarm_s(struct extwd *wd, uint16_t s);
int extwd_set_bootloop(struct extwd *wd, uint8_t limit, uint8_t healthy_s);
int extwd_set_pretimeout_ms(struct extwd *wd, uint16_t ms, int drive_pin);
int extwd_set_window_ms(struct extwd *wd, uint16_t ms);
int extwd_set_keyed(struct extwd *wd, int keyed);

/* Writes the breadcrumb (2 bytes on the bus). Returns 0 or EXTWD_E_*. */
int extwd_breadcrumb(struct extwd *wd, uint8_t id);

/* Locks the chip until it powers down (nowayout). Returns 0 or EXTWD_E_*. */
int extwd_lock(struct extwd *wd);

/* Saves the chip's settings to its EEPROM. Returns 0 or EXTWD_E_*. */
int extwd_save(struct extwd *wd);

/* Sets the bus-health threshold, 1-100 % (register 0x0B, stock too).
 * Returns 0, EXTWD_E_INVAL or another EXTWD_E_*. */
int extwd_set_busload_pct(struct extwd *wd, uint8_t pct);

/* Moves the chip to a new 7-bit address (0x08-0x77, command 0x82) and this
 * handle with it; not saved until extwd_save. Returns 0, EXTWD_E_INVAL,
 * EXTWD_E_NOTSUP on a stock chip, or another EXTWD_E_*. */
int extwd_set_address(struct extwd *wd, uint8_t addr);

/* Clears the chip's counters (command 0x84; history stays).
 * Returns 0 or EXTWD_E_*. */
int extwd_clear_counters(struct extwd *wd);

/* Clears the sticky EXT_STATUS bits in mask (e.g. EXTWD_XS_SAFE_MODE) and, if
 * mask has EXTWD_STATUS_WD_RESET << 8, STATUS bit 0. Returns 0 or EXTWD_E_*. */
int extwd_clear_flags(struct extwd *wd, uint16_t mask);

/* ---- reading ------------------------------------------------------------------ */

struct extwd_state {
    uint8_t armed;
    uint8_t status;            /* register 0x11 */
    uint8_t ext_status;        /* EXTWD_XS_* (0 on stock) */
    uint32_t timeout_ms;
    uint32_t time_left_ms;     /* 0xFFFFFFFF: none pending or unknown (stock) */
    uint32_t since_feed_ms;    /* stock: seconds x 1000 */
    uint32_t uptime_s;         /* 0 on stock */
    uint8_t reset_count, reinit_count, buserr_count;
    uint16_t resets_total;
    uint8_t breadcrumb;
};

/* Reads the chip's live state. Returns 0 or a negative EXTWD_E_*. */
int extwd_get_state(struct extwd *wd, struct extwd_state *st);

/* Reads n bytes starting at register reg (one byte per transaction on a
 * stock chip). Returns 0 or a negative EXTWD_E_*. */
int extwd_read_regs(struct extwd *wd, uint8_t reg, uint8_t *buf, size_t n);

/* Writes one register (n = its width) and checks LAST_ERROR on extwd chips.
 * Returns 0, EXTWD_E_REFUSED (see wd->last_chip_error) or another EXTWD_E_*. */
int extwd_write_reg(struct extwd *wd, uint8_t reg, const uint8_t *buf, size_t n);

/* Returns the reason read at init. */
enum extwd_reset_reason extwd_reset_reason(const struct extwd *wd);

/* Returns text for a reason; EXTWD_REASON_WATCHDOG gives "Reset by External
 * WD", as the seed's host prints it, and EXTWD_REASON_NONE gives "". */
const char *extwd_reset_reason_text(enum extwd_reset_reason r);

/* Returns a stable lower-case token for a reason ("none", "watchdog",
 * "test", "window", "unknown"), for logs and machine-readable output. */
const char *extwd_reset_reason_name(enum extwd_reset_reason r);

/* ---- long operations (OTA, blocking reconnect) --------------------------------- */

struct extwd_longop {
    uint8_t active;
    uint8_t was_armed;
    uint8_t used_disarm;       /* stock chip: disarmed instead of extending */
    uint8_t extended;          /* extwd chip: the timeout was raised */
    uint8_t used_longop;       /* firmware 2.1: LONGOP_MS was set */
    uint32_t saved_timeout_ms;
};

/* Starts a long operation whose steps each finish within step_ms: on an extwd
 * chip it raises the timeout to step_ms (bounded by the chip's range), through
 * LONGOP_MS on firmware 2.1 and later (never saved, ended by a reset), else
 * TIMEOUT_MS; on a stock chip it disarms. It feeds first. Returns 0 or a negative EXTWD_E_*;
 * on failure the chip is left as it was. */
int extwd_longop_begin(struct extwd *wd, struct extwd_longop *op, uint32_t step_ms);

/* Marks one step (an OTA chunk): feeds now. Returns 0 or EXTWD_E_*. */
int extwd_longop_step(struct extwd *wd, struct extwd_longop *op);

/* Ends the operation and restores the timeout and armed state it found,
 * whatever happened in between. Returns 0 or the first EXTWD_E_* met while
 * restoring (it still tries every step). If the restore itself failed,
 * op->active stays 1: call it again. */
int extwd_longop_end(struct extwd *wd, struct extwd_longop *op);

#ifdef __cplusplus
}
#endif

#endif /* EXTWD_EXTWD_H */
