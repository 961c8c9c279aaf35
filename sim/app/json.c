/*
 * The --json summary: one object, one top-level field per line, numbers
 * printed with fixed precision so equal runs give equal bytes (wall_ms
 * aside).
 *
 * Part of extwd-sim, which links libsimavr: GPL-3.0-or-later.
 */
#include <math.h>
#include <stdio.h>

#include "run.h"

void run_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* A millisecond value with microsecond resolution; null for "not measured". */
static void jms(FILE *f, double v)
{
    if (v < 0 || isnan(v))
        fputs("null", f);
    else
        fprintf(f, "%.3f", v);
}

/* A member whose value is a JSON string: sep (what goes before it), the
 * key, the value. */
static void str_member(FILE *f, const char *sep, const char *key, const char *value)
{
    fprintf(f, "%s\"%s\": ", sep, key);
    run_json_string(f, value);
}

/* A member of an array entry whose value is a jms() millisecond value. */
static void ms_member(FILE *f, const char *key, double v)
{
    fprintf(f, ", \"%s\": ", key);
    jms(f, v);
}

static const char *const reason_names[] = { "unknown", "none", "watchdog", "test", "window" };

void run_write_json(FILE *f, const struct run *r)
{
    const struct scenario *sc = r->sc;
    str_member(f, "{\n  ", "firmware", r->firmware);
    str_member(f, ",\n  ", "mcu", r->mcu);
    str_member(f, ",\n  ", "scenario", sc->name);
    str_member(f, ",\n  ", "scenario_file", sc->path);
    str_member(f, ",\n  ", "title", sc->title);
    static const char *const modes[] = { "extwd", "stock", "raw" };
    fprintf(f, ",\n  \"host_mode\": \"%s\"", modes[sc->host.mode % 3]);
    fprintf(f, ",\n  \"seed\": %llu", (unsigned long long)r->seed);
    fprintf(f, ",\n  \"sim_ms\": %.3f", r->sim_ms);
    fprintf(f, ",\n  \"wall_ms\": %.1f", r->wall_ms);

    fputs(",\n  \"resets\": [", f);
    for (size_t i = 0; i < r->resets.n; i++) {
        const struct run_reset *rs = &VEC_AT(r->resets, struct run_reset, i);
        fprintf(f, "%s\n    {\"t_ms\": %.3f", i ? "," : "", rs->t_ms);
        ms_member(f, "release_ms", rs->release_ms);
        fprintf(f, ", \"cause\": \"%s\"", sc_cause_name(rs->cause));
        ms_member(f, "since_last_feed_ms", rs->since_last_feed_ms);
        ms_member(f, "since_disarm_ms", rs->since_disarm_ms);
        ms_member(f, "pretimeout_lead_ms", rs->pretimeout_lead_ms);
        str_member(f, ", ", "fault", rs->fault[0] ? rs->fault : "none");
        fprintf(f, ", \"false\": %s}", rs->is_false ? "true" : "false");
    }
    fputs(r->resets.n ? "\n  ]" : "]", f);
    fprintf(f, ",\n  \"false_resets\": %d", r->false_resets);

    fputs(",\n  \"recoveries\": [", f);
    for (size_t i = 0; i < r->recoveries.n; i++) {
        const struct run_recovery *rc = &VEC_AT(r->recoveries, struct run_recovery, i);
        fprintf(f, "%s\n    {\"t_ms\": %.3f, \"recovery_ms\": %.3f, \"boot_ms\": %.3f, \"resets\": %d}",
                i ? "," : "", rc->t_ms, rc->recovery_ms, rc->boot_ms, rc->resets);
    }
    fputs(r->recoveries.n ? "\n  ]" : "]", f);

    fputs(",\n  \"boots\": [", f);
    for (size_t i = 0; i < r->boots.n; i++) {
        const struct run_boot *b = &VEC_AT(r->boots, struct run_boot, i);
        fprintf(f, "%s\n    {\"t_ms\": %.3f, \"after\": \"%s\", \"read_ok\": %s", i ? "," : "",
                b->t_ms, sc_boot_after_name(b->after), b->read_ok ? "true" : "false");
        if (b->read_ok)
            fprintf(f, ", \"reason\": \"%s\", \"status\": %d, \"last_cause\": %d, \"ext_status\": %d, "
                       "\"breadcrumb\": %d, \"bootloop_count\": %d, \"history_len\": %d, "
                       "\"resets_total\": %d",
                    reason_names[(unsigned)b->reason % 5], b->status, b->last_cause, b->ext_status,
                    b->breadcrumb, b->bootloop_count, b->history_len, b->resets_total);
        fprintf(f, ", \"safe\": %s}", b->safe ? "true" : "false");
    }
    fputs(r->boots.n ? "\n  ]" : "]", f);

    fputs(",\n  \"faults\": [", f);
    for (size_t i = 0; i < r->spans.n; i++) {
        const struct run_span *s = &VEC_AT(r->spans, struct run_span, i);
        fprintf(f, "%s\n    {\"t_ms\": %.3f, \"end_ms\": %.3f, \"kind\": \"%s\"", i ? "," : "", s->t0_ms,
                s->t1_ms, sc_event_name(s->kind));
        str_member(f, ", ", "label", s->label);
        fputc('}', f);
    }
    fputs(r->spans.n ? "\n  ]" : "]", f);

    fprintf(f, ",\n  \"feeds\": %llu", (unsigned long long)r->feeds);
    fprintf(f, ",\n  \"feed_errors\": %llu", (unsigned long long)r->feed_errors);
    fprintf(f, ",\n  \"bus_errors\": %llu", (unsigned long long)r->bus_errors);
    fprintf(f, ",\n  \"bus_bytes\": %llu", (unsigned long long)r->bus_bytes);
    fprintf(f, ",\n  \"chip_awake_fraction\": %.6f", r->awake_fraction);
    fprintf(f, ",\n  \"sleep_mode_errors\": %u", r->sleep_mode_errors);
    fprintf(f, ",\n  \"max_stretch_us\": %u", r->max_stretch_us);
    fprintf(f, ",\n  \"chip_resets\": %u", r->chip_resets);
    fprintf(f, ",\n  \"dead_part_ms\": %.3f", r->dead_part_ms);
    fprintf(f, ",\n  \"pretimeouts\": %llu", (unsigned long long)r->pretimeouts);
    fprintf(f, ",\n  \"pretimeout_irqs\": %llu", (unsigned long long)r->pretimeout_irqs);
    fprintf(f, ",\n  \"degradations\": %llu", (unsigned long long)r->degradations);
    fprintf(f, ",\n  \"host_state_end\": \"%s\"", sc_host_state_name(r->host_state_end));

    fputs(",\n  \"expectations\": [", f);
    for (int i = 0; i < sc->nexpects; i++) {
        const struct run_expect *e = &r->expect[i];
        fprintf(f, "%s\n    {", i ? "," : "");
        str_member(f, "", "name", sc->expects[i].text);
        fprintf(f, ", \"line\": %d, \"passed\": %s, \"measured\": ", sc->expects[i].line,
                e->passed ? "true" : "false");
        if (e->has_measured && !isnan(e->measured))
            fprintf(f, "%.6g", e->measured);
        else
            fputs("null", f);
        str_member(f, ", ", "detail", e->detail);
        fputc('}', f);
    }
    fputs(sc->nexpects ? "\n  ]" : "]", f);
    fprintf(f, ",\n  \"passed\": %s", r->all_passed ? "true" : "false");
    fputs("\n}\n", f);
}
