/*
 * fake_chip: an extwd chip on the fake bus whose behaviour is the real chip
 * core (firmware/core, compiled for the host), not a model of it. The chip
 * itself, with its EEPROM, RAM and the port's service of the core, is
 * firmware/host's wd_chip; this file attaches it to the fake bus (address,
 * frames, reads, bus time) and counts the watchdog periods of its
 * calibration by that time.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_FAKE_CHIP_H
#define EXTWD_FAKE_CHIP_H

#include "fake_bus.h"
#include "wd_chip.h"

struct fake_chip {
    struct wd_chip hw;       /* the chip: core, persist, EEPROM, calibration, counters.
                                hw.rc_us is the true length of the chip's watchdog period,
                                as its RC measures it (0 = 16000) */
    uint32_t period_acc_us;  /* bus time toward the next watchdog period */
};

/* Powers the chip up with the given EEPROM contents (NULL: erased, 0xFF) and
 * power-on flags. */
void fake_chip_power_up(struct fake_chip *c, const uint8_t *eeprom);

/* Fills d so the chip can be attached to a fake bus. */
void fake_chip_device(struct fake_chip *c, struct fake_device *d);

/* Runs the chip for ms without any bus traffic. */
void fake_chip_run(struct fake_chip *c, uint32_t ms);

/* The chip's own reset (watchdog or brown-out flag): RAM (persist) is kept,
 * the settings are reloaded from EEPROM. */
void fake_chip_restart(struct fake_chip *c, uint8_t chip_reset_flags);

#endif /* EXTWD_FAKE_CHIP_H */
