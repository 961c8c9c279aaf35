/*
 * The --mqtt-* options, the credentials file and the environment.
 *
 * Secrets never come from argv, where any user can read them in ps: the
 * password only comes from a file (--mqtt-credentials) or the environment.
 *
 * SPDX-License-Identifier: MIT
 */
#include "extwd_mqtt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CREDENTIALS_MAX 4096

const char *extwd_mqtt_strerror(int err)
{
    switch (err) {
    case EXTWD_MQTT_OK:        return "ok";
    case EXTWD_MQTT_E_INVAL:   return "invalid MQTT option or argument";
    case EXTWD_MQTT_E_FILE:    return "cannot use a file";
    case EXTWD_MQTT_E_LIB:     return "libmosquitto error";
    case EXTWD_MQTT_E_TIMEOUT: return "broker not reached in time";
    case EXTWD_MQTT_E_REFUSED: return "broker refused the connection";
    case EXTWD_MQTT_E_STATE:   return "MQTT call out of order";
    case EXTWD_MQTT_E_UNKNOWN: return "not an MQTT option";
    default:                   return "unknown MQTT error";
    }
}

static int fail(struct extwd_mqtt_config *cfg, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cfg->error, sizeof cfg->error, fmt, ap);
    va_end(ap);
    return err;
}

/* A printable form of an outside string for a one-line message: bytes
 * outside 0x20-0x7E become '?', and more than 80 bytes are cut with "...".
 * Returns out. */
static const char *show(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (; *s && n + 4 < cap && n < 80; s++)
        out[n++] = (*s >= 0x20 && *s < 0x7F) ? *s : '?';
    if (*s && n + 4 <= cap) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
    return out;
}

#define SHOW(s) show((s), (char[96]){0}, 96)

/* Copies s into dst[cap] if it fits. Returns 0 or -1. */
static int copy_str(char *dst, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap)
        return -1;
    memcpy(dst, s, n + 1);
    return 0;
}

/* Parses a decimal number in [lo, hi]: digits only. Returns 0 or -1. */
static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
    uint64_t v = 0;
    if (!s || !*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10u + (uint64_t)(*s - '0');
        if (v > hi)
            return -1;
    }
    if (v < lo)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int is_id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

/* A topic prefix we build on: printable ASCII without the wildcards, no
 * empty level, no leading or trailing '/'. */
static int topic_prefix_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || s[0] == '/' || s[n - 1] == '/' || strstr(s, "//"))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7F || c == '+' || c == '#')
            return 0;
    }
    return 1;
}

static int check_readable_file(struct extwd_mqtt_config *cfg, const char *opt, const char *path)
{
    struct stat sb;
    /* Non-blocking: a FIFO must be refused, not hang the daemon on open. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return fail(cfg, EXTWD_MQTT_E_FILE, "--mqtt-%s: cannot read %s: %s", opt, SHOW(path), strerror(errno));
    int rc = fstat(fd, &sb);
    close(fd);
    if (rc != 0 || !S_ISREG(sb.st_mode))
        return fail(cfg, EXTWD_MQTT_E_FILE, "--mqtt-%s: %s is not a regular file", opt, SHOW(path));
    return 0;
}

int extwd_mqtt_parse_credentials(struct extwd_mqtt_config *cfg, const char *file,
                                 const char *text, size_t len)
{
    char shown[96];
    const char *path = show(file, shown, sizeof shown);
    char user[EXTWD_MQTT_SECRET_MAX] = "", pass[EXTWD_MQTT_SECRET_MAX] = "";
    int have_user = 0, have_pass = 0;
    unsigned line = 0;
    size_t pos = 0;

    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        line++;
        const char *l = text + pos;
        size_t n = end - pos;
        pos = end + 1;

        if (memchr(l, '\0', n))
            return fail(cfg, EXTWD_MQTT_E_FILE, "%s:%u: NUL byte in the line", path, line);
        if (n && l[n - 1] == '\r')
            n--;
        size_t lead = 0;
        while (lead < n && (l[lead] == ' ' || l[lead] == '\t'))
            lead++;
        if (lead == n || l[lead] == '#')
            continue;
        const char *eq = memchr(l, '=', n);
        if (!eq)
            return fail(cfg, EXTWD_MQTT_E_FILE, "%s:%u: expected username=... or password=...", path, line);
        size_t klen = (size_t)(eq - l);
        while (klen > lead && (l[klen - 1] == ' ' || l[klen - 1] == '\t'))
            klen--;
        const char *val = eq + 1;
        size_t vlen = n - (size_t)(val - l); /* taken as written: passwords may hold spaces */
        char *dst;
        int *have;
        if (klen - lead == 8 && memcmp(l + lead, "username", 8) == 0) {
            dst = user;
            have = &have_user;
        } else if (klen - lead == 8 && memcmp(l + lead, "password", 8) == 0) {
            dst = pass;
            have = &have_pass;
        } else {
            return fail(cfg, EXTWD_MQTT_E_FILE, "%s:%u: unknown key (expected username or password)", path, line);
        }
        if (*have)
            return fail(cfg, EXTWD_MQTT_E_FILE, "%s:%u: %.8s given twice", path, line, l + lead);
        if (vlen == 0)
            return fail(cfg, EXTWD_MQTT_E_FILE, "%s:%u: empty %.8s", path, line, l + lead);
        if (vlen >= EXTWD_MQTT_SECRET_MAX)
            return fail(cfg, EXTWD_MQTT_E_FILE, "%s:%u: %.8s longer than %d bytes", path, line, l + lead,
                        EXTWD_MQTT_SECRET_MAX - 1);
        memcpy(dst, val, vlen);
        dst[vlen] = '\0';
        *have = 1;
    }
    if (!have_user)
        return fail(cfg, EXTWD_MQTT_E_FILE, "%s: no username= line", path);
    memcpy(cfg->username, user, sizeof user);
    memcpy(cfg->password, pass, sizeof pass);
    return 0;
}

static int read_credentials_file(struct extwd_mqtt_config *cfg, const char *path)
{
    char text[CREDENTIALS_MAX + 1];
    size_t len = 0;
    struct stat sb;
    /* Non-blocking, and a regular file only: a FIFO would hang every command. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return fail(cfg, EXTWD_MQTT_E_FILE, "cannot read credentials %s: %s", SHOW(path), strerror(errno));
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return fail(cfg, EXTWD_MQTT_E_FILE, "credentials %s: not a regular file", SHOW(path));
    }
    /* As ssh refuses a private key others can read. */
    if (sb.st_mode & 077) {
        close(fd);
        return fail(cfg, EXTWD_MQTT_E_FILE, "credentials %s: readable by others (mode %04o); chmod 600 it",
                    SHOW(path), (unsigned)(sb.st_mode & 07777));
    }
    for (;;) {
        ssize_t r = read(fd, text + len, sizeof text - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            return fail(cfg, EXTWD_MQTT_E_FILE, "cannot read credentials %s: %s", SHOW(path), strerror(e));
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len == sizeof text) {
            close(fd);
            return fail(cfg, EXTWD_MQTT_E_FILE, "%s: larger than %d bytes, not a credentials file",
                        SHOW(path), CREDENTIALS_MAX);
        }
    }
    close(fd);
    int rc = extwd_mqtt_parse_credentials(cfg, path, text, len);
    explicit_bzero(text, sizeof text);
    return rc;
}

int extwd_mqtt_config_init(struct extwd_mqtt_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    const char *file = getenv("EXTWD_MQTT_CREDENTIALS");
    const char *user = getenv("EXTWD_MQTT_USERNAME");
    const char *pass = getenv("EXTWD_MQTT_PASSWORD");
    if (file && *file)
        return read_credentials_file(cfg, file);
    if (user && *user) {
        if (copy_str(cfg->username, sizeof cfg->username, user))
            return fail(cfg, EXTWD_MQTT_E_INVAL, "EXTWD_MQTT_USERNAME: longer than %d bytes",
                        EXTWD_MQTT_SECRET_MAX - 1);
        if (pass && copy_str(cfg->password, sizeof cfg->password, pass))
            return fail(cfg, EXTWD_MQTT_E_INVAL, "EXTWD_MQTT_PASSWORD: longer than %d bytes",
                        EXTWD_MQTT_SECRET_MAX - 1);
    } else if (pass && *pass) {
        return fail(cfg, EXTWD_MQTT_E_INVAL, "EXTWD_MQTT_PASSWORD is set but EXTWD_MQTT_USERNAME is not");
    }
    return 0;
}

struct option_def {
    const char *name;
    uint8_t takes_value;
};

static const struct option_def options[] = {
    {"host", 1}, {"port", 1}, {"client-id", 1}, {"prefix", 1}, {"discovery", 1},
    {"no-discovery", 0}, {"test-button", 0}, {"credentials", 1}, {"tls", 0}, {"cafile", 1}, {"capath", 1},
    {"cert", 1}, {"key", 1}, {"interval", 1}, {"keepalive", 1}, {"timeout", 1},
};

int extwd_mqtt_option_takes_value(const char *name)
{
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
        if (strcmp(options[i].name, name) == 0)
            return options[i].takes_value;
    return EXTWD_MQTT_E_UNKNOWN;
}

const char *extwd_mqtt_usage(void)
{
    return "\nMQTT options (reboot telemetry, Home Assistant discovery; see docs/mqtt.md):\n"
           "  --mqtt-host HOST          broker host name or address (turns MQTT on)\n"
           "  --mqtt-port N             broker port (default 1883, or 8883 with TLS)\n"
           "  --mqtt-client-id ID       device name in topics, [A-Za-z0-9_-] (default: host name)\n"
           "  --mqtt-prefix TOPIC       topic prefix (default extwd)\n"
           "  --mqtt-discovery TOPIC    Home Assistant discovery prefix (default homeassistant)\n"
           "  --mqtt-no-discovery       publish no discovery configs\n"
           "  --mqtt-test-button        also announce a Home Assistant button that runs the test reset\n"
           "  --mqtt-credentials FILE   username=... and password=... lines (or set\n"
           "                            EXTWD_MQTT_USERNAME, EXTWD_MQTT_PASSWORD, EXTWD_MQTT_CREDENTIALS)\n"
           "  --mqtt-tls                TLS, checked against the system CAs\n"
           "  --mqtt-cafile FILE        TLS, checked against this CA (PEM)\n"
           "  --mqtt-capath DIR         TLS, checked against this CA folder\n"
           "  --mqtt-cert FILE          client certificate (PEM), with --mqtt-key FILE\n"
           "  --mqtt-interval SECONDS   state report interval for run (default 30)\n"
           "  --mqtt-keepalive SECONDS  MQTT keepalive, 5-65535 (default 30)\n"
           "  --mqtt-timeout SECONDS    publish: give up after this (default 10)\n";
}

int extwd_mqtt_parse_option(struct extwd_mqtt_config *cfg, const char *name, const char *value)
{
    uint32_t v;
    int takes = extwd_mqtt_option_takes_value(name);

    if (takes < 0)
        return fail(cfg, EXTWD_MQTT_E_UNKNOWN, "unknown option --mqtt-%s", SHOW(name));
    if (takes && !value)
        return fail(cfg, EXTWD_MQTT_E_INVAL, "--mqtt-%s needs a value", name);
    if (!takes && value)
        return fail(cfg, EXTWD_MQTT_E_INVAL, "--mqtt-%s takes no value", name);

    if (strcmp(name, "host") == 0) {
        if (!*value)
            return fail(cfg, EXTWD_MQTT_E_INVAL, "--mqtt-host: empty host");
        for (const char *p = value; *p; p++)
            if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7F)
                return fail(cfg, EXTWD_MQTT_E_INVAL, "--mqtt-host: bad character in host name");
        if (copy_str(cfg->host, sizeof cfg->host, value))
            return fail(cfg, EXTWD_MQTT_E_INVAL, "--mqtt-host: longer than %d bytes", EXTWD_MQTT_HOST_MAX - 1);
    } else if (strcmp(name, "port") == 0) {
        if (parse_u32(value, 1, 65535, &v))
            return fail(cfg, EXTWD_MQTT_E_INVAL, "--mqtt-port: '%s' is not a number from 1 to 65535", SHOW(value));
        cfg->port = (uint16_t)v;
    } else if (strcmp(name, "client-id") == 0) {
        size_t n = strlen(value);
        if (n == 0 || n >= EXTWD_MQTT_ID_MAX)
            return fail(cfg, EXTWD_MQTT_E_INVAL, "--mqtt-client-id: 1 to %d characters", EXTWD_MQTT_ID_MAX - 1);
        for (size_t i = 0; i < n; i++)
            if (!is_id_char(value[i]))
                return fail(cfg, EXTWD_MQTT_E_INVAL, "--mqtt-client-id: only letters, digits, '_' and '-'");
        memcpy(cfg->client_id, value, n + 1);
    } else if (strcmp(name, "prefix") == 0 || strcmp(name, "discovery") == 0) {
        char *dst = name[0] == 'p' ? cfg->prefix : cfg->discovery;
        if (!topic_prefix_ok(value))
            return fail(cfg, EXTWD_MQTT_E_INVAL,
                        "--mqtt-%s: a topic of printable ASCII, no '+', '#', spaces or empty levels", name);
        if (copy_str(dst, EXTWD_MQTT_TOPIC_MAX, value))
            return fail(cfg, EXTWD_MQTT_E_INVAL, "--mqtt-%s: longer than %d bytes", name, EXTWD_MQTT_TOPIC_MAX - 1);
        if (dst == cfg->discovery)
            cfg->discovery_off = 0;
    } else if (strcmp(name, "no-discovery") == 0) {
        cfg->discovery_off = 1;
    } else if (strcmp(name, "test-button") == 0) {
        cfg->test_button = 1;
    } else if (strcmp(name, "credentials") == 0) {
        return read_credentials_file(cfg, value);
    } else if (strcmp(name, "tls") == 0) {
        cfg->tls = 1;
    } else if (strcmp(name, "cafile") == 0 || strcmp(name, "cert") == 0 || strcmp(name, "key") == 0) {
        char *dst = name[0] == 'c' ? (name[1] == 'a' ? cfg->cafile : cfg->certfile) : cfg->keyfile;
        int rc = check_readable_file(cfg, name, value);
        if (rc)
            return rc;
        if (copy_str(dst, EXTWD_MQTT_PATH_MAX, value))
            return fail(cfg, EXTWD_MQTT_E_INVAL, "--mqtt-%s: path longer than %d bytes", name, EXTWD_MQTT_PATH_MAX - 1);
        cfg->tls = 1;
    } else if (strcmp(name, "capath") == 0) {
        struct stat sb;
        if (stat(value, &sb) != 0 || !S_ISDIR(sb.st_mode))
            return fail(cfg, EXTWD_MQTT_E_FILE, "--mqtt-capath: %s is not a folder", SHOW(value));
        if (copy_str(cfg->capath, sizeof cfg->capath, value))
            return fail(cfg, EXTWD_MQTT_E_INVAL, "--mqtt-capath: path longer than %d bytes", EXTWD_MQTT_PATH_MAX - 1);
        cfg->tls = 1;
    } else if (strcmp(name, "interval") == 0) {
        if (parse_u32(value, 1, 86400, &v))
            return fail(cfg, EXTWD_MQTT_E_INVAL, "--mqtt-interval: '%s' is not a number of seconds from 1 to 86400", SHOW(value));
        cfg->state_interval_ms = v * 1000u;
    } else if (strcmp(name, "keepalive") == 0) {
        if (parse_u32(value, 5, 65535, &v))
            return fail(cfg, EXTWD_MQTT_E_INVAL, "--mqtt-keepalive: '%s' is not a number of seconds from 5 to 65535", SHOW(value));
        cfg->keepalive_s = (uint16_t)v;
    } else { /* timeout */
        if (parse_u32(value, 1, 3600, &v))
            return fail(cfg, EXTWD_MQTT_E_INVAL, "--mqtt-timeout: '%s' is not a number of seconds from 1 to 3600", SHOW(value));
        cfg->publish_timeout_ms = v * 1000u;
    }
    return 0;
}

int extwd_mqtt_parse_argv(struct extwd_mqtt_config *cfg, int *argc, char **argv)
{
    static const char pfx[] = "--mqtt-";
    int out = 1, i = 1;

    while (i < *argc) {
        char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            while (i < *argc)
                argv[out++] = argv[i++];
            break;
        }
        if (strncmp(a, pfx, sizeof pfx - 1) != 0) {
            argv[out++] = argv[i++];
            continue;
        }
        char name[32];
        const char *n = a + sizeof pfx - 1;
        const char *eq = strchr(n, '=');
        size_t nlen = eq ? (size_t)(eq - n) : strlen(n);
        if (nlen == 0 || nlen >= sizeof name)
            return fail(cfg, EXTWD_MQTT_E_INVAL, "unknown option %s", SHOW(a));
        memcpy(name, n, nlen);
        name[nlen] = '\0';
        int takes = extwd_mqtt_option_takes_value(name);
        if (takes < 0)
            return fail(cfg, EXTWD_MQTT_E_INVAL, "unknown option --mqtt-%s", SHOW(name));
        const char *value = NULL;
        if (eq)
            value = eq + 1;
        else if (takes) {
            if (i + 1 >= *argc)
                return fail(cfg, EXTWD_MQTT_E_INVAL, "--mqtt-%s needs a value", name);
            value = argv[++i];
        }
        int rc = extwd_mqtt_parse_option(cfg, name, value);
        if (rc)
            return rc;
        i++;
    }
    *argc = out;
    argv[out] = NULL;
    return 0;
}

int extwd_mqtt_config_check(struct extwd_mqtt_config *cfg)
{
    if (!cfg->host[0])
        return fail(cfg, EXTWD_MQTT_E_INVAL, "MQTT needs --mqtt-host");
    if (cfg->keyfile[0] && !cfg->certfile[0])
        return fail(cfg, EXTWD_MQTT_E_INVAL, "--mqtt-key needs --mqtt-cert");
    if (cfg->certfile[0] && !cfg->keyfile[0])
        return fail(cfg, EXTWD_MQTT_E_INVAL, "--mqtt-cert needs --mqtt-key");
    if (cfg->password[0] && !cfg->username[0])
        return fail(cfg, EXTWD_MQTT_E_INVAL, "an MQTT password needs a username");
    if (cfg->tls && !cfg->cafile[0] && !cfg->capath[0]) {
        struct stat sb;
        if (stat("/etc/ssl/certs", &sb) != 0 || !S_ISDIR(sb.st_mode))
            return fail(cfg, EXTWD_MQTT_E_FILE, "--mqtt-tls: no /etc/ssl/certs; give --mqtt-cafile");
    }
    return 0;
}
