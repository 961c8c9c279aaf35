/*
 * wdtest: runs inside the test guest, as PID 1's child, against extwd_wdt
 * bound to the real chip core (extwd_chipsim). It drives the watchdog API
 * the way systemd and the watchdog daemon do, and checks each answer
 * against what the chip core itself recorded (/sys/module/extwd_chipsim/
 * parameters: feeds and reset edges with CLOCK_MONOTONIC timestamps, the
 * chip's ACTION and TIMEOUT_MS). It writes chip registers directly through
 * i2c-dev only to set a breadcrumb and to lock the chip.
 *
 * Output: one "ok"/"not ok" line per check, FIGURE lines with the
 * measurements, and last "WDTEST PASS" or "WDTEST FAIL <n>".
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include <linux/watchdog.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "extwd/protocol.h"

#define SIM "/sys/module/extwd_chipsim/parameters/"
#define WDT "/sys/class/watchdog/watchdog0/"
#define DRV "/sys/bus/i2c/drivers/extwd_wdt/"
#define LATENCY_SAMPLES 50

static int failures;
static char client[32]; /* the chip's i2c device name, e.g. "0-0026" */
static int bus = -1;

/* Prints one check; counts a failure. Returns cond. */
static int check(int cond, const char *what)
{
    printf("%s - %s\n", cond ? "ok" : "not ok", what);
    if (!cond)
        failures++;
    return cond;
}

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) && errno == EINTR) {
    }
}

/* Reads a sysfs file into buf without its newline. Returns 0, or -1 if it
 * cannot be read (buf is then empty). */
static int read_text(const char *path, char *buf, size_t n)
{
    buf[0] = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t k = read(fd, buf, n - 1);
    close(fd);
    if (k < 0)
        return -1;
    buf[k] = 0;
    buf[strcspn(buf, "\n")] = 0;
    return 0;
}

/* Returns the number in a sysfs file (decimal or 0x hex), -1 if unreadable. */
static long long read_num(const char *path)
{
    char b[64];
    if (read_text(path, b, sizeof b))
        return -1;
    return strtoll(b, NULL, 0);
}

static long long sim(const char *name)
{
    char p[128];
    snprintf(p, sizeof p, SIM "%s", name);
    return read_num(p);
}

static int write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return -1;
    ssize_t k = write(fd, text, strlen(text));
    close(fd);
    return k == (ssize_t)strlen(text) ? 0 : -1;
}

/* Waits up to ms for path to appear. Returns 0 when it is there. */
static int wait_for(const char *path, long ms)
{
    for (long t = 0; t < ms; t += 10) {
        if (access(path, F_OK) == 0)
            return 0;
        sleep_ms(10);
    }
    return -1;
}

/* Writes one frame to the chip through i2c-dev (a second master on the
 * bus, as extwdctl would be). Returns 0 or -1. */
static int chip_write(const uint8_t *frame, uint16_t len)
{
    char dev[32];
    snprintf(dev, sizeof dev, "/dev/i2c-%d", bus);
    int fd = open(dev, O_RDWR);
    if (fd < 0)
        return -1;
    struct i2c_msg m = {.addr = EXTWD_I2C_ADDR_DEFAULT, .flags = 0, .len = len, .buf = (uint8_t *)frame};
    struct i2c_rdwr_ioctl_data d = {.msgs = &m, .nmsgs = 1};
    int r = ioctl(fd, I2C_RDWR, &d);
    close(fd);
    return r == 1 ? 0 : -1;
}

/* Unbinds and binds the driver again: a fresh probe, as after a reboot. */
static int rebind(void)
{
    if (write_text(DRV "unbind", client) || write_text(DRV "bind", client))
        return -1;
    return wait_for("/dev/watchdog0", 2000);
}

/* Waits up to ms for path to be gone. Returns 0 when it is. */
static int wait_gone(const char *path, long ms)
{
    for (long t = 0; t < ms; t += 10) {
        if (access(path, F_OK) != 0)
            return 0;
        sleep_ms(10);
    }
    return -1;
}

/* Waits up to ms for the chip to record a reset beyond `before`, then for
 * the end of its pulse: a real host would be rebooting meanwhile, and the
 * chip refuses feeds during the pulse (SPEC 5.4). Returns 1 if it reset. */
static int wait_reset(long long before, long ms)
{
    long t = 0;
    for (; t < ms && sim("resets") <= before; t += 5)
        sleep_ms(5);
    if (sim("resets") <= before)
        return 0;
    for (; t < ms + EXTWD_PULSE_MS_MAX && sim("reset_line") == 1; t += 5)
        sleep_ms(5);
    return 1;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* ---- the phases --------------------------------------------------------------- */

/* Before anyone opens it: a power-on probe, the chip running, fed by the core. */
static void probe_and_hw_running(void)
{
    char b[64];
    read_text(WDT "chip", b, sizeof b);
    check(!strcmp(b, "extwd"), "probe found an extwd chip");
    check(read_num(WDT "bootstatus") == 0, "power-on: bootstatus 0");
    read_text(WDT "reset_cause", b, sizeof b);
    check(!strcmp(b, "none"), "power-on: reset_cause none");
    check(read_num(WDT "timeout") == EXTWD_DEFAULT_TIMEOUT_MS / 1000, "timeout is the chip's own (3 s)");

    long long f0 = sim("feeds");
    sleep_ms(EXTWD_DEFAULT_TIMEOUT_MS + 500);
    check(sim("feeds") > f0, "chip armed at power-up: the watchdog core feeds it before open");
    check(sim("resets") == 0, "and no reset while it does");
}

static void support_and_timeouts(int fd)
{
    struct watchdog_info info;
    memset(&info, 0, sizeof info);
    check(ioctl(fd, WDIOC_GETSUPPORT, &info) == 0, "WDIOC_GETSUPPORT");
    long long caps = read_num(WDT "caps");
    unsigned want = WDIOF_SETTIMEOUT | WDIOF_KEEPALIVEPING | WDIOF_MAGICCLOSE | WDIOF_CARDRESET |
                    ((caps & EXTWD_CAP_PRETIMEOUT) ? WDIOF_PRETIMEOUT : 0);
    printf("# options 0x%x caps 0x%llx identity '%s' firmware 0x%x\n", info.options, caps,
           (const char *)info.identity, info.firmware_version);
    check(caps > 0 && info.options == want, "option bits match the chip's capabilities");
    check(!strcmp((const char *)info.identity, "extwd"), "identity extwd");
    check(info.firmware_version >> 16 == 2, "firmware major version 2");

    int t = 0;
    check(ioctl(fd, WDIOC_GETTIMEOUT, &t) == 0 && t == 3, "GETTIMEOUT 3");
    t = 1;
    check(ioctl(fd, WDIOC_SETTIMEOUT, &t) == 0 && t == 1, "SETTIMEOUT 1");
    check(sim("timeout_ms") == 1000, "chip TIMEOUT_MS 1000");
    t = EXTWD_TIMEOUT_MS_MAX / 1000 + 1;
    check(ioctl(fd, WDIOC_SETTIMEOUT, &t) < 0 && errno == EINVAL, "SETTIMEOUT above the chip's range: EINVAL");
    t = 2;
    check(ioctl(fd, WDIOC_SETTIMEOUT, &t) == 0 && t == 2, "SETTIMEOUT 2");
    t = 0;
    check(ioctl(fd, WDIOC_GETTIMEOUT, &t) == 0 && t == 2, "GETTIMEOUT 2");
    check(sim("timeout_ms") == 2000, "chip TIMEOUT_MS 2000");

    if (want & WDIOF_PRETIMEOUT) {
        int p = 1;
        check(ioctl(fd, WDIOC_SETPRETIMEOUT, &p) == 0, "SETPRETIMEOUT 1");
        p = 0;
        check(ioctl(fd, WDIOC_GETPRETIMEOUT, &p) == 0 && p == 1, "GETPRETIMEOUT 1");
        p = 0;
        check(ioctl(fd, WDIOC_SETPRETIMEOUT, &p) == 0, "SETPRETIMEOUT 0 (off)");
    }
    int dummy = 0;
    check(ioctl(fd, WDIOC_KEEPALIVE, &dummy) == 0, "KEEPALIVE");
    int left = -1;
    check(ioctl(fd, WDIOC_GETTIMELEFT, &left) == 0 && left >= 1 && left <= 2, "GETTIMELEFT 1-2 s after a feed");
    sleep_ms(1100);
    check(ioctl(fd, WDIOC_GETTIMELEFT, &left) == 0 && left == 0, "GETTIMELEFT 0 s 1.1 s later");
    check(ioctl(fd, WDIOC_KEEPALIVE, &dummy) == 0 && sim("resets") == 0, "fed in time: no reset");
}

/* KEEPALIVE to the chip's accepted feed, from the guest's clock and the
 * adapter's (both CLOCK_MONOTONIC). */
static void keepalive_latency(int fd)
{
    long long lat[LATENCY_SAMPLES];
    int lost = 0;
    for (int i = 0; i < LATENCY_SAMPLES; i++) {
        long long f0 = sim("feeds");
        int64_t t0 = now_ns();
        int dummy = 0;
        if (ioctl(fd, WDIOC_KEEPALIVE, &dummy))
            lost++;
        lat[i] = sim("last_feed_ns") - t0;
        if (sim("feeds") != f0 + 1)
            lost++;
    }
    qsort(lat, LATENCY_SAMPLES, sizeof lat[0], cmp_ll);
    check(lost == 0 && lat[0] > 0, "every KEEPALIVE is one feed at the chip");
    printf("FIGURE keepalive_to_chip_feed_us min %.1f median %.1f max %.1f (n=%d)\n", lat[0] / 1e3,
           lat[LATENCY_SAMPLES / 2] / 1e3, lat[LATENCY_SAMPLES - 1] / 1e3, LATENCY_SAMPLES);
}

/* Returns how many kernel log lines contain text. */
static int klog_count(const char *text)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "exit $(dmesg | grep -c '%s')", text);
    int r = system(cmd);
    return r < 0 ? -1 : WEXITSTATUS(r);
}

static void set_nack(int n)
{
    char v[16];
    snprintf(v, sizeof v, "%d", n);
    write_text(SIM "nack", v);
}

/* Bus errors: a ping is retried, a run of failures is logged once, and the
 * recovery once. */
static void bus_errors(int fd)
{
    int dummy = 0;
    long long f0 = sim("feeds");
    int warned0 = klog_count("feed failed"), back0 = klog_count("feeding again");
    set_nack(2);
    check(ioctl(fd, WDIOC_KEEPALIVE, &dummy) == 0 && sim("feeds") == f0 + 1,
          "two NACKs: KEEPALIVE still feeds (third attempt)");
    check(klog_count("feed failed") == warned0, "and logs nothing");
    set_nack(1000);
    int failed = 0;
    for (int i = 0; i < 10; i++)
        failed += ioctl(fd, WDIOC_KEEPALIVE, &dummy) < 0;
    set_nack(0);
    check(failed == 10, "chip off the bus: every KEEPALIVE fails");
    check(klog_count("feed failed") == warned0 + 1, "ten failed pings: one log line");
    f0 = sim("feeds");
    check(ioctl(fd, WDIOC_KEEPALIVE, &dummy) == 0 && sim("feeds") == f0 + 1, "chip back: KEEPALIVE feeds");
    check(klog_count("feeding again") == back0 + 1, "and the recovery is logged once");
}

/* Pings every 500 ms for 3 s with a 2 s timeout: never a reset. */
static void pings_hold_it_off(int fd)
{
    long long r0 = sim("resets");
    for (int i = 0; i < 6; i++) {
        int dummy = 0;
        ioctl(fd, WDIOC_KEEPALIVE, &dummy);
        sleep_ms(500);
    }
    check(sim("resets") == r0, "no reset while the pings continue (3 s, timeout 2 s)");
}

/* Writes a 16-bit register through i2c-dev. Returns 0 or -1. */
static int chip_write16(uint8_t reg, unsigned v)
{
    uint8_t f[3] = {reg, (uint8_t)(v & 0xFFu), (uint8_t)(v >> 8)};
    return chip_write(f, sizeof f);
}

/* Magic close disarms. The disarm is bounded (here MAX_DISARM_S = 2): a
 * chip nobody feeds re-arms itself after it and, its countdown having run,
 * resets the host; the driver's own feeding keeps that from happening to a
 * host that runs fine (firmware 2.1 takes the feeds as signs of life and
 * keeps the disarm; 2.0 re-arms and is then fed). */
static void magic_close(int fd)
{
    check(chip_write16(EXTWD_REG_MAX_DISARM_S, 2) == 0, "MAX_DISARM_S 2 through i2c-dev");
    check(write(fd, "V", 1) == 1, "write magic 'V'");
    check(close(fd) == 0, "close");
    check(sim("action") == 0, "magic close disarmed the chip");
    long long r0 = sim("resets"), f0 = sim("feeds");
    sleep_ms(3500);
    printf("# 3.5 s after the stop the chip is %s\n", sim("action") ? "re-armed" : "still disarmed");
    check(sim("resets") == r0, "no reset: the driver fed the stopped chip past its disarm bound (3.5 s)");
    check(sim("feeds") > f0 + 1, "the driver's own feeds");
}

static void set_options(void)
{
    int fd = open("/dev/watchdog", O_WRONLY);
    check(fd >= 0, "open again");
    check(sim("action") == 1, "open armed the chip");
    check(chip_write16(EXTWD_REG_MAX_DISARM_S, 0) == 0, "MAX_DISARM_S 0 (unbounded) through i2c-dev");
    int o = WDIOS_DISABLECARD;
    check(ioctl(fd, WDIOC_SETOPTIONS, &o) == 0 && sim("action") == 0, "SETOPTIONS DISABLECARD disarms");
    long long f0 = sim("feeds");
    sleep_ms(1200);
    check(sim("feeds") == f0, "an unbounded disarm: nothing feeds the stopped chip");
    o = WDIOS_ENABLECARD;
    check(ioctl(fd, WDIOC_SETOPTIONS, &o) == 0 && sim("action") == 1, "SETOPTIONS ENABLECARD arms");
    check(write(fd, "V", 1) == 1 && close(fd) == 0, "magic close");
}

/* A plain close does not disarm: the reset comes about TIMEOUT after the
 * last feed. A breadcrumb written before is latched by the chip. */
static void plain_close_resets(void)
{
    int fd = open("/dev/watchdog", O_WRONLY);
    check(fd >= 0, "open");
    int t = 2, dummy = 0;
    check(ioctl(fd, WDIOC_SETTIMEOUT, &t) == 0, "SETTIMEOUT 2");
    static const uint8_t crumb[2] = {EXTWD_REG_BREADCRUMB, 0x2A};
    check(chip_write(crumb, sizeof crumb) == 0, "breadcrumb 0x2A written through i2c-dev");
    ioctl(fd, WDIOC_KEEPALIVE, &dummy);
    long long r0 = sim("resets");
    check(close(fd) == 0, "plain close (no 'V')");
    check(sim("action") == 1, "plain close leaves the chip armed");
    int fired = wait_reset(r0, 4000);
    check(fired, "the chip resets the host after the pings stop");
    long long after = sim("last_reset_ns") - sim("last_feed_ns");
    printf("FIGURE reset_after_last_ping_ms %.1f (timeout 2000 ms)\n", after / 1e6);
    /* SPEC 5.1: within a tick (16 ms) of TIMEOUT after the STOP of the last
     * feed. Never earlier; later by up to 250 ms, because under software
     * emulation on a loaded machine the guest's timer can run late. */
    check(fired && after >= 2000000000LL - 16000000LL && after <= 2000000000LL + 250000000LL,
          "reset 2 s (-16/+250 ms) after the last feed");
    check(sim("resets") == r0 + 1, "exactly one reset");
}

/* A fresh probe after that reset: WDIOF_CARDRESET and the evidence. */
static void reprobe_after_reset(void)
{
    check(rebind() == 0, "driver unbound and bound again");
    char b[64];
    check(read_num(WDT "bootstatus") == WDIOF_CARDRESET, "re-probe: bootstatus WDIOF_CARDRESET");
    read_text(WDT "reset_cause", b, sizeof b);
    check(!strcmp(b, "timeout"), "re-probe: reset_cause timeout");
    check(read_num(WDT "reset_breadcrumb") == 0x2A, "re-probe: breadcrumb 0x2A latched at the reset");
    check(read_num(WDT "reset_count") == 1 && read_num(WDT "resets_total") == 1, "re-probe: one reset counted");
    check(read_num(WDT "history_len") == 1, "re-probe: one history entry");
    int fd = open("/dev/watchdog", O_WRONLY);
    int bs = -1;
    check(fd >= 0 && ioctl(fd, WDIOC_GETBOOTSTATUS, &bs) == 0 && bs == WDIOF_CARDRESET,
          "GETBOOTSTATUS WDIOF_CARDRESET");
    check(write(fd, "V", 1) == 1 && close(fd) == 0 && sim("action") == 0, "magic close disarms");
}

/* nowayout=1: neither SETOPTIONS nor the magic close stops it. */
static void nowayout(void)
{
    check(system("rmmod extwd_wdt && insmod /extwd_wdt.ko nowayout=1") == 0, "reloaded with nowayout=1");
    check(wait_for("/dev/watchdog0", 2000) == 0, "watchdog0 back");
    check(read_num(WDT "nowayout") == 1, "sysfs nowayout 1");
    int fd = open("/dev/watchdog", O_WRONLY);
    int t = 1, o = WDIOS_DISABLECARD;
    check(fd >= 0 && ioctl(fd, WDIOC_SETTIMEOUT, &t) == 0, "open, SETTIMEOUT 1");
    check(ioctl(fd, WDIOC_SETOPTIONS, &o) < 0 && errno == EBUSY && sim("action") == 1,
          "SETOPTIONS DISABLECARD refused (EBUSY), chip still armed");
    long long r0 = sim("resets");
    check(write(fd, "V", 1) == 1 && close(fd) == 0, "magic close");
    check(sim("action") == 1, "nowayout: still armed after the magic close");
    check(wait_reset(r0, 3000), "nowayout: the chip resets the host after the pings stop");
}

/* A chip locked by another master: the driver reports nowayout and the chip
 * refuses the disarm, so the core keeps it running. */
static void chip_lock(void)
{
    static const uint8_t lock[2] = {EXTWD_REG_LOCK, EXTWD_LOCK_MAGIC};
    check(system("rmmod extwd_wdt && insmod /extwd_wdt.ko") == 0, "reloaded without nowayout");
    check(wait_for("/dev/watchdog0", 2000) == 0, "watchdog0 back");
    check(read_num(WDT "nowayout") == 0, "unlocked chip: nowayout 0");
    static const uint8_t never[5] = {EXTWD_REG_TIMEOUT_MS, 0, 0, 0, 0};
    long long r0 = sim("resets");
    check(chip_write(never, sizeof never) == 0 && rebind() == 0, "TIMEOUT_MS 0 (never) through i2c-dev, re-probe");
    sleep_ms(EXTWD_DEFAULT_TIMEOUT_MS + 300);
    check(sim("resets") == r0 && sim("timeout_ms") == 0, "a chip with timeout 0: probe starts no countdown");
    int nfd = open("/dev/watchdog", O_WRONLY);
    check(nfd >= 0 && sim("timeout_ms") == EXTWD_DEFAULT_TIMEOUT_MS && sim("action") == 1,
          "open writes the timeout (3 s) and arms");
    check(write(nfd, "V", 1) == 1 && close(nfd) == 0 && sim("action") == 0, "magic close");
    static const uint8_t keyed[2] = {EXTWD_REG_OPTIONS, EXTWD_OPT_KEYED};
    check(chip_write(keyed, sizeof keyed) == 0 && rebind() == 0, "keyed mode set through i2c-dev, re-probe");
    int kfd = open("/dev/watchdog", O_WRONLY), t = 2;
    check(kfd >= 0 && ioctl(kfd, WDIOC_SETTIMEOUT, &t) == 0 && sim("timeout_ms") == 2000,
          "keyed: SETTIMEOUT 2 accepted (the driver sends the key)");
    check(write(kfd, "V", 1) == 1 && close(kfd) == 0 && sim("action") == 0, "keyed: magic close disarms");
    static const uint8_t key[3] = {EXTWD_REG_KEY, EXTWD_KEY & 0xFFu, EXTWD_KEY >> 8};
    check(chip_write(key, sizeof key) == 0 && chip_write(lock, sizeof lock) == 0,
          "chip locked through i2c-dev (after the key: keyed mode is on)");
    int fd = open("/dev/watchdog", O_WRONLY);
    check(fd >= 0 && write(fd, "V", 1) == 1 && close(fd) == 0, "open, magic close");
    check(sim("action") == 1, "locked behind the driver's back: the chip refuses the disarm");
    check(rebind() == 0, "re-probe");
    check(read_num(WDT "nowayout") == 1, "locked chip: nowayout 1");
    fd = open("/dev/watchdog", O_WRONLY);
    int o = WDIOS_DISABLECARD;
    check(fd >= 0 && ioctl(fd, WDIOC_SETOPTIONS, &o) < 0 && sim("action") == 1,
          "locked: disarm refused, chip armed");
    check(write(fd, "V", 1) == 1 && close(fd) == 0, "magic close");
}

/* Finds the adapter called adapter_name and names its chip's device in
 * client. Returns 0 or -1. */
static int find_chip(const char *adapter_name)
{
    for (int n = 0; n < 16; n++) {
        char p[96], name[64];
        snprintf(p, sizeof p, "/sys/bus/i2c/devices/i2c-%d/name", n);
        if (read_text(p, name, sizeof name) == 0 && !strcmp(name, adapter_name)) {
            bus = n;
            snprintf(client, sizeof client, "%d-%04x", n, EXTWD_I2C_ADDR_DEFAULT);
            return 0;
        }
    }
    return -1;
}

/* The stock TinyI2CWatchdog model in place of the extwd chip: found by the
 * same probe, driven in seconds, no time left or pretimeout; the reset comes
 * after T+1 of its one-second ticks. */
static void stock_chip(void)
{
    char b[64], p[96];
    check(write_text(DRV "unbind", client) == 0 && wait_gone("/dev/watchdog0", 2000) == 0,
          "extwd chip unbound");
    check(find_chip("stock chip model") == 0, "stock model adapter present");
    snprintf(p, sizeof p, "/sys/bus/i2c/devices/i2c-%d/new_device", bus);
    check(write_text(p, "extwd 0x26") == 0 && wait_for("/dev/watchdog0", 2000) == 0,
          "stock chip instantiated, watchdog0 registered");
    read_text(WDT "chip", b, sizeof b);
    check(!strcmp(b, "stock"), "probe found a stock chip");
    check(read_num(WDT "bootstatus") == 0 && read_num(WDT "caps") == 0, "stock power-on: bootstatus 0, caps 0");
    check(read_num(WDT "timeout") == 70, "timeout is the stock chip's own (70 s)");
    for (int t = 0; t < 100 && sim("stock_feeds") < 1; t++)
        sleep_ms(10);
    check(sim("stock_feeds") >= 1, "stock chip armed at power-up: the core feeds it");

    int fd = open("/dev/watchdog", O_WRONLY);
    struct watchdog_info info;
    memset(&info, 0, sizeof info);
    check(fd >= 0 && ioctl(fd, WDIOC_GETSUPPORT, &info) == 0, "open, GETSUPPORT");
    check(info.options == (WDIOF_SETTIMEOUT | WDIOF_KEEPALIVEPING | WDIOF_MAGICCLOSE | WDIOF_CARDRESET),
          "stock options: no pretimeout");
    check(!strcmp((const char *)info.identity, "TinyI2CWatchdog"), "identity TinyI2CWatchdog");
    int t = 1, left = 0, dummy = 0;
    check(ioctl(fd, WDIOC_SETTIMEOUT, &t) == 0 && sim("stock_timeout_ms") == 1000, "SETTIMEOUT 1: register 6 = 1");
    check(ioctl(fd, WDIOC_GETTIMELEFT, &left) < 0 && errno == EOPNOTSUPP, "GETTIMELEFT: EOPNOTSUPP");
    long long f0 = sim("stock_feeds");
    check(ioctl(fd, WDIOC_KEEPALIVE, &dummy) == 0 && sim("stock_feeds") == f0 + 1, "KEEPALIVE is one feed");
    long long r0 = sim("stock_resets");
    check(close(fd) == 0, "plain close");
    int fired = 0;
    for (long w = 0; w < 4000 && !(fired = sim("stock_resets") > r0); w += 5)
        sleep_ms(5);
    long long after = sim("stock_last_reset_ns") - sim("stock_last_feed_ns");
    printf("FIGURE stock_reset_after_last_ping_ms %.1f (timeout 1 s: T+1 one-second ticks)\n", after / 1e6);
    check(fired && after >= 1000000000LL && after <= 2250000000LL, "stock chip resets 1-2 s (+250 ms) after the last feed");
    for (long w = 0; w < 2000 && sim("stock_reset_line") == 1; w += 5)
        sleep_ms(5);

    check(rebind() == 0, "stock re-probe");
    read_text(WDT "reset_cause", b, sizeof b);
    check(read_num(WDT "bootstatus") == WDIOF_CARDRESET && !strcmp(b, "timeout") &&
              read_num(WDT "reset_count") == 1,
          "stock re-probe: WDIOF_CARDRESET, cause timeout, one reset");
    fd = open("/dev/watchdog", O_WRONLY);
    check(fd >= 0 && write(fd, "V", 1) == 1 && close(fd) == 0 && sim("stock_action") == 0,
          "stock magic close disarms");
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!check(find_chip("extwd chip core") == 0, "extwd_chipsim adapter present") ||
        !check(wait_for("/dev/watchdog0", 3000) == 0, "extwd_wdt registered watchdog0")) {
        printf("WDTEST FAIL %d\n", failures);
        return 1;
    }
    probe_and_hw_running();
    int fd = open("/dev/watchdog", O_WRONLY);
    if (check(fd >= 0, "open /dev/watchdog")) {
        support_and_timeouts(fd);
        keepalive_latency(fd);
        bus_errors(fd);
        pings_hold_it_off(fd);
        magic_close(fd);
    }
    set_options();
    plain_close_resets();
    reprobe_after_reset();
    nowayout();
    chip_lock();
    stock_chip();
    if (failures)
        printf("WDTEST FAIL %d\n", failures);
    else
        printf("WDTEST PASS\n");
    return failures != 0;
}
