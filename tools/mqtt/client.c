/*
 * The MQTT client: caller-side calls that never touch the network, and one
 * network thread that owns the libmosquitto client.
 *
 * Locking: m->lock guards everything the two threads share and is only held
 * for copies and counters, never across a libmosquitto call that does I/O,
 * so a feeding loop waits at most for a copy of a few hundred bytes.
 * libmosquitto calls happen on the network thread only (after start).
 *
 * SPDX-License-Identifier: MIT
 */
#include "extwd_mqtt.h"
#include "mqtt_internal.h"

#include <errno.h>
#include <mosquitto.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOOP_SLICE_MS     50   /* how long one mosquitto_loop may wait for the socket */
#define STOP_GRACE_MS     1000 /* stop: how long to wait for "offline" to be acknowledged */
#define PAYLOAD_MAX       4096
#define TOPIC_MAX         (EXTWD_MQTT_TOPIC_MAX + EXTWD_MQTT_ID_MAX + 160)

/* ---- small helpers ------------------------------------------------------------ */

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void deadline_ts(struct timespec *ts, uint64_t at_ms)
{
    ts->tv_sec = (time_t)(at_ms / 1000u);
    ts->tv_nsec = (long)(at_ms % 1000u) * 1000000L;
}

uint32_t mqtt_backoff_next(uint32_t cur_ms, uint32_t min_ms, uint32_t max_ms)
{
    uint64_t next = (uint64_t)cur_ms * 2u;
    if (next < min_ms)
        next = min_ms;
    if (next > max_ms)
        next = max_ms;
    return (uint32_t)next;
}

uint32_t mqtt_backoff_jitter(const char *node_id, uint32_t attempt, uint32_t delay_ms)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const char *p = node_id; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    h = (h ^ attempt) * 16777619u;
    uint32_t span = delay_ms / 8u;
    return span ? h % (span + 1u) : 0;
}

/* Copies s, up to its end or the first stop character, into out as a name
 * for topics and client ids (letters, digits, '_', '-'; anything else
 * becomes '_'), or fallback if that leaves nothing. */
static void copy_safe_name(const char *s, char stop, char *out, size_t cap, const char *fallback)
{
    size_t n = 0;
    for (; *s && *s != stop && n + 1 < cap; s++) {
        char c = *s;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-';
        out[n++] = ok ? c : '_';
    }
    out[n] = '\0';
    if (n == 0)
        snprintf(out, cap, "%s", fallback);
}

void mqtt_sanitize_bus(const char *bus, char *out, size_t cap)
{
    if (strncmp(bus, "/dev/", 5) == 0)
        bus += 5;
    copy_safe_name(bus, '\0', out, cap, "bus");
}

static void set_error(struct extwd_mqtt *m, const char *what, const char *detail)
{
    pthread_mutex_lock(&m->lock);
    snprintf(m->last_error, sizeof m->last_error, "%.120s:%u: %.120s%.120s", m->cfg.host, m->cfg.port, what,
             detail ? detail : "");
    pthread_mutex_unlock(&m->lock);
}

static void set_lib_error(struct extwd_mqtt *m, int rc, int err)
{
    char buf[240];
    if (rc == MOSQ_ERR_TLS && m->lib_log[0])
        snprintf(buf, sizeof buf, "TLS: %.200s", m->lib_log);
    else if (rc == MOSQ_ERR_ERRNO)
        snprintf(buf, sizeof buf, "%s", strerror(err));
    else if (rc == MOSQ_ERR_EAI)
        snprintf(buf, sizeof buf, "cannot resolve host: %s", gai_strerror(err));
    else
        snprintf(buf, sizeof buf, "%s", mosquitto_strerror(rc));
    set_error(m, buf, NULL);
}

/* ---- set-up ---------------------------------------------------------------------- */

static void default_client_id(char *out, size_t cap)
{
    char host[256];
    if (gethostname(host, sizeof host) != 0)
        host[0] = '\0';
    host[sizeof host - 1] = '\0';
    copy_safe_name(host, '.', out, cap, "host"); /* the short host name */
}

int extwd_mqtt_init(struct extwd_mqtt *m, const struct extwd_mqtt_config *cfg,
                    const char *bus, uint8_t addr,
                    struct extwd_mqtt_event *queue, size_t queue_len)
{
    pthread_condattr_t ca;

    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    struct extwd_mqtt_config *c = &m->cfg;
    c->error[0] = '\0';
    if (extwd_mqtt_config_check(c))
        return EXTWD_MQTT_E_INVAL;
    if (!queue || queue_len == 0 || queue_len > UINT32_MAX) {
        snprintf(c->error, sizeof c->error, "MQTT event queue needs at least one slot");
        return EXTWD_MQTT_E_INVAL;
    }
    if (addr < EXTWD_I2C_ADDR_MIN || addr > EXTWD_I2C_ADDR_MAX) {
        snprintf(c->error, sizeof c->error, "MQTT: chip address 0x%02x is outside 0x08-0x77", addr);
        return EXTWD_MQTT_E_INVAL;
    }
    if (!c->port)
        c->port = c->tls ? 8883 : 1883;
    if (!c->client_id[0])
        default_client_id(c->client_id, sizeof c->client_id);
    if (!c->prefix[0])
        snprintf(c->prefix, sizeof c->prefix, "extwd");
    if (!c->discovery[0])
        snprintf(c->discovery, sizeof c->discovery, "homeassistant");
    if (!c->keepalive_s)
        c->keepalive_s = 30;
    if (!c->state_interval_ms)
        c->state_interval_ms = 30000;
    if (!c->backoff_min_ms)
        c->backoff_min_ms = 500;
    if (!c->backoff_max_ms)
        c->backoff_max_ms = 30000;
    if (c->backoff_max_ms < c->backoff_min_ms)
        c->backoff_max_ms = c->backoff_min_ms;
    if (!c->connect_timeout_ms)
        c->connect_timeout_ms = 10000;
    if (!c->publish_timeout_ms)
        c->publish_timeout_ms = 10000;

    mqtt_sanitize_bus(bus ? bus : "", m->bus, sizeof m->bus);
    m->addr = addr;
    snprintf(m->chip, sizeof m->chip, "%s_%02x", m->bus, addr);
    snprintf(m->node_id, sizeof m->node_id, "%s_%s", c->client_id, m->chip);
    snprintf(m->base, sizeof m->base, "%s/%s/%s", c->prefix, c->client_id, m->chip);

    extwd_mqtt_queue_init(&m->queue, queue, (uint32_t)queue_len);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&m->cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&m->lock, NULL);
    m->stats.backoff_ms = c->backoff_min_ms;
    return 0;
}

/* ---- libmosquitto callbacks (network thread, inside mosquitto_loop) ---------------- */

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
    struct extwd_mqtt *m = obj;
    char topic[TOPIC_MAX];
    /* The opt-in test-reset button: its commands come on <base>/command. */
    if (rc == 0 && m->cfg.test_button && extwd_mqtt_topic(m, "command", topic, sizeof topic) >= 0)
        (void)mosquitto_subscribe(mosq, NULL, topic, 1);
    pthread_mutex_lock(&m->lock);
    if (rc == 0) {
        m->connected = 1;
        m->announced = 0;
        m->refused = 0;
        m->stats.connects++;
        m->last_error[0] = '\0';
    } else {
        /* 4: bad user name or password, 5: not authorised: retrying will not help a one-shot. */
        m->refused = rc == 4 || rc == 5;
        snprintf(m->last_error, sizeof m->last_error, "%.120s:%u: broker refused: %.120s",
                 m->cfg.host, m->cfg.port, mosquitto_connack_string(rc));
    }
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
}

/* A press of the test-reset button: only noted here; the feeding loop,
 * which owns the bus, sends the command (extwd_mqtt_service_chip). */
static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
    struct extwd_mqtt *m = obj;
    char topic[TOPIC_MAX];
    (void)mosq;
    if (!m->cfg.test_button || extwd_mqtt_topic(m, "command", topic, sizeof topic) < 0 ||
        strcmp(msg->topic, topic) != 0)
        return;
    if (msg->payloadlen == 10 && memcmp(msg->payload, "test_reset", 10) == 0) {
        pthread_mutex_lock(&m->lock);
        m->test_reset_asked = 1;
        pthread_mutex_unlock(&m->lock);
    }
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
    struct extwd_mqtt *m = obj;
    (void)mosq;
    (void)rc;
    pthread_mutex_lock(&m->lock);
    if (m->connected)
        m->stats.disconnects++;
    m->connected = 0;
    m->announced = 0;
    pthread_mutex_unlock(&m->lock);
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
    struct extwd_mqtt *m = obj;
    (void)mosq;
    pthread_mutex_lock(&m->lock);
    if (m->outstanding)
        m->outstanding--;
    if (m->event_in_flight && mid == m->event_mid) {
        if (extwd_mqtt_queue_pop(&m->queue, m->event_seq))
            m->stats.events_delivered++;
        m->event_in_flight = 0;
    }
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
}

/* Keeps libmosquitto's last error line: the only place a TLS failure says why
 * ("certificate verify failed"). Network thread only. */
static void on_log(struct mosquitto *mosq, void *obj, int level, const char *str)
{
    struct extwd_mqtt *m = obj;
    (void)mosq;
    if (level == MOSQ_LOG_ERR && str) {
        const char *p = strstr(str, "routines::");
        snprintf(m->lib_log, sizeof m->lib_log, "%s", p ? p + 10 : str);
    }
}

/* OpenSSL would prompt on the terminal for an encrypted key: refuse instead. */
static int no_key_password(char *buf, int size, int rwflag, void *userdata)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)userdata;
    return 0;
}

/* ---- publishing (network thread) --------------------------------------------------- */

/* Gives back a place reserved in m->outstanding for a message not sent. */
static void give_back(struct extwd_mqtt *m)
{
    pthread_mutex_lock(&m->lock);
    if (m->outstanding)
        m->outstanding--;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
}

/* Publishes one QoS 1 message whose place in m->outstanding was reserved.
 * Returns the mid, or -1 (and gives the place back). */
static int publish(struct extwd_mqtt *m, const char *topic, const char *payload, int len, int retain)
{
    int mid = -1;
    if (len < 0 || mosquitto_publish(m->mosq, &mid, topic, len, payload, 1, retain != 0) != MOSQ_ERR_SUCCESS) {
        give_back(m);
        return -1;
    }
    return mid;
}

static void publish_json(struct extwd_mqtt *m, const char *leaf, const char *payload, int len)
{
    char topic[TOPIC_MAX];
    if (extwd_mqtt_topic(m, leaf, topic, sizeof topic) < 0) {
        give_back(m);
        return;
    }
    publish(m, topic, payload, len, 1);
}

/* Sends what is due: on a new connection the status, discovery, boot record
 * and state; afterwards each new boot record or state, and the oldest event
 * when none is in flight. */
static void pump(struct extwd_mqtt *m)
{
    struct extwd_mqtt_boot_rec boot;
    struct extwd_mqtt_state_rec state;
    struct extwd_mqtt_event ev;
    char payload[PAYLOAD_MAX];
    char topic[TOPIC_MAX];
    int announce, send_boot = 0, send_state = 0, send_event = 0, have_boot;
    uint32_t queued, dropped;
    int ndisc = m->cfg.discovery_off ? 0 : extwd_mqtt_discovery_count(m);

    pthread_mutex_lock(&m->lock);
    if (!m->connected) {
        pthread_mutex_unlock(&m->lock);
        return;
    }
    announce = !m->announced;
    have_boot = m->boot_valid;
    if (have_boot) {
        boot = m->boot;
        send_boot = announce || m->boot_dirty;
        m->boot_dirty = 0;
    }
    if (m->state_valid && (announce || m->state_dirty)) {
        state = m->state;
        send_state = 1;
        m->state_dirty = 0;
    }
    if (!m->event_in_flight && m->queue.len) {
        ev = *extwd_mqtt_queue_peek(&m->queue);
        m->queue.head_in_flight = 1;
        send_event = 1;
    }
    queued = m->queue.len;
    dropped = m->queue.dropped;
    m->announced = 1;
    /* Reserve before sending, so flush never sees a gap between the two. */
    m->outstanding += (uint32_t)(announce ? 1 : 0) +
                      (uint32_t)((announce || send_boot) ? ndisc : 0) +
                      (uint32_t)send_boot + (uint32_t)send_state + (uint32_t)send_event;
    pthread_mutex_unlock(&m->lock);

    if (announce)
        publish_json(m, "status", "online", 6);
    if (announce || send_boot) {
        for (int i = 0; i < ndisc; i++) {
            int len = extwd_mqtt_discovery(m, have_boot ? &boot : NULL, i, topic, sizeof topic,
                                           payload, sizeof payload);
            publish(m, topic, payload, len, 1);
        }
    }
    if (send_boot)
        publish_json(m, "boot", payload, extwd_mqtt_json_boot(&boot, payload, sizeof payload));
    if (send_state)
        publish_json(m, "state", payload, extwd_mqtt_json_state(&state, queued, dropped, payload, sizeof payload));
    if (send_event) {
        int len = extwd_mqtt_json_event(&ev, dropped, payload, sizeof payload);
        int mid = -1, ok = 0;
        if (len >= 0 && extwd_mqtt_topic(m, "event", topic, sizeof topic) >= 0)
            ok = mosquitto_publish(m->mosq, &mid, topic, len, payload, 1, false) == MOSQ_ERR_SUCCESS;
        pthread_mutex_lock(&m->lock);
        if (ok) {
            m->event_in_flight = 1;
            m->event_mid = mid;
            m->event_seq = ev.seq;
        } else {
            m->queue.head_in_flight = 0; /* try again on the next turn */
            m->outstanding--;
        }
        pthread_mutex_unlock(&m->lock);
    }
}

/* ---- the network thread ---------------------------------------------------------------- */

static int stopping(struct extwd_mqtt *m)
{
    pthread_mutex_lock(&m->lock);
    int s = m->stop;
    pthread_mutex_unlock(&m->lock);
    return s;
}

static int is_connected(struct extwd_mqtt *m)
{
    pthread_mutex_lock(&m->lock);
    int c = m->connected;
    pthread_mutex_unlock(&m->lock);
    return c;
}

/* Waits ms, or less if stop is asked. */
static void backoff_wait(struct extwd_mqtt *m, uint32_t ms)
{
    struct timespec ts;
    deadline_ts(&ts, mono_ms() + ms);
    pthread_mutex_lock(&m->lock);
    while (!m->stop) {
        if (pthread_cond_timedwait(&m->cond, &m->lock, &ts) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&m->lock);
}

/* On stop: "offline" if asked, then a clean DISCONNECT (no will). */
static void leave(struct extwd_mqtt *m)
{
    char topic[TOPIC_MAX];
    uint64_t until = mono_ms() + STOP_GRACE_MS;

    if (!is_connected(m))
        return;
    pthread_mutex_lock(&m->lock);
    int offline = m->stop_offline;
    pthread_mutex_unlock(&m->lock);
    if (offline && extwd_mqtt_topic(m, "status", topic, sizeof topic) >= 0) {
        int mid = -1;
        if (mosquitto_publish(m->mosq, &mid, topic, 7, "offline", 1, true) == MOSQ_ERR_SUCCESS) {
            pthread_mutex_lock(&m->lock);
            m->outstanding++;
            pthread_mutex_unlock(&m->lock);
        }
    }
    /* Let what is in flight (the offline message included) be acknowledged. */
    while (mono_ms() < until) {
        pthread_mutex_lock(&m->lock);
        uint32_t left = m->outstanding;
        pthread_mutex_unlock(&m->lock);
        if (!left || mosquitto_loop(m->mosq, LOOP_SLICE_MS, 1) != MOSQ_ERR_SUCCESS)
            break;
    }
    mosquitto_disconnect(m->mosq);
    while (mono_ms() < until + LOOP_SLICE_MS * 4)
        if (mosquitto_loop(m->mosq, LOOP_SLICE_MS, 1) != MOSQ_ERR_SUCCESS)
            break;
}

static void *net_main(void *arg)
{
    struct extwd_mqtt *m = arg;
    const struct extwd_mqtt_config *c = &m->cfg;
    uint32_t backoff = c->backoff_min_ms, attempt = 0;
    int first = 1;

    while (!stopping(m)) {
        int rc;
        errno = 0;
        m->lib_log[0] = '\0';
        if (first)
            rc = mosquitto_connect_async(m->mosq, c->host, c->port, c->keepalive_s);
        else
            rc = mosquitto_reconnect_async(m->mosq);
        if (rc != MOSQ_ERR_INVAL)
            first = 0;
        attempt++;
        int was_connected = 0;
        if (rc == MOSQ_ERR_SUCCESS) {
            uint64_t started = mono_ms();
            for (;;) {
                if (stopping(m)) {
                    leave(m);
                    return NULL;
                }
                pump(m);
                errno = 0;
                rc = mosquitto_loop(m->mosq, LOOP_SLICE_MS, 1);
                int connected = is_connected(m);
                was_connected |= connected;
                if (rc != MOSQ_ERR_SUCCESS) {
                    if (rc != MOSQ_ERR_CONN_REFUSED)
                        set_lib_error(m, rc, errno);
                    break;
                }
                if (!connected && !was_connected && mono_ms() - started > c->connect_timeout_ms) {
                    char msg[64];
                    snprintf(msg, sizeof msg, "no CONNACK within %u ms", (unsigned)c->connect_timeout_ms);
                    set_error(m, msg, NULL);
                    break;
                }
            }
        } else {
            set_lib_error(m, rc, errno);
        }
        on_disconnect(m->mosq, m, 0);
        if (was_connected) {
            backoff = c->backoff_min_ms;
            attempt = 0;
        }
        pthread_mutex_lock(&m->lock);
        if (!was_connected)
            m->stats.connect_failures++;
        m->stats.backoff_ms = backoff;
        pthread_mutex_unlock(&m->lock);
        backoff_wait(m, backoff + mqtt_backoff_jitter(m->node_id, attempt, backoff));
        if (!was_connected)
            backoff = mqtt_backoff_next(backoff, c->backoff_min_ms, c->backoff_max_ms);
    }
    return NULL;
}

int extwd_mqtt_start(struct extwd_mqtt *m)
{
    const struct extwd_mqtt_config *c = &m->cfg;
    sigset_t all, old;
    int rc;

    if (m->mosq)
        return EXTWD_MQTT_E_STATE;
    mosquitto_lib_init();
    m->lib_inited = 1;
    m->mosq = mosquitto_new(m->node_id, true, m);
    if (!m->mosq) {
        set_error(m, "cannot create the MQTT client: ", strerror(errno));
        goto fail;
    }
    mosquitto_threaded_set(m->mosq, true);
    /* Small messages: without this, Nagle holds the last ones ~40 ms. */
    mosquitto_int_option(m->mosq, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_connect_callback_set(m->mosq, on_connect);
    mosquitto_disconnect_callback_set(m->mosq, on_disconnect);
    mosquitto_publish_callback_set(m->mosq, on_publish);
    mosquitto_message_callback_set(m->mosq, on_message);
    mosquitto_log_callback_set(m->mosq, on_log);
    if (c->username[0] &&
        mosquitto_username_pw_set(m->mosq, c->username, c->password[0] ? c->password : NULL) != MOSQ_ERR_SUCCESS) {
        set_error(m, "cannot set the credentials", NULL);
        goto fail;
    }
    if (c->tls) {
        const char *cafile = c->cafile[0] ? c->cafile : NULL;
        const char *capath = c->capath[0] ? c->capath : (cafile ? NULL : "/etc/ssl/certs");
        rc = mosquitto_tls_set(m->mosq, cafile, capath, c->certfile[0] ? c->certfile : NULL,
                               c->keyfile[0] ? c->keyfile : NULL, no_key_password);
        if (rc != MOSQ_ERR_SUCCESS) {
            set_error(m, "TLS set-up refused the CA or certificate files: ", mosquitto_strerror(rc));
            goto fail;
        }
    }
    char topic[TOPIC_MAX];
    if (extwd_mqtt_topic(m, "status", topic, sizeof topic) < 0 ||
        mosquitto_will_set(m->mosq, topic, 7, "offline", 1, true) != MOSQ_ERR_SUCCESS) {
        set_error(m, "cannot set the last will", NULL);
        goto fail;
    }
    /* The thread takes no signals: they stay with the caller's own threads,
     * and a write to a dead socket gives EPIPE there instead of killing us. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&m->thread, NULL, net_main, m);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        set_error(m, "cannot start the MQTT thread: ", strerror(rc));
        goto fail;
    }
    m->thread_running = 1;
    return 0;

fail:
    if (m->mosq)
        mosquitto_destroy(m->mosq);
    m->mosq = NULL;
    mosquitto_lib_cleanup();
    m->lib_inited = 0;
    return EXTWD_MQTT_E_LIB;
}

void extwd_mqtt_stop(struct extwd_mqtt *m, int publish_offline)
{
    if (m->thread_running) {
        pthread_mutex_lock(&m->lock);
        m->stop = 1;
        m->stop_offline = publish_offline != 0;
        pthread_cond_broadcast(&m->cond);
        pthread_mutex_unlock(&m->lock);
        pthread_join(m->thread, NULL);
        m->thread_running = 0;
    }
    if (m->mosq) {
        mosquitto_destroy(m->mosq);
        m->mosq = NULL;
    }
    if (m->lib_inited) {
        mosquitto_lib_cleanup();
        m->lib_inited = 0;
    }
}

/* ---- caller side: copies only ------------------------------------------------------- */

/* The Unix time the host booted: the wall clock minus the time since boot. */
static int64_t host_boot_time_s(void)
{
    struct timespec real, up;
    if (clock_gettime(CLOCK_REALTIME, &real) || clock_gettime(CLOCK_BOOTTIME, &up))
        return 0;
    return (int64_t)real.tv_sec - (int64_t)up.tv_sec;
}

/* extwd_channel_by_id, read from the handle: this part links no libextwd
 * code (see CMakeLists.txt), only its types. */
static const struct extwd_channel *channel_named_by(const struct extwd *wd, uint8_t id)
{
    for (const struct extwd_channel *c = wd->channels; id && c; c = c->next)
        if (c->id == id)
            return c;
    return NULL;
}

static int watchdog_reason(enum extwd_reset_reason r)
{
    return r == EXTWD_REASON_WATCHDOG || r == EXTWD_REASON_TEST || r == EXTWD_REASON_WINDOW;
}

uint32_t extwd_mqtt_post_boot(struct extwd_mqtt *m, const struct extwd *wd, uint32_t now)
{
    int64_t at = m->cfg.boot_time_s ? m->cfg.boot_time_s : host_boot_time_s();
    return extwd_mqtt_post_boot_at(m, wd, now, watchdog_reason(extwd_boot(wd)->reason) ? at : 0);
}

uint32_t extwd_mqtt_post_boot_at(struct extwd_mqtt *m, const struct extwd *wd, uint32_t now,
                                 int64_t reset_at_s)
{
    struct extwd_mqtt_boot_rec rec;
    struct extwd_mqtt_event ev;

    memset(&rec, 0, sizeof rec);
    rec.boot = *extwd_boot(wd);
    rec.is_extwd = extwd_is_extwd(wd);
    rec.proto_version = extwd_proto_version(wd);
    for (unsigned i = 0; i < sizeof rec.fw_version; i++)
        rec.fw_version[i] = extwd_fw_version(wd, i);
    rec.caps = extwd_caps(wd);
    rec.reset_at_s = watchdog_reason(extwd_boot(wd)->reason) ? reset_at_s : 0;
    /* The breadcrumb names the part that died when it is a channel's id. */
    const struct extwd_channel *ch = extwd_is_extwd(wd) && watchdog_reason(extwd_boot(wd)->reason)
                                         ? channel_named_by(wd, extwd_boot(wd)->breadcrumb) : NULL;
    if (ch && ch->name)
        snprintf(rec.missed_channel, sizeof rec.missed_channel, "%s", ch->name);

    memset(&ev, 0, sizeof ev);
    ev.kind = EXTWD_MQTT_EV_RESET;
    ev.t_ms = now;
    ev.reason = (uint8_t)extwd_boot(wd)->reason;
    ev.has_breadcrumb = extwd_is_extwd(wd) && (extwd_caps(wd) & EXTWD_CAP_BREADCRUMB);
    ev.breadcrumb = ev.has_breadcrumb ? extwd_boot(wd)->breadcrumb : 0;
    ev.cause = extwd_boot(wd)->last_cause;
    ev.resets = extwd_is_extwd(wd) ? extwd_boot(wd)->resets_total : extwd_boot(wd)->reset_count;
    ev.ext_status = extwd_boot(wd)->ext_status;
    memcpy(ev.missed_channel, rec.missed_channel, sizeof ev.missed_channel);

    pthread_mutex_lock(&m->lock);
    m->boot = rec;
    m->boot_valid = 1;
    m->boot_dirty = 1;
    uint32_t seq = extwd_mqtt_queue_push(&m->queue, &ev);
    m->stats.events_posted++;
    pthread_mutex_unlock(&m->lock);
    return seq;
}

int extwd_mqtt_post_state(struct extwd_mqtt *m, const struct extwd *wd,
                          const struct extwd_state *st, uint32_t now)
{
    struct extwd_mqtt_state_rec rec;

    memset(&rec, 0, sizeof rec);
    if (st)
        rec.st = *st;
    rec.st_valid = st != NULL;
    rec.stats = *extwd_transfer_stats(wd);
    rec.t_ms = now;
    rec.is_extwd = extwd_is_extwd(wd);

    pthread_mutex_lock(&m->lock);
    m->state = rec;
    m->state_valid = 1;
    m->state_dirty = 1;
    m->stats.states_posted++;
    pthread_mutex_unlock(&m->lock);
    return 0;
}

int64_t extwd_mqtt_post_event(struct extwd_mqtt *m, enum extwd_mqtt_event_kind kind,
                              int32_t code, uint32_t now)
{
    struct extwd_mqtt_event ev;

    if ((unsigned)kind >= EXTWD_MQTT_EV_COUNT || kind == EXTWD_MQTT_EV_RESET)
        return EXTWD_MQTT_E_INVAL;
    memset(&ev, 0, sizeof ev);
    ev.kind = (uint8_t)kind;
    ev.code = code;
    ev.t_ms = now;
    pthread_mutex_lock(&m->lock);
    uint32_t seq = extwd_mqtt_queue_push(&m->queue, &ev);
    m->stats.events_posted++;
    pthread_mutex_unlock(&m->lock);
    return seq;
}

int extwd_mqtt_service(struct extwd_mqtt *m, uint32_t now)
{
    if (!m->state_timer_started) {
        m->state_timer_started = 1;
        m->state_due_ms = now + m->cfg.state_interval_ms;
        return 1;
    }
    if ((int32_t)(now - m->state_due_ms) < 0)
        return 0;
    m->state_due_ms = now + m->cfg.state_interval_ms;
    return 1;
}

void extwd_mqtt_get_stats(struct extwd_mqtt *m, struct extwd_mqtt_stats *out)
{
    pthread_mutex_lock(&m->lock);
    *out = m->stats;
    out->events_queued = m->queue.len;
    out->events_dropped = m->queue.dropped;
    out->connected = m->connected;
    pthread_mutex_unlock(&m->lock);
}

const char *extwd_mqtt_last_error(struct extwd_mqtt *m, char *buf, size_t len)
{
    pthread_mutex_lock(&m->lock);
    snprintf(buf, len, "%s", m->last_error[0] ? m->last_error : "no error");
    pthread_mutex_unlock(&m->lock);
    return buf;
}

int extwd_mqtt_flush(struct extwd_mqtt *m, uint32_t timeout_ms)
{
    uint64_t until = mono_ms() + timeout_ms;
    struct timespec ts;
    int rc;

    if (!m->thread_running)
        return EXTWD_MQTT_E_STATE;
    pthread_mutex_lock(&m->lock);
    for (;;) {
        if (m->connected && m->announced && !m->boot_dirty && !m->state_dirty &&
            m->queue.len == 0 && m->outstanding == 0) {
            rc = 0;
            break;
        }
        if (m->refused) {
            rc = EXTWD_MQTT_E_REFUSED;
            break;
        }
        uint64_t now = mono_ms();
        if (now >= until) {
            rc = EXTWD_MQTT_E_TIMEOUT;
            if (!m->last_error[0] || m->connected)
                snprintf(m->last_error, sizeof m->last_error, "%.120s:%u: not delivered within %u ms",
                         m->cfg.host, m->cfg.port, (unsigned)timeout_ms);
            break;
        }
        /* Wake at least every slice: pump runs on the network thread's own clock. */
        deadline_ts(&ts, now + LOOP_SLICE_MS < until ? now + LOOP_SLICE_MS : until);
        pthread_cond_timedwait(&m->cond, &m->lock, &ts);
    }
    pthread_mutex_unlock(&m->lock);
    return rc;
}

int extwd_mqtt_publish_once(const struct extwd_mqtt_config *cfg, const char *bus, uint8_t addr,
                            const struct extwd *wd, const struct extwd_state *st,
                            uint32_t now, char *err, size_t errlen)
{
    struct extwd_mqtt m;
    struct extwd_mqtt_event queue[2];
    char why[384];

    int rc = extwd_mqtt_init(&m, cfg, bus, addr, queue, 2);
    if (rc) {
        snprintf(err, errlen, "%s", m.cfg.error);
        return rc;
    }
    extwd_mqtt_post_boot(&m, wd, now);
    extwd_mqtt_post_state(&m, wd, st, now);
    rc = extwd_mqtt_start(&m);
    if (rc == 0)
        rc = extwd_mqtt_flush(&m, m.cfg.publish_timeout_ms);
    if (rc)
        snprintf(err, errlen, "mqtt: %s", extwd_mqtt_last_error(&m, why, sizeof why));
    extwd_mqtt_stop(&m, 0);
    pthread_mutex_destroy(&m.lock);
    pthread_cond_destroy(&m.cond);
    return rc;
}
