/*
 * The host model: the seed's ESP8266 application (OTGW firmware, ADR-011),
 * written the way that firmware is written, as straight-line setup() and
 * loop() code. Two programs:
 *
 *  - extwd: the seed's application on libextwd (the real library, through a
 *    simulation port): it reads the reset evidence before its first feed,
 *    arms, starts WiFi with feeds, feeds first thing in loop() (rate-limited
 *    to 100 ms), survives OTA and WiFi reconnects with the long-op helper,
 *    degrades on a heap emergency, honours the chip's safe-mode bit, and can
 *    be built with DEBUG_NO_WATCHDOG.
 *  - stock: OTGW v1.7.2 as built (anchors.md section 3), byte for byte on
 *    the bus: the disarm before Wire.begin that never reaches the chip,
 *    100 ms, [0x83, 17] and a one-byte read, arm later, a feed from loop()
 *    through safeTimers (with its "more than 10 intervals late" guard), and a
 *    raw feed per OTA chunk.
 *
 * Time passes only through hw() (the host works for a while) and the bus.
 * Both fail once the host can no longer run, and the code unwinds.
 *
 * This file links libsimavr (through chipsim): GPL-3.0-or-later.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world.h"

#define SERVICES_MS     300u   /* MQTT, web server, OTGW serial: the risky part of setup() */
#define WIFI_STEP_MS    100u   /* the connect wait loop feeds this often */
#define CONNECT_MS      300u   /* association once the access point is back */
#define HEAP_START      40000.0
#define HEAP_DEGRADE    12000.0 /* ADR-030: throttle below this */
#define HEAP_CRITICAL   4000.0
#define REINIT_EVERY_MS 1000u

enum { BC_BOOT = 1, BC_TIMERS, BC_NETWORK, BC_OTGW, BC_OTA, BC_WIFI };
static const char *const task_name[] = { "", "boot", "timers", "network", "otgw", "ota", "wifi" };

/* ---- the host's RAM ---------------------------------------------------------------------- */

#define HOST_REQ_MAX 16

/* A bug that strikes in setup() (hang-boot, crash-boot). */
struct boot_bug {
    int left;               /* boots it still strikes (-1 = all, 0 = none) */
    uint8_t early;          /* before the first feed, else while starting services */
    int line;               /* the scenario line that planted it */
};

/* Bugs in the host firmware image: they survive the host's reboots. */
struct host_bugs {
    struct boot_bug hang_boot, crash_boot;
    uint32_t heap_leak_bps;
    int heap_leak_line;
    uint8_t hang_task;      /* hang on next entering this task (0 = none), even after a reboot */
    int hang_task_line;     /* the scenario line that set it */
};

struct host {
    int state;              /* enum sc_host_state */
    int killed;             /* RAM lost (reset, power, crash): unwind, then reboot */
    int hung;               /* stopped: no code, no interrupts, until killed */
    int next_after;         /* enum sc_boot_after for the next boot */
    uint64_t off_until;     /* cycle before which the host cannot start booting */
    uint64_t boot_cyc;      /* when this boot started (millis() counts from here) */
    int bus_up;             /* Wire.begin() done */
    int in_loop;

    struct extwd wd;
    struct extwd_port port;
    struct extwd_config cfg;
    int wd_ok;              /* extwd_init succeeded this boot */
    int safe;               /* safe mode this boot */
    uint64_t loop_since;    /* cycle the host entered loop() this boot */

    /* stimuli waiting for the next loop() pass */
    struct sc_event req[HOST_REQ_MAX];
    int nreq;

    uint32_t heap_free;
    int degraded;
    int wifi_connected;

    /* the stock host's safeTimers feed timer */
    int st_started;
    uint32_t st_due;

    /* libextwd health channels (host channels on), one per enum sc_part */
    struct extwd_channel ch[SC_PART_COUNT];
    uint8_t parts_dead;     /* bit per enum sc_part: stopped working this boot */
    int span_part;          /* index of the open "part dead" span, -1 */

    /* feed failure bookkeeping for the timeline */
    uint32_t feed_fail_run;
    int span_hang;          /* index of the open hang span, -1 */

    struct host_bugs bugs;  /* the firmware image's: kept through every boot */
};

/* ---- the host as the world sees it (host.h) ------------------------------------------ */

int host_create(struct world *w)
{
    w->h = calloc(1, sizeof *w->h);
    if (!w->h)
        return -1;
    w->h->span_hang = -1;
    return 0;
}

void host_destroy(struct world *w)
{
    free(w->h);
    w->h = NULL;
}

void host_plant_bug(struct world *w, const struct sc_event *e)
{
    struct host_bugs *b = &w->h->bugs;
    struct boot_bug bb = { .left = e->a ? (int)e->a : -1, .early = e->flag, .line = e->line };
    switch (e->kind) {
    case SC_EV_HANG:
        b->hang_task = e->task;
        b->hang_task_line = e->line;
        break;
    case SC_EV_HANG_BOOT:
        b->hang_boot = bb;
        break;
    case SC_EV_CRASH_BOOT:
        b->crash_boot = bb;
        break;
    case SC_EV_HEAP_LEAK:
        b->heap_leak_bps = e->a;
        b->heap_leak_line = e->line;
        break;
    default: /* not a bug of the image: world.c never passes one */
        break;
    }
}

/* Does the boot bug strike this boot at this point (early or not)? If so,
 * one boot fewer is left and its line took effect. */
static int strikes(struct world *w, struct boot_bug *bb, int early)
{
    if (!bb->left || bb->early != early)
        return 0;
    if (bb->left > 0)
        bb->left--;
    world_effect(w, bb->line);
    return 1;
}

int host_alive(const struct world *w)
{
    return !w->h->killed && !w->h->hung && !w->ended && !w->fatal;
}

int host_running(const struct world *w)
{
    return !w->h->killed && !w->h->hung && w->h->state != SC_HS_OFF;
}

int host_up(const struct world *w)
{
    return host_running(w) && !w->ended && !w->fatal;
}

int host_resettable(const struct world *w)
{
    return w->h->state != SC_HS_OFF || w->h->killed;
}

int host_state(const struct world *w)
{
    return w->h->state;
}

void host_set_state(struct world *w, int state)
{
    w->h->state = state;
    world_host_state(w, state);
}

void host_kill(struct world *w, int after, uint64_t off_until)
{
    struct host *h = w->h;
    if (h->hung && h->span_hang >= 0) {
        world_span_close(w, h->span_hang);
        h->span_hang = -1;
    }
    h->killed = 1;
    h->hung = 0;
    h->next_after = after;
    if (off_until > h->off_until || !h->off_until)
        h->off_until = off_until;
    h->bus_up = 0;
    h->in_loop = 0;
    host_set_state(w, SC_HS_OFF);
}

void host_hang(struct world *w)
{
    struct host *h = w->h;
    h->hung = 1;
    h->span_hang = world_span(w, SC_EV_HANG, "host hang");
    host_set_state(w, SC_HS_HUNG);
}

void host_reset_pulled(struct world *w)
{
    if (w->h->state != SC_HS_OFF)
        host_kill(w, SC_AFTER_CHIP_RESET, 0);
    else
        w->h->next_after = SC_AFTER_CHIP_RESET;
}

void host_reset_released(struct world *w, uint64_t cyc)
{
    if (w->h->killed && cyc > w->h->off_until)
        w->h->off_until = cyc;
}

void host_request(struct world *w, const struct sc_event *e)
{
    struct host *h = w->h;
    if (!host_running(w)) {
        run_log(w->run, world_ms(w), "fault", "%s: the host is not running, nothing to do", sc_event_name(e->kind));
        return;
    }
    if (h->nreq == HOST_REQ_MAX)
        return;
    h->req[h->nreq++] = *e;
}

/* ---- primitives ----------------------------------------------------------------------- */

static uint64_t ms(const struct world *w, double v)
{
    return world_ms_to_cyc(w, v);
}

/* The host works until cycle c. Returns 0, or -1 if it stopped meanwhile. */
static int hw_until(struct world *w, uint64_t c)
{
    if (world_advance(w, c, 1))
        return -1;
    return host_alive(w) ? 0 : -1;
}

static int hw(struct world *w, double v)
{
    return hw_until(w, world_now(w) + ms(w, v));
}

/* The end of an OTA, either program: the host restarts into the new image
 * 100 ms later. Returns -1 (the host stopped). */
static int ota_restart(struct world *w)
{
    run_log(w->run, world_ms(w), "host", "OTA done: restarting into the new image");
    host_kill(w, SC_AFTER_OTA, world_now(w) + ms(w, 100));
    return -1;
}

static uint32_t port_millis(void *ctx)
{
    const struct world *w = ctx;
    uint64_t since = world_now(w) - w->h->boot_cyc;
    return (uint32_t)(since * 1000u / w->freq) + w->sc->host.millis_start;
}

/* The host's bus: nothing reaches it from a host that is stopped or has not
 * begun Wire; each transfer is followed by whatever fell due during it. */
static int bus_write(struct world *w, uint8_t addr, const uint8_t *buf, size_t len)
{
    if (!host_alive(w) || !w->h->bus_up)
        return EXTWD_E_IO;
    int rc = world_i2c_write(w, addr, buf, len, 1);
    world_settle(w);
    return rc;
}

static int bus_read(struct world *w, uint8_t addr, uint8_t *buf, size_t len)
{
    if (!host_alive(w) || !w->h->bus_up)
        return EXTWD_E_IO;
    int rc = world_i2c_read(w, addr, buf, len, 1);
    world_settle(w);
    return rc;
}

static int port_write(void *ctx, uint8_t addr, const uint8_t *buf, size_t len)
{
    return bus_write(ctx, addr, buf, len);
}

static int port_read(void *ctx, uint8_t addr, uint8_t *buf, size_t len)
{
    return bus_read(ctx, addr, buf, len);
}

static void hang(struct world *w, const char *why)
{
    run_log(w->run, world_ms(w), "fault", "host hangs %s: loop and interrupts stop", why);
    w->h->hung = 1;
    w->h->span_hang = world_span(w, SC_EV_HANG, "host hang");
    host_set_state(w, SC_HS_HUNG);
}

static void err(struct world *w, const char *what, int rc)
{
    if (rc < 0 && host_alive(w))
        run_log(w->run, world_ms(w), "host", "%s failed: %s", what, extwd_strerror(rc));
}

static int loop_state(const struct host *h)
{
    return h->safe ? SC_HS_SAFE : h->degraded ? SC_HS_DEGRADED : SC_HS_LOOP;
}

/* ---- bookkeeping shared by both programs ---------------------------------------------- */

static struct run_boot *boot_record(struct world *w)
{
    struct run_boot *b = vec_push(&w->run->boots, sizeof *b);
    if (b) {
        b->t_ms = world_ms(w);
        b->after = w->h->next_after;
        b->missed = -1;
    }
    return b;
}

/* The boot that follows a chip reset learns its cause. */
static void learn_cause(struct world *w, const struct run_boot *b, int cause)
{
    if (b->after != SC_AFTER_CHIP_RESET || !w->run->resets.n)
        return;
    struct run_reset *rs = &VEC_AT(w->run->resets, struct run_reset, w->run->resets.n - 1);
    if (rs->cause < 0)
        rs->cause = cause;
}

/* ---- health channels (host channels on) ------------------------------------------------ */

/* Deadlines per part: loop() every pass, WiFi after each good exchange
 * with the access point, MQTT after each publish the broker acknowledged. */
static const uint32_t channel_deadline_ms[SC_PART_COUNT] = { 2000, 10000, 20000 };

/* At loop() entry: registers the parts' channels, and names the one the
 * breadcrumb points at if the chip reset the host (the name MQTT would
 * publish). Returns -1 if the host died meanwhile. */
static int health_register(struct world *w)
{
    struct host *h = w->h;
    if (!w->sc->host.channels || !h->wd_ok)
        return 0;
    for (int p = 0; p < SC_PART_COUNT; p++) {
        int rc = extwd_channel_add(&h->wd, &h->ch[p], sc_part_name(p), (uint8_t)(SC_CHANNEL_ID_BASE + p),
                                   channel_deadline_ms[p]);
        if (!host_alive(w))
            return -1;
        err(w, "health channel", rc);
    }
    struct run *r = w->run;
    struct run_boot *b = r->boots.n ? &VEC_AT(r->boots, struct run_boot, r->boots.n - 1) : NULL;
    const struct extwd_channel *c = extwd_channel_by_id(&h->wd, h->wd.boot.breadcrumb);
    if (b && c && h->wd.boot.reason == EXTWD_REASON_WATCHDOG) {
        b->missed = c->id - (int)SC_CHANNEL_ID_BASE;
        run_log(r, world_ms(w), "host", "the watchdog reset was channel '%s' missing its deadline", c->name);
    }
    return 0;
}

/* Each loop() pass, before the feed: every part that still works checks in. */
static void health_checkin(struct world *w)
{
    struct host *h = w->h;
    if (!w->sc->host.channels || !h->wd_ok)
        return;
    for (int p = 0; p < SC_PART_COUNT; p++)
        if (!(h->parts_dead & (1u << p)))
            (void)extwd_checkin(&h->wd, &h->ch[p]);
}

/* The fault lasts until the reboot brings the part back (health_revive),
 * so a reset in between is explained by it, not counted as false. */
int host_part_dead(struct world *w, int part)
{
    char label[40];
    if (w->h->state == SC_HS_OFF || (w->h->parts_dead & (1u << part)))
        return 0;
    w->h->parts_dead |= (uint8_t)(1u << part);
    run_log(w->run, world_ms(w), "fault", "the host's %s part stops working; loop() runs on", sc_part_name(part));
    snprintf(label, sizeof label, "%s part dead", sc_part_name(part));
    if (w->h->span_part < 0)
        w->h->span_part = world_span(w, SC_EV_PART_DEAD, label);
    return 1;
}

/* At a reboot: the dead parts work again; their fault span ends here. */
static void health_revive(struct world *w)
{
    struct host *h = w->h;
    h->parts_dead = 0;
    world_span_close(w, h->span_part);
    h->span_part = -1;
}

static void enter_loop(struct world *w)
{
    struct host *h = w->h;
    struct run *r = w->run;
    double t = world_ms(w);
    double boot_ms = t - world_cyc_to_ms(w, h->boot_cyc);
    h->in_loop = 1;
    h->loop_since = world_now(w);
    host_set_state(w, loop_state(h));
    int after_resets = r->chain_first >= 0;
    const struct run_recovery *rc = after_resets ? run_chain_recovered(r, t, boot_ms) : NULL;
    if (rc) {
        run_log(r, t, "host", "back in loop(): %.1f s after the last feed (boot %.1f s, %d reset%s)",
                rc->recovery_ms / 1000, boot_ms / 1000, rc->resets, rc->resets == 1 ? "" : "s");
    } else if (!after_resets) {
        run_log(r, t, "host", "in loop() (boot %.1f s)%s", boot_ms / 1000, h->safe ? ", safe mode" : "");
    }
}

/* A bug in the risky part of setup(). Returns -1 if it struck. */
static int boot_bug(struct world *w, int early)
{
    struct host_bugs *b = &w->h->bugs;
    if (w->h->safe)
        return 0;
    if (strikes(w, &b->hang_boot, early)) {
        hang(w, early ? "in setup(), before its first feed" : "in setup(), starting services");
        return -1;
    }
    if (strikes(w, &b->crash_boot, early)) {
        run_log(w->run, world_ms(w), "fault", "host crashes in setup() (exception) and restarts");
        run_span_open(w->run, world_ms(w), SC_EV_CRASH_BOOT, "boot crash");
        host_kill(w, SC_AFTER_CRASH, world_now(w) + ms(w, w->sc->host.crash_restart_ms));
        return -1;
    }
    return 0;
}

/* Entering task id (boot, a loop() task, OTA, a WiFi reconnect): the host
 * hangs here if the scenario said it would. Returns -1 if it hung. */
static int task_enter(struct world *w, int id)
{
    struct host_bugs *b = &w->h->bugs;
    if (b->hang_task != id)
        return 0;
    b->hang_task = 0;
    world_effect(w, b->hang_task_line);
    char why[40];
    snprintf(why, sizeof why, "in task '%s'", task_name[id]);
    hang(w, why);
    return -1;
}

/* One task of loop(), as both programs run it: it hangs here if the
 * scenario says so, else works d ms. Returns -1 if the host stopped. */
static int task_work(struct world *w, int id, double d)
{
    if (task_enter(w, id))
        return -1;
    if (id == BC_NETWORK && w->sc->host.mode == SC_HOST_STOCK && world_now(w) < w->wifi_back_cyc)
        d = 1; /* v1.7.2 while the access point is gone: no MQTT, web or telnet traffic to serve */
    return hw(w, d);
}

/* A loop() pass: three tasks whose durations follow the scenario's
 * distribution. Returns the pass length in ms through *len. */
static int tasks(struct world *w, int (*task)(struct world *, int, double), double *len)
{
    const struct sc_host *hc = &w->sc->host;
    struct host *h = w->h;
    double total = rng_range(&w->rng, hc->loop_min_ms, hc->loop_max_ms);
    double d[3] = { total * 0.2, total * 0.5, total * 0.3 };
    if (hc->spike_ppm && rng_range(&w->rng, 0, 999999) < hc->spike_ppm)
        d[rng_range(&w->rng, 0, 2)] += rng_range(&w->rng, hc->spike_min_ms, hc->spike_max_ms);
    *len = 0;
    for (int i = 0; i < 3; i++) {
        if (i == 1 && h->degraded)
            continue; /* heap emergency: the network services are off */
        if (task(w, BC_TIMERS + i, d[i]))
            return -1;
        *len += d[i];
    }
    return 0;
}

/* ADR-030: a leak degrades the host, then exhausts it. Returns -1 if it hung. */
static int heap_account(struct world *w, double pass_ms)
{
    struct host *h = w->h;
    if (!w->h->bugs.heap_leak_bps)
        return 0;
    uint32_t lost = (uint32_t)(w->h->bugs.heap_leak_bps * pass_ms / 1000.0 + 0.5);
    if (lost)
        world_effect(w, w->h->bugs.heap_leak_line);
    h->heap_free = lost > h->heap_free ? 0 : h->heap_free - lost;
    if (h->heap_free < HEAP_CRITICAL) {
        run_log(w->run, world_ms(w), "host", "heap exhausted (%u bytes free)", h->heap_free);
        hang(w, "in malloc() (out of memory)");
        return -1;
    }
    if (!h->degraded && h->heap_free < HEAP_DEGRADE) {
        h->degraded = 1;
        w->run->degradations++;
        run_log(w->run, world_ms(w), "host", "heap low (%u bytes free): non-essential services off",
                h->heap_free);
        host_set_state(w, loop_state(h));
    }
    return 0;
}

static void s_feed(struct world *w);

static int slow_pass(struct world *w, const struct sc_event *e)
{
    char lbl[40];
    snprintf(lbl, sizeof lbl, "slow pass %.1f s", e->a / 1000.0);
    run_log(w->run, world_ms(w), "fault", "a loop() pass blocks for %.1f s (interrupts on)", e->a / 1000.0);
    int span = world_span(w, SC_EV_SLOW, lbl);
    /* a pass longer than the timeout breaks the host's own rule; a shorter one does not */
    int delay_feeds = w->sc->host.mode == SC_HOST_STOCK && w->sc->host.stock_delay_feed;
    if (span >= 0 && e->a >= world_host_timeout_ms(w) && !delay_feeds)
        VEC_AT(w->run->spans, struct run_span, span).excuses = 1;
    int rc = 0;
    if (delay_feeds) {
        /* the stock host's delay helper: it calls feedWatchDog() (safeTimers) each
         * millisecond it waits, so a long delay still feeds every 100 ms */
        uint64_t end = world_now(w) + ms(w, e->a);
        while (!rc && world_now(w) < end) {
            s_feed(w);
            uint64_t next = world_now(w) + ms(w, 1);
            rc = host_alive(w) ? hw_until(w, next < end ? next : end) : -1;
        }
    } else {
        rc = hw(w, e->a);
    }
    world_span_close(w, span);
    return rc;
}

/* ---- extwd program ------------------------------------------------------------------------ */

static void feed_result(struct world *w, int rc)
{
    struct host *h = w->h;
    if (!host_alive(w))
        return;
    if (rc < 0) {
        if (!h->feed_fail_run++)
            run_log(w->run, world_ms(w), "host", "feed failed: %s", extwd_strerror(rc));
    } else if (rc > 0 && h->feed_fail_run) {
        run_log(w->run, world_ms(w), "host", "feeds get through again (after %u failed attempt%s)",
                h->feed_fail_run, h->feed_fail_run == 1 ? "" : "s");
        h->feed_fail_run = 0;
    }
}

/* feedWatchDog(): libextwd's rate-limited feed. */
static void x_feed(struct world *w)
{
    if (w->sc->host.debug_no_wd || !w->h->wd_ok)
        return;
    feed_result(w, extwd_feed(&w->h->wd));
}

static void x_breadcrumb(struct world *w, int id)
{
    if (w->sc->host.breadcrumbs && w->h->wd_ok)
        (void)extwd_breadcrumb(&w->h->wd, (uint8_t)id);
}

static int x_task(struct world *w, int id, double d)
{
    x_breadcrumb(w, id);
    if (!host_alive(w))
        return -1;
    return task_work(w, id, d);
}

/* extwd_init, the boot record, and the safe-mode decision. A retry from
 * loop() (the chip did not answer at boot) completes this boot's record. */
static int x_init(struct world *w, int retry)
{
    struct host *h = w->h;
    int rc = extwd_init(&h->wd, &h->cfg);
    if (!host_alive(w))
        return -1;
    if (rc && !retry) {
        err(w, "extwd_init", rc);
        if (hw(w, 50))
            return -1;
        rc = extwd_init(&h->wd, &h->cfg);
        if (!host_alive(w))
            return -1;
    }
    h->wd_ok = rc == 0;
    if (retry && !h->wd_ok)
        return 0;
    struct run_boot *b = retry && w->run->boots.n ? &VEC_AT(w->run->boots, struct run_boot, w->run->boots.n - 1)
                                                  : boot_record(w);
    const struct extwd_boot_info *bi = &h->wd.boot;
    h->safe = h->wd_ok && w->sc->host.safe_mode && (bi->ext_status & EXTWD_XS_SAFE_MODE);
    if (b) {
        b->read_ok = h->wd_ok;
        b->reason = bi->reason;
        b->status = bi->status;
        b->last_cause = bi->last_cause;
        b->ext_status = bi->ext_status;
        b->breadcrumb = bi->breadcrumb;
        b->bootloop_count = bi->bootloop_count;
        b->history_len = bi->history_len;
        b->resets_total = bi->resets_total;
        b->safe = h->safe;
        if (h->wd_ok)
            learn_cause(w, b, bi->last_cause);
    }
    if (h->wd_ok) {
        const char *text = extwd_reset_reason_text(bi->reason);
        run_log(w->run, world_ms(w), "host",
                "boot #%zu (%s): reset reason %s%s%s%s (STATUS 0x%02x, EXT_STATUS 0x%02x, cause %u, "
                "breadcrumb %u, boot loop %u, history %u)",
                w->run->boots.n, sc_boot_after_name(b ? b->after : 0),
                bi->reason == EXTWD_REASON_NONE ? "none" : "", text[0] ? "\"" : "", text, text[0] ? "\"" : "",
                bi->status, bi->ext_status, bi->last_cause, bi->breadcrumb, bi->bootloop_count,
                bi->history_len);
        if (h->safe)
            run_log(w->run, world_ms(w), "host", "SAFE_MODE set by the chip: starting without the risky services");
    } else {
        run_log(w->run, world_ms(w), "host", "boot #%zu: the watchdog chip does not answer", w->run->boots.n);
    }
    return 0;
}

static int x_config(struct world *w)
{
    struct host *h = w->h;
    if (!h->wd_ok)
        return 0;
    for (int i = 0; i < w->sc->nconfig; i++) {
        const struct sc_config *c = &w->sc->config[i];
        int rc = 0;
        const char *what = "";
        switch (c->kind) {
        case SC_CFG_TIMEOUT_MS:    what = "timeout";      rc = extwd_set_timeout_ms(&h->wd, c->a); break;
        case SC_CFG_GRACE_S:       what = "grace";        rc = extwd_set_grace_s(&h->wd, (uint8_t)c->a); break;
        case SC_CFG_PULSE_MS:      what = "pulse";        rc = extwd_set_pulse_ms(&h->wd, (uint16_t)c->a); break;
        case SC_CFG_MAX_DISARM_S:  what = "max disarm";   rc = extwd_set_max_disarm_s(&h->wd, (uint16_t)c->a); break;
        case SC_CFG_BOOTLOOP:      what = "boot-loop";    rc = extwd_set_bootloop(&h->wd, (uint8_t)c->a, (uint8_t)c->b); break;
        case SC_CFG_PRETIMEOUT_MS: what = "pretimeout";   rc = extwd_set_pretimeout_ms(&h->wd, (uint16_t)c->a, (int)c->b); break;
        case SC_CFG_WINDOW_MS:     what = "window";       rc = extwd_set_window_ms(&h->wd, (uint16_t)c->a); break;
        case SC_CFG_KEYED:         what = "keyed mode";   rc = extwd_set_keyed(&h->wd, (int)c->a); break;
        case SC_CFG_LOCK:          what = "lock";         rc = extwd_lock(&h->wd); break;
        case SC_CFG_SAVE:          what = "save";         rc = extwd_save(&h->wd); break;
        }
        if (!host_alive(w))
            return -1;
        if (rc) {
            char m[64];
            snprintf(m, sizeof m, "config %s (line %d)", what, c->line);
            err(w, m, rc);
        }
    }
    return 0;
}

static int x_boot(struct world *w)
{
    const struct sc_host *hc = &w->sc->host;
    struct host *h = w->h;
    uint32_t total = rng_range(&w->rng, hc->boot_min_ms, hc->boot_max_ms);
    if (total < hc->rom_ms + 2 * SERVICES_MS)
        total = hc->rom_ms + 2 * SERVICES_MS;
    if (hc->arm_at_ms + 2 * SERVICES_MS > total)
        total = hc->arm_at_ms + 2 * SERVICES_MS;
    uint64_t t0 = h->boot_cyc;
    host_set_state(w, SC_HS_BOOT);
    if (hw_until(w, t0 + ms(w, hc->rom_ms)))
        return -1;
    h->bus_up = 1; /* Wire.begin() */
    if (x_init(w, 0))
        return -1;
    x_breadcrumb(w, BC_BOOT);
    if (!host_alive(w) || task_enter(w, BC_BOOT) || boot_bug(w, 1) || x_config(w))
        return -1;
    if (hc->arm_at_ms && hw_until(w, t0 + ms(w, hc->arm_at_ms)))
        return -1;
    if (h->wd_ok) {
        int rc = hc->debug_no_wd ? extwd_disarm(&h->wd) : extwd_arm(&h->wd);
        if (!host_alive(w))
            return -1;
        if (rc)
            err(w, hc->debug_no_wd ? "disarm (DEBUG_NO_WATCHDOG)" : "arm", rc);
        else if (hc->debug_no_wd)
            run_log(w->run, world_ms(w), "host", "DEBUG_NO_WATCHDOG: disarmed, never feeds");
    }
    /* WiFi start: the connect wait loop feeds */
    uint64_t wifi_end = t0 + ms(w, total - SERVICES_MS);
    while (world_now(w) < wifi_end) {
        x_feed(w);
        uint64_t next = world_now(w) + ms(w, WIFI_STEP_MS);
        if (hw_until(w, next < wifi_end ? next : wifi_end))
            return -1;
    }
    h->wifi_connected = world_now(w) >= w->wifi_back_cyc;
    if (boot_bug(w, 0))
        return -1;
    x_feed(w);
    return hw(w, SERVICES_MS);
}

/* Before a long blocking job (job: "OTA", "WiFi"), per the scenario's mode:
 * libextwd's long-op helper with the timeout raised to the longest step
 * plus 1 s, or the ADR's disarm; the third mode leaves the chip alone.
 * Logs a failure as "<job>: protect". */
static void protect(struct world *w, uint8_t mode, struct extwd_longop *op, uint32_t longest_step_ms,
                   const char *job)
{
    struct host *h = w->h;
    if (!h->wd_ok || w->sc->host.debug_no_wd)
        return;
    int rc = 0;
    if (mode == SC_LONGOP_HELPER)
        rc = extwd_longop_begin(&h->wd, op, longest_step_ms + 1000u);
    else if (mode == SC_LONGOP_DISARM)
        rc = extwd_disarm(&h->wd);
    char what[32];
    snprintf(what, sizeof what, "%s: protect", job);
    err(w, what, rc);
}

/* After the job: ends the long operation, or arms again after the disarm,
 * and logs a failure as "<job>: restore". A long operation that failed to
 * begin has nothing to undo (protect() logged that failure already). */
static void restore(struct world *w, uint8_t mode, struct extwd_longop *op, const char *job)
{
    struct host *h = w->h;
    if (!h->wd_ok || w->sc->host.debug_no_wd)
        return;
    int rc = 0;
    if (op->active)
        rc = extwd_longop_end(&h->wd, op);
    else if (mode == SC_LONGOP_DISARM)
        rc = extwd_arm(&h->wd);
    char what[32];
    snprintf(what, sizeof what, "%s: restore", job);
    err(w, what, rc);
}

static int x_ota(struct world *w, const struct sc_event *e)
{
    struct host *h = w->h;
    uint8_t mode = w->sc->host.ota_mode;
    struct extwd_longop op;
    memset(&op, 0, sizeof op);
    host_set_state(w, SC_HS_OTA);
    x_breadcrumb(w, BC_OTA);
    static const char *const how[] = { "long-op helper", "disarmed (ADR pattern)", "feed per chunk only" };
    run_log(w->run, world_ms(w), "host", "OTA: %u chunks of %.1f-%.1f s, %s", (unsigned)e->a, e->b / 1000.0,
            e->c / 1000.0, how[mode % 3]);
    protect(w, mode, &op, e->c, "OTA");
    if (!host_alive(w) || task_enter(w, BC_OTA)) /* a hang inside the OTA, once it protected itself */
        return -1;
    for (uint32_t i = 0; i < e->a; i++) {
        if (!host_alive(w))
            return -1;
        if (h->wd_ok && !w->sc->host.debug_no_wd)
            feed_result(w, op.active ? extwd_longop_step(&h->wd, &op) : extwd_feed_now(&h->wd));
        if (hw(w, rng_range(&w->rng, e->b, e->c)))
            return -1;
    }
    restore(w, mode, &op, "OTA");
    if (!host_alive(w))
        return -1;
    return ota_restart(w);
}

static int x_wifi(struct world *w, const struct sc_event *e)
{
    struct host *h = w->h;
    if (world_now(w) >= w->wifi_back_cyc)
        return 0;
    uint8_t mode = w->sc->host.wifi_mode;
    struct extwd_longop op;
    memset(&op, 0, sizeof op);
    host_set_state(w, SC_HS_WIFI);
    x_breadcrumb(w, BC_WIFI);
    double t0 = world_ms(w);
    static const char *const how[] = { "long-op helper", "disarmed (ADR pattern)", "no protection",
                                       "disarmed per attempt (the seed's text)" };
    run_log(w->run, t0, "host", "WiFi lost: blocking reconnect, %.1f s per attempt, %s", e->b / 1000.0,
            how[mode % 4]);
    int per_attempt = mode == SC_LONGOP_DISARM_PER_ATTEMPT && h->wd_ok && !w->sc->host.debug_no_wd;
    protect(w, mode, &op, e->b, "WiFi");
    int attempts = 0;
    for (;;) {
        if (!host_alive(w))
            return -1;
        attempts++;
        if (op.active)
            feed_result(w, extwd_longop_step(&h->wd, &op));
        if (per_attempt) /* "disarm before the attempt" */
            err(w, "WiFi: disarm before the attempt", extwd_disarm(&h->wd));
        if (attempts == 1 && (!host_alive(w) || task_enter(w, BC_WIFI))) /* a hang inside the reconnect */
            return -1;
        uint64_t end = world_now(w) + ms(w, e->b);
        int connected = w->wifi_back_cyc + ms(w, CONNECT_MS) <= end;
        uint64_t up = w->wifi_back_cyc + ms(w, CONNECT_MS);
        if (hw_until(w, connected ? (up > world_now(w) ? up : world_now(w)) : end))
            return -1;
        if (per_attempt) /* "re-arm once connection established or attempt abandoned" */
            err(w, "WiFi: arm after the attempt", extwd_arm(&h->wd));
        if (!host_alive(w))
            return -1;
        if (connected)
            break;
    }
    restore(w, mode, &op, "WiFi");
    if (!host_alive(w))
        return -1;
    h->wifi_connected = 1;
    run_log(w->run, world_ms(w), "host", "WiFi back after %d attempt%s (%.1f s)", attempts,
            attempts == 1 ? "" : "s", (world_ms(w) - t0) / 1000);
    host_set_state(w, loop_state(h));
    return 0;
}

static int x_fast_feed(struct world *w, const struct sc_event *e)
{
    struct host *h = w->h;
    run_log(w->run, world_ms(w), "fault", "a feed-loop bug: FEEDWATCHDOGNOW every %u ms for %.1f s",
            (unsigned)e->b, e->a / 1000.0);
    int span = world_span(w, SC_EV_FAST_FEED, "feeds too fast");
    uint64_t end = world_now(w) + ms(w, e->a);
    int rc = 0;
    while (world_now(w) < end && !rc) {
        if (h->wd_ok)
            feed_result(w, extwd_feed_now(&h->wd));
        rc = hw(w, e->b);
    }
    world_span_close(w, span);
    return rc;
}

/* extwd_init found no chip this boot: nothing answered, so the library
 * re-probes inside extwd_feed instead of the host re-running extwd_init. */
static int chip_missing(const struct host *h)
{
    return !h->wd_ok && h->wd.presence == EXTWD_PRESENCE_ABSENT;
}

static int x_loop(struct world *w)
{
    struct host *h = w->h;
    const struct sc_host *hc = &w->sc->host;
    uint64_t next_reinit = 0;
    enter_loop(w);
    if (health_register(w))
        return -1;
    for (;;) {
        if (chip_missing(h)) {
            /* no chip at boot: the library sends nothing until its re-probe
             * (1 s doubling to 16 s) is due; once it answers, take it on */
            (void)extwd_feed(&h->wd);
            if (!host_alive(w))
                return -1;
            if (!chip_missing(h)) {
                run_log(w->run, world_ms(w), "host", "the watchdog chip answers now (library re-probe)");
                next_reinit = 0;
            }
        }
        if (!h->wd_ok && !chip_missing(h) && world_now(w) >= next_reinit) {
            next_reinit = world_now(w) + ms(w, REINIT_EVERY_MS);
            if (x_init(w, 1))
                return -1;
            if (h->wd_ok) {
                if (x_config(w))
                    return -1;
                int rc = hc->debug_no_wd ? extwd_disarm(&h->wd) : extwd_arm(&h->wd);
                if (!host_alive(w))
                    return -1;
                err(w, "arm", rc);
            }
        }
        health_checkin(w);
        x_feed(w); /* first thing in loop() */
        if (!host_alive(w))
            return -1;
        if (!h->wifi_connected && world_now(w) < w->wifi_back_cyc && h->nreq < HOST_REQ_MAX) {
            /* booted while the access point was gone: reconnect from loop() */
            struct sc_event e = { .kind = SC_EV_WIFI_DROP, .b = 4000 };
            h->req[h->nreq++] = e;
        }
        if (h->nreq) {
            struct sc_event e = h->req[0];
            memmove(&h->req[0], &h->req[1], (size_t)(--h->nreq) * sizeof e);
            world_effect(w, e.line);
            int rc = 0;
            switch (e.kind) {
            case SC_EV_OTA:       rc = x_ota(w, &e); break;
            case SC_EV_WIFI_DROP: rc = x_wifi(w, &e); break;
            case SC_EV_SLOW:      rc = slow_pass(w, &e); break;
            case SC_EV_FAST_FEED: rc = x_fast_feed(w, &e); break;
            }
            if (rc)
                return -1;
            continue;
        }
        double len;
        if (tasks(w, x_task, &len) || heap_account(w, len))
            return -1;
        if (h->safe && world_now(w) - h->loop_since >= ms(w, hc->safe_clear_ms)) {
            int rc = extwd_clear_flags(&h->wd, EXTWD_XS_SAFE_MODE);
            if (!host_alive(w))
                return -1;
            if (!rc) {
                h->safe = 0;
                run_log(w->run, world_ms(w), "host", "stable for %.0f s in safe mode: SAFE_MODE cleared",
                        hc->safe_clear_ms / 1000.0);
                host_set_state(w, loop_state(h));
            } else {
                err(w, "clear SAFE_MODE", rc);
            }
        }
    }
}

/* ---- stock program (OTGW v1.7.2) ------------------------------------------------------------ */

static int s_write(struct world *w, const uint8_t *b, size_t n)
{
    return bus_write(w, w->chip_addr, b, n);
}

/* feedWatchDog() with safeTimers' DECLARE_TIMER_MS(timerWD, 100, SKIP_MISSED_TICKS). */
static void s_feed(struct world *w)
{
    struct host *h = w->h;
    uint32_t now = port_millis(w);
    if (!h->st_started) {
        h->st_started = 1;
        h->st_due = now + 100;
        return;
    }
    if ((int32_t)(now - h->st_due) < 0)
        return;
    if (now - h->st_due > 10u * 100u) {
        /* the guard: more than 10 intervals late counts as not due */
        h->st_due = now + 100;
        return;
    }
    h->st_due = now + 100;
    static const uint8_t feed = EXTWD_CMD_FEED;
    int rc = s_write(w, &feed, 1);
    feed_result(w, rc ? rc : 1);
}

static int s_boot(struct world *w)
{
    const struct sc_host *hc = &w->sc->host;
    struct host *h = w->h;
    uint32_t total = rng_range(&w->rng, hc->boot_min_ms, hc->boot_max_ms);
    if (total < hc->rom_ms + 600 + 2 * SERVICES_MS)
        total = hc->rom_ms + 600 + 2 * SERVICES_MS;
    uint64_t t0 = h->boot_cyc;
    host_set_state(w, SC_HS_BOOT);
    if (hw_until(w, t0 + ms(w, hc->rom_ms)))
        return -1;
    /* setup(): WatchDogEnabled(0) before Wire.begin(): it never reaches the chip */
    static const uint8_t disarm[2] = { EXTWD_REG_ACTION, 0 };
    if (s_write(w, disarm, 2) == EXTWD_E_IO && host_alive(w))
        run_log(w->run, world_ms(w), "host", "stock setup(): disarm [07 00] sent before Wire.begin(): lost");
    if (hw(w, 200)) /* serial, file system */
        return -1;
    h->bus_up = 1;
    if (hw(w, 100)) /* delay(100) */
        return -1;
    static const uint8_t ptr[2] = { EXTWD_CMD_SET_POINTER, EXTWD_REG_STATUS };
    uint8_t status = 0xFF;
    int rc = s_write(w, ptr, 2);
    if (!rc) {
        rc = world_i2c_read(w, w->chip_addr, &status, 1, 1);
        world_settle(w);
    }
    if (!host_alive(w))
        return -1;
    struct run_boot *b = boot_record(w);
    if (b) {
        b->read_ok = rc == 0;
        b->status = rc ? 0 : status;
        b->reason = rc ? EXTWD_REASON_UNKNOWN
                       : (status & EXTWD_STATUS_WD_RESET) ? EXTWD_REASON_WATCHDOG : EXTWD_REASON_NONE;
        if (!rc)
            learn_cause(w, b, (status & EXTWD_STATUS_WD_RESET) ? (int)EXTWD_CAUSE_TIMEOUT : -1);
    }
    run_log(w->run, world_ms(w), "host", "stock boot #%zu (%s): STATUS %s%s", w->run->boots.n,
            sc_boot_after_name(b ? b->after : 0), rc ? "unreadable" : (status & 1) ? "bit 0 set: " : "0x00",
            !rc && (status & 1) ? "\"Reset by External WD\"" : "");
    if (task_enter(w, BC_BOOT) || boot_bug(w, 1)) /* before its first feed */
        return -1;
    /* WiFi start (its wait loop feeds), services, then arm */
    uint64_t wifi_end = t0 + ms(w, total - 2 * SERVICES_MS);
    while (world_now(w) < wifi_end) {
        s_feed(w);
        uint64_t next = world_now(w) + ms(w, WIFI_STEP_MS);
        if (hw_until(w, next < wifi_end ? next : wifi_end))
            return -1;
    }
    if (boot_bug(w, 0))
        return -1;
    s_feed(w);
    if (hw(w, SERVICES_MS))
        return -1;
    static const uint8_t arm[2] = { EXTWD_REG_ACTION, 1 };
    feed_result(w, s_write(w, arm, 2));
    if (!host_alive(w))
        return -1;
    return hw(w, SERVICES_MS);
}

static int s_ota(struct world *w, const struct sc_event *e)
{
    host_set_state(w, SC_HS_OTA);
    if (task_enter(w, BC_OTA))
        return -1;
    run_log(w->run, world_ms(w), "host", "stock OTA: %u chunks of %.1f-%.1f s, a raw feed before each",
            (unsigned)e->a, e->b / 1000.0, e->c / 1000.0);
    static const uint8_t feed = EXTWD_CMD_FEED;
    for (uint32_t i = 0; i < e->a; i++) {
        int rc = s_write(w, &feed, 1);
        if (!host_alive(w))
            return -1;
        feed_result(w, rc ? rc : 1);
        if (hw(w, rng_range(&w->rng, e->b, e->c)))
            return -1;
    }
    return ota_restart(w);
}

/* The older stock host: WatchDogEnabled(0) [07 00], a blocking connect
 * (attempts of e->b ms, no feed) until the access point is back,
 * WatchDogEnabled(1) [07 01]. Returns -1 if the host stopped. */
static int s_wifi(struct world *w, const struct sc_event *e)
{
    struct host *h = w->h;
    if (world_now(w) >= w->wifi_back_cyc)
        return 0;
    host_set_state(w, SC_HS_WIFI);
    double t0 = world_ms(w);
    run_log(w->run, t0, "host", "WiFi lost: the older stock host disarms [07 00] and blocks in its connect, "
            "%.1f s per attempt", e->b / 1000.0);
    static const uint8_t disarm[2] = { EXTWD_REG_ACTION, 0 }, arm[2] = { EXTWD_REG_ACTION, 1 };
    err(w, "stock WiFi: disarm", s_write(w, disarm, 2));
    if (!host_alive(w) || task_enter(w, BC_WIFI)) /* a hang inside the connect, disarmed */
        return -1;
    int attempts = 0;
    for (;;) {
        attempts++;
        uint64_t end = world_now(w) + ms(w, e->b), up = w->wifi_back_cyc + ms(w, CONNECT_MS);
        int connected = up <= end;
        if (hw_until(w, connected ? (up > world_now(w) ? up : world_now(w)) : end))
            return -1;
        if (connected)
            break;
    }
    err(w, "stock WiFi: arm", s_write(w, arm, 2));
    if (!host_alive(w))
        return -1;
    run_log(w->run, world_ms(w), "host", "WiFi back after %d attempt%s (%.1f s): armed again [07 01]", attempts,
            attempts == 1 ? "" : "s", (world_ms(w) - t0) / 1000);
    host_set_state(w, loop_state(h));
    return 0;
}

static int s_loop(struct world *w)
{
    struct host *h = w->h;
    enter_loop(w);
    for (;;) {
        if (h->nreq) {
            struct sc_event e = h->req[0];
            memmove(&h->req[0], &h->req[1], (size_t)(--h->nreq) * sizeof e);
            world_effect(w, e.line);
            int rc = 0;
            switch (e.kind) {
            case SC_EV_OTA:
                rc = s_ota(w, &e);
                break;
            case SC_EV_WIFI_DROP:
                if (w->sc->host.stock_wifi == SC_STOCK_WIFI_BLOCKING_DISARM)
                    rc = s_wifi(w, &e);
                else
                    run_log(w->run, world_ms(w), "host", "WiFi lost: v1.7.2 reconnects in the background");
                break;
            case SC_EV_SLOW:
                rc = slow_pass(w, &e);
                break;
            case SC_EV_FAST_FEED: {
                int span = world_span(w, SC_EV_FAST_FEED, "feeds too fast");
                uint64_t end = world_now(w) + ms(w, e.a);
                static const uint8_t feed = EXTWD_CMD_FEED;
                while (!rc && world_now(w) < end) {
                    s_write(w, &feed, 1);
                    rc = hw(w, e.b);
                }
                world_span_close(w, span);
                break;
            }
            }
            if (rc)
                return -1;
        }
        double len;
        if (tasks(w, task_work, &len) || heap_account(w, len))
            return -1;
        s_feed(w); /* the background tasks at the end of loop() */
        if (!host_alive(w))
            return -1;
    }
}

/* ---- the host's life ---------------------------------------------------------------------- */

static void idle_until_killed(struct world *w)
{
    while (!w->ended && !w->fatal && !w->h->killed)
        world_advance(w, world_now(w) + w->slice_cyc, 0);
}

static void idle_until_bootable(struct world *w)
{
    while (!w->ended && !w->fatal && (w->reset_low || world_now(w) < w->h->off_until))
        world_advance(w, w->reset_low ? world_now(w) + w->slice_cyc : w->h->off_until, 0);
}

void host_run(struct world *w)
{
    struct host *h = w->h;
    const struct sc_host *hc = &w->sc->host;
    if (hc->mode == SC_HOST_RAW) {
        world_advance(w, w->end_cyc, 0);
        return;
    }
    h->port.write = port_write;
    h->port.read = port_read;
    h->port.millis = port_millis;
    h->port.ctx = w;
    h->next_after = SC_AFTER_POWER_ON;
    h->boot_cyc = 0;
    h->span_part = -1;
    if (hc->debug_no_wd) {
        struct run_span *s = run_span_open(w->run, 0, SC_EV_HANG, "DEBUG_NO_WATCHDOG");
        if (s)
            s->t1_ms = (double)w->sc->duration_ms;
    }
    while (!w->ended && !w->fatal) {
        /* a fresh boot: everything in RAM is gone */
        h->killed = h->hung = 0;
        h->nreq = 0;
        h->heap_free = (uint32_t)HEAP_START;
        h->degraded = h->safe = h->wd_ok = h->in_loop = 0;
        h->st_started = 0;
        h->feed_fail_run = 0;
        h->bus_up = 0;
        health_revive(w);
        memset(&h->wd, 0, sizeof h->wd);
        memset(&h->cfg, 0, sizeof h->cfg);
        h->cfg.port = &h->port;
        h->cfg.addr = w->chip_addr;
        h->cfg.retries = hc->retries;
        if (hc->mode == SC_HOST_STOCK) {
            if (!s_boot(w))
                s_loop(w);
        } else {
            if (!x_boot(w))
                x_loop(w);
        }
        if (w->ended || w->fatal)
            break;
        if (h->hung)
            idle_until_killed(w);
        if (w->ended || w->fatal)
            break;
        idle_until_bootable(w);
        /* the boot starts at the exact release, not when we looked */
        h->boot_cyc = h->off_until <= world_now(w) ? h->off_until : world_now(w);
        h->off_until = 0;
    }
}
