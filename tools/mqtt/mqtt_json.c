/*
 * JSON writer for the MQTT payloads. See mqtt_json.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include "mqtt_json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void mqtt_json_init(struct mqtt_json *j, char *buf, size_t cap)
{
    j->buf = buf;
    j->cap = cap;
    j->len = 0;
    j->overflow = cap == 0;
    j->need_comma = 0;
    if (cap)
        buf[0] = '\0';
}

static void put(struct mqtt_json *j, const char *s, size_t n)
{
    if (j->overflow)
        return;
    if (n >= j->cap - j->len) {
        j->overflow = 1;
        return;
    }
    memcpy(j->buf + j->len, s, n);
    j->len += n;
    j->buf[j->len] = '\0';
}

static void putc_(struct mqtt_json *j, char c)
{
    put(j, &c, 1);
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 if the bytes there are not one. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    unsigned char lo = 0x80, hi = 0xBF;
    size_t len;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < len)
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

/* Escapes n bytes of s into j, without quotes. */
static void put_escaped(struct mqtt_json *j, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < n && !j->overflow) {
        unsigned char c = p[i];
        char esc[8];

        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            size_t run = i;
            while (run < n && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
                run++;
            put(j, s + i, run - i);
            i = run;
            continue;
        }
        switch (c) {
        case '"':  put(j, "\\\"", 2); i++; continue;
        case '\\': put(j, "\\\\", 2); i++; continue;
        case '\b': put(j, "\\b", 2); i++; continue;
        case '\f': put(j, "\\f", 2); i++; continue;
        case '\n': put(j, "\\n", 2); i++; continue;
        case '\r': put(j, "\\r", 2); i++; continue;
        case '\t': put(j, "\\t", 2); i++; continue;
        default: break;
        }
        if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            put(j, esc, 6);
            i++;
            continue;
        }
        size_t len = utf8_seq_len(p + i, n - i);
        if (len == 0) {
            put(j, "\xEF\xBF\xBD", 3); /* U+FFFD for one stray byte */
            i++;
        } else {
            put(j, s + i, len);
            i += len;
        }
    }
}

static void member(struct mqtt_json *j, const char *key)
{
    if (j->need_comma)
        putc_(j, ',');
    if (key) {
        putc_(j, '"');
        put_escaped(j, key, strlen(key));
        put(j, "\":", 2);
    }
    j->need_comma = 1;
}

/* An object or array opens ('{', '[') as a member; its first member needs
 * no comma. */
static void open_container(struct mqtt_json *j, const char *key, char bracket)
{
    member(j, key);
    putc_(j, bracket);
    j->need_comma = 0;
}

/* It closes ('}', ']'); whatever follows it needs a comma. */
static void close_container(struct mqtt_json *j, char bracket)
{
    putc_(j, bracket);
    j->need_comma = 1;
}

void mqtt_json_obj_begin(struct mqtt_json *j, const char *key)
{
    open_container(j, key, '{');
}

void mqtt_json_obj_end(struct mqtt_json *j)
{
    close_container(j, '}');
}

void mqtt_json_arr_begin(struct mqtt_json *j, const char *key)
{
    open_container(j, key, '[');
}

void mqtt_json_arr_end(struct mqtt_json *j)
{
    close_container(j, ']');
}

void mqtt_json_str_n(struct mqtt_json *j, const char *key, const char *str, size_t n)
{
    member(j, key);
    if (!str) {
        put(j, "null", 4);
        return;
    }
    putc_(j, '"');
    put_escaped(j, str, n);
    putc_(j, '"');
}

void mqtt_json_str(struct mqtt_json *j, const char *key, const char *str)
{
    mqtt_json_str_n(j, key, str, str ? strlen(str) : 0);
}

void mqtt_json_int(struct mqtt_json *j, const char *key, int64_t v)
{
    char num[24];
    int n = snprintf(num, sizeof num, "%" PRId64, v);
    member(j, key);
    put(j, num, (size_t)n);
}

void mqtt_json_uint(struct mqtt_json *j, const char *key, uint64_t v)
{
    char num[24];
    int n = snprintf(num, sizeof num, "%" PRIu64, v);
    member(j, key);
    put(j, num, (size_t)n);
}

void mqtt_json_bool(struct mqtt_json *j, const char *key, int v)
{
    member(j, key);
    if (v)
        put(j, "true", 4);
    else
        put(j, "false", 5);
}

void mqtt_json_null(struct mqtt_json *j, const char *key)
{
    member(j, key);
    put(j, "null", 4);
}

int mqtt_json_finish(struct mqtt_json *j)
{
    return j->overflow ? -1 : (int)j->len;
}

int mqtt_json_escape(char *out, size_t cap, const char *s, size_t n)
{
    struct mqtt_json j;
    mqtt_json_init(&j, out, cap);
    put_escaped(&j, s, n);
    return mqtt_json_finish(&j);
}
