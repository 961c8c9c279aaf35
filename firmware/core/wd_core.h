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
 * from the main loop with interrupts disabled. The core never blocks.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_WD_CORE_H
#define EXTWD_WD_CORE_H

#include <stdint.h>
#include "extwd/protocol.h"

#define WD_FW_MAJOR 1u
#define WD_FW_MINOR 0u
#define WD_FW_PATCH 0u

/* Nominal tick; the port passes the measured length to wd_core_tick. */
#define WD_TICK_MS 16u

/* ---- EEPROM image ---------------------------------------------------------
 * Two slots of WD_EEPROM_SLOT_SIZE bytes at EEPROM offsets 0 and
 * WD_EEPROM_SLOT_SIZE. Slot layout: magic 'E','W', layout version, sequence,
 * settings (WD_SETTINGS_SIZE bytes, little-endian, order of struct
 * wd_settings), CRC-8 (poly 0x07, init 0xFF) over everything before it.
 */
#define WD_EEPROM_MAGIC0    0x45u
#define WD_EEPROM_MAGIC1    0x57u
#define WD_SETTINGS_SIZE    19u
#define WD_EEPROM_SLOT_SIZE (4u + WD_SETTINGS_SIZE + 1u)
#define WD_EEPROM_SLOTS     2u
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

/* One host reset, as the history registers show it. */
struct wd_history_entry {
    uint8_t cause;
    uint8_t breadcrumb;
    uint32_t uptime_s;
};

/* ---- state that survives chip resets other than power-on -------------------
 * The port places one of these in a section the C runtime does not clear
 * (.noinit). wd_core_init validates it by magic, version and CRC-8 and zeroes
 * it if anything is off, or if the chip reset flags say power-on.
 */
#define WD_PERSIST_MAGIC   0xE7u
#define WD_PERSIST_VERSION 1u

struct wd_persist {
    uint8_t magic;
    uint8_t version;
    uint8_t status;          /* register 0x11 */
    uint8_t last_cause;      /* register 0x12 */
    uint8_t reset_count;     /* register 0x0E */
    uint8_t reinit_count;    /* register 0x0F */
    uint8_t buserr_count;    /* register 0x10 */
    uint8_t ext_sticky;      /* sticky EXT_STATUS bits */
    uint8_t breadcrumb_rst;
    uint8_t bootloop_count;
    uint8_t window_faults;
    uint8_t refused_count;
    uint16_t resets_total;
    uint8_t history_len;
    struct wd_history_entry history[EXTWD_HISTORY_ENTRIES]; /* newest first */
    uint8_t crc;             /* CRC-8 (poly 0x07, init 0xFF) over everything before it */
};

/* ---- port hooks -------------------------------------------------------------
 * Bound at link time, not through a struct of pointers: on a chip with 512
 * bytes of RAM (and a 128-byte budget for the firmware) a pointer table is
 * RAM spent for nothing. Each MCU port, and the host test harness, defines:
 */

/* Reads n bytes of EEPROM at offset into dst. Called by wd_core_init and at
 * every host reset (SPEC 5.3: the settings reload), that is from inside
 * wd_core_tick and wd_core_frame: on AVR it must wait out an EEPROM write
 * in progress. */
void wd_port_eeprom_read(uint16_t offset, uint8_t *dst, uint8_t n);

/* The build sets these (-DWD_MCU_ID=...); the host build gets the defaults. */
#ifndef WD_MCU_ID
#define WD_MCU_ID EXTWD_MCU_HOST
#endif
#ifndef WD_CAPS
#define WD_CAPS 0xFFFFu
#endif

/* Requests from the core to the port, taken with wd_core_take_requests. */
#define WD_REQ_SAVE        0x01u /* write wd_core_eeprom_slot() to EEPROM */
#define WD_REQ_FACTORY     0x02u /* write defaults (already encoded by the core), then restart the chip */
#define WD_REQ_ADDRESS     0x04u /* the slave address changed: reprogram the bus slave */
#define WD_REQ_BUS_REINIT  0x08u /* bus-health trip: re-initialise the bus slave */
#define WD_REQ_SEAL        0x10u /* persist changed: call wd_core_seal from the main loop */

/* Outputs the port mirrors onto pins after every call. */
#define WD_OUT_RESET       0x01u /* drive the host reset line low */
#define WD_OUT_PRETIMEOUT  0x02u /* drive the pretimeout pin low */

/* Field order is part of the contract: the simulator reads a running chip's
 * state from its RAM using this layout (AVR packs with alignment 1), so only
 * fixed-width fields, and the one pointer last, where its size cannot shift
 * the others. */
struct wd_core {
    struct wd_settings set;

    uint32_t since_feed_ms;   /* saturating */
    uint32_t grace_left_ms;
    uint32_t uptime_s;
    uint16_t uptime_frac_ms;  /* ms into the current uptime second */
    uint16_t disarm_s;        /* whole seconds spent disarmed (counted on uptime seconds) */
    uint8_t healthy_s;        /* whole seconds since the first feed after a reset */
    uint16_t pulse_left_ms;
    uint16_t grace_eff_s;
    uint16_t key_left_ms;     /* ms the last KEY stays valid; 0 = no key */
    uint16_t bus_samples;     /* last 16 bus-health samples, 1 = a line low */

    uint8_t read_ptr;
    uint8_t read_cursor;
    uint8_t latch_reg;        /* register whose value is latched, 0xFF = none */
    uint8_t latch[4];

    uint8_t breadcrumb;
    uint8_t last_error;
    uint8_t chip_reset;       /* EXTWD_CHIP_* at boot */
    uint8_t flags;            /* private bits (WD_F_* in wd_core.c) */
    uint8_t requests;         /* WD_REQ_* pending */
    uint8_t eeprom_seq;       /* sequence of the newest slot (the next save gets +1) */
    struct wd_persist *persist;
};

/* ---- lifecycle --------------------------------------------------------------- */

/* Loads the settings from EEPROM through wd_port_eeprom_read (defaults and
 * DEFAULTS_LOADED if no slot is valid), validates persist (zeroing it on
 * power-on or a bad checksum, else setting CHIP_RESTARTED), and starts the
 * power-up grace period. chip_reset is the EXTWD_CHIP_* flags of this boot. */
void wd_core_init(struct wd_core *c, struct wd_persist *persist, uint8_t chip_reset);

/* Applies the factory defaults now and requests their save (WD_REQ_SAVE,
 * and WD_REQ_ADDRESS): what the factory-reset pin does at power-up. Never
 * refused, unlike command 0x81, which a lock or keyed mode may refuse. */
void wd_core_factory_reset(struct wd_core *c);

/* Advances time by elapsed_ms (one tick) and samples the bus: bus_low is
 * nonzero if SDA or SCL read low at this tick. Runs the countdown, the pulse,
 * grace, bounded disarm, pretimeout, health and bus-health logic. */
void wd_core_tick(struct wd_core *c, uint16_t elapsed_ms, uint8_t bus_low);

/* ---- bus --------------------------------------------------------------------- */

/* Acts on one complete write frame (the bytes after the address, len of them;
 * len > EXTWD_FRAME_MAX means the frame overflowed). Applies it whole or
 * refuses it, setting LAST_ERROR. */
void wd_core_frame(struct wd_core *c, const uint8_t *frame, uint8_t len);

/* Starts a read transaction at the read pointer. */
void wd_core_read_begin(struct wd_core *c);

/* Returns the next byte of the current read transaction and advances. */
uint8_t wd_core_read_next(struct wd_core *c);

/* Records a slave re-initialisation the port did on its own (e.g. after a
 * protocol error it detected). */
void wd_core_note_reinit(struct wd_core *c);

/* Returns the current 7-bit slave address. */
uint8_t wd_core_address(const struct wd_core *c);

/* ---- port services ----------------------------------------------------------- */

/* Returns the pending WD_REQ_* bits and clears them. */
uint8_t wd_core_take_requests(struct wd_core *c);

/* Returns the WD_OUT_* bits the pins should show now. */
uint8_t wd_core_outputs(const struct wd_core *c);

/* Recomputes the persist checksum; call after WD_REQ_SEAL. */
void wd_core_seal(struct wd_core *c);

/* Encodes the slot image the next save (WD_REQ_SAVE) or factory reset
 * (WD_REQ_FACTORY) must write into out, and returns its EEPROM offset. */
uint16_t wd_core_eeprom_slot(struct wd_core *c, uint8_t out[WD_EEPROM_SLOT_SIZE]);

/* ---- helpers shared with tests ---------------------------------------------- */

/* Fills s with the factory defaults. */
void wd_settings_defaults(struct wd_settings *s);

/* Encodes s into a slot image with sequence seq. */
void wd_settings_encode(const struct wd_settings *s, uint8_t seq,
                        uint8_t out[WD_EEPROM_SLOT_SIZE]);

/* Decodes a slot image. Returns 0 and fills s and *seq if magic, version, CRC
 * and every value's range hold, else a negative number and leaves s alone. */
int wd_settings_decode(const uint8_t in[WD_EEPROM_SLOT_SIZE],
                       struct wd_settings *s, uint8_t *seq);

/* CRC-8, polynomial 0x07, over n bytes, starting from init. */
uint8_t wd_crc8(uint8_t init, const uint8_t *p, uint8_t n);

#endif /* EXTWD_WD_CORE_H */
