/*
 * chipsim's sleep accounting and sleep-mode checker (chipsim_priv.h): which
 * mode the firmware sleeps in, whether the interrupt that wakes it could
 * wake that mode on silicon, and the wake-up time the CPU stands still.
 *
 * This file links libsimavr (GPL-3): binaries that include it are GPL-3.
 */
#include "chipsim_priv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <simavr/sim_regbit.h>
#include <simavr/sim_interrupts.h>
#include <simavr/sim_cycle_timers.h>

/* ---- sleep ------------------------------------------------------------------------ */

enum { SLEEP_IDLE = 0, SLEEP_ADCNR = 1, SLEEP_PDOWN = 2, SLEEP_PSAVE = 3,
       SLEEP_STANDBY = 6, SLEEP_EXTSTANDBY = 7 };

static const char *mode_name(const struct chipsim *cs, uint8_t m)
{
    if (cs->d->kind == MCU_TINY85) {
        static const char *n[] = { "idle", "ADC noise reduction", "power-down", "reserved mode 3" };
        return n[m & 3];
    }
    static const char *n[] = { "idle", "ADC noise reduction", "power-down", "power-save",
                               "reserved mode 4", "reserved mode 5", "standby", "extended standby" };
    return n[m & 7];
}

static void sleep_error(struct chipsim *cs, const char *fmt, ...)
{
    cs->sleep_errors++;
    if (cs->sleep_error[0])
        return;                         /* keep the first one */
    int n = snprintf(cs->sleep_error, sizeof(cs->sleep_error), "cycle %llu: ",
                     (unsigned long long)cs->avr->cycle);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof(cs->sleep_error))
        vsnprintf(cs->sleep_error + n, sizeof(cs->sleep_error) - (size_t)n, fmt, ap);
    va_end(ap);
}

/* Can vector wake the CPU from sleep mode `mode` on silicon?
 * ATtiny25/45/85 datasheet table 7-1, ATmega328P datasheet table 10-1. */
static int wake_legal(const struct chipsim *cs, uint8_t mode, uint8_t vec)
{
    const uint8_t *d = cs->avr->data;
    if (mode == SLEEP_IDLE)
        return 1;
    if (cs->d->kind == MCU_TINY85) {
        if (mode != SLEEP_ADCNR && mode != SLEEP_PDOWN)
            return 0;
        if (vec == 2 || vec == 12 || vec == 13)   /* PCINT0, WDT, USI_START */
            return 1;
        if (vec == 1)                             /* INT0: level only */
            return (d[cs->d->mcucr] & 0x03u) == 0;
        if (mode == SLEEP_ADCNR)
            return vec == 6 || vec == 8;          /* EE_RDY, ADC */
        return 0;
    }
    if (mode == 4 || mode == 5)
        return 0;
    if (vec >= 3 && vec <= 6)                     /* PCINT0-2, WDT */
        return 1;
    if (vec == 1)
        return (d[M328_EICRA] & 0x03u) == 0;
    if (vec == 2)
        return (d[M328_EICRA] & 0x0Cu) == 0;
    if (vec == 24)                                /* TWI: address match only */
        return cs->twi.addr_phase;
    if (vec >= 7 && vec <= 9)                     /* Timer2, asynchronous only */
        return mode != SLEEP_PDOWN && mode != SLEEP_STANDBY && (d[M328_ASSR] & 0x20u);
    if (mode == SLEEP_ADCNR)
        return vec == 21 || vec == 22 || vec == 25; /* ADC, EE_READY, SPM_READY */
    return 0;
}

static void on_pending(struct avr_irq_t *irq, uint32_t value, void *param)
{
    struct wake_hook *h = param;
    struct chipsim *cs = h->cs;
    avr_t *avr = cs->avr;
    (void)irq;
    if (!value || !cs->asleep || avr->state != cpu_Sleeping)
        return;
    if (!avr_regbit_get(avr, h->vec->enable))
        return;                         /* does not wake the CPU */
    cs->asleep = 0;
    if (cs->sleep_mode == SLEEP_PDOWN)
        cs->wakeups++;
    /* silicon: the oscillator starts (and the BOD, if it was off) before the
     * CPU runs; run_waking holds it until then */
    uint32_t stall = cs->sleep_mode == SLEEP_PDOWN ? cs->wake_pd_cycles
                                                   : (cs->wake_pd_cycles ? WAKE_HALT_CK : 0u);
    if (stall)
        cs->wake_until = avr->cycle + stall;
    if (!wake_legal(cs, cs->sleep_mode, h->vec->vector))
        sleep_error(cs, "woken from %s by vector %u, which cannot wake that mode on silicon",
                    mode_name(cs, cs->sleep_mode), h->vec->vector);
}

void chipsim_on_sleep(avr_t *avr, avr_cycle_count_t how_long)
{
    struct chipsim *cs = avr->custom.data;
    if (!cs->asleep) {
        cs->asleep = 1;
        cs->sleeps++;
        uint8_t r = avr->data[cs->d->smreg];
        int se;
        if (cs->d->kind == MCU_TINY85) {
            se = (r >> 5) & 1;
            cs->sleep_mode = (uint8_t)((r >> 3) & 3);
        } else {
            se = r & 1;
            cs->sleep_mode = (uint8_t)((r >> 1) & 7);
        }
        if (!se)
            sleep_error(cs, "SLEEP with SE = 0: silicon would not sleep");
        else if ((cs->d->kind == MCU_TINY85 && cs->sleep_mode == 3) ||
                 (cs->d->kind == MCU_MEGA328 && (cs->sleep_mode == 4 || cs->sleep_mode == 5)))
            sleep_error(cs, "SLEEP in %s", mode_name(cs, cs->sleep_mode));
    }
    cs->slept += how_long + 1;
    if (cs->sleep_mode == SLEEP_IDLE || cs->sleep_mode == SLEEP_ADCNR)
        cs->slept_idle += how_long + 1;
}

/* Replaces avr->run: while the chip wakes up (wake_until), no instruction
 * runs but the cycle timers do (the bus master, the peripherals), one timer
 * or the end of the wake-up at a time. */
void chipsim_run_waking(avr_t *avr)
{
    struct chipsim *cs = avr->custom.data;
    if (avr->cycle >= cs->wake_until || avr->state != cpu_Running) {
        cs->run_orig(avr);
        return;
    }
    avr_cycle_count_t next = avr_cycle_timer_process(avr);
    if (avr->cycle >= cs->wake_until)
        return;                         /* a timer reset the chip */
    uint64_t left = cs->wake_until - avr->cycle;
    uint64_t step = next && next < left ? next : left;
    avr->cycle += step;
    cs->wake_cycles += step;
}

int chipsim_hook_wakeups(struct chipsim *cs)
{
    avr_int_table_p t = &cs->avr->interrupts;
    cs->wake = calloc(t->vector_count ? t->vector_count : 1, sizeof(*cs->wake));
    if (!cs->wake)
        return -1;
    for (int i = 0; i < t->vector_count; i++) {
        cs->wake[i].cs = cs;
        cs->wake[i].vec = t->vector[i];
        avr_irq_register_notify(t->vector[i]->irq + AVR_INT_IRQ_PENDING, on_pending, &cs->wake[i]);
    }
    cs->nwake = t->vector_count;
    return 0;
}
