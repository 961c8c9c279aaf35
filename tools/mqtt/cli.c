/*
 * What a command-line tool (extwdctl) needs, so that its own edit stays a
 * few lines: the whole `publish` subcommand, and the MQTT side of `run`.
 * Nothing here prints the tool's name or returns exit statuses: failures
 * are EXTWD_MQTT_E_* with a line of text, which the tool maps (extwdctl:
 * extwdctl_mqtt.c's exit_status).
 *
 * SPDX-License-Identifier: MIT
 */
#include "extwd_mqtt.h"

#include <stdio.h>
#include <string.h>

int extwd_mqtt_cli_publish(struct extwd_mqtt_config *cfg, const char *bus, struct extwd *wd,
                           uint32_t now, char *why, size_t whylen)
{
    struct extwd_state st;

    int rc = extwd_mqtt_config_check(cfg);
    if (rc) {
        snprintf(why, whylen, "%s", cfg->error);
        return rc;
    }
    int st_rc = extwd_get_state(wd, &st);
    return extwd_mqtt_publish_once(cfg, bus, extwd_address(wd) ? extwd_address(wd) : EXTWD_I2C_ADDR_DEFAULT, wd,
                                   st_rc == 0 ? &st : NULL, now, why, whylen);
}

/* "tag: " or nothing. */
static const char *tag_sep(const struct extwd_mqtt_daemon *d)
{
    return d->tag ? ": " : "";
}

int extwd_mqtt_daemon_begin(struct extwd_mqtt_daemon *d, struct extwd_mqtt_config *cfg, const char *bus,
                            const struct extwd *wd, uint32_t now, FILE *err, const char *tag)
{
    memset(d, 0, sizeof *d);
    d->err = err;
    d->tag = tag;
    if (!cfg->host[0])
        return 0; /* MQTT not asked for */
    int rc = extwd_mqtt_init(&d->m, cfg, bus, extwd_address(wd) ? extwd_address(wd) : EXTWD_I2C_ADDR_DEFAULT,
                             d->queue, EXTWD_MQTT_DAEMON_QUEUE);
    if (rc) {
        snprintf(d->why, sizeof d->why, "%s", d->m.cfg.error);
        return rc;
    }
    extwd_mqtt_post_boot(&d->m, wd, now);
    if ((rc = extwd_mqtt_start(&d->m)) != 0) {
        char why[400];
        snprintf(d->why, sizeof d->why, "mqtt: %s", extwd_mqtt_last_error(&d->m, why, sizeof why));
        return rc;
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
        fprintf(d->err, "%s%smqtt: connected to %s:%u\n", d->tag ? d->tag : "", tag_sep(d), d->m.cfg.host,
                d->m.cfg.port);
    } else if (!st.connected && (d->was_connected || (!d->said_failing && st.connect_failures))) {
        fprintf(d->err, "%s%smqtt: %s (retrying, events are queued)\n", d->tag ? d->tag : "", tag_sep(d),
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
