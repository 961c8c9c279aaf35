/*
 * Firmware-in-the-loop checks of the two MCU ports (firmware/attiny85,
 * firmware/atmega328p): the real ELF in simavr through chipsim, timed in
 * simulated cycles. What the ports own is checked here: the bus slave
 * (frames, NACK past the limit, repeated START, address change), the tick
 * and its calibration, the reset output, sleep modes, clock stretching, the
 * EEPROM save path and the factory-reset pin. The protocol itself is the
 * core's and the simchip suite's business.
 *
 * Usage: test_ports <elf> [test-name]
 * Prints one line per check and a closing "N passed, N failed" line.
 *
 * Links libsimavr through chipsim: this program is GPL-3.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chipsim.h"
#include "extwd/protocol.h"

#define ADDR EXTWD_I2C_ADDR_DEFAULT

static int passed, failed;
static const char *elf;

#define CHECK(cond, ...)                                  \
    do {                                                  \
        if (cond) {                                       \
            passed++;                                     \
        } else {                                          \
            failed++;                                     \
            printf("  FAIL %s:%d: ", __FILE__, __LINE__); \
            printf(__VA_ARGS__);                          \
            printf("\n");                                 \
        }                                                 \
    } while (0)

/* Edges of the reset output, recorded by cycle. */
struct edges {
    uint64_t fall[16], rise[16];
    int nfall, nrise;
};

static void on_edge(void *ctx, enum chipsim_signal sig, int level, uint64_t cycle)
{
    struct edges *e = ctx;
    if (sig != CHIPSIM_SIG_RESET)
        return;
    if (!level && e->nfall < 16)
        e->fall[e->nfall++] = cycle;
    if (level && e->nrise < 16)
        e->rise[e->nrise++] = cycle;
}

static struct chipsim *open_chip(const uint8_t *eeprom, size_t n)
{
    struct chipsim_config cfg = { .elf_path = elf, .eeprom = eeprom, .eeprom_len = n,
                                  .ram_seed = 1 };
    struct chipsim *cs;
    char err[256];
    if (chipsim_open(&cs, &cfg, err, sizeof err) < 0) {
        fprintf(stderr, "test_ports: %s\n", err);
        exit(2);
    }
    return cs;
}

static int wr(struct chipsim *cs, const uint8_t *b, size_t n)
{
    return chipsim_i2c_write(cs, ADDR, b, n);
}

static int wr2(struct chipsim *cs, uint8_t a, uint8_t b)
{
    uint8_t f[2] = { a, b };
    return wr(cs, f, 2);
}

/* SET_ADDRESS in firmware 2.1's confirming form [0x82, a, ~a]. */
static int set_address(struct chipsim *cs, uint8_t a)
{
    uint8_t f[3] = { EXTWD_CMD_SET_ADDRESS, a, EXTWD_ADDR_CONFIRM(a) };
    return wr(cs, f, 3);
}

static int wr1(struct chipsim *cs, uint8_t a)
{
    return wr(cs, &a, 1);
}

/* Reads one register through a pointer set and a one-byte read; -1 on a bus error. */
static int reg(struct chipsim *cs, uint8_t r)
{
    uint8_t v;
    if (wr2(cs, EXTWD_CMD_SET_POINTER, r) || chipsim_i2c_read(cs, ADDR, &v, 1))
        return -1;
    return v;
}

static double ms_between(struct chipsim *cs, uint64_t a, uint64_t b)
{
    return (double)(b - a) * 1000.0 / chipsim_freq(cs);
}

/* The stock OTGW sequence, then 100 ms feeding, then silence: the reset edge
 * comes 3000 ms +- 1 % after the last feed; stretching, sleep modes and the
 * awake fraction are checked on the way. */
static void test_stock_host(void)
{
    struct chipsim *cs = open_chip(NULL, 0);
    struct edges e = { 0 };
    chipsim_on_edge(cs, on_edge, &e);
    chipsim_run_us(cs, 100000);

    CHECK(wr2(cs, EXTWD_REG_ACTION, 0) == CHIPSIM_OK, "disarm [7,0]");
    chipsim_run_us(cs, 100000);
    int st = reg(cs, EXTWD_REG_STATUS);
    CHECK(st == 0, "status after power-up reads %d, want 0", st);
    CHECK(wr2(cs, EXTWD_REG_ACTION, 1) == CHIPSIM_OK, "arm [7,1]");

    struct chipsim_stats s0, s1;
    chipsim_stats(cs, &s0);
    uint64_t last_feed = 0;
    int bad = 0;
    for (int i = 0; i < 300; i++) { /* 30 s of feeding */
        if (wr1(cs, EXTWD_CMD_FEED) != CHIPSIM_OK)
            bad++;
        last_feed = chipsim_cycles(cs);
        chipsim_run_us(cs, 100000 - (chipsim_us(cs) % 100000));
    }
    chipsim_stats(cs, &s1);
    CHECK(bad == 0, "%d feeds failed", bad);
    CHECK(e.nfall == 0, "reset while fed (%d edges)", e.nfall);
    double awake = (double)(s1.awake_cycles - s0.awake_cycles) / (double)(s1.cycles - s0.cycles);
    printf("  %s: awake fraction at 100 ms feeding %.3f %%, max stretch %" PRIu32
           " us, sleeps %" PRIu64 "\n",
           chipsim_mcu(cs), awake * 100.0, s1.max_stretch_us, s1.sleeps - s0.sleeps);
    CHECK(awake <= 0.01, "awake fraction %.4f > 1 %%", awake);

    chipsim_run_us(cs, 3500000);
    CHECK(e.nfall == 1, "reset edges after silence: %d", e.nfall);
    if (e.nfall >= 1) {
        double t = ms_between(cs, last_feed, e.fall[0]);
        printf("  %s: reset edge %.3f ms after the last feed\n", chipsim_mcu(cs), t);
        CHECK(t >= 2970.0 && t <= 3030.0, "reset edge %.3f ms after the last feed", t);
    }
    chipsim_run_us(cs, 200000);
    CHECK(e.nrise == 1, "reset released: %d rising edges", e.nrise);
    if (e.nrise >= 1 && e.nfall >= 1) {
        double w = ms_between(cs, e.fall[0], e.rise[0]);
        CHECK(w >= 99.0 && w <= 117.0, "pulse %.3f ms, want 100 (+1 tick)", w);
    }
    st = reg(cs, EXTWD_REG_STATUS);
    CHECK(st >= 0 && (st & EXTWD_STATUS_WD_RESET), "status after the reset reads %d", st);
    st = reg(cs, EXTWD_REG_LAST_CAUSE);
    CHECK(st == EXTWD_CAUSE_TIMEOUT, "last cause %d", st);

    chipsim_stats(cs, &s1);
    CHECK(s1.sleep_mode_errors == 0, "%" PRIu32 " sleep-mode errors", s1.sleep_mode_errors);
    CHECK(s1.max_stretch_us < 100, "max stretch %" PRIu32 " us", s1.max_stretch_us);
    CHECK(s1.chip_resets == 0, "%" PRIu32 " chip resets", s1.chip_resets);
    chipsim_close(cs);
}

/* The tick as the core sees it: after a feed, SINCE_FEED_MS follows
 * simulated time (calibration included) within one tick. */
static void test_tick(void)
{
    struct chipsim *cs = open_chip(NULL, 0);
    chipsim_run_us(cs, 50000);
    CHECK(wr1(cs, EXTWD_CMD_FEED) == CHIPSIM_OK, "feed");
    CHECK(wr2(cs, EXTWD_REG_ACTION, 0) == CHIPSIM_OK, "disarm");
    uint64_t t0 = chipsim_cycles(cs);
    chipsim_run_us(cs, 20000000); /* 20 s: several calibrations */
    struct chipsim_core_view v;
    CHECK(chipsim_core_view(cs, &v) == 0, "core view");
    double real = ms_between(cs, t0, chipsim_cycles(cs));
    printf("  %s: since_feed %" PRIu32 " ms after %.1f ms\n", chipsim_mcu(cs), v.since_feed_ms,
           real);
    CHECK(v.since_feed_ms + 32 >= real && v.since_feed_ms <= real + 32,
          "since_feed %" PRIu32 " ms vs %.1f ms simulated", v.since_feed_ms, real);
    chipsim_close(cs);
}

/* The calibration's correction on the real ELF. simavr's two clocks agree,
 * so every measurement finds a nominal tick; here the measured deviation is
 * planted (cal_dev: the period less 542 counts of 32 us, 500 a tick) right after a
 * measurement, and the core must get one tick more (WDT slow) or less (WDT
 * fast) for every 500 counts of it: +-50 counts over 150 ticks is +-15
 * ticks. The next measurement (cal_n, or CAL_COUNT's low byte, wraps after
 * 256 ticks) puts it back to 0, after which time runs true again. */
static void test_calibration(void)
{
    static const int8_t devs[] = { 50, -50 };
    for (int k = 0; k < 2; k++) {
        struct chipsim *cs = open_chip(NULL, 0);
        chipsim_run_us(cs, 50000);
        CHECK(wr1(cs, EXTWD_CMD_FEED) == CHIPSIM_OK, "feed");
        CHECK(wr2(cs, EXTWD_REG_ACTION, 0) == CHIPSIM_OK, "disarm");
        uint8_t n = 1;
        int8_t dev = devs[k], planted = (int8_t)(dev - 42); /* 542 - 500 */
        int16_t zero = 0;
        /* the tick count that starts the next measurement: cal_n, or with the
         * host's calibration CAL_COUNT's low byte (g_cal.count) */
        CHECK((chipsim_ram_write(cs, "cal_n", 0, &n, 1) == 0 || chipsim_ram_write(cs, "g_cal", 0, &n, 1) == 0) &&
              chipsim_ram_write(cs, "cal_dev", 0, &planted, 1) == 0 &&
              chipsim_ram_write(cs, "cal_err", 0, &zero, 2) == 0, "calibration state in the ELF");
        struct chipsim_core_view v0, v;
        chipsim_core_view(cs, &v0);
        chipsim_run_us(cs, 150 * 16000); /* 150 ticks, before the next measurement */
        chipsim_core_view(cs, &v);
        int32_t ticks = (int32_t)(v.since_feed_ms - v0.since_feed_ms) / 16;
        printf("  %s: deviation %+d counts: %d core ticks in 150\n", chipsim_mcu(cs), dev, ticks);
        CHECK(ticks == 150 + dev * 150 / 500, "%d core ticks for 150 with a deviation of %d", ticks, dev);
        /* after the next measurement (simavr's: nominal) no more correction */
        chipsim_run_us(cs, 120 * 16000);
        chipsim_core_view(cs, &v0);
        chipsim_run_us(cs, 100 * 16000);
        chipsim_core_view(cs, &v);
        CHECK(v.since_feed_ms - v0.since_feed_ms == 1600, "after the next measurement: %u ms in 1600",
              (unsigned)(v.since_feed_ms - v0.since_feed_ms));
        chipsim_close(cs);
    }
}

/* Frame edges the port owns: a 7-byte write is NACKed at the 7th byte and
 * refused whole; write, repeated START, read works; an empty frame changes
 * nothing; reads auto-increment within a transaction. */
static void test_frames(int tiny)
{
    struct chipsim *cs = open_chip(NULL, 0);
    chipsim_run_us(cs, 50000);
    uint8_t big[7] = { EXTWD_REG_BREADCRUMB, 1, 2, 3, 4, 5, 6 };
    int r = wr(cs, big, 7);
    CHECK(r == CHIPSIM_E_NACK_DATA, "7-byte frame: %d, want NACK", r);
    chipsim_run_us(cs, 1000);
    CHECK(reg(cs, EXTWD_REG_LAST_ERROR) == EXTWD_ERR_LENGTH, "7-byte frame refused");
    CHECK(reg(cs, EXTWD_REG_BREADCRUMB) == 0, "breadcrumb untouched");

    CHECK(wr2(cs, EXTWD_REG_BREADCRUMB, 0x5C) == CHIPSIM_OK, "breadcrumb write");
    uint8_t p = EXTWD_REG_BREADCRUMB, v = 0;
    r = chipsim_i2c_write_read(cs, ADDR, &p, 1, &v, 1);
    CHECK(r == CHIPSIM_OK && v == 0x5C, "write, repeated START, read: %d 0x%02x", r, v);

    CHECK(wr(cs, NULL, 0) == CHIPSIM_OK, "empty frame (probe) is ACKed");
    CHECK(reg(cs, EXTWD_REG_BREADCRUMB) == 0x5C, "probe changed nothing");

    if (tiny) { /* simavr's TWI gives one byte per read transaction */
        uint8_t id[4];
        CHECK(wr1(cs, EXTWD_REG_PROJECT_ID) == CHIPSIM_OK, "pointer 0");
        r = chipsim_i2c_read(cs, ADDR, id, 4);
        CHECK(r == CHIPSIM_OK && !memcmp(id, "EXWD", 4), "4-byte read: %d %.4s", r, (char *)id);
    }
    struct chipsim_stats s;
    chipsim_stats(cs, &s);
    CHECK(s.sleep_mode_errors == 0, "%" PRIu32 " sleep-mode errors", s.sleep_mode_errors);
    chipsim_close(cs);
}

/* SET_ADDRESS: the old address stops answering, the new one answers; a save
 * goes to EEPROM while the bus keeps working, and survives a power cycle. */
static void test_address_and_save(void)
{
    struct chipsim *cs = open_chip(NULL, 0);
    chipsim_run_us(cs, 50000);
    CHECK(set_address(cs, 0x31) == CHIPSIM_OK, "set address 0x31");
    chipsim_run_us(cs, 1000);
    uint8_t v;
    CHECK(chipsim_i2c_read(cs, ADDR, &v, 1) == CHIPSIM_E_NACK_ADDR, "0x26 no longer answers");
    uint8_t f[2] = { EXTWD_CMD_SET_POINTER, EXTWD_REG_I2C_ADDR };
    CHECK(chipsim_i2c_write(cs, 0x31, f, 2) == CHIPSIM_OK, "0x31 answers");
    CHECK(chipsim_i2c_read(cs, 0x31, &v, 1) == CHIPSIM_OK && v == 0x31, "I2C_ADDR reads 0x%02x", v);

    uint8_t save = EXTWD_CMD_SAVE;
    CHECK(chipsim_i2c_write(cs, 0x31, &save, 1) == CHIPSIM_OK, "save");
    /* The bus keeps answering while the EEPROM is written. */
    int ok = 0;
    for (int i = 0; i < 20; i++) {
        f[1] = EXTWD_REG_LAST_ERROR;
        if (chipsim_i2c_write(cs, 0x31, f, 2) == CHIPSIM_OK &&
            chipsim_i2c_read(cs, 0x31, &v, 1) == CHIPSIM_OK && v == EXTWD_ERR_OK)
            ok++;
        chipsim_run_us(cs, 2000);
    }
    CHECK(ok == 20, "%d of 20 reads during the save", ok);
    chipsim_run_us(cs, 200000);
    chipsim_power_cycle(cs, 7);
    chipsim_run_us(cs, 50000);
    CHECK(chipsim_i2c_write(cs, 0x31, f, 2) == CHIPSIM_OK, "0x31 answers after power cycle");
    struct chipsim_stats s;
    chipsim_stats(cs, &s);
    printf("  %s: max stretch with a save in flight %" PRIu32 " us\n", chipsim_mcu(cs),
           s.max_stretch_us);
    CHECK(s.max_stretch_us < 230, "max stretch %" PRIu32 " us", s.max_stretch_us);
    chipsim_close(cs);
}

/* Factory-reset pin: held low from power-up for 10 s it restores and saves
 * the defaults; released earlier it does nothing. */
static void test_factory_pin(void)
{
    struct chipsim *cs = open_chip(NULL, 0);
    chipsim_run_us(cs, 50000);
    CHECK(set_address(cs, 0x31) == CHIPSIM_OK, "set address");
    uint8_t save = EXTWD_CMD_SAVE;
    CHECK(chipsim_i2c_write(cs, 0x31, &save, 1) == CHIPSIM_OK, "save");
    chipsim_run_us(cs, 300000);

    chipsim_factory_pin(cs, 1);
    chipsim_power_cycle(cs, 3);
    chipsim_run_us(cs, 5000000);
    chipsim_factory_pin(cs, 0); /* released after 5 s: nothing happens */
    chipsim_run_us(cs, 6000000);
    uint8_t f[2] = { EXTWD_CMD_SET_POINTER, EXTWD_REG_I2C_ADDR };
    CHECK(chipsim_i2c_write(cs, 0x31, f, 2) == CHIPSIM_OK, "5 s press: still at 0x31");

    chipsim_factory_pin(cs, 1);
    chipsim_power_cycle(cs, 4);
    chipsim_run_us(cs, 10500000);
    chipsim_factory_pin(cs, 0);
    chipsim_run_us(cs, 300000);
    CHECK(chipsim_i2c_write(cs, ADDR, f, 2) == CHIPSIM_OK, "10 s press: back at 0x26");
    /* the slot holds the defaults: timeout 3000 ms first, address 0x26
     * at settings offset 14 */
    uint8_t img[21];
    CHECK(chipsim_eeprom_read(cs, 0, img, sizeof img) == 0, "eeprom read");
    CHECK(img[0] == 0xB8 && img[1] == 0x0B && img[2] == 0 && img[3] == 0 && img[14] == ADDR,
          "defaults saved: %02x %02x .. %02x", img[0], img[1], img[14]);
    struct chipsim_stats s;
    chipsim_stats(cs, &s);
    CHECK(s.sleep_mode_errors == 0, "%" PRIu32 " sleep-mode errors", s.sleep_mode_errors);
    chipsim_close(cs);
}

/* SPEC 5.10, the ports' part: how they see the bus move. Another device
 * clocks SCL slowly (5 ms low, 5 ms high, e.g. a bus recovery by a slow
 * master), so most ticks see SCL low, and always after an edge: at
 * BUSLOAD_PCT = 1, where one stuck sample trips, 3 s of it must not trip.
 * The edge detector costs at most one wake-up a tick, none on an idle bus.
 * Then SCL stays low:
 * the check trips within 3 ticks (BUSLOAD_PCT = 1). */
static void test_bus_moved(void)
{
    struct chipsim *cs = open_chip(NULL, 0);
    struct chipsim_stats a, b;
    chipsim_run_us(cs, 100000);
    CHECK(wr2(cs, EXTWD_REG_BUSLOAD_PCT, 1) == CHIPSIM_OK, "BUSLOAD_PCT = 1");
    CHECK(wr2(cs, EXTWD_REG_TIMEOUT_S, 60) == CHIPSIM_OK, "TIMEOUT_S = 60: no host reset (it would restore 50 %%)");
    CHECK(wr1(cs, EXTWD_CMD_FEED) == CHIPSIM_OK, "feed");
    chipsim_run_us(cs, 100000);
    chipsim_stats(cs, &a);
    chipsim_run_us(cs, 1000000);        /* an idle bus: the WDT alone wakes the chip */
    chipsim_stats(cs, &b);
    double idle_wakes = (double)(b.sleeps - a.sleeps) / (1000.0 / 16.0);
    CHECK(idle_wakes <= 1.02, "%.2f wake-ups a tick on an idle bus", idle_wakes);
    a = b;
    for (int i = 0; i < 300; i++) {
        chipsim_hold_low(cs, CHIPSIM_SIG_SCL, 1);
        chipsim_run_us(cs, 5000);
        chipsim_hold_low(cs, CHIPSIM_SIG_SCL, 0);
        chipsim_run_us(cs, 5000);
    }
    chipsim_stats(cs, &b);
    double wakes_per_tick = (double)(b.sleeps - a.sleeps) / (3000.0 / 16.0);
    printf("  info: %s wake-ups per tick: idle bus %.2f, under a slow SCL clock %.2f\n",
           chipsim_mcu(cs), idle_wakes, wakes_per_tick);
    CHECK(wakes_per_tick <= 2.05, "%.2f wake-ups a tick (WDT + one edge at most)", wakes_per_tick);
    CHECK(reg(cs, EXTWD_REG_BUSERR_COUNT) == 0, "a moving SCL tripped the check: BUSERR_COUNT %d",
          reg(cs, EXTWD_REG_BUSERR_COUNT));
    CHECK(reg(cs, EXTWD_REG_REINIT_COUNT) == 0, "REINIT_COUNT %d", reg(cs, EXTWD_REG_REINIT_COUNT));
    uint64_t t0 = chipsim_cycles(cs);
    uint8_t be = 0;
    chipsim_hold_low(cs, CHIPSIM_SIG_SCL, 1);
    while (!be && ms_between(cs, t0, chipsim_cycles(cs)) < 200) {
        chipsim_run_us(cs, 250);
        chipsim_ram_read(cs, "g_wd_persist", 4, &be, 1); /* BUSERR_COUNT (check, RESET, REINIT, BUSERR) */
    }
    double t = ms_between(cs, t0, chipsim_cycles(cs));
    CHECK(be == 1 && t <= 3 * 16 + 1, "SCL stuck: BUSERR_COUNT %u after %.1f ms", be, t);
    chipsim_hold_low(cs, CHIPSIM_SIG_SCL, 0);
    chipsim_run_us(cs, 20000);
    CHECK(reg(cs, EXTWD_REG_BUSERR_COUNT) == 1, "BUSERR_COUNT over the bus %d",
          reg(cs, EXTWD_REG_BUSERR_COUNT));
    chipsim_close(cs);
}

/* The RC measurement keeps the CPU in idle for one watchdog period; it runs
 * every 2048 ticks (32.8 s), the first 256 ticks after a boot (firmware
 * 2.1: every 256 ticks, 4.1 s, 0.39 % of the time in idle at 1.4 mA). On a
 * quiet bus nothing else sleeps in idle: 70 s from power-on hold the
 * measurements at 4.1, 36.9 and 69.6 s, three periods of idle. */
static void test_rc_measure_rate(void)
{
    struct chipsim *cs = open_chip(NULL, 0);
    chipsim_run_us(cs, 70000000);
    struct chipsim_stats st;
    chipsim_stats(cs, &st);
    double idle_ms = ms_between(cs, 0, st.idle_cycles);
    printf("  %s: %.1f ms in idle in 70 s on a quiet bus\n", chipsim_mcu(cs), idle_ms);
    CHECK(idle_ms > 2.5 * 16 && idle_ms < 3.5 * 16, "%.1f ms in idle in 70 s: want 3 WDT periods", idle_ms);
    chipsim_close(cs);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_ports <elf> [stock|tick|calibration|frames|address|factory|busmoved|rcrate]\n");
        return 2;
    }
    elf = argv[1];
    const char *only = argc > 2 ? argv[2] : NULL;
    struct chipsim *probe = open_chip(NULL, 0);
    int tiny = !strcmp(chipsim_mcu(probe), "attiny85");
    chipsim_close(probe);
#define RUN(name, call)                      \
    if (!only || !strcmp(only, name)) {      \
        printf("%s\n", name);                \
        call;                                \
    }
    RUN("stock", test_stock_host());
    RUN("tick", test_tick());
    RUN("calibration", test_calibration());
    RUN("frames", test_frames(tiny));
    RUN("address", test_address_and_save());
    RUN("factory", test_factory_pin());
    RUN("busmoved", test_bus_moved());
    RUN("rcrate", test_rc_measure_rate());
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
