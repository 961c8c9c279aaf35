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
#include "extwd/extwd.h"
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
        if (t_last && now - t_last < fw_ms_to_cycles(cs, 1.0)) {
            last = v.since_feed_ms;     /* the rest of a double step, seen mid-pass */
            continue;
        }
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

/* ---- calibration against the host's clock (SPEC 5.15) -------------------------- */

static int rd16(uint8_t reg, uint16_t *v)
{
    uint8_t b[2];
    if (chipsim_i2c_write_read(cs, ADDR, &reg, 1, b, 2) != CHIPSIM_OK)
        return -1;
    *v = (uint16_t)(b[0] | b[1] << 8);
    return 0;
}

/* Does this build have the host's calibration (the ATtiny85's does not fit
 * it: its registers read 0xFF)? */
static int has_host_cal(void)
{
    uint16_t t = 0xFFFF;
    return rd16(EXTWD_REG_CAL_TICK_US, &t) == 0 && t != 0xFFFF;
}

/* Feeding every 100 ms, does what libextwd does in the background, on true
 * time: reads CAL_COUNT every minute and writes CAL_TICK_US when two spans
 * agree. Returns the value written, 0 if none. */
static uint16_t calibrate(int spans)
{
    uint16_t count, start = 0, pending = 0, written = 0;
    uint64_t start_cyc = 0;
    for (int i = 0; i <= spans; i++) {
        if (i)
            feed_for_ms(60000);
        uint64_t at = chipsim_cycles(cs);
        if (rd16(EXTWD_REG_CAL_COUNT, &count))
            return 0;
        if (i) {
            uint32_t span_ms = (uint32_t)(fw_cycles_to_ms(cs, at - start_cyc) + 0.5);
            uint16_t us = extwd_cal_span_us(span_ms, (uint16_t)(count - start));
            if (extwd_cal_agree(pending, us)) {
                written = (uint16_t)(((uint32_t)us + pending + 1u) / 2u);
                uint8_t f[3] = { EXTWD_REG_CAL_TICK_US, (uint8_t)written, (uint8_t)(written >> 8) };
                if (chipsim_i2c_write(cs, ADDR, f, 3) != CHIPSIM_OK)
                    return 0;
            }
            pending = us;
        }
        start = count;
        start_cyc = at;
    }
    return written;
}

/* The reset edge after the last feed's STOP at `phases` phases of the feed
 * against the tick (the chip's pulse and grace are waited out between). */
static void edges(int phases, double *lo, double *hi)
{
    *lo = 1e9;
    *hi = -1e9;
    for (int k = 0; k < phases; k++) {
        reset_fall = 0;
        feed_for_ms(300);
        run_ms(2.3 * k);
        feed();
        uint64_t stop = last_stop();
        uint64_t end = chipsim_cycles(cs) + fw_ms_to_cycles(cs, 2.0 * EXTWD_DEFAULT_TIMEOUT_MS);
        while (!reset_fall && chipsim_cycles(cs) < end)
            run_ms(1);
        double after = reset_fall ? fw_cycles_to_ms(cs, reset_fall - stop) : 1e9;
        if (after < *lo)
            *lo = after;
        if (after > *hi)
            *hi = after;
        run_ms(EXTWD_DEFAULT_GRACE_S * 1000.0 + 500); /* pulse, grace */
    }
}

/* The silicon corners, before and after the host's calibration: the reset
 * edge after the last feed, worst of 8 phases, as % of TIMEOUT_MS. */
static void calibration_at_the_corners(void)
{
    static const int32_t wdt[] = { -160000, 0, 50000 }, rc[] = { -100000, 0, 100000 };
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++) {
            struct chipsim_config c = { .wdt_error_ppm = wdt[i], .rc_error_ppm = rc[j],
                                        .wakeup_us = 60, .wakeup_ck = 6 };
            double b_lo, b_hi, a_lo, a_hi;
            up(&c);
            feed_for_ms(6000);               /* the RC calibration has run */
            edges(8, &b_lo, &b_hi);
            double T = EXTWD_DEFAULT_TIMEOUT_MS;
            if (!has_host_cal()) {
                /* the RC's measure only: the reset edge moves with the RC */
                double want = T / (1.0 + rc[j] * 1e-6);
                CHECK(b_lo >= want - 0.005 * T && b_hi <= want + 50.0, /* a tick and two periods */
                      "wdt %+d rc %+d ppm: edges %.1f..%.1f ms, RC time %.1f", wdt[i], rc[j], b_lo, b_hi, want);
                printf("info: cal %s wdt_pct=%+.0f rc_pct=%+.0f tick_us=none before_pct=%+.2f..%+.2f "
                       "after_pct=none (no host calibration in this build)\n", chipsim_mcu(cs),
                       wdt[i] * 1e-4, rc[j] * 1e-4, (b_lo / T - 1) * 100, (b_hi / T - 1) * 100);
                down();
                continue;
            }
            uint16_t t = calibrate(2);
            uint16_t tick = 0, age = 0;
            REQUIRE(t && rd16(EXTWD_REG_CAL_TICK_US, &tick) == 0 && tick == t,
                    "wdt %+d rc %+d ppm: calibration %u not taken (%u)", wdt[i], rc[j], t, tick);
            double true_us = 16000.0 / (1.0 + wdt[i] * 1e-6);
            CHECK(fabs(tick - true_us) <= true_us * 0.001, "measured %u us, true %.0f", tick, true_us);
            edges(8, &a_lo, &a_hi);
            REQUIRE(rd16(EXTWD_REG_CAL_AGE_S, &age) == 0, "no CAL_AGE_S");
            /* SPEC 5.1 on the host's clock: never early, at most +1 %.
             * Firmware 2.1 decided on whole 16 ms ticks at interrupts
             * 15-19 ms apart and missed both (-0.26 .. +1.06 %); the
             * countdown's end is now timed on the true clock. */
            CHECK(a_lo >= T && a_hi <= T + 0.01 * T,
                  "wdt %+d rc %+d ppm: calibrated edges %.1f..%.1f ms", wdt[i], rc[j], a_lo, a_hi);
            printf("info: cal %s wdt_pct=%+.0f rc_pct=%+.0f tick_us=%u true_us=%.0f "
                   "before_pct=%+.2f..%+.2f after_pct=%+.2f..%+.2f age_s=%u\n",
                   chipsim_mcu(cs), wdt[i] * 1e-4, rc[j] * 1e-4, tick, true_us,
                   (b_lo / T - 1) * 100, (b_hi / T - 1) * 100, (a_lo / T - 1) * 100,
                   (a_hi / T - 1) * 100, age);
            down();
        }
}

/* A calibration taken survives a host reset, is saved by SAVE and comes
 * back after a power cycle; one not saved does not. */
static void calibration_is_saved_on_request(void)
{
    struct chipsim_config c = { .wdt_error_ppm = -160000 };
    uint16_t t, tick = 0;
    up(&c);
    if (!has_host_cal()) {
        printf("  (%s: no host calibration in this build; CAL_TICK_US reads 0xFFFF)\n", chipsim_mcu(cs));
        down();
        return;
    }
    feed_for_ms(6000);
    REQUIRE((t = calibrate(2)) != 0, "no calibration");
    uint8_t test[] = { EXTWD_CMD_TEST_ACTION };
    chipsim_i2c_write(cs, ADDR, test, 1);         /* a host reset */
    run_ms(500);
    REQUIRE(rd16(EXTWD_REG_CAL_TICK_US, &tick) == 0 && tick == t, "lost at a host reset: %u", tick);
    chipsim_power_cycle(cs, 7);
    run_ms(100);
    REQUIRE(rd16(EXTWD_REG_CAL_TICK_US, &tick) == 0 && tick == 0, "unsaved, kept a power cycle: %u", tick);
    feed_for_ms(6000);
    REQUIRE((t = calibrate(2)) != 0, "no calibration");
    uint8_t save[] = { EXTWD_CMD_SAVE };
    chipsim_i2c_write(cs, ADDR, save, 1);
    feed_for_ms(500);
    chipsim_power_cycle(cs, 9);
    run_ms(100);
    uint16_t age = 0;
    REQUIRE(rd16(EXTWD_REG_CAL_TICK_US, &tick) == 0 && rd16(EXTWD_REG_CAL_AGE_S, &age) == 0, "no read");
    CHECK(tick == t && age == 0xFFFE, "after a save and a power cycle: %u us, age %u", tick, age);
    down();
}

/* ---- silicon's wake-up: the bus hold and the power profile -------------------- */

static const struct chipsim_config silicon_wakeup = { .wakeup_us = 60, .wakeup_ck = 6 };

/* Random one-byte reads 0-600 us apart for ms (a timeout reset, its pulse
 * and grace, a save): the worst hold of SCL, wake-up included. */
static void worst_hold_with_wakeup(void)
{
    uint32_t lcg = 12345;
    int bad = 0;
    up(&silicon_wakeup);
    feed();
    uint8_t ptr[] = { EXTWD_CMD_SET_POINTER, EXTWD_REG_STATUS }, save[] = { EXTWD_CMD_SAVE }, b;
    chipsim_i2c_write(cs, ADDR, ptr, 2);
    for (int phase = 0; phase < 2; phase++) {
        uint64_t end = chipsim_cycles(cs) + fw_ms_to_cycles(cs, phase ? 300 : 3500);
        while (chipsim_cycles(cs) < end) {
            bad += chipsim_i2c_read(cs, ADDR, &b, 1) != CHIPSIM_OK;
            lcg = lcg * 1664525u + 1013904223u;
            chipsim_run_us(cs, (lcg >> 16) % 600u);
        }
        if (!phase)
            chipsim_i2c_write(cs, ADDR, save, 1);
    }
    struct chipsim_stats st;
    chipsim_stats(cs, &st);
    CHECK(bad == 0, "%d reads failed", bad);
    CHECK(reset_fall != 0, "no timeout reset under the traffic");
    CHECK(st.max_stretch_us < 200, "worst hold %u us with the wake-up (target < 200, ESP8266 230)",
          st.max_stretch_us);
    printf("info: hold %s worst_hold_us=%u (random reads over a reset and a save, wake-up 60 us + 6 CK)\n",
           chipsim_mcu(cs), st.max_stretch_us);
    down();
}

/* A write to a register high in the map (BREADCRUMB, LONGOP_MS: the
 * library's breadcrumb and long-operation calls) followed by a read 0-300 us
 * after its STOP, with silicon's wake-up: the START of the read waits for
 * the frame's work. The core finds a register's source by walking its
 * runs; from 0x40 on the walk starts at BREADCRUMB's run (firmware 2.1:
 * from 0x00, ~300 cycles more for LONGOP_MS: worst 154 us here on the
 * ATtiny85, 166 on the ATmega328P, and 216 us in the scenario long-fed-run;
 * now 128 and 140). */
static void high_register_write_then_read(void)
{
    up(&silicon_wakeup);
    feed();
    uint8_t crumb[] = { EXTWD_REG_BREADCRUMB, 0 }, longop[] = { EXTWD_REG_LONGOP_MS, 0, 0, 0, 0 }, b;
    int bad = 0;
    for (unsigned gap = 0; gap <= 300; gap += 5) {
        crumb[1] = (uint8_t)gap;
        bad += chipsim_i2c_write(cs, ADDR, (gap & 1u) ? crumb : longop, (gap & 1u) ? 2 : 5) != CHIPSIM_OK;
        chipsim_run_us(cs, gap);
        bad += chipsim_i2c_read(cs, ADDR, &b, 1) != CHIPSIM_OK;
        run_ms(7);
        if (!(gap % 50))
            feed();
    }
    struct chipsim_stats st;
    chipsim_stats(cs, &st);
    CHECK(bad == 0, "%d transactions failed", bad);
    uint32_t limit = strcmp(chipsim_mcu(cs), "attiny85") ? 150 : 140; /* the TWI ISR path is longer */
    CHECK(st.max_stretch_us < limit, "worst hold %u us after a high register's write (want < %u)",
          st.max_stretch_us, limit);
    printf("info: hold %s high_register_write_hold_us=%u\n", chipsim_mcu(cs), st.max_stretch_us);
    down();
}

/* Awake, idle and waking fractions and wake-ups a second, fed every
 * period_ms (0: never, a quiet bus), with silicon's wake-up: the bench turns
 * them into currents. */
static void power_profile(void)
{
    static const int periods[] = { 100, 1000, 0 };
    for (size_t i = 0; i < sizeof periods / sizeof periods[0]; i++) {
        struct chipsim_config c = silicon_wakeup;
        up(&c);
        uint8_t off[] = { EXTWD_REG_ACTION, 0 };
        if (!periods[i])
            chipsim_i2c_write(cs, ADDR, off, 2); /* quiet: nothing to reset for */
        feed();
        if (periods[i])
            feed_for_ms(5000);
        else
            run_ms(5000);
        struct chipsim_stats a, b;
        chipsim_stats(cs, &a);
        /* one whole cycle of the firmware's RC measurement (2048 ticks):
         * the window holds one measurement whatever its phase */
        double span = 2048 * 16;
        for (double t = 0; t < span; t += periods[i] ? periods[i] : span) {
            if (periods[i])
                feed();
            run_ms(periods[i] ? periods[i] : span);
        }
        chipsim_stats(cs, &b);
        double cyc = (double)(b.cycles - a.cycles);
        printf("info: power %s feed_ms=%d awake_pct=%.4f idle_pct=%.4f wakeup_pct=%.4f wakeups_per_s=%.1f\n",
               chipsim_mcu(cs), periods[i], (b.awake_cycles - a.awake_cycles) * 100.0 / cyc,
               (b.idle_cycles - a.idle_cycles) * 100.0 / cyc, (b.wakeup_cycles - a.wakeup_cycles) * 100.0 / cyc,
               (double)(b.wakeups - a.wakeups) * 1000.0 / span);
        CHECK(reset_fall == 0, "a reset while fed every %d ms", periods[i]);
        down();
    }
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
    CASE(calibration_is_saved_on_request);
    CASE(calibration_at_the_corners);
    CASE(worst_hold_with_wakeup);
    CASE(high_register_write_then_read);
    CASE(power_profile);
    return fw_done();
}
