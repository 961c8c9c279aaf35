/*
 * Test harness for the chip core; see harness.h.
 * SPDX-License-Identifier: MIT
 */
#include "harness.h"

#include <string.h>

uint8_t h_eeprom[WD_EEPROM_SIZE];
unsigned h_eeprom_reads;

void wd_port_eeprom_read(uint16_t offset, uint8_t *dst, uint8_t n)
{
    assert_true(offset + n <= WD_EEPROM_SIZE);
    memcpy(dst, h_eeprom + offset, n);
    h_eeprom_reads++;
}

struct wd_cal h_cal;
uint16_t h_rc_us = WD_CAL_TICK_US;

uint8_t wd_port_cal_read(uint8_t i)
{
    assert_true(i < sizeof h_cal);
    return ((const uint8_t *)&h_cal)[i];
}

uint8_t wd_port_cal_write(uint16_t us)
{
    return wd_cal_set(&h_cal, us, h_rc_us);
}

unsigned h_countdown_starts;

void wd_port_countdown_start(void)
{
    h_countdown_starts++;
}

void h_erase(void)
{
    memset(h_eeprom, 0xFF, sizeof h_eeprom);
}

void h_put_slot(const struct wd_settings *s)
{
    wd_settings_encode(s, h_eeprom);
}

uint32_t h_rand(uint32_t *state)
{
    uint32_t x = *state ? *state : 0x9E3779B9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

void h_serve(struct chip *ch)
{
    uint8_t r = wd_core_take_requests(&ch->c);
    ch->seen |= r;
    if (r & WD_REQ_SEAL)
        wd_core_seal(&ch->c);
    if (r & (WD_REQ_SAVE | WD_REQ_FACTORY)) {
        uint8_t img[WD_EEPROM_SLOT_SIZE];
        uint16_t off = wd_core_eeprom_slot(&ch->c, img);
        assert_true(off == 0);
        memcpy(h_eeprom + off, img, sizeof img);
        ch->saves++;
    }
    if (r & WD_REQ_FACTORY) {
        ch->factory++;
        h_restart(ch, EXTWD_CHIP_WDRF); /* the port restarts the chip */
    }
}

void h_boot(struct chip *ch, uint8_t chip_reset)
{
    uint32_t seed = 12345;
    memset(ch, 0xA5, sizeof *ch); /* RAM is garbage at power-up */
    for (size_t i = 0; i < sizeof ch->p; i++)
        ((uint8_t *)&ch->p)[i] = (uint8_t)h_rand(&seed);
    ch->seen = 0;
    ch->saves = 0;
    ch->factory = 0;
    ch->now_ms = 0;
    ch->acc_ms = 0;
    wd_core_init(&ch->c, &ch->p, chip_reset);
    h_serve(ch);
}

void h_restart(struct chip *ch, uint8_t chip_reset)
{
    memset(&ch->c, 0x5A, sizeof ch->c);
    ch->acc_ms = 0;
    wd_core_init(&ch->c, &ch->p, chip_reset);
    h_serve(ch);
}

void h_restart_keep_ram(struct chip *ch, uint8_t chip_reset)
{
    ch->acc_ms = 0;
    wd_core_init(&ch->c, &ch->p, chip_reset);
    h_serve(ch);
}

uint8_t h_frame(struct chip *ch, const uint8_t *f, uint8_t n)
{
    wd_core_frame(&ch->c, f, n);
    h_serve(ch);
    return ch->c.last_error;
}

uint8_t h_pec(uint8_t addr, const uint8_t *f, uint8_t n)
{
    uint8_t crc = extwd_pec_update(0, (uint8_t)(addr << 1));
    for (uint8_t i = 0; i < n; i++)
        crc = extwd_pec_update(crc, f[i]);
    return crc;
}

uint8_t h_frame_pec(struct chip *ch, const uint8_t *f, uint8_t n)
{
    uint8_t buf[16];
    assert_true(n < sizeof buf);
    memcpy(buf, f, n);
    buf[n] = h_pec(wd_core_address(&ch->c), f, n);
    return h_frame(ch, buf, (uint8_t)(n + 1));
}

void h_read(struct chip *ch, uint8_t *out, uint8_t n)
{
    wd_core_read_begin(&ch->c);
    for (uint8_t i = 0; i < n; i++)
        out[i] = wd_core_read_next(&ch->c);
}

uint32_t h_rd(struct chip *ch, uint8_t reg, uint8_t n)
{
    uint8_t b[4] = {0};
    uint8_t saved = ch->c.read_ptr;
    uint32_t v = 0;
    assert_true(n >= 1 && n <= 4);
    ch->c.read_ptr = reg; /* white-box: no frame, so no key use */
    h_read(ch, b, n);
    ch->c.read_ptr = saved;
    for (uint8_t i = 0; i < n; i++)
        v |= (uint32_t)b[i] << (8 * i);
    return v;
}

void h_run(struct chip *ch, uint32_t ms)
{
    ch->now_ms += ms;
    ch->acc_ms += ms;
    while (ch->acc_ms >= WD_TICK_MS) {
        ch->acc_ms -= WD_TICK_MS;
        wd_core_tick(&ch->c, WD_TICK_MS, 0);
        h_serve(ch);
    }
}

uint32_t h_run_until_reset(struct chip *ch, uint32_t limit_ms)
{
    uint32_t t = 0;
    while (t <= limit_ms) {
        if (wd_core_outputs(&ch->c) & WD_OUT_RESET)
            return t;
        h_run(ch, WD_TICK_MS);
        t += WD_TICK_MS;
    }
    return limit_ms + 1;
}

uint8_t h_set(struct chip *ch, uint8_t reg, uint32_t v, uint8_t n)
{
    uint8_t f[5] = {reg, (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return h_frame(ch, f, (uint8_t)(n + 1));
}

uint8_t h_feed(struct chip *ch)
{
    return H_W(ch, EXTWD_CMD_FEED);
}

void h_snap(const struct chip *ch, struct snap *s)
{
    memcpy(&s->c, &ch->c, sizeof s->c);
    memcpy(&s->p, &ch->p, sizeof s->p);
}

void h_assert_same_but_refusal(const struct chip *ch, const struct snap *s)
{
    struct snap now;
    h_snap(ch, &now);
    now.c.last_error = s->c.last_error;
    now.c.key_left = s->c.key_left;
    now.c.flags = (uint8_t)((now.c.flags & ~WD_REQ_ALL) | (s->c.flags & WD_REQ_ALL));
    now.p.refused_count = s->p.refused_count;
    now.p.check = s->p.check;
    assert_memory_equal(&now.c, &s->c, sizeof now.c);
    assert_memory_equal(&now.p, &s->p, sizeof now.p);
}
