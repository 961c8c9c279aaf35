/*
 * The scenario language's grammar: host, config, events, expectations and
 * the checks across lines. Words and numbers come from lexer.c, names from
 * names.c. Format: sim/app/README.md.
 *
 * Part of extwd-sim, which links libsimavr: GPL-3.0-or-later.
 */
#include "scenario.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extwd/extwd.h"
#include "extwd/protocol.h"
#include "lexer.h"
#include "names.h"


/* ---- defaults --------------------------------------------------------------------- */

void scenario_defaults(struct scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    sc->duration_ms = 60000;
    sc->seed = 1;
    sc->mcus = SC_MCU_ALL;
    struct sc_host *h = &sc->host;
    h->mode = SC_HOST_EXTWD;
    h->rom_ms = 300;
    h->boot_min_ms = 5000;    /* the seed: boot ~5-10 s */
    h->boot_max_ms = 10000;
    h->loop_min_ms = 10;      /* the seed: a loop pass takes 10-50 ms */
    h->loop_max_ms = 50;
    h->crash_restart_ms = 1000;
    h->i2c_hz = 100000;
    h->stretch_limit_us = 230; /* ESP8266 software master default */
    h->retries = 2;
    h->safe_mode = 1;
    h->safe_clear_ms = 60000;
    h->ota_mode = SC_LONGOP_HELPER;
    h->wifi_mode = SC_LONGOP_HELPER;
}


/* ---- host ----------------------------------------------------------------------- */

static int parse_longop(const char *s, uint8_t *out)
{
    if (!s)
        return -1;
    if (!strcmp(s, "longop"))
        *out = SC_LONGOP_HELPER;
    else if (!strcmp(s, "disarm"))
        *out = SC_LONGOP_DISARM;
    else if (!strcmp(s, "raw-feed"))
        *out = SC_LONGOP_RAW_FEED;
    else
        return -1;
    return 0;
}

static int parse_host(struct parser *p)
{
    struct sc_host *h = &p->sc->host;
    const char *key = lex_tok(p, 1), *v = lex_tok(p, 2);
    if (!key)
        return lex_fail(p, "'host' needs a setting");
    if (!strcmp(key, "mode")) {
        if (lex_need(p, 3, "host mode extwd|stock|raw"))
            return -1;
        if (!strcmp(v, "extwd"))
            h->mode = SC_HOST_EXTWD;
        else if (!strcmp(v, "stock"))
            h->mode = SC_HOST_STOCK;
        else if (!strcmp(v, "raw"))
            h->mode = SC_HOST_RAW;
        else
            return lex_fail(p, "unknown host mode '%s' (extwd, stock or raw)", v);
        return 0;
    }
    if (!strcmp(key, "boot") || !strcmp(key, "loop")) {
        uint32_t a, b;
        if (p->ntok < 3 || p->ntok > 4)
            return lex_fail(p, "usage: host %s MIN [MAX] (durations)", key);
        if (parse_ms32(v, &a) || parse_ms32(p->ntok == 4 ? lex_tok(p, 3) : v, &b))
            return lex_fail(p, "bad duration in 'host %s'", key);
        if (b < a)
            return lex_fail(p, "host %s: MAX is below MIN", key);
        if (key[0] == 'b') {
            if (b > 600000)
                return lex_fail(p, "host boot: at most 600 s");
            h->boot_min_ms = a;
            h->boot_max_ms = b;
        } else {
            if (a < 1 || b > 600000)
                return lex_fail(p, "host loop: between 1 ms and 600 s");
            h->loop_min_ms = a;
            h->loop_max_ms = b;
        }
        return 0;
    }
    if (!strcmp(key, "spikes")) {
        double prob;
        if (lex_need(p, 5, "host spikes PROBABILITY MIN MAX"))
            return -1;
        if (parse_real(v, &prob) || prob > 1)
            return lex_fail(p, "spike probability must be 0-1 or a percentage");
        if (parse_ms32(lex_tok(p, 3), &h->spike_min_ms) || parse_ms32(lex_tok(p, 4), &h->spike_max_ms) ||
            h->spike_max_ms < h->spike_min_ms || h->spike_max_ms > 600000)
            return lex_fail(p, "bad spike durations");
        h->spike_ppm = (uint32_t)(prob * 1e6 + 0.5);
        return 0;
    }
    struct { const char *name; uint32_t *dst; int is_ms; uint32_t max; } nums[] = {
        { "rom", &h->rom_ms, 1, 60000 },
        { "arm-at", &h->arm_at_ms, 1, 600000 },
        { "crash-restart", &h->crash_restart_ms, 1, 60000 },
        { "safe-clear", &h->safe_clear_ms, 1, 3600000 },
        { "millis-start", &h->millis_start, 0, UINT32_MAX },
        { "i2c-hz", &h->i2c_hz, 0, 1000000 },
        { "stretch-limit-us", &h->stretch_limit_us, 0, UINT32_MAX },
    };
    for (int i = 0; i < NELEM(nums); i++)
        if (!strcmp(key, nums[i].name)) {
            char usage[64];
            snprintf(usage, sizeof usage, "host %s VALUE", key);
            if (lex_need(p, 3, usage))
                return -1;
            uint32_t x;
            int bad = nums[i].is_ms ? parse_ms32(v, &x) : parse_u32(v, &x, nums[i].max);
            if (bad || x > nums[i].max)
                return lex_fail(p, "bad value '%s' for host %s", v, key);
            if (!strcmp(key, "i2c-hz") && x < 1000)
                return lex_fail(p, "host i2c-hz: at least 1000");
            *nums[i].dst = x;
            return 0;
        }
    struct { const char *name; uint8_t *dst; } flags[] = {
        { "breadcrumbs", &h->breadcrumbs },
        { "safe-mode", &h->safe_mode },
        { "pretimeout-irq", &h->pretimeout_irq },
        { "debug-no-watchdog", &h->debug_no_wd },
        { "channels", &h->channels },
        { "stock-delay-feed", &h->stock_delay_feed },
    };
    for (int i = 0; i < NELEM(flags); i++)
        if (!strcmp(key, flags[i].name)) {
            char usage[64];
            snprintf(usage, sizeof usage, "host %s on|off", key);
            if (lex_need(p, 3, usage))
                return -1;
            if (parse_onoff(v, flags[i].dst))
                return lex_fail(p, "host %s: expected on or off, got '%s'", key, v);
            return 0;
        }
    if (!strcmp(key, "retries")) {
        uint32_t x;
        if (lex_need(p, 3, "host retries N") || parse_u32(v, &x, 5))
            return lex_fail(p, "host retries: 0-5");
        h->retries = (uint8_t)x;
        return 0;
    }
    if (!strcmp(key, "wifi") && v && !strcmp(v, "disarm-per-attempt")) {
        if (lex_need(p, 3, "host wifi disarm-per-attempt"))
            return -1;
        h->wifi_mode = SC_LONGOP_DISARM_PER_ATTEMPT;
        return 0;
    }
    if (!strcmp(key, "ota") || !strcmp(key, "wifi")) {
        if (lex_need(p, 3, "host ota|wifi longop|disarm|raw-feed"))
            return -1;
        if (parse_longop(v, key[0] == 'o' ? &h->ota_mode : &h->wifi_mode))
            return lex_fail(p, "host %s: expected longop, disarm or raw-feed%s", key,
                        key[0] == 'w' ? " (or disarm-per-attempt)" : "");
        return 0;
    }
    if (!strcmp(key, "stock-wifi")) {
        if (lex_need(p, 3, "host stock-wifi background|blocking-disarm"))
            return -1;
        if (!strcmp(v, "background"))
            h->stock_wifi = SC_STOCK_WIFI_BACKGROUND;
        else if (!strcmp(v, "blocking-disarm"))
            h->stock_wifi = SC_STOCK_WIFI_BLOCKING_DISARM;
        else
            return lex_fail(p, "host stock-wifi: expected background or blocking-disarm");
        return 0;
    }
    return lex_fail(p, "unknown host setting '%s'", key);
}

/* ---- silicon ------------------------------------------------------------------------ */

/* A signed decimal: "-16", "+5", "2.5". Returns 0, or -1. */
static int parse_signed(const char *s, double *out)
{
    int neg = s && (*s == '-' || *s == '+') ? (*s++ == '-') : 0;
    const char *end = scan_decimal(s, out);
    if (!end || *end)
        return -1;
    if (neg)
        *out = -*out;
    return 0;
}

/* The silicon settings, one row each: the scenario's name (the option is
 * "--" and the name), the range, what the range is in words, and the scale
 * into the stored unit. */
static const struct silicon_field {
    const char *name;
    uint8_t bit;
    double lo, hi, scale;
    const char *what;
} silicon_fields[] = {
    { "rc-error", SC_SI_RC, -50, 50, 1e4, "a percentage in -50..50" },
    { "wdt-error", SC_SI_WDT, -50, 50, 1e4, "a percentage in -50..50" },
    { "drift", SC_SI_DRIFT, -1e6, 1e6, 1, "ppm per hour in -1000000..1000000" },
    { "wakeup-us", SC_SI_WAKEUP, 0, 100000, 1, "whole microseconds in 0..100000" },
};

int sc_silicon_set(struct sc_silicon *si, const char *name, double v, const char **why)
{
    const struct silicon_field *f = NULL;
    for (int i = 0; i < NELEM(silicon_fields); i++)
        if (!strcmp(silicon_fields[i].name, name))
            f = &silicon_fields[i];
    *why = f ? f->what : NULL;
    if (!f || v < f->lo || v > f->hi || (f->bit == SC_SI_WAKEUP && v != (double)(uint32_t)v))
        return -1;
    double x = v * f->scale + (v < 0 ? -0.5 : 0.5); /* rounded to the nearest unit */
    switch (f->bit) {
    case SC_SI_RC:     si->rc_error_ppm = (int32_t)x; break;
    case SC_SI_WDT:    si->wdt_error_ppm = (int32_t)x; break;
    case SC_SI_DRIFT:  si->wdt_drift_ppm_per_h = (int32_t)x; break;
    default:           si->wakeup_us = (uint32_t)v; break;
    }
    si->set |= f->bit;
    return 0;
}

/* silicon rc-error PCT | wdt-error PCT | drift PPM_PER_H | wakeup-us N: the
 * chip's time base as the --rc-error, --wdt-error, --drift and --wakeup-us
 * options set it (those override the scenario's). */
static int parse_silicon(struct parser *p)
{
    const char *what = lex_tok(p, 1), *why;
    double v;
    if (lex_need(p, 3, "silicon rc-error|wdt-error PCT, silicon drift PPM_PER_H, silicon wakeup-us N") ||
        parse_signed(lex_tok(p, 2), &v))
        return lex_fail(p, "usage: silicon rc-error|wdt-error PCT (-50..50), drift PPM_PER_H, wakeup-us N");
    if (sc_silicon_set(&p->sc->silicon, what, v, &why) == 0)
        return 0;
    if (!why)
        return lex_fail(p, "unknown silicon setting '%s' (rc-error, wdt-error, drift, wakeup-us)", what);
    return lex_fail(p, "silicon %s: %s", what, why);
}

/* ---- config ------------------------------------------------------------------------- */

static int parse_config(struct parser *p)
{
    struct scenario *sc = p->sc;
    if (sc->nconfig == SC_MAX_CONFIG)
        return lex_fail(p, "too many config lines (at most %d)", SC_MAX_CONFIG);
    struct sc_config *c = &sc->config[sc->nconfig];
    memset(c, 0, sizeof *c);
    c->line = p->line;
    const char *key = lex_tok(p, 1), *v = lex_tok(p, 2);
    if (!key)
        return lex_fail(p, "'config' needs a setting");
    struct { const char *name; uint8_t kind; int is_ms; uint32_t min, max; } nums[] = {
        { "timeout_ms", SC_CFG_TIMEOUT_MS, 1, EXTWD_TIMEOUT_MS_MIN, EXTWD_TIMEOUT_MS_MAX },
        { "grace_s", SC_CFG_GRACE_S, 0, 0, 255 },
        { "pulse_ms", SC_CFG_PULSE_MS, 1, EXTWD_PULSE_MS_MIN, EXTWD_PULSE_MS_MAX },
        { "max_disarm_s", SC_CFG_MAX_DISARM_S, 0, 0, 65535 },
        { "window_ms", SC_CFG_WINDOW_MS, 1, 0, 65535 },
    };
    for (int i = 0; i < NELEM(nums); i++)
        if (sc_name_eq(key, nums[i].name)) {
            char usage[64];
            snprintf(usage, sizeof usage, "config %s VALUE", nums[i].name);
            if (lex_need(p, 3, usage))
                return -1;
            uint32_t x;
            int bad = nums[i].is_ms ? parse_ms32(v, &x) : parse_u32(v, &x, nums[i].max);
            if (bad || x < nums[i].min || x > nums[i].max)
                return lex_fail(p, "config %s: '%s' is outside %u-%u", nums[i].name, v,
                            (unsigned)nums[i].min, (unsigned)nums[i].max);
            c->kind = nums[i].kind;
            c->a = x;
            sc->nconfig++;
            return 0;
        }
    if (sc_name_eq(key, "bootloop")) {
        uint32_t lim, healthy;
        if (lex_need(p, 4, "config bootloop LIMIT HEALTHY_S"))
            return -1;
        if (parse_u32(v, &lim, 255) || parse_u32(lex_tok(p, 3), &healthy, 255) || healthy < 1)
            return lex_fail(p, "config bootloop: LIMIT 0-255, HEALTHY_S 1-255");
        c->kind = SC_CFG_BOOTLOOP;
        c->a = lim;
        c->b = healthy;
    } else if (sc_name_eq(key, "pretimeout_ms")) {
        if (p->ntok < 3 || p->ntok > 4 || (p->ntok == 4 && strcmp(lex_tok(p, 3), "pin")))
            return lex_fail(p, "usage: config pretimeout_ms VALUE [pin]");
        if (parse_ms32(v, &c->a) || c->a > 65535)
            return lex_fail(p, "config pretimeout_ms: 0-65535");
        c->kind = SC_CFG_PRETIMEOUT_MS;
        c->b = p->ntok == 4;
    } else if (sc_name_eq(key, "keyed")) {
        uint8_t on;
        if (lex_need(p, 3, "config keyed on|off") || parse_onoff(v, &on))
            return lex_fail(p, "config keyed: on or off");
        c->kind = SC_CFG_KEYED;
        c->a = on;
    } else if (sc_name_eq(key, "lock")) {
        if (lex_need(p, 2, "config lock"))
            return -1;
        c->kind = SC_CFG_LOCK;
    } else if (sc_name_eq(key, "save")) {
        if (lex_need(p, 2, "config save"))
            return -1;
        c->kind = SC_CFG_SAVE;
    } else {
        return lex_fail(p, "unknown config setting '%s'", key);
    }
    sc->nconfig++;
    return 0;
}

/* ---- events --------------------------------------------------------------------------- */

static int parse_bytes(struct parser *p, int from, struct sc_event *e)
{
    e->nbytes = 0;
    for (int i = from; i < p->ntok; i++) {
        if (e->nbytes == SC_MAX_BYTES)
            return lex_fail(p, "at most %d bytes", SC_MAX_BYTES);
        if (parse_hex_byte(p->tok[i], &e->bytes[e->nbytes]))
            return lex_fail(p, "'%s' is not a hex byte", p->tok[i]);
        e->nbytes++;
    }
    return 0;
}

/* "[to ADDR] BYTES" from token i on (stray, raw write): the address into
 * e->a (0x26 without "to"), the hex bytes into e; usage is the message when
 * no byte follows. */
static int parse_addressed_bytes(struct parser *p, int i, struct sc_event *e, const char *usage)
{
    e->a = EXTWD_I2C_ADDR_DEFAULT;
    if (lex_tok(p, i) && !strcmp(lex_tok(p, i), "to")) {
        uint32_t a;
        if (parse_u32(lex_tok(p, i + 1), &a, 0x7F))
            return lex_fail(p, "'to' needs a 7-bit address");
        e->a = a;
        i += 2;
    }
    if (i >= p->ntok)
        return lex_fail(p, "%s", usage);
    return parse_bytes(p, i, e);
}

static int add_expect_raw(struct parser *p, int index, const struct sc_event *e, const uint8_t *b, int n);

/* "raw boot T write [to ADDR] BYTES" or "raw boot T feed every MS [for D]":
 * the raw host's boot section, replayed T after each reset release. */
static int parse_raw_boot(struct parser *p)
{
    struct scenario *sc = p->sc;
    static const char usage[] = "usage: raw boot T write [to ADDR] BYTES | raw boot T feed every MS [for DURATION]";
    uint64_t t;
    if (p->ntok < 5 || strcmp(lex_tok(p, 1), "boot") || parse_ms(lex_tok(p, 2), &t) || t > 600000)
        return lex_fail(p, "%s (T at most 600 s)", usage);
    if (sc->nraw_boot == SC_MAX_RAW_BOOT)
        return lex_fail(p, "more than %d raw boot lines", SC_MAX_RAW_BOOT);
    struct sc_event *e = &sc->raw_boot[sc->nraw_boot];
    memset(e, 0, sizeof *e);
    e->t_ms = t;
    e->line = p->line;
    if (!strcmp(lex_tok(p, 3), "write")) {
        e->kind = SC_EV_RAW_WRITE;
        if (parse_addressed_bytes(p, 4, e, usage))
            return -1;
    } else if (!strcmp(lex_tok(p, 3), "feed")) {
        e->kind = SC_EV_RAW_FEED;
        int n = p->ntok;
        if ((n != 6 && n != 8) || strcmp(lex_tok(p, 4), "every") || parse_ms32(lex_tok(p, 5), &e->a) || !e->a ||
            (n == 8 && (strcmp(lex_tok(p, 6), "for") || parse_ms32(lex_tok(p, 7), &e->b) || !e->b)))
            return lex_fail(p, "%s", usage);
    } else {
        return lex_fail(p, "%s", usage);
    }
    for (int k = 0; k < sc->nraw_boot; k++) /* keep them in time order, ties in file order */
        if (sc->raw_boot[k].t_ms > t) {
            struct sc_event tmp = *e;
            memmove(&sc->raw_boot[k + 1], &sc->raw_boot[k], (size_t)(sc->nraw_boot - k) * sizeof tmp);
            sc->raw_boot[k] = tmp;
            break;
        }
    sc->nraw_boot++;
    return 0;
}

/* ---- one parser per event kind --------------------------------------------------------- */

static int parse_ev_hang(struct parser *p, struct sc_event *e, const char *what, int n)
{
    (void)what;
    if (n == 3)
        return 0;
    if (n != 5 || strcmp(lex_tok(p, 3), "in"))
        return lex_fail(p, "usage: at T hang [in boot|timers|network|otgw|ota|wifi]");
    {
        int task = sc_lookup(sc_task_names, SC_TASK_NAMES, lex_tok(p, 4));
        if (task <= 0)
            return lex_fail(p, "unknown task '%s' (timers, network, otgw, ota or wifi)", lex_tok(p, 4));
        e->task = (uint8_t)task;
    }
    return 0;
}

static int parse_ev_boot_bug(struct parser *p, struct sc_event *e, const char *what, int n)
{
    for (int i = 3; i < n; i++) {
        if (!strcmp(lex_tok(p, i), "early")) {
            e->flag = 1;
        } else if (!strcmp(lex_tok(p, i), "count") && i + 1 < n) {
            if (parse_u32(lex_tok(p, ++i), &e->a, 1000) || !e->a)
                return lex_fail(p, "count must be 1-1000");
        } else {
            return lex_fail(p, "usage: at T %s [count N] [early]", what);
        }
    }
    return 0;
}

static int parse_ev_duration(struct parser *p, struct sc_event *e, const char *what, int n)
{
    if (n != 4 || parse_ms32(lex_tok(p, 3), &e->a) || !e->a || e->a > 3600000)
        return lex_fail(p, "usage: at T %s DURATION (1 ms to 1 h)", what);
    return 0;
}

static int parse_ev_ota(struct parser *p, struct sc_event *e, const char *what, int n)
{
    (void)what;
    if (n < 5 || n > 6 || parse_u32(lex_tok(p, 3), &e->a, 10000) || !e->a ||
        parse_ms32(lex_tok(p, 4), &e->b) || parse_ms32(lex_tok(p, n == 6 ? 5 : 4), &e->c) ||
        e->c < e->b || e->c > 600000)
        return lex_fail(p, "usage: at T ota CHUNKS MIN [MAX] (per-chunk durations, at most 600 s)");
    return 0;
}

static int parse_ev_wifi_drop(struct parser *p, struct sc_event *e, const char *what, int n)
{
    (void)what;
    e->b = 4000;
    if ((n != 4 && n != 6) || parse_ms32(lex_tok(p, 3), &e->a) || !e->a || e->a > 3600000 ||
        (n == 6 && (strcmp(lex_tok(p, 4), "attempt") || parse_ms32(lex_tok(p, 5), &e->b) || e->b < 100 ||
                    e->b > 600000)))
        return lex_fail(p, "usage: at T wifi-drop DURATION [attempt DURATION]");
    return 0;
}

static int parse_ev_part_dead(struct parser *p, struct sc_event *e, const char *what, int n)
{
    (void)what;
    int part = n == 4 ? sc_lookup(sc_part_names, SC_PART_COUNT, lex_tok(p, 3)) : -1;
    if (part <= SC_PART_LOOP) /* a dead loop is a hang: at T hang */
        return lex_fail(p, "usage: at T part-dead wifi|mqtt");
    e->a = (uint32_t)part;
    return 0;
}

static int parse_ev_heap_leak(struct parser *p, struct sc_event *e, const char *what, int n)
{
    (void)what;
    if (n != 4 || parse_u32(lex_tok(p, 3), &e->a, 1000000) || !e->a)
        return lex_fail(p, "usage: at T heap-leak BYTES_PER_S (1-1000000)");
    return 0;
}

static int parse_ev_fast_feed(struct parser *p, struct sc_event *e, const char *what, int n)
{
    (void)what;
    e->b = 20;
    if ((n != 4 && n != 6) || parse_ms32(lex_tok(p, 3), &e->a) || !e->a || e->a > 600000 ||
        (n == 6 && (strcmp(lex_tok(p, 4), "every") || parse_ms32(lex_tok(p, 5), &e->b) || !e->b)))
        return lex_fail(p, "usage: at T fast-feed DURATION [every MS]");
    return 0;
}

static int parse_ev_count(struct parser *p, struct sc_event *e, const char *what, int n)
{
    (void)what;
    e->a = 1;
    int i = 3;
    if (i < n && isdigit((unsigned char)lex_tok(p, i)[0])) {
        if (parse_u32(lex_tok(p, i), &e->a, 1000) || !e->a)
            return lex_fail(p, "count must be 1-1000");
        i++;
    }
    if (e->kind == SC_EV_CORRUPT && i + 1 < n && !strcmp(lex_tok(p, i), "bit")) {
        if (parse_u32(lex_tok(p, i + 1), &e->b, 7))
            return lex_fail(p, "bit must be 0-7");
        i += 2;
    }
    if (i != n)
        return lex_fail(p, e->kind == SC_EV_NACK ? "usage: at T nack [COUNT]"
                                       : "usage: at T corrupt [COUNT] [bit B]");
    return 0;
}

static int parse_ev_stray(struct parser *p, struct sc_event *e, const char *what, int n)
{
    (void)what;
    (void)n;
    if (parse_addressed_bytes(p, 3, e, "usage: at T stray [to ADDR] BYTES (hex)"))
        return -1;
    return 0;
}

static int parse_ev_abort_tx(struct parser *p, struct sc_event *e, const char *what, int n)
{
    (void)what;
    if (n < 4 || n > 5 || parse_u32(lex_tok(p, 3), &e->a, 8) || !e->a ||
        (n == 5 && strcmp(lex_tok(p, 4), "host-reset")))
        return lex_fail(p, "usage: at T abort-tx BITS(1-8) [host-reset]");
    e->flag = n == 5;
    return 0;
}

static int parse_ev_optional_for(struct parser *p, struct sc_event *e, const char *what, int n)
{
    if (n == 3)
        return 0;
    if (n != 5 || strcmp(lex_tok(p, 3), "for") || parse_ms32(lex_tok(p, 4), &e->a) || !e->a || e->a > 3600000)
        return lex_fail(p, "usage: at T %s [for DURATION]", what);
    return 0;
}

static int parse_ev_flaky(struct parser *p, struct sc_event *e, const char *what, int n)
{
    (void)what;
    if (n != 4 || parse_ms32(lex_tok(p, 3), &e->a) || !e->a || e->a > 3600000)
        return lex_fail(p, "usage: at T flaky DURATION (at most 1 h)");
    return 0;
}

/* crash, host-reset, brownout, power-cycle: no arguments */
static int parse_ev_no_args(struct parser *p, struct sc_event *e, const char *what, int n)
{
    (void)e;
    if (n != 3)
        return lex_fail(p, "usage: at T %s", what);
    return 0;
}

static int parse_ev_eeprom_corrupt(struct parser *p, struct sc_event *e, const char *what, int n)
{
    (void)e;
    (void)what;
    /* firmware 2 keeps its settings in one slot: no slot to choose */
    if (n != 3)
        return lex_fail(p, "usage: at T eeprom-corrupt (the chip has one settings slot)");
    return 0;
}

static int parse_ev_factory_pin(struct parser *p, struct sc_event *e, const char *what, int n)
{
    (void)what;
    if (n != 4 || (strcmp(lex_tok(p, 3), "low") && strcmp(lex_tok(p, 3), "high")))
        return lex_fail(p, "usage: at T factory-pin low|high");
    e->flag = !strcmp(lex_tok(p, 3), "low");
    return 0;
}

static int parse_ev_raw_write(struct parser *p, struct sc_event *e, const char *what, int n)
{
    (void)what;
    (void)n;
    if (parse_addressed_bytes(p, 4, e, "usage: at T raw write [to ADDR] BYTES (hex)"))
        return -1;
    return 0;
}

static int parse_ev_raw_read(struct parser *p, struct sc_event *e, const char *what, int n)
{
    (void)what;
    if (n < 5 || parse_u32(lex_tok(p, 4), &e->a, SC_MAX_BYTES) || !e->a)
        return lex_fail(p, "usage: at T raw read N(1-%d) [from ADDR] [expect BYTES]", SC_MAX_BYTES);
    int i = 5;
    e->b = EXTWD_I2C_ADDR_DEFAULT;
    if (i < n && !strcmp(lex_tok(p, i), "from")) {
        if (parse_u32(lex_tok(p, i + 1), &e->b, 0x7F))
            return lex_fail(p, "'from' needs a 7-bit address");
        i += 2;
    }
    p->sc->nraw_reads++;
    if (i < n) {
        if (strcmp(lex_tok(p, i), "expect") || i + 1 >= n)
            return lex_fail(p, "usage: at T raw read N [from ADDR] [expect BYTES]");
        struct sc_event tmp = *e;
        if (parse_bytes(p, i + 1, &tmp))
            return -1;
        if (tmp.nbytes != e->a)
            return lex_fail(p, "expected %u bytes after 'expect', got %u", (unsigned)e->a,
                        (unsigned)tmp.nbytes);
        if (add_expect_raw(p, p->sc->nraw_reads, e, tmp.bytes, tmp.nbytes))
            return -1;
    }
    return 0;
}

static int parse_ev_raw_feed(struct parser *p, struct sc_event *e, const char *what, int n)
{
    (void)what;
    uint64_t until;
    if (n != 8 || strcmp(lex_tok(p, 4), "every") || parse_ms32(lex_tok(p, 5), &e->a) || !e->a ||
        strcmp(lex_tok(p, 6), "until") || parse_ms(lex_tok(p, 7), &until) || until <= e->t_ms)
        return lex_fail(p, "usage: at T raw feed every MS until T2 (T2 after T)");
    e->b = (uint32_t)(until > UINT32_MAX ? UINT32_MAX : until);
    return 0;
}

typedef int (*event_parser)(struct parser *p, struct sc_event *e, const char *what, int n);

/* The arguments of each event kind: one parser per enum sc_ev_kind. */
static const event_parser event_parsers[SC_EV_COUNT] = {
    [SC_EV_HANG] = parse_ev_hang,
    [SC_EV_HANG_BOOT] = parse_ev_boot_bug,
    [SC_EV_CRASH_BOOT] = parse_ev_boot_bug,
    [SC_EV_SLOW] = parse_ev_duration,
    [SC_EV_SDA_LOW] = parse_ev_duration,
    [SC_EV_SCL_LOW] = parse_ev_duration,
    [SC_EV_OTA] = parse_ev_ota,
    [SC_EV_WIFI_DROP] = parse_ev_wifi_drop,
    [SC_EV_PART_DEAD] = parse_ev_part_dead,
    [SC_EV_HEAP_LEAK] = parse_ev_heap_leak,
    [SC_EV_FAST_FEED] = parse_ev_fast_feed,
    [SC_EV_NACK] = parse_ev_count,
    [SC_EV_CORRUPT] = parse_ev_count,
    [SC_EV_STRAY] = parse_ev_stray,
    [SC_EV_ABORT_TX] = parse_ev_abort_tx,
    [SC_EV_CHIP_HANG] = parse_ev_optional_for,
    [SC_EV_CHIP_OFF] = parse_ev_optional_for,
    [SC_EV_FLAKY] = parse_ev_flaky,
    [SC_EV_CRASH] = parse_ev_no_args,
    [SC_EV_HOST_RESET] = parse_ev_no_args,
    [SC_EV_BROWNOUT] = parse_ev_no_args,
    [SC_EV_POWER_CYCLE] = parse_ev_no_args,
    [SC_EV_EEPROM_CORRUPT] = parse_ev_eeprom_corrupt,
    [SC_EV_FACTORY_PIN] = parse_ev_factory_pin,
    [SC_EV_RAW_WRITE] = parse_ev_raw_write,
    [SC_EV_RAW_READ] = parse_ev_raw_read,
    [SC_EV_RAW_FEED] = parse_ev_raw_feed,
};

static int parse_event(struct parser *p)
{
    struct scenario *sc = p->sc;
    if (sc->nevents == SC_MAX_EVENTS)
        return lex_fail(p, "too many events (at most %d)", SC_MAX_EVENTS);
    uint64_t t;
    if (parse_ms(lex_tok(p, 1), &t))
        return lex_fail(p, "'at' needs a time (e.g. 30s or 1500ms)");
    const char *what = lex_tok(p, 2);
    if (!what)
        return lex_fail(p, "'at %s' needs an event", lex_tok(p, 1));
    struct sc_event *e = &sc->events[sc->nevents];
    memset(e, 0, sizeof *e);
    e->t_ms = t;
    e->line = p->line;
    int k = sc_lookup(sc_event_names, SC_EV_COUNT, what);
    if (!strcmp(what, "raw")) {
        const char *op = lex_tok(p, 3);
        if (!op)
            return lex_fail(p, "usage: at T raw write BYTES | raw read N [expect BYTES] | raw feed every MS until T");
        if (!strcmp(op, "write"))
            k = SC_EV_RAW_WRITE;
        else if (!strcmp(op, "read"))
            k = SC_EV_RAW_READ;
        else if (!strcmp(op, "feed"))
            k = SC_EV_RAW_FEED;
        else
            return lex_fail(p, "unknown raw operation '%s' (write, read or feed)", op);
    } else if (k < 0 || k >= SC_EV_RAW_WRITE) {
        return lex_fail(p, "unknown event '%s'", what);
    }
    e->kind = (uint8_t)k;
    if (!event_parsers[k])
        return lex_fail(p, "unknown event '%s'", what);
    if (event_parsers[k](p, e, what, p->ntok))
        return -1;
    sc->nevents++;
    return 0;
}

/* ---- expectations ------------------------------------------------------------------------ */

enum vkind { V_COUNT, V_MS, V_REAL, V_CAUSE, V_REASON, V_STATE, V_AFTER, V_BOOL, V_FLAGS, V_PART };

struct field_def { const char *name; uint8_t field; uint8_t vkind; };

static const struct field_def reset_fields[] = {
    { "since-last-feed", SC_F_SINCE_LAST_FEED, V_MS }, { "cause", SC_F_CAUSE, V_CAUSE },
    { "at", SC_F_AT, V_MS }, { "since-disarm", SC_F_SINCE_DISARM, V_MS },
    { "pretimeout-lead", SC_F_PRETIMEOUT_LEAD, V_MS },
};
static const struct field_def recovery_fields[] = {
    { "recovery-ms", SC_F_RECOVERY_MS, V_MS }, { "boot-ms", SC_F_BOOT_MS, V_MS },
};
static const struct field_def boot_fields[] = {
    { "reason", SC_F_REASON, V_REASON }, { "status", SC_F_STATUS, V_FLAGS },
    { "last-cause", SC_F_LAST_CAUSE, V_CAUSE }, { "ext-status", SC_F_EXT_STATUS, V_FLAGS },
    { "breadcrumb", SC_F_BREADCRUMB, V_COUNT }, { "bootloop-count", SC_F_BOOTLOOP_COUNT, V_COUNT },
    { "history-len", SC_F_HISTORY_LEN, V_COUNT }, { "resets-total", SC_F_RESETS_TOTAL, V_COUNT },
    { "safe", SC_F_SAFE, V_BOOL }, { "after", SC_F_AFTER, V_AFTER }, { "at", SC_F_AT, V_MS },
    { "missed-channel", SC_F_MISSED, V_PART },
};
static const struct field_def metric_fields[] = {
    { "feeds", SC_F_FEEDS, V_COUNT }, { "feed-errors", SC_F_FEED_ERRORS, V_COUNT },
    { "bus-bytes", SC_F_BUS_BYTES, V_COUNT }, { "boots", SC_F_BOOTS, V_COUNT },
    { "recoveries", SC_F_RECOVERIES, V_COUNT }, { "degradations", SC_F_DEGRADATIONS, V_COUNT },
    { "pretimeout-irqs", SC_F_PRETIMEOUT_IRQS, V_COUNT }, { "pretimeouts", SC_F_PRETIMEOUTS, V_COUNT },
    { "sleep-mode-errors", SC_F_SLEEP_MODE_ERRORS, V_COUNT },
    { "max-stretch-us", SC_F_MAX_STRETCH_US, V_COUNT },
    { "awake-fraction", SC_F_AWAKE_FRACTION, V_REAL }, { "chip-resets", SC_F_CHIP_RESETS, V_COUNT },
    { "dead-part-ms", SC_F_DEAD_PART_MS, V_MS }, { "bus-errors", SC_F_BUS_ERRORS, V_COUNT },
};
static const struct field_def chip_fields[] = {
    { "armed", SC_F_ARMED, V_BOOL }, { "in-grace", SC_F_IN_GRACE, V_BOOL },
    { "timeout-ms", SC_F_TIMEOUT_MS, V_MS }, { "since-feed-ms", SC_F_SINCE_FEED_MS, V_MS },
    { "grace-left-ms", SC_F_GRACE_LEFT_MS, V_MS },
};

static const struct field_def *find_field(const struct field_def *defs, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (sc_name_eq(defs[i].name, s))
            return &defs[i];
    return NULL;
}

/* s as one of n names: its index into *out. Anything else fails with
 * "unknown WHAT 's'" and the hint. */
static int parse_name(struct parser *p, const char *const *names, int n, const char *s, const char *what,
                      const char *hint, double *out)
{
    int i = s ? sc_lookup(names, n, s) : -1;
    if (i < 0)
        return lex_fail(p, "unknown %s '%s'%s", what, s ? s : "", hint);
    *out = i;
    return 0;
}

static int parse_value(struct parser *p, int vkind, const char *s, double *out)
{
    uint64_t u;
    switch (vkind) {
    case V_COUNT:
        if (parse_u64(s, &u, 1ull << 52))
            return lex_fail(p, "'%s' is not a number", s ? s : "");
        *out = (double)u;
        return 0;
    case V_MS:
        if (parse_ms(s, &u))
            return lex_fail(p, "'%s' is not a duration (e.g. 3000, 3000ms, 3s)", s ? s : "");
        *out = (double)u;
        return 0;
    case V_REAL:
        if (parse_real(s, out))
            return lex_fail(p, "'%s' is not a number or percentage", s ? s : "");
        return 0;
    case V_CAUSE:
        if (s && sc_name_eq(s, "unknown")) { /* cause 255: no name in the table */
            *out = 255;
            return 0;
        }
        return parse_name(p, sc_cause_names, SC_CAUSE_NAMES, s, "cause",
                          " (none, timeout, test, window, unknown)", out);
    case V_REASON:
        return parse_name(p, sc_reason_names, SC_REASON_NAMES, s, "reason",
                          " (unknown, none, watchdog, test, window)", out);
    case V_STATE:
        return parse_name(p, sc_host_state_names, SC_HS_COUNT, s, "host state", "", out);
    case V_AFTER:
        return parse_name(p, sc_after_names, SC_AFTER_COUNT, s, "boot cause", "", out);
    case V_PART:
        if (s && sc_name_eq(s, "none")) { /* no channel named by the breadcrumb */
            *out = -1;
            return 0;
        }
        return parse_name(p, sc_part_names, SC_PART_COUNT, s, "channel", " (loop, wifi, mqtt, none)", out);
    case V_BOOL: {
        uint8_t b;
        if (parse_onoff(s, &b))
            return lex_fail(p, "expected yes or no, got '%s'", s ? s : "");
        *out = b;
        return 0;
    }
    case V_FLAGS:
        if (parse_u64(s, &u, 0xFFFFFFFFu)) {
            uint8_t m;
            if (s && !sc_flag_lookup(s, &m)) {
                *out = m;
                return 0;
            }
            return lex_fail(p, "'%s' is not a number", s ? s : "");
        }
        *out = (double)u;
        return 0;
    }
    return lex_fail(p, "internal: bad value kind");
}

/* Parses "[OP] VALUE [+- TOL]" or "has|lacks FLAG" from token i to the end. */
static int parse_cmp(struct parser *p, int i, int vkind, struct sc_expect *x)
{
    static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=" };
    const char *s = lex_tok(p, i);
    if (!s)
        return lex_fail(p, "missing value to compare with");
    if (!strcmp(s, "has") || !strcmp(s, "lacks")) {
        if (vkind != V_FLAGS && vkind != V_COUNT)
            return lex_fail(p, "'%s' only applies to flag registers", s);
        x->cmp = s[0] == 'h' ? SC_HAS : SC_LACKS;
        uint8_t m;
        if (i + 2 != p->ntok || sc_flag_lookup(lex_tok(p, i + 1), &m))
            return lex_fail(p, "usage: ... %s FLAG (e.g. SAFE_MODE)", s);
        x->value = m;
        return 0;
    }
    x->cmp = SC_EQ;
    for (int k = 0; k < NELEM(ops); k++)
        if (!strcmp(s, ops[k])) {
            x->cmp = (uint8_t)k;
            i++;
            break;
        }
    if (!strcmp(s, "within")) {
        x->cmp = SC_LE;
        i++;
    }
    if (parse_value(p, vkind, lex_tok(p, i), &x->value))
        return -1;
    i++;
    if (i < p->ntok && !strcmp(lex_tok(p, i), "+-")) {
        if (x->cmp != SC_EQ)
            return lex_fail(p, "'+-' goes with a plain value, not an operator");
        if (parse_value(p, vkind == V_MS ? V_MS : V_REAL, lex_tok(p, i + 1), &x->tol))
            return -1;
        x->cmp = SC_NEAR;
        i += 2;
    }
    if (i != p->ntok)
        return lex_fail(p, "unexpected '%s' after the value", lex_tok(p, i));
    return 0;
}

static int parse_index(struct parser *p, int i, int *out)
{
    uint64_t v;
    if (parse_u64(lex_tok(p, i), &v, 10000) || v < 1)
        return lex_fail(p, "'%s' needs an index from 1 (e.g. reset 1)", lex_tok(p, i - 1));
    *out = (int)v;
    return 0;
}

static struct sc_expect *new_expect(struct parser *p)
{
    struct scenario *sc = p->sc;
    if (sc->nexpects == SC_MAX_EXPECTS) {
        lex_fail(p, "too many expectations (at most %d)", SC_MAX_EXPECTS);
        return NULL;
    }
    struct sc_expect *x = &sc->expects[sc->nexpects];
    memset(x, 0, sizeof *x);
    x->line = p->line;
    return x;
}

static int add_expect_raw(struct parser *p, int index, const struct sc_event *e, const uint8_t *b, int n)
{
    struct sc_expect *x = new_expect(p);
    if (!x)
        return -1;
    x->subject = SC_X_RAW_READ;
    x->index = index;
    x->nbytes = (uint8_t)n;
    memcpy(x->bytes, b, (size_t)n);
    int o = snprintf(x->text, sizeof x->text, "raw read %d at %llums ==", index,
                     (unsigned long long)e->t_ms);
    for (int i = 0; i < n && o > 0 && (size_t)o < sizeof x->text; i++)
        o += snprintf(x->text + o, sizeof x->text - (size_t)o, " %02x", b[i]);
    p->sc->nexpects++;
    return 0;
}

static void expect_text(struct parser *p, struct sc_expect *x)
{
    size_t o = 0;
    for (int i = 1; i < p->ntok; i++) {
        int w = snprintf(x->text + o, sizeof x->text - o, "%s%s", i > 1 ? " " : "", p->tok[i]);
        if (w < 0 || (size_t)w >= sizeof x->text - o) {
            x->text[sizeof x->text - 1] = '\0';
            return;
        }
        o += (size_t)w;
    }
}

static int parse_expect(struct parser *p)
{
    struct sc_expect *x = new_expect(p);
    if (!x)
        return -1;
    expect_text(p, x);
    const char *w = lex_tok(p, 1);
    const struct field_def *f;
    if (!w)
        return lex_fail(p, "'expect' needs something to check");
    if (!strcmp(w, "no-reset") && lex_tok(p, 2) && !strcmp(lex_tok(p, 2), "between")) {
        if (p->ntok != 5 || parse_ms(lex_tok(p, 3), &x->at_ms) || parse_ms(lex_tok(p, 4), &x->until_ms) ||
            x->until_ms <= x->at_ms)
            return lex_fail(p, "usage: expect no-reset between T1 T2 (T2 after T1)");
        x->subject = SC_X_RESETS_BETWEEN;
        x->cmp = SC_EQ;
    } else if (!strcmp(w, "no-reset")) {
        if (lex_need(p, 2, "expect no-reset"))
            return -1;
        x->subject = SC_X_RESETS;
        x->cmp = SC_EQ;
    } else if (!strcmp(w, "resets") || !strcmp(w, "false-resets")) {
        x->subject = w[0] == 'r' ? SC_X_RESETS : SC_X_FALSE_RESETS;
        if (parse_cmp(p, 2, V_COUNT, x))
            return -1;
    } else if (!strcmp(w, "reset")) {
        if (parse_index(p, 2, &x->index))
            return -1;
        if (!lex_tok(p, 3) || !(f = find_field(reset_fields, NELEM(reset_fields), lex_tok(p, 3))))
            return lex_fail(p, "expect reset N: field since-last-feed, cause, at, since-disarm or pretimeout-lead");
        x->subject = SC_X_RESET;
        x->field = f->field;
        if (parse_cmp(p, 4, f->vkind, x))
            return -1;
    } else if (!strcmp(w, "recovered")) {
        if (p->ntok != 4 || strcmp(lex_tok(p, 2), "within"))
            return lex_fail(p, "usage: expect recovered within DURATION");
        x->subject = SC_X_RECOVERED;
        x->cmp = SC_LE;
        if (parse_value(p, V_MS, lex_tok(p, 3), &x->value))
            return -1;
    } else if (!strcmp(w, "recovery")) {
        if (parse_index(p, 2, &x->index))
            return -1;
        x->subject = SC_X_RECOVERY;
        x->field = SC_F_RECOVERY_MS;
        int i = 3;
        if (lex_tok(p, i) && (f = find_field(recovery_fields, NELEM(recovery_fields), lex_tok(p, i)))) {
            x->field = f->field;
            i++;
        }
        if (parse_cmp(p, i, V_MS, x))
            return -1;
    } else if (!strcmp(w, "status-bit0-after-reboot")) {
        if (lex_need(p, 2, "expect status-bit0-after-reboot"))
            return -1;
        x->subject = SC_X_STATUS_BIT0;
    } else if (!strcmp(w, "boot")) {
        if (parse_index(p, 2, &x->index))
            return -1;
        if (!lex_tok(p, 3) || !(f = find_field(boot_fields, NELEM(boot_fields), lex_tok(p, 3))))
            return lex_fail(p, "expect boot N: unknown field '%s'", lex_tok(p, 3) ? lex_tok(p, 3) : "");
        x->subject = SC_X_BOOT;
        x->field = f->field;
        if (parse_cmp(p, 4, f->vkind, x))
            return -1;
    } else if ((f = find_field(metric_fields, NELEM(metric_fields), w))) {
        x->subject = SC_X_METRIC;
        x->field = f->field;
        if (parse_cmp(p, 2, f->vkind, x))
            return -1;
    } else if (!strcmp(w, "final")) {
        if (!lex_tok(p, 2) || sc_register_lookup(lex_tok(p, 2), &x->reg, &x->reg_width))
            return lex_fail(p, "expect final: unknown register '%s'", lex_tok(p, 2) ? lex_tok(p, 2) : "");
        x->subject = SC_X_FINAL;
        if (parse_cmp(p, 3, V_FLAGS, x))
            return -1;
    } else if (!strcmp(w, "at")) {
        if (parse_ms(lex_tok(p, 2), &x->at_ms))
            return lex_fail(p, "expect at: needs a time");
        if (lex_tok(p, 3) && !strcmp(lex_tok(p, 3), "chip")) {
            if (!lex_tok(p, 4) || !(f = find_field(chip_fields, NELEM(chip_fields), lex_tok(p, 4))))
                return lex_fail(p, "expect at T chip: armed, in-grace, timeout-ms, since-feed-ms or grace-left-ms");
            x->subject = SC_X_AT_CHIP;
            x->field = f->field;
            if (parse_cmp(p, 5, f->vkind, x))
                return -1;
        } else if (lex_tok(p, 3) && !strcmp(lex_tok(p, 3), "host")) {
            x->subject = SC_X_AT_HOST;
            x->field = SC_F_HOST_STATE;
            if (parse_cmp(p, 4, V_STATE, x))
                return -1;
        } else {
            return lex_fail(p, "usage: expect at T chip FIELD VALUE | expect at T host STATE");
        }
    } else if (!strcmp(w, "host")) {
        x->subject = SC_X_HOST_END;
        x->field = SC_F_HOST_STATE;
        if (parse_cmp(p, 2, V_STATE, x))
            return -1;
    } else {
        return lex_fail(p, "unknown expectation '%s'", w);
    }
    p->sc->nexpects++;
    return 0;
}

/* ---- top level ------------------------------------------------------------------------ */

static int parse_line(struct parser *p)
{
    if (lex_tokenize(p))
        return -1;
    if (!p->ntok)
        return 0;
    struct scenario *sc = p->sc;
    const char *kw = p->tok[0];
    if (!strcmp(kw, "title")) {
        snprintf(sc->title, sizeof sc->title, "%s", lex_rest_of_line(p, 1));
        return 0;
    }
    if (!strcmp(kw, "duration")) {
        if (lex_need(p, 2, "duration DURATION") || parse_ms(lex_tok(p, 1), &sc->duration_ms) ||
            sc->duration_ms < 100)
            return lex_fail(p, "duration: a time of at least 100 ms, e.g. 60s");
        return 0;
    }
    if (!strcmp(kw, "seed")) {
        if (lex_need(p, 2, "seed N") || parse_u64(lex_tok(p, 1), &sc->seed, UINT64_MAX))
            return lex_fail(p, "seed: a non-negative integer");
        sc->has_seed = 1;
        return 0;
    }
    if (!strcmp(kw, "mcu")) {
        if (lex_need(p, 2, "mcu any|attiny85|atmega328p"))
            return -1;
        if (!strcmp(lex_tok(p, 1), "any"))
            sc->mcus = SC_MCU_ALL;
        else if (!strcmp(lex_tok(p, 1), "attiny85"))
            sc->mcus = SC_MCU_ATTINY85;
        else if (!strcmp(lex_tok(p, 1), "atmega328p"))
            sc->mcus = SC_MCU_ATMEGA328P;
        else
            return lex_fail(p, "unknown mcu '%s'", lex_tok(p, 1));
        return 0;
    }
    if (!strcmp(kw, "skip")) {
        int idx;
        if (p->ntok < 3)
            return lex_fail(p, "usage: skip attiny85|atmega328p REASON");
        if (!strcmp(lex_tok(p, 1), "attiny85"))
            idx = 0;
        else if (!strcmp(lex_tok(p, 1), "atmega328p"))
            idx = 1;
        else
            return lex_fail(p, "unknown mcu '%s'", lex_tok(p, 1));
        sc->mcus &= (uint8_t)~(1u << idx);
        snprintf(sc->skip_reason[idx], sizeof sc->skip_reason[idx], "%s", lex_rest_of_line(p, 2));
        return 0;
    }
    if (!strcmp(kw, "silicon"))
        return parse_silicon(p);
    if (!strcmp(kw, "host"))
        return parse_host(p);
    if (!strcmp(kw, "config"))
        return parse_config(p);
    if (!strcmp(kw, "at"))
        return parse_event(p);
    if (!strcmp(kw, "expect"))
        return parse_expect(p);
    if (!strcmp(kw, "raw"))
        return parse_raw_boot(p);
    return lex_fail(p, "unknown keyword '%s' (title, duration, seed, mcu, skip, silicon, host, config, at, raw, expect)", kw);
}

static void base_name(char *out, size_t outlen, const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    snprintf(out, outlen, "%s", b);
    char *dot = strrchr(out, '.');
    if (dot && dot != out)
        *dot = '\0';
}

int scenario_parse(struct scenario *sc, const char *text, size_t len,
                   const char *fname, char *err, size_t errlen)
{
    struct parser p;
    memset(&p, 0, sizeof p);
    p.sc = sc;
    p.fname = fname ? fname : "<scenario>";
    p.err = err;
    p.errlen = errlen;
    if (err && errlen)
        err[0] = '\0';
    scenario_defaults(sc);
    snprintf(sc->path, sizeof sc->path, "%s", p.fname);
    base_name(sc->name, sizeof sc->name, p.fname);

    size_t i = 0;
    while (i < len) {
        p.line++;
        size_t n = 0;
        int too_long = 0;
        while (i < len && text[i] != '\n') {
            char c = text[i++];
            if (c == '\0' || ((unsigned char)c < 0x20 && c != '\t' && c != '\r'))
                return lex_fail(&p, "control character in the file");
            if (n < SC_MAX_LINE)
                p.buf[n++] = c;
            else
                too_long = 1;
        }
        if (i < len)
            i++; /* the newline */
        if (too_long)
            return lex_fail(&p, "line longer than %d characters", SC_MAX_LINE);
        if (n && p.buf[n - 1] == '\r')
            n--;
        p.buf[n] = '\0';
        char *hash = strchr(p.buf, '#');
        if (hash)
            *hash = '\0';
        memcpy(p.raw, p.buf, sizeof p.raw);
        if (parse_line(&p))
            return -1;
    }
    p.line = 0;
    for (int k = 0; k < sc->nevents; k++)
        if (sc->events[k].t_ms >= sc->duration_ms) {
            p.line = sc->events[k].line;
            return lex_fail(&p, "event at %llu ms is not before the end of the run (duration %llu ms)",
                        (unsigned long long)sc->events[k].t_ms,
                        (unsigned long long)sc->duration_ms);
        }
    for (int k = 0; k < sc->nexpects; k++)
        if ((sc->expects[k].subject == SC_X_AT_CHIP || sc->expects[k].subject == SC_X_AT_HOST) &&
            sc->expects[k].at_ms > sc->duration_ms) {
            p.line = sc->expects[k].line;
            return lex_fail(&p, "'expect at' time is after the end of the run");
        }
    for (int k = 0; k < sc->nexpects; k++)
        if (sc->expects[k].subject == SC_X_RESETS_BETWEEN && sc->expects[k].at_ms >= sc->duration_ms) {
            p.line = sc->expects[k].line;
            return lex_fail(&p, "'expect no-reset between': the window starts after the end of the run");
        }
    for (int k = 0; k < sc->nevents; k++) {
        int kind = sc->events[k].kind;
        p.line = sc->events[k].line;
        if (kind >= SC_EV_RAW_WRITE && sc->host.mode != SC_HOST_RAW)
            return lex_fail(&p, "raw events need 'host mode raw'");
        if ((kind <= SC_EV_HOST_RESET || kind == SC_EV_PART_DEAD) && sc->host.mode == SC_HOST_RAW)
            return lex_fail(&p, "'%s' is a host fault; raw mode has no host program", sc_event_name(kind));
    }
    for (int k = 0; k < sc->nevents; k++) {
        const struct sc_event *e = &sc->events[k];
        if (e->kind != SC_EV_HANG || (e->task != 5 && e->task != 6))
            continue;
        p.line = e->line;
        int needs = e->task == 5 ? SC_EV_OTA : SC_EV_WIFI_DROP, later = 0;
        for (int j = 0; j < sc->nevents; j++)
            if (sc->events[j].kind == needs && sc->events[j].t_ms >= e->t_ms)
                later = 1;
        if (!later)
            return lex_fail(&p, "'hang in %s' needs a later '%s' event, or it never triggers",
                        sc_task_names[e->task], sc_event_name(needs));
        if (e->task == 6 && sc->host.mode == SC_HOST_STOCK && sc->host.stock_wifi != SC_STOCK_WIFI_BLOCKING_DISARM)
            return lex_fail(&p, "'hang in wifi': the stock host reconnects in the background and has no wifi task "
                            "(see 'host stock-wifi blocking-disarm')");
    }
    if (sc->nraw_boot && sc->host.mode != SC_HOST_RAW) {
        p.line = sc->raw_boot[0].line;
        return lex_fail(&p, "'raw boot' lines need 'host mode raw'");
    }
    if (!sc->mcus) {
        p.line = 1;
        return lex_fail(&p, "the scenario applies to no MCU");
    }
    /* stable insertion sort by time: ties keep file order */
    for (int a = 1; a < sc->nevents; a++) {
        struct sc_event e = sc->events[a];
        int b = a - 1;
        while (b >= 0 && sc->events[b].t_ms > e.t_ms) {
            sc->events[b + 1] = sc->events[b];
            b--;
        }
        sc->events[b + 1] = e;
    }
    return 0;
}

FILE *sim_open_regular(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        snprintf(err, errlen, "%s: not a regular file", path);
        return NULL;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

int scenario_load(struct scenario *sc, const char *path, char *err, size_t errlen)
{
    FILE *f = sim_open_regular(path, err, errlen);
    if (!f)
        return -1;
    static const size_t max = 256 * 1024;
    char *buf = malloc(max + 1);
    if (!buf) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    size_t n = fread(buf, 1, max + 1, f);
    int rerr = ferror(f);
    fclose(f);
    if (rerr) {
        free(buf);
        snprintf(err, errlen, "%s: read error", path);
        return -1;
    }
    if (n > max) {
        free(buf);
        snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
        return -1;
    }
    int r = scenario_parse(sc, buf, n, path, err, errlen);
    free(buf);
    return r;
}
