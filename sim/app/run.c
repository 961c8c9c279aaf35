/*
 * The run record: arrays, the timeline, and the expectation checker.
 *
 * Part of extwd-sim, which links libsimavr: GPL-3.0-or-later.
 */
#include "run.h"
#include "names.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "extwd/extwd.h"

void *vec_push(struct vec *v, size_t elem_size)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 64;
        void *p = realloc(v->p, cap * elem_size);
        if (!p)
            return NULL;
        v->p = p;
        v->cap = cap;
    }
    void *e = (char *)v->p + v->n * elem_size;
    memset(e, 0, elem_size);
    v->n++;
    return e;
}

void vec_free(struct vec *v)
{
    free(v->p);
    v->p = NULL;
    v->n = v->cap = 0;
}

void run_init(struct run *r, const struct scenario *sc)
{
    memset(r, 0, sizeof *r);
    r->sc = sc;
    r->host_state_end = SC_HS_OFF;
}

void run_free(struct run *r)
{
    vec_free(&r->resets);
    vec_free(&r->recoveries);
    vec_free(&r->boots);
    vec_free(&r->spans);
    vec_free(&r->states);
    vec_free(&r->samples);
    vec_free(&r->feeds_v);
    vec_free(&r->raw_reads);
    vec_free(&r->pretimeout_edges);
}

void run_log(struct run *r, double t_ms, const char *tag, const char *fmt, ...)
{
    if (!r->log)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(r->log, "[%10.3f] %-5s ", t_ms / 1000.0, tag);
    vfprintf(r->log, fmt, ap);
    fputc('\n', r->log);
    va_end(ap);
    r->last_log_ms = t_ms;
}

int run_kind_excuses(int kind)
{
    switch (kind) {
    case SC_EV_HANG: case SC_EV_HANG_BOOT: case SC_EV_CRASH_BOOT: case SC_EV_CRASH: case SC_EV_FAST_FEED:
    case SC_EV_SDA_LOW: case SC_EV_SCL_LOW: case SC_EV_PART_DEAD:
        return 1;
    default:
        return 0;
    }
}

void run_chain_reset(struct run *r, int index)
{
    if (r->chain_first < 0) {
        r->chain_first = index;
        r->chain_len = 0;
    }
    r->chain_len++;
}

const struct run_recovery *run_chain_recovered(struct run *r, double t_ms, double boot_ms)
{
    if (r->chain_first < 0)
        return NULL;
    const struct run_reset *first = &VEC_AT(r->resets, struct run_reset, r->chain_first);
    double base = first->since_last_feed_ms >= 0 ? first->t_ms - first->since_last_feed_ms : first->t_ms;
    struct run_recovery *rc = vec_push(&r->recoveries, sizeof *rc);
    if (rc) {
        rc->t_ms = t_ms;
        rc->recovery_ms = t_ms - base;
        rc->boot_ms = boot_ms;
        rc->first_reset = r->chain_first;
        rc->resets = r->chain_len;
        for (size_t k = (size_t)r->chain_first; k < r->resets.n; k++)
            VEC_AT(r->resets, struct run_reset, k).recovery = (int)r->recoveries.n - 1;
    }
    r->chain_first = -1;
    r->chain_len = 0;
    return rc;
}

struct run_span *run_span_open(struct run *r, double t_ms, int kind, const char *label)
{
    struct run_span *s = vec_push(&r->spans, sizeof *s);
    if (!s)
        return NULL;
    s->t0_ms = s->t1_ms = t_ms;
    s->kind = kind;
    s->excuses = (uint8_t)run_kind_excuses(kind);
    snprintf(s->label, sizeof s->label, "%s", label);
    return s;
}

void run_state_set(struct run *r, double t_ms, int state)
{
    if (r->states.n) {
        struct run_state *last = &VEC_AT(r->states, struct run_state, r->states.n - 1);
        if (last->state == state)
            return;
        if (last->t_ms == t_ms) {
            last->state = state;
            return;
        }
    }
    struct run_state *s = vec_push(&r->states, sizeof *s);
    if (s) {
        s->t_ms = t_ms;
        s->state = state;
    }
}

void run_sample_add(struct run *r, const struct run_sample *s)
{
    if (r->samples.n) {
        const struct run_sample *last = &VEC_AT(r->samples, struct run_sample, r->samples.n - 1);
        if (last->since_feed_ms == s->since_feed_ms && last->timeout_ms == s->timeout_ms &&
            last->armed == s->armed && last->in_grace == s->in_grace && last->in_pulse == s->in_pulse)
            return;
    }
    struct run_sample *n = vec_push(&r->samples, sizeof *n);
    if (n)
        *n = *s;
}

/* ---- expectations ------------------------------------------------------------------ */

static int compare(const struct sc_expect *x, double v)
{
    switch (x->cmp) {
    case SC_EQ:    return v == x->value;
    case SC_NE:    return v != x->value;
    case SC_LT:    return v < x->value;
    case SC_LE:    return v <= x->value;
    case SC_GT:    return v > x->value;
    case SC_GE:    return v >= x->value;
    case SC_NEAR:  return fabs(v - x->value) <= x->tol + 1e-9;
    case SC_HAS:   return ((uint32_t)v & (uint32_t)x->value) == (uint32_t)x->value;
    case SC_LACKS: return ((uint32_t)v & (uint32_t)x->value) == 0;
    }
    return 0;
}

static void measured(struct run_expect *e, const struct sc_expect *x, double v)
{
    e->has_measured = 1;
    e->measured = v;
    e->passed = compare(x, v);
    if (x->cmp == SC_HAS || x->cmp == SC_LACKS)
        snprintf(e->detail, sizeof e->detail, "read 0x%02x", (unsigned)v);
    else if (v != floor(v))
        snprintf(e->detail, sizeof e->detail, "measured %.3f", v);
    else
        snprintf(e->detail, sizeof e->detail, "measured %.0f", v);
}

static double metric(const struct run *r, int field)
{
    switch (field) {
    case SC_F_FEEDS:             return (double)r->feeds;
    case SC_F_FEED_ERRORS:       return (double)r->feed_errors;
    case SC_F_BUS_BYTES:         return (double)r->bus_bytes;
    case SC_F_BOOTS:             return (double)r->boots.n;
    case SC_F_RECOVERIES:        return (double)r->recoveries.n;
    case SC_F_DEGRADATIONS:      return (double)r->degradations;
    case SC_F_PRETIMEOUT_IRQS:   return (double)r->pretimeout_irqs;
    case SC_F_PRETIMEOUTS:       return (double)r->pretimeouts;
    case SC_F_SLEEP_MODE_ERRORS: return r->sleep_mode_errors;
    case SC_F_MAX_STRETCH_US:    return r->max_stretch_us;
    case SC_F_AWAKE_FRACTION:    return r->awake_fraction;
    case SC_F_CHIP_RESETS:       return r->chip_resets;
    case SC_F_DEAD_PART_MS:      return r->dead_part_ms;
    case SC_F_BUS_ERRORS:        return (double)r->bus_errors;
    }
    return NAN;
}

static int boot_field(const struct run_boot *b, int field, double *v)
{
    switch (field) {
    case SC_F_REASON:         *v = b->reason; break;
    case SC_F_STATUS:         *v = b->status; break;
    case SC_F_LAST_CAUSE:     *v = b->last_cause; break;
    case SC_F_EXT_STATUS:     *v = b->ext_status; break;
    case SC_F_BREADCRUMB:     *v = b->breadcrumb; break;
    case SC_F_BOOTLOOP_COUNT: *v = b->bootloop_count; break;
    case SC_F_HISTORY_LEN:    *v = b->history_len; break;
    case SC_F_RESETS_TOTAL:   *v = b->resets_total; break;
    case SC_F_SAFE:           *v = b->safe; break;
    case SC_F_AFTER:          *v = b->after; break;
    case SC_F_AT:             *v = b->t_ms; break;
    case SC_F_MISSED:         *v = b->missed; break;
    default:                  return -1;
    }
    return 0;
}

static int reset_field(const struct run_reset *rs, int field, double *v)
{
    switch (field) {
    case SC_F_SINCE_LAST_FEED:  *v = rs->since_last_feed_ms; return rs->since_last_feed_ms < 0 ? -1 : 0;
    case SC_F_CAUSE:            *v = rs->cause < 0 ? 255 : rs->cause; return 0;
    case SC_F_AT:               *v = rs->t_ms; return 0;
    case SC_F_SINCE_DISARM:     *v = rs->since_disarm_ms; return rs->since_disarm_ms < 0 ? -1 : 0;
    case SC_F_PRETIMEOUT_LEAD:  *v = rs->pretimeout_lead_ms; return rs->pretimeout_lead_ms < 0 ? -1 : 0;
    }
    return -1;
}

/* ---- one checker per kind of expectation --------------------------------------------- */

static void check_resets(const struct run *r, int i, const struct sc_expect *x, struct run_expect *e)
{
    (void)i;
    measured(e, x, (double)r->resets.n);
}

static void check_false_resets(const struct run *r, int i, const struct sc_expect *x, struct run_expect *e)
{
    (void)i;
    measured(e, x, r->false_resets);
}

static void check_resets_between(const struct run *r, int i, const struct sc_expect *x, struct run_expect *e)
{
    (void)i;
    int n = 0;
    for (size_t k = 0; k < r->resets.n; k++) {
        double t = VEC_AT(r->resets, struct run_reset, k).t_ms;
        if (t >= (double)x->at_ms && t <= (double)x->until_ms)
            n++;
    }
    measured(e, x, n);
    if (n)
        snprintf(e->detail, sizeof e->detail, "%d reset(s) between %.3f s and %.3f s", n, x->at_ms / 1000.0,
                 x->until_ms / 1000.0);
}

static void check_reset(const struct run *r, int i, const struct sc_expect *x, struct run_expect *e)
{
    double v;
    (void)i;
    if ((size_t)x->index > r->resets.n) {
        snprintf(e->detail, sizeof e->detail, "only %zu reset(s)", r->resets.n);
        return;
    }
    if (reset_field(&VEC_AT(r->resets, struct run_reset, x->index - 1), x->field, &v)) {
        snprintf(e->detail, sizeof e->detail, "not measured for reset %d", x->index);
        return;
    }
    measured(e, x, v);
    if (x->field == SC_F_CAUSE)
        snprintf(e->detail, sizeof e->detail, "cause %s", sc_cause_name(v == 255 ? -1 : (int)v));
}

static void check_recovered(const struct run *r, int i, const struct sc_expect *x, struct run_expect *e)
{
    (void)i;
    double worst = 0;
    int missing = 0;
    for (size_t k = 0; k < r->resets.n; k++) {
        const struct run_reset *rs = &VEC_AT(r->resets, struct run_reset, k);
        if (rs->recovery < 0) {
            missing++;
            continue;
        }
        double ms = VEC_AT(r->recoveries, struct run_recovery, rs->recovery).recovery_ms;
        if (ms > worst)
            worst = ms;
    }
    if (!r->resets.n) {
        snprintf(e->detail, sizeof e->detail, "no reset to recover from");
    } else if (missing) {
        snprintf(e->detail, sizeof e->detail, "%d reset(s) never followed by the host in loop", missing);
    } else {
        measured(e, x, worst);
        snprintf(e->detail, sizeof e->detail, "slowest recovery %.1f ms", worst);
    }
}

static void check_recovery(const struct run *r, int i, const struct sc_expect *x, struct run_expect *e)
{
    (void)i;
    if ((size_t)x->index > r->recoveries.n) {
        snprintf(e->detail, sizeof e->detail, "only %zu recover%s", r->recoveries.n,
                 r->recoveries.n == 1 ? "y" : "ies");
        return;
    }
    {
        const struct run_recovery *rc = &VEC_AT(r->recoveries, struct run_recovery, x->index - 1);
        measured(e, x, x->field == SC_F_BOOT_MS ? rc->boot_ms : rc->recovery_ms);
    }
}

static void check_status_bit0(const struct run *r, int i, const struct sc_expect *x, struct run_expect *e)
{
    (void)i;
    (void)x;
    int n = 0, bad = 0;
    for (size_t k = 0; k < r->boots.n; k++) {
        const struct run_boot *b = &VEC_AT(r->boots, struct run_boot, k);
        if (b->after != SC_AFTER_CHIP_RESET)
            continue;
        n++;
        if (!b->read_ok || !(b->status & EXTWD_STATUS_WD_RESET))
            bad++;
    }
    if (!n) {
        snprintf(e->detail, sizeof e->detail, "no boot after a chip reset");
    } else {
        e->passed = !bad;
        snprintf(e->detail, sizeof e->detail, "%d of %d boots after a reset read bit 0 set", n - bad, n);
    }
}

static void check_boot(const struct run *r, int i, const struct sc_expect *x, struct run_expect *e)
{
    double v;
    (void)i;
    if ((size_t)x->index > r->boots.n) {
        snprintf(e->detail, sizeof e->detail, "only %zu boot(s)", r->boots.n);
        return;
    }
    {
        const struct run_boot *b = &VEC_AT(r->boots, struct run_boot, x->index - 1);
        if (!b->read_ok && x->field != SC_F_AFTER && x->field != SC_F_SAFE && x->field != SC_F_AT) {
            snprintf(e->detail, sizeof e->detail, "boot %d could not read the chip", x->index);
            return;
        }
        if (boot_field(b, x->field, &v) == 0) {
            measured(e, x, v);
            if (x->field == SC_F_REASON)
                snprintf(e->detail, sizeof e->detail, "reason %s", sc_reason_names[(unsigned)v % SC_REASON_NAMES]);
            else if (x->field == SC_F_AFTER)
                snprintf(e->detail, sizeof e->detail, "after %s", sc_boot_after_name((int)v));
        }
    }
}

static void check_metric(const struct run *r, int i, const struct sc_expect *x, struct run_expect *e)
{
    (void)r;
    (void)i;
    measured(e, x, metric(r, x->field));
}

static void check_final(const struct run *r, int i, const struct sc_expect *x, struct run_expect *e)
{
    if (!r->final_ok[i]) {
        snprintf(e->detail, sizeof e->detail, "register 0x%02x could not be read", x->reg);
        return;
    }
    measured(e, x, r->final_value[i]);
}

static void check_at_chip(const struct run *r, int i, const struct sc_expect *x, struct run_expect *e)
{
    if (!r->at_ok[i]) {
        snprintf(e->detail, sizeof e->detail, "not sampled");
        return;
    }
    measured(e, x, r->at_value[i]);
    if (x->subject == SC_X_AT_HOST)
        snprintf(e->detail, sizeof e->detail, "host %s", sc_host_state_name((int)r->at_value[i]));
}

static void check_host_end(const struct run *r, int i, const struct sc_expect *x, struct run_expect *e)
{
    (void)i;
    measured(e, x, r->host_state_end);
    snprintf(e->detail, sizeof e->detail, "host %s", sc_host_state_name(r->host_state_end));
}

static void check_raw_read(const struct run *r, int i, const struct sc_expect *x, struct run_expect *e)
{
    (void)i;
    if ((size_t)x->index > r->raw_reads.n) {
        snprintf(e->detail, sizeof e->detail, "raw read %d never ran", x->index);
        return;
    }
    {
        const struct run_raw_read *rr = &VEC_AT(r->raw_reads, struct run_raw_read, x->index - 1);
        if (rr->rc) {
            snprintf(e->detail, sizeof e->detail, "read failed (%d)", rr->rc);
            return;
        }
        e->passed = rr->n == x->nbytes && !memcmp(rr->bytes, x->bytes, x->nbytes);
        int o = snprintf(e->detail, sizeof e->detail, "read");
        for (int k = 0; k < rr->n && o > 0 && (size_t)o < sizeof e->detail; k++)
            o += snprintf(e->detail + o, sizeof e->detail - (size_t)o, " %02x", rr->bytes[k]);
    }
}

typedef void (*expect_checker)(const struct run *r, int i, const struct sc_expect *x, struct run_expect *e);

/* One checker per enum sc_subject. */
static const expect_checker expect_checkers[] = {
    [SC_X_RESETS] = check_resets,
    [SC_X_FALSE_RESETS] = check_false_resets,
    [SC_X_RESETS_BETWEEN] = check_resets_between,
    [SC_X_RESET] = check_reset,
    [SC_X_RECOVERED] = check_recovered,
    [SC_X_RECOVERY] = check_recovery,
    [SC_X_STATUS_BIT0] = check_status_bit0,
    [SC_X_BOOT] = check_boot,
    [SC_X_METRIC] = check_metric,
    [SC_X_FINAL] = check_final,
    [SC_X_AT_CHIP] = check_at_chip,
    [SC_X_AT_HOST] = check_at_chip,
    [SC_X_HOST_END] = check_host_end,
    [SC_X_RAW_READ] = check_raw_read,
};

static void check_one(struct run *r, int i)
{
    const struct sc_expect *x = &r->sc->expects[i];
    struct run_expect *e = &r->expect[i];
    memset(e, 0, sizeof *e);
    if ((size_t)x->subject < sizeof expect_checkers / sizeof expect_checkers[0] && expect_checkers[x->subject])
        expect_checkers[x->subject](r, i, x, e);
}

int run_check_expectations(struct run *r)
{
    int failed = 0;
    r->expects_passed = 0;
    for (int i = 0; i < r->sc->nexpects; i++) {
        check_one(r, i);
        if (r->expect[i].passed)
            r->expects_passed++;
        else
            failed++;
    }
    r->all_passed = failed == 0;
    return failed;
}

void run_print_expectations(FILE *f, const struct run *r)
{
    for (int i = 0; i < r->sc->nexpects; i++) {
        const struct run_expect *e = &r->expect[i];
        fprintf(f, "  %s  %-52s %s\n", e->passed ? "PASS" : "FAIL", r->sc->expects[i].text, e->detail);
    }
}
