/*
 * libextwd + the real chip core (on the fake bus, ports/fake) + extwd_mqtt,
 * against the broker that broker_test.sh started: the watchdog resets the
 * host, the "next boot" reads the evidence with extwd_init, and the daemon
 * turn (extwd_feed + extwd_mqtt_service_chip) publishes it, the state and a
 * bus-error event. The first boot's "wifi" health channel dies while its
 * loop runs on, so the library writes the channel's id as the breadcrumb
 * and stops feeding; the second boot names the channel. Then the Home
 * Assistant test-reset button is pressed through the broker (a publish to
 * <base>/command), the chip resets the host, and a third boot publishes its
 * own reset event: two resets, two events. broker_test.sh checks what
 * reached the broker.
 *
 * Usage: mqtt_chip_test PORT      prints "reason=... breadcrumb=... ..."
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mosquitto.h>

#include "extwd_mqtt.h"
#include "fake_bus.h"
#include "fake_chip.h"
#include "faulty_port.h"

#define A EXTWD_I2C_ADDR_DEFAULT
#define BREADCRUMB 0x42

static int fail(const char *what, int rc)
{
    fprintf(stderr, "mqtt_chip_test: %s: %d\n", what, rc);
    return 1;
}

int main(int argc, char **argv)
{
    static struct fake_bus bus;
    static struct fake_chip chip;
    static struct faulty_port faulty;
    static struct extwd wd;
    static struct extwd_mqtt_daemon d;
    struct extwd_port port;
    struct fake_device dev;
    int rc;

    if (argc != 2)
        return fail("usage: mqtt_chip_test PORT", 2);

    fake_bus_init(&bus, NULL, 0, 1000);
    fake_chip_power_up(&chip, NULL);
    fake_chip_device(&chip, &dev);
    fake_bus_attach(&bus, &dev);
    fake_bus_port(&bus, &port);
    faulty_init(&faulty, &port, 1);

    /* The boot before: armed, channels "loop" and "wifi"; after 2 s WiFi
     * dies while the loop runs on. */
    static struct extwd_channel loop, wifi;
    struct extwd_config wcfg = {.port = &faulty.port};
    if ((rc = extwd_init(&wd, &wcfg)) != 0)
        return fail("extwd_init (first boot)", rc);
    if (!wd.is_extwd)
        return fail("the fake chip is not an extwd chip", 0);
    fake_bus_advance(&bus, (EXTWD_DEFAULT_GRACE_S + 1) * 1000u);
    if ((rc = extwd_set_timeout_ms(&wd, 1000)) != 0 || (rc = extwd_arm(&wd)) != 0 ||
        (rc = extwd_channel_add(&wd, &loop, "loop", 1, 500)) != 0 ||
        (rc = extwd_channel_add(&wd, &wifi, "wifi", BREADCRUMB, 1500)) != 0)
        return fail("configure the first boot", rc);
    for (int turn = 0; turn < 1000 && chip.hw.host_resets == 0; turn++) {
        extwd_checkin(&wd, &loop);
        if (turn < 200)
            extwd_checkin(&wd, &wifi);
        extwd_feed(&wd);
        fake_bus_advance(&bus, 10);
    }
    if (chip.hw.host_resets != 1 || extwd_missed_channel(&wd) != &wifi)
        return fail("the chip did not reset the host after wifi died", (int)chip.hw.host_resets);

    /* This boot: the evidence first, as the daemon does; the same channels. */
    memset(&wd, 0, sizeof wd);
    if ((rc = extwd_init(&wd, &wcfg)) != 0)
        return fail("extwd_init (after the reset)", rc);
    if ((rc = extwd_channel_add(&wd, &loop, "loop", 1, 500)) != 0 ||
        (rc = extwd_channel_add(&wd, &wifi, "wifi", BREADCRUMB, 1500)) != 0)
        return fail("channels on the second boot", rc);

    struct extwd_mqtt_config cfg;
    extwd_mqtt_config_init(&cfg);
    char *opts[] = {"t", "--mqtt-host", "127.0.0.1", "--mqtt-port", argv[1], "--mqtt-client-id", "chipdev",
                    "--mqtt-interval", "1", "--mqtt-test-button", NULL};
    int oc = 10;
    if (extwd_mqtt_parse_argv(&cfg, &oc, opts) != 0)
        return fail(cfg.error, 0);
    /* The daemon's MQTT side, as extwdctl run uses it. */
    if ((rc = extwd_mqtt_daemon_begin(&d, &cfg, "fake", &wd, bus.now_ms, stderr, "extwdctl")) != 0)
        return fail("extwd_mqtt_daemon_begin", rc);

    /* The daemon loop on the bus clock: 10 ms turns for 3 s, grace included;
     * two failed feeds in the middle, a health check failing once. */
    for (int turn = 0; turn < 300; turn++) {
        extwd_checkin(&wd, &loop);
        extwd_checkin(&wd, &wifi);
        if (turn == 150)
            faulty_schedule(&faulty, faulty.xfers, 5, FAULTY_NACK_ADDR);
        if (turn == 200)
            extwd_mqtt_daemon_event(&d, EXTWD_MQTT_EV_HEALTH_FAIL, 3, bus.now_ms);
        fake_bus_advance(&bus, 10);
        extwd_feed(&wd);
        extwd_mqtt_daemon_turn(&d, &wd, bus.now_ms);
    }
    /* Let the daemon see its connection, as a long-running one would. */
    for (int i = 0; i < 100 && !d.was_connected; i++) {
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
        fake_bus_advance(&bus, 1000);
        extwd_mqtt_daemon_turn(&d, &wd, bus.now_ms);
    }
    /* The HA button: a press is a publish to <base>/command, which the
     * daemon's own client has subscribed to; the next turn sends 0x85. */
    uint32_t resets_before = chip.hw.host_resets;
    if (d.was_connected) {
        char topic[256];
        extwd_mqtt_topic(&d.m, "command", topic, sizeof topic);
        for (int i = 0; i < 250 && chip.hw.host_resets == resets_before; i++) {
            if (i % 50 == 0)
                mosquitto_publish(d.m.mosq, NULL, topic, 10, "test_reset", 1, false);
            struct timespec ts = {0, 20000000};
            nanosleep(&ts, NULL);
            fake_bus_advance(&bus, 10);
            extwd_checkin(&wd, &loop);
            extwd_checkin(&wd, &wifi);
            extwd_feed(&wd);
            extwd_mqtt_daemon_turn(&d, &wd, bus.now_ms);
            fake_bus_advance(&bus, 200); /* the reset pulse passes */
        }
    }
    struct extwd_mqtt_stats st;
    extwd_mqtt_get_stats(&d.m, &st);
    extwd_mqtt_daemon_event(&d, EXTWD_MQTT_EV_STOPPING, 15, bus.now_ms);
    extwd_mqtt_daemon_end(&d);
    const char *missed = d.m.boot.missed_channel[0] ? d.m.boot.missed_channel : "none";
    int tested = chip.hw.host_resets > resets_before;
    const char *reason2 = extwd_mqtt_reason_name(wd.boot.reason);
    unsigned crumb2 = wd.boot.breadcrumb;
    uint32_t first_bus_errors = wd.stats.bus_errors;
    /* The third boot, after the test reset: its own reset event. */
    if (tested) {
        static struct extwd_mqtt_daemon d3;
        memset(&wd, 0, sizeof wd);
        if ((rc = extwd_init(&wd, &wcfg)) != 0)
            return fail("extwd_init (after the test reset)", rc);
        printf("third_boot_reason=%s\n", extwd_mqtt_reason_name(wd.boot.reason));
        if ((rc = extwd_mqtt_daemon_begin(&d3, &cfg, "fake", &wd, bus.now_ms, stdout, "extwdctl")) != 0)
            return fail("extwd_mqtt_daemon_begin (third boot)", rc);
        for (int i = 0; i < 100 && !d3.was_connected; i++) {
            struct timespec ts = {0, 20000000};
            nanosleep(&ts, NULL);
            extwd_feed(&wd);
            extwd_mqtt_daemon_turn(&d3, &wd, bus.now_ms);
        }
        extwd_mqtt_daemon_end(&d3);
    }
    printf("reason=%s breadcrumb=%u missed=%s bus_errors=%u events=%u delivered=%u test_reset=%d\n",
           reason2, crumb2, missed, first_bus_errors, st.events_posted, st.events_delivered, tested);
    return 0;
}
