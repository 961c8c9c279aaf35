/*
 * VCD writer for extwd-sim.
 *
 * Part of extwd-sim, which links libsimavr: GPL-3.0-or-later.
 */
#include "vcd.h"

#include <string.h>

static const struct {
    const char *name;
    int width;
} sigs[VCD_NSIG] = {
    { "reset", 1 },       { "sda", 1 },        { "scl", 1 },          { "pretimeout", 1 },
    { "armed", 1 },       { "in_grace", 1 },   { "countdown_ms", 32 }, { "since_feed_ms", 32 },
    { "timeout_ms", 32 }, { "host_state", 4 },
};

/* Identifier codes: one letter each (never '$', which starts a keyword). */
static char code(int sig)
{
    return (char)('a' + sig);
}

int vcd_open(struct vcd *v, FILE *f, const char *comment)
{
    memset(v, 0, sizeof *v);
    v->f = f;
    fprintf(f, "$comment %s $end\n$timescale 1ns $end\n$scope module extwd $end\n", comment);
    for (int i = 0; i < VCD_NSIG; i++)
        fprintf(f, "$var wire %d %c %s $end\n", sigs[i].width, code(i), sigs[i].name);
    fputs("$upscope $end\n$enddefinitions $end\n", f);
    return ferror(f) ? -1 : 0;
}

void vcd_set(struct vcd *v, uint64_t t_ns, int sig, uint32_t value)
{
    if (!v->f || sig < 0 || sig >= VCD_NSIG)
        return;
    if (v->known[sig] && v->val[sig] == value)
        return;
    if (t_ns < v->last_t)
        t_ns = v->last_t;
    if (!v->time_written || t_ns != v->last_t) {
        fprintf(v->f, "#%llu\n", (unsigned long long)t_ns);
        v->last_t = t_ns;
        v->time_written = 1;
    }
    v->known[sig] = 1;
    v->val[sig] = value;
    if (sigs[sig].width == 1) {
        fprintf(v->f, "%c%c\n", value ? '1' : '0', code(sig));
    } else {
        char bits[33];
        int n = 0;
        for (int b = sigs[sig].width - 1; b >= 0; b--)
            if (n || (value >> b) & 1u || b == 0)
                bits[n++] = (char)('0' + ((value >> b) & 1u));
        bits[n] = '\0';
        fprintf(v->f, "b%s %c\n", bits, code(sig));
    }
}

int vcd_close(struct vcd *v, uint64_t t_ns)
{
    if (!v->f)
        return 0;
    if (t_ns > v->last_t || !v->time_written)
        fprintf(v->f, "#%llu\n", (unsigned long long)t_ns);
    int bad = ferror(v->f) != 0;
    v->f = NULL;
    return bad ? -1 : 0;
}
