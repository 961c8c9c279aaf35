/*
 * What a command-line tool (extwdctl) needs, so that its own edit stays a
 * few lines: the whole `publish` subcommand, and the MQTT side of `run`.
 *
 * SPDX-License-Identifier: MIT
 */
#include "extwd_mqtt.h"

#include <stdio.h>
#include <string.h>

int extwd_mqtt_cli_publish(struct extwd_mqtt_config *cfg, const char *bus, struct extwd *wd,
                           uint32_t now, FILE *err)
{
    struct extwd_state st;
    char msg[512];

    if (extwd_mqtt_config_check(cfg)) {
        fprintf(err, "extwdctl: publish: %s\n", cfg->error);
        return 2;
    }
    int st_rc = extwd_get_state(wd, &st);
    int rc = extwd_mqtt_publish_once(cfg, bus, extwd_address(wd) ? extwd_address(wd) : EXTWD_I2C_ADDR_DEFAULT, wd,
                                     st_rc == 0 ? &st : NULL, now, msg, sizeof msg);
    if (rc) {
        fprintf(err, "extwdctl: publish: %s\n", msg);
        return rc == EXTWD_MQTT_E_INVAL ? 2 : 1;
    }
    return 0;
}

int extwd_mqtt_daemon_begin(struct extwd_mqtt_daemon *d, struct extwd_mqtt_config *cfg, const char *bus,
                            const struct extwd *wd, uint32_t now, FILE *err)
{
    memset(d, 0, sizeof *d);
    d->err = err;
    if (!cfg->host[0])
        return 0; /* MQTT not asked for */
    if (extwd_mqtt_init(&d->m, cfg, bus, extwd_address(wd) ? extwd_address(wd) : EXTWD_I2C_ADDR_DEFAULT,
                        d->queue, EXTWD_MQTT_DAEMON_QUEUE) != 0) {
        fprintf(err, "extwdctl: %s\n", d->m.cfg.error);
        return 2;
    }
    extwd_mqtt_post_boot(&d->m, wd, now);
    if (extwd_mqtt_start(&d->m) != 0) {
        char why[400];
        fprintf(err, "extwdctl: mqtt: %s\n", extwd_mqtt_last_error(&d->m, why, sizeof why));
        return 2;
    }
    d->enabled = 1;
    return 0;
}

/* One line on err when the connection comes or goes, not per attempt. */
static void report_link(struct extwd_mqtt_daemon *d)
{
    struct extwd_mqtt_stats st;
    char why[400];

    extwd_mqtt_get_stats(&d->m, &st);
    if (st.connected && !d->was_connected) {
        fprintf(d->err, "extwdctl: mqtt: connected to %s:%u\n", d->m.cfg.host, d->m.cfg.port);
    } else if (!st.connected && (d->was_connected || (!d->said_failing && st.connect_failures))) {
        fprintf(d->err, "extwdctl: mqtt: %s (retrying, events are queued)\n",
                extwd_mqtt_last_error(&d->m, why, sizeof why));
        d->said_failing = 1;
    }
    if (st.connected)
        d->said_failing = 0;
    d->was_connected = st.connected;
}

void extwd_mqtt_daemon_turn(struct extwd_mqtt_daemon *d, struct extwd *wd, uint32_t now)
{
    if (!d->enabled)
        return;
    if (extwd_mqtt_service_chip(&d->m, wd, now) != 0)
        report_link(d); /* at each state report, so at most once an interval */
}

void extwd_mqtt_daemon_event(struct extwd_mqtt_daemon *d, enum extwd_mqtt_event_kind kind,
                             int32_t code, uint32_t now)
{
    if (d->enabled)
        extwd_mqtt_post_event(&d->m, kind, code, now);
}

void extwd_mqtt_daemon_end(struct extwd_mqtt_daemon *d)
{
    if (!d->enabled)
        return;
    extwd_mqtt_flush(&d->m, 2000); /* bounded: a dead broker costs 2 s at exit, not more */
    extwd_mqtt_stop(&d->m, 1);
    d->enabled = 0;
}
