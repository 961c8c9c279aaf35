/* extwdctl get/set: the chip's registers by name. SPDX-License-Identifier: MIT */
#include "ctl.h"
#include "extwd/registers.h"

#include <stdio.h>
#include <string.h>

struct setting;
typedef int (*setter_fn)(struct ctl *c, const struct setting *s, uint32_t v);

struct setting {
    const char *name;
    uint8_t reg, width, mask;  /* mask: a bit of a 1-byte register, 0 = the whole value */
    uint32_t max;              /* for set */
    setter_fn set;             /* NULL: read-only */
    const char *help;
};

/* A register's address and width, from include/extwd/registers.def. */
#define REG(name) EXTWD_REG_##name, EXTWD_WIDTH_##name

static int read_value(struct ctl *c, uint8_t reg, uint8_t width, uint32_t *v)
{
    uint8_t b[4] = {0};
    int r = extwd_read_regs(&c->wd, reg, b, width);
    *v = (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
    return r;
}

static int set_timeout(struct ctl *c, const struct setting *s, uint32_t v)
{
    (void)s;
    return extwd_set_timeout_ms(&c->wd, v);
}

static int set_armed(struct ctl *c, const struct setting *s, uint32_t v)
{
    (void)s;
    return v ? extwd_arm(&c->wd) : extwd_disarm(&c->wd);
}

static int set_grace(struct ctl *c, const struct setting *s, uint32_t v)
{
    (void)s;
    return extwd_set_grace_s(&c->wd, (uint8_t)v);
}

static int set_busload(struct ctl *c, const struct setting *s, uint32_t v)
{
    (void)s;
    return extwd_set_busload_pct(&c->wd, (uint8_t)v);
}

static int set_address(struct ctl *c, const struct setting *s, uint32_t v)
{
    (void)s;
    return extwd_set_address(&c->wd, (uint8_t)v);
}

static int set_pulse(struct ctl *c, const struct setting *s, uint32_t v)
{
    (void)s;
    return extwd_set_pulse_ms(&c->wd, (uint16_t)v);
}

static int set_max_disarm(struct ctl *c, const struct setting *s, uint32_t v)
{
    (void)s;
    return extwd_set_max_disarm_s(&c->wd, (uint16_t)v);
}

static int set_pretimeout(struct ctl *c, const struct setting *s, uint32_t v)
{
    (void)s;
    uint32_t opt;
    int r = read_value(c, REG(OPTIONS), &opt);
    return r ? r : extwd_set_pretimeout_ms(&c->wd, (uint16_t)v, (opt & EXTWD_OPT_PRETIMEOUT_PIN) != 0);
}

static int set_pretimeout_pin(struct ctl *c, const struct setting *s, uint32_t v)
{
    (void)s;
    uint32_t ms;
    int r = read_value(c, REG(PRETIMEOUT_MS), &ms);
    return r ? r : extwd_set_pretimeout_ms(&c->wd, (uint16_t)ms, (int)v);
}

static int set_window(struct ctl *c, const struct setting *s, uint32_t v)
{
    (void)s;
    return extwd_set_window_ms(&c->wd, (uint16_t)v);
}

static int set_bootloop_part(struct ctl *c, const struct setting *s, uint32_t v)
{
    uint32_t limit, healthy;
    int r = read_value(c, REG(BOOTLOOP_LIMIT), &limit);
    if (r == 0)
        r = read_value(c, REG(HEALTHY_S), &healthy);
    if (r)
        return r;
    if (s->reg == EXTWD_REG_BOOTLOOP_LIMIT)
        limit = v;
    else
        healthy = v;
    return extwd_set_bootloop(&c->wd, (uint8_t)limit, (uint8_t)healthy);
}

static int set_keyed(struct ctl *c, const struct setting *s, uint32_t v)
{
    (void)s;
    return extwd_set_keyed(&c->wd, (int)v);
}

static int set_breadcrumb(struct ctl *c, const struct setting *s, uint32_t v)
{
    (void)s;
    return extwd_breadcrumb(&c->wd, (uint8_t)v);
}

static int set_lock(struct ctl *c, const struct setting *s, uint32_t v)
{
    (void)s;
    return v ? extwd_lock(&c->wd) : EXTWD_E_INVAL;
}

static const struct setting settings[] = {
    {"timeout_ms", REG(TIMEOUT_MS), 0, EXTWD_TIMEOUT_MS_MAX, set_timeout, "countdown, 0 or 100-600000 (stock: whole seconds)"},
    {"armed", REG(ACTION), 0, 1, set_armed, "1 = feed, then arm; 0 = disarm"},
    {"grace_s", REG(GRACE_S), 0, 255, set_grace, "grace after power-up and after each reset"},
    {"busload_pct", REG(BUSLOAD_PCT), 0, 100, set_busload, "bus-health threshold, 1-100"},
    {"address", REG(I2C_ADDR), 0, 0x77, set_address, "move the chip to another address"},
    {"pulse_ms", REG(PULSE_MS), 0, EXTWD_PULSE_MS_MAX, set_pulse, "reset pulse, 1-10000"},
    {"max_disarm_s", REG(MAX_DISARM_S), 0, 0xFFFF, set_max_disarm, "a disarm lasts at most this, 0 = forever"},
    {"pretimeout_ms", REG(PRETIMEOUT_MS), 0, 0xFFFF, set_pretimeout, "warning before the reset, 0 = off"},
    {"pretimeout_pin", REG(OPTIONS), EXTWD_OPT_PRETIMEOUT_PIN, 1, set_pretimeout_pin, "drive the pretimeout pin"},
    {"window_ms", REG(WINDOW_MS), 0, 0xFFFF, set_window, "a feed sooner than this is a fault, 0 = off"},
    {"bootloop_limit", REG(BOOTLOOP_LIMIT), 0, 255, set_bootloop_part, "resets in a row before safe mode, 0 = off"},
    {"healthy_s", REG(HEALTHY_S), 0, 255, set_bootloop_part, "fed this long after a reset = healthy, 1-255"},
    {"keyed", REG(OPTIONS), EXTWD_OPT_KEYED, 1, set_keyed, "protective writes need the key"},
    {"breadcrumb", REG(BREADCRUMB), 0, 255, set_breadcrumb, "where the host is"},
    {"lock", REG(LOCK), 0, 1, set_lock, "1 = lock until the chip powers down (no unlock)"},
    {"timeout_s", REG(TIMEOUT_S), 0, 0, NULL, "timeout in seconds, rounded up (stock register 6)"},
    {"since_feed_s", REG(SINCE_FEED_S), 0, 0, NULL, NULL},
    {"grace_left_s", REG(GRACE_LEFT_S), 0, 0, NULL, NULL},
    {"reset_count", REG(RESET_COUNT), 0, 0, NULL, NULL},
    {"reinit_count", REG(REINIT_COUNT), 0, 0, NULL, NULL},
    {"buserr_count", REG(BUSERR_COUNT), 0, 0, NULL, NULL},
    {"status", REG(STATUS), 0, 0, NULL, "bit 0: reset by the watchdog since the last feed"},
    {"last_cause", REG(LAST_CAUSE), 0, 0, NULL, "1 timeout, 2 test, 3 window"},
    {"proto_version", REG(PROTO_VERSION), 0, 0, NULL, NULL},
    {"mcu_id", REG(MCU_ID), 0, 0, NULL, NULL},
    {"ext_status", REG(EXT_STATUS), 0, 0, NULL, NULL},
    {"caps", REG(CAPS), 0, 0, NULL, NULL},
    {"last_error", REG(LAST_ERROR), 0, 0, NULL, NULL},
    {"refused_count", REG(REFUSED_COUNT), 0, 0, NULL, NULL},
    {"chip_reset", REG(CHIP_RESET), 0, 0, NULL, NULL},
    {"history_len", REG(HISTORY_LEN), 0, 0, NULL, NULL},
    {"bootloop_count", REG(BOOTLOOP_COUNT), 0, 0, NULL, NULL},
    {"window_faults", REG(WINDOW_FAULTS), 0, 0, NULL, NULL},
    {"resets_total", REG(RESETS_TOTAL), 0, 0, NULL, NULL},
    {"options", REG(OPTIONS), 0, 0, NULL, NULL},
    {"breadcrumb_rst", REG(BREADCRUMB_RST), 0, 0, NULL, NULL},
    {"time_left_ms", REG(TIME_LEFT_MS), 0, 0, NULL, NULL},
    {"since_feed_ms", REG(SINCE_FEED_MS), 0, 0, NULL, NULL},
    {"uptime_s", REG(UPTIME_S), 0, 0, NULL, NULL},
    {"grace_left_ms", REG(GRACE_LEFT_MS), 0, 0, NULL, NULL},
    {"disarm_left_s", REG(DISARM_LEFT_S), 0, 0, NULL, NULL},
    {"grace_eff_s", REG(GRACE_EFF_S), 0, 0, NULL, NULL},
};
#define NSETTINGS (sizeof settings / sizeof settings[0])

void ctl_list_settings(void)
{
    printf("  writable:");
    for (size_t i = 0; i < NSETTINGS; i++)
        if (settings[i].set)
            printf(" %s", settings[i].name);
    printf("\n  read-only:");
    for (size_t i = 0; i < NSETTINGS; i++)
        if (!settings[i].set)
            printf(" %s", settings[i].name);
    printf("\n  get also takes a register number and a byte count: get 0x30 4\n");
}

static const struct setting *find(const char *name)
{
    for (size_t i = 0; i < NSETTINGS; i++)
        if (!strcmp(settings[i].name, name))
            return &settings[i];
    return NULL;
}

/* Reads one setting. Returns 0, EXTWD_E_NOTSUP (not on this chip) or EXTWD_E_*. */
static int get_one(struct ctl *c, const struct setting *s, uint32_t *v)
{
    if (!extwd_is_extwd(&c->wd)) {
        if (s->reg == EXTWD_REG_TIMEOUT_MS) {
            int r = read_value(c, REG(TIMEOUT_S), v);
            *v *= 1000u;
            return r;
        }
        if (s->reg > EXTWD_REG_STOCK_LAST)
            return EXTWD_E_NOTSUP;
    }
    int r = read_value(c, s->reg, s->width, v);
    if (r == 0 && s->mask)
        *v = (*v & s->mask) ? 1u : 0u;
    else if (r == 0 && s->reg == EXTWD_REG_ACTION)
        *v = *v == 1u;
    return r;
}

static int get_raw(struct ctl *c, int argc, char **argv)
{
    uint32_t reg = 0, n = 1;
    (void)ctl_parse_u32(argv[1], 0xFF, &reg); /* checked by ctl_check_get */
    if (argc > 2)
        (void)ctl_parse_u32(argv[2], 32, &n);
    uint8_t b[32];
    int r = extwd_read_regs(&c->wd, (uint8_t)reg, b, n);
    if (r == EXTWD_E_INVAL)
        return ctl_fail(CTL_EXIT_USAGE, "get: registers 0x%02x-0x%02x are outside the stock chip's map",
                        reg, reg + n - 1u);
    if (r)
        return ctl_fail_extwd(c, "get", r);
    if (c->opt.json) {
        printf("{\"reg\":%u,\"bytes\":[", reg);
        for (uint32_t i = 0; i < n; i++)
            printf("%s%u", i ? "," : "", b[i]);
        printf("]}\n");
    } else {
        for (uint32_t i = 0; i < n; i++)
            printf("%s%02x", i ? " " : "", b[i]);
        printf("\n");
    }
    return 0;
}

int ctl_check_get(int argc, char **argv)
{
    if (argc > 3)
        return ctl_fail(CTL_EXIT_USAGE, "get: too many arguments (get [NAME | REG [COUNT]])");
    if (argc < 2 || find(argv[1]))
        return argc == 3 ? ctl_fail(CTL_EXIT_USAGE, "get: a count goes only with a register number") : 0;
    uint32_t reg, n = 1;
    if (ctl_parse_u32(argv[1], 0xFF, &reg))
        return ctl_fail(CTL_EXIT_USAGE, "get: unknown setting '%s' (see extwdctl --help)", argv[1]);
    if (argc > 2 && (ctl_parse_u32(argv[2], 32, &n) || n == 0 || reg + n > 0x100u))
        return ctl_fail(CTL_EXIT_USAGE, "get: byte count '%s' must be 1-32 and stay below 0x100", argv[2]);
    return 0;
}

int ctl_cmd_get(struct ctl *c, int argc, char **argv)
{
    if (argc >= 2 && !find(argv[1]))
        return get_raw(c, argc, argv);

    if (argc == 2) {
        const struct setting *s = find(argv[1]);
        uint32_t v;
        int r = get_one(c, s, &v);
        if (r == EXTWD_E_NOTSUP)
            return ctl_fail(CTL_EXIT_FAIL, "get %s: a stock chip has no such register", s->name);
        if (r)
            return ctl_fail_extwd(c, "get", r);
        if (c->opt.json)
            printf("{\"%s\":%lu}\n", s->name, (unsigned long)v);
        else
            printf("%lu\n", (unsigned long)v);
        return 0;
    }

    /* Everything this chip has. */
    const char *sep = "";
    if (c->opt.json)
        printf("{");
    for (size_t i = 0; i < NSETTINGS; i++) {
        uint32_t v;
        int r = get_one(c, &settings[i], &v);
        if (r == EXTWD_E_NOTSUP)
            continue;
        if (r)
            return ctl_fail_extwd(c, "get", r);
        if (c->opt.json)
            printf("%s\"%s\":%lu", sep, settings[i].name, (unsigned long)v);
        else
            printf("%-16s %lu\n", settings[i].name, (unsigned long)v);
        sep = ",";
    }
    if (c->opt.json)
        printf("}\n");
    return 0;
}

static int parse_value(const char *s, uint32_t *v)
{
    static const char *const yes[] = {"on", "yes", "true"}, *const no[] = {"off", "no", "false"};
    for (size_t i = 0; i < 3; i++) {
        if (!strcmp(s, yes[i])) {
            *v = 1;
            return 0;
        }
        if (!strcmp(s, no[i])) {
            *v = 0;
            return 0;
        }
    }
    return ctl_parse_u32(s, 0xFFFFFFFFu, v);
}

int ctl_check_set(int argc, char **argv)
{
    if (argc != 3)
        return ctl_fail(CTL_EXIT_USAGE, "set: needs a setting and a value (set NAME VALUE)");
    const struct setting *s = find(argv[1]);
    if (!s)
        return ctl_fail(CTL_EXIT_USAGE, "set: unknown setting '%s' (see extwdctl --help)", argv[1]);
    if (!s->set)
        return ctl_fail(CTL_EXIT_USAGE, "set: %s is read-only", s->name);
    uint32_t v;
    if (parse_value(argv[2], &v) || v > s->max)
        return ctl_fail(CTL_EXIT_USAGE, "set %s: '%s' is not a number in 0-%lu", s->name, argv[2],
                        (unsigned long)s->max);
    return 0;
}

int ctl_cmd_set(struct ctl *c, int argc, char **argv)
{
    (void)argc;
    const struct setting *s = find(argv[1]);
    uint32_t v = 0;
    (void)parse_value(argv[2], &v); /* checked by ctl_check_set */
    int r = s->set(c, s, v);
    if (r == EXTWD_E_INVAL)
        return ctl_fail(CTL_EXIT_USAGE, "set %s: %s is outside the allowed range (%s)", s->name,
                        argv[2], s->help);
    if (r == EXTWD_E_NOTSUP)
        return ctl_fail(CTL_EXIT_FAIL, "set %s: not supported by this chip%s", s->name,
                        extwd_is_extwd(&c->wd) ? "" : " (a stock TinyI2CWatchdog)");
    if (r == EXTWD_E_LOCKED)
        return ctl_fail(CTL_EXIT_FAIL, "set %s: the chip is locked until it powers down", s->name);
    if (r == EXTWD_E_REFUSED && extwd_last_chip_error(&c->wd) == EXTWD_ERR_RANGE)
        return ctl_fail(CTL_EXIT_FAIL, "set %s: the chip refused %s as out of range", s->name, argv[2]);
    if (r) {
        char what[64];
        snprintf(what, sizeof what, "set %s", s->name);
        return ctl_fail_extwd(c, what, r);
    }
    return 0;
}
