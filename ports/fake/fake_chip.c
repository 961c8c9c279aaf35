/* fake_chip: see fake_chip.h. SPDX-License-Identifier: MIT */
#include "fake_chip.h"

#include <string.h>

/* The core reads its EEPROM through a link-time hook (wd_core.h) that has no
 * context argument; the chip being initialised is named here for the length
 * of that one call. Test code only: the library has no globals. */
static const struct fake_chip *loading;
/* The chip whose frame or read the core is serving (the calibration hooks). */
static struct fake_chip *serving;

void wd_port_eeprom_read(uint16_t offset, uint8_t *dst, uint8_t n)
{
    for (uint8_t i = 0; i < n; i++) {
        uint32_t at = (uint32_t)offset + i;
        dst[i] = (loading && at < WD_EEPROM_SIZE) ? loading->eeprom[at] : 0xFFu;
    }
}

static uint16_t period_us(const struct fake_chip *c)
{
    return c->period_us ? c->period_us : WD_CAL_TICK_US;
}

uint8_t wd_port_cal_read(uint8_t i)
{
    return serving && i < sizeof serving->cal ? ((const uint8_t *)&serving->cal)[i] : 0xFFu;
}

uint8_t wd_port_cal_write(uint16_t us)
{
    return serving ? wd_cal_set(&serving->cal, us, period_us(serving)) : EXTWD_ERR_RANGE;
}

/* The fake counts exact 16 ms ticks (wd_core_tick), so the core's own
 * whole-tick rule is the countdown's end: nothing to note at a feed. */
void wd_port_countdown_start(void)
{
}

static void core_init(struct fake_chip *c, uint8_t flags)
{
    loading = c;
    wd_core_init(&c->core, &c->persist, flags);
    loading = NULL;
}

/* Does what an MCU port does after every core call: serve requests, mirror
 * the outputs onto the pins. */
static void service(struct fake_chip *c)
{
    uint8_t req = wd_core_take_requests(&c->core);
    if (req & (WD_REQ_SAVE | WD_REQ_FACTORY)) {
        uint8_t slot[WD_EEPROM_SLOT_SIZE];
        uint16_t off = wd_core_eeprom_slot(&c->core, slot);
        if ((size_t)off + sizeof slot <= sizeof c->eeprom) {
            memcpy(c->eeprom + off, slot, sizeof slot);
            c->saves++;
        }
    }
    if (req & WD_REQ_SEAL)
        wd_core_seal(&c->core);
    if (req & WD_REQ_FACTORY) {
        c->chip_restarts++;
        core_init(c, EXTWD_CHIP_WDRF); /* the chip restarts itself by its watchdog */
    }
    uint8_t out = wd_core_outputs(&c->core);
    if ((out & WD_OUT_RESET) && !(c->outputs & WD_OUT_RESET))
        c->host_resets++;
    c->outputs = out;
}

void fake_chip_power_up(struct fake_chip *c, const uint8_t *eeprom)
{
    memset(c, 0, sizeof *c);
    /* Power-up RAM is garbage, not zeros: the core must not trust it. */
    memset(&c->persist, 0xA5, sizeof c->persist);
    if (eeprom)
        memcpy(c->eeprom, eeprom, sizeof c->eeprom);
    else
        memset(c->eeprom, 0xFF, sizeof c->eeprom);
    wd_cal_clear(&c->cal);
    core_init(c, EXTWD_CHIP_PORF);
    service(c);
}

void fake_chip_restart(struct fake_chip *c, uint8_t chip_reset_flags)
{
    core_init(c, chip_reset_flags);
    c->tick_acc_ms = 0;
    service(c);
}

void fake_chip_run(struct fake_chip *c, uint32_t ms)
{
    c->tick_acc_ms += ms;
    /* the watchdog periods the chip counts for its calibration */
    for (c->period_acc_us += ms * 1000u; c->period_acc_us >= period_us(c);
         c->period_acc_us -= period_us(c))
        wd_cal_periods(&c->cal, 1, 0);
    while (c->tick_acc_ms >= WD_TICK_MS) {
        c->tick_acc_ms -= WD_TICK_MS;
        wd_core_tick(&c->core, WD_TICK_MS, c->bus_low);
        service(c);
    }
}

static uint8_t chip_address(void *dev)
{
    return wd_core_address(&((struct fake_chip *)dev)->core);
}

static int chip_write(void *dev, const uint8_t *buf, size_t len)
{
    struct fake_chip *c = dev;
    /* Past the sixth byte the chip NACKs; the core learns of the overflow. */
    size_t n = len > EXTWD_FRAME_MAX ? EXTWD_FRAME_MAX + 1u : len;
    c->frames++;
    serving = c;
    wd_core_frame(&c->core, buf, (uint8_t)n);
    serving = NULL;
    service(c);
    return len > EXTWD_FRAME_MAX ? EXTWD_E_IO : 0;
}

static int chip_read(void *dev, uint8_t *buf, size_t len)
{
    struct fake_chip *c = dev;
    wd_core_read_begin(&c->core);
    serving = c;
    for (size_t i = 0; i < len; i++)
        buf[i] = wd_core_read_next(&c->core);
    serving = NULL;
    service(c);
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
