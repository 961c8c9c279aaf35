/*
 * Firmware in the loop: the built extwd ELF (ATtiny85 or ATmega328P) in
 * simavr, driven over its bus like a host would, checked against SPEC.md.
 * All timing is in simulated cycles. Lines starting "info:" carry measured
 * figures (the benchmark collects them).
 *
 * GPL-3 (links libsimavr through chipsim).
 */
#include <math.h>

#include "fwtest.h"
#include "extwd/protocol.h"

#define ADDR EXTWD_I2C_ADDR_DEFAULT
#define TICK_MS 16.0

static struct chipsim *cs;

/* Edges of the reset and pretimeout outputs. */
#define NEDGE 64
static struct rec {
    uint64_t rf[NEDGE], rr[NEDGE], pf[NEDGE], pr[NEDGE];
    int nrf, nrr, npf, npr;
} rec;

static void on_edge(void *ctx, enum chipsim_signal sig, int level, uint64_t cycle)
{
    struct rec *r = ctx;
    if (sig == CHIPSIM_SIG_RESET) {
        if (!level && r->nrf < NEDGE)
            r->rf[r->nrf++] = cycle;
        if (level && r->nrr < NEDGE)
            r->rr[r->nrr++] = cycle;
    } else if (sig == CHIPSIM_SIG_PRETIMEOUT) {
        if (!level && r->npf < NEDGE)
            r->pf[r->npf++] = cycle;
        if (level && r->npr < NEDGE)
            r->pr[r->npr++] = cycle;
    }
}

static void run_ms(double ms)
{
    chipsim_run_until(cs, chipsim_cycles(cs) + fw_ms_to_cycles(cs, ms));
}

static void up_cfg(const struct chipsim_config *cfg)
{
    memset(&rec, 0, sizeof(rec));
    cs = fw_open(cfg);
    chipsim_on_edge(cs, on_edge, &rec);
    run_ms(50);                         /* boot: core loaded, slave listening */
}

static void up(void) { up_cfg(NULL); }

static void down(void)
{
    struct chipsim_stats st;
    chipsim_stats(cs, &st);
    /* every case also checks the sleep modes and the stretch limit */
    CHECK(st.sleep_mode_errors == 0, "sleep-mode errors: %u (%s)", st.sleep_mode_errors,
          chipsim_sleep_error(cs) ? chipsim_sleep_error(cs) : "");
    CHECK(st.contentions == 0, "a line driven high against a low: %u", st.contentions);
    chipsim_close(cs);
    cs = NULL;
}

static double ms(uint64_t cycles) { return fw_cycles_to_ms(cs, cycles); }

static int wr_(const uint8_t *f, size_t n) { return chipsim_i2c_write(cs, ADDR, f, n); }
#define WR(...) wr_((const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

/* Stock-style read of one register: [0x83, reg], then a one-byte read.
 * Returns the byte, or 0x100 if the bus failed. */
static unsigned rd1(uint8_t reg)
{
    uint8_t f[2] = { EXTWD_CMD_SET_POINTER, reg }, b;
    if (wr_(f, 2) != CHIPSIM_OK || chipsim_i2c_read(cs, ADDR, &b, 1) != CHIPSIM_OK)
        return 0x100u;
    return b;
}

/* A little-endian register of n bytes: [reg], repeated START, n-byte read. */
static int64_t rdle(uint8_t reg, int n)
{
    uint8_t b[4] = { 0 };
    if (chipsim_i2c_write_read(cs, ADDR, &reg, 1, b, (size_t)n) != CHIPSIM_OK)
        return -1;
    int64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | b[i];
    return v;
}

static int feed(void) { return WR(EXTWD_CMD_FEED); }

static uint64_t last_stop(void)
{
    struct chipsim_stats st;
    chipsim_stats(cs, &st);
    return st.last_stop_cycle;
}

/* Feeds every period_ms for n feeds, on a fixed grid. Returns the failures. */
static int feed_for(int n, double period_ms)
{
    int bad = 0;
    uint64_t t0 = chipsim_cycles(cs);
    for (int i = 0; i < n; i++) {
        bad += feed() != CHIPSIM_OK;
        chipsim_run_until(cs, t0 + fw_ms_to_cycles(cs, (i + 1) * period_ms));
    }
    return bad;
}

/* Runs until the reset output has fallen more than n0 times in all, or
 * max_ms pass. Returns the cycle of fall number n0, or 0. */
static uint64_t wait_reset_from(int n0, double max_ms)
{
    uint64_t end = chipsim_cycles(cs) + fw_ms_to_cycles(cs, max_ms);
    while (rec.nrf == n0 && chipsim_cycles(cs) < end)
        run_ms(1);
    return rec.nrf > n0 ? rec.rf[n0] : 0;
}

/* The same, counting from the falls seen so far. */
static uint64_t wait_reset(double max_ms)
{
    return wait_reset_from(rec.nrf, max_ms);
}

/* Waits for the pulse that is running to end, plus a margin. */
static void wait_pulse_end(void)
{
    for (int i = 0; i < 20000 && chipsim_level(cs, CHIPSIM_SIG_RESET) == 0; i++)
        run_ms(1);
    run_ms(20);
}

/* ---- issue 2, "Done when" ------------------------------------------------------ */

static void fed_every_100ms_for_60s(void)
{
    up();
    struct chipsim_stats a, b;
    feed();                             /* ends the power-up grace */
    run_ms(100);
    chipsim_stats(cs, &a);
    int bad = feed_for(600, 100);
    chipsim_stats(cs, &b);
    CHECK(bad == 0, "%d feeds failed", bad);
    CHECK(rec.nrf == 0, "a reset in 60 s of feeding (at %.1f ms)", rec.nrf ? ms(rec.rf[0]) : 0.0);
    double awake = (double)(b.awake_cycles - a.awake_cycles) / (double)(b.cycles - a.cycles);
    CHECK(awake <= 0.01, "awake %.3f %% of the time", awake * 100);
    CHECK(b.max_stretch_us < 230, "stretch %u us", b.max_stretch_us);
    double idle = (double)(b.idle_cycles - a.idle_cycles) / (double)(b.cycles - a.cycles);
    printf("info: %s awake_fraction_pct=%.4f idle_fraction_pct=%.4f max_stretch_us=%u "
           "max_reply_us=%u sleeps_per_s=%.1f\n",
           chipsim_mcu(cs), awake * 100, idle * 100, b.max_stretch_us, b.max_reply_us,
           (double)(b.sleeps - a.sleeps) / 60.0);
    unsigned status = rd1(EXTWD_REG_STATUS);
    CHECK(status == 0, "STATUS %d", status);
    down();
}

/* SPEC 5.1 (firmware 2.1): never early, at most T rounded up to whole
 * ticks plus one tick late; simavr's clocks are exact, so the only slack
 * is 1 ms for the wake-up and the interrupt's own latency. A firmware one
 * tick early or late fails this. */
static int edge_ok(double after, uint32_t t)
{
    uint32_t whole = (t + 15u) / 16u * 16u;
    return after >= (double)t && after <= (double)whole + 16.0 + 1.0;
}

static void reset_3000ms_after_last_feed(void)
{
    double worst = 0;
    /* several phases of the last feed against the 16 ms tick */
    for (int k = 0; k < 6; k++) {
        up();
        feed();
        run_ms(100 + 2.7 * k);
        feed_for(5, 100);
        feed();
        uint64_t stop = last_stop();
        uint64_t fall = wait_reset(5000);
        REQUIRE(fall, "no reset within 5 s of the last feed");
        double after = ms(fall - stop);
        double err = after - EXTWD_DEFAULT_TIMEOUT_MS;
        if (fabs(err) > fabs(worst))
            worst = err;
        CHECK(edge_ok(after, EXTWD_DEFAULT_TIMEOUT_MS), "reset %.2f ms after the last STOP", after);
        down();
    }
    printf("info: reset_edge_error_ms=%+.2f reset_edge_error_pct=%+.3f (worst of 6 phases)\n",
           worst, worst * 100.0 / EXTWD_DEFAULT_TIMEOUT_MS);
}

/* OTGW v1.7.2 as built (sim/app/README.md, host mode stock), byte for byte, one-byte reads only. */
static void stock_host_sequence(void)
{
    up();
    CHECK(WR(EXTWD_REG_ACTION, 0) == CHIPSIM_OK, "disarm");
    run_ms(100);
    CHECK(WR(EXTWD_CMD_SET_POINTER, EXTWD_REG_STATUS) == CHIPSIM_OK, "[0x83, 17]");
    uint8_t st = 0xEE;
    CHECK(chipsim_i2c_read(cs, ADDR, &st, 1) == CHIPSIM_OK, "read");
    CHECK((st & 1) == 0, "fresh chip: no watchdog reset (%02x)", st);
    CHECK(WR(EXTWD_REG_ACTION, 1) == CHIPSIM_OK, "arm");
    CHECK(feed_for(100, 100) == 0, "feeds");
    CHECK(rec.nrf == 0, "reset while fed");
    /* the host hangs */
    uint64_t stop = last_stop();
    uint64_t fall = wait_reset(4000);
    REQUIRE(fall, "no reset after the hang");
    CHECK(edge_ok(ms(fall - stop), 3000), "reset %.1f ms after the last feed", ms(fall - stop));
    wait_pulse_end();
    run_ms(5000);                       /* the host boots */
    CHECK(WR(EXTWD_REG_ACTION, 0) == CHIPSIM_OK, "disarm");
    run_ms(100);
    CHECK(WR(EXTWD_CMD_SET_POINTER, EXTWD_REG_STATUS) == CHIPSIM_OK, "[0x83, 17]");
    CHECK(chipsim_i2c_read(cs, ADDR, &st, 1) == CHIPSIM_OK, "read");
    CHECK(st & 1, "\"Reset by External WD\" expected, STATUS %02x", st);
    CHECK(WR(EXTWD_REG_ACTION, 1) == CHIPSIM_OK, "arm");
    int n = rec.nrf;
    CHECK(feed_for(100, 100) == 0, "feeds");
    CHECK(rec.nrf == n, "reset while fed after the reboot");
    down();
}

/* ---- the rest of SPEC.md, through the bus ---------------------------------------- */

static void status_and_cause_after_timeout(void)
{
    up();
    feed();
    REQUIRE(wait_reset(4000), "no timeout reset");
    wait_pulse_end();
    CHECK((rd1(EXTWD_REG_STATUS) & 1) == 1, "STATUS bit 0");
    CHECK(rd1(EXTWD_REG_LAST_CAUSE) == EXTWD_CAUSE_TIMEOUT, "LAST_CAUSE %d", rd1(EXTWD_REG_LAST_CAUSE));
    CHECK(rd1(EXTWD_REG_RESET_COUNT) == 1, "RESET_COUNT %d", rd1(EXTWD_REG_RESET_COUNT));
    CHECK(rd1(EXTWD_REG_HISTORY_LEN) == 1, "HISTORY_LEN %d", rd1(EXTWD_REG_HISTORY_LEN));
    CHECK(rd1(EXTWD_REG_HISTORY) == EXTWD_CAUSE_TIMEOUT, "history[0].cause %d", rd1(EXTWD_REG_HISTORY));
    CHECK(rdle(EXTWD_REG_RESETS_TOTAL, 2) == 1, "RESETS_TOTAL");
    /* STATUS survives reads; the next feed clears it */
    CHECK((rd1(EXTWD_REG_STATUS) & 1) == 1, "STATUS bit 0 survives a read");
    feed();
    CHECK((rd1(EXTWD_REG_STATUS) & 1) == 0, "a feed clears STATUS bit 0");
    CHECK(rd1(EXTWD_REG_LAST_CAUSE) == EXTWD_CAUSE_TIMEOUT, "LAST_CAUSE stays");
    down();
}

static void reset_pulse_width(void)
{
    up();
    feed();
    REQUIRE(wait_reset(4000), "no reset");
    wait_pulse_end();
    REQUIRE(rec.nrr >= 1, "reset never released");
    double w = ms(rec.rr[0] - rec.rf[0]);
    CHECK(fabs(w - EXTWD_DEFAULT_PULSE_MS) <= TICK_MS + 0.5, "default pulse %.2f ms", w);
    printf("info: %s reset_pulse_ms=%.2f\n", chipsim_mcu(cs), w);
    /* a saved pulse width of 250 ms, tried with the test action */
    feed();
    CHECK(WR(EXTWD_REG_PULSE_MS, 250, 0) == CHIPSIM_OK, "PULSE_MS");
    CHECK(WR(EXTWD_CMD_SAVE) == CHIPSIM_OK, "save");
    run_ms(300);
    int n0 = rec.nrf;
    CHECK(WR(EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM) == CHIPSIM_OK, "0x85");
    REQUIRE(wait_reset_from(n0, 100), "0x85 gave no reset");
    wait_pulse_end();
    REQUIRE(rec.nrr >= 2, "second pulse never released");
    w = ms(rec.rr[1] - rec.rf[1]);
    CHECK(fabs(w - 250) <= TICK_MS + 0.5, "pulse %.2f ms", w);
    CHECK(rd1(EXTWD_REG_LAST_CAUSE) == EXTWD_CAUSE_TEST, "LAST_CAUSE %d", rd1(EXTWD_REG_LAST_CAUSE));
    down();
}

static void grace_at_power_up(void)
{
    up();
    unsigned g = rd1(EXTWD_REG_GRACE_LEFT_S);
    CHECK(g == EXTWD_DEFAULT_GRACE_S, "GRACE_LEFT_S %d at power-up", g);
    CHECK(rd1(EXTWD_REG_EXT_STATUS) & EXTWD_XS_IN_GRACE, "IN_GRACE");
    /* never fed: grace, then the timeout */
    uint64_t fall = wait_reset(30000);
    REQUIRE(fall, "no reset without feeds");
    double t = ms(fall);
    double want = EXTWD_DEFAULT_GRACE_S * 1000.0 + EXTWD_DEFAULT_TIMEOUT_MS;
    CHECK(fabs(t - want) <= 2 * TICK_MS + 50, "reset at %.1f ms, want %.0f", t, want);
    /* grace again after the pulse the chip issued */
    wait_pulse_end();
    uint64_t fall2 = wait_reset(30000);
    REQUIRE(fall2, "no second reset");
    double t2 = ms(fall2 - rec.rr[0]);
    CHECK(fabs(t2 - want) <= 2 * TICK_MS + 10, "second reset %.1f ms after the pulse", t2);
    down();
}

static void reads_past_the_map(void)
{
    up();
    const char *id = EXTWD_PROJECT_ID;
    for (int i = 0; i < 4; i++)
        CHECK(rd1((uint8_t)i) == (unsigned char)id[i], "PROJECT_ID[%d] = %d", i, rd1((uint8_t)i));
    for (unsigned r = 0x13; r <= 0x1F; r++)
        CHECK(rd1((uint8_t)r) == EXTWD_UNMAPPED_READ, "reg 0x%02x = %d", r, rd1((uint8_t)r));
    for (unsigned r = 0x80; r <= 0xFF; r += 0x3F)
        CHECK(rd1((uint8_t)r) == EXTWD_UNMAPPED_READ, "reg 0x%02x = %d", r, rd1((uint8_t)r));
    CHECK(rd1(EXTWD_REG_KEY) == 0, "KEY reads 0");
    CHECK(rd1(EXTWD_REG_TIMEOUT_S) == 3, "TIMEOUT_S");
    CHECK(rd1(EXTWD_REG_PROTO_VERSION) == EXTWD_PROTO_VERSION, "PROTO_VERSION");
    unsigned mcu = rd1(EXTWD_REG_MCU_ID);
    CHECK(mcu == (strcmp(chipsim_mcu(cs), "attiny85") ? EXTWD_MCU_ATMEGA328P : EXTWD_MCU_ATTINY85),
          "MCU_ID %d", mcu);
    /* auto-increment across the end of the map */
    uint8_t p = 0x7E, b[4] = { 0 };
    CHECK(chipsim_i2c_write_read(cs, ADDR, &p, 1, b, 4) == CHIPSIM_OK, "read 4 at 0x7E");
    CHECK(b[2] == 0xFF && b[3] == 0xFF, "past 0x7F: %02x %02x", b[2], b[3]);
    CHECK(rdle(EXTWD_REG_TIMEOUT_MS, 4) == EXTWD_DEFAULT_TIMEOUT_MS, "TIMEOUT_MS multi-byte");
    /* every capability but the PEC, which firmware 2 dropped */
    CHECK(rdle(EXTWD_REG_CAPS, 2) == (0xFFFF & ~EXTWD_CAP_PEC), "CAPS %04llx",
          (long long)rdle(EXTWD_REG_CAPS, 2));
    down();
}

struct snapshot {
    unsigned stock[EXTWD_REG_STOCK_LAST + 1];
    int64_t timeout_ms, since;
    struct chipsim_core_view v;
};

static void snap(struct snapshot *s)
{
    for (unsigned r = EXTWD_REG_TIMEOUT_S; r <= EXTWD_REG_LAST_CAUSE; r++)
        s->stock[r] = r == EXTWD_REG_SINCE_FEED_S || r == EXTWD_REG_GRACE_LEFT_S ? 0 : rd1((uint8_t)r);
    s->timeout_ms = rdle(EXTWD_REG_TIMEOUT_MS, 4);
    chipsim_core_view(cs, &s->v);
}

static void malformed_frames_change_nothing(void)
{
    up();
    feed();
    struct {
        uint8_t f[8];
        size_t n;
        unsigned err;
        int nack;   /* the frame is longer than 6: the 7th byte is NACKed */
    } bad[] = {
        { { 0x30, 1, 2 }, 3, EXTWD_ERR_LENGTH, 0 },
        { { EXTWD_REG_ACTION, 5 }, 2, EXTWD_ERR_RANGE, 0 },
        { { 0x86 }, 1, EXTWD_ERR_UNKNOWN, 0 },
        { { EXTWD_CMD_SET_ADDRESS }, 1, EXTWD_ERR_LENGTH, 0 },
        { { EXTWD_CMD_SET_ADDRESS, 0x03, 0xFC }, 3, EXTWD_ERR_RANGE, 0 },
        { { EXTWD_CMD_SET_ADDRESS, 0x11 }, 2, EXTWD_ERR_LENGTH, 0 },   /* 2.1: [83 11] with bit 0 flipped */
        { { EXTWD_CMD_TEST_ACTION }, 1, EXTWD_ERR_LENGTH, 0 },        /* 2.1: [A5] with bit 5 flipped */
        { { 0x13, 1 }, 2, EXTWD_ERR_UNKNOWN, 0 },
        { { 0x00, 1 }, 2, EXTWD_ERR_READONLY, 0 },    /* a read-only register, any length */
        { { EXTWD_REG_RESET_PIN, 2 }, 2, EXTWD_ERR_READONLY, 0 },
        { { EXTWD_REG_RESET_COUNT, 9 }, 2, EXTWD_ERR_READONLY, 0 },
        { { EXTWD_REG_ACTION, 0, 0x00 }, 3, EXTWD_ERR_LENGTH, 0 }, /* no PEC byte any more */
        { { EXTWD_REG_OPTIONS, EXTWD_OPT_PEC_REQUIRED }, 2, EXTWD_ERR_RANGE, 0 },
        { { EXTWD_REG_TIMEOUT_S, 1, 2, 3, 4, 5, 6 }, 7, EXTWD_ERR_LENGTH, 1 },
    };
    struct snapshot a, b;
    snap(&a);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        unsigned refused0 = rd1(EXTWD_REG_REFUSED_COUNT);
        int r = wr_(bad[i].f, bad[i].n);
        CHECK(r == (bad[i].nack ? CHIPSIM_E_NACK_DATA : CHIPSIM_OK), "frame %zu: bus result %d", i, r);
        run_ms(20);
        CHECK(rd1(EXTWD_REG_LAST_ERROR) == bad[i].err, "frame %zu: LAST_ERROR %d, want %d", i,
              rd1(EXTWD_REG_LAST_ERROR), bad[i].err);
        CHECK(rd1(EXTWD_REG_REFUSED_COUNT) == refused0 + 1, "frame %zu: REFUSED_COUNT", i);
        feed();
    }
    snap(&b);
    for (unsigned r = EXTWD_REG_TIMEOUT_S; r <= EXTWD_REG_LAST_CAUSE; r++)
        CHECK(a.stock[r] == b.stock[r], "register 0x%02x changed: %u -> %u", r, a.stock[r], b.stock[r]);
    CHECK(a.timeout_ms == b.timeout_ms, "TIMEOUT_MS changed");
    CHECK(a.v.armed == b.v.armed && b.v.armed, "armed state changed");
    CHECK(rec.nrf == 0, "a malformed frame caused a reset");
    down();
}

static void eeprom_save_survives_power_cycle(void)
{
    up();
    CHECK(rd1(EXTWD_REG_EXT_STATUS) & EXTWD_XS_DEFAULTS_LOADED, "erased EEPROM: DEFAULTS_LOADED");
    CHECK(WR(EXTWD_REG_TIMEOUT_S, 5) == CHIPSIM_OK, "TIMEOUT_S = 5");
    CHECK(WR(EXTWD_CMD_SAVE) == CHIPSIM_OK, "save");
    run_ms(400);                        /* a slot is 24 bytes of ~3.4 ms */
    CHECK(WR(EXTWD_REG_GRACE_S, 9) == CHIPSIM_OK, "GRACE_S = 9, not saved");
    chipsim_power_cycle(cs, 0xC0FFEEu);
    run_ms(50);
    CHECK(rd1(EXTWD_REG_TIMEOUT_S) == 5, "TIMEOUT_S after power cycle %d", rd1(EXTWD_REG_TIMEOUT_S));
    CHECK(rdle(EXTWD_REG_TIMEOUT_MS, 4) == 5000, "TIMEOUT_MS");
    CHECK(rd1(EXTWD_REG_GRACE_S) == EXTWD_DEFAULT_GRACE_S, "unsaved GRACE_S survived");
    CHECK(!(rd1(EXTWD_REG_EXT_STATUS) & EXTWD_XS_DEFAULTS_LOADED), "DEFAULTS_LOADED after a save");
    CHECK(rd1(EXTWD_REG_CHIP_RESET) == EXTWD_CHIP_PORF, "CHIP_RESET %d", rd1(EXTWD_REG_CHIP_RESET));
    /* and the saved timeout is the one that runs */
    feed();
    uint64_t stop = last_stop();
    uint64_t fall = wait_reset(7000);
    REQUIRE(fall, "no reset");
    CHECK(fabs(ms(fall - stop) - 5000) <= 50, "reset %.1f ms after the feed", ms(fall - stop));
    down();
}

/* A slot image written from the layout in wd_core.h, independently of the
 * firmware's encoder: the 19 settings bytes, then the Fletcher sums (mod
 * 256) seeded with 'E' and the layout version. */
#define SLOT_SIZE 21
static void slot_image(uint8_t *img, uint32_t timeout_ms)
{
    uint8_t *p = img;
    uint16_t w16[] = { EXTWD_DEFAULT_PULSE_MS, EXTWD_DEFAULT_MAX_DISARM_S,
                       EXTWD_DEFAULT_PRETIMEOUT_MS, EXTWD_DEFAULT_WINDOW_MS };
    for (int i = 0; i < 4; i++)
        *p++ = (uint8_t)(timeout_ms >> (8 * i));
    for (int i = 0; i < 4; i++) {
        *p++ = (uint8_t)w16[i];
        *p++ = (uint8_t)(w16[i] >> 8);
    }
    uint8_t b8[] = { EXTWD_DEFAULT_ACTION, EXTWD_DEFAULT_GRACE_S, EXTWD_I2C_ADDR_DEFAULT,
                     EXTWD_DEFAULT_BUSLOAD_PCT, EXTWD_DEFAULT_BOOTLOOP_LIMIT,
                     EXTWD_DEFAULT_HEALTHY_S, EXTWD_DEFAULT_OPTIONS };
    for (size_t i = 0; i < sizeof(b8); i++)
        *p++ = b8[i];
    uint8_t a = EXTWD_SETTINGS_VERSION, b = 'E';
    for (uint8_t *q = img; q < p; q++) {
        a = (uint8_t)(a + *q);
        b = (uint8_t)(b + a);
    }
    *p++ = a;
    *p = b;
}

static void eeprom_image_and_corruption(void)
{
    uint8_t ee[SLOT_SIZE];
    slot_image(ee, 7000);
    struct chipsim_config c = { .eeprom = ee, .eeprom_len = sizeof(ee), .ram_seed = 3 };
    up_cfg(&c);
    CHECK(rdle(EXTWD_REG_TIMEOUT_MS, 4) == 7000, "preloaded slot: TIMEOUT_MS %lld",
          (long long)rdle(EXTWD_REG_TIMEOUT_MS, 4));
    CHECK(!(rd1(EXTWD_REG_EXT_STATUS) & EXTWD_XS_DEFAULTS_LOADED), "valid slot: no DEFAULTS_LOADED");
    /* a save rewrites the slot: exactly the image of the new settings */
    WR(EXTWD_REG_TIMEOUT_S, 4);
    WR(EXTWD_CMD_SAVE);
    run_ms(400);
    uint8_t now[SLOT_SIZE], want[SLOT_SIZE];
    slot_image(want, 4000);
    chipsim_eeprom_read(cs, 0, now, sizeof(now));
    CHECK(!memcmp(now, want, sizeof(want)), "the saved slot differs from the layout");
    /* one flipped bit: the slot is invalid, factory defaults */
    uint8_t b = now[5] ^ 0x10;
    chipsim_eeprom_write(cs, 5, &b, 1);
    chipsim_power_cycle(cs, 99);
    run_ms(50);
    CHECK(rd1(EXTWD_REG_EXT_STATUS) & EXTWD_XS_DEFAULTS_LOADED, "corrupt: DEFAULTS_LOADED");
    CHECK(rd1(EXTWD_REG_TIMEOUT_S) == 3, "corrupt: default timeout, got %d", rd1(EXTWD_REG_TIMEOUT_S));
    /* a slot of an older layout (other check seed) is not taken either */
    slot_image(now, 7000);
    now[SLOT_SIZE - 1] ^= 0x01;
    chipsim_eeprom_write(cs, 0, now, sizeof(now));
    chipsim_power_cycle(cs, 100);
    run_ms(50);
    CHECK(rdle(EXTWD_REG_TIMEOUT_MS, 4) == 3000, "a wrong check must not load");
    /* a valid one again is */
    chipsim_eeprom_write(cs, 0, ee, sizeof(ee));
    chipsim_power_cycle(cs, 101);
    run_ms(50);
    CHECK(rdle(EXTWD_REG_TIMEOUT_MS, 4) == 7000, "valid slot after the corrupt one");
    down();
}

static void factory_pin(void)
{
    up();
    WR(EXTWD_REG_TIMEOUT_S, 5);
    WR(EXTWD_CMD_SAVE);
    run_ms(400);
    /* held for 5 s only: nothing happens */
    chipsim_factory_pin(cs, 1);
    chipsim_power_cycle(cs, 5);
    run_ms(5000);
    chipsim_factory_pin(cs, 0);
    run_ms(6000);
    CHECK(rd1(EXTWD_REG_TIMEOUT_S) == 5, "5 s of factory pin must not reset, TIMEOUT_S %d",
          rd1(EXTWD_REG_TIMEOUT_S));
    /* held for 11 s from power-up: defaults, saved */
    chipsim_factory_pin(cs, 1);
    chipsim_power_cycle(cs, 6);
    run_ms(11000);
    chipsim_factory_pin(cs, 0);
    run_ms(1000);
    CHECK(rd1(EXTWD_REG_TIMEOUT_S) == 3, "after the factory pin TIMEOUT_S %d", rd1(EXTWD_REG_TIMEOUT_S));
    chipsim_power_cycle(cs, 7);
    run_ms(50);
    CHECK(rd1(EXTWD_REG_TIMEOUT_S) == 3, "defaults not saved: TIMEOUT_S %d", rd1(EXTWD_REG_TIMEOUT_S));
    down();
}

static void stuck_line(enum chipsim_signal line)
{
    up();
    feed();
    unsigned be0 = rd1(EXTWD_REG_BUSERR_COUNT), ri0 = rd1(EXTWD_REG_REINIT_COUNT);
    chipsim_hold_low(cs, line, 1);
    CHECK(feed() == CHIPSIM_E_BUS, "a transfer with the line stuck");
    run_ms(1000);
    chipsim_hold_low(cs, line, 0);
    run_ms(20);
    CHECK(feed() == CHIPSIM_OK, "the chip answers again");
    CHECK(rd1(EXTWD_REG_BUSERR_COUNT) > be0, "BUSERR_COUNT %d", rd1(EXTWD_REG_BUSERR_COUNT));
    CHECK(rd1(EXTWD_REG_REINIT_COUNT) > ri0, "REINIT_COUNT %d", rd1(EXTWD_REG_REINIT_COUNT));
    down();
}

/* BUSERR_COUNT straight from the chip's RAM, while the bus cannot be used:
 * struct wd_persist is check (2 bytes), RESET_COUNT, REINIT_COUNT,
 * BUSERR_COUNT (register order, checked against the bus below). */
static unsigned buserr_ram(void)
{
    uint8_t v = 0xEE;
    chipsim_ram_read(cs, "g_wd_persist", 4, &v, 1);
    return v;
}

/* Holds a line low until BUSERR_COUNT moves or max_ms pass; returns the ms
 * it took, or -1. The line stays held. */
static double hold_until_trip(enum chipsim_signal line, double max_ms)
{
    unsigned be0 = buserr_ram();
    uint64_t t0 = chipsim_cycles(cs);
    chipsim_hold_low(cs, line, 1);
    while (ms(chipsim_cycles(cs) - t0) < max_ms) {
        chipsim_run_us(cs, 250);
        if (buserr_ram() != be0)
            return ms(chipsim_cycles(cs) - t0);
    }
    return -1;
}

/* SPEC 5.10 timing and threshold on the real port: a line held low by
 * another device is stuck from the second tick after it fell (the first saw
 * it move), so at BUSLOAD_PCT = 50 the 9th stuck sample trips it, 144-160 ms
 * after the hold began; up to 192 ms on the ATtiny85 for SDA, whose fall is a
 * START: the USI then waits for an address and the port's ticks come in
 * pairs, one tick late. A hold of 100 ms (at most 7 samples) is not
 * counted. BUSLOAD_PCT = 100 never trips; 1 trips at the first stuck
 * sample, within 4 ticks. */
static void stuck_line_threshold(void)
{
    static const enum chipsim_signal lines[] = { CHIPSIM_SIG_SDA, CHIPSIM_SIG_SCL };
    up();
    feed();
    CHECK(buserr_ram() == rd1(EXTWD_REG_BUSERR_COUNT), "g_wd_persist layout: BUSERR at offset 4");
    for (int l = 0; l < 2; l++) {
        const char *name = l ? "SCL" : "SDA";
        unsigned be0 = rd1(EXTWD_REG_BUSERR_COUNT);
        chipsim_hold_low(cs, lines[l], 1);
        run_ms(100);
        chipsim_hold_low(cs, lines[l], 0);
        run_ms(300);
        CHECK(feed() == CHIPSIM_OK, "%s: feed after a 100 ms hold", name);
        CHECK(rd1(EXTWD_REG_BUSERR_COUNT) == be0, "%s: a 100 ms hold counted", name);

        double t = hold_until_trip(lines[l], 1000);
        CHECK(t >= 140 && t <= 200, "%s: tripped %.1f ms after the hold began", name, t);
        printf("info: %s stuck_%s_trip_ms=%.1f\n", chipsim_mcu(cs), name, t);
        chipsim_hold_low(cs, lines[l], 0);
        run_ms(20);
        CHECK(feed() == CHIPSIM_OK, "%s: the chip answers after the release", name);
        CHECK(rd1(EXTWD_REG_BUSERR_COUNT) == be0 + 1, "%s: BUSERR_COUNT %u, want %u", name,
              rd1(EXTWD_REG_BUSERR_COUNT), be0 + 1);

        CHECK(WR(EXTWD_REG_BUSLOAD_PCT, 100) == CHIPSIM_OK, "BUSLOAD_PCT = 100");
        CHECK(hold_until_trip(lines[l], 1000) < 0, "%s: BUSLOAD_PCT = 100 tripped", name);
        chipsim_hold_low(cs, lines[l], 0);
        run_ms(20);
        CHECK(WR(EXTWD_REG_BUSLOAD_PCT, 1) == CHIPSIM_OK, "BUSLOAD_PCT = 1");
        run_ms(300);                    /* a fresh window */
        t = hold_until_trip(lines[l], 1000);
        CHECK(t > 0 && t <= 4 * TICK_MS + 4, "%s: BUSLOAD_PCT = 1 tripped after %.1f ms", name, t);
        chipsim_hold_low(cs, lines[l], 0);
        run_ms(20);
        CHECK(WR(EXTWD_REG_BUSLOAD_PCT, EXTWD_DEFAULT_BUSLOAD_PCT) == CHIPSIM_OK, "BUSLOAD_PCT = 50");
        run_ms(300);
    }
    CHECK(feed() == CHIPSIM_OK, "feed at the end");
    down();
}

static void stuck_sda_recovers(void) { stuck_line(CHIPSIM_SIG_SDA); }
static void stuck_scl_recovers(void) { stuck_line(CHIPSIM_SIG_SCL); }

/* A master reset in the middle of a read leaves the chip driving SDA; the
 * chip must find the bus stuck and let go by itself. */
static void master_dies_mid_read(void)
{
    up();
    feed();
    WR(EXTWD_CMD_SET_POINTER, EXTWD_REG_CAPS + 1); /* 0x00: the chip drives SDA low */
    CHECK(chipsim_i2c_read_abort(cs, ADDR, 3) == CHIPSIM_OK, "read abort");
    run_ms(1000);
    CHECK(chipsim_level(cs, CHIPSIM_SIG_SDA) == 1, "SDA still held after 1 s");
    CHECK(chipsim_level(cs, CHIPSIM_SIG_SCL) == 1, "SCL held after 1 s");
    CHECK(feed() == CHIPSIM_OK, "feed after recovery");
    down();
}

static void master_dies_mid_write(void)
{
    up();
    feed();
    uint8_t f[] = { EXTWD_REG_ACTION, 0 };
    CHECK(chipsim_i2c_write_abort(cs, ADDR, f, 2, 12) == CHIPSIM_OK, "write abort");
    run_ms(100);
    CHECK(feed() == CHIPSIM_OK, "the next transaction works");
    struct chipsim_core_view v;
    CHECK(chipsim_core_view(cs, &v) == 0 && v.armed, "an aborted disarm frame must not apply");
    down();
}

static void history_across_brownout(void)
{
    up();
    feed();
    REQUIRE(wait_reset(4000), "no reset");
    wait_pulse_end();
    CHECK(rd1(EXTWD_REG_RESET_COUNT) == 1, "RESET_COUNT");
    chipsim_brownout(cs);
    run_ms(50);
    CHECK(rd1(EXTWD_REG_RESET_COUNT) == 1, "RESET_COUNT after brown-out %d", rd1(EXTWD_REG_RESET_COUNT));
    CHECK(rd1(EXTWD_REG_HISTORY_LEN) == 1, "HISTORY_LEN after brown-out");
    CHECK((rd1(EXTWD_REG_STATUS) & 1) == 1, "STATUS after brown-out");
    CHECK(rd1(EXTWD_REG_EXT_STATUS) & EXTWD_XS_CHIP_RESTARTED, "CHIP_RESTARTED");
    CHECK(rd1(EXTWD_REG_CHIP_RESET) & EXTWD_CHIP_BORF, "CHIP_RESET %02x", rd1(EXTWD_REG_CHIP_RESET));
    chipsim_power_cycle(cs, 0x5EED);
    run_ms(50);
    CHECK(rd1(EXTWD_REG_RESET_COUNT) == 0, "RESET_COUNT after power cycle %d", rd1(EXTWD_REG_RESET_COUNT));
    CHECK(rd1(EXTWD_REG_HISTORY_LEN) == 0, "HISTORY_LEN after power cycle");
    CHECK(!(rd1(EXTWD_REG_EXT_STATUS) & EXTWD_XS_CHIP_RESTARTED), "CHIP_RESTARTED after power-on");
    struct chipsim_stats st;
    chipsim_stats(cs, &st);
    CHECK(st.chip_resets == 2, "chip resets %u (the chip's own watchdog fired?)", st.chip_resets);
    down();
}

/* SPEC 5.14: the chip's own watchdog restarts a firmware whose main loop
 * hangs (interrupts still served), and the restart keeps the history. */
static void hung_firmware_restarts_itself(void)
{
    up();
    feed();
    REQUIRE(wait_reset(4000), "no host reset");
    wait_pulse_end();
    struct chipsim_stats st;
    chipsim_stats(cs, &st);
    uint32_t resets0 = st.chip_resets;
    REQUIRE(chipsim_hang_main_loop(cs) == 0, "could not hang the main loop");
    uint64_t t0 = chipsim_cycles(cs);
    uint64_t limit = t0 + fw_ms_to_cycles(cs, 100);
    do {
        run_ms(1);
        chipsim_stats(cs, &st);
    } while (st.chip_resets == resets0 && chipsim_cycles(cs) < limit);
    double after = ms(chipsim_cycles(cs) - t0);
    CHECK(st.chip_resets > resets0, "the chip did not restart within 100 ms of the hang");
    /* interrupt-and-reset mode at 16 ms: the first time-out is the interrupt,
     * the second the reset */
    CHECK(after <= 48.0, "restart %.1f ms after the hang", after);
    printf("info: %s self_watchdog_restart_ms=%.1f\n", chipsim_mcu(cs), after);
    chipsim_unhang(cs);
    run_ms(50);
    CHECK(rd1(EXTWD_REG_CHIP_RESET) & EXTWD_CHIP_WDRF, "CHIP_RESET %02x", rd1(EXTWD_REG_CHIP_RESET));
    CHECK(rd1(EXTWD_REG_EXT_STATUS) & EXTWD_XS_CHIP_RESTARTED, "CHIP_RESTARTED");
    CHECK(rd1(EXTWD_REG_RESET_COUNT) == 1, "RESET_COUNT kept: %d", rd1(EXTWD_REG_RESET_COUNT));
    CHECK(rd1(EXTWD_REG_HISTORY_LEN) == 1, "HISTORY_LEN kept");
    CHECK(chipsim_level(cs, CHIPSIM_SIG_RESET) == 1, "host reset line released");
    CHECK(feed() == CHIPSIM_OK, "the restarted chip answers");
    down();
}

static void bounded_disarm(void)
{
    up();
    feed();
    CHECK(WR(EXTWD_REG_MAX_DISARM_S, 5, 0) == CHIPSIM_OK, "MAX_DISARM_S = 5");
    CHECK(WR(EXTWD_REG_ACTION, 0) == CHIPSIM_OK, "disarm");
    uint64_t t = last_stop();
    int64_t left = rdle(EXTWD_REG_DISARM_LEFT_S, 2);
    CHECK(left >= 4 && left <= 5, "DISARM_LEFT_S %lld", (long long)left);
    /* the host hangs while disarmed */
    uint64_t fall = wait_reset(8000);
    REQUIRE(fall, "a hang while disarmed never recovered");
    double after = ms(fall - t);
    CHECK(after >= 4000 && after <= 6100, "re-armed and reset %.0f ms after the disarm", after);
    wait_pulse_end();
    CHECK(rd1(EXTWD_REG_EXT_STATUS) & EXTWD_XS_AUTO_REARMED, "AUTO_REARMED");
    down();

    up();                               /* 0 = a disarm lasts (stock behaviour) */
    feed();
    WR(EXTWD_REG_MAX_DISARM_S, 0, 0);
    WR(EXTWD_REG_ACTION, 0);
    CHECK(!wait_reset(20000), "MAX_DISARM_S = 0 must never re-arm");
    down();
}

static void pretimeout_pin(void)
{
    up();
    feed();
    CHECK(WR(EXTWD_REG_PRETIMEOUT_MS, 0xF4, 0x01) == CHIPSIM_OK, "PRETIMEOUT_MS = 500");
    CHECK(WR(EXTWD_REG_OPTIONS, EXTWD_OPT_PRETIMEOUT_PIN) == CHIPSIM_OK, "OPTIONS pin");
    /* a feed during the warning releases the pin */
    feed();
    run_ms(2700);
    CHECK(chipsim_level(cs, CHIPSIM_SIG_PRETIMEOUT) == 0, "pin low 2.7 s after a feed");
    CHECK(rd1(EXTWD_REG_EXT_STATUS) & EXTWD_XS_PRETIMEOUT, "PRETIMEOUT bit");
    feed();
    run_ms(20);
    CHECK(rec.npr == 1 && chipsim_level(cs, CHIPSIM_SIG_PRETIMEOUT) == 1, "a feed releases the pin");
    CHECK(!(rd1(EXTWD_REG_EXT_STATUS) & EXTWD_XS_PRETIMEOUT), "a feed clears the PRETIMEOUT bit");
    memset(&rec, 0, sizeof(rec));
    feed();
    uint64_t stop = last_stop();
    uint64_t fall = wait_reset(4000);
    REQUIRE(fall && rec.npf >= 1, "no pretimeout edge");
    double pre = ms(rec.pf[0] - stop);
    double lead = ms(fall - rec.pf[0]);
    CHECK(lead >= 500 - 16 && lead <= 500 + 1, "pretimeout pin fell %.1f ms before the reset", lead);
    CHECK(rec.pf[0] < fall, "pretimeout before the reset");
    printf("info: %s pretimeout_pin_ms=%.2f\n", chipsim_mcu(cs), pre);
    wait_pulse_end();
    CHECK(chipsim_level(cs, CHIPSIM_SIG_PRETIMEOUT) == 1, "pin released after the reset");
    down();
}

static void address_change(void)
{
    up();
    feed();
    CHECK(WR(EXTWD_CMD_SET_ADDRESS, 0x30, 0xCF) == CHIPSIM_OK, "0x82 0x30 0xCF");
    run_ms(20);
    uint8_t b;
    CHECK(chipsim_i2c_read(cs, ADDR, &b, 1) == CHIPSIM_E_NACK_ADDR, "0x26 must be gone");
    uint8_t fd = EXTWD_CMD_FEED;
    CHECK(chipsim_i2c_write(cs, 0x30, &fd, 1) == CHIPSIM_OK, "feed at 0x30");
    CHECK(chipsim_i2c_read(cs, 0x30, &b, 1) == CHIPSIM_OK, "read at 0x30");
    chipsim_power_cycle(cs, 11);        /* not saved: back at 0x26 */
    run_ms(50);
    CHECK(feed() == CHIPSIM_OK, "0x26 after a power cycle");
    WR(EXTWD_CMD_SET_ADDRESS, 0x31, 0xCE);
    uint8_t save = EXTWD_CMD_SAVE;
    CHECK(chipsim_i2c_write(cs, 0x31, &save, 1) == CHIPSIM_OK, "save at 0x31");
    run_ms(400);
    chipsim_power_cycle(cs, 12);
    run_ms(50);
    CHECK(chipsim_i2c_write(cs, 0x31, &fd, 1) == CHIPSIM_OK, "0x31 saved");
    CHECK(chipsim_i2c_write(cs, ADDR, &fd, 1) == CHIPSIM_E_NACK_ADDR, "0x26 after saving 0x31");
    down();
}

static void test_action_and_disarmed(void)
{
    up();
    feed();
    WR(EXTWD_REG_ACTION, 0);
    CHECK(WR(EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM) == CHIPSIM_OK, "0x85");
    run_ms(50);
    CHECK(rec.nrf == 0, "0x85 disarmed must not reset");
    CHECK(rd1(EXTWD_REG_LAST_ERROR) == EXTWD_ERR_DISARMED, "LAST_ERROR %d", rd1(EXTWD_REG_LAST_ERROR));
    WR(EXTWD_REG_ACTION, 1);
    feed();
    int n0 = rec.nrf;
    CHECK(WR(EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM) == CHIPSIM_OK, "0x85");
    uint64_t stop = last_stop();
    uint64_t fall = wait_reset_from(n0, 100);
    REQUIRE(fall, "0x85 armed must reset");
    CHECK(ms(fall - stop) <= TICK_MS + 1, "0x85 reset %.1f ms after the STOP", ms(fall - stop));
    wait_pulse_end();
    CHECK(feed() == CHIPSIM_OK && rd1(EXTWD_REG_LAST_CAUSE) == EXTWD_CAUSE_TEST, "cause 2");
    down();
}

static void core_view_agrees(void)
{
    up();
    struct chipsim_core_view v;
    REQUIRE(chipsim_core_view(cs, &v) == 0, "no g_wd in the ELF, or its layout differs");
    CHECK(v.armed && v.in_grace && !v.in_pulse, "boot: armed %u grace %u pulse %u", v.armed,
          v.in_grace, v.in_pulse);
    CHECK(v.timeout_ms == EXTWD_DEFAULT_TIMEOUT_MS, "timeout %u", v.timeout_ms);
    feed();
    run_ms(1000);
    chipsim_core_view(cs, &v);
    CHECK(!v.in_grace, "a feed ends grace");
    CHECK(v.since_feed_ms >= 980 && v.since_feed_ms <= 1020, "since_feed %u after 1 s", v.since_feed_ms);
    int64_t bus = rdle(EXTWD_REG_SINCE_FEED_MS, 4);
    CHECK(bus >= v.since_feed_ms && bus <= v.since_feed_ms + 32, "bus %lld vs RAM %u", (long long)bus,
          v.since_feed_ms);
    down();
}

/* Bursts of transactions back to back, no gap between them: every frame
 * must land. The bursts are short and apart, so the bus is busy but not
 * saturated (SPEC 5.10 lets a saturated bus trip the bus-health check). */
static void back_to_back(void)
{
    up();
    feed();
    int bad = 0;
    for (int burst = 0; burst < 10; burst++) {
        for (int k = 0; k < 10; k++) {
            int i = burst * 10 + k;
            uint8_t f[2] = { EXTWD_REG_BREADCRUMB, (uint8_t)i }, p = EXTWD_REG_BREADCRUMB, r = 0;
            int a = chipsim_i2c_write(cs, ADDR, f, 2);
            int b = chipsim_i2c_write_read(cs, ADDR, &p, 1, &r, 1);
            if (a || b || r != (uint8_t)i) {
                bad++;
                printf("  transaction %d at %.3f ms: write %d, write-read %d, read %u\n", i,
                       ms(chipsim_cycles(cs)), a, b, r);
            }
        }
        bad += feed() != CHIPSIM_OK;
        run_ms(300);
    }
    CHECK(bad == 0, "%d failures", bad);
    CHECK(rec.nrf == 0, "reset");
    CHECK(rd1(EXTWD_REG_BUSERR_COUNT) == 0, "bus-health tripped by bursts");
    down();
}

static uint32_t lcg; /* the tests' random numbers */

/* The chip's SINCE_FEED_MS from its RAM, no bus traffic. */
static uint32_t since_feed_ram(void)
{
    struct chipsim_core_view v;
    return chipsim_core_view(cs, &v) ? 0 : v.since_feed_ms;
}

/* One run of dense_traffic_never_trips at bus clock hz for run_ms. */
static void dense_traffic_at(uint32_t hz, double run_ms_total)
{
    uint8_t img[15] = { /* shadow of the settings 0x30-0x3E */
        EXTWD_DEFAULT_TIMEOUT_MS & 0xFF, EXTWD_DEFAULT_TIMEOUT_MS >> 8, 0, 0,
        EXTWD_DEFAULT_PULSE_MS, 0,
        EXTWD_DEFAULT_MAX_DISARM_S & 0xFF, EXTWD_DEFAULT_MAX_DISARM_S >> 8,
        0, 0, 0, 0,
        EXTWD_DEFAULT_BOOTLOOP_LIMIT, EXTWD_DEFAULT_HEALTHY_S, EXTWD_DEFAULT_OPTIONS,
    };
    int reads = 0, writes = 0, bad = 0, failed = 0, across = 0;
    struct chipsim_config c = { .i2c_hz = hz };
    up_cfg(&c);
    feed();
    uint64_t end = chipsim_cycles(cs) + fw_ms_to_cycles(cs, run_ms_total);
    while (chipsim_cycles(cs) < end) {
        lcg = lcg * 1664525u + 1013904223u;
        unsigned r = lcg >> 8, op = r % 8u;
        uint32_t t0 = since_feed_ram();
        int rc;
        if (op < 5) {                   /* a 15-byte read */
            uint8_t p = EXTWD_REG_TIMEOUT_MS, b[15];
            memset(b, 0x5A, sizeof(b));
            if (op < 3) {
                rc = chipsim_i2c_write_read(cs, ADDR, &p, 1, b, sizeof(b));
            } else {                    /* stock style: pointer, STOP, read */
                rc = WR(EXTWD_CMD_SET_POINTER, EXTWD_REG_TIMEOUT_MS);
                if (rc == CHIPSIM_OK)
                    rc = chipsim_i2c_read(cs, ADDR, b, sizeof(b));
            }
            reads++;
            if ((rc != CHIPSIM_OK || memcmp(b, img, sizeof(img))) && bad++ < 3) {
                printf("  read %d at %.3f ms: rc %d, got", reads, ms(chipsim_cycles(cs)), rc);
                for (size_t i = 0; i < sizeof(b); i++)
                    printf(" %02x", b[i]);
                printf("\n");
            }
        } else if (op < 7) {            /* a settings write, 2-5 bytes */
            uint8_t f[5];
            size_t n;
            switch ((r >> 4) % 4u) {
            case 0: {                   /* TIMEOUT_MS 2000-10000: never expires here */
                uint32_t t = 2000u + (r >> 8) % 8001u;
                f[0] = EXTWD_REG_TIMEOUT_MS;
                for (int i = 0; i < 4; i++)
                    f[1 + i] = img[i] = (uint8_t)(t >> (8 * i));
                n = 5;
                break;
            }
            case 1: {                   /* PULSE_MS 1-1000 */
                uint16_t v = (uint16_t)(1u + (r >> 8) % 1000u);
                f[0] = EXTWD_REG_PULSE_MS;
                f[1] = img[4] = (uint8_t)v;
                f[2] = img[5] = (uint8_t)(v >> 8);
                n = 3;
                break;
            }
            case 2:                     /* MAX_DISARM_S, any */
                f[0] = EXTWD_REG_MAX_DISARM_S;
                f[1] = img[6] = (uint8_t)(r >> 8);
                f[2] = img[7] = (uint8_t)(r >> 16);
                n = 3;
                break;
            default:                    /* HEALTHY_S 1-255 */
                f[0] = EXTWD_REG_HEALTHY_S;
                f[1] = img[13] = (uint8_t)(1u + (r >> 8) % 255u);
                n = 2;
                break;
            }
            rc = wr_(f, n);
            writes++;
        } else {
            rc = feed();
        }
        if (rc != CHIPSIM_OK && failed++ < 3)
            printf("  transaction at %.3f ms: %d\n", ms(chipsim_cycles(cs)), rc);
        /* 0-3 ms of quiet; a tick that came during the transaction has
         * been served 100 us after its STOP */
        unsigned gap = (lcg >> 4) % 3001u, settle = gap < 100u ? gap : 100u;
        chipsim_run_us(cs, settle);
        if (op < 7 && since_feed_ram() != t0)
            across++;
        chipsim_run_us(cs, gap - settle);
    }
    unsigned reinit = rd1(EXTWD_REG_REINIT_COUNT), buserr = rd1(EXTWD_REG_BUSERR_COUNT);
    printf("info: %s dense_traffic_%ukhz reads=%d writes=%d across_ticks=%d bad_reads=%d "
           "failed=%d reinit=%u buserr=%u\n",
           chipsim_mcu(cs), hz / 1000u, reads, writes, across, bad, failed, reinit, buserr);
    CHECK(reads > 500 && across > 100, "only %d reads, %d across a tick", reads, across);
    CHECK(bad == 0, "%d of %d 15-byte reads wrong (%u kHz)", bad, reads, hz / 1000u);
    CHECK(failed == 0, "%d transactions failed (%u kHz)", failed, hz / 1000u);
    CHECK(rec.nrf == 0, "a host reset under healthy traffic");
    CHECK(reinit == 0, "REINIT_COUNT %u (%u kHz)", reinit, hz / 1000u);
    CHECK(buserr == 0, "BUSERR_COUNT %u (%u kHz)", buserr, hz / 1000u);
    down();
}

/* SPEC 5.10: dense healthy traffic never trips the bus-health check. 15-byte
 * reads of the settings 0x30-0x3E (as a write-read, or stock style after
 * [0x83, 0x30]), settings writes of 2-5 bytes and feeds, 0-3 ms apart, for
 * 5 simulated seconds at 50 kHz and at 100 kHz: the bus is busy about half
 * the time and about a third of the transactions see a tick come and wait
 * for their end. Every read must match a shadow of the settings exactly,
 * and nothing may be re-initialised. Firmware 2.0 counted every tick that
 * saw a line low; its ticks wait for the end of a transaction, where the
 * STOP often holds SDA low, so at 50 kHz it reset its slave ~4 times a
 * second, sometimes in the middle of a transaction. */
static void dense_traffic_never_trips(void)
{
    lcg = 4242;
    dense_traffic_at(50000, 5000);
    dense_traffic_at(100000, 5000);
}

/* ---- another master on a shared bus, through the fault pulls ------------------
 * It talks to a device at 0x50 at about 40 kHz, as a bit-banged master that
 * waits for SCL to rise (our chip stretches the address byte). On the
 * ATmega328P these are the only pin levels simavr's TWI lets the firmware
 * see, so this is where its bus-health sampling meets traffic. */
static void foreign_half(void) { chipsim_run_us(cs, 10); }

static void foreign_bit(int sda_low)
{
    chipsim_hold_low(cs, CHIPSIM_SIG_SDA, sda_low);
    foreign_half();
    chipsim_hold_low(cs, CHIPSIM_SIG_SCL, 0);
    for (int i = 0; i < 500 && !chipsim_level(cs, CHIPSIM_SIG_SCL); i++)
        chipsim_run_us(cs, 1);
    foreign_half();
    chipsim_hold_low(cs, CHIPSIM_SIG_SCL, 1);
}

static void foreign_transaction(int nbytes)
{
    chipsim_hold_low(cs, CHIPSIM_SIG_SDA, 1); /* START */
    foreign_half();
    chipsim_hold_low(cs, CHIPSIM_SIG_SCL, 1);
    for (int k = 0; k <= nbytes; k++) {
        lcg = lcg * 1664525u + 1013904223u;
        uint8_t b = k ? (uint8_t)(lcg >> 24) : 0x50u << 1;
        for (int i = 7; i >= 0; i--)
            foreign_bit(!((b >> i) & 1u));
        foreign_bit(1);                 /* the device's ACK */
    }
    chipsim_hold_low(cs, CHIPSIM_SIG_SDA, 1); /* STOP */
    foreign_half();
    chipsim_hold_low(cs, CHIPSIM_SIG_SCL, 0);
    foreign_half();
    chipsim_hold_low(cs, CHIPSIM_SIG_SDA, 0);
}

/* SPEC 5.10: traffic between other devices is healthy too, however long its
 * transactions. Back-to-back transactions of 2-60 ms to 0x50 (lines low at
 * about two thirds of the ticks), with a 15-byte read of our own now and
 * then, for 4 simulated seconds: every read exact, nothing re-initialised. */
static void shared_bus_traffic_never_trips(void)
{
    int reads = 0, bad = 0;
    up();
    feed();
    lcg = 99;
    uint64_t end = chipsim_cycles(cs) + fw_ms_to_cycles(cs, 4000);
    while (chipsim_cycles(cs) < end) {
        lcg = lcg * 1664525u + 1013904223u;
        foreign_transaction(10 + (int)((lcg >> 8) % 300u));
        chipsim_run_us(cs, (lcg >> 4) % 3001u);
        if ((lcg >> 20) % 3u)
            continue;
        uint8_t p = EXTWD_REG_TIMEOUT_MS, b[15];
        int rc = chipsim_i2c_write_read(cs, ADDR, &p, 1, b, sizeof(b));
        reads++;
        if (rc != CHIPSIM_OK || b[0] != (EXTWD_DEFAULT_TIMEOUT_MS & 0xFF) ||
            b[13] != EXTWD_DEFAULT_HEALTHY_S)
            bad++;
        rc = feed();
        bad += rc != CHIPSIM_OK;
    }
    unsigned reinit = rd1(EXTWD_REG_REINIT_COUNT), buserr = rd1(EXTWD_REG_BUSERR_COUNT);
    printf("info: %s shared_bus_traffic reads=%d bad=%d reinit=%u buserr=%u\n", chipsim_mcu(cs),
           reads, bad, reinit, buserr);
    CHECK(reads > 20, "only %d reads", reads);
    CHECK(bad == 0, "%d of %d reads or feeds failed", bad, reads);
    CHECK(reinit == 0, "REINIT_COUNT %u", reinit);
    CHECK(buserr == 0, "BUSERR_COUNT %u", buserr);
    down();
}

/* Runs until the chip's tick advances SINCE_FEED_MS (seen in its RAM). */
static int wait_tick(void)
{
    struct chipsim_core_view v0, v;
    if (chipsim_core_view(cs, &v0))
        return -1;
    for (int i = 0; i < 3000; i++) {
        chipsim_run_until(cs, chipsim_cycles(cs) + chipsim_freq(cs) / 100000u); /* 10 us */
        chipsim_core_view(cs, &v);
        if (v.since_feed_ms != v0.since_feed_ms)
            return 0;
    }
    return -1;
}

/* The chip's housekeeping must not hold a START longer than the ESP8266's
 * 230 us. Clearing STATUS makes the chip re-seal its persistent block; a
 * SAVE starts the EEPROM writes. Firmware 1 did that work at the next tick
 * with interrupts off for up to 730 us; a host START that comes just after
 * that tick, at any of several delays, must never see SCL held past the
 * limit. (worst_bus_blocking covers firmware 2's own timing.) */
static void stretch_limit_during_housekeeping(void)
{
    static const struct {
        const char *what;
        uint8_t f[2];
        size_t n;
    } trig[] = {
        { "STATUS clear (persist seal)", { EXTWD_REG_STATUS, 0 }, 2 },
        { "SAVE (EEPROM slot encode)", { EXTWD_CMD_SAVE }, 1 },
    };
    static const int delay_us[] = { 0, 20, 50, 100, 200, 300 };
    up();
    feed();
    int stretched = 0;
    for (size_t t = 0; t < sizeof(trig) / sizeof(trig[0]); t++) {
        for (size_t k = 0; k < sizeof(delay_us) / sizeof(delay_us[0]); k++) {
            wr_(trig[t].f, trig[t].n);  /* the work runs at the next tick */
            REQUIRE(wait_tick() == 0, "no tick seen");
            chipsim_run_us(cs, (uint64_t)delay_us[k]);
            int r = feed();
            if (r != CHIPSIM_OK) {
                stretched++;
                printf("  feed %d us after the tick that runs the %s: %d\n", delay_us[k],
                       trig[t].what, r);
            }
            run_ms(400);                /* the EEPROM write, if any, is over */
        }
    }
    struct chipsim_stats st;
    chipsim_stats(cs, &st);
    CHECK(stretched == 0 && st.max_stretch_us < 230, "%d of 12 feeds failed, longest stretch %u us",
          stretched, st.max_stretch_us);
    printf("info: %s housekeeping_max_stretch_us=%u (limit 230)\n", chipsim_mcu(cs), st.max_stretch_us);
    down();
}

/* Traffic at random moments (a 1-byte read, then 0-600 us of quiet) while
 * the chip does its heaviest work: a timeout reset (history, EEPROM reload),
 * the pulse and grace start, a save, a 0x85 reset and a persist seal right
 * after their frames. Every start condition that lands in a busy main loop
 * is held until the loop gets to it: the longest hold is the worst
 * bus-blocking time, and it must stay well under the ESP8266's 230 us. */
static int random_reads(double ms_total)
{
    int bad = 0;
    uint64_t end = chipsim_cycles(cs) + fw_ms_to_cycles(cs, ms_total);
    while (chipsim_cycles(cs) < end) {
        uint8_t b;
        bad += chipsim_i2c_read(cs, ADDR, &b, 1) != CHIPSIM_OK;
        lcg = lcg * 1664525u + 1013904223u;
        chipsim_run_us(cs, (lcg >> 16) % 600u);
    }
    return bad;
}

static void worst_bus_blocking(void)
{
    struct chipsim_stats st;
    int bad = 0;
    up();
    lcg = 12345;
    feed();
    WR(EXTWD_CMD_SET_POINTER, EXTWD_REG_STATUS);
    bad += random_reads(3500);           /* the timeout reset, its pulse, grace */
    REQUIRE(rec.nrf == 1, "no timeout reset under traffic (%d)", rec.nrf);
    chipsim_stats(cs, &st);
    unsigned reset_us = st.max_stretch_us;
    WR(EXTWD_REG_TIMEOUT_S, 4);
    WR(EXTWD_CMD_SAVE);
    bad += random_reads(300);            /* the save, byte by byte */
    chipsim_stats(cs, &st);
    unsigned save_us = st.max_stretch_us;
    for (int i = 0; i < 20; i++) {       /* work done right after a frame */
        WR(EXTWD_CMD_TEST_ACTION, EXTWD_TEST_CONFIRM);       /* a reset in the frame (refused BUSY if in the pulse) */
        bad += random_reads(2);
        WR(EXTWD_REG_STATUS, 0);         /* a seal */
        bad += random_reads(2);
        run_ms(130);
    }
    chipsim_stats(cs, &st);
    CHECK(bad == 0, "%d reads failed", bad);
    /* 150 until issue 11's countdown end on the host's clock: its decision
     * at every tick, which a START that comes meanwhile waits for, took the
     * ATmega328P from 147 to 156 us here (timeout reset 111 -> 141); issue
     * 11's bound is 200, the ESP8266's 230 */
    CHECK(st.max_stretch_us < 160, "longest hold %u us", st.max_stretch_us);
    printf("info: %s worst_bus_block_us=%u (timeout reset %u, then a save %u, then 0x85 and seals)\n",
           chipsim_mcu(cs), st.max_stretch_us, reset_us, save_us);
    down();
}

/* SPEC 2.2: the bytes of one read come from one instant. The chip holds its
 * tick back while a transaction is in flight, so a 4-byte SINCE_FEED_MS read
 * at a slow bus clock (2.5 ms a read, one in six straddles a tick) never
 * tears across a carry: every value is a whole number of ticks, never
 * smaller than the one before and never ahead of the time that passed. */
static void reads_never_tear(void)
{
    struct chipsim_config c = { .i2c_hz = 20000 };
    up_cfg(&c);
    feed();
    WR(EXTWD_REG_MAX_DISARM_S, 0, 0);
    WR(EXTWD_REG_ACTION, 0);            /* the count runs on, no reset */
    feed();
    int64_t prev = 0, bad = 0, n = 0;
    uint64_t t_prev = chipsim_cycles(cs);
    uint64_t end = t_prev + fw_ms_to_cycles(cs, 8000);
    lcg = 777;
    while (chipsim_cycles(cs) < end) {
        int64_t v = rdle(EXTWD_REG_SINCE_FEED_MS, 4);
        uint64_t t = chipsim_cycles(cs);
        double dt = ms(t - t_prev);
        if (v < 0 || v % 16 || v < prev || v > prev + dt + 32) {
            if (bad++ < 5)
                printf("  read %lld after %lld, %.2f ms later\n", (long long)v, (long long)prev, dt);
        }
        prev = v < 0 ? prev : v;
        t_prev = t;
        n++;
        lcg = lcg * 1664525u + 1013904223u;
        chipsim_run_us(cs, (lcg >> 16) % 3000u);
    }
    CHECK(bad == 0, "%lld of %lld reads torn or out of time", (long long)bad, (long long)n);
    CHECK(prev >= 7900 && prev <= 8100, "SINCE_FEED_MS %lld after 8 s", (long long)prev);
    down();
}

static void breadcrumb_latched_at_reset(void)
{
    up();
    feed();
    WR(EXTWD_REG_BREADCRUMB, 0x5A);
    REQUIRE(wait_reset(4000), "no reset");
    wait_pulse_end();
    CHECK(rd1(EXTWD_REG_BREADCRUMB_RST) == 0x5A, "BREADCRUMB_RST %d", rd1(EXTWD_REG_BREADCRUMB_RST));
    CHECK(rd1(EXTWD_REG_HISTORY + 1) == 0x5A, "history breadcrumb");
    down();
}

static void lock_and_key(void)
{
    up();
    feed();
    CHECK(WR(EXTWD_REG_LOCK, EXTWD_LOCK_MAGIC) == CHIPSIM_OK, "lock");
    WR(EXTWD_REG_ACTION, 0);
    CHECK(rd1(EXTWD_REG_LAST_ERROR) == EXTWD_ERR_LOCKED, "disarm refused: %d", rd1(EXTWD_REG_LAST_ERROR));
    struct chipsim_core_view v;
    chipsim_core_view(cs, &v);
    CHECK(v.armed, "still armed");
    chipsim_brownout(cs);               /* a chip restart clears the lock */
    run_ms(50);
    CHECK(!(rd1(EXTWD_REG_EXT_STATUS) & EXTWD_XS_LOCKED), "LOCKED after brown-out");
    /* keyed mode */
    WR(EXTWD_REG_OPTIONS, EXTWD_OPT_KEYED);
    WR(EXTWD_REG_ACTION, 0);
    CHECK(rd1(EXTWD_REG_LAST_ERROR) == EXTWD_ERR_KEY, "unkeyed disarm: %d", rd1(EXTWD_REG_LAST_ERROR));
    WR(EXTWD_REG_KEY, 0x5A, 0xD1);
    WR(EXTWD_REG_ACTION, 0);
    CHECK(rd1(EXTWD_REG_LAST_ERROR) == EXTWD_ERR_OK, "keyed disarm: %d", rd1(EXTWD_REG_LAST_ERROR));
    chipsim_core_view(cs, &v);
    CHECK(!v.armed, "disarmed with the key");
    down();
}

static void window_fault(void)
{
    up();
    feed();
    CHECK(WR(EXTWD_REG_WINDOW_MS, 0xF4, 0x01) == CHIPSIM_OK, "WINDOW_MS = 500");
    CHECK(rd1(EXTWD_REG_LAST_ERROR) == 0, "WINDOW_MS write: LAST_ERROR %u", rd1(EXTWD_REG_LAST_ERROR));
    run_ms(600);
    feed();                             /* in time */
    run_ms(200);
    CHECK(rec.nrf == 0, "a feed after the window must not reset");
    int n0 = rec.nrf;
    feed();                             /* too early */
    REQUIRE(wait_reset_from(n0, 100), "an early feed must reset");
    wait_pulse_end();
    CHECK(rd1(EXTWD_REG_LAST_CAUSE) == EXTWD_CAUSE_WINDOW, "cause %d", rd1(EXTWD_REG_LAST_CAUSE));
    CHECK(rd1(EXTWD_REG_WINDOW_FAULTS) == 1, "WINDOW_FAULTS");
    down();
}

static void bootloop_escalation(void)
{
    up();
    feed();
    for (int i = 0; i < 4; i++) {       /* the host hangs at every boot */
        REQUIRE(wait_reset(200000), "reset %d missing", i);
        wait_pulse_end();
    }
    CHECK(rd1(EXTWD_REG_EXT_STATUS) & EXTWD_XS_SAFE_MODE, "SAFE_MODE after 4 resets in a row");
    CHECK(rd1(EXTWD_REG_BOOTLOOP_COUNT) == 4, "BOOTLOOP_COUNT %d", rd1(EXTWD_REG_BOOTLOOP_COUNT));
    CHECK(rdle(EXTWD_REG_GRACE_EFF_S, 2) == 2 * EXTWD_DEFAULT_GRACE_S, "grace backed off: %lld",
          (long long)rdle(EXTWD_REG_GRACE_EFF_S, 2));
    down();
}

static void fast_bus_400khz(void)
{
    struct chipsim_config c = { .i2c_hz = 400000 };
    up_cfg(&c);
    CHECK(feed_for(50, 100) == 0, "feeds at 400 kHz");
    CHECK(rd1(EXTWD_REG_TIMEOUT_S) == 3, "read at 400 kHz");
    struct chipsim_stats st;
    chipsim_stats(cs, &st);
    CHECK(st.max_stretch_us < 230, "stretch %u", st.max_stretch_us);
    printf("info: %s max_stretch_us_400khz=%u\n", chipsim_mcu(cs), st.max_stretch_us);
    down();
}

/* Issue 12, behaviour 4, on the ELF: every single-bit flip of each frame a
 * stock host sends ([A5], [07 00], [07 01], [83 11]: 56 flips). After the
 * flipped frame the host feeds every 100 ms for 3 s and is never reset;
 * then it hangs and is reset within the bound (MAX_DISARM_S = 10 s, saved)
 * plus the timeout: no flip switches the protection off for good. */
static void single_bit_flips_are_harmless(void)
{
    static const uint8_t frames[4][2] = {
        { EXTWD_CMD_FEED, 0 }, { EXTWD_REG_ACTION, 0 }, { EXTWD_REG_ACTION, 1 },
        { EXTWD_CMD_SET_POINTER, EXTWD_REG_STATUS } };
    static const size_t lens[4] = { 1, 2, 2, 2 };
    int flips = 0, bad = 0;
    double worst_ms = 0;
    up();
    feed();
    WR(EXTWD_REG_MAX_DISARM_S, 10, 0);
    WR(EXTWD_CMD_SAVE);
    run_ms(400);
    for (int f = 0; f < 4; f++) {
        for (size_t bit = 0; bit < 8 * lens[f]; bit++) {
            uint8_t frame[2] = { frames[f][0], frames[f][1] };
            frame[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            int n0 = rec.nrf;
            feed();
            run_ms(50);
            (void)wr_(frame, lens[f]);
            feed_for(30, 100);
            if (rec.nrf != n0) {
                CHECK(0, "flip %02x %02x (len %zu): reset while the host feeds", frame[0], frame[1], lens[f]);
                bad++;
                wait_pulse_end();
                continue;
            }
            uint64_t stop = last_stop();
            uint64_t fall = wait_reset(10000 + 3100);
            CHECK(fall, "flip %02x %02x (len %zu): no reset within the bound after the hang", frame[0],
                  frame[1], lens[f]);
            if (fall && ms(fall - stop) > worst_ms)
                worst_ms = ms(fall - stop);
            wait_pulse_end();
            flips++;
        }
    }
    CHECK(flips == 56 && !bad, "%d of 56 flips harmless", flips);
    printf("info: %s single_bit_flips=%d worst_reset_after_hang_ms=%.1f\n", chipsim_mcu(cs), flips, worst_ms);
    down();
}

/* SPEC 5.11: the lock survives a host reset (a host that locked and then
 * hung cannot come back unlocked), on the ELF. */
static void lock_survives_host_reset(void)
{
    up();
    feed();
    CHECK(WR(EXTWD_REG_LOCK, EXTWD_LOCK_MAGIC) == CHIPSIM_OK, "lock");
    CHECK(rd1(EXTWD_REG_LOCK) == 1, "locked");
    feed();
    REQUIRE(wait_reset(4000), "no reset after the hang");
    wait_pulse_end();
    CHECK(rd1(EXTWD_REG_LOCK) == 1, "still locked after the host reset");
    WR(EXTWD_REG_ACTION, 0);
    CHECK(rd1(EXTWD_REG_LAST_ERROR) == EXTWD_ERR_LOCKED, "a disarm is refused");
    CHECK(rd1(EXTWD_REG_ACTION) == 1, "still armed");
    down();
}

int main(int argc, char **argv)
{
    fw_main(argc, argv);
    const char *only = argc > 2 ? argv[2] : NULL;
#define CASE(fn) if (!only || !strcmp(only, #fn)) RUN(fn)
    CASE(fed_every_100ms_for_60s);
    CASE(reset_3000ms_after_last_feed);
    CASE(stock_host_sequence);
    CASE(status_and_cause_after_timeout);
    CASE(reset_pulse_width);
    CASE(grace_at_power_up);
    CASE(reads_past_the_map);
    CASE(malformed_frames_change_nothing);
    CASE(eeprom_save_survives_power_cycle);
    CASE(eeprom_image_and_corruption);
    CASE(factory_pin);
    CASE(stuck_sda_recovers);
    CASE(stuck_scl_recovers);
    CASE(stuck_line_threshold);
    CASE(master_dies_mid_read);
    CASE(master_dies_mid_write);
    CASE(history_across_brownout);
    CASE(hung_firmware_restarts_itself);
    CASE(bounded_disarm);
    CASE(pretimeout_pin);
    CASE(address_change);
    CASE(test_action_and_disarmed);
    CASE(core_view_agrees);
    CASE(back_to_back);
    CASE(dense_traffic_never_trips);
    CASE(shared_bus_traffic_never_trips);
    CASE(stretch_limit_during_housekeeping);
    CASE(worst_bus_blocking);
    CASE(reads_never_tear);
    CASE(breadcrumb_latched_at_reset);
    CASE(lock_and_key);
    CASE(window_fault);
    CASE(bootloop_escalation);
    CASE(fast_bus_400khz);
    CASE(single_bit_flips_are_harmless);
    CASE(lock_survives_host_reset);
    return fw_done();
}
