/*
 * The simulator's names (names.c): one table for each vocabulary the
 * scenario language, the outputs and the checks share. Indexes are the
 * enums of scenario.h (events, host states, boot causes, parts) or the
 * chip's and libextwd's own values (causes, reasons).
 *
 * Part of extwd-sim, which links libsimavr: GPL-3.0-or-later.
 */
#ifndef EXTWD_SIM_NAMES_H
#define EXTWD_SIM_NAMES_H

#include <stdint.h>

#include "scenario.h"

#define SC_CAUSE_NAMES 4    /* the chip's LAST_CAUSE values 0-3 */
#define SC_REASON_NAMES 5   /* libextwd's enum extwd_reset_reason, by position */
#define SC_TASK_NAMES 7     /* the seed host's tasks, 1-6 (0 = none) */

extern const char *const sc_host_state_names[SC_HS_COUNT];
extern const char *const sc_event_names[SC_EV_COUNT];
extern const char *const sc_cause_names[SC_CAUSE_NAMES];
extern const char *const sc_after_names[SC_AFTER_COUNT];
extern const char *const sc_part_names[SC_PART_COUNT];
extern const char *const sc_reason_names[SC_REASON_NAMES];
extern const char *const sc_task_names[SC_TASK_NAMES];

/* Compares names case-insensitively with '-' and '_' equal. Returns 1 if equal. */
int sc_name_eq(const char *a, const char *b);

/* Returns the index of s among the n names (empty names never match), or -1. */
int sc_lookup(const char *const *names, int n, const char *s);

/* An EXT_STATUS / STATUS flag by name. Returns 0 and fills *mask, or -1. */
int sc_flag_lookup(const char *s, uint8_t *mask);

#endif /* EXTWD_SIM_NAMES_H */
