/*
 * The daemon loop's MQTT turn over a libextwd chip: the only part of
 * extwd_mqtt that calls libextwd (and so the bus).
 *
 * SPDX-License-Identifier: MIT
 */
#include "extwd_mqtt.h"

int extwd_mqtt_service_chip(struct extwd_mqtt *m, struct extwd *wd, uint32_t now)
{
    struct extwd_state st;

    /* A failed feed shows in the counter, not in our return value: report
     * each rise as one event carrying how many errors it covers. */
    if (!m->bus_errors_known) {
        m->bus_errors_known = 1;
        m->last_bus_errors = wd->stats.bus_errors;
    } else if (wd->stats.bus_errors != m->last_bus_errors) {
        extwd_mqtt_post_event(m, EXTWD_MQTT_EV_BUS_ERROR,
                              (int32_t)(wd->stats.bus_errors - m->last_bus_errors), now);
        m->last_bus_errors = wd->stats.bus_errors;
    }
    if (!extwd_mqtt_service(m, now))
        return 0;
    int rc = extwd_get_state(wd, &st);
    extwd_mqtt_post_state(m, wd, rc == 0 ? &st : NULL, now);
    return rc < 0 ? rc : 1;
}
