/*
 * Unit tests of extwd_mqtt without a network: the JSON writer, the event
 * queue, the back-off, the options and credentials, the payloads and
 * discovery configs, and the state timer.
 *
 * SPDX-License-Identifier: MIT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extwd_mqtt.h"
#include "mqtt_internal.h"
#include "mqtt_json.h"

/* ---- JSON -------------------------------------------------------------------------- */

static void esc_is(const char *in, size_t n, const char *want)
{
    char out[256];
    int len = mqtt_json_escape(out, sizeof out, in, n);
    assert_int_equal(len, (int)strlen(want));
    assert_string_equal(out, want);
}

static void test_json_escape(void **s)
{
    (void)s;
    esc_is("plain", 5, "plain");
    esc_is("a\"b\\c", 5, "a\\\"b\\\\c");
    esc_is("\b\f\n\r\t", 5, "\\b\\f\\n\\r\\t");
    esc_is("\x01\x1f\x7f", 3, "\\u0001\\u001f\x7f");
    esc_is("nul\0x", 5, "nul\\u0000x");
    esc_is("\xc3\xa9\xe2\x82\xac\xf0\x9f\x90\xb6", 9, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x90\xb6"); /* é € dog */
    esc_is("\xff", 1, "\xef\xbf\xbd");                   /* never valid */
    esc_is("\xc0\x80", 2, "\xef\xbf\xbd\xef\xbf\xbd");   /* overlong NUL */
    esc_is("\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* surrogate */
    esc_is("\xf4\x90\x80\x80", 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* > U+10FFFF */
    esc_is("\xe2\x82", 2, "\xef\xbf\xbd\xef\xbf\xbd");   /* cut short */
    esc_is("a\xe2\x82" "b", 4, "a\xef\xbf\xbd\xef\xbf\xbd" "b");
}

static void test_json_structure(void **s)
{
    char buf[256];
    struct mqtt_json j;
    (void)s;
    mqtt_json_init(&j, buf, sizeof buf);
    mqtt_json_obj_begin(&j, NULL);
    mqtt_json_str(&j, "k\"", "v");
    mqtt_json_int(&j, "neg", -5);
    mqtt_json_uint(&j, "big", 4294967295u);
    mqtt_json_bool(&j, "t", 1);
    mqtt_json_bool(&j, "f", 0);
    mqtt_json_null(&j, "n");
    mqtt_json_str(&j, "null_str", NULL);
    mqtt_json_arr_begin(&j, "a");
    mqtt_json_uint(&j, NULL, 1);
    mqtt_json_obj_begin(&j, NULL);
    mqtt_json_obj_end(&j);
    mqtt_json_arr_begin(&j, NULL);
    mqtt_json_arr_end(&j);
    mqtt_json_arr_end(&j);
    mqtt_json_obj_end(&j);
    const char *want = "{\"k\\\"\":\"v\",\"neg\":-5,\"big\":4294967295,\"t\":true,\"f\":false,\"n\":null,"
                       "\"null_str\":null,\"a\":[1,{},[]]}";
    assert_int_equal(mqtt_json_finish(&j), (int)strlen(want));
    assert_string_equal(buf, want);
}

/* Every buffer shorter than the output overflows; the exact size fits. */
static void test_json_overflow(void **s)
{
    char full[128], buf[128];
    struct mqtt_json j;
    (void)s;
    mqtt_json_init(&j, full, sizeof full);
    mqtt_json_obj_begin(&j, NULL);
    mqtt_json_str(&j, "name", "va\"lue\xe2\x82\xac");
    mqtt_json_uint(&j, "n", 12345);
    mqtt_json_obj_end(&j);
    int len = mqtt_json_finish(&j);
    assert_true(len > 0);
    for (size_t cap = 0; cap <= (size_t)len + 1; cap++) {
        memset(buf, 'X', sizeof buf);
        mqtt_json_init(&j, buf, cap);
        mqtt_json_obj_begin(&j, NULL);
        mqtt_json_str(&j, "name", "va\"lue\xe2\x82\xac");
        mqtt_json_uint(&j, "n", 12345);
        mqtt_json_obj_end(&j);
        int r = mqtt_json_finish(&j);
        if (cap <= (size_t)len) {
            assert_int_equal(r, -1);
        } else {
            assert_int_equal(r, len);
            assert_string_equal(buf, full);
        }
        if (cap < sizeof buf)
            assert_int_equal(buf[cap], 'X'); /* nothing written past cap */
    }
}

/* ---- queue -------------------------------------------------------------------------- */

static struct extwd_mqtt_event ev_code(int32_t code)
{
    struct extwd_mqtt_event e;
    memset(&e, 0, sizeof e);
    e.kind = EXTWD_MQTT_EV_HEALTH_FAIL;
    e.code = code;
    return e;
}

static void test_queue_order_and_drop(void **s)
{
    struct extwd_mqtt_event slots[3];
    struct extwd_mqtt_queue q;
    (void)s;
    assert_int_equal(extwd_mqtt_queue_init(&q, slots, 0), EXTWD_MQTT_E_INVAL);
    assert_int_equal(extwd_mqtt_queue_init(&q, slots, 3), 0);
    assert_null(extwd_mqtt_queue_peek(&q));
    for (int i = 1; i <= 5; i++) {
        struct extwd_mqtt_event e = ev_code(i);
        assert_int_equal(extwd_mqtt_queue_push(&q, &e), (uint32_t)i);
    }
    /* 5 into 3 slots: 1 and 2 dropped, 3 4 5 left in order. */
    assert_int_equal(q.dropped, 2);
    assert_int_equal(q.len, 3);
    assert_int_equal(extwd_mqtt_queue_pop(&q, 4), 0); /* only the head can go */
    for (uint32_t seq = 3; seq <= 5; seq++) {
        const struct extwd_mqtt_event *h = extwd_mqtt_queue_peek(&q);
        assert_non_null(h);
        assert_int_equal(h->seq, seq);
        assert_int_equal(h->code, (int32_t)seq);
        assert_int_equal(extwd_mqtt_queue_pop(&q, seq), 1);
    }
    assert_null(extwd_mqtt_queue_peek(&q));
    assert_int_equal(extwd_mqtt_queue_pop(&q, 6), 0);
}

static void test_queue_in_flight_head_kept(void **s)
{
    struct extwd_mqtt_event slots[3];
    struct extwd_mqtt_queue q;
    (void)s;
    extwd_mqtt_queue_init(&q, slots, 3);
    for (int i = 1; i <= 3; i++) {
        struct extwd_mqtt_event e = ev_code(i);
        extwd_mqtt_queue_push(&q, &e);
    }
    q.head_in_flight = 1; /* seq 1 is with libmosquitto */
    struct extwd_mqtt_event e4 = ev_code(4), e5 = ev_code(5);
    extwd_mqtt_queue_push(&q, &e4); /* drops 2, not 1 */
    extwd_mqtt_queue_push(&q, &e5); /* drops 3 */
    assert_int_equal(q.dropped, 2);
    uint32_t want[] = {1, 4, 5};
    assert_int_equal(extwd_mqtt_queue_pop(&q, 1), 1); /* the PUBACK for 1 */
    for (int i = 1; i < 3; i++) {
        assert_int_equal(extwd_mqtt_queue_peek(&q)->seq, want[i]);
        assert_int_equal(extwd_mqtt_queue_pop(&q, want[i]), 1);
    }
    assert_int_equal(q.len, 0);

    /* One slot, in flight: the new event is the one dropped. */
    struct extwd_mqtt_event one[1];
    extwd_mqtt_queue_init(&q, one, 1);
    struct extwd_mqtt_event a = ev_code(10), b = ev_code(11);
    extwd_mqtt_queue_push(&q, &a);
    q.head_in_flight = 1;
    assert_int_equal(extwd_mqtt_queue_push(&q, &b), 2);
    assert_int_equal(q.dropped, 1);
    assert_int_equal(extwd_mqtt_queue_peek(&q)->code, 10);
}

/* Ring wrap: many pushes and pops through a small ring keep FIFO order. */
static void test_queue_wraps(void **s)
{
    struct extwd_mqtt_event slots[4];
    struct extwd_mqtt_queue q;
    uint32_t expect = 1;
    (void)s;
    extwd_mqtt_queue_init(&q, slots, 4);
    for (int round = 0; round < 50; round++) {
        for (int k = 0; k < 3; k++) {
            struct extwd_mqtt_event e = ev_code(round * 3 + k + 1);
            extwd_mqtt_queue_push(&q, &e);
        }
        for (int k = 0; k < 3; k++) {
            const struct extwd_mqtt_event *h = extwd_mqtt_queue_peek(&q);
            assert_int_equal(h->seq, expect);
            assert_int_equal(h->code, (int32_t)expect);
            assert_int_equal(extwd_mqtt_queue_pop(&q, expect), 1);
            expect++;
        }
    }
    assert_int_equal(q.dropped, 0);
}

/* ---- back-off, names ------------------------------------------------------------------ */

static void test_backoff(void **s)
{
    uint32_t d = 0, seen[10];
    (void)s;
    for (int i = 0; i < 10; i++)
        seen[i] = d = mqtt_backoff_next(d, 500, 30000);
    uint32_t want[10] = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000};
    assert_memory_equal(seen, want, sizeof want);
    assert_int_equal(mqtt_backoff_next(0xF0000000u, 500, 30000), 30000); /* no overflow */
    for (uint32_t a = 0; a < 100; a++) {
        uint32_t j = mqtt_backoff_jitter("dev_i2c-1_26", a, 8000);
        assert_true(j <= 1000);
        assert_int_equal(j, mqtt_backoff_jitter("dev_i2c-1_26", a, 8000));
    }
    assert_int_equal(mqtt_backoff_jitter("x", 1, 7), 0);
}

static void test_names(void **s)
{
    char out[32];
    (void)s;
    assert_string_equal(extwd_mqtt_reason_name(EXTWD_REASON_WATCHDOG), "watchdog");
    assert_string_equal(extwd_mqtt_reason_name(EXTWD_REASON_NONE), "none");
    assert_string_equal(extwd_mqtt_reason_name(EXTWD_REASON_UNKNOWN), "unknown");
    assert_string_equal(extwd_mqtt_reason_name(EXTWD_REASON_TEST), "test");
    assert_string_equal(extwd_mqtt_reason_name(EXTWD_REASON_WINDOW), "window");
    assert_string_equal(extwd_mqtt_reason_name((enum extwd_reset_reason)99), "unknown");
    assert_string_equal(extwd_mqtt_event_name(EXTWD_MQTT_EV_BUS_ERROR), "bus_error");
    assert_null(extwd_mqtt_event_name(EXTWD_MQTT_EV_COUNT));
    mqtt_sanitize_bus("/dev/i2c-1", out, sizeof out);
    assert_string_equal(out, "i2c-1");
    mqtt_sanitize_bus("usb:3/a b", out, sizeof out);
    assert_string_equal(out, "usb_3_a_b");
    mqtt_sanitize_bus("", out, sizeof out);
    assert_string_equal(out, "bus");
    mqtt_sanitize_bus("/dev/", out, sizeof out);
    assert_string_equal(out, "bus");
}

/* ---- options ------------------------------------------------------------------------------ */

static void opt_fails(const char *name, const char *value, int rc, const char *msg)
{
    struct extwd_mqtt_config c;
    memset(&c, 0, sizeof c);
    assert_int_equal(extwd_mqtt_parse_option(&c, name, value), rc);
    assert_string_equal(c.error, msg);
}

static void test_options(void **s)
{
    struct extwd_mqtt_config c;
    (void)s;
    memset(&c, 0, sizeof c);
    assert_int_equal(extwd_mqtt_parse_option(&c, "host", "broker.lan"), 0);
    assert_string_equal(c.host, "broker.lan");
    assert_int_equal(extwd_mqtt_parse_option(&c, "port", "8884"), 0);
    assert_int_equal(c.port, 8884);
    assert_int_equal(extwd_mqtt_parse_option(&c, "client-id", "pi-kitchen_2"), 0);
    assert_int_equal(extwd_mqtt_parse_option(&c, "prefix", "home/wd"), 0);
    assert_string_equal(c.prefix, "home/wd");
    assert_int_equal(extwd_mqtt_parse_option(&c, "no-discovery", NULL), 0);
    assert_int_equal(c.discovery_off, 1);
    assert_int_equal(extwd_mqtt_parse_option(&c, "discovery", "ha"), 0);
    assert_int_equal(c.discovery_off, 0);
    assert_int_equal(extwd_mqtt_parse_option(&c, "interval", "5"), 0);
    assert_int_equal(c.state_interval_ms, 5000);
    assert_int_equal(extwd_mqtt_parse_option(&c, "keepalive", "5"), 0);
    assert_int_equal(extwd_mqtt_parse_option(&c, "timeout", "3600"), 0);
    assert_int_equal(c.publish_timeout_ms, 3600000u);
    assert_int_equal(extwd_mqtt_parse_option(&c, "tls", NULL), 0);
    assert_int_equal(c.tls, 1);

    opt_fails("pasword", "x", EXTWD_MQTT_E_UNKNOWN, "unknown option --mqtt-pasword");
    opt_fails("password", "x", EXTWD_MQTT_E_UNKNOWN, "unknown option --mqtt-password");
    opt_fails("host", NULL, EXTWD_MQTT_E_INVAL, "--mqtt-host needs a value");
    opt_fails("tls", "1", EXTWD_MQTT_E_INVAL, "--mqtt-tls takes no value");
    opt_fails("host", "", EXTWD_MQTT_E_INVAL, "--mqtt-host: empty host");
    opt_fails("host", "a b", EXTWD_MQTT_E_INVAL, "--mqtt-host: bad character in host name");
    opt_fails("port", "0", EXTWD_MQTT_E_INVAL, "--mqtt-port: '0' is not a number from 1 to 65535");
    opt_fails("port", "65536", EXTWD_MQTT_E_INVAL, "--mqtt-port: '65536' is not a number from 1 to 65535");
    opt_fails("port", "-1", EXTWD_MQTT_E_INVAL, "--mqtt-port: '-1' is not a number from 1 to 65535");
    opt_fails("port", "18 83", EXTWD_MQTT_E_INVAL, "--mqtt-port: '18 83' is not a number from 1 to 65535");
    opt_fails("port", "99999999999999999999", EXTWD_MQTT_E_INVAL,
              "--mqtt-port: '99999999999999999999' is not a number from 1 to 65535");
    opt_fails("client-id", "a/b", EXTWD_MQTT_E_INVAL, "--mqtt-client-id: only letters, digits, '_' and '-'");
    opt_fails("client-id", "", EXTWD_MQTT_E_INVAL, "--mqtt-client-id: 1 to 63 characters");
    const char *bad_topics[] = {"", "/a", "a/", "a//b", "a/+", "a/#", "a b", "\xc3\xa9"};
    for (size_t i = 0; i < sizeof bad_topics / sizeof bad_topics[0]; i++)
        opt_fails("prefix", bad_topics[i], EXTWD_MQTT_E_INVAL,
                  "--mqtt-prefix: a topic of printable ASCII, no '+', '#', spaces or empty levels");
    opt_fails("keepalive", "4", EXTWD_MQTT_E_INVAL, "--mqtt-keepalive: '4' is not a number of seconds from 5 to 65535");
    opt_fails("interval", "0", EXTWD_MQTT_E_INVAL, "--mqtt-interval: '0' is not a number of seconds from 1 to 86400");
    opt_fails("cafile", "/nonexistent/ca.crt", EXTWD_MQTT_E_FILE,
              "--mqtt-cafile: cannot read /nonexistent/ca.crt: No such file or directory");
    opt_fails("cert", "/", EXTWD_MQTT_E_FILE, "--mqtt-cert: / is not a regular file");
    opt_fails("credentials", "/", EXTWD_MQTT_E_FILE, "credentials /: not a regular file");
    opt_fails("capath", "/nonexistent", EXTWD_MQTT_E_FILE, "--mqtt-capath: /nonexistent is not a folder");
    opt_fails("credentials", "/nonexistent/creds", EXTWD_MQTT_E_FILE,
              "cannot read credentials /nonexistent/creds: No such file or directory");

    assert_int_equal(extwd_mqtt_option_takes_value("host"), 1);
    assert_int_equal(extwd_mqtt_option_takes_value("tls"), 0);
    assert_int_equal(extwd_mqtt_option_takes_value("nope"), EXTWD_MQTT_E_UNKNOWN);
    assert_non_null(strstr(extwd_mqtt_usage(), "--mqtt-credentials FILE"));
}

static void test_parse_argv(void **s)
{
    struct extwd_mqtt_config c;
    char *argv[] = {"extwdctl", "--bus", "/dev/i2c-1", "--mqtt-host", "h", "run", "--mqtt-port=1884",
                    "--mqtt-tls", "-v", "--", "--mqtt-host", "x", NULL};
    int argc = 12;
    (void)s;
    memset(&c, 0, sizeof c);
    assert_int_equal(extwd_mqtt_parse_argv(&c, &argc, argv), 0);
    assert_string_equal(c.host, "h");
    assert_int_equal(c.port, 1884);
    assert_int_equal(c.tls, 1);
    assert_int_equal(argc, 8);
    const char *rest[] = {"extwdctl", "--bus", "/dev/i2c-1", "run", "-v", "--", "--mqtt-host", "x"};
    for (int i = 0; i < argc; i++)
        assert_string_equal(argv[i], rest[i]);
    assert_null(argv[argc]);

    char *missing[] = {"p", "--mqtt-host", NULL};
    argc = 2;
    assert_int_equal(extwd_mqtt_parse_argv(&c, &argc, missing), EXTWD_MQTT_E_INVAL);
    assert_string_equal(c.error, "--mqtt-host needs a value");
    char *unknown[] = {"p", "--mqtt-hots=a", NULL};
    argc = 2;
    assert_int_equal(extwd_mqtt_parse_argv(&c, &argc, unknown), EXTWD_MQTT_E_INVAL);
    assert_string_equal(c.error, "unknown option --mqtt-hots");
    char *flagval[] = {"p", "--mqtt-tls=yes", NULL};
    argc = 2;
    assert_int_equal(extwd_mqtt_parse_argv(&c, &argc, flagval), EXTWD_MQTT_E_INVAL);
    assert_string_equal(c.error, "--mqtt-tls takes no value");
}

static void cred_fails(const char *text, const char *msg)
{
    struct extwd_mqtt_config c;
    memset(&c, 0, sizeof c);
    assert_int_equal(extwd_mqtt_parse_credentials(&c, "creds", text, strlen(text)), EXTWD_MQTT_E_FILE);
    assert_string_equal(c.error, msg);
    assert_string_equal(c.username, ""); /* nothing half-applied */
}

static void test_credentials(void **s)
{
    struct extwd_mqtt_config c;
    (void)s;
    memset(&c, 0, sizeof c);
    const char *ok = "# login\n\n  username = wd user\r\npassword=p= ss#word \n";
    assert_int_equal(extwd_mqtt_parse_credentials(&c, "creds", ok, strlen(ok)), 0);
    assert_string_equal(c.username, " wd user");  /* the value is taken as written */
    assert_string_equal(c.password, "p= ss#word ");
    memset(&c, 0, sizeof c);
    assert_int_equal(extwd_mqtt_parse_credentials(&c, "creds", "username=u", 10), 0);
    assert_string_equal(c.username, "u");
    assert_string_equal(c.password, "");

    cred_fails("username=u\nuser=x\n", "creds:2: unknown key (expected username or password)");
    cred_fails("username u\n", "creds:1: expected username=... or password=...");
    cred_fails("password=p\n", "creds: no username= line");
    cred_fails("username=\n", "creds:1: empty username");
    cred_fails("username=a\nusername=b\n", "creds:2: username given twice");
    cred_fails("", "creds: no username= line");
    char nul[] = "username=a\npass\0word=b\n";
    struct extwd_mqtt_config c2;
    memset(&c2, 0, sizeof c2);
    assert_int_equal(extwd_mqtt_parse_credentials(&c2, "creds", nul, sizeof nul - 1), EXTWD_MQTT_E_FILE);
    assert_string_equal(c2.error, "creds:2: NUL byte in the line");
    char big[600];
    memset(big, 'p', sizeof big);
    memcpy(big, "username=u\npassword=", 20);
    memset(&c2, 0, sizeof c2);
    assert_int_equal(extwd_mqtt_parse_credentials(&c2, "creds", big, sizeof big), EXTWD_MQTT_E_FILE);
    assert_string_equal(c2.error, "creds:2: password longer than 255 bytes");
}

/* A mkstemp template for name in $TMPDIR (else /tmp), as mktemp does. */
static void tmp_template(char *buf, size_t n, const char *name)
{
    const char *dir = getenv("TMPDIR");
    snprintf(buf, n, "%s/%s-XXXXXX", dir && *dir ? dir : "/tmp", name);
}

static void test_environment(void **s)
{
    struct extwd_mqtt_config c;
    char path[512];
    tmp_template(path, sizeof path, "extwd-mqtt-unit");
    (void)s;
    unsetenv("EXTWD_MQTT_CREDENTIALS");
    setenv("EXTWD_MQTT_USERNAME", "envuser", 1);
    setenv("EXTWD_MQTT_PASSWORD", "envpass", 1);
    assert_int_equal(extwd_mqtt_config_init(&c), 0);
    assert_string_equal(c.username, "envuser");
    assert_string_equal(c.password, "envpass");

    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "username=fileuser\n", 18), 18);
    close(fd);
    setenv("EXTWD_MQTT_CREDENTIALS", path, 1); /* the file wins over the two variables */
    assert_int_equal(extwd_mqtt_config_init(&c), 0);
    assert_string_equal(c.username, "fileuser");
    assert_string_equal(c.password, "");
    unlink(path);
    assert_int_equal(extwd_mqtt_config_init(&c), EXTWD_MQTT_E_FILE);

    unsetenv("EXTWD_MQTT_CREDENTIALS");
    unsetenv("EXTWD_MQTT_USERNAME");
    assert_int_equal(extwd_mqtt_config_init(&c), EXTWD_MQTT_E_INVAL);
    assert_string_equal(c.error, "EXTWD_MQTT_PASSWORD is set but EXTWD_MQTT_USERNAME is not");
    unsetenv("EXTWD_MQTT_PASSWORD");
    assert_int_equal(extwd_mqtt_config_init(&c), 0);
    assert_string_equal(c.username, "");
}

static void test_config_check(void **s)
{
    struct extwd_mqtt_config c;
    (void)s;
    memset(&c, 0, sizeof c);
    assert_int_equal(extwd_mqtt_config_check(&c), EXTWD_MQTT_E_INVAL);
    assert_string_equal(c.error, "MQTT needs --mqtt-host");
    strcpy(c.host, "h");
    assert_int_equal(extwd_mqtt_config_check(&c), 0);
    strcpy(c.keyfile, "k");
    assert_int_equal(extwd_mqtt_config_check(&c), EXTWD_MQTT_E_INVAL);
    assert_string_equal(c.error, "--mqtt-key needs --mqtt-cert");
    c.keyfile[0] = '\0';
    strcpy(c.certfile, "c");
    assert_int_equal(extwd_mqtt_config_check(&c), EXTWD_MQTT_E_INVAL);
    assert_string_equal(c.error, "--mqtt-cert needs --mqtt-key");
}

/* ---- payloads ------------------------------------------------------------------------------- */

static void make_chip(struct extwd *wd, struct extwd_state *st)
{
    memset(wd, 0, sizeof *wd);
    memset(st, 0, sizeof *st);
    wd->is_extwd = 1;
    wd->caps = EXTWD_CAP_BREADCRUMB | EXTWD_CAP_HISTORY;
    wd->proto_version = 1;
    wd->fw_version[0] = 0;
    wd->fw_version[1] = 9;
    wd->fw_version[2] = 1;
    wd->boot.reason = EXTWD_REASON_WATCHDOG;
    wd->boot.status = 1;
    wd->boot.last_cause = 1;
    wd->boot.reset_count = 255;
    wd->boot.resets_total = 300;
    wd->boot.breadcrumb = 0xA7;
    wd->boot.ext_status = EXTWD_XS_SAFE_MODE;
    wd->boot.bootloop_count = 4;
    wd->boot.history_len = 1;
    wd->boot.history[0].cause = 1;
    wd->boot.history[0].breadcrumb = 0xA7;
    wd->boot.history[0].uptime_s = 4000000000u;
    wd->stats.feeds = 7;
    wd->stats.bus_errors = 2;
    st->armed = 0;
    st->time_left_ms = 0xFFFFFFFFu;
    st->timeout_ms = 600000;
    st->resets_total = 300;
    st->reset_count = 255;
}

static void test_payloads(void **s)
{
    struct extwd wd;
    struct extwd_state st;
    struct extwd_mqtt m;
    struct extwd_mqtt_config cfg;
    struct extwd_mqtt_event q[4];
    char buf[1024];
    (void)s;
    make_chip(&wd, &st);
    memset(&cfg, 0, sizeof cfg);
    strcpy(cfg.host, "127.0.0.1");
    strcpy(cfg.client_id, "dev");
    assert_int_equal(extwd_mqtt_init(&m, &cfg, "/dev/i2c-10", 0x26, q, 4), 0);
    assert_string_equal(m.base, "extwd/dev/i2c-10_26");
    assert_string_equal(m.node_id, "dev_i2c-10_26");
    assert_int_equal(m.cfg.port, 1883);

    /* 2025-12-01T00:00:00Z; the breadcrumb 167 is the id of channel "wifi". */
    struct extwd_channel wifi = {.name = "wifi", .id = 167};
    wd.channels = &wifi;
    assert_int_equal(extwd_mqtt_post_boot_at(&m, &wd, 77, 1764547200), 1);
    const struct extwd_mqtt_event *ev = extwd_mqtt_queue_peek(&m.queue);
    int n = extwd_mqtt_json_event(ev, 5, buf, sizeof buf);
    assert_string_equal(buf, "{\"seq\":1,\"event\":\"reset\",\"t_ms\":77,\"dropped\":5,\"reason\":\"watchdog\","
                             "\"breadcrumb\":167,\"cause\":1,\"resets\":300,\"safe_mode\":true,"
                             "\"missed_channel\":\"wifi\"}");
    assert_int_equal(n, (int)strlen(buf));
    assert_int_equal(extwd_mqtt_post_event(&m, EXTWD_MQTT_EV_BUS_ERROR, -1, 4294967295u), 2);
    assert_int_equal(extwd_mqtt_post_event(&m, EXTWD_MQTT_EV_RESET, 0, 0), EXTWD_MQTT_E_INVAL);
    assert_int_equal(extwd_mqtt_post_event(&m, EXTWD_MQTT_EV_COUNT, 0, 0), EXTWD_MQTT_E_INVAL);
    extwd_mqtt_queue_pop(&m.queue, 1);
    extwd_mqtt_json_event(extwd_mqtt_queue_peek(&m.queue), 0, buf, sizeof buf);
    assert_string_equal(buf, "{\"seq\":2,\"event\":\"bus_error\",\"t_ms\":4294967295,\"dropped\":0,\"code\":-1}");

    extwd_mqtt_json_boot(&m.boot, buf, sizeof buf);
    assert_string_equal(buf, "{\"reason\":\"watchdog\",\"breadcrumb\":167,\"cause\":1,\"resets\":300,"
                             "\"reset_count\":255,\"status\":1,\"reset_at\":\"2025-12-01T00:00:00+00:00\","
                             "\"missed_channel\":\"wifi\",\"chip\":\"extwd\",\"fw\":\"0.9.1\",\"proto\":1,"
                             "\"caps\":4112,\"resets_total\":300,\"bootloop_count\":4,\"ext_status\":2,"
                             "\"safe_mode\":true,\"history\":[{\"cause\":1,\"breadcrumb\":167,\"uptime_s\":4000000000}]}");
    /* Not a watchdog reset: no reset time, no channel blamed. */
    struct extwd_mqtt_boot_rec keep = m.boot;
    wd.boot.reason = EXTWD_REASON_NONE;
    extwd_mqtt_post_boot_at(&m, &wd, 78, 1764547200);
    extwd_mqtt_json_boot(&m.boot, buf, sizeof buf);
    assert_non_null(strstr(buf, "\"reset_at\":null,\"missed_channel\":null,"));
    /* A breadcrumb that is no channel's id blames none. */
    wd.boot.reason = EXTWD_REASON_WATCHDOG;
    wifi.id = 3;
    extwd_mqtt_post_boot_at(&m, &wd, 79, 1764547200);
    extwd_mqtt_json_boot(&m.boot, buf, sizeof buf);
    assert_non_null(strstr(buf, "\"reset_at\":\"2025-12-01T00:00:00+00:00\",\"missed_channel\":null,"));
    m.boot = keep;
    /* A chip without the breadcrumb capability reports null, not a stale 0. */
    m.boot.caps = 0;
    extwd_mqtt_json_boot(&m.boot, buf, sizeof buf);
    assert_non_null(strstr(buf, "\"breadcrumb\":null,"));
    /* history_len past the array is clamped. */
    m.boot.boot.history_len = 200;
    assert_true(extwd_mqtt_json_boot(&m.boot, buf, sizeof buf) > 0);

    extwd_mqtt_post_state(&m, &wd, &st, 12);
    extwd_mqtt_json_state(&m.state, 3, 9, buf, sizeof buf);
    assert_string_equal(buf, "{\"t_ms\":12,\"chip_ok\":true,\"armed\":false,\"time_left_ms\":null,\"timeout_ms\":600000,"
                             "\"since_feed_ms\":0,\"status\":0,\"resets\":300,\"chip_bus_errors\":0,\"ext_status\":0,"
                             "\"uptime_s\":0,\"breadcrumb\":0,\"feeds\":7,\"feed_skips\":0,\"bus_errors\":2,"
                             "\"retries\":0,\"events_queued\":3,\"events_dropped\":9}");
    extwd_mqtt_post_state(&m, &wd, NULL, 13);
    extwd_mqtt_json_state(&m.state, 0, 0, buf, sizeof buf);
    assert_string_equal(buf, "{\"t_ms\":13,\"chip_ok\":false,\"armed\":null,\"time_left_ms\":null,\"timeout_ms\":null,"
                             "\"since_feed_ms\":null,\"status\":null,\"resets\":null,\"chip_bus_errors\":null,"
                             "\"ext_status\":null,\"uptime_s\":null,\"breadcrumb\":null,\"feeds\":7,\"feed_skips\":0,"
                             "\"bus_errors\":2,\"retries\":0,\"events_queued\":0,\"events_dropped\":0}");
    assert_int_equal(extwd_mqtt_json_state(&m.state, 0, 0, buf, 40), -1);
}

static void test_discovery(void **s)
{
    struct extwd wd;
    struct extwd_state st;
    struct extwd_mqtt m;
    struct extwd_mqtt_config cfg;
    struct extwd_mqtt_event q[1];
    char topic[256], buf[1536];
    (void)s;
    make_chip(&wd, &st);
    memset(&cfg, 0, sizeof cfg);
    strcpy(cfg.host, "h");
    strcpy(cfg.client_id, "pi");
    strcpy(cfg.discovery, "ha");
    strcpy(cfg.prefix, "p/q");
    assert_int_equal(extwd_mqtt_init(&m, &cfg, "i2c-1", 0x30, q, 1), 0);
    assert_int_equal(extwd_mqtt_discovery_count(&m), 10);
    int n = extwd_mqtt_discovery(&m, NULL, 5, topic, sizeof topic, buf, sizeof buf);
    assert_string_equal(topic, "ha/binary_sensor/pi_i2c-1_30/armed/config");
    assert_string_equal(buf, "{\"name\":\"Armed\",\"unique_id\":\"pi_i2c-1_30_armed\",\"state_topic\":\"p/q/pi/i2c-1_30/state\","
                             "\"value_template\":\"{% if value_json.armed is none %}None{% elif value_json.armed %}ON{% else %}OFF{% endif %}\","
                             "\"expire_after\":70,"
                             "\"availability_topic\":\"p/q/pi/i2c-1_30/status\",\"payload_available\":\"online\","
                             "\"payload_not_available\":\"offline\",\"icon\":\"mdi:shield-check\","
                             "\"device\":{\"identifiers\":[\"extwd_pi_i2c-1_30\"],\"name\":\"Watchdog pi i2c-1 0x30\","
                             "\"manufacturer\":\"extwd\",\"model\":\"I2C watchdog\"},"
                             "\"origin\":{\"name\":\"extwd\",\"sw_version\":\"" EXTWD_LIB_VERSION "\"}}");
    assert_int_equal(n, (int)strlen(buf));
    /* The reason is an enum with its options, the channel an attribute. */
    extwd_mqtt_discovery(&m, NULL, 0, topic, sizeof topic, buf, sizeof buf);
    assert_string_equal(topic, "ha/sensor/pi_i2c-1_30/reset_reason/config");
    assert_non_null(strstr(buf, "\"device_class\":\"enum\",\"options\":[\"watchdog\",\"test\",\"window\","
                                "\"none\",\"unknown\"]"));
    assert_non_null(strstr(buf, "\"json_attributes_topic\":\"p/q/pi/i2c-1_30/boot\""));
    assert_non_null(strstr(buf, "'missed_channel': value_json.missed_channel"));
    assert_null(strstr(buf, "expire_after"));      /* the boot record stays true */
    extwd_mqtt_discovery(&m, NULL, 1, topic, sizeof topic, buf, sizeof buf);
    assert_non_null(strstr(buf, "\"value_template\":\"{{ value_json.reset_at }}\""));
    assert_non_null(strstr(buf, "\"device_class\":\"timestamp\""));
    /* One HA event per reset, from the (not retained) event topic. */
    extwd_mqtt_discovery(&m, NULL, 2, topic, sizeof topic, buf, sizeof buf);
    assert_string_equal(topic, "ha/event/pi_i2c-1_30/reset/config");
    assert_non_null(strstr(buf, "\"state_topic\":\"p/q/pi/i2c-1_30/event\""));
    assert_non_null(strstr(buf, "\"event_types\":[\"watchdog\",\"test\",\"window\",\"none\",\"unknown\"]"));
    /* The test button only when asked for. */
    assert_int_equal(extwd_mqtt_discovery(&m, NULL, 10, topic, sizeof topic, buf, sizeof buf), -1);
    m.cfg.test_button = 1;
    assert_int_equal(extwd_mqtt_discovery_count(&m), 11);
    assert_true(extwd_mqtt_discovery(&m, NULL, 10, topic, sizeof topic, buf, sizeof buf) > 0);
    assert_string_equal(topic, "ha/button/pi_i2c-1_30/test_reset/config");
    assert_non_null(strstr(buf, "\"command_topic\":\"p/q/pi/i2c-1_30/command\",\"payload_press\":\"test_reset\""));
    assert_null(strstr(buf, "state_topic"));
    /* unique_ids are distinct; every config names the status topic. */
    char ids[11][96];
    for (int i = 0; i < 11; i++) {
        assert_true(extwd_mqtt_discovery(&m, &m.boot, i, topic, sizeof topic, buf, sizeof buf) > 0);
        assert_non_null(strstr(buf, "\"availability_topic\":\"p/q/pi/i2c-1_30/status\""));
        char *u = strstr(buf, "\"unique_id\":\"");
        assert_non_null(u);
        snprintf(ids[i], sizeof ids[i], "%.*s", (int)(strchr(u + 13, '"') - (u + 13)), u + 13);
        for (int k = 0; k < i; k++)
            assert_string_not_equal(ids[i], ids[k]);
    }
    assert_int_equal(extwd_mqtt_discovery(&m, NULL, 11, topic, sizeof topic, buf, sizeof buf), -1);

    /* The longest names the options allow: every config still fits the
     * network thread's 4096-byte payload buffer (client.c PAYLOAD_MAX). */
    struct extwd_mqtt big;
    memset(&cfg, 0, sizeof cfg);
    strcpy(cfg.host, "h");
    memset(cfg.client_id, 'c', EXTWD_MQTT_ID_MAX - 1);
    memset(cfg.prefix, 'p', EXTWD_MQTT_TOPIC_MAX - 1);
    memset(cfg.discovery, 'd', EXTWD_MQTT_TOPIC_MAX - 1);
    cfg.test_button = 1;
    assert_int_equal(extwd_mqtt_init(&big, &cfg, "i2c-1", 0x30, q, 1), 0);
    static char huge[4096], bigtopic[512];
    for (int i = 0; i < extwd_mqtt_discovery_count(&big); i++)
        assert_true(extwd_mqtt_discovery(&big, &m.boot, i, bigtopic, sizeof bigtopic, huge, sizeof huge) > 0);
    assert_int_equal(extwd_mqtt_discovery(&m, NULL, 0, topic, 10, buf, sizeof buf), -1);
}

static void test_init_errors(void **s)
{
    struct extwd_mqtt m;
    struct extwd_mqtt_config cfg;
    struct extwd_mqtt_event q[1];
    (void)s;
    memset(&cfg, 0, sizeof cfg);
    assert_int_equal(extwd_mqtt_init(&m, &cfg, "i2c-1", 0x26, q, 1), EXTWD_MQTT_E_INVAL);
    assert_string_equal(m.cfg.error, "MQTT needs --mqtt-host");
    strcpy(cfg.host, "h");
    assert_int_equal(extwd_mqtt_init(&m, &cfg, "i2c-1", 0x26, q, 0), EXTWD_MQTT_E_INVAL);
    assert_int_equal(extwd_mqtt_init(&m, &cfg, "i2c-1", 0x78, q, 1), EXTWD_MQTT_E_INVAL);
    assert_string_equal(m.cfg.error, "MQTT: chip address 0x78 is outside 0x08-0x77");
    cfg.tls = 1;
    strcpy(cfg.cafile, "/x");
    assert_int_equal(extwd_mqtt_init(&m, &cfg, "i2c-1", 0x26, q, 1), 0);
    assert_int_equal(m.cfg.port, 8883);
    assert_true(m.cfg.client_id[0] != '\0'); /* the host name */
    assert_int_equal(extwd_mqtt_flush(&m, 10), EXTWD_MQTT_E_STATE);
    extwd_mqtt_stop(&m, 1); /* without start: harmless */
}

/* The state timer: due at once, then once per interval, across the wrap. */
static void test_service_timer(void **s)
{
    struct extwd_mqtt m;
    struct extwd_mqtt_config cfg;
    struct extwd_mqtt_event q[1];
    (void)s;
    memset(&cfg, 0, sizeof cfg);
    strcpy(cfg.host, "h");
    cfg.state_interval_ms = 1000;
    assert_int_equal(extwd_mqtt_init(&m, &cfg, "i2c-1", 0x26, q, 1), 0);
    uint32_t t = 0xFFFFF000u; /* 4096 ms before the wrap */
    int due = 0;
    assert_int_equal(extwd_mqtt_service(&m, t), 1);
    for (uint32_t step = 1; step <= 10000; step++)
        due += extwd_mqtt_service(&m, t + step);
    assert_int_equal(due, 10);
    /* A long block: one report when it ends, not a burst. */
    assert_int_equal(extwd_mqtt_service(&m, t + 50000), 1);
    assert_int_equal(extwd_mqtt_service(&m, t + 50001), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_escape),
        cmocka_unit_test(test_json_structure),
        cmocka_unit_test(test_json_overflow),
        cmocka_unit_test(test_queue_order_and_drop),
        cmocka_unit_test(test_queue_in_flight_head_kept),
        cmocka_unit_test(test_queue_wraps),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_parse_argv),
        cmocka_unit_test(test_credentials),
        cmocka_unit_test(test_environment),
        cmocka_unit_test(test_config_check),
        cmocka_unit_test(test_payloads),
        cmocka_unit_test(test_discovery),
        cmocka_unit_test(test_init_errors),
        cmocka_unit_test(test_service_timer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
