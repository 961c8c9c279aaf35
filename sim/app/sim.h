/*
 * extwd-sim's entry point into one simulation run.
 *
 * Part of extwd-sim, which links libsimavr: GPL-3.0-or-later.
 */
#ifndef EXTWD_SIM_SIM_H
#define EXTWD_SIM_SIM_H

#include <stdint.h>
#include <stdio.h>

#include "run.h"
#include "scenario.h"

#define SIM_E_INPUT 2 /* the firmware could not be loaded */
#define SIM_E_CHIP  3 /* the simulated chip crashed */
#define SIM_SKIP    4 /* the scenario does not apply to this MCU (reason in err) */

struct sim_options {
    const char *firmware;
    uint64_t seed;
    int has_seed;        /* seed overrides the scenario's */
    FILE *vcd;           /* NULL: no waveform */
    /* silicon timing of the chip (none set: perfect clocks); the fields it
     * sets override the scenario's */
    struct sc_silicon silicon;
};

/* Runs scenario sc on the firmware and fills run (run_init first; set
 * run->log for a timeline). Returns 0 when the run completed (the
 * expectations are not checked here), SIM_E_INPUT or SIM_E_CHIP with a
 * one-line reason in err. */
int sim_run(const struct scenario *sc, const struct sim_options *o, struct run *run,
            char *err, size_t errlen);

#endif /* EXTWD_SIM_SIM_H */
