/*
 * The bounded event queue: a ring over caller-owned slots.
 *
 * When it is full the oldest event goes, except the one libmosquitto holds
 * (head_in_flight): its PUBACK will come, and dropping it would make the
 * drop counter lie. Then the next oldest goes instead.
 *
 * SPDX-License-Identifier: MIT
 */
#include "extwd_mqtt.h"

#include <string.h>

int extwd_mqtt_queue_init(struct extwd_mqtt_queue *q, struct extwd_mqtt_event *storage, uint32_t cap)
{
    memset(q, 0, sizeof *q);
    if (!storage || cap == 0)
        return EXTWD_MQTT_E_INVAL;
    q->slots = storage;
    q->cap = cap;
    q->next_seq = 1;
    return 0;
}

static uint32_t slot(const struct extwd_mqtt_queue *q, uint32_t i)
{
    return (q->head + i) % q->cap;
}

uint32_t extwd_mqtt_queue_push(struct extwd_mqtt_queue *q, const struct extwd_mqtt_event *ev)
{
    uint32_t seq = q->next_seq++;
    if (q->next_seq == 0)
        q->next_seq = 1; /* 0 never names an event */

    if (q->len == q->cap) {
        q->dropped++;
        if (!q->head_in_flight) {
            q->head = slot(q, 1);
            q->len--;
        } else if (q->cap == 1) {
            return seq; /* the only slot is in flight: the new event is the one dropped */
        } else {
            /* Drop slots[head+1] by moving the in-flight head up one place. */
            q->slots[slot(q, 1)] = q->slots[q->head];
            q->head = slot(q, 1);
            q->len--;
        }
    }
    struct extwd_mqtt_event *e = &q->slots[slot(q, q->len)];
    *e = *ev;
    e->seq = seq;
    q->len++;
    return seq;
}

const struct extwd_mqtt_event *extwd_mqtt_queue_peek(const struct extwd_mqtt_queue *q)
{
    return q->len ? &q->slots[q->head] : NULL;
}

int extwd_mqtt_queue_pop(struct extwd_mqtt_queue *q, uint32_t seq)
{
    if (!q->len || q->slots[q->head].seq != seq)
        return 0;
    q->head = slot(q, 1);
    q->len--;
    q->head_in_flight = 0;
    return 1;
}
