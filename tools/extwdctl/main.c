/*
 * extwdctl: command-line control of an extwd (or stock TinyI2CWatchdog) chip
 * over Linux i2c-dev, and a feeding daemon guarded by a health command.
 *
 *   extwdctl [--bus /dev/i2c-N] [--addr 0x26] [--retries N] [--json] COMMAND [ARGS]
 *
 * Every failure is one line on stderr and a non-zero exit: 1 for the bus or
 * the chip, 2 for a bad command line, 3 when `run` stopped feeding.
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include "ctl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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
                        action, c->wd.cfg.addr, c->opt.bus, c->wd.last_chip_error);
    if (err == EXTWD_E_NODEV)
        return ctl_fail(CTL_EXIT_FAIL, "%s: no chip answers at 0x%02x on %s", action,
                        c->wd.cfg.addr, c->opt.bus);
    if (err == EXTWD_E_IO && c->lx.last_errno)
        return ctl_fail(CTL_EXIT_FAIL, "%s: bus error on %s (%s)", action, c->opt.bus,
                        strerror(c->lx.last_errno));
    return ctl_fail(CTL_EXIT_FAIL, "%s: %s (chip at 0x%02x on %s)", action, extwd_strerror(err),
                    c->wd.cfg.addr, c->opt.bus);
}

int ctl_parse_u32(const char *s, uint32_t max, uint32_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || v > max)
        return -1;
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

static void usage(FILE *out)
{
    fprintf(out,
            "usage: extwdctl [OPTIONS] COMMAND [ARGS]\n"
            "Control an extwd I2C watchdog chip (or a stock TinyI2CWatchdog) over Linux i2c-dev.\n"
            "\n"
            "options:\n"
            "  --bus PATH      I2C bus device (default $EXTWD_BUS, else " CTL_DEFAULT_BUS ")\n"
            "  --addr ADDR     chip address, 0x08-0x77 (default 0x26)\n"
            "  --retries N     extra attempts after a failed transfer, 0-5 (default 2)\n"
            "  --json          machine-readable output (status, get, history)\n"
            "  --help          this text\n");
    for (size_t i = 0; ctl_extensions[i]; i++)
        if (ctl_extensions[i]->usage)
            fputs(ctl_extensions[i]->usage(), out);
    fprintf(out, "\ncommands:\n");
    for (const struct ctl_command *k = ctl_commands; k->name; k++) {
        char head[64];
        snprintf(head, sizeof head, "%s %s", k->name, k->args);
        fprintf(out, "  %-30s %s\n", head, k->help);
    }
    fprintf(out, "\nsettings for get/set:\n");
    ctl_list_settings();
    fprintf(out,
            "\nExit status: 0 ok, 1 bus or chip error, 2 bad command line, 3 run stopped\n"
            "feeding because the health command failed.\n");
}

/* Matches "--name VALUE" and "--name=VALUE"; advances *i past the value. */
static int opt_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        *value = a + n + 1;
        return 1;
    }
    if (a[n] != 0)
        return 0;
    if (*i + 1 >= argc) {
        *value = NULL;
        return 1;
    }
    *value = argv[++*i];
    return 1;
}

int main(int argc, char **argv)
{
    struct ctl c;
    memset(&c, 0, sizeof c);
    c.lx.fd = -1;
    const char *env_bus = getenv("EXTWD_BUS");
    c.opt.bus = env_bus && *env_bus ? env_bus : CTL_DEFAULT_BUS;
    c.opt.addr = EXTWD_I2C_ADDR_DEFAULT;
    c.opt.retries = 2;

    /* Extensions take their own options out first. */
    for (size_t i = 0; ctl_extensions[i]; i++) {
        char err[384] = "";
        if (ctl_extensions[i]->parse && ctl_extensions[i]->parse(&argc, argv, err, sizeof err))
            return ctl_fail(CTL_EXIT_USAGE, "%s", err[0] ? err : "bad option");
    }

    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i], *v;
        uint32_t n;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return CTL_EXIT_OK;
        } else if (!strcmp(a, "--json")) {
            c.opt.json = 1;
        } else if (opt_value(argc, argv, &i, "--bus", &v)) {
            if (!v || !*v)
                return ctl_fail(CTL_EXIT_USAGE, "--bus needs a device path, e.g. /dev/i2c-1");
            c.opt.bus = v;
        } else if (opt_value(argc, argv, &i, "--addr", &v)) {
            if (ctl_parse_u32(v, 0xFF, &n) || n < EXTWD_I2C_ADDR_MIN || n > EXTWD_I2C_ADDR_MAX)
                return ctl_fail(CTL_EXIT_USAGE, "--addr: '%s' is not a 7-bit address in 0x08-0x77",
                                v ? v : "");
            c.opt.addr = (uint8_t)n;
        } else if (opt_value(argc, argv, &i, "--retries", &v)) {
            if (ctl_parse_u32(v, 5, &n))
                return ctl_fail(CTL_EXIT_USAGE, "--retries: '%s' is not a number in 0-5", v ? v : "");
            c.opt.retries = (uint8_t)n;
        } else {
            return ctl_fail(CTL_EXIT_USAGE, "unknown option '%s' (try --help)", a);
        }
    }
    if (i >= argc)
        return ctl_fail(CTL_EXIT_USAGE, "no command given (try --help)");

    const struct ctl_command *k = ctl_commands;
    while (k->name && strcmp(k->name, argv[i]) != 0)
        k++;
    if (!k->name)
        return ctl_fail(CTL_EXIT_USAGE, "unknown command '%s' (try --help)", argv[i]);
    if (i + 1 < argc && (!strcmp(argv[i + 1], "--help") || !strcmp(argv[i + 1], "-h"))) {
        printf("usage: extwdctl [OPTIONS] %s %s\n  %s\n", k->name, k->args, k->help);
        if (k->more)
            fputs(k->more, stdout);
        return CTL_EXIT_OK;
    }
    if (k->check) {
        int r = k->check(argc - i, argv + i);
        if (r)
            return r;
    } else if (i + 1 < argc) {
        return ctl_fail(CTL_EXIT_USAGE, "%s: unexpected argument '%s'", k->name, argv[i + 1]);
    }
    if (k->needs_chip) {
        int r = ctl_connect(&c, 0);
        if (r)
            return r;
    }
    int r = k->run(&c, argc - i, argv + i);
    extwd_linux_close(&c.lx);
    if (fflush(stdout) != 0 && r == 0)
        return ctl_fail(CTL_EXIT_FAIL, "writing the output: %s", strerror(errno));
    return r;
}
