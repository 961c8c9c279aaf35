/*
 * The tick's calibration, the chip's half; see wd_cal.h and SPEC 5.15.
 * SPDX-License-Identifier: MIT
 */
#include "wd_cal.h"

/* As in wd_core.c: keeps k in a pointer register, so the fields are reached
 * with 2-byte LDD/STD instead of 4-byte absolute LDS/STS once link-time
 * optimisation sees the single instance. */
#if defined(__AVR__)
#define OPAQUE(p) __asm__("" : "+b"(p))
#else
#define OPAQUE(p) ((void)0)
#endif

__attribute__((noinline)) void wd_cal_clear(struct wd_cal *k)
{
    OPAQUE(k);
    k->tick_us = 0;
    k->age_s = 0xFFFFu;
}

void wd_cal_periods(struct wd_cal *k, uint8_t n, uint8_t new_second)
{
    OPAQUE(k);
    k->count = (uint16_t)(k->count + n);
    if (new_second && k->age_s < 0xFFFEu)
        k->age_s++;
}

/* Is us within 1/EXTWD_CAL_MAX_DEV_DIV of rc_us? One unsigned compare:
 * us - (rc_us - q) lies in [0, 2q] exactly when |us - rc_us| <= q. */
static __attribute__((noinline)) uint8_t near(uint16_t us, uint16_t rc_us)
{
    uint16_t q = rc_us / EXTWD_CAL_MAX_DEV_DIV;
    return (uint16_t)(us - (uint16_t)(rc_us - q)) <= (uint16_t)(q + q);
}

uint8_t wd_cal_set(struct wd_cal *k, uint16_t us, uint16_t rc_us)
{
    if (!us) {
        wd_cal_clear(k);
        return EXTWD_ERR_OK;
    }
    if (!near(us, rc_us))
        return EXTWD_ERR_RANGE;
    OPAQUE(k);
    k->tick_us = us;
    k->age_s = 0;
    return EXTWD_ERR_OK;
}

uint16_t wd_cal_period_us(const struct wd_cal *k, uint16_t rc_us)
{
    uint16_t t = k->tick_us;
    return t && near(t, rc_us) ? t : rc_us;
}

uint16_t wd_cal_wait_counts(uint16_t us, uint16_t rc_counts, uint16_t period_us)
{
    /* q = ceil(us x rc_counts / period_us) by shift and subtract, a bit of
     * rc_counts at a time (no divide, no 32-bit product): q x period_us + r
     * is us x the bits taken so far, and r < period_us after every step */
    uint16_t q = 0, r = 0, b = 0x200u;

    do {
        q = (uint16_t)(q << 1);
        r = (uint16_t)(r << 1);
        if (r >= period_us) {
            r = (uint16_t)(r - period_us);
            q++;
        }
        if (rc_counts & b) {
            r = (uint16_t)(r + us);
            if (r >= period_us) {
                r = (uint16_t)(r - period_us);
                q++;
            }
        }
    } while (b >>= 1);
    return (uint16_t)(q + (r != 0) + 1u);
}
