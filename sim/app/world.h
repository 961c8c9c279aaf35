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
#include <stdio.h>

#include "chipsim.h"
#include "extwd/extwd.h"
#include "run.h"
#include "scenario.h"
#include "vcd.h"
#include "host.h"
#include "busfault.h"

/* splitmix64: small, seedable, the same on every platform. */
struct rng {
    uint64_t s;
};
uint64_t rng_next(struct rng *r);
uint32_t rng_range(struct rng *r, uint32_t lo, uint32_t hi); /* uniform in [lo, hi] */

#define WORLD_FAULT_Q SC_MAX_EVENTS /* one per event at most: none is dropped */

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

    /* reset line and pins */
    int reset_low;
    uint64_t reset_rise_cyc;
    int open_reset;         /* index of the reset whose pulse is running, -1 */
    double last_release_ms;
    double last_pretimeout_ms;

    /* what the bus saw */
    double last_feed_ms;    /* STOP of the last acknowledged feed, -1 = none */
    double last_disarm_ms;  /* last disarm frame acknowledged, -1 = none */

    /* fault injection */
    int next_event;
    struct busfault bus;        /* the host's bus faults waiting (busfault.c) */
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

    struct host *h;         /* host.c's, opaque here */

    /* which scenario events took effect (by index in sc->events): a
     * statement that never did anything makes the run bad input */
    uint8_t took_effect[SC_MAX_EVENTS];

    struct vcd vcd;
    int vcd_on;
};

/* ---- life ------------------------------------------------------------------------- */

/* Opens the world of one run: the chip (cfg) with scenario sc's faults and
 * expectations, the run's record (run, its seed set), a waveform into vcd
 * (NULL: none), and the host off. Returns 0 with *wp set, SIM_SKIP when the
 * scenario does not apply to the firmware's MCU, or SIM_E_INPUT, with a
 * one-line reason in err. */
int world_open(struct world **wp, const struct scenario *sc, const struct chipsim_config *cfg,
               struct run *run, FILE *vcd, char *err, size_t errlen);

/* Starts the run at power-up: the first sample, and whatever is due at 0. */
void world_begin(struct world *w);

/* Runs the world to the end of the scenario (after the host program
 * returned), fills the run's figures and final reads, and frees the world.
 * Returns 1 if the simulated chip crashed, else 0. */
int world_end(struct world *w);

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
 * faults) or by another master. The transfer moves the clock (the chip runs
 * through it) but applies nothing that fell due meanwhile: the event
 * handlers' own transfers stay inside their handler. Returns 0 or a negative
 * EXTWD_E_* code. */
int world_i2c_write(struct world *w, uint8_t addr, const uint8_t *buf, size_t len, int from_host);
int world_i2c_read(struct world *w, uint8_t addr, uint8_t *buf, size_t len, int from_host);

/* After a host program's transfer: samples the chip and applies every fault
 * and probe that fell due during it, as world_advance does after each slice.
 * Only the host model calls it, never an event handler, so the event loop is
 * never re-entered. */
void world_settle(struct world *w);

/* Records the host's new state in the run, the VCD and the SVG (host.c
 * calls it from host_set_state). */
void world_host_state(struct world *w, int state);

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
