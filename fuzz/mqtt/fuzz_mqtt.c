/*
 * libFuzzer target for what extwd_mqtt takes from outside: strings that go
 * into JSON, the credentials file, the --mqtt-* options and argv, and the
 * chip's registers as they show in the payloads.
 *
 * Checks, besides the sanitizers: every JSON payload is valid JSON and valid
 * UTF-8 (an independent validator below), and escaping round-trips any
 * well-formed UTF-8 input exactly.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extwd_mqtt.h"
#include "mqtt_json.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* ---- an independent UTF-8 and JSON validator --------------------------------------- */

/* Decodes one code point at s; returns its length or 0 if ill-formed. */
static size_t utf8_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
    size_t len;
    uint32_t c;
    if (s[0] < 0x80) { *cp = s[0]; return 1; }
    else if ((s[0] & 0xE0) == 0xC0) { len = 2; c = s[0] & 0x1Fu; }
    else if ((s[0] & 0xF0) == 0xE0) { len = 3; c = s[0] & 0x0Fu; }
    else if ((s[0] & 0xF8) == 0xF0) { len = 4; c = s[0] & 0x07u; }
    else return 0;
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        c = (c << 6) | (s[i] & 0x3Fu);
    }
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < min[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return len;
}

static int utf8_valid(const uint8_t *s, size_t n)
{
    uint32_t cp;
    for (size_t i = 0; i < n;) {
        size_t l = utf8_decode(s + i, n - i, &cp);
        if (!l) return 0;
        i += l;
    }
    return 1;
}

struct rd { const char *p, *end; int depth; };

static void ws(struct rd *r) { while (r->p < r->end && (*r->p == ' ' || *r->p == '\n')) r->p++; }

/* Reads a JSON string; if out is not NULL, decodes it there (\u00XX only,
 * which is all the writer makes). Returns the decoded length or -1. */
static long jstring(struct rd *r, uint8_t *out, size_t cap)
{
    size_t n = 0;
    if (r->p >= r->end || *r->p != '"') return -1;
    r->p++;
    while (r->p < r->end && *r->p != '"') {
        uint8_t c = (uint8_t)*r->p++;
        if (c < 0x20) return -1;
        if (c == '\\') {
            if (r->p >= r->end) return -1;
            char e = *r->p++;
            const char *map = strchr("\"\\/bfnrt", e);
            if (map && e) {
                static const char dec[] = "\"\\/\b\f\n\r\t";
                c = (uint8_t)dec[map - "\"\\/bfnrt"];
            } else if (e == 'u') {
                if (r->end - r->p < 4) return -1;
                unsigned v = 0;
                for (int i = 0; i < 4; i++) {
                    char h = *r->p++;
                    v <<= 4;
                    if (h >= '0' && h <= '9') v |= (unsigned)(h - '0');
                    else if (h >= 'a' && h <= 'f') v |= (unsigned)(h - 'a' + 10);
                    else if (h >= 'A' && h <= 'F') v |= (unsigned)(h - 'A' + 10);
                    else return -1;
                }
                if (v >= 0x80) return -1; /* the writer escapes only controls */
                c = (uint8_t)v;
            } else {
                return -1;
            }
        }
        if (out) { if (n >= cap) return -1; out[n] = c; }
        n++;
    }
    if (r->p >= r->end) return -1;
    r->p++;
    return (long)n;
}

static int jvalue(struct rd *r);

static int jnumber(struct rd *r)
{
    const char *s = r->p;
    if (r->p < r->end && *r->p == '-') r->p++;
    if (r->p >= r->end || *r->p < '0' || *r->p > '9') return 0;
    if (*r->p == '0' && r->p + 1 < r->end && r->p[1] >= '0' && r->p[1] <= '9') return 0;
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9') r->p++;
    return r->p > s;
}

static int jvalue(struct rd *r)
{
    ws(r);
    if (r->p >= r->end || ++r->depth > 32) return 0;
    int ok = 0;
    char c = *r->p;
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        r->p++;
        ws(r);
        if (r->p < r->end && *r->p == close) { r->p++; ok = 1; }
        else for (;;) {
            if (c == '{') {
                ws(r);
                if (jstring(r, NULL, 0) < 0) break;
                ws(r);
                if (r->p >= r->end || *r->p++ != ':') break;
            }
            if (!jvalue(r)) break;
            ws(r);
            if (r->p < r->end && *r->p == ',') { r->p++; continue; }
            if (r->p < r->end && *r->p == close) { r->p++; ok = 1; }
            break;
        }
    } else if (c == '"') {
        ok = jstring(r, NULL, 0) >= 0;
    } else if (r->end - r->p >= 4 && !memcmp(r->p, "true", 4)) { r->p += 4; ok = 1; }
    else if (r->end - r->p >= 5 && !memcmp(r->p, "false", 5)) { r->p += 5; ok = 1; }
    else if (r->end - r->p >= 4 && !memcmp(r->p, "null", 4)) { r->p += 4; ok = 1; }
    else ok = jnumber(r);
    r->depth--;
    return ok;
}

static void check_json(const char *s, int len)
{
    CHECK(len >= 0 && (size_t)len == strlen(s));
    CHECK(utf8_valid((const uint8_t *)s, (size_t)len));
    struct rd r = {s, s + len, 0};
    CHECK(jvalue(&r));
    ws(&r);
    CHECK(r.p == r.end);
}

/* ---- the targets ------------------------------------------------------------------------- */

static void fuzz_escape(const uint8_t *d, size_t n)
{
    static char out[8192];
    static uint8_t back[2048];
    if (n > 1000) n = 1000;
    int len = mqtt_json_escape(out + 1, sizeof out - 2, (const char *)d, n);
    CHECK(len >= 0); /* at most 6 bytes out per byte in */
    out[0] = '"';
    out[len + 1] = '"';
    out[len + 2] = '\0';
    check_json(out, len + 2);
    if (utf8_valid(d, n)) {
        struct rd r = {out, out + len + 2, 0};
        long m = jstring(&r, back, sizeof back);
        CHECK(m == (long)n && memcmp(back, d, n) == 0);
    }
}

static void fuzz_credentials(const uint8_t *d, size_t n)
{
    struct extwd_mqtt_config c;
    memset(&c, 0, sizeof c);
    int rc = extwd_mqtt_parse_credentials(&c, "fuzz", (const char *)d, n);
    CHECK(rc == 0 || rc == EXTWD_MQTT_E_FILE);
    CHECK(memchr(c.error, '\0', sizeof c.error));
    if (rc == 0) {
        CHECK(c.username[0] && !strchr(c.username, '\n') && !strchr(c.password, '\n'));
    } else {
        CHECK(c.error[0] && !strchr(c.error, '\n') && !c.username[0]);
    }
}

/* Options that open files are left out: a fuzzed path could name a FIFO. */
static void fuzz_options(const uint8_t *d, size_t n)
{
    static char buf[512];
    static const char *const names[] = {"host", "port", "client-id", "prefix", "discovery",
                                        "no-discovery", "tls", "interval", "keepalive", "timeout"};
    struct extwd_mqtt_config c;
    if (n < 1 || n > sizeof buf - 1) return;
    memcpy(buf, d + 1, n - 1);
    buf[n - 1] = '\0';
    memset(&c, 0, sizeof c);
    const char *name = names[d[0] % (sizeof names / sizeof names[0])];
    const char *value = (d[0] & 0x80) ? NULL : buf;
    int rc = extwd_mqtt_parse_option(&c, name, value);
    CHECK(memchr(c.error, '\0', sizeof c.error));
    if (rc) {
        CHECK(c.error[0] && !strchr(c.error, '\n'));
        return;
    }
    /* Whatever was accepted builds topics and payloads that are valid. */
    strcpy(c.host, "127.0.0.1");
    struct extwd_mqtt m;
    struct extwd_mqtt_event q[1];
    if (extwd_mqtt_init(&m, &c, buf, 0x26, q, 1) != 0) return;
    char topic[512], payload[4096];
    for (int i = 0; i < extwd_mqtt_discovery_count(&m); i++) {
        int len = extwd_mqtt_discovery(&m, NULL, i, topic, sizeof topic, payload, sizeof payload);
        CHECK(len > 0);
        check_json(payload, len);
        CHECK(!strchr(topic, '+') && !strchr(topic, '#'));
    }
}

static void fuzz_argv(const uint8_t *d, size_t n)
{
    static char buf[512];
    char *argv[34];
    int argc = 1;
    struct extwd_mqtt_config c;
    if (n > sizeof buf - 1) return;
    memcpy(buf, d, n);
    buf[n] = '\0';
    argv[0] = "fuzz";
    for (char *p = buf; argc < 33;) {
        argv[argc++] = p;
        char *z = memchr(p, '\n', (size_t)(buf + n - p));
        if (!z) break;
        *z = '\0';
        p = z + 1;
    }
    argv[argc] = NULL;
    /* No file options here either. */
    for (int i = 1; i < argc; i++)
        if (strstr(argv[i], "cred") || strstr(argv[i], "ca") || strstr(argv[i], "cert") || strstr(argv[i], "key"))
            return;
    memset(&c, 0, sizeof c);
    int before = argc;
    if (extwd_mqtt_parse_argv(&c, &argc, argv) == 0) {
        CHECK(argc >= 1 && argc <= before && argv[argc] == NULL);
        /* No --mqtt-* is left before a "--" (after it everything stays). */
        for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
            CHECK(strncmp(argv[i], "--mqtt-", 7) != 0);
    } else {
        CHECK(c.error[0]);
    }
}

static void fuzz_payloads(const uint8_t *d, size_t n)
{
    struct extwd wd;
    struct extwd_state st;
    struct extwd_mqtt_boot_rec b;
    struct extwd_mqtt_state_rec s;
    struct extwd_mqtt_event ev;
    char out[2048];
    if (n < sizeof wd.boot + sizeof st + sizeof ev + 8) return;
    memset(&b, 0, sizeof b);
    memset(&s, 0, sizeof s);
    memcpy(&b.boot, d, sizeof b.boot);
    d += sizeof b.boot;
    memcpy(&s.st, d, sizeof s.st);
    d += sizeof s.st;
    memcpy(&ev, d, sizeof ev);
    d += sizeof ev;
    b.is_extwd = d[0] & 1;
    b.caps = (uint16_t)(d[1] | d[2] << 8);
    memcpy(b.fw_version, d + 3, 3);
    s.st_valid = d[6] & 1;
    s.is_extwd = d[6] & 2;
    b.boot.reason = (enum extwd_reset_reason)(d[7] % 8); /* out of range too */
    check_json(out, extwd_mqtt_json_boot(&b, out, sizeof out));
    check_json(out, extwd_mqtt_json_state(&s, d[0], d[1], out, sizeof out));
    check_json(out, extwd_mqtt_json_event(&ev, d[2], out, sizeof out));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    switch (data[0] % 5) {
    case 0: fuzz_escape(data + 1, size - 1); break;
    case 1: fuzz_credentials(data + 1, size - 1); break;
    case 2: fuzz_options(data + 1, size - 1); break;
    case 3: fuzz_argv(data + 1, size - 1); break;
    default: fuzz_payloads(data + 1, size - 1); break;
    }
    return 0;
}
