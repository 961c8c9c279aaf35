/*
 * The record of one extwd-sim run: what happened, when, and what the
 * expectations found. The simulation fills it; the JSON, SVG and timeline
 * writers and the expectation checker only read it, so they are tested on
 * hand-made records without simavr.
 *
 * Part of extwd-sim, which links libsimavr: GPL-3.0-or-later.
 */
#ifndef EXTWD_SIM_RUN_H
#define EXTWD_SIM_RUN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "scenario.h"

/* A growable array (the simulator app may allocate; the library may not). */
struct vec {
    void *p;
    size_t n, cap;
};
void *vec_push(struct vec *v, size_t elem_size);   /* returns a zeroed new element or NULL */
void vec_free(struct vec *v);
#define VEC_AT(v, type, i) (((type *)(v).p)[i])

struct run_reset {
    double t_ms;                /* reset line falling edge */
    double release_ms;          /* rising edge; -1 if still low at the end */
    double since_last_feed_ms;  /* from the STOP of the last acknowledged feed; -1 if none */
    double since_disarm_ms;     /* from the last disarm the host sent; -1 if none */
    double pretimeout_lead_ms;  /* from the pretimeout pin's falling edge; -1 if none */
    int cause;                  /* EXTWD_CAUSE_* as the host read it after, -1 unknown */
    char fault[40];             /* the injected fault that explains it; "" = none */
    int is_false;               /* the host was healthy and able to feed */
    int recovery;               /* index into recoveries, -1 if none */
};

struct run_recovery {
    double t_ms;                /* host back in loop() */
    double recovery_ms;         /* from the last feed before the first reset of the chain */
    double boot_ms;             /* from the last reset release */
    int first_reset;            /* index into resets */
    int resets;                 /* resets in the chain (a boot loop has several) */
};

struct run_boot {
    double t_ms;                /* when the host read the chip (extwd_init) */
    int after;                  /* enum sc_boot_after */
    int read_ok;                /* the chip answered */
    int reason;                 /* enum extwd_reset_reason */
    int status, last_cause, ext_status, breadcrumb, bootloop_count, history_len, resets_total;
    int safe;                   /* the host entered safe mode */
    int missed;                 /* enum sc_part the breadcrumb names (host channels on), -1 none */
};

/* An injected fault: a span (t1 > t0) or an instant (t1 == t0). */
struct run_span {
    double t0_ms, t1_ms;
    int kind;                   /* enum sc_ev_kind */
    char label[40];
    uint8_t excuses;            /* it stopped the host's progress (a hang, a crash, a feed-loop
                                   bug, a pass longer than the timeout) or kept it off the bus
                                   (a line held low): a reset in its gap is not false */
};

struct run_state {
    double t_ms;
    int state;                  /* enum sc_host_state */
};

/* The chip's own view, sampled when it changes. */
struct run_sample {
    double t_ms;
    uint32_t since_feed_ms;
    uint32_t timeout_ms;
    uint8_t armed, in_grace, in_pulse;
};

struct run_feed {
    double t_ms;
    uint8_t ok;
};

struct run_raw_read {
    double t_ms;
    int rc;
    uint8_t n;
    uint8_t bytes[SC_MAX_BYTES];
};

struct run_expect {
    int passed;
    int has_measured;
    double measured;
    char detail[120];
};

struct run {
    /* identity */
    char firmware[256];
    char mcu[16];
    uint32_t freq;
    uint64_t seed;
    const struct scenario *sc;

    double sim_ms;
    double wall_ms;

    /* counters */
    uint64_t feeds, feed_errors, bus_bytes, bus_errors;
    uint64_t degradations, pretimeout_irqs, pretimeouts;
    uint64_t cycles, awake_cycles;
    uint32_t chip_resets, sleep_mode_errors, max_stretch_us;
    double awake_fraction;
    double dead_part_ms;        /* time a host part was dead before a reboot revived it (or the end) */
    int false_resets;
    int chain_first;            /* the reset chain: first reset since the host was last in loop, -1 */
    int chain_len;              /* resets in the chain */
    int host_state_end;

    struct vec resets;          /* struct run_reset */
    struct vec recoveries;      /* struct run_recovery */
    struct vec boots;           /* struct run_boot */
    struct vec spans;           /* struct run_span */
    struct vec states;          /* struct run_state */
    struct vec samples;         /* struct run_sample */
    struct vec feeds_v;         /* struct run_feed */
    struct vec raw_reads;       /* struct run_raw_read */
    struct vec pretimeout_edges; /* double t_ms */

    /* filled by the simulation for SC_X_FINAL and SC_X_AT_* expectations,
     * indexed like sc->expects; *_ok says the value was taken */
    uint32_t final_value[SC_MAX_EXPECTS];
    uint8_t final_ok[SC_MAX_EXPECTS];
    double at_value[SC_MAX_EXPECTS];
    uint8_t at_ok[SC_MAX_EXPECTS];

    /* scenario events that never took effect (indexes into sc->events):
     * the run proves nothing about them, so it is refused as bad input */
    int ineffective[SC_MAX_EVENTS];
    int nineffective;

    struct run_expect expect[SC_MAX_EXPECTS];
    int expects_passed;
    int all_passed;

    /* timeline output; NULL = quiet */
    FILE *log;
    double last_log_ms;
};

/* Zeroes r and binds it to its scenario. */
void run_init(struct run *r, const struct scenario *sc);

/* Frees the arrays. */
void run_free(struct run *r);

/* One timeline line: "[ssss.mmm] tag  text". */
void run_log(struct run *r, double t_ms, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Whether a fault of this kind, by itself, takes the host out of its own
 * rules (a hang, a boot crash, a feed-loop bug, a stuck bus line). A slow
 * pass does only when it is longer than the timeout (its creator says so);
 * a stray write, a flipped byte, a NACK, a brown-out never do. Returns 1 or 0. */
int run_kind_excuses(int kind);

/* Appenders; each returns the new element (zeroed but for what it sets) or NULL. */
struct run_span *run_span_open(struct run *r, double t_ms, int kind, const char *label);

/* The reset chain: every reset from the host's last time in loop() to its
 * next one is one recovery. run_chain_reset adds reset `index` to the open
 * chain (opening one); run_chain_recovered closes it at t_ms, when the
 * host is back in loop() after a boot of boot_ms, records the recovery and
 * returns it, or returns NULL when no chain was open (a boot with no reset
 * before it) or memory ran out. */
void run_chain_reset(struct run *r, int index);
const struct run_recovery *run_chain_recovered(struct run *r, double t_ms, double boot_ms);
void run_state_set(struct run *r, double t_ms, int state);
void run_sample_add(struct run *r, const struct run_sample *s);

/* Checks every expectation of r->sc against r, fills r->expect, and sets
 * r->all_passed. Returns the number that failed. */
int run_check_expectations(struct run *r);

/* Writes s as a JSON string literal (quoted and escaped). */
void run_json_string(FILE *f, const char *s);

/* Writes the JSON summary object (one line per top-level field). */
void run_write_json(FILE *f, const struct run *r);

/* Writes the timeline picture. Returns 0 or -1 on a write error. */
int run_write_svg(FILE *f, const struct run *r);

/* Prints the expectation results (PASS/FAIL lines). */
void run_print_expectations(FILE *f, const struct run *r);

#endif /* EXTWD_SIM_RUN_H */
