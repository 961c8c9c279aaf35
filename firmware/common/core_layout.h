/*
 * Where struct wd_core keeps what the simulator reads from the chip's RAM
 * (its chip view: armed, grace, pulse, countdown, the timeout in force), as
 * this very build lays it out, in a section of the ELF (.extwd_layout) that
 * is not loaded onto the chip (the HEX is made from .text and .data only).
 * The simulator reads these offsets instead of mirroring the struct.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_CORE_LAYOUT_H
#define EXTWD_CORE_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "wd_core.h"

#define WD_CORE_LAYOUT_VERSION 1u

/* One field: its offset in struct wd_core and its width in bytes. */
struct wd_layout_field {
    uint8_t off, width;
} __attribute__((packed));

struct wd_core_layout {
    uint8_t version;                /* WD_CORE_LAYOUT_VERSION */
    uint8_t size_lo, size_hi;       /* sizeof(struct wd_core) */
    struct wd_layout_field action, timeout_ms, longop_ms, since_t, grace_t, pulse_t;
} __attribute__((packed));

#define WD_LAYOUT_FIELD(member) \
    { (uint8_t)offsetof(struct wd_core, member), (uint8_t)sizeof(((struct wd_core *)0)->member) }

_Static_assert(sizeof(struct wd_core) < 256, "every offset fits a byte");

/* One per firmware, beside MMCU_TAGS. */
#define WD_CORE_LAYOUT()                                                                      \
    const struct wd_core_layout _extwd_layout __attribute__((section(".extwd_layout"), used)) = { \
        WD_CORE_LAYOUT_VERSION, (uint8_t)sizeof(struct wd_core), (uint8_t)(sizeof(struct wd_core) >> 8), \
        WD_LAYOUT_FIELD(set.action), WD_LAYOUT_FIELD(set.timeout_ms), WD_LAYOUT_FIELD(longop_ms),     \
        WD_LAYOUT_FIELD(since_t), WD_LAYOUT_FIELD(grace_t), WD_LAYOUT_FIELD(pulse_t) }

#endif
