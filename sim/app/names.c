/*
 * The simulator's names: host states, events, causes, boot causes, parts,
 * reasons, tasks, registers and flags, one table each, used by the scenario
 * language, the outputs and the checks. Names compare case-insensitively
 * with '-' and '_' equal.
 *
 * Part of extwd-sim, which links libsimavr: GPL-3.0-or-later.
 */
#include "names.h"

#include <ctype.h>

#include "extwd/extwd.h"
#include "extwd/protocol.h"
#include "lexer.h" /* NELEM, parse_u64 for names written as numbers */

const char *const sc_host_state_names[SC_HS_COUNT] = {
    "off", "booting", "running", "safe", "degraded", "ota", "wifi", "hung"
};

const char *sc_host_state_name(int state)
{
    return (state >= 0 && state < SC_HS_COUNT) ? sc_host_state_names[state] : "?";
}

const char *const sc_event_names[SC_EV_COUNT] = {
    "hang", "hang-boot", "crash-boot", "slow", "ota", "wifi-drop", "heap-leak",
    "fast-feed", "crash", "host-reset", "sda-low", "scl-low", "nack", "corrupt", "stray",
    "abort-tx", "brownout", "power-cycle", "eeprom-corrupt", "factory-pin", "chip-hang",
    "chip-off", "flaky", "part-dead", "raw-write", "raw-read", "raw-feed"
};

const char *sc_event_name(int kind)
{
    return (kind >= 0 && kind < SC_EV_COUNT) ? sc_event_names[kind] : "?";
}

const char *const sc_cause_names[SC_CAUSE_NAMES] = { "none", "timeout", "test", "window" };

const char *sc_cause_name(int cause)
{
    if (cause >= 0 && cause < SC_CAUSE_NAMES)
        return sc_cause_names[cause];
    return "unknown";
}

const char *const sc_after_names[SC_AFTER_COUNT] = {
    "power-on", "chip-reset", "host-reset", "crash", "ota", "power-cycle"
};

const char *sc_boot_after_name(int after)
{
    return (after >= 0 && after < SC_AFTER_COUNT) ? sc_after_names[after] : "?";
}

/* libextwd's enum extwd_reset_reason, by position */
const char *const sc_part_names[SC_PART_COUNT] = { "loop", "wifi", "mqtt" };

const char *sc_part_name(int part)
{
    return (part >= 0 && part < SC_PART_COUNT) ? sc_part_names[part] : "none";
}

const char *const sc_reason_names[SC_REASON_NAMES] = { "unknown", "none", "watchdog", "test", "window" };

const char *const sc_task_names[SC_TASK_NAMES] = { "", "boot", "timers", "network", "otgw", "ota", "wifi" };

struct reg_name { const char *name; uint8_t reg, width; };
/* Every register of the one table (include/extwd/registers.def); an
 * expectation reads at most 4 bytes, so the 24-byte HISTORY is left out
 * (sc_register_lookup skips it). */
static const struct reg_name reg_names[] = {
#define EXTWD_REGISTER(name, address, width, access, saved, protect, range, lo, hi) { #name, address, width },
#include "extwd/registers.def"
};

struct flag_name { const char *name; uint8_t mask; };
static const struct flag_name flag_names[] = {
    { "PRETIMEOUT", EXTWD_XS_PRETIMEOUT },       { "SAFE_MODE", EXTWD_XS_SAFE_MODE },
    { "DEFAULTS_LOADED", EXTWD_XS_DEFAULTS_LOADED }, { "WINDOW_FAULT", EXTWD_XS_WINDOW_FAULT },
    { "AUTO_REARMED", EXTWD_XS_AUTO_REARMED },   { "LOCKED", EXTWD_XS_LOCKED },
    { "CHIP_RESTARTED", EXTWD_XS_CHIP_RESTARTED }, { "IN_GRACE", EXTWD_XS_IN_GRACE },
    { "WD_RESET", EXTWD_STATUS_WD_RESET },
};

/* Compares names case-insensitively with '-' and '_' equal. */
int sc_name_eq(const char *a, const char *b)
{
    for (;; a++, b++) {
        char ca = (char)tolower((unsigned char)*a), cb = (char)tolower((unsigned char)*b);
        if (ca == '-')
            ca = '_';
        if (cb == '-')
            cb = '_';
        if (ca != cb)
            return 0;
        if (!ca)
            return 1;
    }
}

int sc_lookup(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (names[i][0] && sc_name_eq(names[i], s))
            return i;
    return -1;
}

/* ---- registers and flags ------------------------------------------------------ */

int sc_register_lookup(const char *name, uint8_t *reg, uint8_t *width)
{
    for (int i = 0; i < NELEM(reg_names); i++)
        if (reg_names[i].width <= 4 && sc_name_eq(reg_names[i].name, name)) {
            *reg = reg_names[i].reg;
            *width = reg_names[i].width;
            return 0;
        }
    uint64_t v;
    if (name[0] == '0' && (name[1] == 'x' || name[1] == 'X') && !parse_u64(name, &v, 0xFF)) {
        *reg = (uint8_t)v;
        *width = 1;
        return 0;
    }
    return -1;
}

int sc_flag_lookup(const char *s, uint8_t *mask)
{
    for (int i = 0; i < NELEM(flag_names); i++)
        if (sc_name_eq(flag_names[i].name, s)) {
            *mask = flag_names[i].mask;
            return 0;
        }
    uint64_t v;
    if (!parse_u64(s, &v, 0xFF) && v) {
        *mask = (uint8_t)v;
        return 0;
    }
    return -1;
}
