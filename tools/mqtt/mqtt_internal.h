/*
 * Internals of extwd_mqtt shared between its files and its unit tests.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_MQTT_INTERNAL_H
#define EXTWD_MQTT_INTERNAL_H

#include <stdint.h>

/* The reconnect delay after cur_ms: doubled, at least min_ms, at most
 * max_ms. Returns it. */
uint32_t mqtt_backoff_next(uint32_t cur_ms, uint32_t min_ms, uint32_t max_ms);

/* Up to an eighth of delay_ms, spread by the node id and the attempt number,
 * so that many devices do not all reconnect in the same millisecond after a
 * broker restart. Returns the jitter in ms. */
uint32_t mqtt_backoff_jitter(const char *node_id, uint32_t attempt, uint32_t delay_ms);

/* Writes the topic-safe form of a bus name into out: "/dev/" dropped, every
 * character outside [A-Za-z0-9_-] made '_'; "bus" if nothing is left. */
void mqtt_sanitize_bus(const char *bus, char *out, size_t cap);

#endif /* EXTWD_MQTT_INTERNAL_H */
