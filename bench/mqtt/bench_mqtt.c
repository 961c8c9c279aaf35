/*
 * Benchmark driver for extwd_mqtt (bench/mqtt/run.sh runs it).
 *
 *   calls FUNC N   calls one caller-side function N times, for callgrind
 *                  (--toggle-collect=FUNC): service, post_event, post_state,
 *                  post_boot. The network thread is not started, so the
 *                  count is the function's own work (an uncontended lock).
 *   sizes          prints the size of each message (topic + payload) for a
 *                  typical extwd chip.
 *
 * SPDX-License-Identifier: MIT
 */
#include "extwd_mqtt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void chip(struct extwd *wd, struct extwd_state *st)
{
    memset(wd, 0, sizeof *wd);
    memset(st, 0, sizeof *st);
    wd->is_extwd = 1;
    wd->caps = 0xFFFF;
    wd->proto_version = 1;
    wd->fw_version[0] = 1;
    wd->boot.reason = EXTWD_REASON_WATCHDOG;
    wd->boot.breadcrumb = 66;
    wd->boot.resets_total = 12;
    wd->boot.reset_count = 12;
    wd->boot.history_len = 4;
    for (int i = 0; i < 4; i++) {
        wd->boot.history[i].cause = 1;
        wd->boot.history[i].breadcrumb = (uint8_t)(60 + i);
        wd->boot.history[i].uptime_s = 86400u * (uint32_t)(i + 1);
    }
    wd->stats.feeds = 123456;
    wd->stats.feed_skips = 987654;
    st->armed = 1;
    st->timeout_ms = 3000;
    st->time_left_ms = 2900;
    st->since_feed_ms = 100;
    st->uptime_s = 86400;
    st->resets_total = 12;
}

static void setup(struct extwd_mqtt *m, struct extwd_mqtt_event *q, unsigned qlen)
{
    struct extwd_mqtt_config cfg;
    memset(&cfg, 0, sizeof cfg);
    strcpy(cfg.host, "127.0.0.1");
    strcpy(cfg.client_id, "pi-kitchen");
    if (extwd_mqtt_init(m, &cfg, "/dev/i2c-1", 0x26, q, qlen) != 0) {
        fprintf(stderr, "bench_mqtt: %s\n", m->cfg.error);
        exit(2);
    }
}

static int calls(const char *func, unsigned long n)
{
    static struct extwd_mqtt m;
    static struct extwd_mqtt_event q[64];
    struct extwd wd;
    struct extwd_state st;
    chip(&wd, &st);
    setup(&m, q, 64);
    extwd_mqtt_service(&m, 0); /* the first call is always due */
    volatile int sink = 0;
    for (unsigned long i = 0; i < n; i++) {
        uint32_t now = (uint32_t)(i + 1);
        if (!strcmp(func, "service"))
            sink += extwd_mqtt_service(&m, now); /* not due: interval is 30 s */
        else if (!strcmp(func, "post_event"))
            sink += (int)extwd_mqtt_post_event(&m, EXTWD_MQTT_EV_HEALTH_FAIL, 1, now);
        else if (!strcmp(func, "post_state"))
            sink += extwd_mqtt_post_state(&m, &wd, &st, now);
        else if (!strcmp(func, "post_boot"))
            sink += (int)extwd_mqtt_post_boot(&m, &wd, now);
        else {
            fprintf(stderr, "bench_mqtt: unknown function %s\n", func);
            return 2;
        }
    }
    (void)sink;
    return 0;
}

static int sizes(void)
{
    static struct extwd_mqtt m;
    struct extwd_mqtt_event q[2];
    struct extwd wd;
    struct extwd_state st;
    char topic[512], payload[2048];
    int total_disc = 0;

    chip(&wd, &st);
    setup(&m, q, 2);
    extwd_mqtt_post_boot(&m, &wd, 1000);
    extwd_mqtt_post_state(&m, &wd, &st, 1000);
    extwd_mqtt_topic(&m, "event", topic, sizeof topic);
    int ev = extwd_mqtt_json_event(extwd_mqtt_queue_peek(&m.queue), 0, payload, sizeof payload);
    printf("| event (reset) | %zu | %d |\n", strlen(topic), ev);
    extwd_mqtt_topic(&m, "boot", topic, sizeof topic);
    printf("| boot (4 history entries) | %zu | %d |\n", strlen(topic),
           extwd_mqtt_json_boot(&m.boot, payload, sizeof payload));
    extwd_mqtt_topic(&m, "state", topic, sizeof topic);
    int sl = extwd_mqtt_json_state(&m.state, 0, 0, payload, sizeof payload);
    size_t st_topic = strlen(topic);
    printf("| state | %zu | %d |\n", st_topic, sl);
    for (int i = 0; i < extwd_mqtt_discovery_count(&m); i++) {
        int len = extwd_mqtt_discovery(&m, &m.boot, i, topic, sizeof topic, payload, sizeof payload);
        total_disc += len + (int)strlen(topic);
    }
    printf("| discovery, all %d configs | - | %d (topics included) |\n", extwd_mqtt_discovery_count(&m), total_disc);
    /* A state report is one PUBLISH (QoS 1: 2+2+topic+2 id+payload) and a 4-byte PUBACK. */
    double per_hour = 3600.0 / 30.0 * (double)(2 + 2 + st_topic + 2 + (size_t)sl + 4);
    printf("\nAt the default 30 s interval the state costs about %.0f bytes/hour of MQTT "
           "(TCP/IP headers and keepalive pings not counted).\n", per_hour);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "calls"))
        return calls(argv[2], strtoul(argv[3], NULL, 10));
    if (argc == 2 && !strcmp(argv[1], "sizes"))
        return sizes();
    fprintf(stderr, "usage: bench_mqtt calls FUNC N | sizes\n");
    return 2;
}
