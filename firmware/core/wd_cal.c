/*
 * The tick's calibration, the chip's half; see wd_cal.h and SPEC 5.15.
 * SPDX-License-Identifier: MIT
 */
#include "wd_cal.h"

void wd_cal_clear(struct wd_cal *k)
{
    k->tick_us = 0;
    k->age_s = 0xFFFFu;
}

void wd_cal_periods(struct wd_cal *k, uint8_t n, uint8_t new_second)
{
    k->count = (uint16_t)(k->count + n);
    if (new_second && k->age_s < 0xFFFEu)
        k->age_s++;
}

/* Is us within 1/EXTWD_CAL_MAX_DEV_DIV of rc_us? */
static __attribute__((noinline)) uint8_t near(uint16_t us, uint16_t rc_us)
{
    uint16_t d = us > rc_us ? (uint16_t)(us - rc_us) : (uint16_t)(rc_us - us);
    return d <= rc_us / EXTWD_CAL_MAX_DEV_DIV;
}

uint8_t wd_cal_set(struct wd_cal *k, uint16_t us, uint16_t rc_us)
{
    if (!us) {
        wd_cal_clear(k);
        return EXTWD_ERR_OK;
    }
    if (!near(us, rc_us))
        return EXTWD_ERR_RANGE;
    k->tick_us = us;
    k->age_s = 0;
    return EXTWD_ERR_OK;
}

uint16_t wd_cal_period_us(const struct wd_cal *k, uint16_t rc_us)
{
    return k->tick_us && near(k->tick_us, rc_us) ? k->tick_us : rc_us;
}
