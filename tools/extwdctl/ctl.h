/*
 * extwdctl internals: one struct for the whole program, the command table,
 * the daemon's hooks and the extension registry.
 *
 * Adding an option set and a subcommand (the planned --mqtt-* and
 * `publish`): write one file with a struct ctl_extension (its options are
 * taken out of argv before extwdctl parses the rest, its hooks see the
 * daemon's start, every loop turn, every event and the stop) and list it in
 * extensions.c; a new subcommand is one more row in commands.c's table.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWDCTL_CTL_H
#define EXTWDCTL_CTL_H

#include <stddef.h>
#include <stdint.h>
#include "extwd/extwd.h"
#include "extwd_linux.h"

/* Exit codes. */
#define CTL_EXIT_OK        0
#define CTL_EXIT_FAIL      1   /* the bus, the chip or the system failed */
#define CTL_EXIT_USAGE     2   /* a bad command line */
#define CTL_EXIT_UNHEALTHY 3   /* run: the health command failed; feeding stopped */

#define CTL_DEFAULT_BUS "/dev/i2c-1"
#ifndef EXTWD_VERSION
#define EXTWD_VERSION "0.0.0-unknown" /* CMake passes project(VERSION) */
#endif
#define CTL_MAX_HOOKS 4

struct ctl;

/* What the daemon reports to its hooks. */
enum ctl_event {
    CTL_EV_HEALTH_FAIL = 0,    /* code: the command's exit status, or -signal, or -1000 for a timeout */
    CTL_EV_HEALTH_OK,          /* health is back (or confirmed the first time) */
    CTL_EV_ARMED,
    CTL_EV_DISARMED,
    CTL_EV_BUS_ERROR,          /* code: the EXTWD_E_* of a failed feed */
    CTL_EV_STOPPING            /* code: the signal number, 0 for --duration */
};

/* Called by `run`; none of them may block (feeding waits on them). */
struct ctl_hooks {
    void *ctx;
    /* After extwd_init, before the first feed: c->wd.boot holds the evidence.
     * Returns 0, or an exit code to stop before feeding. */
    int (*start)(void *ctx, struct ctl *c, uint32_t now);
    /* Every loop turn, after the feed. */
    void (*turn)(void *ctx, struct ctl *c, uint32_t now);
    void (*event)(void *ctx, struct ctl *c, enum ctl_event ev, int code, uint32_t now);
    /* Once, as the daemon ends, with its exit code. */
    void (*stop)(void *ctx, struct ctl *c, int exit_code);
};

/* An option set added by another part. */
struct ctl_extension {
    const char *name;
    /* Takes its options out of argv (closing the gap). Returns 0, or writes
     * one line into err and returns nonzero. */
    int (*parse)(int *argc, char **argv, char *err, size_t errlen);
    /* Help lines for its options (may be NULL). */
    const char *(*usage)(void);
    /* The hooks for `run`, or NULL when its options did not enable it. */
    const struct ctl_hooks *(*hooks)(void);
    /* For re-reading the configuration: returns -1 if arg is not one of its
     * options, 1 if it takes the next argument as its value, else 0. */
    int (*takes_value)(const char *arg);
};

extern const struct ctl_extension *const ctl_extensions[];

struct ctl_opts {
    const char *bus;
    uint8_t addr;
    uint8_t retries;
    int json;
    int help, version;
    char bus_path[32];         /* --bus N means /dev/i2c-N */
};

/* The options of `run` (see ctl_run_usage). */
struct ctl_run_opts {
    uint32_t interval_ms, health_interval_ms, health_timeout_ms, health_retry_s, duration_ms;
    uint32_t timeout_ms;          /* 0: keep the chip's (or the one a protected stop recorded) */
    uint32_t shutdown_timeout_ms; /* 0: a stop leaves the running timeout */
    const char *health_cmd, *repair_cmd, *state_file;
    int arm, disarm_on_exit, verbose, have_health_interval;
    const char *seen;             /* the first run option given, for the other commands' error */
};

#define CTL_RUN_DEFAULT_STATE_FILE "/var/lib/extwd/running-timeout"
#define CTL_RUN_OPTS_DEFAULT                                                                   \
    {.interval_ms = 1000, .health_timeout_ms = 10000, .health_retry_s = 60,                    \
     .shutdown_timeout_ms = 600000}

/* A configuration file as options (config.c). */
#define CTL_CONFIG_MAX_ARGS 256
struct ctl_config {
    int argc;
    char *argv[CTL_CONFIG_MAX_ARGS];
};

struct ctl {
    struct ctl_opts opt;
    struct ctl_run_opts run;
    struct extwd_linux lx;
    struct extwd wd;
    int connected;
    const char *config_path;   /* --config, or NULL */
    struct ctl_config config;
    int cli_argc;              /* the command line after --config was taken out */
    char **cli_argv;
};

struct ctl_command {
    const char *name;
    const char *args;
    const char *help;
    const char *more;          /* further help lines for `extwdctl NAME --help`, or NULL */
    int needs_chip;            /* connect (open the bus, extwd_init) before running */
    /* Checks the arguments before anything touches the bus (NULL: takes
     * none). Returns 0, or CTL_EXIT_USAGE after printing one line. */
    int (*check)(int argc, char **argv);
    int (*run)(struct ctl *c, int argc, char **argv);
};

extern const struct ctl_command ctl_commands[];

/* Prints "extwdctl: <message>" as one line on stderr. Returns code. */
int ctl_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints the one-line message for a library error of an action. Returns
 * CTL_EXIT_FAIL. */
int ctl_fail_extwd(struct ctl *c, const char *action, int err);

/* Parses a decimal or 0x-hex number no larger than max: digits only (a
 * leading 0 is still decimal, never octal), no sign, no spaces.
 * Returns 0 or -1. */
int ctl_parse_u32(const char *s, uint32_t max, uint32_t *out);

/* Parses every option of argv[1..argc) (anywhere, getopt_long) into *o and
 * *ro and moves the other arguments, in order, to argv[1..*argc). Prints one
 * line for a bad option. Returns 0 or CTL_EXIT_USAGE. */
int ctl_parse_options(struct ctl_opts *o, struct ctl_run_opts *ro, int *argc, char **argv);

/* Reads a whole regular file (opened without blocking: a FIFO or a device
 * is refused) into buf, at most size - 1 bytes; with private_only, a file
 * readable or writable by group or others is refused too. On failure writes
 * one line into err. Returns 0 or -1. */
int ctl_read_file(const char *path, char *buf, size_t size, size_t *len, int private_only,
                  char *err, size_t errlen);

/* Reads a configuration file into cf as "--name [value]" arguments. On
 * failure writes one line ("FILE:LINE: why") into err. Returns 0 or -1. */
int ctl_config_read(struct ctl_config *cf, const char *path, char *err, size_t errlen);

/* Frees what ctl_config_read took. */
void ctl_config_free(struct ctl_config *cf);

/* Builds [argv0, config..., command line...] without the extensions' options
 * into out (room for CTL_CONFIG_MAX_ARGS + c->cli_argc + 1). Returns its argc. */
int ctl_join_args(const struct ctl *c, const struct ctl_config *cf, char **out);

/* Opens the bus and initialises the chip (feeds rate-limited to
 * feed_interval_ms, 0 = the library's 100 ms). Returns 0 or an exit code
 * (after printing one line). */
int ctl_connect(struct ctl *c, uint16_t feed_interval_ms);

/* The port's clock. */
uint32_t ctl_now(struct ctl *c);

/* Output, text or JSON (c->opt.json). */
void ctl_print_status(struct ctl *c, const struct extwd_state *st);
void ctl_print_history(struct ctl *c);
const char *ctl_mcu_name(uint8_t id);
void ctl_print_json_string(const char *s);

/* The named settings of get/set. */
int ctl_cmd_get(struct ctl *c, int argc, char **argv);
int ctl_cmd_set(struct ctl *c, int argc, char **argv);
int ctl_check_get(int argc, char **argv);
int ctl_check_set(int argc, char **argv);
void ctl_list_settings(void);

/* The daemon. */
int ctl_cmd_run(struct ctl *c, int argc, char **argv);
extern const char ctl_run_usage[];

/* MQTT telemetry (tools/mqtt/extwdctl_mqtt.c). */
int ctl_cmd_publish(struct ctl *c, int argc, char **argv);
int ctl_check_publish(int argc, char **argv);
extern const char ctl_publish_usage[];

#endif /* EXTWDCTL_CTL_H */
