/*
 * A small JSON writer over a caller buffer, for the MQTT payloads.
 *
 * Strings from outside (client ids, bus names, host names) are escaped so the
 * output is always valid JSON and valid UTF-8: quotes, backslashes and control
 * characters are escaped, and each byte that is not part of a well-formed
 * UTF-8 sequence becomes U+FFFD. A write that does not fit sets an overflow
 * flag and leaves a truncated buffer that the caller must not send.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_MQTT_JSON_H
#define EXTWD_MQTT_JSON_H

#include <stddef.h>
#include <stdint.h>

struct mqtt_json {
    char *buf;
    size_t cap;        /* bytes in buf, the NUL included */
    size_t len;
    uint8_t overflow;
    uint8_t need_comma;
};

/* Starts writing into buf (cap bytes, at least 1). */
void mqtt_json_init(struct mqtt_json *j, char *buf, size_t cap);

/* Structure. A key argument of NULL writes a bare value (array element or
 * the top level). */
void mqtt_json_obj_begin(struct mqtt_json *j, const char *key);
void mqtt_json_obj_end(struct mqtt_json *j);
void mqtt_json_arr_begin(struct mqtt_json *j, const char *key);
void mqtt_json_arr_end(struct mqtt_json *j);

/* Members. str may be NULL, which writes null; str_n takes a length so it can
 * carry bytes that include NUL. */
void mqtt_json_str(struct mqtt_json *j, const char *key, const char *str);
void mqtt_json_str_n(struct mqtt_json *j, const char *key, const char *str, size_t n);
void mqtt_json_int(struct mqtt_json *j, const char *key, int64_t v);
void mqtt_json_uint(struct mqtt_json *j, const char *key, uint64_t v);
void mqtt_json_bool(struct mqtt_json *j, const char *key, int v);
void mqtt_json_null(struct mqtt_json *j, const char *key);

/* Returns the length written (buf is NUL-terminated), or -1 if it overflowed. */
int mqtt_json_finish(struct mqtt_json *j);

/* Writes str_n's escaped form of s (without quotes) into out, NUL-terminated.
 * Returns the length, or -1 if it does not fit in cap. */
int mqtt_json_escape(char *out, size_t cap, const char *s, size_t n);

#endif /* EXTWD_MQTT_JSON_H */
