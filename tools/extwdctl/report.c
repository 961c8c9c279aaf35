/* extwdctl output: status and history as text or JSON. SPDX-License-Identifier: MIT */
#include "ctl.h"

#include <stdio.h>

/* Names from include/extwd/names.def. */
const char *ctl_mcu_name(uint8_t id)
{
    switch (id) {
#define EXTWD_MCU_ROW(mcu, name) case mcu: return name;
#include "extwd/names.def"
    default: return "unknown";
    }
}

static const char *cause_name(uint8_t cause)
{
    switch (cause) {
#define EXTWD_CAUSE_ROW(c, name) case c: return name;
#include "extwd/names.def"
    default: return "unknown";
    }
}

/* EXT_STATUS bit i's name. */
#define BIT_INDEX(b) ((b) & 0x0Fu ? ((b) & 0x03u ? ((b) & 1u ? 0 : 1) : ((b) & 4u ? 2 : 3)) \
                                  : ((b) & 0x30u ? ((b) & 0x10u ? 4 : 5) : ((b) & 0x40u ? 6 : 7)))
static const char *const xs_names[8] = {
#define EXTWD_FLAG_ROW(bit, name) [BIT_INDEX(bit)] = name,
#include "extwd/names.def"
};

void ctl_print_json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
    putchar('"');
}

static void print_ms(const char *label, uint32_t ms)
{
    if (ms == EXTWD_NO_RESET_PENDING) /* time left; no timeout reads it */
        printf("%-12s -\n", label);
    else
        printf("%-12s %lu ms\n", label, (unsigned long)ms);
}

static void json_u32_or_null(const char *key, uint32_t v)
{
    if (v == EXTWD_NO_RESET_PENDING)
        printf(",\"%s\":null", key);
    else
        printf(",\"%s\":%lu", key, (unsigned long)v);
}

void ctl_print_status(struct ctl *c, const struct extwd_state *st)
{
    const struct extwd *wd = &c->wd;
    const struct extwd_boot_info *b = extwd_boot(wd);
    uint8_t mcu = 0;
    if (extwd_is_extwd(wd))
        (void)extwd_read_regs(&c->wd, EXTWD_REG_MCU_ID, &mcu, 1);

    if (c->opt.json) {
        printf("{\"bus\":");
        ctl_print_json_string(c->opt.bus);
        printf(",\"addr\":%u,\"chip\":\"%s\"", extwd_address(wd), extwd_is_extwd(wd) ? "extwd" : "stock");
        if (extwd_is_extwd(wd))
            printf(",\"proto\":%u,\"firmware\":\"%u.%u.%u\",\"mcu\":\"%s\",\"caps\":%u",
                   extwd_proto_version(wd), extwd_fw_version(wd, 0), extwd_fw_version(wd, 1), extwd_fw_version(wd, 2),
                   ctl_mcu_name(mcu), extwd_caps(wd));
        printf(",\"reset_reason\":\"%s\",\"reset_text\":", extwd_reset_reason_name(b->reason));
        ctl_print_json_string(extwd_reset_reason_text(b->reason));
        printf(",\"last_cause\":\"%s\"", cause_name(b->last_cause));
        if (extwd_is_extwd(wd))
            printf(",\"breadcrumb_at_reset\":%u,\"bootloop_count\":%u", b->breadcrumb, b->bootloop_count);
        printf(",\"armed\":%s", st->armed ? "true" : "false");
        printf(",\"timeout_ms\":%lu", (unsigned long)st->timeout_ms);
        json_u32_or_null("time_left_ms", st->time_left_ms);
        printf(",\"since_feed_ms\":%lu", (unsigned long)st->since_feed_ms);
        if (extwd_is_extwd(wd))
            printf(",\"uptime_s\":%lu,\"breadcrumb\":%u", (unsigned long)st->uptime_s, st->breadcrumb);
        printf(",\"status\":%u,\"ext_status\":%u,\"flags\":[", st->status, st->ext_status);
        const char *sep = "";
        for (int i = 0; i < 8; i++)
            if (st->ext_status & (1u << i)) {
                printf("%s\"%s\"", sep, xs_names[i]);
                sep = ",";
            }
        printf("],\"reset_count\":%u,\"resets_total\":%u,\"reinit_count\":%u,\"buserr_count\":%u",
               st->reset_count, st->resets_total, st->reinit_count, st->buserr_count);
        printf(",\"host_bus_errors\":%lu}\n", (unsigned long)extwd_transfer_stats(wd)->bus_errors);
        return;
    }

    if (extwd_is_extwd(wd))
        printf("%-12s extwd protocol %u, firmware %u.%u.%u, %s, at 0x%02x on %s\n", "chip",
               extwd_proto_version(wd), extwd_fw_version(wd, 0), extwd_fw_version(wd, 1), extwd_fw_version(wd, 2),
               ctl_mcu_name(mcu), extwd_address(wd), c->opt.bus);
    else
        printf("%-12s stock TinyI2CWatchdog (compatible subset), at 0x%02x on %s\n", "chip",
               extwd_address(wd), c->opt.bus);
    const char *text = extwd_reset_reason_text(b->reason);
    printf("%-12s %s", "last reset", *text ? text : "not by the watchdog");
    if (b->reason != EXTWD_REASON_NONE && extwd_is_extwd(wd))
        printf(" (cause %s, breadcrumb 0x%02x)", cause_name(b->last_cause), b->breadcrumb);
    printf("\n%-12s %s\n", "armed", st->armed ? "yes" : "no");
    if (st->timeout_ms)
        print_ms("timeout", st->timeout_ms);
    else
        printf("%-12s never\n", "timeout");
    print_ms("time left", st->time_left_ms);
    print_ms("since feed", st->since_feed_ms);
    if (extwd_is_extwd(wd)) {
        printf("%-12s %lu s\n", "chip uptime", (unsigned long)st->uptime_s);
        printf("%-12s 0x%02x\n", "breadcrumb", st->breadcrumb);
    }
    printf("%-12s resets %u (total %u), slave re-inits %u, bus-health errors %u\n", "counters",
           st->reset_count, st->resets_total, st->reinit_count, st->buserr_count);
    if (extwd_is_extwd(wd)) {
        printf("%-12s", "flags");
        if (!st->ext_status)
            printf(" none");
        for (int i = 0; i < 8; i++)
            if (st->ext_status & (1u << i))
                printf(" %s", xs_names[i]);
        printf("\n");
        if (b->bootloop_count)
            printf("%-12s %u resets in a row\n", "boot loop", b->bootloop_count);
    }
}

void ctl_print_history(struct ctl *c)
{
    const struct extwd_boot_info *b = extwd_boot(&c->wd);
    if (c->opt.json) {
        printf("{\"reset_reason\":\"%s\",\"resets_total\":%u,\"bootloop_count\":%u,"
               "\"breadcrumb_at_reset\":%u,\"history\":[",
               extwd_reset_reason_name(b->reason), extwd_is_extwd(&c->wd) ? b->resets_total : b->reset_count,
               b->bootloop_count, b->breadcrumb);
        for (uint8_t i = 0; i < b->history_len; i++)
            printf("%s{\"cause\":\"%s\",\"breadcrumb\":%u,\"chip_uptime_s\":%lu}", i ? "," : "",
                   cause_name(b->history[i].cause), b->history[i].breadcrumb,
                   (unsigned long)b->history[i].uptime_s);
        printf("]}\n");
        return;
    }
    if (!extwd_is_extwd(&c->wd)) {
        printf("stock chip: no history; %u reset(s) counted, last reset %s\n", b->reset_count,
               b->reason == EXTWD_REASON_WATCHDOG ? "by the watchdog" : "not by the watchdog");
        return;
    }
    printf("host resets: %u in total, %u in a row now; breadcrumb at the last one 0x%02x\n",
           b->resets_total, b->bootloop_count, b->breadcrumb);
    if (!b->history_len) {
        printf("no resets recorded\n");
        return;
    }
    printf("%-3s %-8s %-10s %s\n", "#", "cause", "breadcrumb", "chip uptime at reset");
    for (uint8_t i = 0; i < b->history_len; i++)
        printf("%-3u %-8s 0x%02x       %lu s\n", i + 1u, cause_name(b->history[i].cause),
               b->history[i].breadcrumb, (unsigned long)b->history[i].uptime_s);
}
