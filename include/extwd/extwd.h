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

/* The library's version: library.properties, library.json and the MQTT
 * origin block take it from here. */
#define EXTWD_LIB_VERSION "1.1.0"

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
#define EXTWD_E_UNHEALTHY -9 /* a health channel missed its deadline: feeding has stopped */

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
    /* Optional: waits ms milliseconds. Used only between the presence
     * probe's tries at extwd_init (EXTWD_PROBE_TRIES, EXTWD_PROBE_GAP_MS
     * apart); NULL makes the tries back to back. */
    void (*delay_ms)(void *ctx, uint32_t ms);
};

/* ---- configuration and handle ----------------------------------------------- */

struct extwd_config {
    const struct extwd_port *port;
    uint8_t addr;              /* 0 means EXTWD_I2C_ADDR_DEFAULT */
    uint16_t feed_interval_ms; /* rate limit of extwd_feed; 0 means 100, as in the seed */
    uint8_t retries;           /* extra attempts after a failed transfer; at most 5 */
    uint32_t reprobe_max_ms;   /* longest re-probe backoff without a chip, 1-600 s;
                                * 0 means EXTWD_REPROBE_MAX_MS */
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

/* ---- health channels ---------------------------------------------------------- */

/* One part of the program that must check in on its own deadline ("loop",
 * "wifi", "mqtt", ...). Caller-owned, registered with extwd_channel_add; the
 * library links the registered channels through next. Fill nothing in
 * yourself: extwd_channel_add sets every field. */
struct extwd_channel {
    const char *name;          /* for logs and MQTT; not copied */
    uint32_t deadline_ms;      /* the longest allowed gap between check-ins */
    uint32_t allow_ms;         /* the gap allowed now: deadline_ms, or a suspension's bound */
    uint32_t last_ms;          /* the last check-in (or suspend/resume) */
    uint8_t id;                /* written to BREADCRUMB when this channel misses */
    uint8_t suspended;
    struct extwd_channel *next;
};

#define EXTWD_CHANNEL_MS_MAX 0x7FFFFFFFul /* 24.8 days: deadlines and suspensions */
#define EXTWD_PROBE_TRIES    3u    /* presence probe at extwd_init */
#define EXTWD_PROBE_GAP_MS   5u
#define EXTWD_REPROBE_MIN_MS 1000ul  /* re-probe backoff without a chip: 1 s, doubling ... */
#define EXTWD_REPROBE_MAX_MS 16000ul /* ... up to 16 s by default: below the chip's
                                      * 20 s power-up grace, so a chip powered late
                                      * with factory settings (armed) is found in time */
#define EXTWD_REPROBE_LIMIT_MS 600000ul /* the longest reprobe_max_ms allowed */

/* Where the handle stands with its chip (wd->presence). */
enum extwd_presence {
    EXTWD_PRESENCE_NONE = 0,   /* extwd_init not run, or given bad arguments */
    EXTWD_PRESENCE_ABSENT,     /* nothing answered: extwd_feed sends nothing, re-probes */
    EXTWD_PRESENCE_UNIDENTIFIED, /* something answered but init failed: extwd_feed
                                  * feeds blindly ([0xA5] is the same on every chip)
                                  * and re-probes */
    EXTWD_PRESENCE_READY       /* identified, evidence read */
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
    uint8_t presence;          /* enum extwd_presence */
    uint8_t want_armed;        /* extwd_arm was asked while the chip was not ready */
    uint8_t acked;             /* a transfer since the last probe began got past the address */
    uint8_t missed_crumb_done; /* the missed channel's breadcrumb reached the chip (or cannot) */
    uint32_t reprobe_ms;       /* the current re-probe backoff */
    uint32_t reprobe_last_ms;  /* when the chip was last probed */
    struct extwd_channel *channels;      /* registered health channels */
    const struct extwd_channel *missed;  /* the first channel that missed; feeding stopped */
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

/* Probes the chip at cfg->addr (EXTWD_PROBE_TRIES tries, EXTWD_PROBE_GAP_MS
 * apart through port->delay_ms), tells an extwd chip from a stock one and
 * reads the reset evidence (status, cause, breadcrumb, history) into
 * wd->boot. It never feeds, arms or writes anything that clears evidence.
 * When nothing answers, the handle stays usable: wd->presence is
 * EXTWD_PRESENCE_ABSENT, extwd_feed sends nothing and re-probes with a
 * backoff of 1 s doubling to cfg->reprobe_max_ms (16 s by default), and the chip is taken on when it answers.
 * When the chip answered but init failed, it is EXTWD_PRESENCE_UNIDENTIFIED:
 * extwd_feed keeps feeding it blindly and re-probes on the same backoff, so
 * a chip left armed is never left unfed. Returns 0, EXTWD_E_NODEV if no chip
 * answers, or another EXTWD_E_*. */
int extwd_init(struct extwd *wd, const struct extwd_config *cfg);

/* ---- what the handle knows (read these, not the struct's fields) ------------- */

/* Returns 1 if the chip identified itself as an extwd chip ("EXWD"), 0 for
 * a stock TinyI2CWatchdog or before it was identified. */
static inline int extwd_is_extwd(const struct extwd *wd) { return wd->is_extwd; }

/* Returns the chip's EXTWD_CAP_* bits (0 on a stock chip). */
static inline uint16_t extwd_caps(const struct extwd *wd) { return wd->caps; }

/* Returns the chip's PROTO_VERSION (0 on a stock chip). */
static inline uint8_t extwd_proto_version(const struct extwd *wd) { return wd->proto_version; }

/* Returns the firmware version's part i (0 major, 1 minor, 2 patch; 0 on a
 * stock chip or for another i). */
static inline uint8_t extwd_fw_version(const struct extwd *wd, unsigned i)
{
    return i < 3u ? wd->fw_version[i] : 0u;
}

/* Returns the 7-bit address the handle talks to (it follows
 * extwd_set_address). */
static inline uint8_t extwd_address(const struct extwd *wd) { return wd->cfg.addr; }

/* Returns what the chip knew at extwd_init (or the last re-probe). */
static inline const struct extwd_boot_info *extwd_boot(const struct extwd *wd) { return &wd->boot; }

/* Returns the handle's transfer counters. */
static inline const struct extwd_stats *extwd_transfer_stats(const struct extwd *wd) { return &wd->stats; }

/* Returns the port clock's time (ms) at which extwd_feed next feeds. */
static inline uint32_t extwd_next_feed_ms(const struct extwd *wd) { return wd->feed_timer.due_ms; }

/* Returns the chip's LAST_ERROR (EXTWD_ERR_*) behind the last
 * EXTWD_E_REFUSED or EXTWD_E_LOCKED of a checked write. */
static inline uint8_t extwd_last_chip_error(const struct extwd *wd) { return wd->last_chip_error; }

/* ---- feeding ------------------------------------------------------------------ */

/* Rate-limited feed for the main loop: feeds if feed_interval_ms has passed
 * since the last feed (the first call always feeds), and costs one clock read
 * and one compare otherwise. A long block never makes it skip the next feed,
 * and it is correct across the 32-bit millisecond wrap. With health
 * channels registered, a due feed first checks every channel: when one has
 * missed its deadline it writes that channel's id to BREADCRUMB and never
 * feeds again (the chip's reset is the recovery). Without a chip (see
 * extwd_init) it sends nothing except a re-probe on the backoff. Returns 1 if
 * it fed, 0 if not yet due (or no chip and no probe due), EXTWD_E_UNHEALTHY
 * once a channel missed, or another negative EXTWD_E_* (the next call
 * retries; EXTWD_E_NODEV without a chip only when a re-probe failed). */
int extwd_feed(struct extwd *wd);

/* Feeds now, ignoring the rate limit (the seed's FEEDWATCHDOGNOW), but not
 * the health channels. Returns 0, EXTWD_E_UNHEALTHY, or another EXTWD_E_*. */
int extwd_feed_now(struct extwd *wd);

/* ---- health channels ------------------------------------------------------------ */

/* Registers ch (caller-owned, kept until the handle is dropped) as a part of
 * the program that must call extwd_checkin at least every deadline_ms
 * (1 ms to EXTWD_CHANNEL_MS_MAX); the deadline starts now. id (nonzero,
 * unique among the channels) is the breadcrumb written if it misses, so the
 * host reads after the reset which part died (boot.breadcrumb; see
 * extwd_channel_by_id). Works before the chip is found. Returns 0,
 * EXTWD_E_INVAL (bad id, deadline, or ch already registered) or
 * EXTWD_E_STATE (extwd_init not run). */
int extwd_channel_add(struct extwd *wd, struct extwd_channel *ch, const char *name, uint8_t id,
                      uint32_t deadline_ms);

/* The channel's part has really done its work: its deadline restarts now,
 * and a suspension ends. Returns 0, or EXTWD_E_STATE for a channel that is
 * not registered. */
int extwd_checkin(struct extwd *wd, struct extwd_channel *ch);

/* Suspends ch around a planned long operation for at most max_ms (1 ms to
 * EXTWD_CHANNEL_MS_MAX) from now: past that it counts as missed unless it
 * checks in or is resumed. Returns 0, EXTWD_E_INVAL or EXTWD_E_STATE. */
int extwd_channel_suspend(struct extwd *wd, struct extwd_channel *ch, uint32_t max_ms);

/* Ends a suspension: the normal deadline restarts now. Returns 0 or
 * EXTWD_E_STATE. */
int extwd_channel_resume(struct extwd *wd, struct extwd_channel *ch);

/* Returns the channel that missed its deadline (feeding has stopped), or
 * NULL while all are healthy. */
const struct extwd_channel *extwd_missed_channel(const struct extwd *wd);

/* Returns the registered channel whose id is id, or NULL: after a reset,
 * extwd_channel_by_id(wd, wd->boot.breadcrumb) names the part that died. */
const struct extwd_channel *extwd_channel_by_id(const struct extwd *wd, uint8_t id);

/* Reads EXT_STATUS: 1 while the chip's pretimeout runs (the reset is less
 * than PRETIMEOUT_MS away: log or persist now), 0 if not. Returns 1, 0, or
 * EXTWD_E_NOTSUP on a chip without pretimeout, or another EXTWD_E_*. */
int extwd_pretimeout_pending(struct extwd *wd);
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
/* These two write two registers (BOOTLOOP_LIMIT and HEALTHY_S; PRETIMEOUT_MS
 * and, on a chip with the pin, OPTIONS) as one change: they read the old
 * values first, and a failure puts back what was or may have been written,
 * so the chip keeps all old or gets all new. */
int extwd_set_bootloop(struct extwd *wd, uint8_t limit, uint8_t healthy_s);
int extwd_set_pretimeout_ms(struct extwd *wd, uint16_t ms, int drive_pin);
int extwd_set_window_ms(struct extwd *wd, uint16_t ms);
int extwd_set_keyed(struct extwd *wd, int keyed);

/* A whole configuration for extwd_configure: only the fields whose
 * EXTWD_SET_* bit is in `set` are applied, the others stay as they are. */
struct extwd_settings {
    uint16_t set;              /* EXTWD_SET_* */
    uint32_t timeout_ms;       /* EXTWD_SET_TIMEOUT (stock: whole seconds, rounded up) */
    uint16_t pulse_ms;         /* EXTWD_SET_PULSE */
    uint16_t max_disarm_s;     /* EXTWD_SET_MAX_DISARM */
    uint16_t pretimeout_ms;    /* EXTWD_SET_PRETIMEOUT, with pretimeout_pin */
    uint16_t window_ms;        /* EXTWD_SET_WINDOW */
    uint8_t pretimeout_pin;    /* drive the pretimeout pin (needs CAP_PRETIMEOUT_PIN) */
    uint8_t grace_s;           /* EXTWD_SET_GRACE (stock too) */
    uint8_t busload_pct;       /* EXTWD_SET_BUSLOAD (stock too) */
    uint8_t bootloop_limit;    /* EXTWD_SET_BOOTLOOP, with healthy_s */
    uint8_t healthy_s;
    uint8_t keyed;             /* EXTWD_SET_KEYED */
};
#define EXTWD_SET_TIMEOUT    0x0001u
#define EXTWD_SET_PULSE      0x0002u
#define EXTWD_SET_MAX_DISARM 0x0004u
#define EXTWD_SET_PRETIMEOUT 0x0008u
#define EXTWD_SET_WINDOW     0x0010u
#define EXTWD_SET_GRACE      0x0020u
#define EXTWD_SET_BUSLOAD    0x0040u
#define EXTWD_SET_BOOTLOOP   0x0080u
#define EXTWD_SET_KEYED      0x0100u
#define EXTWD_SET_ALL        0x01FFu

/* Applies every setting of s that its `set` asks for, as one change: it
 * checks them all first (ranges as the setters do, PRETIMEOUT_MS and
 * WINDOW_MS below the timeout they will run with, the capabilities) and
 * writes nothing if one is wrong; it reads what it will overwrite; it
 * writes in an order in which the chip accepts every step (a shorter
 * timeout after the pretimeout and window that must stay below it, a
 * longer one before them, OPTIONS last); and when a write fails it puts
 * back, in reverse order, what it had written (the failed write too,
 * unless the chip refused it), so the chip ends with all of s or none of
 * it. Returns 0, EXTWD_E_INVAL or EXTWD_E_NOTSUP (nothing written), or the
 * first write's EXTWD_E_* (settings restored, best effort). */
int extwd_configure(struct extwd *wd, const struct extwd_settings *s);

/* Writes the breadcrumb (2 bytes on the bus). Once a health channel has
 * missed, the breadcrumb holds that channel's id and is left alone.
 * Returns 0, EXTWD_E_UNHEALTHY, or another EXTWD_E_*. */
int extwd_breadcrumb(struct extwd *wd, uint8_t id);

/* Runs the timeout action now (command 0x85: the chip resets the host, with
 * cause "test"); for checking the wiring. Returns 0, EXTWD_E_REFUSED while
 * disarmed (nothing done), or another EXTWD_E_*. */
int extwd_test_reset(struct extwd *wd);

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
 * mask has EXTWD_STATUS_WD_RESET << 8, STATUS bit 0. A flag once cleared
 * cannot be set back, so a failure at STATUS leaves EXT_STATUS cleared:
 * calling it again is safe (clearing is idempotent). Returns 0 or
 * EXTWD_E_*. */
int extwd_clear_flags(struct extwd *wd, uint16_t mask);

/* ---- reading ------------------------------------------------------------------ */

struct extwd_state {
    uint8_t armed;
    uint8_t status;            /* register 0x11 */
    uint8_t ext_status;        /* EXTWD_XS_* (0 on stock) */
    uint32_t timeout_ms;
    uint32_t time_left_ms;     /* EXTWD_NO_RESET_PENDING: none pending or unknown (stock) */
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
 * Returns 0, EXTWD_E_REFUSED (see extwd_last_chip_error) or another EXTWD_E_*. */
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
