/* fake_chip: see fake_chip.h. SPDX-License-Identifier: MIT */
#include "fake_chip.h"

#include <string.h>

void fake_chip_power_up(struct fake_chip *c, const uint8_t *eeprom)
{
    memset(c, 0, sizeof *c);
    /* Power-up RAM is garbage, not zeros: the core must not trust it. */
    memset(&c->hw.persist, 0xA5, sizeof c->hw.persist);
    if (eeprom)
        memcpy(c->hw.eeprom, eeprom, sizeof c->hw.eeprom);
    else
        memset(c->hw.eeprom, 0xFF, sizeof c->hw.eeprom);
    wd_cal_clear(&c->hw.cal);
    wd_chip_start(&c->hw, EXTWD_CHIP_PORF);
}

void fake_chip_restart(struct fake_chip *c, uint8_t chip_reset_flags)
{
    c->hw.acc_ms = 0;
    wd_chip_start(&c->hw, chip_reset_flags);
}

void fake_chip_run(struct fake_chip *c, uint32_t ms)
{
    uint16_t period = c->hw.rc_us ? c->hw.rc_us : WD_CAL_TICK_US;

    /* the watchdog periods the chip counts for its calibration */
    for (c->period_acc_us += ms * 1000u; c->period_acc_us >= period; c->period_acc_us -= period)
        wd_cal_periods(&c->hw.cal, 1, 0);
    wd_chip_run(&c->hw, ms);
}

static uint8_t chip_address(void *dev)
{
    return wd_core_address(&((struct fake_chip *)dev)->hw.core);
}

static int chip_write(void *dev, const uint8_t *buf, size_t len)
{
    return wd_chip_frame(&((struct fake_chip *)dev)->hw, buf, len) ? EXTWD_E_IO : 0;
}

static int chip_read(void *dev, uint8_t *buf, size_t len)
{
    wd_chip_read(&((struct fake_chip *)dev)->hw, buf, len);
    return 0;
}

static void chip_advance(void *dev, uint32_t ms)
{
    fake_chip_run(dev, ms);
}

void fake_chip_device(struct fake_chip *c, struct fake_device *d)
{
    d->address = chip_address;
    d->write = chip_write;
    d->read = chip_read;
    d->advance = chip_advance;
    d->dev = c;
}
