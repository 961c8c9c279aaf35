/*
 * Firmware in the loop on modelled silicon timing (sim/README.md, "Silicon
 * timing"): the 8 MHz RC and the watchdog oscillator off by a set amount, a
 * drift, and the wake-up time from power-down. Each case shows the model
 * has its effect on the real ELF, against the same run on perfect clocks.
 * Lines starting "info:" carry measured figures (the benchmark collects them).
 *
 * GPL-3 (links libsimavr through chipsim).
 */
#include <math.h>

#include "fwtest.h"
#include "extwd/protocol.h"

#define ADDR EXTWD_I2C_ADDR_DEFAULT

static struct chipsim *cs;
static uint64_t reset_fall;

static void on_edge(void *ctx, enum chipsim_signal sig, int level, uint64_t cycle)
{
    (void)ctx;
    if (sig == CHIPSIM_SIG_RESET && !level && !reset_fall)
        reset_fall = cycle;
}

static void run_ms(double ms)
{
    chipsim_run_until(cs, chipsim_cycles(cs) + fw_ms_to_cycles(cs, ms));
}

static void up(const struct chipsim_config *cfg)
{
    reset_fall = 0;
    cs = fw_open(cfg);
    chipsim_on_edge(cs, on_edge, NULL);
    run_ms(50);
}

static void down(void)
{
    struct chipsim_stats st;
    chipsim_stats(cs, &st);
    CHECK(st.sleep_mode_errors == 0, "sleep-mode errors: %u (%s)", st.sleep_mode_errors,
          chipsim_sleep_error(cs) ? chipsim_sleep_error(cs) : "");
    chipsim_close(cs);
    cs = NULL;
}

static int feed(void)
{
    uint8_t f = EXTWD_CMD_FEED;
    return chipsim_i2c_write(cs, ADDR, &f, 1);
}

static uint64_t last_stop(void)
{
    struct chipsim_stats st;
    chipsim_stats(cs, &st);
    return st.last_stop_cycle;
}

/* Feeds every 100 ms of true time for ms. */
static void feed_for_ms(double ms)
{
    for (double t = 0; t < ms; t += 100) {
        feed();
        run_ms(100);
    }
}

/* True ms from the last feed's STOP to the reset edge, with the chip fed for
 * settle_ms first (the firmware's RC calibration measures every 256 ticks,
 * from a phase its RAM started with: 6 s covers the first measurement). Returns -1 if no reset came within 2 x the timeout. */
static double reset_after_last_feed(const struct chipsim_config *cfg, double settle_ms, double phase_ms)
{
    up(cfg);
    feed_for_ms(settle_ms);
    run_ms(phase_ms);
    feed();
    uint64_t stop = last_stop();
    uint64_t end = chipsim_cycles(cs) + fw_ms_to_cycles(cs, 2.0 * EXTWD_DEFAULT_TIMEOUT_MS);
    while (!reset_fall && chipsim_cycles(cs) < end)
        run_ms(1);
    double after = reset_fall ? fw_cycles_to_ms(cs, reset_fall - stop) : -1;
    down();
    return after;
}

/* The RC runs fast or slow: the firmware counts time on it, so the reset
 * edge moves by 1/(1 + error) before any calibration against the host. */
static void reset_edge_follows_the_rc(void)
{
    static const int32_t rc_ppm[] = { 0, +100000, -100000 };
    for (size_t i = 0; i < sizeof rc_ppm / sizeof rc_ppm[0]; i++) {
        struct chipsim_config c = { .rc_error_ppm = rc_ppm[i] };
        double after = reset_after_last_feed(&c, 6000, 0);
        double want = EXTWD_DEFAULT_TIMEOUT_MS / (1.0 + rc_ppm[i] * 1e-6);
        REQUIRE(after > 0, "rc %+d ppm: no reset", rc_ppm[i]);
        /* one 16 ms tick of the chip, plus 0.2 % for the WDT calibration's steps */
        CHECK(fabs(after - want) <= 16.0 / (1.0 + rc_ppm[i] * 1e-6) + want * 0.002,
              "rc %+d ppm: reset %.1f ms after the last feed, expected %.1f", rc_ppm[i], after, want);
        printf("info: rc_error_pct=%+.1f reset_after_ms=%.1f error_pct=%+.2f\n", rc_ppm[i] * 1e-4, after, (after / EXTWD_DEFAULT_TIMEOUT_MS - 1.0) * 100.0);
    }
}

/* The mean true time between the core's ticks over ms, taking only the
 * steps of one tick (the firmware's RC calibration adds or drops one now
 * and then): the watchdog oscillator's period. */
static double tick_period_ms(double ms)
{
    struct chipsim_core_view v;
    uint64_t end = chipsim_cycles(cs) + fw_ms_to_cycles(cs, ms), t_last = 0;
    uint32_t last = 0;
    double sum = 0;
    int n = 0;
    if (chipsim_core_view(cs, &v))
        return -1;
    last = v.since_feed_ms;
    while (chipsim_cycles(cs) < end) {
        chipsim_run_us(cs, 100);
        chipsim_core_view(cs, &v);
        if (v.since_feed_ms == last)
            continue;
        uint64_t now = chipsim_cycles(cs);
        if (t_last && v.since_feed_ms == last + 16u) {
            sum += fw_cycles_to_ms(cs, now - t_last);
            n++;
        }
        t_last = now;
        last = v.since_feed_ms;
    }
    return n ? sum / n : -1;
}

/* The watchdog oscillator off by -16 % or +5 %: its ticks are 19.05 ms or
 * 15.24 ms of true time, and the firmware's calibration against the (here
 * exact) RC keeps the chip's count on true time all the same. */
static void wdt_error_moves_the_tick(void)
{
    static const int32_t wdt_ppm[] = { 0, -160000, +50000 };
    for (size_t i = 0; i < sizeof wdt_ppm / sizeof wdt_ppm[0]; i++) {
        struct chipsim_config c = { .wdt_error_ppm = wdt_ppm[i] };
        up(&c);
        feed();
        double period = tick_period_ms(400);
        double want = 16.0 / (1.0 + wdt_ppm[i] * 1e-6);
        CHECK(fabs(period - want) < 0.05, "wdt %+d ppm: tick %.3f ms, expected %.3f", wdt_ppm[i],
              period, want);
        CHECK(chipsim_wdt_error_ppm(cs) == wdt_ppm[i], "wdt error %d ppm", chipsim_wdt_error_ppm(cs));
        down();
        double after = reset_after_last_feed(&c, 6000, 0);
        CHECK(fabs(after - EXTWD_DEFAULT_TIMEOUT_MS) <= 2 * want + 6.0,
              "wdt %+d ppm: reset %.1f ms after the last feed once the RC calibration ran", wdt_ppm[i], after);
        printf("info: wdt_error_pct=%+.1f tick_ms=%.3f reset_after_ms=%.1f\n", wdt_ppm[i] * 1e-4,
               period, after);
    }
}

/* Both clocks perfect in the config give simavr's own timing, cycle for
 * cycle: the reset edge lands on the very same cycle. */
static void perfect_clocks_change_nothing(void)
{
    struct chipsim_config zero = { 0 };
    double a = reset_after_last_feed(NULL, 300, 3.3);
    double b = reset_after_last_feed(&zero, 300, 3.3);
    CHECK(a > 0 && a == b, "reset %.4f ms vs %.4f ms", a, b);
}

/* The drift moves the watchdog's error linearly in true time. */
static void drift_moves_the_wdt_error(void)
{
    struct chipsim_config c = { .wdt_error_ppm = 20000, .wdt_drift_ppm_per_h = 100000 };
    up(&c);
    int32_t e0 = chipsim_wdt_error_ppm(cs);
    feed_for_ms(36000);                 /* 0.01 h: +1000 ppm */
    int32_t e1 = chipsim_wdt_error_ppm(cs);
    CHECK(abs(e0 - 20000) <= 20 && abs(e1 - 21000) <= 20, "wdt error %d then %d ppm", e0, e1);
    down();
}

/* Worst SCL hold of a feed every 100 ms (the CPU in power-down at each
 * START), without and with silicon's wake-up time. */
static uint32_t feed_hold_us(const struct chipsim_config *cfg, uint64_t *wakeups)
{
    up(cfg);
    feed_for_ms(3000);
    struct chipsim_stats st;
    chipsim_stats(cs, &st);
    *wakeups = st.wakeups;
    CHECK(!cfg->wakeup_us || st.wakeup_cycles > 0, "no wake-up cycles counted");
    down();
    return st.max_stretch_us;
}

static void wakeup_time_stretches_the_bus(void)
{
    struct chipsim_config ideal = { 0 }, silicon = { .wakeup_us = 60, .wakeup_ck = 6 };
    uint64_t w0, w1;
    uint32_t h0 = feed_hold_us(&ideal, &w0);
    uint32_t h1 = feed_hold_us(&silicon, &w1);
    CHECK(w0 > 30 && w1 > 30, "wake-ups from power-down: %llu, %llu",
          (unsigned long long)w0, (unsigned long long)w1);
    CHECK(h1 >= h0 + 50, "hold %u us with the wake-up, %u us without", h1, h0);
    CHECK(h1 < 230, "hold %u us: past the ESP8266's 230 us", h1);
    printf("info: feed_hold_us ideal=%u silicon=%u (wake-up 60 us + 6 CK + 4)\n", h0, h1);
}

int main(int argc, char **argv)
{
    fw_main(argc, argv);
    const char *only = argc > 2 ? argv[2] : NULL;
#define CASE(fn) if (!only || !strcmp(only, #fn)) RUN(fn)
    CASE(perfect_clocks_change_nothing);
    CASE(reset_edge_follows_the_rc);
    CASE(wdt_error_moves_the_tick);
    CASE(drift_moves_the_wdt_error);
    CASE(wakeup_time_stretches_the_bus);
    return fw_done();
}
