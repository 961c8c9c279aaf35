/*
 * The world of extwd-sim: the clock, the chip, the bus, fault injection and
 * recording. The host program is in host.c.
 *
 * This file links libsimavr (through chipsim): GPL-3.0-or-later.
 */
#include "world.h"
#include "names.h"
#include "chipsim_extwd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h" /* SIM_E_INPUT, SIM_SKIP */
#include "wd_core.h"

/* ---- rng ------------------------------------------------------------------------------ */

uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint32_t rng_range(struct rng *r, uint32_t lo, uint32_t hi)
{
    if (hi <= lo)
        return lo;
    uint64_t span = (uint64_t)hi - lo + 1;
    return lo + (uint32_t)(rng_next(r) % span);
}

/* ---- clock ------------------------------------------------------------------------------ */

uint64_t world_now(const struct world *w)
{
    return chipsim_cycles(w->cs);
}

uint64_t world_ms_to_cyc(const struct world *w, double ms)
{
    return (uint64_t)(ms * (w->freq / 1000.0) + 0.5);
}

double world_cyc_to_ms(const struct world *w, uint64_t cyc)
{
    return (double)cyc * 1000.0 / w->freq;
}

double world_ms(const struct world *w)
{
    return world_cyc_to_ms(w, world_now(w));
}

static uint64_t cyc_to_ns(const struct world *w, uint64_t cyc)
{
    return (uint64_t)((double)cyc * 1e9 / w->freq + 0.5);
}

/* ---- spans ------------------------------------------------------------------------------ */

int world_span(struct world *w, int kind, const char *label)
{
    struct run_span *s = run_span_open(w->run, world_ms(w), kind, label);
    if (!s)
        return -1;
    s->t1_ms = -1; /* open */
    return (int)w->run->spans.n - 1;
}

void world_span_close(struct world *w, int idx)
{
    if (idx < 0 || (size_t)idx >= w->run->spans.n)
        return;
    struct run_span *s = &VEC_AT(w->run->spans, struct run_span, idx);
    if (s->t1_ms < 0)
        s->t1_ms = world_ms(w);
}

static void world_instant(struct world *w, int kind, const char *label)
{
    run_span_open(w->run, world_ms(w), kind, label);
}

/* ---- the host's state, recorded ---------------------------------------------------------- */

void world_host_state(struct world *w, int state)
{
    run_state_set(w->run, world_ms(w), state);
    if (w->vcd_on)
        vcd_set(&w->vcd, cyc_to_ns(w, world_now(w)), VCD_HOST_STATE, (uint32_t)state);
}

/* ---- effects ------------------------------------------------------------------------------ */

void world_effect(struct world *w, int line)
{
    for (int i = 0; i < w->sc->nevents; i++)
        if (w->sc->events[i].line == line)
            w->took_effect[i] = 1;
}

/* ---- attribution ------------------------------------------------------------------------- */

/* The fault that took the host out of its own rules during the unfed gap
 * [from, to], if any: a reset is false when the host was making progress
 * (it would have fed in time but for the chip), whatever else was injected.
 * A slow pass shorter than the timeout, a stray write, a flipped byte or a
 * WiFi outage leave the host healthy (run_kind_excuses). */
static const char *explaining_fault(const struct world *w, double from, double to)
{
    const char *found = NULL;
    for (size_t i = 0; i < w->run->spans.n; i++) {
        const struct run_span *s = &VEC_AT(w->run->spans, struct run_span, i);
        if (!s->excuses)
            continue;
        double end = s->t1_ms < 0 ? to : s->t1_ms;
        if (s->t0_ms <= to && end >= from)
            found = s->label; /* the latest one wins */
    }
    return found;
}

uint32_t world_host_timeout_ms(const struct world *w)
{
    if (w->sc->host.mode == SC_HOST_RAW)
        return w->raw_timeout_ms ? w->raw_timeout_ms : EXTWD_DEFAULT_TIMEOUT_MS;
    uint32_t t = EXTWD_DEFAULT_TIMEOUT_MS;
    if (w->sc->host.mode == SC_HOST_EXTWD)
        for (int i = 0; i < w->sc->nconfig; i++)
            if (w->sc->config[i].kind == SC_CFG_TIMEOUT_MS)
                t = w->sc->config[i].a;
    return t;
}

/* In raw mode the script is the host: it is healthy while a 'raw feed'
 * schedule runs with a period shorter than the chip's timeout (it feeds on
 * schedule), unless its own test action just asked for the reset. Returns
 * why it was not healthy, or NULL. */
static const char *raw_host_unhealthy(const struct world *w, uint64_t cyc)
{
    if (w->raw_test_cyc && cyc - w->raw_test_cyc < world_ms_to_cyc(w, 100))
        return "raw test action";
    uint32_t timeout = world_host_timeout_ms(w);
    if (!w->raw_feed_active || cyc >= w->raw_feed_until)
        return "raw host stopped feeding";
    if (w->raw_feed_every >= world_ms_to_cyc(w, timeout))
        return "raw feeds slower than the timeout";
    return NULL;
}

static void raw_boot_start(struct world *w, uint64_t base);

/* ---- edges ------------------------------------------------------------------------------- */

static void on_reset_fall(struct world *w, uint64_t cyc)
{
    struct run *r = w->run;
    double t = world_cyc_to_ms(w, cyc);
    struct run_reset *rs = vec_push(&r->resets, sizeof *rs);
    if (!rs)
        return;
    rs->t_ms = t;
    rs->release_ms = -1;
    rs->cause = -1;
    rs->recovery = -1;
    rs->since_last_feed_ms = w->last_feed_ms >= 0 ? t - w->last_feed_ms : -1;
    rs->since_disarm_ms = w->last_disarm_ms >= 0 ? t - w->last_disarm_ms : -1;
    double gap_from = w->last_feed_ms >= 0 ? w->last_feed_ms : 0;
    rs->pretimeout_lead_ms = w->last_pretimeout_ms >= gap_from ? t - w->last_pretimeout_ms : -1;
    const char *f = explaining_fault(w, gap_from, t);
    if (!f && w->sc->host.mode == SC_HOST_RAW)
        f = raw_host_unhealthy(w, cyc);
    if (f) {
        snprintf(rs->fault, sizeof rs->fault, "%s", f);
    } else {
        rs->is_false = 1;
        r->false_resets++;
    }
    w->open_reset = (int)r->resets.n - 1;
    run_chain_reset(r, w->open_reset);
    w->reset_low = 1;
    char since[48];
    if (rs->since_last_feed_ms >= 0)
        snprintf(since, sizeof since, "%.1f ms after the last feed", rs->since_last_feed_ms);
    else
        snprintf(since, sizeof since, "no feed before it");
    run_log(r, t, "chip", "RESET #%zu pulled low: %s%s%s%s", r->resets.n, since,
            rs->fault[0] ? " (fault: " : " (FALSE RESET: the host was healthy",
            rs->fault[0] ? rs->fault : "", ")");
    if (w->sc->host.mode == SC_HOST_RAW && w->sc->nraw_boot) {
        /* a raw host that reboots: held in reset, its script stops */
        w->raw_feed_active = 0;
        w->raw_boot_active = 0;
    }
    if (w->sc->host.mode != SC_HOST_RAW)
        host_reset_pulled(w);
}

static void on_reset_rise(struct world *w, uint64_t cyc)
{
    double t = world_cyc_to_ms(w, cyc);
    w->reset_low = 0;
    w->reset_rise_cyc = cyc;
    w->last_release_ms = t;
    if (w->open_reset >= 0) {
        struct run_reset *rs = &VEC_AT(w->run->resets, struct run_reset, w->open_reset);
        rs->release_ms = t;
        run_log(w->run, t, "chip", "reset released after %.1f ms", t - rs->t_ms);
        w->open_reset = -1;
    }
    if (w->sc->host.mode != SC_HOST_RAW)
        host_reset_released(w, cyc);
    if (w->sc->host.mode == SC_HOST_RAW && w->sc->nraw_boot) {
        raw_boot_start(w, cyc);
        run_log(w->run, t, "raw", "the raw host boots again: its boot section runs from here");
    }
}

static void on_edge(void *ctx, enum chipsim_signal sig, int level, uint64_t cyc)
{
    struct world *w = ctx;
    if (w->vcd_on) {
        static const int map[CHIPSIM_SIG_COUNT] = { VCD_RESET, VCD_PRETIMEOUT, VCD_SDA, VCD_SCL };
        if ((int)sig >= 0 && sig < CHIPSIM_SIG_COUNT)
            vcd_set(&w->vcd, cyc_to_ns(w, cyc), map[sig], (uint32_t)(level != 0));
    }
    if (sig == CHIPSIM_SIG_RESET) {
        if (!level && !w->reset_low)
            on_reset_fall(w, cyc);
        else if (level && w->reset_low)
            on_reset_rise(w, cyc);
    } else if (sig == CHIPSIM_SIG_PRETIMEOUT && !level) {
        double t = world_cyc_to_ms(w, cyc);
        double *e = vec_push(&w->run->pretimeout_edges, sizeof *e);
        if (e)
            *e = t;
        w->last_pretimeout_ms = t;
        w->run->pretimeouts++;
        run_log(w->run, t, "chip", "pretimeout pin low");
        if (w->sc->host.pretimeout_irq && host_running(w)) {
            w->run->pretimeout_irqs++;
            run_log(w->run, t, "host", "pretimeout interrupt: the host logs its state (%s) before the reset",
                    sc_host_state_name(host_state(w)));
        }
    }
}

/* ---- sampling ------------------------------------------------------------------------------ */

static void sample(struct world *w)
{
    struct chipsim_core_view v;
    if (chipsim_core_view(w->cs, &v) != 0)
        return;
    /* Before the firmware has initialised its core (power-up, a chip
     * restart) its RAM holds garbage: keep only plausible states. */
    if (v.armed > 1 || v.in_grace > 1 || v.in_pulse > 1 ||
        (v.timeout_ms && (v.timeout_ms < EXTWD_TIMEOUT_MS_MIN || v.timeout_ms > EXTWD_TIMEOUT_MS_MAX)))
        return;
    struct run_sample s = { world_ms(w), v.since_feed_ms, v.timeout_ms, v.armed, v.in_grace, v.in_pulse };
    run_sample_add(w->run, &s);
    if (w->vcd_on) {
        uint64_t t = cyc_to_ns(w, world_now(w));
        vcd_set(&w->vcd, t, VCD_ARMED, v.armed);
        vcd_set(&w->vcd, t, VCD_IN_GRACE, v.in_grace);
        vcd_set(&w->vcd, t, VCD_SINCE_FEED, v.since_feed_ms);
        vcd_set(&w->vcd, t, VCD_TIMEOUT, v.timeout_ms);
        vcd_set(&w->vcd, t, VCD_COUNTDOWN, v.since_feed_ms >= v.timeout_ms ? 0 : v.timeout_ms - v.since_feed_ms);
    }
}

static void take_probe(struct world *w, int i)
{
    const struct sc_expect *x = &w->sc->expects[i];
    struct run *r = w->run;
    if (x->subject == SC_X_AT_HOST) {
        r->at_value[i] = host_state(w);
        r->at_ok[i] = 1;
        return;
    }
    struct chipsim_core_view v;
    if (chipsim_core_view(w->cs, &v) != 0)
        return;
    switch (x->field) {
    case SC_F_ARMED:         r->at_value[i] = v.armed; break;
    case SC_F_IN_GRACE:      r->at_value[i] = v.in_grace; break;
    case SC_F_TIMEOUT_MS:    r->at_value[i] = v.timeout_ms; break;
    case SC_F_SINCE_FEED_MS: r->at_value[i] = v.since_feed_ms; break;
    case SC_F_GRACE_LEFT_MS: r->at_value[i] = v.grace_left_ms; break;
    default:                 return;
    }
    r->at_ok[i] = 1;
}

/* ---- faults --------------------------------------------------------------------------------- */

enum { P_RELEASE_SDA = 1, P_RELEASE_SCL, P_FACTORY_RELEASE, P_CHIP_ON };

static void fmt_bytes(char *out, size_t n, const uint8_t *b, int len)
{
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < len && o + 4 < n; i++)
        o += (size_t)snprintf(out + o, n - o, "%s%02x", i ? " " : "", b[i]);
}

static uint32_t chip_restarts(const struct world *w)
{
    struct chipsim_stats st;
    chipsim_stats(w->cs, &st);
    return st.chip_resets;
}

/* A write by the raw host (the scenario's script). */
static void raw_write(struct world *w, const struct sc_event *e)
{
    char b[40];
    fmt_bytes(b, sizeof b, e->bytes, e->nbytes);
    int rc = world_i2c_write(w, (uint8_t)e->a, e->bytes, e->nbytes, 1);
    if (!rc && e->a == w->chip_addr && e->nbytes && e->bytes[0] == EXTWD_CMD_TEST_ACTION)
        w->raw_test_cyc = world_now(w);
    if (!rc && e->a == w->chip_addr && e->nbytes == 5 && e->bytes[0] == EXTWD_REG_TIMEOUT_MS)
        w->raw_timeout_ms = e->bytes[1] | (uint32_t)e->bytes[2] << 8 | (uint32_t)e->bytes[3] << 16 |
                            (uint32_t)e->bytes[4] << 24;
    run_log(w->run, world_ms(w), "raw", "write [%s] to 0x%02x: %s", b, (unsigned)e->a,
            rc ? extwd_strerror(rc) : "ok");
}

/* The raw host feeds [a5] every every_ms until the cycle `until`. */
static void raw_feed(struct world *w, uint32_t every_ms, uint64_t until)
{
    w->raw_feed_active = 1;
    w->raw_feed_every = world_ms_to_cyc(w, every_ms);
    w->raw_feed_next = world_now(w);
    w->raw_feed_until = until;
    run_log(w->run, world_ms(w), "raw", "feeding [a5] every %u ms until %.3f s", (unsigned)every_ms,
            world_cyc_to_ms(w, until) / 1000.0);
}

/* The raw host (re)boots at cycle base: its boot section runs from there. */
static void raw_boot_start(struct world *w, uint64_t base)
{
    if (!w->sc->nraw_boot)
        return;
    w->raw_boot_active = 1;
    w->raw_boot_next = 0;
    w->raw_boot_base = base;
}

static uint64_t raw_boot_due(const struct world *w)
{
    if (!w->raw_boot_active || w->raw_boot_next >= w->sc->nraw_boot)
        return UINT64_MAX;
    return w->raw_boot_base + world_ms_to_cyc(w, (double)w->sc->raw_boot[w->raw_boot_next].t_ms);
}

static void raw_boot_step(struct world *w)
{
    const struct sc_event *e = &w->sc->raw_boot[w->raw_boot_next++];
    if (e->kind == SC_EV_RAW_WRITE)
        raw_write(w, e);
    else
        raw_feed(w, e->a, e->b ? world_now(w) + world_ms_to_cyc(w, e->b) : w->end_cyc);
}

/* A hung chip main loop ends at the chip's first restart, or after its
 * duration. */
static void chip_hang_check(struct world *w)
{
    if (!w->chip_hang_active)
        return;
    int over = w->chip_hang_until ? world_now(w) >= w->chip_hang_until : chip_restarts(w) > w->chip_hang_resets;
    if (!over)
        return;
    chipsim_unhang(w->cs);
    w->chip_hang_active = 0;
    world_span_close(w, w->chip_hang_span);
    run_log(w->run, world_ms(w), "fault", "the chip firmware runs normally again (%u chip restart%s meanwhile)",
            chip_restarts(w) - w->chip_hang_resets, chip_restarts(w) - w->chip_hang_resets == 1 ? "" : "s");
}

static void pending_add(struct world *w, uint64_t cyc, int kind, int arg)
{
    if (w->npending == WORLD_PENDING_MAX)
        return;
    int i = w->npending++;
    while (i > 0 && w->pending[i - 1].cyc > cyc) {
        w->pending[i] = w->pending[i - 1];
        i--;
    }
    w->pending[i].cyc = cyc;
    w->pending[i].kind = kind;
    w->pending[i].arg = arg;
}



/* Flips one settings byte of the EEPROM slot: its check no longer holds.
 * Returns 0, or -1 if the slot was never written (erased: the chip loads
 * its defaults anyway, so there is nothing to corrupt). */
_Static_assert(WD_EEPROM_SLOTS == 1, "firmware 2 keeps its settings in one slot at offset 0");
/* Which byte: any byte of the settings payload breaks the slot's check, so
 * the world needs no knowledge of what the byte holds. */
#define CORRUPT_SLOT_BYTE 6u
_Static_assert(CORRUPT_SLOT_BYTE < WD_SETTINGS_SIZE, "a byte of the payload, not of the check");
static int corrupt_eeprom(struct world *w)
{
    uint8_t img[WD_EEPROM_SLOT_SIZE];
    if (chipsim_eeprom_read(w->cs, 0, img, sizeof img) != 0)
        return -1;
    int erased = 1;
    for (size_t i = 0; i < sizeof img; i++)
        erased &= img[i] == 0xFF;
    if (erased)
        return -1;
    img[CORRUPT_SLOT_BYTE] ^= 0x5A;
    chipsim_eeprom_write(w->cs, 0, img, sizeof img);
    return 0;
}


/* An event that acts only when the chip next starts: it took effect if the
 * chip restarts after it (checked at the end of the run). */
static void watch_restart(struct world *w, int line)
{
    if (w->nwatch < WORLD_FAULT_Q) {
        w->watch_line[w->nwatch] = line;
        w->watch_resets[w->nwatch] = chip_restarts(w);
        w->nwatch++;
    }
}

/* ---- one handler per event kind ------------------------------------------------------------ */

/* Each takes the event at its time. Locals the handlers share by name: */
#define EV_LOCALS                                                                                   \
    struct run *r = w->run;                                                                        \
    double t = world_ms(w);                                                                        \
    (void)r; (void)t

static void ev_hang(struct world *w, const struct sc_event *e)
{
    EV_LOCALS;
    if (e->task) {
        run_log(r, t, "fault", "the host will hang on entering task '%s'", sc_task_names[e->task % SC_TASK_NAMES]);
        host_plant_bug(w, e);
    } else if (host_up(w)) {
        run_log(r, t, "fault", "host hangs: loop and interrupts stop");
        world_effect(w, e->line);
        host_hang(w);
    } else {
        run_log(r, t, "fault", "hang: the host is not running");
    }
}

static void ev_boot_bug(struct world *w, const struct sc_event *e)
{
    EV_LOCALS;
    char b[40];
    int n = e->a ? (int)e->a : -1;
    host_plant_bug(w, e);
    run_log(r, t, "fault", "from now on %s%s boot%s %s %s", n < 0 ? "every" : "the next ",
            n < 0 ? "" : (snprintf(b, sizeof b, "%d", n), b), n == 1 ? "" : "s",
            e->kind == SC_EV_HANG_BOOT ? "hang" : "crash",
            e->flag ? "before the first feed" : "while starting services");
}

static void ev_part_dead(struct world *w, const struct sc_event *e)
{
    if (host_part_dead(w, (int)e->a))
        world_effect(w, e->line);
}

static void ev_heap_leak(struct world *w, const struct sc_event *e)
{
    EV_LOCALS;
    host_plant_bug(w, e);
    run_log(r, t, "fault", "heap leak: %u bytes/s", (unsigned)e->a);
}

/* slow, ota, fast-feed: the host program acts on them in its loop */
static void ev_host_request(struct world *w, const struct sc_event *e)
{
    host_request(w, e);
}

static void ev_wifi_drop(struct world *w, const struct sc_event *e)
{
    EV_LOCALS;
    w->wifi_back_cyc = world_now(w) + world_ms_to_cyc(w, e->a);
    run_log(r, t, "fault", "WiFi access point gone for %.1f s", e->a / 1000.0);
    struct run_span *s = run_span_open(r, t, SC_EV_WIFI_DROP, "WiFi down");
    if (s)
        s->t1_ms = t + e->a;
    world_effect(w, e->line); /* the access point is gone, whatever the host does */
    host_request(w, e);
}

static void ev_host_reset(struct world *w, const struct sc_event *e)
{
    EV_LOCALS;
    run_log(r, t, "fault", "host reset button");
    world_instant(w, e->kind, "reset button");
    if (host_resettable(w)) {
        host_kill(w, SC_AFTER_HOST_RESET, world_now(w) + world_ms_to_cyc(w, 100));
        world_effect(w, e->line);
    }
}

static void ev_line_low(struct world *w, const struct sc_event *e)
{
    EV_LOCALS;
    char lbl[40];
    world_effect(w, e->line);
    int sda = e->kind == SC_EV_SDA_LOW;
    chipsim_hold_low(w->cs, sda ? CHIPSIM_SIG_SDA : CHIPSIM_SIG_SCL, 1);
    snprintf(lbl, sizeof lbl, "%s held low %.1f s", sda ? "SDA" : "SCL", e->a / 1000.0);
    run_log(r, t, "fault", "%s", lbl);
    int idx = world_span(w, e->kind, lbl);
    if (sda)
        w->span_sda = idx;
    else
        w->span_scl = idx;
    pending_add(w, world_now(w) + world_ms_to_cyc(w, e->a), sda ? P_RELEASE_SDA : P_RELEASE_SCL, idx);
}

static void ev_nack(struct world *w, const struct sc_event *e)
{
    EV_LOCALS;
    busfault_nack(&w->bus, e->line, e->a);
    run_log(r, t, "fault", "the next %u host transaction(s) get a corrupted address (NACK)", (unsigned)e->a);
}

static void ev_corrupt(struct world *w, const struct sc_event *e)
{
    EV_LOCALS;
    busfault_corrupt(&w->bus, e->line, e->a, (uint8_t)e->b);
    run_log(r, t, "fault", "the next %u host write(s) get bit %u of their first byte flipped",
            (unsigned)e->a, (unsigned)e->b);
}

static void ev_stray(struct world *w, const struct sc_event *e)
{
    EV_LOCALS;
    char lbl[40], b[40];
    world_effect(w, e->line);
    fmt_bytes(b, sizeof b, e->bytes, e->nbytes);
    snprintf(lbl, sizeof lbl, "stray write %s", b);
    world_instant(w, e->kind, lbl);
    int rc = world_i2c_write(w, (uint8_t)e->a, e->bytes, e->nbytes, 0);
    run_log(r, world_ms(w), "fault", "a second master writes [%s] to 0x%02x: %s", b, (unsigned)e->a,
            rc ? extwd_strerror(rc) : "acknowledged");
}

static void ev_abort_tx(struct world *w, const struct sc_event *e)
{
    EV_LOCALS;
    char lbl[40];
    static const uint8_t feed = EXTWD_CMD_FEED;
    world_effect(w, e->line);
    snprintf(lbl, sizeof lbl, "transaction cut after %u bits", (unsigned)e->a);
    world_instant(w, e->kind, lbl);
    int rc = chipsim_i2c_write_abort(w->cs, w->chip_addr, &feed, 1, e->a);
    /* it was the host's feed: one that did not get through */
    r->feed_errors++;
    r->bus_errors++;
    struct run_feed *f = vec_push(&r->feeds_v, sizeof *f);
    if (f)
        f->t_ms = world_ms(w);
    run_log(r, world_ms(w), "fault", "the master stops driving %u bits into a feed (%s)%s", (unsigned)e->a,
            rc ? "failed" : "bits sent", e->flag ? "; the host resets" : "");
    if (e->flag && host_resettable(w))
        host_kill(w, SC_AFTER_HOST_RESET, world_now(w) + world_ms_to_cyc(w, 100));
}

static void ev_brownout(struct world *w, const struct sc_event *e)
{
    EV_LOCALS;
    run_log(r, t, "fault", "chip brown-out");
    world_instant(w, e->kind, "brown-out");
    if (chipsim_powered(w->cs))
        world_effect(w, e->line); /* an unpowered chip has nothing to lose */
    chipsim_brownout(w->cs);
}

static void ev_power_cycle(struct world *w, const struct sc_event *e)
{
    EV_LOCALS;
    world_effect(w, e->line);
    run_log(r, t, "fault", "power cycle: chip and host");
    world_instant(w, e->kind, "power cycle");
    chipsim_power_cycle(w->cs, (uint32_t)rng_next(&w->rng));
    if (w->sc->host.mode != SC_HOST_RAW)
        host_kill(w, SC_AFTER_POWER_CYCLE, world_now(w));
}

static void ev_eeprom_corrupt(struct world *w, const struct sc_event *e)
{
    EV_LOCALS;
    run_log(r, t, "fault", "EEPROM corrupted (one byte of the settings slot)");
    world_instant(w, e->kind, "EEPROM corrupted");
    if (corrupt_eeprom(w) == 0)
        watch_restart(w, e->line); /* it acts when the chip next reads its EEPROM */
    else
        run_log(r, t, "fault", "the settings slot was never written: nothing to corrupt");
}

static void ev_factory_pin(struct world *w, const struct sc_event *e)
{
    EV_LOCALS;
    run_log(r, t, "fault", "factory-reset pin %s", e->flag ? "held low" : "released");
    if (e->flag)
        watch_restart(w, e->line); /* the chip reads it when it starts */
    else if (w->factory_low)
        world_effect(w, e->line);
    w->factory_low = e->flag;
    chipsim_factory_pin(w->cs, e->flag);
}

static void ev_raw_write(struct world *w, const struct sc_event *e)
{
    world_effect(w, e->line);
    raw_write(w, e);
}

static void ev_raw_read(struct world *w, const struct sc_event *e)
{
    EV_LOCALS;
    char b[40];
    world_effect(w, e->line);
    struct run_raw_read *rr = vec_push(&r->raw_reads, sizeof *rr);
    if (!rr)
        return;
    rr->t_ms = t;
    rr->n = (uint8_t)e->a;
    rr->rc = world_i2c_read(w, (uint8_t)e->b, rr->bytes, rr->n, 1);
    fmt_bytes(b, sizeof b, rr->bytes, rr->n);
    run_log(r, world_ms(w), "raw", "read %u from 0x%02x: %s%s", (unsigned)e->a, (unsigned)e->b,
            rr->rc ? extwd_strerror(rr->rc) : "", rr->rc ? "" : b);
}

static void ev_raw_feed(struct world *w, const struct sc_event *e)
{
    world_effect(w, e->line);
    raw_feed(w, e->a, world_ms_to_cyc(w, e->b));
}

static void ev_crash(struct world *w, const struct sc_event *e)
{
    EV_LOCALS;
    if (host_up(w)) {
        run_log(r, t, "fault", "the host crashes (exception) and restarts after %.1f s",
                w->sc->host.crash_restart_ms / 1000.0);
        world_instant(w, e->kind, "host crash");
        world_effect(w, e->line);
        host_kill(w, SC_AFTER_CRASH, world_now(w) + world_ms_to_cyc(w, w->sc->host.crash_restart_ms));
    } else {
        run_log(r, t, "fault", "crash: the host is not running");
    }
}

static void ev_chip_off(struct world *w, const struct sc_event *e)
{
    EV_LOCALS;
    if (!chipsim_powered(w->cs)) {
        run_log(r, t, "fault", "chip-off: the chip is unpowered already");
        return;
    }
    if (e->a)
        run_log(r, t, "fault", "the chip loses its supply for %.3f s: absent from the bus, its pins high-Z",
                e->a / 1000.0);
    else
        run_log(r, t, "fault", "the chip loses its supply: absent from the bus, its pins high-Z");
    chipsim_power(w->cs, 0, 0);
    world_effect(w, e->line);
    int sp = world_span(w, e->kind, "chip unpowered");
    if (e->a)
        pending_add(w, world_now(w) + world_ms_to_cyc(w, e->a), P_CHIP_ON, sp);
}

static void ev_flaky(struct world *w, const struct sc_event *e)
{
    EV_LOCALS;
    run_log(r, t, "fault", "for %.3f s the chip acknowledges only every other host transfer", e->a / 1000.0);
    busfault_flaky(&w->bus, e->line, world_now(w) + world_ms_to_cyc(w, e->a));
    int sp = world_span(w, e->kind, "flaky chip");
    if (sp >= 0)
        VEC_AT(r->spans, struct run_span, sp).t1_ms = t + e->a;
}

static void ev_chip_hang(struct world *w, const struct sc_event *e)
{
    EV_LOCALS;
    if (w->chip_hang_active) {
        run_log(r, t, "fault", "chip-hang: the chip's main loop is hung already");
        return;
    }
    if (chipsim_hang_main_loop(w->cs) != 0) {
        run_log(r, world_ms(w), "fault", "chip-hang: the firmware's main loop could not be hung");
        return;
    }
    world_effect(w, e->line);
    w->chip_hang_active = 1;
    w->chip_hang_resets = chip_restarts(w);
    w->chip_hang_until = e->a ? world_now(w) + world_ms_to_cyc(w, e->a) : 0;
    w->chip_hang_span = world_span(w, e->kind, "chip main loop hung");
    if (e->a)
        run_log(r, world_ms(w), "fault", "the chip firmware's main loop hangs, again after each restart, for %.1f s",
                e->a / 1000.0);
    else
        run_log(r, world_ms(w), "fault", "the chip firmware's main loop hangs (until the chip restarts)");
}

#undef EV_LOCALS

typedef void (*event_handler)(struct world *w, const struct sc_event *e);

/* One handler per enum sc_ev_kind. A kind left out would never take effect,
 * which check.effect (tests/sim/effect) reports. */
static const event_handler event_handlers[SC_EV_COUNT] = {
    [SC_EV_HANG] = ev_hang,               [SC_EV_HANG_BOOT] = ev_boot_bug,
    [SC_EV_CRASH_BOOT] = ev_boot_bug,     [SC_EV_SLOW] = ev_host_request,
    [SC_EV_OTA] = ev_host_request,        [SC_EV_WIFI_DROP] = ev_wifi_drop,
    [SC_EV_HEAP_LEAK] = ev_heap_leak,     [SC_EV_FAST_FEED] = ev_host_request,
    [SC_EV_CRASH] = ev_crash,             [SC_EV_HOST_RESET] = ev_host_reset,
    [SC_EV_SDA_LOW] = ev_line_low,        [SC_EV_SCL_LOW] = ev_line_low,
    [SC_EV_NACK] = ev_nack,               [SC_EV_CORRUPT] = ev_corrupt,
    [SC_EV_STRAY] = ev_stray,             [SC_EV_ABORT_TX] = ev_abort_tx,
    [SC_EV_BROWNOUT] = ev_brownout,       [SC_EV_POWER_CYCLE] = ev_power_cycle,
    [SC_EV_EEPROM_CORRUPT] = ev_eeprom_corrupt, [SC_EV_FACTORY_PIN] = ev_factory_pin,
    [SC_EV_CHIP_HANG] = ev_chip_hang,     [SC_EV_CHIP_OFF] = ev_chip_off,
    [SC_EV_FLAKY] = ev_flaky,             [SC_EV_PART_DEAD] = ev_part_dead,
    [SC_EV_RAW_WRITE] = ev_raw_write,     [SC_EV_RAW_READ] = ev_raw_read,
    [SC_EV_RAW_FEED] = ev_raw_feed,
};

static void apply_event(struct world *w, const struct sc_event *e)
{
    if (e->kind < SC_EV_COUNT && event_handlers[e->kind]) /* kind is unsigned */
        event_handlers[e->kind](w, e);
}

static void apply_pending(struct world *w, const struct world_pending *p)
{
    switch (p->kind) {
    case P_RELEASE_SDA:
    case P_RELEASE_SCL:
        chipsim_hold_low(w->cs, p->kind == P_RELEASE_SDA ? CHIPSIM_SIG_SDA : CHIPSIM_SIG_SCL, 0);
        world_span_close(w, p->arg);
        run_log(w->run, world_ms(w), "fault", "%s released", p->kind == P_RELEASE_SDA ? "SDA" : "SCL");
        break;
    case P_CHIP_ON:
        chipsim_power(w->cs, 1, (uint32_t)rng_next(&w->rng));
        world_span_close(w, p->arg);
        run_log(w->run, world_ms(w), "fault", "the chip's supply comes: a power-on start");
        break;
    }
}

static uint64_t next_scheduled(const struct world *w)
{
    uint64_t next = UINT64_MAX;
    if (w->next_event < w->sc->nevents) {
        uint64_t c = world_ms_to_cyc(w, (double)w->sc->events[w->next_event].t_ms);
        if (c < next)
            next = c;
    }
    if (w->npending && w->pending[0].cyc < next)
        next = w->pending[0].cyc;
    if (w->raw_feed_active && w->raw_feed_next < next)
        next = w->raw_feed_next;
    if (raw_boot_due(w) < next)
        next = raw_boot_due(w);
    if (w->chip_hang_active && w->chip_hang_until && w->chip_hang_until < next)
        next = w->chip_hang_until;
    if (w->next_probe < w->nprobes) {
        uint64_t c = world_ms_to_cyc(w, (double)w->sc->expects[w->probe_order[w->next_probe]].at_ms);
        if (c < next)
            next = c;
    }
    return next;
}

/* Applies everything due by now, in time order. */
static void apply_due(struct world *w)
{
    for (int guard = 0; guard < 10000; guard++) {
        uint64_t now = world_now(w);
        if (w->next_probe < w->nprobes &&
            world_ms_to_cyc(w, (double)w->sc->expects[w->probe_order[w->next_probe]].at_ms) <= now) {
            take_probe(w, w->probe_order[w->next_probe++]);
            continue;
        }
        if (w->npending && w->pending[0].cyc <= now) {
            struct world_pending p = w->pending[0];
            memmove(&w->pending[0], &w->pending[1], (size_t)(w->npending - 1) * sizeof p);
            w->npending--;
            apply_pending(w, &p);
            continue;
        }
        if (w->next_event < w->sc->nevents &&
            world_ms_to_cyc(w, (double)w->sc->events[w->next_event].t_ms) <= now) {
            apply_event(w, &w->sc->events[w->next_event++]);
            continue;
        }
        if (raw_boot_due(w) <= now) {
            raw_boot_step(w);
            continue;
        }
        if (w->raw_feed_active && w->raw_feed_next <= now) {
            if (now >= w->raw_feed_until) {
                w->raw_feed_active = 0;
                continue;
            }
            static const uint8_t feed = EXTWD_CMD_FEED;
            world_i2c_write(w, w->chip_addr, &feed, 1, 1);
            w->raw_feed_next += w->raw_feed_every;
            if (w->raw_feed_next <= now)
                w->raw_feed_next = now + 1;
            continue;
        }
        break;
    }
}

/* ---- advancing ------------------------------------------------------------------------------ */

void world_settle(struct world *w)
{
    sample(w);
    chip_hang_check(w);
    apply_due(w);
    if (world_now(w) >= w->end_cyc)
        w->ended = 1;
}

int world_advance(struct world *w, uint64_t until, int stop_on_host)
{
    if (until > w->end_cyc)
        until = w->end_cyc;
    for (;;) {
        if (w->fatal || w->ended)
            return -1;
        if (stop_on_host && !host_alive(w))
            return -1;
        uint64_t now = world_now(w);
        if (now >= until)
            return 0;
        uint64_t next = now + w->slice_cyc;
        if (next > until)
            next = until;
        uint64_t sched = next_scheduled(w);
        if (sched > now && sched < next)
            next = sched;
        if (chipsim_run_until(w->cs, next) != 0) {
            w->fatal = 1;
            run_log(w->run, world_ms(w), "chip", "the simulated CPU stopped (crash)");
            return -1;
        }
        world_settle(w);
    }
}

/* ---- bus -------------------------------------------------------------------------------------- */

/* The bus faults waiting for this host transfer (busfault.c), with their
 * effect and their mark on the timeline. */
static void host_bus_faults(struct world *w, uint8_t *addr, uint8_t *first, size_t len)
{
    int line;
    int hit = busfault_apply(&w->bus, world_now(w), addr, first, len, &line);
    if (line)
        world_effect(w, line);
    if (hit == BUSFAULT_NACK)
        world_instant(w, SC_EV_NACK, "address NACK");
    else if (hit == BUSFAULT_CORRUPT)
        world_instant(w, SC_EV_CORRUPT, "corrupt byte");
}

int world_i2c_write(struct world *w, uint8_t addr, const uint8_t *buf, size_t len, int from_host)
{
    uint8_t tmp[16];
    if (len > sizeof tmp || w->fatal)
        return EXTWD_E_IO;
    memcpy(tmp, buf, len);
    if (from_host)
        host_bus_faults(w, &addr, tmp, len);
    int rc = chipsim_i2c_write(w->cs, addr, tmp, len);
    if (rc == CHIPSIM_E_CRASHED) {
        w->fatal = 1;
        run_log(w->run, world_ms(w), "chip", "the simulated CPU stopped (crash)");
    }
    double t = world_ms(w);
    struct run *r = w->run;
    int is_feed = len >= 1 && len <= 2 && tmp[0] == EXTWD_CMD_FEED;
    if (rc == CHIPSIM_OK && addr == w->chip_addr) {
        if (is_feed) {
            w->last_feed_ms = t;
            r->feeds++;
        } else if (len >= 2 && tmp[0] == EXTWD_REG_ACTION && tmp[1] == 0) {
            w->last_disarm_ms = t;
        }
    }
    if (rc != CHIPSIM_OK) {
        r->bus_errors++;
        if (is_feed)
            r->feed_errors++;
    }
    if (is_feed && from_host) {
        struct run_feed *f = vec_push(&r->feeds_v, sizeof *f);
        if (f) {
            f->t_ms = t;
            f->ok = rc == CHIPSIM_OK;
        }
    }
    return chipsim_extwd_rc(rc);
}

int world_i2c_read(struct world *w, uint8_t addr, uint8_t *buf, size_t len, int from_host)
{
    if (w->fatal)
        return EXTWD_E_IO;
    if (from_host)
        host_bus_faults(w, &addr, NULL, len);
    int rc = chipsim_i2c_read(w->cs, addr, buf, len);
    if (rc == CHIPSIM_E_CRASHED) {
        w->fatal = 1;
        run_log(w->run, world_ms(w), "chip", "the simulated CPU stopped (crash)");
    }
    if (rc != CHIPSIM_OK) {
        w->run->bus_errors++;
        memset(buf, 0xFF, len);
    }
    return chipsim_extwd_rc(rc);
}

/* ---- the run ------------------------------------------------------------------------------------ */

static void final_reads(struct world *w)
{
    const struct scenario *sc = w->sc;
    for (int i = 0; i < sc->nexpects; i++) {
        const struct sc_expect *x = &sc->expects[i];
        if (x->subject != SC_X_FINAL)
            continue;
        uint32_t v = 0;
        int ok = 1;
        for (int k = 0; k < x->reg_width && ok; k++) {
            uint8_t ptr[2] = { EXTWD_CMD_SET_POINTER, (uint8_t)(x->reg + k) }, byte = 0;
            ok = chipsim_i2c_write(w->cs, w->chip_addr, ptr, 2) == CHIPSIM_OK &&
                 chipsim_i2c_read(w->cs, w->chip_addr, &byte, 1) == CHIPSIM_OK;
            v |= (uint32_t)byte << (8 * k);
        }
        w->run->final_value[i] = v;
        w->run->final_ok[i] = (uint8_t)ok;
    }
}

static int mcu_bit(const char *mcu)
{
    if (!strcmp(mcu, "attiny85"))
        return 0;
    if (!strcmp(mcu, "atmega328p"))
        return 1;
    return -1;
}

/* The probes (expectations "at T") in time order, ties in file order. */
static void order_probes(struct world *w)
{
    const struct scenario *sc = w->sc;
    for (int i = 0; i < sc->nexpects; i++)
        if (sc->expects[i].subject == SC_X_AT_CHIP || sc->expects[i].subject == SC_X_AT_HOST)
            w->probe_order[w->nprobes++] = i;
    for (int a = 1; a < w->nprobes; a++)
        for (int b = a; b > 0 && sc->expects[w->probe_order[b - 1]].at_ms > sc->expects[w->probe_order[b]].at_ms; b--) {
            int tmp = w->probe_order[b];
            w->probe_order[b] = w->probe_order[b - 1];
            w->probe_order[b - 1] = tmp;
        }
}

static void open_vcd(struct world *w, FILE *vcd)
{
    char c[640]; /* name, firmware path, seed: never cut */
    snprintf(c, sizeof c, "extwd-sim %s on %s seed %llu", w->sc->name, w->run->firmware,
             (unsigned long long)w->run->seed);
    vcd_open(&w->vcd, vcd, c);
    w->vcd_on = 1;
    for (int s = 0; s < CHIPSIM_SIG_COUNT; s++) {
        static const int map[CHIPSIM_SIG_COUNT] = { VCD_RESET, VCD_PRETIMEOUT, VCD_SDA, VCD_SCL };
        vcd_set(&w->vcd, 0, map[s], (uint32_t)(chipsim_level(w->cs, (enum chipsim_signal)s) != 0));
    }
}

int world_open(struct world **wp, const struct scenario *sc, const struct chipsim_config *cfg,
               struct run *run, FILE *vcd, char *err, size_t errlen)
{
    struct world *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return SIM_E_INPUT;
    }
    char cerr[256] = "";
    if (chipsim_open(&w->cs, cfg, cerr, sizeof cerr) != 0) {
        snprintf(err, errlen, "%s: %s", cfg->elf_path, cerr[0] ? cerr : "cannot load");
        free(w);
        return SIM_E_INPUT;
    }
    int bit = mcu_bit(chipsim_mcu(w->cs));
    if (bit >= 0 && !(sc->mcus & (1u << bit))) {
        snprintf(err, errlen, "%s does not apply to %s: %s", sc->name, chipsim_mcu(w->cs),
                 sc->skip_reason[bit][0] ? sc->skip_reason[bit] : "see the scenario's mcu line");
        snprintf(run->mcu, sizeof run->mcu, "%s", chipsim_mcu(w->cs));
        chipsim_close(w->cs);
        free(w);
        return SIM_SKIP;
    }
    w->sc = sc;
    w->run = run;
    w->rng.s = run->seed;
    w->freq = chipsim_freq(w->cs);
    w->chip_addr = EXTWD_I2C_ADDR_DEFAULT;
    w->end_cyc = world_ms_to_cyc(w, (double)sc->duration_ms);
    w->slice_cyc = w->freq / 250; /* 4 ms: samples the chip 4x per 16 ms tick; the host notices a reset within it */
    w->open_reset = -1;
    run->chain_first = -1;
    w->last_feed_ms = w->last_disarm_ms = w->last_pretimeout_ms = -1;
    w->last_release_ms = 0;
    w->span_sda = w->span_scl = -1;
    if (host_create(w)) {
        snprintf(err, errlen, "out of memory");
        chipsim_close(w->cs);
        free(w);
        return SIM_E_INPUT;
    }
    w->chip_hang_span = -1;
    snprintf(run->firmware, sizeof run->firmware, "%s", cfg->elf_path);
    snprintf(run->mcu, sizeof run->mcu, "%s", chipsim_mcu(w->cs));
    run->freq = w->freq;
    order_probes(w);
    if (vcd)
        open_vcd(w, vcd);
    chipsim_on_edge(w->cs, on_edge, w);
    *wp = w;
    return 0;
}

void world_begin(struct world *w)
{
    const struct scenario *sc = w->sc;
    struct run *run = w->run;
    run_log(run, 0, "sim", "scenario %s%s%s", sc->name, sc->title[0] ? ": " : "", sc->title);
    run_log(run, 0, "sim", "firmware %s (%s, %.1f MHz), seed %llu, %.1f s simulated", run->firmware, run->mcu,
            w->freq / 1e6, (unsigned long long)run->seed, sc->duration_ms / 1000.0);
    if (sc->host.mode == SC_HOST_RAW)
        raw_boot_start(w, 0);
    sample(w);
    apply_due(w);
}

/* The run's figures from what is still open and from the chip's counters. */
static void record_end(struct world *w)
{
    struct run *run = w->run;
    for (size_t i = 0; i < run->spans.n; i++) {
        struct run_span *s = &VEC_AT(run->spans, struct run_span, i);
        if (s->t1_ms < 0)
            s->t1_ms = world_ms(w);
        if (s->kind == SC_EV_PART_DEAD)
            run->dead_part_ms += s->t1_ms - s->t0_ms;
    }
    run->sim_ms = world_ms(w);
    run->host_state_end = host_state(w);
    struct chipsim_stats st;
    chipsim_stats(w->cs, &st);
    run->cycles = st.cycles;
    run->awake_cycles = st.awake_cycles;
    run->awake_fraction = st.cycles ? (double)st.awake_cycles / (double)st.cycles : 0;
    run->sleep_mode_errors = st.sleep_mode_errors;
    run->max_stretch_us = st.max_stretch_us;
    run->bus_bytes = st.bus_bytes;
    run->chip_resets = st.chip_resets;
}

int world_end(struct world *w)
{
    struct run *run = w->run;
    const struct scenario *sc = w->sc;
    if (!w->ended && !w->fatal)
        world_advance(w, w->end_cyc, 0);
    record_end(w);
    if (w->vcd_on)
        vcd_close(&w->vcd, cyc_to_ns(w, world_now(w)));
    final_reads(w);
    for (int i = 0; i < w->nwatch; i++)
        if (run->chip_resets > w->watch_resets[i])
            world_effect(w, w->watch_line[i]);
    for (int i = 0; i < sc->nevents; i++)
        if (!w->took_effect[i])
            run->ineffective[run->nineffective++] = i;
    int fatal = w->fatal;
    chipsim_close(w->cs);
    host_destroy(w);
    free(w);
    return fatal;
}
