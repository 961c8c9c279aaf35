/*
 * Scenario files for extwd-sim: a line-based text format (sim/app/README.md)
 * parsed into a fixed-size struct, so a malformed or hostile file can cost
 * nothing but an error message naming the file and line.
 *
 * The parser is pure C with no simulator dependency; it is fuzzed by
 * fuzz/scenario and unit-tested by tests/sim.
 *
 * Part of extwd-sim, which links libsimavr: GPL-3.0-or-later.
 */
#ifndef EXTWD_SIM_SCENARIO_H
#define EXTWD_SIM_SCENARIO_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#define SC_MAX_EVENTS   128
#define SC_MAX_EXPECTS  64
#define SC_MAX_CONFIG   24
#define SC_MAX_BYTES    8
#define SC_MAX_LINE     512
#define SC_TEXT         112
#define SC_MAX_MS       (48ull * 3600ull * 1000ull) /* 48 simulated hours */

#define SC_MCU_ATTINY85   0x1u
#define SC_MCU_ATMEGA328P 0x2u
#define SC_MCU_ALL        0x3u

enum sc_host_mode { SC_HOST_EXTWD = 0, SC_HOST_STOCK, SC_HOST_RAW };

/* How the host survives a long blocking operation (OTA, WiFi reconnect). */
enum sc_longop {
    SC_LONGOP_HELPER = 0, /* libextwd's long-op helper: raised timeout, feed per step */
    SC_LONGOP_DISARM,     /* the ADR's pattern: disarm, work, arm */
    SC_LONGOP_RAW_FEED,   /* OTGW v1.7.2: a raw 0xA5 per chunk, no disarm */
    SC_LONGOP_DISARM_PER_ATTEMPT /* WiFi only, the seed's text: disarm before each connect
                                    attempt, arm once connected or the attempt abandoned */
};

/* How the stock host survives a WiFi outage. */
enum sc_stock_wifi {
    SC_STOCK_WIFI_BACKGROUND = 0, /* v1.7.2: the SDK reconnects in the background, loop() runs on */
    SC_STOCK_WIFI_BLOCKING_DISARM /* the older stock host: [07 00], a blocking connect, [07 01] */
};

struct sc_host {
    uint8_t mode;              /* enum sc_host_mode */
    uint32_t rom_ms;           /* ESP8266 ROM and SDK start before setup() */
    uint32_t boot_min_ms;      /* reset release to loop(): uniform in [min, max] */
    uint32_t boot_max_ms;
    uint32_t loop_min_ms;      /* one loop() pass: uniform in [min, max] */
    uint32_t loop_max_ms;
    uint32_t spike_ppm;        /* chance per pass that one task takes a spike */
    uint32_t spike_min_ms;
    uint32_t spike_max_ms;
    uint32_t arm_at_ms;        /* first feed and arm no earlier than this into boot */
    uint32_t millis_start;     /* host millis() at boot (to cross the 2^32 wrap) */
    uint32_t crash_restart_ms; /* exception dump and restart after a crash */
    uint32_t i2c_hz;
    uint32_t stretch_limit_us;
    uint32_t safe_clear_ms;    /* in safe mode, clear SAFE_MODE after this long in loop */
    uint8_t retries;
    uint8_t breadcrumbs;
    uint8_t safe_mode;         /* honour SAFE_MODE at boot */
    uint8_t pretimeout_irq;    /* the pretimeout pin is wired to a host interrupt */
    uint8_t debug_no_wd;       /* DEBUG_NO_WATCHDOG build */
    uint8_t ota_mode;          /* enum sc_longop */
    uint8_t wifi_mode;         /* enum sc_longop */
    uint8_t channels;          /* libextwd health channels: loop, wifi, mqtt (sim/app/README.md) */
    uint8_t stock_wifi;        /* enum sc_stock_wifi */
    uint8_t stock_delay_feed;  /* the stock host's delay helper feeds (a slow pass is a delay) */
};

/* The raw host's boot section: replayed from each reset release (and power-up). */
#define SC_MAX_RAW_BOOT 16

enum sc_cfg_kind {
    SC_CFG_TIMEOUT_MS = 0, SC_CFG_GRACE_S, SC_CFG_PULSE_MS, SC_CFG_MAX_DISARM_S,
    SC_CFG_BOOTLOOP, SC_CFG_PRETIMEOUT_MS, SC_CFG_WINDOW_MS, SC_CFG_KEYED,
    SC_CFG_LOCK, SC_CFG_SAVE
};

/* A setting the host applies through libextwd in setup(), at every boot. */
struct sc_config {
    uint8_t kind;
    uint32_t a, b;
    int line;
};

enum sc_ev_kind {
    /* host faults and stimuli */
    SC_EV_HANG = 0,     /* task: 0 = at once, else on entering that task */
    SC_EV_HANG_BOOT,    /* a = boots affected (0 = all), flag = before the first feed */
    SC_EV_CRASH_BOOT,   /* as HANG_BOOT, but the host crashes and restarts */
    SC_EV_SLOW,         /* a = ms the next loop pass blocks */
    SC_EV_OTA,          /* a = chunks, b..c = ms per chunk */
    SC_EV_WIFI_DROP,    /* a = ms the AP is gone, b = ms per connect attempt */
    SC_EV_HEAP_LEAK,    /* a = bytes per second */
    SC_EV_FAST_FEED,    /* a = ms of feeding every b ms (a feed-loop bug) */
    SC_EV_CRASH,        /* the running host crashes (exception) and restarts */
    SC_EV_HOST_RESET,   /* the reset button: the host only */
    /* bus faults */
    SC_EV_SDA_LOW,      /* a = ms */
    SC_EV_SCL_LOW,      /* a = ms */
    SC_EV_NACK,         /* a = host transactions whose address is corrupted */
    SC_EV_CORRUPT,      /* a = host writes whose first byte gets bit b flipped */
    SC_EV_STRAY,        /* another master writes bytes to address a */
    SC_EV_ABORT_TX,     /* a host feed cut after a bits; flag = the host resets too */
    /* chip faults */
    SC_EV_BROWNOUT,
    SC_EV_POWER_CYCLE,  /* the whole board: chip and host */
    SC_EV_EEPROM_CORRUPT, /* one byte of the settings slot flipped */
    SC_EV_FACTORY_PIN,  /* flag = held low */
    SC_EV_CHIP_HANG,    /* the chip firmware's main loop hangs; a = ms it keeps hanging across
                           its own restarts (0 = until the first restart) */
    SC_EV_CHIP_OFF,     /* the chip loses its supply, the rest of the board keeps it; a = ms
                           until it comes back with a power-on start (0 = never: absent) */
    SC_EV_FLAKY,        /* for a ms the chip acknowledges only every other host transfer */
    SC_EV_PART_DEAD,    /* a = SC_PART_*: that part of the host stops working, loop() runs on */
    /* raw mode */
    SC_EV_RAW_WRITE,    /* bytes to address a */
    SC_EV_RAW_READ,     /* a = bytes to read from address b */
    SC_EV_RAW_FEED,     /* a raw 0xA5 every a ms until b ms */
    SC_EV_COUNT
};

struct sc_event {
    uint64_t t_ms;
    uint8_t kind;
    uint8_t task;
    uint8_t flag;
    uint8_t nbytes;
    uint32_t a, b, c;
    uint8_t bytes[SC_MAX_BYTES];
    int line;
};

/* The host's parts that check in on libextwd health channels (host channels
 * on); the channel ids are SC_CHANNEL_ID_BASE + part. */
enum sc_part { SC_PART_LOOP = 0, SC_PART_WIFI, SC_PART_MQTT, SC_PART_COUNT };
#define SC_CHANNEL_ID_BASE 0xC0u

enum sc_cmp { SC_EQ = 0, SC_NE, SC_LT, SC_LE, SC_GT, SC_GE, SC_NEAR, SC_HAS, SC_LACKS };

enum sc_subject {
    SC_X_RESETS = 0,      /* number of resets the chip issued */
    SC_X_FALSE_RESETS,    /* resets of a healthy host */
    SC_X_RESET,           /* reset <index> <field> */
    SC_X_RECOVERED,       /* every reset followed by the host back in loop within value */
    SC_X_RECOVERY,        /* recovery <index> <field> */
    SC_X_STATUS_BIT0,     /* every boot after a chip reset read STATUS bit 0 set */
    SC_X_BOOT,            /* boot <index> <field> */
    SC_X_METRIC,          /* a run-wide counter */
    SC_X_FINAL,           /* a register read over the bus after the run */
    SC_X_AT_CHIP,         /* the chip's own state (from its RAM) at a time */
    SC_X_AT_HOST,         /* the host's state at a time */
    SC_X_HOST_END,        /* the host's state at the end */
    SC_X_RAW_READ,        /* raw read <index> returned these bytes */
    SC_X_RESETS_BETWEEN   /* resets whose edge falls in [at_ms, until_ms] */
};

enum sc_field {
    /* reset */
    SC_F_SINCE_LAST_FEED = 0, SC_F_CAUSE, SC_F_AT, SC_F_SINCE_DISARM, SC_F_PRETIMEOUT_LEAD,
    /* recovery */
    SC_F_RECOVERY_MS, SC_F_BOOT_MS,
    /* boot */
    SC_F_REASON, SC_F_STATUS, SC_F_LAST_CAUSE, SC_F_EXT_STATUS, SC_F_BREADCRUMB,
    SC_F_BOOTLOOP_COUNT, SC_F_HISTORY_LEN, SC_F_RESETS_TOTAL, SC_F_SAFE, SC_F_AFTER, SC_F_MISSED,
    /* metrics */
    SC_F_FEEDS, SC_F_FEED_ERRORS, SC_F_BUS_BYTES, SC_F_BOOTS, SC_F_RECOVERIES,
    SC_F_DEGRADATIONS, SC_F_PRETIMEOUT_IRQS, SC_F_PRETIMEOUTS, SC_F_SLEEP_MODE_ERRORS,
    SC_F_MAX_STRETCH_US, SC_F_AWAKE_FRACTION, SC_F_CHIP_RESETS, SC_F_DEAD_PART_MS, SC_F_BUS_ERRORS,
    /* chip state at a time */
    SC_F_ARMED, SC_F_IN_GRACE, SC_F_TIMEOUT_MS, SC_F_SINCE_FEED_MS, SC_F_GRACE_LEFT_MS,
    /* host state */
    SC_F_HOST_STATE,
    SC_F_COUNT
};

/* Host states, as expectations, the timeline and the plot name them. */
enum sc_host_state {
    SC_HS_OFF = 0,   /* held in reset or restarting */
    SC_HS_BOOT,
    SC_HS_LOOP,
    SC_HS_SAFE,      /* loop, in safe mode */
    SC_HS_DEGRADED,  /* loop, heap emergency: non-essential tasks off */
    SC_HS_OTA,
    SC_HS_WIFI,
    SC_HS_HUNG,
    SC_HS_COUNT
};

/* Boot causes as the host model sees them (SC_F_AFTER). */
enum sc_boot_after {
    SC_AFTER_POWER_ON = 0, SC_AFTER_CHIP_RESET, SC_AFTER_HOST_RESET, SC_AFTER_CRASH,
    SC_AFTER_OTA, SC_AFTER_POWER_CYCLE, SC_AFTER_COUNT
};

struct sc_expect {
    uint8_t subject;   /* enum sc_subject */
    uint8_t field;     /* enum sc_field */
    uint8_t cmp;       /* enum sc_cmp */
    uint8_t reg;       /* SC_X_FINAL: register and its width */
    uint8_t reg_width;
    uint8_t nbytes;    /* SC_X_RAW_READ: expected bytes */
    uint8_t bytes[SC_MAX_BYTES];
    int index;         /* 1-based reset / boot / recovery / raw read number */
    double value;
    double tol;
    uint64_t at_ms;
    uint64_t until_ms; /* SC_X_RESETS_BETWEEN: end of the window */
    int line;
    char text[SC_TEXT]; /* the expectation as written, whitespace collapsed */
};

/* The chip's silicon timing for this scenario (`silicon ...` lines); the
 * command-line options override each field they give. */
enum { SC_SI_RC = 1, SC_SI_WDT = 2, SC_SI_DRIFT = 4, SC_SI_WAKEUP = 8 };
struct sc_silicon {
    uint8_t set;                /* SC_SI_* given */
    int32_t rc_error_ppm, wdt_error_ppm, wdt_drift_ppm_per_h;
    uint32_t wakeup_us;
};

struct scenario {
    char name[64];
    char title[SC_TEXT];
    char path[256];
    uint64_t duration_ms;
    uint64_t seed;
    uint8_t has_seed;
    uint8_t mcus;                    /* SC_MCU_* this scenario applies to */
    char skip_reason[2][SC_TEXT];    /* why not attiny85 / atmega328p */
    struct sc_host host;
    struct sc_silicon silicon;
    struct sc_config config[SC_MAX_CONFIG];
    int nconfig;
    struct sc_event events[SC_MAX_EVENTS];
    int nevents;
    struct sc_event raw_boot[SC_MAX_RAW_BOOT]; /* t_ms from the boot; RAW_WRITE or RAW_FEED
                                                  (a = every, b = for, 0 = to the next reset) */
    int nraw_boot;
    struct sc_expect expects[SC_MAX_EXPECTS];
    int nexpects;
    int nraw_reads;
};

/* Sets one silicon field by its name ("rc-error", "wdt-error": percent;
 * "drift": ppm per hour; "wakeup-us"), marking it given. *why is the range
 * in words, or NULL for an unknown name. Returns 0, or -1 (unknown name or
 * out of range; nothing set). */
int sc_silicon_set(struct sc_silicon *si, const char *name, double v, const char **why);

/* Fills sc with the defaults every scenario starts from. */
void scenario_defaults(struct scenario *sc);

/* Parses len bytes of scenario text (need not be NUL-terminated); fname is
 * used in messages and to name the scenario. Events are sorted by time (ties
 * keep file order). On error writes "fname:line: message" to err. Returns 0,
 * or -1 on a malformed scenario. */
int scenario_parse(struct scenario *sc, const char *text, size_t len,
                   const char *fname, char *err, size_t errlen);

/* Reads and parses a file. Returns 0, or -1 with "file: reason" or
 * "file:line: message" in err. */
int scenario_load(struct scenario *sc, const char *path, char *err, size_t errlen);

/* Opens path for reading without blocking on it: a FIFO or a device is
 * refused ("PATH: not a regular file" in err), so a wrong path cannot hang
 * the simulator. Returns the stream, or NULL with one line in err. */
FILE *sim_open_regular(const char *path, char *err, size_t errlen);

/* Name tables, shared with the writers. Each returns a short lowercase name. */
const char *sc_host_state_name(int state);
const char *sc_event_name(int kind);
const char *sc_cause_name(int cause);
const char *sc_boot_after_name(int after);
const char *sc_part_name(int part);         /* "loop", "wifi", "mqtt"; "none" for -1 */

/* Looks up a register by its SPEC.md name (or 0xNN). Returns 0 and fills
 * reg and width, or -1. */
int sc_register_lookup(const char *name, uint8_t *reg, uint8_t *width);

#endif /* EXTWD_SIM_SCENARIO_H */
