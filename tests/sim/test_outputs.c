/*
 * Unit tests of extwd-sim's expectation checker and its JSON, SVG and VCD
 * writers, on hand-made run records (no simulator): each comparison can
 * pass and can fail, the JSON is valid, the SVG is well-formed XML, the VCD
 * has a header and non-decreasing times.
 *
 * Part of extwd-sim's tests (links code that is GPL-3.0-or-later).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "run.h"
#include "scenario.h"
#include "vcd.h"

static struct scenario sc;
static struct run run;

/* A run with one reset 3002 ms after the last feed, one recovery, two boots. */
static void make_run(const char *expectations)
{
    char err[256];
    char text[4096];
    snprintf(text, sizeof text, "title made \"by\" <hand> & test\nduration 40s\n%s", expectations);
    if (scenario_parse(&sc, text, strlen(text), "made.scn", err, sizeof err))
        fail_msg("parse: %s", err);
    run_init(&run, &sc);
    snprintf(run.firmware, sizeof run.firmware, "fw.elf");
    snprintf(run.mcu, sizeof run.mcu, "attiny85");
    run.sim_ms = 40000;
    run.feeds = 300;
    run.awake_fraction = 0.0064;
    struct run_reset *rs = vec_push(&run.resets, sizeof *rs);
    rs->t_ms = 23002;
    rs->release_ms = 23114;
    rs->since_last_feed_ms = 3002;
    rs->since_disarm_ms = -1;
    rs->pretimeout_lead_ms = -1;
    rs->cause = 1;
    rs->recovery = 0;
    snprintf(rs->fault, sizeof rs->fault, "host hang");
    struct run_recovery *rc = vec_push(&run.recoveries, sizeof *rc);
    rc->t_ms = 30000;
    rc->recovery_ms = 10000;
    rc->boot_ms = 6886;
    rc->resets = 1;
    struct run_boot *b = vec_push(&run.boots, sizeof *b);
    b->t_ms = 300;
    b->read_ok = 1;
    b->reason = 1;
    b->ext_status = 0x84;
    b = vec_push(&run.boots, sizeof *b);
    b->t_ms = 23400;
    b->after = SC_AFTER_CHIP_RESET;
    b->read_ok = 1;
    b->reason = 2;
    b->status = 1;
    b->last_cause = 1;
    b->ext_status = 0x86;
    b->breadcrumb = 3;
    struct run_span *s = run_span_open(&run, 20000, SC_EV_HANG, "host hang");
    s->t1_ms = 23002;
    run_state_set(&run, 0, SC_HS_BOOT);
    run_state_set(&run, 9000, SC_HS_LOOP);
    run_state_set(&run, 20000, SC_HS_HUNG);
    run_state_set(&run, 23002, SC_HS_OFF);
    run_state_set(&run, 23114, SC_HS_BOOT);
    run_state_set(&run, 30000, SC_HS_LOOP);
    run.host_state_end = SC_HS_LOOP;
    for (int t = 0; t < 40000; t += 16) {
        struct run_sample smp = { t, (uint32_t)(t > 20000 && t < 23002 ? t - 20000 : t % 112), 3000, 1,
                                  t < 300, 0 };
        run_sample_add(&run, &smp);
    }
    for (int t = 400; t < 40000; t += 110) {
        struct run_feed *f = vec_push(&run.feeds_v, sizeof *f);
        f->t_ms = t;
        f->ok = t % 7 != 0;
    }
}

static int results[SC_MAX_EXPECTS];

static void check(void)
{
    run_check_expectations(&run);
    for (int i = 0; i < sc.nexpects; i++)
        results[i] = run.expect[i].passed;
}

static void test_expectations_pass_and_fail(void **state)
{
    (void)state;
    make_run("expect resets == 1\n"                         /* 0 pass */
             "expect no-reset\n"                            /* 1 fail */
             "expect reset 1 since-last-feed 3000 +- 30\n"  /* 2 pass */
             "expect reset 1 since-last-feed 3000 +- 1\n"   /* 3 fail */
             "expect reset 1 cause timeout\n"               /* 4 pass */
             "expect reset 1 cause window\n"                /* 5 fail */
             "expect reset 2 cause timeout\n"               /* 6 fail: no such reset */
             "expect reset 1 since-disarm < 5000\n"         /* 7 fail: not measured */
             "expect recovered within 13s\n"                /* 8 pass */
             "expect recovered within 9s\n"                 /* 9 fail */
             "expect status-bit0-after-reboot\n"            /* 10 pass */
             "expect boot 2 ext-status has SAFE_MODE\n"     /* 11 pass */
             "expect boot 2 ext-status lacks SAFE_MODE\n"   /* 12 fail */
             "expect boot 2 breadcrumb != 3\n"              /* 13 fail */
             "expect boot 2 reason watchdog\n"              /* 14 pass */
             "expect boot 3 reason watchdog\n"              /* 15 fail */
             "expect feeds > 299\n"                         /* 16 pass */
             "expect feeds < 300\n"                         /* 17 fail */
             "expect awake-fraction <= 1%\n"                /* 18 pass */
             "expect awake-fraction <= 0.5%\n"              /* 19 fail */
             "expect host running\n"                        /* 20 pass */
             "expect host hung\n"                           /* 21 fail */
             "expect false-resets 0\n"                      /* 22 pass */
             "expect final STATUS == 1\n"                   /* 23 fail: never read */
             "expect at 10s chip armed yes\n"               /* 24 fail: never sampled */
             "expect recovery 1 boot-ms >= 5s\n"            /* 25 pass */
             "expect recovery 2 within 1h\n");              /* 26 fail */
    check();
    static const int want[] = { 1, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0 };
    assert_int_equal(sc.nexpects, (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < sc.nexpects; i++)
        if (results[i] != want[i])
            fail_msg("expectation %d '%s': passed=%d, wanted %d (%s)", i, sc.expects[i].text, results[i], want[i],
                     run.expect[i].detail);
    assert_int_equal(run.all_passed, 0);
    run_free(&run);
}

static void test_status_bit0_needs_a_reboot(void **state)
{
    (void)state;
    make_run("expect status-bit0-after-reboot\n");
    VEC_AT(run.boots, struct run_boot, 1).status = 0;
    check();
    assert_int_equal(results[0], 0);
    VEC_AT(run.boots, struct run_boot, 1).after = SC_AFTER_HOST_RESET;
    check();
    assert_int_equal(results[0], 0); /* no boot after a chip reset: not vacuously true */
    run_free(&run);
}

static void test_recovered_needs_every_reset(void **state)
{
    (void)state;
    make_run("expect recovered within 1h\n");
    struct run_reset *rs = vec_push(&run.resets, sizeof *rs);
    rs->t_ms = 39000;
    rs->recovery = -1;
    check();
    assert_int_equal(results[0], 0);
    run_free(&run);
}

static char *slurp(FILE *f, size_t *n)
{
    fflush(f);
    long len = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)len + 1);
    assert_non_null(buf);
    *n = fread(buf, 1, (size_t)len, f);
    buf[*n] = '\0';
    return buf;
}

typedef int (*output_check)(const char *s, size_t n, char *why, size_t whylen);

/* Reads back what a writer put in f, closes f, and fails the test unless
 * valid passes it. Returns the text, NUL-terminated (free it). */
static char *read_back(FILE *f, output_check valid, const char *what)
{
    size_t n;
    char *s = slurp(f, &n);
    fclose(f);
    char why[128] = "";
    if (valid(s, n, why, sizeof why))
        fail_msg("%s: %s\n%s", what, why, s);
    return s;
}

static void test_json(void **state)
{
    (void)state;
    make_run("expect resets == 1\nexpect no-reset\n");
    check();
    FILE *f = tmpfile();
    assert_non_null(f);
    run_write_json(f, &run);
    char *s = read_back(f, check_json, "invalid JSON");
    assert_non_null(strstr(s, "\"since_last_feed_ms\": 3002.000"));
    assert_non_null(strstr(s, "\"title\": \"made \\\"by\\\" <hand> & test\""));
    assert_non_null(strstr(s, "\"false_resets\": 0"));
    assert_non_null(strstr(s, "\"recovery_ms\": 10000.000"));
    assert_non_null(strstr(s, "{\"name\": \"resets == 1\", \"line\": 3, \"passed\": true"));
    assert_non_null(strstr(s, "{\"name\": \"no-reset\", \"line\": 4, \"passed\": false"));
    assert_non_null(strstr(s, "\"passed\": false\n}"));
    for (const char *k = "firmware\0mcu\0sim_ms\0wall_ms\0resets\0cause\0recoveries\0feeds\0bus_bytes\0"
                         "chip_awake_fraction\0expectations\0seed\0sleep_mode_errors\0max_stretch_us\0";
         *k; k += strlen(k) + 1) {
        char key[64];
        snprintf(key, sizeof key, "\"%s\":", k);
        if (!strstr(s, key))
            fail_msg("JSON lacks %s", key);
    }
    free(s);
    run_free(&run);
}

static void test_svg(void **state)
{
    (void)state;
    make_run("expect resets == 1\n");
    check();
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(run_write_svg(f, &run), 0);
    char *s = read_back(f, check_xml, "SVG is not well-formed");
    assert_non_null(strstr(s, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_non_null(strstr(s, "made &quot;by&quot; &lt;hand&gt; &amp; test"));
    assert_non_null(strstr(s, "reset 1: 3002 ms after the last feed"));
    assert_non_null(strstr(s, "back in loop 10.0 s after the last feed"));
    assert_non_null(strstr(s, ">hung<"));
    assert_non_null(strstr(s, "3000 ms"));
    free(s);
    /* an empty run (no samples, no resets) still draws */
    struct run empty;
    run_init(&empty, &sc);
    empty.sim_ms = 0;
    f = tmpfile();
    assert_int_equal(run_write_svg(f, &empty), 0);
    s = read_back(f, check_xml, "empty SVG is not well-formed");
    free(s);
    run_free(&run);
}

static void test_vcd(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    assert_non_null(f);
    struct vcd v;
    assert_int_equal(vcd_open(&v, f, "unit test"), 0);
    vcd_set(&v, 0, VCD_RESET, 1);
    vcd_set(&v, 0, VCD_COUNTDOWN, 3000);
    vcd_set(&v, 10, VCD_RESET, 1); /* unchanged: nothing written */
    vcd_set(&v, 500, VCD_SDA, 0);
    vcd_set(&v, 400, VCD_SCL, 0);  /* backwards: clamped to 500 */
    vcd_set(&v, 900, VCD_COUNTDOWN, 5);
    assert_int_equal(vcd_close(&v, 1000), 0);
    char *s = read_back(f, check_vcd, "bad VCD");
    assert_non_null(strstr(s, "$timescale 1ns $end"));
    assert_non_null(strstr(s, "$var wire 32 g countdown_ms $end"));
    assert_non_null(strstr(s, "#0\n1a\nb101110111000 g\n#500\n0b\n0c\n#900\nb101 g\n#1000\n"));
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expectations_pass_and_fail),
        cmocka_unit_test(test_status_bit0_needs_a_reboot),
        cmocka_unit_test(test_recovered_needs_every_reset),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_svg),
        cmocka_unit_test(test_vcd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
