/*
 * Names the MCU and its clock inside the ELF, in the tag-length-value format
 * that simavr reads from a section called .mmcu, so that any simavr tool runs
 * the firmware at the right speed. The section is not loaded onto the chip
 * (the HEX is made from .text and .data only). Written from the format, not
 * from simavr's GPL header, to keep the firmware MIT.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_MMCU_TAG_H
#define EXTWD_MMCU_TAG_H

#include <stdint.h>

#define MMCU_TAG_NAME      1u
#define MMCU_TAG_FREQUENCY 2u

struct mmcu_tags {
    uint8_t name_tag, name_len;
    char name[16];
    uint8_t freq_tag, freq_len;
    uint32_t freq_hz;
    uint8_t end_tag, end_len;
} __attribute__((packed));

/* One per firmware: MMCU_TAGS("attiny85", F_CPU); */
#define MMCU_TAGS(mcu_name, hz)                                              \
    const struct mmcu_tags _mmcu __attribute__((section(".mmcu"), used)) = { \
        MMCU_TAG_NAME, 16, mcu_name, MMCU_TAG_FREQUENCY, 4, (hz), 0, 0 }

#endif
