/* extwdctl subcommands. A new one is one more row in ctl_commands.
 * SPDX-License-Identifier: MIT */
#include "ctl.h"

#include <stdio.h>
#include <string.h>

static int cmd_status(struct ctl *c, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    struct extwd_state st;
    int r = extwd_get_state(&c->wd, &st);
    if (r)
        return ctl_fail_extwd(c, "status", r);
    ctl_print_status(c, &st);
    return 0;
}

static int cmd_feed(struct ctl *c, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    int r = extwd_feed_now(&c->wd);
    return r ? ctl_fail_extwd(c, "feed", r) : 0;
}

static int cmd_arm(struct ctl *c, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    int r = extwd_arm(&c->wd);
    return r ? ctl_fail_extwd(c, "arm", r) : 0;
}

static int cmd_disarm(struct ctl *c, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    int r = extwd_disarm(&c->wd);
    if (r == EXTWD_E_LOCKED)
        return ctl_fail(CTL_EXIT_FAIL, "disarm: the chip is locked until it powers down");
    if (r == EXTWD_E_REFUSED && extwd_last_chip_error(&c->wd) == EXTWD_ERR_KEY)
        return ctl_fail(CTL_EXIT_FAIL, "disarm: refused: the chip wants the key (keyed mode)");
    return r ? ctl_fail_extwd(c, "disarm", r) : 0;
}

static int cmd_save(struct ctl *c, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    int r = extwd_save(&c->wd);
    return r ? ctl_fail_extwd(c, "save", r) : 0;
}

static int check_clear(int argc, char **argv)
{
    if (argc != 2)
        return ctl_fail(CTL_EXIT_USAGE, "clear: say what: counters or flags");
    if (strcmp(argv[1], "counters") && strcmp(argv[1], "flags"))
        return ctl_fail(CTL_EXIT_USAGE, "clear: '%s' is neither counters nor flags", argv[1]);
    return 0;
}

static int cmd_clear(struct ctl *c, int argc, char **argv)
{
    (void)argc;
    int r;
    if (!strcmp(argv[1], "counters"))
        r = extwd_clear_counters(&c->wd);
    else
        r = extwd_clear_flags(&c->wd, (uint16_t)((EXTWD_STATUS_WD_RESET << 8) |
                                                 (extwd_is_extwd(&c->wd) ? EXTWD_XS_STICKY : 0u)));
    return r ? ctl_fail_extwd(c, "clear", r) : 0;
}

static int cmd_history(struct ctl *c, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    ctl_print_history(c);
    return 0;
}

const struct ctl_command ctl_commands[] = {
    {"status", "", "identity, last reset reason, armed, timeout, time left, counters", NULL, 1, NULL, cmd_status},
    {"feed", "", "feed the watchdog once", NULL, 1, NULL, cmd_feed},
    {"arm", "", "feed, then arm", NULL, 1, NULL, cmd_arm},
    {"disarm", "", "disarm (with the key in keyed mode; bounded by max_disarm_s)", NULL, 1, NULL, cmd_disarm},
    {"get", "[NAME | REG [COUNT]]", "read one setting, a raw register range, or everything", NULL, 1, ctl_check_get, ctl_cmd_get},
    {"set", "NAME VALUE", "write one setting (not saved until `save`)", NULL, 1, ctl_check_set, ctl_cmd_set},
    {"save", "", "save the settings to the chip's EEPROM", NULL, 1, NULL, cmd_save},
    {"clear", "counters|flags", "clear the counters, or the reset flag and sticky flags", NULL, 1, check_clear, cmd_clear},
    {"history", "", "the last resets: cause, breadcrumb, chip uptime", NULL, 1, NULL, cmd_history},
    {"run", "[RUN OPTIONS]", "feeding daemon; `extwdctl run --help` for its options", ctl_run_usage, 0, NULL, ctl_cmd_run},
    {"publish", "", "publish the reset evidence and state over MQTT once (--mqtt-host ...)", ctl_publish_usage, 1, ctl_check_publish, ctl_cmd_publish},
    {NULL, NULL, NULL, NULL, 0, NULL, NULL},
};
