/*
 * --plot: the run as one timeline picture. From top to bottom: the host's
 * state, the injected faults, the feeds, the chip's armed state, the chip's
 * countdown (ms since the last feed against the timeout, read from its RAM),
 * and the reset line, on one time axis, with each reset and each recovery
 * annotated and the expectations listed underneath.
 *
 * Part of extwd-sim, which links libsimavr: GPL-3.0-or-later.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

#define W        1280
#define LEFT     150
#define RIGHT    64
#define PW       (W - LEFT - RIGHT)

struct svg {
    FILE *f;
    double sim_ms;
};

static double X(const struct svg *s, double t_ms)
{
    if (t_ms < 0)
        t_ms = 0;
    if (t_ms > s->sim_ms)
        t_ms = s->sim_ms;
    return LEFT + t_ms / s->sim_ms * PW;
}

static void text(FILE *f, double x, double y, const char *anchor, const char *style, const char *s)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>", x, y, anchor, style);
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default:  fputc(*s, f);
        }
    }
    fputs("</text>\n", f);
}

static void lane_label(FILE *f, double y, double h, const char *name, const char *sub)
{
    text(f, LEFT - 10, y + h / 2 + (sub ? -2 : 4), "end", "class=\"lane\"", name);
    if (sub)
        text(f, LEFT - 10, y + h / 2 + 11, "end", "class=\"sub\"", sub);
    fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" class=\"lanebg\"/>\n",
            LEFT, y, PW, h);
}

static const char *const state_color[SC_HS_COUNT] = {
    "#555555", "#6fa8dc", "#93c47d", "#f1c232", "#f6b26b", "#8e7cc3", "#45b5aa", "#e06666"
};

static double nice_step(double span_ms)
{
    static const double steps[] = { 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 30000, 60000,
                                    120000, 300000, 600000, 1200000, 1800000, 3600000, 7200000 };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (span_ms / steps[i] <= 12)
            return steps[i];
    return 3600000 * ceil(span_ms / 3600000 / 12);
}

/* Tick labels in one unit per axis: minutes when the step is, else seconds. */
static void fmt_time(char *buf, size_t n, double ms, double step)
{
    if (step >= 60000)
        snprintf(buf, n, "%g min", ms / 60000);
    else if (step >= 1000 || ms == 0)
        snprintf(buf, n, "%g s", ms / 1000);
    else
        snprintf(buf, n, "%g ms", ms);
}

/* The host's state lane. */
static void draw_host(const struct svg *s, const struct run *r, double y, double h)
{
    FILE *f = s->f;
    lane_label(f, y, h, "host", "state");
    for (size_t i = 0; i < r->states.n; i++) {
        const struct run_state *st = &VEC_AT(r->states, struct run_state, i);
        double t1 = i + 1 < r->states.n ? VEC_AT(r->states, struct run_state, i + 1).t_ms : s->sim_ms;
        double x0 = X(s, st->t_ms), x1 = X(s, t1);
        double w = x1 - x0 < 0.6 ? 0.6 : x1 - x0;
        fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\"/>\n", x0, y + 2,
                w, h - 4, state_color[st->state % SC_HS_COUNT]);
        const char *name = sc_host_state_name(st->state);
        if (w > 7.0 * (double)strlen(name) + 6)
            text(f, x0 + w / 2, y + h / 2 + 4, "middle", "class=\"inbar\"", name);
    }
}

/* Injected faults: spans as bars, instants as markers, labels staggered. */
static void draw_faults(const struct svg *s, const struct run *r, double y, double h)
{
    FILE *f = s->f;
    lane_label(f, y, h, "faults", "injected");
    double last_end[3] = { -1e9, -1e9, -1e9 };
    for (size_t i = 0; i < r->spans.n; i++) {
        const struct run_span *sp = &VEC_AT(r->spans, struct run_span, i);
        double x0 = X(s, sp->t0_ms), x1 = X(s, sp->t1_ms);
        int row = 0;
        while (row < 2 && last_end[row] > x0 - 2)
            row++;
        double ty = y + 13 + row * 13;
        int stim = sp->kind == SC_EV_WIFI_DROP; /* an outage to ride out, not a fault */
        if (x1 - x0 >= 1.5) {
            fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" class=\"%s\"/>\n", x0,
                    y + 2, x1 - x0, h - 4, stim ? "stim" : "fault");
        } else {
            fprintf(f, "<path d=\"M%.2f %.1f l-4 -7 h8 z\" class=\"faultmark\"/>\n", x0, y + h - 2);
        }
        double tw = 6.2 * (double)strlen(sp->label);
        text(f, x0 + 3, ty, "start", stim ? "class=\"stimtext\"" : "class=\"faulttext\"", sp->label);
        last_end[row] = x0 + 3 + tw;
    }
}

/* Feeds: one tick per pixel column that saw one; failed attempts in red. */
static void draw_feeds(const struct svg *s, const struct run *r, double y, double h)
{
    FILE *f = s->f;
    char sub[48];
    snprintf(sub, sizeof sub, "%llu ok, %llu failed", (unsigned long long)r->feeds,
             (unsigned long long)r->feed_errors);
    lane_label(f, y, h, "feeds", sub);
    unsigned char *col = calloc(PW + 1, 1);
    if (!col)
        return;
    for (size_t i = 0; i < r->feeds_v.n; i++) {
        const struct run_feed *fd = &VEC_AT(r->feeds_v, struct run_feed, i);
        int c = (int)(X(s, fd->t_ms) - LEFT);
        if (c >= 0 && c <= PW)
            col[c] |= fd->ok ? 1 : 2;
    }
    fputs("<path class=\"feed\" d=\"", f);
    for (int c = 0; c <= PW; c++)
        if (col[c] & 1)
            fprintf(f, "M%d.5 %.1fv%.1f", LEFT + c, y + 3, h - 6);
    fputs("\"/>\n<path class=\"feedfail\" d=\"", f);
    for (int c = 0; c <= PW; c++)
        if (col[c] & 2)
            fprintf(f, "M%d.5 %.1fv%.1f", LEFT + c, y + h / 2, h / 2 - 3);
    fputs("\"/>\n", f);
    free(col);
}

/* Per pixel column: the chip's samples folded to min/max and flags. */
struct column {
    uint32_t lo, hi, timeout;
    uint8_t armed_any, disarmed_any, grace_any, seen;
};

static struct column *fold_samples(const struct svg *s, const struct run *r)
{
    struct column *cols = calloc(PW + 1, sizeof *cols);
    if (!cols || !r->samples.n)
        return cols;
    size_t j = 0;
    const struct run_sample *cur = NULL;
    for (int c = 0; c <= PW; c++) {
        double t0 = (double)c / PW * s->sim_ms, t1 = (double)(c + 1) / PW * s->sim_ms;
        struct column *col = &cols[c];
        col->lo = UINT32_MAX;
        while (j < r->samples.n && VEC_AT(r->samples, struct run_sample, j).t_ms <= t0)
            cur = &VEC_AT(r->samples, struct run_sample, j++);
        const struct run_sample *k = cur;
        size_t jj = j;
        for (;;) {
            if (k) {
                col->seen = 1;
                if (k->since_feed_ms < col->lo)
                    col->lo = k->since_feed_ms;
                if (k->since_feed_ms > col->hi)
                    col->hi = k->since_feed_ms;
                if (k->timeout_ms > col->timeout)
                    col->timeout = k->timeout_ms;
                col->armed_any |= k->armed;
                col->disarmed_any |= !k->armed;
                col->grace_any |= k->in_grace;
            }
            if (jj >= r->samples.n || VEC_AT(r->samples, struct run_sample, jj).t_ms >= t1)
                break;
            k = &VEC_AT(r->samples, struct run_sample, jj++);
        }
    }
    return cols;
}

static void draw_armed(const struct svg *s, const struct column *cols, double y, double h)
{
    FILE *f = s->f;
    lane_label(f, y, h, "armed", "chip RAM");
    int c = 0;
    while (c <= PW) {
        if (!cols[c].seen) {
            c++;
            continue;
        }
        int v = cols[c].disarmed_any ? 0 : 1;
        int e = c;
        while (e + 1 <= PW && cols[e + 1].seen && (cols[e + 1].disarmed_any ? 0 : 1) == v)
            e++;
        fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" class=\"%s\"/>\n", LEFT + c,
                y + 3, e - c + 1, h - 6, v ? "armed" : "disarmed");
        if (!v && e - c > 60)
            text(f, LEFT + (c + e) / 2.0, y + h / 2 + 4, "middle", "class=\"inbar\"", "disarmed");
        c = e + 1;
    }
}

static void draw_countdown(const struct svg *s, const struct column *cols, double y, double h)
{
    FILE *f = s->f;
    lane_label(f, y, h, "countdown", "ms since feed");
    uint32_t tmax = 1000;
    for (int c = 0; c <= PW; c++)
        if (cols[c].timeout > tmax)
            tmax = cols[c].timeout;
    double ymax = tmax * 1.25;
    double base = y + h - 4, span = h - 10;
#define CY(v) (base - ((v) > ymax ? ymax : (v)) / ymax * span)
    /* grace shading */
    for (int c = 0; c <= PW;) {
        if (!cols[c].grace_any) {
            c++;
            continue;
        }
        int e = c;
        while (e + 1 <= PW && cols[e + 1].grace_any)
            e++;
        fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" class=\"grace\"/>\n", LEFT + c,
                y + 2, e - c + 1, h - 4);
        if (e - c > 40)
            text(f, LEFT + (c + e) / 2.0, y + 14, "middle", "class=\"sub\"", "grace");
        c = e + 1;
    }
    /* timeout (step line) */
    fputs("<path class=\"timeout\" d=\"", f);
    int pen = 0;
    for (int c = 0; c <= PW; c++) {
        if (!cols[c].seen || !cols[c].timeout) {
            pen = 0;
            continue;
        }
        fprintf(f, "%c%d %.1f", pen ? 'L' : 'M', LEFT + c, CY((double)cols[c].timeout));
        pen = 1;
    }
    fputs("\"/>\n", f);
    /* since-feed envelope */
    fputs("<path class=\"count\" d=\"", f);
    for (int c = 0; c <= PW; c++) {
        if (!cols[c].seen)
            continue;
        double y0 = CY((double)cols[c].lo), y1 = CY((double)cols[c].hi);
        if (y0 - y1 < 1)
            y0 = y1 + 1;
        fprintf(f, "M%d.5 %.1fV%.1f", LEFT + c, y0, y1);
    }
    fputs("\"/>\n", f);
    char lbl[32];
    snprintf(lbl, sizeof lbl, "%u ms", tmax);
    text(f, LEFT + PW + 3, CY((double)tmax) + 4, "start", "class=\"sub\"", lbl);
    text(f, LEFT + PW + 3, base + 4, "start", "class=\"sub\"", "0");
#undef CY
}

static void draw_reset(const struct svg *s, const struct run *r, double y, double h)
{
    FILE *f = s->f;
    lane_label(f, y, h, "reset line", "chip to host");
    double hi = y + 6, lo = y + h - 6;
    fprintf(f, "<path class=\"wave\" d=\"M%d %.1f", LEFT, hi);
    for (size_t i = 0; i < r->resets.n; i++) {
        const struct run_reset *rs = &VEC_AT(r->resets, struct run_reset, i);
        double x0 = X(s, rs->t_ms);
        double x1 = X(s, rs->release_ms < 0 ? s->sim_ms : rs->release_ms);
        if (x1 - x0 < 1.5)
            x1 = x0 + 1.5;
        fprintf(f, "H%.2fV%.1fH%.2fV%.1f", x0, lo, x1, hi);
    }
    fprintf(f, "H%d\"/>\n", LEFT + PW);
    for (size_t i = 0; i < r->pretimeout_edges.n; i++) {
        double t = VEC_AT(r->pretimeout_edges, double, i);
        fprintf(f, "<path d=\"M%.2f %.1f l-4 -7 h8 z\" class=\"pretimeout\"/>\n", X(s, t), y + h - 1);
    }
}

/* Vertical markers across all lanes, and the per-reset labels. */
static void draw_reset_markers(const struct svg *s, const struct run *r, double top, double bottom,
                               double label_y)
{
    FILE *f = s->f;
    double last_x = -1e9;
    int row = 0;
    for (size_t i = 0; i < r->resets.n; i++) {
        const struct run_reset *rs = &VEC_AT(r->resets, struct run_reset, i);
        double x = X(s, rs->t_ms);
        fprintf(f, "<path class=\"resetline\" d=\"M%.2f %.1fV%.1f\"/>\n", x, top, bottom);
        char lbl[96];
        if (rs->since_last_feed_ms >= 0)
            snprintf(lbl, sizeof lbl, "reset %zu: %.0f ms after the last feed%s", i + 1,
                     rs->since_last_feed_ms, rs->is_false ? " (FALSE)" : "");
        else
            snprintf(lbl, sizeof lbl, "reset %zu%s", i + 1, rs->is_false ? " (FALSE)" : "");
        row = (x - last_x < 260) ? (row + 1) % 3 : 0;
        int left = x + 3 + 6.6 * (double)strlen(lbl) > W;
        text(f, left ? x - 3 : x + 3, label_y + row * 12, left ? "end" : "start",
             rs->is_false ? "class=\"bad\"" : "class=\"resettext\"", lbl);
        last_x = x;
    }
}

static void draw_recoveries(const struct svg *s, const struct run *r, double y)
{
    FILE *f = s->f;
    for (size_t i = 0; i < r->recoveries.n; i++) {
        const struct run_recovery *rc = &VEC_AT(r->recoveries, struct run_recovery, i);
        double x1 = X(s, rc->t_ms), x0 = X(s, rc->t_ms - rc->recovery_ms);
        double yy = y + (i % 2) * 14;
        fprintf(f, "<path class=\"recov\" d=\"M%.2f %.1fH%.2f\" marker-end=\"url(#arrow)\"/>\n", x0, yy, x1);
        fprintf(f, "<path class=\"recov\" d=\"M%.2f %.1fv6\"/>\n", x0, yy - 3);
        char lbl[96];
        snprintf(lbl, sizeof lbl, "back in loop %.1f s after the last feed", rc->recovery_ms / 1000);
        double tw = 6.6 * (double)strlen(lbl);
        if (x1 + 4 + tw <= W)
            text(f, x1 + 4, yy + 4, "start", "class=\"recovtext\"", lbl);
        else if (x1 - x0 > tw + 8)
            text(f, (x0 + x1) / 2, yy - 5, "middle", "class=\"recovtext\"", lbl);
        else
            text(f, x0 - 4 > tw ? x0 - 4 : tw, yy + 4, "end", "class=\"recovtext\"", lbl);
    }
}

static void draw_axis(const struct svg *s, double y)
{
    FILE *f = s->f;
    double step = nice_step(s->sim_ms);
    fprintf(f, "<path class=\"axis\" d=\"M%d %.1fH%d\"/>\n", LEFT, y, LEFT + PW);
    for (double t = 0; t <= s->sim_ms + 1e-6; t += step) {
        double x = X(s, t);
        fprintf(f, "<path class=\"axis\" d=\"M%.1f %.1fv5\"/>\n", x, y);
        char lbl[32];
        fmt_time(lbl, sizeof lbl, t, step);
        text(f, x, y + 17, "middle", "class=\"sub\"", lbl);
    }
    text(f, LEFT - 24, y + 17, "end", "class=\"sub\"", "simulated time");
}

static void draw_legend(FILE *f, double y)
{
    double x = LEFT;
    for (int i = 0; i < SC_HS_COUNT; i++) {
        const char *n = sc_host_state_name(i);
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"10\" fill=\"%s\"/>\n", x, y - 9,
                state_color[i]);
        text(f, x + 16, y, "start", "class=\"sub\"", n);
        x += 28 + 6.5 * (double)strlen(n);
    }
    fprintf(f, "<path class=\"count\" d=\"M%.1f %.1fh16\"/>", x + 10, y - 4);
    text(f, x + 30, y, "start", "class=\"sub\"", "ms since feed");
    fprintf(f, "<path class=\"timeout\" d=\"M%.1f %.1fh16\"/>", x + 130, y - 4);
    text(f, x + 150, y, "start", "class=\"sub\"", "timeout");
    fprintf(f, "<path d=\"M%.1f %.1f l-4 -7 h8 z\" class=\"pretimeout\"/>", x + 210, y + 1);
    text(f, x + 218, y, "start", "class=\"sub\"", "pretimeout pin");
}

int run_write_svg(FILE *f, const struct run *r)
{
    struct svg s = { f, r->sim_ms > 0 ? r->sim_ms : 1 };
    const struct scenario *sc = r->sc;
    int nx = sc->nexpects;
    int xrows = (nx + 1) / 2;
    double y = 0;
    double lanes_top = 78;
    double h_host = 28, h_fault = 40, h_feed = 22, h_armed = 20, h_count = 120, h_reset = 32;
    double gap = 6;
    double y_host = lanes_top;
    double y_fault = y_host + h_host + gap;
    double y_feed = y_fault + h_fault + gap;
    double y_armed = y_feed + h_feed + gap;
    double y_count = y_armed + h_armed + gap;
    double y_reset = y_count + h_count + gap;
    double y_axis = y_reset + h_reset + 4;
    double y_recov = y_axis + 42;
    double y_resetlbl = y_recov + 34;
    double y_exp = y_resetlbl + 50;
    double H = y_exp + 18 + xrows * 15 + 16;
    (void)y;

    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\">\n",
            W, H, W, H);
    fputs("<style>\n"
          "text{font-family:DejaVu Sans,Arial,sans-serif;font-size:12px;fill:#222}\n"
          ".title{font-size:17px;font-weight:bold}.lane{font-size:13px;font-weight:bold}\n"
          ".sub{font-size:10.5px;fill:#555}.inbar{font-size:11px;fill:#fff;font-weight:bold}\n"
          ".lanebg{fill:#f7f7f7;stroke:#ddd}.fault{fill:#e06666;fill-opacity:.35;stroke:#c00}\n"
          ".faultmark{fill:#c00}.faulttext{font-size:10.5px;fill:#900}\n"
          ".stim{fill:#76a5af;fill-opacity:.3;stroke:#45818e}.stimtext{font-size:10.5px;fill:#134f5c}\n"
          ".feed{stroke:#38761d;stroke-width:1}.feedfail{stroke:#d00;stroke-width:1}\n"
          ".armed{fill:#6aa84f}.disarmed{fill:#cc4125}.grace{fill:#fff2cc}\n"
          ".timeout{fill:none;stroke:#c00;stroke-width:1.3;stroke-dasharray:6 3}\n"
          ".count{fill:none;stroke:#1c4587;stroke-width:1}\n"
          ".wave{fill:none;stroke:#000;stroke-width:1.6}.pretimeout{fill:#e69138}\n"
          ".resetline{stroke:#c00;stroke-width:1;stroke-dasharray:3 3}\n"
          ".resettext{font-size:11px;fill:#900;font-weight:bold}.bad{font-size:11px;fill:#f00;font-weight:bold}\n"
          ".recov{stroke:#38761d;stroke-width:1.5;fill:none}.recovtext{font-size:11px;fill:#274e13;font-weight:bold}\n"
          ".axis{stroke:#333;fill:none}.pass{fill:#38761d;font-weight:bold}.failx{fill:#c00;font-weight:bold}\n"
          "</style>\n"
          "<defs><marker id=\"arrow\" markerWidth=\"8\" markerHeight=\"8\" refX=\"7\" refY=\"4\" orient=\"auto\">"
          "<path d=\"M0 0L8 4L0 8z\" fill=\"#38761d\"/></marker></defs>\n"
          "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n",
          f);

    char line[400];
    snprintf(line, sizeof line, "extwd-sim: %s%s%s", sc->name, sc->title[0] ? " \xe2\x80\x94 " : "", sc->title);
    text(f, 16, 24, "start", "class=\"title\"", line);
    size_t nfalse = 0;
    for (size_t i = 0; i < r->resets.n; i++)
        nfalse += VEC_AT(r->resets, struct run_reset, i).is_false != 0;
    snprintf(line, sizeof line,
             "firmware %s (%s) \xc2\xb7 seed %llu \xc2\xb7 %.1f s simulated \xc2\xb7 %zu reset%s, %zu false \xc2\xb7 "
             "expectations %d/%d %s",
             r->firmware, r->mcu, (unsigned long long)r->seed, r->sim_ms / 1000, r->resets.n,
             r->resets.n == 1 ? "" : "s", nfalse, r->expects_passed, nx, r->all_passed ? "PASS" : "FAIL");
    text(f, 16, 44, "start", "", line);
    draw_legend(f, 66);

    draw_host(&s, r, y_host, h_host);
    draw_faults(&s, r, y_fault, h_fault);
    draw_feeds(&s, r, y_feed, h_feed);
    struct column *cols = fold_samples(&s, r);
    if (cols) {
        draw_armed(&s, cols, y_armed, h_armed);
        draw_countdown(&s, cols, y_count, h_count);
        free(cols);
    }
    draw_reset(&s, r, y_reset, h_reset);
    draw_axis(&s, y_axis);
    draw_reset_markers(&s, r, y_host, y_resetlbl - 10, y_resetlbl);
    draw_recoveries(&s, r, y_recov);

    text(f, 16, y_exp, "start", "class=\"lane\"", "expectations");
    for (int i = 0; i < nx; i++) {
        double ex = 16 + (i / xrows) * (W / 2.0), ey = y_exp + 18 + (i % xrows) * 15;
        text(f, ex, ey, "start", r->expect[i].passed ? "class=\"pass\"" : "class=\"failx\"",
             r->expect[i].passed ? "PASS" : "FAIL");
        snprintf(line, sizeof line, "%s  \xe2\x80\x94 %s", sc->expects[i].text, r->expect[i].detail);
        text(f, ex + 40, ey, "start", "", line);
    }
    fputs("</svg>\n", f);
    return ferror(f) ? -1 : 0;
}
