/*
 * I2C server on chipsim: the real firmware ELF in simavr, with its bit-level
 * (ATtiny85 USI) or TWI (ATmega328P) bus, kept in step with real time.
 *   i2c-server-sim --socket PATH --elf FILE [--log FILE] [--stretch-limit-us N]
 *
 * This program links libsimavr through chipsim: it is GPL-3.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chipsim.h"
#include "chipsim_extwd.h"
#include "extwd/extwd.h"
#include "i2c_server.h"

struct sim_backend {
    struct chipsim *cs;
    uint32_t freq;
    int crashed;
};

static int map(struct sim_backend *s, int r)
{
    if (r == CHIPSIM_E_CRASHED) {
        if (!s->crashed)
            server_log(chipsim_us(s->cs), "crashed");
        s->crashed = 1;
    }
    return chipsim_extwd_rc(r);
}

static int sb_write(void *ctx, uint8_t addr, const uint8_t *buf, size_t len)
{
    struct sim_backend *s = ctx;
    return map(s, chipsim_i2c_write(s->cs, addr, buf, len));
}

static int sb_read(void *ctx, uint8_t addr, uint8_t *buf, size_t len)
{
    struct sim_backend *s = ctx;
    return map(s, chipsim_i2c_read(s->cs, addr, buf, len));
}

static void sb_run_to(void *ctx, uint64_t us)
{
    struct sim_backend *s = ctx;
    uint64_t now = chipsim_us(s->cs);
    if (now < us && !s->crashed) {
        int r = chipsim_run_us(s->cs, us - now);
        if (r && !s->crashed) {
            char line[64];
            snprintf(line, sizeof line, "chip stopped (chipsim %d)", r);
            server_log(chipsim_us(s->cs), line);
            s->crashed = 1;
        }
    }
}

static uint64_t sb_now_us(void *ctx)
{
    return chipsim_us(((struct sim_backend *)ctx)->cs);
}

static void sb_close(void *ctx)
{
    struct sim_backend *s = ctx;
    struct chipsim_stats st;
    chipsim_stats(s->cs, &st);
    char line[160];
    snprintf(line, sizeof line, "stats mcu %s max_stretch_us %u bus_bytes %llu chip_resets %u sleep_mode_errors %u",
             chipsim_mcu(s->cs), st.max_stretch_us, (unsigned long long)st.bus_bytes, st.chip_resets,
             st.sleep_mode_errors);
    server_log(chipsim_us(s->cs), line);
    chipsim_close(s->cs);
}

static void on_edge(void *ctx, enum chipsim_signal sig, int level, uint64_t cycle)
{
    struct sim_backend *s = ctx;
    if (sig == CHIPSIM_SIG_RESET && level == 0)
        server_log(cycle * 1000000u / s->freq, "reset");
}

int main(int argc, char **argv)
{
    const char *sock = NULL, *log = NULL, *elf = NULL;
    struct chipsim_config cfg = {0};
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--socket"))
            sock = argv[i + 1];
        else if (!strcmp(argv[i], "--log"))
            log = argv[i + 1];
        else if (!strcmp(argv[i], "--elf"))
            elf = argv[i + 1];
        else if (!strcmp(argv[i], "--stretch-limit-us"))
            cfg.stretch_limit_us = (uint32_t)strtoul(argv[i + 1], NULL, 0);
    }
    if (!sock || !elf) {
        fprintf(stderr, "usage: i2c-server-sim --socket PATH --elf FILE [--log FILE] [--stretch-limit-us N]\n");
        return 2;
    }
    static struct sim_backend s;
    char err[256];
    cfg.elf_path = elf;
    cfg.ram_seed = 1;
    if (chipsim_open(&s.cs, &cfg, err, sizeof err)) {
        fprintf(stderr, "i2c-server-sim: %s\n", err);
        return 1;
    }
    s.freq = chipsim_freq(s.cs);
    chipsim_on_edge(s.cs, on_edge, &s);
    struct i2c_backend b = {&s, sb_write, sb_read, sb_run_to, sb_now_us, sb_close};
    return server_main(&b, sock, log);
}
