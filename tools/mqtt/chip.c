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

    /* Failed transfers show in the counter: report its rises as events that
     * carry how many errors they cover, at most one a second, so a dead bus
     * (a failed feed every turn) does not flood the queue. */
    if (!m->bus_errors_known) {
        m->bus_errors_known = 1;
        m->last_bus_errors = extwd_transfer_stats(wd)->bus_errors;
        m->bus_error_posted_ms = now - EXTWD_MQTT_BUS_ERROR_SPACING_MS;
    } else if (extwd_transfer_stats(wd)->bus_errors != m->last_bus_errors &&
               now - m->bus_error_posted_ms >= EXTWD_MQTT_BUS_ERROR_SPACING_MS) {
        extwd_mqtt_post_event(m, EXTWD_MQTT_EV_BUS_ERROR,
                              (int32_t)(extwd_transfer_stats(wd)->bus_errors - m->last_bus_errors), now);
        m->last_bus_errors = extwd_transfer_stats(wd)->bus_errors;
        m->bus_error_posted_ms = now;
    }
    /* The HA test-reset button was pressed: the chip resets the host now. */
    pthread_mutex_lock(&m->lock);
    int test = m->test_reset_asked;
    m->test_reset_asked = 0;
    pthread_mutex_unlock(&m->lock);
    if (test)
        (void)extwd_test_reset(wd);
    if (!extwd_mqtt_service(m, now))
        return 0;
    int rc = extwd_get_state(wd, &st);
    extwd_mqtt_post_state(m, wd, rc == 0 ? &st : NULL, now);
    return rc < 0 ? rc : 1;
}
