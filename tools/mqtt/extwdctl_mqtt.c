/*
 * extwdctl's MQTT extension (tools/extwdctl/ctl.h): the --mqtt-* options,
 * the `publish` subcommand and the hooks that give `run` its telemetry.
 * Compiled into extwdctl; the logic is in extwd_mqtt (this folder).
 *
 * extwdctl is one process with one MQTT configuration, and its extension
 * interface has no context for parse: the state lives in this file. (The
 * library itself keeps none.)
 *
 * SPDX-License-Identifier: MIT
 */
#include "ctl.h"
#include "extwd_mqtt.h"

#include <stdio.h>
#include <string.h>

static struct extwd_mqtt_config mqtt_cfg;
static struct extwd_mqtt_daemon mqtt_daemon;
static int mqtt_on;

/* Returns -1 if arg is no --mqtt-* option, 1 if it takes the next argument. */
static int mqtt_takes_value(const char *arg)
{
    static const char pfx[] = "--mqtt-";
    char name[32];
    if (strncmp(arg, pfx, sizeof pfx - 1) != 0)
        return -1;
    const char *n = arg + sizeof pfx - 1, *eq = strchr(n, '=');
    size_t len = eq ? (size_t)(eq - n) : strlen(n);
    if (len >= sizeof name)
        return -1;
    memcpy(name, n, len);
    name[len] = '\0';
    int t = extwd_mqtt_option_takes_value(name);
    return t < 0 ? -1 : (eq ? 0 : t);
}

static int any_mqtt_option(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (!strncmp(argv[i], "--mqtt-", 7))
            return 1;
    return 0;
}

static int mqtt_parse(int *argc, char **argv, char *err, size_t errlen)
{
    char env_error[EXTWD_MQTT_ERROR_MAX];
    int before = *argc;
    /* No --mqtt-* option: MQTT stays off and the environment (a credentials
     * file among it) is never looked at. */
    if (!any_mqtt_option(*argc, argv))
        return 0;
    int env_rc = extwd_mqtt_config_init(&mqtt_cfg);

    snprintf(env_error, sizeof env_error, "%s", mqtt_cfg.error);
    if (extwd_mqtt_parse_argv(&mqtt_cfg, argc, argv)) {
        snprintf(err, errlen, "%s", mqtt_cfg.error);
        return 1;
    }
    mqtt_on = *argc != before;
    if (!mqtt_on)
        return 0; /* no --mqtt-* option: MQTT stays off, the environment is not looked at */
    /* A broken environment matters only if no credentials file replaced it. */
    if (env_rc && !mqtt_cfg.username[0]) {
        snprintf(err, errlen, "%s", env_error);
        return 1;
    }
    if (extwd_mqtt_config_check(&mqtt_cfg)) {
        snprintf(err, errlen, "%s", mqtt_cfg.error);
        return 1;
    }
    return 0;
}

/* The one mapping of an EXTWD_MQTT_E_* onto extwdctl's exit status, with
 * the one line saying why: bad options are a usage error, anything else
 * (broker, credentials, TLS) a failure, or other_code where extwdctl has
 * always said so (a daemon that cannot start its MQTT side). */
static int exit_status(int rc, const char *what, const char *why, int other_code)
{
    if (rc == 0)
        return CTL_EXIT_OK;
    return ctl_fail(rc == EXTWD_MQTT_E_INVAL ? CTL_EXIT_USAGE : other_code, "%s%s", what, why);
}

static int hook_start(void *ctx, struct ctl *c, uint32_t now)
{
    (void)ctx;
    int rc = extwd_mqtt_daemon_begin(&mqtt_daemon, &mqtt_cfg, c->opt.bus, &c->wd, now, stderr, "extwdctl");
    return exit_status(rc, "", mqtt_daemon.why, CTL_EXIT_USAGE);
}

static void hook_turn(void *ctx, struct ctl *c, uint32_t now)
{
    (void)ctx;
    extwd_mqtt_daemon_turn(&mqtt_daemon, &c->wd, now);
}

/* Bus errors are left out: extwd_mqtt_daemon_turn reports the library's
 * error counter, at most once a second, where run reports every failed turn. */
static void hook_event(void *ctx, struct ctl *c, enum ctl_event ev, int code, uint32_t now)
{
    static const int8_t map[] = {
        [CTL_EV_HEALTH_FAIL] = EXTWD_MQTT_EV_HEALTH_FAIL,
        [CTL_EV_HEALTH_OK] = EXTWD_MQTT_EV_HEALTH_OK,
        [CTL_EV_ARMED] = EXTWD_MQTT_EV_ARMED,
        [CTL_EV_DISARMED] = EXTWD_MQTT_EV_DISARMED,
        [CTL_EV_BUS_ERROR] = -1,
        [CTL_EV_STOPPING] = EXTWD_MQTT_EV_STOPPING,
    };
    (void)ctx;
    (void)c;
    if ((unsigned)ev < sizeof map && map[ev] >= 0)
        extwd_mqtt_daemon_event(&mqtt_daemon, (enum extwd_mqtt_event_kind)map[ev], code, now);
}

static void hook_stop(void *ctx, struct ctl *c, int exit_code)
{
    (void)ctx;
    (void)c;
    (void)exit_code;
    extwd_mqtt_daemon_end(&mqtt_daemon);
}

static const struct ctl_hooks mqtt_hooks = {NULL, hook_start, hook_turn, hook_event, hook_stop};

static const struct ctl_hooks *mqtt_hooks_if_on(void)
{
    return mqtt_on ? &mqtt_hooks : NULL;
}

const struct ctl_extension ctl_mqtt_extension = {"mqtt", mqtt_parse, extwd_mqtt_usage, mqtt_hooks_if_on,
                                                 mqtt_takes_value};

const char ctl_publish_usage[] =
    "  Reads the reset evidence (before anything can clear it) and the state, and\n"
    "  publishes them with the Home Assistant discovery configs; exits when the\n"
    "  broker has acknowledged everything (0), or after --mqtt-timeout with one\n"
    "  line saying why (1). Topics and payloads: docs/mqtt.md.\n";

int ctl_check_publish(int argc, char **argv)
{
    if (argc > 1)
        return ctl_fail(CTL_EXIT_USAGE, "publish: unexpected argument '%s'", argv[1]);
    if (!mqtt_on)
        return ctl_fail(CTL_EXIT_USAGE, "publish needs --mqtt-host HOST (try --help)");
    return 0;
}

int ctl_cmd_publish(struct ctl *c, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    char why[512];
    int rc = extwd_mqtt_cli_publish(&mqtt_cfg, c->opt.bus, &c->wd, ctl_now(c), why, sizeof why);
    return exit_status(rc, "publish: ", why, CTL_EXIT_FAIL);
}
