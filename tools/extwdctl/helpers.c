/*
 * extwdctl's helpers for every command: one-line failures, number parsing,
 * the clock and the connection to the chip. Kept out of main.c (the entry
 * point and its option parsing), so that the commands and settings.c depend
 * on this file and ctl.h, and main.c on them, with no cycle.
 *
 * SPDX-License-Identifier: MIT
 */
#include "ctl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int ctl_fail(int code, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* One line, whatever the message held. */
    for (char *p = line; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    fprintf(stderr, "extwdctl: %s\n", line);
    return code;
}

int ctl_fail_extwd(struct ctl *c, const char *action, int err)
{
    if (err == EXTWD_E_REFUSED)
        return ctl_fail(CTL_EXIT_FAIL, "%s: refused by the chip at 0x%02x on %s (LAST_ERROR %u)",
                        action, extwd_address(&c->wd), c->opt.bus, extwd_last_chip_error(&c->wd));
    if (err == EXTWD_E_NODEV)
        return ctl_fail(CTL_EXIT_FAIL, "%s: no chip answers at 0x%02x on %s", action,
                        extwd_address(&c->wd), c->opt.bus);
    if (err == EXTWD_E_IO && c->lx.last_errno)
        return ctl_fail(CTL_EXIT_FAIL, "%s: bus error on %s (%s)", action, c->opt.bus,
                        strerror(c->lx.last_errno));
    return ctl_fail(CTL_EXIT_FAIL, "%s: %s (chip at 0x%02x on %s)", action, extwd_strerror(err),
                    extwd_address(&c->wd), c->opt.bus);
}

int ctl_parse_u32(const char *s, uint32_t max, uint32_t *out)
{
    /* strtoull's base 0 would read "010" as octal and skip leading spaces. */
    if (!s || *s < '0' || *s > '9')
        return -1;
    int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const char *digits = hex ? s + 2 : s;
    if (!*digits)
        return -1;
    uint64_t v = 0;
    for (const char *p = digits; *p; p++) {
        unsigned d;
        if (*p >= '0' && *p <= '9')
            d = (unsigned)(*p - '0');
        else if (hex && *p >= 'a' && *p <= 'f')
            d = (unsigned)(*p - 'a' + 10);
        else if (hex && *p >= 'A' && *p <= 'F')
            d = (unsigned)(*p - 'A' + 10);
        else
            return -1;
        v = v * (hex ? 16u : 10u) + d;
        if (v > max)
            return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

uint32_t ctl_now(struct ctl *c)
{
    return c->lx.port.millis(c->lx.port.ctx);
}

int ctl_connect(struct ctl *c, uint16_t feed_interval_ms)
{
    char err[256];
    int r = extwd_linux_open(&c->lx, c->opt.bus, err, sizeof err);
    if (r)
        return ctl_fail(CTL_EXIT_FAIL, "%s", err);
    struct extwd_config cfg = {.port = &c->lx.port, .addr = c->opt.addr, .retries = c->opt.retries,
                               .feed_interval_ms = feed_interval_ms};
    r = extwd_init(&c->wd, &cfg);
    if (r == EXTWD_E_NODEV)
        return ctl_fail(CTL_EXIT_FAIL, "no chip answers at 0x%02x on %s", c->opt.addr, c->opt.bus);
    if (r)
        return ctl_fail_extwd(c, "reading the chip", r);
    c->connected = 1;
    return 0;
}
