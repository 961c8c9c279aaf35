/*
 * Topics and JSON payloads: pure functions, the schema of docs/mqtt.md.
 *
 * SPDX-License-Identifier: MIT
 */
#include "extwd_mqtt.h"
#include "mqtt_json.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const event_names[EXTWD_MQTT_EV_COUNT] = {
    [EXTWD_MQTT_EV_RESET] = "reset",
    [EXTWD_MQTT_EV_BUS_ERROR] = "bus_error",
    [EXTWD_MQTT_EV_HEALTH_FAIL] = "health_fail",
    [EXTWD_MQTT_EV_HEALTH_OK] = "health_ok",
    [EXTWD_MQTT_EV_ARMED] = "armed",
    [EXTWD_MQTT_EV_DISARMED] = "disarmed",
    [EXTWD_MQTT_EV_STOPPING] = "stopping",
};

const char *extwd_mqtt_event_name(enum extwd_mqtt_event_kind kind)
{
    return (unsigned)kind < EXTWD_MQTT_EV_COUNT ? event_names[kind] : NULL;
}

const char *extwd_mqtt_reason_name(enum extwd_reset_reason reason)
{
    /* the table extwd_reset_reason_name is built from (this part links no
     * libextwd code) */
    switch (reason) {
#define EXTWD_REASON_ROW(r, name, text) case r: return name;
#include "extwd/names.def"
    default: return "unknown";
    }
}

/* The reasons, in the order Home Assistant lists them (enum options and
 * event types): one table for both, spelled as names.def spells them. */
static const char *const reason_options[] = {
#define EXTWD_REASON_ROW(reason, name, text) name,
#include "extwd/names.def"
    NULL};

/* "2026-12-01T19:58:19+00:00", or "" for 0. */
static void iso_time(int64_t unix_s, char *out, size_t cap)
{
    struct tm tm;
    time_t t = (time_t)unix_s;
    out[0] = '\0';
    if (unix_s > 0 && gmtime_r(&t, &tm))
        strftime(out, cap, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

static void str_or_null(struct mqtt_json *j, const char *key, const char *s)
{
    if (s && s[0])
        mqtt_json_str(j, key, s);
    else
        mqtt_json_null(j, key);
}

/* A record's fixed-size name field, which need not end in a NUL (records
 * are plain data; the fuzzer fills them at random). */
static void name_or_null(struct mqtt_json *j, const char *key, const char *field, size_t size)
{
    char name[64];
    size_t n = 0;
    while (n < size && n < sizeof name - 1 && field[n])
        n++;
    memcpy(name, field, n);
    name[n] = '\0';
    str_or_null(j, key, name);
}

int extwd_mqtt_topic(const struct extwd_mqtt *m, const char *leaf, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s/%s", m->base, leaf);
    return n < 0 || (size_t)n >= cap ? -1 : n;
}

int extwd_mqtt_json_event(const struct extwd_mqtt_event *ev, uint32_t dropped, char *buf, size_t cap)
{
    struct mqtt_json j;
    const char *name = extwd_mqtt_event_name((enum extwd_mqtt_event_kind)ev->kind);

    mqtt_json_init(&j, buf, cap);
    mqtt_json_obj_begin(&j, NULL);
    mqtt_json_uint(&j, "seq", ev->seq);
    mqtt_json_str(&j, "event", name ? name : "unknown");
    mqtt_json_uint(&j, "t_ms", ev->t_ms);
    mqtt_json_uint(&j, "dropped", dropped);
    if (ev->kind == EXTWD_MQTT_EV_RESET) {
        mqtt_json_str(&j, "reason", extwd_mqtt_reason_name((enum extwd_reset_reason)ev->reason));
        if (ev->has_breadcrumb)
            mqtt_json_uint(&j, "breadcrumb", ev->breadcrumb);
        else
            mqtt_json_null(&j, "breadcrumb");
        mqtt_json_uint(&j, "cause", ev->cause);
        mqtt_json_uint(&j, "resets", ev->resets);
        mqtt_json_bool(&j, "safe_mode", (ev->ext_status & EXTWD_XS_SAFE_MODE) != 0);
        name_or_null(&j, "missed_channel", ev->missed_channel, sizeof ev->missed_channel);
    } else {
        mqtt_json_int(&j, "code", ev->code);
    }
    mqtt_json_obj_end(&j);
    return mqtt_json_finish(&j);
}

static int has_breadcrumb(const struct extwd_mqtt_boot_rec *b)
{
    return b->is_extwd && (b->caps & EXTWD_CAP_BREADCRUMB);
}

int extwd_mqtt_json_boot(const struct extwd_mqtt_boot_rec *b, char *buf, size_t cap)
{
    struct mqtt_json j;
    const struct extwd_boot_info *bi = &b->boot;

    mqtt_json_init(&j, buf, cap);
    mqtt_json_obj_begin(&j, NULL);
    mqtt_json_str(&j, "reason", extwd_mqtt_reason_name(bi->reason));
    if (has_breadcrumb(b))
        mqtt_json_uint(&j, "breadcrumb", bi->breadcrumb);
    else
        mqtt_json_null(&j, "breadcrumb");
    mqtt_json_uint(&j, "cause", bi->last_cause);
    mqtt_json_uint(&j, "resets", b->is_extwd ? bi->resets_total : bi->reset_count);
    mqtt_json_uint(&j, "reset_count", bi->reset_count);
    mqtt_json_uint(&j, "status", bi->status);
    char when[40];
    iso_time(b->reset_at_s, when, sizeof when);
    str_or_null(&j, "reset_at", when);
    name_or_null(&j, "missed_channel", b->missed_channel, sizeof b->missed_channel);
    mqtt_json_str(&j, "chip", b->is_extwd ? "extwd" : "stock");
    if (b->is_extwd) {
        char fw[16];
        snprintf(fw, sizeof fw, "%u.%u.%u", b->fw_version[0], b->fw_version[1], b->fw_version[2]);
        mqtt_json_str(&j, "fw", fw);
        mqtt_json_uint(&j, "proto", b->proto_version);
        mqtt_json_uint(&j, "caps", b->caps);
        mqtt_json_uint(&j, "resets_total", bi->resets_total);
        mqtt_json_uint(&j, "bootloop_count", bi->bootloop_count);
        mqtt_json_uint(&j, "ext_status", bi->ext_status);
        mqtt_json_bool(&j, "safe_mode", (bi->ext_status & EXTWD_XS_SAFE_MODE) != 0);
    } else {
        mqtt_json_null(&j, "fw");
        mqtt_json_null(&j, "proto");
        mqtt_json_null(&j, "caps");
        mqtt_json_null(&j, "resets_total");
        mqtt_json_null(&j, "bootloop_count");
        mqtt_json_null(&j, "ext_status");
        mqtt_json_bool(&j, "safe_mode", 0);
    }
    mqtt_json_arr_begin(&j, "history");
    unsigned n = bi->history_len <= EXTWD_HISTORY_ENTRIES ? bi->history_len : EXTWD_HISTORY_ENTRIES;
    for (unsigned i = 0; b->is_extwd && i < n; i++) {
        mqtt_json_obj_begin(&j, NULL);
        mqtt_json_uint(&j, "cause", bi->history[i].cause);
        mqtt_json_uint(&j, "breadcrumb", bi->history[i].breadcrumb);
        mqtt_json_uint(&j, "uptime_s", bi->history[i].uptime_s);
        mqtt_json_obj_end(&j);
    }
    mqtt_json_arr_end(&j);
    mqtt_json_obj_end(&j);
    return mqtt_json_finish(&j);
}

int extwd_mqtt_json_state(const struct extwd_mqtt_state_rec *s, uint32_t queued, uint32_t dropped,
                          char *buf, size_t cap)
{
    struct mqtt_json j;
    const struct extwd_state *st = &s->st;

    mqtt_json_init(&j, buf, cap);
    mqtt_json_obj_begin(&j, NULL);
    mqtt_json_uint(&j, "t_ms", s->t_ms);
    mqtt_json_bool(&j, "chip_ok", s->st_valid);
    if (s->st_valid) {
        mqtt_json_bool(&j, "armed", st->armed);
        if (st->time_left_ms == EXTWD_NO_RESET_PENDING)
            mqtt_json_null(&j, "time_left_ms");
        else
            mqtt_json_uint(&j, "time_left_ms", st->time_left_ms);
        mqtt_json_uint(&j, "timeout_ms", st->timeout_ms);
        mqtt_json_uint(&j, "since_feed_ms", st->since_feed_ms);
        mqtt_json_uint(&j, "status", st->status);
        mqtt_json_uint(&j, "resets", s->is_extwd ? st->resets_total : st->reset_count);
        mqtt_json_uint(&j, "chip_bus_errors", st->buserr_count);
        if (s->is_extwd) {
            mqtt_json_uint(&j, "ext_status", st->ext_status);
            mqtt_json_uint(&j, "uptime_s", st->uptime_s);
            mqtt_json_uint(&j, "breadcrumb", st->breadcrumb);
        } else {
            mqtt_json_null(&j, "ext_status");
            mqtt_json_null(&j, "uptime_s");
            mqtt_json_null(&j, "breadcrumb");
        }
    } else {
        static const char *const unknown[] = {"armed", "time_left_ms", "timeout_ms", "since_feed_ms",
                                              "status", "resets", "chip_bus_errors", "ext_status",
                                              "uptime_s", "breadcrumb"};
        for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
            mqtt_json_null(&j, unknown[i]);
    }
    mqtt_json_uint(&j, "feeds", s->stats.feeds);
    mqtt_json_uint(&j, "feed_skips", s->stats.feed_skips);
    mqtt_json_uint(&j, "bus_errors", s->stats.bus_errors);
    mqtt_json_uint(&j, "retries", s->stats.retries);
    mqtt_json_uint(&j, "events_queued", queued);
    mqtt_json_uint(&j, "events_dropped", dropped);
    mqtt_json_obj_end(&j);
    return mqtt_json_finish(&j);
}

/* ---- Home Assistant discovery ----------------------------------------------------- */

enum ha_kind {
    HA_STATE,                  /* a retained record: boot (until the next reset) */
    HA_LIVE,                   /* the live state: expires when the feeding loop stops posting */
    HA_EVENT,                  /* the event topic, one HA event per reset */
    HA_BUTTON                  /* sends a command; opt-in (cfg.test_button) */
};

struct ha_entity {
    const char *component;     /* sensor, binary_sensor, event, button */
    const char *object;        /* in unique_id and the config topic */
    const char *name;
    uint8_t kind;              /* enum ha_kind */
    const char *value_template;
    const char *icon;
    const char *device_class;
    const char *state_class;
    const char *unit;
    uint8_t diagnostic;
    const char *const *options; /* device_class enum options, or an event's event_types */
    const char *attributes;    /* json_attributes_template on the same topic, or NULL */
};

#define RESET_ATTRS "{{ {'breadcrumb': value_json.breadcrumb, 'missed_channel': value_json.missed_channel} | tojson }}"

static const struct ha_entity entities[] = {
    {"sensor", "reset_reason", "Last reset reason", HA_STATE, "{{ value_json.reason }}",
     "mdi:restart-alert", "enum", NULL, NULL, 0, reason_options, RESET_ATTRS},
    {"sensor", "last_reset", "Last watchdog reset", HA_STATE, "{{ value_json.reset_at }}",
     "mdi:clock-alert-outline", "timestamp", NULL, NULL, 0, NULL, RESET_ATTRS},
    {"event", "reset", "Reset", HA_EVENT,
     "{% if value_json.event == 'reset' %}{{ {'event_type': value_json.reason, 'breadcrumb': "
     "value_json.breadcrumb, 'missed_channel': value_json.missed_channel, 'resets': "
     "value_json.resets} | tojson }}{% endif %}",
     "mdi:restart-alert", NULL, NULL, NULL, 0, reason_options, NULL},
    {"sensor", "reset_count", "Reset count", HA_STATE, "{{ value_json.resets }}",
     "mdi:counter", NULL, "total_increasing", NULL, 0, NULL, NULL},
    {"sensor", "breadcrumb", "Breadcrumb at last reset", HA_STATE, "{{ value_json.breadcrumb }}",
     "mdi:map-marker-path", NULL, NULL, NULL, 0, NULL, NULL},
    {"binary_sensor", "armed", "Armed", HA_LIVE,
     "{% if value_json.armed is none %}None{% elif value_json.armed %}ON{% else %}OFF{% endif %}",
     "mdi:shield-check", NULL, NULL, NULL, 0, NULL, NULL},
    {"sensor", "time_left", "Time left", HA_LIVE, "{{ value_json.time_left_ms }}",
     "mdi:timer-sand", "duration", "measurement", "ms", 0, NULL, NULL},
    {"sensor", "feeds", "Feeds", HA_LIVE, "{{ value_json.feeds }}",
     "mdi:food", NULL, "total_increasing", NULL, 1, NULL, NULL},
    {"sensor", "bus_errors", "Bus errors", HA_LIVE, "{{ value_json.bus_errors }}",
     "mdi:alert-circle-outline", NULL, "total_increasing", NULL, 1, NULL, NULL},
    {"sensor", "events_dropped", "Events dropped", HA_LIVE, "{{ value_json.events_dropped }}",
     "mdi:delete-alert", NULL, "total_increasing", NULL, 1, NULL, NULL},
    /* Last: counted only with cfg.test_button. */
    {"button", "test_reset", "Test reset", HA_BUTTON, NULL,
     "mdi:restart", "restart", NULL, NULL, 0, NULL, NULL},
};

#define N_ENTITIES ((int)(sizeof entities / sizeof entities[0]))

int extwd_mqtt_discovery_count(const struct extwd_mqtt *m)
{
    return m && m->cfg.test_button ? N_ENTITIES : N_ENTITIES - 1;
}

/* The live state is posted every state_interval_ms by the feeding loop:
 * two intervals and 10 s missed, and HA shows the entities unavailable. */
static uint32_t expire_after_s(const struct extwd_mqtt *m)
{
    uint32_t iv = m->cfg.state_interval_ms ? m->cfg.state_interval_ms : 30000u;
    return (2u * iv + 999u) / 1000u + 10u;
}

static void topic_of(struct mqtt_json *j, const char *key, const struct extwd_mqtt *m,
                     const char *leaf)
{
    char tmp[EXTWD_MQTT_TOPIC_MAX + 160];
    snprintf(tmp, sizeof tmp, "%s/%s", m->base, leaf);
    mqtt_json_str(j, key, tmp);
}

static void string_list(struct mqtt_json *j, const char *key, const char *const *list)
{
    mqtt_json_arr_begin(j, key);
    for (; *list; list++)
        mqtt_json_str(j, NULL, *list);
    mqtt_json_arr_end(j);
}

int extwd_mqtt_discovery(const struct extwd_mqtt *m, const struct extwd_mqtt_boot_rec *b, int i,
                         char *topic, size_t topic_cap, char *buf, size_t cap)
{
    char tmp[EXTWD_MQTT_TOPIC_MAX + 160];
    struct mqtt_json j;

    if (i < 0 || i >= extwd_mqtt_discovery_count(m))
        return -1;
    const struct ha_entity *e = &entities[i];
    const char *disc = m->cfg.discovery[0] ? m->cfg.discovery : "homeassistant";
    int n = snprintf(topic, topic_cap, "%s/%s/%s/%s/config", disc, e->component, m->node_id, e->object);
    if (n < 0 || (size_t)n >= topic_cap)
        return -1;

    mqtt_json_init(&j, buf, cap);
    mqtt_json_obj_begin(&j, NULL);
    mqtt_json_str(&j, "name", e->name);
    snprintf(tmp, sizeof tmp, "%s_%s", m->node_id, e->object);
    mqtt_json_str(&j, "unique_id", tmp);
    if (e->kind == HA_BUTTON) {
        topic_of(&j, "command_topic", m, "command");
        mqtt_json_str(&j, "payload_press", "test_reset");
    } else {
        topic_of(&j, "state_topic", m, e->kind == HA_EVENT ? "event" : e->kind == HA_LIVE ? "state" : "boot");
        mqtt_json_str(&j, "value_template", e->value_template);
    }
    if (e->attributes) {
        topic_of(&j, "json_attributes_topic", m, "boot");
        mqtt_json_str(&j, "json_attributes_template", e->attributes);
    }
    if (e->kind == HA_LIVE)
        mqtt_json_uint(&j, "expire_after", expire_after_s(m));
    topic_of(&j, "availability_topic", m, "status");
    mqtt_json_str(&j, "payload_available", "online");
    mqtt_json_str(&j, "payload_not_available", "offline");
    if (e->icon)
        mqtt_json_str(&j, "icon", e->icon);
    if (e->device_class)
        mqtt_json_str(&j, "device_class", e->device_class);
    if (e->options)
        string_list(&j, e->kind == HA_EVENT ? "event_types" : "options", e->options);
    if (e->state_class)
        mqtt_json_str(&j, "state_class", e->state_class);
    if (e->unit)
        mqtt_json_str(&j, "unit_of_measurement", e->unit);
    if (e->diagnostic)
        mqtt_json_str(&j, "entity_category", "diagnostic");
    if (e->kind == HA_BUTTON)
        mqtt_json_str(&j, "entity_category", "config");
    mqtt_json_obj_begin(&j, "device");
    mqtt_json_arr_begin(&j, "identifiers");
    snprintf(tmp, sizeof tmp, "extwd_%s", m->node_id);
    mqtt_json_str(&j, NULL, tmp);
    mqtt_json_arr_end(&j);
    snprintf(tmp, sizeof tmp, "Watchdog %s %s 0x%02x", m->cfg.client_id, m->bus, m->addr);
    mqtt_json_str(&j, "name", tmp);
    mqtt_json_str(&j, "manufacturer", "extwd");
    if (b && b->is_extwd) {
        mqtt_json_str(&j, "model", "extwd I2C watchdog");
        snprintf(tmp, sizeof tmp, "%u.%u.%u", b->fw_version[0], b->fw_version[1], b->fw_version[2]);
        mqtt_json_str(&j, "sw_version", tmp);
    } else if (b) {
        mqtt_json_str(&j, "model", "TinyI2CWatchdog (stock)");
    } else {
        mqtt_json_str(&j, "model", "I2C watchdog");
    }
    mqtt_json_obj_end(&j);
    /* Who published this config (HA shows it in the entity's information). */
    mqtt_json_obj_begin(&j, "origin");
    mqtt_json_str(&j, "name", "extwd");
    mqtt_json_str(&j, "sw_version", EXTWD_LIB_VERSION);
    mqtt_json_obj_end(&j);
    mqtt_json_obj_end(&j);
    return mqtt_json_finish(&j);
}
