/*
 * USI model conformance: the usi_probe firmware (a USI slave written from the
 * datasheet) driven by the bit-level master through sim/parts/usi. Each case
 * checks one behaviour of the model that a real USI slave depends on; several
 * make the probe misbehave on purpose to prove the checks can fail.
 *
 * GPL-3 (links libsimavr through chipsim).
 */
#include <unistd.h>

#include "fwtest.h"

#define ADDR 0x26

struct probe_stats {
    uint8_t boots, mcusr, starts, stops, overflows, frames, pcints, addr_miss, dc_at_addr;
};

/* A new empty file named after stem in $TMPDIR (else /tmp), its name in
 * path. Returns its descriptor, or -1. */
static int temp_file(char *path, size_t n, const char *stem)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, n, "%s/%s-XXXXXX", dir && *dir ? dir : "/tmp", stem);
    return mkstemp(path);
}

static struct probe_stats stats(struct chipsim *cs)
{
    struct probe_stats s;
    memset(&s, 0, sizeof(s));
    chipsim_ram_read(cs, "probe_stats", 0, &s, sizeof(s));
    return s;
}

static int set_reg(struct chipsim *cs, uint8_t reg, uint8_t v)
{
    uint8_t f[2] = { reg, v };
    return chipsim_i2c_write(cs, ADDR, f, 2);
}

static struct chipsim *boot(const struct chipsim_config *cfg)
{
    struct chipsim *cs = fw_open(cfg);
    chipsim_run_us(cs, 1000);           /* main() has set the USI up */
    return cs;
}

static void write_then_read_back(void)
{
    struct chipsim *cs = boot(NULL);
    uint8_t w[] = { 2, 0x11, 0xA5, 0x00, 0xFF };
    CHECK(chipsim_i2c_write(cs, ADDR, w, sizeof(w)) == CHIPSIM_OK, "write");
    uint8_t p = 2, r[4] = { 0 };
    CHECK(chipsim_i2c_write(cs, ADDR, &p, 1) == CHIPSIM_OK, "pointer");
    CHECK(chipsim_i2c_read(cs, ADDR, r, 4) == CHIPSIM_OK, "read");
    CHECK(!memcmp(r, w + 1, 4), "read back %02x %02x %02x %02x", r[0], r[1], r[2], r[3]);
    struct probe_stats s = stats(cs);
    CHECK(s.frames == 2, "write frames ended by STOP (USIPF): %u", s.frames);
    CHECK(s.stops == 3, "stops seen: %u", s.stops);
    CHECK(s.starts == 3, "start interrupts: %u", s.starts);
    /* USIDC: the read address 0x4D has bit 7 = 0 while SDA is released */
    CHECK(s.dc_at_addr == 1, "USIDC after 0x4D with SDA high: %u", s.dc_at_addr);
    struct chipsim_stats st;
    chipsim_stats(cs, &st);
    CHECK(st.bus_bytes == 6 + 2 + 5, "bus bytes %llu", (unsigned long long)st.bus_bytes);
    CHECK(st.sleep_mode_errors == 0, "%s", chipsim_sleep_error(cs));
    chipsim_close(cs);
}

static void repeated_start(void)
{
    struct chipsim *cs = boot(NULL);
    uint8_t w[] = { 5, 1, 2, 3 };
    chipsim_i2c_write(cs, ADDR, w, sizeof(w));
    uint8_t p = 5, r[3] = { 0 };
    CHECK(chipsim_i2c_write_read(cs, ADDR, &p, 1, r, 3) == CHIPSIM_OK, "write-read");
    CHECK(r[0] == 1 && r[1] == 2 && r[2] == 3, "read %u %u %u", r[0], r[1], r[2]);
    chipsim_close(cs);
}

static void wrong_address_is_nacked(void)
{
    struct chipsim *cs = boot(NULL);
    uint8_t b = 0;
    CHECK(chipsim_i2c_write(cs, 0x27, &b, 1) == CHIPSIM_E_NACK_ADDR, "0x27 must NACK");
    CHECK(chipsim_i2c_read(cs, 0x50, &b, 1) == CHIPSIM_E_NACK_ADDR, "0x50 must NACK");
    struct probe_stats s = stats(cs);
    CHECK(s.addr_miss == 2, "address misses %u", s.addr_miss);
    /* 0x50 read = 0xA1 (bit 7 = 1) against SDA released: no collision */
    CHECK(s.dc_at_addr == 0, "USIDC after 0xA1: %u", s.dc_at_addr);
    chipsim_i2c_write(cs, 0x27, &b, 1);     /* 0x4E: bit 7 = 0 vs SDA high */
    s = stats(cs);
    CHECK(s.dc_at_addr == 1, "USIDC after 0x4E: %u", s.dc_at_addr);
    CHECK(chipsim_i2c_write(cs, ADDR, &b, 1) == CHIPSIM_OK, "0x26 still answers");
    chipsim_close(cs);
}

/* The start hold keeps SCL low until USISIF is cleared: a slow start handler
 * stretches the clock by its delay; past the limit the master gives up. */
static void start_hold_stretches(void)
{
    struct chipsim *cs = boot(NULL);
    struct chipsim_stats st;
    uint8_t b = 0;
    chipsim_i2c_write(cs, ADDR, &b, 1);
    chipsim_stats(cs, &st);
    CHECK(st.max_stretch_us < 30, "a prompt slave stretches little: %u us", st.max_stretch_us);
    CHECK(set_reg(cs, 14, 10) == CHIPSIM_OK, "set start delay");  /* 100 us */
    CHECK(chipsim_i2c_write(cs, ADDR, &b, 1) == CHIPSIM_OK, "100 us stretch is within 230");
    chipsim_stats(cs, &st);
    CHECK(st.max_stretch_us >= 95 && st.max_stretch_us < 140, "stretch %u us", st.max_stretch_us);
    CHECK(set_reg(cs, 14, 30) == CHIPSIM_OK, "set start delay 300 us");
    CHECK(chipsim_i2c_write(cs, ADDR, &b, 1) == CHIPSIM_E_STRETCH, "300 us exceeds the ESP8266 limit");
    chipsim_stats(cs, &st);
    CHECK(st.max_stretch_us >= 229 && st.max_stretch_us <= 232, "gave up at %u us", st.max_stretch_us);
    chipsim_close(cs);

    struct chipsim_config c = { .stretch_limit_us = UINT32_MAX };
    cs = boot(&c);
    set_reg(cs, 14, 30);
    CHECK(chipsim_i2c_write(cs, ADDR, &b, 1) == CHIPSIM_OK, "no limit: the master waits");
    chipsim_stats(cs, &st);
    CHECK(st.max_stretch_us >= 295, "stretch %u us", st.max_stretch_us);
    chipsim_close(cs);
}

/* Mode 11 holds SCL after each counter overflow until USIOIF is cleared. */
static void overflow_hold_stretches(void)
{
    struct chipsim *cs = boot(NULL);
    CHECK(set_reg(cs, 15, 8) == CHIPSIM_OK, "set overflow delay 80 us");
    uint8_t w[] = { 0, 1, 2 };
    CHECK(chipsim_i2c_write(cs, ADDR, w, 3) == CHIPSIM_OK, "write");
    struct chipsim_stats st;
    chipsim_stats(cs, &st);
    CHECK(st.max_stretch_us >= 75 && st.max_stretch_us < 120, "stretch %u us", st.max_stretch_us);
    chipsim_close(cs);
}

/* The probe sleeps in idle during a transaction and in power-down between
 * them; with register 13 set it wrongly stays in power-down, where only the
 * start condition (not the overflow) can wake it on silicon. */
static void sleep_checker_catches_power_down_overflow(void)
{
    struct chipsim *cs = boot(NULL);
    uint8_t w[] = { 0, 9, 9 };
    chipsim_i2c_write(cs, ADDR, w, 3);
    struct chipsim_stats st;
    chipsim_stats(cs, &st);
    CHECK(st.sleep_mode_errors == 0, "correct probe: %s", chipsim_sleep_error(cs));
    CHECK(st.sleeps > 0 && st.idle_cycles > 0, "slept %llu times, %llu idle cycles",
          (unsigned long long)st.sleeps, (unsigned long long)st.idle_cycles);
    set_reg(cs, 13, 1);
    chipsim_i2c_write(cs, ADDR, w, 3);
    chipsim_stats(cs, &st);
    CHECK(st.sleep_mode_errors > 0, "power-down woken by USI_OVF must be flagged");
    const char *e = chipsim_sleep_error(cs);
    CHECK(e && strstr(e, "power-down") && strstr(e, "vector 14"), "message: %s", e ? e : "(none)");
    chipsim_close(cs);
}

/* SDA falling with SCL high is a start even mid-byte: after a master that
 * died mid-transaction, the next transaction works. */
static void abort_then_recover(void)
{
    struct chipsim *cs = boot(NULL);
    uint8_t w[] = { 3, 0x55, 0x66 };
    CHECK(chipsim_i2c_write_abort(cs, ADDR, w, 3, 11) == CHIPSIM_OK, "abort");
    chipsim_run_us(cs, 200);
    CHECK(chipsim_level(cs, CHIPSIM_SIG_SCL) == 1, "SCL released after the abort");
    uint8_t w2[] = { 3, 0x77 };
    CHECK(chipsim_i2c_write(cs, ADDR, w2, 2) == CHIPSIM_OK, "write after abort");
    uint8_t p = 3, r = 0;
    chipsim_i2c_write_read(cs, ADDR, &p, 1, &r, 1);
    CHECK(r == 0x77, "read %02x", r);
    chipsim_close(cs);
}

static void stuck_lines(void)
{
    struct chipsim *cs = boot(NULL);
    uint8_t b = 0;
    chipsim_hold_low(cs, CHIPSIM_SIG_SDA, 1);
    CHECK(chipsim_level(cs, CHIPSIM_SIG_SDA) == 0, "SDA low");
    CHECK(chipsim_i2c_write(cs, ADDR, &b, 1) == CHIPSIM_E_BUS, "SDA stuck");
    chipsim_hold_low(cs, CHIPSIM_SIG_SDA, 0);
    chipsim_hold_low(cs, CHIPSIM_SIG_SCL, 1);
    CHECK(chipsim_i2c_write(cs, ADDR, &b, 1) == CHIPSIM_E_BUS, "SCL stuck");
    chipsim_hold_low(cs, CHIPSIM_SIG_SCL, 0);
    chipsim_run_us(cs, 100);
    CHECK(chipsim_i2c_write(cs, ADDR, &b, 1) == CHIPSIM_OK, "bus free again");
    chipsim_close(cs);
}

struct edges {
    uint64_t scl_rise, sda_fall, last_cycle;
    int ordered;
};

static void count_edge(void *ctx, enum chipsim_signal sig, int level, uint64_t cycle)
{
    struct edges *e = ctx;
    if (cycle < e->last_cycle)
        e->ordered = 0;
    e->last_cycle = cycle;
    if (sig == CHIPSIM_SIG_SCL && level)
        e->scl_rise++;
    if (sig == CHIPSIM_SIG_SDA && !level)
        e->sda_fall++;
}

/* Nine clocks per byte, plus the one of the STOP; edges come in cycle order. */
static void edges_on_the_wire(void)
{
    struct chipsim *cs = boot(NULL);
    struct edges e = { 0, 0, 0, 1 };
    chipsim_on_edge(cs, count_edge, &e);
    uint8_t w[] = { 0, 0xFF, 0xFF };
    chipsim_i2c_write(cs, ADDR, w, 3);
    CHECK(e.scl_rise == 4 * 9 + 1, "SCL rising edges %llu", (unsigned long long)e.scl_rise);
    CHECK(e.ordered, "edge cycles went backwards");
    chipsim_close(cs);
}

/* Brown-out keeps RAM and reports BORF; a power cycle reports PORF with RAM
 * refilled; a watchdog reset reports WDRF. */
static void chip_resets(void)
{
    struct chipsim *cs = boot(NULL);
    uint8_t n0 = 0, n1 = 0;
    chipsim_ram_read(cs, "probe_noinit", 0, &n0, 1);
    chipsim_brownout(cs);
    chipsim_run_us(cs, 1000);
    chipsim_ram_read(cs, "probe_noinit", 0, &n1, 1);
    struct probe_stats s = stats(cs);
    CHECK(n1 == (uint8_t)(n0 + 1), "noinit kept across brown-out: %u -> %u", n0, n1);
    CHECK(s.mcusr == 0x04, "MCUSR after brown-out %02x", s.mcusr);

    chipsim_ram_write(cs, "probe_noinit", 0, &(uint8_t){ 0x42 }, 1);
    int differs = 0;
    for (uint32_t seed = 1; seed <= 4; seed++) {
        chipsim_power_cycle(cs, seed);
        chipsim_ram_read(cs, "probe_noinit", 0, &n1, 1);
        differs += n1 != 0x42;
        chipsim_run_us(cs, 1000);
    }
    s = stats(cs);
    CHECK(differs >= 3, "RAM not refilled by power cycles");
    CHECK(s.mcusr == 0x01, "MCUSR after power cycle %02x", s.mcusr);

    set_reg(cs, 12, 0xD0);              /* hang with the watchdog armed */
    chipsim_run_us(cs, 40000);
    s = stats(cs);
    CHECK(s.mcusr == 0x08, "MCUSR after watchdog reset %02x", s.mcusr);
    struct chipsim_stats st;
    chipsim_stats(cs, &st);
    CHECK(st.chip_resets == 6, "chip resets %u", st.chip_resets);
    uint8_t b = 0;
    CHECK(chipsim_i2c_write(cs, ADDR, &b, 1) == CHIPSIM_OK, "answers after the resets");
    chipsim_close(cs);
}

/* Nothing to do: the probe sleeps in power-down, the clock jumps. */
static void idle_chip_sleeps(void)
{
    struct chipsim *cs = boot(NULL);
    struct chipsim_stats a, b;
    chipsim_stats(cs, &a);
    chipsim_run_us(cs, 2000000);
    chipsim_stats(cs, &b);
    CHECK(b.cycles - a.cycles >= 16000000u, "2 s of cycles");
    CHECK(b.awake_cycles - a.awake_cycles < 100, "awake %llu cycles while idle",
          (unsigned long long)(b.awake_cycles - a.awake_cycles));
    struct chipsim_core_view v;
    CHECK(chipsim_core_view(cs, &v) == -1, "the probe has no g_wd");
    chipsim_close(cs);
}

static void bad_files(void)
{
    struct chipsim *cs;
    char err[256];
    struct chipsim_config c = { .elf_path = "/nonexistent/extwd.elf" };
    CHECK(chipsim_open(&cs, &c, err, sizeof(err)) < 0 && !cs, "missing file");
    CHECK(strstr(err, "/nonexistent/extwd.elf") && strstr(err, "cannot open"), "%s", err);
    c.elf_path = "/proc/self/exe";      /* an ELF, but not an AVR one */
    CHECK(chipsim_open(&cs, &c, err, sizeof(err)) < 0, "host ELF");
    CHECK(strstr(err, "not an AVR ELF"), "%s", err);
    c.elf_path = "/etc/hostname";
    CHECK(chipsim_open(&cs, &c, err, sizeof(err)) < 0, "text file");
    CHECK(strstr(err, "not an ELF"), "%s", err);
    /* the probe ELF cut short, and the probe ELF without .mmcu */
    FILE *in = fopen(fw_elf, "rb");
    REQUIRE(in, "cannot read %s", fw_elf);
    static uint8_t img[65536];
    size_t n = fread(img, 1, sizeof(img), in);
    fclose(in);
    char cut[512];
    int fd = temp_file(cut, sizeof cut, "extwd-cut");
    REQUIRE(fd >= 0, "mkstemp");
    FILE *out = fdopen(fd, "wb");
    fwrite(img, 1, n / 3, out);
    fclose(out);
    c.elf_path = cut;
    CHECK(chipsim_open(&cs, &c, err, sizeof(err)) < 0, "truncated ELF");
    CHECK(strstr(err, cut) != NULL, "%s", err);
    remove(cut);
    char nommcu[512];
    fd = temp_file(nommcu, sizeof nommcu, "extwd-nommcu");
    REQUIRE(fd >= 0, "mkstemp");
    close(fd);
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), "avr-objcopy -R .mmcu '%s' '%s' 2>/dev/null", fw_elf, nommcu);
    if (system(cmd) == 0) {
        c.elf_path = nommcu;
        CHECK(chipsim_open(&cs, &c, err, sizeof(err)) < 0, "ELF without .mmcu");
        CHECK(strstr(err, ".mmcu"), "%s", err);
    }
    remove(nommcu);
    uint8_t big[600];
    memset(big, 0, sizeof(big));
    c.elf_path = fw_elf;
    c.eeprom = big;
    c.eeprom_len = sizeof(big);
    CHECK(chipsim_open(&cs, &c, err, sizeof(err)) < 0, "EEPROM image too big");
    CHECK(strstr(err, "EEPROM"), "%s", err);
}

int main(int argc, char **argv)
{
    fw_main(argc, argv);
    RUN(write_then_read_back);
    RUN(repeated_start);
    RUN(wrong_address_is_nacked);
    RUN(start_hold_stretches);
    RUN(overflow_hold_stretches);
    RUN(sleep_checker_catches_power_down_overflow);
    RUN(abort_then_recover);
    RUN(stuck_lines);
    RUN(edges_on_the_wire);
    RUN(chip_resets);
    RUN(idle_chip_sleeps);
    RUN(bad_files);
    return fw_done();
}
