/*
 * The register table (extwd/registers.def) as C: the values of its columns,
 * EXTWD_WIDTH_<NAME> for every register, a row struct for the host tools
 * that walk the table at run time, and compile-time checks that the table's
 * addresses are protocol.h's. Costs no code or data unless a row table is
 * built from it (EXTWD_REG_INFO).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_REGISTERS_H
#define EXTWD_REGISTERS_H

#include <stdint.h>
#include "extwd/protocol.h"

/* access */
enum { EXTWD_ACCESS_RO = 0, EXTWD_ACCESS_RW, EXTWD_ACCESS_RC, EXTWD_ACCESS_WO };
/* saved */
enum { EXTWD_STORE_LIVE = 0, EXTWD_STORE_SAVED };
/* protect */
enum { EXTWD_PROTECT_NONE = 0, EXTWD_PROTECT_PROT, EXTWD_PROTECT_KEYED, EXTWD_PROTECT_ZERO };
/* range */
enum {
    EXTWD_RANGE_ANY = 0, EXTWD_RANGE_SPAN, EXTWD_RANGE_ZERO_OR, EXTWD_RANGE_BELOW_TIMEOUT,
    EXTWD_RANGE_BITS, EXTWD_RANGE_VALUE, EXTWD_RANGE_CAL
};

/* EXTWD_WIDTH_TIMEOUT_MS == 4, ...: the value bytes a write of it takes. */
enum {
#define EXTWD_REGISTER(name, address, width, access, saved, protect, range, lo, hi) \
    EXTWD_WIDTH_##name = (width),
#include "extwd/registers.def"
    EXTWD_WIDTH_END_ = 0
};

/* EXTWD_ARGS_SET_ADDRESS == 2, ...: the bytes a command takes after its code. */
enum {
#define EXTWD_COMMAND(name, code, arg_bytes, protect) EXTWD_ARGS_##name = (arg_bytes),
#include "extwd/registers.def"
    EXTWD_ARGS_END_ = 0
};

/* The table says what protocol.h says. */
#define EXTWD_REGISTER(name, address, width, access, saved, protect, range, lo, hi) \
    EXTWD_STATIC_ASSERT((address) == EXTWD_REG_##name, "registers.def: address of " #name);
#define EXTWD_COMMAND(name, code, arg_bytes, protect) \
    EXTWD_STATIC_ASSERT((code) == EXTWD_CMD_##name, "registers.def: code of " #name);
#include "extwd/registers.def"
EXTWD_STATIC_ASSERT(EXTWD_WIDTH_HISTORY == EXTWD_HISTORY_ENTRIES * EXTWD_HISTORY_ENTRY_SIZE,
                    "registers.def: HISTORY is the whole history");

/* One row, for code that walks the table at run time (host tools, tests). */
struct extwd_reg_info {
    const char *name;          /* "TIMEOUT_MS" */
    uint8_t addr, width, access, saved, protect, range;
    uint32_t lo, hi;
};
#define EXTWD_REG_INFO(name, address, width, access, saved, protect, range, lo, hi)             \
    {#name, (address), (width), EXTWD_ACCESS_##access, EXTWD_STORE_##saved,                  \
     EXTWD_PROTECT_##protect, EXTWD_RANGE_##range, (lo), (hi)}

#endif /* EXTWD_REGISTERS_H */
