/*
 * One simulation run (sim.h): the chip's silicon chosen from the command
 * line and the scenario, the world opened on the firmware, the host program
 * run on it to the end, the world closed into the run's record.
 *
 * Part of extwd-sim, which links libsimavr: GPL-3.0-or-later.
 */
#include "sim.h"

#include <stdio.h>

#include "host.h"
#include "world.h"

/* The chip's configuration: the silicon timing field by field from the
 * command line if it gave one, else from the scenario. */
static struct chipsim_config chip_config(const struct scenario *sc, const struct sim_options *o, uint64_t seed)
{
    const struct sc_silicon *si = &sc->silicon, *so = &o->silicon;
    uint8_t from_sc = (uint8_t)(si->set & ~so->set);
    uint32_t wakeup_us = from_sc & SC_SI_WAKEUP ? si->wakeup_us : so->wakeup_us;
    struct chipsim_config cfg = {
        .elf_path = o->firmware,
        .i2c_hz = sc->host.i2c_hz,
        .stretch_limit_us = sc->host.stretch_limit_us,
        .ram_seed = (uint32_t)(seed * 2654435761u + 1),
        .rc_error_ppm = from_sc & SC_SI_RC ? si->rc_error_ppm : so->rc_error_ppm,
        .wdt_error_ppm = from_sc & SC_SI_WDT ? si->wdt_error_ppm : so->wdt_error_ppm,
        .wdt_drift_ppm_per_h = from_sc & SC_SI_DRIFT ? si->wdt_drift_ppm_per_h : so->wdt_drift_ppm_per_h,
        .wakeup_us = wakeup_us,
        .wakeup_ck = wakeup_us > 0 ? 6u : 0u, /* lfuse 0xE2: SUT 6 CK from power-down */
    };
    return cfg;
}

int sim_run(const struct scenario *sc, const struct sim_options *o, struct run *run, char *err, size_t errlen)
{
    run->seed = o->has_seed ? o->seed : sc->seed;
    struct chipsim_config cfg = chip_config(sc, o, run->seed);
    struct world *w;
    int rc = world_open(&w, sc, &cfg, run, o->vcd, err, errlen);
    if (rc)
        return rc;
    world_begin(w);
    host_run(w);
    if (world_end(w)) {
        snprintf(err, errlen, "%s: the simulated CPU crashed", o->firmware);
        return SIM_E_CHIP;
    }
    return 0;
}
