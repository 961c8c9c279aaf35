/*
 * extwd wire protocol: the one definition shared by the chip firmware and
 * every host. SPEC.md is the prose version of this file; they must agree.
 *
 * Registers 0x00-0x12 and commands 0x80-0x85, 0xA5 are those of the stock
 * TinyI2CWatchdog firmware, so a host written for it works unchanged.
 * Everything else lives in the extension range 0x20-0x7F.
 *
 * Multi-byte registers are little-endian. SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_PROTOCOL_H
#define EXTWD_PROTOCOL_H

#include <stdint.h>

#if defined(__cplusplus)
#define EXTWD_STATIC_ASSERT(c, m) static_assert(c, m)
#else
#define EXTWD_STATIC_ASSERT(c, m) _Static_assert(c, m)
#endif

/* ---- addressing --------------------------------------------------------- */

#define EXTWD_I2C_ADDR_DEFAULT 0x26u
#define EXTWD_I2C_ADDR_MIN     0x08u /* 0x00-0x07 and 0x78-0x7F are reserved */
#define EXTWD_I2C_ADDR_MAX     0x77u

/* ---- stock registers (byte offsets into the settings block) ------------- */

#define EXTWD_REG_PROJECT_ID      0x00u /* 4 bytes RO: 'E','X','W','D' */
#define EXTWD_REG_SETTINGS_VER    0x04u /* 2 bytes RO: EEPROM layout version (EXTWD_SETTINGS_VERSION) */
#define EXTWD_REG_TIMEOUT_S       0x06u /* RW: seconds, 0 = never; maps onto TIMEOUT_MS */
#define EXTWD_REG_ACTION          0x07u /* RW: 1 = armed (reset the host), 0 = disarmed */
#define EXTWD_REG_RESET_PIN       0x08u /* RO: 1 (PB1) */
#define EXTWD_REG_GRACE_S         0x09u /* RW: grace after power-up and after each reset */
#define EXTWD_REG_I2C_ADDR        0x0Au /* RW: as command 0x82 */
#define EXTWD_REG_BUSLOAD_PCT     0x0Bu /* RW: 1-100, bus-health threshold */
#define EXTWD_REG_SINCE_FEED_S    0x0Cu /* RO: seconds counted toward the timeout, saturates at 255 */
#define EXTWD_REG_GRACE_LEFT_S    0x0Du /* RO: grace seconds left, rounded up, saturates at 255 */
#define EXTWD_REG_RESET_COUNT     0x0Eu /* RO: host resets issued, saturates at 255 */
#define EXTWD_REG_REINIT_COUNT    0x0Fu /* RO: I2C slave re-initialisations, saturates */
#define EXTWD_REG_BUSERR_COUNT    0x10u /* RO: bus-health errors, saturates */
#define EXTWD_REG_STATUS          0x11u /* RW, clear-only: bit 0 = host reset by the watchdog since the last feed */
#define EXTWD_REG_LAST_CAUSE      0x12u /* RO: cause of the last host reset (EXTWD_CAUSE_*) */
#define EXTWD_REG_STOCK_LAST      EXTWD_REG_LAST_CAUSE

#define EXTWD_STATUS_WD_RESET     0x01u /* firmware 2.1: a feed clears it only once STATUS (or EXT_STATUS) was read since the reset */

/* ---- extension registers ------------------------------------------------ */

#define EXTWD_EXT_FIRST           0x20u
#define EXTWD_EXT_LAST            0x7Fu

/* identity and diagnostics, read-only unless noted */
#define EXTWD_REG_PROTO_VERSION   0x20u
#define EXTWD_REG_FW_MAJOR        0x21u
#define EXTWD_REG_FW_MINOR        0x22u
#define EXTWD_REG_FW_PATCH        0x23u
#define EXTWD_REG_MCU_ID          0x24u /* EXTWD_MCU_* */
#define EXTWD_REG_EXT_STATUS      0x25u /* RW, clear-only for sticky bits (EXTWD_XS_*) */
#define EXTWD_REG_CAPS            0x26u /* 2 bytes: EXTWD_CAP_* */
#define EXTWD_REG_LAST_ERROR      0x28u /* result of the last write frame (EXTWD_ERR_*) */
#define EXTWD_REG_REFUSED_COUNT   0x29u /* write frames refused, saturates at 255 */
#define EXTWD_REG_CHIP_RESET      0x2Au /* the chip's own reset flags at boot (EXTWD_CHIP_*) */
#define EXTWD_REG_HISTORY_LEN     0x2Bu /* valid entries in HISTORY, 0-4 */
#define EXTWD_REG_BOOTLOOP_COUNT  0x2Cu /* consecutive resets with no healthy period between */
#define EXTWD_REG_WINDOW_FAULTS   0x2Du /* early feeds, saturates at 255 */
#define EXTWD_REG_RESETS_TOTAL    0x2Eu /* 2 bytes: host resets issued, saturates at 65535 */

/* settings: saved to EEPROM by command 0x80, restored on every host reset */
#define EXTWD_REG_TIMEOUT_MS      0x30u /* 4 bytes: 0 = never, else 100-600000 */
#define EXTWD_REG_PULSE_MS        0x34u /* 2 bytes: reset pulse, 1-10000 */
#define EXTWD_REG_MAX_DISARM_S    0x36u /* 2 bytes: bounded disarm, 0 = unbounded */
#define EXTWD_REG_PRETIMEOUT_MS   0x38u /* 2 bytes: 0 = off, else < timeout */
#define EXTWD_REG_WINDOW_MS       0x3Au /* 2 bytes: minimum feed interval, 0 = off, else < timeout */
#define EXTWD_REG_BOOTLOOP_LIMIT  0x3Cu /* consecutive resets before safe mode, 0 = off */
#define EXTWD_REG_HEALTHY_S       0x3Du /* fed this long after a reset = healthy, 1-255 */
#define EXTWD_REG_OPTIONS         0x3Eu /* EXTWD_OPT_* */

/* live control and state */
#define EXTWD_REG_BREADCRUMB      0x40u /* RW, not saved: where the host is */
#define EXTWD_REG_BREADCRUMB_RST  0x41u /* RO: BREADCRUMB latched at the last host reset */
#define EXTWD_REG_LOCK            0x42u /* W EXTWD_LOCK_MAGIC locks until chip reset; R 1/0 */
#define EXTWD_REG_KEY             0x43u /* 2 bytes, write-only: EXTWD_KEY unlocks the next frame */
#define EXTWD_REG_STATUS_UNREAD   0x45u /* RO (firmware 2.1): 1 from a host reset until STATUS or EXT_STATUS is read; feeds keep STATUS bit 0 meanwhile */
#define EXTWD_REG_TIME_LEFT_MS    0x48u /* 4 bytes: 0xFFFFFFFF = no reset pending */
#define EXTWD_REG_SINCE_FEED_MS   0x4Cu /* 4 bytes: ms counted toward the timeout, 16 ms ticks, stops at 1048560 */
#define EXTWD_REG_UPTIME_S        0x50u /* 4 bytes: chip uptime */
#define EXTWD_REG_GRACE_LEFT_MS   0x54u /* 4 bytes */
#define EXTWD_REG_DISARM_LEFT_S   0x58u /* 2 bytes: 0xFFFF = armed or unbounded */
#define EXTWD_REG_GRACE_EFF_S     0x5Au /* 2 bytes: grace applied at the last power-up or reset (with back-off) */
#define EXTWD_REG_LONGOP_MS       0x5Cu /* 4 bytes RW, never saved (firmware 2.1): a long operation's timeout, 0 = none */

/* reset history, newest first; survives host resets and chip resets other than power-on */
#define EXTWD_REG_HISTORY         0x60u
#define EXTWD_HISTORY_ENTRIES     4u
#define EXTWD_HISTORY_ENTRY_SIZE  6u    /* cause, breadcrumb, uptime_s (4 bytes) */
#define EXTWD_REG_HISTORY_END     (EXTWD_REG_HISTORY + EXTWD_HISTORY_ENTRIES * EXTWD_HISTORY_ENTRY_SIZE)

/* calibration of the tick against the host's clock (SPEC 5.15, 3.6); a chip
 * without it (stock, firmware < 2.1, the ATtiny85 build) reads 0xFF there
 * (CAL_TICK_US = 0xFFFF) */
#define EXTWD_REG_CAL_COUNT       0x78u /* 2 bytes: watchdog periods since the chip's boot, wrapping */
#define EXTWD_REG_CAL_TICK_US     0x7Au /* 2 bytes RW: true us of one period, 0 = none (RC only) */
#define EXTWD_REG_CAL_AGE_S       0x7Cu /* 2 bytes: seconds since CAL_TICK_US was written, 0xFFFE = older, 0xFFFF = none */

/* ---- commands ----------------------------------------------------------- */

#define EXTWD_CMD_SAVE            0x80u /* save settings to EEPROM */
#define EXTWD_CMD_FACTORY_RESET   0x81u /* save factory defaults, then restart the chip */
#define EXTWD_CMD_SET_ADDRESS     0x82u /* + address + its complement (firmware 2.1); effective after STOP, saved by 0x80 */
#define EXTWD_CMD_SET_POINTER     0x83u /* + register: where the next read starts */
#define EXTWD_CMD_CLEAR_COUNTERS  0x84u /* clear 0x0E-0x10 and the extension counters */
#define EXTWD_CMD_TEST_ACTION     0x85u /* + EXTWD_TEST_CONFIRM (firmware 2.1): run the timeout action now */
#define EXTWD_CMD_FEED            0xA5u /* restart the countdown, clear STATUS bit 0 */

/* ---- values ------------------------------------------------------------- */

#define EXTWD_PROTO_VERSION       1u
#define EXTWD_SETTINGS_VERSION    2u
#define EXTWD_PROJECT_ID          "EXWD"
#define EXTWD_LOCK_MAGIC          0x4Cu   /* 'L' */
#define EXTWD_KEY                 0xD15Au /* written as 0x5A, 0xD1 */
#define EXTWD_KEY_VALID_MS        1000u   /* the key unlocks the next frame within this time */
#define EXTWD_TEST_CONFIRM        0x54u   /* 'T': [0x85, 0x54] is the test reset; [0x85] alone is refused */
#define EXTWD_ADDR_CONFIRM(a)     ((uint8_t)~(a)) /* [0x82, a, ~a]: the 3rd byte of SET_ADDRESS */
#define EXTWD_UNMAPPED_READ       0xFFu   /* what a read of an unmapped register returns */
#define EXTWD_VALUE_MAX           4u      /* the widest register value, in bytes */
#define EXTWD_FRAME_BODY_MAX      (1u + EXTWD_VALUE_MAX) /* register + widest value: the longest frame a host sends */
#define EXTWD_FRAME_MAX           (EXTWD_FRAME_BODY_MAX + 1u) /* bytes a chip takes: + PEC (firmware 1) */
#define EXTWD_TICK_MS             16u     /* the chip counts time in ticks of this (SPEC 5.14) */
#define EXTWD_NO_RESET_PENDING    0xFFFFFFFFu /* TIME_LEFT_MS when no reset is pending */
#define EXTWD_PEC_POLY            0x07u   /* CRC-8 as SMBus PEC, init 0; only chips with EXTWD_CAP_PEC */

/* calibration (SPEC 5.15) */
#define EXTWD_CAL_MAX_DEV_DIV     8u        /* the chip takes a CAL_TICK_US within 1/8 of its RC's measure */
#define EXTWD_CAL_SPAN_MIN_MS     20000u    /* libextwd: shortest span it measures */
#define EXTWD_CAL_SPAN_MAX_MS     600000u   /* and longest (the count wraps after ~16 min) */
#define EXTWD_CAL_AGREE_DIV       256u      /* two spans in a row must agree within 1/256 */
#define EXTWD_CAL_INTERVAL_MS     60000u    /* libextwd reads CAL_COUNT this often */

/* reset causes: register 0x12 and history entries */
#define EXTWD_CAUSE_NONE          0u
#define EXTWD_CAUSE_TIMEOUT       1u /* stock value */
#define EXTWD_CAUSE_TEST          2u /* command 0x85 */
#define EXTWD_CAUSE_WINDOW        3u /* a feed came earlier than WINDOW_MS */

/* EXT_STATUS bits; sticky ones are cleared by writing 0 to them */
#define EXTWD_XS_PRETIMEOUT       0x01u /* live: the reset is less than PRETIMEOUT_MS away */
#define EXTWD_XS_SAFE_MODE        0x02u /* sticky: boot-loop limit passed, host should enter safe mode */
#define EXTWD_XS_DEFAULTS_LOADED  0x04u /* sticky: saved settings were invalid, factory defaults in use */
#define EXTWD_XS_WINDOW_FAULT     0x08u /* sticky: an early feed caused a reset */
#define EXTWD_XS_AUTO_REARMED     0x10u /* sticky: a disarm expired and the chip re-armed itself */
#define EXTWD_XS_LOCKED           0x20u /* live: LOCK is set */
#define EXTWD_XS_CHIP_RESTARTED   0x40u /* sticky: the chip itself restarted (not power-on), history kept */
#define EXTWD_XS_IN_GRACE         0x80u /* live: grace period running, no countdown */
#define EXTWD_XS_STICKY           0x5Eu

/* OPTIONS bits */
#define EXTWD_OPT_KEYED           0x01u /* disarm and configuration writes need the key first */
#define EXTWD_OPT_PEC_REQUIRED    0x02u /* reserved: every frame needs a PEC; only with CAP_PEC (firmware 1.x) */
#define EXTWD_OPT_PRETIMEOUT_PIN  0x04u /* drive the pretimeout pin low during pretimeout */
#define EXTWD_OPT_MASK            0x05u /* bits a chip without CAP_PEC accepts */

/* capability bits (register 0x26) */
#define EXTWD_CAP_TIMEOUT_MS      0x0001u
#define EXTWD_CAP_PULSE           0x0002u
#define EXTWD_CAP_BOUNDED_DISARM  0x0004u
#define EXTWD_CAP_BOOTLOOP        0x0008u
#define EXTWD_CAP_BREADCRUMB      0x0010u
#define EXTWD_CAP_PRETIMEOUT      0x0020u
#define EXTWD_CAP_PRETIMEOUT_PIN  0x0040u
#define EXTWD_CAP_WINDOW          0x0080u
#define EXTWD_CAP_LOCK            0x0100u
#define EXTWD_CAP_KEYED           0x0200u
#define EXTWD_CAP_TIME_LEFT       0x0400u
#define EXTWD_CAP_UPTIME          0x0800u
#define EXTWD_CAP_HISTORY         0x1000u
#define EXTWD_CAP_PEC             0x2000u /* firmware 1.x only; 2.x frames take no PEC */
#define EXTWD_CAP_AUTOINC         0x4000u
#define EXTWD_CAP_SETTINGS_CRC    0x8000u

/* LAST_ERROR codes */
#define EXTWD_ERR_OK              0u
#define EXTWD_ERR_UNKNOWN         1u /* no such register or command */
#define EXTWD_ERR_LENGTH          2u /* frame length does not fit the register or command */
#define EXTWD_ERR_READONLY        3u
#define EXTWD_ERR_RANGE           4u /* value outside the register's range */
#define EXTWD_ERR_LOCKED          5u
#define EXTWD_ERR_KEY             6u /* keyed mode: the key did not come first */
#define EXTWD_ERR_PEC             7u /* firmware 1 only: a wrong or missing PEC */
#define EXTWD_ERR_BUSY            8u /* feed during the reset pulse */
#define EXTWD_ERR_DISARMED        9u /* 0x85 while disarmed: nothing done */

/* MCU ids */
#define EXTWD_MCU_HOST            0u /* the core compiled for the host (tests) */
#define EXTWD_MCU_ATTINY85        1u
#define EXTWD_MCU_ATMEGA328P      2u

/* CHIP_RESET bits: same positions as AVR MCUSR */
#define EXTWD_CHIP_PORF           0x01u
#define EXTWD_CHIP_EXTRF          0x02u
#define EXTWD_CHIP_BORF           0x04u
#define EXTWD_CHIP_WDRF           0x08u

/* ---- factory defaults --------------------------------------------------- */

#define EXTWD_DEFAULT_TIMEOUT_MS     3000u
#define EXTWD_DEFAULT_ACTION         1u
#define EXTWD_DEFAULT_GRACE_S        20u
#define EXTWD_DEFAULT_BUSLOAD_PCT    50u
#define EXTWD_DEFAULT_PULSE_MS       100u
#define EXTWD_DEFAULT_MAX_DISARM_S   300u
#define EXTWD_DEFAULT_PRETIMEOUT_MS  0u
#define EXTWD_DEFAULT_WINDOW_MS      0u
#define EXTWD_DEFAULT_BOOTLOOP_LIMIT 3u
#define EXTWD_DEFAULT_HEALTHY_S      60u
#define EXTWD_DEFAULT_OPTIONS        0u

/* ---- ranges --------------------------------------------------------------- */

#define EXTWD_TIMEOUT_MS_MIN      100u
#define EXTWD_TIMEOUT_MS_MAX      600000u
#define EXTWD_PULSE_MS_MIN        1u
#define EXTWD_PULSE_MS_MAX        10000u
#define EXTWD_BUSLOAD_PCT_MIN     1u
#define EXTWD_BUSLOAD_PCT_MAX     100u
#define EXTWD_GRACE_BACKOFF_MAX   4u  /* grace doubles at most this many times */
#define EXTWD_GRACE_EFF_MAX_S     1048u /* and lasts at most this long (16-bit ticks) */

/* ---- layout checks -------------------------------------------------------- */

EXTWD_STATIC_ASSERT(EXTWD_REG_STOCK_LAST < EXTWD_EXT_FIRST, "stock map overlaps the extension range");
EXTWD_STATIC_ASSERT(EXTWD_EXT_LAST < EXTWD_CMD_SAVE, "extension range overlaps the commands");
EXTWD_STATIC_ASSERT(EXTWD_REG_RESETS_TOTAL + 2u <= EXTWD_REG_TIMEOUT_MS, "identity block overlaps settings");
EXTWD_STATIC_ASSERT(EXTWD_REG_OPTIONS < EXTWD_REG_BREADCRUMB, "settings overlap live registers");
EXTWD_STATIC_ASSERT(EXTWD_REG_KEY + 2u <= EXTWD_REG_TIME_LEFT_MS, "key overlaps time left");
EXTWD_STATIC_ASSERT(EXTWD_REG_GRACE_EFF_S + 2u <= EXTWD_REG_HISTORY, "live registers overlap history");
EXTWD_STATIC_ASSERT(EXTWD_REG_HISTORY_END - 1u <= EXTWD_EXT_LAST, "history runs past the extension range");
EXTWD_STATIC_ASSERT(EXTWD_REG_HISTORY_END <= EXTWD_REG_CAL_COUNT &&
                    EXTWD_REG_CAL_AGE_S + 2u <= EXTWD_EXT_LAST, "calibration block after the history");
EXTWD_STATIC_ASSERT(EXTWD_FRAME_MAX == 1u + 4u + 1u, "frame = register, widest value, PEC");
EXTWD_STATIC_ASSERT((EXTWD_XS_STICKY & (EXTWD_XS_PRETIMEOUT | EXTWD_XS_LOCKED | EXTWD_XS_IN_GRACE)) == 0,
                    "live status bits cannot be sticky");
EXTWD_STATIC_ASSERT(EXTWD_DEFAULT_TIMEOUT_MS >= EXTWD_TIMEOUT_MS_MIN &&
                    EXTWD_DEFAULT_TIMEOUT_MS <= EXTWD_TIMEOUT_MS_MAX, "default timeout out of range");
EXTWD_STATIC_ASSERT(EXTWD_DEFAULT_TIMEOUT_MS % 1000u == 0, "register 6 must read the default exactly");
EXTWD_STATIC_ASSERT(EXTWD_DEFAULT_GRACE_S <= 60u, "default grace at most 60 s");
EXTWD_STATIC_ASSERT(EXTWD_I2C_ADDR_DEFAULT >= EXTWD_I2C_ADDR_MIN &&
                    EXTWD_I2C_ADDR_DEFAULT <= EXTWD_I2C_ADDR_MAX, "default address reserved");

/* SMBus PEC (CRC-8, polynomial x^8+x^2+x+1, init 0) of one byte. */
static inline uint8_t extwd_pec_update(uint8_t crc, uint8_t byte)
{
    crc ^= byte;
    for (uint8_t i = 0; i < 8; i++)
        crc = (uint8_t)((crc & 0x80u) ? ((unsigned)crc << 1) ^ EXTWD_PEC_POLY : (unsigned)crc << 1);
    return crc;
}

#endif /* EXTWD_PROTOCOL_H */
