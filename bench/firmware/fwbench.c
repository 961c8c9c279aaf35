/*
 * extwd-fwbench: measures one firmware ELF in the simulator and prints
 * key=value lines for bench/firmware/run.sh:
 *   awake fraction and idle fraction while fed every 100 ms (60 s),
 *   reset-edge error after the last feed (worst of 8 tick phases),
 *   longest clock stretch seen, bus bytes,
 *   simulated seconds per wall second for a chip fed every 100 ms.
 *
 * Usage: extwd-fwbench FIRMWARE.elf [SPEED_SECONDS]
 * GPL-3 (links libsimavr through chipsim).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chipsim.h"
#include "fwtest.h" /* fw_open and the time conversions of the firmware tests */

#define ADDR 0x26

/* A chip on the ELF under test (fw_elf); exits 2 if it cannot be opened. */
static struct chipsim *open_chip(void)
{
    static const struct chipsim_config c = { .ram_seed = 1 };
    return fw_open(&c);
}

static int feed(struct chipsim *cs)
{
    uint8_t f = 0xA5;
    return chipsim_i2c_write(cs, ADDR, &f, 1);
}

/* Feeds every 100 ms on a fixed grid for n feeds. Returns failed feeds. */
static int feed_grid(struct chipsim *cs, int n)
{
    int bad = 0;
    uint64_t t0 = chipsim_cycles(cs);
    for (int i = 0; i < n; i++) {
        bad += feed(cs) != CHIPSIM_OK;
        chipsim_run_until(cs, t0 + fw_ms_to_cycles(cs, 100.0 * (i + 1)));
    }
    return bad;
}

struct falls {
    uint64_t first;
};

static void on_edge(void *ctx, enum chipsim_signal sig, int level, uint64_t cycle)
{
    struct falls *f = ctx;
    if (sig == CHIPSIM_SIG_RESET && !level && !f->first)
        f->first = cycle;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FIRMWARE.elf [SPEED_SECONDS]\n", argv[0]);
        return 2;
    }
    fw_elf = argv[1];
    double speed_s = argc > 2 ? atof(argv[2]) : 600.0;
    if (speed_s <= 0) {
        fprintf(stderr, "%s: bad SPEED_SECONDS '%s'\n", argv[0], argv[2]);
        return 2;
    }

    /* awake fraction at 100 ms feeding */
    struct chipsim *cs = open_chip();
    printf("mcu=%s\n", chipsim_mcu(cs));
    printf("clock_hz=%u\n", chipsim_freq(cs));
    chipsim_run_until(cs, fw_ms_to_cycles(cs, 50));
    feed(cs);
    chipsim_run_until(cs, chipsim_cycles(cs) + fw_ms_to_cycles(cs, 100));
    struct chipsim_stats a, b;
    chipsim_stats(cs, &a);
    int bad = feed_grid(cs, 600);
    chipsim_stats(cs, &b);
    double span = (double)(b.cycles - a.cycles);
    printf("fed_60s_failed_feeds=%d\n", bad);
    printf("awake_fraction_pct=%.4f\n", 100.0 * (double)(b.awake_cycles - a.awake_cycles) / span);
    printf("idle_sleep_fraction_pct=%.4f\n", 100.0 * (double)(b.idle_cycles - a.idle_cycles) / span);
    printf("wakeups_per_s=%.1f\n", (double)(b.sleeps - a.sleeps) / 60.0);
    printf("bus_bytes_per_feed=%.2f\n", (double)(b.bus_bytes - a.bus_bytes) / 600.0);
    printf("max_stretch_us=%u\n", b.max_stretch_us);
    printf("sleep_mode_errors=%u\n", b.sleep_mode_errors);
    chipsim_close(cs);

    /* reset edge after the last feed, at 8 phases against the tick */
    double worst = 0, sum = 0;
    int n = 0;
    for (int k = 0; k < 8; k++) {
        cs = open_chip();
        struct falls f = { 0 };
        chipsim_on_edge(cs, on_edge, &f);
        chipsim_run_until(cs, fw_ms_to_cycles(cs, 50 + 2.0 * k));
        feed_grid(cs, 10);
        feed(cs);
        struct chipsim_stats st;
        chipsim_stats(cs, &st);
        uint64_t stop = st.last_stop_cycle;
        for (int i = 0; i < 5000 && !f.first; i++)
            chipsim_run_until(cs, chipsim_cycles(cs) + fw_ms_to_cycles(cs, 1));
        if (f.first) {
            double err = fw_cycles_to_ms(cs, f.first - stop) - 3000.0;
            sum += err;
            n++;
            if (fabs(err) > fabs(worst))
                worst = err;
        }
        chipsim_close(cs);
    }
    printf("reset_edge_phases=%d\n", n);
    printf("reset_edge_error_worst_ms=%+.2f\n", worst);
    printf("reset_edge_error_mean_ms=%+.2f\n", n ? sum / n : 0.0);

    /* simulation speed for a fed chip */
    cs = open_chip();
    chipsim_run_until(cs, fw_ms_to_cycles(cs, 50));
    double w0 = now_s();
    int feeds = (int)(speed_s * 10.0);
    feed_grid(cs, feeds);
    double wall = now_s() - w0;
    printf("speed_sim_s=%.0f\n", speed_s);
    printf("speed_wall_s=%.3f\n", wall);
    printf("speed_x=%.0f\n", wall > 0 ? speed_s / wall : 0.0);
    chipsim_close(cs);
    return 0;
}
