/*
 * extwd_mqtt: reboot telemetry for an extwd watchdog over MQTT, with Home
 * Assistant discovery, on Debian's libmosquitto.
 *
 * What it publishes (docs/mqtt.md has the exact topics and JSON):
 *   <prefix>/<client>/<chip>/status  "online"/"offline", retained, last will
 *   <prefix>/<client>/<chip>/boot    the reset evidence read at init, retained
 *   <prefix>/<client>/<chip>/state   armed, time left, feeds, bus errors; retained
 *   <prefix>/<client>/<chip>/event   one message per event, QoS 1, in order
 *   <discovery>/{sensor,binary_sensor}/<node>/<object>/config   retained
 *
 * Feeding never waits on the network. All network work (DNS, TCP, TLS,
 * reconnects with capped exponential back-off) runs on one thread that
 * extwd_mqtt_start makes; the calls a feeding loop makes (post_*, service)
 * only copy a few bytes under a mutex that the network thread holds for
 * copies only, never across a system call.
 *
 * Events wait in a bounded queue that the caller owns; when it is full the
 * oldest one not yet handed to the broker is dropped and counted. They are
 * published one at a time (QoS 1, next one after the PUBACK), so they reach
 * the broker in order, across reconnects too.
 *
 * State is caller-owned (struct extwd_mqtt); the library makes no global and
 * calls no malloc itself (libmosquitto allocates its own client).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_MQTT_H
#define EXTWD_MQTT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "extwd/extwd.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors (distinct from EXTWD_E_*, so a tool can print either) ---------- */

#define EXTWD_MQTT_OK          0
#define EXTWD_MQTT_E_INVAL   -20  /* bad option or argument; cfg->error says which */
#define EXTWD_MQTT_E_FILE    -21  /* a file could not be read or has a bad line */
#define EXTWD_MQTT_E_LIB     -22  /* libmosquitto refused (out of memory, TLS set-up) */
#define EXTWD_MQTT_E_TIMEOUT -23  /* not delivered in time: broker unreachable */
#define EXTWD_MQTT_E_REFUSED -24  /* the broker refused the connection (credentials) */
#define EXTWD_MQTT_E_STATE   -25  /* called out of order */
#define EXTWD_MQTT_E_UNKNOWN -26  /* not an MQTT option (extwd_mqtt_parse_option) */

/* Returns a short English text for an EXTWD_MQTT_E_* code. */
const char *extwd_mqtt_strerror(int err);

/* ---- configuration ---------------------------------------------------------- */

#define EXTWD_MQTT_HOST_MAX    256
#define EXTWD_MQTT_ID_MAX      64
#define EXTWD_MQTT_TOPIC_MAX   128
#define EXTWD_MQTT_PATH_MAX    256
#define EXTWD_MQTT_SECRET_MAX  256
#define EXTWD_MQTT_ERROR_MAX   320

struct extwd_mqtt_config {
    char host[EXTWD_MQTT_HOST_MAX];        /* "" = MQTT off */
    uint16_t port;                         /* 0 = 1883, or 8883 with TLS */
    char client_id[EXTWD_MQTT_ID_MAX];     /* [A-Za-z0-9_-]; "" = host name */
    char prefix[EXTWD_MQTT_TOPIC_MAX];     /* "" = "extwd" */
    char discovery[EXTWD_MQTT_TOPIC_MAX];  /* "" = "homeassistant" */
    uint8_t discovery_off;
    uint8_t test_button;                   /* announce a Home Assistant button for the test reset */
    char username[EXTWD_MQTT_SECRET_MAX];  /* from a file or the environment only */
    char password[EXTWD_MQTT_SECRET_MAX];
    uint8_t tls;                           /* set by --mqtt-tls or any TLS file */
    char cafile[EXTWD_MQTT_PATH_MAX];
    char capath[EXTWD_MQTT_PATH_MAX];      /* "" with tls and no cafile = /etc/ssl/certs */
    char certfile[EXTWD_MQTT_PATH_MAX];
    char keyfile[EXTWD_MQTT_PATH_MAX];
    uint16_t keepalive_s;                  /* 0 = 30; also how soon the will fires on a silent death */
    uint32_t state_interval_ms;            /* 0 = 30000 */
    uint32_t backoff_min_ms;               /* 0 = 500 */
    uint32_t backoff_max_ms;               /* 0 = 30000 */
    uint32_t connect_timeout_ms;           /* no CONNACK by then: drop and back off; 0 = 10000 */
    uint32_t publish_timeout_ms;           /* extwd_mqtt_publish_once gives up; 0 = 10000 */
    int64_t boot_time_s;                   /* the host's boot (Unix s), the time of a watchdog
                                            * reset; 0 = from the system clocks */
    char error[EXTWD_MQTT_ERROR_MAX];      /* one line, set by the parsing functions */
};

/* Clears cfg and reads the credentials from the environment:
 * EXTWD_MQTT_USERNAME and EXTWD_MQTT_PASSWORD, or EXTWD_MQTT_CREDENTIALS
 * naming a credentials file. Returns 0, or EXTWD_MQTT_E_* with cfg->error. */
int extwd_mqtt_config_init(struct extwd_mqtt_config *cfg);

/* Applies one option, named without its "--mqtt-" prefix ("host", "port",
 * "client-id", "prefix", "discovery", "no-discovery", "credentials", "tls",
 * "cafile", "capath", "cert", "key", "interval", "keepalive", "timeout").
 * value is NULL for the flags. On error cfg->error holds one line naming the
 * option (and the file and line for credentials files). Returns 0,
 * EXTWD_MQTT_E_UNKNOWN if name is no MQTT option, or another EXTWD_MQTT_E_*. */
int extwd_mqtt_parse_option(struct extwd_mqtt_config *cfg, const char *name, const char *value);

/* Returns 1 if the option (named as for parse_option) takes a value, 0 if it
 * is a flag, EXTWD_MQTT_E_UNKNOWN if there is no such option. */
int extwd_mqtt_option_takes_value(const char *name);

/* Takes every --mqtt-NAME VALUE / --mqtt-NAME=VALUE / --mqtt-FLAG out of
 * argv (stopping at "--"), applies them and closes the gap, so the program's
 * own parser sees the rest. Returns 0, or EXTWD_MQTT_E_* with cfg->error. */
int extwd_mqtt_parse_argv(struct extwd_mqtt_config *cfg, int *argc, char **argv);

/* Reads "username=..." and "password=..." lines ('#' comments, blank lines)
 * from text, which came from the file named path (for messages). Returns 0 or
 * EXTWD_MQTT_E_FILE with "path:line: reason" in cfg->error. */
int extwd_mqtt_parse_credentials(struct extwd_mqtt_config *cfg, const char *path,
                                 const char *text, size_t len);

/* Checks the options together (e.g. a key needs a certificate) and that the
 * TLS files can be read. Returns 0 or EXTWD_MQTT_E_* with cfg->error. */
int extwd_mqtt_config_check(struct extwd_mqtt_config *cfg);

/* Returns the --help text for the --mqtt-* options, one per line. */
const char *extwd_mqtt_usage(void);

/* ---- events ------------------------------------------------------------------ */

enum extwd_mqtt_event_kind {
    EXTWD_MQTT_EV_RESET = 0,   /* the reset evidence read at init (posted by post_boot) */
    EXTWD_MQTT_EV_BUS_ERROR,   /* code = bus errors since the last report */
    EXTWD_MQTT_EV_HEALTH_FAIL, /* code = the health command's exit status */
    EXTWD_MQTT_EV_HEALTH_OK,
    EXTWD_MQTT_EV_ARMED,
    EXTWD_MQTT_EV_DISARMED,
    EXTWD_MQTT_EV_STOPPING,    /* the daemon is stopping; code = signal number */
    EXTWD_MQTT_EV_COUNT
};

/* One queued event: 24 bytes, so a queue of 64 costs 1.5 KiB. */
struct extwd_mqtt_event {
    uint32_t seq;              /* 1, 2, 3 ... per struct extwd_mqtt */
    uint32_t t_ms;             /* the caller's clock when posted */
    int32_t code;
    uint8_t kind;              /* enum extwd_mqtt_event_kind */
    uint8_t reason;            /* EV_RESET: enum extwd_reset_reason */
    uint8_t breadcrumb;        /* EV_RESET */
    uint8_t has_breadcrumb;
    char missed_channel[32];   /* EV_RESET: as in the boot record */
    uint16_t resets;           /* EV_RESET: resets_total, or reset_count on stock chips */
    uint8_t cause;             /* EV_RESET: register 0x12 */
    uint8_t ext_status;        /* EV_RESET */
};

/* Returns the name used in payloads ("reset", "bus_error", ...), or NULL. */
const char *extwd_mqtt_event_name(enum extwd_mqtt_event_kind kind);

/* Returns the name used in payloads for a reset reason: "watchdog",
 * "none", "test", "window" or "unknown" (extwd_reset_reason_name). */
const char *extwd_mqtt_reason_name(enum extwd_reset_reason reason);

/* ---- the bounded event queue (caller-owned storage) --------------------------- */

struct extwd_mqtt_queue {
    struct extwd_mqtt_event *slots;
    uint32_t cap, head, len;
    uint32_t next_seq;
    uint32_t dropped;          /* events dropped because the queue was full */
    uint8_t head_in_flight;    /* slots[head] is with libmosquitto: never dropped */
};

/* Uses cap slots of storage. Returns 0 or EXTWD_MQTT_E_INVAL (cap 0). */
int extwd_mqtt_queue_init(struct extwd_mqtt_queue *q, struct extwd_mqtt_event *storage, uint32_t cap);

/* Appends ev (its seq is assigned here). When full, drops the oldest event
 * that is not in flight (the new one, if the only slot is in flight). Returns
 * the seq given to ev, which may be the one dropped. */
uint32_t extwd_mqtt_queue_push(struct extwd_mqtt_queue *q, const struct extwd_mqtt_event *ev);

/* Returns the oldest event, or NULL when empty. */
const struct extwd_mqtt_event *extwd_mqtt_queue_peek(const struct extwd_mqtt_queue *q);

/* Removes the oldest event if its seq is seq (a PUBACK for it arrived).
 * Returns 1 if removed, 0 if not. */
int extwd_mqtt_queue_pop(struct extwd_mqtt_queue *q, uint32_t seq);

/* ---- the client ---------------------------------------------------------------- */

struct mosquitto;

struct extwd_mqtt_stats {
    uint32_t events_posted;
    uint32_t events_delivered;  /* PUBACK received */
    uint32_t events_dropped;
    uint32_t events_queued;     /* waiting now */
    uint32_t connects;          /* CONNACKs accepted */
    uint32_t connect_failures;  /* attempts that failed or timed out */
    uint32_t disconnects;
    uint32_t states_posted;
    uint32_t backoff_ms;        /* delay before the next attempt */
    uint8_t connected;
};

/* The latest boot record and state, kept as values: a newer one replaces an
 * older one that was not yet sent. */
struct extwd_mqtt_boot_rec {
    struct extwd_boot_info boot;
    uint8_t is_extwd, proto_version, fw_version[3];
    uint16_t caps;
    int64_t reset_at_s;        /* Unix time of the watchdog reset; 0 = unknown or none */
    char missed_channel[32];   /* the health channel named by the breadcrumb; "" = none */
};

struct extwd_mqtt_state_rec {
    struct extwd_state st;
    struct extwd_stats stats;
    uint32_t t_ms;
    uint8_t st_valid;          /* 0: the chip could not be read; stats only */
    uint8_t is_extwd;
};

struct extwd_mqtt {
    struct extwd_mqtt_config cfg;
    char chip[48];                          /* bus_addr, e.g. i2c-1_26 */
    char node_id[EXTWD_MQTT_ID_MAX + 48];   /* client_chip: MQTT client id and HA node */
    char base[EXTWD_MQTT_TOPIC_MAX + EXTWD_MQTT_ID_MAX + 48]; /* prefix/client/chip */
    char bus[32];
    uint8_t addr;

    /* Shared with the network thread: under lock, held for copies only. */
    pthread_mutex_t lock;
    pthread_cond_t cond;       /* wakes the back-off wait and extwd_mqtt_flush */
    struct extwd_mqtt_queue queue;
    struct extwd_mqtt_boot_rec boot;
    struct extwd_mqtt_state_rec state;
    uint8_t boot_valid, boot_dirty, state_valid, state_dirty;
    uint8_t stop, stop_offline, connected, announced, refused, thread_running;
    uint8_t test_reset_asked;  /* the HA button was pressed; the feeding loop acts */
    uint32_t outstanding;      /* QoS 1 messages handed to libmosquitto, not yet acknowledged */
    struct extwd_mqtt_stats stats;
    char last_error[384];

    /* Caller thread only. */
    uint32_t state_due_ms;
    uint32_t last_bus_errors, bus_error_posted_ms;
    uint8_t state_timer_started, bus_errors_known;

    /* Network thread only (and start/stop). */
    struct mosquitto *mosq;
    pthread_t thread;
    int event_mid;
    uint32_t event_seq;
    uint8_t event_in_flight, lib_inited;
    char lib_log[200];         /* libmosquitto's last error log line */
};

/* Sets up m for the chip at addr on bus (e.g. "/dev/i2c-1"): copies cfg,
 * makes the topics, and uses queue[0..queue_len) for events. No network yet.
 * Returns 0 or EXTWD_MQTT_E_INVAL (with m->cfg.error). */
int extwd_mqtt_init(struct extwd_mqtt *m, const struct extwd_mqtt_config *cfg,
                    const char *bus, uint8_t addr,
                    struct extwd_mqtt_event *queue, size_t queue_len);

/* Makes the libmosquitto client and the network thread, which connects in
 * the background. Returns at once: 0, or EXTWD_MQTT_E_LIB (TLS files
 * refused, out of memory, no thread) with the reason in m->last_error. */
int extwd_mqtt_start(struct extwd_mqtt *m);

/* Keeps the reset evidence of wd (after extwd_init) as the retained boot
 * record and queues a reset event. Never touches the network. After a
 * watchdog reset the record carries when it happened (the host's boot time
 * from the system clock) and, when the breadcrumb is the id of a health
 * channel registered on wd, that channel's name. Returns the event's seq. */
uint32_t extwd_mqtt_post_boot(struct extwd_mqtt *m, const struct extwd *wd, uint32_t now);

/* post_boot with the reset's Unix time given (0: unknown), for callers with
 * their own clock and for tests. Returns the event's seq. */
uint32_t extwd_mqtt_post_boot_at(struct extwd_mqtt *m, const struct extwd *wd, uint32_t now,
                                 int64_t reset_at_s);

/* Keeps the chip's state (st may be NULL if it could not be read) and wd's
 * counters as the next state report. Never touches the network. Returns 0. */
int extwd_mqtt_post_state(struct extwd_mqtt *m, const struct extwd *wd,
                          const struct extwd_state *st, uint32_t now);

/* Queues an event. Never touches the network. Returns its seq, or
 * EXTWD_MQTT_E_INVAL for an unknown kind. */
int64_t extwd_mqtt_post_event(struct extwd_mqtt *m, enum extwd_mqtt_event_kind kind,
                              int32_t code, uint32_t now);

/* For the daemon loop, each turn. Never touches the network and costs a
 * compare when nothing is due. Returns 1 when a state report is due (read
 * the chip, then extwd_mqtt_post_state), else 0. Safe across the 2^32 wrap. */
int extwd_mqtt_service(struct extwd_mqtt *m, uint32_t now);

#define EXTWD_MQTT_BUS_ERROR_SPACING_MS 1000u

/* The daemon loop's whole MQTT turn: extwd_mqtt_service, and when a report
 * is due, extwd_get_state (one bus read) and extwd_mqtt_post_state; also
 * posts a bus_error event when wd's bus error count went up (at most one
 * per EXTWD_MQTT_BUS_ERROR_SPACING_MS, carrying the count). Lives in
 * extwd_mqtt_chip.c, linked with libextwd. Returns 1 if it read the chip,
 * 0 if nothing was due, or the EXTWD_E_* of a failed read. */
int extwd_mqtt_service_chip(struct extwd_mqtt *m, struct extwd *wd, uint32_t now);

/* Waits (this one blocks: for one-shot use and shutdown) until everything
 * posted so far reached the broker, at most timeout_ms. Returns 0,
 * EXTWD_MQTT_E_REFUSED if the broker refused the credentials, or
 * EXTWD_MQTT_E_TIMEOUT (m->last_error says why). */
int extwd_mqtt_flush(struct extwd_mqtt *m, uint32_t timeout_ms);

/* Stops the network thread and frees the client. With publish_offline it
 * first publishes "offline" (retained) and disconnects cleanly, waiting at
 * most about a second; without it the connection just ends cleanly and the
 * status stays as it was. Safe to call twice or without start. */
void extwd_mqtt_stop(struct extwd_mqtt *m, int publish_offline);

/* Copies the counters. */
void extwd_mqtt_get_stats(struct extwd_mqtt *m, struct extwd_mqtt_stats *out);

/* Copies the last connection error (e.g. "127.0.0.1:1883: Connection
 * refused") into buf. Returns buf. */
const char *extwd_mqtt_last_error(struct extwd_mqtt *m, char *buf, size_t len);

/* The one-shot `extwdctl publish`: publishes the boot record and reset event
 * of wd, its state (st may be NULL), discovery and "online", waits until the
 * broker has them (cfg->publish_timeout_ms) and disconnects cleanly. On error
 * err gets one line. Returns 0 or EXTWD_MQTT_E_*. */
int extwd_mqtt_publish_once(const struct extwd_mqtt_config *cfg, const char *bus, uint8_t addr,
                            const struct extwd *wd, const struct extwd_state *st,
                            uint32_t now, char *err, size_t errlen);

/* ---- for command-line tools (cli.c, linked with libextwd) ------------------------------ */

/* The whole `extwdctl publish` after extwd_init: checks cfg, reads the state
 * and publishes once. On failure writes one line (no program name) into
 * why. Returns 0, EXTWD_MQTT_E_INVAL (bad options), or another
 * EXTWD_MQTT_E_* (not delivered: broker, credentials, TLS); the tool maps
 * these onto its exit status. */
int extwd_mqtt_cli_publish(struct extwd_mqtt_config *cfg, const char *bus, struct extwd *wd,
                           uint32_t now, char *why, size_t whylen);

#define EXTWD_MQTT_DAEMON_QUEUE 64

/* The MQTT side of `extwdctl run`, in four calls. */
struct extwd_mqtt_daemon {
    struct extwd_mqtt m;
    struct extwd_mqtt_event queue[EXTWD_MQTT_DAEMON_QUEUE];
    FILE *err;                 /* the connection's log lines go here */
    const char *tag;           /* they start "TAG: mqtt: " (e.g. the program's name) */
    char why[EXTWD_MQTT_ERROR_MAX + 8]; /* why extwd_mqtt_daemon_begin failed, one line */
    uint8_t enabled, was_connected, said_failing;
};

/* After extwd_init, before the loop. Does nothing if cfg has no host (MQTT
 * off). Log lines go to err, each starting "tag: " when tag is not NULL.
 * Returns 0, or EXTWD_MQTT_E_* with one line (no program name) in d->why. */
int extwd_mqtt_daemon_begin(struct extwd_mqtt_daemon *d, struct extwd_mqtt_config *cfg, const char *bus,
                            const struct extwd *wd, uint32_t now, FILE *err, const char *tag);

/* Each loop turn, after extwd_feed: extwd_mqtt_service_chip, and one line on
 * err when the broker connection comes or goes. Never waits on the network. */
void extwd_mqtt_daemon_turn(struct extwd_mqtt_daemon *d, struct extwd *wd, uint32_t now);

/* Queues an event (health_fail, health_ok, armed, disarmed). */
void extwd_mqtt_daemon_event(struct extwd_mqtt_daemon *d, enum extwd_mqtt_event_kind kind,
                             int32_t code, uint32_t now);

/* At exit (after a "stopping" event, if the tool posts one): up to 2 s for
 * the queue to drain, "offline", and a clean disconnect. */
void extwd_mqtt_daemon_end(struct extwd_mqtt_daemon *d);

/* ---- payloads (pure functions; the client and the tests use them) ---------------- */

/* Each writes one JSON payload into buf and returns its length, or -1 if buf
 * is too small. */
int extwd_mqtt_json_event(const struct extwd_mqtt_event *ev, uint32_t dropped, char *buf, size_t cap);
int extwd_mqtt_json_boot(const struct extwd_mqtt_boot_rec *b, char *buf, size_t cap);
int extwd_mqtt_json_state(const struct extwd_mqtt_state_rec *s, uint32_t queued, uint32_t dropped,
                          char *buf, size_t cap);

/* Home Assistant discovery: index i in 0..extwd_mqtt_discovery_count(m)-1
 * gives one entity's config topic and payload (the test-reset button only
 * with cfg.test_button); b (NULL if not known yet) names the model and
 * firmware. Returns the count, or the payload length, or -1 if a buffer is
 * too small. */
int extwd_mqtt_discovery_count(const struct extwd_mqtt *m);
int extwd_mqtt_discovery(const struct extwd_mqtt *m, const struct extwd_mqtt_boot_rec *b, int i,
                         char *topic, size_t topic_cap, char *buf, size_t cap);

/* Writes base/leaf into out. Returns its length or -1 if it does not fit. */
int extwd_mqtt_topic(const struct extwd_mqtt *m, const char *leaf, char *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* EXTWD_MQTT_H */
