/*
 * Workloads for bench/lib/run.sh. Each mode runs one loop in a function of
 * its own, so callgrind can count the instructions of just that loop
 * (--toggle-collect); run.sh runs each mode at two lengths and divides the
 * difference, so the set-up cost drops out.
 *
 *   bench_lib notdue N     N extwd_feed calls that are not due
 *   bench_lib due N        N due extwd_feed calls, on a port that does nothing
 *   bench_lib duechip N    N due extwd_feed calls, on the fake bus with the real core
 *   bench_lib due8 N       N due extwd_feed calls with 8 health channels, all healthy
 *   bench_lib notdue8 N    N not-due calls with 8 health channels
 *   bench_lib hour LOOP_MS bytes on the bus in an hour of a host loop of LOOP_MS
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extwd/extwd.h"
#include "fake_bus.h"
#include "fake_chip.h"

/* A port that acknowledges everything and answers like an extwd chip that
 * is not there: enough for init of the stock path, and free to call. */
struct null_port {
    uint32_t now;
};

static int np_write(void *ctx, uint8_t addr, const uint8_t *buf, size_t len)
{
    (void)ctx; (void)addr; (void)buf; (void)len;
    return 0;
}

static int np_read(void *ctx, uint8_t addr, uint8_t *buf, size_t len)
{
    (void)ctx; (void)addr;
    memset(buf, 0, len);
    return 0;
}

static uint32_t np_millis(void *ctx)
{
    return ((struct null_port *)ctx)->now;
}

__attribute__((noinline)) int bench_notdue(struct extwd *wd, uint32_t n);
__attribute__((noinline)) int bench_notdue(struct extwd *wd, uint32_t n)
{
    int fed = 0;
    for (uint32_t i = 0; i < n; i++)
        fed += extwd_feed(wd);
    return fed;
}

__attribute__((noinline)) int bench_due(struct extwd *wd, uint32_t *clock, uint32_t n);
__attribute__((noinline)) int bench_due(struct extwd *wd, uint32_t *clock, uint32_t n)
{
    int fed = 0;
    for (uint32_t i = 0; i < n; i++) {
        *clock += 100u;
        fed += extwd_feed(wd);
    }
    return fed;
}

/* 8 health channels, checked in before the loop: deadlines far away. */
static struct extwd_channel channels[8];
static int add_channels(struct extwd *wd)
{
    static const char *names[8] = {"loop", "wifi", "mqtt", "otgw", "ota", "sensor", "web", "ntp"};
    for (uint8_t i = 0; i < 8u; i++)
        if (extwd_channel_add(wd, &channels[i], names[i], (uint8_t)(0xC0u + i), 3600000u))
            return -1;
    return 0;
}

__attribute__((noinline)) int bench_duechip(struct extwd *wd, struct fake_bus *bus, uint32_t n);
__attribute__((noinline)) int bench_duechip(struct extwd *wd, struct fake_bus *bus, uint32_t n)
{
    int fed = 0;
    for (uint32_t i = 0; i < n; i++) {
        bus->now_ms += 100u; /* the clock only: the chip's ticks are not the library's cost */
        fed += extwd_feed(wd);
    }
    return fed;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_lib notdue|due|duechip|hour N\n");
        return 2;
    }
    uint32_t n = (uint32_t)strtoul(argv[2], NULL, 0);
    struct extwd wd;
    if (!strcmp(argv[1], "notdue") || !strcmp(argv[1], "due") || !strcmp(argv[1], "due8") ||
        !strcmp(argv[1], "notdue8")) {
        static struct null_port np = {1000};
        struct extwd_port port = {np_write, np_read, np_millis, &np, NULL};
        struct extwd_config cfg = {.port = &port};
        if (extwd_init(&wd, &cfg) || extwd_feed(&wd) != 1)
            return 1;
        if (argv[1][strlen(argv[1]) - 1] == '8' && add_channels(&wd))
            return 1;
        int fed = !strncmp(argv[1], "notdue", 6) ? bench_notdue(&wd, n) : bench_due(&wd, &np.now, n);
        printf("%d feeds in %u calls\n", fed, n);
        return 0;
    }
    static struct fake_bus bus;
    static struct fake_chip chip;
    struct extwd_port port;
    struct fake_device d;
    fake_bus_init(&bus, NULL, 0, 0);
    fake_chip_power_up(&chip, NULL);
    fake_chip_device(&chip, &d);
    fake_bus_attach(&bus, &d);
    fake_bus_port(&bus, &port);
    struct extwd_config cfg = {.port = &port};
    if (extwd_init(&wd, &cfg) || extwd_arm(&wd))
        return 1;
    if (!strcmp(argv[1], "duechip")) {
        printf("%d feeds in %u calls\n", bench_duechip(&wd, &bus, n), n);
        return 0;
    }
    if (!strcmp(argv[1], "hour")) {
        fake_bus_clear_log(&bus);
        uint32_t loop_ms = n, calls = 0;
        for (uint32_t t = 0; t < 3600000u; t += loop_ms) {
            extwd_feed(&wd);
            calls++;
            fake_bus_advance(&bus, loop_ms);
        }
        printf("loop_ms %u calls %u feeds %u transactions %u bytes %llu host_resets %u\n", loop_ms, calls,
               wd.stats.feeds - 1u, bus.xfers, (unsigned long long)bus.bytes, chip.hw.host_resets);
        return chip.hw.host_resets != 0;
    }
    fprintf(stderr, "bench_lib: unknown mode %s\n", argv[1]);
    return 2;
}
