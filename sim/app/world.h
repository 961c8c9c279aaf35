/*
 * The simulated world of extwd-sim: one chip (chipsim, the real firmware
 * ELF), one bus, one host model, one clock (the chip's CPU cycles), and the
 * scenario's faults applied at their exact times.
 *
 * The host model (host.c) is straight-line code, like the firmware it
 * models: it "works" by advancing the clock and talks to the chip through
 * libextwd and a simulation port. Whatever stops the real host (its reset
 * line pulled, a hang, a crash, the end of the run) makes every host
 * primitive fail, and the host code unwinds to world_run, which idles the
 * host until it may boot again.
 *
 * This file links libsimavr (through chipsim): GPL-3.0-or-later.
 */
#ifndef EXTWD_SIM_WORLD_H
#define EXTWD_SIM_WORLD_H

#include <stdint.h>

#include "chipsim.h"
#include "extwd/extwd.h"
#include "run.h"
#include "scenario.h"
#include "vcd.h"

/* splitmix64: small, seedable, the same on every platform. */
struct rng {
    uint64_t s;
};
uint64_t rng_next(struct rng *r);
uint32_t rng_range(struct rng *r, uint32_t lo, uint32_t hi); /* uniform in [lo, hi] */

#define HOST_REQ_MAX 16

/* Bugs in the host firmware image: they survive the host's reboots. */
struct host_bugs {
    int hang_boot_left;     /* boots that still hang (-1 = all) */
    int crash_boot_left;
    uint8_t hang_early, crash_early;
    uint32_t heap_leak_bps;
    int heap_leak_line;
    uint8_t hang_task;      /* hang on next entering this task (0 = none), even after a reboot */
    int hang_task_line, hang_boot_line, crash_boot_line; /* the scenario lines that set them */
};

struct host {
    int state;              /* enum sc_host_state */
    int killed;             /* RAM lost (reset, power, crash): unwind, then reboot */
    int hung;               /* stopped: no code, no interrupts, until killed */
    int next_after;         /* enum sc_boot_after for the next boot */
    uint64_t off_until;     /* cycle before which the host cannot start booting */
    uint64_t boot_cyc;      /* when this boot started (millis() counts from here) */
    int bus_up;             /* Wire.begin() done */
    int in_loop;

    struct extwd wd;
    struct extwd_port port;
    struct extwd_config cfg;
    int wd_ok;              /* extwd_init succeeded this boot */
    int wd_absent;          /* extwd_init found no chip: the library re-probes in extwd_feed */
    int safe;               /* safe mode this boot */
    uint64_t loop_since;    /* cycle the host entered loop() this boot */

    /* stimuli waiting for the next loop() pass */
    struct sc_event req[HOST_REQ_MAX];
    int nreq;

    uint32_t heap_free;
    int degraded;
    int wifi_connected;

    /* the stock host's safeTimers feed timer */
    int st_started;
    uint32_t st_due;

    /* libextwd health channels (host channels on), one per enum sc_part */
    struct extwd_channel ch[SC_PART_COUNT];
    uint8_t parts_dead;     /* bit per enum sc_part: stopped working this boot */
    int span_part;          /* index of the open "part dead" span, -1 */

    /* feed failure bookkeeping for the timeline */
    uint32_t feed_fail_run;
    int span_hang;          /* index of the open hang span, -1 */
};

#define WORLD_FAULT_Q SC_MAX_EVENTS /* one per event at most: none is dropped */
struct world_fault_q {      /* NACK or corruption faults waiting, by scenario line */
    int line[WORLD_FAULT_Q];
    uint32_t left[WORLD_FAULT_Q];
    int n;
};

struct world_pending {      /* internal timed actions */
    uint64_t cyc;
    int kind;
    int arg;
};
#define WORLD_PENDING_MAX 32

struct world {
    struct chipsim *cs;
    const struct scenario *sc;
    struct run *run;
    struct rng rng;
    uint32_t freq;
    uint8_t chip_addr;
    uint64_t end_cyc;
    uint64_t slice_cyc;
    int ended;
    int fatal;              /* the simulated chip crashed */
    int in_events;          /* re-entrancy guard for event application */

    /* reset line and pins */
    int reset_low;
    uint64_t reset_rise_cyc;
    int open_reset;         /* index of the reset whose pulse is running, -1 */
    int chain_first;        /* first reset since the host was last in loop, -1 */
    int chain_len;
    double last_release_ms;
    double last_pretimeout_ms;

    /* what the bus saw */
    double last_feed_ms;    /* STOP of the last acknowledged feed, -1 = none */
    double last_disarm_ms;  /* last disarm frame acknowledged, -1 = none */

    /* fault injection */
    int next_event;
    uint32_t nack_left, corrupt_left;
    uint64_t flaky_until;       /* cycle: the chip acknowledges every other host transfer until then */
    int flaky_line, flaky_odd;

    uint8_t corrupt_bit;
    struct world_fault_q nack_q, corrupt_q;
    uint64_t wifi_back_cyc; /* the access point is gone until then */
    struct world_pending pending[WORLD_PENDING_MAX];
    int npending;
    int span_sda, span_scl; /* open stuck-line spans, -1 */
    uint8_t factory_low;    /* the factory-reset pin is held low */
    int watch_line[WORLD_FAULT_Q];      /* events that act at the chip's next start */
    uint32_t watch_resets[WORLD_FAULT_Q]; /* chip restarts when they happened */
    int nwatch;
    /* the raw host's boot section (sc->raw_boot), replayed from each reset release */
    uint8_t raw_boot_active;
    int raw_boot_next;
    uint64_t raw_boot_base;
    /* a hung chip main loop (chip-hang) */
    uint8_t chip_hang_active;
    uint32_t chip_hang_resets;  /* chip restarts when it hung */
    uint64_t chip_hang_until;   /* 0: until the chip's first restart */
    int chip_hang_span;
    uint32_t raw_timeout_ms; /* the timeout the raw host set itself, 0 = the default */
    uint64_t raw_test_cyc;  /* the raw host's last acknowledged test action, 0 = none */
    uint8_t raw_feed_active;
    uint64_t raw_feed_next, raw_feed_every, raw_feed_until;

    /* expectations sampled during the run */
    int probe_order[SC_MAX_EXPECTS];
    int nprobes, next_probe;

    struct host h;
    struct host_bugs bugs;

    /* which scenario events took effect (by index in sc->events): a
     * statement that never did anything makes the run bad input */
    uint8_t took_effect[SC_MAX_EVENTS];

    struct vcd vcd;
    int vcd_on;
};

/* ---- clock ------------------------------------------------------------------------- */

uint64_t world_now(const struct world *w);          /* cycles */
double world_ms(const struct world *w);             /* ms since power-up */
uint64_t world_ms_to_cyc(const struct world *w, double ms);
double world_cyc_to_ms(const struct world *w, uint64_t cyc);

/* Runs the world to the given cycle, applying faults and recording as it
 * goes. With stop_on_host set, returns early (-1) as soon as the host can no
 * longer run (killed, hung, run over). Returns 0 when the cycle was reached. */
int world_advance(struct world *w, uint64_t until, int stop_on_host);

/* ---- bus --------------------------------------------------------------------------- */

/* A write or read by the host (from_host = 1, subject to NACK and corruption
 * faults) or by another master. Returns 0 or a negative EXTWD_E_* code. */
int world_i2c_write(struct world *w, uint8_t addr, const uint8_t *buf, size_t len, int from_host);
int world_i2c_read(struct world *w, uint8_t addr, uint8_t *buf, size_t len, int from_host);

/* ---- host -------------------------------------------------------------------------- */

/* The host can run code now. */
int host_alive(const struct world *w);

/* Kills the host: its RAM is lost; it boots again (after) no earlier than
 * off_until. */
void host_kill(struct world *w, int after, uint64_t off_until);

/* Sets and records the host's state. */
void host_set_state(struct world *w, int state);

/* Runs the host program from power-on to the end of the run (host.c). */
void host_run(struct world *w);

/* The host's part (enum sc_part) stops doing its work until the next boot,
 * while loop() runs on: it no longer checks in on its health channel.
 * Returns 1 if a working part died (the host was up and the part alive), else 0. */
int host_part_dead(struct world *w, int part);

/* The timeout the host program itself set (its configuration, or what the
 * raw script wrote), whatever a stray write did to the chip: the host's own
 * rule for how long it may go without feeding. Returns ms. */
uint32_t world_host_timeout_ms(const struct world *w);

/* Records that the event written on scenario line `line` took effect. */
void world_effect(struct world *w, int line);

/* Opens a fault span and returns its index (or -1). */
int world_span(struct world *w, int kind, const char *label);
void world_span_close(struct world *w, int idx);

#endif /* EXTWD_SIM_WORLD_H */
