/*
 * extwdctl: command-line control of an extwd (or stock TinyI2CWatchdog) chip
 * over Linux i2c-dev, and a feeding daemon guarded by a health command.
 *
 *   extwdctl [--bus N|/dev/i2c-N] [--addr 0x26] [--retries N] [--json]
 *            [--config FILE] COMMAND [ARGS]     (options go anywhere)
 *
 * Every failure is one line on stderr and a non-zero exit: 1 for the bus or
 * the chip, 2 for a bad command line, 3 when `run` stopped feeding.
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: extwdctl [OPTIONS] COMMAND [ARGS]   (options go anywhere; --opt=value works)\n"
            "Control an extwd I2C watchdog chip (or a stock TinyI2CWatchdog) over Linux i2c-dev.\n"
            "\n"
            "options:\n"
            "  --bus N|PATH    I2C bus: a number as i2c-tools take it (1 = /dev/i2c-1) or a\n"
            "                  device path (default $EXTWD_BUS, else " CTL_DEFAULT_BUS ")\n"
            "  --addr ADDR     chip address, 0x08-0x77 (default 0x26)\n"
            "  --retries N     extra attempts after a failed transfer, 0-5 (default 2)\n"
            "  --json          machine-readable output (status, get, history)\n"
            "  --config FILE   read options from FILE first, one `name value` a line\n"
            "                  (e.g. /etc/extwd.conf); the command line wins\n"
            "  --version       the version\n"
            "  --help          this text\n"
            "Numbers are decimal or 0x-hex (a leading 0 is decimal).\n");
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

enum {
    O_BUS = 256, O_ADDR, O_RETRIES, O_JSON, O_VERSION, O_CONFIG,
    R_INTERVAL, R_HEALTH_CMD, R_HEALTH_INTERVAL, R_HEALTH_TIMEOUT, R_HEALTH_RETRY, R_REPAIR_CMD,
    R_DURATION, R_ARM, R_DISARM_ON_EXIT, R_VERBOSE, R_TIMEOUT, R_SHUTDOWN_TIMEOUT, R_STATE_FILE,
};

static const struct option long_options[] = {
    {"bus", required_argument, NULL, O_BUS},
    {"addr", required_argument, NULL, O_ADDR},
    {"retries", required_argument, NULL, O_RETRIES},
    {"json", no_argument, NULL, O_JSON},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, O_VERSION},
    {"config", required_argument, NULL, O_CONFIG},
    {"interval", required_argument, NULL, R_INTERVAL},
    {"health-cmd", required_argument, NULL, R_HEALTH_CMD},
    {"health-interval", required_argument, NULL, R_HEALTH_INTERVAL},
    {"health-timeout", required_argument, NULL, R_HEALTH_TIMEOUT},
    {"health-retry", required_argument, NULL, R_HEALTH_RETRY},
    {"repair-cmd", required_argument, NULL, R_REPAIR_CMD},
    {"duration", required_argument, NULL, R_DURATION},
    {"arm", no_argument, NULL, R_ARM},
    {"disarm-on-exit", no_argument, NULL, R_DISARM_ON_EXIT},
    {"verbose", no_argument, NULL, R_VERBOSE},
    {"timeout", required_argument, NULL, R_TIMEOUT},
    {"shutdown-timeout", required_argument, NULL, R_SHUTDOWN_TIMEOUT},
    {"state-file", required_argument, NULL, R_STATE_FILE},
    {NULL, 0, NULL, 0},
};

static const char *option_name(int code)
{
    for (const struct option *o = long_options; o->name; o++)
        if (o->val == code)
            return o->name;
    return "?";
}

static int run_number(int code, const char *v, uint32_t min, uint32_t max, const char *unit,
                      uint32_t *out)
{
    uint32_t n;
    if (!v || ctl_parse_u32(v, max, &n) || n < min)
        return ctl_fail(CTL_EXIT_USAGE, "run: --%s needs a number of %s in %lu-%lu, not '%s'",
                        option_name(code), unit, (unsigned long)min, (unsigned long)max, v ? v : "");
    *out = n;
    return 0;
}

static int run_string(int code, const char *v, const char *what, const char **out)
{
    if (!v || !*v)
        return ctl_fail(CTL_EXIT_USAGE, "run: --%s needs %s", option_name(code), what);
    *out = v;
    return 0;
}

/* One option of run. Returns 0 or CTL_EXIT_USAGE. */
static int run_option(struct ctl_run_opts *ro, int code, const char *v)
{
    if (!ro->seen)
        ro->seen = option_name(code);
    switch (code) {
    case R_INTERVAL: return run_number(code, v, 1, 0xFFFF, "ms", &ro->interval_ms);
    case R_HEALTH_CMD: return run_string(code, v, "a command", &ro->health_cmd);
    case R_HEALTH_INTERVAL:
        ro->have_health_interval = 1;
        return run_number(code, v, 1, 86400000u, "ms", &ro->health_interval_ms);
    case R_HEALTH_TIMEOUT: return run_number(code, v, 1, 86400000u, "ms", &ro->health_timeout_ms);
    case R_HEALTH_RETRY: return run_number(code, v, 0, 86400u, "seconds", &ro->health_retry_s);
    case R_REPAIR_CMD: return run_string(code, v, "a command", &ro->repair_cmd);
    case R_DURATION: return run_number(code, v, 1, 0x7FFFFFFFu, "ms", &ro->duration_ms);
    case R_TIMEOUT: return run_number(code, v, 100, EXTWD_TIMEOUT_MS_MAX, "ms", &ro->timeout_ms);
    case R_SHUTDOWN_TIMEOUT:
        if (v && !strcmp(v, "0")) {
            ro->shutdown_timeout_ms = 0;
            return 0;
        }
        return run_number(code, v, 100, EXTWD_TIMEOUT_MS_MAX, "ms (or 0)", &ro->shutdown_timeout_ms);
    case R_STATE_FILE: return run_string(code, v, "a file name", &ro->state_file);
    case R_ARM: ro->arm = 1; return 0;
    case R_DISARM_ON_EXIT: ro->disarm_on_exit = 1; return 0;
    case R_VERBOSE: ro->verbose = 1; return 0;
    }
    return CTL_EXIT_USAGE;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* One global option. Returns 0 or CTL_EXIT_USAGE. */
static int global_option(struct ctl_opts *o, int code, const char *v)
{
    uint32_t n;
    switch (code) {
    case 'h': o->help = 1; return 0;
    case O_VERSION: o->version = 1; return 0;
    case O_JSON: o->json = 1; return 0;
    case O_CONFIG: return 0; /* taken out by main before parsing */
    case O_BUS:
        if (!v || !*v)
            return ctl_fail(CTL_EXIT_USAGE, "--bus needs a bus number or a device path, e.g. 1 or /dev/i2c-1");
        if (all_digits(v)) { /* as i2cdetect and i2cget take it */
            if (ctl_parse_u32(v, 0xFFFFF, &n))
                return ctl_fail(CTL_EXIT_USAGE, "--bus: '%s' is not a bus number", v);
            snprintf(o->bus_path, sizeof o->bus_path, "/dev/i2c-%lu", (unsigned long)n);
            o->bus = o->bus_path;
        } else {
            o->bus = v;
        }
        return 0;
    case O_ADDR:
        if (ctl_parse_u32(v, 0xFF, &n) || n < EXTWD_I2C_ADDR_MIN || n > EXTWD_I2C_ADDR_MAX)
            return ctl_fail(CTL_EXIT_USAGE, "--addr: '%s' is not a 7-bit address in 0x08-0x77", v ? v : "");
        o->addr = (uint8_t)n;
        return 0;
    case O_RETRIES:
        if (ctl_parse_u32(v, 5, &n))
            return ctl_fail(CTL_EXIT_USAGE, "--retries: '%s' is not a number in 0-5", v ? v : "");
        o->retries = (uint8_t)n;
        return 0;
    }
    return -1;
}

int ctl_parse_options(struct ctl_opts *o, struct ctl_run_opts *ro, int *argc, char **argv)
{
    optind = 0; /* glibc: start afresh (the daemon parses again on SIGHUP) */
    opterr = 0;
    int code;
    while ((code = getopt_long(*argc, argv, ":h", long_options, NULL)) != -1) {
        const char *v = optarg;
        if (code == '?') {
            const char *bad = argv[optind - 1];
            if (optopt && optopt < 256)
                return ctl_fail(CTL_EXIT_USAGE, "unknown option '-%c' (try --help)", optopt);
            return ctl_fail(CTL_EXIT_USAGE, "unknown option '%s' (try --help)", bad);
        }
        if (code == ':') {
            code = optopt;
            v = NULL;
        }
        int r = code >= R_INTERVAL ? run_option(ro, code, v) : global_option(o, code, v);
        if (r)
            return r;
    }
    /* getopt_long put the operands last, in order. */
    int n = 1;
    for (int i = optind; i < *argc; i++)
        argv[n++] = argv[i];
    argv[n] = NULL;
    *argc = n;
    if (!ro->have_health_interval)
        ro->health_interval_ms = ro->interval_ms;
    return 0;
}

static int strip_extension_option(const char *arg)
{
    for (size_t i = 0; ctl_extensions[i]; i++)
        if (ctl_extensions[i]->takes_value) {
            int t = ctl_extensions[i]->takes_value(arg);
            if (t >= 0)
                return t;
        }
    return -1;
}

int ctl_join_args(const struct ctl *c, const struct ctl_config *cf, char **out)
{
    int n = 0, operands = 0;
    out[n++] = c->cli_argv[0];
    const char *const *parts[2] = {(const char *const *)cf->argv, (const char *const *)c->cli_argv + 1};
    int counts[2] = {cf->argc, c->cli_argc - 1};
    for (int p = 0; p < 2; p++)
        for (int i = 0; i < counts[p]; i++) {
            const char *a = parts[p][i];
            if (!operands && !strcmp(a, "--"))
                operands = 1;
            int t = operands ? -1 : strip_extension_option(a);
            if (t < 0)
                out[n++] = (char *)(uintptr_t)a;
            else if (t == 1)
                i++;
        }
    out[n] = NULL;
    return n;
}

/* Takes --config FILE out of argv into c (before "--"). Returns 0 or an exit code. */
static int take_config(struct ctl *c, int argc, char **argv)
{
    c->cli_argv = calloc((size_t)argc + 1, sizeof *c->cli_argv);
    if (!c->cli_argv)
        return ctl_fail(CTL_EXIT_FAIL, "out of memory");
    int n = 0, operands = 0;
    c->cli_argv[n++] = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!operands && !strcmp(a, "--"))
            operands = 1;
        if (!operands && !strcmp(a, "--config")) {
            if (i + 1 >= argc || !*argv[i + 1])
                return ctl_fail(CTL_EXIT_USAGE, "--config needs a file, e.g. /etc/extwd.conf");
            c->config_path = argv[++i];
        } else if (!operands && !strncmp(a, "--config=", 9)) {
            if (!a[9])
                return ctl_fail(CTL_EXIT_USAGE, "--config needs a file, e.g. /etc/extwd.conf");
            c->config_path = a + 9;
        } else {
            c->cli_argv[n++] = argv[i];
        }
    }
    c->cli_argc = n;
    return 0;
}

/* The first run option on the command line itself (the configuration file
 * may hold the daemon's options for every command). Returns it or NULL. */
static const char *cli_run_option(const struct ctl *c)
{
    for (int i = 1; i < c->cli_argc && strcmp(c->cli_argv[i], "--") != 0; i++) {
        const char *a = c->cli_argv[i];
        if (strncmp(a, "--", 2) != 0)
            continue;
        size_t n = strcspn(a + 2, "=");
        for (const struct option *o = long_options; o->name; o++)
            if (o->val >= R_INTERVAL && strlen(o->name) == n && !strncmp(o->name, a + 2, n))
                return o->name;
    }
    return NULL;
}

static int command_help(const struct ctl_command *k)
{
    printf("usage: extwdctl [OPTIONS] %s %s\n  %s\n", k->name, k->args, k->help);
    if (k->more)
        fputs(k->more, stdout);
    return CTL_EXIT_OK;
}

int main(int argc, char **argv)
{
    static struct ctl c;
    c.lx.fd = -1;
    const char *env_bus = getenv("EXTWD_BUS");
    c.opt.bus = env_bus && *env_bus ? env_bus : CTL_DEFAULT_BUS;
    c.opt.addr = EXTWD_I2C_ADDR_DEFAULT;
    c.opt.retries = 2;
    c.run = (struct ctl_run_opts)CTL_RUN_OPTS_DEFAULT;

    int r = take_config(&c, argc, argv);
    if (r)
        return r;
    if (c.config_path) {
        char err[384];
        if (ctl_config_read(&c.config, c.config_path, err, sizeof err))
            return ctl_fail(CTL_EXIT_USAGE, "%s", err);
    }
    /* [argv0, the file's options..., the command line...]: the last word wins. */
    char **args = calloc((size_t)(c.config.argc + c.cli_argc + 1), sizeof *args);
    if (!args)
        return ctl_fail(CTL_EXIT_FAIL, "out of memory");
    int nargs = 0;
    args[nargs++] = argv[0];
    for (int i = 0; i < c.config.argc; i++)
        args[nargs++] = c.config.argv[i];
    for (int i = 1; i < c.cli_argc; i++)
        args[nargs++] = c.cli_argv[i];

    /* Extensions take their own options out first. */
    for (size_t i = 0; ctl_extensions[i]; i++) {
        char err[384] = "";
        if (ctl_extensions[i]->parse && ctl_extensions[i]->parse(&nargs, args, err, sizeof err))
            return ctl_fail(CTL_EXIT_USAGE, "%s", err[0] ? err : "bad option");
    }
    if ((r = ctl_parse_options(&c.opt, &c.run, &nargs, args)) != 0)
        return r;
    if (c.opt.version) {
        printf("extwdctl %s\n", EXTWD_VERSION);
        return CTL_EXIT_OK;
    }

    const struct ctl_command *k = NULL;
    if (nargs > 1) {
        for (k = ctl_commands; k->name && strcmp(k->name, args[1]) != 0; k++)
            ;
        if (!k->name)
            return ctl_fail(CTL_EXIT_USAGE, "unknown command '%s' (try --help)", args[1]);
    }
    if (c.opt.help) {
        if (k)
            return command_help(k);
        usage(stdout);
        return CTL_EXIT_OK;
    }
    if (!k)
        return ctl_fail(CTL_EXIT_USAGE, "no command given (try --help)");
    const char *seen = c.run.seen ? cli_run_option(&c) : NULL;
    if (seen && k->run != ctl_cmd_run)
        return ctl_fail(CTL_EXIT_USAGE, "%s: --%s is an option of run (try extwdctl run --help)", k->name,
                        seen);
    if (k->check) {
        r = k->check(nargs - 1, args + 1);
        if (r)
            return r;
    } else if (nargs > 2) {
        return ctl_fail(CTL_EXIT_USAGE, "%s: unexpected argument '%s'", k->name, args[2]);
    }
    if (k->needs_chip) {
        r = ctl_connect(&c, 0);
        if (r)
            return r;
    }
    r = k->run(&c, nargs - 1, args + 1);
    extwd_linux_close(&c.lx);
    if (fflush(stdout) != 0 && r == 0)
        return ctl_fail(CTL_EXIT_FAIL, "writing the output: %s", strerror(errno));
    return r;
}
