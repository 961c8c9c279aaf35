/*
 * Unit tests of the extwd-sim scenario parser: what it accepts, what it
 * makes of it, and that every malformed line is refused with file:line.
 *
 * Part of extwd-sim's tests (links code that is GPL-3.0-or-later).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "scenario.h"

static struct scenario sc;
static char err[512];

static int parse(const char *text)
{
    return scenario_parse(&sc, text, strlen(text), "t.scn", err, sizeof err);
}

static void test_defaults(void **state)
{
    (void)state;
    assert_int_equal(parse("# nothing but a comment\n\n"), 0);
    assert_string_equal(sc.name, "t");
    assert_int_equal(sc.duration_ms, 60000);
    assert_int_equal(sc.host.mode, SC_HOST_EXTWD);
    assert_int_equal(sc.host.boot_min_ms, 5000);
    assert_int_equal(sc.host.boot_max_ms, 10000);
    assert_int_equal(sc.host.loop_min_ms, 10);
    assert_int_equal(sc.host.loop_max_ms, 50);
    assert_int_equal(sc.host.stretch_limit_us, 230);
    assert_int_equal(sc.mcus, SC_MCU_ALL);
    assert_int_equal(sc.nevents, 0);
    assert_int_equal(sc.nexpects, 0);
}

static void test_full_file(void **state)
{
    (void)state;
    const char *text =
        "title  A title with  two spaces # and a comment\r\n"
        "duration 1.5min\n"
        "seed 0x10\n"
        "skip atmega328p no TWI clock line\n"
        "host mode stock\n"
        "host boot 6s 7s\n"
        "host loop 20ms\n"
        "host spikes 2% 100 200ms\n"
        "host breadcrumbs on\n"
        "host ota disarm\n"
        "config timeout_ms 5s\n"
        "config pretimeout_ms 500 pin\n"
        "config bootloop 3 60\n"
        "config save\n"
        "at 30s hang in network\n"
        "at 10s sda-low 2s\n"
        "at 10s stray to 0x27 07 00\n"
        "at 20s ota 4 1s 3s\n"
        "at 21s wifi-drop 10s attempt 2s\n"
        "expect reset 1 since-last-feed 3000 +- 30\n"
        "expect boot 2 ext-status has SAFE_MODE\n"
        "expect final RESETS_TOTAL >= 2\n"
        "expect at 45s chip armed no\n"
        "expect awake-fraction <= 1%\n"
        "expect recovered within 13.1s\n";
    assert_int_equal(parse(text), 0);
    assert_string_equal(sc.title, "A title with  two spaces");
    assert_int_equal(sc.duration_ms, 90000);
    assert_int_equal(sc.seed, 16);
    assert_int_equal(sc.has_seed, 1);
    assert_int_equal(sc.mcus, SC_MCU_ATTINY85);
    assert_string_equal(sc.skip_reason[1], "no TWI clock line");
    assert_int_equal(sc.host.mode, SC_HOST_STOCK);
    assert_int_equal(sc.host.boot_min_ms, 6000);
    assert_int_equal(sc.host.loop_min_ms, 20);
    assert_int_equal(sc.host.loop_max_ms, 20);
    assert_int_equal(sc.host.spike_ppm, 20000);
    assert_int_equal(sc.host.spike_min_ms, 100);
    assert_int_equal(sc.host.breadcrumbs, 1);
    assert_int_equal(sc.host.ota_mode, SC_LONGOP_DISARM);
    assert_int_equal(sc.nconfig, 4);
    assert_int_equal(sc.config[0].kind, SC_CFG_TIMEOUT_MS);
    assert_int_equal(sc.config[0].a, 5000);
    assert_int_equal(sc.config[1].b, 1);
    assert_int_equal(sc.config[2].a, 3);
    assert_int_equal(sc.config[2].b, 60);
    /* events sorted by time, ties in file order */
    assert_int_equal(sc.nevents, 5);
    assert_int_equal(sc.events[0].kind, SC_EV_SDA_LOW);
    assert_int_equal(sc.events[0].a, 2000);
    assert_int_equal(sc.events[1].kind, SC_EV_STRAY);
    assert_int_equal(sc.events[1].a, 0x27);
    assert_int_equal(sc.events[1].nbytes, 2);
    assert_int_equal(sc.events[1].bytes[0], 7);
    assert_int_equal(sc.events[2].kind, SC_EV_OTA);
    assert_int_equal(sc.events[2].c, 3000);
    assert_int_equal(sc.events[3].kind, SC_EV_WIFI_DROP);
    assert_int_equal(sc.events[3].b, 2000);
    assert_int_equal(sc.events[4].kind, SC_EV_HANG);
    assert_int_equal(sc.events[4].task, 3);
    assert_int_equal(sc.events[4].line, 15);
    /* expectations */
    assert_int_equal(sc.nexpects, 6);
    assert_int_equal(sc.expects[0].subject, SC_X_RESET);
    assert_int_equal(sc.expects[0].cmp, SC_NEAR);
    assert_true(sc.expects[0].value == 3000 && sc.expects[0].tol == 30);
    assert_string_equal(sc.expects[0].text, "reset 1 since-last-feed 3000 +- 30");
    assert_int_equal(sc.expects[1].cmp, SC_HAS);
    assert_true(sc.expects[1].value == 0x02);
    assert_int_equal(sc.expects[2].subject, SC_X_FINAL);
    assert_int_equal(sc.expects[2].reg, 0x2E);
    assert_int_equal(sc.expects[2].reg_width, 2);
    assert_int_equal(sc.expects[3].subject, SC_X_AT_CHIP);
    assert_int_equal(sc.expects[3].at_ms, 45000);
    assert_true(sc.expects[3].value == 0);
    assert_true(sc.expects[4].value > 0.0099 && sc.expects[4].value < 0.0101);
    assert_int_equal(sc.expects[5].subject, SC_X_RECOVERED);
    assert_true(sc.expects[5].value == 13100);
}

static void test_raw(void **state)
{
    (void)state;
    const char *text = "host mode raw\n"
                       "at 1s raw write 83 11\n"
                       "at 2s raw read 1 expect 01\n"
                       "at 3s raw read 2 from 0x27\n"
                       "at 4s raw feed every 100ms until 10s\n";
    assert_int_equal(parse(text), 0);
    assert_int_equal(sc.nevents, 4);
    assert_int_equal(sc.nraw_reads, 2);
    assert_int_equal(sc.nexpects, 1);
    assert_int_equal(sc.expects[0].subject, SC_X_RAW_READ);
    assert_int_equal(sc.expects[0].index, 1);
    assert_int_equal(sc.expects[0].bytes[0], 1);
    assert_int_equal(sc.events[2].b, 0x27);
    assert_int_equal(sc.events[3].a, 100);
    assert_int_equal(sc.events[3].b, 10000);
}

/* Each malformed text must be refused with "t.scn:LINE:" and a message. */
struct bad { const char *text; int line; const char *words; };

static void test_errors(void **state)
{
    (void)state;
    static const struct bad cases[] = {
        { "duration 10s\nfrobnicate 3\n", 2, "unknown keyword" },
        { "duration soon\n", 1, "duration" },
        { "duration 10s\nat 20s hang\n", 2, "not before the end" },
        { "at 5s explode\n", 1, "unknown event" },
        { "at 5s hang in kitchen\n", 1, "unknown task" },
        { "at 5s sda-low\n", 1, "usage" },
        { "at 5s sda-low -3s\n", 1, "usage" },
        { "at 5s ota 0 1s 2s\n", 1, "usage" },
        { "at 5s ota 3 5s 2s\n", 1, "usage" },
        { "at 5s stray 07 zz\n", 1, "hex byte" },
        { "at 5s stray 01 02 03 04 05 06 07 08 09\n", 1, "at most" },
        { "at 5s raw write 07 00\n", 1, "host mode raw" },
        { "host mode raw\nat 5s hang\n", 2, "raw mode" },
        { "host mode turbo\n", 1, "unknown host mode" },
        { "host loop 50ms 10ms\n", 1, "below MIN" },
        { "host spikes 2 1s 2s\n", 1, "probability" },
        { "host retries 9\n", 1, "retries" },
        { "config timeout_ms 50\n", 1, "outside" },
        { "config grace_s 300\n", 1, "outside" },
        { "config bootloop 3 0\n", 1, "HEALTHY_S" },
        { "config frobs 1\n", 1, "unknown config" },
        { "expect\n", 1, "needs something" },
        { "expect resets lots\n", 1, "not a number" },
        { "expect reset 0 cause timeout\n", 1, "index" },
        { "expect reset 1 colour red\n", 1, "field" },
        { "expect reset 1 cause sneeze\n", 1, "unknown cause" },
        { "expect reset 1 since-last-feed < 3000 +- 30\n", 1, "plain value" },
        { "expect boot 1 ext-status has NOPE\n", 1, "FLAG" },
        { "expect final NOSUCHREG == 1\n", 1, "unknown register" },
        { "expect at 5s chip colour 1\n", 1, "armed" },
        { "duration 10s\nexpect at 20s host running\n", 2, "after the end" },
        { "expect host dancing\n", 1, "unknown host state" },
        { "expect no-reset please\n", 1, "unexpected" },
        { "mcu z80\n", 1, "unknown mcu" },
        { "skip attiny85 a\nskip atmega328p b\n", 1, "no MCU" },
        { "title ok\n\x01\n", 2, "control character" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err[0] = '\0';
        int r = parse(cases[i].text);
        char want[32];
        snprintf(want, sizeof want, "t.scn:%d: ", cases[i].line);
        if (r != -1 || strncmp(err, want, strlen(want)) || !strstr(err, cases[i].words))
            fail_msg("case %zu (%s): got %d '%s', wanted '%s...%s'", i, cases[i].text, r, err, want,
                     cases[i].words);
    }
}

static void test_long_line(void **state)
{
    (void)state;
    char text[SC_MAX_LINE + 20];
    memset(text, 'x', sizeof text - 2);
    memcpy(text, "title ", 6);
    text[sizeof text - 2] = '\n';
    text[sizeof text - 1] = '\0';
    assert_int_equal(parse(text), -1);
    assert_non_null(strstr(err, "t.scn:1: line longer"));
}

static void test_limits(void **state)
{
    (void)state;
    static char text[SC_MAX_EVENTS * 24 + 64];
    size_t o = (size_t)snprintf(text, sizeof text, "duration 1h\n");
    for (int i = 0; i <= SC_MAX_EVENTS; i++)
        o += (size_t)snprintf(text + o, sizeof text - o, "at %ds brownout\n", i + 1);
    assert_int_equal(parse(text), -1);
    assert_non_null(strstr(err, "too many events"));
}

static void test_not_nul_terminated(void **state)
{
    (void)state;
    const char text[] = { 'd', 'u', 'r', 'a', 't', 'i', 'o', 'n', ' ', '5', 's' };
    assert_int_equal(scenario_parse(&sc, text, sizeof text, "t.scn", err, sizeof err), 0);
    assert_int_equal(sc.duration_ms, 5000);
}

static void test_load_missing(void **state)
{
    (void)state;
    assert_int_equal(scenario_load(&sc, "/nonexistent/x.scn", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/x.scn: cannot open"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),   cmocka_unit_test(test_full_file),
        cmocka_unit_test(test_raw),        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_long_line),  cmocka_unit_test(test_limits),
        cmocka_unit_test(test_not_nul_terminated), cmocka_unit_test(test_load_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
