/*
 * The simulator's watchdog clock (sim/chip/timing.c) against the wdt_probe
 * fixture, which writes WDTCR on every few cycles: with the oscillator's
 * error modelled, every period between two watchdog interrupts is that
 * oscillator's period, whatever cycle of it a write lands on. A write that
 * simavr does not treat as a restart must not restart it here either.
 *
 * GPL-3 (links libsimavr through chipsim).
 */
#include <math.h>

#include "fwtest.h"

static uint16_t ticks(struct chipsim *cs)
{
    uint16_t n = 0;
    chipsim_ram_read(cs, "wdt_ticks", 0, &n, sizeof(n));
    return n;
}

/* The shortest and longest true time between two watchdog interrupts over
 * ms, seen in steps of 20 us. Returns the number of periods seen. */
static int periods(struct chipsim *cs, double ms, double *lo, double *hi)
{
    uint64_t end = chipsim_cycles(cs) + fw_ms_to_cycles(cs, ms), t_last = 0;
    uint16_t last = ticks(cs);
    int n = 0;
    *lo = 1e9;
    *hi = 0;
    while (chipsim_cycles(cs) < end) {
        chipsim_run_us(cs, 20);
        uint16_t now_n = ticks(cs);
        if (now_n == last)
            continue;
        uint64_t now = chipsim_cycles(cs);
        if (t_last && now_n == (uint16_t)(last + 1u)) {
            double p = fw_cycles_to_ms(cs, now - t_last);
            *lo = p < *lo ? p : *lo;
            *hi = p > *hi ? p : *hi;
            n++;
        }
        t_last = now;
        last = now_n;
    }
    return n;
}

/* Slow (-16 %), exact and fast (+5 %) watchdog oscillators: each period is
 * 16 ms / (1 + error), to the 20 us step of the look. */
static void every_period_is_the_oscillators(void)
{
    static const int32_t wdt_ppm[] = { -160000, 0, +50000 };
    for (size_t i = 0; i < sizeof wdt_ppm / sizeof wdt_ppm[0]; i++) {
        struct chipsim_config c = { .wdt_error_ppm = wdt_ppm[i] };
        struct chipsim *cs = fw_open(&c);
        double want = 16.0 / (1.0 + wdt_ppm[i] * 1e-6), lo, hi;
        int n = periods(cs, 3000, &lo, &hi);
        CHECK(n >= 100, "wdt %+d ppm: %d periods seen", wdt_ppm[i], n);
        CHECK(fabs(lo - want) < 0.05 && fabs(hi - want) < 0.05,
              "wdt %+d ppm: periods %.3f .. %.3f ms, expected %.3f", wdt_ppm[i], lo, hi, want);
        printf("info: wdt_error_pct=%+.1f periods=%d min_ms=%.3f max_ms=%.3f\n", wdt_ppm[i] * 1e-4, n,
               lo, hi);
        chipsim_close(cs);
    }
}

int main(int argc, char **argv)
{
    fw_main(argc, argv);
    RUN(every_period_is_the_oscillators);
    return fw_done();
}
