/*
 * chipsim's silicon timing (chipsim_priv.h): the RC's error on the CPU
 * clock, the watchdog's own oscillator with its error and drift, and the
 * wake-up time from power-down.
 *
 * This file links libsimavr (GPL-3): binaries that include it are GPL-3.
 */
#include "chipsim_priv.h"
#include "fw_elf.h"

#include <string.h>

#include <simavr/sim_regbit.h>
#include <simavr/sim_cycle_timers.h>

/* ---- silicon timing: the watchdog's own oscillator ------------------------------------ */

/* The watchdog oscillator's relative error now: the configured one plus
 * its drift over the true time so far (never below -90 %). */
static double wdt_error(const struct chipsim *cs)
{
    double hours = (double)cs->avr->cycle / cs->hz / 3600.0;
    double e = (cs->cfg.wdt_error_ppm + (double)cs->cfg.wdt_drift_ppm_per_h * hours) * 1e-6;
    return e < -0.9 ? -0.9 : e;
}

int32_t chipsim_wdt_error_ppm(const struct chipsim *cs)
{
    double e = wdt_error(cs) * 1e6;
    return (int32_t)(e < 0 ? e - 0.5 : e + 0.5);
}

/* CPU cycles in one watchdog period at prescaler wdp: 2048 << wdp cycles
 * of a 128 kHz oscillator off by its error, counted on the RC. */
static avr_cycle_count_t wdt_period(const struct chipsim *cs, uint8_t wdp)
{
    double osc = 128000.0 * (1.0 + wdt_error(cs));
    return (avr_cycle_count_t)((double)(2048u << (wdp & 15u)) * cs->hz / osc + 0.5);
}

/* simavr derives the period from avr->frequency and a perfect 128 kHz (and
 * re-arms its timer with it at every period): put in the modelled period,
 * and restart a timer simavr has just started with its own. */
void chipsim_wdt_correct(struct chipsim *cs)
{
    avr_watchdog_t *p = cs->wdt;
    avr_t *avr = cs->avr;
    avr_cycle_count_t simavrs = p->cycle_count;
    avr_cycle_count_t ours = wdt_period(cs, avr_regbit_get_array(avr, p->wdp, 4));
    p->cycle_count = ours;
    if (ours == simavrs)
        return;
    for (avr_cycle_timer_slot_p t = avr->cycle_timers.timer; t; t = t->next) {
        if (t->param != p || t->when != avr->cycle + simavrs)
            continue;
        if (cs->wdt_timer && t->timer != cs->wdt_timer)
            continue;
        cs->wdt_timer = t->timer;
        avr_cycle_timer_register(avr, ours, t->timer, p);
        break;
    }
}

static void wdtcr_write(struct avr_t *avr, avr_io_addr_t addr, uint8_t v, void *param)
{
    struct chipsim *cs = param;
    cs->wdt_orig(avr, addr, v, cs->wdt_orig_param);
    chipsim_wdt_correct(cs);
}

int chipsim_setup_timing(struct chipsim *cs, char *err, size_t errlen)
{
    const struct chipsim_config *c = &cs->cfg;
    if (c->rc_error_ppm < -500000 || c->rc_error_ppm > 500000 ||
        c->wdt_error_ppm < -500000 || c->wdt_error_ppm > 500000) {
        fw_errf(err, errlen, "chipsim: clock error out of range (rc %d ppm, wdt %d ppm; -500000..500000)",
             c->rc_error_ppm, c->wdt_error_ppm);
        return -1;
    }
    if (c->wakeup_us > 100000u || c->wakeup_ck > 100000u) {
        fw_errf(err, errlen, "chipsim: wake-up of %u us + %u CK is out of range (0..100000 each)",
             c->wakeup_us, c->wakeup_ck);
        return -1;
    }
    cs->hz = (uint32_t)((double)cs->freq * (1.0 + c->rc_error_ppm * 1e-6) + 0.5);
    if (c->wakeup_us || c->wakeup_ck)
        cs->wake_pd_cycles = c->wakeup_ck + WAKE_HALT_CK +
                             (uint32_t)((uint64_t)c->wakeup_us * cs->hz / 1000000u);
    cs->run_orig = cs->avr->run;
    cs->avr->run = chipsim_run_waking;
    if (!c->rc_error_ppm && !c->wdt_error_ppm && !c->wdt_drift_ppm_per_h)
        return 0;                       /* both clocks exact: simavr's watchdog is right */
    for (avr_io_t *io = cs->avr->io_port; io; io = io->next)
        if (io->kind && !strcmp(io->kind, "watchdog"))
            cs->wdt = (avr_watchdog_t *)io;
    if (!cs->wdt) {
        fw_errf(err, errlen, "chipsim: simavr's %s has no watchdog to put a clock error on", cs->mcu);
        return -1;
    }
    avr_io_addr_t a = AVR_DATA_TO_IO(cs->wdt->wdce.reg);
    cs->wdt_orig = cs->avr->io[a].w.c;
    cs->wdt_orig_param = cs->avr->io[a].w.param;
    if (!cs->wdt_orig) {
        fw_errf(err, errlen, "chipsim: simavr's %s watchdog register has no handler", cs->mcu);
        return -1;
    }
    cs->avr->io[a].w.c = wdtcr_write;
    cs->avr->io[a].w.param = cs;
    chipsim_wdt_correct(cs);
    return 0;
}
