/*
 * Test harness for the chip core; see harness.h.
 * SPDX-License-Identifier: MIT
 */
#include "harness.h"

#include <string.h>

void h_erase(struct wd_chip *ch)
{
    memset(ch->eeprom, 0xFF, sizeof ch->eeprom);
}

void h_put_slot(struct wd_chip *ch, const struct wd_settings *s)
{
    wd_settings_encode(s, ch->eeprom);
}

uint32_t h_rand(uint32_t *state)
{
    uint32_t x = *state ? *state : 0x9E3779B9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

void h_serve(struct wd_chip *ch)
{
    wd_chip_serve(ch);
}

void h_boot(struct wd_chip *ch, uint8_t chip_reset)
{
    uint8_t eeprom[sizeof ch->eeprom];
    uint32_t seed = 12345;

    memcpy(eeprom, ch->eeprom, sizeof eeprom);
    memset(ch, 0xA5, sizeof *ch); /* RAM is garbage at power-up */
    for (size_t i = 0; i < sizeof ch->persist; i++)
        ((uint8_t *)&ch->persist)[i] = (uint8_t)h_rand(&seed);
    memcpy(ch->eeprom, eeprom, sizeof eeprom);
    memset(&ch->cal, 0, sizeof ch->cal);
    ch->rc_us = WD_CAL_TICK_US;
    ch->bus = 0;
    ch->outputs = 0;
    ch->served = 0;
    ch->acc_ms = 0;
    ch->frames = ch->saves = ch->factory_restarts = ch->host_resets = 0;
    wd_chip_start(ch, chip_reset);
}

void h_restart(struct wd_chip *ch, uint8_t chip_reset)
{
    memset(&ch->core, 0x5A, sizeof ch->core);
    h_restart_keep_ram(ch, chip_reset);
}

void h_restart_keep_ram(struct wd_chip *ch, uint8_t chip_reset)
{
    ch->acc_ms = 0;
    wd_chip_start(ch, chip_reset);
}

uint8_t h_frame(struct wd_chip *ch, const uint8_t *f, uint8_t n)
{
    wd_chip_frame(ch, f, n);
    return ch->core.last_error;
}

uint8_t h_pec(uint8_t addr, const uint8_t *f, uint8_t n)
{
    uint8_t crc = extwd_pec_update(0, (uint8_t)(addr << 1));
    for (uint8_t i = 0; i < n; i++)
        crc = extwd_pec_update(crc, f[i]);
    return crc;
}

void h_read(struct wd_chip *ch, uint8_t *out, uint8_t n)
{
    wd_chip_read(ch, out, n);
}

uint32_t h_rd(struct wd_chip *ch, uint8_t reg, uint8_t n)
{
    uint8_t b[4] = {0};
    uint8_t saved = ch->core.read_ptr;
    uint32_t v = 0;
    assert_true(n >= 1 && n <= 4);
    ch->core.read_ptr = reg; /* white-box: no frame, so no key use */
    h_read(ch, b, n);
    ch->core.read_ptr = saved;
    for (uint8_t i = 0; i < n; i++)
        v |= (uint32_t)b[i] << (8 * i);
    return v;
}

void h_run(struct wd_chip *ch, uint32_t ms)
{
    wd_chip_run(ch, ms);
}

uint32_t h_run_until_reset(struct wd_chip *ch, uint32_t limit_ms)
{
    uint32_t t = 0;
    while (t <= limit_ms) {
        if (wd_core_outputs(&ch->core) & WD_OUT_RESET)
            return t;
        h_run(ch, WD_TICK_MS);
        t += WD_TICK_MS;
    }
    return limit_ms + 1;
}

uint8_t h_set(struct wd_chip *ch, uint8_t reg, uint32_t v, uint8_t n)
{
    uint8_t f[5] = {reg, (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return h_frame(ch, f, (uint8_t)(n + 1));
}

uint8_t h_feed(struct wd_chip *ch)
{
    return H_W(ch, EXTWD_CMD_FEED);
}

void h_snap(const struct wd_chip *ch, struct snap *s)
{
    memcpy(&s->c, &ch->core, sizeof s->c);
    memcpy(&s->p, &ch->persist, sizeof s->p);
}

void h_assert_same_but_refusal(const struct wd_chip *ch, const struct snap *s)
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
