/*
 * fake_chip: an extwd chip on the fake bus whose behaviour is the real chip
 * core (firmware/core, compiled for the host), not a model of it. This file
 * plays the MCU port's part: it ticks the core every 16 ms of bus time,
 * keeps its EEPROM and .noinit state in the struct, acts on its requests
 * (save, factory reset, seal) and watches its reset output.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_FAKE_CHIP_H
#define EXTWD_FAKE_CHIP_H

#include "fake_bus.h"
#include "wd_cal.h"
#include "wd_core.h"

struct fake_chip {
    struct wd_core core;
    struct wd_persist persist;           /* survives chip resets, as .noinit does */
    uint8_t eeprom[WD_EEPROM_SIZE];
    uint32_t tick_acc_ms;                /* bus time not yet given to the core */
    uint8_t bus_low;                     /* what each tick samples on SDA/SCL */
    uint8_t outputs;                     /* WD_OUT_* after the last core call */
    uint32_t host_resets;                /* falling edges of the reset output */
    uint32_t saves;                      /* EEPROM slots written */
    uint32_t chip_restarts;              /* factory resets (the chip restarts itself) */
    uint32_t frames;                     /* write frames handed to the core */
    struct wd_cal cal;                   /* the port's calibration (SPEC 5.15) */
    uint16_t period_us;                  /* true length of the chip's watchdog period,
                                            as its RC measures it; 0 = 16000 */
    uint32_t period_acc_us;              /* time toward the next period */
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
