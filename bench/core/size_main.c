/*
 * A minimal ATtiny85 program that calls every entry point of the chip core,
 * so that avr-size of its ELF measures what the core costs in a firmware.
 * What a port gives the core is the cheapest real thing: the EEPROM slot
 * read via the AVR EEPROM registers would cost the port, not the core, so
 * here its bytes are a volatile read the optimiser cannot remove.
 *
 * SPDX-License-Identifier: MIT
 */
#include "wd_core.h"

struct wd_core g_wd;
struct wd_persist g_wd_persist __attribute__((section(".noinit")));

static volatile uint8_t sink;
static volatile uint8_t source;

#ifdef SIZE_BASELINE
/* The same driver against stubs: what the driver itself costs. */
#define STUB __attribute__((noinline))
STUB void wd_core_init(struct wd_core *c, struct wd_persist *p, uint8_t r, const uint8_t *s)
{
    c->persist = p;
    c->flags = (uint8_t)(r + s[0]);
}
STUB void wd_core_factory_reset(struct wd_core *c) { c->flags = 0; }
STUB void wd_core_frame(struct wd_core *c, const uint8_t *f, uint8_t n) { c->flags = f[n]; }
STUB void wd_core_tick(struct wd_core *c, uint8_t b) { c->flags = b; }
STUB void wd_core_read_begin(struct wd_core *c) { c->flags = 1; }
STUB uint8_t wd_core_read_next(struct wd_core *c) { return c->flags; }
STUB uint8_t wd_core_take_requests(struct wd_core *c) { return c->flags; }
STUB void wd_core_seal(struct wd_core *c) { c->flags = 3; }
STUB uint8_t wd_core_slot_byte(const struct wd_core *c, uint8_t i) { return (uint8_t)(c->flags + i); }
STUB void wd_core_save_done(struct wd_core *c) { c->flags = 4; }
STUB uint8_t wd_core_outputs(const struct wd_core *c) { return c->flags; }
STUB uint8_t wd_core_address(const struct wd_core *c) { return c->flags; }
#endif

/* The calibration hooks: the port's, not the core's. */
uint8_t wd_port_cal_read(const struct wd_core *c, uint8_t i) { return (uint8_t)(c->flags + source + i); }
uint8_t wd_port_cal_write(struct wd_core *c, uint16_t us) { return (uint8_t)(c->flags + us); }
void wd_port_countdown_start(struct wd_core *c) { c->flags++; }

int main(void)
{
    uint8_t frame[EXTWD_FRAME_MAX], slot[WD_EEPROM_SLOT_SIZE];

    for (uint8_t i = 0; i < sizeof slot; i++)
        slot[i] = (uint8_t)(source + i);
    wd_core_init(&g_wd, &g_wd_persist, source, slot);
    if (source)
        wd_core_factory_reset(&g_wd);
    for (;;) {
        for (uint8_t i = 0; i < sizeof frame; i++)
            frame[i] = source;
        wd_core_frame(&g_wd, frame, source);
        wd_core_tick(&g_wd, source);
        wd_core_read_begin(&g_wd);
        sink = wd_core_read_next(&g_wd);
        uint8_t req = wd_core_take_requests(&g_wd);
        if (req & WD_REQ_SEAL)
            wd_core_seal(&g_wd);
        if (req & (WD_REQ_SAVE | WD_REQ_FACTORY)) {
            sink = wd_core_slot_byte(&g_wd, source); /* the ports save byte-wise */
            wd_core_save_done(&g_wd);
        }
        sink = wd_core_outputs(&g_wd);
        sink = wd_core_address(&g_wd);
    }
}
