/*
 * Test helper for the broker tests (broker_test.sh): each mode is one actor.
 *
 *   freeport                 prints a free TCP port on 127.0.0.1
 *   blackhole PORT           listens on PORT and never accepts or answers
 *   sub [opts]               subscriber: prints "RETAIN QOS TOPIC PAYLOAD" per message
 *   publish [opts]           extwd_mqtt_publish_once for a made-up chip
 *   daemon [opts]            a feeding loop with extwd_mqtt serviced on each turn
 *
 * The chip here is a struct extwd filled in by hand (the fields post_boot and
 * post_state read); the end-to-end test with the real firmware is separate.
 *
 * SPDX-License-Identifier: MIT
 */
#include "extwd_mqtt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint32_t mono_ms(void)
{
    return (uint32_t)(mono_ns() / 1000000u);
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L};
    nanosleep(&ts, NULL);
}

static unsigned long num(const char *s, const char *what)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (errno || *end || !*s) {
        fprintf(stderr, "mqtt_helper: bad %s '%s'\n", what, s);
        exit(2);
    }
    return v;
}

static int die(const char *msg)
{
    fprintf(stderr, "mqtt_helper: %s\n", msg);
    return 2;
}

/* ---- freeport, blackhole ---------------------------------------------------------- */

static int listen_on(unsigned port, int backlog)
{
    struct sockaddr_in sa;
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t)port);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, backlog) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int mode_freeport(void)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    int fd = listen_on(0, 1);
    if (fd < 0 || getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
        return die("no free port");
    printf("%u\n", ntohs(sa.sin_port));
    close(fd);
    return 0;
}

static int mode_blackhole(int argc, char **argv)
{
    if (argc < 1)
        return die("blackhole PORT");
    int fd = listen_on((unsigned)num(argv[0], "port"), 16);
    if (fd < 0)
        return die("blackhole: cannot listen");
    printf("listening\n");
    fflush(stdout);
    while (!g_stop)
        pause(); /* connections complete in the kernel and are never read */
    close(fd);
    return 0;
}

/* ---- subscriber --------------------------------------------------------------------- */

struct sub_ctx {
    const char *topics[8];
    int ntopics;
    const char *ready;
    long count, seen;
};

static void sub_on_connect(struct mosquitto *mosq, void *obj, int rc)
{
    struct sub_ctx *s = obj;
    if (rc != 0)
        return;
    for (int i = 0; i < s->ntopics; i++)
        mosquitto_subscribe(mosq, NULL, s->topics[i], 1);
}

static void sub_on_subscribe(struct mosquitto *mosq, void *obj, int mid, int n, const int *granted)
{
    struct sub_ctx *s = obj;
    (void)mosq;
    (void)mid;
    (void)n;
    (void)granted;
    if (s->ready) {
        int fd = open(s->ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0)
            close(fd);
    }
}

static void sub_on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
    struct sub_ctx *s = obj;
    (void)mosq;
    printf("%d %d %s %.*s\n", msg->retain ? 1 : 0, msg->qos, msg->topic, msg->payloadlen,
           (const char *)msg->payload);
    fflush(stdout);
    s->seen++;
}

static int mode_sub(int argc, char **argv)
{
    struct sub_ctx s;
    const char *session = NULL;
    unsigned port = 1883;
    long timeout_ms = 10000;

    memset(&s, 0, sizeof s);
    s.count = -1;
    for (int i = 0; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--port"))
            port = (unsigned)num(argv[i + 1], "port");
        else if (!strcmp(argv[i], "--topic") && s.ntopics < 8)
            s.topics[s.ntopics++] = argv[i + 1];
        else if (!strcmp(argv[i], "--session"))
            session = argv[i + 1];
        else if (!strcmp(argv[i], "--ready"))
            s.ready = argv[i + 1];
        else if (!strcmp(argv[i], "--count"))
            s.count = (long)num(argv[i + 1], "count");
        else if (!strcmp(argv[i], "--timeout-ms"))
            timeout_ms = (long)num(argv[i + 1], "timeout");
        else
            return die("sub: unknown option");
    }
    mosquitto_lib_init();
    struct mosquitto *mosq = mosquitto_new(session, session == NULL, &s);
    if (!mosq)
        return die("sub: mosquitto_new");
    mosquitto_connect_callback_set(mosq, sub_on_connect);
    mosquitto_subscribe_callback_set(mosq, sub_on_subscribe);
    mosquitto_message_callback_set(mosq, sub_on_message);
    uint64_t until = mono_ns() + (uint64_t)timeout_ms * 1000000u;
    int rc = mosquitto_connect(mosq, "127.0.0.1", (int)port, 5);
    while (!g_stop && mono_ns() < until && (s.count < 0 || s.seen < s.count)) {
        if (rc == MOSQ_ERR_SUCCESS)
            rc = mosquitto_loop(mosq, 50, 1);
        if (rc != MOSQ_ERR_SUCCESS) {
            sleep_ms(50); /* the broker is away: try again soon */
            rc = mosquitto_reconnect(mosq);
        }
    }
    mosquitto_disconnect(mosq);
    mosquitto_loop(mosq, 50, 1);
    mosquitto_destroy(mosq);
    mosquitto_lib_cleanup();
    return s.count < 0 || s.seen >= s.count ? 0 : 1;
}

/* ---- a made-up chip ------------------------------------------------------------------ */

struct fake_chip {
    struct extwd wd;
    struct extwd_state st;
};

/* --reason watchdog|none|unknown, --breadcrumb N, --stock */
static void fake_chip_init(struct fake_chip *c, const char *reason, unsigned breadcrumb, int stock)
{
    memset(c, 0, sizeof *c);
    struct extwd *wd = &c->wd;
    wd->initialised = 1;
    wd->is_extwd = !stock;
    if (!stock) {
        wd->proto_version = 1;
        wd->fw_version[0] = 2;           /* as firmware 2.0.0 reports itself */
        wd->fw_version[1] = 0;
        wd->fw_version[2] = 0;
        wd->caps = 0xDFFF;
    }
    if (!strcmp(reason, "watchdog")) {
        wd->boot.reason = EXTWD_REASON_WATCHDOG;
        wd->boot.status = EXTWD_STATUS_WD_RESET;
        wd->boot.last_cause = EXTWD_CAUSE_TIMEOUT;
        wd->boot.reset_count = 3;
    } else if (!strcmp(reason, "none")) {
        wd->boot.reason = EXTWD_REASON_NONE;
    } else {
        wd->boot.reason = EXTWD_REASON_UNKNOWN;
    }
    if (!stock) {
        wd->boot.breadcrumb = (uint8_t)breadcrumb;
        wd->boot.resets_total = wd->boot.reset_count;
        wd->boot.bootloop_count = wd->boot.reset_count ? 1 : 0;
        if (wd->boot.reset_count) {
            wd->boot.history_len = 2;
            wd->boot.history[0].cause = EXTWD_CAUSE_TIMEOUT;
            wd->boot.history[0].breadcrumb = (uint8_t)breadcrumb;
            wd->boot.history[0].uptime_s = 3600;
            wd->boot.history[1].cause = EXTWD_CAUSE_TEST;
            wd->boot.history[1].breadcrumb = 7;
            wd->boot.history[1].uptime_s = 120;
        }
    }
    c->st.armed = 1;
    c->st.status = 0;
    c->st.timeout_ms = 3000;
    /* extwd counts in 16 ms ticks; a stock chip in whole seconds */
    c->st.time_left_ms = stock ? 0xFFFFFFFFu : 2904;
    c->st.since_feed_ms = stock ? 0 : 96;
    c->st.uptime_s = stock ? 0 : 42;
    c->st.reset_count = wd->boot.reset_count;
    c->st.resets_total = wd->boot.resets_total;
    c->st.breadcrumb = stock ? 0 : 5;
    wd->stats.feeds = 10;
    wd->stats.feed_skips = 90;
}

/* Splits argv into --mqtt-* (applied to cfg) and the rest (left in argv). */
static int mqtt_args(struct extwd_mqtt_config *cfg, int *argc, char **argv)
{
    if (extwd_mqtt_config_init(cfg) || extwd_mqtt_parse_argv(cfg, argc, argv) ||
        extwd_mqtt_config_check(cfg)) {
        fprintf(stderr, "mqtt_helper: %s\n", cfg->error);
        return -1;
    }
    cfg->boot_time_s = 1764547200; /* 2025-12-01T00:00:00Z: payloads stay byte-exact */
    return 0;
}

static int mode_publish(int argc, char **argv)
{
    struct extwd_mqtt_config cfg;
    struct fake_chip chip;
    const char *bus = "/dev/i2c-1", *reason = "watchdog";
    unsigned addr = 0x26, breadcrumb = 66;
    uint32_t now = 1234;
    int stock = 0, no_state = 0;
    char err[512];

    /* argv[0] is the mode: parse_argv starts at 1. */
    if (mqtt_args(&cfg, &argc, argv))
        return 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--stock"))
            stock = 1;
        else if (!strcmp(a, "--no-state"))
            no_state = 1;
        else if (v && !strcmp(a, "--bus"))
            bus = v, i++;
        else if (v && !strcmp(a, "--addr"))
            addr = (unsigned)num(v, "addr"), i++;
        else if (v && !strcmp(a, "--reason"))
            reason = v, i++;
        else if (v && !strcmp(a, "--breadcrumb"))
            breadcrumb = (unsigned)num(v, "breadcrumb"), i++;
        else if (v && !strcmp(a, "--now"))
            now = (uint32_t)num(v, "now"), i++;
        else {
            fprintf(stderr, "mqtt_helper: publish: unknown option %s\n", a);
            return 2;
        }
    }
    fake_chip_init(&chip, reason, breadcrumb, stock);
    int rc = extwd_mqtt_publish_once(&cfg, bus, (uint8_t)addr, &chip.wd, no_state ? NULL : &chip.st,
                                     now, err, sizeof err);
    if (rc) {
        fprintf(stderr, "mqtt_helper: %s\n", err);
        return 1;
    }
    return 0;
}

/* The feeding loop of a daemon. The chip's timeout is checked against the
 * gaps between feeds: a gap longer than it is a feed missed (a real chip
 * would have reset the host). */
static int mode_daemon(int argc, char **argv)
{
    struct extwd_mqtt_config cfg;
    struct extwd_mqtt m;
    struct extwd_mqtt_event queue[256];
    struct fake_chip chip;
    unsigned feed_ms = 20, chip_timeout_ms = 500, event_ms = 0, run_ms = 0, qlen = 16;
    unsigned backoff_min = 0, backoff_max = 0, connect_timeout = 0, interval_ms = 0;
    int flush = 1;

    if (mqtt_args(&cfg, &argc, argv))
        return 2;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *a = argv[i];
        unsigned v = (unsigned)num(argv[i + 1], a);
        if (!strcmp(a, "--feed-ms")) feed_ms = v;
        else if (!strcmp(a, "--chip-timeout-ms")) chip_timeout_ms = v;
        else if (!strcmp(a, "--event-ms")) event_ms = v;
        else if (!strcmp(a, "--run-ms")) run_ms = v;
        else if (!strcmp(a, "--queue")) qlen = v;
        else if (!strcmp(a, "--backoff-min-ms")) backoff_min = v;
        else if (!strcmp(a, "--backoff-max-ms")) backoff_max = v;
        else if (!strcmp(a, "--connect-timeout-ms")) connect_timeout = v;
        else if (!strcmp(a, "--interval-ms")) interval_ms = v;
        else if (!strcmp(a, "--flush")) flush = (int)v;
        else {
            fprintf(stderr, "mqtt_helper: daemon: unknown option %s\n", a);
            return 2;
        }
    }
    if (qlen == 0 || qlen > 256 || feed_ms == 0)
        return die("daemon: queue 1-256, feed-ms > 0");
    cfg.backoff_min_ms = backoff_min;
    cfg.backoff_max_ms = backoff_max;
    cfg.connect_timeout_ms = connect_timeout;
    if (interval_ms)
        cfg.state_interval_ms = interval_ms;
    fake_chip_init(&chip, "watchdog", 66, 0);
    chip.wd.stats.feeds = 0;
    chip.wd.stats.feed_skips = 0;

    uint32_t start = mono_ms();
    if (extwd_mqtt_init(&m, &cfg, "/dev/i2c-1", 0x26, queue, qlen)) {
        fprintf(stderr, "mqtt_helper: %s\n", m.cfg.error);
        return 2;
    }
    extwd_mqtt_post_boot(&m, &chip.wd, mono_ms() - start);
    if (extwd_mqtt_start(&m)) {
        char why[400];
        fprintf(stderr, "mqtt_helper: %s\n", extwd_mqtt_last_error(&m, why, sizeof why));
        return 2;
    }

    uint32_t last_feed = mono_ms(), next_event = last_feed + event_ms;
    uint32_t feeds = 0, missed = 0, max_gap = 0, events = 0, api_calls = 0;
    uint64_t api_max_ns = 0, api_total_ns = 0;
    for (;;) {
        uint32_t now = mono_ms();
        if (g_stop || (run_ms && now - start >= run_ms))
            break;
        if (now - last_feed >= feed_ms) {
            uint32_t gap = now - last_feed;
            if (gap > chip_timeout_ms)
                missed++;
            if (gap > max_gap)
                max_gap = gap;
            last_feed = now;
            feeds++;
            chip.wd.stats.feeds++;
        } else {
            chip.wd.stats.feed_skips++;
        }
        /* Everything the loop asks of extwd_mqtt, timed. */
        uint64_t t0 = mono_ns();
        if (event_ms && (int32_t)(now - next_event) >= 0) {
            next_event += event_ms;
            events++;
            extwd_mqtt_post_event(&m, events % 2 ? EXTWD_MQTT_EV_HEALTH_FAIL : EXTWD_MQTT_EV_HEALTH_OK,
                                  (int32_t)events, now - start);
        }
        if (extwd_mqtt_service(&m, now)) {
            chip.st.since_feed_ms = now - last_feed;
            chip.st.time_left_ms = chip_timeout_ms - chip.st.since_feed_ms;
            chip.st.timeout_ms = chip_timeout_ms;
            extwd_mqtt_post_state(&m, &chip.wd, &chip.st, now - start);
        }
        uint64_t dt = mono_ns() - t0;
        api_calls++;
        api_total_ns += dt;
        if (dt > api_max_ns)
            api_max_ns = dt;
        sleep_ms(2);
    }
    int frc = 0;
    if (flush) {
        extwd_mqtt_post_event(&m, EXTWD_MQTT_EV_STOPPING, 15, mono_ms() - start);
        events++;
        frc = extwd_mqtt_flush(&m, 8000);
    }
    struct extwd_mqtt_stats st;
    extwd_mqtt_get_stats(&m, &st);
    extwd_mqtt_stop(&m, 1);
    printf("feeds=%u missed=%u max_gap_ms=%u events_posted=%u delivered=%u dropped=%u queued=%u "
           "connects=%u connect_failures=%u disconnects=%u flush=%d api_calls=%u api_max_us=%.1f api_mean_us=%.2f\n",
           feeds, missed, max_gap, st.events_posted, st.events_delivered, st.events_dropped,
           st.events_queued, st.connects, st.connect_failures, st.disconnects, frc, api_calls,
           (double)api_max_ns / 1000.0, api_calls ? (double)api_total_ns / api_calls / 1000.0 : 0.0);
    return 0;
}

int main(int argc, char **argv)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    setvbuf(stdout, NULL, _IOLBF, 0);

    if (argc < 2)
        return die("usage: mqtt_helper freeport|blackhole|sub|publish|daemon ...");
    const char *mode = argv[1];
    if (!strcmp(mode, "freeport"))
        return mode_freeport();
    if (!strcmp(mode, "blackhole"))
        return mode_blackhole(argc - 2, argv + 2);
    if (!strcmp(mode, "sub"))
        return mode_sub(argc - 2, argv + 2);
    if (!strcmp(mode, "publish"))
        return mode_publish(argc - 1, argv + 1);
    if (!strcmp(mode, "daemon"))
        return mode_daemon(argc - 1, argv + 1);
    return die("unknown mode");
}
