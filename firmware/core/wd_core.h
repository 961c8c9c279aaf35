/*
 * extwd chip core: registers, commands, countdown and every extension of
 * SPEC.md, with no AVR headers, so that the same code runs on the chip and in
 * the host unit tests. The MCU ports (firmware/attiny85, firmware/atmega328p)
 * own the hardware: bus slave, pins, EEPROM, sleep; they feed the core events
 * and act on what it asks for.
 *
 * Each port names its instances g_wd (struct wd_core) and g_wd_persist
 * (struct wd_persist, in .noinit): the simulator finds them by these ELF
 * symbols.
 *
 * Concurrency contract: every wd_core_* call that takes a non-const core is
 * made from interrupt context on the chip (AVR interrupts do not nest), or
 * from the main loop with interrupts disabled. The core never blocks. A port
 * does not call wd_core_tick between wd_core_read_begin and the end of that
 * read transaction unless the read has lasted a whole tick (SPEC 2.2: the
 * bytes of one read come from one instant).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_WD_CORE_H
#define EXTWD_WD_CORE_H

#include <stdint.h>
#include "extwd/protocol.h"

#define WD_FW_MAJOR 2u
#define WD_FW_MINOR 1u
#define WD_FW_PATCH 0u

/* The tick. The core counts whole ticks; the port keeps them nominal on
 * average by adding or dropping one now and then (SPEC 5.14). */
#define WD_TICK_MS 16u

/* ---- EEPROM image ---------------------------------------------------------
 * One slot at EEPROM offset 0: the settings (WD_SETTINGS_SIZE bytes,
 * little-endian, order of struct wd_settings), then a 16-bit check, low byte
 * first (wd_check16 of the settings seeded with WD_EEPROM_SEED, which stands
 * for a magic and the layout version EXTWD_SETTINGS_VERSION).
 */
#define WD_SETTINGS_SIZE    19u
#define WD_EEPROM_SEED      (0x4500u | EXTWD_SETTINGS_VERSION)
#define WD_EEPROM_SLOT_SIZE (WD_SETTINGS_SIZE + 2u)
#define WD_EEPROM_SLOTS     1u
#define WD_EEPROM_SIZE      (WD_EEPROM_SLOTS * WD_EEPROM_SLOT_SIZE)

/* Everything command 0x80 saves. */
struct wd_settings {
    uint32_t timeout_ms;
    uint16_t pulse_ms;
    uint16_t max_disarm_s;
    uint16_t pretimeout_ms;
    uint16_t window_ms;
    uint8_t action;
    uint8_t grace_s;
    uint8_t i2c_addr;
    uint8_t busload_pct;
    uint8_t bootloop_limit;
    uint8_t healthy_s;
    uint8_t options;
};

/* One host reset, as the history registers show it (uptime little-endian,
 * as bytes, so the entry has no padding on any host). */
struct wd_history_entry {
    uint8_t cause;
    uint8_t breadcrumb;
    uint8_t uptime_s[4];
};

/* ---- state that survives chip resets other than power-on -------------------
 * The port places one of these in a section the C runtime does not clear
 * (.noinit). wd_core_init validates it by its check (wd_check16 seeded with
 * WD_PERSIST_SEED, which stands for magic and layout version) and zeroes it
 * if that fails, or if the chip reset flags say power-on. Field order
 * follows the register map: runs of registers are runs of bytes here.
 */
#define WD_PERSIST_SEED 0xE702u

struct wd_persist {
    uint16_t check;          /* wd_check16 over everything after it */
    uint8_t reset_count;     /* register 0x0E */
    uint8_t reinit_count;    /* register 0x0F */
    uint8_t buserr_count;    /* register 0x10 */
    uint8_t status;          /* register 0x11 */
    uint8_t last_cause;      /* register 0x12 */
    uint8_t history_len;     /* register 0x2B */
    uint8_t bootloop_count;  /* register 0x2C */
    uint8_t window_faults;   /* register 0x2D */
    uint16_t resets_total;   /* register 0x2E */
    uint8_t refused_count;   /* register 0x29 */
    uint8_t ext_sticky;      /* sticky EXT_STATUS bits */
    uint8_t breadcrumb_rst;  /* register 0x41 */
    uint8_t chip_reset;      /* register 0x2A: EXTWD_CHIP_* of the last chip boot */
    uint8_t status_unread;   /* 1 from a host reset until STATUS or EXT_STATUS is read (5.3) */
    struct wd_history_entry history[EXTWD_HISTORY_ENTRIES]; /* newest first */
};

/* ---- port hooks -------------------------------------------------------------
 * Bound at link time, not through a struct of pointers: on a chip with 512
 * bytes of RAM (and a 128-byte budget for the firmware) a pointer table is
 * RAM spent for nothing. They get the core they serve, so a host that runs
 * several chips finds its own state from it. Each MCU port, and the host
 * port (firmware/host), defines:
 */
struct wd_core;

/* Calibration against the host's clock (SPEC 5.15), which the port keeps
 * (it counts the watchdog periods, wd_cal.h): byte i (0-5) of CAL_COUNT,
 * CAL_TICK_US, CAL_AGE_S; a CAL_TICK_US write of us. Return: the byte;
 * EXTWD_ERR_OK or the LAST_ERROR that refuses the write. A build with
 * WD_CAL_HOST 0 (the ATtiny85: it does not fit its 4096 bytes) has neither
 * the registers nor the hooks, and keeps the RC-based calibration only. */
#ifndef WD_CAL_HOST
#define WD_CAL_HOST 1
#endif
#if WD_CAL_HOST
uint8_t wd_port_cal_read(const struct wd_core *c, uint8_t i);
uint8_t wd_port_cal_write(struct wd_core *c, uint16_t us);

/* The host fed the chip or armed it (SPEC 5.1): the countdown starts again
 * now. The port notes where in its watchdog period that is, since it keeps
 * the true length of its periods and tells the core when the timeout has
 * surely passed (wd_core_ticks). Returns nothing. */
void wd_port_countdown_start(struct wd_core *c);
#endif

/* The build sets these (-DWD_MCU_ID=...); the host build gets the defaults. */
#ifndef WD_MCU_ID
#define WD_MCU_ID EXTWD_MCU_HOST
#endif
#ifndef WD_CAPS
#define WD_CAPS (0xFFFFu & ~EXTWD_CAP_PEC)
#endif

/* Requests from the core to the port, taken with wd_core_take_requests
 * (they share wd_core.flags with private bits). */
#define WD_REQ_SAVE        0x01u /* save the settings: wd_core_eeprom_slot(), or byte-wise (below) */
#define WD_REQ_FACTORY     0x02u /* save the settings (already the defaults), then restart the chip */
#define WD_REQ_ADDRESS     0x04u /* the slave address changed: reprogram the bus slave */
#define WD_REQ_BUS_REINIT  0x08u /* bus-health trip: re-initialise the bus slave */
#define WD_REQ_SEAL        0x10u /* persist changed: call wd_core_seal */
#define WD_REQ_ALL         0x1Fu

/* Outputs the port mirrors onto pins after every call. */
#define WD_OUT_RESET       0x01u /* drive the host reset line low */
#define WD_OUT_PRETIMEOUT  0x02u /* drive the pretimeout pin low */

/* The register map reads the fields up to flags in place (offsets below
 * 0x40), so their order follows it; the simulator finds the few it reads
 * through the ELF's .extwd_layout (core_layout.h). Only fixed-width fields
 * before the one pointer, whose size differs on the host. It comes before
 * saved because the AVR reaches fields at offsets up to 63 with one LDD
 * off the struct's pointer: persist at 68 cost 12 bytes a use (-50 bytes
 * of flash in all). */
struct wd_core {
    struct wd_settings set;

    uint16_t since_t;         /* ticks counted toward the timeout, saturating */
    uint16_t grace_t;         /* grace ticks left */
    uint16_t pulse_t;         /* reset pulse ticks left: nonzero while the output is driven */
    uint16_t disarm_s;        /* whole uptime seconds unprotected since the later of the last feed and the disarm */
    uint32_t longop_ms;       /* register 0x5C: a long operation's timeout, never saved; 0 = none */
    uint8_t sec_ticks;        /* half ticks into the current uptime second (kept: a restart cannot stretch a bound) */
    uint8_t live_action;      /* ACTION as of the last live_check */
    uint8_t live_check;       /* check of since_t .. live_action: a chip restart keeps them (5.13) */
    uint32_t uptime_s;        /* register 0x50 */
    uint16_t grace_eff_s;     /* register 0x5A */
    uint16_t bus_samples;     /* last 16 bus-health samples, 1 = stuck (5.10) */
    uint8_t healthy_s;        /* whole seconds since the first feed after a reset */
    uint8_t key_left;         /* ticks the last KEY stays valid; 0 = no key */

    uint8_t read_ptr;
    uint8_t read_cursor;
    uint8_t breadcrumb;
    uint8_t last_error;
    uint8_t flags;            /* WD_REQ_* pending (bits 0-4), private bits (WD_F_* in wd_core.c) */
    struct wd_persist *persist; /* before saved: within reach of a 6-bit displacement (LDD) */
    struct wd_settings saved; /* as last loaded or saved: what a host reset restores */
};

/* ---- lifecycle --------------------------------------------------------------- */

/* Takes the settings from slot, the WD_EEPROM_SLOT_SIZE bytes the port read
 * from EEPROM offset 0 (defaults and DEFAULTS_LOADED if they are not a
 * valid slot; the core keeps no pointer to them and never reads the EEPROM
 * again: a host reset restores a RAM copy), validates persist (zeroing it on
 * power-on or a bad check, else setting CHIP_RESTARTED), seals it, and
 * starts the power-up grace period. A restart that finds persist valid and
 * the live block in c intact (its live_check holds: the RAM kept its
 * contents) starts no grace: the countdown, grace, pulse, a disarm and its
 * bound, and a long operation go on from where they were, so restarts can
 * neither keep a hung host alive nor reset one that keeps its rules
 * (SPEC 5.13).
 * chip_reset is the EXTWD_CHIP_* flags of this boot. */
void wd_core_init(struct wd_core *c, struct wd_persist *persist, uint8_t chip_reset,
                  const uint8_t slot[WD_EEPROM_SLOT_SIZE]);

/* Applies the factory defaults now and requests their save and a restart
 * (WD_REQ_FACTORY, WD_REQ_ADDRESS): what the factory-reset pin does at
 * power-up. Never refused, unlike command 0x81, which a lock or keyed mode
 * may refuse. */
void wd_core_factory_reset(struct wd_core *c);

/* What the port saw of the bus at a tick (SPEC 5.10): bits 0-6 nonzero if SDA
 * or SCL read low (any of them, e.g. the line's pin bits), plus WD_BUS_MOVED
 * if the bus moved since the previous tick: a START, a STOP or an SCL edge,
 * ours or another device's. Only a line low with no movement (1-0x7F) is a
 * stuck sample; healthy traffic, however dense, always moves. */
#define WD_BUS_MOVED 0x80u

/* Advances time by one tick (WD_TICK_MS: the port keeps ticks nominal) and
 * takes one bus-health sample, bus as above. Runs the countdown, the pulse,
 * grace, bounded disarm, pretimeout, health and bus-health logic. */
void wd_core_tick(struct wd_core *c, uint8_t bus);

#if WD_CAL_HOST
/* How far a port's own clock may move the reset from the core's whole-tick
 * rule (wd_core_ticks, SPEC 5.15), in its units of 8 us: at most 64 ms
 * earlier, 96 ms later. */
#define WD_SURE8_MAX 8000
#define WD_SURE8_MIN (-12000)

/* n ticks at once (as n calls of wd_core_tick, one bus sample for them
 * all), then the countdown's end on the port's clock (SPEC 5.1). On its own
 * the core cannot tell where in a tick the feed came, so it takes since_t - 1
 * whole ticks of 16 ms as surely passed since it. A port that keeps the true
 * length of its watchdog periods knows better: sure8 is the true time surely
 * passed since the feed beyond those since_t - 1 ticks (negative: less), in
 * units of 8 us rounded down, taken within WD_SURE8_MIN..WD_SURE8_MAX. The
 * host is reset (cause 1) once that is the timeout in force. n = 0 only
 * decides again (at the end of a wait the port timed). wd_core_tick(c,
 * bus) is wd_core_ticks(c, 1, bus, 0). Returns the true us still to pass
 * before the reset (a multiple of 8, never less than the true rest), or
 * 0xFFFF when 64 ms or more are left and whenever no countdown can reset the
 * host (also right after it did). */
uint16_t wd_core_ticks(struct wd_core *c, uint8_t n, uint8_t bus, int16_t sure8);
#endif

/* ---- bus --------------------------------------------------------------------- */

/* Acts on one complete write frame (the bytes after the address, len of them;
 * len > EXTWD_FRAME_MAX means the frame overflowed). Applies it whole or
 * refuses it, setting LAST_ERROR. */
void wd_core_frame(struct wd_core *c, const uint8_t *frame, uint8_t len);

/* Starts a read transaction at the read pointer. */
void wd_core_read_begin(struct wd_core *c);

/* Returns the next byte of the current read transaction and advances. */
uint8_t wd_core_read_next(struct wd_core *c);

/* Returns the current 7-bit slave address. */
uint8_t wd_core_address(const struct wd_core *c);

/* ---- port services ----------------------------------------------------------- */

/* Returns the pending WD_REQ_* bits and clears them. */
uint8_t wd_core_take_requests(struct wd_core *c);

/* Returns the WD_OUT_* bits the pins should show now. */
uint8_t wd_core_outputs(const struct wd_core *c);

/* Recomputes the persist check (40 us on an 8 MHz AVR); call after
 * WD_REQ_SEAL. */
void wd_core_seal(struct wd_core *c);

/* Saving in one go (hosts, tests): encodes the slot image that the save
 * WD_REQ_SAVE or WD_REQ_FACTORY asked for into out, counts the save as done
 * and returns its EEPROM offset (0). */
uint16_t wd_core_eeprom_slot(struct wd_core *c, uint8_t out[WD_EEPROM_SLOT_SIZE]);

/* Saving byte by byte (the MCU ports, which keep no image in RAM): the
 * port writes byte i = 0 .. WD_EEPROM_SLOT_SIZE-1 of the slot as
 * wd_core_slot_byte(c, i) gives it, made from the live settings (the check
 * bytes from all of them, 25 us on an 8 MHz AVR); once all are written it
 * reads the slot back and compares it with wd_core_slot_byte again: equal,
 * it calls wd_core_save_done; not equal (the settings changed meanwhile),
 * it writes again. wd_core_save_done makes the saved settings the ones a
 * host reset restores; a host reset before it restores the previous ones
 * (and the save goes on writing those). Return: the byte; nothing. */
uint8_t wd_core_slot_byte(const struct wd_core *c, uint8_t i);
void wd_core_save_done(struct wd_core *c);

/* ---- helpers shared with tests ---------------------------------------------- */

/* Fills s with the factory defaults. */
void wd_settings_defaults(struct wd_settings *s);

/* Encodes s into a slot image. */
void wd_settings_encode(const struct wd_settings *s, uint8_t out[WD_EEPROM_SLOT_SIZE]);

/* Decodes a slot image. Returns 0 and fills s if the check and every
 * value's range hold, else a negative number and leaves s alone. */
int wd_settings_decode(const uint8_t in[WD_EEPROM_SLOT_SIZE], struct wd_settings *s);

/* The 16-bit check of EEPROM slots and persist: Fletcher sums mod 256 over
 * n bytes, from init (a = low byte, b = high byte). Returns a | b << 8. */
uint16_t wd_check16(uint16_t init, const uint8_t *p, uint8_t n);

#endif /* EXTWD_WD_CORE_H */
