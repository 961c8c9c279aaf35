/*
 * extwd-sim: the whole extwd system in one deterministic simulation. The
 * real chip firmware ELF runs in simavr, the real libextwd drives it from a
 * model of the seed's ESP8266 host, faults are injected on a single clock of
 * simulated CPU cycles, and every scenario's expectations are checked.
 *
 * Exit status: 0 every expectation holds, 1 one fails, 2 bad input.
 *
 * Links libsimavr: this program is GPL-3.0-or-later.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "run.h"
#include "scenario.h"
#include "sim.h"

#ifndef EXTWD_DEFAULT_FIRMWARE
#define EXTWD_DEFAULT_FIRMWARE "build/firmware/attiny85/extwd.elf"
#endif


struct args {
    const char *firmware;
    const char *scenario;
    const char *suite;
    const char *vcd;
    const char *plot;
    int json;
    int quiet;
    uint64_t seed;
    int has_seed;
    uint64_t seed_lo, seed_hi; /* --seeds A-B */
    int has_seeds;
    struct sim_options timing;  /* the silicon-timing fields (the rest is set per run) */
};

static void usage(FILE *f)
{
    fputs("usage: extwd-sim [--firmware FILE] --scenario FILE [--json] [--vcd FILE] [--plot FILE.svg] [--seed N]\n"
          "       extwd-sim [--firmware FILE] --suite DIR [--json] [--seed N]\n"
          "\n"
          "Runs the real extwd firmware ELF in simavr against a model of the seed's ESP8266\n"
          "host (which uses the real libextwd), injects the scenario's faults, and checks its\n"
          "expectations. One clock: the chip's simulated CPU cycles. Same inputs and seed,\n"
          "same output.\n"
          "\n"
          "  --firmware FILE   chip ELF (default build/firmware/attiny85/extwd.elf)\n"
          "  --scenario FILE   run one scenario; prints a timeline and the expectations\n"
          "  --suite DIR       run every *.scn in DIR; prints a result table\n"
          "  --json            print one JSON summary object instead of the timeline\n"
          "  --vcd FILE        write a GTKWave trace (reset, SDA, SCL, armed, countdown, ...)\n"
          "  --plot FILE.svg   write a timeline picture\n"
          "  --seed N          override the scenario's seed\n"
          "  --seeds A-B       run the scenario for every seed A..B; print the worst case of each\n"
          "                    figure and expectation; exit 1 if any seed fails\n"
          "  --rc-error PCT    the chip's 8 MHz RC runs PCT %% fast (+) or slow (-), -50..50\n"
          "  --wdt-error PCT   its watchdog oscillator's own error, -50..50 (silicon: -16..+5)\n"
          "  --drift PPM_PER_H the watchdog oscillator's error moves this much per hour\n"
          "  --wakeup-us N     wake-up from power-down takes N us (BOD restart, ~60 on\n"
          "                    silicon) plus the 6 CK start-up of lfuse 0xE2; 0 = instant\n"
          "  --quiet           no timeline (the expectations and summary still print)\n"
          "  --list-events     print the scenario grammar's event kinds, one per line\n"
          "  --version         the version\n"
          "  --help            this text\n"
          "\n"
          "Exit status: 0 every expectation holds, 1 an expectation fails, 2 bad input.\n"
          "Scenario format: sim/app/README.md.\n",
          f);
}

/* One silicon-timing option: a percentage (--rc-error, --wdt-error) into
 * ppm, a drift in ppm per hour, or a wake-up time in us. Returns 0, or -1
 * with one line on stderr. */
static int parse_timing(struct sim_options *t, const char *opt, const char *val)
{
    char *end;
    errno = 0;
    double v = strtod(val, &end);
    int number = !errno && end != val && !*end;
    struct sc_silicon next = t->silicon; /* nothing set unless all is well */
    const char *why;
    if (sc_silicon_set(&next, opt + 2, number ? v : 0, &why) || !number) {
        fprintf(stderr, "extwd-sim: %s: '%s' is not %s\n", opt, val, why);
        return -1;
    }
    t->silicon = next;
    return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char **dst = NULL;
        if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(s, "--list-events")) {
            /* the grammar's event kinds, one per line (tests/sim checks each has an effect) */
            for (int k = 0; k < SC_EV_COUNT; k++)
                printf("%s\n", sc_event_name(k));
            exit(0);
        } else if (!strcmp(s, "--version")) {
            printf("extwd-sim %s\n", EXTWD_VERSION);
            exit(0);
        } else if (!strcmp(s, "--json")) {
            a->json = 1;
        } else if (!strcmp(s, "--quiet")) {
            a->quiet = 1;
        } else if (!strcmp(s, "--firmware")) {
            dst = &a->firmware;
        } else if (!strcmp(s, "--scenario")) {
            dst = &a->scenario;
        } else if (!strcmp(s, "--suite")) {
            dst = &a->suite;
        } else if (!strcmp(s, "--vcd")) {
            dst = &a->vcd;
        } else if (!strcmp(s, "--plot")) {
            dst = &a->plot;
        } else if (!strcmp(s, "--seed")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "extwd-sim: --seed needs a value\n");
                return -1;
            }
            char *end;
            errno = 0;
            a->seed = strtoull(argv[++i], &end, 0);
            if (errno || *end || argv[i][0] == '-' || !argv[i][0]) {
                fprintf(stderr, "extwd-sim: --seed: '%s' is not a non-negative integer\n", argv[i]);
                return -1;
            }
            a->has_seed = 1;
        } else if (!strcmp(s, "--seeds")) {
            char *end = NULL;
            const char *v = i + 1 < argc ? argv[++i] : "";
            errno = 0;
            a->seed_lo = strtoull(v, &end, 10);
            int ok = !errno && v[0] >= '0' && v[0] <= '9' && *end == '-' && end[1] >= '0' && end[1] <= '9';
            if (ok) {
                const char *hi = end + 1;
                a->seed_hi = strtoull(hi, &end, 10);
                ok = !errno && !*end && a->seed_hi >= a->seed_lo && a->seed_hi - a->seed_lo < 100000;
            }
            if (!ok) {
                fprintf(stderr, "extwd-sim: --seeds: '%s' is not A-B (A <= B, at most 100000 seeds)\n", v);
                return -1;
            }
            a->has_seeds = 1;
        } else if (!strcmp(s, "--rc-error") || !strcmp(s, "--wdt-error") ||
                   !strcmp(s, "--drift") || !strcmp(s, "--wakeup-us")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "extwd-sim: %s needs a value\n", s);
                return -1;
            }
            if (parse_timing(&a->timing, s, argv[++i]))
                return -1;
        } else {
            fprintf(stderr, "extwd-sim: unknown option '%s' (try --help)\n", s);
            return -1;
        }
        if (dst) {
            if (i + 1 >= argc) {
                fprintf(stderr, "extwd-sim: %s needs a value\n", s);
                return -1;
            }
            *dst = argv[++i];
        }
    }
    if (!a->scenario == !a->suite) {
        fprintf(stderr, "extwd-sim: give exactly one of --scenario FILE or --suite DIR (try --help)\n");
        return -1;
    }
    if (a->has_seeds && (a->suite || a->has_seed || a->vcd || a->plot)) {
        fprintf(stderr, "extwd-sim: --seeds goes with --scenario, without --seed, --vcd or --plot\n");
        return -1;
    }
    if (a->suite && (a->vcd || a->plot)) {
        fprintf(stderr, "extwd-sim: --vcd and --plot go with --scenario, not --suite\n");
        return -1;
    }
    if (!a->firmware) {
        struct stat st;
        a->firmware = stat("build/firmware/attiny85/extwd.elf", &st) == 0 ? "build/firmware/attiny85/extwd.elf"
                                                                           : EXTWD_DEFAULT_FIRMWARE;
    }
    return 0;
}

static double wall_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Checks the ELF is a readable file, so the error names it plainly. */
static int check_firmware(const char *path)
{
    char err[600];
    FILE *f = sim_open_regular(path, err, sizeof err);
    if (!f) {
        fprintf(stderr, "extwd-sim: %s\n", err);
        return -1;
    }
    unsigned char magic[4] = { 0 };
    size_t n = fread(magic, 1, 4, f);
    fclose(f);
    if (n != 4 || memcmp(magic, "\x7f" "ELF", 4)) {
        fprintf(stderr, "extwd-sim: %s: not an ELF file\n", path);
        return -1;
    }
    return 0;
}

/* ---- one scenario ------------------------------------------------------------------ */

/* A run that checks nothing is not a pass: a scenario without a single
 * expectation (an empty file included) is bad input. Returns 0, or -1
 * after one line on stderr. */
static int refuse_unchecked(const struct scenario *sc)
{
    if (sc->nexpects)
        return 0;
    fprintf(stderr, "extwd-sim: %s: no expectations: a run that checks nothing is not a pass "
            "(add an 'expect' line)\n", sc->path);
    return -1;
}

/* A scenario event that never acted in this run proves nothing, and an
 * expectation that "holds" despite it would pass vacuously: one line naming
 * the first such statement. Returns 0, or -1 after printing it. */
static int refuse_ineffective(const struct scenario *sc, const struct run *r)
{
    if (!r->nineffective)
        return 0;
    static const char *const tasks[] = { "", "boot", "timers", "network", "otgw", "ota", "wifi" };
    const struct sc_event *e = &sc->events[r->ineffective[0]];
    char what[48];
    if (e->kind == SC_EV_HANG && e->task)
        snprintf(what, sizeof what, "hang in %s", tasks[e->task % 7]);
    else
        snprintf(what, sizeof what, "%s", sc_event_name(e->kind));
    fprintf(stderr, "extwd-sim: %s:%d: '%s' never took effect in this run (%d statement%s did nothing); "
            "a scenario must not pass vacuously\n", sc->path, e->line, what, r->nineffective,
            r->nineffective == 1 ? "" : "s");
    return -1;
}

/* One run's options from the command line: its firmware and silicon, the
 * seed (has_seed: it overrides the scenario's) and a waveform file or NULL. */
static struct sim_options sim_options_of(const struct args *a, uint64_t seed, int has_seed, FILE *vcd)
{
    struct sim_options o = a->timing;
    o.firmware = a->firmware;
    o.seed = seed;
    o.has_seed = has_seed;
    o.vcd = vcd;
    return o;
}

static int run_one(const struct args *a)
{
    static struct scenario sc;
    char err[512];
    if (scenario_load(&sc, a->scenario, err, sizeof err)) {
        fprintf(stderr, "extwd-sim: %s\n", err);
        return 2;
    }
    if (refuse_unchecked(&sc))
        return 2;
    if (check_firmware(a->firmware))
        return 2;
    FILE *vcd = NULL;
    if (a->vcd && !(vcd = fopen(a->vcd, "w"))) {
        fprintf(stderr, "extwd-sim: %s: cannot write: %s\n", a->vcd, strerror(errno));
        return 2;
    }
    FILE *plot = NULL;
    if (a->plot && !(plot = fopen(a->plot, "w"))) {
        fprintf(stderr, "extwd-sim: %s: cannot write: %s\n", a->plot, strerror(errno));
        if (vcd)
            fclose(vcd);
        return 2;
    }
    static struct run run;
    run_init(&run, &sc);
    run.log = (a->json || a->quiet) ? NULL : stdout;
    struct sim_options o = sim_options_of(a, a->seed, a->has_seed, vcd);
    double t0 = wall_now_ms();
    int rc = sim_run(&sc, &o, &run, err, sizeof err);
    run.wall_ms = wall_now_ms() - t0;
    int status;
    if (rc == SIM_E_INPUT) {
        fprintf(stderr, "extwd-sim: %s\n", err);
        status = 2;
    } else if (rc == SIM_SKIP) {
        if (a->json) {
            fputs("{\"scenario\": ", stdout);
            run_json_string(stdout, sc.name);
            fputs(", \"mcu\": ", stdout);
            run_json_string(stdout, run.mcu);
            fputs(", \"result\": \"skip\", \"reason\": ", stdout);
            run_json_string(stdout, err);
            fputs("}\n", stdout);
        } else
            printf("SKIP: %s\n", err);
        status = 0;
    } else if (refuse_ineffective(&sc, &run)) {
        status = 2;
    } else {
        int failed = run_check_expectations(&run);
        if (rc == SIM_E_CHIP) {
            fprintf(stderr, "extwd-sim: %s\n", err);
            run.all_passed = 0;
            failed = failed ? failed : 1;
        }
        if (a->json) {
            run_write_json(stdout, &run);
        } else {
            printf("[%10.3f] end   %zu reset%s (%d false), %zu recover%s, %llu feeds, %llu bus bytes, chip awake "
                   "%.3f %%, max stretch %u us, sleep-mode errors %u\n",
                   run.sim_ms / 1000, run.resets.n, run.resets.n == 1 ? "" : "s", run.false_resets,
                   run.recoveries.n, run.recoveries.n == 1 ? "y" : "ies", (unsigned long long)run.feeds,
                   (unsigned long long)run.bus_bytes, run.awake_fraction * 100, run.max_stretch_us,
                   run.sleep_mode_errors);
            printf("expectations (%s, seed %llu):\n", sc.path, (unsigned long long)run.seed);
            run_print_expectations(stdout, &run);
            printf("%s: %d of %d expectations hold\n", failed ? "FAIL" : "PASS", run.expects_passed, sc.nexpects);
        }
        if (plot && run_write_svg(plot, &run)) {
            fprintf(stderr, "extwd-sim: %s: write error\n", a->plot);
            failed = failed ? failed : 1;
        }
        status = failed ? 1 : 0;
    }
    if (vcd && fclose(vcd)) {
        fprintf(stderr, "extwd-sim: %s: write error\n", a->vcd);
        status = status ? status : 2;
    }
    if (plot && fclose(plot)) {
        fprintf(stderr, "extwd-sim: %s: write error\n", a->plot);
        status = status ? status : 2;
    }
    run_free(&run);
    return status;
}

/* ---- a sweep over seeds ------------------------------------------------------------- */

/* The worst case of each figure over a sweep, and which seed gave it. */
struct worst {
    double v;
    uint64_t seed;
    int set;
};

static void worst_max(struct worst *w, double v, uint64_t seed)
{
    if (!w->set || v > w->v) {
        w->v = v;
        w->seed = seed;
        w->set = 1;
    }
}

static void worst_min(struct worst *w, double v, uint64_t seed)
{
    if (!w->set || v < w->v) {
        w->v = v;
        w->seed = seed;
        w->set = 1;
    }
}

struct sweep {
    int runs, passed, failed, bad;
    uint64_t first_failed;
    struct worst resets, false_resets, recovery, slf_min, slf_max, feed_errors, stretch, awake, sleep_err;
    struct worst x_min[SC_MAX_EXPECTS], x_max[SC_MAX_EXPECTS];
    int x_failed[SC_MAX_EXPECTS];
    uint64_t x_first_failed[SC_MAX_EXPECTS];
};

static void sweep_add(struct sweep *s, const struct scenario *sc, const struct run *r, uint64_t seed)
{
    worst_max(&s->resets, (double)r->resets.n, seed);
    worst_max(&s->false_resets, r->false_resets, seed);
    for (size_t k = 0; k < r->recoveries.n; k++)
        worst_max(&s->recovery, VEC_AT(r->recoveries, struct run_recovery, k).recovery_ms, seed);
    for (size_t k = 0; k < r->resets.n; k++) {
        double v = VEC_AT(r->resets, struct run_reset, k).since_last_feed_ms;
        if (v >= 0) {
            worst_min(&s->slf_min, v, seed);
            worst_max(&s->slf_max, v, seed);
        }
    }
    worst_max(&s->feed_errors, (double)r->feed_errors, seed);
    worst_max(&s->stretch, r->max_stretch_us, seed);
    worst_max(&s->awake, r->awake_fraction * 100, seed);
    worst_max(&s->sleep_err, r->sleep_mode_errors, seed);
    for (int i = 0; i < sc->nexpects; i++) {
        const struct run_expect *e = &r->expect[i];
        if (e->has_measured && e->measured == e->measured) {
            worst_min(&s->x_min[i], e->measured, seed);
            worst_max(&s->x_max[i], e->measured, seed);
        }
        if (!e->passed && !s->x_failed[i]++)
            s->x_first_failed[i] = seed;
    }
}

static void print_worst(const char *name, const struct worst *w, const char *unit, double scale)
{
    if (w->set)
        printf("  %-22s %12.3f %-3s (seed %llu)\n", name, w->v * scale, unit, (unsigned long long)w->seed);
    else
        printf("  %-22s %12s\n", name, "-");
}

static void json_worst(const char *name, const struct worst *w, int first)
{
    printf("%s\n    \"%s\": ", first ? "" : ",", name);
    if (w->set)
        printf("{\"value\": %.6g, \"seed\": %llu}", w->v, (unsigned long long)w->seed);
    else
        fputs("null", stdout);
}

static void sweep_print(const struct args *a, const struct scenario *sc, const struct sweep *s)
{
    if (a->json) {
        fputs("{\n  \"scenario\": ", stdout);
        run_json_string(stdout, sc->name);
        fputs(",\n  \"firmware\": ", stdout);
        run_json_string(stdout, a->firmware);
        printf(",\n  \"seeds\": [%llu, %llu],\n  \"runs\": %d,\n  \"passed\": %d,\n  \"failed\": %d,\n"
               "  \"bad\": %d,\n  \"worst\": {",
               (unsigned long long)a->seed_lo, (unsigned long long)a->seed_hi, s->runs, s->passed, s->failed,
               s->bad);
        json_worst("resets", &s->resets, 1);
        json_worst("false_resets", &s->false_resets, 0);
        json_worst("recovery_ms", &s->recovery, 0);
        json_worst("since_last_feed_ms_min", &s->slf_min, 0);
        json_worst("since_last_feed_ms_max", &s->slf_max, 0);
        json_worst("feed_errors", &s->feed_errors, 0);
        json_worst("max_stretch_us", &s->stretch, 0);
        json_worst("chip_awake_percent", &s->awake, 0);
        json_worst("sleep_mode_errors", &s->sleep_err, 0);
        fputs("\n  },\n  \"expectations\": [", stdout);
        for (int i = 0; i < sc->nexpects; i++) {
            printf("%s\n    {\"name\": ", i ? "," : "");
            run_json_string(stdout, sc->expects[i].text);
            printf(", \"line\": %d, \"failed_seeds\": %d", sc->expects[i].line, s->x_failed[i]);
            if (s->x_failed[i])
                printf(", \"first_failed_seed\": %llu", (unsigned long long)s->x_first_failed[i]);
            if (s->x_min[i].set)
                printf(", \"min\": %.6g, \"min_seed\": %llu, \"max\": %.6g, \"max_seed\": %llu",
                       s->x_min[i].v, (unsigned long long)s->x_min[i].seed, s->x_max[i].v,
                       (unsigned long long)s->x_max[i].seed);
            fputc('}', stdout);
        }
        printf("%s],\n  \"all_passed\": %s\n}\n", sc->nexpects ? "\n  " : "",
               s->failed || s->bad ? "false" : "true");
        return;
    }
    printf("%s, seeds %llu-%llu on %s: %d run%s, %d passed, %d failed, %d bad input\n", sc->name,
           (unsigned long long)a->seed_lo, (unsigned long long)a->seed_hi, a->firmware, s->runs,
           s->runs == 1 ? "" : "s", s->passed, s->failed, s->bad);
    puts("worst case over the seeds:");
    print_worst("resets (most)", &s->resets, "", 1);
    print_worst("false resets (most)", &s->false_resets, "", 1);
    print_worst("recovery (longest)", &s->recovery, "s", 1e-3);
    print_worst("since-last-feed (min)", &s->slf_min, "ms", 1);
    print_worst("since-last-feed (max)", &s->slf_max, "ms", 1);
    print_worst("feed errors (most)", &s->feed_errors, "", 1);
    print_worst("max stretch", &s->stretch, "us", 1);
    print_worst("chip awake (most)", &s->awake, "%", 1);
    print_worst("sleep-mode errors", &s->sleep_err, "", 1);
    puts("expectations (measured min .. max over the seeds):");
    for (int i = 0; i < sc->nexpects; i++) {
        char range[64] = "-";
        if (s->x_min[i].set)
            snprintf(range, sizeof range, "%.6g .. %.6g", s->x_min[i].v, s->x_max[i].v);
        char fails[48] = "";
        if (s->x_failed[i])
            snprintf(fails, sizeof fails, "  failed for %d seed%s (first %llu)", s->x_failed[i],
                     s->x_failed[i] == 1 ? "" : "s", (unsigned long long)s->x_first_failed[i]);
        printf("  %s  %-50s %s%s\n", s->x_failed[i] ? "FAIL" : "PASS", sc->expects[i].text, range, fails);
    }
    if (s->failed)
        printf("FAIL: %d of %d seeds fail (first %llu)\n", s->failed, s->runs, (unsigned long long)s->first_failed);
    else if (!s->bad)
        printf("PASS: every expectation holds for all %d seeds\n", s->runs);
}

/* --seeds A-B: the scenario once per seed, the worst case of each figure.
 * Returns 0 all pass, 1 a seed fails, 2 bad input. */
static int run_seeds(const struct args *a)
{
    static struct scenario sc;
    static struct run run;
    static struct sweep s;
    char err[512];
    if (scenario_load(&sc, a->scenario, err, sizeof err)) {
        fprintf(stderr, "extwd-sim: %s\n", err);
        return 2;
    }
    if (refuse_unchecked(&sc) || check_firmware(a->firmware))
        return 2;
    memset(&s, 0, sizeof s);
    for (uint64_t seed = a->seed_lo;; seed++) {
        run_init(&run, &sc);
        struct sim_options o = sim_options_of(a, seed, 1, NULL);
        int rc = sim_run(&sc, &o, &run, err, sizeof err);
        if (rc == SIM_E_INPUT) {
            fprintf(stderr, "extwd-sim: %s\n", err);
            run_free(&run);
            return 2;
        }
        if (rc == SIM_SKIP) {
            printf("SKIP: %s\n", err);
            run_free(&run);
            return 0;
        }
        s.runs++;
        if (refuse_ineffective(&sc, &run)) {
            s.bad++;
        } else {
            int failed = run_check_expectations(&run) || rc == SIM_E_CHIP;
            if (rc == SIM_E_CHIP)
                fprintf(stderr, "extwd-sim: seed %llu: %s\n", (unsigned long long)seed, err);
            if (failed && !s.failed++)
                s.first_failed = seed;
            else if (!failed)
                s.passed++;
            sweep_add(&s, &sc, &run, seed);
        }
        run_free(&run);
        if (seed == a->seed_hi)
            break;
    }
    sweep_print(a, &sc, &s);
    return s.bad ? 2 : s.failed ? 1 : 0;
}

/* ---- the suite ------------------------------------------------------------------------ */

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static int run_suite(const struct args *a)
{
    DIR *d = opendir(a->suite);
    if (!d) {
        fprintf(stderr, "extwd-sim: %s: cannot open: %s\n", a->suite, strerror(errno));
        return 2;
    }
    char **names = NULL; /* every *.scn, however many: none is left out */
    int n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len <= 4 || strcmp(de->d_name + len - 4, ".scn"))
            continue;
        char **grown = names;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            grown = realloc(names, (size_t)cap * sizeof *names);
        }
        if (!grown || !(grown[n] = strdup(de->d_name))) {
            fprintf(stderr, "extwd-sim: %s: out of memory listing scenarios\n", a->suite);
            closedir(d);
            for (int i = 0; i < n; i++)
                free((grown ? grown : names)[i]);
            free(grown ? grown : names);
            return 2;
        }
        names = grown;
        n++;
    }
    closedir(d);
    if (!n) {
        fprintf(stderr, "extwd-sim: %s: no *.scn scenarios\n", a->suite);
        free(names);
        return 2;
    }
    qsort(names, (size_t)n, sizeof names[0], cmp_str);
    if (check_firmware(a->firmware)) {
        for (int i = 0; i < n; i++)
            free(names[i]);
        free(names);
        return 2;
    }
    int status = 0, pass = 0, fail = 0, skip = 0, bad = 0;
    double total_wall = 0, total_sim = 0;
    if (a->json) {
        fputs("{\n  \"suite\": ", stdout);
        run_json_string(stdout, a->suite);
        fputs(",\n  \"firmware\": ", stdout);
        run_json_string(stdout, a->firmware);
        fputs(",\n  \"results\": [", stdout);
    } else
        printf("%-30s %-10s %-6s %6s %5s %10s %9s %8s  %s\n", "scenario", "mcu", "result", "resets", "false",
               "recovery", "sim s", "wall ms", "expectations");
    static struct scenario sc;
    static struct run run;
    for (int i = 0; i < n; i++) {
        char path[1024], err[512];
        snprintf(path, sizeof path, "%s/%s", a->suite, names[i]);
        const char *result;
        int nres = 0, nfalse = 0, passed = 0, nexp = 0;
        double worst = -1, sim_s = 0, wall = 0;
        char mcu[16] = "";
        if (scenario_load(&sc, path, err, sizeof err)) {
            fprintf(stderr, "extwd-sim: %s\n", err);
            result = "BAD";
            bad++;
            status = 2;
            snprintf(sc.name, sizeof sc.name, "%.*s", (int)strlen(names[i]) - 4, names[i]);
        } else if (refuse_unchecked(&sc)) {
            result = "BAD";
            bad++;
            status = 2;
        } else {
            run_init(&run, &sc);
            struct sim_options o = sim_options_of(a, a->seed, a->has_seed, NULL);
            double t0 = wall_now_ms();
            int rc = sim_run(&sc, &o, &run, err, sizeof err);
            wall = run.wall_ms = wall_now_ms() - t0;
            snprintf(mcu, sizeof mcu, "%s", run.mcu);
            if (rc == SIM_E_INPUT) {
                fprintf(stderr, "extwd-sim: %s\n", err);
                result = "BAD";
                bad++;
                status = 2;
            } else if (rc == SIM_SKIP) {
                result = "SKIP";
                skip++;
            } else if (refuse_ineffective(&sc, &run)) {
                result = "BAD";
                bad++;
                status = 2;
            } else {
                int failed = run_check_expectations(&run) || rc == SIM_E_CHIP;
                if (rc == SIM_E_CHIP)
                    fprintf(stderr, "extwd-sim: %s: %s\n", path, err);
                result = failed ? "FAIL" : "PASS";
                if (failed) {
                    fail++;
                    if (!status)
                        status = 1;
                } else {
                    pass++;
                }
                nres = (int)run.resets.n;
                nfalse = run.false_resets;
                for (size_t k = 0; k < run.recoveries.n; k++) {
                    double ms = VEC_AT(run.recoveries, struct run_recovery, k).recovery_ms;
                    if (ms > worst)
                        worst = ms;
                }
                passed = run.expects_passed;
                nexp = sc.nexpects;
                sim_s = run.sim_ms / 1000;
                total_sim += sim_s;
            }
            total_wall += wall;
            run_free(&run);
        }
        char rec[24] = "-";
        if (worst >= 0)
            snprintf(rec, sizeof rec, "%.1f s", worst / 1000);
        if (a->json) {
            printf("%s\n    {\"scenario\": ", i ? "," : "");
            run_json_string(stdout, sc.name);
            fputs(", \"mcu\": ", stdout);
            run_json_string(stdout, mcu);
            printf(", \"result\": \"%s\", \"resets\": %d, \"false_resets\": %d, \"worst_recovery_ms\": %.3f, "
                   "\"expectations_passed\": %d, \"expectations\": %d, \"sim_ms\": %.3f, \"wall_ms\": %.1f}",
                   result, nres, nfalse, worst < 0 ? 0 : worst, passed, nexp, sim_s * 1000, wall);
        } else {
            char ex[24] = "-";
            if (nexp)
                snprintf(ex, sizeof ex, "%d/%d", passed, nexp);
            printf("%-30s %-10s %-6s %6d %5d %10s %9.1f %8.0f  %s\n", sc.name, mcu, result, nres, nfalse, rec,
                   sim_s, wall, ex);
            fflush(stdout);
        }
        free(names[i]);
    }
    free(names);
    if (a->json)
        printf("\n  ],\n  \"passed\": %d,\n  \"failed\": %d,\n  \"skipped\": %d,\n  \"bad\": %d,\n"
               "  \"sim_s\": %.1f,\n  \"wall_ms\": %.0f\n}\n",
               pass, fail, skip, bad, total_sim, total_wall);
    else
        printf("%d passed, %d failed, %d skipped, %d bad input; %.1f s simulated in %.2f s wall (%.0fx)\n", pass,
               fail, skip, bad, total_sim, total_wall / 1000, total_wall > 0 ? total_sim * 1000 / total_wall : 0);
    return status;
}

int main(int argc, char **argv)
{
    struct args a;
    if (parse_args(argc, argv, &a))
        return 2;
    return a.suite ? run_suite(&a) : a.has_seeds ? run_seeds(&a) : run_one(&a);
}
