/*
 * wd_chip: the chip core on a host; see wd_chip.h.
 * SPDX-License-Identifier: MIT
 */
#include "wd_chip.h"

#include <string.h>

/* The chip a core belongs to: the core's hooks get the core, and the core
 * is a member of its chip. */
#define CHIP_OF(c) ((struct wd_chip *)((char *)(c) - offsetof(struct wd_chip, core)))

#if WD_CAL_HOST
static uint16_t rc_us(const struct wd_chip *h)
{
    return h->rc_us ? h->rc_us : WD_CAL_TICK_US;
}

uint8_t wd_port_cal_read(const struct wd_core *c, uint8_t i)
{
    const struct wd_chip *h = CHIP_OF(c);
    return i < sizeof h->cal ? ((const uint8_t *)&h->cal)[i] : EXTWD_UNMAPPED_READ;
}

uint8_t wd_port_cal_write(struct wd_core *c, uint16_t us)
{
    struct wd_chip *h = CHIP_OF(c);
    return wd_cal_set(&h->cal, us, rc_us(h));
}

/* The host port counts exact 16 ms ticks (wd_core_tick), so the core's
 * own whole-tick rule is the countdown's end: it only counts the calls. */
void wd_port_countdown_start(struct wd_core *c)
{
    CHIP_OF(c)->countdown_starts++;
}
#endif

void wd_chip_start(struct wd_chip *h, uint8_t chip_reset)
{
    wd_core_init(&h->core, &h->persist, chip_reset, h->eeprom);
    h->frame_len = 0;
    wd_chip_serve(h);
}

uint8_t wd_chip_serve(struct wd_chip *h)
{
    uint8_t req = wd_core_take_requests(&h->core), out;

    h->served |= req;
    if (req & WD_REQ_SEAL)
        wd_core_seal(&h->core);
    if (req & (WD_REQ_SAVE | WD_REQ_FACTORY)) {
        uint8_t slot[WD_EEPROM_SLOT_SIZE];
        uint16_t at = wd_core_eeprom_slot(&h->core, slot);
        if ((size_t)at + sizeof slot <= sizeof h->eeprom) {
            memcpy(h->eeprom + at, slot, sizeof slot);
            h->saves++;
        }
    }
    if (req & WD_REQ_FACTORY) {
        h->factory_restarts++;
        wd_chip_start(h, EXTWD_CHIP_WDRF); /* the chip restarts itself by its watchdog */
    }
    out = wd_core_outputs(&h->core);
    if ((out & WD_OUT_RESET) && !(h->outputs & WD_OUT_RESET))
        h->host_resets++;
    h->outputs = out;
    return req;
}

int wd_chip_write(struct wd_chip *h, uint8_t byte)
{
    if (h->frame_len >= EXTWD_FRAME_MAX) {
        h->frame_len = EXTWD_FRAME_MAX + 1u; /* NACK; the core sees the overflow */
        return -1;
    }
    h->frame[h->frame_len++] = byte;
    return 0;
}

void wd_chip_stop(struct wd_chip *h)
{
    uint8_t n = h->frame_len;

    h->frame_len = 0;
    h->frames++;
    wd_core_frame(&h->core, h->frame, n);
    wd_chip_serve(h);
}

int wd_chip_frame(struct wd_chip *h, const uint8_t *f, size_t n)
{
    int r = 0;

    for (size_t i = 0; i < n; i++)
        r |= wd_chip_write(h, f[i]);
    wd_chip_stop(h);
    return r;
}

void wd_chip_read(struct wd_chip *h, uint8_t *buf, size_t n)
{
    wd_core_read_begin(&h->core);
    for (size_t i = 0; i < n; i++)
        buf[i] = wd_core_read_next(&h->core);
    wd_chip_serve(h);
}

void wd_chip_tick(struct wd_chip *h)
{
    wd_core_tick(&h->core, h->bus);
    wd_chip_serve(h);
}

void wd_chip_run(struct wd_chip *h, uint32_t ms)
{
    h->acc_ms += ms;
    while (h->acc_ms >= WD_TICK_MS) {
        h->acc_ms -= WD_TICK_MS;
        wd_chip_tick(h);
    }
}
